"""Template ``env-duplicate-name``: a container lists the same env name twice; Kubernetes
silently keeps the last one."""

from __future__ import annotations

from collections.abc import Iterator

from torghut_lint.k8s import containers, listed
from torghut_lint.templates.base import RuleContext, Template, Violation


def check(ctx: RuleContext) -> Iterator[Violation]:
    for res in ctx.matched:
        for path, container in containers(res):
            first: dict[str, int] = {}
            for i, item in enumerate(listed(container, "env")):
                if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                    continue
                name = item["name"]
                if name in first:
                    line = res.locate(path + ("env", first[name])).line
                    yield Violation(
                        res,
                        path + ("env", i, "name"),
                        f"container {container.get('name', '?')!r} sets env {name} twice "
                        f"(first at line {line}); Kubernetes keeps only this later one",
                    )
                else:
                    first[name] = i


PARAMS_SCHEMA = {"type": "object", "additionalProperties": False, "properties": {}}

TEMPLATE = Template(
    "env-duplicate-name",
    "A container lists the same env name twice; Kubernetes silently keeps the last one.",
    PARAMS_SCHEMA,
    check,
)
