"""The ``trends`` command line: thin over the Python API."""

from __future__ import annotations

import errno
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from . import _signals

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help and errors: rich's help renderer imports markdown-it and friends, which
    # triples the start-up time of every command (benchmarks/cli_speed.py).
    rich_markup_mode=None,
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
_EMBEDDING_HELP = (
    "'minilm' (offline all-MiniLM-L6-v2), 'minilm-128' (reads the first 128 "
    "tokens: faster), 'minilm-192-bf16' (bfloat16, 192 tokens: faster on a CPU with "
    "avx512_bf16 or AMX), 'static' (static token vectors from MiniLM: fastest), 'tfidf' "
    "(torch-free), or a sentence-transformers model path. Default: "
)


def _embedding_option(default: str):
    return typer.Option(
        "--embedding", "-e", help=_EMBEDDING_HELP + default + ".", show_default=False
    )


Embedding = Annotated[str | None, _embedding_option("minilm")]
# `trends update`: an existing store keeps its own embedding and seed.
StoreEmbedding = Annotated[str | None, _embedding_option("the store's; minilm for a new store")]


# Control characters (a line break in a column name or a path, an ANSI escape sequence in a
# header) would break the one-line message or act on the terminal: shown as escapes.
_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}
_CONTROL.update({0x0A: "\\n", 0x0D: "\\r", 0x09: " "})


def _one_line(message: str) -> str:
    """``message`` on one line, with no control character left to reach the terminal."""
    return str(message).translate(_CONTROL)


def _fail(message: str) -> None:
    typer.echo(f"trends: error: {_one_line(message)}", err=True)
    raise typer.Exit(2)


def _check_seed(value: int | None) -> int | None:
    """--seed, checked while the options are parsed: before any input is read."""
    if value is not None and not 0 <= value < 2**32:
        _fail(f"--seed must be an integer from 0 to 2**32 - 1 (4294967295), got {value}")
    return value


def _check_wait(value: float) -> float:
    """--wait, checked while the options are parsed: a finite number of seconds, 0 or more."""
    import math

    if not math.isfinite(value) or value < 0:
        _fail(f"--wait must be a number of seconds, 0 or more, got {value}")
    return value


def _seed_option(default: str):
    return typer.Option(
        "--seed",
        help="Random seed: the same seed gives the same themes (0 to 2**32 - 1). Default: "
        + default
        + ".",
        show_default=False,
        callback=_check_seed,
    )


Seed = Annotated[int | None, _seed_option("42")]
StoreSeed = Annotated[int | None, _seed_option("the store's; 42 for a new store")]
Quiet = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="No progress bars (they show only on a terminal anyway)."),
]
Engine = Annotated[
    str,
    typer.Option(
        "--engine",
        help="Where papers are embedded: 'local' (this process) or 'ray' (the workers of a "
        "Ray cluster; pip install 'trends[ray]'). The themes are the same.",
    ),
]
RayAddress = Annotated[
    str | None,
    typer.Option(
        "--ray-address",
        help="The Ray cluster for --engine ray, e.g. 'auto' or 'ray://head:10001'. Default: "
        "$RAY_ADDRESS, a cluster started here with `ray start`, or a new local one.",
        show_default=False,
    ),
]


def _user_error(message: str):
    from .errors import InputError

    return InputError(message)


def _columns(pairs: list[str] | None) -> dict[str, str] | None:
    """--column's ``canonical=yours`` pairs as a mapping, each name checked before any input."""
    if not pairs:
        return None
    from .load.canonical import ALIASES

    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise _user_error(
                f"--column expects canonical=yours (e.g. abstract=body), got {pair!r}"
            )
        if key.strip() not in ALIASES:
            raise _user_error(
                f"--column {pair!r}: {key.strip()!r} is not a canonical column (those are "
                f"{', '.join(ALIASES)})"
            )
        out[key.strip()] = value.strip()
    return out


def _embedding(name: str | None):
    from .embed.backends import _DEFAULT_NAMES

    if name is None or name.strip().lower() in _DEFAULT_NAMES:
        return None
    return name


def _load(inputs, fmt, columns):
    import trends

    if not inputs:
        return trends.datasets.trending_papers(), "Trending papers"
    _refuse_fake_store(inputs)
    if _is_database(inputs):
        raise _user_error(
            f"{inputs[0]} is a store (a database), not a file of papers: `trends report "
            f"{inputs[0]}` shows a store's themes and their lineage; in Python, "
            "trends.store.Store(path).current() gives its papers, theme ids and theme table"
        )
    corpus = trends.load(*inputs, format=fmt, columns=_columns(columns))
    if len(corpus) == 0:
        raise _user_error(_nothing_read(inputs, corpus))
    name = inputs[0].name if len(inputs) == 1 else f"{len(inputs)} sources"
    return corpus, f"Themes in {name}"


def _nothing_read(inputs, corpus) -> str:
    """Why no paper was kept: the count read and the first reason a record was skipped."""
    load = corpus.attrs.get("load_report", {})
    message = f"no paper could be read from {', '.join(map(str, inputs))}"
    skipped = load.get("skipped") or []
    if skipped:
        first = skipped[0]
        where = f"{first.get('file')}, line {first.get('line')}" if first.get("line") else ""
        field = f", field {first['field']!r}" if first.get("field") else ""
        message += (
            f": {len(skipped):,} of {load.get('read', len(skipped)):,} records skipped, "
            f"the first ({where}{field}) because: {first.get('reason')}"
        )
    return message


def _load_summary(corpus) -> str:
    """What the load kept, dropped and could not read, in one line."""
    load = corpus.attrs.get("load_report", {})
    line = (
        f"Read {load.get('read', len(corpus))} records: {len(corpus)} papers kept, "
        f"{load.get('duplicates', 0)} duplicates, {len(load.get('skipped', []))} skipped."
    )
    warnings = load.get("warnings", [])
    dates = [w for w in warnings if w["reason"].startswith("unreadable date")]
    if dates:
        first = dates[0]
        line += (
            f" {len(dates)} unreadable date{'s' if len(dates) > 1 else ''}, left undated "
            f"(first: {first['file']} line {first['line']}: {first['reason']})."
        )
    # the loader's warnings about a file's day/month order (see trends.load.dates.file_reading)
    order = [w["reason"] for w in warnings if "numeric date" in w["reason"]]
    for reason in dict.fromkeys(order):
        line += f" Dates: {reason}."
    others = [
        w
        for w in warnings
        if not (w["reason"].startswith("unreadable date") or "numeric date" in w["reason"])
    ]
    if others:
        first = others[0]
        where = first["file"] + (f" line {first['line']}" if first.get("line") else "")
        field = f" ({first['field']})" if first.get("field") else ""
        line += (
            f" {len(others)} {'other ' if dates or order else ''}"
            f"warning{'s' if len(others) > 1 else ''} in the load report"
            f" (first: {where}{field}: {first['reason']})."
        )
    more = load.get("warnings_not_listed", 0)
    if more:
        line += f" {len(warnings):,} warnings listed in the load report and {more:,} more."
    return line


_SQLITE_MAGIC = b"SQLite format 3\x00"


_STORE_SUFFIXES = {".sqlite", ".sqlite3", ".db"}


def _refuse_fake_store(inputs) -> None:
    """A file named like a store that is no database: refused as `update` refuses it."""
    named = inputs and len(inputs) == 1 and inputs[0].suffix.lower() in _STORE_SUFFIXES
    if named and inputs[0].is_file() and not _is_database(inputs):
        from .errors import StoreError

        raise StoreError(f"{inputs[0]}: not a trends store (not an SQLite database)")


def _is_database(inputs) -> bool:
    """Whether the one input is an SQLite database (a store)."""
    if not inputs or len(inputs) != 1 or not inputs[0].is_file():
        return False
    try:
        with open(inputs[0], "rb") as fh:
            return fh.read(16) == _SQLITE_MAGIC
    except OSError:
        return False


def _store_input(inputs):
    """The `Store` when the one input is a store file (an SQLite database), else None.

    A file named like a store (``.sqlite``, ``.sqlite3``, ``.db``) that is no database is
    refused as `trends update` refuses it, not read as an unknown format of papers.
    """
    if not _is_database(inputs):
        _refuse_fake_store(inputs)
        return None
    from .store import Store

    return Store(inputs[0])  # a database that is not a trends store: StoreError, one line


def _fit_store(store, quiet, engine="local", ray_address=None):
    """The store's papers, and a model fitted on them with the store's own parameters.

    ``engine`` / ``ray_address``: where papers not in the cache are embedded.
    """
    from trends.fit_cache import fit_or_load
    from trends.store.update import store_model

    corpus = store.papers().drop(columns="snapshot_id")
    if len(corpus) == 0:
        raise _user_error(f"{store.path}: the store holds no paper yet")
    model = store_model(
        store.meta("model_params"),
        verbose=_progress(quiet),
        engine=engine,
        ray_address=ray_address,
    )
    return (corpus, *fit_or_load(corpus, model))


def _fit(corpus, embedding, seed, quiet, engine="local", ray_address=None):
    """The fitted model, from the fit cache when this input was fitted before."""
    import trends
    from trends.fit_cache import fit_or_load

    model = trends.ThemeModel(
        embedding=_embedding(embedding),
        random_state=42 if seed is None else seed,
        verbose=_progress(quiet),
        engine=engine,
        ray_address=ray_address,
    )
    if model.embedding == "tfidf":  # not cacheable: its vectors depend on the corpus fit
        return model.fit(corpus), None
    return fit_or_load(corpus, model)


def _guard(func):
    """Run a command; a `TrendsError` becomes one line on stderr and exit status 2.

    `TrendsError` is bad input, files or setup. Anything else is a bug: it shows its
    traceback (exit 1). A warning of this package (a cache that cannot be written, a
    damaged cache file) is one line on stderr too: ``trends: warning: ...``.
    """
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        import warnings

        from ._warn import at_package
        from .errors import TrendsError

        # catch_warnings restores showwarning (and the filters) after; at_package: the
        # package's warnings name its own lines, which is how `_one_line_warning` tells them
        with warnings.catch_warnings(), at_package():
            warnings.showwarning = _one_line_warning(warnings.showwarning)
            try:
                return func(*args, **kwargs)
            except TrendsError as exc:
                if _signals.received() is None:
                    _fail(str(exc))
                _interrupted()
            except KeyboardInterrupt:
                # typer turns Ctrl-C into a silent exit 130: say what happened
                _interrupted()
            except Exception:
                # a library that wrapped the interrupt (an import "initialization failed")
                if _signals.received() is None:
                    raise
                _interrupted()

    return wrapper


def _interrupted() -> None:
    """Ctrl-C (exit 130) or SIGTERM (exit 143): one line, and nothing more written."""
    import signal

    if _signals.received() == signal.SIGTERM:
        typer.echo("trends: terminated", err=True)
        raise typer.Exit(128 + signal.SIGTERM) from None
    typer.echo("trends: interrupted", err=True)
    raise typer.Exit(130) from None


def _one_line_warning(original):
    """``warnings.showwarning`` that prints the package's own warnings on one line."""
    package = str(Path(__file__).resolve().parent)

    def show(message, category, filename, lineno, file=None, line=None):
        try:
            ours = str(Path(filename).resolve()).startswith(package)
        except (OSError, ValueError):
            ours = False
        if not ours:
            return original(message, category, filename, lineno, file, line)
        typer.echo(f"trends: warning: {_one_line(message)}", err=True)

    return show


def _progress(quiet: bool) -> bool:
    """Progress bars only on a terminal: redirected, they fill a log with carriage returns."""
    return not quiet and sys.stderr.isatty()


def _check_model_options(
    engine: str = "local",
    ray_address: str | None = None,
    *,
    embedding: str | None = None,
    inputs=None,
    column: list[str] | None = None,
) -> None:
    """Refuse a bad --engine / --ray-address / --embedding / --column before any input is read.

    An address that does not answer is refused here too, in seconds, also when every
    paper is cached and Ray would not be reached at all (the next cold run would fail);
    so is a model name that is neither an option, a folder, in the local Hugging Face
    cache, nor to be had from the hub. --column maps the columns of input files: without
    one (the bundled corpus) it is refused rather than ignored.
    """
    from .engine import check_engine

    check_engine(engine, ray_address)
    if engine == "ray" and ray_address is not None:
        from .engine.ray_engine import _check_reachable

        _check_reachable(ray_address)
    name = _embedding(embedding)
    if name is not None:
        from .embed import resolve_embedder
        from .embed.backends import SentenceTransformerEmbedder

        backend = resolve_embedder(name)  # a named option, or minilm-N out of its range
        if isinstance(backend, SentenceTransformerEmbedder) and isinstance(backend.model, str):
            from .embed._hub import locate

            locate(backend.model)  # a folder or hub name that cannot be had
    _columns(column)
    if column and not inputs:
        raise _user_error(
            "--column maps the columns of input files, and none was given (the bundled "
            "corpus needs no mapping)"
        )


# ``-o -``: standard output.
STDOUT = "-"


def _check_output(path: Path | None, inputs=None) -> None:
    """Refuse now, not after the fit, an output that cannot be written or is an input.

    A folder, a path under a file, or one of the ``inputs`` (writing it would replace the
    papers) is refused.

    A symbolic link is fine: its target is written. A named pipe, ``/dev/stdout`` or
    ``/dev/null`` is written into, and ``-`` is standard output.
    """
    if path is None or str(path) == STDOUT:
        return
    import os

    from ._io import check_output, is_stream, unwritable_reason

    try:
        check_output(path)
    except OSError as exc:
        raise _user_error(f"cannot write {path}: {exc.strerror or exc}") from None
    if is_stream(path):
        return
    folder = Path(os.path.realpath(path)).parent
    reason = unwritable_reason(folder)
    if reason is not None:
        raise _user_error(f"cannot write {path}: {reason}")
    if inputs:
        from .load.errors import LoadError
        from .load.sources import expand, reading

        try:
            files = expand(inputs)
        except LoadError:
            return  # the load says what is wrong with the inputs
        target = os.path.realpath(path)
        if any(os.path.realpath(f) == target for f in files):
            raise _user_error(
                f"-o {path} is one of the inputs: writing it would replace the papers it "
                "holds; choose another output file"
            )
        source = reading(inputs, path)
        if source is not None:
            raise _user_error(
                f"-o {path} is among the files that the input {source} reads: the next run "
                "would read it back as papers; write it elsewhere"
            )


def _stdout(data: bytes) -> None:
    """Write ``data`` to standard output; one that cannot be written is one line, exit 2.

    A reader that stops early (``| head``) raises `BrokenPipeError`, which click ends
    quietly (exit 1); `update`, whose store is then already updated, warns and exits 0.
    """
    _signals.check()  # an interrupt that a library swallowed: write nothing
    try:
        if sys.stdout is None:  # closed by the shell: `trends themes >&-`
            raise OSError(errno.EBADF, "it is closed")
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise _user_error(f"cannot write standard output: {reason}") from None


def _rendered(table) -> str:
    """A rich table as it would show on standard output, as text.

    Rendered apart from standard output, which `_stdout` then writes (rich would print its
    own traceback into a full disk or a closed output), with what rich reads from it: its
    width (a terminal's, also when piped), colours (a terminal, ``FORCE_COLOR``) and
    encoding (an ASCII frame where box characters cannot be shown).
    """
    import io

    from rich.console import Console

    encoding = _stdout_encoding()

    class Text(io.StringIO):
        @property
        def encoding(self):  # rich draws its frame with what this encoding can show
            return encoding

    width, terminal, colours = 80, False, None
    if sys.stdout is not None:
        try:
            shown = Console(file=sys.stdout)
            width, terminal, colours = shown.width, shown.is_terminal, shown.color_system
        except (OSError, ValueError):
            pass
    console = Console(
        file=Text(),
        width=width,
        force_terminal=terminal,
        color_system=colours,
        legacy_windows=False,
    )
    console.print(table)
    return console.file.getvalue()


def _quiet_stdout() -> None:
    """Point standard output at the null device, after its reader stopped (``| head``).

    Python's last flush at exit then finds nowhere to fail.
    """
    import os

    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass


def _stdout_encoding() -> str:
    return getattr(sys.stdout, "encoding", None) or "utf-8"


def _text_out(text: str) -> bytes:
    """Text for a person, in standard output's encoding (what it cannot show: ``?``)."""
    try:
        return text.encode(_stdout_encoding(), errors="replace")
    except LookupError:
        return text.encode("utf-8")


def _emit(output: Path, data: bytes) -> str:
    """Write ``data`` to ``output`` (``-``: standard output); where it went, for the summary."""
    _signals.check()  # an interrupt that a library swallowed: write nothing
    if str(output) == STDOUT:
        _stdout(data)
        return "standard output"
    from ._io import write_output

    _write(output, lambda p: write_output(p, data))
    return str(output)


def _write(path: Path, write) -> Path:
    """Run ``write(path)``; a path that cannot be written is the user's to fix."""
    try:
        return write(path)
    except BrokenPipeError:
        raise  # the reader stopped early (`-o /dev/stdout | head`): as for standard output
    except OSError as exc:
        raise _user_error(f"cannot write {path}: {exc.strerror or exc}") from None


@app.command()
@_guard
def report(
    inputs: Inputs = None,
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Where to write the HTML report ('-': standard output)."
        ),
    ] = Path("trends-report.html"),
    fmt: Format = None,
    column: Columns = None,
    embedding: Embedding = None,
    seed: Seed = None,
    title: Annotated[str | None, typer.Option("--title", help="The report's heading.")] = None,
    quiet: Quiet = False,
    engine: Engine = "local",
    ray_address: RayAddress = None,
    watch: Annotated[
        Path | None,
        typer.Option(
            "--watch",
            help="A watch-list: a text file of phrases, one per line, followed like themes.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Find the themes of INPUT and write a self-contained HTML report.

    INPUT may also be a store (the database of trends update): the report then shows its
    papers, fitted with the store's parameters, and how its themes changed across refits.
    """
    import numpy as np

    from trends._io import is_stream
    from trends.fit_cache import keep
    from trends.report import render_report
    from trends.timeline import read_phrases

    _check_model_options(engine, ray_address, embedding=embedding, inputs=inputs, column=column)
    _check_output(output, inputs)
    phrases = read_phrases(watch) if watch is not None else None
    store = _store_input(inputs)
    given = [
        name
        for name, value in (
            ("--embedding", embedding),
            ("--seed", seed),
            ("--format", fmt),
            ("--column", column),
        )
        if value is not None and value != []
    ]
    if store is not None and given:
        store.close()
        raise _user_error(
            f"{', '.join(given)}: a store's report fits its papers with the store's own "
            "embedding and seed, and reads no input file; leave them out (trends update "
            "STORE --refit --seed N --new-params refits a store with another seed)"
        )
    try:
        if store is not None:
            corpus, model, kept_at = _fit_store(store, quiet, engine, ray_address)
            default_title = f"Themes in {inputs[0].name}"
            typer.echo(
                f"Read the store {inputs[0]}: {len(corpus)} papers, fitted anew with its "
                "parameters (the report's themes, with the store's ids beside them).",
                err=True,
            )
        else:
            corpus, default_title = _load(inputs, fmt, column)
            typer.echo(_load_summary(corpus), err=True)
            model, kept_at = _fit(corpus, embedding, seed, quiet, engine, ray_address)
        had_map = "coords" in model.fit_.__dict__
        html = render_report(
            model,
            corpus,
            title=title or default_title,
            watch=phrases,
            store=store,
            progress=_progress(quiet),
        )
        path = _emit(output, html.encode("utf-8"))
        if kept_at is not None and not had_map:
            keep(model, kept_at)  # with the 2-D map, which the next run then need not compute
    finally:  # the store's file is not held open after the report
        if store is not None:
            store.close()
    outliers = float(np.mean(model.labels_ == -1))
    typer.echo(
        f"{len(corpus)} papers, {model.n_themes_} themes, {outliers:.0%} outliers. Report: {path}",
        # Not into the report when the report is what goes to standard output.
        err=str(output) == STDOUT or is_stream(output),
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
    engine: Engine = "local",
    ray_address: RayAddress = None,
) -> None:
    """Print the theme table of INPUT (a table, or --json / --csv for scripts)."""
    if as_json and as_csv:
        raise _user_error("choose one of --json and --csv")
    _check_model_options(engine, ray_address, embedding=embedding, inputs=inputs, column=column)
    corpus, _ = _load(inputs, fmt, column)
    if inputs:  # what the load kept and skipped, on stderr (stdout stays the table)
        typer.echo(_load_summary(corpus), err=True)
    model, _ = _fit(corpus, embedding, seed, quiet, engine, ray_address)
    # name and description last: scripts that read the first columns keep working
    columns = ["theme_id", "label", "size", "share", "keywords", "representative_ids"]
    table = model.themes_[columns + ["name", "description"]]
    if as_json:
        records = json.loads(table.to_json(orient="records"))
        _stdout((json.dumps(records, indent=1) + "\n").encode("utf-8"))
    elif as_csv:
        from trends.papers import spreadsheet_csv

        flat = table.assign(
            keywords=table.keywords.map("; ".join),
            representative_ids=table.representative_ids.map("; ".join),
        )
        _stdout(spreadsheet_csv(flat))
    else:
        from rich.table import Table

        out = Table(title=f"{model.n_themes_} themes in {len(corpus)} papers")
        for name in ("theme", "name", "papers", "share", "keywords"):
            out.add_column(
                name, justify="right" if name in {"theme", "papers", "share"} else "left"
            )
        for r in table.itertuples():
            out.add_row(
                str(r.theme_id), r.name, str(r.size), f"{r.share:.1%}", ", ".join(r.keywords[:6])
            )
        _stdout(_text_out(_rendered(out)))


@app.command()
@_guard
def papers(
    inputs: Inputs = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Where to write the table: a .csv, .json or .parquet file, or '-' for "
            "standard output; without it, standard output, which needs --csv or --json.",
        ),
    ] = None,
    fmt: Format = None,
    column: Columns = None,
    embedding: Embedding = "minilm",
    seed: Seed = 42,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV (lists joined by '; ').")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON records.")] = False,
    as_parquet: Annotated[bool, typer.Option("--parquet", help="Parquet (needs -o).")] = False,
    quiet: Quiet = False,
    engine: Engine = "local",
    ray_address: RayAddress = None,
) -> None:
    """Write the paper table of INPUT: each paper's theme, closeness to the centre, place.

    One row per paper: doc_id, theme_id, theme (its name), closeness (cosine similarity
    to the theme's centre), x and y (the map), then the input's columns. The format is
    the option given, else the extension of --output.
    """
    from trends.papers import EXPORT_FORMATS, export

    chosen = [f for f, on in (("csv", as_csv), ("json", as_json), ("parquet", as_parquet)) if on]
    if len(chosen) > 1:
        raise _user_error("choose one of --csv, --json and --parquet")
    if not chosen and output is not None and output.suffix.lower().lstrip(".") in EXPORT_FORMATS:
        chosen = [output.suffix.lower().lstrip(".")]
    if not chosen:
        raise _user_error("choose a format: --csv, --json or --parquet (or -o FILE.csv ...)")
    if chosen[0] == "parquet" and output is None:
        raise _user_error("--parquet writes a binary file: give it one with -o FILE.parquet")
    _check_model_options(engine, ray_address, embedding=embedding, inputs=inputs, column=column)
    _check_output(output, inputs)
    corpus, _ = _load(inputs, fmt, column)
    if inputs:  # what the load kept and skipped, on stderr (stdout may be the table)
        typer.echo(_load_summary(corpus), err=True)
    model, _ = _fit(corpus, embedding, seed, quiet, engine, ray_address)
    data = export(model.paper_info(corpus), chosen[0])
    if output is None:
        _stdout(data)
        where = "standard output"
    else:
        where = _emit(output, data)
    # on stderr, as the load's summary: standard output may be the table
    typer.echo(f"{len(corpus)} papers, {model.n_themes_} themes. Table: {where}", err=True)


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
    embedding: StoreEmbedding = None,
    seed: StoreSeed = None,
    refit: Annotated[bool, typer.Option("--refit", help="Refit the themes now.")] = False,
    new_params: Annotated[
        bool,
        typer.Option(
            "--new-params",
            help="Refit with a --seed other than the store's (otherwise refused); a store keeps "
            "its embedding.",
        ),
    ] = False,
    wait: Annotated[
        float,
        typer.Option(
            "--wait",
            help="Seconds to wait for another update of STORE to finish (0 or more).",
            callback=_check_wait,
        ),
    ] = 600.0,
    quiet: Quiet = False,
    engine: Engine = "local",
    ray_address: RayAddress = None,
) -> None:
    """Add new papers to STORE, place them in the known themes, refit when needed.

    Without --embedding and --seed an update uses the store's own parameters.
    """
    import trends
    from trends.store import Store
    from trends.store.update import store_model

    _check_model_options(engine, ray_address, embedding=embedding, inputs=inputs, column=column)
    # Before the input is read: a store that is not one, or that cannot be written.
    with Store(store, busy_timeout=wait) as db:
        db.check_writable()
    corpus = trends.load(*inputs, format=fmt, columns=_columns(column))
    if len(corpus) == 0:
        raise _user_error(_nothing_read(inputs, corpus))
    typer.echo(_load_summary(corpus), err=True)
    undated = int(corpus["published"].isna().sum())
    if undated:  # a store is for trends over time: say it before it is stored
        typer.echo(
            f"trends: warning: {undated} of {len(corpus)} papers have no date: they join the "
            "themes but not the trends over time (a date comes from a date field or the "
            "YYYY-MM-DD in the file's name)",
            err=True,
        )
    model = None
    if embedding is not None or seed is not None or engine != "local" or ray_address:
        # The store's own parameters, with only what was given here changed: an engine
        # alone must not reset the store's other settings to the defaults.
        given = {"engine": engine, "ray_address": ray_address}
        if embedding is not None:
            given["embedding"] = _embedding(embedding)
        if seed is not None:
            given["random_state"] = seed
        with Store(store) as db:
            model = store_model(db.meta("model_params"), **given)
    db = None
    try:
        with Store(store, busy_timeout=wait) as db:
            result = db.update(
                corpus, model=model, refit=refit, new_params=new_params, verbose=_progress(quiet)
            )
        _signals.check()  # one that a library swallowed during the update
        _update_summary(result)
    except KeyboardInterrupt:
        if db is not None and db.committed is not None:  # running it again adds no paper
            typer.echo(
                f"trends: the update was committed before the interrupt (snapshot {db.committed})",
                err=True,
            )
        raise


def _update_summary(result) -> None:
    """The update's summary on standard output; the store is updated whatever happens."""
    from .errors import TrendsError

    try:
        _stdout(_text_out(result.summary() + "\n"))
    except TrendsError as exc:  # the update is done: a script must not redo it
        typer.echo(f"trends: warning: the store was updated, but {exc}", err=True)
    except BrokenPipeError:
        _quiet_stdout()
        typer.echo(
            "trends: warning: the store was updated, but the reader of standard output "
            "stopped before its summary",
            err=True,
        )


def main() -> None:
    """Entry point of the ``trends`` command (Ctrl-C and SIGTERM: `_guard`, `_signals`)."""
    _signals.install()
    try:
        app()
    except SystemExit as exc:
        if _signals.received() is None:
            raise
        # Interrupted: leave now, finalising nothing half-built (a SIGTERM in numba's
        # compiler freed LLVM objects twice at teardown: "double free", SIGABRT).
        import contextlib
        import os

        ray = sys.modules.get("ray")
        if ray is not None and getattr(ray, "is_initialized", lambda: False)():
            with contextlib.suppress(Exception):  # what its exit handler would do: no
                ray.shutdown()  # agent or worker process left behind
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(AttributeError, OSError, ValueError):
                stream.flush()
        os._exit(exc.code if isinstance(exc.code, int) else 1)
