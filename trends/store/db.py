"""The store's SQLite layer: opening, the schema, reads, and the one write of an update.

Nothing here decides anything: `trends.store.update` decides what an update does (with the
pure functions of `trends.store.lineage`), and hands this layer one `Write` to commit in a
single transaction. The database file is created by the first update that commits, never
by opening a store, so a failed first update leaves nothing behind. A store this process
cannot write (read-only media, another user's folder) is opened read-only: it can be read
and reported, and an update is refused up front, in one line.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import StoreError
from ..load.canonical import CANONICAL
from ..load.normalise import title_key

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (
    snapshot_id INTEGER PRIMARY KEY AUTOINCREMENT,
    added_at TEXT NOT NULL,
    sources TEXT NOT NULL,
    n_read INTEGER NOT NULL,
    n_new INTEGER NOT NULL,
    n_known INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS papers (
    doc_id TEXT PRIMARY KEY,
    title_key TEXT NOT NULL,
    title TEXT NOT NULL,
    abstract TEXT NOT NULL,
    text TEXT NOT NULL,
    published TEXT,
    categories TEXT NOT NULL,
    authors TEXT NOT NULL,
    url TEXT,
    source TEXT,
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(snapshot_id)
);
CREATE INDEX IF NOT EXISTS papers_title_key ON papers(title_key);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(snapshot_id),
    kind TEXT NOT NULL CHECK (kind IN ('fit', 'assign')),
    created_at TEXT NOT NULL,
    n_papers INTEGER NOT NULL,
    n_themes INTEGER NOT NULL,
    new_outlier_share REAL,
    seconds REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS themes (
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    theme_id INTEGER NOT NULL,
    label TEXT NOT NULL,
    keywords TEXT NOT NULL,
    size INTEGER NOT NULL,
    centroid BLOB NOT NULL,
    threshold REAL NOT NULL,
    name TEXT,
    PRIMARY KEY (run_id, theme_id)
);
CREATE TABLE IF NOT EXISTS assignments (
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    doc_id TEXT NOT NULL REFERENCES papers(doc_id),
    theme_id INTEGER NOT NULL,
    PRIMARY KEY (run_id, doc_id)
);
CREATE TABLE IF NOT EXISTS lineage (
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    old_theme_id INTEGER,
    new_theme_id INTEGER,
    kind TEXT NOT NULL CHECK (kind IN ('kept', 'new', 'ended')),
    similarity REAL
);
"""
_TABLES = {"meta", "snapshots", "papers", "runs", "themes", "assignments", "lineage"}
_SQLITE_MAGIC = b"SQLite format 3\x00"
OUTLIER_LABEL = "Outliers (no clear theme)"


@dataclass
class Run:
    """One run to record: an assignment of new papers or a fit of all of them."""

    kind: str  # "assign" or "fit"
    n_papers: int
    n_themes: int
    new_outlier_share: float | None
    seconds: float
    assignments: list[tuple[str, int]]
    # (id, label, keywords, size, cent, thr[, name]): the name (issue 12) is optional
    themes: list[tuple] = field(default_factory=list)
    lineage: list[tuple] = field(default_factory=list)  # Link.row()


@dataclass
class Write:
    """Everything one update writes, committed in one transaction."""

    added_at: str
    sources: list[str]
    n_read: int
    new_papers: pd.DataFrame
    runs: list[Run]
    meta: dict
    # (doc_id, ISO date): known papers listed earlier than the store had them, or undated there
    earlier_dates: list[tuple[str, str]] = field(default_factory=list)


class Store:
    """A local database of papers and their themes, updated day by day.

    Parameters
    ----------
    path : str or path
        The SQLite file; it is created by the first update.
    cache_dir : str or path, optional
        The embedding cache folder of the store's updates (default: the user's cache,
        ``$TRENDS_CACHE_DIR``).
    refit_threshold : float
        Refit when more than this share of a snapshot's new papers fit no known theme.
    busy_timeout : float
        Seconds an update waits for another update of the same store to finish (and
        SQLite for a lock) before giving up with a `StoreError`: a finite number, 0 or
        more (else `InputError`).

    Raises
    ------
    StoreError
        The path is a folder, or a file that is not a trends store.

    A store this process cannot write (read-only media, another user's folder) is opened
    read-only: its reads work, and an update raises `StoreError` before doing any work.
    """

    def __init__(self, path, *, cache_dir=None, refit_threshold=0.3, busy_timeout=600.0):
        self.path = Path(path)
        self.cache_dir = cache_dir
        self.refit_threshold = _share(refit_threshold)
        self.busy_timeout = _seconds(busy_timeout)
        self._db: sqlite3.Connection | None = None
        self.committed: int | None = None  # the snapshot this object's last commit wrote
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder, not a store file")
        if self.path.exists():
            self._open(create=False)

    # -- opening ------------------------------------------------------------------------
    def _open(self, *, create: bool) -> sqlite3.Connection | None:
        if self._db is not None:
            return self._db
        if not self.path.exists():
            if not create:
                return None
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif self.path.stat().st_size:
            with open(self.path, "rb") as fh:
                if fh.read(16) != _SQLITE_MAGIC:
                    raise StoreError(f"{self.path}: not a trends store (not an SQLite database)")
        read_only = self.path.exists() and self.writable_problem() is not None
        try:
            if read_only:
                db, tables = self._connect_read_only()
            else:
                db = sqlite3.connect(self.path, timeout=self.busy_timeout)
                db.execute("PRAGMA foreign_keys = ON")
                tables = {
                    r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
                }
            tables.discard("sqlite_sequence")
            if tables and not tables <= _TABLES | {"sqlite_sequence"}:
                db.close()
                raise StoreError(
                    f"{self.path}: an SQLite database of something else, not a trends store "
                    f"(tables: {', '.join(sorted(tables))})"
                )
            if tables != _TABLES and not read_only:
                db.execute("PRAGMA journal_mode = WAL")
                db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the store ({exc})") from None
        self._db = db
        return db

    def _connect_read_only(self) -> tuple[sqlite3.Connection, set[str]]:
        """A read-only connection, and the store's tables.

        A store in WAL mode needs its ``-shm`` file, which a read-only folder cannot hold:
        when the plain read-only open fails, the file is opened as immutable (nothing can
        change it while this process cannot write there either).
        """
        uri = "file:" + urllib.parse.quote(str(self.path.absolute())) + "?mode=ro"
        error = None
        for extra in ("", "&immutable=1"):
            wal = Path(str(self.path) + "-wal")
            if extra and wal.exists() and wal.stat().st_size > 0:
                # immutable would ignore the updates still in the -wal file: stale data
                raise StoreError(
                    f"{self.path}: cannot read the store here: its last updates are still in "
                    f"{wal.name}, which a read-only folder cannot apply; open it once where "
                    "it can be written (or copy the store and its -wal file elsewhere)"
                ) from error
            db = sqlite3.connect(uri + extra, uri=True, timeout=self.busy_timeout)
            try:
                rows = db.execute("SELECT name FROM sqlite_master WHERE type='table'")
                return db, {r[0] for r in rows}
            except sqlite3.OperationalError as exc:
                db.close()
                error = exc
        raise error

    def writable_problem(self) -> str | None:
        """Why this process cannot write the store (and its lock file), or None if it can."""
        from .._io import unwritable_reason

        folder = self.path.parent
        reason = unwritable_reason(folder)
        if reason is not None:
            return reason
        if self.path.exists() and not os.access(self.path, os.W_OK):
            return "the file is read-only"
        return None

    def check_writable(self) -> None:
        """Raise `StoreError` when an update could not write the store (before any work)."""
        reason = self.writable_problem()
        if reason is not None:
            raise StoreError(
                f"{self.path}: the store cannot be written ({reason}); an update writes the "
                "store and its lock file beside it (reading it, e.g. trends report, works)"
            )

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the database."""
        if self._db is not None:
            self._db.close()
            self._db = None

    @contextlib.contextmanager
    def lock(self):
        """Hold the store for one update: a second update of the same file waits here."""
        from filelock import FileLock, Timeout

        self.check_writable()
        lock = FileLock(str(self.path) + ".lock", timeout=self.busy_timeout)
        try:
            lock.acquire()
        except Timeout:  # before OSError: filelock's Timeout is a TimeoutError
            raise StoreError(
                f"{self.path}: another update of this store has been running for over "
                f"{self.busy_timeout:.0f} s; try again when it has finished"
            ) from None
        except OSError as exc:  # the lock file cannot be made: a folder in its place ...
            raise StoreError(
                f"{self.path}: cannot lock the store for the update "
                f"({exc.filename or lock.lock_file}: {exc.strerror or exc})"
            ) from None
        try:
            yield
        finally:
            lock.release()

    def _query(self, sql: str, params=()) -> list[tuple]:
        db = self._open(create=False)
        if db is None:
            return []
        try:
            return db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: {_read_failure(exc)}") from None

    def _has_names(self) -> bool:
        """Whether the ``themes`` table has its ``name`` column (stores since issue 12)."""
        return any(row[1] == "name" for row in self._query("PRAGMA table_info(themes)"))

    def _frame(self, sql: str, columns: list[str], params=()) -> pd.DataFrame:
        return pd.DataFrame(self._query(sql, params), columns=columns)

    # -- reads --------------------------------------------------------------------------
    def meta(self, key: str, default=None):
        """A value the store keeps about itself (its model parameters, the next theme id)."""
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def known(self, corpus: pd.DataFrame) -> np.ndarray:
        """Which papers of ``corpus`` the store holds.

        The same arXiv id or DOI (even with a revised abstract), or the same title and
        text. A local id (a row number, a title hash) reused for another text is not the
        same paper: `fresh_ids` gives such a paper an id of its own.
        """
        return self.known_and_revised(corpus)[0]

    def known_and_revised(self, corpus: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """`known`, and which of those papers come with another text than the stored one.

        A revised abstract under the same arXiv id or DOI: the store keeps the text it
        stored first, and the update's summary counts these.
        """
        matched, revised = self.matches(corpus)
        return np.array([m is not None for m in matched], dtype=bool), np.array(revised, dtype=bool)

    def matches(self, corpus: pd.DataFrame) -> tuple[list[str | None], list[bool]]:
        """The stored id of each paper of ``corpus`` (None: new), and which are revised."""
        from ..load.canonical import is_global_id

        ids = corpus["doc_id"].astype(str).tolist()
        keys = corpus["title"].astype(str).map(title_key).tolist()
        texts = corpus["text"].astype(str).tolist()
        stored_text = dict(self._query("SELECT doc_id, text FROM papers"))
        stored = {
            (r[0], r[1]): r[2] for r in self._query("SELECT title_key, text, doc_id FROM papers")
        }
        matched, revised = [], []
        for d, k, t in zip(ids, keys, texts, strict=True):
            same_id = d in stored_text and is_global_id(d) and stored_text[d] != t
            if same_id or (d in stored_text and stored_text[d] == t):
                matched.append(d)
            else:
                matched.append(stored.get((k, t)))
            revised.append(same_id and (k, t) not in stored)
        return matched, revised

    def earlier_dates(self, corpus: pd.DataFrame, matched=None) -> list[tuple[str, str]]:
        """``(doc_id, ISO date)`` of the stored papers that ``corpus`` dates earlier.

        A paper is dated by the earliest listing that holds it (as `trends.load` dates the
        same files read together): a missed day fed late moves its papers' dates back, and
        a paper stored without a date takes the input's. ``matched``: `matches`' first
        list, when the caller has it (reading the stored texts once).
        """
        if matched is None:
            matched, _ = self.matches(corpus)
        dated = dict(self._query("SELECT doc_id, published FROM papers"))
        earliest: dict[str, pd.Timestamp] = {}
        for stored_id, when in zip(matched, corpus["published"], strict=True):
            if stored_id is None or pd.isna(when):
                continue
            when = pd.Timestamp(when)
            before = dated.get(stored_id)
            later = before is not None and when >= pd.Timestamp(before)
            if not later and (stored_id not in earliest or when < earliest[stored_id]):
                earliest[stored_id] = when
        return sorted((d, when.isoformat()) for d, when in earliest.items())

    def fresh_ids(self, ids) -> list[str]:
        """``ids`` with each one already in the store (or repeated) made unique: ``id-2``..."""
        taken = {r[0] for r in self._query("SELECT doc_id FROM papers")}
        out = []
        for doc_id in map(str, ids):
            new, n = doc_id, 2
            while new in taken:
                new, n = f"{doc_id}-{n}", n + 1
            taken.add(new)
            out.append(new)
        return out

    def paper_count(self) -> int:
        """How many papers the store holds."""
        rows = self._query("SELECT COUNT(*) FROM papers")
        return int(rows[0][0]) if rows else 0

    def papers(self) -> pd.DataFrame:
        """Every paper in the store, as the canonical table (oldest snapshot first)."""
        columns = [*CANONICAL, "snapshot_id"]
        frame = self._frame(
            f"SELECT {', '.join(columns)} FROM papers ORDER BY snapshot_id, rowid", columns
        )
        frame["published"] = pd.to_datetime(frame["published"], utc=True, format="ISO8601")
        frame["categories"] = frame["categories"].map(json.loads)
        frame["authors"] = frame["authors"].map(json.loads)
        return frame

    def snapshots(self) -> pd.DataFrame:
        """Every snapshot: when it was added, from which sources, how many papers were new."""
        return self._frame(
            "SELECT * FROM snapshots ORDER BY snapshot_id",
            ["snapshot_id", "added_at", "sources", "n_read", "n_new", "n_known"],
        )

    def runs(self) -> pd.DataFrame:
        """Every run: fits and assignments, with their sizes and times."""
        return self._frame(
            "SELECT * FROM runs ORDER BY run_id",
            [
                "run_id",
                "snapshot_id",
                "kind",
                "created_at",
                "n_papers",
                "n_themes",
                "new_outlier_share",
                "seconds",
            ],
        )

    def last_fit(self) -> int | None:
        """Id of the latest fit run, or None before the first."""
        rows = self._query("SELECT max(run_id) FROM runs WHERE kind = 'fit'")
        return rows[0][0] if rows else None

    def themes(self, run_id: int | None = None) -> pd.DataFrame:
        """The themes of a fit run (default: the latest), with their stable ids."""
        run_id = run_id if run_id is not None else self.last_fit()
        # Stores written before theme names keep only the label: it is their name.
        name = "COALESCE(name, label)" if self._has_names() else "label"
        frame = self._frame(
            f"SELECT theme_id, label, {name}, size, keywords FROM themes WHERE run_id = ? "
            "ORDER BY size DESC, theme_id",
            ["theme_id", "label", "name", "size", "keywords"],
            (run_id,),
        )
        frame["keywords"] = frame["keywords"].map(json.loads)
        return frame

    def theme_arrays(self, run_id: int):
        """``(ids, centres, thresholds, keywords)`` of a fit run's themes (outliers left out)."""
        rows = self._query(
            "SELECT theme_id, centroid, threshold, keywords FROM themes WHERE run_id = ? "
            "AND theme_id >= 0 ORDER BY theme_id",
            (run_id,),
        )
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        cents = (
            np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
            if rows
            else np.zeros((0, 0), np.float32)
        )
        thresholds = np.array([r[2] for r in rows], dtype=np.float32)
        return ids, cents, thresholds, [json.loads(r[3]) for r in rows]

    def assignments(self, run_id: int | None = None) -> pd.DataFrame:
        """Each paper's theme as of a run (default: the latest): ``doc_id, theme_id, run_id``.

        A paper's theme is the one given by the latest run at or before ``run_id`` that
        placed it: the last refit, or the daily assignment that added it afterwards.
        """
        if run_id is None:
            rows = self._query("SELECT max(run_id) FROM runs")
            run_id = rows[0][0] if rows else None
        return self._frame(
            "SELECT a.doc_id, a.theme_id, a.run_id FROM assignments a "
            "JOIN (SELECT doc_id, max(run_id) AS r FROM assignments WHERE run_id <= ? "
            "GROUP BY doc_id) last ON a.doc_id = last.doc_id AND a.run_id = last.r",
            ["doc_id", "theme_id", "run_id"],
            (run_id,),
        )

    def lineage(self) -> pd.DataFrame:
        """Which old theme became which new one at each refit (kept, new or ended)."""
        return self._frame(
            "SELECT l.run_id, r.created_at, l.old_theme_id, l.new_theme_id, l.kind, l.similarity "
            "FROM lineage l JOIN runs r USING (run_id) ORDER BY l.run_id, l.kind, "
            "coalesce(l.new_theme_id, l.old_theme_id)",
            ["run_id", "created_at", "old_theme_id", "new_theme_id", "kind", "similarity"],
        )

    def unchanged_share(self, run_a: int, run_b: int) -> float:
        """Share of papers placed by ``run_a`` whose theme id is the same after ``run_b``."""
        from .lineage import unchanged_share

        def as_map(run):
            frame = self.assignments(run)
            return dict(zip(frame.doc_id, frame.theme_id, strict=True))

        return unchanged_share(as_map(run_a), as_map(run_b))

    def current(self) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
        """The stored papers, their current theme ids, and the current theme table.

        This is plain data for `trends.theme_trends` and `trends.emerging` (which also
        accept the store itself): ``theme_id, label, size, share, keywords``, sizes counted
        over the current assignments, outliers last.
        """
        corpus = self.papers()
        current = self.assignments()
        labels = (
            pd.Series(current.theme_id.to_numpy(), index=current.doc_id.to_numpy())
            .reindex(corpus.doc_id.to_numpy())
            .fillna(-1)
            .astype(np.int64)
            .to_numpy()
        )
        themes = self.themes()
        themes = themes[themes.theme_id >= 0]
        counts = pd.Series(labels).value_counts()
        themes = themes.assign(size=themes.theme_id.map(counts).fillna(0).astype(int))
        if (labels == -1).any():
            outliers = {
                "theme_id": -1,
                "label": OUTLIER_LABEL,
                "name": OUTLIER_LABEL,
                "size": int(counts.get(-1, 0)),
            }
            themes = pd.concat([themes, pd.DataFrame([{**outliers, "keywords": []}])])
        themes = themes.assign(share=themes["size"] / max(1, len(corpus))).reset_index(drop=True)
        return corpus, labels, themes

    # -- updates ------------------------------------------------------------------------
    def update(
        self,
        corpus: pd.DataFrame,
        *,
        model=None,
        refit: bool = False,
        new_params: bool = False,
        verbose: bool = True,
    ):
        """Add a snapshot of papers; place the new ones; refit when asked or needed.

        Parameters
        ----------
        corpus : pandas.DataFrame
            The canonical table of the new snapshot (may repeat known papers).
        model : ThemeModel, optional
            The model to refit with; it is cloned, never changed. Default: the store's own
            parameters (those of its first update), or `ThemeModel`'s defaults.
        refit : bool
            Refit the themes on every stored paper now.
        new_params : bool
            Accept a ``model`` whose parameters differ from the store's, and refit with
            them; without it such an update raises `StoreError` saying what differs.
        verbose : bool
            Progress bars.

        Returns
        -------
        trends.store.UpdateResult

        Raises
        ------
        InputError
            The input holds no paper, or the embedding cannot be cached (``"tfidf"``).
        StoreError
            The store's embedding or parameters differ from the model's, another update
            holds the store for longer than ``busy_timeout``, or SQLite fails.
        """
        from .update import run_update

        return run_update(
            self, corpus, model=model, refit=refit, new_params=new_params, verbose=verbose
        )

    # -- the one write ------------------------------------------------------------------
    def commit(self, write: Write) -> int:
        """Record one update in a single transaction; returns the snapshot id."""
        db = self._open(create=True)
        try:
            with db:
                if not self._has_names():  # a store from before theme names: add the column
                    db.execute("ALTER TABLE themes ADD COLUMN name TEXT")
                snapshot_id = db.execute(
                    "INSERT INTO snapshots(added_at, sources, n_read, n_new, n_known) "
                    "VALUES (?,?,?,?,?)",
                    (
                        write.added_at,
                        json.dumps(write.sources),
                        write.n_read,
                        len(write.new_papers),
                        write.n_read - len(write.new_papers),
                    ),
                ).lastrowid
                db.executemany(
                    "INSERT INTO papers VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    _paper_rows(write.new_papers, snapshot_id),
                )
                db.executemany(
                    "UPDATE papers SET published = ? WHERE doc_id = ?",
                    [(when, d) for d, when in write.earlier_dates],
                )
                for run in write.runs:
                    self._insert_run(db, snapshot_id, write.added_at, run)
                for key, value in write.meta.items():
                    db.execute(
                        "INSERT INTO meta(key, value) VALUES (?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        (key, json.dumps(value)),
                    )
            self.committed = snapshot_id
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: the update could not be written ({exc})") from None
        return snapshot_id

    @staticmethod
    def _insert_run(db, snapshot_id: int, created_at: str, run: Run) -> int:
        run_id = db.execute(
            "INSERT INTO runs(snapshot_id, kind, created_at, n_papers, n_themes, "
            "new_outlier_share, seconds) VALUES (?,?,?,?,?,?,?)",
            (
                snapshot_id,
                run.kind,
                created_at,
                run.n_papers,
                run.n_themes,
                run.new_outlier_share,
                run.seconds,
            ),
        ).lastrowid
        db.executemany(
            "INSERT INTO themes(run_id, theme_id, label, keywords, size, centroid, threshold, "
            "name) VALUES (?,?,?,?,?,?,?,?)",
            [
                (run_id, t, label, json.dumps(list(kw)), size, cent.tobytes(), thr, *rest[:1])
                if rest
                else (run_id, t, label, json.dumps(list(kw)), size, cent.tobytes(), thr, label)
                for t, label, kw, size, cent, thr, *rest in run.themes
            ],
        )
        db.executemany(
            "INSERT INTO assignments VALUES (?,?,?)",
            [(run_id, d, int(t)) for d, t in run.assignments],
        )
        db.executemany(
            "INSERT INTO lineage VALUES (?,?,?,?,?)", [(run_id, *row) for row in run.lineage]
        )
        return run_id


def _read_failure(exc: sqlite3.DatabaseError) -> str:
    """SQLite's reason a read failed, said for a user: a lock, or a damaged file."""
    message = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in message or "busy" in message):
        return message
    if len(message) > 80:  # e.g. "Could not decode to UTF-8 column 'text' with text '...'"
        message = message[:77] + "..."
    return (
        f"the store cannot be read: the file looks damaged ({message}); restore it from a "
        "copy, or build a new store from the papers' files"
    )


def _share(value) -> float:
    """``refit_threshold`` as a float: a share of the new papers, from 0 to 1."""
    from .._numbers import is_real
    from ..errors import InputError

    if not (is_real(value) and 0 <= value <= 1):
        raise InputError(
            f"refit_threshold must be a share of the new papers, from 0 to 1, got {value!r}"
        )
    return float(value)


def _seconds(value) -> float:
    """``busy_timeout`` as a float: a finite number of seconds, 0 or more."""
    import math

    from ..errors import InputError

    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if isinstance(value, bool) or not math.isfinite(seconds) or seconds < 0:
        raise InputError(f"busy_timeout must be a number of seconds, 0 or more, got {value!r}")
    return seconds


def _paper_rows(papers: pd.DataFrame, snapshot_id: int) -> list[tuple]:
    def listed(value) -> str:
        return json.dumps([str(v) for v in value] if isinstance(value, list | tuple) else [])

    def text_or_none(value):
        return None if value is None or pd.isna(value) else str(value)

    return [
        (
            str(r.doc_id),
            title_key(str(r.title)),
            str(r.title),
            str(r.abstract),
            str(r.text),
            None if pd.isna(r.published) else pd.Timestamp(r.published).isoformat(),
            listed(r.categories),
            listed(r.authors),
            text_or_none(r.url),
            text_or_none(r.source),
            snapshot_id,
        )
        for r in papers.itertuples()
    ]
