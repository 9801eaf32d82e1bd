"""Where the command line writes: outputs that are inputs, outputs that cannot be written,
standard output that fails, and options a command would otherwise ignore."""

import errno
import io
import sys

import pytest
from typer.testing import CliRunner

import trends.cli as cli
from trends.cli import app

runner = CliRunner()


def _csv(tmp_path, synthetic, name="papers.csv"):
    frame, _, _ = synthetic
    path = tmp_path / name
    frame[["doc_id", "title", "abstract", "published"]].to_csv(path, index=False)
    return path


def _refused(result, *parts):
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("trends: error: "), result.stderr
    for part in parts:
        assert part in lines[0], lines[0]
    assert "Read " not in result.stderr  # before any input was read


@pytest.mark.parametrize("command", ["papers", "report"])
def test_an_output_that_is_one_of_the_inputs_is_refused_before_anything_is_read(
    tmp_path, synthetic, command
):
    # Before: `trends papers x.jsonl --csv -o x.jsonl` exited 0 and replaced the papers
    # with the table (the next run: "line is not valid JSON").
    path = _csv(tmp_path, synthetic)
    before = path.read_bytes()
    extra = ["--csv"] if command == "papers" else []
    result = runner.invoke(app, [command, str(path), "-e", "static", "-q", *extra, "-o", str(path)])
    _refused(result, f"-o {path} is one of the inputs")
    assert path.read_bytes() == before
    # also when the input is the folder that holds it (an earlier run's table), or a link
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.csv").write_bytes(before)
    (folder / "table.csv").write_bytes(before)
    (tmp_path / "link.csv").symlink_to(folder / "a.csv")
    for inputs, out in (
        ([str(folder)], folder / "table.csv"),
        ([str(folder)], tmp_path / "link.csv"),
    ):
        result = runner.invoke(
            app, [command, *inputs, "-e", "static", "-q", *extra, "-o", str(out)]
        )
        _refused(result, "is one of the inputs")
    assert (folder / "a.csv").read_bytes() == before


def test_a_new_output_that_the_inputs_would_read_next_time_is_refused(tmp_path, synthetic):
    """`trends papers dir -o dir/table.json` wrote a new file into the folder it reads: the
    next run read the table back as papers (486 'duplicates' and a changed corpus)."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    _csv(folder, synthetic, "a.csv")
    for inputs, out in (
        ([str(folder)], folder / "table.json"),
        ([str(folder / "*")], folder / "table.csv"),
        ([str(folder / "**" / "*.csv")], folder / "sub" / "table.csv"),
    ):
        result = runner.invoke(app, ["papers", *inputs, "-e", "static", "-q", "-o", str(out)])
        _refused(result, f"-o {out} is among the files that the input", "would read it back")
        assert not out.exists()
    # what the inputs would not read is written: another format, a hidden file, a sub-folder
    for inputs, out in (
        ([str(folder)], folder / "report.html"),
        ([str(folder)], folder / ".table.csv"),
        ([str(folder)], folder / "sub" / "table.csv"),
        ([str(folder / "*.csv")], folder / "table.json"),
    ):
        command = "report" if out.suffix == ".html" else "papers"
        result = runner.invoke(app, [command, *inputs, "-e", "static", "-q", "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.exists()
        out.unlink()


def test_which_input_would_read_an_output_follows_the_loaders_own_listing(tmp_path, monkeypatch):
    """`reading` as `expand` lists files: `**` for zero folders too, links under the
    link's name, wildcard characters in a folder's name taken literally, hidden names
    skipped (a review found the first three accepted and the last refused)."""
    import os

    from trends.load.sources import expand, reading

    monkeypatch.chdir(tmp_path)
    for folder in ("data", "other", "p[1]"):
        os.mkdir(folder)
    (tmp_path / "data" / "a.csv").write_text("title,abstract\nT,Some text.\n")
    os.symlink("../other", "data/lnk")
    os.symlink("../other/real.csv", "data/link.csv")
    cases = [
        (["data/**/*.csv"], "data/out.csv", True),
        (["data/**/*.csv"], "data/lnk/out.csv", True),
        (["data/*/*.csv"], "data/lnk/out.csv", True),
        (["data"], "data/link.csv", True),
        (["data"], "data/../data/y.json", True),
        ([str(tmp_path / "data" / "*.csv")], "data/x.csv", True),
        (["data/*.csv"], "data/.out.csv", False),
        (["data/*.csv"], "data/sub/x.csv", False),
        (["data"], "data/report.html", False),
        (["data/**/*.csv"], "other/x.csv", False),
    ]
    for sources, out, read in cases:
        assert (reading(sources, out) is not None) == read, (sources, out)
        if read and not os.path.lexists(out):  # the loader agrees: it lists the new file
            open(out, "w").close()
            assert any(os.path.realpath(f) == os.path.realpath(out) for f in expand(sources))
            os.remove(out)
    monkeypatch.chdir(tmp_path / "p[1]")
    (tmp_path / "p[1]" / "a.csv").write_text("title,abstract\nT,Some text.\n")
    assert reading(["*.csv"], "out.csv") == "*.csv"


def test_an_output_under_a_file_is_refused_before_anything_is_read(tmp_path, synthetic):
    # Before: the load and the whole fit ran, then "cannot write ...: File exists".
    path = _csv(tmp_path, synthetic)
    result = runner.invoke(app, ["report", str(path), "-q", "-o", str(path / "r.html")])
    _refused(result, f"cannot write {path / 'r.html'}", f"{path} is a file, not a folder")


def test_a_long_output_name_is_written(tmp_path):
    from trends._io import atomic_write_bytes

    # 250 bytes: a name the file system takes, whose temporary name (14 bytes more) it
    # did not ("File name too long")
    for name in ("a" * 246 + ".csv", "é" * 123 + ".csv"):
        target = tmp_path / name
        atomic_write_bytes(target, b"x")
        assert target.read_bytes() == b"x"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_stores_report_refuses_the_options_it_would_ignore(tmp_path, synthetic, monkeypatch):
    monkeypatch.setenv("TRENDS_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "s.sqlite"
    built = runner.invoke(
        app, ["update", str(path), str(_csv(tmp_path, synthetic)), "-e", "static", "-q"]
    )
    assert built.exit_code == 0, built.output
    # Before: exit 0, and a report byte-identical to one made without them.
    for given, named in (
        (["--seed", "99"], "--seed"),
        (["-e", "tfidf"], "--embedding"),
        (["-c", "title=foo", "-f", "csv"], "--format, --column"),
    ):
        result = runner.invoke(
            app, ["report", str(path), "-q", "-o", str(tmp_path / "r.html"), *given]
        )
        _refused(result, named, "the store's own embedding and seed")
    assert not (tmp_path / "r.html").exists()


class _Sys:
    """This interpreter's `sys` with another standard output."""

    def __init__(self, stdout):
        self.stdout = stdout

    def __getattr__(self, name):
        return getattr(sys, name)


class _Full(io.TextIOWrapper):
    """A standard output on a full disk."""

    def __init__(self):
        super().__init__(io.BytesIO(), encoding="utf-8")

    def write(self, text):
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self):
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize(
    "stdout, reason", [(_Full, "No space left on device"), (lambda: None, "it is closed")]
)
def test_a_standard_output_that_cannot_be_written_is_one_line(
    tmp_path, synthetic, monkeypatch, stdout, reason
):
    # Before: a 40-line traceback and exit 1 (OSError from rich or from sys.stdout.write),
    # or AttributeError 'NoneType' object has no attribute 'write' when closed (>&-).
    path = _csv(tmp_path, synthetic)
    monkeypatch.setenv("TRENDS_CACHE_DIR", str(tmp_path / "cache"))
    fitted = runner.invoke(app, ["themes", str(path), "-e", "static", "-q"])
    assert fitted.exit_code == 0, fitted.output
    monkeypatch.setattr(cli, "sys", _Sys(stdout()))
    for args in (
        ["themes", str(path)],
        ["themes", str(path), "--csv"],
        ["themes", str(path), "--json"],
        ["papers", str(path), "--csv"],
        ["papers", str(path), "--json", "-o", "-"],
        ["report", str(path), "-o", "-"],
    ):
        result = runner.invoke(app, [*args, "-e", "static", "-q"])
        assert result.exit_code == 2, (args, result.output)
        last = result.stderr.strip().splitlines()[-1]
        assert last == f"trends: error: cannot write standard output: {reason}", args
        assert "Traceback" not in result.output
        if args[0] == "papers":  # what the load kept and skipped (before: papers said nothing)
            assert "Read 160 records: 160 papers kept" in result.stderr


def test_an_update_whose_summary_cannot_be_written_says_the_store_was_updated(
    tmp_path, synthetic, monkeypatch
):
    # Before: exit 1 with a traceback after the snapshot was committed: a script would
    # have taken the update for failed and run it again.
    path = _csv(tmp_path, synthetic)
    monkeypatch.setenv("TRENDS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "sys", _Sys(_Full()))
    store = tmp_path / "s.sqlite"
    result = runner.invoke(app, ["update", str(store), str(path), "-e", "static", "-q"])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip().splitlines()[-1] == (
        "trends: warning: the store was updated, but cannot write standard output: "
        "No space left on device"
    )
    from trends.store import Store

    with Store(store) as db:
        assert len(db.current()[0]) == len(synthetic[0])


class _Stopped(_Full):
    """A standard output whose reader stopped (``| head -c0``)."""

    def write(self, text):
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    def flush(self):
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


def test_an_update_whose_reader_stopped_says_the_store_was_updated(
    tmp_path, synthetic, monkeypatch
):
    # Before: exit 1 and nothing said, after the snapshot was committed.
    path = _csv(tmp_path, synthetic)
    monkeypatch.setenv("TRENDS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "sys", _Sys(_Stopped()))
    result = runner.invoke(
        app, ["update", str(tmp_path / "s.sqlite"), str(path), "-e", "static", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "the store was updated, but the reader of standard output stopped" in result.stderr


def test_the_theme_table_is_drawn_with_what_standard_output_can_show(
    tmp_path, synthetic, monkeypatch
):
    # Before this session's first fix: UnicodeEncodeError; after it, every line of the
    # frame was "????" (box characters replaced); rich draws an ASCII frame instead.
    path = _csv(tmp_path, synthetic)
    monkeypatch.setenv("TRENDS_CACHE_DIR", str(tmp_path / "cache"))
    out = io.TextIOWrapper(io.BytesIO(), encoding="cp1252")
    monkeypatch.setattr(cli, "sys", _Sys(out))
    result = runner.invoke(app, ["themes", str(path), "-e", "static", "-q"])
    assert result.exit_code == 0, result.output
    lines = out.buffer.getvalue().decode("cp1252").splitlines()
    assert lines[1].startswith("+---") and lines[2].startswith("| theme ")
    assert not any("??" in line for line in lines)


def test_text_for_a_person_is_written_in_standard_outputs_encoding(monkeypatch):
    # Before: UnicodeEncodeError from rich under PYTHONIOENCODING=latin-1 or ascii.
    ascii_out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(cli, "sys", _Sys(ascii_out))
    assert cli._text_out("Schrödinger — 日本") == b"Schr?dinger ? ??"
    latin = io.TextIOWrapper(io.BytesIO(), encoding="latin-1")
    monkeypatch.setattr(cli, "sys", _Sys(latin))
    assert cli._text_out("Schrödinger") == "Schrödinger".encode("latin-1")
