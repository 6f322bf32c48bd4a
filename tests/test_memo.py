"""memo.py: the one cache rule — a build keeps what it used; what the last build did not ask for is forgotten."""

from __future__ import annotations

from digest import memo
from digest.memo import Memo, NamedMemo, PureMemo
from digest.output.search.words import index_term


def test_a_memo_keeps_what_the_last_build_used_and_forgets_the_rest() -> None:
    kept: Memo[str, int] = Memo()
    kept.put("a", 1)
    kept.put("b", 2)
    kept.next_build()
    assert kept.get("a") == 1  # the next build asks for a only
    kept.next_build()
    assert kept.get("a") == 1 and kept.get("b") is None, "b was not used by the last build"


def test_a_named_value_is_made_again_when_its_inputs_change() -> None:
    named: NamedMemo[str, str] = NamedMemo()
    made: list[str] = []
    assert named.made_from("paper", ("title", 1), lambda: made.append("x") or "page 1") == "page 1"
    named.next_build()
    assert named.made_from("paper", ("title", 1), lambda: "never") == "page 1"
    assert named.made_from("paper", ("title", 2), lambda: "page 2") == "page 2"
    assert made == ["x"]


def test_a_pure_function_runs_once_per_argument_and_holds_two_builds_at_most() -> None:
    calls: list[int] = []
    square = PureMemo(lambda number: calls.append(number) or number * number)
    assert [square[2], square[2], square[3]] == [4, 4, 9] and calls == [2, 3]
    memo.next_build()
    assert square[2] == 4 and calls == [2, 3], "the last build's value, not computed again"
    memo.next_build()
    assert set(square.last) == {2} and len(square) == 0, "3 was not asked for by the last build: forgotten"
    assert square[3] == 9 and calls == [2, 3, 3]


def test_none_is_remembered_too() -> None:
    """A stop word's index term is None: still a hit, not a miss each time."""
    assert index_term("the") is None
    memo.next_build()
    assert index_term("the") is None and index_term("Learning") == "learn"
