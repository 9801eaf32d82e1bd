"""The corpus' own mix over time: papers per period and the share of each category."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .._tables import checked_table
from ._marks import CHANGE_COLOR
from ._style import OUTLIER_COLOR, PALETTE, figure, in_template, safe


def feed_mix(
    shares: pd.DataFrame,
    changes: pd.DataFrame,
    *,
    top: int = 8,
    title: str | None = "What the corpus collected, period by period",
) -> go.Figure:
    """Stacked category shares per period, papers per period above, flagged periods marked.

    Parameters
    ----------
    shares : pandas.DataFrame
        From `trends.timeline.mix_shares`: ``period``, ``value``, ``count``, ``share``.
    changes : pandas.DataFrame
        From `trends.timeline.mix_changes`: ``period``, ``papers``, ``flagged``, ``what``.
    top : int
        The most frequent values drawn apart; the others as "other".
    """
    shares = checked_table(
        shares, "feed_mix", ("period", "value", "count", "share"), "trends.timeline.mix_shares(...)"
    )
    changes = checked_table(
        changes,
        "feed_mix",
        ("period", "papers", "flagged", "what"),
        "trends.timeline.mix_changes(...)",
    )
    from plotly.subplots import make_subplots

    totals = shares.groupby("value")["count"].sum().sort_values(ascending=False)
    keep = [v for v in totals.index if v != "other"][:top]
    frame = shares.assign(value=shares.value.where(shares.value.isin(keep), "other"))
    frame = frame.groupby(["period", "value"], as_index=False)[["count", "share"]].sum()
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.3, 0.7], vertical_spacing=0.04
    )
    fig.update_layout(figure(title=title, height=480).layout)
    x = changes.period.dt.strftime("%Y-%m-%d").tolist()
    fig.add_trace(
        go.Bar(
            x=x,
            y=changes.papers.tolist(),
            name="papers",
            marker={
                "color": [CHANGE_COLOR if f else OUTLIER_COLOR for f in changes.flagged],
            },
            customdata=[safe(w) or "–" for w in changes.what],
            hovertemplate="%{x}: %{y} papers<br>%{customdata}<extra></extra>",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    for k, value in enumerate(keep + (["other"] if (frame.value == "other").any() else [])):
        part = frame[frame.value == value].sort_values("period")
        fig.add_trace(
            go.Bar(
                x=part.period.dt.strftime("%Y-%m-%d").tolist(),
                y=part.share.round(4).tolist(),
                name=in_template(safe(value)),
                marker={"color": OUTLIER_COLOR if value == "other" else PALETTE[k % len(PALETTE)]},
                hovertemplate=f"{in_template(safe(value))}<br>%{{x}}: %{{y:.0%}}<extra></extra>",
            ),
            row=2,
            col=1,
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title="papers", row=1, col=1)
    fig.update_yaxes(title="share of the period", tickformat=".0%", range=[0, 1], row=2, col=1)
    return fig
