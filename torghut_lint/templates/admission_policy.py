"""Template ``validating-admission-policy``: a cluster's ValidatingAdmissionPolicy and its
bindings, evaluated offline on the rendered resources, so what admission would deny is found in
the pull request, at file:line.

The policies come from the linted tree and from ``--admission-policies DIR``
(:mod:`torghut_lint.admission` turns each policy with its bindings into a rule ``vap/<name>``).
As the API server does: a resource is checked when the policy's ``matchConstraints`` and one of
its bindings' ``matchResources`` select it (resource rules by group, version and resource name,
exclusions, namespace and object label selectors) and every ``matchCondition`` holds; ``params``
is the binding's ``paramRef`` object (by name, or each object its selector picks, looked up in
the resource's application and the admission policy sources), ``parameterNotFoundAction: Deny``
(the default) reports a missing one; an evaluation error is a finding under ``failurePolicy:
Fail`` (the default) and skipped under ``Ignore``."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from typing import Any

from torghut_lint.model import Resource
from torghut_lint.templates.base import RuleContext, Template, Violation
from torghut_lint.templates.cel import budget_for, condition, evaluate, namespace_of
from torghut_lint.templates.cel_budget import BudgetExceeded

# Resource names (plural, lower case) of kinds whose plural is not kind + "s".
_IRREGULAR = {"Endpoints": "endpoints", "Ingress": "ingresses", "NetworkPolicy": "networkpolicies"}


def resource_name(kind: str) -> str:
    """The API resource name of a kind, as resourceRules name it (``Deployment`` -> ``deployments``)."""
    if kind in _IRREGULAR:
        return _IRREGULAR[kind]
    lower = kind.lower()
    if lower.endswith("y") and lower[-2:-1] not in "aeiou":
        return lower[:-1] + "ies"
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return lower + "es"
    return lower + "s"


def _rule_matches(rule: dict[str, Any], res: Resource) -> bool:
    group, version = res.id.group, res.id.api_version.rpartition("/")[2]
    name = resource_name(res.id.kind)
    groups = rule.get("apiGroups") or ["*"]
    versions = rule.get("apiVersions") or ["*"]
    resources = rule.get("resources") or []
    operations = rule.get("operations") or ["*"]
    return (
        any(g in ("*", group) for g in groups)
        and any(v in ("*", version) for v in versions)
        and any(r == "*" or r.split("/")[0] == name or fnmatch.fnmatchcase(name, r) for r in resources)
        and any(o in ("*", "CREATE", "UPDATE") for o in operations)  # applying a manifest creates or updates
    )


def selects(selector: dict[str, Any] | None, labels: dict[str, Any]) -> bool:
    """A Kubernetes label selector's verdict (an absent or empty selector selects everything)."""
    if not selector:
        return True
    labels = {str(k): str(v) for k, v in (labels or {}).items()}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(str(key)) != str(value):
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), [str(v) for v in expr.get("values") or []]
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def _matches(match: dict[str, Any] | None, res: Resource, namespace: dict | None) -> bool:
    if not match:
        return True
    rules = match.get("resourceRules")
    if rules is not None and not any(_rule_matches(r, res) for r in rules):
        return False
    if any(_rule_matches(r, res) for r in match.get("excludeResourceRules") or []):
        return False
    labels = (res.data.get("metadata") or {}).get("labels") or {}
    if not selects(match.get("objectSelector"), labels):
        return False
    if res.id.namespace and match.get("namespaceSelector"):
        ns_labels = ((namespace or {}).get("metadata") or {}).get("labels") or {}
        ns_labels = {**ns_labels, "kubernetes.io/metadata.name": res.id.namespace}
        if not selects(match.get("namespaceSelector"), ns_labels):
            return False
    return True


def _params(
    ctx: RuleContext, binding: dict[str, Any], kind: dict | None, res: Resource, by_name: dict[str, list[dict]]
) -> list[Any] | None:
    """The param objects a binding gives a resource: [None] without paramKind, [] when not found.
    ``by_name``: the objects of ``kind`` by name (made once per policy, not per resource)."""
    ref = binding.get("paramRef")
    if not kind or not ref:
        return [None]
    namespace = ref.get("namespace") or res.id.namespace
    if ref.get("name") is not None:
        candidates = by_name.get(str(ref["name"]), [])
    else:
        candidates = [data for same in by_name.values() for data in same]
    found = []
    for data in candidates:
        meta = data.get("metadata") or {}
        if meta.get("namespace", "") not in ("", namespace):
            continue
        if ref.get("name") is not None or selects(ref.get("selector") or {}, meta.get("labels") or {}):
            found.append(data)
    return found


def _of_param_kind(ctx: RuleContext, kind: dict | None) -> dict[str, list[dict]]:
    """The application's objects (and the policy's ``sources``) of the param kind, by name."""
    found: dict[str, list[dict]] = {}
    if not kind:
        return found
    candidates = [r.data for r in ctx.of_kind(str(kind.get("kind")))] + list(ctx.params.get("sources") or [])
    for data in candidates:
        if data.get("kind") == kind.get("kind") and data.get("apiVersion") == kind.get("apiVersion"):
            found.setdefault(str((data.get("metadata") or {}).get("name")), []).append(data)
    return found


def check(ctx: RuleContext) -> Iterator[Violation]:
    policy: dict[str, Any] = ctx.params["policy"]
    fail_closed = policy.get("failurePolicy", "Fail") != "Ignore"
    validations = [v for v in policy.get("validations") or [] if isinstance(v, dict) and v.get("expression")]
    variables = [v for v in policy.get("variables") or [] if isinstance(v, dict) and v.get("expression")]
    by_name = _of_param_kind(ctx, policy.get("paramKind"))
    for res in ctx.matched:
        namespace = namespace_of(ctx, res)
        if not _matches(policy.get("matchConstraints"), res, namespace):
            continue
        for binding in ctx.params["bindings"]:
            if not _matches(binding.get("matchResources"), res, namespace):
                continue
            objects = _params(ctx, binding, policy.get("paramKind"), res, by_name)
            if not objects:
                if (binding.get("paramRef") or {}).get("parameterNotFoundAction", "Deny") != "Allow":
                    yield Violation(res, (), "no params object for the binding's paramRef; admission would deny it")
                continue
            for params in objects:
                activation = {
                    "object": res.data,
                    "oldObject": None,
                    "params": params,
                    "namespaceObject": namespace,
                    "request": {
                        "operation": "CREATE",
                        "name": res.id.name,
                        "namespace": res.id.namespace,
                        "kind": {
                            "group": res.id.group,
                            "version": res.id.api_version.rpartition("/")[2],
                            "kind": res.id.kind,
                        },  # fmt: skip
                        "userInfo": {},
                    },
                }
                budget = budget_for(activation)  # match conditions and validations spend one budget
                try:
                    conditions = policy.get("matchConditions") or []
                    applies = all(condition(c["expression"], activation, budget) for c in conditions)
                except BudgetExceeded as exc:  # never a verdict: whatever the failure policy says
                    yield Violation(res, (), f"a match condition was not evaluated: {exc}")
                    continue
                except Exception as exc:  # noqa: BLE001 - a match condition that errors follows failurePolicy
                    if fail_closed:
                        yield Violation(res, (), f"a match condition could not be evaluated ({type(exc).__name__})")
                    continue
                if applies:
                    yield from evaluate(res, activation, variables, validations, fail_closed, budget)
            break  # the first binding that selects the resource decides (its actions set the severity)


PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["policy", "bindings"],
    "properties": {
        "policy": {"type": "object", "description": "the ValidatingAdmissionPolicy's spec"},
        "bindings": {
            "type": "array",
            "minItems": 1,
            "description": "the specs of the ValidatingAdmissionPolicyBindings that bind it",
            "items": {"type": "object"},
        },
        "sources": {
            "type": "array",
            "default": [],
            "description": "objects paramRef may name besides the resource's application",
            "items": {"type": "object"},
        },
    },
}

TEMPLATE = Template(
    "validating-admission-policy",
    "A cluster's ValidatingAdmissionPolicy and its bindings, evaluated offline on the rendered resources.",
    PARAMS_SCHEMA,
    check,
)
