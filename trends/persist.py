"""Save and load a fitted `ThemeModel` as one file of JSON and arrays: no pickle.

The file is a NumPy ``.npz`` archive read with ``allow_pickle=False``: a ``meta`` entry
(UTF-8 JSON: parameters, theme table, keyword weights, the embedding backend's name)
and plain numeric or string arrays. A loaded model transforms new papers exactly as the
saved one did.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd

from ._io import atomic_write_bytes

FORMAT_VERSION = 1


def save_model(model, path) -> None:
    """Write ``model`` to ``path`` atomically."""
    from .embed import TfidfEmbedder

    params = model.get_params()
    embedding = params.pop("embedding")
    params.pop("cache_dir")
    backend: dict = {"identity": model.embedder_.identity}
    arrays: dict[str, np.ndarray] = {}
    if isinstance(model.embedder_, TfidfEmbedder):
        meta, tfidf_arrays = model.embedder_.state()
        backend.update(kind="tfidf", state=meta)
        arrays.update(tfidf_arrays)
    elif embedding is None or isinstance(embedding, str):
        backend.update(kind="sentence-transformers", model=embedding)
    else:
        backend.update(kind="object", model=None)
    themes = model.themes_.copy()
    meta = {
        "format": "trends.ThemeModel",
        "version": FORMAT_VERSION,
        "params": params,
        "cluster_params": vars(model.params_) if hasattr(model, "params_") else None,
        "backend": backend,
        "themes": _records(themes),
        "keyword_weights": {str(t): w for t, w in model.keyword_weights_.items()},
        "timings": model.timings_,
    }
    arrays.update(
        meta=np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
        labels=np.asarray(model.labels_, dtype=np.int64),
        centroids=model.centroids_.astype(np.float32),
        thresholds=model.thresholds_.astype(np.float32),
        doc_ids=np.array(model.doc_ids_, dtype=str),
        texts=np.array(model.texts_, dtype=str),
        embeddings=model.embeddings_.astype(np.float32),
    )
    if getattr(model, "coords_", None) is not None:
        arrays["coords"] = model.coords_.astype(np.float32)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    atomic_write_bytes(path, buffer.getvalue())


def _plain(value):
    """JSON-ready Python value of a cell (exact floats: ``json`` writes ``repr``)."""
    if isinstance(value, np.ndarray | list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def load_model(cls, path, *, embedding=None):
    """Read a model written by `save_model`."""
    from .cluster import ClusterParams
    from .embed import SentenceTransformerEmbedder, TfidfEmbedder, resolve_embedder

    try:
        npz = np.load(path, allow_pickle=False)
        meta = json.loads(bytes(npz["meta"]).decode("utf-8"))
    except (OSError, ValueError, KeyError) as exc:
        raise ValueError(f"{path}: not a saved trends model ({exc})") from None
    if meta.get("format") != "trends.ThemeModel":
        raise ValueError(f"{path}: not a saved trends model")
    if meta.get("version", 0) > FORMAT_VERSION:
        raise ValueError(f"{path}: saved by a newer trends (format {meta['version']})")
    backend = meta["backend"]
    params = dict(meta["params"])
    if backend["kind"] == "tfidf":
        arrays = {k: npz[k] for k in ("tfidf_terms", "tfidf_idf", "svd_components")}
        embedder = TfidfEmbedder.from_state(backend["state"], arrays)
        params["embedding"] = "tfidf"
    elif backend["kind"] == "sentence-transformers" and embedding is None:
        params["embedding"] = backend["model"]
        embedder = SentenceTransformerEmbedder(backend["model"])
    else:
        if embedding is None:
            raise ValueError(
                f"{path} was fitted with a custom embedding model object; "
                "pass it again: ThemeModel.load(path, embedding=model)"
            )
        params["embedding"] = embedding
        embedder = resolve_embedder(embedding)
    model = cls(**params)
    model.embedder_ = embedder
    if meta.get("cluster_params"):
        model.params_ = ClusterParams(**meta["cluster_params"])
    model.labels_ = npz["labels"]
    model.centroids_ = npz["centroids"]
    model.thresholds_ = npz["thresholds"]
    model.doc_ids_ = npz["doc_ids"].astype(object)
    model.texts_ = npz["texts"].tolist()
    model.embeddings_ = npz["embeddings"]
    model.keyword_weights_ = {
        int(t): [(w, float(s)) for w, s in words] for t, words in meta["keyword_weights"].items()
    }
    model.themes_ = pd.DataFrame(meta["themes"])
    model.timings_ = meta.get("timings", {})
    model.runs_ = []
    model.knn_ = None
    model.coords_ = npz["coords"] if "coords" in npz.files else None
    return model
