"""Theme identity across refits, and when to refit: pure functions of arrays and tables.

Nothing here reads or writes the store; `trends.store.update` calls these functions and
`trends.store.db` keeps their results. Each can be tested in milliseconds without a corpus.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# How a refit theme inherits a previous theme's id: the weighted similarity of the two,
# over the papers they share (Jaccard of their members), their centres (cosine) and
# their top-10 keywords (Jaccard). Centres alone mislead: in one field every theme's
# centre is close to every other's (cosine 0.8-0.9 between unrelated themes).
WEIGHTS = {"members": 0.5, "centroid": 0.3, "keywords": 0.2}
MATCH_MIN = 0.45
REFIT_THRESHOLD = 0.3


@dataclass(frozen=True)
class Link:
    """One row of the lineage: an old theme kept (same id), a new one, or an ended one."""

    old_id: int | None
    new_id: int | None
    kind: str  # "kept", "new" or "ended"
    similarity: float | None = None

    def row(self) -> tuple:
        """As stored: ``(old_theme_id, new_theme_id, kind, similarity)``."""
        return (self.old_id, self.new_id, self.kind, self.similarity)


def refit_reason(
    *,
    has_fit: bool,
    asked: bool,
    new_outlier_share: float | None,
    threshold: float = REFIT_THRESHOLD,
    n_unplaced: int | None = None,
    min_unplaced: int = 1,
) -> str:
    """Why a store must refit now, or ``""`` when placing the new papers is enough.

    The first snapshot is always fitted; after that, a refit happens when asked, or when
    more than ``threshold`` of a snapshot's new papers fit no known theme (a sign that
    the field moved on) and they are at least ``min_unplaced`` papers (the update passes
    the smallest theme its fit would accept: fewer could not form a new theme, so one
    stray paper in a small snapshot does not refit the whole store).
    """
    if not has_fit:
        return "first snapshot"
    if asked:
        return "asked"
    enough = n_unplaced is None or n_unplaced >= min_unplaced
    if new_outlier_share is not None and new_outlier_share > threshold and enough:
        return f"{new_outlier_share:.0%} of new papers fit no theme, over {threshold:.0%}"
    return ""


def place_stable(embeddings, ids, cents, thresholds) -> np.ndarray:
    """Stable theme id of each row's nearest known theme (`trends.cluster.place`), or -1."""
    from ..cluster import place

    if embeddings is None or not len(embeddings):
        return np.array([], dtype=np.int64)
    index = place(embeddings, cents, thresholds)
    out = np.full(len(index), -1, dtype=np.int64)
    out[index >= 0] = np.asarray(ids)[index[index >= 0]]
    return out


def member_overlap(old_labels, old_ids, new_labels, n_new: int) -> np.ndarray:
    """Jaccard of the members of each new theme (rows) and each old theme (columns)."""
    old_labels, new_labels = np.asarray(old_labels), np.asarray(new_labels)
    overlap = np.zeros((n_new, len(old_ids)))
    for i in range(n_new):
        in_new = new_labels == i
        for j, o in enumerate(old_ids):
            in_old = old_labels == o
            union = np.sum(in_new | in_old)
            overlap[i, j] = np.sum(in_new & in_old) / union if union else 0.0
    return overlap


def keyword_overlap(new_keywords, old_keywords, *, top: int = 10) -> np.ndarray:
    """Jaccard of the top keywords of each new theme (rows) and each old theme (columns)."""
    out = np.zeros((len(new_keywords), len(old_keywords)))
    for i, a in enumerate(new_keywords):
        for j, b in enumerate(old_keywords):
            sa, sb = set(a[:top]), set(b[:top])
            out[i, j] = len(sa & sb) / len(sa | sb) if sa | sb else 0.0
    return out


def match_themes(old_ids, old_cents, old_keywords, new_cents, new_keywords, *, members=None):
    """One-to-one matching of refit themes to previous ones.

    Similarity = ``WEIGHTS`` of member Jaccard (``members``: the old and new label of each
    paper, when given), centre cosine and top-10 keyword Jaccard; the optimal assignment
    (`scipy.optimize.linear_sum_assignment`) pairs them, and a pair counts only at
    ``MATCH_MIN`` or more.

    Returns
    -------
    mapping : dict
        ``{new theme index: old stable id}`` for the matched themes.
    links : list of Link
        ``kept`` for each matched pair and ``ended`` for each unmatched old theme.
    """
    from scipy.optimize import linear_sum_assignment

    old_ids = [int(o) for o in old_ids]
    if not old_ids or not len(new_cents):
        return {}, [Link(o, None, "ended") for o in old_ids]
    cos = np.asarray(new_cents) @ np.asarray(old_cents).T
    jac = keyword_overlap(new_keywords, old_keywords)
    weights = dict(WEIGHTS)
    if members is not None:
        overlap = member_overlap(members[0], old_ids, members[1], len(new_cents))
    else:  # no shared papers to compare: centres and keywords only
        overlap = np.zeros_like(cos)
        total = weights["centroid"] + weights["keywords"]
        weights = {"members": 0.0, **{k: weights[k] / total for k in ("centroid", "keywords")}}
    score = weights["members"] * overlap + weights["centroid"] * cos + weights["keywords"] * jac
    rows, cols = linear_sum_assignment(-score)
    mapping, links = {}, []
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        if score[i, j] >= MATCH_MIN:
            mapping[i] = old_ids[j]
            links.append(Link(old_ids[j], old_ids[j], "kept", float(score[i, j])))
    matched = set(mapping.values())
    links.extend(Link(o, None, "ended") for o in old_ids if o not in matched)
    return mapping, links


def allocate_ids(mapping: dict, n_themes: int, next_id: int):
    """Stable ids for every refit theme: matched ones keep theirs, the others get new ones.

    Returns
    -------
    full : dict
        ``{theme index: stable id}`` for ``0 .. n_themes - 1`` and ``-1 -> -1``.
    links : list of Link
        One ``new`` link per newly numbered theme.
    next_id : int
        The next unused stable id.
    """
    full = dict(mapping)
    links = []
    for t in range(n_themes):
        if t not in full:
            full[t] = next_id
            links.append(Link(None, next_id, "new"))
            next_id += 1
    full[-1] = -1
    return full, links, next_id


def stable_labels(labels, mapping: dict) -> np.ndarray:
    """Each paper's stable theme id under ``mapping`` (``{theme index: stable id}``)."""
    return np.array([mapping[int(t)] for t in np.asarray(labels).tolist()], dtype=np.int64)


def unchanged_share(before: dict, after: dict) -> float:
    """Share of the papers in both ``{doc_id: theme id}`` maps whose theme id did not change."""
    both = before.keys() & after.keys()
    if not both:
        return float("nan")
    return float(np.mean([before[d] == after[d] for d in both]))
