"""trends.metrics on hand-made inputs, and NPMI against gensim's implementation."""

import math

import numpy as np
import pandas as pd
import pytest

from trends import metrics
from trends.errors import InputError


def test_topic_diversity():
    assert metrics.topic_diversity([["a", "b"], ["c", "d"]]) == 1.0
    assert metrics.topic_diversity([["a", "b"], ["a", "b"]]) == 0.5
    assert metrics.topic_diversity([["a", "b", "c"], ["a"]], top_n=1) == 0.5


def test_outliers_and_counts():
    assert metrics.outlier_share([-1, 0, 0, 1]) == 0.25
    assert metrics.theme_count([-1, 0, 0, 1, 5]) == 3


def test_agreement_counts_outliers_as_a_cluster():
    perfect = metrics.agreement([0, 0, 1, 1], ["a", "a", "b", "b"])
    assert perfect["nmi"] == pytest.approx(1.0) and perfect["ari"] == pytest.approx(1.0)
    noisy = metrics.agreement([0, -1, 1, -1], ["a", "a", "b", "b"])
    assert noisy["nmi"] < 1.0
    with pytest.raises(ValueError, match="4 labels but 3"):
        metrics.agreement([0, 0, 1, 1], ["a", "a", "b"])


def test_stability():
    assert metrics.stability([[0, 0, 1, 1], [1, 1, 0, 0]]) == pytest.approx(1.0)
    assert metrics.stability([[0, 0, 1, 1], [0, 1, 0, 1], [0, 0, 1, 1]]) < 0.5
    with pytest.raises(ValueError):
        metrics.stability([[0, 1]])


def test_keyword_words_splits_bigrams_and_drops_unknown():
    words = metrics.keyword_words(
        ["neural network", "network", "zzz", "graph"], {"neural", "network", "graph"}
    )
    assert words == ["neural", "network", "graph"]


def test_npmi_by_hand():
    # two words that always appear together in short texts: NPMI = 1
    texts = [["apple", "pie"], ["apple", "pie"], ["car", "road"], ["car", "road"]]
    (score,) = metrics.npmi_coherence([["apple", "pie"]], texts)
    assert score == pytest.approx(1.0, abs=1e-6)
    # two words that never meet: -1, up to gensim's epsilon of 1e-12
    (score,) = metrics.npmi_coherence([["apple", "car"]], texts)
    eps = 1e-12
    assert score == pytest.approx((np.log(eps) - np.log(0.25)) / -np.log(eps))
    assert score < -0.9
    # independent words: p(a,b) = p(a) p(b) gives 0
    texts = [["a", "b"], ["a", "x"], ["y", "b"], ["y", "x"]]
    (score,) = metrics.npmi_coherence([["a", "b"]], texts)
    assert score == pytest.approx(0.0, abs=1e-6)
    assert math.isnan(metrics.npmi_coherence([["a"]], texts)[0])


def test_npmi_sliding_window_counts_windows():
    # a 12-token text has 3 windows of 10; "a" at 0 lies in window 0 only, "b" at 11 in window 2
    text = ["a"] + [f"f{i}" for i in range(10)] + ["b"]
    (score,) = metrics.npmi_coherence([["a", "b"]], [text])
    eps = 1e-12
    assert score == pytest.approx((np.log(eps) - np.log(1 / 9)) / -np.log(eps))
    (score,) = metrics.npmi_coherence([["a", "f5"]], [text])
    # p(a)=1/3, p(f5)=1, p(a,f5)=1/3: pmi = 0, so npmi = 0
    assert score == pytest.approx(0.0, abs=1e-6)


def test_npmi_agrees_with_gensim():
    gensim = pytest.importorskip("gensim")
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    rng = np.random.default_rng(0)
    vocab = [f"w{i}" for i in range(30)]
    texts = [
        list(rng.choice(vocab[:15] if i % 2 else vocab[10:], size=rng.integers(5, 40)))
        for i in range(200)
    ]
    topics = [vocab[:6], vocab[12:18], vocab[20:26]]
    ours = metrics.npmi_coherence(topics, texts)
    cm = CoherenceModel(
        topics=topics, texts=texts, dictionary=Dictionary(texts), coherence="c_npmi", processes=1
    )
    theirs = np.array(cm.get_coherence_per_topic())
    assert gensim is not None
    np.testing.assert_allclose(ours, theirs, atol=1e-9)


def test_a_reference_of_the_wrong_kind_is_named_not_misread():
    """A dict was read as its keys (NMI 0.70 instead of 0.02), a string as its characters,
    one given class gave NMI = ARI = 1.0, and a 2-D array a bare TypeError."""
    labels = [0, 0, 1, 1]
    cases = [
        ({0: "a", 1: "a", 2: "b", 3: "b"}, "not a dict"),
        ("abab", "not the string 'abab'"),
        (np.zeros((4, 2)), "1-D sequence.*shape \\(4, 2\\)"),
        (5, "1-D sequence"),
        ([["a"], ["a"], ["b"], ["b"]], "reference label 0 is a list"),
        ([["cs.CV"], ["cs.CV", "cs.AI"], ["cs.CL"], ["cs.CL"]], "reference label 0 is a list"),
        (pd.DataFrame({"a": list("aabb"), "b": list("abab")}), "shape \\(4, 2\\)"),
        ([None, None, None, "a"], "only 1 of the 4"),
    ]
    for reference, message in cases:
        with pytest.raises(InputError, match=message):
            metrics.agreement(labels, reference)
    with pytest.warns(UserWarning, match="one class to all its 4 papers"):
        metrics.agreement(labels, ["a"] * 4)
    assert metrics.agreement(labels, np.array(["a", "a", "b", "b"]))["nmi"] == 1.0
    # any 1-D iterable, as before: a generator, a dict's values
    assert metrics.agreement(labels, (c for c in "aabb"))["nmi"] == 1.0
    assert metrics.agreement(labels, dict(enumerate("aabb")).values())["nmi"] == 1.0
