"""trends: turn a pile of research-paper abstracts into themes and trends people can see.

The data flows one way: `load` (any source -> the canonical table) -> `ThemeModel`
(embeddings -> UMAP -> HDBSCAN -> keywords) -> `charts` and `write_report`, with
`theme_trends` and `emerging` for themes over time and `Store` for daily updates.
"""

from importlib.metadata import PackageNotFoundError, version

from . import charts, datasets, frames, metrics
from .load import LoadError, load
from .model import ThemeModel
from .report import write_report
from .timeline import NoDatesError, emerging, theme_trends

try:
    __version__ = version("trends")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

__all__ = [
    "LoadError",
    "NoDatesError",
    "ThemeModel",
    "__version__",
    "charts",
    "datasets",
    "emerging",
    "frames",
    "load",
    "metrics",
    "theme_trends",
    "write_report",
]
