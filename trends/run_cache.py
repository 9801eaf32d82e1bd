"""The clustering's seeded runs kept on disk, so that a refit of the same vectors skips UMAP.

One UMAP + HDBSCAN run (`trends.cluster._one_run`) is a function of the vectors, the
shared neighbour graph, the run's parameters, its seed, the device, the code that makes
it and the libraries, Python and CPU it runs on, and of nothing else: the key holds all of
them (a SHA-256), so a change of any makes the runs again. A second fit of the same
corpus, in this process or another (a notebook cell run again, another `trends report`
with other keyword settings), then reads its runs back and only the consensus and what
follows are computed again; the labels are bit for bit those of the runs made.

Layout: ``<root>/runs/<key>/<seed>.npy``, the run's labels as int32, each file written
atomically as its run finishes (an interrupted fit keeps the runs it made). A file that
cannot be read, or that does not hold one label per paper, is reported once, set aside
(renamed ``*.corrupt``) and its run made again. ``<root>`` is the embedding cache's
folder (`trends.embed.cache.default_cache_dir`); ``ThemeModel(cache_dir=False)`` turns
both off, the environment variable ``TRENDS_RUN_CACHE=off`` (or ``0``, ``false``, ``no``)
only this one: the benchmarks that time fits set it. Each run takes 4 bytes per paper:
15 runs of 17,000 papers, 1 MB. The folder is kept under ``$TRENDS_CACHE_MAX`` (2 GB by
default): after a fit made new runs, the sets of runs used longest ago are removed
(`trends._prune`). Deleting ``<root>/runs`` at any time only makes the next fits make
their runs again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import io
import os
import warnings
from pathlib import Path

import numpy as np

from . import _numba_target, _prune
from ._io import atomic_write_bytes
from ._warn import user_level
from .embed.backends import _package_version

# Part of every key, with the source of the functions that make a run: raise it when a run
# computes something else without a change in `trends.cluster._one_run`, `reduce` or
# `hdbscan_labels` (e.g. a constant they read).
RUN_FORMAT = 1
ENV_VAR = "TRENDS_RUN_CACHE"
_LIBRARIES = (
    "umap-learn",
    "hdbscan",
    "numba",
    "llvmlite",
    "numpy",
    "scipy",
    "scikit-learn",
    "pynndescent",
)


@functools.cache
def _environment() -> str:
    """What a run's bits depend on besides its inputs: code, libraries, Python, CPU."""
    import inspect
    import platform

    from . import __version__
    from . import cluster as _cluster

    code = hashlib.sha256()
    for func in (_cluster._one_run, _cluster.reduce, _cluster.hdbscan_labels):
        try:
            code.update(inspect.getsource(func).encode())
        except (OSError, TypeError):  # no source shipped: the package version instead
            code.update(f"{func.__qualname__} {__version__}".encode())
    # numba's code (fastmath) for the target `trends._numba_target` pins, or for this CPU
    # where it could not: another target may round differently.
    cpu = _numba_target.describe()
    libraries = ";".join(f"{name}={_package_version(name)}" for name in _LIBRARIES)
    return (
        f"format={RUN_FORMAT};code={code.hexdigest()};{libraries};"
        f"python={platform.python_version()};machine={platform.machine()};cpu={cpu}"
    )


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
        self._warned: set[str] = set()
        self._touched: set[str] = set()

    def key(self, embeddings: np.ndarray, knn, params, device: str) -> str:
        """SHA-256 of everything a run's labels depend on (the run count excepted)."""
        h = hashlib.sha256()
        settings = {k: v for k, v in dataclasses.asdict(params).items() if k != "n_runs"}
        gpu = ";".join(f"{name}={_package_version(name)}" for name in ("cuml", "cupy"))
        gpu = gpu if device == "cuda" else ""
        head = f"{_environment()};device={device};{gpu};{sorted(settings.items())}"
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
        """The labels of the run with ``seed``, or None when it was not made before.

        A file that is damaged or holds anything but one label per paper is set aside and
        counts as not made; so does a cache that cannot be read at all. Each fit warns
        once about each kind.
        """
        path = self._path(key, seed)
        try:
            labels = np.load(path, mmap_mode="r", allow_pickle=False)
            if not isinstance(labels, np.ndarray):  # e.g. an .npz archive
                with contextlib.suppress(Exception):
                    labels.close()
                raise TypeError(f"holds {type(labels).__name__}, not an array")
            if labels.shape != (n,) or labels.dtype.kind != "i":
                raise ValueError(f"holds {labels.dtype} labels of shape {labels.shape}")
            labels = np.array(labels, dtype=np.int64)
            if len(labels) and labels.min() < -1:
                raise ValueError("holds labels below -1")
        except FileNotFoundError:
            self.misses += 1
            return None
        except (PermissionError, NotADirectoryError) as exc:  # the folder, not the file
            if self._root_unusable():
                self.misses += 1
                return None
            self._warn_once(
                "unreadable",
                f"cannot read the clustering run cache in {self.root / 'runs'} ({exc}); "
                "its runs are made again",
            )
            self.misses += 1
            return None
        except Exception as exc:  # noqa: BLE001 - any damage: set aside, run again
            moved = False
            with contextlib.suppress(OSError):  # another process may have set it aside
                path.replace(path.with_suffix(".corrupt"))
                moved = True
            self._warn_once(
                "damaged",
                f"clustering run cache file {path} is unreadable ({type(exc).__name__}: "
                f"{exc}); "
                + ("it was set aside" if moved else "it could not be set aside")
                + " and the run will be made again (further damaged runs of this fit "
                "are handled alike without another warning)",
            )
            self.misses += 1
            return None
        self.hits += 1
        if key not in self._touched:  # used now: the last to go when the folder is pruned
            self._touched.add(key)
            _prune.touch(path.parent)
        return labels

    def _warn_once(self, kind: str, message: str) -> None:
        if kind not in self._warned:
            warnings.warn(message, RuntimeWarning, stacklevel=user_level())
        self._warned.add(kind)

    def _root_unusable(self) -> bool:
        """Whether the cache folder itself cannot be written (then reported once).

        The warning is shared by all the caches in it (`trends.embed.cache.report_unwritable`).
        """
        from .embed.cache import report_unwritable

        return report_unwritable(self.root)

    def prune(self, key: str) -> None:
        """Keep the run cache under its limit, never removing the runs of ``key``."""
        _prune.prune(self.root / "runs", keep=self._path(key, 0).parent)

    def put(self, key: str, seed: int, labels: np.ndarray) -> None:
        """Keep a run's labels (atomic write); a cache that cannot be written is skipped."""
        from .embed.cache import root_reported

        if root_reported(self.root):
            return
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(labels, dtype=np.int32), allow_pickle=False)
        try:
            atomic_write_bytes(self._path(key, seed), buffer.getvalue())
        except OSError as exc:
            if self._root_unusable():
                return
            self._warn_once(
                "unwritable",
                f"could not keep a clustering run in {self.root / 'runs'} ({exc}); "
                "the fit goes on without the cache",
            )
