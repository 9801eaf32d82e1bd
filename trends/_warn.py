"""Where the package's warnings point: at the user's line, not at the package's own.

``warnings.warn(message, category, stacklevel=user_level())`` names the first frame
outside this package (the user's call, in a script or a notebook cell), however deep in the
package the warning is raised: a fixed ``stacklevel`` names a line of the package as soon
as the call comes by another path. Python's "default" filter shows a warning once per
place, so the place is also what decides whether a second fit's warning is shown.

On the command line (`trends.cli`) the warnings stay at the package's line: that is how it
tells its own warnings, printed on one line, from other libraries'.
"""

from __future__ import annotations

import os
import sys

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_at_package = False  # set by the command line while a command runs


def user_level() -> int:
    """The ``stacklevel`` that makes the caller's ``warnings.warn`` name the user's line."""
    if _at_package:
        return 1
    frame = sys._getframe(1)  # the function that calls warnings.warn: stacklevel 1
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    return level if frame is not None else 2


class at_package:  # noqa: N801 - a context manager, named as one
    """Inside it, the package's warnings name the package's own line (`trends.cli`)."""

    def __enter__(self):
        global _at_package
        self._before, _at_package = _at_package, True
        return self

    def __exit__(self, *exc):
        global _at_package
        _at_package = self._before
        return False
