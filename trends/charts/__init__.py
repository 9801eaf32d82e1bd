"""Charts of themes and trends: one function per figure, one file per function.

Each takes tidy DataFrames (see `trends.frames`), styling arguments after ``*``, and
returns a `plotly.graph_objects.Figure` with the shared template and palette.
"""

from .burst_timeline import burst_timeline
from .emerging_themes import emerging_themes
from .facet_heatmap import facet_heatmap
from .feed_mix import feed_mix
from .keywords import keywords
from .lineage import lineage
from .paper_map import paper_map
from .paper_timeline import paper_timeline
from .theme_share import theme_share
from .theme_similarity import theme_similarity
from .theme_sizes import theme_sizes
from .theme_tree import theme_tree
from .vocabulary_timeline import vocabulary_timeline

__all__ = [
    "burst_timeline",
    "emerging_themes",
    "facet_heatmap",
    "feed_mix",
    "keywords",
    "lineage",
    "paper_map",
    "paper_timeline",
    "theme_share",
    "theme_similarity",
    "theme_sizes",
    "theme_tree",
    "vocabulary_timeline",
]
