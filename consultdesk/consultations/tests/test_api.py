import json

import pytest
from django.test import Client as HttpClient

from consultdesk.accounts.models import User
from consultdesk.accounts.services import api_token_create
from consultdesk.clients.models import Client
from consultdesk.consultations.choices import Stage
from consultdesk.consultations.models import Consultation


def api_as(user: User) -> HttpClient:
    _token, raw = api_token_create(user=user)
    return HttpClient(headers={"Authorization": f"Bearer {raw}"})


def send(browser: HttpClient, method: str, path: str, body: object) -> object:
    return getattr(browser, method)(
        f"/api/v1{path}", data=json.dumps(body), content_type="application/json"
    )


def test_the_api_refuses_requests_without_credentials(db: None) -> None:
    assert HttpClient().get("/api/v1/consultations").status_code == 401
    bad = HttpClient(headers={"Authorization": "Bearer cd_wrong"})
    assert bad.get("/api/v1/consultations").status_code == 401


def test_the_openapi_schema_documents_the_consultation_endpoints(db: None) -> None:
    schema = HttpClient().get("/api/v1/openapi.json").json()
    assert {"/api/v1/consultations", "/api/v1/consultations/{pk}/transition"} <= set(
        schema["paths"]
    )
    assert "RecordPatch" in schema["components"]["schemas"]


def test_listing_is_paginated_and_limited_to_visible_cases(
    alices_case: Consultation, alice: User, charlie: User
) -> None:
    body = api_as(alice).get("/api/v1/consultations").json()
    assert body["count"] == 1
    assert body["items"][0]["reference"] == alices_case.reference
    assert body["items"][0]["client_name"] == "华育在线教育"
    assert api_as(charlie).get("/api/v1/consultations").json() == {"items": [], "count": 0}


def test_charlie_gets_404_reading_or_changing_alices_case(
    alices_case: Consultation, charlie: User
) -> None:
    browser = api_as(charlie)
    assert browser.get(f"/api/v1/consultations/{alices_case.pk}").status_code == 404
    response = send(
        browser, "patch", f"/consultations/{alices_case.pk}", {"version": 1, "title": "x"}
    )
    assert response.status_code == 404  # type: ignore[attr-defined]
    assert Consultation.objects.get(pk=alices_case.pk).title == "优化在线教学系统"


def test_creating_returns_the_new_consultation_with_its_gate_report(
    alice: User, acme: Client
) -> None:
    response = send(
        api_as(alice),
        "post",
        "/consultations",
        {
            "title": "Checkout is slow",
            "channel": "email",
            "client_id": acme.pk,
            "first_message": "hi",
        },
    )
    assert response.status_code == 201  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["reference"].startswith("CD-")
    assert body["stage"] == "received"
    assert "core_goal" in [item["field"] for item in body["missing_for_next_stage"]]


def test_creating_with_an_unknown_channel_is_a_422(alice: User) -> None:
    response = send(api_as(alice), "post", "/consultations", {"title": "x", "channel": "pigeon"})
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert not Consultation.objects.exists()


def test_patching_with_a_stale_version_is_a_409_with_their_values(
    alices_case: Consultation, alice: User
) -> None:
    browser = api_as(alice)
    path = f"/consultations/{alices_case.pk}"
    assert send(browser, "patch", path, {"version": 1, "budget_max": 300000}).status_code == 200  # type: ignore[attr-defined]
    response = send(browser, "patch", path, {"version": 1, "budget_max": 1})
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert response.json()["theirs"] == {"budget_max": 300000}  # type: ignore[attr-defined]
    assert response.json()["version"] == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "patch, field",
    [
        ({"budget_min": -1}, "budget_min"),
        ({"budget_min": 10, "budget_max": 5}, "budget_max"),
        ({"category": "astrology"}, "category"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_bad_record_values_are_422_with_field_messages_and_nothing_saved(
    alices_case: Consultation, alice: User, patch: dict[str, object], field: str
) -> None:
    response = send(
        api_as(alice), "patch", f"/consultations/{alices_case.pk}", {"version": 1, **patch}
    )
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert field in json.dumps(response.json())  # type: ignore[attr-defined]
    assert Consultation.objects.get(pk=alices_case.pk).version == 1


def test_a_refused_transition_is_a_422_listing_the_missing_fields(
    alices_case: Consultation, alice: User
) -> None:
    response = send(
        api_as(alice), "post", f"/consultations/{alices_case.pk}/transition", {"to": "recorded"}
    )
    assert response.status_code == 422  # type: ignore[attr-defined]
    fields = [item["field"] for item in response.json()["detail"]]  # type: ignore[attr-defined]
    assert fields == [
        "organisation_size",
        "technical_level",
        "core_goal",
        "existing_systems",
        "budget_max",
        "timeline_days",
    ]
    assert Consultation.objects.get(pk=alices_case.pk).stage == Stage.RECEIVED


def test_closing_through_the_api_and_reading_the_timeline(
    alices_case: Consultation, alice: User
) -> None:
    browser = api_as(alice)
    response = send(
        browser,
        "post",
        f"/consultations/{alices_case.pk}/transition",
        {"to": "closed", "outcome": "declined", "reason": "out of scope"},
    )
    assert response.status_code == 200  # type: ignore[attr-defined]
    timeline = browser.get(f"/api/v1/consultations/{alices_case.pk}/timeline").json()
    kinds = [entry["kind"] or entry["type"] for entry in timeline]
    assert kinds[-1] == "stage_changed"
    assert "message" in kinds


def test_assigning_through_the_api(alices_case: Consultation, alice: User, bob: User) -> None:
    response = send(
        api_as(alice), "post", f"/consultations/{alices_case.pk}/assign", {"owner_id": bob.pk}
    )
    assert response.json()["owner"] == {"id": bob.pk, "username": "bob"}  # type: ignore[attr-defined]


def test_session_authentication_works_for_the_browser(
    alices_case: Consultation, alice: User
) -> None:
    browser = HttpClient()
    browser.force_login(alice)
    assert browser.get(f"/api/v1/consultations/{alices_case.pk}").status_code == 200


def test_sharing_lets_bob_see_alices_case(
    alices_case: Consultation, alice: User, bob: User
) -> None:
    assert api_as(bob).get(f"/api/v1/consultations/{alices_case.pk}").status_code == 404
    response = send(
        api_as(alice), "post", f"/consultations/{alices_case.pk}/share", {"user_ids": [bob.pk]}
    )
    assert response.json()["shared_with_ids"] == [bob.pk]  # type: ignore[attr-defined]
    assert api_as(bob).get(f"/api/v1/consultations/{alices_case.pk}").status_code == 200


def test_sharing_with_an_unknown_user_is_a_422(alices_case: Consultation, alice: User) -> None:
    response = send(
        api_as(alice), "post", f"/consultations/{alices_case.pk}/share", {"user_ids": [999]}
    )
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert not alices_case.shared_with.exists()


def test_tags_are_trimmed_deduplicated_and_replaced(alices_case: Consultation, alice: User) -> None:
    path = f"/consultations/{alices_case.pk}/tags"
    response = send(api_as(alice), "put", path, {"tags": [" 教育 ", "教育", "urgent"]})
    assert response.json()["tags"] == ["urgent", "教育"]  # type: ignore[attr-defined]
    response = send(api_as(alice), "put", path, {"tags": ["教育"]})
    assert response.json()["tags"] == ["教育"]  # type: ignore[attr-defined]


def test_only_managers_merge_and_split_through_the_api(
    alices_case: Consultation, alice: User, maria: User
) -> None:
    from consultdesk.consultations.choices import Channel
    from consultdesk.consultations.services import consultation_create

    duplicate = consultation_create(
        title="dup", channel=Channel.EMAIL, owner=alice, first_message="x", actor=None
    )
    path = f"/consultations/{duplicate.pk}/merge"
    assert send(api_as(alice), "post", path, {"target_id": alices_case.pk}).status_code == 404  # type: ignore[attr-defined]
    response = send(api_as(maria), "post", path, {"target_id": alices_case.pk})
    assert response.status_code == 200  # type: ignore[attr-defined]
    message_pk = alices_case.messages.order_by("id").last().pk
    response = send(
        api_as(maria), "post", f"/consultations/{alices_case.pk}/messages/{message_pk}/split", {}
    )
    assert response.status_code == 201  # type: ignore[attr-defined]
    assert response.json()["reference"] != alices_case.reference  # type: ignore[attr-defined]
