"""A bad environment (cache, store folder, output path, option value) is one clear line.

Each test here rebuilds a report of a tester: an unwritable cache folder, a store on
read-only media, a bad ``--wait`` or ``--seed``, an output path that is a link or a
special file, a file name that looks like a glob pattern.
"""

import contextlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import trends
from trends._io import atomic_write_bytes, atomic_write_text
from trends.cli import app
from trends.errors import StoreError
from trends.store import Store

runner = CliRunner()
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _csv(tmp_path, synthetic, name="papers.csv", n_per_theme=None):
    if n_per_theme is None:
        frame, _, _ = synthetic
    else:
        from conftest import synthetic_corpus

        frame, _, _ = synthetic_corpus(n_per_theme=n_per_theme)
    path = tmp_path / name
    frame[["doc_id", "title", "abstract", "published"]].to_csv(path, index=False)
    return path


def _one_error_line(result, *needles):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("trends: error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], result.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


@contextlib.contextmanager
def _read_only(folder):
    """``folder`` made read-only for this process: 0o500, or a read-only bind mount as root.

    Skips the test when neither can be done here.
    """
    if not IS_ROOT:
        folder.chmod(0o500)
        try:
            if os.access(folder, os.W_OK):
                pytest.skip("a folder of mode 0o500 is still writable here")
            yield folder
        finally:
            folder.chmod(0o700)
        return
    mount, umount = shutil.which("mount"), shutil.which("umount")
    if not mount or not umount:
        pytest.skip("root, and no mount command to make a read-only folder")
    target = folder.with_name(folder.name + "-ro")
    target.mkdir()
    done = subprocess.run([mount, "--bind", str(folder), str(target)], capture_output=True)
    if done.returncode:
        target.rmdir()
        pytest.skip("root, and a read-only bind mount cannot be made here")
    try:
        again = subprocess.run([mount, "-o", "remount,ro,bind", str(target)], capture_output=True)
        if again.returncode or os.access(target, os.W_OK):
            pytest.skip("root, and a read-only bind mount cannot be made here")
        yield target
    finally:
        if subprocess.run([umount, str(target)], capture_output=True).returncode:
            subprocess.run([umount, "-l", str(target)], capture_output=True)  # still in use
        with contextlib.suppress(OSError):
            target.rmdir()


# -- 1. a cache folder that cannot be written -----------------------------------------------
def _cache_warnings(stderr):
    return [line for line in stderr.splitlines() if "cache" in line.lower()]


def test_a_cache_dir_that_is_a_file_warns_once_and_the_run_goes_on(
    tmp_path, synthetic, monkeypatch
):
    path = _csv(tmp_path, synthetic)
    blocker = tmp_path / "cache-file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("TRENDS_CACHE_DIR", str(blocker))
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", str(path), "-o", str(out), "-e", "static", "-q"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert out.is_file() and blocker.read_text().startswith("a file where")
    warned = _cache_warnings(result.stderr)
    assert len(warned) == 1, result.stderr
    assert warned[0].startswith("trends: warning: ")
    assert str(blocker) in warned[0] and "cannot be written" in warned[0]
    assert "not a folder" in warned[0]


def test_a_read_only_cache_dir_warns_once_and_the_run_goes_on(tmp_path, synthetic, monkeypatch):
    path = _csv(tmp_path, synthetic)
    cache = tmp_path / "cache"
    cache.mkdir()
    with _read_only(cache) as folder:
        monkeypatch.setenv("TRENDS_CACHE_DIR", str(folder))
        out = tmp_path / "r.html"
        result = runner.invoke(app, ["report", str(path), "-o", str(out), "-e", "static", "-q"])
        assert result.exit_code == 0, result.output
        assert out.is_file()
        warned = _cache_warnings(result.stderr)
        assert len(warned) == 1, result.stderr
        assert str(folder) in warned[0] and "cannot be written" in warned[0]
    assert not any(cache.iterdir())


def test_the_embedding_cache_api_warns_once_and_keeps_vectors_in_memory(tmp_path):
    import warnings

    import numpy as np

    from trends.embed.cache import EmbeddingCache

    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = EmbeddingCache(blocker)
    vectors = np.eye(3, dtype=np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            cache.put("model", ["a", "b", "c"], vectors)
        cache.compact("model", at=1)
        EmbeddingCache(blocker).put("model", ["d"], vectors[:1])
    assert len(caught) == 1 and "cannot be written" in str(caught[0].message)
    assert np.array_equal(np.vstack(cache.get("model", ["a", "b", "c"])), vectors)


# -- 2. a store on read-only media ----------------------------------------------------------
def test_update_of_a_store_in_a_read_only_folder_is_one_line(tmp_path, synthetic):
    path = _csv(tmp_path, synthetic)
    folder = tmp_path / "stores"
    folder.mkdir()
    with _read_only(folder) as ro:
        result = runner.invoke(app, ["update", str(ro / "s.db"), str(path), "-e", "static", "-q"])
        _one_error_line(result, str(ro / "s.db"), "cannot be written")


def test_a_lock_that_cannot_be_made_is_a_store_error(tmp_path, synthetic):
    frame, _, _ = synthetic
    path = tmp_path / "s.db"
    (tmp_path / "s.db.lock").mkdir()  # the lock file cannot be created: a folder is there
    store = Store(path, cache_dir=tmp_path / "cache")
    with pytest.raises(StoreError, match="cannot lock the store"), store.lock():
        pass
    result = runner.invoke(
        app, ["update", str(path), str(_csv(tmp_path, synthetic)), "-e", "static", "-q"]
    )
    _one_error_line(result, "s.db.lock")
    assert not path.exists()


def test_a_store_on_read_only_media_can_be_reported(tmp_path, synthetic):
    path = _csv(tmp_path, synthetic, n_per_theme=20)
    folder = tmp_path / "stores"
    folder.mkdir()
    built = runner.invoke(app, ["update", str(folder / "s.db"), str(path), "-e", "static", "-q"])
    assert built.exit_code == 0, built.output
    for extra in folder.glob("s.db-*"):  # a cleanly closed store has no -wal or -shm left
        extra.unlink()
    before = sorted(p.name for p in folder.iterdir())
    with _read_only(folder) as ro:
        with Store(ro / "s.db") as store:
            assert len(store.papers()) == 80 and store.last_fit() is not None
        out = tmp_path / "r.html"
        result = runner.invoke(app, ["report", str(ro / "s.db"), "-o", str(out), "-q"])
        assert result.exit_code == 0, result.output
        assert out.is_file() and "80 papers" in result.output
        again = runner.invoke(app, ["update", str(ro / "s.db"), str(path), "-q"])
        _one_error_line(again, str(ro / "s.db"), "cannot be written")
    assert sorted(p.name for p in folder.iterdir()) == before


# -- 3. --wait ------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "NaN"])
def test_a_bad_wait_is_refused_up_front(tmp_path, value):
    result = runner.invoke(
        app, ["update", "--wait", value, str(tmp_path / "s.db"), str(tmp_path / "missing.csv")]
    )
    _one_error_line(result, "--wait", "seconds")


def test_a_zero_wait_is_accepted(tmp_path, synthetic):
    result = runner.invoke(
        app, ["update", "--wait", "0", str(tmp_path / "s.db"), str(tmp_path / "missing.csv")]
    )
    _one_error_line(result, "missing.csv")  # the option passed: the input is what is wrong


# -- 4. atomic writes through links, never over special files -------------------------------
def test_an_atomic_write_through_a_link_writes_its_target(tmp_path):
    target = tmp_path / "real" / "out.txt"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    atomic_write_text(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.txt"]  # no temp file left
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "real" / "later.txt")
    atomic_write_bytes(dangling, b"made")
    assert dangling.is_symlink() and (tmp_path / "real" / "later.txt").read_bytes() == b"made"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_an_atomic_write_refuses_a_fifo_and_a_folder(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "to-pipe"
    link.symlink_to(fifo)
    for path in (fifo, link):
        with pytest.raises(OSError, match="named pipe"):
            atomic_write_bytes(path, b"data")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and link.is_symlink()
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(OSError, match="folder"):
        atomic_write_bytes(folder, b"data")
    assert folder.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "pipe", "to-pipe"]


def test_the_cli_refuses_a_folder_output_before_loading(tmp_path, monkeypatch):
    folder = tmp_path / "out.html"
    folder.mkdir()

    def no_load(*args, **kwargs):
        raise AssertionError("loaded the input before checking the output")

    monkeypatch.setattr(trends, "load", no_load)
    for args in (
        ["report", str(tmp_path / "in.csv"), "-o", str(folder), "-e", "tfidf"],
        ["papers", str(tmp_path / "in.csv"), "-o", str(folder), "--csv", "-e", "tfidf"],
    ):
        result = runner.invoke(app, args)
        _one_error_line(result, str(folder), "folder")
    assert folder.is_dir() and not any(folder.iterdir())


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_the_cli_writes_into_a_named_pipe_and_a_device(tmp_path, synthetic):
    """`-o` a pipe (a shell's `>(...)`), /dev/null: written into, not refused or replaced."""
    import threading

    path = _csv(tmp_path, synthetic)
    fifo = tmp_path / "out"
    os.mkfifo(fifo)
    for args, head in (
        (["report", str(path), "-o", str(fifo)], b"<!DOCTYPE html>"),
        (["papers", str(path), "-o", str(fifo), "--csv"], b"doc_id,theme_id,"),
    ):
        got: list[bytes] = []
        reader = threading.Thread(target=lambda out=got: out.append(fifo.read_bytes()))
        reader.start()
        result = runner.invoke(app, [*args, "-e", "tfidf", "-q"])
        reader.join(timeout=60)
        assert result.exit_code == 0, result.output
        assert got and got[0].startswith(head) and len(got[0]) > 1000
        assert stat.S_ISFIFO(os.stat(fifo).st_mode)
        assert "Report:" not in result.stdout  # the summary goes to stderr, not the pipe
    if os.path.exists("/dev/null") and stat.S_ISCHR(os.stat("/dev/null").st_mode):
        result = runner.invoke(app, ["report", str(path), "-o", "/dev/null", "-e", "tfidf"])
        assert result.exit_code == 0, result.output
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", path.name]


def test_a_dash_output_is_standard_output_and_the_summary_goes_to_stderr(
    tmp_path, synthetic, monkeypatch
):
    path = _csv(tmp_path, synthetic)
    monkeypatch.chdir(tmp_path)
    plain = runner.invoke(app, ["papers", str(path), "--csv", "-e", "tfidf", "-q"])
    dash = runner.invoke(app, ["papers", str(path), "--csv", "-o", "-", "-e", "tfidf", "-q"])
    assert plain.exit_code == dash.exit_code == 0, dash.output
    assert dash.stdout_bytes == plain.stdout_bytes and dash.stdout.startswith("doc_id,")
    # the summary line, as the report's (papers printed none when the table went to stdout)
    for result in (plain, dash):
        assert result.stderr.strip().splitlines()[-1].endswith("Table: standard output")
    report = runner.invoke(app, ["report", str(path), "-o", "-", "-e", "tfidf", "-q"])
    assert report.exit_code == 0, report.output
    assert report.stdout.startswith("<!DOCTYPE html>")
    assert report.stdout.rstrip().endswith("</html>")
    assert "Report: standard output" in report.stderr
    assert not (tmp_path / "-").exists()


def test_papers_output_through_a_link_writes_its_target(tmp_path, synthetic):
    path = _csv(tmp_path, synthetic)
    target = tmp_path / "target.csv"
    target.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    result = runner.invoke(app, ["papers", str(path), "-o", str(link), "-e", "tfidf", "-q"])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and target.read_text().startswith("doc_id,")


# -- 5. a file name that looks like a pattern -----------------------------------------------
def test_a_file_whose_name_looks_like_a_pattern_is_read_as_that_file(tmp_path, synthetic):
    path = _csv(tmp_path, synthetic, name="papers[1].csv")
    assert len(trends.load(path)) == 160
    result = runner.invoke(app, ["themes", str(path), "-e", "tfidf", "-q", "--csv"])
    assert result.exit_code == 0, result.output
    # A name that does not exist as given is still a pattern: papers[1].csv matches papers1.csv
    _csv(tmp_path, synthetic, name="other1.csv")
    assert len(trends.load(tmp_path / "other[1].csv")) == 160


# -- 6. option values are checked before the input is read ----------------------------------
@pytest.mark.parametrize(
    "args, needle",
    [
        (["themes", "--seed", "-1"], "--seed"),
        (["report", "--seed", str(2**32)], "--seed"),
        (["papers", "--csv", "--seed", "-5"], "--seed"),
        (["themes", "--engine", "bogus"], "engine"),
        (["update", "--seed", "-1", "{store}"], "--seed"),
    ],
)
def test_bad_option_values_are_refused_before_loading(tmp_path, monkeypatch, args, needle):
    def no_load(*a, **k):
        raise AssertionError("loaded the input before checking the options")

    monkeypatch.setattr(trends, "load", no_load)
    args = [a.format(store=tmp_path / "s.db") for a in args]
    result = runner.invoke(app, [*args, str(tmp_path / "missing.csv")])
    _one_error_line(result, needle)
    assert "missing.csv" not in result.stderr


def test_a_bad_seed_is_refused_without_reading_a_large_input(tmp_path):
    """The real command (not the test runner): the error comes before any load."""
    run = subprocess.run(
        [sys.executable, "-m", "trends", "themes", str(tmp_path / "nope.csv"), "--seed", "-1"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "--seed" in run.stderr


@pytest.mark.parametrize(
    ("header", "shown"),
    [
        ("abs\x1b[31mtract\x1b[0m", "abs\\x1b[31mtract\\x1b[0m"),  # an ANSI colour code
        ('"abs\ntract"', "abs\\ntract"),  # a line break inside a quoted column name
    ],
)
def test_errors_are_one_line_with_no_control_characters(tmp_path, header, shown):
    # Before: the header's escape sequence reached the terminal, and a line break in it
    # split the error over two lines.
    path = tmp_path / "t.csv"
    path.write_bytes(f"title,{header}\nA,B\n".encode())
    result = runner.invoke(app, ["themes", "-q", str(path)])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("trends: error: ") and shown in line
    assert not any(ord(c) < 0x20 for c in line)


class _Unopenable:
    """A connection whose first query fails, as a WAL store's in a read-only folder does."""

    def execute(self, *args):
        raise sqlite3.OperationalError("unable to open database file")

    def close(self):
        pass


def test_a_read_only_store_with_updates_left_in_its_wal_is_refused(tmp_path, monkeypatch):
    # Before: opened as immutable, which reads the main file only: the updates still in
    # the -wal file were silently missing from what the store showed.
    import trends.store.db as db_module

    path = tmp_path / "s.db"
    with sqlite3.connect(path) as raw:
        raw.executescript(db_module.SCHEMA)
    (tmp_path / "s.db-wal").write_bytes(b"\x37\x7f\x06\x82" + b"\0" * 60)
    real_connect = sqlite3.connect

    def connect(target, *args, **kwargs):
        if "mode=ro" in str(target) and "immutable" not in str(target):
            return _Unopenable()
        return real_connect(target, *args, **kwargs)

    monkeypatch.setattr(db_module.sqlite3, "connect", connect)
    monkeypatch.setattr(Store, "writable_problem", lambda self: "a read-only file system")
    with pytest.raises(StoreError, match="its last updates are still in s.db-wal"):
        Store(path).papers()


def test_update_with_a_seed_or_engine_keeps_the_stores_other_parameters(tmp_path, synthetic):
    """`--seed` (or `--engine ray`) alone changes that, not every parameter to its default."""
    frame, _, _ = synthetic
    path = tmp_path / "s.db"
    model = trends.ThemeModel(embedding="static", n_runs=5, cache_dir=tmp_path / "cache")
    with Store(path, cache_dir=tmp_path / "cache") as store:
        store.update(frame.head(80), model=model, verbose=False)
    day = tmp_path / "day.csv"
    frame.tail(40).assign(doc_id=lambda d: "new-" + d.doc_id)[
        ["doc_id", "title", "abstract", "published"]
    ].to_csv(day, index=False)
    result = runner.invoke(app, ["update", str(path), str(day), "--seed", "42", "-q"])
    assert result.exit_code == 0, result.output
    with Store(path) as store:
        assert store.meta("model_params")["n_runs"] == 5
        assert len(store.papers()) == 120


def test_no_progress_bars_when_stderr_is_not_a_terminal(tmp_path, synthetic):
    """`trends themes ... 2> log`: the log gets the summary, not bars redrawn with CR."""
    path = _csv(tmp_path, synthetic)
    env = {**os.environ, "TRENDS_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-m", "trends", "themes", str(path), "-e", "static"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "\r" not in done.stderr and "UMAP + HDBSCAN runs" not in done.stderr
    assert "papers kept" in done.stderr  # the load summary still comes


def test_a_stores_report_embeds_on_the_engine_asked_for(tmp_path, synthetic, monkeypatch):
    """`trends report STORE --engine ray` used the engine for nothing (silently local)."""
    import trends.fit_cache
    from trends import cli

    frame, _, _ = synthetic
    model = trends.ThemeModel(embedding="static", n_runs=5, cache_dir=tmp_path / "cache")
    with Store(tmp_path / "s.db", cache_dir=tmp_path / "cache") as store:
        store.update(frame.head(80), model=model, verbose=False)
        seen = {}
        monkeypatch.setattr(
            trends.fit_cache, "fit_or_load", lambda corpus, m: (seen.setdefault("m", m), None)
        )
        cli._fit_store(store, True, "ray", "auto")
    assert (seen["m"].engine, seen["m"].ray_address, seen["m"].n_runs) == ("ray", "auto", 5)
