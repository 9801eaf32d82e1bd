"""Every benchmark script answers --help with its usage, and runs nothing."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

BENCHMARKS = sorted(
    p
    for p in (Path(__file__).resolve().parent.parent / "benchmarks").glob("*.py")
    if not p.name.startswith("_")
)


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.name)
def test_help_prints_usage_and_runs_nothing(script):
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(script), "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=script.parent,
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.startswith("usage:"), done.stdout[:200]
    # before: load_speed.py ignored the flag and ran its 25 s benchmark
    assert time.perf_counter() - start < 60


def test_a_narrowed_run_leaves_the_committed_results_alone(tmp_path, capsys, monkeypatch):
    # before: `names.py --quick` overwrote reports/benchmarks/names.md, the full run's
    # figures the README quotes, with one seed's
    # _common turns the run cache off for the benchmarks (os.environ.setdefault): set it
    # here first, so that it is put back for the tests after this one
    monkeypatch.setenv("TRENDS_RUN_CACHE", "off")
    monkeypatch.syspath_prepend(str(BENCHMARKS[0].parent))
    monkeypatch.delitem(sys.modules, "_common", raising=False)
    from _common import ROOT, results_path

    monkeypatch.delitem(sys.modules, "_common")

    assert results_path(None, "names.md", ["--quick"]) is None
    assert "names.md holds the full run's figures" in capsys.readouterr().out
    assert results_path(None, "names.md", []) == ROOT / "reports" / "benchmarks" / "names.md"
    mine = tmp_path / "quick.md"
    assert results_path(str(mine), "names.md", ["--quick"]) == mine
