"""The theme tree: its table, its cuts (`themes_at`), its chart, its persistence."""

import numpy as np
import pytest
from conftest import synthetic_corpus

import trends
from trends import hierarchy
from trends.errors import InputError

SIX = {
    "quantum": "qubit entanglement quantum circuit decoherence superconducting gate error",
    "photonic": "photon laser optical waveguide interferometer quantum detector cavity",
    "vision": "image segmentation pixels convolutional detection camera object bounding",
    "video": "video frames motion tracking camera temporal action clip",
    "language": "token language translation grammar corpus sentence parsing lexical",
    "biology": "protein gene cell genome sequencing enzyme molecular tissue",
}


@pytest.fixture(scope="module")
def fitted():
    frame, emb, _ = synthetic_corpus(n_per_theme=30, themes=SIX)
    return trends.ThemeModel(verbose=False, random_state=0).fit(frame, embeddings=emb), frame


@pytest.fixture(scope="module")
def model(fitted):
    return fitted[0]


def test_every_theme_is_a_leaf_once_and_sizes_add_up(model):
    tree = model.hierarchy_
    k = model.n_themes_
    assert list(tree.columns[:3]) == ["node_id", "parent", "level"]
    assert {"name", "size", "children", "themes", "description"} <= set(tree.columns)
    leaves = tree[tree.children.map(len) == 0]
    assert sorted(leaves.node_id) == list(range(k))
    assert len(tree) == 2 * k - 1
    roots = tree[tree.parent == -1]
    assert len(roots) == 1 and roots.level.iloc[0] == 0
    assert roots["size"].iloc[0] == int(np.sum(model.labels_ >= 0))
    sizes = dict(zip(tree.node_id, tree["size"], strict=True))
    for row in tree.itertuples():
        if row.children:
            assert row.size == sum(sizes[c] for c in row.children)
            assert sorted(row.themes) == sorted(
                t for c in row.children for t in tree.set_index("node_id").loc[c, "themes"]
            )
            assert all(
                tree.set_index("node_id").loc[c, "parent"] == row.node_id for c in row.children
            )
        else:
            assert row.size == int(np.sum(model.labels_ == row.node_id))
    names = tree["name"].tolist()
    assert len(set(names)) == len(names)
    assert all(n for n in names)
    leaf_names = dict(zip(leaves.node_id, leaves["name"], strict=True))
    assert leaf_names == dict(
        zip(
            model.themes_.theme_id[model.themes_.theme_id >= 0],
            model.themes_.name[model.themes_.theme_id >= 0],
            strict=True,
        )
    )


def test_themes_at_one_group(model):
    one = model.themes_at(1)
    real = one[one.theme_id >= 0]
    assert real.theme_id.tolist() == [0]
    assert sorted(real.members.iloc[0]) == list(range(model.n_themes_))
    assert real["size"].iloc[0] == int(np.sum(model.labels_ >= 0))
    assert one["size"].sum() == len(model.labels_)


def test_themes_at_all_themes_is_the_theme_table(model):
    k = model.n_themes_
    table = model.themes_at(k)
    real = table[table.theme_id >= 0]
    assert real.theme_id.tolist() == list(range(k))
    assert [m for m in real.members] == [[t] for t in range(k)]
    themes = model.themes_[model.themes_.theme_id >= 0]
    assert real.name.tolist() == themes.name.tolist()
    assert real["size"].tolist() == themes["size"].tolist()
    assert set(model.themes_.columns) <= set(table.columns)


def test_a_middle_cut_partitions_the_themes(model):
    k = model.n_themes_
    n = max(2, k // 2)
    table = model.themes_at(n)
    real = table[table.theme_id >= 0]
    assert real.theme_id.tolist() == list(range(n))
    assert sorted(t for m in real.members for t in m) == list(range(k))
    assert real["size"].is_monotonic_decreasing
    assert table["size"].sum() == len(model.labels_)
    if (model.labels_ == -1).any():
        assert table.theme_id.iloc[-1] == -1
    by_theme = {t: g for g, m in zip(real.theme_id, real.members, strict=True) for t in m}
    for g, m in zip(real.theme_id, real.members, strict=True):
        assert real.set_index("theme_id").loc[g, "size"] == int(np.isin(model.labels_, m).sum())
    assert len(set(by_theme.values())) == n


@pytest.mark.parametrize("bad", [0, -1, 10_000, 2.5, True])
def test_themes_at_rejects_impossible_cuts(model, bad):
    with pytest.raises(InputError):
        model.themes_at(bad)


def test_tree_frame_and_chart(model):
    frame = hierarchy.tree_frame(model.hierarchy_, cuts=[2])
    assert frame["parent"].iloc[0] == ""
    assert set(frame.parent[1:]) <= set(frame["id"])
    leaves = frame[frame.theme_id >= 0]
    assert sorted(leaves.theme_id) == list(range(model.n_themes_))
    fig = trends.charts.theme_tree(frame)
    trace = fig.data[0]
    assert trace.type == "icicle"
    assert list(trace.ids) == frame["id"].tolist()
    assert trace["values"][0] == int(np.sum(model.labels_ >= 0))
    from trends.charts._style import theme_color

    colors = list(trace.marker.colors)
    for i, t in enumerate(frame.theme_id):
        if t >= 0:
            assert colors[i] == theme_color(int(t))
    # A theme's box says what its row of the theme table says (before: nothing).
    described = model.themes_.set_index("theme_id")["description"]
    for row, t in zip(trace.customdata, frame.theme_id, strict=True):
        if t >= 0:
            assert row[0] == described[int(t)] != "", (t, row[0])


def test_tree_names_escape_markup():
    import pandas as pd

    tree = pd.DataFrame(
        {
            "id": ["n0"],
            "parent": [""],
            "node_id": [0],
            "name": ["<script>x</script>"],
            "description": ["<b>"],
            "size": [3],
            "share": [1.0],
            "depth": [0],
            "theme_id": [0],
            "color_theme": [0],
        }
    )
    fig = trends.charts.theme_tree(tree)
    assert "<script>" not in fig.data[0].labels[0]


def test_hierarchy_survives_save_and_load(model, tmp_path):
    path = tmp_path / "m.trends"
    model.save(path)
    loaded = trends.ThemeModel.load(path)
    assert loaded.hierarchy_["name"].tolist() == model.hierarchy_["name"].tolist()
    assert loaded.hierarchy_["children"].tolist() == model.hierarchy_["children"].tolist()
    assert loaded.themes_at(2)["members"].tolist() == model.themes_at(2)["members"].tolist()
    assert loaded.themes_.name.tolist() == model.themes_.name.tolist()


def test_merge_tree_is_deterministic_under_float_noise():
    rng = np.random.default_rng(0)
    cents = rng.normal(size=(6, 8))
    prof = rng.random((6, 20))
    a = hierarchy.merge_tree(hierarchy.theme_distances(cents, prof))
    b = hierarchy.merge_tree(hierarchy.theme_distances(cents + 1e-9, prof))
    assert np.array_equal(a[:, :2], b[:, :2])


def test_the_report_shows_the_tree_and_the_fields(fitted):
    from trends.report import SECTIONS, render_report

    model, frame = fitted
    frame = frame.copy()
    frame.loc[0, "title"] = "<script>alert(1)</script>"
    html = render_report(model, frame)
    assert 'id="tree"' in html and 'data-chart="tree-icicle"' in html
    assert html.index('id="tree"') < html.index('id="overview"')
    for name in model.themes_.name[model.themes_.theme_id >= 0]:
        assert name in html or name.replace("&", "&amp;") in html
    only = [s for s in SECTIONS if s.id == "tree"]
    alone = render_report(model, frame, sections=only)
    assert 'id="tree"' in alone and 'id="overview"' not in alone
    assert "<script>alert(1)</script>" not in html


def test_a_model_with_two_themes_has_no_fields_section():
    frame, emb, _ = synthetic_corpus(n_per_theme=30, themes=dict(list(SIX.items())[:2]))
    model = trends.ThemeModel(min_cluster_size=15, verbose=False).fit(frame, embeddings=emb)
    from trends.report import render_report

    assert model.n_themes_ == 2
    assert 'id="tree"' not in render_report(model, frame)
