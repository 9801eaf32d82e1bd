"""Marks shared by the trend charts: partial periods and changes of the corpus' mix."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

PARTIAL_FILL = "rgba(160, 160, 160, 0.15)"
CHANGE_COLOR = "#444444"  # dark grey: no theme or category has it


def _day(value) -> str:
    return (
        pd.Timestamp(value).tz_localize(None).strftime("%Y-%m-%d")
        if pd.Timestamp(value).tzinfo
        else pd.Timestamp(value).strftime("%Y-%m-%d")
    )


def mark_partial(fig: go.Figure, spans) -> None:
    """Shade each ``(start, end)`` partial period, labelled "partial"."""
    for start, end in spans:
        fig.add_vrect(
            x0=_day(start),
            x1=_day(end),
            fillcolor=PARTIAL_FILL,
            line_width=0,
            layer="below",
            annotation_text="partial",
            annotation_position="top left",
            annotation_font={"size": 10, "color": "#777"},
        )


def mark_changes(fig: go.Figure, changes: pd.DataFrame | None) -> None:
    """A dashed line at each period flagged by `trends.timeline.mix.mix_changes`."""
    if changes is None or not len(changes):
        return
    for r in changes[changes["flagged"]].itertuples():
        fig.add_vline(
            x=_day(r.period),
            line={"color": CHANGE_COLOR, "dash": "dash", "width": 1},
        )
    flagged = changes[changes["flagged"]]
    if len(flagged):
        # one legend entry explaining the dashed lines
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                name="feed's mix changed",
                line={"color": CHANGE_COLOR, "dash": "dash", "width": 1},
                hoverinfo="skip",
            )
        )
