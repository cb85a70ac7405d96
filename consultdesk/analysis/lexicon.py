"""Lexicons and question templates: data files shipped in the package, plus run-time extras.

Everything a team may want to change lives in ``lexicons/*.yaml`` and ``templates/*.yaml``;
this module only turns those files into typed, immutable records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, cast

import yaml

from .model import CATEGORIES, FINDING_KINDS, Language, Severity

_LANGUAGES: tuple[Language, ...] = ("zh", "en")


@dataclass(frozen=True)
class TermEntry:
    """One vague or risky term (or regular expression) and the finding kind it signals."""

    kind: str
    language: Language
    term: str | None = None
    pattern: str | None = None
    severity: Severity | None = None
    needs_number_after: bool = False
    needs_number_before: bool = False
    not_followed_by: str = ""
    not_preceded_by: str = ""

    def __post_init__(self) -> None:
        if self.kind not in FINDING_KINDS:
            raise ValueError(f"unknown finding kind {self.kind!r}")
        if (self.term is None) == (self.pattern is None):
            raise ValueError("a term entry needs exactly one of term or pattern")
        if self.term is not None and not self.term.strip():
            raise ValueError("a term must not be blank")


@dataclass(frozen=True)
class QuestionTemplate:
    """A question for a finding kind (optionally only for one matched term) or a category.

    ``subject`` is a finding kind or ``"category:<value>"``; ``variant`` is ``"default"``,
    ``"number"`` (hedges before a number) or ``"term"`` (then ``term`` is set).
    """

    subject: str
    language: Language
    text: str
    variant: str = "default"
    term: str | None = None


@dataclass(frozen=True)
class WeightedWord:
    label: str
    word: str
    weight: float = 1.0


@dataclass(frozen=True)
class Lexicon:
    terms: tuple[TermEntry, ...]
    kind_severity: Mapping[str, Severity]
    questions: tuple[QuestionTemplate, ...]
    category_words: tuple[WeightedWord, ...]
    industry_words: tuple[WeightedWord, ...]
    system_aliases: tuple[WeightedWord, ...]
    role_words: tuple[WeightedWord, ...]
    user_words: tuple[str, ...] = field(default=())

    def extended(
        self,
        extra_terms: Iterable[TermEntry] = (),
        extra_questions: Iterable[QuestionTemplate] = (),
    ) -> Lexicon:
        """A copy with installation-specific terms and questions added (extras win)."""
        extra_term_tuple = tuple(extra_terms)
        extra_keys = {_term_key(entry) for entry in extra_term_tuple}
        kept = tuple(entry for entry in self.terms if _term_key(entry) not in extra_keys)
        return Lexicon(
            terms=kept + extra_term_tuple,
            kind_severity=self.kind_severity,
            questions=tuple(extra_questions) + self.questions,
            category_words=self.category_words,
            industry_words=self.industry_words,
            system_aliases=self.system_aliases,
            role_words=self.role_words,
            user_words=self.user_words,
        )


def _term_key(entry: TermEntry) -> str:
    return (entry.term or entry.pattern or "").casefold()


# libyaml's parser when PyYAML was built with it (~10x faster: start-up reads ~3,000 lines);
# the constructor and resolver are the same Python classes either way, so the data is too.
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(folder: str, name: str) -> Any:
    text = resources.files(__package__).joinpath(folder, name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader


def _read_lines(folder: str, name: str) -> tuple[str, ...]:
    text = resources.files(__package__).joinpath(folder, name).read_text(encoding="utf-8")
    return tuple(line.split()[0] for line in text.splitlines() if line.strip() and line[0] != "#")


def _term_entries(kind: str, raw: Mapping[str, Any]) -> Iterable[TermEntry]:
    for language in _LANGUAGES:
        for item in raw.get(language) or ():
            if isinstance(item, str):
                yield TermEntry(kind=kind, language=language, term=item)
            else:
                yield TermEntry(kind=kind, language=language, **cast(dict[str, Any], item))


def _question_templates(raw: Mapping[str, Any]) -> Iterable[QuestionTemplate]:
    for kind, by_language in (raw.get("findings") or {}).items():
        for language, spec in by_language.items():
            for variant in ("default", "number"):
                for text in spec.get(variant) or ():
                    yield QuestionTemplate(kind, language, text, variant=variant)
            for term, texts in (spec.get("terms") or {}).items():
                for text in texts:
                    yield QuestionTemplate(kind, language, text, variant="term", term=str(term))
    for category, by_language in (raw.get("categories") or {}).items():
        if category not in CATEGORIES:
            raise ValueError(f"unknown category {category!r} in question templates")
        for language, texts in by_language.items():
            for text in texts:
                yield QuestionTemplate(f"category:{category}", language, text)


def _category_words(raw: Mapping[str, Any]) -> Iterable[WeightedWord]:
    for category, spec in raw.items():
        for language in _LANGUAGES:
            for word in spec.get(language) or ():
                yield WeightedWord(category, str(word), 1.0)
            for word in (spec.get("strong") or {}).get(language) or ():
                yield WeightedWord(category, str(word), 2.0)


def _labelled_words(raw: Mapping[str, Any]) -> Iterable[WeightedWord]:
    for label, spec in raw.items():
        words = spec if isinstance(spec, list) else [w for lang in _LANGUAGES for w in spec[lang]]
        for word in words:
            yield WeightedWord(str(label), str(word))


@cache
def load_default_lexicon() -> Lexicon:
    """The lexicon shipped with the package (read once per process)."""
    raw_findings = _read_yaml("lexicons", "findings.yaml")
    terms = tuple(
        entry for kind, spec in raw_findings.items() for entry in _term_entries(kind, spec)
    )
    return Lexicon(
        terms=terms,
        kind_severity={kind: spec["severity"] for kind, spec in raw_findings.items()},
        questions=tuple(_question_templates(_read_yaml("templates", "questions.yaml"))),
        category_words=tuple(_category_words(_read_yaml("lexicons", "categories.yaml"))),
        industry_words=tuple(_labelled_words(_read_yaml("lexicons", "industries.yaml"))),
        system_aliases=tuple(_labelled_words(_read_yaml("lexicons", "systems.yaml"))),
        role_words=tuple(_labelled_words(_read_yaml("lexicons", "roles.yaml"))),
        user_words=_read_lines("lexicons", "userdict.txt"),
    )
