"""The HTML report: self-contained, escaped, atomic; and its data frames."""

import re

import numpy as np
import pandas as pd
import pytest

import trends
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


def test_report_is_self_contained_and_escaped(hostile, tmp_path):
    model, frame = hostile
    path = trends.write_report(model, frame, tmp_path / "r.html", title="Report <i>x</i>")
    html = path.read_text(encoding="utf-8")
    # plotly.js inlined once, no CDN or remote script
    assert html.count("Plotly.newPlot") == 1
    assert len(re.findall(r"plotly\.js v\d", html)) == 1
    assert "<script src=" not in html and "<link " not in html
    # outside the inlined library itself, nothing refers to a CDN
    start = html.index("plotly.js v")
    outside = html[:start] + html[html.index("</script>", start) :]
    assert "cdn.plot.ly" not in outside and "https://cdn" not in outside
    # payloads show as text only
    for payload in XSS:
        assert payload not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Report &lt;i&gt;x&lt;/i&gt;" in html
    assert "</script><script>alert(2)" not in html
    assert 'href="javascript:' not in html
    assert 'href="https://arxiv.org/abs/2503.00001"' in html
    # every chart has a spec
    for name in ("sizes", "map", "keywords", "similarity", "share", "emerging"):
        assert f'id="spec-{name}"' in html


def test_report_summary_and_sections(hostile, tmp_path):
    model, frame = hostile
    html = trends.report.render_report(model, frame)
    assert f"{len(frame)} papers" in html
    assert "2025-01-01 to" in html  # date range
    for label in model.themes_.label:
        assert label.replace("·", "·") in html
    for name in ("Coherence (NPMI)", "Keyword diversity", "Outliers", "Themes"):
        assert name in html


def test_report_without_dates_says_so(synthetic, tmp_path):
    frame, emb, _ = synthetic
    frame = frame.assign(published=pd.NaT)
    model = trends.ThemeModel(verbose=False).fit(frame, embeddings=emb)
    html = trends.report.render_report(model, frame)
    assert "none of the 160 papers has a date" in html
    assert 'id="spec-share"' not in html


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
