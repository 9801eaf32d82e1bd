"""Daily updates that keep theme identity, in a local SQLite database.

A `Store` holds the papers seen so far, each snapshot's arrival, and each run's theme
assignments and theme descriptions. `Store.update` adds new papers (de-duplicated
against the store), embeds only those (the embedding cache holds the rest), places them
in the known themes, and refits when asked or when too many new papers fit no theme.
After a refit, new themes are matched one-to-one to the previous ones (Hungarian
assignment on centroid and keyword similarity): a matched theme keeps its id, an
unmatched one gets a new id, and a previous theme left unmatched is recorded as ended.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .load.canonical import CANONICAL
from .load.normalise import title_key

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

# How a refit theme inherits a previous theme's id: the weighted similarity of the two,
# over the papers they share (Jaccard of their members), their centres (cosine) and
# their top-10 keywords (Jaccard). Centres alone mislead: in one field every theme's
# centre is close to every other's (cosine 0.8-0.9 between unrelated themes).
WEIGHTS = {"members": 0.5, "centroid": 0.3, "keywords": 0.2}
MATCH_MIN = 0.45


@dataclass
class UpdateResult:
    """What one `Store.update` did."""

    snapshot_id: int
    n_read: int
    n_new: int
    n_known: int
    new_outlier_share: float | None
    refitted: bool
    reason: str
    n_themes: int
    new_themes: list[int] = field(default_factory=list)
    ended_themes: list[int] = field(default_factory=list)
    unchanged_share: float | None = None
    seconds: float = 0.0

    def summary(self) -> str:
        """One paragraph for the terminal."""
        parts = [
            f"snapshot {self.snapshot_id}: {self.n_read} papers read, {self.n_new} new, "
            f"{self.n_known} already in the store."
        ]
        if self.new_outlier_share is not None:
            parts.append(f"{self.new_outlier_share:.0%} of the new papers fit no known theme.")
        if self.refitted:
            parts.append(f"Refitted ({self.reason}): {self.n_themes} themes")
            if self.new_themes:
                parts.append(f"new themes {self.new_themes}")
            if self.ended_themes:
                parts.append(f"ended themes {self.ended_themes}")
            if self.unchanged_share is not None:
                parts.append(f"{self.unchanged_share:.0%} of papers kept their theme id.")
        else:
            parts.append(f"No refit: {self.n_themes} themes.")
        parts.append(f"({self.seconds:.1f} s)")
        return " ".join(parts)


class StoreView:
    """The store's current themes in the shape `trends.theme_trends` and `emerging` read."""

    def __init__(self, labels, doc_ids, themes, centroids, thresholds):
        self.labels_ = np.asarray(labels, dtype=np.int64)
        self.doc_ids_ = np.asarray(doc_ids, dtype=object)
        self.themes_ = themes
        self.centroids_ = centroids
        self.thresholds_ = thresholds

    def transform(self, corpus):
        """Not available: a view describes the store's own papers only."""
        raise ValueError("a store view describes the store's own papers only")


class Store:
    """A local database of papers and their themes, updated day by day.

    Parameters
    ----------
    path : str or path
        The SQLite file (created if missing).
    refit_threshold : float
        Refit when more than this share of a snapshot's new papers fit no known theme.
    """

    def __init__(self, path, *, refit_threshold: float = 0.3):
        self.path = Path(path)
        self.refit_threshold = refit_threshold
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.executescript(SCHEMA)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    # -- meta ---------------------------------------------------------------------------
    def _meta(self, key, default=None):
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def _set_meta(self, key, value) -> None:
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)),
        )

    # -- papers -------------------------------------------------------------------------
    def _add_papers(self, corpus: pd.DataFrame, snapshot_id: int) -> pd.DataFrame:
        known_ids = {r[0] for r in self.db.execute("SELECT doc_id FROM papers")}
        known_titles = {r[0] for r in self.db.execute("SELECT title_key FROM papers")}
        keys = corpus["title"].astype(str).map(title_key)
        fresh = ~corpus["doc_id"].astype(str).isin(known_ids) & ~keys.isin(known_titles)
        fresh &= ~keys.duplicated()
        new = corpus[fresh.to_numpy()].reset_index(drop=True)
        rows = [
            (
                str(r.doc_id),
                title_key(str(r.title)),
                str(r.title),
                str(r.abstract),
                str(r.text),
                None if pd.isna(r.published) else pd.Timestamp(r.published).isoformat(),
                json.dumps(list(r.categories) if isinstance(r.categories, list) else []),
                json.dumps(list(r.authors) if isinstance(r.authors, list) else []),
                None if pd.isna(r.url) else str(r.url),
                None if pd.isna(r.source) else str(r.source),
                snapshot_id,
            )
            for r in new.itertuples()
        ]
        self.db.executemany("INSERT INTO papers VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
        return new

    def papers(self) -> pd.DataFrame:
        """Every paper in the store, as the canonical table (oldest snapshot first)."""
        frame = pd.read_sql_query(
            "SELECT doc_id, title, abstract, text, published, categories, authors, url, source, "
            "snapshot_id FROM papers ORDER BY snapshot_id, rowid",
            self.db,
        )
        frame["published"] = pd.to_datetime(frame["published"], utc=True, format="ISO8601")
        frame["categories"] = frame["categories"].map(json.loads)
        frame["authors"] = frame["authors"].map(json.loads)
        return frame[[*CANONICAL, "snapshot_id"]]

    # -- runs ---------------------------------------------------------------------------
    def runs(self) -> pd.DataFrame:
        """Every run: fits and assignments, with their sizes and times."""
        return pd.read_sql_query("SELECT * FROM runs ORDER BY run_id", self.db)

    def _last_fit(self) -> int | None:
        row = self.db.execute("SELECT max(run_id) FROM runs WHERE kind = 'fit'").fetchone()
        return row[0]

    def themes(self, run_id: int | None = None) -> pd.DataFrame:
        """The themes of a fit run (default: the latest), with their stable ids."""
        run_id = run_id if run_id is not None else self._last_fit()
        if run_id is None:
            return pd.DataFrame(columns=["theme_id", "label", "size", "keywords"])
        frame = pd.read_sql_query(
            "SELECT theme_id, label, size, keywords FROM themes WHERE run_id = ? "
            "ORDER BY size DESC, theme_id",
            self.db,
            params=(run_id,),
        )
        frame["keywords"] = frame["keywords"].map(json.loads)
        return frame

    def _theme_arrays(self, run_id: int):
        rows = self.db.execute(
            "SELECT theme_id, centroid, threshold, keywords FROM themes WHERE run_id = ? "
            "AND theme_id >= 0 ORDER BY theme_id",
            (run_id,),
        ).fetchall()
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        cents = (
            np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
            if rows
            else np.zeros((0, 0), np.float32)
        )
        thresholds = np.array([r[2] for r in rows], dtype=np.float32)
        keywords = [json.loads(r[3]) for r in rows]
        return ids, cents, thresholds, keywords

    def assignments(self, run_id: int | None = None) -> pd.DataFrame:
        """Each paper's theme: as of a run (default: the latest) — ``doc_id, theme_id, run_id``.

        A paper's theme is the one given by the latest run at or before ``run_id`` that
        placed it: the last refit, or the daily assignment that added it afterwards.
        """
        run_id = (
            run_id
            if run_id is not None
            else self.db.execute("SELECT max(run_id) FROM runs").fetchone()[0]
        )
        if run_id is None:
            return pd.DataFrame(columns=["doc_id", "theme_id", "run_id"])
        return pd.read_sql_query(
            "SELECT a.doc_id, a.theme_id, a.run_id FROM assignments a "
            "JOIN (SELECT doc_id, max(run_id) AS r FROM assignments WHERE run_id <= ? "
            "GROUP BY doc_id) last ON a.doc_id = last.doc_id AND a.run_id = last.r",
            self.db,
            params=(run_id,),
        )

    def lineage(self) -> pd.DataFrame:
        """Which old theme became which new one at each refit (kept, new or ended)."""
        return pd.read_sql_query(
            "SELECT l.run_id, r.created_at, l.old_theme_id, l.new_theme_id, l.kind, l.similarity "
            "FROM lineage l JOIN runs r USING (run_id) ORDER BY l.run_id, l.kind, "
            "coalesce(l.new_theme_id, l.old_theme_id)",
            self.db,
        )

    def unchanged_share(self, run_a: int, run_b: int) -> float:
        """Share of papers placed by ``run_a`` whose theme id is the same after ``run_b``."""
        a = self.assignments(run_a).set_index("doc_id").theme_id
        b = self.assignments(run_b).set_index("doc_id").theme_id
        both = a.index.intersection(b.index)
        return float((a[both] == b[both]).mean()) if len(both) else float("nan")

    def current(self) -> tuple[pd.DataFrame, StoreView]:
        """The stored papers and a view of their current themes, for `theme_trends`/`emerging`."""
        corpus = self.papers()
        labels = (
            self.assignments()
            .set_index("doc_id")
            .theme_id.reindex(corpus.doc_id)
            .fillna(-1)
            .astype(int)
        )
        fit = self._last_fit()
        themes = self.themes(fit)
        themes = themes[themes.theme_id >= 0]
        counts = labels.value_counts()
        themes = themes.assign(size=themes.theme_id.map(counts).fillna(0).astype(int))
        if (labels == -1).any():
            themes = pd.concat(
                [
                    themes,
                    pd.DataFrame(
                        [
                            {
                                "theme_id": -1,
                                "label": "Outliers (no clear theme)",
                                "size": int(counts.get(-1, 0)),
                                "keywords": [],
                            }
                        ]
                    ),
                ],
                ignore_index=True,
            )
        themes = themes.assign(share=themes["size"] / max(1, len(corpus)))
        ids, cents, thresholds, _ = self._theme_arrays(fit) if fit else (None, None, None, None)
        return corpus, StoreView(
            labels.to_numpy(), corpus.doc_id.to_numpy(), themes, cents, thresholds
        )

    # -- the daily update ---------------------------------------------------------------
    def update(
        self,
        corpus: pd.DataFrame,
        *,
        embedding=None,
        random_state: int = 42,
        refit: bool = False,
        verbose: bool = True,
        model_params: dict | None = None,
    ) -> UpdateResult:
        """Add a snapshot of papers; place the new ones; refit when asked or needed.

        Parameters
        ----------
        corpus : pandas.DataFrame
            The canonical table of the new snapshot (may repeat known papers).
        embedding : optional
            The embedding backend (as `ThemeModel`'s ``embedding``); must stay the same for
            a store.
        refit : bool
            Refit the themes on every stored paper now.
        model_params : dict, optional
            More `ThemeModel` arguments for refits.
        """
        from .embed import EmbeddingCache, embed_texts, resolve_embedder

        t0 = time.perf_counter()
        embedder = resolve_embedder(embedding, random_state=random_state)
        if not embedder.cacheable:
            raise ValueError(
                "the store needs an embedding whose vectors can be cached (not 'tfidf'): "
                "use the default model or a sentence-transformers model"
            )
        identity = self._meta("embedding")
        if identity is not None and identity != embedder.identity:
            raise ValueError(
                f"{self.path} was built with the embedding {identity!r}, not "
                f"{embedder.identity!r}: use the same embedding for a store"
            )
        now = pd.Timestamp.now(tz="UTC").isoformat()
        sources = sorted({str(s) for s in corpus.get("source", pd.Series(dtype=str)).dropna()})
        with self.db:
            cur = self.db.execute(
                "INSERT INTO snapshots(added_at, sources, n_read, n_new, n_known) "
                "VALUES (?,?,?,?,?)",
                (now, json.dumps(sources), len(corpus), 0, 0),
            )
            snapshot_id = cur.lastrowid
            new = self._add_papers(corpus, snapshot_id)
            self.db.execute(
                "UPDATE snapshots SET n_new = ?, n_known = ? WHERE snapshot_id = ?",
                (len(new), len(corpus) - len(new), snapshot_id),
            )
            self._set_meta("embedding", embedder.identity)
        cache = EmbeddingCache()
        new_emb = (
            embed_texts(new["text"].tolist(), embedder, cache, progress=verbose)
            if len(new)
            else None
        )
        last_fit = self._last_fit()
        result = UpdateResult(
            snapshot_id=snapshot_id,
            n_read=len(corpus),
            n_new=len(new),
            n_known=len(corpus) - len(new),
            new_outlier_share=None,
            refitted=False,
            reason="",
            n_themes=0,
        )
        if last_fit is None:
            reason = "first snapshot"
        elif refit:
            reason = "asked"
        else:
            reason = ""
            ids, cents, thresholds, _ = self._theme_arrays(last_fit)
            labels = _place(new_emb, ids, cents, thresholds) if len(new) else np.array([], int)
            share = float(np.mean(labels == -1)) if len(labels) else 0.0
            result.new_outlier_share = share if len(new) else None
            with self.db:
                run_id = self._new_run(snapshot_id, "assign", len(new), len(ids), share, t0)
                self.db.executemany(
                    "INSERT INTO assignments VALUES (?,?,?)",
                    [(run_id, d, int(t)) for d, t in zip(new.doc_id, labels, strict=True)],
                )
            result.n_themes = len(ids)
            if share > self.refit_threshold:
                reason = f"{share:.0%} of new papers fit no theme, over {self.refit_threshold:.0%}"
        if reason:
            self._refit(
                embedder,
                cache,
                random_state,
                snapshot_id,
                result,
                reason,
                verbose,
                model_params,
                t0,
            )
        result.seconds = time.perf_counter() - t0
        return result

    def _new_run(self, snapshot_id, kind, n_papers, n_themes, share, t0) -> int:
        cur = self.db.execute(
            "INSERT INTO runs(snapshot_id, kind, created_at, n_papers, n_themes, "
            "new_outlier_share, seconds) VALUES (?,?,?,?,?,?,?)",
            (
                snapshot_id,
                kind,
                pd.Timestamp.now(tz="UTC").isoformat(),
                n_papers,
                n_themes,
                share,
                time.perf_counter() - t0,
            ),
        )
        return cur.lastrowid

    def _refit(
        self, embedder, cache, random_state, snapshot_id, result, reason, verbose, params, t0
    ):
        from .embed import embed_texts
        from .model import ThemeModel

        corpus = self.papers()
        emb = embed_texts(corpus["text"].tolist(), embedder, cache, progress=verbose)
        model = ThemeModel(
            embedding=embedder, random_state=random_state, verbose=verbose, **(params or {})
        ).fit(corpus, embeddings=emb)
        previous = self._last_fit()
        new_ids = list(range(model.n_themes_))
        kw = {int(r.theme_id): list(r.keywords) for r in model.themes_.itertuples()}
        mapping, links = {}, []
        if previous is not None:
            old_ids, old_cents, _, old_kw = self._theme_arrays(previous)
            before = self.assignments().set_index("doc_id").theme_id
            old_labels = before.reindex(corpus.doc_id).fillna(-1).astype(int).to_numpy()
            mapping, links = match_themes(
                old_ids,
                old_cents,
                old_kw,
                model.centroids_,
                [kw[t] for t in new_ids],
                members=(old_labels, model.labels_),
            )
        next_id = int(self._meta("next_theme_id", 0))
        for t in new_ids:
            if t not in mapping:
                mapping[t] = next_id
                links.append((None, next_id, "new", None))
                next_id += 1
        mapping[-1] = -1
        stable = np.array([mapping[int(t)] for t in model.labels_], dtype=np.int64)
        with self.db:
            run_id = self._new_run(snapshot_id, "fit", len(corpus), model.n_themes_, None, t0)
            rows = []
            for r in model.themes_.itertuples():
                t = int(r.theme_id)
                cent = (
                    model.centroids_[t]
                    if t >= 0
                    else np.zeros(model.centroids_.shape[1], np.float32)
                )
                thr = float(model.thresholds_[t]) if t >= 0 else 1.0
                rows.append(
                    (
                        run_id,
                        mapping[t],
                        r.label,
                        json.dumps(list(r.keywords)),
                        int(r.size),
                        cent.astype(np.float32).tobytes(),
                        thr,
                    )
                )
            self.db.executemany("INSERT INTO themes VALUES (?,?,?,?,?,?,?)", rows)
            self.db.executemany(
                "INSERT INTO assignments VALUES (?,?,?)",
                [(run_id, d, int(t)) for d, t in zip(corpus.doc_id, stable, strict=True)],
            )
            self.db.executemany(
                "INSERT INTO lineage VALUES (?,?,?,?,?)",
                [(run_id, o, n, k, s) for o, n, k, s in links],
            )
            self._set_meta("next_theme_id", next_id)
        result.refitted = True
        result.reason = reason
        result.n_themes = model.n_themes_
        result.new_themes = sorted(n for o, n, k, s in links if k == "new" and previous is not None)
        result.ended_themes = sorted(o for o, n, k, s in links if k == "ended")
        if previous is not None:
            result.unchanged_share = self.unchanged_share(previous, run_id)


def _place(emb, ids, cents, thresholds) -> np.ndarray:
    """Stable id of the nearest known theme (`trends.cluster.place`), or -1."""
    from .cluster import place

    index = place(emb, cents, thresholds)
    out = np.full(len(index), -1, dtype=np.int64)
    out[index >= 0] = ids[index[index >= 0]]
    return out


def match_themes(old_ids, old_cents, old_keywords, new_cents, new_keywords, *, members=None):
    """One-to-one matching of refit themes to previous ones.

    Similarity = ``WEIGHTS`` of member Jaccard (``members``: the old and new label of each
    paper, when given), centre cosine and top-10 keyword Jaccard; the optimal assignment
    (`scipy.optimize.linear_sum_assignment`) pairs them, and a pair counts only at
    ``MATCH_MIN`` or more. Returns ``{new index: old id}`` and lineage rows
    ``(old id, new id, kind, similarity)`` for kept and ended themes.
    """
    from scipy.optimize import linear_sum_assignment

    if not len(old_ids) or not len(new_cents):
        return {}, [(int(o), None, "ended", None) for o in old_ids]
    cos = new_cents @ old_cents.T
    jac = np.zeros_like(cos)
    for i, a in enumerate(new_keywords):
        for j, b in enumerate(old_keywords):
            sa, sb = set(a[:10]), set(b[:10])
            jac[i, j] = len(sa & sb) / len(sa | sb) if sa | sb else 0.0
    overlap = np.zeros_like(cos)
    weights = dict(WEIGHTS)
    if members is not None:
        old_labels, new_labels = (np.asarray(x) for x in members)
        for i in range(len(new_cents)):
            in_new = new_labels == i
            for j, o in enumerate(old_ids):
                in_old = old_labels == o
                union = np.sum(in_new | in_old)
                overlap[i, j] = np.sum(in_new & in_old) / union if union else 0.0
    else:  # no shared papers to compare: centres and keywords only
        total = weights["centroid"] + weights["keywords"]
        weights = {
            "members": 0.0,
            "centroid": weights["centroid"] / total,
            "keywords": weights["keywords"] / total,
        }
    score = weights["members"] * overlap + weights["centroid"] * cos + weights["keywords"] * jac
    rows, cols = linear_sum_assignment(-score)
    mapping, links, matched_old = {}, [], set()
    for i, j in zip(rows, cols, strict=True):
        if score[i, j] >= MATCH_MIN:
            mapping[int(i)] = int(old_ids[j])
            matched_old.add(int(old_ids[j]))
            links.append((int(old_ids[j]), int(old_ids[j]), "kept", float(score[i, j])))
    for o in old_ids:
        if int(o) not in matched_old:
            links.append((int(o), None, "ended", None))
    return mapping, links
