"""An on-disk cache of embeddings keyed by model identity and a hash of each text.

Layout: ``<root>/<sha1 of model identity>/<shard>.npz``, each shard holding
``keys`` (the texts' SHA-1 digests) and ``vectors``. New embeddings go to a new
shard written atomically (`trends.embed.embed_texts` writes one every ~1,000 texts, so
an interrupted run keeps what it finished); many small shards are compacted into one.
Compaction removes only the shards this process has read or written, so that shards
another process adds meanwhile are never lost. A shard that cannot be read is reported
once, set aside and its vectors recomputed.
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

from .._io import atomic_write_bytes

ENV_VAR = "TRENDS_CACHE_DIR"
_COMPACT_AT = 16


def default_cache_dir() -> Path:
    """``$TRENDS_CACHE_DIR`` if set, else the user's cache directory (``~/.cache/trends``)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("trends", appauthor=False))


def text_key(text: str) -> bytes:
    """SHA-1 of the text with its whitespace collapsed (the loader already normalised it)."""
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest().encode("ascii")


class EmbeddingCache:
    """Embeddings on disk; ``get`` returns what is there, ``put`` adds new ones atomically."""

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else default_cache_dir()
        self._memory: dict[str, dict[bytes, np.ndarray]] = {}
        self._known: dict[str, set[str]] = {}  # shard names read or written, per identity
        self._lock = threading.Lock()
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
        for shard in sorted(folder.glob("*.npz")) if folder.is_dir() else []:
            try:
                with np.load(shard, allow_pickle=False) as npz:
                    keys, vectors = npz["keys"], npz["vectors"]
                if keys.ndim != 1 or vectors.ndim != 2 or len(keys) != len(vectors):
                    raise ValueError("keys and vectors disagree")
            except FileNotFoundError:  # compacted by another process since the listing
                continue
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
                warnings.warn(
                    f"embedding cache file {shard} is unreadable ({type(exc).__name__}: {exc}); "
                    "it was set aside and its embeddings will be recomputed",
                    RuntimeWarning,
                    stacklevel=4,
                )
                with contextlib.suppress(OSError):  # another process set it aside first
                    shard.replace(shard.with_suffix(".corrupt"))
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
            folder = self._folder(identity)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "MODEL.txt").write_text(identity + "\n", encoding="utf-8")
            name = f"{uuid.uuid4().hex}.npz"
            self._write(folder / name, keys, vectors)
            self._known[identity].add(name)
        if compact:
            self.compact(identity)

    def compact(self, identity: str, *, at: int = _COMPACT_AT) -> None:
        """Merge this process's shards of ``identity`` into one when there are ``at`` or more.

        Only shards this process has read or written are merged and removed: their
        vectors are all in memory, and a shard written by another process meanwhile stays.
        """
        with self._lock:
            table = self._table(identity)
            folder = self._folder(identity)
            known = self._known.get(identity, set())
            shards = [p for p in sorted(folder.glob("*.npz")) if p.name in known]
            if len(shards) < max(at, 2):
                return
            name = f"all-{uuid.uuid4().hex}.npz"
            self._write(
                folder / name,
                np.array(list(table), dtype="S40"),
                np.vstack(list(table.values())),
            )
            for shard in shards:
                shard.unlink(missing_ok=True)
            self._known[identity] = {name}

    @staticmethod
    def _write(path: Path, keys: np.ndarray, vectors: np.ndarray) -> None:
        import io

        buffer = io.BytesIO()
        np.savez(buffer, keys=keys, vectors=vectors)
        atomic_write_bytes(path, buffer.getvalue())
