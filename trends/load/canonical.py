"""Map raw records of any reader onto the canonical columns."""

from __future__ import annotations

import datetime as _dt
import math
import numbers
import re
from dataclasses import dataclass
from decimal import Decimal

from . import limits
from .errors import LoadError, Recorder
from .normalise import arxiv_id, clean_text

CANONICAL = [
    "doc_id",
    "title",
    "abstract",
    "text",
    "published",
    "categories",
    "authors",
    "url",
    "source",
]
# Usual column names, best first. Only the first present one feeds the canonical column.
# The two-letter ones are Web of Science's field tags (its tab-delimited export).
ALIASES: dict[str, tuple[str, ...]] = {
    "doc_id": ("doc_id", "id", "arxiv_id", "arxivid", "paper_id", "eprint", "doi", "di", "ut"),
    "title": ("title", "paper_title", "article_title", "document_title", "headline", "ti"),
    "abstract": (
        "abstract",
        "summary",
        "text",
        "abstract_text",
        "abstract_note",
        "body",
        "content",
        "description",
        "ab",
    ),
    "published": (
        "published",
        "date",
        "published_date",
        "publication_date",
        "pub_date",
        "submitted",
        "created",
        "updated",
        "update_date",
        "year",
        "publication_year",
        "py",
        "issued",
    ),
    "categories": ("categories", "category", "primary_category", "subjects", "tags", "wc"),
    "authors": ("authors", "author", "creators", "af", "au"),
    "url": ("url", "abs", "link", "abs_url", "html_url", "pdf_url", "pdf"),
}
_FILE_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
# Strings that spreadsheets, pandas and databases write for "no value" (pandas' own list,
# compared case-insensitively, plus a few more); never a title or an abstract.
_NA_STRINGS = frozenset(
    s.casefold()
    for s in (
        "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "1.#IND", "1.#QNAN",
        "<NA>", "N/A", "NA", "NULL", "NaN", "None", "nil", "undefined", "Infinity",
        "-Infinity", "inf", "-inf",
    )
)  # fmt: skip
_NA_MAX_LEN = max(map(len, _NA_STRINGS))
# What databases write in the abstract field of a paper that has none (Scopus, PubMed).
_NO_ABSTRACT = re.compile(
    r"[\[(]?\s*(?:no|without)\s+abstract(?:\s+(?:is\s+)?(?:available|provided))?\s*[.\])]?",
    re.IGNORECASE,
)
# An abstract shorter than this is kept, with a warning: it is more likely junk than prose.
NEAR_EMPTY_CHARS = 10


def _snake(name: str) -> str:
    """A column name as a lower-case, underscored key: "Publication Year" -> publication_year."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    return re.sub(r"[\s\-.]+", "_", name.lower())


@dataclass(frozen=True)
class ColumnMap:
    """Which raw column feeds each canonical column, for one set of raw keys."""

    used: dict[str, str]
    extras: tuple[str, ...]

    @classmethod
    def build(
        cls, keys: list[str], columns: dict[str, str] | None, path: str, *, partial: bool = False
    ) -> ColumnMap:
        """Resolve the user's ``columns`` mapping, then the usual names, case-insensitively.

        With ``partial`` (records of a stream, whose keys vary), a mapped column absent
        from these keys is left out instead of refused; the caller checks the whole file.
        """
        columns = dict(columns or {})
        unknown = set(columns) - set(ALIASES)
        if unknown:
            raise LoadError(
                f"columns= names {sorted(unknown)}, which are not canonical columns "
                f"(those are {', '.join(ALIASES)})",
                path=path,
            )
        lower = {k.lower().strip(): k for k in keys if isinstance(k, str)}
        for k in keys:  # "Abstract Note", "publicationDate": as abstract_note, publication_date
            if isinstance(k, str):
                lower.setdefault(_snake(k), k)
        used: dict[str, str] = {}
        for canonical, given in columns.items():
            if given not in keys and given.lower() not in lower:
                if partial:
                    continue
                raise LoadError(
                    f"columns= maps {canonical!r} to {given!r}, but there is no such column "
                    f"(columns are: {', '.join(map(str, keys))})",
                    path=path,
                )
            used[canonical] = given if given in keys else lower[given.lower()]
        taken = set(used.values())
        # Web of Science's export: its "ID" is Keywords Plus, not an id (UT is)
        wos = {"pt", "ti", "ut"} <= set(lower)
        for canonical, names in ALIASES.items():
            if canonical in used:
                continue
            if wos and canonical == "doc_id":
                names = ("ut", "di")
            for name in names:
                if name in lower and lower[name] not in taken:
                    used[canonical] = lower[name]
                    taken.add(lower[name])
                    break
        extras = tuple(k for k in keys if k not in taken and not str(k).startswith("_"))
        return cls(used, extras)


def _text_value(value) -> tuple[str | None, str | None]:
    """A title or abstract as ``(text, None)``.

    ``(None, None)`` when absent, ``(None, why)`` when a value is there but is not text
    (it then counts as missing).
    """
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None, None
        if len(text) <= _NA_MAX_LEN and text.casefold() in _NA_STRINGS:
            return None, f"{text!r} is a missing-value marker"
        return text, None
    if _is_null(value):
        return None, None
    return None, f"a {_kind(value)} is not text"


def _scalar(value) -> tuple[str | None, str | None]:
    """An id, date or url as text (numbers spelled exactly), like `_text_value`."""
    if isinstance(value, str):
        text, why = _text_value(value)
        if text is not None and len(text) > limits.MAX_VALUE_CHARS:
            return None, f"longer than {limits.MAX_VALUE_CHARS:,} characters"
        return text, why
    if _is_null(value):
        return None, None
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return None, f"a {_kind(value)} is not text"
    if isinstance(value, Decimal):
        # JSON numbers arrive as Decimal; `1e2000000000` must not be spelled out.
        if not value.is_finite() or abs(value.adjusted()) > limits.MAX_NUMBER_DIGITS:
            return None, f"the number {str(value)[:40]} is out of range"
        if len(value.as_tuple().digits) > limits.MAX_NUMBER_DIGITS:
            return None, "the number has too many digits"
        return format(value, "f"), None
    if isinstance(value, numbers.Integral):
        if abs(int(value)) >= 10**limits.MAX_NUMBER_DIGITS:
            return None, "the number has too many digits"
        return str(int(value)), None
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) >= 10.0**limits.MAX_NUMBER_DIGITS:
            return None, f"the number {value!r} is out of range"
        return (str(int(value)) if value.is_integer() else repr(value)), None
    if isinstance(value, (_dt.date, _dt.datetime)) or hasattr(value, "isoformat"):
        return str(value), None
    return None, f"a {_kind(value)} is not text"


def _is_null(value) -> bool:
    """The source's own "no value": None, NaN, pandas' NA and NaT."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in {"NAType", "NaTType"}


def _kind(value) -> str:
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        return "list"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "bytes value"
    if isinstance(value, (numbers.Number, Decimal)):
        return "number"
    return type(value).__name__


# Han, kana and hangul: personal names written without a space between their parts.
_UNSPACED_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def _csl_name(item: dict) -> str | None:
    """A CSL JSON author (Zotero's export): ``{"family": "Doe", "given": "Jane"}``."""
    if item.get("literal"):
        return item["literal"]
    parts = [item.get("given"), item.get("family")]
    return " ".join(str(p) for p in parts if p) or None


def _csl_date(value):
    """A CSL JSON date, ``{"date-parts": [[2020, 5, 1]]}``, as ``"2020-05-01"``."""
    if not isinstance(value, dict):
        return value
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        numbers = []
        for part in parts[0][:3]:  # year, month, day: as many as are plain numbers
            text = str(part).strip()
            if not (text.isdigit() and len(text) <= 4):  # not 10**5000 (a Decimal) either
                break
            numbers.append(int(text))
        if numbers:
            return "-".join(f"{n:02d}" if k else str(n) for k, n in enumerate(numbers))
    return value.get("raw") or value.get("literal") or value


def _names_list(text: str) -> bool:
    """Whether commas in ``text`` separate full names ("Ann Lee, Bo Chen"), not "Doe, Jane".

    Names in scripts written without spaces (张三, 李四) are full names on their own.
    """
    pieces = text.split(",")
    return len(pieces) > 1 and all(
        len(p.split()) >= 2 or _UNSPACED_SCRIPT.search(p) for p in pieces
    )


def _as_list(value, kind: str) -> list[str]:
    """Categories or authors as a list of names.

    From a list (of names, or of objects with a ``name``/``term``) or from one string
    split at ``;``, `` and `` (authors), ``,`` or spaces (categories). An author string
    with one comma between single words is one name in "Last, First" form.
    """
    if isinstance(value, (list, tuple)) or (
        hasattr(value, "tolist") and not isinstance(value, str)
    ):
        items = value.tolist() if hasattr(value, "tolist") else value
        if not isinstance(items, list):
            items = [items]
        out = []
        for item in items:
            if isinstance(item, dict):
                item = item.get("name") or item.get("term") or _csl_name(item)
            text, _ = _text_value(item) if isinstance(item, str) else _scalar(item)
            if text and len(text) <= limits.MAX_VALUE_CHARS:
                out.append(clean_text(text))
        return out
    text, _ = _text_value(value)
    if not text:
        return []
    if ";" in text:
        parts = text.split(";")
    elif kind == "authors" and " and " in text:
        # "Doe, Jane and Smith, John" (BibTeX) keeps its commas; "Ann Lee, Bo Chen and
        # Cy Wu" (arXiv) lists full names between them.
        parts = [
            name
            for part in re.split(r",?\s+and\s+", text)
            for name in (part.split(",") if _names_list(part) else [part])
        ]
    elif kind == "authors" and "," in text:
        # One "Doe, Jane" (Zotero, Web of Science) or several names.
        parts = text.split(",") if text.count(",") > 1 or _names_list(text) else [text]
    elif "," in text:
        parts = text.split(",")
    elif kind == "categories" and " " in text:
        parts = text.split()
    else:
        parts = [text]
    return [clean_text(p) for p in parts if p.strip() and len(p) <= limits.MAX_VALUE_CHARS]


def doc_id_of(raw: str | None) -> str | None:
    """Canonical id: the arXiv id without version, a lower-case DOI, or the value as text."""
    if raw is None:
        return None
    found = arxiv_id(raw)
    if found:
        return found
    doi = _DOI.match(raw)
    if doi:
        return doi.group(1).lower()
    return raw


def is_global_id(doc_id: str) -> bool:
    """True for identifiers that name one paper everywhere (arXiv ids, DOIs)."""
    return arxiv_id(doc_id) is not None or doc_id.startswith("10.")


def file_date(path: str) -> str | None:
    """A ``YYYY-MM-DD`` date in the file's name (daily feeds are named by day)."""
    m = _FILE_DATE.search(path.replace("\\", "/").rsplit("/", 1)[-1])
    return m.group(1) if m else None


def _repeats_title(abstract: str, title: str, raw: str = "") -> bool:
    """Whether ``abstract`` opens with ``title`` as a heading, not as its first words.

    "Deep Topic Models. We propose..." repeats its title; "TextArena is an open-source..."
    (title "TextArena") and "BERTology is..." (title "BERT") do not, and keep their words.
    A heading is on a line of its own in the ``raw`` text (news articles), ends in
    punctuation, or is a whole title of five words or more.
    """
    if not title or len(abstract) <= len(title) or not abstract.startswith(title):
        return False
    rest = abstract[len(title) :]
    if rest[0].isalnum():
        return False  # the title ends inside a word
    first_line, _, after = raw.lstrip().partition("\n")
    if after.strip() and clean_text(first_line) == title:
        return True
    if rest.lstrip(" ")[:1] in (".", ":", "-", "\u2013", "\u2014") or not title[-1].isalnum():
        return True
    return len(title.split()) >= 5


# Half of a UTF-16 surrogate pair on its own: valid in a JSON string (``"\\ud800"``), not
# text; UTF-8 cannot encode it, so it would fail every later step (the table, the cache).
_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(value, depth: int = 0):
    """``value`` with lone surrogates replaced by U+FFFD, and whether any was."""
    if isinstance(value, str):
        if value.isascii() or not _SURROGATE.search(value):
            return value, False
        return _SURROGATE.sub("\ufffd", value), True
    if depth < 8 and isinstance(value, (list, tuple)):
        pairs = [_without_surrogates(v, depth + 1) for v in value]
        if any(changed for _, changed in pairs):
            return [v for v, _ in pairs], True
    elif depth < 8 and isinstance(value, dict):
        pairs = {k: _without_surrogates(v, depth + 1) for k, v in value.items()}
        if any(changed for _, changed in pairs.values()):
            return {k: v for k, (v, _) in pairs.items()}, True
    return value, False


def canonical_record(
    raw: dict, cmap: ColumnMap, *, path: str, line: int | None, rec: Recorder, default_date
) -> dict | None:
    """The canonical fields of one record, or None (and a recorded skip) when unusable.

    A value that is present but unusable (an NA-like string, a list where text belongs, an
    absurd number) is treated as missing and counted in ``missing_values``.
    """
    where_line = line if line is not None else raw.get("_record")
    used = cmap.used
    replaced = []
    for key, value in raw.items():
        if not isinstance(value, (str, list, tuple, dict)):
            continue
        clean, changed = _without_surrogates(value)
        if changed:
            replaced.append((key, clean))
    if replaced:
        raw = {**raw, **dict(replaced)}
        for key, _ in replaced:
            rec.warn(path, where_line, "a lone UTF-16 surrogate, not text: replaced by U+FFFD", key)
    fields = {}
    for name in ("title", "abstract"):
        text, why = _text_value(raw.get(used[name])) if name in used else (None, None)
        if why is not None:
            rec.missing(name)
        elif text is not None and len(text) > limits.MAX_FIELD_CHARS:
            rec.skip(
                path,
                where_line,
                f"{name} is longer than {limits.MAX_FIELD_CHARS:,} characters "
                "(trends.load.limits.MAX_FIELD_CHARS)",
                used[name],
            )
            return None
        fields[name] = (text, why)
    abstract_raw, abstract_why = fields["abstract"]
    abstract = clean_text(abstract_raw) if abstract_raw is not None else ""
    if abstract and _NO_ABSTRACT.fullmatch(abstract):
        abstract, abstract_why = "", f"{abstract!r} stands for none"
    if not abstract:
        detail = f" ({abstract_why})" if abstract_why else ""
        rec.skip(
            path, where_line, f"record has no abstract{detail}", used.get("abstract", "abstract")
        )
        return None
    title_raw, title_why = fields["title"]
    title = clean_text(title_raw) if title_raw is not None else ""
    given = bool(title)
    if not given:
        # No title (no column, or an empty cell): the first sentence stands in for one.
        title = _SENTENCE_END.split(abstract, 1)[0][:120]
        if "title" in used:
            detail = f" ({title_why})" if title_why else ""
            why = f"no title{detail}: the abstract's first sentence stands in"
            rec.warn(path, where_line, why, used["title"])
    if given and _repeats_title(abstract, title, abstract_raw):
        abstract = abstract[len(title) :].lstrip(" .:-\u2013\u2014") or abstract
    if len(abstract) < NEAR_EMPTY_CHARS:
        rec.warn(
            path,
            where_line,
            f"near-empty abstract ({len(abstract)} character{'s' * (len(abstract) != 1)})",
            used["abstract"],
        )
    values = {}
    for name in ("doc_id", "published", "url"):
        given = raw.get(used[name]) if name in used else None
        if name == "published":
            given = _csl_date(given)
        value, why = _scalar(given) if name in used else (None, None)
        if why is not None:
            rec.missing(name)
        values[name] = value
    published = values["published"] or default_date
    doc_id = doc_id_of(values["doc_id"])
    url = values["url"]
    if url is None and doc_id and arxiv_id(doc_id):
        url = f"https://arxiv.org/abs/{doc_id}"
    out = {
        "doc_id": doc_id,
        "title": title,
        "abstract": abstract,
        "published": published,
        "categories": _as_list(
            raw.get(used["categories"]) if "categories" in used else None, "categories"
        ),
        "authors": _as_list(raw.get(used["authors"]) if "authors" in used else None, "authors"),
        "url": url,
        "source": path,
        "_line": where_line,
        "_date_field": used.get("published", "published"),
    }
    for key in cmap.extras:
        value = raw.get(key)
        if isinstance(value, Decimal):
            value = float(value)
        name = f"original_{key}" if key in CANONICAL else key
        if isinstance(name, str) and not name.isascii() and _SURROGATE.search(name):
            name = _SURROGATE.sub("\ufffd", name)
            rec.warn(path, where_line, "a lone UTF-16 surrogate in a field name: replaced", name)
        out[name] = value
    return out
