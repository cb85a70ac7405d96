"""Running the analysis engine on what clients write, and acting on what it finds.

The engine itself (`consultdesk.analysis`) is pure; this module feeds it the team's own
terms, stores findings per consultation and turns extracted facts into suggestions.
Analysis runs in a background task after the message is committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django_tasks import task

from consultdesk.accounts.models import User
from consultdesk.analysis import Engine, QuestionTemplate, TermEntry, analyze, build_engine
from consultdesk.clients.models import Industry
from consultdesk.consultations.choices import Category, Direction
from consultdesk.consultations.models import Consultation, Message
from consultdesk.consultations.services import consultation_update_record
from consultdesk.insights.models import (
    CustomTerm,
    Finding,
    FindingSource,
    FindingStatus,
    MessageAnalysis,
)

_engines: dict[tuple[int, str], Engine] = {}
SUGGESTION_FIELDS = ("budget", "timeline", "industry", "org_size", "systems", "contact_role")


def engine_current() -> Engine | None:
    """The engine with the team's custom terms; None means the shipped default."""
    state = CustomTerm.objects.aggregate(count=Count("id"), latest=Max("updated_at"))
    if not state["count"]:
        return None
    key = (state["count"], str(state["latest"]))
    if key not in _engines:
        _engines.clear()
        terms = list(CustomTerm.objects.all())
        _engines[key] = build_engine(
            extra_terms=[
                TermEntry(kind=t.kind, language=_language(t.language), term=t.term) for t in terms
            ],
            extra_questions=[
                QuestionTemplate(
                    subject=t.kind,
                    language=_language(t.language),
                    variant="term",
                    term=t.term,
                    text=t.question,
                )
                for t in terms
                if t.question
            ],
        )
    return _engines[key]


def _language(code: str) -> Literal["zh", "en"]:
    return "en" if code == "en" else "zh"


def _analyse(text: str, *, day: Any) -> dict[str, Any]:
    return analyze(text, today=day, engine=engine_current()).to_dict()


def _replace_findings(
    *, consultation: Consultation, message: Message | None, result: Mapping[str, Any]
) -> None:
    source = FindingSource.MESSAGE if message else FindingSource.RECORD
    stale = Finding.objects.filter(consultation=consultation, source=source)
    stale = stale.filter(message=message) if message else stale
    stale.delete()
    Finding.objects.bulk_create(
        Finding(
            consultation=consultation,
            message=message,
            source=source,
            kind=item["kind"],
            text=item["text"][:300],
            start=item["start"],
            end=item["end"],
            severity=item["severity"],
            questions=item["questions"],
        )
        for item in result["findings"]
    )


def _recount(consultation: Consultation) -> None:
    count = Finding.objects.filter(consultation=consultation, status=FindingStatus.OPEN).count()
    Consultation.objects.filter(pk=consultation.pk).update(open_findings=count)


def _merged_suggestions(previous: Mapping[str, Any], result: Mapping[str, Any]) -> dict[str, Any]:
    """Newer messages refine what earlier ones said; empty answers keep the older value."""
    merged = dict(previous)
    for field in SUGGESTION_FIELDS:
        value = result["fields"].get(field)
        if value:
            merged[field] = value
    category = result["category"]
    if category["value"] != "unclear" and category["confidence"] >= merged.get("category", {}).get(
        "confidence", 0
    ):
        merged["category"] = category
    merged["goal_is_means"] = result["goal_is_means"] or previous.get("goal_is_means", False)
    return merged


@transaction.atomic
def message_analyse(*, message: Message) -> MessageAnalysis:
    """Analyse one client message: findings, and suggestions for the record."""
    day = timezone.localdate(message.occurred_at)
    result = _analyse(message.body, day=day)
    analysis, _created = MessageAnalysis.objects.update_or_create(
        message=message, defaults={"result": result}
    )
    consultation = Consultation.objects.select_for_update().get(pk=message.consultation_id)
    _replace_findings(consultation=consultation, message=message, result=result)
    Consultation.objects.filter(pk=consultation.pk).update(
        suggestions=_merged_suggestions(consultation.suggestions, result)
    )
    _recount(consultation)
    return analysis


@transaction.atomic
def record_goal_analyse(*, consultation: Consultation) -> None:
    """The record's core goal is analysed too: a goal stated as a means is a finding."""
    result = _analyse(consultation.core_goal, day=timezone.localdate())
    _replace_findings(consultation=consultation, message=None, result=result)
    _recount(consultation)


@task()
def message_analyse_task(message_id: int) -> None:
    message = Message.objects.filter(pk=message_id, direction=Direction.INBOUND).first()
    if message is not None:
        message_analyse(message=message)


@task()
def record_goal_analyse_task(consultation_id: int) -> None:
    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is not None:
        record_goal_analyse(consultation=consultation)


def finding_set_status(*, finding: Finding, status: FindingStatus, actor: User) -> Finding:
    """Mark a finding asked or resolved (or open again)."""
    Finding.objects.filter(pk=finding.pk).update(status=status)
    finding.status = status
    _recount(finding.consultation)
    return finding


# Suggestion → (record field, value) for fields that are still empty.
def suggested_values(consultation: Consultation) -> dict[str, tuple[Any, Any]]:
    """{record field: (value to store, label to show)} for empty fields only."""
    found = consultation.suggestions or {}
    offers: dict[str, tuple[Any, Any]] = {}  # (value, label: text or a lazy translation)
    budget = found.get("budget")
    if budget and consultation.budget_min is None and consultation.budget_max is None:
        offers["budget_max"] = (budget, budget["text"])
    timeline = found.get("timeline")
    if timeline and consultation.timeline_days is None and consultation.timeline_date is None:
        offers["timeline_days"] = (timeline, timeline["text"])
    if found.get("industry") in Industry.values and not consultation.industry:
        offers["industry"] = (found["industry"], Industry(found["industry"]).label)
    if found.get("systems") and not consultation.existing_systems:
        systems = "、".join(found["systems"])
        offers["existing_systems"] = (systems, systems)
    category = found.get("category")
    if category and category["value"] in Category.values and not consultation.category:
        offers["category"] = (category["value"], Category(category["value"]).label)
    return offers


def suggestion_apply(*, consultation: Consultation, field: str, actor: User) -> Consultation:
    """One click: copy an extracted fact into an empty record field (never overwrites)."""
    offers = suggested_values(consultation)
    if field not in offers:
        return consultation
    value, _label = offers[field]
    changes: dict[str, Any]
    if field == "budget_max":
        changes = {
            "budget_min": _whole(value["min"]),
            "budget_max": _whole(value["max"]),
            "budget_currency": value["currency"],
        }
    elif field == "timeline_days":
        changes = (
            {"timeline_days": value["days"]}
            if value.get("days")
            else {"timeline_date": value["deadline"]}
        )
    else:
        changes = {field: value}
    return consultation_update_record(
        consultation=consultation,
        changes=changes,
        expected_version=consultation.version,
        actor=actor,
    )


def _whole(amount: float | None) -> int | None:
    return None if amount is None else int(round(amount))
