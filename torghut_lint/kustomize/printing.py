"""Objects as kustomize writes them out and reads them back: through JSON (a *List's items, a
JSON patch's object), printed by go-yaml (block scalars, flow collections), its bookkeeping
annotations stripped, labels and annotations written as texts. Where kustomize refuses what it
would write, or its printing is not modelled, the finding says so (``kustomize-invalid``,
``kustomize-unsupported``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import yaml

from torghut_lint import nodes
from torghut_lint.builtin_rules import builtin_finding
from torghut_lint.goyaml import (
    FOLDED_KEY,
    MAYBE_NOT_STRING,
    MISMATCH,
    Unencodable,
    go_float_text,
    is_string,
    json_text,
    parse_int,
    reading,
    resolve_plain,
    resolve_tagged,
)
from torghut_lint.kustomize import work
from torghut_lint.kustomize.patch import (
    Unmodelled,
)
from torghut_lint.model import Finding, Location, Resource
from torghut_lint.parse import (
    BINARY,
    CORE,
    MAX_DOCUMENT_NODES,
    MERGE_KEY,
    PLAIN,
    STR,
    ParsedFile,
    TooComplex,
    base64_text,
    json_findings,
    mappings,
    print_block,
    scalar_json_problems,
    to_data,
)


def sort_keys(node: yaml.Node, seen: set[int]) -> None:
    """Every mapping under ``node`` in key order, and every plain number, boolean and null
    written as JSON writes it (``0x10`` is ``16``, ``1e3`` is ``1000``: a name or a label is that
    text to kustomize from then on; a timestamp is its text as a string); ``seen``: the nodes
    done already (an alias shares one; a list in a list is ordered once, not once per level),
    every node under ``node`` once it returns, keys included."""
    todo = [node]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.ScalarNode):
            _through_json(current, json_text)
        elif isinstance(current, yaml.MappingNode):
            current.value.sort(key=lambda pair: str(pair[0].value))
            seen.update(id(k) for k, _ in current.value)
            todo += [v for _, v in current.value]
        else:
            todo += current.value


def _through_json(node: yaml.ScalarNode, written: Callable[[Any], str]) -> None:
    """A scalar as kustomize has it once its value went through JSON: a number, boolean or null
    (plain, or tagged so) is the plain text ``written`` gives for it
    (:func:`~torghut_lint.goyaml.json_text` where kustomize reads JSON text back, a *List's items;
    ``_go_text`` where go-yaml writes out what JSON decoded, a JSON patch's result: every number a
    float, ``1e+06``), which is what a name, a label a selector matches and a replaced value are
    from then on; a timestamp is the string JSON writes for it, ``!!binary`` the text it decodes
    to. One JSON refuses or its tag does not read is left (refused where it is reported)."""
    tag, text = node.tag, node.value
    if tag == PLAIN:
        if text and text[0] not in MAYBE_NOT_STRING:
            return
        value = resolve_plain(text) if text else None  # (written empty: null, "null" from then on)
    elif tag == BINARY:  # decoded: JSON holds the text, a string from then on
        value = base64_text(text, errors="replace")
        if value is not None:
            node.value, node.tag = value, STR
        return
    elif tag.startswith(CORE) and tag != STR:
        value = resolve_tagged(text, tag.rsplit(":", 1)[1])
    else:
        return
    if value is MISMATCH or type(value) is Unencodable:
        return
    if isinstance(value, str):
        if value != text or tag != PLAIN:
            node.value, node.tag = value, STR
        return
    if value == 0 and text.lstrip()[:1] == "-" and parse_int(text) is None:
        node.value = "-0"  # a float's negative zero, which JSON and go-yaml keep
    else:
        node.value = written(value)
    node.tag = PLAIN


def _go_text(value: object) -> str:
    """A value JSON decoded as go-yaml writes it: a number is a float (``1e+06``, ``16``)."""
    return go_float_text(float(value)) if type(value) in (int, float) else json_text(value)


def marshalled(root: yaml.Node) -> list[Finding]:
    """What kustomize refuses in an object as it marshals it to JSON where a JSON patch applies
    (:func:`marshal_refusals`). The object is walked whole, as it is printed before and decoded
    after the patch: its size is charged to the build's budget of work (:data:`work.WALK_STEPS`
    per entry), once for each object a JSON patch changes."""
    not_json: list[tuple[yaml.ScalarNode, bool]] = []
    odd: list[tuple[yaml.ScalarNode, bool]] = []
    remaining = [MAX_DOCUMENT_NODES]
    try:
        to_data(root, not_json=not_json, odd_merges=odd, remaining=remaining)
    except TooComplex:
        return []  # told where the object's values are built (finalize)
    finally:
        work.charge(work.WALK_STEPS * (MAX_DOCUMENT_NODES - remaining[0]))
    return marshal_refusals(root, not_json, odd)


def marshal_refusals(
    root: yaml.Node, not_json: list[tuple[yaml.ScalarNode, bool]], odd: list[tuple[yaml.ScalarNode, bool]]
) -> list[Finding]:
    """What kustomize refuses in an object as it marshals it to JSON (before a JSON patch, and as
    it writes the object out), from what :func:`~torghut_lint.parse.to_data` collected: what JSON
    cannot hold (:func:`~torghut_lint.parse.json_problems`), a key ``<<`` it wrote
    (:func:`_merge_like_findings`)."""
    refused = json_findings(scalar_json_problems(not_json), "kustomize-invalid") if not_json else []
    return refused + _merge_like_findings(root) if odd else refused


def _merge_like_keys(root: yaml.Node) -> list[tuple[yaml.MappingNode, yaml.ScalarNode, yaml.Node]]:
    """(mapping, key, value) of every key ``<<`` under ``root`` (a plain one, a merge key, is
    resolved as the file is read: these are quoted, tagged or written by kustomize)."""
    return [
        (m, k, v) for m in mappings(root) for k, v in m.value if isinstance(k, yaml.ScalarNode) and k.value == MERGE_KEY
    ]


def as_kustomize_reads(parsed: ParsedFile, findings: list[Finding]) -> None:
    """A file's documents as kustomize's reader leaves them (kyaml's ``DeAnchor``), which differs
    from go-yaml's in two ways: it refuses a mapping with two merge keys ("duplicate merge key"),
    and it clears every key ``<<`` once it has merged the merge keys, so one written quoted or
    tagged (``'<<': {b: c}``) is lost with its value, merged nowhere."""
    for doc in parsed.documents:
        if not doc.odd_merges or not isinstance(doc.node, yaml.MappingNode):
            continue
        for key, _ in (pair for pair in doc.odd_merges if pair[1]):
            message = "a second merge key in one map; kustomize refuses it (duplicate merge key)"
            findings.append(builtin_finding("kustomize-invalid", message, Location.of(key)))
        for mapping, key, _ in _merge_like_keys(doc.node):
            mapping.value = [pair for pair in mapping.value if pair[0] is not key]
        doc.odd_merges = ()  # (its values keep them: what the repository holds, for credentials)


def _merge_like_findings(root: yaml.Node) -> list[Finding]:
    """A key ``<<`` kustomize wrote itself (a label, an annotation, a generated key, a replacement's
    new field): it writes it plain, and its go-yaml reads it back as a merge key, which refuses a
    value that is no map and merges one that is (not modelled)."""
    out = []
    for _, key, value in _merge_like_keys(root):
        if isinstance(value, yaml.ScalarNode):
            message = "kustomize writes the key '<<' plain and reads it back as a merge key, refusing its value"
            out.append(builtin_finding("kustomize-invalid", f"{message}; rename it", Location.of(key)))
        else:
            message = (
                "kustomize writes the key '<<' plain and merges its value back as a merge key, which is not modelled"
            )
            out.append(builtin_finding("kustomize-unsupported", f"{message}; use --render kubectl", Location.of(key)))
    return out


LOCAL_CONFIG = "config.kubernetes.io/local-config"
# annotations kustomize's readers and writers keep their bookkeeping in, removed from what it prints
_STRIPPED = frozenset(
    {
        "config.kubernetes.io/index",
        "config.kubernetes.io/path",
        "config.k8s.io/id",
        "internal.config.kubernetes.io/index",
        "internal.config.kubernetes.io/path",
        "internal.config.kubernetes.io/id",
        "internal.config.kubernetes.io/seqindent",
        "internal.config.kubernetes.io/annotations-migration-resource-id",
        "config.kubernetes.io/origin",
        "alpha.config.kubernetes.io/transformations",
    }
)
# ... and those it keeps its own state of an object's build in, which change what it does with it
# (a hash appended to any object's name, the names and prefixes references follow)
_BUILD_STATE = frozenset(
    f"internal.config.kubernetes.io/{name}"
    for name in (
        "previousKinds",
        "previousNames",
        "prefixes",
        "suffixes",
        "previousNamespaces",
        "allowNameChange",
        "allowKindChange",
        "refBy",
        "generatorBehavior",
        "needsHashSuffix",
    )
)


def bookkeeping(annotations: yaml.MappingNode, res: Resource) -> list[Finding]:
    """kustomize's own annotations written on an object: those of its readers are removed from
    what it prints, as kustomize removes them; one it keeps the state of a build in
    (``internal.config.kubernetes.io/needsHashSuffix: enabled`` renames any object with a hash)
    is not modelled: ``kustomize-unsupported``, blocking."""
    found = []
    for key, _ in list(annotations.value):
        if not isinstance(key, yaml.ScalarNode):
            continue
        if key.value in _STRIPPED:
            nodes.remove(annotations, key.value)
        elif key.value in _BUILD_STATE:
            message = (
                f"{res.id} carries {key.value!r}, an annotation kustomize keeps its own state of a build in (it "
                "renames the object or changes the names its references follow), not modelled by the built-in "
                "renderer; remove it, or use --render kubectl for exact output"
            )
            found.append(builtin_finding("kustomize-unsupported", message, Location.of(key)))
    return found


def local_config(root: yaml.Node) -> bool:
    """Whether kustomize leaves the object out of what it prints (``DropLocalNodes``): its
    annotation ``config.kubernetes.io/local-config`` is there with any text but ``false``. It is
    dropped last, once every transformer, reference and replacement of the build has read it."""
    annotations = nodes.get(nodes.get(root, "metadata"), "annotations")
    if not isinstance(annotations, yaml.MappingNode):
        return False
    value = nodes.get(annotations, LOCAL_CONFIG)
    return value is not None and nodes.text(value) != "false"


def as_printed(root: yaml.Node) -> tuple[yaml.Node, str, str] | None:
    """An object as kustomize has it once printed (``RNode.MarshalJSON``: go-yaml writes the object,
    styles kept, and reads the text back), which it does before it writes the object out and before
    a JSON patch: each block scalar holds :func:`~torghut_lint.goyaml.printed` of its text (a folded
    one changes, and is no block scalar from then on: printed once, its lines not the file's). A
    block scalar inside a flow collection is written double-quoted, which reads back unchanged.
    Returns the first node kustomize cannot print and read back (``kustomize-invalid``) or whose
    printing is not modelled (``kustomize-unsupported``), with that rule and why; its text is left
    as written."""
    odd: tuple[yaml.Node, str, str] | None = None
    todo = [root]
    while todo:
        node = todo.pop()
        if isinstance(node, yaml.ScalarNode):
            if node.style in ("|", ">"):
                found = print_block(node)  # (every one printed; the first that fails reported)
                odd = odd or found
        elif isinstance(node, yaml.SequenceNode):
            if not node.flow_style:
                todo.extend(node.value)
        elif not node.flow_style:
            for key, value in node.value:
                # a folded key on several lines is written as a complex key (``? >``), and changes too
                if key.style == ">" and "\n" in key.value:
                    odd = odd or (key, "kustomize-unsupported", FOLDED_KEY)
                todo.append(value)
    return odd


def as_decoded(root: yaml.Node) -> None:
    """An object as kustomize has it after a JSON patch, which it decodes from JSON and encodes
    again (``RNode.UnmarshalJSON``): no scalar keeps the style it was written in (a patch's folded
    value is not printed as one later); a text on several lines is a literal block (go-yaml's
    choice for it, printed again later); a collection is in flow style exactly when it is empty
    (go-yaml writes ``{}`` and ``[]``). Decoded, it shares no node: a label value a transformer
    had set at several places (one node to kustomize, changed everywhere by a later transformer
    that changes one) is a value of its own at each from then on."""
    seen: set[int] = {id(root)}
    todo = [root]
    while todo:
        node = todo.pop()
        if isinstance(node, yaml.ScalarNode):
            node.style = "|" if "\n" in node.value else None
            _through_json(node, _go_text)
        elif isinstance(node, yaml.MappingNode):
            node.flow_style = not node.value
            for i, (key, value) in enumerate(node.value):
                if id(key) in seen or id(value) in seen:
                    key, value = _unshared(key, seen), _unshared(value, seen)
                    node.value[i] = (key, value)
                seen.update((id(key), id(value)))
                key.style, key.tag = None, STR  # a JSON object's key: a string, whatever it was tagged
                if key.value == MERGE_KEY:  # go-yaml writes it out plain: a merge key read back
                    raise Unmodelled("a JSON patch leaves a key '<<', which kustomize reads back as a merge key")
                todo.append(value)
        else:
            node.flow_style = not node.value
            for i, item in enumerate(node.value):
                if id(item) in seen:
                    node.value[i] = item = _unshared(item, seen)
                seen.add(id(item))
                todo.append(item)


def _unshared(node: yaml.Node, seen: set[int]) -> yaml.Node:
    """``node`` if not met before in the walk, else a copy of it (marks and attributes kept; what
    the copy shares within itself is met again as the walk goes on)."""
    if id(node) not in seen:
        return node
    fresh = nodes.copy(node)
    if getattr(node, "untagged", False):
        fresh.untagged = True
    return fresh


def generated_value(text: str, like: yaml.Node) -> yaml.ScalarNode:
    """A generated object's data value as kustomize makes it (kyaml's makeConfigMapValueRNode): a
    text on several lines is a literal block, and printed as one (one that starts with a tab
    cannot be read back: :func:`as_printed`)."""
    node = nodes.scalar(text, like)
    if "\n" in text:
        node.style = "|"
    return node


def unprinted_finding(res: Resource, odd: tuple[yaml.Node, str, str]) -> Finding:
    node, rule, why = odd
    then = "kustomize refuses the build" if rule == "kustomize-invalid" else "use --render kubectl for exact output"
    return builtin_finding(rule, f"{res.id}: {why}; {then}", Location.of(node))


def keys_refused(keys: Iterable[yaml.Node], what: str, written: str) -> list[Finding]:
    """The ``what`` keys (label, annotation) among ``keys`` that read as a number, boolean, null or
    timestamp once kustomize has ``written`` them unquoted (``"8080"``, ``"true"``): kustomize
    reads the object back with go-yaml v3 and refuses the build. It writes back all of an object's
    annotations, quoted or not, and the labels it writes itself (a label transformer's new key, a
    generator's, every label of an object a generator merges into, a targeted patch's:
    ``commonLabels: {y: on}`` is the key "true" to it)."""
    return [
        builtin_finding(
            "kustomize-invalid",
            f"the {what} key {key.value!r} reads as {reading(key.value)} (go-yaml) once kustomize writes {written}, "
            "and kustomize refuses the build; rename it",
            Location.of(key),
        )
        for key in keys
        if isinstance(key, yaml.ScalarNode) and not is_string(key.value)
    ]


ANNOTATIONS_BACK = "its annotations back, quoted or not"
LABEL_UNQUOTED = "it unquoted"


def annotations_as_written(annotations: yaml.MappingNode) -> None:
    """kustomize reads annotations back as strings and writes them as new ones: each scalar value
    as written (``8080``, ``1_0``, ``null`` stay that text, where go-yaml would read a number or
    null; a block scalar is no block scalar from then on, so its printing does not fold it), a list
    or map as ``""``; each key as written too, whatever its tag (``!x a`` is "a")."""
    for i, (key, value) in enumerate(annotations.value):
        if isinstance(key, yaml.ScalarNode) and key.tag != PLAIN and key.tag != STR:
            key = nodes.scalar(key.value, key)
        if not isinstance(value, yaml.ScalarNode):
            annotations.value[i] = (key, nodes.scalar("", value))
        elif value.tag != STR or value.style in ("|", ">"):
            annotations.value[i] = (key, nodes.scalar(value.value, value))
        else:
            annotations.value[i] = (key, value)
