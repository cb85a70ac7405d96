"""Load the demo data set through the same services a person would use."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from consultdesk.accounts.models import Role, User
from consultdesk.accounts.services import user_create
from consultdesk.clients.services import client_create, contact_create
from consultdesk.consultations.choices import Channel, Direction, Outcome, Priority, Stage
from consultdesk.consultations.models import Consultation
from consultdesk.consultations.services import (
    consultation_create,
    consultation_transition,
    consultation_update_record,
    message_add,
)
from consultdesk.consultations.workflow import ORDER
from consultdesk.conversations.models import EntryKind, SummaryVersion
from consultdesk.conversations.services import (
    checklist_generate,
    meeting_create,
    meeting_end,
    meeting_entry_save,
    summary_confirm,
    summary_draft,
    summary_send,
)
from consultdesk.demo.dataset import DEMO_PASSWORD, ORDINARY, STORIES, USERS, DemoCase


def demo_is_loaded() -> bool:
    return User.objects.filter(username=USERS[0][0]).exists()


def latest_ten_pm(now: datetime.datetime) -> datetime.datetime:
    """The most recent 22:00 local time: the after-hours website message of the story."""
    local = timezone.localtime(now)
    ten_pm = local.replace(hour=22, minute=0, second=0, microsecond=0)
    return ten_pm if ten_pm <= local else ten_pm - datetime.timedelta(days=1)


@transaction.atomic
def demo_load(*, now: datetime.datetime) -> dict[str, User]:
    """Create the demo team and consultations; the caller checks `demo_is_loaded` first."""
    users = {
        username: user_create(
            username=username,
            role=Role(role),
            password=DEMO_PASSWORD,
            display_name=display_name,
            email=f"{username}@consultdesk.example",
            validate=False,
        )
        for username, role, display_name, _language in USERS
    }
    for username, _role, _name, language in USERS:
        if language:
            User.objects.filter(username=username).update(language=language)
    for case in STORIES + ORDINARY:
        received_at = (
            latest_ten_pm(now)
            if case.hours_ago == 0
            else now - datetime.timedelta(hours=case.hours_ago)
        )
        _load_case(case, users=users, received_at=received_at)
    # The messages' analysis was queued by message_add; the worker (`make run`) runs it.
    return users


def _load_case(case: DemoCase, *, users: dict[str, User], received_at: datetime.datetime) -> None:
    owner = users[case.owner] if case.owner else None
    actor = owner or users["wangfang"]
    client = client_create(
        name=case.client,
        industry=case.industry,
        size=case.size,
        technical_level=case.technical_level,
    )
    contact = contact_create(
        client=client, name=case.contact, role=case.contact_role, phone=case.phone, email=case.email
    )
    consultation = consultation_create(
        title=case.title,
        channel=Channel(case.channel),
        client=client,
        contact=contact,
        owner=owner,
        priority=Priority(case.priority),
        first_message=case.message,
        received_at=received_at,
        actor=None,
    )
    replies = case.replies or _default_reply(case)
    for hours, reply in enumerate(replies, start=1):
        message_add(
            consultation=consultation,
            direction=Direction.OUTBOUND,
            channel=Channel(case.channel),
            body=reply,
            occurred_at=received_at + datetime.timedelta(hours=hours),
            actor=actor,
        )
    if case.stage != Stage.RECEIVED:
        consultation = consultation_update_record(
            consultation=consultation,
            changes=_record_changes(case),
            expected_version=consultation.version,
            actor=actor,
        )
    _advance(consultation, case, actor)


def _default_reply(case: DemoCase) -> list[str]:
    """Cases past intake were answered in time; new ones still wait for their reply."""
    if case.stage in (Stage.RECEIVED, Stage.RECORDED):
        return []
    if _is_chinese(case):
        return [f"{case.contact}您好，收到您的需求，我们约个时间详细聊聊？"]
    return [f"Dear {case.contact}, thank you — could we schedule a call this week?"]


def _record_changes(case: DemoCase) -> dict[str, object]:
    return {
        "core_goal": case.core_goal,
        "budget_min": case.budget[0],
        "budget_max": case.budget[1],
        "budget_currency": case.currency,
        "timeline_days": case.timeline_days,
        "existing_systems": case.existing_systems,
        "stressed": case.stressed,
        "asides": case.asides,
        "category": case.category,
    }


def _advance(consultation: Consultation, case: DemoCase, actor: User) -> None:
    target = Stage(case.stage)
    if target == Stage.CLOSED:
        consultation_transition(
            consultation=consultation,
            to=Stage.CLOSED,
            outcome=Outcome(case.outcome),
            reason=_closing_reason(case),
            actor=actor,
        )
        return
    for stage in ORDER[1 : ORDER.index(target) + 1]:
        # Each conversation step moves the stage itself (checklist aside), as it would
        # for a consultant; the remaining stages are moved by hand.
        _converse(consultation, stage, case, actor)
        consultation.refresh_from_db()
        if consultation.stage != stage:
            consultation = consultation_transition(consultation=consultation, to=stage, actor=actor)


def _converse(consultation: Consultation, stage: Stage, case: DemoCase, actor: User) -> None:
    """What really happens before each stage of stage 2: checklist, meeting, summary."""
    if stage == Stage.PREPARED:
        checklist_generate(consultation=consultation, actor=actor)
    elif stage == Stage.MET:
        meeting = meeting_create(
            consultation=consultation,
            starts_at=consultation.received_at + datetime.timedelta(days=1),
            place="腾讯会议" if _is_chinese(case) else "Video call",
            participants_ours=str(actor),
            participants_theirs=case.contact,
            actor=actor,
        )
        for number, (kind, text, reply, response) in enumerate(_meeting_notes(case), start=1):
            meeting_entry_save(
                meeting=meeting,
                key=f"demo-{number}",
                kind=EntryKind(kind),
                text=text,
                reply=reply,
                response=response,
                actor=actor,
            )
        meeting_end(
            meeting=meeting,
            actor=actor,
            ended_at=consultation.received_at + datetime.timedelta(days=1, hours=1),
        )
    elif stage == Stage.SUMMARY_SENT:
        version = summary_draft(consultation=consultation, actor=actor)
        summary_send(version=version, actor=actor)
    elif stage == Stage.SUMMARY_CONFIRMED:
        version = SummaryVersion.objects.filter(summary__consultation=consultation).latest("number")
        summary_confirm(version=version)


def _is_chinese(case: DemoCase) -> bool:
    return any("\u4e00" <= character <= "\u9fff" for character in case.message)


def _unstopped(sentence: str) -> str:
    """The sentence without its full stop, to be asked back as a question."""
    return sentence.rstrip().rstrip("。.！!")


def _meeting_notes(case: DemoCase) -> list[tuple[str, str, str, str]]:
    """Listen, restate the core goal (the client agrees), the case's own notes, and one
    question the client will come back on."""
    if _is_chinese(case):
        return [
            (EntryKind.LISTEN, case.message, "", ""),
            (
                EntryKind.CONFIRM,
                f"我理解您的核心需求是：{_unstopped(case.core_goal)}，对吗？",
                "yes",
                "",
            ),
            *case.meeting,
            (EntryKind.ASK, "这个问题每天大概影响多少用户？", "", ""),
        ]
    return [
        (EntryKind.LISTEN, case.message, "", ""),
        (
            EntryKind.CONFIRM,
            f"So the core need is: {_unstopped(case.core_goal)} — right?",
            "yes",
            "",
        ),
        *case.meeting,
        (EntryKind.ASK, "How many users does this affect on a typical day?", "", ""),
    ]


def _closing_reason(case: DemoCase) -> str:
    reasons = {
        "completed": "项目按期验收，客户满意度 9/10。",
        "declined": "预算与范围不匹配，建议客户先用现成的电商平台。",
        "lost": "Client chose a cheaper off-the-shelf app.",
    }
    return reasons.get(case.outcome, "—")
