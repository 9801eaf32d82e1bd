"""BERTopic's class-based TF-IDF (`bertopic.vectorizers.ClassTfidfTransformer`), cheaply.

The transformer is a small subclass of scikit-learn's ``TfidfTransformer``, but
``from bertopic.vectorizers import ...`` runs ``bertopic/__init__.py`` first, which imports
the BERTopic model and with it torch, transformers and umap-learn: 4.5 s on 2 cores, more
than half of a report rebuilt from the caches, where nothing else needs them (the keywords
of the broader groups and of the vocabulary over time are computed there). So, unless
BERTopic is imported already, the one file that defines the transformer is loaded from the
installed package on its own (it imports only numpy, scipy and scikit-learn): the same
code, the same numbers. Should BERTopic's layout change, the regular import is used.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from pathlib import Path

#: The name the separately loaded module is registered under (not BERTopic's own, so
#: that a later ``import bertopic`` loads its package as usual).
_MODULE = "trends._bertopic_ctfidf"
_LOCK = threading.Lock()


def class_tfidf_transformer() -> type:
    """The class `bertopic.vectorizers.ClassTfidfTransformer`, without importing BERTopic."""
    if "bertopic" not in sys.modules:
        with _LOCK:  # a thread never sees the module half executed
            module = sys.modules.get(_MODULE) or _load()
        if module is not None:
            return module.ClassTfidfTransformer
    from bertopic.vectorizers import ClassTfidfTransformer

    return ClassTfidfTransformer


def transformer():
    """An unfitted c-TF-IDF transformer with the settings every keyword list here uses.

    ``reduce_frequent_words=True`` (square-rooted term frequencies) and the BM25 idf
    (``bm25_weighting=True``), which weigh down words common to many groups.
    """
    return class_tfidf_transformer()(reduce_frequent_words=True, bm25_weighting=True)


def _load():
    """BERTopic's ``vectorizers/_ctfidf.py`` as a module of its own, or None."""
    try:
        package = importlib.util.find_spec("bertopic")
        if package is None or not package.submodule_search_locations:
            return None
        path = Path(list(package.submodule_search_locations)[0]) / "vectorizers" / "_ctfidf.py"
        if not path.is_file():
            return None
        spec = importlib.util.spec_from_file_location(_MODULE, path)
        if spec is None or spec.loader is None:
            return None
        module = importlib.util.module_from_spec(spec)
        sys.modules[_MODULE] = module
        spec.loader.exec_module(module)
        if not hasattr(module, "ClassTfidfTransformer"):
            raise ImportError("no ClassTfidfTransformer")
    except Exception:  # any surprise in another BERTopic version: the regular import
        sys.modules.pop(_MODULE, None)
        return None
    return module
