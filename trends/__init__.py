"""trends: turn a pile of research-paper abstracts into themes and trends people can see.

The data flows one way: `load` (any source -> the canonical table) -> `ThemeModel`
(embeddings -> UMAP -> HDBSCAN -> keywords) -> `charts` and `write_report`, with
`theme_trends` and `emerging` for themes over time and `Store` for daily updates.

Importing the package is cheap: submodules and their heavy dependencies (plotly,
pandas, torch) load on first use, as in scikit-learn's ``__init__``.
"""

from __future__ import annotations

import importlib

from . import _numba_target
from .errors import (
    EmbeddingError,
    EmptyWindowError,
    InputError,
    ModelFileError,
    NoDatesError,
    StoreError,
    TrendsError,
)

# Before anything compiles with numba (umap, pynndescent): the same machine code, and so
# the same themes, on every CPU (see `trends._numba_target`).
_numba_target.pin()

# name -> (module, attribute or None for the module itself)
_LAZY = {
    "LoadError": ("trends.load", "LoadError"),
    "EngineError": ("trends.engine", "EngineError"),
    "load": ("trends.load", None),  # the package is callable: trends.load(...) loads
    "ThemeModel": ("trends.model", "ThemeModel"),
    "write_report": ("trends.report", "write_report"),
    "theme_trends": ("trends.timeline", "theme_trends"),
    "emerging": ("trends.timeline", "emerging"),
    "bursts": ("trends.timeline", "bursts"),
    "watch": ("trends.timeline", "watch"),
    "facets": ("trends.timeline", "facets"),
    "vocabulary": ("trends.timeline", "vocabulary"),
    "Store": ("trends.store", "Store"),
    "charts": ("trends.charts", None),
    "datasets": ("trends.datasets", None),
    "frames": ("trends.frames", None),
    "hierarchy": ("trends.hierarchy", None),
    "namers": ("trends.namers", None),
    "naming": ("trends.naming", None),
    "metrics": ("trends.metrics", None),
    "timeline": ("trends.timeline", None),
}

__all__ = [
    "EmbeddingError",
    "EmptyWindowError",
    "EngineError",
    "InputError",
    "LoadError",
    "ModelFileError",
    "NoDatesError",
    "StoreError",
    "Store",
    "ThemeModel",
    "TrendsError",
    "__version__",
    "bursts",
    "charts",
    "datasets",
    "emerging",
    "facets",
    "frames",
    "hierarchy",
    "load",
    "metrics",
    "namers",
    "naming",
    "theme_trends",
    "timeline",
    "vocabulary",
    "watch",
    "write_report",
]


def __getattr__(name: str):
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("trends")
        except PackageNotFoundError:  # running from a source tree without installing
            value = "0+unknown"
    elif name in _LAZY:
        module, attr = _LAZY[name]
        value = importlib.import_module(module)
        if attr is not None:
            value = getattr(value, attr)
    else:
        raise AttributeError(f"module 'trends' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
