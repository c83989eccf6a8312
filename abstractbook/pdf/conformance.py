"""render: what the standards a file claims add to it: the header's version, the output
intent with its ICC profile, XMP metadata, the document information and the catalog's
language and viewer preferences. Each piece is a small function that the catalog and
trailer of `render.py` take in.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .pdffile import Deflated, PdfFile, flate, ref, text_string
from .profiles import (
    CMYK_CONDITION,
    CMYK_INFO,
    CMYK_PROFILE,
    SRGB_CONDITION,
    SRGB_PROFILE,
)


def escape(text: str) -> str:
    """Text as XML character data (what xml.sax.saxutils.escape does, without the
    import of urllib and http it brings to every command)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def pdf_version(standards: tuple[str, ...]) -> str:
    """The lowest version whose features the file uses: marked content with ActualText
    (1.5) always; PDF/X-4 is PDF 1.6 (and no later, which PDF/A-2 and PDF/UA-1 allow
    beside it), PDF/A-2 and PDF/UA-1 alone are ISO 32000-1 (1.7)."""
    if "x-4" in standards:
        return "1.6"
    return "1.7" if any(s.startswith(("a-", "ua-")) for s in standards) else "1.5"


def cmyk_intent(standards: tuple[str, ...]) -> bool:
    """The printer's standard makes the file's colours CMYK."""
    return "x-4" in standards


def output_intents(
    pdf: PdfFile, standards: tuple[str, ...], profiles: dict[Path, bytes] | None = None
) -> str:
    """The catalog's /OutputIntents entry (written with its profile), or "" for a
    plain file. PDF/A-2 and PDF/X-4 together share one profile object, as PDF/A-2
    requires. `profiles` keeps each profile compressed for the other files of a run."""
    kinds = [s for s in ("x-4", "a-2") if any(t.startswith(s) for t in standards)]
    if not kinds:
        return ""
    cmyk = cmyk_intent(standards)
    profile = pdf.reserve()
    data = _packed_profile(CMYK_PROFILE if cmyk else SRGB_PROFILE, profiles, pdf.deflated)
    pdf.put_stream(profile, f"/N {4 if cmyk else 3}", data, packed=True)
    condition = CMYK_CONDITION if cmyk else SRGB_CONDITION
    info = CMYK_INFO if cmyk else SRGB_CONDITION
    intents = []
    for kind in kinds:
        subtype = "/GTS_PDFX" if kind == "x-4" else "/GTS_PDFA1"
        num = pdf.reserve()
        pdf.put(
            num,
            f"<< /Type /OutputIntent /S {subtype} /OutputConditionIdentifier "
            f"{text_string(condition)} /RegistryName (http://www.color.org) "
            f"/Info {text_string(info)} /DestOutputProfile {ref(profile)} >>",
        )
        intents.append(ref(num))
    return f" /OutputIntents [{' '.join(intents)}]"


def _packed_profile(
    path: Path, profiles: dict[Path, bytes] | None, deflated: Deflated | None = None
) -> bytes:
    """An ICC profile's stream data, compressed once per run of files (and, with
    `deflated`, once for the builds of a book)."""
    data = profiles.get(path) if profiles is not None else None
    if data is None:
        raw = path.read_bytes()
        data = deflated.compress(raw, deflated.key(raw)) if deflated is not None else flate(raw)
        if profiles is not None:
            profiles[path] = data
    return data


def image_spaces(pdf: PdfFile, standards: tuple[str, ...], needed: set[str]) -> dict[str, str]:
    """ICC colour spaces for the images' device spaces that the output intent does not
    cover (`needed`: the device spaces the images use): an RGB picture in a print file is
    sRGB, a CMYK one in an sRGB archive is the coated profile's. A plain file keeps them."""
    if not any(s in ("x-4", "a-2b", "a-2u") for s in standards):
        return {}
    foreign = "DeviceRGB" if cmyk_intent(standards) else "DeviceCMYK"
    if foreign not in needed:
        return {}
    num = pdf.reserve()
    rgb = foreign == "DeviceRGB"
    pdf.put_stream(
        num, f"/N {3 if rgb else 4}", (SRGB_PROFILE if rgb else CMYK_PROFILE).read_bytes()
    )
    return {foreign: f"[/ICCBased {ref(num)}]"}


def language_tag(language: str) -> str:
    """pyphen's language name as a BCP 47 tag (en_GB -> en-GB)."""
    return language.replace("_", "-")


def catalog_entries(language: str, title_shown: bool = True) -> str:
    """The document's language (screen readers' voice, hyphenation in copy) and the
    title, not the file name, in a viewer's window."""
    prefs = " /ViewerPreferences << /DisplayDocTitle true >>" if title_shown else ""
    return f" /Lang {text_string(language_tag(language))}{prefs}"


# Properties outside PDF/A's predefined schemas, which a PDF/A file must describe.
_SCHEMAS = {
    "x-4": (
        "PDF/X ID Schema",
        "http://www.npes.org/pdfx/ns/id/",
        "pdfxid",
        "GTS_PDFXVersion",
        "Text",
        "The PDF/X version the file conforms to",
    ),
    "ua-1": (
        "PDF/UA Universal Accessibility Schema",
        "http://www.aiim.org/pdfua/ns/id/",
        "pdfuaid",
        "part",
        "Integer",
        "The part of ISO 14289 the file conforms to",
    ),
}


def _extension_schemas(standards: tuple[str, ...]) -> str:
    """The pdfaExtension description of the pdfxid and pdfuaid properties, when the file
    also claims PDF/A (whose validators refuse properties of schemas they do not know)."""
    if not any(s.startswith("a-2") for s in standards):
        return ""
    schemas = [_SCHEMAS[s] for s in standards if s in _SCHEMAS]
    if not schemas:
        return ""
    items = "".join(
        '<rdf:li rdf:parseType="Resource">'
        f"<pdfaSchema:schema>{title}</pdfaSchema:schema>"
        f"<pdfaSchema:namespaceURI>{uri}</pdfaSchema:namespaceURI>"
        f"<pdfaSchema:prefix>{prefix}</pdfaSchema:prefix>"
        '<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">'
        f"<pdfaProperty:name>{prop}</pdfaProperty:name>"
        f"<pdfaProperty:valueType>{kind}</pdfaProperty:valueType>"
        "<pdfaProperty:category>internal</pdfaProperty:category>"
        f"<pdfaProperty:description>{about}</pdfaProperty:description>"
        "</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li>\n"
        for title, uri, prefix, prop, kind, about in schemas
    )
    return (
        '<rdf:Description rdf:about=""'
        ' xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"'
        ' xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"'
        ' xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">\n'
        f"<pdfaExtension:schemas><rdf:Bag>\n{items}</rdf:Bag></pdfaExtension:schemas>\n"
        "</rdf:Description>\n"
    )


def pdf_date(when: dt.datetime) -> str:
    return when.strftime("D:%Y%m%d%H%M%S+00'00'")


def document_info(meta: dict[str, str], when: dt.datetime, standards: tuple[str, ...]) -> str:
    """The Info dictionary: empty entries left out (an empty author is no author), the
    dates, and what PDF/X asks (Trapped, the version)."""
    entries = [f"/{k} {text_string(v)}" for k, v in meta.items() if v]
    entries += [f"/CreationDate ({pdf_date(when)})", f"/ModDate ({pdf_date(when)})"]
    if "x-4" in standards:  # the XMP says it for PDF/X-4; older preflights read it here
        entries.append("/Trapped /False /GTS_PDFXVersion (PDF/X-4)")
    return "<< " + " ".join(entries) + " >>"


def metadata(
    pdf: PdfFile, meta: dict[str, str], when: dt.datetime, standards: tuple[str, ...]
) -> str:
    """XMP metadata that repeats the Info dictionary and names the standards claimed;
    returns the catalog's /Metadata entry. Left unfiltered, as PDF/A wants it readable."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    props = [
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(meta["Title"])}'
        "</rdf:li></rdf:Alt></dc:title>",
        "<dc:format>application/pdf</dc:format>",
        f"<xmp:CreateDate>{stamp}</xmp:CreateDate>",
        f"<xmp:ModifyDate>{stamp}</xmp:ModifyDate>",
        f"<xmp:MetadataDate>{stamp}</xmp:MetadataDate>",
        f"<xmp:CreatorTool>{escape(meta['Creator'])}</xmp:CreatorTool>",
        f"<pdf:Producer>{escape(meta['Producer'])}</pdf:Producer>",
    ]
    if meta.get("Author"):
        props.append(
            f"<dc:creator><rdf:Seq><rdf:li>{escape(meta['Author'])}</rdf:li></rdf:Seq></dc:creator>"
        )
    if meta.get("Subject"):
        props.append(
            f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(meta["Subject"])}'
            "</rdf:li></rdf:Alt></dc:description>"
        )
    if meta.get("Keywords"):
        props.append(f"<pdf:Keywords>{escape(meta['Keywords'])}</pdf:Keywords>")
    for s in standards:
        if s.startswith("a-2"):
            props.append(
                f"<pdfaid:part>2</pdfaid:part><pdfaid:conformance>{s[-1].upper()}"
                "</pdfaid:conformance>"
            )
        elif s == "x-4":
            props.append("<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>")
            props.append("<pdf:Trapped>False</pdf:Trapped>")
        elif s == "ua-1":
            props.append("<pdfuaid:part>1</pdfuaid:part>")
    extensions = _extension_schemas(standards)
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about=""'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/"'
        ' xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"'
        ' xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/"'
        ' xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">\n'
        + "\n".join(props)
        + "\n</rdf:Description>\n"
        + extensions
        + "</rdf:RDF>\n</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    )
    num = pdf.reserve()
    pdf.put_raw_stream(num, "/Type /Metadata /Subtype /XML", packet.encode("utf-8"))
    return f" /Metadata {ref(num)}"
