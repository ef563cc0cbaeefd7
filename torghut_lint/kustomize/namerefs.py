"""kustomize's name reference transformer: when a build renames or moves an object (a prefix, a
suffix, a namespace, a generator's content hash, a patch allowed to rename), every field that
refers to it by name follows, exactly as kustomize decides which object a name means.

kustomize remembers every id an object had before a transformer changed it (its *previous ids*:
kind, name and namespace, oldest first; "default" for no namespace) and which name prefixes and
suffixes it took. Once the whole build is transformed it visits every field its built-in
``nameReference`` table lists (which fields of which kinds name a ConfigMap, a Secret, a
ServiceAccount, ...) and, for each value, looks for the one object that had that name before:

1. objects whose previous ids hold that name and the referenced kind;
2. of those, the ones the referrer may name: in its namespace, cluster-scoped, any
   ServiceAccount, or one in a namespace a RoleBinding's subjects name;
3. for a ``roleRef``, the kind and group it names; for a mapping (a binding subject, a webhook's
   service), the objects in the namespace it names (first as they were written, then as they are);
4. one left: it; several: the ones with the same prefixes and suffixes as the referrer; still
   several with different names: kustomize refuses the build.

A reference the table does not list (a Knative Service's ``envFrom``, say) keeps the old name in
kustomize's output too, and so here. kustomize runs the transformer on every build, renamed or
not, and refuses one whose listed fields it cannot walk (a scalar where a map goes, a subject
without a name): :func:`fix_references` returns those as problems.
"""

from __future__ import annotations

import yaml

from torghut_lint import nodes
from torghut_lint.kustomize import work
from torghut_lint.kustomize.fieldspecs import CLUSTER_SCOPED
from torghut_lint.model import Resource
from torghut_lint.parse import PLAIN, STR, resolve_plain

NOT_NAMESPACED = "_non_namespaceable_"  # kustomize's namespace of a cluster-scoped object

Gvk = tuple[str, str, str]  # (group, version, kind) as a selector: "" matches anything
Id = tuple[str, str, str]  # (kind, name, namespace: "default" when unset, NOT_NAMESPACED)

# Where a pod spec sits in each workload kind, and what in a pod spec names what.
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
_CONTAINERS = ("containers", "initContainers")
_CONFIGMAP_IN_POD = (
    "volumes/configMap/name",
    *(f"{c}/env/valueFrom/configMapKeyRef/name" for c in _CONTAINERS),
    *(f"{c}/envFrom/configMapRef/name" for c in _CONTAINERS),
    "volumes/projected/sources/configMap/name",
)
_SECRET_IN_POD = (
    "volumes/secret/secretName",
    *(f"{c}/env/valueFrom/secretKeyRef/name" for c in _CONTAINERS),
    *(f"{c}/envFrom/secretRef/name" for c in _CONTAINERS),
    "imagePullSecrets/name",
    "volumes/projected/sources/secret/name",
)
_CONFIG_HOLDERS = ("Pod", "PodTemplate", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob")
_POD_HOLDERS = ("Pod", "StatefulSet", "Deployment", "ReplicationController", "CronJob", "Job", "DaemonSet")
_RBAC = "rbac.authorization.k8s.io"
_ADMISSION = "admissionregistration.k8s.io"


def _in_pods(kinds: tuple[str, ...], paths: tuple[str, ...]) -> list[tuple[Gvk, str]]:
    # kustomize's table selects a Pod by version v1 and the other holders by kind alone
    return [(("", "v1" if kind == "Pod" else "", kind), f"{_POD[kind]}/{path}") for kind in kinds for path in paths]


def _by_kind(kinds: tuple[str, ...], path: str, group: str = "") -> list[tuple[Gvk, str]]:
    return [((group, "", kind), path) for kind in kinds]


_INGRESS_ANNOTATION = "metadata/annotations/{}"  # an annotation key holds '/': escaped in a path

# kustomize's built-in nameReference table (its v5.5 configuration, in this order): the
# referenced kind, then the (referrer, path) pairs that name it. A path ending at a mapping (a
# binding's subjects, a webhook's service, a Node's config source) names an object by its
# ``name`` and ``namespace`` fields.
BACK_REFERENCES: list[tuple[Gvk, list[tuple[Gvk, str]]]] = [
    *(
        (("", "", kind), _by_kind(("HorizontalPodAutoscaler",), "spec/scaleTargetRef/name"))
        for kind in ("Deployment", "ReplicationController", "ReplicaSet", "StatefulSet")
    ),  # fmt: skip
    (
        ("", "v1", "ConfigMap"),
        _in_pods(_CONFIG_HOLDERS, _CONFIGMAP_IN_POD)
        + _by_kind(("Node",), "spec/configSource/configMap")
        + _by_kind(("Role", "ClusterRole"), "rules/resourceNames")
        + _by_kind(("Ingress",), _INGRESS_ANNOTATION.format(r"nginx.ingress.kubernetes.io\/fastcgi-params-configmap")),
    ),
    (
        ("", "v1", "Secret"),
        _in_pods(_CONFIG_HOLDERS, _SECRET_IN_POD)
        + _by_kind(("Ingress",), "spec/tls/secretName")
        + [
            (("", "", "Ingress"), _INGRESS_ANNOTATION.format(key))
            for key in (
                r"ingress.kubernetes.io\/auth-secret",
                r"nginx.ingress.kubernetes.io\/auth-secret",
                r"nginx.ingress.kubernetes.io\/auth-tls-secret",
            )
        ]
        + _by_kind(("Ingress",), "spec/tls/secretName")  # listed twice by kustomize
        + _by_kind(("ServiceAccount",), "imagePullSecrets/name")
        + [
            (("", "", "StorageClass"), f"parameters/{key}")
            for key in ("secretName", "adminSecretName", "userSecretName", "secretRef")
        ]
        + _by_kind(("Role", "ClusterRole"), "rules/resourceNames")
        + [(("serving.knative.dev", "v1", "Service"), "spec/template/spec/containers/env/valueFrom/secretKeyRef/name")]
        + _by_kind(("PersistentVolume",), "spec/azureFile/secretName"),
    ),
    (
        ("", "v1", "Service"),
        _by_kind(("StatefulSet",), "spec/serviceName", "apps")
        + [
            (("", "", "Ingress"), path)
            for path in (
                "spec/rules/http/paths/backend/serviceName",
                "spec/backend/serviceName",
                "spec/rules/http/paths/backend/service/name",
                "spec/defaultBackend/service/name",
            )
        ]
        + _by_kind(("APIService",), "spec/service/name", "apiregistration.k8s.io")
        + _by_kind(
            ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"),
            "webhooks/clientConfig/service",
            _ADMISSION,
        ),
    ),
    ((_RBAC, "", "Role"), _by_kind(("RoleBinding",), "roleRef/name", _RBAC)),
    ((_RBAC, "", "ClusterRole"), _by_kind(("RoleBinding", "ClusterRoleBinding"), "roleRef/name", _RBAC)),
    (
        ("", "v1", "ServiceAccount"),
        _by_kind(("RoleBinding", "ClusterRoleBinding"), "subjects", _RBAC)
        + [(("", "", kind), f"{_POD[kind]}/serviceAccountName") for kind in _POD_HOLDERS],
    ),
    (
        ("", "v1", "PersistentVolumeClaim"),
        [(("", "", kind), f"{_POD[kind]}/volumes/persistentVolumeClaim/claimName") for kind in _POD_HOLDERS],
    ),
    (
        ("", "v1", "PersistentVolume"),
        _by_kind(("PersistentVolumeClaim",), "spec/volumeName") + _by_kind(("ClusterRole",), "rules/resourceNames"),
    ),
    (
        ("storage.k8s.io", "v1", "StorageClass"),
        _by_kind(("PersistentVolume", "PersistentVolumeClaim"), "spec/storageClassName")
        + _by_kind(("StatefulSet",), "spec/volumeClaimTemplates/spec/storageClassName"),
    ),
    (
        ("scheduling.k8s.io", "v1", "PriorityClass"),
        [(("", "", kind), f"{_POD[kind]}/priorityClassName") for kind in _POD_HOLDERS],
    ),
    # kustomize's table names IngressClass's group "networking.k8s.io/v1", which no object has: an
    # Ingress's ingressClassName never follows a rename (kept, as kustomize renders it)
    (("networking.k8s.io/v1", "v1", "IngressClass"), _by_kind(("Ingress",), "spec/ingressClassName")),
    (
        (_ADMISSION, "", "ValidatingAdmissionPolicy"),
        _by_kind(("ValidatingAdmissionPolicyBinding",), "spec/policyName", _ADMISSION),
    ),
]


class _Trie(dict):
    """Path element -> subtree; ``path``: the field path to here (shown when kustomize refuses
    it); ``leaf``: the referenced kinds a value here names, in table order."""

    leaf: tuple[Gvk, ...] = ()

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.path = path


def _split(path: str) -> list[str]:
    """A field path's elements: ``/`` separates them, ``\\/`` is a slash inside one."""
    return [part.replace("\0", "/") for part in path.replace("\\/", "\0").split("/")]


def _tables() -> dict[str, list[tuple[Gvk, _Trie]]]:
    """Referrer kind -> [(its group/version/kind selector, the paths it names others at, merged)]."""
    out: dict[str, list[tuple[Gvk, _Trie]]] = {}
    for referral, referrers in BACK_REFERENCES:
        for selector, path in referrers:
            tries = out.setdefault(selector[2], [])
            trie = next((t for s, t in tries if s == selector), None)
            if trie is None:
                trie = _Trie()
                tries.append((selector, trie))
            for part in _split(path):
                trie = trie.get(part) or trie.setdefault(part, _Trie(f"{trie.path}/{part}" if trie.path else part))
            trie.leaf += (referral,)
    return out


_REFERRERS = _tables()


class RefusedBuild(Exception):
    """What kustomize's name reference transformer refuses, with the node it refuses at."""

    def __init__(self, message: str, node: yaml.Node) -> None:
        super().__init__(message)
        self.node = node


def _group_version(api: str) -> tuple[str, str]:
    return (api.rpartition("/")[0], api.rpartition("/")[2]) if "/" in api else ("", api)


def effective_namespace(api: str, kind: str, namespace: str) -> str:
    """The namespace kustomize compares ids by: none for a cluster-scoped kind, "default" when unset."""
    if (api, kind) in CLUSTER_SCOPED:
        return NOT_NAMESPACED
    return namespace or "default"


_IDENT_KEYS = {"apiVersion": 0, "kind": 1, "namespace": 2, "name": 3}


def ident(node: yaml.MappingNode) -> tuple[str, str, str, str]:
    """(apiVersion, kind, namespace, name) read straight from the node (one pass over it and one
    over its metadata, the last of a repeated key winning as in :func:`nodes.get`: the build
    asks for every resource at every step)."""
    found = ["", "", "", ""]
    meta = None
    if not isinstance(node, yaml.MappingNode):
        return "", "", "", ""
    nodes.scanned(node)
    for key, value in node.value:
        name = key.value
        if name == "metadata":
            meta = value
        elif name == "apiVersion" or name == "kind":
            found[_IDENT_KEYS[name]] = value.value if isinstance(value, yaml.ScalarNode) else ""
    if not isinstance(meta, yaml.MappingNode):
        return found[0], found[1], "", ""
    nodes.scanned(meta)
    for key, value in meta.value:
        if key.value == "namespace" or key.value == "name":
            found[_IDENT_KEYS[key.value]] = value.value if isinstance(value, yaml.ScalarNode) else ""
    return found[0], found[1], found[2], found[3]


def current_id(res: Resource) -> Id:
    api, kind, namespace, name = ident(res.node)
    return kind, name, effective_namespace(api, kind, namespace)


def remember(res: Resource, name: str | None = None) -> None:
    """Record ``res``'s id before a transformer changes it (kustomize's ``StorePreviousId``);
    ``name``: the name it has by then, when a step of the same transformer already ran."""
    kind, current, namespace = current_id(res)
    work.charge(len(res.history))  # the history is copied to grow
    res.history += ((kind, current if name is None else name, namespace),)


def _selected(api: str, kind: str, selector: Gvk) -> bool:
    group, version = _group_version(api)
    return (
        (not selector[0] or selector[0] == group)
        and (not selector[1] or selector[1] == version)
        and (not selector[2] or selector[2] == kind)
    )


class _Object:
    """What the transformer reads of one resource, read once."""

    __slots__ = ("res", "api", "kind", "name", "namespace", "cluster", "history", "effective")

    def __init__(self, res: Resource) -> None:
        self.res = res
        self.api, self.kind, self.namespace, self.name = ident(res.node)
        self.effective = effective_namespace(self.api, self.kind, self.namespace)
        self.cluster = self.effective == NOT_NAMESPACED
        self.history = res.history

    @property
    def original(self) -> Id:
        """kustomize's ``OrgId``: the first id it remembers, else the current one."""
        return self.history[0] if self.history else (self.kind, self.name, self.effective)

    def was(self, selector: Gvk) -> bool:
        """A previous id of this object is of the kind ``selector`` names (kustomize reads a
        previous id's group and version from the object as it is now)."""
        return any(_selected(self.api, kind, selector) for kind, _, _ in self.history)


def fix_references(resources: list[Resource]) -> list[RefusedBuild]:
    """Point every reference kustomize knows at the object it names now; what kustomize refuses
    (the build stops there; here the rest still follow)."""
    objects = [_Object(res) for res in resources]
    by_old_name: dict[str, list[_Object]] = {}  # a previous name -> the objects that had it, in build order
    for obj in objects:
        for name in dict.fromkeys(name for _, name, _ in obj.history):
            by_old_name.setdefault(name, []).append(obj)
    # each namespace objects were written in -> the namespaces they are in now (compared, written)
    namespaces: dict[str, tuple[set[str], set[str]]] = {}
    for obj in objects:
        if not obj.cluster:
            effective, written = namespaces.setdefault(obj.original[2], (set(), set()))
            effective.add(obj.effective)
            written.add(obj.namespace)
    problems: list[RefusedBuild] = []
    for referrer in objects:
        tables = _REFERRERS.get(referrer.kind)
        if not tables:
            continue
        original_kind = referrer.original[0]
        # kustomize picks referrers by their original kind and walks them by their current one
        chosen = [
            (selector, trie)
            for selector, trie in tables
            if _selected(referrer.api, referrer.kind, selector) and _selected(referrer.api, original_kind, selector)
        ]
        if not chosen:
            continue  # (no referrer to kustomize: what a visit reads first is never read)
        try:
            visit = _Visit(referrer, by_old_name, namespaces)
        except RefusedBuild as exc:
            problems.append(exc)
            continue
        for _, trie in chosen:
            try:
                visit.walk(referrer.res.node, trie)
            except RefusedBuild as exc:
                problems.append(exc)
                break
    return problems


class _Visit:
    """One referrer's walk: its fields at the table's paths, each value pointed at its object."""

    def __init__(
        self,
        referrer: _Object,
        by_old_name: dict[str, list[_Object]],
        namespaces: dict[str, tuple[set[str], set[str]]],
    ) -> None:
        self.referrer = referrer
        self.by_old_name = by_old_name
        self.namespaces = namespaces
        # read before any of its references follows (a subject's namespace may change below)
        self.bound = self.bound_namespaces() if referrer.kind == "RoleBinding" and not referrer.cluster else set()

    def walk(self, node: yaml.Node, trie: _Trie, holder: yaml.MappingNode | None = None, key: str = "") -> None:
        """Follow ``trie`` down from ``node`` (the value of ``key`` in ``holder``), as kustomize's
        field walk does."""
        for referral in trie.leaf:
            self.set(holder, key, referral, trie.path)
        if trie:
            self.descend(node, trie)

    def descend(self, node: yaml.Node, trie: _Trie) -> None:
        """Into every list item (a list in a list too), stopping at a null, refusing a scalar where
        the path goes on ("expected sequence or mapping node")."""
        if nodes.is_null(node):
            return
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                self.descend(item, trie)
            return
        if not isinstance(node, yaml.MappingNode):
            where = trie.path or "the object"
            raise RefusedBuild(f"{where} is a scalar where kustomize's name references expect a map or a list", node)
        for key, value in node.value:  # a value set below replaces its entry in place
            sub = trie.get(key.value) if isinstance(key, yaml.ScalarNode) else None
            if sub is not None:
                self.walk(value, sub, node, key.value)

    def set(self, holder: yaml.MappingNode | None, key: str, referral: Gvk, path: str) -> None:
        """kustomize's ``set`` on the value at a listed path (read again for each referenced
        kind: an earlier one may have renamed it)."""
        node = nodes.get(holder, key)
        if node is None or nodes.is_null(node):
            return
        if isinstance(node, yaml.ScalarNode):
            found = self.select(node.value, None, referral, path)
            if found is not None and found.name != node.value:
                nodes.set_text(holder, key, found.name, self.source(found))
        elif isinstance(node, yaml.MappingNode):
            self.set_mapping(node, referral, path)
        else:
            for i, item in enumerate(list(node.value)):
                if nodes.is_null(item):
                    continue
                if isinstance(item, yaml.ScalarNode):
                    found = self.select(item.value, None, referral, path)
                    if found is not None and found.name != item.value:
                        node.value[i] = nodes.scalar(found.name, self.source(found))
                elif isinstance(item, yaml.MappingNode):
                    self.set_mapping(item, referral, path)
                else:
                    where = path
                    raise RefusedBuild(f"{where} holds a list in a list; kustomize expects names or maps there", item)

    def set_mapping(self, node: yaml.MappingNode, referral: Gvk, path: str) -> None:
        """A reference by ``name`` and ``namespace`` (a binding subject, a webhook's service):
        both follow the object (the namespace when the object has one)."""
        if not _has(node, "name"):
            raise RefusedBuild(f"an entry of {path} has no name; kustomize refuses the build", node)
        old = nodes.text(nodes.get(node, "name"))
        found = self.select(old, node, referral, path)
        if found is None or (found.name == old and not found.namespace):
            return
        nodes.set_text(node, "name", found.name, self.source(found))
        if found.namespace:
            nodes.set_text(node, "namespace", found.namespace, self.source(found))

    @staticmethod
    def source(found: _Object) -> yaml.Node:
        """Where a followed name is written: the object's own ``metadata.name``."""
        return nodes.get(nodes.get(found.res.node, "metadata"), "name") or found.res.node

    # -- which objects a value may mean ----------------------------------------------------------
    def reachable(self, obj: _Object) -> bool:
        """Whether this referrer may name ``obj`` (kustomize's ``SubsetThatCouldBeReferencedByResource``):
        either is cluster-scoped, both are in one namespace, or a RoleBinding's subjects name its
        namespace. A test per object, never a list of them per referrer (quadratic in a large app)."""
        referrer = self.referrer
        return referrer.cluster or obj.cluster or obj.effective == referrer.effective or obj.namespace in self.bound

    def bound_namespaces(self) -> set[str]:
        """The namespaces a RoleBinding's ServiceAccount subjects name (it may name accounts there)."""
        out: set[str] = set()
        subjects = nodes.get(self.referrer.res.node, "subjects")
        for subject in subjects.value if isinstance(subjects, yaml.SequenceNode) else []:
            # kustomize reads each subject as a map, and a kind beside a namespace as a string:
            # anything else crashes it (a Go panic, "interface conversion")
            if not isinstance(subject, yaml.MappingNode):
                raise RefusedBuild("a subject of a RoleBinding is not a map; kustomize crashes on it", subject)
            if not _has(subject, "namespace"):
                continue
            if _has(subject, "kind") and not _is_string(nodes.get(subject, "kind")):
                raise RefusedBuild(
                    "a subject's kind beside its namespace is not a string; kustomize crashes on it", subject
                )
            if nodes.text(nodes.get(subject, "kind")) != "ServiceAccount":
                continue
            namespace = nodes.get(subject, "namespace")
            if not _is_string(namespace):
                raise RefusedBuild(
                    "a ServiceAccount subject's namespace is not a string; kustomize refuses it", subject
                )
            out.add(namespace.value)
        return out

    def written_in(self, namespace: str) -> bool:
        """Whether an object this referrer may name was written in ``namespace`` (kustomize then
        looks for a reference's object among those, else among the objects in it now)."""
        group = self.namespaces.get(namespace)
        if group is None:
            return False
        effective, written = group  # the namespaces they are in now: as compared, and as written
        return self.referrer.cluster or self.referrer.effective in effective or bool(self.bound & written)

    def select(self, old: str, mapping: yaml.MappingNode | None, referral: Gvk, path: str) -> _Object | None:
        """kustomize's ``selectReferral``: the one object ``old`` (a name, or the ``mapping``'s
        name and namespace) names, None for none; several different ones: kustomize refuses the
        build."""
        had = self.by_old_name.get(old)
        if not had:  # no object was ever called so: nothing to follow (most values, decided cheaply)
            return None
        names_only = mapping is None
        found = [obj for obj in had if self.reachable(obj) and obj.was(referral)]
        if mapping is not None and _has(mapping, "namespace"):  # kustomize's filterMapCandidatesByNamespace
            namespace = nodes.text(nodes.get(mapping, "namespace"))
            if self.written_in(namespace):
                found = [obj for obj in found if not obj.cluster and obj.original[2] == namespace]
            else:
                found = [obj for obj in found if not obj.cluster and obj.effective == namespace]
        if path.endswith("roleRef/name"):
            role = nodes.get(self.referrer.res.node, "roleRef")
            group, kind = nodes.get(role, "apiGroup"), nodes.get(role, "kind")
            if group is not None and kind is not None and not nodes.is_null(group) and not nodes.is_null(kind):
                found = [obj for obj in found if obj.was((nodes.text(group), "", nodes.text(kind)))]
        referrer = self.referrer
        if not referrer.cluster:
            found = [
                obj
                for obj in found
                if obj.cluster or obj.kind == "ServiceAccount" or obj.effective == referrer.effective
            ]
        if len(found) == 1:
            return found[0]
        found = [obj for obj in found if _affixes_agree(obj.res, referrer.res, loose=True)]
        if len(found) > 1:
            found = [obj for obj in found if _affixes_agree(obj.res, referrer.res, loose=False)]
        if not found:
            return None
        first = found[0]
        if all(obj.name == first.name and (names_only or obj.namespace == first.namespace) for obj in found):
            return first
        ids = ", ".join(f"{obj.kind} {obj.namespace + '/' if obj.namespace else ''}{obj.name}" for obj in found)
        raise RefusedBuild(
            f"'{path}' value {old!r} may name any of {ids}; kustomize refuses the build", referrer.res.node
        )


def _has(node: yaml.MappingNode, key: str) -> bool:
    """Whether ``key`` is written in ``node`` (null or not)."""
    return any(isinstance(k, yaml.ScalarNode) and k.value == key for k, _ in node.value)


def _is_string(node: yaml.Node | None) -> bool:
    """A scalar kustomize reads as a string (not a number, a boolean or null)."""
    if not isinstance(node, yaml.ScalarNode):
        return False
    return node.tag == STR or (node.tag == PLAIN and isinstance(resolve_plain(node.value), str))


def _ends_alike(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """kustomize's ``SameEndingSubSlice``: the shorter list ends the longer (two empty lists agree,
    an empty and a non-empty one do not)."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if not short:
        return not long
    return long[len(long) - len(short) :] == short


def _affixes_agree(res: Resource, other: Resource, loose: bool) -> bool:
    """Whether two objects took the same name prefixes and suffixes (``loose``: an object that
    took none agrees with any)."""
    if loose:
        prefixes = not res.prefixes or not other.prefixes or _ends_alike(res.prefixes, other.prefixes)
        suffixes = not res.suffixes or not other.suffixes or _ends_alike(res.suffixes, other.suffixes)
        return prefixes and suffixes
    return _ends_alike(res.prefixes, other.prefixes) and _ends_alike(res.suffixes, other.suffixes)
