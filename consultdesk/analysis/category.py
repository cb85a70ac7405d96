"""Category suggestion and the "goal is a means" judgement."""

from __future__ import annotations

import re
from collections import defaultdict

from .matching import HitSource, Tagged
from .model import CategorySuggestion
from .numbers import CHINESE_NUMERAL_CHARS
from .scanning import CaselessScan, lowered_for_gates

_MINIMUM_SCORE = 1.0
_TIE_ORDER = ("new_technology", "architecture_refactoring", "feature_optimisation", "unclear")
_NUMBER = rf"(?:\d+(?:\.\d+)?|[{CHINESE_NUMERAL_CHARS}]+)"
# A problem with a measurable target: "降到5%以下", "3秒内打开", "reduce ... by 30%".
_MEASURABLE_TARGET = CaselessScan(
    rf"{_NUMBER}\s*(?:%|％|percent\b)|百分之|"
    rf"(?:降到|降低到|降至|缩短到|缩短至|提升到|提高到|提升至|低于|少于|减少|提升|提高|"
    rf"reduce\w*|cut|increase\w*|improve\w*|bring|get|lower|raise|below|under|less than|at least)"
    rf"[^，。,.;；]{{0,30}}?{_NUMBER}\s*(?:%|秒|毫秒|分钟|小时|天|ms|seconds?|minutes?|hours?|days?|次|单|笔|件)|"
    rf"(?:从|from)\s*{_NUMBER}[^，。,.;；]{{0,16}}(?:到|降到|缩短到|提升到|to)\s*{_NUMBER}|"
    rf"{_NUMBER}\s*(?:秒|毫秒|分钟|seconds?|ms|minutes?)\s*(?:内|以内|之内|or less)|"
    # "目标3天", "target is 3 days", "中断不能超过5分钟", "准确率达到95%"; halving or doubling.
    rf"(?:目标|target|goal|超过|不超过|达到|控制在)[^，。,.;；]{{0,12}}?{_NUMBER}\s*"
    rf"(?:%|秒|毫秒|分钟|小时|天|ms|seconds?|minutes?|hours?|days?)|"
    rf"(?:减少|降低|缩短|提升|提高|增加)[^，。,.;；]{{0,8}}?(?:一半|一倍|两倍|[一二三四五六七八九]成)|"
    rf"减半|翻倍|翻一番|\b(?:halve|double)\b|"
    # a grade to reach: "评上电子病历五级", "通过等保三级"
    rf"(?:评上|评到|达到|通过|拿到|升到)[^，。,.;；]{{0,8}}?[一二三四五六七八九\d]\s*级",
    re.IGNORECASE,
)


def suggest_category(text: str, matcher: HitSource[Tagged]) -> CategorySuggestion:
    scores: dict[str, float] = defaultdict(float)
    evidence: dict[str, list[str]] = defaultdict(list)
    for hit in sorted(matcher.hits(text), key=lambda hit: hit.start):
        word = text[hit.start : hit.end]
        # A word listed several times (zh and en lists, plain and strong) counts once, at
        # its strongest weight.
        weights: dict[str, float] = {}
        for tag in hit.payloads:
            weights[tag.label] = max(weights.get(tag.label, 0.0), tag.weight)
        for category, weight in weights.items():
            if word in evidence[category]:
                continue  # a word repeated is one piece of evidence, not several
            scores[category] += weight
            evidence[category].append(word)
    if not scores or max(scores.values()) < _MINIMUM_SCORE:
        return CategorySuggestion("unclear", 0.0)
    # On a tie the more specific category wins: technology and architecture words are rarer
    # than the everyday words of feature work ("客服", "体验").
    ranked = sorted(scores, key=lambda category: (-scores[category], _TIE_ORDER.index(category)))
    best = ranked[0]
    total = sum(scores.values())
    # Share of the evidence, discounted when there is little of it at all.
    confidence = (scores[best] / total) * min(1.0, scores[best] / 3.0)
    return CategorySuggestion(best, round(confidence, 2), tuple(evidence[best][:8]))


def has_measurable_target(text: str) -> bool:
    return next(_MEASURABLE_TARGET.finditer(text, lowered_for_gates(text)), None) is not None
