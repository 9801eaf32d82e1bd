"""Load abstracts from many sources into one canonical table.

The canonical table has one row per paper and these columns, in order:
``doc_id, title, abstract, text, published, categories, authors, url, source``,
then any further columns of the source (a ``label``, a ``venue``...).
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from .canonical import CANONICAL, ColumnMap, canonical_record, file_date, is_global_id
from .errors import LoadError, LoadReport, Recorder, Skip
from .normalise import make_text, title_doc_id, title_key
from .readers import BINARY_FORMATS, READERS
from .sources import FORMATS, decode, detect_format, expand, read_bytes

__all__ = ["CANONICAL", "FORMATS", "LoadError", "LoadReport", "Skip", "load"]


def load(*sources, format: str | None = None, columns=None, strict: bool = False) -> pd.DataFrame:
    """Read papers from files, folders, glob patterns or DataFrames into the canonical table.

    Parameters
    ----------
    *sources : str, os.PathLike or pandas.DataFrame
        Files (plain or ``.gz``), folders (their files of known formats, sorted by
        name), glob patterns, or DataFrames already in memory.
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
        The canonical table. ``df.attrs["load_report"]`` holds ``read``, ``kept``,
        ``duplicates`` and ``skipped`` (each skip with file, line and reason);
        ``read == kept + duplicates + len(skipped)``.

    Raises
    ------
    LoadError
        A source is missing, empty, truncated, binary or of an unknown format, or a
        table has no abstract column. The message names the file and line.
    """
    if not sources:
        raise LoadError("no source given: name at least one file, folder or glob pattern")
    if format is not None and format not in FORMATS:
        raise LoadError(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")
    report = LoadReport()
    rec = Recorder(report, strict=strict)
    records: list[dict] = []
    for source in sources:
        if isinstance(source, pd.DataFrame):
            records.extend(_from_frame(source, columns, rec, report))
            continue
        for path in expand([source]):
            records.extend(_from_file(path, format, columns, rec, report))
    skipped_early = len(report.skipped)
    frame = _assemble(records, rec)
    report.read = len(records) + skipped_early
    report.kept = len(frame)
    report.duplicates = len(records) - (len(report.skipped) - skipped_early) - len(frame)
    assert report.read == report.kept + report.duplicates + len(report.skipped)
    frame.attrs["load_report"] = report.as_dict()
    return frame


def _from_file(path, format, columns, rec, report) -> list[dict]:
    data = read_bytes(path)
    fmt = format or detect_format(path, data)
    report.files.append(path)
    reader = READERS[fmt]
    payload = data if fmt in BINARY_FORMATS else decode(path, data, report.encodings)
    default_date = file_date(path)
    out: list[dict] = []
    cmaps: dict[tuple, ColumnMap] = {}
    try:
        for line, raw in reader(path, payload, rec):
            keys = tuple(raw)
            cmap = cmaps.get(keys)
            if cmap is None:
                cmap = cmaps[keys] = ColumnMap.build(list(keys), columns, path)
                if "abstract" not in cmap.used:
                    raise LoadError(
                        "no abstract column: expected one of abstract, summary, text "
                        f"(columns are: {', '.join(k for k in keys if not k.startswith('_'))}); "
                        "map yours with columns={'abstract': ...}",
                        path=path,
                        line=line,
                    )
            row = canonical_record(
                raw, cmap, path=path, line=line, rec=rec, default_date=default_date
            )
            if row is not None:
                out.append(row)
    except LoadError:
        raise
    except Exception as exc:  # a reader met input it was not built for: say where, not how
        raise LoadError(
            f"could not read as {fmt} ({type(exc).__name__}: {str(exc)[:160]})", path=path
        ) from exc
    return out


def _from_frame(frame: pd.DataFrame, columns, rec, report) -> list[dict]:
    path = "<DataFrame>"
    report.files.append(path)
    cmap = ColumnMap.build([str(c) for c in frame.columns], columns, path)
    if "abstract" not in cmap.used:
        raise LoadError("no abstract column (abstract, summary or text)", path=path)
    frame = frame.rename(columns=str)
    out = []
    for k, raw in enumerate(frame.to_dict(orient="records"), start=1):
        row = canonical_record(raw, cmap, path=path, line=k, rec=rec, default_date=None)
        if row is not None:
            out.append(row)
    return out


@lru_cache(maxsize=4096)
def _parse_date(value: str):
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    # Outside pandas' nanosecond range (1677-2262) a "date" is a misread number.
    if stamp is pd.NaT or not 1678 <= stamp.year <= 2261:
        return pd.NaT
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _assemble(records: list[dict], rec: Recorder) -> pd.DataFrame:
    for r in records:
        value = r["published"]
        r["published"] = pd.NaT if value is None else _parse_date(str(value))
        if value is not None and r["published"] is pd.NaT:
            rec.warn(r["source"], r["_line"], f"unreadable date {value!r}", r["_date_field"])
    order = sorted(
        range(len(records)),
        key=lambda i: (records[i]["published"] is pd.NaT, _sort_time(records[i]), i),
    )
    titles_by_id: dict[str, dict[str, str]] = {}
    ids_in_use: set[str] = {r["doc_id"] for r in records if r["doc_id"]}
    seen_titles: set[str] = set()
    kept: list[int] = []
    for i in order:
        r = records[i]
        key = title_key(r["title"])
        doc_id = r["doc_id"] or title_doc_id(r["title"])
        known = titles_by_id.get(doc_id)
        if known is not None:
            if key in known:
                continue  # the same paper again
            if is_global_id(doc_id):
                continue  # an arXiv id or DOI names one paper, even if its title was revised
            # A local id (a row number) reused for another paper: keep it under a new id.
            rec.report.id_conflicts += 1
            n = 2
            while f"{doc_id}-{n}" in ids_in_use:
                n += 1
            new_id = f"{doc_id}-{n}"
            ids_in_use.add(new_id)
            known[key] = new_id
            doc_id = new_id
        else:
            titles_by_id[doc_id] = {key: doc_id}
        if key in seen_titles:
            continue
        seen_titles.add(key)
        r["doc_id"] = doc_id
        kept.append(i)
    kept.sort()
    rows = [records[i] for i in kept]
    extras: list[str] = []
    for r in rows:
        for k in r:
            if k not in CANONICAL and not k.startswith("_") and k not in extras:
                extras.append(k)
    frame = pd.DataFrame(
        {
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
    )
    for name in extras:
        frame[name] = [r.get(name) for r in rows]
    return frame


def _sort_time(record: dict) -> int:
    stamp = record["published"]
    return 0 if stamp is pd.NaT else stamp.value
