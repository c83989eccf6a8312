"""validate, part one: `Node`s -> typed values (text, lengths, dates, choices), problems noted.

Every reader method notes what is wrong and returns None instead of raising, so
one run of `validate` reports every mistake in the project, not just the first.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Collection, Sequence

from ..errors import Problem, SourceLocation, error, warning
from .sources import Node

POINTS_PER_UNIT = {"mm": 72 / 25.4, "cm": 720 / 25.4, "in": 72.0, "pt": 1.0}
_LENGTH = re.compile(r"\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*([^\W\d]*)\s*")
_CLOCK = re.compile(r"(\d{1,2}):(\d\d)")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def suggest(word: str, options: Collection[str]) -> str | None:
    """A 'did you mean' hint for a misspelt key or value, or None."""
    close = closest(word, options)
    return f"did you mean '{close}'?" if close else None


def closest(word: str, options: Collection[str]) -> str | None:
    """The option `word` was most likely meant to be: same letters in another case, or close."""
    lowered = {o.lower(): o for o in options}
    if word.lower() in lowered:
        return lowered[word.lower()]
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return close[0] if close else None


def one_of(options: Sequence[str]) -> str:
    quoted = [f"'{o}'" for o in options]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def parse_length(text: str) -> tuple[float | None, str | None]:
    """A length in points, or the reason the text is not one (units are mandatory)."""
    match = _LENGTH.fullmatch(text)
    if match is None:
        return None, "is not a length such as 18mm"
    number, unit = float(match.group(1)), match.group(2).lower()
    if not unit:
        return (0.0, None) if number == 0 else (None, "has no unit")
    if unit not in POINTS_PER_UNIT:
        return None, f"has an unknown unit '{match.group(2)}'"
    points = number * POINTS_PER_UNIT[unit]
    if not math.isfinite(points):
        return None, "is too large"
    return points, None


class Reader:
    """Reads typed values out of `Node`s; each mistake is noted and reading goes on."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, where: Node | SourceLocation, message: str, hint: str | None = None) -> None:
        location = where.location if isinstance(where, Node) else where
        self.problems.append(error(message, location, hint))

    def warn(self, where: Node | SourceLocation, message: str, hint: str | None = None) -> None:
        location = where.location if isinstance(where, Node) else where
        self.problems.append(warning(message, location, hint))

    def expected(self, node: Node, label: str, what: str, hint: str | None = None) -> None:
        prefix = f"{label}: " if label else ""
        self.error(node, f"{prefix}expected {what}, found {node.kind}", hint)

    def fields(
        self, node: Node | None, label: str, allowed: Sequence[str], required: Collection[str] = ()
    ) -> dict[str, Node] | None:
        """A mapping's known entries; unknown keys and missing required ones are noted.

        An absent or empty value (`page:` with nothing after it) counts as an empty
        mapping; None means the value was something else (and that is noted).
        """
        if node is None:
            return {}
        if node.value is None:
            entries: dict[str, Node] = {}
        elif isinstance(node.value, dict):
            entries = node.value
        else:
            self.expected(node, label, "a mapping", _mapping_hint(node))
            return None
        known: dict[str, Node] = {}
        meant: set[str] = set()  # keys a misspelt key probably stands for
        for key, value in entries.items():
            if key in allowed:
                known[key] = value
                continue
            close = closest(key, allowed)
            inside = f" in {label}" if label else ""
            self.error(
                node.key_location(key),
                f"unknown key '{key}'{inside}",
                f"did you mean '{close}'?" if close else f"expected {one_of(allowed)}",
            )
            meant.add(close or "")
        prefix = f"{label}: " if label else ""
        for key in required:
            if key not in entries and key not in meant:
                self.error(node, f"{prefix}missing required key '{key}'")
        return known

    def text(self, node: Node | None, label: str, required: bool = False) -> str | None:
        """Text as written: numbers, dates and yes/no read as their source text.

        Blank text counts as absent (an error if `required`). Control characters
        were refused when the file was loaded.
        """
        if node is None:
            return None
        if type(node.value) is str and node.text.strip():
            return node.text
        if isinstance(node.value, (list, dict)):
            self.expected(node, label, "a string")
            return None
        if node.value is None or not node.text.strip():
            if required:
                self.error(node, f"{label} is empty")
            return None
        return node.text

    def texts(self, node: Node | None, label: str, single: bool = False) -> tuple[str, ...]:
        """A list of strings; `single` also accepts one string on its own."""
        return tuple(text for text, _ in self.located_texts(node, label, single))

    def located_texts(
        self, node: Node | None, label: str, single: bool = False
    ) -> list[tuple[str, Node]]:
        """`texts`, each with the node it was read from (for warnings about one of them)."""
        if node is None or node.value is None:
            return []
        items = node.value
        if not isinstance(items, list):
            if not single or isinstance(items, dict):
                self.expected(node, label, "a list of strings")
                return []
            items = [node]
        found = []
        for i, item in enumerate(items, 1):
            text = self.text(
                item, label if single and item is node else f"{label}[{i}]", required=True
            )
            if text is not None:
                found.append((text, item))
        return found

    def items(self, node: Node | None, label: str, hint: str | None = None) -> list[Node]:
        """The items of a list (empty when absent or not a list, the latter noted)."""
        if node is None or node.value is None:
            return []
        if not isinstance(node.value, list):
            self.expected(node, label, "a list", hint)
            return []
        return node.value

    def flag(self, node: Node | None, label: str) -> bool | None:
        if node is None or node.value is None:
            return None
        if isinstance(node.value, bool):
            return node.value
        self.expected(node, label, "true or false")
        return None

    def count(self, node: Node | None, label: str) -> int | None:
        """A positive whole number, written in decimal digits."""
        if node is None or node.value is None:
            return None
        digits = node.text.strip()
        if isinstance(node.value, (int, str)) and digits.isascii() and digits.isdigit():
            significant = digits.lstrip("0") or "0"
            value = int(significant) if len(significant) <= 9 else 10**9
            if value > 0:
                return value
            self.error(node, f"{label}: must be 1 or more, found {digits}")
            return None
        self.expected(node, label, "a whole number")
        return None

    def choice(self, node: Node | None, label: str, options: Sequence[str]) -> str | None:
        value = self.text(node, label)
        if value is None or node is None:
            return None
        if value in options:
            return value
        self.error(node, f"{label}: '{value}' is not {one_of(options)}", suggest(value, options))
        return None

    def date(self, node: Node | None, label: str) -> dt.date | None:
        """An ISO date, quoted or not (YAML reads the unquoted form as a date itself)."""
        if node is None or node.value is None:
            return None
        value = node.value
        if isinstance(value, dt.datetime):
            self.expected(node, label, "a date (YYYY-MM-DD)", "leave out the time")
            return None
        if isinstance(value, dt.date):
            return value
        if isinstance(value, (list, dict)):
            self.expected(node, label, "a date (YYYY-MM-DD)")
            return None
        if _DATE.fullmatch(node.text):
            try:
                return dt.date.fromisoformat(node.text)
            except ValueError:
                self.error(node, f"{label}: {node.text} is not a valid date")
                return None
        self.error(node, f"{label}: expected a date (YYYY-MM-DD), found '{node.text}'")
        return None

    def clock(self, node: Node | None, label: str) -> str | None:
        """A time of day as "HH:MM"; unquoted 9:00, which YAML 1.1 reads as 540, too."""
        if node is None or node.value is None:
            return None
        if isinstance(node.value, (list, dict)):
            self.expected(node, label, "a time (HH:MM)")
            return None
        match = _CLOCK.fullmatch(node.text.strip())
        if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
            return f"{int(match.group(1)):02d}:{match.group(2)}"
        self.error(node, f"{label}: expected a time (HH:MM), found '{node.text}'")
        return None

    def length(self, node: Node | None, label: str) -> float | None:
        """A non-negative length in points from text such as `18mm` or `0.5 in`."""
        if node is None or node.value is None:
            return None
        if isinstance(node.value, (list, dict)):
            self.expected(node, label, "a length such as 18mm")
            return None
        points, reason = parse_length(node.text)
        if points is None:
            hint = None
            if reason == "has no unit":
                hint = f"write {node.text.strip()}mm, or use cm, in or pt"
            elif reason and reason.startswith("has an unknown unit"):
                hint = "use mm, cm, in or pt"
            self.error(node, f"{label}: '{node.text}' {reason}", hint)
            return None
        if points < 0:
            self.error(node, f"{label}: a length cannot be negative ({node.text})")
            return None
        return points


def _mapping_hint(node: Node) -> str | None:
    if isinstance(node.value, list):
        return "remove the '-' in front of the keys"
    return None
