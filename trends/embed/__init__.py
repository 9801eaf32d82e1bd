"""Sentence embeddings of papers, and the on-disk cache that computes each one only once."""

from .backends import (
    DEFAULT_MODEL,
    OPTIONS,
    Embedder,
    SentenceTransformerEmbedder,
    TfidfEmbedder,
    checked_vectors,
    resolve_embedder,
)
from .cache import EmbeddingCache, default_cache_dir
from .static import StaticEmbedder

__all__ = [
    "DEFAULT_MODEL",
    "OPTIONS",
    "Embedder",
    "EmbeddingCache",
    "SentenceTransformerEmbedder",
    "StaticEmbedder",
    "TfidfEmbedder",
    "default_cache_dir",
    "embed_texts",
    "resolve_embedder",
]


CHECKPOINT = 1024  # texts per cache shard while embedding: what a kill can cost at most
_CHUNK = 256  # texts per call to the backend: how often the progress bar moves


def embed_texts(
    texts,
    embedder: Embedder,
    cache: EmbeddingCache | None,
    *,
    progress: bool = True,
    checkpoint: int = CHECKPOINT,
):
    """Embeddings of ``texts`` (n x d, unit rows), computing only those not in ``cache``.

    Texts are embedded once each (repeats share a vector), in chunks, and what is done is
    written to the cache every ``checkpoint`` texts and when the run stops for any
    reason: an interrupted or killed run loses at most the last ``checkpoint`` texts, and
    the next call embeds only the rest.

    Parameters
    ----------
    texts : iterable of str
        The texts, usually a corpus' ``text`` column.
    embedder : Embedder
        The backend (see `resolve_embedder`).
    cache : EmbeddingCache or None
        Where vectors are kept; None (or a backend that is not cacheable) embeds all.
    progress : bool
        A progress bar (terminal or notebook).
    checkpoint : int
        Texts per cache shard written during the run.

    Returns
    -------
    numpy.ndarray, shape (n_texts, n_dims)
        float32 rows in the order of ``texts``.
    """
    import numpy as np

    from .cache import text_key

    texts = list(texts)
    # A backend that does not say is not cached (as on Ray): its identity may not hold
    # all its state.
    if cache is None or not getattr(embedder, "cacheable", False):
        vectors = embedder.encode(texts, progress=progress)
        return checked_vectors(vectors, len(texts)) if texts else vectors
    found = cache.get(embedder.identity, texts)
    todo: dict[bytes, str] = {}  # one text per key: repeats are embedded once
    for text, vector in zip(texts, found, strict=True):
        if vector is None:
            todo.setdefault(text_key(text), text)
    if todo:
        vectors = _embed_in_chunks(list(todo.values()), embedder, cache, progress, checkpoint)
        fresh = dict(zip(todo, vectors, strict=True))
        for i, text in enumerate(texts):
            if found[i] is None:
                found[i] = fresh[text_key(text)]
    return np.vstack(found).astype(np.float32, copy=False) if found else np.zeros((0, 0))


def _embed_in_chunks(texts, embedder, cache, progress, checkpoint):
    """Vectors of ``texts`` in order, written to ``cache`` as they are done."""
    from tqdm.auto import tqdm

    done: list = []
    saved = 0

    def save():
        nonlocal saved
        if len(done) > saved:
            cache.put(embedder.identity, texts[saved : len(done)], done[saved:], compact=False)
            saved = len(done)

    try:
        with tqdm(total=len(texts), desc="Embedding", unit="paper", disable=not progress) as bar:
            for start in range(0, len(texts), _CHUNK):
                chunk = texts[start : start + _CHUNK]
                part = checked_vectors(embedder.encode(chunk, progress=False), len(chunk))
                done.extend(part)
                bar.update(len(part))
                if len(done) - saved >= checkpoint:
                    save()
    finally:  # an error or Ctrl-C keeps what was finished (a kill -9 the last shard)
        save()
        cache.compact(embedder.identity)
    return done
