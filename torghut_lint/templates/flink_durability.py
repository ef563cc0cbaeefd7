"""Template ``flink-durability``: a FlinkDeployment that writes to an external store keeps its
state durable: checkpoints on durable storage, a bounded restart strategy, and an upgrade mode
that keeps state (a job that restarts forever from nothing re-writes or loses data). What the
Flink image reads is ``flinkConfiguration`` with ``FLINK_PROPERTIES`` (a container's variable it
appends to its configuration) over it: both are read, and a value that cannot be seen blocks.
A FlinkSessionJob is held the same way, by its session cluster's configuration with its own
``flinkConfiguration`` over it: the same job moved onto a session cluster is still the job."""

from __future__ import annotations

import re
from collections.abc import Iterator

from torghut_lint.k8s import (
    FLINK_CHECKPOINT_DIRS,
    containers,
    effective_env,
    flink_properties,
    get_path,
    session_cluster,
)
from torghut_lint.templates.base import RuleContext, Template, Violation

DEFAULT_RESTARTS = {
    "fixed-delay": "restart-strategy.fixed-delay.attempts",
    "fixeddelay": "restart-strategy.fixed-delay.attempts",
    "failure-rate": "restart-strategy.failure-rate.max-failures-per-interval",
    "failurerate": "restart-strategy.failure-rate.max-failures-per-interval",
    "exponential-delay": "restart-strategy.exponential-delay.attempts-before-reset-backoff",
    "exponentialdelay": "restart-strategy.exponential-delay.attempts-before-reset-backoff",
    "none": None,
    "off": None,
    "disable": None,
}
_CONF = ("spec", "flinkConfiguration")
# Checkpoint storage and (legacy) state backend: "jobmanager" keeps checkpoints in the
# JobManager's memory whatever the directory says (only their metadata goes there).
IN_MEMORY = {
    "execution.checkpointing.storage": "checkpoint storage",
    "state.checkpoint-storage": "checkpoint storage",
    "state.backend.type": "state backend",
    "state.backend": "state backend",
}
_IN_MEMORY_VALUES = {
    "jobmanager",
    "memory",
    "org.apache.flink.runtime.state.storage.jobmanagercheckpointstoragefactory",
}


def _writes(job, ctx: RuleContext, pattern: re.Pattern) -> bool:
    """True when a configuration value, job argument or environment value names the store."""
    config = get_path(job.data, _CONF)
    texts = [str(v) for v in (config.values() if isinstance(config, dict) else ())]
    texts += [str(a) for a in get_path(job.data, ("spec", "job", "args")) or []]
    for path, container in containers(job):
        texts += [e.value for e in effective_env(job, path, container, ctx.env_sources).values() if e.value]
    return any(pattern.search(t) for t in texts)


def _unbounded(value: object, most: int) -> str | None:
    """Why a restart strategy's bound does not bound it in practice (Flink reads an integer; one
    past ``most``, Integer.MAX_VALUE above all, is a crash loop that never ends), or None."""
    text = str(value).strip()
    if not (text.isdigit() and text.isascii()):
        return f"not a number of attempts Flink reads; a whole number of at most {most}"
    if int(text) > most:
        return f"a crash loop of that many restarts never ends in practice; at most {most}"
    return None


def check(ctx: RuleContext) -> Iterator[Violation]:
    pattern = re.compile(ctx.params["writesTo"])
    for job in ctx.matched:
        if job.id.kind == "FlinkSessionJob":
            yield from _session_job(job, ctx, pattern)
            continue
        if not _writes(job, ctx, pattern):
            continue
        config, set_at, unseen = _configuration(job, ctx)
        yield from _judged(job, ctx, config, set_at, unseen)


def _configuration(job, ctx: RuleContext) -> tuple[dict, dict, list]:
    """A FlinkDeployment's configuration as its image reads it: flinkConfiguration with
    FLINK_PROPERTIES over it; where each key FLINK_PROPERTIES sets is written; the variables
    it cannot read."""
    config = get_path(job.data, _CONF)
    config = config if isinstance(config, dict) else {}
    properties, unseen = flink_properties(job, ctx.env_sources)
    config = {**config, **{key: value for key, (value, _) in properties.items()}}
    set_at = {key: env.source.locate(env.path) for key, (_, env) in properties.items()}
    return config, set_at, unseen


def _session_job(job, ctx: RuleContext, pattern: re.Pattern) -> Iterator[Violation]:
    """A FlinkSessionJob runs on the session cluster its ``deploymentName`` names (a FlinkDeployment
    of its namespace): the cluster's configuration with the job's own ``flinkConfiguration`` over
    it (the operator submits the job with it) is what holds it. A cluster the application does not
    deploy cannot be seen: a job writing to the store on it is a finding."""
    name = get_path(job.data, ("spec", "deploymentName"))
    session = session_cluster(job, ctx.of_kind("FlinkDeployment"))
    args = [str(a) for a in get_path(job.data, ("spec", "job", "args")) or []]
    own = get_path(job.data, _CONF)
    own = own if isinstance(own, dict) else {}
    writes = any(pattern.search(t) for t in [*args, *map(str, own.values())])
    if session is None:
        if writes:
            yield Violation(
                job,
                ("spec", "deploymentName"),
                f"{job.id.name} runs on the session cluster {name!r}, which this application does not deploy: "
                "its checkpoint directory and restart strategy cannot be seen; deploy the cluster with the job",
            )
        return
    if not (writes or _writes(session, ctx, pattern)):
        return
    config, set_at, unseen = _configuration(session, ctx)
    set_at = {**{key: session.locate(_CONF + (key,)) for key in config if key not in set_at}, **set_at}
    for key in own:
        set_at.pop(key, None)  # the job's own: located at it
    yield from _judged(job, ctx, {**config, **own}, set_at, unseen)


def _judged(job, ctx: RuleContext, config: dict, set_at: dict, unseen: list) -> Iterator[Violation]:
    """What a job's effective configuration (``config``; ``set_at``: where a key written elsewhere
    than the job's flinkConfiguration is) and its upgrade mode break of the rule."""
    schemes = tuple(ctx.params["durableSchemes"])
    restarts = ctx.params["boundedRestarts"]
    modes = ctx.params["statefulUpgradeModes"]
    name = job.id.name
    for env in unseen:
        yield Violation(
            job,
            _CONF,
            f"{name} takes FLINK_PROPERTIES from {env.origin} the linter cannot read: it may set the checkpoint "
            "directory or the restart strategy over flinkConfiguration; write it in the manifest",
            location=env.source.locate(env.path),
        )
    at = set_at.get  # a key FLINK_PROPERTIES (or a session cluster) sets is located there

    def flag(key: str, message: str) -> Violation:
        """A violation of one configuration key, located where that key is set."""
        return Violation(job, _CONF + (key,), message, location=at(key))

    # every spelling that is set is held to the rule (k8s.FLINK_CHECKPOINT_DIRS); none set is
    # reported where it always was, so that finding keeps its identity
    dirs = [key for key in FLINK_CHECKPOINT_DIRS if key in config] or ["state.checkpoints.dir"]
    for key in dirs:
        checkpoints = str(config.get(key) or "")
        if not checkpoints.startswith(schemes):
            where = "is not set" if not checkpoints else f"is {checkpoints!r}"
            yield flag(
                key,
                f"{name} writes to an external store but {key} {where}; "
                f"it must be on durable storage ({', '.join(schemes)})",
            )
    for key, what in IN_MEMORY.items():
        if str(config.get(key) or "").strip().lower() in _IN_MEMORY_VALUES:
            yield flag(
                key,
                f"{name} {what} {key} is {config[key]!r}: checkpoints are kept in the JobManager's memory "
                "and lost with it, whatever the checkpoint directory",
            )
    strategy_key = "restart-strategy.type" if "restart-strategy.type" in config else "restart-strategy"
    strategy = str(config.get(strategy_key) or "").strip().lower()
    if not strategy:
        yield Violation(
            job,
            _CONF,
            f"{name} sets no restart strategy; Flink's default with checkpointing restarts forever: set a bounded one",
        )
    elif strategy not in restarts:
        yield flag(
            strategy_key,
            f"{name} restart strategy {strategy!r} is not one "
            f"known to be bounded ({', '.join(sorted(k for k in restarts if '-' in k or k == 'none'))})",
        )
    elif restarts[strategy] and not str(config.get(restarts[strategy]) or "").strip():
        yield flag(strategy_key, f"{name} uses {strategy} without {restarts[strategy]}, so restarts are unbounded")
    elif restarts[strategy] and (why := _unbounded(config[restarts[strategy]], ctx.params["maxRestartAttempts"])):
        key = restarts[strategy]
        yield flag(key, f"{name} {key} is {config[key]!r}: {why}")
    mode = get_path(job.data, ("spec", "job", "upgradeMode"))
    if job.id.kind == "FlinkDeployment" and get_path(job.data, ("spec", "job")) is None:
        return  # a session cluster: it runs no job of its own (each FlinkSessionJob's mode is its own)
    if mode not in modes:
        shown = "not set (stateless)" if mode is None else repr(mode)
        yield Violation(
            job,
            ("spec", "job", "upgradeMode") if mode is not None else ("spec", "job"),
            f"{name} upgradeMode is {shown}; an upgrade would drop its state (use {' or '.join(modes)})",
        )


PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "writesTo": {
            "type": "string",
            "default": "(?i)clickhouse",
            "description": "regex: a job whose config, env or arguments mention it writes to an external store",
        },
        "durableSchemes": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["s3://", "s3a://"],
            "description": "checkpoint directory prefixes that count as durable",
        },
        "boundedRestarts": {
            "type": "object",
            "default": DEFAULT_RESTARTS,
            "description": (
                "restart strategy -> the flinkConfiguration key that must bound it (null: the strategy is never "
                "bounded)"
            ),
            "additionalProperties": {"type": ["string", "null"]},
        },
        "maxRestartAttempts": {
            "type": "integer",
            "minimum": 0,
            "default": 100,
            "description": (
                "the most attempts (or failures per interval) the bounding key may allow: past it, a job that "
                "fails on every start crash-loops for days (2147483647, Flink's own default for exponential-delay, "
                "is no bound)"
            ),
        },
        "statefulUpgradeModes": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["savepoint", "last-state"],
            "description": "job.upgradeMode values that keep state across upgrades",
        },
    },
}

TEMPLATE = Template(
    "flink-durability",
    (
        "A FlinkDeployment that writes to an external store keeps its state durable: checkpoints on "
        "durable storage (under every key Flink reads the directory from, and not kept in the JobManager's "
        "memory), a bounded restart strategy (at most maxRestartAttempts), and an upgrade mode that keeps "
        "state (a job that restarts forever from nothing re-writes or loses data). Read from "
        "flinkConfiguration with FLINK_PROPERTIES over it (the Flink image appends that variable's lines to "
        "its configuration); a FLINK_PROPERTIES the linter cannot read (a Secret's) is a finding. A FlinkSessionJob "
        "is read with its session cluster (the FlinkDeployment its deploymentName names) under its own "
        "flinkConfiguration; a cluster the application does not deploy is a finding."
    ),
    PARAMS_SCHEMA,
    check,
    kinds=("FlinkDeployment", "FlinkSessionJob"),
)
