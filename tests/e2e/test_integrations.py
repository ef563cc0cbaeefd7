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
def test_cmp_prints_what_the_kustomize_the_lint_ran_renders(tmp_path: Path) -> None:
    """With kubectl and a kustomize binary both on PATH (two kustomize versions may render one
    tree differently), the plugin prints the rendering of the kustomize the lint checked."""
    shutil.copytree(BASE_TREE, tmp_path / "repo")
    (tmp_path / "repo" / ".torghut-lint.yaml").write_text("schemas:\n  ignoreMissing: true\n")
    other = tmp_path / "bin" / "kustomize"
    other.parent.mkdir()
    other.write_text("#!/bin/sh\necho 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: another-kustomize}'\n")
    other.chmod(0o755)
    app_dir = tmp_path / "repo" / APP
    proc = _cmp(app_dir, str(APP), PATH=f"{other.parent}:{_env()['PATH']}")
    assert proc.returncode == 0, proc.stderr.decode()
    expected = subprocess.run(["kubectl", "kustomize", "."], cwd=app_dir, capture_output=True, check=True).stdout
    assert proc.stdout == expected


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
    proc = _cmp(app_dir, str(APP), TORGHUT_LINT_ARGS="--no-such-flag")
    assert proc.returncode == 2 and b"--no-such-flag" in proc.stderr  # the sidecar's args are read
    proc = _cmp(app_dir, str(APP), ARGOCD_ENV_TORGHUT_LINT_ARGS="--fail-on warning --no-such-level")
    assert proc.returncode == 2 and b"--no-such-level" in proc.stderr  # and the Application's


@needs_kubectl
def test_cmp_refuses_what_an_application_could_weaken_the_check_with(tmp_path: Path) -> None:
    """An Application's plugin env may make the check stricter, never laxer: a config of the
    tree that switches the failing rule off is refused (nothing rendered), in every spelling
    argparse would take, while the same flag from the sidecar's own env applies."""
    shutil.copytree(BASE_TREE, tmp_path / "repo")
    scale_ws(tmp_path / "repo")
    (tmp_path / "repo" / "lax.yaml").write_text("rules:\n  ws-single-replica: {enabled: false}\n")
    app_dir = tmp_path / "repo" / APP
    lax = f"--config {tmp_path / 'repo' / 'lax.yaml'} --ignore-missing-schemas"
    for args in (lax, lax.replace("--config ", "--conf="), "--fail-on never", "--fail-on 'unclosed"):
        proc = _cmp(app_dir, str(APP), ARGOCD_ENV_TORGHUT_LINT_ARGS=args)
        stderr = proc.stderr.decode()
        assert proc.returncode == 2 and proc.stdout == b"", stderr
        assert "refusing to render torghut" in stderr and "Traceback" not in stderr and "lax.yaml" not in stderr
    proc = _cmp(app_dir, str(APP), ARGOCD_ENV_TORGHUT_LINT_ARGS="--fail-on warning -v")
    assert proc.returncode == 1 and b"ws-single-replica" in proc.stderr  # stricter: taken, and the lint fails
    proc = _cmp(app_dir, str(APP), TORGHUT_LINT_ARGS=lax)
    assert proc.returncode == 0, proc.stderr.decode()  # the sidecar's own env is the platform's: applied


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
    outputs, summary = tmp_path / "github_output", tmp_path / "step_summary"
    summary.write_text("earlier step\n")
    env = _env(
        TORGHUT_LINT_BASE="main",
        TORGHUT_LINT_ARGS="--ignore-missing-schemas",
        GITHUB_OUTPUT=str(outputs),
        GITHUB_STEP_SUMMARY=str(summary),
    )
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "ci-check.sh")], cwd=repo, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1, proc.stderr
    assert f"::error file={APP}/ws/deployment.yaml,line=8,col=3,title=ws-single-replica::" in proc.stdout
    assert outputs.read_text().splitlines() == [
        "exit-code=1",
        "sarif=torghut-lint.sarif",
        "junit=torghut-lint.junit.xml",
    ]
    job_summary = summary.read_text()
    assert job_summary.startswith("earlier step\n## torghut-lint: ❌ 1 blocking finding(s)\n")  # appended
    assert "Differential gate: 1 finding(s) the base revision has as well are not listed." in job_summary
    assert f"| ❌ ✎ | {APP}/ws/deployment.yaml:8 | ws-single-replica |" in job_summary  # the PR's file, marked
    assert "| ❌ | ClickHouseInstallation torghut-clickhouse volumeClaimTemplate chi-data | 2 x 30Gi = 60Gi |" in (
        job_summary
    )  # the state of every volume, also where the base revision already breaks the budget
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
    outputs, summary = tmp_path / "github_output", tmp_path / "step_summary"
    (shallow / "torghut-lint.sarif").write_text("{}")  # from an earlier run: never passed off as this one's
    refused = check(shallow, TORGHUT_LINT_BASE="HEAD~1", GITHUB_OUTPUT=str(outputs), GITHUB_STEP_SUMMARY=str(summary))
    assert refused.returncode == 2
    assert "fetch-depth: 0" in refused.stderr
    assert outputs.read_text().splitlines() == ["exit-code=2"]  # no report named that was not written
    assert summary.read_text().startswith("## torghut-lint: could not lint (exit 2)")


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
    # the install component as a user's kustomization uses it (alone, its patch has no repo-server)
    for path in ("examples/argocd", "fixtures/argocd-install"):
        result = run_cli("--format", "json", path)
        assert result.code == 0, result.stdout
        assert [f for f in result.json["findings"] if f["rule"] != "schema-missing"] == []
    plugin = yaml.safe_load((ROOT / "deploy" / "argocd" / "plugin.yaml").read_text())
    assert plugin["spec"]["generate"]["command"] == ["torghut-lint-cmp"]


HELM_APP = {
    "kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: demo\n"
    "resources:\n  - cm.yaml\nhelmCharts:\n  - name: demo\n    releaseName: demo\n"
    "    valuesInline:\n      replicas: 1\n",
    "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  a: b\n",
    "charts/demo/Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
    "charts/demo/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-v\n"
    'data:\n  replicas: "{{ .Values.replicas }}"\n',
}


@needs_kubectl
@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv for uid 999")
def test_sidecar_generate_as_uid_999_without_a_passwd_entry_renders_or_refuses_helm() -> None:
    """The generate command exactly as the CMP sidecar runs it: uid/gid 999 with no passwd entry
    (Argo CD's image user), Argo CD's build environment only, cwd the application, stdin closed,
    on a tree with a local Helm chart and the sidecar's env giving --enable-helm."""
    import pwd
    import tempfile

    with pytest.raises(KeyError):
        pwd.getpwuid(999)  # the point: nothing may need a home directory or a user name
    scratch = Path(tempfile.mkdtemp(prefix="torghut-cmp-"))
    try:
        app = scratch / "repo" / "apps" / "demo"
        for name, text in HELM_APP.items():
            (app / name).parent.mkdir(parents=True, exist_ok=True)
            (app / name).write_text(text)
        subprocess.run(["chown", "-R", "999:999", str(scratch)], check=True)
        scratch.chmod(0o755)
        env = {
            "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
            "PYTHONPATH": str(ROOT),
            "PYTHONDONTWRITEBYTECODE": "1",
            "ARGOCD_APP_NAME": "demo",
            "ARGOCD_APP_NAMESPACE": "demo",
            "ARGOCD_APP_REVISION": "0123456789abcdef0123456789abcdef01234567",
            "ARGOCD_APP_SOURCE_PATH": "apps/demo",
            "ARGOCD_APP_SOURCE_REPO_URL": "https://git.example.com/gitops.git",
            "ARGOCD_APP_SOURCE_TARGET_REVISION": "main",
            "KUBE_VERSION": "1.31.4",
            "KUBE_API_VERSIONS": "v1,apps/v1,batch/v1",
            "TORGHUT_LINT_ARGS": "--enable-helm --ignore-missing-schemas",  # the sidecar's, as installed
            "ARGOCD_ENV_TORGHUT_LINT_ARGS": "--fail-on error",
        }
        proc = subprocess.run(
            ["setpriv", "--reuid=999", "--regid=999", "--clear-groups", "--",
             sys.executable, "-m", "torghut_lint.integrations.argocd_cmp"],
            cwd=app, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=120,
        )  # fmt: skip
        stderr = proc.stderr.decode()
        assert "Traceback" not in stderr and "internal error" not in stderr, stderr
        expected = subprocess.run(["kubectl", "kustomize", "--enable-helm", "."], cwd=app, capture_output=True)
        if shutil.which("helm") and expected.returncode == 0:
            assert proc.returncode == 0, stderr
            assert proc.stdout == expected.stdout  # exactly what Argo CD's kustomize would render
        else:  # the documented refusal: the chart cannot be seen, so nothing is rendered
            assert proc.returncode == 1 and proc.stdout == b""
            assert "kustomization.yaml:7:5: error kustomize-helm-not-rendered" in stderr, stderr
            assert "refusing to render demo" in stderr
    finally:
        shutil.rmtree(scratch)


@needs_kubectl
def test_cmp_stamps_the_synced_revision_and_uses_the_clusters_kubernetes_version(tmp_path: Path) -> None:
    shutil.copytree(BASE_TREE, tmp_path / "repo")
    (tmp_path / "repo" / ".torghut-lint.yaml").write_text("schemas:\n  ignoreMissing: true\n")
    app_dir = tmp_path / "repo" / APP
    job = (ROOT / "examples" / "argocd" / "presync-hook-job.yaml").read_text()
    (app_dir / "presync.yaml").write_text(job)
    kustomization = app_dir / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace("resources:\n", "resources:\n  - presync.yaml\n", 1))
    sha = "89abcdef0123456789abcdef0123456789abcdef"
    proc = _cmp(app_dir, str(APP), ARGOCD_APP_REVISION=sha, KUBE_VERSION="1.30.2")
    assert proc.returncode == 0, proc.stderr.decode()
    rendered = [d for d in yaml.safe_load_all(proc.stdout) if d and d["kind"] == "Job"]
    env = {e["name"]: e.get("value") for e in rendered[0]["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["GIT_REVISION"] == sha  # the revision being synced, not a branch
    assert b"__ARGOCD_APP_REVISION__" not in proc.stdout
    unknown = _cmp(app_dir, str(APP), ARGOCD_APP_REVISION="main")
    assert unknown.returncode == 1 and b"ARGOCD_APP_REVISION is not a commit id" in unknown.stderr
    assert unknown.stdout == b""
    too_old = _cmp(app_dir, str(APP), ARGOCD_APP_REVISION=sha, KUBE_VERSION="1.2.0")
    assert too_old.returncode == 2 and b"no bundled schemas for Kubernetes 1.2" in too_old.stderr


@needs_kubectl
def test_install_component_adds_the_sidecar_the_way_argo_cd_documents_it() -> None:
    built = subprocess.run(
        ["kubectl", "kustomize", str(ROOT / "fixtures" / "argocd-install")], capture_output=True, check=True
    ).stdout
    docs = {d["kind"]: d for d in yaml.safe_load_all(built) if d}
    pod = docs["Deployment"]["spec"]["template"]["spec"]
    sidecar = next(c for c in pod["containers"] if c["name"] == "torghut-lint")
    assert sidecar["command"] == ["/var/run/argocd/argocd-cmp-server"]
    assert sidecar["image"].startswith("registry.example.com/platform/torghut-lint@sha256:")  # pinned by the user
    assert sidecar["securityContext"]["runAsUser"] == 999 and sidecar["securityContext"]["runAsNonRoot"] is True
    mounts = {m["mountPath"]: m for m in sidecar["volumeMounts"]}
    assert mounts["/var/run/argocd"]["name"] == "var-files"
    assert mounts["/home/argocd/cmp-server/plugins"]["name"] == "plugins"
    assert mounts["/home/argocd/cmp-server/config/plugin.yaml"]["subPath"] == "plugin.yaml"
    volume = next(
        v for v in pod["volumes"] if v["name"] == mounts["/home/argocd/cmp-server/config/plugin.yaml"]["name"]
    )
    config = docs["ConfigMap"]
    assert volume["configMap"]["name"] == config["metadata"]["name"]  # the hashed name, so a change rolls out
    assert yaml.safe_load(config["data"]["plugin.yaml"]) == yaml.safe_load(
        (ROOT / "deploy" / "argocd" / "plugin.yaml").read_text()
    )
    # unpinned (no images: entry), the image's host is a reserved name that never resolves: the
    # sidecar cannot start on whatever some registry serves under a guessed name
    sidecar_patch = (ROOT / "deploy" / "argocd" / "repo-server-sidecar.yaml").read_text()
    assert "image: torghut-lint.invalid/torghut-lint\n" in sidecar_patch
