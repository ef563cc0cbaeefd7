"""How kustomize and Argo CD read a resource file: its Kubernetes objects (a ``List`` kind's items
in its place; as kustomize reads them, its reader's own unwrapping of a lone list, ``*List`` kinds
expanded after the file's other objects, each read back from JSON), and what makes a document no
Kubernetes object (``manifest-invalid``), or an object kustomize refuses (``kustomize-invalid``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from torghut_lint import nodes
from torghut_lint.builtin_rules import builtin_finding
from torghut_lint.discover import (
    display_path,
)
from torghut_lint.goyaml import (
    reading,
)
from torghut_lint.kustomize.printing import (
    as_kustomize_reads,
    sort_keys,
)
from torghut_lint.model import Finding, Location, Resource
from torghut_lint.parse import (
    LFS_UNSEEN,
    ParsedFile,
    json_findings,
    lfs_pointer,
    scalar_json_problems,
    slash_escape,
    to_data,
)


def resources_of(parsed: ParsedFile, findings: list[Finding], kustomize: bool = False) -> list[Resource]:
    """Kubernetes objects in a parsed file (``List`` kinds expanded); ``kustomize``: as a
    kustomization's resources, which kustomize requires to be named, and whose lists it expands
    as :func:`kustomize_items` says."""
    out: list[Resource] = []
    if kustomize:
        as_kustomize_reads(parsed, findings)
    for node, data in kustomize_items(parsed, findings) if kustomize else _items(parsed):
        problem = manifest_problem(data, kustomize)
        if problem:
            findings.append(builtin_finding("manifest-invalid", problem, Location.of(node)))
            continue
        meta, meta_node = data["metadata"], nodes.get(node, "metadata")
        if kustomize and isinstance(meta.get("annotations"), list) and meta["annotations"]:
            findings.append(listed_annotations(nodes.get(meta_node, "annotations")))
        if read_as_text(meta["name"]) and not kustomize:
            findings.append(not_a_name(nodes.get(meta_node, "name")))
            continue
        if kustomize:  # kustomize reads a name or namespace written as a number as its text
            for key in ("name", "namespace"):
                if read_as_text(meta.get(key)):
                    meta[key] = nodes.get(meta_node, key).value
        namespace = meta.get("namespace")
        origin_namespace = namespace if isinstance(namespace, str) else ""
        out.append(Resource(node, data, origin_name=meta["name"], origin_namespace=origin_namespace))
    return out


def json_slash(path: Path, rule: str) -> Finding | None:
    """A ``rule`` finding where a ``.json`` file kustomize reads as YAML (a resource, a
    strategic-merge patch) holds JSON's escaped slash (``"http:\\/\\/x"``), which go-yaml refuses
    (:func:`~torghut_lint.parse.slash_escape`)."""
    data = path.read_bytes()  # (parsed already: a regular file within the size limit)
    escape = slash_escape(data) if b"\\/" in data else None
    if escape is None:
        return None
    message = "found unknown escape character '/': kustomize reads a JSON file as YAML, where '\\/' is no escape"
    return builtin_finding(rule, message, Location(display_path(path), *escape))


def listed_annotations(annotations: yaml.Node) -> Finding:
    """kustomize fails on an object whose ``metadata.annotations`` is a list of anything, as it
    reads the object (it panics: index out of range); an empty one or a scalar is none to it."""
    message = "metadata.annotations is a list, which kustomize fails on (it panics); write a map"
    return builtin_finding("kustomize-invalid", message, Location.of(annotations))


def read_as_text(value: object) -> bool:
    """A value kustomize reads an object's name or namespace from as the text it is written in: a
    number or a boolean (``name: 5`` is the name "5" to it, ``p-5`` once prefixed); the API server
    refuses one still written so once the build is done (:func:`not_a_name`)."""
    return type(value) in (int, float, bool)


def _items(parsed: ParsedFile) -> Iterator[tuple[yaml.Node, Any]]:
    """(node, value) of each document, a list's items in its place (one level, as Argo CD reads a
    directory's files)."""
    for doc in parsed.documents:
        if doc.data is None:
            continue
        if _is_list(doc.data):
            yield from zip(nodes.get(doc.node, "items").value, doc.data["items"], strict=True)
        else:
            yield doc.node, doc.data


def kustomize_items(parsed: ParsedFile, findings: list[Finding]) -> list[tuple[yaml.Node, Any]]:
    """(node, value) of each object as kustomize reads a resource file: its reader's documents
    (:func:`_read_as_kustomize`), then (``inlineAnyEmbeddedLists``) a kind ending in ``List`` with
    ``items`` replaced by its items, which go after the file's other objects and are read in turn,
    each as a document of its own read back from JSON (keys in order at every level: the nodes
    are reordered); ``items: null`` is no item, ``items`` of another shape refuses the build."""
    documents = [(doc.node, doc.data) for doc in parsed.documents if doc.data is not None]
    queue = deque(_read_as_kustomize(documents, len(parsed.documents) == 1))
    ordered: set[int] = set()  # the nodes sort_keys has put in order
    out = []
    while queue:
        node, data = queue.popleft()
        kind = data.get("kind") if isinstance(data, dict) else None
        if not (isinstance(kind, str) and kind.endswith("List") and "items" in data):
            out.append((node, data))
            continue
        items = data["items"]
        if isinstance(items, list):
            for item in zip(nodes.get(node, "items").value, items, strict=True):
                sort_keys(item[0], ordered)
                queue.extend(_read_as_kustomize([item], True))
        elif items is not None:
            message = f"{kind}'s items must be a list (kustomize expands a *List kind's items); kustomize refuses this"
            findings.append(builtin_finding("kustomize-invalid", message, Location.of(nodes.get(node, "items"))))
    if ordered:  # items read back from JSON: what JSON cannot hold in them refuses the build as it is read
        read = (pair for doc in parsed.documents for pair in doc.not_json if id(pair[0]) in ordered)
        findings += json_findings(scalar_json_problems(read), "kustomize-invalid")
    return out


def _read_as_kustomize(documents: list[tuple[yaml.Node, Any]], alone: bool) -> list[tuple[yaml.Node, Any]]:
    """The documents kustomize's reader gives for a text's documents (``alone``: the text holds
    one): it unwraps a lone document of kind ``List`` or ``ResourceList`` with ``items`` (or
    ``functionConfig``) into the items' nodes as written (a map's keys and values, nothing of a
    scalar), and drops a document that is null, ``{}`` or ``[]``. (Documents are counted as libyaml
    reads the file; kustomize counts the pieces between ``---`` lines, which differ for a file
    that begins with a blank line and a ``---``: the same objects, another order of keys.)"""
    if alone and documents:
        node, data = documents[0]
        if isinstance(data, dict) and data.get("kind") in ("List", "ResourceList"):
            if "items" in data or "functionConfig" in data:
                items = nodes.get(node, "items")
                if isinstance(items, yaml.SequenceNode):
                    documents = list(zip(items.value, data["items"], strict=True))
                elif isinstance(items, yaml.MappingNode):
                    documents = [(n, to_data(n)) for pair in items.value for n in pair]
                else:
                    documents = []
    return [(node, data) for node, data in documents if data is not None and data != {} and data != []]


def _is_list(data: object) -> bool:
    """A ``List`` or ``*List`` kind with ``items``: its items are added, not the list."""
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        return False
    kind = data.get("kind")
    return isinstance(kind, str) and kind.endswith("List")


def manifest_problem(data: object, kustomize: bool = False) -> str | None:
    """Why a document is not a Kubernetes object, or None. The API server names an object from
    ``generateName``; kustomize does not, and refuses a resource without ``metadata.name``."""
    if not isinstance(data, dict):
        if isinstance(data, str) and lfs_pointer(data.encode("utf-8", "surrogatepass")):
            return LFS_UNSEEN  # (a document of a file: a file that is one is not parsed)
        kind = "a list" if isinstance(data, list) else "a scalar"
        return f"document is {kind}, not a Kubernetes object (mapping)"
    missing = [k for k in ("apiVersion", "kind") if not isinstance(data.get(k), str) or not data.get(k)]
    meta = data.get("metadata")
    if not isinstance(meta, dict):
        missing.append("metadata" if meta is None else "metadata (not a mapping)")
    elif read_as_text(meta.get("name")):
        pass  # named, by its text to kustomize (see resources_of)
    elif not isinstance(meta.get("name"), str) or not meta.get("name"):
        if not meta.get("generateName"):
            missing.append("metadata.name")
        elif kustomize:
            return "kustomize refuses a resource without metadata.name (generateName alone is not enough)"
    if missing:
        return "not a Kubernetes object: missing " + ", ".join(missing)
    if not isinstance(meta.get("name"), str) and not read_as_text(meta.get("name")):
        meta["name"] = str(meta.get("generateName"))
    return None


def not_a_name(name: yaml.ScalarNode) -> Finding:
    """The API server refuses an object whose name is not a string (``name: 5``), which kustomize
    renders as written unless a prefix, suffix or hash makes it one."""
    message = f"metadata.name {name.value} is {reading(name.value)}, not a string: the API server refuses it; quote it"
    return builtin_finding("manifest-invalid", message, Location.of(name))
