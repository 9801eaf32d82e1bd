"""The clustering stage on small seeded inputs: kNN, outlier reassignment and its cap, runs."""

import numpy as np
import pytest

from trends import cluster as tc


def _unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _one_theme_and_outliers(n_members=10, n_outliers=30, seed=0):
    """Theme 0 around one direction; outliers at decreasing similarity to it."""
    rng = np.random.default_rng(seed)
    centre = np.zeros(16)
    centre[0] = 1.0
    members = centre + rng.normal(scale=0.05, size=(n_members, 16))
    spread = np.linspace(0.1, 1.5, n_outliers)[:, None]
    outliers = centre + spread * rng.normal(size=(n_outliers, 16))
    emb = _unit(np.vstack([members, outliers]))
    labels = np.r_[np.zeros(n_members, dtype=np.int64), -np.ones(n_outliers, dtype=np.int64)]
    cents = tc.centroids(emb, labels, 1)
    return emb, labels, cents


def test_reassign_without_cap_places_every_outlier():
    emb, labels, cents = _one_theme_and_outliers()
    out = tc.reassign_outliers(emb, labels, cents, threshold=None)
    assert (out == 0).all()
    assert (labels[10:] == -1).all()  # the input is not modified


def test_reassign_cap_lets_the_most_similar_outliers_join_first():
    emb, labels, cents = _one_theme_and_outliers()
    out = tc.reassign_outliers(emb, labels, cents, threshold=None, max_size=25)
    assert np.sum(out == 0) == 25
    joined = np.flatnonzero((labels == -1) & (out == 0))
    left = np.flatnonzero(out == -1)
    sims = emb @ cents[0]
    assert len(joined) == 15 and len(left) == 15
    assert sims[joined].min() >= sims[left].max()


def test_reassign_cap_and_threshold_together():
    emb, labels, cents = _one_theme_and_outliers()
    sims = emb @ cents[0]
    threshold = np.array([np.sort(sims[10:])[::-1][19]], dtype=np.float32)  # 20 pass it
    capped = tc.reassign_outliers(emb, labels, cents, threshold=threshold, max_size=100)
    assert np.sum(capped == 0) == 30
    tight = tc.reassign_outliers(emb, labels, cents, threshold=threshold, max_size=14)
    assert np.sum(tight == 0) == 14


def test_a_theme_at_or_over_the_cap_gets_no_outliers_others_still_do():
    rng = np.random.default_rng(1)
    a = np.zeros(8)
    a[0] = 1
    b = np.zeros(8)
    b[1] = 1
    emb = _unit(
        np.vstack(
            [
                a + rng.normal(scale=0.05, size=(12, 8)),
                b + rng.normal(scale=0.05, size=(5, 8)),
                a + rng.normal(scale=0.1, size=(4, 8)),
                b + rng.normal(scale=0.1, size=(4, 8)),
            ]
        )
    )
    labels = np.r_[np.zeros(12), np.ones(5), -np.ones(8)].astype(np.int64)
    cents = tc.centroids(emb, labels, 2)
    out = tc.reassign_outliers(emb, labels, cents, threshold=None, max_size=10)
    assert np.sum(out == 0) == 12  # already over: unchanged
    assert out[17:21].tolist() == [-1] * 4
    assert out[21:].tolist() == [1] * 4 and np.sum(out == 1) == 9


def test_reassign_cap_ties_go_to_the_earlier_paper():
    emb = _unit([[1, 0], [1, 0], [1, 0.5], [1, 0.5], [1, 0.5]])
    labels = np.array([0, 0, -1, -1, -1])
    cents = tc.centroids(emb, labels, 1)
    out = tc.reassign_outliers(emb, labels, cents, threshold=None, max_size=4)
    assert out.tolist() == [0, 0, 0, 0, -1]


def test_many_copies_of_one_abstract_respect_the_theme_cap():
    """Issue 11 item 16: 10,000 copies of one abstract gave one theme of 79%.

    Here 300 copies among 200 papers of four themes: after the fit's outlier reassignment
    (with the cap the fit passes) no theme holds more than ``max_cluster_size`` papers.
    """
    from conftest import synthetic_corpus

    _, emb, _ = synthetic_corpus(n_per_theme=50, seed=3)
    rng = np.random.default_rng(0)
    copy = emb[0] + rng.normal(scale=1e-7, size=(300, emb.shape[1]))
    x = _unit(np.vstack([emb, copy]))
    params = tc.ClusterParams.for_corpus(len(x))
    labels, _, _ = tc.cluster(x, params, [1, 2, 3], {}, progress=False)
    n_themes = int(labels.max()) + 1
    cents = tc.centroids(x, labels, n_themes)
    out = tc.reassign_outliers(x, labels, cents, threshold=None, max_size=params.max_cluster_size)
    sizes = np.bincount(out[out >= 0])
    assert sizes.max() <= params.max_cluster_size == 125
    uncapped = tc.reassign_outliers(x, labels, cents, threshold=None)
    assert np.bincount(uncapped[uncapped >= 0]).max() > params.max_cluster_size


def test_exact_knn_self_first_sorted_and_ties_by_index():
    x = _unit([[1, 0], [1, 0], [1, 0], [0, 1], [0.9, 0.1]])
    idx, dist = tc.exact_knn(x, 3)
    assert idx[:, 0].tolist() == [0, 1, 2, 3, 4]
    assert (dist[:, 0] == 0).all()
    assert (np.diff(dist[:, 1:], axis=1) >= 0).all()
    assert idx[0].tolist() == [0, 1, 2]  # three identical papers: the lowest ids
    assert idx[4].tolist() == [4, 0, 1]


def test_exact_knn_does_not_depend_on_the_chunk_size():
    rng = np.random.default_rng(0)
    x = _unit(rng.normal(size=(300, 8)))
    a = tc.exact_knn(x, 10, chunk=64)
    b = tc.exact_knn(x, 10, chunk=1000)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


@pytest.mark.parametrize("sigma", [1e-7, 1e-6])
def test_exact_knn_is_unchanged_by_float_noise(sigma):
    """The graph given to UMAP is the same bits under noise far below its grid."""
    rng = np.random.default_rng(0)
    x = _unit(rng.normal(size=(200, 16)))
    y = _unit(x + rng.normal(scale=sigma, size=x.shape))
    a, b = tc.exact_knn(x, 15), tc.exact_knn(y, 15)
    assert np.array_equal(a[0], b[0])
    assert np.array_equal(a[1], b[1])


def test_cluster_is_deterministic_for_a_seed(synthetic):
    _, emb, truth = synthetic
    params = tc.ClusterParams.for_corpus(len(emb))
    a, runs_a, _ = tc.cluster(emb, params, [5, 6, 7], {}, progress=False)
    b, runs_b, _ = tc.cluster(emb, params, [5, 6, 7], {}, progress=False)
    assert np.array_equal(a, b)
    assert all(np.array_equal(r, s) for r, s in zip(runs_a, runs_b, strict=True))
    from sklearn.metrics import adjusted_rand_score

    assert adjusted_rand_score(truth, a) > 0.9


def _blobs(n_per=300, k=6, dim=24, seed=0, scale=0.25):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, dim))
    x = np.vstack([c + rng.normal(scale=scale, size=(n_per, dim)) for c in centres])
    return _unit(x), np.repeat(np.arange(k), n_per)


@pytest.mark.slow  # pynndescent compiles with numba on first use (~30 s of CPU)
def test_approximate_knn_finds_the_exact_neighbours_and_is_seeded():
    x, _ = _blobs(n_per=250)
    exact = tc.exact_knn(x, 15)
    approx = tc.approximate_knn(x, 15, seed=3)
    again = tc.approximate_knn(x, 15, seed=3)
    assert np.array_equal(approx[0], again[0]) and np.array_equal(approx[1], again[1])
    assert (approx[0][:, 0] == np.arange(len(x))).all() and (approx[1][:, 0] == 0).all()
    recall = np.mean([len(set(a) & set(b)) / 15 for a, b in zip(approx[0], exact[0], strict=True)])
    assert recall > 0.95
    # Listed as the exact search lists them: by rounded distance, then index.
    assert (np.diff(approx[1][:, 1:], axis=1) >= 0).all()


def test_knn_graph_goes_approximate_above_the_exact_limit(monkeypatch):
    x, _ = _blobs(n_per=100)
    calls = []
    monkeypatch.setattr(tc, "approximate_knn", lambda *a, **k: calls.append(1) or "approx")
    assert tc.knn_graph(x, 10) != "approx"
    monkeypatch.setattr(tc, "EXACT_KNN_MAX", 100)
    assert tc.knn_graph(x, 10) == "approx" and calls == [1]


def _noisy_runs(truth, n_runs=8, flip=0.1, seed=0):
    """Runs that agree with ``truth`` except for random flips and outliers."""
    rng = np.random.default_rng(seed)
    runs = []
    for _ in range(n_runs):
        run = truth.copy()
        moved = rng.random(len(truth)) < flip
        run[moved] = rng.integers(-1, truth.max() + 1, size=moved.sum())
        runs.append(run)
    return runs


def test_consensus_recovers_the_common_partition():
    from sklearn.metrics import adjusted_rand_score

    truth = np.repeat(np.arange(5), 60)
    labels = tc.consensus(_noisy_runs(truth), min_size=10)
    assert adjusted_rand_score(truth, labels) > 0.95


def test_consensus_above_the_dense_limit_stays_close_to_the_exact_one():
    from sklearn.metrics import adjusted_rand_score

    truth = np.repeat(np.arange(8), 250)
    runs = _noisy_runs(truth, flip=0.15, seed=1)
    groups = len(np.unique(np.vstack(runs).T, axis=0))
    exact = tc.consensus(runs, min_size=20)
    assert np.array_equal(exact, tc.consensus(runs, min_size=20, dense_max=groups))
    small = tc.consensus(runs, min_size=20, dense_max=groups // 10)
    assert adjusted_rand_score(exact, small) > 0.98
    assert abs(np.mean(small == -1) - np.mean(exact == -1)) < 0.02


def test_spectral_init_is_on_the_grid_and_unchanged_by_float_noise():
    x, _ = _blobs(n_per=80, k=4)
    y = _unit(x + np.random.default_rng(1).normal(scale=1e-7, size=x.shape))
    a = tc.spectral_init(x, tc.exact_knn(x, 15), n_components=5, n_neighbors=15)
    b = tc.spectral_init(y, tc.exact_knn(y, 15), n_components=5, n_neighbors=15)
    assert a.shape == (len(x), 5) and np.abs(a).max() <= 10
    assert np.array_equal(np.round(a / tc.INIT_STEP) * tc.INIT_STEP, a)
    assert np.array_equal(a, b)


def test_cluster_under_float_noise_gives_the_same_themes():
    x, truth = _blobs(n_per=60, k=5, scale=0.35)
    y = _unit(x + np.random.default_rng(2).normal(scale=1e-6, size=x.shape))
    params = tc.ClusterParams.for_corpus(len(x))
    a, _, _ = tc.cluster(x, params, [1, 2, 3], {}, progress=False)
    b, _, _ = tc.cluster(y, params, [1, 2, 3], {}, progress=False)
    assert np.array_equal(a, b)


def test_cluster_reports_its_stages_and_timings(synthetic, capsys):
    _, emb, _ = synthetic
    timings = {}
    tc.cluster(emb, tc.ClusterParams.for_corpus(len(emb)), [1, 2], timings, progress=True)
    err = capsys.readouterr().err
    assert "Nearest neighbours" in err and "UMAP + HDBSCAN runs (CPU)" in err
    assert set(timings) >= {"knn", "umap", "hdbscan", "consensus"}
    assert all(v >= 0 for v in timings.values())


def test_device_choice():
    from trends.errors import InputError

    assert tc.resolve_device("cpu") == "cpu"
    with pytest.raises(InputError, match="device must be"):
        tc.resolve_device("gpu")
    if tc.cuml_unavailable() is None:
        assert tc.resolve_device(None) == "cuda" == tc.resolve_device("cuda")
    else:
        assert tc.resolve_device(None) == "cpu"
        with pytest.raises(InputError, match="pip install"):
            tc.resolve_device("cuda")


_NO_CUML = tc.cuml_unavailable()


@pytest.mark.skipif(_NO_CUML is not None, reason=f"no GPU path here: {_NO_CUML}")
def test_cuml_runs_find_the_themes(synthetic):
    from sklearn.metrics import adjusted_rand_score

    _, emb, truth = synthetic
    params = tc.ClusterParams.for_corpus(len(emb))
    labels, runs, _ = tc.cluster(emb, params, [1, 2, 3], {}, progress=False, device="cuda")
    again, _, _ = tc.cluster(emb, params, [1, 2, 3], {}, progress=False, device="cuda")
    assert adjusted_rand_score(truth, labels) > 0.9
    assert np.array_equal(labels, again)


def test_the_2d_map_is_unchanged_by_float_noise():
    """`reduce` with its default init, as the paper map calls it: the same coordinates."""
    x, _ = _blobs(n_per=50, k=4)
    y = _unit(x + np.random.default_rng(3).normal(scale=1e-7, size=x.shape))
    maps = [
        tc.reduce(v, tc.exact_knn(v, 15), n_components=2, n_neighbors=15, seed=4, min_dist=0.1)
        for v in (x, y)
    ]
    assert maps[0].shape == (200, 2)
    assert np.array_equal(maps[0], maps[1])


def test_epochs_per_run_reach_umap_and_stay_deterministic(synthetic):
    _, emb, _ = synthetic
    knn = tc.exact_knn(emb, 15)

    def layout(epochs):
        return tc.reduce(
            emb, knn, n_components=5, n_neighbors=15, seed=3, init="random", n_epochs=epochs
        )

    default, short = layout(None), layout(30)
    assert np.array_equal(short, layout(30))  # the same seed and epochs: the same bits
    assert not np.allclose(default, short)  # 30 epochs are not umap-learn's 500
    params = tc.ClusterParams.for_corpus(len(emb))
    assert params.n_epochs is None  # umap-learn's own choice unless asked
    quick = tc.ClusterParams(**{**params.__dict__, "n_runs": 2, "n_epochs": 30})
    labels, runs, _ = tc.cluster(emb, quick, [1, 2], {}, progress=False)
    again, _, _ = tc.cluster(emb, quick, [1, 2], {}, progress=False)
    assert np.array_equal(labels, again) and len(runs) == 2


def test_default_runs_follow_the_documented_rule():
    # DEFAULT_RUNS up to 5,000 papers, falling linearly to LARGE_RUNS by 10,000 papers
    # (where umap-learn's runs go from 500 epochs to 200), LARGE_RUNS up to 40,000, then
    # a bounded total: runs x papers stays at 15 x 40,000 (to the nearest run), at least 3.
    counts = {n: tc.default_runs(n) for n in (192, 3_000, 5_000, 7_500, 10_000, 17_000)}
    assert counts == {192: 25, 3_000: 25, 5_000: 25, 7_500: 20, 10_000: 15, 17_000: 15}
    assert tc.default_runs(40_000) == tc.LARGE_RUNS == 15
    assert tc.default_runs(60_000) == 10 and tc.default_runs(100_000) == 6
    assert tc.default_runs(200_000) == tc.default_runs(3_000_000) == 3
    for n in range(40_000, 200_000, 1_013):
        assert (tc.default_runs(n) - 0.5) * n <= 15 * 40_000  # rounded to the nearest run
    assert tc.default_runs(0) == tc.DEFAULT_RUNS
    runs = [tc.default_runs(n) for n in range(1, 200_000, 97)]
    assert runs == sorted(runs, reverse=True)  # never more runs for more papers
    assert max(abs(a - b) for a, b in zip(runs[:-1], runs[1:], strict=True)) <= 1  # no cliff
    assert tc.ClusterParams.for_corpus(3_000).n_runs == tc.DEFAULT_RUNS
    assert tc.ClusterParams.for_corpus(3_000, n_runs=4).n_runs == 4
