"""Plain data types shared by every stage: locations, resources, findings."""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import enum
import hashlib
import json
import linecache
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


class Severity(enum.IntEnum):
    """Finding severity; higher is worse."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file; line and column are 1-based (0 when unknown)."""

    file: str
    line: int = 0
    column: int = 0

    @classmethod
    def of(cls, node: yaml.Node) -> Location:
        mark = node.start_mark
        return cls(mark.name, mark.line + 1, mark.column + 1)

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file


@dataclass(frozen=True)
class ResourceId:
    """Identity of a Kubernetes object as Argo CD tracks it."""

    api_version: str
    kind: str
    namespace: str
    name: str

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0] if "/" in self.api_version else ""

    def as_json(self) -> dict[str, str]:
        return {
            "apiVersion": self.api_version,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
        }

    def __str__(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {ns}{self.name}"


@dataclass
class Resource:
    """One Kubernetes object: its composed node (with source marks) and its plain value."""

    node: yaml.MappingNode
    data: dict[str, Any]
    app: str = ""
    origin_name: str = ""  # metadata.name before kustomize prefixes, suffixes and hashes
    origin_namespace: str = ""  # metadata.namespace as written, before namespace transformers
    source_node: yaml.MappingNode | None = None  # where a `kubectl kustomize` rendering came from
    app_path: str = ""  # the application's directory, resolved (what ``within.applications`` globs match)
    hash_type: str = ""  # generated with a name hash still to append: "Opaque"... (its Secret type) or any text
    # kustomize's bookkeeping while a build transforms it: each (kind, name, namespace) it had before a
    # transformer renamed or moved it, oldest first ("default" for no namespace), and the name
    # prefixes and suffixes it took; name references are resolved with them (kustomize/namerefs.py)
    history: tuple[tuple[str, str, str], ...] = ()
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()

    @property
    def id(self) -> ResourceId:
        """Identity from the current data (cached until ``data`` is replaced)."""
        cached = self.__dict__.get("_id")
        if cached is not None and cached[0] is self.data:
            return cached[1]
        rid = self._identity()
        self.__dict__["_id"] = (self.data, rid)
        return rid

    def _identity(self) -> ResourceId:
        meta = self.data.get("metadata") or {}
        if not isinstance(meta, dict):
            meta = {}
        return ResourceId(
            str(self.data.get("apiVersion") or ""),
            str(self.data.get("kind") or ""),
            str(meta.get("namespace") or ""),
            str(meta.get("name") or ""),
        )

    @property
    def annotations(self) -> dict[str, Any]:
        meta = self.data.get("metadata")
        ann = meta.get("annotations") if isinstance(meta, dict) else None
        return ann if isinstance(ann, dict) else {}

    def locate(self, path: Path_) -> Location:
        """Location of the deepest node along ``path`` (the key for mapping entries)."""
        return Location.of(find_node(self.source_node or self.node, path))

    def locate_in_text(self, path: Path_, offset: int) -> Location:
        """Location of character ``offset`` of the string at ``path`` (block scalars line-exact)."""
        node = find_node(self.source_node or self.node, path, want_value=True)
        if not isinstance(node, yaml.ScalarNode):
            return self.locate(path)
        return line_in_scalar(node, offset)


class TextStart(yaml.Mark):
    """The start of a file whose whole text is one value (a kustomize generator's file source):
    its first line is the value's first, where a literal block scalar's follows its indicator's."""


def line_in_scalar(node: yaml.ScalarNode, offset: int) -> Location:
    """Where character ``offset`` of a scalar's value sits in the source file.

    Literal block scalars (``|``) keep lines one to one, and so does a file's whole text
    (:class:`TextStart`); for other styles the scalar's own line is the best honest answer."""
    mark = node.start_mark
    if node.style == "|":
        line = mark.line + (1 if isinstance(mark, TextStart) else 2) + _breaks_before(node, offset)
        line_start = node.value.rfind("\n", 0, offset) + 1
        column = offset - line_start
        line_end = node.value.find("\n", offset)
        value_line = node.value[line_start : line_end if line_end >= 0 else len(node.value)]
        linecache.checkcache(mark.name)  # a file of that name read before (another run in this process)
        source = linecache.getline(mark.name, line)
        block_indent = (len(source) - len(source.lstrip(" "))) - (len(value_line) - len(value_line.lstrip(" ")))
        return Location(mark.name, line, max(block_indent, 0) + column + 1)
    return Location(mark.name, mark.line + 1, mark.column + 1)


def _breaks_before(node: yaml.ScalarNode, offset: int) -> int:
    """Line breaks in a scalar's value before ``offset``: counted, or, while nodes stand still and
    the value is long, looked up in its list of them, made once (each finding in a ConfigMap's
    ``.env`` of 40,000 lines counted from the value's start: 5 s, minutes for a few MB)."""
    value = node.value
    if not _BREAKS or len(value) < INDEXED_TEXT:
        return value.count("\n", 0, offset)
    breaks = _BREAKS[-1].get(id(node))
    if breaks is None:
        breaks = _BREAKS[-1][id(node)] = [i for i, char in enumerate(value) if char == "\n"]
    return bisect.bisect_left(breaks, offset)


# While nodes stand still (policies are evaluated; nothing edits a node), each large mapping a
# finding is located in is indexed once: id(mapping) -> (its entries list, key text -> last entry);
# and each long scalar a finding is located in has its line breaks listed once: id(scalar) -> offsets.
_INDEXES: list[dict[int, tuple[list, dict[str, tuple[yaml.Node, yaml.Node]]]]] = []
_BREAKS: list[dict[int, list[int]]] = []
INDEXED_ENTRIES = 32  # a smaller mapping is looked through, as fast as indexing it
INDEXED_TEXT = 4096  # a shorter scalar's breaks are counted, as fast as listing them


@contextlib.contextmanager
def nodes_stand_still() -> Iterator[None]:
    """Within it, :func:`find_node` indexes each large mapping it looks in, once, and
    :func:`line_in_scalar` lists each long block scalar's line breaks once: locating every finding
    of a map of n keys (a text of n lines) costs n, not n per finding (40,000 credentials in one
    Helm values file took minutes). Only where no node is edited: an index is not told of a change."""
    _INDEXES.append({})
    _BREAKS.append({})
    try:
        yield
    finally:
        _INDEXES.pop()
        _BREAKS.pop()


def _entry(node: yaml.MappingNode, step: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The last entry of ``node`` whose key is ``step`` (as Kubernetes reads a repeated key)."""
    if _INDEXES and len(node.value) >= INDEXED_ENTRIES:
        indexes = _INDEXES[-1]
        cached = indexes.get(id(node))
        if cached is None or cached[0] is not node.value:  # (an id reused by another node: its own list)
            index = {key.value: (key, value) for key, value in node.value if isinstance(key, yaml.ScalarNode)}
            cached = indexes[id(node)] = (node.value, index)
        return cached[1].get(step)
    for key, value in reversed(node.value):
        if key.value == step:
            return key, value
    return None


def find_node(root: yaml.Node, path: Path_, want_value: bool = False) -> yaml.Node:
    """Walk ``path`` from ``root``; returns the key node of the last mapping entry found
    (its value node with ``want_value``), or the deepest ancestor that exists."""
    node: yaml.Node = root
    found: yaml.Node = root
    for step in path:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            entry = _entry(node, step)
            if entry is None:
                return found
            found, node = (entry[1] if want_value else entry[0]), entry[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if 0 <= step < len(node.value):
                node = found = node.value[step]
            else:
                return found
        elif isinstance(node, yaml.ScalarNode) and isinstance(step, int):
            return node  # a line inside a block scalar is resolved by the caller
        else:
            return found
    return found


@dataclass
class Finding:
    """One policy violation."""

    rule: str
    severity: Severity
    message: str
    location: Location
    resource: ResourceId | None = None
    field: str = ""
    waived: bool = False
    waiver_reason: str = ""
    secrets: tuple[str, ...] = dataclasses.field(default=(), repr=False)
    fixable: bool = False
    key: str = ""  # the field as identity: list items by merge key (``env[name=X]``), plus the requirement
    digest: str = ""  # digest of the offending value (never the value): a worse value is a new finding
    subject: str = ""  # what the finding is about when not ``resource`` alone: ``app:PATH``, ``kind:API/KIND``
    app: str = ""  # the application it was found in (display path), for --changed-since causes
    # what its digest reads besides its own file (resolved files and directories: a chart, the
    # directory an Application renders, a values file): a change below one is a cause of it
    # (--changed-since), as it is a new finding (never in the JSON output)
    reads: tuple[str, ...] = ()

    def sort_key(self) -> tuple:
        return (self.location.file, self.location.line, self.location.column, self.rule)


@dataclass(frozen=True)
class Fact:
    """A value a policy reports whether or not it passes: each live-trading switch as set, each
    volume against its budget. The job summary lists them so a reviewer sees the state, not only
    the violations."""

    rule: str
    table: str  # what the value is, e.g. "Live-trading switches", "Storage per volume"
    resource: ResourceId | None
    location: Location
    item: str  # the thing measured, e.g. "TRADING_LIVE_ENABLED in container app"
    value: str
    limit: str  # what the policy allows
    ok: bool


def dotted(path: Path_) -> str:
    """Render a node path the way kubectl explain does: ``spec.containers[0].env``."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += ("." if out else "") + step
    return out


# Fields that identify an item of a Kubernetes list, as strategic merge patches do (patchMergeKey),
# in the order they are tried: a container by name, a port by number, a mount by path.
MERGE_KEYS = ("name", "mountPath", "devicePath", "containerPort", "port", "ip", "key", "topologyKey", "type")


def keyed(data: Any, path: Path_) -> str:
    """``path`` as a stable identity: list items are named by their merge key
    (``spec.template.spec.containers[name=app].env[name=LIVE]``), so inserting an item before
    them does not change it; items without one keep their index."""
    out = ""
    node = data
    for step in path:
        if isinstance(step, int):
            item = node[step] if isinstance(node, list) and -len(node) <= step < len(node) else None
            label = str(step)
            if isinstance(item, dict):
                for key in MERGE_KEYS:
                    value = item.get(key)
                    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
                        label = f"{key}={value}"
                        break
            out += f"[{label}]"
            node = item
        else:
            out += ("." if out else "") + str(step)
            node = node.get(step) if isinstance(node, dict) else None
    return out


UNSET: Any = object()


def value_at(data: Any, path: Path_) -> Any:
    """The value at ``path`` in ``data``, or UNSET where the path leaves it."""
    node = data
    for step in path:
        if isinstance(step, int) and isinstance(node, list) and -len(node) <= step < len(node):
            node = node[step]
        elif isinstance(step, str) and isinstance(node, dict) and step in node:
            node = node[step]
        else:
            return UNSET
    return node


# Owner values that name nobody (compared in any case): an owner nobody can ask is no owner.
PLACEHOLDER_OWNERS = ("tbd", "todo", "tba", "none", "n/a", "na", "unknown", "nobody", "owner", "changeme", "fixme")


def names_someone(owner: object, placeholders: Iterable[str] = PLACEHOLDER_OWNERS) -> bool:
    """Whether an owner's value names someone: a letter in it (``-``, ``[]`` and ``?`` name
    nobody), and not a placeholder."""
    if not isinstance(owner, str):
        return False
    text = owner.strip()
    return any(c.isalpha() for c in text) and text.lower() not in {p.strip().lower() for p in placeholders}


def digest_of(value: Any, structural: bool = False) -> str:
    """A short digest of a scalar value (empty for absence, and for structures unless
    ``structural``: a finding about a container must not change identity when an unrelated field
    of it does; a kustomization entry is identified by all of it)."""
    if value is UNSET or (isinstance(value, (dict, list)) and not structural):
        return ""
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
