"""Each theme's top keywords and their c-TF-IDF weights, as small multiples."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .._tables import checked_table
from ._style import TEMPLATE, in_template, label, safe, theme_color, theme_names


def keywords(
    themes: pd.DataFrame,
    *,
    n_keywords: int = 8,
    max_themes: int = 12,
    columns: int = 3,
    title: str | None = "Top keywords per theme",
) -> go.Figure:
    """One small bar chart per theme: its keywords, weighted by c-TF-IDF.

    Parameters
    ----------
    themes : pandas.DataFrame
        ``ThemeModel.themes_``: ``theme_id``, ``name`` (else ``label``), ``keywords`` and
        ``keyword_weights`` (lists, best first). Outliers are left out.
    n_keywords : int
        Keywords per theme.
    max_themes : int
        The largest themes shown (the title says how many there are).
    columns : int
        Panels per row.
    """
    themes = checked_table(
        themes,
        "keywords",
        ("theme_id", ("name", "label"), "keywords", "keyword_weights"),
        "ThemeModel.themes_",
    )
    real = themes[themes.theme_id >= 0].head(max_themes)
    n = max(1, len(real))
    cols = max(1, min(columns, n))
    rows = math.ceil(n / cols)
    shown = theme_names(real)
    titles = [
        label(f"#{r.theme_id} {name}", 42) for r, name in zip(real.itertuples(), shown, strict=True)
    ] or [""]
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=titles,
        horizontal_spacing=0.18 / cols * 2,
        vertical_spacing=min(0.1, 0.35 / rows),
    )
    for k, r in enumerate(real.itertuples()):
        words = list(r.keywords)[:n_keywords]
        weights = list(r.keyword_weights)[:n_keywords]
        fig.add_trace(
            go.Bar(
                x=weights,
                y=[safe(w) for w in words],
                orientation="h",
                marker={"color": theme_color(int(r.theme_id))},
                name=in_template(safe(shown[k])),
                hovertemplate="%{y}: %{x:.3f}<extra></extra>",
            ),
            row=k // cols + 1,
            col=k % cols + 1,
        )
    fig.update_yaxes(autorange="reversed", tickfont={"size": 11})
    fig.update_xaxes(showticklabels=False)
    fig.update_annotations(font={"size": 12})
    shown = f"{len(real)} largest of {int((themes.theme_id >= 0).sum())} themes"
    full_title = f"{safe(title)} <span style='font-size:12px;color:#888'>({shown})</span>"
    fig.update_layout(
        template=TEMPLATE,
        title=full_title if title else None,
        showlegend=False,
        height=max(300, 200 * rows + 80),
    )
    return fig
