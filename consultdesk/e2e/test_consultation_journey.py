"""A consultation walked through the product in Chinese, the way people use it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections

from consultdesk.accounts.models import Role
from consultdesk.accounts.services import user_create
from consultdesk.consultations.models import Consultation
from consultdesk.conversations.models import (
    Activity,
    ActivityKind,
    MeetingEntry,
    QuestionStatus,
)
from consultdesk.e2e.meeting import keys_ready, nothing_pending

PASSWORD = "e2e-password-not-secret"  # noqa: S105

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def context_options() -> dict[str, Any]:
    # No service workers: Playwright's offline switch does not reliably reach them
    # (microsoft/playwright#2311), and the meeting page's worker would then answer a
    # reload after the connection is back with its older copy of the page.
    return {"service_workers": "block"}


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/inbox/**")


def test_a_website_message_becomes_a_summary_the_client_confirms(
    live_server: Any, page: Any
) -> None:
    user_create(
        username="lihua",
        role=Role.CONSULTANT,
        password=PASSWORD,
        display_name="李华",
        validate=False,
    )
    try:
        _journey(page, live_server.url)
    finally:
        # Playwright runs the test body in a greenlet of its own, which gets its own
        # database connection: close it before the test database is dropped.
        connections.close_all()


def _journey(page: Any, base: str) -> None:

    # The client writes at night through the website form.
    page.goto(f"{base}/intake/form/")
    page.fill("#id_name", "陈校长")
    page.fill("#id_organisation", "华育在线教育")
    page.fill("#id_phone", "13800138001")
    page.fill(
        "#id_need", "我们想优化一下在线教学系统，家长端 App 打开很慢，预算30万以内，2个月内上线。"
    )
    page.click("button.primary")
    page.wait_for_url("**/form/thanks/**")
    assert "您的咨询编号是" in page.content()
    consultation = Consultation.objects.get()

    # The consultant finds it first in the inbox and opens it with the keyboard.
    sign_in(page, base, "lihua")
    assert consultation.reference in page.inner_text("#inbox-rows")
    page.wait_for_load_state("load")  # the keyboard handler is a deferred script
    page.keyboard.press("j")
    page.wait_for_selector("li.row.kb-focus")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/consultations/{consultation.pk}/")
    assert "记录" in page.inner_text(".gate")

    # The record: the budget found in the message is one click away.
    page.select_option("#id_organisation_size", "medium")
    page.select_option("#id_technical_level", "basic")
    page.select_option("#id_industry", "education")
    page.fill("#id_core_goal", "家长端 App 加载超时率降到 5% 以下，减少退课。")
    page.fill("#id_existing_systems", "家长端 App、自建排课系统")
    page.fill("#id_budget_max", "300000")
    page.fill("#id_timeline_days", "60")
    page.select_option("#id_primary_contact", label="陈校长")
    page.click("form.record-form button.primary")
    page.wait_for_load_state("networkidle")

    # Through the gates: recorded, then classified with its focus hint.
    page.goto(f"{base}/consultations/{consultation.pk}/")
    page.select_option("select[name=to]", "recorded")
    page.click("text=变更阶段")
    page.wait_for_selector(".stagebar li.current >> text=已记录")
    page.select_option("#id_category", "feature_optimisation")
    page.click("form.record-form button.primary")
    page.wait_for_load_state("networkidle")
    page.goto(f"{base}/consultations/{consultation.pk}/")
    page.select_option("select[name=to]", "classified")
    page.click("text=变更阶段")
    page.wait_for_selector(".stagebar li.current >> text=已分类")
    assert "用户体验数据" in page.inner_text(".gate")
    consultation.refresh_from_db()
    assert (consultation.stage, consultation.budget_max) == ("classified", 300000)
    pk = consultation.pk

    # Prepare: the checklist from the findings and the category, then "prepared".
    page.click(".stage-tools >> text=问题清单")
    page.click(f"form[action='/consultations/{pk}/checklist/generate/'] button")
    page.wait_for_selector(".checklist .question")
    page.goto(f"{base}/consultations/{pk}/")
    page.select_option("select[name=to]", "prepared")
    page.click("text=变更阶段")
    page.wait_for_selector(".stagebar li.current >> text=已准备")

    # Meeting mode, keyboard only: listen, confirm (the client says yes), end.
    page.click(".stage-tools >> text=会议模式")
    page.fill("#id_place", "腾讯会议 123-456")
    page.click("form.stacked button[type=submit]")
    keys_ready(page)
    page.keyboard.press("l")
    page.keyboard.type("家长说晚上打开课程页要等十几秒")
    page.keyboard.press("Enter")
    page.keyboard.press("c")
    page.keyboard.type("您的核心需求是晚高峰家长端不超时，对吗？")
    page.keyboard.press("Enter")
    page.keyboard.press("y")
    page.keyboard.press("1")  # ask the first checklist question and note the answer
    page.keyboard.type("家长端日活大约两万")
    page.keyboard.press("Enter")
    nothing_pending(page)
    # The connection drops: the note waits on the device and goes when it is back.
    page.context.set_offline(True)
    page.keyboard.press("l")
    page.keyboard.type("断网时记下的一句话")
    page.keyboard.press("Enter")
    page.wait_for_selector("#connection:not([hidden])")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    nothing_pending(page)
    page.reload()
    keys_ready(page)
    assert page.locator("#entries .entry .text").all_inner_texts() == [
        "家长说晚上打开课程页要等十几秒",
        "您的核心需求是晚高峰家长端不超时，对吗？",
        page.locator("#meeting-questions [data-question]").first.get_attribute("data-text"),
        "断网时记下的一句话",
    ]
    page.click("#end-meeting button")
    page.wait_for_url(f"**/consultations/{pk}/summary/")
    consultation.refresh_from_db()
    assert consultation.stage == "met"
    entries = MeetingEntry.objects.filter(meeting__consultation=consultation).order_by("id")
    assert [(entry.kind, entry.reply) for entry in entries] == [
        ("listen", ""),
        ("confirm", "yes"),
        ("ask", ""),
        ("listen", ""),
    ]
    assert entries[3].text == "断网时记下的一句话"
    assert entries[2].response == "家长端日活大约两万"
    answered = entries[2].question
    assert answered is not None and answered.status == QuestionStatus.ANSWERED
    assert consultation.summary_due is not None  # the 24-hour summary clock runs

    # The summary, drafted, sent as a signed link; the client confirms on a phone.
    page.click(f"form[action='/consultations/{pk}/summary/draft/'] button")
    page.wait_for_selector(".versions li a")
    page.click(f"form[action='/consultations/{pk}/summary/1/send/'] button")
    link = page.input_value("#client-link")
    client = page.context.browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}
    )
    portal = client.new_page()
    portal.goto(link)
    assert "晚高峰家长端不超时" in portal.content()
    # The page's script reports that a person has it in front of them (a link preview
    # fetching the same URL would not): the view is recorded once.
    for _attempt in range(50):
        if Activity.objects.filter(kind=ActivityKind.SUMMARY_VIEWED).exists():
            break
        portal.wait_for_timeout(200)
    assert Activity.objects.filter(kind=ActivityKind.SUMMARY_VIEWED).count() == 1
    portal.click(".portal-actions form[action$='/confirm/'] button")
    portal.wait_for_selector(".notice.ok")
    client.close()
    consultation.refresh_from_db()
    assert (consultation.stage, consultation.summary_due) == ("summary_confirmed", None)
