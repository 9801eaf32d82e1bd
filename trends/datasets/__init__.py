"""Corpora shipped with the package."""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["trending_papers", "trending_papers_path"]


def trending_papers_path() -> str:
    """Path of the bundled trending-papers page text (see ``data/PROVENANCE.md``)."""
    return str(resources.files(__package__).joinpath("data", "trending_papers.txt"))


def trending_papers() -> pd.DataFrame:
    """The bundled corpus: 192 ML-systems papers from a trending-papers page, no dates.

    Returns
    -------
    pandas.DataFrame
        The canonical table (see `trends.load`), one row per paper.
    """
    from ..load import load

    return load(trending_papers_path(), format="trending")
