"""The theme table as HTML, for Jupyter's rich display of a fitted model."""

from __future__ import annotations

import html


def themes_html(model, *, max_rows: int = 50) -> str:
    """An escaped HTML table of the model's themes (name, size, share, keywords)."""
    themes = model.themes_
    rows = []
    for row in themes.head(max_rows).itertuples(index=False):
        rows.append(
            "<tr>"
            f"<td>{int(row.theme_id)}</td>"
            f"<td>{html.escape(str(getattr(row, 'name', row.label)))}</td>"
            f"<td style='text-align:right'>{int(row.size)}</td>"
            f"<td style='text-align:right'>{row.share:.1%}</td>"
            f"<td>{html.escape(', '.join(row.keywords[:8]))}</td>"
            "</tr>"
        )
    more = len(themes) - max_rows
    tail = f"<p>… and {more} more themes</p>" if more > 0 else ""
    n_papers = int(themes["size"].sum())
    return (
        f"<div><p><b>ThemeModel</b>: {model.n_themes_} themes in {n_papers} papers</p>"
        "<table><thead><tr><th>theme</th><th>name</th><th>papers</th><th>share</th>"
        "<th>keywords</th></tr></thead><tbody>" + "".join(rows) + f"</tbody></table>{tail}</div>"
    )
