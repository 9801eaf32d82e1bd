"""Save and load a fitted `ThemeModel` as one file of JSON and arrays: no pickle.

The file is a NumPy ``.npz`` archive read with ``allow_pickle=False``: a ``meta`` entry
(UTF-8 JSON: the model's parameters, the embedding backend, the JSON-kind fields of the
`trends.fit.ThemeFit`) and one plain numeric array per array-kind field. What is saved is
the fit result, field by field as its dataclass declares them, so a loaded model holds
exactly what the saved one held (and places new papers exactly as it did).
"""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile

import numpy as np
import pandas as pd

from ._io import atomic_write_bytes, unwritable_reason
from .errors import InputError, ModelFileError

FORMAT = "trends.ThemeModel"
FORMAT_VERSION = 3  # 3: theme names and the theme tree (issue 12)
# Fields that are derived on first use and saved when they were computed.
_CACHED = ("coords",)


def _plain(value):
    """JSON-ready Python value of a cell (exact floats: ``json`` writes ``repr``)."""
    if isinstance(value, np.ndarray | list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _strings_to_bytes(values) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 bytes of all strings and their end offsets (compact, unlike numpy's ``U``)."""
    encoded = [str(v).encode("utf-8") for v in values]
    ends = np.cumsum([len(b) for b in encoded], dtype=np.int64)
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), ends


def _bytes_to_strings(data: np.ndarray, ends: np.ndarray) -> np.ndarray:
    raw = data.tobytes()
    starts = np.concatenate([[0], ends[:-1]]) if len(ends) else ends
    return np.array(
        [raw[s:e].decode("utf-8") for s, e in zip(starts.tolist(), ends.tolist(), strict=True)],
        dtype=object,
    )


def _encode(fit) -> tuple[dict, dict[str, np.ndarray]]:
    """The JSON part and the arrays of a `ThemeFit`."""
    meta: dict = {}
    arrays: dict[str, np.ndarray] = {}
    for f in dataclasses.fields(fit):
        kind, value = f.metadata["kind"], getattr(fit, f.name)
        if kind == "array":
            arrays[f"fit.{f.name}"] = np.asarray(value)
        elif kind == "strings":
            arrays[f"fit.{f.name}.utf8"], arrays[f"fit.{f.name}.ends"] = _strings_to_bytes(value)
        elif kind == "frame":
            meta[f.name] = {
                "columns": [str(c) for c in value.columns],
                "records": [
                    {k: _plain(v) for k, v in row.items()}
                    for row in value.to_dict(orient="records")
                ],
            }
        elif kind == "keywords":
            meta[f.name] = [
                [int(t), [[w, float(s)] for w, s in words]] for t, words in value.items()
            ]
        elif kind == "params":
            meta[f.name] = dataclasses.asdict(value)
        elif kind == "json":
            meta[f.name] = _plain(value)
        else:  # a new kind must be given a codec here
            raise TypeError(f"ThemeFit.{f.name}: no codec for kind {kind!r}")
    for name in _CACHED:
        if name in fit.__dict__:
            arrays[f"cached.{name}"] = np.asarray(fit.__dict__[name])
    return meta, arrays


def _decode(meta: dict, npz) -> object:
    from .cluster import ClusterParams
    from .fit import ThemeFit

    values = {}
    for f in dataclasses.fields(ThemeFit):
        kind = f.metadata["kind"]
        if kind == "array":
            values[f.name] = npz[f"fit.{f.name}"]
        elif kind == "strings":
            values[f.name] = _bytes_to_strings(npz[f"fit.{f.name}.utf8"], npz[f"fit.{f.name}.ends"])
        elif kind == "frame":
            values[f.name] = pd.DataFrame(meta[f.name]["records"], columns=meta[f.name]["columns"])
        elif kind == "keywords":
            values[f.name] = {
                int(t): [(w, float(s)) for w, s in words] for t, words in meta[f.name]
            }
        elif kind == "params":
            values[f.name] = ClusterParams(**meta[f.name])
        else:
            values[f.name] = meta[f.name]
    fit = ThemeFit(**values)
    for name in _CACHED:
        if f"cached.{name}" in npz.files:
            fit.__dict__[name] = npz[f"cached.{name}"]
    return fit


def _with_themes(model):
    """The fit to write, with ``model.themes_`` (a user may rename themes by replacing it).

    ``model.themes_ = model.themes_.assign(name=...)`` replaces the attribute, not the fit's
    table: the names it gives are kept. A table of other rows or columns is refused.
    """
    fit, themes = model.fit_, model.__dict__.get("themes_")
    if themes is None or themes is fit.themes:
        return fit
    if (
        not isinstance(themes, pd.DataFrame)
        or list(themes.columns) != list(fit.themes.columns)
        or themes["theme_id"].tolist() != fit.themes["theme_id"].tolist()
    ):
        raise ModelFileError(
            "themes_ was replaced by a table with other rows or columns than the fit's: "
            "change its cells only (e.g. model.themes_['name'] = new_names) to save them"
        )
    return dataclasses.replace(fit, themes=themes)


def save_model(model, path) -> None:
    """Write a fitted ``model`` to ``path`` atomically (``~`` is the home folder)."""
    import os

    from .embed import TfidfEmbedder

    path = os.path.expanduser(os.fspath(path))
    params = model.get_params()
    embedding = params.pop("embedding")
    params.pop("cache_dir")
    # A namer (an endpoint, a local model) is not data: its names are in the fit.
    params.pop("namer", None)
    backend: dict = {"identity": model.embedder_.identity}
    arrays: dict[str, np.ndarray] = {}
    if isinstance(model.embedder_, TfidfEmbedder):
        state, tfidf_arrays = model.embedder_.state()
        backend.update(kind="tfidf", state=state)
        arrays.update({f"backend.{k}": v for k, v in tfidf_arrays.items()})
    elif embedding is None or isinstance(embedding, str):
        backend.update(kind="sentence-transformers", model=embedding)
    else:
        backend.update(kind="object", model=None)
    fit_meta, fit_arrays = _encode(_with_themes(model))
    meta = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "params": _plain(params),
        "backend": backend,
        "fit": fit_meta,
    }
    arrays.update(fit_arrays)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    if os.path.isdir(path):
        raise ModelFileError(f"{path}: is a folder; give the model file's name")
    reason = unwritable_reason(os.path.dirname(os.path.abspath(path)))
    if reason is not None:
        raise ModelFileError(f"{path}: cannot write the model there ({reason})")
    try:
        atomic_write_bytes(path, buffer.getvalue())
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot write the model ({exc.strerror or exc})") from None


def load_model(cls, path, *, embedding=None):
    """Read a model written by `save_model`; a damaged file is a `ModelFileError`."""
    import os

    path = os.path.expanduser(os.fspath(path))
    if os.path.isdir(path):
        raise ModelFileError(f"{path}: a folder, not a saved trends model")
    if not os.path.isfile(path):
        raise ModelFileError(f"{path}: no such file")
    try:
        if not zipfile.is_zipfile(path):
            raise ModelFileError(f"{path}: not a saved trends model (not a .npz archive)")
        with np.load(path, allow_pickle=False) as npz:
            meta = json.loads(bytes(npz["meta"]).decode("utf-8"))
            if meta.get("format") != FORMAT:
                raise ModelFileError(f"{path}: not a saved trends model")
            if meta.get("version", 0) != FORMAT_VERSION:
                newer = meta.get("version", 0) > FORMAT_VERSION
                raise ModelFileError(
                    f"{path}: saved by {'a newer' if newer else 'an older'} trends "
                    f"(format {meta.get('version')}, this version reads {FORMAT_VERSION}): "
                    "fit the model again"
                )
            result = _decode(meta["fit"], npz)
            backend_arrays = {
                k.removeprefix("backend."): npz[k] for k in npz.files if k.startswith("backend.")
            }
        problem = _inconsistency(result)
        if problem:
            raise ModelFileError(f"{path}: a damaged trends model ({problem})")
        # What the metadata holds is read inside the guard too: a file that is an archive
        # of the right format but with parts missing is damaged, not a bug.
        params = dict(meta["params"])
        params["embedding"], embedder = _backend(meta["backend"], backend_arrays, embedding, path)
        model = cls(**params)
        try:
            from .fit import check_settings

            check_settings(**model._settings(), random_state=model.random_state)
        except InputError as exc:
            raise ModelFileError(
                f"{path}: a damaged trends model (its parameters: {exc})"
            ) from None
        model._set_fit(result, embedder)
    except ModelFileError:
        raise
    except (
        OSError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        EOFError,
        zipfile.BadZipFile,
    ) as exc:
        raise ModelFileError(
            f"{path}: not a readable trends model ({type(exc).__name__}: {exc})"
        ) from None
    return model


def _inconsistency(fit) -> str | None:
    """What in a decoded fit does not fit together (a hand-edited or mis-written file)."""
    n = len(fit.labels)
    if len(fit.doc_ids) != n or len(fit.embeddings) != n or len(fit.texts) != n:
        return (
            f"{n} labels, {len(fit.doc_ids)} ids, {len(fit.embeddings)} vectors, "
            f"{len(fit.texts)} texts"
        )
    arrays = {
        "labels": fit.labels,
        "embeddings": fit.embeddings,
        "centroids": fit.centroids,
        "thresholds": fit.thresholds,
        "runs": fit.runs,
        "fit_rows": fit.fit_rows,
    }
    for name, array in arrays.items():
        kind = "iu" if name in ("labels", "runs", "fit_rows") else "f"
        if np.asarray(array).dtype.kind not in kind:
            return f"{name} of type {np.asarray(array).dtype}"
    k = len(fit.centroids)
    if np.ndim(fit.embeddings) != 2 or np.ndim(fit.centroids) != 2:
        return "vectors or theme centres not 2-D"
    if k and fit.centroids.shape[1] != fit.embeddings.shape[1]:
        return (
            f"theme centres of {fit.centroids.shape[1]} dimensions, papers' vectors of "
            f"{fit.embeddings.shape[1]}"
        )
    if np.shape(fit.thresholds) != (k,):
        return f"{k} theme centres but {np.size(fit.thresholds)} thresholds"
    if n and (fit.labels.min() < -1 or fit.labels.max() >= k):
        return f"labels from {fit.labels.min()} to {fit.labels.max()} for {k} themes"
    if not np.isfinite(fit.embeddings).all() or not np.isfinite(fit.centroids).all():
        return "vectors that are not finite"
    rows = np.asarray(fit.fit_rows)
    if len(rows) and (rows.min() < 0 or rows.max() >= n):
        return f"fitted rows outside the {n} papers"
    return None


def _backend(backend: dict, arrays: dict, embedding, path):
    """The ``embedding`` parameter and the backend object of a saved model."""
    from .embed import TfidfEmbedder, resolve_embedder

    if backend["kind"] == "tfidf":
        return "tfidf", TfidfEmbedder.from_state(backend["state"], arrays)
    if backend["kind"] == "sentence-transformers" and embedding is None:
        return backend["model"], resolve_embedder(backend["model"])
    if embedding is None:
        raise ModelFileError(
            f"{path} was fitted with a custom embedding model object; "
            "pass it again: ThemeModel.load(path, embedding=model)"
        )
    return embedding, resolve_embedder(embedding)
