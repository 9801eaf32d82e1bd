"""The report in a real headless Chromium: loads cleanly, draws every chart, runs no payload."""

import os
import shutil

import pytest

import trends

pytestmark = pytest.mark.slow

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
        pytest.skip("chromium is not installed: apt-get install -y chromium")
    return path


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.add_init_script(
        "window.__alerts = []; window.alert = function (m) { window.__alerts.push(String(m)); };"
    )
    page.goto(path.as_uri())
    page.wait_for_function(
        "document.querySelectorAll('[data-chart]').length > 0 && "
        "document.querySelectorAll('[data-drawn]').length === "
        "document.querySelectorAll('[data-chart]').length",
        timeout=60_000,
    )
    return page, errors, requests


def test_report_loads_draws_and_runs_no_payload(browser, tmp_path):
    from conftest import synthetic_corpus
    from test_report import XSS

    frame, emb, _ = synthetic_corpus()
    frame = frame.copy()
    frame.loc[0, "title"] = XSS[0]
    frame.loc[1, "title"] = XSS[1]
    frame["url"] = "https://example.org/paper"
    model = trends.ThemeModel(verbose=False).fit(frame, embeddings=emb)
    path = trends.write_report(model, frame, tmp_path / "report.html")
    page, errors, requests = _open(browser, path)
    assert errors == []
    assert page.evaluate("window.__alerts") == []
    # every chart drew its SVG
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('[data-chart]')).map("
        "d => d.querySelectorAll('.main-svg').length > 0)"
    )
    assert len(drawn) == 6 and all(drawn)
    # the payloads are text on the page, not elements
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    body = page.inner_text("#themes")
    assert XSS[0] in body and XSS[1] in body
    # nothing was fetched from the network
    assert all(u.startswith(("file:", "data:", "about:")) for u in requests)
    page.screenshot(path=str(tmp_path / "report.png"))


def test_bundled_report_in_browser(browser, tmp_path):
    corpus = trends.datasets.trending_papers()
    model = trends.ThemeModel(verbose=False).fit(corpus)
    path = trends.write_report(model, corpus, tmp_path / "bundled.html")
    page, errors, _ = _open(browser, path)
    assert errors == []
    bars = page.evaluate("document.querySelectorAll('#chart-sizes .bars .point').length")
    has_outliers = int((model.labels_ == -1).any())
    assert bars == model.n_themes_ + has_outliers  # themes, plus the outliers bar
    assert "none of the 192 papers has a date" in page.inner_text("#trends")
