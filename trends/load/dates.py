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
    year = _FLOAT_YEAR.match(value) or _DOTTED_YEAR.match(value)
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

    Numeric dates keep one order per file: the only order in which every date of the
    file is a real date (13.03.2024 makes the file day-first; 99-03-05 makes it
    year-first). When several fit: a two-digit year is the number that varies least
    across the file (a file's papers span a few years, their days most of a month; on a
    tie, the last), then dotted dates are day-first (as they are written in practice) and
    slashed or dashed ones month-first, with a warning unless only dotted day-first and
    month-first dates were possible. A file whose dates fit no one order is read date by
    date, with a warning.

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
    fits = set(_ORDERS)
    dates = []  # (value, match, line) of the numeric dates real in some order
    for value, (m, line) in numeric.items():
        found = {order for order in _ORDERS if _fits(m, order)}
        if found:  # a date real in no order (31.04.2024) is an unreadable date of its own
            fits &= found
            dates.append((value.strip(), m, line))
    if not dates:
        return None, warnings
    if not fits:
        warnings.append(
            (
                None,
                "numeric dates in more than one order (13.03.2024 and 03.13.2024): each "
                "read on its own; check the dates",
            )
        )
        return None, warnings
    order = _choose(fits, [m for _, m, _ in dates])
    if len(fits) == 1:
        return order, warnings
    if fits == {"dmy", "mdy"}:
        if {m.group(2) for _, m, _ in dates} != {"."}:
            warnings.append(
                (
                    None,
                    "every numeric date could be day-first or month-first (03/04/2024): "
                    "read as month first; check the dates",
                )
            )
        return order, warnings
    example, m, line = dates[0]
    sep = m.group(2)
    chosen = _pattern(order, sep)
    others = " or ".join(_pattern(o, sep) for o in _ORDERS if o in fits and o != order)
    year, month, day = _parts(m, order)
    warnings.append(
        (
            line,
            f"numeric dates with a two-digit year could be {chosen} or {others} ({example}): "
            f"read as {chosen} ({example} is {year}-{month:02d}-{day:02d}); check the dates",
        )
    )
    return order, warnings


def _choose(fits: set[str], dates: list[re.Match]) -> str:
    """The order to read a file in, among those its every date ``fits``."""
    if "ymd" in fits and fits != {"ymd"}:
        first = {m.group(1).lstrip("0") for m in dates}
        last = {m.group(4).lstrip("0") for m in dates}
        if len(first) < len(last):
            return "ymd"
    for order in ("dmy", "mdy") if {m.group(2) for m in dates} == {"."} else ("mdy", "dmy"):
        if order in fits:
            return order
    return "ymd"


def _pattern(order: str, sep: str) -> str:
    """``"dmy"`` as the user would write it: ``dd-mm-yy``."""
    return sep.join({"d": "dd", "m": "mm", "y": "yy"}[part] for part in order)


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
