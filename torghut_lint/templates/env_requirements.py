"""Template ``env-requirements``: when a feature switch is on in a container's effective
environment, other variables must be set as required (shadow mode on, adjustments off, a
positive numeric budget cap, ...). A switch read from a source the repository cannot show (a
Secret, an envFrom source it does not hold) may be on: the requirements hold for it too."""

from __future__ import annotations

import math
from collections.abc import Iterator

from torghut_lint.k8s import (
    IGNORE_CASE_PARAM,
    Names,
    container_name,
    containers,
    effective_env,
    is_on,
    mounted_env_files,
    written_env_files,
)
from torghut_lint.templates.base import RuleContext, Template, Violation

_VALUES = {"type": "array", "items": {"type": "string"}, "minItems": 1}


def _positive(text: str | None, most: float = math.inf) -> bool:
    """Whether ``text`` is a number that caps: above zero, finite (``inf``, which the service's
    settings read as a float, caps nothing; nor does ``nan``, past which nothing ever is) and at
    most ``most``."""
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        return False
    return math.isfinite(value) and 0 < value <= most


def check(ctx: RuleContext) -> Iterator[Violation]:
    """One violation per unmet requirement, at the value that fails it (the variable's own entry,
    wherever the container's effective environment takes it from), or at the container when the
    variable is absent: a baseline or waiver of one requirement never hides another. Where the
    application reads names in any case, every spelling set counts: the trigger is on if one is,
    and a requirement holds only if every spelling set meets it."""
    trigger = ctx.params["trigger"]
    trigger_on = {"onValues": trigger["values"]}  # a switch, as k8s.is_on reads one
    requirements = ctx.params["require"]
    caps = ctx.params.get("positiveNumberOneOf", [])
    most = ctx.params.get("capAtMost", {})
    names = Names([trigger["name"], *(r["name"] for r in requirements), *caps], ctx.params.get("ignoreCase", False))
    # names read in any case: a literal settles one spelling, and the source may hold another
    settle = "set those" if names.ignore_case else f"set {trigger['name']} as a literal, or those"
    seen: set[tuple] = set()
    for res in ctx.matched:
        for path, container in containers(res):
            env = effective_env(res, path, container, ctx.env_sources, only=names)
            files = mounted_env_files(res, path, container, ctx.env_sources, names)
            files += written_env_files(res, path, names)

            # a spelling that is on, else one that may be (from a source the repository cannot show)
            spellings = names.setting(env, files, trigger["name"])
            triggers = [t for t in spellings if t.value is not None and is_on(trigger_on, t.value)]
            triggers += [t for t in spellings if t.value is None]
            if not triggers:
                continue
            switch = triggers[0]
            cname = container_name(path, container)
            on = f"container {cname!r} of {res.id} has {trigger['name']} on, but"
            found: list[Violation] = []
            unmet: list[str] = []  # each unmet need, briefly
            for req in requirements:
                items = names.setting(env, files, req["name"])
                needs = " or ".join(req["values"])
                if not items:
                    if not req.get("absentOk"):
                        message = f"{on} {req['name']} is not set (needs {needs})"
                        found.append(Violation(res, path, message, requirement=req["name"]))
                        unmet.append(f"{req['name']} {needs}")
                for item in (i for i in items if i.value not in req["values"]):
                    shown = f"from {item.hidden_in}" if item.value is None else repr(item.value)
                    message = f"{on} {item.name} is {shown} (needs {needs})"
                    found.append(Violation(item.source, item.path, message, location=item.location))
                    unmet.append(f"{req['name']} {needs}" + (" or unset" if req.get("absentOk") else ""))
            if caps:
                set_caps = {c: names.setting(env, files, c) for c in caps}
                if not any(set_caps.values()):
                    message = f"{on} no budget cap ({' or '.join(caps)}) is set"
                    found.append(Violation(res, path, message, requirement="budget-cap"))
                capped = False  # a cap set, every spelling of it a number that caps
                for cap, items in set_caps.items():
                    failing = [c for c in items if not _positive(c.value, most.get(cap, math.inf))]
                    capped = capped or bool(items and not failing)
                    bound = f" and at most {most[cap]:g}" if cap in most else ""
                    for c in failing:
                        message = f"{on} {c.name} must be a finite number > 0{bound}"
                        found.append(Violation(c.source, c.path, message, location=c.location))
                if not capped:
                    unmet.append(f"a budget cap ({' or '.join(caps)}) > 0")
            if switch.value is None and found:  # it may be on: one finding where it comes from, not one per need
                found = [
                    Violation(
                        switch.source,
                        switch.path,
                        f"container {cname!r} of {res.id} may have {trigger['name']} on (from {switch.hidden_in}), "
                        f"and the repository does not show {', '.join(unmet)}; {settle}",
                        requirement="unseen-trigger",
                    )
                ]
            for v in found:  # a ConfigMap two containers read is one place: reported once
                key = (id(v.resource), v.path, v.requirement)
                if key not in seen:
                    seen.add(key)
                    yield v


PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["trigger"],
    "properties": {
        "trigger": {
            "type": "object",
            "description": (
                "the switch that turns the feature on: a variable and the values meaning on (case-insensitive)"
            ),
            "additionalProperties": False,
            "required": ["name", "values"],
            "properties": {"name": {"type": "string"}, "values": _VALUES},
        },
        "require": {
            "type": "array",
            "default": [],
            "description": "variables that must then hold one of their values (absentOk: may also be unset)",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "values"],
                "properties": {"name": {"type": "string"}, "values": _VALUES, "absentOk": {"type": "boolean"}},
            },
        },
        "positiveNumberOneOf": {
            "type": "array",
            "items": {"type": "string"},
            "minItems": 1,
            "description": "at least one of these variables must then be a positive number (a budget cap)",
        },
        "capAtMost": {
            "type": "object",
            "default": {},
            "additionalProperties": {"type": "number", "exclusiveMinimum": 0},
            "description": (
                "a cap of positiveNumberOneOf -> the largest value that still caps (above it, a budget is none in "
                "practice: 1e308 is as unbounded as inf, which never passes)"
            ),
        },
        "ignoreCase": IGNORE_CASE_PARAM,
    },
}

TEMPLATE = Template(
    "env-requirements",
    (
        "When a feature switch is on in a container's effective environment, other variables must be set "
        "as required (shadow mode on, adjustments off, a positive numeric budget cap, ...). A switch read "
        "from a source the repository cannot show may be on: the requirements hold for it too."
    ),
    PARAMS_SCHEMA,
    check,
)
