"""Strategic-merge and JSON 6902 patches applied to composed nodes (marks preserved)."""

from __future__ import annotations

import yaml

from torghut_lint import nodes
from torghut_lint.parse import as_yaml11, to_data

# List fields merged by a key instead of replaced: the strategic-merge keys Kubernetes declares
# for built-in kinds. Lists of custom resources, and all other lists, are replaced whole, as
# kustomize does (it has no merge keys for CRDs).
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "ports": "containerPort",  # Service ports merge on "port": see _merge_key
    "imagePullSecrets": "name",
    "tolerations": "key",
    "hostAliases": "ip",
}


DELETED = yaml.MappingNode("tag:yaml.org,2002:map", [])  # what a ``$patch: delete`` map merges to


class PatchError(Exception):
    """A patch that cannot be applied as written."""


BUILTIN_GROUPS = {
    "",
    "apps",
    "batch",
    "policy",
    "autoscaling",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
}


def strategic_merge(target: yaml.Node, patch: yaml.Node, field: str = "", builtin: bool = True) -> yaml.Node:
    """Merge ``patch`` into ``target`` and return the result (``target`` is edited in place).

    ``builtin`` says whether the object is a built-in kind (lists merge by key) or a custom
    resource (lists are replaced)."""
    if isinstance(patch, yaml.MappingNode) and isinstance(target, yaml.MappingNode):
        directive = nodes.get(patch, "$patch")
        if directive is not None and directive.value == "replace":
            cleaned = nodes.mapping([(k, v) for k, v in patch.value if k.value != "$patch"], patch)
            return cleaned
        if directive is not None and directive.value == "delete":
            return DELETED
        for key, value in patch.value:
            name = key.value
            if name == "$patch":  # kustomize applies no other directive: $retainKeys, $setElementOrder/...
                continue  # and the like stay in the object as written (kubectl kustomize prints them)
            if nodes.is_null(value):
                nodes.remove(target, name)
                continue
            current = nodes.get(target, name)
            if current is None:
                gone = isinstance(value, yaml.MappingNode) and _directive(value) == "delete"
                if not gone:
                    nodes.put(target, name, value, key)
                continue
            merged = strategic_merge(current, value, name, builtin)
            if merged is DELETED:
                nodes.remove(target, name)  # a nested ``$patch: delete`` removes the whole map
            else:  # a map the patch emptied stays, as ``{}`` (kubectl kustomize)
                nodes.put(target, name, merged, key)
        return target
    if isinstance(patch, yaml.SequenceNode) and isinstance(target, yaml.SequenceNode) and builtin:
        return _merge_list(target, patch, _merge_key(field, target, patch))
    return patch


def _directive(node: yaml.MappingNode) -> str | None:
    directive = nodes.get(node, "$patch")
    return directive.value if isinstance(directive, yaml.ScalarNode) else None


def _merge_key(field: str, target: yaml.SequenceNode, patch: yaml.SequenceNode) -> str | None:
    key = MERGE_KEYS.get(field)
    if key == "containerPort" and not any(nodes.get(i, "containerPort") for i in target.value + patch.value):
        return "port"
    return key


def _merge_list(target: yaml.SequenceNode, patch: yaml.SequenceNode, key: str | None) -> yaml.Node:
    """Merge a list by its merge key, in kustomize's order: the patch's items first (merged into
    the item with the same key), then the target's items the patch did not name. An item
    ``$patch: replace`` replaces the list with the patch's other items."""
    replacing = [i for i in patch.value if isinstance(i, yaml.MappingNode) and _directive(i) == "replace"]
    if any(len(i.value) > 1 for i in replacing):  # kustomize drops such an item; nothing documents it
        raise Unmodelled("a list item with $patch: replace and other fields")
    if replacing:
        return yaml.SequenceNode(
            patch.tag, [i for i in patch.value if not (isinstance(i, yaml.MappingNode) and _directive(i) == "replace")],
            patch.start_mark, patch.end_mark, patch.flow_style,
        )  # fmt: skip
    if key is None or not all(isinstance(i, yaml.MappingNode) for i in target.value + patch.value):
        return patch
    if key in ("containerPort", "port"):
        return _merge_ports(target, patch, key)
    remaining = list(target.value)
    merged: list[yaml.Node] = []
    for item in patch.value:
        key_node = nodes.get(item, key)
        directive = nodes.get(item, "$patch")
        match = next(
            (i for i, t in enumerate(remaining) if key_node is not None and _same(nodes.get(t, key), key_node)),
            None,
        )
        existing = remaining.pop(match) if match is not None else None
        if directive is not None and directive.value == "delete":
            continue
        merged.append(item if existing is None else strategic_merge(existing, item))
    target.value = merged + remaining
    return target


class Unmodelled(PatchError):
    """A patch kustomize applies in a way the built-in renderer does not model (reported as
    kustomize-unsupported: blocking, kubectl renders it exactly)."""


def _merge_ports(target: yaml.SequenceNode, patch: yaml.SequenceNode, key: str) -> yaml.Node:
    """Ports merge on port and protocol together (kustomize's list-map keys): the patch's new
    ports first, then the target's in order, each merged with the patch's port of the same
    number and protocol. A patch port without a protocol is not modelled: kustomize drops or
    keeps it depending on defaults it applies internally."""
    if any(nodes.get(item, "protocol") is None and _directive(item) is None for item in patch.value):
        raise Unmodelled("a strategic-merge patch of ports without 'protocol'")

    def ident(item: yaml.Node) -> tuple:
        return tuple(
            n.value if isinstance(n, yaml.ScalarNode) else None
            for n in (nodes.get(item, key), nodes.get(item, "protocol"))
        )

    by_id = {ident(item): item for item in patch.value}
    known = {ident(item) for item in target.value}
    merged = [item for item in patch.value if ident(item) not in known and _directive(item) != "delete"]
    for item in target.value:
        change = by_id.get(ident(item))
        if change is None:
            merged.append(item)
        elif _directive(change) != "delete":
            merged.append(strategic_merge(item, change))
    target.value = merged
    return target


def _same(a: yaml.Node | None, b: yaml.Node) -> bool:
    return isinstance(a, yaml.ScalarNode) and isinstance(b, yaml.ScalarNode) and a.value == b.value


def _pointer(path: str) -> list[str]:
    if not path.startswith("/"):
        raise PatchError(f"JSON pointer {path!r} must start with '/'")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _child(node: yaml.Node, token: str) -> yaml.Node:
    if isinstance(node, yaml.MappingNode):
        found = nodes.get(node, token)
        if found is None:
            raise PatchError(f"no key {token!r}")
        return found
    if isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value):
        return node.value[int(token)]
    raise PatchError(f"no element {token!r}")


MAX_COPIED_NODES = 200_000  # what ``copy`` operations may add to one resource (a container is ~100)


def _size(node: yaml.Node, limit: int) -> int:
    """Nodes under ``node`` counted as values (shared nodes once per use), stopping past ``limit``."""
    count, stack = 0, [node]
    while stack and count <= limit:
        current = stack.pop()
        count += 1
        if isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            stack.extend(v for _, v in current.value)
    return count


def json6902(target: yaml.MappingNode, ops: yaml.SequenceNode) -> None:
    """Apply JSON patch operations (add, remove, replace, copy, move, test) in place.

    ``copy`` doubles what it copies, so a short patch could grow a resource exponentially: the
    nodes copies add to one resource are budgeted (MAX_COPIED_NODES) and a patch past it fails."""
    budget = MAX_COPIED_NODES
    for op_node in ops.value:
        op = nodes.get(op_node, "op")
        path = nodes.get(op_node, "path")
        if not isinstance(op, yaml.ScalarNode) or not isinstance(path, yaml.ScalarNode):
            raise PatchError("a JSON patch operation needs 'op' and 'path'")
        tokens = _pointer(path.value)
        parent = target
        for token in tokens[:-1]:
            parent = _child(parent, token)
        last = tokens[-1]
        kind = op.value
        if kind in ("copy", "move"):
            source = nodes.get(op_node, "from")
            if source is None:
                raise PatchError(f"'{kind}' needs 'from'")
            src_tokens = _pointer(source.value)
            holder = target
            for token in src_tokens[:-1]:
                holder = _child(holder, token)
            value = _child(holder, src_tokens[-1])
            if kind == "move":
                _remove(holder, src_tokens[-1])
            else:
                budget -= _size(value, budget)
                if budget < 0:
                    raise PatchError(f"copy operations grow the resource past {MAX_COPIED_NODES:,} nodes")
                value = nodes.copy(value)
            _add(parent, last, value, op_node)
            continue
        value = nodes.get(op_node, "value")
        value = as_yaml11(value) if value is not None else None
        if kind == "remove":
            _remove(parent, last)
        elif kind == "test":
            if value is None or to_data(_child(parent, last)) != to_data(value):
                raise PatchError(f"'test' at {path.value!r} failed; kustomize refuses the build")
        elif value is None:
            raise PatchError(f"'{kind}' needs 'value'")
        elif kind == "add":
            _add(parent, last, value, op_node)
        elif kind == "replace":
            if not isinstance(parent, yaml.MappingNode):  # kustomize replaces a missing key as it adds one
                _child(parent, last)
            _add(parent, last, value, op_node, replace=True)
        else:
            raise PatchError(f"unknown JSON patch op {kind!r}")


def _add(parent: yaml.Node, token: str, value: yaml.Node, like: yaml.Node, replace: bool = False) -> None:
    if isinstance(parent, yaml.MappingNode):
        nodes.put(parent, token, value, value if value.start_mark.name == like.start_mark.name else like)
    elif isinstance(parent, yaml.SequenceNode):
        if token == "-":
            parent.value.append(value)
        elif token.isdigit() and int(token) <= len(parent.value):
            if replace:
                parent.value[int(token)] = value
            else:
                parent.value.insert(int(token), value)
        else:
            raise PatchError(f"index {token!r} out of range")
    else:
        raise PatchError(f"cannot add {token!r} under a scalar")


def _remove(parent: yaml.Node, token: str) -> None:
    _child(parent, token)
    if isinstance(parent, yaml.MappingNode):
        nodes.remove(parent, token)
    else:
        del parent.value[int(token)]
