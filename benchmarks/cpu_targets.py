"""The same vectors and seed, UMAP compiled for other CPUs: how far apart the themes land.

umap-learn's loops are compiled by numba, by default for the CPU they run on, and UMAP's
optimiser is chaotic: a last-bit difference in a step becomes other themes. trends pins
numba's target (`trends._numba_target`: ``x86-64-v3`` on any x86-64 CPU with AVX2 and
FMA), so that every such machine runs the same code. This script fits the themes of the
same vectors with the same seed once per code-generation target, each in a fresh process
(numba fixes its target once per process), with the run cache off, and prints, per
corpus, each target's themes, outliers, fit time and ARI against trends' pin: what a
machine whose CPU numba would compile for in that way gets without the pin.

Targets (only those this CPU can run): trends' pin; numba's default on this CPU (what
every fit did before the pin); ``haswell`` tuning with this CPU's features (what
``NUMBA_CPU_NAME=haswell`` alone gives; on the machines of this project it reproduced the
report committed from an AVX2 machine bit for bit); ``x86-64-v4`` (AVX-512);
``x86-64`` (a CPU without AVX2).

    python benchmarks/cpu_targets.py                    # bundled corpus + arXiv sample
    python benchmarks/cpu_targets.py --corpora bundled  # ~2 min

Target (issue 11, item 20: the same themes on any machine): ARI 1.000 between machines
that compile the same target, by construction; the table shows what the pin removes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import median, table

PIN = "trends' pin"


def _targets() -> list[tuple[str, dict]]:
    from llvmlite import binding

    from trends import _numba_target

    pinned = _numba_target.target()
    flags = _numba_target._x86_flags()
    host = binding.get_host_cpu_name()
    out = [(f"{PIN} ({pinned})", {})]
    out.append((f"numba's default ({host})", {"NUMBA_CPU_NAME": host}))
    if pinned == "x86-64-v3":
        out.append(("haswell, this CPU's features", {"NUMBA_CPU_NAME": "haswell"}))
        if {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"} <= flags:
            out.append(("x86-64-v4", {"NUMBA_CPU_NAME": "x86-64-v4", "NUMBA_CPU_FEATURES": ""}))
        out.append(("x86-64", {"NUMBA_CPU_NAME": "x86-64", "NUMBA_CPU_FEATURES": ""}))
    return out


def _corpus(name: str):
    import trends

    if name == "bundled":
        return "bundled corpus (192 papers)", trends.datasets.trending_papers()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import quality

    title, df, _ = quality.arxiv(False, "arxiv_daily" if name == "arxiv" else "arxiv_daily_2025h2")
    return title, df


def child(vectors: str, out: str, seed: int) -> None:
    """One fit of the saved texts and vectors; labels and seconds to ``out``."""
    import numpy as np

    import trends

    saved = np.load(vectors, allow_pickle=False)
    texts = [str(t) for t in saved["texts"]]
    t0 = time.perf_counter()
    model = trends.ThemeModel(random_state=seed, verbose=False, cache_dir=False)
    model.fit(texts, embeddings=saved["vectors"])
    from numba.core.registry import cpu_target

    _, name, features = cpu_target.target_context.codegen().magic_tuple()
    Path(out).write_text(
        json.dumps(
            {
                "labels": model.labels_.tolist(),
                "seconds": time.perf_counter() - t0,
                "compiled_for": name + ("" if features == "" else " + this CPU's features"),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", nargs="+", default=["bundled", "arxiv"])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.seed)
        return

    import numpy as np
    from sklearn.metrics import adjusted_rand_score

    from trends.embed import EmbeddingCache, SentenceTransformerEmbedder, embed_texts

    targets = _targets()
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.corpora:
            title, df = _corpus(name)
            texts = df.text.astype(str).tolist()
            vectors = embed_texts(texts, SentenceTransformerEmbedder(), EmbeddingCache())
            saved = Path(tmp) / f"{name}.npz"
            np.savez(saved, texts=np.array(texts), vectors=np.asarray(vectors, dtype=np.float32))
            rows, pinned = [], None
            for label, env in targets:
                out = Path(tmp) / "out.json"
                environ = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_CPU_")}
                environ.update(env)
                cmd = [sys.executable, __file__, "--seed", str(args.seed), "--child"]
                subprocess.run([*cmd, str(saved), str(out)], env=environ, check=True)
                got = json.loads(out.read_text())
                labels = np.asarray(got["labels"])
                pinned = labels if pinned is None else pinned
                rows.append(
                    {
                        "target": label,
                        "compiled for": got["compiled_for"],
                        "themes": int(labels.max()) + 1,
                        "outliers": float(np.mean(labels == -1)),
                        "fit_s": got["seconds"],
                        "ARI vs pin": adjusted_rand_score(pinned, labels),
                        "identical": bool((labels == pinned).all()),
                    }
                )
            print(f"\n{title}, seed {args.seed}: the same vectors, one fresh process per target\n")
            columns = ["target", "compiled for", "themes", "outliers", "fit_s"]
            print(table(rows, [*columns, "ARI vs pin", "identical"]))
            others = [r["ARI vs pin"] for r in rows[1:] if not r["identical"]]
            if others:
                print(f"\nmedian ARI of the targets that differ from the pin: {median(others):.3f}")


if __name__ == "__main__":
    main()
