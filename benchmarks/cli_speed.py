"""How long the command line takes to start: ``trends --help`` in fresh processes.

Side by side, in one run: the bare interpreter (the floor no command can beat),
``import trends`` (lazy: no plotly, pandas or torch), ``trends --help``, and, when
``--before REV`` names a commit, the same help of that commit (checked out into a
temporary git worktree and put first on ``sys.path``). Medians of ``--runs`` fresh
processes, each warm (the files are in the OS cache after the first run). Target
(issue 10): ``trends --help`` under 0.5 s warm.

    python benchmarks/cli_speed.py [--runs 10] [--before 47e4708]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time

from _common import ROOT, median

HELP = "import sys; sys.argv = ['trends', '--help']; from trends.cli import main; main()"


def timed(code: str, runs: int, path: str | None = None) -> list[float]:
    prefix = f"import sys; sys.path.insert(0, {path!r}); " if path else ""
    out = []
    for k in range(runs + 1):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", prefix + code], capture_output=True, check=False)
        if k:  # the first run warms the OS file cache
            out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--before", help="a commit to compare against (git worktree)")
    args = parser.parse_args()
    rows = [
        ("python -c pass (floor)", timed("pass", args.runs)),
        ("import trends", timed("import trends", args.runs)),
        ("trends --help", timed(HELP, args.runs)),
    ]
    if args.before:
        tmp = tempfile.mkdtemp(prefix="trends-before-")
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", tmp, args.before],
            check=True,
            capture_output=True,
        )
        try:
            rows.append((f"trends --help at {args.before}", timed(HELP, args.runs, tmp)))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", tmp])
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"fresh processes, median of {args.runs} (s)")
    for name, times in rows:
        print(f"  {name:<34} {median(times):6.3f}   (min {min(times):.3f}, max {max(times):.3f})")
    help_s = median(rows[2][1])
    print(f"trends --help: {help_s:.2f} s (target < 0.5 s: {'met' if help_s < 0.5 else 'MISSED'})")
    if args.before:
        print(f"before / after = {median(rows[3][1]) / help_s:.1f}x")


if __name__ == "__main__":
    main()
