"""The whole fit as one pure function: texts and their embeddings in, a `ThemeFit` out.

`fit_themes` is the work; `trends.ThemeModel.fit` embeds the papers, calls it and unpacks
the result into its fitted attributes (as EVoC's ``evoc_clusters`` and hdbscan's
``hdbscan()`` are unpacked by their estimators). `trends.persist` saves and loads a
`ThemeFit` field by field, so what a model holds and what its file holds cannot drift.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd

from . import cluster as _cluster
from . import describe as _describe
from ._numbers import is_whole
from ._warn import user_level
from .errors import InputError

OUTLIER_LABEL = "Outliers (no clear theme)"
REDUCE_OUTLIERS = ("auto", True, False)
MIN_PAPERS = 10
THEME_COLUMNS = [
    "theme_id",
    "label",
    "name",
    "description",
    "size",
    "share",
    "keywords",
    "keyword_weights",
    "representative_ids",
]


def _kind(kind: str, doc: str):
    """A dataclass field with its storage kind for `trends.persist` (and a description)."""
    return field(metadata={"kind": kind, "doc": doc})


@dataclass(frozen=True, eq=False)
class ThemeFit:
    """Everything a fit produces; immutable. Shapes: n papers, d dims, k themes, r runs.

    The 2-D map of the papers (`coords`) is computed on first use from this fit's
    embeddings and seed, and belongs to this fit: a refit makes a new `ThemeFit` and so
    a new map.
    """

    doc_ids: np.ndarray = _kind("strings", "(n,) the papers' ids, in corpus order")
    texts: np.ndarray = _kind("strings", "(n,) the texts the themes were fitted on")
    embeddings: np.ndarray = _kind("array", "(n, d) unit-length embeddings")
    labels: np.ndarray = _kind("array", "(n,) theme of each paper, -1 for outliers")
    centroids: np.ndarray = _kind("array", "(k, d) unit-length centre of each theme")
    thresholds: np.ndarray = _kind(
        "array", "(k,) similarity to its centre that a new paper needs to join a theme"
    )
    keyword_weights: dict = _kind(
        "keywords", "{theme: [(keyword, c-TF-IDF weight), ...]}, best first, -1 included"
    )
    themes: pd.DataFrame = _kind("frame", "one row per theme (see `ThemeModel.themes_`)")
    params: _cluster.ClusterParams = _kind("params", "the clustering parameters used")
    runs: np.ndarray = _kind("array", "(r, n) labels of each seeded clustering run")
    knn_indices: np.ndarray = _kind("array", "(n, n_neighbors) nearest neighbours, self first")
    knn_distances: np.ndarray = _kind("array", "(n, n_neighbors) their cosine distances")
    random_state: int = _kind("json", "the seed of every random step")
    timings: dict = _kind("json", "seconds per stage")
    fit_rows: np.ndarray = _kind(
        "array",
        "(m,) rows of the papers the themes were fitted on: all n, or the sample drawn when "
        "the corpus was larger than `ThemeModel.sample_size` (the others were placed)",
    )
    hierarchy: pd.DataFrame = _kind(
        "frame", "the theme tree, one row per node (see `trends.hierarchy.build_hierarchy`)"
    )

    @property
    def n_themes(self) -> int:
        """Themes found, not counting outliers."""
        return len(self.centroids)

    def __repr__(self) -> str:  # not the arrays (a notebook would print them all)
        n, d = np.shape(self.embeddings)
        return (
            f"ThemeFit({n} papers, {d} dimensions, {self.n_themes} themes, "
            f"{len(self.runs)} runs, random_state={self.random_state})"
        )

    @cached_property
    def coords(self) -> np.ndarray:
        """(n, 2) map coordinates: a seeded 2-D UMAP of the embeddings on the fit's kNN graph."""
        return paper_map_coords(
            self.embeddings, (self.knn_indices, self.knn_distances), self.random_state
        )


def paper_map_coords(embeddings: np.ndarray, knn, random_state: int) -> np.ndarray:
    """2-D coordinates for the paper map (UMAP, ``min_dist=0.1``, seeded)."""
    n = len(embeddings)
    if n < 4:
        return np.zeros((n, 2), dtype=np.float32)
    k = min(15, n - 1)
    if knn is None or knn[0] is None or knn[0].shape[1] < k:
        knn = _cluster.exact_knn(embeddings, k)
    knn = (knn[0][:, :k], knn[1][:, :k])
    coords = _cluster.reduce(
        embeddings, knn, n_components=2, n_neighbors=k, seed=random_state, min_dist=0.1
    )
    return np.asarray(coords, dtype=np.float32)


def unit_rows(rows) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32.

    Raises `InputError` for anything but a 2-D array of finite numbers.
    """
    if np.iscomplexobj(rows):
        raise InputError("embeddings must be real numbers, got complex ones")
    try:
        rows = np.asarray(rows, dtype=np.float32)
    except (ValueError, TypeError) as exc:
        raise InputError(f"embeddings must be a 2-D array of numbers ({exc})") from None
    if rows.ndim != 2:
        raise InputError(
            f"embeddings must be a 2-D array (one row per paper), got shape {rows.shape}"
        )
    if rows.shape[1] == 0 and rows.shape[0]:
        raise InputError(f"embeddings has 0 dimensions (shape {rows.shape}): one vector per paper")
    finite = np.isfinite(rows).all(axis=1)
    if not finite.all():
        bad = np.flatnonzero(~finite)
        raise InputError(
            f"embeddings row {int(bad[0])} holds NaN or infinity "
            f"({len(bad)} row{'s' if len(bad) > 1 else ''} in all)"
        )
    with np.errstate(over="ignore", under="ignore"):
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
    # Rows so long or so short that float32's squares overflow or vanish (1e30, 1e-30):
    # scaled by their largest entry first. Other rows keep float32 arithmetic, bit for bit.
    odd = np.flatnonzero(~np.isfinite(norms[:, 0]) | ((norms[:, 0] == 0) & rows.any(axis=1)))
    if len(odd):
        big = np.abs(rows[odd]).astype(np.float64).max(axis=1, keepdims=True)
        scaled = rows[odd].astype(np.float64) / big
        rows = rows.copy()  # np.asarray may have returned the caller's own array
        rows[odd] = (scaled / np.linalg.norm(scaled, axis=1, keepdims=True)).astype(np.float32)
        norms[odd] = 1.0
    norms[norms == 0] = 1.0
    return (rows / norms).astype(np.float32)


def check_settings(
    *,
    min_cluster_size,
    min_samples,
    n_neighbors,
    n_components,
    n_runs,
    reduce_outliers,
    n_keywords,
    random_state=42,
) -> None:
    """Raise `InputError` naming the first invalid setting and what is allowed."""
    if not (is_whole(random_state) and 0 <= random_state < 2**32):
        raise InputError(
            f"random_state must be an integer from 0 to 2**32 - 1, got {random_state!r} "
            "(the themes depend on it, so there is no random default: pick a number)"
        )
    # not `in`: 1 == True and 0 == False, and 0 would have reduced them ("is not False")
    if not any(reduce_outliers is allowed for allowed in REDUCE_OUTLIERS[1:]) and not (
        isinstance(reduce_outliers, str) and reduce_outliers == "auto"
    ):
        raise InputError(
            f"reduce_outliers must be one of {REDUCE_OUTLIERS}, got {reduce_outliers!r}"
        )
    for name, value in (
        ("n_neighbors", n_neighbors),
        ("n_components", n_components),
        ("n_keywords", n_keywords),
    ):
        if not (is_whole(value) and value >= 1):
            raise InputError(f"{name} must be a positive integer, got {value!r}")
    for name, value in (
        ("min_cluster_size", min_cluster_size),
        ("min_samples", min_samples),
        ("n_runs", n_runs),
    ):
        if value is not None and not (is_whole(value) and value >= 1):
            raise InputError(f"{name} must be a positive integer or None, got {value!r}")
    if n_neighbors < 2:
        raise InputError(
            f"n_neighbors must be at least 2 (a paper's neighbourhood counts the paper "
            f"itself), got {n_neighbors!r}"
        )
    if min_cluster_size is not None and min_cluster_size < 2:
        raise InputError(
            f"min_cluster_size must be at least 2 (a theme of one paper is no theme), "
            f"got {min_cluster_size!r}"
        )


def fit_themes(
    texts,
    embeddings,
    *,
    doc_ids=None,
    min_cluster_size: int | None = None,
    min_samples: int | None = None,
    n_neighbors: int = 15,
    n_components: int = 5,
    n_runs: int | None = None,
    reduce_outliers: Literal["auto"] | bool = "auto",
    n_keywords: int = 10,
    random_state: int = 42,
    progress: bool = False,
    embed=None,
    run_cache=None,
    names: bool = True,
) -> ThemeFit:
    """Themes of ``texts`` from their ``embeddings``: kNN, UMAP, HDBSCAN, consensus, keywords.

    Parameters
    ----------
    texts : sequence of str, shape (n,)
        What the keywords are counted in (title and abstract of each paper).
    embeddings : array-like, shape (n, d)
        One vector per text; scaled to unit length here.
    doc_ids : sequence of str, shape (n,), optional
        The papers' ids (default ``d0, d1, ...``).
    min_cluster_size, min_samples, n_neighbors, n_components, n_runs : int or None
        See `trends.ThemeModel` and `trends.cluster.ClusterParams.for_corpus` (None:
        derived from the corpus size).
    reduce_outliers : {"auto", True, False}
        See `trends.ThemeModel`.
    n_keywords : int
        Keywords listed per theme in the theme table.
    random_state : int
        Seed of every random step.
    progress : bool
        Progress bars of the stages (clustering, keywords, names).
    embed : callable, optional
        ``embed(list of str) -> (n, d) array`` with the backend that embedded ``texts``:
        the themes' names are then chosen by their embeddings too (`trends.naming`);
        without it, by class-based TF-IDF alone (e.g. for stand-in embeddings).
    run_cache : trends.run_cache.RunCache, optional
        Where the clustering's seeded runs are kept and read back (a refit of the same
        vectors then skips UMAP); None: every run is made.
    names : bool
        Name the themes and build their tree (`describe_themes`). False: each theme's
        name is its keyword label and the tree is empty, for a fit whose names are made
        afterwards (`with_names`: a sample's themes are named from all the papers).

    Returns
    -------
    ThemeFit
    """
    check_settings(
        min_cluster_size=min_cluster_size,
        min_samples=min_samples,
        n_neighbors=n_neighbors,
        n_components=n_components,
        n_runs=n_runs,
        reduce_outliers=reduce_outliers,
        n_keywords=n_keywords,
        random_state=random_state,
    )
    texts = np.asarray([str(t) for t in texts], dtype=object)
    n = len(texts)
    if n < MIN_PAPERS:
        raise InputError(f"need at least {MIN_PAPERS} papers to find themes, got {n}")
    embeddings = unit_rows(embeddings)
    if embeddings.ndim != 2 or embeddings.shape[0] != n:
        raise InputError(
            f"embeddings has {embeddings.shape[0]} rows but the corpus {n} papers"
            if embeddings.ndim == 2
            else f"embeddings must be a 2-D array, got shape {embeddings.shape}"
        )
    doc_ids = (
        np.asarray([f"d{i}" for i in range(n)], dtype=object)
        if doc_ids is None
        else np.asarray([str(d) for d in doc_ids], dtype=object)
    )
    timings: dict[str, float] = {}
    params = _cluster.ClusterParams.for_corpus(
        n,
        min_cluster_size=min_cluster_size,
        min_samples=min_samples,
        n_neighbors=n_neighbors,
        n_components=n_components,
        n_runs=n_runs,
    )
    seeds = np.random.RandomState(random_state).randint(0, 2**31 - 1, size=params.n_runs)
    labels, runs, knn = _cluster.cluster(
        embeddings, params, seeds.tolist(), timings, progress=progress, run_cache=run_cache
    )
    labels = _without_empty_vectors(texts, embeddings, labels)
    labels, cents = _place_outliers(embeddings, labels, reduce_outliers, params)
    t0 = time.perf_counter()
    words = _describe.keywords(texts.tolist(), labels, n_keywords=n_keywords, progress=progress)
    timings["keywords"] = time.perf_counter() - t0
    # New papers must be as close as 98% of a theme's own papers, a little stricter than
    # the fit's own placement: a day of papers that fit the known themes badly is what
    # tells a store to refit (`trends.store`).
    thresholds = member_thresholds(embeddings, labels, cents, q=0.02)
    themes = theme_table(labels, words, embeddings, cents, doc_ids, n_keywords=n_keywords)
    if names:
        t0 = time.perf_counter()
        themes, hierarchy = describe_themes(
            texts.tolist(), labels, embeddings, themes, embed=embed, progress=progress
        )
        timings["names"] = time.perf_counter() - t0
    else:
        from .hierarchy import HIERARCHY_COLUMNS

        hierarchy = pd.DataFrame(columns=HIERARCHY_COLUMNS)
    knn_indices, knn_distances = knn if knn is not None else (None, None)
    return ThemeFit(
        doc_ids=doc_ids,
        texts=texts,
        embeddings=embeddings,
        labels=np.asarray(labels, dtype=np.int64),
        centroids=cents,
        thresholds=thresholds,
        keyword_weights=words,
        themes=themes,
        params=params,
        runs=np.vstack(runs).astype(np.int64),
        knn_indices=_or_empty(knn_indices, np.int64, n),
        knn_distances=_or_empty(knn_distances, np.float32, n),
        random_state=int(random_state),
        timings=timings,
        fit_rows=np.arange(n, dtype=np.int64),
        hierarchy=hierarchy,
    )


def describe_themes(
    texts, labels, embeddings, themes: pd.DataFrame, *, embed=None, progress: bool = False
):
    """The theme table with each theme's ``name`` and ``description``, and the theme tree.

    Parameters
    ----------
    texts : list of str, shape (n,)
    labels : array-like of int, shape (n,)
    embeddings : array-like, shape (n, d)
    themes : pandas.DataFrame
        From `theme_table` (its ``label`` is a theme's name when no phrase fits).
    embed : callable, optional
        See `fit_themes`.
    progress : bool
        Progress bars: the papers read for name candidates, the themes named, the tree.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The theme table and `trends.hierarchy.build_hierarchy`'s table.
    """
    from . import naming as _naming

    labels = np.asarray(labels)
    phrases = _naming.phrase_counts(texts, progress=progress)
    if embed is not None:
        try:
            return _named(texts, labels, embeddings, themes, phrases, _checked(embed), progress)
        except _EmbedFailed as exc:
            # A backend that embeds only its own corpus (a look-up table, say) cannot
            # embed phrases: the names are still made, from the phrases' counts alone.
            warnings.warn(
                f"the name candidates could not be embedded ({exc}); the themes are named "
                "by class-based TF-IDF alone",
                RuntimeWarning,
                stacklevel=user_level(),
            )
    return _named(texts, labels, embeddings, themes, phrases, None, progress)


class _EmbedFailed(Exception):
    """The embedding backend failed on the name candidates."""


def _checked(embed):
    def call(texts):
        try:
            return embed(texts)
        except Exception as exc:  # noqa: BLE001 - any backend's failure, named in the warning
            raise _EmbedFailed(f"{type(exc).__name__}: {exc}") from exc

    return call


def _named(texts, labels, embeddings, themes, phrases, embed, progress=False):
    from . import hierarchy as _hierarchy
    from . import naming as _naming

    vectors = _naming.Vectors(embed) if embed is not None else None
    fallback = {int(t): str(lab) for t, lab in zip(themes.theme_id, themes.label, strict=True)}
    named = _naming.name_themes(
        texts,
        labels,
        embeddings=embeddings,
        embed=vectors,
        phrases=phrases,
        fallback=fallback,
        progress=progress,
    )
    names = dict(zip(named.theme_id.astype(int), named.name, strict=True))
    described = dict(zip(named.theme_id.astype(int), named.description, strict=True))
    themes = themes.copy()
    themes["name"] = [names.get(int(t), OUTLIER_LABEL) for t in themes.theme_id]
    themes["description"] = [described.get(int(t), "") for t in themes.theme_id]
    tree = _hierarchy.build_hierarchy(
        labels, embeddings, phrases, names, embed=vectors, progress=progress
    )
    if not tree.empty:  # a theme's box in the tree says what its row in the table says
        tree["description"] = [
            described.get(int(node), text) if not children else text
            for node, text, children in zip(
                tree.node_id, tree.description, tree.children, strict=True
            )
        ]
    return themes[THEME_COLUMNS], tree


def with_names(result: ThemeFit, embed=None, progress: bool = False) -> ThemeFit:
    """``result`` with its names and tree computed anew from its papers (see `fit_themes`)."""
    import dataclasses

    t0 = time.perf_counter()
    themes, hierarchy = describe_themes(
        result.texts.tolist(),
        result.labels,
        result.embeddings,
        result.themes,
        embed=embed,
        progress=progress,
    )
    timings = {**result.timings, "names": time.perf_counter() - t0}
    return dataclasses.replace(result, themes=themes, hierarchy=hierarchy, timings=timings)


def _or_empty(array, dtype, n: int) -> np.ndarray:
    return np.zeros((n, 0), dtype=dtype) if array is None else np.asarray(array, dtype=dtype)


def _without_empty_vectors(texts, embeddings, labels) -> np.ndarray:
    """``labels`` with every paper whose vector is zero an outlier (warned about).

    A zero vector has no direction: a static or TF-IDF backend that knows none of a
    paper's words gives one (a 10,000-character unbroken "word", text in another script).
    Such a paper is close to no theme, so it joins none (nor by outlier reassignment).
    """
    empty = ~np.asarray(embeddings).any(axis=1)
    if not empty.any():
        return labels
    if (labels[empty] >= 0).any():
        labels = _cluster.relabel_by_size(np.where(empty, -1, labels))
    example = str(texts[np.flatnonzero(empty)[0]])
    warnings.warn(
        f"{int(empty.sum())} paper(s) have an embedding of length zero (the backend knows "
        f"nothing in their text, e.g. {example[:60]!r}): they are outliers",
        UserWarning,
        stacklevel=user_level(),
    )
    return labels


def _place_outliers(embeddings, labels, reduce_outliers, params):
    """Outliers join their nearest theme (as ``reduce_outliers`` says); centres after."""
    n_themes = int(labels.max()) + 1 if (labels >= 0).any() else 0
    cents = _cluster.centroids(embeddings, labels, n_themes)
    if reduce_outliers is not False and n_themes:
        threshold = (
            member_thresholds(embeddings, labels, cents, q=0.0)
            if reduce_outliers == "auto"
            else None
        )
        # The quarter-of-the-corpus cap holds after reassignment too (issue 11): 10,000
        # copies of one abstract must not become one theme of 79% of the corpus.
        labels = _cluster.reassign_outliers(
            embeddings, labels, cents, threshold=threshold, max_size=params.max_cluster_size
        )
        # Reassignment can change which theme is largest: ids stay in size order.
        labels = _cluster.relabel_by_size(labels)
        cents = _cluster.centroids(embeddings, labels, n_themes)
    return labels, cents


def member_thresholds(embeddings, labels, cents, q: float) -> np.ndarray:
    """Per theme, the similarity to its centre that a share ``1 - q`` of its papers reach."""
    out = np.zeros(len(cents), dtype=np.float32)
    for t in range(len(cents)):
        rows = labels == t
        if rows.any():
            out[t] = np.quantile(embeddings[rows] @ cents[t], q)
    return out


def theme_table(labels, words, embeddings, cents, doc_ids, *, n_keywords: int) -> pd.DataFrame:
    """One row per theme, largest first, outliers (``-1``) last."""
    n = len(labels)
    rows = []
    for t in sorted({int(x) for x in labels.tolist()}, key=lambda t: (t == -1, t)):
        pairs = words.get(t, [])[:n_keywords]
        size = int(np.sum(labels == t))
        if t == -1:
            reps: list[str] = []
            label = OUTLIER_LABEL
        else:
            idx = _describe.representatives(embeddings, labels, cents[t], t)
            reps = [str(d) for d in doc_ids[idx]]
            label = _describe.label_from_keywords([w for w, _ in pairs])
        rows.append(
            {
                "theme_id": t,
                "label": label,
                # Until `describe_themes` names the theme, its name is its keyword label.
                "name": label,
                "description": "",
                "size": size,
                "share": size / n,
                "keywords": [w for w, _ in pairs],
                "keyword_weights": [s for _, s in pairs],
                "representative_ids": reps,
            }
        )
    table = pd.DataFrame(rows, columns=THEME_COLUMNS)
    table = table.sort_values(["size", "theme_id"], ascending=[False, True], kind="stable")
    table = pd.concat([table[table.theme_id != -1], table[table.theme_id == -1]])
    return table.reset_index(drop=True)
