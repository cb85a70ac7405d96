"""The consultation's stage machine: a transition table and entry gates, as pure functions.

No queries, clock or settings here: callers pass a `RecordSnapshot` of the facts the
gates look at, and get back the list of what is missing (empty means allowed).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from consultdesk.consultations.choices import Stage

ORDER: tuple[Stage, ...] = tuple(Stage)
OPEN_STAGES = ORDER[:-1]


class Move(enum.StrEnum):
    FORWARD = "forward"
    BACK = "back"
    CLOSE = "close"
    REOPEN = "reopen"


@dataclass(frozen=True)
class RecordSnapshot:
    """The facts the gates need, read from a consultation by the caller."""

    industry: str = ""
    organisation_size: str = ""
    technical_level: str = ""
    core_goal: str = ""
    budget_min: int | None = None
    budget_max: int | None = None
    timeline_date: object | None = None
    timeline_days: int | None = None
    existing_systems: str = ""
    primary_contact_role: str = ""  # "" when there is no primary contact
    category: str = ""
    outcome: str = ""
    # Facts from the conversations app (checklist, meetings, summaries).
    has_checklist: bool = False
    meeting_ended: bool = False
    summary_sent: bool = False
    summary_confirmed: bool = False


@dataclass(frozen=True)
class Missing:
    """One thing that blocks a transition; `field` names the form field it concerns."""

    field: str
    code: str
    message: str | Promise

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": str(self.message)}


def _record_gate(record: RecordSnapshot) -> list[Missing]:
    missing = []
    required_text = {
        "industry": (record.industry, _("Industry is required.")),
        "organisation_size": (record.organisation_size, _("Organisation size is required.")),
        "technical_level": (record.technical_level, _("Current technical level is required.")),
        "core_goal": (record.core_goal.strip(), _("Describe the problem the client wants solved.")),
        "existing_systems": (
            record.existing_systems.strip(),
            _("Note the existing systems the solution must work with (or 'none')."),
        ),
    }
    for field, (value, message) in required_text.items():
        if not value:
            missing.append(Missing(field, "required", message))
    if record.budget_min is None and record.budget_max is None:
        missing.append(Missing("budget_max", "required", _("Give at least a rough budget range.")))
    if record.timeline_date is None and record.timeline_days is None:
        missing.append(
            Missing("timeline_days", "required", _("Give an expected date or duration."))
        )
    if not record.primary_contact_role:
        missing.append(Missing("primary_contact", "required", _("Choose the primary contact.")))
    return missing


def _classification_gate(record: RecordSnapshot) -> list[Missing]:
    if record.category:
        return []
    return [Missing("category", "required", _("Choose a category first."))]


Gate = Callable[[RecordSnapshot], list[Missing]]


def _fact_gate(fact: str, field: str, message: Promise) -> Gate:
    def gate(record: RecordSnapshot) -> list[Missing]:
        return [] if getattr(record, fact) else [Missing(field, "required", message)]

    return gate


# Entry gates are cumulative: entering a stage also needs every earlier stage's gate.
GATES: dict[Stage, Gate] = {
    Stage.RECORDED: _record_gate,
    Stage.CLASSIFIED: _classification_gate,
    Stage.PREPARED: _fact_gate(
        "has_checklist", "checklist", _("Prepare the checklist: at least one question to ask.")
    ),
    Stage.MET: _fact_gate("meeting_ended", "meeting", _("End a meeting with the client first.")),
    Stage.SUMMARY_SENT: _fact_gate(
        "summary_sent", "summary", _("Send the requirement summary to the client.")
    ),
    Stage.SUMMARY_CONFIRMED: _fact_gate(
        "summary_confirmed", "summary", _("The client has not confirmed the summary yet.")
    ),
}


def entry_gaps(stage: Stage, record: RecordSnapshot) -> list[Missing]:
    """Everything still missing before a consultation may stand in `stage`."""
    missing: list[Missing] = []
    for earlier in ORDER[: ORDER.index(stage) + 1]:
        gate = GATES.get(earlier)
        if gate is not None:
            missing.extend(gate(record))
    return missing


def classify_move(current: Stage, target: Stage) -> Move | None:
    """The kind of move from `current` to `target`, or None when the table forbids it."""
    if current == target:
        return None
    if current == Stage.CLOSED:
        return Move.REOPEN
    if target == Stage.CLOSED:
        return Move.CLOSE
    step = ORDER.index(target) - ORDER.index(current)
    if step == 1:
        return Move.FORWARD
    if step < 0:
        return Move.BACK
    return None  # skipping stages forward is not allowed: each gate is passed in turn


def transition_gaps(
    *, current: Stage, target: Stage, record: RecordSnapshot, reason: str = ""
) -> list[Missing]:
    """What blocks moving from `current` to `target`; empty when the move is allowed."""
    move = classify_move(current, target)
    if move is None:
        return [
            Missing(
                "stage",
                "not_allowed",
                _("Cannot move from “%(current)s” to “%(target)s”.")
                % {"current": current.label, "target": target.label},
            )
        ]
    if move in (Move.BACK, Move.REOPEN):
        if reason.strip():
            return []
        return [Missing("reason", "required", _("Say why the consultation moves back."))]
    if move == Move.CLOSE:
        return _closing_gaps(record, reason)
    return entry_gaps(target, record)


def _closing_gaps(record: RecordSnapshot, reason: str) -> list[Missing]:
    missing = []
    if not record.outcome:
        missing.append(Missing("outcome", "required", _("Choose the outcome.")))
    if not reason.strip():
        missing.append(Missing("reason", "required", _("Give the reason for the outcome.")))
    return missing


def next_stage(current: Stage) -> Stage | None:
    """The stage a forward move leads to (None when closed)."""
    if current == Stage.CLOSED:
        return None
    return ORDER[ORDER.index(current) + 1]
