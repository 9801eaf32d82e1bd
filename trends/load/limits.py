"""The loader's resource limits: what it refuses, so that no input can exhaust the machine.

Each limit is a module constant; a caller with unusual data may raise one before calling
`trends.load` (``trends.load.limits.MAX_FILE_BYTES = 2**30``). What happens at each limit:

- ``MAX_FILE_BYTES``: a file (or what a ``.gz`` file inflates to) larger than this is
  refused with a `LoadError`. Inflating stops at the limit, so a small "zip bomb" costs
  at most this much memory and about a second.
- ``MAX_RECORD_CHARS``: one record (a JSON Lines line, a CSV row, a line of a trending
  page) longer than this is a counted skip.
- ``MAX_FIELD_CHARS``: a title or abstract longer than this is a counted skip.
- ``MAX_VALUE_CHARS``: an id, date or url longer than this is treated as missing.
- ``MAX_NUMBER_DIGITS``: a number with more digits (or a larger exponent) than this is not
  an id or a date: it is treated as missing, never spelled out (``1e2000000000`` would be
  two billion characters).
- ``MAX_RECORD_LINES``: a CSV/TSV record may span at most this many physical lines (a
  quoted field with line breaks); one that runs longer is an unterminated quote, and the
  lines after its first are read again on their own.
- ``MAX_COLUMNS``: a table with more columns is refused.
- ``MAX_JSON_CONTAINERS``: a JSON document holding more objects and arrays than this is
  refused (each costs about a hundred bytes of memory however small it is in the file);
  JSON Lines files are read line by line and need no such limit.
- ``MAX_SKIPPED``: a load with more unusable records than this, and fewer than one usable
  record in ten, is refused (a file of millions of junk lines is not a file of papers,
  and listing each skip would cost gigabytes); the error names the first skip. An export
  where many records lack an abstract (a third usable, say) is read whatever its size.
- ``MAX_WARNINGS``: at most this many warnings are listed in the load report; the rest
  are counted (``warnings_not_listed``).
- ``MAX_LATEX_SEGMENTS``: at most this many LaTeX pieces of one text go through the LaTeX
  parser (about 0.3 ms each); the rest lose their commands by a quick rule instead.
"""

from __future__ import annotations

MAX_FILE_BYTES = 256 * 2**20
MAX_RECORD_CHARS = 1_000_000
MAX_FIELD_CHARS = 100_000
MAX_VALUE_CHARS = 2_000
MAX_NUMBER_DIGITS = 40
MAX_RECORD_LINES = 2_000
MAX_COLUMNS = 10_000
MAX_JSON_CONTAINERS = 5_000_000
MAX_LATEX_SEGMENTS = 200
MAX_SKIPPED = 100_000
MAX_WARNINGS = 10_000

__all__ = [
    "MAX_COLUMNS",
    "MAX_FIELD_CHARS",
    "MAX_FILE_BYTES",
    "MAX_JSON_CONTAINERS",
    "MAX_LATEX_SEGMENTS",
    "MAX_NUMBER_DIGITS",
    "MAX_RECORD_CHARS",
    "MAX_RECORD_LINES",
    "MAX_SKIPPED",
    "MAX_VALUE_CHARS",
    "MAX_WARNINGS",
]
