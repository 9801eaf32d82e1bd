"""Themes by facet (category, venue...): a heatmap of shares."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .._tables import checked_table
from ._style import figure, label, safe


def facet_heatmap(
    facets: pd.DataFrame,
    *,
    value: str = "share_of_theme",
    max_themes: int = 40,
    max_values: int = 12,
    title: str | None = "Themes by category",
) -> go.Figure:
    """Cell per theme (rows) and facet value (columns), coloured by a share.

    Parameters
    ----------
    facets : pandas.DataFrame
        From `trends.facets`: ``theme_id``, ``label``, ``value``, ``count``,
        ``share_of_theme``, ``share_of_value``.
    value : {"share_of_theme", "share_of_value"}
        ``share_of_theme``: each row shows how a theme's papers spread over the values;
        ``share_of_value``: each column how a value's papers spread over the themes.
    max_themes, max_values : int
        The largest themes and most frequent values; the other values are summed into
        "other" (``"(other)"`` when a value is itself "other").
    """
    facets = checked_table(
        facets, "facet_heatmap", ("theme_id", "label", "value", "count"), "trends.facets(...)"
    )
    if value not in {"share_of_theme", "share_of_value"}:
        raise ValueError(f"value must be 'share_of_theme' or 'share_of_value', not {value!r}")
    real = facets[facets.theme_id >= 0]
    sizes = real.groupby("theme_id")["count"].sum().sort_values(ascending=False)
    themes = sizes.index[:max_themes].tolist()
    totals = facets.groupby("value")["count"].sum().sort_values(ascending=False)
    values = totals.index[:max_values].tolist()
    cut = real[real.theme_id.isin(themes)].copy()
    others = ~cut["value"].isin(values)
    if others.any():
        # The bucket of the other values is named apart from every real value: a venue
        # that is literally "other" keeps its own column.
        bucket, taken = "other", set(totals.index.astype(str))
        while bucket in taken:
            bucket = f"({bucket})"
        cut.loc[others, "value"] = bucket
        values = values + [bucket]
    grid = cut.pivot_table(index="theme_id", columns="value", values="count", aggfunc="sum")
    grid = grid.reindex(index=themes, columns=values).fillna(0)
    if value == "share_of_theme":
        shares = grid.div(sizes.reindex(themes), axis=0)
    else:
        shares = grid.div(totals.reindex(values).fillna(grid.sum(0)), axis=1)
    labels = dict(zip(real.theme_id, real.label, strict=False))
    rows = [label(f"#{t} {labels.get(t, '')}", 44) for t in themes]
    fig = figure(title=title, height=max(300, 22 * len(themes) + 160))
    fig.add_trace(
        go.Heatmap(
            z=shares.round(4).to_numpy().tolist(),
            x=[safe(v) for v in values],
            y=rows,
            customdata=grid.astype(int).to_numpy().tolist(),
            colorscale="Blues",
            zmin=0,
            colorbar={"tickformat": ".0%", "title": {"text": "share"}},
            hovertemplate="%{y}<br>%{x}: %{z:.1%} (%{customdata} papers)<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(side="top", tickangle=-45)
    return fig
