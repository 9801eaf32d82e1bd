"""The report's sections about time: trends, the feed's mix, bursts, vocabulary, facets...

Each builder takes the report's `trends.report.ReportInput` and returns the context of
its partial (``templates/sections/<id>.html.j2``), or None to leave the section out.
What several sections need (the periods, the trend tables, the term counts) is computed
once per report.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from ..errors import NoDatesError
from .emerging import CALLS
from .periods import periods_of

MIX_COLUMN = "categories"


def _cache(report) -> dict:
    return vars(report).setdefault("_timeline", {})


def _once(report, key, make):
    cache = _cache(report)
    if key not in cache:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            cache[key] = make()
    return cache[key]


def _labels(report):
    return _once(report, "labels", lambda: np.asarray(report.model.assign(report.corpus)))


def _themes(report) -> pd.DataFrame:
    return _once(report, "themes", report.themes_named)


def _periods(report):
    n = int((report.model.themes_.theme_id >= 0).sum())
    return _once(report, "periods", lambda: periods_of(report.corpus, n_themes=n, warn=False))


def _has_mix(report) -> bool:
    corpus = report.corpus
    if MIX_COLUMN not in corpus.columns:
        return False
    from .mix import primary_values

    values = set(primary_values(corpus[MIX_COLUMN]))
    return len(values - {"(none)"}) >= 2


def _changes(report):
    if not _has_mix(report):
        return None
    from .mix import mix_changes

    return _once(
        report,
        "changes",
        lambda: mix_changes(report.corpus, by=MIX_COLUMN, periods=_periods(report)),
    )


def _emerging(report, adjust_for=None):
    from .emerging import emerging_table

    return _once(
        report,
        ("emerging", adjust_for),
        lambda: emerging_table(
            _labels(report),
            _themes(report),
            report.corpus,
            adjust_for=adjust_for,
            periods=_periods(report),
        ),
    )


def _terms(report):
    from ..describe import term_counts

    periods = _periods(report)
    texts = report.corpus["text"].astype(str).iloc[periods.rows].tolist()
    return _once(report, "terms", lambda: term_counts(texts))


def _dated(report) -> bool:
    try:
        _periods(report)
    except NoDatesError:
        return False
    return True


def _ci_text(low: float, high: float) -> str:
    return "too few papers" if math.isnan(low) else f"{low:.2f} – {high:.2f}"


def _ratio_text(ratio: float) -> str:
    if math.isnan(ratio):
        return "–"  # no papers in either window
    return "none before" if math.isinf(ratio) else f"{ratio:.2f}×"  # not "new": a status


# -- trends ---------------------------------------------------------------------------------


def report_section(model, corpus: pd.DataFrame) -> dict:
    """Figures, table and a sentence for the report's Trends section."""
    from ..report import ReportInput

    return trends_section(ReportInput(model, corpus.reset_index(drop=True)))


def trends_section(report) -> dict:
    """The Trends section: shares per period, rising and fading themes (or why there are none)."""
    from ..charts import emerging_themes, theme_share
    from .shares import share_table

    try:
        periods = _periods(report)
    except NoDatesError as exc:
        return {"reason": str(exc), "figures": {}}
    shares = _once(
        report,
        "shares",
        lambda: share_table(_labels(report), _themes(report), report.corpus, periods=periods),
    )
    try:
        table = _emerging(report)
    except NoDatesError as exc:
        # the shares per period are still worth showing: only the comparison is missing
        return {
            "reason": f"No rising or fading themes: {exc}.",
            "figures": {"share": theme_share(shares, changes=_changes(report))},
            "has_share": True,
        }
    r0, r1 = table.attrs["recent"]
    b0, b1 = table.attrs["baseline"]
    level = table.attrs["ci_level"]
    tested = table.attrs["tested"]
    note = (
        f"{table.attrs['note']} Recent window {r0:%Y-%m-%d} to {r1:%Y-%m-%d} "
        f"({table.attrs['recent_papers']} papers) against {b0:%Y-%m-%d} to {b1:%Y-%m-%d} "
        f"({table.attrs['baseline_papers']} papers). "
    )
    if tested:
        note += (
            "Rising or fading only where the share ratio's interval excludes 1; the "
            f"intervals ({level:.1%}) control the false discovery rate across the {tested} "
            f"tested theme{'s' * (tested != 1)} at {table.attrs['fdr']:.0%}."
        )
    else:
        note += "No theme has papers enough to be tested."
    untested = len(table) - tested
    if untested:
        # "stable" is a finding (tested, no change); these are no finding either way
        note += (
            f" {untested} {'theme is' if untested == 1 else 'themes are'} untested: fewer "
            f"than {table.attrs['min_papers']} papers in the two windows, too few to call "
            "either way."
        )
    if periods.undated:
        note += f" {periods.undated} papers without a date are left out."
    if periods.stray:
        note += (
            f" {periods.stray} {'paper' if periods.stray == 1 else 'papers'} dated far from "
            "the rest (stray dates) left out."
        )
    changes = _changes(report)
    if changes is not None and changes.flagged.any():
        note += (
            f" The corpus' own mix changed abruptly in {int(changes.flagged.sum())} "
            f"{periods.name}(s) (dashed lines): see “Feed mix” for trends adjusted for it."
        )
    rows = [
        {
            "label": r.label,
            "status": r.status,
            "recent_count": int(r.recent_count),
            "baseline_count": int(r.baseline_count),
            "recent_share": float(r.recent_share),
            "baseline_share": float(r.baseline_share),
            "ratio_text": _ratio_text(r.ratio),
            "ci_text": _ci_text(r.ci_low, r.ci_high),
        }
        for r in table.itertuples()
    ]
    return {
        "figures": {
            "share": theme_share(shares, changes=changes),
            "emerging": emerging_themes(table),
        },
        "note": note,
        "table": rows,
    }


# -- the feed's mix ---------------------------------------------------------------------------


def mix_section(report) -> dict | None:
    """Abrupt changes of what the corpus collected, and the trends adjusted for its mix."""
    from ..charts import feed_mix
    from .mix import mix_shares

    if not _dated(report) or not _has_mix(report):
        return None
    periods = _periods(report)
    changes = _changes(report)
    shares = mix_shares(report.corpus, by=MIX_COLUMN, periods=periods)
    flagged = [
        {"period": f"{r.period:%Y-%m-%d}", "what": r.what, "partial": bool(r.partial)}
        for r in changes[changes.flagged].itertuples()
    ]
    out = {
        "figures": {"mix-feed": feed_mix(shares, changes)},
        "flagged": flagged,
        "period": periods.name,
        "calls": [],
        "survivors": "",
    }
    try:
        crude = _emerging(report).set_index("theme_id")
        adjusted = _emerging(report, MIX_COLUMN).set_index("theme_id")
    except NoDatesError:
        return out
    calls, kept, lost, gained = [], [], [], []
    for t in crude.index:
        c, a = crude.loc[t], adjusted.loc[t]
        # neither "stable" nor "untested" is a call
        crude_call, adjusted_call = c.status in CALLS, a.status in CALLS
        if not crude_call and not adjusted_call:
            continue
        same = c.status == a.status
        if crude_call:
            (kept if same else lost).append(str(c.label))
        else:
            gained.append(str(c.label))
        calls.append(
            {
                "label": str(c.label),
                "crude": c.status,
                "crude_ratio": _ratio_text(c.ratio),
                "adjusted": a.status,
                "adjusted_ratio": _ratio_text(a.ratio),
                "adjusted_ci": _ci_text(a.ci_low, a.ci_high),
                "survives": "yes" if same else ("no" if crude_call else "new call"),
            }
        )
    out["calls"] = calls
    out["survivors"] = (
        f"Of the {len(kept) + len(lost)} rising or fading calls, {len(kept)} "
        f"{'survives' if len(kept) == 1 else 'survive'} the adjustment for the category mix "
        f"and {len(lost)} {'does' if len(lost) == 1 else 'do'} not"
        + (f"; {len(gained)} themes are called only once adjusted." if gained else ".")
    )
    return out


# -- bursts --------------------------------------------------------------------------------


def bursts_section(report) -> dict | None:
    """The strongest bursts of themes and phrases, and what is bursting now."""
    from ..charts import burst_timeline
    from .bursts import burst_table, theme_bursts

    if not _dated(report):
        return None
    periods = _periods(report)
    if len(periods.table) < 3:
        return None
    themes = theme_bursts(_labels(report), _themes(report), periods)
    counts, terms = _once(report, "phrase_counts", lambda: _phrase_counts(report))
    phrases = burst_table(counts, periods.table["papers"].to_numpy(), terms, periods.table)
    phrases.pop("series")
    phrases.insert(0, "theme_id", -1)
    phrases.insert(0, "kind", "phrase")
    phrases = distinct_phrases(phrases)
    both = pd.concat([themes, phrases.head(20)], ignore_index=True)
    fig = burst_timeline(both, top=35, changes=_changes(report))

    def rows(table, n):
        return [
            {
                "label": str(r.label),
                "theme_id": int(r.theme_id),
                "start": f"{pd.Timestamp(r.start):%Y-%m-%d}",
                "end": f"{pd.Timestamp(r.end):%Y-%m-%d}",
                "strength": f"{r.strength:.1f}",
                "papers": int(r.papers),
                "ratio": f"{r.ratio:.1f}×",
                "ongoing": bool(r.ongoing),
            }
            for r in table.head(n).itertuples()
        ]

    return {
        "figures": {"bursts-timeline": fig},
        "themes": rows(themes, 15),
        "phrases": rows(phrases, 20),
        "now": [str(p) for p in phrases.loc[phrases.ongoing, "label"].head(15)],
        "period": periods.name,
        "note": (
            f"Kleinberg's two-state bursts (s = 2, γ = 1) on the share of each theme and each "
            f"phrase per {periods.name}; kept only when the burst's strength makes it unlikely "
            "by chance (false discovery rate 5% across themes, and across phrases)."
        ),
    }


def distinct_phrases(bursts: pd.DataFrame) -> pd.DataFrame:
    """Phrase bursts less those repeating a stronger one ("splatting" under "gaussian splatting").

    A burst is left out when its words are all in a stronger burst's phrase, or the stronger
    one's words all in its own, and the two overlap in time.
    """
    kept, rows = [], []
    for r in bursts.itertuples():
        words = set(str(r.label).split())
        if any(
            (words <= w or w <= words) and r.start <= end and start <= r.end
            for w, start, end in kept
        ):
            continue
        kept.append((words, r.start, r.end))
        rows.append(r.Index)
    return bursts.loc[rows]


def _phrase_counts(report):
    import scipy.sparse as sp

    periods = _periods(report)
    matrix, terms = _terms(report)
    present = (matrix > 0).astype(np.float64)
    member = sp.csr_matrix(
        (np.ones(len(periods.rows)), (periods.index, np.arange(len(periods.rows)))),
        shape=(len(periods.table), len(periods.rows)),
    )
    return np.asarray((member @ present).todense()), [str(t) for t in terms]


# -- vocabulary -----------------------------------------------------------------------------


def vocabulary_section(report) -> dict | None:
    """Per theme, the phrases gaining and losing weight between the two windows."""
    from ..charts import vocabulary_timeline
    from .shares import display_names
    from .vocabulary import vocabulary, vocabulary_change

    if not _dated(report):
        return None
    try:
        table = _emerging(report)
    except NoDatesError:
        return None
    source = (_labels(report), _themes(report))
    change = vocabulary_change(source, report.corpus, terms=_terms(report))
    names = display_names(_themes(report))
    order = {int(t): k for k, t in enumerate(table.theme_id)}
    status = dict(zip(table.theme_id.astype(int), table.status, strict=True))
    themes = []
    for t, part in sorted(change.groupby("theme_id"), key=lambda kv: order.get(int(kv[0]), 1e9)):
        themes.append(
            {
                "theme_id": int(t),
                "name": names.get(int(t), str(t)),
                # a theme without a row in the trend table was not tested: no status
                "status": status.get(int(t), "–"),
                "gaining": part.loc[part.direction == "gaining", "keyword"].tolist(),
                "losing": part.loc[part.direction == "losing", "keyword"].tolist(),
            }
        )
    moving = [int(t) for t in table.theme_id[table.status.isin(["rising", "new"])][:2]]
    figures = {}
    if moving:
        vocab = vocabulary(source, report.corpus, terms=_terms(report), evolution_tuning=True)
        for t in moving:
            figures[f"vocabulary-{t}"] = vocabulary_timeline(vocab, theme_id=t)
    r0, r1 = change.attrs["recent"]
    return {
        "figures": figures,
        "charts": [{"name": k, "theme_id": int(k.split("-")[1])} for k in figures],
        "themes": themes,
        "note": (
            f"Phrases whose c-TF-IDF weight in a theme grew or shrank most between the "
            f"recent window ({r0:%Y-%m-%d} to {r1:%Y-%m-%d}) and the one before it (used by "
            "3% or more of the theme's papers, and at least 3, in the window where they weigh "
            "more)."
        ),
    }


# -- facets ---------------------------------------------------------------------------------


def facets_section(report) -> dict | None:
    """Which categories (or venues, sources) carry each theme."""
    from .. import papers as _papers
    from ..charts import facet_heatmap
    from .facets import facets

    columns = _papers.facet_columns(report.corpus)
    if not columns:
        return None
    by = MIX_COLUMN if MIX_COLUMN in columns else columns[0]
    table = facets((_labels(report), _themes(report)), report.corpus, by=by)
    word = {"categories": "category", "venues": "venue", "sources": "source"}.get(by, by)
    real = table[table.theme_id >= 0]
    rows = []
    for t, part in real.groupby("theme_id", sort=False):
        top = part.sort_values("count", ascending=False).head(3)
        rows.append(
            {
                "theme_id": int(t),
                "name": str(part.label.iloc[0]),
                "papers": int(part["count"].sum()),
                "top": [f"{v} {s:.0%}" for v, s in zip(top.value, top.share_of_theme, strict=True)],
            }
        )
    return {
        "figures": {"facets-heatmap": facet_heatmap(table, title=f"Themes by {word}")},
        "column": word,
        "rows": rows,
        "note": (
            f"Share of each theme's papers in each {word}"
            + (" (a paper counts in its primary, first, value)." if by == MIX_COLUMN else ".")
        ),
    }


# -- watch-list -----------------------------------------------------------------------------


def watch_section(report) -> dict | None:
    """The user's watched topics: papers, shares over time and their trend."""
    from ..charts import emerging_themes, theme_share
    from .watch import watch

    phrases = getattr(report, "watch", None)
    if not phrases:
        return None
    freq = _periods(report).freq if _dated(report) else "auto"  # the themes' periods
    result = _once(
        report, "watch", lambda: watch(report.corpus, phrases, model=report.model, freq=freq)
    )
    out = {
        "figures": {},
        "threshold": f"{result.threshold:.2f}",
        "reason": result.reason,
        "notes": result.notes,  # `_once` silences the warnings of `watch`: said here
        "topics": [],
    }
    status = {}
    if result.emerging is not None:
        status = {
            int(r.theme_id): (r.status, _ratio_text(r.ratio), _ci_text(r.ci_low, r.ci_high))
            for r in result.emerging.itertuples()
        }
        out["figures"]["watch-emerging"] = emerging_themes(
            result.emerging, title="Watched topics: recent share against before"
        )
    if result.shares is not None:
        out["figures"]["watch-share"] = theme_share(
            result.shares,
            top=len(phrases),
            title="Watched topics: share over time",
            changes=_changes(report) if _dated(report) else None,
            filters=False,  # its lines are watched phrases, not the themes they number
        )
    out["has_share"] = "watch-share" in out["figures"]
    out["has_emerging"] = "watch-emerging" in out["figures"]
    out["unmatched"] = 0
    for r in result.topics.itertuples():
        if r.theme_id < 0:
            out["unmatched"] = int(r.size)
            continue
        s = status.get(int(r.theme_id), ("–", "–", "–"))
        out["topics"].append(
            {
                "phrase": str(r.label),
                "papers": int(r.size),
                "matches": int(r.matches),
                "status": s[0],
                "ratio": s[1],
                "ci": s[2],
            }
        )
    return out


# -- lineage --------------------------------------------------------------------------------


def lineage_section(report) -> dict | None:
    """How the store's themes continued, split, merged, appeared and ended across refits."""
    from ..charts import lineage
    from .lineage import lineage_events, lineage_flows

    store = getattr(report, "store", None)
    if store is None:
        return None
    flows = lineage_flows(store)
    if flows.empty:
        return {"reason": "The store has one fit so far: lineage starts at its first refit."}
    events = lineage_events(flows)
    here = store_to_report(store, report.model)

    def sid(theme: int) -> str:
        # S: the store's own ids (kept across refits); #: this report's fit, by size
        return f"S{theme}" + (f" (#{here[theme]} here)" if theme in here else "")

    summary = []
    for step, part in events.groupby("step"):
        counts = part.event.value_counts()
        words = [
            f"{int(counts[e])} {e}"
            for e in ("continued", "split", "merged", "appeared", "ended")
            if e in counts
        ]
        detail = (
            [
                f"S{r.theme_id} {r.label} → " + ", ".join(sid(i) for i in r.into)
                for r in part[part.event == "split"].itertuples()
            ]
            + [
                ", ".join(sid(i) for i in r.into) + f" → {sid(r.theme_id)} {r.label}"
                for r in part[part.event == "merged"].itertuples()
            ]
            + [  # a theme carried on under a new id: the store's update called the old one ended
                f"{sid(r.into[0])} → {sid(r.theme_id)} {r.label} (a new id)"
                for r in part[(part.event == "appeared") & (part.into.map(len) > 0)].itertuples()
            ]
        )
        summary.append(
            {
                "step": int(step),
                "date": f"{pd.Timestamp(part.to_date.iloc[0]):%Y-%m-%d}",
                "counts": ", ".join(words),
                "detail": detail,
            }
        )
    return {"figures": {"lineage-sankey": lineage(flows, prefix="S")}, "refits": summary}


def store_to_report(store, model) -> dict[int, int]:
    """Store theme ids to the report's own theme ids.

    A store theme maps to the report's theme holding half or more of its current papers.
    """
    corpus, labels, _ = store.current()
    mine = dict(zip(map(str, model.doc_ids_), np.asarray(model.labels_).tolist(), strict=True))
    pairs = pd.DataFrame(
        {"store": labels, "here": [mine.get(str(d), -1) for d in corpus["doc_id"]]}
    )
    sizes = pairs.store.value_counts()
    pairs = pairs[(pairs.store >= 0) & (pairs.here >= 0)]
    out = {}
    for theme, part in pairs.groupby("store"):
        counts = part.here.value_counts()
        if counts.iloc[0] >= 0.5 * sizes[theme]:
            out[int(theme)] = int(counts.index[0])
    return out
