"""``consultdesk analyze``: analyse text from stdin, or score the engine on a labelled corpus.

    consultdesk analyze [--today YYYY-MM-DD] [--json | --jsonl] [--evaluate [PATH]]

The project's console command passes the arguments after the word "analyze" to ``main``;
nothing here starts Django.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from . import Analysis, analyze

_ANSI = {"high": "\033[1;31m", "medium": "\033[33m", "low": "\033[36m"}
_ANSI_RESET = "\033[0m"


def main(
    argv: list[str] | None = None, *, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> int:
    """Run the command; returns the process exit status."""
    arguments = _parser().parse_args(argv)
    source, sink = stdin or sys.stdin, stdout or sys.stdout
    if arguments.evaluate is not None:
        return _evaluate(arguments.evaluate, arguments.errors, sink)
    today = arguments.today
    if arguments.jsonl:
        return _analyse_lines(source, sink, today)
    text = source.read()
    result = analyze(text, today=today)
    if arguments.json:
        _write(sink, _json(result.to_dict()) + "\n")
    else:
        _write(sink, render_report(text, result, color=_is_tty(sink)))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="consultdesk analyze",
        description="Find vague wording in a client message (read from stdin).",
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="anchor for relative dates (YYYY-MM-DD)",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the analysis as JSON")
    output.add_argument(
        "--jsonl",
        action="store_true",
        help='read JSON lines {"id", "text"}, write one JSON result per line',
    )
    output.add_argument(
        "--evaluate",
        nargs="?",
        const="",
        default=None,
        metavar="PATH",
        help="score the engine on a labelled corpus (default: the shipped one)",
    )
    parser.add_argument(
        "--errors",
        type=int,
        default=0,
        help="with --evaluate: list this many misses and false alarms",
    )
    return parser


def _analyse_lines(source: TextIO, sink: TextIO, today: date | None) -> int:
    status = 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text, identifier = str(item.get("text", "")), item.get("id", number)
        except (json.JSONDecodeError, AttributeError):
            _write(sink, _json({"id": number, "error": "not a JSON object"}) + "\n")
            status = 1
            continue
        _write(sink, _json({"id": identifier, **analyze(text, today=today).to_dict()}) + "\n")
    return status


def _evaluate(path_text: str, errors: int, sink: TextIO) -> int:
    from .evaluation import corpus_files, default_corpus_dir, evaluate, format_report, load_corpus

    path = Path(path_text) if path_text else default_corpus_dir()
    if not path.exists():
        _write(sink, f"no corpus at {path}\n")
        return 2
    reports = [evaluate(load_corpus(file), file.stem) for file in corpus_files(path)]
    _write(
        sink, "\n\n".join(format_report(report, show_errors=errors) for report in reports) + "\n"
    )
    return 0 if all(report.meets_targets() for report in reports) else 1


def render_report(text: str, result: Analysis, *, color: bool = False) -> str:
    """The text with findings bracketed (or coloured on a terminal), then the details."""
    pieces, position = [], 0
    for finding in result.findings:
        pieces.append(text[position : finding.start])
        if color:
            pieces.append(f"{_ANSI[finding.severity]}{finding.text}{_ANSI_RESET}")
        else:
            pieces.append(f"【{finding.text}】")
        position = finding.end
    pieces.append(text[position:])
    lines = ["".join(pieces).rstrip(), "", f"language: {result.language}"]
    category = result.category
    lines.append(
        f"category: {category.value} ({category.confidence:.2f}) {', '.join(category.evidence)}"
    )
    lines.append(f"goal is a means: {'yes' if result.goal_is_means else 'no'}")
    lines += [f"{name}: {value}" for name, value in result.fields.to_dict().items() if value]
    lines.append("findings:")
    lines += [f"  [{f.severity}] {f.kind}: {f.text} ({f.start}-{f.end})" for f in result.findings]
    lines.append("questions:")
    lines += [
        f"  {number}. {question}" for number, question in enumerate(result.questions, start=1)
    ]
    return "\n".join(lines) + "\n"


def _json(data: dict[str, Any]) -> str:
    try:
        encoded = json.dumps(data, ensure_ascii=False)
        encoded.encode("utf-8")
        return encoded
    except UnicodeEncodeError:
        return json.dumps(data)  # lone surrogates: \u escapes keep the line valid JSON


def _write(sink: TextIO, text: str) -> None:
    try:
        sink.write(text)
    except UnicodeEncodeError:
        encoding = getattr(sink, "encoding", None) or "utf-8"
        sink.write(text.encode(encoding, errors="replace").decode(encoding))


def _is_tty(sink: TextIO) -> bool:
    return bool(getattr(sink, "isatty", lambda: False)())


if __name__ == "__main__":
    sys.exit(main())
