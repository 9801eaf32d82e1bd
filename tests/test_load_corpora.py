"""The three shared corpora load with the counts the issue names."""

import pandas as pd
import pytest

import trends
from trends.load import CANONICAL


def test_trending_page_gives_192_papers(corpora):
    df = trends.load(corpora / "trending_papers.txt")
    report = df.attrs["load_report"]
    assert len(df) == 192
    assert report["read"] == 192 and report["skipped"] == [] and report["duplicates"] == 0
    assert df.title.iloc[0] == "Large-scale image analysis using docker sandboxing"
    assert df.title.iloc[1] == "ThunderKittens: Simple, Fast, and Adorable AI Kernels"
    assert not df.title.str.contains("Subscribe").any()
    assert not df.title.str.contains("trending papers in your email").any()
    # none merged: every title is a single short line, every abstract is long
    assert df.title.str.len().max() < 400
    assert df.abstract.str.len().min() > 100
    assert df.doc_id.is_unique
    assert df.published.isna().all()


def test_bundled_corpus_matches_the_shared_copy(corpora):
    bundled = trends.datasets.trending_papers()
    shared = trends.load(corpora / "trending_papers.txt")
    assert list(bundled.columns) == CANONICAL
    pd.testing.assert_series_equal(bundled.title, shared.title)
    assert bundled.doc_id.tolist() == shared.doc_id.tolist()


@pytest.fixture(scope="module")
def arxiv(corpora):
    return trends.load(corpora / "arxiv_daily")


def test_arxiv_feed_counts(arxiv):
    report = arxiv.attrs["load_report"]
    assert report["read"] == 25075
    # 17,145 distinct ids; every copy is the same id listed again (cross-lists, updates)
    assert len(arxiv) == report["kept"] == 17145
    assert report["id_duplicates"] == report["duplicates"] == 7930
    assert report["title_text_duplicates"] == report["near_duplicates"] == 0
    assert report["read"] == report["kept"] + report["duplicates"] + len(report["skipped"])
    assert arxiv.doc_id.is_unique


def test_arxiv_ids_stay_strings(arxiv):
    assert "2503.14640" in set(arxiv.doc_id)
    assert "2503.1464" not in set(arxiv.doc_id)
    assert arxiv.doc_id.str.fullmatch(r"\d{4}\.\d{4,5}").all()


def test_arxiv_same_title_with_a_rewritten_abstract_is_another_paper(arxiv):
    # Submitted twice under two ids with the same title but a rewritten abstract: by the
    # title-and-text rule these are two documents (a title alone proves nothing).
    both = arxiv.set_index("doc_id").loc[["2505.17997", "2506.03038"]]
    assert both.title.nunique() == 1
    assert both.abstract.nunique() == 2


def test_arxiv_paper_is_dated_by_its_earliest_listing(arxiv, corpora):
    import gzip
    import json

    first_seen = {}
    for path in sorted((corpora / "arxiv_daily").glob("*.jsonl.gz")):
        day = path.name[:10]
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                first_seen.setdefault(json.loads(line)["id"], day)
    dates = arxiv.set_index("doc_id").published.dt.strftime("%Y-%m-%d")
    sample = arxiv.doc_id.sample(500, random_state=0)
    assert all(dates[i] == first_seen[i] for i in sample)
    assert str(arxiv.published.dtype).startswith("datetime64") and arxiv.published.dt.tz is not None


def test_arxiv_fields(arxiv):
    row = arxiv.set_index("doc_id").loc["2503.11731"]
    assert row.categories[0] == "cs.CV"
    assert row.url == "https://arxiv.org/abs/2503.11731"
    assert "\n" not in row.abstract and "  " not in row.abstract
    assert row.text.startswith(row.title)


def test_bbc_counts_and_extra_columns(corpora):
    df = trends.load(corpora / "bbc_news.csv.gz")
    report = df.attrs["load_report"]
    assert report["read"] == 2225
    # 130 share a title with an earlier article; 13 of those are rewritten versions of
    # the story (shingle similarity 0.3-0.89) and are kept as articles of their own
    assert report["title_text_duplicates"] == 103 and report["near_duplicates"] == 14
    assert report["duplicates"] == 117 and report["id_duplicates"] == 0
    assert report["kept"] == len(df) == 2108
    assert len(report["near_duplicate_pairs"]) == 14
    assert min(p["similarity"] for p in report["near_duplicate_pairs"]) >= 0.9
    assert report["id_conflicts"] > 0
    assert df.doc_id.is_unique
    assert list(df.columns[: len(CANONICAL)]) == CANONICAL
    assert "label" in df.columns and set(df.label) == {
        "business",
        "entertainment",
        "politics",
        "sport",
        "tech",
    }
    # the body repeats the headline: the abstract does not
    first = df.iloc[0]
    assert not first.abstract.startswith(first.title)
