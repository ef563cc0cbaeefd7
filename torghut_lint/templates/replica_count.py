"""Template ``replica-count``: a workload runs exactly ``count`` replicas, and no autoscaler
scales it past that: a HorizontalPodAutoscaler's ``maxReplicas``, a KEDA ScaledObject's
``maxReplicaCount`` (100 when unset), and any other object whose ``spec.scaleTargetRef`` names the
workload (an autoscaler whose bound the linter cannot read); no Argo Rollout runs its pods again
through ``spec.workloadRef``.

With ``whenEnv``, the workloads held to it are those whose containers have one of its switches on
in their effective environment (or may have: a source the repository cannot show), whatever their
names: the trading loop is wherever TRADING_ENABLED is on. With ``alone``, such a workload is
the only one of its namespace that has a switch on, of any kind that runs pods (a Knative Service
trading beside the scheduler is a second loop, and so is each revision its traffic keeps routed).
A Knative Service or Configuration held is bounded by its revisions' max-scale annotation instead
of ``spec.replicas``; a Job, CronJob, KEDA ScaledJob or Argo CronWorkflow by how many pods it runs
at once (parallelism, a CronJob's or CronWorkflow's concurrencyPolicy Forbid, maxReplicaCount); a bare
Pod or an Argo Workflow (or WorkflowTemplate) by the census of ``alone`` alone.

A pod may run more than one copy: two containers with the switch on (whenEnv), or running one of
``copyImages``, a native sidecar (an init container with ``restartPolicy: Always``) or an Argo
template's sidecar among them, each submit or connect on their own. A pod of a workload held runs at
most ``count`` copies, and the census of ``alone`` counts each workload as many times as it runs
copies at once. With ``whenEnv``, a workload Git keeps at zero replicas that no autoscaler or
Rollout scales (a standby) runs no loop: it is neither held nor counted.

The namespace of ``alone`` is the cluster's, not the application's: Argo CD runs every application
that deploys into it side by side, so its count spans the applications of the run
(``aloneAcrossApplications``; :func:`~torghut_lint.engine.across_applications`), and workloads
count together only when they may connect with the same thing (``connectionEnv``: a key allows one
connection; another key's websocket is not in the way)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from torghut_lint.k8s import (
    IGNORE_CASE_PARAM,
    KNATIVE_SERVING,
    MAYBE,
    NO_PODS,
    ON,
    SWITCH_PARAM,
    ByNamespace,
    EnvValue,
    Names,
    any_of,
    container_switch_state,
    containers,
    copies,
    effective_env,
    get_path,
    images_of,
    repository,
    scale_targets,
    scaler_bound,
    secret_reference,
    secret_values,
)
from torghut_lint.model import Path_, Resource, digest_of
from torghut_lint.templates.base import Occupant, RuleContext, Template, Violation, crowded, defaulted, resolved


def check(ctx: RuleContext) -> Iterator[Violation]:
    want = ctx.params["count"]
    allow_absent = ctx.params["allowAbsent"]
    held = ctx.matched
    when = ctx.params.get("whenEnv")
    if when is not None:
        switches = {s["name"]: s for s in when["switches"]}
        names = Names(switches, when.get("ignoreCase", False))
        known: dict[int, dict[Path_, str | None]] = {}  # by resource: each container's switch, read once
        scaled = {(ns, kind, name) for _, _, ns, kind, name in scale_targets(ctx.resources)}

        def states(res: Resource) -> dict[Path_, str | None]:  # none for a standby at zero replicas
            if id(res) not in known:
                known[id(res)] = {} if _idle(res, scaled) else {
                    path: container_switch_state(res, path, c, ctx.env_sources, switches, names)
                    for path, c in containers(res)
                }  # fmt: skip
            return known[id(res)]

        def switched(res: Resource) -> str | None:  # on if a container has it on, else may be, else None
            found = states(res).values()
            return ON if ON in found else MAYBE if MAYBE in found else None

        def running(res: Resource) -> Callable[[Path_, dict], bool]:  # a container with a switch on
            return lambda path, _: bool(states(res).get(path))

        held = [res for res in ctx.matched if switched(res)]
    else:
        held = [res for res in ctx.matched if (res.id.group, res.id.kind) not in NO_PODS]  # a Service runs none
        image = any_of(tuple(ctx.params.get("copyImages") or ()))

        def switched(res: Resource) -> str | None:  # the workloads the policy selects are together the one
            return ON

        def running(res: Resource) -> Callable[[Path_, dict], bool]:  # a container running the image
            return lambda path, c: any(image(repository(each)) for each in images_of(res, c.get("image")))

    counted: dict[int, dict[Path_, list[Path_]]] = {}  # by resource: the copies each pod runs, found once

    def pods(res: Resource) -> dict[Path_, list[Path_]]:
        if id(res) not in counted:
            counted[id(res)] = copies(res, running(res))
        return counted[id(res)]

    # a workload of a kind nobody knew of that runs what the policy holds: how many pods it runs
    # at once cannot be read, so the count cannot be shown
    if when is not None:
        unread = [r for r in ctx.unlisted if (s := switched(r)) == ON or (s is not None and ctx.in_scope(r))]
    else:
        unread = list(ctx.unlisted)  # (selected as the policy's own are: by name, or by an image it runs)
    copies_of = held + unread  # every workload that runs what the policy holds
    ctx.census = copies_of  # what a removed copy Argo CD leaves running would be a second of
    if ctx.params.get("alone"):
        connection = _connection(ctx, running, tuple(ctx.params.get("connectionEnv") or ()))
        yield from _alone(ctx, switched, ctx.resources if when is not None else copies_of, pods, held, connection)
    for res in copies_of:
        yield from _copies_per_pod(res, pods(res), want, when is not None)
    for res in unread:
        yield Violation(
            res,
            ("kind",),
            f"{res.id} runs {'the loop (the switch on)' if when is not None else 'it'} as a {res.id.kind} "
            f"({res.id.group}), a kind the policy does not list and the linter does not know: how many pods it "
            f"runs at once cannot be read, so exactly {want} cannot be shown; run it as a kind the policy lists, "
            "or list this one in the policy's match (its spec.replicas is then read)",
            requirement="kind",
            # whatever in its spec sets the count (not read): any change of it is a new finding
            value=digest_of(res.data.get("spec"), structural=True),
        )
    workloads: ByNamespace[tuple[str, str], Resource] = ByNamespace()  # by (kind, name)
    for res in held:
        if (res.id.group, res.id.kind) in _RUN_ONCE:  # one run: counted by alone, no replicas to set
            continue
        if res.id.group == KNATIVE_SERVING:  # its revisions scale by an annotation, not spec.replicas
            yield from _knative_cap(res, want, "the loop" if when is not None else "it")
            continue
        if (res.id.group, res.id.kind) in _JOBS:  # runs to completion: how many pods at once
            yield from _concurrent_runs(res, want)
            continue
        workloads.add(res.id.namespace, (res.id.kind, res.id.name), res)
        spec = res.data.get("spec") if isinstance(res.data.get("spec"), dict) else {}
        if res.id.kind == "DaemonSet":  # no replica count: a pod on every node the selector allows
            yield Violation(res, ("spec",), f"a DaemonSet runs a pod on every node; {res.id} must run exactly {want}")
        elif "replicas" not in spec or spec["replicas"] is None:
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
        if ctx.params.get("noSurge") and (surge := _surges(res, spec)) is not None:
            yield Violation(
                res,
                surge[0],
                f"{surge[1]}: a rollout runs a pod beside the running one, {want + 1} at once; "
                "use strategy type Recreate (or maxSurge 0)",
                requirement="surge",
            )
    if not held:
        return
    for scaler, field, namespace, kind, name in scale_targets(ctx.resources):  # each, against the workload it names
        res = workloads.find(namespace, (kind, name))
        if res is None:
            continue
        if field == "workloadRef":
            yield Violation(
                scaler,
                ("spec", "workloadRef"),
                f"{scaler.id} runs the pods of {res.id} again as its own (workloadRef), beside the ones "
                f"{res.id.kind} runs until it is scaled down: more than {want} at once",
            )
        else:
            yield from _scales_past(scaler, scaler.data["spec"], res, want)


_REPLICATED = {
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "ReplicaSet"),
    ("", "ReplicationController"),
    ("argoproj.io", "Rollout"),
}


def _idle(res: Resource, scaled: set[tuple[str, str | None, str]]) -> bool:
    """Whether a workload runs no pod: ``replicas: 0`` (a standby, as Git keeps it), and nothing
    scales it (an autoscaler or a Rollout's workloadRef naming it may start pods at any time)."""
    spec = res.data.get("spec")
    replicas = spec.get("replicas") if isinstance(spec, dict) else None
    return (
        type(replicas) is int
        and replicas == 0
        and (res.id.group, res.id.kind) in _REPLICATED
        and (res.id.namespace, res.id.kind, res.id.name) not in scaled
    )


def _alone(
    ctx: RuleContext,
    switched: Callable[[Resource], str | None],
    census: list[Resource],
    pods: Callable[[Resource], dict[Path_, list[Path_]]],
    held: list[Resource],
    connection: Callable[[Resource], tuple[str, ...] | None],
) -> Iterator[Violation]:
    """A violation at each workload of a namespace where more than one has a switch on (without
    whenEnv: more than one the policy selects runs at all), among ``census`` (with whenEnv every
    kind that runs pods), in the namespaces of the workloads the policy selects. A workload outside
    the policy's scope (another team's, beside Torghut's moved into a shared namespace) counts when
    its switch is shown on, not merely when a source nobody can see might set it; one inside it (a
    bare Pod in Torghut's namespace) counts as the policy's own do. Each counts as many times as
    it runs copies at once (``pods``: the containers of each pod, every revision Knative routes),
    and only with those that connect as it does (``connection``: :func:`crowded`)."""
    namespaces = {res.id.namespace for res in ctx.matched}
    routes = _routes(ctx.of_kind("Route"))
    by_namespace: dict[str, list[tuple[Resource, int, int]]] = {}
    for res in census:
        if res.id.namespace not in namespaces:
            continue
        state = switched(res)  # a kind without pods has no switch on
        if state == ON or (state is not None and ctx.in_scope(res)):
            each = max(1, sum(len(found) for found in pods(res).values()))
            by_namespace.setdefault(res.id.namespace, []).append((res, _revisions_routed(res, routes), each))
    switch = ctx.params.get("whenEnv") is not None
    what, its = ("have the switch on", "the loop") if switch else ("run it", "its own")
    held_ids = {id(res) for res in held}
    across = ctx.params["aloneAcrossApplications"]

    def shown(ref: str) -> str | None:  # the application's Secrets, read once the first is asked for
        return ctx.shared("secret values", lambda c: secret_values(c.resources)).get(ref)

    for namespace, found in by_namespace.items():
        raw = {id(res): connection(res) for res, _, _ in found}  # (the count across applications reads these)
        entries = [(res, routed, each, resolved(raw[id(res)], shown)) for res, routed, each in found]
        groups = [
            group
            for group in crowded(entries, lambda e: e[3], lambda e: e[1] * e[2])
            # one workload held, its copies in one pod: reported per pod
            if not (len(group) == 1 and group[0][1] == 1 and id(group[0][0]) in held_ids)
        ]
        for res, routed, each, _ in entries:
            group = next((g for g in groups if any(e[0] is res for e in g)), None)
            described = f"{res.id}" + _times(routed, each)
            listed = ", ".join(f"{e[0].id}" + _times(e[1], e[2]) for e in group or [(res, routed, each, None)])
            violation = Violation(
                res,
                ("spec", "traffic") if routed > 1 else ("metadata", "name"),
                f"{len(group or [res])} workload(s) of namespace {namespace or '(default)'} {what} ({listed}); "
                f"each runs {its}, so exactly one may",
                requirement="alone",
            )
            if group is not None:
                yield violation
            if across:  # the same violation, should other applications' workloads make the count exceed one
                unreported = None if group is not None else violation
                ctx.occupants.append(Occupant(namespace, routed * each, described, what, its, unreported, raw[id(res)]))


def _connection(
    ctx: RuleContext, running: Callable[[Resource], Callable[[Path_, dict], bool]], names: tuple[str, ...]
) -> Callable[[Resource], tuple[str, ...] | None]:
    """What a workload's copies may connect with: each of ``names`` set in the environment of a
    container running it (an application may read either spelling), as a literal's digest or the
    key of the Secret a ``secretKeyRef`` or ``envFrom`` reads (:func:`resolved` tells what that
    holds); None where it cannot be told (none of them set, a source the repository cannot show),
    which counts with every other."""

    def source(res: Resource, value: EnvValue) -> str | None:
        if value.value is not None:
            return "value:" + digest_of(value.value)
        envfrom = value.origin in ("secretRef", "secretKey")
        holder = get_path(res.data, value.path[:-1] if envfrom else value.path)
        if value.origin == "secretKeyRef":
            ref = get_path(holder, ("valueFrom", "secretKeyRef"))
            name, key = (ref.get("name"), ref.get("key")) if isinstance(ref, dict) else (None, None)
        elif envfrom and isinstance(holder, dict):
            ref = holder.get("secretRef")
            name = ref.get("name") if isinstance(ref, dict) else None
            key = value.name[len(str(holder.get("prefix") or "")) :]
        else:
            return None
        if not (isinstance(name, str) and isinstance(key, str)):
            return None
        return secret_reference(res.id.namespace, name, key)  # told by what makes it: see resolved

    def connection(res: Resource) -> tuple[str, ...] | None:
        if not names:
            return None
        found: set[str | None] = set()
        for path, container in containers(res):
            if running(res)(path, container):
                env = effective_env(res, path, container, ctx.env_sources, only=set(names))
                found |= {source(res, env[name]) for name in names if name in env} or {None}
        return None if not found or None in found else tuple(sorted(found))

    return connection


def _times(routed: int, each: int) -> str:
    """How a workload of the census runs more than one copy, in words."""
    said = [f"{routed} revisions routed"] if routed > 1 else []
    said += [f"{each} containers running it at once"] if each > 1 else []
    return f" ({', '.join(said)})" if said else ""


def _copies_per_pod(res: Resource, pods: dict[Path_, list[Path_]], want: int, switch: bool) -> Iterator[Violation]:
    """A violation at each container past ``want`` in a pod of ``res`` that runs more copies at once
    (two containers, or a native sidecar, running the websocket or the loop: each its own)."""
    what = "the loop (the switch on)" if switch else "it"
    for found in pods.values():
        if len(found) <= want:
            continue
        names = ", ".join(repr(_container_name(res, path)) for path in found)
        for path in found[want:]:
            yield Violation(
                res,
                path,
                f"a pod of {res.id} runs {what} in {len(found)} containers at once ({names}); "
                f"each is its own, so at most {want} may",
                requirement="copies",
            )


def _container_name(res: Resource, path: Path_) -> str:
    container: Any = res.data
    for step in path:
        container = container[step]
    return str(container.get("name", path[-1]))


def _surges(res: Resource, spec: dict) -> tuple[tuple, str] | None:
    """(path, why) when a rollout of ``res`` starts new pods before the old one stops, as the
    controller does it: a Deployment's RollingUpdate (the default, maxSurge 25%, which rounds up to
    a pod), an Argo Rollout's canary (the same default) or blue-green (a full preview set); None for
    Recreate, maxSurge 0, and kinds that replace pods in place (StatefulSet, ReplicaSet)."""
    strategy = spec.get("strategy")
    strategy = strategy if isinstance(strategy, dict) else {}
    where = ("spec", "strategy") if "strategy" in spec else ("spec",)
    if res.id.kind == "Deployment" and res.id.group == "apps":
        kind = strategy.get("type") or "RollingUpdate"
        if kind == "Recreate":
            return None
        rolling = strategy.get("rollingUpdate")
        surge = rolling.get("maxSurge", "25%") if isinstance(rolling, dict) else "25%"
        reason = f"strategy {kind}" if "strategy" in spec else "no strategy: RollingUpdate"
    elif res.id.kind == "Rollout" and res.id.group == "argoproj.io":
        if "blueGreen" in strategy:
            return where, "a blue-green strategy runs a full preview set beside the active one"
        canary = strategy.get("canary")
        surge = canary.get("maxSurge", "25%") if isinstance(canary, dict) else "25%"
        reason = "a canary strategy"
    else:
        return None
    if surge in (0, "0", "0%"):
        return None
    return where, f"{reason} with maxSurge {surge}" + (" (the default)" if surge == "25%" else "")


_JOBS = {("batch", "Job"), ("batch", "CronJob"), ("keda.sh", "ScaledJob"), ("argoproj.io", "CronWorkflow")}
# what runs its pods once, with no replicas to set: a bare Pod, an Argo workflow (or the template
# one is submitted from, by hand, a sensor or another workflow); each is counted by alone
_RUN_ONCE = {
    ("", "Pod"),
    ("argoproj.io", "Workflow"),
    ("argoproj.io", "WorkflowTemplate"),
    ("argoproj.io", "ClusterWorkflowTemplate"),
}


def _past(bound: Any, want: int) -> bool:
    """Whether a count read from a manifest may be past ``want`` (one that is not an integer is
    not known to stay under it)."""
    return not isinstance(bound, int) or isinstance(bound, bool) or bound > want


def _concurrent_runs(res: Resource, want: int) -> Iterator[Violation]:
    """Violations where a Job, CronJob, KEDA ScaledJob or Argo CronWorkflow may run more than
    ``want`` pods at once: a Job's ``parallelism`` (1 when unset), a CronJob's or CronWorkflow's
    ``concurrencyPolicy`` (Allow, the default, starts a run beside one still running) and a CronJob's
    jobs' parallelism, a ScaledJob's ``maxReplicaCount`` (100 when unset)."""
    spec = res.data.get("spec") if isinstance(res.data.get("spec"), dict) else {}
    job, path = spec, ("spec",)
    if res.id.kind in ("CronJob", "CronWorkflow"):
        if spec.get("concurrencyPolicy", "Allow") != "Forbid":
            where, shown = defaulted(spec, "concurrencyPolicy", "Allow")
            yield Violation(
                res, where, f"{res.id} has concurrencyPolicy {shown}: a run may start beside one still running; "
                "use Forbid", requirement="concurrency",
            )  # fmt: skip
        if res.id.kind == "CronWorkflow":
            return  # (its workflow's own runs: counted as a Workflow's, by alone)
        template = spec.get("jobTemplate")
        job = template.get("spec") if isinstance(template, dict) and isinstance(template.get("spec"), dict) else {}
        path = ("spec", "jobTemplate", "spec")
    elif res.id.kind == "ScaledJob":
        top = spec.get("maxReplicaCount", 100)
        if _past(top, want):
            where = ("spec", "maxReplicaCount") if "maxReplicaCount" in spec else ("spec",)
            yield Violation(res, where, f"{res.id} runs up to {top!r} jobs at once; it must stay at {want}")
        return
    parallelism = job.get("parallelism", 1)
    if _past(parallelism, want):
        yield Violation(
            res, (*path, "parallelism"), f"{res.id} runs {parallelism!r} pods at once; it must stay at {want}"
        )


# Where Knative reads a revision's upper bound, in the order it reads them (kmap.KeyPriority)
KNATIVE_MAX_SCALE = ("autoscaling.knative.dev/max-scale", "autoscaling.knative.dev/maxScale")


def _knative_cap(res: Resource, want: int, what: str) -> Iterator[Violation]:
    """A violation when a Knative Service's or Configuration's revisions may scale past ``want``
    pods: no max-scale (Knative's default, 0, is no bound) or one above it, in the spelling Knative
    reads first."""
    meta = (res.data.get("spec") or {}).get("template", {}) if isinstance(res.data.get("spec"), dict) else {}
    meta = meta.get("metadata") if isinstance(meta, dict) else None
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    annotations = annotations if isinstance(annotations, dict) else {}
    key = next((k for k in KNATIVE_MAX_SCALE if k in annotations), None)
    value = str(annotations[key]).strip() if key else ""
    if key and value.isdigit() and 0 < int(value) <= want:
        return
    where = ("spec", "template", "metadata", "annotations", key) if key else ("spec", "template")
    shown = f"{key} is {value!r}" if key else "no max-scale annotation (Knative scales without bound)"
    yield Violation(res, where, f"{res.id} runs {what} with {shown}; its revisions must stay at {want} pod(s)")


def _revisions_routed(res: Resource, routes: dict[tuple[str, str], list[dict]]) -> int:
    """How many revisions of a Knative Service or Configuration traffic keeps running (each with
    its own pods, so its own loop): the distinct targets with a percentage or a tag (a tagged
    revision at 0% is still routed, and kept at its min-scale), in the Service's own ``traffic``
    and in every Route of its namespace that names its configuration or one of its revisions (a
    Route beside it keeps an old revision serving as surely: :func:`_routes`); one for anything else."""
    if res.id.group != KNATIVE_SERVING or res.id.kind not in ("Service", "Configuration"):
        return 1
    spec = res.data.get("spec")
    entries = list(_listed(spec.get("traffic"))) if res.id.kind == "Service" and isinstance(spec, dict) else []
    template = spec.get("template") if isinstance(spec, dict) else None
    named = get_path(template, ("metadata", "name")) if isinstance(template, dict) else None
    entries += routes.get((res.id.namespace, res.id.name), [])
    if isinstance(named, str) and named != res.id.name:
        entries += [t for t in routes.get((res.id.namespace, named), []) if t.get("revisionName") == named]
    targets = {
        (str(t.get("revisionName") or ""), bool(t.get("latestRevision")) or not t.get("revisionName"))
        for t in entries
        if t.get("tag") or t.get("percent") not in (0, None)
    }
    return max(1, len(targets))


_GENERATION = re.compile(r"-\d{5,}\Z")  # Knative names a configuration's revisions <name>-00001


def _routes(resources: list[Resource]) -> dict[tuple[str, str], list[dict]]:
    """The traffic entries of the Knative Routes, by (namespace, the configuration they name): its
    name, or the one a revision's default name carries; a revision named otherwise under its own
    name (a template's ``metadata.name``)."""
    found: dict[tuple[str, str], list[dict]] = {}
    for route in resources:
        if route.id.kind != "Route" or route.id.group != KNATIVE_SERVING:
            continue
        spec = route.data.get("spec")
        for t in _listed(spec.get("traffic") if isinstance(spec, dict) else None):
            revision = t.get("revisionName")
            if isinstance(t.get("configurationName"), str):
                found.setdefault((route.id.namespace, t["configurationName"]), []).append(t)
            elif isinstance(revision, str):
                owner = _GENERATION.sub("", revision)
                found.setdefault((route.id.namespace, owner), []).append(t)
                if owner != revision:
                    found.setdefault((route.id.namespace, revision), []).append(t)
    return found


def _listed(value: object) -> list[dict]:
    return [t for t in value if isinstance(t, dict)] if isinstance(value, list) else []


def _scales_past(scaler: Resource, spec: dict, res: Resource, want: int) -> Iterator[Violation]:
    """A violation when ``scaler``, which targets ``res``, may scale it past ``want``."""
    bound = scaler_bound(scaler)
    if bound is None:
        yield Violation(
            scaler,
            ("spec", "scaleTargetRef"),
            f"{scaler.id.kind} scales {res.id}, and how far is not known to the linter; it must stay at {want}",
        )
        return
    field, top = bound
    if _past(top, want):
        yield Violation(
            scaler,
            ("spec", field) if field in spec else ("spec",),
            f"{scaler.id.kind} scales {res.id} to {field} {top!r}"
            f"{' (its default)' if field not in spec else ''}; it must stay at {want}",
        )


def fix(params: dict, doc: Any, mapping: Any, key: Any) -> str | None:
    """``spec.replicas`` set to ``count`` (added at the top of ``spec`` when absent)."""
    count = params["count"]
    if key == "replicas":
        mapping[key] = count
    elif key == "spec" and hasattr(mapping[key], "insert") and "replicas" not in mapping[key]:
        mapping[key].insert(0, "replicas", count)
    else:
        return None
    return f"spec.replicas set to {count}"


PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "count": {"type": "integer", "minimum": 0, "default": 1, "description": "the exact number of replicas"},
        "allowAbsent": {
            "type": "boolean",
            "default": False,
            "description": "an unset spec.replicas passes when count is 1 (the API server's default)",
        },
        "whenEnv": {
            "type": "object",
            "additionalProperties": False,
            "required": ["switches"],
            "description": (
                "hold only the workloads whose containers have one of these switches on (or may have: a source the "
                "repository cannot show), as env-switch-off reads them; one kept at zero replicas that no autoscaler "
                "or Rollout scales (a standby) runs no loop"
            ),
            "properties": {
                "switches": {"type": "array", "minItems": 1, "items": SWITCH_PARAM},
                "ignoreCase": IGNORE_CASE_PARAM,
            },
        },
        "noSurge": {
            "type": "boolean",
            "default": False,
            "description": (
                "a rollout never runs a pod beside the running one: a Deployment uses Recreate (or maxSurge 0; "
                "RollingUpdate with 25% is the default), an Argo Rollout no blue-green and a canary with maxSurge 0"
            ),
        },
        "copyImages": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": (
                "without whenEnv: image repositories (globs, as match.image) that run a copy each: a pod running "
                "two containers (or a native sidecar) with one of them runs two copies at once, and so counts twice "
                "(with whenEnv, every container with a switch on is a copy)"
            ),
        },
        "alone": {
            "type": "boolean",
            "default": False,
            "description": (
                "a workload held is the only one of its namespace the policy selects (a bare Pod, a Job and "
                "a copy under another name count); with whenEnv, the only one of any kind that runs pods with "
                "a switch on (one outside the policy's scope counts when its switch is shown on, not when an "
                "unseen source merely may set it)"
            ),
        },
        "connectionEnv": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": (
                "with alone, environment variables naming what a copy connects with (the Alpaca key id a "
                "websocket authenticates with, first one set wins): workloads count together only where it "
                "comes from the same place (a Secret's name and key, or one literal); one whose source the "
                "repository cannot show, or that sets none, counts with every other (empty: all count together)"
            ),
        },
        "aloneAcrossApplications": {
            "type": "boolean",
            "default": True,
            "description": (
                "with alone, the namespace's count spans every application of the run (Argo CD runs the "
                "applications that deploy into one namespace side by side: a copy in another application is "
                "a second one; one object several applications hold counts once); false counts each "
                "application apart (applications of one namespace name deployed to clusters of their own)"
            ),
        },
    },
}

TEMPLATE = Template(
    "replica-count",
    (
        "A workload runs exactly ``count`` replicas, and no autoscaler scales it past that "
        "(HorizontalPodAutoscaler, KEDA ScaledObject, anything whose spec.scaleTargetRef names it), nor an Argo "
        "Rollout's workloadRef. Optionally: only the workloads with a switch on (whenEnv), alone in their "
        "namespace (alone), never surging in a rollout (noSurge); Jobs, CronJobs, ScaledJobs, CronWorkflows and "
        "Knative services by how many pods they run at once. A pod runs at most count copies: containers (native "
        "sidecars included) with a switch on, or running one of copyImages."
    ),
    PARAMS_SCHEMA,
    check,
    fix=fix,
    unlisted=True,
)
