"""How a strategic-merge patch merges each list of a built-in kind: read from the Kubernetes
OpenAPI schema, as kustomize reads it, not from a table of field names.

A list whose schema says ``x-kubernetes-patch-strategy: merge`` is merged item by item on its
``x-kubernetes-list-map-keys`` (``ports`` on port and protocol, ``topologySpreadConstraints`` on
topologyKey and whenUnsatisfiable), else on its ``x-kubernetes-patch-merge-key``; any other list
(``tolerations``, ``envFrom``, and every list of a custom resource, which has no such schema) is
replaced by the patch's. The same field name means different things in different types
(a Pod's ``imagePullSecrets`` merge, a ServiceAccount's are replaced), so the schema is walked
from the object's kind down to the list, never looked up by name.

The schemas are kubernetes-validate's, loaded on the first strategic-merge patch of a built-in
kind, at the version that stands for kustomize's own: kustomize merges with the OpenAPI document
compiled into it, which predates Kubernetes 1.26 (a Pod's ``schedulingGates``, merged by name
since 1.26, are replaced by kubectl 1.32's kustomize), so the oldest schemas bundled here, 1.25,
are used whatever version validation uses. Lists a newer Kubernetes merges are replaced, as
kustomize replaces them; kinds newer than 1.25 have no schema here, and neither in kustomize.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

Schema = dict[str, Any]


KUSTOMIZE_OPENAPI = "1.25"  # the schemas standing for the OpenAPI document compiled into kustomize


@functools.cache
def _core_dir() -> Path | None:
    """The schemas standing for kustomize's: the newest at or below 1.25, else the oldest
    kubernetes-validate still ships (never none while it is installed: without merge keys every
    list would be replaced)."""
    from torghut_lint.schemas.store import _core_root, _version_key, bundled_versions

    root = _core_root()
    if root is None or not root.is_dir():
        return None
    versions = bundled_versions(root, strict=False)
    eligible = [p for p in versions if _version_key(p.name)[:2] <= _version_key(KUSTOMIZE_OPENAPI)[:2]]
    return (eligible or versions or [None])[-1 if eligible else 0]


@functools.cache
def _definitions() -> dict[str, Schema]:
    core = _core_dir()
    if core is None:
        return {}
    return json.loads((core / "_definitions.json").read_text())["$defs"]


@functools.cache
def kind_schema(api_version: str, kind: str) -> Schema | None:
    """The schema of a built-in kind (None for a custom resource or an unknown kind)."""
    from torghut_lint.schemas.store import core_kind_schema

    core = _core_dir()
    found = core_kind_schema(core, api_version, kind) if core is not None and kind else None
    return None if found is None else found[1]


def _resolved(schema: Schema | None) -> Schema | None:
    """``schema`` with its ``$ref`` followed (into the definitions), or None."""
    for _ in range(32):  # a reference to a reference, never a loop
        if not isinstance(schema, dict) or "$ref" not in schema:
            return schema
        schema = _definitions().get(schema["$ref"].rpartition("/")[2])
    return None


def child(schema: Schema | None, key: str) -> Schema | None:
    """The schema of a mapping's ``key`` (a named property, or the map's values)."""
    schema = _resolved(schema)
    if schema is None:
        return None
    found = (schema.get("properties") or {}).get(key)
    if found is None and isinstance(schema.get("additionalProperties"), dict):
        found = schema["additionalProperties"]
    return _resolved(found)


def items(schema: Schema | None) -> Schema | None:
    """The schema of a list's items."""
    schema = _resolved(schema)
    return _resolved(schema.get("items")) if schema is not None else None


def merge_keys(schema: Schema | None) -> tuple[str, ...] | None:
    """The keys a list merges on, ``()`` for a list of scalars merged as a set (``finalizers``),
    or None when the patch's list replaces it."""
    schema = _resolved(schema)
    if schema is None or "merge" not in str(schema.get("x-kubernetes-patch-strategy", "")).split(","):
        return None
    keys = schema.get("x-kubernetes-list-map-keys") or [schema.get("x-kubernetes-patch-merge-key")]
    return tuple(k for k in keys if isinstance(k, str))
