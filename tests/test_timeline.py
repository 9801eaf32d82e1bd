"""Theme share over time and rising/fading themes, on planted synthetic trends."""

import numpy as np
import pandas as pd
import pytest

import trends
from trends.timeline import choose_freq, rate_ratio_ci


def planted(base_rates, recent_rates, *, days=100, recent_days=25, seed=0):
    """Papers per theme per day: ``base_rates`` before the recent window, then ``recent_rates``."""
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2025-01-01", tz="UTC")
    for d in range(days):
        rates = recent_rates if d >= days - recent_days else base_rates
        for theme, rate in enumerate(rates):
            for _ in range(rng.poisson(rate)):
                rows.append((f"p{len(rows)}", start + pd.Timedelta(days=d), theme))
    corpus = pd.DataFrame(rows, columns=["doc_id", "published", "theme"])
    names = ["rising theme", "fading theme", "flat one", "flat two", "tiny"][: len(base_rates)]
    themes = pd.DataFrame(
        {
            "theme_id": range(len(names)),
            "label": names,
            "size": [int((corpus.theme == t).sum()) for t in range(len(names))],
        }
    )
    view = (corpus.theme.to_numpy(), themes)  # plain data: one label per paper, the table
    return view, corpus


def test_share_over_time_is_tidy_and_complete():
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    shares = trends.theme_trends(view, corpus, freq="W")
    assert list(shares.columns) == ["period", "theme_id", "label", "count", "share"]
    n_periods = shares.period.nunique()
    assert len(shares) == 4 * n_periods  # every theme in every period
    assert shares["count"].sum() == len(corpus)
    per_period = shares.groupby("period")["share"].sum()
    assert np.allclose(per_period, 1.0)
    assert shares.attrs["freq"] == "W" and shares.attrs["undated"] == 0


def test_auto_frequency_rule():
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    # 13 papers a day over 4 themes: a day holds 13 < 40, a week ~91 >= 40
    assert trends.theme_trends(view, corpus).attrs["freq"] == "W"
    daily = pd.Series(pd.date_range("2025-01-01", periods=30, freq="D", tz="UTC").repeat(50))
    assert choose_freq(daily, 3) == "D"
    sparse = pd.Series(pd.date_range("2015-01-01", periods=400, freq="7D", tz="UTC"))
    assert choose_freq(sparse, 5) == "Y"


def test_undated_papers_are_counted_apart():
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    corpus.loc[:9, "published"] = pd.NaT
    with pytest.warns(UserWarning, match="10 of .* papers have no date"):
        shares = trends.theme_trends(view, corpus, freq="M")
    assert shares.attrs["undated"] == 10
    assert shares["count"].sum() == len(corpus) - 10


def test_no_dates_is_a_clear_message():
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    corpus["published"] = pd.NaT
    with pytest.raises(trends.NoDatesError, match="none of the .* papers has a date"):
        trends.theme_trends(view, corpus)
    with pytest.raises(trends.NoDatesError):
        trends.emerging(view, corpus)


def test_bad_frequency_names_itself():
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    with pytest.raises(ValueError, match="freq='fortnightly'"):
        trends.theme_trends(view, corpus, freq="fortnightly")


def test_planted_rising_fading_and_flat():
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    table = trends.emerging(view, corpus)
    status = dict(zip(table.label, table.status, strict=True))
    assert status == {
        "rising theme": "rising",
        "fading theme": "fading",
        "flat one": "stable",
        "flat two": "stable",
    }
    assert table.label.iloc[0] == "rising theme"  # most confidently rising first
    assert table.label.iloc[-1] == "fading theme"
    rising = table.set_index("label").loc["rising theme"]
    assert 2.0 < rising.ratio < 4.5 and rising.ci_low > 1
    assert rising.recent_count + rising.baseline_count == (view[0] == 0).sum()
    assert {"recent_share", "baseline_share", "ci_low", "ci_high"} <= set(table.columns)


@pytest.mark.parametrize("seed", range(5))
def test_flat_themes_stay_stable_across_seeds(seed):
    view, corpus = planted([4, 4, 4, 4], [4, 4, 4, 4], seed=seed)
    table = trends.emerging(view, corpus)
    assert (table.status == "stable").sum() >= 3  # 95% intervals: rarely one false alarm


def test_two_papers_becoming_four_is_not_rising():
    rows = [(f"a{i}", "2025-01-10", 0) for i in range(2)] + [
        (f"b{i}", "2025-03-10", 0) for i in range(4)
    ]
    rows += [(f"c{i}", "2025-01-10", 1) for i in range(300)] + [
        (f"d{i}", "2025-03-10", 1) for i in range(300)
    ]
    corpus = pd.DataFrame(rows, columns=["doc_id", "published", "theme"])
    corpus["published"] = pd.to_datetime(corpus.published, utc=True)
    themes = pd.DataFrame({"theme_id": [0, 1], "label": ["small", "big"], "size": [6, 600]})
    view = (corpus.theme.to_numpy(), themes)  # plain data: one label per paper, the table
    table = trends.emerging(view, corpus).set_index("label")
    assert table.loc["small", "status"] == "stable"


def test_new_theme():
    view, corpus = planted([0, 4, 4, 4], [5, 4, 4, 4])
    table = trends.emerging(view, corpus).set_index("label")
    assert table.loc["rising theme", "status"] == "new"
    assert table.loc["rising theme", "baseline_count"] == 0


def test_custom_windows():
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    table = trends.emerging(view, corpus, recent="25D", baseline="25D")
    assert table.attrs["baseline_papers"] < table.attrs["recent_papers"] * 1.5
    explicit = trends.emerging(
        view, corpus, recent=("2025-03-16", "2025-04-10"), baseline=("2024-12-31", "2025-03-16")
    )
    assert explicit.set_index("label").loc["rising theme", "status"] == "rising"


def test_rate_ratio_ci_matches_scipy():
    from scipy.stats.contingency import relative_risk

    ratio, low, high = rate_ratio_ci(30, 300, 20, 400)
    ref = relative_risk(30, 300, 20, 400)
    ci = ref.confidence_interval(0.95)
    assert ratio == pytest.approx(ref.relative_risk)
    assert (low, high) == pytest.approx((ci.low, ci.high))
    # zero counts still give a finite interval
    ratio, low, high = rate_ratio_ci(0, 100, 10, 100)
    assert ratio == 0 and 0 < low < high < 1


def test_with_a_fitted_model(synthetic):
    frame, emb, _ = synthetic
    model = trends.ThemeModel(verbose=False).fit(frame, embeddings=emb)
    shares = trends.theme_trends(model, frame, freq="W")
    assert set(shares.theme_id) == set(model.themes_.theme_id)
    table = trends.emerging(model, frame)
    assert len(table) == model.n_themes_
