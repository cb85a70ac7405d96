"""Result types of the analysis: frozen dataclasses that turn into JSON-ready dicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Language = Literal["zh", "en"]
Severity = Literal["low", "medium", "high"]

FINDING_KINDS: tuple[str, ...] = (
    "hedge",
    "unquantified_quality",
    "open_ended",
    "assumption",
    "means_as_goal",
    "unbounded_time",
    "unbounded_budget",
    "sweeping_scope",
    "integration_handwave",
)
CATEGORIES: tuple[str, ...] = (
    "feature_optimisation",
    "architecture_refactoring",
    "new_technology",
    "unclear",
)
INDUSTRIES: tuple[str, ...] = (
    "education",
    "healthcare",
    "manufacturing",
    "logistics",
    "finance",
    "retail",
    "government",
    "energy",
    "telecom",
    "internet",
    "real_estate",
    "other",
)
SEVERITY_RANK: dict[str, int] = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str
    severity: Severity
    questions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "severity": self.severity,
            "questions": list(self.questions),
        }


@dataclass(frozen=True)
class Budget:
    min: float | None
    max: float | None
    currency: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"min": self.min, "max": self.max, "currency": self.currency, "text": self.text}


@dataclass(frozen=True)
class Timeline:
    days: int | None
    deadline: str | None  # ISO date
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"days": self.days, "deadline": self.deadline, "text": self.text}


@dataclass(frozen=True)
class OrgSize:
    min: int | None
    max: int | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"min": self.min, "max": self.max, "text": self.text}


@dataclass(frozen=True)
class Contact:
    kind: Literal["phone", "email", "wechat"]
    value: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value}


@dataclass(frozen=True)
class Fields:
    budget: Budget | None = None
    timeline: Timeline | None = None
    org_size: OrgSize | None = None
    industry: str | None = None
    systems: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    contact_role: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "budget": self.budget.to_dict() if self.budget else None,
            "timeline": self.timeline.to_dict() if self.timeline else None,
            "org_size": self.org_size.to_dict() if self.org_size else None,
            "industry": self.industry,
            "systems": list(self.systems),
            "contacts": [contact.to_dict() for contact in self.contacts],
            "contact_role": self.contact_role,
        }


@dataclass(frozen=True)
class CategorySuggestion:
    value: str
    confidence: float
    evidence: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "confidence": self.confidence,
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True)
class Analysis:
    language: Language
    findings: tuple[Finding, ...] = ()
    fields: Fields = field(default_factory=Fields)
    category: CategorySuggestion = field(default_factory=lambda: CategorySuggestion("unclear", 0.0))
    goal_is_means: bool = False
    questions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "findings": [finding.to_dict() for finding in self.findings],
            "fields": self.fields.to_dict(),
            "category": self.category.to_dict(),
            "goal_is_means": self.goal_is_means,
            "questions": list(self.questions),
        }
