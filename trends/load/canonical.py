"""Map raw records of any reader onto the canonical columns."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

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
ALIASES: dict[str, tuple[str, ...]] = {
    "doc_id": ("doc_id", "id", "arxiv_id", "arxivid", "paper_id", "eprint", "doi"),
    "title": ("title", "paper_title", "headline"),
    "abstract": ("abstract", "summary", "text", "abstract_text", "body", "content", "description"),
    "published": (
        "published",
        "date",
        "published_date",
        "publication_date",
        "pub_date",
        "submitted",
        "created",
        "updated",
        "year",
    ),
    "categories": ("categories", "category", "primary_category", "subjects", "tags"),
    "authors": ("authors", "author", "creators"),
    "url": ("url", "abs", "link", "abs_url", "html_url", "pdf_url", "pdf"),
}
_FILE_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


@dataclass(frozen=True)
class ColumnMap:
    """Which raw column feeds each canonical column, for one set of raw keys."""

    used: dict[str, str]
    extras: tuple[str, ...]

    @classmethod
    def build(cls, keys: list[str], columns: dict[str, str] | None, path: str) -> ColumnMap:
        """Resolve the user's ``columns`` mapping, then the usual names, case-insensitively."""
        columns = dict(columns or {})
        unknown = set(columns) - set(ALIASES)
        if unknown:
            raise LoadError(
                f"columns= names {sorted(unknown)}, which are not canonical columns "
                f"(those are {', '.join(ALIASES)})",
                path=path,
            )
        lower = {k.lower().strip(): k for k in keys if isinstance(k, str)}
        used: dict[str, str] = {}
        for canonical, given in columns.items():
            if given not in keys and given.lower() not in lower:
                raise LoadError(
                    f"columns= maps {canonical!r} to {given!r}, but there is no such column "
                    f"(columns are: {', '.join(map(str, keys))})",
                    path=path,
                )
            used[canonical] = given if given in keys else lower[given.lower()]
        taken = set(used.values())
        for canonical, names in ALIASES.items():
            if canonical in used:
                continue
            for name in names:
                if name in lower and lower[name] not in taken:
                    used[canonical] = lower[name]
                    taken.add(lower[name])
                    break
        extras = tuple(k for k in keys if k not in taken and not str(k).startswith("_"))
        return cls(used, extras)


def _scalar(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _as_list(value, kind: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, float) and math.isnan(value):
        return []
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        items = value.tolist() if hasattr(value, "tolist") else value
        out = []
        for item in items:
            if isinstance(item, dict):
                item = item.get("name") or item.get("term") or ""
            if str(item).strip():
                out.append(clean_text(str(item)))
        return out
    text = str(value).strip()
    if not text:
        return []
    if ";" in text:
        parts = text.split(";")
    elif kind == "authors" and " and " in text:
        parts = re.split(r",?\s+and\s+", text)
    elif "," in text:
        parts = text.split(",")
    elif kind == "categories" and " " in text:
        parts = text.split()
    else:
        parts = [text]
    return [clean_text(p) for p in parts if p.strip()]


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


def canonical_record(
    raw: dict, cmap: ColumnMap, *, path: str, line: int | None, rec: Recorder, default_date
) -> dict | None:
    """The canonical fields of one record, or None (and a recorded skip) when unusable."""
    where_line = line if line is not None else raw.get("_record")
    get = {c: raw.get(k) for c, k in cmap.used.items()}
    title = clean_text(_scalar(get.get("title")) or "")
    abstract = clean_text(_scalar(get.get("abstract")) or "")
    if not abstract:
        rec.skip(path, where_line, "record has no abstract", cmap.used.get("abstract", "abstract"))
        return None
    if "title" not in cmap.used:
        # A table with text but no titles: the first sentence stands in for one.
        title = _SENTENCE_END.split(abstract, 1)[0][:120]
    if not title:
        rec.skip(path, where_line, "record has no title", cmap.used.get("title", "title"))
        return None
    if abstract.startswith(title) and len(abstract) > len(title):
        abstract = abstract[len(title) :].lstrip(" .:-\u2013\u2014") or abstract
    published = _scalar(get.get("published")) or default_date
    categories = _as_list(get.get("categories"), "categories")
    doc_id = doc_id_of(_scalar(get.get("doc_id")))
    url = _scalar(get.get("url"))
    if url is None and doc_id and arxiv_id(doc_id):
        url = f"https://arxiv.org/abs/{doc_id}"
    out = {
        "doc_id": doc_id,
        "title": title,
        "abstract": abstract,
        "published": published,
        "categories": categories,
        "authors": _as_list(get.get("authors"), "authors"),
        "url": url,
        "source": path,
        "_line": where_line,
        "_date_field": cmap.used.get("published", "published"),
    }
    for key in cmap.extras:
        value = raw.get(key)
        if isinstance(value, Decimal):
            value = float(value)
        name = f"original_{key}" if key in CANONICAL else key
        out[name] = value
    return out
