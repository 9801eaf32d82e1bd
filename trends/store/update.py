"""One daily update of a store: add the new papers, place them, refit when needed.

The order is what keeps it safe: everything is checked before the store is touched (the
input, the embedding, the parameters), the store is locked for the whole update (a second
update waits for the first and then sees its papers), every slow step (embedding, a refit)
runs before anything is written, and all of it is written in one transaction at the end.
An update that fails or is killed leaves the store as it was; its papers are new again
next time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError, StoreError
from . import lineage
from .db import Run, Store, Write

# Parameters that do not change which themes a fit finds; a store does not pin them.
NOT_PINNED = frozenset({"verbose", "cache_dir", "engine", "device", "namer", "ray_address"})


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
    n_unplaced: int = 0
    min_unplaced: int = 1
    too_few_to_refit: bool = False
    # known papers that came with another text (a revised abstract): the store keeps its own
    n_revised: int = 0
    # known papers listed earlier than the store had them (or undated there): dates moved
    n_redated: int = 0

    def summary(self) -> str:
        """One paragraph for the terminal."""
        revised = (
            f" ({self.n_revised} of them with a revised text; the store keeps the text it has)"
            if self.n_revised
            else ""
        )
        parts = [
            f"snapshot {self.snapshot_id}: {_count(self.n_read, 'paper')} in the input, "
            f"{self.n_new} new, {self.n_known} already in the store{revised}."
        ]
        if self.n_redated:
            parts.append(
                f"{_count(self.n_redated, 'stored paper')} dated earlier by this input (or "
                "undated in the store): the store now dates them by this, their earliest listing."
            )
        if self.new_outlier_share is not None:
            fit_none = f"{self.new_outlier_share:.0%} of the new papers fit no known theme"
            if self.too_few_to_refit:
                fit_none += (
                    f" ({_count(self.n_unplaced, 'paper')}: fewer than the "
                    f"{self.min_unplaced} a refit needs for a theme, so no refit for them)"
                )
            parts.append(fit_none + ".")
        if self.refitted:
            done = [f"Refitted ({self.reason}): {_count(self.n_themes, 'theme')}"]
            if self.new_themes:
                done.append(f"new themes {', '.join(map(str, self.new_themes))}")
            if self.ended_themes:
                done.append(f"ended themes {', '.join(map(str, self.ended_themes))}")
            if self.unchanged_share is not None:
                done.append(f"{self.unchanged_share:.0%} of papers kept their theme id")
            parts.append("; ".join(done) + ".")
        else:
            parts.append(f"No refit: {_count(self.n_themes, 'theme')}.")
        parts.append(f"({self.seconds:.1f} s)")
        return " ".join(parts)


def _count(n: int | None, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def pinned_params(model, embedder) -> dict:
    """The parameters of ``model`` that decide its themes, as plain data.

    ``embedding`` is recorded as the backend's identity (a model object has no other
    stable name); ``embedding_arg`` keeps the argument itself when it is plain data, so
    that an update without a model can rebuild the store's.
    """
    params = {k: v for k, v in model.get_params().items() if k not in NOT_PINNED}
    arg = params.pop("embedding")
    params["embedding"] = embedder.identity
    params["embedding_arg"] = arg if arg is None or isinstance(arg, str | int | float) else None
    return params


def _shown(arg, identity: str) -> str:
    """An embedding as the user names it (``'static'``), with its identity beside it."""
    if arg is None:
        arg = "minilm"
    if isinstance(arg, str) and arg != identity:
        return f"{arg!r} ({identity})"
    return repr(identity)


def store_model(recorded: dict | None, **overrides):
    """A `ThemeModel` with a store's recorded parameters (`pinned_params`), then ``overrides``.

    ``overrides``: what the caller changes (the engine, a seed...); the rest is the store's.
    """
    from ..model import ThemeModel

    recorded = recorded or {}
    kwargs = {k: v for k, v in recorded.items() if k not in {"embedding", "embedding_arg"}}
    kwargs["embedding"] = recorded.get("embedding_arg")
    kwargs.update(overrides)
    return ThemeModel(**kwargs)


def _model_for(store: Store, model, new_params: bool):
    """A clone of ``model`` (or of the store's own) checked against the store's parameters."""
    from sklearn.base import clone

    recorded = store.meta("model_params")
    if model is None:
        model = store_model(recorded)
    model = clone(model)
    if store.cache_dir is not None:
        model.set_params(cache_dir=store.cache_dir)
    embedder = model._embedder()
    if not embedder.cacheable:
        from ..embed import OPTIONS

        named = ", ".join(repr(name) for name in OPTIONS if name != "tfidf")
        raise InputError(
            "a store needs an embedding whose vectors can be cached (not 'tfidf'): "
            f"use one of {named}, or a sentence-transformers model"
        )
    asked = pinned_params(model, embedder)
    old_identity = store.meta("embedding")
    if old_identity is not None and old_identity in getattr(embedder, "legacy_identities", ()):
        # The same folder, recorded under its old identity: the store takes the new one.
        old_identity = asked["embedding"]
        recorded = {**(recorded or {}), "embedding": old_identity}
    if old_identity is not None and old_identity != asked["embedding"]:
        old_arg = (recorded or {}).get("embedding_arg")
        raise StoreError(
            f"{store.path} was built with the embedding {_shown(old_arg, old_identity)}, not "
            f"{_shown(asked['embedding_arg'], asked['embedding'])}: use the same embedding "
            "for a store"
        )
    if recorded and not new_params:
        differ = {
            k: (recorded.get(k), v)
            for k, v in asked.items()
            if k != "embedding_arg" and recorded.get(k) != v
        }
        if differ:
            listed = ", ".join(f"{k}={old!r} (asked {new!r})" for k, (old, new) in differ.items())
            raise StoreError(
                f"{store.path} was fitted with {listed}: leave these options out to use the "
                "store's parameters, or ask for a refit with the new ones (--new-params; in Python "
                "new_params=True)"
            )
    return model, embedder, asked


def _check_corpus(corpus) -> pd.DataFrame:
    from ..load.canonical import CANONICAL

    if not isinstance(corpus, pd.DataFrame):
        raise InputError("an update takes the canonical table of trends.load()")
    if len(corpus) == 0:
        raise InputError("no paper to add: the input holds 0 papers")
    missing = [c for c in ("doc_id", "title", "text") if c not in corpus.columns]
    if missing:
        raise InputError(
            f"the input lacks the column(s) {', '.join(missing)}: load it with trends.load()"
        )
    corpus = corpus.reset_index(drop=True)
    for name in CANONICAL:
        if name not in corpus.columns:
            corpus[name] = None if name not in {"categories", "authors"} else [[]] * len(corpus)
    corpus["published"] = _dates(corpus["published"])
    return corpus


def _dates(published: pd.Series) -> pd.Series:
    """The ``published`` column as UTC times; a table not made by `trends.load` is checked.

    Times and dates are taken as they are (without a zone: UTC). Anything else (a year as a
    number, a string) is refused with its row: `trends.load` reads those.
    """
    import datetime

    if isinstance(published.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(
        published
    ):
        return pd.to_datetime(published, utc=True)
    for row, value in published.items():
        if not (pd.isna(value) or isinstance(value, datetime.date)):
            raise InputError(
                f"the published column holds {type(value).__name__} values, not dates (row "
                f"{row}: {value!r}): load the table with trends.load(), which reads years, "
                "dates and times"
            )
    return pd.to_datetime(published.astype(object).where(published.notna(), None), utc=True)


def run_update(
    store: Store,
    corpus: pd.DataFrame,
    *,
    model=None,
    refit: bool = False,
    new_params: bool = False,
    verbose: bool = True,
) -> UpdateResult:
    """Add a snapshot of papers to ``store`` (see `Store.update`)."""
    t0 = time.perf_counter()
    corpus = _check_corpus(corpus)
    store.check_writable()  # a store on read-only media: refused before any work
    _model_for(store, model, new_params)  # refuse a bad update before touching the store
    with store.lock():
        model, embedder, params = _model_for(store, model, new_params)
        model.set_params(verbose=verbose)
        last_fit = store.last_fit()
        unique = ~corpus["doc_id"].astype(str).duplicated()
        matched, revised = store.matches(corpus)  # the stored texts, read once
        known = np.array([m is not None for m in matched], dtype=bool)
        revised = np.array(revised, dtype=bool)
        earlier = store.earlier_dates(corpus, matched)
        new = corpus[(~known) & unique.to_numpy()].reset_index(drop=True)
        new["doc_id"] = store.fresh_ids(new["doc_id"])
        new_emb = model.embed(new) if len(new) else None
        placed = np.full(len(new), -1, dtype=np.int64)
        share = None
        if last_fit is not None:
            ids, cents, thresholds, _ = store.theme_arrays(last_fit)
            placed = lineage.place_stable(new_emb, ids, cents, thresholds)
            share = float(np.mean(placed == -1)) if len(new) else None
        n_unplaced = int(np.sum(placed == -1)) if last_fit is not None else 0
        min_unplaced = _smallest_theme(store, model, len(new))
        reason = lineage.refit_reason(
            has_fit=last_fit is not None,
            asked=refit or (new_params and store.meta("model_params") is not None),
            new_outlier_share=share,
            threshold=store.refit_threshold,
            n_unplaced=n_unplaced,
            min_unplaced=min_unplaced,
        )
        runs: list[Run] = []
        n_themes = len(store.theme_arrays(last_fit)[0]) if last_fit is not None else 0
        # Placing no new paper is no run (an input of papers already in the store).
        if last_fit is not None and reason != "asked" and len(new):
            runs.append(
                Run(
                    kind="assign",
                    n_papers=len(new),
                    n_themes=n_themes,
                    new_outlier_share=share,
                    seconds=time.perf_counter() - t0,
                    assignments=list(zip(new.doc_id.astype(str), placed.tolist(), strict=True)),
                )
            )
        result = UpdateResult(
            snapshot_id=0,
            n_read=len(corpus),
            n_new=len(new),
            n_known=len(corpus) - len(new),
            n_revised=int(revised.sum()),
            n_redated=len(earlier),
            new_outlier_share=share,
            refitted=False,
            reason=reason,
            n_themes=n_themes,
            n_unplaced=n_unplaced,
            min_unplaced=min_unplaced,
            # the share rule alone would have refitted: held back by the count
            too_few_to_refit=not reason
            and bool(
                lineage.refit_reason(
                    has_fit=last_fit is not None,
                    asked=False,
                    new_outlier_share=share,
                    threshold=store.refit_threshold,
                )
            ),
        )
        meta = {"embedding": embedder.identity, "model_params": params}
        if reason:
            fit_run, next_id = _refit(store, model, new, placed, last_fit, t0)
            runs.append(fit_run)
            meta["next_theme_id"] = next_id
            _describe_refit(result, fit_run, store, last_fit)
        write = Write(
            added_at=pd.Timestamp.now(tz="UTC").isoformat(),
            sources=sorted({str(s) for s in corpus["source"].dropna()}),
            n_read=len(corpus),
            new_papers=new,
            runs=runs,
            meta=meta,
            earlier_dates=earlier,
        )
        result.snapshot_id = store.commit(write)
    result.seconds = time.perf_counter() - t0
    return result


def _smallest_theme(store: Store, model, n_new: int) -> int:
    """The fewest papers a refit of the store (with ``n_new`` more) would make a theme of."""
    from ..cluster import ClusterParams

    n_all = int(store.paper_count()) + int(n_new)
    return ClusterParams.for_corpus(
        max(n_all, 1), min_cluster_size=model.min_cluster_size
    ).min_cluster_size


def _refit(store: Store, model, new: pd.DataFrame, placed, last_fit, t0):
    """Fit every paper (stored and new); stable ids by matching the previous themes."""
    stored = store.papers().drop(columns="snapshot_id")
    everything = pd.concat([stored, new[stored.columns]], ignore_index=True)
    # No embeddings= here: the fit reads the papers' vectors from the cache all the same,
    # and a fit that embeds them itself also embeds the name candidates (better names).
    fitted = model.fit(everything)
    keywords = {int(r.theme_id): list(r.keywords) for r in fitted.themes_.itertuples()}
    mapping, links = {}, []
    if last_fit is not None:
        old_ids, old_cents, _, old_kw = store.theme_arrays(last_fit)
        before = store.assignments()
        where = dict(zip(before.doc_id, before.theme_id, strict=True))
        where.update(zip(new.doc_id.astype(str), np.asarray(placed).tolist(), strict=True))
        old_labels = np.array([where.get(d, -1) for d in everything.doc_id.astype(str)])
        mapping, links = lineage.match_themes(
            old_ids,
            old_cents,
            old_kw,
            fitted.centroids_,
            [keywords[t] for t in range(fitted.n_themes_)],
            members=(old_labels, fitted.labels_),
        )
    full, new_links, next_id = lineage.allocate_ids(
        mapping, fitted.n_themes_, int(store.meta("next_theme_id", 0))
    )
    stable = lineage.stable_labels(fitted.labels_, full)
    dims = fitted.centroids_.shape[1]
    themes = []
    for r in fitted.themes_.itertuples():
        t = int(r.theme_id)
        cent = fitted.centroids_[t] if t >= 0 else np.zeros(dims, np.float32)
        thr = float(fitted.thresholds_[t]) if t >= 0 else 1.0
        themes.append(
            (
                full[t],
                r.label,
                list(r.keywords),
                int(r.size),
                cent.astype(np.float32),
                thr,
                getattr(r, "name", r.label),
            )
        )
    run = Run(
        kind="fit",
        n_papers=len(everything),
        n_themes=fitted.n_themes_,
        new_outlier_share=None,
        seconds=time.perf_counter() - t0,
        assignments=list(zip(everything.doc_id.astype(str), stable.tolist(), strict=True)),
        themes=themes,
        lineage=[link.row() for link in links + new_links],
    )
    return run, next_id


def _describe_refit(result: UpdateResult, run: Run, store: Store, last_fit) -> None:
    result.refitted = True
    result.n_themes = run.n_themes
    if last_fit is not None:  # the first fit's themes are all new: not worth listing
        result.new_themes = sorted(row[1] for row in run.lineage if row[2] == "new")
    result.ended_themes = sorted(row[0] for row in run.lineage if row[2] == "ended")
    if last_fit is not None:
        before = store.assignments()
        after = dict(run.assignments)
        result.unchanged_share = lineage.unchanged_share(
            dict(zip(before.doc_id, before.theme_id, strict=True)),
            {d: after[d] for d in before.doc_id if d in after},
        )
