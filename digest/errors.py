"""The errors a user can cause, each carrying the file and line to fix.

The CLI turns these into one-line messages with exit status 2; anything else
that escapes is a bug in paper-digest and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path


class DigestError(Exception):
    """A problem in the user's input: names where it is and what to do."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def __reduce__(self) -> tuple[type[DigestError], tuple[str, Path | None, int | None]]:
        """Pickle with path and line, so an error raised in a worker process reaches the CLI whole."""
        return type(self), (self.message, self.path, self.line)

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class SnapshotError(DigestError):
    """A snapshot file cannot be read or does not follow the format."""


class ConfigError(DigestError):
    """site.yaml, topics.yaml or a page's front matter has a bad value."""


class TemplateError(DigestError):
    """A template does not compile or fails while rendering."""


class BuildError(DigestError):
    """The build cannot proceed for a reason outside one input file."""
