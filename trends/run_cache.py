"""The clustering's seeded runs kept on disk, so that a refit of the same vectors skips UMAP.

One UMAP + HDBSCAN run (`trends.cluster._one_run`) is a function of the vectors, the
shared neighbour graph, the run's parameters, its seed, the device and the versions of
the libraries that compute it, and of nothing else: the key holds all of them (a SHA-256),
so a change of any refits. A second fit of the same corpus, in this process or another
(a notebook cell run again, another `trends report` with other keyword settings), then
reads its runs back and only the consensus and what follows are computed again; the
labels are bit for bit those of the runs made.

Layout: ``<root>/runs/<key>/<seed>.npy``, the run's labels as int32, each file written
atomically as its run finishes (an interrupted fit keeps the runs it made). A file that
cannot be read, or that does not hold one label per paper, is reported once, set aside
(renamed ``*.corrupt``) and its run made again. ``<root>`` is the embedding cache's
folder (`trends.embed.cache.default_cache_dir`); ``ThemeModel(cache_dir=False)`` turns
both off, the environment variable ``TRENDS_RUN_CACHE=off`` (or ``0``, ``false``, ``no``)
only this one: the benchmarks that time fits set it. Each run takes 4 bytes per paper:
15 runs of 17,000 papers, 1 MB. Nothing is ever removed from it; deleting
``<root>/runs`` at any time only makes the next fits make their runs again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import os
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np

from ._io import atomic_write_bytes

# Part of every key: raise it when `trends.cluster._one_run` changes what a run computes.
RUN_FORMAT = 1
ENV_VAR = "TRENDS_RUN_CACHE"
_LIBRARIES = ("umap-learn", "hdbscan", "numba", "numpy", "scikit-learn", "pynndescent")


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def disabled() -> bool:
    """Whether ``$TRENDS_RUN_CACHE`` turns the run cache off."""
    return os.environ.get(ENV_VAR, "").strip().lower() in {"0", "off", "false", "no"}


class RunCache:
    """Per-run labels under ``<root>/runs``; ``root`` defaults to the embedding cache's folder."""

    def __init__(self, root: str | os.PathLike | None = None):
        from .embed.cache import default_cache_dir

        self.root = Path(root) if root is not None else default_cache_dir()
        self.hits = 0
        self.misses = 0
        self._unwritable = False

    def key(self, embeddings: np.ndarray, knn, params, device: str) -> str:
        """SHA-256 of everything a run's labels depend on (the run count excepted)."""
        h = hashlib.sha256()
        settings = {k: v for k, v in dataclasses.asdict(params).items() if k != "n_runs"}
        libraries = [f"{name}={_version(name)}" for name in _LIBRARIES]
        if device == "cuda":
            libraries += [f"cuml={_version('cuml')}"]
        head = f"format={RUN_FORMAT};device={device};{sorted(settings.items())};{libraries}"
        h.update(head.encode())
        vectors = np.ascontiguousarray(embeddings, dtype=np.float32)
        h.update(repr(vectors.shape).encode())
        h.update(vectors.data)
        if knn is not None:
            for part in knn:
                part = np.ascontiguousarray(part)
                h.update(f"{part.dtype}{part.shape}".encode())
                h.update(part.data)
        return h.hexdigest()

    def _path(self, key: str, seed: int) -> Path:
        return self.root / "runs" / key[:40] / f"{int(seed)}.npy"

    def get(self, key: str, seed: int, n: int) -> np.ndarray | None:
        """The labels of the run with ``seed``, or None when it was not made before."""
        path = self._path(key, seed)
        if not path.exists():
            self.misses += 1
            return None
        try:
            labels = np.load(path, allow_pickle=False)
            if labels.shape != (n,) or labels.dtype.kind != "i" or (labels.min() < -1):
                raise ValueError(f"holds {labels.dtype} labels of shape {labels.shape}")
        except (OSError, ValueError, EOFError) as exc:
            warnings.warn(
                f"clustering run cache file {path} is unreadable ({type(exc).__name__}: "
                f"{exc}); it was set aside and the run will be made again",
                RuntimeWarning,
                stacklevel=3,
            )
            with contextlib.suppress(OSError):  # another process set it aside first
                path.replace(path.with_suffix(".corrupt"))
            self.misses += 1
            return None
        self.hits += 1
        return labels.astype(np.int64)

    def put(self, key: str, seed: int, labels: np.ndarray) -> None:
        """Keep a run's labels (atomic write); a cache that cannot be written is skipped."""
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(labels, dtype=np.int32), allow_pickle=False)
        try:
            atomic_write_bytes(self._path(key, seed), buffer.getvalue())
        except OSError as exc:
            if not self._unwritable:  # once, not once per run
                warnings.warn(
                    f"could not keep a clustering run in {self.root / 'runs'} ({exc}); "
                    "the fit goes on without the cache",
                    RuntimeWarning,
                    stacklevel=3,
                )
            self._unwritable = True
