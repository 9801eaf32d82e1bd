"""The clustering's run cache: a refit of the same vectors reads its runs back, bit for bit."""

import dataclasses
import io

import numpy as np
import pytest

from trends import ThemeModel
from trends import cluster as tc
from trends.run_cache import RunCache


@pytest.fixture
def run_calls(monkeypatch):
    """The seeds of the UMAP + HDBSCAN runs actually made (the small fits run in-process)."""
    seen = []
    original = tc._one_run

    def spy(embeddings, knn, params, seed, device="cpu"):
        seen.append(seed)
        return original(embeddings, knn, params, seed, device)

    monkeypatch.setattr(tc, "_one_run", spy)
    return seen


def _fit(frame, emb, cache_dir, **kwargs):
    return ThemeModel(verbose=False, cache_dir=cache_dir, **kwargs).fit(frame, embeddings=emb)


def test_a_refit_reads_its_runs_back(synthetic, tmp_path, run_calls):
    frame, emb, _ = synthetic
    first = _fit(frame, emb, tmp_path)
    n_runs = first.fit_.params.n_runs
    assert len(run_calls) == n_runs
    files = sorted((tmp_path / "runs").rglob("*.npy"))
    assert len(files) == n_runs
    again = _fit(frame, emb, tmp_path)
    assert len(run_calls) == n_runs  # no run made again
    assert np.array_equal(again.fit_.runs, first.fit_.runs)
    assert np.array_equal(again.labels_, first.labels_)
    assert again.themes_.keywords.tolist() == first.themes_.keywords.tolist()
    # The same runs made without the cache: the cached labels are the computed ones.
    fresh = _fit(frame, emb, False)
    assert np.array_equal(fresh.fit_.runs, first.fit_.runs)
    assert len(run_calls) == 2 * n_runs
    assert sorted((tmp_path / "runs").rglob("*.npy")) == files  # False writes nothing


def test_anything_a_run_depends_on_is_another_key(synthetic, tmp_path, run_calls):
    frame, emb, _ = synthetic
    base = _fit(frame, emb, tmp_path, n_runs=2)
    assert len(run_calls) == 2
    # Another seed, other HDBSCAN sizes, other vectors: every run is made again.
    _fit(frame, emb, tmp_path, n_runs=2, random_state=7)
    _fit(frame, emb, tmp_path, n_runs=2, min_samples=3)
    noisy = emb + np.random.default_rng(0).normal(scale=1e-3, size=emb.shape).astype(np.float32)
    _fit(frame, noisy, tmp_path, n_runs=2)
    assert len(run_calls) == 8
    # More runs of the same seed reuse the ones made (the seeds are a prefix).
    more = _fit(frame, emb, tmp_path, n_runs=3)
    assert len(run_calls) == 9
    assert np.array_equal(more.fit_.runs[:2], base.fit_.runs)
    cache = RunCache(tmp_path)
    params = tc.ClusterParams.for_corpus(len(emb))
    knn = tc.knn_graph(emb, params.n_neighbors)
    key = cache.key(emb, knn, params, "cpu")
    assert key == cache.key(emb.copy(), knn, dataclasses.replace(params, n_runs=9), "cpu")
    assert key != cache.key(emb, knn, params, "cuda")
    assert key != cache.key(emb, knn, dataclasses.replace(params, n_epochs=50), "cpu")
    assert key != cache.key(emb, (knn[0], knn[1] + np.float32(0.01)), params, "cpu")


def test_a_damaged_run_file_is_set_aside_and_the_run_made_again(synthetic, tmp_path, run_calls):
    frame, emb, _ = synthetic
    first = _fit(frame, emb, tmp_path, n_runs=3)
    files = sorted((tmp_path / "runs").rglob("*.npy"))
    files[0].write_bytes(b"not a numpy file")
    np.save(files[1], np.zeros(5, dtype=np.int32))  # readable, but not one label per paper
    with pytest.warns(RuntimeWarning, match="unreadable.*set aside") as caught:
        again = _fit(frame, emb, tmp_path, n_runs=3)
    assert len(caught) == 1  # once per fit, however many files
    assert len(run_calls) == 3 + 2
    assert np.array_equal(again.labels_, first.labels_)
    assert len(list((tmp_path / "runs").rglob("*.corrupt"))) == 2
    assert sorted((tmp_path / "runs").rglob("*.npy")) == files  # made again and kept


def test_an_unusable_run_cache_warns_once_and_fits(synthetic, tmp_path, run_calls):
    frame, emb, _ = synthetic
    (tmp_path / "runs").write_text("a file where the folder should be")
    with pytest.warns(RuntimeWarning) as caught:
        model = _fit(frame, emb, tmp_path, n_runs=3)
    messages = sorted(str(w.message).split(" (")[0] for w in caught)
    assert messages == [
        f"cannot read the clustering run cache in {tmp_path / 'runs'}",
        f"could not keep a clustering run in {tmp_path / 'runs'}",
    ]
    assert len(run_calls) == 3
    assert np.array_equal(model.labels_, _fit(frame, emb, False, n_runs=3).labels_)


def test_any_damaged_file_is_a_miss_never_a_traceback(tmp_path, monkeypatch):
    cache = RunCache(tmp_path)
    good = np.array([0, 1, -1, 1], dtype=np.int64)
    cache.put("k" * 64, 1, good)
    assert np.array_equal(cache.get("k" * 64, 1, 4), good) and cache.hits == 1
    path = cache._path("k" * 64, 2)
    with open(path, "wb") as fh:  # an archive where a run should be
        np.savez(fh, labels=good)
    header = io.BytesIO()
    np.save(header, good.astype(np.int32))
    huge = header.getvalue().replace(b"(4,)", b"(9999999999999,)")
    for seed, content in [(3, huge), (4, b""), (5, header.getvalue()[:20])]:
        cache._path("k" * 64, seed).write_bytes(content)
    np.save(cache._path("k" * 64, 6), np.array([0, -2, 1, 1], dtype=np.int32))
    np.save(cache._path("k" * 64, 7), good.astype(np.float32))
    with pytest.warns(RuntimeWarning, match="unreadable") as caught:
        assert all(cache.get("k" * 64, seed, 4) is None for seed in range(2, 8))
    assert len(caught) == 1 and cache.misses == 6
    assert len(list(path.parent.glob("*.corrupt"))) == 6

    # A cache that cannot be read at all (another user's folder): a miss, one warning.
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(np, "load", refuse)
    fresh = RunCache(tmp_path)
    with pytest.warns(RuntimeWarning, match="cannot read") as caught:
        assert fresh.get("k" * 64, 1, 4) is None and fresh.get("k" * 64, 1, 4) is None
    assert len(caught) == 1


@pytest.mark.parametrize("value", ["off", "0", "False", " no "])
def test_the_environment_turns_only_the_run_cache_off(
    synthetic, tmp_path, run_calls, monkeypatch, value
):
    frame, emb, _ = synthetic
    monkeypatch.setenv("TRENDS_RUN_CACHE", value)
    _fit(frame, emb, tmp_path, n_runs=2)
    _fit(frame, emb, tmp_path, n_runs=2)
    assert len(run_calls) == 4 and not (tmp_path / "runs").exists()
    monkeypatch.setenv("TRENDS_RUN_CACHE", "on")
    _fit(frame, emb, tmp_path, n_runs=2)
    _fit(frame, emb, tmp_path, n_runs=2)
    assert len(run_calls) == 6


def test_the_progress_bar_counts_cached_runs_apart(synthetic, tmp_path, capsys):
    frame, emb, _ = synthetic
    ThemeModel(verbose=True, cache_dir=tmp_path, n_runs=3).fit(frame, embeddings=emb)
    first = capsys.readouterr().err
    assert "UMAP + HDBSCAN runs (CPU)" in first and "from cache" not in first
    ThemeModel(verbose=True, cache_dir=tmp_path, n_runs=3).fit(frame, embeddings=emb)
    again = capsys.readouterr().err
    final = [line for line in again.replace("\r", "\n").splitlines() if "HDBSCAN runs" in line][-1]
    assert "3/3" in final and "3 from cache" in final
    # The cached runs took no time: they are no rate (before: hundreds of thousands of
    # runs a second).
    assert "?run/s" in final, final
