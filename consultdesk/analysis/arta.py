"""Sentence-level comparison with Smella and ARTA on the ARTA DS1 requirement-smell data.

    python -m consultdesk.analysis.arta /path/to/arta-ds1 [--errors N]

Reads ``001_dataset1kv1.xlsx`` (985 English requirement sentences; each smell column holds
the trigger words separated by ``*``, or ``-`` when the smell is absent) and reports, for
the question "does this sentence have a smell?", the precision and recall of this engine:
once against any of the ten smell classes (as the published Smella/ARTA figures do) and
once against only the classes the engine covers. Nothing here was tuned on this data.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from . import analyze

SMELL_COLUMNS = (
    "Subjective_lang.",
    "Ambiguous_adv._adj.",
    "Loophole",
    "Nonverifiable_term",
    "Superlative",
    "Comparative",
    "Negative",
    "Vague_pron.",
    "Uncertain_verb",
    "Polysemy",
)
# Smell classes whose meaning overlaps a finding kind of this engine (documented in
# docs/analysis.md). Negative statements, vague pronouns and polysemy are not covered.
COVERED_COLUMNS = (
    "Subjective_lang.",
    "Ambiguous_adv._adj.",
    "Loophole",
    "Nonverifiable_term",
    "Superlative",
    "Comparative",
    "Uncertain_verb",
)
PUBLISHED = {"Smella (re-implemented)": (0.823, 0.664), "ARTA": (0.802, 0.901)}


@dataclass(frozen=True)
class Sentence:
    text: str
    smells: frozenset[str]


@dataclass(frozen=True)
class Score:
    gold: int
    predicted: int
    both: int

    @property
    def precision(self) -> float:
        return self.both / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.both / self.gold if self.gold else 0.0


def load_sentences(path: Path) -> list[Sentence]:
    import openpyxl  # only this script needs it

    workbook_path = path / "001_dataset1kv1.xlsx" if path.is_dir() else path
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the workbook's page header is not parseable; harmless
        workbook = openpyxl.load_workbook(workbook_path, read_only=True)
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    return _sentences(rows)


def _sentences(rows: list[tuple[object, ...]]) -> list[Sentence]:
    header = [str(cell) for cell in rows[0]]
    columns = {name: header.index(name) for name in SMELL_COLUMNS}
    sentences = []
    for row in rows[1:]:
        if not row or not row[0]:
            continue
        smells = frozenset(name for name, index in columns.items() if _present(row[index]))
        sentences.append(Sentence(str(row[0]).strip(), smells))
    return sentences


def _present(cell: object) -> bool:
    return cell is not None and str(cell).strip() not in {"", "-"}


def score(sentences: Sequence[Sentence], flagged: Sequence[bool], classes: Iterable[str]) -> Score:
    wanted = frozenset(classes)
    gold = [bool(sentence.smells & wanted) for sentence in sentences]
    return Score(
        gold=sum(gold),
        predicted=sum(flagged),
        both=sum(
            1 for is_gold, is_flagged in zip(gold, flagged, strict=True) if is_gold and is_flagged
        ),
    )


def main(argv: list[str] | None = None, *, stdout: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m consultdesk.analysis.arta")
    parser.add_argument("path", type=Path, help="the arta-ds1 folder or its 001_dataset1kv1.xlsx")
    parser.add_argument("--errors", type=int, default=0, help="list this many disagreements")
    arguments = parser.parse_args(argv)
    sink = stdout or sys.stdout
    sentences = load_sentences(arguments.path)
    results = [analyze(sentence.text) for sentence in sentences]
    flagged = [bool(result.findings) for result in results]
    any_smell = score(sentences, flagged, SMELL_COLUMNS)
    covered = score(sentences, flagged, COVERED_COLUMNS)
    sink.write(f"{len(sentences)} sentences; engine flags {sum(flagged)}\n")
    sink.write(f"{'tool / gold':<52}{'gold+':>6}{'pred+':>6}{'P':>7}{'R':>7}\n")
    for tool, (precision, recall) in PUBLISHED.items():
        sink.write(
            f"{tool + ' / any smell (published)':<52}{714:>6}{'':>6}"
            f"{precision:>7.3f}{recall:>7.3f}\n"
        )
    for label, result in (
        ("ConsultDesk / any smell", any_smell),
        ("ConsultDesk / covered classes", covered),
    ):
        sink.write(
            f"{label:<52}{result.gold:>6}{result.predicted:>6}{result.precision:>7.3f}{result.recall:>7.3f}\n"
        )
    _write_disagreements(sink, sentences, results, arguments.errors)
    return 0


def _write_disagreements(
    sink: TextIO, sentences: Sequence[Sentence], results: Sequence[object], limit: int
) -> None:
    shown = 0
    for sentence, result in zip(sentences, results, strict=True):
        findings = getattr(result, "findings", ())
        if shown >= limit or bool(findings) == bool(sentence.smells):
            continue
        terms = ", ".join(f"{finding.kind}:{finding.text}" for finding in findings)
        sink.write(f"- gold {sorted(sentence.smells)} engine [{terms}] :: {sentence.text[:120]}\n")
        shown += 1


if __name__ == "__main__":
    sys.exit(main())
