"""The requirement summary's first draft: measurable goals, each constraint once, the
open points; and the pure rules (consultdesk.conversations.measures) it is built on."""

from __future__ import annotations

import re

import pytest

from consultdesk.accounts.models import User
from consultdesk.consultations.models import Consultation
from consultdesk.conversations.drafting import as_statement, draft_sections
from consultdesk.conversations.measures import (
    Measure,
    context_for,
    find_measure,
    measure_of_answer,
    metric_of_question,
    phrase,
    same_metric,
)
from consultdesk.conversations.models import ConfirmReply, EntryKind, Meeting, QuestionStatus
from consultdesk.conversations.services import question_add, question_update
from consultdesk.conversations.tests.conftest import note

HAN = re.compile(r"[\u4e00-\u9fff]")


class TestMeasures:
    @pytest.mark.parametrize(
        ("text", "metric", "current", "target", "bound", "direction"),
        [
            ("把家长端加载超时率降到 5% 以下。", "家长端加载超时率", "", "5%", "max", "down"),
            ("有效告警占比从 15% 提升到 60%", "有效告警占比", "15%", "60%", "", "up"),
            ("差异率低于 0.1%", "差异率", "", "0.1%", "max", "down"),
            ("航班餐食排产从 4 小时缩短到 30 分钟", "航班餐食排产", "4小时", "30分钟", "", "down"),
            ("家长端课程页2秒内打开", "家长端课程页打开时间", "", "2秒", "max", "down"),
            ("独立完成预约的比例达到 80%", "独立完成预约的比例", "", "80%", "", "up"),
            ("每单成本控制在 3 元以内", "每单成本", "", "3元", "max", "down"),
            ("客服人数不超过 20 人", "客服人数", "", "20人", "max", "down"),
            ("Handling time from 9 to 6 minutes", "Handling time", "9", "6 minutes", "", "down"),
            ("Online claims: 40% today, 70% target.", "Online claims", "40%", "70%", "", "up"),
            ("Page load under 800 ms", "Page load", "", "800 ms", "max", "down"),
            ("Uptime at least 99.9%", "Uptime", "", "99.9%", "min", "up"),
        ],
    )
    def test_a_figure_with_its_metric_current_value_and_target(
        self, text: str, metric: str, current: str, target: str, bound: str, direction: str
    ) -> None:
        found = find_measure(text)
        assert found is not None
        assert (found.metric, found.current, found.target, found.bound, found.direction) == (
            metric,
            current,
            target,
            bound,
            direction,
        )

    @pytest.mark.parametrize(
        "text", ["家长端加载慢", "一次性把数据迁过去", "希望 Q3 上线", "make it user-friendly"]
    )
    def test_no_figure_no_measure(self, text: str) -> None:
        assert find_measure(text) is None

    def test_a_second_outcome_in_the_same_sentence_does_not_complete_the_first(self) -> None:
        found = find_measure("有效告警占比提升到 60%，夜间误报减少 80%")
        assert found is not None and (found.metric, found.current) == ("有效告警占比", "")

    @pytest.mark.parametrize(
        ("question", "answer", "expected"),
        [
            ("现在超时率多少？目标多少？", "约20%，目标5%以下", ("超时率", "约20%", "5%")),
            ("现在超时率多少？", "晚高峰大约20%，希望降到5%以下", ("超时率", "大约20%", "5%")),
            (
                "What is the timeout rate now, and the target?",
                "About 20% now; below 5%",
                ("timeout rate", "about 20%", "5%"),
            ),
        ],
    )
    def test_the_question_names_the_metric_of_an_answer(
        self, question: str, answer: str, expected: tuple[str, str, str]
    ) -> None:
        found = measure_of_answer(question, answer)
        assert found is not None
        assert (found.metric, found.current, found.target) == expected

    def test_a_question_without_a_metric_names_nothing(self) -> None:
        assert metric_of_question("是多少？") == ""

    @pytest.mark.parametrize(
        ("a", "b", "same"),
        [
            ("家长端加载超时率", "超时率", True),
            ("timeout rate", "parents' app timeout rate", True),
            ("有效告警占比", "夜间误报", False),
            ("handling time", "uptime", False),
        ],
    )
    def test_same_metric(self, a: str, b: str, same: bool) -> None:
        assert same_metric(a, b) is same

    def test_a_figureless_statement_says_where_the_metric_applies(self) -> None:
        assert context_for("超时率", "晚高峰家长端打开课程页不超时") == "晚高峰家长端打开课程页"
        assert context_for("超时率", "家长满意") == ""

    @pytest.mark.parametrize(
        ("measure", "language", "line"),
        [
            (
                Measure("超时率", "约20%", "5%", "max", "down"),
                "zh",
                "将超时率从约20%降到5%以下",
            ),
            (
                Measure("页面打开时间", "8秒", "2秒", "max", "down"),
                "zh",
                "将页面打开时间从8秒缩短到2秒以内",
            ),
            (Measure("预约完成率", "", "80%", "min", "up"), "zh", "将预约完成率提升到80%以上"),
            (
                Measure("Timeout rate", "about 20%", "5%", "max", "down"),
                "en",
                "Reduce the timeout rate from about 20% to below 5%",
            ),
            (
                Measure("handling time", "9", "6 minutes", "", "down"),
                "en",
                "Cut the handling time from 9 to 6 minutes",
            ),
        ],
    )
    def test_a_goal_line_in_the_summary_language(
        self, measure: Measure, language: str, line: str
    ) -> None:
        assert phrase(measure, language) == line  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("asked", "stated"),
    [
        (
            "我理解您的核心需求是：家长端加载超时率降到 5% 以下。，对吗？",
            "家长端加载超时率降到 5% 以下",
        ),
        ("So the core need is: fewer drop-outs — right?", "Fewer drop-outs"),
        ("If I understand correctly, you need offline mode, right?", "You need offline mode"),
    ],
)
def test_our_lead_in_and_the_stray_punctuation_go(asked: str, stated: str) -> None:
    assert as_statement(asked) == stated


pytestmark = pytest.mark.django_db


def _answer(consultation: Consultation, alice: User, question: str, answer: str) -> None:
    asked = question_add(consultation=consultation, text=question, actor=alice)
    question_update(question=asked, status=QuestionStatus.ANSWERED, answer=answer, actor=alice)


def _confirm(meeting: Meeting, text: str, key: str, reply: str = ConfirmReply.YES) -> None:
    note(meeting, EntryKind.CONFIRM, text, key=key, reply=reply)


def _lines(text: str) -> list[str]:
    return text.splitlines()


class TestMeasurableGoals:
    def test_a_confirmed_restatement_and_an_answer_make_one_measurable_goal(
        self, meeting: Meeting, alice: User, django_assert_num_queries
    ) -> None:
        consultation = meeting.consultation
        _confirm(meeting, "晚高峰家长端打开课程页不超时，对吗？", "k1")
        _answer(consultation, alice, "现在超时率多少？目标多少？", "约20%，目标5%以下")
        with django_assert_num_queries(2):  # the meeting notes, the checklist
            sections = draft_sections(consultation)
        assert _lines(sections["goals"]) == [
            "- 家长端App加载慢，导致课程退订率上升",
            "- 将晚高峰家长端打开课程页的超时率从约20%降到5%以下",
        ]
        assert "尚无可衡量的指标" not in sections["to_confirm"]

    def test_a_target_in_the_record_gets_today_s_value_from_the_meeting(
        self, meeting: Meeting, alice: User
    ) -> None:
        consultation = meeting.consultation
        Consultation.objects.filter(pk=consultation.pk).update(
            core_goal="家长端 App 加载慢，课程退课率上升；把家长端加载超时率降到 5% 以下。"
        )
        consultation.refresh_from_db()
        _answer(consultation, alice, "现在超时率大概多少？", "晚高峰大约20%")
        sections = draft_sections(consultation)
        assert _lines(sections["goals"]) == [
            "- 家长端 App 加载慢，课程退课率上升",
            "- 将家长端加载超时率从大约20%降到5%以下",
        ]
        assert "目前是多少" not in sections["to_confirm"]

    def test_a_target_without_today_s_value_asks_for_the_baseline(
        self, prepared_case: Consultation
    ) -> None:
        Consultation.objects.filter(pk=prepared_case.pk).update(
            core_goal="把家长端加载超时率降到 5% 以下。"
        )
        prepared_case.refresh_from_db()
        sections = draft_sections(prepared_case)
        assert _lines(sections["goals"]) == ["- 把家长端加载超时率降到 5% 以下"]
        assert "- 家长端加载超时率目前是多少？（作为衡量改进效果的基线）" in _lines(
            sections["to_confirm"]
        )

    def test_two_different_targets_for_one_metric_are_asked_about(
        self, meeting: Meeting, alice: User
    ) -> None:
        consultation = meeting.consultation
        Consultation.objects.filter(pk=consultation.pk).update(core_goal="超时率降到 5% 以下")
        consultation.refresh_from_db()
        _answer(consultation, alice, "现在超时率多少？目标多少？", "约20%，目标3%以下")
        sections = draft_sections(consultation)
        assert _lines(sections["goals"]) == ["- 将超时率从约20%降到5%以下"]
        assert "超时率的目标：记录中是5%，会议中是3%，以哪个为准？" in sections["to_confirm"]

    def test_without_any_figure_the_goal_stays_as_said_and_the_target_is_asked_for(
        self, prepared_case: Consultation
    ) -> None:
        sections = draft_sections(prepared_case)
        assert _lines(sections["goals"]) == ["- 家长端App加载慢，导致课程退订率上升"]
        assert _lines(sections["to_confirm"])[0] == (
            "- 核心目标尚无可衡量的指标：“家长端App加载慢，导致课程退订率上升”要达到什么数值？"
            "用什么来衡量？"
        )

    def test_a_goal_that_is_a_means_asks_what_problem_it_solves(
        self, prepared_case: Consultation
    ) -> None:
        Consultation.objects.filter(pk=prepared_case.pk).update(
            core_goal="我们想上一个工业互联网平台，要和 SAP 无缝对接"
        )
        prepared_case.refresh_from_db()
        to_confirm = draft_sections(prepared_case)["to_confirm"]
        assert "“上一个工业互联网”是实现手段：它要解决的具体业务问题是什么？" in to_confirm

    def test_an_answer_that_is_a_fact_stays_a_fact(self, meeting: Meeting, alice: User) -> None:
        _answer(meeting.consultation, alice, "高峰时段是几点？", "晚上7-9点。")
        goals = _lines(draft_sections(meeting.consultation)["goals"])
        assert goals[-1] == "- 高峰时段是几点？——晚上7-9点"


class TestEachConstraintOnce:
    def test_budget_and_deadline_said_in_other_words_are_written_once(
        self, meeting: Meeting, alice: User
    ) -> None:
        consultation = meeting.consultation  # record: up to 300,000 CNY, 60 days, 预算不超过30万
        _answer(consultation, alice, "预算大概多少？", "30万以内")
        _confirm(meeting, "两个月内要上线，对吗？", "k1")
        sections = draft_sections(consultation)
        assert _lines(sections["concerns"]) == [
            "- 预算不超过30万",
            "- 两个月内要上线",
            "- 与现有系统兼容：现有教学平台（Java）",
        ]
        assert "30万" not in sections["goals"] and "两个月" not in sections["goals"]

    def test_a_different_amount_is_kept(self, meeting: Meeting, alice: User) -> None:
        _answer(meeting.consultation, alice, "预算大概多少？", "其实可以到35万")
        concerns = _lines(draft_sections(meeting.consultation)["concerns"])
        assert concerns[:2] == ["- 预算不超过30万", "- 预算：其实可以到35万"]

    def test_record_amounts_read_as_the_client_writes_them(
        self, prepared_case: Consultation
    ) -> None:
        Consultation.objects.filter(pk=prepared_case.pk).update(
            stressed=[], budget_min=80_000, budget_max=150_000, timeline_days=45
        )
        prepared_case.refresh_from_db()
        assert _lines(draft_sections(prepared_case)["concerns"])[:2] == [
            "- 预算8万至15万元",
            "- 45天内投入使用",
        ]


def _in_english(consultation: Consultation) -> Consultation:
    Consultation.objects.filter(pk=consultation.pk).update(
        title="Faster parents' app",
        latest_snippet="Parents complain the app is slow in the evening.",
        core_goal="Bring the parents' app load-timeout rate below 5%.",
        stressed=["Budget no more than $300k"],
        budget_currency="USD",
        existing_systems="In-house timetable system",
    )
    consultation.refresh_from_db()
    return consultation


class TestInEnglish:
    def test_an_english_draft_is_english_throughout(self, meeting: Meeting, alice: User) -> None:
        consultation = _in_english(meeting.consultation)
        _confirm(meeting, "So the core need is no timeouts at the evening peak — right?", "k1")
        _answer(consultation, alice, "What is the timeout rate now?", "About 20% at peak")
        note(meeting, EntryKind.CONFIRM, "It must be a mini program, right?", "k2", reply="no")
        sections = draft_sections(consultation)
        assert _lines(sections["goals"]) == [
            "- Reduce the parents' app load-timeout rate from about 20% to below 5%",
            "- No timeouts at the evening peak",
        ]
        assert _lines(sections["concerns"]) == [
            "- Budget no more than $300k",
            "- In use within 2 months",
            "- Works with the existing systems: In-house timetable system",
        ]
        assert _lines(sections["to_confirm"])[0] == "- Not yet agreed: It must be a mini program"
        for text in sections.values():
            assert not HAN.search(text), text


class TestFromTheMeeting:
    def test_a_question_asked_on_the_spot_and_answered_is_used(self, meeting: Meeting) -> None:
        Consultation.objects.filter(pk=meeting.consultation_id).update(core_goal="超时率降到5%以下")
        note(meeting, EntryKind.ASK, "现在超时率多少？", key="k1", response="约20%")
        note(meeting, EntryKind.ASK, "谁来维护？", key="k2", response="信息中心两位同事")
        note(meeting, EntryKind.ASK, "高峰时段是几点？", key="k3")  # not answered
        consultation = Consultation.objects.get(pk=meeting.consultation_id)
        assert _lines(draft_sections(consultation)["goals"]) == [
            "- 将超时率从约20%降到5%以下",
            "- 谁来维护？——信息中心两位同事",
        ]

    def test_a_never_asked_question_for_the_target_goes_once_the_goals_have_one(
        self, prepared_case: Consultation, alice: User
    ) -> None:
        question_add(consultation=prepared_case, text="改好以后，用什么指标判断效果？", actor=alice)
        question_add(consultation=prepared_case, text="现有服务器能否扩容？", actor=alice)
        assert "用什么指标" in draft_sections(prepared_case)["to_confirm"]
        Consultation.objects.filter(pk=prepared_case.pk).update(core_goal="超时率降到5%以下")
        prepared_case.refresh_from_db()
        to_confirm = draft_sections(prepared_case)["to_confirm"]
        assert "用什么指标" not in to_confirm and "现有服务器能否扩容？" in to_confirm


def test_an_english_question_s_form_names_the_metric() -> None:
    assert metric_of_question("How long does it take to settle a simple claim today?") == (
        "time to settle a simple claim"
    )
    assert metric_of_question("How many calls do agents take per day?") == "number of calls"
    found = measure_of_answer(
        "How long does it take to settle a simple claim today, and what is the target?",
        "About 12 days today; we want under 5 days.",
    )
    assert found is not None
    assert phrase(found, "en") == (
        "Cut the time to settle a simple claim from about 12 days to under 5 days"
    )


def test_an_answer_about_money_reads_as_a_constraint_in_english(
    meeting: Meeting, alice: User
) -> None:
    consultation = _in_english(meeting.consultation)
    Consultation.objects.filter(pk=consultation.pk).update(stressed=[])
    consultation.refresh_from_db()
    _answer(consultation, alice, "What budget have you set aside?", "Up to $300k.")
    concerns = _lines(draft_sections(consultation)["concerns"])
    assert concerns[0] == "- Budget: up to $300k"
    assert not any("300,000" in line for line in concerns)  # the record's same amount


@pytest.mark.parametrize(
    ("question", "answer", "line"),
    [
        ("报销审批现在要多久？", "现在3天，希望1天内完成", "将报销审批的时间从3天缩短到1天以内"),
        ("现在超时率多少？", "20%左右，目标5%以下", "将超时率从20%左右降到5%以下"),
        (
            "What's the current error rate?",
            "Around 2%, should be under 0.5%",
            "Reduce the error rate from around 2% to below 0.5%",
        ),
        (
            "How many orders per day at peak, and the target?",
            "40,000 orders today, 100,000 orders target",
            "Raise the number of orders per day at peak from 40,000 orders to 100,000 orders",
        ),
    ],
)
def test_answers_phrased_as_goal_lines(question: str, answer: str, line: str) -> None:
    found = measure_of_answer(question, answer)
    assert found is not None
    assert phrase(found, "zh" if HAN.search(question) else "en") == line
