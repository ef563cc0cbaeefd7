"""The built-in kustomize renderer against `kubectl kustomize`, and its edge cases."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import APP, FIXTURES, findings_of, run_cli
from torghut_lint.assemble import load
from torghut_lint.kustomize.build import content_hash
from torghut_lint.kustomize.images import rewrite_image

needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")


def _kubectl(directory: Path) -> dict[tuple[str, str, str], dict]:
    import subprocess

    out = subprocess.run(["kubectl", "kustomize", str(directory)], check=True, capture_output=True).stdout
    docs = [d for d in yaml.load_all(out, Loader=yaml.CSafeLoader) if d]
    return {(d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"]): d for d in docs}


def _builtin(directory: Path) -> dict[tuple[str, str, str], dict]:
    project = load([directory])
    return {(r.id.kind, r.id.namespace, r.id.name): r.data for r in project.resources}


def _normalise(data: object) -> object:
    """kubectl prints YAML 1.1 timestamps back as strings, and sorts keys: compare as JSON."""
    import json

    return json.loads(json.dumps(data, default=str, sort_keys=True))


@pytest.mark.slow
@needs_kubectl
@pytest.mark.parametrize("tree", ["torghut", "drifted"])
def test_builtin_rendering_equals_kubectl(tree: str) -> None:
    directory = FIXTURES / tree / APP
    ours, theirs = _builtin(directory), _kubectl(directory)
    assert set(ours) == set(theirs)
    for key in ours:
        assert _normalise(ours[key]) == _normalise(theirs[key]), key


@needs_kubectl
def test_config_map_generator_hash_matches_kubectl(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text(
        "configMapGenerator:\n  - name: cfg\n    literals: [A=1, B=<x>&y]\n    files: [app.conf]\n"
    )
    (tmp_path / "app.conf").write_text("key = value\n")
    ours, theirs = _builtin(tmp_path), _kubectl(tmp_path)
    assert set(ours) == set(theirs)
    assert list(ours)[0][2].startswith("cfg-")


def test_content_hash_is_stable() -> None:
    assert content_hash("ConfigMap", {"A": "1"}, "") == "89g4tffbfk"  # what kubectl kustomize prints
    assert len(content_hash("Secret", {"a": "1"}, "Opaque")) == 10


def test_images_transformer() -> None:
    image = {"name": "reg/app", "newTag": "v2"}
    assert rewrite_image("reg/app:v1", image) == "reg/app:v2"
    assert rewrite_image("reg/app", {"name": "reg/app", "digest": "sha256:ab"}) == "reg/app@sha256:ab"
    assert rewrite_image("reg/other:v1", image) == "reg/other:v1"
    assert rewrite_image("host:5000/reg/app:v1", {"name": "host:5000/reg/app", "newName": "x/app"}) == "x/app:v1"


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


KUST = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  A: '1'\n"


def test_cycle_outside_repo_remote_and_missing(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    repo = _tree(
        tmp_path,
        {
            "app/kustomization.yaml": KUST + "resources:\n  - ../b\n  - missing.yaml\n  - https://example.com/x.yaml\n"
            "  - ../../outside\n  - cm.yaml\n",
            "app/cm.yaml": CM.format(name="a"),
            "b/kustomization.yaml": KUST + "resources:\n  - ../app\n",
        },
    )
    result = run_cli("--format", "json", "app", cwd=repo)
    got = findings_of(result)
    assert ("kustomize-cycle", "b/kustomization.yaml", 4) in got
    assert ("kustomize-missing-resource", "app/kustomization.yaml", 5) in got
    assert ("kustomize-remote-resource", "app/kustomization.yaml", 6) in got
    assert ("kustomize-outside-root", "app/kustomization.yaml", 7) in got
    assert result.code == 1


def test_json6902_and_strategic_merge_keep_patch_locations(tmp_path: Path) -> None:
    repo = _tree(
        tmp_path,
        {
            "app/kustomization.yaml": KUST + "resources: [deploy.yaml]\npatches:\n  - path: env.patch.yaml\n"
            "  - target: {kind: Deployment, name: torghut-ws}\n    patch: |-\n      - op: replace\n"
            "        path: /spec/replicas\n        value: 4\n",
            "app/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: torghut-ws\nspec:\n"
            "  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: ws\n          image: ws:1\n"
            "          env:\n            - name: A\n              value: '1'\n",
            "app/env.patch.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: torghut-ws\nspec:\n"
            "  template:\n    spec:\n      containers:\n        - name: ws\n          env:\n"
            "            - name: TRADING_MODE\n              value: live\n",
        },
    )
    got = findings_of(run_cli("--format", "json", "app", cwd=repo))
    assert ("ws-single-replica", "app/kustomization.yaml", 10) in got
    assert ("live-trading-default-off", "app/env.patch.yaml", 12) in got
    project = load([repo / "app"])
    env = project.resources[0].data["spec"]["template"]["spec"]["containers"][0]["env"]
    assert [e["name"] for e in env] == ["TRADING_MODE", "A"]  # kustomize's order: the patch's items first


def test_unmatched_patch_is_reported(tmp_path: Path) -> None:
    """An untargeted strategic-merge patch whose object does not exist: kustomize refuses the
    build ("no resource matches strategic merge patch"), so it blocks."""
    repo = _tree(
        tmp_path,
        {
            "app/kustomization.yaml": KUST + "resources: [cm.yaml]\npatches:\n  - path: p.yaml\n",
            "app/cm.yaml": CM.format(name="a"),
            "app/p.yaml": CM.format(name="b"),
        },
    )
    result = run_cli("--format", "json", "app", cwd=repo)
    assert ("kustomize-patch-invalid", "app/kustomization.yaml", 5) in findings_of(result)
    assert result.code == 1


def test_helm_chart_is_reported_and_values_scanned(tmp_path: Path) -> None:
    repo = _tree(
        tmp_path,
        {
            "app/kustomization.yaml": KUST + "helmCharts:\n  - name: jupyterhub\n    version: 4.4.0\n"
            "    valuesFile: values.yaml\n",
            "app/values.yaml": "hub:\n  db:\n    password: hunter2-plaintext\n",
        },
    )
    result = run_cli("--format", "json", "app", cwd=repo)
    got = findings_of(result)
    assert ("kustomize-helm-not-rendered", "app/kustomization.yaml", 4) in got
    assert ("no-inline-secrets", "app/values.yaml", 3) in got
    assert "hunter2-plaintext" not in result.stdout


def test_plain_directory_without_kustomization_is_linted(tmp_path: Path) -> None:
    repo = _tree(tmp_path, {"apps/svc.yaml": CM.format(name="x").replace("A: '1'", "TRADING_MODE: live")})
    got = findings_of(run_cli("--format", "json", "apps", cwd=repo))
    assert ("live-trading-default-off", "apps/svc.yaml", 6) in got


@pytest.mark.slow
@needs_kubectl
def test_kubectl_rendering_maps_findings_back_to_sources() -> None:
    args = ("--format", "json", "drifted/argocd/applications/torghut")
    builtin = findings_of(run_cli(*args, cwd=FIXTURES))
    rendered = findings_of(run_cli(*args, "--render", "kubectl", cwd=FIXTURES))
    assert rendered == builtin
    assert ("ws-single-replica", "drifted/argocd/applications/torghut/ws-scale.patch.yaml", 6) in rendered


@needs_kubectl
def test_helm_tree_is_rendered_by_kubectl_without_the_chart(tmp_path: Path) -> None:
    """kubectl runs without --enable-helm: the application is rendered from a staged copy with the
    chart left out (everything else is still kustomize's rendering), the chart is reported at
    its entry, and a patch that can only target the chart's output does not break the render."""
    repo = _tree(
        tmp_path,
        {
            "app/kustomization.yaml": KUST
            + "resources: [cm.yaml]\nhelmCharts:\n  - name: x\n    repo: https://e.x\n"
            + "patches:\n  - path: chart.patch.yaml\n",
            "app/cm.yaml": CM.format(name="a").replace("A: '1'", "TRADING_MODE: live"),
            "app/chart.patch.yaml": CM.format(name="from-the-chart"),
        },
    )
    result = run_cli("--format", "json", "--render", "verify", "app", cwd=repo)
    got = findings_of(result)
    assert ("kustomize-helm-not-rendered", "app/kustomization.yaml", 5) in got
    assert ("live-trading-default-off", "app/cm.yaml", 6) in got
    assert not any(rule in ("kustomize-render-failed", "kustomize-render-mismatch") for rule, _, _ in got), got


def test_kubectl_failure_is_reported_and_builtin_used(tmp_path: Path) -> None:
    """A kubectl that fails (here a stand-in on PATH): a blocking finding at the kustomization, its
    error masked, and the built-in rendering still checked."""
    repo = _tree(
        tmp_path,
        {
            "app/kustomization.yaml": KUST + "resources: [cm.yaml]\n",
            "app/cm.yaml": CM.format(name="a").replace("A: '1'", "TRADING_MODE: live"),
        },
    )
    fake = tmp_path / "bin" / "kubectl"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'error: literal password=Hunter2Secret99 is bad' >&2\nexit 1\n")
    fake.chmod(0o755)
    env = {"PATH": f"{fake.parent}:{os.environ['PATH']}"}
    result = run_cli("--format", "json", "--render", "kubectl", "app", cwd=repo, env=env)
    got = findings_of(result)
    assert ("kustomize-render-failed", "app/kustomization.yaml", 0) in got
    assert ("live-trading-default-off", "app/cm.yaml", 6) in got
    assert "Hunter2Secret99" not in result.stdout


def test_a_base_shared_by_several_apps_is_transformed_afresh_for_each(tmp_path: Path) -> None:
    """Three apps include one base with their own suffix, labels and patch: no app sees what
    another one's transformers did to the shared files (a patch on the base name still matches)."""
    files = {"base/kustomization.yaml": KUST + "resources: [cm.yaml]\n", "base/cm.yaml": CM.format(name="web")}
    for app in ("a", "b", "c"):
        files[f"{app}/kustomization.yaml"] = (
            KUST
            + f"nameSuffix: -{app}\ncommonLabels:\n  app: {app}\n"
            + "resources: [../base]\npatches:\n  - path: p.yaml\n"
        )
        files[f"{app}/p.yaml"] = CM.format(name="web").replace("A: '1'", f"B: '{app}'")
    _tree(tmp_path, files)
    project = load([tmp_path])
    built = {Path(r.app).name: (r.id.name, r.data["metadata"]["labels"], r.data["data"]) for r in project.resources}
    assert built == {app: (f"web-{app}", {"app": app}, {"A": "1", "B": app}) for app in ("a", "b", "c")}
    assert not [f for f in project.findings if f.rule == "kustomize-patch-unmatched"]


def test_the_kustomize_binary_renders_where_kubectl_is_absent(tmp_path: Path) -> None:
    """The plugin image ships `kustomize`, not kubectl: `--render kubectl` uses `kustomize build`."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed (the stand-in kustomize calls it)")
    repo = _tree(
        tmp_path,
        {
            "app/kustomization.yaml": KUST + "resources: [cm.yaml]\n",
            "app/cm.yaml": CM.format(name="a").replace("A: '1'", "TRADING_MODE: live"),
        },
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls"
    stand_in = bin_dir / "kustomize"
    stand_in.write_text(f'#!/bin/sh\necho "$@" >> {log}\n[ "$1" = build ] || exit 2\nexec {kubectl} kustomize "$2"\n')
    stand_in.chmod(0o755)
    result = run_cli("--format", "json", "--render", "kubectl", "app", cwd=repo, env={"PATH": str(bin_dir)})
    assert ("live-trading-default-off", "app/cm.yaml", 6) in findings_of(result)
    assert log.read_text().startswith("build ")


def test_a_kustomization_the_application_does_not_include_is_an_orphan(tmp_path: Path) -> None:
    """A path with a kustomization is one application, as Argo CD builds it: a FlinkDeployment in
    a kustomization below it that it does not include is never applied (it used to block)."""
    repo = _tree(
        tmp_path,
        {
            "app/kustomization.yaml": KUST + "resources: [cm.yaml]\n",
            "app/cm.yaml": CM.format(name="a"),
            "app/old/kustomization.yaml": KUST + "resources: [flink.yaml]\n",
            "app/old/flink.yaml": "apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\nmetadata:\n"
            "  name: torghut-ta\nspec:\n  flinkConfiguration:\n    state.checkpoints.dir: file:///tmp\n",
        },
    )
    got = findings_of(run_cli("--format", "json", "app", cwd=repo))
    assert {rule for rule, _, _ in got} == {"kustomize-orphan"}, got


def test_a_chart_directory_with_a_kustomization_is_a_kustomize_application(tmp_path: Path) -> None:
    """Argo CD checks for a kustomization after Chart.yaml: kustomize wins. Its SealedSecret is a
    manifest (no inline-secret false positive on ciphertext) and its values file stays Helm's."""
    repo = _tree(
        tmp_path,
        {
            "coder/Chart.yaml": "apiVersion: v2\nname: coder\nversion: 1.0.0\n",
            "coder/values.yaml": "replicas: 1\n",
            "coder/kustomization.yaml": KUST + "resources: [sealed.yaml]\n",
            "coder/sealed.yaml": "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: t\n"
            "spec:\n  encryptedData:\n    GITHUB_TOKEN: AgBy3i4OJSWK+PiTySYZZA1aa1c2c3e4f5a6b7c8d9e0f==\n",
        },
    )
    result = run_cli("--format", "json", "coder", cwd=repo)
    assert result.json["findings"] == [], result.stdout
    assert result.json["summary"]["resources"] == 1


def test_enable_helm_renders_a_chart_kept_in_the_repository(tmp_path: Path) -> None:
    """--enable-helm (as Argo CD's kustomize.buildOptions): a local chart is rendered by kustomize
    with the installed helm (here a stand-in that prints what `helm template` would), and the
    policies see its output; without the flag the chart is reported, not rendered."""
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed")
    repo = _tree(
        tmp_path,
        {
            "app/kustomization.yaml": "helmCharts:\n  - name: mychart\n    releaseName: r\n",
            "app/charts/mychart/Chart.yaml": "apiVersion: v2\nname: mychart\nversion: 0.1.0\n",
            "app/charts/mychart/values.yaml": "live: true\n",
        },
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helm = bin_dir / "helm"
    helm.write_text(
        "#!/bin/sh\ncase \"$1\" in\n  version) echo v3.14.0; exit 0;;\n  template) cat <<'Y'\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-chart\n  annotations:\n"
        "    torghut.proompteng.ai/live-trading-owner: desk\ndata:\n  TRADING_LIVE_ENABLED: 'true'\nY\n"
        "  exit 0;;\nesac\nexit 1\n"
    )
    helm.chmod(0o755)
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}"}
    rendered = run_cli("--format", "json", "--render", "kubectl", "--enable-helm", "app", cwd=repo, env=env)
    assert findings_of(rendered) == [("live-trading-default-off", "app/kustomization.yaml", 1)]
    assert sorted(p.name for p in (repo / "app" / "charts").iterdir()) == ["mychart"]  # nothing written
    plain = run_cli("--format", "json", "--render", "kubectl", "app", cwd=repo, env=env)
    assert findings_of(plain) == [("kustomize-helm-not-rendered", "app/kustomization.yaml", 2)]


def test_a_tree_outside_any_repository_follows_references_as_kustomize_does(tmp_path: Path) -> None:
    """No git work tree and linted from elsewhere: there is no repository to stay in, so an
    overlay's ../base is followed (kubectl renders it), not reported as outside the repository."""
    tree = tmp_path / "tree"
    for rel, text in {
        "base/kustomization.yaml": KUST + "resources: [cm.yaml]\n",
        "base/cm.yaml": CM.format(name="a").replace("A: '1'", "TRADING_MODE: live"),
        "overlays/prod/kustomization.yaml": KUST + "resources: [../../base]\nnamePrefix: p-\n",
    }.items():
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_text(text)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli("--format", "json", str(tree / "overlays" / "prod"), cwd=elsewhere)
    rules = {f["rule"] for f in result.json["findings"]}
    assert "kustomize-outside-root" not in rules and "live-trading-default-off" in rules, rules


@pytest.mark.parametrize(
    "text, ident",
    [
        ("apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: n}\n", ("v1", "Service", "n", "a")),
        ("kind: Service\nmetadata: {name: a}\n", ("", "Service", "", "a")),
        # a repeated key: the last one, as everything reading nodes takes it
        ("kind: A\nkind: B\nmetadata: {name: x, name: y}\n", ("", "B", "", "y")),
        ("kind: [A]\nmetadata: {name: {x: 1}}\n", ("", "", "", "")),
        ("metadata: {name: a}\nmetadata: oops\n", ("", "", "", "")),
        ("- not a mapping\n", ("", "", "", "")),
    ],
)
def test_identity_read_from_nodes_takes_the_last_key(text: str, ident: tuple) -> None:
    from torghut_lint.kustomize.namerefs import ident as _ident

    assert _ident(yaml.compose(text)) == ident


@pytest.mark.parametrize(
    ("name", "text", "line", "column"),
    [
        ("init.sql", "-- seed\nCREATE DATABASE t;\nCREATE USER app WITH PASSWORD 'Tr4d1ngS3cretPw';\n", 3, 32),
        ("app.properties", "a=1\nb=2\n  db.password=Tr4d1ngS3cretPw\n", 3, 15),
    ],
)
def test_a_finding_in_a_generator_s_file_source_is_at_its_line_of_that_file(
    tmp_path: Path, name: str, text: str, line: int, column: int
) -> None:
    """A configMapGenerator's ``files:`` entry: the file's text is the value, its first line the
    value's first (a YAML block scalar's first line follows its indicator's: counted so, every
    finding in such a file was a line late)."""
    (tmp_path / "kustomization.yaml").write_text(f"configMapGenerator:\n  - name: init\n    files: [{name}]\n")
    (tmp_path / name).write_text(text)
    result = run_cli("--format", "json", str(tmp_path))
    assert [(f["file"].rsplit("/", 1)[-1], f["line"], f["column"]) for f in result.json["findings"]] == [
        (name, line, column)
    ]
