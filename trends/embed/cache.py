"""An on-disk cache of embeddings keyed by model identity and a hash of each text.

Layout: ``<root>/<sha1 of model identity>/<shard>.npz``, each shard holding
``keys`` (the texts' SHA-1 digests) and ``vectors``. New embeddings go to a new
shard written atomically (`trends.embed.embed_texts` writes one every ~1,000 texts, so
an interrupted run keeps what it finished); many small shards are compacted into one.
Compaction removes only the shards this process has read or written, so that shards
another process adds meanwhile are never lost. A shard that cannot be read is reported
once, set aside and its vectors recomputed. A cache folder that cannot be written (a
file in its place, a read-only folder or file system) is reported once, in one warning
shared with the fit and run caches that live in the same folder; the run goes on without
writing it (`report_unwritable`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import uuid
import warnings
import zipfile
from pathlib import Path

import numpy as np

from .._io import atomic_write_bytes, unwritable_reason
from .._warn import user_level

ENV_VAR = "TRENDS_CACHE_DIR"
_COMPACT_AT = 16


def default_cache_dir() -> Path:
    """``$TRENDS_CACHE_DIR`` if set, else the user's cache directory (``~/.cache/trends``)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("trends", appauthor=False))


_REPORTED: set[str] = set()  # cache folders already reported as unwritable, this process
_REPORTED_LOCK = threading.Lock()


def report_unwritable(root: str | os.PathLike) -> bool:
    """Warn, once per folder and process, that the cache folder ``root`` cannot be written.

    Returns whether ``root`` itself is the problem (whether it is unwritable). The caches
    that live under ``root`` (embeddings, fits, clustering runs) call this when a write
    fails, so that a bad ``$TRENDS_CACHE_DIR`` gives one warning rather than one per cache;
    a failure that is not the folder's (a full disk, a damaged subfolder) is theirs to
    report.
    """
    reason = unwritable_reason(root)
    if reason is None:
        return False
    key = os.path.abspath(root)
    with _REPORTED_LOCK:
        if key in _REPORTED:
            return True
        _REPORTED.add(key)
    warnings.warn(
        f"the cache folder {root} cannot be written ({reason}); this run goes on without "
        f"keeping its embeddings, fits or clustering runs there (set ${ENV_VAR} to a "
        "writable folder)",
        RuntimeWarning,
        stacklevel=user_level(),
    )
    return True


def root_reported(root: str | os.PathLike) -> bool:
    """Whether ``root`` was reported unwritable by this process (writes there are skipped)."""
    return os.path.abspath(root) in _REPORTED


def text_key(text: str) -> bytes:
    """SHA-1 of the text with its whitespace collapsed (the loader already normalised it)."""
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest().encode("ascii")


def _read_shard(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """A shard's keys and vectors, checked: an archive of text digests and finite float32 rows.

    Raises ValueError for anything else (a lone array, float64 or NaN vectors, keys that
    are no digests), which the caller reports and sets aside.
    """
    data = np.load(path, allow_pickle=False)
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ValueError("not an archive of keys and vectors")
    with data as npz:
        keys, vectors = npz["keys"], npz["vectors"]
    if keys.ndim != 1 or vectors.ndim != 2 or len(keys) != len(vectors):
        raise ValueError("keys and vectors disagree")
    if keys.dtype != np.dtype("S40") or vectors.dtype != np.float32:
        raise ValueError(f"keys of {keys.dtype} and vectors of {vectors.dtype}, not S40/float32")
    if not np.isfinite(vectors).all():
        raise ValueError("vectors with NaN or infinite values")
    return keys, vectors


def _set_aside(shard: Path, why: str) -> None:
    warnings.warn(
        f"embedding cache file {shard} is unreadable ({why}); it was set aside and its "
        "embeddings will be recomputed",
        RuntimeWarning,
        stacklevel=user_level(),
    )
    with contextlib.suppress(OSError):  # another process set it aside first
        shard.replace(shard.with_suffix(".corrupt"))


_FAILED: set[str] = set()  # cache folders whose write failed and was reported, this process


class EmbeddingCache:
    """Embeddings on disk; ``get`` returns what is there, ``put`` adds new ones atomically."""

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else default_cache_dir()
        self._memory: dict[str, dict[bytes, np.ndarray]] = {}
        self._known: dict[str, set[str]] = {}  # shard names read or written, per identity
        self._lock = threading.Lock()
        self._unwritable = False  # a write failed: reported once, the rest are skipped
        self.hits = 0
        self.misses = 0

    def _folder(self, identity: str) -> Path:
        return self.root / "embeddings" / hashlib.sha1(identity.encode("utf-8")).hexdigest()[:16]

    def _table(self, identity: str) -> dict[bytes, np.ndarray]:
        table = self._memory.get(identity)
        if table is not None:
            return table
        table = {}
        known = self._known.setdefault(identity, set())
        folder = self._folder(identity)
        try:
            shards = sorted(folder.glob("*.npz")) if folder.is_dir() else []
        except OSError:  # a folder that cannot be read (another user's): nothing cached
            shards = []
        read = []
        for shard in shards:
            try:
                keys, vectors = _read_shard(shard)
            except FileNotFoundError:  # compacted by another process since the listing
                continue
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
                _set_aside(shard, f"{type(exc).__name__}: {exc}")
                continue
            read.append((shard, keys, vectors))
        # One model gives vectors of one width: a shard of another width (not this
        # model's, whatever put it there) is set aside, not mixed in.
        rows: dict[int, int] = {}
        for _, keys, vectors in read:
            rows[vectors.shape[1]] = rows.get(vectors.shape[1], 0) + len(keys)
        width = max(rows, key=lambda w: (rows[w], w)) if rows else None
        for shard, keys, vectors in read:
            if vectors.shape[1] != width:
                _set_aside(
                    shard, f"vectors of {vectors.shape[1]} dimensions where the others have {width}"
                )
                continue
            known.add(shard.name)
            for k, v in zip(keys.tolist(), vectors, strict=True):
                table[k] = v
        self._memory[identity] = table
        return table

    def get(self, identity: str, texts: list[str]) -> list[np.ndarray | None]:
        """The cached vector of each text, or None where there is none."""
        with self._lock:
            table = self._table(identity)
            out = [table.get(text_key(t)) for t in texts]
        hits = sum(v is not None for v in out)
        self.hits += hits
        self.misses += len(out) - hits
        return out

    def put(
        self, identity: str, texts: list[str], vectors: np.ndarray, *, compact: bool = True
    ) -> None:
        """Store new vectors in a new shard (atomic write); compact when shards pile up.

        ``compact=False`` defers compaction (a long run writing a shard per batch calls
        `compact` once at the end instead of rewriting everything every few batches).
        """
        if not len(texts):
            return
        keys = np.array([text_key(t) for t in texts], dtype="S40")
        vectors = np.asarray(vectors, dtype=np.float32)
        with self._lock:
            table = self._table(identity)
            for k, v in zip(keys.tolist(), vectors, strict=True):
                table[k] = v
            if self._skip_writes():
                return
            folder = self._folder(identity)
            name = f"{uuid.uuid4().hex}.npz"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                model_file = folder / "MODEL.txt"
                if not model_file.is_file():
                    atomic_write_bytes(model_file, (identity + "\n").encode("utf-8"))
                self._write(folder / name, keys, vectors)
            except OSError as exc:
                self._write_failed(folder, exc)
                return
            self._known[identity].add(name)
        if compact:
            self.compact(identity)

    def _skip_writes(self) -> bool:
        return self._unwritable or root_reported(self.root)

    def _write_failed(self, folder: Path, exc: OSError) -> None:
        """Report a failed write once (the folder's, or this cache's) and stop writing."""
        self._unwritable = True
        if report_unwritable(self.root):
            return
        with _REPORTED_LOCK:  # the fit's and the names' caches share a folder: said once
            if str(folder) in _FAILED:
                return
            _FAILED.add(str(folder))
        warnings.warn(
            f"could not write the embedding cache in {folder} "
            f"({exc.strerror or exc}); this run goes on without keeping its embeddings",
            RuntimeWarning,
            stacklevel=user_level(),
        )

    def compact(self, identity: str, *, at: int = _COMPACT_AT) -> None:
        """Merge this process's shards of ``identity`` into one when there are ``at`` or more.

        Only shards this process has read or written are merged and removed: their
        vectors are all in memory, and a shard written by another process meanwhile stays.
        """
        with self._lock:
            if self._skip_writes():
                return
            table = self._table(identity)
            folder = self._folder(identity)
            known = self._known.get(identity, set())
            try:
                shards = [p for p in sorted(folder.glob("*.npz")) if p.name in known]
            except OSError:
                return
            if len(shards) < max(at, 2):
                return
            name = f"all-{uuid.uuid4().hex}.npz"
            try:
                self._write(
                    folder / name,
                    np.array(list(table), dtype="S40"),
                    np.vstack(list(table.values())),
                )
            except OSError as exc:
                self._write_failed(folder, exc)
                return
            for shard in shards:
                with contextlib.suppress(FileNotFoundError):
                    shard.unlink()
            self._known[identity] = {name}

    @staticmethod
    def _write(path: Path, keys: np.ndarray, vectors: np.ndarray) -> None:
        import io

        buffer = io.BytesIO()
        np.savez(buffer, keys=keys, vectors=vectors)
        atomic_write_bytes(path, buffer.getvalue())
