"""Problems found in the input, and the exceptions that carry them.

Every stage reports what is wrong as `Problem`s with a `SourceLocation`, so the
command line can print them all at once as ``path:line:column: message``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Level(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class SourceLocation:
    """A place in an input file; line and column count from 1 (0: unknown)."""

    path: Path
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column or 1}"
        return str(self.path)


@dataclass(frozen=True)
class Problem:
    level: Level
    message: str
    location: SourceLocation | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        kind = "" if self.level is Level.ERROR else "warning: "
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{kind}{self.message}{hint}"


def error(message: str, location: SourceLocation | None = None, hint: str | None = None) -> Problem:
    return Problem(Level.ERROR, message, location, hint)


def warning(
    message: str, location: SourceLocation | None = None, hint: str | None = None
) -> Problem:
    return Problem(Level.WARNING, message, location, hint)


class InputError(Exception):
    """The project cannot be built; `problems` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the input")
        self.problems = sorted(problems, key=problem_order)


class BuildError(Exception):
    """Content that was valid input but cannot be laid out (names the talk)."""

    def __init__(self, message: str, location: SourceLocation | None = None) -> None:
        super().__init__(message)
        self.problem = error(message, location)


def problem_order(p: Problem) -> tuple[str, int, int, str]:
    """Problems as a reader goes through the files: by path, line, column."""
    loc = p.location
    if loc is None:
        return ("", 0, 0, p.message)
    return (str(loc.path), loc.line, loc.column, p.message)
