"""Write the site atomically: build beside the old site, then swap it in.

Files whose bytes did not change are hard-linked from the previous build
instead of written again, so mtimes (and rsync-style deploys) only see real
changes. If anything fails before the swap, the previous site is untouched.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from digest.errors import BuildError


@dataclass(frozen=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int


def write_site(files: Mapping[str, bytes], output: Path) -> WriteReport:
    output = output.absolute()
    staging = output.with_name(f".{output.name}.new-{os.getpid()}")
    retired = output.with_name(f".{output.name}.old-{os.getpid()}")
    for leftover in (staging, retired):
        shutil.rmtree(leftover, ignore_errors=True)
    written = unchanged = 0
    try:
        staging.mkdir(parents=True)
        for relative, data in sorted(files.items()):
            target = staging / _safe_relative(relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            if _reuse(output / relative, target, data):
                unchanged += 1
            else:
                target.write_bytes(data)
                written += 1
        removed = _count_removed(output, files)
        _swap(staging, output, retired)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(retired, ignore_errors=True)
    return WriteReport(written=written, unchanged=unchanged, removed=removed)


def _safe_relative(relative: str) -> Path:
    """Refuse any output path that could leave the output folder."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in relative or "\x00" in relative:
        raise BuildError(f"refusing to write outside the output folder: {relative!r}")
    return Path(*pure.parts)


def _reuse(previous: Path, target: Path, data: bytes) -> bool:
    """Hard-link the previous build's file when its bytes are the same."""
    try:
        if not previous.is_file() or previous.is_symlink() or previous.stat().st_size != len(data):
            return False
        if previous.read_bytes() != data:
            return False
        os.link(previous, target)
        return True
    except OSError:
        return False


def _count_removed(output: Path, files: Mapping[str, bytes]) -> int:
    if not output.is_dir():
        return 0
    old = {path.relative_to(output).as_posix() for path in output.rglob("*") if path.is_file()}
    return len(old - set(files))


def _swap(staging: Path, output: Path, retired: Path) -> None:
    if output.exists() or output.is_symlink():
        if not output.is_dir():
            raise BuildError(f"output path {output} exists and is not a folder; move it away")
        os.rename(output, retired)
        try:
            os.rename(staging, output)
        except OSError:
            os.rename(retired, output)
            raise
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        os.rename(staging, output)
