import io
import json

from consultdesk.analysis.cli import main


def run(argv: list[str], stdin: str = "") -> tuple[int, str]:
    output = io.StringIO()
    status = main(argv, stdin=io.StringIO(stdin), stdout=output)
    return status, output.getvalue()


def test_it_prints_a_report_with_findings_in_brackets() -> None:
    status, output = run(["--today", "2026-05-15"], "系统很慢，预算30万")

    assert status == 0
    assert output.splitlines()[0] == "系统【很慢】，预算30万"
    assert "budget: {'min': 300000.0, 'max': 300000.0, 'currency': 'CNY', 'text': '30万'}" in output


def test_it_prints_json() -> None:
    status, output = run(["--json", "--today", "2026-05-15"], "年底前上线")

    assert status == 0
    assert json.loads(output)["fields"]["timeline"] == {
        "days": None, "deadline": "2026-12-31", "text": "年底前",
    }  # fmt: skip


def test_it_answers_json_lines_with_their_ids() -> None:
    lines = '{"id": "a1", "text": "ASAP please"}\n\n{"id": 7, "text": "尽快"}\nnot json\n'

    status, output = run(["--jsonl"], lines)

    results = [json.loads(line) for line in output.splitlines()]
    assert status == 1
    assert [(r["id"], r.get("findings", [{}])[0].get("kind")) for r in results] == [
        ("a1", "unbounded_time"),
        (7, "unbounded_time"),
        (4, None),
    ]
    assert results[2]["error"] == "not a JSON object"


def test_it_keeps_json_valid_for_lone_surrogates() -> None:
    status, output = run(["--json"], "\ud800慢")

    assert status == 0
    assert json.loads(output)["findings"][0]["text"] == "慢"


def test_it_evaluates_a_given_corpus_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "tiny.yaml"
    corpus.write_text(
        "today: 2026-05-15\nmessages:\n"
        "  - id: t1\n    text: 系统很慢\n    findings: [[unquantified_quality, 很慢]]\n"
        "    category: feature_optimisation\n",
        encoding="utf-8",
    )

    status, output = run(["--evaluate", str(corpus)])

    assert status == 0
    assert "ALL (micro)                1     1      1.000   1.000" in output
    assert "meets targets: yes" in output


def test_it_reports_a_missing_corpus() -> None:
    assert run(["--evaluate", "/nonexistent/corpus.yaml"]) == (
        2,
        "no corpus at /nonexistent/corpus.yaml\n",
    )
