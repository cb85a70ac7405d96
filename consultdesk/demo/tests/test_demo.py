import datetime
import io
import zoneinfo

from django.core.management import call_command

from consultdesk.consultations.choices import Channel, Stage
from consultdesk.consultations.models import Consultation
from consultdesk.demo.loader import latest_ten_pm


def test_the_demo_covers_every_stage_and_several_channels_in_both_languages(db: None) -> None:
    call_command("demo", stdout=io.StringIO())
    stages = set(Consultation.objects.values_list("stage", flat=True))
    assert stages == set(Stage.values)
    channels = set(Consultation.objects.values_list("channel", flat=True))
    assert {
        Channel.EMAIL,
        Channel.WEB_FORM,
        Channel.WECHAT,
        Channel.PHONE,
        Channel.REFERRAL,
    } <= channels
    titles = " ".join(Consultation.objects.values_list("title", flat=True))
    assert "工业互联网平台与 SAP 无缝对接" in titles
    assert "Checkout slows down at peak hours" in titles


def test_running_the_demo_again_keeps_the_data(db: None) -> None:
    call_command("demo", stdout=io.StringIO())
    count = Consultation.objects.count()
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert Consultation.objects.count() == count


def test_the_late_website_message_arrived_at_the_latest_ten_pm() -> None:
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    morning = datetime.datetime(2026, 11, 25, 8, 0, tzinfo=shanghai)
    assert latest_ten_pm(morning) == datetime.datetime(2026, 11, 24, 22, 0, tzinfo=shanghai)
    night = datetime.datetime(2026, 11, 25, 23, 0, tzinfo=shanghai)
    assert latest_ten_pm(night) == datetime.datetime(2026, 11, 25, 22, 0, tzinfo=shanghai)


def test_the_education_story_drafts_a_measurable_goal_with_each_constraint_once(
    db: None,
) -> None:
    from consultdesk.conversations.drafting import draft_sections

    call_command("demo", stdout=io.StringIO())
    case = Consultation.objects.get(title="优化在线教学系统")
    sections = draft_sections(case)
    assert "- 将晚高峰家长端打开课程页的超时率从大约20%降到5%以下" in sections["goals"]
    concerns = sections["concerns"].splitlines()
    assert sum("30 万" in line or "30万" in line for line in concerns) == 1
    assert sum("两个月" in line or "60" in line for line in concerns) == 1
