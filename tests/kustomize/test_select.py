"""Patch targets' label and annotation selectors (``kustomize.select``) against `kubectl
kustomize`: the objects selected, and the selectors kustomize refuses (its copy of apimachinery's
label selector parser: a label value like ``w*``, a trailing comma, an invalid key, a non-integer
bound were read as anything and the gate said yes to a build kubectl refuses)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml
from kubectl_parity import render_both

LABELS = [
    {"app": "ws", "tier": "a"},
    {"app": "ta", "tier": "b", "x": ""},
    {"app": "ws-2", "tier": "1_0"},  # a number to Python's int, none to Go's ParseInt
    {"tier": "7"},
    {"k.io/n": "v_1"},
]
TERMS = [
    "app=ws", "app==ws", "app!=ws", "app in (ws,ta)", "app notin (ws)", "tier", "!tier", "x", "!x", "x=",
    "app in ()", "k.io/n=v_1", "app in (ws, ta)", " app = ws ", "app=ws,", ",app=ws", "app", "tier in (a)",
    "app=w*", "app=Ws", "app notin ()", "a b", "app=(ws)", "tier>1", "app in (ws,,ta)", "k.io/n", "in in (in)",
    "app in (,ws)", "app in (ws,)", "!app=ws", "K.IO/n", "-a", "a" * 64, "app<x", "app!", "app=!ws", "=ws",
    "tier>5", "tier<8", "tier>-1",
]  # fmt: skip


def _tree(field: str, selector: str) -> dict[str, str]:
    objects = []
    for i, labels in enumerate(LABELS):
        meta = {"name": f"c{i}", "labels" if field == "labelSelector" else "annotations": labels}
        objects.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"k": "v"}})
    patch = '[{"op": "add", "path": "/data/hit", "value": "y"}]'
    kustomization = {"resources": ["o.yaml"], "patches": [{"target": {field: selector}, "patch": patch}]}
    return {"o.yaml": yaml.safe_dump_all(objects), "kustomization.yaml": yaml.safe_dump(kustomization)}


@pytest.mark.parametrize("term", TERMS)
def test_each_selector_term_as_kubectl(tmp_path: Path, term: str) -> None:
    rendered, problems = render_both(tmp_path, _tree("labelSelector", term))
    assert problems == [], problems


@pytest.mark.parametrize("seed", range(30))
def test_seeded_selectors_as_kubectl(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    selector = ",".join(rng.choice(TERMS) for _ in range(rng.randint(1, 3)))
    field = rng.choice(["labelSelector", "annotationSelector"])
    rendered, problems = render_both(tmp_path, _tree(field, selector))
    assert problems == [], (problems, field, selector)
