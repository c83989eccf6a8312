"""parallel: a build's jobs -> their results, on every core, in order.

Workers are forked, so they inherit what the build already loaded (fonts,
hyphenation patterns, the laid-out talks) instead of receiving it through a pipe;
the build's context reaches each worker once, when it is forked, and never lives in
the parent's module state. Also the one pause of Python's cycle collector that
typesetting needs.
"""

from __future__ import annotations

import _thread
import contextlib
import gc
import os
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any, Generic, TypeVar

from .console import quiet_worker, signals_held

C = TypeVar("C")
J = TypeVar("J")
R = TypeVar("R")

_CONTEXT: Any = None  # set in worker processes only: the context they were forked with


def _install(context: object) -> None:
    global _CONTEXT
    quiet_worker()  # Ctrl-C and SIGTERM are the parent's to handle: no worker tracebacks
    _CONTEXT = context


def _call(work: Callable[[Any, J], R], job: J) -> R:
    return work(_CONTEXT, job)


def workers_for(jobs: int, per_worker: int) -> int:
    """How many workers `jobs` deserve: one per `per_worker` jobs, at most one a core."""
    return min(os.cpu_count() or 1, jobs // per_worker)


def fork_map(work: Callable[[C, J], R], context: C, jobs: Sequence[J], workers: int) -> Iterator[R]:
    """`work(context, job)` for each job, in order as results come: in this process
    when one worker is enough (or the system cannot fork), else in `workers` forked
    processes. `work` must be a module-level function (it is named to the workers)."""
    if workers <= 1 or not forks():
        for job in jobs:
            yield work(context, job)
        return
    yield from start_map(work, context, jobs, workers)


class Started(Generic[R]):
    """Jobs given to workers forked already (`start_map`): their results, in order,
    for reading later. Read them to the end, or `close` (the build failed meanwhile)."""

    def __init__(self, pool: Any, results: Iterator[R]) -> None:
        self.pool = pool
        self.results = results

    def __iter__(self) -> Iterator[R]:
        try:
            yield from self.results
        except (Exception, GeneratorExit):  # a job failed, or the rest is not wanted
            self.pool.terminate()  # the workers are alive: terminate stops them as it should
            raise
        except BaseException:  # interrupted: a worker may be dead already
            _stop(self.pool)
            raise
        self.pool.terminate()

    def close(self, interrupted: bool = False) -> None:
        """Stop the workers, whatever they are doing (see `_stop` for an interrupt)."""
        if interrupted:
            _stop(self.pool)
        else:
            self.pool.terminate()


def start_map(work: Callable[[C, J], R], context: C, jobs: Sequence[J], workers: int) -> Started[R]:
    """`fork_map`'s workers forked now, with every job given to them: they work while
    this process goes on to other things, and their results are read later. Only
    where forking pays (`workers` > 1, a system that forks)."""
    import multiprocessing

    with signals_held():  # until each worker has set its own handling (quiet_worker)
        pool = multiprocessing.get_context("fork").Pool(
            workers, initializer=_install, initargs=(context,)
        )
    return Started(pool, pool.imap(partial(_call, work), jobs))


def in_thread(work: Callable[[], object]) -> Callable[[], None]:
    """Run `work` in a thread of its own (reading or writing files beside the build);
    returns what waits until it is done. A bare thread, not a `threading.Thread`: one
    of those, when freed, runs Python code (a weak set's callback) in the middle of a
    collection, where a Ctrl-C that arrives then is lost — and `watch` collects
    after every build."""
    done = _thread.allocate_lock()
    done.acquire()

    def run() -> None:
        try:
            work()
        finally:
            done.release()

    _thread.start_new_thread(run, ())

    def wait() -> None:
        with done:
            pass

    return wait


def forks() -> bool:
    """Whether this system starts workers by forking (Linux, macOS), as `fork_map` wants."""
    import multiprocessing  # here only: a rebuild of a talk or two neither forks nor loads it

    return "fork" in multiprocessing.get_all_start_methods()


@contextlib.contextmanager
def ahead(prepare: Callable[[], object]) -> Iterator[Any]:
    """One worker forked now, running `prepare` (a slow import, say) on another core
    while this process goes on; jobs given to it later (`apply`) find it prepared.
    None where that would not pay: one core, or no fork."""
    if (os.cpu_count() or 1) < 2 or not forks():
        yield None
        return
    import multiprocessing

    with signals_held():
        pool = multiprocessing.get_context("fork").Pool(
            1, initializer=_prepare, initargs=(prepare,)
        )
    try:
        yield pool
    except Exception:  # the build failed: the worker is alive, and terminate stops it
        pool.terminate()
        raise
    except BaseException:  # interrupted: see `fork_map`
        _stop(pool)
        raise
    pool.terminate()


def _prepare(prepare: Callable[[], object]) -> None:
    quiet_worker()
    with contextlib.suppress(Exception):  # a job that needs it fails, and says why
        prepare()


def _stop(pool: Any) -> None:
    """Stop the workers at once on an interrupt. Not with `terminate`, which waits for
    the lock of the job queue: a worker that a SIGTERM to the whole process group
    killed may have died holding it. (The pool is left as it is: the command exits
    without collecting it, whose finalizer would wait for that lock.)"""
    workers = list(getattr(pool, "_pool", []))
    for worker in workers:
        worker.kill()
    for worker in workers:
        worker.join(timeout=5)


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Typesetting and reading records make millions of small acyclic objects: Python's
    cycle collector would scan them again and again (a fifth of a big build) and find
    nothing."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
