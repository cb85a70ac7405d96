"""Questions for findings and categories, from templates, in the language of the text."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache

from .lexicon import QuestionTemplate
from .model import SEVERITY_RANK, Language

MAX_QUESTIONS = 8
_MAX_PER_FINDING = 3
_MAX_PER_KIND = 3
_CATEGORY_RESERVE = 2


class QuestionBook:
    def __init__(self, templates: Iterable[QuestionTemplate]) -> None:
        self._by_term: dict[tuple[str, Language, str], list[str]] = defaultdict(list)
        self._by_variant: dict[tuple[str, Language, str], list[str]] = defaultdict(list)
        for template in templates:
            if template.variant == "term" and template.term:
                key = (template.subject, template.language, template.term.casefold())
                self._by_term[key].append(template.text)
            else:
                self._by_variant[(template.subject, template.language, template.variant)].append(
                    template.text
                )
        # The same words recur in message after message: their questions are looked up and
        # rendered once per book (bounded; safe to share between threads).
        self._rendered = lru_cache(maxsize=8192)(self._render)

    def for_finding(
        self, kind: str, term: str, language: Language, *, before_number: bool
    ) -> tuple[str, ...]:
        return self._rendered(kind, term, language, before_number)

    def _render(
        self, kind: str, term: str, language: Language, before_number: bool
    ) -> tuple[str, ...]:
        texts: list[str] | None = self._term_templates(kind, language, term)
        if not texts and before_number:
            texts = self._by_variant.get((kind, language, "number"))
        if not texts:
            texts = self._by_variant.get((kind, language, "default"), [])
        return tuple(dict.fromkeys(text.replace("{term}", term) for text in texts or []))[
            :_MAX_PER_FINDING
        ]

    def _term_templates(self, kind: str, language: Language, term: str) -> list[str]:
        """Templates of the term, else of its core word ("很慢", "反应慢", "really slow" → slow)."""
        folded = term.casefold()
        for key in (folded, _core_word(folded), *_suffixes(folded)):
            texts = self._by_term.get((kind, language, key))
            if texts:
                return texts
        return []

    def for_category(self, category: str, language: Language) -> tuple[str, ...]:
        return tuple(self._by_variant.get((f"category:{category}", language, "default"), []))


def top_questions(
    ranked_findings: Sequence[tuple[str, str, tuple[str, ...]]],
    category_questions: Sequence[str],
) -> tuple[str, ...]:
    """Most important first: high-severity findings, then the category's own questions.

    ``ranked_findings`` holds (kind, severity, questions) already in importance order.
    """
    chosen: list[str] = []
    per_kind: dict[str, int] = defaultdict(int)
    finding_budget = MAX_QUESTIONS - min(_CATEGORY_RESERVE, len(category_questions))
    for kind, _severity, questions in ranked_findings:
        for question in questions:
            if len(chosen) >= finding_budget or per_kind[kind] >= _MAX_PER_KIND:
                break
            if question not in chosen:
                chosen.append(question)
                per_kind[kind] += 1
    for question in category_questions:
        if len(chosen) >= MAX_QUESTIONS:
            break
        if question not in chosen:
            chosen.append(question)
    return tuple(chosen)


def severity_order(severity: str) -> int:
    return SEVERITY_RANK.get(severity, 3)


_DEGREE_WORDS = ("非常", "比较", "有点", "不够", "特别", "很", "太", "超", "挺", "较", "更", "变")


def _core_word(term: str) -> str:
    """ "很慢" and "慢了" share the templates of "慢"; "Slow" those of "slow"."""
    core = term.casefold()
    for word in _DEGREE_WORDS:
        if core.startswith(word) and len(core) > len(word):
            core = core[len(word) :]
            break
    return core[:-1] if len(core) > 1 and core.endswith(("了", "死")) else core


def _suffixes(term: str) -> list[str]:
    if term.isascii():
        words = term.split()
        return [" ".join(words[index:]) for index in range(1, len(words))]
    return [term[index:] for index in range(1, len(term))]
