"""Service levels: calendars, policies, running clocks, breaches and notifications.

Business rules live in ``services.py`` and the pure ``businesstime`` module; models hold
data, constraints and one-row helpers only.
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consultdesk.consultations.choices import Channel, Priority
from consultdesk.sla.businesstime import (
    DEFAULT_TIMEZONE,
    CalendarSpec,
    DeadlineClock,
    TimeSpan,
    uniform_week,
)

DEFAULT_CALENDAR_NAME = "China mainland"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    MAKEUP = "makeup", _("Make-up working day")


class DaySource(models.TextChoices):
    LIBRARY = "library", _("Official schedule (chinese_calendar)")
    MANUAL = "manual", _("Entered by hand")


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    SUMMARY = "summary", _("Requirement summary")


class SummaryMode(models.TextChoices):
    CALENDAR = DeadlineClock.CALENDAR.value, _("Calendar hours")
    WORKING = DeadlineClock.WORKING.value, _("Working hours")


class NotificationKind(models.TextChoices):
    WARNING = "sla_warning", _("Deadline approaching")
    BREACH = "sla_breach", _("Deadline missed")
    NEW_INBOUND = "new_inbound", _("New message from a client")
    CLIENT_ACTIVITY = "client_activity", _("The client acted on a summary")


ANY_PRIORITY = 0
PRIORITY_CHOICES = [(ANY_PRIORITY, _("Any priority")), *Priority.choices]
weekday_digits = RegexValidator(
    r"^[1-7]{1,7}$", _("Use the digits 1 (Monday) to 7 (Sunday), e.g. 12345.")
)


class BusinessCalendar(models.Model):
    """A team's working week, time zone and (through its days) holidays and 调休."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TIMEZONE)
    working_weekdays = models.CharField(
        _("working weekdays"),
        max_length=7,
        default="12345",
        validators=[weekday_digits],
        help_text=_("Digits 1 (Monday) to 7 (Sunday)."),
    )
    day_start = models.TimeField(_("working day starts"), default=time(9))
    day_end = models.TimeField(_("working day ends"), default=time(18))
    lunch_start = models.TimeField(_("lunch break starts"), null=True, blank=True)
    lunch_end = models.TimeField(_("lunch break ends"), null=True, blank=True)
    follows_official_schedule = models.BooleanField(
        _("follows the Chinese official schedule"),
        default=True,
        help_text=_("Seed holidays and make-up working days from the chinese_calendar library."),
    )
    is_default = models.BooleanField(_("default calendar"), default=False)
    seeded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="sla_one_default_calendar"
            ),
            models.CheckConstraint(
                condition=Q(lunch_start__isnull=True, lunch_end__isnull=True)
                | Q(lunch_start__isnull=False, lunch_end__isnull=False),
                name="sla_lunch_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (self.lunch_start is None) != (self.lunch_end is None):
            raise ValidationError({"lunch_end": _("Give both ends of the lunch break, or none.")})
        try:
            self.spec()
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def spec(
        self, *, holidays: frozenset = frozenset(), makeup: frozenset = frozenset()
    ) -> CalendarSpec:
        """The pure calendar for this row; raises ValueError on an impossible week."""
        weekdays = {int(digit) - 1 for digit in self.working_weekdays}
        lunch = None
        if self.lunch_start is not None and self.lunch_end is not None:
            lunch = TimeSpan(self.lunch_start, self.lunch_end)
        return CalendarSpec(
            timezone_name=self.timezone,
            weekly_hours=uniform_week(start=self.day_start, end=self.day_end, weekdays=weekdays),
            lunch_break=lunch,
            holidays=holidays,
            makeup_working_days=makeup,
            makeup_day_hours=TimeSpan(self.day_start, self.day_end),
        )


class CalendarDay(models.Model):
    """A holiday on a weekday or a make-up working day (调休) on a weekend."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=DaySource.choices, default=DaySource.MANUAL
    )

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["calendar", "date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="sla_one_entry_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".strip()


class ServicePolicy(models.Model):
    """Deadlines for consultations of one channel and priority ("" / 0 = any)."""

    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, blank=True, help_text=_("Empty: any.")
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=PRIORITY_CHOICES, default=ANY_PRIORITY
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policies",
        verbose_name=_("calendar"),
        help_text=_("Empty: the default calendar."),
    )
    after_hours_cutoff = models.TimeField(
        _("after-hours answer by"),
        null=True,
        blank=True,
        help_text=_(
            "A message outside working hours must be answered by this time on the next "
            "working day (e.g. 08:30). Empty: by the start of that working day."
        ),
    )
    summary_hours = models.DecimalField(
        _("summary within (hours)"),
        max_digits=6,
        decimal_places=2,
        default=24,
        validators=[MinValueValidator(0.01)],
    )
    summary_mode = models.CharField(
        _("summary hours count"),
        max_length=10,
        choices=SummaryMode.choices,
        default=SummaryMode.CALENDAR,
    )
    warn_minutes = models.PositiveIntegerField(
        _("warn this many minutes before"), default=60, validators=[MinValueValidator(1)]
    )
    pause_while_waiting = models.BooleanField(
        _("pause while waiting on the client"),
        default=False,
        help_text=_("The summary clock stops while the team waits for the client's answer."),
    )

    class Meta:
        verbose_name = _("service policy")
        verbose_name_plural = _("service policies")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "priority"], name="sla_one_policy_per_scope"
            ),
            models.CheckConstraint(condition=Q(summary_hours__gt=0), name="sla_summary_hours_pos"),
            models.CheckConstraint(condition=Q(warn_minutes__gt=0), name="sla_warn_minutes_pos"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def specificity(self) -> int:
        """Channel-and-priority beats channel, which beats priority, which beats "any"."""
        return (2 if self.channel else 0) + (1 if self.priority != ANY_PRIORITY else 0)


class Clock(models.Model):
    """A running (or paused) deadline; the consultation row mirrors ``due_at``.

    ``warn_at`` and ``due_at`` are what the sweep scans; ``warned_at`` and
    ``breached_at`` are set by a conditional UPDATE so each fires once per deadline.
    """

    consultation = models.ForeignKey(
        "consultations.Consultation", on_delete=models.CASCADE, related_name="sla_clocks"
    )
    kind = models.CharField(max_length=20, choices=ClockKind.choices)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    remaining = models.DurationField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consultation", "kind"], name="sla_one_clock_per_kind")
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="sla_clock_breach_idx",
                condition=Q(breached_at__isnull=True, due_at__isnull=False),
            ),
            models.Index(
                fields=["warn_at"],
                name="sla_clock_warn_idx",
                condition=Q(warned_at__isnull=True, warn_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.consultation_id} due {self.due_at}"


class Breach(models.Model):
    """A deadline that passed unmet: who owned it, when it was due, how late it ended."""

    consultation = models.ForeignKey(
        "consultations.Consultation", on_delete=models.CASCADE, related_name="sla_breaches"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ClockKind.choices)
    due_at = models.DateTimeField(_("due at"))
    breached_at = models.DateTimeField(_("recorded at"))
    resolved_at = models.DateTimeField(_("met at"), null=True, blank=True)
    minutes_late = models.PositiveIntegerField(_("minutes late"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner at the time"),
    )

    class Meta:
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "kind", "due_at"], name="sla_one_breach_per_deadline"
            )
        ]
        indexes = [
            models.Index(fields=["-due_at", "-id"], name="sla_breach_list_idx"),
            models.Index(
                fields=["consultation", "kind"],
                name="sla_breach_open_idx",
                condition=Q(resolved_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.consultation_id} due {self.due_at}"


class Notification(models.Model):
    """An in-app notification; other transports (email, later WeCom) send copies of it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    consultation = models.ForeignKey(
        "consultations.Consultation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.CharField(_("text"), max_length=500)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="sla_notification_list_idx"),
            models.Index(
                fields=["user"],
                name="sla_notification_unread_idx",
                condition=Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.text


class PeriodicRun(models.Model):
    """When a periodic job is next due; workers claim a tick with a conditional UPDATE."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_worker_id = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.name} next at {self.next_run_at}"
