"""Charts of themes and trends: one function per figure, one file per function.

Each takes tidy DataFrames (see `trends.frames`), styling arguments after ``*``, and
returns a `plotly.graph_objects.Figure` with the shared template and palette.
"""

from .emerging_themes import emerging_themes
from .keywords import keywords
from .paper_map import paper_map
from .theme_share import theme_share
from .theme_similarity import theme_similarity
from .theme_sizes import theme_sizes

__all__ = [
    "emerging_themes",
    "keywords",
    "paper_map",
    "theme_share",
    "theme_similarity",
    "theme_sizes",
]
