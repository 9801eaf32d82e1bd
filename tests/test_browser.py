"""The report in a real headless Chromium: loads cleanly, draws every chart, runs no payload."""

import os
import shutil

import pandas as pd
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


def _open(browser, path, fragment=""):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.add_init_script(
        "window.__alerts = []; window.alert = function (m) { window.__alerts.push(String(m)); };"
    )
    page.goto(path.as_uri() + fragment)
    page.wait_for_function(
        "document.documentElement.getAttribute('data-explorer') === 'ready' && "
        "document.querySelectorAll('[data-chart]').length > 0 && "
        "document.querySelectorAll('[data-drawn]').length === "
        "document.querySelectorAll('[data-chart]').length",
        timeout=60_000,
    )
    return page, errors, requests


HOSTILE_AUTHOR = "<img src=x onerror=alert(5)>"
HOSTILE_CATEGORY = "<svg onload=alert(6)>"


def _hostile_frame():
    from conftest import synthetic_corpus
    from test_report import XSS

    frame, emb, _ = synthetic_corpus()
    frame = frame.copy()
    frame.loc[0, "title"] = XSS[0]
    frame.loc[1, "title"] = XSS[1]
    frame["url"] = [f"https://example.org/paper/{i}" for i in range(len(frame))]
    frame.loc[2, "url"] = "javascript:alert(4)"
    frame["authors"] = [
        ["Ada Lovelace", "Grace Hopper"] if i % 2 else ["Alan Turing"] for i in range(len(frame))
    ]
    frame.loc[3, "authors"] = [HOSTILE_AUTHOR]
    frame["categories"] = [["cs.CL"] if i % 3 else ["cs.CV", "cs.AI"] for i in range(len(frame))]
    frame.loc[4, "categories"] = [HOSTILE_CATEGORY, "cs.CL"]
    # A letter whose lower case is longer (U+0130): one in the corpus turned off every
    # search snippet of the report.
    frame.loc[5, "authors"] = ["Ozan İrsoy"]
    frame.loc[6, "title"] = "İstanbul traffic"
    return frame, emb


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A report of the synthetic corpus with links, authors, categories and payloads."""
    from test_report import payload

    frame, emb = _hostile_frame()
    model = trends.ThemeModel(verbose=False).fit(frame, embeddings=emb)
    path = trends.write_report(model, frame, tmp_path_factory.mktemp("r") / "report.html")
    return path, model, frame, payload(path.read_text(encoding="utf-8"))


def _rows(page) -> list[dict]:
    """The paper rows on the page: index, title, link, theme, date."""
    return page.evaluate(
        """Array.from(document.querySelectorAll('#paper-rows tr[data-paper]')).map(tr => {
            const a = tr.querySelector('td.title a');
            return {i: +tr.dataset.paper,
                    title: tr.querySelector('td.title').firstChild.textContent,
                    href: a ? a.getAttribute('href') : null, rel: a ? a.getAttribute('rel') : null,
                    target: a ? a.getAttribute('target') : null,
                    theme: +tr.querySelector('[data-theme]').dataset.theme,
                    date: tr.children[2].textContent};
        })"""
    )


def _all_rows(page) -> list[dict]:
    """Every row of the selection, page by page."""
    rows = _rows(page)
    while page.evaluate("!document.getElementById('page-next').disabled"):
        page.click("#page-next")
        rows += _rows(page)
    return rows


def _count(page) -> int:
    text = page.inner_text("#match-count")
    return int(text.split()[0].replace(",", ""))


def _matches(data, query) -> list[int]:
    """The papers a query should find: every term in the text or the theme's words."""
    names = {t["id"]: (t["name"] + " " + " ".join(t["keywords"])).lower() for t in data["themes"]}
    out = []
    for i in range(data["n"]):
        tags = " ".join(f["values"][c] for f in data["facets"] for c in f["codes"][i])
        text = "\n".join([data["title"][i], data["authors"][i], tags, data["abstract"][i]])
        text = text.lower()
        terms = query.lower().split()
        if all(t in text or t in names[data["theme"][i]] for t in terms):
            out.append(i)
    return out


def _fragment(page) -> str:
    """The URL fragment, once written (150 ms after the last change)."""
    page.wait_for_function("location.hash.replace(/^#/, '') === TrendsExplorer.fragment()")
    return page.evaluate("location.hash")


def test_report_loads_draws_and_runs_no_payload(browser, report, tmp_path):
    from test_report import XSS

    path, model, frame, data = report
    page, errors, requests = _open(browser, path)
    assert errors == []
    assert page.evaluate("window.__alerts") == []
    # every chart drew its SVG
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('[data-chart]')).map("
        "d => d.querySelectorAll('.main-svg').length > 0)"
    )
    assert len(drawn) >= 7 and all(drawn)
    names = page.evaluate(
        "Array.from(document.querySelectorAll('[data-chart]')).map(d => d.dataset.chart)"
    )
    assert {"sizes", "map", "papers-timeline", "keywords", "similarity", "share"} <= set(names)
    # the payloads are text on the page, not elements
    page.click("th.sortable[data-sort=date] button")  # oldest first: papers 0..4 on page 1
    body = page.inner_text("#paper-table")
    for text in (*XSS, HOSTILE_AUTHOR, HOSTILE_CATEGORY):
        assert text in body
    # a payload typed into the search box is a query, matched and highlighted as text
    page.fill("#search", f'"{HOSTILE_AUTHOR}"')  # a "quoted phrase" is one term
    assert _count(page) == 1
    assert page.inner_text("#paper-table mark") == HOSTILE_AUTHOR
    page.fill("#search", '"</script><script>alert(7)</script>')
    page.keyboard.press("Escape")
    page.fill("#search", '"><img src=x onerror=alert(8)>')
    assert _count(page) == 0
    assert "onerror" in _fragment(page)  # percent-encoded in the URL
    page.reload()
    page.wait_for_function("document.documentElement.getAttribute('data-explorer') === 'ready'")
    assert page.evaluate("document.querySelectorAll('img, svg[onload]').length") == 0
    assert page.evaluate("window.__alerts") == [] and errors == []
    # the hostile query came back from the URL, as text in the box
    assert page.input_value("#search") == '"><img src=x onerror=alert(8)>'
    page.click("#clear-all")
    # the javascript: link is never a link
    rows = {r["i"]: r for r in _all_rows(page)}
    assert rows[2]["href"] is None and rows[5]["href"] == "https://example.org/paper/5"
    # nothing was fetched from the network
    assert all(u.startswith(("file:", "data:", "about:")) for u in requests)
    page.screenshot(path=str(tmp_path / "report.png"))


def test_search_shows_only_matching_rows(browser, report):
    path, model, frame, data = report
    page, errors, _ = _open(browser, path)
    assert _count(page) == len(frame)
    assert page.evaluate("document.querySelectorAll('#paper-rows tr').length") <= 25  # paged
    for query in ("paper 1", "qubit", "Lovelace paper 2", "ENZYME"):
        page.fill("#search", query)
        expected = _matches(data, query)
        assert 0 < len(expected) < len(frame), query
        assert _count(page) == len(expected), query
        rows = _all_rows(page)
        assert sorted(r["i"] for r in rows) == expected, query
    # a title match is highlighted
    page.fill("#search", "paper 1")
    marks = page.evaluate(
        "Array.from(document.querySelectorAll('#paper-rows mark')).map(m => m.textContent)"
    )
    assert {m.lower() for m in marks} == {"paper", "1"}
    # the theme list counts the matches of each theme
    expected = _matches(data, "paper 1")
    for theme in range(model.n_themes_):
        label = page.inner_text(f'#theme-list button[data-theme="{theme}"] .count')
        n = sum(data["theme"][i] == theme for i in expected)
        assert label.startswith(f"{n} / "), (theme, label)
    assert errors == []


def test_filters_combine_and_clear(browser, report):
    path, model, frame, data = report
    page, errors, _ = _open(browser, path)
    # a theme from the list
    page.click('#theme-list button[data-theme="1"]')
    assert page.get_attribute('#theme-list button[data-theme="1"]', "aria-pressed") == "true"
    rows = _all_rows(page)
    assert {r["theme"] for r in rows} == {1}
    assert len(rows) == _count(page) == int((model.labels_ == 1).sum())
    # and a date range, typed into the date inputs
    page.fill("#date-from", "2025-01-05")
    page.fill("#date-to", "2025-01-14")
    rows = _all_rows(page)
    assert rows and all("2025-01-05" <= r["date"] <= "2025-01-14" for r in rows)
    assert {r["theme"] for r in rows} == {1}
    days = pd.to_datetime(frame.published).dt.strftime("%Y-%m-%d")
    expected = ((model.labels_ == 1) & (days >= "2025-01-05") & (days <= "2025-01-14")).sum()
    assert len(rows) == expected
    # the same range typed the other way round is the same range, not an empty result
    page.fill("#date-to", "")
    page.fill("#date-from", "")
    page.fill("#date-to", "2025-01-05")
    page.fill("#date-from", "2025-01-14")
    assert len(_all_rows(page)) == expected
    assert page.input_value("#date-from") == "2025-01-05"
    assert page.input_value("#date-to") == "2025-01-14"
    # and a category
    page.select_option('select[data-facet="categories"]', "cs.CV")
    rows = _all_rows(page)
    assert rows and all("cs.CV" in frame.categories[r["i"]] for r in rows)
    # one "clear" resets all
    page.click("#clear-all")
    assert _count(page) == len(frame)
    assert page.input_value("#date-from") == "" and page.input_value("#search") == ""
    assert _fragment(page) == ""
    assert errors == []


def test_charts_filter_the_papers(browser, report):
    path, model, frame, data = report
    page, errors, _ = _open(browser, path)
    # a click on a bar of the sizes chart
    bar = page.locator("#chart-sizes .bars .point path").first
    bar.scroll_into_view_if_needed()
    page.mouse.wheel(0, -150)
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    first = page.evaluate("document.getElementById('chart-sizes').data[0].customdata[0][0]")
    assert {r["theme"] for r in _all_rows(page)} == {first}
    assert _count(page) == int((model.labels_ == first).sum())
    page.click("#clear-all")
    # a legend entry of the map
    entry = page.locator("#chart-map .legend .traces .legendtoggle").last
    entry.scroll_into_view_if_needed()
    entry.click(force=True)
    themes = {r["theme"] for r in _all_rows(page)}
    assert len(themes) == 1 and _count(page) < len(frame)
    page.click("#clear-all")
    # a group of themes (a field of the theme tree) is selected, then unselected, at once
    group = (
        "window.dispatchEvent(new CustomEvent('trends:filter', "
        "{detail: {kind: 'theme', theme: [0, 1]}}))"
    )
    page.evaluate(group)
    assert {r["theme"] for r in _all_rows(page)} == {0, 1}
    page.evaluate(group)
    assert _count(page) == len(frame)
    # the timeline's range is the date filter (as the range slider sets it)
    page.evaluate(
        "Plotly.relayout(document.getElementById('chart-papers-timeline'), "
        "{'xaxis.range': ['2025-01-03 00:00', '2025-01-06 00:00']})"
    )
    page.wait_for_function("document.getElementById('date-from').value !== ''")
    assert page.input_value("#date-from") == "2025-01-03"
    assert page.input_value("#date-to") == "2025-01-05"
    rows = _all_rows(page)
    assert len(rows) == 3 * 4 and {r["date"] for r in rows} == {
        "2025-01-03",
        "2025-01-04",
        "2025-01-05",
    }
    # the map draws the selection: only the selected points are marked
    page.wait_for_timeout(300)
    picked = page.evaluate(
        "document.getElementById('chart-map').data.reduce("
        "(n, t) => n + (t.selectedpoints ? t.selectedpoints.length : 0), 0)"
    )
    assert picked == 12
    assert errors == []


def test_rows_link_to_the_paper_and_show_the_abstract(browser, report):
    path, model, frame, data = report
    page, errors, _ = _open(browser, path)
    page.context.route("https://example.org/**", lambda route: route.fulfill(body="paper"))
    page.fill("#search", "paper 7")
    row = _rows(page)[0]
    assert row["href"] == f"https://example.org/paper/{row['i']}"
    assert row["rel"] == "noopener noreferrer" and row["target"] == "_blank"
    with page.expect_popup() as popup:
        page.click(f'#paper-rows tr[data-paper="{row["i"]}"] td.title a')
    assert popup.value.url == row["href"]
    assert popup.value.evaluate("window.opener") is None
    popup.value.close()
    # the abstract on demand
    button = f'button[data-abstract="{row["i"]}"]'
    assert page.get_attribute(button, "aria-expanded") == "false"
    page.click(button)
    assert page.get_attribute(button, "aria-expanded") == "true"
    assert page.inner_text(f"#abstract-{row['i']}") == frame.abstract[row["i"]]
    page.click(button)
    assert page.locator(f"#abstract-{row['i']}").count() == 0
    assert errors == []


def test_the_url_fragment_restores_the_view(browser, report):
    path, model, frame, data = report
    page, errors, _ = _open(browser, path)
    page.fill("#search", "paper")
    page.click('#theme-list button[data-theme="2"]')
    page.fill("#date-from", "2025-01-02")
    page.click("th.sortable[data-sort=date] button")  # oldest first
    page.click("#page-next")
    fragment = _fragment(page)
    assert "q=paper" in fragment and "theme=2" in fragment and "from=2025-01-02" in fragment
    assert "sort=date-asc" in fragment and "page=2" in fragment
    before = (_count(page), _rows(page))
    page.reload()
    page.wait_for_function("document.documentElement.getAttribute('data-explorer') === 'ready'")
    assert (_count(page), _rows(page)) == before
    assert page.input_value("#search") == "paper"
    assert page.get_attribute("th.sortable[data-sort=date]", "aria-sort") == "ascending"
    # the same view from the fragment alone, in a new page
    again, errors2, _ = _open(browser, path, fragment)
    assert (_count(again), _rows(again)) == before
    # a plain anchor is not a state
    anchor, _, _ = _open(browser, path, "#map")
    assert _count(anchor) == len(frame)
    assert errors == [] and errors2 == []


def test_the_section_menu_keeps_the_view_and_shows_the_heading(browser, report):
    path, model, frame, data = report
    page, errors, _ = _open(browser, path)
    page.fill("#search", "paper")
    page.click('#theme-list button[data-theme="2"]')
    page.wait_for_function("location.hash.indexOf('theme=2') >= 0")
    fragment = _fragment(page)
    for link in page.query_selector_all('nav[aria-label="Sections"] a'):
        section = link.get_attribute("href")[1:]
        link.click()
        page.wait_for_timeout(50)
        assert _fragment(page) == fragment  # the address still holds the view
        bar = page.eval_on_selector("#explorer-bar", "e => e.getBoundingClientRect().bottom")
        top = page.eval_on_selector(f"#{section} h2", "e => e.getBoundingClientRect().top")
        at_end = page.evaluate(
            "window.innerHeight + window.pageYOffset >= document.body.scrollHeight - 2"
        )
        assert top >= bar - 1 or at_end, section  # not under the sticky bar
    assert errors == []


def test_keyboard(browser, report):
    path, model, frame, data = report
    page, errors, _ = _open(browser, path)
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search"
    page.keyboard.type("qubit")
    assert _count(page) == len(_matches(data, "qubit"))
    page.keyboard.press("Escape")  # clears the search
    assert page.input_value("#search") == "" and _count(page) == len(frame)
    page.click('#theme-list button[data-theme="0"]')
    page.keyboard.press("Escape")  # clears the filters
    assert _count(page) == len(frame)
    assert page.get_attribute('#theme-list button[data-theme="0"]', "aria-pressed") == "false"
    # the controls have labels
    unlabelled = page.evaluate(
        "Array.from(document.querySelectorAll('#explorer-bar input, #explorer-bar select'))"
        ".filter(el => !el.labels || el.labels.length === 0).map(el => el.id)"
    )
    assert unlabelled == []
    assert errors == []


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
    assert _count(page) == 192 and page.locator("#date-from").count() == 0
    page.fill("#search", "attention")
    assert 0 < _count(page) < 192


def test_search_snippets_dotted_capitals_blanks_and_bad_dates(browser, report):
    path, model, frame, data = report
    page, errors, _ = _open(browser, path)
    page.fill("#search", "qubit")
    rows = _rows(page)
    # every listed paper whose abstract holds the word shows where (an excerpt)
    expected = [r["i"] for r in rows if "qubit" in data["abstract"][r["i"]].lower()]
    assert expected
    shown = page.evaluate(
        "Array.from(document.querySelectorAll('#paper-rows tr[data-paper]'))"
        ".filter(tr => tr.querySelector('.snippet')).map(tr => +tr.dataset.paper)"
    )
    assert shown == expected
    for query in ("istanbul", "İstanbul", "İSTANBUL"):  # the dotted capital is an 'i'
        page.fill("#search", query)
        assert [r["i"] for r in _rows(page)] == [6], query
        # and the title's mark covers the dotted capital too, in the title as written
        marks = page.evaluate(
            "Array.from(document.querySelectorAll('#paper-rows tr[data-paper=\"6\"] mark'))"
            ".map(m => m.textContent)"
        )
        assert "İstanbul" in marks, (query, marks)
    # blanks alone are no search: every paper, no filter chip, nothing in the address
    page.fill("#search", "   ")
    assert _count(page) == len(frame)
    assert page.evaluate("document.querySelectorAll('#active-filters .filter').length") == 0
    assert "q=" not in _fragment(page)
    assert errors == []
    # a day that does not exist is no date filter (it rolled over to another day)
    page, errors, _ = _open(browser, path, "#from=2025-13-45")
    assert _count(page) == len(frame) and "from=" not in page.evaluate("TrendsExplorer.fragment()")
    assert errors == []


def test_a_narrow_screen_scrolls_no_page_sideways(browser, report):
    path, *_ = report
    page = browser.new_page(viewport={"width": 400, "height": 800})
    page.goto(path.as_uri())
    page.wait_for_function("document.documentElement.getAttribute('data-explorer') === 'ready'")
    # before: the section menu did not wrap and the paper table widened the page to ~550px
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
