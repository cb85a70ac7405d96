import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultdesk.accounts.models import User
from consultdesk.conftest import logged_in
from consultdesk.consultations.choices import Channel, Stage
from consultdesk.consultations.models import Consultation
from consultdesk.consultations.services import consultation_create


def test_the_inbox_needs_a_login(client: object, db: None) -> None:
    response = client.get(reverse("inbox"))  # type: ignore[attr-defined]
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_inbox_lists_alices_case_with_its_first_words(
    alices_case: Consultation, alice: User
) -> None:
    response = logged_in(alice).get(reverse("inbox"))
    assert response.status_code == 200
    page = response.content.decode()
    assert alices_case.reference in page
    assert "大概想要体验更好一点" in page


def test_the_inbox_filters_by_stage(alices_case: Consultation, alice: User) -> None:
    response = logged_in(alice).get(reverse("inbox"), {"stage": Stage.CLOSED})
    assert alices_case.reference not in response.content.decode()


def test_charlie_does_not_see_alices_case_in_the_inbox(
    alices_case: Consultation, charlie: User
) -> None:
    response = logged_in(charlie).get(reverse("inbox"))
    assert alices_case.reference not in response.content.decode()


def test_charlie_gets_404_for_alices_case_and_cannot_change_it(
    alices_case: Consultation, charlie: User
) -> None:
    browser = logged_in(charlie)
    assert browser.get(reverse("consultation_detail", args=[alices_case.pk])).status_code == 404
    response = browser.post(
        reverse("record_update", args=[alices_case.pk]),
        {"version": 1, "title": "hijacked", "priority": 2, "budget_currency": "CNY"},
    )
    assert response.status_code == 404
    response = browser.post(
        reverse("consultation_transition", args=[alices_case.pk]),
        {"to": "closed", "outcome": "lost", "reason": "x"},
    )
    assert response.status_code == 404
    stored = Consultation.objects.get(pk=alices_case.pk)
    assert (stored.title, stored.stage, stored.version) == ("优化在线教学系统", Stage.RECEIVED, 1)


def test_the_inbox_query_count_does_not_grow_with_rows(alice: User) -> None:
    def queries_for_inbox() -> int:
        browser = logged_in(alice)
        with CaptureQueriesContext(connection) as context:
            assert browser.get(reverse("inbox")).status_code == 200
        return len(context.captured_queries)

    consultation_create(title="one", channel=Channel.EMAIL, owner=alice, actor=alice)
    queries_for_inbox()  # warm the per-process caches (service-level policies)
    few = queries_for_inbox()
    for number in range(15):
        consultation_create(
            title=f"case {number}",
            channel=Channel.PHONE,
            owner=alice,
            actor=alice,
            first_message="hi",
        )
    assert queries_for_inbox() == few


def record_post(consultation: Consultation, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "version": consultation.version,
        "title": consultation.title,
        "priority": consultation.priority,
        "budget_currency": consultation.budget_currency,
    }
    data.update(changes)
    return data


def test_saving_the_record_form_changes_the_record(alices_case: Consultation, alice: User) -> None:
    response = logged_in(alice).post(
        reverse("record_update", args=[alices_case.pk]),
        record_post(alices_case, budget_max="300000", stressed="预算不超过 30 万\n两个月内上线"),
    )
    assert response.status_code == 302
    stored = Consultation.objects.get(pk=alices_case.pk)
    assert (stored.budget_max, stored.stressed, stored.version) == (
        300_000,
        ["预算不超过 30 万", "两个月内上线"],
        2,
    )


def test_a_negative_budget_gets_a_field_message_in_the_users_language(
    alices_case: Consultation, alice: User
) -> None:
    alice.language = "zh-hans"
    alice.save()
    response = logged_in(alice).post(
        reverse("record_update", args=[alices_case.pk]),
        record_post(alices_case, budget_min="-5"),
    )
    assert response.status_code == 422
    assert "budget_min" in response.context["record_form"].errors
    assert "确保该值大于或等于0" in response.content.decode()
    assert Consultation.objects.get(pk=alices_case.pk).version == 1


def test_a_stale_form_shows_the_other_persons_change_and_keeps_mine(
    alices_case: Consultation, alice: User, bob: User
) -> None:
    alices_case.shared_with.add(bob)
    stale = record_post(alices_case, budget_max="500000")
    logged_in(bob).post(
        reverse("record_update", args=[alices_case.pk]),
        record_post(alices_case, budget_max="300000"),
    )
    response = logged_in(alice).post(reverse("record_update", args=[alices_case.pk]), stale)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this record" in page
    assert "300000" in page
    assert response.context["record_form"]["budget_max"].value() == "500000"
    assert Consultation.objects.get(pk=alices_case.pk).budget_max == 300_000


def test_a_refused_stage_change_lists_what_is_missing(
    alices_case: Consultation, alice: User
) -> None:
    response = logged_in(alice).post(
        reverse("consultation_transition", args=[alices_case.pk]), {"to": "recorded"}
    )
    assert response.status_code == 422
    assert "Describe the problem the client wants solved." in response.content.decode()
    assert Consultation.objects.get(pk=alices_case.pk).stage == Stage.RECEIVED


def test_the_detail_page_shows_the_gate_and_the_timeline(
    alices_case: Consultation, alice: User
) -> None:
    response = logged_in(alice).get(reverse("consultation_detail", args=[alices_case.pk]))
    page = response.content.decode()
    assert "Before “Recorded”, still missing:" in page
    assert "我们想优化一下在线教学系统" in page


@pytest.mark.parametrize("language, expected", [("zh-CN,zh;q=0.9", "收件箱"), ("en-US", "Inbox")])
def test_the_interface_follows_the_browser_language(
    alice: User, language: str, expected: str
) -> None:
    response = logged_in(alice).get(reverse("inbox"), HTTP_ACCEPT_LANGUAGE=language)
    assert expected in response.content.decode()


def test_creating_by_hand_opens_a_consultation_with_a_new_client_and_contact(alice: User) -> None:
    response = logged_in(alice).post(
        reverse("consultation_create"),
        {
            "title": "电话咨询：仓库扫码枪掉线",
            "channel": "phone",
            "new_client_name": "宏远物流",
            "contact_name": "黄经理",
            "contact_phone": "13700137003",
            "priority": 3,
            "first_message": "扫码枪老是掉线",
        },
    )
    consultation = Consultation.objects.get()
    assert response["Location"] == reverse("consultation_detail", args=[consultation.pk])
    assert (consultation.client.name, consultation.primary_contact.phone, consultation.owner) == (
        "宏远物流",
        "13700137003",
        alice,
    )


def test_creating_by_hand_without_a_title_returns_a_field_error(alice: User) -> None:
    response = logged_in(alice).post(reverse("consultation_create"), {"channel": "phone"})
    assert response.status_code == 422
    assert response.context["form"].errors["title"] == ["This field is required."]
    assert not Consultation.objects.exists()


def test_empty_mandatory_fields_stand_out_on_the_record_form(
    alices_case: Consultation, alice: User
) -> None:
    page = logged_in(alice).get(reverse("consultation_detail", args=[alices_case.pk]))
    html = page.content.decode()
    assert html.count("gate-missing") == 6  # size, level, goal, systems, budget, timeline


def test_sharing_and_tagging_from_the_page(
    alices_case: Consultation, alice: User, bob: User
) -> None:
    browser = logged_in(alice)
    browser.post(reverse("consultation_share", args=[alices_case.pk]), {"users": [bob.pk]})
    browser.post(
        reverse("consultation_tags", args=[alices_case.pk]), {"tags": "教育，家长端, 教育"}
    )
    assert list(alices_case.shared_with.all()) == [bob]
    assert sorted(alices_case.tags.values_list("name", flat=True)) == ["家长端", "教育"]
    assert (
        logged_in(bob).get(reverse("consultation_detail", args=[alices_case.pk])).status_code == 200
    )


def test_the_stage_counts_only_count_what_the_user_may_see(
    alices_case: Consultation, alice: User, charlie: User
) -> None:
    mine = logged_in(alice).get(reverse("inbox_counts")).context
    theirs = logged_in(charlie).get(reverse("inbox_counts")).context
    assert dict(mine["stage_counts"])[Stage.RECEIVED] == 1
    assert mine["awaiting_count"] == 1
    assert dict(theirs["stage_counts"])[Stage.RECEIVED] == 0
    assert theirs["awaiting_count"] == 0


def test_only_managers_merge_and_a_merged_reference_still_threads_mail(
    alices_case: Consultation, alice: User, maria: User
) -> None:
    from consultdesk.intake.inbound import InboundMessage
    from consultdesk.intake.services import message_ingest

    duplicate = consultation_create(title="dup", channel=Channel.EMAIL, owner=alice, actor=None)
    url = reverse("consultation_merge", args=[duplicate.pk])
    assert logged_in(alice).post(url, {"target": alices_case.reference}).status_code == 404
    response = logged_in(maria).post(url, {"target": alices_case.reference.lower()})
    assert response["Location"] == reverse("consultation_detail", args=[alices_case.pk])
    result = message_ingest(
        inbound=InboundMessage(
            channel="email",
            external_id="late@x",
            body="回复",
            subject=f"Re: [{duplicate.reference}] x",
        )
    )
    assert result.consultation == alices_case


def test_a_wechat_user_is_linked_to_the_contact_we_know(
    alices_case: Consultation, alice: User, principal: object
) -> None:
    from consultdesk.clients.models import Contact
    from consultdesk.consultations.choices import Direction
    from consultdesk.consultations.services import message_add

    stranger = Contact.objects.create(client=alices_case.client, name="wx-user", wechat_id="wmABC")
    alices_case.contacts.add(stranger)
    message_add(
        consultation=alices_case,
        direction=Direction.INBOUND,
        channel=Channel.WECHAT,
        body="我是陈校长，用微信发的",
        contact=stranger,
        actor=None,
    )
    response = logged_in(alice).post(
        reverse("contact_link", args=[alices_case.pk, stranger.pk]),
        {"target": principal.pk},  # type: ignore[attr-defined]
    )
    assert response.status_code == 302
    principal.refresh_from_db()  # type: ignore[attr-defined]
    assert principal.wechat_id == "wmABC"  # type: ignore[attr-defined]
    assert not Contact.objects.filter(pk=stranger.pk).exists()
    assert alices_case.messages.filter(contact=principal).count() == 2
    page = (
        logged_in(alice).get(reverse("consultation_detail", args=[alices_case.pk])).content.decode()
    )
    assert "WeChat ·" in page  # each message shows its channel
