"""Progress bars of the long stages, in a terminal or in Jupyter (``tqdm.auto``).

Two kinds: `each_paper` counts the papers a stage reads once, in order, with the time
left; `step` names a stage whose length cannot be told in advance while it runs, and
shows the time it took.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence


def each_paper(texts: Sequence[str], desc: str, progress: bool) -> Sequence[str] | Iterator[str]:
    """``texts``, or (with ``progress``) an iterator over them that moves a bar of ``desc``.

    For a stage that reads every text once, in order (a scikit-learn vectoriser's
    ``fit_transform``): the bar counts the papers read and tells the time left.
    """
    if not progress:
        return texts
    return _counted(texts, desc)


def _counted(texts: Sequence[str], desc: str) -> Iterator[str]:
    from tqdm.auto import tqdm

    with tqdm(texts, total=len(texts), desc=desc, unit="paper") as bar:
        yield from bar


class step:
    """A one-step progress bar for a stage whose length cannot be told in advance.

    It names the stage while it runs and shows the time it took (tqdm's elapsed time).
    """

    def __init__(self, desc: str, progress: bool):
        self.desc, self.progress = desc, progress

    def __enter__(self):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=1, desc=self.desc, disable=not self.progress)
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.bar.update(1)
        self.bar.close()
