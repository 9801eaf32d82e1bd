"""Daily updates with stable theme identity, replaying days of the shared arXiv feed."""

import json
import sqlite3
from contextlib import closing

import numpy as np
import pandas as pd
import pytest

import trends
from trends.store import Store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def days(corpora):
    files = sorted((corpora / "arxiv_daily").glob("*.jsonl.gz"))[:3]
    return [trends.load(f) for f in files]


@pytest.fixture(scope="module")
def planted(corpora):
    """40 sports stories, dressed as papers of the fourth day: a theme no paper had."""
    bbc = trends.load(corpora / "bbc_news.csv.gz")
    sport = bbc[bbc.label == "sport"].head(40).copy()
    sport["published"] = pd.Timestamp("2025-03-21", tz="UTC")
    sport["doc_id"] = [f"sport-{i}" for i in range(len(sport))]
    return sport.drop(columns="label")


@pytest.fixture(scope="module")
def replay(tmp_path_factory, days, planted):
    path = tmp_path_factory.mktemp("store") / "feed.sqlite"
    results = []
    with Store(path) as store:
        for day in days:
            results.append(store.update(day, verbose=False))
        # Two asked refits: whether day 3 already refitted on its own depends on how many
        # of its papers sit just past the 30% line; the second refit has nothing new.
        results.append(store.update(days[-1], verbose=False, refit=True))
        results.append(store.update(days[-1], verbose=False, refit=True))
        results.append(store.update(planted, verbose=False, refit=True))
        yield store, results, path


def test_store_is_a_real_database(replay):
    store, results, path = replay
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    assert {"papers", "snapshots", "runs", "themes", "assignments", "lineage"} <= tables


def test_first_snapshot_fits_later_ones_assign(replay, days):
    store, results, _ = replay
    first, second = results[0], results[1]
    assert first.refitted and first.reason == "first snapshot"
    assert second.n_new == len(days[1])
    assert second.new_outlier_share is not None
    runs = store.runs()
    assert runs.kind.iloc[0] == "fit" and "assign" in set(runs.kind)


def test_known_papers_are_not_added_again(replay, days):
    store, results, _ = replay
    again = results[3]
    assert again.n_new == 0 and again.n_known == len(days[-1])
    assert len(store.papers()) == sum(len(d) for d in days) + 40
    assert store.papers().doc_id.is_unique
    # placing no paper is no run: the input is logged (its snapshot), no empty run is
    assert (store.runs().n_papers > 0).all()


def test_refit_without_new_papers_keeps_every_id(replay):
    store, results, _ = replay
    same = results[4]
    assert same.refitted and same.new_themes == [] and same.ended_themes == []
    assert same.unchanged_share == pytest.approx(1.0)


def test_planted_theme_is_reported_new(replay, planted):
    store, results, _ = replay
    last = results[-1]
    assert last.refitted and len(last.new_themes) >= 1
    labels = store.assignments().set_index("doc_id").theme_id
    sport = labels[planted.doc_id]
    main = sport.value_counts().idxmax()
    assert (sport == main).mean() >= 0.8
    assert main in last.new_themes
    lineage = store.lineage()
    assert ((lineage.new_theme_id == main) & (lineage.kind == "new")).any()
    # papers that were already there mostly keep their theme id
    assert last.unchanged_share >= 0.5


def test_current_themes_feed_the_trend_analysis(replay):
    store, _, _ = replay
    corpus, labels, themes = store.current()
    assert len(labels) == len(corpus)
    assert themes["size"].sum() == len(corpus)
    shares = trends.theme_trends(store, freq="D")  # the store itself is a source
    assert shares["count"].sum() == len(corpus)
    same = trends.theme_trends((labels, themes), corpus, freq="D")
    pd.testing.assert_frame_equal(shares, same)
    table = trends.emerging(store, recent=("2025-03-20", "2025-03-22"))
    assert "new" in set(table.status) or "rising" in set(table.status)


def test_a_store_names_its_themes_as_a_plain_fit_does(replay):
    # The last refit ran on every stored paper: a fit of the same papers with the same
    # parameters finds the same themes and must give them the same names (the store used
    # to pass precomputed vectors, which turns the phrase embedding of names off).
    store, _, _ = replay
    plain = trends.ThemeModel(verbose=False).fit(store.papers())
    assert sorted(store.themes().name) == sorted(plain.themes_.name)


def test_one_stray_paper_does_not_refit_the_store(replay, planted, tmp_path):
    store, _, path = replay
    copy = tmp_path / "copy.sqlite"
    # SQLite's backup, not a file copy: the fixture's store is still open, and what it
    # committed may still be in its -wal file (how much depends on the themes' sizes)
    with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    stray = planted.head(1).copy()
    stray["doc_id"] = ["stray-1"]
    stray["title"] = ["Quarterly report on municipal sewage tariffs"]
    stray["abstract"] = stray["text"] = [
        "The council approved new sewage tariffs for households and small businesses, "
        "with a rebate for pensioners and a review of meter readings next spring."
    ]
    with Store(copy) as again:
        result = again.update(stray, verbose=False)
    assert result.new_outlier_share == 1.0 and not result.refitted
    assert "fewer than the" in result.summary() and "No refit" in result.summary()


def test_new_papers_only_are_embedded(tmp_path, days, embed_calls):
    seen = embed_calls
    with Store(tmp_path / "s.sqlite") as store:
        store.update(days[0], verbose=False)  # embeds what no earlier test cached
        seen.clear()
        store.update(days[0], verbose=False)
        store.update(days[0].head(5), verbose=False)
    assert seen == []


def test_store_refuses_another_embedding(tmp_path, days):
    from trends.errors import InputError, StoreError

    with Store(tmp_path / "s.sqlite") as store:
        store.update(days[0], verbose=False)
        other = trends.ThemeModel(embedding="/some/other/model")
        with pytest.raises(StoreError, match="use the same embedding"):
            store.update(days[1], model=other, verbose=False)
        with pytest.raises(InputError, match="not 'tfidf'"):
            store.update(days[1], model=trends.ThemeModel(embedding="tfidf"), verbose=False)


def test_update_command(tmp_path, corpora):
    from typer.testing import CliRunner

    from trends.cli import app

    day = sorted((corpora / "arxiv_daily").glob("*.jsonl.gz"))[0]
    result = CliRunner().invoke(app, ["update", str(tmp_path / "s.sqlite"), str(day), "-q"])
    assert result.exit_code == 0, result.output
    assert "snapshot 1" in result.output and "Refitted (first snapshot)" in result.output


def test_a_store_built_with_a_model_folder_under_its_old_identity_still_updates(
    tmp_path, monkeypatch
):
    """Model folders were known by the path as typed ('st:model'), now by real path and
    contents: a store recorded under the old identity takes the same folder."""
    from conftest import synthetic_corpus

    from trends.embed.backends import SentenceTransformerEmbedder

    class Folder(SentenceTransformerEmbedder):  # a model folder, with stand-in vectors
        def encode(self, texts, *, progress=True):  # a name candidate: any unit vector
            other = np.full(emb.shape[1], emb.shape[1] ** -0.5)
            return np.asarray([vectors.get(t, other) for t in texts], dtype=np.float32)

    frame, emb, _ = synthetic_corpus(n_per_theme=20)
    vectors = pd.Series(list(emb), index=frame.text)
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    monkeypatch.chdir(tmp_path)
    backend = Folder("model")
    assert backend.legacy_identities[0] == "st:model" != backend.identity
    model = trends.ThemeModel(embedding=backend, cache_dir=tmp_path / "cache", verbose=False)
    path = tmp_path / "s.sqlite"
    with Store(path, cache_dir=tmp_path / "cache") as store:
        store.update(frame.head(60), model=model, verbose=False)
    with closing(sqlite3.connect(path)) as db, db:  # as a store of an earlier version has it
        db.execute("UPDATE meta SET value = ? WHERE key = 'embedding'", ['"st:model"'])
        params = json.loads(
            db.execute("SELECT value FROM meta WHERE key = 'model_params'").fetchone()[0]
        )
        params["embedding"] = "st:model"
        db.execute("UPDATE meta SET value = ? WHERE key = 'model_params'", [json.dumps(params)])
    with Store(path, cache_dir=tmp_path / "cache") as store:
        assert store.meta("embedding") == "st:model"
        store.update(frame.tail(20), model=model, verbose=False)
        assert store.meta("embedding") == backend.identity
        assert len(store.papers()) == 80


def test_update_command_says_what_it_read_and_what_has_no_date(tmp_path):
    # before: `update` printed no load summary: skipped records, unreadable dates and
    # undated papers went into the store without a word
    from typer.testing import CliRunner

    from trends.cli import app

    lines = [
        json.dumps({"id": f"p{i}", "title": f"Paper {i}", "summary": f"{w} networks {i}."})
        for i, w in enumerate(["graph", "neural", "quantum", "protein"] * 3)
    ]
    lines.append(json.dumps({"id": "x", "title": "No abstract"}))
    day = tmp_path / "latest.jsonl"  # no date in its name, none in its records
    day.write_text("\n".join(lines) + "\n")
    store = str(tmp_path / "s.sqlite")
    result = CliRunner().invoke(app, ["update", store, str(day), "-e", "static", "-q"])
    assert result.exit_code == 0, result.output
    assert "Read 13 records: 12 papers kept, 0 duplicates, 1 skipped." in result.output
    assert "12 of 12 papers have no date" in result.output


def test_an_embedding_mismatch_names_the_options_as_the_user_gave_them(tmp_path, synthetic):
    # before: "built with the embedding 'model2vec:trends-static-minilm@...:max512', not
    # 'sentence-transformers/...'": identities only; and the tfidf refusal left out 'static'
    from trends.errors import InputError, StoreError

    frame, _, _ = synthetic
    with Store(tmp_path / "s.sqlite", cache_dir=tmp_path / "cache") as store:
        store.update(frame, model=trends.ThemeModel(embedding="static"), verbose=False)
        with pytest.raises(StoreError) as caught:
            store.update(frame, model=trends.ThemeModel(embedding="minilm-128"), verbose=False)
        with pytest.raises(InputError, match="use one of 'minilm', 'minilm-128', .*'static'"):
            store.update(frame, model=trends.ThemeModel(embedding="tfidf"), verbose=False)
    message = str(caught.value)
    assert "built with the embedding 'static' (model2vec:" in message
    assert "not 'minilm-128' (" in message
