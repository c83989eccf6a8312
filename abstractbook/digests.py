"""Content digests: the one way the package names text, bytes or a file by what it holds."""

from __future__ import annotations

import hashlib
from pathlib import Path


def digest(data: str | bytes) -> str:
    """The SHA-256 of `data` (text as UTF-8), in hex."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def file_digest(path: Path) -> str:
    """The digest of a file's bytes."""
    return digest(path.read_bytes())
