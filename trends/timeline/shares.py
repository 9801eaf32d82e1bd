"""The share of each theme per period: `theme_trends` and its core on plain data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError, StoreError
from .periods import Periods, periods_of


def checked_store(store) -> None:
    """A `StoreError` for a store with nothing to read: no such file, or no papers yet.

    A `trends.store.Store` opened on a path that does not exist reads as empty (its first
    update creates the file): a mistyped path would otherwise read as a store of 0 papers,
    "none of the 0 papers has a date", or an empty chart.
    """
    path = getattr(store, "path", None)
    if path is None:
        return
    from pathlib import Path

    fill = f"(`trends update {path} INPUT...` fills a store)"
    if not Path(path).exists():
        raise StoreError(f"{path}: no such file: not a store yet {fill}; check the path")
    count = getattr(store, "paper_count", None)
    if count is not None and count() == 0:
        raise StoreError(f"{path}: the store holds no papers yet {fill}")


def resolve(source, corpus: pd.DataFrame | None, *, level: int | None = None):
    """``(corpus, labels, themes)`` of what the trend functions are given.

    ``source`` is a fitted `ThemeModel` (its labels for the papers it was fitted on,
    its placement for the others), a `trends.store.Store` (its papers and their current
    themes; ``corpus`` may then be omitted), a watch-list (`trends.watch`), or a
    ``(labels, themes)`` pair of plain data (one label per row of ``corpus`` and a theme
    table with ``theme_id`` and ``label``).

    ``level=n`` replaces the themes by the ``n`` broader groups of the model's theme tree
    (``model.themes_at(n)``: a table like ``themes_`` whose ``members`` column lists the
    theme ids of each group); outliers stay outliers.
    """
    if corpus is not None and not isinstance(corpus, pd.DataFrame):
        raise InputError(
            "corpus must be the table from trends.load() (a DataFrame with a 'published' "
            f"column), got {type(corpus).__name__}"
        )
    if hasattr(source, "current") and not hasattr(source, "fit_"):
        checked_store(source)
        papers, labels, themes = source.current()
        if corpus is None:
            corpus = papers
        else:
            where = dict(zip(papers["doc_id"].astype(str), labels.tolist(), strict=True))
            labels = np.array(
                [where.get(d, -1) for d in corpus["doc_id"].astype(str)], dtype=np.int64
            )
    elif corpus is None:
        raise InputError("a corpus is required unless the source is a Store")
    elif hasattr(source, "labels") and hasattr(source, "topics"):  # a watch-list
        labels, themes = np.asarray(source.labels, dtype=np.int64), source.topics
        if len(labels) != len(corpus):
            raise InputError(f"a watch-list of {len(labels)} papers for a corpus of {len(corpus)}")
    elif isinstance(source, tuple) and len(source) == 2:
        labels, themes = np.asarray(source[0], dtype=np.int64), source[1]
        if len(labels) != len(corpus):
            raise InputError(f"{len(labels)} labels for a corpus of {len(corpus)} papers")
    else:
        labels, themes = source.assign(corpus), source.themes_
    if level is not None:
        labels, themes = at_level(source, labels, level)
    return corpus, np.asarray(labels, dtype=np.int64), themes


def at_level(source, labels, level: int):
    """Labels and table of the ``level`` broader groups of ``source``'s theme tree."""
    if not hasattr(source, "themes_at"):
        raise InputError(
            "level= needs a fitted ThemeModel with a theme tree (model.themes_at); "
            f"got {type(source).__name__}"
        )
    groups = source.themes_at(level)
    group_of = {
        int(m): int(g)
        for g, members in zip(groups["theme_id"], groups["members"], strict=True)
        if int(g) >= 0
        for m in members
    }
    labels = np.array([group_of.get(int(t), -1) for t in np.asarray(labels)], dtype=np.int64)
    return labels, groups.reset_index(drop=True)


def display_names(themes: pd.DataFrame) -> dict[int, str]:
    """``{theme id: what to call it}``: its ``name`` where the table has one, else ``label``."""
    names = themes["name"] if "name" in themes.columns else themes["label"]
    fallback = themes["label"] if "label" in themes.columns else names
    return {
        int(t): str(n if isinstance(n, str) and n else f)
        for t, n, f in zip(themes["theme_id"], names, fallback, strict=True)
    }


def theme_trends(
    model,
    corpus: pd.DataFrame | None = None,
    *,
    freq: str = "auto",
    adjust_for: str | None = None,
    level: int | None = None,
) -> pd.DataFrame:
    """Papers and share of each theme per period.

    Parameters
    ----------
    model : ThemeModel, Store, watch-list or (labels, themes)
        A fitted model (papers it was not fitted on are placed with ``model.predict``),
        a `trends.store.Store`, a `trends.watch` result, or plain data (see `resolve`).
    corpus : pandas.DataFrame
        The canonical table, with ``published`` dates (optional for a store).
    freq : str
        ``"auto"`` (see `trends.timeline.periods`) or a pandas period frequency; never
        finer than the dates' precision.
    adjust_for : str, optional
        A column such as ``"categories"``: shares are then standardised to the corpus'
        overall mix of that column (its primary value; see `trends.timeline.mix`):
        within each period, the theme's share in each category, weighted by that
        category's share of the whole corpus. A theme then moves only when it moves
        within categories, not because the feed collected more of one category, as long
        as every period has papers of every category: a period without papers of some
        category is standardised over the categories it has (their weights rescaled), so
        a category that the feed starts or stops collecting still moves the standardised
        shares where it does. `emerging` with ``adjust_for`` compares only the
        categories both windows have.
    level : int, optional
        Shares of the ``level`` broader groups of the model's theme tree instead of
        the themes (``model.themes_at(level)``).

    Returns
    -------
    pandas.DataFrame
        ``period`` (start of the period), ``theme_id``, ``label`` (the theme's name),
        ``count``, ``share`` (of that period's dated papers; standardised when
        ``adjust_for`` is given, the raw share then in ``crude_share``), ``papers`` (the
        period's dated papers) and ``partial`` (the corpus starts or ends inside the
        period), every theme in every period. ``.attrs`` hold ``freq``, ``period`` (in
        words), ``precision``, ``undated`` (papers left out for want of a date),
        ``stray`` (papers left out for a stray date, far from the rest:
        `trends.timeline.periods`),
        ``adjusted_for`` and ``note`` (a sentence saying what a period is).

    Raises
    ------
    NoDatesError
        No paper has a date.
    """
    corpus, labels, themes = resolve(model, corpus, level=level)
    return share_table(labels, themes, corpus, freq=freq, adjust_for=adjust_for)


def share_table(
    labels,
    themes: pd.DataFrame,
    corpus: pd.DataFrame,
    *,
    freq: str = "auto",
    adjust_for: str | None = None,
    periods: Periods | None = None,
):
    """`theme_trends` on plain data: one label per row of ``corpus``, and the theme table."""
    ids = themes.theme_id.astype(int).tolist()
    if periods is None:
        periods = periods_of(corpus, freq=freq, n_themes=sum(t >= 0 for t in ids))
    labels = np.asarray(labels, dtype=np.int64)[periods.rows]
    table = periods.table
    n_periods, col = len(table), {t: k for k, t in enumerate(ids)}
    known = np.array([t in col for t in labels.tolist()])
    counts = np.zeros((n_periods, len(ids)))
    np.add.at(counts, (periods.index[known], [col[t] for t in labels[known]]), 1)
    totals = table["papers"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):  # a period without papers has no share (NaN)
        share = counts / np.where(totals > 0, totals, np.nan)[:, None]
    out = pd.DataFrame(
        {
            "period": np.repeat(table["period"].to_numpy(), len(ids)),
            "theme_id": np.tile(ids, n_periods),
            "label": np.tile([display_names(themes)[t] for t in ids], n_periods),
            "count": counts.ravel().astype(int),
            "share": share.ravel(),
            "papers": np.repeat(table["papers"].to_numpy(), len(ids)),
            "partial": np.repeat(table["partial"].to_numpy(), len(ids)),
        }
    )
    if adjust_for is not None:
        from .mix import strata

        adjusted = standardised(labels, periods, ids, strata(corpus, adjust_for)[periods.rows])
        out.insert(5, "crude_share", out["share"])
        out["share"] = adjusted.ravel()
    out.attrs.update(
        freq=periods.freq,
        period=periods.name,
        precision=periods.precision,
        undated=periods.undated,
        stray=periods.stray,
        adjusted_for=adjust_for,
        note=periods.describe(),
    )
    return out


def standardised(labels, periods: Periods, ids: list[int], stratum: np.ndarray) -> np.ndarray:
    """Directly standardised shares, shape (n_periods, n_themes).

    Each period's share of a theme is the mean of its share within each stratum,
    weighted by the stratum's share of all dated papers; strata a period lacks are left
    out and the weights of the others rescaled.
    """
    codes, names = pd.factorize(pd.Series(stratum), sort=True)
    n_periods, n_strata = len(periods.table), len(names)
    weight = np.bincount(codes, minlength=n_strata) / len(codes)
    size = np.zeros((n_periods, n_strata))
    np.add.at(size, (periods.index, codes), 1)
    col = {t: k for k, t in enumerate(ids)}
    known = np.array([t in col for t in labels.tolist()])
    hits = np.zeros((n_periods, n_strata, len(ids)))
    np.add.at(hits, (periods.index[known], codes[known], [col[t] for t in labels[known]]), 1)
    within = hits / np.maximum(size, 1)[:, :, None]
    present = (size > 0) * weight[None, :]
    return np.einsum("ps,pst->pt", present, within) / np.maximum(present.sum(1), 1e-12)[:, None]
