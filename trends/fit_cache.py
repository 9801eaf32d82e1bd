"""Fitted models kept on disk, keyed by everything that decides the result.

The same papers, parameters, embedding model, seed and package version always give the
same themes; a second ``trends report`` of the same input reads the fitted model back
instead of clustering again. The key is a SHA-1 of all of these, so any change refits.
A cache that cannot be written is reported once (a warning) and the fit goes on. The
folder is kept under ``$TRENDS_CACHE_MAX`` (2 GB by default), the models read or written
longest ago going first (`trends._prune`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import warnings
from pathlib import Path

import pandas as pd

from . import _numba_target, _prune
from . import cluster as _cluster
from ._warn import user_level
from .embed.cache import default_cache_dir, report_unwritable, root_reported
from .errors import ModelFileError
from .model import ThemeModel, as_corpus


def fit_key(corpus: pd.DataFrame, model: ThemeModel) -> str:
    """SHA-1 of the corpus's ids and texts, parameters, defaults, numba's target, version."""
    from . import __version__
    from .embed import resolve_embedder

    frame = as_corpus(corpus)
    h = hashlib.sha1()
    params = {k: v for k, v in model.get_params().items() if k not in {"verbose", "cache_dir"}}
    params["embedding"] = resolve_embedder(params["embedding"], model.random_state).identity
    # The clustering's own defaults, so that a fit made under other defaults is not read
    # back as if it were this version's.
    params["default_runs"] = _cluster.default_runs(len(frame))
    # The code numba compiles UMAP's runs to (`trends._numba_target`): another target may
    # round otherwise, and a fit read back must be the fit this process would make.
    params["numba_target"] = _numba_target.describe()
    h.update(json.dumps(params, sort_keys=True, default=str).encode())
    h.update(__version__.encode())
    for doc_id, text in zip(frame["doc_id"].astype(str), frame["text"].astype(str), strict=True):
        h.update(doc_id.encode() + b"\0" + text.encode() + b"\0")
    return h.hexdigest()


def fit_or_load(corpus: pd.DataFrame, model: ThemeModel, *, cache_dir=None):
    """``model`` fitted on ``corpus``, read from the fit cache when it was fitted before.

    Returns the fitted model and the path it is kept at (save it again there after
    computing more, e.g. the 2-D map, so that the next run finds that too). A damaged
    file is reported once, set aside (renamed ``*.corrupt``) and the model refitted.
    """
    root = Path(default_cache_dir() if cache_dir is None else cache_dir)
    path = root / "fits" / f"{fit_key(corpus, model)}.trends"
    try:
        found = path.is_file()
    except OSError:  # a cache folder that cannot be read: a miss
        found = False
    if found:
        try:
            custom = model.embedding if not isinstance(model.embedding, str | None) else None
            loaded = ThemeModel.load(path, embedding=custom)
            loaded.verbose = model.verbose
            _prune.touch(path)
            return loaded, path
        except ModelFileError as exc:
            if path.exists():  # else pruned by another process meanwhile: simply refit
                warnings.warn(
                    f"fit cache file {path} is unreadable ({exc}); it was set aside and the "
                    "model is fitted again",
                    RuntimeWarning,
                    stacklevel=user_level(),
                )
                with contextlib.suppress(OSError):  # a read-only cache: left where it is
                    path.replace(path.with_suffix(".corrupt"))
    model.fit(corpus)
    return model, keep(model, path)


def keep(model: ThemeModel, path) -> Path | None:
    """Save ``model`` at ``path`` in the fit cache; the path, or None when it cannot be.

    A cache folder that cannot be written is reported once (shared with the embedding and
    run caches in the same folder, `trends.embed.cache.report_unwritable`); the model is
    then simply not kept.
    """
    path = Path(path)
    root = path.parent.parent
    if root_reported(root):
        return None
    try:
        model.save(path)
    except (OSError, ModelFileError) as exc:  # save says ModelFileError (a full disk...)
        if not report_unwritable(root):
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            warnings.warn(
                f"could not keep the fitted model in {path.parent} ({reason}); "
                "the next run fits it again",
                RuntimeWarning,
                stacklevel=user_level(),
            )
        return None
    _prune.prune(path.parent, keep=path)
    return path
