"""A store never loses papers, never half-writes, and says what is wrong in one line."""

import threading
import time

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import trends
from trends.cli import app
from trends.errors import InputError, StoreError
from trends.store import Store


class StandIn:
    """A cacheable embedding backend that looks texts up in the synthetic corpus' vectors."""

    cacheable = True

    def __init__(self, frame, emb, *, identity="stand-in", fail=False, delay=0.0):
        self.table = dict(zip(frame.text, emb, strict=True))
        self.identity = identity
        self.fail = fail
        self.delay = delay

    def encode(self, texts, *, progress=True):
        if self.fail:
            raise RuntimeError("the embedding service is down")
        time.sleep(self.delay)
        return np.vstack([self.table[t] for t in texts])


@pytest.fixture
def parts(synthetic):
    frame, emb, _ = synthetic
    order = np.random.default_rng(0).permutation(len(frame))
    first, second = order[:100], order[100:]
    return (
        frame,
        emb,
        frame.iloc[first].reset_index(drop=True),
        frame.iloc[second].reset_index(drop=True),
    )


def model(frame, emb, **kwargs):
    backend = StandIn(frame, emb, **{k: kwargs.pop(k) for k in ("fail", "delay") if k in kwargs})
    return trends.ThemeModel(embedding=backend, verbose=False, **kwargs)


def test_a_failing_embedder_loses_nothing(tmp_path, parts):
    frame, emb, first, second = parts
    path = tmp_path / "s.sqlite"
    with Store(path, cache_dir=tmp_path / "cache") as store:
        with pytest.raises(RuntimeError, match="down"):
            store.update(first, model=model(frame, emb, fail=True), verbose=False)
        assert not path.exists()  # the first update failed: no store was created
        store.update(first, model=model(frame, emb), verbose=False)
        before = (len(store.papers()), len(store.snapshots()), len(store.runs()))
        with pytest.raises(RuntimeError, match="down"):
            store.update(second, model=model(frame, emb, fail=True), verbose=False)
        assert (len(store.papers()), len(store.snapshots()), len(store.runs())) == before
        result = store.update(second, model=model(frame, emb), verbose=False)
        assert result.n_new == len(second)  # nothing was marked as known by the failure
        assert len(store.papers()) == len(frame)
        placed = store.assignments().set_index("doc_id").theme_id
        assert set(placed.index) == set(frame.doc_id)


def test_other_parameters_than_the_store_are_refused_then_accepted(tmp_path, parts):
    frame, emb, first, second = parts
    with Store(tmp_path / "s.sqlite", cache_dir=tmp_path / "cache") as store:
        store.update(first, model=model(frame, emb), verbose=False)
        recorded = store.meta("model_params")
        assert recorded["random_state"] == 42 and recorded["embedding"] == "stand-in"
        with pytest.raises(StoreError, match=r"random_state=42 \(asked 7\).*new_params=True"):
            store.update(second, model=model(frame, emb, random_state=7), verbose=False)
        assert len(store.snapshots()) == 1
        result = store.update(
            second, model=model(frame, emb, random_state=7), new_params=True, verbose=False
        )
        assert result.refitted and result.reason == "asked"
        assert store.meta("model_params")["random_state"] == 7
        # the same parameters again: accepted, nothing new
        again = store.update(second, model=model(frame, emb, random_state=7), verbose=False)
        assert again.n_new == 0 and not again.refitted


def test_update_clones_the_model_it_is_given(tmp_path, parts):
    frame, emb, first, _ = parts
    given = model(frame, emb)
    with Store(tmp_path / "s.sqlite", cache_dir=tmp_path / "cache") as store:
        store.update(first, model=given, verbose=False)
    assert not hasattr(given, "labels_")


def test_bad_updates_leave_no_store_behind(tmp_path, parts):
    frame, emb, first, _ = parts
    path = tmp_path / "new.sqlite"
    store = Store(path)
    with pytest.raises(InputError, match="not 'tfidf'"):
        store.update(first, model=trends.ThemeModel(embedding="tfidf"), verbose=False)
    with pytest.raises(InputError, match="0 papers"):
        store.update(first.head(0), model=model(frame, emb), verbose=False)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "is a folder"),
        (b"just some notes\n", "not a trends store"),
        (b"SQLite format 3\x00" + b"\x07" * 200, "cannot open the store"),
    ],
)
def test_what_is_not_a_store_is_refused_in_one_line(tmp_path, content, message):
    path = tmp_path / "s.sqlite"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    with pytest.raises(StoreError, match=message):
        Store(path)
    result = CliRunner().invoke(app, ["update", str(path), str(tmp_path / "missing.csv"), "-q"])
    assert result.exit_code == 2  # the missing input is reported first, in one line
    assert "Traceback" not in result.output


def test_cli_reports_a_bad_store_in_one_line(tmp_path, data):
    path = tmp_path / "s.sqlite"
    path.write_text("not a database")
    result = CliRunner().invoke(app, ["update", str(path), str(data / "custom.csv")])
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"trends: error: {path}: not a trends store (not an SQLite database)"
    )


def test_a_held_store_times_out_with_a_clear_error(tmp_path, parts):
    from filelock import FileLock

    frame, emb, first, _ = parts
    path = tmp_path / "s.sqlite"
    with FileLock(str(path) + ".lock"):
        store = Store(path, cache_dir=tmp_path / "cache", busy_timeout=0.5)
        with pytest.raises(StoreError, match="another update of this store"):
            store.update(first, model=model(frame, emb), verbose=False)
    assert not path.exists()


def test_two_updates_at_once_run_one_after_the_other(tmp_path, parts):
    frame, emb, first, _ = parts
    path = tmp_path / "s.sqlite"
    results, errors = [], []

    def run():
        try:
            with Store(path, cache_dir=tmp_path / "cache") as store:
                slow = model(frame, emb, delay=0.5)  # holds the store while "embedding"
                results.append(store.update(first, model=slow, verbose=False))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    first_done, second_done = sorted(results, key=lambda r: r.snapshot_id)
    assert first_done.refitted and first_done.reason == "first snapshot"
    assert first_done.n_new == len(first)
    assert second_done.n_new == 0 and second_done.n_known == len(first)
    assert not second_done.refitted
    with Store(path) as store:
        assert len(store.papers()) == len(first) and store.papers().doc_id.is_unique
        assert (store.runs().kind == "fit").sum() == 1


def test_a_reused_local_id_is_another_paper(tmp_path, parts):
    """A daily CSV numbering its rows 1, 2, 3... again: other texts are other papers."""
    frame, emb, first, second = parts
    renumbered = second.assign(doc_id=first.doc_id[: len(second)].to_numpy())
    with Store(tmp_path / "s.sqlite", cache_dir=tmp_path / "cache") as store:
        store.update(first, model=model(frame, emb), verbose=False)
        result = store.update(renumbered, model=model(frame, emb), verbose=False)
        assert result.n_new == len(second)
        papers = store.papers()
        assert len(papers) == len(frame) and papers.doc_id.is_unique
        assert set(papers.text) == set(frame.text)
        # and the same papers again are known, whatever their ids were made
        assert store.update(renumbered, model=model(frame, emb), verbose=False).n_new == 0


@pytest.mark.parametrize("value", ["a", 5, -0.1, float("nan"), True, None])
def test_a_refit_threshold_that_is_no_share_is_refused(tmp_path, value):
    """Before, any value was kept: 5 never refits, 'a' failed at the first update."""
    from trends import InputError

    with pytest.raises(InputError, match=r"refit_threshold must be a share .* from 0 to 1"):
        Store(tmp_path / "s.sqlite", refit_threshold=value)
    assert Store(tmp_path / "s.sqlite", refit_threshold=1).refit_threshold == 1.0
    assert not (tmp_path / "s.sqlite").exists()


def test_a_revised_abstract_of_a_known_paper_is_counted_not_silently_dropped(tmp_path, parts):
    import pandas as pd

    frame, emb, first, _ = parts
    frame = frame.assign(doc_id=[f"10.1000/paper.{i}" for i in range(len(frame))])
    first = frame.head(100)
    with Store(tmp_path / "s.sqlite", cache_dir=tmp_path / "cache") as store:
        store.update(first, model=model(frame, emb), verbose=False)
        again = first.head(5).copy()
        revised = again.assign(text=again.text + " (revised)", abstract=again.abstract + " v2")
        backend_frame = pd.concat([frame, revised], ignore_index=True)
        backend_emb = np.vstack([emb, emb[:5]])
        result = store.update(revised, model=model(backend_frame, backend_emb), verbose=False)
        assert result.n_new == 0 and result.n_known == 5 and result.n_revised == 5
        assert "5 of them with a revised text" in result.summary()
        stored = store.papers().set_index("doc_id").loc[again.doc_id, "text"]
        assert stored.tolist() == again.text.tolist()  # the store keeps its own text
        same = store.update(first.head(3), model=model(frame, emb), verbose=False)
        assert same.n_revised == 0 and "revised" not in same.summary()


def test_a_store_knows_the_snapshot_it_committed(tmp_path, parts):
    frame, emb, first, _ = parts
    path = tmp_path / "s.sqlite"
    with Store(path, cache_dir=tmp_path / "cache") as store:
        assert store.committed is None
        result = store.update(first, model=model(frame, emb), verbose=False)
        assert store.committed == result.snapshot_id == 1
    with Store(path) as other:  # another process's commits are not this object's
        assert other.committed is None


@pytest.mark.parametrize("commits", [True, False])
def test_an_update_interrupted_after_its_commit_says_so_and_only_then(
    tmp_path, synthetic, monkeypatch, commits
):
    """An interrupt after the commit said only "interrupted" (a script would retry); the
    first version counted snapshots, so another update's commit, made while this one
    waited for the lock, was claimed as its own."""
    frame, _, _ = synthetic
    data = tmp_path / "day.csv"
    frame[["doc_id", "title", "abstract"]].to_csv(data, index=False)

    def interrupted(self, *args, **kwargs):
        if commits:
            self.committed = 3
        raise KeyboardInterrupt

    monkeypatch.setattr(Store, "update", interrupted)
    result = CliRunner().invoke(app, ["update", str(tmp_path / "s.sqlite"), str(data), "-q"])
    assert result.exit_code == 130
    claim = "the update was committed before the interrupt (snapshot 3)"
    assert (claim in result.stderr) == commits
    assert result.stderr.strip().splitlines()[-1] == "trends: interrupted"


def test_a_day_fed_late_dates_its_papers_by_their_earliest_listing(tmp_path, parts):
    # before: the store kept the date a paper was first fed, so backfilling a missed day
    # left its papers on the later day (and a paper stored undated stayed undated)
    frame, emb, first, _ = parts
    late = first.copy()
    late["published"] = pd.Timestamp("2025-03-23", tz="UTC")
    late.loc[:9, "published"] = pd.NaT
    missed = first.iloc[:20].copy()
    missed["published"] = pd.Timestamp("2025-03-21", tz="UTC")
    with Store(tmp_path / "s.sqlite", cache_dir=tmp_path / "cache") as store:
        store.update(late, model=model(frame, emb), verbose=False)
        result = store.update(missed, model=model(frame, emb), verbose=False)
        again = store.update(late, model=model(frame, emb), verbose=False)  # nothing moves
        dates = store.papers().set_index("doc_id").published
    assert (result.n_new, result.n_redated) == (0, 20)
    assert "20 stored papers dated earlier by this input" in result.summary()
    assert again.n_redated == 0
    assert (dates[missed.doc_id] == pd.Timestamp("2025-03-21", tz="UTC")).all()
    rest = dates.drop(missed.doc_id)
    assert (rest == pd.Timestamp("2025-03-23", tz="UTC")).all() and len(rest) == 80
    loaded = trends.load(late, missed).set_index("doc_id").published  # the same rule
    assert dates.equals(loaded[dates.index])


def test_an_update_refuses_a_published_column_that_holds_no_dates(tmp_path, parts):
    # before: integer years were stored as nanoseconds after 1970, and a string raised
    # pandas' DateParseError after the embedding
    frame, emb, first, _ = parts
    with Store(tmp_path / "s.sqlite", cache_dir=tmp_path / "cache") as store:
        for value, kind in ((2024, "int"), ("not a date", "str")):
            bad = first.assign(published=value)
            with pytest.raises(InputError, match=f"published column holds {kind} values.*row 0"):
                store.update(bad, model=model(frame, emb), verbose=False)
        naive = first.assign(published=first.published.dt.tz_localize(None))
        store.update(naive, model=model(frame, emb), verbose=False)  # no zone: UTC
        stored = store.papers().set_index("doc_id").published
    assert stored[first.doc_id].tolist() == first.published.tolist()


def test_a_damaged_store_is_one_line_that_says_so(tmp_path, parts):
    # before: "database disk image is malformed" was a traceback from `trends report`
    frame, emb, first, _ = parts
    path = tmp_path / "s.sqlite"
    with Store(path, cache_dir=tmp_path / "cache") as store:
        store.update(first, model=model(frame, emb), verbose=False)
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # every page after the first
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="the file looks damaged") as caught:
        Store(path).papers()
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)
    result = CliRunner().invoke(app, ["report", str(path), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2, result.output
    assert "the file looks damaged" in result.output and "Traceback" not in result.output
