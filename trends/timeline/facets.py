"""Themes by facet: which communities (categories, venues, sources) carry each theme.

BERTopic's ``topics_per_class``, as counts and shares both ways.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from .mix import NONE, primary_values
from .shares import display_names, resolve


def facets(
    model,
    corpus: pd.DataFrame | None = None,
    *,
    by: str = "categories",
    primary: bool = True,
    level: int | None = None,
) -> pd.DataFrame:
    """Papers of each theme per value of a column (categories, venue, source...).

    Parameters
    ----------
    model : ThemeModel, Store, watch-list or (labels, themes)
        What `trends.theme_trends` takes.
    corpus : pandas.DataFrame
        The canonical table with the column ``by``.
    by : str
        The column: a value per paper, or a list of values (arXiv's categories).
    primary : bool
        For a list, count only its first value (arXiv's primary category), so that
        each paper counts once and the counts add up to the theme sizes; False counts
        every value (a cross-listed paper then counts in each of its categories).
    level : int, optional
        The ``level`` broader groups of the theme tree instead of the themes.

    Returns
    -------
    pandas.DataFrame
        ``theme_id, label, value, count, share_of_theme`` (of the theme's papers, how
        many carry the value), ``share_of_value`` (of the value's papers, how many are
        in the theme); papers without a value count as ``"(none)"``; outliers
        (``-1``) included. Only the pairs that occur; largest themes first, then the
        most frequent values. ``.attrs``: ``by``, ``primary``.

    Raises
    ------
    InputError
        The corpus has no column ``by``.
    """
    corpus, labels, themes = resolve(model, corpus, level=level)
    if by not in corpus.columns:
        raise InputError(
            f"facets(by={by!r}): the corpus has no {by!r} column "
            f"(columns: {', '.join(map(str, corpus.columns))})"
        )
    if primary:
        values = [[v] for v in primary_values(corpus[by])]
    else:
        values = []
        for v in corpus[by].tolist():
            if isinstance(v, list | tuple | np.ndarray):
                vs = list(dict.fromkeys(str(x).strip() for x in v if str(x).strip()))
            else:
                vs = primary_values(pd.Series([v], dtype=object))
                vs = [x for x in vs if x != NONE]
            values.append(vs or [NONE])
    long = pd.DataFrame(
        {
            "theme_id": np.repeat(np.asarray(labels, dtype=np.int64), [len(v) for v in values]),
            "value": [x for vs in values for x in vs],
        }
    )
    counts = long.groupby(["theme_id", "value"]).size().rename("count").reset_index()
    theme_size = pd.Series(np.asarray(labels)).value_counts()
    value_size = long["value"].value_counts()
    counts["share_of_theme"] = counts["count"] / counts["theme_id"].map(theme_size)
    counts["share_of_value"] = counts["count"] / counts["value"].map(value_size)
    names = display_names(themes)
    counts.insert(1, "label", counts["theme_id"].map(lambda t: names.get(int(t), str(t))))
    order = counts["theme_id"].map(theme_size)
    counts = counts.assign(
        _size=np.where(counts["theme_id"] < 0, -1, order), _value=-counts["value"].map(value_size)
    )
    counts = counts.sort_values(
        ["_size", "theme_id", "_value", "value"], ascending=[False, True, True, True]
    )
    out = counts.drop(columns=["_size", "_value"]).reset_index(drop=True)
    out["count"] = out["count"].astype(int)
    out.attrs.update(by=by, primary=primary)
    return out
