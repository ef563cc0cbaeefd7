"""A base and an overlay over many kinds (workloads with pod templates, bindings, webhooks, an
APIService, custom resources), each level with transformers, labels with field specs of their own,
images, replicas and patches (strategic merge with and without a target, JSON 6902) drawn at random
from seeded cases, against `kubectl kustomize`: the built-in build renders what kubectl renders, or
blocks. Found: label field specs merged and walked otherwise than kustomize does, images rewritten
once where kustomize's two walks rewrite twice, a targeted patch's labels read as values, label
nodes a patch writes into shared or not as kustomize shares them."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml
from kubectl_parity import render_both

CASES = 40
# seeds past CASES whose cases the renderer of the morning of 2026-11-27 (e85fdab) got wrong, kept
FOUND = [65, 67, 91, 106, 125, 161, 167, 186, 235, 271]


def _pod(image: str = "ghcr.io/x/ws:1") -> dict:
    return {
        "metadata": {"labels": {"app": "w"}},
        "spec": {
            "serviceAccountName": "sa",
            "containers": [
                {
                    "name": "m",
                    "image": image,
                    "envFrom": [{"configMapRef": {"name": "cfg"}}],
                    "env": [{"name": "S", "valueFrom": {"secretKeyRef": {"name": "sec", "key": "k"}}}],
                }
            ],
            "initContainers": [{"name": "i", "image": "busybox"}],
            "volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": "pvc"}}],
        },
    }


SELECTOR = {"matchLabels": {"app": "w"}}
RBAC = "rbac.authorization.k8s.io"
OBJECTS = [
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
     "spec": {"selector": SELECTOR, "template": _pod()}},
    {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "st"},
     "spec": {"serviceName": "svc", "selector": SELECTOR, "template": _pod("nginx"),
              "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}]}},
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"},
     "spec": {"selector": {"app": "w"}, "ports": [{"port": 80}]}},
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "b"}},
    {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj"},
     "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": _pod()}}}},
    {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "ds"},
     "spec": {"selector": SELECTOR, "template": _pod()}},
    {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "np"},
     "spec": {"podSelector": SELECTOR, "ingress": [{"from": [{"podSelector": SELECTOR}]}]}},
    {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "pdb"},
     "spec": {"selector": SELECTOR, "maxUnavailable": 1}},
    {"apiVersion": RBAC + "/v1", "kind": "RoleBinding", "metadata": {"name": "rb"},
     "roleRef": {"apiGroup": RBAC, "kind": "Role", "name": "role"},
     "subjects": [{"kind": "ServiceAccount", "name": "sa"}, {"kind": "ServiceAccount", "name": "default"}]},
    {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa"}},
    {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sec"}, "stringData": {"k": "v"}},
    {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "pvc"},
     "spec": {"accessModes": ["ReadWriteOnce"]}},
    {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "metadata": {"name": "kn"},
     "spec": {"template": _pod()}},
    {"apiVersion": "flink.apache.org/v1beta1", "kind": "FlinkDeployment", "metadata": {"name": "fl"},
     "spec": {"image": "ghcr.io/x/ws:1", "podTemplate": _pod()}},
    {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService", "metadata": {"name": "v1.x.io"},
     "spec": {"service": {"name": "svc", "namespace": "default"}, "group": "x.io", "version": "v1"}},
]  # fmt: skip
IMAGES = ["ghcr.io/x/ws", "busybox", "nginx", "ghcr.io/x/ws:1", ".*"]
FIELD_PATHS = ["spec/selector", "metadata/labels", "/metadata/labels", "spec/template/metadata/labels",
               "spec/x", "spec/volumeClaimTemplates[]/metadata/labels"]  # fmt: skip


def _labels(rng: random.Random) -> dict:
    entry: dict = {"pairs": {rng.choice(["team", "app"]): "c"}}
    for option in ("includeSelectors", "includeTemplates"):
        if rng.random() < 0.6:
            entry[option] = rng.random() < 0.5
    if rng.random() < 0.4:
        entry["fields"] = [
            {
                "path": rng.choice(FIELD_PATHS),
                "create": rng.random() < 0.5,
                **({"kind": rng.choice(["Deployment", "Service", "StatefulSet"])} if rng.random() < 0.5 else {}),
            }
            for _ in range(rng.randint(1, 2))
        ]
    return entry


def _patch(rng: random.Random) -> dict:
    target: dict = {"kind": rng.choice(["Deployment", "StatefulSet", "Service", "ConfigMap"])}
    if rng.random() < 0.3:
        target["labelSelector"] = rng.choice(["app=w", "team=c", "!team"])
    if rng.random() < 0.4:
        op = rng.choice(["add", "replace"])
        path = rng.choice(["/metadata/labels/app", "/metadata/annotations", "/spec/template/spec/containers/0/image"])
        value = rng.choice(["v2", {"a": "b"}, "nginx:2"])
        return {"target": target, "patch": yaml.safe_dump([{"op": op, "path": path, "value": value}])}
    kind, name, api = rng.choice([("Deployment", "web", "apps/v1"), ("StatefulSet", "st", "apps/v1"),
                                  ("ConfigMap", "cfg", "v1")])  # fmt: skip
    body: dict = {"apiVersion": api, "kind": kind, "metadata": {"name": name}}
    choice = rng.random()
    if choice < 0.3:
        body["metadata"]["labels"] = {"app": rng.choice(["q", None, 5])}
    elif choice < 0.6 and kind != "ConfigMap":
        containers = [{"name": "m", "image": "ghcr.io/x/ws:9", "env": [{"name": "TRADING_MODE", "value": "live"}]}]
        body["spec"] = {"template": {"metadata": {"labels": {"app": "t"}}, "spec": {"containers": containers}}}
    else:
        body["data" if kind == "ConfigMap" else "spec"] = {"replicas": 2} if kind != "ConfigMap" else {"a": "c"}
    entry: dict = {"patch": yaml.safe_dump(body)}
    if rng.random() < 0.5:
        target["kind"] = kind
        entry["target"] = target
    return entry


def _level(rng: random.Random) -> dict:
    k: dict = {}
    for feature in rng.sample(["namespace", "prefix", "commonLabels", "labels", "images", "replicas", "patches"],
                              rng.randint(1, 4)):  # fmt: skip
        if feature == "namespace":
            k["namespace"] = rng.choice(["torghut", "default"])
        elif feature == "prefix":
            k["namePrefix"] = rng.choice(["p-", "q-"])
        elif feature == "commonLabels":
            k["commonLabels"] = {rng.choice(["team", "app"]): rng.choice(["a", "b"])}
        elif feature == "labels":
            k["labels"] = [_labels(rng)]
        elif feature == "images":
            image = {"name": rng.choice(IMAGES)}
            for key in rng.sample(["newTag", "newName", "digest", "tagSuffix"], rng.randint(1, 2)):
                image[key] = {"newTag": "2", "newName": "reg:5000/y", "digest": "sha256:" + "b" * 64,
                              "tagSuffix": "-s"}[key]  # fmt: skip
            k["images"] = [image]
        elif feature == "replicas":
            k["replicas"] = [{"name": rng.choice(["web", "st", "p-web"]), "count": rng.choice([0, 2])}]
        else:
            k["patches"] = [_patch(rng) for _ in range(rng.randint(1, 2))]
    return k


@pytest.mark.parametrize("seed", [*range(CASES), *FOUND])
def test_many_kinds_under_transformers_and_patches_render_as_kubectl_does_or_block(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    objects = OBJECTS[:4] + rng.sample(OBJECTS[4:], rng.randint(2, 6))
    files = {
        "base/objects.yaml": yaml.safe_dump_all(objects),
        "base/kustomization.yaml": yaml.safe_dump({"resources": ["objects.yaml"], **_level(rng)}),
        "kustomization.yaml": yaml.safe_dump({"resources": ["base"], **_level(rng)}),
    }
    _, problems = render_both(tmp_path, files)
    assert problems == [], (problems, files["base/kustomization.yaml"], files["kustomization.yaml"])
