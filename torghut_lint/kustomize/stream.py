"""The rendered resources as the YAML stream ``kubectl kustomize`` prints, so that ``diff``
against it is meaningful: kustomize's legacy resource order, keys in the order the sources (and
kustomize's own generators) give them, lists not indented under their key, strings
double-quoted where YAML would read them as something else, multi-line strings as literal
blocks, lines folded at 80 columns, documents separated by ``---``."""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml

from torghut_lint.goyaml import BOOLS_1_1, Unencodable, block_allowed, go_float_text, is_string, resolve_plain
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

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        """What a plain scalar reads as to go-yaml (not to PyYAML's YAML 1.1 resolver), so that a
        string is written plain exactly where go-yaml reads it back as that string."""
        if kind is not yaml.ScalarNode or not implicit[0]:
            return super().resolve(kind, value, implicit)
        if _reads_as_other_type(value):
            reading = resolve_plain(value)
            if type(reading) is Unencodable:
                return UNENCODABLE
            kind_name = {bool: "bool", int: "int", float: "float", type(None): "null"}.get(type(reading), "timestamp")
            return f"tag:yaml.org,2002:{kind_name}"
        return "tag:yaml.org,2002:str"


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    """Multi-line strings as literal blocks where go-yaml writes them so (no space at the end of a
    line, nothing it cannot print); strings YAML would read as another type (``"1"``,
    ``"true"``, ``"y"``) double-quoted, as go-yaml writes them; the emitter picks plain or single
    quotes for the rest."""
    if "\n" in value and block_allowed(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if _reads_as_other_type(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_BASE_60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")  # go-yaml's isBase60Float


def _reads_as_other_type(value: str) -> bool:
    """Whether ``value`` written plain would read back as something else: a number, boolean, null
    or timestamp to go-yaml v3, or a YAML 1.1 boolean or base 60 number (go-yaml quotes those)."""
    return value in BOOLS_1_1 or not is_string(value) or _BASE_60.match(value) is not None


UNENCODABLE = "!torghut-lint/unencodable"  # a tag of its own, so that the emitter writes it plain


def _unencodable(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    """``.inf`` as written, plain (kustomize refuses the build over it, and the lint says so)."""
    return dumper.represent_scalar(UNENCODABLE, str(value))


def _float(dumper: yaml.SafeDumper, value: float) -> yaml.Node:
    """A float as go-yaml writes it (``1.2345675e+06``, not Python's ``1234567.5``)."""
    return dumper.represent_scalar("tag:yaml.org,2002:float", go_float_text(value))


_Dumper.add_representer(str, _str)
_Dumper.add_representer(Unencodable, _unencodable)
_Dumper.add_representer(float, _float)


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
