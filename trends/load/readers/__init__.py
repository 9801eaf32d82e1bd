"""One reader per source format. Each yields ``(line, record)`` pairs of raw dicts."""

from .atom import read_atom
from .bibtex import read_bibtex
from .records import read_csv, read_json, read_jsonl, read_parquet, read_tsv
from .trending import read_trending

READERS = {
    "trending": read_trending,
    "jsonl": read_jsonl,
    "json": read_json,
    "csv": read_csv,
    "tsv": read_tsv,
    "parquet": read_parquet,
    "atom": read_atom,
    "bibtex": read_bibtex,
}
BINARY_FORMATS = {"parquet"}
# Formats whose records each bring their own keys (a table's rows share its header).
RECORD_STREAMS = {"jsonl", "json"}

__all__ = ["BINARY_FORMATS", "READERS", "RECORD_STREAMS"]
