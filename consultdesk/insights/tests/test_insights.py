from collections.abc import Callable
from typing import Any

from django.urls import reverse

from consultdesk.accounts.models import User
from consultdesk.conftest import logged_in
from consultdesk.consultations.choices import Channel, Direction
from consultdesk.consultations.models import Consultation
from consultdesk.consultations.services import consultation_update_record, message_add
from consultdesk.insights.models import CustomTerm, Finding, FindingSource, FindingStatus
from consultdesk.insights.services import message_analyse, suggestion_apply
from consultdesk.insights.templatetags.insights import highlight

SLOW_SYSTEM = "我们的系统反应慢，预算30-50万，年底前上线，应该没问题吧？我们是做教育的。"


def add_inbound(consultation: Consultation, body: str) -> Any:
    return message_add(
        consultation=consultation,
        direction=Direction.INBOUND,
        channel=Channel.EMAIL,
        body=body,
        actor=None,
    )


def test_a_client_message_is_analysed_after_it_is_committed(
    alices_case: Consultation, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = add_inbound(alices_case, SLOW_SYSTEM)
    kinds = set(Finding.objects.filter(message=message).values_list("kind", flat=True))
    assert {"unquantified_quality", "assumption"} <= kinds
    alices_case.refresh_from_db()
    assert alices_case.open_findings == Finding.objects.filter(consultation=alices_case).count()
    assert alices_case.suggestions["budget"]["max"] == 500000
    assert message.analysis.result["fields"]["timeline"]["text"] == "年底前"


def test_suggestions_fill_empty_fields_and_never_overwrite(
    alices_case: Consultation, alice: User
) -> None:
    message_analyse(message=add_inbound(alices_case, SLOW_SYSTEM))
    alices_case.refresh_from_db()
    updated = suggestion_apply(consultation=alices_case, field="budget_max", actor=alice)
    assert (updated.budget_min, updated.budget_max, updated.budget_currency) == (
        300000,
        500000,
        "CNY",
    )
    consultation_update_record(
        consultation=updated,
        changes={"existing_systems": "自建排课系统"},
        expected_version=updated.version,
        actor=alice,
    )
    stored = Consultation.objects.get(pk=alices_case.pk)
    again = suggestion_apply(consultation=stored, field="budget_max", actor=alice)
    assert again.version == stored.version  # nothing left to offer for a filled field


def test_the_record_goal_is_analysed_when_it_changes(
    alices_case: Consultation, alice: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        consultation_update_record(
            consultation=alices_case,
            changes={"core_goal": "上一个中台，尽快上线"},
            expected_version=1,
            actor=alice,
        )
    record_findings = Finding.objects.filter(consultation=alices_case, source=FindingSource.RECORD)
    assert {"means_as_goal", "unbounded_time"} <= set(
        record_findings.values_list("kind", flat=True)
    )


def test_marking_findings_updates_the_open_count(alices_case: Consultation, alice: User) -> None:
    message_analyse(message=add_inbound(alices_case, SLOW_SYSTEM))
    finding = Finding.objects.filter(consultation=alices_case).first()
    before = Consultation.objects.get(pk=alices_case.pk).open_findings
    logged_in(alice).post(
        reverse("finding_status", args=[alices_case.pk, finding.pk]), {"status": "resolved"}
    )
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RESOLVED
    assert Consultation.objects.get(pk=alices_case.pk).open_findings == before - 1


def test_charlie_cannot_touch_alices_findings(alices_case: Consultation, charlie: User) -> None:
    message_analyse(message=add_inbound(alices_case, SLOW_SYSTEM))
    finding = Finding.objects.filter(consultation=alices_case).first()
    response = logged_in(charlie).post(
        reverse("finding_status", args=[alices_case.pk, finding.pk]), {"status": "resolved"}
    )
    assert response.status_code == 404
    assert Finding.objects.get(pk=finding.pk).status == FindingStatus.OPEN


def test_a_team_term_from_the_admin_is_found_without_a_code_change(
    alices_case: Consultation,
) -> None:
    CustomTerm.objects.create(kind="hedge", language="zh", term="看情况", question="看什么情况？")
    message = add_inbound(alices_case, "功能看情况再定")
    message_analyse(message=message)
    finding = Finding.objects.get(message=message, text="看情况")
    assert finding.kind == "hedge"
    assert "看什么情况？" in finding.questions


def test_findings_are_highlighted_and_the_text_escaped() -> None:
    text = "<b>系统</b>反应慢"
    html = highlight(
        text, [{"kind": "unquantified_quality", "start": 9, "end": 12, "severity": "medium"}]
    )
    assert html == (
        '&lt;b&gt;系统&lt;/b&gt;<mark class="finding k-unquantified_quality s-medium"'
        ' title="Unquantified quality">反应慢</mark>'
    )


def test_the_consultation_page_shows_findings_and_suggestions(
    alices_case: Consultation, alice: User
) -> None:
    message_analyse(message=add_inbound(alices_case, SLOW_SYSTEM))
    page = (
        logged_in(alice).get(reverse("consultation_detail", args=[alices_case.pk])).content.decode()
    )
    assert '<mark class="finding' in page
    assert "Found in the messages:" in page and "30-50万" in page
