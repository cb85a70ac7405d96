"""Measurable outcomes in the client's words: find a metric, its current value and its
target in a sentence, and phrase them as one goal line ("将家长端加载超时率从约20%降到5%以下",
"Reduce average handling time from 9 to 6 minutes").

Plain rules, Chinese and English, no Django: the summary drafting combines what they find
in the record's core goal, the confirmed restatements and the answered questions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

Language = Literal["zh", "en"]
Direction = Literal["down", "up", ""]
Bound = Literal["max", "min", ""]

HAN = re.compile(r"[\u4e00-\u9fff]")

_ZH_NUMERAL = r"[零一二两三四五六七八九十百千半]+"
_NUMBER = rf"(?:\d+(?:[.,]\d+)*|{_ZH_NUMERAL})"
# Longest first: "万元" before "万", "分钟" before "分", "ms" before "s".
_UNIT = (
    r"(?:%|％|个百分点|毫秒|秒钟|秒|分钟|小时|个工作日|工作日|天|周|个月|万元|万|元|人次|人|"
    r"次(?!性)|倍|笔|单|"
    r"ms(?![a-z])|milliseconds?|seconds?|secs?(?![a-z])|s(?![a-z])|minutes?|mins?(?![a-z])|"
    r"hours?|hrs?(?![a-z])|h(?![a-z])|days?|weeks?|months?|years?|percent|"
    r"people|persons?|users?|times|orders?|calls?|million|billion|thousand|k(?![a-z])|亿)"
)
_APPROX = r"(?:约|大约|大概|差不多|将近|接近|近|平均|about|around|roughly|approximately|~|≈)"
_APPROX_AFTER = r"(?:\s*(?:左右|上下|or so))?"
QUANTITY = re.compile(
    rf"(?P<approx>{_APPROX}\s*)?(?P<number>{_NUMBER})\s*(?P<unit>{_UNIT})?{_APPROX_AFTER}",
    re.IGNORECASE,
)
_ANY_QUANTITY = rf"(?:{_APPROX}\s*)?{_NUMBER}\s*(?:{_UNIT})?{_APPROX_AFTER}"

# Words that make a figure a target, and which way it goes.
_DOWN_BEFORE = (
    r"降到|降至|降低到|降低至|降为|减少到|减少至|减到|缩短到|缩短至|缩到|压到|压缩到|控制在|"
    r"不超过|不高于|不多于|低于|少于|小于|最多|"
    r"\b(?:below|under|less than|fewer than|at most|no more than|not more than|within|max(?:imum)?)"
)
_UP_BEFORE = (
    r"提升到|提升至|提高到|提高至|增加到|增加至|增长到|扩大到|扩展到|达到|不低于|不少于|至少|高于|"
    r"\b(?:at least|above|more than|over|no less than|min(?:imum)?)"
)
_MAX_AFTER = r"以下|以内|之内|内|or less|or fewer|or under|max"
_MIN_AFTER = r"以上|or more|or above|plus"
_TARGET_WORD = r"目标|希望|期望|要求|\b(?:target|goal|aim)\b"
_CURRENT_WORD = (
    r"现在|目前|当前|现状|如今|平时|今天|\b(?:currently|today|now|at present|at the moment)\b"
)
_DOWN_VERB = re.compile(
    r"降|减|缩短|压|控制|reduce|cut|lower|decrease|shorten|bring down|drop", re.IGNORECASE
)
_UP_VERB = re.compile(
    r"提升|提高|增加|增长|扩大|扩展|达到|raise|increase|grow|improve|scale|boost", re.I
)

_FROM_TO = re.compile(
    rf"(?:从|由|from)\s*(?P<first>{_ANY_QUANTITY})\s*(?P<verb>[^，,。；;0-9]{{0,8}}?)\s*"
    rf"(?:到|至|为|to)\s*(?P<second>{_ANY_QUANTITY})(?:\s*(?P<after>{_MAX_AFTER}|{_MIN_AFTER}))?",
    re.IGNORECASE,
)

# Clauses end at punctuation; a comma inside a number ("40,000") does not end one.
CLAUSE_END = re.compile(r"[，。；;！!？?\n]|,(?!\d{3}(?!\d))")


def _clauses(text: str) -> list[str]:
    return [clause for clause in CLAUSE_END.split(text) if clause.strip()]


@dataclass(frozen=True)
class Measure:
    """What a sentence says about one measurable outcome."""

    metric: str = ""
    current: str = ""
    target: str = ""
    bound: Bound = ""
    direction: Direction = ""
    # A figure with no word saying whether it is today's value or the aim ("40%").
    plain: str = ""

    @property
    def is_complete(self) -> bool:
        return bool(self.metric and self.current and self.target)


def language_of(text: str) -> Language:
    return "zh" if HAN.search(text) else "en"


def _has_unit(match: re.Match[str]) -> bool:
    return bool(match.group("unit"))


def _clean_quantity(text: str) -> str:
    text = " ".join(text.split())
    text = re.sub(r"^(About|Around|Roughly|Approximately)\b", lambda m: m.group(1).lower(), text)
    return re.sub(
        r"(?<=[\d\u4e00-\u9fff])\s+(?=[%％\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])\s+(?=\d)", "", text
    )


def quantities(text: str) -> list[re.Match[str]]:
    """Figures with a unit ("20%", "2秒", "9 minutes", "30万"); bare numbers are not figures."""
    return [
        match
        for match in QUANTITY.finditer(text)
        if _has_unit(match) and not _inside_word(text, match)
    ]


def _inside_word(text: str, match: re.Match[str]) -> bool:
    """Figures inside a name ("Q3", "v2") are not figures."""
    start = match.start("number")
    return start > 0 and text[start - 1].isascii() and text[start - 1].isalnum()


def has_figure(text: str) -> bool:
    return bool(quantities(text))


_LEAD = re.compile(
    r"^(?:(?:目标值?是?|我们|我|贵方|客户|大家|(?:核心|主要)?(?:需求|目标)是|希望|期望|想要|想|要|需要|必须|能够|能|可以|"
    r"并且|而且|同时|且|并|把|将|让|使|使得|"
    r"we|i|they|want to|need to|would like to|must|should|to|and|so that|so|the|our|"
    r"bring|get|make|reduce|cut|lower|raise|increase|improve|grow|scale|keep)\s*)+",
    re.IGNORECASE,
)
_TRAIL = re.compile(
    r"(?:\s*(?:的|从|由|希望|目标|是|为|在|要|能|都|就|也|还|可以|多少|是多少|有多少|大概|大约|约|现在|目前|当前|"
    r"from|is|are|was|in|of|at|to|by|now|today|currently|about|around|[:：—\-]))+$",
    re.IGNORECASE,
)


def _metric(text: str) -> str:
    text = " ".join(text.split()).strip(" ，,。；;：:—-")
    previous = None
    while previous != text:
        previous = text
        text = _LEAD.sub("", text).strip()
        text = _TRAIL.sub("", text).strip()
    return text


def find_measure(text: str) -> Measure | None:
    """The first measurable outcome stated in `text`, or None when it has no figure.
    Clauses of one sentence that only add a figure ("40% today, 70% target") complete it."""
    for sentence in re.split(r"[。；;！!？?\n]|\.(?=\s|$)", text):
        found = _combined(_clause_measure(clause) for clause in _clauses(sentence))
        if found is not None:
            return found
    return None


def _combined(measures: Iterable[Measure | None]) -> Measure | None:
    """Clause measures of one sentence (or one answer) as one: the first metric names it;
    a clause with a metric of its own starts another outcome and is left out."""
    found: Measure | None = None
    for measure in measures:
        if measure is None:
            continue
        if found is None:
            found = measure
            continue
        if measure.metric and found.metric and not same_metric(measure.metric, found.metric):
            continue
        found = merge(found, measure)
    if found is None:
        return None
    if found.target and not found.current and found.plain:
        found = replace(found, current=found.plain, plain="")
    if not found.target and not found.current and found.plain:
        found = replace(found, target=found.plain, plain="")
    if found.current and found.target and not found.direction:
        found = replace(found, direction=_direction("", found.current, found.target))
    return found


def _direction(verb: str, first: str, second: str) -> Direction:
    if _DOWN_VERB.search(verb):
        return "down"
    if _UP_VERB.search(verb):
        return "up"
    a, b = _value(first), _value(second)
    if a is None or b is None or a == b:
        return ""
    return "down" if b < a else "up"


def _value(quantity: str) -> float | None:
    match = re.search(r"\d+(?:\.\d+)?", quantity.replace(",", ""))
    return float(match.group(0)) if match else None


def _clause_measure(clause: str) -> Measure | None:
    from_to = _FROM_TO.search(clause)
    if from_to and (
        _has_unit_text(from_to.group("first")) or _has_unit_text(from_to.group("second"))
    ):
        after = (from_to.group("after") or "").lower()
        bound: Bound = "max" if re.fullmatch(_MAX_AFTER, after) else "min" if after else ""
        verb = from_to.group("verb") + " " + clause[: from_to.start()]
        return Measure(
            metric=_metric(clause[: from_to.start()]),
            current=_clean_quantity(from_to.group("first")),
            target=_clean_quantity(from_to.group("second")),
            bound=bound,
            direction=_direction(verb, from_to.group("first"), from_to.group("second")),
        )
    found = quantities(clause)
    if not found:
        return None
    current = target = ""
    bound: Bound = ""  # type: ignore[no-redef]
    direction: Direction = ""
    metric_end = found[0].start()
    unmarked: list[str] = []
    for match in found:
        before = clause[: match.start()]
        after = clause[match.end() :]
        quantity = _clean_quantity(match.group(0))
        down = re.search(rf"(?:{_DOWN_BEFORE})\s*$", before, re.IGNORECASE)
        up = re.search(rf"(?:{_UP_BEFORE})\s*$", before, re.IGNORECASE)
        max_after = re.match(rf"\s*(?:{_MAX_AFTER})", after, re.IGNORECASE)
        min_after = re.match(rf"\s*(?:{_MIN_AFTER})", after, re.IGNORECASE)
        target_word = re.search(
            rf"(?:{_TARGET_WORD})[^\d]{{0,6}}$", before, re.IGNORECASE
        ) or re.match(rf"\s*(?:{_TARGET_WORD})", after, re.IGNORECASE)
        current_word = re.search(
            rf"(?:{_CURRENT_WORD})[^\d]{{0,6}}$", before, re.IGNORECASE
        ) or re.match(rf"\s*(?:{_CURRENT_WORD})", after, re.IGNORECASE)
        marker = down or up
        if (marker or max_after or min_after or target_word) and not target:
            target = quantity
            bound = "max" if (max_after or (down and not _DOWN_VERB.search(down.group(0)))) else ""
            bound = "min" if (min_after or (up and not _UP_VERB.search(up.group(0)))) else bound
            if down or max_after:
                direction = "down"
            elif up or min_after:
                direction = "up"
            if marker and match is found[0]:
                metric_end = marker.start()
        elif current_word and not current:
            current = quantity
        else:
            unmarked.append(quantity)
    metric = _metric(clause[:metric_end])
    if target:
        metric = _with_action(metric, clause[metric_end:])
    return Measure(
        metric=metric,
        current=current,
        target=target,
        bound=bound,
        direction=direction,
        # "约20%，目标5%以下": the figure beside the target is today's (see _combined)
        plain=unmarked[0] if unmarked and not target else "",
    )


_ACTION = re.compile(r"(打开|加载|响应|返回|完成|处理|到账|审批|出报表|出结果|恢复)")


def _with_action(metric: str, rest: str) -> str:
    """The figure of "家长端课程页2秒内打开" is the time to open the page."""
    action = _ACTION.search(rest)
    if metric and action and HAN.search(metric) and not STEM_TAIL.search(metric):
        return f"{metric}{action.group(1)}时间"
    return metric


def _has_unit_text(text: str) -> bool:
    return any(_has_unit(match) for match in QUANTITY.finditer(text))


def measure_of_answer(question: str, answer: str) -> Measure | None:
    """The figures of an answer, named by the question:
    "现在超时率多少？" — "约20%，目标5%以下"."""
    measures = [_clause_measure(clause) for clause in _clauses(answer)]
    # In an answer the question names the metric; the answer's words before a figure are
    # circumstances ("晚高峰大约20%").
    named = metric_of_question(question)
    found = _combined(replace(m, metric=named) if m and named else m for m in measures)
    if found is None:
        return None
    asks_now = re.search(_CURRENT_WORD, question, re.IGNORECASE)
    asks_target = re.search(_TARGET_WORD, question, re.IGNORECASE)
    if asks_now and not asks_target and not found.current and found.target and not found.bound:
        # "现在超时率多少？" — "晚高峰大约20%": a bare figure answers "now"
        found = replace(found, current=found.target, target="", direction="")
    return found


_QUESTION_NOISE = re.compile(
    r"现在|目前|当前|大概|大约|平均|一般|是多少|有多少|多少|多长时间|多久|几|目标值?|希望|能|要|是|的|"
    r"\bwhat(?:'s| is| are)?\b|\bhow (?:much|many|long|fast|often)\b|\b(?:is|are|the|now|today|"
    r"current|currently|and|target|goal|should|it|be|your|of|do|does|you|want)\b",
    re.IGNORECASE,
)


_EN_QUESTION_FORMS = (
    (
        re.compile(r"^\s*how long (?:does|do|will|did) (?:it )?(?:take )?(?:to )?(.+)$", re.I),
        "time to {}",
    ),
    (
        re.compile(r"^\s*how many (.+?)(?: (?:do|does|are|is|did|will|have|has)\b.*)?$", re.I),
        "number of {}",
    ),
    (re.compile(r"^\s*how much (.+?)(?: (?:do|does|is|did|will)\b.*)?$", re.I), "{}"),
)


def metric_of_question(question: str) -> str:
    """The metric a question asks about: "现在超时率多少？目标多少？" → "超时率";
    "What is the timeout rate now?" → "timeout rate"."""
    for part in re.split(r"[？?，,。；;]", question):
        template = "{}"
        for form, form_template in _EN_QUESTION_FORMS:
            if matched := form.match(part):
                part, template = matched.group(1), form_template
                break
        metric = " ".join(_metric(_QUESTION_NOISE.sub(" ", part)).split())
        if HAN.search(metric):
            metric = metric.replace(" ", "")
        if len(metric) >= 2:
            return template.format(metric)
    return ""


def _common(a: str, b: str) -> int:
    """Length of the longest common substring (short texts; quadratic is fine)."""
    best = 0
    for i in range(len(a)):
        for j in range(len(b)):
            k = 0
            while i + k < len(a) and j + k < len(b) and a[i + k] == b[j + k]:
                k += 1
            best = max(best, k)
    return best


def _key(text: str) -> str:
    return re.sub(r"[\s'’\-]", "", text.lower())


def same_metric(a: str, b: str) -> bool:
    """Whether two names mean one metric: "家长端加载超时率" and "超时率" do; so do
    "timeout rate" and "app timeout rate"."""
    a, b = _key(a), _key(b)
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    shortest = 3 if HAN.search(a + b) else 8
    return _common(a, b) >= shortest


def merge(first: Measure, second: Measure) -> Measure:
    """One measure from two statements of it: the first one's words win where both have
    a value; the longer metric name is kept (it says more)."""
    metric = first.metric if len(first.metric) >= len(second.metric) else second.metric
    return Measure(
        metric=metric,
        current=first.current or second.current,
        target=first.target or second.target,
        bound=first.bound if first.target else second.bound,
        direction=first.direction or second.direction,
        plain=first.plain or second.plain,
    )


STEM_TAIL = re.compile(
    r"(?:率|比例|占比|次数|时间|时长|耗时|数量|rate|ratio|time|share|count)$", re.I
)
_NEGATION_TAIL = re.compile(r"(?:不会|不再|不|没有|没|无|别|减少|避免)$")


def context_for(metric: str, statement: str) -> str:
    """The part of a figure-less statement that says where the metric applies:
    "晚高峰家长端打开课程页不超时" gives "晚高峰家长端打开课程页" for "超时率"."""
    stem = STEM_TAIL.sub("", metric).strip()
    if len(stem) < 2 or not HAN.search(stem):
        return ""
    at = statement.find(stem)
    if at <= 0:
        return ""
    context = _NEGATION_TAIL.sub("", statement[:at]).strip()
    context = _metric(context.split("：")[-1].split(":")[-1])
    return context if len(context) >= 2 else ""


TIME_METRIC = re.compile(
    r"(?:时间|时长|耗时|周期|速度|time|duration|latency|delay|speed)$|^time\b", re.IGNORECASE
)
_TIME_UNIT = re.compile(r"毫秒|秒|分钟|小时|天|周|ms|sec|second|min|hour|day|week", re.IGNORECASE)

PHRASES: dict[str, dict[str, str]] = {
    "zh": {
        "from_to": "将{metric}从{current}{verb}{target}",
        "to": "将{metric}{verb}{target}",
        "down": "降到",
        "down_time": "缩短到",
        "up": "提升到",
        "": "调整到",
        "max": "{value}以下",
        "max_time": "{value}以内",
        "min": "{value}以上",
        "plain": "{value}",
    },
    "en": {
        "from_to": "{verb} {metric} from {current} to {target}",
        "to": "{verb} {metric} to {target}",
        "down": "Reduce",
        "down_time": "Cut",
        "up": "Raise",
        "": "Bring",
        "max": "below {value}",
        "max_time": "under {value}",
        "min": "at least {value}",
        "plain": "{value}",
    },
}


def phrase(measure: Measure, language: Language) -> str:
    """One goal line: "<verb> <metric> from <current> to <target>" in `language`."""
    words = PHRASES[language]
    timed = bool(_TIME_UNIT.search(measure.target))
    verb = words[measure.direction]
    if measure.direction == "down" and timed:
        verb = words["down_time"]
    bound: str = measure.bound
    if bound == "max" and timed:
        bound = "max_time"
    target = words[bound or "plain"].format(value=measure.target)
    metric = measure.metric
    if timed and not TIME_METRIC.search(metric):
        # "报销审批从3天缩短到1天" is about the time the approval takes
        metric = f"{metric}的时间" if language == "zh" else f"{metric} time"
    if language == "en":
        if metric[:1].isupper() and not metric[1:2].isupper():
            metric = metric[0].lower() + metric[1:]
        if not re.match(r"(?:the|a|an|our|your|their|its|this|that|each|every)\b", metric, re.I):
            metric = f"the {metric}"
    if language == "zh":
        target = target.replace(" ", "")
    template = words["from_to"] if measure.current else words["to"]
    return template.format(metric=metric, current=measure.current, verb=verb, target=target)
