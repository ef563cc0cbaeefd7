"""Where kustomize's label and annotation transformers write, as data (its built-in field specs).

``commonLabels`` and ``labels`` with ``includeSelectors`` write to every path below; ``labels``
with ``includeTemplates`` only to :data:`METADATA_LABELS` (metadata and pod templates); plain
``labels`` only to ``metadata/labels``; a ``labels`` entry's own ``fields`` come first, and a
built-in spec one of them already covers is left out (:func:`merged`). ``commonAnnotations``
writes to :data:`ANNOTATIONS`. A path through a list applies to every item (``[]`` marks it, as
kustomize writes it). ``create`` says whether a missing field is created or the spec is skipped
for that resource. A path is walked as kustomize's field spec filter walks it (:func:`targets`),
refusing what it refuses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from torghut_lint import nodes
from torghut_lint.goyaml import GO_SPACE, atoi, is_string, reading
from torghut_lint.kustomize import work

# What kustomize's namespace transformer leaves alone: the cluster-scoped kinds of the OpenAPI
# document compiled into it, by apiVersion and kind (measured on kubectl 1.32's kustomize, and held
# to it by tests/kustomize/test_transformers.py). Anything else gets the namespace, in kustomize's
# output and so here: a cluster-scoped custom resource (a ClusterIssuer), a kind from a newer
# Kubernetes (ValidatingAdmissionPolicy, flowcontrol v1), a kind name in another group
# (example.com ClusterRole).
_CLUSTER_SCOPED_BY_GROUP = {
    "v1": ("ComponentStatus", "Namespace", "Node", "PersistentVolume"),
    "admissionregistration.k8s.io/v1 admissionregistration.k8s.io/v1beta1": (
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
    ),
    "apiextensions.k8s.io/v1 apiextensions.k8s.io/v1beta1": ("CustomResourceDefinition",),
    "apiregistration.k8s.io/v1 apiregistration.k8s.io/v1beta1": ("APIService",),
    "certificates.k8s.io/v1 certificates.k8s.io/v1beta1": ("CertificateSigningRequest",),
    "flowcontrol.apiserver.k8s.io/v1beta1": ("FlowSchema", "PriorityLevelConfiguration"),
    "networking.k8s.io/v1 networking.k8s.io/v1beta1": ("IngressClass",),
    "node.k8s.io/v1 node.k8s.io/v1beta1": ("RuntimeClass",),
    "policy/v1beta1": ("PodSecurityPolicy",),
    "rbac.authorization.k8s.io/v1 rbac.authorization.k8s.io/v1beta1": ("ClusterRole", "ClusterRoleBinding"),
    "scheduling.k8s.io/v1 scheduling.k8s.io/v1beta1": ("PriorityClass",),
    "storage.k8s.io/v1 storage.k8s.io/v1beta1": ("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"),
}
CLUSTER_SCOPED = frozenset(
    (api, kind) for apis, kinds in _CLUSTER_SCOPED_BY_GROUP.items() for api in apis.split() for kind in kinds
)


@dataclass(frozen=True)
class FieldSpec:
    path: tuple[str, ...]
    create: bool
    kind: str | None = None
    group: str | None = None  # None: any group
    version: str | None = None
    text: str = ""  # the path as written, which kustomize compares when it merges specs

    def covers(self, other: FieldSpec) -> bool:
        """Whether kustomize counts ``other`` as already present when this spec is (same path as
        written, and every part of ``other``'s kind, group and version that is set is this
        spec's): ``FieldSpec.effectivelyEquals``."""
        return (
            self.text == other.text
            and (other.kind is None or other.kind == self.kind)
            and (other.group is None or other.group == self.group)
            and (other.version is None or other.version == self.version)
        )

    def applies(self, api_version: str, kind: str) -> bool:
        group, _, version = api_version.rpartition("/") if "/" in api_version else ("", "", api_version)
        return (
            (self.kind is None or self.kind == kind)
            and (self.group is None or self.group == group)
            and (self.version is None or self.version == version)
        )


def _spec(path: str, create: bool, kind: str | None = None, group: str | None = None, version: str | None = None):
    return FieldSpec(split_path(path), create, kind, group, version, path)


def path_splitter(text: str, delimiter: str) -> list[str]:
    """kyaml's ``PathSplitter``: ``text`` split at each ``delimiter`` but one after a backslash
    (which is dropped: ``a\\/b`` is the one part ``a/b``), one leading delimiter dropped. Any other
    empty part stays."""
    parts = text.split(delimiter)
    if len(parts) > 1 and parts[0] == "":
        parts = parts[1:]
    joined = [parts[0]]
    for part in parts[1:]:
        if joined[-1].endswith("\\"):
            joined[-1] = joined[-1][:-1] + delimiter + part
        else:
            joined.append(part)
    return joined


def split_path(text: str) -> tuple[str, ...]:
    """A field spec's path as kustomize splits it (:func:`path_splitter` at ``/``:
    ``metadata/annotations/a\\/b`` is two steps and ``a/b``); an empty step stays, for
    :func:`targets` to refuse as kustomize does."""
    return tuple(path_splitter(text, "/"))


def from_entry(entry: object) -> FieldSpec:
    """A field spec written in a kustomization (``labels[].fields``): path, optional kind, group,
    version, and create. A missing or null path is the empty path kustomize reads (and refuses
    once it applies)."""
    entry = entry if isinstance(entry, dict) else {}
    return _spec(
        str(entry.get("path") or ""),
        bool(entry.get("create")),
        entry.get("kind") or None,
        entry.get("group") or None,
        entry.get("version") or None,
    )


class Conflict(Exception):
    """Two field specs of one path and kind, one creating the field and one not: kustomize
    refuses the build ("conflicting fieldspecs")."""


def merged(specs: list[FieldSpec], incoming: list[FieldSpec]) -> list[FieldSpec]:
    """``specs`` with each of ``incoming`` appended unless one already there covers it
    (:meth:`FieldSpec.covers`), as kustomize merges a ``labels`` entry's ``fields`` with its
    built-in specs (``FsSlice.MergeAll``): a spec of the entry's for ``metadata/labels`` of
    Services, created, leaves out the built-in one for every kind, so the other kinds get no
    label. Raises :class:`Conflict` where the one covering it differs in ``create``."""
    out = list(specs)
    for spec in incoming:
        work.charge(1 + len(out) // work.PAIRS_PER_STEP)  # looked for among those there
        present = next((s for s in out if s.covers(spec)), None)
        if present is None:
            out.append(spec)
        elif present.create != spec.create:
            raise Conflict(
                f"{spec.text!r} is given with create {str(present.create).lower()} and {str(spec.create).lower()}"
            )
    return out


_TEMPLATE_KINDS = [
    ("ReplicationController", None, "v1"),
    ("Deployment", None, None),
    ("ReplicaSet", None, None),
    ("DaemonSet", None, None),
    ("StatefulSet", "apps", None),
    ("Job", "batch", None),
]

METADATA_LABELS = [
    _spec("metadata/labels", True),
    *(_spec("spec/template/metadata/labels", True, k, g, v) for k, g, v in _TEMPLATE_KINDS),
    _spec("spec/volumeClaimTemplates[]/metadata/labels", True, "StatefulSet", "apps"),
    _spec("spec/jobTemplate/metadata/labels", True, "CronJob", "batch"),
    _spec("spec/jobTemplate/spec/template/metadata/labels", True, "CronJob", "batch"),
]

_AFFINITY = [
    "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/"
    "labelSelector/matchLabels",
    "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/"
    "labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/"
    "matchLabels",
    "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
]

SELECTOR_LABELS = [
    _spec("spec/selector", True, "Service", None, "v1"),
    _spec("spec/selector", True, "ReplicationController", None, "v1"),
    _spec("spec/selector/matchLabels", True, "Deployment"),
    *(_spec(path, False, "Deployment", "apps") for path in _AFFINITY),
    _spec("spec/selector/matchLabels", True, "ReplicaSet"),
    _spec("spec/selector/matchLabels", True, "DaemonSet"),
    _spec("spec/selector/matchLabels", True, "StatefulSet", "apps"),
    *(_spec(path, False, "StatefulSet", "apps") for path in _AFFINITY),
    _spec("spec/selector/matchLabels", False, "Job", "batch"),
    _spec("spec/jobTemplate/spec/selector/matchLabels", False, "CronJob", "batch"),
    _spec("spec/selector/matchLabels", False, "PodDisruptionBudget", "policy"),
    _spec("spec/podSelector/matchLabels", False, "NetworkPolicy", "networking.k8s.io"),
    _spec("spec/ingress/from/podSelector/matchLabels", False, "NetworkPolicy", "networking.k8s.io"),
    _spec("spec/egress/to/podSelector/matchLabels", False, "NetworkPolicy", "networking.k8s.io"),
]

COMMON_LABELS = SELECTOR_LABELS + METADATA_LABELS

ANNOTATIONS = [
    _spec("metadata/annotations", True),
    *(_spec("spec/template/metadata/annotations", True, k, g, v) for k, g, v in _TEMPLATE_KINDS),
    _spec("spec/jobTemplate/metadata/annotations", True, "CronJob", "batch"),
    _spec("spec/jobTemplate/spec/template/metadata/annotations", True, "CronJob", "batch"),
]


def targets(
    root: yaml.Node, path: tuple[str, ...], create: bool, done: tuple[str, ...] = (), emptied: list | None = None
) -> Iterator[yaml.Node]:
    """The nodes at ``path`` under ``root`` (every item of a list on the way), as kustomize's field
    spec filter finds them: a missing or null field is created (a mapping, with ``root``'s marks)
    when ``create`` and its step is not a list's (``[]``), and a null list's becomes an empty list
    whether or not (``volumeClaimTemplates: null`` is printed ``[]``; ``emptied`` collects the
    lists so made); otherwise a missing field ends the walk, and a null one ends it unless it is
    the last step (a null at the end is yielded: kustomize hands it to the setter). Raises
    :class:`WrongKind` where kustomize refuses the build: a value the path goes on through, an
    empty step, a list's index where a map is looked up. ``done``: the steps walked so far, for
    the message."""
    if not path:
        yield root
        return
    if nodes.is_null(root):
        return
    if isinstance(root, yaml.SequenceNode):
        for item in root.value:
            yield from targets(item, path, create, done, emptied)
        return
    if not isinstance(root, yaml.MappingNode):
        raise WrongKind("/".join(done) or "the object", "holds a value where the path goes on")
    step = path[0].removesuffix("[]")
    if not step:
        raise WrongKind("/".join((*done, path[0])), "has an empty field name")
    listed = step != path[0]
    # looked up as kyaml's path getter reads a step: trimmed (a blank one stays at this map), and
    # an index, "-", "*" or "[k=v]" is a list's, which a map refuses
    name = step.strip(GO_SPACE)
    if not name:
        yield from targets(root, path[1:], create, (*done, path[0]), emptied)
        return
    if atoi(name) is not None or name in ("-", "*") or (name[0] == "[" and name[-1] == "]"):
        raise WrongKind("/".join((*done, path[0])), "is a list's index where kustomize looks a field up in a map")
    step = name
    work.charge(1 + len(root.value) // work.PAIRS_PER_STEP)  # the step looked up among the map's keys
    child = nodes.get(root, step)
    if child is None:
        if not create or listed:
            return
        child = nodes.ensure_map(root, step, root)
    elif nodes.is_null(child):
        if listed:
            null, child = child, nodes.sequence([], child)
            nodes.put(root, step, child, null)
            if emptied is not None:
                emptied.append(child)
        elif create:
            child = nodes.ensure_map(root, step, root)
    yield from targets(child, path[1:], create, (*done, step), emptied)


def holders(
    root: yaml.Node, path: tuple[str, ...], create: bool = False, emptied: list | None = None
) -> Iterator[yaml.MappingNode]:
    """The mappings holding ``path``'s last field under ``root`` (every one on the way where
    ``create``; else those where the field is written), walked as :func:`targets` walks, for a
    setter that replaces the field's node (an image, a namespace) rather than write into it: the
    last step from a list is taken from each item, a null ends it, a value is refused
    (:class:`WrongKind`), as kustomize does."""
    *before, last = path
    stack = list(targets(root, tuple(before), create, emptied=emptied))
    stack.reverse()
    while stack:
        node = stack.pop()
        if nodes.is_null(node):
            continue
        if isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif not isinstance(node, yaml.MappingNode):
            raise WrongKind("/".join(before), "holds a value where the path goes on")
        elif create or nodes.get(node, last) is not None:
            yield node


def set_text(holder: yaml.MappingNode, key: str, value: str, source: yaml.Node) -> bool:
    """A transformer's text written at ``key`` (:func:`nodes.set_text`), where kustomize's setter
    takes a text or a null and refuses a map or a list (:class:`WrongKind`)."""
    if isinstance(nodes.get(holder, key), (yaml.MappingNode, yaml.SequenceNode)):
        raise WrongKind(key, "is not a text")
    return nodes.set_text(holder, key, value, source)


class WrongKind(Exception):
    """A field a transformer walks through holds what it cannot walk (a container that is a word
    under ``images``, a label selector that is a number): kustomize refuses the build. ``str()``
    is the field; ``why``, when given, what is wrong with it."""

    def __init__(self, where: str, why: str = "") -> None:
        super().__init__(where)
        self.why = why


def written(pairs: dict, source: yaml.Node) -> dict[str, yaml.ScalarNode]:
    """One value node per key for a label or annotation transformer in one object: kustomize sets
    the same node at every place of the object it adds a key to (each object its own)."""
    return {str(key): nodes.scalar("" if value is None else str(value), source) for key, value in pairs.items()}


def apply(
    root: yaml.MappingNode, api_version: str, kind: str, specs: list[FieldSpec], values: dict, labels: bool = False
) -> bool:
    """Write ``values`` (from :func:`written`) at every field spec that applies to the resource;
    True when anything changed. Where a key is missing (or holds a map or a list, which kustomize
    overwrites), its shared node goes in; where it holds a value, that node takes the value in
    place, as kustomize overwrites a node: every place an earlier transformer gave that same node
    changes with it (a later ``labels`` entry without ``includeSelectors`` still changes the
    selectors an earlier ``commonLabels`` wrote). With ``labels``, a key it adds is written
    unquoted, as kustomize writes it: one that then reads as a number, boolean, null or timestamp
    is refused (:class:`WrongKind`; an annotation's is, once kustomize writes them all back)."""
    changed = False
    for spec in specs:
        if not spec.applies(api_version, kind):
            continue
        emptied: list[yaml.Node] = []
        holders = list(targets(root, spec.path, spec.create, emptied=emptied))
        changed |= bool(emptied)
        for holder in holders:
            if nodes.is_null(holder):
                continue  # (a null at the end of a spec that does not create: kustomize leaves it)
            if not isinstance(holder, yaml.MappingNode):
                raise WrongKind("/".join(spec.path), "is not a map")
            # each key looked up among the holder's, which grow by them
            work.charge(len(values) * (1 + (len(holder.value) + len(values)) // work.PAIRS_PER_STEP))
            for key, value in values.items():
                current = nodes.get(holder, key)
                if current is value:
                    continue
                if isinstance(current, yaml.ScalarNode):
                    if current.value == value.value and current.tag == value.tag:
                        continue
                    current.value, current.tag, current.style = value.value, value.tag, value.style
                    current.start_mark, current.end_mark = value.start_mark, value.end_mark
                else:
                    if current is None and labels and not is_string(key):  # a new key, written unquoted
                        raise WrongKind(f"the label key {key!r}", f"reads as {reading(key)} once kustomize writes it")
                    nodes.put(holder, key, value, value)
                changed = True
    return changed
