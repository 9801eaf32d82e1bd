"""Are the rising/fading calls and the bursts calibrated? Shuffled dates and planted trends.

Two checks, printed side by side with the uncontrolled statistic (each theme tested at
95% on its own; Kleinberg's automaton with gamma = 1 alone) measured in the same run:

1. **Time meaning nothing.** The themes of the arXiv feed are fitted once; then the dates
   are shuffled among the papers (``--permutations``, default 20) and every theme's
   rising/fading call, mix-adjusted call, burst, and every phrase's burst is computed
   again. With time meaning nothing, any call is false. Target (issue 14): at most 5% of
   the themes called rising or fading, and at most 5% with a burst.
2. **Planted trends.** ``--draws`` (default 50) synthetic feeds with the real feed's
   dates, weekly volumes and theme sizes, theme labels drawn at random per paper: one
   theme of median size has its share doubled over the last quarter of the whole weeks,
   another has one whole week at 3x its base rate. Target: each found in at least 90% of
   the draws (the doubled theme called rising; a burst of the other covering the week).

Also the watch-list threshold checked on labelled data: the BBC classes' names as phrases
against the BBC articles (precision and recall of the assignment at three thresholds).

    python benchmarks/trend_calibration.py                       # both arXiv folders
    python benchmarks/trend_calibration.py --folders arxiv_daily # the first 103 days
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from _common import corpora, table


def fit(corpus):
    import trends
    from trends.fit_cache import fit_or_load

    model, _ = fit_or_load(corpus, trends.ThemeModel(verbose=True))
    return model


def permutation_check(corpus, model, n_perm: int, seed: int) -> list[dict]:
    import scipy.sparse as sp

    from trends.describe import term_counts
    from trends.timeline import emerging_table, periods_of
    from trends.timeline.bursts import burst_table, theme_bursts
    from trends.timeline.emerging import CALLS

    labels = np.asarray(model.labels_)
    themes = model.themes_
    n_themes = int((themes.theme_id >= 0).sum())
    matrix, terms = term_counts(corpus["text"].astype(str).tolist())
    present = (matrix > 0).astype(np.float64)
    dates = corpus["published"].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    rows = {k: [] for k in ("emerging", "adjusted", "theme bursts", "phrase bursts")}
    naive = {k: [] for k in rows}
    for p in range(n_perm):
        order = rng.permutation(len(dates))
        shuffled = corpus.assign(published=dates.iloc[order].to_numpy())
        periods = periods_of(shuffled, n_themes=n_themes, warn=False)
        crude = emerging_table(labels, themes, shuffled, periods=periods)
        rows["emerging"].append(crude.status.isin(CALLS).mean())
        naive["emerging"].append((crude.p_value < 0.05).mean())
        adjusted = emerging_table(
            labels, themes, shuffled, periods=periods, adjust_for="categories"
        )
        rows["adjusted"].append(adjusted.status.isin(CALLS).mean())
        naive["adjusted"].append((adjusted.p_value < 0.05).mean())
        kept = theme_bursts(labels, themes, periods)
        every = theme_bursts(labels, themes, periods, alpha=None)
        rows["theme bursts"].append(kept.theme_id.nunique() / n_themes)
        naive["theme bursts"].append(every.theme_id.nunique() / n_themes)
        member = sp.csr_matrix(
            (np.ones(len(periods.rows)), (periods.index, periods.rows)),
            shape=(len(periods.table), len(corpus)),
        )
        counts = np.asarray((member @ present).todense())
        totals = periods.table["papers"].to_numpy()
        names = [str(t) for t in terms]
        kept = burst_table(counts, totals, names, periods.table)
        every = burst_table(counts, totals, names, periods.table, alpha=None)
        rows["phrase bursts"].append(kept.label.nunique() / len(terms))
        naive["phrase bursts"].append(every.label.nunique() / len(terms))
        print(
            f"  permutation {p + 1}/{n_perm}: "
            + ", ".join(f"{k} {v[-1]:.3f}" for k, v in rows.items()),
            flush=True,
        )
    out = []
    for key in rows:
        out.append(
            {
                "called by chance": key,
                "controlled, median": float(np.median(rows[key])),
                "controlled, max": float(np.max(rows[key])),
                "uncontrolled, median": float(np.median(naive[key])),
                "uncontrolled, max": float(np.max(naive[key])),
                "series": n_themes if key != "phrase bursts" else len(terms),
            }
        )
    return out


def planted_check(corpus, model, n_draws: int, seed: int) -> list[dict]:
    from trends.timeline import emerging_table, periods_of
    from trends.timeline.bursts import theme_bursts
    from trends.timeline.emerging import CALLS

    themes = model.themes_
    ids = themes.theme_id.astype(int).to_numpy()
    base = themes["size"].to_numpy(dtype=float)
    base /= base.sum()
    real = np.flatnonzero(ids >= 0)
    by_size = real[np.argsort(base[real])]
    trend_k, burst_k = by_size[len(by_size) // 2], by_size[len(by_size) // 2 - 1]
    periods = periods_of(corpus, n_themes=len(real), warn=False)
    complete = periods.complete
    n_recent = max(1, round(len(complete) / 4))
    recent = set(complete[-n_recent:].tolist())
    rng = np.random.default_rng(seed)
    found_trend, found_burst, false_calls, false_bursts = [], [], [], []
    for _ in range(n_draws):
        week = int(rng.choice(complete[1:-1]))
        labels = np.empty(len(corpus), dtype=np.int64)
        for k in range(len(periods.table)):
            probs = base.copy()
            if k in recent:
                probs[trend_k] *= 2
            if k == week:
                probs[burst_k] *= 3
            probs /= probs.sum()
            rows = periods.rows[periods.index == k]
            labels[rows] = ids[rng.choice(len(ids), size=len(rows), p=probs)]
        calls = emerging_table(labels, themes, corpus, periods=periods).set_index("theme_id")
        found_trend.append(calls.loc[ids[trend_k], "status"] == "rising")
        others = calls.drop(index=[ids[trend_k], ids[burst_k]])
        false_calls.append(others.status.isin(CALLS).mean())
        bursts = theme_bursts(labels, themes, periods)
        start = periods.table.period.iloc[week]
        mine = bursts[(bursts.theme_id == ids[burst_k]) & (bursts.start <= start)]
        found_burst.append(bool((mine.end >= start).any()))
        false_bursts.append(
            bursts[~bursts.theme_id.isin([ids[trend_k], ids[burst_k]])].theme_id.nunique()
            / (len(real) - 2)
        )
    size = lambda k: f"{base[k]:.1%} of the papers"  # noqa: E731
    return [
        {
            "planted": f"share x2 over the last {n_recent} {periods.name}s ({size(trend_k)})",
            "found in": float(np.mean(found_trend)),
            "false calls, other themes": float(np.mean(false_calls)),
        },
        {
            "planted": f"one {periods.name} at 3x the base rate ({size(burst_k)})",
            "found in": float(np.mean(found_burst)),
            "false calls, other themes": float(np.mean(false_bursts)),
        },
    ]


def watch_check() -> list[dict]:
    import trends
    from trends.timeline import DEFAULT_THRESHOLD

    out = []
    bbc = trends.load(corpora() / "bbc_news.csv.gz")
    names = {"business": "business", "entertainment": "entertainment", "politics": "politics",
             "sport": "sport", "tech": "technology"}  # fmt: skip
    for threshold in (DEFAULT_THRESHOLD, 0.25, 0.15):
        result = trends.watch(bbc, list(names.values()), threshold=threshold)
        truth = bbc["label"].map({k: i for i, k in enumerate(names)}).to_numpy()
        assigned = result.labels >= 0
        out.append(
            {
                "corpus": "BBC, class names",
                "threshold": threshold,
                "assigned": float(assigned.mean()),
                "precision": float((result.labels[assigned] == truth[assigned]).mean()),
                "recall": float((result.labels == truth).mean()),
            }
        )
    return out


def main() -> None:
    import trends

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folders", nargs="+", default=["arxiv_daily", "arxiv_daily_2025h2"])
    parser.add_argument("--permutations", type=int, default=20)
    parser.add_argument("--draws", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-watch", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore", UserWarning)
    t0 = time.perf_counter()
    corpus = trends.load(*[corpora() / f for f in args.folders])
    print(f"{len(corpus)} papers from {', '.join(args.folders)}", flush=True)
    model = fit(corpus)
    print(f"{model.n_themes_} themes ({time.perf_counter() - t0:.0f} s)", flush=True)
    perm = permutation_check(corpus, model, args.permutations, args.seed)
    print(f"\nShuffled dates ({args.permutations} permutations): share of series called")
    print(table(perm, list(perm[0])))
    planted = planted_check(corpus, model, args.draws, args.seed)
    print(f"\nPlanted trends ({args.draws} draws with the feed's dates and theme sizes)")
    print(table(planted, list(planted[0])))
    if not args.skip_watch:
        checks = watch_check()
        print("\nWatch-list threshold on labelled data")
        print(table(checks, list(checks[0])))
    print(f"\n({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
