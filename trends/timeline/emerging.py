"""Rising, fading and new themes: the recent share against the share before.

**Windows.** By default the periods of `theme_trends` (whole weeks, months or years at
the dates' precision): the recent window is the last quarter of the *whole* periods
(at least one), the baseline every whole period before it. Partial periods at either
end are left out of both (their papers are counted in ``.attrs["left_out"]``): their
share is noisy and, in a feed whose mix differs by weekday, biased. Whole periods without
papers at the end (a gap before the feed's partial last period) are left out too, and
when fewer than two whole periods hold papers, the windows use every period
(`default_periods`). A window that holds no papers is an `EmptyWindowError`. A window given as a
length (``"90D"``) is rounded to whole periods of calendar time (periods without papers
count: a gap in the feed does not stretch it), the baseline's ending where the recent
one starts; one given as ``(start, end)`` dates is used as given.

**Calls.** Each theme's ratio of shares (recent / baseline) has a Wald interval on the
log scale (Katz's, as `scipy.stats.contingency.relative_risk`; 0.5 added to each cell
when a count is zero). Testing some forty themes at 95% each would call two of them
rising or fading by chance alone, so the calls control the false discovery rate across
themes (Benjamini-Hochberg at ``1 - confidence``): a theme is rising or fading when its
BH-adjusted p-value (``q_value``) is at most ``1 - confidence``. The intervals are the matching
false-coverage-rate intervals (Benjamini & Yekutieli 2005): at level
``1 - R (1 - confidence) / m`` for ``R`` calls among ``m`` tested themes, so that a theme is
called exactly when its interval excludes 1. Themes with fewer than ``min_papers`` papers
in the two windows are not tested (``new`` ones need half that, all recent): they are
``untested``, with no interval and no p-value, and do not count among the themes the false
discovery rate is controlled over; so are themes with nothing to compare against (every
paper of both windows in the theme, or, adjusted, none of its papers in the strata both
windows have). ``stable`` is a finding: tested, and not called.

**Adjusted for the mix** (``adjust_for="categories"``): the ratio is the Mantel-Haenszel
ratio of shares over the strata (each paper's primary category; `statsmodels`'
``StratifiedTable.riskratio_pooled``), with the Greenland-Robins variance of its logarithm
(Greenland & Robins 1985): a theme moves only if it moves within categories, so a feed
that starts collecting a category does not make that category's themes "rising".
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .._numbers import is_whole
from .._warn import user_level
from ..errors import EmptyWindowError, InputError, NoDatesError
from .periods import Periods, periods_of
from .shares import display_names, resolve

# "untested" last: too few papers to say anything, where "stable" was tested and not called
STATUS_ORDER = {"rising": 0, "new": 1, "stable": 2, "fading": 3, "untested": 4}
CALLS = ("rising", "new", "fading")  # the statuses that are calls (a test found a change)
COLUMNS = [
    "theme_id",
    "label",
    "recent_count",
    "baseline_count",
    "recent_share",
    "baseline_share",
    "ratio",
    "ci_low",
    "ci_high",
    "p_value",
    "q_value",
    "status",
]


def rate_ratio_ci(a: int, n1: int, b: int, n2: int, *, level: float = 0.95):
    """Ratio of two proportions ``(a/n1) / (b/n2)`` and its confidence interval.

    Katz's log method for the risk ratio (the one `scipy.stats.contingency.relative_risk`
    uses), with the Haldane-Anscombe correction (0.5 added to every cell) when a count
    is zero, so that a theme absent from one window still gets a finite interval.
    """
    from scipy.stats import norm

    if n1 == 0 or n2 == 0:
        return float("nan"), float("nan"), float("nan")
    ratio = (a / n1) / (b / n2) if b > 0 else (float("inf") if a > 0 else float("nan"))
    point, se = _log_ratio_se(a, n1, b, n2)
    z = norm.ppf(0.5 + level / 2)
    return ratio, math.exp(point - z * se), math.exp(point + z * se)


def _log_ratio_se(a, n1, b, n2):
    """Log of the ratio of shares and its standard error (Katz; Haldane when a count is 0)."""
    if a == 0 or b == 0:
        a, b, n1, n2 = a + 0.5, b + 0.5, n1 + 1, n2 + 1
    point = math.log((a / n1) / (b / n2))
    return point, math.sqrt(max(1 / a - 1 / n1 + 1 / b - 1 / n2, 0.0))


def mantel_haenszel(a, n1, b, n0):
    """Mantel-Haenszel ratio of shares over strata, its log and the log's standard error.

    Parameters
    ----------
    a, b : array of shape (n_strata,)
        The theme's papers in the recent and the baseline window, per stratum.
    n1, n0 : array of shape (n_strata,)
        All papers of the recent and the baseline window, per stratum.

    Returns
    -------
    (ratio, log_ratio, se)
        Strata missing from either window carry no information and are dropped; with no
        stratum left, or none of the theme's papers in those left, NaNs (not tested). The
        ratio is 0 (infinite) when the theme has no paper in the recent (baseline) window
        of the strata left, as the crude ratio is. The variance is Greenland and Robins'
        (1985), which holds for sparse and for large strata alike; 0.5 is added to every
        cell when the theme has no paper in one window.
    """
    from statsmodels.stats.contingency_tables import StratifiedTable

    a, n1, b, n0 = (np.asarray(x, dtype=float) for x in (a, n1, b, n0))
    keep = (n1 > 0) & (n0 > 0)
    a, n1, b, n0 = a[keep], n1[keep], b[keep], n0[keep]
    if not len(a) or a.sum() + b.sum() == 0:
        # No stratum left, or the theme has no paper in those left: nothing to compare
        # (the 0.5 added below would otherwise make a ratio of the windows' sizes).
        return float("nan"), float("nan"), float("nan")
    ratio = float("inf") if b.sum() == 0 else (0.0 if a.sum() == 0 else None)
    if a.sum() == 0 or b.sum() == 0:
        a, b, n1, n0 = a + 0.5, b + 0.5, n1 + 1, n0 + 1
    tables = np.stack([np.stack([a, n1 - a]), np.stack([b, n0 - b])])  # 2 x 2 x strata
    pooled = StratifiedTable(tables).riskratio_pooled
    pooled = float(pooled() if callable(pooled) else pooled)
    n = n1 + n0
    r, s = np.sum(a * n0 / n), np.sum(b * n1 / n)
    var = np.sum((a + b) * n1 * n0 / n**2 - a * b / n) / (r * s)
    return (pooled if ratio is None else ratio), math.log(pooled), math.sqrt(max(var, 0.0))


def bh_qvalues(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (NaN where ``p`` is NaN: not tested)."""
    p = np.asarray(p, dtype=float)
    out = np.full(len(p), np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    if not len(tested):
        return out
    order = tested[np.argsort(p[tested], kind="stable")]
    m = len(order)
    ranked = p[order] * m / np.arange(1, m + 1)
    out[order] = np.minimum(1.0, np.minimum.accumulate(ranked[::-1])[::-1])
    return out


def emerging(
    model,
    corpus: pd.DataFrame | None = None,
    *,
    recent=None,
    baseline=None,
    min_papers: int = 10,
    confidence: float = 0.95,
    freq: str = "auto",
    adjust_for: str | None = None,
    level: int | None = None,
) -> pd.DataFrame:
    """Rising, fading, new, stable and untested themes: recent share against the share before.

    See the module `trends.timeline.emerging` for the windows, the control of false
    calls across themes and the adjustment for the mix.

    Parameters
    ----------
    model : ThemeModel, Store, watch-list or (labels, themes)
        What `trends.theme_trends` takes.
    corpus : pandas.DataFrame
        The canonical table, with ``published`` dates (optional for a store).
    recent : str, Timedelta or (start, end), optional
        The recent window; default the last quarter of the whole periods. A length
        (``"8W"``) means the last whole periods of about that length; a pair of dates
        holds both days (``("2025-05-29", "2025-06-30")``: every paper of 29 May to 30
        June).
    baseline : str, Timedelta or (start, end), optional
        The window compared against; default every whole period before ``recent``. A
        length (``"30D"``) means that long just before ``recent``.
    min_papers : int
        A theme needs this many papers in the two windows together to be tested (so 2
        papers becoming 4 is never "rising"); one with none before needs half as many.
        The others are ``untested``.
    confidence : float
        ``1 - confidence`` is the false discovery rate of the calls across themes.
    freq : str
        The periods the windows are made of (``"auto"``: those of `theme_trends`).
    adjust_for : str, optional
        A column such as ``"categories"``: compare shares within each of its (primary)
        values and combine them (Mantel-Haenszel), so that a change in the corpus' mix
        is not taken for a trend.
    level : int, optional
        Compare the ``level`` broader groups of the model's theme tree
        (``model.themes_at(level)``) instead of the themes. (A float below 1 is read as
        ``confidence``, its former name, with a warning.)

    Returns
    -------
    pandas.DataFrame
        ``theme_id, label, recent_count, baseline_count, recent_share, baseline_share,
        ratio, ci_low, ci_high, p_value, q_value, status``: status ``rising``/``fading``
        when the (false-coverage-rate) interval excludes 1, ``new`` when it does and
        the theme had no paper before, ``stable`` when it was tested and not called,
        ``untested`` when it had too few papers to be tested, or nothing to be compared
        with (see the module; no interval, no p-value: not a finding). Most confidently
        rising first, the fading ones most confidently fading first, the untested last
        (`STATUS_ORDER`; `CALLS` lists the statuses that are calls).
        ``.attrs``: the windows (``recent``, ``baseline``: first and last moment),
        ``recent_papers``, ``baseline_papers``, ``left_out`` (papers of partial periods
        in neither window), ``undated``, ``stray``, ``ci_level``, ``fdr``, ``tested``
        (themes tested: those the false discovery rate is controlled over), ``min_papers``,
        ``freq``, ``period``, ``adjusted_for``, ``note``.
    """
    if isinstance(level, float) and 0 < level < 1:
        import warnings

        warnings.warn(
            "emerging(level=<float>) is now confidence=; level= picks a level of the theme tree",
            FutureWarning,
            stacklevel=user_level(),
        )
        confidence, level = level, None
    corpus, labels, themes = resolve(model, corpus, level=level)
    return emerging_table(
        labels,
        themes,
        corpus,
        recent=recent,
        baseline=baseline,
        min_papers=min_papers,
        confidence=confidence,
        freq=freq,
        adjust_for=adjust_for,
    )


def _as_utc(value) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


_WINDOW_FORMS = (
    "a length before the end ('8W', '30D', a pandas Timedelta) or a pair of dates "
    "(start, end), both days included"
)


def _duration(name: str, value) -> pd.Timedelta:
    """A window's length, or an `InputError` naming the accepted forms."""
    bad = isinstance(value, bool | int | float | np.number)  # a bare number has no unit
    try:
        length = None if bad else pd.Timedelta(value)
    except (ValueError, TypeError):
        length = None
    if length is None or pd.isna(length) or length <= pd.Timedelta(0):
        raise InputError(f"{name}={value!r}: expected {_WINDOW_FORMS}")
    return length


def _span(name: str, value) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """``(start, end, stop)`` of a (start, end) window; ``stop`` is the first moment after it.

    A date without a time stands for the whole day: ``("2025-05-29", "2025-06-30")`` holds
    every paper of 29 May to 30 June.
    """
    try:
        start, end = (_as_utc(v) for v in value)
    except (ValueError, TypeError):
        start = end = pd.NaT
    if len(value) != 2 or pd.isna(start) or pd.isna(end):
        raise InputError(f"{name}={value!r}: expected {_WINDOW_FORMS}")
    stop = end + pd.Timedelta(days=1) if end == end.normalize() else end + pd.Timedelta(1)
    if stop <= start:  # a window that ends before it starts would hold no paper
        raise InputError(
            f"{name}={value!r}: the window starts {value[0]} and ends {value[1]}, before it "
            "starts; give (start, end) with the earlier date first"
        )
    return start, end, stop


def windows(periods: Periods, dates: pd.Series, recent=None, baseline=None):
    """Masks of the dated papers in the recent and the baseline window, and their bounds."""
    table = periods.table
    use = default_periods(periods) if recent is None else periods.complete
    if len(use) < 2:
        use = np.arange(len(table))
    if len(use) < 2 and not isinstance(recent, tuple | list):
        days = dates.dt.tz_convert(None).dt.normalize()
        if days.nunique() == 1:
            raise NoDatesError(
                f"every dated paper carries the same date ({days.iloc[0]:%Y-%m-%d}): rising "
                "and fading themes need papers from at least two dates"
            )
        raise NoDatesError(
            f"the dated papers fall in {len(table)} {periods.name}(s): comparing a recent "
            "window with an earlier one needs at least two periods (try a finer freq)"
        )
    index = periods.index
    if isinstance(recent, tuple | list):
        r0, r1, r_stop = _span("recent", recent)
        in_recent = ((dates >= r0) & (dates < r_stop)).to_numpy()
        recent_bounds = (r0, r_stop - pd.Timedelta(1))  # the last moment, as for periods
        before = dates < r0
        first_recent = None
    else:
        n_recent = max(1, round(len(use) / 4))
        if recent is not None:
            # a length is calendar time, ending with the last period used
            last = pd.Period(table["period"].iloc[use[-1]], periods.freq)
            n_recent = len(_within(periods, use, last, _duration("recent", recent))[0])
        wanted, n_recent = n_recent, min(max(1, n_recent), len(use) - 1)
        if recent is not None and wanted > n_recent:
            import warnings

            warnings.warn(
                f"recent={recent!r} is as long as the dated papers' {len(use)} "
                f"{periods.name}s: the recent window is shortened to the last {n_recent}, "
                f"leaving {len(use) - n_recent} as the baseline",
                RuntimeWarning,
                stacklevel=user_level(),
            )
        chosen = use[-n_recent:]
        in_recent = np.isin(index, chosen)
        recent_bounds = _bounds(table, chosen)
        first_recent = len(use) - n_recent
    if isinstance(baseline, tuple | list):
        b0, b1, b_stop = _span("baseline", baseline)
        in_base = ((dates >= b0) & (dates < b_stop)).to_numpy()
        base_bounds = (b0, b_stop - pd.Timedelta(1))
    elif first_recent is None:  # dated windows: the baseline is dates too
        if baseline is None:
            in_base = before.to_numpy()
            base_bounds = (dates.min(), recent_bounds[0] - pd.Timedelta(1))  # the day before
        else:
            b0 = recent_bounds[0] - _duration("baseline", baseline)
            in_base = (before & (dates >= b0)).to_numpy()
            base_bounds = (b0, recent_bounds[0] - pd.Timedelta(1))
    else:
        chosen = use[:first_recent]
        base_bounds = _bounds(table, chosen)
        if baseline is not None:
            # the calendar time just before the recent window (a gap there stays empty)
            end = pd.Period(table["period"].iloc[use[first_recent]], periods.freq) - 1
            chosen, span = _within(periods, chosen, end, _duration("baseline", baseline))
            base_bounds = _bounds(table, chosen) if len(chosen) else span
        in_base = np.isin(index, chosen)
    both = in_recent & np.asarray(in_base)
    if both.any():
        shared = dates[both]
        raise InputError(
            f"the recent and the baseline window share {int(both.sum())} papers (dated "
            f"{shared.min():%Y-%m-%d} to {shared.max():%Y-%m-%d}): a pair of dates holds "
            "both days, so end the baseline the day before the recent window starts"
        )
    return in_recent, in_base, recent_bounds, base_bounds


def default_periods(periods: Periods) -> np.ndarray:
    """Positions in ``periods.table`` of the periods the default windows are made of.

    The whole periods up to the last one holding papers (empty whole periods at the end,
    a gap before a partial last period, would make an empty recent window); all periods
    when fewer than two of those hold papers. On a feed without gaps: its whole periods.
    """
    use = periods.complete
    papers = periods.table["papers"].to_numpy()
    held = np.flatnonzero(papers[use] > 0)
    use = use[: held[-1] + 1] if len(held) else use[:0]
    if len(held) < 2:
        use = np.arange(len(periods.table))
    return use


def _within(periods: Periods, use: np.ndarray, end: pd.Period, length: pd.Timedelta):
    """The periods of ``use`` in the ``length`` of calendar time that ends with ``end``.

    ``length`` is rounded to whole periods (``"8W"`` is 8 weeks, or 56 days at a daily
    freq); periods without papers count as time, so a gap in the feed, or the weekends of
    a daily one, do not stretch a window. Also the window's (start, end) timestamps.
    """
    table = periods.table
    step = (table["end"] - table["period"]).median() + pd.Timedelta(microseconds=1)
    first = end - (max(1, round(length / step)) - 1)
    starts = pd.PeriodIndex([pd.Period(t, periods.freq) for t in table["period"].iloc[use]])
    chosen = use[(starts >= first) & (starts <= end)] if len(use) else use
    bounds = (
        first.start_time.tz_localize("UTC"),
        end.end_time.tz_localize("UTC"),
    )
    return chosen, bounds


def _empty_window(periods: Periods, recent, baseline) -> EmptyWindowError:
    """The error for a window without papers: which window, its dates, what to do."""
    empty = [
        f"the {name} window ({start:%Y-%m-%d} to {end:%Y-%m-%d})"
        for name, (start, end, n) in (("recent", recent), ("baseline", baseline))
        if n == 0
    ]
    held = periods.table[periods.table["papers"] > 0]
    first, last = periods.span()
    return EmptyWindowError(
        f"{' and '.join(empty)} {'hold' if len(empty) > 1 else 'holds'} no papers (the "
        f"dated papers, {first:%Y-%m-%d} to {last:%Y-%m-%d}, fall in {len(held)} of "
        f"{len(periods.table)} {periods.name}s: a gap in the feed?): give windows that "
        "hold papers, emerging(..., recent=, baseline=) as lengths ('8W') or pairs of dates"
    )


def _note(periods: Periods) -> str:
    """What a period is; with fewer than two whole periods the windows use partial ones."""
    note = periods.describe()
    if len(default_periods(periods)) > len(periods.complete):
        note = note.replace(
            "drawn open and left out of the rising/fading windows.",
            f"drawn open; with fewer than two whole {periods.name}s holding papers, the "
            "rising/fading windows include them.",
        )
    return note


def _bounds(table: pd.DataFrame, chosen: np.ndarray):
    start = table["period"].iloc[chosen[0]] if len(chosen) else pd.NaT
    end = table["end"].iloc[chosen[-1]] if len(chosen) else pd.NaT
    return (
        start.tz_localize("UTC") if not pd.isna(start) else start,
        end.tz_localize("UTC") if not pd.isna(end) else end,
    )


def emerging_table(
    labels,
    themes: pd.DataFrame,
    corpus: pd.DataFrame,
    *,
    recent=None,
    baseline=None,
    min_papers: int = 10,
    confidence: float = 0.95,
    freq: str = "auto",
    adjust_for: str | None = None,
    periods: Periods | None = None,
) -> pd.DataFrame:
    """`emerging` on plain data: one label per row of ``corpus``, and the theme table."""
    from scipy.stats import norm

    if not isinstance(confidence, (int, float)) or not 0 < float(confidence) < 1:
        raise InputError(
            f"confidence={confidence!r}: the intervals' level must be a number between 0 "
            "and 1 (0.95 for 95% intervals)"
        )
    if not (is_whole(min_papers) and min_papers >= 1):
        raise InputError(
            f"min_papers={min_papers!r}: the papers a theme needs to be tested must be a "
            "whole number >= 1"
        )

    ids = [int(t) for t in themes.theme_id if int(t) >= 0]
    if periods is None:
        periods = periods_of(corpus, freq=freq, n_themes=len(ids))
    dates = periods.dates
    labels = np.asarray(labels, dtype=np.int64)[periods.rows]
    in_recent, in_base, (r0, r1), (b0, b1) = windows(periods, dates, recent, baseline)
    # A window of periods is shown as far as the corpus goes (`Periods.span`).
    first_day, last_moment = periods.span()
    if not isinstance(recent, tuple | list):
        r0, r1 = max(r0, first_day), min(r1, last_moment)
    if not isinstance(baseline, tuple | list) and not pd.isna(b0):
        b0, b1 = max(b0, first_day), min(b1, last_moment)
    n_recent, n_base = int(in_recent.sum()), int(in_base.sum())
    if n_recent == 0 or n_base == 0:
        raise _empty_window(periods, (r0, r1, n_recent), (b0, b1, n_base))
    stratum = None
    if adjust_for is not None:
        from .mix import strata

        codes, _ = pd.factorize(pd.Series(strata(corpus, adjust_for)[periods.rows]))
        stratum = codes
        n1_s = np.bincount(codes[in_recent], minlength=codes.max() + 1)
        n0_s = np.bincount(codes[in_base], minlength=codes.max() + 1)
    names = display_names(themes)
    stats = []
    for t in ids:
        hit = labels == t
        a, b = int(np.sum(hit & in_recent)), int(np.sum(hit & in_base))
        a_t, b_t = a, b  # the papers the test compares
        if stratum is None:
            # no papers in either window: no ratio (not "new")
            ratio = (a / n_recent) / (b / n_base) if b > 0 else (float("inf") if a else np.nan)
            point, se = _log_ratio_se(a, n_recent, b, n_base)
        else:
            a_s = np.bincount(stratum[hit & in_recent], minlength=len(n1_s))
            b_s = np.bincount(stratum[hit & in_base], minlength=len(n0_s))
            ratio, point, se = mantel_haenszel(a_s, n1_s, b_s, n0_s)
            # Only the strata present in both windows count (`mantel_haenszel`).
            both = (n1_s > 0) & (n0_s > 0)
            a_t, b_t = int(a_s[both].sum()), int(b_s[both].sum())
        tested = (
            a_t + b_t >= min_papers or (b_t == 0 and a_t >= max(1, min_papers / 2))
        ) and se > 0
        p = 2 * norm.sf(abs(point) / se) if tested and math.isfinite(point) else np.nan
        stats.append((t, names.get(t, str(t)), a, b, ratio, point, se, p))
    frame = pd.DataFrame(
        stats, columns=["theme_id", "label", "a", "b", "ratio", "point", "se", "p_value"]
    )
    alpha = 1 - confidence
    frame["q_value"] = bh_qvalues(frame["p_value"].to_numpy())
    called = (frame["q_value"] <= alpha).to_numpy()
    tested = frame["p_value"].notna().to_numpy()
    m = int(frame["p_value"].notna().sum())
    ci_level = 1 - max(int(called.sum()), 1) * alpha / max(m, 1)
    z = norm.ppf(0.5 + ci_level / 2)
    status = np.where(frame["point"] > 0, "rising", "fading")
    status = np.where(called & (frame["b"] == 0), "new", status)
    out = pd.DataFrame(
        {
            "theme_id": frame["theme_id"],
            "label": frame["label"],
            "recent_count": frame["a"].astype(int),
            "baseline_count": frame["b"].astype(int),
            "recent_share": frame["a"] / n_recent,
            "baseline_share": frame["b"] / n_base,
            "ratio": frame["ratio"],
            # no interval where there is no test (too few papers): nothing to read into
            "ci_low": np.where(tested, np.exp(frame["point"] - z * frame["se"]), np.nan),
            "ci_high": np.where(tested, np.exp(frame["point"] + z * frame["se"]), np.nan),
            "p_value": frame["p_value"],
            "q_value": frame["q_value"],
            "status": np.where(called, status, np.where(tested, "stable", "untested")),
        },
        columns=COLUMNS,
    )
    out["_rank"] = out.status.map(STATUS_ORDER)
    # the most confident call first: the highest lower bound of a rise, the lowest upper
    # bound of a fall
    out["_by"] = np.where(out.status == "fading", out.ci_high, -out.ci_low)
    out = out.sort_values(["_rank", "_by", "theme_id"], ascending=True)
    out = out.drop(columns=["_rank", "_by"]).reset_index(drop=True)
    # Papers of partial periods in neither window (with default windows: every paper
    # outside them; with windows given, those outside them that a default would not take).
    partial = periods.table["partial"].to_numpy()[periods.index]
    left_out = int(np.sum(partial & ~in_recent & ~np.asarray(in_base)))
    out.attrs.update(
        recent=(r0, r1),
        baseline=(b0, b1),
        recent_papers=n_recent,
        baseline_papers=n_base,
        left_out=left_out,
        undated=periods.undated,
        stray=periods.stray,
        ci_level=ci_level,
        fdr=alpha,
        tested=m,
        min_papers=min_papers,
        freq=periods.freq,
        period=periods.name,
        adjusted_for=adjust_for,
        note=_note(periods),
    )
    return out
