import os
from pathlib import Path

import pytest

# Imported first, as a user's notebook would: trends pins numba's target on import
# (`trends._numba_target`), so a test module that imports umap or bertopic at the top must
# not decide the target for the whole session by being collected first.
import trends  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def _shared() -> Path:
    env = os.environ.get("TRENDS_SHARED_CORPORA")
    return Path(env) if env else ROOT.parent / "shared" / "corpora"


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The shared corpora folder; in CI its absence is a failure, not a skip."""
    path = _shared()
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"shared corpora not found at {path}")
        pytest.skip(f"shared corpora not found at {path} (set TRENDS_SHARED_CORPORA)")
    return path


@pytest.fixture(scope="session")
def data() -> Path:
    return DATA


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory):
    """Every test session embeds into its own cache, never the user's."""
    path = tmp_path_factory.mktemp("trends-cache")
    old = os.environ.get("TRENDS_CACHE_DIR")
    os.environ["TRENDS_CACHE_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("TRENDS_CACHE_DIR", None)
    else:
        os.environ["TRENDS_CACHE_DIR"] = old


THEME_WORDS = {
    "quantum": "qubit entanglement quantum circuit decoherence superconducting gate error",
    "vision": "image segmentation pixels convolutional detection camera object bounding",
    "language": "token language translation grammar corpus sentence parsing lexical",
    "biology": "protein gene cell genome sequencing enzyme molecular tissue",
}


def synthetic_corpus(
    n_per_theme=40, seed=0, themes=THEME_WORDS, start="2025-01-01", noise_seed=None
):
    """Papers about a few clearly separated themes, with matching stand-in embeddings."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    common = "we propose method results show approach data model paper study".split()
    rows, truth, vectors = [], [], []
    centres = rng.normal(size=(len(themes), 32))
    if noise_seed is not None:  # same themes, new papers
        rng = np.random.default_rng(noise_seed)
    for k, (name, words) in enumerate(themes.items()):
        vocab = words.split()
        for i in range(n_per_theme):
            body = " ".join(rng.choice(vocab + common, size=40))
            rows.append(
                {
                    "doc_id": f"{name}-{i}",
                    "title": f"{name} paper {i}",
                    "abstract": body,
                    "text": f"{vocab[0]} {vocab[1]} study {i}. {body}",
                    "published": pd.Timestamp(start, tz="UTC") + pd.Timedelta(days=int(i)),
                }
            )
            truth.append(k)
            vectors.append(centres[k] + rng.normal(scale=0.15, size=32))
    frame = pd.DataFrame(rows)
    emb = np.asarray(vectors, dtype=np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    return frame, emb, np.array(truth)


@pytest.fixture(scope="session")
def synthetic():
    return synthetic_corpus()


@pytest.fixture
def embed_calls(monkeypatch):
    """The batches (lists of texts) the real sentence-transformers backend is asked to embed.

    Name candidates (short phrases, `trends.naming`) go through the same backend and cache
    as the papers: tests that count paper embeddings filter them with `paper_batches`.
    """
    from trends.embed import backends

    seen = []
    original = backends.SentenceTransformerEmbedder.encode

    def spy(self, texts, *, progress=True):
        seen.append(list(texts))
        return original(self, texts, progress=progress)

    monkeypatch.setattr(backends.SentenceTransformerEmbedder, "encode", spy)
    return seen


def paper_batches(seen, texts):
    """The sizes of the batches in ``seen`` that embedded any of ``texts`` (the papers)."""
    wanted = set(texts)
    return [sum(t in wanted for t in batch) for batch in seen if wanted.intersection(batch)]


# CI runs the fuzz tests with a fixed sequence of examples; a developer's run explores anew.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")
