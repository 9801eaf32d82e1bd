r"""Small pure functions that turn scraped, wrapped, marked-up text into plain text.

What normalisation (`clean_text`, applied to every title and abstract) does to markup:

1. Unicode NFC; hard line wraps undone; every run of whitespace (line and paragraph
   separators included) becomes one space; control characters (a NUL) are dropped.
2. HTML, JATS and MathML: comments, and the elements that carry code or embedded content
   (``script, style, iframe, object, embed, noscript, template, svg``) are removed with
   their content. Tags of the formatting vocabularies (``<i>``, ``<sub>``, ``<p>``,
   ``<jats:italic>``, ``<mi>``...), lone tags of those active elements, and any tag that
   carries an event handler or a link attribute (``<x onclick=...>``, ``<a href=...>``)
   are removed, their text kept. Anything else that merely looks like a tag is text and
   stays as it is: ``<think>``, ``<unk>``, ``List<T>``, ``a<b``.
3. Character references are decoded (``&eacute;`` -> ``é``, ``R&amp;D`` -> ``R&D``,
   ``p &lt; 0.05`` -> ``p < 0.05``), except where decoding would create a tag that the
   text did not already hold: ``&lt;script&gt;`` stays ``&lt;script&gt;``. The same rule
   covers LaTeX (``$<$b$>$``): no step turns escaped text into markup.
4. LaTeX becomes text: ``$\mathcal{O}(n)$`` -> ``O(n)``, ``\emph{x}`` -> ``x``, citations
   and labels dropped. Markup the LaTeX parser cannot read loses its commands (its words
   stay) and is reported through `collect_notes`, never printed. Escaped dollars are
   dollars (``\$48-\$74`` -> ``$48-$74``, a price range, not math).

Normalising twice changes nothing (`clean_text` runs until its text is a fixed point): the
canonical table written out and loaded again gives the same text, and so the same
embeddings.

The result is plain text, not HTML: escape it wherever it is shown as HTML (the report
does).
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from . import limits
from .errors import captured_messages

__all__ = [
    "arxiv_id",
    "clean_text",
    "collect_notes",
    "latex_to_text",
    "make_text",
    "nfc",
    "strip_chrome",
    "strip_html",
    "title_doc_id",
    "title_key",
    "unwrap",
]

_NON_ALNUM = re.compile(r"[\W_]+")
_HTML_TAG = re.compile(
    r"</?(?:[a-z]+:)?(?:p|br|hr|i|b|u|em|strong|sub|sup|span|div|a|font|small|big|tt|code|pre|"
    r"ul|ol|li|h[1-6]|abstract|title|sec|italic|bold|math|mi|mo|mn|mrow|msub|msup|mfrac|"
    r"inline-formula|img|table|tr|td|th|tbody|thead|blockquote|section|article|header|footer|"
    # active or embedding elements, when they appear as lone tags
    r"script|style|iframe|frame|frameset|object|embed|applet|noscript|template|svg|link|meta|"
    r"base|form|input|button|textarea|select|option|video|audio|source|canvas|html|head|body)"
    r"\b[^<>]*/?>",
    re.IGNORECASE,
)
# Elements dropped with their content (`_drop_elements`): the opening tag, then the first
# closing tag of the same name.
_HTML_DROP = re.compile(
    r"<(script|style|iframe|object|embed|noscript|template|svg)\b[^<>]*>", re.IGNORECASE
)
_HTML_CLOSE = {
    name: re.compile(rf"</{name}\s*>", re.IGNORECASE)
    for name in ("script", "style", "iframe", "object", "embed", "noscript", "template", "svg")
}
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
# A tag of any name that carries an event handler or a link: markup, whatever its name.
_ACTIVE_TAG = re.compile(
    r"</?([A-Za-z][\w:.-]*)\s[^<>]*?\b(?:on[a-z]+|href|src|srcdoc|action|formaction|style|"
    r"xlink:href|data)\s*=[^<>]*>",
    re.IGNORECASE,
)
# What a browser would start a tag (or comment) at: `<` then a letter, `/`, `!` or `?`.
_TAG_LIKE = re.compile(r"<(!--|[/!?]?[A-Za-z][\w:.-]*)([^<>]*)(>?)")
_MATH_DOLLARS = re.compile(r"\$([^$\n]{1,200}?)\$")
_MATHY = re.compile(r"^\S+$|[\\^_{}=]")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:)])")
_OPEN_PAREN_SPACE = re.compile(r"\(\s+")
# Hyphenated words broken at a hard line wrap ("hard-\nware") keep their hyphen:
# in abstracts the hyphen is usually real ("data-\ndriven").
# (The look-behind comes after the literal "-", so that the search can skip to each "-".)
_WRAP_HYPHEN = re.compile(r"-(?<=\w-)[ \t]*\r?\n[ \t]*(?=\w)")
_NEEDS_WORK = re.compile(r"[<&\\$\s]{2}|[<&\\$\x00-\x08\x0e-\x1f\x7f]|[^\S ]")
# Control characters other than whitespace (a NUL from a damaged export): not text.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
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

_NOTES: ContextVar[list[str] | None] = ContextVar("trends_markup_notes", default=None)


@contextmanager
def collect_notes():
    """Collect what normalisation had to say (LaTeX it could not read) inside this block.

    Yields
    ------
    list of str
        Filled with one message per problem met by `clean_text` while the block runs;
        outside such a block the messages are dropped, never printed.
    """
    notes: list[str] = []
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)


def _note(message: str) -> None:
    sink = _NOTES.get()
    if sink is not None:
        sink.append(message)


def nfc(text: str) -> str:
    """Unicode NFC: composed characters, so equal-looking strings compare equal."""
    return unicodedata.normalize("NFC", text)


def unwrap(text: str) -> str:
    """Undo hard line wraps and collapse every run of whitespace to one space."""
    if "-" in text and "\n" in text:
        text = _WRAP_HYPHEN.sub("-", text)
    # str.split() splits at exactly the characters `\s` matches, several times faster.
    return " ".join(text.split())


def _remove_tags(text: str) -> str:
    text = _HTML_COMMENT.sub(" ", text)
    text = _drop_elements(text)
    names: set[str] = set()

    def active(m: re.Match) -> str:
        names.add(m.group(1).lower())
        return " "

    text = _ACTIVE_TAG.sub(active, text)
    if names:
        # The closing tags of an element whose opening tag was markup are markup too
        # (`<x onclick=1>bad</x>` is "bad", not "bad</x>").
        close = "|".join(re.escape(n) for n in sorted(names))
        text = re.sub(rf"</(?:{close})\s*>", " ", text, flags=re.IGNORECASE)
    return _HTML_TAG.sub(" ", text)


def _drop_elements(text: str) -> str:
    """Each `_HTML_DROP` element, from its opening tag to its closing one, as one space.

    An opening tag without a closing one stays (and goes later as a tag): once a name has
    no closing tag after some point it has none after any later one, so the text is
    scanned a bounded number of times, not once per opening tag (19,000 unclosed
    ``<svg>`` took 7 s with a single regular expression).
    """
    parts, pos, unclosed = [], 0, set()
    while (m := _HTML_DROP.search(text, pos)) is not None:
        name = m.group(1).lower()
        close = None if name in unclosed else _HTML_CLOSE[name].search(text, m.end())
        if close is None:
            unclosed.add(name)
            parts.append(text[pos : m.end()])
            pos = m.end()
            continue
        parts.append(text[pos : m.start()])
        parts.append(" ")
        pos = close.end()
    if not parts:
        return text
    parts.append(text[pos:])
    return "".join(parts)


def _tag_names(text: str) -> set[str]:
    return {m.group(1).casefold() for m in _TAG_LIKE.finditer(text)} if "<" in text else set()


def _escape_new_tags(text: str, present: set[str]) -> str:
    """Escape again every tag-like ``<name...>`` whose name the source text did not hold."""
    if "<" not in text:
        return text

    def fix(m: re.Match) -> str:
        if m.group(1).casefold() in present:
            return m.group(0)
        return "&lt;" + m.group(1) + m.group(2) + ("&gt;" if m.group(3) else "")

    return _TAG_LIKE.sub(fix, text)


def strip_html(text: str) -> str:
    """Remove HTML/JATS/MathML markup and decode entities, without creating any tag.

    See the module docstring for exactly what is removed and what stays.
    """
    if "<" in text:
        text = _remove_tags(text)
    if "&" in text:
        present = _tag_names(text)
        text = _escape_new_tags(html.unescape(text), present)
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
            "texttt",
            "textup",
            "mbox",
            "url",
        )
    ]
    drop = [
        latex2text.MacroTextSpec(name, simplify_repl="")
        for name in ("cite", "citep", "citet", "citealp", "ref", "eqref", "label", "footnote")
    ]
    # \href{url}{text}: the text a reader sees (pylatexenc's own spec fails on it).
    link = [latex2text.MacroTextSpec("href", simplify_repl=_href_text)]
    db.add_context_category("trends", prepend=True, macros=keep + drop + link)
    lw_db = latexwalker.get_default_latex_context_db()
    for name in [spec.macroname for spec in keep + drop]:
        lw_db.add_context_category(
            "trends-" + name,
            prepend=True,
            macros=[macrospec.MacroSpec(name, "{")],
        )
    lw_db.add_context_category(
        "trends-href", prepend=True, macros=[macrospec.MacroSpec("href", "{{")]
    )
    return latex2text.LatexNodes2Text(
        math_mode="text", strict_latex_spaces=False, latex_context=db
    ), lw_db


def _href_text(n, l2tobj) -> str:
    # The link text; the url when the text is missing (``\href{url}`` is common on arXiv).
    args = [a for a in (n.nodeargd.argnlist if n.nodeargd else []) if a is not None]
    return l2tobj.nodelist_to_text([args[-1]]) if args else ""


def _unwrap_math(match: re.Match) -> str:
    inner = match.group(1)
    # A number between two dollars with a digit after the second is a price range
    # ("$48-$74"), not math ("$+$18" and "$<$1M" are math).
    price = inner[:1].isdigit() and match.string[match.end() : match.end() + 1].isdigit()
    return inner if _MATHY.search(inner) and not price else match.group(0)


# Only the marked-up pieces go through the (slow, pure-Python) LaTeX parser. Optional
# arguments are bounded so that a run of unclosed `\x[` costs linear time.
_LATEX_SEGMENT = re.compile(
    r"\$\$(?:[^$\\]|\\.)+\$\$|\$(?:[^$\\]|\\.)+\$"
    # An accent with its letter, braced as BibTeX writes it: {\"o}, {\"{o}}, {\v{S}}.
    r"|\{\\(?:['\"`^~=.]|[a-zA-Z](?![a-zA-Z]))\s*(?:\{\\?[a-zA-Z]\}|\\?[a-zA-Z])\}"
    # An accent with its letter: \"o, \'{e}, \'\i (not the accent alone, then the letter).
    r"|\\['\"`^~=.](?:\{\\?[a-zA-Z]*\}|\\?[a-zA-Z])"
    r"|\\[a-zA-Z]+\*?(?:\s*\[[^\]\n]{0,200}\])?(?:\s*\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\})*"
    r"|\\[^a-zA-Z\s]"
)
_LATEX_COMMAND = re.compile(r"\\[a-zA-Z]+\*?")
_ESCAPED_QUOTES = re.compile(r'(?<![\w\\{])\\"([^"\\\n]{1,200}?)\\"(?![a-zA-Z])')
_LATEX_ESCAPE = re.compile(r"\\([^a-zA-Z\s])")


def latex_to_text(text: str) -> str:
    r"""Turn LaTeX into readable text: ``$\mathcal{O}(n)$`` -> ``O(n)``, ``\emph{x}`` -> ``x``.

    Text without a backslash only loses the dollar signs around short inline math.
    A bare ``%`` or ``&`` (common in abstracts) is kept as text, not read as a comment.
    Past `limits.MAX_LATEX_SEGMENTS` pieces in one text, commands are dropped by a quick
    rule instead of the parser (a hostile text of a hundred thousand commands stays fast).
    """
    if "\\" not in text:
        return _MATH_DOLLARS.sub(_unwrap_math, text) if "$" in text else text
    # \"a phrase\" (quotes escaped once too often, as scraped JSON has them) is quoted,
    # not "ä phrase" with a stray umlaut
    text = _ESCAPED_QUOTES.sub(r'"\1"', text)
    budget = [limits.MAX_LATEX_SEGMENTS]

    def convert(m: re.Match) -> str:
        budget[0] -= 1
        segment = m.group(0)
        return _latex_segment(segment) if budget[0] >= 0 else _latex_fallback(segment)

    return _LATEX_SEGMENT.sub(convert, text).replace("\xa0", " ")


def _latex_fallback(segment: str) -> str:
    """Commands dropped, braces and dollars removed, escaped characters kept: words survive."""
    text = _LATEX_ESCAPE.sub(r"\1", _LATEX_COMMAND.sub(" ", segment))
    return text.replace("{", "").replace("}", "").replace("$", "")


def _latex_segment(segment: str) -> str:
    text, notes = _latex_segment_cached(segment)
    for note in notes:
        _note(note)
    return text


@lru_cache(maxsize=65536)
def _latex_segment_cached(segment: str) -> tuple[str, tuple[str, ...]]:
    if "\\" not in segment:
        return _MATH_DOLLARS.sub(_unwrap_math, segment), ()
    from pylatexenc import latexwalker

    converter, lw_db = _latex_converter()
    escaped = re.sub(r"(?<!\\)([%&#])", r"\\\1", segment)
    # pylatexenc logs what it cannot read (and then often writes "%s/%s" for a \frac with
    # one argument): catch it, keep the words by the quick rule, and report it.
    with captured_messages("pylatexenc") as messages:
        try:
            walker = latexwalker.LatexWalker(escaped, latex_context=lw_db, tolerant_parsing=True)
            nodes, _, _ = walker.get_latex_nodes()
            text = converter.nodelist_to_text(nodes)
        except Exception as exc:  # malformed markup: keep the text readable rather than lose it
            messages.append(f"{type(exc).__name__}: {exc}")
    if messages:
        shown = segment if len(segment) <= 60 else segment[:57] + "..."
        reason = "; ".join(dict.fromkeys(m.replace("\n", " ")[:120] for m in messages))
        return _latex_fallback(segment), (f"LaTeX not understood in `{shown}` ({reason})",)
    return text, ()


def line_break(text: str) -> str:
    """The line break of ``text``: a carriage return in a file with no line feed (old Mac)."""
    return "\r" if "\n" not in text and "\r" in text else "\n"


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
    """Full normalisation of a title or abstract: NFC, HTML, LaTeX, whitespace.

    See the module docstring for what happens to markup; escaped text never becomes a tag.
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    # A fixed point: what the loader writes loads again unchanged (an escaped "\$p\$"
    # becomes "$p$" in one pass and "p" in the next, so the passes go on until nothing
    # changes; one or two in practice).
    for _ in range(4):
        cleaned = _clean_once(text)
        if cleaned == text:
            break
        text = cleaned
    return cleaned


def _clean_once(text: str) -> str:
    text = nfc(text)
    if not _NEEDS_WORK.search(text):
        return text.strip()
    text = _CONTROL.sub("", text)
    if "<" in text:
        text = _remove_tags(text)
    # Entities and LaTeX can both spell a "<": remember which tag names the text really
    # holds, so that decoding cannot add one.
    present = _tag_names(text) if ("&" in text or "\\" in text or "$" in text) else None
    if "&" in text:
        text = html.unescape(text)
    text = unwrap(text)
    if "\\" in text or "$" in text:
        text = latex_to_text(text)
        text = _OPEN_PAREN_SPACE.sub("(", _SPACE_BEFORE_PUNCT.sub(r"\1", unwrap(text)))
    if present is not None:
        text = _escape_new_tags(text, present)
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
    # `[\W_]` is exactly "not str.isalnum()", in C.
    return _NON_ALNUM.sub("", unicodedata.normalize("NFKD", title).casefold())


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
