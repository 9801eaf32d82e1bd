"""The theme tree: fields above themes, as an icicle sized by papers."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .._tables import checked_table
from ._style import figure, label, safe, theme_color


def theme_tree(
    tree: pd.DataFrame, *, title: str | None = "Fields and themes", height: int | None = None
) -> go.Figure:
    """An icicle of the theme tree: the whole corpus on the left, themes on the right.

    Parameters
    ----------
    tree : pandas.DataFrame
        From `trends.hierarchy.tree_frame`: ``id``, ``parent``, ``name``, ``size``,
        ``share``, ``description``, ``theme_id``, ``color_theme``; parents first.
    title : str, optional
    height : int, optional
        Pixels; by default enough for every theme's name to be read.

    Returns
    -------
    plotly.graph_objects.Figure
        Each box is as tall as its papers; a group takes the colour of its largest theme
        and a theme its own colour (the colour it has in every chart). Clicking a box
        zooms into it.
    """
    tree = checked_table(
        tree,
        "theme_tree",
        ("id", "parent", "name", "size", "theme_id"),
        "trends.hierarchy.tree_frame(model.hierarchy_)",
    )
    leaves = int((tree.theme_id >= 0).sum()) if len(tree) else 0
    fig = figure(title=title, height=height or max(360, min(1400, 24 * leaves + 120)))
    if tree.empty:
        return fig
    fig.add_trace(
        go.Icicle(
            ids=tree["id"].tolist(),
            parents=tree["parent"].tolist(),
            labels=[label(n, 48) for n in tree["name"]],
            values=tree["size"].astype(int).tolist(),
            branchvalues="total",
            marker={"colors": [theme_color(int(t)) for t in tree["color_theme"]]},
            customdata=[
                [safe(d), float(s), int(t)]
                for d, s, t in zip(
                    tree["description"], tree["share"], tree["theme_id"], strict=True
                )
            ],
            hovertemplate=(
                "<b>%{label}</b><br>%{value} papers (%{customdata[1]:.1%})"
                "<br>%{customdata[0]}<extra></extra>"
            ),
            tiling={"orientation": "h"},
            textinfo="label+value",
            sort=False,
            maxdepth=-1,
        )
    )
    fig.update_layout(margin={"l": 4, "r": 4, "t": 50, "b": 4})
    return fig
