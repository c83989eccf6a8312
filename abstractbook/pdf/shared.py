"""render, many files: a run of PDFs (an export's talks) -> the parts they share, made once.

A thousand per-talk files differ in their pages but embed the same few faces and
the same output intent: a face's descriptor, widths, ToUnicode entries and its
preparation for subsetting, and the compressed ICC profile, are worked out once
per run instead of once per file. The bytes of each file are those it would have
alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .cidfonts import FaceParts


@dataclass
class Shared:
    """What the files of one run have in common. It lives as long as the run (an
    export's workers inherit it when they fork, each filling its own copy) and holds
    nothing but what the run's own fonts and profiles give."""

    faces: dict[str, FaceParts] = field(default_factory=dict)  # font name -> its parts
    profiles: dict[Path, bytes] = field(default_factory=dict)  # ICC profile -> compressed
