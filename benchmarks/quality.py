"""Theme quality against peers on labelled corpora, side by side, in one run.

On the same corpus and the same cached MiniLM embeddings, fits
1. `trends.ThemeModel` with its defaults (the consensus of `trends.cluster.default_runs`
   runs: 25 on these corpora), once per seed,
2. plain ``BERTopic(embedding_model=<the same MiniLM>)`` with BERTopic's defaults
   (``top_n_words=25`` so that 25 keywords exist for the diversity score; it changes no
   theme), unseeded as its users run it, as many times,
3. scikit-learn's ``LatentDirichletAllocation`` with as many topics as (2) found in its
   median run, on a stop-word ``CountVectorizer``, each document assigned its most
   probable topic, once per seed,
scores every run, and prints one table per corpus with the median and the range
(min-max) of each metric over the runs, then writes them to
``reports/benchmarks/quality.md``. The targets are judged on the medians: one run of an
unseeded, sometimes bimodal peer (plain BERTopic on arXiv) is a coin flip.

Corpora: BBC news (5 classes) and two arXiv samples, 3,000 papers each from the 5 largest
primary categories of ``arxiv_daily/`` (March-June 2025) and of ``arxiv_daily_2025h2/``
(July-December 2025), drawn with ``random_state=0``; the reference label of a paper is
its primary category.

Conventions: themes exclude -1; NMI/ARI/homogeneity count -1 as one more cluster; NPMI is
gensim's ``CoherenceModel(coherence="c_npmi")`` over each theme's first 10 distinct keyword
words (bigrams split, words outside the reference dictionary dropped), the corpus tokenised
by ``CountVectorizer(stop_words="english").build_analyzer()`` (checked against
`trends.metrics.npmi_coherence`); diversity is the distinct share of all themes' top-25
terms; stability is the mean pairwise ARI between the runs (one figure per tool); fit time
excludes embedding (the same cached vectors for all).

    python benchmarks/quality.py             # BBC + both arXiv samples, 5 runs per tool
    python benchmarks/quality.py --runs 7    # more runs
    python benchmarks/quality.py --full      # all arXiv papers of the 5 largest categories
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from _common import corpora, median, results_path, table

TARGETS = (
    "median NMI >= BERTopic's + 0.05, median NPMI >= BERTopic's, median diversity >= 0.80, "
    "stability >= 0.90, median outliers <= 15%"
)
_MINILM = {}


def bbc():
    import trends

    df = trends.load(corpora() / "bbc_news.csv.gz")
    return "BBC news (5 classes)", df, df["label"].to_numpy()


def arxiv(full: bool, folder: str = "arxiv_daily"):
    """The 5 largest primary categories of an arXiv folder; unless ``full``, 3,000 of them.

    The sample is drawn with ``random_state=0`` from the papers of those categories.
    """
    import trends

    df = trends.load(corpora() / folder)
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
    name = (
        f"arXiv feed {folder}/, {len(df):,} papers in the 5 largest primary categories "
        f"({', '.join(top5)})"
    )
    return name, df, primary.to_numpy()


def embeddings(df):
    from trends.embed import EmbeddingCache, SentenceTransformerEmbedder, embed_texts

    return embed_texts(
        df.text.tolist(), SentenceTransformerEmbedder(), EmbeddingCache(), progress=True
    )


def fit_ours(df, emb, seed):
    import trends

    t0 = time.perf_counter()
    model = trends.ThemeModel(random_state=seed, verbose=False)
    model.fit(df, embeddings=emb)
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


def score(labels, kw, reference, tokens, vocab, seconds):
    """The figures of one run."""
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
        "fit_s": seconds,
        "npmi_check": float(np.nanmax(np.abs(gensim_scores - ours))) if len(ours) else 0.0,
    }


def summarise(tool, fits, reference, tokens, vocab):
    """Median, range and all run values of each metric over the runs; stability."""
    from trends import metrics

    scores = [score(labels, kw, reference, tokens, vocab, s) for labels, kw, s in fits]
    out = {"tool": tool, "runs": len(fits)}
    for key in scores[0]:
        values = [sc[key] for sc in scores]
        out[key] = median(values)
        out[f"{key}_range"] = (min(values), max(values))
    out["stability"] = metrics.stability([f[0] for f in fits])
    return out


def evaluate(name, df, reference, runs: int):
    from trends import metrics

    print(f"\n== {name}: embedding (cached after the first run)", flush=True)
    emb = embeddings(df)
    tokens = metrics.tokenize(df.text.tolist())
    vocab = {w for doc in tokens for w in doc}
    seeds = list(range(42, 42 + runs))
    rows, results = [], {}
    for tool, fitter in (("trends (defaults)", fit_ours), ("BERTopic (defaults)", fit_bertopic)):
        fits = []
        for seed in seeds:
            fits.append(fitter(df, emb, seed))
            print(
                f"   {tool}, run {len(fits)}: {metrics.theme_count(fits[-1][0])} themes", flush=True
            )
        results[tool] = summarise(tool, fits, reference, tokens, vocab)
        rows.append(results[tool])
    n_topics = int(round(results["BERTopic (defaults)"]["themes"]))
    fits = [fit_lda(df, n_topics, seed) for seed in seeds]
    rows.append(summarise(f"LDA ({n_topics} topics)", fits, reference, tokens, vocab))
    ours, peer = results["trends (defaults)"], results["BERTopic (defaults)"]
    checks = {
        "NMI >= BERTopic + 0.05": ours["nmi"] >= peer["nmi"] + 0.05,
        "NPMI >= BERTopic": ours["npmi"] >= peer["npmi"],
        "diversity >= 0.80": ours["diversity"] >= 0.80,
        "stability >= 0.90": ours["stability"] >= 0.90,
        "outliers <= 15%": ours["outliers"] <= 0.15,
    }
    return rows, checks


def cells(rows):
    """Each metric as ``median (min-max)``, stability and run count as they are."""

    def fmt(v):
        return f"{v:.3f}" if abs(v) < 100 else f"{v:.0f}"

    out = []
    for r in rows:
        row = {"tool": r["tool"], "runs": r["runs"], "stability": r["stability"]}
        for key in METRICS:
            lo, hi = r[f"{key}_range"]
            if key == "themes":
                row[key] = f"{r[key]:g} ({lo}-{hi})"
            else:
                row[key] = f"{fmt(r[key])} ({fmt(lo)}-{fmt(hi)})"
        out.append(row)
    return out


METRICS = ["themes", "outliers", "nmi", "ari", "homogeneity", "npmi", "diversity", "fit_s"]
COLUMNS = ["tool", "runs", *METRICS[:-1], "stability", "fit_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="whole arXiv folders, not samples")
    parser.add_argument("--runs", type=int, default=5, help="runs (seeds) per tool, >= 2")
    parser.add_argument(
        "--out",
        help="where to write the results (default: reports/benchmarks/quality.md; "
        "none with fewer runs than 5)",
    )
    args = parser.parse_args()
    out = results_path(args.out, "quality.md", [f"--runs {args.runs}"] if args.runs < 5 else [])
    if args.runs < 2:
        parser.error("--runs must be at least 2 (stability compares runs)")
    sections = []
    for name, df, reference in (
        bbc(),
        arxiv(args.full, "arxiv_daily"),
        arxiv(args.full, "arxiv_daily_2025h2"),
    ):
        rows, checks = evaluate(name, df, reference, args.runs)
        text = table(cells(rows), COLUMNS)
        worst = max(max(r["npmi_check_range"]) for r in rows)
        verdict = "; ".join(f"{k}: {'met' if ok else 'MISSED'}" for k, ok in checks.items())
        print(f"\n{name}\n{text}\ntargets for trends (medians): {verdict}", flush=True)
        print(f"NPMI check: gensim c_npmi and trends.metrics differ by at most {worst:.2e}")
        sections.append(
            f"## {name}\n\n{text}\n\nTargets for trends' defaults (on medians): {verdict}.\n\n"
            f"NPMI check: gensim `c_npmi` and `trends.metrics.npmi_coherence` differ by at most "
            f"{worst:.1e}.\n"
        )
    from trends._io import atomic_write_text

    header = (
        "# Theme quality against peers\n\n"
        "Written by `benchmarks/quality.py`"
        + (" --full" if args.full else "")
        + f" on {pd.Timestamp.now():%Y-%m-%d} (2-core machine, same cached all-MiniLM-L6-v2 "
        f"embeddings for every tool), {args.runs} runs per tool: trends with seeds 42, 43, ..., "
        "plain BERTopic unseeded (its defaults), LDA with seeds. Each cell is the median over "
        "the runs and, in brackets, their range (min-max). Columns: themes (excluding "
        "outliers), outlier share, NMI, ARI and homogeneity against the reference labels "
        "(-1 as one more cluster), NPMI coherence of the top-10 keyword words (gensim "
        "c_npmi), diversity of the top-25 keywords, stability (mean pairwise ARI between "
        "the runs), fit time in seconds (embedding excluded).\n\n"
        f"Targets: {TARGETS}.\n\n"
    )
    if out is not None:
        atomic_write_text(out, header + "\n".join(sections))
        print(f"\nwritten: {out}")


if __name__ == "__main__":
    main()
