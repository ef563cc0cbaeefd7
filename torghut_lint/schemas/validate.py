"""Validate resources against their schemas; every error becomes a located finding.

Messages never quote the offending value (it could be a secret): they name the field, what the
schema expects, and for unknown fields the closest known name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from torghut_lint.builtin_rules import builtin_finding
from torghut_lint.k8s import label_value_problem, qualified_name_problem
from torghut_lint.model import Finding, Resource, digest_of, dotted, keyed, value_at
from torghut_lint.schemas.store import SchemaStore

MAX_ERRORS_PER_RESOURCE = 20


def _kind_of(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _unknown_fields(error: Any) -> list[tuple[str, list[str]]]:
    """(unknown key, known keys) for an additionalProperties error."""
    props = error.schema.get("properties") or {}
    patterns = list((error.schema.get("patternProperties") or {}).keys())
    instance = error.instance if isinstance(error.instance, dict) else {}
    return [(key, list(props)) for key in instance if key not in props and not any(re.search(p, key) for p in patterns)]


def _homes(schema: Any, key: str, prefix: tuple = (), depth: int = 0) -> list[tuple]:
    """Paths where an inline schema defines property ``key`` (to say where a misplaced block belongs)."""
    if not isinstance(schema, dict) or depth > 10:
        return []
    found = []
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    if key in props:
        found.append(prefix + (key,))
    for name, sub in props.items():
        found += _homes(sub, key, prefix + (name,), depth + 1)
    items = schema.get("items")
    if isinstance(items, dict):
        found += _homes(items, key, prefix + (0,), depth + 1)
    return found


def _explain(error: Any) -> str:
    v, expected = error.validator, error.validator_value
    if v == "type":
        want = " or ".join(t for t in ([expected] if isinstance(expected, str) else expected) if t != "null")
        return f"must be {want}, not {_kind_of(error.instance)}"
    if v == "enum":
        return "must be one of " + ", ".join(repr(e) for e in expected[:10])
    if v == "required":
        return error.message.replace("is a required property", "is required")
    if v in ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "pattern", "format"):
        return f"violates {v} {expected!r}"
    if v in ("oneOf", "anyOf"):
        return "matches none of the allowed forms"
    return f"violates {v}"


def _hint(key: str, known: list[str], path: tuple, root_schema: Any) -> str:
    homes = [h for h in _homes(root_schema, key) if h[:-1] != path]
    if homes:
        where = dotted(homes[0]).replace("[0]", "[]")
        return f" (it belongs at {where})"
    import difflib  # only when there is an unknown field to explain

    close = difflib.get_close_matches(key, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _without_nulls(value: Any) -> Any:
    """A custom resource as the API server validates it: fields set to null are pruned first
    (``affinity: {nodeSelector: null}`` is a server-side-apply idiom, not an error)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def validate_resource(res: Resource, validator: Any) -> Iterator[Finding]:
    instance = _without_nulls(res.data) if getattr(validator, "custom", False) else res.data
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    for count, error in enumerate(errors):
        if count >= MAX_ERRORS_PER_RESOURCE:
            rest = len(errors) - count
            yield builtin_finding("schema-invalid", f"{rest} more schema error(s) not shown", res.locate(()), res.id)
            return
        path = tuple(error.absolute_path)
        where = dotted(path) or "(top level)"
        if error.validator == "additionalProperties" and error.validator_value is False:
            for key, known in _unknown_fields(error):
                suggestion = _hint(key, known, path, validator.schema)
                finding = builtin_finding(
                    "schema-unknown-field",
                    f"{res.id.kind} {res.id.name}: unknown field {key!r} in {where}{suggestion}; "
                    "Kubernetes drops or rejects it",
                    res.locate(path + (key,)),
                    res.id,
                    dotted(path + (key,)),
                )
                finding.key = keyed(res.data, path + (key,))
                yield finding
            continue
        finding = builtin_finding(
            "schema-invalid", f"{res.id.kind} {res.id.name}: {where} {_explain(error)}", res.locate(path), res.id, where
        )
        finding.key = f"{keyed(res.data, path)}#{error.validator}"
        finding.digest = digest_of(value_at(res.data, path))
        yield finding


def validate_all(resources: list[Resource], store: SchemaStore, report_missing: bool) -> list[Finding]:
    """Findings for every resource; kinds without a schema are reported once each."""
    findings: list[Finding] = []
    missing: dict[tuple[str, str], Resource] = {}
    for res in resources:
        rid = res.id
        validator = store.validator(rid.api_version, rid.kind)
        if validator is None:
            missing.setdefault((rid.api_version, rid.kind), res)
            continue
        findings.extend(validate_resource(res, validator))
    if report_missing:
        findings += [missing_schema(res) for res in missing.values()]
    return findings


MAX_ANNOTATIONS_BYTES = 256 * 1024  # the API server's limit on one object's annotations, keys and values
# the pod templates of the kinds whose templates the API server validates as objects of their own
_TEMPLATES = {
    **{
        (api, kind): ("spec", "template")
        for api in ("apps/v1",)
        for kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")
    },
    ("batch/v1", "Job"): ("spec", "template"),
    ("v1", "ReplicationController"): ("spec", "template"),
    ("v1", "PodTemplate"): ("template",),
    ("batch/v1", "CronJob"): ("spec", "jobTemplate", "spec", "template"),
}


def metadata_problems(resources: list[Resource]) -> list[Finding]:
    """``schema-invalid`` for what the API server refuses in an object's ``metadata`` whatever its
    kind (its schema does not say it): a label key that is no qualified name or a value that is no
    label value, an annotation key (any case) that is no qualified name, annotations over 256 KiB;
    and the same in the pod template of the built-in workload kinds. Argo CD's sync fails on such
    an object: a gate that said yes would ship a deploy that cannot be applied."""
    findings: list[Finding] = []
    for res in resources:
        meta = res.data.get("metadata")
        if isinstance(meta, dict) and (meta.get("labels") or meta.get("annotations")):
            findings += _meta_problems(res, ("metadata",), meta)
        template = _TEMPLATES.get((res.id.api_version, res.id.kind))
        if template is not None and isinstance(meta := value_at(res.data, (*template, "metadata")), dict):
            findings += _meta_problems(res, (*template, "metadata"), meta)
    return findings


def _meta_problems(res: Resource, at: tuple, meta: dict) -> Iterator[Finding]:
    labels, annotations = meta.get("labels"), meta.get("annotations")
    for key, value in labels.items() if isinstance(labels, dict) else ():
        if (why := qualified_name_problem(str(key))) is not None:
            yield _refused(res, at + ("labels", key), f"the label key {str(key)!r} {why}")
        elif isinstance(value, str) and (why := label_value_problem(value)) is not None:
            yield _refused(res, at + ("labels", key), f"the value of the label {str(key)!r} {why}")
    if isinstance(annotations, dict):
        for key in annotations:
            if (why := qualified_name_problem(str(key).lower())) is not None:
                yield _refused(res, at + ("annotations", key), f"the annotation key {str(key)!r} {why}")
        texts = [str(text) for pair in annotations.items() for text in pair]
        could_exceed = sum(map(len, texts)) * 4 > MAX_ANNOTATIONS_BYTES  # (UTF-8 takes at most 4 bytes a character)
        if could_exceed and (size := sum(len(t.encode()) for t in texts)) > MAX_ANNOTATIONS_BYTES:
            yield _refused(res, at + ("annotations",), f"the annotations are {size:,} bytes, over 256 KiB")


def _refused(res: Resource, path: tuple, what: str) -> Finding:
    finding = builtin_finding(
        "schema-invalid",
        f"{res.id.kind} {res.id.name}: {what}; the API server refuses the object",
        res.locate(path),
        res.id,
        dotted(path),
    )
    finding.key = keyed(res.data, path)
    return finding


def missing_schema(res: Resource) -> Finding:
    """Reported once per kind, at its first-located resource: the kind is the subject (which
    resource comes first must not change the finding's identity)."""
    rid = res.id
    finding = builtin_finding(
        "schema-missing",
        f"no schema for {rid.kind} ({rid.api_version}): not validated; add --schema-location or --crd "
        "(or --ignore-missing-schemas)",
        res.locate(("kind",)),
        rid,
    )
    finding.subject = f"kind:{rid.api_version}/{rid.kind}"
    return finding


def once_per_kind(findings: list[Finding]) -> list[Finding]:
    """Keep the first-located schema-missing finding of each kind (parts validated separately)."""
    first: dict[tuple[str, str], Finding] = {}
    for f in findings:
        if f.rule == "schema-missing" and f.resource is not None:
            key = (f.resource.api_version, f.resource.kind)
            if key not in first or f.sort_key() < first[key].sort_key():
                first[key] = f
    kept = set(map(id, first.values()))
    return [f for f in findings if f.rule != "schema-missing" or id(f) in kept]
