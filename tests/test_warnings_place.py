"""The package's warnings name the user's line, from any depth; on the command line, one line."""

import warnings

import numpy as np
from typer.testing import CliRunner

import trends
from trends.cli import app


def _fit_with_zero_vectors(frame, emb):
    emb = emb.copy()
    emb[:3] = 0.0  # three papers the backend knows nothing of
    return trends.ThemeModel(embedding="tfidf", verbose=False, cache_dir=False).fit(
        frame, embeddings=emb
    )


def test_a_warning_deep_in_the_fit_names_the_users_line(synthetic):
    # before: "trends/fit.py:464: UserWarning: 3 paper(s) have an embedding of length zero",
    # and Python's default filter, which shows a warning once per place, keyed it to the
    # package's line for every caller
    frame, emb, _ = synthetic
    for call in (lambda: _fit_with_zero_vectors(frame, emb), lambda: helper(frame, emb)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call()
        (zero,) = [w for w in caught if "length zero" in str(w.message)]
        assert zero.filename == __file__, zero.filename


def helper(frame, emb):
    return _fit_with_zero_vectors(frame, emb)


def test_the_command_line_still_shows_them_on_one_line(tmp_path, synthetic):
    frame, emb, _ = synthetic
    path = tmp_path / "p.csv"
    frame.assign(abstract="@@@@ " * 3).iloc[:12].to_csv(path, index=False)
    result = CliRunner().invoke(app, ["themes", str(path), "-e", "tfidf", "-q"])
    lines = [line for line in result.output.splitlines() if "warning" in line.lower()]
    assert lines and all(line.startswith("trends: warning: ") for line in lines), result.output
    assert np.all(["Warning:" not in line for line in lines])
