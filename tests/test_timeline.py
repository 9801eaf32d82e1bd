"""Theme share over time and rising/fading themes, on planted synthetic trends."""

import numpy as np
import pandas as pd
import pytest

import trends
from trends.timeline import (
    choose_freq,
    date_precision,
    emerging_table,
    mix_changes,
    periods_of,
    rate_ratio_ci,
)
from trends.timeline.emerging import bh_qvalues, mantel_haenszel


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
    assert list(shares.columns) == [
        "period", "theme_id", "label", "count", "share", "papers", "partial"
    ]  # fmt: skip
    n_periods = shares.period.nunique()
    assert len(shares) == 4 * n_periods  # every theme in every period
    assert shares["count"].sum() == len(corpus)
    per_period = shares.groupby("period")["share"].sum()
    assert np.allclose(per_period, 1.0)
    assert shares.attrs["freq"] == "W" and shares.attrs["undated"] == 0
    assert shares.attrs["period"] == "week" and "Monday to Sunday" in shares.attrs["note"]


def test_partial_periods_are_flagged_at_both_ends():
    # 2025-01-01 is a Wednesday and day 99 (2025-04-10) a Thursday: both weeks are cut
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    shares = trends.theme_trends(view, corpus, freq="W")
    flags = shares.drop_duplicates("period").set_index("period").partial
    assert flags.iloc[0] and flags.iloc[-1] and not flags.iloc[1:-1].any()
    periods = periods_of(corpus, freq="W")
    assert 0.5 < periods.table.coverage.iloc[0] < 1 and 0.4 < periods.table.coverage.iloc[-1] < 1
    # whole months: the corpus starts on 1 January, so only the last month (April) is cut
    monthly = periods_of(corpus, freq="M").table
    assert not monthly.partial.iloc[0] and monthly.partial.iloc[-1]


def test_a_weekday_feed_ending_on_friday_covers_its_last_week():
    days = pd.bdate_range("2025-03-03", "2025-03-28", tz="UTC")  # Monday to Friday
    corpus = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(days) * 5)]})
    corpus["published"] = np.repeat(days, 5)
    table = periods_of(corpus, freq="W").table
    assert not table.partial.any()  # weekends hold no papers: a Mon-Fri week is whole
    cut = periods_of(corpus.iloc[5:-5], freq="W").table  # starts Tuesday, ends Thursday
    assert cut.partial.iloc[0] and cut.partial.iloc[-1]
    # four of five weekdays, each weighted by how many papers its weekday holds
    assert 0.75 < cut.coverage.iloc[0] < 0.9 and 0.75 < cut.coverage.iloc[-1] < 0.9


def test_default_windows_leave_out_partial_periods():
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    table = trends.emerging(view, corpus)
    r0, r1 = table.attrs["recent"]
    b0, _ = table.attrs["baseline"]
    assert r0.dayofweek == 0 and b0.dayofweek == 0  # windows start on whole weeks
    assert b0 > pd.Timestamp("2025-01-01", tz="UTC")  # the cut first week is left out
    assert r1 < pd.Timestamp("2025-04-10", tz="UTC")  # and so is the cut last one
    left = table.attrs["left_out"]
    assert left > 0
    assert table.attrs["recent_papers"] + table.attrs["baseline_papers"] + left == len(corpus)
    # A recent window given as a length leaves the same partial weeks out, and says so
    # (it said 0 unless both windows were defaults).
    four = trends.emerging(view, corpus, recent="28D")
    assert four.attrs["left_out"] == left


def year_only_corpus(seed=0):
    """A conference dated by year only: every paper on 1 January, 1990-2019."""
    rng = np.random.default_rng(seed)
    rows = []
    for year in range(1990, 2020):
        rising = 2 + (year - 1990)  # grows every year
        for theme, n in enumerate([rising, 20, 20]):
            for _ in range(rng.poisson(n)):
                rows.append((f"p{len(rows)}", f"{year}-01-01", theme))
    corpus = pd.DataFrame(rows, columns=["doc_id", "year", "theme"])
    corpus["published"] = pd.to_datetime(corpus.year, utc=True)
    themes = pd.DataFrame({"theme_id": [0, 1, 2], "label": ["growing", "steady", "other"]})
    return (corpus.theme.to_numpy(), themes), corpus


def test_year_only_dates_are_binned_by_year():
    view, corpus = year_only_corpus()
    assert date_precision(corpus.published) == "Y"
    shares = trends.theme_trends(view, corpus)
    assert shares.attrs["freq"] == "Y" and shares.attrs["precision"] == "Y"
    assert shares.period.nunique() == 30
    assert not shares.partial.any()  # a year-dated corpus covers its years whole
    assert "A period is one year" in shares.attrs["note"]
    assert "given to the year" in shares.attrs["note"]
    with pytest.warns(UserWarning, match="given to the year only"):
        coarse = trends.theme_trends(view, corpus, freq="M")
    assert coarse.attrs["freq"] == "Y"
    table = trends.emerging(view, corpus)
    r0, r1 = table.attrs["recent"]
    assert (r0.month, r0.day) == (1, 1) and (r1.month, r1.day) == (12, 31)
    assert r0.year == 2012  # the last quarter of 30 whole years: 8 years
    assert table.set_index("label").loc["growing", "status"] == "rising"


def test_month_precision():
    months = pd.date_range("2023-01-01", periods=24, freq="MS", tz="UTC")
    corpus = pd.DataFrame({"published": np.repeat(months, 30)})
    assert date_precision(corpus.published) == "M"
    assert choose_freq(corpus.published, 1) == "M"  # never weeks or days
    daily = pd.Series(pd.date_range("2025-01-01", periods=90, freq="D", tz="UTC"))
    assert date_precision(daily) == "D"


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


def test_a_store_without_a_file_or_papers_says_so(tmp_path):
    """A mistyped store path read as a store of 0 papers: emerging said "none of the 0
    papers has a date ... (load a source with a date ...)" and the lineage chart was empty."""
    from trends.store import Store
    from trends.timeline import lineage_flows

    missing = Store(tmp_path / "feeed.sqlite")
    for call in (trends.emerging, trends.theme_trends, lineage_flows, trends.charts.lineage):
        with pytest.raises(trends.StoreError, match=r"feeed\.sqlite: no such file"):
            call(missing)
    assert not (tmp_path / "feeed.sqlite").exists()  # nothing created by asking
    (tmp_path / "empty.sqlite").touch()
    empty = Store(tmp_path / "empty.sqlite")
    for call in (trends.emerging, lineage_flows):
        with pytest.raises(trends.StoreError, match=r"empty\.sqlite: the store holds no papers"):
            call(empty)


def test_bad_frequency_names_itself():
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    with pytest.raises(ValueError, match="freq='fortnightly'"):
        trends.theme_trends(view, corpus, freq="fortnightly")
    # pandas bins "2W" by the week: refused rather than mislabelled
    with pytest.raises(ValueError, match="multiples of a period are not supported"):
        trends.theme_trends(view, corpus, freq="2W")


def test_periods_by_name():
    # the README names the periods day, week, month, quarter and year
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    for name, code in [("week", "W"), ("Month", "M"), ("day", "D")]:
        by_name = trends.theme_trends(view, corpus, freq=name)
        pd.testing.assert_frame_equal(by_name, trends.theme_trends(view, corpus, freq=code))
        assert by_name.attrs["freq"] == code


def test_one_date_says_so_instead_of_asking_for_a_finer_freq():
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    corpus["published"] = pd.Timestamp("2025-03-19 14:00", tz="UTC")
    with pytest.raises(trends.NoDatesError, match=r"same date \(2025-03-19\)") as caught:
        trends.emerging(view, corpus)
    assert "finer freq" not in str(caught.value)


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
    assert 2.0 < rising.ratio < 4.5 and rising.ci_low > 1 and rising.q_value <= 0.05
    # called exactly where the (false-coverage-rate) interval excludes 1
    excludes = (table.ci_low > 1) | (table.ci_high < 1)
    assert (table.status.isin(["rising", "new", "fading"]) == excludes).all()
    assert {"recent_share", "baseline_share", "ci_low", "ci_high", "p_value"} <= set(table.columns)


def test_the_most_confident_call_comes_first_among_rising_and_among_fading():
    # two themes fall, one to a third and one by half; two rise, one threefold and one
    # by half. Before, the fading themes were listed by the lower bound of their interval:
    # the least confident fall first.
    view, corpus = planted([6, 6, 2, 2, 4], [2, 3, 6, 3, 4], days=200, recent_days=50)
    table = trends.emerging(view, corpus)
    calls = table[table.status != "stable"]
    assert calls.status.tolist() == ["rising", "rising", "fading", "fading"]
    assert calls.label.tolist() == ["flat one", "flat two", "rising theme", "fading theme"]
    fading = calls[calls.status == "fading"]
    assert fading.ci_high.is_monotonic_increasing


@pytest.mark.parametrize("seed", range(5))
def test_flat_themes_stay_stable_across_seeds(seed):
    view, corpus = planted([4, 4, 4, 4], [4, 4, 4, 4], seed=seed)
    table = trends.emerging(view, corpus)
    assert (table.status == "stable").sum() >= 3  # rarely one false call (5% FDR)


def test_shuffled_dates_call_almost_nothing():
    """Calibration: with time meaning nothing, at most 5% of the themes are called."""
    rng = np.random.default_rng(7)
    sizes = rng.integers(20, 400, size=40)
    labels = np.repeat(np.arange(40), sizes)
    days = pd.date_range("2025-01-01", periods=200, freq="D", tz="UTC")
    themes = pd.DataFrame({"theme_id": range(40), "label": [f"t{i}" for i in range(40)]})
    called = []
    for _ in range(10):
        corpus = pd.DataFrame({"published": rng.choice(days, size=len(labels))})
        table = emerging_table(labels, themes, corpus)
        called.append(table.status.isin(["rising", "new", "fading"]).mean())
    assert np.mean(called) <= 0.05


def test_bh_qvalues_match_statsmodels():
    from statsmodels.stats.multitest import multipletests

    p = np.array([0.001, 0.04, 0.03, np.nan, 0.2, 0.0004])
    ours = bh_qvalues(p)
    ref = multipletests(p[~np.isnan(p)], method="fdr_bh")[1]
    assert np.isnan(ours[3])
    assert ours[~np.isnan(p)] == pytest.approx(ref)


def small_and_big():
    """A theme of 2 papers becoming 4 (below ``min_papers``), a flat one of 300 and 300."""
    rows = [(f"a{i}", "2025-01-10", 0) for i in range(2)] + [
        (f"b{i}", "2025-03-10", 0) for i in range(4)
    ]
    rows += [(f"c{i}", "2025-01-10", 1) for i in range(300)] + [
        (f"d{i}", "2025-03-10", 1) for i in range(300)
    ]
    corpus = pd.DataFrame(rows, columns=["doc_id", "published", "theme"])
    corpus["published"] = pd.to_datetime(corpus.published, utc=True)
    themes = pd.DataFrame({"theme_id": [0, 1], "label": ["small", "big"], "size": [6, 600]})
    return (corpus.theme.to_numpy(), themes), corpus


def test_two_papers_becoming_four_is_not_rising():
    view, corpus = small_and_big()
    table = trends.emerging(view, corpus).set_index("label")
    assert table.loc["small", "status"] == "untested"  # before: "stable", read as a finding
    assert np.isnan(table.loc["small", "ci_low"]) and np.isnan(table.loc["small", "p_value"])


def test_a_theme_below_min_papers_is_untested_and_a_tested_flat_one_stable():
    from trends.timeline.emerging import CALLS, STATUS_ORDER

    view, corpus = small_and_big()
    table = trends.emerging(view, corpus)
    assert table.set_index("label").status.to_dict() == {"small": "untested", "big": "stable"}
    assert list(table.label) == ["big", "small"]  # the untested after every tested theme
    assert max(STATUS_ORDER, key=STATUS_ORDER.get) == "untested"
    assert "untested" not in CALLS and "stable" not in CALLS
    assert table.attrs["tested"] == 1 and table.attrs["min_papers"] == 10
    # the same 6 papers are tested once min_papers allows it: then a finding, "stable"
    lower = trends.emerging(view, corpus, min_papers=6).set_index("label")
    assert lower.loc["small", "status"] == "stable" and lower.loc["small", "ci_low"] > 0
    assert lower.attrs["tested"] == 2


def test_new_theme():
    view, corpus = planted([0, 4, 4, 4], [5, 4, 4, 4])
    table = trends.emerging(view, corpus).set_index("label")
    assert table.loc["rising theme", "status"] == "new"
    assert table.loc["rising theme", "baseline_count"] == 0


def test_custom_windows():
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    table = trends.emerging(view, corpus, recent="28D", baseline="28D")
    assert table.attrs["baseline_papers"] < table.attrs["recent_papers"] * 1.5
    r0, r1 = table.attrs["recent"]
    assert (r1 - r0).days == 27  # four whole weeks
    explicit = trends.emerging(
        view, corpus, recent=("2025-03-16", "2025-04-10"), baseline=("2024-12-31", "2025-03-15")
    )
    assert explicit.set_index("label").loc["rising theme", "status"] == "rising"
    # A window of dates ends at the last moment of its last day, as a window of periods
    # does (it ended at midnight before that day although the day's papers are in it).
    end = pd.Timestamp("2025-04-11", tz="UTC") - pd.Timedelta(1)
    assert explicit.attrs["recent"] == (pd.Timestamp("2025-03-16", tz="UTC"), end)
    assert explicit.attrs["baseline"][1] == pd.Timestamp("2025-03-16", tz="UTC") - pd.Timedelta(1)


def test_a_window_of_dates_holds_both_days():
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    days = corpus.published.dt.strftime("%Y-%m-%d")
    table = trends.emerging(view, corpus, recent=("2025-03-16", "2025-03-31"))
    assert table.attrs["recent_papers"] == int(days.between("2025-03-16", "2025-03-31").sum())
    assert table.attrs["baseline_papers"] == int((days < "2025-03-16").sum())
    # a paper in the afternoon of the last day is in the window too
    late = corpus.published.dt.strftime("%Y-%m-%d") == "2025-03-31"
    corpus.loc[late, "published"] += pd.Timedelta(hours=15)
    again = trends.emerging(view, corpus, recent=("2025-03-16", "2025-03-31"))
    assert again.attrs["recent_papers"] == table.attrs["recent_papers"]
    with pytest.raises(trends.InputError, match="share .* papers"):
        trends.emerging(
            view, corpus, recent=("2025-03-16", "2025-03-31"), baseline=("2025-01-01", "2025-03-16")
        )


@pytest.mark.parametrize(
    "window", ["2025-06-01", "garbage", 2, 0.25, -1, "-8W", ("2025-06-01", None), ("2025-06-01",)]
)
def test_a_window_in_another_form_is_one_clear_error(window):
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    with pytest.raises(trends.InputError, match="expected a length before the end"):
        trends.emerging(view, corpus, recent=window)


@pytest.mark.parametrize("which", ["recent", "baseline"])
def test_a_window_that_ends_before_it_starts_names_both_dates(which):
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    windows = {"recent": ("2025-03-16", "2025-04-10"), "baseline": ("2025-01-01", "2025-03-15")}
    windows[which] = windows[which][::-1]
    start, end = windows[which]
    with pytest.raises(trends.InputError) as caught:
        trends.emerging(view, corpus, **windows)
    message = str(caught.value)
    assert f"{which}=" in message and f"starts {start}" in message and f"ends {end}" in message
    assert "expected a length" not in message  # before: only the accepted forms, as if a typo


def test_a_window_from_an_hour_to_the_end_of_that_day_is_not_reversed():
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    corpus.loc[corpus.published == "2025-04-10", "published"] += pd.Timedelta(hours=15)
    table = trends.emerging(view, corpus, recent=("2025-04-10 12:00", "2025-04-10"))
    late = corpus.published >= pd.Timestamp("2025-04-10 12:00", tz="UTC")
    assert table.attrs["recent_papers"] == int(late.sum()) > 0


def test_old_level_argument_still_means_confidence():
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    with pytest.warns(FutureWarning, match="confidence"):
        table = trends.emerging(view, corpus, level=0.9)
    assert table.attrs["fdr"] == pytest.approx(0.1)


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


def test_mantel_haenszel_matches_statsmodels_and_katz():
    from statsmodels.stats.contingency_tables import StratifiedTable

    a, n1, b, n0 = [30, 5, 12], [300, 100, 80], [20, 9, 10], [400, 90, 120]
    ratio, log_ratio, se = mantel_haenszel(a, n1, b, n0)
    tables = [np.array([[x, m - x], [y, k - y]]) for x, m, y, k in zip(a, n1, b, n0, strict=True)]
    assert ratio == pytest.approx(StratifiedTable(tables).riskratio_pooled)
    assert log_ratio == pytest.approx(np.log(ratio))
    # one stratum: the Greenland-Robins variance is Katz's
    one = mantel_haenszel([30], [300], [20], [400])
    point, low, _ = rate_ratio_ci(30, 300, 20, 400)
    assert one[0] == pytest.approx(point)
    assert one[1] - 1.959964 * one[2] == pytest.approx(np.log(low))


def mixed_feed(seed=0):
    """Two categories; from day 56 (a Monday) the feed collects 12 times more of B.

    Theme 0 lives in B. Within each category every theme is flat: only the mix moves.
    """
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2025-01-06", tz="UTC")
    for d in range(112):
        for cat, n in (("A", 20), ("B", 60 if d >= 56 else 5)):
            for _ in range(rng.poisson(n)):
                probs = [0.6, 0.2, 0.2] if cat == "B" else [0.02, 0.49, 0.49]
                theme = rng.choice(3, p=probs)
                rows.append((f"p{len(rows)}", start + pd.Timedelta(days=d), [cat, "x"], theme))
    corpus = pd.DataFrame(rows, columns=["doc_id", "published", "categories", "theme"])
    themes = pd.DataFrame({"theme_id": [0, 1, 2], "label": ["B-ish", "A one", "A two"]})
    return (corpus.theme.to_numpy(), themes), corpus


def test_a_change_of_mix_is_flagged_and_adjusted_away():
    view, corpus = mixed_feed()
    changes = mix_changes(corpus, by="categories", freq="W")
    flagged = changes[changes.flagged]
    assert len(flagged) == 1
    week = flagged.iloc[0]
    assert week.period == pd.Timestamp("2025-03-03")  # day 56
    assert week.volume_change and week.mix_change and "B" in week.what
    crude = trends.emerging(view, corpus).set_index("label")
    assert crude.loc["B-ish", "status"] == "rising"  # an artefact of the feed
    adjusted = trends.emerging(view, corpus, adjust_for="categories").set_index("label")
    assert adjusted.loc["B-ish", "status"] == "stable"
    assert 0.6 < adjusted.loc["B-ish", "ratio"] < 1.6
    shares = trends.theme_trends(view, corpus, freq="W", adjust_for="categories")
    b_ish = shares[shares.theme_id == 0]
    assert b_ish.crude_share.iloc[-1] > 3 * b_ish.crude_share.iloc[0]
    assert b_ish.share.iloc[-1] < 1.6 * b_ish.share.iloc[0]  # standardised: flat
    assert shares.attrs["adjusted_for"] == "categories"
    with pytest.raises(trends.InputError, match="no 'venue' column"):
        trends.emerging(view, corpus, adjust_for="venue")


def test_a_steady_feed_has_no_mix_change():
    view, corpus = planted([4, 4, 4, 4], [4, 4, 4, 4])
    corpus["categories"] = [["A"] if i % 3 else ["B"] for i in range(len(corpus))]
    changes = mix_changes(corpus, by="categories", freq="W")
    assert not changes.flagged.any()


class TreeStandIn:
    """A fitted model's stand-in with the theme tree contract: ``themes_at(n)``."""

    def __init__(self, labels, themes):
        self.labels, self.themes_ = labels, themes

    def assign(self, corpus):
        return self.labels

    def themes_at(self, n):
        assert n == 2
        return pd.DataFrame(
            {
                "theme_id": [0, 1, -1],
                "label": ["rising+flat", "fading+flat", "Outliers"],
                "members": [[0, 2], [1, 3], [-1]],
            }
        )


def test_level_groups_themes_by_the_tree():
    (labels, themes), corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    model = TreeStandIn(labels, themes)
    shares = trends.theme_trends(model, corpus, freq="W", level=2)
    assert set(shares.theme_id) == {0, 1, -1}
    fine = trends.theme_trends((labels, themes), corpus, freq="W")
    both = fine[fine.theme_id.isin([0, 2])].groupby("period")["count"].sum()
    assert (shares[shares.theme_id == 0].set_index("period")["count"] == both).all()
    table = trends.emerging(model, corpus, level=2).set_index("label")
    assert table.loc["rising+flat", "status"] == "rising"
    with pytest.raises(trends.InputError, match="themes_at"):
        trends.theme_trends((labels, themes), corpus, level=2)


def test_with_a_fitted_model(synthetic):
    frame, emb, _ = synthetic
    model = trends.ThemeModel(verbose=False).fit(frame, embeddings=emb)
    shares = trends.theme_trends(model, frame, freq="W")
    assert set(shares.theme_id) == set(model.themes_.theme_id)
    table = trends.emerging(model, frame)
    assert len(table) == model.n_themes_


def test_level_with_the_model_tree(synthetic):
    frame, emb, _ = synthetic
    model = trends.ThemeModel(verbose=False).fit(frame, embeddings=emb)
    if not hasattr(model, "themes_at"):
        pytest.skip("the theme tree (issue 12) is not in this build")
    shares = trends.theme_trends(model, frame, freq="W", level=2)
    groups = set(shares.theme_id) - {-1}
    assert groups == {0, 1}
    fine = trends.theme_trends(model, frame, freq="W")
    assert shares["count"].sum() == fine["count"].sum()
    assert len(trends.emerging(model, frame, level=2)) == 2


def test_a_daily_feed_that_starts_on_the_1st_stays_daily():
    # Before: 37% of a 5-day July feed sat on July 1, so the dates were taken for months
    # (and a Mon-Fri feed across New Year for years): freq="day" was refused.
    counts = {"2025-07-01": 469, "2025-07-02": 270, "2025-07-03": 248, "2025-07-04": 217}
    july = pd.Series(pd.DatetimeIndex([d for d, n in counts.items() for _ in range(n)], tz="UTC"))
    assert date_precision(july) == "D"
    assert periods_of(pd.DataFrame({"published": july}), freq="day").table.shape[0] == 4
    new_year = pd.Series(pd.date_range("2024-12-30", "2025-01-03", freq="D", tz="UTC").repeat(40))
    assert date_precision(new_year) == "D"
    # a month-dated corpus with a few day-dated papers is still months
    months = pd.date_range("2023-01-01", periods=12, freq="MS", tz="UTC").repeat(30)
    days = pd.date_range("2023-01-02", periods=60, freq="5D", tz="UTC")
    assert date_precision(pd.Series(months.append(days))) == "M"


def test_auto_falls_back_to_the_coarsest_frequency_with_three_periods():
    # 400 papers over four months for 13 themes: no frequency holds 130 papers a period;
    # months (4 periods) compare, days (4 papers a theme) do not. Before: days.
    rng = np.random.default_rng(0)
    days = pd.Timestamp("2025-03-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 110, 400), "D")
    assert choose_freq(pd.Series(days), 13) == "M"


def test_a_theme_with_no_papers_in_either_window_has_no_ratio():
    view, corpus = planted([0, 4, 4, 4], [0, 4, 4, 4])
    table = trends.emerging(view, corpus).set_index("label")
    row = table.loc["rising theme"]
    assert row.recent_count == 0 and row.baseline_count == 0
    assert np.isnan(row.ratio) and row.status == "untested"  # before: ratio inf, shown "new"
    from trends.timeline.sections import _ratio_text

    # no paper before: said in words, not "new", which is a status (and may be untested)
    assert _ratio_text(row.ratio) == "–" and _ratio_text(float("inf")) == "none before"


@pytest.mark.parametrize("confidence", [0, 1, 1.5, -0.2, "95%"])
def test_confidence_outside_zero_one_is_refused(confidence):
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    with pytest.raises(trends.errors.InputError, match="between 0 and 1"):
        trends.emerging(view, corpus, confidence=confidence)


def _weekday_feed(days, per_day=20):
    dates = np.repeat(days, per_day)
    corpus = pd.DataFrame(
        {"doc_id": [str(i) for i in range(len(dates))], "published": dates.tz_localize("UTC")}
    )
    themes = pd.DataFrame({"theme_id": [0, 1, 2], "label": ["a", "b", "c"]})
    return (np.arange(len(dates)) % 3, themes), corpus


def test_a_window_length_is_calendar_time():
    # A daily weekday feed: "8W" is 56 days, not 56 days with papers (82 calendar days).
    view, corpus = _weekday_feed(pd.bdate_range("2025-03-03", "2025-06-30"))
    r0, r1 = trends.emerging(view, corpus, freq="day", recent="8W").attrs["recent"]
    assert (r1.normalize() - r0).days + 1 == 56
    # An 8-week outage: the 4 weeks before the recent window are empty, which is said,
    # not replaced by 4 weeks from before the outage.
    days = pd.bdate_range("2024-01-01", "2024-06-28")
    week = (days - pd.Timestamp("2024-01-01")).days // 7
    view, corpus = _weekday_feed(days[(week < 5) | (week > 12)])
    table = trends.emerging(view, corpus, freq="week", recent="8W", baseline="4W")
    b0, b1 = table.attrs["baseline"]
    assert (f"{b0:%Y-%m-%d}", f"{b1:%Y-%m-%d}") == ("2024-04-08", "2024-05-05")
    empty = r"baseline window \(2024-03-04 to 2024-03-31\) holds no papers"
    with pytest.raises(trends.EmptyWindowError, match=empty):
        trends.emerging(view, corpus, freq="week", recent="13W", baseline="4W")


def test_a_gap_before_the_last_partial_period_does_not_empty_the_default_windows():
    # Four whole weeks of a weekday feed, a three-week gap, then one Wednesday. Before:
    # the default recent window was the last two whole weeks, both in the gap, and
    # emerging raised NoDatesError ("holds 0 papers ... both need papers").
    days = pd.bdate_range("2025-03-03", "2025-03-28").append(pd.DatetimeIndex(["2025-04-23"]))
    view, corpus = _weekday_feed(days)
    table = trends.emerging(view, corpus, freq="week")
    r0, r1 = table.attrs["recent"]
    assert (f"{r0:%Y-%m-%d}", f"{r1:%Y-%m-%d}") == ("2025-03-24", "2025-03-30")
    assert table.attrs["recent_papers"] == 100 and table.attrs["baseline_papers"] == 300
    assert table.attrs["left_out"] == 20  # the partial week after the gap, as without one
    # Only one whole week holds papers: the windows take the partial weeks too, and say so.
    view, corpus = _weekday_feed(days[days >= "2025-03-19"])
    table = trends.emerging(view, corpus, freq="week")
    assert table.attrs["recent_papers"] == 20 and table.attrs["left_out"] == 0
    assert "the rising/fading windows include them" in table.attrs["note"]


def test_an_empty_window_says_so_and_what_to_do():
    days = pd.bdate_range("2025-03-03", "2025-03-28").append(pd.DatetimeIndex(["2025-04-23"]))
    view, corpus = _weekday_feed(days)
    with pytest.raises(trends.EmptyWindowError) as caught:
        trends.emerging(view, corpus, freq="week", recent=("2025-04-07", "2025-04-20"))
    message = str(caught.value)
    assert "recent window (2025-04-07 to 2025-04-20) holds no papers" in message
    assert "recent=" in message and "both need papers" not in message
    # the papers have dates: not a NoDatesError by name, still one for those catching it
    assert type(caught.value) is not trends.NoDatesError
    assert isinstance(caught.value, trends.NoDatesError)


def test_a_recent_window_longer_than_the_feed_is_shortened_with_a_warning():
    """recent="2W" on a 6-day feed was silently cut to the last 5 days."""
    view, corpus = _weekday_feed(pd.bdate_range("2025-04-28", "2025-05-05"))
    with pytest.warns(RuntimeWarning, match=r"recent='2W' is as long as .* shortened") as caught:
        table = trends.emerging(view, corpus, freq="day", recent="2W")
    assert len(caught) == 1 and table.attrs["baseline_papers"] > 0
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a window that fits: no warning
        trends.emerging(view, corpus, freq="day", recent="3D")


def test_windows_of_partial_periods_say_so_and_end_with_the_data():
    # March and May partial, April whole: fewer than two whole months, so the windows use
    # the partial ones; the note says so and the recent window ends on the last day.
    view, corpus = _weekday_feed(pd.bdate_range("2025-03-18", "2025-05-09"))
    table = trends.emerging(view, corpus, freq="month")
    r0, r1 = table.attrs["recent"]
    assert (f"{r0:%Y-%m-%d}", f"{r1:%Y-%m-%d}") == ("2025-05-01", "2025-05-09")
    assert f"{table.attrs['baseline'][0]:%Y-%m-%d}" == "2025-03-18"
    assert "the rising/fading windows include them" in table.attrs["note"]
    assert "left out of the rising/fading windows" not in table.attrs["note"]


@pytest.mark.parametrize("freq", ["min", "h", "B", "fortnightly"])
def test_a_frequency_that_is_no_period_of_papers_is_one_clear_error(freq):
    # before: "min" gave "A period is one min", "B" pandas' FutureWarnings
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    with pytest.raises(trends.errors.InputError, match=f"freq={freq!r}"):
        trends.theme_trends(view, corpus, freq=freq)


def test_freq_none_is_auto_and_weeks_say_their_days():
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    auto = trends.theme_trends(view, corpus)
    pd.testing.assert_frame_equal(trends.theme_trends(view, corpus, freq=None), auto)
    assert "(Monday to Sunday)" in auto.attrs["note"]
    wed = trends.theme_trends(view, corpus, freq="W-WED")
    assert "(Thursday to Wednesday)" in wed.attrs["note"]


def test_text_dates_of_a_hand_built_table_keep_one_order():
    # Before: pandas' format="mixed" read 03/04/2024 as 4 March and 13/04/2024 as 13 April
    # in the same column (with ~40 warnings), and "2019.0" was refused.
    import warnings

    from trends.timeline.periods import as_dates

    for sep in "/.":
        column = pd.Series([f"03{sep}04{sep}2024", f"13{sep}04{sep}2024", None, " "] * 10)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            dates = as_dates(column)
        assert f"{dates[0]:%Y-%m-%d}" == "2024-04-03" and f"{dates[1]:%Y-%m-%d}" == "2024-04-13"
        assert dates.isna().sum() == 20  # None and blanks are missing, not errors
    years = as_dates(pd.Series(["2019.0", "2020.0"]))
    assert years.dt.year.tolist() == [2019, 2020]
    with pytest.raises(trends.InputError, match=r"row 1 holds 'soon'"):
        as_dates(pd.Series(["13/04/2024", "soon"]))


def test_a_plain_column_of_integer_years_is_years():
    # before: 2019 read as 2019 nanoseconds after 1970, every paper on 1970-01-01
    view, corpus = year_only_corpus()
    corpus = corpus.assign(published=corpus.year.str[:4].astype(int))
    shares = trends.theme_trends(view, corpus)
    assert shares.attrs["freq"] == "Y" and shares.period.min() == pd.Timestamp("1990-01-01")
    with pytest.raises(trends.errors.InputError, match="not years"):
        trends.theme_trends(view, corpus.assign(published=1_700_000_000))


def test_a_gap_in_the_feed_is_an_empty_period_not_a_step():
    # Weekday papers from January to May without March: before, the monthly table and
    # its chart went from February straight to April.
    days = pd.bdate_range("2024-01-15", "2024-05-15")
    view, corpus = _weekday_feed(days[days.month != 3])
    shares = trends.theme_trends(view, corpus, freq="month")
    march = shares[shares.period == pd.Timestamp("2024-03-01")]
    assert len(march) == 3 and (march["count"] == 0).all() and (march.papers == 0).all()
    assert march.share.isna().all()  # no papers, no share (not a share of 0)
    assert shares.period.nunique() == 5
    from trends.timeline import mix_changes

    weekly = mix_changes(corpus.assign(categories=[["cs.CL"]] * len(corpus)), freq="week")
    flagged = weekly[weekly.flagged]
    assert flagged.what.tolist() == ["no papers", "papers again, after a period without any"]
    assert f"{flagged.period.iloc[0]:%Y-%m-%d}" == "2024-03-04"  # the first empty week
    # a daily weekday feed keeps its weekdays: weekends are no gap
    daily = trends.theme_trends(view, corpus, freq="day")
    assert (daily.drop_duplicates("period").period.dt.day_of_week < 5).all()


def test_a_pile_of_year_only_dates_in_a_daily_corpus_is_warned_about():
    # 850 papers dated to the day and 150 to the year only (under the fifth that makes
    # the whole corpus year-dated): before, January held three times a usual month, silently.
    rng = np.random.default_rng(0)
    days = pd.Timestamp("2023-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 731, 850), "D")
    years = pd.to_datetime(["2023-01-01", "2024-01-01"] * 75, utc=True)
    corpus = pd.DataFrame({"published": days.append(years)})
    view = (np.zeros(len(corpus), dtype=int), pd.DataFrame({"theme_id": [0], "label": ["a"]}))
    assert date_precision(corpus.published) == "D"
    with pytest.warns(UserWarning, match=r"papers sit on the 1st of a month at midnight"):
        trends.theme_trends(view, corpus, freq="month")


def test_a_stray_old_date_does_not_fill_decades_with_empty_periods():
    # Two years of a weekday feed and one paper misdated 1995: the empty weeks between
    # are the gap to a stray date, left out with a warning (before this fix, 1,544 weeks
    # and a baseline window of empty years).
    view, corpus = _weekday_feed(pd.bdate_range("2023-01-02", "2024-12-27"), per_day=5)
    corpus = pd.concat(
        [
            corpus,
            pd.DataFrame({"doc_id": ["old"], "published": [pd.Timestamp("1995-06-01", tz="UTC")]}),
        ],
        ignore_index=True,
    )
    view = (np.append(view[0], 0), view[1])
    with pytest.warns(UserWarning, match=r"1 of 2,601 dated papers are far .*1995-06-01"):
        shares = trends.theme_trends(view, corpus, freq="week")
    # the stray paper is left out and counted: only the feed's 104 weeks
    assert shares.period.nunique() == 104 and shares.attrs["stray"] == 1
    assert shares.drop_duplicates("period").papers.sum() == len(corpus) - 1
    with pytest.warns(UserWarning, match="stray dates"):
        table = trends.emerging(view, corpus, freq="week")
    assert table.attrs["recent"][0] > pd.Timestamp("2024-06-01", tz="UTC")
    assert table.attrs["stray"] == 1
    # 2% of the papers in 1995 are too many to be strays: kept, and the empty weeks
    # between are the ones left out
    old = pd.DataFrame(
        {"doc_id": [f"old{i}" for i in range(60)], "published": [corpus.published.iloc[-1]] * 60}
    ).assign(published=pd.Timestamp("1995-06-07", tz="UTC"))
    many = pd.concat([corpus.iloc[:-1], old], ignore_index=True)
    view = (np.arange(len(many)) % 3, view[1])
    with pytest.warns(UserWarning, match=r"have papers \(stray dates\?\)"):
        shares = trends.theme_trends(view, many, freq="week")
    assert shares.period.nunique() == 105 and shares.attrs["stray"] == 0


def test_a_stray_date_after_the_feed_leaves_its_last_week_partial():
    # A weekday feed from Monday 6 January to Wednesday 21 May 2025 and one paper dated
    # 30 July (a journal's issue date, a typo). Before: ten empty weeks were kept, the
    # real last week was "whole", and the default recent window was made of empty weeks
    # (NoDatesError "the recent window ... holds 0 papers"), without a warning.
    view, corpus = _weekday_feed(pd.bdate_range("2025-01-06", "2025-05-21"))
    for late in ("2025-07-30", "2026-05-21"):
        stray = pd.DataFrame({"doc_id": ["late"], "published": [pd.Timestamp(late, tz="UTC")]})
        more = pd.concat([corpus, stray], ignore_index=True)
        with_stray = (np.append(view[0], 1), view[1])
        with pytest.warns(UserWarning, match=f"far from the rest \\({late} \\(1\\)"):
            table = trends.emerging(with_stray, more, freq="week")
        assert table.attrs["stray"] == 1
        assert table.attrs["recent"][1] < pd.Timestamp("2025-05-19", tz="UTC")  # whole weeks
        with pytest.warns(UserWarning, match="stray dates"):
            periods = trends.timeline.periods_of(more, freq="week")
        last = periods.table.iloc[-1]
        assert f"{last.period:%Y-%m-%d}" == "2025-05-19" and last.partial
        assert periods.table.papers.sum() == len(corpus)


def test_the_sparse_first_years_of_a_growing_field_are_not_stray():
    # A field doubling every 8 months from 2019 (8 papers) to 2024 (2,500); a first
    # edition of a conference (8 papers, 2015) before yearly editions of hundreds. Their
    # gaps of weeks or a year are near the rest at the scale of its span: nothing is
    # stray (before the span rule, 2019 and the 2015 edition were left out as strays).
    from trends.timeline.periods import _strays

    rng = np.random.default_rng(2)
    days = pd.date_range("2019-01-01", "2024-12-31", freq="D", tz="UTC")
    growing = pd.Series(np.repeat(days, rng.poisson(0.02 * 2 ** (np.arange(len(days)) / 240))))
    editions = [pd.Timestamp("2015-06-01", tz="UTC")] * 8
    for year in range(2016, 2025):
        start = pd.Timestamp(f"{year}-06-01", tz="UTC")
        editions += list(start + pd.to_timedelta(rng.integers(0, 10, 400), "D"))
    for dates in (growing, pd.Series(editions)):
        assert not _strays(dates).any()


def test_a_gap_between_two_months_of_a_feed_stays_a_gap_with_auto_periods():
    # Four weeks of January and four of September: before, "auto" chose weeks (counting
    # only those with papers), then left the 31 empty weeks out as a stray date's gap and
    # drew January straight on to September.
    days = pd.bdate_range("2024-01-01", "2024-01-26").append(
        pd.bdate_range("2024-09-02", "2024-09-27")
    )
    view, corpus = _weekday_feed(days, per_day=5)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "stray dates?" warning
        shares = trends.theme_trends(view, corpus)
    per_period = shares.drop_duplicates("period").set_index("period").papers
    assert (per_period == 0).any()  # the months between are there, empty
    assert per_period.iloc[0] > 0 and per_period.iloc[-1] > 0
    assert per_period.sum() == len(corpus)


def test_year_only_papers_in_a_one_year_corpus_are_warned_about():
    # 600 papers dated to the day in 2024 and 200 dated "2024" only: binned by month (one
    # year cannot be binned by year), January holds the 200 too. Before, silently.
    rng = np.random.default_rng(0)
    days = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 366, 600), "D")
    years = pd.to_datetime(["2024-01-01"] * 200, utc=True)
    corpus = pd.DataFrame({"published": days.append(years)})
    view = (np.zeros(len(corpus), dtype=int), pd.DataFrame({"theme_id": [0], "label": ["a"]}))
    assert date_precision(corpus.published) == "M"
    with pytest.warns(UserWarning, match=r"papers sit on 1 January at midnight \(2024-01-01"):
        trends.theme_trends(view, corpus, freq="month")


def test_a_burst_does_not_run_through_a_gap():
    # Theme 2 is high in the 3 weeks before and after a 6-week gap: two bursts, neither
    # starting, ending or running in the empty weeks.
    from trends.timeline.bursts import theme_bursts

    rng = np.random.default_rng(0)
    weeks = pd.date_range("2024-01-01", periods=30, freq="W-MON", tz="UTC")
    rows = []
    for k, week in enumerate(weeks):
        if 10 <= k < 16:
            continue  # the gap
        high = 7 <= k < 10 or 16 <= k < 19
        for _ in range(60):
            theme = 2 if high and rng.random() < 0.5 else int(rng.integers(0, 3))
            rows.append((week + pd.Timedelta(days=int(rng.integers(0, 5))), theme))
    corpus = pd.DataFrame(rows, columns=["published", "theme"])
    labels = corpus.pop("theme").to_numpy()
    themes = pd.DataFrame({"theme_id": [0, 1, 2], "label": list("abc")})
    periods = periods_of(corpus, freq="W")
    assert (periods.table.papers == 0).sum() == 6
    bursts = theme_bursts(labels, themes, periods)
    gap = (weeks[10], weeks[16])
    for b in bursts[bursts.theme_id == 2].itertuples():
        assert not (gap[0].tz_convert(None) <= b.start < gap[1].tz_convert(None)), b
        assert b.periods <= 4, b


def test_a_dated_recent_window_has_its_baseline_end_the_day_before():
    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    table = trends.emerging(view, corpus, recent=("2025-03-16", "2025-04-10"))
    (r0, _), (_, b1) = table.attrs["recent"], table.attrs["baseline"]
    assert f"{b1:%Y-%m-%d}" == "2025-03-15" and b1 < r0  # before: shown as ending 03-16
    table = trends.emerging(view, corpus, recent=("2025-03-16", "2025-04-10"), baseline="14D")
    b0, b1 = table.attrs["baseline"]
    assert (f"{b0:%Y-%m-%d}", f"{b1:%Y-%m-%d}") == ("2025-03-02", "2025-03-15")


def test_options_out_of_their_range_are_refused_not_silently_used():
    """emerging(min_papers=-3), bursts(s=0.5, gamma=-1, alpha=2), watch(threshold=2)."""
    from trends import InputError

    view, corpus = planted([5, 5], [5, 5])
    for value in (-3, 0, 2.5, True, "10"):
        with pytest.raises(InputError, match=rf"min_papers={value!r}"):
            trends.emerging(view, corpus, min_papers=value)
    for options, name in (
        ({"s": 0.5}, "s"),
        ({"gamma": -1}, "gamma"),
        ({"gamma": float("nan")}, "gamma"),
        ({"alpha": 2}, "alpha"),
        ({"alpha": 0}, "alpha"),
    ):
        with pytest.raises(InputError, match=rf"^{name}="):
            trends.bursts(view, corpus.assign(text="a paper"), phrases=False, **options)
    for threshold in (2, -1.5, "0.3"):
        with pytest.raises(InputError, match=r"threshold=.*between -1 and 1"):
            trends.watch(corpus.assign(text="a paper"), ["x"], threshold=threshold)
    assert len(trends.emerging(view, corpus, min_papers=1)) == 2


def test_the_adjusted_comparison_calls_nothing_it_has_no_information_on():
    """A category the feed starts collecting holds a theme of its own: not tested, no ratio.

    Before, 0.5 added to the empty cells made a ratio of the windows' sizes: the theme was
    "new" (p = 0.01) with a recent window of one week, "stable" with a p-value by default.
    """
    rows = []
    start = pd.Timestamp("2025-01-06", tz="UTC")
    for week in range(41):
        for i in range(50):
            rows.append((start + pd.Timedelta(days=7 * week + i % 7), i % 2, "AB"[i % 4 // 2]))
        if week == 40:
            rows += [(start + pd.Timedelta(days=7 * week + i % 7), 2, "C") for i in range(20)]
    corpus = pd.DataFrame(rows, columns=["published", "theme", "categories"])
    corpus.insert(0, "doc_id", [f"p{i}" for i in range(len(corpus))])
    themes = pd.DataFrame({"theme_id": [0, 1, 2], "label": ["zero", "one", "two"]})
    view = (corpus.theme.to_numpy(), themes)
    for recent in ("1W", None):
        table = emerging_table(*view, corpus, freq="W", recent=recent, adjust_for="categories")
        two = table.set_index("theme_id").loc[2]
        assert two.status == "untested" and np.isnan(two.p_value) and np.isnan(two.ratio)
        assert two.recent_count == 20  # the counts stay the theme's papers in the windows
    # No paper in the recent window of the strata left: the ratio is 0, as the crude one.
    ratio, point, se = mantel_haenszel([0, 0], [40, 40], [30, 30], [120, 120])
    assert ratio == 0.0 and point < 0 and se > 0
    assert all(np.isnan(mantel_haenszel([0, 0], [10, 10], [0, 0], [10, 10])))


def test_a_partial_week_is_weighed_by_each_weekdays_usual_papers():
    """5 papers every weekday from Wednesday 5 March: the first week is 3/5 covered.

    Each weekday's weight was its total papers, so the weekdays the span holds once more
    (Wednesday to Friday) weighed more: 0.69 covered, and the next week 1.15x the first.
    """
    days = pd.bdate_range("2025-03-05", "2025-03-21")
    view, corpus = _weekday_feed(days, per_day=5)
    periods = periods_of(corpus, freq="W")
    assert periods.table.papers.tolist() == [15, 25, 25]
    assert periods.table.coverage.iloc[0] == pytest.approx(3 / 5)
    one_category = corpus.assign(categories=[["cs.CL"]] * len(corpus))
    assert mix_changes(one_category, freq="W").volume_ratio.iloc[1] == pytest.approx(1.0)
