"""Strategic-merge patches with directives and nulls sprinkled at random over a Deployment (a
fixed set of seeded cases, so every run checks the same trees), each against `kubectl kustomize`:
the built-in build renders what kubectl renders, or blocks (kubectl refuses it, or the built-in
renderer says it cannot model it). Found: patches whose `$patch` the built-in renderer read
otherwise than kustomize, and rendered a different object without a finding."""

from __future__ import annotations

import random

import pytest
import yaml
from kubectl_parity import render_both

CASES = 48
DIRECTIVES = ["replace", "delete", "merge", "bogus", None, None, None]

BASE = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "labels": {"app": "web"}, "annotations": {"a": "1"}},
    "spec": {
        "replicas": 1,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "securityContext": {"runAsUser": 1, "seLinuxOptions": {"level": "l"}},
                "containers": [
                    {
                        "name": "main",
                        "image": "nginx",
                        "env": [{"name": "TRADING_MODE", "value": "paper"}, {"name": "B", "value": "2"}],
                        "readinessProbe": {"httpGet": {"path": "/readyz", "port": 80}},
                        "ports": [{"containerPort": 80, "protocol": "TCP"}],
                    },
                    {"name": "side", "image": "busybox"},
                ],
                "volumes": [{"name": "v", "configMap": {"name": "cfg"}}],
                "tolerations": [{"key": "k", "operator": "Exists"}],
            },
        },
    },
}


def _sprinkled(rng: random.Random, value: object, depth: int = 0) -> object:
    """``value`` with some fields nulled and some maps and lists given a ``$patch``."""
    if isinstance(value, dict):
        out = {k: None if rng.random() < 0.1 else _sprinkled(rng, v, depth + 1) for k, v in value.items()}
        if depth and rng.random() < 0.25 and (directive := rng.choice(DIRECTIVES)):
            out["$patch"] = directive
        return out
    if isinstance(value, list):
        out = [_sprinkled(rng, item, depth + 1) for item in value]
        if out and isinstance(out[0], dict) and rng.random() < 0.15:
            out.insert(rng.randrange(len(out) + 1), {"$patch": rng.choice(["replace", "delete", "merge"])})
        return out
    return value


def _patch(rng: random.Random) -> dict:
    containers = []
    for name in rng.sample(["main", "side", "new"], rng.randint(1, 3)):
        item: dict = {"name": name}
        if rng.random() < 0.6:
            item["env"] = [{"name": rng.choice(["TRADING_MODE", "B", "C"]), "value": rng.choice(["live", "x"])}]
        if rng.random() < 0.4:
            item["readinessProbe"] = {"httpGet": {"path": rng.choice(["/readyz", "/x"]), "port": 80}}
        if rng.random() < 0.3:
            item["image"] = "evil"
        if rng.random() < 0.2:
            item["ports"] = [{"containerPort": 80, "protocol": "TCP", "name": "h"}]
        containers.append(item)
    spec: dict = {"containers": containers}
    if rng.random() < 0.4:
        spec["securityContext"] = {"runAsUser": rng.choice([2, None]), "seLinuxOptions": {"role": "r"}}
    if rng.random() < 0.3:
        spec["volumes"] = [{"name": rng.choice(["v", "w"]), "emptyDir": {}}]
    patch = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}
    patch["spec"] = {"template": {"spec": spec}}
    if rng.random() < 0.2:
        patch["spec"]["replicas"] = rng.choice([3, None])
    return _sprinkled(rng, patch)  # type: ignore[return-value]


@pytest.mark.parametrize("seed", range(CASES))
def test_a_patch_with_directives_renders_as_kubectl_does_or_blocks(tmp_path, seed: int) -> None:
    rng = random.Random(seed)
    patches = [{"patch": yaml.safe_dump(_patch(rng))} for _ in range(rng.randint(1, 2))]
    files = {
        "base.yaml": yaml.safe_dump(BASE),
        "kustomization.yaml": yaml.safe_dump({"resources": ["base.yaml"], "patches": patches}),
    }
    _, problems = render_both(tmp_path, files)
    assert problems == [], (problems, files["kustomization.yaml"])
