"""Strategic-merge and JSON 6902 patches applied to composed nodes (marks preserved)."""

from __future__ import annotations

import yaml

from torghut_lint import nodes
from torghut_lint.goyaml import atoi
from torghut_lint.kustomize import merge_schema, work
from torghut_lint.kustomize.merge_schema import Schema
from torghut_lint.parse import as_yaml11, to_data

DELETED = yaml.MappingNode("tag:yaml.org,2002:map", [])  # what a ``$patch: delete`` map merges to


class PatchError(Exception):
    """A patch that cannot be applied as written."""


def strategic_merge(target: yaml.Node, patch: yaml.Node, schema: Schema | None = None) -> yaml.Node:
    """Merge ``patch`` into ``target`` and return the result (``target`` is edited in place).

    ``schema`` is the target's schema (:mod:`merge_schema`): it says which lists merge on which
    keys; without one (a custom resource) every list is replaced, as kustomize does. What the
    patch puts where the target has nothing, or puts in place of what it has (``$patch:
    replace``), is :func:`settled` first, as kustomize merges it with itself."""
    if isinstance(patch, yaml.MappingNode) and isinstance(target, yaml.MappingNode):
        directive = strategy(patch)
        if directive == "replace":
            return settled(_without_directive(patch), schema)
        if directive == "delete":
            return DELETED
        if not target.value:  # an empty map takes the patch's style (kyaml's SetStyle): {} becomes a block
            target.flow_style = patch.flow_style
        # each key looked up among the target's, which grow by them
        work.charge(len(patch.value) * (1 + (len(target.value) + len(patch.value)) // work.PAIRS_PER_STEP))
        for key, value in patch.value:
            name = key.value
            if name == "$patch":  # kustomize applies no other directive: $retainKeys, $setElementOrder/...
                continue  # and the like stay in the object as written (kubectl kustomize prints them)
            if nodes.is_null(value):
                nodes.remove(target, name)
                continue
            current = nodes.get(target, name)
            merged = (
                _added(value, merge_schema.child(schema, name))
                if current is None
                else strategic_merge(current, value, merge_schema.child(schema, name))
            )
            if merged is DELETED:
                nodes.remove(target, name)  # a nested ``$patch: delete`` removes the whole map
            else:  # a map the patch emptied stays, as ``{}`` (kubectl kustomize)
                if type(current) is yaml.ScalarNode and type(merged) is yaml.ScalarNode and merged is not current:
                    merged = overwritten(current, merged)
                nodes.put(target, name, merged, key)
        return target
    if isinstance(patch, yaml.SequenceNode) and isinstance(target, yaml.SequenceNode):
        return _merge_list(target, patch, merge_schema.merge_keys(schema), merge_schema.items(schema))
    if type(patch) is not type(target) and not nodes.is_null(target):
        # kustomize's merge walks both as the target's kind and refuses the other ("wrong node kind")
        raise PatchError(f"it puts {_KIND_NAMES[type(patch)]} where the object has {_KIND_NAMES[type(target)]}")
    return settled(patch, schema)


_KIND_NAMES = {yaml.MappingNode: "a map", yaml.SequenceNode: "a list", yaml.ScalarNode: "a value"}


def without_empty_values(node: yaml.Node, schema: Schema | None = None) -> None:
    """An object as kustomize's strategic merge leaves the whole of it, patched or not: its walk
    clears every field written with no value at all (``workingDir:``, ``a: !!null``; ``a: null``
    and ``a: ~`` stay), in maps and in the items of lists that merge on keys (a container's, an
    env entry's), not in lists that are replaced whole (a custom resource's)."""
    todo = [(node, schema)]
    while todo:
        current, where = todo.pop()
        if isinstance(current, yaml.MappingNode):
            work.charge(1 + len(current.value))  # each map and its keys walked, for every object merged into
            if any(nodes.is_null(v) and not v.value for _, v in current.value):
                current.value = [(k, v) for k, v in current.value if not (nodes.is_null(v) and not v.value)]
            todo += [(v, merge_schema.child(where, k.value)) for k, v in current.value]
        elif isinstance(current, yaml.SequenceNode) and merge_schema.merge_keys(where):
            todo += [(item, merge_schema.items(where)) for item in current.value]


DIRECTIVES = frozenset({"replace", "delete", "merge"})


def overwritten(current: yaml.ScalarNode, merged: yaml.ScalarNode) -> yaml.ScalarNode:
    """``current`` made ``merged`` in place, as kustomize's field setter overwrites the node a
    field holds (kyaml's ``SetYNode``): a label value a transformer set at several places of an
    object is one node to kustomize (metadata, selector, pod template), and a patch of one of
    them changes them all."""
    current.tag, current.value, current.style = merged.tag, merged.value, merged.style
    current.start_mark, current.end_mark = merged.start_mark, merged.end_mark
    current.untagged = getattr(merged, "untagged", False)
    return current


def strategy(node: yaml.MappingNode) -> str | None:
    """A map's ``$patch`` directive, None without one. Any other value (``Replace``, ``null``, a
    list) makes kustomize refuse the build wherever the map meets one of the target's: an error."""
    directive = nodes.get(node, "$patch")
    if directive is None:
        return None
    if isinstance(directive, yaml.ScalarNode) and directive.value in DIRECTIVES:
        return directive.value
    text = directive.value if isinstance(directive, yaml.ScalarNode) else ""
    raise PatchError(f"unknown patch strategy {text!r}: kustomize refuses the build")


def _directive(node: yaml.MappingNode) -> str | None:
    directive = nodes.get(node, "$patch")
    return directive.value if isinstance(directive, yaml.ScalarNode) else None


def _without_directive(node: yaml.MappingNode) -> yaml.MappingNode:
    return nodes.mapping([(k, v) for k, v in node.value if k.value != "$patch"], node)


def _added(value: yaml.Node, schema: Schema | None) -> yaml.Node:
    """What a patch's ``value`` becomes where the target has no such field or list item: a map's
    own known directive is applied (``delete``: nothing is added; ``replace``, ``merge``: the key
    goes) and an unknown one is kept as written (kustomize ignores it there); what the map holds is
    :func:`settled`."""
    if not isinstance(value, yaml.MappingNode):
        return settled(value, schema)
    directive = _directive(value)
    if directive == "delete":
        return DELETED
    if directive in DIRECTIVES:
        value = _without_directive(value)
    return nodes.mapping(_settled_pairs(value, schema), value)


def settled(node: yaml.Node, schema: Schema | None = None) -> yaml.Node:
    """Patch content as kustomize leaves it where nothing of the target's meets it: merged with
    itself. A map's directive is applied (``delete``: the map goes), null fields are dropped, and
    so is every item of a keyed list that says ``$patch: delete``; lists that replace (no keys, a
    custom resource's) are taken as written, directives and all (kubectl kustomize prints them)."""
    if isinstance(node, yaml.MappingNode):
        directive = strategy(node)
        if directive == "delete":
            return DELETED
        return nodes.mapping(_settled_pairs(node, schema), node)
    if isinstance(node, yaml.SequenceNode):
        keys = merge_schema.merge_keys(schema)
        if not keys or not all(isinstance(i, yaml.MappingNode) for i in node.value):
            return node
        directive, items = _list_directive(node)
        if directive is not None:  # kustomize keeps the directive item and drops others, by rules of its walk
            raise Unmodelled(f"a list with $patch: {directive} where the target has no such list")
        return _settled_items(node, items, keys, merge_schema.items(schema))
    return node


def _list_directive(items: yaml.SequenceNode) -> tuple[str | None, list[yaml.Node]]:
    """A keyed list's own directive and its other items. kustomize reads it from the first item
    holding ``$patch``, and only when that item holds nothing else (``- $patch: replace``);
    otherwise the list merges. More than one such item is not modelled (kustomize then drops
    items by rules of its own walk)."""
    first = next((i for i in items.value if isinstance(i, yaml.MappingNode) and nodes.get(i, "$patch")), None)
    if first is None or len(first.value) > 1:
        directive, rest = None, items.value
    else:
        directive, rest = strategy(first), [i for i in items.value if i is not first]
    if any(isinstance(i, yaml.MappingNode) and len(i.value) == 1 and nodes.get(i, "$patch") for i in rest):
        raise Unmodelled("a list with more than one item that is only a $patch directive")
    return directive, rest


def _settled_items(
    like: yaml.SequenceNode, items: list[yaml.Node], keys: tuple[str, ...], item_schema: Schema | None
) -> yaml.SequenceNode:
    """A keyed list's ``items`` :func:`settled` (those that say ``$patch: delete`` go)."""
    if len(keys) == 1:
        _keyed(items, keys[0])
    elif any(not _has(item, k) for item in items for k in keys):
        raise Unmodelled(f"a list item keyed on {', '.join(keys)} without all of them")
    if any(_directive(i) == "replace" for i in items):
        raise Unmodelled("a list item with $patch: replace where nothing of the target's meets it")
    kept = (settled(i, item_schema) for i in items)
    return nodes.sequence([i for i in kept if i is not DELETED], like)


def _settled_pairs(node: yaml.MappingNode, schema: Schema | None) -> list[tuple[yaml.Node, yaml.Node]]:
    pairs = []
    for key, value in node.value:
        if key.value == "$patch" and _directive(node) in DIRECTIVES:
            continue
        if nodes.is_null(value):
            continue
        value = settled(value, merge_schema.child(schema, key.value))
        if value is not DELETED:
            pairs.append((key, value))
    return pairs


def _merge_list(
    target: yaml.SequenceNode, patch: yaml.SequenceNode, keys: tuple[str, ...] | None, item_schema: Schema | None
) -> yaml.Node:
    """Merge a list on its keys, in kustomize's order: the patch's items first (merged into the
    item with the same key), then the target's items the patch did not name; a list keyed on
    several fields keeps the target's order (see :func:`_merge_associative`). A keyed list's
    directive (:func:`_list_directive`) may delete or replace it instead; a list without keys is
    replaced by the patch's."""
    work.charge(len(patch.value) + len(target.value))
    if not target.value:  # as an empty map does (strategic_merge)
        target.flow_style = patch.flow_style
    if keys is None:
        return patch
    if keys == ():  # scalars merged as a set: the patch's first, then the target's it does not hold
        if not all(isinstance(i, yaml.ScalarNode) and not nodes.is_null(i) for i in target.value + patch.value):
            raise Unmodelled("a strategic-merge patch of a list of values holding a null, a map or a list")
        held = {i.value: i for i in reversed(target.value)}  # an item the object holds stays its own
        merged: dict[str, yaml.Node] = {}  # each value once: the patch's order, then the object's
        for item in patch.value:
            merged.setdefault(item.value, held.get(item.value, item))
        for item in target.value:
            merged.setdefault(item.value, item)
        target.value = list(merged.values())
        return target
    if not all(isinstance(i, yaml.MappingNode) for i in target.value + patch.value):
        # kustomize's keyed merge drops, keeps or refuses such items case by case (a word in the
        # object's list fails the build, one in the patch's is dropped with the object's items)
        raise Unmodelled(f"a strategic-merge patch of a list keyed on {', '.join(keys)} holding an item that is no map")
    directive, items = _list_directive(patch)
    if directive == "delete":
        return DELETED
    if directive == "replace":  # the patch's other items, as they stand on their own
        return _settled_items(patch, items, keys, item_schema)
    patch = nodes.sequence(items, patch)
    if len(keys) > 1:
        return _merge_associative(target, patch, keys, item_schema)
    (key,) = keys
    _keyed(target.value, key)
    _keyed(patch.value, key)
    # each item has its key once (_keyed), so the target's are found by their key's text
    by_key = {nodes.get(t, key).value: t for t in target.value}
    taken: set[int] = set()
    merged: list[yaml.Node] = []
    for item in patch.value:
        directive = _directive(item)
        existing = by_key.get(nodes.get(item, key).value)
        if existing is not None:
            taken.add(id(existing))
        if directive == "delete":
            continue
        if existing is None:
            if (added := _added(item, item_schema)) is not DELETED:
                merged.append(added)
        elif directive == "replace":  # kustomize leaves an item it is told to replace as it was
            merged.append(existing)
        else:
            merged.append(strategic_merge(existing, item, item_schema))
    target.value = merged + [t for t in target.value if id(t) not in taken]
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
    if any(not _has(item, k) for item in patch.value for k in keys):
        raise Unmodelled(f"a strategic-merge patch of a list keyed on {', '.join(keys)} without all of them")

    def ident(item: yaml.Node) -> tuple:
        return tuple(n.value if isinstance(n, yaml.ScalarNode) else None for n in (nodes.get(item, k) for k in keys))

    by_id = {ident(item): item for item in patch.value}
    known = {ident(item) for item in target.value}
    added = (_added(item, item_schema) for item in patch.value if ident(item) not in known)
    merged = [item for item in added if item is not DELETED]
    for item in target.value:
        change = by_id.get(ident(item))
        if change is None:
            merged.append(item)
        elif _directive(change) == "replace":  # left as it was, as :func:`_merge_list` says
            merged.append(item)
        elif _directive(change) != "delete":
            merged.append(strategic_merge(item, change, item_schema))
    target.value = merged
    return target


def _has(item: yaml.Node, key: str) -> bool:
    """Whether a list item holds ``key`` as kustomize reads a merge key: a scalar, not null."""
    found = nodes.get(item, key)
    return isinstance(found, yaml.ScalarNode) and not nodes.is_null(found)


def _keyed(items: list[yaml.Node], key: str) -> None:
    """Refuse (as not modelled) a list merged on ``key`` where an item lacks it, or two items share
    it: kustomize then drops, merges or keeps items by rules of its own walk."""
    seen: set[str] = set()
    for item in items:
        if not _has(item, key):
            raise Unmodelled(f"a list item merged on {key} without a {key}")
        found = nodes.get(item, key)
        if found.value in seen:
            raise Unmodelled(f"two items of a list merged on {key} with the same {key} {found.value!r}")
        seen.add(found.value)


def _parent(root: yaml.Node, tokens: list[str]) -> yaml.Node:
    """The node that holds what the pointer ``tokens`` name (PatchError where a step is missing)."""
    for token in tokens[:-1]:
        root = _child(root, token)
    return root


def pointer(path: str) -> list[str]:
    """The unescaped tokens of a JSON pointer (PatchError unless it starts with ``/``)."""
    if not path.startswith("/"):
        raise PatchError(f"JSON pointer {path!r} must start with '/'")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _child(node: yaml.Node, token: str) -> yaml.Node:
    found = _get(node, token)
    if found is None:
        raise PatchError(f"no key {token!r}")
    return found


def _get(node: yaml.Node, token: str) -> yaml.Node | None:
    """What ``token`` names in ``node``: None for a key a map lacks (kustomize's JSON patch library
    reads that as null where a value is read: ``copy`` and ``test``), PatchError for an index a
    list lacks or under a scalar."""
    if isinstance(node, yaml.MappingNode):
        return nodes.get(node, token)
    if isinstance(node, yaml.SequenceNode):
        return node.value[_index(token, len(node.value))]
    raise PatchError(f"no element {token!r}")


def _index(token: str, size: int, adding: bool = False) -> int:
    """A list index as kustomize's JSON patch library (evanphx/json-patch v4) reads it: a negative
    one counts from the end (-1 is the last item, or where a new last one goes when adding), in
    range or PatchError (``-`` is for ``add`` alone, which appends)."""
    bound = size + 1 if adding else size
    index = atoi(token)
    if index is None:
        raise PatchError(f"index {token!r} is not a number")
    if index < 0:
        index += bound
    if not 0 <= index < bound:
        raise PatchError(f"index {token!r} out of range")
    return index


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
        tokens = pointer(path.value)
        last = tokens[-1]
        kind = op.value
        work.charge(len(tokens))
        # a move takes its value out first and then looks for where it goes, as kustomize's JSON
        # patch library does: a destination through the moved value, or through an index of the
        # list it left, is found (or not) in the document without it
        parent = target if kind == "move" else _parent(target, tokens)
        if kind in ("copy", "move"):
            source = nodes.get(op_node, "from")
            if not isinstance(source, yaml.ScalarNode):
                raise PatchError(f"'{kind}' needs 'from', a JSON pointer")
            src_tokens = pointer(source.value)
            holder = _parent(target, src_tokens)
            if kind == "move":
                value = _child(holder, src_tokens[-1])
                _remove(holder, src_tokens[-1])
                parent = _parent(target, tokens)
            elif (value := _get(holder, src_tokens[-1])) is None:
                value = _null(op_node)  # a key the map lacks is copied as null
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
            _test(parent, last, value, path.value)
        elif kind not in ("add", "replace"):
            raise PatchError(f"unknown JSON patch op {kind!r}")
        elif value is None:  # the library writes an operation without a value as null
            value = _null(op_node)
        else:  # decoded anew for each object (kustomize's round trip through JSON): shared with none
            work.charge(_size(value, MAX_COPIED_NODES) // work.PAIRS_PER_STEP)
            value = nodes.copy(value)
        if kind == "add":
            _add(parent, last, value, op_node)
        elif kind == "replace":
            if not isinstance(parent, yaml.MappingNode):  # kustomize replaces a missing key as it adds one
                _child(parent, last)
            _add(parent, last, value, op_node, replace=True)


def _null(like: yaml.Node) -> yaml.ScalarNode:
    return nodes.scalar("null", like, plain=True)


def _test(parent: yaml.Node, token: str, value: yaml.Node | None, path: str) -> None:
    """A ``test`` as kustomize's JSON patch library runs it: a key the map lacks equals null (and
    without a value the library crashes: refused), otherwise the values compared."""
    found = _get(parent, token)
    if value is None or to_data(value) != (None if found is None else to_data(found)):
        raise PatchError(f"'test' at {path!r} failed; kustomize refuses the build")


def _add(parent: yaml.Node, token: str, value: yaml.Node, like: yaml.Node, replace: bool = False) -> None:
    work.charge(_scan(parent))
    if isinstance(parent, yaml.MappingNode):
        nodes.put(parent, token, value, value if value.start_mark.name == like.start_mark.name else like)
    elif isinstance(parent, yaml.SequenceNode):
        if token == "-" and not replace:
            parent.value.append(value)
        elif replace:
            parent.value[_index(token, len(parent.value))] = value
        else:
            parent.value.insert(_index(token, len(parent.value), adding=True), value)
    else:
        raise PatchError(f"cannot add {token!r} under a scalar")


def _scan(parent: yaml.Node) -> int:
    """Steps of work to find a key in ``parent`` or shift a list."""
    return 1 + (len(parent.value) // work.PAIRS_PER_STEP if isinstance(parent, yaml.CollectionNode) else 0)


def _remove(parent: yaml.Node, token: str) -> None:
    work.charge(_scan(parent))
    _child(parent, token)
    if isinstance(parent, yaml.MappingNode):
        nodes.remove(parent, token)
    else:
        del parent.value[_index(token, len(parent.value))]
