"""The Ray engine, in local mode: same vectors, same themes, sampling, the cache, the CLI."""

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import THEME_WORDS, synthetic_corpus
from sklearn.metrics import adjusted_rand_score
from typer.testing import CliRunner

import trends
from trends.embed import EmbeddingCache, embed_texts
from trends.engine import EngineError, sample_rows

pytestmark = pytest.mark.ray


class StandIn:
    """A cacheable backend whose vector depends on the text only: the synthetic corpus's
    planted vector where it has one, else the text's words hashed to 32 dimensions."""

    identity = "stand-in/planted-or-hashed-32"
    cacheable = True

    def __init__(self, table=None):
        self.table = table or {}

    def encode(self, texts, *, progress=True):
        from sklearn.feature_extraction.text import HashingVectorizer

        hashed = HashingVectorizer(n_features=32, alternate_sign=False, norm="l2")
        rows = hashed.transform(list(texts)).toarray().astype(np.float32)
        for i, text in enumerate(texts):
            if text in self.table:
                rows[i] = self.table[text]
        return rows


def planted(*corpora):
    """The stand-in backend knowing the planted vectors of ``synthetic_corpus`` outputs."""
    table = {}
    for frame, emb, _ in corpora:
        table.update(zip(frame.text, emb.astype(np.float32), strict=True))
    return StandIn(table)


class Refuses(StandIn):
    """The same identity, but embedding anything is an error: the cache must serve all."""

    def encode(self, texts, *, progress=True):
        raise AssertionError(f"asked to embed {len(texts)} texts that should be cached")


@pytest.fixture(scope="module")
def ray_local():
    """Ray in local mode on 2 CPUs for this module; in CI a missing Ray is a failure."""
    try:
        import ray
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("Ray is not installed: CI installs it with the test extra")
        pytest.skip("Ray is not installed (pip install 'trends[ray]')")
    # Workers cannot import this test module: send its stand-in backends by value.
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="warning")
    yield ray
    ray.shutdown()
    ray.cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


# Six themes: with four, a random sample easily holds more than a quarter of the papers
# in one of them, the largest a theme may be.
SIX = dict(
    THEME_WORDS,
    climate="carbon emission warming ocean temperature glacier rainfall drought",
    markets="price market trading stock volatility inflation bond equity",
)
SYNTHETIC = synthetic_corpus(n_per_theme=40, seed=3, themes=SIX)
FIRST_DAY = synthetic_corpus(n_per_theme=40, seed=5)
NEXT_DAY = synthetic_corpus(n_per_theme=10, seed=5, noise_seed=9)
BACKEND = planted(SYNTHETIC, FIRST_DAY, NEXT_DAY)


@pytest.fixture(scope="module")
def corpus():
    frame, _, truth = SYNTHETIC
    return frame, truth


def model(**kwargs):
    kwargs.setdefault("embedding", BACKEND)
    kwargs.setdefault("verbose", False)
    return trends.ThemeModel(**kwargs)


# -- without Ray running --------------------------------------------------------------------


def test_importing_the_package_and_the_cli_does_not_import_ray():
    script = (
        "import sys, trends, trends.model, trends.engine, trends.cli\n"
        "trends.ThemeModel(engine='ray')\n"
        "print('ray' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"


def test_bad_engine_settings_are_named(corpus):
    frame, _ = corpus
    with pytest.raises(trends.InputError, match=r"engine must be one of \('local', 'ray'\)"):
        model(engine="spark").fit(frame)
    with pytest.raises(trends.InputError, match="needs engine='ray'"):
        model(ray_address="auto").fit(frame)
    with pytest.raises(trends.InputError, match="sample_size must be an integer"):
        model(sample_size=0).fit(frame)
    with pytest.raises(trends.InputError, match="fitted on the whole corpus"):
        trends.ThemeModel(embedding="tfidf", engine="ray", verbose=False).fit(frame)


def test_engine_parameters_follow_the_estimator_contract():
    from sklearn.base import clone

    m = trends.ThemeModel(engine="ray", ray_address="auto", sample_size=5000)
    params = clone(m).get_params()
    assert (params["engine"], params["ray_address"], params["sample_size"]) == (
        "ray",
        "auto",
        5000,
    )


def test_a_missing_ray_names_the_install(monkeypatch, corpus, tmp_path):
    frame, _ = corpus
    for name in [m for m in sys.modules if m == "ray" or m.startswith("ray.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    with pytest.raises(EngineError, match=r"pip install 'trends\[ray\]'"):
        model(engine="ray", cache_dir=tmp_path).fit(frame)
    path = tmp_path / "papers.jsonl"
    frame.drop(columns="published").to_json(path, orient="records", lines=True)
    from trends.cli import app

    result = CliRunner().invoke(app, ["themes", str(path), "--engine", "ray", "--quiet"])
    assert result.exit_code == 2
    assert "pip install 'trends[ray]'" in result.output


def test_sample_rows_are_seeded_and_only_when_larger():
    assert sample_rows(100, 100, 0) is None and sample_rows(100, None, 0) is None
    a, b = sample_rows(1000, 300, 7), sample_rows(1000, 300, 7)
    assert np.array_equal(a, b) and len(np.unique(a)) == 300 and np.all(np.diff(a) > 0)
    assert not np.array_equal(a, sample_rows(1000, 300, 8))


def test_a_sampled_fit_places_the_rest_as_the_fit_places_its_outliers(corpus):
    from trends.cluster import place
    from trends.fit import member_thresholds

    frame, truth = corpus
    fitted = model(sample_size=150, cache_dir=False).fit(frame)
    rows = sample_rows(len(frame), 150, fitted.random_state)
    assert np.array_equal(fitted.fit_.fit_rows, rows)
    rest = np.setdiff1d(np.arange(len(frame)), rows)
    assert len(fitted.labels_) == len(frame) and fitted.embeddings_.shape[0] == len(frame)
    # the nearest theme, if as close as that theme's least typical sampled paper
    sampled = fitted.embeddings_[rows], fitted.labels_[rows], fitted.centroids_
    limits = member_thresholds(*sampled, q=0.0)
    assert np.array_equal(fitted.labels_[rest], place(fitted.embeddings_[rest], sampled[2], limits))
    assert fitted.themes_["size"].sum() == len(frame)
    assert (fitted.runs_[:, rest] == -1).all()
    assert adjusted_rand_score(truth, fitted.labels_) > 0.9
    # reduce_outliers=True places every paper
    every = model(sample_size=150, cache_dir=False, reduce_outliers=True).fit(frame)
    assert (every.labels_ >= 0).all()
    assert "placement" in every.timings_


def test_a_sampled_fit_names_its_themes_once_from_all_papers(corpus, monkeypatch):
    """The sample's themes were named from the sample, then again from all papers: the
    first naming (minutes on a large sample) was thrown away."""
    from trends import naming

    frame, _ = corpus
    read = []
    real = naming.phrase_counts
    monkeypatch.setattr(
        naming, "phrase_counts", lambda texts, **kw: read.append(len(texts)) or real(texts, **kw)
    )
    fitted = model(sample_size=150, cache_dir=False).fit(frame)
    assert read == [len(frame)]
    assert {"names", "placement"} <= set(fitted.timings_)
    assert not fitted.hierarchy_.empty and len(fitted.hierarchy_) == 2 * fitted.n_themes_ - 1


def test_a_sample_too_small_for_any_theme_says_so(corpus):
    frame, _ = corpus
    with pytest.warns(UserWarning, match="no theme found") as caught:
        fitted = model(sample_size=10, cache_dir=False).fit(frame)
    assert fitted.fit_.n_themes == 0
    (message,) = [str(w.message) for w in caught if "no theme found" in str(w.message)]
    assert f"a sample of 10 of the {len(frame)} papers (sample_size=10), too few" in message
    assert "give a larger sample_size" in message and "lower them" not in message


class NeedsTwo(Exception):
    """An error that does not rebuild from its message (its pickle does not load)."""

    def __init__(self, what, why):
        super().__init__(f"{what}: {why}")


def test_a_workers_error_that_cannot_be_sent_as_itself_is_named():
    from trends.engine.ray_engine import _failure_batch, _raise_failure

    with pytest.raises(EngineError, match=r"^NeedsTwo on a Ray worker: model: gone$"):
        _raise_failure(_failure_batch(np.arange(3), NeedsTwo("model", "gone")))
    with pytest.raises(FileNotFoundError, match="FileNotFoundError on a Ray worker") as caught:
        _raise_failure(_failure_batch(np.arange(3), FileNotFoundError(2, "no vocab.txt")))
    assert isinstance(caught.value, EngineError)
    assert type(caught.value.__cause__) is FileNotFoundError


def test_a_workers_error_as_raised_here_can_be_pickled_and_keeps_its_errno():
    # a caller in a process pool (or its own Ray task) pickles the error it catches
    import pickle

    from trends.engine.ray_engine import _failure_batch, _raise_failure

    for original in (ValueError("bad batch"), FileNotFoundError(2, "no vocab.txt", "/m/v")):
        with pytest.raises(EngineError) as caught:
            _raise_failure(_failure_batch(np.arange(3), original))
        error = caught.value
        error.detail = "kept"
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error) and str(again) == str(error)
        assert isinstance(again, type(original)) and again.detail == "kept"
    assert (error.errno, error.filename) == (2, "/m/v")  # before: None, None
    assert (again.errno, again.filename) == (2, "/m/v")
    # other built-in exceptions keep their fields in slots too
    for original, fields in (
        (StopIteration(3), {"value": 3}),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad byte"), {"start": 0, "end": 1}),
        (SyntaxError("bad", ("f.py", 3, 4, "x = ", 3, 5)), {"lineno": 3, "filename": "f.py"}),
    ):
        with pytest.raises(EngineError) as caught:
            _raise_failure(_failure_batch(np.arange(3), original))
        again = pickle.loads(pickle.dumps(caught.value))
        for name, value in fields.items():
            assert getattr(caught.value, name) == value == getattr(again, name), name


def test_a_fit_on_all_papers_records_all_rows(corpus):
    frame, _ = corpus
    fitted = model(cache_dir=False).fit(frame)
    assert np.array_equal(fitted.fit_.fit_rows, np.arange(len(frame)))


# -- on Ray -----------------------------------------------------------------------------


def test_ray_vectors_are_the_single_process_vectors_and_fill_the_cache(ray_local, tmp_path):
    from trends.engine.ray_engine import RayEngine

    texts = [f"paper {i} on {'qubit' if i % 3 else 'protein'} {i % 11}" for i in range(700)]
    texts += texts[:5]  # repeats are embedded once
    cache = EmbeddingCache(tmp_path)
    on_ray = RayEngine().embed(texts, StandIn(), cache)
    here = embed_texts(texts, StandIn(), None, progress=False)
    assert on_ray.dtype == np.float32 and np.array_equal(on_ray, here)
    again = embed_texts(texts, Refuses(), EmbeddingCache(tmp_path), progress=False)
    assert np.array_equal(again, here)


def test_ray_fit_gives_the_local_themes(ray_local, corpus, tmp_path):
    frame, _ = corpus
    local = model(cache_dir=tmp_path / "a").fit(frame)
    on_ray = model(engine="ray", cache_dir=tmp_path / "b").fit(frame)
    assert np.array_equal(local.embeddings_, on_ray.embeddings_)
    assert np.array_equal(local.labels_, on_ray.labels_)
    pd.testing.assert_frame_equal(local.themes_, on_ray.themes_)
    # The workers filled the cache: the next fit embeds nothing.
    cached = model(embedding=Refuses(BACKEND.table), cache_dir=tmp_path / "b").fit(frame)
    assert np.array_equal(cached.labels_, local.labels_)


def test_ray_sampled_fit_places_on_the_workers_as_locally(ray_local, corpus, tmp_path):
    frame, truth = corpus
    local = model(sample_size=150, cache_dir=tmp_path / "a").fit(frame)
    on_ray = model(engine="ray", sample_size=150, cache_dir=tmp_path / "b").fit(frame)
    assert np.array_equal(local.labels_, on_ray.labels_)
    assert np.array_equal(local.centroids_, on_ray.centroids_)
    assert adjusted_rand_score(truth, on_ray.labels_) > 0.9
    assert set(on_ray.timings_) >= {"embedding", "placement"}
    # All papers, sampled or placed on the workers, are in the cache.
    assert all(
        v is not None
        for v in EmbeddingCache(tmp_path / "b").get(StandIn.identity, frame.text.tolist())
    )


def test_store_update_on_ray(ray_local, tmp_path):
    from trends.store import Store

    first, second = FIRST_DAY[0], NEXT_DAY[0].assign(doc_id="new-" + NEXT_DAY[0].doc_id)
    results = {}
    for engine in ("local", "ray"):
        with Store(tmp_path / f"{engine}.sqlite", cache_dir=tmp_path / engine) as store:
            store.update(first, model=model(engine=engine), verbose=False)
            update = store.update(second, model=model(engine=engine), verbose=False)
            results[engine] = (update.n_new, store.assignments().sort_values("doc_id"))
    assert results["ray"][0] == len(second)
    pd.testing.assert_frame_equal(results["local"][1], results["ray"][1])


QUIET_RUN = """
import numpy as np
from trends.engine.ray_engine import RayEngine

class Lengths:
    identity = "lengths-4"
    cacheable = True

    def encode(self, texts, *, progress=True):
        return np.array([[len(t), 1, 2, 3] for t in texts], dtype=np.float32)

print(RayEngine().embed([f"paper {i}" for i in range(300)], Lengths(), None).shape)
"""


def test_a_run_that_starts_ray_prints_no_notice_of_its_defaults(tmp_path):
    """Ray's notice that a local instance has token authentication is not shown."""
    env = {k: v for k, v in os.environ.items() if k not in ("RAY_AUTH_MODE", "RAY_ADDRESS")}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    # Its own process: the notice comes from trends' own ray.init, on a local instance.
    run = subprocess.run(
        [sys.executable, "-c", QUIET_RUN], capture_output=True, text=True, env=env, cwd=root
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "(300, 4)"
    assert "Token authentication is enabled" not in run.stderr, run.stderr


def test_only_that_notice_is_dropped_and_only_while_ray_starts():
    import logging

    from trends.engine.ray_engine import _without_auth_notice

    logger = logging.getLogger("ray._private.authentication.authentication_token_setup")
    seen = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    logger.addHandler(handler)
    try:
        with _without_auth_notice():
            logger.warning("Token authentication is enabled for this Ray cluster. Set ...")
            logger.warning("Token authentication is disabled for this Ray cluster. Anyone ...")
            logger.error("a real error")
        logger.warning("Token authentication is enabled for this Ray cluster. Set ...")
    finally:
        logger.removeHandler(handler)
    assert [m.split(" for ")[0] for m in seen] == [
        "Token authentication is disabled",
        "a real error",
        "Token authentication is enabled",
    ]


class Broken(StandIn):
    """A backend that cannot load its model on a worker."""

    identity = "stand-in/broken"

    def load(self):
        from trends.errors import EmbeddingError

        raise EmbeddingError("the embedding model is missing on this node")

    def encode(self, texts, *, progress=True):
        self.load()


def test_a_failure_on_a_worker_is_reported_as_itself(ray_local, corpus, tmp_path):
    frame, _ = corpus
    with pytest.raises(trends.TrendsError, match="missing on this node") as caught:
        model(embedding=Broken(), engine="ray", cache_dir=tmp_path).fit(frame)
    assert type(caught.value).__name__ == "EmbeddingError"


class SlowHere(StandIn):
    """A backend that warns as it loads, and as it embeds, on each worker."""

    identity = "stand-in/slow-here"

    def load(self):
        import warnings

        warnings.warn("slow on this CPU (no avx512_bf16)", UserWarning, stacklevel=1)

    def encode(self, texts, *, progress=True):
        import warnings

        warnings.warn("an encode-time warning", RuntimeWarning, stacklevel=1)
        return super().encode(texts, progress=progress)


def test_the_workers_warnings_are_shown_once_on_the_driver(ray_local):
    import warnings

    from trends.engine.ray_engine import RayEngine

    texts = [f"paper {i} on qubits" for i in range(600)]  # 3 batches, 2 workers
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        RayEngine().embed(texts, SlowHere(), None)
    ours = [(w.category, str(w.message)) for w in caught if w.filename == __file__]
    assert sorted(ours, key=str) == [
        (RuntimeWarning, "an encode-time warning"),
        (UserWarning, "slow on this CPU (no avx512_bf16)"),
    ]


def test_the_bfloat16_warning_the_workers_gave_is_not_repeated_by_the_driver(monkeypatch):
    import warnings

    from trends.embed import SentenceTransformerEmbedder, backends
    from trends.engine.ray_engine import warned

    class Model:  # what _with_precision needs of a loaded model
        device = "cpu"

        def to(self, dtype):
            return self

    monkeypatch.setattr(backends, "cpu_has_bf16", lambda: False)
    here = SentenceTransformerEmbedder(precision="bfloat16", device="cpu")
    with pytest.warns(UserWarning, match="bfloat16 runs slower"):
        here._with_precision(Model())
    told = SentenceTransformerEmbedder(precision="bfloat16", device="cpu")
    warned(told).add(backends.SLOW_BF16)  # as `_warn_again` does for its workers' warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        here._with_precision(Model())  # said once per backend
        told._with_precision(Model())  # the driver loads it to name the themes


class Picky(StandIn):
    """A backend of one's own that refuses the texts with its own error."""

    identity = "stand-in/picky"

    def encode(self, texts, *, progress=True):
        raise ValueError(f"Picky cannot embed these {len(texts)} texts")


def test_a_backends_own_error_on_a_worker_arrives_as_its_type_and_message(
    ray_local, corpus, tmp_path, capsys
):
    import typer

    from trends.cli import _guard

    frame, _ = corpus
    with pytest.raises(ValueError, match="Picky cannot embed these") as caught:
        model(embedding=Picky(), engine="ray", cache_dir=tmp_path).fit(frame)
    error = caught.value
    assert str(error) == "ValueError on a Ray worker: Picky cannot embed these 240 texts"
    cause = error.__cause__  # the worker's exception itself, with its traceback as a note
    assert type(cause) is ValueError and str(cause) == "Picky cannot embed these 240 texts"
    assert "in encode" in cause.__notes__[0]
    # A TrendsError too: one line at the command line, exit status 2.
    assert isinstance(error, trends.TrendsError)

    @_guard
    def command():
        raise error

    with pytest.raises(typer.Exit) as stopped:
        command()
    assert stopped.value.exit_code == 2
    assert capsys.readouterr().err == (
        "trends: error: ValueError on a Ray worker: Picky cannot embed these 240 texts\n"
    )


@pytest.mark.slow
def test_real_minilm_through_the_actor_pool_matches_one_process(ray_local, tmp_path):
    from trends.embed import SentenceTransformerEmbedder
    from trends.engine.ray_engine import RayEngine

    texts = trends.datasets.trending_papers().text.astype(str).tolist()[:48]
    on_ray = RayEngine().embed(texts, SentenceTransformerEmbedder(), EmbeddingCache(tmp_path))
    here = embed_texts(texts, SentenceTransformerEmbedder(), None, progress=False)
    # The same batches, so the same padding: the same numbers, not merely close ones.
    assert on_ray.shape == (48, 384)
    assert np.array_equal(on_ray, here)


def test_an_address_that_does_not_answer_is_refused_at_once(corpus, tmp_path):
    """ray.init retries an unreachable address for about ten minutes; trends asks first."""
    from trends.cli import app
    from trends.engine.ray_engine import _check_reachable

    frame, _ = corpus
    path = tmp_path / "papers.jsonl"
    frame.drop(columns="published").to_json(path, orient="records", lines=True)
    args = ["themes", str(path), "--engine", "ray", "--ray-address", "127.0.0.1:1", "-q"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "could not reach Ray at 127.0.0.1:1" in result.output
    assert len(result.output.strip().splitlines()) == 1
    with pytest.raises(EngineError, match="could not reach Ray at ray://127.0.0.1:1"):
        _check_reachable("ray://127.0.0.1:1")
    with pytest.raises(EngineError, match="nosuchhost.invalid"):
        _check_reachable("nosuchhost.invalid:6379")
    _check_reachable("auto")  # not an address to try: ray.init judges it
