"""Where strategic merge gets each list's keys (torghut_lint/kustomize/merge_schema.py): the
Kubernetes schema walked from the kind, at the version standing for kustomize's own."""

from __future__ import annotations

import pytest

from torghut_lint.kustomize import merge_schema
from torghut_lint.kustomize.merge_schema import child, items, kind_schema, merge_keys


def pod_spec(api: str = "apps/v1", kind: str = "Deployment"):
    return child(child(child(kind_schema(api, kind), "spec"), "template"), "spec")


@pytest.mark.parametrize(
    ("field", "keys"),
    [
        ("containers", ("name",)),
        ("volumes", ("name",)),
        ("imagePullSecrets", ("name",)),
        ("topologySpreadConstraints", ("topologyKey", "whenUnsatisfiable")),
        ("tolerations", None),  # atomic: replaced
        ("schedulingGates", None),  # merged by Kubernetes since 1.26, unknown to kustomize's schema
    ],
)
def test_pod_lists(field: str, keys) -> None:
    assert merge_keys(child(pod_spec(), field)) == keys


def test_the_same_name_in_another_type_is_another_list() -> None:
    container = items(child(pod_spec(), "containers"))
    assert merge_keys(child(container, "ports")) == ("containerPort", "protocol")
    assert merge_keys(child(child(kind_schema("v1", "Service"), "spec"), "ports")) == ("port", "protocol")
    assert merge_keys(child(kind_schema("v1", "ServiceAccount"), "imagePullSecrets")) is None
    assert merge_keys(child(child(kind_schema("v1", "ConfigMap"), "metadata"), "finalizers")) == ()


def test_custom_resources_and_unknown_versions_have_no_schema() -> None:
    assert kind_schema("example.com/v1", "Widget") is None
    assert kind_schema("apps/v1", "Widget") is None
    assert kind_schema("apps/v9", "Deployment") is None  # no schema for that version
    assert merge_keys(child(None, "spec")) is None


def test_without_1_25_the_oldest_schemas_stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(merge_schema, "KUSTOMIZE_OPENAPI", "1.2")
    merge_schema._core_dir.cache_clear()
    try:
        oldest = merge_schema._core_dir()
        assert oldest is not None and oldest.name.startswith("v1.")
        monkeypatch.setattr(merge_schema, "KUSTOMIZE_OPENAPI", "1.25")
        merge_schema._core_dir.cache_clear()
        assert merge_schema._core_dir().name == "v1.25.0-local"
        assert oldest == merge_schema._core_dir()  # 1.25 is the oldest this kubernetes-validate ships
    finally:
        merge_schema._core_dir.cache_clear()
