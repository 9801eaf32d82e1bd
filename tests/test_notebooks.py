"""Every notebook runs top to bottom on a clean install, offline; none is committed with outputs."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# Smaller slices for CI; each notebook's default is the full run.
CI_PARAMETERS = {
    "01_quickstart": {},
    "02_trends_over_time": {"DAYS": 6, "UPDATE_DAYS": 2},
    "03_your_own_data": {"SAMPLE": 300},
}


def test_the_three_notebooks_exist():
    assert [p.stem for p in NOTEBOOKS] == list(CI_PARAMETERS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code
    assert all(c.get("outputs") == [] and c.get("execution_count") is None for c in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_are_thin(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            assert "def " not in source and "class " not in source, "logic belongs in trends/"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, corpora, monkeypatch, tmp_path):
    from trends._notebooks import execute

    monkeypatch.setenv("TRENDS_SHARED_CORPORA", str(corpora))
    # run a copy, so that files it writes land in a temporary folder
    copy = tmp_path / path.name
    copy.write_text(path.read_text())
    nb = execute(copy, CI_PARAMETERS[path.stem], timeout=900)
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert errors == []
