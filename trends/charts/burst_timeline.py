"""Bursts on a time axis: one bar per burst, from its first to its last period."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .._tables import checked_table
from ._marks import mark_changes
from ._style import PALETTE, day_axis, figure, label, theme_color


def burst_timeline(
    bursts: pd.DataFrame,
    *,
    top: int = 30,
    title: str | None = "Bursts",
    changes: pd.DataFrame | None = None,
) -> go.Figure:
    """Horizontal bars of the strongest bursts, themes in their colours, phrases in one.

    Parameters
    ----------
    bursts : pandas.DataFrame
        From `trends.bursts`: ``kind``, ``theme_id``, ``label``, ``start``, ``end``,
        ``strength``, ``papers``, ``ratio``.
    top : int
        Draw the ``top`` strongest bursts (all kinds together).
    changes : pandas.DataFrame, optional
        From `trends.timeline.mix_changes`: flagged periods get a dashed line.
    """
    bursts = checked_table(
        bursts,
        "burst_timeline",
        ("kind", "theme_id", "label", "start", "end", "strength", "papers", "ratio"),
        "trends.bursts(...)",
    )
    if changes is not None and len(changes):  # an empty table: no changes
        changes = checked_table(
            changes, "burst_timeline", ("period", "flagged"), "trends.timeline.mix_changes(...)"
        )
    rows = bursts.sort_values("strength", ascending=False).head(top)
    fig = figure(title=title, height=max(260, 22 * len(rows) + 140))
    names = []
    for r in rows.itertuples():
        prefix = f"#{r.theme_id} " if r.kind == "theme" else "“"
        suffix = "" if r.kind == "theme" else "”"
        names.append(label(f"{prefix}{r.label}{suffix}", 44))
    rows = rows.assign(shown=names)
    for r in rows[rows.kind == "theme"].itertuples():
        # a trace per theme burst: its colour, and its legend entry filters the papers
        fig.add_trace(_bar([r], theme_color(int(r.theme_id)), meta={"theme_id": int(r.theme_id)}))
    phrases = list(rows[rows.kind != "theme"].itertuples())
    if phrases:
        fig.add_trace(_bar(phrases, PALETTE[7], name="phrases"))
    mark_changes(fig, changes)
    fig.update_yaxes(
        autorange="reversed", categoryorder="array", categoryarray=rows["shown"].tolist()
    )
    fig.update_xaxes(type="date", title=None)
    fig.update_layout(showlegend=False)
    day_axis(fig, [*rows.start, *rows.end])
    return fig


def _bar(rows, color, *, meta=None, name=None) -> go.Scatter:
    """One trace of line segments, one per burst, with a gap between them."""
    xs, ys, custom = [], [], []
    for r in rows:
        start = pd.Timestamp(r.start).strftime("%Y-%m-%d")
        end = pd.Timestamp(r.end).strftime("%Y-%m-%d")
        info = [f"{start} to {end}", float(r.strength), int(r.papers), float(r.ratio)]
        xs += [start, end, None]
        ys += [r.shown, r.shown, None]
        custom += [info, info, [None] * 4]
    return go.Scatter(
        x=xs[:-1],
        y=ys[:-1],
        mode="lines+markers",
        name=name or str(ys[0]),
        meta=meta,
        line={"color": color, "width": 9},
        marker={"size": 9, "color": color},
        customdata=custom[:-1],
        hovertemplate=(
            "%{y}<br>%{customdata[0]}<br>strength %{customdata[1]:.1f}, "
            "%{customdata[2]} papers (%{customdata[3]:.1f}× usual)<extra></extra>"
        ),
    )
