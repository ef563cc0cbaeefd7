"""The folded form jsonschema-rs compiles must give the original schema's verdict on every
object, and fold only what cannot change a verdict."""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from conftest import crd_manifest
from torghut_lint.schemas.folded import fold
from torghut_lint.schemas.openapi import to_json_schema
from torghut_lint.schemas.store import BUNDLED

CONTAINER = {
    "type": "object",
    "description": "A container.",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "description": "Its name."},
        "image": {"type": "string"},
        "args": {"type": "array", "items": {"type": "string"}},
        "description": {"type": "string"},  # a property named like the keyword: kept
    },
    "additionalProperties": False,
}


def _pod(description: str) -> dict[str, Any]:
    container = copy.deepcopy(CONTAINER)
    container["description"] = description
    return {"type": "array", "items": container}


SCHEMA = {
    "type": "object",
    "properties": {
        "containers": _pod("Main containers."),
        "initContainers": _pod("Run first."),
        "sidecars": {"type": "array", "items": copy.deepcopy(CONTAINER), "x-kubernetes-list-type": "map"},
        "flag": {"type": "boolean"},
    },
    "additionalProperties": False,
}


def _verdicts(schema: dict[str, Any], instances: list[Any]) -> list[bool]:
    validator = jsonschema_rs.validator_for(schema, validate_formats=False)
    return [validator.is_valid(i) for i in instances]


INSTANCES = [
    {},
    {"containers": [{"name": "a", "image": "x", "args": ["-v"], "description": "d"}]},
    {"initContainers": [{"name": "a"}], "sidecars": [{"name": "b"}]},
    {"sidecars": [{"image": "no-name"}]},  # required, inside a shared part
    {"initContainers": [{"name": "a", "imagePullPolicy": "Always"}]},  # unknown key inside a shared part
    {"containers": [{"name": 1}]},
    {"containers": [{"name": "a", "args": [1]}]},
    {"flag": "yes"},
    {"unknown": True},
]


def test_repeated_parts_are_defined_once_and_decide_the_same() -> None:
    folded = fold(SCHEMA)
    assert folded is not SCHEMA and "$ref" not in json.dumps(SCHEMA)
    lists = folded["properties"]
    # descriptions and an x- extension differed: annotations, so still one part
    assert lists["containers"] == lists["initContainers"] == lists["sidecars"] and set(lists["sidecars"]) == {"$ref"}
    (part,) = folded["$defs"].values()
    assert part["type"] == "array" and "x-kubernetes-list-type" not in part
    container = part["items"]
    assert "description" not in container and "description" in container["properties"]  # keyword gone, property kept
    assert (
        _verdicts(folded, INSTANCES)
        == _verdicts(SCHEMA, INSTANCES)
        == [
            True,
            True,
            True,
            False,
            False,
            False,
            False,
            False,
            False,
        ]
    )


def test_the_original_is_not_changed() -> None:
    before = json.dumps(SCHEMA, sort_keys=True)
    fold(SCHEMA)
    assert json.dumps(SCHEMA, sort_keys=True) == before


@pytest.mark.parametrize(
    "keyword",
    ["$ref", "$id", "$anchor", "$dynamicRef", "$schema", "$defs", "definitions", "unevaluatedProperties"],
)
def test_a_schema_whose_parts_could_be_pointed_at_is_left_alone(keyword: str) -> None:
    schema = copy.deepcopy(SCHEMA)
    schema["properties"]["containers"]["items"][keyword] = "#/properties/flag" if "ef" in keyword else False
    assert fold(schema) is schema


def test_small_repeated_parts_stay_inline() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}
    assert fold(schema) == schema  # nothing worth a reference


def test_boolean_subschemas_are_kept() -> None:
    schema = {"type": "object", "properties": {"a": False, "b": True}, "additionalProperties": False}
    assert fold(schema) == schema
    assert _verdicts(fold(schema), [{"a": 1}, {"b": 1}, {"c": 1}, {}]) == [False, True, False, True]


def _bundled(name: str) -> dict[str, Any]:
    return to_json_schema(json.loads(gzip.decompress((BUNDLED / "argoproj.io" / name).read_bytes())), strict=True)


APPLICATION_SET = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "ApplicationSet",
    "metadata": {"name": "apps"},
    "spec": {
        "generators": [
            {
                "matrix": {
                    "generators": [
                        {"list": {"elements": [{"cluster": "in-cluster"}]}},
                        {"git": {"repoURL": "https://example.com/r.git", "revision": "main", "files": [{"path": "a"}]}},
                    ]
                }
            }
        ],
        "template": {
            "metadata": {"name": "{{cluster}}"},
            "spec": {
                "project": "default",
                "source": {"repoURL": "https://example.com/r.git", "path": "apps", "targetRevision": "main"},
                "destination": {"server": "https://kubernetes.default.svc", "namespace": "x"},
            },
        },
    },
}


def _broken(instance: dict[str, Any], path: tuple, change: Any) -> dict[str, Any]:
    out = copy.deepcopy(instance)
    node = out
    for step in path[:-1]:
        node = node[step]
    if change is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = change
    return out


def test_heavy_catalog_schemas_shrink_and_keep_their_verdicts() -> None:
    """ApplicationSet repeats the Application template in every generator: folded it compiles
    from a fraction of the size, and a fault deep inside a repeated part is still found."""
    schema = _bundled("applicationset_v1alpha1.json.gz")
    folded = fold(schema)
    assert len(json.dumps(folded)) * 5 < len(json.dumps(schema))
    matrix = ("spec", "generators", 0, "matrix", "generators")
    instances = [
        APPLICATION_SET,
        _broken(APPLICATION_SET, ("spec", "template", "spec", "source", "pathh"), "apps"),
        _broken(APPLICATION_SET, (*matrix, 1, "git", "template"), {"spec": {"project": 1}}),
        _broken(APPLICATION_SET, (*matrix, 1, "git", "template"), {"metadata": {"labelz": {}}}),
        _broken(APPLICATION_SET, (*matrix, 0, "list", "template"), {"spec": {"source": {"repoURL": 5}}}),
        _broken(APPLICATION_SET, ("spec", "template", "spec", "project"), KeyError),
        _broken(APPLICATION_SET, (*matrix, 1, "git", "files", 0, "path"), KeyError),
    ]
    verdicts = _verdicts(schema, instances)
    assert _verdicts(folded, instances) == verdicts
    assert verdicts[0] is True and verdicts[1:].count(False) >= 5


def test_workflow_template_folds() -> None:
    schema = _bundled("workflowtemplate_v1alpha1.json.gz")
    folded = fold(schema)
    assert len(folded["$defs"]) > 20
    instance = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "WorkflowTemplate",
        "metadata": {"name": "w"},
        "spec": {"templates": [{"name": "main", "container": {"image": "busybox", "command": ["true"]}}]},
    }
    bad = _broken(instance, ("spec", "templates", 0, "container", "imagePullPolicyy"), "Always")
    other = _broken(instance, ("spec", "templates", 0, "script"), {"image": "b", "source": "x", "cmd": []})
    assert (
        _verdicts(folded, [instance, bad, other]) == _verdicts(schema, [instance, bad, other]) == [True, False, False]
    )


DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "ws"},
    "spec": {
        "selector": {"matchLabels": {"app": "ws"}},
        "template": {
            "metadata": {"labels": {"app": "ws"}},
            "spec": {"containers": [{"name": "ws", "image": "ws:1", "ports": [{"containerPort": 8080}]}]},
        },
    },
}
CONTAINER_PATH = ("spec", "template", "spec", "containers", 0)


def test_core_schemas_compile_standalone_with_the_same_verdicts() -> None:
    """A core kind's references into _definitions.json are copied in: no registry needed."""
    from torghut_lint.schemas.folded import standalone
    from torghut_lint.schemas.store import DEFINITIONS_REF, SchemaStore

    store = SchemaStore()
    schema, folded = store._core_schema("apps/v1", "Deployment")
    assert "/api/" not in json.dumps(folded) and "$id" not in folded
    assert "io.k8s.api.core.v1.Container" in folded["$defs"]  # reached through the pod template
    deployment = DEPLOYMENT
    instances = [
        deployment,
        _broken(deployment, (*CONTAINER_PATH, "imagePullPolicyy"), "Always"),
        _broken(deployment, (*CONTAINER_PATH, "ports", 0, "containerPort"), "http"),
        _broken(deployment, ("spec", "selector"), KeyError),
        _broken(deployment, ("spec", "replicas"), "2"),
    ]
    registry = store._core_definitions.fast
    reference = jsonschema_rs.validator_for(schema, registry=registry, validate_formats=False)
    assert _verdicts(folded, instances) == [reference.is_valid(i) for i in instances] == [True] + [False] * 4
    # a schema with local definitions, or a reference the definitions lack, is left alone
    assert standalone({"$defs": {}, "type": "object"}, {}, DEFINITIONS_REF) is None
    dangling = {"properties": {"a": {"$ref": DEFINITIONS_REF + "missing"}}}
    assert standalone(dangling, {}, DEFINITIONS_REF) is None


def test_the_definitions_are_read_only_when_a_verdict_needs_them(tmp_path: Path) -> None:
    """Warm, a core kind compiles from its cached standalone form: Kubernetes' 1.4 MB
    _definitions.json is read only to explain an invalid object (the reference engine follows
    the original's references into it), and the explanation is the same as with them read first."""
    from torghut_lint.cache import Cache
    from torghut_lint.schemas.store import SchemaStore

    cache = Cache(tmp_path)
    cold = SchemaStore(cache=cache)
    cold.validator("apps/v1", "Deployment")
    assert "documents" in vars(cold._core_definitions)  # the standalone form is made from them
    bad = _broken(DEPLOYMENT, (*CONTAINER_PATH, "ports", 0, "containerPort"), "http")

    warm = SchemaStore(cache=cache)
    validator = warm.validator("apps/v1", "Deployment")
    assert validator.is_valid(DEPLOYMENT) and list(validator.iter_errors(DEPLOYMENT)) == []
    assert "documents" not in vars(warm._core_definitions)
    errors = [(list(e.absolute_path), e.validator) for e in validator.iter_errors(bad)]
    assert "documents" in vars(warm._core_definitions)
    assert errors == [([*CONTAINER_PATH, "ports", 0, "containerPort"], "type")]
    first = cold.validator("apps/v1", "Deployment")
    assert errors == [(list(e.absolute_path), e.validator) for e in first.iter_errors(bad)]


def test_a_core_schema_that_cannot_stand_alone_compiles_with_the_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cold or warm, a kind whose standalone form cannot be made is compiled as it is, with the
    registry of every definition, and still decides."""
    from torghut_lint.cache import Cache
    from torghut_lint.schemas import store as store_module

    monkeypatch.setattr(store_module, "standalone", lambda *args: None)
    cache = Cache(tmp_path)
    for _ in ("cold", "warm"):
        validator = store_module.SchemaStore(cache=cache).validator("apps/v1", "Deployment")
        assert validator._folded is None and validator._fast is not None
        bad = _broken(APPLICATION_SET, ("kind",), "Deployment") | {"apiVersion": "apps/v1"}
        assert not validator._fast.is_valid(bad)
    assert cache.hits == 1


def test_a_core_schema_stands_alone_without_annotations_and_with_every_property_name() -> None:
    """Annotations go from a core kind's standalone form, in schema positions only: a CRD's own
    schema (JSONSchemaProps) has properties *named* description, title and x-kubernetes-*, and a
    CRD that uses them, or misspells one, gets the verdict the original schema gives."""
    from torghut_lint.schemas.store import SchemaStore

    store = SchemaStore()
    schema, folded = store._core_schema("apiextensions.k8s.io/v1", "CustomResourceDefinition")
    props = folded["$defs"]["io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps"]["properties"]
    assert {"description", "title", "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields"} <= set(props)
    assert '"description": "' in json.dumps(schema) and '"description": "' not in json.dumps(folded)
    meta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    owners = store._core_definitions.documents[0]["$defs"][meta]["properties"]["ownerReferences"]
    assert owners["x-kubernetes-patch-merge-key"] == "uid"
    assert set(folded["$defs"][meta]["properties"]["ownerReferences"]) == set(owners) - {
        "description",
        "x-kubernetes-patch-merge-key",
        "x-kubernetes-patch-strategy",
        "x-kubernetes-list-type",
        "x-kubernetes-list-map-keys",
    }
    column = {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp", "description": "age"}
    spec_schema = {
        "type": "object",
        "description": "a CRD's schema, described",
        "title": "Widget",
        "x-kubernetes-preserve-unknown-fields": True,
        "properties": {"size": {"type": "integer", "x-kubernetes-int-or-string": True, "description": "size"}},
    }
    crd = crd_manifest("example.com", "Widget", "v1", spec_schema, additionalPrinterColumns=[column])
    version = ("spec", "versions", 0)
    instances = [
        crd,
        _broken(crd, (*version, "schema", "openAPIV3Schema", "descripton"), "misspelt"),
        _broken(crd, (*version, "schema", "openAPIV3Schema", "description"), 7),
        _broken(crd, (*version, "additionalPrinterColumns", 0, "description"), ["not", "text"]),
    ]
    reference = jsonschema_rs.validator_for(schema, registry=store._core_definitions.fast, validate_formats=False)
    assert _verdicts(folded, instances) == [reference.is_valid(i) for i in instances] == [True, False, False, False]


def _made(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the full JSON Schemas the store makes from OpenAPI files from now on."""
    from torghut_lint.schemas import store as store_module

    made: list[int] = []
    convert = store_module.to_json_schema
    monkeypatch.setattr(store_module, "to_json_schema", lambda *args: made.append(1) or convert(*args))
    return made


def test_a_custom_kind_is_made_whole_only_to_explain_an_invalid_object(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Warm, a custom resource's kind compiles from its cached folded form: the full schema
    (ApplicationSet's is 10x its folded form) is made again from the file's bytes only when an
    invalid object needs explaining, and explains it as a run without the cache does. Bundled
    schemas and --schema-location files alike."""
    from torghut_lint.cache import Cache
    from torghut_lint.schemas.store import SchemaStore

    location = tmp_path / "schemas"
    (location / "example.com").mkdir(parents=True)
    widget = {"type": "object", "properties": {"spec": {"type": "object", "properties": {"size": {"type": "integer"}}}}}
    (location / "example.com" / "widget_v1.json").write_text(json.dumps(widget))
    cases = [
        (("argoproj.io/v1alpha1", "ApplicationSet"), APPLICATION_SET, ("spec", "template", "spec", "source", "pathh")),
        (("example.com/v1", "Widget"), {"kind": "Widget", "spec": {"size": 2}}, ("spec", "size")),
    ]
    cache = Cache(tmp_path / "cache")
    for (api_version, kind), good, where in cases:
        bad = _broken(good, where, "wrong")
        SchemaStore(cache=cache, locations=[location]).validator(api_version, kind)  # cold: made, folded, cached
        plain = SchemaStore(locations=[location]).validator(api_version, kind)  # no cache at all
        made = _made(monkeypatch)
        validator = SchemaStore(cache=cache, locations=[location]).validator(api_version, kind)
        assert validator.is_valid(good) and list(validator.iter_errors(good)) == [] and made == []
        errors = [(list(e.absolute_path), e.validator, e.message) for e in validator.iter_errors(bad)]
        assert errors and made == [1]
        assert errors == [(list(e.absolute_path), e.validator, e.message) for e in plain.iter_errors(bad)]
        monkeypatch.undo()


def test_a_custom_kind_that_does_not_fold_is_cached_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A schema folding must leave alone (it uses references of its own) is what jsonschema-rs
    compiles: cached whole, never made again."""
    from torghut_lint.cache import Cache
    from torghut_lint.schemas.store import SchemaStore

    location = tmp_path / "schemas"
    (location / "example.com").mkdir(parents=True)
    size = {"type": "integer"}
    gadget = {"type": "object", "$defs": {"size": size}, "properties": {"size": {"$ref": "#/$defs/size"}}}
    (location / "example.com" / "gadget_v1.json").write_text(json.dumps(gadget))
    cache = Cache(tmp_path / "cache")
    SchemaStore(cache=cache, locations=[location]).validator("example.com/v1", "Gadget")
    made = _made(monkeypatch)
    validator = SchemaStore(cache=cache, locations=[location]).validator("example.com/v1", "Gadget")
    assert [e.validator for e in validator.iter_errors({"size": "big"})] == ["type"] and validator.is_valid({"size": 3})
    assert made == [] and validator._folded is None and cache.hits == 1


def test_a_crd_of_the_tree_is_converted_and_folded_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CRD the tree holds is read like a schema file: its schema converted and folded on the
    first run, taken from the cache on the next while it is the same, made again once it changes."""
    from torghut_lint.cache import Cache
    from torghut_lint.schemas.store import SchemaStore

    openapi = {
        "type": "object",
        "properties": {"spec": {"type": "object", "properties": {"size": {"type": "integer"}}}},
    }
    cache = Cache(tmp_path / "cache")

    def store(schema: dict) -> SchemaStore:
        made = SchemaStore(cache=cache)
        made.add_crd_schema("example.com/v1", "Gadget", schema)
        return made

    store(openapi).validator("example.com/v1", "Gadget")
    made = _made(monkeypatch)
    validator = store(openapi).validator("example.com/v1", "Gadget")
    assert made == [] and cache.hits == 1
    assert validator.is_valid({"spec": {"size": 3}}) and not validator.is_valid({"spec": {"size": "big"}})
    changed = json.loads(json.dumps(openapi))
    changed["properties"]["spec"]["properties"]["size"]["type"] = "string"
    assert store(changed).validator("example.com/v1", "Gadget").is_valid({"spec": {"size": "big"}})
