"""BERTopic's c-TF-IDF without importing BERTopic (`trends._ctfidf`)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import scipy.sparse as sp

from trends import _ctfidf

TEXTS = [
    "graph neural networks for molecules",
    "neural networks on graphs and molecules",
    "diffusion models generate images",
    "image generation with diffusion",
    "language models answer questions",
    "questions answered by large language models",
]
LABELS = [0, 0, 1, 1, 2, 2]

# Run in a fresh interpreter: keywords and vocabulary weights first without BERTopic, then
# with BERTopic imported, and which heavy modules the first part imported.
SCRIPT = f"""
import json, sys
import numpy as np
from trends import describe
import importlib
vocabulary = importlib.import_module("trends.timeline.vocabulary")
texts, labels = {TEXTS!r}, np.array({LABELS!r})
light = describe.keywords(texts, labels, n_keywords=5)
counts, _ = describe.term_counts(texts)
weights = vocabulary._weights(vocabulary._transformer(counts, labels, [0, 1, 2]),
                              vocabulary._grouped(counts, [labels == t for t in [0, 1, 2]]))
loaded = {{m: m in sys.modules for m in ("bertopic", "torch", "transformers", "umap")}}
import bertopic  # noqa: F401
heavy = describe.keywords(texts, labels, n_keywords=5)
weights_heavy = vocabulary._weights(vocabulary._transformer(counts, labels, [0, 1, 2]),
                                    vocabulary._grouped(counts, [labels == t for t in [0, 1, 2]]))
print(json.dumps({{"loaded": loaded, "same_keywords": light == heavy,
                   "same_weights": bool(np.array_equal(weights, weights_heavy)),
                   "keywords": {{str(k): v for k, v in light.items()}}}}))
"""


def test_keywords_need_no_bertopic_import_and_equal_bertopics_own():
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["loaded"] == {
        "bertopic": False,
        "torch": False,
        "transformers": False,
        "umap": False,
    }
    assert result["same_keywords"] and result["same_weights"]
    assert "diffusion" in [w for w, _ in result["keywords"]["1"]]


def test_the_class_is_bertopics_code():
    from bertopic.vectorizers import ClassTfidfTransformer

    ours = _ctfidf._load()
    assert ours is not None
    cls = ours.ClassTfidfTransformer
    assert cls.__qualname__ == ClassTfidfTransformer.__qualname__
    counts = sp.csr_matrix(np.array([[3, 0, 1, 2], [0, 2, 2, 0], [1, 1, 0, 5]], dtype=float))
    a = cls(reduce_frequent_words=True, bm25_weighting=True).fit_transform(counts.copy())
    b = ClassTfidfTransformer(reduce_frequent_words=True, bm25_weighting=True).fit_transform(
        counts.copy()
    )
    assert np.array_equal(a.toarray(), b.toarray())


def test_falls_back_to_the_regular_import(monkeypatch):
    monkeypatch.delitem(sys.modules, _ctfidf._MODULE, raising=False)
    monkeypatch.setattr(_ctfidf.importlib.util, "find_spec", lambda name: None)
    assert _ctfidf._load() is None


def test_a_failed_load_leaves_nothing_behind(monkeypatch):
    from bertopic.vectorizers import ClassTfidfTransformer

    def moved(*args, **kwargs):
        raise OSError("moved")

    monkeypatch.delitem(sys.modules, _ctfidf._MODULE, raising=False)
    monkeypatch.setattr(_ctfidf.importlib.util, "spec_from_file_location", moved)
    assert _ctfidf._load() is None
    assert _ctfidf._MODULE not in sys.modules
    # BERTopic not imported yet, and the file cannot be loaded: the regular import.
    monkeypatch.delitem(sys.modules, "bertopic", raising=False)
    assert _ctfidf.class_tfidf_transformer() is ClassTfidfTransformer
