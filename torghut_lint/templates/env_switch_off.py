"""Template ``env-switch-off``: safety switches are off wherever they are set: in the effective
environment of every container (envFrom ConfigMaps, env, configMapKeyRef) and in every ConfigMap.

A switch read from a Secret or another source the linter cannot see is reported too: the
repository must show that the switch is off."""

from __future__ import annotations

from collections.abc import Iterator

from torghut_lint.k8s import containers, effective_env, text
from torghut_lint.templates.base import RuleContext, Violation

PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["switches"],
    "properties": {
        "switches": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "offValues": {
                        "type": "array",
                        "items": {"type": "string"},
                        "minItems": 1,
                        "description": "the only values allowed",
                    },
                    "onValues": {
                        "type": "array",
                        "items": {"type": "string"},
                        "minItems": 1,
                        "description": "values that count as on",
                    },
                },
                "oneOf": [{"required": ["offValues"]}, {"required": ["onValues"]}],
            },
        },
    },
}


def is_on(switch: dict, value: str) -> bool:
    if "offValues" in switch:
        return value not in switch["offValues"]
    return value.strip().lower() in {v.lower() for v in switch["onValues"]}


def resettable(switch: dict) -> bool:
    """A switch with exactly one allowed value can be set back to it without a judgement call."""
    return len(switch.get("offValues") or []) == 1


def _verdict(switch: dict, value: str) -> str:
    if "offValues" in switch:
        allowed = " or ".join(repr(v) for v in switch["offValues"])
        return f"{switch['name']} is {value!r}; it must be {allowed}"
    return f"{switch['name']} is {value!r}, which turns live trading on"


def check(ctx: RuleContext) -> Iterator[Violation]:
    switches = {s["name"]: s for s in ctx.params["switches"]}
    seen: set[tuple[int, tuple]] = set()
    for res in ctx.matched:
        if res.id.kind == "ConfigMap":
            data = res.data.get("data")
            for key, value in data.items() if isinstance(data, dict) else ():
                if key in switches and is_on(switches[key], text(value)) and (id(res), ("data", key)) not in seen:
                    seen.add((id(res), ("data", key)))
                    yield Violation(
                        res,
                        ("data", key),
                        f"ConfigMap {res.id.name}: {_verdict(switches[key], text(value))}",
                        fixable=resettable(switches[key]),
                    )
            continue
        for path, container in containers(res):
            env = effective_env(res, path, container, ctx.configmaps, only=set(switches))
            for name, switch in switches.items():
                item = env.get(name)
                if item is None:
                    continue
                key = (id(item.source), item.path)
                if key in seen:
                    continue
                seen.add(key)
                cname = container.get("name", "?")
                if item.value is None:
                    yield Violation(
                        item.source,
                        item.path,
                        f"container {cname!r} reads {name} from {item.origin}, which the repository "
                        "cannot show to be off; set it as a literal",
                    )
                elif is_on(switch, item.value):
                    via = "" if item.source is res else f" (via {item.origin} from {item.source.id})"
                    yield Violation(
                        item.source,
                        item.path,
                        f"container {cname!r} of {res.id}: {_verdict(switch, item.value)}{via}",
                        fixable=resettable(switch),
                    )
