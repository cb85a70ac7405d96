from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from consultdesk.accounts.models import User
from consultdesk.conftest import logged_in
from consultdesk.consultations.models import Consultation
from consultdesk.conversations.exports import EAST_ASIAN_FONT, summary_docx, summary_markdown
from consultdesk.conversations.models import MARKED_SECTIONS, SECTION_TITLES
from consultdesk.conversations.services import summary_save
from consultdesk.conversations.tests.conftest import in_chinese

pytestmark = pytest.mark.django_db

SECTIONS = {
    "goals": "家长端App加载超时率降到5%以下\n- 晚高峰（19-21点）课程页3秒内打开",
    "concerns": "- 预算不超过30万",
    "to_confirm": "- 现有服务器能否扩容？",
}


@pytest.fixture
def version(prepared_case: Consultation, alice: User):  # type: ignore[no-untyped-def]
    return summary_save(consultation=prepared_case, sections=SECTIONS, based_on=None, actor=alice)


def test_the_docx_opens_and_holds_the_headings_and_both_marked_sections(version) -> None:  # type: ignore[no-untyped-def]
    from docx import Document
    from docx.oxml.ns import qn

    document = Document(io.BytesIO(summary_docx(version)))
    headings = [
        p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))
    ]
    assert headings == [  # in the client's language (Chinese), whatever the UI's
        in_chinese(_("Requirement summary")),
        in_chinese(SECTION_TITLES["goals"]),
        "★ " + in_chinese(SECTION_TITLES["concerns"]),
        "★ " + in_chinese(SECTION_TITLES["to_confirm"]),
    ]
    texts = [p.text for p in document.paragraphs]
    assert "预算不超过30万" in texts and "现有服务器能否扩容？" in texts
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["晚高峰（19-21点）课程页3秒内打开", "预算不超过30万", "现有服务器能否扩容？"]
    for style in ("Normal", "Heading 1", "Title"):
        fonts = document.styles[style].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == EAST_ASIAN_FONT
        assert fonts.get(qn("w:eastAsiaTheme")) is None


def test_the_markdown_marks_the_two_sections(version) -> None:  # type: ignore[no-untyped-def]
    text = summary_markdown(version)
    concerns, to_confirm = (in_chinese(SECTION_TITLES[name]) for name in MARKED_SECTIONS)
    assert text.startswith(f"# {in_chinese(_('Requirement summary'))}\n")
    assert f"## ★ {concerns}\n\n- 预算不超过30万" in text
    assert f"## ★ {to_confirm}\n\n- 现有服务器能否扩容？" in text
    assert f"## {in_chinese(SECTION_TITLES['goals'])}\n" in text


def test_alice_downloads_both_exports(version, alice: User) -> None:  # type: ignore[no-untyped-def]
    pk = version.summary.consultation_id
    client = logged_in(alice)
    docx = client.get(reverse("summary_export", args=[pk, 1, "docx"]))
    assert docx["Content-Type"].endswith("wordprocessingml.document")
    assert docx.content[:2] == b"PK"
    markdown = client.get(reverse("summary_export", args=[pk, 1, "md"]))
    assert "预算不超过30万" in markdown.content.decode()
    assert client.get(reverse("summary_export", args=[pk, 1, "exe"])).status_code == 404
