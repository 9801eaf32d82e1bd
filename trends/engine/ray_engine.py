"""The Ray engine: papers are embedded (and placed) by an actor pool on a Ray cluster.

What runs where:

- the driver (this process) reads the embedding cache, sends the papers it lacks to the
  cluster as a Ray Dataset, writes what comes back to the cache as it arrives (every
  ~1,000 papers, so an interrupted run keeps its work), fits the themes and holds the
  result;
- each worker is an actor that loads the embedding model once and then embeds batch
  after batch (``Dataset.map_batches`` with ``compute=ActorPoolStrategy``); after a fit on
  a sample it also places each paper it embeds in the themes (`trends.cluster.place`).

The batches are the 256-text chunks `trends.embed.embed_texts` encodes in one process
(the same texts, in the same order), so each text is padded with the same neighbours and
gets bit for bit the vector a single-process run gives it: the engine changes where the
work runs, not the themes.

Ray itself: when this process has not initialised Ray, the first use calls
``ray.init(address)`` (``None``: ``$RAY_ADDRESS``, else a cluster started on this machine
by ``ray start``, else a new local instance) and leaves it running for the rest of the
process, as Ray Data does; call ``ray.init`` yourself first to choose its resources, and
``ray.shutdown()`` to stop it. Every node needs this package installed (``pip install
'trends[ray]'``), with the same embedding model.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import logging
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from . import EngineError, import_ray


def _chunk() -> int:
    # The texts per encode call of the single-process path: the batches must be the same
    # for the vectors to be the same.
    from ..embed import _CHUNK

    return _CHUNK


class _EmbedWorker:
    """One actor of the pool: loads the model once, then embeds (and places) batches.

    Ray Data builds it without arguments: `RayEngine` makes a subclass that carries the
    backend and the themes as class attributes, sent to the workers by value with it.
    """

    embedder = None
    themes = None  # (centroids, thresholds) after a fit on a sample

    def __init__(self):
        self.embedder = _portable(type(self).embedder)
        self.failure = None
        self.warned: list = []  # (category, message, file, line) not sent yet
        self.sent: set = set()
        load = getattr(self.embedder, "load", None)
        try:
            if callable(load):
                with self.recording():
                    load()  # once per worker, before the first batch
        except Exception as exc:
            # Ray reports a failed actor creation only as text; raised from a batch, the
            # error reaches the driver as itself (e.g. an EmbeddingError saying what to do).
            self.failure = exc

    @contextmanager
    def recording(self):
        """Keep the backend's warnings for the driver: this worker's output is not shown.

        Each is sent once per worker, with the next batch; the driver shows it once.
        """
        import warnings

        from .._warn import at_package

        # no user's line here: the package's warnings keep their own (the driver's CLI
        # tells them by it)
        with warnings.catch_warnings(record=True) as caught, at_package():
            warnings.simplefilter("always")
            try:
                yield
            finally:
                for w in caught:
                    kind = f"{w.category.__module__}:{w.category.__qualname__}"
                    key = (kind, str(w.message), w.filename, w.lineno)
                    if key not in self.sent:
                        self.sent.add(key)
                        self.warned.append(key)

    def __call__(self, batch: dict) -> dict:
        from ..cluster import place
        from ..fit import unit_rows

        rows = np.asarray(batch["i"])
        try:
            if self.failure is not None:
                raise self.failure
            texts = [str(t) for t in batch["text"]]
            with self.recording():
                vectors = self.embedder.encode(texts, progress=False)
            vectors = np.asarray(vectors, dtype=np.float32)
        except Exception as exc:
            # The backend's error (a model missing on this node, a custom backend's own
            # ValueError) goes back as data, for the driver to raise as itself: raised here,
            # Ray would wrap it in its own error with both processes' tracebacks.
            return _failure_batch(rows, exc)
        # In every batch, so that all have the same columns: "" when nothing is new.
        warned = json.dumps(self.warned) if self.warned else ""
        self.warned = []
        out = {"i": rows, "vector": vectors, "warnings": np.array([warned] * len(rows))}
        if self.themes is not None:
            centroids, thresholds = self.themes
            out["theme"] = place(unit_rows(vectors), centroids, thresholds)
        return out


def _failure_batch(rows: np.ndarray, exc: Exception) -> dict:
    """The batch that carries ``exc`` to the driver (`_raise_failure` raises it).

    Its type's name, its message, its traceback as text, and the exception itself pickled
    (``""`` when it cannot be).
    """
    import base64
    import traceback

    from ray import cloudpickle

    try:
        pickled = base64.b64encode(cloudpickle.dumps(exc)).decode("ascii")
    except Exception:  # an attribute that cannot be pickled: the text still goes
        pickled = ""
    n = len(rows)
    return {
        "i": rows,
        "failure": np.array([type(exc).__name__] * n),
        "message": np.array([str(exc)] * n),
        "error": np.array([pickled] * n),
        "trace": np.array(["".join(traceback.format_exception(exc))] * n),
    }


def _portable(embedder):
    """A copy of ``embedder`` without a loaded model when it can reload it by name.

    A model loaded on the driver would otherwise be pickled to every worker; a backend
    built from a model object has no name to reload from and is sent as it is.
    """
    loaded = getattr(embedder, "_loaded", None)
    model = getattr(embedder, "model", None)
    if loaded is None or not (model is None or isinstance(model, str | os.PathLike)):
        return embedder
    light = copy.copy(embedder)
    light._loaded = None
    return light


@contextmanager
def _quiet_data():
    """Ray Data without its own progress bars and start-up lines (ours show the work)."""
    import ray.data

    ctx = ray.data.DataContext.get_current()
    saved = {
        name: getattr(ctx, name)
        for name in ("enable_progress_bars", "print_on_execution_start", "enable_auto_log_stats")
        if hasattr(ctx, name)
    }
    # Ray Data's INFO lines, and its one warning that its bars are off, say nothing a
    # user of this package needs; its other warnings still show.
    loggers = {"ray.data": logging.WARNING, "ray.data._internal.progress": logging.ERROR}
    levels = {name: logging.getLogger(name).level for name in loggers}
    for name in saved:
        setattr(ctx, name, False)
    for name, level in loggers.items():
        logging.getLogger(name).setLevel(level)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(ctx, name, value)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def _raise_failure(batch: dict) -> None:
    """Raise the error a worker sent back in ``batch`` (see `_failure_batch`), if any.

    A `TrendsError` is raised as itself. Any other exception (a custom backend's own
    ValueError) is raised as an `EngineError` that is also of its type, so that both an
    ``except ValueError`` and the command line's one-line report of a `TrendsError` catch
    it; the worker's exception itself is its cause, with the worker's traceback as a note.
    """
    if "failure" not in batch:
        return
    from .. import errors

    name, message = str(batch["failure"][0]), str(batch["message"][0])
    original = _unpickled(str(batch["error"][0])) if "error" in batch else None
    if isinstance(original, errors.TrendsError):
        raise original
    if original is None:  # it could not be sent as itself: its type's name and message
        kind = getattr(errors, name, None)
        if isinstance(kind, type) and issubclass(kind, errors.TrendsError):
            raise kind(message)
        raise EngineError(f"{name} on a Ray worker: {message}")
    original.add_note(f"Raised on a Ray worker:\n{str(batch['trace'][0]).rstrip()}")
    raise _as_engine_error(original) from original


def _unpickled(text: str):
    """The exception pickled by `_failure_batch`, or None when it does not load here."""
    import base64
    import pickle

    if not text:
        return None
    try:
        loaded = pickle.loads(base64.b64decode(text))
    except Exception:  # its class is not importable here, or does not rebuild from args
        return None
    return loaded if isinstance(loaded, Exception) else None


def _as_engine_error(exc: Exception) -> EngineError:
    """An `EngineError` that is also an instance of ``type(exc)``, with its attributes."""
    message = f"{type(exc).__name__} on a Ray worker: {exc}"
    try:
        error = _engine_error_type(type(exc))(message)
    except TypeError:  # a type that cannot be combined with EngineError (its layout)
        return EngineError(message)
    error.__dict__.update({k: v for k, v in vars(exc).items() if k != "__notes__"})
    for name, value in _slots(exc).items():  # kept in slots, not in __dict__
        with contextlib.suppress(AttributeError, TypeError):
            setattr(error, name, value)
    return error


# Attributes that built-in exceptions keep in slots rather than in ``__dict__`` (an
# OSError's errno, a StopIteration's value, a SyntaxError's line, a UnicodeError's range).
_SLOT_ATTRS = (
    "errno", "strerror", "filename", "filename2", "value", "code", "msg", "lineno",
    "offset", "text", "end_lineno", "end_offset", "encoding", "object", "start", "end",
    "reason", "name", "path", "obj",
)  # fmt: skip


def _slots(exc: BaseException) -> dict:
    """The `_SLOT_ATTRS` that ``exc``'s type defines outside ``__dict__``, with their values."""
    found = {}
    for name in _SLOT_ATTRS:
        if name in vars(exc) or not hasattr(type(exc), name):
            continue  # in __dict__ (copied with it), or not an attribute of this type
        with contextlib.suppress(AttributeError):
            found[name] = getattr(exc, name)
    return found


def _rebuild_engine_error(kind: type, message: str, state: dict, slots: dict) -> EngineError:
    """An `_engine_error_type` error from its pickled parts (see its ``__reduce__``)."""
    error = _engine_error_type(kind)(message)
    error.__dict__.update(state)
    for name, value in slots.items():
        with contextlib.suppress(AttributeError, TypeError):
            setattr(error, name, value)
    return error


@functools.cache
def _engine_error_type(kind: type) -> type:
    def __init__(self, message):  # noqa: N807  (the other type's __init__ may need more)
        Exception.__init__(self, message)

    def __reduce__(self):  # noqa: N807  (the class is made here: pickled as its parts)
        return _rebuild_engine_error, (kind, str(self), dict(self.__dict__), _slots(self))

    return type(
        f"EngineError({kind.__name__})",
        (EngineError, kind),
        {
            "__init__": __init__,
            "__reduce__": __reduce__,
            "__str__": BaseException.__str__,
            "__module__": "trends.engine",
        },
    )


def warned(embedder) -> set:
    """The messages of warnings already shown about ``embedder`` (kept on it).

    The workers' warnings are shown once per backend: not again by the next run (the
    placement after a fit on a sample), nor by the backend itself when the driver loads
    the model too (the bfloat16 one, to name the themes; see `SentenceTransformerEmbedder`).
    """
    try:
        return embedder.__dict__.setdefault("_warned", set())
    except AttributeError:  # no __dict__: once per run
        return set()


def _warn_again(batch: dict, shown: set) -> None:
    """Show here the warnings the workers' backends raised, each message once.

    Each as if raised here at the worker's file and line: this process's filters decide.
    ``shown``: the messages already shown (see `warned`), updated.
    """
    import warnings

    for payload in set(np.asarray(batch.get("warnings", [])).tolist()) - {""}:
        for kind, message, filename, lineno in json.loads(payload):
            if message not in shown:
                shown.add(message)
                warnings.warn_explicit(message, _warning_category(kind), filename, lineno)


def _warning_category(kind: str) -> type:
    """The Warning class named ``module:qualname`` when that module is loaded here."""
    name, _, qualname = kind.partition(":")
    found = sys.modules.get(name)
    for part in qualname.split("."):
        found = getattr(found, part, None)
    return found if isinstance(found, type) and issubclass(found, Warning) else UserWarning


# Seconds to wait for a cluster's address to answer before `ray.init`, which otherwise
# retries an unreachable address for about ten minutes.
REACH_TIMEOUT = 5.0


def _check_reachable(address: str | None) -> None:
    """A one-line `EngineError` unless a ``host:port`` address answers within `REACH_TIMEOUT`.

    ``ray://host:port`` too; other addresses (none, ``auto``, ``local``) pass to ray.init.
    """
    import socket

    if not address:
        return
    text = address.strip().removeprefix("ray://")
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        return  # "auto", "local" or something ray.init judges itself
    host = host.strip("[]")  # [::1]:6379
    try:
        socket.create_connection((host, int(port)), timeout=REACH_TIMEOUT).close()
    except (OSError, ValueError, OverflowError) as exc:
        reason = "no answer" if isinstance(exc, TimeoutError) else str(exc) or type(exc).__name__
        raise EngineError(
            f"could not reach Ray at {address} ({reason} within {REACH_TIMEOUT:g} s): check "
            "the address (`ray status` on the head node), start a cluster with `ray start "
            "--head`, or use engine='local'"
        ) from None


class _DropNotice(logging.Filter):
    """Drops the log records whose message starts with ``prefix``; passes all others."""

    def __init__(self, prefix: str):
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.prefix)


@contextmanager
def _without_auth_notice():
    """Ray's start-up without its notice that token authentication is on by default.

    Since 2.59 a local instance that ``ray.init`` starts has token authentication unless
    ``RAY_AUTH_MODE`` says otherwise, and Ray says so in a WARNING on every run. Setting
    the variable here cannot silence it: Ray reads its configuration when imported, and a
    mode set later disagrees with it (the instance then fails to start). Only that notice
    is dropped; Ray's other messages, its warning that authentication is *off* included,
    still show.
    """
    logger = logging.getLogger("ray._private.authentication.authentication_token_setup")
    notice = _DropNotice("Token authentication is enabled for this Ray cluster")
    logger.addFilter(notice)
    try:
        yield
    finally:
        logger.removeFilter(notice)


@dataclass(frozen=True)
class RayEngine:
    """Embedding and placement on a Ray cluster's workers.

    Parameters
    ----------
    address : str, optional
        The cluster: ``"auto"``, ``"ray://head:10001"``, ``"host:6379"``. ``None``:
        ``$RAY_ADDRESS``, else a cluster started on this machine, else a local instance.
        Not used when this process has already called ``ray.init``.
    cpus_per_worker : float
        CPUs each embedding actor reserves (torch uses as many threads).
    workers : int, optional
        Actors in the pool; ``None``: as many as the cluster's CPUs hold.
    checkpoint : int, optional
        Papers per cache shard written as vectors arrive: what an interrupted run can
        lose at most (default `trends.embed.CHECKPOINT`).
    """

    address: str | None = None
    cpus_per_worker: float = 1.0
    workers: int | None = None
    checkpoint: int | None = None

    name = "ray"

    @contextmanager
    def session(self):
        """Ray, initialised (connected or started) unless this process already did."""
        ray = import_ray()
        if not ray.is_initialized():
            _check_reachable(self.address or os.environ.get("RAY_ADDRESS"))
            try:
                with _without_auth_notice():
                    ray.init(
                        address=self.address,
                        include_dashboard=False,
                        logging_level=logging.WARNING,
                        log_to_driver=False,
                    )
            except (ConnectionError, RuntimeError, ValueError) as exc:
                where = self.address or os.environ.get("RAY_ADDRESS") or "a local instance"
                hint = (
                    'pip install "ray[client]" for a ray:// address'
                    if "ray[client]" in str(exc)
                    else "start a cluster with `ray start --head` and pass its address"
                )
                raise EngineError(
                    f"could not start or reach Ray at {where} ({type(exc).__name__}: {exc}); "
                    f"{hint}, or use engine='local'"
                ) from None
            from .. import _signals

            _signals.restore()  # ray.init's SIGTERM handler aborted the command line
        yield ray

    def _pool_size(self, ray, n_batches: int) -> int:
        if self.workers is not None:
            return max(1, min(int(self.workers), n_batches))
        cpus = float(ray.cluster_resources().get("CPU", 1.0))
        return max(1, min(int(cpus // self.cpus_per_worker) or 1, n_batches))

    def embed(self, texts: list[str], embedder, cache, *, progress: bool = False) -> np.ndarray:
        """Vectors of ``texts`` (the contract of `trends.embed.embed_texts`), on the cluster.

        Cached texts are read on the driver; each distinct other text is embedded once on
        the workers and written to ``cache``. Rows in the order of ``texts``.
        """
        vectors, _ = self._run(list(texts), embedder, cache, None, progress)
        return vectors

    def embed_and_place(
        self,
        texts: list[str],
        embedder,
        cache,
        centroids: np.ndarray,
        thresholds: np.ndarray,
        *,
        progress: bool = False,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Unit vectors of ``texts`` and their themes (`trends.cluster.place`; -1: none).

        The workers place the papers they embed; cached papers are placed on the driver
        by the same function.
        """
        from ..cluster import place
        from ..fit import unit_rows

        themes = (np.asarray(centroids, np.float32), np.asarray(thresholds, np.float32))
        vectors, labels = self._run(list(texts), embedder, cache, themes, progress)
        vectors = unit_rows(vectors)
        todo = labels < -1  # cached: not seen by a worker
        if todo.any():
            labels[todo] = place(vectors[todo], *themes)
        return vectors, labels

    def _run(self, texts, embedder, cache, themes, progress):
        """(vectors, labels): labels -2 where the driver must place (or nothing asked)."""
        from ..embed import CHECKPOINT
        from ..embed.cache import text_key

        checkpoint = self.checkpoint or CHECKPOINT

        n = len(texts)
        use_cache = cache is not None and getattr(embedder, "cacheable", False)
        found = cache.get(embedder.identity, texts) if use_cache else [None] * n
        todo: dict[bytes, str] = {}  # one text per key: repeats are embedded once
        for text, vector in zip(texts, found, strict=True):
            if vector is None:
                todo.setdefault(text_key(text), text)
        keys, unique = list(todo), list(todo.values())
        fresh_vectors, fresh_labels = self._remote(
            unique, embedder, cache if use_cache else None, themes, progress, checkpoint
        )
        fresh_row = {k: j for j, k in enumerate(keys)}
        labels = np.full(n, -2, dtype=np.int64)
        if n == 0:
            return np.zeros((0, 0), dtype=np.float32), labels
        rows = []
        for i, (text, vector) in enumerate(zip(texts, found, strict=True)):
            if vector is None:
                j = fresh_row[text_key(text)]
                vector = fresh_vectors[j]
                if fresh_labels is not None:
                    labels[i] = fresh_labels[j]
            rows.append(vector)
        return np.vstack(rows).astype(np.float32, copy=False), labels

    def _remote(self, texts, embedder, cache, themes, progress, checkpoint):
        """Vectors (and themes) of distinct ``texts`` from the actor pool, cached as they come."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32), None
        import pandas as pd
        from tqdm.auto import tqdm

        chunk = _chunk()
        with self.session() as ray, _quiet_data():
            frames = [
                pd.DataFrame(
                    {"i": np.arange(s, min(s + chunk, len(texts))), "text": texts[s : s + chunk]}
                )
                for s in range(0, len(texts), chunk)
            ]
            worker = type(
                "TrendsEmbedWorker",
                (_EmbedWorker,),
                {"embedder": _portable(embedder), "themes": themes},
            )
            pool = self._pool_size(ray, len(frames))
            dataset = ray.data.from_pandas(frames).map_batches(
                worker,
                batch_size=chunk,
                batch_format="numpy",
                compute=ray.data.ActorPoolStrategy(size=pool),
                num_cpus=self.cpus_per_worker,
            )
            vectors: np.ndarray | None = None
            labels = np.full(len(texts), -2, dtype=np.int64) if themes is not None else None
            pending: list[np.ndarray] = []
            shown = warned(embedder)
            desc = f"Embedding on Ray ({pool} worker{'s' * (pool > 1)})"

            def save():
                if cache is not None and pending:
                    done = np.concatenate(pending)
                    cache.put(
                        embedder.identity, [texts[j] for j in done], vectors[done], compact=False
                    )
                pending.clear()

            try:
                with tqdm(total=len(texts), desc=desc, unit="paper", disable=not progress) as bar:
                    for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
                        _raise_failure(batch)
                        _warn_again(batch, shown)
                        idx = np.asarray(batch["i"], dtype=np.int64)
                        got = np.asarray(batch["vector"], dtype=np.float32)
                        if vectors is None:
                            vectors = np.empty((len(texts), got.shape[1]), dtype=np.float32)
                        vectors[idx] = got
                        if labels is not None:
                            labels[idx] = batch["theme"]
                        pending.append(idx)
                        bar.update(len(idx))
                        if sum(len(p) for p in pending) >= checkpoint:
                            save()
            finally:  # what finished is kept, whatever stopped the run
                if vectors is not None:
                    save()
                if cache is not None:
                    cache.compact(embedder.identity)
        return vectors, labels
