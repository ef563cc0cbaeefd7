"""The real Torghut trees in ../shared/corpus (skipped when absent)."""

from __future__ import annotations

from collections import Counter

import pytest

from conftest import CORPUS, needs_corpus, run_cli

pytestmark = needs_corpus
OLD = CORPUS / "torghut-2026-02-08"
LAB = CORPUS / "lab-argocd-2026-08-22"


def _findings(path) -> list[dict]:
    result = run_cli("--format", "json", str(path))
    assert result.stderr == ""
    assert result.code in (0, 1)
    return result.json["findings"]


def test_2026_02_08_reports_the_known_gaps() -> None:
    found = {(f["rule"], f["file"].split("torghut-2026-02-08/")[1], f["line"]) for f in _findings(OLD)}
    assert ("pvc-disk-budget", "clickhouse/clickhouse-cluster.yaml", 110) in found  # storage: 50Gi
    assert ("live-trading-owner", "knative-service.yaml", 3) in found
    assert ("kustomize-orphan", "ta/deployment.yaml", 1) in found
    assert not [f for f in found if f[0] in ("no-inline-secrets", "yaml-syntax", "manifest-invalid")]


def test_2026_02_08_budget_message_shows_the_arithmetic() -> None:
    budget = [f for f in _findings(OLD) if f["rule"] == "pvc-disk-budget"]
    assert any("2 x 50Gi = 100Gi; budget 2 x 20Gi = 40Gi" in f["message"] for f in budget)


def test_lab_torghut_has_no_false_secret_or_parse_errors() -> None:
    findings = _findings(LAB / "applications" / "torghut")
    rules = Counter(f["rule"] for f in findings)
    assert rules["no-inline-secrets"] == 0
    assert rules["yaml-syntax"] == 0 and rules["manifest-invalid"] == 0
    # The 2026-08 tree really does run live trading and 50Gi volumes: those are true findings.
    assert rules["live-trading-default-off"] >= 1 and rules["pvc-disk-budget"] >= 1
    assert rules["kustomize-helm-not-rendered"] == 1


@pytest.mark.slow
def test_whole_lab_tree_lints_without_crash_and_reports_each_bad_file_once() -> None:
    findings = _findings(LAB)
    per_file = Counter(f["file"] for f in findings if f["rule"] == "yaml-syntax")
    assert all(n == 1 for n in per_file.values())
    helm_templates = [f for f in findings if f["rule"] == "kustomize-helm-not-rendered" and "/templates/" in f["file"]]
    assert len(helm_templates) == 5  # the tigresse chart's templates: not YAML until Helm renders them
