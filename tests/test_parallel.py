"""Worker processes: an error raised in one leaves nothing behind that can hang."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_a_worker_error_leaves_no_pool_for_the_garbage_collector_to_wait_on() -> None:
    """A job that fails in a worker, or a build that fails while a worker prepares,
    stops the pool there and then: a pool left to the garbage collector waits for ever
    for a queue lock that an idle worker holds (a watch session, or a test run,
    collects garbage after a failed build)."""
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

        for _ in range(3):
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
