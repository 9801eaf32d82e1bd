"""Theme quality against peers on labelled corpora, side by side, in one run.

On the same corpus and the same cached MiniLM embeddings, fits
1. `trends.ThemeModel` with its defaults,
2. plain ``BERTopic(embedding_model=<the same MiniLM>)`` with BERTopic's defaults
   (``top_n_words=25`` so that 25 keywords exist for the diversity score; it changes no
   theme),
3. scikit-learn's ``LatentDirichletAllocation`` with as many topics as (2) found, on a
   stop-word ``CountVectorizer``, each document assigned its most probable topic,
and prints one table per corpus, then writes them to ``reports/benchmarks/quality.md``.

Conventions: themes exclude -1; NMI/ARI/homogeneity count -1 as one more cluster; NPMI is
gensim's ``CoherenceModel(coherence="c_npmi")`` over each theme's first 10 distinct keyword
words (bigrams split, words outside the reference dictionary dropped), the corpus tokenised
by ``CountVectorizer(stop_words="english").build_analyzer()`` (checked against
`trends.metrics.npmi_coherence`); diversity is the distinct share of all themes' top-25
terms; stability is the mean pairwise ARI of 3 runs (3 seeds; plain BERTopic: 3 runs of its
unseeded defaults); fit time excludes embedding (the same cached vectors for all).

    python benchmarks/quality.py           # BBC (2,095 articles) + a 3,000-paper arXiv sample
    python benchmarks/quality.py --full    # all arXiv papers of the 5 largest categories
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _common import ROOT, corpora, median, table

SEEDS = [42, 43, 44]
TARGETS = (
    "NMI >= BERTopic + 0.05, NPMI >= BERTopic, diversity >= 0.80, stability >= 0.85, "
    "outliers <= 15%"
)
_MINILM = {}


def bbc():
    import trends

    df = trends.load(corpora() / "bbc_news.csv.gz")
    return "BBC news (5 classes)", df, df["label"].to_numpy()


def arxiv(full: bool):
    import trends

    df = trends.load(corpora() / "arxiv_daily")
    primary = df.categories.map(lambda c: c[0] if len(c) else None)
    top5 = primary.value_counts().index[:5]
    keep = primary.isin(top5).to_numpy()
    df, primary = df[keep].reset_index(drop=True), primary[keep].reset_index(drop=True)
    if not full:
        sample = df.sample(3000, random_state=0).index.sort_values()
        df, primary = (
            df.loc[sample].reset_index(drop=True),
            primary.loc[sample].reset_index(drop=True),
        )
    name = f"arXiv feed, {len(df):,} papers in the 5 largest primary categories ({', '.join(top5)})"
    return name, df, primary.to_numpy()


def embeddings(df):
    from trends.embed import EmbeddingCache, SentenceTransformerEmbedder, embed_texts

    return embed_texts(
        df.text.tolist(), SentenceTransformerEmbedder(), EmbeddingCache(), progress=True
    )


def fit_ours(df, emb, seed):
    import trends

    t0 = time.perf_counter()
    model = trends.ThemeModel(random_state=seed, verbose=False).fit(df, embeddings=emb)
    seconds = time.perf_counter() - t0
    kw = {t: [w for w, _ in words] for t, words in model.keyword_weights_.items() if t != -1}
    return model.labels_, kw, seconds


def fit_bertopic(df, emb, seed):
    from _common import minilm
    from bertopic import BERTopic

    if "minilm" not in _MINILM:
        _MINILM["minilm"] = minilm()
    t0 = time.perf_counter()
    model = BERTopic(embedding_model=_MINILM["minilm"], top_n_words=25)
    topics, _ = model.fit_transform(df.text.tolist(), embeddings=emb)
    seconds = time.perf_counter() - t0
    kw = {t: [w for w, _ in model.get_topic(t)] for t in set(topics) if t != -1}
    return np.asarray(topics), kw, seconds


def fit_lda(df, n_topics, seed):
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer

    t0 = time.perf_counter()
    vec = CountVectorizer(stop_words="english", min_df=2)
    counts = vec.fit_transform(df.text.tolist())
    lda = LatentDirichletAllocation(n_components=n_topics, random_state=seed, n_jobs=1)
    doc_topic = lda.fit_transform(counts)
    seconds = time.perf_counter() - t0
    terms = vec.get_feature_names_out()
    kw = {t: [terms[i] for i in np.argsort(-lda.components_[t])[:25]] for t in range(n_topics)}
    return doc_topic.argmax(axis=1), kw, seconds


def gensim_npmi(topics_words, tokens):
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    topics_words = [t for t in topics_words if len(t) >= 2]
    cm = CoherenceModel(
        topics=topics_words,
        texts=tokens,
        dictionary=Dictionary(tokens),
        coherence="c_npmi",
        processes=1,
    )
    return np.array(cm.get_coherence_per_topic()), topics_words


def score(labels, kw, reference, tokens, vocab, runs, seconds):
    from trends import metrics

    ids = sorted(t for t in kw if t != -1 and np.any(labels == t))
    words = [metrics.keyword_words(kw[t], vocab, top_n=10) for t in ids]
    gensim_scores, used = gensim_npmi(words, tokens)
    ours = metrics.npmi_coherence(used, tokens)
    agree = metrics.agreement(labels, reference)
    return {
        "themes": metrics.theme_count(labels),
        "outliers": metrics.outlier_share(labels),
        "nmi": agree["nmi"],
        "ari": agree["ari"],
        "homogeneity": agree["homogeneity"],
        "npmi": float(np.nanmean(gensim_scores)),
        "diversity": metrics.topic_diversity([kw[t] for t in ids], top_n=25),
        "stability": metrics.stability(runs),
        "fit_s": median(seconds),
        "npmi_check": float(np.nanmax(np.abs(gensim_scores - ours))) if len(ours) else 0.0,
    }


def evaluate(name, df, reference):
    from trends import metrics

    print(f"\n== {name}: embedding (cached after the first run)", flush=True)
    emb = embeddings(df)
    tokens = metrics.tokenize(df.text.tolist())
    vocab = {w for doc in tokens for w in doc}
    rows = []
    results = {}
    for tool, fitter in (("trends (defaults)", fit_ours), ("BERTopic (defaults)", fit_bertopic)):
        fits = [fitter(df, emb, seed) for seed in SEEDS]
        print(f"   {tool}: {[metrics.theme_count(f[0]) for f in fits]} themes", flush=True)
        labels, kw, _ = fits[0]
        results[tool] = score(
            labels, kw, reference, tokens, vocab, [f[0] for f in fits], [f[2] for f in fits]
        )
        rows.append({"tool": tool, **results[tool]})
    n_topics = results["BERTopic (defaults)"]["themes"]
    fits = [fit_lda(df, n_topics, seed) for seed in SEEDS]
    labels, kw, _ = fits[0]
    rows.append(
        {
            "tool": f"LDA ({n_topics} topics)",
            **score(
                labels, kw, reference, tokens, vocab, [f[0] for f in fits], [f[2] for f in fits]
            ),
        }
    )
    ours, peer = results["trends (defaults)"], results["BERTopic (defaults)"]
    checks = {
        "NMI >= BERTopic + 0.05": ours["nmi"] >= peer["nmi"] + 0.05,
        "NPMI >= BERTopic": ours["npmi"] >= peer["npmi"],
        "diversity >= 0.80": ours["diversity"] >= 0.80,
        "stability >= 0.85": ours["stability"] >= 0.85,
        "outliers <= 15%": ours["outliers"] <= 0.15,
    }
    return rows, checks


COLUMNS = [
    "tool",
    "themes",
    "outliers",
    "nmi",
    "ari",
    "homogeneity",
    "npmi",
    "diversity",
    "stability",
    "fit_s",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the whole arXiv feed, not a sample")
    parser.add_argument("--out", default=str(ROOT / "reports" / "benchmarks" / "quality.md"))
    args = parser.parse_args()
    sections = []
    for name, df, reference in (bbc(), arxiv(args.full)):
        rows, checks = evaluate(name, df, reference)
        text = table(rows, COLUMNS)
        worst = max(r["npmi_check"] for r in rows)
        verdict = "; ".join(f"{k}: {'met' if ok else 'MISSED'}" for k, ok in checks.items())
        print(f"\n{name}\n{text}\ntargets for trends: {verdict}")
        print(f"NPMI check: gensim c_npmi and trends.metrics differ by at most {worst:.2e}")
        sections.append(
            f"## {name}\n\n{text}\n\nTargets for trends' defaults: {verdict}.\n\n"
            f"NPMI check: gensim `c_npmi` and `trends.metrics.npmi_coherence` differ by at most "
            f"{worst:.1e}.\n"
        )
    from trends._io import atomic_write_text

    header = (
        "# Theme quality against peers\n\n"
        "Written by `benchmarks/quality.py`"
        + (" --full" if args.full else "")
        + f" on {pd.Timestamp.now():%Y-%m-%d} (2-core machine, same cached all-MiniLM-L6-v2 "
        "embeddings for every tool). Columns: themes (excluding outliers), outlier share, NMI, "
        "ARI and homogeneity against the reference labels (-1 as one more cluster), NPMI "
        "coherence of the top-10 keyword words (gensim c_npmi), diversity of the top-25 "
        "keywords, stability (mean pairwise ARI over 3 seeds/runs), median fit time in "
        f"seconds (embedding excluded).\n\nTargets: {TARGETS}.\n\n"
    )
    atomic_write_text(Path(args.out), header + "\n".join(sections))
    print(f"\nwritten: {args.out}")


if __name__ == "__main__":
    main()
