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
    assert runner.invoke(app, ["update", "--help"]).exit_code == 0


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
    records = json.loads(result.stdout)
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
        (["report", "{data}/custom.csv", "--column", "oops"], "--column expects canonical=yours"),
        (["report", "{data}/custom.csv", "--column", "topic=title"], "not canonical columns"),
        (["report", "{data}/custom.csv", "--format", "docx"], "unknown format 'docx'"),
        (["themes", "{data}/small.tsv", "-e", "tfidf", "--json", "--csv"], "choose one of"),
        (["themes", "{data}/small.tsv", "-e", "tfidf"], "need at least 10 papers"),
        (["report", "-e", "/no/such/model"], "could not load the embedding"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, data, args, message):
    (tmp_path / "empty.jsonl").write_text("")
    (tmp_path / "bad.csv").write_text("name,score\na,1\n")
    fill = {"empty": tmp_path / "empty.jsonl", "bad": tmp_path / "bad.csv", "data": data}
    args = [a.format(**fill) for a in args]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    err = [line for line in result.stderr.splitlines() if line.startswith("trends: error: ")]
    assert len(err) == 1 and result.stderr.strip().endswith(err[0])
    assert message in err[0]
    assert "Traceback" not in result.output


def test_installed_command_runs_without_traceback(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "trends", "report", str(tmp_path / "nope.jsonl")],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert run.stderr.strip() == f"trends: error: {tmp_path / 'nope.jsonl'}: no such file or folder"
