"""The theme tree: themes merged into broader fields, as BERTopic's ``hierarchical_topics``.

Two themes are near when their centres are (cosine distance of the mean embeddings) and
when their phrases are (cosine distance of their class-based TF-IDF profiles over the
candidate phrases of `trends.naming`); the tree is the average-linkage merge of the
themes under the mean of the two distances (scipy). Cutting it after ``k - n`` merges
gives ``n`` groups (`groups_at`). Every inner node is named as a theme is, from the
union of its papers, against the other groups of the cut in which it is formed.

The table (`build_hierarchy`) is tidy: one row per node, leaves (the themes, ``node_id``
= theme id) first, then the inner nodes in merge order (ids ``k, k+1, ...``), the root
last. Outliers are in no node.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import naming as _naming
from ._numbers import is_whole

HIERARCHY_COLUMNS = [
    "node_id",
    "parent",
    "level",
    "name",
    "description",
    "size",
    "children",
    "themes",
    "distance",
]
# Weight of the embedding distance against the phrase-profile distance (0.5: the mean;
# on BBC the 5-group cut scores NMI 0.67 by phrases alone, 0.86 with both).
CENTRE_WEIGHT = 0.5


def theme_distances(centroids, profiles) -> np.ndarray:
    """(k, k) distances between themes: mean of centre and phrase-profile cosine distances.

    Parameters
    ----------
    centroids : array-like, shape (k, d)
        The themes' centres.
    profiles : array-like, shape (k, n_phrases)
        Each theme's class-based TF-IDF weights.
    """
    c = _naming._unit(centroids)
    p = np.asarray(profiles, dtype=np.float64)
    p = p / np.maximum(np.linalg.norm(p, axis=1, keepdims=True), 1e-12)
    dist = CENTRE_WEIGHT * (1 - c @ c.T) + (1 - CENTRE_WEIGHT) * (1 - p @ p.T)
    dist = np.clip((dist + dist.T) / 2, 0.0, None)
    np.fill_diagonal(dist, 0.0)
    return dist


def merge_tree(distances) -> np.ndarray:
    """Average-linkage merges of the themes, scipy's linkage matrix, shape (k - 1, 4)."""
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform

    distances = np.asarray(distances, dtype=np.float64)
    if len(distances) < 2:
        return np.zeros((0, 4))
    # Rounded so that float noise in the embeddings cannot reorder near-equal merges.
    return linkage(squareform(np.round(distances, 6), checks=False), method="average")


def build_hierarchy(
    labels,
    embeddings,
    phrases: _naming.Phrases,
    theme_names: dict,
    *,
    embed=None,
    settings: _naming.NameSettings | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """The merge tree of the themes as a tidy table, every inner node named.

    Parameters
    ----------
    labels : array-like of int, shape (n_papers,)
        Theme of each paper, ``-1`` for outliers; themes are ``0..k-1``.
    embeddings : array-like, shape (n_papers, d)
        The papers' embeddings (the themes' centres are their means).
    phrases : trends.naming.Phrases
        Candidate phrases of the papers (`trends.naming.phrase_counts`).
    theme_names : dict
        ``{theme: name}``: the leaves' names, which inner nodes may not repeat.
    embed : callable, optional
        Embeds name candidates, as in `trends.naming.group_names`.
    settings : trends.naming.NameSettings, optional
    progress : bool
        A bar of the inner nodes named ("Theme tree").

    Returns
    -------
    pandas.DataFrame
        ``node_id``, ``parent`` (-1 for the root), ``level`` (depth, root 0), ``name``,
        ``description``, ``size`` (papers), ``children`` (node ids), ``themes`` (the
        theme ids below), ``distance`` (the merge height; 0 for a theme).
    """
    import scipy.sparse as sp
    from tqdm.auto import tqdm

    labels = np.asarray(labels, dtype=np.int64)
    k = int(labels.max()) + 1 if (labels >= 0).any() else 0
    if k == 0:
        return pd.DataFrame(columns=HIERARCHY_COLUMNS)
    emb = _naming._unit(embeddings)
    inside = np.flatnonzero(labels >= 0)
    membership = sp.csr_matrix(
        (np.ones(len(inside)), (labels[inside], inside)), shape=(k, len(labels))
    )
    sizes = np.asarray(membership.sum(axis=1)).ravel().astype(int)
    centres = np.asarray(membership @ emb)
    support = np.asarray((membership @ phrases.counts).todense())
    profiles = _naming.ctfidf(support) if support.shape[1] else np.zeros((k, 1))
    tree = merge_tree(theme_distances(centres, profiles))
    vectors = _naming.Vectors(embed) if embed is not None else None

    nodes = {
        t: {
            "node_id": t,
            "parent": -1,
            "name": theme_names.get(t, f"Theme {t}"),
            "description": "",
            "size": int(sizes[t]),
            "children": [],
            "themes": [t],
            "distance": 0.0,
        }
        for t in range(k)
    }
    group = np.where(labels >= 0, labels, -1)  # each paper's group in the current cut
    names = {t: nodes[t]["name"] for t in range(k)}
    used = list(names.values())
    for m, (a, b, height, _) in enumerate(
        tqdm(tree, desc="Theme tree", unit="node", disable=not progress)
    ):
        a, b, node = int(a), int(b), k + m
        for child in (a, b):
            nodes[child]["parent"] = node
        group[np.isin(group, [a, b])] = node
        fixed = {g: names[g] for g in set(group.tolist()) if g not in (-1, node)}
        named = _naming.group_names(
            phrases,
            group,
            targets=[node],
            embeddings=emb,
            embed=vectors,
            fixed=fixed,
            reserved=used,
            settings=settings,
        )
        name, description = named[node]
        name = _naming.unique_name(name or names[a], {_naming._key(x) for x in used}, node)
        names[node] = name
        used.append(name)
        del names[a], names[b]
        nodes[node] = {
            "node_id": node,
            "parent": -1,
            "name": name,
            "description": " · ".join(description),
            "size": nodes[a]["size"] + nodes[b]["size"],
            "children": sorted([a, b], key=lambda c: (-nodes[c]["size"], c)),
            "themes": sorted(nodes[a]["themes"] + nodes[b]["themes"]),
            "distance": round(float(height), 6),
        }
    columns = [c for c in HIERARCHY_COLUMNS if c != "level"]
    table = pd.DataFrame([nodes[i] for i in sorted(nodes)], columns=columns)
    parent = dict(zip(table.node_id, table.parent, strict=True))

    def depth(node: int) -> int:
        d = 0
        while parent[node] != -1:
            node, d = parent[node], d + 1
        return d

    table.insert(2, "level", [depth(int(i)) for i in table.node_id])
    return table.reset_index(drop=True)


def groups_at(hierarchy: pd.DataFrame, n: int) -> dict[int, int]:
    """``{theme id: node id}``: the ``n`` groups of the tree cut after ``k - n`` merges.

    Parameters
    ----------
    hierarchy : pandas.DataFrame
        From `build_hierarchy`.
    n : int
        Number of groups, from 1 to the number of themes.
    """
    leaves = hierarchy[hierarchy.children.map(len) == 0]
    k = len(leaves)
    if not (is_whole(n) and 1 <= n <= max(k, 1)):
        from .errors import InputError

        raise InputError(f"n must be an integer from 1 to the number of themes ({k}), got {n!r}")
    # Nodes formed by the first k - n merges (ids below 2k - n) whose parent comes later.
    last = 2 * k - n
    out = {}
    parent = dict(zip(hierarchy.node_id.astype(int), hierarchy.parent.astype(int), strict=True))
    for theme in leaves.node_id.astype(int):
        node = theme
        while parent[node] != -1 and parent[node] < last:
            node = parent[node]
        out[int(theme)] = int(node)
    return out


def default_cuts(k: int) -> list[int]:
    """Group counts shown between the root and the themes: about √k, and k/3 past 30 themes."""
    cuts = {max(2, round(k**0.5))}
    if k > 30:
        cuts.add(round(k / 3))
    return sorted(c for c in cuts if 1 < c < k)


def tree_frame(hierarchy: pd.DataFrame, *, cuts=None) -> pd.DataFrame:
    """The tree as the chart shows it: the root, the groups of a few cuts, the themes.

    A binary merge tree of 40 themes is 20 levels deep; the chart keeps the groups of
    the cuts into ``cuts`` groups (`default_cuts` by default) and the themes.

    Parameters
    ----------
    hierarchy : pandas.DataFrame
        From `build_hierarchy`.
    cuts : sequence of int, optional
        Group counts of the levels between the root and the themes.

    Returns
    -------
    pandas.DataFrame
        One row per node shown, parents before children: ``id`` and ``parent`` (strings,
        ``""`` for the root), ``node_id``, ``name``, ``description``, ``size``,
        ``share`` (of the papers in themes), ``depth``, ``theme_id`` (the theme of a
        leaf, else -1), ``color_theme`` (the theme whose colour the node takes: its
        largest).
    """
    columns = ["id", "parent", "node_id", "name", "description", "size", "share", "depth"]
    columns += ["theme_id", "color_theme"]
    if hierarchy.empty:
        return pd.DataFrame(columns=columns)
    nodes = hierarchy.set_index("node_id")
    leaves = sorted(int(i) for i in hierarchy.node_id[hierarchy.children.map(len) == 0])
    k = len(leaves)
    root = int(hierarchy.node_id[hierarchy.parent == -1].iloc[0])
    cuts = default_cuts(k) if cuts is None else sorted(c for c in set(cuts) if 1 < c < k)
    by_cut = [groups_at(hierarchy, c) for c in cuts]
    sizes = dict(zip(hierarchy.node_id.astype(int), hierarchy["size"].astype(int), strict=True))
    total = sizes[root] or 1
    rows: dict[int, dict] = {}
    for theme in leaves:
        chain = [root] + [groups[theme] for groups in by_cut] + [theme]
        chain = [n for i, n in enumerate(chain) if i == 0 or n != chain[i - 1]]
        for depth, node in enumerate(chain):
            if node in rows:
                continue
            members = nodes.loc[node, "themes"]
            rows[node] = {
                "id": f"n{node}",
                "parent": f"n{chain[depth - 1]}" if depth else "",
                "node_id": node,
                "name": str(nodes.loc[node, "name"]),
                "description": str(nodes.loc[node, "description"]),
                "size": sizes[node],
                "share": sizes[node] / total,
                "depth": depth,
                "theme_id": node if node in leaves and node != root or k == 1 else -1,
                "color_theme": min(members, key=lambda t: (-sizes[t], t)),
            }
    frame = pd.DataFrame(list(rows.values()), columns=columns)
    return frame.sort_values(
        ["depth", "size", "node_id"], ascending=[True, False, True]
    ).reset_index(drop=True)


def report_section(report) -> dict | None:
    """The report's "Fields" section: the tree chart and the themes grouped by field.

    ``report`` is a `trends.report.ReportInput`. The fields are the groups of the first
    cut of `default_cuts` (about √k groups); a model without a tree (fewer than three
    themes, or fitted before issue 12) has no such section.
    """
    from .charts import theme_tree
    from .charts._style import theme_color

    tree = getattr(report.model, "hierarchy_", None)
    k = report.model.n_themes_
    if tree is None or tree.empty or k < 3:
        return None
    named = tree.copy()
    # A namer may have renamed the themes: the leaves show the names the report shows.
    named["name"] = [
        report.names.get(int(node), name) if not children else name
        for node, name, children in zip(named.node_id, named.name, named.children, strict=True)
    ]
    frame = tree_frame(named)
    fig = theme_tree(frame, title=None)
    # A click on a box filters the paper explorer: a theme by its id, a field by the ids
    # of its themes (the root, all papers, filters nothing).
    themes_of = dict(zip(named.node_id.astype(int), named.themes, strict=True))
    targets = [
        int(t) if t >= 0 else (None if not parent else sorted(int(x) for x in themes_of[node]))
        for t, node, parent in zip(frame.theme_id, frame.node_id, frame.parent, strict=True)
    ]
    data = fig.data[0].customdata
    fig.update_traces(
        customdata=[[row[0], row[1], target] for row, target in zip(data, targets, strict=True)],
        meta={"filter": "theme", "customdata_index": 2},
    )
    n_fields = (default_cuts(k) or [k])[0]
    fields = report.model.themes_at(n_fields)
    themes = {t["theme_id"]: t for t in report.themes}
    total = max(1, len(report.model.labels_))
    groups = []
    for row in fields[fields.theme_id >= 0].itertuples():
        members = [themes[int(t)] for t in row.members if int(t) in themes]
        groups.append(
            {
                "name": str(row.name),
                "description": str(row.description),
                "size": int(row.size),
                "share": float(row.size) / total,
                "color": theme_color(int(min(row.members, key=lambda t: (-themes[t]["size"], t)))),
                "themes": [
                    {
                        "theme_id": m["theme_id"],
                        "name": m["name"],
                        "size": m["size"],
                        "share": m["share"],
                        "color": m["color"],
                        "description": str(
                            report.model.themes_.set_index("theme_id").loc[
                                m["theme_id"], "description"
                            ]
                        )
                        if "description" in report.model.themes_.columns
                        else "",
                    }
                    for m in members
                ],
            }
        )
    return {"figures": {"tree-icicle": fig}, "fields": groups, "n_fields": len(groups)}
