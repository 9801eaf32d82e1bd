"""Run the notebooks (tests, ``make notebooks``): parameters injected, outputs rendered."""

from __future__ import annotations

import sys
from pathlib import Path


def execute(path, parameters: dict | None = None, *, timeout: int = 900):
    """Execute a notebook in its folder; ``parameters`` go in a cell after the tagged one."""
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    if parameters:
        source = "\n".join(f"{k} = {v!r}" for k, v in parameters.items())
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = ["injected-parameters"]
        at = next(
            (i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])), -1
        )
        nb.cells.insert(at + 1, cell)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return nb


def render(src: str, dest: str) -> None:
    """Execute every notebook of ``src`` and write HTML copies with outputs to ``dest``."""
    import os

    from nbconvert import HTMLExporter

    from ._io import atomic_write_text

    out = Path(dest)
    # Figures as HTML, plotly.js inlined once per notebook: the copies work offline.
    os.environ["PLOTLY_RENDERER"] = "notebook"
    for path in sorted(Path(src).glob("*.ipynb")):
        print(f"running {path} ...", flush=True)
        nb = execute(path)
        html, _ = HTMLExporter().from_notebook_node(nb)
        atomic_write_text(out / f"{path.stem}.html", html)
        print(f"  wrote {out / (path.stem + '.html')}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "render":
        sys.exit("usage: python -m trends._notebooks render NOTEBOOKS_DIR OUT_DIR")
    render(sys.argv[2], sys.argv[3])
