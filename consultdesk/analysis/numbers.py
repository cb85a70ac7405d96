"""Numbers written in Arabic digits, Chinese numerals or English words.

A deliberately small parser: cn2an would do, but importing it costs about 0.2 s of the
1.5 s cold-start budget, and the analysis only needs whole numbers up to 亿 plus decimals.
Ranges ("三十到五十万") are handled by the callers, which carry the unit to both ends.
"""

from __future__ import annotations

CHINESE_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
CHINESE_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
CHINESE_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
CHINESE_NUMERAL_CHARS = "".join(CHINESE_DIGITS) + "".join(CHINESE_SMALL_UNITS)

ENGLISH_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "a couple of": 2, "a few": 3, "couple of": 2,
}  # fmt: skip

NUMBER_PATTERN = (
    r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    r"|[零〇一二两三四五六七八九十百千]+(?:点[零一二三四五六七八九]+)?)"
)


def parse_number(text: str) -> float | None:
    """Value of ``text`` ("30", "1,200.5", "三十五", "一千二百", "2.5", "半"), else None."""
    cleaned = text.strip().replace(",", "")
    if not cleaned:
        return None
    try:
        return float(cleaned)
    except ValueError:
        pass
    if cleaned == "半":
        return 0.5
    if cleaned.lower() in ENGLISH_NUMBERS:
        return float(ENGLISH_NUMBERS[cleaned.lower()])
    whole, _, fraction = cleaned.partition("点")
    integer = _parse_chinese_integer(whole)
    if integer is None:
        return None
    value = float(integer)
    if fraction:
        digits = [CHINESE_DIGITS.get(char) for char in fraction]
        if any(digit is None for digit in digits):
            return None
        value += float("0." + "".join(str(digit) for digit in digits))
    return value


def _parse_chinese_integer(text: str) -> int | None:
    if not text:
        return None
    if len(text) > 1 and all(char in CHINESE_DIGITS for char in text):
        # Digit by digit, as in years: "二零二六".
        return int("".join(str(CHINESE_DIGITS[char]) for char in text))
    total = section = 0
    digit: int | None = None
    for char in text:
        if char in CHINESE_DIGITS:
            digit = CHINESE_DIGITS[char]
        elif char in CHINESE_SMALL_UNITS:
            section += (1 if digit is None else digit) * CHINESE_SMALL_UNITS[char]
            digit = None
        elif char in CHINESE_BIG_UNITS:
            total += (section + (digit or 0)) * CHINESE_BIG_UNITS[char]
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)
