"""Record fields other than money and time: organisation size, contacts, systems, industry, role."""

from __future__ import annotations

import re
from collections import Counter

from .matching import HitSource, Tagged
from .model import Contact, OrgSize
from .numbers import CHINESE_NUMERAL_CHARS, parse_number
from .scanning import AnchoredScan, with_start_filter

# Both size patterns are scanned from their number (see scanning.AnchoredScan): the words
# before it are optional, and would otherwise be tried at every position.
_ZH_SIZE_SCAN = AnchoredScan(
    r"(?P<pre>上|近|不到|超过|将近|约|大约|大概)?",
    rf"(?P<a>\d[\d,]*|[{CHINESE_NUMERAL_CHARS}]+)"
    rf"(?:\s*(?:-|~|～|到|至)\s*(?P<b>\d[\d,]*|[{CHINESE_NUMERAL_CHARS}]+))?\s*(?P<wan>万)?(?P<more>多)?\s*"
    r"(?:个|名|位)?(?:员工|人|用户|学生|老师|医护人员|司机|会员|职工)",
)
_ZH_SIZE = _ZH_SIZE_SCAN.regex
_EN_SIZE_SCAN = AnchoredScan(
    r"(?P<pre>about|around|roughly|approximately|over|more than|nearly|almost|under|"
    r"fewer than|less than)?\s*",
    r"(?P<a>\d[\d,]*)(?:\s*(?:-|–|to)\s*(?P<b>\d[\d,]*))?\s*(?P<plus>\+)?\s*(?P<k>k)?\s*"
    r"(?:full-time\s+|active\s+|registered\s+|internal\s+)?"
    r"(?P<noun>employees|staff|people|users|students|members|workers|drivers|agents|seats|customers|nurses|teachers)",
    re.IGNORECASE,
)
_EN_SIZE = _EN_SIZE_SCAN.regex
_NOT_SIZE_BEFORE = ("每", "同时", "per", "每天", "每月")

_PHONE = with_start_filter(r"(?<![\d])(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)")
_LANDLINE = with_start_filter(
    r"(?<![\d-])(?:\(0\d{2,3}\)\s?|0\d{2,3}-)\d{7,8}(?:-\d{1,4})?(?![\d])"
)
_INTERNATIONAL = with_start_filter(
    r"(?<![\w+])\+(?!86)\d{1,3}[\s-]?\(?\d{1,4}\)?(?:[\s-]?\d{2,4}){2,4}(?!\d)"
)
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}"
)
_WECHAT = re.compile(
    r"(?:微信号?|vx|VX|wx|WX|V信|WeChat(?:\s*ID)?|Wechat(?:\s*ID)?|wechat(?:\s*id)?)\s*(?:是|为|号)?\s*[:：]?\s*"
    r"(?P<id>[A-Za-z][-_A-Za-z0-9]{5,19})(?![-_A-Za-z0-9])"
)
_SELF_INTRODUCTION = re.compile(
    r"(?:我是|本人是|我是公司的|我是我们的|我这边是|作为|I am|I'm|I’m|as the|as our|this is)\s*"
    r"(?:the |our |a |an |贵司的|公司的|咱们的)?",
    re.IGNORECASE,
)


def extract_org_size(text: str) -> OrgSize | None:
    for match in _ZH_SIZE_SCAN.finditer(text):
        if text[max(0, match.start() - 2) : match.start()].endswith(_NOT_SIZE_BEFORE):
            continue
        size = _size_from(
            match["a"], match["b"], match["pre"], bool(match["more"]), 10_000 if match["wan"] else 1
        )
        if size:
            return OrgSize(size[0], size[1], match.group().strip())
    for match in _EN_SIZE_SCAN.finditer(text):
        if re.search(
            r"(?:per|concurrent|a day|daily)\s*$",
            text[max(0, match.start() - 12) : match.start()],
            re.I,
        ):
            continue
        size = _size_from(
            match["a"], match["b"], match["pre"], bool(match["plus"]), 1000 if match["k"] else 1
        )
        if size:
            return OrgSize(size[0], size[1], match.group().strip())
    return None


def _size_from(
    first: str, second: str | None, qualifier: str | None, open_above: bool, factor: int
) -> tuple[int | None, int | None] | None:
    low = parse_number(first)
    if low is None or low < 2:
        return None
    low_value = int(low * factor)
    high_value = int((parse_number(second) or low) * factor) if second else low_value
    prefix = (qualifier or "").lower()
    if prefix in {"不到", "under", "fewer than", "less than", "nearly", "almost", "近", "将近"}:
        return None, low_value
    if prefix in {"上", "超过", "over", "more than"} or open_above:
        return low_value, None
    return low_value, high_value


def extract_contacts(text: str) -> tuple[Contact, ...]:
    found: list[tuple[int, Contact]] = []
    for regex in (_PHONE, _LANDLINE, _INTERNATIONAL):
        found += [
            (m.start(), Contact("phone", re.sub(r"[\s]", "", m.group())))
            for m in regex.finditer(text)
        ]
    if "@" in text:  # every e-mail address has one; most messages none
        found += [(m.start(), Contact("email", m.group())) for m in _EMAIL.finditer(text)]
    found += [(m.start("id"), Contact("wechat", m["id"])) for m in _WECHAT.finditer(text)]
    unique: dict[tuple[str, str], Contact] = {}
    for _, contact in sorted(found, key=lambda item: item[0]):
        unique.setdefault((contact.kind, contact.value), contact)
    return tuple(unique.values())


def extract_systems(text: str, matcher: HitSource[Tagged]) -> tuple[str, ...]:
    hits = sorted(matcher.hits(text), key=lambda hit: hit.start)
    return tuple(dict.fromkeys(tag.label for hit in hits for tag in hit.payloads))


def extract_industry(text: str, matcher: HitSource[Tagged]) -> str | None:
    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    for hit in matcher.hits(text):
        for industry in (tag.label for tag in hit.payloads):
            counts[industry] += 1
            first_seen[industry] = min(first_seen.get(industry, hit.start), hit.start)
    if not counts:
        return None
    return min(counts, key=lambda industry: (-counts[industry], first_seen[industry]))


def extract_contact_role(text: str, matcher: HitSource[Tagged]) -> str | None:
    """The writer's role when they state it ("我是技术负责人", "— Jane, CTO")."""
    hits = sorted(matcher.hits(text), key=lambda hit: hit.start)
    for hit in hits:
        before = text[max(0, hit.start - 16) : hit.start]
        if _SELF_INTRODUCTION.search(before) and len(before) - _last_intro_end(before) <= 8:
            return hit.payloads[0].label
    tail_start = max(0, len(text) - 60)
    signature = [
        hit for hit in hits if hit.start >= tail_start and _looks_like_signature(text, hit.start)
    ]
    return signature[-1].payloads[0].label if signature else None


def _last_intro_end(before: str) -> int:
    ends = [match.end() for match in _SELF_INTRODUCTION.finditer(before)]
    return ends[-1] if ends else -100


def _looks_like_signature(text: str, start: int) -> bool:
    line_start = max(
        text.rfind("\n", 0, start), text.rfind("—", 0, start), text.rfind("-", 0, start)
    )
    prefix = text[line_start + 1 : start]
    return line_start >= 0 and len(prefix) <= 24 and not re.search(r"[。.!?！？]", prefix)
