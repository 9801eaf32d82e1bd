"""The paper table: one row per paper with its theme, closeness to the centre and map place.

This is what a user filters, sorts and exports (``papers[papers.theme_id == 3]``), and what
the report's paper explorer shows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import frames
from .errors import InputError

OUTLIER_NAME = "Outliers"
# The model's own columns, first; the corpus' columns follow.
MODEL_COLUMNS = ["doc_id", "theme_id", "theme", "closeness", "x", "y"]


def theme_names(model) -> dict[int, str]:
    """``{theme id: name}``: the ``name`` column of ``themes_`` where set, else ``label``.

    Outliers (-1) are called "Outliers" unless the theme table names them.
    """
    themes = model.themes_
    ids = themes["theme_id"].astype(int).tolist()
    labels = themes["label"].astype(str).tolist()
    given = themes["name"].tolist() if "name" in themes.columns else [None] * len(ids)
    out = {-1: OUTLIER_NAME}
    for theme, label, name in zip(ids, labels, given, strict=True):
        if isinstance(name, str) and name.strip():
            out[theme] = name.strip()
        elif theme >= 0:
            out[theme] = label
    return out


def closeness(model) -> np.ndarray:
    """Cosine similarity of each training paper to its theme's centre; NaN for outliers.

    Returns
    -------
    numpy.ndarray of shape (n_papers,)
    """
    labels = np.asarray(model.labels_, dtype=np.int64)
    out = np.full(len(labels), np.nan, dtype=np.float64)
    placed = labels >= 0
    cents = np.asarray(model.centroids_)
    if placed.any() and len(cents):
        emb = np.asarray(model.embeddings_)[placed]
        out[placed] = np.einsum("ij,ij->i", emb, cents[labels[placed]])
    return out


def paper_table(model, corpus: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per paper the model was fitted on, in the fit's order.

    Parameters
    ----------
    model : ThemeModel
        A fitted model.
    corpus : pandas.DataFrame, optional
        The table the model was fitted on (from `trends.load`); its columns are appended.
        Without it, the fitted texts are given as ``text``.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, theme_id, theme, closeness, x, y`` (``theme`` is the theme's name,
        ``closeness`` the cosine similarity to the theme's centre, NaN for outliers,
        ``x, y`` the place on the paper map), then the corpus' other columns.

    Raises
    ------
    ValueError
        When ``corpus`` is not the table the model was fitted on.
    """
    labels = np.asarray(model.labels_, dtype=np.int64)
    doc_ids = [str(d) for d in model.doc_ids_]
    names = theme_names(model)
    xy = np.asarray(frames.coordinates(model), dtype=np.float64)
    table = pd.DataFrame(
        {
            "doc_id": pd.array(doc_ids, dtype="string"),
            "theme_id": labels,
            "theme": [names.get(int(t), OUTLIER_NAME) for t in labels],
            "closeness": closeness(model),
            "x": xy[:, 0],
            "y": xy[:, 1],
        }
    )
    if corpus is None:
        table["text"] = pd.array([str(t) for t in model.texts_], dtype="string")
        return table
    if not isinstance(corpus, pd.DataFrame):  # the list of texts the model was fitted on
        from .model import as_corpus

        corpus = as_corpus(corpus)
    corpus = _aligned(corpus, doc_ids)
    _check_texts(corpus, model)
    rest = corpus.drop(columns=[c for c in MODEL_COLUMNS if c in corpus.columns])
    return pd.concat([table, rest.reset_index(drop=True)], axis=1)


def _aligned(corpus: pd.DataFrame, doc_ids: list[str]) -> pd.DataFrame:
    """``corpus`` in the fit's order, or an InputError saying why it is not the fitted one."""
    if len(corpus) != len(doc_ids):
        raise InputError(
            f"the corpus has {len(corpus)} papers but the model was fitted on "
            f"{len(doc_ids)}: pass the corpus the model was fitted on"
        )
    if "doc_id" not in corpus.columns:
        return corpus.reset_index(drop=True)
    given = corpus["doc_id"].astype(str).tolist()
    if given == doc_ids:
        return corpus.reset_index(drop=True)
    where = {d: k for k, d in enumerate(given)}
    missing = [d for d in doc_ids if d not in where]
    if missing and doc_ids == [f"d{k}" for k in range(len(doc_ids))]:
        raise InputError(
            "the model was fitted on texts without ids (it numbered them d0, d1, ...), and "
            "this corpus has its own doc_ids: fit on the corpus itself, or pass the corpus "
            "without its doc_id column (in the order of the texts fitted)"
        )
    if missing or len(where) != len(given):
        raise InputError(
            f"the corpus is not the one the model was fitted on: {len(missing)} of its "
            f"papers are missing (e.g. doc_id {missing[0]!r})"
            if missing
            else "the corpus has repeated doc_ids: pass the corpus the model was fitted on"
        )
    return corpus.iloc[[where[d] for d in doc_ids]].reset_index(drop=True)


def _check_texts(corpus: pd.DataFrame, model) -> None:
    """Refuse a corpus whose papers have other texts than those fitted (edited since).

    Its rows would show an edited text beside the theme of the old one; `training_rows`
    (the one check of "is this the training corpus?") would not count them as fitted.
    """
    if "text" not in corpus.columns:
        return
    other = np.flatnonzero(corpus["text"].astype(str).to_numpy() != model.texts_)
    if len(other):
        raise InputError(
            f"the corpus is not the one the model was fitted on: {len(other)} of its papers "
            f"have another text than the one fitted (e.g. doc_id {model.doc_ids_[other[0]]!r}):"
            " pass the corpus as fitted, or place edited and new papers with model.assign()"
        )


# Columns that are never facets: text, links, ids, dates and where a record came from.
NOT_FACETS = {
    "doc_id",
    "title",
    "abstract",
    "text",
    "published",
    "authors",
    "url",
    "pdf",
    "source",
    "comment",
    "theme",
    "theme_id",
    "closeness",
    "x",
    "y",
}
MAX_FACET_OPTIONS = 200


def facet_columns(table: pd.DataFrame) -> list[str]:
    """Columns of ``table`` to filter papers by: categories, venue, a label...

    A column qualifies when it holds strings or lists of strings whose values repeat: at
    least 2 distinct values, and fewer than half as many as there are papers. Text,
    links, ids, dates and the ``source`` file never do.
    """
    out = []
    for column in table.columns:
        if column in NOT_FACETS or table[column].dtype.kind not in "OSUT":
            continue
        values = _facet_values(table[column])
        if values is None:
            continue
        distinct = len(set(v for vs in values for v in vs))
        if 2 <= distinct <= max(2, len(table) // 2):
            out.append(column)
    return out


def _facet_values(column: pd.Series) -> list[list[str]] | None:
    """Each row's values (a list, maybe empty), or None when the column is not text."""
    out = []
    for v in column.tolist():
        if isinstance(v, list | tuple | np.ndarray):
            if not all(isinstance(x, str) for x in v):
                return None
            out.append([x.strip() for x in v if x.strip()])
        elif isinstance(v, str):
            out.append([v.strip()] if v.strip() else [])
        elif v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            out.append([])
        else:
            return None
    return out


def facet_codes(
    column: pd.Series, *, limit: int = MAX_FACET_OPTIONS
) -> tuple[list[str], list[list[int]]]:
    """The ``limit`` most frequent values of a facet column, and each row's codes.

    Returns
    -------
    values : list of str
        Most frequent first (ties alphabetically).
    codes : list of list of int
        Per row, the indices into ``values`` of its values; rarer values are left out.
    """
    values = _facet_values(column) or [[] for _ in range(len(column))]
    counts = pd.Series([v for vs in values for v in vs], dtype=object).value_counts()
    vocab = sorted(counts.index.tolist(), key=lambda v: (-counts[v], v))[:limit]
    where = {v: k for k, v in enumerate(vocab)}
    return vocab, [[where[v] for v in vs if v in where] for vs in values]


PERIODS = [("D", 1), ("W", 7), ("MS", 31), ("QS", 92), ("YS", 366)]
MAX_PERIODS = 400


def papers_per_period(dates: pd.Series) -> pd.DataFrame:
    """Papers per day, or per week, month... whichever first gives at most 400 periods.

    Papers with stray dates (the rule of the trends, `trends.timeline.stray_dates`: one
    paper dated 1970 in a feed of 2025) are not counted: they would stretch the periods
    over the decades between. ``.attrs["stray"]`` counts them and ``.attrs["stray_dates"]``
    lists their days.

    Returns
    -------
    pandas.DataFrame
        ``period`` (start), ``end`` (last day) and ``papers``, every period between the
        first and the last date (empty ones too); ``.attrs["freq"]`` is the pandas
        frequency. Undated papers are not counted.
    """
    from .timeline.periods import stray_dates

    days = pd.to_datetime(dates, utc=True).dropna().dt.floor("D").reset_index(drop=True)
    stray = stray_dates(days)
    strays = sorted({f"{d:%Y-%m-%d}" for d in days[stray]})
    days = days[~stray]
    if days.empty:
        out = pd.DataFrame({"period": [], "end": [], "papers": []})
        out.attrs.update(freq="D", stray=0, stray_dates=[])
        return out
    span = (days.max() - days.min()).days + 1
    freq = next((f for f, d in PERIODS if span / d <= MAX_PERIODS), "YS")
    start = days.dt.tz_localize(None).dt.to_period(freq.rstrip("S")).dt.start_time
    counts = start.value_counts()
    first = counts.index.min()
    periods = pd.period_range(first, counts.index.max(), freq=freq.rstrip("S"))
    out = pd.DataFrame(
        {
            "period": periods.start_time.tz_localize("UTC"),
            "end": periods.end_time.floor("D").tz_localize("UTC"),
            "papers": [int(counts.get(p, 0)) for p in periods.start_time],
        }
    )
    out.attrs.update(freq=freq, stray=int(stray.sum()), stray_dates=strays)
    return out


EXPORT_FORMATS = ("csv", "json", "parquet")


def export(table: pd.DataFrame, format: str) -> bytes:
    """The paper table as a file's bytes: CSV, JSON records or Parquet.

    CSV joins list cells (authors, categories) with ``"; "``; JSON and Parquet keep them
    as lists. Dates are ISO 8601 in CSV and JSON. CSV is for spreadsheets, which run a
    cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a
    formula: such a text cell (a title, an author, an id: untrusted input) is written
    with a ``'`` before it (`spreadsheet_csv`). JSON and Parquet keep every text as it is.

    Raises
    ------
    ValueError
        For a format other than ``csv``, ``json`` and ``parquet``.
    """
    import io

    if format not in EXPORT_FORMATS:
        raise InputError(f"unknown format {format!r}: choose one of {', '.join(EXPORT_FORMATS)}")
    if format == "parquet":
        buffer = io.BytesIO()
        table.to_parquet(buffer, index=False)
        return buffer.getvalue()
    if format == "json":
        return table.to_json(orient="records", date_format="iso", force_ascii=False).encode()
    flat = table.copy()
    for column in flat.columns:
        if flat[column].dtype == object and flat[column].map(_is_list).any():
            flat[column] = flat[column].map(lambda v: "; ".join(map(str, v)) if _is_list(v) else v)
    return spreadsheet_csv(flat)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_csv(table: pd.DataFrame) -> bytes:
    """``table`` as UTF-8 CSV in which no text cell runs as a spreadsheet formula.

    Excel and LibreOffice evaluate a cell that starts with ``=``, ``+``, ``-``, ``@``, a
    tab or a carriage return (``=HYPERLINK(...)``, ``=cmd|...``): such a text cell gets a
    leading ``'`` (OWASP's advice for CSV injection). Numbers are left as they are, also
    when a column of the input holds them as text (``-1.5``, ``+3``).
    """

    def safe(value):
        if isinstance(value, str) and value.startswith(_FORMULA_START) and not _number(value):
            return "'" + value
        return value

    flat = table.copy()
    for column in flat.columns:
        if flat[column].dtype == object or pd.api.types.is_string_dtype(flat[column]):
            flat[column] = flat[column].map(safe)
    return flat.to_csv(index=False).encode("utf-8")


def _number(text: str) -> bool:
    """Whether ``text`` is a plain number (a spreadsheet reads it as one, not a formula)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_list(value) -> bool:
    return isinstance(value, list | tuple | np.ndarray)
