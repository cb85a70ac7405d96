"""The sweep: warnings once at the threshold, breaches once, notifications to the right people."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from consultdesk.accounts.models import User
from consultdesk.sla import notifications as notifications_module
from consultdesk.sla.models import Breach, ClockKind, Notification, NotificationKind
from consultdesk.sla.services import deadlines_on_inbound, deadlines_on_reply, sla_sweep
from consultdesk.sla.tests.conftest import at

pytestmark = pytest.mark.django_db

DUE = at("2026-11-25 18:00")


@pytest.fixture
def late_case(new_case, alice: User, maria: User):  # type: ignore[no-untyped-def]
    alice.email, maria.email = "alice@example.com", "maria@example.com"
    User.objects.bulk_update([alice, maria], ["email"])
    case = new_case()
    deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 10:00"))
    return case


def test_a_sweep_run_twice_records_one_breach_and_notifies_once(late_case, alice, maria) -> None:
    first = sla_sweep(now=DUE + timedelta(minutes=1))
    second = sla_sweep(now=DUE + timedelta(minutes=2))

    assert (first.breaches, second.breaches) == (1, 0)
    breach = Breach.objects.get()
    assert (breach.consultation, breach.kind, breach.due_at) == (
        late_case,
        ClockKind.FIRST_RESPONSE,
        DUE,
    )
    assert breach.owner == alice
    assert breach.resolved_at is None
    recipients = sorted(n.user.username for n in Notification.objects.all())
    assert recipients == ["alice", "maria"]


def test_breach_emails_go_out_after_commit(late_case, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep(now=DUE + timedelta(minutes=1))

    assert sorted(message.to[0] for message in mail.outbox) == [
        "alice@example.com",
        "maria@example.com",
    ]
    assert late_case.reference in mail.outbox[0].body


def test_nothing_is_emailed_when_the_sweep_rolls_back(
    late_case, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sla_sweep(now=DUE + timedelta(minutes=1))

    assert mail.outbox == []
    assert len(callbacks) == len(notifications_module.transports())


def test_a_warning_goes_to_the_owner_once_at_the_threshold(late_case, alice) -> None:
    before = sla_sweep(now=DUE - timedelta(minutes=61))
    first = sla_sweep(now=DUE - timedelta(minutes=59))
    second = sla_sweep(now=DUE - timedelta(minutes=30))

    assert (before.warnings, first.warnings, second.warnings) == (0, 1, 0)
    warning = Notification.objects.get()
    assert (warning.user, warning.kind) == (alice, NotificationKind.WARNING)
    assert "18:00" in warning.text


def test_a_deadline_already_missed_is_not_warned_about_as_well(late_case) -> None:
    result = sla_sweep(now=DUE + timedelta(hours=3))

    assert (result.warnings, result.breaches) == (0, 1)
    assert not Notification.objects.filter(kind=NotificationKind.WARNING).exists()


def test_managers_are_warned_about_an_unassigned_consultation(new_case, maria) -> None:
    case = new_case(owner=None)
    deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 10:00"))

    sla_sweep(now=DUE - timedelta(minutes=30))

    assert [n.user for n in Notification.objects.all()] == [maria]


def test_an_answered_message_is_neither_warned_nor_breached(late_case) -> None:
    deadlines_on_reply(consultation=late_case, replied_at=at("2026-11-25 11:00"))

    result = sla_sweep(now=DUE + timedelta(hours=1))

    assert (result.warnings, result.breaches) == (0, 0)
    assert not Notification.objects.exists()


def test_a_re_armed_clock_that_is_missed_again_records_a_second_breach(late_case) -> None:
    sla_sweep(now=DUE + timedelta(minutes=1))
    deadlines_on_reply(consultation=late_case, replied_at=at("2026-11-25 19:00"))
    deadlines_on_inbound(consultation=late_case, received_at=at("2026-11-26 10:00"))

    sla_sweep(now=at("2026-11-26 18:01"))

    assert [breach.due_at for breach in Breach.objects.order_by("due_at")] == [
        DUE,
        at("2026-11-26 18:00"),
    ]
    assert Breach.objects.filter(resolved_at=None).count() == 1


def test_the_notification_text_follows_the_recipients_language(late_case, alice) -> None:
    alice.language = "zh-hans"
    alice.save()

    sla_sweep(now=DUE + timedelta(minutes=1))

    assert Notification.objects.get(user=alice).text.startswith(late_case.reference)


def test_every_configured_transport_gets_the_notifications(
    late_case, settings, django_capture_on_commit_callbacks
) -> None:
    settings.CONSULTDESK_NOTIFICATION_TRANSPORTS = [
        "consultdesk.sla.notifications.EmailTransport",
        "consultdesk.sla.tests.test_sweep.RecordingTransport",
    ]
    RecordingTransport.sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep(now=DUE + timedelta(minutes=1))

    assert len(mail.outbox) == 2
    assert sorted(item.user.username for item in RecordingTransport.sent) == ["alice", "maria"]


def test_a_failing_transport_does_not_stop_the_others(
    late_case, settings, django_capture_on_commit_callbacks
) -> None:
    settings.CONSULTDESK_NOTIFICATION_TRANSPORTS = [
        "consultdesk.sla.tests.test_sweep.BrokenTransport",
        "consultdesk.sla.notifications.EmailTransport",
    ]

    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep(now=DUE + timedelta(minutes=1))

    assert len(mail.outbox) == 2
    assert Notification.objects.count() == 2


class RecordingTransport:
    name = "recording"
    sent: list[Notification] = []

    def send(self, notifications: list[Notification]) -> None:
        self.sent.extend(notifications)


class BrokenTransport:
    name = "broken"

    def send(self, notifications: list[Notification]) -> None:
        raise ConnectionError("the gateway is down")
