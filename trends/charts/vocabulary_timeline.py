"""A theme's keywords over time: a heatmap of their c-TF-IDF weight per period."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .._tables import checked_table
from ._style import figure, safe, short


def vocabulary_timeline(
    vocabulary: pd.DataFrame,
    *,
    theme_id: int,
    top: int = 15,
    title: str | None = None,
) -> go.Figure:
    """Rows: the theme's keywords (most weighty overall first); columns: periods.

    Parameters
    ----------
    vocabulary : pandas.DataFrame
        From `trends.timeline.vocabulary`: ``period``, ``theme_id``, ``label``,
        ``keyword``, ``weight``, ``papers``.
    theme_id : int
        The theme to draw.
    top : int
        Keywords shown: those with the largest summed weight over the periods.
    """
    vocabulary = checked_table(
        vocabulary,
        "vocabulary_timeline",
        ("period", "theme_id", "keyword", "weight"),
        "trends.timeline.vocabulary(...)",
    )
    part = vocabulary[vocabulary.theme_id == theme_id]
    if part.empty:
        raise ValueError(f"theme {theme_id} has no keywords in this table")
    order = part.groupby("keyword")["weight"].sum().sort_values(ascending=False)
    words = order.index[:top].tolist()
    grid = part[part.keyword.isin(words)].pivot_table(
        index="keyword", columns="period", values="weight", aggfunc="sum"
    )
    periods = sorted(part.period.unique())
    grid = grid.reindex(index=words, columns=periods).fillna(0)
    papers = part.drop_duplicates("period").set_index("period")["papers"].reindex(periods)
    name = part.label.iloc[0]
    fig = figure(
        title=title or short(f"Vocabulary of #{theme_id} {name} over time", 80),
        height=max(280, 20 * len(words) + 140),
    )
    x = [pd.Timestamp(p).strftime("%Y-%m-%d") for p in periods]
    fig.add_trace(
        go.Heatmap(
            z=grid.round(5).to_numpy().tolist(),
            x=x,
            y=[safe(w) for w in words],
            customdata=[papers.fillna(0).astype(int).tolist()] * len(words),
            colorscale="Greens",
            zmin=0,
            colorbar={"title": {"text": "weight"}},
            hovertemplate="%{y}, %{x}: weight %{z:.4f} (%{customdata} papers)<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(type="date", title=None)
    return fig
