"""Each reader on a real-format fixture, the column mapping and mixed sources."""

import gzip
import json

import pandas as pd

import trends
from trends.load import CANONICAL


def test_atom_response(data):
    df = trends.load(data / "arxiv_api.xml")
    assert df.doc_id.tolist() == ["2203.05794", "1802.03426", "1705.07321"]
    assert df.title[0] == "BERTopic: Neural topic modeling with a class-based TF-IDF procedure"
    assert df.published[1] == pd.Timestamp("2018-02-09T17:53:06Z")
    assert df.categories[0] == ["cs.CL", "cs.LG"]  # primary first
    assert df.authors[1] == ["Leland McInnes", "John Healy", "James Melville"]
    assert df.url[0] == "http://arxiv.org/abs/2203.05794v1"
    assert "O(n^{1.14})" not in df.abstract[1] and "O(n^1.14)" in df.abstract[1]


def test_bibtex_zotero_export(data):
    df = trends.load(data / "zotero.bib")
    report = df.attrs["load_report"]
    assert len(df) == 2
    assert df.doc_id.tolist() == ["2203.05794", "10.5555/944919.944937"]
    assert df.title[0].startswith("BERTopic: Neural topic modeling")
    assert "{" not in df.title[0]
    assert "\\emph" not in df.abstract[0] and "present BERTopic" in df.abstract[0]
    assert df.authors[1] == ["Blei, David M.", "Ng, Andrew Y.", "Jordan, Michael I."]
    assert df.published[0] == pd.Timestamp("2022-03-01", tz="UTC")
    assert df.venue[1] == "Journal of Machine Learning Research"
    # the entry without an abstract is a counted skip with its line
    (skip,) = report["skipped"]
    assert skip["reason"] == "record has no abstract" and skip["line"] == 28
    assert report["read"] == 3


def test_csv_with_column_mapping_keeps_extras(data):
    df = trends.load(data / "custom.csv", columns={"doc_id": "paper id", "published": "when"})
    assert df.doc_id.tolist() == ["2503.14640", "x-2"]
    assert df.abstract[0] == "We study sparse attention for long contexts, and show it scales."
    assert df.title.tolist() == ["Sparse attention at scale", "Quantised kernels"]
    assert df.published[1] == pd.Timestamp("2024-01-01", tz="UTC")
    assert list(df.columns[: len(CANONICAL)]) == CANONICAL
    assert list(df.columns[len(CANONICAL) :]) == ["venue", "citations"]
    assert df.url[0] == "https://arxiv.org/abs/2503.14640"


def test_csv_usual_names_recognised_without_mapping(data):
    df = trends.load(data / "custom.csv")
    # `headline` and `body` are usual names, and so is `paper id` (read as paper_id, as
    # "Abstract Note" is read as abstract_note); `when` is not, so it stays as a column
    assert df.title[0] == "Sparse attention at scale"
    assert df.doc_id.tolist() == ["2503.14640", "x-2"]
    assert "paper id" not in df.columns and "when" in df.columns


def test_tsv(data):
    df = trends.load(data / "small.tsv")
    assert df.doc_id.tolist() == ["2501.00001"]
    assert df.published[0] == pd.Timestamp("2025-01-02T10:00:00Z")


def test_json_jsonl_parquet_and_dataframe_agree(tmp_path):
    records = [
        {"id": "2503.00001", "title": "Alpha", "abstract": "First abstract text.", "year": 2021},
        {"id": "2503.00002", "title": "Beta", "abstract": "Second abstract text.", "year": 2022},
    ]
    (tmp_path / "a.json").write_text(json.dumps({"papers": records}))
    (tmp_path / "b.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    pd.DataFrame(records).to_parquet(tmp_path / "c.parquet")
    frames = [
        trends.load(tmp_path / "a.json"),
        trends.load(tmp_path / "b.jsonl"),
        trends.load(tmp_path / "c.parquet"),
        trends.load(pd.DataFrame(records)),
    ]
    for df in frames:
        assert df.doc_id.tolist() == ["2503.00001", "2503.00002"]
        assert df.published.dt.year.tolist() == [2021, 2022]
        assert df.text[0] == "Alpha. First abstract text."


def test_jsonl_feed_date_from_file_name_and_gzip(tmp_path):
    lines = [
        {"id": "2503.14640", "title": "T", "summary": "An abstract\nwrapped.", "categories": []},
    ]
    path = tmp_path / "2025-03-19.jsonl.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("\n".join(json.dumps(r) for r in lines))
    df = trends.load(path)
    assert df.doc_id[0] == "2503.14640"
    assert df.published[0] == pd.Timestamp("2025-03-19", tz="UTC")
    assert df.abstract[0] == "An abstract wrapped."


def test_numeric_id_in_json_keeps_trailing_zero(tmp_path):
    path = tmp_path / "2025-03-20.jsonl"
    path.write_text('{"id": 2503.14640, "title": "T", "summary": "An abstract."}\n')
    assert trends.load(path).doc_id[0] == "2503.14640"


def test_mixed_sources(data):
    df = trends.load(data / "small.tsv", str(data / "*.xml"))
    assert len(df) == 4
    assert set(df.source) == {str(data / "small.tsv"), str(data / "arxiv_api.xml")}


def test_latin1_file_is_decoded_and_recorded(data):
    df = trends.load(data / "legacy_cp1252.csv")
    assert df.title[0] == "\u201cNa\u00efve\u201d Bayes revisited"
    assert "Caf\u00e9" in df.abstract[0]
    report = df.attrs["load_report"]
    (found,) = report["encodings"].values()
    assert list(report["encodings"]) == [str(data / "legacy_cp1252.csv")]
    assert found["encoding"] == "cp1252" and 0 <= found["confidence"] <= 1
    (warning,) = report["warnings"]
    assert warning["field"] == "encoding" and "cp1252" in warning["reason"]


def test_duplicates_by_id_then_title_keep_earliest(tmp_path):
    rows = pd.DataFrame(
        {
            "id": ["2501.00001", "2501.00001", "2501.00009", "2501.00003"],
            "title": ["Paper One", "Paper One", "PAPER one!", "Other"],
            "abstract": ["a b c", "a b c", "a b c", "d e f"],
            "date": ["2025-01-05", "2025-01-02", "2025-01-01", "2025-01-03"],
        }
    )
    df = trends.load(rows)
    report = df.attrs["load_report"]
    # the title-twin 2501.00009 is listed earliest, so it is the one kept
    assert df.doc_id.tolist() == ["2501.00009", "2501.00003"]
    assert report["duplicates"] == 2 and report["kept"] == 2 and report["read"] == 4


def test_local_id_reused_for_another_paper_is_kept(tmp_path):
    rows = pd.DataFrame(
        {
            "doc_id": ["001", "001", "001"],
            "title": ["Markets rally", "Cup final", "Markets rally"],
            "text": ["x y z", "u v w", "x y z"],
        }
    )
    df = trends.load(rows)
    assert df.doc_id.tolist() == ["001", "001-2"]
    report = df.attrs["load_report"]
    assert report["id_conflicts"] == 1 and report["duplicates"] == 1


def test_table_without_titles_uses_first_sentence():
    df = trends.load(pd.DataFrame({"abstract": ["First sentence here. Then more.", "Solo"]}))
    assert df.title.tolist() == ["First sentence here.", "Solo"]
    assert df.doc_id.str.startswith("t").all()


def test_day_files_named_in_any_order_give_the_same_table(tmp_path):
    # before: rows followed the order of the arguments, so `trends themes` on the same three
    # day files found 9 themes in one order and 11 in the other
    days = {}
    for day, ids in (("2025-03-18", "ab"), ("2025-03-19", "cd"), ("2025-03-20", "ef")):
        lines = [
            json.dumps({"id": f"{day}-{i}", "title": f"Paper {i}", "summary": f"Abstract {i}."})
            for i in ids
        ]
        days[day] = tmp_path / f"{day}.jsonl"
        days[day].write_text("\n".join(lines) + "\n")
    undated = tmp_path / "undated.csv"
    undated.write_text("id,title,abstract\nz,Z,An undated abstract.\ny,Y,Another one.\n")
    forward = trends.load(undated, *days.values())
    backward = trends.load(*reversed(days.values()), undated)
    expected = ["2025-03-18-a", "2025-03-18-b", "2025-03-19-c", "2025-03-19-d"]
    expected += ["2025-03-20-e", "2025-03-20-f", "z", "y"]  # undated last, each file as read
    assert forward.doc_id.tolist() == backward.doc_id.tolist() == expected
    pd.testing.assert_frame_equal(forward, backward)
