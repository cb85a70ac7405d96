from datetime import date

import pytest

from consultdesk.analysis import analyze

TODAY = date(2026, 5, 15)


def budget_of(text: str) -> tuple[float | None, float | None, str] | None:
    budget = analyze(text, today=TODAY).fields.budget
    return None if budget is None else (budget.min, budget.max, budget.currency)


def timeline_of(text: str) -> tuple[int | None, str | None] | None:
    timeline = analyze(text, today=TODAY).fields.timeline
    return None if timeline is None else (timeline.days, timeline.deadline)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("预算30万", (300000, 300000, "CNY")),
        ("预算30-50万", (300000, 500000, "CNY")),
        ("五十万以内", (None, 500000, "CNY")),
        ("预算三十到五十万", (300000, 500000, "CNY")),
        ("Budget is $50k.", (50000, 50000, "USD")),
        ("Budget up to EUR 40,000.", (None, 40000, "EUR")),
        ("预算USD 20k", (20000, 20000, "USD")),
        ("budget between $40k and $60k", (40000, 60000, "USD")),
        ("预算20万以上", (200000, None, "CNY")),
    ],
)
def test_it_reads_budgets_in_currency_units(text: str, expected: tuple) -> None:
    assert budget_of(text) == expected


def test_it_does_not_read_a_user_count_as_money() -> None:
    assert budget_of("我们有30万用户，50k users") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2个月内上线", (60, None)),
        ("within 8 weeks", (56, None)),
        ("两周", (14, None)),
        ("年底前上线", (None, "2026-12-31")),
        ("明年3月前完成", (None, "2027-02-28")),
        ("by end of quarter", (None, "2026-06-30")),
        ("live by Q3", (None, "2026-09-30")),
        ("下个月底", (None, "2026-06-30")),
        ("we need it by March", (None, "2027-03-31")),
        ("下周五前给我", (None, "2026-05-22")),
        ("deadline is 2026-09-01", (None, "2026-09-01")),
    ],
)
def test_it_reads_timelines_relative_to_today(text: str, expected: tuple) -> None:
    assert timeline_of(text) == expected


def test_it_does_not_read_how_long_a_task_takes_today_as_a_timeline() -> None:
    assert timeline_of("Adding a tariff takes 6 weeks today.") is None


def test_it_reads_the_organisation_size() -> None:
    size = analyze("我们是一家200人左右的公司", today=TODAY).fields.org_size
    english = analyze("We have about 500 employees.", today=TODAY).fields.org_size

    assert (size.min, size.max) == (200, 200) if size else False
    assert (english.min, english.max) == (500, 500) if english else False


def test_it_extracts_contacts_of_each_kind() -> None:
    text = "电话13812345678，座机010-12345678，邮箱 li.ming@example.cn，微信: abc_123"

    contacts = [(c.kind, c.value) for c in analyze(text, today=TODAY).fields.contacts]

    assert contacts == [
        ("phone", "13812345678"),
        ("phone", "010-12345678"),
        ("email", "li.ming@example.cn"),
        ("wechat", "abc_123"),
    ]


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("我是技术负责人，想咨询一下", "technical"),
        ("我是公司的总经理", "decision_maker"),
        ("I'm the operations manager at a clinic.", "business"),
        ("Thanks,\n— Jane, CTO", "technical"),
        ("我们老板想做个系统", None),
    ],
)
def test_it_reads_the_role_the_writer_states(text: str, role: str | None) -> None:
    assert analyze(text, today=TODAY).fields.contact_role == role


def test_it_lists_named_systems_in_order_without_repeats() -> None:
    fields = analyze("用友U8和SAP，还有ERP、钉钉和SAP", today=TODAY).fields

    assert fields.systems == ("用友", "SAP", "ERP", "钉钉")


def test_it_guesses_the_industry_from_its_words() -> None:
    assert analyze("学校的家长和老师都在用", today=TODAY).fields.industry == "education"
    assert analyze("Our warehouse and fleet of trucks", today=TODAY).fields.industry == "logistics"
    assert analyze("你好", today=TODAY).fields.industry is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("预算两三万", (20000, 30000, "CNY")),
        ("预算二三十万", (200000, 300000, "CNY")),
        ("预算大概两三百万", (2000000, 3000000, "CNY")),
        ("预算一两百万", (1000000, 2000000, "CNY")),
    ],
)
def test_it_reads_spoken_chinese_ranges_with_tens_and_hundreds(text: str, expected: tuple) -> None:
    assert budget_of(text) == expected


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        # Spring Festival 2027 is 6 February, so "before it" is the 5th.
        (date(2026, 11, 25), "春节前上线", "2027-02-05"),
        (date(2026, 11, 25), "希望过年前能用上", "2027-02-05"),
        (date(2026, 11, 25), "年前完成", "2027-02-05"),
        # Spring Festival 2026 (17 February) is still ahead on 10 January.
        (date(2026, 1, 10), "春节之前交付", "2026-02-16"),
        # Mid-Autumn 2026 is 25 September.
        (date(2026, 5, 15), "中秋前上线", "2026-09-24"),
        (date(2026, 5, 15), "中秋节前上线", "2026-09-24"),
        # Dragon Boat 2026 is 19 June; the Lantern Festival 2027 is 20 February.
        (date(2026, 5, 15), "端午节前做完", "2026-06-18"),
        (date(2026, 5, 15), "元宵节前", "2027-02-19"),
        # Past this year's Mid-Autumn: next year's (15 September 2027).
        (date(2026, 10, 1), "中秋前", "2027-09-14"),
    ],
)
def test_it_reads_lunar_festivals_as_the_day_before_the_next_one(
    today: date, text: str, expected: str
) -> None:
    timeline = analyze(text, today=today).fields.timeline

    assert timeline is not None and timeline.deadline == expected


@pytest.mark.parametrize(
    "text", ["春节后再说", "春节前后上线都行", "三年前做的系统", "十几年前用.NET写的", "今年前三月"]
)
def test_it_does_not_read_after_around_or_ago_as_a_lunar_deadline(text: str) -> None:
    assert analyze(text, today=date(2026, 11, 25)).fields.timeline is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A day of this month ("20号"), next month's once it is past.
        ("20号领导来参观，当天要能用。", (None, "2026-05-20")),
        ("市里10号要检查。", (None, "2026-06-10")),
        ("每月3号前出报表。", None),
        # A start date yields to a deadline; alone it is the date things must work by.
        ("从6月1日起积分规则调整，5月28日前上测试环境。", (None, "2026-05-28")),
        ("6月1日起生效。", (None, "2026-06-01")),
        # History and rates are not timelines; nor is the writer's guess at the effort.
        ("迁移2019年1月至2025年12月的数据，须在6月21日前完成。", (None, "2026-06-21")),
        ("现在一个月二十多万，想优化一下成本。", None),
        ("我估计一两周搞定。", None),
        ("两三个月内上线。", (90, None)),
        ("交付期30天，固定总价7.5万元。", (30, None)),
        ("数据有SCADA的10分钟数据，大概三年的。Q3要出结果。", (None, "2026-09-30")),
        ("Delivery within 4 weeks of sign-off.", (28, None)),
        ("Budget USD 25,000-30,000, six weeks.", (42, None)),
        ("Since the 12 May release, 3% of activations fail.", None),
        ("need someone onsite tmrw if poss", (None, "2026-05-16")),
    ],
)
def test_it_reads_day_dates_starts_and_labelled_durations(text: str, expected: tuple) -> None:
    assert timeline_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Go-live on 20 July 2026, fixed fee HKD 150,000.", (150000, 150000, "HKD")),
        ("预算HK$80k以内", (None, 80000, "HKD")),
        ("预算20万港币", (200000, 200000, "HKD")),
    ],
)
def test_it_reads_hong_kong_dollars(text: str, expected: tuple) -> None:
    assert budget_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A day of this month already past is the date of a meeting, not a deadline.
        ("会议纪要（5月12日）：7月31日前试运行。", (None, "2026-07-31")),
        ("Minutes, 13 May. Target go-live is 30 September.", (None, "2026-09-30")),
        ("每学期开学前要折腾两周，最好7月10号前能用上。", (None, "2026-07-10")),
        ("工期：合同签订后300天。", (300, None)),
        ("预算6万元，工期30个自然日。", (30, None)),
        ("今年之内要看到效果。", (None, "2026-12-31")),
        ("我们有大概两年的交易记录。", None),
        ("Hope can launch before end of August.", (None, "2026-08-31")),
    ],
)
def test_it_reads_past_days_recurring_festivals_and_contract_durations(
    text: str, expected: tuple
) -> None:
    assert timeline_of(text) == expected
