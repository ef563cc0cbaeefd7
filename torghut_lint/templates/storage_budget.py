"""Template ``storage-budget``: persistent storage requests stay within per-replica budgets
and an application total.

Counted: PersistentVolumeClaims; StatefulSet ``volumeClaimTemplates`` x replicas; ClickHouse
(CHI/CHK) ``volumeClaimTemplates`` x the replicas of the clusters that use them (one an installation
does not define: from the ClickHouseInstallationTemplates it applies, ``useTemplates`` and those the
operator applies to every installation; one none defines is a finding, its size unseen); CloudNativePG
``storage``/``walStorage``/``tablespaces`` x instances (``size``, else the ``pvcTemplate``'s
request); any other custom resource's ``spec.storage.size`` x ``spec.replicas``; and a generic
ephemeral volume in any pod template (a claim per pod: x the workload's replicas, a Job's
parallelism; once for a DaemonSet, whose pods follow the nodes). A volume claim template nobody
references is reported as well, and so is a request that is no Kubernetes quantity (``20Gi0``,
``5 Gi``, ``2GB``), which no budget can measure."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from torghut_lint.k8s import (
    CHI_TEMPLATE,
    ByNamespace,
    applied_templates,
    containers,
    format_bytes,
    get_path,
    installation_templates,
    listed,
    parse_quantity,
    pod_specs,
    scale_targets,
    scaler_bound,
)
from torghut_lint.model import Path_, Resource
from torghut_lint.templates.base import Observation, RuleContext, Template, Violation

CLICKHOUSE_KINDS = ("ClickHouseInstallation", "ClickHouseKeeperInstallation")
SCALED_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "Rollout")  # replicas an autoscaler may raise


@dataclass
class Request:
    """One storage request: ``size`` per replica, ``replicas`` copies; ``size`` None for a value
    that is no Kubernetes quantity (``written``), which no budget can measure."""

    resource: Resource
    path: Path_
    label: str
    size: Decimal | None
    replicas: int
    written: object = None

    @property
    def total(self) -> Decimal:
        return self.size * self.replicas


def _size(value: object) -> Decimal | None | object:
    """The amount a request writes, None when it is no quantity, ABSENT when nothing is written."""
    return ABSENT if value is None else parse_quantity(value)


ABSENT = object()


def _int(value: object, default: int = 1) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


def _templates(
    res: Resource, path: Path_, name_of: Callable[[dict], object], replicas_of: Callable[[str], int]
) -> Iterator[Request]:
    """One request per volume claim template listed at ``path``."""
    for i, tpl in enumerate(get_path(res.data, path) or []):
        storage = path + (i, "spec", "resources", "requests", "storage")
        written = get_path(res.data, storage)
        if isinstance(tpl, dict) and (size := _size(written)) is not ABSENT:
            name = str(name_of(tpl))
            yield Request(res, storage, f"volumeClaimTemplate {name}", size, replicas_of(name), written)


def _cluster_replicas(cluster: dict) -> int:
    """Replicas of a ClickHouse cluster from every layout form the operator reads: explicit
    ``shards[]`` (each with ``replicasCount`` or a ``replicas[]`` list, else the layout's
    ``replicasCount``), or ``shardsCount`` x ``replicasCount``."""
    layout = cluster.get("layout") if isinstance(cluster.get("layout"), dict) else {}
    default = _int(layout.get("replicasCount"))
    shards = layout.get("shards")
    if isinstance(shards, list) and shards:
        total = 0
        for shard in shards:
            shard = shard if isinstance(shard, dict) else {}
            listed = shard.get("replicas")
            count = len(listed) if isinstance(listed, list) and listed else None
            total += _int(shard.get("replicasCount"), count or default)
        return total
    replicas = layout.get("replicas")
    if isinstance(replicas, list) and replicas:
        return _int(layout.get("shardsCount")) * len(replicas)
    return _int(layout.get("shardsCount")) * default


def _clusters(spec: dict) -> list[dict]:
    """A ClickHouse installation's clusters."""
    return [c for c in get_path(spec, ("configuration", "clusters")) or [] if isinstance(c, dict)]


def _installation_replicas(clusters: list[dict]) -> int:
    """Pods of an installation's templates used by every cluster (at least one)."""
    return sum(_cluster_replicas(c) for c in clusters) or 1


def _from_templates(
    res: Resource,
    names: dict[str, int],
    named: set[str],
    chits: dict[str, list[Resource]],
    unseen: list[tuple[str, int]],
) -> Iterator[Request]:
    """Requests of the volume claim templates an installation uses and does not define itself: the
    operator takes them from the ClickHouseInstallationTemplates it applies (``useTemplates``, the
    last one listed that defines a name winning, and those applied to every installation); a name
    of ``named`` (what the installation's templates name as a volume claim template) none of them
    defines is ``unseen`` (its size cannot be read)."""
    path = ("spec", "templates", "volumeClaimTemplates")
    own = {t.get("name") for t in get_path(res.data, path) or [] if isinstance(t, dict)}
    applied = applied_templates(res, chits)
    for name, replicas in names.items():
        if name in own:
            continue
        defining = [
            (chit, i)
            for chit in applied
            for i, tpl in enumerate(get_path(chit.data, path) or [])
            if isinstance(tpl, dict) and tpl.get("name") == name
        ]
        if not defining:
            if name in named:  # (a container's mount of another name is a volume of the pod's own)
                unseen.append((name, replicas))
            continue
        chit, i = defining[-1]
        storage = path + (i, "spec", "resources", "requests", "storage")
        written = get_path(chit.data, storage)
        if (size := _size(written)) is not ABSENT:
            label = f"volumeClaimTemplate {name} (from {CHI_TEMPLATE} {chit.id.name})"
            yield Request(chit, storage, label, size, replicas, written)


def _reference(res: Resource, name: str) -> Path_:
    """Where an installation names the volume claim template ``name``: its defaults' or a cluster's
    templates (the first), else its spec."""
    places = [("spec", "defaults", "templates")]
    clusters = _clusters(res.data.get("spec") or {})
    places += [("spec", "configuration", "clusters", i, "templates") for i in range(len(clusters))]
    for place in places:
        templates = get_path(res.data, place)
        for key, value in templates.items() if isinstance(templates, dict) else ():
            if value == name and str(key).lower().endswith("volumeclaimtemplate"):
                return (*place, key)
    return ("spec",)


def _clickhouse(
    res: Resource, referenced: set[str], chits: dict[str, list[Resource]], unseen: list[tuple[str, int]]
) -> Iterator[Request]:
    """CHI/CHK templates: a template counts once per replica of each cluster that uses it,
    by name in ``defaults``/cluster ``templates`` or as a container volume mount; one the
    installation does not define, from the ClickHouseInstallationTemplates applied to it."""
    spec = res.data.get("spec") or {}
    clusters = _clusters(spec)
    defaults = get_path(spec, ("defaults", "templates")) or {}
    replicas_of: dict[str, int] = {}
    named: set[str] = set()  # named as a volume claim template (not a container's mount)
    for cluster in clusters:
        own = cluster.get("templates")
        chosen = {**(defaults if isinstance(defaults, dict) else {}), **(own if isinstance(own, dict) else {})}
        for key, name in chosen.items():
            if key.endswith(("VolumeClaimTemplate", "volumeClaimTemplate")) and isinstance(name, str):
                replicas_of[name] = replicas_of.get(name, 0) + _cluster_replicas(cluster)
                named.add(name)
    everywhere = _installation_replicas(clusters)
    for _, container in containers(res, init=False):
        for mount in listed(container, "volumeMounts"):
            if isinstance(mount, dict) and isinstance(mount.get("name"), str):
                replicas_of.setdefault(mount["name"], everywhere)
    referenced.update(replicas_of)
    path = ("spec", "templates", "volumeClaimTemplates")
    yield from _templates(res, path, lambda t: t.get("name"), lambda name: replicas_of.get(name, 0))
    if res.id.kind == "ClickHouseInstallation":
        yield from _from_templates(res, {n: r for n, r in replicas_of.items() if r}, named, chits, unseen)


def requests(
    res: Resource,
    referenced: set[str],
    chits: dict[str, list[Resource]] | None = None,
    unseen: list[tuple[str, int]] | None = None,
    scaled: dict[int, int] | None = None,
) -> Iterator[Request]:
    """Every storage request of one resource; ``referenced`` collects used template names,
    ``unseen`` the volume claim templates an installation uses that nothing of the application
    defines (``chits``: :func:`installation_templates`); ``scaled``: the replicas autoscalers may
    give each workload (:func:`scaled_to`), a claim per replica as for its own."""
    kind = res.id.kind
    spec = res.data.get("spec") if isinstance(res.data.get("spec"), dict) else {}
    autoscaled = (scaled or {}).get(id(res), 0)
    if kind == "PersistentVolumeClaim":
        written = get_path(spec, ("resources", "requests", "storage"))
        if (size := _size(written)) is not ABSENT:
            yield Request(res, ("spec", "resources", "requests", "storage"), "claim", size, 1, written)
    elif kind == "StatefulSet":
        replicas = max(_int(spec.get("replicas")), autoscaled)
        for _, container in containers(res):
            mounts = listed(container, "volumeMounts")
            referenced.update(m["name"] for m in mounts if isinstance(m, dict) and isinstance(m.get("name"), str))
        name_of = lambda t: (t.get("metadata") or {}).get("name")  # noqa: E731
        yield from _templates(res, ("spec", "volumeClaimTemplates"), name_of, lambda _: replicas)
    elif kind in CLICKHOUSE_KINDS:
        yield from _clickhouse(res, referenced, chits or {}, [] if unseen is None else unseen)
    elif kind == "Cluster" and res.id.group == "postgresql.cnpg.io":
        instances = _int(spec.get("instances"))
        volumes = [(("spec", key), key) for key in ("storage", "walStorage")]
        for i, tablespace in enumerate(spec.get("tablespaces") or []):  # a volume per tablespace and instance
            name = tablespace.get("name") if isinstance(tablespace, dict) else None
            volumes.append((("spec", "tablespaces", i, "storage"), f"tablespace {name}"))
        for path, label in volumes:
            if (found := _cnpg_size(res, path)) is not None:
                yield Request(res, found[0], label, _size(found[1]), instances, found[1])
    elif res.id.group:
        yield from _operator_storage(res, spec)
    yield from _ephemeral(res, spec, autoscaled)


def _operator_storage(res: Resource, spec: dict) -> Iterator[Request]:
    """The storage an operator's resource of a kind not modelled above asks for, wherever its spec
    says it (a KubeVirt VirtualMachine's ``dataVolumeTemplates``, a Strimzi node pool's JBOD
    ``storage.volumes``, a CloneSet's ``volumeClaimTemplates``): every claim spec
    (``resources.requests.storage``) and every ``size`` under a ``storage`` key, each times the
    ``replicas`` of the nearest mapping above it that sets them (one when none does). What its
    pod templates mount as ephemeral volumes is counted with the pods (:func:`_ephemeral`)."""
    stack: list[tuple[Any, Path_, int, bool]] = [(spec, ("spec",), _int(spec.get("replicas")), False)]
    while stack:
        value, path, replicas, in_storage = stack.pop()
        if isinstance(value, dict):
            if "replicas" in value and value is not spec:
                replicas = _int(value.get("replicas"))
            written = get_path(value, ("resources", "requests", "storage"))
            if written is not None and not isinstance(written, (dict, list)):
                at = (*path, "resources", "requests", "storage")
                yield Request(res, at, _claim_label(path), _size(written), replicas, written)
            elif in_storage and "size" in value and (size := _size(value["size"])) not in (None, ABSENT):
                # (a size that is no quantity is some other setting's: the claim specs are the API's)
                yield Request(res, (*path, "size"), _claim_label(path), size, replicas, value["size"])
            for key, child in value.items():
                if key != "ephemeral" and isinstance(child, (dict, list)):
                    stack.append((child, (*path, key), replicas, in_storage or key == "storage"))
        elif isinstance(value, list):
            stack.extend((child, (*path, i), replicas, in_storage) for i, child in enumerate(value))


def _claim_label(path: Path_) -> str:
    """What a finding calls a storage request of an operator's resource: its place in the spec."""
    return "storage" if path == ("spec", "storage") else ".".join(str(p) for p in path[1:]) or "storage"


def scaled_to(resources: list[Resource], workloads: list[Resource]) -> tuple[dict[int, int], list[tuple]]:
    """How many replicas the autoscalers among ``resources`` may give each of ``workloads`` (by
    ``id``: the highest bound of those that target it, a KEDA ScaledObject's default of 100 when it
    writes none), and (scaler, workload) for each whose bound the linter cannot read (any object
    whose ``spec.scaleTargetRef`` names the workload): the storage it provisions is unbounded."""
    by_name: ByNamespace[tuple[str, str], Resource] = ByNamespace()
    for res in workloads:
        by_name.add(res.id.namespace, (res.id.kind, res.id.name), res)
    tops: dict[int, int] = {}
    unknown: list[tuple] = []
    for scaler, field, namespace, kind, name in scale_targets(resources):
        res = by_name.find(namespace, (kind, name)) if field == "scaleTargetRef" and kind else None
        if res is None:
            continue
        bound = scaler_bound(scaler)
        top = bound[1] if bound is not None else None
        if type(top) is int:
            tops[id(res)] = max(tops.get(id(res), 0), top)
        else:
            unknown.append((scaler, res))
    return tops, unknown


def _scaling(ctx: RuleContext) -> tuple[dict[int, int], list[tuple]]:
    """:func:`scaled_to` of the application's matched workloads, found once for check and facts."""
    return ctx.shared(
        "storage scaling", lambda c: scaled_to(c.resources, [r for r in c.matched if r.id.kind in SCALED_KINDS])
    )


def _cnpg_size(res: Resource, path: Path_) -> tuple[Path_, object] | None:
    """(where, what is written) of a CloudNativePG storage configuration at ``path``: its ``size``,
    which the operator writes over its ``pvcTemplate``'s request, else that request."""
    for tail in (("size",), ("pvcTemplate", "resources", "requests", "storage")):
        value = get_path(res.data, path + tail)
        if value is not None:
            return path + tail, value
    return None


def _pods_per_template(res: Resource, spec: dict, autoscaled: int = 0) -> int:
    """How many pods one of the resource's pod templates makes at once, as far as its spec (and
    the autoscalers that target it: ``autoscaled``) says."""
    kind = res.id.kind
    if kind in SCALED_KINDS:
        return max(_int(spec.get("replicas")), autoscaled)
    if kind == "Job":
        return _int(spec.get("parallelism"))
    if kind == "CronJob":
        return _int(get_path(spec, ("jobTemplate", "spec", "parallelism")))
    if kind in CLICKHOUSE_KINDS:
        return _installation_replicas(_clusters(spec))
    return 1


def _ephemeral(res: Resource, spec: dict, autoscaled: int = 0) -> Iterator[Request]:
    """Generic ephemeral volumes: each makes a claim per pod, deleted with it, but provisioned
    (and filling the same storage) while it runs."""
    if res.id.kind == "PersistentVolumeClaim":
        return
    pods = None
    for path, pod in pod_specs(res):
        volumes = pod.get("volumes")
        for i, volume in enumerate(volumes if isinstance(volumes, list) else ()):
            template = get_path(volume, ("ephemeral", "volumeClaimTemplate")) if isinstance(volume, dict) else None
            storage = ("spec", "resources", "requests", "storage")
            written = get_path(template, storage) if isinstance(template, dict) else None
            if (size := _size(written)) is not ABSENT:
                pods = _pods_per_template(res, spec, autoscaled) if pods is None else pods
                where = path + ("volumes", i, "ephemeral", "volumeClaimTemplate", *storage)
                yield Request(res, where, f"ephemeral volume {volume.get('name')}", size, pods, written)


def _unreferenced(res: Resource, referenced: set[str]) -> Iterator[Violation]:
    if res.id.kind == "StatefulSet":
        path: Path_ = ("spec", "volumeClaimTemplates")
        names = [((t or {}).get("metadata") or {}).get("name") for t in get_path(res.data, path) or []]
    elif res.id.kind in CLICKHOUSE_KINDS:
        path = ("spec", "templates", "volumeClaimTemplates")
        names = [(t or {}).get("name") for t in get_path(res.data, path) or []]
    else:
        return
    for i, name in enumerate(names):
        if name and name not in referenced:
            yield Violation(
                res,
                path + (i,),
                f"volumeClaimTemplate {name!r} is defined but never referenced; "
                "the operator ignores it and the data lands elsewhere",
            )


def check(ctx: RuleContext) -> Iterator[Violation]:
    budgets = ctx.params["budgets"]
    total_budget = parse_quantity(ctx.params.get("appTotal")) if ctx.params.get("appTotal") else None
    everything: list[Request] = []
    chits = installation_templates(ctx.resources)
    scaled, unbounded = _scaling(ctx)
    for res in ctx.matched:
        referenced: set[str] = set()
        unseen: list[tuple[str, int]] = []
        found = list(requests(res, referenced, chits, unseen, scaled))
        for scaler, _ in (u for u in unbounded if u[1] is res and found):
            yield Violation(
                scaler,
                ("spec", "scaleTargetRef"),
                f"{scaler.id.kind} {scaler.id.name} scales {res.id}, whose replicas each make storage claims, and how "
                "far is not known to the linter: the storage it provisions cannot be checked against the budget",
                requirement="scaled",
            )
        for name, replicas in unseen:
            yield Violation(
                res,
                _reference(res, name),
                f"{res.id.kind} {res.id.name} puts {replicas} replica(s) on volumeClaimTemplate {name!r}, which "
                f"neither it nor a {CHI_TEMPLATE} of this application defines: its size cannot be checked against "
                "the budget",
                value=name,
                requirement="template",
            )
        for req in found:
            if req.size is None:  # measured by no budget: never a pass
                yield Violation(
                    req.resource,
                    req.path,
                    f"{res.id.kind} {res.id.name} {req.label} requests {req.written!r}, which is not a Kubernetes "
                    "quantity (the API server refuses it); the storage budget cannot be checked",
                )
            elif req.size <= 0:  # never subtracted from the total: a request the API server refuses
                yield Violation(
                    req.resource,
                    req.path,
                    f"{res.id.kind} {res.id.name} {req.label} requests {req.size.normalize():f} bytes; "
                    "a storage request must be positive",
                )
        found = [r for r in found if r.size is not None and r.size > 0]
        everything.extend(found)
        if ctx.params["flagUnreferencedTemplates"]:
            yield from _unreferenced(res, referenced)
        budget = _budget(res, budgets)
        if budget is None:
            continue
        limit = parse_quantity(budget["perReplica"])
        for req in found:
            if limit is not None and req.size > limit:
                yield Violation(
                    req.resource,
                    req.path,
                    f"{res.id.kind} {res.id.name} {req.label} requests {format_bytes(req.size)} per replica, "
                    f"over the {budget['perReplica']} budget ({req.replicas} x {format_bytes(req.size)} "
                    f"= {format_bytes(req.total)}; budget {req.replicas} x {budget['perReplica']} "
                    f"= {format_bytes(limit * req.replicas)})",
                )
    if total_budget is not None and everything:
        total = sum((r.total for r in everything), Decimal(0))
        if total > total_budget:
            # the largest contributor, ties broken by place: never by the order resources render in
            biggest = min(everything, key=lambda r: (-r.total, *_place(r)))
            parts = " + ".join(
                f"{r.resource.id.name} {r.replicas}x{format_bytes(r.size)}"
                for r in sorted(everything, key=lambda r: (-r.total, *_place(r)))
            )
            yield Violation(
                biggest.resource,
                biggest.path,
                f"the application requests {format_bytes(total)} of persistent storage, over the "
                f"{ctx.params['appTotal']} total budget ({parts})",
                value=str(total),
                subject="app",
            )


def _budget(res: Resource, budgets: list[dict]) -> dict | None:
    """The per-replica budget that applies to ``res`` (the first listed for its kind and apiVersion)."""
    return next(
        (
            b
            for b in budgets
            if b["kind"] == res.id.kind and fnmatch.fnmatchcase(res.id.api_version, b.get("apiVersion", "*"))
        ),
        None,
    )


def facts(ctx: RuleContext) -> Iterator[Observation]:
    """Each volume against its budget, and the application's total (the job summary's storage table)."""
    budgets = ctx.params["budgets"]
    everything: list[Request] = []
    chits = installation_templates(ctx.resources)
    for res in ctx.matched:
        budget = _budget(res, budgets)
        limit = parse_quantity(budget["perReplica"]) if budget else None
        for req in requests(res, set(), chits, scaled=_scaling(ctx)[0]):
            if req.size is None or req.size <= 0:
                continue
            everything.append(req)
            yield Observation(
                req.resource,
                req.path,
                "Storage per volume",
                f"{res.id.kind} {res.id.name} {req.label}",
                f"{req.replicas} x {format_bytes(req.size)} = {format_bytes(req.total)}",
                f"{budget['perReplica']} per replica" if budget else "no per-replica budget",
                limit is None or req.size <= limit,
            )
    total_budget = ctx.params.get("appTotal")
    if everything:
        total = sum((r.total for r in everything), Decimal(0))
        limit = parse_quantity(total_budget) if total_budget else None
        yield Observation(
            None,
            (),
            "Storage per volume",
            "application total",
            format_bytes(total),
            f"{total_budget} in all" if total_budget else "no total budget",
            limit is None or total <= limit,
        )


def _place(req: Request) -> tuple:
    where = req.resource.locate(req.path)
    return where.file, where.line, where.column, str(req.resource.id)


PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "budgets": {
            "type": "array",
            "default": [],
            "description": (
                "per-replica budgets: a kind (and apiVersion glob) and the largest size one replica may request"
            ),
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["kind", "perReplica"],
                "properties": {
                    "kind": {"type": "string"},
                    "apiVersion": {"type": "string"},
                    "perReplica": {"type": "string"},
                },
            },
        },
        "appTotal": {
            "type": "string",
            "description": "the most storage the whole application may request (a quantity, e.g. 100Gi)",
        },
        "flagUnreferencedTemplates": {
            "type": "boolean",
            "default": True,
            "description": "report volume claim templates nothing mounts",
        },
    },
}

TEMPLATE = Template(
    "storage-budget",
    "Persistent storage requests stay within per-replica budgets and an application total (a ClickHouse "
    "installation's volumes read with the ClickHouseInstallationTemplates it applies).",
    PARAMS_SCHEMA,
    check,
    facts=facts,
)
