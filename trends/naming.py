"""Theme names that read like section headings, built offline from the papers themselves.

A name is a noun phrase of at most `MAX_WORDS` words and `MAX_CHARS` characters
("Differentiable architecture search", "Spiking neural networks", "Serverless and
cloud"), and a description is one line of the few phrases that set a theme apart.

1. **Candidates**: runs of 1-4 content words of the titles and abstracts, split at
   punctuation and stop words (a phrase never spans "of" or "the"), counted once per
   paper and by their word stems ("neural network" and "neural networks" are one
   candidate, written the way the papers write it most). A phrase must end like a noun
   (a word the lexicon of `lemminflect` knows as a noun, or that the corpus uses at the
   end of its phrases: "spiking neural" and "quantized" are no names) and must not begin
   or end with the words of every abstract ("novel", "propose", "results").
2. **Scores**: class-based TF-IDF of the candidates over the groups of papers (how
   typical of this group, how untypical of the others: BERTopic's
   ``ClassTfidfTransformer``) and, when an ``embed`` function is given, how much closer
   the phrase's embedding is to the group's centre than to the nearest other group's
   (as BERTopic's ``KeyBERTInspired`` re-ranks its keywords).
3. **Description**: maximal marginal relevance picks up to five phrases that do not
   repeat each other (no shared stem, and with embeddings, not near in meaning).
4. **Name**: the best phrase, or two or three of the description's phrases joined
   ("A and B", "A, B and C"), whichever best tells the group's own papers apart from
   the other groups' names: each paper's names ranked by embedding similarity, the mean
   reciprocal rank of its own group's name (plus a small prior for a phrase's score and
   against length). Without embeddings: the best-scored phrase. No two groups get names
   with the same stems; acronyms keep their case (LLM, NeRF, MoE).

Everything is a pure function of the texts, the groups and the embeddings; ties are
broken by the phrase, so the same input gives the same names.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np
import pandas as pd

MAX_WORDS = 6
MAX_CHARS = 48
MAX_PHRASE_WORDS = 4

# The words of every abstract: they may sit inside a phrase ("novel view synthesis") but
# not begin or end one, and are never a name on their own.
WEAK = frozenset(
    """
    propose proposed proposes proposing present presents presented introduce introduces
    introduced novel new approach approaches method methods methodology paper papers work
    works result results show shows showed shown demonstrate demonstrates demonstrated
    use uses used using usage based existing different various recent recently state art
    significant significantly improve improves improved improving improvement
    improvements achieve achieves achieved achieving outperform outperforms
    outperforming experiments experiment experimental evaluate evaluated evaluation task
    tasks problem problems study studies finding findings framework frameworks
    technique techniques performance effective effectively efficient efficiently high
    higher low lower large larger small smaller key main important challenge challenges
    challenging given specific wide widely extensive extensively comprehensive
    furthermore additionally particular particularly overall including include includes
    compared comparison better best strong robust simple general generally current
    previous prior standard typical typically able ability way ways number numbers level
    levels set sets type types range lack fail fails enable enables enabled allow allows
    allowed require requires required provide provides provided leverage leverages
    leveraging address addresses addressing aim aims make makes making consider
    considered develop developed developing design designed designing et al eg ie etc
    year years said says people time times told according despite likely group groups
    past difference differences count addition variety amount amounts kind kinds part parts
    case cases example examples instance instances aspect aspects factor factors
    """.split()
)
# A noun that ends like an adjective is most often an adjective in abstracts
# ("objective", "native", "quadratic"): not the last word of a name.
_ADJECTIVE_ENDINGS = ("ic", "ical", "al", "ous", "ive", "ed", "able", "ible", "ful", "ly", "less")
_NOT_ADJECTIVE = ("ing", "ics", "ware", "rial", "ial")

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"“”‘’«»|/\\<>=+*&%$#@~^_]+|\s[-–—]+\s|['’]s?\b")
_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


# -- words ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


# A Snowball stemmer keeps the word it works on in itself: one per thread, so that fits
# in parallel threads do not stem each other's words.
_THREAD = threading.local()


def _stemmer():
    stemmer = getattr(_THREAD, "stemmer", None)
    if stemmer is None:
        import snowballstemmer

        stemmer = _THREAD.stemmer = snowballstemmer.stemmer("english")
    return stemmer


@lru_cache(maxsize=200_000)
def word_stem(word: str) -> str:
    """The stem of one word, for "does a name repeat itself" (``dnn``/``dnns`` agree).

    Snowball's English stemmer, plus the plural ``s`` of acronyms that it keeps
    (``dnns``, ``llms``); hyphenated words are stemmed part by part.

    >>> word_stem("networks"), word_stem("DNNs"), word_stem("fine-tuning")
    ('network', 'dnn', 'fine-tune')
    """
    parts = []
    for part in word.lower().split("-"):
        if not part:
            continue
        stem = _stemmer().stemWord(part)
        base = part[:-1]
        acronym = len(base) <= 3 or not set(base) & set("aeiouy")
        if stem == part and part.endswith("s") and not part.endswith("ss") and acronym:
            stem = part[:-1]
        parts.append(stem)
    return "-".join(parts)


def stems(phrase: str) -> list[str]:
    """The stems of the content words of ``phrase`` (hyphenated words give one per part)."""
    out = []
    for token in _TOKEN.findall(phrase):
        if token.lower() in _stop_words():
            continue
        out.extend(p for p in word_stem(token).split("-") if p)
    return out


def repeats_stem(phrase: str) -> bool:
    """Whether a word stem occurs twice in ``phrase`` ("DNNs and DNN", "agents for agent")."""
    found = stems(phrase)
    return len(found) != len(set(found))


def _key(phrase: str) -> frozenset[str]:
    """What makes two names the same name: their set of stems."""
    return frozenset(stems(phrase))


def heading(phrase: str) -> str:
    """``phrase`` as a heading: its first letter upper-case, unless the word is cased already.

    >>> heading("spiking neural networks"), heading("LLM agents"), heading("NeRF")
    ('Spiking neural networks', 'LLM agents', 'NeRF')
    >>> heading("text-to-3D generation"), heading("iPhone apps")
    ('Text-to-3D generation', 'iPhone apps')
    """
    first = phrase.split(" ", 1)[0].split("-", 1)[0] if phrase else ""
    if not first or first != first.lower():  # LLM, NeRF, iPhone: cased already
        return phrase
    return phrase[0].upper() + phrase[1:]


def is_name(name: str) -> bool:
    """Whether ``name`` obeys the rules of a name: length, words, no stem said twice."""
    return (
        bool(name.strip())
        and len(name) <= MAX_CHARS
        and len(name.split()) <= MAX_WORDS
        and not repeats_stem(name)
    )


@lru_cache(maxsize=200_000)
def _word_classes(word: str) -> frozenset[str]:
    """Parts of speech the word (its last hyphenated part) can have; empty when unknown."""
    import lemminflect

    return frozenset(lemminflect.getAllLemmas(word.rsplit("-", 1)[-1]))


@lru_cache(maxsize=200_000)
def _nounlike(word: str) -> bool:
    """Whether ``word`` can be the last word of a noun phrase, by the lexicon alone."""
    if word in WEAK:
        return False
    if word.endswith(_NOT_ADJECTIVE):
        return True
    classes = _word_classes(word)
    if word.endswith(_ADJECTIVE_ENDINGS) and (not classes or "ADJ" in classes):
        return False
    return not classes or bool(classes & {"NOUN", "PROPN"})


@lru_cache(maxsize=200_000)
def _can_start(word: str) -> bool:
    """Whether a phrase may begin with ``word``: not a weak word, adverb or bare verb."""
    if word in WEAK:
        return False
    classes = _word_classes(word)
    if not classes:
        return not word.endswith("ly")
    if not classes & {"NOUN", "PROPN", "ADJ", "VERB", "NUM"}:
        return False
    return classes != {"VERB"} or word.endswith(("ed", "ing", "en"))


def clauses(text: str) -> list[list[str]]:
    """The word runs of ``text`` between punctuation marks (and possessive ``'s``)."""
    out = []
    for clause in _CLAUSE.split(text):
        tokens = _TOKEN.findall(clause)
        if tokens:
            out.append(tokens)
    return out


def _breaks(low: str) -> bool:
    """Whether a lower-cased token ends a run of content words (`chunks`, `_WordStats`).

    A stop word, a single character or a number.
    """
    return low in _stop_words() or len(low) < 2 or _numeric(low)


def _numeric(low: str) -> bool:
    """A number or a size ("2024", "16x16", "1e-3"), not a name like "3D" or "5G"."""
    return low[0].isdigit() and (len(low) > 3 or low.isdigit())


def chunks(text: str) -> list[list[str]]:
    """Runs of content words: clauses split again at stop words and bare numbers.

    >>> chunks("We study spiking neural networks on neuromorphic chips, e.g. Loihi.")
    [['study', 'spiking', 'neural', 'networks'], ['neuromorphic', 'chips'], ['Loihi']]
    """
    out: list[list[str]] = []
    for clause in clauses(text):
        run: list[str] = []
        for token in clause:
            if _breaks(token.lower()):
                if run:
                    out.append(run)
                run = []
            else:
                run.append(token)
        if run:
            out.append(run)
    return out


# -- counting candidate phrases ------------------------------------------------------------


@dataclass(frozen=True)
class Phrases:
    """Which paper contains which candidate phrase.

    Attributes
    ----------
    counts : scipy.sparse.csr_matrix, shape (n_papers, n_phrases)
        1 where the paper contains the phrase (in any spelling of its stems).
    keys : numpy.ndarray of str, shape (n_phrases,)
        Each phrase's stems, space-separated: what is counted.
    shown : numpy.ndarray of str, shape (n_phrases,)
        How each phrase is written in a name: its most frequent spelling, acronyms and
        proper nouns in their case.
    """

    counts: object
    keys: np.ndarray
    shown: np.ndarray


class _WordStats:
    """How each word is written, and where it stands in phrases: gathered while counting.

    What depends on a token or word alone (its lower case, whether it breaks a run, whether
    a phrase may start or end on it) is worked out once per distinct token and kept.
    """

    def __init__(self):
        self.forms: dict[str, Counter] = {}
        self.total: Counter = Counter()
        self.last: Counter = Counter()
        self._tokens: dict[str, tuple[str, int, bool]] = {}
        self._words: dict[str, tuple[bool, bool, bool]] = {}

    def runs(self, text: str) -> list[list[str]]:
        """The content-word runs of ``text`` (as `chunks`), noting each word's spelling."""
        out = []
        known, forms = self._tokens, self.forms
        for s, sentence in enumerate(_SENTENCE.split(text)):
            for c, clause in enumerate(_CLAUSE.split(sentence)):
                run: list[str] = []
                # A capital that starts a sentence, or is in the first sentence (a Title
                # Case title), says nothing about the word.
                leading = s == 0 or c == 0
                for token in _TOKEN.findall(clause):
                    entry = known.get(token)
                    if entry is None:
                        entry = known[token] = _token_entry(token)
                    low, case, breaks = entry
                    if case:
                        if case == _MIXED or not leading:
                            spellings = forms.get(low)
                            if spellings is None:
                                spellings = forms[low] = Counter()
                            spellings[token] += 1
                    elif low in forms:
                        forms[low][low] += 1
                    if s:
                        leading = False
                    if breaks:
                        if run:
                            out.append(run)
                        run = []
                    else:
                        run.append(low)
                if run:
                    out.append(run)
        self.total.update([word for run in out for word in run])
        self.last.update([run[-1] for run in out])
        return out

    def grams(self, runs: list[list[str]], max_words: int) -> list[str]:
        """The distinct candidate phrases of one paper's ``runs``, in order of appearance.

        A phrase starts on a word that may start one (`_can_start`), ends on a noun-like
        word (`_nounlike`), and a phrase of one word is not a word known only as another
        part of speech than a noun.
        """
        words = self._words
        seen: dict[str, None] = {}
        for run in runs:
            flags = []
            for word in run:
                entry = words.get(word)
                if entry is None:
                    entry = words[word] = _word_entry(word)
                flags.append(entry)
            n = len(run)
            for i, (start, end, alone) in enumerate(flags):
                if not start:
                    continue
                if end and alone and max_words >= 1:
                    seen[run[i]] = None
                for j in range(i + 1, min(i + max_words, n)):
                    if flags[j][1]:
                        seen[" ".join(run[i : j + 1])] = None
        return list(seen)

    def written(self) -> dict[str, str]:
        """``{lower word: its spelling}`` for the words whose case carries meaning.

        A word keeps an upper-case letter after its first (LLM, NeRF, MoE, GPUs) when
        most of its occurrences are written so; a capitalised word (Bayesian, Markov)
        when at least 80% of its occurrences, and three or more, are. (Lower-case uses
        seen before a word's first capitalised use are not counted: a small bias
        towards keeping the capital.)
        """
        out = {}
        for low, forms in self.forms.items():
            form, count = min(forms.items(), key=lambda kv: (-kv[1], kv[0]))
            if form == low:
                continue
            total = sum(forms.values())
            mixed = any(ch.isupper() for ch in form[1:])
            if (mixed and 2 * count > total) or (not mixed and count >= 3 and count >= 0.8 * total):
                out[low] = form
        return out

    def modifiers(self, min_count: int = 5, share: float = 0.4) -> set[str]:
        """Words that nearly always stand before another content word ("neural", "deep").

        The corpus' own grammar: a word that ends fewer of the runs it is in than
        ``share`` times the average word does (among at least ``min_count`` uses)
        modifies a noun and cannot end a name.
        """
        tokens = sum(self.total.values())
        if not tokens:
            return set()
        limit = share * sum(self.last.values()) / tokens
        return {w for w, n in self.total.items() if n >= min_count and self.last[w] < limit * n}


_LOWER, _CAPITALISED, _MIXED = 0, 1, 2


def _token_entry(token: str) -> tuple[str, int, bool]:
    """``(lower case, how it is written, whether it breaks a run)`` of one token."""
    low = token.lower()
    if token == low:
        case = _LOWER
    elif token[0].isupper() and token[1:] == low[1:]:
        case = _CAPITALISED
    else:
        case = _MIXED
    return low, case, _breaks(low)


def _word_entry(word: str) -> tuple[bool, bool, bool]:
    """``(may start a phrase, may end one, may be a phrase alone)`` of a lower-case word."""
    classes = _word_classes(word)
    alone = not classes or bool(classes & {"NOUN", "PROPN"})
    return _can_start(word), _nounlike(word), alone


def phrase_counts(
    texts: Sequence[str],
    *,
    max_words: int = MAX_PHRASE_WORDS,
    min_df: int = 2,
    progress: bool = False,
) -> Phrases:
    """Count the candidate phrases of ``texts``, each once per paper.

    Parameters
    ----------
    texts : sequence of str, shape (n_papers,)
        Title and abstract of each paper.
    max_words : int
        Longest phrase, in words.
    min_df : int
        Papers a phrase must occur in (in one spelling) to be a candidate.
    progress : bool
        A bar that counts the papers read ("Name candidates").

    Returns
    -------
    Phrases
    """
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import CountVectorizer

    from ._progress import each_paper

    texts = [str(t) for t in texts]
    stats = _WordStats()

    def analyzer(text: str) -> list[str]:
        return stats.grams(stats.runs(text), max_words)

    vec = CountVectorizer(
        analyzer=analyzer, binary=True, min_df=min(min_df, max(1, len(texts))), dtype=np.float32
    )
    try:
        counts = vec.fit_transform(each_paper(texts, "Name candidates", progress)).tocsr()
        spelled = vec.get_feature_names_out().tolist()
    except ValueError:  # no phrase in enough papers (a tiny or empty corpus)
        counts, spelled = sp.csr_matrix((len(texts), 0), dtype=np.float32), []
    # Words the corpus uses as modifiers cannot end a phrase; spellings of the same
    # stems are one phrase, shown as it is most often written.
    modifiers = stats.modifiers()
    keep = [i for i, p in enumerate(spelled) if p.rsplit(" ", 1)[-1] not in modifiers]
    keys = [" ".join(word_stem(w) for w in spelled[i].split(" ")) for i in keep]
    unique = sorted(set(keys))
    column = {k: c for c, k in enumerate(unique)}
    merge = sp.csr_matrix(
        (np.ones(len(keep), dtype=np.float32), (keep, [column[k] for k in keys])),
        shape=(len(spelled), len(unique)),
    )
    merged = (counts @ merge).tocsr()
    merged.data[:] = 1.0
    frequency = np.asarray(counts.sum(axis=0)).ravel()
    best: dict[str, tuple[float, str]] = {}
    for i, key in zip(keep, keys, strict=True):
        candidate = (-frequency[i], spelled[i])
        if key not in best or candidate < best[key]:
            best[key] = candidate
    written = stats.written()
    shown = [" ".join(written.get(w, w) for w in best[k][1].split(" ")) for k in unique]
    return Phrases(
        counts=merged,
        keys=np.asarray(unique, dtype=object),
        shown=np.asarray(shown, dtype=object),
    )


# -- naming groups of papers ---------------------------------------------------------------


def _unit(rows) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    if rows.ndim == 1:
        rows = rows[None, :]
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


class Vectors:
    """Unit embeddings of short texts through ``embed``, each text embedded once.

    Parameters
    ----------
    embed : callable
        ``embed(list of str) -> (n, d) array``, e.g. the backend that embedded the papers.
    """

    def __init__(self, embed: Callable[[list[str]], np.ndarray]):
        self.embed, self.seen = embed, {}

    def __call__(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of ``texts``, shape (len(texts), d)."""
        need = [t for t in dict.fromkeys(texts) if t not in self.seen]
        if need:
            vectors = _unit(self.embed(need))
            if len(vectors) != len(need):
                raise ValueError(f"embed returned {len(vectors)} vectors for {len(need)} texts")
            self.seen.update(zip(need, vectors, strict=True))
        return np.array([self.seen[t] for t in texts], dtype=np.float32)


def ctfidf(group_counts) -> np.ndarray:
    """Class-based TF-IDF of a groups x phrases count matrix, dense (BERTopic's, BM25 idf).

    Parameters
    ----------
    group_counts : array-like, shape (n_groups, n_phrases)
        How many papers of each group contain each phrase.

    Returns
    -------
    numpy.ndarray, shape (n_groups, n_phrases)
    """
    import scipy.sparse as sp

    from ._ctfidf import transformer as ctfidf_transformer

    counts = sp.csr_matrix(group_counts)
    # BERTopic squeezes its document frequencies to a scalar when there is one phrase;
    # an all-zero column (which changes no other column's weight) keeps them a vector.
    padded = sp.hstack([counts, sp.csr_matrix((counts.shape[0], 1))]).tocsr()
    model = ctfidf_transformer()
    weights = np.asarray(sp.csr_matrix(model.fit_transform(padded)).todense())
    return weights[:, : counts.shape[1]]


def _closed(keys: list[str], support: np.ndarray, keep: np.ndarray, cover: float) -> np.ndarray:
    """Drop a phrase when a longer one around it is in most of the same papers.

    "architecture search" nearly always reads "neural architecture search" in a theme
    about it: the longer phrase is the name. ``support``: papers of the group with each
    phrase.
    """
    index = {k: i for i, k in enumerate(keys)}
    out = keep.copy()
    for i in np.flatnonzero(keep):
        words = keys[i].split(" ")
        for sub in (" ".join(words[1:]), " ".join(words[:-1])) if len(words) > 1 else ():
            j = index.get(sub)
            if j is not None and support[i] >= cover * support[j]:
                out[j] = False
    return out


@dataclass(frozen=True)
class NameSettings:
    """How names are chosen (the defaults were set on three corpora, see benchmarks/names.py).

    Attributes
    ----------
    n_candidates : int
        Phrases per group scored with embeddings (the best by class-based TF-IDF).
    n_description : int
        Phrases in a description.
    n_single : int
        Single phrases considered as names.
    n_joined : int
        Description phrases that may be joined into a name of two or three.
    min_share : float
        Share of a group's papers a candidate must occur in (and at least 2 papers).
    cover : float
        A phrase inside a longer phrase is dropped when the longer one is in this share
        of its papers.
    diversity : float
        Weight against similarity to the phrases picked before (maximal marginal
        relevance).
    prior : float
        Weight of the phrases' own scores when choosing the name.
    length_cost : float
        Cost of each phrase joined to the first, in units of the reciprocal rank.
    """

    n_candidates: int = 30
    n_description: int = 5
    n_single: int = 8
    n_joined: int = 5
    min_share: float = 0.05
    cover: float = 0.6
    diversity: float = 0.3
    prior: float = 0.1
    length_cost: float = 0.02


@dataclass
class _Options:
    description: list[str]
    names: list[str]  # best-scored single phrases first, then joined ones
    scores: np.ndarray  # mean score of the phrases in each name
    parts: np.ndarray  # phrases in each name


def _group_options(phrases, r, weights, support, size, vectors, centres, col, settings):
    """The description and the name options of one group (row ``r`` of the partition)."""
    w, s = weights[r], support[r]
    keys = phrases.keys.tolist()
    keep = (w > 0) & (s >= max(2, np.ceil(settings.min_share * size)))
    keep = _closed(keys, s, keep, settings.cover)
    cand = np.flatnonzero(keep)
    cand = cand[np.lexsort((phrases.keys[cand], -np.round(w[cand], 6)))][: settings.n_candidates]
    shown = [str(phrases.shown[i]) for i in cand if not repeats_stem(str(phrases.shown[i]))]
    cand = [i for i in cand if not repeats_stem(str(phrases.shown[i]))]
    if not cand:
        return _Options([], [], np.zeros(0), np.zeros(0))
    score = w[cand] / w[cand].max()
    vec = None
    if vectors is not None:
        vec = vectors(shown)
        sims = vec @ centres.T
        own = sims[:, col]
        other = np.delete(sims, col, axis=1)
        margin = own - (other.max(axis=1) if other.shape[1] else 0.0)
        span = margin.max() - margin.min()
        score = score + ((margin - margin.min()) / span if span > 0 else 1.0)
    score = np.round(score, 6)
    order = sorted(range(len(cand)), key=lambda j: (-score[j], shown[j]))
    # maximal marginal relevance, never two phrases with a common stem
    picked: list[int] = []
    used: set[str] = set()
    while len(picked) < settings.n_description:
        best, best_value = None, -np.inf
        for j in order:
            if j in picked or set(stems(shown[j])) & used:
                continue
            near = (
                max((float(vec[j] @ vec[p]) for p in picked), default=0.0)
                if vec is not None
                else 0.0
            )
            value = round((1 - settings.diversity) * score[j] - settings.diversity * near, 6)
            if value > best_value:
                best, best_value = j, value
        if best is None:
            break
        picked.append(best)
        used |= set(stems(shown[best]))
    names = [(shown[j], float(score[j]), 1) for j in order[: settings.n_single]]
    joinable = picked[: settings.n_joined]
    for n_parts in (2, 3):
        for parts in combinations(joinable, n_parts):
            words = [shown[j] for j in parts]
            name = ", ".join(words[:-1]) + " and " + words[-1]
            names.append((name, float(np.mean([score[j] for j in parts])), n_parts))
    kept = [(heading(n), v, p) for n, v, p in names if is_name(n)]
    return _Options(
        [shown[j] for j in picked],
        [n for n, _, _ in kept],
        np.array([v for _, v, _ in kept]),
        np.array([p for _, _, p in kept]),
    )


def group_names(
    phrases: Phrases,
    groups,
    *,
    targets=None,
    embeddings=None,
    embed: Callable[[list[str]], np.ndarray] | None = None,
    fixed: dict | None = None,
    reserved=(),
    settings: NameSettings | None = None,
    progress: bool = False,
) -> dict[int, tuple[str, list[str]]]:
    """Name some groups of a partition of the papers.

    Parameters
    ----------
    phrases : Phrases
        From `phrase_counts` on the papers' texts.
    groups : array-like of int, shape (n_papers,)
        The group of each paper; ``-1`` for papers in none (outliers): they count in
        the class-based TF-IDF as one more group but are never named.
    targets : sequence of int, optional
        The groups to name (default: all but ``-1``).
    embeddings : array-like, shape (n_papers, d), optional
        The papers' embeddings; with ``embed``, names are chosen by how well they tell
        the papers apart.
    embed : callable, optional
        ``embed(list of str) -> (n, d) array`` in the same space as ``embeddings``.
    fixed : dict, optional
        ``{group: name}`` of groups named already (they compete with the targets).
    reserved : iterable of str
        Names no target may take (nor any name with the same stems).
    settings : NameSettings, optional
    progress : bool
        A bar of the groups named ("Naming themes"; with ``embed``, each group counts
        three times: its candidates, then each of the two sweeps that choose among them).

    Returns
    -------
    dict
        ``{group: (name, description phrases)}``; the name is ``""`` when the group has
        no candidate phrase (e.g. two papers with nothing in common).
    """
    import scipy.sparse as sp

    settings = settings or NameSettings()
    groups = np.asarray(groups, dtype=np.int64)
    ids = sorted(set(groups.tolist()))
    row = {g: k for k, g in enumerate(ids)}
    named = [g for g in ids if g != -1]
    if not named:  # every paper an outlier: nothing to name
        return {}
    targets = named if targets is None else [int(t) for t in targets]
    n = len(groups)
    membership = sp.csr_matrix(
        (np.ones(n), ([row[g] for g in groups.tolist()], np.arange(n))), shape=(len(ids), n)
    )
    support = np.asarray((membership @ phrases.counts).todense())
    sizes = np.asarray(membership.sum(axis=1)).ravel()
    weights = ctfidf(support) if support.shape[1] else support
    use_embed = embed is not None and embeddings is not None and len(named) > 1
    vectors = (embed if isinstance(embed, Vectors) else Vectors(embed)) if use_embed else None
    col = {g: k for k, g in enumerate(named)}
    centres = None
    if use_embed:
        emb = _unit(embeddings)
        centres = _unit(np.asarray(membership @ emb)[[row[g] for g in named]])
    from tqdm.auto import tqdm

    total = len(targets) * (3 if use_embed else 1)
    with tqdm(total=total, desc="Naming themes", unit="theme", disable=not progress) as bar:
        options = {}
        for t in targets:
            options[t] = _group_options(
                phrases,
                row[t],
                weights,
                support,
                sizes[row[t]],
                vectors,
                centres,
                col.get(t),
                settings,
            )
            bar.update(1)
        reserved_keys = {_key(x) for x in reserved}
        current = {int(g): str(v) for g, v in (fixed or {}).items()}
        for t in targets:  # first the best-scored free name of each group, in order
            taken = reserved_keys | {_key(v) for g, v in current.items() if g != t}
            current[t] = next((x for x in options[t].names if _key(x) not in taken), "")
        if use_embed:
            _choose_by_retrieval(
                current,
                options,
                targets,
                groups,
                emb,
                vectors,
                named,
                reserved_keys,
                settings,
                bar,
            )
        bar.update(total - bar.n)  # a second sweep that was not needed
    return {t: (current[t], options[t].description) for t in targets}


def _choose_by_retrieval(
    current, options, targets, groups, emb, vectors, named, reserved, settings, bar=None
):
    """Coordinate ascent: each group takes the option that best ranks its own papers' name.

    The objective of one group's choice is the sum of the reciprocal rank of every
    paper's own group name among all names (so a name that draws other groups' papers
    loses), over the group's size, plus ``prior`` times the option's phrase score.
    Two sweeps over the groups, in order; ties go to the earlier option.
    """
    inside_any = groups != -1
    col = {g: k for k, g in enumerate(named)}
    y = np.array([col[g] for g in groups[inside_any]])
    papers = emb[inside_any]
    size = np.bincount(y, minlength=len(named))
    for _ in range(2):
        changed = False
        for t in targets:
            if bar is not None:
                bar.update(1)
            taken = reserved | {_key(v) for g, v in current.items() if g != t and v}
            opts = options[t]
            value_of = opts.scores * settings.prior - settings.length_cost * (opts.parts - 1)
            choices = [
                (x, v) for x, v in zip(opts.names, value_of, strict=True) if _key(x) not in taken
            ]
            if not choices:
                continue
            k = col[t]
            sims = papers @ vectors([current.get(g) or "-" for g in named]).T
            cand = papers @ vectors([x for x, _ in choices]).T
            own = y == k
            rest = np.delete(sims[own], k, axis=1)
            rank_in = 1 + (rest[:, :, None] > cand[own][:, None, :]).sum(axis=1)
            theirs = sims[~own, y[~own]]
            base = 1 + (np.delete(sims[~own], k, axis=1) > theirs[:, None]).sum(axis=1)
            rank_out = base[:, None] + (cand[~own] > theirs[:, None])
            rr = ((1.0 / rank_in).sum(axis=0) + (1.0 / rank_out).sum(axis=0)) / max(size[k], 1)
            value = np.round(rr + np.array([v for _, v in choices]), 6)
            best = choices[int(np.argmax(value))][0]
            if best != current[t]:
                current[t], changed = best, True
        if not changed:
            break


def name_themes(
    texts,
    labels,
    *,
    embeddings=None,
    embed: Callable[[list[str]], np.ndarray] | None = None,
    phrases: Phrases | None = None,
    fallback: dict | None = None,
    settings: NameSettings | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """A name and a description for each theme.

    Parameters
    ----------
    texts : sequence of str, shape (n_papers,)
        Title and abstract of each paper.
    labels : array-like of int, shape (n_papers,)
        Theme of each paper, ``-1`` for outliers.
    embeddings : array-like, shape (n_papers, d), optional
        The papers' embeddings (with ``embed``: names chosen by how well they find
        their papers; without: by class-based TF-IDF alone).
    embed : callable, optional
        ``embed(list of str) -> (n, d) array``: the backend that embedded the papers.
    phrases : Phrases, optional
        `phrase_counts` of ``texts``, when computed already.
    fallback : dict, optional
        ``{theme: name}`` for a theme without any candidate phrase (default "Theme N"),
        written as a heading (its first letter upper-case).
    settings : NameSettings, optional
    progress : bool
        Progress bars (`phrase_counts`, `group_names`).

    Returns
    -------
    pandas.DataFrame
        ``theme_id``, ``name``, ``description`` (the phrases, `` · ``-separated), one row
        per theme in id order, outliers excluded.
    """
    labels = np.asarray(labels, dtype=np.int64)
    phrases = phrases if phrases is not None else phrase_counts(texts, progress=progress)
    named = group_names(
        phrases, labels, embeddings=embeddings, embed=embed, settings=settings, progress=progress
    )
    fallback = fallback or {}
    rows, used = [], set()
    for t in sorted(named):
        name, description = named[t]
        if not name or _key(name) in used:
            name = unique_name(heading(fallback.get(t) or f"Theme {t}"), used, t)
        used.add(_key(name))
        rows.append({"theme_id": t, "name": name, "description": " · ".join(description)})
    return pd.DataFrame(rows, columns=["theme_id", "name", "description"])


def unique_name(name: str, used: set, number: int) -> str:
    """``name``, or ``name (number)`` when its stems are taken already."""
    return name if _key(name) not in used else f"{name} ({number})"
