"""Bad input: a clear LoadError naming file and line, or a counted skip."""

import contextlib
import gzip
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trends
from trends.load import LoadError
from trends.load.errors import Recorder
from trends.load.readers import READERS


def test_load_error_is_a_value_error():
    assert issubclass(LoadError, ValueError)


def test_missing_path(tmp_path):
    with pytest.raises(LoadError, match="no such file or folder") as info:
        trends.load(tmp_path / "nope.csv")
    assert str(tmp_path / "nope.csv") in str(info.value)


def test_no_source():
    with pytest.raises(LoadError, match="no source"):
        trends.load()


def test_a_list_of_sources_is_its_items(tmp_path):
    days = []
    for day in range(3):
        days.append(tmp_path / f"2025-01-0{day + 1}.jsonl")
        days[-1].write_text(
            json.dumps({"id": f"p{day}", "title": f"Paper {day}", "abstract": f"Text {day}."})
            + "\n"
        )
    corpus = trends.load(days[:2], (days[2],))  # a list, as sorted(folder.glob(...)) gives
    assert corpus.doc_id.tolist() == ["p0", "p1", "p2"]
    assert corpus.attrs["load_report"]["files"] == [str(p) for p in days]
    again = trends.load(p for p in days)  # an iterator, as folder.glob(...) gives
    assert again.doc_id.tolist() == ["p0", "p1", "p2"]
    with pytest.raises(LoadError, match="no order"):
        trends.load(set(days))
    import pandas as pd

    column = pd.Series([str(p) for p in days])  # a column of paths, e.g. from a manifest
    assert trends.load(column).doc_id.tolist() == ["p0", "p1", "p2"]
    assert trends.load({str(p): 1 for p in days}.keys()).doc_id.tolist() == ["p0", "p1", "p2"]
    with pytest.raises(LoadError, match="no source"):
        trends.load([])


@pytest.mark.parametrize("source", [None, 3, {"a.csv": 1}, b"a.csv", {"a\nb": 1}])
def test_a_source_of_another_type_is_named_in_one_line(source, tmp_path):
    good = tmp_path / "a.jsonl"
    good.write_text('{"title": "T", "abstract": "A."}\n')
    with pytest.raises(LoadError, match=f"not {type(source).__name__}") as info:
        trends.load([good, source])
    assert "\n" not in str(info.value)


def test_glob_without_match(tmp_path):
    with pytest.raises(LoadError, match="no file matches"):
        trends.load(str(tmp_path / "*.jsonl"))


def test_empty_file(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("  \n")
    with pytest.raises(LoadError, match="empty") as info:
        trends.load(path)
    assert "empty.jsonl" in str(info.value)


def test_unknown_format(tmp_path):
    path = tmp_path / "notes.weird"
    path.write_text("just some words\n")
    with pytest.raises(LoadError, match="unknown format"):
        trends.load(path)
    with pytest.raises(LoadError, match="unknown format 'docx'"):
        trends.load(path, format="docx")


def test_truncated_gzip(tmp_path):
    blob = gzip.compress(b'{"id": "1", "title": "t", "summary": "s"}\n' * 200)
    path = tmp_path / "2025-03-18.jsonl.gz"
    path.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(LoadError, match="truncated gzip") as info:
        trends.load(path)
    assert "2025-03-18.jsonl.gz" in str(info.value)


def test_binary_content(tmp_path):
    path = tmp_path / "image.csv"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(LoadError, match="binary"):
        trends.load(path)


def test_table_without_title_or_abstract_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("name,score\nx,1\n")
    with pytest.raises(LoadError, match="no abstract column") as info:
        trends.load(path)
    assert "t.csv" in str(info.value) and "name, score" in str(info.value)
    assert info.value.line == 1 and "the header has no abstract column" in str(info.value)


def test_a_semicolon_separated_csv_is_read(tmp_path):
    # what spreadsheets write where the comma is the decimal mark
    path = tmp_path / "t.csv"
    path.write_text(
        '\ufeffTitle;Abstract;Year\n"Café";"About coffee, with commas; and semicolons.";2021\n'
        "Tea;About tea and sleep, at length;2022\n",
        encoding="utf-8",
    )
    df = trends.load(path)
    assert df.title.tolist() == ["Café", "Tea"]
    assert df.abstract[0] == "About coffee, with commas; and semicolons."
    assert df.published.dt.year.tolist() == [2021, 2022]
    # a comma-separated file whose text holds semicolons stays comma-separated
    path.write_text("title,abstract\nA;B,Some abstract; with a semicolon\n")
    assert trends.load(path).title.tolist() == ["A;B"]


def test_columns_mapping_to_a_missing_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("title,abstract\nx,y\n")
    with pytest.raises(LoadError, match="no such column"):
        trends.load(path, columns={"published": "when"})
    with pytest.raises(LoadError, match="not canonical"):
        trends.load(path, columns={"topic": "title"})


def test_malformed_xml_names_the_line(tmp_path):
    path = tmp_path / "api.xml"
    path.write_text('<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n<entry>\n')
    with pytest.raises(LoadError, match="not well-formed XML") as info:
        trends.load(path)
    assert info.value.line is not None


def _feed(tmp_path):
    good = {"id": "2503.00001", "title": "Good", "summary": "A fine abstract."}
    lines = [
        json.dumps(good),
        '{"id": "2503.00002", "title": "Broken", "summ',
        json.dumps({"id": "2503.00003", "title": "No abstract", "summary": ""}),
        json.dumps({"id": "2503.00004", "title": "", "summary": "No title here."}),
        json.dumps(["not", "an", "object"]),
        json.dumps({**good, "id": "2503.00001"}),
    ]
    path = tmp_path / "2025-04-01.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_row_problems_are_counted_skips(tmp_path):
    path = _feed(tmp_path)
    df = trends.load(path)
    report = df.attrs["load_report"]
    assert df.doc_id.tolist() == ["2503.00001", "2503.00004"]
    assert report["read"] == 6
    assert report["kept"] == 2 and report["duplicates"] == 1
    assert report["read"] == report["kept"] + report["duplicates"] + len(report["skipped"])
    lines = {s["line"]: s for s in report["skipped"]}
    assert set(lines) == {2, 3, 5}
    assert "not valid JSON" in lines[2]["reason"]
    assert lines[3]["reason"] == "record has no abstract" and lines[3]["field"] == "summary"
    # before: an empty title lost the paper ("record has no title"); only a missing
    # abstract does. The first sentence stands in, as for a table without titles, said
    assert df.title[1] == df.abstract[1] == "No title here."
    (warning,) = [w for w in report["warnings"] if w["line"] == 4]
    assert warning["reason"].startswith("no title") and warning["field"] == "title"
    assert all(s["file"] == str(path) for s in report["skipped"])


def test_strict_raises_at_the_first_problem(tmp_path):
    path = _feed(tmp_path)
    with pytest.raises(LoadError, match="line 2: line is not valid JSON"):
        trends.load(path, strict=True)


def test_csv_row_with_wrong_field_count_is_skipped(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("title,abstract\nA,first abstract\nB,second,extra\nC,third abstract\n")
    df = trends.load(path)
    (skip,) = df.attrs["load_report"]["skipped"]
    assert skip["line"] == 3 and "3 fields" in skip["reason"]
    assert df.title.tolist() == ["A", "C"]


def test_unreadable_date_keeps_the_paper_and_warns(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("title,abstract,date\nA,an abstract,not a date\n")
    df = trends.load(path)
    assert len(df) == 1 and df.published.isna().all()
    (warning,) = df.attrs["load_report"]["warnings"]
    assert warning["field"] == "date" and warning["line"] == 2


# --- fuzzing: nothing but LoadError escapes any reader ---------------------------------

_EXT = {
    "trending": ".txt",
    "jsonl": ".jsonl",
    "json": ".json",
    "csv": ".csv",
    "tsv": ".tsv",
    "parquet": ".parquet",
    "atom": ".xml",
    "bibtex": ".bib",
}
_SEEDS = {
    "trending": "Subscribe A title\nAn abstract that is longer than its title.\n",
    "jsonl": '{"id": "2503.00001", "title": "T", "summary": "S s s", "categories": ["cs.CL"]}\n',
    "json": '[{"id": 1, "title": "T", "abstract": "S s s", "date": "2020"}]',
    "csv": "id,title,abstract,date\n1,T,S s s,2020-01-01\n",
    "tsv": "id\ttitle\tabstract\n1\tT\tS s s\n",
    "atom": '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x</id><title>T</title>'
    "<summary>S</summary></entry></feed>",
    "bibtex": "@article{k, title={T}, abstract={S s s}, year={2020}}\n",
    "parquet": "",
}


def _load_quietly(path, fmt):
    try:
        trends.load(path, format=fmt)
    except LoadError as exc:
        assert str(path.name) in str(exc) or "format" in str(exc)


@pytest.mark.parametrize("fmt", sorted(READERS))
@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 40)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(blob=st.binary(max_size=400))
def test_random_bytes_raise_only_load_error(tmp_path, fmt, blob):
    path = tmp_path / f"fuzz{_EXT[fmt]}"
    path.write_bytes(blob)
    _load_quietly(path, fmt)


@pytest.mark.parametrize("fmt", sorted(set(READERS) - {"parquet"}))
@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 60)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_mutated_records_raise_only_load_error(tmp_path, fmt, data):
    seed = _SEEDS[fmt]
    chars = list(seed)
    for _ in range(data.draw(st.integers(1, 6))):
        op = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        pos = data.draw(st.integers(0, max(len(chars) - 1, 0)))
        ch = data.draw(st.characters(blacklist_categories=("Cs",)))
        if op == "insert":
            chars.insert(pos, ch)
        elif op == "delete" and chars:
            del chars[pos]
        elif chars:
            chars[pos] = ch
    path = tmp_path / f"fuzz{_EXT[fmt]}"
    path.write_text("".join(chars), encoding="utf-8")
    _load_quietly(path, fmt)


@pytest.mark.parametrize("fmt", sorted(set(READERS) - {"parquet"}))
@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 30)), deadline=None)
@given(text=st.text(max_size=300))
def test_readers_directly_raise_only_load_error(fmt, text):
    from trends.load.errors import LoadReport

    rec = Recorder(LoadReport(), strict=False)
    with contextlib.suppress(LoadError):
        list(READERS[fmt]("fuzz", text, rec))


def test_a_store_among_the_sources_is_named_as_one(tmp_path):
    # before: "feed.sqlite: unknown format: name it with format=..."
    import sqlite3

    store = tmp_path / "feed.sqlite"
    with sqlite3.connect(store) as db:
        db.execute("CREATE TABLE papers (doc_id TEXT)")
    with pytest.raises(LoadError, match=r"feed.sqlite: an SQLite database \(a trends store\?\)"):
        trends.load(store)
