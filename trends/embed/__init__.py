"""Sentence embeddings of papers, and the on-disk cache that computes each one only once."""

from .backends import (
    DEFAULT_MODEL,
    Embedder,
    SentenceTransformerEmbedder,
    TfidfEmbedder,
    resolve_embedder,
)
from .cache import EmbeddingCache, default_cache_dir

__all__ = [
    "DEFAULT_MODEL",
    "Embedder",
    "EmbeddingCache",
    "SentenceTransformerEmbedder",
    "TfidfEmbedder",
    "default_cache_dir",
    "embed_texts",
    "resolve_embedder",
]


def embed_texts(texts, embedder: Embedder, cache: EmbeddingCache | None, *, progress=True):
    """Embeddings of ``texts`` (n x d, unit rows), computing only those not in ``cache``."""
    import numpy as np

    texts = list(texts)
    if cache is None or not embedder.cacheable:
        return embedder.encode(texts, progress=progress)
    found = cache.get(embedder.identity, texts)
    missing = [i for i, v in enumerate(found) if v is None]
    if missing:
        fresh = embedder.encode([texts[i] for i in missing], progress=progress)
        cache.put(embedder.identity, [texts[i] for i in missing], fresh)
        for k, i in enumerate(missing):
            found[i] = fresh[k]
    return np.vstack(found).astype(np.float32, copy=False) if found else np.zeros((0, 0))
