"""Fixtures of the commands that talk to servers on 127.0.0.1 (notify's tests; fetch keeps its own)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers import Recorder, recording_server


@pytest.fixture
def server() -> Iterator[Recorder]:
    """A server on 127.0.0.1 that records every request and answers as told."""
    with recording_server() as recorder:
        yield recorder


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy setting in the environment must not route 127.0.0.1 elsewhere."""
    monkeypatch.setenv("no_proxy", "*")
