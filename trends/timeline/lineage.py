"""What became of each theme at each refit of a store: continued, split, merged, new, ended.

A store keeps, for every run, which theme each paper was in. Between two refits, the
papers a theme held just before the refit (its fit and the daily placements since) are
followed to the themes they are in after it: these *flows* are the links of the
lineage Sankey (`trends.charts.lineage`). A theme whose papers go in large parts
(``min_share``, 10% by default) to two or more themes *split*; a theme that takes large
parts of two or more *merged*; a theme keeping its id with one large successor
*continued*; a theme the store numbered anew *appeared*; an old theme with no successor
holding ``min_share`` of its papers *ended*. Papers first seen at the refit come from
"new papers". `lineage_events` names each theme once on each side of a refit.
"""

from __future__ import annotations

import pandas as pd

from .._tables import checked_table
from ..errors import InputError
from .shares import checked_store

NEW_PAPERS = -2  # the source node of papers first placed by a refit
MIN_SHARE = 0.1
# The columns of `lineage_flows`' table that `lineage_events` reads (the chart, two more).
FLOW_COLUMNS = (
    "step",
    "to_date",
    "from_theme",
    "to_theme",
    "from_label",
    "to_label",
    "from_share",
    "to_share",
)


def lineage_flows(store, *, min_share: float = MIN_SHARE) -> pd.DataFrame:
    """Paper flows between the themes of consecutive refits of ``store``.

    Parameters
    ----------
    store : trends.store.Store
    min_share : float
        The share of a theme's papers that makes another theme its successor (or
        predecessor), for the split/merge calls.

    Returns
    -------
    pandas.DataFrame
        ``step`` (1 for the first refit after the first fit), ``from_run``, ``to_run``,
        ``to_date`` (when the refit ran), ``from_theme`` (-1: outliers, -2: papers
        first seen at the refit), ``to_theme``, ``from_label``, ``to_label``,
        ``papers``, ``from_share`` (of the old theme's papers), ``to_share`` (of the new
        theme's papers), ``kind`` (``continued``, ``split``, ``merged``, ``appeared``,
        ``moved``). Empty before a store's second fit.
    """
    if not all(hasattr(store, name) for name in ("runs", "assignments", "lineage")):
        raise InputError(
            f"lineage_flows takes a store (trends.store.Store(path)), not a {type(store).__name__}"
        )
    checked_store(store)
    runs = store.runs()
    fits = runs.loc[runs.kind == "fit", ["run_id", "created_at"]].to_numpy().tolist()
    frames = []
    for step, ((prev, _), (fit, when)) in enumerate(zip(fits[:-1], fits[1:], strict=True), start=1):
        before = store.assignments(int(fit) - 1)
        after = store.assignments(int(fit))
        old = dict(zip(before.doc_id, before.theme_id.astype(int), strict=True))
        pairs = pd.DataFrame(
            {
                "from_theme": [old.get(d, NEW_PAPERS) for d in after.doc_id],
                "to_theme": after.theme_id.astype(int).to_numpy(),
            }
        )
        flows = pairs.groupby(["from_theme", "to_theme"]).size().rename("papers").reset_index()
        flows["from_share"] = flows.papers / flows.groupby("from_theme").papers.transform("sum")
        flows["to_share"] = flows.papers / flows.groupby("to_theme").papers.transform("sum")
        old_names = _names(store, int(prev))
        new_names = _names(store, int(fit))
        lineage = store.lineage()
        born = set(
            lineage.loc[(lineage.run_id == fit) & (lineage.kind == "new"), "new_theme_id"]
            .dropna()
            .astype(int)
        )
        flows["kind"] = _kinds(flows, born, min_share)
        flows.insert(0, "step", step)
        flows.insert(1, "from_run", int(prev))
        flows.insert(2, "to_run", int(fit))
        flows.insert(3, "to_date", pd.Timestamp(when))
        flows["from_label"] = flows.from_theme.map(old_names).fillna("")
        flows["to_label"] = flows.to_theme.map(new_names).fillna("")
        frames.append(flows)
    columns = [
        "step", "from_run", "to_run", "to_date", "from_theme", "to_theme", "from_label",
        "to_label", "papers", "from_share", "to_share", "kind",
    ]  # fmt: skip
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def _names(store, run_id: int) -> dict[int, str]:
    themes = store.themes(run_id)
    names = dict(zip(themes.theme_id.astype(int), themes.label.astype(str), strict=True))
    names.setdefault(-1, "Outliers")
    names[NEW_PAPERS] = "New papers"
    return names


def _kinds(flows: pd.DataFrame, born: set[int], min_share: float) -> list[str]:
    big_out = flows[
        (flows.from_share >= min_share) & (flows.from_theme >= 0) & (flows.to_theme >= 0)
    ]
    splits = set(big_out.groupby("from_theme").size().loc[lambda s: s >= 2].index)
    big_in = flows[(flows.to_share >= min_share) & (flows.from_theme >= 0) & (flows.to_theme >= 0)]
    merges = set(big_in.groupby("to_theme").size().loc[lambda s: s >= 2].index)
    out = []
    for r in flows.itertuples():
        if r.from_theme in splits and r.from_share >= min_share and r.to_theme >= 0:
            out.append("split")
        elif r.to_theme in merges and r.to_share >= min_share and r.from_theme >= 0:
            out.append("merged")
        elif r.from_theme == r.to_theme and r.from_theme >= 0:
            out.append("continued")
        elif r.to_theme in born:
            out.append("appeared")
        else:
            out.append("moved")
    return out


def lineage_events(flows, *, min_share: float = MIN_SHARE) -> pd.DataFrame:
    """One row per theme and refit: how it came to be, or what became of it.

    Each theme after a refit gets one event from its *predecessors* (the themes before it
    that make up ``min_share`` or more of its papers): ``continued`` (one, with its id),
    ``merged`` (two or more) or ``appeared`` (none, or one whose id it did not keep:
    ``into`` then names that one). Each theme before the refit whose papers go in large
    parts to two or more themes ``split``; one with no such successor ``ended``. Any
    other theme before the refit is in the ``into`` of its successor's event, so no
    theme is counted twice on either side of a refit.

    Parameters
    ----------
    flows : pandas.DataFrame or trends.store.Store
        From `lineage_flows`, or the store itself.
    min_share : float

    Returns
    -------
    pandas.DataFrame
        ``step, to_date, theme_id, label, event`` (``continued``, ``split``, ``merged``,
        ``appeared``, ``ended``) and ``into`` (the successor or predecessor ids).
    """
    if not isinstance(flows, pd.DataFrame):
        flows = lineage_flows(flows, min_share=min_share)
    flows = checked_table(
        flows, "lineage_events", FLOW_COLUMNS, "trends.timeline.lineage_flows(store), or the store"
    )
    rows = []
    for step, part in flows.groupby("step", sort=True):
        when = part.to_date.iloc[0]
        real = part[(part.from_theme >= 0) & (part.to_theme >= 0)]
        for new, group in part[part.to_theme >= 0].groupby("to_theme"):
            pred = sorted(
                group.loc[(group.to_share >= min_share) & (group.from_theme >= 0), "from_theme"]
                .astype(int)
                .tolist()
            )
            label = group.to_label.iloc[0]
            if len(pred) >= 2:
                event = "merged"
            elif pred == [int(new)]:
                event = "continued"
            else:
                event = "appeared"
            rows.append((step, when, int(new), label, event, pred))
        for old, group in part[part.from_theme >= 0].groupby("from_theme"):
            succ = real[(real.from_theme == old) & (real.from_share >= min_share)]
            label = group.from_label.iloc[0]
            if len(succ) >= 2:
                rows.append((step, when, int(old), label, "split", sorted(succ.to_theme.tolist())))
            elif len(succ) == 0:
                rows.append((step, when, int(old), label, "ended", []))
    out = pd.DataFrame(rows, columns=["step", "to_date", "theme_id", "label", "event", "into"])
    return out.sort_values(["step", "event", "theme_id"]).reset_index(drop=True)
