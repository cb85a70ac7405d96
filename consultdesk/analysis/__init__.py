"""Text analysis for ConsultDesk: vague wording, record fields and a category, in zh and en.

Pure Python (never imports Django). Public API::

    analyze(text: str, *, today: date | None = None, engine: Engine | None = None) -> Analysis
    build_engine(extra_terms: Iterable[TermEntry] = (),
                 extra_questions: Iterable[QuestionTemplate] = (), *,
                 lexicon: Lexicon | None = None, cache_dir: Path | None = None) -> Engine
    Engine.analyze(text: str, *, today: date | None = None) -> Analysis
    Analysis.to_dict() -> dict   # JSON-ready, see docs/analysis.md
    load_default_lexicon() -> Lexicon

``analyze`` uses a default engine built once per process from the lexicons and question
templates shipped as YAML in ``lexicons/`` and ``templates/``. An installation adds its own
terms and questions at run time without code changes::

    engine = build_engine(
        extra_terms=[TermEntry(kind="hedge", language="zh", term="看情况")],
        extra_questions=[QuestionTemplate(subject="hedge", language="zh", variant="term",
                                          term="看情况", text="看什么情况？由谁决定？")],
    )
    engine.analyze("功能看情况再定", today=date(2026, 5, 15))

Build a new engine when the extras change (building costs about 0.1–0.2 s; the jieba
boundary dictionary is cached on disk and loaded only when a text needs it).
"""

from __future__ import annotations

from datetime import date
from functools import cache

from .engine import Engine, build_engine, detect_language
from .lexicon import Lexicon, QuestionTemplate, TermEntry, load_default_lexicon
from .model import (
    CATEGORIES,
    FINDING_KINDS,
    INDUSTRIES,
    Analysis,
    Budget,
    CategorySuggestion,
    Contact,
    Fields,
    Finding,
    OrgSize,
    Timeline,
)

__all__ = [
    "CATEGORIES",
    "FINDING_KINDS",
    "INDUSTRIES",
    "Analysis",
    "Budget",
    "CategorySuggestion",
    "Contact",
    "Engine",
    "Fields",
    "Finding",
    "Lexicon",
    "OrgSize",
    "QuestionTemplate",
    "TermEntry",
    "Timeline",
    "analyze",
    "build_engine",
    "default_engine",
    "detect_language",
    "load_default_lexicon",
]


@cache
def default_engine() -> Engine:
    """The engine built from the shipped lexicons, created on first use."""
    return build_engine()


def analyze(text: str, *, today: date | None = None, engine: Engine | None = None) -> Analysis:
    """Analyse one message. ``today`` anchors relative dates ("年底前"); default: date.today()."""
    return (engine or default_engine()).analyze(text, today=today)
