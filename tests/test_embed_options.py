"""Named embedding options (``minilm-128``, ``static``) and the device choice."""

import numpy as np
import pytest

from trends.embed import (
    OPTIONS,
    EmbeddingCache,
    SentenceTransformerEmbedder,
    StaticEmbedder,
    TfidfEmbedder,
    embed_texts,
    resolve_embedder,
)
from trends.errors import EmbeddingError, InputError


def _cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


needs_gpu = pytest.mark.skipif(not _cuda(), reason="no CUDA GPU visible to torch here")
needs_no_gpu = pytest.mark.skipif(_cuda(), reason="this machine has a CUDA GPU")


def test_every_named_option_resolves_with_its_own_identity():
    backends = {name: resolve_embedder(name) for name in OPTIONS}
    assert isinstance(backends["minilm"], SentenceTransformerEmbedder)
    assert isinstance(backends["minilm-128"], SentenceTransformerEmbedder)
    assert backends["minilm-128"].max_length == 128
    assert isinstance(backends["static"], StaticEmbedder)
    assert isinstance(backends["tfidf"], TfidfEmbedder)
    identities = [b.identity for b in backends.values()]
    assert len(set(identities)) == len(identities)
    assert resolve_embedder("MiniLM-128").identity == backends["minilm-128"].identity
    assert resolve_embedder("minilm-64").identity.endswith("@max64")


def test_named_option_identity_does_not_depend_on_device():
    assert resolve_embedder("minilm-128", device="cpu").identity == (
        resolve_embedder("minilm-128").identity
    )


def test_bad_cut_and_bad_device_are_input_errors():
    with pytest.raises(InputError, match="16 to 512 tokens"):
        resolve_embedder("minilm-4")
    with pytest.raises(InputError, match="device must be"):
        resolve_embedder(None, device="gpu")


@needs_no_gpu
def test_without_a_gpu_the_cpu_is_chosen():
    backend = resolve_embedder(None)
    assert backend.device is None
    assert backend._device() == "cpu"


@needs_no_gpu
def test_asking_for_cuda_without_one_fails_clearly():
    with pytest.raises(EmbeddingError, match="device='cuda' was asked for.*device='cpu'") as info:
        resolve_embedder("minilm-128", device="cuda")
    assert "\n" not in str(info.value)


@needs_no_gpu
def test_static_and_tfidf_ignore_the_device():
    assert isinstance(resolve_embedder("static", device="cuda"), StaticEmbedder)
    assert isinstance(resolve_embedder("tfidf", device="cuda"), TfidfEmbedder)


def test_a_device_that_is_no_device_is_refused_for_every_backend():
    import trends

    texts = [f"paper {i} about topic {i % 3}" for i in range(12)]
    with pytest.raises(InputError, match="device must be"):
        trends.ThemeModel(embedding="static", device="bogus", verbose=False).fit(texts)


@needs_gpu
@pytest.mark.slow
def test_cuda_vectors_match_cpu_vectors():
    texts = ["quantum error correction with surface codes", "protein folding with diffusion"]
    cpu = SentenceTransformerEmbedder(device="cpu").encode(texts, progress=False)
    gpu = SentenceTransformerEmbedder(device="cuda").encode(texts, progress=False)
    assert resolve_embedder(None)._device() == "cuda"
    assert np.min(np.sum(cpu * gpu, axis=1)) > 0.999


@needs_gpu
@pytest.mark.slow
def test_themes_fitted_on_gpu_vectors_are_the_cpus_themes(tmp_path):
    # The device changes speed, not the themes: the bundled corpus embedded on the GPU
    # (float noise away from the CPU's vectors) gives the CPU's partition and names.
    from sklearn.metrics import adjusted_rand_score

    from trends import ThemeModel
    from trends.datasets import trending_papers

    df = trending_papers()
    cpu = ThemeModel(device="cpu", cache_dir=tmp_path / "cpu", verbose=False).fit(df)
    gpu = ThemeModel(device="cuda", cache_dir=tmp_path / "gpu", verbose=False).fit(df)
    assert 0 < np.abs(cpu.embeddings_ - gpu.embeddings_).max() < 1e-4
    assert adjusted_rand_score(cpu.labels_, gpu.labels_) >= 0.99
    assert cpu.themes_["name"].tolist() == gpu.themes_["name"].tolist()


@pytest.mark.slow
def test_minilm_128_reads_fewer_tokens_and_caches_apart(tmp_path):
    long_text = "A study of galaxies. " + "Stars form in dense clouds of gas and dust. " * 40
    texts = [long_text, long_text.replace("galaxies", "comets")]
    cache = EmbeddingCache(tmp_path)
    full = embed_texts(texts, resolve_embedder("minilm"), cache, progress=False)
    cut = embed_texts(texts, resolve_embedder("minilm-128"), cache, progress=False)
    assert full.shape == cut.shape == (2, 384)
    assert np.all(np.sum(full * cut, axis=1) < 0.9999)  # a different (shorter) reading
    assert len(list((tmp_path / "embeddings").iterdir())) == 2
    short = ["A short abstract about comets."]
    np.testing.assert_allclose(  # under 128 tokens the two read the same words
        resolve_embedder("minilm").encode(short, progress=False),
        resolve_embedder("minilm-128").encode(short, progress=False),
        atol=1e-5,
    )


def test_bfloat16_options_resolve_with_their_own_identity():
    bf16 = resolve_embedder("minilm-192-bf16")
    assert (bf16.max_length, bf16.precision) == (192, "bfloat16")
    assert bf16.identity == resolve_embedder("minilm-192").identity + "@bf16"
    whole = resolve_embedder("MiniLM-bf16")
    assert (whole.max_length, whole.precision) == (None, "bfloat16")
    assert whole.identity == resolve_embedder("minilm").identity + "@bf16"
    with pytest.raises(InputError, match="precision must be"):
        SentenceTransformerEmbedder(precision="fp8")


@pytest.mark.slow
def test_bfloat16_embeds_close_to_float32_and_caches_apart(tmp_path, monkeypatch):
    from trends.embed import backends

    texts = ["quantum error correction with surface codes", "protein folding with diffusion"]
    cache = EmbeddingCache(tmp_path)
    fp32 = embed_texts(texts, resolve_embedder("minilm-192"), cache, progress=False)
    monkeypatch.setattr(backends, "cpu_has_bf16", lambda: True)
    bf16 = embed_texts(texts, resolve_embedder("minilm-192-bf16"), cache, progress=False)
    assert bf16.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(bf16, axis=1), 1.0, atol=1e-5)
    cos = np.sum(fp32 * bf16, axis=1)
    assert np.all(cos > 0.999) and np.all(cos < 1.0)  # close, but not float32's vectors
    assert len(list((tmp_path / "embeddings").iterdir())) == 2


@pytest.mark.slow
def test_bfloat16_on_a_cpu_without_its_instructions_warns(monkeypatch):
    from trends.embed import backends

    monkeypatch.setattr(backends, "cpu_has_bf16", lambda: False)
    backend = resolve_embedder("minilm-192-bf16", device="cpu")
    with pytest.warns(UserWarning, match="slower than float32 on this CPU"):
        backend.encode(["a short abstract"], progress=False)


@pytest.mark.slow
def test_static_model_is_distilled_once_offline_and_embeds(tmp_path, monkeypatch, capfd):
    pytest.importorskip("skeletoken", reason="model2vec's distiller needs skeletoken (bench)")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    texts = [
        "Quantum error correction with surface codes on superconducting qubits.",
        "Surface codes correct errors of superconducting qubits.",
        "A recipe for sourdough bread with a long cold fermentation.",
    ]
    backend = StaticEmbedder(model="distill", folder=tmp_path)
    x = backend.encode(texts)
    assert "building the static embedding model once" in capfd.readouterr().err
    assert backend.model_path().is_dir() and backend.model_path().parent == tmp_path
    assert x.shape[0] == 3 and np.allclose(np.linalg.norm(x, axis=1), 1, atol=1e-5)
    assert x[0] @ x[1] > x[0] @ x[2]  # the two qubit texts are closer than the recipe
    again = StaticEmbedder(model="distill", folder=tmp_path)  # reads it, builds nothing
    np.testing.assert_allclose(again.encode(texts), x, atol=1e-6)
    assert "building" not in capfd.readouterr().err


def test_static_without_model2vec_names_the_install(monkeypatch, tmp_path):
    import builtins

    real_import = builtins.__import__

    def no_model2vec(name, *args, **kwargs):
        if name.startswith("model2vec"):
            raise ImportError("No module named 'model2vec'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_model2vec)
    with pytest.raises(EmbeddingError, match="pip install model2vec"):
        StaticEmbedder().encode(["a text"])


def test_shipped_static_model_embeds_offline_and_fast_to_load(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    backend = resolve_embedder("static")
    assert backend.model_path().joinpath("model.safetensors").is_file()
    assert backend.identity.startswith("model2vec:trends-static-minilm@")
    texts = [
        "Quantum error correction with surface codes on superconducting qubits.",
        "Surface codes correct errors of superconducting qubits.",
        "A recipe for sourdough bread with a long cold fermentation.",
        "",
    ]
    x = backend.encode(texts)
    assert x.shape == (4, 256) and x.dtype == np.float32
    assert np.allclose(np.linalg.norm(x[:3], axis=1), 1, atol=1e-5)
    assert x[0] @ x[1] > x[0] @ x[2] + 0.2  # the two qubit texts are much closer
    np.testing.assert_array_equal(StaticEmbedder().encode(texts), x)  # deterministic


def test_static_vectors_are_cached_under_their_own_identity(tmp_path):
    texts = ["graph neural networks for molecules", "protein structure prediction"]
    cache = EmbeddingCache(tmp_path)
    first = embed_texts(texts, resolve_embedder("static"), cache, progress=False)
    (folder,) = (tmp_path / "embeddings").iterdir()
    assert "trends-static-minilm" in (folder / "MODEL.txt").read_text()
    again = embed_texts(texts, resolve_embedder("static"), EmbeddingCache(tmp_path))
    np.testing.assert_array_equal(first, again)
