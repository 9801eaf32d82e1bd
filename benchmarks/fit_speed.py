"""Fit speed on the arXiv feed: this package against plain BERTopic, side by side, one run.

For each tool: time per stage (embedding, UMAP, HDBSCAN, keywords), total and peak memory
of a first fit, then of a second fit of the same corpus in the same process. BERTopic
re-embeds everything on its second fit; this package reads its embedding cache and the
clustering runs of its first fit (`trends.run_cache`), as a user's refit does. Then the
cost of one more day's papers for this package: embedding only them and placing them in
the fitted themes (`transform`), against the cold fit.

Targets (issue 3): second fit >= 20x faster than BERTopic's second fit; one more day
< 5% of a full cold fit.

    python benchmarks/fit_speed.py            # the 17,145-paper feed (~50 min on 2 cores)
    python benchmarks/fit_speed.py --quick    # the first 15 days (~3,000 papers)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time

from _common import corpora, peak_rss_mb, table

OURS = "ours"
PEER = "bertopic"


def split(quick: bool):
    """The corpus to fit (all days but the last) and the next day's new papers."""
    import trends

    files = sorted((corpora() / "arxiv_daily").glob("*.jsonl.gz"))
    if quick:
        files = files[:16]
    base = trends.load(*files[:-1])
    everything = trends.load(*files)
    extra = everything[~everything.doc_id.isin(base.doc_id)].reset_index(drop=True)
    return base, extra


def run_ours(quick: bool) -> dict:
    import trends

    base, extra = split(quick)
    out = {"papers": len(base), "extra": len(extra)}
    fits = []
    for _ in range(2):
        t0 = time.perf_counter()
        model = trends.ThemeModel(verbose=False).fit(base)
        total = time.perf_counter() - t0
        t = model.timings_
        fits.append(
            {
                "embedding": t["embedding"],
                "umap": t["umap"] + t.get("knn", 0.0),
                "hdbscan": t["hdbscan"] + t.get("consensus", 0.0),
                "keywords": t["keywords"],
                "total": total,
                "themes": model.n_themes_,
            }
        )
    t0 = time.perf_counter()
    placed = model.transform(extra)
    out["extra_seconds"] = time.perf_counter() - t0
    out["extra_outliers"] = float((placed == -1).mean())
    out["fits"] = fits
    out["peak_mb"] = peak_rss_mb()
    return out


class _StageClock(logging.Handler):
    """Reads BERTopic's own log lines to time its stages."""

    MARKS = {
        "Embedding - Transforming": ("embedding", 0),
        "Embedding - Completed": ("embedding", 1),
        "Dimensionality - Fitting": ("umap", 0),
        "Dimensionality - Completed": ("umap", 1),
        "Cluster - Start": ("hdbscan", 0),
        "Cluster - Completed": ("hdbscan", 1),
        "Representation - Completed": ("keywords", 1),
    }

    def __init__(self):
        super().__init__()
        self.marks = {}

    def emit(self, record):
        msg = record.getMessage()
        for prefix, (stage, end) in self.MARKS.items():
            if msg.startswith(prefix):
                self.marks[(stage, end)] = record.created
                if stage == "hdbscan" and end == 1:  # keywords: everything after clustering
                    self.marks[("keywords", 0)] = record.created


def run_peer(quick: bool) -> dict:
    from _common import minilm
    from bertopic import BERTopic

    base, _ = split(quick)
    docs = base.text.tolist()
    embedder = minilm()
    logger = logging.getLogger("BERTopic")
    fits = []
    for _ in range(2):
        clock = _StageClock()
        logger.addHandler(clock)
        t0 = time.perf_counter()
        model = BERTopic(embedding_model=embedder, verbose=True)
        topics, _ = model.fit_transform(docs)
        total = time.perf_counter() - t0
        logger.removeHandler(clock)
        stages = {
            s: clock.marks.get((s, 1), 0) - clock.marks.get((s, 0), 0)
            for s in ("embedding", "umap", "hdbscan", "keywords")
        }
        fits.append({**stages, "total": total, "themes": len(set(topics) - {-1})})
    return {"papers": len(base), "fits": fits, "peak_mb": peak_rss_mb()}


def child(which: str, quick: bool) -> dict:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if which == OURS:
        env["TRENDS_CACHE_DIR"] = tempfile.mkdtemp(prefix="trends-bench-cache-")  # cold
        env["TRENDS_RUN_CACHE"] = "on"  # the second fit reads the first one's runs
    out = subprocess.run(
        [sys.executable, __file__, "--child", which] + (["--quick"] if quick else []),
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the first 15 days only")
    parser.add_argument("--child", choices=[OURS, PEER], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = run_ours(args.quick) if args.child == OURS else run_peer(args.quick)
        print(json.dumps(result))
        return
    ours = child(OURS, args.quick)
    peer = child(PEER, args.quick)
    rows = []
    for name, res in (("trends (defaults)", ours), ("BERTopic (defaults)", peer)):
        for k, fit in enumerate(res["fits"]):
            rows.append({"tool": name, "fit": ["first (cold)", "second"][k], **fit})
    print(f"corpus: {ours['papers']} arXiv papers; the next day adds {ours['extra']} new papers")
    cols = ["tool", "fit", "embedding", "umap", "hdbscan", "keywords", "total", "themes"]
    print(table(rows, cols))
    print(f"peak memory: trends {ours['peak_mb']:.0f} MB, BERTopic {peer['peak_mb']:.0f} MB")
    second_ratio = peer["fits"][1]["total"] / ours["fits"][1]["total"]
    cold = ours["fits"][0]["total"]
    day_share = ours["extra_seconds"] / cold
    print(
        f"second fit: BERTopic {peer['fits'][1]['total']:.1f} s / trends "
        f"{ours['fits'][1]['total']:.1f} s = {second_ratio:.1f}x (target >= 20x: "
        f"{'met' if second_ratio >= 20 else 'MISSED'})"
    )
    print(
        f"one more day ({ours['extra']} papers, embed + place): {ours['extra_seconds']:.1f} s = "
        f"{day_share:.1%} of the cold fit ({cold:.1f} s) (target < 5%: "
        f"{'met' if day_share < 0.05 else 'MISSED'}); {ours['extra_outliers']:.0%} of them "
        "fit no theme"
    )


if __name__ == "__main__":
    main()
