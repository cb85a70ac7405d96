"""Budget extraction: amounts, ranges and caps with their currency."""

from __future__ import annotations

import re

from .model import Budget, Language
from .numbers import NUMBER_PATTERN, parse_number
from .scanning import AnchoredScan

_UNIT = r"(?:百万|千万|万|亿|千|[kK](?![a-zA-Z])|[mM](?![a-zA-Z])|million|thousand|mn)"
_CURRENCY_BEFORE = r"(?:US\$|HK\$|[¥￥$€]|USD|EUR|HKD|RMB|CNY)"
_CURRENCY_AFTER = (
    r"(?:万元|元|块钱|块|美元|美金|欧元|港币|港元|人民币|USD|EUR|HKD|RMB|CNY|dollars|euros|bucks)"
)
_RANGE = r"\s*(?:-|~|～|—|–|到|至|to|and)\s*"
_CAP_BEFORE = (
    r"(?:不超过|不能超过|不要超过|别超过|不得超过|不超|不高于|最多|最高|上限|控制在|封顶|至多|"
    r"under|up to|max(?:imum)?|"
    r"no more than|not more than|less than|below|within|capped at|cap of|ceiling of)"
)
_FLOOR_BEFORE = r"(?:至少|最少|不低于|起码|at least|over|above|more than|minimum of|from)"
_CAP_AFTER = r"(?:以内|以下|之内|封顶|上限|max|or less|tops)"
_FLOOR_AFTER = r"(?:以上|起|起步|or more|plus|\+)"

# The words and currency before the number are optional, so the plain pattern would be tried
# at every position; the scan finds the number first (see scanning.AnchoredScan).
_AMOUNT_SCAN = AnchoredScan(
    rf"(?P<pre>{_CAP_BEFORE}|{_FLOOR_BEFORE})?\s*(?P<cur1>{_CURRENCY_BEFORE})?\s*",
    rf"(?P<a>{NUMBER_PATTERN})\s*(?P<ua>{_UNIT})?"
    rf"(?:{_RANGE}(?P<cur1b>{_CURRENCY_BEFORE})?\s*(?P<b>{NUMBER_PATTERN})\s*(?P<ub>{_UNIT})?)?"
    rf"\s*(?P<cur2>{_CURRENCY_AFTER})?\s*(?P<post>{_CAP_AFTER}|{_FLOOR_AFTER})?",
    re.IGNORECASE,
)
_AMOUNT = _AMOUNT_SCAN.regex
_BUDGET_WORDS = re.compile(
    r"预算|费用|报价|投入|成本|资金|价格|经费|花费|budget|cost|spend|price|fund|investment|quote|pay",
    re.IGNORECASE,
)
# A count, not money: "30万用户", "50k users".
_NOT_MONEY_AFTER = re.compile(
    r"\s*(?:多)?(?:人|名|位|用户|条|次|行|个|台|家|户|笔|单|件|字|张|份|辆|平|元素|"
    r"users|employees|people|records|rows|orders|units|visits|members|requests|lines|"
    r"transactions|customers|students|sku|items|devices|words)",
    re.IGNORECASE,
)
_UNIT_FACTORS = {
    "万": 1e4, "百万": 1e6, "千万": 1e7, "亿": 1e8, "千": 1e3, "k": 1e3, "m": 1e6,
    "million": 1e6, "thousand": 1e3, "mn": 1e6,
}  # fmt: skip
_CURRENCY_CODES = {
    "$": "USD", "us$": "USD", "usd": "USD", "美元": "USD", "美金": "USD", "dollars": "USD",
    "bucks": "USD", "€": "EUR", "eur": "EUR", "欧元": "EUR", "euros": "EUR",
    "hk$": "HKD", "hkd": "HKD", "港币": "HKD", "港元": "HKD",
}  # fmt: skip
_SPOKEN_RANGES = {
    "一两": (1, 2), "两三": (2, 3), "三四": (3, 4), "四五": (4, 5), "五六": (5, 6),
    "六七": (6, 7), "七八": (7, 8), "八九": (8, 9), "三五": (3, 5), "二三": (2, 3),
}  # fmt: skip
_SPOKEN_TENS = {"十": 10, "百": 100, "千": 1000}
_CAPS = re.compile(rf"^(?:{_CAP_BEFORE}|{_CAP_AFTER})$", re.IGNORECASE)


def extract_budget(text: str, language: Language) -> Budget | None:
    for match in _AMOUNT_SCAN.finditer(text):
        if _is_budget(text, match):
            return _budget_from(match, language)
    return None


def _is_budget(text: str, match: re.Match[str]) -> bool:
    if parse_number(match["a"]) is None or _NOT_MONEY_AFTER.match(text, match.end()):
        return False
    if match["b"] and _NOT_MONEY_AFTER.match(text, match.end("b")):
        return False
    has_currency = bool(match["cur1"] or match["cur1b"] or match["cur2"])
    near = text[max(0, match.start() - 40) : match.end() + 12]
    if text[match.end() : match.end() + 1] == "的" and not _BUDGET_WORDS.search(near):
        return False  # "金额超过5万元的采购单" describes something, it is not a budget
    if has_currency:
        # "消费1元积1分" is a price rule, not a budget: small bare sums need a budget word.
        return bool(
            match["ua"] or match["ub"] or _looks_like_amount(match) or _BUDGET_WORDS.search(near)
        )
    if not (match["ua"] or match["ub"]):
        return False
    if (match["pre"] or match["post"]) and (match["ua"] or "") in {"万", "千", "百万", "千万"}:
        return True  # "五十万以内" is money unless a count word follows (checked above)
    return bool(_BUDGET_WORDS.search(near))


def _looks_like_amount(match: re.Match[str]) -> bool:
    value = parse_number(match["a"]) or 0.0
    return value >= 1000


def _budget_from(match: re.Match[str], language: Language) -> Budget:
    unit_a, unit_b = match["ua"], match["ub"]
    # "30-50万", "三十到五十万": the unit written once applies to both ends.
    first = _amount(match["a"], unit_a or unit_b)
    second = _amount(match["b"], unit_b or unit_a) if match["b"] else None
    spoken, tens = match["a"][:2], match["a"][2:]
    if second is None and spoken in _SPOKEN_RANGES and (not tens or tens in _SPOKEN_TENS):
        # "两三万" is spoken Chinese for a range: 20,000 to 30,000; so is "二三十万"
        # (200,000 to 300,000) and "一两百万" (1 to 2 million).
        low, high = _SPOKEN_RANGES[spoken]
        scale = _SPOKEN_TENS.get(tens, 1)
        factor = _amount("1", unit_a or unit_b)
        first, second = round(low * scale * factor, 2), round(high * scale * factor, 2)
    qualifier = (match["pre"] or match["post"] or "").strip()
    if second is not None:
        minimum, maximum = sorted((first, second))
    elif qualifier and _CAPS.match(qualifier):
        minimum, maximum = None, first
    elif qualifier:
        minimum, maximum = first, None
    else:
        minimum, maximum = first, first
    return Budget(minimum, maximum, _currency(match, language), match.group().strip())


def _amount(number: str, unit: str | None) -> float:
    value = parse_number(number) or 0.0
    factor = _UNIT_FACTORS.get(unit.lower(), 1.0) if unit else 1.0
    return round(value * factor, 2)


def _currency(match: re.Match[str], language: Language) -> str:
    for marker in (match["cur1"], match["cur1b"], match["cur2"]):
        if marker and marker.lower() in _CURRENCY_CODES:
            return _CURRENCY_CODES[marker.lower()]
    if any(marker for marker in (match["cur1"], match["cur2"])):
        return "CNY"  # ¥, 元, RMB, CNY, 块
    if match["ua"] in {"万", "亿", "千万", "百万"} or match["ub"] in {"万", "亿"}:
        return "CNY"
    return "CNY" if language == "zh" else "USD"
