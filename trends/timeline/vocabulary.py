"""How each theme's vocabulary changes: its keywords per period, and phrases gaining weight.

`vocabulary` is BERTopic's ``topics_over_time``: the class-based TF-IDF of each theme's
papers *in each period*, with the idf learnt once on the whole corpus (as the themes'
keywords are, `trends.describe.keywords`), so weights are comparable across periods.
Its two options are BERTopic's: ``global_tuning`` averages each period's weights with
the theme's overall ones, ``evolution_tuning`` with the theme's (tuned) weights of the
period before, which smooths a theme's vocabulary over time. (BERTopic 0.17 writes the
evolution average into a temporary copy, so there the option changes nothing; here it
does what its documentation says.)

`vocabulary_change` compares each theme's weights in the two windows of `emerging`: the
phrases that gained most and lost most.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .periods import Periods, periods_of
from .shares import display_names, resolve


def _term_matrix(corpus: pd.DataFrame, periods: Periods, terms=None):
    from ..describe import term_counts

    if terms is not None:
        return terms
    texts = corpus["text"].astype(str).iloc[periods.rows].tolist()
    return term_counts(texts)


def _transformer(counts, labels: np.ndarray, ids: list[int]):
    """BERTopic's c-TF-IDF fitted on the themes' summed counts over the whole corpus."""
    from .._ctfidf import transformer as ctfidf_transformer

    summed = _grouped(counts, [labels == t for t in ids])
    return ctfidf_transformer().fit(summed)


def _grouped(counts, masks: list[np.ndarray]):
    """Summed term counts of each group of papers (rows: groups)."""
    import scipy.sparse as sp

    rows, cols = [], []
    for g, mask in enumerate(masks):
        where = np.flatnonzero(mask)
        rows.append(np.full(len(where), g))
        cols.append(where)
    rows, cols = np.concatenate(rows or [[]]), np.concatenate(cols or [[]])
    member = sp.csr_matrix(
        (np.ones(len(rows)), (rows.astype(int), cols.astype(int))),
        shape=(len(masks), counts.shape[0]),
    )
    return (member @ counts).tocsr()


def _weights(transformer, summed) -> np.ndarray:
    from sklearn.preprocessing import normalize

    return normalize(transformer.transform(summed.astype(np.float64)), axis=1, norm="l1").toarray()


def vocabulary(
    model,
    corpus: pd.DataFrame | None = None,
    *,
    freq: str = "auto",
    n_keywords: int = 10,
    evolution_tuning: bool = False,
    global_tuning: bool = False,
    level: int | None = None,
    terms=None,
) -> pd.DataFrame:
    """Each theme's keywords in each period (BERTopic's ``topics_over_time``).

    Parameters
    ----------
    model : ThemeModel, Store, watch-list or (labels, themes)
        What `trends.theme_trends` takes.
    corpus : pandas.DataFrame
        The canonical table, with ``published`` dates and ``text``.
    freq : str
        The periods (``"auto"``: those of `theme_trends`).
    n_keywords : int
        Keywords per theme and period.
    evolution_tuning : bool
        Average each period's weights with the theme's weights of the period before.
    global_tuning : bool
        Average each period's weights with the theme's weights over the whole corpus.
    level : int, optional
        The ``level`` broader groups of the theme tree instead of the themes.
    terms : (sparse matrix, array), optional
        Precomputed `trends.describe.term_counts` of the dated papers.

    Returns
    -------
    pandas.DataFrame
        ``period, theme_id, label, papers`` (the theme's papers in that period),
        ``rank``, ``keyword``, ``weight`` (c-TF-IDF, each theme-period's weights scaled
        so that their absolute values sum to 1 over the vocabulary, as BERTopic's; a word
        used in so many themes that its BM25 idf is negative weighs below 0 and is never
        listed, so the listed weights may sum to a little less); one row per keyword,
        themes without papers in a period left out. ``.attrs``: ``freq``, ``period``, ``note``.
    """
    corpus, labels, themes = resolve(model, corpus, level=level)
    ids = [int(t) for t in themes.theme_id if int(t) >= 0]
    periods = periods_of(corpus, freq=freq, n_themes=len(ids), warn=False)
    labels = np.asarray(labels, dtype=np.int64)[periods.rows]
    columns = ["period", "theme_id", "label", "papers", "rank", "keyword", "weight"]
    if not ids:  # no theme found: no theme has a vocabulary
        out = pd.DataFrame({c: [] for c in columns})
        out.attrs.update(freq=periods.freq, period=periods.name, note=periods.describe())
        return out
    counts, words = _term_matrix(corpus, periods, terms)
    transformer = _transformer(counts, labels, ids)
    overall = _weights(transformer, _grouped(counts, [labels == t for t in ids]))
    names = display_names(themes)
    rows, previous = [], None
    for k, start in enumerate(periods.table["period"]):
        in_period = periods.index == k
        masks = [in_period & (labels == t) for t in ids]
        papers = np.array([int(m.sum()) for m in masks])
        weight = _weights(transformer, _grouped(counts, masks))
        if evolution_tuning and previous is not None:
            both = (papers > 0) & (previous[1] > 0)
            weight[both] = (weight[both] + previous[0][both]) / 2
        if global_tuning:
            weight = (weight + overall) / 2
        for j, t in enumerate(ids):
            if not papers[j]:
                continue
            top = np.lexsort((np.arange(len(words)), -weight[j]))[:n_keywords]
            for rank, w in enumerate(top, start=1):
                if weight[j, w] > 0:
                    rows.append(
                        (
                            start,
                            t,
                            names[t],
                            int(papers[j]),
                            rank,
                            str(words[w]),
                            float(weight[j, w]),
                        )
                    )
        previous = (weight, papers)
    out = pd.DataFrame(rows, columns=columns)
    out.attrs.update(freq=periods.freq, period=periods.name, note=periods.describe())
    return out


def vocabulary_change(
    model,
    corpus: pd.DataFrame | None = None,
    *,
    recent=None,
    baseline=None,
    n: int = 5,
    min_papers: int = 3,
    min_share: float = 0.03,
    freq: str = "auto",
    level: int | None = None,
    terms=None,
) -> pd.DataFrame:
    """The phrases each theme uses more, and less, in `emerging`'s recent window.

    Parameters
    ----------
    model, corpus, freq, level
        As for `vocabulary`.
    recent, baseline
        The windows, as for `trends.emerging` (default: its default windows).
    n : int
        Phrases gaining and losing per theme.
    min_papers, min_share : int, float
        A phrase must be used by this many of the theme's papers, and this share of them,
        in the window where it weighs more (so one paper's coinage never "gains").

    Returns
    -------
    pandas.DataFrame
        ``theme_id, label, direction`` (``"gaining"`` or ``"losing"``), ``keyword``,
        ``baseline_weight``, ``recent_weight``, ``change`` (recent - baseline, in
        c-TF-IDF weight), ``baseline_papers``, ``recent_papers`` (the theme's papers using
        the phrase in each window); largest changes first within each theme.
        ``.attrs``: ``recent``, ``baseline`` (the windows).
    """
    from .emerging import windows

    corpus, labels, themes = resolve(model, corpus, level=level)
    ids = [int(t) for t in themes.theme_id if int(t) >= 0]
    periods = periods_of(corpus, freq=freq, n_themes=len(ids), warn=False)
    dates = periods.dates
    labels = np.asarray(labels, dtype=np.int64)[periods.rows]
    in_recent, in_base, r_bounds, b_bounds = windows(periods, dates, recent, baseline)
    columns = [
        "theme_id",
        "label",
        "direction",
        "keyword",
        "baseline_weight",
        "recent_weight",
        "change",
        "baseline_papers",
        "recent_papers",
    ]
    if not ids:  # no theme found: nothing gains or loses
        out = pd.DataFrame({c: [] for c in columns})
        out.attrs.update(recent=r_bounds, baseline=b_bounds, period=periods.name)
        return out
    counts, words = _term_matrix(corpus, periods, terms)
    transformer = _transformer(counts, labels, ids)
    present = (counts > 0).astype(np.float64)
    masks_r = [in_recent & (labels == t) for t in ids]
    masks_b = [in_base & (labels == t) for t in ids]
    w_r = _weights(transformer, _grouped(counts, masks_r))
    w_b = _weights(transformer, _grouped(counts, masks_b))
    used_r = _grouped(present, masks_r).toarray()
    used_b = _grouped(present, masks_b).toarray()
    names = display_names(themes)
    rows = []
    for j, t in enumerate(ids):
        if not masks_r[j].any() or not masks_b[j].any():
            continue
        change = w_r[j] - w_b[j]
        for direction, sign, used, mask in (
            ("gaining", 1, used_r, masks_r[j]),
            ("losing", -1, used_b, masks_b[j]),
        ):
            need = max(min_papers, min_share * mask.sum())
            score = np.where(used[j] >= need, sign * change, 0.0)
            top = np.lexsort((np.arange(len(words)), -score))[:n]
            for w in top:
                if score[w] > 0:
                    rows.append(
                        (
                            t,
                            names[t],
                            direction,
                            str(words[w]),
                            float(w_b[j, w]),
                            float(w_r[j, w]),
                            float(change[w]),
                            int(used_b[j, w]),
                            int(used_r[j, w]),
                        )
                    )
    out = pd.DataFrame(rows, columns=columns)
    out.attrs.update(recent=r_bounds, baseline=b_bounds, period=periods.name)
    return out
