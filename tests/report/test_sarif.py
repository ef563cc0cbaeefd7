"""SARIF for GitHub code scanning: what it accepts of a run, and in what order it keeps results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reports import finding, report_of

from conftest import SHARED
from torghut_lint.model import Severity
from torghut_lint.report import sarif

SARIF_SCHEMA = SHARED / "schemas" / "sarif" / "sarif-schema-2.1.0.json"


def _run(findings, root: Path) -> dict:
    return json.loads(sarif.render(report_of(findings, root)))["runs"][0]


def test_a_run_holds_at_most_what_code_scanning_keeps_the_most_severe_first(tmp_path: Path) -> None:
    """Code scanning rejects a run of more than 25,000 results and keeps 5,000 of one it takes. A
    tree with 6,000 warnings and 10 errors (a values file of planted credentials, a legacy tree)
    gives a run of 5,000 results: every error, and the warnings first by place; the run says how many
    it left out and where they all are. The exit code does not change: the gate reads every finding."""
    findings = [finding("a.yaml", n, Severity.WARNING, rule="w") for n in range(1, 6_001)]
    findings += [finding("z.yaml", n, Severity.ERROR, rule="e") for n in range(1, 11)]
    run = _run(findings, tmp_path)
    results = run["results"]
    assert len(results) == sarif.MAX_RESULTS == 5_000
    assert [r["level"] for r in results].count("error") == 10  # every blocking one, in the report's order
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results if r["level"] == "warning"]
    assert lines == list(range(1, 4_991))  # then the warnings by place
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["level"] == "warning" and "1,010 of 6,010 findings" in notification["message"]["text"]


def test_a_run_within_the_limit_is_whole_and_in_its_order(tmp_path: Path) -> None:
    findings = [finding("a.yaml", n, Severity.WARNING) for n in range(1, 4)] + [finding("b.yaml", 1)]
    run = _run(findings, tmp_path)
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]] == [
        "a.yaml",
        "a.yaml",
        "a.yaml",
        "b.yaml",
    ]
    assert "invocations" not in run


@pytest.mark.skipif(not SARIF_SCHEMA.is_file(), reason="../shared/schemas/sarif is not present")
def test_a_capped_run_is_valid_sarif(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import jsonschema

    monkeypatch.setattr(sarif, "MAX_RESULTS", 5)  # (the schema is slow to check 5,000 results against)
    findings = [finding("a.yaml", n, Severity.WARNING) for n in range(1, 9)]
    jsonschema.validate(json.loads(sarif.render(report_of(findings, tmp_path))), json.loads(SARIF_SCHEMA.read_text()))
