"""How kustomize reads `resources`, against `kubectl kustomize`: Lists expanded, empty documents,
duplicates refused, the same name in two namespaces, a directory without a kustomization, a
file listed twice, nested kustomizations and their order."""

from __future__ import annotations

from pathlib import Path

import pytest
from kubectl_parity import render_both

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s%s}\ndata: {a: b}\n"

CASES = {
    "a List is expanded": {
        "list.yaml": "apiVersion: v1\nkind: List\nitems:\n"
        "  - {apiVersion: v1, kind: ConfigMap, metadata: {name: one}}\n"
        "  - {apiVersion: v1, kind: ConfigMap, metadata: {name: two}}\n",
        "kustomization.yaml": "resources: [list.yaml]\n",
    },
    "empty documents": {
        "cms.yaml": "---\n" + CM % ("one", "") + "---\n---\n# only a comment\n---\n" + CM % ("two", ""),
        "kustomization.yaml": "resources: [cms.yaml]\n",
    },
    "the same object twice is refused": {
        "a.yaml": CM % ("one", ""),
        "b.yaml": CM % ("one", ""),
        "kustomization.yaml": "resources: [a.yaml, b.yaml]\n",
    },
    "same name in two namespaces": {
        "a.yaml": CM % ("one", ", namespace: x"),
        "b.yaml": CM % ("one", ", namespace: y"),
        "kustomization.yaml": "resources: [a.yaml, b.yaml]\n",
    },
    "a directory without a kustomization is refused": {
        "plain/cm.yaml": CM % ("one", ""),
        "kustomization.yaml": "resources: [plain]\n",
    },
    "a file listed twice is refused": {
        "a.yaml": CM % ("one", ""),
        "kustomization.yaml": "resources: [a.yaml, a.yaml]\n",
    },
    "nested kustomizations in order": {
        "base/cm.yaml": CM % ("base", ""),
        "base/kustomization.yaml": "resources: [cm.yaml]\nnamePrefix: b-\n",
        "mid/kustomization.yaml": "resources: [../base, cm.yaml]\nnamePrefix: m-\n",
        "mid/cm.yaml": CM % ("mid", ""),
        "kustomization.yaml": "resources: [mid]\nnamespace: top\n",
    },
    "a kustomization named Kustomization": {
        "sub/Kustomization": "resources: [cm.yaml]\n",
        "sub/cm.yaml": CM % ("one", ""),
        "kustomization.yaml": "resources: [sub]\n",
    },
    "a resource named by generateName alone is refused": {
        "job.yaml": "apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: migrate-}\n"
        "spec: {template: {spec: {restartPolicy: Never, containers: [{name: m, image: m}]}}}\n",
        "kustomization.yaml": "resources: [job.yaml]\n",
    },
    "a List's items named by generateName alone are refused": {
        "list.yaml": "apiVersion: v1\nkind: List\nitems:\n"
        "  - {apiVersion: v1, kind: ConfigMap, metadata: {generateName: c-}}\n",
        "kustomization.yaml": "resources: [list.yaml]\n",
    },
    "two kustomization files in one directory are refused": {
        "sub/kustomization.yaml": "resources: [cm.yaml]\n",
        "sub/kustomization.yml": "resources: [cm.yaml]\n",
        "sub/cm.yaml": CM % ("one", ""),
        "kustomization.yaml": "resources: [sub]\n",
    },
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_resources_read_as_kubectl_reads_them(tmp_path: Path, name: str) -> None:
    rendered, problems = render_both(tmp_path, CASES[name])
    assert problems == [], problems
    assert rendered == ("refused" not in name)
