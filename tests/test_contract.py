"""ThemeModel follows scikit-learn's estimator contract; its state is one fit result."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.utils.validation import check_is_fitted

from trends import InputError, ThemeModel
from trends.fit import ThemeFit


class LookUp:
    """A stand-in embedding backend: each synthetic text's planted vector."""

    cacheable = False
    identity = "look-up"

    def __init__(self, frame, emb):
        self.table = dict(zip(frame.text, emb, strict=True))

    def encode(self, texts, *, progress=True):
        return np.vstack([self.table[t] for t in texts])


@pytest.fixture(scope="module")
def fitted(synthetic):
    frame, emb, truth = synthetic
    return ThemeModel(verbose=False).fit(frame, embeddings=emb), frame, emb, truth


def test_unfitted_model_has_no_fitted_attributes():
    model = ThemeModel()
    assert not hasattr(model, "labels_")
    assert not hasattr(model, "n_themes_") and not hasattr(model, "coords_")
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    with pytest.raises(NotFittedError):
        model.predict(["a paper"])
    with pytest.raises(NotFittedError):
        model.save("never.trends")


def test_clone_and_params():
    model = ThemeModel(min_cluster_size=7, random_state=3, n_runs=2)
    twin = clone(model)
    assert twin is not model and twin.get_params() == model.get_params()
    assert repr(model) == "ThemeModel(min_cluster_size=7, n_runs=2, random_state=3)"
    twin.set_params(random_state=5)
    assert model.random_state == 3
    with pytest.raises(ValueError, match="Invalid parameter"):
        model.set_params(colour="blue")


def test_fitted_state_comes_from_one_fit_result(fitted):
    model, *_ = fitted
    check_is_fitted(model)
    assert isinstance(model.fit_, ThemeFit)
    assert model.labels_ is model.fit_.labels and model.themes_ is model.fit_.themes
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.fit_.labels = None
    # the docstring lists every fitted attribute
    doc = ThemeModel.__doc__
    fitted_names = [a for a in vars(model) if a.endswith("_")] + ["n_themes_", "coords_"]
    for name in fitted_names:
        assert f"\n    {name} :" in doc, name


def test_fit_accepts_and_ignores_y(synthetic):
    frame, emb, truth = synthetic
    texts = frame.text.tolist()
    model = ThemeModel(embedding=LookUp(frame, emb), verbose=False).fit(texts, truth)
    assert model.n_themes_ == 4
    labels = ThemeModel(embedding=LookUp(frame, emb), verbose=False).fit_predict(texts, truth)
    assert np.array_equal(labels, model.labels_)


@pytest.mark.parametrize("method", ["fit", "fit_predict"])
def test_embeddings_given_as_y_are_refused_not_ignored(synthetic, method):
    # before: fit(texts, E) put E into y and embedded the texts itself
    frame, emb, _ = synthetic
    model = ThemeModel(embedding="static", verbose=False)
    with pytest.raises(InputError, match=rf"{method}\(\) got an array of numbers of shape "):
        getattr(model, method)(frame.text.tolist(), emb)
    with pytest.raises(InputError, match=r"as its second argument .*embeddings="):
        getattr(model, method)(frame.text.tolist(), emb.tolist())
    assert not hasattr(model, "labels_")


def test_predict_gives_ids_transform_gives_similarities(fitted):
    model, frame, emb, _ = fitted
    ids = model.predict(frame, embeddings=emb)
    sims = model.transform(frame, embeddings=emb)
    assert ids.shape == (len(frame),) and sims.shape == (len(frame), model.n_themes_)
    assert np.all(sims <= 1.0 + 1e-6) and np.all(sims >= -1.0 - 1e-6)
    placed = ids >= 0
    assert placed.mean() > 0.9
    assert np.array_equal(sims[placed].argmax(axis=1), ids[placed])
    # an outlier is one below its nearest theme's threshold
    best = sims.argmax(axis=1)
    below = sims[np.arange(len(best)), best] < model.thresholds_[best]
    assert np.array_equal(ids == -1, below)


def test_in_a_pipeline(synthetic):
    frame, emb, truth = synthetic
    texts = frame.text.tolist()
    pipe = Pipeline([("themes", ThemeModel(embedding=LookUp(frame, emb), verbose=False))])
    assert np.array_equal(pipe.fit(texts).predict(texts)[:5], pipe[-1].labels_[:5])
    # similarities to the theme centres as features of a classifier
    clf = make_pipeline(
        ThemeModel(embedding=LookUp(frame, emb), verbose=False), LogisticRegression()
    )
    assert clf.fit(texts, truth).score(texts, truth) > 0.95


def test_a_refit_on_fewer_papers_redraws_the_map(synthetic):
    frame, emb, _ = synthetic
    model = ThemeModel(verbose=False).fit(frame, embeddings=emb)
    first = model.coords_
    assert first.shape == (len(frame), 2)
    half = frame.iloc[::2].reset_index(drop=True)
    model.fit(half, embeddings=emb[::2])
    assert model.coords_.shape == (len(half), 2)
    # the same number of papers, other papers: another map, not the old one
    shifted = frame.iloc[1::2].reset_index(drop=True)
    before = model.coords_
    model.fit(shifted, embeddings=emb[1::2])
    assert model.coords_.shape == before.shape and not np.allclose(model.coords_, before)


def _same(a, b) -> bool:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
        return True
    if isinstance(a, np.ndarray):
        return a.dtype.kind == b.dtype.kind and np.array_equal(a, b)
    return a == b


def test_save_load_round_trips_every_field_of_the_fit(fitted, tmp_path):
    model, *_ = fitted
    assert model.coords_.shape == (len(model.labels_), 2)  # computed once, saved with the fit
    path = tmp_path / "m.trends"
    model.save(path)
    loaded = ThemeModel.load(path)
    for f in dataclasses.fields(ThemeFit):
        assert _same(getattr(model.fit_, f.name), getattr(loaded.fit_, f.name)), f.name
    assert np.array_equal(loaded.coords_, model.coords_)
    assert loaded.get_params() == model.get_params()
    for name in [a for a in vars(model) if a.endswith("_") and a not in {"fit_", "embedder_"}]:
        assert _same(getattr(model, name), getattr(loaded, name)), name


def test_assign_uses_fitted_labels_and_places_new_papers(synthetic):
    frame, emb, _ = synthetic
    seen = frame.iloc[:120].reset_index(drop=True)
    model = ThemeModel(embedding=LookUp(frame, emb), verbose=False).fit(seen)
    assert np.array_equal(model.assign(seen), model.labels_)
    subset = seen.iloc[[5, 0, 9]]
    assert model.training_rows(subset).tolist() == [5, 0, 9]
    assert model.assign(subset).tolist() == model.labels_[[5, 0, 9]].tolist()
    # papers it was not fitted on are placed, as predict places them
    got = model.assign(frame)
    assert np.array_equal(got[:120], model.labels_)
    assert np.array_equal(got[120:], model.predict(frame.iloc[120:]))
    # the same ids with other texts are other papers
    changed = subset.assign(text=["x", "y", "z"])
    assert (model.training_rows(changed) == -1).all()


def test_every_error_kind_the_readme_names_is_beside_trends_error():
    import re
    from pathlib import Path

    import trends

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("error is a `trends.TrendsError`") :][:400]
    kinds = re.findall(r"`(?:trends\.)?(\w+Error)`", section)
    assert {"LoadError", "StoreError", "EngineError", "ModelFileError"} <= set(kinds)
    for kind in kinds:
        assert issubclass(getattr(trends, kind), trends.TrendsError), kind
        assert kind in trends.__all__


def test_trends_load_shows_the_load_functions_parameters_and_doc():
    """inspect.signature(trends.load) gave (*sources, **kwargs): the package is callable."""
    import inspect

    import trends
    from trends.load import load as function

    assert list(inspect.signature(trends.load).parameters) == [
        "sources",
        "format",
        "columns",
        "strict",
    ]
    assert trends.load.__call__.__doc__ == function.__doc__
