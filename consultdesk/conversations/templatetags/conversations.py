from __future__ import annotations

from django import template
from django.forms import Form

from consultdesk.conversations.models import MARKED_SECTIONS, SECTION_TITLES, SummaryVersion

register = template.Library()

Section = tuple[str, str, str, bool, str]


def sections_from(texts: dict[str, str], comments: dict[str, str] | None = None) -> list[Section]:
    """(name, title, text, marked, comment) per section, in reading order."""
    comments = comments or {}
    return [
        (name, str(title), texts.get(name) or "", name in MARKED_SECTIONS, comments.get(name, ""))
        for name, title in SECTION_TITLES.items()
    ]


@register.simple_tag
def version_sections(version: SummaryVersion) -> list[Section]:
    return sections_from(version.sections())


@register.simple_tag
def form_sections(form: Form) -> list[Section]:
    """The editor's current text (what was typed, or what was loaded) for the preview."""
    texts = {name: str(form[name].value() or "") for name in SECTION_TITLES}
    return sections_from(texts)


@register.filter
def section_title(titles: dict[str, str], name: str) -> str:
    return str(titles.get(name, name))
