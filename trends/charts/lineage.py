"""How themes continued, split, merged, appeared and ended across a store's refits: a Sankey."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .._tables import checked_table
from ._style import OUTLIER_COLOR, figure, label, theme_color

KIND_COLORS = {
    "continued": "rgba(0, 114, 178, 0.35)",
    "split": "rgba(230, 159, 0, 0.55)",
    "merged": "rgba(204, 121, 167, 0.55)",
    "appeared": "rgba(0, 158, 115, 0.45)",
    "moved": "rgba(150, 150, 150, 0.30)",
}


def lineage(
    data,
    *,
    min_papers: int = 3,
    min_share: float = 0.05,
    title: str | None = "Themes across refits",
    prefix: str = "#",
) -> go.Figure:
    """Sankey of the papers flowing between the themes of consecutive refits.

    Parameters
    ----------
    data : trends.store.Store or pandas.DataFrame
        A store, or its flows (`trends.timeline.lineage_flows`).
    min_papers, min_share : int, float
        Leave out flows of fewer papers, or holding a smaller share of both their
        themes (the outliers' churn, single papers moving).
    prefix : str
        Before each theme id in the node names (the report writes the store's ids as
        ``S12``, apart from its own fit's ``#12``).
    """
    from ..timeline.lineage import FLOW_COLUMNS, lineage_flows

    if isinstance(data, pd.DataFrame):
        flows = checked_table(
            data,
            "lineage",
            (*FLOW_COLUMNS, "papers", "kind"),
            "trends.timeline.lineage_flows(store), or give it the store itself",
        )
    else:
        flows = lineage_flows(data)
    keep = (flows.papers >= min_papers) & (
        (flows.from_share >= min_share) | (flows.to_share >= min_share)
    )
    flows = flows[keep]
    fig = figure(title=title, height=max(360, 16 * len(flows) + 160))
    if flows.empty:
        fig.add_annotation(
            text="No refit after the first fit yet: nothing to follow.",
            showarrow=False,
            x=0.5,
            y=0.5,
            xref="paper",
            yref="paper",
        )
        return fig
    nodes: dict[tuple[int, int], int] = {}
    labels, colors, xs = [], [], []
    last_step = int(flows.step.max())

    def node(column: int, theme: int, theme_name: str) -> int:
        key = (column, theme)
        if key not in nodes:
            nodes[key] = len(labels)
            name = (
                "New papers"
                if theme == -2
                else ("Outliers" if theme == -1 else f"{prefix}{theme} {theme_name}")
            )
            labels.append(label(name, 36))
            colors.append(OUTLIER_COLOR if theme < 0 else theme_color(theme))
            xs.append(0.01 + 0.98 * column / max(1, last_step))
        return nodes[key]

    source, target, value, link_colors, custom = [], [], [], [], []
    for r in flows.itertuples():
        source.append(node(int(r.step) - 1, int(r.from_theme), r.from_label))
        target.append(node(int(r.step), int(r.to_theme), r.to_label))
        value.append(int(r.papers))
        link_colors.append(KIND_COLORS.get(r.kind, KIND_COLORS["moved"]))
        custom.append([r.kind, f"{r.from_share:.0%}", pd.Timestamp(r.to_date).strftime("%Y-%m-%d")])
    fig.add_trace(
        go.Sankey(
            arrangement="snap",
            node={
                "label": labels,
                "color": colors,
                "x": xs,
                "pad": 8,
                "thickness": 14,
                "hovertemplate": "%{label}: %{value} papers<extra></extra>",
            },
            link={
                "source": source,
                "target": target,
                "value": value,
                "color": link_colors,
                "customdata": custom,
                "hovertemplate": (
                    "%{source.label} → %{target.label}<br>%{value} papers "
                    "(%{customdata[1]} of the first), %{customdata[0]}, refit of "
                    "%{customdata[2]}<extra></extra>"
                ),
            },
        )
    )
    return fig
