"""`torghut-lint test`: every bundled policy's own cases pass, and the runner catches mistakes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import ROOT, run_cli


def test_every_bundled_policy_passes_its_cases() -> None:
    result = run_cli("test")
    assert result.code == 0, result.stdout
    rows = [line.split() for line in result.stdout.splitlines()[1:-1] if not line.startswith("    ")]
    assert len(rows) == len(list((ROOT / "policies").glob("*.yaml"))) == 15
    assert all(row[-1] == "ok" and int(row[1]) >= 2 for row in rows)


def _user_dir(tmp_path: Path) -> Path:
    policies = tmp_path / "lint-policies"
    policies.mkdir()
    (policies / "ws-two.yaml").write_text(
        "id: ws-two\ntemplate: replica-count\nseverity: error\ndescription: d\nrationale: r\n"
        "match: {kind: Deployment}\nparams: {count: 2}\n"
    )
    case = policies / "tests" / "ws-two" / "one-replica"
    case.mkdir(parents=True)
    (case / "d.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replicas: 1\n")
    (case / "expect.json").write_text(json.dumps({"findings": [{"rule": "ws-two", "file": "d.yaml", "line": 5}]}))
    return policies


def test_a_user_policy_directory_gets_the_same_workflow(tmp_path: Path) -> None:
    policies = _user_dir(tmp_path)
    assert run_cli("test", str(policies)).code == 0
    (policies / "tests" / "ws-two" / "one-replica" / "expect.json").write_text(
        json.dumps({"findings": [{"file": "d.yaml", "line": 4}]})
    )
    result = run_cli("test", str(policies))
    assert result.code == 1
    assert "one-replica: missing d.yaml:4; unexpected d.yaml:5" in result.stdout


def test_a_policy_without_a_failing_case_fails(tmp_path: Path) -> None:
    policies = _user_dir(tmp_path)
    shutil.rmtree(policies / "tests")
    result = run_cli("test", str(policies))
    assert result.code == 1 and "no failing case" in result.stdout
