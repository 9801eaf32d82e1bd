"""The HTML report: self-contained, escaped, atomic; and its data frames."""

import re

import numpy as np
import pandas as pd
import pytest

import trends
import trends.papers
import trends.report
from trends import frames

XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


@pytest.fixture(scope="module")
def hostile(synthetic):
    """The synthetic corpus, with script payloads in titles, abstracts and URLs."""
    frame, emb, truth = synthetic
    frame = frame.copy()
    frame.loc[0, "title"] = XSS[0]
    frame.loc[1, "title"] = XSS[1]
    frame.loc[2, "title"] = "</script><script>alert(2)</script>"
    frame["url"] = None
    frame.loc[0, "url"] = "javascript:alert(3)"
    frame.loc[1, "url"] = "https://arxiv.org/abs/2503.00001"
    frame["categories"] = [["cs.CL"]] * len(frame)
    model = trends.ThemeModel(verbose=False).fit(frame, embeddings=emb)
    return model, frame


def unpack(html: str, block: str) -> str:
    """An embedded, compressed block of the report (``paper-data``, ``plotly-js``) as text."""
    import base64

    import zstandard

    pattern = rf'<script type="application/octet-stream" id="{block}"[^>]*>([^<]*)<'
    raw = base64.b64decode(re.search(pattern, html)[1])
    return zstandard.ZstdDecompressor().decompressobj().decompress(raw).decode("utf-8")


def payload(html: str) -> dict:
    """The report's embedded paper data, decoded as the page does."""
    pattern = r'<script type="application/octet-stream" id="paper-data"[^>]*>([^<]*)<'
    return trends.report.unpack(re.search(pattern, html)[1])


def test_report_is_self_contained_and_escaped(hostile, tmp_path):
    model, frame = hostile
    path = trends.write_report(model, frame, tmp_path / "r.html", title="Report <i>x</i>")
    html = path.read_text(encoding="utf-8")
    # plotly.js inlined once (compressed), no CDN or remote script
    assert html.count("Plotly.newPlot") == 1
    plotly_js = unpack(html, "plotly-js")
    assert len(re.findall(r"plotly\.js v\d", plotly_js)) == 1 and "Plotly" in plotly_js
    assert len(re.findall(r"plotly\.js v\d", html)) == 1  # its banner, outside
    assert "<script src=" not in html and "<link " not in html
    assert "cdn.plot.ly" not in html and "https://cdn" not in html
    # without JavaScript the page says why it shows no chart (before: "loading" forever)
    assert re.search(r"<noscript>.*needs? JavaScript|<noscript>.*with JavaScript", html)
    # the decompressor is inlined with its licence
    assert "zstddec 0.3.4" in html and "Permission is hereby granted" in html
    # payloads show as text only: the titles are only in the compressed paper data
    for payload_text in XSS:
        assert payload_text not in html
    assert "Report &lt;i&gt;x&lt;/i&gt;" in html
    assert "</script><script>alert(2)" not in html
    assert 'href="javascript:' not in html
    data = payload(html)
    assert data["title"][:3] == frame.title[:3].tolist()
    assert data["url"][0] is None  # javascript: is never linked
    assert data["url"][1] == "https://arxiv.org/abs/2503.00001"
    # every chart has a spec
    for name in ("sizes", "map", "papers-timeline", "keywords", "similarity", "share", "emerging"):
        assert f'id="spec-{name}"' in html


def test_write_report_says_where_the_file_went(hostile, tmp_path, monkeypatch):
    """A relative path came back relative: a notebook showed 'my-report.html', not where."""
    model, frame = hostile
    monkeypatch.chdir(tmp_path)
    path = trends.write_report(model, frame, "my-report.html", progress=False)
    assert path == tmp_path / "my-report.html" and path.is_absolute() and path.is_file()


def test_papers_are_embedded_once_as_columns(hostile):
    model, frame = hostile
    html = trends.report.render_report(model, frame)
    data = payload(html)
    n = len(frame)
    for key in ("title", "abstract", "authors", "url", "date", "theme", "closeness", "x", "y"):
        assert len(data[key]) == n, key
    assert data["n"] == n
    assert data["theme"] == model.labels_.tolist()
    days = (frame.published - pd.Timestamp("1970-01-01", tz="UTC")).dt.days.tolist()
    assert data["date"] == days
    outliers = [c is None for c in data["closeness"]]
    assert outliers == (model.labels_ == -1).tolist()
    assert [f["column"] for f in data["facets"]] == []  # one category only: no facet
    assert {t["id"] for t in data["themes"]} >= set(range(model.n_themes_))
    # no title is anywhere in the page outside the compressed data: not in the map spec
    for title in frame.title[3:10]:
        assert title not in html
    spec = re.search(r'id="spec-map">(.*?)</script>', html, re.S)[1]
    traces = json_of(spec)["data"]
    assert all("x" not in t and "text" not in t for t in traces)
    assert sorted(t["meta"]["theme_id"] for t in traces) == sorted(set(model.labels_.tolist()))


def json_of(text):
    import json

    return json.loads(text)


def test_facets_dates_and_controls(hostile):
    model, frame = hostile
    frame = frame.assign(
        categories=[["cs.CL"] if i % 3 else ["cs.CV", "cs.AI"] for i in range(len(frame))],
        venue=["ACL" if i % 2 else "Nature <b>" for i in range(len(frame))],
    )
    html = trends.report.render_report(model, frame)
    data = payload(html)
    facets = {f["column"]: f for f in data["facets"]}
    assert list(facets) == ["categories", "venue"]
    cats = facets["categories"]
    assert [[cats["values"][c] for c in codes] for codes in cats["codes"][:3]] == [
        ["cs.CV", "cs.AI"],
        ["cs.CL"],
        ["cs.CL"],
    ]
    # the controls are labelled, the facet options escaped
    assert '<label for="search">Search papers</label>' in html
    assert '<input type="search" id="search"' in html
    assert '<label for="date-from">From</label>' in html
    assert 'min="2025-01-01"' in html
    assert 'data-facet="venue"' in html and "Nature &lt;b&gt; (80)" in html
    assert html.count('aria-pressed="false"') >= model.n_themes_


def test_sections_are_a_list_of_small_units(hostile):
    model, frame = hostile
    from trends.report import SECTIONS, Section

    ids = [s.id for s in SECTIONS]
    assert ids.index("overview") < ids.index("map") < ids.index("papers") < ids.index("quality")
    assert ids[-1] == "quality" and len(set(ids)) == len(ids)
    only = [s for s in SECTIONS if s.id in {"overview", "quality"}]
    html = trends.report.render_report(model, frame, sections=only)
    assert 'id="spec-sizes"' in html and 'id="spec-keywords"' not in html
    assert 'href="#quality"' in html and 'href="#keywords"' not in html
    # a builder given by name, one that leaves its section out, and a chart name clash
    by_name = Section("quality", "Quality", "trends.report:_quality")
    skipped = Section("keywords", "Keywords", lambda report: None)
    html = trends.report.render_report(model, frame, sections=[by_name, skipped])
    assert "Coherence (NPMI)" in html and 'href="#keywords"' not in html
    clash = Section("map", "Map", lambda report: {"figures": {"sizes": None}})
    with pytest.raises(ValueError, match="chart named 'sizes'"):
        trends.report.render_report(model, frame, sections=[*only, clash])


def test_theme_names_are_shown_when_the_theme_table_has_them(hostile):
    import copy

    model, frame = hostile
    named = copy.copy(model)
    named.themes_ = model.themes_.assign(name=[f"Named <{t}>" for t in model.themes_.theme_id])
    html = trends.report.render_report(named, frame)
    assert "Named &lt;0&gt;" in html
    data = payload(html)
    assert data["themes"][0]["name"] == "Named <0>"


def test_report_summary_and_sections(hostile, tmp_path):
    model, frame = hostile
    html = trends.report.render_report(model, frame)
    assert f"{len(frame)} papers" in html
    assert "2025-01-01 to" in html  # date range
    from markupsafe import escape

    for theme, name in trends.papers.theme_names(model).items():
        assert theme < 0 or str(escape(name)) in html
    for name in ("Coherence (NPMI)", "Keyword diversity", "Outliers", "Themes"):
        assert name in html
    # the headline and the quality section give the outlier share alike (2.5%, not 3%)
    import re

    headline = re.search(r"<b>([\d.]+%)</b><span>outliers</span>", html).group(1)
    quality = re.search(r"<dt>Outliers</dt><dd>([\d.]+%)</dd>", html).group(1)
    assert headline == quality == f"{np.mean(model.labels_ == -1):.1%}"


def test_stray_dates_stay_out_of_the_header_and_the_timeline(hostile):
    # One paper dated 1970 and one 2099 in a corpus of 2025. Before: the header read
    # "1970-01-01 to 2099-12-31" and the explorer's timeline was 130 yearly bars, every
    # real paper in one.
    from trends.report import ReportInput, _papers_section

    model, frame = hostile
    frame = frame.copy()
    frame.loc[3, "published"] = pd.Timestamp("1970-01-01", tz="UTC")
    frame.loc[4, "published"] = pd.Timestamp("2099-12-31", tz="UTC")
    html = trends.report.render_report(model, frame)
    assert f"{len(frame)} papers, 2025-01-01 to 2025-02-09; 2 with stray dates ·" in html
    assert "1970-01-01 to" not in html
    assert "2 papers dated far from the rest (stray dates: 1970-01-01, 2099-12-31)" in html
    assert len(payload(html)["date"]) == len(frame)  # the papers stay in the explorer
    section = _papers_section(ReportInput(model, frame))
    bins = section["figures"]["papers-timeline"].layout.meta["bins"]
    assert (bins[0], bins[-1], len(bins)) == ("2025-01-01", "2025-02-09", 40)  # days
    assert section["stray"] == 2


def test_building_a_report_shows_its_sections_progress(hostile, capsys):
    """The 2-D map and the bursts of a 17,000-paper feed take ~40 s after the fit, silently."""
    model, frame = hostile
    trends.report.render_report(model, frame)  # the model's verbose=False: no bar
    assert "Report" not in capsys.readouterr().err
    html = trends.report.render_report(model, frame, progress=True)
    err = capsys.readouterr().err
    n = len(trends.report.SECTIONS)
    assert "Report: 100%" in err and f"{n}/{n}" in err, err[-1000:]
    assert html == trends.report.render_report(model, frame)


def test_report_without_dates_says_so(synthetic, tmp_path):
    frame, emb, _ = synthetic
    frame = frame.assign(published=pd.NaT)
    model = trends.ThemeModel(verbose=False).fit(frame, embeddings=emb)
    html = trends.report.render_report(model, frame)
    assert "none of the 160 papers has a date" in html
    assert 'id="spec-share"' not in html
    # no timeline brush and no date inputs without dates
    assert 'id="spec-papers-timeline"' not in html and 'id="date-from"' not in html
    assert all(d is None for d in payload(html)["date"])


def test_report_needs_the_fitted_corpus(hostile):
    model, frame = hostile
    with pytest.raises(ValueError, match="fitted on 160"):
        trends.write_report(model, frame.head(10), "x.html")


def test_write_is_atomic(hostile, tmp_path, monkeypatch):
    model, frame = hostile
    path = tmp_path / "r.html"
    path.write_text("previous report")

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(trends.report, "render_report", boom)
    with pytest.raises(KeyboardInterrupt):
        trends.write_report(model, frame, path)
    assert path.read_text() == "previous report"

    import os

    from trends import _io

    def fail_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.undo()
    monkeypatch.setattr(os, "replace", fail_replace)
    with pytest.raises(OSError):
        _io.atomic_write_text(path, "new")
    assert path.read_text() == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_frames(hostile):
    model, frame = hostile
    points = frames.paper_points(model, frame)
    assert list(points.columns) == ["doc_id", "title", "x", "y", "theme_id", "label"]
    assert len(points) == len(frame) and np.isfinite(points[["x", "y"]]).all().all()
    pairs = frames.theme_similarity(model)
    assert len(pairs) == model.n_themes_**2
    # Themes by their names, as theme_sizes(model.themes_) and the trend tables show
    # them (before: the keyword label here, the name there).
    names = dict(zip(model.themes_.theme_id, model.themes_.name, strict=True))
    assert (model.themes_.name != model.themes_.label).any()
    for t, shown in zip(points.theme_id, points.label, strict=True):
        assert shown == (names[t] if t >= 0 else "Outliers")
    assert pairs.label_a.tolist() == [names[t] for t in pairs.theme_a]
    papers = frames.theme_papers(model, frame, 0, limit=5)
    assert len(papers) == 5 and papers.similarity.is_monotonic_decreasing


def test_atomic_write_gives_the_usual_file_mode(tmp_path):
    import os

    from trends import _io

    path = tmp_path / "new.html"
    _io.atomic_write_text(path, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    os.chmod(path, 0o640)
    _io.atomic_write_text(path, "y")
    assert path.stat().st_mode & 0o777 == 0o640 and path.read_text() == "y"


def test_every_bar_of_the_sizes_chart_filters(hostile, monkeypatch):
    # the grey bar of the outliers too, not only the themes' bars
    from trends import charts
    from trends.report import ReportInput, _overview

    model, frame = hostile
    themes = model.themes_
    with_outliers = pd.concat([themes, themes.head(1).assign(theme_id=-1, size=3)])
    sizes = charts.theme_sizes
    monkeypatch.setattr(charts, "theme_sizes", lambda _: sizes(with_outliers))
    fig = _overview(ReportInput(model, frame))["figures"]["sizes"]
    assert len(fig.data) == 2
    assert all((trace.meta or {}).get("filter") == "theme" for trace in fig.data)
