"""Strategic-merge and JSON 6902 patches applied to composed nodes (marks preserved)."""

from __future__ import annotations

import yaml

from torghut_lint import nodes
from torghut_lint.kustomize import merge_schema
from torghut_lint.kustomize.merge_schema import Schema
from torghut_lint.parse import as_yaml11, to_data

DELETED = yaml.MappingNode("tag:yaml.org,2002:map", [])  # what a ``$patch: delete`` map merges to


class PatchError(Exception):
    """A patch that cannot be applied as written."""


def strategic_merge(target: yaml.Node, patch: yaml.Node, schema: Schema | None = None) -> yaml.Node:
    """Merge ``patch`` into ``target`` and return the result (``target`` is edited in place).

    ``schema`` is the target's schema (:mod:`merge_schema`): it says which lists merge on which
    keys; without one (a custom resource) every list is replaced, as kustomize does."""
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
            merged = strategic_merge(current, value, merge_schema.child(schema, name))
            if merged is DELETED:
                nodes.remove(target, name)  # a nested ``$patch: delete`` removes the whole map
            else:  # a map the patch emptied stays, as ``{}`` (kubectl kustomize)
                nodes.put(target, name, merged, key)
        return target
    if isinstance(patch, yaml.SequenceNode) and isinstance(target, yaml.SequenceNode):
        return _merge_list(target, patch, merge_schema.merge_keys(schema), merge_schema.items(schema))
    return patch


def _directive(node: yaml.MappingNode) -> str | None:
    directive = nodes.get(node, "$patch")
    return directive.value if isinstance(directive, yaml.ScalarNode) else None


def _merge_list(
    target: yaml.SequenceNode, patch: yaml.SequenceNode, keys: tuple[str, ...] | None, item_schema: Schema | None
) -> yaml.Node:
    """Merge a list on its keys, in kustomize's order: the patch's items first (merged into the
    item with the same key), then the target's items the patch did not name; a list keyed on
    several fields keeps the target's order (see :func:`_merge_associative`). An item
    ``$patch: replace`` replaces the list with the patch's other items; a list without keys is
    replaced by the patch's."""
    replacing = [i for i in patch.value if isinstance(i, yaml.MappingNode) and _directive(i) == "replace"]
    if keys is not None and any(len(i.value) > 1 for i in replacing):  # kustomize drops such an item
        raise Unmodelled("a list item with $patch: replace and other fields")
    if keys is not None and replacing:
        return yaml.SequenceNode(
            patch.tag, [i for i in patch.value if not (isinstance(i, yaml.MappingNode) and _directive(i) == "replace")],
            patch.start_mark, patch.end_mark, patch.flow_style,
        )  # fmt: skip
    if keys == ():  # scalars merged as a set: the patch's first, then the target's it does not hold
        if not all(isinstance(i, yaml.ScalarNode) for i in target.value + patch.value):
            return patch
        given = {i.value for i in patch.value}
        target.value = list(patch.value) + [i for i in target.value if i.value not in given]
        return target
    if keys is None or not all(isinstance(i, yaml.MappingNode) for i in target.value + patch.value):
        return patch
    if len(keys) > 1:
        return _merge_associative(target, patch, keys, item_schema)
    (key,) = keys
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
        merged.append(item if existing is None else strategic_merge(existing, item, item_schema))
    target.value = merged + remaining
    return target


class Unmodelled(PatchError):
    """A patch kustomize applies in a way the built-in renderer does not model (reported as
    kustomize-unsupported: blocking, kubectl renders it exactly)."""


def _merge_associative(
    target: yaml.SequenceNode, patch: yaml.SequenceNode, keys: tuple[str, ...], item_schema: Schema | None
) -> yaml.Node:
    """A list keyed on several fields together (ports on port and protocol, spread constraints
    on topologyKey and whenUnsatisfiable): the patch's new items first, then the target's in
    order, each merged with the patch's item of the same keys. A patch item without one of the
    keys is not modelled: kustomize drops or keeps it depending on defaults it applies internally
    (a port's protocol)."""
    if any(nodes.get(item, k) is None and _directive(item) is None for item in patch.value for k in keys):
        raise Unmodelled(f"a strategic-merge patch of a list keyed on {', '.join(keys)} without all of them")

    def ident(item: yaml.Node) -> tuple:
        return tuple(n.value if isinstance(n, yaml.ScalarNode) else None for n in (nodes.get(item, k) for k in keys))

    by_id = {ident(item): item for item in patch.value}
    known = {ident(item) for item in target.value}
    merged = [item for item in patch.value if ident(item) not in known and _directive(item) != "delete"]
    for item in target.value:
        change = by_id.get(ident(item))
        if change is None:
            merged.append(item)
        elif _directive(change) != "delete":
            merged.append(strategic_merge(item, change, item_schema))
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
    # kustomize patches an object whose metadata.annotations holds its own bookkeeping, so the map
    # is there even when the manifest has none (add /metadata/annotations/x works, remove
    # /metadata/annotations too); it goes again when left empty (finalize)
    meta = nodes.get(target, "metadata")
    if isinstance(meta, yaml.MappingNode):
        nodes.ensure_map(meta, "annotations", meta)
    for op_node in ops.value:
        op = nodes.get(op_node, "op")
        path = nodes.get(op_node, "path")
        if not isinstance(op, yaml.ScalarNode) or not isinstance(path, yaml.ScalarNode):
            raise PatchError("a JSON patch operation needs 'op' and 'path'")
        if op.value == "test" and path.value.rstrip("/") in ("/metadata", "/metadata/annotations"):
            raise Unmodelled("a JSON patch test of the whole annotations map (it holds kustomize's own then)")
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
