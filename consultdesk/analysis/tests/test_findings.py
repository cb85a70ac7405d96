from datetime import date

import pytest

from consultdesk.analysis import analyze

TODAY = date(2026, 5, 15)


def kinds_and_texts(text: str) -> list[tuple[str, str]]:
    return [(finding.kind, finding.text) for finding in analyze(text, today=TODAY).findings]


def test_it_flags_the_design_examples_in_chinese() -> None:
    text = "系统反应慢，大概要等很久，希望尽快上线，应该没问题。"

    assert kinds_and_texts(text) == [
        ("unquantified_quality", "反应慢"),
        ("hedge", "大概"),
        ("unquantified_quality", "很久"),
        ("unbounded_time", "尽快"),
        ("assumption", "应该没问题"),
    ]


def test_it_gives_offsets_that_index_the_original_text() -> None:
    text = "页面很卡，支持微信、支付宝等支付方式。The UI must be user-friendly, etc."

    for finding in analyze(text, today=TODAY).findings:
        assert text[finding.start : finding.end] == finding.text


def test_it_does_not_read_kuai_inside_kuaidi_as_fast() -> None:
    assert kinds_and_texts("快递员需要在APP里录入快递单号。") == []


def test_it_reads_a_standalone_kuai_as_a_vague_quality() -> None:
    assert kinds_and_texts("客户希望系统更快") == [("unquantified_quality", "更快")]


def test_it_accepts_a_quality_quantified_in_the_same_sentence() -> None:
    assert kinds_and_texts("页面要快，2秒内打开。") == []
    assert kinds_and_texts("The search must be fast (under 2 seconds).") == []


def test_it_treats_a_list_closed_by_a_count_as_closed() -> None:
    assert kinds_and_texts("支持微信、支付宝等三种支付方式") == []
    assert kinds_and_texts("支持微信、支付宝等支付方式") == [("open_ended", "等")]


def test_it_does_not_read_deng_as_a_list_end_when_it_means_wait_or_grade() -> None:
    assert kinds_and_texts("页面要等十几秒才出来，等级保护要过三级") == [("hedge", "十几")]


def test_it_rates_a_hedge_before_a_number_as_low_severity() -> None:
    findings = analyze("大约200条数据，可能要改", today=TODAY).findings

    assert [(f.text, f.severity) for f in findings] == [("大约", "low"), ("可能", "medium")]


def test_it_matches_english_terms_as_whole_words_only() -> None:
    assert kinds_and_texts("We are a fast-growing breakfast chain.") == []


def test_it_asks_the_design_questions_for_a_slow_system() -> None:
    result = analyze("系统反应慢", today=TODAY)

    assert result.findings[0].questions == (
        "是所有功能都慢，还是特定模块？",
        "一直慢还是高峰期慢？",
        "最近有没有硬件升级或数据迁移？",
    )
    assert result.questions[:3] == result.findings[0].questions


def test_it_asks_questions_in_the_language_of_the_text() -> None:
    result = analyze("The portal is slow.", today=TODAY)

    assert result.language == "en"
    assert result.questions[0] == "Is everything slow, or specific modules?"


def test_it_bounds_and_deduplicates_the_questions() -> None:
    text = "系统慢，页面慢，报表慢，大概，可能，也许，尽快，所有功能，无缝对接，预算不多，很简单。"

    questions = analyze(text, today=TODAY).questions

    assert len(questions) == 8
    assert len(set(questions)) == 8


def test_it_finds_no_findings_in_a_precise_requirement() -> None:
    text = "订单详情页在晚高峰打开需要6秒，目标2秒内打开；预算15万，6月底前完成。"

    assert kinds_and_texts(text) == []


def test_it_flags_a_means_stated_as_the_goal() -> None:
    result = analyze("我们想搞一个工业互联网平台，和SAP无缝对接。", today=TODAY)

    assert ("means_as_goal", "搞一个工业互联网平台") in [(f.kind, f.text) for f in result.findings]
    assert ("integration_handwave", "无缝对接") in [(f.kind, f.text) for f in result.findings]
    assert result.goal_is_means is True


def test_it_does_not_call_a_goal_with_a_measurable_target_a_means() -> None:
    result = analyze("想做一个充电桩管理平台，故障告警5分钟内通知运维。", today=TODAY)

    assert result.goal_is_means is False


def test_it_suggests_a_category_with_its_evidence() -> None:
    result = analyze("单体架构在高并发下经常宕机，想拆分成微服务。", today=TODAY)

    assert result.category.value == "architecture_refactoring"
    assert result.category.evidence[:3] == ("单体架构", "高并发", "宕机")
    assert 0.0 < result.category.confidence <= 1.0


def test_it_calls_a_message_without_evidence_unclear() -> None:
    result = analyze("你好，请问在吗？", today=TODAY)

    assert (result.category.value, result.category.confidence) == ("unclear", 0.0)


def test_it_returns_json_ready_data_with_the_contract_keys() -> None:
    data = analyze("预算30万，2个月内上线，系统很慢", today=TODAY).to_dict()

    assert sorted(data) == [
        "category",
        "fields",
        "findings",
        "goal_is_means",
        "language",
        "questions",
    ]
    assert sorted(data["fields"]) == [
        "budget", "contact_role", "contacts", "industry", "org_size", "systems", "timeline",
    ]  # fmt: skip
    assert sorted(data["findings"][0]) == ["end", "kind", "questions", "severity", "start", "text"]
    assert sorted(data["category"]) == ["confidence", "evidence", "value"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Architecture styles and foreign technology names stated as the goal.
        ("领导想做微服务改造，先把订单模块拆出来。", ("means_as_goal", "做微服务改造")),
        ("打算用deep learning识别次品。", ("means_as_goal", "用deep learning")),
        ("集团要求大模型应用落地。", ("means_as_goal", "大模型应用落地")),
        ("We want to become a data-driven bank within two years.", ("means_as_goal", None)),
        # Money remarks without a figure.
        ("费用要控制好，别超预算。", ("unbounded_budget", None)),
        ("Price is not an issue for us.", ("unbounded_budget", None)),
        ("Could you send an indicative quote?", ("unbounded_budget", "indicative quote")),
        # Open scope, easy-to-use as a quality, vague counts, confident guesses.
        ("We're not sure which database would fit.", ("open_ended", None)),
        ("It must be easy for nurses to use.", ("unquantified_quality", None)),
        ("换了好几批扫描枪都不行。", ("hedge", "好几批")),
        ("这种项目你们肯定做过类似的。", ("assumption", "肯定做过类似的")),
        ("前端加个插件就行了。", ("assumption", None)),
        ("查一个订单要翻半天。", ("unquantified_quality", "翻半天")),
        ("The app keeps crashing on older phones.", ("unquantified_quality", "keeps crashing")),
        ("Our ERP needs to talk to Salesforce.", ("integration_handwave", None)),
    ],
)
def test_it_flags_broader_families_of_vague_wording(
    text: str, expected: tuple[str, str | None]
) -> None:
    kind, words = expected
    found = kinds_and_texts(text)

    assert any(k == kind and (words is None or t == words) for k, t in found), found


@pytest.mark.parametrize(
    "text",
    [
        "领导说这是大方向。",  # 大方 inside 大方向
        "麻烦你们尽快回复。",  # 麻烦 as "please"
        "完成适当性管理改造。",  # 适当性 is a regulatory term
        "Photos too and the budget is fixed.",  # "too and" is no quality
    ],
)
def test_it_does_not_flag_polite_or_technical_senses_as_qualities(text: str) -> None:
    assert not [k for k, t in kinds_and_texts(text) if k == "unquantified_quality"]


def test_it_reads_a_figure_after_a_currency_code_as_hedged() -> None:
    findings = analyze("Budget is about GBP 60k.", today=TODAY).findings

    assert [(f.kind, f.text, f.severity) for f in findings] == [("hedge", "about", "low")]


def test_it_counts_a_grade_to_reach_as_a_measurable_target() -> None:
    result = analyze("医院要全面信息化，争取评上电子病历五级。", today=TODAY)

    assert ("means_as_goal", "信息化") in [(f.kind, f.text) for f in result.findings]
    assert result.goal_is_means is False
    assert analyze("医院要全面信息化。", today=TODAY).goal_is_means is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "都" echoing a scope already named in the sentence is one finding, not two.
        ("把所有审批事项都搬到线上。", [("sweeping_scope", "所有")]),
        # A scope given with its count is closed.
        ("涉及全国86家门店使用的POS。", []),
        ("Replace the legacy MES across all three plants.", []),
    ],
)
def test_it_reads_echoed_and_counted_scopes_as_one_or_none(
    text: str, expected: list[tuple[str, str]]
) -> None:
    found = [(k, t) for k, t in kinds_and_texts(text) if k == "sweeping_scope"]

    assert [(k, t[: len(e)]) for (k, t), (_, e) in zip(found, expected, strict=False)] == expected
    assert len(found) == len(expected)


def test_it_keeps_a_lone_dou_as_a_sweeping_scope() -> None:
    assert ("sweeping_scope", "都搬到线上") in kinds_and_texts("想把审批流程都搬到线上。")


def test_it_reads_a_figure_after_before_or_after_as_a_time_window_not_a_measure() -> None:
    found = kinds_and_texts("行情页在开盘前5分钟经常卡顿。")

    assert ("unquantified_quality", "经常卡顿") in found or (
        "unquantified_quality",
        "卡顿",
    ) in found


def test_it_does_not_flag_an_open_budget_twice() -> None:
    found = kinds_and_texts("CRM要全部打通，budget还没定。")

    assert [k for k, _ in found if k in {"unbounded_budget", "open_ended"}] == ["unbounded_budget"]


def test_it_does_not_read_the_writer_describing_itself_as_a_wish() -> None:
    described = kinds_and_texts(
        "We're a small team building a creator marketplace. Payments break."
    )
    wished = kinds_and_texts("We're a law firm and want a client portal.")

    assert "means_as_goal" not in [k for k, _ in described]
    assert "means_as_goal" in [k for k, _ in wished]
