"""YAML -> composed nodes (with file:line:col marks) -> plain values.

libyaml (``CSafeLoader``) composes the node graph; values are then built here the way kustomize's
YAML library (go-yaml v3) reads them and JSON then writes them (:mod:`torghut_lint.goyaml`):
``yes`` or ``on`` stay strings, ``0444`` is 292 (YAML 1.1 octal), ``1_000`` is 1000,
``2026-01-01`` is ``"2026-01-01T00:00:00Z"``, ``!!binary`` is decoded; what JSON cannot hold
(``.inf``, a key that reads as a number) is noted on the document, for the build to refuse.
"""

from __future__ import annotations

import errno
import io
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from torghut_lint.builtin_rules import builtin_finding
from torghut_lint.goyaml import (
    BOOLS_1_1,
    FOLDED_KEY,
    FOLDED_SEPARATOR,
    GO_SPACE,
    INT64,
    MISMATCH,
    WORDS,
    Unencodable,
    Unreadable,
    go_float_text,
    is_string,
    json_problem,
    printed,
    resolve_plain,
    resolve_tagged,
    through_json,
    timestamp,
)
from torghut_lint.goyaml import MAYBE_NOT_STRING as _MAYBE_NOT_STRING
from torghut_lint.margins import Comments, may_hold_a_token, properties
from torghut_lint.model import Finding, Location

PLAIN = "!torghut-lint/plain"
STR = "tag:yaml.org,2002:str"
BINARY = "tag:yaml.org,2002:binary"
MERGE_KEY = "<<"

# Bounds on hostile input (documented in the README).
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DOCUMENT_NODES = 2_000_000
MAX_DEPTH = 200
# Memory follows nodes, not bytes (a composed node with its marks costs ~300 bytes; ``- a`` is 4
# bytes of YAML): a file may hold NODE_ALLOWANCE nodes plus one per BYTES_PER_NODE bytes, counted
# with aliases expanded and summed over its documents. Real manifests use one node per 17-30 bytes.
NODE_ALLOWANCE = 200_000
BYTES_PER_NODE = 24
SHARED_TEXT = 64  # scalars up to this long are kept once per file however often they repeat
MAX_REPEATS_LISTED = 100  # repeated keys reported one by one per file; the rest in one finding
CORE = "tag:yaml.org,2002:"  # the prefix of YAML's core tags
_NUMBER_START = frozenset("0123456789+-.")  # a key starting so may read as a number or timestamp


def node_budget(size: int) -> int:
    """How many nodes (aliases expanded) a file of ``size`` bytes may hold."""
    return min(MAX_DOCUMENT_NODES, NODE_ALLOWANCE + size // BYTES_PER_NODE)


class _Loader(yaml.CSafeLoader):
    """libyaml composer that leaves plain scalars unresolved (:func:`to_data` resolves them).

    The composer calls ``descend_resolver(parent, index)`` and ``ascend_resolver()`` around every
    node for path-based resolvers, which nothing here registers: built-ins that take the same
    arguments and do nothing stand in for the two Python methods (millions of calls on a large tree)."""

    descend_resolver = {}.get
    ascend_resolver = int

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:  # noqa: D102
        if kind is yaml.ScalarNode:
            return PLAIN if implicit[0] else STR
        if kind is yaml.SequenceNode:
            return "tag:yaml.org,2002:seq"
        return "tag:yaml.org,2002:map"


class _NamedBytes(io.BytesIO):
    """A byte stream whose ``name`` libyaml copies into every mark."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


class TooComplex(Exception):
    """A document exceeds the node or depth budget (alias bombs, pathological nesting)."""


class Refused(Exception):
    """YAML go-yaml's readers refuse, kustomize's and kubectl's (Argo CD's) alike, though libyaml
    composes it: the file cannot be read (``yaml-syntax`` at ``node``)."""

    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node


class ComplexKey(Refused):
    """A mapping key that is itself a mapping or a list (valid YAML, never valid Kubernetes)."""

    def __init__(self, node: yaml.Node) -> None:
        super().__init__(node, "a mapping key is a list or mapping; Kubernetes keys are strings")


def scalar_value(node: yaml.ScalarNode) -> Any:
    """Plain value of one scalar node, honouring explicit core tags; ``!!binary`` is decoded as
    kustomize decodes it (``TRADING_MODE: !!binary bGl2ZQ==`` deploys ``live``)."""
    tag = node.tag
    if tag == PLAIN:
        return resolve_plain(node.value)
    if tag == BINARY:
        decoded = base64_text(node.value, errors="replace")
        return node.value if decoded is None else decoded
    if tag == STR or not tag.startswith("tag:yaml.org,2002:"):
        return node.value
    value = resolve_tagged(node.value, tag.rsplit(":", 1)[1])
    return node.value if value is MISMATCH else value


def base64_text(text: str, errors: str = "strict") -> str | None:
    """The UTF-8 text base64 ``text`` encodes (whitespace ignored, undecodable bytes as ``errors``
    says; strictly, the text :func:`text_of` reads in the bytes), or None when it is not base64
    (or, strictly, binary). A ``!!binary`` scalar deploys its bytes (replaced where not UTF-8); a
    ConfigMap's ``binaryData`` is scanned as the text it holds."""
    import base64
    import binascii

    try:
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return text_of(data) if errors == "strict" else data.decode("utf-8", errors=errors)


_BOMS = (  # longest first: UTF-32's little-endian mark begins with UTF-16's
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def text_of(data: bytes) -> str | None:
    """The text ``data`` holds as a reader takes it, or None when it is binary: UTF-8; UTF-16 or
    UTF-32 by a byte-order mark (dropped), UTF-16 without one (a NUL in every other byte: what a
    Windows editor saves); bytes with no NUL that are not UTF-8 read one byte a character
    (ISO-8859-1, a Java .properties file's own encoding: nothing lost). A NUL elsewhere is binary
    (a DER key), as git takes it."""
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            return data[len(mark) :].decode(encoding, errors="replace")
    if b"\0" not in data:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("latin-1")
    half = len(data) // 2
    if len(data) % 2 == 0 and half:
        for encoding, nuls in (("utf-16-le", data[1::2]), ("utf-16-be", data[0::2])):
            if nuls.count(0) * 10 >= half * 9:  # (a character past U+00FF now and then)
                return data.decode(encoding, errors="replace")
    return None


DuplicateHandler = Callable[[yaml.Node, yaml.Node], None]


def to_data(
    node: yaml.Node,
    on_duplicate: DuplicateHandler | None = None,
    budget: int = MAX_DOCUMENT_NODES,
    remaining: list[int] | None = None,
    strings: dict[str, str] | None = None,
    merges: list[bool] | None = None,
    not_json: list[tuple[yaml.ScalarNode, bool]] | None = None,
    keys: dict[str, str] | None = None,
    printing: list[tuple[yaml.Node, str, str]] | None = None,
    odd_merges: list[tuple[yaml.ScalarNode, bool]] | None = None,
) -> Any:
    """Build plain Python values from a composed node, bounded in size and depth.

    ``on_duplicate(first_key, repeated_key)`` is called for every repeated mapping key.
    Raises :class:`TooComplex` when the expansion exceeds ``budget`` nodes or MAX_DEPTH;
    ``remaining`` (a one-item list) shares one budget between several calls (a file's documents),
    ``strings`` the texts they have in common; ``merges[0]`` is set when a ``<<`` merge key is seen;
    ``not_json`` collects the plain scalars JSON cannot hold (see :attr:`Document.not_json`);
    ``keys`` is ``strings`` for mapping keys. With ``printing`` (a list: a kustomize build's object,
    once built), each scalar first takes the text kustomize writes out: a block scalar's as go-yaml
    prints and reads it back (:func:`~torghut_lint.goyaml.printed`, outside flow collections; one
    that changes is no block scalar from then on; ``kustomize.printing.as_printed`` is that walk alone),
    then every string's, keys' too, as JSON read back as YAML (:func:`~torghut_lint.goyaml.through_json`);
    ``printing`` collects the scalars kustomize cannot write out or whose printing is not modelled,
    with that rule and why. ``odd_merges`` collects each key ``<<`` kustomize's reader does not take
    as go-yaml does (see ``kustomize.printing.as_kustomize_reads``), with whether it is a merge key
    repeated in its mapping (else it is no merge key: quoted, tagged, or written by kustomize).
    Raises :class:`Refused` for a merge key whose value is no map or list of maps.
    """
    remaining = [budget] if remaining is None else remaining
    strings: dict[str, str] = {} if strings is None else strings
    # key texts read as strings, each kept once (a suspect one is never kept), shared like ``strings``
    keys: dict[str, str] = {} if keys is None else keys
    scalar, sequence = yaml.ScalarNode, yaml.SequenceNode

    # Less memory per node, nothing anyone reads lost: one mark where libyaml made two (nothing
    # reads where a node ends; libyaml's mark keeps its numbers unboxed), and one string object for
    # each short text the file repeats (keys above all: ``name``, ``value``, ``image``). Written
    # inline, scalars (most nodes) without a call of their own: this runs for every node of every
    # file. A collection counts its children against the budget as it meets them.
    in_flow = [False]  # (printing) inside a flow collection, where go-yaml writes no block scalar

    def leaf(current: yaml.ScalarNode) -> Any:
        current.end_mark = current.start_mark
        text = current.value
        if len(text) <= SHARED_TEXT:
            current.value = text = strings.setdefault(text, text)
        if printing is not None:
            if (current.style == ">" or current.style == "|") and not in_flow[0]:
                if (odd := print_block(current)) is not None:
                    printing.append(odd)
            if not current.value.isascii() or "\x7f" in current.value:
                print_json(current, False)
            text = current.value
        if current.tag != PLAIN:
            if current.tag != STR and current.tag.startswith(CORE) and not_json is not None:
                if json_problem(text, False, tag=current.tag) is not None:  # kustomize refuses it
                    not_json.append((current, False))
            return scalar_value(current)
        if text and text[0] not in _MAYBE_NOT_STRING:
            return text
        value = resolve_plain(text)
        if type(value) is Unencodable and not_json is not None:
            not_json.append((current, False))
        return value

    def build(current: yaml.Node, depth: int) -> Any:
        if type(current) is scalar:
            return leaf(current)
        if depth > MAX_DEPTH:
            raise TooComplex(f"nested deeper than {MAX_DEPTH} levels")
        if printing is not None and current.flow_style and not in_flow[0]:
            in_flow[0] = True
            try:
                return build(current, depth)
            finally:
                in_flow[0] = False
        current.end_mark = current.start_mark
        children = current.value
        remaining[0] -= len(children)
        if remaining[0] < 0:
            raise TooComplex(f"more than {budget:,} nodes once aliases are expanded")
        if type(current) is sequence:
            return [leaf(item) if type(item) is scalar else build(item, depth + 1) for item in children]
        out: dict[str, Any] = {}
        merged: dict[str, Any] | None = None  # made for the rare mapping with a ``<<`` key
        repeats: list[yaml.ScalarNode] | None = None  # made for the rare mapping that repeats a key
        for key, value in children:
            if type(key) is not scalar:
                raise ComplexKey(key)
            key.end_mark = key.start_mark
            name = key.value
            if key.tag != PLAIN and key.tag != STR and not_json is not None:  # a tagged key: see json_problem
                not_json.append((key, True))
            shared = keys.get(name)
            if shared is not None:
                key.value = name = shared
            elif name[:1] in _NUMBER_START or name in WORDS:  # may not read as a string: never kept
                if key.tag == PLAIN and not_json is not None and not is_string(name):
                    not_json.append((key, True))
            elif "\n" in name:  # never kept: a folded one changes as kustomize prints it (not modelled)
                if printing is not None and key.style == ">" and not in_flow[0]:
                    printing.append((key, "kustomize-unsupported", FOLDED_KEY))
            elif printing is not None and (not name.isascii() or "\x7f" in name):
                print_json(key, True)  # (not kept: a key kustomize may not write out as it reads)
            elif len(name) <= SHARED_TEXT:
                keys[name] = name
            if name == MERGE_KEY and key.tag != PLAIN:  # no merge key (quoted or tagged)
                if odd_merges is not None:
                    odd_merges.append((key, False))
            elif name == MERGE_KEY:
                if merges is not None:
                    merges[0] = True
                if merged is not None and odd_merges is not None:  # a second merge key in this map
                    odd_merges.append((key, True))
                sources = value.value if type(value) is sequence else [value]
                remaining[0] -= len(sources) - 1
                merged = {} if merged is None else merged
                for source in sources:
                    part = build(source, depth + 1)
                    if not isinstance(part, dict):
                        raise Refused(key, "a merge key's value must be a map or a list of maps; go-yaml refuses it")
                    for k, v in part.items():
                        merged.setdefault(k, v)
                continue
            if name in out and on_duplicate is not None:  # a repeat: reported once the mapping is read
                if repeats is None:
                    repeats = []
                repeats.append(key)
            out[name] = leaf(value) if type(value) is scalar else build(value, depth + 1)
        if repeats is not None:
            _report_repeats(children, repeats, on_duplicate)
        if merged:
            for k, v in merged.items():
                out.setdefault(k, v)
        return out

    def print_json(current: yaml.ScalarNode, key: bool) -> None:
        try:
            current.value = through_json(current.value, key)
        except Unreadable as exc:
            printing.append((current, "kustomize-invalid", str(exc)))

    remaining[0] -= 1  # the document's own node
    if remaining[0] < 0:
        raise TooComplex(f"more than {budget:,} nodes once aliases are expanded")
    try:
        return build(node, 0)
    finally:
        # ``build`` refers to itself through its closure: a cycle that would keep the caller's
        # ``on_duplicate`` (and the whole parsed file) alive until a garbage collection, which
        # the command never runs. Emptying the cell breaks it.
        build = print_json = None  # noqa: F841


def print_block(node: yaml.ScalarNode) -> tuple[yaml.Node, str, str] | None:
    """A block scalar given the text kustomize prints and reads back
    (:func:`~torghut_lint.goyaml.printed`); one that changes is no block scalar from then on (printed
    once; its lines are no longer the file's: ``model.line_in_scalar``). Where kustomize cannot read
    it back, or its printing is not modelled: (the node, that rule, why), its text left as written."""
    try:
        text = printed(node.value, node.style)
    except Unreadable as exc:
        return node, "kustomize-invalid", str(exc)
    if text is None:
        return node, "kustomize-unsupported", FOLDED_SEPARATOR
    if text != node.value:
        node.value, node.style = text, None
    return None


def json_problems(documents: list[Document], v2: bool = False) -> Iterator[tuple[yaml.ScalarNode, str]]:
    """The plain scalars of ``documents`` that JSON cannot hold as go-yaml v3 reads them (kustomize's
    reading of a manifest) or, with ``v2``, as sigs.k8s.io/yaml does (Argo CD's reading of a
    directory application, kustomize's of a JSON patch), each with why."""
    return scalar_json_problems((pair for doc in documents for pair in doc.not_json), v2)


def scalar_json_problems(
    not_json: Iterable[tuple[yaml.ScalarNode, bool]], v2: bool = False
) -> Iterator[tuple[yaml.ScalarNode, str]]:
    """:func:`json_problems` of scalars :func:`to_data` collected (``not_json``: each with whether
    it is a key)."""
    seen: set[int] = set()  # an alias visits its node again
    for node, key in not_json:
        if id(node) in seen:
            continue
        seen.add(id(node))
        tag = "" if node.tag == PLAIN else node.tag
        if (problem := json_problem(node.value, key, v2, tag)) is not None:
            yield node, problem


def json_findings(
    problems: Iterable[tuple[yaml.ScalarNode, str]], rule: str, refused: str = "kustomize refuses the build"
) -> list[Finding]:
    """A ``rule`` finding at each scalar of ``problems`` (:func:`json_problems`), saying what is
    ``refused`` and why."""
    return [builtin_finding(rule, f"{refused}: {why}", Location.of(node)) for node, why in problems]


def _report_repeats(pairs: list[tuple[yaml.Node, yaml.Node]], repeats: list[yaml.Node], on_duplicate) -> None:
    """``on_duplicate(original, repeat)`` for each of ``repeats`` (keys of a mapping's ``pairs``
    that repeat an earlier one), the original being the last key before it with its text. One walk
    over the pairs for all of them: a mapping that repeats one key a hundred thousand times must
    not be walked once per repeat."""
    wanted = set(map(id, repeats))
    last: dict[str, yaml.Node] = {}
    for key, _ in pairs:
        if key.value == MERGE_KEY and key.tag == PLAIN:
            continue
        if id(key) in wanted:
            on_duplicate(last[key.value], key)
        last[key.value] = key


def _key_yaml11(key: yaml.Node) -> yaml.Node:
    """A key as sigs.k8s.io/yaml writes it into JSON, plain or tagged: a number or boolean as its
    text (``on`` is ``"true"``, ``0x1F`` is ``"31"``, ``!!bool yes`` is ``"true"``), a timestamp as
    written, ``!!binary`` the text it decodes to; a null, uint64 or undecodable key, which it
    refuses, is left for :func:`json_problems` to report."""
    if not isinstance(key, yaml.ScalarNode) or key.tag == STR:
        return key
    text, tag = key.value, key.tag
    if tag == PLAIN:
        if text[:1] not in _KEY_SUSPECT:
            return key
        value = BOOLS_1_1.get(text, resolve_plain(text))
        if isinstance(value, str):  # a string, or a timestamp: as written
            return key
    elif tag == BINARY:
        value = base64_text(text, errors="replace")
    elif tag.startswith(CORE):
        value = resolve_tagged(text, tag.rsplit(":", 1)[1], v2=True)
        value = text if isinstance(value, str) else value  # a timestamp: as written
    else:
        return key  # another tag: its text
    if value is None or value is MISMATCH or (type(value) is int and value >= INT64):
        return key
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, float):
        value = go_float_text(value)
    return yaml.ScalarNode(STR, str(value), key.start_mark, key.end_mark)


_KEY_SUSPECT = frozenset("0123456789+-.~tTfFnNyYoO")  # a plain key starting otherwise reads as its text


# kustomize reads kustomization files and JSON patches through sigs.k8s.io/yaml (go-yaml v2): YAML
# 1.1's booleans (`on`, `y`, `Off`), which a manifest (go-yaml v3) keeps as strings, and timestamps
# kept as written (v2 hands one to JSON as its text); numbers as v3 reads them.
BOOL = "tag:yaml.org,2002:bool"
TIMESTAMP = "tag:yaml.org,2002:timestamp"


def as_yaml11(node: yaml.Node) -> yaml.Node:
    """A value as go-yaml v2 reads it where that differs from v3 (tagged, so the values and the
    rendered stream say what kustomize deploys)."""
    if isinstance(node, yaml.SequenceNode):
        return yaml.SequenceNode(
            node.tag, [as_yaml11(v) for v in node.value], node.start_mark, node.end_mark, node.flow_style
        )
    if isinstance(node, yaml.MappingNode):
        pairs = [(_key_yaml11(k), as_yaml11(v)) for k, v in node.value]
        return yaml.MappingNode(node.tag, pairs, node.start_mark, node.end_mark, node.flow_style)
    if isinstance(node, yaml.ScalarNode) and node.tag == BOOL and node.value in BOOLS_1_1:  # ``!!bool yes``
        return yaml.ScalarNode(BOOL, "true" if BOOLS_1_1[node.value] else "false", node.start_mark, node.end_mark)
    if isinstance(node, yaml.ScalarNode) and node.tag == TIMESTAMP and timestamp(node.value) is not None:
        return yaml.ScalarNode(STR, node.value, node.start_mark, node.end_mark)  # kept as written
    if not isinstance(node, yaml.ScalarNode) or node.tag != PLAIN:
        return node
    text = node.value
    if text in BOOLS_1_1:
        return yaml.ScalarNode(BOOL, "true" if BOOLS_1_1[text] else "false", node.start_mark, node.end_mark)
    if text[:1].isdigit() and timestamp(text) is not None:
        return yaml.ScalarNode(STR, text, node.start_mark, node.end_mark)
    return node


def mappings(node: yaml.Node) -> Iterator[yaml.MappingNode]:
    """Every mapping in a node graph, each once (aliases are shared nodes)."""
    stack = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            yield current
            stack.extend(v for _, v in current.value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def resolve_merges(node: yaml.Node, depth: int = 0) -> yaml.Node:
    """The node graph with every ``<<`` merge key applied at node level (explicit keys win, then
    the merged mappings in order), so the renderer, patches and locations see the same keys as
    the values do, and every node an alias repeats copied, values too (kustomize de-anchors what it
    reads: a patch or transformer that writes into one place must not reach the other). Called
    only on documents :func:`to_data` accepted, so it is within the same node and depth budget."""
    if isinstance(node, yaml.SequenceNode):
        items = [resolve_merges(item, depth + 1) for item in node.value]
        return yaml.SequenceNode(node.tag, items, node.start_mark, node.end_mark, node.flow_style)
    if not isinstance(node, yaml.MappingNode):
        return yaml.ScalarNode(node.tag, node.value, node.start_mark, node.end_mark, node.style)
    pairs: list[tuple[yaml.Node, yaml.Node]] = []
    merged: list[tuple[yaml.Node, yaml.Node]] = []
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == MERGE_KEY and key.tag == PLAIN:
            sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for source in sources:
                resolved = resolve_merges(source, depth + 1)
                if isinstance(resolved, yaml.MappingNode):
                    merged.extend(resolved.value)
            continue
        pairs.append((key, resolve_merges(value, depth + 1)))
    names = {k.value for k, _ in pairs if isinstance(k, yaml.ScalarNode)}
    for key, value in merged:
        if isinstance(key, yaml.ScalarNode) and key.value not in names:
            names.add(key.value)
            pairs.append((key, value))
    return yaml.MappingNode(node.tag, pairs, node.start_mark, node.end_mark, node.flow_style)


@dataclass
class Document:
    """One YAML document of a file."""

    node: yaml.Node
    data: Any
    index: int
    # plain scalars JSON cannot hold (a key that does not read as a string, ``.inf``, ``.nan``, a
    # zone 24 hours from UTC): kustomize refuses the build, Argo CD a directory application
    not_json: list[tuple[yaml.ScalarNode, bool]] | tuple = ()  # (scalar, whether it is a key)
    # keys ``<<`` kustomize's reader takes otherwise than go-yaml: (key, a merge key repeated in its
    # mapping, else no merge key: quoted or tagged) (see ``kustomize.printing.as_kustomize_reads``)
    odd_merges: list[tuple[yaml.ScalarNode, bool]] | tuple = ()


@dataclass
class ParsedFile:
    """A file's documents and the problems found while reading it."""

    path: str
    documents: list[Document] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # how Go's readers would split it: (line, why, on the text's first line) (:func:`split_problems`)
    splits: list[tuple[int, str, bool]] = field(default_factory=list)
    # its margins (:mod:`torghut_lint.margins`), read from a file of the tree: comments, and anchors
    # and tags, each in place ("" for none)
    comments: str = ""
    properties: str = ""

    def report(self) -> ParsedFile:
        """What the parse tells of the file but its documents (what crosses processes, and is
        reported once per file: its findings and margins)."""
        return ParsedFile(self.path, [], self.findings, self.splits, self.comments, self.properties)

    @property
    def ok(self) -> bool:
        """Whether its documents are what the file says: read whole and parsed (a file that could
        not be read, over the size limit, a Git LFS pointer or not YAML is told already)."""
        return not any(f.rule in _UNREAD for f in self.findings)


_UNREAD = frozenset({"yaml-syntax", "file-unreadable", "yaml-too-large"})  # a file whose content is not parsed


def _syntax(path: str, line: int, column: int, message: str) -> Finding:
    return builtin_finding("yaml-syntax", message, Location(path, line, column))


_DEEP_INDENT = b"\n" + b" " * 1000
_DEEP_DASHES = b"- " * 500


def _nesting_exceeds(data: bytes, limit: int) -> bool:
    """True when the text nests deeper than ``limit``.

    libyaml's composer recurses in C and would crash the process on pathological nesting, so a
    file that *could* nest deeply (many brackets, huge indentation) is first walked as an event
    stream, which libyaml parses without recursion. Ordinary files skip the walk."""
    if len(data) < len(_DEEP_DASHES):  # (shorter than any of the three signs looked for)
        return False
    brackets = data.count(b"[") + data.count(b"{")
    if brackets < 2_000 and _DEEP_INDENT not in data and _DEEP_DASHES not in data:
        return False
    depth = 0
    try:
        for event in yaml.parse(data, Loader=yaml.CSafeLoader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > limit:
                    return True
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return False  # the composer reports the syntax error itself
    return False


def _too_many_nodes(data: bytes, budget: int) -> bool:
    """True when ``data`` composes to more than ``budget`` nodes (aliases not expanded: that is
    :func:`to_data`'s budget). Composing is where the memory goes, so a file that *could* be that
    dense is first counted as an event stream, which takes constant memory; ordinary files, whose
    line and comma count bounds their node count, skip the count."""
    if 3 * len(data) + 3 <= budget or 3 * data.count(b"\n") + data.count(b",") + 3 <= budget:
        return False  # (no byte makes more than three nodes: ``[:,:]``; most files are too short to count)
    count = 0
    try:
        for event in yaml.parse(data, Loader=yaml.CSafeLoader):
            if isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                count += 1
                if count > budget:
                    return True
    except yaml.YAMLError:
        return False  # the composer reports the syntax error itself
    return False


def _char_at(data: bytes, mark: yaml.Mark) -> str:
    """The character a problem mark points at, from the raw bytes (UTF-8 files)."""
    lines = data.split(b"\n", mark.line + 1)
    if mark.line >= len(lines):
        return ""
    text = lines[mark.line].decode("utf-8", errors="replace")
    return text[mark.column] if mark.column < len(text) else ""


def _decode_problem(data: bytes) -> str | None:
    """Why ``data`` is not YAML text libyaml can read, or None."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 with BOM: libyaml reads it
    if b"\x00" in data[:8192]:
        return "binary content (NUL bytes) in a YAML file, or UTF-16 without a byte-order mark"
    return None


# an anchor (``&name``) where a node's properties may start: at the start, after a space, a flow
# indicator or a colon (a text may hold more, such as a URL's ``?a=1&b=2``: never less)
_ANCHOR = re.compile(rb"(?:\A|[\s\[{,:\-])&[^\s\[\]{},]")
_BEFORE_ANCHOR = frozenset(b" \t\n\r\f\v[{,:-")
_NOT_IN_ANCHOR = frozenset(b" \t\n\r\f\v[]{},")


def _may_hold_anchor(data: bytes) -> bool:
    """Whether ``data`` may hold an anchor (:data:`_ANCHOR`). Most files hold no ``&`` or a few,
    each looked at where it stands (the pattern's search tries every position: 5 ms for a CRD of
    117 kB with one ``&``); a file with many is searched."""
    count = data.count(b"&")
    if count > 64:
        return _ANCHOR.search(data) is not None
    at = data.find(b"&") if count else -1
    while at >= 0:
        if (at == 0 or data[at - 1] in _BEFORE_ANCHOR) and data[at + 1 : at + 2] and data[at + 1] not in _NOT_IN_ANCHOR:
            return True
        at = data.find(b"&", at + 1)
    return False


BOM = b"\xef\xbb\xbf"


def _document_boms(data: bytes) -> bytes:
    """``data`` without the byte-order mark that starts a document after a ``---`` line (files
    with one each, joined): kustomize's reader and kubectl's cut a stream at ``---`` lines and read
    each piece on its own, where a leading mark is no text; libyaml reads one stream, where it is a
    column of indentation. After ``--- # a comment`` kustomize cuts and kubectl does not (its
    reader then refuses the mark): kept there, as one anywhere else, and read as libyaml reads it."""
    return _DOCUMENT_BOM.sub(rb"\1", data)


_DOCUMENT_BOM = re.compile(rb"(\n---[ \t]*\r?\n)\xef\xbb\xbf")


def parse_bytes(data: bytes, path: str, start: int = 1, go_yaml: bool = True, with_margins: bool = False) -> ParsedFile:
    """Parse every document of ``data``; ``path`` is the name shown in findings; ``start``: the
    line where the text begins (an inline patch, padded to its place in its kustomization);
    ``go_yaml``: a manifest, which go-yaml reads too (kustomize, kubectl, Argo CD), and whose YAML
    it refuses is refused here (not the linter's own policies and configuration);
    ``with_margins``: a file of the tree, whose margins are kept (:attr:`ParsedFile.comments`)."""
    parsed = ParsedFile(path)
    problem = _decode_problem(data)
    if problem:
        parsed.findings.append(_syntax(path, 0, 0, problem))
        return parsed
    if len(data) > MAX_FILE_BYTES:
        return _too_large(path, len(data), _bytes_digest(data))
    if BOM in data:
        data = _document_boms(data)
    if _nesting_exceeds(data, MAX_DEPTH):
        message = f"not linted: nested deeper than {MAX_DEPTH} levels"
        parsed.findings.append(
            _unlinted(builtin_finding("yaml-too-complex", message, Location(path)), _bytes_digest(data))
        )
        return parsed
    budget = node_budget(len(data))
    if _too_many_nodes(data, budget):
        message = f"not linted: more than {budget:,} YAML nodes for {len(data):,} bytes (denser than any manifest)"
        parsed.findings.append(
            _unlinted(builtin_finding("yaml-too-complex", message, Location(path)), _bytes_digest(data))
        )
        return parsed
    remaining = [budget]
    strings: dict[str, str] = {}
    keys: dict[str, str] = {}

    repeats = [0]

    def duplicate(first: yaml.Node, again: yaml.Node) -> None:
        repeats[0] += 1
        if repeats[0] > MAX_REPEATS_LISTED:
            return
        message = f"key {again.value!r} repeats the one at line {first.start_mark.line + 1}; Kubernetes keeps only one"
        parsed.findings.append(builtin_finding("yaml-duplicate-key", message, Location.of(again), field=again.value))

    # an alias is a copy of its own to kustomize (it reads every object de-anchored): a patch of
    # one place must not reach the other, so a file that may hold one has its collections copied
    anchored = _may_hold_anchor(data)
    comments = Comments.of(data) if with_margins else None
    loader = _Loader(_NamedBytes(data, path))
    index = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            if comments is not None:  # (before the end marks are dropped)
                comments.quoted_in(node)
            try:
                merges, not_json, odd = [False], [], []
                value = to_data(node, duplicate, budget, remaining, strings, merges, not_json, keys, None, odd)
                if merges[0] or anchored:
                    node = resolve_merges(node)
                parsed.documents.append(Document(node, value, index, not_json or (), odd or ()))
            except TooComplex as exc:
                message = f"document {index + 1} not linted: {exc}"
                finding = builtin_finding("yaml-too-complex", message, Location.of(node))
                parsed.findings.append(_unlinted(finding, _bytes_digest(data)))
            except Refused as exc:
                mark = exc.node.start_mark
                parsed.findings.append(_syntax(path, mark.line + 1, mark.column + 1, str(exc)))
            index += 1
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = " ".join(filter(None, [exc.context, exc.problem]))
        if mark is not None and _char_at(data, mark) == "\t":
            what += " (a tab: YAML indents with spaces only)"
        parsed.findings.append(_syntax(path, line, column, f"YAML syntax error: {what}"))
    except yaml.reader.ReaderError as exc:
        line = data.count(b"\n", 0, exc.position) + 1
        if "UTF-8" in str(exc.reason):
            message = f"not valid UTF-8 text: invalid byte at offset {exc.position} (line {line})"
        else:  # a control character: valid UTF-8, not YAML
            byte = f"byte {data[exc.position]:#04x} " if 0 <= exc.position < len(data) else ""
            message = f"not YAML text: {exc.reason}: {byte}at offset {exc.position} (line {line})"
        parsed.findings.append(_syntax(path, line, 0, message))
    finally:
        loader.dispose()
    if _may_be_split_wrongly(data) and parsed.ok:
        parsed.splits = split_problems(data, start)
    if go_yaml and b"\\/" in data and parsed.ok and not path.endswith(".json") and (escape := slash_escape(data)):
        message = "YAML syntax error: found unknown escape character '/' (go-yaml refuses '\\/', which libyaml reads)"
        parsed.findings.append(_syntax(path, escape[0], escape[1], message))
        parsed.documents = []  # the file is read by neither kustomize nor kubectl
    if repeats[0] > MAX_REPEATS_LISTED:
        message = (
            f"{repeats[0] - MAX_REPEATS_LISTED:,} more repeated keys in this file after the {MAX_REPEATS_LISTED} "
            "listed (not listed one by one)"
        )
        parsed.findings.append(builtin_finding("yaml-duplicate-key", message, Location(path, 1, 1)))
    if with_margins and parsed.ok:
        parsed.comments = comments.in_place() if comments is not None else ""
        if (anchored or b"!" in data) and may_hold_a_token(data):
            parsed.properties = properties(data)
    return parsed


def slash_escape(data: bytes) -> tuple[int, int] | None:
    """(line, column) of the first ``\\/`` escape in a double-quoted scalar of ``data`` (libyaml
    reads it as YAML 1.2 says, go-yaml refuses the whole file: kustomize's and kubectl's readers),
    or None. Read from libyaml's events, only for a file that holds the two characters. A ``.json``
    file is no YAML to kubectl (nor to Argo CD), which reads JSON's own ``\\/``: only
    kustomize's reader of a resource refuses it there (``kustomize.reading.json_slash``)."""
    text = data.decode("utf-8")
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if not isinstance(event, yaml.ScalarEvent) or event.style != '"':
            continue
        raw = text[event.start_mark.index : event.end_mark.index]
        i = raw.find("\\")
        while i != -1:
            if raw[i + 1 : i + 2] == "/":
                before = raw[:i]
                line = event.start_mark.line + before.count("\n") + 1
                column = i - before.rfind("\n") if "\n" in before else event.start_mark.column + i + 1
                return line, column
            i = raw.find("\\", i + 2)
    return None


# Go's readers of a manifest file cut it into pieces at lines that start with "---" before they
# parse anything (kustomize's kyaml.kio.ByteReader: each such line after the first; Argo CD's and
# kubectl's apimachinery YAMLReader: each such line), refuse a line with more than a comment after
# its "---", and read one document from each piece.
_SUSPECT_SEPARATOR = rb"---[ \t\r\f\v]*[^\s#]"
_SUSPECT_FIRST = re.compile(_SUSPECT_SEPARATOR + rb"|%")
_SUSPECT_REST = re.compile(_SUSPECT_SEPARATOR[3:])  # what follows a line's "---"


def _may_be_split_wrongly(data: bytes) -> bool:
    """Whether a file may hold a line :func:`split_problems` refuses (most files are looked at no
    further): each line that starts with ``---`` is found by ``find`` (a pattern search would try
    every position of the file) and what follows it matched."""
    if _SUSPECT_FIRST.match(data) is not None or b"\n%" in data:
        return True
    at = data.find(b"\n---")
    while at >= 0:
        if _SUSPECT_REST.match(data, at + 4) is not None:
            return True
        at = data.find(b"\n---", at + 4)
    return False


_CUTS = "it cuts the file at lines that start with '---'"


def split_problems(data: bytes, start: int = 1) -> list[tuple[int, str, bool]]:
    """Where the readers refuse a file libyaml reads (line, why, whether on the text's first line,
    where kustomize does not cut): a separator line with more than a comment after its ``---``
    (``--- {kind: X}``, ``--- !!map``, ``---`` and a lone carriage return), and a directive
    (``%YAML``) that begins a piece, whose ``---`` was cut off (go-yaml finds no document)."""
    problems: list[tuple[int, str, bool]] = []
    lines = data.decode("utf-8", errors="replace").replace("\r\n", "\n").split("\n")
    piece = True  # before the first document of a piece
    for number, line in enumerate(lines[start - 1 :], start):
        if line.startswith("---"):
            rest = line[3:].strip(GO_SPACE)
            if rest and not rest.startswith("#"):
                shown = rest if len(rest) <= 40 else rest[:40] + "..."
                problems.append(
                    (number, f"{_CUTS} and refuses this one: {shown!r} follows (only a comment may)", number == start)
                )
            piece = True
        elif piece and line.strip(" \t") and not line.lstrip(" \t").startswith("#"):
            if line.startswith("%"):
                problems.append((number, f"{_CUTS}, which leaves this directive with no document", False))
            piece = False
    return problems


def split_findings(parsed: ParsedFile, rule: str, reader: str) -> list[Finding]:
    """:attr:`ParsedFile.splits` as findings of ``rule`` for ``reader``: "kustomize" (a resource or
    strategic-merge patch file it reads) or "Argo CD" (a directory application's file)."""
    if not parsed.splits:
        return []
    return [
        builtin_finding(rule, f"{reader} refuses the file: {why}", Location(parsed.path, line, 1))
        for line, why, first in parsed.splits
        if not (first and reader == "kustomize")
    ]


def parse_file(path: Path, display: str, go_yaml: bool = True) -> ParsedFile:
    """Read and parse one file; unreadable files become findings, never exceptions; ``go_yaml``:
    see :func:`parse_bytes`."""
    data = read_source(path, display)
    return data if isinstance(data, ParsedFile) else parse_source(path, data, display, go_yaml)


_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)  # a FIFO would wait for a writer


def read_source(path: Path, display: str) -> bytes | ParsedFile:
    """The bytes :func:`parse_file` parses, or the parse result saying why it cannot read them."""
    try:
        # Opened without blocking, then asked what it is.
        fd = os.open(path, _OPEN_FLAGS)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
                return _unreadable(display, "not a regular file")
            if info.st_size > MAX_FILE_BYTES:
                from torghut_lint.discover import content_digest  # (a file never linted: its content)

                return _too_large(display, info.st_size, content_digest(Path(path)))
            return _read_all(fd, info.st_size)
        finally:
            os.close(fd)
    except OSError as exc:
        return _unreadable(display, exc.strerror or type(exc).__name__)


def read_head(path: Path, size: int) -> bytes | None:
    """The first ``size`` bytes of a regular file, read as :func:`read_source` reads (never
    blocking); None for anything else, which :func:`read_source` explains."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except (OSError, ValueError):
        return None
    try:
        return os.read(fd, size) if stat.S_ISREG(os.fstat(fd).st_mode) else None
    except OSError:
        return None
    finally:
        os.close(fd)


def read_into(path: Path, buffer: bytearray) -> int | None:
    """How many bytes of a regular file were read into the start of ``buffer``, when they fit, as
    :func:`read_source` reads them (never blocking); None for anything else, which
    :func:`read_source` reads or explains. For a pass over every file that only looks at its
    bytes: no bytes object of its own per file."""
    if not hasattr(os, "readv"):  # not on Windows
        return None
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size >= len(buffer):
            return None
        size = os.readv(fd, [buffer])
        # A file that changed since fstat, or a short read (some network and FUSE filesystems):
        # read_source reads it to its end.
        return size if size == info.st_size else None
    except OSError:
        return None
    finally:
        os.close(fd)


# The first line of a file stored in Git LFS where the checkout did not fetch LFS content (and of
# git-lfs's first pointers): Argo CD, with LFS enabled for the repository, reads the content instead
LFS_POINTERS = (b"version https://git-lfs.github.com/spec/v1", b"version https://hawser.github.com/spec/v1")
LFS_UNSEEN = (
    "a Git LFS pointer, not its content: Argo CD checks LFS content out (where the repository has LFS enabled) "
    "and reads what the linter cannot see; check it out too (actions/checkout: lfs: true)"
)


def lfs_pointer(data: bytes) -> bool:
    """Whether a file's bytes are a Git LFS pointer (what the linter reads is then not the file)."""
    return data.startswith(LFS_POINTERS)


def lfs_unseen(data: bytes, location: Location, what: str = "cannot read file:") -> Finding:
    """The finding for a Git LFS pointer ``data`` at ``location``: its content is unseen, and the
    pointer (its oid is the content's hash) is its identity, so other content is a new finding."""
    finding = builtin_finding("file-unreadable", f"{what} {LFS_UNSEEN}", location)
    return _unlinted(finding, _bytes_digest(data))


def parse_source(path: Path, data: bytes, display: str, go_yaml: bool = True) -> ParsedFile:
    """Parse what :func:`read_source` read from ``path`` (a Git LFS pointer: nothing, a finding)."""
    if lfs_pointer(data):
        parsed = ParsedFile(display)
        parsed.findings.append(lfs_unseen(data, Location(display)))
        return parsed
    if path.name.endswith(".json"):  # JSON is YAML 1.2, but libyaml refuses tabs as indentation: in
        data = data.replace(b"\t", b" ")  # JSON a raw tab is only ever whitespace (same offsets)
    return parse_bytes(data, display, go_yaml=go_yaml, with_margins=go_yaml)


def _read_all(fd: int, size: int) -> bytes:
    """The file's bytes, read to its end (it may have changed since ``fstat``), within the limit."""
    chunks = []
    total = 0
    while chunk := os.read(fd, max(size + 1 - total, 1 << 16)):
        chunks.append(chunk)
        total += len(chunk)
        if total > MAX_FILE_BYTES:
            raise OSError(errno.EFBIG, "the file grew over the size limit while it was read")
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _unreadable(display: str, reason: str) -> ParsedFile:
    parsed = ParsedFile(display)
    parsed.findings.append(builtin_finding("file-unreadable", f"cannot read file: {reason}", Location(display)))
    return parsed


def _too_large(display: str, size: int, digest: str) -> ParsedFile:
    parsed = ParsedFile(display)
    message = f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit; not linted"
    parsed.findings.append(_unlinted(builtin_finding("yaml-too-large", message, Location(display)), digest))
    return parsed


def _bytes_digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()[:16]


def _unlinted(finding: Finding, digest: str) -> Finding:
    """``finding`` (about what is not linted) identified by the content it stands for: an edit of a
    file too large or too complex to lint is a new finding, never the base's or the baseline's."""
    finding.digest = digest
    return finding
