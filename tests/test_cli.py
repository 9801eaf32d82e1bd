"""The command line: success paths on small inputs, and every error path exits 2 on one line."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from trends.cli import app

runner = CliRunner()


def _corpus_csv(tmp_path, synthetic):
    frame, _, _ = synthetic
    path = tmp_path / "papers.csv"
    frame[["doc_id", "title", "abstract", "published"]].rename(columns={"abstract": "body"}).to_csv(
        path, index=False
    )
    return path


def test_help_documents_every_option():
    result = runner.invoke(app, ["report", "--help"])
    assert result.exit_code == 0
    for option in ("--output", "--format", "--column", "--embedding", "--seed", "--title"):
        assert option in result.output
    assert runner.invoke(app, ["themes", "--help"]).exit_code == 0
    # An update keeps the store's embedding and seed: its help says so, not "Default: 42".
    update = " ".join(runner.invoke(app, ["update", "--help"], terminal_width=200).output.split())
    assert "Default: the store's; minilm for a new store" in update
    assert "Default: the store's; 42 for a new store" in update
    assert "Default: 42" not in update and "Default: minilm." not in update
    papers = " ".join(runner.invoke(app, ["papers", "--help"], terminal_width=200).output.split())
    assert "which needs --csv or --json" in papers


def test_report_on_a_csv_with_column_mapping(tmp_path, synthetic):
    path = _corpus_csv(tmp_path, synthetic)
    out = tmp_path / "out" / "r.html"
    result = runner.invoke(
        app,
        ["report", str(path), "-o", str(out), "-c", "abstract=body", "-e", "tfidf", "-q"],
    )
    assert result.exit_code == 0, result.output
    assert out.exists() and out.stat().st_size > 1_000_000
    assert "160 papers" in result.output and "themes" in result.output and str(out) in result.output


def test_themes_json_and_csv(tmp_path, synthetic):
    path = _corpus_csv(tmp_path, synthetic)
    base = ["themes", str(path), "-c", "abstract=body", "-e", "tfidf", "-q"]
    result = runner.invoke(app, [*base, "--json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)  # the load summary goes to stderr, not into the JSON
    assert "Read 160 records: 160 papers kept" in result.stderr
    assert {"theme_id", "label", "size", "keywords"} <= set(records[0])
    assert sum(r["size"] for r in records) == 160
    result = runner.invoke(app, [*base, "--csv"])
    assert result.stdout.splitlines()[0].startswith("theme_id,label,size")
    result = runner.invoke(app, base)
    assert result.exit_code == 0 and "themes in 160 papers" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["report", "missing.csv"], "missing.csv: no such file or folder"),
        (["report", "{empty}"], "file is empty"),
        (["themes", "{bad}"], "no abstract column"),
        (["themes", "{bad}"], "-c abstract=COLUMN"),
        (["themes", "{store}"], "is a store (a database), not a file of papers"),
        (["papers", "{store}", "--csv"], "is a store (a database), not a file of papers"),
        (["report", "{data}/custom.csv", "--column", "oops"], "--column expects canonical=yours"),
        (["report", "{data}/custom.csv", "--column", "topic=title"], "not a canonical column"),
        (["themes", "--column", "abstract=body"], "none was given"),
        (["report", "{fake}"], "not a trends store (not an SQLite database)"),
        (["themes", "{fake}"], "not a trends store (not an SQLite database)"),
        (["themes", "{data}/small.tsv", "-e", "nosuchmodel"], "'nosuchmodel' is not"),
        (["report", "{data}/custom.csv", "--format", "docx"], "unknown format 'docx'"),
        (["themes", "{data}/small.tsv", "-e", "tfidf", "--json", "--csv"], "choose one of"),
        (["themes", "{data}/small.tsv", "-e", "tfidf"], "need at least 10 papers"),
        (["report", "-e", "/no/such/model"], "'/no/such/model' does not exist"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, data, args, message):
    (tmp_path / "empty.jsonl").write_text("")
    (tmp_path / "bad.csv").write_text("name,score\na,1\n")
    import sqlite3

    sqlite3.connect(tmp_path / "s.sqlite").execute("CREATE TABLE papers (x)").connection.commit()
    fill = {
        "empty": tmp_path / "empty.jsonl",
        "bad": tmp_path / "bad.csv",
        "data": data,
        "store": tmp_path / "s.sqlite",
        "fake": tmp_path / "fake.db",
    }
    (tmp_path / "fake.db").write_text("not a database\n")
    args = [a.format(**fill) for a in args]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    err = [line for line in result.stderr.splitlines() if line.startswith("trends: error: ")]
    assert len(err) == 1 and result.stderr.strip().endswith(err[0])
    assert message in err[0]
    assert "Traceback" not in result.output
    if "--column" in args or "-e" in args and "nosuchmodel" in args:
        assert "Read " not in result.stderr  # refused before any input was read


def test_installed_command_runs_without_traceback(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "trends", "report", str(tmp_path / "nope.jsonl")],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert run.stderr.strip() == f"trends: error: {tmp_path / 'nope.jsonl'}: no such file or folder"


def test_a_bug_shows_its_traceback_and_exits_1(tmp_path, synthetic):
    """Only bad input is reported in one line; an internal error is not disguised as one."""
    path = _corpus_csv(tmp_path, synthetic)
    script = (
        "import sys, trends.fit\n"
        "def boom(*args, **kwargs):\n"
        "    raise ValueError('an internal bug')\n"
        "trends.fit.fit_themes = boom\n"
        "from trends.cli import main\n"
        f"sys.argv = ['trends', 'themes', {str(path)!r}, '-c', 'abstract=body', '-e', 'tfidf']\n"
        "main()\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 1
    assert "Traceback (most recent call last)" in run.stderr
    assert run.stderr.strip().endswith("ValueError: an internal bug")
    assert "trends: error:" not in run.stderr


def test_help_does_not_import_the_heavy_libraries():
    script = (
        "import sys\n"
        "from trends.cli import app\n"
        "heavy = ('plotly', 'pandas', 'torch', 'sklearn', 'umap')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "print(heavy)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
    assert (
        subprocess.run(
            [sys.executable, "-m", "trends", "--help"], capture_output=True, text=True
        ).returncode
        == 0
    )


def test_every_embedding_name_passes_the_early_check_and_bad_ones_fail_it(tmp_path):
    from trends.cli import _check_model_options
    from trends.errors import EmbeddingError, InputError

    for name in [
        "Static",
        "minilm-0128",
        "minilm-64",
        "TFIDF",
        "sentence-transformers/all-MiniLM-L6-v2",
    ]:
        _check_model_options(embedding=name)  # accepted: no model is loaded yet
    with pytest.raises(InputError, match="16 to 512"):
        _check_model_options(embedding="minilm-8")
    with pytest.raises(EmbeddingError, match="does not exist"):
        _check_model_options(embedding=str(tmp_path / "no-model"))


def test_ctrl_c_says_interrupted_and_exits_130(monkeypatch):
    import trends.cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(trends.cli, "_load", interrupted)
    result = runner.invoke(app, ["themes"])
    assert result.exit_code == 130
    assert result.stderr.strip() == "trends: interrupted"  # before: nothing at all
