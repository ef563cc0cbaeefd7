"""Turn a CRD's ``openAPIV3Schema`` (or a CRDs-catalog JSON Schema) into a strict JSON Schema.

Kubernetes extensions become plain JSON Schema: ``x-kubernetes-int-or-string`` -> integer or
string, ``nullable`` -> null allowed, ``x-kubernetes-preserve-unknown-fields`` -> unknown
fields allowed there, ``x-kubernetes-embedded-resource`` -> apiVersion/kind/metadata allowed.
Strict mode closes every object that lists its properties (``additionalProperties: false``),
which is how a misspelled or misplaced field becomes a finding."""

from __future__ import annotations

from typing import Any

_META = {"type": "object"}


def to_json_schema(schema: Any, strict: bool, top: bool = True) -> Any:
    """A converted copy of ``schema``."""
    if isinstance(schema, list):
        return [to_json_schema(s, strict, False) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("properties", "patternProperties", "definitions", "$defs"):
            out[key] = (
                {k: to_json_schema(v, strict, False) for k, v in value.items()} if isinstance(value, dict) else value
            )
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            out[key] = to_json_schema(value, strict, False)
        else:
            out[key] = value
    if out.pop("x-kubernetes-int-or-string", False) and "type" not in out and "anyOf" not in out:
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if out.pop("nullable", False) and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    preserve = out.pop("x-kubernetes-preserve-unknown-fields", False)
    embedded = out.pop("x-kubernetes-embedded-resource", False)
    if embedded or top:
        props = out.setdefault("properties", {})
        for name in ("apiVersion", "kind"):
            props.setdefault(name, {"type": "string"})
        props.setdefault("metadata", _META)
    if strict and not preserve and "properties" in out and "additionalProperties" not in out:
        if out.get("type", "object") == "object" or out.get("type") == ["object", "null"]:
            out["additionalProperties"] = False
    if preserve and out.get("additionalProperties") is False:
        del out["additionalProperties"]
    return out


def crd_versions(crd: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(group, kind, version, openAPIV3Schema) for every served version of a CRD manifest."""
    spec = crd.get("spec") if isinstance(crd.get("spec"), dict) else {}
    group = spec.get("group")
    kind = (spec.get("names") or {}).get("kind") if isinstance(spec.get("names"), dict) else None
    if not isinstance(group, str) or not isinstance(kind, str):
        return []
    out = []
    shared = (spec.get("validation") or {}).get("openAPIV3Schema") if isinstance(spec.get("validation"), dict) else None
    for version in spec.get("versions") or []:
        if not isinstance(version, dict) or not isinstance(version.get("name"), str):
            continue
        schema = ((version.get("schema") or {}).get("openAPIV3Schema")) or shared
        if isinstance(schema, dict):
            out.append((group, kind, version["name"], schema))
    return out
