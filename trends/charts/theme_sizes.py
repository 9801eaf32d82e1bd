"""Papers per theme: a sorted horizontal bar chart, outliers apart."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .._tables import checked_table
from ._style import OUTLIER_COLOR, figure, label, theme_color, theme_names


def theme_sizes(
    themes: pd.DataFrame, *, title: str | None = "Papers per theme", max_themes: int = 60
) -> go.Figure:
    """Bar per theme, largest on top, labelled with the theme names.

    Parameters
    ----------
    themes : pandas.DataFrame
        ``ThemeModel.themes_``: columns ``theme_id``, ``name`` (else ``label``), ``size`` (``share``
        optional). Outliers (``theme_id == -1``) get their own grey bar at the bottom.
    title : str, optional
    max_themes : int
        Show at most this many themes; the rest are summed into one "other themes" bar.
    """
    themes = checked_table(
        themes, "theme_sizes", ("theme_id", ("name", "label"), "size"), "ThemeModel.themes_"
    )
    real = themes[themes.theme_id >= 0].sort_values("size", ascending=False)
    outliers = themes[themes.theme_id < 0]
    rest = real.iloc[max_themes:]
    real = real.iloc[:max_themes]
    total = int(themes["size"].sum()) or 1
    names = [
        f"{label(n, 50)} <span style='color:#888'>#{r.theme_id}</span>"
        for r, n in zip(real.itertuples(), theme_names(real), strict=True)
    ]
    fig = figure(title=title, height=max(260, 28 * (len(real) + 2) + 100))
    fig.add_trace(
        go.Bar(
            name="themes",
            y=names,
            x=real["size"].tolist(),
            orientation="h",
            marker={"color": [theme_color(int(t)) for t in real.theme_id]},
            customdata=[
                [int(t), s / total] for t, s in zip(real.theme_id, real["size"], strict=True)
            ],
            hovertemplate="%{y}<br>%{x} papers (%{customdata[1]:.1%})<extra></extra>",
            text=real["size"].tolist(),
            textposition="outside",
            cliponaxis=False,
        )
    )
    # each grey bar's customdata names its papers' themes, as the theme bars do: the
    # other themes' ids (a group), or -1 for the outliers
    extra_names, extra_sizes, extra_ids = [], [], []
    if len(rest):
        extra_names.append(f"{len(rest)} other themes")
        extra_sizes.append(int(rest["size"].sum()))
        extra_ids.append([int(t) for t in rest.theme_id])
    if len(outliers):
        extra_names.append("Outliers (no clear theme)")
        extra_sizes.append(int(outliers["size"].sum()))
        extra_ids.append(-1)
    if extra_names:
        fig.add_trace(
            go.Bar(
                name="not in a shown theme",
                y=extra_names,
                x=extra_sizes,
                orientation="h",
                marker={"color": OUTLIER_COLOR},
                customdata=[
                    [ids, size / total] for ids, size in zip(extra_ids, extra_sizes, strict=True)
                ],
                hovertemplate="%{y}<br>%{x} papers<extra></extra>",
                text=extra_sizes,
                textposition="outside",
                cliponaxis=False,
            )
        )
    fig.update_layout(showlegend=False, bargap=0.25)
    fig.update_yaxes(
        autorange="reversed",
        categoryorder="array",
        categoryarray=names + extra_names,
        tickfont={"size": 12},
    )
    fig.update_xaxes(title="papers")
    return fig
