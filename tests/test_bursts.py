"""Kleinberg's bursts: the dynamic programme, planted and flat series, themes and phrases."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest

import trends
from trends.timeline import kleinberg
from trends.timeline.bursts import burst_table, spans


def exhaustive(r, d, s, gamma):
    """The cheapest state sequence by trying all of them (Kleinberg's costs, binomial term kept)."""
    r, d = np.asarray(r, float), np.asarray(d, float)
    n = len(r)
    p = [r.sum() / d.sum(), min(s * r.sum() / d.sum(), 0.9999)]

    def cost(i, t):
        log_binom = math.lgamma(d[t] + 1) - math.lgamma(r[t] + 1) - math.lgamma(d[t] - r[t] + 1)
        return -(log_binom + r[t] * math.log(p[i]) + (d[t] - r[t]) * math.log(1 - p[i]))

    best = None
    for q in itertools.product([0, 1], repeat=n):
        c = sum(cost(i, t) for t, i in enumerate(q))
        c += sum(gamma * math.log(n) for a, b in zip((0, *q), q, strict=False) if b > a)
        if best is None or c < best[0] - 1e-9:
            best = (c, q)
    return np.array(best[1], dtype=bool)


def test_hand_computed_case():
    # p0 = 14/50 = 0.28, p1 = 0.56. A period saves r ln 2 - (10 - r) ln(0.72 / 0.44):
    # r = 1: -3.74, r = 10: +6.93 > gamma ln 5 = 1.61, the cost of entering the burst.
    states, gain = kleinberg([1, 1, 10, 1, 1], [10] * 5)
    assert states[:, 0].tolist() == [False, False, True, False, False]
    assert gain[2, 0] == pytest.approx(10 * math.log(2))
    assert gain[0, 0] == pytest.approx(math.log(2) - 9 * math.log(0.72 / 0.44))
    found = spans(states, gain)
    assert found[["first", "last"]].values.tolist() == [[2, 2]]
    assert found.strength.iloc[0] == pytest.approx(10 * math.log(2))
    # a costlier entry (gamma ln 5 > 6.93) leaves it out
    assert not kleinberg([1, 1, 10, 1, 1], [10] * 5, gamma=4.5)[0].any()


def test_dynamic_programme_matches_exhaustive_search():
    rng = np.random.default_rng(0)
    for _ in range(150):
        n = int(rng.integers(2, 9))
        d = rng.integers(5, 60, size=n)
        p = rng.uniform(0.02, 0.3)
        r = rng.binomial(d, np.minimum(p * np.where(rng.random(n) < 0.3, 3, 1), 0.95))
        if r.sum() == 0:
            continue
        s, gamma = float(rng.choice([1.5, 2, 3])), float(rng.choice([0.5, 1, 2]))
        ours = kleinberg(r, d, s=s, gamma=gamma)[0][:, 0]
        assert (ours == exhaustive(r, d, s, gamma)).all(), (r, d, s, gamma)


def test_many_series_at_once_equal_one_at_a_time():
    rng = np.random.default_rng(1)
    d = rng.integers(200, 400, size=30)
    r = rng.binomial(d[:, None], [0.02, 0.05, 0.1], size=(30, 3))
    r[10:12, 1] *= 3
    together = kleinberg(r, d)[0]
    for k in range(3):
        assert (together[:, k] == kleinberg(r[:, k], d)[0][:, 0]).all()


def test_planted_burst_is_found_and_flat_series_are_not():
    rng = np.random.default_rng(2)
    n_periods, n_series = 40, 30
    d = rng.poisson(1000, size=n_periods)
    p = np.full(n_series, 0.02)
    r = rng.binomial(d[:, None], p, size=(n_periods, n_series))
    r[25, 0] = rng.binomial(d[25], 0.06)  # one period at 3x the base rate
    periods = pd.DataFrame(
        {
            "period": pd.date_range("2025-01-06", periods=n_periods, freq="W-MON"),
            "end": pd.date_range("2025-01-12", periods=n_periods, freq="W-SUN"),
        }
    )
    table = burst_table(r, d, [f"s{i}" for i in range(n_series)], periods)
    assert table.label.tolist() == ["s0"]  # the flat 29 have no burst beyond chance
    hit = table.iloc[0]
    assert hit.start == periods.period[25] and hit.periods == 1
    assert 2.2 < hit.ratio < 4 and hit.q_value < 0.05
    everything = burst_table(r, d, [f"s{i}" for i in range(n_series)], periods, alpha=None)
    assert len(everything) > len(table)  # gamma = 1 alone lets chance bursts through


def test_a_burst_in_a_partial_week_ends_and_starts_with_the_papers():
    # A weekday feed from Wednesday 8 January to Wednesday 23 April 2025; theme 0 at 4x in
    # the first and the last week. Before, the bursts ran from Monday 6 January and to
    # Sunday 27 April, days without papers, as `emerging`'s windows do not.
    rng = np.random.default_rng(9)
    days = pd.bdate_range("2025-01-08", "2025-04-23")
    rows = []
    for d in days:
        edge = d < pd.Timestamp("2025-01-11") or d > pd.Timestamp("2025-04-20")
        for _ in range(60):
            rows.append((d, 0 if rng.random() < (0.4 if edge else 0.1) else rng.integers(1, 5)))
    corpus = pd.DataFrame({"published": pd.to_datetime([d for d, _ in rows], utc=True)})
    labels = np.array([t for _, t in rows])
    themes = pd.DataFrame({"theme_id": range(5), "label": [f"t{i}" for i in range(5)]})
    table = trends.bursts((labels, themes), corpus, freq="week", phrases=False)
    first, last = table.sort_values("start").iloc[[0, -1]].itertuples()
    assert f"{first.start:%Y-%m-%d}" == "2025-01-08"
    assert f"{last.end:%Y-%m-%d %H:%M}" == "2025-04-23 23:59" and last.ongoing


def test_flat_series_rarely_burst():
    """Calibration: 200 flat series of a small theme's size, at most 5% with a burst."""
    rng = np.random.default_rng(3)
    d = np.full(42, 900)
    r = rng.binomial(900, 0.01, size=(42, 200))
    periods = pd.DataFrame(
        {"period": pd.date_range("2025-01-06", periods=42, freq="W-MON"), "end": pd.NaT}
    )
    table = burst_table(r, d, [str(i) for i in range(200)], periods)
    assert table.label.nunique() / 200 <= 0.05


def burst_corpus(seed=0):
    """Four themes over 20 weeks; theme 0 triples in week 12; 'quokka' bursts in week 12 too."""
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2025-01-06", tz="UTC")
    for week in range(20):
        for theme, rate in enumerate([15, 40, 40, 40]):
            n = rng.poisson(rate * (3 if (theme == 0 and week == 12) else 1))
            for _ in range(n):
                day = start + pd.Timedelta(days=7 * week + int(rng.integers(0, 7)))
                word = "quokka" if week == 12 and rng.random() < 0.5 else "method"
                text = f"we study {word} results in theme{theme} data"
                rows.append((f"p{len(rows)}", day, text, theme))
    corpus = pd.DataFrame(rows, columns=["doc_id", "published", "text", "theme"])
    themes = pd.DataFrame({"theme_id": range(4), "label": ["bursty", "a", "b", "c"]})
    return (corpus.theme.to_numpy(), themes), corpus


def test_bursts_of_themes_and_phrases():
    view, corpus = burst_corpus()
    table = trends.bursts(view, corpus, freq="W")
    assert list(table.columns[:4]) == ["kind", "theme_id", "label", "start"]
    themes = table[table.kind == "theme"]
    assert themes.label.tolist() == ["bursty"]
    assert themes.start.iloc[0] == pd.Timestamp("2025-03-31")  # week 12
    phrases = table[table.kind == "phrase"]
    assert "quokka" in phrases.label.tolist()
    assert phrases.set_index("label").loc["quokka", "start"] == pd.Timestamp("2025-03-31")
    assert (table.strength.diff().dropna() <= 0).all()  # strongest first
    assert table.attrs["period"] == "week"
    only = trends.bursts(view, corpus, freq="W", phrases=False)
    assert set(only.kind) == {"theme"}


def test_burst_chart():
    from trends.charts import burst_timeline

    view, corpus = burst_corpus()
    table = trends.bursts(view, corpus, freq="W")
    fig = burst_timeline(table)
    data = fig.to_dict()["data"]
    names = [t["name"] for t in data]
    assert "phrases" in names and any(t.get("meta", {}).get("theme_id") == 0 for t in data)
    assert fig.layout.xaxis.type == "date"


def test_a_one_day_burst_is_drawn_on_a_day_axis():
    # plotly labels a one-day range in milliseconds and a few days in hours
    from trends.charts import burst_timeline

    day = pd.Timestamp("2025-03-20")
    table = pd.DataFrame(
        {
            "kind": ["theme"],
            "theme_id": [0],
            "label": ["agents"],
            "start": [day],
            "end": [day],
            "strength": [12.0],
            "papers": [30],
            "ratio": [3.0],
        }
    )
    axis = burst_timeline(table).layout.xaxis
    assert axis.dtick == 86_400_000 and axis.tickformat == "%Y-%m-%d"
    low, high = (pd.Timestamp(v) for v in axis.range)
    assert low < day and high > day  # the day is inside the axis, with room around it


def test_no_burst_at_all_gives_an_empty_table():
    periods = pd.DataFrame({"period": pd.date_range("2025-01-06", periods=5, freq="W-MON")})
    periods["end"] = periods.period + pd.Timedelta(days=6)
    table = burst_table(np.full((5, 2), 10), np.full(5, 100), ["a", "b"], periods)
    assert table.empty and "strength" in table.columns


def test_report_lists_distinct_phrases():
    from trends.timeline.sections import distinct_phrases

    day = pd.Timestamp("2025-03-03")
    table = pd.DataFrame(
        {
            "label": ["gaussian splatting", "splatting", "gaussian", "agents", "splatting"],
            "start": [day, day, day, day, day + pd.Timedelta(days=70)],
            "end": [day + pd.Timedelta(days=6)] * 4 + [day + pd.Timedelta(days=76)],
            "strength": [30.0, 25.0, 20.0, 10.0, 8.0],
        }
    )
    assert distinct_phrases(table).label.tolist() == ["gaussian splatting", "agents", "splatting"]
