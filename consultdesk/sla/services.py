"""The only write path for service-level deadlines. Callers pass the moment an event
happened; ``timezone.now()`` is read only here at the boundary, never in the maths.

Hooks the consultation and intake services call (keyword-only, inside their transaction):

- ``deadlines_on_inbound(consultation=c, received_at=t) -> datetime``
  a client message arrived: arms the first-response clock if it is not running (a new
  message after our reply re-arms it, as Request Tracker does; while it runs, the oldest
  unanswered message keeps it) and resumes a paused summary clock. Returns the due time.
- ``deadlines_on_reply(consultation=c, replied_at=t) -> None``
  we answered the client: stops the first-response clock, resolves its open breach, and
  pauses the summary clock when the policy pauses while waiting on the client.
- ``deadlines_on_meeting_end(consultation=c, ended_at=t) -> datetime``
  a meeting ended: arms (or, after a later meeting, re-arms) the summary clock.
- ``deadlines_on_summary_sent(consultation=c, sent_at=t) -> None``
  the summary went out: stops the summary clock and resolves its open breach.
- ``deadlines_on_close(consultation=c) -> None``
  the consultation was closed or merged into another: stops its clocks.
- ``deadlines_recompute(since=None) -> int`` after a policy or calendar edit.
- ``deadlines_backfill() -> int`` arms clocks for open consultations awaiting a reply
  that have none (existing data, demo data); ``consultdesk sla_backfill`` runs it.
- ``sla_sweep(now=t) -> SweepResult`` the periodic job: warnings and breaches, once each.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks_db.utils import exclusive_transaction

from consultdesk.accounts.models import Role, User
from consultdesk.consultations.choices import Direction
from consultdesk.consultations.models import Consultation
from consultdesk.sla import businesstime
from consultdesk.sla.businesstime import CalendarSpec, DeadlineClock, needed_range
from consultdesk.sla.holidays_cn import coverage_gap, library_years, official_schedule
from consultdesk.sla.models import (
    ANY_PRIORITY,
    DEFAULT_CALENDAR_NAME,
    Breach,
    BusinessCalendar,
    CalendarDay,
    Clock,
    ClockKind,
    DayKind,
    DaySource,
    Notification,
    NotificationKind,
    ServicePolicy,
)
from consultdesk.sla.notifications import NotificationDraft, notify

logger = logging.getLogger(__name__)

# Days of holidays loaded past an event: the longest official break plus a summary
# counted in working hours fit well inside it.
HORIZON_DAYS = 60
COVERAGE_HORIZON_DAYS = 60
BATCH_SIZE = 500
POLICY_CACHE_KEY = "sla:policies"
POLICY_CACHE_SECONDS = 60
# What recomputing reads: loading whole consultation rows would cost more than the maths.
RECOMPUTE_FIELDS = (
    "kind",
    "started_at",
    "due_at",
    "warn_at",
    "consultation__channel",
    "consultation__priority",
)
MIRROR_FIELD = {ClockKind.FIRST_RESPONSE: "first_response_due", ClockKind.SUMMARY: "summary_due"}


# --- Calendars ------------------------------------------------------------------------


def calendar_default() -> BusinessCalendar:
    """The default calendar ("China mainland"), created and seeded on first use."""
    calendar = BusinessCalendar.objects.filter(is_default=True).first()
    if calendar is None:
        try:
            with transaction.atomic():
                calendar = BusinessCalendar.objects.create(
                    name=DEFAULT_CALENDAR_NAME, is_default=True
                )
        except IntegrityError:  # another process created it first
            calendar = BusinessCalendar.objects.get(is_default=True)
    calendar_ensure_seeded(calendar=calendar)
    return calendar


def calendar_ensure_seeded(*, calendar: BusinessCalendar) -> None:
    """Seed the official schedule once per calendar; a claimed flag keeps it to one run."""
    if not calendar.follows_official_schedule or calendar.seeded_at is not None:
        return
    with transaction.atomic():
        now = timezone.now()
        claimed = BusinessCalendar.objects.filter(pk=calendar.pk, seeded_at__isnull=True).update(
            seeded_at=now
        )
        calendar.seeded_at = now
        if claimed:
            calendar_seed_holidays(calendar=calendar)


def calendar_seed_holidays(*, calendar: BusinessCalendar, years: Iterable[int] = ()) -> int:
    """Copy the official schedule into the calendar; days already present (library or
    edited by hand) are kept as they are. Returns the number of days added."""
    wanted = sorted(set(years) or library_years())
    known = [year for year in wanted if year in library_years()]
    if not known:
        return 0
    schedule = official_schedule(start=date(known[0], 1, 1), end=date(known[-1], 12, 31))
    present = set(
        CalendarDay.objects.filter(
            calendar=calendar, date__range=(schedule.start, schedule.end)
        ).values_list("date", flat=True)
    )
    entries = [(day, DayKind.HOLIDAY) for day in schedule.holidays]
    entries += [(day, DayKind.MAKEUP) for day in schedule.makeup_working_days]
    rows = [
        CalendarDay(
            calendar=calendar,
            date=entry.day,
            kind=kind,
            name=entry.chinese_name,
            source=DaySource.LIBRARY,
        )
        for entry, kind in entries
        if entry.day.year in known and entry.day not in present
    ]
    CalendarDay.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=True)
    return len(rows)


def calendar_spec_for(*, calendar: BusinessCalendar, start: date, end: date) -> CalendarSpec:
    """The pure calendar with the holidays and make-up days of ``start``..``end`` (one query)."""
    holidays: set[date] = set()
    makeup: set[date] = set()
    days = CalendarDay.objects.filter(calendar=calendar, date__range=(start, end))
    for day, kind in days.values_list("date", "kind"):
        (holidays if kind == DayKind.HOLIDAY else makeup).add(day)
    return calendar.spec(holidays=frozenset(holidays), makeup=frozenset(makeup))


def calendar_changed(*, calendar: BusinessCalendar | None = None) -> None:
    """A calendar or policy changed: recompute the running deadlines after commit."""
    from consultdesk.sla.tasks import deadlines_recompute_task

    transaction.on_commit(lambda: cache.delete(POLICY_CACHE_KEY))
    transaction.on_commit(deadlines_recompute_task.enqueue)


def calendar_coverage_warning(*, today: date) -> str | None:
    """A warning when holidays for the next 60 days are unknown, else None.

    A year counts as known when chinese_calendar has it or someone entered at least one
    of its days by hand in the default calendar.
    """
    entered = set(
        CalendarDay.objects.filter(calendar__is_default=True, source=DaySource.MANUAL)
        .filter(date__gte=today, date__lte=today + timedelta(days=COVERAGE_HORIZON_DAYS))
        .values_list("date__year", flat=True)
    )
    gap = coverage_gap(
        today=today,
        horizon_days=COVERAGE_HORIZON_DAYS,
        covered_years=library_years() | entered,
    )
    if gap is None:
        return None
    return _(
        "The official holidays from %(date)s (%(year)s) are not in the calendar yet: "
        "deadlines from then on treat every weekday as a working day. Enter the holidays "
        "and make-up working days under Administration → Calendar days."
    ) % {"date": gap.isoformat(), "year": gap.year}


# --- Policies -------------------------------------------------------------------------


def policy_resolve(
    *, policies: Sequence[ServicePolicy], channel: str, priority: int
) -> ServicePolicy:
    """The most specific policy matching channel and priority; built-in defaults if none."""
    matching = [
        policy
        for policy in policies
        if policy.channel in ("", channel) and policy.priority in (ANY_PRIORITY, priority)
    ]
    if not matching:
        return ServicePolicy(name="default")
    return max(matching, key=lambda policy: policy.specificity)


def cached_policies() -> list[ServicePolicy]:
    """Policies for display, cached a minute so a list page costs no query per row (an
    edit in the admin clears the cache)."""
    policies = cache.get(POLICY_CACHE_KEY)
    if policies is None:
        policies = list(ServicePolicy.objects.all())
        cache.set(POLICY_CACHE_KEY, policies, POLICY_CACHE_SECONDS)
    return policies


def policy_for(*, consultation: Consultation) -> ServicePolicy:
    """The policy that governs this consultation's deadlines (one query)."""
    policies = ServicePolicy.objects.filter(
        Q(channel="") | Q(channel=consultation.channel),
        Q(priority=ANY_PRIORITY) | Q(priority=consultation.priority),
    ).select_related("calendar")
    return policy_resolve(
        policies=list(policies), channel=consultation.channel, priority=consultation.priority
    )


@dataclass(frozen=True)
class Rules:
    """A resolved policy with its calendar loaded around one moment."""

    policy: ServicePolicy
    spec: CalendarSpec

    @property
    def warn(self) -> timedelta:
        return timedelta(minutes=self.policy.warn_minutes)

    def first_response_due(self, received_at: datetime) -> datetime:
        return businesstime.first_response_due(
            received_at=received_at,
            calendar=self.spec,
            after_hours_cutoff=self.policy.after_hours_cutoff,
        )

    def summary_due(self, ended_at: datetime) -> datetime:
        return businesstime.summary_due(
            meeting_end=ended_at,
            calendar=self.spec,
            hours=float(self.policy.summary_hours),
            mode=self.policy.summary_mode,
        )

    def due(self, kind: str, started_at: datetime) -> datetime:
        if kind == ClockKind.FIRST_RESPONSE:
            return self.first_response_due(started_at)
        return self.summary_due(started_at)


def _spec_around(calendar: BusinessCalendar, first: datetime, last: datetime) -> CalendarSpec:
    zone = ZoneInfo(calendar.timezone)
    start, _end = needed_range(start=first.astimezone(zone).date(), horizon_days=0)
    _start, end = needed_range(start=last.astimezone(zone).date(), horizon_days=HORIZON_DAYS)
    return calendar_spec_for(calendar=calendar, start=start, end=end)


def rules_for(*, consultation: Consultation, around: datetime) -> Rules:
    """Policy and calendar for deadlines counted from ``around``."""
    policy = policy_for(consultation=consultation)
    calendar = policy.calendar if policy.calendar_id else calendar_default()
    assert calendar is not None
    calendar_ensure_seeded(calendar=calendar)
    return Rules(policy=policy, spec=_spec_around(calendar, around, around))


# --- Clock hooks ----------------------------------------------------------------------


def _mirror(consultation: Consultation, kind: str, due: datetime | None) -> None:
    field = MIRROR_FIELD[ClockKind(kind)]
    Consultation.objects.filter(pk=consultation.pk).update(**{field: due})
    setattr(consultation, field, due)


def _clock_arm(
    *,
    consultation: Consultation,
    kind: ClockKind,
    started_at: datetime,
    due: datetime,
    warn: timedelta,
    earlier_wins: bool,
) -> Clock:
    """Start the clock, or restart it from ``started_at`` when that moment takes precedence
    (an earlier unanswered message, or a later meeting)."""
    values = {
        "started_at": started_at,
        "due_at": due,
        "warn_at": due - warn,
        "warned_at": None,
        "breached_at": None,
        "paused_at": None,
        "remaining": None,
    }
    clock, created = Clock.objects.get_or_create(
        consultation=consultation, kind=kind, defaults=values
    )
    if not created:
        newer = Q(started_at__gt=started_at) if earlier_wins else Q(started_at__lt=started_at)
        if Clock.objects.filter(Q(pk=clock.pk) & newer).update(**values):
            clock.refresh_from_db()
    _mirror(consultation, kind, clock.due_at)
    return clock


@transaction.atomic
def deadlines_on_inbound(*, consultation: Consultation, received_at: datetime) -> datetime | None:
    """A client message arms the first-response clock; the oldest unanswered one counts."""
    rules = rules_for(consultation=consultation, around=received_at)
    _summary_resume(consultation=consultation, at=received_at, rules=rules)
    clock = _clock_arm(
        consultation=consultation,
        kind=ClockKind.FIRST_RESPONSE,
        started_at=received_at,
        due=rules.first_response_due(received_at),
        warn=rules.warn,
        earlier_wins=True,
    )
    return clock.due_at


@transaction.atomic
def deadlines_on_reply(*, consultation: Consultation, replied_at: datetime) -> None:
    """Our reply meets the first response; the summary clock may pause while we wait."""
    _clock_stop(consultation=consultation, kind=ClockKind.FIRST_RESPONSE, at=replied_at)
    policy = policy_for(consultation=consultation)
    if policy.pause_while_waiting:
        _summary_pause(consultation=consultation, at=replied_at, policy=policy)


@transaction.atomic
def deadlines_on_meeting_end(*, consultation: Consultation, ended_at: datetime) -> datetime | None:
    """A meeting's end starts the summary clock (a later meeting restarts it)."""
    rules = rules_for(consultation=consultation, around=ended_at)
    clock = _clock_arm(
        consultation=consultation,
        kind=ClockKind.SUMMARY,
        started_at=ended_at,
        due=rules.summary_due(ended_at),
        warn=rules.warn,
        earlier_wins=False,
    )
    return clock.due_at


@transaction.atomic
def deadlines_on_summary_sent(*, consultation: Consultation, sent_at: datetime) -> None:
    """Sending the summary meets the summary deadline."""
    _clock_stop(consultation=consultation, kind=ClockKind.SUMMARY, at=sent_at)


@transaction.atomic
def deadlines_on_close(*, consultation: Consultation) -> None:
    """A closed (or merged-away) consultation runs no clocks; its breaches stay listed."""
    Clock.objects.filter(consultation=consultation).delete()
    for kind in ClockKind:
        _mirror(consultation, kind, None)


def deadlines_backfill() -> int:
    """Arm the first-response clock of every open consultation that awaits our reply but
    has none (data from before this app, imports, demo data), from its oldest message
    since our last reply. Safe to run twice. Returns how many clocks were armed."""
    waiting = (
        Consultation.objects.open()
        .filter(awaiting_reply=True)
        .exclude(sla_clocks__kind=ClockKind.FIRST_RESPONSE)
        .order_by("pk")
    )
    armed = 0
    last_pk = 0
    while batch := list(waiting.filter(pk__gt=last_pk)[:BATCH_SIZE]):
        last_pk = batch[-1].pk
        for consultation in batch:
            received_at = _oldest_unanswered(consultation)
            if received_at is not None:
                deadlines_on_inbound(consultation=consultation, received_at=received_at)
                armed += 1
    return armed


def _oldest_unanswered(consultation: Consultation) -> datetime | None:
    messages = consultation.messages.order_by("occurred_at", "id")
    last_reply = (
        messages.filter(direction=Direction.OUTBOUND).values_list("occurred_at", flat=True).last()
    )
    inbound = messages.filter(direction=Direction.INBOUND)
    if last_reply is not None:
        inbound = inbound.filter(occurred_at__gt=last_reply)
    return inbound.values_list("occurred_at", flat=True).first()


def _clock_stop(*, consultation: Consultation, kind: ClockKind, at: datetime) -> None:
    # A reply imported with an older date than the message it answers stops nothing.
    deleted, _rows = Clock.objects.filter(
        consultation=consultation, kind=kind, started_at__lte=at
    ).delete()
    if deleted:
        _mirror(consultation, kind, None)
    for breach in Breach.objects.filter(consultation=consultation, kind=kind, resolved_at=None):
        late = max(timedelta(0), at - breach.due_at)
        Breach.objects.filter(pk=breach.pk, resolved_at=None).update(
            resolved_at=at, minutes_late=int(late.total_seconds() // 60)
        )


def _summary_pause(*, consultation: Consultation, at: datetime, policy: ServicePolicy) -> None:
    clock = Clock.objects.filter(
        consultation=consultation, kind=ClockKind.SUMMARY, paused_at=None, due_at__gt=at
    ).first()
    if clock is None or clock.due_at is None:
        return
    if policy.summary_mode == DeadlineClock.WORKING:
        rules = rules_for(consultation=consultation, around=at)
        remaining = businesstime.working_time_between(
            start=at, end=clock.due_at, calendar=rules.spec
        )
    else:
        remaining = clock.due_at - at
    paused = Clock.objects.filter(pk=clock.pk, paused_at=None).update(
        paused_at=at, remaining=remaining, due_at=None, warn_at=None
    )
    if paused:
        _mirror(consultation, ClockKind.SUMMARY, None)


def _summary_resume(*, consultation: Consultation, at: datetime, rules: Rules) -> None:
    clock = Clock.objects.filter(
        consultation=consultation, kind=ClockKind.SUMMARY, paused_at__isnull=False
    ).first()
    if clock is None or clock.remaining is None:
        return
    if rules.policy.summary_mode == DeadlineClock.WORKING:
        due = businesstime.add_working_time(start=at, delta=clock.remaining, calendar=rules.spec)
    else:
        due = at + clock.remaining
    resumed = Clock.objects.filter(pk=clock.pk, paused_at__isnull=False).update(
        paused_at=None, remaining=None, due_at=due, warn_at=due - rules.warn, warned_at=None
    )
    if resumed:
        _mirror(consultation, ClockKind.SUMMARY, due)


# --- Recomputing after an edit ------------------------------------------------------


def deadlines_recompute(*, since: datetime | None = None) -> int:
    """Recompute every running clock (started at or after ``since``) from its start.

    Batches of clocks are locked, recomputed and written back with one UPDATE per table,
    so memory stays bounded and a reply or message arriving meanwhile waits for the
    batch instead of being overwritten. Returns how many deadlines moved."""
    now = timezone.now()
    policies = list(ServicePolicy.objects.select_related("calendar"))
    default = calendar_default()
    clocks = Clock.objects.filter(paused_at=None, due_at__isnull=False)
    if since is not None:
        clocks = clocks.filter(started_at__gte=since)
    changed = 0
    last_pk = 0
    while True:
        with exclusive_transaction():
            batch = list(
                clocks.filter(pk__gt=last_pk)
                .select_for_update(of=("self",))
                .select_related("consultation")
                .only(*RECOMPUTE_FIELDS)
                .order_by("pk")[:BATCH_SIZE]
            )
            if not batch:
                return changed
            last_pk = batch[-1].pk
            changed += _recompute_batch(batch, policies=policies, default=default, now=now)


def _recompute_batch(
    batch: list[Clock], *, policies: list[ServicePolicy], default: BusinessCalendar, now: datetime
) -> int:
    first = min(clock.started_at for clock in batch)
    last = max(clock.started_at for clock in batch)
    specs: dict[int, CalendarSpec] = {}
    # Deadlines cluster (every overnight message is due at 09:00), so one UPDATE per
    # distinct new value is far cheaper than bulk_update's CASE per row.
    moves: dict[tuple[str, datetime, datetime], list[Clock]] = defaultdict(list)
    for clock in batch:
        consultation = clock.consultation
        policy = policy_resolve(
            policies=policies, channel=consultation.channel, priority=consultation.priority
        )
        calendar = policy.calendar or default
        if calendar.pk not in specs:
            specs[calendar.pk] = _spec_around(calendar, first, last)
        rules = Rules(policy=policy, spec=specs[calendar.pk])
        due = rules.due(clock.kind, clock.started_at)
        if due != clock.due_at or due - rules.warn != clock.warn_at:
            moves[(clock.kind, due, due - rules.warn)].append(clock)
    for (kind, due, warn_at), clocks in moves.items():
        _clocks_move(clocks, kind=kind, due=due, warn_at=warn_at, now=now)
    return sum(len(clocks) for clocks in moves.values())


def _clocks_move(
    clocks: list[Clock], *, kind: str, due: datetime, warn_at: datetime, now: datetime
) -> None:
    values: dict[str, object] = {"due_at": due, "warn_at": warn_at}
    # A deadline moved into the future may warn and breach again.
    if warn_at > now:
        values["warned_at"] = None
    if due > now:
        values["breached_at"] = None
    Clock.objects.filter(pk__in=[clock.pk for clock in clocks]).update(**values)
    field = MIRROR_FIELD[ClockKind(kind)]
    consultation_ids = [clock.consultation_id for clock in clocks]
    Consultation.objects.filter(pk__in=consultation_ids).update(**{field: due})


# --- The sweep ------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    warnings: int
    breaches: int


def sla_sweep(*, now: datetime) -> SweepResult:
    """Warn once at the threshold and record each missed deadline once, however many
    workers sweep at the same time (rows are claimed under lock, then flagged)."""
    managers = list(
        User.objects.filter(is_active=True).filter(
            Q(role__in=[Role.MANAGER, Role.ADMIN]) | Q(is_superuser=True)
        )
    )
    breaches = warnings = 0
    # Breaches first: a clock already late (say the worker was down) is not warned too.
    overdue = Clock.objects.filter(breached_at=None, due_at__lte=now)
    breach_flags = {"breached_at": now, "warned_at": Coalesce("warned_at", Value(now))}
    while claimed := _claim(
        overdue, "due_at", breach_flags, _breaches_record, managers=managers, now=now
    ):
        breaches += claimed
    coming = Clock.objects.filter(warned_at=None, warn_at__lte=now, due_at__gt=now)
    while claimed := _claim(
        coming, "warn_at", {"warned_at": now}, _warnings_send, managers=managers, now=now
    ):
        warnings += claimed
    return SweepResult(warnings=warnings, breaches=breaches)


def _claim(
    due: QuerySet[Clock],
    order: str,
    flags: dict[str, Any],
    handle: Callable[[list[Clock], list[User], datetime], None],
    *,
    managers: list[User],
    now: datetime,
) -> int:
    """Lock one batch of due clocks (skipping rows another worker holds), flag them and
    handle them in one transaction: the work commits with the flags or not at all."""
    with exclusive_transaction():
        batch = list(
            due.select_for_update(skip_locked=True, of=("self",))
            .select_related("consultation", "consultation__owner")
            .order_by(order)[:BATCH_SIZE]
        )
        if batch:
            Clock.objects.filter(pk__in=[clock.pk for clock in batch]).update(**flags)
            handle(batch, managers, now)
        return len(batch)


def _recipients(owner: User | None, managers: list[User], *, with_managers: bool) -> list[User]:
    people = [owner] if owner is not None and owner.is_active else list(managers)
    if with_managers:
        people += managers
    unique = {person.pk: person for person in people}
    return list(unique.values())


def _deadline_text(clock: Clock, *, breach: bool) -> str:
    due = timezone.localtime(clock.due_at) if clock.due_at else None
    values = {
        "reference": clock.consultation.reference,
        "kind": ClockKind(clock.kind).label,
        "due": f"{due:%Y-%m-%d %H:%M}" if due else "",
    }
    if breach:
        return _("%(reference)s: %(kind)s was due at %(due)s and is late.") % values
    return _("%(reference)s: %(kind)s is due at %(due)s.") % values


def _drafts(
    clock: Clock, users: list[User], kind: NotificationKind, *, breach: bool
) -> list[NotificationDraft]:
    drafts = []
    for user in users:
        with translation.override(user.language or None):
            text = _deadline_text(clock, breach=breach)
        drafts.append(
            NotificationDraft(user=user, kind=kind, consultation=clock.consultation, text=text)
        )
    return drafts


def _warnings_send(clocks: list[Clock], managers: list[User], now: datetime) -> None:
    drafts = []
    for clock in clocks:
        people = _recipients(clock.consultation.owner, managers, with_managers=False)
        drafts += _drafts(clock, people, NotificationKind.WARNING, breach=False)
    notify(drafts=drafts, now=now)


def _breaches_record(clocks: list[Clock], managers: list[User], now: datetime) -> None:
    rows = [
        Breach(
            consultation=clock.consultation,
            kind=clock.kind,
            due_at=clock.due_at,
            breached_at=now,
            owner=clock.consultation.owner,
        )
        for clock in clocks
        if clock.due_at is not None
    ]
    # The unique constraint is the last guard should a clock be claimed twice anyway.
    Breach.objects.bulk_create(rows, ignore_conflicts=True)
    drafts = []
    for clock in clocks:
        people = _recipients(clock.consultation.owner, managers, with_managers=True)
        drafts += _drafts(clock, people, NotificationKind.BREACH, breach=True)
    notify(drafts=drafts, now=now)
    logger.info("sla sweep recorded %d breaches", len(rows))


__all__ = [
    "Rules",
    "SweepResult",
    "cached_policies",
    "calendar_changed",
    "calendar_coverage_warning",
    "calendar_default",
    "calendar_ensure_seeded",
    "calendar_seed_holidays",
    "calendar_spec_for",
    "deadlines_backfill",
    "deadlines_on_close",
    "deadlines_on_inbound",
    "deadlines_on_meeting_end",
    "deadlines_on_reply",
    "deadlines_on_summary_sent",
    "deadlines_recompute",
    "notifications_mark_read",
    "policy_for",
    "policy_resolve",
    "rules_for",
    "sla_sweep",
]


# --- Notifications --------------------------------------------------------------------


def notifications_mark_read(*, user: User, ids: Sequence[int] | None, now: datetime) -> int:
    """Mark the user's own notifications read (all of them when ``ids`` is None)."""
    unread = Notification.objects.filter(user=user, read_at=None)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=now)
