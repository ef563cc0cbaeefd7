"""Template ``switch-owner-annotation``: a resource that sets any of the named switches (in a
container's env or in ConfigMap data, a key or a line of an entry that is an environment file)
carries an owner annotation that names someone: a name with a letter in it, not a placeholder
(``-``, ``TBD``, ``none``: an owner nobody can ask is no owner)."""

from __future__ import annotations

from collections.abc import Iterator

from torghut_lint.k8s import IGNORE_CASE_PARAM, Names, direct_settings
from torghut_lint.model import PLACEHOLDER_OWNERS, names_someone
from torghut_lint.templates.base import RuleContext, Template, Violation


def check(ctx: RuleContext) -> Iterator[Violation]:
    names = Names(ctx.params["switches"], ctx.params.get("ignoreCase", False))
    key = ctx.params["annotation"]
    placeholders = ctx.params["placeholderOwners"]
    for res in ctx.matched:
        setting = sorted({n for n, _, _ in direct_settings(res, names) if names.canonical(n) is not None})
        if not setting:
            continue
        owner = res.annotations.get(key)
        if names_someone(owner, placeholders):
            continue
        where = ("metadata", "annotations", key) if key in res.annotations else ("metadata",)
        said = (
            f"has no owner annotation {key!r}"
            if key not in res.annotations
            else f"its owner annotation {key!r} is {owner!r}, which names nobody"
        )
        yield Violation(
            res, where, f"{res.id} sets {', '.join(setting)} but {said}; name who answers for live trading here"
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
        "annotation": {"type": "string", "description": "the annotation naming the switch's owner"},
        "placeholderOwners": {
            "type": "array",
            "items": {"type": "string"},
            "default": list(PLACEHOLDER_OWNERS),
            "description": (
                "owner values that name nobody (compared in any case); a value without a letter (``-``, ``[]``, ``?``) "
                "names nobody either"
            ),
        },
        "ignoreCase": IGNORE_CASE_PARAM,
    },
}

TEMPLATE = Template(
    "switch-owner-annotation",
    (
        "A resource that sets any of the named switches (in a container's env or in ConfigMap data) "
        "carries an owner annotation that names someone (a letter in it, not a placeholder such as TBD)."
    ),
    PARAMS_SCHEMA,
    check,
)
