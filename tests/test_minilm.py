"""The real offline MiniLM, end to end on the bundled corpus (slow: embeds 192 papers)."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import trends

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundled_fit():
    corpus = trends.datasets.trending_papers()
    model = trends.ThemeModel(verbose=False).fit(corpus)
    return corpus, model


def test_minilm_loads_offline_and_embeds(bundled_fit):
    corpus, model = bundled_fit
    assert model.embeddings_.shape == (192, 384)
    assert np.allclose(np.linalg.norm(model.embeddings_, axis=1), 1, atol=1e-4)


def test_bundled_corpus_targets(bundled_fit):
    corpus, model = bundled_fit
    assert model.n_themes_ >= 10
    assert np.mean(model.labels_ == -1) <= 0.15
    labels = model.themes_.label[model.themes_.theme_id >= 0]
    assert labels.is_unique
    assert not labels.str.contains(r"\b(?:the|and|of|we)\b").any()


def test_refit_embeds_nothing_and_new_papers_only_themselves(bundled_fit, embed_calls):
    corpus, _ = bundled_fit
    from conftest import paper_batches

    seen = embed_calls
    trends.ThemeModel(verbose=False).fit(corpus)
    assert seen == []  # papers and name candidates alike come from the cache
    extra = corpus.head(3).assign(
        doc_id=["n1", "n2", "n3"], text=corpus.text.head(3) + " A revised version."
    )
    both = __import__("pandas").concat([corpus, extra])
    trends.ThemeModel(verbose=False).fit(both)
    assert paper_batches(seen, both.text) == [3]
    # Whatever else was embedded are new name candidates: phrases and names of a few words.
    phrases = [t for batch in seen for t in batch if t not in set(both.text)]
    assert all(len(t.split()) <= 8 for t in phrases), [t for t in phrases if len(t.split()) > 8]


_SCRIPT = textwrap.dedent(
    """
    import json, trends
    m = trends.ThemeModel(verbose=False).fit(trends.datasets.trending_papers())
    print(json.dumps({"labels": m.labels_.tolist(), "keywords": m.themes_.keywords.tolist()}))
    """
)


def test_two_processes_give_identical_themes(bundled_fit, tmp_path):
    corpus, model = bundled_fit
    outputs = []
    for k in range(2):
        # Each process gets the embeddings but not the clustering runs made so far
        # (`trends.run_cache`): it makes its runs itself.
        cache = tmp_path / f"cache{k}"
        shutil.copytree(Path(os.environ["TRENDS_CACHE_DIR"]) / "embeddings", cache / "embeddings")
        run = subprocess.run(
            [sys.executable, "-c", _SCRIPT],
            capture_output=True,
            text=True,
            env={
                **os.environ,
                "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1",
                "TRENDS_CACHE_DIR": str(cache),
            },
            check=True,
        )
        made = list((cache / "runs").rglob("*.npy"))
        assert len(made) == trends.cluster.DEFAULT_RUNS  # made in that process
        outputs.append(json.loads(run.stdout.strip().splitlines()[-1]))
    assert outputs[0] == outputs[1]
    assert outputs[0]["labels"] == model.labels_.tolist()
    assert outputs[0]["keywords"] == model.themes_.keywords.tolist()


def test_saved_model_transforms_the_same_in_a_fresh_process(bundled_fit, tmp_path):
    corpus, model = bundled_fit
    path = tmp_path / "m.trends"
    model.save(path)
    expected = model.predict(corpus.head(20)).tolist()
    script = (
        f"import json, trends; m = trends.ThemeModel.load({str(path)!r}); "
        "print(json.dumps(m.predict(trends.datasets.trending_papers().head(20)).tolist()))"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        check=True,
    )
    assert json.loads(run.stdout.strip().splitlines()[-1]) == expected
