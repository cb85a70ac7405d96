from collections.abc import Mapping, Sequence
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from consultdesk.insights.models import FindingKind

register = template.Library()


@register.filter
def highlight(text: str, findings: Sequence[Mapping[str, Any]] | None) -> SafeString:
    """The text, escaped, with each finding's span wrapped in <mark> (overlaps skipped)."""
    pieces: list[str] = []
    position = 0
    for finding in sorted(findings or (), key=lambda item: (item["start"], -item["end"])):
        start, end = finding["start"], finding["end"]
        if start < position or end > len(text) or start >= end:
            continue
        label = FindingKind(finding["kind"]).label if finding["kind"] in FindingKind.values else ""
        pieces.append(escape(text[position:start]))
        pieces.append(
            f'<mark class="finding k-{escape(finding["kind"])} s-{escape(finding["severity"])}"'
            f' title="{escape(label)}">{escape(text[start:end])}</mark>'
        )
        position = end
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces).replace("\n", "<br>"))  # noqa: S308 - every piece is escaped
