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


def _check(text: str) -> list[tuple[tuple, str]]:
    from torghut_lint.templates.base import RuleContext
    from torghut_lint.templates.storage_budget import check

    found = [Resource(d.node, d.data) for d in parse_bytes(text.encode(), "x.yaml").documents]
    params = {
        "budgets": [{"kind": "Cluster", "perReplica": "5Gi"}],
        "appTotal": "100Gi",
        "flagUnreferencedTemplates": False,
    }
    return [(v.path, v.message) for v in check(RuleContext(params, found, found, []))]


CHI = """\
apiVersion: clickhouse.altinity.com/v1
kind: ClickHouseInstallation
metadata: {name: ch}
spec:
  configuration:
    clusters: [{name: c, layout: {replicasCount: 2}, templates: {dataVolumeClaimTemplate: data}}]
  templates:
    volumeClaimTemplates:
      - name: data
        spec: {resources: {requests: {storage: %s}}}
"""


@pytest.mark.parametrize(
    "text",
    [
        CHI % "20Gi0",
        CHI % "'0x500000000'",
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: p}\n"
        "spec: {resources: {requests: {storage: 5 Gi}}}\n",
        "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: db}\n"
        "spec: {instances: 2, storage: {size: 2GB}}\n",
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  volumeClaimTemplates:\n"
        "    - {metadata: {name: d}, spec: {resources: {requests: {storage: [1Gi]}}}}\n",
    ],
)
def test_a_storage_request_that_is_no_quantity_is_a_finding_not_a_pass(text: str) -> None:
    """A request the budget cannot read (``20Gi0``, hex, ``5 Gi``, ``2GB``, a list) was left out of
    the sums without a word: the gate said yes to what it could not measure."""
    (found,) = _check(text)
    assert "is not a Kubernetes quantity" in found[1], found


SCALED = """apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache, namespace: torghut}
spec:
  replicas: 2
  template: {spec: {containers: [{name: c, image: r:1, volumeMounts: [{name: d, mountPath: /d}]}]}}
  volumeClaimTemplates: [{metadata: {name: d}, spec: {resources: {requests: {storage: 1Gi}}}}]
"""


@pytest.mark.parametrize(
    ("scaler", "replicas", "unknown"),
    [
        ("", 2, 0),  # no autoscaler: its own replicas
        (
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h, namespace: torghut}\n"
            "spec: {scaleTargetRef: {kind: StatefulSet, name: cache}, maxReplicas: 7}\n",
            7,
            0,
        ),
        (
            "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: k}\n"  # its default, 100
            "spec: {scaleTargetRef: {kind: StatefulSet, name: cache}}\n",
            100,
            0,
        ),
        (
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h, namespace: other}\n"
            "spec: {scaleTargetRef: {kind: StatefulSet, name: cache}, maxReplicas: 7}\n",
            2,
            0,
        ),  # another namespace's
        (
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n"
            "spec: {scaleTargetRef: {kind: StatefulSet, name: cache}, maxReplicas: '7'}\n",
            2,
            1,
        ),  # no number: unknown
        (
            "apiVersion: example.com/v1\nkind: Scaler\nmetadata: {name: s}\n"
            "spec: {scaleTargetRef: {kind: StatefulSet, name: cache}}\n",
            2,
            1,
        ),
    ],
)
def test_a_volume_claim_template_counts_the_replicas_an_autoscaler_may_give(
    scaler: str, replicas: int, unknown: int
) -> None:
    from torghut_lint.templates.storage_budget import scaled_to

    found = [
        Resource(d.node, d.data)
        for d in parse_bytes((SCALED + "---\n" + scaler).encode(), "a.yaml").documents
        if d.data
    ]
    workload = found[0]
    tops, unbounded = scaled_to(found, [workload])
    assert [r.replicas for r in requests(workload, set(), scaled=tops)] == [replicas]
    assert len(unbounded) == unknown
