"""Tidy DataFrames behind the charts, computed from a fitted model and its corpus."""

from __future__ import annotations

import numpy as np
import pandas as pd


def labels_of(model) -> dict[int, str]:
    """``{theme id: name}`` of a fitted model, as every chart shows its themes.

    The ``name`` column of ``themes_`` where set, else the keyword ``label``
    (`trends.papers.theme_names`); -1 is "Outliers".
    """
    from .papers import theme_names

    return theme_names(model)


def coordinates(model) -> np.ndarray:
    """2-D coordinates of the training papers: the fit's map (`ThemeModel.coords_`)."""
    return model.coords_


def paper_points(model, corpus: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per training paper: ``doc_id, title, x, y, theme_id, label`` (its name)."""
    xy = coordinates(model)
    names = labels_of(model)
    titles = _titles(model, corpus)
    return pd.DataFrame(
        {
            "doc_id": model.doc_ids_,
            "title": titles,
            "x": xy[:, 0],
            "y": xy[:, 1],
            "theme_id": model.labels_.astype(int),
            "label": [names.get(int(t), "Outliers") for t in model.labels_],
        }
    )


def _titles(model, corpus):
    texts = [t[:120] for t in model.texts_]
    if corpus is None or "title" not in corpus.columns:
        return texts
    rows = model.training_rows(corpus)
    titles = corpus["title"].astype(str).tolist()
    for k, row in enumerate(rows.tolist()):
        if row >= 0:
            texts[row] = titles[k]
    return texts


def theme_similarity(model) -> pd.DataFrame:
    """Every ordered pair of themes (ids and names) and the cosine similarity of their centres."""
    names = labels_of(model)
    cents = model.centroids_
    sims = cents @ cents.T if len(cents) else np.zeros((0, 0))
    ids = list(range(len(cents)))
    rows = [
        (a, names.get(a, str(a)), b, names.get(b, str(b)), float(sims[a, b]))
        for a in ids
        for b in ids
    ]
    return pd.DataFrame(rows, columns=["theme_a", "label_a", "theme_b", "label_b", "similarity"])


def theme_papers(model, corpus: pd.DataFrame, theme_id: int, *, limit: int | None = None):
    """The papers of one theme that ``corpus`` holds, closest to the centre first.

    Rows of ``corpus`` the model was fitted on (see `ThemeModel.training_rows`), with a
    ``similarity`` column (cosine to the theme's centre).
    """
    from .describe import closest_first
    from .errors import InputError

    if not -1 <= int(theme_id) < len(model.centroids_):
        raise InputError(
            f"theme_id {theme_id} is not a theme: the model has themes 0 to "
            f"{len(model.centroids_) - 1} (and -1, the outliers)"
        )
    centroid = model.centroids_[theme_id] if theme_id >= 0 and len(model.centroids_) else None
    fit_rows, sims = closest_first(model.embeddings_, model.labels_, centroid, theme_id)
    where = {r: k for k, r in enumerate(model.training_rows(corpus).tolist()) if r >= 0}
    pairs = zip(fit_rows.tolist(), sims.tolist(), strict=True)
    picked = [(where[r], s) for r, s in pairs if r in where]
    if limit is not None:
        picked = picked[:limit]
    out = corpus.iloc[[k for k, _ in picked]].copy()
    out.insert(0, "similarity", [s for _, s in picked])
    return out
