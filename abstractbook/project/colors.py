"""validate: colours as book.yaml writes them ("#rrggbb" or "cmyk(c, m, y, k)" in percent).

A colour travels through the stages as its normalised text, so layouts, page hashes
and the cache see it as they see any other string; render turns it into operators
(`pdf/colors.py`).
"""

from __future__ import annotations

import re

_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_NUM = r"\s*(\d+(?:\.\d+)?)\s*%?\s*"
_CMYK = re.compile(rf"cmyk\({_NUM},{_NUM},{_NUM},{_NUM}\)", re.I)


def parse_color(text: str) -> str | None:
    """The normalised colour ("#1f4e79", "cmyk(100,60,0,40)"), or None when `text` is
    neither form or a percentage is over 100."""
    text = text.strip()
    if _HEX.fullmatch(text):
        return text.lower()
    m = _CMYK.fullmatch(text)
    if m is None:
        return None
    values = [float(v) for v in m.groups()]
    if any(v > 100 for v in values):
        return None
    return "cmyk(" + ",".join(f"{v:g}" for v in values) + ")"


def cmyk_of(color: str) -> tuple[float, float, float, float] | None:
    """A normalised CMYK colour's inks from 0 to 1; None for an RGB one."""
    if not color.startswith("cmyk("):
        return None
    c, m, y, k = (float(v) / 100 for v in color[5:-1].split(","))
    return c, m, y, k


def tint(color: str, amount: float) -> str:
    """`color` at `amount` of its strength, mixed with the paper's white."""
    inks = cmyk_of(color)
    if inks is not None:
        return "cmyk(" + ",".join(f"{round(v * amount * 100, 1):g}" for v in inks) + ")"
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 - (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)
