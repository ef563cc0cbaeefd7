"""The kustomization file: the fields the built-in renderer models (:data:`FEATURES`, each with
the shape kustomize reads it into and the build step that applies it), how a directory's
kustomization file is found, and how kustomize reads the file itself before any build step (its
header, an empty kustomization, its plugins' configuration through JSON). A value of another shape,
or a field no row lists, blocks as kustomize would refuse it or as the renderer cannot model it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from torghut_lint.builtin_rules import builtin_finding
from torghut_lint.discover import (
    KUSTOMIZATION_NAMES,
    display_path,
    is_file,
    kustomization_files,
)
from torghut_lint.goyaml import (
    Unreadable,
    through_json,
)
from torghut_lint.model import Finding, Location
from torghut_lint.parse import (
    Document,
    ParsedFile,
    json_findings,
    json_problems,
)

if TYPE_CHECKING:  # (a build's findings are what these add to)
    from torghut_lint.kustomize.build import Build


def _maybe(schema: dict) -> dict:
    """``schema`` or null: kustomize reads its file as JSON into Go structs, where null is the zero value."""
    return {"anyOf": [{"type": "null"}, schema]}


_STR = _maybe({"type": "string"})
_BOOL = _maybe({"type": "boolean"})
_INT = _maybe({"type": "integer"})
# labels and annotations: an empty key makes kustomize fail setting the field
_STR_MAP = _maybe(
    {
        "type": "object",
        "additionalProperties": _STR,
        "propertyNames": {"minLength": 1, "description": "has an empty key"},
    }
)
_STRINGS = _maybe({"type": "array", "items": {"type": "string"}})
_PATHS = _STRINGS
_KINDS = _maybe({"type": "array", "items": {"type": ["string", "null"]}})  # a null kind is "", which sorts as any other
# kustomize splits a literal at its first '=' and refuses one without a key or without '='
_LITERALS = _maybe({"type": "array", "items": {"type": "string", "pattern": "^[^=]+=", "description": "KEY=value"}})
# a file source is a path, or KEY=path with one '=' and both sides written
_FILE_SOURCES = _maybe(
    {"type": "array", "items": {"type": "string", "pattern": "^[^=]+(=[^=]+)?$", "description": "a path or KEY=path"}}
)


def _list_of(properties: dict, nulls: bool = False) -> dict:
    """A list of objects; with ``nulls``, null items too, for the lists whose null item kustomize
    reads as an empty entry that does nothing (a ``labels`` or ``images`` entry, a field spec
    with no path, which it refuses only once the spec applies)."""
    item = {"type": "object", "properties": properties}
    return _maybe({"type": "array", "items": _maybe(item) if nulls else item})


_TARGET = _maybe(
    {
        "type": "object",
        "properties": {
            k: _STR for k in ("group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector")
        },
    }
)
_GENERATOR_OPTIONS = _maybe(
    {
        "type": "object",
        "properties": {
            "labels": _STR_MAP,
            "annotations": _STR_MAP,
            "disableNameSuffixHash": _BOOL,
            "immutable": _BOOL,
        },
    }
)
_PATCH_OPTIONS = _maybe({"type": "object", "properties": {"allowNameChange": _BOOL, "allowKindChange": _BOOL}})
_GENERATOR = _list_of(
    {
        "name": _STR,
        "namespace": _STR,
        "behavior": _STR,
        "literals": _LITERALS,
        "files": _FILE_SOURCES,
        "envs": _PATHS,
        "env": _STR,
        "type": _STR,
        "options": _GENERATOR_OPTIONS,
    }
)
# the kustomization's own metadata (kustomize's ObjectMeta): read, never applied
_OBJECT_META = _maybe(
    {
        "type": "object",
        "properties": {
            "name": _STR,
            "namespace": _STR,
            "labels": _maybe({"type": "object", "additionalProperties": _STR}),
            "annotations": _maybe({"type": "object", "additionalProperties": _STR}),
        },
    }
)
_HELM_GLOBALS = _maybe({"type": "object", "properties": {"chartHome": _STR, "configHome": _STR}})
_SORT_OPTIONS = _maybe(
    {
        "type": "object",
        "properties": {
            "order": _STR,
            "legacySortOptions": _maybe({"type": "object", "properties": {"orderFirst": _KINDS, "orderLast": _KINDS}}),
        },
    }
)
# field specs a `labels` entry adds to the built-in ones: where else its pairs are written
_FIELD_SPECS = _list_of({"path": _STR, "kind": _STR, "group": _STR, "version": _STR, "create": _BOOL}, nulls=True)


_FIELD_OPTIONS = _maybe(
    {"type": "object", "properties": {"delimiter": _STR, "index": _INT, "encoding": _STR, "create": _BOOL}}
)
_REPLACEMENT = {
    "source": _maybe(
        {
            "type": "object",
            "properties": {
                **{k: _STR for k in ("group", "version", "kind", "name", "namespace", "fieldPath")},
                "options": _FIELD_OPTIONS,
            },
        }
    ),
    "targets": _maybe(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "select": _TARGET,  # kustomize's Selector: a patch's target and a replacement's are one type
                    "reject": _maybe({"type": "array", "items": _TARGET}),
                    "fieldPaths": _PATHS,
                    "options": _FIELD_OPTIONS,
                },
            },
        }
    ),
}
# a replacement written inline, or the path of a file holding one or a list of them
_REPLACEMENTS = _list_of({**_REPLACEMENT, "path": _STR})
ONE_REPLACEMENT = {"type": "object", "properties": _REPLACEMENT}
REPLACEMENT_FILE = {"anyOf": [ONE_REPLACEMENT, {"type": "array", "items": ONE_REPLACEMENT}]}


@dataclass(frozen=True)
class Feature:
    """One kustomization field the built-in renderer models: its shape (the Go type kustomize
    reads it into; a value of another shape blocks, as kustomize refuses the file) and the build
    step that applies it. Adding a kustomize feature is one row here, its handler in that step,
    and fixtures proving parity with ``kubectl kustomize``."""

    field: str
    shape: dict
    step: str  # resources, generators, helm, patches, transformers, or "-" (read by another row's step)


# In kustomize's build order: resources, generated objects, Helm charts (reported), components
# (which see all of those), patches, then the built-in transformers.
FEATURES = (
    Feature("apiVersion", _STR, "-"),
    Feature("kind", _STR, "-"),
    Feature("metadata", _OBJECT_META, "-"),
    Feature("resources", _PATHS, "resources"),
    Feature("bases", _PATHS, "resources"),
    Feature("configMapGenerator", _GENERATOR, "generators"),
    Feature("secretGenerator", _GENERATOR, "generators"),
    Feature("generatorOptions", _GENERATOR_OPTIONS, "-"),
    Feature(
        "helmCharts",
        _list_of({k: _STR for k in ("name", "version", "repo", "releaseName", "namespace", "valuesFile")}),
        "helm",
    ),
    Feature("helmGlobals", _HELM_GLOBALS, "-"),
    Feature("components", _PATHS, "components"),
    Feature("patchesStrategicMerge", _PATHS, "patches"),
    Feature(
        "patches", _list_of({"path": _STR, "patch": _STR, "target": _TARGET, "options": _PATCH_OPTIONS}), "patches"
    ),
    Feature("patchesJson6902", _list_of({"path": _STR, "patch": _STR, "target": _TARGET}), "patches"),
    Feature("namespace", _STR, "transformers"),
    Feature("namePrefix", _STR, "transformers"),
    Feature("nameSuffix", _STR, "transformers"),
    Feature("commonLabels", _STR_MAP, "transformers"),
    Feature(
        "labels",
        _list_of(
            {"pairs": _STR_MAP, "includeSelectors": _BOOL, "includeTemplates": _BOOL, "fields": _FIELD_SPECS},
            nulls=True,
        ),
        "transformers",
    ),
    Feature("commonAnnotations", _STR_MAP, "transformers"),
    Feature(
        "images",
        _list_of({"name": _STR, "newName": _STR, "newTag": _STR, "digest": _STR, "tagSuffix": _STR}, nulls=True),
        "transformers",
    ),
    Feature("replicas", _list_of({"name": _STR, "count": _INT}), "transformers"),
    Feature("replacements", _REPLACEMENTS, "transformers"),  # the last transformer, after images
    Feature("sortOptions", _SORT_OPTIONS, "-"),  # the order objects are printed in, the built one's alone
)
FEATURE_FIELDS = {f.field: f for f in FEATURES}
# kustomization fields, lists, that the built-in renderer does not model: written empty or null
# they do nothing (any other field it does not know, empty or not, blocks: kustomize may refuse it)
UNMODELLED_LISTS = frozenset(
    {"transformers", "generators", "validators", "vars", "crds", "configurations", "buildMetadata"}
)
KUSTOMIZATION_SHAPE = {"type": "object", "properties": {f.field: f.shape for f in FEATURES}}

# What kustomize fetches instead of reading: a URL (any scheme://, and http: or https: with any
# number of slashes, as Go's URL parser reads "http:/x.yaml"), go-getter's git:: forms, scp-like git
# addresses and the hosts it knows
REMOTE = re.compile(r"^([a-z][a-z0-9+.-]*://|(?i:https?):|git::|git@|github\.com/|gitlab\.com/|bitbucket\.org/)")


_PATH_LIKE = re.compile(r"[\w./@:~+=-]{1,160}")


def shown(entry: str) -> str:
    """A path entry quoted in a message, or a neutral description when it does not look like a
    path at all (an inline patch pasted as a path, a long or multi-line value): a message never
    carries arbitrary tree text that no rule has judged."""
    if _PATH_LIKE.fullmatch(entry):
        return repr(entry)
    return f"an entry of {len(entry):,} characters that is not a path"


def kustomization_names(directory: Path | str) -> Iterator[str]:
    """The kustomization file names present in ``directory``, in kustomize's order, each asked
    when wanted (as text: most directories have none)."""
    base = str(directory)
    known = kustomization_files(base)
    if known is not None:
        return iter(known)
    return (name for name in KUSTOMIZATION_NAMES if is_file(os.path.join(base, name)))


def find_kustomization(directory: Path | str) -> Path | None:
    name = next(kustomization_names(directory), None)
    return None if name is None else Path(directory) / name


def unmodelled_keys(schema: dict, value: object, path: tuple) -> Iterator[tuple]:
    """Paths of keys in ``value`` that its shape (a KUSTOMIZATION_SHAPE schema) does not list."""
    options = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    shape = options[0] if options else {}
    if shape.get("type") == "object" and "properties" in shape and "additionalProperties" not in shape:
        for key, sub in (value or {}).items() if isinstance(value, dict) else ():
            if key not in shape["properties"]:
                yield (*path, key)
            else:
                yield from unmodelled_keys(shape["properties"][key], sub, (*path, key))
    elif shape.get("type") == "array" and isinstance(shape.get("items"), dict) and isinstance(value, list):
        for i, item in enumerate(value):
            yield from unmodelled_keys(shape["items"], item, (*path, i))


_KUSTOMIZATION_REFUSED = "kustomize refuses the kustomization"


def dotted(path: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else ("." if i else "") + str(p) for i, p in enumerate(path))


def innermost(error) -> Iterator:
    """The errors inside a nullable field's ``anyOf`` that say what is wrong where (a literal
    without '=' is reported at that literal, not as "the generator list must be an array"); every
    one of them, so each bad entry is left out."""
    if error.validator != "anyOf" or not error.context:
        yield error
        return
    inner = [e for e in error.context if not (e.validator == "type" and e.validator_value == "null")]
    if not inner or all(e.validator == "type" and len(e.absolute_path) == len(error.absolute_path) for e in inner):
        yield error  # the value itself has the wrong type: said at the field
        return
    for e in inner:
        yield from innermost(e)


def expected_shape(error) -> str:
    """What a shape error expected, in words (the value itself is never quoted)."""
    if error.validator == "anyOf":
        types = [s.get("type") for s in error.validator_value if s.get("type") != "null"]
        return f"must be {' or '.join(map(str, types))}" if types else "has the wrong shape"
    if error.validator == "type":
        return f"must be {error.validator_value}"
    if error.validator == "pattern" and error.schema.get("description"):
        return f"must be {error.schema['description']}"
    if error.validator == "minLength" and error.schema.get("description"):
        return error.schema["description"]
    return f"violates {error.validator}"


# what kustomize reads itself (the files it loads); every other field configures a builtin plugin
_NOT_CONFIGURED = frozenset({"resources", "bases", "components", "apiVersion", "kind", "metadata"})


def as_configured(root: yaml.Node) -> list[Finding]:
    """A kustomization's text as its builtin plugins are given it: kustomize encodes each plugin's
    configuration (the generators', patches', transformers', replacements' fields) as JSON and reads
    that back as YAML (sigs.k8s.io/yaml's Marshal), so a string takes
    :func:`~torghut_lint.goyaml.through_json`: a U+0085 folds as a line break (an inline patch's
    text too, before it is read), and a character that YAML reader refuses fails the build. The
    nodes are changed in place (they read back the same again); the findings are returned."""
    findings: list[Finding] = []

    def configured(scalar: yaml.ScalarNode, key: bool) -> None:
        try:
            written = through_json(scalar.value, key)
        except Unreadable as exc:
            message = f"{exc}: kustomize cannot configure its plugins with it (JSON read as YAML)"
            findings.append(builtin_finding("kustomize-invalid", message, Location.of(scalar)))
            return
        if not key:
            scalar.value = written

    todo = [v for k, v in root.value if k.value not in _NOT_CONFIGURED] if isinstance(root, yaml.MappingNode) else []
    while todo:
        node = todo.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                configured(key, True)
                todo.append(value)
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
        else:
            configured(node, False)
    return findings


# fields kustomize folds into others before it asks whether a kustomization is empty: an empty
# list of them leaves nothing behind (``bases: []`` is empty, ``resources: []`` is not)
_FOLDED = frozenset({"bases", "imageTags", "helmChartInflationGenerator"})


def kustomization_doc(parsed: ParsedFile, kfile: Path, result: Build) -> Document | None:
    """The kustomization's document, or None with a finding when kustomize cannot read it through
    JSON (``.nan`` anywhere in it) or would call it empty ("kustomization.yaml is empty": Go's
    ``reflect.DeepEqual`` with the empty one once its type is read and old fields folded, so a
    field written as ``[]``, ``{}`` or a ``metadata`` is something, and a null or "" is nothing)."""
    doc = next((d for d in parsed.documents if isinstance(d.data, dict)), None)
    if doc is not None and (
        refused := json_findings(json_problems([doc], v2=True), "kustomize-invalid", _KUSTOMIZATION_REFUSED)
    ):
        result.findings += refused  # kustomize reads the file through JSON (sigs.k8s.io/yaml)
        return None
    if doc is not None and any(
        value is not None and value != "" and not (key in _FOLDED and value == [])
        for key, value in doc.data.items()
        if key not in ("apiVersion", "kind")
    ):
        return doc
    if parsed.ok and not any(f.rule.startswith("yaml-") for f in parsed.findings):
        message = "kustomization is empty; kustomize refuses it"
        result.findings.append(builtin_finding("kustomize-invalid", message, Location(display_path(kfile), 1, 1)))
    return None


KUSTOMIZATION_API = {
    "Kustomization": "kustomize.config.k8s.io/v1beta1",
    "Component": "kustomize.config.k8s.io/v1alpha1",
}


def refused_header(doc: Document, result: Build) -> bool:
    """Whether kustomize refuses the file for its ``kind`` (Kustomization, Component or none) or
    its ``apiVersion`` (none, or the one of its kind); the finding is at the field."""
    kind, api = doc.data.get("kind"), doc.data.get("apiVersion")
    not_text = [name for name, v in (("kind", kind), ("apiVersion", api)) if v is not None and not isinstance(v, str)]
    if not_text:
        field = not_text[0]
        message = f"{field} must be a string; kustomize refuses this file"
    elif isinstance(kind, str) and kind and kind not in KUSTOMIZATION_API:
        message = "kind must be Kustomization or Component; kustomize refuses this file"
        field = "kind"
    elif isinstance(api, str) and api and api != KUSTOMIZATION_API.get(kind or "Kustomization"):
        want = KUSTOMIZATION_API.get(kind or "Kustomization")
        message = f"apiVersion of a {kind or 'Kustomization'} must be {want}; kustomize refuses this file"
        field = "apiVersion"
    else:
        return False
    # the key as written (a merge key may have supplied it: then the document)
    key = next((k for k, _ in doc.node.value if isinstance(k, yaml.ScalarNode) and k.value == field), doc.node)
    result.findings.append(builtin_finding("kustomize-invalid", message, Location.of(key)))
    return True
