"""Each chart with 1, 2, 3 and 200 themes, asserted on fig.to_dict()."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from trends import charts
from trends.charts._style import OUTLIER_COLOR


def fake_themes(n, *, outliers=True):
    rows = [
        {
            "theme_id": t,
            "label": f"topic {t} · words",
            "size": 300 - t,
            "share": 0.0,
            "keywords": [f"w{t}_{k}" for k in range(10)],
            "keyword_weights": sorted(np.linspace(0.1, 1, 10).tolist(), reverse=True),
            "representative_ids": ["a", "b", "c"],
        }
        for t in range(n)
    ]
    if outliers:
        rows.append({**rows[0], "theme_id": -1, "label": "Outliers", "size": 7})
    frame = pd.DataFrame(rows)
    frame["share"] = frame["size"] / frame["size"].sum()
    return frame


def fake_points(n_themes, per=5):
    rng = np.random.default_rng(0)
    ids = [t for t in range(-1, n_themes) for _ in range(per)]
    return pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(len(ids))],
            "title": [f"<b>Title</b> {i}" for i in range(len(ids))],
            "x": rng.normal(size=len(ids)),
            "y": rng.normal(size=len(ids)),
            "theme_id": ids,
            "label": ["Outliers" if t < 0 else f"topic {t}" for t in ids],
        }
    )


def fake_pairs(n):
    rows = [
        (a, f"topic {a}", b, f"topic {b}", 1.0 if a == b else 0.3)
        for a in range(n)
        for b in range(n)
    ]
    return pd.DataFrame(rows, columns=["theme_a", "label_a", "theme_b", "label_b", "similarity"])


@pytest.mark.parametrize("n", [1, 2, 3, 200])
def test_theme_sizes(n):
    fig = charts.theme_sizes(fake_themes(n))
    assert isinstance(fig, go.Figure)
    data = fig.to_dict()["data"]
    bars = data[0]
    shown = min(n, 60)
    assert len(bars["y"]) == shown
    assert list(bars["x"]) == sorted(bars["x"], reverse=True)
    assert "topic 0 · words" in bars["y"][0]
    extra = data[1]
    assert extra["marker"]["color"] == OUTLIER_COLOR
    assert "Outliers (no clear theme)" in extra["y"]
    if n > 60:
        assert f"{n - 60} other themes" in extra["y"]
        assert sum(bars["x"]) + sum(extra["x"]) == fake_themes(n)["size"].sum()
    # the grey bars name their papers' themes as the theme bars do, so that a click on
    # one filters the papers: the other themes' ids (a group), then -1 for the outliers
    ids = [c[0] for c in extra["customdata"]]
    assert ids[-1] == -1
    if n > 60:
        assert ids[0] == list(range(60, n))


@pytest.mark.parametrize("n", [1, 2, 3, 200])
def test_keywords(n):
    fig = charts.keywords(fake_themes(n), n_keywords=5)
    data = fig.to_dict()["data"]
    assert len(data) == min(n, 12)
    assert list(data[0]["y"]) == [f"w0_{k}" for k in range(5)]
    assert data[0]["x"][0] == max(data[0]["x"])
    assert f"of {n} themes" in fig.layout.title.text


@pytest.mark.parametrize("n", [1, 2, 3, 200])
def test_paper_map(n):
    points = fake_points(n, per=2)
    fig = charts.paper_map(points)
    data = fig.to_dict()["data"]
    assert len(data) == n + 1  # one trace per theme, outliers included
    assert data[0]["name"] == "Outliers" and data[0]["marker"]["color"] == OUTLIER_COLOR
    assert sum(len(t["x"]) for t in data) == len(points)
    # titles are shown on hover, escaped
    assert "&lt;b&gt;Title&lt;/b&gt;" in data[0]["text"][0]
    assert len(fig.layout.annotations) == min(n, 30)


@pytest.mark.parametrize("n", [1, 2, 3, 200])
def test_theme_similarity(n):
    fig = charts.theme_similarity(fake_pairs(n))
    (heat,) = fig.to_dict()["data"]
    shown = min(n, 60)
    assert heat["type"] == "heatmap"
    assert np.asarray(heat["z"]).shape == (shown, shown)
    assert np.allclose(np.diag(np.asarray(heat["z"])), 1.0)


def test_one_template_for_all():
    figs = [
        charts.theme_sizes(fake_themes(3)),
        charts.keywords(fake_themes(3)),
        charts.paper_map(fake_points(3)),
        charts.theme_similarity(fake_pairs(3)),
    ]
    colorways = {tuple(f.layout.template.layout.colorway) for f in figs}
    assert len(colorways) == 1


def test_chart_functions_take_styling_after_star():
    import inspect

    for fn in (charts.theme_sizes, charts.keywords, charts.paper_map, charts.theme_similarity):
        params = list(inspect.signature(fn).parameters.values())
        assert params[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[1:])


def test_theme_share_and_emerging_charts():
    from test_timeline import planted

    import trends
    from trends.charts import emerging_themes, theme_share

    view, corpus = planted([1, 4, 4, 4], [3, 2, 4, 4])
    shares = trends.theme_trends(view, corpus, freq="W")
    fig = theme_share(shares, top=3)
    data = fig.to_dict()["data"]
    assert len(data) == 3 and all(t["mode"] == "lines+markers" for t in data)
    assert len(data[0]["x"]) == shares.period.nunique()
    table = trends.emerging(view, corpus)
    fig = emerging_themes(table)
    names = {t["name"] for t in fig.to_dict()["data"]}
    assert names == {"rising", "fading", "stable"}
    assert fig.layout.xaxis.type == "log"


def _trend_table(status):
    """A trend table of one theme per status, all with the same counts and interval."""
    import pandas as pd

    return pd.DataFrame(
        {
            "theme_id": range(len(status)),
            "label": [f"t{i}" for i in range(len(status))],
            "recent_count": 10,
            "baseline_count": 10,
            "ratio": 1.0,
            "ci_low": 0.5,
            "ci_high": 2.0,
            "status": status,
        }
    )


def test_emerging_chart_keeps_every_moving_theme_when_truncated():
    from trends.charts import emerging_themes

    status = ["rising"] + ["stable"] * 50 + ["fading", "fading"]
    table = _trend_table(status)
    fig = emerging_themes(table, max_themes=10)
    shown = [y for t in fig.to_dict()["data"] for y in t["y"]]
    assert len(shown) == 10
    assert sum("t51" in y or "t52" in y for y in shown) == 2


def test_emerging_chart_draws_untested_themes_apart_from_stable_ones():
    from test_timeline import small_and_big

    import trends
    from trends.charts import emerging_themes

    view, corpus = small_and_big()
    fig = emerging_themes(trends.emerging(view, corpus)).to_dict()
    traces = {t["name"]: t for t in fig["data"]}
    assert set(traces) == {"stable", "untested"}  # before: both themes in "stable"
    assert [y.endswith("big") for y in traces["stable"]["y"]] == [True]
    assert [y.endswith("small") for y in traces["untested"]["y"]] == [True]
    assert traces["untested"]["marker"]["symbol"] == "circle-open"
    assert "not tested" in traces["untested"]["hovertemplate"]
    assert traces["untested"]["marker"]["color"] != traces["stable"]["marker"]["color"]


def test_emerging_chart_shows_untested_themes_only_in_the_room_left():
    from trends.charts import emerging_themes

    status = ["untested"] * 5 + ["stable"] * 10 + ["rising"]
    table = _trend_table(status)
    fig = emerging_themes(table, max_themes=12)
    shown = {t["name"]: len(t["y"]) for t in fig.to_dict()["data"]}
    assert shown == {"rising": 1, "stable": 10, "untested": 1}


def test_untested_themes_with_no_paper_in_one_window_are_drawn_past_the_others():
    # 3 papers recent and none before (ratio infinite), 3 before and none recent (0): a
    # log axis shows neither, so before they had a name on the axis and no dot
    import math

    from trends.charts import emerging_themes

    table = _trend_table(["stable", "untested", "untested", "untested"])
    table["ratio"] = [1.2, math.inf, 0.0, 0.8]
    table.loc[1:, ["ci_low", "ci_high"]] = math.nan
    fig = emerging_themes(table).to_dict()
    untested = next(t for t in fig["data"] if t["name"] == "untested")
    xs = dict(zip([y.split()[1] for y in untested["y"]], untested["x"], strict=True))
    assert all(math.isfinite(x) and x > 0 for x in xs.values())
    assert xs["t1"] > 2.0 and xs["t2"] < 0.5  # past the stable theme's interval (0.5-2)
    assert xs["t3"] == 0.8  # a ratio that can be drawn is drawn where it is


def test_tested_themes_with_no_paper_in_one_window_get_a_dot_and_their_ratio_in_words():
    # a fading theme with none recent (ratio 0) had no dot; a stable one with none before
    # (ratio inf, drawn at its interval's top) said "ratio 229.23" in its hover
    import math

    from trends.charts import emerging_themes

    table = _trend_table(["fading", "stable", "untested"])
    table["ratio"] = [0.0, math.inf, math.nan]  # the last: no paper in either window
    table["ci_low"] = [0.0015, 0.9, math.nan]
    table["ci_high"] = [0.4, 229.23, math.nan]
    traces = {t["name"]: t for t in emerging_themes(table).to_dict()["data"]}
    assert traces["fading"]["x"] == [0.0015]  # the interval's finite end
    assert traces["stable"]["x"] == [229.23]
    assert traces["stable"]["customdata"][0][4] == "none before"
    assert traces["fading"]["customdata"][0][4] == "none recently"
    assert "%{customdata[4]}" in traces["stable"]["hovertemplate"]
    assert "%{x" not in traces["stable"]["hovertemplate"]
    assert math.isnan(traces["untested"]["x"][0])  # no ratio: no dot at an edge


AMP_NAME = "Retrieval-augmented-generation-benchmarks of Q&A"  # 48 characters


def test_names_are_cut_before_they_are_escaped_and_escaped_once():
    themes = fake_themes(2)
    themes["label"] = [AMP_NAME, "R&D and Q&A systems", "Outliers"]
    sizes = charts.theme_sizes(themes).to_dict()["data"][0]["y"]
    keywords = charts.keywords(themes).to_dict()["layout"]["annotations"]
    points = fake_points(2)
    points["label"] = ["Outliers" if t < 0 else themes.label[t] for t in points.theme_id]
    traces = charts.paper_map(points).to_dict()["data"]
    shown = list(sizes) + [a["text"] for a in keywords] + [t["name"] for t in traces]
    for text in shown:
        # every '&' starts a whole '&amp;': no '&am…' or '&a…' left by a cut
        assert text.count("&") == text.count("&amp;"), text
    assert any("Q&amp;" in t for t in shown) and not any("&amp;amp;" in t for t in shown)

    from test_vocabulary import shifting

    from trends.timeline import vocabulary

    view, corpus = shifting()
    labels, table = view
    table = table.assign(label=["R&D and Q&A systems"] + table.label.tolist()[1:])
    fig = charts.vocabulary_timeline(vocabulary((labels, table), corpus, freq="W"), theme_id=0)
    title = fig.to_dict()["layout"]["title"]["text"]
    assert "R&amp;D and Q&amp;A systems" in title and "&amp;amp;" not in title


def test_a_name_holding_a_template_field_is_shown_not_filled_in():
    from test_timeline import planted

    import trends

    view, corpus = planted([1, 4], [3, 2])
    labels, table = view
    table = table.assign(label=["share %{y} of %{x}", "plain"])
    data = charts.theme_share(trends.theme_trends((labels, table), corpus, freq="W")).to_dict()
    template = next(t for t in data["data"] if t["meta"]["theme_id"] == 0)["hovertemplate"]
    # plotly shows '&#37;' as '%' after filling in the fields: the name is shown as written
    assert template.startswith("#0 share &#37;{y} of &#37;{x}<br>%{x}: %{y:.1%}"), template
    points = fake_points(1)
    points["label"] = ["Outliers" if t < 0 else "100%{text}" for t in points.theme_id]
    traces = charts.paper_map(points).to_dict()["data"]
    hover = traces[1]["hovertemplate"]
    assert "100&#37;{text}" in hover and hover.count("%{text}") == 1
    # plotly fills in fields in trace names and text labels too (the legend showed
    # '#0  theme' for '#0 %{y} theme'): there as well the name is written with '&#37;'
    assert traces[1]["name"] == "#0 100&#37;{text}"
    assert all("%{" not in t["name"] for t in data["data"])


def _wrong_table():
    """A table of papers (as `trends.papers.paper_table` gives), not any chart's input."""
    return pd.DataFrame({"doc_id": ["a", "b"], "theme": ["t", "u"], "title": ["x", "y"]})


@pytest.mark.parametrize(
    "chart, call, source",
    [
        ("paper_map", lambda t: charts.paper_map(t), "paper_points"),
        ("theme_tree", lambda t: charts.theme_tree(t), "tree_frame"),
        ("theme_sizes", lambda t: charts.theme_sizes(t), "themes_"),
        ("keywords", lambda t: charts.keywords(t), "themes_"),
        ("theme_similarity", lambda t: charts.theme_similarity(t), "theme_similarity"),
        ("theme_share", lambda t: charts.theme_share(t), "theme_trends"),
        ("emerging_themes", lambda t: charts.emerging_themes(t), "emerging"),
        ("burst_timeline", lambda t: charts.burst_timeline(t), "bursts"),
        ("facet_heatmap", lambda t: charts.facet_heatmap(t), "facets"),
        ("paper_timeline", lambda t: charts.paper_timeline(t), "papers_per_period"),
        ("vocabulary_timeline", lambda t: charts.vocabulary_timeline(t, theme_id=0), "vocabulary"),
        ("feed_mix", lambda t: charts.feed_mix(t, t), "mix_shares"),
        ("lineage", lambda t: charts.lineage(t), "lineage_flows"),
    ],
)
def test_a_chart_given_the_wrong_table_says_which_columns_and_where_they_come_from(
    chart, call, source
):
    """paper_map(paper_table(...)) ended in "'DataFrame' object has no attribute 'label'",
    theme_tree(model.hierarchy_) in one about 'theme_id': every chart names what it needs."""
    from trends import InputError

    with pytest.raises(InputError, match=f"^{chart} needs the column.*{source}") as refused:
        call(_wrong_table())
    assert "it has: doc_id, theme, title" in str(refused.value)
    if chart != "lineage":  # a store is the lineage chart's other input
        with pytest.raises(InputError, match=f"^{chart} takes a table .*not a list"):
            call([1, 2])


def test_a_chart_takes_either_name_or_label():
    themes = fake_themes(3).rename(columns={"label": "name"})
    assert len(charts.theme_sizes(themes).data) >= 1
    assert len(charts.theme_sizes(themes.rename(columns={"name": "label"})).data) >= 1


def test_paper_map_takes_the_paper_table():
    """Its docstring named `paper_table` as a source: it ended in 'no attribute label'."""
    points = fake_points(3)
    table = points.drop(columns=["label", "title"]).assign(
        theme=points["label"], text=points["title"]
    )
    drawn = charts.paper_map(table).to_dict()["data"]
    same = charts.paper_map(points).to_dict()["data"]
    assert [(t["name"], t["text"], t["hovertemplate"]) for t in drawn] == [
        (t["name"], t["text"], t["hovertemplate"]) for t in same
    ]


def test_charts_take_name_or_label_and_an_empty_changes_table():
    """theme_share and emerging_themes read the name through theme_names (name, else
    label): the column check must not refuse `name`; an empty changes table is none."""
    periods = pd.date_range("2025-01-06", periods=3, freq="W-MON")
    shares = pd.DataFrame(
        [
            {"period": p, "theme_id": t, "name": f"topic {t}", "count": 3, "share": 0.5}
            for p in periods
            for t in (0, 1)
        ]
    )
    assert len(charts.theme_share(shares, changes=pd.DataFrame()).data) == 2
    empty = pd.DataFrame(
        columns=["kind", "theme_id", "label", "start", "end", "strength", "papers", "ratio"]
    )
    assert isinstance(charts.burst_timeline(empty, changes=pd.DataFrame()), go.Figure)


def test_paper_map_names_themes_after_the_model_not_a_corpus_label_column():
    points = fake_points(3)
    table = points.drop(columns=["label"]).assign(
        theme=points["label"], closeness=0.5, label="the user's own column"
    )
    names = [t["name"] for t in charts.paper_map(table).to_dict()["data"]]
    assert names == [t["name"] for t in charts.paper_map(points).to_dict()["data"]]
