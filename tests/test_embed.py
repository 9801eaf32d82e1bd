"""Embedding backends and the on-disk cache."""

import numpy as np
import pytest

from trends.embed import EmbeddingCache, TfidfEmbedder, embed_texts, resolve_embedder
from trends.embed.backends import SentenceTransformerEmbedder


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
    with pytest.raises(TypeError, match="embedding must be"):
        resolve_embedder(3.5)


def test_missing_model_path_says_what_to_do(tmp_path):
    backend = SentenceTransformerEmbedder(str(tmp_path / "no-such-model"))
    with pytest.raises(RuntimeError, match="could not load the embedding model.*tfidf"):
        backend.encode(["a text"])
