"""Lineage across a store's refits: a planted split, its flows, the Sankey and the report."""

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import trends
from trends.store import Store
from trends.timeline import lineage_events, lineage_flows

DIMS = 32


class StandIn:
    """A cacheable backend that looks texts up in a table of planted vectors."""

    cacheable = True
    identity = "lineage-stand-in"

    def __init__(self, table):
        self.table = table

    def encode(self, texts, *, progress=True):
        return np.vstack([self.table[t] for t in texts])


def papers(prefix, centre, n, rng, day):
    rows, vectors = [], {}
    for i in range(n):
        text = f"{prefix} paper {i} about {prefix} things"
        v = centre + rng.normal(scale=0.05, size=DIMS)
        vectors[text] = v / np.linalg.norm(v)
        rows.append(
            {
                "doc_id": f"{prefix}-{i}",
                "title": f"{prefix} {i}",
                "abstract": text,
                "text": text,
                "published": pd.Timestamp(day, tz="UTC"),
                "categories": ["cs.XX"],
            }
        )
    return rows, vectors


@pytest.fixture(scope="module")
def replay(tmp_path_factory):
    """Day 1: three themes and a fourth made of two close groups of 20 (too few to part
    at min_cluster_size=30). Day 2 adds 20 to each group and refits at min_cluster_size=10:
    the fourth theme splits in two."""
    rng = np.random.default_rng(0)
    axes = np.eye(DIMS)
    # 20 degrees apart: one theme at min_cluster_size=30, two at 10, for every seed and
    # numba target tried (at 25 degrees the first fit's single run left the pair out on
    # x86-64-v3 code: the test hung on one run's realisation)
    angle = np.deg2rad(20)
    twin = np.cos(angle) * axes[3] + np.sin(angle) * axes[4]
    table, day1, day2 = {}, [], []
    for name, centre in (("qubit", axes[0]), ("pixel", axes[1]), ("token", axes[2])):
        rows, vecs = papers(name, centre, 40, rng, "2025-03-03")
        day1 += rows
        table |= vecs
    for name, centre in (("left", axes[3]), ("right", twin)):
        rows, vecs = papers(name, centre, 40, rng, "2025-03-03")
        day1 += rows[:20]
        day2 += [dict(r, published=pd.Timestamp("2025-03-10", tz="UTC")) for r in rows[20:]]
        table |= vecs
    backend = StandIn(table)
    path = tmp_path_factory.mktemp("lineage") / "store.sqlite"
    cache = tmp_path_factory.mktemp("cache")

    def model(mcs):
        return trends.ThemeModel(
            embedding=backend, min_cluster_size=mcs, n_runs=1, verbose=False, random_state=1
        )

    with Store(path, cache_dir=cache) as store:
        first = store.update(pd.DataFrame(day1), model=model(30), verbose=False)
        second = store.update(
            pd.DataFrame(day2), model=model(10), new_params=True, refit=True, verbose=False
        )
        yield store, first, second, path, backend


def test_the_planted_split_is_in_the_flows(replay):
    store, first, second, _, _ = replay
    assert first.n_themes == 4 and second.n_themes == 5
    flows = lineage_flows(store)
    assert set(flows.step) == {1}
    assert flows.papers.sum() == len(store.papers())
    splits = flows[flows.kind == "split"]
    assert splits.from_theme.nunique() == 1 and splits.to_theme.nunique() == 2
    parent = int(splits.from_theme.iloc[0])
    before = store.assignments(int(flows.to_run.iloc[0]) - 1).set_index("doc_id").theme_id
    assert (before[before.index.str.startswith(("left", "right"))] == parent).all()
    new = flows[flows.from_theme == -2]  # the day-2 papers, first seen at the refit
    assert new.papers.sum() == 40 and set(new.to_theme) == set(splits.to_theme)
    continued = flows[flows.kind == "continued"]
    assert len(continued) == 3 and (continued.from_share > 0.9).all()


def test_events(replay):
    store, first, second, _, _ = replay
    events = lineage_events(lineage_flows(store))
    kinds = events.event.value_counts().to_dict()
    split = events[events.event == "split"].iloc[0]
    assert kinds.get("split") == 1 and len(split.into) == 2
    # Every theme after the refit has one event saying how it came to be: the three kept
    # themes and the successor of the split that kept its id continued, the other appeared
    # (from the split theme); no theme is counted twice on one side of the refit.
    after = events[events.event.isin(["continued", "merged", "appeared"])]
    assert sorted(after.theme_id) == list(range(second.n_themes))
    assert kinds.get("continued") == 4 and kinds.get("appeared") == 1
    appeared = after[after.event == "appeared"].iloc[0]
    assert appeared.into == [split.theme_id] and appeared.theme_id in split.into
    before = events[events.event.isin(["split", "ended"])]
    assert before.theme_id.is_unique


def test_a_theme_absorbed_under_a_new_id_is_in_one_event_not_none_or_two():
    """Old theme 2 goes whole into new theme 7, which also takes old theme 3: one 'merged'
    event names both (before: 7 was 'appeared' and 'merged', and 2 had no event at all,
    while the store's update summary said it ended)."""
    flows = pd.DataFrame(
        {
            "step": 1,
            "to_date": pd.Timestamp("2025-03-10"),
            "from_theme": [0, 2, 3, 6, 6, -2],
            "to_theme": [0, 7, 7, 6, 6, 6],
            "papers": [30, 40, 20, 50, 0, 5],
            "from_label": ["a", "b", "c", "d", "d", ""],
            "to_label": ["a", "bc", "bc", "d", "d", "d"],
        }
    )
    flows = flows[flows.papers > 0].copy()
    flows["from_share"] = flows.papers / flows.groupby("from_theme").papers.transform("sum")
    flows["to_share"] = flows.papers / flows.groupby("to_theme").papers.transform("sum")
    events = lineage_events(flows)
    rows = {(r.theme_id, r.event): r.into for r in events.itertuples()}
    assert rows == {(0, "continued"): [0], (7, "merged"): [2, 3], (6, "continued"): [6]}


def test_sankey(replay):
    from trends.charts import lineage

    store, *_ = replay
    fig = lineage(store)
    sankey = fig.to_dict()["data"][0]
    assert sankey["type"] == "sankey"
    labels = sankey["node"]["label"]
    assert "New papers" in labels
    assert sum(sankey["link"]["value"]) <= len(store.papers())
    assert any("230, 159, 0" in c for c in sankey["link"]["color"])  # the split, in orange


def test_a_store_with_one_fit_has_no_lineage(tmp_path, replay):
    from trends.charts import lineage

    *_, backend = replay
    rows, _ = papers("qubit", np.eye(DIMS)[0], 40, np.random.default_rng(0), "2025-03-03")
    with Store(tmp_path / "one.sqlite", cache_dir=tmp_path / "c") as store:
        store.update(
            pd.DataFrame(rows),
            model=trends.ThemeModel(embedding=backend, n_runs=1, verbose=False),
            verbose=False,
        )
        assert lineage_flows(store).empty
        fig = lineage(store)
        assert not fig.data and "No refit" in fig.layout.annotations[0].text


def test_lineage_section_in_the_report(replay):
    from trends.report import Section, render_report

    store, *_, backend = replay
    corpus = store.papers().drop(columns="snapshot_id")
    model = trends.ThemeModel(embedding=backend, n_runs=1, verbose=False).fit(corpus)
    html = render_report(
        model,
        corpus,
        sections=[Section("lineage", "Lineage", "trends.timeline:lineage_section")],
        store=store,
    )
    assert 'id="lineage"' in html and 'data-chart="lineage-sankey"' in html
    assert "1 split" in html
    # the store's ids are written S12, apart from the report's own #12; where a store theme
    # is mostly one of the report's themes, the chip says which
    import re

    pairs = re.findall(r"S(\d+) \(#(\d+) here\)", html)
    assert pairs
    stored, store_labels, _ = store.current()
    mine = dict(zip(model.doc_ids_, model.labels_, strict=True))
    for s_id, here in pairs:
        members = [
            mine[d] for d, t in zip(stored.doc_id, store_labels, strict=True) if t == int(s_id)
        ]
        assert np.mean(np.array(members) == int(here)) >= 0.5
    assert not re.search(r"→ #\d", html)


def test_cli_report_of_a_store(replay, tmp_path, monkeypatch):
    from trends.cli import app

    store, *_, path, backend = replay
    # the store's model parameters name no embedding a new process could rebuild: give it one
    monkeypatch.setattr("trends.embed.backends.resolve_embedder", lambda *a, **k: backend)
    monkeypatch.setattr("trends.embed.resolve_embedder", lambda *a, **k: backend, raising=False)
    out = tmp_path / "store.html"
    result = CliRunner().invoke(app, ["report", str(path), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert 'id="lineage"' in html and "lineage-sankey" in html
    # the themes shown are a fit of the store's papers, not its last refit: said so
    assert "fitted anew with its parameters" in result.stderr
    bad = tmp_path / "bad.sqlite"
    import sqlite3

    sqlite3.connect(bad).execute("CREATE TABLE other (x)").connection.commit()
    result = CliRunner().invoke(app, ["report", str(bad), "-o", str(tmp_path / "b.html")])
    assert result.exit_code == 2 and "not a trends store" in result.output


def test_events_take_the_store_itself_and_wrong_inputs_are_named(replay):
    """lineage_events(store) was an AttributeError ('Store' has no 'groupby'), as were a
    DataFrame given to lineage_flows and a table without the flows' columns."""
    store, *_ = replay
    pd.testing.assert_frame_equal(lineage_events(store), lineage_events(lineage_flows(store)))
    with pytest.raises(trends.InputError, match="lineage_flows takes a store"):
        lineage_flows(lineage_flows(store))
    with pytest.raises(
        trends.InputError, match="lineage_events needs the column.*step.*lineage_flows"
    ):
        lineage_events(store.papers())
    with pytest.raises(trends.InputError, match="lineage needs the column.*lineage_flows"):
        trends.charts.lineage(store.papers())
