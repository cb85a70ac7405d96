"""Breach list (managers only), notifications, the badge and the clock include."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from consultdesk.conftest import logged_in
from consultdesk.consultations.models import Consultation
from consultdesk.sla.display import ClockColour, clock_state, duration_text
from consultdesk.sla.models import Notification, NotificationKind
from consultdesk.sla.services import deadlines_on_inbound, sla_sweep
from consultdesk.sla.tests.conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.urls("consultdesk.sla.tests.urls")]

DUE = at("2026-11-25 18:00")


def late_cases(new_case, count: int) -> list[Consultation]:  # type: ignore[no-untyped-def]
    cases = [new_case() for _ in range(count)]
    for case in cases:
        deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 10:00"))
    sla_sweep(now=DUE + timedelta(minutes=5))
    return cases


# --- The breach list --------------------------------------------------------------------


def test_a_manager_sees_the_missed_deadlines(new_case, maria) -> None:
    [case] = late_cases(new_case, 1)

    response = logged_in(maria).get("/sla/breaches/")

    assert response.status_code == 200
    assert case.reference in response.content.decode()


def test_a_consultant_gets_404_on_the_breach_list(new_case, alice) -> None:
    late_cases(new_case, 1)

    response = logged_in(alice).get("/sla/breaches/")

    assert response.status_code == 404


def test_charlie_gets_404_on_the_breach_list(charlie) -> None:
    assert logged_in(charlie).get("/sla/breaches/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_page() -> None:
    from django.test import Client

    response = Client().get("/sla/breaches/")

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_breach_list_filters_by_status(new_case, maria) -> None:
    [case] = late_cases(new_case, 1)

    still_late = logged_in(maria).get("/sla/breaches/?status=open").content.decode()
    met = logged_in(maria).get("/sla/breaches/?status=resolved").content.decode()

    assert case.reference in still_late
    assert case.reference not in met


def test_the_breach_list_costs_the_same_queries_for_1_or_12_breaches(new_case, maria) -> None:
    client = logged_in(maria)
    late_cases(new_case, 1)
    with CaptureQueriesContext(connection) as one:
        client.get("/sla/breaches/")
    late_cases(new_case, 11)
    with CaptureQueriesContext(connection) as twelve:
        response = client.get("/sla/breaches/")

    assert response.content.decode().count("CD-2026-") >= 12
    assert len(twelve) == len(one)


# --- Notifications ----------------------------------------------------------------------


def test_a_user_sees_only_their_own_notifications(new_case, alice, maria, bob) -> None:
    late_cases(new_case, 1)

    alices = logged_in(alice).get("/sla/notifications/").content.decode()
    bobs = logged_in(bob).get("/sla/notifications/").content.decode()

    assert "CD-2026-" in alices
    assert "CD-2026-" not in bobs


def test_marking_one_notification_read_leaves_the_others(alice) -> None:
    first, second = (
        Notification.objects.create(
            user=alice, kind=NotificationKind.WARNING, text=text, created_at=DUE
        )
        for text in ("one", "two")
    )

    response = logged_in(alice).post("/sla/notifications/read", {"id": first.pk})

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


def test_nobody_can_mark_someone_elses_notification_read(alice, charlie) -> None:
    notification = Notification.objects.create(
        user=alice, kind=NotificationKind.WARNING, text="one", created_at=DUE
    )

    logged_in(charlie).post("/sla/notifications/read", {"id": notification.pk})

    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_badge_shows_the_unread_count(alice) -> None:
    for text in ("one", "two"):
        Notification.objects.create(
            user=alice, kind=NotificationKind.WARNING, text=text, created_at=DUE
        )
    request = RequestFactory().get("/")
    request.user = alice

    html = Template("{% load sla %}{% notification_badge %}").render(Context({"request": request}))

    assert '<span class="badge"' in html
    assert ">2</span>" in html


# --- The clock ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes_left", "colour"),
    [
        (None, ClockColour.NONE),
        (61, ClockColour.OK),
        (60, ClockColour.WARNING),
        (1, ClockColour.WARNING),
        (0, ClockColour.BREACHED),
        (-5, ClockColour.BREACHED),
    ],
)
def test_the_clock_colour_follows_the_warning_threshold(minutes_left, colour) -> None:
    due = None if minutes_left is None else DUE + timedelta(minutes=minutes_left)

    assert clock_state(due, DUE, 60).colour == colour


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (timedelta(minutes=12, seconds=59), "12 min"),
        (timedelta(hours=5, minutes=7), "5 h 07 min"),
        (timedelta(days=2, hours=3, minutes=30), "2 d 3 h"),
    ],
)
def test_remaining_time_reads_in_the_two_largest_units(duration, text) -> None:
    assert duration_text(duration) == text


def test_the_clock_include_shows_the_remaining_time_with_its_colour(new_case) -> None:
    case = new_case()
    deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 10:00"))

    html = render_to_string(
        "sla/_clock.html", {"consultation": case, "now": DUE - timedelta(minutes=30)}
    )

    assert 'class="sla-clock sla-warning"' in html
    assert 'title="Due at 2026-11-25 18:00, 30 min left"' in html


def test_the_clock_include_says_late_after_the_deadline(new_case) -> None:
    case = new_case()
    deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 10:00"))

    html = render_to_string(
        "sla/_clock.html", {"consultation": case, "now": DUE + timedelta(hours=2)}
    )

    assert "sla-breached" in html
    assert "2 h 00 min late" in html


def test_a_clock_for_a_consultation_without_deadlines_is_blank(new_case) -> None:
    html = render_to_string("sla/_clock.html", {"consultation": new_case(), "now": DUE})

    assert "sla-none" in html
    assert 'aria-label="No deadline running"' in html


def test_clocks_on_a_list_cost_no_query_per_row(new_case, django_assert_num_queries) -> None:
    cases = [new_case() for _ in range(5)]
    render_to_string("sla/_clock.html", {"consultation": cases[0], "now": DUE})  # warms cache

    with django_assert_num_queries(0):
        for case in cases:
            render_to_string("sla/_clock.html", {"consultation": case, "now": DUE})
