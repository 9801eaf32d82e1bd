"""Daily updates that keep theme identity, in a local SQLite database.

A `Store` holds the papers seen so far, each snapshot's arrival, and each run's theme
assignments and theme descriptions. `Store.update` adds new papers (de-duplicated
against the store), embeds only those (the embedding cache holds the rest), places them
in the known themes, and refits when asked or when too many new papers fit no theme.
After a refit, new themes are matched one-to-one to the previous ones (Hungarian
assignment on shared papers, centroid and keyword similarity): a matched theme keeps its
id, an unmatched one gets a new id, and a previous theme left unmatched is recorded as
ended.

``db`` is the SQLite layer, ``lineage`` the pure matching, id and refit rules, ``update``
the order of one update.
"""

from .db import Store
from .lineage import match_themes
from .update import UpdateResult

__all__ = ["Store", "UpdateResult", "match_themes"]
