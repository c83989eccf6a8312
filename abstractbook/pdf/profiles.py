"""render: the ICC profiles a file's output intent embeds (shipped in `profiles/`)."""

from __future__ import annotations

from ..typeset.fonts import shipped

# sRGB (Debian's icc-profiles-free, zlib licence): the screen's and the archive's intent.
SRGB_PROFILE = shipped("profiles") / "sRGB.icc"
SRGB_CONDITION = "sRGB IEC61966-2.1"
# Coated offset paper, computed from FOGRA39 characterisation data (Debian's
# icc-profiles-free, zlib licence; see profiles/README.md): the printer's intent.
CMYK_PROFILE = shipped("profiles") / "coated-fogra39l.icc"
CMYK_CONDITION = "FOGRA39"  # ISO 12647-2:2004/Amd 1, coated paper, registered at color.org
CMYK_INFO = "Coated FOGRA39 (ISO 12647-2:2004/Amd 1, paper type 1 or 2)"
