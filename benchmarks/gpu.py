"""MiniLM on a CUDA GPU beside the same machine's CPU, and the fit of the arXiv feed end to end.

Needs a CUDA GPU that torch sees (without one it says so and exits with 2). Prints:

- embedding speed (papers/s) on the GPU: the default (fp32, batches of 128), larger
  batches, the model cast to fp16, and ``minilm-128``; beside the CPU of the same machine
  (all its cores, on a sample);
- how far the GPU's vectors are from the CPU's (float noise: the device is not part of the
  cache identity), from the same texts in another batch order, and fp16's from fp32's;
- the bundled corpus fitted twice, embedded on the CPU and on the GPU (same seed): ARI
  between the partitions, and whether the theme names are the same;
- the fit of the corpus end to end (``ThemeModel().fit``, an empty cache, embedding
  included): seconds per stage, themes, outliers, peak memory. UMAP and HDBSCAN run on
  cuML when it is installed, else on the CPU (said in the output).

    python benchmarks/gpu.py                            # both arXiv folders (40,717 papers)
    python benchmarks/gpu.py --corpus papers.jsonl      # any source trends.load reads
    python benchmarks/gpu.py --fit-papers 0             # embedding and the bundled fits only
    python benchmarks/gpu.py --papers 10000             # the first 10,000 papers
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np
from _common import corpora, median, peak_rss_mb, table


def cuda_or_exit():
    try:
        import torch
    except ImportError:
        sys.exit("torch is not installed: this benchmark needs torch with CUDA and a GPU")
    if not torch.cuda.is_available():
        build = f"CUDA {torch.version.cuda}" if torch.version.cuda else "a CPU-only build"
        print(f"no CUDA GPU visible to torch ({build}): this benchmark needs one", file=sys.stderr)
        sys.exit(2)
    return torch


def speed(torch, embedder, texts, repeats: int = 1) -> tuple[np.ndarray, float]:
    """The vectors and the median papers/s over ``repeats`` passes (after a warm-up)."""
    embedder.encode(texts[:512], progress=False)
    rates = []
    for _ in range(repeats):
        torch.cuda.synchronize()  # the GPU's queue is empty before and after each pass
        t0 = time.perf_counter()
        vectors = embedder.encode(texts, progress=False)
        torch.cuda.synchronize()
        rates.append(len(texts) / (time.perf_counter() - t0))
    return vectors, median(rates)


def agreement(name, a, b) -> dict:
    cos = np.sum(a * b, axis=1)
    return {
        "vectors": name,
        "papers": len(a),
        "cos_min": f"{cos.min():.7f}",
        "max_abs_diff": f"{np.abs(a - b).max():.1e}",
    }


def embedding(torch, texts, cpu_papers: int):
    from trends.embed import SentenceTransformerEmbedder, resolve_embedder

    rows, close = [], []
    gpu = SentenceTransformerEmbedder(device="cuda")
    torch.cuda.reset_peak_memory_stats()
    full, rate = speed(torch, gpu, texts)
    gpu_mem = torch.cuda.max_memory_allocated() / 1e9
    rows.append(
        {
            "option": "minilm fp32, batch 128 (default)",
            "device": "cuda",
            "papers": len(texts),
            "papers_s": rate,
        }
    )
    sample = texts[: min(len(texts), 10_000)]
    for batch in (32, 512):
        e = SentenceTransformerEmbedder(device="cuda", batch_size=batch)
        _, r = speed(torch, e, sample, repeats=3)
        rows.append(
            {
                "option": f"minilm fp32, batch {batch}",
                "device": "cuda",
                "papers": len(sample),
                "papers_s": r,
            }
        )
    half = SentenceTransformerEmbedder(device="cuda")
    half.load().half()
    fp16, r = speed(torch, half, texts)
    rows.append(
        {"option": "minilm cast to fp16", "device": "cuda", "papers": len(texts), "papers_s": r}
    )
    _, r = speed(torch, resolve_embedder("minilm-128", device="cuda"), texts)
    rows.append({"option": "minilm-128", "device": "cuda", "papers": len(texts), "papers_s": r})
    torch.set_num_threads(os.cpu_count() or 1)
    few = texts[:cpu_papers]
    cpu, r = speed(torch, SentenceTransformerEmbedder(device="cpu"), few)
    rows.append(
        {
            "option": "minilm fp32, batch 32 (default)",
            "device": f"cpu x{os.cpu_count()}",
            "papers": len(few),
            "papers_s": r,
        }
    )
    for row in rows:
        row["x_cpu"] = row["papers_s"] / r
    close.append(agreement("GPU vs CPU", full[:cpu_papers], cpu))
    shuffled = gpu.encode(few[::-1], progress=False)[::-1]
    close.append(agreement("GPU, another batch order", full[:cpu_papers], shuffled))
    close.append(agreement("GPU fp16 vs fp32", full, fp16))
    return rows, close, gpu_mem


def bundled_fits(torch) -> dict:
    from sklearn.metrics import adjusted_rand_score

    from trends import ThemeModel
    from trends.datasets import trending_papers

    df = trending_papers()
    fits, seconds = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for device in ("cpu", "cuda"):
            t0 = time.perf_counter()
            model = ThemeModel(device=device, cache_dir=f"{tmp}/{device}", verbose=False)
            fits[device] = model.fit(df)
            seconds[device] = time.perf_counter() - t0
    cpu, gpu = fits["cpu"], fits["cuda"]
    return {
        "papers": len(df),
        "themes_cpu": cpu.n_themes_,
        "themes_gpu": gpu.n_themes_,
        "ari": adjusted_rand_score(cpu.labels_, gpu.labels_),
        "same_names": cpu.themes_["name"].tolist() == gpu.themes_["name"].tolist(),
        "max_abs_diff": f"{np.abs(cpu.embeddings_ - gpu.embeddings_).max():.1e}",
        "fit_s_cpu": seconds["cpu"],
        "fit_s_gpu": seconds["cuda"],
    }


def end_to_end(torch, df) -> dict:
    from trends import ThemeModel
    from trends.cluster import cuml_unavailable

    reason = cuml_unavailable()
    print(f"UMAP + HDBSCAN on {'the CPU: ' + reason if reason else 'the GPU (cuML)'}", flush=True)
    torch.cuda.reset_peak_memory_stats()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        model = ThemeModel(cache_dir=tmp, verbose=True).fit(df)
        wall = time.perf_counter() - t0
    row = {
        "papers": len(df),
        "runs": len(model.runs_),
        "themes": model.n_themes_,
        "outliers": float(np.mean(model.labels_ == -1)),
    }
    row.update({f"{k}_s": float(v) for k, v in model.timings_.items()})
    row.update(
        {
            "wall_s": wall,
            "peak_rss_gb": peak_rss_mb() / 1024,
            "gpu_peak_gb": torch.cuda.max_memory_allocated() / 1e9,
        }
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--corpus",
        nargs="+",
        help="sources for trends.load (default: both arXiv folders of the shared corpora)",
    )
    parser.add_argument("--papers", type=int, help="only the corpus' first N papers")
    parser.add_argument(
        "--cpu-papers",
        type=int,
        default=800,
        help="papers the CPU embeds for its speed and the agreement (800)",
    )
    parser.add_argument(
        "--fit-papers",
        type=int,
        default=None,
        help="papers of the end-to-end fit (default: all; 0: no fit)",
    )
    args = parser.parse_args()
    torch = cuda_or_exit()
    import trends

    sources = args.corpus or [corpora() / "arxiv_daily", corpora() / "arxiv_daily_2025h2"]
    df = trends.load(*sources)
    if args.papers:
        df = df.iloc[: args.papers].reset_index(drop=True)
    texts = df["text"].astype(str).tolist()
    print(
        f"{len(df):,} papers; {torch.cuda.get_device_name(0)}, torch {torch.__version__}, "
        f"{os.cpu_count()} CPU cores",
        flush=True,
    )
    rows, close, gpu_mem = embedding(torch, texts, args.cpu_papers)
    print(f"\n## Embedding (GPU memory at most {gpu_mem:.2f} GB for the default)\n")
    print(table(rows, ["option", "device", "papers", "papers_s", "x_cpu"]))
    print("\npapers_s: median over passes after a warm-up; x_cpu: against the CPU row.\n")
    print(table(close, ["vectors", "papers", "cos_min", "max_abs_diff"]))
    bundled = bundled_fits(torch)
    print("\n## The bundled corpus embedded on the CPU and on the GPU, same seed\n")
    print(table([bundled], list(bundled)))
    n = len(df) if args.fit_papers is None else min(args.fit_papers, len(df))
    if n:
        print(f"\n## Fit end to end, {n:,} papers, empty cache\n", flush=True)
        row = end_to_end(torch, df.iloc[:n].reset_index(drop=True))
        print(table([row], list(row)))


if __name__ == "__main__":
    main()
