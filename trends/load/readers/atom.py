"""arXiv API responses: an Atom ``<feed>`` of ``<entry>`` elements."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from ..errors import LoadError, Recorder

_NS = {"a": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
_ENTRY = re.compile(r"<(?:\w+:)?entry[\s>]")


def _text(node, path: str) -> str | None:
    found = node.find(path, _NS)
    return found.text if found is not None and found.text is not None else None


def read_atom(path: str, text: str, rec: Recorder) -> Iterator[tuple[int, dict]]:
    """Yield one record per ``<entry>``; ids lose their version suffix later."""
    if "<!ENTITY" in text:
        raise LoadError("XML entity declarations are not accepted", path=path)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise LoadError(f"not well-formed XML ({exc})", path=path, line=line) from None
    if root.tag not in {"{" + _NS["a"] + "}feed", "feed"}:
        raise LoadError(f"XML root is <{root.tag}>, expected an Atom <feed>", path=path)
    starts = [text.count("\n", 0, m.start()) + 1 for m in _ENTRY.finditer(text)]
    entries = root.findall("a:entry", _NS) or root.findall("entry")
    for k, entry in enumerate(entries):
        line = starts[k] if k < len(starts) else None
        ns = "a:" if entry.tag.startswith("{") else ""
        categories = [c.get("term") for c in entry.findall(f"{ns}category", _NS) if c.get("term")]
        primary = entry.find("arxiv:primary_category", _NS)
        if primary is not None and primary.get("term"):
            term = primary.get("term")
            categories = [term] + [c for c in categories if c != term]
        url = None
        for link in entry.findall(f"{ns}link", _NS):
            if link.get("rel", "alternate") == "alternate" and link.get("href"):
                url = link.get("href")
                break
        authors = [
            a.findtext(f"{ns}name", default="", namespaces=_NS).strip()
            for a in entry.findall(f"{ns}author", _NS)
        ]
        yield (
            line,
            {
                "doc_id": _text(entry, f"{ns}id"),
                "title": _text(entry, f"{ns}title"),
                "abstract": _text(entry, f"{ns}summary"),
                "published": _text(entry, f"{ns}published") or _text(entry, f"{ns}updated"),
                "categories": categories,
                "authors": [a for a in authors if a],
                "url": url,
                "doi": _text(entry, "arxiv:doi"),
            },
        )
