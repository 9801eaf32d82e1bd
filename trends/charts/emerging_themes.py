"""Rising and fading themes: the share ratio of each theme with its confidence interval."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .._tables import checked_table
from ..timeline.emerging import CALLS
from ._style import OUTLIER_COLOR, figure, label, theme_names

STATUS_COLORS = {
    "rising": "#009E73",
    "new": "#0072B2",
    "stable": OUTLIER_COLOR,
    "fading": "#D55E00",
    "untested": "#8c8c8c",  # drawn open: no interval, no finding
}
# The order rows are kept in when there are more than ``max_themes``: the calls, then the
# themes tested and not called, then those with too few papers to test.
_KEEP_ORDER = {**dict.fromkeys(CALLS, 0), "stable": 1, "untested": 2}


def _position(ratio: float, ci_low: float, ci_high: float, low: float, high: float) -> float:
    """Where a theme's dot goes on the log axis.

    Its ratio; a ratio of infinity (no paper before) at its interval's top, 0 (none
    recently) at its bottom, or, without an interval (untested), at ``high`` / ``low``,
    just past the other dots; no ratio (no paper in either window): NaN, no dot.
    """
    if 0 < ratio < math.inf:
        return ratio
    if ratio == math.inf:
        return ci_high if 0 < ci_high < math.inf else high
    if ratio == 0:
        return ci_low if 0 < ci_low < math.inf else low
    return math.nan


def emerging_themes(
    table: pd.DataFrame, *, max_themes: int = 40, title: str | None = "Rising and fading themes"
) -> go.Figure:
    """Dot per theme at its recent/baseline share ratio, bars for the interval (log scale).

    Parameters
    ----------
    table : pandas.DataFrame
        From `trends.timeline.emerging`: ``theme_id``, ``label``, ``ratio``, ``ci_low``,
        ``ci_high``, ``status`` and the counts.
    max_themes : int
        Show at most this many themes: every rising, new and fading one first, then the
        stable ones in the table's order (most confidently rising first), then the
        untested ones (too few papers to test: a ratio drawn open, without an interval).
    """
    table = checked_table(
        table,
        "emerging_themes",
        (
            "theme_id",
            ("name", "label"),
            "ratio",
            "ci_low",
            "ci_high",
            "status",
            "recent_count",
            "baseline_count",
        ),
        "trends.timeline.emerging(...)",
    )
    rank = table.status.map(_KEEP_ORDER).fillna(1).to_numpy()
    keep = np.zeros(len(table), dtype=bool)
    keep[np.argsort(rank, kind="stable")[:max_themes]] = True
    keep |= rank == 0  # every call, however many
    rows = table[keep]
    fig = figure(title=title, height=max(300, 24 * len(rows) + 120))
    names = {
        i: label(f"#{r.theme_id} {n}", 46)
        for i, r, n in zip(rows.index, rows.itertuples(), theme_names(rows), strict=True)
    }
    # A theme with no paper in one window has a ratio of 0 or infinity, which a log axis
    # cannot show: its dot goes to its interval's finite end, or, untested, just past the
    # other dots and intervals (its hover gives the ratio in words). One with no paper in
    # either window has no ratio and no dot.
    drawn = np.concatenate([rows.ratio, rows.ci_low, rows.ci_high]).astype(float)
    drawn = drawn[np.isfinite(drawn) & (drawn > 0)]
    low = float(drawn.min()) / 1.5 if len(drawn) else 0.5
    high = float(drawn.max()) * 1.5 if len(drawn) else 2.0
    for status, color in STATUS_COLORS.items():
        part = rows[rows.status == status]
        if part.empty:
            continue
        untested = status == "untested"
        finite = [
            _position(r, lo, h, low, high)
            for r, lo, h in zip(part.ratio, part.ci_low, part.ci_high, strict=True)
        ]
        ratio_text = [
            "none before" if r == math.inf else "none recently" if r == 0 else f"{r:.2f}"
            for r in part.ratio
        ]
        fig.add_trace(
            go.Scatter(
                x=finite,
                y=[names[i] for i in part.index],
                mode="markers",
                name=status,
                marker={
                    "color": color,
                    "size": 9,
                    "symbol": "circle-open" if untested else "circle",
                },
                error_x=None
                if untested
                else {
                    "type": "data",
                    "symmetric": False,
                    "array": [h - r for h, r in zip(part.ci_high, finite, strict=True)],
                    "arrayminus": [r - lo for r, lo in zip(finite, part.ci_low, strict=True)],
                    "color": color,
                    "thickness": 1.5,
                },
                customdata=[
                    [*row, text]
                    for row, text in zip(
                        part[["recent_count", "baseline_count", "ci_low", "ci_high"]]
                        .to_numpy()
                        .tolist(),
                        ratio_text,
                        strict=True,
                    )
                ],
                hovertemplate=(
                    (
                        "%{y}<br>ratio %{customdata[4]}, not tested: too few papers"
                        if untested
                        else "%{y}<br>ratio %{customdata[4]} (interval "
                        "%{customdata[2]:.2f}–%{customdata[3]:.2f})"
                    )
                    + "<br>%{customdata[0]} recent, %{customdata[1]} before<extra></extra>"
                ),
            )
        )
    fig.add_vline(x=1, line={"color": "#888", "dash": "dot"})
    fig.update_xaxes(type="log", title="recent share ÷ earlier share (log scale)")
    fig.update_yaxes(
        autorange="reversed", categoryorder="array", categoryarray=list(names.values())
    )
    return fig
