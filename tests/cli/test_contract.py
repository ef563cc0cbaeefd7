"""Rule ids and exit codes are a public contract that hooks, CI jobs and dashboards parse: a
rename must be deliberate, so this list changes only together with the README and a note."""

from __future__ import annotations

import re

from conftest import ROOT, run_cli

RULE_IDS = {
    # policies
    "argocd-hook-hygiene", "clickhouse-system-log-ttl", "clickhouse-table-ttl", "env-duplicate-name",
    "flink-checkpoints-durable", "knative-max-scale", "live-trading-default-off", "live-trading-owner",
    "llm-shadow-first", "no-inline-secrets", "pvc-disk-budget", "ta-group-id-isolation", "ws-readiness-probe",
    "trading-loop-single-replica", "ws-single-replica",
    # built-in
    "admission-mutation", "admission-policy-invalid", "argocd-source-override", "baseline-not-compared",
    "file-outside-root", "file-unreadable",
    "argocd-source-moved", "argocd-not-pruned", "gate-config-changed", "gate-waiver-added", "jsonnet-not-rendered",
    "kustomize-cycle",
    "kustomize-helm-not-rendered", "kustomize-input-truncated", "kustomize-invalid", "kustomize-load-restricted",
    "kustomize-missing-resource",
    "kustomize-orphan",
    "kustomize-outside-root", "kustomize-patch-invalid", "kustomize-patch-unmatched", "kustomize-remote-resource",
    "kustomize-render-failed", "kustomize-render-mismatch", "kustomize-too-complex", "kustomize-unsupported",
    "manifest-invalid",
    "manifest-outside-root",
    "schema-invalid", "schema-missing", "schema-unknown-field", "submodule-not-checked-out",
    "waiver-expired", "waiver-invalid", "waiver-unused",
    "yaml-duplicate-key",
    "yaml-syntax", "yaml-too-complex", "yaml-too-large",
}  # fmt: skip


def test_rule_ids_are_stable_and_documented() -> None:
    listed = {line.split()[0] for line in run_cli("rules").stdout.splitlines() if line.strip()}
    assert listed == RULE_IDS
    readme = (ROOT / "README.md").read_text()
    undocumented = [rule for rule in RULE_IDS if f"`{rule}`" not in readme]
    assert undocumented == []


def test_exit_codes_are_documented() -> None:
    readme = (ROOT / "README.md").read_text()
    table = re.findall(r"^\| ([0-3]) \|", readme, re.M)
    assert table == ["0", "1", "2", "3"]
