"""The text of a "trending papers" web page: chrome, then title / abstract line pairs."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Recorder
from ..normalise import strip_chrome

# A title is a line; an abstract is a paragraph. Titles longer than this are not titles.
MAX_TITLE_CHARS = 400


def read_trending(path: str, text: str, rec: Recorder) -> Iterator[tuple[int, dict]]:
    """Yield one record per title line followed by its abstract line.

    A line that cannot be paired (a title with no abstract after it, or an abstract
    with no title before it) is recorded as a skip, never merged into a neighbour.
    """
    numbered = [(i + 1, line) for i, line in enumerate(text.splitlines())]
    kept = [(n, line) for n, line in numbered if line.strip()]
    cleaned = strip_chrome([line for _, line in kept])
    # strip_chrome drops whole lines: re-attach line numbers to the survivors.
    lines: list[tuple[int, str]] = []
    j = 0
    for n, line in kept:
        if j < len(cleaned) and (line.strip() == cleaned[j] or line.strip().endswith(cleaned[j])):
            lines.append((n, cleaned[j]))
            j += 1
    i = 0
    while i < len(lines):
        n, title = lines[i]
        nxt = lines[i + 1][1] if i + 1 < len(lines) else None
        if len(title) > MAX_TITLE_CHARS:
            rec.skip(path, n, "paragraph without a title before it", "abstract")
            i += 1
        elif nxt is None or len(nxt) <= len(title):
            rec.skip(path, n, "title without an abstract after it", "abstract")
            i += 1
        else:
            yield n, {"title": title, "abstract": nxt}
            i += 2
