"""BibTeX files as Zotero and Mendeley export them, parsed by bibtexparser."""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterator

from ..errors import LoadError, Recorder, captured_messages

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_BRACES = re.compile(r"[{}]")
# A protecting group such as {GPUs} in a value that also holds LaTeX commands: braces that
# are no command's argument (not right after a command name, ``]`` or ``}``) and hold no
# markup themselves.
_PROTECTED = re.compile(r"(?<![\\a-zA-Z\]}])\{([^{}\\]*)\}")
# A line that starts a field: ``  abstract = {``.
_FIELD_START = re.compile(r"[ \t]*([A-Za-z][\w:.+-]*)[ \t]*=")
# What moves between levels of an entry: braces and quotes (an escaped one, ``\{``, not).
_STRUCTURE = re.compile(r'\\.|@\s*[A-Za-z]+\s*[{(]|[{}()"]')
# Blocks whose lines are not fields of a paper.
_NOT_ENTRIES = {"comment", "preamble", "string"}


def _add_missing_commas(text: str) -> tuple[str, list[tuple[int, str]]]:
    """The text with a comma put back where a field follows a value without one.

    ``title = {A}`` then ``abstract = {B}`` on the next line with no comma between them is
    a common hand-editing slip; the parser would then read ``abstract = {B}`` as part of
    the title (and the record as one without an abstract). A line that starts with
    ``name =`` at the entry's own level (inside its outer braces, outside any value) and
    follows a line that ended a value gets the comma at the end of that line. Returns the
    text and the (line, field) of each repair.
    """
    if "=" not in text:
        return text, []
    lines = text.split("\n")
    depth = 0  # 1 inside an entry (its braces or parentheses), more inside a braced value
    paren = False  # the entry is @type( ... ), closed by a parenthesis
    fields = False  # the block holds fields (not @comment, @preamble or @string)
    quoted = False  # inside a "..." value at the entry's level
    last = None  # index of the last line with content inside an entry
    repairs: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        if depth == 1 and fields and not quoted and last is not None:
            m = _FIELD_START.match(line)
            before = lines[last].rstrip()
            if m and before and before[-1] not in ",{(=#" and not before.lstrip().startswith("@"):
                lines[last] = before + "," + lines[last][len(before) :]
                repairs.append((i + 1, m.group(1).lower()))
        for token in _STRUCTURE.findall(line):
            if token[0] == "@":
                if depth == 0:  # a block starts: @type{ or @type(
                    depth, paren, quoted = 1, token[-1] == "(", False
                    fields = token[1:-1].strip().lower() not in _NOT_ENTRIES
                elif token[-1] == "{":
                    depth += 1
            elif token == "{":
                depth += 1
            elif token == "}":
                depth = max(0, depth - 1)
                if depth == 0:
                    last, quoted = None, False
            elif token == ")" and paren and depth == 1 and not quoted:
                depth, last, paren = 0, None, False
            elif token == '"' and depth == 1:
                quoted = not quoted
        if depth >= 1 and line.strip():
            last = i
    return "\n".join(lines), repairs


_MACRO = re.compile(r"[A-Za-z_][\w:.+/-]*|\d+")


def _concatenated(value: str, macros: dict[str, str]) -> str | None:
    """A value joined with ``#`` (``ab # " that works"``), resolved; None if it is not one.

    bibtexparser leaves such a value as written. Each part is a quoted or braced string,
    a number, an ``@string`` macro or a month macro (``jan``); a name that is none of
    these means the value is plain text with a ``#`` in it ("C# and F#"), left alone.
    """
    parts: list[str] = []
    i, n, joins = 0, len(value), 0
    while True:
        while i < n and value[i].isspace():
            i += 1
        if i == n:
            return None
        if value[i] in '{"':
            close = "}" if value[i] == "{" else '"'
            depth, j = 0, i + 1
            while j < n:
                ch = value[j]
                if ch == "\\":
                    j += 2
                    continue
                if ch == close and depth == 0:
                    break
                depth += (ch == "{") - (ch == "}")
                j += 1
            if j >= n:
                return None
            parts.append(value[i + 1 : j])
            i = j + 1
        else:
            m = _MACRO.match(value, i)
            if m is None:
                return None
            name = m.group(0)
            if name.isdigit():
                parts.append(name)
            elif name.lower() in macros:
                parts.append(macros[name.lower()])
            elif name.lower() in _MONTHS:
                parts.append(calendar.month_name[_MONTHS[name.lower()]])
            else:
                return None
            i = m.end()
        while i < n and value[i].isspace():
            i += 1
        if i == n:
            return "".join(parts) if joins else None
        if value[i] != "#":
            return None
        joins += 1
        i += 1


def _plain(value: str | None) -> str | None:
    if value is None:
        return None
    if "\\" not in value:
        return _BRACES.sub("", value)
    previous = None
    while previous != value:  # {{GPUs}}: one level at a time
        previous, value = value, _PROTECTED.sub(r"\1", value)
    return value


# A biblatex ``date`` of a year, a month and perhaps a day (ranges and others are left to
# the loader's date parser).
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\s*$")


# A month, perhaps with its day ("March~1", "June 15"), perhaps the start of a range
# ("July-August", "Jan.-Feb.", "July/August", "June 15--18"), perhaps with the year
# ("July 2023"): the first month and day.
_WORD = r"([^\W\d_]+)\.?"
_MONTH_DAY = re.compile(
    rf"{_WORD}(?:[~\s]+(\d{{1,2}}))?"
    rf"(?:\s*(?:-{{1,3}}|\u2013|\u2014|/)\s*(?:{_WORD}(?:[~\s]+\d{{1,2}})?|\d{{1,2}}))?"
    r"(?:[,~\s]+\d{4})?"
)


def _month_number(word: str) -> int | None:
    """The month a word names, or None: the English month its first three letters begin.

    So English names and abbreviations ("Sept."), other languages' names that begin like
    them ("Juni", "Mars", "Mayo", "Julho") and misspellings ("Febuary") are read, as they
    always were; a word that begins like no month ("Spring", "Okt") is not.
    """
    word = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return _MONTHS[word[:3]] if len(word) >= 3 and word[:3] in _MONTHS else None


def _month(value: str) -> tuple[int | None, str]:
    """The month a BibTeX ``month`` names, and the day written after it ("March~1"), or "".

    The month is a number 1-12, a macro (``jan``) or a name (``Sept.``, ``Juni``), else
    None. Of a range ("July-August", "June 15--18") the first month and day are read.
    """
    text = value.strip().lower().rstrip(".")
    if text.isdigit():
        return (int(text) if 1 <= int(text) <= 12 else None), ""
    m = _MONTH_DAY.fullmatch(text)
    if m is None:
        return None, ""
    month = _month_number(m.group(1))
    if month is None or (m.group(3) and _month_number(m.group(3)) is None):
        return None, ""
    return month, m.group(2) or ""


def _not_a_day(year: int, month: int, day: str) -> str | None:
    """Why ``day`` is not a day of that month (April has no 31st), or None."""
    last = calendar.monthrange(year, month)[1]
    if day.isdigit() and 1 <= int(day) <= last:
        return None
    return f"{calendar.month_name[month]} {year} has no day {day}"


def _date(fields: dict) -> tuple[str | None, tuple[str, str] | None]:
    """The entry's date as text for the loader, and a warning ``(field, message)`` or None.

    From ``date``, else ``year`` with ``month`` (and ``day``, which some exporters write).
    A month or day that cannot be (``month = {13}``, ``{foo}``, April the 31st) is not
    read as January or the 1st: the date is the year alone, and the warning says so.
    """
    given = fields.get("date")
    if given:
        m = _ISO_DATE.match(given)
        if m:
            year, month, day = m.group(1), int(m.group(2)), m.group(3)
            why = (
                f"{month} is not a month"
                if not 1 <= month <= 12
                else (_not_a_day(int(year), month, day) if day else None)
            )
            if why:
                return f"{year}-01-01", (
                    "date",
                    f"impossible date {given!r} ({why}): read as the year {year} alone",
                )
        return given, None
    year = (fields.get("year") or "").strip()
    if not year:
        for name in ("month", "day"):
            if (fields.get(name) or "").strip():
                through = " (nor through crossref)" if fields.get("crossref") else ""
                return None, (
                    name,
                    f"{name} {fields[name].strip()!r} but no year{through}: no date",
                )
        return None, None
    if not (year.isdigit() and len(year) == 4):
        return year, None  # (year = {0} stays an unreadable date, not 0-01-01)
    month_text = (fields.get("month") or "").strip()
    if not month_text:
        return f"{year}-01-01", None
    month, day = _month(month_text)
    if month is None:
        return f"{year}-01-01", (
            "month",
            f"month {month_text!r} is not a month: read as the year {year} alone",
        )
    day = (fields.get("day") or "").strip() or day
    if not day:
        return f"{year}-{month:02d}-01", None
    why = _not_a_day(int(year), month, day)
    if why:
        return f"{year}-01-01", (
            "day" if fields.get("day") else "month",
            f"impossible day {day!r} ({why}): read as the year {year} alone",
        )
    return f"{year}-{month:02d}-{int(day):02d}", None


# What an entry takes from the entries its ``crossref`` leads to (a paper from its
# proceedings): the date, field by field as biber does (a paper with its own month but no
# year takes the volume's year), and the venue. Not what is the paper's own: its title,
# abstract, authors, DOI, eprint, url or keywords (a volume's DOI would make all its
# papers one paper).
_DATE_PARTS = ("year", "month", "day")


_DATE_START = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?!\d)")


def _date_parts(entry: dict) -> dict:
    """An entry's ``year``, ``month`` and ``day``, from those fields or its ISO ``date``."""
    parts = {name: entry.get(name) for name in _DATE_PARTS}
    m = _DATE_START.match(entry.get("date") or "")
    if m and not parts.get("year"):
        parts["year"] = m.group(1)
        parts["month"] = parts.get("month") or m.group(2)
        parts["day"] = parts.get("day") or m.group(3)
    return parts


def _inherit(key: str, fields: dict, by_key: dict[str, dict]) -> tuple[dict, str | None]:
    """``fields`` with what its ``crossref`` chain gives, and a warning or None.

    A parent's ``booktitle``, else its ``title`` (biber's rule for a proceedings), is the
    venue of a child without one; ``journal`` likewise. ``year``, ``month`` and ``day``
    each come from the nearest entry of the chain that has it (in those fields or in an ISO
    ``date``: a child with its own month takes the year of ``date = {2023-06}``), unless
    the child has a ``date``; a child without any takes a parent's ``date``. The child's
    own fields win, and no entry is changed: a new dict is returned. Chains are followed
    (biber allows them); a chain that loops (a -> b -> a, or a -> a) gives nothing, and one
    that names no entry gives what it found before. Done here because bibtexparser 2 does not
    resolve crossref (its middlewares list it as to do); its version 1 did, but copied
    every field, the abstract and DOI too.
    """
    chain: list[dict] = []
    keys = [key]
    problem = None
    child = fields
    while child.get("crossref"):
        ref = child["crossref"].strip()
        if ref.lower() in (k.lower() for k in keys):
            path = " -> ".join([*keys, ref])
            return dict(fields), f"crossref loop {path}: nothing is inherited through it"
        parent = by_key.get(ref.lower())
        if parent is None:
            problem = f"crossref {ref!r} names no entry of this file: its fields are not inherited"
            break
        chain.append(parent)
        keys.append(ref)
        child = parent
    out = dict(fields)
    if not out.get("date"):
        parts = [_date_parts(p) for p in chain]
        for name in _DATE_PARTS:
            if not out.get(name):
                given = next((p[name] for p in parts if p.get(name)), None)
                if given:
                    out[name] = given
        if not any(out.get(name) for name in _DATE_PARTS):
            given = next((p["date"] for p in chain if p.get("date")), None)
            if given:
                out["date"] = given
    if not out.get("journal") and not out.get("booktitle"):
        for parent in chain:
            venue = parent.get("journal") or parent.get("booktitle") or parent.get("title")
            if venue:
                out["journal" if parent.get("journal") else "booktitle"] = venue
                break
    return out, problem


def read_bibtex(path: str, text: str, rec: Recorder) -> Iterator[tuple[int, dict]]:
    """Yield one record per entry; blocks the parser could not read are recorded skips."""
    import bibtexparser

    text, repairs = _add_missing_commas(text)
    for line, name in repairs:
        rec.warn(path, line, f"no comma before the field {name!r}: read as if there were one")
    # The parser logs and warns about what it cannot read: count that, do not print it.
    with captured_messages("bibtexparser", python_warnings=True) as messages:
        try:
            library = bibtexparser.parse_string(text)
        except Exception as exc:  # the parser's own errors carry no common base class
            raise LoadError(f"not a readable BibTeX file ({str(exc)[:160]})", path=path) from None
    for message in dict.fromkeys(messages):
        rec.warn(path, None, f"BibTeX parser: {message[:200]}")
    if not library.entries and not library.failed_blocks:
        raise LoadError("no BibTeX entry found", path=path)
    from bibtexparser.model import DuplicateBlockKeyBlock, Entry

    entries = list(library.entries)
    for block in library.failed_blocks:
        again = getattr(block, "ignore_error_block", None)
        if isinstance(block, DuplicateBlockKeyBlock) and isinstance(again, Entry):
            # Merged .bib files reuse cite keys for different papers: read both (the
            # loader's own dedupe then drops a true duplicate, and counts it).
            rec.warn(
                path, block.start_line + 1, f"cite key {block.key!r} used again: both entries read"
            )
            from bibtexparser.middlewares import RemoveEnclosingMiddleware

            # The parser stops its own clean-up at such a block: {2020} -> 2020 here.
            entries.append(RemoveEnclosingMiddleware().transform_block(again, library))
            continue
        rec.skip(path, block.start_line + 1, f"unreadable BibTeX entry ({type(block).__name__})")
    macros = {str(m.key).lower(): str(m.value) for m in library.strings}
    read = []
    for entry in sorted(entries, key=lambda e: e.start_line or 0):
        fields = {k.lower(): str(f.value) for k, f in entry.fields_dict.items()}
        lines = {k.lower(): f.start_line + 1 for k, f in entry.fields_dict.items()}
        for name, value in fields.items():
            if "#" in value:
                joined = _concatenated(value, macros)
                fields[name] = value if joined is None else joined
        read.append((entry, fields, lines))
    by_key: dict[str, dict] = {}
    for entry, fields, _ in read:
        by_key.setdefault(str(entry.key).lower(), fields)  # cite keys: case-insensitive
    for entry, fields, lines in read:
        if fields.get("crossref"):
            fields, problem = _inherit(str(entry.key), fields, by_key)
            if problem:
                rec.warn(path, lines.get("crossref", entry.start_line + 1), problem, "crossref")
        eprint = fields.get("eprint")
        if eprint and (fields.get("archiveprefix", "arxiv").lower() != "arxiv"):
            eprint = None
        authors = [a.strip() for a in re.split(r"\s+and\s+", fields.get("author", "")) if a.strip()]
        keywords = [k.strip() for k in re.split(r"[;,]", fields.get("keywords", "")) if k.strip()]
        published, problem = _date(fields)
        if problem is not None:
            name, message = problem
            if name not in lines:
                message += " (the value comes through crossref)"
            rec.warn(path, lines.get(name, entry.start_line + 1), message, name)
        yield (
            entry.start_line + 1,
            {
                "doc_id": eprint or fields.get("doi") or None,
                "title": _plain(fields.get("title")),
                "abstract": _plain(fields.get("abstract")),
                "published": published,
                "categories": keywords,
                "authors": [_plain(a) for a in authors],
                "url": fields.get("url")
                or (f"https://doi.org/{fields['doi']}" if fields.get("doi") else None),
                "bibtex_key": entry.key,
                "entry_type": entry.entry_type,
                "venue": _plain(fields.get("journal") or fields.get("booktitle")),
            },
        )
