"""`replacements` against `kubectl kustomize`: sources and targets found by current or written
names across a base, wildcards, delimiters, reject, create, generated sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from kubectl_parity import render_both

BASE = {
    "base/d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 1\n"
    "  template:\n    spec:\n      containers:\n"
    "        - {name: a, image: 'r.io/a:1'}\n        - {name: b, image: 'r.io/b:1'}\n"
    "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {n: '7', host: 'x.example.com', tag: '2'}\n",
    "base/kustomization.yaml": "resources: [d.yaml]\nnamePrefix: b-\nnamespace: t\n",
}


def _replacement(source: str, target: str, field_paths: str, options: str = "") -> str:
    return (
        "resources: [base]\nreplacements:\n"
        f"  - source: {source}\n    targets:\n      - select: {target}\n        fieldPaths: {field_paths}\n"
        + (f"        options: {options}\n" if options else "")
    )


CASES = {
    "by written names": _replacement(
        "{kind: ConfigMap, name: cfg, fieldPath: data.n}",
        "{kind: Deployment, name: api}",
        "[metadata.annotations.n]",
        "{create: true}",
    ),
    "by current names": _replacement(
        "{kind: ConfigMap, name: b-cfg, fieldPath: data.n}",
        "{kind: Deployment, name: b-api}",
        "[metadata.annotations.n]",
        "{create: true}",
    ),
    "wildcard over containers with a delimiter": _replacement(
        "{kind: ConfigMap, name: cfg, fieldPath: data.tag}",
        "{kind: Deployment}",
        "['spec.template.spec.containers.*.image']",
        "{delimiter: ':', index: 1}",
    ),
    "by merge key": _replacement(
        "{kind: ConfigMap, name: cfg, fieldPath: data.host}",
        "{kind: Deployment}",
        "['spec.template.spec.containers.[name=b].image']",
        "{delimiter: '/', index: 0}",
    ),
    "a missing target field without create": _replacement(
        "{kind: ConfigMap, name: cfg, fieldPath: data.n}", "{kind: Deployment}", "[metadata.annotations.n]"
    ),
    "a rejected target": "resources: [base]\nreplacements:\n"
    "  - source: {kind: ConfigMap, name: cfg, fieldPath: data.n}\n"
    "    targets:\n      - select: {kind: Deployment}\n        reject: [{name: api}]\n"
    "        fieldPaths: [metadata.annotations.n]\n        options: {create: true}\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_replacements_render_as_kubectl_does(tmp_path: Path, name: str) -> None:
    rendered, problems = render_both(tmp_path, {**BASE, "kustomization.yaml": CASES[name]})
    assert problems == [], problems
    assert rendered == (name != "a missing target field without create")  # kustomize refuses that one
