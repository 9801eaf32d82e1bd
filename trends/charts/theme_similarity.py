"""How close the themes are to each other: a heatmap of centroid cosine similarity."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .._tables import checked_table
from ._style import figure, label


def theme_similarity(
    pairs: pd.DataFrame, *, title: str | None = "How close the themes are", max_themes: int = 60
) -> go.Figure:
    """Heatmap of theme-to-theme similarity, themes in the order of their ids.

    Parameters
    ----------
    pairs : pandas.DataFrame
        Tidy pairs: ``theme_a``, ``label_a``, ``theme_b``, ``label_b``, ``similarity``
        (from `trends.frames.theme_similarity`), every ordered pair including a theme
        with itself.
    max_themes : int
        Show the first (largest) themes only.
    """
    pairs = checked_table(
        pairs,
        "theme_similarity",
        ("theme_a", "label_a", "theme_b", "label_b", "similarity"),
        "trends.frames.theme_similarity(model)",
    )
    ids = sorted(pairs.theme_a.unique())[:max_themes]
    keep = pairs[pairs.theme_a.isin(ids) & pairs.theme_b.isin(ids)]
    grid = keep.pivot(index="theme_a", columns="theme_b", values="similarity").loc[ids, ids]
    names = dict(zip(keep.theme_a, keep.label_a, strict=False))
    ticks = [label(f"#{t} {names[t]}", 38) for t in ids]
    fig = figure(title=title, height=max(320, 22 * len(ids) + 160))
    fig.add_trace(
        go.Heatmap(
            z=grid.round(3).to_numpy().tolist(),
            x=ticks,
            y=ticks,
            colorscale="Blues",
            zmin=float(min(0.0, keep.similarity.min())) if len(keep) else 0.0,
            zmax=1.0,
            colorbar={"title": {"text": "cosine"}, "thickness": 12},
            hovertemplate="%{y}<br>%{x}<br>similarity %{z:.2f}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", tickfont={"size": 11})
    fig.update_xaxes(tickangle=-40, tickfont={"size": 11})
    return fig
