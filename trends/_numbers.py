"""What counts as a number in an option: `is_whole` and `is_real` (never a bool)."""

from __future__ import annotations

import math

import numpy as np


def is_whole(value) -> bool:
    """An int or numpy integer (``True`` is not a count)."""
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def is_real(value) -> bool:
    """A finite int, float or numpy number (not a bool, NaN or infinity)."""
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )
