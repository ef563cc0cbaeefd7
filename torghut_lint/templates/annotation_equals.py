"""Template ``annotation-equals``: an annotation has exactly one value, at exactly one place.

A key set at another ``annotations`` map of the resource (where the controller ignores it) is
called out as misplaced. A controller that reads a setting under several spellings (Knative reads
``autoscaling.knative.dev/max-scale`` before its older ``maxScale``) is held to every spelling:
whichever it prefers, none may carry another value (``maxScale: "1"`` beside ``max-scale: "10"``
runs ten)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from torghut_lint.k8s import get_path
from torghut_lint.model import Path_, dotted
from torghut_lint.templates.base import RuleContext, Template, Violation


def _annotation_maps(data: object, path: Path_ = ()) -> Iterator[tuple[Path_, dict]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "annotations" and isinstance(value, dict):
                yield path + (key,), value
            yield from _annotation_maps(value, path + (key,))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _annotation_maps(item, path + (i,))


def check(ctx: RuleContext) -> Iterator[Violation]:
    path: Path_ = tuple(ctx.params["path"].split("."))
    key, want = ctx.params["key"], ctx.params["value"]
    spellings = (key, *ctx.params.get("synonyms", ()))
    for res in ctx.matched:
        annotations = get_path(res.data, path)
        present = [k for k in spellings if k in annotations] if isinstance(annotations, dict) else []
        for k in present:
            have = annotations[k]
            if not isinstance(have, str) or have != want:
                shown = have if isinstance(have, str) else f"{have!r} (not a string)"
                yield Violation(res, path + (k,), f"{k} is {shown}; it must be {want!r}", fixable=True)
        if present:
            continue
        misplaced = [(p, k) for p, ann in _annotation_maps(res.data) if p != path for k in spellings if k in ann]
        if misplaced:
            where, k = misplaced[0]
            yield Violation(
                res,
                where + (k,),
                f"{k} is set at {dotted(where)}, where it has no effect; it must be {want!r} at {dotted(path)}",
                fixable=True,
            )
        elif get_path(res.data, path[:-1]) is not None and annotations is None:
            yield Violation(res, path, f"{dotted(path)} is empty or null; {key} must be {want!r} there", fixable=True)
        else:
            yield Violation(res, path, f"{key} is missing; it must be {want!r} at {dotted(path)}", fixable=True)


def fix(params: dict, doc: Any, mapping: Any, key: Any) -> str | None:
    """A spelling that counts set to the value where it stands; else the annotation set at
    ``path`` and removed from a map where it has no effect."""
    from torghut_lint.fix import ensure_mapping, mappings_of, string_like

    want_key, value = params["key"], params["value"]
    spellings = (want_key, *params.get("synonyms", ()))
    target = doc
    for step in params["path"].split("."):
        target = ensure_mapping(target, step)
    if key in spellings and mapping is target:
        mapping[key] = string_like(mapping[key], value)
        return f"{key} set to {value!r} at {params['path']}"
    moved = ""
    for other, k in mappings_of(doc):
        if k in spellings and other is not target:
            del other[k]
            moved = " (moved from where it had no effect)"
            break
    target[want_key] = string_like(target.get(want_key), value)
    return f"{want_key} set to {value!r} at {params['path']}{moved}"


PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["path", "key", "value"],
    "properties": {
        "path": {
            "type": "string",
            "description": "dotted path of the annotations map that counts, e.g. spec.template.metadata.annotations",
        },
        "key": {"type": "string", "description": "the annotation key (the spelling a fix writes)"},
        "synonyms": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": (
                "other spellings the controller reads for the same setting (deprecated or newer keys): "
                "each one set must carry the value too"
            ),
        },
        "value": {"type": "string", "description": "the only value allowed"},
    },
}

TEMPLATE = Template(
    "annotation-equals",
    "An annotation has exactly one value, at exactly one place.",
    PARAMS_SCHEMA,
    check,
    fix=fix,
)
