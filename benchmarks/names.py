"""Theme names and the theme tree against BERTopic's, side by side, in one run.

On the bundled corpus, BBC and the arXiv sample of ``benchmarks/quality.py`` (its own
sampling function), each seed's `trends.ThemeModel` partition is named three ways:

1. the keyword triple (``themes_.label``, the names before issue 12),
2. BERTopic's default ``Name`` (its top-4 c-TF-IDF words, ``0_a_b_c_d`` without the
   number and underscores), computed by BERTopic itself on the same partition
   (``BaseCluster`` + ``y=labels``, ``BaseDimensionalityReduction``),
3. the new names (``themes_.name``, `trends.naming`).

**Name retrieval**: each name is embedded with the bundled MiniLM; for every paper in a
theme, are the names ranked by cosine similarity to the paper's own embedding, and is
its own theme's name first (top-1 accuracy); MRR is the mean reciprocal rank of its
theme's name. Also counted per naming: names with a word stem said twice, duplicated
names, names over 6 words.

**The tree**: the 5-group cut of the tree (`ThemeModel.themes_at(5)`) against the 5
reference classes (BBC) or primary categories (arXiv), NMI (outliers count as one more
group, as in quality.py), side by side with plain ``BERTopic(embedding_model=<the same
MiniLM object>)`` on the same embeddings followed by ``reduce_topics(nr_topics=5)``.

Medians over 3 seeds (ours) and 5 unseeded runs (BERTopic). Embeddings come from the
default cache (`trends.embed.EmbeddingCache`); nothing is embedded twice. Writes
``reports/benchmarks/names.md`` (a ``--quick`` run writes only where ``--out`` says).

    python benchmarks/names.py            # all three corpora
    python benchmarks/names.py --quick    # one seed, 2 BERTopic runs (a smoke test)

Note: the new names are chosen, among readable candidate phrases, by how well they rank
their own theme's papers (`trends.naming`), so the retrieval figures measure what the
names are built for; the keyword triple and BERTopic's words are not tuned to it.
"""

from __future__ import annotations

import argparse
import re
import time

import numpy as np
from _common import median, minilm, results_path, table
from quality import arxiv, bbc

SEEDS = [42, 43, 44]
BERTOPIC_RUNS = 5
TARGETS = (
    "retrieval top-1: new names >= keyword triple + 0.10 on every corpus and >= BERTopic's "
    "top-4 words; at most 6 words; repeated stems, duplicates, names over 6 words: 0; "
    "tree NMI (5 groups) >= BERTopic reduce_topics(5) + 0.05"
)
_MODEL = {}


def _minilm():
    if "m" not in _MODEL:
        _MODEL["m"] = minilm()
    return _MODEL["m"]


def embed(texts):
    from trends.embed import EmbeddingCache, SentenceTransformerEmbedder, embed_texts

    return embed_texts(list(texts), SentenceTransformerEmbedder(), EmbeddingCache(), progress=False)


def bundled():
    from trends.datasets import trending_papers

    return "bundled trending papers (192)", trending_papers(), None


def retrieval(paper_vectors, labels, names: dict) -> tuple[float, float]:
    """Top-1 accuracy and MRR of each paper's own theme name among all names."""
    ids = sorted(names)
    vectors = embed([names[t] for t in ids])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    col = {t: i for i, t in enumerate(ids)}
    inside = labels >= 0
    sims = paper_vectors[inside] @ vectors.T
    own = np.array([col[t] for t in labels[inside]])
    ranks = 1 + (sims > sims[np.arange(len(own)), own][:, None]).sum(axis=1)
    return float(np.mean(ranks == 1)), float(np.mean(1.0 / ranks))


def rule_breaks(names: dict) -> dict:
    from trends.naming import MAX_WORDS, repeats_stem

    shown = list(names.values())
    return {
        "stems": sum(repeats_stem(n) for n in shown),
        "dups": len(shown) - len({n.casefold() for n in shown}),
        "long": sum(len(n.split()) > MAX_WORDS for n in shown),
        "words": max(len(n.split()) for n in shown),
    }


def bertopic_names(texts, vectors, labels) -> dict:
    """BERTopic's default topic names for a given partition (its top-4 words)."""
    from bertopic import BERTopic
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction

    model = BERTopic(
        embedding_model=_minilm(),
        umap_model=BaseDimensionalityReduction(),
        hdbscan_model=BaseCluster(),
    )
    topics, _ = model.fit_transform(texts, embeddings=vectors, y=labels)
    out = {}
    for t, topic in zip(labels.tolist(), topics, strict=True):
        if t >= 0 and t not in out:
            name = model.topic_labels_[topic]
            out[t] = " ".join(re.sub(r"^-?\d+_", "", name).split("_"))
    return out


def bertopic_tree_nmi(texts, vectors, reference) -> float:
    from bertopic import BERTopic
    from sklearn.metrics import normalized_mutual_info_score

    model = BERTopic(embedding_model=_minilm())
    model.fit_transform(texts, embeddings=vectors)
    model.reduce_topics(texts, nr_topics=5)
    return float(normalized_mutual_info_score(reference, np.asarray(model.topics_)))


def evaluate(name, df, reference, seeds, bertopic_runs):
    from sklearn.metrics import normalized_mutual_info_score

    import trends

    texts = df.text.astype(str).tolist()
    vectors = embed(texts)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    runs = {"triple": [], "bertopic": [], "new": []}
    breaks = {"triple": [], "bertopic": [], "new": []}
    tree, themes, seconds, first = [], [], [], None
    for seed in seeds:
        t0 = time.perf_counter()
        model = trends.ThemeModel(random_state=seed, verbose=False).fit(df)
        seconds.append(model.timings_.get("names", float("nan")))
        labels = model.labels_
        real = model.themes_[model.themes_.theme_id >= 0]
        named = {
            "triple": dict(zip(real.theme_id.astype(int), real.label, strict=True)),
            "bertopic": bertopic_names(texts, vectors, labels),
            "new": dict(zip(real.theme_id.astype(int), real.name, strict=True)),
        }
        for key, names in named.items():
            runs[key].append(retrieval(vectors, labels, names))
            breaks[key].append(rule_breaks(names))
        themes.append(model.n_themes_)
        if reference is not None and model.n_themes_ >= 5:
            groups = model.themes_at(5)
            member = {
                t: g for g, ms in zip(groups.theme_id, groups.members, strict=True) for t in ms
            }
            cut = np.array([member.get(int(t), -1) for t in labels])
            tree.append(float(normalized_mutual_info_score(reference, cut)))
        if first is None:
            first = model
        print(
            f"  {name} seed {seed}: {model.n_themes_} themes, "
            + ", ".join(f"{k} {runs[k][-1][0]:.3f}/{runs[k][-1][1]:.3f}" for k in runs)
            + (f", tree NMI {tree[-1]:.3f}" if tree else "")
            + f" ({time.perf_counter() - t0:.0f} s)",
            flush=True,
        )
    peer = []
    if reference is not None:
        for run in range(bertopic_runs):
            peer.append(bertopic_tree_nmi(texts, vectors, reference))
            print(f"  {name} BERTopic run {run}: reduce_topics(5) NMI {peer[-1]:.3f}", flush=True)
    rows = []
    for key, label in (
        ("triple", "keyword triple (label)"),
        ("bertopic", "BERTopic Name (top-4 words)"),
        ("new", "new names (name)"),
    ):
        rows.append(
            {
                "naming": label,
                "top-1": f"{median([r[0] for r in runs[key]]):.3f}",
                "MRR": f"{median([r[1] for r in runs[key]]):.3f}",
                "max words": str(max(b["words"] for b in breaks[key])),
                "repeated stems": str(max(b["stems"] for b in breaks[key])),
                "duplicates": str(max(b["dups"] for b in breaks[key])),
                "over 6 words": str(max(b["long"] for b in breaks[key])),
            }
        )
    gain = median([n[0] - t[0] for n, t in zip(runs["new"], runs["triple"], strict=True)])
    summary = {
        "themes": f"{median(themes):.0f}",
        "gain": gain,
        "tree": median(tree) if tree else None,
        "peer": median(peer) if peer else None,
        "tree_runs": tree,
        "peer_runs": peer,
        "names_seconds": median(seconds),
    }
    return rows, summary, first


def names_list(model) -> str:
    lines = []
    for row in model.themes_.itertuples():
        if row.theme_id < 0:
            continue
        lines.append(
            f"| {row.theme_id} | {row.name} | {row.size} | {row.description} | {row.label} |"
        )
    return "\n".join(
        ["| # | name | papers | description | keyword triple |", "|---|---|---|---|---|"] + lines
    )


def tree_list(model, n: int) -> str:
    groups = model.themes_at(n)
    names = dict(zip(model.themes_.theme_id, model.themes_.name, strict=True))
    lines = []
    for row in groups.itertuples():
        if row.theme_id < 0:
            continue
        lines.append(
            f"- **{row.name}** ({row.size} papers): " + "; ".join(names[t] for t in row.members)
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one seed, 2 BERTopic runs")
    parser.add_argument(
        "--out",
        help="where to write the results (default: reports/benchmarks/names.md; none for --quick)",
    )
    args = parser.parse_args()
    out = results_path(args.out, "names.md", ["--quick"] if args.quick else [])
    seeds = SEEDS[:1] if args.quick else SEEDS
    bertopic_runs = 2 if args.quick else BERTOPIC_RUNS
    sections = [
        "# Theme names and the theme tree\n",
        "Written by `python benchmarks/names.py` (see its docstring for the method). "
        f"Seeds {seeds} for `trends.ThemeModel`; {bertopic_runs} unseeded BERTopic runs. "
        "Medians over seeds; rule counts are the worst seed.\n",
        f"Targets: {TARGETS}.\n",
    ]
    tree_rows = []
    shown = {}
    for loader in (bundled, bbc, lambda: arxiv(False)):
        name, df, reference = loader()
        print(f"{name}: {len(df)} papers", flush=True)
        rows, summary, model = evaluate(name, df, reference, seeds, bertopic_runs)
        cols = [
            "naming",
            "top-1",
            "MRR",
            "max words",
            "repeated stems",
            "duplicates",
            "over 6 words",
        ]
        text = table(rows, cols)
        print(text)
        print(f"new - triple (top-1, median of per-seed gains): {summary['gain']:+.3f}")
        sections.append(
            f"## {name}\n\n{summary['themes']} themes (median); names computed in "
            f"{summary['names_seconds']:.1f} s (median, names and tree, this machine)."
            f"\n\n{text}\n\n"
            f"New names minus keyword triple, top-1 (median of per-seed gains): "
            f"{summary['gain']:+.3f}.\n"
        )
        if summary["tree"] is not None:
            tree_rows.append(
                {
                    "corpus": name,
                    "trends themes_at(5)": f"{summary['tree']:.3f}",
                    "BERTopic reduce_topics(5)": f"{summary['peer']:.3f}",
                    "difference": f"{summary['tree'] - summary['peer']:+.3f}",
                    "runs (ours / BERTopic)": ", ".join(f"{x:.3f}" for x in summary["tree_runs"])
                    + " / "
                    + ", ".join(f"{x:.3f}" for x in summary["peer_runs"]),
                }
            )
        shown[name] = model
    if tree_rows:
        cols = ["corpus", "trends themes_at(5)", "BERTopic reduce_topics(5)", "difference"]
        cols.append("runs (ours / BERTopic)")
        text = table(tree_rows, cols)
        print(text)
        sections.append(f"## The tree: 5 groups against the 5 reference classes (NMI)\n\n{text}\n")
    for name, model in shown.items():
        sections.append(
            f"## Names of {name} (seed {seeds[0]})\n\n{names_list(model)}\n\n"
            f"Cut into 5 groups:\n\n{tree_list(model, min(5, model.n_themes_))}\n"
        )
    if out is not None:
        from trends._io import atomic_write_text

        atomic_write_text(out, "\n".join(sections))
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
