"""The self-contained HTML report: one offline file made of sections.

A report is the ordered list `SECTIONS`. Each `Section` has an id (its anchor and the
name of its template partial, ``templates/sections/<id>.html.j2``), a navigation entry and
a builder: a function of the `ReportInput` (the model, its corpus and what is computed
from them once) returning the section's context, a dict in which figures are plotly
Figures under ``"figures"`` and tables lists of dicts, or None to leave the section out.
Every figure is embedded once as JSON and drawn by the one loader in the page
(``<div data-chart=NAME>``); the papers are embedded once, compressed, for the explorer
(search, filters, the paper table). Everything shown is escaped: titles are untrusted.
"""

from __future__ import annotations

import base64
import importlib
import json
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from . import charts, frames
from . import papers as _papers
from ._io import write_output
from .charts._style import theme_color
from .charts.paper_timeline import paper_timeline
from .errors import InputError

SCORE_MEANINGS = {
    "coherence": "Do a theme's keywords occur together in the papers? NPMI from -1 to 1; "
    "above 0.1 reads as a coherent theme.",
    "diversity": "Share of distinct words among all themes' top 25 keywords; 1 means no "
    "two themes share a keyword.",
    "outlier_share": "Papers that fit no theme well enough to be placed in one.",
    "n_themes": "Themes found; their sizes follow from the corpus size (see the README).",
}
_SCORE_NAMES = {
    "coherence": "Coherence (NPMI)",
    "diversity": "Keyword diversity",
    "outlier_share": "Outliers",
    "n_themes": "Themes",
}


@dataclass
class ReportInput:
    """What every section builder is given: the fitted model and its corpus.

    Values several sections need (the paper table, the theme list) are computed once,
    on first use.
    """

    model: object
    corpus: pd.DataFrame
    watch: list[str] | None = None  # phrases of a watch-list (`trends.watch`)
    store: object | None = None  # the `trends.store.Store` the report was made from

    @cached_property
    def papers(self) -> pd.DataFrame:
        """`trends.papers.paper_table` of the model and corpus."""
        return _papers.paper_table(self.model, self.corpus)

    @cached_property
    def names(self) -> dict[int, str]:
        """``{theme id: name}`` (the ``name`` column where there is one, else the label)."""
        return _papers.theme_names(self.model)

    @cached_property
    def themes(self) -> list[dict]:
        """One dict per theme, outliers last: id, name, size, share, keywords, colour."""
        out = []
        for row in self.model.themes_.itertuples():
            theme = int(row.theme_id)
            out.append(
                {
                    "theme_id": theme,
                    "name": self.names.get(theme, row.label),
                    "label": row.label,
                    "size": int(row.size),
                    "share": float(row.share),
                    "keywords": [str(k) for k in row.keywords],
                    "color": theme_color(theme),
                }
            )
        return sorted(out, key=lambda t: (t["theme_id"] < 0, t["theme_id"]))

    def themes_named(self) -> pd.DataFrame:
        """``model.themes_`` with ``label`` replaced by the theme's name, for the charts."""
        table = self.model.themes_.copy()
        table["label"] = [
            self.names.get(int(t), lab) for t, lab in zip(table.theme_id, table.label, strict=True)
        ]
        return table


Builder = Callable[[ReportInput], dict | None]


@dataclass(frozen=True)
class Section:
    """One part of the report.

    Parameters
    ----------
    id : str
        The HTML id and anchor, and the partial ``templates/sections/<id>.html.j2``.
    nav : str
        Its entry in the navigation bar.
    build : callable or str
        ``build(report_input) -> dict | None``, or ``"module:function"`` naming one
        (imported when the report is made, so a section costs nothing until then).
    """

    id: str
    nav: str
    build: Builder | str

    def builder(self) -> Builder:
        """The build function, imported if given by name."""
        if callable(self.build):
            return self.build
        module, _, name = self.build.partition(":")
        return getattr(importlib.import_module(module), name)


# -- the sections ------------------------------------------------------------------------


def _overview(report: ReportInput) -> dict:
    fig = charts.theme_sizes(report.themes_named())
    # a click on a bar filters the papers: a theme, the other themes, or the outliers
    fig.update_traces(meta={"filter": "theme"})
    return {"figures": {"sizes": fig}}


def _map(report: ReportInput) -> dict:
    points = frames.paper_points(report.model, report.corpus)
    # Titles, dates and places are in the page once (the paper data): the figure keeps
    # its traces, names, colours and labels, and the page fills in the points.
    fig = charts.paper_map(points.assign(title=""))
    for trace in fig.data:
        trace.update(x=None, y=None, text=None)
    fig.update_layout(meta={"papers": True})
    return {"figures": {"map": fig}}


def _keywords(report: ReportInput) -> dict:
    return {"figures": {"keywords": charts.keywords(report.themes_named())}}


def _similarity(report: ReportInput) -> dict:
    pairs = frames.theme_similarity(report.model)
    return {"figures": {"similarity": charts.theme_similarity(pairs)}}


def _trends(report: ReportInput) -> dict:
    """The Trends section's figures, table and note; or the reason there is none."""
    from . import timeline

    try:
        section = timeline.trends_section(report)
    except timeline.NoDatesError as exc:
        return {"reason": str(exc), "figures": {}}
    return section


def _papers_section(report: ReportInput) -> dict:
    """The paper explorer's timeline (a date brush), theme list and table."""
    out = {"themes": report.themes, "figures": {}}
    if "published" in report.corpus.columns and report.corpus["published"].notna().any():
        counts = _papers.papers_per_period(report.corpus["published"])
        out["figures"]["papers-timeline"] = paper_timeline(counts)
        out["stray"] = counts.attrs["stray"]
        out["stray_dates"] = ", ".join(counts.attrs["stray_dates"][:5])
    out["timeline"] = bool(out["figures"])
    return out


def _quality(report: ReportInput) -> dict:
    card = report.model.scorecard()
    out = []
    for key in ("coherence", "diversity", "outlier_share", "n_themes"):
        value = card[key]
        if key == "outlier_share":
            shown = f"{value:.1%}"
        elif key == "n_themes":
            shown = str(value)
        else:
            shown = "–" if value is None or np.isnan(value) else f"{value:.3f}"
        out.append({"name": _SCORE_NAMES[key], "value": shown, "meaning": SCORE_MEANINGS[key]})
    return {"scores": out}


SECTIONS: list[Section] = [
    Section("tree", "Fields", "trends.hierarchy:report_section"),
    Section("overview", "Overview", _overview),
    Section("map", "Map", _map),
    Section("papers", "Papers", _papers_section),
    Section("keywords", "Keywords", _keywords),
    Section("similarity", "Similarity", _similarity),
    Section("trends", "Trends", _trends),
    Section("mix", "Feed mix", "trends.timeline:mix_section"),
    Section("bursts", "Bursts", "trends.timeline:bursts_section"),
    Section("vocabulary", "Vocabulary", "trends.timeline:vocabulary_section"),
    Section("watch", "Watch-list", "trends.timeline:watch_section"),
    Section("facets", "Facets", "trends.timeline:facets_section"),
    Section("lineage", "Lineage", "trends.timeline:lineage_section"),
    Section("quality", "Quality", _quality),
]


# -- the paper data of the explorer -------------------------------------------------------

ZSTD_LEVEL = 12  # a third smaller than gzip -9 on abstracts, ~2.5 s per 20 MB of text
EPOCH = pd.Timestamp("1970-01-01", tz="UTC")


def _texts(table: pd.DataFrame, column: str) -> list[str]:
    if column not in table.columns:
        return [""] * len(table)
    return ["" if pd.isna(v) else str(v) for v in table[column].tolist()]


def _people(table: pd.DataFrame) -> list[str]:
    if "authors" not in table.columns:
        return [""] * len(table)
    out = []
    for v in table["authors"].tolist():
        if isinstance(v, list | tuple | np.ndarray):
            out.append(", ".join(str(a) for a in v))
        else:
            out.append("" if v is None or pd.isna(v) else str(v))
    return out


def _days(table: pd.DataFrame) -> list[int | None]:
    """Each paper's date as whole days since 1970-01-01 (UTC), None when undated."""
    if "published" not in table.columns:
        return [None] * len(table)
    days = (pd.to_datetime(table["published"], utc=True).dt.floor("D") - EPOCH).dt.days
    return [None if pd.isna(d) else int(d) for d in days.tolist()]


def explorer_data(report: ReportInput) -> dict:
    """The papers as compact columnar data for the page: one list per field, no repeated keys.

    Returns
    -------
    dict
        ``n``; per paper: ``title``, ``authors`` (one string), ``tags`` (every value of
        its facet columns, for the search), ``abstract``, ``url``
        (http(s) only, else None), ``date`` (days since 1970-01-01, None when undated),
        ``theme``, ``closeness`` (3 decimals, None for outliers), ``x``, ``y``;
        ``facets``: ``[{column, values, codes}]`` (``codes[i]``: indices into ``values``
        of paper ``i``); ``themes``: ``[{id, name, color, keywords}]``.
    """
    table = report.papers
    facets, tags = [], [[] for _ in range(len(table))]
    for column in _papers.facet_columns(report.corpus):
        values, codes = _papers.facet_codes(table[column])
        facets.append({"column": str(column), "values": values, "codes": codes})
        for row, given in enumerate(_papers._facet_values(table[column]) or []):
            tags[row].extend(given)
    closeness = np.round(table["closeness"].to_numpy(dtype=float), 3)
    return {
        "n": len(table),
        "title": _texts(table, "title"),
        "authors": _people(table),
        "tags": [" ".join(t) for t in tags],
        "abstract": _texts(table, "abstract"),
        "url": [_safe_url(u) for u in table["url"]] if "url" in table else [None] * len(table),
        "date": _days(table),
        "theme": table["theme_id"].astype(int).tolist(),
        "closeness": [None if np.isnan(c) else float(c) for c in closeness],
        "x": np.round(table["x"].to_numpy(dtype=float), 3).tolist(),
        "y": np.round(table["y"].to_numpy(dtype=float), 3).tolist(),
        "facets": facets,
        "themes": [
            {"id": t["theme_id"], "name": t["name"], "color": t["color"], "keywords": t["keywords"]}
            for t in report.themes
        ],
    }


def _compress(raw: bytes) -> str:
    """Zstandard-compressed bytes as base64 text, which the page decodes (zstddec)."""
    try:
        import zstandard
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ImportError(
            "the report compresses what it embeds with Zstandard: pip install zstandard"
        ) from exc
    packed = zstandard.ZstdCompressor(level=ZSTD_LEVEL, threads=0).compress(raw)
    return base64.b64encode(packed).decode("ascii")


TEXT_FIELDS = ("title", "authors", "tags", "abstract")
_SEP = "\u0001"


def pack(data: dict) -> str:
    """The paper data for the page, compressed (see `_compress`).

    The short columns go as JSON; then, after a NUL (which JSON text never holds), the
    texts as one string of segments separated by U+0001: every title, then every
    author list, every paper's tags, every abstract (segment ``f * n + i`` is field
    ``f`` of paper ``i``; a field after another compresses better). The page lower-cases
    that string once for its search and parses only the short JSON: parsing 50 MB of
    abstracts as JSON strings would cost seconds.
    """
    short = {k: v for k, v in data.items() if k not in TEXT_FIELDS}
    segments = (text.replace(_SEP, " ") for k in TEXT_FIELDS for text in data[k])
    head = json.dumps(short, ensure_ascii=False, separators=(",", ":"))
    return _compress((head + "\u0000" + _SEP.join(segments)).encode("utf-8"))


def unpack(text: str) -> dict:
    """`pack`'s text back as the `explorer_data` dict, read as the page reads it."""
    import zstandard

    raw = zstandard.ZstdDecompressor().decompressobj().decompress(base64.b64decode(text))
    head, _, block = raw.decode("utf-8").partition("\u0000")
    data = json.loads(head)
    n = data["n"]
    segments = block.split(_SEP) if n else []
    for k, field in enumerate(TEXT_FIELDS):
        data[field] = segments[k * n : (k + 1) * n]
    return data


@lru_cache(maxsize=1)
def _plotly() -> tuple[str, str]:
    """plotly.js, compressed (4.8 MB of script become 1.3 MB of text), and its banner."""
    from plotly.offline import get_plotlyjs

    source = get_plotlyjs()
    match = re.search(r"plotly\.js v[\w.+-]+", source[:400])
    return _compress(source.encode("utf-8")), match[0] if match else "plotly.js"


def _explorer(report: ReportInput, data: dict) -> dict:
    """What the page's search bar shows before any script runs: facets, date bounds."""
    days = [d for d in data["date"] if d is not None]
    facets = []
    for f in data["facets"]:
        counts = np.bincount([c for cs in f["codes"] for c in cs], minlength=len(f["values"]))
        facets.append(
            {
                "column": f["column"],
                "options": [
                    {"value": v, "count": int(c)}
                    for v, c in zip(f["values"], counts.tolist(), strict=True)
                ],
            }
        )
    first = (EPOCH + pd.Timedelta(days=min(days))).strftime("%Y-%m-%d") if days else None
    last = (EPOCH + pd.Timedelta(days=max(days))).strftime("%Y-%m-%d") if days else None
    return {"n": data["n"], "facets": facets, "first": first, "last": last}


# -- rendering ---------------------------------------------------------------------------


def _json_for_script(obj) -> str:
    """JSON text that cannot end its <script> element early, whatever the titles say."""
    text = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)
    for bad, good in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(bad, good)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _safe_url(url) -> str | None:
    """An http(s) link, else None (``javascript:`` and the like are never linked)."""
    if url is None or (isinstance(url, float) and np.isnan(url)) or pd.isna(url):
        return None
    url = str(url).strip()
    return url if url.lower().startswith(("https://", "http://")) else None


def _date(value) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _without_strays(dates: pd.Series) -> tuple[pd.Series, int]:
    """The dates less the stray ones (the trends' rule: a paper misdated 1970), and how many.

    Dates that cannot be read as dates are kept as they are: the Trends section says why.
    """
    from .timeline.periods import as_dates, stray_dates

    try:
        with warnings.catch_warnings():  # the Trends section warns about the dates
            warnings.simplefilter("ignore", UserWarning)
            stray = stray_dates(as_dates(dates))
    except InputError:
        return dates, 0
    return dates[~stray], int(stray.sum())


def _summary(model, corpus: pd.DataFrame) -> dict:
    dates = corpus["published"].dropna() if "published" in corpus.columns else pd.Series([])
    report = corpus.attrs.get("load_report")
    load = None
    if report:
        skipped = report.get("skipped", [])
        load = {
            "read": report.get("read"),
            "kept": report.get("kept"),
            "duplicates": report.get("duplicates"),
            "skipped": len(skipped),
            "skip_examples": [
                f"{Path(s['file']).name}"
                + (f", line {s['line']}" if s.get("line") is not None else "")
                + f": {s['reason']}"
                for s in skipped[:3]
            ],
        }
    date_range, stray = None, 0
    if len(dates):
        dates, stray = _without_strays(dates)
        date_range = f"{_date(dates.min())} to {_date(dates.max())}"
    return {
        "papers": len(corpus),
        "n_themes": model.n_themes_,
        "outlier_share": float(np.mean(model.labels_ == -1)),
        "date_range": date_range,
        "stray": stray,
        "load": load,
        "generated": None,
    }


def _asset(name: str) -> str:
    """A file of ``trends/templates`` (scripts inlined into the page) as text."""
    return resources.files("trends").joinpath("templates", name).read_text(encoding="utf-8")


def _build_sections(report: ReportInput, sections, progress=False) -> tuple[list[dict], dict]:
    """Each kept section's id, nav and context, and all their figures by name.

    With ``progress``, a bar counts the sections built and names the one being built (the
    2-D map and the bursts take most of the time on a large corpus).
    """
    from tqdm.auto import tqdm

    built, figures = [], {}
    with tqdm(total=len(sections), desc="Report", unit="section", disable=not progress) as bar:
        for section in sections:
            bar.set_postfix_str(section.id)
            context = section.builder()(report)
            bar.update(1)
            if context is None:
                continue
            for name, fig in (context.pop("figures", None) or {}).items():
                if name in figures:
                    raise ValueError(f"two report sections draw a chart named {name!r}")
                figures[name] = fig
            built.append({"id": section.id, "nav": section.nav, "context": context})
    return built, figures


def _as_table(model, corpus) -> pd.DataFrame:
    """The corpus as a table.

    A list of texts (as `ThemeModel.fit` takes) becomes one; without a corpus, the model's
    own texts and ids are used.
    """
    from .model import as_corpus

    if corpus is None:
        return pd.DataFrame(
            {"doc_id": [str(d) for d in model.doc_ids_], "text": [str(t) for t in model.texts_]}
        )
    return as_corpus(corpus)


def render_report(
    model,
    corpus: pd.DataFrame,
    *,
    title: str | None = None,
    sections: list[Section] | None = None,
    watch: list[str] | None = None,
    store=None,
    progress: bool | None = None,
) -> str:
    """The report's HTML text (see `write_report`).

    Parameters
    ----------
    sections : list of Section, optional
        The sections to show, in order; default `SECTIONS`.
    watch, store, progress
        As for `write_report`.
    """
    import jinja2
    from markupsafe import Markup
    from sklearn.utils.validation import check_is_fitted

    from . import __version__

    check_is_fitted(model, "labels_")
    progress = bool(getattr(model, "verbose", False)) if progress is None else progress
    corpus = _as_table(model, corpus)
    if len(corpus) != len(model.labels_):
        raise InputError(
            f"the corpus has {len(corpus)} papers but the model was fitted on "
            f"{len(model.labels_)}: pass the corpus the model was fitted on"
        )
    report = ReportInput(model, corpus.reset_index(drop=True), watch=watch, store=store)
    built, figures = _build_sections(
        report, SECTIONS if sections is None else sections, progress=progress
    )
    data = explorer_data(report)

    def chart(name: str, label: str = "") -> Markup:
        if name not in figures:
            raise ValueError(f"a section template draws chart {name!r}, which no section made")
        return Markup(
            '<div class="chart" id="chart-{0}" data-chart="{0}" role="img" aria-label="{1}"></div>'
        ).format(name, label)

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("trends", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        undefined=jinja2.StrictUndefined,
    )
    env.globals["chart"] = chart
    template = env.get_template("report.html.j2")
    return template.render(
        title=title or "Themes in papers",
        version=__version__,
        summary=_summary(model, report.corpus),
        sections=built,
        explorer=_explorer(report, data),
        paper_data=pack(data),
        seed=model.random_state,
        plotly_js=_plotly()[0],
        plotly_banner=_plotly()[1],
        boot_js=Markup(_asset("boot.js")),
        vendor_js=Markup(_asset("vendor/zstddec.js")),
        vendor_licence=Markup(_asset("vendor/zstddec.LICENSE").replace("*/", "* /")),
        loader_js=Markup(_asset("loader.js")),
        explorer_js=Markup(_asset("explorer.js")),
        charts={k: Markup(_json_for_script(f.to_json())) for k, f in figures.items()},
    )


def write_report(
    model,
    corpus: pd.DataFrame,
    path,
    *,
    title: str | None = None,
    watch: list[str] | None = None,
    store=None,
    progress: bool | None = None,
) -> Path:
    """Write one self-contained, offline HTML report of a fitted model, atomically.

    Parameters
    ----------
    model : ThemeModel
        Fitted on ``corpus``.
    corpus : pandas.DataFrame, list of str or None
        The canonical table the model was fitted on (its load report, dates, titles
        and links are shown), or the list of texts it was fitted on; None: the model's
        own texts.
    path : str or path
        Where to write the ``.html`` file; an interrupted run leaves the old file. A named
        pipe, a character device or an open descriptor (``/dev/stdout``) is written into.
    title : str, optional
        The page's heading.
    watch : list of str, optional
        Phrases of a watch-list: the report then follows them (`trends.watch`).
    store : trends.store.Store, optional
        The store the model's corpus comes from: the report then shows the lineage of
        its themes across refits.
    progress : bool, optional
        A progress bar of the report's sections (on stderr, or a widget in Jupyter); None
        (the default): as the model's ``verbose``.

    Returns
    -------
    pathlib.Path
        The written file, as an absolute path (a notebook shows where it went).
    """
    html = render_report(model, corpus, title=title, watch=watch, store=store, progress=progress)
    write_output(path, html.encode("utf-8"))
    return Path(path).absolute()


def plotly_figure_json(fig) -> dict:
    """A figure as plain JSON data (for tests and exports)."""
    return json.loads(fig.to_json())
