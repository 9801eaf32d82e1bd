"""Small pure functions that turn scraped, wrapped, marked-up text into plain text."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from functools import lru_cache

__all__ = [
    "arxiv_id",
    "clean_text",
    "latex_to_text",
    "make_text",
    "nfc",
    "strip_chrome",
    "strip_html",
    "title_doc_id",
    "title_key",
    "unwrap",
]

_WS = re.compile(r"\s+")
# Hyphenated words broken at a hard line wrap ("hard-\nware") keep their hyphen:
# in abstracts the hyphen is usually real ("data-\ndriven").
_HTML_TAG = re.compile(
    r"</?(?:[a-z]+:)?(?:p|br|hr|i|b|u|em|strong|sub|sup|span|div|a|font|small|big|tt|code|pre|"
    r"ul|ol|li|h[1-6]|abstract|title|sec|italic|bold|math|mi|mo|mn|mrow|msub|msup|mfrac|"
    r"inline-formula|img|table|tr|td|th|tbody|thead|blockquote|section|article|header|footer)"
    r"\b[^<>]*/?>",
    re.IGNORECASE,
)
_HTML_DROP = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_MATH_DOLLARS = re.compile(r"\$([^$\n]{1,200}?)\$")
_MATHY = re.compile(r"^\S+$|[\\^_{}=]")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:)])")
_OPEN_PAREN_SPACE = re.compile(r"\(\s+")
_WRAP_HYPHEN = re.compile(r"(?<=\w)-[ \t]*\r?\n[ \t]*(?=\w)")
_NEEDS_WORK = re.compile(r"[<&\\$\s]{2}|[<&\\$\n\r\t\f\v\xa0]")
_CHROME = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^get trending papers in your email inbox[^\n]*$",
        r"^subscribe$",
        r"^(?:view|read) (?:pdf|paper|more)$",
        r"^upvote$",
        r"^\d+ upvotes?$",
        r"^(?:show|hide) abstract$",
    )
]
_ARXIV_NEW = re.compile(r"^(?:arxiv:)?(\d{4}\.\d{4,5})(?:v\d+)?$", re.IGNORECASE)
_ARXIV_OLD = re.compile(r"^(?:arxiv:)?([a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$", re.IGNORECASE)
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?/?$", re.IGNORECASE)


def nfc(text: str) -> str:
    """Unicode NFC: composed characters, so equal-looking strings compare equal."""
    return unicodedata.normalize("NFC", text)


def unwrap(text: str) -> str:
    """Undo hard line wraps and collapse every run of whitespace to one space."""
    if "-" in text:
        text = _WRAP_HYPHEN.sub("-", text)
    return _WS.sub(" ", text).strip()


def strip_html(text: str) -> str:
    """Remove HTML/JATS/MathML tags (not a bare ``a < b``) and decode entities."""
    if "<" in text:
        text = _HTML_DROP.sub(" ", text)
        text = _HTML_TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return text


@lru_cache(maxsize=1)
def _latex_converter():
    from pylatexenc import latex2text, latexwalker, macrospec

    db = latex2text.get_default_latex_context_db()
    keep = [
        latex2text.MacroTextSpec(name, simplify_repl="%s")
        for name in (
            "mathcal",
            "mathbb",
            "mathrm",
            "mathbf",
            "mathit",
            "mathsf",
            "mathtt",
            "mathfrak",
            "boldsymbol",
            "operatorname",
            "text",
            "textrm",
            "textsc",
            "textsf",
            "textnormal",
            "url",
        )
    ]
    drop = [
        latex2text.MacroTextSpec(name, simplify_repl="")
        for name in ("cite", "citep", "citet", "citealp", "ref", "eqref", "label", "footnote")
    ]
    db.add_context_category("trends", prepend=True, macros=keep + drop)
    lw_db = latexwalker.get_default_latex_context_db()
    for name in [spec.macroname for spec in keep + drop]:
        lw_db.add_context_category(
            "trends-" + name,
            prepend=True,
            macros=[macrospec.MacroSpec(name, "{")],
        )
    return latex2text.LatexNodes2Text(
        math_mode="text", strict_latex_spaces=False, latex_context=db
    ), lw_db


def _unwrap_math(match: re.Match) -> str:
    inner = match.group(1)
    return inner if _MATHY.search(inner) else match.group(0)


# Only the marked-up pieces go through the (slow, pure-Python) LaTeX parser.
_LATEX_SEGMENT = re.compile(
    r"\$\$[^$]+\$\$|\$[^$]+\$"
    r"|\\[a-zA-Z]+\*?(?:\s*\[[^\]]*\])?(?:\s*\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\})*"
    r"|\\[^a-zA-Z\s]"
)


def latex_to_text(text: str) -> str:
    r"""Turn LaTeX into readable text: ``$\mathcal{O}(n)$`` -> ``O(n)``, ``\emph{x}`` -> ``x``.

    Text without a backslash only loses the dollar signs around short inline math.
    A bare ``%`` or ``&`` (common in abstracts) is kept as text, not read as a comment.
    """
    if "\\" not in text:
        return _MATH_DOLLARS.sub(_unwrap_math, text) if "$" in text else text
    return _LATEX_SEGMENT.sub(lambda m: _latex_segment(m.group(0)), text).replace("\xa0", " ")


@lru_cache(maxsize=65536)
def _latex_segment(segment: str) -> str:
    if "\\" not in segment:
        return _MATH_DOLLARS.sub(_unwrap_math, segment)
    from pylatexenc import latexwalker

    converter, lw_db = _latex_converter()
    escaped = re.sub(r"(?<!\\)([%&#])", r"\\\1", segment)
    try:
        walker = latexwalker.LatexWalker(escaped, latex_context=lw_db, tolerant_parsing=True)
        nodes, _, _ = walker.get_latex_nodes()
        return converter.nodelist_to_text(nodes)
    except Exception:  # malformed markup: keep the text readable rather than lose it
        return re.sub(r"\\[a-zA-Z]+\*?", " ", segment).replace("{", "").replace("}", "")


def strip_chrome(lines: list[str]) -> list[str]:
    """Drop page-chrome lines (newsletter prompts, buttons) and a ``Subscribe`` glued to a title."""
    out = []
    for line in lines:
        stripped = line.strip()
        if any(p.match(stripped) for p in _CHROME):
            continue
        if stripped.startswith("Subscribe") and len(stripped) > len("Subscribe"):
            rest = stripped[len("Subscribe") :]
            if rest[:1].isupper() or rest[:1].isdigit():
                stripped = rest
        out.append(stripped)
    return out


def clean_text(text: object) -> str:
    """Full normalisation of a title or abstract: NFC, HTML, LaTeX, whitespace."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    text = nfc(text)
    if not _NEEDS_WORK.search(text):
        return text.strip()
    text = strip_html(text)
    text = unwrap(text)
    if "\\" in text or "$" in text:
        text = latex_to_text(text)
        text = _OPEN_PAREN_SPACE.sub("(", _SPACE_BEFORE_PUNCT.sub(r"\1", unwrap(text)))
    return nfc(text)


def make_text(title: str, abstract: str) -> str:
    """What the model reads: the title, a full stop unless it ends in one, then the abstract."""
    if not title:
        return abstract
    if not abstract:
        return title
    sep = " " if title[-1] in ".?!:" else ". "
    return title + sep + abstract


def title_key(title: str) -> str:
    """Case-, punctuation- and whitespace-insensitive key of a title, for de-duplication."""
    folded = unicodedata.normalize("NFKD", title).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def title_doc_id(title: str) -> str:
    """A stable id for a paper that has none: a hash of its normalised title."""
    return "t" + hashlib.sha1(title_key(title).encode("utf-8")).hexdigest()[:12]


def arxiv_id(value: object) -> str | None:
    """The arXiv id without version (``2503.11731v2`` -> ``2503.11731``), or None."""
    if value is None:
        return None
    s = str(value).strip()
    m = _ARXIV_URL.search(s)
    if m:
        s = m.group(1)
    for pattern in (_ARXIV_NEW, _ARXIV_OLD):
        m = pattern.match(s)
        if m:
            return m.group(1)
    return None
