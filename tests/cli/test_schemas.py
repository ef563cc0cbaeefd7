"""Schema validation: strict, located, offline; core kinds, CRD manifests and schema directories."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from conftest import APP, CORPUS, FIXTURES, IN_PROCESS, SHARED, crd_manifest, findings_of, needs_corpus, run_cli
from torghut_lint.schemas.openapi import to_json_schema

CATALOG = SHARED / "schemas" / "crds-catalog"
CRDS = str(FIXTURES / "crds")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_core_typos_types_and_enums_are_located(repo: Path) -> None:
    ws = repo / APP / "ws" / "deployment.yaml"
    _edit(ws, "          readinessProbe:", "          readinesProbe:")
    _edit(ws, "  replicas: 1", '  replicas: "1"')
    result = run_cli("--format", "json", "--crd", CRDS, cwd=repo)
    by_rule = {(f["rule"], f["line"]): f for f in result.json["findings"]}
    ws_file = f"{APP}/ws/deployment.yaml"
    assert {(r, f["file"]) for (r, _), f in by_rule.items()} == {
        ("schema-unknown-field", ws_file),
        ("schema-invalid", ws_file),
        ("ws-readiness-probe", ws_file),  # the typo also leaves the container without a probe
        ("ws-single-replica", ws_file),  # "1" is not 1
    }
    typo = by_rule[("schema-unknown-field", 42)]
    assert "did you mean 'readinessProbe'?" in typo["message"] and typo["column"] == 11
    assert "spec.replicas must be integer, not a string" in by_rule[("schema-invalid", 8)]["message"]
    assert result.code == 1


def test_misplaced_clickhouse_volume_claim_templates(repo: Path) -> None:
    """The real incident: the PVC template nested where the operator ignores it."""
    chi = repo / APP / "clickhouse" / "clickhouse-cluster.yaml"
    _edit(
        chi,
        "  templates:\n    podTemplates:",
        "  volumeClaimTemplates:\n    - name: data\n  templates:\n    podTemplates:",
    )
    found = [f for f in run_cli("--format", "json", "--crd", CRDS, cwd=repo).json["findings"]]
    assert [(f["rule"], f["line"]) for f in found] == [("schema-unknown-field", 51)]
    assert "it belongs at spec.templates.volumeClaimTemplates" in found[0]["message"]


def test_crd_in_the_linted_tree_is_used(repo: Path) -> None:
    (repo / APP / "crds.yaml").write_text((FIXTURES / "crds" / "postgres-flink-knative-sealed.yaml").read_text())
    _edit(repo / APP / "kustomization.yaml", "  - serviceaccount.yaml\n", "  - serviceaccount.yaml\n  - crds.yaml\n")
    _edit(repo / APP / "postgres-cluster.yaml", "instances: 1", "instances: 0")
    _edit(repo / APP / "postgres-cluster.yaml", "primaryUpdateStrategy: unsupervised", "primaryUpdateStrategy: later")
    result = run_cli("--format", "json", "--ignore-missing-schemas", cwd=repo)
    assert findings_of(result) == [("schema-invalid", f"{APP}/postgres-cluster.yaml", n) for n in (6, 7)]
    assert "must be one of 'supervised', 'unsupervised'" in result.json["findings"][1]["message"]


def _add_unknown_kinds(repo: Path) -> None:
    """Two kinds nobody has a schema for, one of them twice."""
    app = repo / APP
    widgets = "".join(
        f"---\napiVersion: example.com/v1\nkind: {kind}\nmetadata:\n  name: {name}\n"
        for kind, name in (("Widget", "a"), ("Widget", "b"), ("Gadget", "c"))
    )
    (app / "widgets.yaml").write_text(widgets)
    kustomization = app / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace("resources:\n", "resources:\n  - widgets.yaml\n", 1))


def test_operator_kinds_are_validated_by_default_and_unknown_ones_reported_once(repo: Path) -> None:
    """The operators' schemas ship with the package (ClickHouse, CNPG, Flink, Knative, SealedSecret,
    ...): the Torghut tree validates with no flag; kinds nobody knows are reported once each."""
    assert run_cli("--format", "json", cwd=repo).json["findings"] == []
    _add_unknown_kinds(repo)
    got = Counter(f["message"].split(" (")[0] for f in run_cli("--format", "json", cwd=repo).json["findings"])
    assert got == {"no schema for Widget": 1, "no schema for Gadget": 1}
    assert run_cli("--format", "json", "--ignore-missing-schemas", cwd=repo).json["findings"] == []


def test_misplaced_volume_claim_templates_are_caught_with_no_flag(repo: Path) -> None:
    """The real incident, with no flag: the bundled ClickHouseInstallation schema knows where
    volumeClaimTemplates belong."""
    chi = repo / APP / "clickhouse" / "clickhouse-cluster.yaml"
    _edit(
        chi,
        "  templates:\n    podTemplates:",
        "  volumeClaimTemplates:\n    - name: data\n  templates:\n    podTemplates:",
    )
    found = run_cli("--format", "json", cwd=repo).json["findings"]
    assert [(f["rule"], f["line"]) for f in found] == [("schema-unknown-field", 51)]


def test_schema_location_layout_and_relaxed_mode(repo: Path, tmp_path: Path) -> None:
    group = tmp_path / "schemas" / "bitnami.com"
    group.mkdir(parents=True)
    (group / "sealedsecret_v1alpha1.json").write_text(
        json.dumps(
            {
                "type": "object",
                "properties": {
                    "spec": {
                        "type": "object",
                        "properties": {"encryptedData": {"type": "object", "additionalProperties": {"type": "string"}}},
                    }
                },
            }
        )
    )
    _edit(repo / APP / "sealed-secrets.yaml", "  encryptedData:\n    password:", "  encryptedDate:\n    password:")
    args = ("--format", "json", "--crd", CRDS, "--schema-location", str(tmp_path / "schemas"))
    got = findings_of(run_cli(*args, cwd=repo))
    assert got == [("schema-unknown-field", f"{APP}/sealed-secrets.yaml", 19)]
    assert findings_of(run_cli(*args, "--no-strict", cwd=repo)) == []


def test_schema_messages_never_quote_values(repo: Path) -> None:
    _edit(repo / APP / "ws" / "configmap.yaml", "  ALPACA_FEED: iex", "  ALPACA_FEED: [hunter2-value-in-a-list]")
    result = run_cli("--format", "json", "--crd", CRDS, cwd=repo)
    assert [f["rule"] for f in result.json["findings"]] == ["schema-invalid"]
    assert "hunter2" not in result.stdout


def test_unknown_kubernetes_version_is_a_usage_error(repo: Path) -> None:
    result = run_cli("--kubernetes-version", "1.10", cwd=repo)
    assert result.code == 2 and "no bundled schemas for Kubernetes 1.10" in result.stderr
    assert run_cli("--kubernetes-version", "1.29", "--ignore-missing-schemas", cwd=repo).code == 0


def test_openapi_extensions() -> None:
    schema = to_json_schema(
        {
            "type": "object",
            "properties": {
                "port": {"x-kubernetes-int-or-string": True},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True, "properties": {"a": {}}},
                "maybe": {"type": "string", "nullable": True},
                "pod": {"type": "object", "x-kubernetes-embedded-resource": True, "properties": {"spec": {}}},
            },
        },
        strict=True,
    )
    assert schema["additionalProperties"] is False
    assert schema["properties"]["port"]["anyOf"] == [{"type": "integer"}, {"type": "string"}]
    assert "additionalProperties" not in schema["properties"]["free"]
    assert schema["properties"]["maybe"]["type"] == ["string", "null"]
    assert set(schema["properties"]["pod"]["properties"]) == {"spec", "apiVersion", "kind", "metadata"}


@needs_corpus
@pytest.mark.skipif(not CATALOG.is_dir(), reason="../shared/schemas/crds-catalog is not present")
@pytest.mark.parametrize("tree", ["torghut-2026-02-08", "lab-argocd-2026-08-22/applications/torghut"])
def test_corpus_validates_against_the_real_schemas(tree: str) -> None:
    result = run_cli("--format", "json", "--schema-location", str(CATALOG), str(CORPUS / tree))
    schema = [f for f in result.json["findings"] if f["rule"].startswith("schema-")]
    assert [f for f in schema if f["rule"] != "schema-missing"] == []
    # Only the in-house TigerBeetle operator has no public schema.
    assert {f["resource"]["kind"] for f in schema} <= {"TigerBeetleCluster"}


def test_config_severity_reaches_schema_findings(repo: Path) -> None:
    _add_unknown_kinds(repo)
    (repo / ".torghut-lint.yaml").write_text("rules:\n  schema-missing: {severity: warning}\n")
    result = run_cli("--format", "json", "--fail-on", "warning", cwd=repo)
    assert {f["severity"] for f in result.json["findings"]} == {"warning"}
    assert result.code == 1


def test_a_crd_in_the_tree_never_replaces_a_core_schema(repo: Path) -> None:
    """A fake CRD for apps/v1 Deployment (accepting anything) must not switch off validation."""
    fake = (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: deployments.apps\n"
        "spec:\n  group: apps\n  names: {kind: Deployment, plural: deployments}\n  scope: Namespaced\n"
        "  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n"
        "        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}\n"
    )
    (repo / APP / "fake-crd.yaml").write_text(fake)
    _edit(repo / APP / "ws" / "deployment.yaml", "  replicas: 1\n", "  replicas: 1\n  replicaz: 1\n")
    found = [f["rule"] for f in run_cli("--format", "json", cwd=repo).json["findings"]]
    assert "schema-unknown-field" in found


def test_custom_resource_nulls_are_pruned_as_the_api_server_does(repo: Path) -> None:
    """``affinity: {nodeSelector: null}`` on a CNPG Cluster is a server-side-apply idiom: the API
    server prunes the null before validating; so does the linter."""
    _edit(repo / APP / "postgres-cluster.yaml", "spec:\n", "spec:\n  affinity:\n    nodeSelector: null\n")
    assert run_cli("--format", "json", cwd=repo).json["findings"] == []


KUSTOMIZATION_SCHEMA = {
    "type": "object",
    "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "resources": {"type": "array", "items": {"type": "string"}},
        "namePrefix": {"type": "string"},
        "namespace": {"type": "string"},
    },
    "additionalProperties": False,
}


def _many_kustomizations(root: Path, count: int) -> None:
    """``count`` applications (more than one queue batch), each kustomization with a misspelt
    field and a namespace of the wrong type."""
    for i in range(count):
        app = root / f"app{i:03}"
        app.mkdir(parents=True)
        (app / "cm.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n")
        (app / "kustomization.yaml").write_text(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
            f"resources: [cm.yaml]\nnamePrefx: a{i}-\nnamespace: {i}\n"
        )


def test_kustomization_files_are_validated_on_any_number_of_processes(tmp_path: Path) -> None:
    """kustomization.yaml is build input, not a cluster object: validated when a schema for its
    kind is known, every file (in batches of the work queue) located at its line, the same report
    on one process and two; a CRD in the tree for the kind is the schema used, as for any kind."""
    from torghut_lint.check import KUSTOMIZATIONS_BATCH

    schemas = tmp_path / "schemas" / "kustomize.config.k8s.io"
    schemas.mkdir(parents=True)
    (schemas / "kustomization_v1beta1.json").write_text(json.dumps(KUSTOMIZATION_SCHEMA))
    tree = tmp_path / "tree"
    count = KUSTOMIZATIONS_BATCH * 2 + 3
    _many_kustomizations(tree, count)
    args = ("--format", "json", "--no-cache", "--schema-location", str(tmp_path / "schemas"), str(tree))
    reports = [run_cli(*args, env={"TORGHUT_LINT_JOBS": jobs}) for jobs in ("1", "2")]
    assert reports[0].stdout == reports[1].stdout
    found = Counter((rule, line) for rule, _, line in findings_of(reports[0]) if rule.startswith("schema"))
    assert found == {("schema-unknown-field", 4): count, ("schema-invalid", 5): count}
    # The plan validates each file as it reads it, before any CRD is known: a CRD for the kind,
    # in the tree or given with --crd, is the schema used all the same (a namespace may be a number
    # here; the misspelt field is still unknown).
    numeric = json.loads(json.dumps(KUSTOMIZATION_SCHEMA))
    numeric["properties"]["namespace"] = {"type": "integer"}
    crd = json.dumps(crd_manifest("kustomize.config.k8s.io", "Kustomization", "v1beta1", numeric))
    (tmp_path / "given-crd.yaml").write_text(crd)
    given = run_cli(*args, "--crd", str(tmp_path / "given-crd.yaml"), env={"TORGHUT_LINT_JOBS": "2"})
    (tree / "crds").mkdir()
    (tree / "crds" / "kustomization-crd.yaml").write_text(crd)
    for report in (given, run_cli(*args, env={"TORGHUT_LINT_JOBS": "2"})):
        found = Counter((rule, line) for rule, _, line in findings_of(report) if rule.startswith("schema"))
        assert found == {("schema-unknown-field", 4): count}, report.stdout[:2000]


@pytest.mark.skipif(not IN_PROCESS, reason="counts the parses of an in-process run")
def test_a_kustomization_file_is_parsed_for_its_schema_by_no_stage_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan reads every kustomization file (to find the applications) and validates it then;
    the build reads it again for its nodes. A third parse only for the schema was 2% of a large
    tree's time."""
    from torghut_lint import parse

    schemas = tmp_path / "schemas" / "kustomize.config.k8s.io"
    schemas.mkdir(parents=True)
    (schemas / "kustomization_v1beta1.json").write_text(json.dumps(KUSTOMIZATION_SCHEMA))
    _many_kustomizations(tmp_path / "tree", 5)
    parsed: Counter[str] = Counter()
    real_parse = parse.parse_bytes

    def counting(data: bytes, path: str, *args, **kwargs) -> parse.ParsedFile:
        parsed[path] += 1
        return real_parse(data, path, *args, **kwargs)

    monkeypatch.setattr(parse, "parse_bytes", counting)
    args = ("--format", "json", "--no-cache", "--schema-location", str(tmp_path / "schemas"), "tree")
    report = run_cli(*args, cwd=tmp_path, env={"TORGHUT_LINT_JOBS": "1"})
    assert Counter(rule for rule, _, _ in findings_of(report) if rule.startswith("schema")) == {
        "schema-unknown-field": 5,
        "schema-invalid": 5,
    }
    kustomizations = {path: n for path, n in parsed.items() if path.endswith("kustomization.yaml")}
    assert len(kustomizations) == 5 and set(kustomizations.values()) == {2}, kustomizations


def test_a_kustomization_file_linked_under_two_names_is_validated_under_each(tmp_path: Path) -> None:
    """The plan parses a file once whatever the names it has; its schema findings must still name
    each kustomization file as given, as they did when each name was validated on its own."""
    schemas = tmp_path / "schemas" / "kustomize.config.k8s.io"
    schemas.mkdir(parents=True)
    (schemas / "kustomization_v1beta1.json").write_text(json.dumps(KUSTOMIZATION_SCHEMA))
    _many_kustomizations(tmp_path / "tree", 1)
    twin = tmp_path / "tree" / "twin"
    twin.mkdir()
    (twin / "cm.yaml").symlink_to("../app000/cm.yaml")
    (twin / "kustomization.yaml").symlink_to("../app000/kustomization.yaml")
    args = ("--format", "json", "--no-cache", "--schema-location", str(tmp_path / "schemas"), "tree")
    report = run_cli(*args, cwd=tmp_path, env={"TORGHUT_LINT_JOBS": "1"})
    found = {(rule, file) for rule, file, _ in findings_of(report) if rule.startswith("schema")}
    assert found == {
        (rule, f"tree/{app}/kustomization.yaml")
        for rule in ("schema-unknown-field", "schema-invalid")
        for app in ("app000", "twin")
    }


# What the API server refuses in metadata whatever the kind's schema says: each case a manifest
# line and the path of the finding (None: accepted).
METADATA = {
    "label key with a space": ("labels: {'a b': x}", "metadata.labels.a b"),
    "label key with two slashes": ("labels: {a/b/c: x}", "metadata.labels.a/b/c"),
    "label key with an uppercase prefix": ("labels: {Example.com/a: x}", "metadata.labels.Example.com/a"),
    "label key of 64 characters": (f"labels: {{{'k' * 64}: x}}", f"metadata.labels.{'k' * 64}"),
    "label value with a star": ("labels: {a: 'w*'}", "metadata.labels.a"),
    "label value ending in a dash": ("labels: {a: x-}", "metadata.labels.a"),
    "annotation key with a space": ("annotations: {'a b': x}", "metadata.annotations.a b"),
    "annotations over 256 KiB": (f"annotations: {{a: '{'x' * 262144}'}}", "metadata.annotations"),
    "an empty label value": ("labels: {a: ''}", None),
    "a qualified label": ("labels: {app.kubernetes.io/name: torghut-ws_1.0}", None),
    "an uppercase annotation prefix": ("annotations: {Example.com/Note: anything at all}", None),
    "annotation values of any text": ("annotations: {note: 'w* x- y/z'}", None),
}


@pytest.mark.parametrize("name", sorted(METADATA))
def test_metadata_the_api_server_refuses_is_invalid(tmp_path: Path, name: str) -> None:
    line, path = METADATA[name]
    (tmp_path / "cm.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  {line}\n")
    found = run_cli("--format", "json", str(tmp_path))
    assert [f["field"] for f in found.json["findings"] if f["rule"] == "schema-invalid"] == ([path] if path else [])


def test_a_pod_templates_labels_are_metadata_too(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: d}}\n"
        "  template:\n    metadata: {labels: {app: d, 'bad key': x}}\n"
        "    spec: {containers: [{name: c, image: 'i@sha256:" + "0" * 64 + "'}]}\n"
    )
    found = run_cli("--format", "json", str(tmp_path))
    invalid = [(f["field"], f["line"]) for f in found.json["findings"] if f["rule"] == "schema-invalid"]
    assert invalid == [("spec.template.metadata.labels.bad key", 7)]
