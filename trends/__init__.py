"""trends: turn a pile of research-paper abstracts into themes and trends people can see."""

from importlib.metadata import PackageNotFoundError, version

from . import datasets
from .load import LoadError, load
from .model import ThemeModel

try:
    __version__ = version("trends")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

__all__ = ["LoadError", "ThemeModel", "__version__", "datasets", "load"]
