"""One tree, rendered by the built-in renderer and by `kubectl kustomize` (the tables here all
compare the two)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
import yaml
from test_parity import compare

from torghut_lint.kustomize.build import Builder, SourceFiles
from torghut_lint.model import Severity


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """``files`` (path relative to ``root`` -> text) written under ``root``."""
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def render_both(tmp_path: Path, files: dict[str, str], root: str = ".") -> tuple[bool, list[str]]:
    """``files`` (path relative to ``tmp_path`` -> text) written and the kustomization in ``root``
    rendered both ways: (kubectl rendered it, the differences, or why the built-in build cannot
    stand for it). The test is skipped where kubectl is not installed."""
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed")
    return compare(write_tree(tmp_path, files) / root, tmp_path)


# A base whose Deployment `api` is renamed `b-api` in namespace `t`: overlays find it by either id.
PREFIXED_BASE = {
    "base/d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec: {replicas: 1}\n",
    "base/kustomization.yaml": "resources: [d.yaml]\nnamePrefix: b-\nnamespace: t\n",
}


def outcome(tmp_path: Path, files: dict[str, str]) -> str:
    """How the built-in build stands for kubectl's on ``files``: "exact" (kubectl renders it and
    the built-in build renders the same, modelling it), "refused" (kubectl refuses it and the
    built-in build blocks) or "closed" (kubectl renders it, the built-in build blocks as not
    modelled); anything else is a failure of the test."""
    rendered, problems = render_both(tmp_path, files)
    assert problems == [], problems
    build = Builder(SourceFiles(tmp_path)).build(tmp_path)
    unsupported = any(f.rule == "kustomize-unsupported" for f in build.findings)
    return "refused" if not rendered else "closed" if unsupported else "exact"


def blocking(root: Path) -> list[str]:
    """The rules of the built-in build's blocking findings for the kustomization in ``root``
    (none where kubectl renders it: the gate does not cry wolf)."""
    build = Builder(SourceFiles(root)).build(root)
    return sorted({f.rule for f in build.findings if f.severity >= Severity.ERROR})


def assert_three_levels(tmp_path: Path, objects: list[dict], level, seed: int) -> None:
    """``objects`` in a base, under a middle and a top kustomization, each level's fields drawn
    by ``level(rng)`` from ``seed``: the built-in build renders what kubectl renders, or blocks
    where kubectl refuses (the failure shows the three kustomizations)."""
    rng = random.Random(seed)
    files = {
        "base/objects.yaml": yaml.safe_dump_all(objects),
        "base/kustomization.yaml": yaml.safe_dump({"resources": ["objects.yaml"], **level(rng)}),
        "middle/kustomization.yaml": yaml.safe_dump({"resources": ["../base"], **level(rng)}),
        "kustomization.yaml": yaml.safe_dump({"resources": ["middle"], **level(rng)}),
    }
    _, problems = render_both(tmp_path, files)
    assert problems == [], (problems, {k: v for k, v in files.items() if k.endswith("kustomization.yaml")})


# The renaming fields the fuzzers draw, with values that collide across levels.
RENAMES = {
    "namespace": ("namespace", ["torghut", "other", "default"]),
    "prefix": ("namePrefix", ["p-", "q-"]),
    "suffix": ("nameSuffix", ["-s", "-t"]),
}


def draw_rename(rng: random.Random, feature: str, kustomization: dict) -> bool:
    """Set ``feature``'s field (one of RENAMES) in ``kustomization`` to a drawn value; False for
    another feature."""
    if feature not in RENAMES:
        return False
    field, values = RENAMES[feature]
    kustomization[field] = rng.choice(values)
    return True
