"""Bounded caches: past its size limit, a cache folder loses its least recently used entries.

The fit cache (``<cache>/fits``, one file per fitted model: about 0.5 KB per paper) and the
run cache (``<cache>/runs``, one folder of label files per set of vectors: 4 bytes per paper
and run) gain an entry whenever a new corpus is fitted; a daily report of a growing feed
fits a new corpus every day. Each of the two folders is kept under ``$TRENDS_CACHE_MAX``
(default `DEFAULT_MAX`, 2 GB; e.g. ``500MB``, ``10GB``, or ``unlimited``): after an entry is
written, the entries used longest ago are removed until the folder is under the limit again.
An entry counts as used when it is written or read back (its modification time is set
then). The entry just written is never removed, even when it alone is over the limit.

The embedding cache is not pruned: it holds what is expensive to compute (the vectors, one
per distinct text and model, ~1.5 KB per paper), and it is what makes a refit embed
nothing; delete ``<cache>/embeddings`` to empty it.

Removal is best effort: an entry that another process is reading or has already removed is
skipped, and a reader whose entry was removed simply computes it again.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import stat
import warnings
from pathlib import Path

from ._warn import user_level

ENV_VAR = "TRENDS_CACHE_MAX"
DEFAULT_MAX = 2 * 10**9
_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_UNITS.update({"k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12})
_UNITS.update({"kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40})
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([a-z]*)\s*", re.IGNORECASE)
# What the caches write (`trends.fit_cache`, `trends.run_cache`): nothing else in their
# folders is removed (a ``runs`` folder of the user's own under a shared cache folder).
_FIT_ENTRY = re.compile(r"[0-9a-f]{40}\.(?:trends|corrupt)")
_RUN_ENTRY = re.compile(r"[0-9a-f]{40}")
ENTRIES = {"fits": _FIT_ENTRY, "runs": _RUN_ENTRY}
_warned: set[str] = set()


def parse_size(text: str) -> int | None:
    """Bytes in ``text`` (``500MB``, ``2G``, ``1.5GiB``, ``1e9``); None for ``unlimited``.

    A size beyond any disk (2**63 bytes or more) is no limit either.

    Raises
    ------
    ValueError
        ``text`` is not a size; the message says what was read and what is accepted.
    """
    if text.strip().lower() in {"unlimited", "none", "off", "inf"}:
        return None
    found = _SIZE.fullmatch(text)
    unit = found.group(2).lower() if found else None
    size = float(found.group(1)) * _UNITS[unit] if found and unit in _UNITS else math.nan
    if size >= 2**63:  # more than any disk holds (1e20, or 400 digits): no limit
        return None
    if not math.isfinite(size):
        raise ValueError(
            f"{text!r} is not a size: write a number of bytes, or a number with a unit "
            "(e.g. 500MB, 2GB, 1.5GiB), or 'unlimited'"
        )
    return int(size)


def max_bytes() -> int | None:
    """The limit of each pruned cache folder: ``$TRENDS_CACHE_MAX``, else `DEFAULT_MAX`.

    A value that is not a size is reported once (a warning) and the default applies.
    """
    raw = os.environ.get(ENV_VAR, "").strip()
    if not raw:
        return DEFAULT_MAX
    try:
        return parse_size(raw)
    except ValueError as exc:
        if raw not in _warned:
            _warned.add(raw)
            warnings.warn(
                f"${ENV_VAR}: {exc}; the default limit ({DEFAULT_MAX // 10**9} GB) applies",
                RuntimeWarning,
                stacklevel=user_level(),
            )
        return DEFAULT_MAX


def touch(path: str | os.PathLike) -> None:
    """Mark the entry at ``path`` as used now (nothing when it cannot be: a read-only cache)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def _entry(path: Path) -> tuple[float, int] | None:
    """(last use, bytes) of a file or a folder of files; None when it is gone."""
    try:
        info = path.stat(follow_symlinks=False)
        if not stat.S_ISDIR(info.st_mode):
            return info.st_mtime, info.st_size
        used, size = info.st_mtime, 0
        with os.scandir(path) as items:
            for item in items:
                with contextlib.suppress(OSError):
                    sub = item.stat(follow_symlinks=False)
                    used, size = max(used, sub.st_mtime), size + sub.st_size
        return used, size
    except OSError:
        return None


def prune(folder: str | os.PathLike, *, keep: str | os.PathLike, limit: int | None = None) -> int:
    """Remove ``folder``'s least recently used entries until it holds at most ``limit`` bytes.

    ``keep`` (the entry just written) stays whatever its size; a limit of 0 keeps only it.
    In a folder named ``fits`` or ``runs`` only the names those caches write count and go
    (`ENTRIES`). ``limit`` defaults to `max_bytes`. Returns the number of entries removed.
    """
    limit = max_bytes() if limit is None else limit
    if limit is None:
        return 0
    folder, keep = Path(folder), Path(keep)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return 0
    ours = ENTRIES.get(folder.name)
    entries, total = [], 0
    for name in names:
        # only what the cache writes: not another process's write in progress (a dot
        # file, `trends._io`), nor anything else put there
        if ours is not None and not ours.fullmatch(name) or name.startswith("."):
            continue
        found = _entry(folder / name)
        if found is None:
            continue
        total += found[1]
        if name != keep.name:
            entries.append((found[0], name, found[1]))
    removed = 0
    for _, name, size in sorted(entries):  # oldest use first; ties by name
        if total <= limit:
            break
        path = folder / name
        try:
            if stat.S_ISDIR(path.stat(follow_symlinks=False).st_mode):
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            continue
        total -= size
        removed += 1
    return removed
