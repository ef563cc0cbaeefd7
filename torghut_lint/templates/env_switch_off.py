"""Template ``env-switch-off``: safety switches are off wherever they are set: in the effective
environment of every container (envFrom ConfigMaps, env, configMapKeyRef) and in every ConfigMap,
as a key or as a line of an entry that is an environment file (a ``.env`` the service reads, a
script that exports it; ``binaryData`` decoded).

A switch read from a Secret or another source the linter cannot see is reported too, and so is an
envFrom source that may set it (a Secret whose keys the repository does not show or that holds its
name; a ConfigMap the application does not hold): the repository must show that the switch is off."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from torghut_lint.k8s import (
    COMMAND_LINE,
    HIDDEN_ORIGINS,
    IGNORE_CASE_PARAM,
    POD_SPEC_PATCH,
    STRUCTURED_SUFFIXES,
    SWITCH_PARAM,
    WRITTEN,
    Names,
    configmap_files,
    container_name,
    containers,
    effective_env,
    entry_assignments,
    is_on,
    text,
    written_env_files,
)
from torghut_lint.model import Location, Path_, Resource
from torghut_lint.templates.base import Observation, RuleContext, Template, Violation


def resettable(switch: dict) -> bool:
    """A switch with exactly one allowed value can be set back to it without a judgement call."""
    return len(switch.get("offValues") or []) == 1


def _verdict(switch: dict, name: str, value: str) -> str:
    if "offValues" in switch:
        allowed = " or ".join(repr(v) for v in switch["offValues"])
        return f"{spelt(switch, name)} is {value!r}; it must be {allowed}"
    return f"{spelt(switch, name)} is {value!r}, which turns live trading on"


def spelt(switch: dict, name: str) -> str:
    """The switch as the manifest spells it, and the name it stands for when that differs."""
    return switch["name"] if name == switch["name"] else f"{name} (the application's {switch['name']})"


def _names(params: dict) -> tuple[Names, dict[str, dict]]:
    switches = {s["name"]: s for s in params["switches"]}
    return Names(switches, params.get("ignoreCase", False)), switches


@dataclass
class Setting:
    """One place a switch is set: a ConfigMap key or a line of an environment file in one, or a
    container's effective environment (``value`` None when it comes from a source the repository
    cannot show)."""

    switch: dict
    name: str  # as spelt where it is set
    source: Resource  # where the value is written
    path: Path_
    value: str | None
    who: str  # "ConfigMap NAME" or "container 'c'"
    of: str = ""  # the workload a container belongs to
    via: str = ""  # how a container gets it from another resource
    origin: str = ""  # how it is set (k8s.EnvValue.origin; FILE for a line of an environment file)
    offset: int | None = None  # where in the text at ``path``, for an assignment written inside one

    @property
    def owner_suffix(self) -> str:
        return f" of {self.of}" if self.of else ""

    @property
    def hidden_in(self) -> str:
        if self.origin == FILE:  # (an environment file's line always has a value: a settings file's)
            return "a settings file whose value there is not read (a list or a mapping, or a file over 1 MiB)"
        return HIDDEN_ORIGINS.get(self.origin, self.origin)

    @property
    def in_text(self) -> bool:
        """An assignment inside a text (a line of an environment file, a word of a command line):
        named by the assignment, not fixable as a key."""
        return self.origin in (FILE, WRITTEN, POD_SPEC_PATCH) or self.origin in COMMAND_LINE

    @property
    def location(self) -> Location | None:
        return None if self.offset is None else self.source.locate_in_text(self.path, self.offset)


FILE = "file"  # Setting.origin of a line of an environment file in a ConfigMap


def settings(ctx: RuleContext) -> list[Setting]:
    """Every place a switch is set, once per written value (a ConfigMap entry read by three
    containers is one setting); found once per context (``check`` and ``facts`` both read them)."""
    return ctx.shared("settings", lambda c: list(_settings(c)))


def _settings(ctx: RuleContext) -> Iterator[Setting]:
    names, switches = _names(ctx.params)
    canonical = names.canonical
    seen: set[tuple[int, tuple]] = set()
    for res in ctx.matched:
        if res.id.kind == "ConfigMap":
            data = res.data.get("data")
            for key, value in data.items() if isinstance(data, dict) else ():
                if (name := canonical(key)) is not None and (id(res), ("data", key)) not in seen:
                    seen.add((id(res), ("data", key)))
                    yield Setting(switches[name], key, res, ("data", key), text(value), f"ConfigMap {res.id.name}")
            for path, content, exact in configmap_files(res):  # an entry that is an environment file
                for written, value, offset in entry_assignments(str(path[1]), content, names):
                    # (a line a shell and python-dotenv read differently is one setting of each reading)
                    if (id(res), path, written, offset, value) not in seen:
                        seen.add((id(res), path, written, offset, value))
                        kind = "settings" if str(path[1]).lower().endswith(STRUCTURED_SUFFIXES) else "environment"
                        who = f"ConfigMap {res.id.name} ({kind} file {path[1]!r})"
                        at = offset if exact else None
                        yield Setting(
                            switches[canonical(written)], written, res, path, value, who, origin=FILE, offset=at
                        )
            continue
        for path, container in containers(res):
            who = f"container {container_name(path, container)!r}"
            env = effective_env(res, path, container, ctx.env_sources, only=names)
            for name, switch in switches.items():
                for item in names.matching(env, name):
                    # one place once (a ConfigMap entry two containers read, a Secret that may hold
                    # several switches); a word of a command line may set several
                    command = item.origin in COMMAND_LINE or item.origin == POD_SPEC_PATCH  # (inside a text)
                    place = (id(item.source), item.path) + ((item.name, item.offset) if command else ())
                    if place in seen:
                        continue
                    seen.add(place)
                    if command:
                        seen.add((id(item.source), item.path, item.name))
                    via = "" if item.source is res else f" (via {item.origin} from {item.source.id})"
                    shown = f"{who} ({item.origin})" if command else who
                    yield Setting(
                        switch, item.name, item.source, item.path, item.value, shown, str(res.id), via, item.origin,
                        item.offset,
                    )  # fmt: skip
            # the service's .env its own script writes (read when the environment does not set the name),
            # unless the command line's own reading of that script sets the name already (one finding)
            for item in written_env_files(res, path, names):
                place = (id(res), item.path, item.name, item.value)
                if canonical(item.name) is None or place in seen or (id(res), item.path, item.name) in seen:
                    continue
                seen.add(place)
                yield Setting(
                    switches[canonical(item.name)], item.name, res, item.path, item.value,
                    f"{who} ({item.origin})", str(res.id), "", item.origin,
                )  # fmt: skip


# What shows a switch off where its value cannot be seen, by where it comes from: an envFrom
# source may hold the name (in any spelling, where the application reads names so), a reference
# or a command-line variable reads a value the repository does not hold.
_SHOW = {
    "configMapRef": "hold that ConfigMap in the application, or drop it",
    "secretRef": "show its keys (a SealedSecret), or drop it",
    "secretKey": "drop that key from it, or the envFrom",
}


def _settle(s: Setting, any_case: bool) -> str:
    if s.origin not in _SHOW:
        return "write the value itself"
    if not any_case:
        return "set it as a literal after it"
    return f"{_SHOW[s.origin]}: the application reads the name in any case, so a literal after it settles one spelling"


def check(ctx: RuleContext) -> Iterator[Violation]:
    any_case = bool(ctx.params.get("ignoreCase"))
    told: set[tuple] = set()  # a line a shell and python-dotenv read differently: told once
    for s in settings(ctx):
        name = s.switch["name"]
        if s.in_text and (s.value is None or is_on(s.switch, s.value)):
            place = (id(s.source), s.path, s.offset, s.name)
            if place in told:
                continue
            told.add(place)
        if s.value is None:
            yield Violation(
                s.source,
                s.path,
                f"{s.who}{s.owner_suffix} may read {name} from {s.hidden_in}, which the repository "
                f"cannot show to be off; {_settle(s, any_case)}",
                location=s.location,
            )
        elif is_on(s.switch, s.value) and not s.in_text:
            yield Violation(
                s.source,
                s.path,
                f"{s.who}{s.owner_suffix}: {_verdict(s.switch, s.name, s.value)}{s.via}",
                fixable=resettable(s.switch),
            )
        elif is_on(s.switch, s.value):  # an assignment inside a text: located at it, named by it
            yield Violation(
                s.source,
                s.path,
                f"{s.who}{s.owner_suffix}: {_verdict(s.switch, s.name, s.value)}",
                location=s.location,
                value=f"{s.name}={s.value}",
                requirement=s.name,
            )


def facts(ctx: RuleContext) -> Iterator[Observation]:
    """Each switch as set (the job summary's live-trading table)."""
    for s in settings(ctx):
        allowed = s.switch.get("offValues") or [f"not {v}" for v in s.switch["onValues"]]
        yield Observation(
            s.source,
            s.path,
            "Live-trading switches",
            f"{spelt(s.switch, s.name)} in {s.who}{s.owner_suffix}{s.via}",
            s.value if s.value is not None else f"(from {s.hidden_in}: not visible)",
            " or ".join(allowed),
            s.value is not None and not is_on(s.switch, s.value),
        )


def fix(params: dict, doc: Any, mapping: Any, key: Any) -> str | None:
    """A switch with exactly one allowed value set back to it, where it is written (an env entry's
    ``value`` or a ConfigMap key); a switch read from a Secret has nothing unambiguous to write."""
    from torghut_lint.fix import string_like

    names, switches = _names(params)
    if key == "value" and isinstance(mapping.get("name"), str) and (name := names.canonical(mapping["name"])):
        switch, written = switches[name], mapping["name"]
    elif isinstance(key, str) and (name := names.canonical(key)) and doc.get("kind") == "ConfigMap":
        switch, written = switches[name], key
    else:
        return None
    if not resettable(switch):
        return None
    value = switch["offValues"][0]
    mapping[key] = string_like(mapping[key], value)
    return f"{spelt(switch, written)} set back to {value!r}"


PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["switches"],
    "properties": {
        "switches": {
            "type": "array",
            "minItems": 1,
            "description": (
                "the switches: each a variable (or ConfigMap key) name with either the only values allowed "
                "(offValues) or the values that count as on (onValues)"
            ),
            "items": SWITCH_PARAM,
        },
        "ignoreCase": IGNORE_CASE_PARAM,
    },
}

TEMPLATE = Template(
    "env-switch-off",
    (
        "Safety switches are off wherever they are set: in the effective environment of every container "
        "(envFrom ConfigMaps, env, configMapKeyRef) and in every ConfigMap, as a key or a line of an environment "
        "file in an entry. A switch that a source the "
        "repository cannot show may set (a Secret, an envFrom Secret or ConfigMap it does not hold) fails too."
    ),
    PARAMS_SCHEMA,
    check,
    fix=fix,
    facts=facts,
)
