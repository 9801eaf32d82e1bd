"""One template and one palette for every chart."""

from __future__ import annotations

import html

import plotly.graph_objects as go

OUTLIER_COLOR = "#b8b8b8"
# Okabe-Ito and Tableau colours: distinguishable, also for most colour-blind readers.
PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#4E79A7",
    "#F28E2B",
    "#59A14F",
    "#B07AA1",
    "#76B7B2",
    "#EDC948",
    "#FF9DA7",
    "#9C755F",
    "#E15759",
]
FONT = "Inter, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font={"family": FONT, "size": 13, "color": "#222"},
        title={"font": {"size": 17}, "x": 0.01, "xanchor": "left"},
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=PALETTE,
        margin={"l": 10, "r": 10, "t": 60, "b": 40},
        xaxis={"gridcolor": "#eee", "zeroline": False, "automargin": True},
        yaxis={"gridcolor": "#eee", "zeroline": False, "automargin": True},
        hoverlabel={"font": {"family": FONT}},
        legend={"itemsizing": "constant"},
    )
)


def theme_color(theme_id: int) -> str:
    """The colour of a theme in every chart; outliers are grey."""
    if theme_id < 0:
        return OUTLIER_COLOR
    return PALETTE[theme_id % len(PALETTE)]


def theme_names(frame) -> list[str]:
    """The themes' names of a table: its ``name`` column, else its ``label`` (older tables)."""
    column = "name" if "name" in frame.columns else "label"
    return [str(v) for v in frame[column].tolist()]


def safe(text) -> str:
    """User text for plotly's text fields, which read a little HTML: escape it."""
    return html.escape("" if text is None else str(text), quote=False)


def short(text: str, limit: int = 60) -> str:
    """Truncate a long name for an axis label (raw text: escape after, with `safe`)."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def label(text, limit: int) -> str:
    """User text cut to ``limit`` characters, then escaped: never cut inside ``&amp;``.

    Also safe where plotly fills in ``%{...}`` fields (a trace's name, a text label): see
    `in_template`.
    """
    return in_template(safe(short("" if text is None else text, limit)))


def in_template(text: str) -> str:
    """Escaped text for a plotly ``hovertemplate``, where ``%{...}`` is a field.

    ``%`` is written as its character reference, which plotly shows as ``%`` once the
    template is filled in: a name holding ``%{y}`` is shown, not filled in.
    """
    return str(text).replace("%", "&#37;")


def figure(*, title: str | None, height: int | None = None) -> go.Figure:
    """An empty figure with the shared template."""
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE, title=safe(title) if title else None, height=height)
    return fig


def day_axis(fig: go.Figure, dates) -> None:
    """Whole days on a short date axis (up to two weeks): a tick a day, never hours.

    Plotly labels a range of a few days in hours, and a single day in milliseconds.
    """
    import pandas as pd

    days = pd.to_datetime(pd.Series(list(dates)), errors="coerce").dropna()
    if days.empty or days.max() - days.min() > pd.Timedelta(days=14):
        return
    pad = pd.Timedelta(hours=12)
    fig.update_xaxes(
        type="date",
        dtick=86_400_000,
        tickformat="%Y-%m-%d",
        range=[(days.min() - pad).isoformat(), (days.max() + pad).isoformat()],
    )
