"""The rendered resources as the YAML stream ``kubectl kustomize`` prints, so that ``diff``
against it is meaningful: kustomize's legacy resource order, keys in the order the sources (and
kustomize's own generators) give them, lists not indented under their key, strings
double-quoted where YAML would read them as something else, multi-line strings as literal
blocks, lines folded at 80 columns, documents separated by ``---``."""

from __future__ import annotations

import datetime
import functools
from typing import Any

import yaml

from torghut_lint.model import Resource

# kustomize's legacy order (resid.Gvk): these kinds first, in this order; these last; every other
# kind between, ordered by group_version_kind, then namespace and name.
ORDER_FIRST = (
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
)
ORDER_LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")


def _rank(kind: str) -> int:
    if kind in ORDER_FIRST:
        return ORDER_FIRST.index(kind)
    if kind in ORDER_LAST:
        return len(ORDER_FIRST) + 1 + ORDER_LAST.index(kind)
    return len(ORDER_FIRST)


def _gvk(res: Resource) -> str:
    rid = res.id
    group, _, version = rid.api_version.rpartition("/") if "/" in rid.api_version else ("", "", rid.api_version)
    return "_".join([group or "~G", version or "~V", rid.kind or "~K"])


def legacy_order(resources: list[Resource]) -> list[Resource]:
    """Resources in the order kustomize prints them by default."""
    return sorted(resources, key=lambda r: (_rank(r.id.kind), _gvk(r), r.id.namespace, r.id.name))


class _Dumper(yaml.SafeDumper):
    """SafeDumper with kustomize's conventions (see the module docstring)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:  # noqa: D102
        super().increase_indent(flow, False if flow else indentless)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    """Multi-line strings as literal blocks; strings YAML would read as another type (``"1"``,
    ``"true"``, ``"y"``) double-quoted, as go-yaml writes them; the emitter picks plain or single
    quotes for the rest."""
    if "\n" in value and value == value.strip(" ") and all(line == line.rstrip() for line in value.split("\n")):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if _reads_as_other_type(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _reads_as_other_type(value: str) -> bool:
    """Whether ``value`` written plain would read back as a number, boolean or null under YAML
    1.1 or 1.2 (go-yaml quotes those)."""
    if value.lower() in ("y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", ""):
        return True
    if len(value) > 64 or value != value.strip():
        return False
    try:
        resolved = yaml.safe_load(value)
    except yaml.YAMLError:
        return False
    return resolved is None or isinstance(resolved, (bool, int, float, datetime.date))


_Dumper.add_representer(str, _str)


def _key_less(a: str, b: str) -> bool:
    """go-yaml's map key order (what kubectl prints): rune by rune, letters after other
    characters, runs of digits compared as numbers."""
    digits = False
    for i in range(min(len(a), len(b))):
        x, y = a[i], b[i]
        if x == y:
            digits = x.isdigit()
            continue
        xl, yl = x.isalpha(), y.isalpha()
        if xl and yl:
            return x < y
        if xl or yl:
            return xl if digits else yl
        ai, an = _number(a, i)
        bi, bn = _number(b, i)
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return x < y
    return len(a) < len(b)


def _number(text: str, start: int) -> tuple[int, int]:
    end = start
    while end < len(text) and text[end].isdigit():
        end += 1
    return end, int(text[start:end]) if end > start else 0


_KEY_ORDER = functools.cmp_to_key(lambda a, b: -1 if _key_less(a, b) else (1 if _key_less(b, a) else 0))


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value, key=lambda k: _KEY_ORDER(str(k)))}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def dump(resources: list[Resource]) -> str:
    """The stream of ``resources`` (already in the order to print)."""
    return "---\n".join(
        yaml.dump(
            _sorted(r.data), Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=80
        )
        for r in resources
    )
