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
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, NoReturn, TypeVar

from .console import quiet_worker, signals_held

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

C = TypeVar("C")
J = TypeVar("J")
R = TypeVar("R")

_CONTEXT: Any = None  # set in worker processes only: the context they were forked with


def _install(context: object) -> None:
    """A worker's start: its signals, and the context it was forked with."""
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

    def __init__(self, pool: _Pool, count: int) -> None:
        self.pool = pool
        self.count = count

    def __iter__(self) -> Iterator[R]:
        try:
            for n in range(self.count):
                yield self.pool.result(n)
        except BaseException as e:  # a job failed, the rest is not wanted, or interrupted
            self.pool.stop(interrupted=not isinstance(e, Exception | GeneratorExit))
            raise
        self.pool.stop()

    def close(self, interrupted: bool = False) -> None:
        """Stop the workers, whatever they are doing."""
        self.pool.stop(interrupted)


def start_map(work: Callable[[C, J], R], context: C, jobs: Sequence[J], workers: int) -> Started[R]:
    """`fork_map`'s workers forked now, with every job given to them: they work while
    this process goes on to other things, and their results are read later. Only
    where forking pays (`workers` > 1, a system that forks)."""
    pool = _Pool(workers, partial(_install, context))
    pool.run([(_call, (work, job)) for job in jobs])
    return Started(pool, len(jobs))


class _Worker(NamedTuple):
    pid: int
    jobs: Connection  # this process writes, the worker reads
    results: Connection  # the worker writes, this process reads


class _Pool:
    """Worker processes forked from this one, each with a pipe of its own for its jobs
    and one for its results. Nothing is shared between them, no lock above all: a
    worker can be killed at any moment without leaving another process waiting for
    something it held, and one that dies is noticed (its pipe closes) instead of
    waited for. (multiprocessing's Pool shares a locked queue between its workers:
    killing one while it sent its result left the pool's own threads waiting for
    that lock for ever, which a failed job could do.) A thread of this process hands
    out the jobs and takes in the results as they come (`_hand_out`), while this
    process does other things."""

    def __init__(self, count: int, start: Callable[[], object]) -> None:
        import multiprocessing

        self.workers: list[_Worker] = []
        self.results: dict[int, tuple[bool, Any]] = {}
        self.failure: BaseException | None = None  # a worker that died, a pipe that broke
        self.changed = threading.Condition()
        self.stopped = False
        self.serving: Callable[[], None] | None = None
        with signals_held():  # until each worker has set its own handling (quiet_worker)
            try:
                for _ in range(count):
                    self.workers.append(_fork(start, self.workers, multiprocessing.Pipe))
            except BaseException:  # no more processes or pipes: none is left behind
                self.stop(interrupted=True)
                raise

    def run(self, jobs: list[tuple[Callable[..., Any], tuple[Any, ...]]]) -> None:
        """The pool's jobs, `func(*args)` each, handed out from now on; job n's result
        is `result(n)`. Once a pool."""
        assert self.serving is None
        self.serving = in_thread(partial(self._hand_out, jobs))

    def result(self, n: int) -> Any:
        """Job `n`'s result, once a worker has sent it; a job's error is raised here."""
        with self.changed:
            while n not in self.results and self.failure is None:
                self.changed.wait()
            if n not in self.results:
                assert self.failure is not None
                raise self.failure
            ok, value = self.results.pop(n)
        if not ok:
            raise value
        return value

    def stop(self, interrupted: bool = False) -> None:
        """The workers killed (their jobs are of no more use) and collected. Nothing
        waits for anything they hold, so this never hangs."""
        if self.stopped:
            return
        self.stopped = True
        for worker in self.workers:
            with contextlib.suppress(OSError):
                os.kill(worker.pid, signal.SIGKILL)
        for worker in self.workers:
            with contextlib.suppress(OSError):
                worker.jobs.close()
            with contextlib.suppress(ChildProcessError):
                os.waitpid(worker.pid, 0)
        if self.serving is not None and not interrupted:
            self.serving()  # its pipes closed: the thread has ended or is ending
        for worker in self.workers:
            with contextlib.suppress(OSError):
                worker.results.close()

    def _hand_out(self, jobs: list[tuple[Callable[..., Any], tuple[Any, ...]]]) -> None:
        """The thread that hands out jobs and takes in their results. A worker is
        given its next job while it works on one (when the job is small enough for
        its pipe to hold it: a bigger one, sent then, would block this thread while
        the worker waits to send its result), so that it never waits for this thread,
        which must share the interpreter with the build."""
        from multiprocessing.connection import wait
        from multiprocessing.reduction import ForkingPickler

        given: dict[Any, list[int]] = {w.results: [] for w in self.workers}
        by_results: dict[Any, _Worker] = {w.results: w for w in self.workers}
        failure: BaseException | None = None
        n = 0
        data: bytes | memoryview = b""  # job n pickled, kept while it waits for a worker
        try:
            while True:
                for conn, held in given.items():
                    while n < len(jobs) and len(held) < 2:
                        if not data:
                            func, args = jobs[n]
                            data = ForkingPickler.dumps((n, func, args))
                        if held and len(data) > QUEUED_JOB_BYTES:
                            break
                        worker = by_results[conn]
                        try:
                            worker.jobs.send_bytes(data)
                        except OSError:  # it ended (its job pipe broke, or `stop` closed it)
                            raise WorkerLost(_ended(worker.pid)) from None
                        held.append(n)
                        n += 1
                        data = b""
                waiting = [conn for conn, held in given.items() if held]
                if not waiting:
                    return
                for ready in wait(waiting):
                    try:
                        done, ok, value = by_results[ready].results.recv()
                    except EOFError:  # it ended without a word
                        raise WorkerLost(_ended(by_results[ready].pid)) from None
                    given[ready].remove(done)
                    with self.changed:
                        self.results[done] = (ok, value)
                        self.changed.notify_all()
        except OSError as e:  # `stop` closed the pipes, or one broke
            failure = WorkerLost(f"a worker process could not be reached ({e})")
        except BaseException as e:  # anything else: raised where a result is waited for
            failure = e
        with self.changed:
            self.failure = failure
            self.changed.notify_all()


# The largest job a worker is given while it works on another: a fraction of a pipe's
# buffer (64 KiB on Linux), so that sending it never waits for the worker.
QUEUED_JOB_BYTES = 16384


def _fork(start: Callable[[], object], siblings: list[_Worker], pipe: Any) -> _Worker:
    """One worker, forked now, with its two pipes; it closes its siblings' ends."""
    jobs_in, jobs_out = pipe(duplex=False)
    results_in, results_out = pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # the worker: it never returns
        for other in siblings:
            other.jobs.close()
            other.results.close()
        jobs_out.close()
        results_in.close()
        _work(start, jobs_in, results_out)
    jobs_in.close()
    results_out.close()
    return _Worker(pid, jobs_out, results_in)


class WorkerLost(RuntimeError):
    """A worker process ended before sending the result of its job (killed, crashed)."""


def _ended(pid: int) -> str:
    """How a worker that closed its pipe in the middle of a job ended."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return "a worker process ended in the middle of its job"
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        why = " (the system may have run out of memory)" if number == signal.SIGKILL else ""
        return f"a worker process was killed by signal {number} in the middle of its job{why}"
    code = os.waitstatus_to_exitcode(status)
    return f"a worker process exited with status {code} in the middle of its job"


def _work(start: Callable[[], object], jobs: Connection, results: Connection) -> NoReturn:
    """A worker's life: `start`, then each job as it comes, its result or its error
    sent back, until its pipe closes."""
    try:
        start()
        while True:
            try:
                n, func, args = jobs.recv()
            except EOFError:
                break
            try:
                answer: tuple[int, bool, Any] = (n, True, func(*args))
            except Exception as e:  # the parent raises it where it reads the result
                answer = (n, False, e)
            try:
                results.send(answer)
            except Exception as e:  # a result or error that cannot be pickled
                results.send((n, False, RuntimeError(f"a worker's result cannot be sent: {e!r}")))
    finally:
        os._exit(0)


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
def ahead(prepare: Callable[[], object]) -> Iterator[Helper | None]:
    """One worker forked now, running `prepare` (a slow import, say) on another core
    while this process goes on; jobs given to it later (`Helper.apply`) find it
    prepared. None where that would not pay: one core, or no fork."""
    if (os.cpu_count() or 1) < 2 or not forks():
        yield None
        return
    pool = _Pool(1, partial(_prepare, prepare))
    try:
        yield Helper(pool)
    except BaseException as e:  # the build failed, or was interrupted
        pool.stop(interrupted=not isinstance(e, Exception))
        raise
    pool.stop()


class Helper:
    """The worker of `ahead`."""

    def __init__(self, pool: _Pool) -> None:
        self.pool = pool

    def apply(self, func: Callable[..., R], args: tuple[Any, ...]) -> Callable[[], R]:
        """`func(*args)` in the worker, started now (one job a helper); returns what
        waits for its result."""
        self.pool.run([(func, args)])
        return partial(self.pool.result, 0)


def _prepare(prepare: Callable[[], object]) -> None:
    quiet_worker()
    with contextlib.suppress(Exception):  # a job that needs it fails, and says why
        prepare()


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
