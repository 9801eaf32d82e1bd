"""Keywords of each theme: BERTopic's class-based TF-IDF over a pinned vocabulary."""

from __future__ import annotations

import logging
import math

import numpy as np


def vocabulary(texts: list[str], *, ngram_range=(1, 2), min_df: int | None = None) -> list[str]:
    """English words and two-word phrases (stop words removed) found in ``min_df``+ papers.

    ``min_df`` defaults to ``max(2, round(0.002 * n_papers))``: a keyword must be shared by
    a few papers, never a typo or one paper's coinage. Fitting the vocabulary on papers,
    not on BERTopic's one-document-per-theme, keeps words unique to one theme.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    if min_df is None:
        min_df = max(2, round(0.002 * len(texts)))
    min_df = min(min_df, max(1, len(texts) // 2))
    vec = CountVectorizer(stop_words="english", ngram_range=ngram_range, min_df=min_df)
    try:
        vec.fit(texts)
    except ValueError:  # every word is a stop word or too rare: fall back to all words
        vec = CountVectorizer(stop_words="english", ngram_range=ngram_range, min_df=1)
        vec.fit(texts)
    return sorted(vec.vocabulary_)


def keywords(
    texts: list[str],
    labels: np.ndarray,
    embeddings: np.ndarray,
    *,
    n_keywords: int = 10,
    ngram_range=(1, 2),
    min_df: int | None = None,
):
    """Top keywords and their c-TF-IDF weights per theme, and the fitted BERTopic model.

    Returns
    -------
    dict[int, list[tuple[str, float]]], BERTopic
        ``{theme id: [(keyword, weight), ...]}`` best first, ``-1`` included when present.
    """
    from bertopic import BERTopic
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction
    from bertopic.vectorizers import ClassTfidfTransformer
    from sklearn.feature_extraction.text import CountVectorizer

    vocab = vocabulary(texts, ngram_range=ngram_range, min_df=min_df)
    vectorizer = CountVectorizer(stop_words="english", ngram_range=ngram_range, vocabulary=vocab)
    model = BERTopic(
        embedding_model=None,  # embeddings are passed in: BERTopic must never load a model
        # language=None: no `[^A-Za-z0-9 ]` cleaning, so the vocabulary pinned above (built
        # from the same normalised texts) matches BERTopic's per-theme documents exactly.
        language=None,
        umap_model=BaseDimensionalityReduction(),
        hdbscan_model=BaseCluster(),
        vectorizer_model=vectorizer,
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        top_n_words=max(n_keywords, 25),
        calculate_probabilities=False,
        verbose=False,
    )
    logging.getLogger("BERTopic").setLevel(logging.WARNING)
    model.fit(texts, embeddings=embeddings, y=np.asarray(labels))
    ours_to_theirs = dict(zip(np.asarray(labels).tolist(), model.topics_, strict=True))
    out = {}
    for ours, theirs in ours_to_theirs.items():
        words = [(w, float(s)) for w, s in model.get_topic(theirs) or [] if w and s > 0]
        out[int(ours)] = words
    return out, model


def label_from_keywords(words: list[str], *, n: int = 3) -> str:
    """A short readable name from the first keywords, each word shown once.

    A two-word keyword replaces a single word it contains that was chosen before it.

    >>> label_from_keywords(["search", "darts", "architecture search", "nas", "search space"])
    'architecture search · darts · nas'
    """
    chosen: list[str] = []
    for word in words:
        parts = word.split()
        shown = {p for c in chosen for p in c.split()}
        inside = [c for c in chosen if len(c.split()) == 1 and c in parts]
        if len(parts) > 1 and len(inside) == 1 and not (set(parts) - {inside[0]}) & shown:
            chosen[chosen.index(inside[0])] = word
            continue
        if set(parts) & shown or len(chosen) == n:
            continue
        chosen.append(word)
    return " · ".join(chosen) if chosen else "(no keywords)"


def representatives(
    embeddings: np.ndarray, labels: np.ndarray, centroid: np.ndarray, theme: int, k: int = 3
) -> np.ndarray:
    """Row indices of the ``k`` papers of ``theme`` closest to its centroid."""
    rows = np.flatnonzero(labels == theme)
    if not len(rows):
        return rows
    sims = embeddings[rows] @ centroid
    order = np.lexsort((rows, -sims))
    return rows[order[:k]]


def finite(x: float) -> float | None:
    """A float, or None for NaN (JSON-safe)."""
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)
