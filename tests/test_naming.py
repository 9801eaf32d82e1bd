"""Offline theme names: stems, duplicates, acronym case, with and without embeddings."""

import numpy as np
import pytest
from conftest import synthetic_corpus

from trends import naming


def _hash_embed(texts, dims=64):
    """A stand-in embedder for phrases and papers alike: hashed bag of word stems."""
    out = np.zeros((len(texts), dims), dtype=np.float32)
    for i, text in enumerate(texts):
        for stem in naming.stems(text):
            out[i, hash(stem) % dims] += 1.0
    out[out.sum(axis=1) == 0, 0] = 1.0
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_word_stems_join_plurals_and_acronym_plurals():
    assert naming.word_stem("networks") == naming.word_stem("network")
    assert naming.word_stem("DNNs") == naming.word_stem("dnn")
    assert naming.word_stem("LLMs") == naming.word_stem("LLM")
    assert naming.word_stem("virus") == naming.word_stem("viruses")
    assert naming.repeats_stem("DNNs and DNN")
    assert naming.repeats_stem("Agents for multi-agent systems")
    assert not naming.repeats_stem("Spiking neural networks")


def test_is_name_rules():
    assert naming.is_name("Differentiable architecture search")
    assert not naming.is_name("one two three four five six seven")
    assert not naming.is_name("x" * 49)
    assert not naming.is_name("Networks of networks")
    assert not naming.is_name("  ")


def test_phrases_keep_acronym_case_and_are_noun_phrases():
    texts = [
        "We propose a novel LLM agent. The LLM agents use tools.",
        "LLM agents plan with tools. We study NeRF rendering of scenes.",
        "NeRF rendering is fast. Sparse MoE layers route tokens.",
        "MoE layers scale LLM training. NeRF rendering needs GPUs.",
    ]
    phrases = naming.phrase_counts(texts)
    shown = set(phrases.shown.tolist())
    assert {"LLM agents", "NeRF rendering", "MoE layers"} <= shown
    # no phrase begins or ends with the words of every abstract
    assert not any(p.split()[0].lower() in naming.WEAK for p in shown)
    assert not any(p.split()[-1].lower() in naming.WEAK for p in shown)
    assert naming.heading("NeRF rendering") == "NeRF rendering"
    assert naming.heading("spiking neural networks") == "Spiking neural networks"


def test_chunks_stop_at_stop_words_and_punctuation():
    runs = naming.chunks("Training of spiking neural networks, on Loihi's chips.")
    assert ["spiking", "neural", "networks"] in [[w.lower() for w in r] for r in runs]
    assert all("of" not in [w.lower() for w in r] for r in runs)


@pytest.mark.parametrize("with_embed", [False, True])
def test_theme_names_are_valid_unique_and_reproducible(with_embed):
    frame, _, truth = synthetic_corpus(n_per_theme=25)
    texts = frame["text"].tolist()
    kwargs = {"embeddings": _hash_embed(texts), "embed": _hash_embed} if with_embed else {}
    table = naming.name_themes(texts, truth, **kwargs)
    again = naming.name_themes(texts, truth, **kwargs)
    assert table.equals(again)
    names = table["name"].tolist()
    assert len(names) == 4 and len(set(names)) == 4
    assert all(naming.is_name(n) for n in names)
    keys = [frozenset(naming.stems(n)) for n in names]
    assert len(set(keys)) == len(keys)
    # each theme's name comes from its own words
    for theme, words in enumerate(
        [
            "qubit entanglement quantum circuit decoherence superconducting gate error",
            "image segmentation pixels convolutional detection camera object bounding",
            "token language translation grammar corpus sentence parsing lexical",
            "protein gene cell genome sequencing enzyme molecular tissue",
        ]
    ):
        own = {naming.word_stem(w) for w in words.split()}
        assert set(naming.stems(names[theme])) & own, names[theme]
    assert all(d.count(" · ") >= 2 for d in table["description"])


def test_names_never_repeat_a_stem_across_merged_spellings():
    texts = [
        f"DNN accelerators and DNNs on chips {i}. DNN accelerators run DNNs." for i in range(6)
    ]
    texts += [f"Graph neural networks for molecules {i}. Graph networks." for i in range(6)]
    labels = np.array([0] * 6 + [1] * 6)
    table = naming.name_themes(texts, labels)
    for name in table["name"]:
        assert not naming.repeats_stem(name), name


def test_a_theme_without_phrases_falls_back():
    texts = ["alpha beta gamma"] * 5 + ["zeta one", "eta two"]
    labels = np.array([0] * 5 + [1, 1])
    table = naming.name_themes(texts, labels, fallback={1: "zeta · eta"})
    assert table.set_index("theme_id").loc[1, "name"] == "Zeta · eta"  # a heading


def test_words_of_any_alphabet_are_words():
    # Letters outside A-Z are part of their word ("Schrödinger", not "Schr" and "dinger").
    assert naming.chunks("Solving the Schrödinger equation with naïve Bayes.") == [
        ["Solving"],
        ["Schrödinger", "equation"],
        ["naïve", "Bayes"],
    ]
    # Names in other alphabets have stems of their own, so two of them are not "the same
    # name" and get no "(N)" (before: every non-Latin name had no stems at all).
    assert naming.stems("функция потерь") == ["функция", "потерь"]
    texts = [f"нейронные сети обучение модели функция потерь {i}." for i in range(6)]
    texts += [f"Faltungsnetze Objekterkennung Kamerabilder Segmentierung {i}." for i in range(6)]
    texts += [f"الترجمة الآلية النماذج اللغوية النصوص {i}." for i in range(6)]
    table = naming.name_themes(texts, np.repeat([0, 1, 2], 6))
    assert not any(name.endswith(")") for name in table["name"]), table["name"].tolist()
    assert len({frozenset(naming.stems(n)) for n in table["name"]}) == 3


def test_no_phrase_of_zero_words():
    """max_words=0 gave no phrase before the per-word cache, and gave every word after."""
    from trends.naming import phrase_counts

    texts = ["Graph neural networks for molecules.", "Graph neural networks for proteins."] * 2
    assert phrase_counts(texts, max_words=0).counts.shape[1] == 0
    assert phrase_counts(texts, max_words=1).counts.shape[1] > 0
