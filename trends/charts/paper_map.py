"""Every paper as a point in 2-D, coloured by theme, titles on hover, names on the map."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .._tables import checked_table
from ._style import figure, label, safe, short, theme_color

# Above this many points the browser draws with WebGL; below, as SVG (works everywhere).
WEBGL_ABOVE = 20_000


def paper_map(
    points: pd.DataFrame,
    *,
    title: str | None = "Map of papers",
    label_themes: int = 30,
    height: int = 650,
) -> go.Figure:
    """Scatter of papers: one trace per theme (outliers grey, drawn first, underneath).

    Parameters
    ----------
    points : pandas.DataFrame
        Columns ``x``, ``y``, ``theme_id``, ``label`` (theme name) and ``title`` (paper
        title, shown on hover), optionally ``published`` (its date is shown on hover);
        from `trends.frames.paper_points`, or the paper table of
        `trends.papers.paper_table` / ``ThemeModel.paper_info`` (its ``theme`` is the
        name, and its ``text`` the title when it has none).
    label_themes : int
        Write the names of this many of the largest themes at their centres.
    """
    points = checked_table(
        points,
        "paper_map",
        ("x", "y", "theme_id", ("label", "theme"), ("title", "text")),
        "trends.frames.paper_points(model, corpus) or model.paper_info(corpus)",
    )
    if "theme" in points.columns:  # a paper table: "theme" is the name ("label" may be
        points = points.assign(label=points["theme"])  # a column of the user's corpus)
    if "title" not in points.columns:  # ... and without the corpus gives the text
        points = points.assign(title=points["text"])
    fig = figure(title=title, height=height)
    scatter = go.Scattergl if len(points) > WEBGL_ABOVE else go.Scatter
    order = sorted(points.theme_id.unique(), key=lambda t: (t != -1, t))
    for theme in order:
        part = points[points.theme_id == theme]
        name = "Outliers" if theme < 0 else str(part.label.iloc[0])
        fig.add_trace(
            scatter(
                x=part.x.round(4).tolist(),
                y=part.y.round(4).tolist(),
                mode="markers",
                name=label(f"#{theme} {name}" if theme >= 0 else name, 40),
                marker={
                    "color": theme_color(int(theme)),
                    "size": 6 if len(points) < 3000 else 4,
                    "opacity": 0.45 if theme < 0 else 0.8,
                    "line": {"width": 0},
                },
                text=_hover(part),
                hovertemplate=f"%{{text}}<br><i>{label(name, 60)}</i><extra></extra>",
                # a theme filter in the report dims the rest (plotly's selectedpoints)
                unselected={"marker": {"opacity": 0.07}},
                meta={"theme_id": int(theme)},
            )
        )
    centres = (
        points[points.theme_id >= 0]
        .groupby(["theme_id", "label"], as_index=False)[["x", "y"]]
        .median()
        .sort_values("theme_id")
        .head(label_themes)
    )
    for r in centres.itertuples():
        fig.add_annotation(
            x=r.x,
            y=r.y,
            text=f"<b>{label(r.label, 34)}</b>",
            showarrow=False,
            font={"size": 11, "color": "#111"},
            bgcolor="rgba(255,255,255,0.7)",
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(legend={"font": {"size": 11}}, hovermode="closest")
    return fig


def _hover(part: pd.DataFrame) -> list[str]:
    """Title (escaped, shortened) and, when known, the date of each point."""
    titles = [safe(short(t, 110)) for t in part.title]
    if "published" not in part.columns:
        return titles
    dates = pd.to_datetime(part.published, utc=True)
    return [t if pd.isna(d) else f"{t}<br>{d:%Y-%m-%d}" for t, d in zip(titles, dates, strict=True)]
