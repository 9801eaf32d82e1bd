"""Find the files behind the user's sources and read them as text, whatever the encoding."""

from __future__ import annotations

import codecs
import fnmatch
import glob
import os
import re
import stat
import unicodedata
import zlib
from functools import cache, lru_cache
from pathlib import Path

from .._io import file_kind
from . import limits
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
# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CHUNK = 1 << 20


def expand(sources, seen: set[str] | None = None) -> list[str]:
    """Files named by paths, folders (their known-format files, sorted) and glob patterns.

    A file reached twice (named twice, or through a symbolic link) is listed once: ``seen``
    holds the real paths already listed, across calls. Recursive patterns (``**``) visit
    each real folder once, so a link pointing back up the tree (``dir/self -> .``) ends.
    """
    seen = set() if seen is None else seen
    files: list[str] = []
    for source in sources:
        text = os.fspath(source)
        if not text.strip():
            raise LoadError("empty source name: name a file, folder or glob pattern")
        # A name that exists as given is that file or folder, even with [ ] * ? in it
        # (papers[1].csv); only a name that does not is a pattern.
        if glob.has_magic(text) and not os.path.lexists(text):
            found = _glob(text)
            if not found:
                raise LoadError("no file matches this pattern", path=text)
        elif os.path.isdir(text):
            found = sorted(
                str(p)
                for p in Path(text).iterdir()
                if not p.name.startswith(".") and _known(p.name) and p.is_file()
            )
            if not found:
                raise LoadError(
                    "folder holds no file of a known format "
                    f"({', '.join(sorted(set(_EXTENSIONS)))}, optionally .gz)",
                    path=text,
                )
        elif os.path.isfile(text):
            found = [text]
        elif os.path.lexists(text):
            raise LoadError(_not_regular(text), path=text)
        elif _is_text(text):
            # e.g. trends.load(df["abstract"]): a column counts as its items, paths
            raise LoadError(
                f"not a file name but a text of {len(text):,} characters "
                f"({text[:60]!r}...): to load texts, give a DataFrame with an abstract "
                "column (trends.load(pd.DataFrame({'abstract': texts}))), or fit "
                "ThemeModel on the texts"
            )
        else:
            raise LoadError("no such file or folder", path=text)
        for path in found:
            real = os.path.realpath(path)
            if real not in seen:
                seen.add(real)
                files.append(path)
    return files


def reading(sources, path) -> str | None:
    """The source of ``sources`` that would list the file ``path`` (existing or not).

    A folder lists its known-format files, a glob pattern the files it matches (as
    `expand` does: ``**`` stands for zero or more folders, hidden names are skipped). The
    path is tried as given and through its links: a folder or a file reached through a
    symbolic link is listed under the link's name. None when no source would list it.
    """
    given = os.path.abspath(path)
    folder = os.path.realpath(os.path.dirname(given))
    places = dict.fromkeys(
        [given, os.path.join(folder, os.path.basename(given)), os.path.realpath(path)]
    )
    for source in sources:
        text = os.fspath(source)
        if glob.has_magic(text) and not os.path.lexists(text):
            base, rest = _split_pattern(text)
            bases = dict.fromkeys([os.path.abspath(base), os.path.realpath(base)])
            if any(_under(place, b, tuple(rest)) for place in places for b in bases):
                return text
        elif os.path.isdir(text):
            name = os.path.basename(given)
            if folder == os.path.realpath(text) and not name.startswith(".") and _known(name):
                return text
    return None


def _under(place: str, base: str, rest: tuple[str, ...]) -> bool:
    """Whether the pattern ``base/rest...`` lists the file at ``place``."""
    relative = os.path.relpath(place, base)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return False
    parts = tuple(relative.split(os.sep))
    hidden = any(part.startswith(".") for part in parts)
    return not (hidden and not any(r.startswith(".") for r in rest)) and _match(rest, parts)


def _split_pattern(pattern: str) -> tuple[str, list[str]]:
    """``pattern``'s folder before its first wildcard ("." if none), and the parts after."""
    parts = pattern.replace(os.sep, "/").split("/")
    k = next(i for i, part in enumerate(parts) if glob.has_magic(part))
    return "/".join(parts[:k]) or ("/" if pattern.startswith("/") else "."), parts[k:]


def _not_regular(path: str) -> str:
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:  # a dangling link, or a link that points at itself
        return f"a symbolic link that leads nowhere ({exc.strerror or exc})"
    return f"{file_kind(mode) or 'not a regular file'}, not a file: name a regular file"


def _glob(pattern: str) -> list[str]:
    if "**" not in pattern:
        # Without `**` the depth is bounded by the pattern: the standard glob cannot loop.
        return sorted(m for m in glob.glob(pattern) if os.path.isfile(m))
    base, rest = _split_pattern(pattern)
    found: list[str] = []
    visited: set[str] = set()

    def walk(folder: str, rel: tuple[str, ...]) -> None:
        real = os.path.realpath(folder)
        if real in visited:
            return
        visited.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue  # as the standard glob: hidden names need an explicit pattern
            here = (*rel, entry.name)
            path = os.path.join(base, *here) if base != "." else os.path.join(*here)
            try:
                if entry.is_dir():
                    walk(path, here)
                elif entry.is_file() and _match(tuple(rest), here):
                    found.append(path)
            except OSError:
                continue

    walk(base, ())
    return sorted(found)


@lru_cache(maxsize=4096)
def _match(pattern: tuple[str, ...], path: tuple[str, ...]) -> bool:
    """Glob-match path components, ``**`` standing for zero or more folders."""
    if not pattern:
        return not path
    head = pattern[0]
    if head == "**":
        return any(_match(pattern[1:], path[i:]) for i in range(len(path) + 1))
    return bool(path) and fnmatch.fnmatchcase(path[0], head) and _match(pattern[1:], path[1:])


def _is_text(name: str) -> bool:
    """Whether a name that is no file reads as a sentence rather than a mistyped path."""
    if len(name) > 255 or "\n" in name:
        return True
    return name.count(" ") >= 5 and os.sep not in name and not _known(name)


def _known(name: str) -> bool:
    return _extension(name) in _EXTENSIONS


def _extension(name: str) -> str:
    name = name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return os.path.splitext(name)[1]


def read_bytes(path: str) -> bytes:
    """The file's bytes, gunzipped when it is gzip, at most `limits.MAX_FILE_BYTES`.

    Raises
    ------
    LoadError
        Not a regular file, unreadable, empty, larger than the limit (or inflating past
        it), or a corrupt or truncated gzip archive.
    """
    cap = limits.MAX_FILE_BYTES
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise LoadError(_not_regular(path), path=path)
        if info.st_size > cap:
            raise LoadError(_too_big(info.st_size), path=path)
        with open(path, "rb") as fh:
            head = fh.read(2)
            if head == _GZIP_MAGIC:
                fh.seek(0)
                data = _gunzip(fh, path, cap)
            else:
                data = head + fh.read(cap + 1 - len(head))
                if len(data) > cap:  # the file grew since it was measured
                    raise LoadError(_too_big(len(data)), path=path)
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}", path=path) from None
    if head != _GZIP_MAGIC and path.lower().endswith(".gz"):
        raise LoadError("named .gz but is not a gzip archive", path=path)
    if not data or data.isspace():
        raise LoadError("file is empty", path=path)
    return data


def _too_big(size: int | None) -> str:
    limit = f"the loader's limit of {limits.MAX_FILE_BYTES / 2**20:,.0f} MiB"
    what = (
        f"is {size / 2**20:,.0f} MiB, more than {limit}"
        if size
        else f"inflates to more than {limit}"
    )
    return f"{what}: split it, or raise trends.load.limits.MAX_FILE_BYTES"


def _gunzip(fh, path: str, cap: int) -> bytes:
    """Inflate a (possibly multi-member) gzip stream, stopping as soon as it passes ``cap``."""
    out = bytearray()
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    pending = b""  # input not yet given to the current inflater
    while True:
        if not pending:
            pending = fh.read(_CHUNK)
            if not pending:
                break
        try:
            out += inflater.decompress(pending, cap + 1 - len(out))
        except zlib.error as exc:
            raise LoadError(f"corrupt or truncated gzip archive ({exc})", path=path) from None
        if len(out) > cap:
            raise LoadError(_too_big(None), path=path)
        if not inflater.eof:
            pending = inflater.unconsumed_tail
            continue
        # One member ended: another may follow, or zero padding, or nothing.
        pending = inflater.unused_data or fh.read(_CHUNK)
        if not pending.strip(b"\x00"):
            return bytes(out)
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    if not inflater.eof:
        raise LoadError("corrupt or truncated gzip archive (it ends mid-stream)", path=path)
    return bytes(out)


def detect_format(path: str, data: bytes) -> str:
    """The format from the extension, else from the content."""
    if data.startswith(b"SQLite format 3\x00"):
        raise LoadError(
            "an SQLite database (a trends store?), not a file of papers: a store is read "
            "alone (trends report STORE, trends.emerging(Store(path))) and fed with "
            "trends update STORE FILES...",
            path=path,
        )
    by_ext = _EXTENSIONS.get(_extension(path))
    if by_ext == "json":
        head = data.lstrip()[:1]
        # A `.json` file holding one object per line is JSON Lines.
        if head == b"{" and data.strip().count(b"\n") and _looks_like_jsonl(data):
            return "jsonl"
        return "json"
    if by_ext in ("trending", None):
        _refuse_tagged(path, data)
    if by_ext == "trending":
        # Excel's "Unicode Text" and many exports are tables saved as .txt.
        return _table_in_text(data) or by_ext
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
        "unknown format: name it with format= (--format on the command line), one of "
        + ", ".join(FORMATS),
        path=path,
    )


# Tagged exports (one field per line, a tag in front): formats trends does not read, which
# would otherwise pass for a trending page of odd titles.
_TAGGED = (
    (re.compile(rb"^TY  - ", re.MULTILINE), "a RIS export (lines such as 'TY  - JOUR')"),
    (re.compile(rb"^PMID- ", re.MULTILINE), "a PubMed/MEDLINE export (lines such as 'PMID- ')"),
    (
        re.compile(rb"^(?:\xef\xbb\xbf)?FN .*\r?\n(?:VR .*\r?\n)?PT ", re.MULTILINE),
        "a Web of Science plain-text export (lines such as 'PT J')",
    ),
)


# A tagged line: RIS "TY  - ", MEDLINE "PMID- " / "AU  - ", WoS "PT J", or a continuation
# line indented under one.
_TAG_LINE = re.compile(rb"^(?:\xef\xbb\xbf)?(?:[A-Z][A-Z0-9]{1,3}\s*- |[A-Z][A-Z0-9] |\s{2,}\S)")


def _refuse_tagged(path: str, data: bytes) -> None:
    """Refuse a tagged export: its marker line, and tagged lines for most of the file."""
    head = data[:20_000]
    lines = [line for line in head.splitlines()[:200] if line.strip()]
    tagged = sum(bool(_TAG_LINE.match(line)) for line in lines)
    if not lines or tagged < 0.5 * len(lines):
        return  # a page whose abstract happens to start with "TY  - " stays a page
    for pattern, what in _TAGGED:
        if pattern.search(head):
            raise LoadError(
                f"looks like {what}, which trends does not read: export the records as "
                "BibTeX, CSV or (Web of Science) tab-delimited text instead (if it is "
                "another format, name it with format=, --format on the command line)",
                path=path,
            )


def _table_in_text(data: bytes) -> str | None:
    """The table format of a ``.txt`` file whose first line is a table's header.

    The header must name an abstract column and another usual one (``title``, ``id``...):
    a trending page whose first title holds a comma stays a page.
    """
    from .canonical import ALIASES

    known = {name for names in ALIASES.values() for name in names}
    first = data.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].strip().lower()
    for sep, fmt in ((b"\t", "tsv"), (b",", "csv")):
        names = {c.strip().strip(b'"').decode("utf-8", "replace") for c in first.split(sep)}
        if len(names & known) >= 2 and names & set(ALIASES["abstract"]):
            return fmt
    return None


def _looks_like_jsonl(data: bytes) -> bool:
    first = data.lstrip().split(b"\n", 1)[0].strip()
    return first.startswith(b"{") and first.endswith(b"}")


def transcode_bom(path: str, data: bytes, encodings: dict[str, dict]) -> bytes:
    """UTF-16/UTF-32 text with a byte-order mark, re-encoded as UTF-8 (recorded in ``encodings``).

    The mark is checked before anything else: UTF-16 is full of zero bytes, which would
    otherwise read as binary content.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding == "utf-8-sig":
                return data
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise LoadError(
                    f"starts with a {encoding.upper()} byte-order mark but is not valid "
                    f"{encoding.upper()} (byte {exc.start})",
                    path=path,
                ) from None
            encodings[path] = {
                "encoding": encoding,
                "detected": "byte-order mark",
                "confidence": 1.0,
            }
            return text.encode("utf-8")
    return data


def decode(path: str, data: bytes, encodings: dict[str, dict]) -> str:
    """Text of a file: UTF-8 when it is, else the detected encoding (recorded in ``encodings``).

    Detection is unreliable on short texts (a one-line Latin-1 file can come out as
    mac_latin2, cp1006 or even UTF-16). cp1252 (Windows' Western default, a superset of
    Latin-1) is preferred when the bytes decode as cp1252 without a sign of mis-decoding
    (a symbol inside a word, ``numŽro``) and either detection picked another one-byte
    Latin encoding or the non-ASCII bytes sit inside Latin words (accents, not whole words
    of another script).
    """
    if b"\x00" in data[:8192]:
        encoding = _utf16_without_bom(data)
        text = _decode_or_none(data, encoding) if encoding else None
        if text is None and data[:8192].count(b"\x00") <= _STRAY_NULS:
            # a damaged byte or two in a UTF-8 text, not binary content: read as text
            # (as a NUL further in always was), the NUL dropped with the other controls
            text = _decode_or_none(data, "utf-8-sig")
            if text is not None:
                return text
        if text is None:
            raise LoadError("binary content, not text", path=path)
        encodings[path] = {"encoding": encoding, "detected": "zero-byte pattern", "confidence": 1.0}
        return text
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    mixed = _mostly_utf8(data)
    if mixed is not None:
        text, lines = mixed
        shown = ", ".join(map(str, lines[:5])) + (", ..." if len(lines) > 5 else "")
        encodings[path] = {
            "encoding": f"utf-8, and cp1252 on {len(lines):,} line(s)",
            "detected": f"UTF-8 except line(s) {shown}",
            "confidence": 1.0,
        }
        return text
    from charset_normalizer import from_bytes

    # Detection decodes its input once per candidate encoding: on a large file, guess from
    # its head and tail (cut at line ends), then decode the whole file with the guess.
    sample = _sample(data)
    matches = from_bytes(sample)
    best = matches.best()
    if best is None and sample is not data:
        matches = from_bytes(data)
        best = matches.best()
    if best is None:
        raise LoadError("binary content, not text in any known encoding", path=path)
    detected = best.encoding
    encoding = detected
    text = None
    if detected != "cp1252" and (_latin_single_byte(detected) or _accents_in_latin_words(data)):
        candidate = _decode_or_none(data, "cp1252")
        if candidate is not None and not _looks_misdecoded(candidate):
            encoding, text = "cp1252", candidate
    if text is None:
        text = _decode_or_none(data, detected)
    if text is None:  # the guess from the sample does not fit the whole file
        matches = from_bytes(data)
        best = matches.best()
        if best is None:
            raise LoadError("binary content, not text in any known encoding", path=path)
        encoding = detected = best.encoding
        text = str(best)
    encodings[path] = {
        "encoding": encoding,
        "detected": detected,
        "confidence": _agreement(
            sample, encoding, [m for m in matches if m.chaos <= best.chaos + 0.05]
        ),
    }
    if _mostly_control(text):
        raise LoadError("binary content, not text", path=path)
    return text


_NON_ASCII = re.compile(rb"[\x80-\xff]")
_ESCAPED = re.compile("[\udc80-\udcff]")  # bytes that are not UTF-8, surrogate-escaped
_MAX_STRAY_LINES = 1000
# At most this many NUL bytes in a file's first 8 KiB are damage in a text, not binary data.
_STRAY_NULS = 2


def _mostly_utf8(data: bytes) -> tuple[str, list[int]] | None:
    """A UTF-8 text with a few lines in a legacy encoding (files joined together), or None.

    Each line that is not UTF-8 is read as cp1252 (Latin-1 where cp1252 has no character);
    the rest stays UTF-8, rather than the whole file being read in one legacy encoding
    (1,000 UTF-8 rows and one Latin-1 row read as cp1250 turn every "Über" into "Ăśber").
    Used when the lines with UTF-8 characters (not plain ASCII) outnumber the lines that
    are not UTF-8, and at most `_MAX_STRAY_LINES` lines are not. One pass: the bytes that
    are not UTF-8 come out of ``surrogateescape`` as U+DC80..U+DCFF, which no UTF-8 text
    holds. Returns the text and the numbers of the lines read as cp1252.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = data.decode("utf-8", "surrogateescape")
    parts: list[str] = []
    bad: list[int] = []
    pos = line = 0  # line: line breaks before pos
    for m in _ESCAPED.finditer(text):
        if m.start() < pos:
            continue  # in a line already read as cp1252
        start = text.rfind("\n", pos, m.start()) + 1 or pos
        end = text.find("\n", m.end())
        end = len(text) if end < 0 else end
        parts.append(text[pos:start])
        line += text.count("\n", pos, start)
        bad.append(line + 1)
        if len(bad) > _MAX_STRAY_LINES:
            return None  # not a UTF-8 file with a few stray lines
        raw = text[start:end].encode("utf-8", "surrogateescape")
        try:
            parts.append(raw.decode("cp1252"))
        except UnicodeDecodeError:
            parts.append(raw.decode("latin-1"))
        pos = end
    parts.append(text[pos:])
    # Lines with a non-ASCII byte: the bad ones, and at least as many in UTF-8.
    need, found, at = 2 * len(bad), 0, 0
    while found < need:
        m = _NON_ASCII.search(data, at)
        if m is None:
            break
        found += 1
        at = data.find(b"\n", m.end()) + 1
        if at == 0:
            break
    if found < need:
        return None
    return "".join(parts), bad


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a byte-order mark: mostly ASCII, so every other byte is zero."""
    head = data[: 8192 - len(data[:8192]) % 2]
    if len(head) < 4:
        return None
    for encoding, zeros in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
        if zeros.count(0) >= 0.9 * len(zeros) and head.count(0) <= 0.6 * len(head):
            return encoding
    return None


def _accents_in_latin_words(data: bytes) -> bool:
    """True when most non-ASCII bytes touch an ASCII letter: accents in Latin words.

    In Cyrillic, Greek, Arabic or CJK text whole words are non-ASCII, so their bytes
    mostly neighbour other non-ASCII bytes.
    """
    sample = data[:65536]
    touching = total = 0
    for i, byte in enumerate(sample):
        if byte < 0x80:
            continue
        total += 1
        before = sample[i - 1] if i else 0
        after = sample[i + 1] if i + 1 < len(sample) else 0
        if _ascii_letter(before) or _ascii_letter(after):
            touching += 1
    return total > 0 and touching >= 0.5 * total


def _ascii_letter(byte: int) -> bool:
    return 0x41 <= byte <= 0x5A or 0x61 <= byte <= 0x7A


def _agreement(data: bytes, encoding: str, ties) -> float:
    """How sure the guess is, from 0 to 1.

    The share of the equally plausible encodings (by charset_normalizer's mess ratio)
    that read the bytes exactly as ``encoding`` does.
    """
    sample = data[:65536]
    chosen = sample.decode(encoding, errors="replace")
    ties = ties[:20]
    if not ties:
        return 1.0
    same = sum(1 for m in ties if sample.decode(m.encoding, errors="replace") == chosen)
    return round(same / len(ties), 3)


def _decode_or_none(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


@cache
def _latin_single_byte(encoding: str) -> bool:
    """An ASCII-compatible one-byte encoding whose upper half is mostly Latin letters."""
    try:
        upper = bytes(range(0x80, 0x100)).decode(encoding, errors="replace")
        ascii_ok = bytes(range(0x20, 0x7F)).decode(encoding) == bytes(range(0x20, 0x7F)).decode()
    except (LookupError, UnicodeDecodeError):
        return False
    if len(upper) != 128 or not ascii_ok:
        return False
    latin = sum(1 for ch in upper if unicodedata.name(ch, "").startswith("LATIN"))
    return latin >= 30


# Signs that a text decoded as cp1252 was in another encoding: a symbol between two
# letters (Polish cp1250 read as cp1252 gives "Za¿ó³æ"), or an upper-case letter between
# lower-case ones (Mac Roman "numéro" read as cp1252 gives "numŽro"). Typographic
# characters real text puts inside words (quotes, dashes, an acute used as an apostrophe,
# a soft hyphen) are not signs.
_LOWER = "a-z\u00df-\u00f6\u00f8-\u00ff\u0161\u0153\u017e\u0192"
_LETTER = _LOWER + "A-Z\u00c0-\u00d6\u00d8-\u00de\u0160\u0152\u017d\u0178"
_SYMBOL = (
    "\u201a\u201e\u2020\u2021\u02c6\u2030\u2039\u203a\u02dc\xa0-\xa9\xac\xae-\xb3\xb6\xb8-\xbf\xf7"
)
_UPPER = "\u00c0-\u00d6\u00d8-\u00de\u0160\u0152\u017d\u0178"
# (Each look-behind follows the character it judges, so the search can skip to candidates.)
_MISDECODED = (
    re.compile(f"[{_SYMBOL}](?<=[{_LETTER}][{_SYMBOL}])(?=[{_LETTER}])"),
    re.compile(f"[{_UPPER}](?<=[{_LOWER}][{_UPPER}])(?=[{_LOWER}])"),
)


def _looks_misdecoded(text: str) -> bool:
    """Signs of a wrong one-byte decoding in the text's head and tail (a bounded sample)."""
    sample = (
        text if len(text) <= 2 * _SAMPLE_BYTES else text[:_SAMPLE_BYTES] + text[-_SAMPLE_BYTES:]
    )
    return any(p.search(sample) for p in _MISDECODED)


_SAMPLE_BYTES = 1 << 19


def _sample(data: bytes) -> bytes:
    if len(data) <= 3 * _SAMPLE_BYTES:
        return data
    head = data[: 2 * _SAMPLE_BYTES]
    tail = data[-_SAMPLE_BYTES:]
    head = head[: head.rfind(b"\n") + 1] or head
    tail = tail[tail.find(b"\n") + 1 :] or tail
    return head + tail


def _mostly_control(text: str) -> bool:
    sample = text[:4096]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return bad > max(4, len(sample) // 50)
