"""The analysis engine: lexicons compiled once, then applied to any number of texts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from .budget import extract_budget
from .category import has_measurable_target, suggest_category
from .detector import FindingDetector, RawFinding
from .fields import (
    extract_contact_role,
    extract_contacts,
    extract_industry,
    extract_org_size,
    extract_systems,
)
from .lexicon import Lexicon, QuestionTemplate, TermEntry, load_default_lexicon
from .matching import Hit, KnownHits, Tagged, Vocabulary
from .model import Analysis, Fields, Finding, Language
from .questions import QuestionBook, severity_order, top_questions
from .segmentation import BoundaryChecker
from .timeline import extract_timeline

# Runs, not single characters: the counts are the same, the lists far shorter.
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_LETTER = re.compile(r"[A-Za-z]+")
# Markup and addresses are masked with spaces of the same length, so offsets stay valid
# while "<div class=fast>" or "https://x.com/slow-page" produce no findings.
_MARKUP = re.compile(r"<[^<>]{0,500}>|&[#\w]{1,10};|(?:https?://|www\.)[^\s<>\"'，。]{1,500}")


class Engine:
    """Compiled lexicons and templates. Thread-safe; build once, call ``analyze`` often."""

    def __init__(self, lexicon: Lexicon, *, cache_dir: Path | None = None) -> None:
        self.lexicon = lexicon
        ambiguous = {
            entry.term
            for entry in lexicon.terms
            if entry.term and len(entry.term) == 1 and not entry.term.isascii()
        }
        ambiguous |= {
            w.word for w in lexicon.category_words if len(w.word) == 1 and not w.word.isascii()
        }
        self._boundary = BoundaryChecker(ambiguous, lexicon.user_words, cache_dir)
        self._detector = FindingDetector(lexicon.terms, dict(lexicon.kind_severity), self._boundary)
        self._questions = QuestionBook(lexicon.questions)
        self._vocabulary = Vocabulary(
            (word.word, Tagged(name, word.label, word.weight))
            for name, words in (
                ("category", lexicon.category_words),
                ("industry", lexicon.industry_words),
                ("system", lexicon.system_aliases),
                ("role", lexicon.role_words),
            )
            for word in words
        )

    def analyze(self, text: str, *, today: date | None = None) -> Analysis:
        text = _as_text(text)
        # The local calendar day, as date.today() gives it (timezone-aware for the linter).
        today = today or datetime.now().astimezone().date()
        visible = _MARKUP.sub(lambda match: " " * len(match.group()), text)
        language = detect_language(visible)
        raw_findings = self._detector.detect(visible)
        findings = tuple(self._finding(raw, text, language) for raw in raw_findings)
        vocabulary = self._vocabulary.split(visible)
        category = suggest_category(visible, KnownHits(vocabulary.get("category", [])))
        ranked = sorted(findings, key=lambda f: (severity_order(f.severity), f.start))
        questions = top_questions(
            [(f.kind, f.severity, f.questions) for f in ranked],
            self._questions.for_category(category.value, language),
        )
        means = any(f.kind == "means_as_goal" for f in findings)
        return Analysis(
            language=language,
            findings=findings,
            fields=self._fields(text, visible, language, today, vocabulary),
            category=category,
            goal_is_means=means and not has_measurable_target(visible),
            questions=questions,
        )

    def _finding(self, raw: RawFinding, text: str, language: Language) -> Finding:
        questions = self._questions.for_finding(
            raw.kind, raw.term, language, before_number=raw.before_number
        )
        return Finding(
            raw.kind, raw.start, raw.end, text[raw.start : raw.end], raw.severity, questions
        )

    def _fields(
        self,
        text: str,
        visible: str,
        language: Language,
        today: date,
        vocabulary: dict[str, list[Hit[Tagged]]],
    ) -> Fields:
        return Fields(
            budget=extract_budget(visible, language),
            timeline=extract_timeline(visible, today),
            org_size=extract_org_size(visible),
            industry=extract_industry(visible, KnownHits(vocabulary.get("industry", []))),
            systems=extract_systems(visible, KnownHits(vocabulary.get("system", []))),
            contacts=extract_contacts(text),
            contact_role=extract_contact_role(visible, KnownHits(vocabulary.get("role", []))),
        )


def _as_text(text: object) -> str:
    if isinstance(text, str):
        return text
    if isinstance(text, bytes | bytearray):
        return bytes(text).decode("utf-8", errors="replace")
    return "" if text is None else str(text)


def detect_language(text: str) -> Language:
    """Chinese when Chinese characters carry at least a fifth of the letters' weight."""
    sample = text[:20_000]
    chinese = sum(map(len, _CJK.findall(sample)))
    latin = sum(map(len, _LATIN_LETTER.findall(sample)))
    # A Chinese character carries about as much as a short English word (~4 letters).
    return "zh" if chinese and chinese * 4 >= latin * 0.5 else "en"


def build_engine(
    extra_terms: Iterable[TermEntry] = (),
    extra_questions: Iterable[QuestionTemplate] = (),
    *,
    lexicon: Lexicon | None = None,
    cache_dir: Path | None = None,
) -> Engine:
    """An engine with the shipped lexicon (or ``lexicon``) plus installation extras."""
    base = lexicon or load_default_lexicon()
    return Engine(base.extended(extra_terms, extra_questions), cache_dir=cache_dir)
