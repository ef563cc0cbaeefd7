"""Template ``switch-owner-annotation``: a resource that sets any of the named switches (in a
container's env or in ConfigMap data, a key or a line of an entry that is an environment file)
carries a non-empty owner annotation."""

from __future__ import annotations

from collections.abc import Iterator

from torghut_lint.k8s import IGNORE_CASE_PARAM, Names, direct_settings
from torghut_lint.templates.base import RuleContext, Template, Violation


def check(ctx: RuleContext) -> Iterator[Violation]:
    names = Names(ctx.params["switches"], ctx.params.get("ignoreCase", False))
    key = ctx.params["annotation"]
    for res in ctx.matched:
        setting = sorted({n for n, _, _ in direct_settings(res, names) if names.canonical(n) is not None})
        if not setting:
            continue
        owner = res.annotations.get(key)
        if isinstance(owner, str) and owner.strip():
            continue
        where = ("metadata", "annotations", key) if key in res.annotations else ("metadata",)
        yield Violation(
            res,
            where,
            f"{res.id} sets {', '.join(setting)} but has no owner annotation {key!r}; "
            "name who answers for live trading here",
        )


PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["switches", "annotation"],
    "properties": {
        "switches": {
            "type": "array",
            "items": {"type": "string"},
            "minItems": 1,
            "description": "variable names that are switches",
        },
        "annotation": {"type": "string", "description": "the annotation naming the switch's owner (non-empty)"},
        "ignoreCase": IGNORE_CASE_PARAM,
    },
}

TEMPLATE = Template(
    "switch-owner-annotation",
    (
        "A resource that sets any of the named switches (in a container's env or in ConfigMap data) "
        "carries a non-empty owner annotation."
    ),
    PARAMS_SCHEMA,
    check,
)
