"""Write the site, never leaving a half-written one behind.

Two ways, chosen by the caller:

* swap (`digest build`): the new site is built in a staging folder beside the
  old one and swapped in only when complete. Files whose bytes did not change
  are hard-linked from the previous build, so their mtimes stay. If anything
  fails before the swap, the previous site is untouched. A build holds a lock
  on its staging folder, so the next build can tell the folders a killed build
  left (their lock is free) from a running build's, and removes them.
* in place (`digest serve` rebuilds): only files whose bytes changed are
  written, each to a temporary name and renamed over the old one, and stale
  files are removed. A page is always whole; a rebuild after one edit touches
  a dozen files instead of re-linking ten thousand.

Every path is checked before anything is written, so a bad path changes nothing.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from digest.errors import BuildError

try:
    import fcntl
except ImportError:  # not POSIX: no locks, so no folder is ever taken for a dead build's
    fcntl = None


@dataclass(frozen=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int


@dataclass
class WriteCache:
    """What the preview last wrote in place, so the next write compares in memory, not against the disk."""

    output: Path | None = None
    files: Mapping[str, bytes] = field(default_factory=dict)


def write_site(files: Mapping[str, bytes], output: Path, *, in_place: bool = False,
               cache: WriteCache | None = None) -> WriteReport:
    output = output.absolute()
    for relative in files:
        _safe_relative(relative)
    if in_place and output.is_dir() and not output.is_symlink():
        known = cache.files if cache is not None and cache.output == output else None
        report = _update_in_place(files, output, known)
    else:
        report = _write_and_swap(files, output)
    if cache is not None:  # the folder now holds exactly `files`
        cache.output, cache.files = output, dict(files)
    return report


def _safe_relative(relative: str) -> str:
    """Refuse any output path that could leave the output folder; the path as the file system spells it.

    String checks, not pathlib: they run for every file of every preview build.
    """
    parts = [part for part in relative.split("/") if part not in ("", ".")]
    if relative.startswith("/") or ".." in parts or not parts or "\\" in relative or "\x00" in relative:
        raise BuildError(f"refusing to write outside the output folder: {relative!r}")
    return os.path.join(*parts)


class StagedSite:
    """A new site written into a staging folder beside the old one, a batch of files at a time, then swapped in.

    `add` may run in forked workers (the staging folder is all they share), so a full build never holds
    every page in memory: each worker writes what it rendered. Files whose bytes equal the previous build's
    are hard-linked from it, so their mtimes stay. `finish` swaps the staging folder in; `abandon` deletes
    it, leaving the previous site untouched.
    """

    def __init__(self, output: Path) -> None:
        self.output = output.absolute()
        remove_stale_staging(self.output)
        name = f"{os.getpid()}-{secrets.token_hex(4)}"  # the pid for people; the token: pids get reused
        self.retired = self.output.with_name(f".{self.output.name}.old-{name}")
        self.staging, self._lock = _locked_new_folder(self.output.with_name(f".{self.output.name}.new-{name}"))

    def add(self, files: Mapping[str, bytes]) -> tuple[int, int]:
        """Write `files` into the staging folder; (written, unchanged from the previous build).

        Few system calls a file: a full build adds twelve thousand files in ten thousand folders at 10,000
        papers, and on a slow disk each creation costs. No look for a previous copy when there is no previous
        site; a file is created, written and closed with os calls (`open` would also fstat, ioctl and lseek).
        """
        written = unchanged = 0
        made: set[str] = set()
        staging, output = str(self.staging), str(self.output)
        previous_site = os.path.isdir(output)
        for relative, data in files.items():
            safe = _safe_relative(relative)
            target = os.path.join(staging, safe)
            folder = os.path.dirname(target)
            if folder not in made:  # one mkdir per folder, not one per file
                _make_folder(folder)
                made.add(folder)
            previous = os.path.join(output, safe)
            if previous_site and _same_bytes(previous, data):
                os.link(previous, target)
                unchanged += 1
            else:
                _create(target, data)
                written += 1
        return written, unchanged

    def finish(self, paths: Iterable[str]) -> int:
        """Swap the staged site in; how many files of the previous one are gone (`paths`: every file added)."""
        removed = len(_existing_files(self.output) - set(paths))
        previous = _try_lock(self.output)  # renamed to `retired`, it stays locked until it is gone
        try:
            _swap(self.staging, self.output, self.retired)
            shutil.rmtree(self.retired, ignore_errors=True)
        finally:
            _unlock(previous)
            self._release()
        return removed

    def abandon(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
        self._release()

    def _release(self) -> None:
        _unlock(self._lock)
        self._lock = None


def remove_stale_staging(output: Path) -> None:
    """Remove the staging folders (new and retired sites) that builds killed before `finish` or `abandon` left
    beside `output`. A folder is stale when its lock can be taken: a flock ends with the last process holding
    it, so a running build's folder (its lock held by the build or its workers) is never touched."""
    pattern = os.path.join(glob.escape(str(output.parent)), glob.escape(f".{output.name}."))
    for folder in (*glob.glob(pattern + "new-*"), *glob.glob(pattern + "old-*")):
        lock = _try_lock(Path(folder))
        if lock is not None:
            shutil.rmtree(folder, ignore_errors=True)
            _unlock(lock)


def _locked_new_folder(path: Path) -> tuple[Path, int | None]:
    """Make the folder `path` and take its lock. Another build's `remove_stale_staging` may take the lock first,
    between the two, and remove the folder: then it is made again."""
    while True:
        path.mkdir(parents=True)
        lock = _try_lock(path, wait=True)
        with contextlib.suppress(OSError):
            if lock is None or os.path.samestat(os.fstat(lock), os.stat(path)):
                return path, lock
        _unlock(lock)


def _try_lock(folder: Path, *, wait: bool = False) -> int | None:
    """An open descriptor of `folder` holding an exclusive flock on it, or None: another process holds the lock
    (`wait=False`), `folder` is no folder, or the file system has no flock. Forked workers share the lock."""
    if fcntl is None:
        return None
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        os.close(descriptor)
        return None
    return descriptor


def _unlock(lock: int | None) -> None:
    if lock is not None:
        os.close(lock)


def _write_and_swap(files: Mapping[str, bytes], output: Path) -> WriteReport:
    staged = StagedSite(output)
    try:
        written, unchanged = staged.add(files)
        removed = staged.finish(files.keys())
    except BaseException:
        staged.abandon()
        raise
    return WriteReport(written=written, unchanged=unchanged, removed=removed)


def write_ahead(files: Mapping[str, bytes], output: Path, cache: WriteCache) -> tuple[str, ...]:
    """Write a few of a preview rebuild's files before the others (the pages open in a browser): those whose
    bytes changed, each whole, as `write_site(in_place=True)` would. Returns them; `cache` learns them, so the
    rebuild's `write_site` finds them unchanged."""
    output = output.absolute()
    for relative in files:
        _safe_relative(relative)
    known = cache.files if cache.output == output else None
    written = _write_changed(files, output, known)
    if known is not None:
        cache.files = {**known, **{relative: files[relative] for relative in written}}
    return written


def _update_in_place(files: Mapping[str, bytes], output: Path, known: Mapping[str, bytes] | None) -> WriteReport:
    """Write only the files whose bytes changed: against what this session last wrote, else against the disk."""
    written = len(_write_changed(files, output, known))
    stale = (known.keys() if known is not None else _existing_files(output)) - files.keys()
    for relative in stale:
        (output / relative).unlink(missing_ok=True)
    _remove_emptied_folders(output, stale)
    return WriteReport(written=written, unchanged=len(files) - written, removed=len(stale))


def _write_changed(files: Mapping[str, bytes], output: Path, known: Mapping[str, bytes] | None) -> tuple[str, ...]:
    """Write each file whose bytes differ from `known` (else from the disk) to a temporary name, then rename it
    over the old one: readers see the old file or the new one, never half of one."""
    written: list[str] = []
    for relative, data in sorted(files.items()):
        if known is not None and known.get(relative) == data:
            continue
        target = output / _safe_relative(relative)
        if known is None and _same_bytes(target, data):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.new-{os.getpid()}")
        temporary.write_bytes(data)
        os.replace(temporary, target)
        written.append(relative)
    return tuple(written)


def _make_folder(folder: str) -> None:
    """`os.makedirs(folder, exist_ok=True)` in one system call when the parent exists (makedirs looks first)."""
    try:
        os.mkdir(folder)
    except FileExistsError:
        if not os.path.isdir(folder):
            raise
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)


def _create(path: str, data: bytes) -> None:
    """A new file holding `data` (or one that is there, truncated)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
    finally:
        os.close(descriptor)


def _same_bytes(path: str | Path, data: bytes) -> bool:
    """True when `path` is a regular file holding exactly `data` (size first: most changes show there)."""
    try:
        info = os.lstat(path)
        if not (stat.S_ISREG(info.st_mode) and info.st_size == len(data)):
            return False
        with open(path, "rb") as file:
            return file.read() == data
    except OSError:
        return False


def _existing_files(output: Path) -> set[str]:
    """Relative paths of the files under `output`; symlinked folders are not entered."""
    found: set[str] = set()
    for folder, _, names in os.walk(output):
        prefix = os.path.relpath(folder, output).replace(os.sep, "/") + "/"
        found.update((prefix + name).removeprefix("./") for name in names
                     if os.path.isfile(os.path.join(folder, name)))
    return found


def _remove_emptied_folders(output: Path, removed: Iterable[str]) -> None:
    """Remove the folders that held `removed` files and are empty now, deepest first so emptied parents go too
    (not a walk of the whole site: a preview at 10,000 papers has 20,000 folders)."""
    folders = {parent for relative in removed for parent in PurePosixPath(relative).parents if parent.parts}
    for folder in sorted(folders, key=lambda folder: len(folder.parts), reverse=True):
        with contextlib.suppress(OSError):  # not empty (or already gone): it stays
            os.rmdir(output / folder)


def _swap(staging: Path, output: Path, retired: Path) -> None:
    if output.exists() or output.is_symlink():
        if not output.is_dir():
            raise BuildError(f"output path {output} exists and is not a folder; move it away")
        os.rename(output, retired)
        try:
            os.rename(staging, output)
        except BaseException:  # also SIGTERM's SystemExit between the two renames: the old site goes back
            os.rename(retired, output)
            raise
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        os.rename(staging, output)
