"""Real-world exports: what a reference manager or a database writes, read as it means."""

import pandas as pd
import pytest
from typer.testing import CliRunner

import trends
from trends.cli import app
from trends.load import LoadError
from trends.load.canonical import _as_list
from trends.load.normalise import clean_text

ABSTRACT = "We study topic models for scientific literature and the themes they recover."


def _write(path, text, encoding="utf-8"):
    path.write_text(text, encoding=encoding)
    return path


@pytest.mark.parametrize(
    "latex, text",
    [
        (r"Schr\"odinger bridges", "Schrödinger bridges"),
        (r"Sch{\"o}n", "Schön"),
        (r"caf\'{e} and na\"ive", "café and naïve"),
        (r"G\"{o}del, {\"U}ber, {\v{S}}koda", "Gödel, Über, Škoda"),
        (r"B\'ezier curves and the Fr\'echet distance", "Bézier curves and the Fréchet distance"),
        (r"\'\i", "í"),
        # quotes escaped once too often (scraped JSON) stay quotes, words stay apart
        (r"the so-called \"attention\" mechanism", 'the so-called "attention" mechanism'),
        (r"Schr\"odinger and \"Uber", "Schrödinger and Über"),
    ],
)
def test_latex_accents_become_letters(latex, text):
    # Before: the accent became a loose combining mark ("Schr ̈odinger").
    assert clean_text(latex) == text
    assert clean_text(text) == text  # and loading stays a fixed point


def test_bibtex_accents_and_protecting_braces(tmp_path):
    bib = _write(
        tmp_path / "lib.bib",
        "@article{a1,\n"
        "  title = {Learning {Python} with \\textit{ease} on {GPUs}},\n"
        '  author = {Sch{\\"o}n, J{\\"u}rgen and M{\\\'e}nard, Anne},\n'
        f"  abstract = {{{ABSTRACT}}},\n  year = {{2021}}\n}}\n",
    )
    df = trends.load(bib)
    assert df.title[0] == "Learning Python with ease on GPUs"
    assert df.authors[0] == ["Schön, Jürgen", "Ménard, Anne"]


def test_duplicate_cite_keys_keep_both_papers(tmp_path):
    bib = _write(
        tmp_path / "merged.bib",
        "@article{smith2020, title={Topic Models for Law}, year={2020},\n"
        "  abstract={We apply topic models to legal texts and recover areas of law.}}\n"
        "@article{smith2020, title={Graph Networks for Molecules}, year={2020},\n"
        "  abstract={Graph networks predict molecular properties well on benchmarks.}}\n",
    )
    df = trends.load(bib)
    report = df.attrs["load_report"]
    assert df.title.tolist() == ["Topic Models for Law", "Graph Networks for Molecules"]
    assert df.published.tolist() == [pd.Timestamp("2020-01-01", tz="UTC")] * 2
    assert report["skipped"] == [] and report["read"] == 2
    assert any("'smith2020' used again" in w["reason"] for w in report["warnings"])


def test_bibtex_field_without_its_comma_is_read_and_warned(tmp_path):
    # Before: the abstract after "title = {...}" with no comma became part of the title
    # and the record a skip ("record has no abstract"); a year after the abstract became
    # part of the abstract ("... year = 2021") and the date was lost, without a word.
    bib = _write(
        tmp_path / "slips.bib",
        "@article{a1,\n  title = {First paper}\n"
        f"  abstract = {{{ABSTRACT}}},\n  year = {{2020}}\n}}\n"
        '@article{a2,\n  title = "Second {"}paper",\n'
        "  abstract = {Graph networks predict molecular properties.\n"
        "    note = {this line is inside the abstract}}\n"
        "  year = 2021\n}\n",
    )
    df = trends.load(bib)
    report = df.attrs["load_report"]
    assert report["read"] == 2 and report["kept"] == 2 and report["skipped"] == []
    assert df.title.tolist() == ["First paper", 'Second "paper']
    assert df.abstract[0] == ABSTRACT
    # a line that only looks like a field, inside a braced value, is left alone
    assert df.abstract[1].endswith("note = this line is inside the abstract")
    assert df.published.dt.year.tolist() == [2020, 2021]
    slips = [(w["line"], w["reason"]) for w in report["warnings"] if "comma" in w["reason"]]
    assert slips == [
        (3, "no comma before the field 'abstract': read as if there were one"),
        (10, "no comma before the field 'year': read as if there were one"),
    ]


def test_bibtex_comma_repair_leaves_values_and_comments_alone(tmp_path):
    # A line inside a value of a parenthesised entry, or inside @comment, that starts
    # like a field ("k = 3", "version = 3") is not a field: no comma goes in.
    bib = _write(
        tmp_path / "paren.bib",
        "@comment{\n  exported by a tool\n  version = 3\n}\n"
        "@article(k1,\n  title = {Tuning k for nearest neighbours},\n"
        "  abstract = {We show that choosing the number of neighbours as\n"
        "  k = 3 works best on many benchmarks.},\n  year = {2020}\n)\n",
    )
    df = trends.load(bib)
    report = df.attrs["load_report"]
    assert df.abstract[0] == (
        "We show that choosing the number of neighbours as k = 3 works best on many benchmarks."
    )
    assert not [w for w in report["warnings"] if "comma" in w["reason"]]


def test_bibtex_values_joined_with_hash_are_resolved(tmp_path):
    # Before: the abstract was the literal text 'ab # " that things " # {work {well}}'.
    bib = _write(
        tmp_path / "joined.bib",
        '@string{ab = "We propose"}\n@string{jml = {J. of ML}}\n'
        '@article{k1, title = {T}, abstract = ab # " that things " # {work {well}},\n'
        "  journal = jml, year = 2020}\n"
        "@article{k2, title = {U # V}, abstract = {Plain text with x # y and C# in it.},\n"
        '  month = mar # "~1", year = 2021}\n',
    )
    df = trends.load(bib)
    assert df.abstract.tolist() == [
        "We propose that things work well",
        "Plain text with x # y and C# in it.",  # not a join: names that are no macro
    ]
    assert df.title.tolist() == ["T", "U # V"] and df.venue[0] == "J. of ML"
    assert df.published.dt.month.tolist() == [1, 3]


def test_an_abstract_that_opens_with_its_title_keeps_its_words(tmp_path):
    csv = _write(
        tmp_path / "t.csv",
        "title,abstract\n"
        'BERT,"BERTology is the study of what BERT learns; we review 150 studies."\n'
        'TextArena,"TextArena is an open-source collection of text games for agents."\n'
        '"Deep Topic Models","Deep Topic Models. We propose a deep model of topics."\n'
        '"Sparse coding of abstracts at scale","Sparse coding of abstracts at scale We '
        'learn sparse codes."\n',
    )
    df = trends.load(csv)
    assert df.abstract[0].startswith("BERTology is the study")
    assert df.abstract[1].startswith("TextArena is an open-source")
    # a title repeated as the abstract's heading is still taken off
    assert df.abstract[2] == "We propose a deep model of topics."
    assert df.abstract[3] == "We learn sparse codes."


def test_a_table_without_titles_keeps_its_first_sentence(tmp_path):
    csv = _write(tmp_path / "n.csv", 'abstract\n"We propose a method. Experiments show gains."\n')
    df = trends.load(csv)
    assert df.title[0] == "We propose a method."
    assert df.abstract[0] == "We propose a method. Experiments show gains."


@pytest.mark.parametrize(
    "value, names",
    [
        (
            "Hongjun Pan, Xiaoming Liu and Jingsong Wang",
            ["Hongjun Pan", "Xiaoming Liu", "Jingsong Wang"],
        ),
        ("Doe, Jane", ["Doe, Jane"]),
        ("Lee, K", ["Lee, K"]),
        ("Doe, Jane and Smith, John", ["Doe, Jane", "Smith, John"]),
        ("Smith J, Doe K, Lee M", ["Smith J", "Doe K", "Lee M"]),
        ("Ann Lee, Bo Chen, and Cy Wu", ["Ann Lee", "Bo Chen", "Cy Wu"]),
        ("A. Smith; B. Jones", ["A. Smith", "B. Jones"]),
        ("张三, 李四", ["张三", "李四"]),
    ],
)
def test_author_strings(value, names):
    assert _as_list(value, "authors") == names


def test_column_names_of_common_exports(tmp_path):
    wos = _write(
        tmp_path / "wos.csv",
        '"Article Title","Abstract","Publication Year"\n'
        '"Deep learning for topics","We propose a method. Experiments show gains.",2022\n',
    )
    df = trends.load(wos)
    assert df.title[0] == "Deep learning for topics"
    assert df.abstract[0] == "We propose a method. Experiments show gains."
    assert df.published[0] == pd.Timestamp("2022-01-01", tz="UTC")
    zotero = _write(
        tmp_path / "zotero.csv",
        f'"Key","Title","Abstract Note","Date"\nK1,"A title","{ABSTRACT}","2019-05-01"\n',
    )
    df = trends.load(zotero)
    assert df.abstract[0] == ABSTRACT and df.published[0] == pd.Timestamp("2019-05-01", tz="UTC")
    s2 = _write(
        tmp_path / "s2.jsonl",
        f'{{"paperId": "p1", "title": "T", "abstract": "{ABSTRACT}", '
        '"publicationDate": "2023-02-03"}\n',
    )
    assert trends.load(s2).published[0] == pd.Timestamp("2023-02-03", tz="UTC")


def test_web_of_science_tab_delimited_export(tmp_path):
    # ID is Keywords Plus there, not an id
    header = "PT\tAU\tAF\tTI\tSO\tAB\tID\tPY\tDI\tUT"
    row = (
        "J\tSmith, J; Doe, A\tSmith, John; Doe, Anna\tDeep learning for topic discovery\t"
        f"SCIENTOMETRICS\t{ABSTRACT}\tNEURAL-NETWORKS; MODELS\t2020\t10.1000/xyz\tWOS:000123"
    )
    path = _write(tmp_path / "savedrecs.txt", f"\ufeff{header}\n{row}\n")
    df = trends.load(path)
    assert df.title.tolist() == ["Deep learning for topic discovery"]
    assert df.abstract[0] == ABSTRACT
    assert df.authors[0] == ["Smith, John", "Doe, Anna"]
    assert df.published[0] == pd.Timestamp("2020-01-01", tz="UTC")
    assert df.doc_id[0] == "WOS:000123"


@pytest.mark.parametrize(
    "name, text, what",
    [
        (
            "zotero.txt",
            "TY  - JOUR\nAU  - Smith, John\nTI  - A title\nAB  - An abstract\nER  - \n",
            "RIS",
        ),
        ("refs.ris", "TY  - JOUR\nTI  - A title\nER  - \n", "RIS"),
        ("pubmed.txt", "PMID- 35000001\nOWN - NLM\nTI  - A title\nAB  - An abstract\n", "MEDLINE"),
        (
            "wos.txt",
            "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI A title\nER\n",
            "Web of Science",
        ),
    ],
)
def test_tagged_exports_are_refused_by_name(tmp_path, name, text, what):
    # Before: a .txt export was read as a trending page of papers titled "AU  - Smith, John".
    with pytest.raises(LoadError, match=f"looks like .*{what}.*export the records as BibTeX"):
        trends.load(_write(tmp_path / name, text))


def test_two_digit_years_keep_the_files_day_month_order(tmp_path):
    csv = _write(
        tmp_path / "uk.csv",
        f"title,abstract,date\nA,{ABSTRACT},15/03/24\nB,{ABSTRACT} Two.,03/04/24\n",
    )
    df = trends.load(csv)
    assert df.published.tolist() == [
        pd.Timestamp("2024-03-15", tz="UTC"),
        pd.Timestamp("2024-04-03", tz="UTC"),
    ]


def test_placeholder_abstracts_are_counted_skips(tmp_path):
    csv = _write(
        tmp_path / "scopus.csv",
        f"Title,Abstract,Year\nEditorial,[No abstract available],2021\nPaper,{ABSTRACT},2021\n"
        "Note,No abstract available.,2021\n",
    )
    df = trends.load(csv)
    report = df.attrs["load_report"]
    assert df.title.tolist() == ["Paper"]
    assert report["read"] == 3 and len(report["skipped"]) == 2
    assert "stands for none" in report["skipped"][0]["reason"]


def test_excel_sep_line_names_the_delimiter(tmp_path):
    csv = _write(
        tmp_path / "excel.csv",
        f'sep=;\nTitle;Abstract;Year\nA title;"{ABSTRACT}, with a comma";2021\n',
    )
    df = trends.load(csv)
    assert df.title.tolist() == ["A title"] and df.abstract[0].endswith("with a comma")
    assert df.attrs["load_report"]["read"] == 1


def test_cli_says_why_nothing_was_read(tmp_path):
    csv = _write(tmp_path / "na.csv", "title,abstract\nA,N/A\nB,NULL\n")
    result = CliRunner().invoke(app, ["themes", str(csv), "-e", "static"])
    assert result.exit_code == 2
    assert "2 of 2 records skipped" in result.output
    assert "line 2, field 'abstract'" in result.output and "missing-value marker" in result.output


def test_csl_json_authors_and_dates(tmp_path):
    # Zotero's "Export as CSL JSON": authors as family/given objects, dates as date-parts
    path = tmp_path / "library.json"
    path.write_text(
        '[{"id": "a", "title": "Topic models", "abstract": "' + ABSTRACT + '", '
        '"author": [{"family": "Müller", "given": "Anna"}, {"literal": "The Consortium"}], '
        '"issued": {"date-parts": [["2021", 3, 15]]}}]',
        encoding="utf-8",
    )
    df = trends.load(path)
    assert df.authors[0] == ["Anna Müller", "The Consortium"]
    assert df.published[0] == pd.Timestamp("2021-03-15", tz="UTC")
    assert df.attrs["load_report"]["missing_values"] == {}


def test_a_page_with_one_line_that_looks_tagged_is_still_a_page(tmp_path):
    long = (
        "We present a reference manager study that parses citation exports and shows that "
        "most users rely on tagged formats for sharing records between tools today."
    )
    page = _write(
        tmp_path / "page.txt",
        f"Trending papers\n\nParsing RIS files robustly\n{long}\n"
        "TY  - JOUR is the first line of every RIS record, which we use as an anchor here.\n"
        f"A second paper title\n{long} Again.\n",
    )
    assert trends.load(page).title.tolist() == [
        "Parsing RIS files robustly",
        "A second paper title",
    ]


def test_a_json_array_skip_names_the_line_its_record_starts_on(tmp_path):
    # before: "line 3" for the third record, which starts on line 5 (its index, not a line)
    path = _write(
        tmp_path / "s2.json",
        '{"total": 3, "data": [\n'
        f' {{"paperId": "a", "title": "One", "abstract": "{ABSTRACT}"}},\n'
        f' {{"paperId": "b", "title": "Two",\n  "abstract": "{ABSTRACT} Two."}},\n\n'
        ' {"paperId": "c", "title": "Three", "abstract": null}\n]}\n',
    )
    df = trends.load(path)
    (skip,) = df.attrs["load_report"]["skipped"]
    assert skip["line"] == 6 and skip["reason"] == "record has no abstract"
    assert len(df) == 2
    top = _write(tmp_path / "top.json", f'[\n  {{"title": "A", "abstract": "{ABSTRACT}"}},\n  7\n]')
    (skip,) = trends.load(top).attrs["load_report"]["skipped"]
    assert skip["line"] == 3 and "record 2 is a JSON int" in skip["reason"]
