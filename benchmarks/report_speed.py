"""`trends report` on the bundled corpus in a fresh process: cold cache against warm.

Cold: an empty cache (the 192 abstracts are embedded, the themes fitted). Warm: the cache
filled by the cold run (embeddings and the fitted model are read back). Also shown: a
refit with only the embeddings cached (the fit cache emptied), i.e. what a changed
parameter costs. Each is run 3 times in fresh processes; medians and their ratio are
printed. Target (issue 4): warm at most a third of cold; the report under 6 MB.

    python benchmarks/report_speed.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import median

TRENDS = [sys.executable, "-m", "trends", "report", "-q"]


def run(cache: Path, out: Path) -> float:
    env = dict(os.environ, TRENDS_CACHE_DIR=str(cache))
    t0 = time.perf_counter()
    subprocess.run([*TRENDS, "-o", str(out)], env=env, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="trends-report-bench-"))
    cold, warm, refit = [], [], []
    try:
        for k in range(3):
            cache = work / f"cache{k}"
            cold.append(run(cache, work / "cold.html"))
            warm.append(run(cache, work / "warm.html"))
            shutil.rmtree(cache / "fits")
            refit.append(run(cache, work / "refit.html"))
        size = (work / "warm.html").stat().st_size
        same = (work / "cold.html").read_bytes() == (work / "warm.html").read_bytes()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ratio = median(warm) / median(cold)
    print("trends report on the bundled 192-paper corpus, fresh process each run")
    print(f"cold (empty cache): {[round(t, 1) for t in cold]} s, median {median(cold):.1f} s")
    print(f"warm (cache filled): {[round(t, 1) for t in warm]} s, median {median(warm):.1f} s")
    print(
        f"refit, embeddings cached: {[round(t, 1) for t in refit]} s, median {median(refit):.1f} s"
    )
    print(f"warm / cold = {ratio:.2f} (target <= 0.33: {'met' if ratio <= 1 / 3 else 'MISSED'})")
    print(f"refit with cached embeddings / cold = {median(refit) / median(cold):.2f}")
    print(f"report size: {size / 1e6:.2f} MB (target < 6 MB: {'met' if size < 6e6 else 'MISSED'})")
    print(f"cold and warm reports byte-identical: {same}")


if __name__ == "__main__":
    main()
