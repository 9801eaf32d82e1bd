"""Loading speed: all 103 daily arXiv files (25,075 lines), rows/s and peak memory.

Target (issue 2): under 5 s on a 2-core machine. Median of 3 runs, each in a fresh process
so the caches of one run do not help the next. The peer, measured in the same run the
same way: pandas reading the same files (``read_json(lines=True)``, concatenated), which
parses but neither normalises, validates, dates nor de-duplicates.

    python benchmarks/load_speed.py
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from _common import corpora, median

CHILD = """
import json, resource, sys, time
import trends
t0 = time.perf_counter()
df = trends.load(sys.argv[1])
dt = time.perf_counter() - t0
r = df.attrs["load_report"]
kinds = {k: r.get(k, 0) for k in ("id_duplicates", "title_text_duplicates", "near_duplicates")}
print(json.dumps({"seconds": dt, "read": r["read"], "kept": r["kept"], "skipped": len(r["skipped"]),
                  "kinds": kinds,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PEER = """
import json, resource, sys, time
from pathlib import Path
import pandas as pd
t0 = time.perf_counter()
files = sorted(Path(sys.argv[1]).glob("*.jsonl.gz"))
df = pd.concat([pd.read_json(f, lines=True, dtype=False) for f in files], ignore_index=True)
dt = time.perf_counter() - t0
print(json.dumps({"seconds": dt, "read": len(df),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _runs(code: str, folder, n: int) -> list[dict]:
    runs = []
    for _ in range(max(1, n)):
        out = subprocess.run(
            [sys.executable, "-c", code, str(folder)], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per side (default: 3)")
    args = parser.parse_args()
    folder = corpora() / "arxiv_daily"
    runs = _runs(CHILD, folder, args.runs)
    peer = _runs(PEER, folder, args.runs)
    seconds = median([r["seconds"] for r in runs])
    peer_seconds = median([r["seconds"] for r in peer])
    print(f"files: 103 daily feeds in {folder}")
    print(f"lines read: {runs[0]['read']}, papers kept: {runs[0]['kept']}")
    kinds = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in runs[0]["kinds"].items())
    print(f"duplicates: {kinds}; skipped: {runs[0]['skipped']}")
    print(f"load time, {len(runs)} fresh processes: {[round(r['seconds'], 2) for r in runs]} s")
    print(f"median: {seconds:.2f} s  ->  {runs[0]['read'] / seconds:,.0f} lines/s")
    print(f"peak memory (process, incl. imports): {max(r['peak_mb'] for r in runs):.0f} MB")
    print(
        f"peer, pandas read_json(lines=True) of the same files: median {peer_seconds:.2f} s "
        f"{[round(r['seconds'], 2) for r in peer]}, peak {max(r['peak_mb'] for r in peer):.0f} MB"
    )
    print(f"trends.load / pandas: {seconds / peer_seconds:.2f}x the time")
    print(f"target < 5 s: {'met' if seconds < 5 else 'MISSED'}")


if __name__ == "__main__":
    main()
