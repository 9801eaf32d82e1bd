"""Themes by facet (category, venue, source): counts adding up, shares both ways."""

import numpy as np
import pandas as pd
import pytest

import trends


def faceted(seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.choice([-1, 0, 1, 2], size=300, p=[0.1, 0.5, 0.25, 0.15])
    cats = {0: ["cs.CV", "cs.LG"], 1: ["cs.CL"], 2: ["cs.LG", "cs.CV"], -1: []}
    corpus = pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(300)],
            "categories": [cats[int(t)] if rng.random() < 0.9 else ["cs.AI"] for t in labels],
            "venue": rng.choice(["NeurIPS", "ICML", None], size=300),
        }
    )
    themes = pd.DataFrame(
        {
            "theme_id": [0, 1, 2, -1],
            "label": ["vision", "language", "learning", "Outliers"],
            "size": [int((labels == t).sum()) for t in (0, 1, 2, -1)],
        }
    )
    return (labels, themes), corpus


def test_facets_add_up_to_the_theme_sizes():
    view, corpus = faceted()
    table = trends.facets(view, corpus, by="categories")
    sizes = view[1].set_index("theme_id")["size"]
    counted = table.groupby("theme_id")["count"].sum()
    assert (counted == sizes.reindex(counted.index)).all()
    assert table["count"].sum() == len(corpus)
    assert np.allclose(table.groupby("theme_id").share_of_theme.sum(), 1.0)
    assert np.allclose(table.groupby("value").share_of_value.sum(), 1.0)
    vision = table[table.label == "vision"].set_index("value")
    assert vision.loc["cs.CV", "share_of_theme"] > 0.8  # its primary category
    assert "cs.LG" not in vision.index or vision.loc["cs.LG", "count"] == 0
    assert "(none)" in set(table[table.theme_id == -1].value)  # no category at all
    assert table.theme_id.iloc[0] == 0 and table.theme_id.iloc[-1] == -1  # largest first


def test_every_value_when_not_primary():
    view, corpus = faceted()
    table = trends.facets(view, corpus, by="categories", primary=False)
    vision = table[table.label == "vision"].set_index("value")
    assert vision.loc["cs.LG", "count"] > 0  # cross-lists count too
    assert table["count"].sum() > len(corpus)
    venues = trends.facets(view, corpus, by="venue")
    assert set(venues.value) <= {"NeurIPS", "ICML", "(none)"}
    assert venues["count"].sum() == len(corpus)


def test_missing_column_is_a_clear_error():
    view, corpus = faceted()
    with pytest.raises(trends.InputError, match="no 'journal' column"):
        trends.facets(view, corpus, by="journal")


def test_facet_heatmap():
    from trends.charts import facet_heatmap

    view, corpus = faceted()
    table = trends.facets(view, corpus, by="categories")
    fig = facet_heatmap(table, max_values=2)
    heat = fig.to_dict()["data"][0]
    assert heat["type"] == "heatmap"
    assert heat["x"][-1] == "other" and len(heat["x"]) == 3
    assert len(heat["y"]) == 3  # the three themes, outliers left out
    rows = np.array(heat["z"])
    assert np.allclose(rows.sum(1), 1.0, atol=1e-3)  # each theme's papers spread over values
    with pytest.raises(ValueError, match="share_of_value"):
        facet_heatmap(table, value="count")


def test_a_value_named_other_is_not_the_bucket_of_the_other_values():
    from trends.charts import facet_heatmap

    view, corpus = faceted()
    # "other" is the most frequent venue, and there are more venues than columns.
    corpus["venue"] = np.random.default_rng(1).choice(
        ["other", "ICML", "NeurIPS", "ACL", "CVPR"], size=len(corpus), p=[0.4] + [0.15] * 4
    )
    table = trends.facets(view, corpus, by="venue")
    heat = facet_heatmap(table, max_values=3).to_dict()["data"][0]
    assert heat["x"][0] == "other" and heat["x"][-1] == "(other)"
    assert len(set(heat["x"])) == len(heat["x"]) == 4
    counts = np.array(heat["customdata"])
    sizes = view[1].set_index("theme_id")["size"]
    assert counts.sum(1).tolist() == sizes.loc[[0, 1, 2]].tolist()  # each paper once
    assert np.allclose(np.array(heat["z"]).sum(1), 1.0, atol=1e-3)
