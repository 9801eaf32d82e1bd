"""Find the files behind the user's sources and read them as text, whatever the encoding."""

from __future__ import annotations

import glob
import gzip
import os
import zlib
from pathlib import Path

from .errors import LoadError

FORMATS = ("trending", "jsonl", "json", "csv", "tsv", "parquet", "atom", "bibtex")
_EXTENSIONS = {
    ".txt": "trending",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xml": "atom",
    ".atom": "atom",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
}
_GZIP_MAGIC = b"\x1f\x8b"
_PARQUET_MAGIC = b"PAR1"


def expand(sources) -> list[str]:
    """Files named by paths, folders (their known-format files, sorted) and glob patterns."""
    files: list[str] = []
    for source in sources:
        text = os.fspath(source)
        if any(ch in text for ch in "*?["):
            matches = sorted(m for m in glob.glob(text, recursive=True) if os.path.isfile(m))
            if not matches:
                raise LoadError("no file matches this pattern", path=text)
            files.extend(matches)
            continue
        path = Path(text)
        if path.is_dir():
            found = sorted(
                str(p)
                for p in path.iterdir()
                if p.is_file() and not p.name.startswith(".") and _known(p.name)
            )
            if not found:
                raise LoadError(
                    "folder holds no file of a known format "
                    f"({', '.join(sorted(set(_EXTENSIONS)))}, optionally .gz)",
                    path=text,
                )
            files.extend(found)
        elif path.is_file():
            files.append(text)
        else:
            raise LoadError("no such file or folder", path=text)
    return files


def _known(name: str) -> bool:
    return _extension(name) in _EXTENSIONS


def _extension(name: str) -> str:
    name = name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return os.path.splitext(name)[1]


def read_bytes(path: str) -> bytes:
    """The file's bytes, gunzipped when it is gzip; a truncated archive is a `LoadError`."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}", path=path) from None
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as exc:
            raise LoadError(f"corrupt or truncated gzip archive ({exc})", path=path) from None
    elif path.lower().endswith(".gz"):
        raise LoadError("named .gz but is not a gzip archive", path=path)
    if not data.strip():
        raise LoadError("file is empty", path=path)
    return data


def detect_format(path: str, data: bytes) -> str:
    """The format from the extension, else from the content."""
    by_ext = _EXTENSIONS.get(_extension(path))
    if by_ext == "json":
        head = data.lstrip()[:1]
        # A `.json` file holding one object per line is JSON Lines.
        if head == b"{" and data.strip().count(b"\n") and _looks_like_jsonl(data):
            return "jsonl"
        return "json"
    if by_ext:
        return by_ext
    head = data.lstrip()[:200]
    if data[:4] == _PARQUET_MAGIC:
        return "parquet"
    if head.startswith(b"<?xml") or head.startswith(b"<feed"):
        return "atom"
    if head.startswith(b"@"):
        return "bibtex"
    if head.startswith(b"["):
        return "json"
    if head.startswith(b"{"):
        return "jsonl" if _looks_like_jsonl(data) else "json"
    raise LoadError(
        "unknown format: name it with format= (one of " + ", ".join(FORMATS) + ")",
        path=path,
    )


def _looks_like_jsonl(data: bytes) -> bool:
    first = data.lstrip().split(b"\n", 1)[0].strip()
    return first.startswith(b"{") and first.endswith(b"}")


def decode(path: str, data: bytes, encodings: dict[str, str]) -> str:
    """Text of a file: UTF-8 when it is, else the detected encoding (recorded in ``encodings``)."""
    if b"\x00" in data[:8192]:
        raise LoadError("binary content, not text", path=path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise LoadError("binary content, not text in any known encoding", path=path)
    encoding = best.encoding
    # Old Western exports are cp1252 far more often than the Latin-x sisters that
    # detection cannot tell apart on short texts.
    if encoding in {"latin_1", "iso8859_15", "iso8859_2", "iso8859_9", "cp1250"} and _is(
        data, "cp1252"
    ):
        encoding = "cp1252"
    encodings[path] = encoding
    text = str(best) if encoding == best.encoding else data.decode(encoding)
    if _mostly_control(text):
        raise LoadError("binary content, not text", path=path)
    return text


def _is(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _mostly_control(text: str) -> bool:
    sample = text[:4096]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return bad > max(4, len(sample) // 50)
