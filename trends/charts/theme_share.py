"""Share of the largest themes per period, as lines."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ._style import figure, safe, short, theme_color


def theme_share(
    trends: pd.DataFrame, *, top: int = 10, title: str | None = "Theme share over time"
) -> go.Figure:
    """One line per theme: its share of each period's papers.

    Parameters
    ----------
    trends : pandas.DataFrame
        From `trends.timeline.theme_trends`: ``period``, ``theme_id``, ``label``,
        ``count``, ``share``.
    top : int
        Draw the ``top`` themes with the most papers overall.
    """
    real = trends[trends.theme_id >= 0]
    totals = real.groupby("theme_id")["count"].sum().sort_values(ascending=False)
    keep = totals.index[:top].tolist()
    fig = figure(title=title, height=460)
    for t in keep:
        part = real[real.theme_id == t].sort_values("period")
        name = short(safe(f"#{t} {part.label.iloc[0]}"), 40)
        fig.add_trace(
            go.Scatter(
                x=part.period.dt.strftime("%Y-%m-%d").tolist(),
                y=part.share.round(4).tolist(),
                mode="lines+markers",
                name=name,
                line={"color": theme_color(int(t)), "width": 2},
                marker={"size": 5},
                customdata=part["count"].tolist(),
                hovertemplate=(
                    f"{name}<br>%{{x}}: %{{y:.1%}} (%{{customdata}} papers)<extra></extra>"
                ),
            )
        )
    fig.update_yaxes(tickformat=".0%", title="share of the period's papers", rangemode="tozero")
    fig.update_xaxes(title=None)
    return fig
