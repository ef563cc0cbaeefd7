"""Memory is bounded by the largest application, not the repository (issue 17): once an
application is checked its YAML nodes are released, with no garbage collection needed (the
command never runs one)."""

from __future__ import annotations

import gc
import json
import os
import shutil
from pathlib import Path

import yaml

from conftest import APP, BASE_TREE, ROOT, run_measured, without_coverage
from torghut_lint.config import Config
from torghut_lint.lint import RunOptions, run
from torghut_lint.parse import ParsedFile, parse_file
from torghut_lint.policy import bundled_policy_dir, load_policies


def _alive(kind: type) -> int:
    return sum(1 for o in gc.get_objects() if isinstance(o, kind))


def test_a_parsed_file_is_freed_by_reference_counting_alone(tmp_path: Path) -> None:
    """The converter's recursive closure used to hold the parsed file in a reference cycle."""
    path = tmp_path / "cm.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: b, a: c}\n")
    gc.collect()
    gc.disable()
    try:
        before = _alive(ParsedFile)
        parsed = parse_file(path, "cm.yaml")
        assert parsed.findings  # the duplicate key: the handler that closed over the file ran
        del parsed
        assert _alive(ParsedFile) == before
    finally:
        gc.enable()


def test_no_yaml_node_outlives_the_run(tmp_path: Path) -> None:
    for i in range(3):
        shutil.copytree(BASE_TREE / APP, tmp_path / f"app-{i}")
    policies = load_policies([bundled_policy_dir()])
    gc.collect()
    gc.disable()
    try:
        before = _alive(yaml.Node)
        report = run([tmp_path], policies, Config(), RunOptions())
        assert report.summary.resources > 40
        assert _alive(yaml.Node) == before
    finally:
        gc.enable()


def _benchmark_input(make: str, *args: int) -> dict[str, str]:
    """Files from the benchmark's own generator ``make``: the same input as its "hostile" row."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("benchmarks_run", ROOT / "benchmarks" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return getattr(bench, make)(*args)


def _peak_within_the_bound(root: Path, files: dict[str, str], *args: str) -> int:
    """Lint ``files`` written under ``root`` (with ``args``) as the command does; assert its peak RSS
    is under the README's bound, 10x the bytes read plus 200 MB; the exit code."""
    import subprocess
    import sys

    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    size = sum(len(text) for text in files.values())
    proc, peak = run_measured(
        [sys.executable, "-m", "torghut_lint", *args, str(root)],
        stdout=subprocess.DEVNULL,
        timeout=120,
        env=without_coverage({**os.environ, "PYTHONPATH": str(ROOT)}),  # the command's memory, not coverage's
    )
    peak_kb = peak * 1024
    bound_kb = (10 * size + 200 * 1024 * 1024) // 1024
    assert peak_kb < bound_kb, f"peak {peak_kb // 1024} MB over the bound {bound_kb // 1024} MB"
    return proc.returncode


def test_peak_memory_of_one_dense_application_is_within_the_documented_bound(tmp_path: Path) -> None:
    """README limits: peak RSS under 10x the YAML bytes read plus 200 MB. Two files of 7.5 MB of
    ConfigMaps with 100 short keys each (a node per 17 bytes) in one application used to peak at
    392 MB against a 357 MB bound: per node, libyaml's two marks and a string per repeated key."""
    assert _peak_within_the_bound(tmp_path, _benchmark_input("dense_configmaps", 2, 7_500_000), "--no-schemas") == 0


def test_a_report_of_40000_findings_is_written_as_it_is_made(tmp_path: Path) -> None:
    """A values file of 40,000 credentials (2 MB) is 40,000 findings, each reported. The JSON
    report built whole (an object per finding, then its text) peaked at 249 MB, the text one at 208
    MB and JUnit's tree at 257 MB against the 220 MB bound; written a piece at a time, all stay under it."""
    tree = tmp_path / "tree"
    files = _benchmark_input("credential_values", 40_000)
    reports = ["--format", "json", "--output", str(tmp_path / "r.json")]
    reports += [arg for fmt in ("text", "junit") for arg in ("--format", fmt, "--output", os.devnull)]
    assert _peak_within_the_bound(tree, files, "--no-schemas", *reports) == 1
    assert len(json.loads((tmp_path / "r.json").read_text())["findings"]) == 40_001


def _tree_with_everything(root: Path) -> Path:
    """Two applications, orphans, a CRD, a Helm chart's values with a credential."""
    for i in range(2):
        shutil.copytree(BASE_TREE / APP, root / f"app-{i}")
        for n in range(3):
            (root / f"app-{i}" / f"orphan-{n}.yaml").write_text(
                f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: orphan-{n}}}\ndata: {{password: hunter2-{i}{n}}}\n"
            )
    chart = root / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("db:\n  password: s3cr3t-value-in-values\n")
    crd = root / "crd" / "crd.yaml"
    crd.parent.mkdir()
    crd.write_text(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: ws.example.com}\n"
        "spec:\n  group: example.com\n  names: {kind: W, plural: ws}\n  scope: Namespaced\n  versions:\n"
        "  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema: {type: object}\n"
    )
    return root


def test_the_plan_keeps_paths_and_schemas_not_nodes(tmp_path: Path) -> None:
    """Planning reads every kustomization and CRD of the tree; it keeps their paths and the CRD
    schemas, and no node: memory at plan time must not grow with the repository."""
    from torghut_lint.assemble import Project, plan

    root = _tree_with_everything(tmp_path)
    gc.collect()
    gc.disable()
    try:
        before = _alive(yaml.Node)
        project = Project()
        planned = plan(root, project, root)
        assert _alive(yaml.Node) == before
        assert ("example.com/v1", "W") in project.crds
        assert len(project.kustomizations) == 8 and project.values_files == [root / "chart" / "values.yaml"]
        del planned
    finally:
        gc.enable()


def test_batches_change_nothing_but_memory(tmp_path: Path, monkeypatch) -> None:
    """Orphans, Helm values and the plan's kustomizations are held a batch at a time; with
    batches of one the report is the same, finding for finding."""
    from torghut_lint import assemble, check
    from torghut_lint.report.json_format import render

    root = _tree_with_everything(tmp_path)
    policies = load_policies([bundled_policy_dir()])
    whole = render(run([root], policies, Config(), RunOptions()))
    monkeypatch.setattr(assemble, "ORPHAN_BATCH", 1)
    monkeypatch.setattr(assemble, "PLAN_BATCH", 1)
    monkeypatch.setattr(check, "VALUES_BATCH", 1)
    batched = render(run([root], policies, Config(), RunOptions()))
    assert batched == whole
    rules = {f["rule"] for f in json.loads(whole)["findings"]}
    assert {"kustomize-orphan", "no-inline-secrets"} <= rules
