"""ThemeModel on stand-in embeddings: contract, themes, transform, persistence."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score

import trends
from trends import ThemeModel
from trends import cluster as tc
from trends.errors import InputError


@pytest.fixture(scope="module")
def fitted(synthetic):
    frame, emb, truth = synthetic
    return ThemeModel(verbose=False).fit(frame, embeddings=emb), frame, emb, truth


def test_init_only_stores_arguments():
    model = ThemeModel(min_cluster_size=7, random_state=3, embedding="tfidf")
    assert model.get_params()["min_cluster_size"] == 7
    assert model.random_state == 3
    assert not [a for a in vars(model) if a.endswith("_")]
    assert clone(model).get_params() == model.get_params()
    assert "min_cluster_size=7" in repr(model)


def test_invalid_parameters_fail_in_fit_with_a_clear_message(synthetic):
    frame, emb, _ = synthetic
    with pytest.raises(ValueError, match="reduce_outliers must be one of"):
        ThemeModel(reduce_outliers="sometimes").fit(frame, embeddings=emb)
    for number in (0, 1):  # before: accepted (1 == True), and 0 reduced them all the same
        with pytest.raises(ValueError, match=f"reduce_outliers must be one of .* got {number}"):
            ThemeModel(reduce_outliers=number).fit(frame, embeddings=emb)
    # before: a namer that is no function was found out after the whole fit, with a warning
    with pytest.raises(ValueError, match="namer must be a function .* got 'gpt'"):
        ThemeModel(namer="gpt").fit(frame.head(5))
    with pytest.raises(ValueError, match="n_runs must be a positive integer"):
        ThemeModel(n_runs=0).fit(frame, embeddings=emb)
    with pytest.raises(ValueError, match="embeddings has 3 rows but the corpus 160"):
        ThemeModel(verbose=False).fit(frame, embeddings=emb[:3])
    with pytest.raises(ValueError, match="at least 10 papers"):
        ThemeModel().fit(frame.head(5), embeddings=emb[:5])
    with pytest.raises(ValueError, match="no 'text' column"):
        ThemeModel().fit(frame.drop(columns="text"), embeddings=emb)


def test_finds_the_planted_themes(fitted):
    model, frame, emb, truth = fitted
    assert model.n_themes_ == 4
    assert adjusted_rand_score(truth, model.labels_) > 0.95
    assert len(model.labels_) == len(frame)


def test_theme_table(fitted):
    model, frame, emb, truth = fitted
    themes = model.themes_
    assert list(themes.columns) == [
        "theme_id",
        "label",
        "name",
        "description",
        "size",
        "share",
        "keywords",
        "keyword_weights",
        "representative_ids",
    ]
    real = themes[themes.theme_id >= 0]
    assert real["size"].is_monotonic_decreasing
    assert real.theme_id.tolist() == list(range(len(real)))
    assert themes["size"].sum() == len(frame)
    assert np.isclose(themes.share.sum(), 1.0)
    for row in real.itertuples():
        assert 1 <= len(row.keywords) <= 10
        assert row.keyword_weights == sorted(row.keyword_weights, reverse=True)
        assert len(row.representative_ids) == 3
        members = set(frame.doc_id[model.labels_ == row.theme_id])
        assert set(row.representative_ids) <= members
        # the theme's keywords come from its own vocabulary
        names = {
            frame.doc_id[i].split("-")[0] for i in np.flatnonzero(model.labels_ == row.theme_id)
        }
        (name,) = names
        from conftest import THEME_WORDS

        assert set(row.keywords[:3]) & set(THEME_WORDS[name].split())
        assert " · " in row.label


def test_transform_places_new_papers(fitted, synthetic):
    model, frame, emb, truth = fitted
    new_frame, new_emb, new_truth = _fresh(seed=1)
    got = model.predict(new_frame, embeddings=new_emb)
    # the same planted theme gets the same theme id as in training
    mapping = {
        t: np.bincount(model.labels_[truth == t][model.labels_[truth == t] >= 0]).argmax()
        for t in range(4)
    }
    expected = np.array([mapping[t] for t in new_truth])
    assert np.mean(got == expected) > 0.85


def _fresh(seed):
    from conftest import synthetic_corpus

    return synthetic_corpus(n_per_theme=20, seed=0, noise_seed=100 + seed)


def test_save_load_roundtrip_gives_same_transform(fitted, tmp_path):
    model, frame, emb, truth = fitted
    path = tmp_path / "model.trends"
    model.save(path)
    loaded = ThemeModel.load(path)
    pd.testing.assert_frame_equal(loaded.themes_, model.themes_)
    assert np.array_equal(loaded.labels_, model.labels_)
    new_frame, new_emb, _ = _fresh(seed=2)
    assert np.array_equal(
        loaded.predict(new_frame, embeddings=new_emb),
        model.predict(new_frame, embeddings=new_emb),
    )
    # no pickle inside: the archive loads with allow_pickle=False
    with np.load(path, allow_pickle=False) as npz:
        assert "meta" in npz.files


def test_themes_renamed_by_replacing_the_table_are_saved(fitted, tmp_path):
    # before: model.themes_ = model.themes_.assign(name=...) showed in the report but was
    # lost on save (the fit's own table was written); editing cells in place was kept
    import copy

    from trends.errors import ModelFileError

    model = copy.deepcopy(fitted[0])  # the fixture's model is shared: it stays as fitted
    names = [f"My theme {t}" for t in model.themes_.theme_id]
    model.themes_ = model.themes_.assign(name=names)
    model.save(tmp_path / "m.trends")
    assert ThemeModel.load(tmp_path / "m.trends").themes_.name.tolist() == names
    model.themes_ = model.themes_.head(1)
    with pytest.raises(ModelFileError, match="other rows or columns than the fit's"):
        model.save(tmp_path / "other.trends")
    assert not (tmp_path / "other.trends").exists()


def test_load_rejects_other_files(tmp_path):
    bad = tmp_path / "x.trends"
    bad.write_bytes(b"not a model")
    from trends.errors import ModelFileError

    with pytest.raises(ModelFileError, match="not a saved trends model"):
        ThemeModel.load(bad)
    with pytest.raises(ModelFileError, match="no such file|No such file"):
        ThemeModel.load(tmp_path / "missing.trends")


def test_load_of_a_folder_or_a_damaged_archive_is_a_model_file_error(fitted, tmp_path):
    """An archive of the right format with parts missing or cut is damaged, not a bug."""
    import json

    from trends.errors import ModelFileError

    model, *_ = fitted
    good = tmp_path / "good.trends"
    model.save(good)
    with np.load(good, allow_pickle=False) as npz:
        parts = {k: npz[k] for k in npz.files}
    meta = json.loads(bytes(parts["meta"]).decode("utf-8"))

    def write(name, **changes):
        path = tmp_path / f"{name}.npz"
        np.savez(path, **{**parts, **changes})
        return path

    def as_meta(value):
        return np.frombuffer(json.dumps(value).encode("utf-8"), dtype=np.uint8)

    cases = {
        write(
            "no-params", meta=as_meta({k: v for k, v in meta.items() if k != "params"})
        ): "params",
        write("a-list", meta=as_meta([1])): "not a readable trends model",
        write("cut", **{"fit.labels": parts["fit.labels"][:5]}): "5 labels",
        # Readable parts that do not fit together loaded, then failed in predict or
        # paper_info with an IndexError or numpy's matmul error (a hand-edited file).
        write("theme-99", **{"fit.labels": np.full_like(parts["fit.labels"], 99)}): (
            "labels from 99 to 99 for"
        ),
        write("two-thresholds", **{"fit.thresholds": parts["fit.thresholds"][:2]}): (
            "but 2 thresholds"
        ),
        write("narrow-centres", **{"fit.centroids": parts["fit.centroids"][:, :7]}): (
            "theme centres of 7 dimensions"
        ),
        write("text-labels", **{"fit.labels": parts["fit.labels"].astype(str)}): "labels of type",
        write(
            "bad-runs", meta=as_meta({**meta, "params": {**meta["params"], "n_runs": "x"}})
        ): "its parameters: n_runs",
    }
    for path, message in cases.items():
        with pytest.raises(ModelFileError, match=message):
            ThemeModel.load(path)
    with pytest.raises(ModelFileError, match="a folder, not a saved trends model"):
        ThemeModel.load(tmp_path)


def test_save_and_load_read_a_tilde_as_the_home_folder(fitted, tmp_path, monkeypatch):
    model, *_ = fitted
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    model.save("~/models/m.trends")
    assert (tmp_path / "home" / "models" / "m.trends").is_file()
    assert not (tmp_path / "~").exists()
    assert np.array_equal(ThemeModel.load("~/models/m.trends").labels_, model.labels_)


def test_reduce_outliers_options(synthetic, monkeypatch):
    """The clustering leaves outliers: a near one and a far one; each option treats them."""
    import trends.cluster as tc

    frame, emb, truth = synthetic
    emb = emb.copy()
    emb[7] = -emb[0]  # far from every theme
    emb[7] /= np.linalg.norm(emb[7])
    planted = truth.copy()
    planted[[3, 7]] = -1  # paper 3 sits inside theme 0, paper 7 far away

    def fake_cluster(embeddings, params, seeds, timings, progress=True, **kwargs):
        return tc.relabel_by_size(planted), [planted], None

    monkeypatch.setattr(tc, "cluster", fake_cluster)
    # A minimum size of 25 puts the size cap at 50 papers, above the planted themes' 40:
    # the cap is tested on its own below.
    kept = ThemeModel(verbose=False, reduce_outliers=False, min_cluster_size=25)
    kept.fit(frame, embeddings=emb)
    auto = ThemeModel(verbose=False, min_cluster_size=25).fit(frame, embeddings=emb)
    placed = ThemeModel(verbose=False, reduce_outliers=True, min_cluster_size=25)
    placed.fit(frame, embeddings=emb)
    assert np.flatnonzero(kept.labels_ == -1).tolist() == [3, 7]
    assert np.flatnonzero(auto.labels_ == -1).tolist() == [7]
    assert auto.labels_[3] == auto.labels_[0]
    assert (placed.labels_ >= 0).all()
    assert -1 not in placed.themes_.theme_id.tolist()
    assert kept.themes_.theme_id.tolist()[-1] == -1


def test_same_seed_same_themes_other_seed_may_differ(synthetic):
    frame, emb, _ = synthetic
    a = ThemeModel(verbose=False, random_state=11).fit(frame, embeddings=emb)
    # Without the run cache, so that the second fit makes its runs again.
    b = ThemeModel(verbose=False, random_state=11, cache_dir=False).fit(frame, embeddings=emb)
    assert np.array_equal(a.labels_, b.labels_)
    assert a.themes_.keywords.tolist() == b.themes_.keywords.tolist()


def test_scorecard(fitted, synthetic):
    model, frame, emb, truth = fitted
    card = model.scorecard(truth)
    assert card["n_themes"] == 4
    assert card["nmi"] > 0.9 and card["ari"] > 0.9
    assert 0 <= card["diversity"] <= 1
    assert -1 <= card["coherence"] <= 1
    assert set(card["coherence_per_theme"]) == {0, 1, 2, 3}
    plain = model.scorecard()
    assert "nmi" not in plain


def test_scorecard_leaves_out_papers_without_a_reference_class(fitted):
    model, frame, emb, truth = fitted
    truth = list(truth)
    full = model.scorecard(truth)
    assert full["n_reference"] == len(truth)
    # A class for some papers only: the others are left out, and counted.
    partial = [None if i % 3 == 0 else c for i, c in enumerate(truth)]
    card = model.scorecard(partial)
    assert card["n_reference"] == len(truth) - len(range(0, len(truth), 3))
    assert card["nmi"] > 0.9
    nan = [float("nan") if c is None else c for c in partial]
    assert model.scorecard(nan)["nmi"] == card["nmi"]
    # Mixed types are classes like any other: 1 and "b" are two classes.
    mixed = [1 if c == truth[0] else f"c{c}" for c in truth]
    assert model.scorecard(mixed)["nmi"] == full["nmi"]
    with pytest.raises(InputError, match="none of the .* reference labels"):
        model.scorecard([None] * len(truth))


def test_rich_display_escapes(fitted):
    model, *_ = fitted
    html = model._repr_html_()
    assert "<table>" in html and "4 themes" in html
    assert "<script" not in html
    # the fit's record prints its sizes, not its arrays
    assert repr(model.fit_).startswith(f"ThemeFit({len(model.labels_)} papers, ")
    assert "array(" not in repr(model.fit_)


def test_jupyter_shows_the_theme_table_without_reading_every_property(fitted, monkeypatch):
    """scikit-learn's _repr_mimebundle_ came first: its diagram, with every fitted
    attribute, and reading the properties ran a 2-D UMAP (coords_) while displaying."""
    formatters = pytest.importorskip("IPython.core.formatters")
    model, *_ = fitted

    reads = []

    def recorded(self):  # (raising here would only make IPython fall back to _repr_html_)
        reads.append(1)
        return np.zeros((len(self.labels_), 2))

    monkeypatch.setattr(ThemeModel, "coords_", property(recorded))
    data, _ = formatters.DisplayFormatter().format(model)
    assert reads == [], "coords_ was read to display the model"
    assert data["text/html"] == model._repr_html_() and "4 themes" in data["text/html"]
    unfitted, _ = formatters.DisplayFormatter().format(ThemeModel(verbose=False))
    assert "ThemeModel" in unfitted["text/plain"]


def test_a_fitted_attribute_before_fit_says_not_fitted():
    """themes_ before fit() was a bare "'ThemeModel' object has no attribute 'themes_'"."""
    from sklearn.exceptions import NotFittedError

    model = ThemeModel(verbose=False)
    for name in ("themes_", "labels_", "embeddings_"):
        with pytest.raises(NotFittedError, match=f"not fitted yet: {name} exists after fit"):
            getattr(model, name)
        assert not hasattr(model, name)
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        model.nonsense  # noqa: B018


def test_a_property_that_fails_after_fit_keeps_its_own_error(fitted, monkeypatch):
    """Python drops a property's AttributeError and calls __getattr__: without care the
    message became "no attribute 'coords_'", hiding the real one."""
    from trends.fit import ThemeFit

    model, *_ = fitted

    def broken(self):
        raise AttributeError("inner bug in coords")

    monkeypatch.setattr(ThemeFit, "coords", property(broken))
    with pytest.raises(AttributeError, match="inner bug in coords"):
        model.coords_  # noqa: B018


def test_list_of_texts_is_accepted(synthetic):
    frame, emb, _ = synthetic
    model = ThemeModel(verbose=False).fit(frame.text.tolist(), embeddings=emb)
    assert model.doc_ids_[0] == "d0" and model.n_themes_ == 4
    # its corpus with ids: said plainly ("192 of its papers are missing (e.g. 'd0')" before)
    with pytest.raises(InputError, match="fitted on texts without ids") as refused:
        model.paper_info(frame)
    assert "missing" not in str(refused.value)
    assert len(model.paper_info(frame.drop(columns="doc_id"))) == len(frame)


def test_fit_cache_reads_back_the_same_model(synthetic, tmp_path, monkeypatch):
    from trends import fit_cache

    frame, emb, _ = synthetic

    class Backend:
        identity = "stand-in"
        cacheable = True

        def encode(self, texts, *, progress=True):
            return emb[[int(t.split()[2]) % len(emb) for t in texts]]

    fits = []
    original = ThemeModel.fit

    def counting_fit(self, X, y=None, *, embeddings=None):
        fits.append(1)
        return original(self, X, embeddings=emb)

    monkeypatch.setattr(ThemeModel, "fit", counting_fit)
    first, path = fit_cache.fit_or_load(
        frame, ThemeModel(embedding=Backend(), verbose=False), cache_dir=tmp_path
    )
    again, path2 = fit_cache.fit_or_load(
        frame, ThemeModel(embedding=Backend(), verbose=False), cache_dir=tmp_path
    )
    assert len(fits) == 1 and path == path2
    assert np.array_equal(first.labels_, again.labels_)
    assert first.themes_.keyword_weights.tolist() == again.themes_.keyword_weights.tolist()
    # another seed, or other texts, is another key
    other = ThemeModel(embedding=Backend(), verbose=False, random_state=7)
    assert fit_cache.fit_key(frame, other) != fit_cache.fit_key(frame, first)
    changed = frame.assign(text=frame.text.str.upper())
    assert fit_cache.fit_key(changed, first) != fit_cache.fit_key(frame, first)
    # so are the clustering's own defaults: a fit made under others is not read back
    key = fit_cache.fit_key(frame, first)
    with monkeypatch.context() as patch:
        patch.setattr(tc, "DEFAULT_RUNS", tc.DEFAULT_RUNS + 1)
        assert fit_cache.fit_key(frame, first) != key
    assert fit_cache.fit_key(frame, first) == key
    # a damaged file (garbage, truncated, empty) is reported once, set aside and refitted
    good = path.read_bytes()
    for damaged in (b"garbage", good[: len(good) // 2], b""):
        path.write_bytes(damaged)
        with pytest.warns(RuntimeWarning, match="unreadable") as caught:
            again, _ = fit_cache.fit_or_load(
                frame, ThemeModel(embedding=Backend(), verbose=False), cache_dir=tmp_path
            )
        assert len(caught) == 1
        assert np.array_equal(again.labels_, first.labels_)
        assert path.with_suffix(".corrupt").read_bytes() == damaged
        assert path.read_bytes() != damaged  # the refit was saved in its place
    assert len(fits) == 4
    # a full disk under the cache is a warning and a fit not kept: save raises
    # ModelFileError, which ended every command with "cannot write the model" (exit 2)
    import errno

    from trends import persist

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    path.unlink()
    with monkeypatch.context() as patch:
        patch.setattr(persist, "atomic_write_bytes", full)
        with pytest.warns(RuntimeWarning, match="could not keep the fitted model.*No space"):
            again, kept = fit_cache.fit_or_load(
                frame, ThemeModel(embedding=Backend(), verbose=False), cache_dir=tmp_path
            )
    assert kept is None and not path.exists()
    assert np.array_equal(again.labels_, first.labels_)


def test_no_theme_exceeds_a_quarter_of_the_corpus_after_reassignment(synthetic):
    """240 copies of one abstract among 160 papers: the copies cannot make a theme of 60%."""
    frame, emb, _ = synthetic
    copies = pd.DataFrame(
        {"doc_id": [f"copy-{i}" for i in range(240)], "text": [frame.text[0]] * 240}
    )
    corpus = pd.concat([frame[["doc_id", "text"]], copies], ignore_index=True)
    vectors = np.vstack([emb, np.repeat(emb[:1], 240, axis=0)])
    for reduce in ("auto", True):
        model = ThemeModel(verbose=False, reduce_outliers=reduce).fit(corpus, embeddings=vectors)
        cap = model.params_.max_cluster_size
        assert cap == len(corpus) // 4
        assert model.themes_.query("theme_id >= 0")["size"].max() <= cap


def test_a_small_library_of_two_topics_keeps_them_whole():
    # 40 papers in two clear topics: a quarter-of-the-corpus cap (10 papers) would cut
    # each topic in half and leave half the papers outliers
    rng = np.random.default_rng(0)
    centres = np.eye(16)[:2] * 3
    vectors = np.vstack([c + rng.normal(scale=0.15, size=(20, 16)) for c in centres])
    words = ["qubit entanglement circuit noise", "protein folding residue binding"]
    texts = [f"{words[i // 20]} study {i}" for i in range(40)]
    model = ThemeModel(verbose=False).fit(texts, embeddings=vectors)
    assert model.params_.max_cluster_size >= 20
    assert np.mean(model.labels_ == -1) <= 0.1
    # no theme mixes the two topics
    for t in set(model.labels_) - {-1}:
        assert len(set(np.flatnonzero(model.labels_ == t) // 20)) == 1


# --- what the Python API refuses, and says -------------------------------------------------


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"random_state": None}, "random_state must be an integer"),
        ({"random_state": -1}, "random_state must be an integer"),
        ({"random_state": "a"}, "random_state must be an integer"),
        ({"random_state": 2**32}, "random_state must be an integer"),
        ({"min_cluster_size": 1}, "min_cluster_size must be at least 2"),
        ({"n_neighbors": 1}, "n_neighbors must be at least 2"),
    ],
)
def test_bad_settings_are_refused_before_any_work(synthetic, settings, message, monkeypatch):
    from trends import InputError

    frame, emb, _ = synthetic
    monkeypatch.setattr("trends.cluster.knn_graph", lambda *a, **k: pytest.fail("it ran"))
    with pytest.raises(InputError, match=message):
        ThemeModel(verbose=False, **settings).fit(frame, embeddings=emb)


@pytest.mark.parametrize("gap", [None, float("nan"), np.nan])
def test_a_gap_in_a_list_of_texts_is_refused(synthetic, gap):
    from trends import InputError

    frame, emb, _ = synthetic
    texts = frame.text.tolist()
    texts[7] = gap
    with pytest.raises(InputError, match="text 7 of the corpus is missing"):
        ThemeModel(verbose=False).fit(texts, embeddings=emb)


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_an_empty_text_is_refused_not_put_in_a_theme(synthetic, blank):
    from trends import InputError

    frame, emb, _ = synthetic
    texts = frame.text.tolist()
    texts[3] = texts[11] = blank
    with pytest.raises(
        InputError, match=r"2 of the \d+ papers have an empty text \(the first: row 3\)"
    ):
        ThemeModel(verbose=False).fit(texts, embeddings=emb)
    with pytest.raises(InputError, match="empty text"):
        ThemeModel(verbose=False).fit(frame.assign(text=texts), embeddings=emb)


def test_duplicate_ids_are_refused_with_the_rows_that_share_them(synthetic):
    from trends import InputError

    frame, emb, _ = synthetic
    ids = frame.doc_id.tolist()
    ids[9] = ids[2]
    with pytest.raises(
        InputError, match=rf"doc_id must be unique: '{ids[2]}' is the id of rows 2, 9 "
    ):
        ThemeModel(verbose=False).fit(frame.assign(doc_id=ids), embeddings=emb)
    # Without ids the papers are numbered: the same texts fit.
    model = ThemeModel(verbose=False).fit(frame.drop(columns="doc_id"), embeddings=emb)
    assert len(model.labels_) == len(frame)


def test_tfidf_on_given_vectors_saves_and_does_not_embed_new_texts_elsewhere(synthetic, tmp_path):
    """Its TF-IDF was never fitted: save works, new texts need their vectors."""
    import trends
    from trends import InputError

    frame, emb, _ = synthetic
    model = ThemeModel(embedding="tfidf", verbose=False).fit(frame, embeddings=emb)
    path = tmp_path / "given.npz"
    model.save(path)
    for m in (model, ThemeModel.load(path)):
        with pytest.raises(InputError, match="fitted on embeddings it was given"):
            m.predict(frame.head(5))
        with pytest.raises(InputError, match="fitted on embeddings it was given"):
            m.embed(frame.head(5))
        with pytest.raises(InputError, match="it was given.*watch-list's phrases"):
            trends.watch(frame, ["quantum circuits"], model=m)
        assert (m.predict(frame, embeddings=emb) == model.labels_).mean() > 0.9
    model.save(path)  # the failed calls fitted nothing either
    assert not ThemeModel.load(path).embedder_.fitted


def test_bad_embeddings_are_one_clear_error(fitted):
    from trends import InputError

    model, frame, emb, _ = fitted
    broken = emb.copy()
    broken[5, 0] = np.inf
    with pytest.raises(InputError, match="row 5 holds NaN or infinity"):
        ThemeModel(verbose=False).fit(frame, embeddings=broken)
    with pytest.raises(InputError, match="must be a 2-D array"):
        ThemeModel(verbose=False).fit(frame, embeddings=emb[0])
    with pytest.raises(InputError, match="dimensions but the model's themes"):
        model.predict(None, embeddings=np.ones((2, emb.shape[1] + 3)))


def test_no_papers_to_place_is_an_empty_answer(fitted):
    model, frame, emb, _ = fitted
    assert model.predict([]).shape == (0,)
    assert model.predict(frame.head(0)).shape == (0,)
    assert model.transform([]).shape == (0, model.n_themes_)


def test_a_model_fitted_on_texts_reports_on_them(synthetic, tmp_path):
    import trends

    frame, emb, _ = synthetic
    texts = frame.text.tolist()
    model = ThemeModel(verbose=False).fit(texts, embeddings=emb)
    table = model.paper_info(texts)
    assert table.theme_id.tolist() == model.labels_.tolist() and len(table) == len(texts)
    for corpus in (texts, None):
        path = trends.write_report(model, corpus, tmp_path / "r.html")
        assert f"{len(texts)} papers" in path.read_text()


def test_a_fit_without_themes_warns_and_has_nothing_to_group(synthetic):
    from trends import InputError

    frame, emb, _ = synthetic
    with pytest.warns(UserWarning, match="no theme found"):
        model = ThemeModel(min_cluster_size=len(frame) + 1, verbose=False).fit(
            frame, embeddings=emb
        )
    assert model.n_themes_ == 0
    with pytest.raises(InputError, match="nothing to group"):
        model.themes_at(1)


def test_the_apis_bad_input_is_a_trends_error_naming_it(fitted):
    """Each was a built-in or library exception (a traceback the CLI would not catch)."""
    import trends
    from trends import InputError, frames

    model, frame, emb, _ = fitted
    cases = [
        (lambda: model.paper_info(frame.head(60)), "fitted on"),
        (lambda: trends.theme_trends(model), "a corpus is required"),
        (lambda: trends.theme_trends(model, frame.text.tolist()), "must be the table from"),
        (lambda: frames.theme_papers(model, frame, 99), "theme_id 99 is not a theme"),
        (
            lambda: ThemeModel(verbose=False).fit(
                pd.concat([frame, frame[["text"]]], axis=1), embeddings=emb
            ),
            "several columns named 'text'",
        ),
        (
            lambda: ThemeModel(verbose=False).fit(frame, embeddings=np.zeros((len(frame), 0))),
            "0 dimensions",
        ),
        (
            lambda: trends.theme_trends(
                model,
                frame.assign(published=frame.published.astype(str).where(frame.index != 7, "n.d.")),
            ),
            "row 7 holds 'n.d.', which is not a date",
        ),
    ]
    for call, message in cases:
        with pytest.raises(InputError, match=message):
            call()
    assert model.embed([]).shape == (0, emb.shape[1])
    # Periods are dates too.
    as_periods = frame.assign(published=frame.published.dt.tz_localize(None).dt.to_period("D"))
    pd.testing.assert_frame_equal(
        trends.theme_trends(model, as_periods), trends.theme_trends(model, frame)
    )


def test_vectors_of_any_length_are_scaled_to_unit_length(fitted):
    """1e30 overflowed float32's squares (0 themes), 1e-30 underflowed them."""
    from trends import InputError
    from trends.fit import unit_rows

    model, frame, emb, _ = fitted
    for scale in (1e30, 1e-30):
        scaled = unit_rows(emb * scale)
        assert np.allclose(scaled, unit_rows(emb), atol=1e-6)
        assert np.allclose(np.linalg.norm(scaled, axis=1), 1.0, atol=1e-6)
    assert np.array_equal(unit_rows(emb), unit_rows(emb.astype(np.float64)))  # bits kept
    with pytest.raises(InputError, match="real numbers, got complex"):
        unit_rows(emb + 1j)  # was cast to float32, the imaginary part dropped
    big = ThemeModel(verbose=False).fit(frame, embeddings=emb * 1e30)
    assert adjusted_rand_score(big.labels_, model.labels_) > 0.99


def test_keywords_and_naming_show_progress_and_the_same_themes(tmp_path, synthetic, capsys):
    """After the clustering's bars, keywords and names (a minute or more on 40,717 papers
    with 2 cores) ran silently; each stage now has its bar, and the bars change nothing."""
    frame, _, _ = synthetic
    quiet = ThemeModel(embedding="static", n_runs=3, cache_dir=tmp_path, verbose=False)
    quiet.fit(frame)
    assert capsys.readouterr().err == ""
    loud = ThemeModel(embedding="static", n_runs=3, cache_dir=tmp_path, verbose=True)
    loud.fit(frame)
    err = capsys.readouterr().err
    for bar in ("Keywords", "Name candidates", "Naming themes", "Theme tree"):
        assert f"{bar}: 100%" in err, (bar, err[-2000:])
    assert f"Keywords: 100%|██████████| {len(frame)}/{len(frame)}" in err
    assert np.array_equal(quiet.labels_, loud.labels_)
    pd.testing.assert_frame_equal(quiet.themes_, loud.themes_)
    pd.testing.assert_frame_equal(quiet.hierarchy_, loud.hierarchy_)


def test_new_texts_for_a_model_fitted_on_vectors_of_another_size_are_refused_clearly(synthetic):
    """Fitted on 32-d vectors it was given, with the 256-d static backend: predict of new
    texts, transform and watch ended in numpy's 'matmul: ... mismatch in its core dimension'."""
    import trends

    frame, emb, _ = synthetic
    model = ThemeModel(embedding="static", n_runs=3, verbose=False).fit(frame, embeddings=emb)
    for call in (model.predict, model.transform):
        with pytest.raises(InputError, match="fitted on 32-dimensional embeddings.*gives 256"):
            call(frame.head(3))
    with pytest.raises(InputError, match="32-dimensional") as refused:
        trends.watch(frame, ["quantum circuits"], model=model)
    # It is the phrases that cannot be embedded: no advice to pass papers' embeddings.
    assert "watch-list's phrases" in str(refused.value)
    assert "predict(" not in str(refused.value)
    # also when the corpus holds papers the fit did not see (embedded before the phrases)
    new = frame.head(3).assign(doc_id=lambda f: "new-" + f.doc_id)
    with pytest.raises(InputError, match="watch-list's phrases") as refused:
        trends.watch(pd.concat([frame, new]), ["quantum circuits"], model=model)
    assert "predict(" not in str(refused.value)
    assert model.predict(frame.head(3), embeddings=emb[:3]).shape == (3,)  # the way it works


def test_saving_a_model_under_a_file_or_onto_a_folder_is_a_model_file_error(fitted, tmp_path):
    from trends.errors import ModelFileError

    model = fitted[0]
    (tmp_path / "a.npz").write_bytes(b"x")
    with pytest.raises(ModelFileError, match="a.npz is a file, not a folder"):
        model.save(tmp_path / "a.npz" / "model.npz")
    with pytest.raises(ModelFileError, match="is a folder"):
        model.save(tmp_path)


def test_a_paper_with_a_zero_vector_is_an_outlier_and_said(synthetic):
    """A static backend that knows none of a paper's words gives a zero vector; the paper
    was put in a theme (closeness 0.0), also with reduce_outliers=True."""
    frame, emb, _ = synthetic
    emb = np.array(emb, dtype=np.float32)
    emb[[3, 50]] = 0.0
    for reduce in ("auto", True):
        with pytest.warns(UserWarning, match="2 paper\\(s\\) have an embedding of length zero"):
            model = ThemeModel(verbose=False, n_runs=3, reduce_outliers=reduce)
            model.fit(frame, embeddings=emb)
        assert (model.labels_[[3, 50]] == -1).all()
        assert (np.delete(model.labels_, [3, 50]) >= 0).all() or reduce == "auto"
        assert sorted(set(model.labels_) - {-1}) == list(range(model.n_themes_))
    # a sampled fit places the papers outside its sample: a zero vector joins no theme
    # there either, whatever the threshold (reduce_outliers=True places every other one)
    sampled = ThemeModel(verbose=False, n_runs=3, reduce_outliers=True, sample_size=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sampled.fit(frame, embeddings=emb)
    rest = np.setdiff1d(np.arange(len(frame)), sampled.fit_.fit_rows)
    assert set(rest) & {3, 50}  # the case: a zero vector among the placed papers
    assert (sampled.labels_[[3, 50]] == -1).all()
    assert (np.delete(sampled.labels_, [3, 50]) >= 0).all()


def test_fits_in_parallel_threads_give_the_same_themes_as_one_after_the_other():
    # The stemmer of the theme names keeps the word it works on in itself: one shared by
    # two threads stemmed the other thread's words (IndexError deep in snowballstemmer).
    from concurrent.futures import ThreadPoolExecutor

    from trends.datasets import trending_papers

    corpus = trending_papers()

    def fit(seed):
        model = ThemeModel(embedding="static", verbose=False, random_state=seed, n_runs=2)
        return model.fit(corpus)

    # In parallel first: the stems of one fit are cached for the next.
    with ThreadPoolExecutor(2) as pool:
        together = list(pool.map(fit, (1, 2)))
    alone = [fit(seed) for seed in (1, 2)]
    for one, other in zip(alone, together, strict=True):
        np.testing.assert_array_equal(one.labels_, other.labels_)
        assert one.themes_["name"].tolist() == other.themes_["name"].tolist()


class _Frame:
    """A table of another library (as polars'): iterating it gives its columns."""

    def __init__(self, table, fail=False):
        self.table, self.fail = table, fail

    def __iter__(self):
        return iter(self.table.columns)

    def to_pandas(self):
        if self.fail:
            raise ModuleNotFoundError("No module named 'pyarrow'")
        return self.table


def test_tables_of_other_libraries_are_read_as_pandas():
    from trends.model import as_corpus

    pa = pytest.importorskip("pyarrow")
    texts = [f"paper {i} about topic {i % 3}" for i in range(12)]
    frame = pd.DataFrame({"doc_id": [f"p{i}" for i in range(12)], "text": texts})
    # before: each column's name (or printout) became one "paper"
    for table in (_Frame(frame), pa.Table.from_pandas(frame)):
        read = as_corpus(table)
        assert read["text"].tolist() == texts and read["doc_id"].tolist() == frame.doc_id.tolist()
    with pytest.raises(InputError, match=r"_Frame and its to_pandas\(\) failed .*pyarrow.*convert"):
        as_corpus(_Frame(frame, fail=True))


@pytest.mark.parametrize(
    "corpus, message",
    [
        ({"text": ["a paper"] * 12}, "got a dict .*keys would be the texts.*DataFrame"),
        (np.ones((12, 8)), r"numpy.ndarray of numbers of shape \(12, 8\).*embeddings="),
        (np.array([["a paper"]] * 12), r"shape \(12, 1\): pass one text per paper"),
        ([b"Large-scale models"] * 12, "text 0 of the corpus is a bytes, not text: decode"),
        (["a paper", 3.5] * 6, "text 1 of the corpus is a float .*embeddings="),
        (pd.Series(range(12)), "pandas.Series of numbers"),
    ],
)
def test_what_is_not_a_list_of_texts_is_refused_not_printed(corpus, message):
    with pytest.raises(InputError, match=message):
        ThemeModel(embedding="tfidf", verbose=False).fit(corpus)


def test_lists_arrays_and_series_of_texts_are_still_texts():
    from trends.model import as_corpus

    texts = ["alpha beta", "gamma delta", "epsilon"]
    containers = [texts, tuple(texts), iter(texts), np.array(texts), np.array(texts, object)]
    containers += [pd.Series(texts), pd.Index(texts), pd.Series(texts, dtype="string")]
    for corpus in containers:
        assert as_corpus(corpus)["text"].tolist() == texts


@pytest.mark.parametrize(
    "texts",
    [
        ["🚀🔥 " * (i % 5 + 1) for i in range(30)],
        ["?! ... ;-)" * (i % 4 + 1) for i in range(30)],
        ["the of and " * (i % 3 + 1) for i in range(30)],
    ],
)
def test_papers_without_a_single_word_are_refused_before_any_work(texts, monkeypatch):
    # before: "ValueError: empty vocabulary" from CountVectorizer, after the clustering
    import trends.embed

    def no_embedding(*args, **kwargs):
        raise AssertionError("embedded papers that could never be described")

    monkeypatch.setattr(trends.embed, "resolve_embedder", no_embedding)
    with pytest.raises(InputError, match="none of the 30 papers has a word"):
        ThemeModel(embedding="static", verbose=False).fit(texts)


def test_keywords_of_papers_without_a_word_say_so():
    from trends.describe import keywords

    with pytest.raises(InputError, match="none of the 12 papers has a word"):
        keywords(["🚀 !"] * 12, np.zeros(12, dtype=int))


def test_a_sampled_fit_keeps_the_theme_size_cap():
    # before: the papers placed after a fit on a sample took a theme to 53 papers where
    # params_.max_cluster_size said 50 (31 sampled + 22 placed)
    model = ThemeModel(embedding="static", sample_size=100, n_runs=3, verbose=False)
    model.fit(trends.datasets.trending_papers())
    sizes = np.bincount(model.labels_[model.labels_ >= 0])
    assert model.params_.max_cluster_size == 50  # a quarter of 192, at least MIN_CAP
    assert sizes.max() <= 50 and sizes.max() == model.themes_["size"].max()
