"""Worker processes: a build or export that stops on bad input leaves nothing behind
that could hang the process going on (a test run, `watch`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import gc, sys
from pathlib import Path
from abstractbook import pipeline
from abstractbook.errors import InputError
root = Path(sys.argv[1])
for run in (lambda: pipeline.build(root, root / "build" / "book.pdf"),
            lambda: pipeline.export_talks(root, root / "build" / "talks")):
    try:
        run()
    except InputError:
        pass
    gc.collect()  # the workers' pool is let go here
print("done")
"""


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="workers need a second core")
def test_bad_input_read_while_a_worker_waits_ends_the_worker(tmp_path: Path) -> None:
    """A cold build or export reads the records while a worker loads the math
    renderer; a formula that cannot be typeset stops it, and the worker is ended
    with it (a worker killed while it waited for a job held the queue's lock, and
    letting its pool go then waited for that lock for ever)."""
    (tmp_path / "abstracts").mkdir()
    (tmp_path / "book.yaml").write_text("title: Bad Formula Meeting\n")
    (tmp_path / "abstracts" / "a.yaml").write_text(
        "id: a\ntitle: T\nauthors: [{name: Ada Lovelace}]\nbody: 'bad $\\\\frac{a}{$ here'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "done"
