"""Large trees are checked on two forked processes; the report must be identical to one process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import APP, BASE_TREE, run_cli


def test_two_processes_report_exactly_what_one_does(tmp_path: Path) -> None:
    for i in range(30):  # 30 apps x 16 resources: above the parallel threshold
        app = tmp_path / f"app-{i:02d}"
        shutil.copytree(BASE_TREE / APP, app)
        widget = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"  # a kind nobody has a schema for
        (app / "widget.yaml").write_text(widget)
        kustomization = app / "kustomization.yaml"
        kustomization.write_text(kustomization.read_text().replace("resources:\n", "resources:\n  - widget.yaml\n", 1))
        if i % 3 == 0:  # give some of them findings
            ws = app / "ws" / "deployment.yaml"
            ws.write_text(ws.read_text().replace("replicas: 1", "replicas: 2"))
    formats = ["--format", "json", "--format", "junit", "--output", "junit.xml", "--format", "sarif", "--output"]
    one = run_cli(*formats, "one.sarif", ".", cwd=tmp_path, env={"TORGHUT_LINT_JOBS": "1"})
    one_junit = (tmp_path / "junit.xml").read_text()
    two = run_cli(*formats, "two.sarif", ".", cwd=tmp_path, env={"TORGHUT_LINT_JOBS": "2"})
    assert one.json["summary"]["resources"] == 510
    assert one.stdout == two.stdout
    assert one_junit == (tmp_path / "junit.xml").read_text()
    assert (tmp_path / "one.sarif").read_text() == (tmp_path / "two.sarif").read_text()
    assert one.json["summary"]["blocking"] == 10 + 1  # the Widget kind nobody has a schema for blocks, once
    kinds = [f for f in one.json["findings"] if f["rule"] == "schema-missing"]
    assert len(kinds) == len({(f["resource"]["apiVersion"], f["resource"]["kind"]) for f in kinds}) == 1


def test_directory_app_whose_file_a_kustomization_includes_is_redone(tmp_path: Path) -> None:
    """shared/ has no kustomization, so it is a directory-type app, checked alongside the others;
    web/ includes one of its files, which then belongs to web alone, however the work was shared."""
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  DB_PASSWORD: hunter2-{name}-value\n"
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "cm.yaml").write_text(cm.format(name="included") + "# padding\n" * 2000)
    (tmp_path / "shared" / "other.yaml").write_text(cm.format(name="standalone"))
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "kustomization.yaml").write_text("resources:\n  - ../shared/cm.yaml\nnamespace: web\n")
    one = run_cli("--format", "json", "--no-schemas", ".", cwd=tmp_path, env={"TORGHUT_LINT_JOBS": "1"})
    two = run_cli("--format", "json", "--no-schemas", ".", cwd=tmp_path, env={"TORGHUT_LINT_JOBS": "2"})
    assert one.stdout == two.stdout
    secrets = [
        (f["file"], f["resource"]["namespace"]) for f in one.json["findings"] if f["rule"] == "no-inline-secrets"
    ]
    assert sorted(secrets) == [("shared/cm.yaml", "web"), ("shared/other.yaml", "")]
    assert one.json["summary"]["resources"] == 2


def test_helm_values_checked_on_the_queue_report_what_one_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Values files are queued in batches after the applications: a secret in one, a syntax
    error in another, each reported once and in the same order however the batches were shared."""
    from torghut_lint import check
    from torghut_lint.config import Config
    from torghut_lint.lint import run
    from torghut_lint.policy import bundled_policy_dir, load_policies

    monkeypatch.setattr(check, "VALUES_BATCH", 2)  # several batches on the queue
    for i in range(30):
        shutil.copytree(BASE_TREE / APP, tmp_path / f"app-{i:02d}")
    for i in range(5):
        chart = tmp_path / "charts" / f"c{i}"
        (chart / "templates").mkdir(parents=True)
        (chart / "Chart.yaml").write_text(f"apiVersion: v2\nname: c{i}\nversion: 0.1.0\n")
        values = f"auth:\n  password: hunter2-value-{i}\n" if i % 2 else "image: {tag: 1.0\n"
        (chart / "values.yaml").write_text(values)
    policies = load_policies([bundled_policy_dir()])
    reports = {}
    for jobs in ("1", "2"):
        monkeypatch.setenv("TORGHUT_LINT_JOBS", jobs)
        findings = run([tmp_path], policies, Config()).findings
        reports[jobs] = [(f.rule, f.location.file, f.location.line, f.message) for f in findings]
    assert reports["1"] == reports["2"]
    values = sorted((rule, Path(file).parent.name) for rule, file, _, _ in reports["1"] if file.endswith("values.yaml"))
    assert values == [
        ("no-inline-secrets", "c1"),
        ("no-inline-secrets", "c3"),
        ("yaml-syntax", "c0"),
        ("yaml-syntax", "c2"),
        ("yaml-syntax", "c4"),
    ]
