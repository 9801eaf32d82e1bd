"""Changes of the feed's mix: when the corpus collects differently, not the field moving.

A feed that starts or stops collecting a category moves every theme's share at once.
`mix_changes` flags a period that, against the period before it,

- changed its **volume** by a factor of 2 or more (papers per covered day, so that a
  partial period is compared fairly), confirmed by an exact test of the two counts
  (binomial, conditional on their sum, ``p < 0.001``); or
- changed its **mix** of categories (each paper's primary category): a total variation
  distance of 0.10 or more between the two periods' category shares (a tenth of the
  papers would have to change category to restore the earlier mix; two weeks of the
  arXiv feed drawn from the same mix differ by about 0.04), confirmed by a chi-square
  test of homogeneity (``p < 0.001``), so that small periods are not flagged for noise.

The trend charts mark flagged periods and the report warns about them. Trends adjusted
for the mix compare shares *within* categories: `emerging(..., adjust_for=...)`
(Mantel-Haenszel) and `theme_trends(..., adjust_for=...)` (direct standardisation).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from .periods import PAPERS_PER_THEME, Periods, periods_of

VOLUME_FACTOR = 2.0
MIX_DISTANCE = 0.10
MIX_P = 0.001
# Categories holding less than this share of the papers are pooled as "other".
MIN_STRATUM_SHARE = 0.01
OTHER = "other"
NONE = "(none)"
# freq="auto" here wants periods of about this many papers (a mix of categories needs more
# papers than a theme's share): the rule of `theme_trends` for 30 themes.
MIX_PAPERS = 300


def primary_values(column: pd.Series) -> list[str]:
    """Each row's primary value: the first of a list (arXiv's primary category), else itself."""
    out = []
    for v in column.tolist():
        if isinstance(v, list | tuple | np.ndarray):
            v = next((str(x).strip() for x in v if str(x).strip()), None)
        elif v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            v = None
        else:
            v = str(v).strip() or None
        out.append(NONE if v is None else v)
    return out


def strata(corpus: pd.DataFrame, by: str, *, min_share: float = MIN_STRATUM_SHARE) -> np.ndarray:
    """Each paper's stratum: its primary value of column ``by``, rare values as ``"other"``.

    Raises
    ------
    InputError
        The corpus has no column ``by``.
    """
    if by not in corpus.columns:
        raise InputError(
            f"adjust_for={by!r}: the corpus has no {by!r} column "
            f"(columns: {', '.join(map(str, corpus.columns))})"
        )
    values = pd.Series(primary_values(corpus[by]), dtype=object)
    share = values.value_counts(normalize=True)
    rare = set(share.index[share < min_share]) - {NONE}
    return values.where(~values.isin(rare), OTHER).to_numpy(dtype=object)


def mix_changes(
    corpus: pd.DataFrame,
    *,
    by: str = "categories",
    freq: str = "auto",
    periods: Periods | None = None,
) -> pd.DataFrame:
    """Per period: its volume and mix against the period before, and whether either jumped.

    Parameters
    ----------
    corpus : pandas.DataFrame
        Dated papers (``published``) with the column ``by``.
    by : str
        The column whose mix is followed (its primary value), e.g. ``"categories"``.
    freq : str
        Periods, as for `theme_trends` (or pass ``periods``); ``"auto"`` wants about 300
        papers per period (weeks for the arXiv feed).

    Returns
    -------
    pandas.DataFrame
        ``period``, ``papers``, ``partial``, ``volume_ratio`` (papers per covered day
        against the period before), ``mix_distance`` (total variation distance of the
        category shares), ``p_volume``, ``p_mix``, ``volume_change``, ``mix_change``,
        ``flagged`` (either) and ``what`` (in words: the volume factor and the categories
        that moved most). The first period is never flagged. ``.attrs["by"]``.
    """
    if periods is None:
        periods = periods_of(corpus, freq=freq, n_themes=MIX_PAPERS // PAPERS_PER_THEME, warn=False)
    from scipy.stats import binomtest, chi2_contingency

    stratum = strata(corpus, by)[periods.rows]
    codes, names = pd.factorize(pd.Series(stratum), sort=True)
    table = periods.table
    counts = np.zeros((len(table), len(names)))
    np.add.at(counts, (periods.index, codes), 1)
    papers = table["papers"].to_numpy(dtype=float)
    per_day = papers / table["coverage"].clip(lower=1e-9).to_numpy()
    shares = counts / np.maximum(papers, 1)[:, None]
    rows = []
    for k in range(len(table)):
        row = dict(
            volume_ratio=np.nan,
            mix_distance=np.nan,
            p_volume=np.nan,
            p_mix=np.nan,
            volume_change=False,
            mix_change=False,
            what="",
        )
        if k > 0 and (papers[k] == 0) != (papers[k - 1] == 0):
            # a week or month without papers after some (or the reverse): the feed stopped
            stopped = papers[k] == 0
            row.update(
                volume_ratio=0.0 if stopped else float("inf"),
                volume_change=True,
                what="no papers" if stopped else "papers again, after a period without any",
            )
        elif k > 0 and papers[k] > 0 and papers[k - 1] > 0:
            ratio = per_day[k] / per_day[k - 1]
            cov = table["coverage"].to_numpy()
            expected = cov[k] / (cov[k] + cov[k - 1])  # share of the two if the rate held
            p_vol = binomtest(int(papers[k]), int(papers[k] + papers[k - 1]), expected).pvalue
            tv = 0.5 * float(np.abs(shares[k] - shares[k - 1]).sum())
            both = counts[[k - 1, k]]
            both = both[:, both.sum(0) > 0]
            p_mix = chi2_contingency(both)[1] if both.shape[1] > 1 else 1.0
            vol = (ratio >= VOLUME_FACTOR or ratio <= 1 / VOLUME_FACTOR) and p_vol < MIX_P
            mixed = tv >= MIX_DISTANCE and p_mix < MIX_P
            words = []
            if vol:
                words.append(f"papers ×{ratio:.1f}")
            if mixed:
                moved = np.argsort(-np.abs(shares[k] - shares[k - 1]))[:2]
                words += [f"{names[j]} {shares[k - 1, j]:.0%} → {shares[k, j]:.0%}" for j in moved]
            row.update(
                volume_ratio=float(ratio),
                mix_distance=tv,
                p_volume=float(p_vol),
                p_mix=float(p_mix),
                volume_change=bool(vol),
                mix_change=bool(mixed),
                what="; ".join(words),
            )
        rows.append(row)
    out = pd.concat(
        [table[["period", "end", "papers", "partial"]].reset_index(drop=True), pd.DataFrame(rows)],
        axis=1,
    )
    out["flagged"] = out.volume_change | out.mix_change
    out.attrs.update(by=by, freq=periods.freq, period=periods.name)
    return out


def mix_shares(
    corpus: pd.DataFrame,
    *,
    by: str = "categories",
    freq: str = "auto",
    periods: Periods | None = None,
) -> pd.DataFrame:
    """Papers of each (primary) value of ``by`` per period: ``period, value, count, share``."""
    if periods is None:
        periods = periods_of(corpus, freq=freq, n_themes=MIX_PAPERS // PAPERS_PER_THEME, warn=False)
    stratum = strata(corpus, by)[periods.rows]
    frame = pd.DataFrame({"k": periods.index, "value": stratum})
    counts = frame.groupby(["k", "value"]).size().rename("count").reset_index()
    counts["share"] = counts["count"] / counts["k"].map(periods.table["papers"])
    counts.insert(0, "period", periods.table["period"].to_numpy()[counts.pop("k")])
    counts["count"] = counts["count"].astype(int)
    return counts
