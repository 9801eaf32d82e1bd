"""Themes over time: share per period, and which themes are rising or fading.

``freq="auto"`` picks the finest of day, week, month, quarter and year at which the
median period holds at least ``10 x n_themes`` dated papers (about ten papers per theme
per period: enough to compare shares), provided that leaves at least 3 periods;
otherwise the finest frequency that gives 3 periods, else years.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from .errors import NoDatesError

AUTO_FREQS = [("D", "day"), ("W", "week"), ("M", "month"), ("Q", "quarter"), ("Y", "year")]
PAPERS_PER_THEME = 10
STATUS_ORDER = {"rising": 0, "new": 1, "stable": 2, "fading": 3}


def resolve(source, corpus: pd.DataFrame | None):
    """``(corpus, labels, themes)`` of what the trend functions are given.

    ``source`` is a fitted `ThemeModel` (its labels for the papers it was fitted on,
    its placement for the others), a `trends.store.Store` (its papers and their current
    themes; ``corpus`` may then be omitted), or a ``(labels, themes)`` pair of plain data
    (one label per row of ``corpus`` and a theme table with ``theme_id`` and ``label``).
    """
    if hasattr(source, "current") and not hasattr(source, "fit_"):
        papers, labels, themes = source.current()
        if corpus is None:
            return papers, labels, themes
        where = dict(zip(papers["doc_id"].astype(str), labels.tolist(), strict=True))
        labels = np.array([where.get(d, -1) for d in corpus["doc_id"].astype(str)], dtype=np.int64)
        return corpus, labels, themes
    if corpus is None:
        raise TypeError("corpus is required unless the source is a Store")
    if isinstance(source, tuple) and len(source) == 2:
        labels, themes = np.asarray(source[0], dtype=np.int64), source[1]
        if len(labels) != len(corpus):
            raise ValueError(f"{len(labels)} labels for a corpus of {len(corpus)} papers")
        return corpus, labels, themes
    return corpus, source.assign(corpus), source.themes_


def dated(corpus: pd.DataFrame, labels: np.ndarray):
    """The dated papers' dates and labels, and how many papers had no date."""
    if "published" not in corpus.columns:
        raise NoDatesError(
            "the corpus has no 'published' column: theme trends need dated papers "
            "(load a source with a date, published or year field)"
        )
    published = pd.to_datetime(corpus["published"], utc=True)
    has_date = published.notna().to_numpy()
    if not has_date.any():
        raise NoDatesError(
            f"none of the {len(corpus)} papers has a date: theme trends need dated papers "
            "(load a source with a date, published or year field)"
        )
    undated = int((~has_date).sum())
    if undated:
        warnings.warn(
            f"{undated} of {len(corpus)} papers have no date and are left out of the trends "
            "(counted in .attrs['undated'])",
            UserWarning,
            stacklevel=3,
        )
    return published[has_date].reset_index(drop=True), np.asarray(labels)[has_date], undated


def choose_freq(dates: pd.Series, n_themes: int) -> str:
    """The ``freq="auto"`` rule (see the module docstring)."""
    naive = dates.dt.tz_convert(None)
    need = PAPERS_PER_THEME * max(1, n_themes)
    fallback = None
    for freq, _ in AUTO_FREQS:
        counts = naive.dt.to_period(freq).value_counts()
        if len(counts) >= 3:
            fallback = fallback or freq
            if counts.median() >= need:
                return freq
    return fallback or "Y"


def _periods(dates: pd.Series, freq: str) -> pd.Series:
    try:
        return dates.dt.tz_convert(None).dt.to_period(freq).dt.start_time
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"freq={freq!r} is not a pandas period frequency (use 'auto', 'D', 'W', 'M', "
            f"'Q', 'Y' or e.g. '2W'): {exc}"
        ) from None


def theme_trends(model, corpus: pd.DataFrame | None = None, *, freq: str = "auto") -> pd.DataFrame:
    """Papers and share of each theme per period.

    Parameters
    ----------
    model : ThemeModel, Store or (labels, themes)
        A fitted model (papers it was not fitted on are placed with ``model.predict``),
        a `trends.store.Store`, or plain data (see `resolve`).
    corpus : pandas.DataFrame
        The canonical table, with ``published`` dates (optional for a store).
    freq : str
        ``"auto"`` (see the module docstring) or a pandas period frequency.

    Returns
    -------
    pandas.DataFrame
        ``period`` (start of the period), ``theme_id``, ``label``, ``count``, ``share``
        (of that period's dated papers), every theme in every period. ``.attrs`` hold
        ``freq`` and ``undated`` (papers left out for want of a date).

    Raises
    ------
    NoDatesError
        No paper has a date.
    """
    corpus, labels, themes = resolve(model, corpus)
    return share_table(labels, themes, corpus, freq=freq)


def share_table(labels, themes: pd.DataFrame, corpus: pd.DataFrame, *, freq: str = "auto"):
    """`theme_trends` on plain data: one label per row of ``corpus``, and the theme table."""
    dates, labels, undated = dated(corpus, labels)
    if freq == "auto":
        freq = choose_freq(dates, int((themes.theme_id >= 0).sum()))
    periods = _periods(dates, freq)
    counts = (
        pd.DataFrame({"period": periods, "theme_id": labels})
        .groupby(["period", "theme_id"])
        .size()
        .rename("count")
    )
    all_periods = sorted(periods.unique())
    ids = themes.theme_id.astype(int).tolist()
    grid = pd.MultiIndex.from_product([all_periods, ids], names=["period", "theme_id"])
    out = counts.reindex(grid, fill_value=0).reset_index()
    totals = out.groupby("period")["count"].transform("sum")
    out["share"] = np.where(totals > 0, out["count"] / totals.where(totals > 0, 1), 0.0)
    names = dict(zip(themes.theme_id.astype(int), themes.label, strict=True))
    out.insert(2, "label", out.theme_id.map(names))
    out["count"] = out["count"].astype(int)
    out.attrs.update(freq=freq, undated=undated)
    return out


def _window(value, end: pd.Timestamp, default: pd.Timedelta):
    """(start, end] of a window from None, a length ("30D", Timedelta) or a (start, end) pair."""
    if value is None:
        return end - default, end
    if isinstance(value, tuple | list) and len(value) == 2:
        start, stop = (pd.Timestamp(v) for v in value)
        start = start.tz_localize("UTC") if start.tzinfo is None else start
        stop = stop.tz_localize("UTC") if stop.tzinfo is None else stop
        return start, stop
    length = pd.Timedelta(value)
    return end - length, end


def rate_ratio_ci(a: int, n1: int, b: int, n2: int, *, level: float = 0.95):
    """Ratio of two proportions ``(a/n1) / (b/n2)`` and its confidence interval.

    Katz's log method for the risk ratio (the one `scipy.stats.contingency.relative_risk`
    uses), with the Haldane-Anscombe correction (0.5 added to every cell) when a count
    is zero, so that a theme absent from one window still gets a finite interval.
    """
    from scipy.stats import norm

    if n1 == 0 or n2 == 0:
        return float("nan"), float("nan"), float("nan")
    ratio = (a / n1) / (b / n2) if b > 0 else float("inf")
    aa, bb, nn1, nn2 = a, b, n1, n2
    if a == 0 or b == 0:
        aa, bb, nn1, nn2 = a + 0.5, b + 0.5, n1 + 1, n2 + 1
    z = norm.ppf(0.5 + level / 2)
    point = math.log((aa / nn1) / (bb / nn2))
    se = math.sqrt(max(1 / aa - 1 / nn1 + 1 / bb - 1 / nn2, 0.0))
    return ratio, math.exp(point - z * se), math.exp(point + z * se)


def emerging(
    model,
    corpus: pd.DataFrame | None = None,
    *,
    recent=None,
    baseline=None,
    min_papers: int = 10,
    level: float = 0.95,
) -> pd.DataFrame:
    """Rising, fading, new and stable themes: recent share against the share before.

    Parameters
    ----------
    recent : str, Timedelta or (start, end), optional
        The recent window; default the last quarter of the dated span.
    baseline : str, Timedelta or (start, end), optional
        The window compared against; default everything dated before ``recent``. A
        length (``"30D"``) means that long just before ``recent``.
    min_papers : int
        A theme needs this many papers in the two windows together to be called rising
        or fading (so 2 papers becoming 4 is never "rising").
    level : float
        Confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        ``theme_id, label, recent_count, baseline_count, recent_share, baseline_share,
        ratio, ci_low, ci_high, status``: status ``rising``/``fading`` when the interval
        excludes 1, ``new`` when the theme has no baseline paper but at least
        ``min_papers / 2`` recent ones, else ``stable``. Most confidently rising first.
    """
    corpus, labels, themes = resolve(model, corpus)
    return emerging_table(
        labels,
        themes,
        corpus,
        recent=recent,
        baseline=baseline,
        min_papers=min_papers,
        level=level,
    )


def emerging_table(
    labels,
    themes: pd.DataFrame,
    corpus: pd.DataFrame,
    *,
    recent=None,
    baseline=None,
    min_papers: int = 10,
    level: float = 0.95,
) -> pd.DataFrame:
    """`emerging` on plain data: one label per row of ``corpus``, and the theme table."""
    dates, labels, undated = dated(corpus, labels)
    first, last = dates.min(), dates.max()
    span = max(last - first, pd.Timedelta(days=1))
    r_start, r_end = _window(recent, last, span / 4)
    if baseline is None:
        b_start, b_end = first - pd.Timedelta(seconds=1), r_start
    elif isinstance(baseline, tuple | list):
        b_start, b_end = _window(baseline, r_start, span)
    else:
        b_start, b_end = r_start - pd.Timedelta(baseline), r_start
    in_recent = ((dates > r_start) & (dates <= r_end)).to_numpy()
    in_base = ((dates > b_start) & (dates <= b_end)).to_numpy()
    n_recent, n_base = int(in_recent.sum()), int(in_base.sum())
    if n_recent == 0 or n_base == 0:
        raise NoDatesError(
            f"the recent window ({r_start:%Y-%m-%d} to {r_end:%Y-%m-%d}) holds {n_recent} papers "
            f"and the baseline ({b_start:%Y-%m-%d} to {b_end:%Y-%m-%d}) {n_base}: both need papers"
        )
    rows = []
    for theme in themes.itertuples():
        t = int(theme.theme_id)
        if t < 0:
            continue
        a = int(np.sum(labels[in_recent] == t))
        b = int(np.sum(labels[in_base] == t))
        ratio, low, high = rate_ratio_ci(a, n_recent, b, n_base, level=level)
        if b == 0 and a >= max(1, min_papers // 2):
            status = "new"
        elif a + b >= min_papers and low > 1:
            status = "rising"
        elif a + b >= min_papers and high < 1:
            status = "fading"
        else:
            status = "stable"
        rows.append((t, theme.label, a, b, a / n_recent, b / n_base, ratio, low, high, status))
    out = pd.DataFrame(
        rows,
        columns=[
            "theme_id",
            "label",
            "recent_count",
            "baseline_count",
            "recent_share",
            "baseline_share",
            "ratio",
            "ci_low",
            "ci_high",
            "status",
        ],
    )
    out["_rank"] = out.status.map(STATUS_ORDER)
    out = out.sort_values(["_rank", "ci_low", "theme_id"], ascending=[True, False, True])
    out = out.drop(columns="_rank").reset_index(drop=True)
    out.attrs.update(
        recent=(r_start, r_end),
        baseline=(b_start, b_end),
        recent_papers=n_recent,
        baseline_papers=n_base,
        undated=undated,
    )
    return out


def report_section(model, corpus: pd.DataFrame) -> dict:
    """Figures, table and a sentence for the report's Trends section."""
    from .charts import emerging_themes, theme_share

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        shares = theme_trends(model, corpus)
        table = emerging(model, corpus)
    r0, r1 = table.attrs["recent"]
    b0, b1 = table.attrs["baseline"]
    note = (
        f"Shares per {dict(AUTO_FREQS).get(shares.attrs['freq'], shares.attrs['freq'])}. "
        f"Recent window {r0:%Y-%m-%d} to {r1:%Y-%m-%d} ({table.attrs['recent_papers']} papers) "
        f"against {b0 + pd.Timedelta(seconds=1):%Y-%m-%d} to {b1:%Y-%m-%d} "
        f"({table.attrs['baseline_papers']} papers); rising or fading only where the 95% "
        "interval of the share ratio excludes 1."
    )
    if shares.attrs["undated"]:
        note += f" {shares.attrs['undated']} papers without a date are left out."
    rows = []
    for r in table.itertuples():
        rows.append(
            {
                "label": r.label,
                "status": r.status,
                "recent_count": r.recent_count,
                "baseline_count": r.baseline_count,
                "recent_share": r.recent_share,
                "baseline_share": r.baseline_share,
                "ratio_text": "new" if math.isinf(r.ratio) else f"{r.ratio:.2f}×",
                "ci_text": f"{r.ci_low:.2f} – {r.ci_high:.2f}",
            }
        )
    return {
        "figures": {"share": theme_share(shares), "emerging": emerging_themes(table)},
        "note": note,
        "table": rows,
    }
