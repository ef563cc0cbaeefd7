"""The command line as users and CI see it: exit codes, formats, rules, explain, config errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import APP, FIXTURES, ROOT, run_cli, scale_ws

DRIFTED = FIXTURES / "drifted"
EXAMPLE = ("drifted/argocd/applications/torghut",)  # linted from fixtures/, as in the README


def test_default_path_is_the_torghut_app_under_cwd() -> None:
    result = run_cli("--config", "../.torghut-lint.yaml", cwd=DRIFTED)
    assert result.code == 1
    assert "argocd/applications/torghut/ws-scale.patch.yaml:6:3: error ws-single-replica" in result.stdout
    assert "(24 files, 16 resources); 1 may be fixable with `torghut-lint fix`" in result.stdout
    assert "\033[" not in result.stdout


def test_json_contract_shape() -> None:
    doc = run_cli("--format", "json", *EXAMPLE, cwd=FIXTURES).json
    assert set(doc) == {"tool", "summary", "findings"}
    assert doc["tool"]["name"] == "torghut-lint"
    assert set(doc["summary"]) == {"files", "resources", "findings", "blocking"}
    assert doc["summary"]["findings"] == len(doc["findings"]) == 6
    assert doc["summary"]["blocking"] == 5
    for f in doc["findings"]:
        assert set(f) == {
            "rule", "severity", "message", "file", "line", "column", "resource", "field", "waived",
            "fingerprint", "key",
        }  # fmt: skip
    replica = next(f for f in doc["findings"] if f["rule"] == "ws-single-replica")
    assert replica["resource"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "namespace": "torghut",
        "name": "torghut-ws",
    }
    assert replica["field"] == "spec.replicas"


def test_fail_on_controls_exit_code(repo: Path) -> None:
    orphan = repo / APP / "ta" / "deployment.yaml"
    orphan.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: torghut-ta\n")
    assert run_cli(cwd=repo).code == 0
    assert run_cli("--fail-on", "warning", cwd=repo).code == 1
    (repo / ".torghut-lint.yaml").write_text("failOn: warning\n")
    assert run_cli(cwd=repo).code == 1


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = run_cli("--format", "json", "--output", str(out), *EXAMPLE, cwd=FIXTURES)
    assert result.stdout == ""
    assert json.loads(out.read_text())["summary"]["findings"] == 6


def test_a_report_cut_short_leaves_no_file(tmp_path: Path, monkeypatch, capsys) -> None:
    """A run that fails half-way through writing ``--output`` (a bug: exit 3) leaves no part of its
    report, nor an earlier run's, for CI to upload as this run's; the other report is whole."""
    from torghut_lint import cli

    made = cli._pieces

    def half(fmt, report, colour):
        pieces = made(fmt, report, colour)
        if fmt == "sarif":
            yield next(pieces)
            raise RuntimeError("cut short")
        yield from pieces

    monkeypatch.setattr(cli, "_pieces", half)
    sarif, report = tmp_path / "out.sarif", tmp_path / "report.json"
    sarif.write_text('{"the earlier run": []}')
    monkeypatch.chdir(FIXTURES)
    code = cli.main(
        ["--format", "json", "--output", str(report), "--format", "sarif", "--output", str(sarif), *EXAMPLE]
    )
    assert code == 3 and "internal error: RuntimeError" in capsys.readouterr().err
    assert sorted(os.listdir(tmp_path)) == ["report.json"]
    assert json.loads(report.read_text())["summary"]["findings"] == 6


def test_missing_path_is_a_usage_error() -> None:
    result = run_cli("no/such/dir")
    assert result.code == 2
    assert result.stderr == "torghut-lint: error: no/such/dir: no such file or directory\n"


def test_bad_flag_is_one_line() -> None:
    result = run_cli("--format", "xml")
    assert result.code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--format" in result.stderr and "'xml'" in result.stderr


def test_invalid_policy_file_names_file_and_field(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "id: my-rule\ntemplate: replica-count\nseverity: fatal\ndescription: d\nrationale: r\n"
    )
    result = run_cli("--policies", str(tmp_path), str(FIXTURES / "torghut"))
    assert result.code == 2
    assert "bad.yaml: severity: 'fatal' is not one of" in result.stderr
    (tmp_path / "bad.yaml").write_text(
        "id: my-rule\ntemplate: replica-count\nseverity: error\ndescription: d\nrationale: r\nparams: {count: two}\n"
    )
    result = run_cli("--policies", str(tmp_path), str(FIXTURES / "torghut"))
    assert result.code == 2
    assert "bad.yaml: params: count: 'two' is not of type 'integer'" in result.stderr


def test_invalid_config_is_rejected(repo: Path) -> None:
    (repo / ".torghut-lint.yaml").write_text("rules:\n  ws-single-replica:\n    severity: loud\n")
    result = run_cli(cwd=repo)
    assert result.code == 2
    assert ".torghut-lint.yaml: rules.ws-single-replica.severity" in result.stderr
    (repo / ".torghut-lint.yaml").write_text("rules:\n  no-such-rule: {enabled: false}\n")
    assert "rules.no-such-rule: no such rule" in run_cli(cwd=repo).stderr
    assert run_cli("--config", "missing.yaml", cwd=repo).code == 2


def test_config_overrides_severity_params_and_enablement(repo: Path) -> None:
    scale_ws(repo)
    (repo / ".torghut-lint.yaml").write_text("rules:\n  ws-single-replica:\n    severity: warning\n")
    result = run_cli("--format", "json", "--no-schemas", cwd=repo)
    assert result.code == 0 and result.json["findings"][0]["severity"] == "warning"
    (repo / ".torghut-lint.yaml").write_text("rules:\n  ws-single-replica:\n    params: {count: 2}\n")
    assert run_cli("--format", "json", "--no-schemas", cwd=repo).json["findings"] == []
    (repo / ".torghut-lint.yaml").write_text("rules:\n  ws-single-replica: {enabled: false}\n")
    assert run_cli(cwd=repo).code == 0


def test_user_policy_reuses_a_template_without_python(repo: Path, tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "ws-replica-target.yaml").write_text(
        "id: ws-replica-target\ntemplate: replica-count\nseverity: warning\n"
        "description: torghut-ws runs three replicas\nrationale: a team-specific target\n"
        "match: {kind: Deployment, name: torghut-ws}\nparams: {count: 3}\n"
    )
    result = run_cli("--policies", str(policies), "--format", "json", "--no-schemas", cwd=repo)
    assert [f["rule"] for f in result.json["findings"]] == ["ws-replica-target"]
    assert result.code == 0


def test_the_linters_own_yaml_is_read_as_yaml_12(repo: Path, tmp_path: Path) -> None:
    """A policy or configuration is read by the linter alone: YAML 1.2's escaped slash (which
    go-yaml, and so kustomize and kubectl, refuse in a manifest) is a slash there."""
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "ws-replica-target.yaml").write_text(
        "id: ws-replica-target\ntemplate: replica-count\nseverity: warning\n"
        'description: "torghut-ws runs three replicas \\/ a target"\nrationale: a team-specific target\n'
        "match: {kind: Deployment, name: torghut-ws}\nparams: {count: 3}\n"
    )
    (repo / ".torghut-lint.yaml").write_text('rules:\n  ws-single-replica:\n    severity: "warning"  # \\/\n')
    result = run_cli("--policies", str(policies), "--format", "json", "--no-schemas", cwd=repo)
    assert [f["rule"] for f in result.json["findings"]] == ["ws-replica-target"], result.stdout + result.stderr
    assert result.code == 0


def test_rules_and_explain() -> None:
    listed = run_cli("rules").stdout
    for rule in (
        "pvc-disk-budget",
        "clickhouse-table-ttl",
        "ws-single-replica",
        "ws-readiness-probe",
        "live-trading-default-off",
        "live-trading-owner",
        "knative-max-scale",
        "no-inline-secrets",
        "env-duplicate-name",
        "yaml-syntax",
        "yaml-duplicate-key",
        "kustomize-orphan",
    ):
        assert rule in listed
    explained = run_cli("explain", "pvc-disk-budget")
    assert explained.code == 0
    assert "volumes once filled up" in explained.stdout and '"perReplica": "20Gi"' in explained.stdout
    assert "torghut-lint.io/waive.pvc-disk-budget" in explained.stdout
    assert "Example (" in explained.stdout and "# finding" in explained.stdout  # from the policy's own cases
    assert "only centrally" in run_cli("explain", "live-trading-owner").stdout
    assert run_cli("explain", "nope").code == 2


def test_version() -> None:
    result = run_cli("--version")
    assert result.code == 0 and result.stdout.startswith("torghut-lint ")


def test_rules_as_json_for_dashboards() -> None:
    doc = json.loads(run_cli("rules", "--format", "json").stdout)
    by_id = {r["id"]: r for r in doc["rules"]}
    assert by_id["ws-single-replica"]["origin"] == "policy" and by_id["yaml-syntax"]["origin"] == "built-in"
    assert all(r["rationale"] and r["severity"] in ("error", "warning", "info") for r in doc["rules"])


def test_config_is_found_from_a_subdirectory_up_to_the_repository_root(repo: Path) -> None:
    (repo / ".git").mkdir()
    scale_ws(repo)
    (repo / ".torghut-lint.yaml").write_text(
        "rules:\n  ws-single-replica: {enabled: false}\nschemas: {enabled: false}\n"
    )
    assert run_cli(".", cwd=repo / APP).code == 0


def test_short_version_abbreviations_quiet_and_force_color() -> None:
    drifted = "drifted/argocd/applications/torghut"
    assert run_cli("-V").stdout.startswith("torghut-lint ")
    abbreviated = run_cli("--form", "json", drifted, cwd=FIXTURES)
    assert abbreviated.code == 2 and "see `torghut-lint --help`" in abbreviated.stderr
    full = run_cli("--format", "json", drifted, cwd=FIXTURES).json
    quiet = run_cli("--format", "json", "-q", drifted, cwd=FIXTURES).json
    assert {f["severity"] for f in full["findings"]} == {"error", "warning"}
    assert {f["severity"] for f in quiet["findings"]} == {"error"}
    assert quiet["summary"]["blocking"] == full["summary"]["blocking"]
    coloured = run_cli(drifted, cwd=FIXTURES, env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[" not in coloured.stdout  # NO_COLOR (set, even empty) wins over FORCE_COLOR
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["FORCE_COLOR"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "torghut_lint", drifted],
        cwd=FIXTURES,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert "\x1b[" in result.stdout


def test_a_rendered_stream_on_stdin_is_linted() -> None:
    """`kubectl kustomize . | torghut-lint -`: locations are lines of the stream."""
    stream = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\n  annotations:\n"
        "    torghut.proompteng.ai/live-trading-owner: desk\ndata:\n  TRADING_LIVE_ENABLED: 'true'\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "torghut_lint", "--no-schemas", "--format", "json", "-"],
        input=stream,
        capture_output=True,
        text=True,
        env=env,
        cwd=FIXTURES,
    )
    assert proc.returncode == 1, proc.stderr
    found = [(f["rule"], f["file"], f["line"]) for f in json.loads(proc.stdout)["findings"]]
    assert found == [("live-trading-default-off", "<stdin>", 8)]


def test_top_level_help_shows_the_lint_usage_exit_codes_and_examples() -> None:
    text = run_cli("--help").stdout
    assert "usage: torghut-lint lint" in text and "--new-since REF" in text  # lint's flags, not only commands
    assert "  3  internal error" in text and "examples:" in text
    assert "torghut-lint --trusted-config origin/main --new-since origin/main" in text
    assert run_cli("lint", "--help").stdout.count("exit codes") == 1


def test_verbose_says_each_stage_and_its_time_on_stderr() -> None:
    drifted = "drifted/argocd/applications/torghut"
    loud = run_cli("-v", "--format", "json", drifted, cwd=FIXTURES)
    stages = [line.split(":")[1].strip() for line in loud.stderr.splitlines()]
    assert stages == ["plan", "schemas", "build, validate, evaluate", "done"], loud.stderr
    assert all(line.endswith(" s)") for line in loud.stderr.splitlines())
    assert loud.json == run_cli("--format", "json", drifted, cwd=FIXTURES).json  # stdout unchanged
    both = run_cli("-q", "-v", drifted, cwd=FIXTURES)
    assert both.code == 2 and "not allowed with argument" in both.stderr
