"""CI output formats (SARIF; JUnit, GitHub and Markdown are in tests/report/), several in one run,
baselines and --changed-since."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from conftest import APP, FIXTURES, SHARED, findings_of, run_cli, scale_ws

SARIF_SCHEMA = SHARED / "schemas" / "sarif" / "sarif-schema-2.1.0.json"
EXAMPLE = "drifted/argocd/applications/torghut"


def test_several_formats_in_one_run(tmp_path: Path) -> None:
    out = {fmt: tmp_path / f"report.{fmt}" for fmt in ("json", "sarif", "junit", "github", "markdown")}
    args = [x for fmt, path in out.items() for x in ("--format", fmt, "--output", str(path))]
    result = run_cli(*args, "--format", "text", EXAMPLE, cwd=FIXTURES)
    assert result.code == 1
    assert "ws-single-replica" in result.stdout  # the text report goes to stdout
    assert json.loads(out["json"].read_text())["summary"]["blocking"] == 5
    assert all(path.stat().st_size > 0 for path in out.values())


def test_only_one_report_on_stdout() -> None:
    result = run_cli("--format", "json", "--format", "sarif", EXAMPLE, cwd=FIXTURES)
    assert result.code == 2 and "only one --format can go to stdout" in result.stderr


def test_sarif_has_rules_levels_and_regions() -> None:
    doc = json.loads(run_cli("--format", "sarif", EXAMPLE, cwd=FIXTURES).stdout)
    run = doc["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["ws-single-replica"]["defaultConfiguration"]["level"] == "error"
    assert "Alpaca key" in rules["ws-single-replica"]["fullDescription"]["text"]
    result = next(r for r in run["results"] if r["ruleId"] == "ws-single-replica")
    location = result["locations"][0]["physicalLocation"]
    # relative to the repository root (this checkout), not to the directory the linter ran in
    assert location["artifactLocation"] == {"uri": f"fixtures/{EXAMPLE}/ws-scale.patch.yaml", "uriBaseId": "%SRCROOT%"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")
    assert location["region"] == {"startLine": 6, "startColumn": 3}
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "ws-single-replica"
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels["kustomize-orphan"] == "warning"


@pytest.mark.skipif(not SARIF_SCHEMA.is_file(), reason="../shared/schemas/sarif is not present")
def test_sarif_is_valid_against_the_official_schema(repo: Path) -> None:
    import jsonschema

    scale_ws(repo, waiver="reason=drill; owner=sre; expires=2099-01-01")
    (repo / APP / "broken.yaml").write_text("a: [\n")  # a file-level finding without a resource
    doc = json.loads(run_cli("--format", "sarif", cwd=repo).stdout)
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(doc)
    waived = next(r for r in doc["runs"][0]["results"] if r["ruleId"] == "ws-single-replica")
    assert waived["suppressions"][0]["justification"].startswith("drill")


def test_baseline_keeps_old_findings_quiet_and_new_ones_loud(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    written = run_cli("--write-baseline", str(baseline), EXAMPLE, cwd=FIXTURES)
    assert written.code == 0 and "6 finding(s) written" in written.stdout
    entries = json.loads(baseline.read_text())["entries"]
    assert {
        "rule": "ws-single-replica",
        "subject": "Deployment.apps/torghut/torghut-ws",
        "key": "spec.replicas",
        "digest": hashlib.sha256(b"2").hexdigest()[:16],  # of the offending value, never the value
        "count": 1,
    } in entries
    assert json.loads(baseline.read_text())["formatVersion"] == 3
    again = run_cli("--baseline", str(baseline), "--format", "json", EXAMPLE, cwd=FIXTURES)
    assert again.code == 0 and again.json["findings"] == [] and again.json["summary"]["baselined"] == 6


def test_baseline_survives_line_shifts_but_catches_new_findings(repo: Path) -> None:
    ws = scale_ws(repo)
    assert run_cli("--write-baseline", "b.json", cwd=repo).code == 0
    ws.write_text("# a comment that shifts every line\n\n" + ws.read_text())
    assert run_cli("--baseline", "b.json", cwd=repo).code == 0
    cm = repo / APP / "trading-configmap.yaml"
    cm.write_text(cm.read_text().replace("TRADING_MODE: paper", "TRADING_MODE: live"))
    result = run_cli("--baseline", "b.json", "--format", "json", cwd=repo)
    assert result.code == 1
    assert [f["rule"] for f in result.json["findings"]] == ["live-trading-default-off"]


def test_bad_baseline_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_text("{}")
    result = run_cli("--baseline", str(tmp_path / "b.json"), EXAMPLE, cwd=FIXTURES)
    assert result.code == 2 and "not a torghut-lint baseline" in result.stderr


def test_changed_since_limits_reports_to_changed_files(repo: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)

    scale_ws(repo)  # an old finding
    git("init", "-q", "-b", "main")
    git("-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "base", "--allow-empty")
    git("add", "-A")
    git("-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "tree")
    cm = repo / APP / "trading-configmap.yaml"
    cm.write_text(cm.read_text().replace("TRADING_MODE: paper", "TRADING_MODE: live"))
    all_findings = findings_of(run_cli("--format", "json", "--no-schemas", cwd=repo))
    assert {r for r, _, _ in all_findings} == {"ws-single-replica", "live-trading-default-off"}
    scoped = findings_of(run_cli("--format", "json", "--no-schemas", "--changed-since", "HEAD", cwd=repo))
    assert [r for r, _, _ in scoped] == ["live-trading-default-off"]


def test_sarif_results_all_have_a_region_unique_fingerprints_and_rule_ranking(tmp_path: Path) -> None:
    """GitHub's ingestion: startLine on every result (a whole-file finding is at line 1),
    partialFingerprints unique per result, helpUri and security-severity on every rule."""
    (tmp_path / "broken.yaml").write_text("a: [\n")  # a whole-file finding
    (tmp_path / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  password: hunter2hunter2\n"
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  password: hunter2hunter2\n"
    )
    sarif = json.loads(run_cli("--no-schemas", "--format", "sarif", ".", cwd=tmp_path).stdout)
    run = sarif["runs"][0]
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in run["results"])
    prints = [r["partialFingerprints"]["torghutLint/v2"] for r in run["results"]]
    assert len(prints) == len(set(prints)) > 2
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["helpUri"].startswith("https://")
        assert 0 < float(rule["properties"]["security-severity"]) <= 10


def test_sarif_locations_are_the_same_from_any_directory(repo: Path) -> None:
    """Code scanning resolves URIs against the repository root: run from the application's
    directory (as a monorepo job might), the URIs do not change."""
    (repo / ".git").mkdir()
    scale_ws(repo)

    def uris(cwd: Path, path: str) -> list[str]:
        sarif = json.loads(run_cli("--no-schemas", "--format", "sarif", path, cwd=cwd).stdout)
        return [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]]

    from_root = uris(repo, str(APP))
    assert from_root == [f"{APP}/ws/deployment.yaml"]
    assert uris(repo / APP, ".") == from_root
