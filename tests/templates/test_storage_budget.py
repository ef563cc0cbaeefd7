"""Template ``storage-budget`` (torghut_lint/templates/storage_budget.py): the size the operator
provisions, wherever the manifest writes it."""

from __future__ import annotations

import pytest

from torghut_lint.model import Resource
from torghut_lint.parse import parse_bytes
from torghut_lint.templates.storage_budget import requests


def cluster(storage: str) -> Resource:
    text = f"apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {{name: db}}\nspec:\n  instances: 3\n{storage}"
    doc = parse_bytes(text.encode(), "db.yaml").documents[0]
    return Resource(doc.node, doc.data)


TEMPLATE = "    pvcTemplate: {resources: {requests: {storage: 50Gi}}}\n"


@pytest.mark.parametrize(
    ("storage", "where", "size"),
    [
        ("  storage:\n    size: 2Gi\n", ("spec", "storage", "size"), "2Gi"),
        ("  storage:\n" + TEMPLATE, ("spec", "storage", "pvcTemplate", "resources", "requests", "storage"), "50Gi"),
        # CloudNativePG writes size over the template's request
        ("  storage:\n    size: 2Gi\n" + TEMPLATE, ("spec", "storage", "size"), "2Gi"),
    ],
)
def test_a_cloudnativepg_volume_is_its_size_else_its_templates_request(storage, where, size) -> None:
    from torghut_lint.k8s import parse_quantity

    (found,) = requests(cluster(storage), set())
    assert (found.path, found.size, found.replicas) == (where, parse_quantity(size), 3)
