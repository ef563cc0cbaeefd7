"""jsonschema-rs answers "valid" early, jsonschema (the reference) explains: both must give the same
verdict on every resource, valid or broken, for core kinds and CRDs alike."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, FIXTURES, SHARED, needs_corpus
from torghut_lint.assemble import load
from torghut_lint.kustomize.reading import resources_of
from torghut_lint.model import Resource
from torghut_lint.parse import parse_file
from torghut_lint.schemas.compiled import CompiledSchema, compiled
from torghut_lint.schemas.store import SchemaStore

CATALOG = SHARED / "schemas" / "crds-catalog"


def _store(locations: list[Path]) -> SchemaStore:
    store = SchemaStore(locations=locations)
    for file in sorted((FIXTURES / "crds").glob("*.yaml")):
        for crd in resources_of(parse_file(file, file.name), []):
            store.add_crd(crd.data)
    return store


def _pairs(roots: list[Path], store: SchemaStore) -> list[tuple[Resource, CompiledSchema]]:
    project = load(roots)
    found = []
    for res in project.resources + project.orphans:
        schema = store.validator(res.id.api_version, res.id.kind)
        if schema is not None:
            found.append((res, schema))
    return found


def _verdicts(schema: CompiledSchema, instance: Any) -> tuple[bool, bool]:
    assert schema._fast is not None, "jsonschema-rs could not compile a schema jsonschema takes"
    return schema._fast.is_valid(instance), schema._reference.is_valid(instance)


FIXTURE_PAIRS = _pairs([FIXTURES / "torghut", FIXTURES / "drifted", FIXTURES / "variants"], _store([]))


def test_fixture_resources_get_the_same_verdict() -> None:
    assert len(FIXTURE_PAIRS) > 50
    verdicts = [_verdicts(schema, res.data) for res, schema in FIXTURE_PAIRS]
    assert all(fast == reference for fast, reference in verdicts)
    assert {reference for _, reference in verdicts} == {True, False}  # both verdicts are exercised


def _mutate(data: Any, draw: Any) -> Any:
    """A copy with one value somewhere replaced (wrong type, unknown key, removed key)."""
    data = copy.deepcopy(data)
    node = data
    for _ in range(draw(st.integers(0, 8))):
        children = (
            list(node.items()) if isinstance(node, dict) else list(enumerate(node)) if isinstance(node, list) else []
        )
        containers = [(k, v) for k, v in children if isinstance(v, (dict, list)) and v]
        if not containers:
            break
        _, node = draw(st.sampled_from(containers))
    if isinstance(node, dict) and node:
        key = draw(st.sampled_from(sorted(node)))
        action = draw(st.sampled_from(["retype", "unknown", "delete"]))
        if action == "delete":
            del node[key]
        elif action == "unknown":
            node[key + "x"] = node[key]
        else:
            node[key] = draw(st.one_of(st.integers(), st.text(max_size=5), st.booleans(), st.none(), st.just([1])))
    elif isinstance(node, list) and node:
        node[draw(st.integers(0, len(node) - 1))] = draw(st.one_of(st.integers(), st.text(max_size=5), st.none()))
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_mutated_resources_get_the_same_verdict(data: st.DataObject) -> None:
    res, schema = data.draw(st.sampled_from(FIXTURE_PAIRS))
    instance = _mutate(res.data, data.draw)
    fast, reference = _verdicts(schema, instance)
    assert fast == reference


def test_nan_falls_back_to_the_reference() -> None:
    """jsonschema-rs rejects NaN as a number, jsonschema accepts it: the reference verdict wins."""
    schema = compiled({"type": "object", "properties": {"x": {"type": "number"}}})
    assert schema._fast is not None and not schema._fast.is_valid({"x": float("nan")})
    assert schema.is_valid({"x": float("nan")}) and list(schema.iter_errors({"x": float("nan")})) == []


def test_schema_only_jsonschema_compiles_is_still_checked() -> None:
    """A pattern jsonschema-rs's regex engine refuses leaves the reference engine deciding alone."""
    schema = CompiledSchema({"type": "object", "patternProperties": {"^(?P<c>a)(?P=c)$": {"type": "string"}}})
    assert schema._fast is None
    assert not schema.is_valid({"aa": 1}) and schema.is_valid({"aa": "b"})
    assert [e.validator for e in schema.iter_errors({"aa": 1})] == ["type"]


@needs_corpus
@pytest.mark.skipif(not CATALOG.is_dir(), reason="../shared/schemas/crds-catalog is not present")
def test_whole_lab_corpus_gets_the_same_verdict() -> None:
    pairs = _pairs([CORPUS / "lab-argocd-2026-08-22", CORPUS / "torghut-2026-02-08"], _store([CATALOG]))
    assert len(pairs) > 700
    mismatched = [
        (str(res.location), fast, ref)
        for res, schema in pairs
        for fast, ref in [_verdicts(schema, res.data)]
        if fast != ref
    ]
    assert mismatched == []
