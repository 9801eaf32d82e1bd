"""Watch-lists: the user's phrases followed like themes, on stand-in embeddings."""

import numpy as np
import pytest
from conftest import synthetic_corpus
from typer.testing import CliRunner

import trends
from trends.timeline import read_phrases


class PhraseStandIn:
    """An embedding backend: the synthetic corpus' vectors, and chosen vectors for phrases."""

    cacheable = False
    identity = "phrase-stand-in"

    def __init__(self, frame, emb, phrases):
        self.table = dict(zip(frame.text, emb, strict=True)) | phrases

    def encode(self, texts, *, progress=True):
        return np.vstack([self.table[t] for t in texts])


@pytest.fixture(scope="module")
def watched():
    """40 quantum papers among 160, dated over 40 days; a phrase for them and one for nothing."""
    frame, _, truth = synthetic_corpus()
    rng = np.random.default_rng(5)
    basis = np.eye(32)  # each theme along its own axis: unrelated themes are orthogonal
    emb = basis[truth] + rng.normal(scale=0.05, size=(len(truth), 32))
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    phrases = {
        "quantum circuits": basis[0],
        "medieval poetry": basis[10],
        "medieval <b>poetry</b>": basis[11],
    }
    model = trends.ThemeModel(embedding=PhraseStandIn(frame, emb, phrases), verbose=False)
    return frame, truth, model


def test_a_phrase_matches_its_planted_group_and_one_matches_nothing(watched):
    frame, truth, model = watched
    result = trends.watch(frame, ["quantum circuits", "medieval poetry"], model=model)
    topics = result.topics.set_index("label")
    assert topics.loc["quantum circuits", "size"] == 40
    assert (result.labels[truth == 0] == 0).all() and (result.labels[truth != 0] != 0).all()
    assert (
        topics.loc["medieval poetry", "size"] == 0 and topics.loc["medieval poetry", "matches"] == 0
    )
    assert (result.labels[truth != 0] == -1).all()  # papers can match no watched topic
    assert topics.loc["(no watched topic)", "size"] == 120
    assert result.similarity.shape == (160, 2)
    # the same tidy tables as for themes
    assert list(result.shares.columns[:5]) == ["period", "theme_id", "label", "count", "share"]
    assert set(result.emerging.label) == {"quantum circuits", "medieval poetry"}
    assert result.threshold == trends.timeline.DEFAULT_THRESHOLD
    # shown in a notebook: the phrases' table, not the (papers x phrases) arrays
    shown = repr(result)
    assert shown.startswith("WatchList(2 phrases, 160 papers, threshold=0.35)")
    assert "quantum circuits" in shown and "array(" not in shown and len(shown) < 600
    assert "quantum circuits" in result._repr_html_()


def test_a_watch_list_is_a_source_for_the_trend_functions(watched):
    frame, _, model = watched
    result = trends.watch(frame, ["quantum circuits", "medieval poetry"], model=model)
    shares = trends.theme_trends(result, frame, freq="W")
    assert shares[shares.theme_id == 0]["count"].sum() == 40
    assert len(trends.emerging(result, frame)) == 2


def test_threshold_and_a_fitted_model(watched, synthetic):
    frame, truth, model = watched
    fitted = trends.ThemeModel(embedding=model.embedding, verbose=False).fit(frame)
    strict = trends.watch(frame, ["quantum circuits"], model=fitted, threshold=0.999)
    assert strict.topics.set_index("label").loc["quantum circuits", "size"] < 40
    loose = trends.watch(frame, ["quantum circuits"], model=fitted, threshold=-1.0)
    assert (loose.labels == 0).all()


def test_no_dates_still_assigns(watched):
    frame, _, model = watched
    result = trends.watch(frame.drop(columns="published"), ["quantum circuits"], model=model)
    assert result.shares is None and "published" in result.reason
    assert (result.labels >= 0).sum() == 40


def test_bad_phrases(tmp_path, watched):
    frame, _, model = watched
    with pytest.raises(trends.InputError, match="non-empty"):
        trends.watch(frame, ["  "], model=model)
    with pytest.warns(UserWarning, match="repeated"):
        trends.watch(frame, ["quantum circuits", "quantum circuits"], model=model)
    path = tmp_path / "topics.txt"
    path.write_text("# my topics\nquantum circuits\n\n  medieval poetry  # odd one\n")
    assert read_phrases(path) == ["quantum circuits", "medieval poetry"]
    path.write_text("# nothing\n\n")
    with pytest.raises(trends.InputError, match="lists no phrase"):
        read_phrases(path)
    with pytest.raises(trends.InputError, match="cannot read"):
        read_phrases(tmp_path / "missing.txt")


def test_phrases_keep_a_hash_inside_a_word_and_lose_a_bom_and_case_repeats(tmp_path, watched):
    """`C# programming` was read as `C`; a BOM stayed in the first phrase; `GPU` and `gpu`
    were two topics (the second with no paper); None was followed as the phrase 'None'."""
    frame, _, model = watched
    path = tmp_path / "topics.txt"
    text = "C# programming\nF#\nC++ templates # and more\n\t# aside\n"
    path.write_bytes(text.encode("utf-8-sig"))
    assert read_phrases(path) == ["C# programming", "F#", "C++ templates"]
    with pytest.warns(UserWarning, match="1 repeated phrase.*differ in case only"):
        watched_list = trends.watch(frame, ["quantum circuits", "Quantum Circuits"], model=model)
    assert watched_list.topics.label.tolist()[:-1] == ["quantum circuits"]
    for odd in (None, float("nan"), b"gpu", 3):
        with pytest.raises(trends.InputError, match="phrases as text"):
            trends.watch(frame, ["quantum circuits", odd], model=model)


def test_phrases_are_read_in_composed_unicode(tmp_path, watched):
    """A phrase typed with a combining accent (NFD) was a second phrase beside the
    composed one (NFC, as the loader reads the papers): two identical-looking rows, one
    with the papers and one with none."""
    import unicodedata

    frame, _, model = watched
    composed = "décohérence quantique"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    # the stand-in embeds the two forms apart, as a real model does
    vectors = model.embedding.table | {composed: np.eye(32)[0], decomposed: np.eye(32)[12]}
    stand_in = PhraseStandIn(frame.iloc[:0], [], vectors)
    both = trends.ThemeModel(embedding=stand_in, verbose=False)
    with pytest.warns(UserWarning, match="1 repeated phrase.*counted once: décohérence"):
        result = trends.watch(frame, [composed, decomposed], model=both)
    assert result.topics.label.tolist() == [composed, "(no watched topic)"]
    assert result.topics.set_index("label").loc[composed, "size"] == 40
    assert result.notes == [
        "1 repeated phrase(s) in the watch-list counted once: décohérence quantique "
        "(phrases that differ in case only, or in how an accent is encoded, are the same)"
    ]
    path = tmp_path / "topics.txt"
    path.write_text(f"{decomposed}\n", encoding="utf-8")
    assert read_phrases(path) == [composed]


def test_watch_section_in_the_report(watched):
    from trends.report import Section, render_report

    frame, truth, model = watched
    fitted = trends.ThemeModel(embedding=model.embedding, verbose=False).fit(frame)
    html = render_report(
        fitted,
        frame,
        sections=[Section("watch", "Watch-list", "trends.timeline:watch_section")],
        watch=["quantum circuits", "medieval <b>poetry</b>"],
    )
    assert 'id="watch"' in html and "quantum circuits" in html
    assert "medieval &lt;b&gt;poetry&lt;/b&gt;" in html and "<b>poetry" not in html
    assert 'data-chart="watch-share"' in html and 'data-chart="watch-emerging"' in html
    assert "repeated phrase" not in html
    # Repeated phrases are counted once, and the section says so (the report silenced the
    # warning: one row, and no word about the two others).
    html = render_report(
        fitted,
        frame,
        sections=[Section("watch", "Watch-list", "trends.timeline:watch_section")],
        watch=["medieval <b>poetry</b>", "quantum circuits", "MEDIEVAL <b>poetry</b>"],
    )
    assert html.count("<tr><td>medieval &lt;b&gt;poetry&lt;/b&gt;</td>") == 1
    assert (
        "1 repeated phrase(s) in the watch-list counted once: medieval &lt;b&gt;poetry&lt;/b&gt;"
        in html
    )
    # the watched topics are numbered as themes are, but a click on one must not filter
    # the explorer to the theme of that number
    from trends.report import ReportInput
    from trends.timeline.sections import watch_section

    watch = ["quantum circuits", "medieval <b>poetry</b>"]
    section = watch_section(ReportInput(fitted, frame, watch=watch))
    lines = section["figures"]["watch-share"].data
    assert lines and all("theme_id" not in (trace.meta or {}) for trace in lines)


def test_cli_watch_file_errors(tmp_path, data):
    from trends.cli import app

    topics = tmp_path / "topics.txt"
    topics.write_text("\n# nothing here\n")
    result = CliRunner().invoke(
        app, ["report", "--watch", str(topics), "-o", str(tmp_path / "r.html")]
    )
    assert result.exit_code == 2
    assert "lists no phrase" in result.output
