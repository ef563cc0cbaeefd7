"""A schema's folded form: what jsonschema-rs compiles to answer "valid".

A CRD schema repeats itself: Argo CD's ApplicationSet embeds the Application template once per
generator (and again inside matrix and merge generators), Argo Workflows' WorkflowTemplate the
container schema a dozen times, each copy with its own descriptions. jsonschema-rs compiles every
copy: 20-30 ms for each of those two kinds, in every process, for the handful of such objects a
tree holds (most of the fixed cost of validating a small tree). The folded form keeps what
decides validity and nothing else: annotations (``description``, ``title``, ``examples``,
``$comment``, ``x-*`` extensions) dropped, then every subschema that occurs more than once
written once under ``$defs`` and referred to by ``$ref``. ApplicationSet shrinks 17x and
compiles 9x faster.

A core kind's schema gets the same treatment the other way round (:func:`standalone`): its
references into kubernetes-validate's ``_definitions.json`` are copied in, so it compiles without
a registry of every definition, and its annotations are dropped (a Deployment's 199 KB of schema
is 47 KB without them).

Replacing a subschema by a reference to an identical copy changes no verdict in draft 2020-12
(the dialect :class:`~torghut_lint.schemas.compiled.CompiledSchema` assumes). A schema that
already uses references, names a dialect, anchors or identifies its parts, or relies on
annotations to decide (``unevaluated*``) is left as it is: moving its parts could change what
a reference points at. Only jsonschema-rs's early "valid" uses the folded form; ``jsonschema``
explains invalid objects from the original, so findings read the same.
"""

from __future__ import annotations

import json
from typing import Any

# Keywords whose value is a map of subschemas, one subschema, or a list of subschemas.
_SCHEMA_MAPS = frozenset(("properties", "patternProperties", "dependentSchemas"))
_SCHEMA_ONE = frozenset(
    ("items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else", "additionalItems")
)
_SCHEMA_LISTS = frozenset(("allOf", "anyOf", "oneOf", "prefixItems"))
_DEFINITION_MAPS = frozenset(("$defs", "definitions"))
_ANNOTATIONS = frozenset(("description", "title", "examples", "$comment"))
_UNSAFE = frozenset(
    (
        "$ref",
        "$dynamicRef",
        "$recursiveRef",
        "$id",
        "$anchor",
        "$dynamicAnchor",
        "$recursiveAnchor",
        "$schema",
        "$defs",
        "definitions",
        "unevaluatedProperties",
        "unevaluatedItems",
    )
)
MIN_SHARED_SIZE = 4  # subschemas (counting their own) a shared part must hold to be worth a reference


def _annotation(keyword: str) -> bool:
    """A keyword that decides no verdict: an annotation or an ``x-`` extension."""
    return keyword in _ANNOTATIONS or keyword.startswith("x-")


class _Unsafe(Exception):
    """The schema uses a keyword folding must not move."""


def fold(schema: Any) -> Any:
    """The folded form of ``schema`` (a new object), or ``schema`` itself when folding could
    change its meaning or there is nothing to fold."""
    if not isinstance(schema, dict):
        return schema
    table = _Table()
    try:
        root = table.intern(schema)
    except _Unsafe:
        return schema
    return table.emit(root)


class _Table:
    """Hash-consing of subschemas: each distinct (annotation-free) subschema gets one number."""

    def __init__(self) -> None:
        self.numbers: dict[tuple, int] = {}
        self.forms: list[dict[str, Any]] = []  # by number: keywords, subschemas given as numbers
        self.sizes: list[int] = []
        self.uses: list[int] = []  # by number: how often the distinct subschemas refer to it

    def intern(self, node: dict[str, Any]) -> int:
        form: dict[str, Any] = {}
        key: list[tuple] = []
        size = 1
        for name, value in node.items():
            if name in _UNSAFE:
                raise _Unsafe(name)
            if _annotation(name):
                continue
            if name in _SCHEMA_MAPS and isinstance(value, dict):
                parts = {k: self._part(v) for k, v in value.items()}
                form[name] = parts
                key.append((name, tuple(sorted(parts.items()))))
            elif name in _SCHEMA_ONE:
                part = form[name] = self._part(value)
                key.append((name, part))
            elif name in _SCHEMA_LISTS and isinstance(value, list):
                parts_list = [self._part(v) for v in value]
                form[name] = parts_list
                key.append((name, tuple(parts_list)))
            else:
                form[name] = value
                key.append((name, "=", json.dumps(value, sort_keys=True)))
        frozen = tuple(sorted(key, key=lambda item: item[0]))
        number = self.numbers.get(frozen)
        if number is not None:
            return number
        number = self.numbers[frozen] = len(self.forms)
        self.forms.append(form)
        for part in _numbers(form):
            size += self.sizes[part]
            self.uses[part] += 1
        self.sizes.append(size)
        self.uses.append(0)
        return number

    def _part(self, value: Any) -> Any:
        """A subschema position's value: a number for a schema object, a boolean schema as is."""
        return self.intern(value) if isinstance(value, dict) else ("literal", json.dumps(value))

    def emit(self, root: int) -> dict[str, Any]:
        defs: dict[str, Any] = {}
        out = self._expand(root, defs, top=True)
        if defs:
            out["$defs"] = defs
        return out

    def _expand(self, number: int, defs: dict[str, Any], top: bool = False) -> Any:
        if not top and self.uses[number] > 1 and self.sizes[number] >= MIN_SHARED_SIZE:
            name = f"s{number}"
            if name not in defs:
                defs[name] = self._expand(number, defs, top=True)
            return {"$ref": f"#/$defs/{name}"}
        out: dict[str, Any] = {}
        for name, value in self.forms[number].items():
            if name in _SCHEMA_MAPS and isinstance(value, dict):
                out[name] = {k: self._value(v, defs) for k, v in value.items()}
            elif name in _SCHEMA_ONE:
                out[name] = self._value(value, defs)
            elif name in _SCHEMA_LISTS and isinstance(value, list):
                out[name] = [self._value(v, defs) for v in value]
            else:
                out[name] = value
        return out

    def _value(self, part: Any, defs: dict[str, Any]) -> Any:
        return json.loads(part[1]) if isinstance(part, tuple) else self._expand(part, defs)


def _numbers(form: dict[str, Any]) -> list[int]:
    """The numbers of the subschemas a form refers to directly, once per reference."""
    found: list[int] = []
    for name, value in form.items():
        if name in _SCHEMA_MAPS and isinstance(value, dict):
            found += (v for v in value.values() if isinstance(v, int))
        elif name in _SCHEMA_ONE and isinstance(value, int):
            found.append(value)
        elif name in _SCHEMA_LISTS and isinstance(value, list):
            found += (v for v in value if isinstance(v, int))
    return found


def standalone(schema: dict[str, Any], definitions: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    """``schema`` with the definitions it refers to (``$ref`` to ``prefix`` + name, and within
    them ``#/$defs/`` + name) copied under its own ``$defs``: compiled without a registry.

    kubernetes-validate's core schemas point into one ``_definitions.json`` of every definition
    (1.4 MB); registering it costs each process more than compiling the few a tree's kinds use.
    The copied definitions keep their names, so a reference means what it meant. None when that
    cannot be done (the schema has local definitions, or names one the definitions lack)."""
    needed: dict[str, Any] = {}
    todo: list[str] = []

    def rewrite(node: Any) -> Any:
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith((prefix, "#/$defs/")):
                name = value.rpartition("/")[2]
                todo.append(name)
                out[key] = "#/$defs/" + name
            elif key != "$id":
                out[key] = rewrite(value)
        return out

    if "$defs" in schema or "definitions" in schema:
        return None  # its own local references would be taken for the shared ones
    out = rewrite(schema)
    while todo:
        name = todo.pop()
        if name not in needed:
            if name not in definitions:
                return None  # a reference the definitions do not have: left to the registry
            needed[name] = rewrite(definitions[name])
    out["$defs"] = dict(sorted(needed.items()))
    return without_annotations(out)


def without_annotations(schema: Any) -> Any:
    """A copy of ``schema`` without the keywords that decide nothing (annotations and ``x-``
    extensions), in schema positions only: a property *named* ``description`` or
    ``x-kubernetes-int-or-string`` (a CRD's own schema has both) stays, and so does data
    (``enum``, ``const``, ``default``). Core schemas are three-quarters descriptions: without
    them a pod-bearing kind compiles in 60% of the time and loads from the cache faster."""
    if not isinstance(schema, dict):
        return schema  # a boolean schema, or a keyword's list form this does not look into
    out: dict[str, Any] = {}
    for name, value in schema.items():
        if _annotation(name):
            continue
        if (name in _SCHEMA_MAPS or name in _DEFINITION_MAPS) and isinstance(value, dict):
            out[name] = {key: without_annotations(part) for key, part in value.items()}
        elif name in _SCHEMA_ONE:
            out[name] = without_annotations(value)
        elif name in _SCHEMA_LISTS and isinstance(value, list):
            out[name] = [without_annotations(part) for part in value]
        else:
            out[name] = value
    return out
