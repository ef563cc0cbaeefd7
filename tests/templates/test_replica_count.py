"""Template ``replica-count`` (torghut_lint/templates/replica_count.py): the autoscalers that
target a workload, each asked once."""

from __future__ import annotations

import pytest

from torghut_lint.model import Resource
from torghut_lint.parse import parse_bytes
from torghut_lint.templates import replica_count
from torghut_lint.templates.base import RuleContext

PARAMS = {"count": 1, "allowAbsent": False}


def resources(text: str) -> list[Resource]:
    return [Resource(d.node, d.data) for d in parse_bytes(text.encode(), "all.yaml").documents]


def deployment(namespace: str) -> str:
    ns = f", namespace: {namespace}" if namespace else ""
    return f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: torghut-ws{ns}}}\nspec: {{replicas: 1}}\n"


def hpa(namespace: str, top: int = 3) -> str:
    ns = f", namespace: {namespace}" if namespace else ""
    return (
        f"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: h{ns}}}\n"
        f"spec: {{scaleTargetRef: {{kind: Deployment, name: torghut-ws}}, maxReplicas: {top}}}\n"
    )


def check(text: str) -> list:
    found = resources(text)
    workloads = [r for r in found if r.id.kind == "Deployment"]
    return list(replica_count.check(RuleContext(PARAMS, workloads, found, [])))


@pytest.mark.parametrize(
    ("workload", "scaler", "scaled"),
    [
        ("torghut", "torghut", True),
        ("torghut", "other", False),  # an autoscaler scales its own namespace's workload
        ("", "torghut", True),  # where either names none, both land in the destination namespace
        ("torghut", "", True),
        ("", "", True),
    ],
)
def test_an_autoscaler_scales_the_workload_of_its_namespace(workload: str, scaler: str, scaled: bool) -> None:
    assert bool(check(deployment(workload) + "---\n" + hpa(scaler))) is scaled


def test_each_autoscaler_is_asked_once_however_many_workloads_share_the_name(monkeypatch) -> None:
    """Thousands of workloads named torghut-ws and as many autoscalers: each autoscaler against
    its own workload (one scan), not against every workload (13 s for 8,000 documents)."""
    calls = []
    real = replica_count._scales_past
    monkeypatch.setattr(replica_count, "_scales_past", lambda *a: calls.append(a) or real(*a))
    n = 300
    text = "---\n".join(deployment(f"n{i}") + "---\n" + hpa(f"n{i}") for i in range(n))
    found = check(text)
    assert len(calls) == n
    assert len(found) == n  # one finding per autoscaler
    assert {v.resource.id.namespace for v in found} == {f"n{i}" for i in range(n)}


def test_the_context_indexes_kinds_and_namespaces_in_order() -> None:
    """``of_kind`` and ``namespace`` answer from one index per application (templates ask them per
    matched resource): the same answers as a scan, in order, the first Namespace of a name."""
    text = (
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: torghut, labels: {n: '1'}}\n---\n"
        + deployment("torghut")
        + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: torghut, labels: {n: '2'}}\n---\n"
        + deployment("other")
    )
    found = resources(text)
    ctx = RuleContext(PARAMS, found, found, [])
    for kind in ("Namespace", "Deployment", "Secret"):
        assert ctx.of_kind(kind) == [r for r in found if r.id.kind == kind]
    assert ctx.namespace("torghut").data["metadata"]["labels"] == {"n": "1"}
    assert ctx.namespace("other") is None and ctx.namespace("") is None


def test_a_workload_of_a_kind_nobody_knew_of_is_a_finding_whose_identity_is_its_spec() -> None:
    """A CloneSet running the websocket (given as unlisted: the policy names other kinds): how
    many pods it runs cannot be read, so it is a finding at its kind; what sets the count is not
    read either, so a change of its spec (3 replicas made 30) is a new finding, never the base's."""
    from torghut_lint.engine import _finding
    from torghut_lint.model import Severity
    from torghut_lint.policy import Match, Policy

    def found(replicas: int) -> list:
        clone = resources(
            "apiVersion: apps.kruise.io/v1alpha1\nkind: CloneSet\nmetadata: {name: feed, namespace: torghut}\n"
            f"spec:\n  replicas: {replicas}\n"
            "  template: {spec: {containers: [{name: ws, image: r/torghut-ws:1}]}}\n"
        )
        ctx = RuleContext(PARAMS, [], clone, [], unlisted=clone)
        return list(replica_count.check(ctx))

    three, thirty = found(3), found(30)
    assert [(v.path, v.requirement) for v in three] == [(("kind",), "kind")]
    policy = Policy("p", "replica-count", Severity.ERROR, "d", "r", "p.yaml", Match(), PARAMS)
    assert _finding(policy, three[0], None, False).digest != _finding(policy, thirty[0], None, False).digest
