"""One `ThemeFit` over every paper from a fit on a sample and the placement of the rest."""

from __future__ import annotations

import dataclasses

import numpy as np


def merge_placed(
    sample_fit,
    rows: np.ndarray,
    rest: np.ndarray,
    rest_vectors: np.ndarray,
    rest_labels: np.ndarray,
    *,
    texts: list[str],
    doc_ids: list[str],
    n_keywords: int,
    max_size: int = 0,
):
    """The fit of all ``n`` papers: the sample's themes, every paper's vector and theme.

    Parameters
    ----------
    sample_fit : trends.fit.ThemeFit
        The fit of the papers at ``rows``.
    rows, rest : numpy.ndarray of int, shapes (m,) and (n - m,)
        Rows of the sampled papers and of the others, in the corpus.
    rest_vectors : numpy.ndarray, shape (n - m, d)
        Unit vectors of the other papers.
    rest_labels : numpy.ndarray of int, shape (n - m,)
        Their themes by `trends.cluster.place` (-1: none close enough).
    texts, doc_ids : list of str, shape (n,)
        All papers, in corpus order.
    n_keywords : int
        Keywords per theme in the theme table.
    max_size : int
        The corpus's theme size cap (`trends.cluster.ClusterParams.max_cluster_size` of all
        ``n`` papers; 0: none). A theme that the placed papers take past it keeps the
        placed papers closest to its centre; the others are outliers, as after outlier
        reassignment in a fit of all papers. ``params.max_cluster_size`` says this cap.

    Returns
    -------
    trends.fit.ThemeFit
        The sample's themes (centres, thresholds, keywords, parameters), with labels,
        vectors, texts and ids of all papers; the theme table counts all papers and picks
        representatives among all of them. ``runs`` holds each seeded run's labels of the
        sampled papers and -1 for the placed ones; ``fit_rows`` the sampled rows.
    """
    from ..fit import theme_table

    n = len(texts)
    d = sample_fit.embeddings.shape[1]
    embeddings = np.empty((n, d), dtype=np.float32)
    embeddings[rows] = sample_fit.embeddings
    embeddings[rest] = rest_vectors
    labels = np.empty(n, dtype=np.int64)
    labels[rows] = sample_fit.labels
    labels[rest] = _capped(rest_labels, rest_vectors, sample_fit, max_size)
    runs = np.full((sample_fit.runs.shape[0], n), -1, dtype=np.int64)
    runs[:, rows] = sample_fit.runs
    doc_ids = np.asarray([str(x) for x in doc_ids], dtype=object)
    themes = theme_table(
        labels,
        sample_fit.keyword_weights,
        embeddings,
        sample_fit.centroids,
        doc_ids,
        n_keywords=n_keywords,
    )
    return dataclasses.replace(
        sample_fit,
        doc_ids=doc_ids,
        texts=np.asarray([str(t) for t in texts], dtype=object),
        embeddings=embeddings,
        labels=labels,
        themes=themes,
        runs=runs,
        # The sample's kNN graph does not cover the placed papers: the 2-D map computes its
        # own for all of them when it is first asked for.
        knn_indices=np.zeros((n, 0), dtype=np.int64),
        knn_distances=np.zeros((n, 0), dtype=np.float32),
        timings=dict(sample_fit.timings),
        fit_rows=np.asarray(rows, dtype=np.int64),
        params=dataclasses.replace(sample_fit.params, max_cluster_size=int(max_size))
        if max_size
        else sample_fit.params,
    )


def _capped(rest_labels, rest_vectors, sample_fit, max_size: int) -> np.ndarray:
    """``rest_labels`` with no theme past ``max_size`` papers, sampled ones included."""
    labels = np.array(rest_labels, dtype=np.int64, copy=True)
    if not max_size:
        return labels
    n_themes = len(sample_fit.centroids)
    sampled = np.bincount(sample_fit.labels[sample_fit.labels >= 0], minlength=n_themes)
    placed = np.bincount(labels[labels >= 0], minlength=n_themes)
    for t in np.flatnonzero(sampled + placed > max_size):
        rows = np.flatnonzero(labels == t)
        closeness = rest_vectors[rows] @ sample_fit.centroids[t]
        keep = max(0, max_size - int(sampled[t]))
        # the closest stay (ties: the earlier paper); the rest are outliers
        order = rows[np.argsort(-closeness, kind="stable")]
        labels[order[keep:]] = -1
    return labels
