"""The text of a "trending papers" web page: chrome, then title / abstract line pairs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .. import limits
from ..errors import Recorder
from ..normalise import line_break, strip_chrome

# A title is a line; an abstract is a paragraph. Titles longer than this are not titles.
MAX_TITLE_CHARS = 400
# An abstract is prose: at least this many words, with at least one sentence ending in it.
MIN_ABSTRACT_WORDS = 20
_SENTENCE_END = re.compile(r"[.!?](?:[\"')\]]*)(?:\s|$)")


def abstract_like(line: str) -> bool:
    """True for a line that reads as an abstract: long, and made of sentences."""
    return len(line.split()) >= MIN_ABSTRACT_WORDS and _SENTENCE_END.search(line) is not None


def read_trending(path: str, text: str, rec: Recorder) -> Iterator[tuple[int, dict]]:
    """Yield one record per title line followed by an abstract line.

    A title is a line of at most `MAX_TITLE_CHARS` characters; the line after it pairs with
    it only when it is longer and reads as an abstract (`abstract_like`). Every line that
    does not pair (a title with no abstract after it, a paragraph with no title before it)
    is recorded as a skip, never merged into a neighbour. Lines end at line feeds only
    (not at U+2028 and such), or, in a file with no line feed, at carriage returns (old
    Mac line endings).
    """
    numbered = [(i + 1, line.strip()) for i, line in enumerate(text.split(line_break(text)))]
    kept = [(n, line) for n, line in numbered if line]
    cleaned = strip_chrome([line for _, line in kept])
    # strip_chrome drops whole lines: re-attach line numbers to the survivors.
    lines: list[tuple[int, str]] = []
    j = 0
    for n, line in kept:
        if j < len(cleaned) and (line == cleaned[j] or line.endswith(cleaned[j])):
            lines.append((n, cleaned[j]))
            j += 1
    i = 0
    while i < len(lines):
        n, title = lines[i]
        nxt = lines[i + 1][1] if i + 1 < len(lines) else None
        if len(title) > limits.MAX_RECORD_CHARS:
            rec.skip(path, n, f"line is longer than {limits.MAX_RECORD_CHARS:,} characters")
            i += 1
        elif (
            len(title) <= MAX_TITLE_CHARS
            and nxt is not None
            and len(nxt) > len(title)
            and abstract_like(nxt)
        ):
            yield n, {"title": title, "abstract": nxt}
            i += 2
        else:
            if len(title) > MAX_TITLE_CHARS or abstract_like(title):
                rec.skip(path, n, "paragraph without a title before it", "abstract")
            else:
                rec.skip(path, n, "title without an abstract after it", "abstract")
            i += 1
