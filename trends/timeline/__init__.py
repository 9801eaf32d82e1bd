"""Themes over time: shares, rising and fading themes, bursts, vocabulary, watch-lists.

The modules, in the order the data flows:

- `periods`: the dates at the precision they have, binned into periods; partial periods;
- `shares`: the share of each theme per period (`theme_trends`), also adjusted for the
  corpus' mix, and `resolve` (a model, a store, a watch-list or plain data);
- `emerging`: rising, fading and new themes, with false-discovery control and the
  Mantel-Haenszel adjustment for the mix;
- `mix`: abrupt changes of what the corpus collects;
- `bursts`: Kleinberg's bursts of themes and phrases;
- `vocabulary`: each theme's keywords per period, and the phrases gaining weight;
- `watch`: the user's own topics, followed like themes;
- `facets`: themes by category, venue or source;
- `lineage`: what became of a store's themes across refits;
- `sections`: the report's sections built from all of these.
"""

from ..errors import NoDatesError
from .bursts import bursts, kleinberg
from .emerging import emerging, emerging_table, rate_ratio_ci
from .facets import facets
from .lineage import lineage_events, lineage_flows
from .mix import mix_changes, mix_shares
from .periods import (
    AUTO_FREQS,
    PAPERS_PER_THEME,
    Periods,
    choose_freq,
    date_precision,
    periods_of,
    stray_dates,
)
from .sections import (
    bursts_section,
    facets_section,
    lineage_section,
    mix_section,
    report_section,
    trends_section,
    vocabulary_section,
    watch_section,
)
from .shares import resolve, share_table, theme_trends
from .vocabulary import vocabulary, vocabulary_change
from .watch import DEFAULT_THRESHOLD, WatchList, read_phrases, watch

__all__ = [
    "AUTO_FREQS",
    "DEFAULT_THRESHOLD",
    "PAPERS_PER_THEME",
    "NoDatesError",
    "Periods",
    "WatchList",
    "bursts",
    "bursts_section",
    "choose_freq",
    "date_precision",
    "emerging",
    "emerging_table",
    "facets",
    "facets_section",
    "kleinberg",
    "lineage_events",
    "lineage_flows",
    "lineage_section",
    "mix_changes",
    "mix_section",
    "mix_shares",
    "periods_of",
    "rate_ratio_ci",
    "read_phrases",
    "report_section",
    "resolve",
    "share_table",
    "stray_dates",
    "theme_trends",
    "trends_section",
    "vocabulary",
    "vocabulary_change",
    "vocabulary_section",
    "watch",
    "watch_section",
]
