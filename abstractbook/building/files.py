"""Atomic file writes: bytes -> a file that is either the old one or the new one, whole.

Every file is written to a temporary file beside the target and renamed into
place, so an interrupted or failed run leaves the previous file as it was. Kept
apart from `export` so that writing a file never loads the typesetting code.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

PART = ".part"


def temporary(target: Path) -> tuple[int, Path]:
    """An open temporary file beside `target`, named after it and this process
    (`.<name>.<pid>.<random>.part`), so a later run can tell a leftover of a process
    that no longer runs from a file still being written. The folder is made when
    missing (an export's thousand files are written into one that exists)."""
    prefix, folder = f".{target.name}.{os.getpid()}.", target.parent
    try:
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=PART, dir=folder)
    except FileNotFoundError:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=PART, dir=folder)
    return fd, Path(name)


def write_atomic(path: Path, data: bytes) -> None:
    write_atomic_with(path, lambda f: f.write(data))


def write_atomic_with(
    path: Path, write: Callable[[BinaryIO], object], *, durable: bool = True
) -> None:
    """Write through `write` into a temporary file, then rename it into place.

    `durable` waits for the disk (the book, the manifest); a cache need not."""
    fd, tmp = temporary(path)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            if durable:
                os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
