"""One family of errors: what the user can fix, as opposed to a bug.

Every error this package raises on purpose about the user's input, files or setup derives
from `TrendsError`. The command line prints those on one line and exits with status 2;
anything else is a bug and shows its traceback (exit 1). Each class also derives from the
built-in type a caller would expect (``ValueError``, ``OSError``), as scikit-learn's
`NotFittedError` does.
"""

from __future__ import annotations


class TrendsError(Exception):
    """Base class of the errors that report bad input, files or setup (not bugs)."""


class InputError(TrendsError, ValueError):
    """The papers or arguments given cannot be used (too few papers, a bad option value)."""


class NoDatesError(InputError):
    """The corpus has no dated papers, so nothing can be said about time."""


class EmptyWindowError(NoDatesError):
    """A window of time holds no papers (a gap in a feed), though the papers have dates.

    A `NoDatesError` too, for the callers that catch that one: either way there is no
    time comparison to make.
    """


class ModelFileError(TrendsError, ValueError):
    """A saved model file is missing, damaged, or written by a newer version."""


class EmbeddingError(TrendsError, RuntimeError):
    """The embedding model cannot be loaded or reached (offline, missing package)."""


class StoreError(TrendsError):
    """A store cannot be opened, is locked by another writer, or does not match the update."""


__all__ = [
    "EmbeddingError",
    "EmptyWindowError",
    "InputError",
    "ModelFileError",
    "NoDatesError",
    "StoreError",
    "TrendsError",
]
