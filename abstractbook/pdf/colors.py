"""render: colours (as `project/colors.py` writes them) -> PDF colour operators for the
file's output intent.

A file for the printer (x-4) has a CMYK intent: greys become DeviceGray, which
separates to the black plate alone, CMYK colours are written as given, and RGB
colours are converted through the intent's profile. A file for the screen or the
archive has an sRGB intent (or none): greys stay DeviceGray, RGB is written as
given, and CMYK is converted to RGB through the same profiles. Conversions go through
Little CMS (Pillow's ImageCms), relative colorimetric, so the same colour gives the
same numbers in every build.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from reportlab.lib.rl_accel import fp_str

from ..project.colors import cmyk_of
from .profiles import CMYK_PROFILE, SRGB_PROFILE


def fill(color: str, cmyk: bool) -> str:
    """The operator that sets the fill colour; `cmyk`: the file's intent is CMYK."""
    return _operator(color, cmyk, False)


def stroke(color: str, cmyk: bool) -> str:
    return _operator(color, cmyk, True)


@cache
def _operator(color: str, cmyk: bool, stroking: bool) -> str:
    given = cmyk_of(color)
    if given is not None:
        inks: tuple[float, ...] = given
    else:
        r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
        if r == g == b:  # a grey: black ink only, on any intent
            return f"{fp_str(r / 255)} {'G' if stroking else 'g'}"
        if cmyk:
            inks = _convert((r, g, b), "RGB", "CMYK")
        else:
            rgb = f"{fp_str(r / 255)} {fp_str(g / 255)} {fp_str(b / 255)}"
            return f"{rgb} {'RG' if stroking else 'rg'}"
    c, m, y, k = inks
    if c == m == y == 0:  # black ink alone
        return f"{fp_str(1 - k)} {'G' if stroking else 'g'}"
    if cmyk:
        return f"{fp_str(c)} {fp_str(m)} {fp_str(y)} {fp_str(k)} {'K' if stroking else 'k'}"
    red, green, blue = _convert(tuple(round(v * 255) for v in inks), "CMYK", "RGB")
    return f"{fp_str(red)} {fp_str(green)} {fp_str(blue)} {'RG' if stroking else 'rg'}"


Conversion = tuple[tuple[int, ...], str, str]
# Colours converted, by content (the profiles are the package's own): a rebuild takes
# them from the cache (`remember`) instead of loading Little CMS for the page it redraws.
_CONVERTED: dict[Conversion, tuple[float, ...]] = {}


def remember(conversions: dict[Conversion, tuple[float, ...]]) -> None:
    """Conversions made by an earlier build (the render cache keeps them)."""
    _CONVERTED.update(conversions)


def conversions() -> dict[Conversion, tuple[float, ...]]:
    """The conversions known, for the render cache."""
    return dict(_CONVERTED)


def _convert(values: tuple[int, ...], source: str, target: str) -> tuple[float, ...]:
    """One colour through Little CMS, from the sRGB profile to the CMYK one or back;
    the result from 0 to 1, rounded to the thousandth (as PDF numbers are written)."""
    known = _CONVERTED.get((values, source, target))
    if known is None:
        known = _CONVERTED[(values, source, target)] = _lcms(values, source, target)
    return known


def _lcms(values: tuple[int, ...], source: str, target: str) -> tuple[float, ...]:
    from PIL import Image, ImageCms

    pixel = ImageCms.applyTransform(Image.new(source, (1, 1), values), _transform(source, target))
    assert pixel is not None
    out = pixel.getpixel((0, 0))
    assert isinstance(out, tuple)
    return tuple(round(v / 255, 3) for v in out)


@cache
def _transform(source: str, target: str) -> Any:
    """The transform between the two shipped profiles, built once: reading the CMYK
    profile's tables costs more than converting a colour."""
    import io

    from PIL import ImageCms

    profiles = {"RGB": SRGB_PROFILE, "CMYK": CMYK_PROFILE}
    return ImageCms.buildTransform(
        ImageCms.ImageCmsProfile(io.BytesIO(profiles[source].read_bytes())),
        ImageCms.ImageCmsProfile(io.BytesIO(profiles[target].read_bytes())),
        source,
        target,
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
    )


_RGB_OP = re.compile(r"(?<![\w.])(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (rg|RG)\b")


def recolor(ops: str, cmyk: bool) -> str:
    """A drawing's operators (a formula, an SVG picture: reportlab writes RGB) with
    their colours as the file's intent wants them: greys as black ink, and under a
    CMYK intent every other colour converted."""

    def one(m: re.Match[str]) -> str:
        values = [min(max(float(v), 0.0), 1.0) for v in m.groups()[:3]]
        color = "#" + "".join(f"{round(v * 255):02x}" for v in values)
        return _operator(color, cmyk, m.group(4) == "RG")

    return _RGB_OP.sub(one, ops)
