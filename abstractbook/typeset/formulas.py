"""lay out, formulas: TeX math -> text runs when it is simple, else a vector drawing.

Simple math (letters, digits, Greek, operators, sub- and superscripts) is set as
real text, so it can be searched and copied. Anything else (fractions, roots,
matrices, ...) is drawn by ziamath as SVG and converted by svglib into a
reportlab drawing, aligned on the baseline. Both are memoised per source.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from typing import Any, NamedTuple

SVG_PX = 0.75  # svglib reads SVG pixels as 0.75 pt
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


class Formula(NamedTuple):
    width: float
    height: float
    depth: float  # below the baseline
    drawing: Any  # reportlab Drawing, or its PDF operators when `given` by a worker


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
    """The formula drawn by ziamath and svglib (about 10 ms); raises FormulaError."""
    too_large = limit_problem(tex) or drawing_problem(tex)
    if too_large:
        raise FormulaError(too_large)
    # Loaded on first use: most books have no formula that needs drawing.
    import ziamath
    from svglib.svglib import svg2rlg

    ziamath.config.svg2 = False  # type: ignore[attr-defined]  # svglib misplaces SVG2 glyphs
    try:
        svg = ziamath.Latex(tex, size=size / SVG_PX).svg()  # type: ignore[attr-defined]
    except Exception as e:  # ziamath raises many kinds; all mean "cannot typeset"
        raise FormulaError(f"{type(e).__name__} {e}".strip()) from None
    drawing = svg2rlg(io.StringIO(svg))
    box = re.search(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"', svg)
    if drawing is None or box is None:
        raise FormulaError("no drawing")
    _, vb_y, _, vb_h = (float(v) for v in box.groups())
    height = float(drawing.height)
    depth = (vb_h + vb_y) * height / vb_h if vb_h else 0.0
    return Formula(float(drawing.width), height, depth, drawing)


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
