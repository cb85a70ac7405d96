import datetime

from ninja import Field, FilterSchema, Schema

from consultdesk.consultations.choices import (
    Category,
    Channel,
    Currency,
    Direction,
    Outcome,
    Priority,
    Stage,
)


class UserRef(Schema):
    id: int
    username: str


class ConsultationListItem(Schema):
    id: int
    reference: str
    title: str
    client_id: int | None
    client_name: str | None = Field(None, alias="client.name")
    channel: Channel
    stage: Stage
    category: Category | None
    priority: Priority
    owner: UserRef | None
    awaiting_reply: bool
    latest_snippet: str
    received_at: datetime.datetime
    last_activity_at: datetime.datetime
    first_response_due: datetime.datetime | None
    summary_due: datetime.datetime | None
    open_findings: int
    version: int

    @staticmethod
    def resolve_category(obj: object) -> str | None:
        return getattr(obj, "category", "") or None


class ConsultationOut(ConsultationListItem):
    primary_contact_id: int | None
    contact_ids: list[int]
    industry: str
    organisation_size: str
    technical_level: str
    core_goal: str
    budget_min: int | None
    budget_max: int | None
    budget_currency: Currency
    timeline_date: datetime.date | None
    timeline_days: int | None
    existing_systems: str
    stressed: list[str]
    asides: list[str]
    outcome: Outcome | None
    outcome_reason: str
    missing_for_next_stage: list[dict[str, str]]

    @staticmethod
    def resolve_outcome(obj: object) -> str | None:
        return getattr(obj, "outcome", "") or None

    tags: list[str]
    shared_with_ids: list[int]

    @staticmethod
    def resolve_contact_ids(obj: object) -> list[int]:
        return [contact.pk for contact in obj.contacts.all()]  # type: ignore[attr-defined]

    @staticmethod
    def resolve_tags(obj: object) -> list[str]:
        return [tag.name for tag in obj.tags.all()]  # type: ignore[attr-defined]

    @staticmethod
    def resolve_shared_with_ids(obj: object) -> list[int]:
        return [user.pk for user in obj.shared_with.all()]  # type: ignore[attr-defined]


class ConsultationFilter(FilterSchema):
    stage: Stage | None = None
    category: Category | None = None
    channel: Channel | None = None
    priority: Priority | None = None
    owner: int | None = Field(None, description="user id")
    unassigned: bool | None = None
    awaiting_reply: bool | None = None


class ConsultationIn(Schema):
    """`received_at` back-dates an imported consultation (its deadline counts from it)."""

    title: str = Field(..., min_length=1, max_length=200)
    channel: Channel = Channel.MANUAL
    client_id: int | None = None
    contact_id: int | None = None
    owner_id: int | None = None
    priority: Priority = Priority.NORMAL
    first_message: str = Field("", max_length=100_000)
    received_at: datetime.datetime | None = None


class RecordPatch(Schema):
    """Send only the fields to change, plus the `version` you read."""

    version: int
    title: str | None = Field(None, min_length=1, max_length=200)
    industry: str | None = None
    organisation_size: str | None = None
    technical_level: str | None = None
    core_goal: str | None = Field(None, max_length=4000)
    budget_min: int | None = Field(None, ge=0)
    budget_max: int | None = Field(None, ge=0)
    budget_currency: Currency | None = None
    timeline_date: datetime.date | None = None
    timeline_days: int | None = Field(None, ge=0)
    existing_systems: str | None = Field(None, max_length=2000)
    primary_contact_id: int | None = None
    stressed: list[str] | None = None
    asides: list[str] | None = None
    category: Category | None = None
    priority: Priority | None = None


class TransitionIn(Schema):
    to: Stage
    reason: str = Field("", max_length=2000)
    outcome: Outcome | None = None


class AssignIn(Schema):
    owner_id: int | None


class MergeIn(Schema):
    target_id: int


class ShareIn(Schema):
    user_ids: list[int]


class TagsIn(Schema):
    tags: list[str] = Field(..., max_length=50)


class MissingOut(Schema):
    field: str
    code: str
    message: str


class ProblemOut(Schema):
    detail: list[MissingOut]


class ConflictOut(Schema):
    detail: str
    version: int
    theirs: dict[str, object]


class TimelineEntry(Schema):
    type: str  # "message" or "event"
    at: datetime.datetime
    direction: Direction | None = None
    channel: Channel | None = None
    sender: str = ""
    subject: str = ""
    body: str = ""
    delivery: str = ""
    delivery_error: str = ""
    kind: str = ""
    actor: str = ""
    data: dict[str, object] = {}
