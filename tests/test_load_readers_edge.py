"""Reader edge cases: Atom markup and namespaces, JSON shapes and numbers, CR-only lines.

Each test loads a small file and checks the promise of `trends.load`: every record read
is kept or skipped with a reason, and text is kept as text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import trends
from trends.load import LoadError

ATOM = "http://www.w3.org/2005/Atom"


def _load(path: Path):
    df = trends.load(path)
    return df, df.attrs["load_report"]


def _atom(path: Path, entries: list[str]) -> Path:
    body = "\n".join(entries)
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="{ATOM}">\n{body}\n</feed>\n'
    )
    return path


def _entry(n: int, title: str, summary: str, attrs: str = "") -> str:
    return (
        f"<entry{attrs}>\n"
        f"  <id>http://arxiv.org/abs/2401.0000{n}v1</id>\n"
        f"  <published>2024-01-0{n}T00:00:00Z</published>\n"
        f"  <title>{title}</title>\n"
        f"  <summary>{summary}</summary>\n"
        f"  <author><name>Ann <b>Lee</b></name></author>\n"
        "</entry>"
    )


def _record(n: int) -> dict:
    return {"id": str(n), "title": f"T{n}", "abstract": f"An abstract of some length, number {n}."}


# --- Atom ----------------------------------------------------------------------------------


def test_atom_markup_inside_title_and_summary_is_kept(tmp_path):
    path = _atom(
        tmp_path / "feed.xml",
        [
            _entry(1, "Learning <i>fast</i> models", "We study <b>sparse</b> attention at scale."),
            _entry(
                2,
                "Plain title",
                "H<sub>2</sub>O and<i>x</i> <em>more</em> text.",
            ),
        ],
    )
    df, r = _load(path)
    assert (r["read"], r["kept"], r["skipped"]) == (2, 2, [])
    assert df.title.tolist() == ["Learning fast models", "Plain title"]
    assert df.abstract.tolist() == [
        "We study sparse attention at scale.",
        "H2O andx more text.",
    ]
    assert df.authors.tolist() == [["Ann Lee"], ["Ann Lee"]]


def test_atom_xhtml_summary_is_read(tmp_path):
    xhtml = (
        '<summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
        "<p>We study <b>sparse</b> attention.</p><p>It scales.</p></div></summary>"
    )
    entry = _entry(1, "Sparse attention", "x").replace("<summary>x</summary>", xhtml)
    df, r = _load(_atom(tmp_path / "feed.xml", [entry]))
    assert (r["read"], r["kept"], r["skipped"]) == (1, 1, [])
    assert df.abstract.tolist() == ["We study sparse attention. It scales."]


def test_atom_entries_without_namespace_are_read_in_document_order(tmp_path):
    entries = [
        _entry(1, "First", "The first abstract of the feed."),
        _entry(2, "Second", "The second abstract, outside the namespace.", ' xmlns=""'),
        _entry(3, "Third", "The third abstract of the feed."),
        _entry(4, "Fourth", "The fourth abstract of the feed."),
    ]
    df, r = _load(_atom(tmp_path / "feed.xml", entries))
    assert (r["read"], r["kept"], r["skipped"]) == (4, 4, [])
    assert df.title.tolist() == ["First", "Second", "Third", "Fourth"]
    assert df.abstract[1] == "The second abstract, outside the namespace."
    assert df.authors[1] == ["Ann Lee"]


# --- JSON documents ------------------------------------------------------------------------


def test_json_empty_usual_list_does_not_hide_the_other(tmp_path):
    path = tmp_path / "f.json"
    path.write_text(json.dumps({"papers": [], "data": [_record(1), _record(2)]}, indent=1))
    df, r = _load(path)
    assert (r["read"], r["kept"], r["skipped"], r["warnings"]) == (2, 2, [], [])
    assert df.title.tolist() == ["T1", "T2"]


def test_json_several_lists_are_all_read_in_order_with_a_warning(tmp_path):
    path = tmp_path / "f.json"
    path.write_text(
        json.dumps({"results": [_record(1)], "items": [_record(2), _record(3)]}, indent=1)
    )
    df, r = _load(path)
    assert (r["read"], r["kept"], r["skipped"]) == (3, 3, [])
    assert df.title.tolist() == ["T1", "T2", "T3"]
    (warning,) = r["warnings"]
    assert warning["line"] == 1
    assert "several lists" in warning["reason"] and "'results', 'items'" in warning["reason"]


def test_json_repeated_key_keeps_the_records_of_both(tmp_path):
    path = tmp_path / "f.json"
    a, b = json.dumps(_record(1)), json.dumps(_record(2))
    path.write_text('{\n"papers": [\n' + a + '\n],\n"papers": [\n' + b + "\n]\n}\n")
    df, r = _load(path)
    assert (r["read"], r["kept"], r["skipped"]) == (2, 2, [])
    assert df.title.tolist() == ["T1", "T2"]
    (warning,) = r["warnings"]
    assert "'papers' appears 2 times" in warning["reason"] and warning["line"] == 1


def test_json_one_list_beside_other_values_is_read_as_before(tmp_path):
    path = tmp_path / "f.json"
    doc = {"total": 2, "rows": [1, 2], "papers": [_record(1), _record(2)], "next": None}
    path.write_text(json.dumps(doc, indent=1))
    df, r = _load(path)
    assert (r["read"], r["kept"], r["skipped"], r["warnings"]) == (2, 2, [], [])
    assert df.title.tolist() == ["T1", "T2"]


def test_json_number_of_5000_digits_costs_only_that_value(tmp_path):
    path = tmp_path / "f.json"
    big = "1" + "0" * 5000
    bad = '{"id": ' + big + ', "title": "U", "abstract": "Another abstract of some length."}'
    path.write_text(
        "[\n" + json.dumps(_record(1)) + ",\n" + bad + ",\n" + json.dumps(_record(2)) + "\n]\n"
    )
    df, r = _load(path)
    assert (r["read"], r["kept"], r["skipped"]) == (3, 3, [])
    assert df.title.tolist() == ["T1", "U", "T2"]
    assert df.doc_id[0] == "1" and df.doc_id[2] == "2"
    assert "1000" not in df.doc_id[1]
    assert r["missing_values"] == {"doc_id": 1}


@pytest.mark.parametrize("part", ['"1' + "0" * 5000 + '"', "1" + "0" * 5000])
def test_json_csl_date_parts_of_5000_digits_cost_only_that_value(tmp_path, part):
    path = tmp_path / "f.json"
    bad = (
        '{"title": "U", "abstract": "Another abstract.", "issued": {"date-parts": [['
        + part
        + "]]}}"
    )
    path.write_text(
        "[\n" + json.dumps(_record(1)) + ",\n" + bad + ",\n" + json.dumps(_record(2)) + "\n]\n"
    )
    df, r = _load(path)
    assert (r["read"], r["kept"], r["skipped"]) == (3, 3, [])
    assert df.title.tolist() == ["T1", "U", "T2"]
    assert df.published.isna().tolist() == [True, True, True]
    assert r["missing_values"] == {"published": 1}


# --- old-Mac line endings ------------------------------------------------------------------


def test_jsonl_with_cr_only_line_endings(tmp_path):
    path = tmp_path / "f.jsonl"
    lines = [json.dumps(_record(i)) for i in range(1000)]
    lines[500] = "{not json"
    path.write_bytes("\r".join(lines).encode())
    df, r = _load(path)
    assert (r["read"], r["kept"]) == (1000, 999)
    assert [(s["line"], s["reason"][:24]) for s in r["skipped"]] == [
        (501, "line is not valid JSON (")
    ]
    assert df.title.tolist()[:2] == ["T0", "T1"] and df.title.tolist()[-1] == "T999"


def test_jsonl_with_crlf_line_endings_still_read(tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_bytes("\r\n".join(json.dumps(_record(i)) for i in range(3)).encode())
    df, r = _load(path)
    assert (r["read"], r["kept"], r["skipped"]) == (3, 3, [])
    assert df.title.tolist() == ["T0", "T1", "T2"]


def test_json_with_cr_only_line_endings_names_lines(tmp_path):
    path = tmp_path / "f.json"
    items = [json.dumps(_record(1)), "7", json.dumps(_record(2))]
    path.write_bytes(("[\r" + ",\r".join(items) + "\r]\r").encode())
    df, r = _load(path)
    assert (r["read"], r["kept"]) == (3, 2)
    assert [(s["line"], s["reason"]) for s in r["skipped"]] == [
        (3, "record 2 is a JSON int, not an object")
    ]
    assert df.title.tolist() == ["T1", "T2"]


_ABSTRACT = (
    "We study sparse attention for long contexts and show that it scales to a million "
    "tokens without losing accuracy on the usual benchmarks. {n}"
)


def test_trending_page_with_cr_only_line_endings(tmp_path):
    path = tmp_path / "page.txt"
    lines = []
    for n in (1, 2, 3):
        lines += [f"Paper number {n} on attention", _ABSTRACT.format(n=n)]
    path.write_bytes("\r".join(lines).encode())
    df, r = _load(path)
    assert (r["read"], r["kept"], r["skipped"]) == (3, 3, [])
    assert df.title.tolist() == [f"Paper number {n} on attention" for n in (1, 2, 3)]
    assert df.abstract[2] == _ABSTRACT.format(n=3)


def test_json_single_object_with_a_number_of_5000_digits(tmp_path):
    path = tmp_path / "f.json"
    path.write_text(
        '{"id": 1' + "0" * 5000 + ', "title": "U", "abstract": "An abstract of some length."}'
    )
    df, r = _load(path)
    assert (r["read"], r["kept"], r["skipped"]) == (1, 1, [])
    assert df.title.tolist() == ["U"]
    assert r["missing_values"] == {"doc_id": 1}


# --- CSV files joined together ---------------------------------------------------------------


def test_csv_files_joined_together_skip_the_second_header(tmp_path):
    # Before: `cat a.csv b.csv` (each with a BOM) loaded the second header as a paper
    # titled "\ufefftitle" with the abstract "abstract".
    a = "\ufefftitle,abstract\nA,An abstract that is long enough.\n"
    b = "\ufeffTitle , Abstract\nB,Another abstract that is long enough.\n"
    path = tmp_path / "ab.csv"
    path.write_bytes((a + b).encode("utf-8"))
    df, r = _load(path)
    assert df.title.tolist() == ["A", "B"]
    assert (r["read"], r["kept"]) == (3, 2)
    assert [(s["line"], s["reason"]) for s in r["skipped"]] == [
        (3, "the header row again (files joined together?)")
    ]


def test_a_csv_of_only_a_sep_line_says_so(tmp_path):
    # Before: "a quote opened on this line is never closed (lines 2-1)".
    path = tmp_path / "sep.csv"
    path.write_text("sep=;\n\n")
    with pytest.raises(trends.LoadError, match=r"sep\.csv, line 1: no header row after the sep="):
        trends.load(path)


def test_a_bibtex_year_that_is_not_four_digits_is_one_unreadable_date(tmp_path):
    # Before: year = {0} became "0-01-01", with a spurious day-first/month-first warning.
    path = tmp_path / "y.bib"
    path.write_text("@article{k, title={T}, abstract={An abstract here.}, year={0}}\n")
    df, r = _load(path)
    assert df.published.isna().all()
    assert [w["reason"] for w in r["warnings"]] == ["unreadable date '0'"]


def test_an_impossible_bibtex_month_or_day_is_the_year_alone_with_a_warning(tmp_path):
    # Before: month = {13}, {foo} or {0} silently became January, a day was ignored, and
    # date = {2021-04-31} lost the whole date as "unreadable".
    path = tmp_path / "m.bib"
    path.write_text(
        "@article{a, title={A}, abstract={Abstract one here.}, year={2020}, month={13}}\n"
        "@article{b, title={B}, abstract={Abstract two here.}, year={2020}, month={foo}}\n"
        "@article{c,\n  title={C},\n  abstract={Abstract three here.},\n"
        "  date={2021-04-31}\n}\n"
        "@article{d, title={D}, abstract={Abstract four here.}, year={2020}, month=feb,"
        " day={30}}\n"
        "@article{e, title={E}, abstract={Abstract five here.}, year={2021}, month={Sept.},"
        " day={30}}\n"
        "@article{f, title={F}, abstract={Abstract six here.}, year={2021}, month={decoy}}\n"
        '@article{g, title={G}, abstract={Abstract seven here.}, year={2021}, month=apr # "~31"}\n'
        '@article{h, title={H}, abstract={Abstract eight here.}, year={2021}, month=mar # "~15"}\n'
    )
    df, r = _load(path)
    got = dict(zip(df.title, df.published.dt.strftime("%Y-%m-%d"), strict=True))
    assert got == {
        "A": "2020-01-01",
        "B": "2020-01-01",
        "C": "2021-01-01",
        "D": "2020-01-01",
        "E": "2021-09-30",
        "F": "2021-12-01",  # a word that begins like a month is read as it (Dezember)
        "G": "2021-01-01",
        "H": "2021-03-15",
    }
    assert [(w["line"], w["field"], w["reason"]) for w in r["warnings"]] == [
        (1, "month", "month '13' is not a month: read as the year 2020 alone"),
        (2, "month", "month 'foo' is not a month: read as the year 2020 alone"),
        (
            6,
            "date",
            "impossible date '2021-04-31' (April 2021 has no day 31): read as the year 2021 alone",
        ),
        (
            8,
            "day",
            "impossible day '30' (February 2020 has no day 30): read as the year 2020 alone",
        ),
        (
            11,
            "month",
            "impossible day '31' (April 2021 has no day 31): read as the year 2021 alone",
        ),
    ]
    assert all(w["file"] == str(path) for w in r["warnings"])


def test_a_bibtex_crossref_gives_its_date_and_venue_not_its_identity(tmp_path):
    # Before: crossref was ignored: a paper whose year and booktitle are in its
    # @proceedings (as BibTeX and biber let them be) had no date and no venue.
    path = tmp_path / "x.bib"
    path.write_text(
        "@inproceedings{p1,\n  title = {Paper one},\n"
        "  abstract = {An abstract that is long enough.},\n  crossref = {Conf21}\n}\n"
        "@inproceedings{p2, title = {Paper two}, abstract = {Another abstract, long enough.},\n"
        "  year = {2020}, booktitle = {Workshop at Conf}, crossref = {conf21}}\n"
        "@inproceedings{p3, title = {Paper three}, abstract = {A third abstract, long enough.},\n"
        "  crossref = {nowhere}}\n"
        "@inproceedings{p4, title = {Paper four}, abstract = {A fourth abstract, long enough.},\n"
        "  crossref = {bad}}\n"
        "@proceedings{conf21, title = {Proceedings of Conf 2021}, year = {2021}, month = jun,\n"
        "  doi = {10.1000/conf21}}\n"
        "@proceedings{bad, title = {Bad}, year = {2021}, month = {13}}\n"
    )
    df, r = _load(path)
    rows = df.set_index("title")
    assert rows.loc["Paper one", "published"] == pd.Timestamp("2021-06-01", tz="UTC")
    assert rows.loc["Paper one", "venue"] == "Proceedings of Conf 2021"
    # the paper's own fields win (its year; the month it lacks comes field by field, as
    # biber does); the volume's DOI is not the paper's
    assert rows.loc["Paper two", "published"] == pd.Timestamp("2020-06-01", tz="UTC")
    assert rows.loc["Paper two", "venue"] == "Workshop at Conf"
    assert not any(str(i).startswith("10.") for i in df.doc_id)
    assert pd.isna(rows.loc["Paper three", "published"])
    assert [(w["line"], w["field"], w["reason"]) for w in r["warnings"]] == [
        (
            9,
            "crossref",
            "crossref 'nowhere' names no entry of this file: its fields are not inherited",
        ),
        (
            10,
            "month",
            "month '13' is not a month: read as the year 2021 alone (the value comes "
            "through crossref)",
        ),
        (14, "month", "month '13' is not a month: read as the year 2021 alone"),
    ]
    assert r["read"] == 6 and r["kept"] == 4  # the volumes have no abstract: skipped


def test_a_mapping_that_takes_the_abstract_column_says_so(tmp_path):
    # Before: "no abstract column ... (columns are: id, title, abstract, date)", with the
    # abstract column right there in the list.
    path = tmp_path / "c.csv"
    path.write_text("id,title,abstract,date\n1,T,An abstract here.,2020\n")
    with pytest.raises(trends.LoadError, match="the mapping title=abstract took the column"):
        trends.load(path, columns={"title": "abstract"})


def test_a_categorical_parquet_column_counts_its_values_once(tmp_path, monkeypatch):
    # Before: each 65,536-row batch counted the whole dictionary of a categorical column
    # again (16.3 MB here for a table of 11.5 MB), so a 9 MB file of 330,000 papers was
    # refused as decoding to more than 256 MiB.
    import pandas as pd

    from trends.load import limits

    n = 200_000
    values = [f"category value number {i:06d}" for i in range(50_000)]
    frame = pd.DataFrame(
        {
            "title": [f"T{i}" for i in range(n)],
            "abstract": ["An abstract of a paper."] * n,
            "venue": pd.Categorical([values[i % 50_000] for i in range(n)]),
        }
    )
    path = tmp_path / "cat.parquet"
    frame.to_parquet(path)
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 14_000_000)
    df, r = _load(path)
    assert r["read"] == n and df.venue.iloc[3] == values[3]


def _table_with_copies() -> pd.DataFrame:
    body = " ".join(f"word{i}" for i in range(100))
    near = body.replace("word50", "changed")
    rows = [
        ("1", "Kept", f"First: {body}", "2020-01-01"),
        ("2401.00001", "Arx", "An arXiv abstract, long enough.", "2024.5"),
        (None, "Plain", "An abstract with no id, long enough.", "2020-02-01"),
        (None, "Kept", f"First: {near}", "2020-03-01"),  # a near duplicate of the first
        (None, "Gone", None, "2020"),  # no abstract: skipped
        (None, "Short", "tiny", "someday"),  # near-empty abstract, unreadable date
        (None, "NA", "N/A", None),  # a missing-value marker: counted, skipped
    ]
    order = [0, 1, 2, 3, 4, 5, 6, 2, 0, 3, 4, 5, 6, 1, 2, 3, 4, 0]  # copies, not together
    return pd.DataFrame(
        [rows[k] for k in order], columns=["id", "title", "abstract", "date"]
    ).astype(object)


@pytest.mark.parametrize("source", ["parquet", "frame"])
def test_a_tables_equal_rows_count_as_if_each_were_read(tmp_path, monkeypatch, source):
    # Rows equal in every column are now read once (two million copies in a Parquet file
    # took minutes and gigabytes): each copy must still cost what reading it would.
    from trends.load.readers import records

    monkeypatch.setattr(records, "COPIES_FROM_ROWS", 2)
    frame = _table_with_copies()
    path = tmp_path / "copies.parquet"
    frame.to_parquet(path)

    def load():
        df = trends.load(path if source == "parquet" else frame)
        r = dict(df.attrs["load_report"])
        for name in ("skipped", "warnings", "near_duplicate_pairs"):
            r[name] = sorted(r[name], key=lambda x: (x["line"], str(x)))
        return df, r

    df, r = load()
    assert (r["read"], r["kept"], len(r["skipped"])) == (18, 4, 5)
    assert (r["id_duplicates"], r["title_text_duplicates"], r["near_duplicates"]) == (3, 3, 3)
    assert [p["line"] for p in r["near_duplicate_pairs"]] == [4, 10, 16]
    assert r["missing_values"] == {"title": 2, "abstract": 2}  # "NA" and "N/A"
    monkeypatch.setattr(records, "_first_copies", lambda frame: None)
    every_row, every_r = load()
    assert r == every_r
    pd.testing.assert_frame_equal(df, every_row)


def test_copies_of_an_unusable_row_are_weighed_against_the_whole_table(tmp_path, monkeypatch):
    # Blank rows between papers: the copies of the first are skips, but not ones that come
    # before the papers after it (a file of mostly unusable records is refused).
    from trends.load import limits
    from trends.load.readers import records

    monkeypatch.setattr(limits, "MAX_SKIPPED", 5)
    monkeypatch.setattr(records, "COPIES_FROM_ROWS", 2)
    rows = []
    for i in range(20):
        rows += [(f"T{i}", f"Abstract number {i}, long enough."), (None, None)]
    path = tmp_path / "blanks.parquet"
    pd.DataFrame(rows, columns=["title", "abstract"]).to_parquet(path)
    r = trends.load(path).attrs["load_report"]
    assert (r["read"], r["kept"]) == (40, 20)
    assert sorted(s["line"] for s in r["skipped"]) == list(range(2, 41, 2))


def test_rows_of_mixed_kinds_are_not_taken_for_copies(monkeypatch):
    from trends.load.readers import records
    from trends.load.readers.records import _first_copies

    monkeypatch.setattr(records, "COPIES_FROM_ROWS", 2)

    # 1 == 1.0 == True in Python: as ids they are "1", "1" and no id at all
    frame = pd.DataFrame({"id": [1, True, 1.0], "title": ["T"] * 3, "abstract": ["A"] * 3})
    assert _first_copies(frame.astype(object)) is None
    same = pd.DataFrame({"id": ["1", "1", "2"], "title": ["T"] * 3, "abstract": ["A"] * 3})
    assert _first_copies(same).tolist() == [0, 0, 2]


@pytest.mark.parametrize(
    "kind", ["list", "struct"], ids=["arrow-list-column", "arrow-struct-column"]
)
def test_arrow_list_or_struct_columns_are_read_row_by_row(monkeypatch, kind):
    # Before: Series.is_unique raised ArrowNotImplementedError (a traceback) when a
    # pyarrow-backed column held lists or structs; such tables are now read row by row.
    pa = pytest.importorskip("pyarrow")
    from trends.load.readers import records

    monkeypatch.setattr(records, "COPIES_FROM_ROWS", 2)
    n = 6
    if kind == "list":
        authors = pd.Series(
            [["Ada", f"B{i % 3}"] for i in range(n)], dtype=pd.ArrowDtype(pa.list_(pa.string()))
        )
    else:
        authors = pd.Series(
            [{"name": f"B{i % 3}"} for i in range(n)],
            dtype=pd.ArrowDtype(pa.struct([("name", pa.string())])),
        )
    frame = pd.DataFrame(
        {
            "authors": authors,
            "title": [f"Paper {i % 3}" for i in range(n)],
            "abstract": [f"We study problem {i % 3} with a method." for i in range(n)],
        }
    )
    assert records._first_copies(frame) is None
    df = trends.load(frame)
    r = df.attrs["load_report"]
    assert (r["read"], r["kept"]) == (n, 3)


@pytest.mark.parametrize("max_warnings", [10_000, 3])
def test_a_tables_equal_rows_are_reported_in_line_order(monkeypatch, max_warnings):
    # Before: a row's copies were told right after it (or after the whole file), not at
    # their own lines, so the lists were out of order and past MAX_WARNINGS another set
    # of warnings was listed than when every row is read.
    from trends.load import limits
    from trends.load.readers import records

    monkeypatch.setattr(records, "COPIES_FROM_ROWS", 2)
    monkeypatch.setattr(limits, "MAX_WARNINGS", max_warnings)
    frame = _table_with_copies()
    body = frame.abstract.iloc[0]
    second = pd.DataFrame(
        [(None, "Kept", body.replace("word20", "other"), "2020-01-01")] * 2,
        columns=frame.columns,
    )
    frame = pd.concat([frame.iloc[:6], second.iloc[:1], frame.iloc[6:], second], ignore_index=True)
    frame = frame.astype(object)
    shortcut = trends.load(frame).attrs["load_report"]
    monkeypatch.setattr(records, "_first_copies", lambda frame: None)
    every_row = trends.load(frame).attrs["load_report"]
    assert shortcut == every_row
    assert [p["line"] for p in shortcut["near_duplicate_pairs"]] == [7, 20, 21, 4, 11, 17]


def test_a_bibtex_month_range_or_foreign_month_name_is_its_first_month(tmp_path):
    # Before: July-August, Jan.-Feb., jul # "/" # aug and June 15--18 were the year alone
    # with a warning, Juni and Mars too (at d7ae53f: July, January, July, June, June, March);
    # so were Mayo, Febuary and "July 2023" (read at d7ae53f, as now)
    months = [
        "{July-August}",
        "{Jan.-Feb.}",
        'jul # "/" # aug',
        "{June 15--18}",
        "{Juni}",
        "{Mars}",
        "{Sept.}",
        "{Spring}",
        "{13}",
        "{Mayo}",
        "{Febuary}",
        "{July 2023}",
    ]
    path = tmp_path / "m.bib"
    path.write_text(
        "".join(
            f"@article{{k{i}, title={{T{i}}}, abstract={{Abstract number {i} here.}},"
            f" year={{2021}}, month={m}}}\n"
            for i, m in enumerate(months)
        )
    )
    df, r = _load(path)
    got = dict(zip(df.title, df.published.dt.strftime("%Y-%m-%d"), strict=True))
    assert [got[f"T{i}"] for i in range(len(months))] == [
        "2021-07-01",
        "2021-01-01",
        "2021-07-01",
        "2021-06-15",
        "2021-06-01",
        "2021-03-01",
        "2021-09-01",
        "2021-01-01",
        "2021-01-01",
        "2021-05-01",  # Mayo, Febuary, July 2023: read at d7ae53f, refused by f84730a
        "2021-02-01",
        "2021-07-01",
    ]
    assert [(w["line"], w["field"], w["reason"]) for w in r["warnings"]] == [
        (8, "month", "month 'Spring' is not a month: read as the year 2021 alone"),
        (9, "month", "month '13' is not a month: read as the year 2021 alone"),
    ]


def test_a_bibtex_crossref_child_with_a_month_takes_the_year_field_by_field(tmp_path):
    # Before: a child with its own month but no year inherited nothing (the date went
    # as a whole) and silently had no date.
    path = tmp_path / "x.bib"
    path.write_text(
        "@inproceedings{c, title={Child}, abstract={An abstract that is long enough.},\n"
        "  crossref={p}, month=jun}\n"
        "@inproceedings{d, title={Day}, abstract={Another abstract, long enough here.},\n"
        "  crossref={p}, day={9}}\n"
        "@inproceedings{o, title={Orphan}, abstract={A third abstract, long enough here.},\n"
        "  crossref={q}, month=jul}\n"
        "@proceedings{p, title={Proc 2020}, year={2020}, month=mar}\n"
        "@proceedings{q, title={Proc of no year}}\n"
    )
    df, r = _load(path)
    got = dict(zip(df.title, df.published.dt.strftime("%Y-%m-%d"), strict=True))
    assert got["Child"] == "2020-06-01" and got["Day"] == "2020-03-09"
    assert pd.isna(df.set_index("title").loc["Orphan", "published"])
    assert [(w["line"], w["field"], w["reason"]) for w in r["warnings"]] == [
        (6, "month", "month 'jul' but no year (nor through crossref): no date")
    ]


def test_a_bibtex_crossref_loop_is_named_and_gives_nothing(tmp_path):
    # Before: a -> b -> a and s -> s passed silently, and as inheriting changed the
    # entries themselves, b took as its venue a's venue, b's own title.
    path = tmp_path / "x.bib"
    path.write_text(
        "@inproceedings{a, title={Paper A}, abstract={Abstract of paper A, long enough.},\n"
        "  crossref={b}}\n"
        "@inproceedings{b, title={Paper B}, abstract={Abstract of paper B, long enough.},\n"
        "  crossref={A}, year={2019}}\n"
        "@inproceedings{s, title={Paper S}, abstract={Abstract of paper S, long enough.},\n"
        "  crossref={s}, year={2018}}\n"
        "@inproceedings{c, title={Paper C}, abstract={Abstract of paper C, long enough.},\n"
        "  crossref={a}}\n"
    )
    df, r = _load(path)
    rows = df.set_index("title")
    assert rows.venue.isna().all()
    assert pd.isna(rows.loc["Paper A", "published"]) and pd.isna(rows.loc["Paper C", "published"])
    assert rows.loc["Paper B", "published"] == pd.Timestamp("2019-01-01", tz="UTC")
    assert [(w["line"], w["field"], w["reason"]) for w in r["warnings"]] == [
        (2, "crossref", "crossref loop a -> b -> A: nothing is inherited through it"),
        (4, "crossref", "crossref loop b -> A -> b: nothing is inherited through it"),
        (6, "crossref", "crossref loop s -> s: nothing is inherited through it"),
        (8, "crossref", "crossref loop c -> a -> b -> A: nothing is inherited through it"),
    ]


def test_a_bibtex_crossref_child_takes_the_year_of_a_parents_iso_date(tmp_path):
    # Before: a child with its own month and a parent with date = {2023-06} (no year
    # field) had no date, and the warning said there was no year "nor through crossref"
    path = tmp_path / "d.bib"
    path.write_text(
        "@inproceedings{c, title={Child}, abstract={An abstract that is long enough.},\n"
        "  crossref={p}, month={May}}\n"
        "@inproceedings{e, title={Plain}, abstract={Another abstract, long enough here.},\n"
        "  crossref={q}}\n"
        "@proceedings{p, title={Proceedings of A}, date={2023-06}}\n"
        "@proceedings{q, title={Proceedings of B}, date={2022-09-14}}\n"
    )
    df, r = _load(path)
    got = dict(zip(df.title, df.published.dt.strftime("%Y-%m-%d"), strict=True))
    assert got == {"Child": "2023-05-01", "Plain": "2022-09-14"}
    assert not [w for w in r["warnings"] if "year" in w["reason"]]


def test_in_memory_tables_and_column_maps_of_other_kinds(tmp_path):
    # before: a pyarrow Table (and a polars DataFrame) was refused as "not Table",
    # columns={"abstract": 3} raised AttributeError, columns=["abstract"] a ValueError, and
    # a column of abstracts was read as paths ("<the whole abstract>: no such file or folder")
    import pyarrow as pa

    frame = pd.DataFrame(
        {"title": ["Graphs", "Proteins"], "abstract": ["On graphs.", "On folded proteins."]}
    )
    from_arrow = trends.load(pa.Table.from_pandas(frame))
    assert from_arrow.title.tolist() == ["Graphs", "Proteins"]
    headerless = pd.DataFrame([["x1", "Graphs", "On graphs."]])  # pd.read_csv(header=None)
    mapped = trends.load(headerless, columns={"doc_id": 0, "title": 1, "abstract": 2})
    assert mapped[["doc_id", "title"]].values.tolist() == [["x1", "Graphs"]]
    with pytest.raises(LoadError, match=r"columns= maps canonical names .* not a list"):
        trends.load(frame, columns=["abstract"])
    with pytest.raises(LoadError, match="maps 'abstract' to None"):
        trends.load(frame, columns={"abstract": None})
    texts = pd.Series(["A first abstract about graphs and their networks.", "Another."])
    with pytest.raises(LoadError, match="not a file name but a text of 49 characters") as caught:
        trends.load(texts)
    assert "give a DataFrame with an abstract column" in str(caught.value)
    with pytest.raises(LoadError, match="no such file or folder"):  # a mistyped name stays one
        trends.load(str(tmp_path / "my papers export file from zotero.csv"))


def test_a_loaded_table_loads_again_without_a_copy_of_its_text():
    # before: trends.load(trends.load(...)) added original_text, a copy of every text
    first = trends.load(pd.DataFrame({"title": ["Graphs"], "abstract": ["On graphs."]}))
    again = trends.load(first)
    assert "original_text" not in again.columns
    assert again.text.tolist() == first.text.tolist() == ["Graphs. On graphs."]
    edited = first.assign(text=["Something else entirely."])  # not derived: kept apart
    assert trends.load(edited).original_text.tolist() == ["Something else entirely."]
