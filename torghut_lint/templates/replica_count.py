"""Template ``replica-count``: a workload runs exactly ``count`` replicas, and no
HorizontalPodAutoscaler scales it past that."""

from __future__ import annotations

from collections.abc import Iterator

from torghut_lint.templates.base import RuleContext, Violation

PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "count": {"type": "integer", "minimum": 0},
        "allowAbsent": {"type": "boolean"},
    },
}


def check(ctx: RuleContext) -> Iterator[Violation]:
    want = ctx.params.get("count", 1)
    allow_absent = ctx.params.get("allowAbsent", False)
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
