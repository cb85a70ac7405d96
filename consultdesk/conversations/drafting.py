"""Drafting a requirement summary, and comparing two versions of one.

The draft is a starting point in the client's own words and language: the core goal as
recorded, what the client confirmed in meetings, what they answered. Goals are stated as
measurable outcomes where the figures exist anywhere (consultdesk.conversations.measures
finds metric, today's value and target); a budget or deadline said twice is written once;
what is not measurable yet, or is a means rather than a goal, goes to the marked section
"details still to be confirmed". The rules are listed in docs/conversations.md.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from typing import Any

from consultdesk.analysis import analyze
from consultdesk.consultations.models import Consultation
from consultdesk.conversations.measures import (
    STEM_TAIL,
    Language,
    Measure,
    context_for,
    find_measure,
    measure_of_answer,
    merge,
    phrase,
    same_metric,
)
from consultdesk.conversations.models import (
    SECTION_TITLES,
    ConfirmReply,
    EntryKind,
    MeetingEntry,
    Question,
    QuestionStatus,
    SummaryVersion,
)
from consultdesk.insights.models import Finding, FindingStatus

MAX_FINDING_QUESTIONS = 10
HAN = re.compile(r"[\u4e00-\u9fff]")


def client_language(consultation: Consultation) -> str:
    """The language to write to the client in: Chinese when their own words are Chinese
    (checklists, drafts and exports are for the client, whatever the consultant's UI)."""
    sample = " ".join((consultation.title, consultation.core_goal, consultation.latest_snippet))
    return "zh-hans" if HAN.search(sample) else "en"


# A restatement is asked as a question ("…，对吗？", "…, right?"); once the client said yes
# it goes into the summary as a statement, without our lead-in ("我理解您的核心需求是：").
CHECK_TAIL = re.compile(
    r"[\s,，。.—-]*(对吗|是吗|对不对|是不是|没错吧|right|correct)\s*[？?]?\s*$", re.I
)
RESTATEMENT_LEADS = (
    re.compile(r"^(?:我(?:的)?理解(?:的是|是)?|也就是说|所以说?|换句话说)[，,：:\s]*"),
    re.compile(
        r"^(?:(?:您|你)们?的?)?(?:核心|主要|真正的?)?(?:需求|诉求|目标|意思)(?:就是|是)[：:，,\s]*"
    ),
    re.compile(
        r"^(?:so|if i understand (?:you )?correctly|i understand(?: that)?|in other words|"
        r"you mean)[,:\s]+",
        re.I,
    ),
    re.compile(
        r"^(?:(?:the|your) )?(?:core |main |real )?(?:need|goal|problem|point|requirement) is"
        r"(?:[:\s]+that\b)?[:\s]+",
        re.I,
    ),
)
ASKS_FOR_TARGET = re.compile(
    r"目标值|什么指标|衡量|target value|which measure|how .* measure", re.I
)
TOPIC_WORDS = {
    "budget": re.compile(r"预算|费用|投入|budget|cost|spend", re.I),
    "timeline": re.compile(r"上线|交付|完成|投入使用|go live|launch|deliver|in use|deadline", re.I),
}
END_PUNCTUATION = re.compile(r"[\s。.；;，,、：:—-]+$")


def as_statement(text: str) -> str:
    statement = CHECK_TAIL.sub("", text.strip()) or text.strip()
    for lead in RESTATEMENT_LEADS:
        statement = lead.sub("", statement)
    statement = END_PUNCTUATION.sub("", statement) or text.strip()
    if statement[:1].islower() and not HAN.search(statement):
        statement = statement[0].upper() + statement[1:]
    return statement


# The draft is the client's document, in their language (Chinese or English) whatever
# the consultant's UI; its sentences are data here, like the measures' phrases.
TEXTS: dict[str, dict[str, str]] = {
    "zh": {
        "budget_max": "预算不超过{amount}",
        "budget_min": "预算{amount}起",
        "budget_range": "预算{low}至{high}",
        "by_date": "{date}前投入使用",
        "within_days": "{days}天内投入使用",
        "within_months": "{months}个月内投入使用",
        "systems": "与现有系统兼容：{systems}",
        "answer": "{question}——{answer}",
        "budget": "预算：{answer}",
        "timeline": "时间：{answer}",
        "not_agreed": "尚未达成一致：{text}",
        "no_goal": "核心目标尚未明确：要解决什么问题？怎样算成功？",
        "no_measure": "核心目标尚无可衡量的指标：“{goal}”要达到什么数值？用什么来衡量？",
        "baseline": "{metric}目前是多少？（作为衡量改进效果的基线）",
        "means": "“{means}”是实现手段：它要解决的具体业务问题是什么？",
        "target_conflict": "{metric}的目标：记录中是{first}，会议中是{second}，以哪个为准？",
    },
    "en": {
        "budget_max": "Budget not over {amount}",
        "budget_min": "Budget from {amount}",
        "budget_range": "Budget {low}–{high}",
        "by_date": "In use by {date}",
        "within_days": "In use within {days} days",
        "within_months": "In use within {months} months",
        "systems": "Works with the existing systems: {systems}",
        "answer": "{question} — {answer}",
        "budget": "Budget: {answer}",
        "timeline": "Timeline: {answer}",
        "not_agreed": "Not yet agreed: {text}",
        "no_goal": "The core goal is not clear yet: which problem should this solve, and "
        "how will we know it worked?",
        "no_measure": "The core goal has no measurable target yet: \u201c{goal}\u201d \u2014 "
        "what value should it reach, measured how?",
        "baseline": "What is the {metric} today? (the baseline to measure the improvement)",
        "means": "\u201c{means}\u201d is a means: which business problem should it solve?",
        "target_conflict": "Target for {metric}: {first} in our notes, {second} in the "
        "meeting \u2014 which one holds?",
    },
}
CURRENCY_ZH = {
    "CNY": "元",
    "USD": "美元",
    "EUR": "欧元",
    "HKD": "港元",
    "JPY": "日元",
    "GBP": "英镑",
}


def _language(consultation: Consultation) -> Language:
    return "zh" if client_language(consultation).startswith("zh") else "en"


def _money(amount: float, currency: str, language: Language) -> str:
    value = int(amount)
    if language == "zh":
        unit = CURRENCY_ZH.get(currency, f" {currency}")
        if value >= 10_000 and value % 10_000 == 0:
            return f"{value // 10_000:,}万{unit}"
        return f"{value:,}{unit}"
    return f"{value:,} {currency}"


def _key(text: str) -> str:
    """Two lines that differ only in spaces, case and punctuation say the same thing."""
    return re.sub(r"[\W_]+", "", text.lower())


def _bullets(lines: list[str]) -> str:
    seen: set[str] = set()
    kept: list[str] = []
    for line in lines:
        line = END_PUNCTUATION.sub("", " ".join(line.split()))
        if line and _key(line) not in seen:
            seen.add(_key(line))
            kept.append(line)
    return "\n".join(f"- {line}" for line in kept)


def _stressed_text(item: Any) -> str:
    if isinstance(item, dict):
        return str(item.get("text") or item.get("value") or "")
    return str(item)


# What a constraint means, so the same budget or deadline said twice (the record, the
# client's own words, an answer) is written once.
Meaning = tuple[str, Any, Any]


def _budget_meaning(low: float | None, high: float | None, currency: str) -> Meaning | None:
    amount = high if high is not None else low
    return None if amount is None else ("budget", round(float(amount)), currency)


def _same_meaning(a: Meaning, b: Meaning) -> bool:
    if a[0] != b[0]:
        return False
    if a[0] == "timeline" and isinstance(a[1], int) and isinstance(b[1], int):
        return abs(a[1] - b[1]) <= 3  # "两个月" is 60 days, the record may say 61
    return a == b


def _meanings(fields: dict[str, Any]) -> list[Meaning]:
    meanings: list[Meaning] = []
    budget = fields.get("budget")
    if budget:
        meaning = _budget_meaning(budget.get("min"), budget.get("max"), budget.get("currency"))
        if meaning:
            meanings.append(meaning)
    timeline = fields.get("timeline")
    if timeline and (timeline.get("days") is not None or timeline.get("deadline")):
        when = timeline.get("days") if timeline.get("days") is not None else timeline["deadline"]
        meanings.append(("timeline", when, None))
    return meanings


@dataclass
class Constraint:
    text: str
    meanings: list[Meaning]


def _record_constraints(consultation: Consultation, language: Language) -> list[Constraint]:
    texts = TEXTS[language]
    items: list[Constraint] = []
    currency = consultation.budget_currency
    low, high = consultation.budget_min, consultation.budget_max
    meaning = _budget_meaning(low, high, currency)
    if low is not None and high is not None and low != high:
        high_text = _money(high, currency, language)
        low_text = _money(low, currency, language)
        unit = CURRENCY_ZH.get(currency, f" {currency}") if language == "zh" else f" {currency}"
        if high_text.endswith(unit) and low_text.endswith(unit):
            low_text = low_text[: -len(unit)]  # "8万至15万元", "400,000–600,000 EUR"
        line = texts["budget_range"].format(low=low_text, high=high_text)
    elif high is not None:
        line = texts["budget_max"].format(amount=_money(high, currency, language))
    elif low is not None:
        line = texts["budget_min"].format(amount=_money(low, currency, language))
    if meaning:
        items.append(Constraint(line, [meaning]))
    if consultation.timeline_date is not None:
        day = consultation.timeline_date
        date = f"{day.year}年{day.month}月{day.day}日" if language == "zh" else day.isoformat()
        items.append(
            Constraint(texts["by_date"].format(date=date), [("timeline", day.isoformat(), None)])
        )
    elif consultation.timeline_days is not None:
        days = consultation.timeline_days
        line = (
            texts["within_months"].format(months=days // 30)
            if days % 30 == 0 and days <= 360
            else texts["within_days"].format(days=days)
        )
        items.append(Constraint(line, [("timeline", days, None)]))
    systems = " ".join(consultation.existing_systems.split())
    if systems:
        items.append(Constraint(texts["systems"].format(systems=systems), []))
    return items


@dataclass
class GoalLine:
    text: str
    measure: Measure | None
    rephrase: bool = False  # figures from elsewhere completed it: say it as a measure


@dataclass
class Draft:
    goals: list[GoalLine]
    facts: list[str]
    constraints: list[Constraint]
    to_confirm: list[str]


def draft_sections(consultation: Consultation) -> dict[str, str]:
    """The three sections of a first draft (plain text, one "- " line per point), in the
    client's language (TEXTS and measures.PHRASES, not the UI's catalogue)."""
    return _draft_sections(consultation)


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[。；;！!？?])|\.(?=\s|$)|\n", text)
    return [END_PUNCTUATION.sub("", " ".join(part.split())) for part in parts if part.strip()]


def _restates(statement: str, goal: str) -> bool:
    """Our restatement of the core goal, confirmed: it says nothing the goal does not."""
    a, b = _key(statement), _key(goal)
    return min(len(a), len(b)) >= 4 and (a in b or b in a)


def _goals(
    consultation: Consultation,
    confirmed: list[str],
    answered: list[tuple[str, str]],
    language: Language,
) -> Draft:
    texts = TEXTS[language]
    draft = Draft(goals=[], facts=[], constraints=[], to_confirm=[])
    core = _sentences(consultation.core_goal)
    for sentence in core:
        draft.goals.append(GoalLine(sentence, find_measure(sentence)))

    def attach(measure: Measure) -> bool:
        """Complete a goal line that names the same metric; False when none does."""
        for line in draft.goals:
            if line.measure is None or not same_metric(line.measure.metric, measure.metric):
                continue
            if (
                line.measure.target
                and measure.target
                and _key(line.measure.target) != _key(measure.target)
            ):
                draft.to_confirm.append(
                    texts["target_conflict"].format(
                        metric=line.measure.metric,
                        first=line.measure.target,
                        second=measure.target,
                    )
                )
            merged = merge(line.measure, measure)
            if merged.current and not line.measure.current:
                line.rephrase = True
            line.measure = merged
            return True
        return False

    def absorb_context(measure: Measure) -> Measure:
        """A figure-less goal line that says where the metric applies becomes part of it."""
        for line in list(draft.goals):
            if line.measure is not None:
                continue
            context = context_for(measure.metric, line.text)
            if context and context not in measure.metric:
                draft.goals.remove(line)
                return replace(measure, metric=f"{context}的{measure.metric}")
        return measure

    for statement in confirmed:
        if _restates(statement, consultation.core_goal):
            continue
        # About money or time: it belongs with the constraints.
        if meanings := _meanings(analyze(statement).to_dict()["fields"]):
            draft.constraints.append(Constraint(statement, meanings))
            continue
        measure = find_measure(statement)
        if measure is not None and measure.metric and attach(measure):
            continue
        draft.goals.append(GoalLine(statement, measure))

    for question, answer in answered:
        if meanings := _meanings(analyze(f"{question} {answer}").to_dict()["fields"]):
            # "预算大概多少？——30万以内" reads as "预算：30万以内"; an answer that names
            # its topic itself ("预算最多35万") stands alone.
            if TOPIC_WORDS[meanings[0][0]].search(answer):
                line = answer[:1].upper() + answer[1:]
            else:
                if answer[:1].isupper() and not answer[1:2].isupper():
                    answer = answer[0].lower() + answer[1:]
                line = texts[meanings[0][0]].format(answer=answer)
            draft.constraints.append(Constraint(line, meanings))
            continue
        measure = measure_of_answer(question, answer)
        if measure is not None and measure.metric and (measure.target or measure.current):
            measure = absorb_context(measure)
            if attach(measure):
                continue
            if measure.current and measure.target:  # a measurable outcome of its own
                draft.goals.append(GoalLine(phrase(measure, language), measure, rephrase=True))
                continue
        draft.facts.append(texts["answer"].format(question=question, answer=answer))

    measured = [line.measure for line in draft.goals if line.measure is not None]
    for measure in measured:
        if measure.target and not measure.current and STEM_TAIL.search(measure.metric):
            draft.to_confirm.append(texts["baseline"].format(metric=measure.metric))
    goal = " ".join(consultation.core_goal.split())
    if not measured:
        if goal:
            draft.to_confirm.append(texts["no_measure"].format(goal=END_PUNCTUATION.sub("", goal)))
        elif not draft.goals:
            draft.to_confirm.append(texts["no_goal"])
    if goal:
        result = analyze(goal)
        if result.goal_is_means:
            for finding in result.findings:
                if finding.kind == "means_as_goal":
                    draft.to_confirm.append(texts["means"].format(means=finding.text))
                    break
    return draft


def _concerns(consultation: Consultation, extra: list[Constraint], language: Language) -> list[str]:
    """The client's own words first (what they stressed, then what they confirmed or
    answered in the meeting), then the record; a budget or deadline already said is not
    said again, whichever words said it."""
    items = []
    for item in consultation.stressed or []:
        text = _stressed_text(item)
        items.append(Constraint(text, _meanings(analyze(text).to_dict()["fields"])))
    items += extra + _record_constraints(consultation, language)
    kept: list[Constraint] = []
    for item in items:
        if item.meanings and all(
            any(_same_meaning(meaning, seen) for other in kept for seen in other.meanings)
            for meaning in item.meanings
        ):
            continue
        kept.append(item)
    return [item.text for item in kept]


def _draft_sections(consultation: Consultation) -> dict[str, str]:
    language = _language(consultation)
    texts = TEXTS[language]
    entries = list(
        MeetingEntry.objects.live()
        .filter(meeting__consultation=consultation)
        .order_by("meeting__starts_at", "opened_at", "id")
    )
    confirmed = [
        as_statement(entry.understood)
        for entry in entries
        if entry.kind == EntryKind.CONFIRM
        and entry.reply in (ConfirmReply.YES, ConfirmReply.CORRECTION)
    ]
    questions = list(Question.objects.filter(consultation=consultation).listed())
    # Checklist questions answered, then questions asked on the spot in the meeting.
    answered = [
        (question.text.strip(), question.answer)
        for question in questions
        if question.status == QuestionStatus.ANSWERED and question.answer.strip()
    ] + [
        (entry.text.strip(), entry.response)
        for entry in entries
        if entry.kind == EntryKind.ASK and entry.question_id is None and entry.response.strip()
    ]
    answered = [
        (question, END_PUNCTUATION.sub("", " ".join(answer.split())))
        for question, answer in answered
    ]
    draft = _goals(consultation, confirmed, answered, language)
    measured = any(line.measure and line.measure.target for line in draft.goals)
    goals = [
        phrase(line.measure, language) if line.rephrase and line.measure else line.text
        for line in draft.goals
    ] + draft.facts
    concerns = _concerns(consultation, draft.constraints, language)
    # Asked in the meeting but not answered ("we will check") first, then never asked.
    # A never-asked "what target?" question is moot once the goals carry one.
    still_open = [q.text for q in questions if q.status == QuestionStatus.ASKED] + [
        q.text
        for q in questions
        if q.status == QuestionStatus.OPEN and not (measured and ASKS_FOR_TARGET.search(q.text))
    ]
    refused = [
        texts["not_agreed"].format(text=as_statement(entry.text))
        for entry in entries
        if entry.kind == EntryKind.CONFIRM and entry.reply == ConfirmReply.NO
    ]
    if not questions:  # no checklist yet: the analysis's questions stand in for it
        findings = Finding.objects.filter(consultation=consultation, status=FindingStatus.OPEN)
        still_open += [str(finding.questions[0]) for finding in findings if finding.questions][
            :MAX_FINDING_QUESTIONS
        ]
    return {
        "goals": _bullets(goals),
        "concerns": _bullets(concerns),
        "to_confirm": _bullets(refused + draft.to_confirm + still_open),
    }


@dataclass(frozen=True)
class DiffLine:
    op: str  # "same", "added" or "removed"
    text: str


@dataclass(frozen=True)
class SectionDiff:
    name: str
    title: str
    lines: list[DiffLine]

    @property
    def changed(self) -> bool:
        return any(line.op != "same" for line in self.lines)


def _line_diff(old: str, new: str) -> list[DiffLine]:
    before, after = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if op == "equal":
            lines += [DiffLine("same", text) for text in before[a_start:a_end]]
            continue
        lines += [DiffLine("removed", text) for text in before[a_start:a_end]]
        lines += [DiffLine("added", text) for text in after[b_start:b_end]]
    return lines


def versions_diff(*, old: SummaryVersion, new: SummaryVersion) -> list[SectionDiff]:
    """A line-by-line comparison per section; templates escape the text when showing it."""
    return [
        SectionDiff(
            name=name,
            title=str(title),
            lines=_line_diff(old.sections()[name], new.sections()[name]),
        )
        for name, title in SECTION_TITLES.items()
    ]
