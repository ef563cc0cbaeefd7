"""The GitHub check script and the Argo CD plugin, run exactly as CI and the sidecar run them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import APP, BASE_TREE, ROOT, SHARED, run_cli, scale_ws

needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")
SARIF_SCHEMA = SHARED / "schemas" / "sarif" / "sarif-schema-2.1.0.json"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARGOCD_", "GITHUB_", "TORGHUT_LINT_"))}
    bin_dir = str(Path(sys.executable).parent)
    return {**env, "PYTHONPATH": str(ROOT), "PATH": f"{bin_dir}:{env['PATH']}", **extra}


def _cmp(app_dir: Path, source_path: str, **env: str) -> subprocess.CompletedProcess:
    """The plugin's generate command as the sidecar runs it: cwd = app path, stdin closed."""
    return subprocess.run(
        [sys.executable, "-m", "torghut_lint.integrations.argocd_cmp"],
        cwd=app_dir,
        env=_env(ARGOCD_APP_NAME="torghut", ARGOCD_APP_SOURCE_PATH=source_path, ARGOCD_APP_NAMESPACE="argocd", **env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
    )


@needs_kubectl
def test_cmp_generate_prints_the_rendering_when_the_lint_passes(tmp_path: Path) -> None:
    shutil.copytree(BASE_TREE, tmp_path / "repo")
    (tmp_path / "repo" / ".torghut-lint.yaml").write_text("schemas:\n  ignoreMissing: true\n")
    app_dir = tmp_path / "repo" / APP
    proc = _cmp(app_dir, str(APP))
    assert proc.returncode == 0, proc.stderr.decode()
    expected = subprocess.run(["kubectl", "kustomize", "."], cwd=app_dir, capture_output=True, check=True).stdout
    assert proc.stdout == expected
    docs = [d for d in yaml.safe_load_all(proc.stdout) if d]
    assert len(docs) == 16 and {d["metadata"]["namespace"] for d in docs if d["kind"] != "Namespace"} == {"torghut"}


@needs_kubectl
def test_cmp_generate_refuses_a_failing_tree(tmp_path: Path) -> None:
    shutil.copytree(BASE_TREE, tmp_path / "repo")
    app_dir = tmp_path / "repo" / APP
    scale_ws(tmp_path / "repo")
    proc = _cmp(app_dir, str(APP))
    assert proc.returncode == 1
    assert proc.stdout == b""
    stderr = proc.stderr.decode()
    assert "ws/deployment.yaml:8:3: error ws-single-replica" in stderr
    assert "refusing to render torghut" in stderr


@needs_kubectl
def test_cmp_reads_the_application_plugin_env_and_no_config_above_the_checkout(tmp_path: Path) -> None:
    """Argo CD prefixes an Application's plugin env with ARGOCD_ENV_; a checkout without .git must
    not pick up a .torghut-lint.yaml from the directory above it."""
    checkout = tmp_path / "checkout"
    shutil.copytree(BASE_TREE, checkout)
    (tmp_path / ".torghut-lint.yaml").write_text("rules:\n  ws-single-replica: {enabled: false}\n")
    scale_ws(checkout)
    app_dir = checkout / APP
    proc = _cmp(app_dir, str(APP))
    assert proc.returncode == 1, proc.stderr.decode()  # the config above the checkout is not read
    proc = _cmp(app_dir, str(APP), ARGOCD_ENV_TORGHUT_LINT_ARGS="--no-such-flag")
    assert proc.returncode == 2 and b"--no-such-flag" in proc.stderr  # the Application's args are read


def test_plugin_manifest_name_is_what_the_readme_tells_applications_to_use() -> None:
    plugin = yaml.safe_load((ROOT / "deploy" / "argocd" / "plugin.yaml").read_text())
    assert plugin["metadata"]["name"] == "torghut-lint" and "version" not in plugin["spec"]
    assert "plugin.name: torghut-lint`" in (ROOT / "README.md").read_text()


def test_cmp_respects_the_repository_root_for_overlays(tmp_path: Path) -> None:
    """Argo CD hands the plugin a checkout without .git: overlays reaching ../base must still work."""
    repo = tmp_path / "repo"
    shutil.copytree(BASE_TREE, repo)
    overlay = repo / "argocd" / "overlays" / "prod"
    overlay.mkdir(parents=True)
    (overlay / "kustomization.yaml").write_text("resources:\n  - ../../applications/torghut\n")
    proc = _cmp(overlay, "argocd/overlays/prod")
    assert "kustomize-outside-root" not in proc.stderr.decode()


def test_ci_script_annotates_uploads_and_fails(tmp_path: Path) -> None:
    repo = tmp_path / "gitops"
    shutil.copytree(BASE_TREE, repo)

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.email=a@b", "-c", "user.name=a", *args], cwd=repo, check=True, capture_output=True
        )

    chi = repo / APP / "clickhouse" / "clickhouse-cluster.yaml"
    chi.write_text(chi.read_text().replace("storage: 20Gi", "storage: 30Gi"))  # already on main: not the PR's
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "base")
    git("checkout", "-q", "-b", "pr")
    scale_ws(repo)
    git("commit", "-qam", "scale")
    outputs = tmp_path / "github_output"
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "ci-check.sh")],
        cwd=repo,
        env=_env(TORGHUT_LINT_BASE="main", TORGHUT_LINT_ARGS="--ignore-missing-schemas", GITHUB_OUTPUT=str(outputs)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert f"::error file={APP}/ws/deployment.yaml,line=8,col=3,title=ws-single-replica::" in proc.stdout
    assert outputs.read_text().splitlines() == ["exit-code=1", "sarif=torghut-lint.sarif"]
    sarif = json.loads((repo / "torghut-lint.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["ws-single-replica"]  # the differential gate
    if SARIF_SCHEMA.is_file():
        import jsonschema

        schema = json.loads(SARIF_SCHEMA.read_text())
        jsonschema.validators.validator_for(schema)(schema).validate(sarif)
    assert "<testsuites" in (repo / "torghut-lint.junit.xml").read_text()


def test_ci_script_keeps_quoted_arguments_and_explains_a_shallow_clone(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(BASE_TREE, source)
    (source / "team policies").mkdir()
    (source / "team policies" / "ws-max.yaml").write_text(
        "id: ws-at-most-zero\ntemplate: replica-count\nseverity: error\ndescription: d\nrationale: r\n"
        "match: {kind: Deployment, name: torghut-ws}\nparams: {count: 0}\n"
    )
    run = {"cwd": source, "check": True, "capture_output": True}
    subprocess.run(["git", "init", "-q", "-b", "main"], **run)
    subprocess.run(["git", "-c", "user.email=a@b", "-c", "user.name=a", "add", "-A"], **run)
    subprocess.run(["git", "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "one"], **run)
    subprocess.run(["git", "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "two", "--allow-empty"], **run)
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{source}", str(shallow)], check=True)

    def check(cwd: Path, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", str(ROOT / "scripts" / "ci-check.sh")], cwd=cwd, env=_env(**env), capture_output=True, text=True
        )

    quoted = check(source, TORGHUT_LINT_ARGS='--ignore-missing-schemas --policies "team policies"')
    assert "title=ws-at-most-zero::" in quoted.stdout, quoted.stderr  # one argument, with its space
    refused = check(shallow, TORGHUT_LINT_BASE="HEAD~1")
    assert refused.returncode == 2
    assert "fetch-depth: 0" in refused.stderr


def test_the_example_workflow_always_reports_the_required_check() -> None:
    """A path filter would leave the required check pending on pull requests it skips; a SARIF
    upload that code scanning refuses must not fail the check."""
    workflow = yaml.safe_load((ROOT / "examples" / "github" / "torghut-lint.yml").read_text())
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on` as true
    assert "paths" not in (triggers["pull_request"] or {})
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    upload = next(s for s in action["runs"]["steps"] if s.get("name") == "Upload SARIF")
    assert upload["continue-on-error"] is True


def test_action_runs_the_tested_script() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    runs = " ".join(step.get("run", "") for step in action["runs"]["steps"])
    assert "scripts/ci-check.sh" in runs and (ROOT / "scripts" / "ci-check.sh").is_file()
    assert any(step.get("uses", "").startswith("github/codeql-action/upload-sarif") for step in action["runs"]["steps"])


def test_shipped_manifests_pass_the_linter_and_their_schemas() -> None:
    for path in ("examples/argocd", "deploy/argocd"):
        result = run_cli("--format", "json", path)
        assert result.code == 0, result.stdout
        assert [f for f in result.json["findings"] if f["rule"] != "schema-missing"] == []
    plugin = yaml.safe_load((ROOT / "deploy" / "argocd" / "plugin.yaml").read_text())
    assert plugin["spec"]["generate"]["command"] == ["torghut-lint-cmp"]
