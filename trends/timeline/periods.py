"""Periods: the corpus's dates binned at the precision they have.

**Precision.** A corpus dated only by year (a ``year`` column) loads with every paper on
1 January; one dated by month, on the 1st. `date_precision` reads this from the dates:
when at least a fifth of the dated papers sit at midnight on a 1st (a corpus dated to
the day has about 1 in 30 there), and a 1st holds at least five times as many papers as
the median other day (a daily feed that starts on 1 July, or spans New Year, does not),
the dates are taken as months, and as years when
most of those are on 1 January and the corpus spans two years or more. A mixed corpus
(some papers with a day, a fifth or more with only a year) is binned at its coarsest
precision. Periods are never finer than the precision: a finer ``freq`` is coarsened,
with a warning.

**The automatic period** (``freq="auto"``) is the finest of day, week, month, quarter
and year, not finer than the dates' precision, at which the median period holds at least
``10 x n_themes`` dated papers (about ten papers per theme per period: enough to compare
shares), provided that leaves at least 3 periods; otherwise the coarsest frequency that
gives 3 periods (a small corpus is compared month by month, not day by day), else 2,
else years. Weeks run Monday to Sunday.

**Empty periods.** Every week, month, quarter or year between the first and the last date
is a period, one without papers too (0 papers, no share: a gap in the feed shows as a
gap); days are the exception, as a daily feed is empty at weekends.

**Stray dates.** A few papers (at most 1% of the dated ones at either end, or one paper
in a corpus of fewer than 200) at the start or the end of the span, four weeks or more,
at least ten usual spacings and at least a quarter of the rest's span away from the rest
(a paper misdated 1995 in a feed of 2025, a journal's issue date months after the feed
ends; not the sparse first years of a growing field), are left out of the trends, with a
warning, and counted (``.attrs["stray"]``): kept, they would make the periods between
them and the rest empty and take the place of the real first or last, partial, period.

**Partial periods.** The first and the last period are *partial* when the corpus starts
or ends inside them. Their coverage is the share of the period that the corpus' span
covers, counting days by how many papers that weekday usually has (a feed that lists
on weekdays only and ends on a Friday covers its last week in full), or months or years
for coarser dates. A partial period's share is a fair estimate but a noisy one, and a
feed's mix can differ between the days it has and those it lacks: the trend charts
draw partial periods as open markers on a shaded band, and `emerging`'s default windows
leave them out.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._warn import user_level
from ..errors import InputError, NoDatesError

AUTO_FREQS = [("D", "day"), ("W", "week"), ("M", "month"), ("Q", "quarter"), ("Y", "year")]
FREQ_NAMES = dict(AUTO_FREQS)
FREQ_CODES = {name: code for code, name in AUTO_FREQS}
RANK = {f: k for k, (f, _) in enumerate(AUTO_FREQS)}
PRECISIONS = {"D": "day", "M": "month", "Y": "year"}
PAPERS_PER_THEME = 10
# A fifth of the papers on the 1st at midnight, and five times as many papers on a 1st as
# on the median other day, means dates without a day (see above).
COARSE_SHARE = 0.2
COARSE_RATIO = 5
# Periods without papers are listed (as 0) while the whole span has at most twice as many
# periods as have papers, or a dozen more: beyond, the empty ones are most likely the gap
# to a stray date (a paper of 1995 in a feed of 2023-2024), and are left out, with a warning.
MAX_EMPTY_SHARE = 2
MIN_EMPTY_KEPT = 12
# Stray dates (see the module docstring): the share of the dated papers at either end, and
# the gap before them in days, in usual spacings, and as a share of the rest's span.
STRAY_SHARE = 0.01
STRAY_GAP_DAYS = 28
STRAY_GAP_SPACINGS = 10
STRAY_SPAN_SHARE = 0.25


def dated(corpus: pd.DataFrame, labels, *, warn: bool = True):
    """The dated papers' dates and labels, and how many papers had no date.

    Raises
    ------
    NoDatesError
        The corpus has no ``published`` column, or no paper has a date.
    """
    dates, rows, undated, _ = _dates(corpus, warn=warn)
    return dates, np.asarray(labels)[rows], undated


def _warn_coarse_days(naive: pd.Series) -> None:
    """Warn when a corpus dated to the day has a pile of papers on some 1st at midnight.

    Those are most likely papers dated by year or month only (a mixed corpus below the
    fifth that makes the whole corpus coarse): they count in that day's period.
    """
    per_day = naive.dt.normalize().value_counts()
    _warn_piles(
        per_day[(per_day.index.day == 1) & (per_day >= 10)],
        per_day[per_day.index.day != 1],
        "on the 1st of a month at midnight",
        "day: probably dated by year or month only; they count in that day's period",
    )


def _warn_year_piles(naive: pd.Series) -> None:
    """Warn when a corpus dated by month has a pile of papers on some 1 January at midnight.

    Those are most likely papers dated by year only (in a corpus of one year, which cannot
    be binned by year): they count in January.
    """
    per_day = naive[naive == naive.dt.normalize()].value_counts()
    firsts = per_day[per_day.index.day == 1]
    _warn_piles(
        firsts[(firsts.index.month == 1) & (firsts >= 10)],
        firsts[firsts.index.month != 1],
        "on 1 January at midnight",
        "month: probably dated by year only; they count in January, and a theme's share "
        "there is not comparable with other months",
    )


def _warn_piles(candidates: pd.Series, others: pd.Series, where: str, meaning: str) -> None:
    """Warn about the ``candidates`` (papers per day) that pile up against ``others``.

    A pile holds `COARSE_RATIO` times the median of ``others``: "N papers sit {where}
    (days), at least 5 times a usual {meaning}".
    """
    if not len(candidates) or not len(others):
        return
    piles = candidates[candidates >= COARSE_RATIO * others.median()]
    if len(piles):
        days = ", ".join(f"{d:%Y-%m-%d} ({n})" for d, n in piles.sort_index().head(3).items())
        warnings.warn(
            f"{int(piles.sum())} papers sit {where} ({days}), at least {COARSE_RATIO} times "
            f"a usual {meaning}",
            UserWarning,
            stacklevel=user_level(),
        )


def _not_a_date(row: int, value) -> InputError:
    return InputError(
        f"the 'published' column's row {row} holds {value!r}, which is not a date: fix or "
        "blank it (undated papers are left out of the trends), or load the table with "
        "trends.load, which reads dates"
    )


def _strings_as_dates(values: pd.Series) -> pd.Series:
    """Dates written as text, read as `trends.load` reads a file's dates.

    One order for every numeric date of the column (13/04/2024 makes 03/04/2024 the 3rd
    of April, not the 4th of March, as pandas' ``format="mixed"`` reads it), with the
    loader's warnings; blanks are missing; a value that is no date is an `InputError`
    naming its row.
    """
    from ..load.dates import file_reading, parse_date

    text = [v.strip() if isinstance(v, str) else "" for v in values.tolist()]
    order, notes = file_reading([(v, None, 1) for v in text if v])
    for _, message in notes:
        warnings.warn(f"the 'published' column: {message}", UserWarning, stacklevel=user_level())
    out = []
    for row, value in enumerate(text):
        stamp = parse_date(value, order) if value else pd.NaT
        if value and stamp is pd.NaT:
            raise _not_a_date(row, values.iloc[row])
        out.append(stamp)
    return pd.to_datetime(pd.Series(out, index=values.index, dtype=object), utc=True)


def as_dates(values: pd.Series) -> pd.Series:
    """Dates in UTC; a numeric column (a plain DataFrame's ``2021``) holds years."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        years = pd.to_numeric(values)
        known = years.dropna()
        if len(known) and ((known % 1 != 0) | (known < 1000) | (known > 2999)).any():
            raise InputError(
                "the 'published' column holds numbers that are not years (such as "
                f"{known.iloc[0]}): give dates, or years such as 2021"
            )
        return pd.to_datetime(years.astype("Int64").astype(str).where(years.notna()), utc=True)
    if isinstance(values.dtype, pd.PeriodDtype):
        values = values.dt.to_timestamp()
    try:
        with warnings.catch_warnings():  # pandas' notes on the format it infers (or not)
            warnings.filterwarnings("ignore", "Could not infer format", UserWarning)
            warnings.filterwarnings("ignore", "Parsing dates in", UserWarning)
            return pd.to_datetime(values, utc=True)
    except (ValueError, TypeError, OverflowError):
        pass
    strings = values.dropna().tolist()
    if strings and all(isinstance(v, str) for v in strings):
        return _strings_as_dates(values)
    # Name the first value that is no date (trends.load reads dates itself; this is a
    # table built by hand).
    for row, value in enumerate(values.tolist()):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        try:
            pd.to_datetime(pd.Series([value]), utc=True)
        except (ValueError, TypeError, OverflowError):
            raise _not_a_date(row, value) from None
    try:  # each value alone is a date, but not in one format
        return pd.to_datetime(values, utc=True, format="mixed")
    except (ValueError, TypeError, OverflowError) as exc:
        raise InputError(f"the 'published' column cannot be read as dates: {exc}") from None


def _dates(corpus: pd.DataFrame, *, warn: bool = True):
    if "published" not in corpus.columns:
        raise NoDatesError(
            "the corpus has no 'published' column: theme trends need dated papers "
            "(load a source with a date, published or year field)"
        )
    published = as_dates(corpus["published"])
    has_date = published.notna().to_numpy()
    if not has_date.any():
        raise NoDatesError(
            f"none of the {len(corpus)} papers has a date: theme trends need dated papers "
            "(load a source with a date, published or year field)"
        )
    undated = int((~has_date).sum())
    if undated and warn:
        warnings.warn(
            f"{undated} of {len(corpus)} papers have no date and are left out of the trends "
            "(counted in .attrs['undated'])",
            UserWarning,
            stacklevel=user_level(),
        )
    rows = np.flatnonzero(has_date)
    dates = published[has_date].reset_index(drop=True)
    stray = _strays(dates)
    if stray.any():
        if warn:
            shown = ", ".join(
                f"{d:%Y-%m-%d} ({n})"
                for d, n in dates[stray]
                .dt.tz_convert(None)
                .dt.normalize()
                .value_counts()
                .sort_index()
                .head(3)
                .items()
            )
            warnings.warn(
                f"{int(stray.sum()):,} of {len(dates):,} dated papers are far from the rest "
                f"({shown}; stray dates?) and are left out of the trends (counted in "
                ".attrs['stray'])",
                UserWarning,
                stacklevel=user_level(),
            )
        rows = rows[~stray]
        dates = dates[~stray].reset_index(drop=True)
    return dates, rows, undated, int(stray.sum())


def stray_dates(dates: pd.Series) -> np.ndarray:
    """Which of ``dates`` are stray (see the module docstring): a boolean mask.

    The rule `periods_of` leaves papers out of the trends by, for the other views of the
    dates (the report's header, the paper explorer's timeline). Missing dates are not
    stray.
    """
    dates = pd.to_datetime(pd.Series(dates), utc=True)
    known = dates.notna().to_numpy()
    out = np.zeros(len(dates), dtype=bool)
    out[known] = _strays(dates[known].reset_index(drop=True))
    return out


def _strays(dates: pd.Series) -> np.ndarray:
    """Which dates are stray (see the module docstring): a boolean mask."""
    days = dates.dt.tz_convert(None).dt.normalize().to_numpy()
    out = np.zeros(len(days), dtype=bool)
    unique, counts = np.unique(days, return_counts=True)
    if len(unique) < 3:
        return out
    day = np.timedelta64(1, "D")
    gaps = np.diff(unique) / day
    wide = gaps >= max(STRAY_GAP_DAYS, STRAY_GAP_SPACINGS * float(np.median(gaps)))
    limit = max(1, int(STRAY_SHARE * len(days)))
    before = np.cumsum(counts)[:-1]  # papers up to and including each gap's earlier day
    after = len(days) - before
    # the span of what a cut at each gap keeps: after it (a head cut), before it (a tail cut)
    rest_after = (unique[-1] - unique[1:]) / day
    rest_before = (unique[:-1] - unique[0]) / day
    # the widest cut-off at each end: the last wide gap with few enough papers before it,
    # the first with few enough after it
    head = np.flatnonzero(wide & (before <= limit) & (gaps >= STRAY_SPAN_SHARE * rest_after))
    tail = np.flatnonzero(wide & (after <= limit) & (gaps >= STRAY_SPAN_SHARE * rest_before))
    if len(head):
        out |= days <= unique[head[-1]]
    if len(tail):
        out |= days >= unique[tail[0] + 1]
    return out


def date_precision(dates: pd.Series) -> str:
    """``"Y"``, ``"M"`` or ``"D"``: how precise the dates are (see the module docstring)."""
    naive = pd.to_datetime(dates, utc=True).dropna().dt.tz_convert(None)
    if naive.empty:
        return "D"
    first = (naive == naive.dt.normalize()) & (naive.dt.day == 1)
    if first.mean() < COARSE_SHARE:
        return "D"
    # A feed dated to the day that starts on a 1st (or spans New Year) has as many papers
    # on the 1st as on its other days; dates without a day pile up there.
    per_day = naive.dt.normalize().value_counts()
    on_first = per_day.index.day == 1
    if (~on_first).any() and per_day[on_first].mean() < COARSE_RATIO * per_day[~on_first].median():
        return "D"
    january = naive[first].dt.month == 1
    if january.mean() >= 0.5 and naive.dt.year.nunique() >= 2:
        return "Y"
    return "M"


def base_freq(freq: str) -> str:
    """The unit of a pandas frequency: ``"2W"`` -> ``"W"``, ``"W-SUN"`` -> ``"W"``."""
    unit = freq.lstrip("0123456789").split("-")[0].upper()
    return {"A": "Y", "YS": "Y", "YE": "Y", "MS": "M", "ME": "M", "QS": "Q", "QE": "Q"}.get(
        unit, unit
    )


def choose_freq(dates: pd.Series, n_themes: int, *, precision: str | None = None) -> str:
    """The ``freq="auto"`` rule (see the module docstring)."""
    naive = dates.dt.tz_convert(None)
    precision = precision or date_precision(dates)
    need = PAPERS_PER_THEME * max(1, n_themes)
    # Periods are counted as `periods_of` tables them: the empty ones between too, so that
    # a gap in a feed stays a gap (two months of papers eight months apart are quarters,
    # not weeks with the empty ones left out as a stray date's). A frequency at which the
    # empty periods would be left out is the last resort (`fallback`).
    three = two = None
    fallback = None
    for freq, _ in AUTO_FREQS:
        if RANK[freq] < RANK[precision]:
            continue
        with_papers = naive.dt.to_period(freq).value_counts()
        counts = _as_tabled(with_papers, freq)
        if counts is None:
            if fallback is None and len(with_papers) >= 3 and with_papers.median() >= need:
                fallback = freq
            continue
        if len(counts) >= 3:
            three = freq
            if counts.median() >= need:
                return freq
        if len(counts) >= 2:
            two = freq
    # otherwise the coarsest giving 3 periods (the fullest ones), else 2 (a before and an
    # after), else years
    return three or fallback or two or "Y"


def _keeps_empty(n_full: int, n_with_papers: int) -> bool:
    """Whether ``n_full`` periods, ``n_with_papers`` with papers, list the empty ones too.

    Beyond `MAX_EMPTY_SHARE` the empty ones are taken as the gap to a stray date.
    """
    return n_full <= max(MAX_EMPTY_SHARE * n_with_papers, n_with_papers + MIN_EMPTY_KEPT)


def _as_tabled(with_papers: pd.Series, freq: str) -> pd.Series | None:
    """Papers per period as `periods_of` tables them, or None when it would drop the empty ones."""
    if base_freq(freq) == "D" or len(with_papers) < 2:
        return with_papers
    full = pd.period_range(with_papers.index.min(), with_papers.index.max(), freq=freq)
    if not _keeps_empty(len(full), len(with_papers)):
        return None
    return with_papers.reindex(full, fill_value=0)


def period_name(freq: str) -> str:
    """``"week"``, ``"2 weeks"``...: what one period is, in words."""
    unit = FREQ_NAMES.get(base_freq(freq), freq)
    digits = freq[: len(freq) - len(freq.lstrip("0123456789"))]
    return f"{digits} {unit}s" if digits and digits != "1" else unit


@dataclass(frozen=True)
class Periods:
    """The dated papers of a corpus and the period of each.

    Attributes
    ----------
    freq : str
        The pandas period frequency (``"W"``, ``"M"``, ``"Y"``...).
    precision : str
        The dates' precision: ``"D"``, ``"M"`` or ``"Y"``.
    table : pandas.DataFrame
        One row per period with papers, in time order: ``period`` (start), ``end``
        (last moment), ``papers``, ``coverage`` (share of the period inside the corpus'
        span, 1 for whole periods) and ``partial``.
    rows : numpy.ndarray
        Row of the corpus of each dated paper.
    index : numpy.ndarray
        Row of ``table`` (the period) of each dated paper.
    dates : pandas.Series
        The date (UTC) of each dated paper, in the order of ``rows``.
    undated : int
        Papers without a date (left out).
    stray : int
        Papers with a stray date (left out; see the module docstring).
    """

    freq: str
    precision: str
    table: pd.DataFrame
    rows: np.ndarray
    index: np.ndarray
    dates: pd.Series
    undated: int
    stray: int = 0

    def span(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The first and last moment of the dated papers (UTC), at their precision.

        A window or a burst of whole periods is shown as far as the corpus goes: not "May
        1 to 31" for papers that end on May 9; a year-dated paper stands for its whole year.
        """
        first = pd.Period(self.dates.min().tz_convert(None), self.precision)
        last = pd.Period(self.dates.max().tz_convert(None), self.precision)
        return first.start_time.tz_localize("UTC"), last.end_time.tz_localize("UTC")

    @property
    def name(self) -> str:
        """What one period is, in words (``"week"``)."""
        return period_name(self.freq)

    @property
    def complete(self) -> np.ndarray:
        """Positions in ``table`` of the whole (not partial) periods."""
        return np.flatnonzero(~self.table["partial"].to_numpy())

    def describe(self) -> str:
        """One sentence for a reader: what a period is and which are partial."""
        unit = self.name
        text = f"A period is one {unit}" + (
            f" ({_week_days(self.freq)})" if base_freq(self.freq) == "W" else ""
        )
        if self.precision != "D":
            text += f"; the dates are given to the {PRECISIONS[self.precision]}"
        text += "."
        parts = self.table[self.table.partial]
        if len(parts):
            shown = ", ".join(
                f"{_day(r.period, self.freq)} ({r.coverage:.0%} covered)"
                for r in parts.itertuples()
            )
            text += (
                f" Partial {unit}s, where the corpus starts or ends inside the {unit}: {shown}; "
                "drawn open and left out of the rising/fading windows."
            )
        return text


def _day(stamp: pd.Timestamp, freq: str) -> str:
    unit = base_freq(freq)
    if unit == "Y":
        return f"{stamp:%Y}"
    if unit in {"M", "Q"}:
        return f"{stamp:%Y-%m}"
    return f"{stamp:%Y-%m-%d}"


def periods_of(
    corpus: pd.DataFrame, *, freq: str = "auto", n_themes: int = 1, warn: bool = True
) -> Periods:
    """Bin the dated papers of ``corpus`` into periods (see the module docstring).

    Parameters
    ----------
    corpus : pandas.DataFrame
        With a ``published`` column.
    freq : str
        ``"auto"``, a period's name (``"day"``, ``"week"``, ``"month"``, ``"quarter"``,
        ``"year"``) or a pandas period frequency of one unit (``"W"``, ``"W-SUN"``,
        ``"M"``...); one finer than the dates' precision is coarsened to it, with a
        warning. Multiples (``"2W"``) are refused: pandas would bin them by the unit.
    n_themes : int
        Themes to be compared (the automatic rule wants ten papers per theme per period).

    Raises
    ------
    NoDatesError
        No paper has a date.
    ValueError
        ``freq`` is not a pandas period frequency.
    """
    dates, rows, undated, stray = _dates(corpus, warn=warn)
    precision = date_precision(dates)
    # The names the README and the notes use are accepted too: "week" is "W".
    freq = "auto" if freq is None else freq
    freq = FREQ_CODES.get(str(freq).strip().lower(), freq)
    if freq == "auto":
        freq = choose_freq(dates, n_themes, precision=precision)
    else:
        _check_freq(freq)
        if RANK.get(base_freq(freq), 0) < RANK[precision]:
            warnings.warn(
                f"the dates are given to the {PRECISIONS[precision]} only: freq={freq!r} "
                f"would bin them finer than that; using freq={precision!r}",
                UserWarning,
                stacklevel=user_level(),
            )
            freq = precision
    naive = dates.dt.tz_convert(None)
    if warn and precision == "D":
        _warn_coarse_days(naive)
    if warn and precision == "M":
        _warn_year_piles(naive)
    period = naive.dt.to_period(freq)
    codes, uniques = pd.factorize(period, sort=True)
    starts = pd.PeriodIndex(uniques)
    # Every week, month... from the first to the last, those without papers too (a gap in
    # a feed is a gap, not a step), unless stray dates make the span absurd (one paper of
    # 1900 in a feed of 2025): then the periods with papers, with a warning.
    full = pd.period_range(starts[0], starts[-1], freq=starts.freq)
    # Days are the exception: a daily feed has no papers at weekends, and its coverage
    # already weighs each weekday by its papers (see `_coverage`).
    if len(full) > len(starts) and base_freq(freq) != "D":
        if _keeps_empty(len(full), len(starts)):
            codes = full.get_indexer(period).astype(np.int64)
            starts = full
        elif warn:
            warnings.warn(
                f"the dates span {len(full):,} {FREQ_NAMES.get(base_freq(freq), freq)}s of "
                f"which {len(starts):,} have papers (stray dates?): the periods without "
                "papers are left out of the tables and charts",
                UserWarning,
                stacklevel=user_level(),
            )
    counts = np.bincount(codes, minlength=len(starts))
    coverage = _coverage(naive, starts, precision)
    table = pd.DataFrame(
        {
            "period": starts.start_time,
            "end": starts.end_time,
            "papers": counts.astype(int),
            "coverage": coverage,
            "partial": coverage < 0.999,
        }
    )
    return Periods(freq, precision, table, rows, codes.astype(np.int64), dates, undated, stray)


_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _week_days(freq: str) -> str:
    """The days a week runs: Monday to Sunday for ``"W"``, Thursday to Wednesday for ``"W-WED"``."""
    end = pd.Period("2025-01-01", freq).end_time.day_of_week
    return f"{_DAYS[(end + 1) % 7]} to {_DAYS[end]}"


def _check_freq(freq: str) -> None:
    forms = (
        "use 'auto', 'day', 'week', 'month', 'quarter', 'year' or their codes 'D', 'W', "
        "'M', 'Q', 'Y'"
    )
    try:
        with warnings.catch_warnings():  # pandas deprecates some (business days): refused below
            warnings.simplefilter("ignore", FutureWarning)
            period = pd.Period("2025-01-01", freq)
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"freq={freq!r} is not a pandas period frequency ({forms}): {exc}"
        ) from None
    # "2W" periods are weeks labelled as fortnights (to_period bins by the unit): refuse
    if getattr(period.freq, "n", 1) != 1:
        raise InputError(f"freq={freq!r}: multiples of a period are not supported ({forms})")
    # minutes, hours, business days...: not periods a trend of papers is read in
    if base_freq(str(freq)) not in RANK:
        raise InputError(f"freq={freq!r} is not a period of papers ({forms})")


def _coverage(naive: pd.Series, starts: pd.PeriodIndex, precision: str) -> np.ndarray:
    """Share of each period inside the corpus' span (only the first and last can be below 1)."""
    out = np.ones(len(starts))
    first, last = naive.min(), naive.max()
    if precision == "D":
        # A day counts as much as its weekday usually holds papers: the weekday's papers
        # per occurrence of that weekday in the corpus' span (not its total, which gives
        # the weekdays the span happens to hold one more of more weight).
        papers = np.bincount(naive.dt.day_of_week.to_numpy(), minlength=7).astype(float)
        days = pd.date_range(first.normalize(), last.normalize(), freq="D").day_of_week
        weight = papers / np.maximum(np.bincount(days.to_numpy(), minlength=7), 1)

        def amount(lo: pd.Timestamp, hi: pd.Timestamp) -> float:
            span = pd.date_range(lo.normalize(), hi.normalize(), freq="D")
            return float(weight[span.day_of_week.to_numpy()].sum())

    else:
        unit = "M" if precision == "M" else "Y"

        def amount(lo: pd.Timestamp, hi: pd.Timestamp) -> float:
            lo_p, hi_p = lo.to_period(unit), hi.to_period(unit)
            return float(len(pd.period_range(lo_p, hi_p, freq=unit))) if lo_p <= hi_p else 0.0

    for k in sorted({0, len(starts) - 1}):
        p_start, p_end = starts[k].start_time, starts[k].end_time
        whole = amount(p_start, p_end)
        if whole > 0:
            out[k] = amount(max(p_start, first), min(p_end, last)) / whole
    return out
