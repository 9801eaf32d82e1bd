"""Ctrl-C and SIGTERM in the command line: never lost, and never a half-done output.

Python turns Ctrl-C into `KeyboardInterrupt` wherever the main thread is. When that is a
finaliser or a ctypes callback (numba's compiler, while UMAP compiles on first use), it
is printed as "Exception ignored" and dropped, and the run went on to write its output.
`install` records each signal, raises it again after such a loss, and turns SIGTERM (a
scheduler, ``timeout``, ``docker stop``) into `Terminated`, so that it too unwinds: the
finished embedding batches are kept and a temporary output file is removed.
"""

from __future__ import annotations

import signal
import sys
import threading

_received: list[int] = []
_installed: list[bool] = []


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C's `KeyboardInterrupt` would be."""


def install() -> None:
    """Handle SIGINT and SIGTERM in this process (from the main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return
    _installed.append(True)
    _handle()
    previous = sys.unraisablehook

    def hook(unraisable) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt) and _received:
            # Lost in a finaliser: deliver it again in a moment, from another thread (at
            # once, it would be raised in this hook, and lost again).
            import _thread

            threading.Timer(0.05, _thread.interrupt_main, args=(_received[-1],)).start()
            return
        previous(unraisable)

    sys.unraisablehook = hook


def _handle() -> None:
    signal.signal(signal.SIGINT, _handler)
    signal.signal(signal.SIGTERM, _handler)


def restore() -> None:
    """Take the signals back after a library set its own (``ray.init`` sets SIGTERM's)."""
    if _installed and threading.current_thread() is threading.main_thread():
        _handle()


def _handler(signum, frame) -> None:
    _received.append(signum)
    raise _interrupt(signum)


def _interrupt(signum: int) -> KeyboardInterrupt:
    """What a signal raises: `Terminated` for SIGTERM, `KeyboardInterrupt` for Ctrl-C."""
    return Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def received() -> int | None:
    """The first signal received (`signal.SIGINT` or `signal.SIGTERM`), or None."""
    return _received[0] if _received else None


def check() -> None:
    """Raise the interrupt again if one came and was lost: before anything is written."""
    if _received:
        raise _interrupt(_received[0])
