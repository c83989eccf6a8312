"""Worker processes: an error raised in one leaves nothing behind that can hang."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_a_worker_error_leaves_no_pool_for_the_garbage_collector_to_wait_on() -> None:
    """A job that fails in a worker, or a build that fails while a worker prepares,
    stops the pool there and then, and nothing waits for ever: neither a pool left to
    the garbage collector (a watch session, or a test run, collects garbage after a
    failed build) nor the stopping itself while another worker sends its result
    (with multiprocessing's Pool, a worker killed then held the results' lock for
    good; under load one run in twenty hung)."""
    script = textwrap.dedent(
        """
        import gc
        from pathlib import Path
        from abstractbook import parallel
        from abstractbook.errors import BuildError, SourceLocation

        def fail(context, line):
            raise BuildError(f"line {line}", SourceLocation(context, line, 1))

        def same(context, job):
            return job

        for _ in range(20):
            try:
                list(parallel.fork_map(fail, Path("t.yaml"), [7, 8, 9], 2))
            except BuildError as e:
                assert str(e) == "line 7"
            else:
                raise AssertionError("no error")
            gc.collect()
        def prepare():
            return None

        try:
            with parallel.ahead(prepare):
                raise BuildError("the book failed meanwhile", SourceLocation(Path("b"), 1, 1))
        except BuildError:
            gc.collect()
        jobs = parallel.fork_map(same, None, list(range(50)), 2)
        next(jobs)
        jobs.close()  # the rest not wanted
        gc.collect()
        print("collected")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "collected"


def test_a_worker_that_dies_is_an_error_not_a_wait() -> None:
    """A worker killed in the middle of its job (the out-of-memory killer, a crash)
    ends the map at once with an error saying so: the build never waits for a result
    that cannot come."""
    script = textwrap.dedent(
        """
        import os, signal
        from abstractbook import parallel

        def die(context, job):
            if job == 3:
                os.kill(os.getpid(), signal.SIGKILL)
            return job

        try:
            list(parallel.fork_map(die, None, list(range(8)), 2))
        except parallel.WorkerLost as e:
            print("lost:", e)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("lost: a worker process was killed by signal 9"), done.stdout
