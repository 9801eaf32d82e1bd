"""The theme tree draws in the report, in a real headless Chromium (slow)."""

import numpy as np
import pytest
from conftest import synthetic_corpus
from test_browser import CHROMIUM_ARGS, _chromium
from test_hierarchy import SIX

import trends

pytestmark = pytest.mark.slow


def test_tree_chart_draws_in_the_report(tmp_path):
    from playwright.sync_api import sync_playwright

    frame, emb, _ = synthetic_corpus(n_per_theme=30, themes=SIX)
    model = trends.ThemeModel(verbose=False).fit(frame, embeddings=emb)
    path = trends.write_report(model, frame, tmp_path / "report.html")
    nodes = len(trends.hierarchy.tree_frame(model.hierarchy_))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri() + "#tree")
        chart = '#tree [data-chart="tree-icicle"]'
        page.wait_for_selector(f"{chart}[data-drawn]", timeout=60_000)
        slices = page.locator(f"{chart} g.slice").count()
        assert slices == nodes
        text = page.inner_text(f"{chart}")
        largest = model.themes_.name.iloc[0]
        assert largest[:20] in text
        fields = page.locator("#tree .field h3").count()
        assert fields == model.themes_at(2).theme_id.ge(0).sum()
        # a click on a field's box shows the papers of its themes in the explorer
        frame_shown = trends.hierarchy.tree_frame(model.hierarchy_)
        k = next(i for i, r in enumerate(frame_shown.itertuples()) if r.parent and r.theme_id < 0)
        themes = model.hierarchy_.set_index("node_id").themes[frame_shown.node_id.iloc[k]]
        box = page.locator(f"{chart} g.slice").nth(k).bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        count = page.inner_text("#match-count").split()[0].replace(",", "")
        assert int(count) == int(np.isin(model.labels_, list(themes)).sum())
        browser.close()
    assert errors == []
