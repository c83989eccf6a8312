"""lay out, formulas: TeX math -> text runs when it is simple, else a vector drawing.

Simple math (letters, digits, Greek, operators, sub- and superscripts) is set as
real text, so it can be searched and copied. Anything else (fractions, roots,
matrices, ...) is drawn by ziamath as SVG, whose paths become PDF operators
here (`outline`), aligned on the baseline. Both are memoised per source.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from typing import Any, NamedTuple
from xml.etree import ElementTree as ET

SVG_PX = 0.75  # an SVG pixel is 0.75 pt
OBJECT = "@math"  # the pseudo-font of a formula drawn as a picture

GREEK = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ϵ",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "vartheta": "ϑ",
    "iota": "ι",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "varpi": "ϖ",
    "rho": "ρ",
    "varrho": "ϱ",
    "sigma": "σ",
    "varsigma": "ς",
    "tau": "τ",
    "upsilon": "υ",
    "phi": "ϕ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Xi": "Ξ",
    "Pi": "Π",
    "Sigma": "Σ",
    "Upsilon": "Υ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
}
RELATIONS = {
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "neq": "≠",
    "ne": "≠",
    "approx": "≈",
    "sim": "∼",
    "simeq": "≃",
    "equiv": "≡",
    "propto": "∝",
    "in": "∈",
    "notin": "∉",
    "subset": "⊂",
    "subseteq": "⊆",
    "supset": "⊃",
    "to": "→",
    "rightarrow": "→",
    "leftarrow": "←",
    "Rightarrow": "⇒",
    "Leftrightarrow": "⇔",
    "mapsto": "↦",
    "ll": "≪",
    "gg": "≫",
    "=": "=",
    "<": "<",
    ">": ">",
}
BINARY = {
    "pm": "±",
    "mp": "∓",
    "times": "×",
    "cdot": "·",
    "div": "÷",
    "cup": "∪",
    "cap": "∩",
    "circ": "∘",
    "ast": "∗",
    "+": "+",
    "-": "−",
    "wedge": "∧",
    "vee": "∨",
}
SYMBOLS = {
    "infty": "∞",
    "partial": "∂",
    "nabla": "∇",
    "forall": "∀",
    "exists": "∃",
    "emptyset": "∅",
    "ell": "ℓ",
    "hbar": "ℏ",
    "prime": "′",
    "ldots": "…",
    "cdots": "⋯",
    "dots": "…",
    "sum": "∑",
    "prod": "∏",
    "int": "∫",
    "neg": "¬",
    "langle": "⟨",
    "rangle": "⟩",
    "log": "log",
    "ln": "ln",
    "exp": "exp",
    "sin": "sin",
    "cos": "cos",
    "max": "max",
    "min": "min",
    "lim": "lim",
    "arg": "arg",
    "det": "det",
    "Pr": "Pr",
    "|": "‖",
}
BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ"}
UPRIGHT_FUNCTIONS = {"log", "ln", "exp", "sin", "cos", "max", "min", "lim", "arg", "det", "Pr"}
THIN = "\u2005"  # a quarter-em space around operators (the line breaker never breaks there)

# A piece of simple math: (text, italic, script) with script "" | "sup" | "sub".
MathPiece = tuple[str, bool, str]
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|([A-Za-z])|(\d+(?:\.\d+)?)|(\s+)|(.)", re.S)


# Limits that keep a formula's time bounded (README, Limits). ziamath lays out every
# group twice (once to measure it), so its work doubles with each level of nesting,
# and it grows with the square of a row's length: a drawn formula is limited in its
# characters and in its weight, each character counted 2^d times at depth d.
MAX_LENGTH = 10_000  # characters of any formula
MAX_DEPTH = 100  # nesting of {…} groups, \left…\right and \begin…\end
MAX_DRAWN_LENGTH = 500  # characters of a formula drawn as a picture
MAX_WEIGHT = 1_000
_OPEN = re.compile(r"\\(?:[{}]|left\b|right\b|begin\b|end\b)|[{}]")


def shown(tex: str) -> str:
    """A formula as a message quotes it: its start, when it is long."""
    return tex if len(tex) <= 60 else tex[:60] + "…"


def limit_problem(tex: str) -> str | None:
    """Why a formula is refused before anything tries to set it, or None."""
    if len(tex) > MAX_LENGTH:
        return f"{len(tex):,} characters; a formula may have at most {MAX_LENGTH:,}"
    depth = deepest = 0
    for m in _OPEN.finditer(tex):
        tok = m.group()
        if tok in ("{", "\\left", "\\begin"):
            depth += 1
            deepest = max(deepest, depth)
        elif tok in ("}", "\\right", "\\end"):
            depth = max(0, depth - 1)
    if deepest > MAX_DEPTH:
        return f"nested {deepest} deep; a formula may nest at most {MAX_DEPTH} deep"
    return None


def drawing_problem(tex: str) -> str | None:
    """Why a formula that needs drawing is too large to draw in bounded time, or None."""
    if len(tex) > MAX_DRAWN_LENGTH:
        return (
            f"{len(tex):,} characters; a formula with fractions, roots or other "
            f"structures may have at most {MAX_DRAWN_LENGTH:,} (split it into several)"
        )
    weight = 0
    depth = 0
    last = 0
    for m in _OPEN.finditer(tex):
        weight += (m.start() - last) << min(depth, 40)
        last = m.start()
        tok = m.group()
        if tok in ("{", "\\left", "\\begin"):
            depth += 1
        elif tok in ("}", "\\right", "\\end"):
            depth = max(0, depth - 1)
    weight += (len(tex) - last) << min(depth, 40)
    if weight > MAX_WEIGHT:
        return (
            f"too deeply nested for its length: its characters, each counted twice for "
            f"every group it sits in, add up to {weight:,}; at most {MAX_WEIGHT:,} can be "
            "drawn (nest less, or split it into several formulas)"
        )
    return None


class Unsimple(Exception):
    """The formula needs real math layout."""


@lru_cache(maxsize=4096)
def simple(tex: str) -> tuple[MathPiece, ...] | None:
    """The formula as text pieces, or None when it is not simple enough for text."""
    try:
        pieces = _Simple(tex).run()
    except Unsimple:
        return None
    return tuple(pieces)


class _Simple:
    def __init__(self, tex: str) -> None:
        self.tokens = [m for m in _TOKEN.finditer(tex)]
        self.i = 0

    def run(self) -> list[MathPiece]:
        out: list[MathPiece] = []
        while self.i < len(self.tokens):
            out += self.atom(script="")
        return out

    def atom(self, script: str) -> list[MathPiece]:
        tok = self.tokens[self.i]
        self.i += 1
        cmd, letter, number, space, other = tok.groups()
        if space:
            return []
        if letter:
            return [(letter, True, script)]
        if number:
            return [(number, False, script)]
        if cmd is not None:
            return self.command(cmd, script)
        assert other is not None
        if other in "^_":
            if script:
                raise Unsimple  # nested scripts
            if self.i >= len(self.tokens):
                raise Unsimple
            return self.atom("sup" if other == "^" else "sub")
        if other == "{":
            return self.group(script)
        if other == "'":
            return [("′", False, script)]
        if other in RELATIONS or other in BINARY:
            sym = RELATIONS.get(other) or BINARY[other]
            return [(THIN + sym + THIN, False, script)] if not script else [(sym, False, script)]
        if other in "()[],.;:!/|":
            return [(other + (THIN if other in ",;" else ""), False, script)]
        raise Unsimple

    def group(self, script: str) -> list[MathPiece]:
        out: list[MathPiece] = []
        while self.i < len(self.tokens):
            if self.tokens[self.i].group(5) == "}":
                self.i += 1
                return out
            out += self.atom(script)
        raise Unsimple  # unclosed group

    def command(self, cmd: str, script: str) -> list[MathPiece]:
        if cmd in GREEK:
            return [(GREEK[cmd], cmd[0].islower(), script)]
        if cmd in RELATIONS or cmd in BINARY:
            sym = RELATIONS.get(cmd) or BINARY[cmd]
            return [(THIN + sym + THIN, False, script)] if not script else [(sym, False, script)]
        if cmd in SYMBOLS:
            text = SYMBOLS[cmd]
            return [(text + (THIN if cmd in UPRIGHT_FUNCTIONS else ""), False, script)]
        if cmd in (",", ";", ":", " ", "quad"):
            return [(THIN, False, script)]
        if cmd in ("{", "}", "%", "$", "#", "&", "_"):
            return [(cmd, False, script)]
        if cmd == "mathbb":
            inner = self.argument()
            if all(c in BLACKBOARD for c in inner):
                return [("".join(BLACKBOARD[c] for c in inner), False, script)]
            raise Unsimple
        if cmd in ("mathrm", "text", "operatorname", "mathit"):
            inner = self.argument()
            return [(inner, cmd == "mathit", script)]
        raise Unsimple

    def argument(self) -> str:
        """The literal text of a {…} argument (letters, digits, spaces)."""
        if self.i >= len(self.tokens) or self.tokens[self.i].group(5) != "{":
            raise Unsimple
        self.i += 1
        text = ""
        while self.i < len(self.tokens):
            tok = self.tokens[self.i]
            self.i += 1
            if tok.group(5) == "}":
                return text
            if tok.group(1) is not None:
                raise Unsimple
            text += tok.group(0)
        raise Unsimple


class Outline(NamedTuple):
    """A formula's drawing as PDF path operators, in points from its lower left."""

    width: float
    height: float
    ops: str


class Formula(NamedTuple):
    width: float
    height: float
    depth: float  # below the baseline
    drawing: Any  # an Outline; a reportlab Drawing for shapes `outline` does not read


class FormulaError(ValueError):
    """TeX that ziamath cannot typeset."""


MEMO_SIZE = 4096
# Formulas drawn elsewhere (in forked workers, see building/preflight), by content.
_GIVEN: dict[tuple[str, float], Formula] = {}


def given(tex: str, size: float, drawn: Formula) -> None:
    """Keep a formula drawn elsewhere, so `formula` does not draw it again."""
    if len(_GIVEN) >= MEMO_SIZE:
        del _GIVEN[next(iter(_GIVEN))]
    _GIVEN[tex, size] = drawn


def formula(tex: str, size: float) -> Formula:
    """The formula drawn at a font size; raises FormulaError for malformed TeX."""
    return _GIVEN.get((tex, size)) or draw(tex, size)


@lru_cache(maxsize=MEMO_SIZE)
def draw(tex: str, size: float) -> Formula:
    """The formula drawn by ziamath (about 10 ms); raises FormulaError."""
    too_large = limit_problem(tex) or drawing_problem(tex)
    if too_large:
        raise FormulaError(too_large)
    ziamath = _ziamath()
    try:
        svg = ziamath.Latex(tex, size=size / SVG_PX).svgxml()
    except Exception as e:  # ziamath raises many kinds; all mean "cannot typeset"
        raise FormulaError(f"{type(e).__name__} {e}".strip()) from None
    box = [float(v) for v in svg.get("viewBox", "").split()]
    if len(box) != 4 or not box[2] or not box[3]:
        raise FormulaError("no drawing")
    _, vb_y, vb_w, vb_h = box
    width, height = vb_w * SVG_PX, vb_h * SVG_PX
    depth = (vb_h + vb_y) * SVG_PX
    try:
        return Formula(width, height, depth, Outline(width, height, outline(svg)))
    except _Unread:  # a shape ziamath draws rarely (an ellipse, an arrow's marker)
        from svglib.svglib import svg2rlg

        drawing = svg2rlg(io.StringIO(ET.tostring(svg, encoding="unicode")))
        if drawing is None:
            raise FormulaError("no drawing") from None
        return Formula(float(drawing.width), float(drawing.height), depth, drawing)


def load_renderer() -> None:
    """Load the math renderer and its fonts now (in a worker that draws ahead)."""
    _ziamath()


def _ziamath() -> Any:
    """ziamath, loaded on first use: most books have no formula that needs drawing."""
    import ziamath
    import ziamath.styles

    ziamath.config.svg2 = False  # type: ignore[attr-defined]  # glyphs as paths, no <use>
    # ziamath deep-copies the parent's style (dataclasses.asdict) for every node only
    # to read its plain fields: a shallow copy gives the same values, a third faster.
    ziamath.styles.asdict = _fields  # type: ignore[attr-defined,assignment]
    return ziamath


def _fields(style: Any) -> dict[str, Any]:
    return dict(vars(style))


class _Unread(Exception):
    """An SVG element or path command that `outline` does not convert."""


_PATH_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def outline(svg: ET.Element) -> str:
    """ziamath's SVG (paths of M, L, Q, C, Z; rectangles; groups that set a colour) as
    PDF operators: y turned up, SVG pixels to points, quadratic curves as cubic."""
    x0, y0, _, h = (float(v) for v in svg.get("viewBox", "").split())
    out: list[str] = []

    def pt(x: float, y: float) -> str:
        return f"{_num((x - x0) * SVG_PX)} {_num((y0 + h - y) * SVG_PX)}"

    def walk(el: ET.Element, fill: str) -> None:
        for child in el:
            tag = child.tag.rpartition("}")[2]
            if set(child.attrib) - _KNOWN_ATTRIBUTES:
                raise _Unread
            colour = child.get("fill", fill)
            if tag == "g":
                walk(child, colour)
            elif tag == "rect":
                x, y = float(child.get("x", 0)), float(child.get("y", 0))
                w, hh = float(child.get("width", 0)), float(child.get("height", 0))
                shape = f"{pt(x, y + hh)} {_num(w * SVG_PX)} {_num(hh * SVG_PX)} re"
                paint(child, colour, shape)
            elif tag == "path":
                paint(child, colour, _path(child.get("d", ""), pt))
            else:
                raise _Unread

    def paint(el: ET.Element, fill: str, shape: str) -> None:
        stroke = el.get("stroke", "none")
        if fill != "none":
            out.append(f"{_colour(fill, 'rg')} {shape} f")
        if stroke != "none":
            lw = float(el.get("stroke-width", 1)) * SVG_PX
            out.append(f"{_colour(stroke, 'RG')} {_num(lw)} w {shape} S")

    walk(svg, "black")
    return "\n".join(out)


_KNOWN_ATTRIBUTES = {"d", "fill", "stroke", "stroke-width", "x", "y", "width", "height"}


def _path(d: str, pt: Any) -> str:
    """An SVG path's absolute commands as PDF path operators."""
    tokens = _PATH_TOKEN.findall(d)
    ops: list[str] = []
    cx = cy = sx = sy = 0.0
    i, cmd = 0, ""
    while i < len(tokens):
        if tokens[i].isalpha():
            cmd = tokens[i]
            i += 1
            if cmd == "Z":
                ops.append("h")
                cx, cy = sx, sy
                continue
        n = {"M": 2, "L": 2, "Q": 4, "C": 6}.get(cmd)
        if n is None or i + n > len(tokens):
            raise _Unread
        v = [float(t) for t in tokens[i : i + n]]
        i += n
        if cmd == "M":
            ops.append(f"{pt(*v)} m")
            cx, cy = sx, sy = v
            cmd = "L"  # further pairs after a moveto are lines
        elif cmd == "L":
            ops.append(f"{pt(*v)} l")
            cx, cy = v
        elif cmd == "Q":  # the cubic with the same curve: controls 2/3 of the way
            qx, qy, x, y = v
            c1 = (cx + 2 * (qx - cx) / 3, cy + 2 * (qy - cy) / 3)
            c2 = (x + 2 * (qx - x) / 3, y + 2 * (qy - y) / 3)
            ops.append(f"{pt(*c1)} {pt(*c2)} {pt(x, y)} c")
            cx, cy = x, y
        else:
            ops.append(f"{pt(v[0], v[1])} {pt(v[2], v[3])} {pt(v[4], v[5])} c")
            cx, cy = v[4], v[5]
    return " ".join(ops)


@lru_cache(maxsize=64)
def _colour(value: str, op: str) -> str:
    """An SVG colour as a PDF fill (`rg`) or stroke (`RG`) colour; black as pure K."""
    from PIL import ImageColor

    try:
        r, g, b = ImageColor.getrgb(value)[:3]
    except ValueError:
        raise _Unread from None
    if r == g == b:
        return f"{_num(r / 255)} {op.replace('rg', 'g').replace('RG', 'G')}"
    return f"{_num(r / 255)} {_num(g / 255)} {_num(b / 255)} {op}"


def _num(v: float) -> str:
    text = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def problem(tex: str, size: float = 10.0) -> str | None:
    """Why a formula cannot be typeset, or None."""
    too_large = limit_problem(tex)
    if too_large:
        return too_large
    if simple(tex) is not None or (tex, size) in _GIVEN:
        return None
    try:
        formula(tex, size)
    except FormulaError as e:
        return str(e) or "malformed formula"
    return None
