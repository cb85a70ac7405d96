"""The SLA API: breaches for managers (404 for others), one's own notifications."""

from __future__ import annotations

import json

import pytest

from consultdesk.conftest import logged_in
from consultdesk.sla.models import Notification
from consultdesk.sla.services import deadlines_on_inbound, sla_sweep
from consultdesk.sla.tests.conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.urls("consultdesk.sla.tests.urls")]

API = "/test-api/sla"


@pytest.fixture
def late_case(new_case, maria):  # type: ignore[no-untyped-def]
    case = new_case()
    deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 10:00"))
    sla_sweep(now=at("2026-11-25 18:05"))
    return case


def test_a_manager_lists_breaches_with_offsets_in_the_times(late_case, maria) -> None:
    response = logged_in(maria).get(f"{API}/breaches")

    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["consultation_reference"] == late_case.reference
    assert item["kind"] == "first_response"
    assert item["owner"] == "alice"
    assert item["resolved_at"] is None
    assert item["due_at"].endswith(("+08:00", "Z", "+00:00"))


def test_a_consultant_gets_404_on_the_breach_api(late_case, alice) -> None:
    assert logged_in(alice).get(f"{API}/breaches").status_code == 404


def test_charlie_gets_404_on_the_breach_api(late_case, charlie) -> None:
    assert logged_in(charlie).get(f"{API}/breaches").status_code == 404


def test_notifications_are_listed_for_their_owner_only(late_case, alice, charlie) -> None:
    alices = logged_in(alice).get(f"{API}/notifications").json()["items"]
    charlies = logged_in(charlie).get(f"{API}/notifications").json()["items"]

    assert [item["kind"] for item in alices] == ["sla_breach"]
    assert charlies == []


def test_marking_all_read_touches_only_ones_own(late_case, alice, maria) -> None:
    client = logged_in(alice)

    response = client.post(
        f"{API}/notifications/read", data=json.dumps({}), content_type="application/json"
    )

    assert response.json() == {"marked": 1}
    assert Notification.objects.get(user=alice).read_at is not None
    assert Notification.objects.get(user=maria).read_at is None
    unread = client.get(f"{API}/notifications?unread=true").json()["items"]
    assert unread == []


def test_the_breach_api_filters_open_breaches(late_case, maria) -> None:
    client = logged_in(maria)

    still_open = client.get(f"{API}/breaches?open=true").json()["items"]
    resolved = client.get(f"{API}/breaches?open=false").json()["items"]

    assert len(still_open) == 1
    assert resolved == []
