"""A consultation walked through the product in Chinese, the way people use it."""

from __future__ import annotations

from typing import Any

import pytest

from consultdesk.accounts.models import Role
from consultdesk.accounts.services import user_create
from consultdesk.consultations.models import Consultation

PASSWORD = "e2e-password-not-secret"  # noqa: S105

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/inbox/**")


def test_a_website_message_becomes_a_classified_consultation(live_server: Any, page: Any) -> None:
    user_create(
        username="lihua",
        role=Role.CONSULTANT,
        password=PASSWORD,
        display_name="李华",
        validate=False,
    )
    base = live_server.url

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
    page.keyboard.press("j")
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
