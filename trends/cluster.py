"""From embeddings to theme labels: exact kNN, UMAP, HDBSCAN, and a consensus of seeded runs.

Why a consensus: one UMAP + HDBSCAN run depends on its seed (two seeds agree at
ARI ~0.6-0.7 on real corpora). Papers that land together in most of several
seeded runs form the themes; the rest are outliers. See ``docs`` in the README.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

# Above this many papers the exact kNN (n x n similarities) costs more than UMAP's own
# approximate search.
EXACT_KNN_MAX = 60_000


@dataclass(frozen=True)
class ClusterParams:
    """Clustering parameters; `for_corpus` derives them from the corpus size."""

    min_cluster_size: int
    min_samples: int
    n_neighbors: int = 15
    n_components: int = 5
    n_runs: int = 3
    max_cluster_size: int = 0

    @classmethod
    def for_corpus(
        cls,
        n_docs: int,
        *,
        min_cluster_size: int | None = None,
        min_samples: int | None = None,
        n_neighbors: int = 15,
        n_components: int = 5,
        n_runs: int = 3,
    ) -> ClusterParams:
        """The documented size rule.

        ``min_cluster_size = clip(round(sqrt(n_docs) / 2 - 2), 5, 100)`` and
        ``min_samples = round(0.6 * (min_cluster_size - 5)) + 1``: 5 and 1 for a couple of
        hundred papers (a daily page), 21 and 11 for two thousand, 25 and 13 for three
        thousand, 63 and 36 for seventeen thousand. Small corpora need small themes to
        show anything (at 192 papers a minimum of 7 already collapses them into 2
        themes); large ones need larger, denser themes, or HDBSCAN shatters them into
        fragments and outliers that change from seed to seed. A larger ``min_samples``
        makes the themes' cores denser and the consensus steadier (measured on a
        3,000-paper arXiv sample: ARI between seeds 0.78 at 5, 0.87 at 13; see
        ``benchmarks/quality.py``).
        """
        if min_cluster_size is None:
            min_cluster_size = int(min(100, max(5, round(math.sqrt(n_docs) / 2 - 2))))
        if min_samples is None:
            min_samples = int(round(0.6 * (min_cluster_size - 5))) + 1
        # No theme may hold more than a quarter of the corpus: when one distant field
        # joins (40 sports stories among 750 ML papers), HDBSCAN's excess-of-mass choice
        # otherwise keeps that field apart and lumps everything else into one theme.
        max_cluster_size = max(2 * int(min_cluster_size), int(0.25 * n_docs))
        return cls(
            max_cluster_size=max_cluster_size,
            min_cluster_size=int(min_cluster_size),
            min_samples=int(min_samples),
            n_neighbors=int(max(2, min(n_neighbors, n_docs - 1))),
            n_components=int(n_components),
            n_runs=int(n_runs),
        )


def exact_knn(embeddings: np.ndarray, k: int, *, chunk: int = 2048):
    """Exact cosine k nearest neighbours (self first), as UMAP's ``precomputed_knn``."""
    x = np.ascontiguousarray(embeddings, dtype=np.float32)
    n = len(x)
    k = min(k, n)
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, chunk):
        sims = x[start : start + chunk] @ x.T
        rows = np.arange(sims.shape[0])
        sims[rows, start + rows] = np.inf  # self first, as UMAP expects
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        part_sims = np.take_along_axis(sims, part, axis=1)
        # Ties broken by index, so the graph does not depend on argpartition's whims.
        order = np.lexsort((part, -part_sims), axis=1)
        idx = np.take_along_axis(part, order, axis=1)
        indices[start : start + chunk] = idx
        d = 1.0 - np.take_along_axis(sims, idx, axis=1)
        d[:, 0] = 0.0
        distances[start : start + chunk] = np.clip(d, 0.0, 2.0)
    return indices, distances


def reduce(embeddings, knn, *, n_components, n_neighbors, seed, min_dist=0.0):
    """UMAP to ``n_components`` dimensions, seeded, reusing the precomputed kNN graph."""
    import warnings

    from umap import UMAP

    n = len(embeddings)
    kwargs = {}
    if knn is not None:
        # UMAP writes into the kNN arrays it is given (it cuts disconnected neighbours):
        # every run gets its own copy, so runs do not depend on each other.
        knn = (np.array(knn[0], copy=True), np.array(knn[1], copy=True))
        kwargs = {"precomputed_knn": knn, "force_approximation_algorithm": True}
    model = UMAP(
        n_neighbors=n_neighbors,
        n_components=min(n_components, max(1, n - 2)),
        min_dist=min_dist,
        metric="cosine",
        random_state=seed,
        init="spectral" if n > n_components + 2 else "random",
        low_memory=True,
        **kwargs,
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*n_jobs value.*")
        warnings.filterwarnings("ignore", message=".*precomputed_knn.*")
        warnings.filterwarnings("ignore", category=UserWarning, module="umap")
        return model.fit_transform(embeddings)


def hdbscan_labels(points: np.ndarray, params: ClusterParams) -> np.ndarray:
    """HDBSCAN (excess-of-mass) clusters; ``-1`` marks outliers."""
    from hdbscan import HDBSCAN

    size = max(2, min(params.min_cluster_size, len(points)))
    model = HDBSCAN(
        min_cluster_size=size,
        min_samples=max(1, min(params.min_samples, size)),
        metric="euclidean",
        cluster_selection_method="eom",
        max_cluster_size=params.max_cluster_size or 0,
        core_dist_n_jobs=1,
    )
    return model.fit_predict(points).astype(np.int64)


def consensus(runs: list[np.ndarray], min_size: int, *, cut: float = 0.5) -> np.ndarray:
    """Papers that share a cluster in more than ``cut`` of the runs, on average, form a theme.

    Average-linkage (UPGMA) clustering on ``1 - co-association`` (the share of runs in
    which two papers share a non-outlier cluster), stopped at distance ``1 - cut``.
    Papers with the same labels in every run are at distance 0 and start as one group,
    so the work is on the distinct label combinations, not on n x n papers. Papers that
    are outliers in so many runs that they cannot reach the cut stay outliers, as do
    final groups below ``min_size`` papers.
    """
    stack = np.vstack(runs).T  # n x r
    r = stack.shape[1]
    signatures, inverse, counts = np.unique(stack, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    valid = signatures != -1
    threshold = 1.0 - cut
    # A group clustered in too few runs is farther than the cut from everything.
    usable = np.flatnonzero(1.0 - valid.sum(axis=1) / r < threshold)
    group_label = np.full(len(signatures), -1, dtype=np.int64)
    if len(usable) == 0:
        return group_label[inverse]
    sig, ok = signatures[usable], valid[usable]
    m = len(usable)
    same = np.zeros((m, m), dtype=np.float64)
    for k in range(r):
        col = sig[:, k]
        same += (col[:, None] == col[None, :]) & ok[:, k][:, None]
    dist = 1.0 - same / r
    np.fill_diagonal(dist, np.inf)
    sizes = counts[usable].astype(np.float64)
    members = [[g] for g in range(m)]
    alive = np.ones(m, dtype=bool)
    nearest = dist.argmin(axis=1)
    nearest_d = dist[np.arange(m), nearest]
    while True:
        a = int(np.argmin(np.where(alive, nearest_d, np.inf)))
        if not alive[a] or not nearest_d[a] < threshold:
            break
        b = int(nearest[a])
        i, j = min(a, b), max(a, b)
        merged = (sizes[i] * dist[i] + sizes[j] * dist[j]) / (sizes[i] + sizes[j])
        dist[i, :] = merged
        dist[:, i] = merged
        dist[i, i] = np.inf
        dist[j, :] = np.inf
        dist[:, j] = np.inf
        sizes[i] += sizes[j]
        members[i].extend(members[j])
        alive[j] = False
        nearest_d[j] = np.inf
        # A weighted mean is never below the smaller of the two distances, so only rows
        # whose nearest group was i or j need a new search.
        stale = np.flatnonzero(alive & ((nearest == i) | (nearest == j)))
        stale = np.union1d(stale, [i])
        nearest[stale] = dist[stale].argmin(axis=1)
        nearest_d[stale] = dist[stale, nearest[stale]]
    next_label = 0
    for g in np.flatnonzero(alive):
        if sizes[g] < min_size:
            continue
        group_label[usable[members[g]]] = next_label
        next_label += 1
    return group_label[inverse]


def relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Theme ids 0, 1, 2... from the largest theme down (ties: first paper first); -1 stays."""
    labels = np.asarray(labels)
    ids = [c for c in dict.fromkeys(labels.tolist()) if c != -1]
    sizes = {c: int(np.sum(labels == c)) for c in ids}
    order = sorted(ids, key=lambda c: (-sizes[c], ids.index(c)))
    mapping = {c: k for k, c in enumerate(order)}
    mapping[-1] = -1
    return np.array([mapping[c] for c in labels.tolist()], dtype=np.int64)


def centroids(embeddings: np.ndarray, labels: np.ndarray, n_themes: int) -> np.ndarray:
    """Unit-length mean embedding of each theme 0..n_themes-1."""
    out = np.zeros((n_themes, embeddings.shape[1]), dtype=np.float32)
    for t in range(n_themes):
        out[t] = embeddings[labels == t].mean(axis=0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return out / norms


def reassign_outliers(
    embeddings: np.ndarray, labels: np.ndarray, cents: np.ndarray, *, threshold: np.ndarray | None
) -> np.ndarray:
    """Give outliers the theme of the nearest centroid (cosine).

    With ``threshold`` (one similarity per theme) an outlier joins only a theme it is at
    least that close to; without, every outlier joins its nearest theme.
    """
    labels = labels.copy()
    out = np.flatnonzero(labels == -1)
    if not len(out) or not len(cents):
        return labels
    sims = embeddings[out] @ cents.T
    best = sims.argmax(axis=1)
    ok = np.ones(len(out), dtype=bool)
    if threshold is not None:
        ok = sims[np.arange(len(out)), best] >= threshold[best]
    labels[out[ok]] = best[ok]
    return labels


def _one_run(embeddings, knn, params: ClusterParams, seed: int):
    """One seeded UMAP + HDBSCAN run: its labels and the seconds each stage took."""
    t0 = time.perf_counter()
    reduced = reduce(
        embeddings,
        knn,
        n_components=params.n_components,
        n_neighbors=params.n_neighbors,
        seed=int(seed),
    )
    t1 = time.perf_counter()
    labels = hdbscan_labels(reduced, params)
    return labels, t1 - t0, time.perf_counter() - t1


# From this many papers on, the seeded runs (each single-threaded: UMAP with a seed is)
# go to worker processes, one per core; below it, starting workers costs more than it saves.
PARALLEL_FROM = 5_000


def _workers(n_docs: int, n_runs: int) -> int:
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(n_runs, cores or 1)) if n_docs >= PARALLEL_FROM else 1


def place(embeddings: np.ndarray, cents: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Index of each row's nearest centre (cosine), or -1 below that centre's threshold."""
    if not len(cents):
        return np.full(len(embeddings), -1, dtype=np.int64)
    sims = embeddings @ cents.T
    best = sims.argmax(axis=1)
    close = sims[np.arange(len(best)), best] >= thresholds[best]
    return np.where(close, best, -1).astype(np.int64)


def cluster(
    embeddings: np.ndarray,
    params: ClusterParams,
    seeds: list[int],
    timings: dict,
    *,
    progress: bool = True,
):
    """Consensus theme labels of ``len(seeds)`` seeded UMAP + HDBSCAN runs, and each run's.

    The runs are independent and seeded, so running them in parallel processes gives the
    same labels as running them one after the other.
    """
    from tqdm.auto import tqdm

    n = len(embeddings)
    t0 = time.perf_counter()
    knn = exact_knn(embeddings, params.n_neighbors) if n <= EXACT_KNN_MAX else None
    timings["knn"] = time.perf_counter() - t0
    timings.setdefault("umap", 0.0)
    timings.setdefault("hdbscan", 0.0)
    workers = _workers(n, len(seeds))
    t0 = time.perf_counter()
    with tqdm(total=len(seeds), desc="Clustering", unit="run", disable=not progress) as bar:
        if workers > 1:
            from joblib import Parallel, delayed

            jobs = Parallel(n_jobs=workers, backend="loky", return_as="generator")(
                delayed(_one_run)(embeddings, knn, params, seed) for seed in seeds
            )
        else:
            jobs = (_one_run(embeddings, knn, params, seed) for seed in seeds)
        results = []
        for result in jobs:
            results.append(result)
            bar.update(1)
    runs = [r[0] for r in results]
    if workers > 1:  # wall time, split between the stages as the workers measured them
        wall = time.perf_counter() - t0
        busy = sum(r[1] + r[2] for r in results) or 1.0
        timings["umap"] += wall * sum(r[1] for r in results) / busy
        timings["hdbscan"] += wall * sum(r[2] for r in results) / busy
    else:
        timings["umap"] += sum(r[1] for r in results)
        timings["hdbscan"] += sum(r[2] for r in results)
    t0 = time.perf_counter()
    labels = runs[0] if len(runs) == 1 else consensus(runs, params.min_cluster_size)
    timings["consensus"] = time.perf_counter() - t0
    return relabel_by_size(labels), runs, knn
