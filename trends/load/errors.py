"""What went wrong while loading, and the counts of what was kept."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..errors import TrendsError


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

    def __str__(self) -> str:
        where = self.file + (f", line {self.line}" if self.line is not None else "")
        what = f" ({self.field})" if self.field else ""
        return f"{where}: {self.reason}{what}"


@dataclass
class LoadReport:
    """Counts of one `trends.load` call: ``read == kept + duplicates + len(skipped)``."""

    read: int = 0
    kept: int = 0
    duplicates: int = 0
    skipped: list[Skip] = field(default_factory=list)
    id_conflicts: int = 0
    encodings: dict[str, str] = field(default_factory=dict)
    warnings: list[Skip] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Plain-data copy, as stored in ``df.attrs["load_report"]``."""
        out = asdict(self)
        out["skipped"] = [asdict(s) for s in self.skipped]
        out["warnings"] = [asdict(s) for s in self.warnings]
        return out


class Recorder:
    """Collects row-level problems; raises at the first one when strict."""

    def __init__(self, report: LoadReport, *, strict: bool):
        self.report = report
        self.strict = strict

    def skip(self, file: str, line: int | None, reason: str, field: str | None = None) -> None:
        """Record a skipped record (or raise `LoadError` when strict)."""
        if self.strict:
            detail = f"{reason} ({field})" if field else reason
            raise LoadError(detail, path=file, line=line)
        self.report.skipped.append(Skip(file, line, reason, field))

    def warn(self, file: str, line: int | None, reason: str, field: str | None = None) -> None:
        """Record a problem that did not cost the record (an unreadable date, say)."""
        self.report.warnings.append(Skip(file, line, reason, field))
