"""Template ``flink-job-isolation``: the live Flink job's Kafka consumer group id is its own.

The group id is read wherever it is set: a container's effective environment (names matching
``groupIdEnv``), ``flinkConfiguration`` keys matching ``groupIdConfig``, or ``--group-id``
job arguments (prefixed too: ``--kafka.group.id``). The live job's id must differ from every
other Flink job's in the app and must not look like a replay/simulation group; checkpoint and
savepoint directories must be distinct per job (two jobs restoring each other's state is the
same mistake one level down)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from torghut_lint.k8s import (
    FLINK_CHECKPOINT_DIRS,
    FLINK_SAVEPOINT_DIRS,
    EnvValue,
    containers,
    effective_env,
    flink_properties,
    get_path,
    session_cluster,
)
from torghut_lint.model import Path_, Resource
from torghut_lint.templates.base import RuleContext, Template, Violation

# ``--group-id``, and prefixed (``--kafka.group.id``, ``--source-group-id``), its value after ``=``
# or in the next argument
_ARG = re.compile(r"^--?(?:[A-Za-z0-9]+[-_.])*group[-_.]?id(?:=(.+))?$", re.I)


@dataclass
class Setting:
    value: str
    source: Resource
    path: Path_


Properties = dict[str, tuple[str, EnvValue]]  # k8s.flink_properties: key -> (value, the variable)
_NAMED = 10  # jobs named one by one for a shared group; the rest in one finding (bounded output)


def group_ids(
    job: Resource, ctx: RuleContext, env_pattern: re.Pattern, config_pattern: re.Pattern, properties: Properties
) -> list[Setting]:
    """Where ``job`` is told its Kafka group id; a FlinkSessionJob, by its own configuration and
    arguments and by its session cluster's (its environment, configuration and FLINK_PROPERTIES:
    every job on the cluster reads those)."""
    found: list[Setting] = []
    if job.id.kind == "FlinkSessionJob" and (session := session_cluster(job, ctx.of_kind("FlinkDeployment"))):
        found += group_ids(session, ctx, env_pattern, config_pattern, flink_properties(session, ctx.env_sources)[0])
    config = get_path(job.data, ("spec", "flinkConfiguration"))
    for key, value in config.items() if isinstance(config, dict) else ():
        if config_pattern.search(key) and value not in (None, ""):
            found.append(Setting(str(value), job, ("spec", "flinkConfiguration", key)))
    args = get_path(job.data, ("spec", "job", "args"))
    for i, arg in enumerate(args if isinstance(args, list) else []):
        match = _ARG.match(str(arg))
        if match and match.group(1):
            found.append(Setting(match.group(1), job, ("spec", "job", "args", i)))
        elif match and i + 1 < len(args):
            found.append(Setting(str(args[i + 1]), job, ("spec", "job", "args", i + 1)))
    for path, container in containers(job):
        for item in effective_env(job, path, container, ctx.env_sources).values():
            if env_pattern.search(item.name) and item.value:
                found.append(Setting(item.value, item.source, item.path))
    for key, (value, item) in properties.items():
        if config_pattern.search(key) and value:
            found.append(Setting(value, item.source, item.path))
    return found


def check(ctx: RuleContext) -> Iterator[Violation]:
    live_names = set(ctx.params["liveJobs"])
    env_pattern = re.compile(ctx.params["groupIdEnv"])
    config_pattern = re.compile(ctx.params["groupIdConfig"])
    replay = [p.lower() for p in ctx.params["replayPatterns"]]
    dir_keys = ctx.params["stateDirKeys"]
    jobs = ctx.matched
    # what FLINK_PROPERTIES sets over each job's flinkConfiguration, as Flink reads it (once a job)
    properties = {id(job): flink_properties(job, ctx.env_sources)[0] for job in jobs}
    ids = {id(job): group_ids(job, ctx, env_pattern, config_pattern, properties[id(job)]) for job in jobs}
    by_group: dict[str, list[Resource]] = {}  # group id -> the jobs that consume as it, each once, in order
    for job in jobs:
        if job.id.kind == "FlinkDeployment" and get_path(job.data, ("spec", "job")) is None:
            continue  # a session cluster consumes nothing itself: its settings are its jobs'
        for value in dict.fromkeys(s.value for s in ids[id(job)]):
            by_group.setdefault(value, []).append(job)
    for job in jobs:
        if job.id.name not in live_names:
            continue
        for setting in ids[id(job)]:
            lowered = setting.value.lower()
            hit = next((p for p in replay if p in lowered), None)
            if hit:
                yield Violation(
                    setting.source,
                    setting.path,
                    f"live job {job.id.name} consumes as group {setting.value!r}, which looks like a "
                    f"{hit} group; the live job needs its own group id",
                )
            others = [other for other in by_group[setting.value] if other is not job]
            for other in others[:_NAMED]:
                yield Violation(
                    setting.source,
                    setting.path,
                    f"live job {job.id.name} shares Kafka consumer group {setting.value!r} with "
                    f"{other.id.kind} {other.id.name}; they would split (or steal) the live partitions",
                )
            if len(others) > _NAMED:
                yield Violation(
                    setting.source,
                    setting.path,
                    f"live job {job.id.name} shares Kafka consumer group {setting.value!r} with "
                    f"{len(others) - _NAMED} more jobs; they would split (or steal) the live partitions",
                )
    owners_first = sorted(jobs, key=lambda j: j.id.name not in live_names)  # the live job keeps its dirs
    for entry in dir_keys:
        keys = [entry] if isinstance(entry, str) else entry  # one setting under all its spellings
        seen: dict[str, Resource] = {}
        for job in owners_first:
            config = get_path(job.data, ("spec", "flinkConfiguration"))
            config = config if isinstance(config, dict) else {}
            for key in dict.fromkeys(keys):
                value, item = properties[id(job)].get(key, (config.get(key), None))
                if not value:
                    continue
                first = seen.setdefault(str(value).rstrip("/"), job)
                if first is not job:
                    yield Violation(
                        job,
                        ("spec", "flinkConfiguration", key),
                        f"{job.id.name} uses the same {key} as {first.id.name} ({value}); "
                        "each job needs its own state directory",
                        location=item.source.locate(item.path) if item is not None else None,
                    )


PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["liveJobs"],
    "properties": {
        "liveJobs": {
            "type": "array",
            "items": {"type": "string"},
            "minItems": 1,
            "description": "names of the FlinkDeployments (or FlinkSessionJobs) that consume live data",
        },
        "groupIdEnv": {
            "type": "string",
            "default": "(^|_)GROUP_ID$",
            "description": "regex for env names holding the Kafka group id",
        },
        "groupIdConfig": {
            "type": "string",
            "default": "group\\.id$",
            "description": "regex for flinkConfiguration keys holding it",
        },
        "replayPatterns": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["replay", "sim", "backtest", "shadow"],
            "description": "a live job's group id must not contain these (case-insensitive)",
        },
        "stateDirKeys": {
            "type": "array",
            "items": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]},
            "default": [list(FLINK_CHECKPOINT_DIRS), list(FLINK_SAVEPOINT_DIRS)],
            "description": (
                "flinkConfiguration keys whose directories must differ between jobs; a list is one setting under "
                "every spelling Flink reads it from (a directory under one spelling is the same under another)"
            ),
        },
    },
}

TEMPLATE = Template(
    "flink-job-isolation",
    "The live Flink job's Kafka consumer group id is its own (a FlinkSessionJob's read with its session cluster's "
    "settings under its own).",
    PARAMS_SCHEMA,
    check,
    kinds=("FlinkDeployment", "FlinkSessionJob"),
)
