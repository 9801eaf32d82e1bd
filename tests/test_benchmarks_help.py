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
