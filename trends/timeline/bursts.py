"""Bursts: when a theme or a phrase took a larger share of the papers than usual.

Kleinberg's two-state automaton for batched arrivals ("Bursty and hierarchical structure
in streams", KDD 2002, section 4, "enumerating bursts"): in period ``t`` a series has
``r_t`` of the ``d_t`` papers (a theme's papers, or the papers using a phrase). Its base
state expects a share ``p0`` (its share over the whole corpus), its burst state
``p1 = s * p0``. Each period costs ``-log`` of the binomial likelihood of ``r_t`` under
the state's share, entering the burst state costs ``gamma * log(n)`` for ``n`` periods,
and the cheapest state sequence (the Viterbi dynamic programme) marks the bursts. A
burst's *strength* is Kleinberg's weight: the summed cost saved by the burst state over
its periods, i.e. the log-likelihood ratio of ``p1`` against ``p0`` over the burst.

No maintained package does this: ``burst_detection`` (PyPI, 2018) chooses each state
greedily instead of by the optimal sequence and no longer runs on current numpy, so the
short programme is here, tested against an exhaustive search.

**False alarms.** With the paper's ``gamma = 1`` a series with no burst at all shows one
in 5-15% of cases (a small theme's noisy weeks), so a burst is kept only when it is
unlikely under no burst: its strength ``W`` gives the p-value ``min(1, n * exp(-W))``
(the likelihood ratio over an interval is a martingale under no burst, so by Ville's
inequality and a union over the ``n`` possible starts no interval reaches ``W`` with
probability above that), and the p-values of all series (all themes, or all phrases)
are controlled for their false discovery rate (Benjamini-Hochberg at ``alpha``).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from .._numbers import is_real
from ..errors import InputError
from .emerging import bh_qvalues
from .periods import Periods, periods_of
from .shares import display_names, resolve

MAX_P1 = 0.9999


def kleinberg(counts, totals, *, s: float = 2.0, gamma: float = 1.0):
    """Kleinberg's two-state burst states of many series at once.

    Parameters
    ----------
    counts : array of shape (n_periods,) or (n_periods, n_series)
        Papers of each series in each period.
    totals : array of shape (n_periods,) or (n_periods, n_series)
        All papers of each period.
    s : float
        The burst state's share is ``s`` times the series' overall share.
    gamma : float
        Entering the burst state costs ``gamma * log(n_periods)``.

    Returns
    -------
    states : numpy.ndarray of bool, shape (n_periods, n_series)
        True where the series is in its burst state.
    gain : numpy.ndarray, shape (n_periods, n_series)
        The cost each period saves in the burst state (its log-likelihood ratio).
    """
    counts = np.asarray(counts, dtype=float)
    if counts.ndim == 1:
        counts = counts[:, None]
    totals = np.broadcast_to(np.asarray(totals, dtype=float).reshape(len(counts), -1), counts.shape)
    n = len(counts)
    p0 = counts.sum(0) / np.maximum(totals.sum(0), 1)
    p1 = np.minimum(s * p0, MAX_P1)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = counts * np.log(p1 / p0) + (totals - counts) * np.log((1 - p1) / (1 - p0))
    gain = np.where(np.isfinite(gain), gain, 0.0)  # a series with no paper never bursts
    enter = gamma * math.log(max(n, 2))
    # Costs relative to the base state's own cost in each period: base 0, burst -gain.
    base = np.zeros(counts.shape[1])
    burst = np.full(counts.shape[1], np.inf)
    burst_from_burst = np.zeros(counts.shape, dtype=bool)
    base_from_burst = np.zeros(counts.shape, dtype=bool)
    for t in range(n):
        stay = burst <= base + enter
        new_burst = np.where(stay, burst, base + enter) - gain[t]
        drop = burst < base
        base = np.where(drop, burst, base)
        burst = new_burst
        burst_from_burst[t], base_from_burst[t] = stay, drop
    states = np.zeros(counts.shape, dtype=bool)
    current = burst < base
    for t in range(n - 1, -1, -1):
        states[t] = current
        current = np.where(current, burst_from_burst[t], base_from_burst[t])
    return states, gain


def spans(states: np.ndarray, gain: np.ndarray) -> pd.DataFrame:
    """Each burst as a row: ``series, first, last`` (period positions) and ``strength``."""
    rows = []
    padded = np.vstack(
        [np.zeros((1, states.shape[1]), bool), states, np.zeros((1, states.shape[1]), bool)]
    )
    edges = np.diff(padded.astype(np.int8), axis=0)
    starts, ends = np.nonzero(edges.T == 1), np.nonzero(edges.T == -1)
    cum = np.vstack([np.zeros((1, gain.shape[1])), np.cumsum(gain, axis=0)])
    for (series, first), (_, stop) in zip(
        zip(*starts, strict=True), zip(*ends, strict=True), strict=True
    ):
        rows.append(
            (int(series), int(first), int(stop - 1), float(cum[stop, series] - cum[first, series]))
        )
    out = pd.DataFrame(rows, columns=["series", "first", "last", "strength"])
    return out.astype({"series": np.int64, "first": np.int64, "last": np.int64, "strength": float})


def burst_table(
    counts,
    totals,
    names: list[str],
    periods: pd.DataFrame,
    *,
    s: float = 2.0,
    gamma: float = 1.0,
    alpha: float | None = 0.05,
) -> pd.DataFrame:
    """The bursts of many series, with their p-values, false-discovery-controlled.

    Parameters
    ----------
    counts : array of shape (n_periods, n_series)
    totals : array of shape (n_periods,)
    names : list of str
        One per series.
    periods : pandas.DataFrame
        ``period`` and ``end`` of each row of ``counts`` (`Periods.table`).
    alpha : float or None
        Keep the bursts whose Benjamini-Hochberg q-value is at most ``alpha``; None
        keeps every burst of the automaton.

    Returns
    -------
    pandas.DataFrame
        ``series, label, start, end, periods, strength, papers, expected, ratio,
        p_value, q_value, ongoing``, strongest first.
    """
    counts = np.asarray(counts, dtype=float)
    totals = np.asarray(totals, dtype=float)
    if (totals == 0).any():
        # A period without papers costs nothing to stay in a burst through: bursts are
        # found on the periods with papers, so none starts, ends or spans in a gap.
        keep = np.flatnonzero(totals > 0)
        table = periods.iloc[keep].reset_index(drop=True)
        return burst_table(counts[keep], totals[keep], names, table, s=s, gamma=gamma, alpha=alpha)
    states, gain = kleinberg(counts, totals, s=s, gamma=gamma)
    found = spans(states, gain)
    n = len(counts)
    p0 = counts.sum(0) / max(totals.sum(), 1)
    found["p_value"] = np.minimum(1.0, n * np.exp(-found["strength"].to_numpy()))
    # one hypothesis per series without a burst too (p = 1), so that the family is all series
    quiet = counts.shape[1] - found["series"].nunique()
    q = bh_qvalues(np.concatenate([found["p_value"].to_numpy(), np.ones(quiet)]))
    found["q_value"] = q[: len(found)]
    if alpha is not None:
        found = found[found["q_value"] <= alpha]
    first, last = found["first"].to_numpy(), found["last"].to_numpy()
    cum_counts = np.vstack([np.zeros((1, counts.shape[1])), np.cumsum(counts, axis=0)])
    cum_totals = np.concatenate([[0.0], np.cumsum(totals)])
    series = found["series"].to_numpy()
    papers = cum_counts[last + 1, series] - cum_counts[first, series]
    expected = (cum_totals[last + 1] - cum_totals[first]) * p0[series]
    out = pd.DataFrame(
        {
            "series": series,
            "label": [names[i] for i in series],
            "start": periods["period"].to_numpy()[first],
            "end": periods["end"].to_numpy()[last],
            "periods": last - first + 1,
            "strength": found["strength"].to_numpy(),
            "papers": papers.astype(int),
            "expected": expected,
            "ratio": papers / np.maximum(expected, 1e-12),
            "p_value": found["p_value"].to_numpy(),
            "q_value": found["q_value"].to_numpy(),
            "ongoing": last == n - 1,
        }
    )
    return out.sort_values(["strength", "series"], ascending=[False, True]).reset_index(drop=True)


def bursts(
    model,
    corpus: pd.DataFrame | None = None,
    *,
    freq: str = "auto",
    s: float = 2.0,
    gamma: float = 1.0,
    alpha: float | None = 0.05,
    phrases: bool = True,
    level: int | None = None,
) -> pd.DataFrame:
    """Bursts of each theme and of each keyword phrase over the corpus, strongest first.

    See the module `trends.timeline.bursts` for the method and its control of false
    alarms.

    Parameters
    ----------
    model : ThemeModel, Store, watch-list or (labels, themes)
        What `trends.theme_trends` takes.
    corpus : pandas.DataFrame
        The canonical table, with ``published`` dates and ``text``.
    freq : str
        The periods (``"auto"``: those of `theme_trends`).
    s, gamma : float
        Kleinberg's burst ratio and the cost of entering a burst.
    alpha : float or None
        False discovery rate of the bursts kept (per kind: themes, phrases); None keeps
        every burst of the automaton.
    phrases : bool
        Also the phrases (words and two-word phrases in at least 0.2% of the papers,
        `trends.describe.term_counts`): a paper counts once per phrase it uses.
    level : int, optional
        Bursts of the ``level`` broader groups of the theme tree instead of the themes.

    Returns
    -------
    pandas.DataFrame
        ``kind`` (``"theme"`` or ``"phrase"``), ``theme_id`` (-1 for phrases), ``label``
        (the theme's name or the phrase), ``start`` (first period), ``end`` (last moment
        of the last period), ``periods``, ``strength``, ``papers`` (in the burst),
        ``expected`` (at the series' usual share), ``ratio``, ``p_value``, ``q_value``,
        ``ongoing`` (the burst reaches the last period). ``.attrs``: ``freq``,
        ``period``, ``note``, ``s``, ``gamma``, ``alpha``.
    """
    for name, value, ok, meaning in (
        ("s", s, is_real(s) and s > 1, "Kleinberg's burst ratio must be a number above 1"),
        (
            "gamma",
            gamma,
            is_real(gamma) and gamma > 0,
            "the cost of entering a burst must be a number > 0",
        ),
        (
            "alpha",
            alpha,
            alpha is None or (is_real(alpha) and 0 < alpha <= 1),
            "the false discovery rate must be between 0 and 1",
        ),
    ):
        if not ok:
            raise InputError(f"{name}={value!r}: {meaning}")
    corpus, labels, themes = resolve(model, corpus, level=level)
    ids = [int(t) for t in themes.theme_id if int(t) >= 0]
    periods = periods_of(corpus, freq=freq, n_themes=len(ids))
    # A burst in the first or last, partial, period starts or ends with the papers: not
    # on the 27th of a week whose papers end on the 23rd.
    first, last = periods.span()
    table = periods.table.copy()
    table.loc[0, "period"] = max(table.loc[0, "period"], first.tz_convert(None))
    table.loc[len(table) - 1, "end"] = min(table.loc[len(table) - 1, "end"], last.tz_convert(None))
    periods = dataclasses.replace(periods, table=table)
    parts = [theme_bursts(labels, themes, periods, s=s, gamma=gamma, alpha=alpha)]
    if phrases:
        parts.append(phrase_bursts(corpus, periods, s=s, gamma=gamma, alpha=alpha))
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["strength", "kind", "label"], ascending=[False, False, True])
    out = out.reset_index(drop=True)
    out.attrs.update(
        freq=periods.freq,
        period=periods.name,
        note=periods.describe(),
        s=s,
        gamma=gamma,
        alpha=alpha,
    )
    return out


def theme_bursts(labels, themes, periods: Periods, *, s=2.0, gamma=1.0, alpha=0.05):
    """The bursts of each theme (its papers among all papers of each period)."""
    ids = [int(t) for t in themes.theme_id if int(t) >= 0]
    labels = np.asarray(labels, dtype=np.int64)[periods.rows]
    col = {t: k for k, t in enumerate(ids)}
    counts = np.zeros((len(periods.table), len(ids)))
    known = np.isin(labels, ids)
    np.add.at(counts, (periods.index[known], [col[t] for t in labels[known]]), 1)
    names = display_names(themes)
    table = burst_table(
        counts,
        periods.table["papers"].to_numpy(),
        [names[t] for t in ids],
        periods.table,
        s=s,
        gamma=gamma,
        alpha=alpha,
    )
    table.insert(0, "theme_id", [ids[i] for i in table.pop("series")])
    table.insert(0, "kind", "theme")
    return table


def phrase_counts(corpus: pd.DataFrame, periods: Periods, *, min_df: int | None = None):
    """Papers using each phrase per period: ``(counts (n_periods, n_terms), terms)``."""
    import scipy.sparse as sp

    from ..describe import term_counts

    texts = corpus["text"].astype(str).iloc[periods.rows].tolist()
    terms_by_paper, terms = term_counts(texts, min_df=min_df)
    present = (terms_by_paper > 0).astype(np.float64)
    member = sp.csr_matrix(
        (np.ones(len(texts)), (periods.index, np.arange(len(texts)))),
        shape=(len(periods.table), len(texts)),
    )
    return np.asarray((member @ present).todense()), terms


def phrase_bursts(corpus, periods: Periods, *, s=2.0, gamma=1.0, alpha=0.05, min_df=None):
    """The bursts of each phrase (papers using it among all papers of each period)."""
    counts, terms = phrase_counts(corpus, periods, min_df=min_df)
    table = burst_table(
        counts,
        periods.table["papers"].to_numpy(),
        [str(t) for t in terms],
        periods.table,
        s=s,
        gamma=gamma,
        alpha=alpha,
    )
    table.pop("series")
    table.insert(0, "theme_id", -1)
    table.insert(0, "kind", "phrase")
    return table
