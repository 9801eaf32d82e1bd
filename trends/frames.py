"""Tidy DataFrames behind the charts, computed from a fitted model and its corpus."""

from __future__ import annotations

import numpy as np
import pandas as pd


def labels_of(model) -> dict[int, str]:
    """``{theme id: label}`` of a fitted model."""
    return dict(zip(model.themes_.theme_id.astype(int), model.themes_.label, strict=True))


def coordinates(model) -> np.ndarray:
    """2-D coordinates of the training papers (UMAP of the embeddings), computed once."""
    if getattr(model, "coords_", None) is not None:
        return model.coords_
    from .cluster import exact_knn, reduce

    n = len(model.embeddings_)
    if n < 4:
        model.coords_ = np.zeros((n, 2), dtype=np.float32)
        return model.coords_
    k = min(15, n - 1)
    knn = (
        model.knn_ if getattr(model, "knn_", None) is not None else exact_knn(model.embeddings_, k)
    )
    model.coords_ = reduce(
        model.embeddings_,
        knn,
        n_components=2,
        n_neighbors=k,
        seed=model.random_state,
        min_dist=0.1,
    ).astype(np.float32)
    return model.coords_


def paper_points(model, corpus: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per training paper: ``doc_id, title, x, y, theme_id, label``."""
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
    if corpus is not None and "title" in corpus.columns and len(corpus) == len(model.labels_):
        return corpus["title"].astype(str).tolist()
    return [t[:120] for t in model.texts_]


def theme_similarity(model) -> pd.DataFrame:
    """Every ordered pair of themes and the cosine similarity of their centres."""
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
    """The papers of one theme, closest to its centre first, with a ``similarity`` column."""
    from .describe import closest_first

    centroid = model.centroids_[theme_id] if theme_id >= 0 and len(model.centroids_) else None
    rows, sims = closest_first(model.embeddings_, model.labels_, centroid, theme_id)
    if limit is not None:
        rows, sims = rows[:limit], sims[:limit]
    out = corpus.iloc[rows].copy()
    out.insert(0, "similarity", sims)
    return out
