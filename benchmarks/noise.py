"""Themes under float noise and across seeds: the clustering before and after, side by side.

The same text embeds slightly differently in another batch or on another machine. This
script fits the themes of a corpus, then fits them again with the same seed on the same
embeddings plus Gaussian noise of 1e-7, 1e-6 and 1e-5 (then re-normalised), and prints
the ARI between the two partitions (median and minimum over seeds); and it prints the
seed-to-seed stability (mean pairwise ARI of the fits with each seed) and the quality of
the fits (themes, outliers, NMI against the reference labels where there are some, NPMI
coherence of the top-10 keyword words, diversity of the top-25 keywords; medians over
seeds).

"before" is `trends/cluster.py` as committed at ``--before`` (default: the commit this
change started from, loaded with ``git show``), with its defaults (3 runs); "after" is the
working tree's `trends.cluster` with its defaults. Both go through the fit's label path
(`trends.fit.fit_themes` without the keywords): consensus labels, then outliers joining
their nearest theme when as close as its least typical paper (with the theme cap where
the module has one), then ids in size order.

    python benchmarks/noise.py                       # bundled corpus + both arXiv samples
    python benchmarks/noise.py --corpora bundled     # the 192-paper bundled corpus only
    python benchmarks/noise.py --seeds 3 --sigmas 1e-6
    python benchmarks/noise.py --corpora arxiv arxiv2 --sigmas 1e-6 --runs 15 20 30
                                                     # also with more consensus runs
    python benchmarks/noise.py --corpora arxiv arxiv2 --sigmas 1e-6 --runs 10
                                                     # also the defaults before 25 runs
    python benchmarks/noise.py --corpora arxiv arxiv2 --sigmas 1e-6 --runs 30 --epochs 200
                                                     # more runs of fewer UMAP epochs each

Targets (issue 11, item 20): ARI >= 0.99 at 1e-6 on the bundled corpus and the first
arXiv sample; stability >= 0.90 on both arXiv samples; quality kept.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import subprocess
import sys
import time
import types

import numpy as np
from _common import ROOT, median, table

BEFORE = "2847910"  # the commit before the float-noise work (issue 11, item 20)


def load_module(rev: str):
    """`trends/cluster.py` as committed at ``rev``, as a module of its own."""
    source = subprocess.run(
        ["git", "show", f"{rev}:trends/cluster.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    module = types.ModuleType(f"cluster_{rev}")
    module.__dict__["__name__"] = f"cluster_{rev}"
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"{rev}:trends/cluster.py", "exec"), module.__dict__)
    return module


def corpora_by_name(names):
    """(name, texts, embeddings, reference labels or None) per corpus asked for."""
    from quality import arxiv, embeddings

    import trends

    for name in names:
        if name == "bundled":
            df = trends.datasets.trending_papers()
            yield "bundled corpus (192 papers)", df, embeddings(df), None
        elif name in ("arxiv", "arxiv2"):
            label, df, reference = arxiv(
                False, "arxiv_daily" if name == "arxiv" else "arxiv_daily_2025h2"
            )
            yield label, df, embeddings(df), reference
        else:
            sys.exit(f"unknown corpus {name!r}: bundled, arxiv, arxiv2")


def unit(x):
    x = np.asarray(x, dtype=np.float64)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def noisy(x, sigma: float, seed: int):
    rng = np.random.default_rng(seed)
    return unit(np.asarray(x, dtype=np.float64) + rng.normal(0.0, sigma, x.shape))


def fit_labels(module, emb, seed: int, n_runs: int | None = None, n_epochs: int | None = None):
    """The fit's label path with ``module`` as the clustering stage (``n_runs``: its own).

    ``n_epochs``: UMAP's epochs per run, where the module's `ClusterParams` has them.
    """
    n = len(emb)
    params = module.ClusterParams.for_corpus(n)
    if n_runs is not None:
        params = dataclasses.replace(params, n_runs=int(n_runs))
    if n_epochs is not None:
        params = dataclasses.replace(params, n_epochs=int(n_epochs))
    seeds = np.random.RandomState(seed).randint(0, 2**31 - 1, size=params.n_runs).tolist()
    labels, _, _ = module.cluster(emb, params, seeds, {}, progress=False)
    k = int(labels.max()) + 1 if (labels >= 0).any() else 0
    if k:
        cents = module.centroids(emb, labels, k)
        threshold = np.array(
            [np.quantile(emb[labels == t] @ cents[t], 0.0) for t in range(k)], dtype=np.float32
        )
        try:
            labels = module.reassign_outliers(
                emb, labels, cents, threshold=threshold, max_size=params.max_cluster_size
            )
        except TypeError:  # the module before the theme cap
            labels = module.reassign_outliers(emb, labels, cents, threshold=threshold)
        labels = module.relabel_by_size(labels)
    return labels, params.n_runs


def quality(texts, labels, reference):
    from trends import describe, metrics

    words = describe.keywords(texts, labels, n_keywords=25)
    tokens = metrics.tokenize(texts)
    vocab = {w for doc in tokens for w in doc}
    themes = sorted(t for t in words if t != -1)
    top = [metrics.keyword_words([w for w, _ in words[t]], vocab, top_n=10) for t in themes]
    npmi = metrics.npmi_coherence(top, tokens) if top else np.array([np.nan])
    out = {
        "themes": metrics.theme_count(labels),
        "outliers": metrics.outlier_share(labels),
        "npmi": float(np.nanmean(npmi)),
        "diversity": metrics.topic_diversity([[w for w, _ in words[t]] for t in themes]),
    }
    if reference is not None:
        out["nmi"] = metrics.agreement(labels, list(reference))["nmi"]
    return out


def evaluate(module, df, emb, reference, seeds, sigmas, n_runs=None, n_epochs=None):
    from sklearn.metrics import adjusted_rand_score

    texts = df.text.astype(str).tolist()
    t0 = time.perf_counter()
    base, runs = {}, 0
    for s in seeds:
        base[s], runs = fit_labels(module, emb, s, n_runs, n_epochs)
    seconds = (time.perf_counter() - t0) / len(seeds)
    row = {"runs": runs}
    for sigma in sigmas:
        aris = [
            adjusted_rand_score(
                base[s], fit_labels(module, noisy(emb, sigma, 1000 + s), s, n_runs, n_epochs)[0]
            )
            for s in seeds
        ]
        row[f"ARI@{sigma:.0e}"] = f"{median(aris):.3f} ({min(aris):.3f})"
    row["stability"] = float(
        np.mean(
            [adjusted_rand_score(base[a], base[b]) for a, b in itertools.combinations(seeds, 2)]
        )
    )
    scores = [quality(texts, base[s], reference) for s in seeds]
    for key in scores[0]:
        row[key] = median([sc[key] for sc in scores])
    row["fit_s"] = seconds
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", nargs="+", default=["bundled", "arxiv", "arxiv2"])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 42, 43, ... (default 5)")
    parser.add_argument("--sigmas", nargs="+", type=float, default=[1e-7, 1e-6, 1e-5])
    parser.add_argument("--before", default=BEFORE, help=f"git revision (default {BEFORE})")
    parser.add_argument(
        "--runs",
        nargs="+",
        type=int,
        default=[],
        help="also the working tree's clustering with this many consensus runs (rows of their own)",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="UMAP epochs per run for the --runs rows (default: umap-learn's, 500 up to "
        "10,000 papers); fewer make a run cheaper, so more runs fit in the same time",
    )
    args = parser.parse_args()
    import trends.cluster as after

    before = load_module(args.before)
    seeds = list(range(42, 42 + args.seeds))
    columns = ["clustering", "runs"] + [f"ARI@{s:.0e}" for s in args.sigmas]
    columns += ["stability", "themes", "outliers", "nmi", "npmi", "diversity", "fit_s"]
    for name, df, emb, reference in corpora_by_name(args.corpora):
        print(f"\n== {name}: {len(seeds)} seeds, noise {args.sigmas}", flush=True)
        rows = []
        for label, module in ((f"before ({args.before})", before), ("after", after)):
            rows.append(
                {"clustering": label, **evaluate(module, df, emb, reference, seeds, args.sigmas)}
            )
            print(f"   {label}: done", flush=True)
        for r in args.runs:
            label = f"after, {r} runs" + (f" of {args.epochs} epochs" if args.epochs else "")
            row = evaluate(
                after, df, emb, reference, seeds, args.sigmas, n_runs=r, n_epochs=args.epochs
            )
            rows.append({"clustering": label, **row})
            print(f"   {label}: done", flush=True)
        print(f"\n{name}\n{table(rows, columns)}", flush=True)
    print(
        "\nARI@s: median (minimum) over seeds of the ARI between a fit and a fit with the same "
        "seed on embeddings + N(0, s) noise, re-normalised; stability: mean pairwise ARI "
        "between seeds; other columns: medians over seeds; fit_s: seconds per fit "
        "(clustering only)."
    )


if __name__ == "__main__":
    main()
