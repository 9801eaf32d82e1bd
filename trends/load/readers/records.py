"""Tables and record streams: JSON Lines, JSON, CSV, TSV and Parquet.

Records keep their own column names here; `trends.load.canonical` maps them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterator
from decimal import Decimal

import numpy as np

from .. import limits
from ..errors import LoadError, Recorder
from ..normalise import line_break

_LIST_KEYS = ("papers", "records", "items", "entries", "data", "results", "rows")


def _loads(text: str):
    # Decimal keeps `2503.14640` exactly as written; a float would drop the final zero.
    return json.loads(text, parse_float=Decimal)


_JSON_SPACE = re.compile(r"[ \t\n\r]*")  # JSON's own whitespace (not U+2028 and such)


def _int(digits: str) -> int | Decimal:
    """A JSON integer; one too long for `int` (Python refuses 4,300 digits) as a `Decimal`.

    Such a number is then unusable like any absurd number (treated as missing, counted),
    instead of failing the whole document.
    """
    try:
        return int(digits)
    except ValueError:
        return Decimal(digits)


def _array_at(text: str, i: int, decoder, nl: str = "\n") -> tuple[list[tuple[int, object]], int]:
    """The elements of the JSON array starting at ``text[i]``, each with its line; its end."""
    out: list[tuple[int, object]] = []
    line, seen = 1 + text.count(nl, 0, i), i
    i = _JSON_SPACE.match(text, i + 1).end()
    if text[i : i + 1] == "]":
        return out, i + 1
    while True:
        value, end = decoder.raw_decode(text, i)
        line += text.count(nl, seen, i)
        seen = i
        out.append((line, value))
        i = _JSON_SPACE.match(text, end).end()
        if text[i : i + 1] == ",":
            i = _JSON_SPACE.match(text, i + 1).end()
        elif text[i : i + 1] == "]":
            return out, i + 1
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", text, i)


def _array_elements(
    text: str,
) -> tuple[list[tuple[int, object, str | None]] | None, list[tuple[int, str]]]:
    """``(line, value, key)`` of each record of a JSON array, at the top or under usual keys.

    Parsed piece by piece (as `json.loads` would parse the whole), so that a skipped
    record names the line it starts on, not its position in the array. None for JSON of
    another shape (one object, a number...). Also returns warnings, ``(line, message)``.

    In an object, the arrays under usual keys (``papers``, ``items``...) are found in
    document order, a repeated key's every time. One non-empty array (empty ones beside
    it, or arrays holding no object) is the records, as it always was; when several hold
    objects, all of those are read in document order, with a warning, rather than one
    chosen and the others lost; a repeated key gets a warning too.
    """
    decoder = json.JSONDecoder(parse_float=Decimal, parse_int=_int)
    nl = line_break(text)
    warnings: list[tuple[int, str]] = []
    i = _JSON_SPACE.match(text).end()
    if text[i : i + 1] == "[":
        elements, end = _array_at(text, i, decoder, nl)
        out = [(line, value, None) for line, value in elements]
    elif text[i : i + 1] == "{":
        top = 1 + text.count(nl, 0, i)
        arrays: list[tuple[str, list]] = []
        seen: dict[str, int] = {}
        i = _JSON_SPACE.match(text, i + 1).end()
        while text[i : i + 1] != "}":
            key, i = decoder.raw_decode(text, i)
            i = _JSON_SPACE.match(text, i).end()
            if not isinstance(key, str) or text[i : i + 1] != ":":
                raise json.JSONDecodeError("Expecting ':' delimiter", text, i)
            i = _JSON_SPACE.match(text, i + 1).end()
            if key in _LIST_KEYS and text[i : i + 1] == "[":
                seen[key] = seen.get(key, 0) + 1
                elements, i = _array_at(text, i, decoder, nl)
                arrays.append((key, elements))
            else:
                _, i = decoder.raw_decode(text, i)
            i = _JSON_SPACE.match(text, i).end()
            if text[i : i + 1] == ",":
                i = _JSON_SPACE.match(text, i + 1).end()
            elif text[i : i + 1] != "}":
                raise json.JSONDecodeError("Expecting ',' delimiter", text, i)
        end = i + 1
        out = _records_of(arrays, seen, top, warnings)
    else:
        return None, warnings
    if _JSON_SPACE.match(text, end).end() != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return out, warnings


def _records_of(arrays, seen: dict[str, int], top: int, warnings: list) -> list | None:
    """The records among the usual-key arrays of one object (see `_array_elements`)."""
    if not arrays:
        return None
    full = [(key, elements) for key, elements in arrays if elements]
    if len(full) > 1:  # read those that hold records; numbers and such beside them are not
        full = [
            (key, elements)
            for key, elements in full
            if any(isinstance(value, dict) for _, value in elements)
        ] or full[:1]
    for key, times in seen.items():
        if times > 1 and sum(1 for k, _ in full if k == key) > 1:
            warnings.append(
                (top, f"the key {key!r} appears {times} times: the records under each are read")
            )
    if len({key for key, _ in full}) > 1:
        keys = ", ".join(repr(key) for key in dict.fromkeys(key for key, _ in full))
        warnings.append(
            (top, f"records are under several lists ({keys}): all are read, in file order")
        )
    if not full:  # only empty arrays: no records
        return []
    several = len(full) > 1
    return [
        (line, value, key if several else None)
        for key, elements in full
        for line, value in elements
    ]


def _split_lines(text: str) -> Iterator[tuple[int, str]]:
    """Numbered lines split at line feeds only, without copying the whole text at once.

    ``str.splitlines`` also splits at U+2028, U+2029, U+0085 and form feeds, which are
    valid inside a JSON string and common in scraped text. A file with carriage returns
    and no line feed (old Mac line endings) is split at its carriage returns; a CRLF
    file is split at its line feeds (each line's final carriage return is whitespace).
    """
    nl = line_break(text)
    start, n = 0, 0
    while start <= len(text):
        end = text.find(nl, start)
        if end < 0:
            end = len(text)
        n += 1
        yield n, text[start:end]
        start = end + 1


def read_jsonl(path: str, text: str, rec: Recorder) -> Iterator[tuple[int, dict]]:
    """One JSON object per line; a line that does not parse is a recorded skip."""
    for n, line in _split_lines(text):
        line = line.strip()
        if not line:
            continue
        if len(line) > limits.MAX_RECORD_CHARS:
            rec.skip(path, n, f"line is longer than {limits.MAX_RECORD_CHARS:,} characters")
            continue
        try:
            obj = _loads(line)
        except (ValueError, RecursionError) as exc:
            rec.skip(path, n, f"line is not valid JSON ({str(exc)[:80]})")
            continue
        if not isinstance(obj, dict):
            rec.skip(path, n, f"line holds a JSON {type(obj).__name__}, not an object")
            continue
        yield n, obj


def read_json(path: str, text: str, rec: Recorder) -> Iterator[tuple[int, dict]]:
    """A JSON array of objects, or an object holding one under a usual key (``papers``...)."""
    containers = text.count("{") + text.count("[")
    if containers > limits.MAX_JSON_CONTAINERS:
        raise LoadError(
            f"JSON document with more than {limits.MAX_JSON_CONTAINERS:,} objects and arrays "
            f"({containers:,} brackets): write it as JSON Lines, one record per line",
            path=path,
        )
    try:
        elements, warnings = _array_elements(text)
        obj = (
            None if elements is not None else json.loads(text, parse_float=Decimal, parse_int=_int)
        )
    except RecursionError:
        raise LoadError("JSON nested too deeply", path=path) from None
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise LoadError(f"not valid JSON ({str(exc)[:160]})", path=path, line=line) from None
    for line, message in warnings:
        rec.warn(path, line, message)
    if elements is not None:  # an array (at the top or under usual keys), with lines
        counts: dict[str | None, int] = {}
        for line, item, key in elements:
            k = counts[key] = counts.get(key, 0) + 1
            if isinstance(item, dict):
                yield line, item
            else:
                where = f"record {k}" + (f" of {key!r}" if key is not None else "")
                rec.skip(path, line, f"{where} is a JSON {type(item).__name__}, not an object")
        return
    # `_array_elements` took every array: what is left is one object (one record) or a scalar
    if not isinstance(obj, dict):
        raise LoadError(f"JSON holds a {type(obj).__name__}, expected a list of records", path=path)
    yield None, {**obj, "_record": 1}


class _Runaway(Exception):
    """A record runs past what a record can be: too many lines, or one line too long."""


# Physical lines with their ends (\n, \r\n or \r), as io.StringIO(text, newline="")
# .readlines() gives them, without its buffer of 4 bytes a character (800 MB for a 200 MB
# field, a MemoryError that cost the whole file).
_PHYSICAL_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class _Feed:
    """Physical lines handed to `csv.reader` from ``pos`` on.

    Each record's line range is then known, and a record that runs past
    `limits.MAX_RECORD_LINES` lines is stopped.
    """

    def __init__(self, lines: list[str], pos: int):
        self.lines = lines
        self.pos = pos
        self.record_start = pos

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.lines):
            raise StopIteration
        if self.pos - self.record_start >= limits.MAX_RECORD_LINES:
            raise _Runaway(f"more than {limits.MAX_RECORD_LINES:,} lines")
        if len(self.lines[self.pos]) > limits.MAX_RECORD_CHARS:
            # not handed to csv, which would copy it (a 200 MB field cost the whole file)
            raise _Runaway(f"a line longer than {limits.MAX_RECORD_CHARS:,} characters")
        self.pos += 1
        return self.lines[self.pos - 1]


def _well_quoted(lines: list[str], delimiter: str) -> bool:
    """True when these physical lines are one record under strict CSV quoting rules."""
    try:
        rows = list(csv.reader(lines, delimiter=delimiter, strict=True))
    except csv.Error:
        return False
    return len(rows) == 1


# Excel writes (and reads) a first line "sep=;" that names the delimiter.
_SEP_LINE = re.compile(r"^sep=(.)$", re.IGNORECASE)


def _header(path: str, lines: list[str], delimiter: str) -> tuple[list[str], int]:
    """The column names and the index of the first line after the header."""
    pos = 0
    while pos < len(lines) and not lines[pos].strip():
        pos += 1
    if pos < len(lines) and _SEP_LINE.match(lines[pos].strip()):
        sep_line = pos + 1
        pos += 1  # Excel's "sep=;" line names the delimiter (see `_delimiter`)
        while pos < len(lines) and not lines[pos].strip():
            pos += 1
        if pos == len(lines):
            raise LoadError("no header row after the sep= line", path=path, line=sep_line)
    if pos == len(lines):
        raise LoadError("no header row: the file holds nothing but blank lines", path=path)
    feed = _Feed(lines, pos)
    try:
        row = next(csv.reader(feed, delimiter=delimiter))
    except (StopIteration, _Runaway, csv.Error):
        row = None
    if row is None or (feed.pos - pos > 1 and not _well_quoted(lines[pos : feed.pos], delimiter)):
        raise LoadError(
            f"unreadable header: a quote opened on this line is never closed "
            f"(lines {pos + 1}-{feed.pos})",
            path=path,
            line=pos + 1,
        )
    names = [h.strip() for h in row]
    if len(names) > limits.MAX_COLUMNS:
        raise LoadError(
            f"header has {len(names):,} columns, more than the loader's limit of "
            f"{limits.MAX_COLUMNS:,} (trends.load.limits.MAX_COLUMNS)",
            path=path,
            line=pos + 1,
        )
    # Spreadsheets leave trailing columns unnamed: give them a name rather than merge them.
    names = [name or f"column_{k}" for k, name in enumerate(names, start=1)]
    where: dict[str, list[int]] = {}
    for k, name in enumerate(names, start=1):
        where.setdefault(name.casefold(), []).append(k)
    repeated = [(names[ks[0] - 1], ks) for ks in where.values() if len(ks) > 1]
    if repeated:
        listed = "; ".join(f"{name!r} (columns {', '.join(map(str, ks))})" for name, ks in repeated)
        raise LoadError(
            f"the header names a column more than once: {listed}; rename them so that each "
            "column has its own name",
            path=path,
            line=pos + 1,
        )
    return names, feed.pos


def _read_delimited(path: str, text: str, rec: Recorder, delimiter: str):
    """Rows of a delimited table, every physical line kept, skipped and counted, or refused.

    Python's csv module joins lines while a quote is open, so one stray ``"`` would
    swallow the rest of the file into a single bad row. Here a record that spans several
    lines must be well quoted (strict CSV rules) and no longer than
    `limits.MAX_RECORD_LINES`; otherwise its first line is skipped (counted, with the line
    range it swallowed) and the lines after it are read again on their own.
    """
    lines = _PHYSICAL_LINE.findall(text)
    header, pos = _header(path, lines, delimiter)
    width = len(header)
    header_again = [name.strip().casefold() for name in header]
    # Re-reading after a broken quote costs at most a few passes over the file; a file
    # that needs more is refused rather than read for minutes.
    budget = 4 * len(lines) + 10 * limits.MAX_RECORD_LINES
    reread = 0
    # csv's own field limit (128 KiB) raises mid-record, leaving no line range to skip:
    # lift it while reading (the file is already bounded) and apply our limits per record.
    saved_limit = csv.field_size_limit()
    csv.field_size_limit(max(saved_limit, sys.maxsize >> 1))
    try:
        while pos < len(lines):
            feed = _Feed(lines, pos)
            reader = csv.reader(feed, delimiter=delimiter)
            broken = None
            while broken is None:
                start = feed.record_start = feed.pos
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except _Runaway as exc:
                    broken = (start, str(exc))
                    break
                except csv.Error as exc:
                    broken = (start, str(exc))
                    break
                end = feed.pos
                first, last = start + 1, end
                if not any(cell.strip() for cell in row):
                    if row:
                        rec.skip(path, first, "row has no values")
                    continue
                # (a quote left open on the last line runs to the end of the file: one
                # physical line, but an unterminated quote all the same, whose field then
                # holds the line break)
                runs_out = last == first and any("\n" in cell or "\r" in cell for cell in row)
                if runs_out or (last > first and not _well_quoted(lines[start:end], delimiter)):
                    broken = (
                        start,
                        f"it runs to line {last}" + (" (the end)" if end == len(lines) else ""),
                    )
                    break
                span = f" (lines {first}-{last})" if last > first else ""
                until = last if last > first else None
                if len(row) != width:
                    why = f"row has {len(row)} fields, the header {width}{span}"
                    rec.skip(path, first, why, last_line=until)
                    continue
                if sum(map(len, row)) > limits.MAX_RECORD_CHARS:
                    why = f"row is longer than {limits.MAX_RECORD_CHARS:,} characters{span}"
                    rec.skip(path, first, why, last_line=until)
                    continue
                if [cell.strip().lstrip("\ufeff").casefold() for cell in row] == header_again:
                    rec.skip(path, first, "the header row again (files joined together?)")
                    continue
                yield first, dict(zip(header, row, strict=True))
            start, detail = broken
            if feed.pos - start <= 1:
                rec.skip(path, start + 1, f"unreadable row ({detail})")
            else:
                rec.skip(
                    path,
                    start + 1,
                    "unterminated quote: a quoted field opened on this line never closes "
                    f"properly ({detail}); the lines after it are read again on their own",
                )
            reread += feed.pos - start
            if reread > budget:
                raise LoadError(
                    f"too many broken quotes to read this file (lines {start + 1}-{feed.pos}): "
                    "check its quoting, or export it again",
                    path=path,
                    line=start + 1,
                )
            pos = start + 1
    finally:
        csv.field_size_limit(saved_limit)


def read_csv(path: str, text: str, rec: Recorder) -> Iterator[tuple[int, dict]]:
    """Comma-separated table with a header row.

    Semicolons separate the columns instead when the header has no comma but does have
    semicolons: the CSV that spreadsheets write where the comma is the decimal mark.
    """
    return _read_delimited(path, text, rec, _delimiter(text))


def _delimiter(text: str) -> str:
    """The delimiter: the one a ``sep=`` first line names, else ``;`` or ``,``.

    ``";"`` when the header row splits on semicolons and not on commas, else ``","``.
    """
    first = next((line for line in io.StringIO(text[:65536]) if line.strip()), "")
    named = _SEP_LINE.match(first.strip())
    if named:
        return named.group(1)
    try:
        by_comma = next(csv.reader([first]))
        by_semicolon = next(csv.reader([first], delimiter=";"))
    except (csv.Error, StopIteration):
        return ","
    return ";" if len(by_comma) == 1 and len(by_semicolon) > 1 else ","


def read_tsv(path: str, text: str, rec: Recorder) -> Iterator[tuple[int, dict]]:
    """Tab-separated table with a header row."""
    return _read_delimited(path, text, rec, "\t")


def read_parquet(path: str, data: bytes, rec: Recorder) -> Iterator[tuple[int, dict]]:
    """A Parquet table (read by pyarrow through pandas)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        # Decoded batch by batch, within the limit on what a compressed file inflates to:
        # 24 KB of repeated, compressed values can decode to millions of rows.
        batches, size, dictionaries = [], 0, {}
        for batch in parquet.iter_batches(batch_size=65_536):
            for k, column in enumerate(batch.columns):
                if pa.types.is_dictionary(column.type):
                    # a categorical column: its codes per batch, its values once
                    size += column.indices.nbytes
                    dictionaries[k] = max(dictionaries.get(k, 0), column.dictionary.nbytes)
                else:
                    size += column.nbytes
            if size + sum(dictionaries.values()) > limits.MAX_FILE_BYTES:
                raise LoadError(
                    f"the table decodes to more than {limits.MAX_FILE_BYTES // 2**20:,} MiB "
                    "(trends.load.limits.MAX_FILE_BYTES)",
                    path=path,
                )
            batches.append(batch)
        frame = pa.Table.from_batches(batches, schema=parquet.schema_arrow).to_pandas()
    except LoadError:
        raise
    except Exception as exc:  # pyarrow raises many unrelated types for corrupt files
        why = " ".join(str(exc).split())[:120]
        raise LoadError(f"not a readable Parquet file ({why})", path=path) from None
    if frame.shape[1] > limits.MAX_COLUMNS:
        raise LoadError(
            f"table has {frame.shape[1]:,} columns, more than the loader's limit of "
            f"{limits.MAX_COLUMNS:,} (trends.load.limits.MAX_COLUMNS)",
            path=path,
        )
    names = [str(c) for c in frame.columns]
    if len(set(names)) != len(names):
        repeated = sorted({n for n in names if names.count(n) > 1})
        raise LoadError(f"the table names a column more than once: {repeated}", path=path)
    frame.columns = names
    for row in table_rows(frame):
        yield None, row


# Kinds of values (pandas' `infer_dtype`) that compare equal only when they are the same
# value: in a column of mixed kinds, 1 == 1.0 == True would make different rows copies.
_EXACT_KINDS = frozenset(
    {"string", "bytes", "empty", "boolean", "integer", "floating", "decimal", "date", "datetime"}
)
# Tables with fewer rows are not searched for copies: reading each of 10,000 rows takes
# under a second, and the search costs time for every column (a second for 10,000).
COPIES_FROM_ROWS = 10_000


def _plain_dtype(dtype) -> bool:
    """Whether `_first_copies` compares a column of this dtype exactly.

    Numpy's, a string, a categorical, a nullable number or boolean, or Arrow's strings,
    numbers and times; not Arrow lists or structs, which pandas cannot hash.
    """
    import pandas as pd

    if isinstance(dtype, (np.dtype, pd.StringDtype, pd.CategoricalDtype)):
        return True
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        kind = dtype.pyarrow_dtype
        return (
            pa.types.is_string(kind)
            or pa.types.is_large_string(kind)
            or pa.types.is_integer(kind)
            or pa.types.is_floating(kind)
            or pa.types.is_boolean(kind)
            or pa.types.is_temporal(kind)
        )
    return (
        isinstance(dtype, pd.api.extensions.ExtensionDtype)
        and (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))
        and not isinstance(dtype, pd.SparseDtype)
    )


def _first_copies(frame) -> np.ndarray | None:
    """For each row, the position of the first row equal to it in every column.

    None when every row is its own first, when rows cannot be compared exactly (list
    or object cells, Arrow lists or structs, a column of mixed kinds) or the table is
    small (`COPIES_FROM_ROWS`).
    Found column by column, in C: two million copies of one row cost half a second here
    instead of two minutes and 6 GB for reading every row.
    """
    import pandas as pd

    if len(frame) < COPIES_FROM_ROWS or frame.shape[1] == 0:
        return None
    for name in frame.columns:
        column = frame[name]
        if not _plain_dtype(column.dtype):
            return None  # Arrow lists or structs, intervals: not compared here, read each row
        if column.dtype == object and pd.api.types.infer_dtype(column) not in _EXACT_KINDS:
            return None
    try:
        if any(frame[name].is_unique for name in frame.columns):
            return None  # a column without a value twice (an id, a title): no equal rows
        repeated = frame.duplicated(keep=False).to_numpy()
        if not repeated.any():
            return None
        codes = frame[repeated].groupby(list(frame.columns), sort=False, dropna=False).ngroup()
    except Exception:  # cells that cannot be hashed or compared: read every row instead
        return None
    rows = np.flatnonzero(repeated)
    _, first = np.unique(codes.to_numpy(), return_index=True)  # codes: 0 ... groups - 1
    firsts = np.arange(len(frame))
    firsts[rows] = rows[first[codes.to_numpy()]]
    return firsts


def table_rows(frame) -> Iterator[dict]:
    """The rows of a table as raw records, each with ``_record`` (its number from 1).

    A row equal in every column to an earlier one is not made again: the first carries
    ``_copies``, the numbers of the rows equal to it, for the loader to account for.
    """
    firsts = _first_copies(frame)
    if firsts is None:
        for k, row in enumerate(frame.to_dict(orient="records"), start=1):
            yield {**row, "_record": k}
        return
    positions = np.arange(len(firsts))
    copied = positions[firsts != positions]
    order = np.argsort(firsts[copied], kind="stable")
    owners, starts = np.unique(firsts[copied][order], return_index=True)
    numbers = (copied[order] + 1).tolist()
    bounds = [*starts.tolist(), len(numbers)]
    copies = {
        int(owner): numbers[bounds[g] : bounds[g + 1]] for g, owner in enumerate(owners.tolist())
    }
    kept = positions[firsts == positions]
    for p, row in zip(kept.tolist(), frame.iloc[kept].to_dict(orient="records"), strict=True):
        row["_record"] = p + 1
        if p in copies:
            row["_copies"] = copies[p]
        yield row
