"""Memory is bounded by the largest application, not the repository (issue 17): once an
application is checked its YAML nodes are released, with no garbage collection needed (the
command never runs one)."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import yaml

from conftest import APP, BASE_TREE
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
