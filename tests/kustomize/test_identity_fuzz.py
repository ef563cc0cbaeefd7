"""Three levels of kustomizations that rename and move objects (namespaces, prefixes, suffixes,
patches allowed to rename, JSON patches of a name, generators merging by name) over objects that
name each other (binding subjects and role references, a workload's account, config and claim,
an autoscaler's target, a role's resource names), drawn from seeded cases and rendered by
`kubectl kustomize`: the built-in build renders what kubectl renders, or blocks where kubectl
refuses. kustomize resolves every reference and every patch by the ids an object has had (its
previous names and namespaces, level by level) and the prefixes and suffixes it took; found
here: subjects renamed from a name and a namespace the account never had together, a generator
merged into an object by a name it no longer answers to."""

from __future__ import annotations

import json
import random

import pytest
import yaml
from kubectl_parity import assert_three_levels, draw_rename

CASES = 60

OBJECTS = [
    {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "serviceAccountName": "sa",
                    "containers": [{"name": "main", "image": "ws:1", "envFrom": [{"configMapRef": {"name": "cfg"}}]}],
                    "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "claim"}}],
                },
            },
        },
    },
    {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa"}},
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "b"}},
    {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "claim"}, "spec": {"resources": {}}},
    {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": "rb"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"},
        "subjects": [
            {"kind": "ServiceAccount", "name": "sa", "namespace": "torghut"},
            {"kind": "ServiceAccount", "name": "sa"},
            {"kind": "ServiceAccount", "name": "sa", "namespace": "default"},
            {"kind": "User", "name": "sa", "apiGroup": "rbac.authorization.k8s.io"},
            {"kind": "ServiceAccount", "name": "default"},
        ],
    },
    {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": "crb"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cr"},
        "subjects": [{"kind": "ServiceAccount", "name": "sa", "namespace": "torghut"}],
    },
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r"}},
    {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "cr"},
        "rules": [
            {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["cfg", "other"], "verbs": ["get"]}
        ],
    },
    {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "hpa"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "maxReplicas": 2},
    },
]

NAMES = ["web", "p-web", "web-s", "q-p-web", "p-web-s"]  # what a patch may call the Deployment


def _level(rng: random.Random) -> dict:
    """Transformers that rename and move, with names that may be as written, as an earlier level
    left them, or neither."""
    k: dict = {}
    for feature in rng.sample(
        ["namespace", "prefix", "suffix", "patch", "rename", "json", "generator", "labels", "replicas"],
        rng.randint(1, 4),
    ):
        if draw_rename(rng, feature, k):
            continue
        if feature == "replicas":  # found by any name the Deployment had; the last entry wins
            k["replicas"] = [
                {"name": rng.choice(NAMES[:3]), "count": rng.choice([2, 3])} for _ in range(rng.randint(1, 2))
            ]
        elif feature == "labels":
            k["commonLabels"] = {"team": rng.choice(["a", "b"])}
        elif feature == "patch":  # a strategic-merge patch found by its own name and namespace
            meta = {"name": rng.choice(["web", "web", "web", *NAMES])}  # mostly one it answers to
            if rng.random() < 0.2:
                meta["namespace"] = rng.choice(["torghut", "default"])
            body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": {"replicas": 2}}
            k.setdefault("patches", []).append({"patch": yaml.safe_dump(body)})
        elif feature == "rename":  # a patch allowed to rename what it patches
            body = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": rng.choice(["acct", "sa2"])}}
            target = {"kind": "ServiceAccount", "name": rng.choice(["sa", "p-sa", ".*sa.*"])}
            entry = {"patch": yaml.safe_dump(body), "target": target, "options": {"allowNameChange": True}}
            k.setdefault("patches", []).append(entry)
        elif feature == "json":  # a JSON patch that renames a ConfigMap
            ops = [{"op": "replace", "path": "/metadata/name", "value": rng.choice(["cfg2", "cfg"])}]
            target = {"kind": "ConfigMap", "name": rng.choice(["cfg", "p-cfg", "cfg.*"])}
            k.setdefault("patches", []).append({"patch": json.dumps(ops), "target": target})
        else:
            generator = {"name": "gen", "literals": [rng.choice(["k=v", "a=c"])]}
            if rng.random() < 0.5:  # into the ConfigMap, by a name it may still answer to
                generator.update(
                    name=rng.choice(["cfg", "cfg", "cfg2", "p-cfg"]), behavior=rng.choice(["merge", "replace"])
                )
            if rng.random() < 0.4:
                generator["namespace"] = rng.choice(["torghut", "default"])
            k["configMapGenerator"] = [generator]
    return k


@pytest.mark.parametrize("seed", range(CASES))
def test_renames_and_moves_over_three_levels_render_as_kubectl_does_or_block(tmp_path, seed: int) -> None:
    assert_three_levels(tmp_path, OBJECTS, _level, seed)
