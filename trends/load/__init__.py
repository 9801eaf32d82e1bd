"""Load abstracts from many sources into one canonical table.

The canonical table has one row per paper and these columns, in order:
``doc_id, title, abstract, text, published, categories, authors, url, source``,
then any further columns of the source (a ``label``, a ``venue``...).

Every record read is kept, dropped as a duplicate (`trends.load.dedupe` says which kinds)
or skipped with its file, line and reason; a file that cannot be read at all raises
`LoadError`. Texts are normalised as `trends.load.normalise` describes (markup removed,
escaped text never turned into markup), and resources are bounded by `trends.load.limits`.
"""

from __future__ import annotations

import bisect
import inspect
import io
import os
import reprlib
import sys
import types
from collections.abc import Iterator, KeysView, Mapping, ValuesView

import numpy as np
import pandas as pd

from . import limits
from .canonical import (
    ALIASES,
    CANONICAL,
    ColumnMap,
    canonical_record,
    file_date,
    is_global_id,
)
from .dates import file_reading, parse_date
from .dedupe import dedupe
from .errors import LoadError, LoadReport, Recorder, Skip, Tape, at_lines
from .normalise import collect_notes, make_text
from .readers import BINARY_FORMATS, READERS, RECORD_STREAMS
from .readers.records import table_rows
from .sources import FORMATS, decode, detect_format, expand, read_bytes, transcode_bom

__all__ = ["CANONICAL", "FORMATS", "LoadError", "LoadReport", "Skip", "limits", "load"]


def _checked_columns(columns) -> dict[str, str] | None:
    """``columns=`` as ``{canonical name: column name}``, checked.

    A column named by a number (``pd.read_csv(header=None)``) is named by its text, as the
    columns of a DataFrame are read.
    """
    if columns is None:
        return None
    if not isinstance(columns, Mapping):
        raise LoadError(
            "columns= maps canonical names to your columns' names, e.g. "
            f"columns={{'abstract': 'Body'}}, not a {type(columns).__name__}: {columns!r}"[:300]
        )
    out = {}
    for canonical, given in columns.items():
        if isinstance(given, bool) or not isinstance(given, str | int):
            raise LoadError(
                f"columns= maps {canonical!r} to {given!r}: name the column by its name (a str)"
            )
        out[canonical] = str(given)
    return out


def _flat(sources) -> list:
    """The sources with lists, tuples and iterators of them opened; else a `LoadError`."""
    out = []
    for source in sources:
        if isinstance(source, set | frozenset):
            raise LoadError(
                "a set of sources has no order, and the order of the papers is part of what "
                "decides the themes: pass a sorted list"
            )
        if isinstance(source, str | os.PathLike | pd.DataFrame):
            out.append(source)
        elif callable(getattr(source, "to_pandas", None)) and hasattr(source, "columns"):
            out.append(_to_pandas(source))  # a polars DataFrame, a pyarrow Table
        elif isinstance(source, list | tuple | Iterator | KeysView | ValuesView):
            out.extend(_flat(source))  # e.g. sorted(folder.glob(...)), folder.glob(...)
        elif isinstance(source, pd.Series | pd.Index | np.ndarray) and np.ndim(source) == 1:
            out.extend(_flat(list(source)))  # a column of paths
        else:
            shown = reprlib.repr(source).encode("unicode_escape").decode("ascii")
            raise LoadError(
                f"a source is a file, folder or glob pattern (str or path) or a DataFrame, "
                f"not {_type_name(source)}: {shown}"
            )
    return out


def _type_name(value) -> str:
    kind = type(value)
    module = kind.__module__.split(".")[0]
    return kind.__name__ if module == "builtins" else f"{module}.{kind.__name__}"


def _to_pandas(table) -> pd.DataFrame:
    """A table of another library (polars, pyarrow) as a pandas DataFrame."""
    try:
        frame = table.to_pandas()
    except Exception as exc:  # e.g. polars without pyarrow
        raise LoadError(
            f"a {_type_name(table)} could not be converted with its to_pandas() "
            f"({type(exc).__name__}: {exc}); convert it to a pandas DataFrame first"[:400]
        ) from None
    if not isinstance(frame, pd.DataFrame):
        raise LoadError(f"{_type_name(table)}.to_pandas() gave no DataFrame")
    return frame


def load(*sources, format: str | None = None, columns=None, strict: bool = False) -> pd.DataFrame:
    """Read papers from files, folders, glob patterns or DataFrames into the canonical table.

    Parameters
    ----------
    *sources : str, os.PathLike or pandas.DataFrame
        Files (plain or ``.gz``), folders (their files of known formats, sorted by
        name), glob patterns, or DataFrames already in memory; a list, tuple, iterator
        or column of them counts as its items (``trends.load(sorted(folder.glob("*.gz")))``;
        a set is refused: it has no order).
    format : str, optional
        One of ``trending, jsonl, json, csv, tsv, parquet, atom, bibtex``; detected
        from each file's extension and content when omitted.
    columns : dict, optional
        ``{canonical name: column name}`` for tables whose columns are not named in
        a usual way, e.g. ``{"abstract": "body", "published": "when"}``.
    strict : bool
        Raise `LoadError` at the first unreadable record instead of skipping it.

    Returns
    -------
    pandas.DataFrame
        The canonical table. ``df.attrs["load_report"]`` (see `LoadReport`) holds
        ``read``, ``kept``, ``duplicates`` (``id_duplicates + title_text_duplicates +
        near_duplicates``, as `trends.load.dedupe` defines them) and ``skipped`` (each
        skip with file, line and reason), with ``read == kept + duplicates +
        len(skipped)``; also ``missing_values`` (unusable values treated as missing, per
        field), ``encodings`` (files not in UTF-8: the encoding used and how sure the
        guess was), ``warnings`` and ``files``.

    Raises
    ------
    LoadError
        A source is empty, missing, not a regular file, truncated, binary, of an unknown
        format or over a limit of `trends.load.limits`; a table has no abstract column,
        or names a column twice. The message names the file and, where there is one, the
        line.
    """
    sources = _flat(sources)
    if not sources:
        raise LoadError("no source given: name at least one file, folder or glob pattern")
    if format is not None and format not in FORMATS:
        raise LoadError(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")
    columns = _checked_columns(columns)
    report = LoadReport()
    rec = Recorder(report, strict=strict)
    records: list[dict] = []
    seen_files: set[str] = set()
    for source in sources:
        if isinstance(source, pd.DataFrame):
            records.extend(_from_frame(source, columns, rec, report))
            continue
        for path in expand([source], seen_files):
            records.extend(_from_file(path, format, columns, rec, report))
    skipped = len(report.skipped)
    copies = sum(len(r["_copies"]) for r in records if "_copies" in r)
    frame = _assemble(records, rec)
    report.read = len(records) + copies + skipped
    report.kept = len(frame)
    report.duplicates = report.id_duplicates + report.title_text_duplicates + report.near_duplicates
    assert report.read == report.kept + report.duplicates + len(report.skipped)
    frame.attrs["load_report"] = report.as_dict()
    return frame


def _from_file(path, format, columns, rec, report) -> list[dict]:
    data = read_bytes(path)
    data = transcode_bom(path, data, report.encodings)
    fmt = format or detect_format(path, data)
    report.files.append(path)
    reader = READERS[fmt]
    if fmt in BINARY_FORMATS:
        payload = data
    else:
        payload = decode(path, data, report.encodings)
        found = report.encodings.get(path)
        if found and found["detected"] != "byte-order mark":
            rec.warn(
                path,
                None,
                f"not UTF-8: decoded as {found['encoding']} (detected {found['detected']}, "
                f"confidence {found['confidence']:.0%}); check its accented letters",
                "encoding",
            )
    del data
    default_date = file_date(path)
    stream = fmt in RECORD_STREAMS
    out: list[dict] = []
    cmaps: dict[tuple, ColumnMap] = {}
    # A stream may mix records with and without an abstract key: those without are counted
    # skips, but only once the file has shown an abstract column at all (a file without
    # one is refused as a whole, as a table without one is).
    pending: list[tuple[int | None, list[str]]] = []
    replays: list[tuple[Tape, list[int]]] = []
    mark = rec.mark()
    has_abstract = False
    mapped_seen: set[str] = set()
    try:
        with collect_notes() as notes:
            for line, raw in reader(path, payload, rec):
                copies = raw.pop("_copies", None)  # rows equal to this one (`table_rows`)
                keys = tuple(raw)
                cmap = cmaps.get(keys)
                if cmap is None:
                    cmap = cmaps[keys] = ColumnMap.build(list(keys), columns, path, partial=stream)
                    if not stream and "abstract" not in cmap.used:
                        # a table's header, not this first row, lacks the column
                        raise _no_abstract(
                            path, _header_line(fmt, payload), keys, header=True, columns=columns
                        )
                if columns:
                    mapped_seen.update(c for c in columns if c in cmap.used)
                if "abstract" not in cmap.used:
                    where = line if line is not None else raw.get("_record")
                    pkeys = list(keys)
                    for at in [where, *(copies or ())]:
                        if has_abstract:
                            _skip_no_abstract_key(rec, path, at, pkeys)
                        else:
                            pending.append((at, pkeys))
                    continue
                if not has_abstract:
                    has_abstract = True
                    for where, pkeys in pending:
                        _skip_no_abstract_key(rec, path, where, pkeys)
                    pending = []
                row = _canonical(raw, cmap, copies, path, line, rec, default_date, notes, replays)
                if row is not None:
                    out.append(row)
            rec.replay_copies(path, replays, mark)
    except LoadError:
        raise
    except Exception as exc:  # a reader met input it was not built for: say where, not how
        raise LoadError(
            f"could not read as {fmt} ({type(exc).__name__}: {str(exc)[:160]})", path=path
        ) from exc
    if pending:
        raise _no_abstract(path, pending[0][0], tuple(pending[0][1]), columns=columns)
    if columns and (out or has_abstract):
        missing = [c for c in columns if c not in mapped_seen]
        if missing:
            name = missing[0]
            raise LoadError(
                f"columns= maps {name!r} to {columns[name]!r}, but no record has such a column",
                path=path,
            )
    return out


def _header_line(fmt: str, payload) -> int | None:
    """The line of a delimited table's header (its first line with text), else None."""
    if fmt not in {"csv", "tsv"} or not isinstance(payload, str):
        return None
    for k, line in enumerate(io.StringIO(payload), start=1):
        if line.strip():
            return k
    return None


def _no_abstract(path: str, line, keys: tuple, *, header: bool = False, columns=None) -> LoadError:
    shown = [str(k) for k in keys if not str(k).startswith("_")]
    hint = "; is the file really comma-separated?" if len(shown) == 1 else ""
    for canonical, given in (columns or {}).items():
        if canonical != "abstract" and str(given).lower().strip() in ALIASES["abstract"]:
            hint = (
                f"; the mapping {canonical}={given} took the column {given!r}, which would "
                "otherwise be the abstract"
            )
    return LoadError(
        f"{'the header has ' if header else ''}no abstract column: expected one of abstract, "
        f"summary, text (columns are: {', '.join(shown[:50])}"
        f"{', ...' if len(shown) > 50 else ''}); map yours with columns={{'abstract': ...}} "
        f"(on the command line: -c abstract=COLUMN){hint}",
        path=path,
        line=line,
    )


def _skip_no_abstract_key(rec: Recorder, path: str, line, keys) -> None:
    shown = ", ".join(str(k) for k in list(keys)[:20] if not str(k).startswith("_"))
    rec.skip(path, line, f"record has no abstract field (its keys: {shown})", "abstract")


def _from_frame(frame: pd.DataFrame, columns, rec, report) -> list[dict]:
    path = "<DataFrame>"
    report.files.append(path)
    names = [str(c) for c in frame.columns]
    if len(set(names)) != len(names):
        repeated = sorted({n for n in names if names.count(n) > 1})
        raise LoadError(f"the table names a column more than once: {repeated}", path=path)
    frame = frame.set_axis(names, axis=1)
    if set(CANONICAL) <= set(names) and _derived_text(frame):
        # a table of trends.load: its text is title + abstract, made again from them
        # (kept, it would come back as an extra column, original_text)
        frame = frame.drop(columns="text")
        names = list(frame.columns)
    cmap = ColumnMap.build(names, columns, path)
    if "abstract" not in cmap.used:
        raise LoadError("no abstract column (abstract, summary or text)", path=path)
    out = []
    replays: list[tuple[Tape, list[int]]] = []
    mark = rec.mark()
    with collect_notes() as notes:
        for raw in table_rows(frame):
            k, copies = raw.pop("_record"), raw.pop("_copies", None)
            row = _canonical(raw, cmap, copies, path, k, rec, None, notes, replays)
            if row is not None:
                out.append(row)
    rec.replay_copies(path, replays, mark)
    return out


def _derived_text(frame: pd.DataFrame) -> bool:
    """Whether every row's ``text`` is what `trends.load` makes of its title and abstract."""
    try:
        made = [make_text(t, a) for t, a in zip(frame["title"], frame["abstract"], strict=True)]
    except TypeError:  # a title or abstract that is not text
        return False
    return made == frame["text"].tolist()


def _canonical(raw, cmap, copies, path, line, rec, default_date, notes, replays) -> dict | None:
    """One raw record as a canonical one (`canonical_record`), or None when skipped.

    What normalising its text had to say (``notes``) becomes warnings. ``copies`` are the
    lines (or record numbers) of rows equal to this one in every column: each is
    accounted for as this one was, its skips and warnings told again at its own line
    once the file is read (added to ``replays``: the refusal of a file of mostly unusable
    records, `limits.MAX_SKIPPED`, then weighs them against all its usable ones, not only
    those before the first copy); a kept record holds them in ``_copies``, for the dedupe
    to count as its duplicates.
    """
    tape = Tape(rec) if copies else rec
    row = canonical_record(raw, cmap, path=path, line=line, rec=tape, default_date=default_date)
    if notes:
        where = line if line is not None else raw.get("_record")
        for note in dict.fromkeys(notes):
            tape.warn(path, where, note)
        notes.clear()
    if copies:
        replays.append((tape, copies))
    if row is not None:
        rec.usable += 1 + len(copies or ())
        if copies:
            row["_copies"] = copies
    return row


_FIXED = frozenset(CANONICAL) | {"_line", "_date_field", "_copies"}


def _blocks(records: list[dict]) -> list[tuple[int, int]]:
    """``(start, end)`` of each run of records from one source, in the order read."""
    out = []
    start = 0
    for k in range(1, len(records) + 1):
        if k == len(records) or records[k]["source"] != records[start]["source"]:
            out.append((start, k))
            start = k
    return out


def _file_order(records: list[dict], blocks: list[tuple[int, int]]):
    """Sort key of the kept rows: files by their earliest date, then each file's rows as read.

    Undated files come after the dated ones; ties keep the order the files were given. So
    day files given in any order make the same table, and so the same themes, while the rows
    of one file stay in its own order.
    """
    rank = {}
    for number, (start, end) in enumerate(blocks):
        times = [_sort_time(r) for r in records[start:end] if r["published"] is not pd.NaT]
        key = (not times, min(times, default=0), number)
        rank.update((i, key) for i in range(start, end))
    return lambda i: (rank[i], i)


def _read_position(records, i, line, block, lines_of) -> tuple:
    """Where record ``i``, or its copy at ``line``, stands in the dedupe's order.

    The dedupe meets records by date, then as read: had every copy been read as a row of
    its own, a copy has the date of ``i`` and comes after the rows of its file (``block``) before
    ``line``. ``lines_of`` caches each block's lines.
    """
    r = records[i]
    when = (r["published"] is pd.NaT, _sort_time(r))
    if line == r["_line"]:
        return (when, i, 1, line)
    start, end = block
    if block not in lines_of:
        lines_of[block] = [records[k]["_line"] for k in range(start, end)]
    return (when, start + bisect.bisect_left(lines_of[block], line), 0, line)


def _assemble(records: list[dict], rec: Recorder) -> pd.DataFrame:
    by_source: dict[str, list[tuple[str, int | None, int]]] = {}
    field_of: dict[str, str] = {}
    copies: dict[int, int] = {}  # record -> rows equal to it (see `_canonical`)
    for i, r in enumerate(records):
        times = 1
        if "_copies" in r:
            copies[i] = len(r["_copies"])
            times += copies[i]
        if r["published"] is not None:
            by_source.setdefault(r["source"], []).append((str(r["published"]), r["_line"], times))
            field_of.setdefault(r["source"], r["_date_field"])
    order_of: dict[str, str | None] = {}
    for source, values in by_source.items():
        order_of[source], warnings = file_reading(values)
        for line, warning in warnings:
            rec.warn(source, line, warning, field_of[source])
    blocks = _blocks(records)
    for start, end in blocks:  # a file's unreadable dates in line order, copies included
        own, streams, total = [], [], 0
        for r in records[start:end]:
            value = r["published"]
            r["published"] = (
                pd.NaT if value is None else parse_date(str(value), order_of.get(r["source"]))
            )
            if value is not None and r["published"] is pd.NaT:
                why, source, name = f"unreadable date {value!r}", r["source"], r["_date_field"]
                own.append(Skip(source, r["_line"], why, name))
                if "_copies" in r:
                    streams.append(at_lines(source, r["_copies"], why, name))
                    total += len(r["_copies"])
        rec.warn_in_order(own, 0, streams, total)
    order = sorted(
        range(len(records)),
        key=lambda i: (records[i]["published"] is pd.NaT, _sort_time(records[i]), i),
    )
    found = dedupe(records, order, is_global_id, copies)
    report = rec.report
    report.id_duplicates += found.id_duplicates
    report.title_text_duplicates += found.title_text_duplicates
    report.near_duplicates += found.near_duplicates
    report.id_conflicts += found.id_conflicts
    pairs = []
    block_of = {i: (start, end) for start, end in blocks for i in range(start, end)}
    lines_of: dict[tuple[int, int], list] = {}
    for i, j, similarity in found.near_pairs:
        # the copies of a near duplicate without an id are near duplicates too (`dedupe`)
        lines = [records[i]["_line"]]
        if not records[i]["doc_id"]:
            lines += records[i].get("_copies", [])
        for line in lines:
            pairs.append(
                (
                    _read_position(records, i, line, block_of[i], lines_of),
                    {
                        "file": records[i]["source"],
                        "line": line,
                        "title": records[i]["title"][:200],
                        "kept_doc_id": found.doc_ids[j],
                        "kept_file": records[j]["source"],
                        "kept_line": records[j]["_line"],
                        "similarity": round(similarity, 3),
                    },
                )
            )
    # in the order the dedupe met them had every copy been read as a row of its own
    pairs.sort(key=lambda pair: pair[0])
    report.near_duplicate_pairs.extend(pair for _, pair in pairs)
    kept = sorted(found.kept, key=_file_order(records, blocks))
    rows = [records[i] for i in kept]
    for i, r in zip(kept, rows, strict=True):
        r["doc_id"] = found.doc_ids[i]
    extras: dict[str, None] = {}
    for r in rows:
        if r.keys() - extras.keys() - _FIXED:  # in C: most rows add no new column
            for k in r:
                if k not in extras and k not in _FIXED and not k.startswith("_"):
                    extras[k] = None
    columns = {
        "doc_id": pd.array([r["doc_id"] for r in rows], dtype="string"),
        "title": pd.array([r["title"] for r in rows], dtype="string"),
        "abstract": pd.array([r["abstract"] for r in rows], dtype="string"),
        "text": pd.array([make_text(r["title"], r["abstract"]) for r in rows], dtype="string"),
        "published": pd.to_datetime(
            pd.Series([r["published"] for r in rows], dtype="object"), utc=True
        ),
        "categories": pd.Series([r["categories"] for r in rows], dtype="object"),
        "authors": pd.Series([r["authors"] for r in rows], dtype="object"),
        "url": pd.array([r["url"] for r in rows], dtype="string"),
        "source": pd.array([r["source"] for r in rows], dtype="string"),
    }
    # All extra columns in one go: adding 10,000 columns one by one takes minutes.
    for name in extras:
        columns[name] = [r.get(name) for r in rows]
    return pd.DataFrame(columns)


def _sort_time(record: dict) -> int:
    stamp = record["published"]
    return 0 if stamp is pd.NaT else stamp.value


class _CallableModule(types.ModuleType):
    """The `trends.load` package, callable as its own `load` function.

    ``trends.load`` names both this subpackage and the function. With the package root
    importing lazily, ``import trends.load`` (or ``from trends.load import LoadError``)
    makes the import system bind the subpackage to ``trends.load``, which would then no
    longer be callable; a callable package keeps ``trends.load(...)`` working whatever was
    imported first.
    """

    def __call__(self, *sources, **kwargs) -> pd.DataFrame:
        return load(*sources, **kwargs)

    __call__.__doc__ = load.__doc__


sys.modules[__name__].__class__ = _CallableModule
# What `inspect.signature(trends.load)` and Jupyter's ``trends.load?`` show: the function's
# parameters, not ``(*sources, **kwargs)``.
__signature__ = inspect.signature(load)
