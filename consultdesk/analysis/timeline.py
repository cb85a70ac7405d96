"""Timeline extraction: a duration in days or a deadline date, relative to ``today``.

Conventions (documented in docs/analysis.md): a month counts 30 days, a year 365, a week 7;
working days count as days. "N月前" / "before March" means strictly before the month, so the
deadline is the last day of the previous month; "N月底", "by March", "in March" mean the
last day of that month. A month or quarter already past this year means next year's.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import NamedTuple

from .model import Timeline
from .numbers import CHINESE_NUMERAL_CHARS, parse_number
from .scanning import CaselessScan, lowered_for_gates, with_start_filter


class _Lowered(NamedTuple):
    words: str  # text.lower(), for the required-word tests
    exact: str | None  # scanning.lowered_for_gates(text), for case-insensitive scans


def _scan(
    regex: re.Pattern[str] | CaselessScan,
    text: str,
    lowered: _Lowered,
    required: tuple[str, ...],
    *also: tuple[str, ...],
) -> Iterator[re.Match[str]]:
    """Matches of ``regex``, scanned only when the text mentions one of its required words
    (and one of each ``also`` group: every match holds one of each).

    Most messages name no date at all, and a substring test is far cheaper than a scan.
    """
    words = lowered.words
    if not any(word in words for word in required):
        return
    if not all(any(word in words for word in group) for group in also):
        return
    if isinstance(regex, CaselessScan):
        yield from regex.finditer(text, lowered.exact)
    else:
        yield from regex.finditer(text)


_ZH_NUMBER = rf"(?:\d+(?:\.\d+)?|[{CHINESE_NUMERAL_CHARS}]+|半|一个半|几)"
_EN_NUMBER = (
    r"(?:\d+(?:\.\d+)?|a couple of|couple of|a few|an?|one|two|three|four|five|six|seven|"
    r"eight|nine|ten|eleven|twelve|fifteen|twenty|thirty)"
)
_ZH_UNIT_DAYS = {"天": 1, "日": 1, "工作日": 1, "个工作日": 1, "周": 7, "星期": 7, "礼拜": 7,
                 "个星期": 7, "个礼拜": 7, "自然日": 1, "个自然日": 1, "日历日": 1,
                 "个日历日": 1, "个月": 30, "月": 30, "年": 365}  # fmt: skip
_EN_UNIT_DAYS = {"day": 1, "business day": 1, "working day": 1, "week": 7, "month": 30,
                 "year": 365}  # fmt: skip
_DELIVERY_WORDS = (
    r"上线|完成|交付|做完|搞定|落地|开发完|做好|用上|投入使用|投产|验收|试运行|启用|切换|"
    r"launch|live|deliver|done|complete|finish|ready|ship|release|go-live|rollout|roll out"
)

# Durations are anchored on their number (a regex that starts with optional words must be
# tried at every position); the words before the number are looked up separately.
_ZH_DURATION_PREFIX = re.compile(
    r"(?:需要|工期|周期|交付期|交期|开发期|期限|时限|时间|要在|希望在|争取|大概|大约|最好|必须|"
    r"(?:签订|签约|签署|启动|开工|中标)后)[:：为是]?\s*$"
)
_ZH_DURATION = with_start_filter(
    rf"(?P<n>{_ZH_NUMBER})\s*(?P<unit>个工作日|工作日|个自然日|自然日|个日历日|日历日|个星期|个礼拜|个月|月|天|日|周|星期|礼拜|年)"
    rf"(?P<post>内|之内|以内|左右|时间|的时间)?"
)
_EN_DURATION_PREFIX = re.compile(
    r"\b(?P<pre>within|in|over|under|about|around|next|takes?|needs?|of|for)\s+"
    r"(?:the\s+next\s+|less than\s+|about\s+|around\s+)?$",
    re.IGNORECASE,
)
_EN_DURATION = CaselessScan(
    rf"(?<![A-Za-z0-9])(?P<n>{_EN_NUMBER})[\s-]*"
    rf"(?P<unit>business days?|working days?|days?|weeks?|months?|years?)(?![a-z])",
    re.IGNORECASE,
)
_MONTHS = {name.lower(): index for index, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): index for index, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))


def extract_timeline(text: str, today: date) -> Timeline | None:
    exact = lowered_for_gates(text)
    lowered = _Lowered(exact if exact is not None else text.lower(), exact)
    candidates = [candidate for finder in _FINDERS for candidate in finder(text, lowered, today)]
    if not candidates:
        return None
    candidates.sort(key=lambda candidate: candidate[0])
    return candidates[0][1]


Candidate = tuple[int, Timeline]


def _month_end(year: int, month: int) -> date:
    while month > 12:
        year, month = year + 1, month - 12
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, calendar.monthrange(year, month)[1])


def _upcoming_year(today: date, month: int) -> int:
    return today.year if month >= today.month else today.year + 1


def _deadline(start: int, found: date, text: str) -> Candidate:
    # Position of the words themselves, so " Q4之前" and "Q4之前" compete fairly.
    position = start + len(text) - len(text.lstrip())
    return position, Timeline(days=None, deadline=found.isoformat(), text=text.strip())


def _zh_durations(text: str, lowered: _Lowered, today: date) -> Iterator[Candidate]:
    for match in _scan(_ZH_DURATION, text, lowered, ("天", "日", "周", "月", "年", "星期", "礼拜")):
        start = match.start()
        before = text[max(0, start - 1) : start]
        if before in {"每", "第", "前", "近", "过", "上", "了", "花", "耗", "用"} or _is_year(
            match
        ):
            continue
        if match["unit"] == "月" and not match["n"].endswith("半"):
            continue  # "3月" is March; only "半月" / "一个半月" are durations
        after = text[match.end() : match.end() + 10]
        if re.match(r"(?:之前|以前|前)", after):
            continue  # "十年前" is ago, not a duration
        prefix = _ZH_DURATION_PREFIX.search(text, max(0, start - 8), start)
        timely = bool(prefix or match["post"] or re.match(_ZH_DELIVERY_AFTER, after))
        if not timely and match["unit"] in {"天", "日", "年", "工作日", "个工作日", "自然日"}:
            continue  # a bare "一天" or "30天" is rarely the project's timeline
        if not timely and re.match(r"\s*(?:才|就能|就可以)", after):
            continue  # "培训一周才能上手" is how long something takes
        if not timely and re.match(_ZH_AMOUNT_AFTER, after):
            continue  # "一个月二十多万" is a rate (per month), not a timeline
        if re.match(r"的(?:[^，。,.;；]{0,4}(?:数据|历史|记录|日志)|[，。,.])", after):
            continue  # "大概三年的数据" is an amount of data
        if re.search(r"(?:估计|我觉得|我看|应该)\s*$", text[max(0, start - 4) : start]):
            continue  # "我估计一两周搞定" is the writer's guess at the effort
        days = _zh_days(match["n"], match["unit"])
        if days:
            # A bare "两周" still counts, but after any duration that is clearly a timeline.
            position = start if timely else len(text) + start
            begin = prefix.start() if prefix else start
            yield position, Timeline(days=days, deadline=None, text=text[begin : match.end()])


_ZH_AMOUNT_AFTER = r"\s*(?:要|花|大概|差不多)?\s*[\d一二两三四五六七八九十几]"
_ZH_DELIVERY_AFTER = rf"\s*[^，。,.;；!?！？]{{0,3}}(?:{_DELIVERY_WORDS})"


def _is_year(match: re.Match[str]) -> bool:
    return match["unit"] == "年" and (parse_number(match["n"]) or 0) >= 100


_ZH_SPOKEN_RANGE = re.compile(r"^[一两二三四五六七八九]([两三四五六七八九])$")


def _zh_days(number: str, unit: str) -> int | None:
    spoken = _ZH_SPOKEN_RANGE.match(number)  # "一两周", "两三个月": the upper end
    value = 1.5 if number == "一个半" else parse_number(spoken[1] if spoken else number)
    if value is None or value <= 0:
        return None
    if unit == "年" and value != int(value):
        return round(value * 12 * 30)  # "半年" is six months of 30 days
    return round(value * _ZH_UNIT_DAYS[unit])


def _en_durations(text: str, lowered: _Lowered, today: date) -> Iterator[Candidate]:
    for match in _scan(_EN_DURATION, text, lowered, ("day", "week", "month", "year")):
        start = match.start()
        after = text[match.end() : match.end() + 30]
        prefix = _EN_DURATION_PREFIX.search(text, max(0, start - 30), start)
        lead = text[max(0, start - 30) : start]
        if re.search(_EN_NOT_A_TIMELINE_BEFORE, lead, re.I):
            continue  # how long something takes today, not when it is due
        word = prefix["pre"].lower() if prefix else ""
        if re.match(r"\s*(?:ago|old)\b", after, re.I) or (
            re.match(r"\s*of\b", after, re.I) and word != "within"
        ):
            continue  # "5 years of data", "2 weeks ago"; but "within 4 weeks of sign-off"
        timely = word in {"within", "in", "over", "next", "need"}
        timely = timely or bool(re.match(_EN_DELIVERY_AFTER, after, re.I))
        timely = timely or bool(re.search(_EN_TIMELINE_LABEL_BEFORE, lead, re.I))
        value = parse_number(match["n"])
        unit = re.sub(r"s$", "", match["unit"].lower())
        # A bare "6 weeks" counts; a spelled-out one only as a phrase of its own (", six weeks.")
        bare = not prefix and (
            match["n"][0].isdigit()
            or bool(re.search(r"[,;:]\s*$", lead) and re.match(r"\s*(?:[.;,\n]|$)", after))
        )
        if value and (timely or bare):
            days = round(value * _EN_UNIT_DAYS[unit])
            # A bare "6 weeks" still counts, but after any duration that is clearly a timeline.
            position = start if timely else len(text) + start
            begin = prefix.start() if prefix else start
            yield position, Timeline(days=days, deadline=None, text=text[begin : match.end()])


_EN_NOT_A_TIMELINE_BEFORE = (
    r"\b(?:every|per|last|past|took|takes?|taking|spends?|spent|from|to|under|below|less than)"
    r"\s*(?:about\s+|around\s+)?$"
)
_EN_DELIVERY_AFTER = (
    rf"\s*(?:(?:\S+\s+){{0,3}}?(?:{_DELIVERY_WORDS})|"
    r"(?:project|timeline|timeframe|sprint|deadline|engagement))"
)
_EN_TIMELINE_LABEL_BEFORE = (
    r"(?:timeline|timeframe|deadline|duration)\s*(?:is|of|:)?\s*(?:about|around|roughly)?\s*$"
)


_ZH_YEAR_END = with_start_filter(
    r"(?P<year>今年|明年|后年)?\s*(?:年底|年末|年终)(?:之前|以前|前)?|年内|今年(?:之内|以内|内)|(?P<this>今年)(?=[^，。,.]{0,4}"
    rf"(?:{_DELIVERY_WORDS})|[^，。,.]{{0,12}}(?:都要|必须|要求))"
)
_ZH_MONTH = with_start_filter(
    r"(?P<year>今年|明年|\d{4}\s*年)?\s*(?P<month>\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"
    r"(?:份)?(?:(?P<day>\d{1,2}|[一二三四五六七八九十]{1,3})\s*[日号])?"
    r"(?P<part>底|末|中旬|中|初|上旬|下旬)?(?P<before>之前|以前|前)?"
)
_ZH_MONTH_END = with_start_filter(
    r"(?:下个?月|本月|这个月|月)(?:底|末)(?:之前|以前|前)?"
    rf"|下个?月(?=[^，。,.]{{0,4}}(?:{_DELIVERY_WORDS}|用))"
)
_ZH_QUARTER = CaselessScan(
    r"(?P<year>今年|明年)?(?P<which>本季度|这个季度|下个?季度|(?:第)?(?P<n>[一二三四1-4])季度"
    r"|q(?P<q>[1-4]))\s*(?P<part>末|底|结束)?(?P<before>之前|以前|前)?",
    re.IGNORECASE,
)
_ZH_HALF = with_start_filter(r"(?P<year>今年|明年)?(?P<half>上半年|下半年)")
_ZH_FESTIVAL = {"国庆": (9, 30), "双十一": (11, 10), "双11": (11, 10), "618": (6, 17),
                "暑假": (6, 30), "开学": (8, 31), "元旦": (12, 31), "圣诞": (12, 24)}  # fmt: skip
_ZH_FESTIVAL_RE = with_start_filter(
    r"(?P<name>国庆|双十一|双11|618|暑假|开学|元旦|圣诞)(?:节)?(?:之前|以前|前)"
)


# Festivals of the lunar calendar: (lunar month, day). "年前" / "过年前" mean before the
# Spring Festival. "春节前后" (around it) and "春节后" are not deadlines; nor is "三年前" (ago).
_LUNAR_FESTIVALS = {"春节": (1, 1), "过年": (1, 1), "农历新年": (1, 1), "年": (1, 1),
                    "元宵": (1, 15), "端午": (5, 5), "中秋": (8, 15)}  # fmt: skip
_ZH_LUNAR_FESTIVAL = re.compile(
    r"(?:(?P<name>春节|过年|农历新年|元宵|端午|中秋)(?:节)?|"
    rf"(?<![\d{CHINESE_NUMERAL_CHARS}几多半今去明前后每近往当同跨新上历整数这那])(?P<year>年))"
    r"(?:之前|以前|前)(?!后)"
)


def _lunar_festival(month: int, day: int, today: date) -> date:
    """The next date (on or after ``today``) of the lunar calendar's ``month``/``day``."""
    from lunar_python import Lunar  # imported when a text names one (~30 ms, once)

    for lunar_year in (today.year - 1, today.year, today.year + 1):
        solar = Lunar.fromYmd(lunar_year, month, day).getSolar()
        found = date(solar.getYear(), solar.getMonth(), solar.getDay())
        if found >= today:
            return found
    raise ValueError(f"no lunar {month}/{day} after {today}")  # cannot happen


def _zh_deadlines(text: str, lowered: _Lowered, today: date) -> Iterator[Candidate]:
    for match in _scan(_ZH_YEAR_END, text, lowered, ("年底", "年末", "年终", "年内", "今年")):
        offset = {"明年": 1, "后年": 2}.get(match["year"] or "", 0)
        yield _deadline(match.start(), date(today.year + offset, 12, 31), match.group())
    for match in _scan(_ZH_MONTH, text, lowered, ("月",)):
        year = match["year"] or ""
        if year[:4].isdigit() and int(year[:4]) < today.year:
            continue  # "2019年1月至2025年12月" is history
        found = _zh_month_deadline(match, text, today)
        if found:
            position, timeline = _deadline(match.start(), found, match.group())
            # "6月1日起生效" is a deadline only when no other one is named ("从6月1日起…，
            # 5月28日前上测试环境").
            yield (position + len(text) if _is_start(match, text) else position), timeline
    for match in _scan(_ZH_DAY_OF_MONTH, text, lowered, ("号",)):
        if re.search(r"每个?月\s*$", text[max(0, match.start() - 3) : match.start()]):
            continue  # "每月3号" recurs
        day = int(match["day"])
        year, month = today.year, today.month
        if day < today.day:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        if day <= calendar.monthrange(year, month)[1]:
            yield _deadline(match.start(), date(year, month, day), match.group())
    for match in _scan(_ZH_MONTH_END, text, lowered, ("月",)):
        if text[max(0, match.start() - 1) : match.start()] == "每":
            continue  # "每月底" recurs; it is not a deadline
        months_ahead = 1 if match.group().startswith("下") else 0
        yield _deadline(
            match.start(), _month_end(today.year, today.month + months_ahead), match.group()
        )
    for match in _scan(_ZH_QUARTER, text, lowered, ("季度", "q")):
        yield _deadline(match.start(), _quarter_deadline(match, today), match.group())
    for match in _scan(_ZH_HALF, text, lowered, ("半年",)):
        year = today.year + (1 if match["year"] == "明年" else 0)
        month = 6 if match["half"] == "上半年" else 12
        yield _deadline(match.start(), _month_end(year, month), match.group())
    for match in _scan(_ZH_LUNAR_FESTIVAL, text, lowered, ("年前", "年之前", "年以前", "春节",
                                                          "元宵", "端午", "中秋")):  # fmt: skip
        month, day = _LUNAR_FESTIVALS[match["name"] or match["year"]]
        festival = _lunar_festival(month, day, today)
        yield _deadline(match.start(), date.fromordinal(festival.toordinal() - 1), match.group())
    for match in _scan(_ZH_FESTIVAL_RE, text, lowered, ("前",)):
        if re.search(
            r"每(?:年|学期|个学期|次)?\s*$", text[max(0, match.start() - 4) : match.start()]
        ):
            continue  # "每学期开学前" recurs
        month, day = _ZH_FESTIVAL[match["name"]]
        found = date(today.year, month, day)
        found = found if found >= today else date(today.year + 1, month, day)
        yield _deadline(match.start(), found, match.group())


# "20号领导来参观", "25号要检查", "30号前": a day of this month (next month's once past).
_ZH_DAY_OF_MONTH = with_start_filter(
    r"(?<![\d月第编型])(?P<day>[1-9]|[12]\d|3[01])\s*号"
    r"(?=之前|以前|前|要|当天|必须|得|务必|就要|上线|交付|完成|领导)"
)
# "从6月1日起", "6月1日至…", "since the 12 May release": a start, not (by itself) a deadline.
_START_BEFORE = re.compile(r"(?:从|自|于|since|from|after)\s*(?:the\s+)?$", re.IGNORECASE)
_START_AFTER = re.compile(
    r"\s*(?:起|开始|以来|至|到(?![位货岗齐期])|—|–|-|~|～|through|until|to\b)", re.IGNORECASE
)


def _is_start(match: re.Match[str], text: str) -> bool:
    if _START_BEFORE.search(text[max(0, match.start() - 12) : match.start()]):
        return True
    return bool(_START_AFTER.match(text, match.end()) and not match["before"])


def _zh_month_deadline(match: re.Match[str], text: str, today: date) -> date | None:
    month = int(parse_number(match["month"]) or 0)
    if not 1 <= month <= 12:
        return None
    explicit = bool(match["part"] or match["before"] or match["day"] or match["year"])
    after = text[match.end() : match.end() + 8]
    if not explicit and not re.match(rf"\s*.{{0,4}}(?:{_DELIVERY_WORDS})", after):
        return None
    year_text = match["year"] or ""
    if year_text.startswith("明年"):
        year = today.year + 1
    elif year_text[:4].isdigit():
        year = int(year_text[:4])
    elif year_text == "今年":
        year = today.year
    else:
        year = _upcoming_year(today, month)
    if match["day"]:
        day = int(parse_number(match["day"]) or 1)
        if not year_text and month == today.month and day < today.day:
            return None  # "会议纪要（5月12日）": a day already past is an event, not a deadline
        return date(year, month, min(day, calendar.monthrange(year, month)[1]))
    if not match["part"] and (
        match["before"] or re.match(r"[^，。,.\d]{0,3}(?:之前|以前|前)", after)
    ):
        return _month_end(year, month - 1)
    part = match["part"] or ""
    if part in {"中", "中旬"}:
        return date(year, month, 15)
    if part in {"初", "上旬"}:
        return date(year, month, 10)
    return _month_end(year, month)


def _quarter_deadline(match: re.Match[str], today: date) -> date:
    current = (today.month - 1) // 3 + 1
    # "Q4之前" is strictly before the quarter: the end of the one before it.
    back = 3 if match["before"] and not match["part"] else 0
    if match["n"] or match["q"]:
        quarter = int(parse_number(match["n"] or match["q"]) or 1)
        if match["year"] == "明年":
            year = today.year + 1
        else:
            year = today.year if quarter >= current else today.year + 1
        return _month_end(year, quarter * 3 - back)
    ahead = 1 if match["which"].startswith("下") else 0
    return _month_end(today.year, (current + ahead) * 3 - back)


_EN_YEAR_END = CaselessScan(
    r"(?:by|before|until|till|at)?\s*(?:the\s+)?(?:end\s+of\s+(?:the\s+|this\s+)?year|year[-\s]end|end\s+of\s+next\s+year)",
    re.IGNORECASE,
)
_EN_QUARTER = CaselessScan(
    r"(?:by|before|in|until|for|during)?\s*(?:the\s+)?(?:end\s+of\s+)?(?:(?P<which>this|the|next)?\s*(?<![A-Za-z])quarter(?![a-z])|(?<![A-Za-z0-9])q(?P<q>[1-4])(?![0-9])(?:\s+(?P<year>20\d\d))?)",
    re.IGNORECASE,
    # Before "quarter" / "q3": at most "during" "the" "end of" "next" (18 letters).
    anchors=("quarter", "q1", "q2", "q3", "q4"),
    before=18,
)
_EN_MONTH_END = CaselessScan(
    r"(?:by|before|until)?\s*(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<next>next\s+)?month"
    r"|(?:by|before|until)\s+(?:the\s+)?month[-\s]end|(?:by|before|until|in)\s+next\s+month",
    re.IGNORECASE,
)
_EN_MONTH = CaselessScan(
    r"(?P<prep>by|before|until|till|in|end of|mid|early|late|for)\s+"
    r"(?:the\s+end\s+of\s+|mid-|end of )?"
    rf"(?P<month>{_MONTH_NAMES})\.?(?:\s+(?P<day>\d{{1,2}})(?!\d)(?:st|nd|rd|th)?)?(?:,?\s+(?P<year>20\d\d))?(?![a-z])"
    rf"|(?P<month2>{_MONTH_NAMES})\.?\s+(?P<day2>\d{{1,2}})(?!\d)(?:st|nd|rd|th)?(?:,?\s+(?P<year2>20\d\d))?"
    rf"|(?P<day3>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month3>{_MONTH_NAMES})(?:\s+(?P<year3>20\d\d))?(?![a-z])",
    re.IGNORECASE,
    # Before the month's name: at most "before" + "the end of" (14 letters), or "21st of".
    anchors=tuple(_MONTHS),
    before=14,
)
_ISO_DATE = with_start_filter(r"(?<!\d)(?P<y>20\d\d)[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)")
_EN_TOMORROW = CaselessScan(r"(?:by\s+)?(?:tomorrow|tmrw)(?![a-z])", re.IGNORECASE)
_EN_CHRISTMAS = CaselessScan(r"(?:before|by)\s+(?:christmas|xmas)", re.IGNORECASE)


def _en_deadlines(text: str, lowered: _Lowered, today: date) -> Iterator[Candidate]:
    for match in _scan(_EN_YEAR_END, text, lowered, ("end",), ("year",)):
        offset = 1 if "next" in match.group().lower() else 0
        yield _deadline(match.start(), date(today.year + offset, 12, 31), match.group())
    for match in _scan(_EN_QUARTER, text, lowered, ("quarter", "q1", "q2", "q3", "q4")):
        yield _deadline(match.start(), _en_quarter_deadline(match, today), match.group())
    for match in _scan(_EN_MONTH_END, text, lowered, ("month",), ("end", "next")):
        ahead = 1 if "next" in match.group().lower() else 0
        yield _deadline(match.start(), _month_end(today.year, today.month + ahead), match.group())
    for match in _scan(
        _EN_MONTH,
        text,
        lowered,
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    ):
        if _START_BEFORE.search(text[max(0, match.start() - 12) : match.start()]):
            continue  # "since the 12 May release"
        found = _en_month_deadline(match, today)
        if found:
            yield _deadline(match.start(), found, match.group())
    for match in _scan(_ISO_DATE, text, lowered, ("20",)):
        try:
            found = date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            continue
        yield _deadline(match.start(), found, match.group())
    for match in _scan(_EN_TOMORROW, text, lowered, ("tomorrow", "tmrw")):
        yield _deadline(match.start(), date.fromordinal(today.toordinal() + 1), match.group())
    for match in _scan(_EN_CHRISTMAS, text, lowered, ("mas",)):
        found = date(today.year, 12, 24)
        yield _deadline(
            match.start(), found if found >= today else date(today.year + 1, 12, 24), match.group()
        )


def _en_quarter_deadline(match: re.Match[str], today: date) -> date:
    current = (today.month - 1) // 3 + 1
    if match["q"]:
        quarter = int(match["q"])
        if match["year"]:
            return _month_end(int(match["year"]), quarter * 3)
        year = today.year if quarter >= current else today.year + 1
        return _month_end(year, quarter * 3)
    ahead = 1 if (match["which"] or "").lower() == "next" else 0
    return _month_end(today.year, (current + ahead) * 3)


def _en_month_deadline(match: re.Match[str], today: date) -> date | None:
    name = match["month"] or match["month2"] or match["month3"]
    month = _MONTHS[name.lower().rstrip(".")]
    if name.lower() == "may" and not (
        match["day"] or match["day2"] or match["day3"] or match["prep"]
    ):
        return None
    day_text = match["day"] or match["day2"] or match["day3"]
    year_text = match["year"] or match["year2"] or match["year3"]
    year = int(year_text) if year_text else _upcoming_year(today, month)
    if day_text:
        day = int(day_text)
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            return None
        if not year_text and month == today.month and day < today.day:
            return None  # "Minutes, 13 May": a day already past is an event, not a deadline
        return date(year, month, day)
    prep = (match["prep"] or "").lower()
    if prep == "before" and "end" not in match.group().lower():
        return _month_end(year, month - 1)
    if prep in {"mid", "mid-"}:
        return date(year, month, 15)
    if prep == "early":
        return date(year, month, 10)
    return _month_end(year, month)


_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
}  # fmt: skip
_WEEKDAY = CaselessScan(
    r"(?:(?P<en_next>next\s+)?(?:by|before|until)\s+(?P<en_next2>next\s+)?"
    r"(?P<en>monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"|(?:by|before|until)\s+(?:the\s+)?(?:end\s+of\s+)?(?P<en_week>next\s+week)"
    r"|(?P<zh_next>下)(?:个)?(?:周|星期|礼拜)(?P<zh>[一二三四五六日天])?(?:之前|以前|前)?)",
    re.IGNORECASE,
)


def _weekday_deadlines(text: str, lowered: _Lowered, today: date) -> Iterator[Candidate]:
    """ "by next Friday", "下周五前": that day of next week; "下周" / "next week": its Friday."""
    for match in _scan(
        _WEEKDAY, text, lowered, ("day", "week", "下"), ("by", "before", "until", "下")
    ):
        name = (match["en"] or match["zh"] or "").lower()
        next_week = any(match[group] for group in ("en_next", "en_next2", "zh_next", "en_week"))
        weekday = _WEEKDAYS.get(name, 4)
        if next_week:
            monday = today.toordinal() - today.weekday()
            found = date.fromordinal(monday + 7 + weekday)
        else:
            ahead = (weekday - today.weekday()) % 7 or 7
            found = date.fromordinal(today.toordinal() + ahead)
        yield _deadline(match.start(), found, match.group())


_FINDERS: tuple[Callable[[str, _Lowered, date], Iterator[Candidate]], ...] = (
    _zh_durations,
    _en_durations,
    _zh_deadlines,
    _en_deadlines,
    _weekday_deadlines,
)
