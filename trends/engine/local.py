"""The local engine: everything runs in this process (the default)."""

from __future__ import annotations

import numpy as np


class LocalEngine:
    """Embeds with `trends.embed.embed_texts` and places with `trends.cluster.place`, here."""

    name = "local"

    def embed(self, texts: list[str], embedder, cache, *, progress: bool = False) -> np.ndarray:
        """Vectors of ``texts``, shape (n, d): cached ones read, the others computed and cached."""
        from ..embed import embed_texts

        return embed_texts(texts, embedder, cache, progress=progress)

    def embed_and_place(
        self,
        texts: list[str],
        embedder,
        cache,
        centroids: np.ndarray,
        thresholds: np.ndarray,
        *,
        progress: bool = False,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Unit vectors of ``texts`` and the theme each is placed in (-1: none)."""
        from ..cluster import place
        from ..fit import unit_rows

        vectors = unit_rows(self.embed(texts, embedder, cache, progress=progress))
        return vectors, place(vectors, centroids, thresholds)
