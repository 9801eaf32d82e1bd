"""Which records are copies of another, and of what kind.

The earliest record (by date, then by the order read) of each paper is kept. A later
record is a copy when:

- **id duplicate**: it has the same arXiv id or DOI as a kept paper (a revised title does
  not make it another paper), or the same local id (a row number, a database key), the
  same title and the same or nearly the same text;
- **title + text duplicate**: it has the same title and the same text, word for word
  (case, punctuation and spacing ignored), whatever its id;
- **near-duplicate**: it has the same title and nearly the same text: the Jaccard
  similarity of the two texts' sets of word 3-shingles (runs of three words) is at least
  `NEAR_DUPLICATE_SIMILARITY` (0.9; one word changed in a 100-word abstract gives about
  0.94, in a 20-word one 0.7).

A table's row equal in every column to an earlier row (`trends.load.readers.records
.table_rows` finds them column by column, before any row is read) is not read or
compared again: it is a duplicate of what its first row is a copy of, or of the first row
itself when that is kept. It counts as an id duplicate when the row has an id, else as
its first row's kind (a title + text duplicate when the first is kept; a near-duplicate,
listed with its own line, when the first is one).

Records that share only a title (replies with one subject line, errata, "Preface", a
workshop and a journal version that were rewritten) are different papers and all kept; a
local or title-derived id they share is made unique with a ``-2``, ``-3`` suffix.

Only records that share a title are compared. Within a title, candidates are found by
prefix filtering (two texts at or above the threshold must share one of the first
``|A| - ceil(0.9 |A|) + 1`` shingles of each, ordered rarest first within the title), so
a title shared by thousands of records (a "Preface", a mailing list's "Re: help") stays
fast; at most `MAX_CANDIDATES` candidates, and at most `MAX_COMPARED_SHINGLES` shingles
in all, are compared per record, bounds that only crafted input reaches (3,000 records of
one title whose 1,000-word texts share most of their shingles took 78 s before the
second bound). Within a title, shingles are numbered in order of first appearance, so
that comparing two texts compares sets of small integers and the order of the prefixes
is the same in every process.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .normalise import title_doc_id, title_key

NEAR_DUPLICATE_SIMILARITY = 0.9
SHINGLE_WORDS = 3
MAX_CANDIDATES = 200
MAX_COMPARED_SHINGLES = 30_000
_WORD = re.compile(r"\w+")

__all__ = [
    "MAX_CANDIDATES",
    "MAX_COMPARED_SHINGLES",
    "NEAR_DUPLICATE_SIMILARITY",
    "SHINGLE_WORDS",
    "Dedupe",
    "dedupe",
]


@dataclass
class Dedupe:
    """What `dedupe` decided: the kept records, their ids, and the counts of each kind."""

    kept: list[int] = field(default_factory=list)
    doc_ids: dict[int, str] = field(default_factory=dict)
    id_duplicates: int = 0
    title_text_duplicates: int = 0
    near_duplicates: int = 0
    id_conflicts: int = 0
    near_pairs: list[tuple[int, int, float]] = field(default_factory=list)


class _Text:
    """The comparable forms of one record's text: its word sequence and 3-shingles."""

    __slots__ = ("key", "prefix", "runs", "shingles")

    def __init__(self, abstract: str):
        words = _WORD.findall(abstract.casefold())
        self.key = " ".join(words)
        if len(words) < SHINGLE_WORDS:
            self.runs: list[tuple] = [tuple(words)]
        else:
            # the shorter slices end the runs: each run is SHINGLE_WORDS words long
            self.runs = list(zip(*(words[k:] for k in range(SHINGLE_WORDS)), strict=False))
        # The shingles as numbers of the title group (`_TitleGroup`), and the prefix.
        self.shingles: frozenset[int] = frozenset()
        self.prefix: list[int] = []


class _TitleGroup:
    """All records that share one title key, and the kept ones among them, indexed."""

    __slots__ = ("by_text", "index", "texts")

    def __init__(self, members: list[int], text_of: Callable[[int], _Text]):
        self.texts = {i: text_of(i) for i in members}
        number: dict[tuple, int] = {}  # in order of first appearance: the same everywhere
        for text in self.texts.values():
            text.shingles = frozenset([number.setdefault(run, len(number)) for run in text.runs])
            text.runs = []
        # Rarest first: shingles shared by many of the group's texts (a quoted message,
        # boilerplate) fall out of the prefixes, which keeps candidate lists short.
        freq = Counter(s for t in self.texts.values() for s in t.shingles)
        for text in self.texts.values():
            size = len(text.shingles)
            length = size - math.ceil(NEAR_DUPLICATE_SIMILARITY * size - 1e-9) + 1
            ranked = sorted(text.shingles)
            ranked.sort(key=freq.__getitem__)  # stable: ties stay in their number order
            text.prefix = ranked[: max(1, length)]
        self.by_text: dict[str, int] = {}
        self.index: dict[tuple, list[int]] = {}

    def add(self, i: int) -> None:
        text = self.texts[i]
        self.by_text.setdefault(text.key, i)
        for shingle in text.prefix:
            self.index.setdefault(shingle, []).append(i)

    def match(self, i: int) -> tuple[str, int, float] | None:
        """``("exact", j, 1.0)`` or ``("near", j, similarity)`` for a kept ``j``, or None."""
        text = self.texts[i]
        if text.key in self.by_text:
            return "exact", self.by_text[text.key], 1.0
        best = None
        seen: set[int] = set()
        compared = 0
        for shingle in text.prefix:
            for j in self.index.get(shingle, ()):
                if j in seen:
                    continue
                seen.add(j)
                if len(seen) > MAX_CANDIDATES:
                    return best
                other = self.texts[j].shingles
                small, large = sorted((len(text.shingles), len(other)))
                if small < NEAR_DUPLICATE_SIMILARITY * large - 1e-9:
                    continue  # sizes this far apart cannot reach the threshold
                compared += small
                if compared > MAX_COMPARED_SHINGLES:
                    return best
                common = len(text.shingles & other)
                similarity = common / (len(text.shingles) + len(other) - common)
                if similarity >= NEAR_DUPLICATE_SIMILARITY and (
                    best is None or (similarity, -j) > (best[2], -best[1])
                ):
                    best = ("near", j, similarity)
        return best


def dedupe(
    records: list[dict],
    order: list[int],
    is_global_id: Callable[[str], bool],
    copies: Mapping[int, int] | None = None,
) -> Dedupe:
    """Decide which records to keep, visiting them in ``order`` (earliest first).

    Parameters
    ----------
    records : list of dict
        Canonical records with ``doc_id`` (or None), ``title`` and ``abstract``.
    order : list of int
        Indices into ``records``, the one to keep first.
    is_global_id : callable
        True for ids that name one paper everywhere (arXiv ids, DOIs).
    copies : mapping of int to int, optional
        For a record read once for several equal rows of a table, how many rows after
        the first: each is a duplicate, counted as the module docstring says.

    Returns
    -------
    Dedupe
        Kept indices in ``order``'s order, the id each kept record gets, and the counts.
    """
    out = Dedupe()
    keys = {i: title_key(records[i]["title"]) for i in order}
    # Records to compare by title: all but the repeats of an arXiv id or DOI, which are
    # id duplicates whatever their text (most copies in a daily feed are such repeats).
    members: dict[str, list[int]] = {}
    first_global: set[str] = set()
    for i in order:
        given = records[i]["doc_id"]
        if given and is_global_id(given):
            if given in first_global:
                continue
            first_global.add(given)
        members.setdefault(keys[i], []).append(i)
    # id -> kept records holding it (a local id may hold several papers, under suffixes)
    by_id: dict[str, list[int]] = {}
    groups: dict[str, _TitleGroup] = {}
    texts: dict[int, _Text] = {}
    ids_in_use: set[str] = {r["doc_id"] for r in records if r["doc_id"]}

    def text_of(i: int) -> _Text:
        found = texts.get(i)
        if found is None:
            found = texts[i] = _Text(records[i]["abstract"])
        return found

    def group_of(key: str) -> _TitleGroup:
        group = groups.get(key)
        if group is None:
            group = groups[key] = _TitleGroup(members[key], text_of)
        return group

    suffixes: dict[str, int] = {}
    copies = copies or {}

    def count_copies(i: int, kind: str) -> None:
        n = copies.get(i, 0)
        if n and records[i]["doc_id"]:
            out.id_duplicates += n  # the same id, title and text as the kept record
        elif n and kind == "near":
            out.near_duplicates += n
        elif n:
            out.title_text_duplicates += n

    def unique(doc_id: str) -> str:
        n = suffixes.get(doc_id, 2)
        while f"{doc_id}-{n}" in ids_in_use:
            n += 1
        suffixes[doc_id] = n + 1
        ids_in_use.add(f"{doc_id}-{n}")
        return f"{doc_id}-{n}"

    for i in order:
        r = records[i]
        key = keys[i]
        shared = len(members.get(key, ())) > 1
        given = r["doc_id"]
        base_id = given or title_doc_id(r["title"])
        holders = by_id.get(base_id)
        if holders and given and is_global_id(given):
            out.id_duplicates += 1  # an arXiv id or DOI names one paper, whatever its title
            count_copies(i, "id")
            continue
        found = group_of(key).match(i) if shared else None
        if found is not None:
            kind, j, similarity = found
            if holders and given and j in holders:
                out.id_duplicates += 1  # the same local id, title and text
            elif kind == "exact":
                out.title_text_duplicates += 1
            else:
                out.near_duplicates += 1
                out.near_pairs.append((i, j, similarity))
            count_copies(i, kind)
            by_id.setdefault(base_id, [j])  # later copies under this id are id duplicates
            continue
        if holders and given:
            out.id_conflicts += 1  # a local id (a row number) reused for another paper
        if shared:
            group_of(key).add(i)
        doc_id = unique(base_id) if holders else base_id
        by_id.setdefault(base_id, []).append(i)
        if doc_id != base_id:
            by_id[doc_id] = [i]
        out.kept.append(i)
        out.doc_ids[i] = doc_id
        count_copies(i, "exact")
    return out
