"""A summary version as a Word document or Markdown, for mail attachments and archives."""

from __future__ import annotations

import io

from django.utils import translation
from django.utils.translation import gettext as _

from consultdesk.conversations.drafting import client_language
from consultdesk.conversations.models import MARKED_SECTIONS, SECTION_TITLES, SummaryVersion

# Word falls back to a Latin font for Chinese unless w:eastAsia names a CJK one.
EAST_ASIAN_FONT = "Microsoft YaHei"
LATIN_FONT = "Calibri"
MARK = "★"


def _title(version: SummaryVersion) -> str:
    return _("Requirement summary")


def _section_title(name: str) -> str:
    title = str(SECTION_TITLES[name])
    return f"{MARK} {title}" if name in MARKED_SECTIONS else title


def _meta_line(version: SummaryVersion) -> str:
    consultation = version.summary.consultation
    parts = [consultation.reference, consultation.client.name if consultation.client else ""]
    parts.append(_("version %(number)s") % {"number": version.number})
    parts.append(f"{version.created_at:%Y-%m-%d}")
    return " · ".join(part for part in parts if part)


def summary_markdown(version: SummaryVersion) -> str:
    """Markdown with the two marked sections flagged by a star, in the client's language."""
    with translation.override(client_language(version.summary.consultation)):
        return _markdown(version)


def _markdown(version: SummaryVersion) -> str:
    lines = [f"# {_title(version)}", "", _meta_line(version), ""]
    for name, text in version.sections().items():
        lines += [f"## {_section_title(name)}", "", text.strip() or "—", ""]
    return "\n".join(lines)


def _set_fonts(style: object) -> None:
    from docx.oxml.ns import qn

    style.font.name = LATIN_FONT  # type: ignore[attr-defined]
    properties = style.element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = properties.makeelement(qn("w:rFonts"), {})
        properties.append(fonts)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    # Heading styles name a theme font, which wins over rFonts unless removed.
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)


def summary_docx(version: SummaryVersion) -> bytes:
    """A .docx in the client's language, Chinese fonts set for body and headings; list
    lines become bullets."""
    with translation.override(client_language(version.summary.consultation)):
        return _docx(version)


def _docx(version: SummaryVersion) -> bytes:
    from docx import Document

    document = Document()
    for style_name in ("Normal", "Title", "Heading 1", "List Bullet"):
        _set_fonts(document.styles[style_name])
    document.add_heading(_title(version), level=0)
    document.add_paragraph(_meta_line(version))
    for name, text in version.sections().items():
        document.add_heading(_section_title(name), level=1)
        for line in text.strip().splitlines() or ["—"]:
            if line.startswith("- "):
                document.add_paragraph(line[2:], style="List Bullet")
            elif line.strip():
                document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
