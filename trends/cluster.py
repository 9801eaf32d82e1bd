"""From embeddings to theme labels: a kNN graph, seeded UMAP + HDBSCAN runs, their consensus.

The stages, each a function of plain arrays:

1. `knn_graph`: every paper's nearest neighbours by cosine similarity, computed once and
   shared by every run: exact (`exact_knn`, BLAS) up to `EXACT_KNN_MAX` papers, seeded
   NN-descent (`approximate_knn`, pynndescent) above, where the exact search's n x n
   products would cost more than everything else together.
2. `reduce` + `hdbscan_labels`, once per seed: UMAP to 5 dimensions on that graph, then
   HDBSCAN (excess of mass) on the result.
3. `consensus`: papers that share a cluster in most of the runs form a theme.

A run depends on the vectors, the graph, its parameters and its seed only; with a
`trends.run_cache.RunCache`, `cluster` reads the runs made before instead of making them
again.

Why several runs: one UMAP + HDBSCAN run depends on its seed (two seeds agree at ARI
~0.6-0.8 on real corpora); the consensus of several is steadier (see `default_runs`).

**Float noise.** The same text embeds slightly differently in another batch, on another
CPU or BLAS: differences of 1e-7 to 1e-6. A fit must not turn those into other themes.
UMAP's optimiser is chaotic, and that is the amplifier: measured on the bundled corpus,
moving one paper's initial position by one float32 ulp, changing one neighbour distance
by 0.001, or moving all initial positions by 1e-6 each gives a layout whose HDBSCAN
clusters agree with the original at ARI 0.47-0.98, as much as another seed would. Two
mechanisms carry the noise in (umap-learn 0.5, ``umap/layouts.py`` and ``umap_.py``):

* Each paper's negative-sampling random stream is seeded by the float bits of its
  initial x coordinate (``rng_state + head_embedding[:, 0].view(int64)``), and the default
  spectral initial layout is a data-dependent eigenvector (eigsh, tolerance 1e-4, sign and
  rotation free among near-equal eigenvalues): any change of the data, however small,
  gives every paper a new random stream.
* The neighbour distances set the edge weights, which set each edge's sampling schedule
  (``epochs_per_sample``); a weight moved by 1e-6 shifts some samples by one epoch, and
  with them the number of random draws and every later draw of that paper's stream.

So the input of the chaotic stage is made *the same bits* under small noise, and only
then is UMAP run: neighbours are chosen on similarities rounded to `SIM_STEP` (ties go to
the lower paper index, which also makes duplicated papers deterministic); the distances
UMAP sees are rounded to `DIST_STEP` and each row is listed in a canonical order; the
themes' runs start from umap-learn's seeded random layout (``init="random"``), which
depends on the seed alone, and the 2-D map from the spectral layout computed on that
graph and rounded to `INIT_STEP` (`spectral_init`). Noise then changes nothing unless a
rounded value crosses a grid line. On the bundled 192-paper corpus the themes of a fit
and of a fit on embeddings with Gaussian noise of 1e-7 or 1e-6 added are identical (ARI
1.0 for every seed tried; before: 0.78 and 0.75), at 1e-5 they agree at ARI 0.77-1.0;
see ``benchmarks/noise.py``. (Rounding the spectral layout instead of starting the runs
at random gave the same noise figures and slightly less steady themes across seeds.)

The same holds for the code that runs UMAP: numba compiles it for one named target, not
for the CPU at hand (`trends._numba_target`), since another CPU's code rounds some steps
otherwise and the optimiser amplifies that as it does noise in the data.

Where a crossing does happen, the runs are as good as reseeded. That is unavoidable in a
large corpus: at 1e-6 noise about 50 of the 45,000 graph entries of 3,000 arXiv papers
cross a grid line, whatever the grid, because the noise moves every similarity and a few
always sit at a boundary (the 15th and 16th neighbour, a rounding edge). There the themes
of the noisy fit agree with the original as well as two seeds do, and the lever is the
consensus's steadiness from seed to seed (`default_runs`). A deterministic, non-chaotic
layout (full-batch gradient descent with data-independent negative samples) was tried:
it follows the noise smoothly (ARI 0.98-0.99 under 1e-6 noise) but its themes were
poorer (NMI 0.21-0.23 instead of 0.27 on arXiv) and unsteady across seeds (0.3-0.4), so
UMAP stays. Smoothing the final step instead (label spreading on the kNN graph, nearest
centre for every paper, a cut chosen in the widest gap of the merge heights) moved the
seed-to-seed agreement by less than 0.02.

**Scale.** Memory and time grow linearly with the papers: the exact kNN works in blocks
of rows (`exact_knn`), NN-descent takes over above `EXACT_KNN_MAX`, UMAP and HDBSCAN run
on the shared graph, and the consensus works on groups of papers with the same labels in
every run, exactly while there are at most `DENSE_CONSENSUS_MAX` of them (an average
linkage on their co-association matrix) and, above that, on the largest groups, to which
the others are then attached (see `consensus`).

**GPU.** With ``device=None`` (the default) UMAP and HDBSCAN run on cuML when it is
installed and sees a CUDA GPU; ``device="cpu"`` turns that off and ``device="cuda"``
requires it. cuML's UMAP is another implementation: its themes are as close to the CPU's
as another seed's, not identical.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from ._progress import step
from .errors import InputError

# Up to this many papers the exact kNN (blocks of similarities, BLAS) is cheap enough;
# above, seeded NN-descent (pynndescent) finds ~99% of the same neighbours in a fraction
# of the time, and the exact search's n^2 cost would dominate the whole fit.
EXACT_KNN_MAX = 30_000
# Neighbours are chosen on similarities rounded to this grid (ties: the lower paper
# index), so that papers whose similarities differ only by float noise, such as exact
# duplicates embedded in other batches, get the same neighbours.
SIM_STEP = 1e-5
# The neighbour distances UMAP sees are rounded to this grid: float noise of 1e-6 then
# leaves the graph's bits, and so UMAP's chaotic optimiser, untouched (see the module
# docstring). Measured: no loss of theme quality at this step (NMI, outliers).
DIST_STEP = 0.01
# The shared initial layout (the graph's spectral layout, scaled to [-10, 10] as UMAP
# scales it) is rounded to this grid, so that another BLAS's last bits in the eigensolver
# do not reach the random streams that UMAP seeds from the initial layout's bits.
INIT_STEP = 2.0**-7
# The theme-size cap (a quarter of the corpus) is never below this many papers.
MIN_CAP = 50
# Seeded runs in the consensus when the caller does not say, up to 5,000 papers (fewer
# above 10,000: see `default_runs`). More runs make the themes steadier from seed to seed, and
# so under float noise that crosses a grid line. Measured (mean pairwise ARI over 5 seeds
# of the fit's labels; `benchmarks/noise.py --runs 10 20 30` on the two 3,000-paper arXiv
# samples, the same label path on `benchmarks/quality.py`'s BBC news, 2,108 stories) on
# the arXiv samples and BBC: 10 runs 0.889, 0.875 and 0.975; 20 runs
# 0.928, 0.901, 0.978; 25 runs 0.949, 0.907, 0.988; 30 runs 0.944, 0.905, 0.985; NMI the
# same throughout. Cheaper runs (200 UMAP epochs instead of umap-learn's 500, three times
# as many for 1.2x the time) were steadier on one arXiv sample (0.913, 0.926) but not on
# BBC (0.840: its layouts are not settled after 200 epochs), so runs keep their epochs.
DEFAULT_RUNS = 25
# Seeded runs from 10,000 papers on, where a run has 200 epochs (see `default_runs`),
# up to this many papers; above, fewer, so that the runs' total work stays bounded.
LARGE_RUNS = 15
RUNS_BUDGET_FROM = 40_000
# The exact consensus keeps a dense matrix over the groups of papers with identical
# labels in every run; above this many groups it works on the largest ones.
DENSE_CONSENSUS_MAX = 6_000
# From this many papers on, the seeded runs (each single-threaded: UMAP with a seed is)
# go to worker processes, one per core; below it, starting workers costs more than it saves.
PARALLEL_FROM = 5_000

_CUML_HINT = "pip install cuml-cu12, or cuml-cu13 for CUDA 13 (RAPIDS; needs an NVIDIA GPU)"


@dataclass(frozen=True)
class ClusterParams:
    """Clustering parameters; `for_corpus` derives them from the corpus size."""

    min_cluster_size: int
    min_samples: int
    n_neighbors: int = 15
    n_components: int = 5
    n_runs: int = DEFAULT_RUNS
    max_cluster_size: int = 0
    # UMAP's optimisation epochs per run; None: umap-learn's own choice (500 up to 10,000
    # papers, 200 above). Fewer epochs make a run cheaper (`benchmarks/noise.py --epochs`),
    # but on some corpora less steady (see `DEFAULT_RUNS`).
    n_epochs: int | None = None

    @classmethod
    def for_corpus(
        cls,
        n_docs: int,
        *,
        min_cluster_size: int | None = None,
        min_samples: int | None = None,
        n_neighbors: int = 15,
        n_components: int = 5,
        n_runs: int | None = None,
    ) -> ClusterParams:
        """The documented size rule.

        ``min_cluster_size = clip(round(sqrt(n_docs) / 2 - 2), 5, 100)`` and
        ``min_samples = round(0.6 * (min_cluster_size - 5)) + 1``: 5 and 1 for a couple of
        hundred papers (a daily page), 20 and 10 for two thousand, 25 and 13 for three
        thousand, 63 and 36 for seventeen thousand. Small corpora need small themes to
        show anything (at 192 papers a minimum of 7 already collapses them into 2
        themes); large ones need larger, denser themes, or HDBSCAN shatters them into
        fragments and outliers that change from seed to seed. A larger ``min_samples``
        makes the themes' cores denser and the consensus steadier (measured on a
        3,000-paper arXiv sample: ARI between seeds 0.78 at 5, 0.87 at 13; see
        ``benchmarks/quality.py``). ``n_runs`` defaults to `default_runs`.
        """
        if min_cluster_size is None:
            min_cluster_size = int(min(100, max(5, round(math.sqrt(n_docs) / 2 - 2))))
        if min_samples is None:
            min_samples = int(round(0.6 * (min_cluster_size - 5))) + 1
        # No theme may hold more than a quarter of the corpus: when one distant field
        # joins (40 sports stories among 750 ML papers), HDBSCAN's excess-of-mass choice
        # otherwise keeps that field apart and lumps everything else into one theme. In a
        # small library the cap would cut real themes instead (two topics of 20 papers in
        # 40 gave themes of 10 and 9 and half the papers outliers): it is never below
        # `MIN_CAP` papers.
        max_cluster_size = max(2 * int(min_cluster_size), int(0.25 * n_docs), MIN_CAP)
        return cls(
            max_cluster_size=max_cluster_size,
            min_cluster_size=int(min_cluster_size),
            min_samples=int(min_samples),
            n_neighbors=int(max(2, min(n_neighbors, n_docs - 1))),
            n_components=int(n_components),
            n_runs=int(default_runs(n_docs) if n_runs is None else n_runs),
        )


def default_runs(n_docs: int) -> int:
    """Seeded runs of the consensus for a corpus of ``n_docs`` papers.

    `DEFAULT_RUNS` (25) up to 5,000 papers, falling linearly to `LARGE_RUNS` (15) at
    10,000 (20 at 7,500), 15 up to `RUNS_BUDGET_FROM` (40,000) papers, and above that as
    many as keep the runs' total work at what 15 runs of 40,000 papers cost (a run costs
    time in proportion to the papers): ``max(3, round(15 * 40,000 / n))``, 10 at 60,000,
    6 at 100,000, 3 from 200,000 on. Up to 10,000 papers umap-learn gives a run 500
    epochs, above 200. Measured on the 17,145-paper arXiv feed (consensus fits of
    disjoint groups of 75 seeded runs, mean pairwise ARI of their final labels): 5 runs
    0.883, 8 runs 0.904, 10 runs 0.927, 15 runs 0.956, 25 runs 0.962, with the same
    themes count and outliers; a run took 7.6 s on one core there, and 500 epochs
    instead of 200 did not make the runs steadier (one run against another: 0.798 and
    0.803).
    """
    n_docs = max(int(n_docs), 1)
    if n_docs <= 5_000:
        return int(DEFAULT_RUNS)
    if n_docs < 10_000:
        share = (n_docs - 5_000) / 5_000
        return int(round(DEFAULT_RUNS - (DEFAULT_RUNS - LARGE_RUNS) * share))
    if n_docs <= RUNS_BUDGET_FROM:
        return int(LARGE_RUNS)
    return int(max(3, round(LARGE_RUNS * RUNS_BUDGET_FROM / n_docs)))


# --- the kNN graph -----------------------------------------------------------------------


def _top_k(sims: np.ndarray, k: int) -> np.ndarray:
    """Column indices of each row's ``k`` largest values; among equal values the lowest index.

    Shapes: ``sims`` (rows, n) -> (rows, k), in no particular order within a row.
    """
    kth = -np.partition(-sims, k - 1, axis=1)[:, k - 1 : k]
    take = sims > kth
    short = k - take.sum(axis=1)
    tied_rows = np.flatnonzero(short)
    if len(tied_rows):
        # Only rows where several papers share the k-th value need the index order.
        tied = sims[tied_rows] == kth[tied_rows]
        first = tied & (np.cumsum(tied, axis=1, dtype=np.int32) <= short[tied_rows, None])
        take[tied_rows] |= first
    return np.nonzero(take)[1].reshape(len(sims), k)


def _canonical(indices: np.ndarray, distances: np.ndarray, start: int = 0):
    """Distances rounded to `DIST_STEP`; each row self first, then by distance, then index."""
    d = np.round(np.asarray(distances, dtype=np.float64) / DIST_STEP) * DIST_STEP
    d = np.clip(d, 0.0, 2.0)
    self_rows = indices == (start + np.arange(len(indices)))[:, None]
    d[self_rows] = -1.0
    order = np.lexsort((indices, d), axis=1)
    idx = np.take_along_axis(indices, order, axis=1)
    d = np.take_along_axis(d, order, axis=1)
    d[d < 0] = 0.0
    return idx.astype(np.int64), d.astype(np.float32)


def _block_rows(n: int) -> int:
    """Rows per block of the exact kNN: about 2**25 similarities (128 MB) at a time."""
    return int(max(16, min(2048, 2**25 // max(n, 1))))


def exact_knn(embeddings: np.ndarray, k: int, *, chunk: int | None = None, progress=False):
    """Exact cosine ``k`` nearest neighbours (self first), as UMAP's ``precomputed_knn``.

    Neighbours are chosen on similarities rounded to `SIM_STEP` (ties: the lower index)
    and listed by rounded distance (`DIST_STEP`), then index, so that float noise far
    below the grid leaves the result's bits unchanged.

    Parameters
    ----------
    embeddings : numpy.ndarray, shape (n, d)
        Unit-length rows.
    k : int
        Neighbours per row, the row itself included.
    chunk : int, optional
        Rows per block (default: about 2**25 similarities per block); the result does not
        depend on it.
    progress : bool
        A progress bar over the blocks.

    Returns
    -------
    indices : numpy.ndarray of int64, shape (n, k)
    distances : numpy.ndarray of float32, shape (n, k)
        Cosine distances, rounded to `DIST_STEP`.
    """
    from tqdm.auto import tqdm

    x = np.ascontiguousarray(embeddings, dtype=np.float32)
    n = len(x)
    k = min(k, n)
    chunk = chunk or _block_rows(n)
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k), dtype=np.float32)
    starts = range(0, n, chunk)
    bar = tqdm(starts, desc="Nearest neighbours (exact)", unit="block", disable=not progress)
    for start in bar:
        sims = x[start : start + chunk] @ x.T
        np.round(sims / SIM_STEP, out=sims)
        rows = np.arange(sims.shape[0])
        sims[rows, start + rows] = np.inf  # self first, as UMAP expects
        idx = _top_k(sims, k)
        d = 1.0 - np.take_along_axis(sims, idx, axis=1).astype(np.float64) * SIM_STEP
        indices[start : start + chunk], distances[start : start + chunk] = _canonical(idx, d, start)
    return indices, distances


def approximate_knn(embeddings: np.ndarray, k: int, *, seed: int = 0):
    """Cosine ``k`` nearest neighbours by seeded NN-descent (pynndescent), listed as `exact_knn`.

    Deterministic for a seed (one thread). Each row starts with itself, even where exact
    duplicates tie with it; distances are rounded to `DIST_STEP`.
    """
    import warnings

    from pynndescent import NNDescent

    x = np.ascontiguousarray(embeddings, dtype=np.float32)
    n = len(x)
    k = min(k, n)
    # UMAP's own settings for its NN-descent (umap_.nearest_neighbors).
    n_trees = min(64, 5 + int(round(n**0.5 / 20.0)))
    n_iters = max(5, int(round(np.log2(n))))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning)
        index = NNDescent(
            x,
            metric="cosine",
            n_neighbors=k + 1,
            n_trees=n_trees,
            n_iters=n_iters,
            max_candidates=60,
            random_state=int(seed),
            low_memory=True,
            n_jobs=1,
            verbose=False,
        )
        idx, dist = index.neighbor_graph
    idx = np.asarray(idx, dtype=np.int64)
    dist = np.asarray(dist, dtype=np.float64)
    # Self first: drop self wherever NN-descent put it, keep the k - 1 best of the rest.
    me = np.arange(n)[:, None]
    dist = np.where(idx == me, np.inf, dist)
    dist[idx < 0] = np.inf
    order = np.lexsort((idx, dist), axis=1)[:, : k - 1]
    rest_i = np.take_along_axis(idx, order, axis=1)
    rest_d = np.take_along_axis(dist, order, axis=1)
    idx = np.hstack([me, rest_i])
    dist = np.hstack([np.zeros((n, 1)), np.minimum(rest_d, 2.0)])
    return _canonical(idx, dist)


def knn_graph(embeddings: np.ndarray, k: int, *, seed: int = 0, progress=False):
    """`exact_knn` up to `EXACT_KNN_MAX` papers, `approximate_knn` above."""
    if len(embeddings) <= EXACT_KNN_MAX:
        return exact_knn(embeddings, k, progress=progress)
    with step("Nearest neighbours (NN-descent)", progress):
        return approximate_knn(embeddings, k, seed=seed)


# --- one run -----------------------------------------------------------------------------


def resolve_device(device: str | None) -> str:
    """``"cuda"`` or ``"cpu"``: where UMAP and HDBSCAN run.

    ``None`` picks cuML when it is installed and sees a CUDA GPU, else the CPU; ``"cuda"``
    requires cuML and a GPU (`InputError` naming the install otherwise); ``"cpu"`` is the
    CPU (umap-learn and hdbscan).
    """
    if device not in (None, "cpu", "cuda"):
        raise InputError(
            f"device must be None (a GPU with cuML when there is one), 'cpu' or 'cuda'; "
            f"got {device!r}"
        )
    if device == "cpu":
        return "cpu"
    reason = cuml_unavailable()
    if reason is None:
        return "cuda"
    if device == "cuda":
        raise InputError(f"device='cuda' needs cuML and a CUDA GPU: {reason}")
    return "cpu"


def cuml_unavailable() -> str | None:
    """Why cuML cannot run here (``None`` when it can)."""
    try:
        import cuml  # noqa: F401
        from cupy.cuda import runtime
    except Exception as exc:  # ImportError, or a CUDA library that fails to load
        return f"cuML is not importable ({type(exc).__name__}: {exc}); {_CUML_HINT}"
    try:
        count = runtime.getDeviceCount()
    except Exception as exc:
        return f"no CUDA device ({type(exc).__name__}: {exc})"
    return None if count > 0 else "no CUDA device"


def reduce(
    embeddings,
    knn,
    *,
    n_components,
    n_neighbors,
    seed,
    min_dist=0.0,
    init="spectral",
    device: str = "cpu",
    n_epochs: int | None = None,
):
    """UMAP to ``n_components`` dimensions, seeded, reusing the precomputed kNN graph.

    ``init``: ``"spectral"`` (the default) starts from the graph's spectral layout as
    umap-learn does, but computed by `spectral_init` (on a grid, so that float noise in
    the data does not reach UMAP's random streams) plus seeded noise, whenever ``knn`` is
    given (the 2-D paper map); ``"random"`` is umap-learn's seeded random layout, which
    depends on the seed alone (the themes' runs); an array of shape (n, n_components) is
    used as it is. ``device="cuda"`` runs cuML's UMAP (``"spectral"`` for an array: cuML
    takes no initial layout).
    """
    import warnings

    from . import _numba_target

    _numba_target.check()
    n = len(embeddings)
    dims = min(n_components, max(1, n - 2))
    if n <= n_components + 2 or (not isinstance(init, str) and np.shape(init) != (n, dims)):
        init = "random"
    if knn is not None:
        # UMAP writes into the kNN arrays it is given (it cuts disconnected neighbours):
        # every run gets its own copy, so runs do not depend on each other.
        knn = (np.array(knn[0], copy=True), np.array(knn[1], copy=True))
    if isinstance(init, str) and init == "spectral" and knn is not None and device != "cuda":
        base = spectral_init(embeddings, knn, n_components=dims, n_neighbors=n_neighbors)
        init = _run_init(base, seed)
    if device == "cuda":
        from cuml.manifold import UMAP as CumlUMAP

        model = CumlUMAP(
            n_neighbors=n_neighbors,
            n_components=dims,
            min_dist=min_dist,
            metric="cosine",
            init=init if isinstance(init, str) else "spectral",
            random_state=int(seed),
            precomputed_knn=knn,
            **({} if n_epochs is None else {"n_epochs": int(n_epochs)}),
        )
        return np.asarray(model.fit_transform(np.asarray(embeddings, dtype=np.float32)))

    from umap import UMAP

    kwargs = {}
    if knn is not None:
        kwargs = {"precomputed_knn": knn, "force_approximation_algorithm": True}
    model = UMAP(
        n_neighbors=n_neighbors,
        n_components=dims,
        min_dist=min_dist,
        metric="cosine",
        random_state=seed,
        init=init,
        low_memory=True,
        n_epochs=None if n_epochs is None else int(n_epochs),
        **kwargs,
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*n_jobs value.*")
        warnings.filterwarnings("ignore", message=".*precomputed_knn.*")
        warnings.filterwarnings("ignore", category=UserWarning, module="umap")
        return model.fit_transform(embeddings)


def hdbscan_labels(points: np.ndarray, params: ClusterParams, *, device: str = "cpu"):
    """HDBSCAN (excess-of-mass) clusters; ``-1`` marks outliers."""
    size = max(2, min(params.min_cluster_size, len(points)))
    settings = {
        "min_cluster_size": size,
        "min_samples": max(1, min(params.min_samples, size)),
        "metric": "euclidean",
        "cluster_selection_method": "eom",
        "max_cluster_size": params.max_cluster_size or 0,
    }
    if device == "cuda":
        from cuml.cluster import HDBSCAN as CumlHDBSCAN

        labels = CumlHDBSCAN(**settings).fit_predict(np.asarray(points, dtype=np.float32))
        return np.asarray(labels).astype(np.int64)
    from hdbscan import HDBSCAN

    return HDBSCAN(**settings, core_dist_n_jobs=1).fit_predict(points).astype(np.int64)


def spectral_init(embeddings, knn, *, n_components: int, n_neighbors: int) -> np.ndarray:
    """The initial layout UMAP's default would compute, on a grid.

    umap-learn's spectral initialisation (the leading eigenvectors of the kNN graph's
    normalised Laplacian, `umap.spectral.spectral_layout`, on the graph as UMAP prunes it
    before optimising), scaled so that the largest coordinate is 10, and rounded to
    `INIT_STEP`. It depends on the data only through the graph, which is the same bits
    under small float noise (see `exact_knn`), so the layout is too; the rounding
    absorbs the eigensolver's last bits on another machine. `reduce` adds seeded noise
    (`_run_init`), as UMAP adds noise to its own spectral layout.

    Returns
    -------
    numpy.ndarray, shape (n, n_components)
    """
    import warnings

    from umap.spectral import spectral_layout
    from umap.umap_ import fuzzy_simplicial_set

    n = len(embeddings)
    state = np.random.RandomState(0)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning)
        graph, _, _ = fuzzy_simplicial_set(
            embeddings,
            n_neighbors,
            state,
            "cosine",
            knn_indices=np.array(knn[0], copy=True),
            knn_dists=np.array(knn[1], copy=True),
        )
        graph = graph.tocoo()
        graph.sum_duplicates()
        # UMAP drops the edges it would sample less than once before its layout.
        n_epochs = 500 if n <= 10_000 else 200
        graph.data[graph.data < graph.data.max() / n_epochs] = 0.0
        graph.eliminate_zeros()
        layout = spectral_layout(embeddings, graph, n_components, state)
    layout = 10.0 * np.asarray(layout, dtype=np.float64) / np.abs(layout).max()
    return np.round(layout / INIT_STEP) * INIT_STEP


def _run_init(base: np.ndarray, seed: int) -> np.ndarray:
    """A run's initial layout: the shared one plus seeded noise (sd 1e-4, as UMAP adds)."""
    noise = np.random.RandomState(int(seed) % 2**32).normal(scale=1e-4, size=base.shape)
    return (base + noise).astype(np.float32)


def _one_run(embeddings, knn, params: ClusterParams, seed: int, device="cpu"):
    """One seeded UMAP + HDBSCAN run: its labels and the seconds each stage took.

    The run starts from umap-learn's seeded random layout, which depends on the seed
    alone, not on the data (see the module docstring). Runs are kept on disk by
    `trends.run_cache`, keyed by this function's source, `reduce`'s and `hdbscan_labels`'s;
    raise its ``RUN_FORMAT`` when a run changes without a change there.
    """
    t0 = time.perf_counter()
    reduced = reduce(
        embeddings,
        knn,
        n_components=params.n_components,
        n_neighbors=params.n_neighbors,
        seed=int(seed),
        init="random",
        device=device,
        n_epochs=params.n_epochs,
    )
    t1 = time.perf_counter()
    labels = hdbscan_labels(reduced, params, device=device)
    return labels, t1 - t0, time.perf_counter() - t1


def _workers(n_docs: int, n_runs: int) -> int:
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(n_runs, cores or 1)) if n_docs >= PARALLEL_FROM else 1


# --- the consensus -----------------------------------------------------------------------


def consensus(
    runs: list[np.ndarray],
    min_size: int,
    *,
    cut: float = 0.5,
    dense_max: int | None = None,
    progress: bool = False,
) -> np.ndarray:
    """Papers that share a cluster in more than ``cut`` of the runs, on average, form a theme.

    Average-linkage (UPGMA) clustering on ``1 - co-association`` (the share of runs in
    which two papers share a non-outlier cluster), stopped at distance ``1 - cut``.
    Papers with the same labels in every run are at distance 0 and start as one group,
    so the work is on the distinct label combinations, not on n x n papers. Papers that
    are outliers in so many runs that they cannot reach the cut stay outliers, as do
    final groups below ``min_size`` papers.

    Exact while there are at most ``dense_max`` groups (default `DENSE_CONSENSUS_MAX`;
    the matrix is ``dense_max**2`` floats). Above, the ``dense_max`` largest groups are
    merged exactly and every other group (typically papers on a border, with a label
    combination of their own) joins the merged group it shares most runs with, when that
    average co-association is above ``cut``; memory then grows with the papers, not
    their square.
    """
    dense_max = DENSE_CONSENSUS_MAX if dense_max is None else int(dense_max)
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
    rest = np.array([], dtype=np.int64)
    if len(usable) > dense_max:
        # Largest groups first (ties: signature order), so the result does not depend on
        # anything but the runs.
        by_size = usable[np.lexsort((usable, -counts[usable]))]
        usable, rest = np.sort(by_size[:dense_max]), by_size[dense_max:]
    members = _average_linkage(
        signatures[usable], valid[usable], counts[usable], threshold, progress=progress
    )
    cid = np.empty(len(usable), dtype=np.int64)
    for c, group in enumerate(members):
        cid[group] = c
    sizes = np.bincount(cid, weights=counts[usable], minlength=len(members))
    group_label[usable] = cid
    if len(rest):
        joined = _attach(signatures, counts, usable, cid, len(members), rest, cut)
        group_label[rest] = joined
        sizes += np.bincount(
            joined[joined >= 0], weights=counts[rest][joined >= 0], minlength=len(members)
        )
    # Final groups below the minimum size are outliers; the others are numbered in order
    # of their first group.
    keep = sizes >= min_size
    renumber = np.full(len(members) + 1, -1, dtype=np.int64)
    renumber[:-1][keep] = np.arange(int(keep.sum()))
    return renumber[group_label][inverse]


def _average_linkage(sig, ok, counts, threshold: float, *, progress: bool = False):
    """UPGMA on the groups' co-association distances, stopped at ``threshold``.

    Returns the final groups as lists of row indices into ``sig``, in order of their first
    member.
    """
    from tqdm.auto import tqdm

    m, r = sig.shape
    same = np.zeros((m, m), dtype=np.float64)
    for k in range(r):
        col = sig[:, k]
        same += (col[:, None] == col[None, :]) & ok[:, k][:, None]
    dist = same
    dist /= -r
    dist += 1.0  # 1 - same / r, in place: one m x m matrix in memory
    np.fill_diagonal(dist, np.inf)
    sizes = counts.astype(np.float64)
    members = [[g] for g in range(m)]
    alive = np.ones(m, dtype=bool)
    nearest = dist.argmin(axis=1)
    nearest_d = dist[np.arange(m), nearest]
    bar = tqdm(total=m, desc="Consensus", unit="group", disable=not progress or m < 2000)
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
        bar.update(1)
        # A weighted mean is never below the smaller of the two distances, so only rows
        # whose nearest group was i or j need a new search.
        stale = np.flatnonzero(alive & ((nearest == i) | (nearest == j)))
        stale = np.union1d(stale, [i])
        nearest[stale] = dist[stale].argmin(axis=1)
        nearest_d[stale] = dist[stale, nearest[stale]]
    bar.close()
    return [sorted(members[g]) for g in np.flatnonzero(alive)]


def _attach(signatures, counts, core, cid, n_clusters, rest, cut, block=20_000):
    """The merged group each ``rest`` group shares most runs with, or ``-1``.

    The share is the average co-association with that merged group's papers; it must be
    above ``cut``, the criterion of the average linkage.
    """
    r = signatures.shape[1]
    weight = np.bincount(cid, weights=counts[core], minlength=n_clusters)
    out = np.full(len(rest), -1, dtype=np.int64)
    # share[k][c, l + 1]: the share of merged group c's papers with label l in run k
    # (column 0, the outliers, counts as sharing nothing).
    shares = []
    for k in range(r):
        col = signatures[core, k]
        table = np.zeros((n_clusters, int(signatures[:, k].max()) + 2))
        np.add.at(table, (cid, col + 1), counts[core])
        table[:, 0] = 0.0
        shares.append(table / weight[:, None])
    for s in range(0, len(rest), block):
        part = signatures[rest[s : s + block]]
        co = np.zeros((n_clusters, len(part)))
        for k in range(r):
            co += shares[k][:, part[:, k] + 1]
        co /= r
        best = co.argmax(axis=0)
        ok = co[best, np.arange(len(part))] > cut
        out[s : s + block] = np.where(ok, best, -1)
    return out


# --- themes from labels ------------------------------------------------------------------
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
    embeddings: np.ndarray,
    labels: np.ndarray,
    cents: np.ndarray,
    *,
    threshold: np.ndarray | None,
    max_size: int | None = None,
) -> np.ndarray:
    """Give outliers the theme of the nearest centroid (cosine).

    Parameters
    ----------
    embeddings : numpy.ndarray, shape (n_papers, n_dims)
        Unit-length embeddings.
    labels : numpy.ndarray, shape (n_papers,)
        Theme ids ``0..len(cents)-1``; ``-1`` marks outliers.
    cents : numpy.ndarray, shape (n_themes, n_dims)
        Unit-length theme centres.
    threshold : numpy.ndarray or None, shape (n_themes,)
        With it, an outlier joins only a theme it is at least that close to; without,
        every outlier joins its nearest theme.
    max_size : int, optional
        No theme grows past this many papers by reassignment (the fit passes
        ``ClusterParams.max_cluster_size``, the quarter-of-the-corpus cap that HDBSCAN
        already obeys). The outliers most similar to a theme join it first (ties: the
        earlier paper); those left over when it is full stay outliers rather than
        moving to a second choice, which they are by definition farther from. A theme
        already at or over the cap gets no one.

    Returns
    -------
    numpy.ndarray, shape (n_papers,)
        The new labels (a copy).
    """
    labels = np.array(labels, dtype=np.int64, copy=True)
    # A zero vector (no direction) is near no theme: it stays an outlier.
    out = np.flatnonzero((labels == -1) & embeddings.any(axis=1))
    if not len(out) or not len(cents):
        return labels
    sims = embeddings[out] @ cents.T
    best = sims.argmax(axis=1)
    best_sim = sims[np.arange(len(out)), best]
    ok = np.ones(len(out), dtype=bool)
    if threshold is not None:
        ok = best_sim >= threshold[best]
    if max_size is not None and max_size > 0:
        room = np.maximum(0, max_size - np.bincount(labels[labels >= 0], minlength=len(cents)))
        # Most similar first; a stable sort keeps the earlier paper first among ties.
        order = np.flatnonzero(ok)[np.argsort(-best_sim[ok], kind="stable")]
        themes = best[order]
        # Rank of each candidate within its theme's queue, in that order.
        rank = np.empty(len(order), dtype=np.int64)
        for t in np.unique(themes):
            at = np.flatnonzero(themes == t)
            rank[at] = np.arange(len(at))
        ok[order[rank >= room[themes]]] = False
    labels[out[ok]] = best[ok]
    return labels


def place(embeddings: np.ndarray, cents: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Index of each row's nearest centre (cosine), or -1 below that centre's threshold.

    A zero row (no direction) is near no centre: -1 whatever the thresholds.
    """
    if not len(cents):
        return np.full(len(embeddings), -1, dtype=np.int64)
    sims = embeddings @ cents.T
    best = sims.argmax(axis=1)
    close = (sims[np.arange(len(best)), best] >= thresholds[best]) & embeddings.any(axis=1)
    return np.where(close, best, -1).astype(np.int64)


def cluster(
    embeddings: np.ndarray,
    params: ClusterParams,
    seeds: list[int],
    timings: dict,
    *,
    progress: bool = True,
    device: str | None = None,
    run_cache=None,
):
    """Consensus theme labels of ``len(seeds)`` seeded UMAP + HDBSCAN runs, and each run's.

    Parameters
    ----------
    embeddings : numpy.ndarray, shape (n, d)
        Unit-length rows.
    params : ClusterParams
    seeds : list of int
        One seed per run.
    timings : dict
        Filled with the seconds of each stage: ``knn``, ``umap``, ``hdbscan``,
        ``consensus``.
    progress : bool
        Progress bars naming each stage, with the time left.
    device : {None, "cpu", "cuda"}
        Where UMAP and HDBSCAN run (see `resolve_device`): ``None`` uses cuML on a GPU
        when there is one.
    run_cache : trends.run_cache.RunCache, optional
        Runs made before with the same vectors, graph, parameters, seed and device are
        read from it instead of made again, and new runs are kept in it as they finish.

    Returns
    -------
    labels : numpy.ndarray of int64, shape (n,)
        Theme ids in size order (`relabel_by_size`), ``-1`` for outliers.
    runs : list of numpy.ndarray, shape (n,) each
        Each run's HDBSCAN labels.
    knn : tuple of numpy.ndarray, shapes (n, k) and (n, k)
        The shared neighbour graph: indices (self first) and rounded cosine distances.

    Notes
    -----
    The runs are independent and seeded, so running them in parallel processes gives the
    same labels as running them one after the other; the same inputs give the same bits
    in any process.
    """
    from tqdm.auto import tqdm

    device = resolve_device(device)
    n = len(embeddings)
    t0 = time.perf_counter()
    knn = knn_graph(embeddings, params.n_neighbors, progress=progress)
    timings["knn"] = time.perf_counter() - t0
    timings.setdefault("umap", 0.0)
    timings.setdefault("hdbscan", 0.0)
    key = run_cache.key(embeddings, knn, params, device) if run_cache is not None else None
    made = {}
    if key is not None:
        for seed in dict.fromkeys(int(s) for s in seeds):
            labels = run_cache.get(key, seed, n)
            if labels is not None:
                made[seed] = labels
    todo = list(dict.fromkeys(int(s) for s in seeds if int(s) not in made))
    # One GPU runs one run at a time; on the CPU, one worker process per core.
    workers = 1 if device == "cuda" else _workers(n, len(todo))
    t0 = time.perf_counter()
    desc = f"UMAP + HDBSCAN runs ({'GPU' if device == 'cuda' else 'CPU'})"
    # Runs read from the run cache (or a repeated seed) are the bar's start, not part of
    # its rate and time left, and the bar says how many there were.
    cached = len(seeds) - len(todo)
    with tqdm(
        total=len(seeds),
        initial=cached,
        desc=desc,
        unit="run",
        postfix=f"{cached} from cache" if cached else None,
        disable=not progress,
    ) as bar:
        if workers > 1:
            from joblib import Parallel, delayed

            jobs = Parallel(n_jobs=workers, backend="loky", return_as="generator")(
                delayed(_one_run)(embeddings, knn, params, seed, device) for seed in todo
            )
        else:
            jobs = (_one_run(embeddings, knn, params, seed, device) for seed in todo)
        results = []
        for seed, result in zip(todo, jobs, strict=True):
            results.append(result)
            made[seed] = result[0]
            if key is not None:
                run_cache.put(key, seed, result[0])
            bar.update(1)
    if key is not None and todo:
        run_cache.prune(key)
    runs = [made[int(seed)] for seed in seeds]
    if workers > 1:  # wall time, split between the stages as the workers measured them
        wall = time.perf_counter() - t0
        busy = sum(r[1] + r[2] for r in results) or 1.0
        timings["umap"] += wall * sum(r[1] for r in results) / busy
        timings["hdbscan"] += wall * sum(r[2] for r in results) / busy
    else:
        timings["umap"] += sum(r[1] for r in results)
        timings["hdbscan"] += sum(r[2] for r in results)
    t0 = time.perf_counter()
    labels = (
        runs[0] if len(runs) == 1 else consensus(runs, params.min_cluster_size, progress=progress)
    )
    timings["consensus"] = time.perf_counter() - t0
    return relabel_by_size(labels), runs, knn
