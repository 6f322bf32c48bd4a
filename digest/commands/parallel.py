"""Run independent pieces of a build on every core, with the same result as running them in order.

Each stage of a build is a list of tasks (`commands/build.py`): the related
papers, the search files, the emails, chunks of pages. Python runs one thread
of bytecode at a time, so they go to forked worker processes:
a forked worker inherits the catalog, settings and templates as they are in
memory (nothing is pickled on the way in), runs one task and sends back its
result. Results come back as tasks finish, numbered, and each task writes or
returns the same bytes wherever it runs, so the output is byte-identical to a
one-process build. Where fork is missing or there is one core, tasks simply
run here, one after the other. A worker ends with the process that forked it:
one left behind by a killed build would go on writing into its staging folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")

# The tasks of the running pool, inherited by its forked workers; None outside `run_tasks`.
_inherited: Sequence[Callable[[], Any]] | None = None

PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>


def usable_cores() -> int:
    """Cores this process may use (a container's CPU set, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def run_tasks(tasks: Sequence[Callable[[], T]], processes: int | None = None,
              here: Collection[int] = ()) -> Iterator[tuple[int, T]]:
    """Yield (task number, result) for every task, as each finishes; `processes=1` runs them here in order.

    The tasks numbered in `here` run in this process, in order, while the workers take the others: a task that
    updates what this process keeps (a preview's memo) must run where the memo is.
    """
    global _inherited
    away = [number for number in range(len(tasks)) if number not in here]
    processes = min(processes or usable_cores(), len(away))
    if processes <= 1 or not can_fork():
        for number, task in enumerate(tasks):
            yield number, task()
        return
    if _inherited is not None:
        raise RuntimeError("run_tasks is not re-entrant")
    _inherited = tasks
    # Objects the workers inherit are frozen out of the cycle collector's reach: a collection in a
    # worker would otherwise touch every one of them and copy the whole heap page by page.
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        parent = os.getpid()
        with _sigterm_held():
            pool = context.Pool(processes, initializer=_start_worker, initargs=(parent,))
        with pool:
            results = pool.imap_unordered(partial(_run_inherited, parent=parent), away)
            for number in sorted(here):
                yield number, tasks[number]()
            yield from results
    finally:
        _inherited = None
        gc.unfreeze()


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """Within it, SIGTERM raises SystemExit(143) in this process, so a build ends through its `except` path
    (workers stopped, staging folder removed) instead of at once with its staging folder left behind. Only
    where SIGTERM would kill (a preview server's handler stays); a second SIGTERM kills at once."""
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        signal.signal(signum, signal.SIG_DFL)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextmanager
def _sigterm_held() -> Iterator[None]:
    """SIGTERM waits while this process forks: a handler that runs in fork's callbacks (`sigterm_raises`'s) has
    its exception printed and dropped, and the build went on. The children start with it held too."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _start_worker(parent: int) -> None:
    """What a forked worker does first (`parent`: the pid of the process that forked it).

    It inherits its parent's signal handlers. `digest serve`'s only note a stop for its main loop, so a
    worker with them would outlive SIGTERM: a pool ends its idle workers that way, and its exit then waited
    for ever (a preview hung in its first build). A worker ends on SIGTERM and leaves Ctrl-C to its parent.
    It also ends when its parent does (`_end_with_parent`).
    No cyclic collection either (see `run_tasks`): it would copy the inherited heap page by page.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})  # held while forking (`_sigterm_held`)
    _end_with_parent(parent)
    gc.disable()


def _end_with_parent(parent: int) -> None:
    """Have Linux SIGKILL this worker when its parent dies. A build killed with SIGKILL cannot stop its workers,
    and they went on rendering into its staging folder for a minute. If the parent died before this was set,
    the worker is already an orphan (another parent pid): it ends now. Elsewhere `_run_inherited` checks.
    (Linux sends the signal when the forking thread ends: a build's workers end before the thread does.)"""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # no prctl found: the check between tasks remains
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    _exit_if_orphaned(parent)


def _exit_if_orphaned(parent: int) -> None:
    if os.getppid() != parent:
        os._exit(1)


def _run_inherited(number: int, parent: int) -> tuple[int, Any]:
    """Run task `number`, unless the build that queued it is gone (where prctl did not end this worker)."""
    assert _inherited is not None, "a worker must be forked from run_tasks"
    _exit_if_orphaned(parent)
    return number, _inherited[number]()
