"""Kubernetes semantics the policies share: pod templates, containers, effective environment,
quantities and storage requests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from torghut_lint.model import Path_, Resource

# Where each kind keeps its pod spec(s).
POD_SPEC_PATHS: dict[str, list[Path_]] = {
    "Pod": [("spec",)],
    "Deployment": [("spec", "template", "spec")],
    "StatefulSet": [("spec", "template", "spec")],
    "DaemonSet": [("spec", "template", "spec")],
    "ReplicaSet": [("spec", "template", "spec")],
    "Job": [("spec", "template", "spec")],
    "CronJob": [("spec", "jobTemplate", "spec", "template", "spec")],
    "Rollout": [("spec", "template", "spec")],
    "FlinkDeployment": [
        ("spec", "podTemplate", "spec"),
        ("spec", "jobManager", "podTemplate", "spec"),
        ("spec", "taskManager", "podTemplate", "spec"),
    ],
}
KNATIVE_SERVICE_PATH: Path_ = ("spec", "template", "spec")


def get_path(data: Any, path: Path_) -> Any:
    """Value at ``path`` or None."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(data, list) or step >= len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[step] if isinstance(step, int) else data.get(step)
    return data


def is_knative_service(res: Resource) -> bool:
    return res.id.kind == "Service" and res.id.api_version.startswith("serving.knative.dev/")


def pod_specs(res: Resource) -> Iterator[tuple[Path_, dict]]:
    """(path, pod spec) for every pod template of a workload."""
    kind = res.id.kind
    paths = POD_SPEC_PATHS.get(kind, [])
    if is_knative_service(res):
        paths = [KNATIVE_SERVICE_PATH]
    elif kind in ("ClickHouseInstallation", "ClickHouseKeeperInstallation"):
        templates = get_path(res.data, ("spec", "templates", "podTemplates")) or []
        paths = [("spec", "templates", "podTemplates", i, "spec") for i in range(len(templates))]
    for path in paths:
        spec = get_path(res.data, path)
        if isinstance(spec, dict):
            yield path, spec


def containers(res: Resource, init: bool = True) -> Iterator[tuple[Path_, dict]]:
    """(path, container) for every container (and init container) of a workload."""
    keys = ("containers", "initContainers") if init else ("containers",)
    for path, spec in pod_specs(res):
        for key in keys:
            items = spec.get(key)
            if isinstance(items, list):
                for i, container in enumerate(items):
                    if isinstance(container, dict):
                        yield path + (key, i), container


@dataclass(frozen=True)
class EnvValue:
    """One effective environment variable of a container."""

    name: str
    value: str | None  # None when it comes from a Secret, a field or an unresolved ref
    source: Resource  # the resource whose file sets it
    path: Path_  # where in ``source``
    origin: str  # "env", "configMapKeyRef", "envFrom", "secretKeyRef", ...


def text(value: Any) -> str:
    """A scalar as Kubernetes would see it in a string field."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


class ConfigMaps:
    """ConfigMaps of one application by namespace and name (original names too)."""

    def __init__(self, resources: list[Resource]) -> None:
        self._by_name: dict[tuple[str, str], Resource] = {}
        for res in resources:
            if res.id.kind == "ConfigMap" and res.id.api_version == "v1":
                for name in {res.id.name, res.origin_name}:
                    self._by_name.setdefault((res.id.namespace, name), res)
                    self._by_name.setdefault(("", name), res)

    def find(self, namespace: str, name: str) -> Resource | None:
        return self._by_name.get((namespace, name)) or self._by_name.get(("", name))


def effective_env(
    res: Resource, path: Path_, container: dict, cms: ConfigMaps, only: set[str] | None = None
) -> dict[str, EnvValue]:
    """envFrom ConfigMaps overlaid by env, later duplicates winning, refs resolved; ``only``
    limits the result to those names (large ConfigMaps make the full map costly)."""
    ns = res.id.namespace
    env: dict[str, EnvValue] = {}
    for source in container.get("envFrom") or []:
        if not isinstance(source, dict):
            continue
        prefix = text(source.get("prefix"))
        ref = source.get("configMapRef")
        if isinstance(ref, dict):
            cm = cms.find(ns, text(ref.get("name")))
            data = cm.data.get("data") if cm else None
            for key, value in (data or {}).items() if isinstance(data, dict) else ():
                if only is None or prefix + key in only:
                    env[prefix + key] = EnvValue(prefix + key, text(value), cm, ("data", key), "envFrom")
        # secretRef: values unknown, names unknown: nothing to add
    for i, item in enumerate(container.get("env") or []):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        name = item["name"]
        if only is not None and name not in only:
            continue
        item_path = path + ("env", i)
        if "value" in item:
            env[name] = EnvValue(name, text(item["value"]), res, item_path + ("value",), "env")
            continue
        value_from = item.get("valueFrom") if isinstance(item.get("valueFrom"), dict) else {}
        cm_ref = value_from.get("configMapKeyRef")
        if isinstance(cm_ref, dict):
            cm = cms.find(ns, text(cm_ref.get("name")))
            key = text(cm_ref.get("key"))
            data = cm.data.get("data") if cm else None
            if isinstance(data, dict) and key in data:
                env[name] = EnvValue(name, text(data[key]), cm, ("data", key), "configMapKeyRef")
                continue
            env[name] = EnvValue(name, None, res, item_path, "configMapKeyRef")
            continue
        origin = next(iter(value_from), "env") if value_from else "env"
        env[name] = EnvValue(name, None, res, item_path, origin)
    return env


def direct_settings(res: Resource) -> Iterator[tuple[str, Any, Path_]]:
    """(name, value, path) of variables a resource sets itself: container env and ConfigMap data."""
    if res.id.kind == "ConfigMap":
        data = res.data.get("data")
        if isinstance(data, dict):
            for key, value in data.items():
                yield key, value, ("data", key)
        return
    for path, container in containers(res):
        for i, item in enumerate(container.get("env") or []):
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                value = item.get("value") if "value" in item else item.get("valueFrom")
                yield item["name"], value, path + ("env", i)


_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$")
_SUFFIX = {
    "": 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "E": 10**18,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
    "m": Decimal("0.001"),
}


def parse_quantity(value: Any) -> Decimal | None:
    """Bytes in a Kubernetes quantity (``50Gi``, ``1.5G``, ``1e9``), or None if malformed."""
    if isinstance(value, bool) or value is None:
        return None
    match = _QUANTITY.match(str(value).strip())
    if not match or match.group(2) not in _SUFFIX:
        return None
    try:
        return Decimal(match.group(1)) * _SUFFIX[match.group(2)]
    except InvalidOperation:
        return None


def format_bytes(amount: Decimal) -> str:
    """Binary units, the way storage requests are written (``50Gi``)."""
    for suffix in ("Ti", "Gi", "Mi", "Ki"):
        unit = _SUFFIX[suffix]
        if amount >= unit:
            value = amount / unit
            return f"{value.normalize():f}{suffix}" if value == value.to_integral() else f"{value:.2f}{suffix}"
    return f"{amount.normalize():f}"


def walk_strings(data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, str, str]]:
    """(path, key, value) for every string value in a document, keys included in the path."""
    stack: list[tuple[Any, Path_, str]] = [(data, path, "")]
    while stack:
        value, where, key = stack.pop()
        if isinstance(value, str):
            yield where, key, value
        elif isinstance(value, dict):
            stack.extend((v, where + (k,), k) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((v, where + (i,), key) for i, v in reversed(list(enumerate(value))))
