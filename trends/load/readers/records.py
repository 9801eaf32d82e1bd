"""Tables and record streams: JSON Lines, JSON, CSV, TSV and Parquet.

Records keep their own column names here; `trends.load.canonical` maps them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from decimal import Decimal

from ..errors import LoadError, Recorder

_LIST_KEYS = ("papers", "records", "items", "entries", "data", "results", "rows")


def _loads(text: str):
    # Decimal keeps `2503.14640` exactly as written; a float would drop the final zero.
    return json.loads(text, parse_float=Decimal)


def read_jsonl(path: str, text: str, rec: Recorder) -> Iterator[tuple[int, dict]]:
    """One JSON object per line; a line that does not parse is a recorded skip."""
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
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
    try:
        obj = _loads(text)
    except RecursionError:
        raise LoadError("JSON nested too deeply", path=path) from None
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise LoadError(f"not valid JSON ({exc})", path=path, line=line) from None
    if isinstance(obj, dict):
        for key in _LIST_KEYS:
            if isinstance(obj.get(key), list):
                obj = obj[key]
                break
        else:
            obj = [obj]
    if not isinstance(obj, list):
        raise LoadError(f"JSON holds a {type(obj).__name__}, expected a list of records", path=path)
    for k, item in enumerate(obj, start=1):
        if isinstance(item, dict):
            yield None, {**item, "_record": k}
        else:
            rec.skip(path, None, f"record {k} is a JSON {type(item).__name__}, not an object")


def _read_delimited(path: str, text: str, rec: Recorder, delimiter: str):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise LoadError("file is empty", path=path) from None
    except csv.Error as exc:
        raise LoadError(f"unreadable header ({exc})", path=path, line=1) from None
    header = [h.strip() for h in header]
    if len(header) < 2 or not any(header):
        raise LoadError(
            f"header has {len(header)} column(s); is this really "
            f"{'tab' if delimiter == chr(9) else 'comma'}-separated?",
            path=path,
            line=1,
        )
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            rec.skip(path, start, f"unreadable row ({exc})")
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            rec.skip(path, start, f"row has {len(row)} fields, the header {len(header)}")
            continue
        yield start, dict(zip(header, row, strict=True))


def read_csv(path: str, text: str, rec: Recorder) -> Iterator[tuple[int, dict]]:
    """Comma-separated table with a header row."""
    return _read_delimited(path, text, rec, ",")


def read_tsv(path: str, text: str, rec: Recorder) -> Iterator[tuple[int, dict]]:
    """Tab-separated table with a header row."""
    return _read_delimited(path, text, rec, "\t")


def read_parquet(path: str, data: bytes, rec: Recorder) -> Iterator[tuple[int, dict]]:
    """A Parquet table (read by pyarrow through pandas)."""
    import pandas as pd

    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises many unrelated types for corrupt files
        raise LoadError(f"not a readable Parquet file ({str(exc)[:120]})", path=path) from None
    for k, row in enumerate(frame.to_dict(orient="records"), start=1):
        yield None, {**row, "_record": k}
