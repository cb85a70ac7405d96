"""Drafting a requirement summary, and comparing two versions of one.

The draft is a starting point in the client's own words: the core goal as recorded, what
the client confirmed in meetings, what they answered; then the two marked sections.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from consultdesk.consultations.models import Consultation
from consultdesk.conversations.models import (
    SECTION_TITLES,
    ConfirmReply,
    EntryKind,
    MeetingEntry,
    Question,
    QuestionStatus,
    SummaryVersion,
)
from consultdesk.insights.models import Finding, FindingStatus

MAX_FINDING_QUESTIONS = 10
HAN = re.compile(r"[\u4e00-\u9fff]")


def client_language(consultation: Consultation) -> str:
    """The language to write to the client in: Chinese when their own words are Chinese
    (checklists, drafts and exports are for the client, whatever the consultant's UI)."""
    sample = " ".join((consultation.title, consultation.core_goal, consultation.latest_snippet))
    return "zh-hans" if HAN.search(sample) else "en"


# A restatement is asked as a question ("…，对吗？", "…, right?"); once the client said yes
# it goes into the summary as a statement.
CHECK_TAIL = re.compile(
    r"[\s,，。.—-]*(对吗|是吗|对不对|是不是|没错吧|right|correct)\s*[？?]?\s*$", re.I
)


def as_statement(text: str) -> str:
    return CHECK_TAIL.sub("", text.strip()) or text.strip()


def _bullets(lines: list[str]) -> str:
    seen: list[str] = []
    for line in lines:
        line = " ".join(line.split())
        if line and line not in seen:
            seen.append(line)
    return "\n".join(f"- {line}" for line in seen)


def _stressed_text(item: Any) -> str:
    if isinstance(item, dict):
        return str(item.get("text") or item.get("value") or "")
    return str(item)


def _constraints(consultation: Consultation) -> list[str]:
    lines = []
    currency = consultation.budget_currency
    if consultation.budget_max is not None:
        lines.append(
            _("Budget not over %(amount)s %(currency)s")
            % {"amount": f"{consultation.budget_max:,}", "currency": currency}
        )
    elif consultation.budget_min is not None:
        lines.append(
            _("Budget from %(amount)s %(currency)s")
            % {"amount": f"{consultation.budget_min:,}", "currency": currency}
        )
    if consultation.timeline_date is not None:
        lines.append(_("In use by %(date)s") % {"date": consultation.timeline_date.isoformat()})
    elif consultation.timeline_days is not None:
        lines.append(_("In use within %(days)s days") % {"days": consultation.timeline_days})
    if consultation.existing_systems.strip():
        lines.append(
            _("Works with the existing systems: %(systems)s")
            % {"systems": consultation.existing_systems.strip()}
        )
    return lines


def draft_sections(consultation: Consultation) -> dict[str, str]:
    """The three sections of a first draft (plain text, one "- " line per point), in the
    client's language."""
    with translation.override(client_language(consultation)):
        return _draft_sections(consultation)


def _draft_sections(consultation: Consultation) -> dict[str, str]:
    entries = list(
        MeetingEntry.objects.live()
        .filter(meeting__consultation=consultation)
        .order_by("meeting__starts_at", "created_at", "id")
    )
    confirmed = [
        as_statement(entry.understood)
        for entry in entries
        if entry.kind == EntryKind.CONFIRM
        and entry.reply in (ConfirmReply.YES, ConfirmReply.CORRECTION)
    ]
    questions = list(Question.objects.filter(consultation=consultation).listed())
    answered = [
        f"{question.text} — {question.answer}"
        for question in questions
        if question.status == QuestionStatus.ANSWERED and question.answer
    ]
    goal = " ".join(consultation.core_goal.split())
    goals = "\n".join(part for part in (goal, _bullets(confirmed + answered)) if part)
    concerns = _bullets(
        [_stressed_text(item) for item in consultation.stressed or []] + _constraints(consultation)
    )
    # Asked in the meeting but not answered ("we will check") first, then never asked.
    still_open = [q.text for q in questions if q.status == QuestionStatus.ASKED] + [
        q.text for q in questions if q.status == QuestionStatus.OPEN
    ]
    refused = [
        _("Not yet agreed: %(text)s") % {"text": entry.text}
        for entry in entries
        if entry.kind == EntryKind.CONFIRM and entry.reply == ConfirmReply.NO
    ]
    if not questions:  # no checklist yet: the analysis's questions stand in for it
        findings = Finding.objects.filter(consultation=consultation, status=FindingStatus.OPEN)
        still_open += [str(finding.questions[0]) for finding in findings if finding.questions][
            :MAX_FINDING_QUESTIONS
        ]
    return {"goals": goals, "concerns": concerns, "to_confirm": _bullets(refused + still_open)}


@dataclass(frozen=True)
class DiffLine:
    op: str  # "same", "added" or "removed"
    text: str


@dataclass(frozen=True)
class SectionDiff:
    name: str
    title: str
    lines: list[DiffLine]

    @property
    def changed(self) -> bool:
        return any(line.op != "same" for line in self.lines)


def _line_diff(old: str, new: str) -> list[DiffLine]:
    before, after = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if op == "equal":
            lines += [DiffLine("same", text) for text in before[a_start:a_end]]
            continue
        lines += [DiffLine("removed", text) for text in before[a_start:a_end]]
        lines += [DiffLine("added", text) for text in after[b_start:b_end]]
    return lines


def versions_diff(*, old: SummaryVersion, new: SummaryVersion) -> list[SectionDiff]:
    """A line-by-line comparison per section; templates escape the text when showing it."""
    return [
        SectionDiff(
            name=name,
            title=str(title),
            lines=_line_diff(old.sections()[name], new.sections()[name]),
        )
        for name, title in SECTION_TITLES.items()
    ]
