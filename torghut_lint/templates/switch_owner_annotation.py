"""Template ``switch-owner-annotation``: a resource that sets any of the named switches (in a
container's env or in ConfigMap data, a key or a line of an entry that is an environment file)
carries an owner annotation that names someone: a name with a letter in it, not a placeholder
(``-``, ``TBD``, ``none``: an owner nobody can ask is no owner)."""

from __future__ import annotations

from collections.abc import Iterator

from torghut_lint.k8s import IGNORE_CASE_PARAM, Names, direct_settings
from torghut_lint.templates.base import RuleContext, Template, Violation


def check(ctx: RuleContext) -> Iterator[Violation]:
    names = Names(ctx.params["switches"], ctx.params.get("ignoreCase", False))
    key = ctx.params["annotation"]
    placeholders = frozenset(p.strip().lower() for p in ctx.params["placeholderOwners"])
    for res in ctx.matched:
        setting = sorted({n for n, _, _ in direct_settings(res, names) if names.canonical(n) is not None})
        if not setting:
            continue
        owner = res.annotations.get(key)
        if _names_someone(owner, placeholders):
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


def _names_someone(owner: object, placeholders: frozenset[str]) -> bool:
    """Whether an owner annotation's value names someone: a letter in it, and not a placeholder."""
    if not isinstance(owner, str):
        return False
    text = owner.strip()
    return any(c.isalpha() for c in text) and text.lower() not in placeholders


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
            "default": ["tbd", "todo", "tba", "none", "n/a", "na", "unknown", "nobody", "owner", "changeme", "fixme"],
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
