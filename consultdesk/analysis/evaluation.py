"""Scoring the engine against a labelled corpus (consultdesk/analysis/corpus/*.yaml).

A predicted finding counts as correct when it overlaps a gold span of the same kind; a gold
span counts as found when some prediction of the same kind overlaps it. Fields are scored
over every message, so a budget invented where the client named none is an error too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from . import Engine, analyze
from .model import FINDING_KINDS, Analysis

TARGETS = {
    "finding_recall": 0.90,
    "finding_precision": 0.85,
    "budget": 0.95,
    "timeline": 0.95,
    "category": 0.85,
    "goal_is_means": 0.90,
}


@dataclass(frozen=True)
class GoldSpan:
    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class LabelledMessage:
    id: str
    text: str
    today: date
    spans: tuple[GoldSpan, ...]
    budget: Mapping[str, Any] | None
    timeline: Mapping[str, Any] | None
    category: str
    goal_is_means: bool


@dataclass
class KindScore:
    predicted: int = 0
    predicted_correct: int = 0
    gold: int = 0
    gold_found: int = 0

    @property
    def precision(self) -> float:
        return self.predicted_correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.gold_found / self.gold if self.gold else 1.0


@dataclass
class Report:
    name: str
    messages: int = 0
    kinds: dict[str, KindScore] = field(default_factory=lambda: defaultdict(KindScore))
    correct: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: list[str] = field(default_factory=list)

    @property
    def overall(self) -> KindScore:
        total = KindScore()
        for score in self.kinds.values():
            total.predicted += score.predicted
            total.predicted_correct += score.predicted_correct
            total.gold += score.gold
            total.gold_found += score.gold_found
        return total

    def accuracy(self, name: str) -> float:
        return self.correct[name] / self.messages if self.messages else 1.0

    def metrics(self) -> dict[str, float]:
        overall = self.overall
        values = {"finding_recall": overall.recall, "finding_precision": overall.precision}
        values.update(
            {
                name: self.accuracy(name)
                for name in ("budget", "timeline", "category", "goal_is_means")
            }
        )
        return values

    def meets_targets(self) -> bool:
        return all(self.metrics()[name] >= target for name, target in TARGETS.items())


def default_corpus_dir() -> Path:
    return Path(str(resources.files(__package__).joinpath("corpus")))


def corpus_files(path: Path) -> list[Path]:
    return sorted(path.glob("*.yaml")) if path.is_dir() else [path]


def load_corpus(path: Path) -> list[LabelledMessage]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    today = raw["today"]
    return [_labelled(item, today) for item in raw["messages"]]


def _labelled(item: Mapping[str, Any], today: date) -> LabelledMessage:
    text = item["text"]
    return LabelledMessage(
        id=str(item["id"]),
        text=text,
        today=today,
        spans=tuple(_gold_spans(text, item.get("findings") or [], str(item["id"]))),
        budget=item.get("budget"),
        timeline=item.get("timeline"),
        category=item.get("category", "unclear"),
        goal_is_means=bool(item.get("goal_is_means", False)),
    )


def _gold_spans(text: str, labels: Iterable[Sequence[Any]], message_id: str) -> Iterable[GoldSpan]:
    for label in labels:
        kind, substring = str(label[0]), str(label[1])
        occurrence = int(label[2]) if len(label) > 2 else 1
        if kind not in FINDING_KINDS:
            raise ValueError(f"{message_id}: unknown kind {kind!r}")
        start = -1
        for _ in range(occurrence):
            start = text.find(substring, start + 1)
            if start < 0:
                raise ValueError(
                    f"{message_id}: {substring!r} (occurrence {occurrence}) not in text"
                )
        yield GoldSpan(kind, start, start + len(substring))


def evaluate(
    messages: Iterable[LabelledMessage], name: str, engine: Engine | None = None
) -> Report:
    report = Report(name)
    for message in messages:
        result = analyze(message.text, today=message.today, engine=engine)
        report.messages += 1
        _score_findings(report, message, result)
        _score_fields(report, message, result)
    return report


def _score_findings(report: Report, message: LabelledMessage, result: Analysis) -> None:
    for finding in result.findings:
        score = report.kinds[finding.kind]
        score.predicted += 1
        if any(_overlaps(finding.kind, finding.start, finding.end, gold) for gold in message.spans):
            score.predicted_correct += 1
        else:
            report.errors.append(f"{message.id}: extra {finding.kind} {finding.text!r}")
    for gold in message.spans:
        score = report.kinds[gold.kind]
        score.gold += 1
        if any(_overlaps(f.kind, f.start, f.end, gold) for f in result.findings):
            score.gold_found += 1
        else:
            report.errors.append(
                f"{message.id}: missed {gold.kind} {message.text[gold.start : gold.end]!r}"
            )


def _overlaps(kind: str, start: int, end: int, gold: GoldSpan) -> bool:
    return kind == gold.kind and start < gold.end and gold.start < end


def _score_fields(report: Report, message: LabelledMessage, result: Analysis) -> None:
    fields = result.fields
    budget = fields.budget.to_dict() if fields.budget else None
    timeline = fields.timeline.to_dict() if fields.timeline else None
    checks = {
        "budget": _same_budget(message.budget, budget),
        "timeline": _same_timeline(message.timeline, timeline),
        "category": message.category == result.category.value,
        "goal_is_means": message.goal_is_means == result.goal_is_means,
    }
    for name, ok in checks.items():
        if ok:
            report.correct[name] += 1
        else:
            report.errors.append(f"{message.id}: wrong {name}")


def _same_budget(gold: Mapping[str, Any] | None, predicted: Mapping[str, Any] | None) -> bool:
    if gold is None or predicted is None:
        return gold is None and predicted is None
    return (
        all(_same_number(gold.get(key), predicted.get(key)) for key in ("min", "max"))
        and gold.get("currency", "CNY") == predicted["currency"]
    )


def _same_timeline(gold: Mapping[str, Any] | None, predicted: Mapping[str, Any] | None) -> bool:
    if gold is None or predicted is None:
        return gold is None and predicted is None
    gold_deadline = gold.get("deadline")
    gold_deadline = gold_deadline.isoformat() if isinstance(gold_deadline, date) else gold_deadline
    return gold.get("days") == predicted["days"] and gold_deadline == predicted["deadline"]


def _same_number(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return left is None and right is None
    return abs(float(left) - float(right)) < 0.5


def format_report(report: Report, *, show_errors: int = 0) -> str:
    lines = [f"== {report.name}: {report.messages} messages"]
    lines.append(f"{'kind':<22}{'gold':>6}{'pred':>6}{'precision':>11}{'recall':>8}")
    for kind in FINDING_KINDS:
        score = report.kinds.get(kind, KindScore())
        lines.append(
            f"{kind:<22}{score.gold:>6}{score.predicted:>6}{score.precision:>11.3f}{score.recall:>8.3f}"
        )
    overall = report.overall
    lines.append(
        f"{'ALL (micro)':<22}{overall.gold:>6}{overall.predicted:>6}"
        f"{overall.precision:>11.3f}{overall.recall:>8.3f}"
    )
    lines += [
        f"{name + ' accuracy':<28}{report.accuracy(name):.3f}  (target {TARGETS[name]:.2f})"
        for name in ("budget", "timeline", "category", "goal_is_means")
    ]
    lines.append("meets targets: " + ("yes" if report.meets_targets() else "no"))
    lines += report.errors[:show_errors]
    return "\n".join(lines)
