"""The self-contained HTML report: a Jinja2 template (autoescaped), plotly.js inlined once."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from . import charts, frames
from ._io import atomic_write_text
from .charts._style import theme_color

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
MAX_PAPERS_PER_THEME = 60


def _json_for_script(fig) -> str:
    """Figure JSON that cannot end its <script> element early, whatever the titles say."""
    text = fig.to_json()
    for bad, good in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(bad, good)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _safe_url(url) -> str | None:
    if url is None or (isinstance(url, float) and np.isnan(url)) or pd.isna(url):
        return None
    url = str(url).strip()
    return url if url.lower().startswith(("https://", "http://")) else None


def _date(value) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


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
    date_range = None
    if len(dates):
        date_range = f"{_date(dates.min())} to {_date(dates.max())}"
    return {
        "papers": len(corpus),
        "n_themes": model.n_themes_,
        "outlier_share": float(np.mean(model.labels_ == -1)),
        "date_range": date_range,
        "load": load,
        "generated": None,
    }


def _themes(model, corpus, max_papers: int) -> list[dict]:
    out = []
    for row in model.themes_.itertuples():
        papers = frames.theme_papers(model, corpus, int(row.theme_id), limit=max_papers)
        items = []
        for p in papers.itertuples():
            cats = getattr(p, "categories", None)
            items.append(
                {
                    "title": p.title,
                    "url": _safe_url(getattr(p, "url", None)),
                    "date": _date(getattr(p, "published", None)),
                    "categories": list(cats)[:4]
                    if isinstance(cats, list | tuple | np.ndarray)
                    else [],
                }
            )
        out.append(
            {
                "theme_id": int(row.theme_id),
                "label": row.label,
                "size": int(row.size),
                "share": float(row.share),
                "keywords": list(row.keywords),
                "color": theme_color(int(row.theme_id)),
                "papers": items,
                "more": max(0, int(row.size) - len(items)),
            }
        )
    return out


def _scorecard(model) -> list[dict]:
    card = model.scorecard()
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
    return out


def _trends(model, corpus):
    """The Trends section's figures and table, or the reason there is none."""
    from . import timeline

    try:
        return timeline.report_section(model, corpus), None
    except timeline.NoDatesError as exc:
        return None, str(exc)


def render_report(
    model,
    corpus: pd.DataFrame,
    *,
    title: str | None = None,
    max_papers_per_theme: int = MAX_PAPERS_PER_THEME,
) -> str:
    """The report's HTML text (see `write_report`)."""
    import jinja2
    from plotly.offline import get_plotlyjs

    from . import __version__

    model._check_fitted()
    if len(corpus) != len(model.labels_):
        raise ValueError(
            f"the corpus has {len(corpus)} papers but the model was fitted on "
            f"{len(model.labels_)}: pass the corpus the model was fitted on"
        )
    corpus = corpus.reset_index(drop=True)
    figures = {
        "sizes": charts.theme_sizes(model.themes_),
        "map": charts.paper_map(frames.paper_points(model, corpus)),
        "keywords": charts.keywords(model.themes_),
        "similarity": charts.theme_similarity(frames.theme_similarity(model)),
    }
    trends_section, no_trends_reason = _trends(model, corpus)
    if trends_section:
        figures.update(trends_section.pop("figures"))
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("trends", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        undefined=jinja2.StrictUndefined,
    )
    template = env.get_template("report.html.j2")
    return template.render(
        title=title or "Themes in papers",
        version=__version__,
        summary=_summary(model, corpus),
        themes=_themes(model, corpus, max_papers_per_theme),
        scorecard=_scorecard(model),
        trends=trends_section,
        no_trends_reason=no_trends_reason,
        seed=model.random_state,
        plotly_js=jinja2.utils.markupsafe.Markup(get_plotlyjs()),
        charts={k: jinja2.utils.markupsafe.Markup(_json_for_script(f)) for k, f in figures.items()},
    )


def write_report(model, corpus: pd.DataFrame, path, *, title: str | None = None) -> Path:
    """Write one self-contained, offline HTML report of a fitted model, atomically.

    Parameters
    ----------
    model : ThemeModel
        Fitted on ``corpus``.
    corpus : pandas.DataFrame
        The canonical table the model was fitted on (its load report, dates, titles
        and links are shown).
    path : str or path
        Where to write the ``.html`` file; an interrupted run leaves the old file.
    title : str, optional
        The page's heading.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    html = render_report(model, corpus, title=title)
    atomic_write_text(path, html)
    return Path(path)


def plotly_figure_json(fig) -> dict:
    """A figure as plain JSON data (for tests and exports)."""
    return json.loads(fig.to_json())
