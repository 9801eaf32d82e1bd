"""The tables a function takes (a chart, the lineage events), checked up front."""

from __future__ import annotations

import pandas as pd

from .errors import InputError


def checked_table(frame, chart: str, needs: tuple, source: str) -> pd.DataFrame:
    """``frame``, once it is a DataFrame holding every column of ``needs``.

    An entry of ``needs`` that is a tuple is met by any one of its columns. Else an
    `InputError` names the chart, the missing columns, the ones the table has, and
    ``source``: where the table a chart takes comes from.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            f"{chart} takes a table (a pandas DataFrame) from {source}, "
            f"not a {type(frame).__name__}"
        )
    have = set(map(str, frame.columns))
    missing = [
        " or ".join(need) if isinstance(need, tuple) else need
        for need in needs
        if not (set(need) & have if isinstance(need, tuple) else need in have)
    ]
    if missing:
        shown = ", ".join(map(str, frame.columns[:12])) + (", ..." if len(have) > 12 else "")
        raise InputError(
            f"{chart} needs the column(s) {', '.join(missing)}, which this table lacks "
            f"(it has: {shown or 'no columns'}); it takes the table from {source}"
        )
    return frame
