"""Dates as sources write them, read once per file: numeric orders and years with a fraction.

A date such as ``03/04/2024`` or ``24-03-05`` does not say which number is the day, the
month or the year; ``2024.5`` does not say whether it is a decimal year (July 2024) or a
year and month (May 2024). Such dates are read per file, not per value
(`file_reading`): a file keeps one order, chosen from what all its dates allow, and a
warning says which reading was chosen wherever another one was possible.
"""

from __future__ import annotations

import calendar
import re
from functools import lru_cache

import pandas as pd

__all__ = ["file_reading", "parse_date"]

# Numeric dates: day, month and year in some order, two numbers of one or two digits and
# the last of two or four (03.04.2024, 03/04/24, 24-03-05).
_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)")
# The orders a numeric date can be in: the day first, the month first, the (two-digit)
# year first. "ymd" is the ISO order with the century left out (24-03-05).
_ORDERS = ("dmy", "mdy", "ymd")
# A range of ISO dates (biblatex, EDTF: 2024-03-05/2024-03-07, 2024-03..2024-05): its
# start. pandas reads such a range as a moment between the two (2024-03-06 03:24).
_ISO_RANGE = re.compile(
    r"^\s*(\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?)\s*(?:/|\.\.)\s*(?:\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?)?\s*$"
)
# A year written by a float column (pandas writes 2019.0 where a column has a gap).
_FLOAT_YEAR = re.compile(r"^\s*(\d{4})\.0*\s*$")
# A year with a fraction: 2024.5, 2024.25, 2024.03.
_DOTTED_YEAR = re.compile(r"^\s*(\d{4})\.(\d+)\s*$")
# What pandas would read as a moment of the run itself, not of the paper: "now", "today",
# or a time of day without a date (a Parquet time column: "12:30:00"), which it puts on
# today's date. Such a value is an unreadable date, or the same file would give other
# dates tomorrow.
_RELATIVE_DATE = re.compile(
    r"^\s*(?:now|today|tomorrow|yesterday"
    r"|T?\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[ap]\.?m\.?)?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)\s*$",
    re.IGNORECASE,
)


def _century(year: str) -> int:
    """A year of two digits as Excel reads it: 00-68 are the 2000s, 69-99 the 1900s."""
    return int(year) if len(year) == 4 else (2000 if int(year) <= 68 else 1900) + int(year)


def _parts(m: re.Match, order: str) -> tuple[int, int, int]:
    """``(year, month, day)`` of a numeric date read in ``order``."""
    a, b, c = m.group(1), int(m.group(3)), m.group(4)
    if order == "ymd":
        return _century(a), b, int(c)
    day, month = (int(a), b) if order == "dmy" else (b, int(a))
    return _century(c), month, day


def _fits(m: re.Match, order: str) -> bool:
    """Whether a numeric date is a real date when read in ``order``."""
    if order == "ymd" and len(m.group(4)) == 4:
        return False  # 03.04.2024: the year is last
    year, month, day = _parts(m, order)
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


@lru_cache(maxsize=4096)
def parse_date(value: str, order: str | None = None):
    """A date as a UTC `pandas.Timestamp`, or `pandas.NaT` when it is not one.

    ``order`` (``"dmy"``, ``"mdy"`` or ``"ymd"``, from `file_reading`) says how to read
    a numeric date; without it pandas reads it. A year with a fraction (``2024.5``) is the
    year alone: `file_reading` warns about it.
    """
    if _RELATIVE_DATE.match(value):
        return pd.NaT
    year = _FLOAT_YEAR.match(value) or _DOTTED_YEAR.match(value) or _ISO_RANGE.match(value)
    if year:
        value = year.group(1)
    numeric = _NUMERIC_DATE.match(value) if order is not None else None
    if numeric:
        y, month, day = _parts(numeric, order)
        value = f"{y}-{month:02d}-{day:02d}{value[numeric.end() :]}"
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    # Outside pandas' nanosecond range (1677-2262) a "date" is a misread number.
    if stamp is pd.NaT or not 1678 <= stamp.year <= 2261:
        return pd.NaT
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def file_reading(
    values: list[tuple[str, int | None, int]],
) -> tuple[str | None, list[tuple[int | None, str]]]:
    """How to read one file's dates: the order of its numeric dates, and warnings.

    ``values`` are the file's dates as written, each with its line and how many records
    have it there (a table's row and its copies). Returns the order
    for `parse_date` (None: no numeric dates, or no one order fits them all) and
    ``(line, message)`` warnings.

    Numeric dates keep one order per file. It is yy-mm-dd only on positive evidence:
    every date is real in that order and some date's first number is no day and no month
    (99-03-05); a file of dashed dates that are all real yy-mm-dd too is warned. Otherwise the
    day comes first when some date's first number is over 12 (13.03.2024), the month
    when some date's second number is; when every date could be read either way, dotted
    dates are day-first (as they are written in practice: no warning) and slashed or
    dashed ones month-first, with a warning. A file with dates of both kinds is read date by date,
    with a warning.

    A year with a fraction (``2024.5``) is read as the year alone, with one warning for
    the file: it may be a decimal year (2024.5 is July) or a year and month (May).
    """
    warnings: list[tuple[int | None, str]] = []
    numeric: dict[str, tuple[re.Match, int | None]] = {}
    dotted: dict[str, list] = {}  # value -> [its first line, how many dates]
    for value, line, times in values:
        m = _NUMERIC_DATE.match(value)
        if m:
            numeric.setdefault(value, (m, line))
        elif _DOTTED_YEAR.match(value) and not _FLOAT_YEAR.match(value):
            dotted.setdefault(value, [line, 0])[1] += times
    if dotted:
        warnings.append(_dotted_warning(dotted))
    if not numeric:
        return None, warnings
    # each date with the orders it is real in; one real in none (31.04.2024) is an
    # unreadable date of its own and says nothing of the file's order
    real = [(m, found) for m, _ in numeric.values() if (found := _real_orders(m))]
    if _year_first(real):
        return "ymd", warnings
    order, warning = _day_or_month_first([m for m, _ in numeric.values()])
    if warning:
        warnings.append((None, warning))
    also = _could_be_year_first(real)
    if also:
        warnings.append((None, also))
    return order, warnings


def _real_orders(m: re.Match) -> set[str]:
    """The orders (`_ORDERS`) in which a numeric date is a real date."""
    return {order for order in _ORDERS if _fits(m, order)}


def _year_first(real) -> bool:
    """Whether a file's numeric dates are yy-mm-dd, on positive evidence only.

    ``real``: each date with the orders it is real in. Every date must be real as
    yy-mm-dd, and some date's first number must be no day and no month (99-03-05).
    Without such a date the file is read day-first or month-first
    (`_day_or_month_first`), as a file of dd.mm.yy or mm/dd/yy dates whose years are 31
    or less would otherwise be misread.
    """
    if any("ymd" not in found for _, found in real):
        return False
    # Only a first number that is no day and no month is evidence: a date that is
    # impossible day-first (29.02.23, 31.04.15: a typo or a bad export) is not, or one
    # such date would turn every date of a dd.mm.yy file around.
    return any(int(m.group(1)) > 31 for m, _ in real)


def _could_be_year_first(real) -> str | None:
    """A warning when a file of dashed dates read day or month first is real as yy-mm-dd too.

    ``real`` as for `_year_first`. Dashes are the ISO separator, so 24-03-05 may well be
    2024-03-05; dotted and slashed dates (14.03.22, 03/14/22) are not written year first
    in practice and stay quiet.
    """
    dates = [m for m, _ in real]
    if not real or any(m.group(2) != "-" or "ymd" not in found for m, found in real):
        return None
    year, month, day = _parts(dates[0], "ymd")
    return (
        f"every numeric date could also be yy-mm-dd ({dates[0].group(0).strip()} would be "
        f"{year}-{month:02d}-{day:02d}): read day or month first; check the dates"
    )


def _day_or_month_first(dates: list[re.Match]) -> tuple[str | None, str | None]:
    """The order of a file's numeric dates, day or month first, and a warning.

    One file keeps one order: the day comes first when some date's first number is over
    12 (13.03.2024), the month when some date's second number is; when every date could
    be read either way, dotted dates are day-first (as they are written in practice: no
    warning) and slashed or dashed ones month-first, with a warning. A file with both
    kinds is read date by date, with a warning.
    """
    first_is_day = any(int(m.group(1)) > 12 for m in dates)
    second_is_day = any(int(m.group(3)) > 12 for m in dates)
    if first_is_day != second_is_day:
        return ("dmy" if first_is_day else "mdy"), None
    if first_is_day:
        return None, (
            "numeric dates in both day-first and month-first order (13.03.2024 and "
            "03.13.2024): each read on its own; check the dates"
        )
    if {m.group(2) for m in dates} == {"."}:
        return "dmy", None
    return "mdy", (
        "every numeric date could be day-first or month-first (03/04/2024): read as "
        "month first; check the dates"
    )


def _dotted_warning(dotted: dict[str, list]) -> tuple[int | None, str]:
    """The warning for a file's years with a fraction (`file_reading`)."""
    example, (line, _) = next(iter(dotted.items()))
    example = example.strip()
    year, fraction = _DOTTED_YEAR.match(example).groups()
    count = sum(n for _, n in dotted.values())
    fractions = [_DOTTED_YEAR.match(v).group(2) for v in dotted]
    if all(len(f) <= 2 and 1 <= int(f) <= 12 for f in fractions):
        month = calendar.month_name[int(fraction)]
        what = f"a decimal year or a year and month ({month} {year}?), which cannot be told apart"
    else:
        what = "decimal years (some fraction is no month)"
    return (
        line,
        f"numeric dates such as {example!r} ({count:,} in this file) are {what}: each read "
        "as the year alone; check the dates",
    )
