"""Scores of a set of themes: coherence, diversity, agreement with labels, stability.

Pure functions on plain inputs. Conventions (shared with ``benchmarks/quality.py``):
themes exclude the outlier label ``-1``; NMI/ARI count ``-1`` as one more cluster;
NPMI follows gensim's ``c_npmi`` exactly (its boolean sliding window of 10 tokens, with
gensim's own way of sliding it; every pair of a theme's words, averaged per theme).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import numpy as np

from ._warn import user_level
from .errors import InputError

__all__ = [
    "agreement",
    "keyword_words",
    "npmi_coherence",
    "outlier_share",
    "stability",
    "theme_count",
    "tokenize",
    "topic_diversity",
]

_EPSILON = 1e-12


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Reference tokens: scikit-learn's ``CountVectorizer(stop_words="english")`` analyzer."""
    from sklearn.feature_extraction.text import CountVectorizer

    analyze = CountVectorizer(stop_words="english").build_analyzer()
    return [analyze(t) for t in texts]


def keyword_words(
    keywords: Sequence[str], vocabulary: set[str] | None = None, *, top_n: int = 10
) -> list[str]:
    """A theme's first ``top_n`` distinct words: bigram keywords split, unknown words dropped.

    >>> keyword_words(["neural architecture", "architecture search", "nas"], top_n=3)
    ['neural', 'architecture', 'search']
    """
    out: list[str] = []
    for keyword in keywords:
        for word in re.split(r"\s+", keyword.strip().lower()):
            if word and word not in out and (vocabulary is None or word in vocabulary):
                out.append(word)
            if len(out) == top_n:
                return out
    return out


def npmi_coherence(
    topics: Sequence[Sequence[str]], texts: Sequence[Sequence[str]], *, window: int = 10
) -> np.ndarray:
    """NPMI coherence of each topic's words over tokenised reference texts.

    Parameters
    ----------
    topics : sequence of sequences of str, shape (n_topics, n_words)
        Each topic's words (all present in ``texts``).
    texts : sequence of sequences of str, shape (n_texts, n_tokens)
        Reference texts, already tokenised (see `tokenize`).
    window : int
        Sliding-window length in tokens; a shorter text is one window.

    Returns
    -------
    numpy.ndarray, shape (n_topics,)
        Mean NPMI over each topic's word pairs, in [-1, 1]; NaN for topics with fewer
        than two words.
    """
    vocab = sorted({w for topic in topics for w in topic})
    index = {w: i for i, w in enumerate(vocab)}
    lengths = np.array([len(tokens) for tokens in texts], dtype=np.int64)
    flat = np.fromiter(
        (index.get(t, -1) for tokens in texts for t in tokens), dtype=np.int64, count=lengths.sum()
    )
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    occurrences, co, n_windows = _count_windows(flat, offsets, window, len(vocab))
    out = np.full(len(topics), np.nan)
    for t, topic in enumerate(topics):
        words = list(dict.fromkeys(topic))
        scores = []
        for a, b in itertools.combinations(words, 2):
            i, j = index[a], index[b]
            p_ab = co[i, j] / n_windows
            p_a, p_b = occurrences[i] / n_windows, occurrences[j] / n_windows
            if p_a == 0 or p_b == 0:
                continue
            pmi = np.log((p_ab + _EPSILON) / (p_a * p_b))
            scores.append(pmi / -np.log(p_ab + _EPSILON))
        if scores:
            out[t] = float(np.mean(scores))
    return out


def _count_windows(flat, offsets, window: int, n_vocab: int):
    """Windows, word occurrences and pair co-occurrences, as gensim counts them.

    gensim's ``WordOccurrenceAccumulator``, step for step: a text's first window holds its
    first ``window`` tokens; each slide drops the token that left (even if it occurs again
    inside the window) and adds the one that entered. ``flat`` holds every text's token
    ids (-1: not a topic word) one after the other, text ``d`` at
    ``flat[offsets[d]:offsets[d + 1]]``. Compiled with numba: a 40,000-paper corpus has
    millions of windows.
    """
    from numba import njit

    global _COUNT_WINDOWS
    if _COUNT_WINDOWS is None:
        _COUNT_WINDOWS = njit(cache=True, nogil=True)(_count_windows_py)
    occurrences = np.zeros(n_vocab, dtype=np.int64)
    co = np.zeros((n_vocab, n_vocab), dtype=np.int64)
    n_windows = _COUNT_WINDOWS(flat, offsets, window, occurrences, co)
    return occurrences, co, int(n_windows)


_COUNT_WINDOWS = None


def _count_windows_py(flat, offsets, window, occurrences, co):  # pragma: no cover - numba
    n_windows = 0
    present = np.empty(window + 1, dtype=np.int64)  # the topic words in the window, a set
    for d in range(len(offsets) - 1):
        ids = flat[offsets[d] : offsets[d + 1]]
        length = len(ids)
        slides = max(1, length - window + 1)
        n_windows += slides
        if length == 0 or ids.max() < 0:
            continue
        size = 0
        for step in range(slides):
            # (word to drop, word to add): the first step adds the whole first window
            lo = 0 if step == 0 else step + window - 1
            hi = min(window, length) if step == 0 else step + window
            if step:
                gone = ids[step - 1]
                for k in range(size):
                    if present[k] == gone:
                        present[k] = present[size - 1]
                        size -= 1
                        break
            for i in range(lo, hi):
                word = ids[i]
                if word < 0:
                    continue
                known = False
                for k in range(size):
                    if present[k] == word:
                        known = True
                        break
                if not known:
                    present[size] = word
                    size += 1
            if size == 0:
                continue
            found = np.sort(present[:size])
            for a in range(size):
                occurrences[found[a]] += 1
                for b in range(a + 1, size):
                    co[found[a], found[b]] += 1
                    co[found[b], found[a]] += 1
    return n_windows


def topic_diversity(keyword_lists: Sequence[Sequence[str]], *, top_n: int = 25) -> float:
    """Share of distinct terms among all themes' first ``top_n`` terms (1.0: no overlap)."""
    terms = [k for keywords in keyword_lists for k in list(keywords)[:top_n]]
    return len(set(terms)) / len(terms) if terms else float("nan")


def outlier_share(labels: Sequence[int]) -> float:
    """Share of papers labelled ``-1``."""
    labels = np.asarray(labels)
    return float(np.mean(labels == -1)) if len(labels) else float("nan")


def theme_count(labels: Sequence[int]) -> int:
    """Number of themes, not counting outliers."""
    return len(set(np.asarray(labels).tolist()) - {-1})


def agreement(labels: Sequence[int], reference: Sequence) -> dict[str, float]:
    """NMI, ARI and homogeneity of ``labels`` against reference classes (``-1`` is a cluster).

    Papers whose reference class is missing (``None``, NaN) are left out of the three
    figures; ``n_reference`` says how many papers they were computed on. Classes are
    compared as values, so a reference may mix types (``1`` and ``"a"``).
    """
    import pandas as pd
    from sklearn.metrics import (
        adjusted_rand_score,
        homogeneity_score,
        normalized_mutual_info_score,
    )

    reference = _reference_cells(reference)
    if len(labels) != len(reference):
        raise InputError(f"{len(labels)} labels but {len(reference)} reference labels")
    codes, _ = pd.factorize(pd.Series(reference, dtype=object))
    known = codes >= 0
    if not known.any():
        raise InputError(f"none of the {len(codes)} reference labels is given (all missing)")
    if known.sum() < 2:
        raise InputError(
            f"only {int(known.sum())} of the {len(codes)} reference labels is given: "
            "NMI, ARI and homogeneity need at least two papers with a class"
        )
    if len(np.unique(codes[known])) == 1:
        import warnings

        warnings.warn(
            f"the reference gives one class to all its {int(known.sum())} papers: NMI, ARI "
            "and homogeneity then say nothing about the themes",
            UserWarning,
            stacklevel=user_level(),
        )
    truth, found = codes[known], np.asarray(labels)[known]
    return {
        "nmi": float(normalized_mutual_info_score(truth, found)),
        "ari": float(adjusted_rand_score(truth, found)),
        "homogeneity": float(homogeneity_score(truth, found)),
        "n_reference": int(known.sum()),
    }


def _reference_cells(reference) -> list:
    """The reference classes as a list, one per paper; `InputError` for another shape."""
    from collections.abc import Mapping

    if isinstance(reference, str | bytes):
        raise InputError(
            f"reference labels must be one class per paper (a list, an array or a column "
            f"such as corpus['label']), not the string {reference!r}"
        )
    if isinstance(reference, Mapping):
        raise InputError(
            "reference labels must be one class per paper, in the papers' order, not a "
            "dict (pass list(mapping.values()) if it is in that order)"
        )
    shape = getattr(reference, "shape", None)  # an array or a table: one dimension
    if shape is not None and len(shape) != 1:
        raise InputError(
            "reference labels must be a 1-D sequence, one class per paper; got "
            f"{type(reference).__name__} of shape {shape}"
        )
    try:
        cells = list(reference)
    except TypeError:
        raise InputError(
            "reference labels must be a 1-D sequence, one class per paper; got "
            f"{type(reference).__name__}"
        ) from None
    for row, cell in enumerate(cells):
        if isinstance(cell, list | tuple | set | dict | np.ndarray):
            raise InputError(
                f"reference label {row} is a {type(cell).__name__}: each paper needs one "
                "class (for several categories per paper, pick the primary one)"
            )
    return cells


def stability(labelings: Sequence[Sequence[int]]) -> float:
    """Mean pairwise ARI of several labelings of the same papers (1.0: identical)."""
    from sklearn.metrics import adjusted_rand_score

    pairs = list(itertools.combinations(labelings, 2))
    if not pairs:
        raise InputError("stability needs at least two labelings")
    return float(np.mean([adjusted_rand_score(a, b) for a, b in pairs]))
