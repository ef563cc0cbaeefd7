"""Three levels of kustomizations (base, middle, top), each with transformers and generators drawn
at random from a fixed set of seeded cases, against `kubectl kustomize`: the built-in build renders
what kubectl renders, or blocks. Found: labels an overlay wrote over a base's selectors, generators
finding their objects across namespaces, namespaces that made two objects one."""

from __future__ import annotations

import random

import pytest
import yaml
from kubectl_parity import assert_three_levels, draw_rename

CASES = 40

OBJECTS = [
    {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "serviceAccountName": "sa",
                    "containers": [
                        {
                            "name": "main",
                            "image": "ghcr.io/x/torghut-ws:1",
                            "env": [{"name": "TRADING_MODE", "value": "paper"}],
                            "envFrom": [{"configMapRef": {"name": "cfg"}}, {"secretRef": {"name": "sec"}}],
                        }
                    ],
                    "volumes": [{"name": "v", "configMap": {"name": "cfg"}}],
                },
            },
        },
    },
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"}, "spec": {"selector": {"app": "web"}}},
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"TRADING_LIVE_ENABLED": "false"}},
    {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa"}},
]


def _level(rng: random.Random) -> dict:
    """Some of kustomize's transformers and generators, with values that collide across levels."""
    k: dict = {}
    for feature in rng.sample(
        ["namespace", "prefix", "suffix", "labels", "commonLabels", "annotations", "images", "patch", "generator"],
        rng.randint(1, 4),
    ):
        if draw_rename(rng, feature, k):
            continue
        if feature == "labels":
            k["labels"] = [
                {
                    "pairs": {"team": rng.choice(["a", "b"])},
                    "includeSelectors": rng.random() < 0.5,
                    "includeTemplates": rng.random() < 0.5,
                }
            ]
        elif feature == "commonLabels":
            k["commonLabels"] = {rng.choice(["team", "tier"]): rng.choice(["a", "b"])}
        elif feature == "annotations":
            k["commonAnnotations"] = {"note": rng.choice(["x", "y"])}
        elif feature == "images":
            k["images"] = [
                {"name": "ghcr.io/x/torghut-ws", rng.choice(["newTag", "newName"]): rng.choice(["2", "b/ws"])}
            ]
        elif feature == "patch":
            body = {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "web"},
                "spec": {"replicas": rng.choice([1, 3]), "template": {"spec": {"containers": [
                    {"name": "main", "env": [{"name": "TRADING_MODE", "value": rng.choice(["live", "paper"])}]}
                ]}}},
            }  # fmt: skip
            k["patches"] = [{"patch": yaml.safe_dump(body)}]
        else:
            generator = {
                "name": rng.choice(["cfg", "gen"]),
                "literals": [rng.choice(["k=v", "TRADING_LIVE_ENABLED=true"])],
            }
            if rng.random() < 0.6:
                generator["behavior"] = rng.choice(["create", "merge", "replace"])
            if rng.random() < 0.3:
                generator["namespace"] = rng.choice(["torghut", "other"])
            k["configMapGenerator"] = [generator]
    return k


@pytest.mark.parametrize("seed", range(CASES))
def test_three_levels_of_transformers_render_as_kubectl_does_or_block(tmp_path, seed: int) -> None:
    assert_three_levels(tmp_path, OBJECTS, _level, seed)
