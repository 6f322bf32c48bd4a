"""The one kind of cache that outlives a build: a preview session's memory of what a stage made.

Every such cache follows one rule. A value is stored under a key made of exactly the inputs it
was made from (so an equal key means an equal value), and a build keeps only the values it used or
made: what the last build did not ask for is forgotten at the next one (`next_build`), so a cache
holds at most two builds' worth and never grows with a session's length. A full build uses none.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

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
