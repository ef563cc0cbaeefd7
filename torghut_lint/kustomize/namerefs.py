"""kustomize's name reference transformer, as data: when a build renames an object (a prefix, a
suffix, a generator's content hash), every field that refers to it by name follows.

The table is kustomize's built-in ``nameReference`` configuration (which fields of which kinds
name a ConfigMap, a Secret, a ServiceAccount, ...). Only those fields follow a rename: a
reference kustomize does not know (a Knative Service's ``envFrom``, say) keeps the old name in
kustomize's output too, and so here.
"""

from __future__ import annotations

from collections.abc import Iterator

import yaml

from torghut_lint import nodes
from torghut_lint.kustomize.fieldspecs import CLUSTER_SCOPED
from torghut_lint.model import Resource

# Where a pod spec sits in each workload kind kustomize knows.
_POD = {
    "Pod": "spec",
    "PodTemplate": "template/spec",
    "Deployment": "spec/template/spec",
    "ReplicaSet": "spec/template/spec",
    "DaemonSet": "spec/template/spec",
    "StatefulSet": "spec/template/spec",
    "Job": "spec/template/spec",
    "CronJob": "spec/jobTemplate/spec/template/spec",
    "ReplicationController": "spec/template/spec",
}
_CONFIGMAP_IN_POD = [
    "volumes/configMap/name",
    "containers/env/valueFrom/configMapKeyRef/name",
    "initContainers/env/valueFrom/configMapKeyRef/name",
    "containers/envFrom/configMapRef/name",
    "initContainers/envFrom/configMapRef/name",
    "volumes/projected/sources/configMap/name",
]
_SECRET_IN_POD = [
    "volumes/secret/secretName",
    "containers/env/valueFrom/secretKeyRef/name",
    "initContainers/env/valueFrom/secretKeyRef/name",
    "containers/envFrom/secretRef/name",
    "initContainers/envFrom/secretRef/name",
    "imagePullSecrets/name",
    "volumes/projected/sources/secret/name",
]
_CONFIG_KINDS = ("Pod", "PodTemplate", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob")
_SA_KINDS = ("Pod", "StatefulSet", "Deployment", "ReplicationController", "CronJob", "Job", "DaemonSet")


def _in_pods(kinds: tuple[str, ...], paths: list[str]) -> list[tuple[str, str]]:
    return [(kind, f"{_POD[kind]}/{path}") for kind in kinds for path in paths]


# referenced kind -> [(referring kind, path)]; a path ending in "subjects" or "roleRef" is special.
REFERENCES: dict[str, list[tuple[str, str]]] = {
    "ConfigMap": _in_pods(_CONFIG_KINDS, _CONFIGMAP_IN_POD)
    + [("Role", "rules/resourceNames"), ("ClusterRole", "rules/resourceNames")],
    "Secret": _in_pods(_CONFIG_KINDS, _SECRET_IN_POD)
    + [
        ("Ingress", "spec/tls/secretName"),
        ("ServiceAccount", "imagePullSecrets/name"),
        ("Role", "rules/resourceNames"),
        ("ClusterRole", "rules/resourceNames"),
        ("Service", "spec/template/spec/containers/env/valueFrom/secretKeyRef/name"),  # Knative
    ],
    "ServiceAccount": _in_pods(_SA_KINDS, ["serviceAccountName"])
    + [("RoleBinding", "subjects"), ("ClusterRoleBinding", "subjects")],
    "PersistentVolumeClaim": _in_pods(_SA_KINDS, ["volumes/persistentVolumeClaim/claimName"]),
    "PersistentVolume": [("PersistentVolumeClaim", "spec/volumeName")],
    "Role": [("RoleBinding", "roleRef")],
    "ClusterRole": [("RoleBinding", "roleRef"), ("ClusterRoleBinding", "roleRef")],
    "Service": [
        ("StatefulSet", "spec/serviceName"),
        ("Ingress", "spec/rules/http/paths/backend/service/name"),
        ("Ingress", "spec/defaultBackend/service/name"),
        ("ValidatingWebhookConfiguration", "webhooks/clientConfig/service/name"),
        ("MutatingWebhookConfiguration", "webhooks/clientConfig/service/name"),
        ("APIService", "spec/service/name"),
    ],
    "PriorityClass": _in_pods(tuple(_POD), ["priorityClassName"]),
    "StorageClass": [
        ("PersistentVolumeClaim", "spec/storageClassName"),
        ("PersistentVolume", "spec/storageClassName"),
        ("StatefulSet", "spec/volumeClaimTemplates/spec/storageClassName"),
    ],
    "Deployment": [("HorizontalPodAutoscaler", "spec/scaleTargetRef/name")],
    "StatefulSet": [("HorizontalPodAutoscaler", "spec/scaleTargetRef/name")],
}


# the kinds with no namespace (a reference to or from one has none to agree on)
_CLUSTER_SCOPED = frozenset(kind for _, kind in CLUSTER_SCOPED)


def _text(node: yaml.Node | None) -> str:
    return node.value if isinstance(node, yaml.ScalarNode) else ""


def _kind(res: Resource) -> str:
    return _text(nodes.get(res.node, "kind"))


def _meta(res: Resource, key: str) -> str:
    return _text(nodes.get(nodes.get(res.node, "metadata"), key))


def _holders(root: yaml.Node, path: list[str]) -> Iterator[tuple[yaml.MappingNode, str]]:
    """(mapping, key) pairs at ``path`` (every list item on the way)."""
    if isinstance(root, yaml.SequenceNode):
        for item in root.value:
            yield from _holders(item, path)
        return
    if not isinstance(root, yaml.MappingNode) or not path:
        return
    if len(path) == 1:
        yield root, path[0]
        return
    yield from _holders(nodes.get(root, path[0]), path[1:])


def _rename(holder: yaml.MappingNode, key: str, old: str, new: str, source: yaml.Node) -> bool:
    value = nodes.get(holder, key)
    if isinstance(value, yaml.ScalarNode) and value.value == old:
        return nodes.set_text(holder, key, new, source)
    if isinstance(value, yaml.SequenceNode):  # rules/resourceNames
        changed = False
        for i, item in enumerate(value.value):
            if isinstance(item, yaml.ScalarNode) and item.value == old:
                value.value[i] = nodes.scalar(new, source)
                changed = True
        return changed
    return False


def follow_renames(resources: list[Resource], before_hash: dict[int, str] | None = None) -> set[int]:
    """Point every known reference at the renamed objects; the ids of the resources changed.

    A reference may use the original name or the name an overlay gave it before the content
    hash was appended (``before_hash``): kustomize resolves both."""
    before_hash = before_hash or {}
    renamed = [r for r in resources if r.origin_name and _meta(r, "name") != r.origin_name]
    changed: set[int] = set()
    if not renamed:
        return changed
    # a renaming changes names, never kinds: the referrers of each kind are found once, not once
    # per renamed object and reference (a name prefix renames every object of the build)
    by_kind: dict[str, list[Resource]] = {}
    for res in resources:
        by_kind.setdefault(_kind(res), []).append(res)
    for target in renamed:
        olds = {target.origin_name, before_hash.get(id(target), target.origin_name)}
        for old in olds:
            changed |= _follow(by_kind, target, old)
    return changed


def _follow(by_kind: dict[str, list[Resource]], target: Resource, old: str) -> set[int]:
    """Rename references from ``old`` to ``target``'s current name; the ids of the referrers changed."""
    kind, new, namespace = _kind(target), _meta(target, "name"), _meta(target, "namespace")
    source = nodes.get(nodes.get(target.node, "metadata"), "name") or target.node
    changed: set[int] = set()
    for referrer_kind, path in REFERENCES.get(kind, []):
        for res in by_kind.get(referrer_kind, ()):
            if _rename_in(res, (referrer_kind, path), kind, namespace, old, new, source):
                changed.add(id(res))
    return changed


def _rename_in(
    res: Resource, where: tuple[str, str], kind: str, namespace: str, old: str, new: str, source: yaml.Node
) -> bool:
    """Rename ``old`` to ``new`` at ``where`` (its kind, the path) of one referrer (namespaces must agree: an object
    without one is in "default", as kustomize matches them; a cluster-scoped referral or referrer
    has none to agree on)."""
    referrer_kind, path = where
    same_namespace = (
        kind in _CLUSTER_SCOPED
        or referrer_kind in _CLUSTER_SCOPED
        or (_meta(res, "namespace") or "default") == (namespace or "default")
    )
    if path == "subjects":
        changed = False
        for subject in _seq(nodes.get(res.node, "subjects")):
            subject_namespace = _text(nodes.get(subject, "namespace"))
            # a subject names its namespace; the object without one is in "default" (kustomize matches so)
            same = subject_namespace in ("", namespace or "default") or follows(subject)
            if _text(nodes.get(subject, "kind")) == kind and same:
                changed |= _rename(subject, "name", old, new, source)
        return changed
    if path == "roleRef":
        ref = nodes.get(res.node, "roleRef")
        if not isinstance(ref, yaml.MappingNode) or _text(nodes.get(ref, "kind")) != kind:
            return False
        return (kind == "ClusterRole" or same_namespace) and _rename(ref, "name", old, new, source)
    if not same_namespace:
        return False
    changed = False
    for holder, key in list(_holders(res.node, path.split("/"))):
        changed |= _rename(holder, key, old, new, source)
    return changed


_FOLLOWING = "_torghut_lint_follows"  # set on a binding subject's node


def mark_following(subject: yaml.MappingNode) -> None:
    """Record that a namespace transformer moved ``subject`` with its ServiceAccount."""
    setattr(subject, _FOLLOWING, True)


def follows(subject: yaml.MappingNode) -> bool:
    """Whether a namespace transformer of this build moved ``subject`` with its ServiceAccount:
    kustomize then matches it to the account wherever the account goes next (a later overlay's
    namespace, a prefix), whatever namespace the subject names by then."""
    return getattr(subject, _FOLLOWING, False)


def _seq(node: yaml.Node | None) -> list[yaml.Node]:
    return node.value if isinstance(node, yaml.SequenceNode) else []
