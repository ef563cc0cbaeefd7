"""Template ``replica-count``: a workload runs exactly ``count`` replicas, and no
HorizontalPodAutoscaler scales it past that."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from torghut_lint.templates.base import RuleContext, Template, Violation


def check(ctx: RuleContext) -> Iterator[Violation]:
    want = ctx.params["count"]
    allow_absent = ctx.params["allowAbsent"]
    for res in ctx.matched:
        spec = res.data.get("spec") if isinstance(res.data.get("spec"), dict) else {}
        if "replicas" not in spec or spec["replicas"] is None:
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
        for hpa in ctx.of_kind("HorizontalPodAutoscaler"):
            target = (hpa.data.get("spec") or {}).get("scaleTargetRef") or {}
            if target.get("kind") == res.id.kind and target.get("name") == res.id.name:
                top = (hpa.data.get("spec") or {}).get("maxReplicas")
                if not isinstance(top, int) or top > want:
                    yield Violation(
                        hpa,
                        ("spec", "maxReplicas"),
                        f"HorizontalPodAutoscaler scales {res.id} to maxReplicas {top!r}; it must stay at {want}",
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
    "A workload runs exactly ``count`` replicas, and no HorizontalPodAutoscaler scales it past that.",
    PARAMS_SCHEMA,
    check,
    fix=fix,
)
