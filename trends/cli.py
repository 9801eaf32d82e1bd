"""The ``trends`` command line: thin over the Python API."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Themes and trends in a pile of research-paper abstracts.",
    context_settings={"help_option_names": ["-h", "--help"]},
)

Inputs = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Files, folders or glob patterns of papers (JSON Lines, CSV, TSV, Parquet, JSON, "
        "arXiv Atom XML, BibTeX, a trending-papers page). None: the bundled 192-paper corpus.",
        show_default=False,
    ),
]
Format = Annotated[
    str | None,
    typer.Option("--format", "-f", help="Input format, when the extension does not say it."),
]
Columns = Annotated[
    list[str] | None,
    typer.Option(
        "--column",
        "-c",
        help="Map a canonical column to yours, e.g. --column abstract=body (repeatable).",
        show_default=False,
    ),
]
Embedding = Annotated[
    str,
    typer.Option(
        "--embedding",
        "-e",
        help="'minilm' (offline all-MiniLM-L6-v2), 'tfidf' (fast, torch-free), or a "
        "sentence-transformers model path.",
    ),
]
Seed = Annotated[
    int, typer.Option("--seed", help="Random seed: the same seed gives the same themes.")
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]


class UserError(Exception):
    """Bad input: reported on one line, exit status 2."""


def _fail(message: str) -> None:
    typer.echo(f"trends: error: {message}", err=True)
    raise typer.Exit(2)


def _columns(pairs: list[str] | None) -> dict[str, str] | None:
    if not pairs:
        return None
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise UserError(f"--column expects canonical=yours (e.g. abstract=body), got {pair!r}")
        out[key.strip()] = value.strip()
    return out


def _embedding(name: str):
    return None if name.lower() in {"minilm", "default", "all-minilm-l6-v2"} else name


def _load(inputs, fmt, columns):
    import trends

    if not inputs:
        return trends.datasets.trending_papers(), "Trending papers"
    corpus = trends.load(*inputs, format=fmt, columns=_columns(columns))
    if len(corpus) == 0:
        raise UserError(f"no paper could be read from {', '.join(map(str, inputs))}")
    name = inputs[0].name if len(inputs) == 1 else f"{len(inputs)} sources"
    return corpus, f"Themes in {name}"


def _fit(corpus, embedding, seed, quiet):
    """The fitted model, from the fit cache when this input was fitted before."""
    import trends
    from trends.fit_cache import fit_or_load

    model = trends.ThemeModel(embedding=_embedding(embedding), random_state=seed, verbose=not quiet)
    if model.embedding == "tfidf":  # not cacheable: its vectors depend on the corpus fit
        return model.fit(corpus), None
    return fit_or_load(corpus, model)


def _guard(func):
    """Run a command; bad input becomes one line on stderr and exit status 2."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from .load import LoadError
        from .timeline import NoDatesError

        try:
            return func(*args, **kwargs)
        except (UserError, LoadError, NoDatesError) as exc:
            _fail(str(exc))
        except (ImportError, RuntimeError, OSError) as exc:
            _fail(f"{type(exc).__name__}: {exc}")
        except ValueError as exc:
            _fail(str(exc))

    return wrapper


@app.command()
@_guard
def report(
    inputs: Inputs = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write the HTML report.")
    ] = Path("trends-report.html"),
    fmt: Format = None,
    column: Columns = None,
    embedding: Embedding = "minilm",
    seed: Seed = 42,
    title: Annotated[str | None, typer.Option("--title", help="The report's heading.")] = None,
    quiet: Quiet = False,
) -> None:
    """Find the themes of INPUT and write a self-contained HTML report."""
    import numpy as np

    import trends

    corpus, default_title = _load(inputs, fmt, column)
    load = corpus.attrs.get("load_report", {})
    typer.echo(
        f"Read {load.get('read', len(corpus))} records: {len(corpus)} papers kept, "
        f"{load.get('duplicates', 0)} duplicates, {len(load.get('skipped', []))} skipped.",
        err=True,
    )
    model, kept_at = _fit(corpus, embedding, seed, quiet)
    had_map = getattr(model, "coords_", None) is not None
    path = trends.write_report(model, corpus, output, title=title or default_title)
    if kept_at is not None and not had_map:
        model.save(kept_at)  # with the 2-D map, which the next run then need not compute
    outliers = float(np.mean(model.labels_ == -1))
    typer.echo(
        f"{len(corpus)} papers, {model.n_themes_} themes, {outliers:.0%} outliers. Report: {path}"
    )


@app.command()
@_guard
def themes(
    inputs: Inputs = None,
    fmt: Format = None,
    column: Columns = None,
    embedding: Embedding = "minilm",
    seed: Seed = 42,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON records.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    quiet: Quiet = False,
) -> None:
    """Print the theme table of INPUT (a table, or --json / --csv for scripts)."""
    if as_json and as_csv:
        raise UserError("choose one of --json and --csv")
    corpus, _ = _load(inputs, fmt, column)
    model, _ = _fit(corpus, embedding, seed, quiet)
    table = model.themes_[["theme_id", "label", "size", "share", "keywords", "representative_ids"]]
    if as_json:
        typer.echo(json.dumps(json.loads(table.to_json(orient="records")), indent=1))
    elif as_csv:
        flat = table.assign(
            keywords=table.keywords.map("; ".join),
            representative_ids=table.representative_ids.map("; ".join),
        )
        typer.echo(flat.to_csv(index=False), nl=False)
    else:
        from rich.console import Console
        from rich.table import Table

        out = Table(title=f"{model.n_themes_} themes in {len(corpus)} papers")
        for name in ("theme", "label", "papers", "share", "keywords"):
            out.add_column(
                name, justify="right" if name in {"theme", "papers", "share"} else "left"
            )
        for r in table.itertuples():
            out.add_row(
                str(r.theme_id), r.label, str(r.size), f"{r.share:.1%}", ", ".join(r.keywords[:6])
            )
        Console().print(out)


@app.command()
@_guard
def update(
    store: Annotated[
        Path, typer.Argument(help="The store: a local database file (created if missing).")
    ],
    inputs: Annotated[
        list[Path], typer.Argument(help="New files, folders or glob patterns of papers.")
    ],
    fmt: Format = None,
    column: Columns = None,
    embedding: Embedding = "minilm",
    seed: Seed = 42,
    refit: Annotated[bool, typer.Option("--refit", help="Refit the themes now.")] = False,
    quiet: Quiet = False,
) -> None:
    """Add new papers to STORE, place them in the known themes, refit when needed."""
    import trends
    from trends.store import Store

    corpus = trends.load(*inputs, format=fmt, columns=_columns(column))
    with Store(store) as db:
        result = db.update(
            corpus,
            embedding=_embedding(embedding),
            random_state=seed,
            refit=refit,
            verbose=not quiet,
        )
    typer.echo(result.summary())


def main() -> None:
    """Entry point of the ``trends`` command."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("trends: interrupted", err=True)
        sys.exit(130)
