"""Atomic file writes: a temporary file in the same folder, then a rename.

A path that is a symbolic link is written through: its target is replaced (atomically,
beside the target) and the link stays. A path that exists but is not a regular file (a
folder, a named pipe, a device, a socket) is refused: a rename would put a regular file in
its place.

What a user asks to be written (a report, a table: `write_output`) may also go to a stream
instead: a named pipe, a character device (``/dev/null``) or an open file descriptor
(``/dev/stdout``, ``/dev/fd/3``, a shell's ``>(...)``) is written into as it is, since
there is no earlier file to keep whole.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import threading
from pathlib import Path


def file_kind(mode: int) -> str | None:
    """What a file of ``mode`` is, when it is not a regular file (None when it is)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


# Paths that name a descriptor of this process (Linux, macOS): written into, never replaced.
_DESCRIPTOR_PREFIXES = ("/dev/fd/", "/proc/self/fd/")
_DESCRIPTOR_NAMES = ("/dev/stdout", "/dev/stderr")


def is_stream(path: str | os.PathLike) -> bool:
    """Whether writing to ``path`` means writing into a stream, not replacing a file.

    True for a named pipe or a character device (``/dev/null``), and for a path that names
    one of this process's open descriptors (``/dev/stdout``, ``/dev/fd/N``), whatever it
    is open on.
    """
    name = os.fspath(path)
    if name in _DESCRIPTOR_NAMES or name.startswith(_DESCRIPTOR_PREFIXES):
        return True
    try:
        mode = os.stat(name).st_mode  # follows links, /proc's magic ones included
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def check_output(path: str | os.PathLike) -> None:
    """Refuse now a path `write_output` could not write: a folder, a socket, a block device.

    Raises
    ------
    OSError
        Its message says what the path is.
    """
    if not is_stream(path):
        write_target(path)


def write_output(path: str | os.PathLike, data: bytes) -> None:
    """Write what a user asked for: into a stream (see `is_stream`), else atomically.

    A named pipe blocks until something reads it, as a shell's ``>`` would.
    """
    if is_stream(path):
        with open(path, "wb") as fh:
            fh.write(data)
        return
    atomic_write_bytes(path, data)


def write_target(path: str | os.PathLike) -> Path:
    """The file a write to ``path`` replaces: ``path``, or the file its links lead to.

    Raises
    ------
    OSError
        ``path`` exists (or leads) to something that is not a regular file; its message
        says what it is.
    """
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return target
    except NotADirectoryError:
        return target  # mkdir of the parent then reports what is in the way
    kind = file_kind(mode)
    if kind is not None:
        code = errno.EISDIR if stat.S_ISDIR(mode) else errno.EINVAL
        what = f"{kind}, not a regular file"
        if target != path:
            what = f"a link to {target}, which is {what}"
        raise OSError(code, what, str(path))
    return target


# Reading the umask means setting it: two threads writing at once (two fits' caches)
# would otherwise read each other's 0 and leave the process with umask 0.
_UMASK_LOCK = threading.Lock()


def _umask() -> int:
    with _UMASK_LOCK:
        umask = os.umask(0)
        os.umask(umask)
    return umask


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never half.

    A symbolic link is written through (its target is replaced); a path that is not a
    regular file (a folder, a named pipe, a device) raises `OSError` and is left as it is.
    """
    path = write_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The temporary name adds 14 bytes: a long name is cut so that it stays under 255.
    name = path.name
    while len(os.fsencode(name)) > 200:
        name = name[:-1]
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            # mkstemp makes the file private (0600); give it the mode a plain open() would.
            umask = _umask()
            os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~umask)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Text version of `atomic_write_bytes` (UTF-8)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def unwritable_reason(root: str | os.PathLike) -> str | None:
    """Why nothing can be written under the folder ``root``, or None when it can.

    ``root`` need not exist: its nearest existing ancestor must then be a writable folder.
    """
    root = Path(root)
    here = root
    while True:
        try:
            mode = os.stat(here).st_mode
        except (FileNotFoundError, NotADirectoryError):
            if here.parent == here:
                return None
            here = here.parent
            continue
        except OSError as exc:
            return f"{here}: {exc.strerror or exc}"
        if not stat.S_ISDIR(mode):
            return f"{here} is a file, not a folder"
        if os.access(here, os.W_OK | os.X_OK):
            return None
        try:
            read_only = bool(os.statvfs(here).f_flag & os.ST_RDONLY)
        except (OSError, AttributeError):
            read_only = False
        return "a read-only file system" if read_only else f"no permission to write in {here}"
