"""The one kind of cache that outlives a build: a preview session's memory of what a stage made.

Every such cache follows one rule (`Memo`, `SettingMemo`, `NamedMemo` for a stage's values; `PureMemo` for
the small pure functions every stage calls, such as a word's stem). A value is stored under a key made of
exactly the inputs it was made from (so an equal key means an equal value), and a build keeps only the values
it used or made: what the last build did not ask for is forgotten at the next one (`next_build`), so a cache
holds at most two builds' worth and never grows with a session's length. A full build uses none but the
pure functions' memos, which start empty in a new process.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass
class Memo(Generic[K, V]):
    """Values by their inputs, for the builds of one preview session; see the module's rule."""

    last: dict[K, V] = field(default_factory=dict)  # what the previous build used
    used: dict[K, V] = field(default_factory=dict)  # what this build has used so far

    def get(self, key: K) -> V | None:
        """The value made from `key`'s inputs in this build or the last one, else None."""
        value = self.used.get(key)
        if value is None:
            value = self.last.get(key)
            if value is not None:
                self.used[key] = value
        return value

    def put(self, key: K, value: V) -> V:
        self.used[key] = value
        return value

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        value = self.get(key)
        return self.put(key, make()) if value is None else value

    def next_build(self) -> None:
        """Start a build: what the last one used stays reachable, the rest is dropped."""
        self.last, self.used = self.used, {}


@dataclass
class SettingMemo(Generic[K, V]):
    """A `Memo` of what a stage makes of each item under one setting (a paper's card under the topics and the
    snippet length): a changed setting starts it afresh, so the setting is compared once, not once an item."""

    memo: Memo[K, V] = field(default_factory=Memo)
    setting: object = None

    def each(self, items: Iterable[K], setting: object, make: Callable[[K], V]) -> list[V]:
        """`make(item)` for every item, in order, from what the last build made where item and setting are equal."""
        if setting != self.setting:
            self.memo, self.setting = Memo(), setting
        self.memo.next_build()
        get, put = self.memo.get, self.memo.put
        return [value if (value := get(item)) is not None else put(item, make(item)) for item in items]


def each(memo: SettingMemo[K, V] | None, items: Iterable[K], setting: object, make: Callable[[K], V]) -> list[V]:
    """`make(item)` for every item: through a preview's `memo`, or directly in a full build (which has none)."""
    return [make(item) for item in items] if memo is None else memo.each(items, setting, make)


@dataclass
class NamedMemo(Generic[K, V]):
    """A `Memo` whose values have names (a paper page by its slug) and are reused only while the inputs they were
    made from compare equal. Where a rebuild keeps most objects, comparing is nearly free (the same object is
    equal at once), while hashing big inputs as a key would walk them all every build."""

    memo: Memo[K, tuple[object, V]] = field(default_factory=Memo)

    def made_from(self, name: K, inputs: object, make: Callable[[], V]) -> V:
        found = self.memo.get(name)
        if found is not None and found[0] == inputs:
            return found[1]
        return self.memo.put(name, (inputs, make()))[1]

    def next_build(self) -> None:
        self.memo.next_build()


_UNSET = object()
_PURE: list[PureMemo] = []  # every pure function's memo, turned over together at each build's start


class PureMemo(dict):  # type: ignore[type-arg]
    """`function(key)` for a pure function, remembered by its argument under the module's rule: what this build
    and the last one asked for (`next_build`, which `commands/build.py` calls as each build starts).

    For the small functions every build calls hundreds of thousands of times (a word's stem, a date's label):
    a hit is a plain dict lookup, in C; only a miss runs Python (`__missing__`). Pure, so a value never goes
    stale; the rule only bounds what is kept to two builds' worth, however long a preview session runs.
    """

    def __init__(self, function: Callable[[Any], Any]) -> None:
        super().__init__()
        self.function = function
        self.last: dict[Any, Any] = {}
        _PURE.append(self)

    def __missing__(self, key: Any) -> Any:
        value = self.last.get(key, _UNSET)
        if value is _UNSET:
            value = self.function(key)
        self[key] = value
        return value

    def turn_over(self) -> None:
        self.last = dict(self)
        self.clear()


def next_build() -> None:
    """A build starts: every `PureMemo` keeps what the last build asked for, and forgets the rest."""
    for memo in _PURE:
        memo.turn_over()
