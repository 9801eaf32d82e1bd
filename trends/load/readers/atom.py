"""arXiv API responses: an Atom ``<feed>`` of ``<entry>`` elements."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from ..errors import LoadError, Recorder

_NS = {"a": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
_ENTRY = re.compile(r"<(?:\w+:)?entry[\s>]")
# Entries in the Atom namespace, and entries outside any namespace (`<entry xmlns="">`)
_ENTRY_TAGS = {"{" + _NS["a"] + "}entry", "entry"}
# XHTML elements that end a line or a paragraph: their words must not run into the next.
_BLOCKS = {
    "address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol",
    "p", "pre", "section", "table", "td", "th", "tr", "ul",
}  # fmt: skip


def _full_text(element) -> str:
    """All the text inside ``element``, child elements' included, in document order.

    ``element.text`` stops at the first child (``Learning <i>fast</i> models`` would give
    ``Learning``). Inline pieces join as written (``H<sub>2</sub>O`` is ``H2O``); a block
    element (an XHTML ``<p>``, ``<div>``, ``<br/>``) is set off by spaces. Iterative, so
    that deep nesting costs no recursion.
    """
    parts: list[str] = []
    stack: list = [element]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        block = item is not element and item.tag.rpartition("}")[2] in _BLOCKS
        if block:
            parts.append(" ")
            stack.append(" ")
        if item.text:
            parts.append(item.text)
        for child in reversed(item):
            if child.tail:
                stack.append(child.tail)
            stack.append(child)
    return "".join(parts)


def _text(node, path: str) -> str | None:
    found = node.find(path, _NS)
    if found is None or (found.text is None and len(found) == 0):
        return None
    return _full_text(found)


def read_atom(path: str, text: str, rec: Recorder) -> Iterator[tuple[int, dict]]:
    """Yield one record per ``<entry>``, in document order; ids lose their version suffix later.

    Entries in the Atom namespace and entries outside any namespace are both read. Text
    fields keep the words of their child elements (``<i>``, an XHTML ``<div>``).
    """
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
    # Atom entries and entries outside any namespace (`<entry xmlns="">`), in document order
    entries = [child for child in root if child.tag in _ENTRY_TAGS]
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
        authors = [(_text(a, f"{ns}name") or "").strip() for a in entry.findall(f"{ns}author", _NS)]
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
