"""The fit and run caches stay under their size limit (`trends._prune`)."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from trends import _prune
from trends.model import ThemeModel
from trends.run_cache import RunCache


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("500MB", 500 * 10**6),
        ("2gb", 2 * 10**9),
        (" 1.5 GiB ", int(1.5 * 2**30)),
        ("1000", 1000),
        ("1e9", 10**9),
        ("0", 0),
        ("unlimited", None),
        ("2G", 2 * 10**9),
        ("500m", 500 * 10**6),
        ("1e20", None),  # more than any disk: before, "not a size" and 2 GB instead
        ("1" + "0" * 400, None),
    ],
)
def test_sizes_are_read_with_their_units(text, expected):
    assert _prune.parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "2 GBs", "-5MB", "lots", "nan", "1.2.3"])
def test_a_size_that_is_not_one_says_what_is_accepted(text):
    with pytest.raises(ValueError, match=r"is not a size: .*500MB"):
        _prune.parse_size(text)


def test_a_bad_limit_in_the_environment_warns_once_and_the_default_applies(monkeypatch):
    monkeypatch.setenv(_prune.ENV_VAR, "two gigabytes")
    monkeypatch.setattr(_prune, "_warned", set())
    with pytest.warns(RuntimeWarning, match="TRENDS_CACHE_MAX.*not a size") as caught:
        assert _prune.max_bytes() == _prune.DEFAULT_MAX
        assert _prune.max_bytes() == _prune.DEFAULT_MAX
    assert len(caught) == 1


def _entry(folder, name, size, used):
    path = folder / name
    if name.endswith("/"):
        path = folder / name.rstrip("/")
        path.mkdir()
        for i in range(2):
            (path / f"{i}.npy").write_bytes(b"x" * (size // 2))
            os.utime(path / f"{i}.npy", (used, used))
    else:
        path.write_bytes(b"x" * size)
    os.utime(path, (used, used))
    return path


def test_the_entries_used_longest_ago_go_first_and_the_new_one_stays(tmp_path):
    now = time.time()
    old = _entry(tmp_path, "old/", 400, now - 300)
    middle = _entry(tmp_path, "middle", 400, now - 200)
    recent = _entry(tmp_path, "recent", 400, now - 100)
    writing = _entry(tmp_path, ".recent.x.tmp", 400, now - 1000)  # a write in progress
    new = _entry(tmp_path, "new", 400, now)
    # 1,600 bytes of entries, limit 900: the two oldest go, the two newest stay
    assert _prune.prune(tmp_path, keep=new, limit=900) == 2
    assert not old.exists() and not middle.exists()
    assert recent.exists() and new.exists() and writing.exists()
    # the entry just written stays even when it alone is over the limit
    assert _prune.prune(tmp_path, keep=new, limit=10) == 1
    assert sorted(os.listdir(tmp_path)) == [".recent.x.tmp", "new"]
    # a folder that does not exist removes nothing and raises nothing
    assert _prune.prune(tmp_path / "none", keep=new, limit=0) == 0


def test_only_what_the_caches_write_is_removed_from_their_folders(tmp_path):
    # a cache folder shared with a project: its own runs/ folder holds the user's files
    now = time.time()
    runs, fits = tmp_path / "runs", tmp_path / "fits"
    runs.mkdir()
    fits.mkdir()
    mine = _entry(runs, "experiment1/", 4000, now - 500)
    notes = _entry(fits, "notes.txt", 4000, now - 500)
    old_runs = _entry(runs, "a" * 40 + "/", 400, now - 300)
    old_fit = _entry(fits, "b" * 40 + ".trends", 400, now - 300)
    set_aside = _entry(fits, "c" * 40 + ".corrupt", 400, now - 200)
    new_runs = _entry(runs, "d" * 40 + "/", 400, now)
    new_fit = _entry(fits, "e" * 40 + ".trends", 400, now)
    assert _prune.prune(runs, keep=new_runs, limit=0) == 1
    assert _prune.prune(fits, keep=new_fit, limit=0) == 2
    assert not old_runs.exists() and not old_fit.exists() and not set_aside.exists()
    assert mine.exists() and notes.exists() and (mine / "0.npy").exists()


def test_unlimited_removes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(_prune.ENV_VAR, "unlimited")
    now = time.time()
    old = _entry(tmp_path, "old", 400, now - 100)
    new = _entry(tmp_path, "new", 400, now)
    assert _prune.prune(tmp_path, keep=new) == 0
    assert old.exists()


def test_the_run_cache_keeps_the_runs_read_back_and_drops_the_oldest(tmp_path, monkeypatch):
    monkeypatch.setenv(_prune.ENV_VAR, "1500B")
    cache = RunCache(tmp_path)
    labels = np.arange(100, dtype=np.int64) % 3  # one run: 400 bytes of labels + header
    keys = [f"{k:040d}" for k in range(4)]
    now = time.time()
    for age, key in zip((400, 300, 200, 100), keys, strict=True):
        cache.put(key, 0, labels)
        folder = tmp_path / "runs" / key[:40]
        os.utime(folder / "0.npy", (now - age, now - age))
        os.utime(folder, (now - age, now - age))
    # the oldest set of runs is read back: it is used now, and the next-oldest goes instead
    assert np.array_equal(RunCache(tmp_path).get(keys[0], 0, 100), labels)
    cache.put("f" * 40, 0, labels)
    cache.prune("f" * 40)
    left = sorted(os.listdir(tmp_path / "runs"))
    assert "f" * 40 in left and keys[0] in left
    assert keys[1] not in left and keys[2] not in left
    assert sum(f.stat().st_size for f in (tmp_path / "runs").rglob("*.npy")) <= 1500


def test_the_fit_cache_stays_under_its_limit(synthetic, tmp_path, monkeypatch):
    from trends import fit_cache

    frame, emb, _ = synthetic
    index = {t: i for i, t in enumerate(frame.text)}

    class Backend:
        identity = "stand-in"
        cacheable = True

        def encode(self, texts, *, progress=True):  # papers: their vectors; names: any
            return emb[[index.get(t, len(t) % len(emb)) for t in texts]]

    model = ThemeModel(embedding=Backend(), verbose=False, cache_dir=tmp_path)
    first, first_path = fit_cache.fit_or_load(frame, model, cache_dir=tmp_path)
    runs = tmp_path / "runs"
    assert first_path.exists() and len(os.listdir(runs)) == 1
    first_runs = os.listdir(runs)
    # a limit below one fit: a second corpus's fit and runs push the first ones out
    monkeypatch.setenv(_prune.ENV_VAR, "1B")
    other = frame.iloc[:-8]
    second, second_path = fit_cache.fit_or_load(
        other,
        ThemeModel(embedding=Backend(), verbose=False, cache_dir=tmp_path),
        cache_dir=tmp_path,
    )
    assert second_path != first_path and second_path.exists()
    assert [p.name for p in (tmp_path / "fits").iterdir()] == [second_path.name]
    assert len(os.listdir(runs)) == 1 and os.listdir(runs) != first_runs
    assert len(os.listdir(runs / os.listdir(runs)[0])) == second.params_.n_runs


def test_a_fit_removed_by_another_process_while_read_is_refitted_without_a_warning(
    synthetic, tmp_path, monkeypatch
):
    import warnings

    from trends import fit_cache

    frame, emb, _ = synthetic
    model = ThemeModel(embedding="tfidf", verbose=False, cache_dir=tmp_path)
    first, path = fit_cache.fit_or_load(frame, model, cache_dir=tmp_path)
    real_load = ThemeModel.load

    def load_after_another_process_pruned(p, **kw):
        p.unlink()  # another process's prune, between the check and the read
        return real_load(p, **kw)

    monkeypatch.setattr(ThemeModel, "load", load_after_another_process_pruned)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again, again_path = fit_cache.fit_or_load(
            frame,
            ThemeModel(embedding="tfidf", verbose=False, cache_dir=tmp_path),
            cache_dir=tmp_path,
        )
    assert again_path == path and path.exists()
    assert np.array_equal(again.labels_, first.labels_)
    assert not path.with_suffix(".corrupt").exists()
