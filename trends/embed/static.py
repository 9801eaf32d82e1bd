"""Static embedding models from the bundled MiniLM (``embedding="static"``).

A text's vector is the mean of its tokens' vectors: no transformer runs at embedding time,
so it is two orders of magnitude faster than MiniLM on a CPU. The token vectors come from
model2vec, which passes each token of MiniLM's vocabulary through MiniLM once.

* ``model="bundled"`` (the default, ``embedding="static"``): the token vectors shipped in
  ``trends/embed/data/static-minilm``, distilled and then tuned toward MiniLM's sentence
  vectors of arXiv abstracts (`trends.embed.build_static`), int8, 7.7 MB. Plain
  distillation keeps ~68% of MiniLM's theme NMI on arXiv; tuned, ~96-100%
  (``reports/benchmarks/embed_speed.md``). Shipped, it gives the same vectors on every
  machine, and needs neither torch nor a first-use build.
* ``model="distill"``: model2vec's plain distillation, built on first use into the cache
  folder (about half a minute to a few minutes, once per machine).
* a path: any model2vec model folder.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import sys
from pathlib import Path

import numpy as np

from ..errors import EmbeddingError

_INSTALL = "pip install model2vec skeletoken"
BUNDLED = Path(__file__).resolve().parent / "data" / "static-minilm"


@functools.cache
def _digest(path: Path) -> str:
    """First 12 hex digits of the SHA-1 of a file: the shipped model's version."""
    try:
        return hashlib.sha1(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return "missing"


class StaticEmbedder:
    """Mean of static token vectors derived from all-MiniLM-L6-v2 with model2vec.

    Parameters
    ----------
    model : {"bundled", "distill"} or path
        The shipped tuned model, a plain distillation built on first use, or a model2vec
        model folder.
    max_length : int or None
        Tokens read per text (None: all of it).
    pca_dims : int or None
        For ``"distill"``: dimensions kept by model2vec's PCA (None: all 384).
    sif_coefficient : float
        For ``"distill"``: model2vec's frequency weighting (smaller: rare tokens weigh more).
    folder : path, optional
        For ``"distill"``: where the model is built; default ``<trends cache>/models``.
    """

    cacheable = True

    def __init__(
        self,
        model: str | os.PathLike = "bundled",
        *,
        max_length: int | None = 512,
        pca_dims: int | None = 256,
        sif_coefficient: float = 1e-4,
        folder: str | os.PathLike | None = None,
    ):
        self.model = model
        self.max_length = max_length
        self.pca_dims = pca_dims
        self.sif_coefficient = sif_coefficient
        self.folder = folder
        self._loaded = None
        self.identity = f"{self._model_identity()}:max{max_length}"

    def _model_identity(self) -> str:
        if self.model == "bundled":
            return f"model2vec:trends-static-minilm@{_digest(BUNDLED / 'model.safetensors')}"
        if self.model != "distill":
            # A folder by where it is and what it holds, as a sentence-transformers folder:
            # two projects' `model` folders, or one rebuilt in place, share no vectors.
            from .backends import _folder_digest

            given = os.fspath(self.model)
            if os.path.exists(given):
                return f"model2vec:{os.path.realpath(given)}#{_folder_digest(given)}"
            return f"model2vec:{given}"
        from .backends import SentenceTransformerEmbedder, _package_version

        teacher = SentenceTransformerEmbedder().identity
        return (
            f"model2vec-{_package_version('model2vec')}:{teacher}:"
            f"pca{self.pca_dims}:sif{self.sif_coefficient:g}"
        )

    def model_path(self) -> Path:
        """The folder of the model (for ``"distill"``, it may not exist yet)."""
        if self.model == "bundled":
            return BUNDLED
        if self.model != "distill":
            return Path(self.model)
        from .cache import default_cache_dir

        root = Path(self.folder) if self.folder is not None else default_cache_dir() / "models"
        digest = hashlib.sha1(self._model_identity().encode("utf-8")).hexdigest()[:16]
        return root / f"static-minilm-{digest}"

    def load(self, *, progress: bool = True):
        """The model2vec ``StaticModel``, distilled into the cache folder on first use."""
        if self._loaded is not None:
            return self._loaded
        try:
            from model2vec import StaticModel
        except ImportError as exc:
            raise EmbeddingError(
                f"embedding='static' needs model2vec: `{_INSTALL}`, or choose 'minilm'/'tfidf'"
            ) from exc
        path = self.model_path()
        if self.model == "distill" and not (path / "config.json").is_file():
            self._distill(path, progress=progress)
        if not (path / "config.json").is_file():
            raise EmbeddingError(f"no model2vec model in {path} (config.json is missing)")
        try:
            model = StaticModel.from_pretrained(str(path), force_download=False)
        except Exception as exc:
            hint = (
                "; delete that folder and it will be built again" if self.model == "distill" else ""
            )
            raise EmbeddingError(
                f"the static model in {path} cannot be read ({type(exc).__name__}: {exc}){hint}"
            ) from exc
        if model.weights is not None and model.token_mapping is None:
            # int8 rows with one scale each: expanded once, so that encoding takes
            # model2vec's vectorised path instead of a Python loop per text.
            model.embedding = np.asarray(model.embedding, np.float32) * model.weights[:, None]
            model.weights = None
        self._loaded = model
        return model

    def _distill(self, path: Path, *, progress: bool) -> None:
        from filelock import FileLock

        from .backends import default_model_path

        path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(path) + ".lock"):
            if (path / "config.json").is_file():  # another process built it meanwhile
                return
            try:
                from model2vec.distill import distill
            except ImportError as exc:
                raise EmbeddingError(
                    "building the static model needs model2vec's distiller and skeletoken: "
                    f"`{_INSTALL}`"
                ) from exc
            if progress:
                print(
                    "trends: building the static embedding model once (model2vec distils the "
                    f"bundled all-MiniLM-L6-v2, offline) into {path}",
                    file=sys.stderr,
                    flush=True,
                )
            model = distill(
                model_name=default_model_path(),
                pca_dims=self.pca_dims,
                sif_coefficient=self.sif_coefficient,
                device="cpu",
            )
            # Written beside its final place and renamed, so that a reader never sees half.
            tmp = path.with_name(path.name + ".partial")
            shutil.rmtree(tmp, ignore_errors=True)
            model.save_pretrained(str(tmp))
            os.replace(tmp, path)

    def encode(self, texts: list[str], *, progress: bool = True) -> np.ndarray:
        """Unit-length vectors, one row per text."""
        from .backends import _unit

        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        model = self.load(progress=progress)
        vectors = model.encode(
            list(texts),
            max_length=self.max_length,
            use_multiprocessing=False,  # the same result in any process, no worker start-up
            show_progress_bar=False,
        )
        return _unit(vectors)
