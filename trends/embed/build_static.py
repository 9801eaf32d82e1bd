"""Build the static model shipped for ``embedding="static"`` (maintainers only).

    python -m trends.embed.build_static ../shared/corpora/arxiv_daily

1. model2vec distils the bundled all-MiniLM-L6-v2 (no PCA): one vector per token of its
   vocabulary, from one forward pass each.
2. The token vectors are tuned so that the mean of a paper's token vectors points where
   MiniLM's own sentence vector of that paper points (cosine loss, the approach of
   model2vec's tokenlearn). The teacher vectors are MiniLM's, read from the embedding
   cache (``trends.embed.embed_texts`` computes those missing). Papers of the
   quality benchmark's arXiv sample are left out (``--exclude-sample``), so that the
   benchmark measures papers the model was not tuned on; its second arXiv sample is of a
   later period, entirely unseen.
3. The tuned table is projected on the principal directions of the papers' vectors
   (``--dims``) and stored as int8 with one scale per token, in model2vec's format.

Plain distillation keeps ~68% of MiniLM's theme NMI on the arXiv 2025H1 sample; tuning
brings it to ~96% (100% on 2025H2 papers, above MiniLM on BBC news;
``reports/benchmarks/embed_speed.md``), which is why the tuned table is shipped rather
than distilled on each machine. The shipped file was built with ``--cached-only`` (the
10,908 papers whose MiniLM vectors were cached then).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

SHIPPED = Path(__file__).resolve().parent / "data" / "static-minilm"


def _token_ids(model, texts: list[str], max_length: int) -> list[list[int]]:
    model._set_max_length_in_tokenizer(max_length)  # the same cut as StaticModel.encode
    try:
        return model.tokenize([t[: max_length * model.median_token_length] for t in texts])
    finally:
        model._set_max_length_in_tokenizer(model.max_length)


def tune(
    model,
    texts: list[str],
    teacher: np.ndarray,
    *,
    epochs: int = 4,
    lr: float = 0.01,
    batch: int = 64,
    max_length: int = 512,
    seed: int = 0,
    log=print,
) -> np.ndarray:
    """Token vectors (vocabulary x dims) whose means match ``teacher`` rows in cosine."""
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    ids = _token_ids(model, texts, max_length)
    keep = np.array([i for i, t in enumerate(ids) if t])
    held_out = rng.permutation(keep)[: max(1, len(keep) // 20)]
    train = np.setdiff1d(keep, held_out)
    table = torch.nn.EmbeddingBag.from_pretrained(
        torch.tensor(np.asarray(model.embedding, dtype=np.float32)),
        freeze=False,
        mode="mean",
        sparse=True,
    )
    target = torch.nn.functional.normalize(torch.tensor(teacher, dtype=torch.float32), dim=1)
    optimiser = torch.optim.SparseAdam(table.parameters(), lr=lr)

    def bag(rows):
        flat = torch.tensor([t for i in rows for t in ids[i]], dtype=torch.long)
        offsets = torch.tensor(np.cumsum([0] + [len(ids[i]) for i in rows[:-1]]))
        return table(flat, offsets)

    def agreement(rows) -> float:
        with torch.no_grad():
            return float(torch.nn.functional.cosine_similarity(bag(rows), target[rows]).mean())

    log(f"held-out cosine to MiniLM before tuning: {agreement(held_out):.3f}")
    for epoch in range(epochs):
        order = rng.permutation(train)
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            loss = 1 - torch.nn.functional.cosine_similarity(bag(rows), target[rows]).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        log(f"epoch {epoch + 1}/{epochs}: held-out cosine {agreement(held_out):.3f}")
    return table.weight.detach().numpy()


def compress(model, table: np.ndarray, texts: list[str], dims: int) -> tuple[np.ndarray, ...]:
    """``table`` projected on the papers' ``dims`` principal directions, int8 + row scales."""
    model.embedding = table
    docs = model.encode(texts, max_length=512, use_multiprocessing=False).astype(np.float64)
    _, _, vt = np.linalg.svd(docs - docs.mean(0), full_matrices=False)
    projected = table @ vt[:dims].T.astype(np.float32)
    scale = np.abs(projected).max(axis=1) / 127
    scale[scale == 0] = 1.0
    quantised = np.rint(projected / scale[:, None]).astype(np.int8)
    return quantised, scale.astype(np.float32)


def build(texts: list[str], teacher: np.ndarray, out: Path, *, dims: int = 256, **kw) -> None:
    """Distil, tune on ``texts``/``teacher``, compress, write a model2vec folder to ``out``."""
    from model2vec import StaticModel

    from .static import StaticEmbedder

    base = StaticEmbedder(model="distill", pca_dims=None).load()
    table = tune(base, texts, teacher, **kw)
    quantised, scale = compress(base, table, texts[:5000], dims)
    config = dict(
        base.config,
        tokenizer_name="sentence-transformers/all-MiniLM-L6-v2",  # not this machine's path
        hidden_dim=dims,
        apply_pca=dims,
        trends_tuned_on=len(texts),
    )
    model = StaticModel(
        vectors=quantised,
        weights=scale,
        tokenizer=base.tokenizer,
        config=config,
        normalize=True,
        base_model_name="all-MiniLM-L6-v2",
    )
    model.save_pretrained(str(out))
    for extra in ("README.md", "modules.json"):  # model cards and sentence-transformers glue
        (out / extra).unlink(missing_ok=True)


def main() -> None:
    """The command line: tune on the given sources, write the shipped model folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="+", help="papers to tune on (trends.load sources)")
    parser.add_argument(
        "--exclude-sample",
        help="leave out the quality benchmark's 3,000-paper sample of this folder "
        "(default: the first source)",
    )
    parser.add_argument(
        "--cached-only",
        action="store_true",
        help="tune only on papers whose MiniLM vectors are already in the embedding cache",
    )
    parser.add_argument("--out", default=str(SHIPPED))
    parser.add_argument("--dims", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=4)
    args = parser.parse_args()

    import trends

    from . import EmbeddingCache, SentenceTransformerEmbedder, embed_texts

    corpus = trends.load(*args.sources)
    held_out = args.exclude_sample or args.sources[0]
    if held_out:
        held = trends.load(held_out)
        primary = held.categories.map(lambda c: c[0] if len(c) else None)
        held = held[primary.isin(primary.value_counts().index[:5]).to_numpy()]
        held = held.reset_index(drop=True).sample(3000, random_state=0)
        corpus = corpus[~corpus.doc_id.isin(set(held.doc_id))]
    texts = corpus.text.tolist()
    if args.cached_only:
        found = EmbeddingCache().get(SentenceTransformerEmbedder().identity, texts)
        texts = [t for t, v in zip(texts, found, strict=True) if v is not None]
    teacher = embed_texts(texts, SentenceTransformerEmbedder(), EmbeddingCache())
    build(texts, teacher, Path(args.out), dims=args.dims, epochs=args.epochs)
    print(f"written: {args.out} (tuned on {len(texts):,} papers)")


if __name__ == "__main__":
    main()
