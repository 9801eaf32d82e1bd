"""A watch-list: the user's own topics, followed over time like themes.

Each paper joins the watched topic whose phrase its embedding is most similar to
(cosine), if that similarity reaches ``threshold``; otherwise it joins none. The phrases
are embedded by the same model as the papers (the bundled MiniLM by default, through
the embedding cache).

**The default threshold, 0.35**, is set for research phrases against abstracts: on
12,000 abstracts of the arXiv feed, ten phrases ("retrieval-augmented generation",
"gaussian splatting", "autonomous driving"...) against the papers that name them, it
gave the best mean F1 (0.34) of the cosines tried (0.30-0.45). Short generic names match
less: the BBC news classes as phrases ("business", "politics", "sport"...) reach a
cosine of 0.15 with their own articles at the median, so at 0.35 only 1% of the
articles are assigned (65% to their own class); 0.15 assigns half of them, 84% to their
own class (`benchmarks/trend_calibration.py` prints the BBC check). Lower ``threshold``
for broad one-word topics, raise it for precision.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._numbers import is_real
from .._warn import user_level
from ..errors import InputError, NoDatesError

# A comment: a line that starts with '#' (after spaces), or ' #' / '\t#' to the line's end.
_COMMENT = re.compile(r"^\s*#.*$|[ \t]#.*$")
DEFAULT_THRESHOLD = 0.35


@dataclass
class WatchList:
    """Papers assigned to watched topics, with their shares over time and their trend.

    Attributes
    ----------
    topics : pandas.DataFrame
        One row per phrase: ``theme_id`` (its position), ``label`` (the phrase),
        ``size`` (papers assigned to it), ``share``, ``matches`` (papers at or above the
        threshold, also those that went to a closer phrase); last a row ``-1`` for the
        papers matching no phrase.
    labels : numpy.ndarray
        Each paper's topic (``theme_id``), -1 for none.
    similarity : numpy.ndarray of shape (n_papers, n_phrases)
        Cosine of each paper to each phrase.
    threshold : float
    shares : pandas.DataFrame or None
        `trends.theme_trends` of the topics (None when the corpus has no dates).
    emerging : pandas.DataFrame or None
        `trends.emerging` of the topics (None when it cannot be computed: ``reason``).
    reason : str
        Why ``shares`` or ``emerging`` is missing.
    notes : list of str
        What `watch` warned about the phrases (repeated ones counted once), for a report
        to say.
    """

    topics: pd.DataFrame
    labels: np.ndarray
    similarity: np.ndarray
    threshold: float
    shares: pd.DataFrame | None = None
    emerging: pd.DataFrame | None = None
    reason: str = ""
    notes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # not the arrays (a notebook would print them all)
        phrases = self.topics[self.topics.theme_id >= 0]
        return (
            f"WatchList({len(phrases)} phrases, {len(self.labels)} papers, "
            f"threshold={self.threshold})\n{phrases[['label', 'size', 'share', 'matches']]}"
        )

    def _repr_html_(self) -> str:
        return self.topics._repr_html_()


def read_phrases(path) -> list[str]:
    """The phrases of a watch-list file: one per line; blank lines and comments skipped.

    A comment is a line whose first character other than a space is ``#``, or the rest of
    a line from a ``#`` that follows a space or tab (``gpu  # hardware``); a ``#`` inside a
    word belongs to the phrase (``C#``, ``F# programs``). A byte-order mark is dropped;
    the phrases are in Unicode's composed form (NFC), as `trends.load` reads the papers.

    Raises
    ------
    InputError
        The file cannot be read or lists no phrase.
    """
    from pathlib import Path

    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the watch-list ({exc})") from None
    phrases = [unicodedata.normalize("NFC", _COMMENT.sub("", line).strip()) for line in lines]
    phrases = [p for p in phrases if p]
    if not phrases:
        raise InputError(f"{path}: the watch-list lists no phrase (one phrase per line)")
    return phrases


def _clean(phrases) -> tuple[list[str], str]:
    """The phrases, stripped, in Unicode's composed form (NFC), each once; and a note.

    The note (empty when there is none) says how many repeated phrases were counted once;
    it is also warned.
    """
    if isinstance(phrases, str):
        phrases = [phrases]
    phrases = list(phrases)
    odd = [p for p in phrases if not isinstance(p, str)]
    if odd:
        raise InputError(
            f"watch() needs phrases as text; got {len(odd)} that are not "
            f"(the first: {odd[0]!r} of type {type(odd[0]).__name__})"
        )
    # NFC: "vidéo" typed with a combining accent (NFD) is the papers' "vidéo" (the loader
    # reads text as NFC); it would otherwise be another phrase that matches nothing.
    out = [unicodedata.normalize("NFC", p.strip()) for p in phrases]
    if not out or not all(out):
        raise InputError("watch() needs one or more non-empty phrases")
    # Phrases that differ in case only are one topic (the embedding and the matching
    # ignore case): the first spelling is kept.
    first: dict[str, str] = {}
    for p in out:
        first.setdefault(p.casefold(), p)
    seen = list(first.values())
    note = ""
    if len(seen) < len(out):
        counts = pd.Series([p.casefold() for p in out]).value_counts(sort=False)
        repeated = [first[p] for p in counts.index[counts > 1]]
        note = (
            f"{len(out) - len(seen)} repeated phrase(s) in the watch-list counted once: "
            f"{', '.join(repeated)} (phrases that differ in case only, or in how an "
            "accent is encoded, are the same)"
        )
        warnings.warn(note, UserWarning, stacklevel=user_level())
    return seen, note


_PHRASE_ADVICE = (
    "a watch-list's phrases are embedded with the model's backend, so watch needs a model "
    "whose backend made the papers' embeddings (fit it with that ThemeModel(embedding=...))"
)


def _embedded(model, texts):
    """``model.embed(texts)``, whose error says what a watch-list needs of the backend."""
    embed = getattr(model, "_embed", None)
    return model.embed(texts) if embed is None else embed(texts, advice=_PHRASE_ADVICE)


def _paper_vectors(corpus: pd.DataFrame, model) -> np.ndarray:
    """Unit embeddings of the papers: the fitted model's own where it has them."""
    rows = None
    if hasattr(model, "embeddings_") and hasattr(model, "training_rows"):
        rows = model.training_rows(corpus)
    if rows is not None and (rows >= 0).all():
        return np.asarray(model.embeddings_)[rows]
    vectors = np.asarray(_embedded(model, corpus), dtype=np.float32)
    if rows is not None:
        have = rows >= 0
        vectors[have] = np.asarray(model.embeddings_)[rows[have]]
    return vectors


def watch(
    corpus: pd.DataFrame,
    phrases,
    model=None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    freq: str = "auto",
    recent=None,
    baseline=None,
    min_papers: int = 10,
    confidence: float = 0.95,
    embeddings=None,
) -> WatchList:
    """Follow the user's own topics: assign papers to phrases, then their trends.

    Parameters
    ----------
    corpus : pandas.DataFrame
        The canonical table (``text``; ``published`` for the trends).
    phrases : list of str
        The watched topics, e.g. ``["retrieval-augmented generation", "state space
        models"]``.
    model : ThemeModel, optional
        Embeds papers and phrases (a fitted model reuses its papers' embeddings); default
        `trends.ThemeModel()`'s embedding (the bundled MiniLM, cached).
    threshold : float
        Cosine a paper needs with a phrase to join it (see the module docstring).
    freq, recent, baseline, min_papers, confidence
        As for `trends.theme_trends` and `trends.emerging`.
    embeddings : array of shape (n_papers, n_dims), optional
        Precomputed paper embeddings (the phrases are still embedded by ``model``).

    Returns
    -------
    WatchList
        Its ``topics``, ``labels``, ``shares`` and ``emerging`` read like the themes'.
        A watch-list is also a source for `trends.theme_trends` and `trends.emerging`.
    """
    from ..model import ThemeModel, as_corpus
    from .emerging import emerging_table
    from .shares import share_table

    if not (is_real(threshold) and -1 <= threshold <= 1):
        raise InputError(
            f"threshold={threshold!r}: a cosine similarity, between -1 and 1 (default "
            f"{DEFAULT_THRESHOLD})"
        )
    phrases, note = _clean(phrases)
    corpus = as_corpus(corpus)
    if model is None:  # it embeds every paper: with the embedding's progress bar
        model = ThemeModel()
    if embeddings is None:
        vectors = _paper_vectors(corpus, model)
    else:
        vectors = np.asarray(embeddings, dtype=np.float32)
        if len(vectors) != len(corpus):
            raise InputError(f"{len(vectors)} embeddings for a corpus of {len(corpus)} papers")
    vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    # After the papers: an unfitted TF-IDF backend learns its space from them.
    targets = np.asarray(_embedded(model, phrases), dtype=np.float32)
    targets = targets / np.maximum(np.linalg.norm(targets, axis=1, keepdims=True), 1e-12)
    similarity = vectors @ targets.T
    best = np.argmax(similarity, axis=1)
    labels = np.where(similarity[np.arange(len(best)), best] >= threshold, best, -1)
    sizes = np.bincount(labels[labels >= 0], minlength=len(phrases))
    matches = (similarity >= threshold).sum(axis=0)
    n = max(1, len(corpus))
    topics = pd.DataFrame(
        {
            "theme_id": list(range(len(phrases))) + [-1],
            "label": phrases + ["(no watched topic)"],
            "size": sizes.tolist() + [int((labels == -1).sum())],
            "share": np.append(sizes, (labels == -1).sum()) / n,
            "matches": matches.tolist() + [int((labels == -1).sum())],
        }
    )
    result = WatchList(topics, labels.astype(np.int64), similarity, float(threshold))
    result.notes = [note] if note else []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            result.shares = share_table(labels, topics, corpus, freq=freq)
            result.emerging = emerging_table(
                labels,
                topics,
                corpus,
                recent=recent,
                baseline=baseline,
                min_papers=min_papers,
                confidence=confidence,
                freq=result.shares.attrs["freq"],
            )
    except NoDatesError as exc:
        result.reason = str(exc)
    return result
