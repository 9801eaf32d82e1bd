"""Find a sentence-transformers model offline first, and fail fast when it cannot be had.

A hub name that is neither in the local Hugging Face cache nor reachable used to cost
~50 DNS attempts and 87 s before a multi-line error. Here the cache is checked first
(``huggingface_hub``, without importing torch), then one connection to the hub with a
short timeout decides whether a download is worth trying at all.
"""

from __future__ import annotations

import os
import socket
import threading
from urllib.parse import urlparse

from ..errors import EmbeddingError

PROBE_TIMEOUT_S = 3.0
_TRUE = {"1", "on", "yes", "true"}


def _alternatives() -> str:
    from .backends import OPTIONS

    names = ", ".join(repr(name) for name in OPTIONS)
    return f"pass the folder of a downloaded copy, or choose an offline embedding: {names}"


def looks_like_path(name: str) -> bool:
    """True for what can only be a folder: absolute, ``./``/``~`` or more than one ``/``."""
    return (
        os.path.isabs(name)
        or name.startswith((".", "~"))
        or name.count("/") > 1
        or (os.sep != "/" and os.sep in name)
    )


def hub_candidates(name: str) -> list[str]:
    """Repository ids sentence-transformers may read ``name`` from (it prefixes bare names)."""
    return [name] if "/" in name else [f"sentence-transformers/{name}", name]


def cached_snapshot(name: str) -> str | None:
    """The local folder of ``name`` in the Hugging Face cache, or None (never any network)."""
    try:
        from huggingface_hub import snapshot_download
    except ImportError:  # pragma: no cover - a dependency of sentence-transformers
        return None
    for repo in hub_candidates(name):
        try:
            return snapshot_download(repo, local_files_only=True)
        except Exception:  # not cached, or not a valid repo id: either way not here
            continue
    return None


def offline_mode() -> bool:
    """True when the user told the Hugging Face libraries to stay offline."""
    return any(
        os.environ.get(var, "").strip().lower() in _TRUE
        for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def hub_unreachable_reason(timeout: float = PROBE_TIMEOUT_S) -> str | None:
    """Why the hub cannot be reached (None: it answered), within ``timeout`` seconds.

    DNS lookups cannot be given a timeout, so the connection runs in a daemon thread.
    """
    url = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    parsed = urlparse(url)
    host = parsed.hostname or "huggingface.co"
    port = parsed.port or (80 if parsed.scheme == "http" else 443)
    result: list[str | None] = []

    def probe():
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            result.append(None)
        except OSError as exc:
            result.append(f"{host}: {exc.strerror or type(exc).__name__}")

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    if not result:
        return f"{host}: no answer in {timeout:.0f} s"
    return result[0]


def locate(name: str) -> tuple[str, bool]:
    """Where to load ``name`` from: ``(path or repo id, local_files_only)``.

    Raises
    ------
    EmbeddingError
        The folder does not exist, or the model is not cached and the hub is off limits.
    """
    if os.path.exists(os.path.expanduser(name)):
        return os.path.expanduser(name), True
    if looks_like_path(name):
        raise EmbeddingError(f"embedding model folder {name!r} does not exist; {_alternatives()}")
    snapshot = cached_snapshot(name)
    if snapshot is not None:
        return snapshot, True
    if offline_mode():
        raise EmbeddingError(
            f"embedding model {name!r} is not in the local Hugging Face cache and "
            f"HF_HUB_OFFLINE is set; {_alternatives()}"
        )
    reason = hub_unreachable_reason()
    if reason is not None:
        raise EmbeddingError(
            f"embedding model {name!r} is not on this machine and the Hugging Face hub "
            f"cannot be reached ({reason}); {_alternatives()}"
        )
    return name, False
