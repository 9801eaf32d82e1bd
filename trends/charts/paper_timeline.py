"""Papers per day (or week, month): the timeline whose range slider picks a date range."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .._tables import checked_table
from ._style import OUTLIER_COLOR, PALETTE, figure

FREQ_NAMES = {"D": "day", "W": "week", "MS": "month", "QS": "quarter", "YS": "year"}


def paper_timeline(
    counts: pd.DataFrame,
    *,
    title: str | None = "Papers over time",
    height: int = 240,
    brush: bool = True,
) -> go.Figure:
    """Bars of papers per period, with a range slider to choose dates.

    Parameters
    ----------
    counts : pandas.DataFrame
        From `trends.papers.papers_per_period`: ``period`` (the start of each period),
        ``end`` (its last day) and ``papers``; ``.attrs["freq"]`` names the period.
    brush : bool
        Draw a range slider, and mark the figure (``layout.meta``) as the date brush of
        the report's paper explorer, which also fills the second, "selected" trace.
    """
    counts = checked_table(
        counts,
        "paper_timeline",
        ("period", "end", "papers"),
        "trends.papers.papers_per_period(...)",
    )
    freq = counts.attrs.get("freq", "D")
    unit = FREQ_NAMES.get(freq, "period")
    start = counts["period"].dt.tz_localize(None)
    end = counts["end"].dt.tz_localize(None)
    # A bar covers its whole period: centred on its middle, as wide as the period.
    width_ms = ((end - start) + pd.Timedelta(days=1)).dt.total_seconds() * 1000
    middle = start + (end - start + pd.Timedelta(days=1)) / 2
    fig = figure(title=title, height=height)
    for name, color, values in (
        ("all papers", OUTLIER_COLOR, counts["papers"].tolist()),
        ("selected", PALETTE[0], [0] * len(counts)),
    ):
        fig.add_trace(
            go.Bar(
                name=name,
                x=middle.dt.strftime("%Y-%m-%d %H:%M").tolist(),
                y=values,
                width=(width_ms * 0.9).round().tolist(),
                marker={"color": color, "line": {"width": 0}},
                customdata=start.dt.strftime("%Y-%m-%d").tolist(),
                hovertemplate=f"{unit} of %{{customdata}}: %{{y}} papers ({name})<extra></extra>",
            )
        )
    fig.update_layout(barmode="overlay", showlegend=False, margin={"t": 40, "b": 10})
    fig.update_yaxes(title=f"papers per {unit}", rangemode="tozero")
    fig.update_xaxes(type="date", title=None)
    if brush:
        fig.update_xaxes(rangeslider={"visible": True, "thickness": 0.18})
        fig.update_layout(
            meta={
                "brush": "date",
                "bins": start.dt.strftime("%Y-%m-%d").tolist(),
                "ends": end.dt.strftime("%Y-%m-%d").tolist(),
            }
        )
    return fig
