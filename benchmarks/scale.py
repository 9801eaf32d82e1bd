"""The clustering stage from 10,000 to 200,000 papers on one machine: seconds and peak memory.

Embedding excluded: the vectors are given. For each size, one fit of the clustering stage
with the package's defaults (`trends.cluster.cluster`: the kNN graph, the seeded UMAP +
HDBSCAN runs, their consensus; then the fit's outlier placement), and the keyword stage
(`trends.describe.keywords`, c-TF-IDF) timed apart. One table: papers, seconds per stage,
the ratio of the clustering time to the 10,000-paper one, and the peak memory of the
process tree (this process and its worker processes together, sampled every 0.2 s).

Vectors: the real all-MiniLM-L6-v2 vectors of both arXiv folders (``arxiv_daily/`` +
``arxiv_daily_2025h2/``: 40,717 papers), read from the embedding cache (run
``python -c "import trends; trends.ThemeModel().fit(trends.load(...))"`` or any fit of
those folders first). 10,000 papers: a seeded sample of them. 100,000 and 200,000: the
real vectors plus perturbed copies, built so that a copy lands among its original's
neighbours rather than on top of it: copy = original + N(0, s^2) in every dimension,
re-normalised, with s chosen so that a copy's cosine similarity to its original is the
median similarity of a real paper to its 5th nearest neighbour; a copy's text is its
original's. Each size runs in a fresh process, so each peak is its own.

Targets (issue 15): peak memory <= 6 GB at 100,000 papers; clustering time from 10,000 to
100,000 papers <= 12x.

    python benchmarks/scale.py                          # 10k, 40,717, 100k, 200k
    python benchmarks/scale.py --sizes 10000 100000     # some sizes
    python benchmarks/scale.py --no-keywords            # the clustering stage only
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import threading
import time

import numpy as np
from _common import corpora, table

SIZES = [10_000, 40_717, 100_000, 200_000]


def real_vectors():
    """Texts and cached MiniLM vectors of both arXiv folders (no embedding here)."""
    import trends
    from trends.embed import EmbeddingCache, SentenceTransformerEmbedder

    df = trends.load(corpora() / "arxiv_daily", corpora() / "arxiv_daily_2025h2")
    texts = df.text.astype(str).tolist()
    embedder = SentenceTransformerEmbedder()
    found = EmbeddingCache().get(embedder.identity, texts)
    missing = sum(v is None for v in found)
    if missing:
        sys.exit(
            f"{missing:,} of the {len(texts):,} arXiv papers are not in the embedding cache: "
            "fit both arXiv folders once first (this benchmark embeds nothing)"
        )
    x = np.vstack(found).astype(np.float32)
    return texts, x / np.linalg.norm(x, axis=1, keepdims=True)


def corpus_of_size(n: int):
    """(texts, vectors) of ``n`` papers, as the module docstring says."""
    texts, x = real_vectors()
    rng = np.random.default_rng(0)
    if n <= len(x):
        idx = np.sort(rng.choice(len(x), size=n, replace=False))
        return [texts[i] for i in idx], x[idx]
    probe = np.sort(rng.choice(len(x), size=min(2_000, len(x)), replace=False))
    sims = x[probe] @ x.T
    target = float(np.median(np.sort(sims, axis=1)[:, -6]))  # the 5th neighbour, self aside
    sigma = np.sqrt((1.0 / target**2 - 1.0) / x.shape[1])
    extra = n - len(x)
    source = rng.integers(0, len(x), size=extra)
    copies = x[source] + rng.normal(0.0, sigma, size=(extra, x.shape[1])).astype(np.float32)
    copies /= np.linalg.norm(copies, axis=1, keepdims=True)
    print(
        f"   {extra:,} perturbed copies, noise sd {sigma:.4f} per dimension "
        f"(cosine to the original ~{target:.2f})",
        file=sys.stderr,
        flush=True,
    )
    return texts + [texts[i] for i in source], np.vstack([x, copies])


class PeakMemory:
    """Peak resident memory of this process and its children together, sampled."""

    def __init__(self, every: float = 0.2):
        self.every, self.peak, self._stop = every, 0, threading.Event()

    def _sample(self) -> int:
        import psutil

        me = psutil.Process()
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.Error):  # a worker that just ended
                total += child.memory_info().rss
        return total

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.every)

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())


def one_size(n: int, keywords: bool) -> dict:
    """Fit the clustering stage of ``n`` papers in this process; its figures."""
    from trends import cluster, describe

    texts, x = corpus_of_size(n)
    row: dict = {"papers": n}
    timings: dict = {}
    with PeakMemory() as mem:
        t0 = time.perf_counter()
        params = cluster.ClusterParams.for_corpus(n)
        seeds = np.random.RandomState(42).randint(0, 2**31 - 1, size=params.n_runs).tolist()
        labels, _, _ = cluster.cluster(x, params, seeds, timings, progress=True)
        t1 = time.perf_counter()
        k = int(labels.max()) + 1
        cents = cluster.centroids(x, labels, k)
        threshold = np.array(
            [np.quantile(x[labels == t] @ cents[t], 0.0) for t in range(k)], dtype=np.float32
        )
        labels = cluster.reassign_outliers(
            x, labels, cents, threshold=threshold, max_size=params.max_cluster_size
        )
        labels = cluster.relabel_by_size(labels)
        timings["outliers"] = time.perf_counter() - t1
        timings["clustering"] = time.perf_counter() - t0
    row.update({f"{k}_s": v for k, v in timings.items()})
    row["runs"] = params.n_runs
    row["themes"] = k
    row["peak_gb"] = mem.peak / 1e9
    if keywords:
        with PeakMemory() as mem:
            t0 = time.perf_counter()
            describe.keywords(texts, labels)
            row["keywords_s"] = time.perf_counter() - t0
        row["keywords_peak_gb"] = mem.peak / 1e9
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=SIZES)
    parser.add_argument("--no-keywords", action="store_true", help="skip the c-TF-IDF stage")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child: one size
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one, not args.no_keywords)))
        return
    rows = []
    for n in args.sizes:
        print(f"== {n:,} papers (a fresh process)", file=sys.stderr, flush=True)
        cmd = [sys.executable, __file__, "--one", str(n)]
        if args.no_keywords:
            cmd.append("--no-keywords")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=env)
        if done.returncode:
            rows.append({"papers": n, "runs": f"failed (exit {done.returncode})"})
            continue
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    base = next((r for r in rows if r.get("papers") == 10_000 and "clustering_s" in r), None)
    for r in rows:
        if base and "clustering_s" in r:
            r["x_10k"] = r["clustering_s"] / base["clustering_s"]
    columns = ["papers", "runs", "themes", "knn_s", "umap_s", "hdbscan_s", "consensus_s"]
    columns += ["outliers_s", "clustering_s", "x_10k", "peak_gb"]
    if not args.no_keywords:
        columns += ["keywords_s", "keywords_peak_gb"]
    print(table(rows, columns))
    print(
        "\nSeconds per stage of the clustering (umap/hdbscan: wall time of the runs, split as "
        "the workers measured them); clustering_s: the whole stage; x_10k: its ratio to 10,000 "
        "papers (target at 100,000: <= 12); peak_gb: peak resident memory of the process tree "
        "during the clustering (target at 100,000: <= 6); keywords: c-TF-IDF "
        "(trends.describe), apart."
    )


if __name__ == "__main__":
    main()
