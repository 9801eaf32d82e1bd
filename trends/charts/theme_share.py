"""Share of the largest themes per period, as lines; partial periods drawn apart."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .._tables import checked_table
from ._marks import mark_changes, mark_partial
from ._style import day_axis, figure, label, theme_color, theme_names


def theme_share(
    trends: pd.DataFrame,
    *,
    top: int = 10,
    title: str | None = "Theme share over time",
    changes: pd.DataFrame | None = None,
    filters: bool = True,
) -> go.Figure:
    """One line per theme: its share of each period's papers.

    Periods the corpus covers only in part (``partial``) are drawn with open markers on
    a shaded band: their share is an estimate from fewer papers.

    Parameters
    ----------
    trends : pandas.DataFrame
        From `trends.timeline.theme_trends`: ``period``, ``theme_id``, ``label``,
        ``count``, ``share`` (and ``partial``, ``papers`` when present).
    top : int
        Draw the ``top`` themes with the most papers overall.
    changes : pandas.DataFrame, optional
        From `trends.timeline.mix_changes`: its flagged periods get a dashed line (and
        one legend entry).
    filters : bool
        Whether a click on a line filters the report's explorer to that theme; off
        where the lines are not the model's themes (a watch-list's topics).
    """
    trends = checked_table(
        trends,
        "theme_share",
        ("period", "theme_id", ("name", "label"), "count", "share"),
        "trends.timeline.theme_trends(...)",
    )
    if changes is not None and len(changes):  # an empty table: no changes
        changes = checked_table(
            changes, "theme_share", ("period", "flagged"), "trends.timeline.mix_changes(...)"
        )
    real = trends[trends.theme_id >= 0]
    totals = real.groupby("theme_id")["count"].sum().sort_values(ascending=False)
    keep = totals.index[:top].tolist()
    fig = figure(title=title, height=460)
    adjusted = trends.attrs.get("adjusted_for")
    for t in keep:
        part = real[real.theme_id == t].sort_values("period")
        partial = part["partial"].to_numpy(dtype=bool) if "partial" in part else [False] * len(part)
        name = label(f"#{t} {theme_names(part)[0]}", 40)
        fig.add_trace(
            go.Scatter(
                x=part.period.dt.strftime("%Y-%m-%d").tolist(),
                y=part.share.round(4).tolist(),
                mode="lines+markers",
                name=name,
                meta={"theme_id": int(t)} if filters else None,
                line={"color": theme_color(int(t)), "width": 2},
                marker={
                    "size": [8 if p else 5 for p in partial],
                    "symbol": ["circle-open" if p else "circle" for p in partial],
                },
                customdata=[
                    [int(c), "partial period, " if p else ""]
                    for c, p in zip(part["count"], partial, strict=True)
                ],
                hovertemplate=(
                    f"{name}<br>%{{x}}: %{{y:.1%}} (%{{customdata[1]}}"
                    "%{customdata[0]} papers)<extra></extra>"
                ),
            )
        )
    if "partial" in trends:
        spans = trends.loc[trends.partial, "period"].drop_duplicates()
        freq = trends.attrs.get("freq", "W")
        mark_partial(fig, [(s, pd.Period(s, freq).end_time.normalize()) for s in spans])
    mark_changes(fig, changes)
    ylabel = "share of the period's papers"
    if adjusted:
        ylabel += f" (standardised to the {adjusted} mix)"
    fig.update_yaxes(tickformat=".0%", title=ylabel, rangemode="tozero")
    fig.update_xaxes(title=None)
    day_axis(fig, real.period)
    return fig
