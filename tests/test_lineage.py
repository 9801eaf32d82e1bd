"""Theme identity across refits and the refit rule: pure functions, no corpus, no store."""

import numpy as np
import pytest

from trends.store import lineage


def test_match_themes_is_one_to_one():
    old = np.eye(3, dtype=np.float32)
    new = np.eye(3, dtype=np.float32)[[2, 0]]
    kw = [["a"], ["b"], ["c"]]
    mapping, links = lineage.match_themes(np.array([10, 11, 12]), old, kw, new, [["c"], ["a"]])
    assert mapping == {0: 12, 1: 10}
    assert lineage.Link(11, None, "ended") in links
    assert {(link.old_id, link.kind) for link in links} == {
        (12, "kept"),
        (10, "kept"),
        (11, "ended"),
    }


def test_members_decide_between_look_alike_themes():
    """Two old themes with the same centre: the one sharing the papers wins."""
    cents = np.array([[1, 0], [1, 0]], dtype=np.float32)
    old_labels = np.array([5] * 10 + [6] * 10)
    new_labels = np.array([1] * 10 + [0] * 10)  # the second half is now theme 0
    mapping, _ = lineage.match_themes(
        [5, 6], cents, [["x"], ["x"]], cents, [["x"], ["x"]], members=(old_labels, new_labels)
    )
    assert mapping == {0: 6, 1: 5}


def test_weak_matches_are_not_kept():
    old = np.array([[1, 0]], dtype=np.float32)
    new = np.array([[0, 1]], dtype=np.float32)  # orthogonal, no shared word
    mapping, links = lineage.match_themes([3], old, [["a"]], new, [["b"]])
    assert mapping == {} and links == [lineage.Link(3, None, "ended")]


def test_no_old_themes_or_no_new_ones():
    assert lineage.match_themes([], np.zeros((0, 2)), [], np.eye(2), [["a"], ["b"]]) == ({}, [])
    mapping, links = lineage.match_themes([1, 2], np.eye(2), [["a"], ["b"]], np.zeros((0, 2)), [])
    assert mapping == {} and [link.kind for link in links] == ["ended", "ended"]


def test_allocate_ids_keeps_matched_and_numbers_the_rest():
    full, links, next_id = lineage.allocate_ids({1: 7}, 3, next_id=10)
    assert full == {0: 10, 1: 7, 2: 11, -1: -1}
    assert [(link.new_id, link.kind) for link in links] == [(10, "new"), (11, "new")]
    assert next_id == 12
    assert lineage.stable_labels([0, 1, -1, 2], full).tolist() == [10, 7, -1, 11]


@pytest.mark.parametrize(
    "has_fit, asked, share, expected",
    [
        (False, False, None, "first snapshot"),
        (False, True, 0.9, "first snapshot"),
        (True, True, 0.0, "asked"),
        (True, False, 0.31, "31% of new papers fit no theme, over 30%"),
        (True, False, 0.30, ""),
        (True, False, None, ""),
    ],
)
def test_refit_reason(has_fit, asked, share, expected):
    assert lineage.refit_reason(has_fit=has_fit, asked=asked, new_outlier_share=share) == expected


def test_too_few_stray_papers_do_not_refit():
    # one new paper that fits no theme is 100% of its snapshot, but could not make a theme
    lone = {"has_fit": True, "asked": False, "new_outlier_share": 1.0}
    assert lineage.refit_reason(**lone, n_unplaced=1, min_unplaced=8) == ""
    assert lineage.refit_reason(**lone, n_unplaced=8, min_unplaced=8).startswith("100%")


def test_place_stable_maps_to_stable_ids():
    cents = np.eye(2, dtype=np.float32)
    emb = np.array([[1, 0], [0, 1], [0.6, 0.8]], dtype=np.float32)
    got = lineage.place_stable(emb, np.array([40, 41]), cents, np.array([0.9, 0.9]))
    assert got.tolist() == [40, 41, -1]  # the last is too far from both centres
    assert lineage.place_stable(None, [], cents, []).tolist() == []


def test_unchanged_share():
    assert lineage.unchanged_share({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == 0.5
    assert np.isnan(lineage.unchanged_share({"a": 1}, {"b": 1}))
