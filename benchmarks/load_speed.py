"""Loading speed: all 103 daily arXiv files (25,075 lines), rows/s and peak memory.

Target (issue 2): under 5 s on a 2-core machine. Median of 3 runs, each in a fresh process
so the caches of one run do not help the next.

    python benchmarks/load_speed.py
"""

from __future__ import annotations

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
print(json.dumps({"seconds": dt, "read": r["read"], "kept": r["kept"],
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    folder = corpora() / "arxiv_daily"
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(folder)], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    seconds = median([r["seconds"] for r in runs])
    print(f"files: 103 daily feeds in {folder}")
    print(f"lines read: {runs[0]['read']}, papers kept: {runs[0]['kept']}")
    print(f"load time, 3 fresh processes: {[round(r['seconds'], 2) for r in runs]} s")
    print(f"median: {seconds:.2f} s  ->  {runs[0]['read'] / seconds:,.0f} lines/s")
    print(f"peak memory (process, incl. imports): {max(r['peak_mb'] for r in runs):.0f} MB")
    print(f"target < 5 s: {'met' if seconds < 5 else 'MISSED'}")


if __name__ == "__main__":
    main()
