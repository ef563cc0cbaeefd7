"""Kubernetes semantics the policies share: pod templates, containers, effective environment,
quantities and storage requests."""

from __future__ import annotations

import fnmatch
import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

import yaml

from torghut_lint import regex
from torghut_lint.goyaml import GO_SPACE
from torghut_lint.model import Location, Path_, Resource, digest_of
from torghut_lint.parse import base64_text

# Where each kind keeps its pod spec(s).
POD_SPEC_PATHS: dict[str, list[Path_]] = {
    "Pod": [("spec",)],
    "Deployment": [("spec", "template", "spec")],
    "StatefulSet": [("spec", "template", "spec")],
    "DaemonSet": [("spec", "template", "spec")],
    "ReplicaSet": [("spec", "template", "spec")],
    "ReplicationController": [("spec", "template", "spec")],
    "Job": [("spec", "template", "spec")],
    "CronJob": [("spec", "jobTemplate", "spec", "template", "spec")],
    "Rollout": [("spec", "template", "spec")],
    "FlinkDeployment": [
        ("spec", "podTemplate", "spec"),
        ("spec", "jobManager", "podTemplate", "spec"),
        ("spec", "taskManager", "podTemplate", "spec"),
    ],
}
KNATIVE_SERVICE_PATH: Path_ = ("spec", "template", "spec")
# Every key Flink reads a directory from, the current one first (CheckpointingOptions:
# ``withDeprecatedKeys``). Which one wins depends on the Flink version (1.20 reads
# execution.checkpointing.dir before state.checkpoints.dir; 1.17 knows only the latter), so a
# policy holds every spelling that is set: a durable directory under the old key does not hide a
# local one under the new, nor a shared one under another spelling.
FLINK_CHECKPOINT_DIRS = ("execution.checkpointing.dir", "state.checkpoints.dir", "state.backend.fs.checkpointdir")
FLINK_SAVEPOINT_DIRS = (
    "execution.checkpointing.savepoint-dir",
    "state.savepoints.dir",
    "savepoints.state.backend.fs.dir",
)


def listed(mapping: dict, key: str) -> list:
    """``mapping[key]`` when it is a list, else an empty one: a field of the wrong shape is the
    schema's finding, and a rule reads past it rather than failing on it."""
    value = mapping.get(key)
    return value if isinstance(value, list) else []


def get_path(data: Any, path: Path_) -> Any:
    """Value at ``path`` or None."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(data, list) or step >= len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[step] if isinstance(step, int) else data.get(step)
    return data


KNATIVE_SERVING = "serving.knative.dev"  # the API group of Knative's Services, Configurations and Routes


def is_knative_service(res: Resource) -> bool:
    return res.id.kind == "Service" and res.id.group == KNATIVE_SERVING


def _known_paths(res: Resource) -> list[Path_] | None:
    """Where a kind known to keep pod specs keeps them; None for any other kind."""
    kind = res.id.kind
    if is_knative_service(res):
        return [KNATIVE_SERVICE_PATH]
    if kind in ("ClickHouseInstallation", "ClickHouseKeeperInstallation"):
        templates = get_path(res.data, ("spec", "templates", "podTemplates")) or []
        return [("spec", "templates", "podTemplates", i, "spec") for i in range(len(templates))]
    return POD_SPEC_PATHS.get(kind)


def pod_specs(res: Resource) -> Iterator[tuple[Path_, dict]]:
    """(path, pod spec) for every pod template of a workload: the known paths of core kinds,
    Knative, Flink and ClickHouse, and for any other kind (Knative Configuration, PodTemplate,
    Argo Workflows, operators' CRDs) every mapping that carries a ``containers`` list. A live
    switch in a kind nobody listed is still found."""
    paths = _known_paths(res)
    if paths is None:
        yield from ((path, spec) for what, path, spec in carried(res) if what == "pod")
        return
    for path in paths:
        spec = get_path(res.data, path)
        if isinstance(spec, dict):
            yield path, spec


Found = TypeVar("Found")


def once(res: Resource, name: str, find: Callable[[Resource], Found]) -> Found:
    """``find(res)``, found once however many policies ask: remembered on the resource until its
    ``data`` is replaced (as its id is; builds and fixes replace it, never edit it in place)."""
    cached = res.__dict__.get(name)
    if cached is None or cached[0] is not res.data:
        cached = res.__dict__[name] = (res.data, find(res))
    return cached[1]


def carried(res: Resource) -> tuple[tuple[str, Path_, dict], ...]:
    """:func:`_carried` of a resource, walked once (:func:`once`); a kind Kubernetes defines
    without pods is not walked."""
    return once(res, "_carried", lambda r: () if (r.id.group, r.id.kind) in NO_PODS else tuple(_carried(r.data)))


# Core kinds whose schema has no pod template anywhere (by API group and kind: a CRD may reuse a
# kind name, as Knative's ``Service`` does): the documents walked most (ConfigMaps, CRDs, RBAC)
# are skipped by the search for pods in kinds nobody listed.
NO_PODS = frozenset(
    [
        ("", k)
        for k in (
            "ConfigMap",
            "Secret",
            "Service",
            "ServiceAccount",
            "Namespace",
            "PersistentVolumeClaim",
            "PersistentVolume",
            "ResourceQuota",
            "LimitRange",
            "Endpoints",
        )
    ]
    + [("rbac.authorization.k8s.io", k) for k in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")]
    + [
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("networking.k8s.io", "Ingress"),
        ("networking.k8s.io", "NetworkPolicy"),
        ("networking.k8s.io", "IngressClass"),
        ("policy", "PodDisruptionBudget"),
        ("autoscaling", "HorizontalPodAutoscaler"),
        ("storage.k8s.io", "StorageClass"),
        ("scheduling.k8s.io", "PriorityClass"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
        ("apiregistration.k8s.io", "APIService"),
        ("coordination.k8s.io", "Lease"),
    ]
)


# Where a mapping keeps containers that run (a pod spec's ``containers`` and ``initContainers``;
# an Argo Workflows template's ``sidecars`` and ``initContainers``), and where one keeps a single
# container (an Argo template's ``container`` or ``script``).
CONTAINER_LISTS = ("containers", "sidecars", "initContainers")
SINGLE_CONTAINERS = ("container", "script")


# The operators' kinds whose layouts the linter knows (what they run, where they keep it), by API
# group and kind; Kubernetes' own kinds are known by their groups (a CRD's group has a dot).
KNOWN_WORKLOADS = frozenset(
    [("argoproj.io", k) for k in ("Rollout", "Workflow", "CronWorkflow", "WorkflowTemplate", "ClusterWorkflowTemplate")]
    + [(KNATIVE_SERVING, k) for k in ("Service", "Configuration", "Revision")]
    + [("keda.sh", "ScaledJob"), ("flink.apache.org", "FlinkDeployment"), ("flink.apache.org", "FlinkSessionJob")]
    + [("clickhouse.altinity.com", k) for k in ("ClickHouseInstallation", "ClickHouseInstallationTemplate")]
    + [("clickhouse-keeper.altinity.com", "ClickHouseKeeperInstallation")]
    # what deploys the tree, judged by the Argo CD rules (a plugin's env is the plugin's)
    + [("argoproj.io", k) for k in ("Application", "ApplicationSet", "AppProject")]
    # what admission writes into pods is its mutation, not a workload (``admission-mutation``)
    + [("kyverno.io", "ClusterPolicy"), ("kyverno.io", "Policy")]
    + [("admissionregistration.k8s.io", "MutatingAdmissionPolicy")]
)


def unknown_workload(res: Resource) -> bool:
    """Whether ``res`` runs containers (:func:`containers`) in a kind neither Kubernetes defines
    nor the linter knows (:data:`KNOWN_WORKLOADS`): an OpenKruise CloneSet, a Tekton TaskRun, a
    CRD a change adds. A policy that selects workloads by kind never listed it, and cannot have
    left it out on purpose (:attr:`RuleContext.unlisted`)."""
    group = res.id.group
    return "." in group and (group, res.id.kind) not in KNOWN_WORKLOADS and bool(containers(res))


def _runs_image(item: Any) -> bool:
    return isinstance(item, dict) and "image" in item


def _container_like(value: dict) -> bool:
    """Whether a mapping of a kind whose layout the linter does not know is a container in all
    but name: it names an image, or sets an environment (a Tekton step, a Spark driver, a chart's
    values). Operators keep what they run under keys of their own; what one runs is read
    wherever it stands, not only under ``containers``."""
    image, env, env_from = value.get("image"), value.get("env"), value.get("envFrom")
    return (
        (isinstance(image, str) and bool(image))
        or (isinstance(env, list) and any(isinstance(e, dict) and "name" in e for e in env))
        or (isinstance(env_from, list) and any(isinstance(e, dict) for e in env_from))
    )


def _carried(data: Any) -> Iterator[tuple[str, Path_, dict]]:
    """("pod", path, pod spec) for mappings anywhere in ``data`` that hold ``containers``, and
    ("container", path, container) for every other container that runs: an Argo template's
    ``container``, ``script``, ``sidecars`` and ``initContainers`` (a template that also holds a
    ``containerSet`` is walked on into it), and any other mapping that is one in all but name
    (:func:`_container_like`: a Tekton step, a Spark application's driver), walked on into (its
    parts may be more: a Spark application's image beside its driver's environment); one walk,
    bounded by the document's size."""
    stack: list[tuple[Any, Path_]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            items = value.get("containers")
            if isinstance(items, list) and any(_runs_image(c) for c in items):
                yield "pod", path, value
                continue
            held = False
            for key in SINGLE_CONTAINERS:
                if _runs_image(value.get(key)):
                    held = True
                    yield "container", path + (key,), value[key]
            for key in ("sidecars", "initContainers"):  # an Argo template's lists (a pod's hold containers too)
                for i, item in enumerate(listed(value, key)):
                    if _runs_image(item):
                        held = True
                        yield "container", path + (key, i), item
            children = value.items()
            if held:  # the containers are yielded; the rest of the template may hold more (a containerSet)
                children = [(k, v) for k, v in children if k not in CONTAINER_LISTS and k not in SINGLE_CONTAINERS]
            elif path and _container_like(value):
                yield "container", path, value
            patch = value.get("podSpecPatch")
            if isinstance(patch, str) and "workflowTemplateRef" in value:  # a workflow of a template it refers to
                yield from _patch_containers(path + ("podSpecPatch",), patch)
            # only what can hold more (most values are scalars: no path made for them)
            stack.extend((v, path + (k,)) for k, v in reversed(list(children)) if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend((v, path + (i,)) for i, v in reversed(list(enumerate(value))) if isinstance(v, (dict, list)))


def container_name(path: Path_, container: dict) -> str:
    """What a finding calls the container at ``path``: its name, else Argo's for a template's
    ``container`` or ``script`` (``main``), else the key that holds it (a Spark application's
    ``driver``), else ``?``."""
    name = container.get("name")
    if isinstance(name, str) and name:
        return name
    if path and path[-1] in SINGLE_CONTAINERS:
        return "main"
    return path[-1] if path and isinstance(path[-1], str) else "?"


def _pod_containers(path: Path_, spec: dict, key: str) -> list[tuple[Path_, dict]]:
    """(path, container) of the pod spec's ``containers`` or ``initContainers``."""
    items = spec.get(key)
    if not isinstance(items, list):
        return []
    return [(path + (key, i), container) for i, container in enumerate(items) if isinstance(container, dict)]


def containers(res: Resource, init: bool = True) -> tuple[tuple[Path_, dict], ...]:
    """(path, container) for every container (and init container) of a workload, found once
    (:func:`once`)."""
    every, main = once(res, "_containers", _containers)
    return every if init else main


def _containers(res: Resource) -> tuple[tuple[tuple[Path_, dict], ...], tuple[tuple[Path_, dict], ...]]:
    """(every container and init container, the containers without init containers), in the
    order they stand: each pod's containers, then its init containers."""
    every: list[tuple[Path_, dict]] = []
    main: list[tuple[Path_, dict]] = []
    if _known_paths(res) is not None:
        found = [("pod", path, spec) for path, spec in pod_specs(res)]
    else:
        found = carried(res)
    for what, path, value in found:
        if what == "pod":
            containers = _pod_containers(path, value, "containers")
            every += containers
            every += _pod_containers(path, value, "initContainers")
            main += containers
        else:  # an Argo template's container, script, sidecar or init container
            every.append((path, value))
            if path[-2:-1] != ("initContainers",):
                main.append((path, value))
    return tuple(every), tuple(main)


def pod_of(path: Path_) -> Path_:
    """The path of the pod spec (or Argo template) holding the container at ``path``."""
    return path[:-2] if path[-2:-1] and path[-2] in CONTAINER_LISTS else path[:-1]


def runs_alongside(path: Path_, container: dict) -> bool:
    """Whether the container at ``path`` runs for the pod's life, beside its others: a container,
    an Argo template's container, script or sidecar, or a native sidecar (an init container with
    ``restartPolicy: Always``); a plain init container runs to completion before any of them."""
    return path[-2:-1] != ("initContainers",) or container.get("restartPolicy") == "Always"


def copies(res: Resource, is_copy: Callable[[Path_, dict], bool]) -> dict[Path_, list[Path_]]:
    """For each pod of ``res`` (by the path of its spec), the containers that run a copy of
    something at once (``is_copy``): those that run alongside each other (:func:`runs_alongside`),
    or, where none does, the first plain init container that is one (init containers run one at
    a time). Pods without a copy are left out."""
    found: dict[Path_, list[Path_]] = {}
    first_init: dict[Path_, Path_] = {}
    for path, container in containers(res):
        if not is_copy(path, container):
            continue
        if runs_alongside(path, container):
            found.setdefault(pod_of(path), []).append(path)
        else:
            first_init.setdefault(pod_of(path), path)
    for pod, path in first_init.items():
        found.setdefault(pod, [path])
    return found


def image_repositories(res: Resource) -> tuple[str, ...]:
    """The repository of every image a resource runs (its containers', init containers' and a
    FlinkDeployment's ``spec.image``), found once (:func:`once`): what identifies Torghut's
    workloads wherever a change moves or renames them."""
    return once(res, "_images", _image_repositories)


def _image_repositories(res: Resource) -> tuple[str, ...]:
    found = [image for _, container in containers(res) for image in images_of(res, container.get("image"))]
    if res.id.group == "argoproj.io" and res.id.kind in WORKFLOW_KINDS:  # a pod spec patch's images run too
        found += [image for named in _patched_images(res.data) for image in images_of(res, named)]
        if _refers(res.data):  # what it passes a template it refers to may be the image that runs
            found += [value for named in parameter_values(res).values() for value in named if _image_like(value)]
    spec = res.data.get("spec")
    if res.id.kind == "FlinkDeployment" and isinstance(spec, dict):
        found.append(spec.get("image"))
    return tuple(dict.fromkeys(repository(image) for image in found if isinstance(image, str) and image))


# an Argo workflow parameter written into a field (``{{inputs.parameters.image}}``,
# ``{{ workflow.parameters.img }}``); an expression (``{{= ...}}``) is none of them
PARAMETER_REFERENCE = re.compile(r"\{\{\s*(?:inputs|workflow)\.parameters\.([A-Za-z0-9_.-]+)\s*\}\}")
MAX_IMAGE_EXPANSIONS = 64  # images one templated field is read as, at most (the rest: as written)
MAX_TEMPLATED_IMAGE = 1024  # a longer field is no image reference: read as written


def images_of(res: Resource, image: Any) -> tuple[str, ...]:
    """The images a container's ``image`` field may run: itself, and in an Argo workflow (or
    template) whose image is a parameter, each value the workflow names for that parameter (a
    template's default, the workflow's arguments, a caller's step argument, an ``enum``): one
    submitted as written runs it. A parameter no value in the workflow names stays as written."""
    if not isinstance(image, str):
        return ()
    if "{{" not in image or res.id.group != "argoproj.io" or len(image) > MAX_TEMPLATED_IMAGE:
        return (image,)
    values = parameter_values(res)
    found = [image]
    for name in dict.fromkeys(PARAMETER_REFERENCE.findall(image)):
        if not values.get(name):
            continue
        pattern = re.compile(r"\{\{\s*(?:inputs|workflow)\.parameters\." + re.escape(name) + r"\s*\}\}")
        made = (pattern.sub(lambda _, v=v: v, each) for each in found for v in values[name])
        found = list(itertools.islice(made, MAX_IMAGE_EXPANSIONS))
    return tuple(dict.fromkeys([image, *found]))


def _any_string(value: Any) -> str:
    """A parameter's value as Argo reads it (its ``AnyString``: a number or a boolean written
    unquoted is its text); empty for what is none."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, (str, int)) else ""


def parameter_values(res: Resource) -> dict[str, list[str]]:
    """:func:`_parameter_values` of an Argo workflow, found once (:func:`once`)."""
    return once(res, "_parameter_values", _parameter_values)


def _parameter_values(res: Resource) -> dict[str, list[str]]:
    """Every value an Argo workflow names for each parameter, by name: ``value``, ``default`` and
    ``enum`` of each entry of any ``parameters`` list in it (inputs, arguments, step arguments)."""
    found: dict[str, list[str]] = {}
    for mapping in mappings_in(res.data):
        for entry in listed(mapping, "parameters"):
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                named = [entry.get("value"), entry.get("default"), *listed(entry, "enum")]
                found.setdefault(entry["name"], []).extend(_any_string(v) for v in named if _any_string(v))
    return {name: list(dict.fromkeys(values)) for name, values in found.items()}


def has_wildcards(pattern: str) -> bool:
    """Whether ``pattern`` has wildcards (a plain one matches only itself: no fnmatch needed)."""
    return "*" in pattern or "?" in pattern or "[" in pattern


@functools.lru_cache(maxsize=256)
def any_of(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a text matches any of the glob ``patterns`` (``fnmatchcase``'s): plain ones by set
    membership, those with wildcards by one regular expression for all of them (asked for every
    resource a policy could match)."""
    plain = frozenset(p for p in patterns if not has_wildcards(p))
    globs = [p for p in patterns if has_wildcards(p)]
    if not globs:
        return plain.__contains__
    match = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in globs)).match
    return lambda text: text in plain or match(text) is not None


@functools.lru_cache(maxsize=4096)  # a tree names the same images again and again
def repository(image: str) -> str:
    """An image reference's repository as the container runtime resolves it (the distribution
    library's normalised name): no digest, no tag, and a Docker Hub name written out (``torghut``
    is ``docker.io/library/torghut``, ``lab/torghut`` is ``docker.io/lab/torghut``), so a short
    spelling does not escape a ``*/torghut`` glob."""
    name = image.strip().split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name = name[:colon]
    first, _, rest = name.partition("/")
    if not rest:
        return f"docker.io/library/{name}"
    if "." not in first and ":" not in first and first != "localhost":
        return f"docker.io/{name}"
    if first in ("index.docker.io", "registry-1.docker.io"):
        first = "docker.io"
    if first == "docker.io" and "/" not in rest:
        rest = f"library/{rest}"
    return f"{first}/{rest}"


@dataclass(frozen=True)
class EnvValue:
    """One effective environment variable of a container."""

    name: str
    value: str | None  # None when it comes from a Secret, a field or an unresolved ref
    source: Resource  # the resource whose file sets it
    path: Path_  # where in ``source``
    origin: str  # "env", "envFrom", "configMapKeyRef", "command", "args", or where an unseen value comes from
    offset: int | None = None  # in the word at ``path``, for an assignment on the command line

    @property
    def hidden_in(self) -> str:
        """Where a value the linter cannot see comes from, in words."""
        return HIDDEN_ORIGINS.get(self.origin, self.origin)

    @property
    def location(self) -> Location | None:
        """The line of an assignment inside a text (a command line, an environment file); None:
        the entry at ``path`` is the place."""
        return None if self.offset is None else self.source.locate_in_text(self.path, self.offset)


def text(value: Any) -> str:
    """A scalar as Kubernetes would see it in a string field."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


Key = TypeVar("Key")
Value = TypeVar("Value")


class ByNamespace(Generic[Key, Value]):
    """Objects of one application by namespace and key (a name, a kind and name), found as a
    reference from a namespace finds them in the cluster: the one of that namespace, else one
    where either side names none (both land in the Application's destination namespace). Nothing of
    another explicit namespace stands in: a decoy of the same name elsewhere is never read. The
    first object added under a key wins, as kustomize keeps one object per identity."""

    def __init__(self) -> None:
        self._exact: dict[tuple[str, Key], Value] = {}
        self._anywhere: dict[Key, Value] = {}

    def add(self, namespace: str, key: Key, value: Value) -> None:
        self._exact.setdefault((namespace, key), value)
        self._anywhere.setdefault(key, value)

    def find(self, namespace: str, key: Key) -> Value | None:
        found = self._exact.get((namespace, key))
        if found is None:
            found = self._exact.get(("", key)) if namespace else self._anywhere.get(key)
        return found


def scale_targets(resources: list[Resource]) -> Iterator[tuple[Resource, str, str, str | None, str]]:
    """(resource, field, namespace, kind, name) of each workload another resource runs or scales:
    an Argo Rollout's ``workloadRef``, any other's ``spec.scaleTargetRef`` (an autoscaler, whose
    bound the linter may not know; a KEDA ScaledObject's kind defaults to Deployment)."""
    for res in resources:
        spec = res.data.get("spec")
        if not isinstance(spec, dict):
            continue
        rollout = res.id.kind == "Rollout" and res.id.group == "argoproj.io"
        field = "workloadRef" if rollout and isinstance(spec.get("workloadRef"), dict) else "scaleTargetRef"
        ref = spec.get(field)
        if not isinstance(ref, dict) or not isinstance(ref.get("name"), str):
            continue
        kind = ref.get("kind", "Deployment" if res.id.group == "keda.sh" else None)
        if kind is None or isinstance(kind, str):
            yield res, field, res.id.namespace, kind, ref["name"]


# Where each autoscaler keeps its upper bound, and the bound it applies when none is written.
SCALER_BOUNDS = {
    ("autoscaling", "HorizontalPodAutoscaler"): ("maxReplicas", None),
    ("keda.sh", "ScaledObject"): ("maxReplicaCount", 100),
}


def scaler_bound(scaler: Resource) -> tuple[str, Any] | None:
    """(the field, the bound: as written, else the autoscaler's default) of an autoscaler of
    :data:`SCALER_BOUNDS`; None for any other object that scales a workload (its bound unknown)."""
    bound = SCALER_BOUNDS.get((scaler.id.group, scaler.id.kind))
    if bound is None:
        return None
    field, default = bound
    spec = scaler.data.get("spec")
    return field, spec.get(field, default) if isinstance(spec, dict) else default


# What the API server takes for a label or annotation key (a qualified name: an optional DNS
# subdomain and '/', then 1-63 characters of letters, digits, '-', '_', '.' between alphanumerics)
# and for a label value (such a name, or empty): apimachinery's IsQualifiedName, IsValidLabelValue.
_LABEL_NAME = re.compile(r"[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?")
DNS_SUBDOMAIN = re.compile(r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*")


@functools.lru_cache(maxsize=4096)  # a tree repeats a few keys and values over and over
def qualified_name_problem(key: str) -> str | None:
    """Why the API server refuses ``key`` as a label or annotation key (or a label selector's),
    or None."""
    parts = key.split("/")
    if len(parts) > 2:
        return "has more than one '/'"
    if len(parts) == 2 and not (parts[0] and len(parts[0]) <= 253 and DNS_SUBDOMAIN.fullmatch(parts[0])):
        return "has a prefix that is not a lowercase DNS subdomain"
    if not _LABEL_NAME.fullmatch(parts[-1]):
        return "is not 1-63 letters, digits, '-', '_' or '.' that begin and end with a letter or digit"
    return None


@functools.lru_cache(maxsize=4096)
def label_value_problem(value: str) -> str | None:
    """Why the API server refuses ``value`` as a label value (or a label selector's), or None."""
    if value == "" or _LABEL_NAME.fullmatch(value):
        return None
    return "is not empty nor 1-63 letters, digits, '-', '_' or '.' that begin and end with a letter or digit"


class EnvSources:
    """What ``envFrom`` and ``valueFrom`` read within one application (:class:`ByNamespace`):
    ConfigMaps, and the keys of the Secrets whose keys the repository shows (a Secret's ``data``
    and ``stringData``, a SealedSecret's ``encryptedData`` and template ``data``, an
    ExternalSecret's named keys), by the name the cluster is given (an ExternalSecret's target):
    kustomize rewrites a reference of the kinds it knows to a ConfigMap it renamed (a prefix, a
    generator's hash), and leaves any other (a Knative Service's, a custom resource's pod
    template's) naming what the manifest says, which the cluster then looks up: an object by
    that name, or none the tree shows."""

    def __init__(self, resources: list[Resource]) -> None:
        self._configmaps: ByNamespace[str, Resource] = ByNamespace()
        self._secret_keys: ByNamespace[str, frozenset[str]] = ByNamespace()
        for res in resources:
            if res.id.kind == "ConfigMap" and res.id.api_version == "v1":
                table, value = self._configmaps, res
            elif (keys := secret_keys(res)) is not None:
                table, value = self._secret_keys, keys
                if (target := secret_name(res)) != res.id.name:  # an ExternalSecret's target
                    table.add(res.id.namespace, target, value)
                    continue
            else:
                continue
            table.add(res.id.namespace, res.id.name, value)

    def configmap(self, namespace: str, name: str) -> Resource | None:
        return self._configmaps.find(namespace, name)

    def secret_keys(self, namespace: str, name: str) -> frozenset[str] | None:
        """The keys of the Secret a reference reads, or None when the repository does not show them."""
        return self._secret_keys.find(namespace, name)


def secret_reference(namespace: str, name: str, key: str) -> str:
    """One key of a Secret, as :func:`secret_values` and a reference to it name it."""
    return f"ref:{namespace}/{name}:{key}"


def secret_values(resources: Iterable[Resource]) -> dict[str, str]:
    """What every key of every Secret the resources make holds as far as the repository shows
    (:func:`secret_value`), by :func:`secret_reference`: read across applications, whose
    references to a namespace's Secrets another application may make."""
    found: dict[str, str] = {}
    for res in resources:
        for key in secret_keys(res) or ():
            if (value := secret_value(res, key)) is not None:
                found[secret_reference(res.id.namespace, secret_name(res), key)] = value
    return found


def secret_value(res: Resource, key: str) -> str | None:
    """What the repository shows one key of the Secret ``res`` makes holds, as a text two places
    compare: its value's digest (a Secret in clear), the store's key an ExternalSecret fetches it
    from, a SealedSecret's name and key (its ciphertext decrypts under that name alone), or, sealed
    namespace- or cluster-wide to be copied, the ciphertext's digest; None where the repository does
    not show it (a key a template or the provider makes)."""
    if res.id.kind == "Secret":
        for field, decode in (("stringData", False), ("data", True)):
            values = res.data.get(field)
            if isinstance(values, dict) and key in values and values[key] is not None:
                text = str(values[key])
                shown = (base64_text(text, errors="replace") or text) if decode else text
                return "value:" + digest_of(shown)
        return None
    if res.id.kind == "SealedSecret":
        sealed = get_path(res.data, ("spec", "encryptedData", key))
        if not isinstance(sealed, str):
            return None
        annotations = get_path(res.data, ("metadata", "annotations"))
        wide = isinstance(annotations, dict) and any(
            str(annotations.get(f"sealedsecrets.bitnami.com/{scope}", "")).lower() == "true"
            for scope in ("namespace-wide", "cluster-wide")
        )
        return "sealed:" + digest_of(sealed) if wide else f"sealed:{res.id.namespace}/{res.id.name}:{key}"
    for entry in get_path(res.data, ("spec", "data")) or []:  # an ExternalSecret
        if isinstance(entry, dict) and entry.get("secretKey") == key and isinstance(entry.get("remoteRef"), dict):
            store = get_path(res.data, ("spec", "secretStoreRef"))
            return "external:" + digest_of([store, entry["remoteRef"]], structural=True)
    return None


def secret_keys(res: Resource) -> frozenset[str] | None:
    """The keys of the Secret a resource makes, when its manifest shows them: a v1 Secret's, a
    SealedSecret's (its keys are in clear beside the ciphertext), an ExternalSecret's that names
    each (``spec.data[].secretKey``, and its template's ``data``: all of them, whatever the merge
    policy keeps); None for anything else, and for an ExternalSecret that takes keys from the
    provider (``dataFrom``) or a template from elsewhere (``templateFrom``)."""
    if res.id.kind == "Secret" and res.id.api_version == "v1":
        fields = [res.data.get("data"), res.data.get("stringData")]
    elif res.id.kind == "SealedSecret" and res.id.group == "bitnami.com":
        fields = [get_path(res.data, ("spec", "encryptedData")), get_path(res.data, ("spec", "template", "data"))]
    elif res.id.kind == "ExternalSecret" and res.id.group == "external-secrets.io":
        spec = res.data.get("spec") if isinstance(res.data.get("spec"), dict) else {}
        template = get_path(spec, ("target", "template"))
        data = spec.get("data")
        if spec.get("dataFrom") or (isinstance(template, dict) and template.get("templateFrom")):
            return None
        if data is not None and not isinstance(data, list):
            return None
        named = [d.get("secretKey") for d in data or [] if isinstance(d, dict)]
        if any(not isinstance(key, str) for key in named):
            return None
        fields = [dict.fromkeys(named), template.get("data") if isinstance(template, dict) else None]
    else:
        return None
    return frozenset(str(k) for f in fields if isinstance(f, dict) for k in f)


def secret_name(res: Resource) -> str:
    """The name of the Secret a resource makes: an ExternalSecret's target (its own name when
    unset), anything else's own."""
    if res.id.kind == "ExternalSecret" and res.id.group == "external-secrets.io":
        target = get_path(res.data, ("spec", "target", "name"))
        if isinstance(target, str) and target:
            return target
    return res.id.name


# Where a value the linter cannot see comes from, as findings say it (EnvValue.origin).
ENV_FILE = "env file"  # EnvValue.origin of a line of an environment file mounted into the container
EXPANSION = "expansion"  # EnvValue.origin of a value whose $(VAR) expansion is too long (expand)
WORKFLOW_PARAMETER = "workflow parameter"  # EnvValue.origin of an Argo workflow's {{...}} in a value
POD_SPEC_PATCH = "podSpecPatch"  # EnvValue.origin of what an Argo workflow's pod spec patch sets
# what Argo Workflows substitutes {{inputs.parameters.x}} and its kin in as it runs a template
WORKFLOW_KINDS = frozenset({"Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"})
HIDDEN_ORIGINS = {
    "secretRef": "an envFrom Secret whose keys the repository does not show",
    "secretKey": "an envFrom Secret",
    "configMapRef": "an envFrom ConfigMap the application does not hold",
    "configMapKeyRef": "a ConfigMap key the application does not hold",
    "secretKeyRef": "a Secret",
    "fieldRef": "a pod field",
    "resourceFieldRef": "a container resource",
    "command": "the container's command line, through a variable",
    "args": "the container's arguments, through a variable",
    ENV_FILE: "an environment file mounted into the container",
    EXPANSION: "a $(VAR) expansion longer than the 128 KiB a process can be given (the container cannot start)",
    WORKFLOW_PARAMETER: "a workflow parameter ({{...}}), written when the workflow is submitted or run",
    POD_SPEC_PATCH: "a podSpecPatch the linter cannot read (a parameter in it, envFrom or a command line it sets)",
}


IGNORE_CASE_PARAM = {
    "type": "boolean",
    "default": False,
    "description": (
        "the application reads variable names in any case (pydantic-settings' default, case_sensitive=False, "
        "which Torghut's settings keep): a name that differs only in case is the same variable to it, and "
        "Kubernetes passes both spellings in no defined order, so each must pass"
    ),
}


SWITCH_PARAM = {
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
            "description": "values that count as on (in any case, around spaces)",
        },
    },
    "oneOf": [{"required": ["offValues"]}, {"required": ["onValues"]}],
}


def is_on(switch: dict, value: str) -> bool:
    """Whether a switch (:data:`SWITCH_PARAM`) set to ``value`` is on: any value but its
    ``offValues``, or one of its ``onValues``."""
    if "offValues" in switch:
        return value not in switch["offValues"]
    return value.strip().lower() in {v.lower() for v in switch["onValues"]}


ON, MAYBE = "on", "may be on"


def container_switch_state(
    res: Resource, path: Path_, container: dict, sources: EnvSources, switches: dict[str, dict], names: Names
) -> str | None:
    """:data:`ON` when the container at ``path`` has one of ``switches`` on in its effective
    environment (or a mounted env file), :data:`MAYBE` when none is shown on but a source the
    repository cannot show may set one, None when every one is shown off or unset."""
    env = effective_env(res, path, container, sources, only=names)
    files = mounted_env_files(res, path, container, sources, names) + written_env_files(res, path, names)
    state = None
    for name, switch in switches.items():
        for item in names.setting(env, files, name):
            if item.value is None:
                state = MAYBE
            elif is_on(switch, item.value):
                return ON
    return state


class Names:
    """The variable names a policy asks about, compared as the application reads them: exactly,
    as Kubernetes and most programs do, or in any case (``ignore_case``), as pydantic-settings
    does by default: then ``trading_live_enabled`` sets what the service calls
    TRADING_LIVE_ENABLED."""

    def __init__(self, names: Iterable[str], ignore_case: bool = False) -> None:
        self.ignore_case = ignore_case
        # how a name is compared (None: as it is), for the loops over every key of every ConfigMap
        # a container reads, where a call per key would cost
        self.fold: Callable[[str], str] | None = str.lower if ignore_case else None
        self._canonical: dict[str, str] = {}
        for name in names:
            self._canonical.setdefault(self.key(name), name)
        self.keys = frozenset(self._canonical)
        # whether a text names any of them: one scan, no lowered copy of a large script
        flags = "(?i)" if ignore_case else ""
        self.mentioned = regex.compile(flags + "|".join(re.escape(n) for n in self._canonical) or "$^").search

    def key(self, name: str) -> str:
        return self.fold(name) if self.fold else name

    def canonical(self, name: str) -> str | None:
        """The policy's name for ``name``, or None when it is none of them."""
        return self._canonical.get(self.fold(name) if self.fold else name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._canonical.values())

    def setting(self, env: dict[str, EnvValue], files: list[EnvValue], name: str) -> list[EnvValue]:
        """The entries that set ``name`` for the process: the environment's, else (pydantic-settings
        reads its .env only for what the environment does not set) every mounted env file's
        (:func:`mounted_env_files`)."""
        key = self.key(name)
        return self.matching(env, name) or [f for f in files if self.key(f.name) == key]

    def matching(self, env: dict[str, EnvValue], name: str) -> list[EnvValue]:
        """The entries of an effective environment that set ``name`` (one of the policy's), in
        their order: exactly one at most when names are exact, every spelling in any case."""
        if not self.ignore_case:
            found = env.get(name)
            return [] if found is None else [found]
        wanted = name.lower()
        return [item for item in env.values() if item.name.lower() == wanted]


CHI_TEMPLATE = "ClickHouseInstallationTemplate"


def installation_templates(resources: list[Resource]) -> dict[str, list[Resource]]:
    """An application's ClickHouseInstallationTemplates by name; those with ``templating.policy:
    auto`` (which the operator applies to every installation) under the key ``""`` as well."""
    found: dict[str, list[Resource]] = {}
    for res in resources:
        if res.id.kind == CHI_TEMPLATE and res.id.group == "clickhouse.altinity.com":
            found.setdefault(res.id.name, []).append(res)
            if str(get_path(res.data, ("spec", "templating", "policy")) or "").lower() == "auto":
                found.setdefault("", []).append(res)
    return found


def applied_templates(installation: Resource, templates: dict[str, list[Resource]]) -> list[Resource]:
    """The ClickHouseInstallationTemplates the operator applies to ``installation``, in the order it
    merges them under it (what a later one sets wins, and the installation's own over all): those
    it applies to every installation, then its ``useTemplates`` (``templates``: as
    :func:`installation_templates` makes them)."""
    used = get_path(installation.data, ("spec", "useTemplates"))
    names = [u.get("name") for u in used if isinstance(u, dict)] if isinstance(used, list) else []
    return [*templates.get("", []), *(t for name in names for t in templates.get(str(name), []))]


def session_cluster(job: Resource, deployments: list[Resource]) -> Resource | None:
    """The session cluster a FlinkSessionJob runs on: the FlinkDeployment of its namespace its
    ``spec.deploymentName`` names, among ``deployments``; None where the application has none."""
    spec = job.data.get("spec")
    name = spec.get("deploymentName") if isinstance(spec, dict) else None
    return next((d for d in deployments if d.id.name == name and d.id.namespace == job.id.namespace), None)


def flink_properties(job: Resource, sources: EnvSources) -> tuple[dict[str, tuple[str, EnvValue]], list[EnvValue]]:
    """What ``FLINK_PROPERTIES`` sets in a Flink job's containers, key -> (value, the variable): the
    Flink image appends its lines (``key: value``) to the configuration it starts with, so a key
    there overrides ``flinkConfiguration`` (a later container's, a later line's wins). Also the
    variables whose value cannot be read here (a Secret, a ConfigMap the application lacks)."""
    found: dict[str, tuple[str, EnvValue]] = {}
    unseen: list[EnvValue] = []
    for path, container in containers(job):
        value = effective_env(job, path, container, sources, only={"FLINK_PROPERTIES"}).get("FLINK_PROPERTIES")
        if value is None:
            continue
        if value.value is None:
            unseen.append(value)
            continue
        for line in value.value.splitlines():
            key, colon, setting = line.strip().partition(":")
            if colon and key.strip() and not key.startswith("#"):
                found[key.strip()] = (setting.strip(), value)
    return found, unseen


def effective_env(
    res: Resource, path: Path_, container: dict, sources: EnvSources, only: Names | set[str] | None = None
) -> dict[str, EnvValue]:
    """envFrom ConfigMaps overlaid by env, later duplicates winning, refs resolved; ``only``
    limits the result to those names (large ConfigMaps make the full map costly), matched as
    :class:`Names` says (a set: exactly). The keys are the variables' names; read the entries of
    a name with :meth:`Names.matching`.

    An envFrom source whose values cannot be seen (a Secret; a ConfigMap the application does not
    hold, which the cluster may still have) may set any name it holds: each name of ``only``
    and each set so far that it may hold is unknown (value None) until a later entry sets it
    again. A Secret whose keys the repository shows holds only those. Where names are read in
    any case, no later entry settles an unseen source: it may hold another spelling, which
    Kubernetes keeps beside the literal. An assignment on the container's command line (a shell's
    ``export NAME=v``, ``env NAME=v app``) is what the process gets: it comes last (with ``only``)."""
    names = only if isinstance(only, Names) or only is None else Names(only)
    wanted, fold = (None, None) if names is None else (names.keys, names.fold)
    ns = res.id.namespace
    # an Argo workflow's {{...}} in a value is written as it runs (a parameter's default, or what
    # the submitter gives): unknown here
    workflow = res.id.group == "argoproj.io" and res.id.kind in WORKFLOW_KINDS
    env: dict[str, EnvValue] = {}
    for j, source in enumerate(listed(container, "envFrom")):
        if not isinstance(source, dict):
            continue
        prefix = text(source.get("prefix"))
        ref = source.get("configMapRef")
        if isinstance(ref, dict):
            cm = sources.configmap(ns, text(ref.get("name")))
            if cm is not None:
                data = cm.data.get("data")
                for key, value in data.items() if isinstance(data, dict) else ():
                    name = prefix + key
                    if wanted is None or (fold(name) if fold else name) in wanted:
                        env[name] = EnvValue(name, text(value), cm, ("data", key), "envFrom")
                continue
            keys, origin = None, "configMapRef"
        elif isinstance(ref := source.get("secretRef"), dict):
            keys = sources.secret_keys(ns, text(ref.get("name")))
            origin = "secretRef" if keys is None else "secretKey"
        else:
            continue
        where = path + ("envFrom", j, "configMapRef" if origin == "configMapRef" else "secretRef")
        _unseen(env, names, res, where, origin, prefix, keys, str(j))
    for i, item in enumerate(listed(container, "env")):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        name = item["name"]
        item_path = path + ("env", i)
        if "value" in item:
            # every literal is kept (env lists are short): a later $(NAME) may read it
            expanded = expand(text(item["value"]), env)
            if expanded is TOO_LONG:
                value, origin = None, EXPANSION
            elif workflow and "{{" in expanded:
                value, origin = None, WORKFLOW_PARAMETER
            else:
                value, origin = expanded, "env"
            env[name] = EnvValue(name, value, res, item_path + ("value",), origin)
            continue
        value_from = item.get("valueFrom") if isinstance(item.get("valueFrom"), dict) else {}
        cm_ref = value_from.get("configMapKeyRef")
        if isinstance(cm_ref, dict):
            cm = sources.configmap(ns, text(cm_ref.get("name")))
            key = text(cm_ref.get("key"))
            data = cm.data.get("data") if cm else None
            if isinstance(data, dict) and key in data:
                env[name] = EnvValue(name, text(data[key]), cm, ("data", key), "configMapKeyRef")
                continue
            env[name] = EnvValue(name, None, res, item_path, "configMapKeyRef")
            continue
        origin = next(iter(value_from), "env") if value_from else "env"
        env[name] = EnvValue(name, None, res, item_path, origin)
    if workflow:  # what a podSpecPatch sets in the container as the pod is made, over its own env
        for where, patch in pod_spec_patches(res, path, container):
            if patch is None:  # (templated, unreadable, or setting what it reads from elsewhere)
                _unseen(env, names, res, where, POD_SPEC_PATCH, "", None, "patch")
                continue
            entries, by_lower = patch
            if wanted is not None:  # (a patch may set thousands: only the names asked about, in order)
                at = sorted({i for key in wanted for i in by_lower.get(key.lower(), ())})
                entries = tuple(e for e in (entries[i] for i in at) if (fold(e[0]) if fold else e[0]) in wanted)
            for name, value, offset in entries:
                env[name] = EnvValue(name, value, res, where, POD_SPEC_PATCH, offset)
    for field, i, word in command_words(container) if names is not None else ():  # what the process gets
        # the kubelet expands $(NAME) in the command line as in env values; a value the shell
        # would expand ($X, `...`) or that reads a hidden variable is unknown
        expanded = expand(word, env)
        expanded = None if expanded is TOO_LONG else expanded
        for name, value, offset in env_file_assignments(word if expanded is None else expanded, names, command=True):
            known = expanded is not None and value is not None and not (workflow and "{{" in value)
            env.pop(name, None)  # the latest assignment last, as the shell leaves it
            env[name] = EnvValue(name, value if known else None, res, (*path, field, i), field, offset)
    return env


COMMAND_LINE = ("command", "args")  # a container's command line: its words, in the order they run


def _unseen(
    env: dict[str, EnvValue],
    names: Names | None,
    res: Resource,
    where: Path_,
    origin: str,
    prefix: str,
    keys: frozenset[str] | None,
    tag: str,
) -> None:
    """A source whose values cannot be seen (an envFrom Secret or ConfigMap, a pod spec patch the
    linter cannot read) may set any name it holds (``keys``; None: any, under ``prefix``): each
    such name of ``names`` and of ``env`` so far is unknown. Where names are read in any case, a
    name it may hold in any spelling is kept apart from every literal (under ``tag``)."""
    if names is not None and names.ignore_case:
        held = (
            [prefix + k for k in sorted(keys) if names.canonical(prefix + k) is not None]
            if keys is not None
            else [n for n in names if names.key(n).startswith(names.key(prefix))]
        )
        for name in held:
            env[name if keys is not None else f"{name}\0{tag}"] = EnvValue(name, None, res, where, origin)
        return
    for name in [*env, *sorted(n for n in names or () if n not in env)]:  # in a stable order
        if name.startswith(prefix) and (keys is None or name[len(prefix) :] in keys):
            env[name] = EnvValue(name, None, res, where, origin)


MAX_POD_SPEC_PATCH = 64 * 1024  # a longer patch is not read: what it sets is unknown
_PARAMETER_IN_PATCH = re.compile(r"\{\{[^{}]*\}\}")  # a parameter or an expression of Argo's, as it runs
PARAMETER_MARK = "__argo_parameter__"  # what stands for one while the patch is read


# (name, value or None, offset in the patch's text) of each entry, and their indexes by the name in
# lower case (a lookup of the names a policy asks about, however many the patch sets)
PatchedEnv = tuple[tuple[tuple[str, "str | None", int], ...], dict[str, tuple[int, ...]]]


def pod_spec_patches(res: Resource, path: Path_, container: dict) -> list[tuple[Path_, PatchedEnv | None]]:
    """(where, what it sets in the container's environment) of each ``podSpecPatch`` of an Argo
    workflow that applies to the container at ``path``, in the order Argo merges them (the
    workflow's, its template defaults', the template's own): a strategic merge patch of the pod,
    in JSON or YAML, matched to the container by name (a template's ``container`` or ``script`` is
    ``main``). None where the patch cannot be read (a parameter in it, a syntax error, too long)
    or sets the environment from elsewhere (``envFrom``) or the command line: what it sets is
    then unknown."""
    template = pod_of(path)
    if len(template) < 2 or template[-2] != "templates":
        return []
    spec = template[:-2]
    name = "main" if path[-1] in SINGLE_CONTAINERS else container.get("name")
    found = []
    for where in (spec + ("podSpecPatch",), spec + ("templateDefaults", "podSpecPatch"), template + ("podSpecPatch",)):
        patch = get_path(res.data, where)
        if patch is None:
            continue
        readable = isinstance(patch, str) and isinstance(name, (str, type(None)))
        entry = _patched_entry(patch, name) if readable else None
        if entry is not False:
            found.append((where, entry))
    return found


def mappings_in(data: Any) -> Iterator[dict]:
    """Every mapping in ``data``, itself included, in no particular order (one walk, bounded by
    its size)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            yield value
            stack.extend(v for v in value.values() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend(v for v in value if isinstance(v, (dict, list)))


def _refers(data: Any) -> bool:
    """Whether an Argo workflow runs a template another object holds (``workflowTemplateRef``,
    a step's or task's ``templateRef``): its parameters are then that template's to use."""
    return any("workflowTemplateRef" in m or "templateRef" in m for m in mappings_in(data))


def _image_like(value: str) -> bool:
    """Whether a parameter's value may be an image reference (a registry path or a tag: no white
    space, a ``/`` or a ``:``, no URL's scheme)."""
    return (
        0 < len(value) <= 256
        and ("/" in value or ":" in value)
        and "://" not in value
        and not any(c.isspace() for c in value)
    )


def _patched_images(data: Any) -> list[str]:
    """The images the containers of every ``podSpecPatch`` in an Argo workflow name (a patch may
    give the main container another image, or add one)."""
    patches = [m["podSpecPatch"] for m in mappings_in(data) if isinstance(m.get("podSpecPatch"), str)]
    read = [document.data for document in map(_read_patch, patches) if document is not None]
    return [
        c["image"]
        for patched in read
        for key in ("containers", "initContainers")
        for c in listed(patched, key)
        if isinstance(c, dict) and isinstance(c.get("image"), str)
    ]


@functools.lru_cache(maxsize=64)  # (every container of every template asks of a workflow's patch)
def _read_patch(patch: str) -> Any:
    """A pod spec patch read (its parameters marked, :data:`PARAMETER_MARK`), None where it cannot be."""
    if len(patch) > MAX_POD_SPEC_PATCH:
        return None
    patch = _PARAMETER_IN_PATCH.sub(PARAMETER_MARK, patch)  # (a value written as the workflow runs)
    if "{{" in patch:
        return None
    from torghut_lint.parse import parse_bytes  # (the parser imports the model, not the other way)

    parsed = parse_bytes(patch.encode("utf-8", "surrogatepass"), "podSpecPatch", go_yaml=False)
    if not parsed.ok or len(parsed.documents) != 1 or not isinstance(parsed.documents[0].data, dict):
        return None
    return parsed.documents[0]


def _patch_containers(path: Path_, patch: str) -> Iterator[tuple[str, Path_, dict]]:
    """("container", path, container) of each container a pod spec patch sets, for an Argo
    workflow whose templates are another object's (``workflowTemplateRef``): what the patch gives
    them is what its pods run, whatever the template says (a value from a parameter stays one)."""
    document = _read_patch(patch)
    for key in ("containers", "initContainers"):
        for i, entry in enumerate(listed(document.data, key) if document is not None else ()):
            if isinstance(entry, dict):
                yield "container", path + (key, i), _unmarked(entry)


def _unmarked(value: Any) -> Any:
    """``value`` with each parameter :func:`_read_patch` marked written as one again."""
    if isinstance(value, str):
        return value.replace(PARAMETER_MARK, "{{parameter}}")
    if isinstance(value, dict):
        return {k: _unmarked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unmarked(v) for v in value]
    return value


@functools.lru_cache(maxsize=256)  # (a workflow's own patch applies to each of its templates' containers)
def _patched_entry(patch: str, name: str | None) -> PatchedEnv | None | bool:
    """What a pod spec patch sets in container ``name``'s environment (False: it patches no such
    container; None: what cannot be told), each value located in the patch's text."""
    from torghut_lint import nodes

    document = _read_patch(patch)
    if document is None:
        return None
    for key in ("containers", "initContainers"):
        held = nodes.get(document.node, key)
        for i, entry in enumerate(listed(document.data, key)):
            if not (isinstance(entry, dict) and entry.get("name") == name):
                continue
            if any(field in entry for field in ("envFrom", *COMMAND_LINE)):
                return None
            found: list[tuple[str, str | None, int]] = []
            items = nodes.get(held.value[i], "env") if isinstance(held, yaml.SequenceNode) else None
            for j, item in enumerate(listed(entry, "env")):
                if not (isinstance(item, dict) and isinstance(item.get("name"), str)):
                    continue
                if PARAMETER_MARK in item["name"]:
                    return None
                node = items.value[j] if isinstance(items, yaml.SequenceNode) else None
                at = nodes.get(node, "value") or node
                value = text(item["value"]) if "value" in item else None  # (valueFrom: unknown)
                if value is not None and PARAMETER_MARK in value:
                    value = None
                found.append((item["name"], value, at.start_mark.index if at is not None else 0))
            by_lower: dict[str, list[int]] = {}
            for i, (variable, _, _) in enumerate(found):
                by_lower.setdefault(variable.lower(), []).append(i)
            return tuple(found), {key: tuple(indexes) for key, indexes in by_lower.items()}
    return False


# The exec actions of a container: each a command line the kubelet runs in it (no shell unless it
# names one, no $(VAR) expanded), beside the container's own.
EXEC_ACTIONS: tuple[Path_, ...] = (
    ("lifecycle", "postStart", "exec"),
    ("lifecycle", "preStop", "exec"),
    ("livenessProbe", "exec"),
    ("readinessProbe", "exec"),
    ("startupProbe", "exec"),
)


def command_lines(container: dict) -> Iterator[tuple[Path_, dict]]:
    """(path in the container, what holds its ``command``) of each command line run in a
    container: its own (``command`` and ``args``), then each exec action's (:data:`EXEC_ACTIONS`)."""
    yield (), container
    for path in EXEC_ACTIONS:
        action: Any = container
        for step in path:
            action = action.get(step) if isinstance(action, dict) else None
        if isinstance(action, dict) and isinstance(action.get("command"), list):
            yield path, {"command": action["command"]}


def command_words(container: dict) -> Iterator[tuple[str, int, str]]:
    """(field, index, text) of each word of a container's command line, in the order they run."""
    for field in COMMAND_LINE:
        words = container.get(field)
        for i, word in enumerate(words if isinstance(words, list) else []):
            yield field, i, text(word)


_REFERENCE = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


# The longest "NAME=value" the kernel passes to a process (MAX_ARG_STRLEN, 32 pages): a value
# expanded past it never reaches the container (exec fails), and each variable doubling the one
# before would otherwise grow 2 kB of manifest into terabytes.
MAX_EXPANDED = 128 * 1024
# The most a whole command line may hold for exec to start it: Linux's ARG_MAX, a quarter of the
# default 8 MiB stack. A line expanded past it never runs; read as written instead (2,000 words
# each expanding to 120 kB, 136 kB of manifest, were 240 MB of expansions).
MAX_COMMAND_LINE = 2 * 1024 * 1024
TOO_LONG = object()  # what expand answers for an expansion past MAX_EXPANDED


def references(value: str) -> set[str]:
    """The variables ``value``'s ``$(VAR)`` references read (``$$`` is an escaped ``$``)."""
    return {name for name in _REFERENCE.findall(value) if name} if "$(" in value else set()


def expand(value: str, env: dict[str, EnvValue]) -> str | object | None:
    """``$(VAR)`` expanded as the kubelet does: from variables defined earlier (envFrom, then env
    in order), ``$$`` an escaped ``$``, an unknown reference left as written. A reference to a
    variable whose value cannot be seen (a Secret) makes the result unknown (None); one longer
    than MAX_EXPANDED is TOO_LONG (built no further than that)."""
    if "$" not in value:
        return value
    unknown = False
    size = len(value)  # the length of the expansion so far

    def substitute(match: re.Match) -> str:
        nonlocal unknown, size
        if match.group(0) == "$$":
            size -= 1
            return "$"
        known = env.get(match.group(1))
        if known is None:
            return match.group(0)
        if known.value is None or size > MAX_EXPANDED:
            unknown = True
            return ""
        size += len(known.value) - len(match.group(0))
        return known.value

    expanded = _REFERENCE.sub(substitute, value)
    if size > MAX_EXPANDED:
        return TOO_LONG
    return None if unknown else expanded


# An assignment that starts a line of an environment file as a shell sourcing it runs it
# (``[export] NAME=value``; blanks around ``=`` taken too, as python-dotenv takes them), and one a
# command line makes for the process it runs (``sh -c "export NAME=v; exec app"``, ``env NAME=v
# app``, ``NAME=v app``: a word that starts the text or follows a blank or a shell operator). The
# value is the shell word after ``=`` (:func:`shell_word`). RE2: the text is the pull request's.
_ENV_FILE_LINE = regex.compile(r"(?m)^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*")
_COMMAND_ASSIGNMENT = regex.compile(r"(?:^|[\s;&|(`])(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=")
_NEXT_ASSIGNMENT = regex.compile(r"[ \t]+([A-Za-z_][A-Za-z0-9_]*)=")  # another on the same command
WORD_END = frozenset(" \t\n;&|()<>")


_IN_DOUBLE_QUOTES = re.compile(r'["\\$`]')  # what double quotes do not take as written


def shell_word(text: str, pos: int) -> tuple[str | None, int]:
    """The value a POSIX shell gives the word that starts at ``pos`` (an assignment's value), and
    where it ends: quotes removed and what they join joined (``l''ive``, ``"li"ve``, ``li\\ve`` are
    ``live``), a backslash taking the next character (in double quotes only ``$ ` " \\``), up to an
    unquoted blank or operator; None where the shell expands something (``$``, a backquote) or the
    word is not closed (the end is the word's all the same)."""
    out: list[str] = []
    i, n = pos, len(text)
    expanded = False
    while i < n and text[i] not in WORD_END:
        char = text[i]
        if char in "$`":
            expanded = True
            i += 1
        elif char == "\\":
            if i + 1 < n and text[i + 1] != "\n":  # (a backslash and a line break: nothing)
                out.append(text[i + 1])
            i += 2
        elif char == "'":
            close = text.find("'", i + 1)
            if close < 0:
                return None, n
            out.append(text[i + 1 : close])
            i = close + 1
        elif char == '"':
            i += 1
            while i < n and text[i] != '"':
                # the run up to the next character double quotes treat specially, taken whole
                special = _IN_DOUBLE_QUOTES.search(text, i)
                stop = n if special is None else special.start()
                if stop > i:
                    out.append(text[i:stop])
                    i = stop
                    continue
                if text[i] in "$`":
                    expanded = True
                if text[i] == "\\" and i + 1 < n and text[i + 1] in '$`"\\\n':
                    if text[i + 1] != "\n":
                        out.append(text[i + 1])
                    i += 2
                    continue
                out.append(text[i])
                i += 1
            if i >= n:
                return None, n
            i += 1
        else:
            out.append(char)
            i += 1
    return None if expanded else "".join(out), i


def is_dotenv(name: str) -> bool:
    """Whether a file (a ConfigMap entry, a mounted path) is named as a ``.env`` file, which
    pydantic-settings reads with python-dotenv."""
    name = name.rsplit("/", 1)[-1]
    return name == ".env" or name.endswith(".env")


def env_file_assignments(
    text: str, names: Names, command: bool = False, dotenv: bool = False
) -> Iterator[tuple[str, str | None, int]]:
    """(name as written, value, offset of the name) of each line of ``text`` that assigns one of
    ``names`` as an environment file does: sourced by a script (a shell's reading: one word), and,
    with ``dotenv`` (a file named as one, :func:`is_dotenv`), mounted as the service's ``.env``
    (pydantic-settings reads it when the variable is not set: python-dotenv's reading,
    :func:`dotenv_bindings`). Where the two read a line differently, both are given (in order of
    offset); a value python-dotenv takes from the process's environment (``${NAME}`` of a name the
    file does not set first) is None: unknown.
    With ``command``, each assignment anywhere in a container's command line (``sh -c`` scripts,
    the ``env`` utility's arguments): the process it starts has it, whatever the container's env
    says."""
    if "=" not in text or names.mentioned(text) is None:
        return
    found = {item: None for item in shell_assignments(text, command) if names.canonical(item[0]) is not None}
    if dotenv and not command:
        for key, value, offset in dotenv_bindings(text):
            if names.canonical(key) is not None:
                found[(key, value, offset)] = None
    yield from sorted(found, key=lambda item: item[2])


STRUCTURED_SUFFIXES = (".json", ".yaml", ".yml")  # a settings file a loader reads keys from
MAX_STRUCTURED_TEXT = 1024 * 1024  # a longer settings file is read as an environment file only


def entry_assignments(key: str, text: str, names: Names) -> Iterator[tuple[str, str | None, int]]:
    """(name as written, value, offset of the name) of each of ``names`` a ConfigMap entry called
    ``key`` sets: as an environment file (:func:`env_file_assignments`), and, in a JSON or YAML
    settings file (by its name), as a key of its top-level mapping, which a settings loader
    reading the mounted file takes (pydantic-settings' JSON and YAML sources; a value that is no
    scalar is unknown, and so is every switch a settings file too large to read names). A key
    nested under another is some other setting's."""
    yield from env_file_assignments(text, names, dotenv=is_dotenv(key))
    if is_settings_file(key):
        yield from settings_assignments(text, names)


def is_settings_file(name: str) -> bool:
    """Whether a file (a ConfigMap entry, a mounted path) is named as a JSON or YAML settings file."""
    return name.lower().endswith(STRUCTURED_SUFFIXES)


def settings_assignments(text: str, names: Names) -> Iterator[tuple[str, str | None, int]]:
    """(name as written, value, offset of the name) of each of ``names`` a JSON or YAML settings
    file's top-level keys set (:func:`entry_assignments`)."""
    if (mention := names.mentioned(text)) is None:
        return
    if len(text) > MAX_STRUCTURED_TEXT:  # not read: a switch it names may be set there
        yield mention.group(0), None, mention.start()
        return
    for written, value, offset in _top_level_settings(text):
        if names.canonical(written) is not None:
            yield written, value, offset


@functools.lru_cache(maxsize=32)  # (each policy reading the switches asks of the same entries)
def _top_level_settings(text: str) -> tuple[tuple[str, str | None, int], ...]:
    """(key, value as text or None, offset of the key) of each top-level key of a JSON or YAML
    settings file, every document's; none where it is no such file."""
    from torghut_lint.parse import parse_bytes  # (the parser imports the model, not the other way)

    found = []
    for document in parse_bytes(text.encode("utf-8", "surrogatepass"), "settings", go_yaml=False).documents:
        if not isinstance(document.data, dict) or not isinstance(document.node, yaml.MappingNode):
            continue
        for key_node, _ in document.node.value:
            written = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if isinstance(written, str):
                found.append((written, text_of_scalar(document.data.get(written)), key_node.start_mark.index))
    return tuple(found)


def text_of_scalar(value: Any) -> str | None:
    """A settings file's scalar as the variable's text (a YAML ``true`` is ``true``); None for a
    list, a mapping or null: what a loader makes of it is not told here."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def shell_assignments(text: str, command: bool = False) -> Iterator[tuple[str, str | None, int]]:
    """(name, value, offset of the name) of each ``NAME=value`` a POSIX shell reads in ``text``:
    an environment file's lines (``export`` allowed), or with ``command`` each assignment anywhere
    in a command line or script (``A=1 app``, ``export A=1``, after ``;``, ``&&``, ``(``); the value
    as :func:`shell_word` gives it (None: the shell expands something in it)."""
    return assignments_from(text, _COMMAND_ASSIGNMENT if command else _ENV_FILE_LINE, chained=not command)


def assignments_from(text: str, starts, chained: bool) -> Iterator[tuple[str, str | None, int]]:
    """(name, value, offset of the name) of each assignment the pattern ``starts`` finds in
    ``text`` (its group 1 the name, its end the value's start), the value as :func:`shell_word`
    gives it; ``chained``: with the ones after it on the same command (``A=1 B=2 app``), which a
    pattern that finds assignments after any blank finds itself."""
    encoded = regex.Encoded(text) if chained else None  # (searched again from each assignment's end)
    for match in starts.finditer(text):
        name, start, end = match.group(1), match.start(1), match.end()
        while True:
            value, end = shell_word(text, end)
            yield name, value, start
            following = None if encoded is None or value is None else encoded.match(_NEXT_ASSIGNMENT, end)
            if following is None:
                break
            name, end = following.group(1), following.end()
            start = end - len(name) - 1


# python-dotenv's white space: Python's (str.isspace: Go's and the four separators U+001C-U+001F),
# and its blanks, the white space that ends no line
_PY_SPACE = GO_SPACE + "\x1c\x1d\x1e\x1f"
_PY_BLANK = _PY_SPACE.replace("\r", "").replace("\n", "")
_DOTENV_ESCAPES = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}
_DOTENV_VARIABLE = regex.compile(r"\$\{([^}:]*)(?::-[^}]*)?\}")  # (a default is the environment's business)


def dotenv_bindings(text: str) -> Iterator[tuple[str, str | None, int]]:
    """(key, value, offset of the key) of each binding python-dotenv reads in ``text``, with its
    values interpolated as ``dotenv_values`` does (``${NAME}``, ``${NAME:-default}``: the file's
    earlier binding, else the process's environment, which is unknown here: None). Its grammar:
    bindings separated by any white space; ``export`` and blanks; a key in single quotes or up to
    ``=``, ``#`` or white space; blanks, ``=``, blanks; a value in single quotes (``\\\\`` and
    ``\\'`` decoded), double quotes (those, ``\\"`` and ``\\n`` and the like decoded; a backslash
    takes any character in both, and both may span lines) or up to the end of the line
    (``\r``, ``\n``; a comment after white space and trailing white space dropped); then blanks,
    a comment, the end of the line, or the binding is dropped. Measured against python-dotenv
    (``tests/unit/test_k8s.py``)."""
    n = len(text)
    pos = 1 if text.startswith("\ufeff") else 0
    bound: dict[str, str | None] = {}
    while pos < n:
        while pos < n and text[pos] in _PY_SPACE:
            pos += 1
        if pos >= n:
            return
        pos, binding = _dotenv_binding(text, pos)
        if binding is None:  # a comment line, or one python-dotenv cannot read: up to its line break
            while pos < n and text[pos] not in "\r\n":
                pos += 1
            pos += 1
            continue
        key, value, offset = binding
        if value is None:  # a key alone: bound to nothing, which sets nothing (``${KEY}`` reads "")
            bound[key] = ""
            continue
        if "${" in value:
            value = _interpolated(value, bound)
        bound[key] = value  # None: unknown, and so is what reads it
        yield key, value, offset


def _blanks(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _PY_BLANK:
        pos += 1
    return pos


def _dotenv_binding(text: str, pos: int) -> tuple[int, tuple[str, str | None, int] | None]:
    """One binding from ``pos`` (at its first character): (where reading stopped, the binding or
    None)."""
    n = len(text)
    if text.startswith("export", pos) and _blanks(text, pos + 6) > pos + 6:
        pos = _blanks(text, pos + 6)
    start = pos
    if pos >= n or text[pos] == "#":
        return pos, None
    if text[pos] == "'":
        close = text.find("'", pos + 1)
        if close <= pos + 1:
            return pos, None
        key, pos = text[pos + 1 : close], close + 1
    else:
        while pos < n and text[pos] not in "=#" and text[pos] not in _PY_SPACE:
            pos += 1
        if pos == start:
            return pos, None
        key = text[start:pos]
    pos = _blanks(text, pos)
    value: str | None = None
    if pos < n and text[pos] == "=":
        after = _blanks(text, pos + 1)
        pos, quote = after, text[after] if after < n else ""
        if quote == "#" and after > start and text[after - 1] != "=":  # `KEY= # note`: empty (`KEY=#x` is not)
            value = ""
        elif quote in ("'", '"'):
            close = _closing_quote(text, pos, quote)
            if close < 0:
                return pos, None
            value = _unescaped(text[pos + 1 : close], quote)
            pos = close + 1
        else:
            end = pos
            while end < n and text[end] not in "\r\n":
                end += 1
            value = text[pos:end]
            cut = next((i for i in range(1, len(value)) if value[i] == "#" and value[i - 1] in _PY_SPACE), None)
            if cut is not None:  # white space then '#': a comment from that white space on
                while cut > 0 and value[cut - 1] in _PY_SPACE:
                    cut -= 1
                value = value[:cut]
            value = value.rstrip(_PY_SPACE)
            pos = end
    pos = _blanks(text, pos)
    if pos < n and text[pos] == "#":
        while pos < n and text[pos] not in "\r\n":
            pos += 1
    if pos < n and text[pos] not in "\r\n":
        return pos, None  # more on the line after the value: python-dotenv drops the binding
    return pos, (key, value, start)


def _closing_quote(text: str, pos: int, quote: str) -> int:
    """Where a quoted value opened at ``pos`` closes (a backslash takes the next character, line
    breaks too), or -1."""
    i = pos + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == quote:
            return i
        else:
            i += 1
    return -1


def _unescaped(value: str, quote: str) -> str:
    """A quoted value's escapes decoded as python-dotenv decodes them (single quotes: ``\\\\`` and
    ``\\'``; double quotes: those, ``\\"`` and ``\\a\\b\\f\\n\\r\\t\\v``)."""
    known = "\\'" if quote == "'" else "\\'\"abfnrtv"
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value) and value[i + 1] in known:
            out.append(_DOTENV_ESCAPES[value[i + 1]])
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def _interpolated(value: str, bound: dict[str, str | None]) -> str | None:
    """``${NAME}`` and ``${NAME:-default}`` replaced as python-dotenv replaces them (the file's
    earlier binding; a key alone reads ""), or None where a name comes from the environment."""
    out: list[str] = []
    cursor = 0
    for match in _DOTENV_VARIABLE.finditer(value):
        known = bound.get(match.group(1))
        if known is None:  # not bound by the file, or bound to what the environment gives
            return None
        out.append(value[cursor : match.start()])
        out.append(known)
        cursor = match.end()
    return "".join(out) + value[cursor:]


def mounted_env_files(res: Resource, path: Path_, container: dict, sources: EnvSources, names: Names) -> list[EnvValue]:
    """The assignments of ``names`` in every environment file (a file named ``.env`` or ``*.env``)
    and settings file (``*.json``, ``*.yaml``: its top-level keys) that a ConfigMap of the
    application mounts into the container at ``path`` (a ``configMap`` or ``projected`` volume,
    with its ``items`` and the mount's ``subPath``): pydantic-settings reads the service's ``.env``
    (and its settings files) for each variable the environment does not set. Which of them is the
    service's depends on its working directory: each counts. A ConfigMap the application does not
    hold shows nothing (the environment's unseen sources are judged where they are read). Each
    entry is read once however many mounts show it."""
    # by ConfigMap: the keys mounted as env files, and as settings files
    wanted: dict[int, tuple[Resource, set[str], set[str]]] = {}
    for file, cm, key in mounted_configmap_keys(res, path, container, sources):
        if is_dotenv(file) or is_settings_file(file):
            wanted.setdefault(id(cm), (cm, set(), set()))[1 if is_dotenv(file) else 2].add(key)
    found: list[EnvValue] = []
    for cm, dotenv, settings in wanted.values():
        for where, body, exact in configmap_files(cm):
            key = str(where[1])
            read = [env_file_assignments(body, names, dotenv=True)] if key in dotenv else []
            read += [settings_assignments(body, names)] if key in settings else []
            for assignments in read:
                for variable, value, offset in assignments:
                    found.append(EnvValue(variable, value, cm, where, ENV_FILE, offset if exact else None))
    return found


WRITTEN = "a file its script writes"  # EnvValue.origin of a line of an env file the container's script writes


def written_env_files(res: Resource, path: Path_, names: Names) -> list[EnvValue]:
    """The assignments of ``names`` in each environment file (named ``.env`` or ``*.env``) the
    container's own script writes (``echo 'TRADING_MODE=live' > /app/.env``, ``| tee``, a
    here-document; :func:`torghut_lint.shell.read`), read as a mounted one is
    (:func:`mounted_env_files`): pydantic-settings reads the service's ``.env`` as it finds it,
    whoever wrote it (an init container writing it into a volume the service mounts is judged so
    too, at its own script). One written with what cannot be told may set every name. Located at
    the script that writes it."""
    from torghut_lint.shell import UNKNOWN

    found: list[EnvValue] = []
    for where, body, _ in once(res, "_written_env_files", _written_env_files).get(path, ()):
        if body is None:  # written with what cannot be told: any name may be set there
            found += [EnvValue(name, None, res, (*path, *where), WRITTEN) for name in names]
            continue
        for variable, value, _ in env_file_assignments(body, names, dotenv=True):
            known = value is not None and UNKNOWN not in value  # (``echo "MODE=$X"``: unknown)
            found.append(EnvValue(variable, value if known else None, res, (*path, *where), WRITTEN))
    return found


def _written_env_files(res: Resource) -> dict[Path_, list[tuple[Path_, str | None, str]]]:
    """Per container: (where its script stands, text, the file) of each env file the script writes,
    text None where it cannot be told (:func:`torghut_lint.shell.unread_writes`: printf's format, a copy, a
    download; its command line's own program too); read once however many policies ask (a
    container that names no ``.env`` writes none)."""
    from torghut_lint import shell  # (it reads words with shell_word, from here)

    found: dict[Path_, list[tuple[Path_, str | None, str]]] = {}
    for path, container in containers(res):
        written: list[tuple[Path_, str | None, str]] = []
        words = list(command_words(container))
        scripts = list(shell.scripts(container, words))
        for where, script in scripts:
            if ".env" not in script:
                continue
            read = shell.read(script, every=True)
            written += [(where, body, file) for file, body in read.files if is_dotenv(file)]
            for n, command in enumerate(read.commands):
                told = command.heredoc or shell.input_text(read.commands, n) is not None
                unread = shell.unread_writes(command.words, command.writes, is_dotenv, command.partial, told)
                written += [(where, None, f) for f in unread]
        if not scripts and any(".env" in word for _, _, word in words):  # a program run without a shell
            field, i, _ = words[0]
            program = [word for _, _, word in words]
            written += [((field, i), None, f) for f in shell.unread_writes(program, [], is_dotenv)]
        found[path] = list(dict.fromkeys(written))
    return found


def mounted_configmap_keys(
    res: Resource, path: Path_, container: dict, sources: EnvSources
) -> Iterator[tuple[str, Resource, str]]:
    """(the file's path in the container, the ConfigMap, its key) of each entry a ConfigMap of the
    application mounts into the container at ``path``: a ``configMap`` or ``projected`` volume,
    with its ``items`` (a key under the path they give it) and the mount's ``subPath`` (one file,
    at the mount path itself). A ConfigMap the application does not hold shows nothing."""
    pod = get_path(res.data, path[:-2])
    volumes = (
        {text(v.get("name")): v for v in listed(pod, "volumes") if isinstance(v, dict)} if isinstance(pod, dict) else {}
    )
    for mount in listed(container, "volumeMounts"):
        volume = volumes.get(text(mount.get("name"))) if isinstance(mount, dict) else None
        if not isinstance(volume, dict):
            continue
        projected = volume.get("projected") if isinstance(volume.get("projected"), dict) else {}
        parts = projected.get("sources") if isinstance(projected.get("sources"), list) else []
        refs = [volume.get("configMap"), *(part.get("configMap") for part in parts if isinstance(part, dict))]
        sub, at = text(mount.get("subPath")), text(mount.get("mountPath")).rstrip("/")
        for ref in (r for r in refs if isinstance(r, dict)):
            cm = sources.configmap(res.id.namespace, text(ref.get("name")))
            if cm is None:
                continue
            items = ref.get("items")
            keys = _all_keys(cm)  # every key, under its own name
            if isinstance(items, list):
                keys = {text(i.get("key")): text(i.get("path")) for i in items if isinstance(i, dict)}
            for key, file in keys.items():
                if sub:  # one file of the volume, at the mount path itself
                    if sub == file:
                        yield at, cm, key
                else:
                    yield f"{at}/{file}", cm, key


def _all_keys(cm: Resource) -> dict[str, str]:
    """Each key of a ConfigMap's data and binaryData, as the file name a volume gives it."""
    keys: dict[str, str] = {}
    for field in ("data", "binaryData"):
        entries = cm.data.get(field)
        keys.update({str(k): str(k) for k in entries} if isinstance(entries, dict) else {})
    return keys


def configmap_files(res: Resource) -> Iterator[tuple[Path_, str, bool]]:
    """(path, text, whether offsets in it are the file's) of each entry of a ConfigMap: ``data``
    as written, ``binaryData`` decoded (base64 hides nothing from a policy)."""
    data = res.data.get("data")
    for key, value in data.items() if isinstance(data, dict) else ():
        if isinstance(value, str):
            yield ("data", key), value, True
    for key, decoded in binary_texts(res):
        yield ("binaryData", key), decoded, False


def binary_texts(res: Resource) -> Iterator[tuple[Any, str]]:
    """(key, text) of each entry of a ConfigMap's ``binaryData`` that is base64 of text."""
    binary = res.data.get("binaryData")
    for key, value in binary.items() if isinstance(binary, dict) else ():
        if (decoded := base64_text(str(value))) is not None:  # not base64, or not text: nothing to read
            yield key, decoded


def direct_settings(res: Resource, names: Names | None = None) -> Iterator[tuple[str, Any, Path_]]:
    """(name, value, path) of variables a resource sets itself: container env and ConfigMap data,
    and, with ``names``, those of them a ConfigMap entry assigns as an environment file or a
    container's command line assigns."""
    if res.id.kind == "ConfigMap":
        data = res.data.get("data")
        if isinstance(data, dict):
            for key, value in data.items():
                yield key, value, ("data", key)
        for path, content, _ in configmap_files(res) if names is not None else ():
            for name, value, _ in entry_assignments(str(path[1]), content, names):
                yield name, value, path
        return
    for path, container in containers(res):
        for i, item in enumerate(listed(container, "env")):
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                value = item.get("value") if "value" in item else item.get("valueFrom")
                yield item["name"], value, path + ("env", i)
        for field, i, word in command_words(container) if names is not None else ():
            for name, value, _ in env_file_assignments(word, names, command=True):
                yield name, value, (*path, field, i)
        for item in written_env_files(res, path, names) if names is not None else ():
            yield item.name, item.value, item.path


# Kubernetes' quantity grammar (resource.Quantity): a signed decimal number, then a binary SI
# suffix, a decimal SI suffix, or a decimal exponent (e3, E-2) -- nothing else.
_QUANTITY = re.compile(r"([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?")
_SUFFIX = {
    "": Decimal(1),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    **{s: Decimal(10) ** (3 * i) for i, s in enumerate("kMGTPE", 1)},  # decimal SI: 10^3 ... 10^18
    **{f"{s}i": Decimal(2) ** (10 * i) for i, s in enumerate("KMGTPE", 1)},  # binary SI: 2^10 ... 2^60
}


def parse_quantity(value: Any) -> Decimal | None:
    """The amount in a Kubernetes quantity, exactly as the API server reads it (``50Gi``,
    ``1.5G``, ``500000000000000000000n``, ``1e9``), or None if malformed. A negative amount is
    returned as such: callers treat it as a finding, never as something to subtract."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        value = repr(value) if isinstance(value, float) else str(value)
    match = _QUANTITY.fullmatch(str(value).strip())
    if not match:
        return None
    number, suffix = match.group(1), match.group(2) or ""
    try:
        amount = Decimal(number)
    except InvalidOperation:
        return None
    if suffix in _SUFFIX:  # ``Ei`` (exbibytes) and ``E`` (exabytes) are suffixes, ``E3`` an exponent
        return amount * _SUFFIX[suffix]
    return amount.scaleb(int(suffix[1:]))


def format_bytes(amount: Decimal) -> str:
    """Binary units, the way storage requests are written (``50Gi``)."""
    for suffix in ("Ti", "Gi", "Mi", "Ki"):
        unit = _SUFFIX[suffix]
        if amount >= unit:
            value = amount / unit
            return f"{value.normalize():f}{suffix}" if value == value.to_integral() else f"{value:.2f}{suffix}"
    return f"{amount.normalize():f}"


def walk_strings(data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, str, str]]:
    """(path, key, value) for every string value in a document, keys included in the path."""
    stack: list[tuple[Any, Path_, str]] = [(data, path, "")]
    while stack:
        value, where, key = stack.pop()
        if isinstance(value, str):
            yield where, key, value
        elif isinstance(value, dict):
            stack.extend((v, where + (k,), k) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((v, where + (i,), key) for i, v in reversed(list(enumerate(value))))
