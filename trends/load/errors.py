"""What went wrong while loading, and the counts of what was kept."""

from __future__ import annotations

import heapq
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from itertools import islice

from ..errors import TrendsError
from . import limits


class LoadError(TrendsError, ValueError):
    """A source could not be read; the message names the file and, where it applies, the line."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        where = ""
        if path is not None:
            where = f"{path}"
            if line is not None:
                where += f", line {line}"
            where += ": "
        super().__init__(where + message)
        self.path = path
        self.line = line
        self.reason = message


@dataclass(frozen=True)
class Skip:
    """One record that was read but not kept, and why."""

    file: str
    line: int | None
    reason: str
    field: str | None = None
    last_line: int | None = None  # when the record spans lines: the last one

    def as_dict(self) -> dict:
        """Plain data, as in ``df.attrs["load_report"]``."""
        return {
            "file": self.file,
            "line": self.line,
            "reason": self.reason,
            "field": self.field,
            "last_line": self.last_line,
        }

    def __str__(self) -> str:
        where = self.file + (f", line {self.line}" if self.line is not None else "")
        if self.last_line is not None and self.last_line != self.line:
            where += f"-{self.last_line}"
        what = f" ({self.field})" if self.field else ""
        return f"{where}: {self.reason}{what}"


@dataclass
class LoadReport:
    """Counts of one `trends.load` call.

    ``read == kept + duplicates + len(skipped)``, and ``duplicates == id_duplicates +
    title_text_duplicates + near_duplicates``.

    Attributes
    ----------
    read, kept : int
        Records read (every record a reader found, usable or not) and rows kept.
    duplicates : int
        Records dropped as another record's copy, the sum of the three kinds below.
    id_duplicates : int
        Same arXiv id or DOI as a kept paper, or the same local id, title and text.
    title_text_duplicates : int
        Same title and the same text (words, ignoring case and punctuation).
    near_duplicates : int
        Same title and nearly the same text (word 3-shingle Jaccard similarity of at
        least 0.9); each is listed in ``near_duplicate_pairs``.
    skipped : list of Skip
        Records read but not usable, each with file, line (and last line, when the
        record spans several), reason and field.
    id_conflicts : int
        Local ids (row numbers) reused for another paper, kept under a new id.
    missing_values : dict
        Per canonical field, values present in the source but unusable and treated as
        missing: NA-like strings (``NaN``, ``None``, ``null``, ``N/A``...), numbers, lists
        or objects where text is expected, non-finite or absurdly large numbers.
    encodings : dict
        Per file not in UTF-8: ``{"encoding": used, "detected": what detection said,
        "confidence": 0..1}``.
    warnings : list of Skip
        Problems that did not cost the record: an unreadable date, a near-empty abstract,
        LaTeX a parser could not read, a guessed encoding. At most
        `trends.load.limits.MAX_WARNINGS` are listed.
    warnings_not_listed : int
        Warnings beyond that many, counted only.
    files : list of str
        The files read, in order (a file named twice is read once).
    """

    read: int = 0
    kept: int = 0
    duplicates: int = 0
    id_duplicates: int = 0
    title_text_duplicates: int = 0
    near_duplicates: int = 0
    skipped: list[Skip] = field(default_factory=list)
    id_conflicts: int = 0
    missing_values: dict[str, int] = field(default_factory=dict)
    encodings: dict[str, dict] = field(default_factory=dict)
    warnings: list[Skip] = field(default_factory=list)
    warnings_not_listed: int = 0
    near_duplicate_pairs: list[dict] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Plain-data copy, as stored in ``df.attrs["load_report"]``."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in ("encodings", "missing_values"):
            out[name] = {k: dict(v) if isinstance(v, dict) else v for k, v in out[name].items()}
        for name in ("near_duplicate_pairs", "files"):
            out[name] = [dict(x) if isinstance(x, dict) else x for x in out[name]]
        out["skipped"] = [s.as_dict() for s in self.skipped]
        out["warnings"] = [s.as_dict() for s in self.warnings]
        return out


class Recorder:
    """Collects row-level problems; raises at the first one when strict."""

    def __init__(self, report: LoadReport, *, strict: bool):
        self.report = report
        self.strict = strict
        self.usable = 0  # records read and not skipped so far (the loader counts them)

    def skip(
        self,
        file: str,
        line: int | None,
        reason: str,
        field: str | None = None,
        *,
        last_line: int | None = None,
    ) -> None:
        """Record a skipped record (or raise `LoadError` when strict).

        ``last_line`` is the record's last line when it spans several (a CSV row with a
        quoted line break): the skip accounts for all of them.
        """
        if self.strict:
            detail = f"{reason} ({field})" if field else reason
            raise LoadError(detail, path=file, line=line)
        skipped = self.report.skipped
        if len(skipped) >= limits.MAX_SKIPPED and len(skipped) > 9 * self.usable:
            raise LoadError(
                f"more than {limits.MAX_SKIPPED:,} records are unusable, and fewer than one "
                "in ten usable: not a file of papers (trends.load.limits.MAX_SKIPPED); the "
                f"first: {skipped[0]}",
                path=file,
                line=line,
            )
        skipped.append(Skip(file, line, reason, field, last_line))

    def warn(self, file: str, line: int | None, reason: str, field: str | None = None) -> None:
        """Record a problem that did not cost the record (an unreadable date, say).

        Past `trends.load.limits.MAX_WARNINGS` warnings, they are only counted.
        """
        if len(self.report.warnings) >= limits.MAX_WARNINGS:
            self.report.warnings_not_listed += 1
            return
        self.report.warnings.append(Skip(file, line, reason, field))

    def warn_each(self, file: str, lines, reason: str, field: str | None = None) -> None:
        """`warn` once for each of ``lines``; past the limit only counted, in one step."""
        room = max(0, limits.MAX_WARNINGS - len(self.report.warnings))
        for line in lines[:room]:
            self.report.warnings.append(Skip(file, line, reason, field))
        self.report.warnings_not_listed += max(0, len(lines) - room)

    def missing(self, field: str, times: int = 1) -> None:
        """Count a value that was present but unusable, and is treated as missing."""
        counts = self.report.missing_values
        counts[field] = counts.get(field, 0) + times

    def mark(self) -> tuple[int, int, int]:
        """Where the report's lists stand now: `replay_copies` orders what comes after."""
        report = self.report
        return len(report.skipped), len(report.warnings), report.warnings_not_listed

    def replay_copies(self, file: str, replays: list[tuple[Tape, list[int]]], mark) -> None:
        """Tell what each `Tape` was told again for its copies, in line order.

        ``mark`` is `mark` before the file was read. The file's skips and warnings are
        then in line order, as if every copy had been read at its line (a copy's come
        after the rows before it, not after the row it copies), and past
        `trends.load.limits.MAX_WARNINGS` the same ones are listed.
        """
        report = self.report
        skips, listed, not_listed = mark
        read = len(report.skipped)
        for tape, lines in replays:
            tape.replay(file, lines)
        copied = sorted(report.skipped[read:], key=lambda s: s.line)
        report.skipped[skips:] = _in_line_order(report.skipped[skips:read], iter(copied))
        own = report.warnings[listed:]
        del report.warnings[listed:]
        dropped = report.warnings_not_listed - not_listed
        report.warnings_not_listed = not_listed
        streams, total = [], 0
        for tape, lines in replays:
            for kind, reason, name in tape.events:
                if kind == "warn":
                    streams.append(at_lines(file, lines, reason, name))
                    total += len(lines)
        self.warn_in_order(own, dropped, streams, total)

    def warn_in_order(self, own: list[Skip], dropped: int, streams: list, total: int) -> None:
        """List warnings of one file in line order, up to `trends.load.limits.MAX_WARNINGS`.

        ``own`` are warnings in the order they were told (their lines ascending), followed
        by ``dropped`` more only counted; ``streams`` are iterables of warnings, each in
        line order, ``total`` of them in all: each is put before the first of ``own`` with
        a later line.
        """
        room = max(0, limits.MAX_WARNINGS - len(self.report.warnings))
        merged = heapq.merge(*streams, key=lambda s: s.line)
        shown = list(islice(_in_line_order(own, merged), room))
        self.report.warnings.extend(shown)
        self.report.warnings_not_listed += len(own) + dropped + total - len(shown)


class Tape:
    """A `Recorder` for one record that keeps what it was told, to tell it again for copies.

    A table's row equal in every column to an earlier one (`trends.load.readers.records
    .table_rows`) is not read again: what reading the first cost (a skip, a warning, a
    missing value) is what each copy costs, at the copy's own line (`replay`).
    """

    def __init__(self, rec: Recorder):
        self.rec = rec
        self.events: list[tuple[str, str | None, str | None]] = []

    def skip(self, file, line, reason, field=None, *, last_line=None) -> None:
        """`Recorder.skip`, kept for `replay`."""
        self.rec.skip(file, line, reason, field, last_line=last_line)
        self.events.append(("skip", reason, field))

    def warn(self, file, line, reason, field=None) -> None:
        """`Recorder.warn`, kept for `replay`."""
        self.rec.warn(file, line, reason, field)
        self.events.append(("warn", reason, field))

    def missing(self, field: str, times: int = 1) -> None:
        """`Recorder.missing`, kept for `replay`."""
        self.rec.missing(field, times)
        self.events.append(("missing", None, field))

    def replay(self, file: str, lines: list[int]) -> None:
        """Tell the recorder again its skips and missing values, for each copy at ``lines``.

        Its warnings are told by `Recorder.replay_copies`, in line order.
        """
        for kind, reason, name in self.events:
            if kind == "missing":
                self.rec.missing(name, len(lines))
            elif kind == "skip":
                for line in lines:
                    self.rec.skip(file, line, reason, name)


def at_lines(file: str, lines, reason: str, field: str | None) -> Iterator[Skip]:
    """One warning (or skip) for each of ``lines``, made as they are asked for."""
    for line in lines:
        yield Skip(file, line, reason, field)


def _in_line_order(own, copies):
    """``own`` (in the order told) with ``copies`` (in line order) put among them.

    A copy comes before the first of ``own`` with a later line; one of ``own`` without a
    line keeps its place.
    """
    pending = next(copies, None)
    for item in own:
        if item.line is not None:
            while pending is not None and pending.line < item.line:
                yield pending
                pending = next(copies, None)
        yield item
    if pending is not None:
        yield pending
        yield from copies


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[str]):
        super().__init__(logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            self.sink.append(record.getMessage().strip())


@contextmanager
def captured_messages(*loggers: str, python_warnings: bool = False):
    """Collect what third-party parsers log or warn, instead of printing it to the terminal.

    Parsers such as pylatexenc and bibtexparser report malformed input through `logging`
    (which prints to stderr when the application configured nothing) or `warnings`. Inside
    this block their messages land in the yielded list, so that the caller can count them
    in the load report with the file and line they belong to.
    """
    sink: list[str] = []
    handler = _ListHandler(sink)
    saved = []
    for name in loggers:
        logger = logging.getLogger(name)
        saved.append((logger, logger.propagate))
        logger.addHandler(handler)
        logger.propagate = False
    try:
        if python_warnings:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                yield sink
            sink.extend(str(w.message).strip() for w in caught)
        else:
            yield sink
    finally:
        for logger, propagate in saved:
            logger.removeHandler(handler)
            logger.propagate = propagate
