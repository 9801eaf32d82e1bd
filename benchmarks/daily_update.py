"""Replaying the arXiv feed day by day: the cost of a daily update against a full refit.

Each of the 103 listing days goes into a `trends.store.Store` as one snapshot: new papers
are de-duplicated against the store, embedded (only those), placed in the known themes
and stored. A refit runs when asked (``--refit-every`` days) or when more than 30% of a
day's new papers fit no theme. Printed side by side, in one run: the median time of a
daily update without refit, and the time of a full refit of the same corpus with plain
``BERTopic(embedding_model=<the same MiniLM>)`` (which embeds everything again). Also:
the share of papers whose theme id is unchanged between consecutive refits, overall and
for the themes that were kept, and the themes reported as new and ended.

Target (issue 5): a daily update without refit costs under 5% of a full refit.

    python benchmarks/daily_update.py              # 103 days; embeddings cached by earlier runs
    python benchmarks/daily_update.py --days 20    # a shorter replay
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from pathlib import Path

from _common import corpora, minilm


def main() -> None:
    import trends
    from trends.store import Store
    from trends.timeline.emerging import CALLS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=None, help="replay only the first N days")
    parser.add_argument("--refit-every", type=int, default=15, help="ask for a refit every N days")
    parser.add_argument("--skip-peer", action="store_true", help="do not time plain BERTopic")
    args = parser.parse_args()
    files = sorted((corpora() / "arxiv_daily").glob("*.jsonl.gz"))[: args.days]
    path = Path(tempfile.mkdtemp(prefix="trends-replay-")) / "feed.sqlite"
    updates, refits = [], []
    with Store(path) as store:
        for k, day in enumerate(files):
            corpus = trends.load(day)
            t0 = time.perf_counter()
            ask = k > 0 and k % args.refit_every == 0
            result = store.update(corpus, refit=ask, verbose=False)
            seconds = time.perf_counter() - t0
            (refits if result.refitted else updates).append(seconds)
            print(f"{day.name[:10]}  {seconds:6.2f} s  {result.summary()}", flush=True)
        fits = store.runs().query("kind == 'fit'").run_id.tolist()
        lineage = store.lineage()
        kept_shares, all_shares = [], []
        for a, b in zip(fits, fits[1:], strict=False):
            before = store.assignments(a).set_index("doc_id").theme_id
            after = store.assignments(b).set_index("doc_id").theme_id
            both = before.index.intersection(after.index)
            all_shares.append(float((before[both] == after[both]).mean()))
            kept = set(lineage[(lineage.run_id == b) & (lineage.kind == "kept")].old_theme_id)
            mask = before[both].isin(kept)
            kept_shares.append(float((before[both][mask] == after[both][mask]).mean()))
        corpus, labels, themes = store.current()
    print(
        f"\n{len(files)} days, {len(corpus)} papers, {len(fits)} fits, {len(updates)} daily updates"
    )
    print(
        "papers keeping their theme id between consecutive refits: "
        + ", ".join(f"{s:.0%}" for s in all_shares)
        + (f" (median {statistics.median(all_shares):.0%})" if all_shares else "")
    )
    print(
        "... of the themes found again (kept): "
        + ", ".join(f"{s:.0%}" for s in kept_shares)
        + (f" (median {statistics.median(kept_shares):.0%})" if kept_shares else "")
    )
    counts = lineage.kind.value_counts().to_dict()
    print(f"lineage rows: {counts}")
    update = statistics.median(updates) if updates else float("nan")
    print(
        f"daily update without refit: median {update:.2f} s (max {max(updates, default=0):.2f} s)"
    )
    print(f"refits of this package (cached embeddings): {[round(s, 1) for s in refits]} s")
    if args.skip_peer:
        return
    from bertopic import BERTopic

    logging.getLogger("BERTopic").setLevel(logging.WARNING)
    t0 = time.perf_counter()
    BERTopic(embedding_model=minilm()).fit(corpus.text.tolist())
    peer = time.perf_counter() - t0
    print(f"full refit with plain BERTopic on the same {len(corpus)} papers: {peer:.1f} s")
    print(
        f"daily update / full BERTopic refit = {update / peer:.2%} "
        f"(target < 5%: {'met' if update / peer < 0.05 else 'MISSED'})"
    )
    table = trends.emerging((labels, themes), corpus)
    print("\ntop rising and fading themes over the replayed feed (store's current themes):")
    cols = [
        "theme_id",
        "label",
        "recent_count",
        "baseline_count",
        "ratio",
        "ci_low",
        "ci_high",
        "status",
    ]
    print(table[table.status.isin(CALLS)][cols].to_string(index=False))


if __name__ == "__main__":
    main()
