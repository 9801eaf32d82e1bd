"""A theme's vocabulary over time, and the phrases gaining or losing weight."""

import numpy as np
import pandas as pd
import pytest

from trends.timeline import vocabulary, vocabulary_change


def shifting(seed=0):
    """Two themes over 12 weeks; from week 8 theme 0 says 'transformer' where it said 'lstm'."""
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2025-01-06", tz="UTC")
    for week in range(12):
        for theme in (0, 1):
            for _ in range(25):
                if theme == 0:
                    model_word = "transformer" if week >= 8 else "lstm"
                    words = ["speech", "recognition", "acoustic", model_word, "audio"]
                else:
                    words = ["protein", "folding", "structure", "residue", "enzyme"]
                body = " ".join(rng.choice(words, size=12))
                day = start + pd.Timedelta(days=7 * week + int(rng.integers(0, 7)))
                rows.append((f"p{len(rows)}", day, f"{body} {body}", theme))
    corpus = pd.DataFrame(rows, columns=["doc_id", "published", "text", "theme"])
    themes = pd.DataFrame({"theme_id": [0, 1], "label": ["speech", "proteins"]})
    return (corpus.theme.to_numpy(), themes), corpus


def test_keywords_per_period():
    view, corpus = shifting()
    vocab = vocabulary(view, corpus, freq="W", n_keywords=5)
    assert list(vocab.columns) == [
        "period",
        "theme_id",
        "label",
        "papers",
        "rank",
        "keyword",
        "weight",
    ]
    speech = vocab[vocab.theme_id == 0]
    early = set(speech[speech.period == speech.period.min()].keyword)
    late = set(speech[speech.period == speech.period.max()].keyword)
    assert "lstm" in early and "transformer" not in early
    assert "transformer" in late and "lstm" not in late
    assert (vocab.groupby(["period", "theme_id"]).papers.first() == 25).all()


def test_evolution_tuning_smooths_the_change():
    view, corpus = shifting()
    plain = vocabulary(view, corpus, freq="W", n_keywords=60)
    tuned = vocabulary(view, corpus, freq="W", n_keywords=60, evolution_tuning=True)

    def weight(table, word, week):
        period = sorted(table.period.unique())[week]
        rows = table[(table.theme_id == 0) & (table.period == period) & (table.keyword == word)]
        return rows.weight.sum()

    assert weight(plain, "lstm", 8) == 0  # gone at once
    assert weight(tuned, "lstm", 8) > 0  # half of the week before carried over
    assert weight(tuned, "transformer", 8) < weight(plain, "transformer", 8)
    glob = vocabulary(view, corpus, freq="W", n_keywords=60, global_tuning=True)
    assert weight(glob, "transformer", 0) > 0  # the theme's overall words show in every week


def test_phrases_gaining_and_losing():
    view, corpus = shifting()
    change = vocabulary_change(view, corpus, n=3)
    speech = change[change.theme_id == 0]
    assert speech[speech.direction == "gaining"].keyword.iloc[0] == "transformer"
    assert speech[speech.direction == "losing"].keyword.iloc[0] == "lstm"
    proteins = change[change.theme_id == 1]
    assert (proteins.change.abs() < 0.05).all()  # a steady theme barely moves
    assert (speech.loc[speech.direction == "gaining", "change"] > 0).all()
    assert {"recent", "baseline"} <= set(change.attrs)


def test_vocabulary_chart():
    from trends.charts import vocabulary_timeline

    view, corpus = shifting()
    vocab = vocabulary(view, corpus, freq="W")
    fig = vocabulary_timeline(vocab, theme_id=0, top=6)
    heat = fig.to_dict()["data"][0]
    assert heat["type"] == "heatmap" and len(heat["y"]) == 6 and len(heat["x"]) == 12
    assert "transformer" in heat["y"] and "lstm" in heat["y"]


def test_no_theme_gives_empty_tables_and_a_report(tmp_path):
    """A dated corpus in which no theme is found: empty tables, not sklearn's 0-sample error."""
    import trends

    view, corpus = shifting()
    labels = np.full(len(corpus), -1)
    none = (labels, pd.DataFrame({"theme_id": [-1], "label": ["Outliers"]}))
    for table in (
        vocabulary(none, corpus, freq="W"),
        vocabulary_change(none, corpus, freq="W"),
    ):
        assert table.empty and "theme_id" in table.columns and "period" in table.attrs

    corpus = corpus.assign(title=[f"Paper {i}" for i in range(len(corpus))])
    model = trends.ThemeModel(
        embedding="tfidf", min_cluster_size=len(corpus), n_runs=2, cache_dir=False, verbose=False
    )
    with pytest.warns(UserWarning, match="no theme found"):
        model.fit(corpus)
    assert model.n_themes_ == 0
    path = trends.write_report(model, corpus, tmp_path / "none.html")
    html = path.read_text(encoding="utf-8")
    assert "Changing vocabulary" in html and html.rstrip().endswith("</html>")
