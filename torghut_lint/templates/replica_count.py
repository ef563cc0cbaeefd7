"""Template ``replica-count``: a workload runs exactly ``count`` replicas, and no autoscaler
scales it past that: a HorizontalPodAutoscaler's ``maxReplicas``, a KEDA ScaledObject's
``maxReplicaCount`` (100 when unset), and any other object whose ``spec.scaleTargetRef`` names the
workload (an autoscaler whose bound the linter cannot read)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from torghut_lint.k8s import ByNamespace
from torghut_lint.model import Resource
from torghut_lint.templates.base import RuleContext, Template, Violation


def check(ctx: RuleContext) -> Iterator[Violation]:
    want = ctx.params["count"]
    allow_absent = ctx.params["allowAbsent"]
    workloads: ByNamespace[tuple[str, str], Resource] = ByNamespace()  # by (kind, name)
    for res in ctx.matched:
        workloads.add(res.id.namespace, (res.id.kind, res.id.name), res)
        spec = res.data.get("spec") if isinstance(res.data.get("spec"), dict) else {}
        if res.id.kind == "DaemonSet":  # no replica count: a pod on every node the selector allows
            yield Violation(res, ("spec",), f"a DaemonSet runs a pod on every node; {res.id} must run exactly {want}")
        elif "replicas" not in spec or spec["replicas"] is None:
            if not (allow_absent and want == 1):
                yield Violation(
                    res,
                    ("spec",),
                    f"spec.replicas is not set; it must be exactly {want} "
                    "(an absent value defaults to 1 but is one edit away from drifting)",
                    fixable=True,
                )
        elif spec["replicas"] != want or isinstance(spec["replicas"], bool):
            yield Violation(
                res,
                ("spec", "replicas"),
                f"spec.replicas is {spec['replicas']!r}; it must be exactly {want}",
                fixable=True,
            )
    if not ctx.matched:
        return
    for scaler in ctx.resources:  # each autoscaler once, against the workload of its namespace it targets
        spec = scaler.data.get("spec")
        target = spec.get("scaleTargetRef") if isinstance(spec, dict) else None
        if not isinstance(target, dict):
            continue
        kind = target.get("kind", "Deployment" if scaler.id.group == "keda.sh" else None)
        res = workloads.find(scaler.id.namespace, (kind, target.get("name")))
        if res is not None:
            yield from _scales_past(scaler, spec, res, want)


# Where each autoscaler keeps its upper bound, and the bound it applies when none is written.
_BOUNDS = {
    ("autoscaling", "HorizontalPodAutoscaler"): ("maxReplicas", None),
    ("keda.sh", "ScaledObject"): ("maxReplicaCount", 100),
}


def _scales_past(scaler: Resource, spec: dict, res: Resource, want: int) -> Iterator[Violation]:
    """A violation when ``scaler``, which targets ``res``, may scale it past ``want``."""
    bound = _BOUNDS.get((scaler.id.group, scaler.id.kind))
    if bound is None:
        yield Violation(
            scaler,
            ("spec", "scaleTargetRef"),
            f"{scaler.id.kind} scales {res.id}, and how far is not known to the linter; it must stay at {want}",
        )
        return
    field, default = bound
    top = spec.get(field, default)
    if not isinstance(top, int) or isinstance(top, bool) or top > want:
        yield Violation(
            scaler,
            ("spec", field) if field in spec else ("spec",),
            f"{scaler.id.kind} scales {res.id} to {field} {top!r}"
            f"{' (its default)' if field not in spec else ''}; it must stay at {want}",
        )


def fix(params: dict, doc: Any, mapping: Any, key: Any) -> str | None:
    """``spec.replicas`` set to ``count`` (added at the top of ``spec`` when absent)."""
    count = params["count"]
    if key == "replicas":
        mapping[key] = count
    elif key == "spec" and hasattr(mapping[key], "insert") and "replicas" not in mapping[key]:
        mapping[key].insert(0, "replicas", count)
    else:
        return None
    return f"spec.replicas set to {count}"


PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "count": {"type": "integer", "minimum": 0, "default": 1, "description": "the exact number of replicas"},
        "allowAbsent": {
            "type": "boolean",
            "default": False,
            "description": "an unset spec.replicas passes when count is 1 (the API server's default)",
        },
    },
}

TEMPLATE = Template(
    "replica-count",
    (
        "A workload runs exactly ``count`` replicas, and no autoscaler scales it past that "
        "(HorizontalPodAutoscaler, KEDA ScaledObject, anything whose spec.scaleTargetRef names it)."
    ),
    PARAMS_SCHEMA,
    check,
    fix=fix,
)
