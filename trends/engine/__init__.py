"""Where the slow work of a fit runs: this process (``"local"``) or a Ray cluster (``"ray"``).

An engine decides *where* papers are embedded and placed, never *which* themes are found:
the same papers, parameters and seed give the same themes on every engine. The Ray engine
sends each worker the same 256-text batches that `trends.embed.embed_texts` encodes in a
single process, so its vectors are the very same numbers (see `trends.engine.ray_engine`).

A corpus larger than ``sample_size`` papers is fitted on a seeded random sample of that
size (`trends.fit.fit_themes`, in this process: the driver); every other paper is then
placed in those themes by `trends.cluster.place` (on the workers, as they embed, with the
Ray engine) with the fit's own outlier rule (`placement_thresholds`). See `fit_on_engine`.
"""

from __future__ import annotations

import time

import numpy as np

from .._numbers import is_whole
from ..errors import InputError, TrendsError

#: The names ``ThemeModel(engine=...)`` accepts.
ENGINES = ("local", "ray")
#: Papers the themes are fitted on at most; larger corpora are sampled (``sample_size=``).
#: The largest size `benchmarks/scale.py` measures on one machine: on 2 cores the
#: clustering of 200,000 papers took under 10 minutes and 4.3 GB at its peak; every other
#: paper is placed in the themes by `trends.cluster.place` (a matrix product).
DEFAULT_SAMPLE_SIZE = 200_000
RAY_INSTALL = "pip install 'trends[ray]'"


class EngineError(TrendsError, RuntimeError):
    """The engine cannot run: Ray is missing, or its cluster cannot be reached."""


def check_engine(engine, ray_address=None, sample_size=DEFAULT_SAMPLE_SIZE) -> None:
    """Raise `InputError` naming the first invalid engine setting and what is allowed."""
    if engine not in ENGINES:
        raise InputError(f"engine must be one of {ENGINES}, got {engine!r}")
    if ray_address is not None:
        if not isinstance(ray_address, str) or not ray_address.strip():
            raise InputError(
                f"ray_address must be a Ray cluster address such as 'auto' or "
                f"'ray://head:10001', got {ray_address!r}"
            )
        if engine != "ray":
            raise InputError(f"ray_address={ray_address!r} needs engine='ray'")
    if sample_size is not None and not (is_whole(sample_size) and sample_size >= 10):
        raise InputError(f"sample_size must be an integer >= 10 or None, got {sample_size!r}")


def import_ray():
    """The ``ray`` module, or an `EngineError` that says how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401  (the [data] extra: pyarrow, pandas glue)
    except ImportError as exc:
        raise EngineError(
            f"engine='ray' needs Ray, which is not installed: {RAY_INSTALL} ({exc})"
        ) from None
    return ray


def get_engine(engine: str = "local", ray_address: str | None = None):
    """The engine object for ``ThemeModel(engine=..., ray_address=...)``.

    Returns
    -------
    LocalEngine or RayEngine
        Both have ``embed(texts, embedder, cache, *, progress)`` (the contract of
        `trends.embed.embed_texts`) and ``embed_and_place(texts, embedder, cache, centroids,
        thresholds, *, progress)`` -> (vectors, theme ids).
    """
    check_engine(engine, ray_address)
    if engine == "ray":
        from .ray_engine import RayEngine

        import_ray()
        return RayEngine(address=ray_address)
    from .local import LocalEngine

    return LocalEngine()


def sample_rows(n: int, sample_size: int | None, random_state: int) -> np.ndarray | None:
    """Sorted rows of a seeded random sample of ``sample_size`` of ``n`` papers, or None (all)."""
    if sample_size is None or n <= sample_size:
        return None
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n, size=int(sample_size), replace=False)).astype(np.int64)


def sample_settings(n: int, m: int, settings: dict) -> dict:
    """HDBSCAN's sizes for a sample of ``m`` of ``n`` papers: the corpus's, scaled by m / n.

    A theme of s papers has about s m / n of them in the sample, and the sample is
    m / n as dense: the corpus's ``min_cluster_size`` and ``min_samples`` (given, or
    derived from n by `trends.cluster.ClusterParams.for_corpus`), scaled so, find the
    themes a fit of all papers would find. Derived from m instead they would be too
    large for the sample (they grow as the square root of the size) and merge themes.
    """
    full = _corpus_params(n, settings)
    size = max(5, round(full.min_cluster_size * m / n))
    return {
        "min_cluster_size": size,
        "min_samples": max(1, min(size, round(full.min_samples * m / n))),
    }


def _corpus_params(n: int, settings: dict):
    """HDBSCAN's sizes (and the theme size cap) of a fit of all ``n`` papers."""
    from ..cluster import ClusterParams

    return ClusterParams.for_corpus(
        n,
        min_cluster_size=settings.get("min_cluster_size"),
        min_samples=settings.get("min_samples"),
    )


def placement_thresholds(sample_fit, reduce_outliers) -> np.ndarray:
    """Per theme, the similarity to its centre that a paper outside the sample needs.

    These papers belong to the corpus being fitted, so they are placed as the fit places
    its own outliers (``reduce_outliers``), not by the stricter rule for new papers
    (`ThemeFit.thresholds`): ``True`` places every paper in its nearest theme; otherwise a
    paper joins its nearest theme when it is as close to the centre as that theme's least
    typical sampled paper, and is an outlier when not.
    """
    from ..fit import member_thresholds

    if reduce_outliers is True:
        return np.full(sample_fit.n_themes, -np.inf, dtype=np.float32)
    return member_thresholds(
        sample_fit.embeddings, sample_fit.labels, sample_fit.centroids, q=0.0
    ).astype(np.float32)


def fit_on_engine(
    texts: list[str],
    doc_ids: list[str],
    *,
    embeddings=None,
    embedder,
    cache,
    engine: str = "local",
    ray_address: str | None = None,
    sample_size: int | None = DEFAULT_SAMPLE_SIZE,
    random_state: int = 42,
    progress: bool = False,
    settings: dict,
):
    """Embed (unless ``embeddings`` are given) and fit, on all papers or on a sample.

    Parameters
    ----------
    texts, doc_ids : list of str, shape (n,)
        The papers.
    embeddings : array-like of shape (n, d), optional
        Precomputed vectors: nothing is embedded and no engine is started.
    embedder, cache
        The backend and the embedding cache (or None), as for `trends.embed.embed_texts`.
    engine, ray_address
        See `get_engine`.
    sample_size : int or None
        Fit on a seeded sample of this many papers when there are more; None: all.
    random_state : int
        Seed of the sample and of the fit.
    progress : bool
        Progress bars.
    settings : dict
        The clustering settings passed on to `trends.fit.fit_themes`.

    Returns
    -------
    trends.fit.ThemeFit
        Over all ``n`` papers; ``timings`` has ``embedding`` (and ``placement`` when a
        sample was drawn).
    """
    from .. import fit as _fit
    from .sample import merge_placed

    n = len(texts)
    rows = sample_rows(n, sample_size, random_state)
    if embeddings is not None and rows is not None:  # else `fit_themes` checks them
        embeddings = np.asarray(embeddings)
        if embeddings.ndim != 2 or embeddings.shape[0] != n:
            raise InputError(
                f"embeddings has {embeddings.shape[0]} rows but the corpus {n} papers"
                if embeddings.ndim == 2
                else f"embeddings must be a 2-D array, got shape {embeddings.shape}"
            )
    if embedder is not None and not getattr(embedder, "cacheable", True) and engine == "ray":
        raise InputError(
            f"engine='ray' embeds each paper on its own, but the embedding "
            f"{getattr(embedder, 'identity', embedder)!r} is fitted on the whole corpus "
            "(e.g. 'tfidf'): use engine='local' for it"
        )
    runner = None if embeddings is not None else get_engine(engine, ray_address)
    kwargs = {"random_state": random_state, "progress": progress, **settings}
    t0 = time.perf_counter()
    if rows is None:
        if embeddings is None:
            embeddings = runner.embed(texts, embedder, cache, progress=progress)
        seconds = time.perf_counter() - t0
        result = _fit.fit_themes(texts, embeddings, doc_ids=doc_ids, **kwargs)
        result.timings["embedding"] = seconds
        return result
    rest = np.setdiff1d(np.arange(n), rows, assume_unique=True)
    picked = [texts[i] for i in rows]
    vectors = (
        embeddings[rows]
        if embeddings is not None
        else runner.embed(picked, embedder, cache, progress=progress)
    )
    seconds = time.perf_counter() - t0
    kwargs.update(sample_settings(n, len(rows), settings))
    # The sample's themes are named once, from all the papers (below), not from the sample.
    sample_fit = _fit.fit_themes(
        picked, vectors, doc_ids=[doc_ids[i] for i in rows], names=False, **kwargs
    )
    t0 = time.perf_counter()
    limits = placement_thresholds(sample_fit, settings.get("reduce_outliers", "auto"))
    if embeddings is not None:
        from ..cluster import place

        rest_vectors = _fit.unit_rows(embeddings[rest])
        rest_labels = place(rest_vectors, sample_fit.centroids, limits)
    else:
        rest_vectors, rest_labels = runner.embed_and_place(
            [texts[i] for i in rest],
            embedder,
            cache,
            sample_fit.centroids,
            limits,
            progress=progress,
        )
    result = merge_placed(
        sample_fit,
        rows,
        rest,
        rest_vectors,
        rest_labels,
        texts=texts,
        doc_ids=doc_ids,
        n_keywords=settings.get("n_keywords", 10),
        max_size=_corpus_params(n, settings).max_cluster_size,
    )
    result.timings["embedding"] = seconds
    result.timings["placement"] = time.perf_counter() - t0
    return _fit.with_names(result, embed=settings.get("embed"), progress=progress)


def embed_on_engine(
    texts: list[str],
    embedder,
    cache,
    *,
    engine: str = "local",
    ray_address: str | None = None,
    progress: bool = False,
) -> np.ndarray:
    """Vectors of ``texts`` (the contract of `trends.embed.embed_texts`) on ``engine``."""
    if engine == "ray" and not getattr(embedder, "cacheable", True):
        raise InputError(
            f"engine='ray' cannot embed with {getattr(embedder, 'identity', embedder)!r}, "
            "which is fitted on the whole corpus: use engine='local'"
        )
    return get_engine(engine, ray_address).embed(texts, embedder, cache, progress=progress)


__all__ = [
    "DEFAULT_SAMPLE_SIZE",
    "ENGINES",
    "EngineError",
    "check_engine",
    "embed_on_engine",
    "fit_on_engine",
    "get_engine",
    "import_ray",
    "sample_rows",
]
