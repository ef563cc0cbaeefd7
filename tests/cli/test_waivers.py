"""Waivers where the same annotated resource is reached more than once, or checked on another process."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from conftest import APP, BASE_TREE, run_cli, scale_ws

WAIVER = 'torghut-lint.io/waive.no-inline-secrets: "reason=rotated test key; owner=sre; expires=2099-01-01"'
CM = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: creds\n  annotations:\n    {waiver}\n"
    "data:\n  DB_PASSWORD: hunter2-not-a-placeholder\n"
)


def test_a_base_two_apps_include_carries_its_waiver_once(tmp_path: Path) -> None:
    """Both apps render the waived ConfigMap: the finding is waived and the waiver is used (it
    used to be counted twice, the second copy reported as matching nothing)."""
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (tmp_path / "base" / "cm.yaml").write_text(CM.format(waiver=WAIVER))
    for app in ("a", "b"):
        (tmp_path / app).mkdir()
        (tmp_path / app / "kustomization.yaml").write_text("resources: [../base]\n")
    result = run_cli("--format", "json", "--no-schemas", ".", cwd=tmp_path)
    rules = [(f["rule"], f["waived"]) for f in result.json["findings"]]
    assert rules == [("no-inline-secrets", True)]
    assert result.code == 0


def test_waivers_used_and_unused_are_the_same_on_two_processes(tmp_path: Path) -> None:
    for i in range(30):  # enough YAML for two processes
        shutil.copytree(BASE_TREE / APP, tmp_path / f"app-{i:02d}")
    (tmp_path / "app-03" / "creds.yaml").write_text(CM.format(waiver=WAIVER))
    (tmp_path / "app-07" / "unused.yaml").write_text(
        CM.format(waiver=WAIVER).replace("hunter2-not-a-placeholder", "$(DB_PASSWORD)")
    )
    for app, name in (("app-03", "creds.yaml"), ("app-07", "unused.yaml")):
        kust = tmp_path / app / "kustomization.yaml"
        kust.write_text(kust.read_text().replace("resources:\n", f"resources:\n  - {name}\n", 1))
    one = run_cli("--format", "json", "--no-schemas", ".", cwd=tmp_path, env={"TORGHUT_LINT_JOBS": "1"})
    two = run_cli("--format", "json", "--no-schemas", ".", cwd=tmp_path, env={"TORGHUT_LINT_JOBS": "2"})
    assert one.stdout == two.stdout
    found = sorted((f["rule"], f["file"], f["waived"]) for f in one.json["findings"])
    assert found == [
        ("no-inline-secrets", "app-03/creds.yaml", True),
        ("waiver-unused", "app-07/unused.yaml", False),
    ]


def test_an_orphaned_copy_cannot_waive_the_deployed_resource(repo: Path) -> None:
    """A never-applied copy of torghut-ws (a file no kustomization includes) carrying a waiver
    annotation does not waive the real Deployment's finding; the orphan's waiver is invalid."""
    ws = scale_ws(repo)
    copy = repo / APP / "ws" / "old-deployment.yaml"
    copy.write_text(
        ws.read_text().replace(
            "  labels:\n    app: torghut-ws\nspec:",
            "  namespace: torghut\n  labels:\n    app: torghut-ws\n  annotations:\n"
            '    torghut-lint.io/waive.ws-single-replica: "reason=x; owner=me; expires=2099-01-01"\nspec:',
        )
    )
    result = run_cli("--format", "json", "--ignore-missing-schemas", cwd=repo)
    real = [
        f
        for f in result.json["findings"]
        if f["rule"] == "ws-single-replica" and f["file"].endswith("/deployment.yaml")
    ]
    assert real and not real[0]["waived"], result.stdout
    invalid = [f for f in result.json["findings"] if f["rule"] == "waiver-invalid"]
    assert [f["file"] for f in invalid] == [f"{APP}/ws/old-deployment.yaml"]  # only applied resources carry waivers
    assert result.code == 1


def test_a_waiver_whose_owner_names_nobody_waives_nothing(repo: Path) -> None:
    """A waiver must say who accepted the risk: ``owner=-`` or ``owner=TBD`` names nobody."""
    deployment = repo / APP / "ws" / "deployment.yaml"
    original = deployment.read_text()
    for owner, waived in (("-", False), ("TBD", False), ("trading-platform", True)):
        deployment.write_text(original)
        scale_ws(repo, waiver=f"reason=canary; owner={owner}; expires=2099-01-01")
        result = run_cli("--format", "json", "--ignore-missing-schemas", cwd=repo)
        found = {f["rule"]: f for f in result.json["findings"]}
        assert found["ws-single-replica"]["waived"] is waived, (owner, result.stdout)
        assert ("waiver-invalid" in found) is not waived


def test_the_trusted_config_bounds_how_long_a_waiver_may_run(repo: Path) -> None:
    """``gate.maxWaiverDays``: a waiver to 2099 accepts a risk for good; past the bound it is
    invalid and waives nothing (annotation or central); within it, it waives."""
    config = repo / ".torghut-lint.yaml"
    config.write_text(
        "gate:\n  maxWaiverDays: 90\nwaivers:\n"
        "  - {rule: pvc-disk-budget, reason: capacity review, owner: data, expires: '2099-01-01'}\n"
    )
    deployment = repo / APP / "ws" / "deployment.yaml"
    original = deployment.read_text()
    soon = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    for expires, waived in (("2099-01-01", False), (soon, True)):
        deployment.write_text(original)
        scale_ws(repo, waiver=f"reason=canary; owner=trading-platform; expires={expires}")
        result = run_cli("--format", "json", "--ignore-missing-schemas", cwd=repo)
        found = {(f["rule"], f["file"]): f for f in result.json["findings"]}
        assert found[("ws-single-replica", f"{APP}/ws/deployment.yaml")]["waived"] is waived, result.stdout
        assert (("waiver-invalid", f"{APP}/ws/deployment.yaml") in found) is not waived
        assert ("waiver-invalid", ".torghut-lint.yaml") in found  # the central one, to 2099
