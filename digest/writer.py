"""Write the site atomically: build beside the old site, then swap it in.

Files whose bytes did not change are hard-linked from the previous build
instead of written again, so mtimes (and rsync-style deploys) only see real
changes. If anything fails before the swap, the previous site is untouched.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterable, Mapping
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
    if _already_written(files, output):
        return WriteReport(written=0, unchanged=len(files), removed=0)
    written = unchanged = 0
    made: set[Path] = set()
    try:
        staging.mkdir(parents=True)
        for relative, data in sorted(files.items()):
            target = staging / _safe_relative(relative)
            if target.parent not in made:  # one mkdir per folder, not one per file
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
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


def _already_written(files: Mapping[str, bytes], output: Path) -> bool:
    """True when `output` holds exactly these files with these bytes, and nothing else.

    Then swapping in an identical copy would change nothing, so a no-change
    rebuild (the preview server's commonest) skips the 2×N mkdir, link and
    unlink calls of staging and retiring a whole tree.
    """
    found = _plain_tree(output)
    if found is None:
        return False
    sizes, folders = found
    if set(sizes) != set(files.keys()) or folders != _folders_of(files.keys()):
        return False
    if any(size != len(files[relative]) for relative, size in sizes.items()):
        return False
    try:
        return all((output / relative).read_bytes() == files[relative] for relative in sorted(sizes))
    except OSError:
        return False


def _folders_of(paths: Iterable[str]) -> set[str]:
    """Every folder the staged tree would have ('' is the output folder itself)."""
    folders = {""}
    for path in paths:
        parts = path.split("/")[:-1]
        folders.update("/".join(parts[:count]) for count in range(1, len(parts) + 1))
    return folders


def _plain_tree(output: Path) -> tuple[dict[str, int], set[str]] | None:
    """The sizes of the files under `output` and its folders; None unless it is a folder holding only
    regular files and folders (anything else, such as a symlink, is left to a full write)."""
    sizes: dict[str, int] = {}
    folders = {""}
    pending = [(str(output), "")]
    try:
        if not stat.S_ISDIR(os.lstat(output).st_mode):
            return None
        while pending:
            folder, prefix = pending.pop()
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_symlink():
                        return None
                    if entry.is_dir(follow_symlinks=False):
                        folders.add(prefix + entry.name)
                        pending.append((entry.path, f"{prefix}{entry.name}/"))
                    elif entry.is_file(follow_symlinks=False):
                        sizes[prefix + entry.name] = entry.stat(follow_symlinks=False).st_size
                    else:
                        return None
    except OSError:
        return None
    return sizes, folders


def _reuse(previous: Path, target: Path, data: bytes) -> bool:
    """Hard-link the previous build's file when its bytes are the same."""
    try:
        info = os.lstat(previous)  # one call for is_file, is_symlink and the size
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
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
    old = set()
    for folder, _, names in os.walk(output):  # as rglob("*") did, without a Path per file: symlinked folders
        prefix = os.path.relpath(folder, output).replace(os.sep, "/") + "/"  # are not entered
        old.update((prefix + name).removeprefix("./") for name in names if os.path.isfile(os.path.join(folder, name)))
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
