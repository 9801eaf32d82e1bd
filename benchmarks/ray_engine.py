"""The Ray engine on the 17,145-paper arXiv feed, against the single-process run, side by side.

Ray runs on this machine in local mode (``ray.init(num_cpus=2)``: 2 embedding actors of
one core each); every phase runs in a fresh process, so that its peak memory is its own.

1. Throughput: the same papers embedded from an empty cache by the single-process path
   (`trends.embed.embed_texts`, torch on all cores) and by the Ray actor pool; papers/s
   in the steady state (from when the first 256 were cached to the end) and per core;
   whether the vectors are bit for bit the same.
2. Same themes: a fit of all papers (no sampling) on each engine's vectors; identical
   labels and theme tables, or the ARI.
3. Sampling forced: fits on random samples of the feed with the rest placed by
   `trends.cluster.place`, against the full fit (ARI); as the yardstick, the full fit
   with another seed against the full fit.
4. Driver memory: what a fit adds to the driver's resident memory at its peak and what
   the driver holds after it (the corpus table and the fitted model), per 100,000 papers;
   measured from after a small warm-up fit, so that the libraries are not counted. Held
   (resident) and in use (after glibc's ``malloc_trim`` hands freed memory back), and
   what the fitted model alone holds (what deleting it gives back).

    python benchmarks/ray_engine.py                # 2,048 fresh papers, fits on cached vectors
    python benchmarks/ray_engine.py --fresh all    # embeds the whole feed on both engines
                                                   # (~30 min on 2 cores, no contention)

The fits of part 2 use the vectors each engine computed in part 1 when ``--fresh all``;
otherwise both read the default embedding cache (fill it first, e.g. with one
``trends report``), so part 2 then checks the fit path only, and the figures say so.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import corpora, median, peak_rss_mb, table

CPUS = 2
STEP = 256  # papers per cache checkpoint: the clock of the steady-state rate


def feed():
    import trends

    return trends.load(corpora() / "arxiv_daily")


def rss_mb() -> float:
    """Resident memory of this process now, in MB (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def trimmed_rss_mb() -> float:
    """Resident memory after glibc returns its freed memory to the system (malloc_trim).

    What a process holds after a fit is partly memory it freed but the allocator kept:
    this is the rest, the memory still in use. Without glibc: the plain resident memory.
    """
    import contextlib
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    return rss_mb()


def fresh_texts(n: str, seed: int = 0) -> list[str]:
    import numpy as np

    texts = list(dict.fromkeys(feed().text.astype(str).tolist()))
    if n == "all":
        return texts
    rows = np.sort(np.random.default_rng(seed).choice(len(texts), int(n), replace=False))
    return [texts[i] for i in rows]


def start_ray():
    import ray

    t0 = time.perf_counter()
    ray.init(num_cpus=CPUS, include_dashboard=False, log_to_driver=False, logging_level="warning")
    return time.perf_counter() - t0


class TimedCache:
    """An embedding cache that notes when each checkpoint of vectors arrived."""

    def __init__(self, root):
        from trends.embed import EmbeddingCache

        self.inner = EmbeddingCache(root)
        self.arrivals: list[tuple[float, int]] = []

    def get(self, identity, texts):
        return self.inner.get(identity, texts)

    def put(self, identity, texts, vectors, *, compact=True):
        self.arrivals.append((time.perf_counter(), len(texts)))
        self.inner.put(identity, texts, vectors, compact=compact)

    def compact(self, identity, **kwargs):
        self.inner.compact(identity, **kwargs)


def steady_rate(arrivals: list[tuple[float, int]]) -> float:
    """Papers/s from the first checkpoint written to the last (start-up excluded)."""
    if len(arrivals) < 2:
        return float("nan")
    done = sum(n for _, n in arrivals[1:])
    return done / (arrivals[-1][0] - arrivals[0][0])


# -- phases (each in its own process) -------------------------------------------------------


def phase_embed(engine: str, n: str, cache_dir: str, out: str) -> dict:
    import numpy as np

    from trends.embed import SentenceTransformerEmbedder, embed_texts

    texts = fresh_texts(n)
    cache = TimedCache(cache_dir)
    embedder = SentenceTransformerEmbedder()
    start = 0.0
    t0 = time.perf_counter()
    if engine == "ray":
        from trends.engine.ray_engine import RayEngine

        start = start_ray()
        t0 = time.perf_counter()
        vectors = RayEngine(checkpoint=STEP).embed(texts, embedder, cache, progress=True)
    else:
        vectors = embed_texts(texts, embedder, cache, progress=True, checkpoint=STEP)
    seconds = time.perf_counter() - t0
    np.save(out, vectors)
    return {
        "papers": len(texts),
        "seconds": seconds,
        "ray_init_s": start,
        "papers_per_s": len(texts) / seconds,
        "steady_papers_per_s": steady_rate(cache.arrivals),
        "driver_peak_mb": peak_rss_mb(),
    }


def phase_fit(engine: str, seed: int, sample: int | None, cache_dir: str, out: str) -> dict:
    import numpy as np

    import trends

    # A small fit first, so that the libraries (torch, UMAP, numba's compiled code) are
    # loaded before the baseline: what the real fit adds is then what it holds.
    rng = np.random.default_rng(0)
    warm = [f"warm up text {i} {rng.integers(5)}" for i in range(300)]
    trends.ThemeModel(sample_size=None, verbose=False).fit(
        warm, embeddings=rng.normal(size=(300, 8))
    )
    corpus = feed()
    if engine == "ray":
        start_ray()
    base = rss_mb()
    model = trends.ThemeModel(
        engine=engine,
        random_state=seed,
        sample_size=sample,
        cache_dir=cache_dir or None,
        verbose=False,
    )
    t0 = time.perf_counter()
    model.fit(corpus)
    seconds = time.perf_counter() - t0
    corpus_mb = corpus.memory_usage(deep=True).sum() / 2**20
    held = rss_mb() - base + corpus_mb
    np.save(out, model.labels_)
    model.themes_.to_json(out + ".themes.json", orient="records")
    result = {
        "papers": len(corpus),
        "seconds": seconds,
        "themes": model.n_themes_,
        "outliers": float(np.mean(model.labels_ == -1)),
        "fitted_on": len(model.fit_.fit_rows),
        "driver_peak_mb": peak_rss_mb() - base,
        "driver_held_mb": held,
        "embeddings_mb": model.embeddings_.nbytes / 2**20,
    }
    # What of it is in use (freed memory the allocator kept returned first), and what the
    # fitted model itself holds (what deleting it gives back).
    in_use = trimmed_rss_mb()
    del model
    result["driver_live_mb"] = in_use - base + corpus_mb
    result["model_mb"] = in_use - trimmed_rss_mb()
    return result


def run_phase(*args) -> dict:
    """One phase in a fresh process (nice 10: the machine is shared)."""
    cmd = ["nice", "-n", "10", sys.executable, __file__, "--phase", *map(str, args)]
    done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    import numpy as np
    from sklearn.metrics import adjusted_rand_score

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fresh", default="2048", help="papers embedded fresh, or 'all'")
    parser.add_argument(
        "--samples", default="12000,8000", help="forced sample sizes (comma-separated)"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="trends-ray-bench-"))
    print(f"Ray local mode, {CPUS} CPUs; work folder {work}", file=sys.stderr)

    # 1. throughput and bits
    emb = {}
    for engine in ("local", "ray"):
        emb[engine] = run_phase(
            "embed", engine, args.fresh, work / f"cache-{engine}", work / f"{engine}.npy"
        )
    a, b = np.load(work / "local.npy"), np.load(work / "ray.npy")
    same_rows = float(np.mean(np.all(a == b, axis=1)))
    rows = []
    for engine, r in emb.items():
        cores = CPUS
        rows.append(
            {
                "engine": engine,
                "papers": r["papers"],
                "seconds": r["seconds"],
                "papers/s": r["papers_per_s"],
                "steady papers/s": r["steady_papers_per_s"],
                "per core": r["steady_papers_per_s"] / cores,
                "driver peak MB": r["driver_peak_mb"],
            }
        )
    print("\n## Embedding from an empty cache (2 cores; Ray: 2 actors x 1 core)\n")
    print(
        table(
            rows,
            [
                "engine",
                "papers",
                "seconds",
                "papers/s",
                "steady papers/s",
                "per core",
                "driver peak MB",
            ],
        )
    )
    # With fewer than two checkpoints after the first there is no steady state to time:
    # the whole runs' rates then, start-up included, and the text says so.
    steady = all(math.isfinite(r["steady_papers_per_s"]) for r in emb.values())
    key = "steady_papers_per_s" if steady else "papers_per_s"
    ratio = emb["ray"][key] / emb["local"][key]
    print(
        f"\nRay / single process, {'steady state' if steady else 'whole runs'}: "
        f"{ratio:.2f}x; Ray start-up "
        f"{emb['ray']['ray_init_s']:.1f} s (ray.init) + actor start in the total. Vectors: "
        f"{same_rows:.2%} of rows bit-identical, max |difference| {np.abs(a - b).max():.2e}."
    )

    # 2 and 3. themes
    full = args.fresh == "all"
    caches = {e: str(work / f"cache-{e}") if full else "" for e in ("local", "ray")}
    fits = {
        "local": run_phase("fit", "local", 42, "none", caches["local"], work / "fit-local.npy"),
        "ray": run_phase("fit", "ray", 42, "none", caches["ray"], work / "fit-ray.npy"),
        "local, seed 43": run_phase(
            "fit", "local", 43, "none", caches["local"], work / "fit-43.npy"
        ),
    }
    for m in [int(x) for x in args.samples.split(",") if x]:
        fits[f"ray, sample {m}"] = run_phase(
            "fit", "ray", 42, m, caches["ray"], work / f"fit-sample-{m}.npy"
        )
    ref = np.load(work / "fit-local.npy")
    ref_themes = (work / "fit-local.npy.themes.json").read_text()
    rows = []
    files = {
        "local": "fit-local",
        "ray": "fit-ray",
        "local, seed 43": "fit-43",
    }
    for name, r in fits.items():
        stem = files.get(name, f"fit-sample-{name.rsplit(' ', 1)[-1]}")
        labels = np.load(work / f"{stem}.npy")
        themes = (work / f"{stem}.npy.themes.json").read_text()
        rows.append(
            {
                "run": name,
                "fitted on": r["fitted_on"],
                "seconds": r["seconds"],
                "themes": r["themes"],
                "outliers": r["outliers"],
                "identical": bool(np.array_equal(labels, ref) and themes == ref_themes),
                "ARI vs local": adjusted_rand_score(ref, labels),
                "fit peak +MB": r["driver_peak_mb"],
                "held MB": r["driver_held_mb"],
                "in use MB": r["driver_live_mb"],
                "model MB": r["model_mb"],
            }
        )
    source = "each engine's own vectors from part 1" if full else "the default embedding cache"
    print(f"\n## Themes of the {fits['local']['papers']:,}-paper feed ({source})\n")
    print(
        table(
            rows,
            [
                "run",
                "fitted on",
                "seconds",
                "themes",
                "outliers",
                "identical",
                "ARI vs local",
                "fit peak +MB",
                "held MB",
                "in use MB",
                "model MB",
            ],
        )
    )

    # 4. the throughput model
    per_core = emb["ray"][key] / CPUS
    peer = emb["local"][key] / CPUS
    n = fits["local"]["papers"]
    held = median([r["driver_held_mb"] for r in fits.values()])
    peak = fits["local"]["driver_peak_mb"]
    print("\n## Throughput model (measured: local mode, 2 cores; the rest extrapolated)\n")
    print(
        f"- embedding: {per_core:.1f} papers/s per worker core on Ray (the single process "
        f"here: {peer:.1f} per core), MiniLM, 256 tokens"
        + (
            ""
            if steady
            else " (whole runs, start-up included: too few papers for a steady-state rate; "
            "use --fresh 2048 or more)"
        )
    )
    live = median([r["driver_live_mb"] for r in fits.values()])
    model_mb = median([r["model_mb"] for r in fits.values()])
    print(
        f"- the driver holds {held / n * 100_000:,.0f} MB per 100,000 papers after a fit "
        f"(resident), of which {live / n * 100_000:,.0f} MB in use (the rest is memory "
        f"freed during the fit that the allocator keeps); of that, the fitted model alone "
        f"holds {model_mb / n * 100_000:,.0f} MB per 100,000 papers"
    )
    print(
        f"- a fit of {n:,} papers adds {peak:,.0f} MB at its peak on the driver; it is "
        "bounded by sample_size (benchmarks/scale.py measures 100,000 and 200,000)"
    )
    for workers in (8, 64, 256, 1024):
        hours = 3_000_000 / (per_core * workers) / 3600
        print(f"- embedding all of arXiv (3 M abstracts) on {workers} worker cores: {hours:,.1f} h")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--phase":
        kind, rest = sys.argv[2], sys.argv[3:]
        if kind == "embed":
            result = phase_embed(rest[0], rest[1], rest[2], rest[3])
        else:
            sample = None if rest[2] == "none" else int(rest[2])
            cache = rest[3] if len(rest) > 4 else ""
            result = phase_fit(rest[0], int(rest[1]), sample, cache, rest[-1])
        print(json.dumps(result))
    else:
        main()
