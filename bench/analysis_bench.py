"""Speed of consultdesk.analysis: per-message latency, throughput and cold start.

    .venv/bin/python bench/analysis_bench.py [--rounds 5]
    .venv/bin/python bench/analysis_bench.py --patterns   # the costliest phrase entries

Not a test: numbers depend on the machine. Messages are the shipped labelled corpus:
messages of one language (Chinese, English, mixed) run together and cut into 500-character
pieces. Latency is wall time
per message after warm-up; throughput is UTF-8 bytes per second of process CPU time (so
per core, and not inflated or deflated by other load on a shared machine); cold start is
the wall time of import + first analyze() in a fresh interpreter, with the per-user cache
already filled and with an empty cache (first run ever on a machine).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date

from consultdesk.analysis import analyze
from consultdesk.analysis.evaluation import corpus_files, default_corpus_dir, load_corpus

TODAY = date(2026, 5, 15)
COLD_START_CODE = """
import time
started = time.perf_counter()
from datetime import date
from consultdesk.analysis import analyze
analyze("系统反应很慢，快递单号等信息要显示，预算30万，年底前上线。The app is slow, ASAP.",
        today=date(2026, 5, 15))
print(time.perf_counter() - started, time.process_time())
"""


def corpus_messages(size: int = 500) -> list[str]:
    """500-character messages: corpus messages of one language (zh, en, mixed) run together."""
    by_language: dict[str, list[str]] = {"zh": [], "en": [], "mix": []}
    for file in corpus_files(default_corpus_dir()):
        for message in load_corpus(file):
            language = next((key for key in by_language if f"-{key}-" in message.id), "mix")
            by_language[language].append(message.text)
    pieces = []
    for texts in by_language.values():
        joined = "\n".join(texts)
        pieces += [joined[start : start + size] for start in range(0, len(joined) - size + 1, size)]
    return pieces


def latency_and_throughput(messages: list[str], rounds: int) -> dict[str, float]:
    for message in messages:
        analyze(message, today=TODAY)  # warm-up: lexicons, regexes, jieba boundary dictionary
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(rounds):
        for message in messages:
            wall_started, cpu_started = time.perf_counter(), time.process_time()
            analyze(message, today=TODAY)
            cpus.append(time.process_time() - cpu_started)
            walls.append(time.perf_counter() - wall_started)
    cpu_seconds = sum(cpus)
    total_bytes = rounds * sum(len(message.encode("utf-8")) for message in messages)
    total_chars = rounds * sum(len(message) for message in messages)
    return {
        "median_wall_ms_per_message": round(statistics.median(walls) * 1000, 3),
        "median_cpu_ms_per_message": round(statistics.median(cpus) * 1000, 3),
        "throughput_mb_per_cpu_second": round(total_bytes / cpu_seconds / 1e6, 3),
        "throughput_chars_per_cpu_second": round(total_chars / cpu_seconds),
    }


def cold_start(runs: int, *, empty_cache: bool) -> tuple[float, float]:
    """Median wall seconds of import + first call, and median CPU seconds of the process.

    CPU time includes the interpreter's own start-up and is not inflated by other load.
    """
    walls, cpus = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            environment = {"XDG_CACHE_HOME": cache} if empty_cache else {}
            completed = subprocess.run(
                [sys.executable, "-c", COLD_START_CODE],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, **environment},
            )
        wall, cpu = completed.stdout.split()
        walls.append(float(wall))
        cpus.append(float(cpu))
    return statistics.median(walls), statistics.median(cpus)


class _TimedRegex:
    """A compiled regex that adds the time of its match() and search() calls to a total."""

    def __init__(self, regex: re.Pattern[str], totals: dict[str, list[float]]) -> None:
        self._regex, self._total = regex, totals.setdefault(regex.pattern, [0.0, 0.0])

    def match(self, text: str, position: int = 0) -> re.Match[str] | None:
        started = time.thread_time()
        found = self._regex.match(text, position)
        self._total[0] += time.thread_time() - started
        self._total[1] += 1
        return found

    def search(self, text: str, position: int = 0) -> re.Match[str] | None:
        started = time.thread_time()
        found = self._regex.search(text, position)
        self._total[0] += time.thread_time() - started
        self._total[1] += 1
        return found


def costly_patterns(messages: list[str], top: int = 15) -> list[dict[str, object]]:
    """Phrase entries by the time their regexes take on the bench messages, with their gate.

    For the lexicon's owner: an entry whose literal gate is common (one Chinese character,
    a short English word) is tried at each of its places; a literal of its own (three or more
    letters, two or more Chinese characters) makes it cheap again.
    """
    from consultdesk.analysis import default_engine
    from consultdesk.analysis.detector import GatedAlternation

    detector = default_engine()._detector
    totals: dict[str, list[float]] = {}
    entries: dict[str, tuple[str, str]] = {}
    for scanner, names, _latin in detector._patterns:
        if not isinstance(scanner, GatedAlternation):
            continue
        for number, regex in enumerate(scanner._regexes):
            entry = list(names.values())[number]
            entries[regex.pattern] = (entry.pattern or "", scanner.gate(number))
        scanner._regexes = [_TimedRegex(regex, totals) for regex in scanner._regexes]  # type: ignore[misc]
    try:
        for message in messages:
            analyze(message, today=TODAY)
    finally:
        for scanner, _names, _latin in detector._patterns:
            if isinstance(scanner, GatedAlternation):
                scanner._regexes = [regex._regex for regex in scanner._regexes]  # type: ignore[attr-defined]
    ranked = sorted(totals.items(), key=lambda item: -item[1][0])[:top]
    return [
        {
            "us_per_message": round(seconds / len(messages) * 1e6, 2),
            "tries_per_message": round(calls / len(messages), 2),
            "gate": entries[pattern][1],
            "pattern": entries[pattern][0],
        }
        for pattern, (seconds, calls) in ranked
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--patterns", action="store_true", help="the costliest phrase entries")
    arguments = parser.parse_args()
    load_at_start = os.getloadavg()[0]
    messages = corpus_messages()
    if arguments.patterns:
        for _ in range(2):  # warm-up, then measured
            found = costly_patterns(messages)
        print(json.dumps(found, indent=2, ensure_ascii=False))
        return 0
    cold_start(1, empty_cache=False)  # fills the per-user cache if this is the first run
    speed = latency_and_throughput(messages, arguments.rounds)
    filled_wall, filled_cpu = cold_start(arguments.cold_runs, empty_cache=False)
    empty_wall, empty_cpu = cold_start(arguments.cold_runs, empty_cache=True)
    results = {
        "messages": len(messages),
        "message_chars": 500,
        **speed,
        "cold_start_wall_s_cache_filled": round(filled_wall, 3),
        "cold_start_cpu_s_cache_filled": round(filled_cpu, 3),
        "cold_start_wall_s_empty_cache": round(empty_wall, 3),
        "cold_start_cpu_s_empty_cache": round(empty_cpu, 3),
        "load_average_1min_start": round(load_at_start, 2),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "python": sys.version.split()[0],
    }
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
