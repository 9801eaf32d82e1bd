"""The report's time sections: trends, the feed's mix, bursts, vocabulary, facets."""

import numpy as np
import pandas as pd
import pytest
from conftest import synthetic_corpus

import trends
from trends.report import SECTIONS, Section, render_report


@pytest.fixture(scope="module")
def dated_model():
    """The synthetic corpus over ten weeks, two categories, a hostile category name."""
    frame, emb, truth = synthetic_corpus(n_per_theme=60)
    rng = np.random.default_rng(0)
    frame["published"] = pd.Timestamp("2025-03-04", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 70, size=len(frame)), unit="D"
    )
    frame["categories"] = [
        ["cs.CL"] if t == 2 else (["<b>cs.XX</b>"] if t == 3 else ["cs.CV", "cs.LG"]) for t in truth
    ]
    model = trends.ThemeModel(verbose=False).fit(frame, embeddings=emb)
    return model, frame


def test_time_sections_render(dated_model):
    model, frame = dated_model
    html = render_report(model, frame)
    for section in ("trends", "mix", "bursts", "vocabulary", "facets"):
        assert f'id="{section}"' in html, section
    assert 'id="watch"' not in html and 'id="lineage"' not in html  # neither asked for
    assert "A period is one month" in html  # 24 papers a week: too few for weeks
    assert "Partial months" in html  # the corpus starts on 4 March
    # ... and ends on 12 May: one whole month, so the windows use the partial ones too,
    # and the trends section says so (it said they were left out).
    assert "the rising/fading windows include them" in html
    assert "left out of the rising/fading windows" not in html
    for chart in ("share", "emerging", "mix-feed", "bursts-timeline", "facets-heatmap"):
        assert f'id="spec-{chart}"' in html, chart
    assert "&lt;b&gt;cs.XX&lt;/b&gt;" in html and "<b>cs.XX</b>" not in html


def test_each_time_section_alone(dated_model):
    model, frame = dated_model
    by_id = {s.id: s for s in SECTIONS}
    for name in ("mix", "bursts", "vocabulary", "facets"):
        html = render_report(model, frame, sections=[by_id[name]])
        assert f'id="{name}"' in html


def test_undated_corpus_leaves_the_time_sections_out(synthetic):
    frame, emb, _ = synthetic
    frame = frame.drop(columns="published")
    model = trends.ThemeModel(verbose=False).fit(frame, embeddings=emb)
    sections = [s for s in SECTIONS if s.id in {"trends", "mix", "bursts", "vocabulary"}]
    html = render_report(model, frame, sections=sections)
    assert 'id="trends"' in html and "published" in html  # the reason is said
    assert 'id="bursts"' not in html and 'id="vocabulary"' not in html and 'id="mix"' not in html


def test_year_only_report_says_what_a_period_is(synthetic):
    frame, emb, truth = synthetic
    frame = frame.copy()
    frame["published"] = pd.to_datetime(
        [f"{2000 + i % 12}-01-01" for i in range(len(frame))], utc=True
    )
    model = trends.ThemeModel(verbose=False).fit(frame, embeddings=emb)
    html = render_report(
        model, frame, sections=[Section("trends", "Trends", "trends.timeline:trends_section")]
    )
    assert "A period is one year; the dates are given to the year." in html
    assert "Shares per day" not in html


def test_a_theme_with_too_few_dated_papers_is_untested_in_the_report(dated_model):
    import html as _html

    from trends.report import ReportInput
    from trends.timeline.sections import mix_section, trends_section, vocabulary_section

    model, frame = dated_model
    frame = frame.copy()
    theme = int(np.bincount(model.labels_[model.labels_ >= 0]).argmax())
    rows = np.flatnonzero(model.labels_ == theme)
    frame["published"] = frame["published"].astype(object)
    frame.loc[rows[4:], "published"] = None  # 4 dated papers: below min_papers
    report = ReportInput(model, frame.reset_index(drop=True))
    name = report.names[theme]
    section = trends_section(report)
    status = {r["label"]: r["status"] for r in section["table"]}
    assert status[name] == "untested"  # before: "stable"
    assert set(status.values()) - {"untested"} <= {"rising", "new", "stable", "fading"}
    assert "stable" in status.values()  # the tested, uncalled themes stay stable
    traces = {t.name: t for t in section["figures"]["emerging"].data}
    assert any(str(y).endswith(name) for y in traces["untested"].y)
    assert "1 theme is untested" in section["note"] and "fewer than 10 papers" in section["note"]
    assert name not in {c["label"] for c in mix_section(report)["calls"]}  # not a call either
    vocabulary = {t["name"]: t["status"] for t in vocabulary_section(report)["themes"]}
    assert vocabulary[name] == "untested"
    page = render_report(
        model, frame, sections=[s for s in SECTIONS if s.id in {"trends", "vocabulary"}]
    )
    row = f"<tr><td>{_html.escape(name)}</td><td>untested</td>"
    assert row in page and "too few papers" in page


def test_a_report_where_no_theme_can_be_tested_says_so(dated_model):
    from trends.report import ReportInput
    from trends.timeline.sections import trends_section

    model, frame = dated_model
    frame = frame.copy()
    frame["published"] = frame["published"].astype(object)
    for theme in np.unique(model.labels_[model.labels_ >= 0]):
        rows = np.flatnonzero(model.labels_ == theme)
        frame.loc[rows[4:], "published"] = None  # 4 dated papers a theme: none tested
    section = trends_section(ReportInput(model, frame.reset_index(drop=True)))
    assert {r["status"] for r in section["table"]} == {"untested"}
    # before: "the intervals control the false discovery rate across the 0 tested themes"
    assert "No theme has papers enough to be tested." in section["note"]
    assert "0 tested" not in section["note"] and "false discovery" not in section["note"]


def test_trends_without_a_comparison_still_show_the_shares(dated_model):
    # Every paper on one day: no recent window to compare with an earlier one. Before, the
    # Trends section showed only the reason, though it had built the share chart.
    model, frame = dated_model
    frame = frame.assign(published=pd.Timestamp("2025-03-19", tz="UTC"))
    html = render_report(
        model, frame, sections=[Section("trends", "Trends", "trends.timeline:trends_section")]
    )
    assert "No rising or fading themes: every dated paper carries the same date" in html
    assert 'data-chart="share"' in html and 'id="spec-share"' in html
    assert 'data-chart="emerging"' not in html
