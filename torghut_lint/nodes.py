"""Small helpers to read and edit composed YAML nodes while keeping their source marks."""

from __future__ import annotations

import yaml

from torghut_lint.kustomize import work
from torghut_lint.parse import PLAIN, STR

MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"


def scalar(value: str, like: yaml.Node, plain: bool = False) -> yaml.ScalarNode:
    """A new string scalar carrying the marks of ``like`` (where the value came from)."""
    return yaml.ScalarNode(PLAIN if plain else STR, value, like.start_mark, like.end_mark)


def mapping(pairs: list[tuple[yaml.Node, yaml.Node]], like: yaml.Node) -> yaml.MappingNode:
    return yaml.MappingNode(MAP, pairs, like.start_mark, like.end_mark)


def sequence(items: list[yaml.Node], like: yaml.Node) -> yaml.SequenceNode:
    return yaml.SequenceNode(SEQ, items, like.start_mark, like.end_mark)


def get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """Value node of ``key`` in a mapping node (last one wins, as Kubernetes does). The keys are
    looked through: in a kustomize build, that is charged to its budget of work (:func:`scanned`)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    scanned(node)
    found = None
    for k, v in node.value:
        if k.value == key:
            found = v
    return found


def scanned(node: yaml.MappingNode | yaml.SequenceNode) -> None:
    """Count a pass over ``node``'s keys (or items) against the open kustomize build's budget of
    work (:mod:`~torghut_lint.kustomize.work`), one step per eight: a patch tried on every
    resource reads each one's kind, name and labels, and a resource written with thousands of
    keys must not make that pass free (a few short maps cost nothing: their steps are counted
    where they are asked for). Nothing is counted outside a build."""
    if len(node.value) >= work.PAIRS_PER_STEP:
        work.charge(len(node.value) // work.PAIRS_PER_STEP)


def put(node: yaml.MappingNode, key: str, value: yaml.Node, key_like: yaml.Node) -> None:
    """Set ``key`` to ``value`` in place. The key takes ``key_like``'s marks, so the entry is
    located where the value was written (a patch or kustomization), not where it was replaced."""
    entry = (scalar(key, key_like), value)
    scanned(node)
    for i, (k, _) in enumerate(node.value):
        if k.value == key:
            node.value[i] = entry
            return
    node.value.append(entry)


def set_text(
    node: yaml.MappingNode, key: str, value: str, source: yaml.Node, plain: bool = False, untagged: bool = False
) -> bool:
    """Set ``key`` to the scalar ``value`` written at ``source``; False (and untouched) when the
    entry already holds that text. ``untagged``: kustomize writes it without a tag (a name a prefix
    or suffix made, an image), which a later replacement's text is read against (a string here)."""
    current = get(node, key)
    if isinstance(current, yaml.ScalarNode) and current.value == value:
        return False
    written = scalar(value, source, plain)
    if untagged:
        written.untagged = True
    put(node, key, written, source)
    return True


def remove(node: yaml.MappingNode, key: str) -> None:
    node.value[:] = [(k, v) for k, v in node.value if k.value != key]


def ensure_map(node: yaml.MappingNode, key: str, like: yaml.Node) -> yaml.MappingNode:
    """The mapping under ``key``, created (with ``like``'s marks) when absent or null."""
    child = get(node, key)
    if isinstance(child, yaml.MappingNode):
        return child
    child = mapping([], like)
    put(node, key, child, like)
    return child


def copy(node: yaml.Node, memo: dict[int, yaml.Node] | None = None) -> yaml.Node:
    """Deep copy of a node graph (aliases stay shared), marks kept."""
    memo = {} if memo is None else memo
    done = memo.get(id(node))
    if done is not None:
        return done
    if isinstance(node, yaml.ScalarNode):
        out: yaml.Node = yaml.ScalarNode(node.tag, node.value, node.start_mark, node.end_mark, node.style)
        memo[id(node)] = out
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = yaml.SequenceNode(node.tag, [], node.start_mark, node.end_mark, node.flow_style)
        memo[id(node)] = seq
        seq.value = [copy(item, memo) for item in node.value]
        return seq
    mp = yaml.MappingNode(node.tag, [], node.start_mark, node.end_mark, node.flow_style)
    memo[id(node)] = mp
    mp.value = [(copy(k, memo), copy(v, memo)) for k, v in node.value]
    return mp


def text(node: yaml.Node | None) -> str:
    """A scalar node's text; "" for anything else (absent, a map, a list)."""
    return node.value if isinstance(node, yaml.ScalarNode) else ""


def is_null(node: yaml.Node | None) -> bool:
    return (
        isinstance(node, yaml.ScalarNode)
        and node.tag in (PLAIN, "tag:yaml.org,2002:null")
        and node.value in ("", "~", "null", "Null", "NULL")
    )
