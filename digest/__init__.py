"""paper-digest: turn paper-feed snapshots into a static digest site and email."""

__version__ = "0.1.0"
