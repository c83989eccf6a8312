"""new: a small working project to start from, written into an empty folder."""

from __future__ import annotations

from pathlib import Path

BOOK = """\
# The meeting and the look of the book. See the README for every key.
title: Workshop on Example Science
subtitle: Book of Abstracts
dates: {start: 2027-03-08, end: 2027-03-09}
venue: Main Lecture Hall, Example University
organisers: [Ada Example, Grace Sample]
page:
  size: A5
layout:
  abstract_start: flow
  hyphenate: true
  language: en
  smart_punctuation: true
  protrusion: true
  expansion: true
"""

PROGRAM = """\
days:
  - date: 2027-03-08
    sessions:
      - id: opening
        title: Opening session
        start: "09:00"
        room: Main Lecture Hall
        chair: Grace Sample
        talks:
          - {id: lovelace, duration: 45}
          - {id: hopper, duration: 30}
  - date: 2027-03-09
    sessions:
      - id: posters
        title: Posters
        start: "14:00"
        talks: [noether]
"""

ABSTRACTS = {
    "lovelace.yaml": """\
id: lovelace
type: keynote
title: Notes on an analytical engine
authors:
  - name: Ada Lovelace
    affiliations: [Example University]
body: |
  The engine *weaves algebraic patterns* just as the Jacquard loom weaves
  flowers and leaves. This abstract shows **emphasis**, a list and a link:

  - operations are cards;
  - variables are columns;
  - results are printed.

  More at [the project page](https://example.org/engine).
keywords: [computing, history]
""",
    "hopper.yaml": """\
id: hopper
title: Compilers for everyone
authors:
  - name: Grace Hopper
    affiliations: [Navy Research Laboratory, Example University]
    presenting: true
  - name: Richard Milton
    affiliations: [Navy Research Laboratory]
body: |
  Three steps turn English-like statements into machine code:

  1. parse the statement;
  2. look up each operation;
  3. emit the instructions.

  An author list with two affiliations gets numbered superscripts.
notes: Joint work with the Example Computing Group.
""",
    "noether.yaml": """\
id: noether
type: poster
board: P-1
title: Symmetry and conservation
authors:
  - name: Emmy Noether
    affiliations: Example Institute of Mathematics
body: |
  Every differentiable symmetry of the action of a physical system has a
  corresponding conservation law.
""",
}


# What a build writes (the PDF, its manifest, the rebuild cache) and what import keeps
# for itself stay out of version control: a cache is local to one user.
IGNORE = """build/
.abstractbook-cache/
"""


class NotEmptyError(Exception):
    pass


def write_project(directory: Path) -> list[Path]:
    """Write the starter project; refuses a folder that already holds anything."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise NotEmptyError(f"{directory}: not an empty folder; nothing was written")
    files = {Path("book.yaml"): BOOK, Path("program.yaml"): PROGRAM, Path(".gitignore"): IGNORE}
    files |= {Path("abstracts") / name: text for name, text in ABSTRACTS.items()}
    written = []
    for rel, text in files.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
