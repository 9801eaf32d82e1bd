"""The loader's guarantees, one at a time: lines accounted for, duplicates by kind, text
kept as text, encodings, limits, and parser messages kept off the terminal."""

import json
import logging

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import trends
from trends.load import LoadError, limits
from trends.load.canonical import is_global_id
from trends.load.dedupe import dedupe
from trends.load.errors import LoadReport, Recorder
from trends.load.normalise import clean_text, collect_notes, title_key
from trends.load.readers import READERS
from trends.load.sources import _match, decode, transcode_bom

# --- CSV: every physical line kept, skipped and counted, or refused -----------------------


def _accounted(text: str) -> tuple[set[int], set[int], list]:
    """Lines covered by kept records, lines skipped, and the kept records, by the reader."""
    rec = Recorder(LoadReport(), strict=False)
    covered: set[int] = set()
    rows = []
    for first, row in READERS["csv"]("t.csv", text, rec):
        # each line break inside a record is inside one of its (quoted) fields
        span = 1 + sum(str(v).count("\n") for v in row.values())
        covered.update(range(first, first + span))
        rows.append(row)
    skipped = {n for s in rec.report.skipped for n in range(s.line, (s.last_line or s.line) + 1)}
    return covered, skipped, rows


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 40),
    quotes=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 60)), max_size=6),
)
# Found by this test at random: a quote left open on the last line ran to the end of the
# file and the row was kept, its quote gone and a line break in its abstract.
@example(n=11, quotes=[(10, 12)])
def test_stray_quotes_never_lose_a_line(n, quotes):
    rows = [f"{i},Title {i},Abstract number {i} says something." for i in range(n)]
    for row, pos in quotes:
        if row < n:
            rows[row] = rows[row][:pos] + '"' + rows[row][pos:]
    text = "id,title,abstract\n" + "\n".join(rows) + "\n"
    covered, skipped, _ = _accounted(text)
    data_lines = set(range(2, n + 2))
    assert covered | skipped == data_lines
    assert not covered & skipped


def test_stray_quote_is_skipped_with_the_range_it_swallowed(tmp_path):
    rows = [f"{i},Title {i},Abstract {i} says something." for i in range(1, 11)]
    rows[2] = '3,"Title 3,Abstract 3 says something.'
    path = tmp_path / "t.csv"
    path.write_text("id,title,abstract\n" + "\n".join(rows) + "\n")
    df = trends.load(path)
    (skip,) = df.attrs["load_report"]["skipped"]
    assert skip["line"] == 4 and "runs to line 11 (the end)" in skip["reason"]
    assert df.title.tolist() == [f"Title {i}" for i in range(1, 11) if i != 3]
    with pytest.raises(LoadError, match="line 4: unterminated quote"):
        trends.load(path, strict=True)


def test_quoted_field_longer_than_the_record_limit_is_read_again(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_RECORD_LINES", 3)
    path = tmp_path / "t.csv"
    path.write_text('title,abstract\nA,"one\ntwo\nthree\nfour"\nB,fine\n')
    _, skipped, rows = _accounted(path.read_text())
    assert 2 in skipped and rows[-1]["title"] == "B"


def test_wrong_field_count_in_a_well_quoted_multiline_row_is_one_skip(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('title,abstract\nA,"one\ntwo",extra\nB,fine abstract\n')
    df = trends.load(path)
    (skip,) = df.attrs["load_report"]["skipped"]
    assert (skip["line"], skip["last_line"]) == (2, 3) and "(lines 2-3)" in skip["reason"]
    assert df.title.tolist() == ["B"]


# --- duplicates: by id, by title and text, nearly the same -------------------------------


def _records(*rows):
    return [
        {"doc_id": i, "title": t, "abstract": a, "source": "s", "_line": k}
        for k, (i, t, a) in enumerate(rows)
    ]


_BODY = " ".join(f"w{i}" for i in range(100))


def test_dedupe_counts_each_kind_apart():
    records = _records(
        ("2501.00001", "Paper", _BODY),
        ("2501.00001", "Paper, revised title", "other text"),  # same arXiv id
        ("2501.00002", "PAPER!", _BODY),  # another id, same title and text
        (None, "paper", _BODY.replace("w50", "changed")),  # one word in 100 changed
        (None, "Paper", _BODY.replace("w50 w51 w52 w53 w54 w55", "x")),  # rewritten part
        (None, "Paper", "An erratum with its own text."),  # only the title is shared
    )
    found = dedupe(records, list(range(len(records))), is_global_id)
    assert (found.id_duplicates, found.title_text_duplicates, found.near_duplicates) == (1, 1, 1)
    assert found.kept == [0, 4, 5]
    (pair,) = found.near_pairs
    assert pair[:2] == (3, 0) and 0.9 <= pair[2] < 1
    ids = [found.doc_ids[i] for i in found.kept]
    assert len(set(ids)) == 3 and ids[1].endswith("-2") and ids[2].endswith("-3")


def test_short_texts_are_near_duplicates_only_when_nearly_identical():
    base = "one two three four five six seven eight nine ten eleven twelve"
    records = _records((None, "T", base), (None, "T", base.replace("six", "6")))
    found = dedupe(records, [0, 1], is_global_id)
    # one word in twelve changes three of ten shingles: similarity 0.54, two papers
    assert found.kept == [0, 1]


def test_thousands_of_replies_quoting_one_message():
    # 3,000 posts with one subject, each quoting the same long message (80% of its words)
    # and adding its own: similar, but none nearly identical. Rarest-first prefixes keep
    # the shared quote out of the candidate lists.
    rows = [(None, "Re: help", f"{_BODY} reply {i} " + " ".join(f"r{i}x{k}" for k in range(25)))
            for i in range(3000)]  # fmt: skip
    rows.append((None, "Re: help", rows[7][2].replace("r7x3", "changed")))
    records = _records(*rows)
    found = dedupe(records, list(range(len(records))), is_global_id)
    assert len(found.kept) == 3000 and found.near_duplicates == 1
    assert found.near_pairs[0][:2] == (3000, 7)


def test_load_report_gives_duplicate_kinds_and_pairs():
    frame = pd.DataFrame(
        {
            "title": ["Re: cards", "Re: cards", "Re: cards", "Re: cards"],
            "abstract": [_BODY, "A reply about drivers.", _BODY, _BODY.replace("w9 ", "x ")],
        }
    )
    df = trends.load(frame)
    report = df.attrs["load_report"]
    assert len(df) == 2 and df.doc_id.is_unique
    assert report["title_text_duplicates"] == 1 and report["near_duplicates"] == 1
    assert report["duplicates"] == 2
    (pair,) = report["near_duplicate_pairs"]
    assert pair["line"] == 4 and pair["kept_line"] == 1 and pair["kept_doc_id"] == df.doc_id[0]


# --- record streams --------------------------------------------------------------------------


def test_columns_mapping_missing_from_some_stream_records(tmp_path):
    path = tmp_path / "f.jsonl"
    lines = [{"t": "A", "body": "First abstract."}, {"t": "B"}, {"t": "C", "body": "Third."}]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    df = trends.load(path, columns={"abstract": "body", "title": "t"})
    assert df.title.tolist() == ["A", "C"]
    (skip,) = df.attrs["load_report"]["skipped"]
    assert skip["line"] == 2 and "no abstract field" in skip["reason"]
    with pytest.raises(LoadError, match="no record has such a column"):
        trends.load(path, columns={"abstract": "body", "published": "when"})


def test_trending_page_pairs_after_an_orphan_title():
    abstract = "We study a thing at length, and show that it works well in many settings. " * 2
    text = f"Orphan title\nReal title\n{abstract}\nSecond title\n{abstract}\u2028More.\n"
    rec = Recorder(LoadReport(), strict=False)
    found = list(READERS["trending"]("page.txt", text, rec))
    assert [r["title"] for _, r in found] == ["Real title", "Second title"]
    assert [n for n, _ in found] == [2, 4]
    (skip,) = rec.report.skipped
    assert skip.line == 1 and skip.reason == "title without an abstract after it"


# --- text stays text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("&#60;b&#62;bold&#x3c;/b&#x3e;", "&lt;b&gt;bold&lt;/b&gt;"),
        ("p &lt; 0.05 and q &gt; 1", "p < 0.05 and q > 1"),
        ("R&amp;D &eacute;t&eacute;", "R&D été"),
        ("&amp;lt;script&amp;gt;", "&lt;script&gt;"),
        ("Let's <think> about <unk> and List<T>", "Let's <think> about <unk> and List<T>"),
        ("<i>Italic</i> <sub>2</sub> <jats:p>x</jats:p>", "Italic 2 x"),
        ("a<script>alert(1)</script>b", "a b"),
        ('x <img src=a onerror="alert(1)"> y', "x y"),
        ("x <svg onload=alert(1)><circle/></svg> y", "x y"),
        ("x <custom onclick=go()>y", "x y"),
        ("a <x onclick=1>bad</x> b", "a bad b"),  # its closing tag goes too
        ("a <Note data=1>n</note> and </x>", "a n and </x>"),  # only that element's
        ("a <y and z = 3, w> 2", "a <y and z = 3, w> 2"),
        ("$<$b$>$ text", "&lt;b&gt; text"),
        ("line\u2028break\x85here\x00", "line break here"),
        # arXiv's escaped dollars: a price stays a price, escaped math is read once
        (r"costs \$48-\$74 per voter", "costs $48-$74 per voter"),
        (r"spends $\$270$ and 13 hours", "spends $270 and 13 hours"),
        (r"top-\$p\$ (nucleus) sampling", "top-p (nucleus) sampling"),
        ("gains of $+$18% with $<$1M weights", "gains of +18% with <1M weights"),
    ],
)
def test_markup_rules(raw, clean):
    assert clean_text(raw) == clean
    assert clean_text(clean_text(raw)) == clean_text(raw)


def test_the_loaders_text_loads_again_unchanged(tmp_path):
    # The canonical table written out and read back is the same text (and so the same
    # embeddings): normalisation is a fixed point, escaped LaTeX dollars included.
    abstracts = [
        r"Persuasion costs between \$48-\$74 per persuaded voter, compared to \$100.",
        r"The average American spends $\$270$ and 13 hours filing their taxes each year.",
        r"We compare temperature scaling, top-\$p\$ (nucleus) sampling and min-\$p\$ sampling.",
        r"Models with $<$1M parameters gain $+$18\% over $\mathcal{O}(n^2)$ baselines.",
    ]
    first = tmp_path / "feed.jsonl"
    first.write_text(
        "".join(
            json.dumps({"id": f"p{i}", "title": f"T{i}", "abstract": a}) + "\n"
            for i, a in enumerate(abstracts)
        )
    )
    df = trends.load(first)
    again = tmp_path / "again.csv"
    df[["doc_id", "title", "abstract"]].rename(columns={"doc_id": "id"}).to_csv(again, index=False)
    df2 = trends.load(again)
    assert df2.abstract.tolist() == df.abstract.tolist()
    assert df2.text.tolist() == df.text.tolist()
    assert "$48-$74" in df.abstract[0] and "top-p" in df.abstract[2]


def test_latex_the_parser_cannot_read_is_reported_not_printed(tmp_path, capfd):
    logging.getLogger("pylatexenc").setLevel(logging.NOTSET)
    with collect_notes() as notes:
        text = clean_text(r"We use \input and \frac{a} in a sentence.")
    assert "%s" not in text and "We use" in text and "in a sentence" in text
    assert len(notes) == 2 and all("LaTeX not understood" in n for n in notes)
    path = tmp_path / "t.csv"
    path.write_text('title,abstract\nA,"Also \\input here."\nB,"And \\frac{b} there."\n')
    df = trends.load(path)
    warnings = [w for w in df.attrs["load_report"]["warnings"] if "LaTeX" in w["reason"]]
    assert [w["line"] for w in warnings] == [2, 3]
    out, err = capfd.readouterr()
    assert out == "" and err == ""


# --- encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("latin-1", "Étude numéro un,Des modèles à grande échelle\n"),
        ("latin-1", "Étude\n"),  # detection alone says UTF-16
        ("cp1252", "title,abstract\n“Naïve” Bayes,Café – society…\n"),
        ("cp1250", "title,abstract\nZażółć gęślą jaźń,Badanie dużych modeli językowych\n"),
        ("cp1251", "title,abstract\nПривет мир,Это исследование о больших моделях языка\n"),
        ("utf-16-le", "title,abstract\nA,Über\n"),  # no byte-order mark
        ("utf-16", "title,abstract\nA,Über\n"),
        ("utf-32", "title,abstract\nA,Über\n"),
    ],
)
def test_decoding(encoding, text, tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode(encoding))
    report = LoadReport()
    data = transcode_bom(str(path), path.read_bytes(), report.encodings)
    assert decode(str(path), data, report.encodings) == text
    (found,) = report.encodings.values()
    assert 0 < found["confidence"] <= 1 and found["encoding"]


def test_a_utf8_file_with_a_few_latin1_lines_keeps_its_utf8(tmp_path):
    # Before: the whole file was read as cp1250, every "Über" of the UTF-8 rows became
    # "Ăśber", with "confidence 100%".
    rows = [f'Über {i},"Über Modelle, Nummer {i}: Größe und Güte."' for i in range(300)]
    data = ("title,abstract\n" + "\n".join(rows) + "\n").encode("utf-8")
    data += "Étude numéro un,Des modèles à grande échelle.\n".encode("latin-1")
    data += "Zuletzt,Über das Ende.\n".encode()
    path = tmp_path / "joined.csv"
    path.write_bytes(data)
    df = trends.load(path)
    report = df.attrs["load_report"]
    assert (report["read"], report["kept"]) == (302, 302)
    assert df.title.iloc[0] == "Über 0" and df.title.iloc[-1] == "Zuletzt"
    assert df.title.iloc[-2] == "Étude numéro un"
    (found,) = report["encodings"].values()
    assert found["detected"] == "UTF-8 except line(s) 302"
    (warning,) = [w for w in report["warnings"] if w["field"] == "encoding"]
    assert "cp1252 on 1 line(s)" in warning["reason"]


def test_a_latin1_file_with_a_stray_utf8_sequence_is_still_latin1(tmp_path):
    # UTF-8 lines must outnumber the others: one "Ã©" in a Latin-1 file is not UTF-8.
    text = "title,abstract\nÉtude numéro un,Des modèles à grande échelle Ã©.\n"
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("cp1252"))
    assert trends.load(path).abstract[0] == "Des modèles à grande échelle Ã©."


# --- limits are constants, read at call time ---------------------------------------------------


def test_limits_apply_when_lowered(tmp_path, monkeypatch):
    path = tmp_path / "t.csv"
    path.write_text("title,abstract,x,y\nA,An abstract of some length.,1,2\n")
    monkeypatch.setattr(limits, "MAX_COLUMNS", 3)
    with pytest.raises(LoadError, match="4 columns, more than the loader's limit of 3"):
        trends.load(path)
    monkeypatch.setattr(limits, "MAX_COLUMNS", 10)
    monkeypatch.setattr(limits, "MAX_FIELD_CHARS", 10)
    df = trends.load(path)
    (skip,) = df.attrs["load_report"]["skipped"]
    assert "longer than 10 characters" in skip["reason"]
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 20)
    with pytest.raises(LoadError, match="more than the loader's limit"):
        trends.load(path)


# --- paths -------------------------------------------------------------------------------------


def test_glob_match_rules():
    assert _match(("**", "*.csv"), ("a.csv",))
    assert _match(("**", "*.csv"), ("x", "y", "a.csv"))
    assert not _match(("*", "*.csv"), ("a.csv",))
    assert _match(("x", "**", "b", "*.csv"), ("x", "b", "a.csv"))


def test_recursive_glob_finds_nested_files_once(tmp_path):
    (tmp_path / "d" / "e").mkdir(parents=True)
    for name in ("d/a.csv", "d/e/b.csv", "d/.hidden.csv"):
        (tmp_path / name).write_text(f"title,abstract\n{name},An abstract of {name}.\n")
    (tmp_path / "d" / "e" / "up").symlink_to(tmp_path / "d")
    df = trends.load(str(tmp_path / "d" / "**" / "*.csv"))
    assert sorted(df.title) == ["d/a.csv", "d/e/b.csv"]


def test_title_key_ignores_case_punctuation_and_accents_form():
    assert title_key("Café: A Study!") == title_key("cafe\u0301 a study")
    assert title_key("snake_case") == "snakecase"


# --- dates ---------------------------------------------------------------------------------


def _dates(tmp_path, name, values, column="published"):
    path = tmp_path / name
    rows = "".join(f"T{i},Abstract number {i} about things,{v}\n" for i, v in enumerate(values))
    path.write_text(f"title,abstract,{column}\n{rows}")
    df = trends.load(path)
    got = dict(zip(df.title, df.published.dt.strftime("%Y-%m-%d").fillna("NaT"), strict=True))
    return [got[f"T{i}"] for i in range(len(values))], df.attrs["load_report"]["warnings"]


def test_numeric_dates_keep_one_order_per_file(tmp_path):
    # one day-first date (13.03) makes the whole file day-first: 12.03 is 12 March too
    got, warnings = _dates(tmp_path, "eu.csv", ["12.03.2024", "13.03.2024", "01.04.2024"])
    assert got == ["2024-03-12", "2024-03-13", "2024-04-01"] and warnings == []
    got, _ = _dates(tmp_path, "slash.csv", ["11/03/2024", "13/03/2024"])
    assert got == ["2024-03-11", "2024-03-13"]
    got, _ = _dates(tmp_path, "us.csv", ["03/11/2024", "03/13/2024"])
    assert got == ["2024-03-11", "2024-03-13"]
    # every date ambiguous: dotted ones are day-first; slashed ones month-first, said so
    got, warnings = _dates(tmp_path, "dots.csv", ["03.04.2024", "05.04.2024"])
    assert got == ["2024-04-03", "2024-04-05"] and warnings == []
    got, warnings = _dates(tmp_path, "amb.csv", ["03/04/2024", "05/04/2024"])
    assert got == ["2024-03-04", "2024-05-04"]
    assert [w["field"] for w in warnings] == ["published"]
    assert "day-first or month-first" in warnings[0]["reason"]


def test_a_year_with_a_fraction_is_the_year_alone_with_a_warning(tmp_path):
    # Before: 2024.5 was silently May 2024 and 2024.12 December (a decimal year 2024.5 is
    # July), and 2024.25 or 2024.75 silently the 1st of January.
    got, warnings = _dates(tmp_path, "dec.csv", ["2024.5", "2024.12", "2019.0", "2020"])
    assert got == ["2024-01-01", "2024-01-01", "2019-01-01", "2020-01-01"]
    assert [(w["line"], w["field"]) for w in warnings] == [(2, "published")]
    assert warnings[0]["reason"] == (
        "numeric dates such as '2024.5' (2 in this file) are a decimal year or a year and "
        "month (May 2024?), which cannot be told apart: each read as the year alone; "
        "check the dates"
    )
    got, warnings = _dates(tmp_path, "decimal.csv", ["2024.25", "2023.5"], column="year")
    assert got == ["2024-01-01", "2023-01-01"]
    assert "decimal years (some fraction is no month)" in warnings[0]["reason"]
    path = tmp_path / "dec.jsonl"
    path.write_text('{"title": "T", "abstract": "Some abstract text.", "year": 2024.5}\n')
    df = trends.load(path)
    assert df.published.tolist() == [pd.Timestamp("2024-01-01", tz="UTC")]
    assert "'2024.5'" in df.attrs["load_report"]["warnings"][0]["reason"]


def test_two_digit_years_are_year_first_only_on_positive_evidence(tmp_path):
    # 99 is no day and no month: only yy-mm-dd fits the file, read so without a warning
    got, warnings = _dates(tmp_path, "only.csv", ["99-03-05", "24-11-28"])
    assert got == ["1999-03-05", "2024-11-28"] and warnings == []
    # Before: monthly dates, day first, were read as yy.mm.dd (01.03.22 as 2001-03-22)
    # because the first number varies least, with a warning
    got, warnings = _dates(tmp_path, "eu.csv", ["01.03.22", "01.09.22", "01.02.23"])
    assert got == ["2022-03-01", "2022-09-01", "2023-02-01"] and warnings == []
    got, warnings = _dates(tmp_path, "eu2.csv", ["14.03.22", "29.09.22", "05.02.23"])
    assert got == ["2022-03-14", "2022-09-29", "2023-02-05"] and warnings == []
    got, warnings = _dates(tmp_path, "eu3.csv", ["14/03/22", "29/09/22", "05/02/23"])
    assert got == ["2022-03-14", "2022-09-29", "2023-02-05"] and warnings == []
    # Before: 2006-05-23 and 2006-07-24; month first, as slashed dates are, said so
    got, warnings = _dates(tmp_path, "us.csv", ["06/05/23", "06/07/24"])
    assert got == ["2023-06-05", "2024-06-07"]
    assert [w["reason"] for w in warnings] == [
        "every numeric date could be day-first or month-first (03/04/2024): read as "
        "month first; check the dates"
    ]
    # Before: December conference dates of 2019-23 were all in 2012
    dec = [f"12/{d:02d}/{y}" for y in range(19, 24) for d in (1, 5, 9)]
    got, _ = _dates(tmp_path, "dec.csv", dec)
    assert got == [f"20{y}-12-{d:02d}" for y in range(19, 24) for d in (1, 5, 9)]
    # no evidence for yy-mm-dd: the day first when the first number is over 12; dashed
    # dates that are all real yy-mm-dd too (the ISO separator) are warned
    got, warnings = _dates(tmp_path, "dmy.csv", ["24-03-05", "15-11-05", "03-12-06"])
    assert got == ["2005-03-24", "2005-11-15", "2006-12-03"]
    assert [w["reason"] for w in warnings] == [
        "every numeric date could also be yy-mm-dd (24-03-05 would be 2024-03-05): read "
        "day or month first; check the dates"
    ]
    # a date impossible day first (a typo: 29.02.23) is no evidence for yy.mm.dd: before,
    # it turned the whole file around (15.03.21 read as 2015-03-21), silently
    got, warnings = _dates(tmp_path, "typo.csv", ["15.03.21", "20.06.22", "29.02.23"])
    assert got == ["2021-03-15", "2022-06-20", "NaT"]
    assert [w["reason"] for w in warnings] == ["unreadable date '29.02.23'"]


def test_a_float_column_of_years_is_read_as_years(tmp_path):
    # pandas writes a year column with a gap as floats: 2019.0
    got, warnings = _dates(tmp_path, "years.csv", ["2019.0", "", "2021.0"], column="year")
    assert got == ["2019-01-01", "NaT", "2021-01-01"]
    assert not [w for w in warnings if "date" in w["reason"]]
    path = tmp_path / "years.jsonl"
    path.write_text(json.dumps({"title": "T", "abstract": "Some abstract text.", "year": 2024.0}))
    assert trends.load(path).published.dt.year.tolist() == [2024]


def test_the_cli_says_how_many_dates_it_could_not_read(tmp_path):
    from trends.cli import _load_summary

    _, _ = _dates(tmp_path, "bad.csv", ["2019", "circa 2019", "20xx"], column="year")
    line = _load_summary(trends.load(tmp_path / "bad.csv"))
    assert "2 unreadable dates" in line and "line 3" in line and "circa 2019" in line


def test_the_cli_summary_counts_every_warning_not_only_the_dates(tmp_path):
    """A guessed encoding or a near-empty abstract was only in the load report: the
    command line's summary said nothing of it."""
    from trends.cli import _load_summary

    path = tmp_path / "latin.csv"
    text = "id,title,abstract\n1,Étude,Une étude des modèles à grande échelle.\n2,T,y\n"
    path.write_bytes(text.encode("latin-1"))
    line = _load_summary(trends.load(path))
    assert "2 warnings in the load report (first: " in line
    assert "latin.csv (encoding): not UTF-8" in line
    _dates(tmp_path, "bad.csv", ["2019", "circa 2019", "2020"], column="year")
    both = trends.load(tmp_path / "bad.csv", path)
    assert "1 unreadable date" in _load_summary(both)
    assert "2 other warnings in the load report" in _load_summary(both)


def test_warnings_past_the_limit_are_counted_and_the_cli_says_so(tmp_path, monkeypatch):
    from trends.cli import _load_summary

    monkeypatch.setattr(limits, "MAX_WARNINGS", 2)
    _dates(tmp_path, "bad.csv", ["x1", "x2", "x3", "x4", "x5"], column="year")
    corpus = trends.load(tmp_path / "bad.csv")
    report = corpus.attrs["load_report"]
    assert len(report["warnings"]) == 2 and report["warnings_not_listed"] == 3
    assert "2 warnings listed in the load report and 3 more" in _load_summary(corpus)


def test_many_records_without_an_abstract_still_load(tmp_path, monkeypatch):
    # An export where two records in three lack an abstract is data, not junk: only a load
    # with fewer than one usable record in ten is refused past MAX_SKIPPED.
    monkeypatch.setattr(limits, "MAX_SKIPPED", 10)
    rows = [
        {"id": str(i), "title": f"Paper {i}", **({"abstract": f"Abstract {i}."} if i % 3 else {})}
        for i in range(60)
    ]
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    report = trends.load(path).attrs["load_report"]
    assert (report["read"], report["kept"], len(report["skipped"])) == (60, 40, 20)
    junk = tmp_path / "junk.jsonl"
    junk.write_text(json.dumps(rows[1]) + "\n" + "x\n" * 30)
    with pytest.raises(LoadError, match="fewer than one in ten usable"):
        trends.load(junk)


def test_the_last_row_is_read_like_any_other(tmp_path):
    # A closing quote followed by text ("Deep nets" revisited) is read on every line; the
    # last line's check for a quote running to the end of the file must not refuse it.
    path = tmp_path / "t.csv"
    row = '{k},"Deep nets" revisited {k},"A normal abstract that is long enough {k}." ,2020\n'
    path.write_text("id,title,abstract,year\n" + row.format(k=1) + row.format(k=2))
    df = trends.load(path)
    assert df.title.tolist() == ["Deep nets revisited 1", "Deep nets revisited 2"]
    assert df.attrs["load_report"]["skipped"] == []


def test_a_range_of_iso_dates_is_its_start(tmp_path):
    # biblatex and EDTF write ranges: pandas read 2024-03-05/2024-03-07 as 2024-03-06 03:24,
    # a moment between the two that no source gave
    values = ["2024-03-05/2024-03-07", "2024-03-05..2024-03-07", "2024-03/2024-05", "2024/05"]
    got, warnings = _dates(tmp_path, "ranges.csv", values)
    assert got == ["2024-03-05", "2024-03-05", "2024-03-01", "2024-05-01"]
    assert not [w for w in warnings if "date" in w["reason"]]
