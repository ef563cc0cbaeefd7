"""Policy evaluation (torghut_lint/engine.py): which resources a policy sees, and what a template
that breaks on a shape it did not expect produces (a located, blocking finding, never a pass)."""

from __future__ import annotations

from pathlib import Path

import pytest

from torghut_lint.assemble import App, Project
from torghut_lint.engine import KindIndex, evaluate
from torghut_lint.model import Resource, Severity
from torghut_lint.parse import parse_bytes
from torghut_lint.policy import Match, Policy


def resources(text: str) -> list[Resource]:
    return [Resource(d.node, d.data) for d in parse_bytes(text.encode(), "app/all.yaml").documents]


TREE = resources(
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: torghut-ws, namespace: torghut}\n"
    "spec: {replicas: 2, template: {spec: {containers: [{name: ws, image: ws:1}]}}}\n"
    "---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: clickhouse, namespace: torghut}\n"
    "spec: {replicas: 3, template: {spec: {containers: [{name: ch, image: ch:1}]}}}\n"
    "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: torghut-config, namespace: other}\ndata: {a: b}\n"
)


def policy(match: dict, template: str = "replica-count", params: dict | None = None) -> Policy:
    return Policy(
        id="p",
        template=template,
        severity=Severity.ERROR,
        description="d",
        rationale="r",
        source="p.yaml",
        match=Match.from_dict(match),
        params=params if params is not None else {"count": 1},
    )


@pytest.mark.parametrize(
    ("match", "names"),
    [
        ({"kind": "Deployment"}, ["torghut-ws"]),
        ({"kind": ["Deployment", "StatefulSet"]}, ["torghut-ws", "clickhouse"]),
        ({"kind": "*Set"}, ["clickhouse"]),  # a glob: every kind is a candidate
        ({"name": "torghut-*"}, ["torghut-ws", "torghut-config"]),
        ({"namespace": "torghut", "name": "c?ickhouse"}, ["clickhouse"]),
        ({"apiVersion": "apps/*"}, ["torghut-ws", "clickhouse"]),
        ({"kind": "Deployment", "name": "torghut-w"}, []),  # a plain pattern matches only itself
        ({}, ["torghut-ws", "clickhouse", "torghut-config"]),
        ({"image": "docker.io/library/ch"}, ["clickhouse"]),  # ch:1 is Docker Hub's library/ch
        ({"image": "*/ws"}, ["torghut-ws"]),
        ({"image": "ws"}, []),  # a repository, normalised: never the short spelling
        ({"any": [{"name": "clickhouse"}, {"image": "*/ws"}]}, ["torghut-ws", "clickhouse"]),
        ({"kind": "Deployment", "any": [{"name": "clickhouse"}, {"image": "*/ch"}]}, []),  # and the rest
        ({"within": {"namespaces": "none", "images": "*/library/c*"}}, ["clickhouse"]),
        ({"within": {"namespaces": "other", "images": "*/ws"}}, ["torghut-ws", "torghut-config"]),
    ],
)
def test_candidates_are_what_the_match_selects(match: dict, names: list[str]) -> None:
    assert [r.id.name for r in KindIndex(TREE).candidates(policy(match))] == names


def test_findings_are_located_and_the_evaluated_resources_recorded() -> None:
    project = Project(apps=[App("app", root=None, resources=TREE)])  # type: ignore[arg-type]
    evaluated: dict = {}
    findings = evaluate(project, [policy({"kind": ["Deployment", "StatefulSet"]})], evaluated)
    assert [r.name for r in evaluated["p"]] == ["torghut-ws", "clickhouse"]
    assert sorted((f.rule, f.resource.name, f.location.line) for f in findings) == [
        ("p", "clickhouse", 9),
        ("p", "torghut-ws", 4),
    ]


def test_a_template_only_sees_the_kinds_it_declares() -> None:
    """flink-durability evaluates FlinkDeployments: a policy matching everything still hands it
    nothing else."""
    project = Project(apps=[App("app", root=None, resources=TREE)])  # type: ignore[arg-type]
    evaluated: dict = {}
    assert evaluate(project, [policy({}, "flink-durability", {})], evaluated) == []
    assert evaluated == {"p": []}


def test_a_template_that_breaks_fails_closed_at_the_application(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from torghut_lint.templates import load_template

    template = load_template("replica-count")

    def broken(ctx):  # noqa: ANN001, ANN202 - a template meeting a shape it did not expect
        raise TypeError("unexpected shape")

    monkeypatch.setattr("torghut_lint.engine.load_template", lambda name: replace(template, check=broken))
    project = Project(
        apps=[App("argocd/applications/torghut", root=Path("argocd/applications/torghut"), resources=TREE)]
    )
    (finding,) = evaluate(project, [policy({"kind": "Deployment"})])
    assert finding.severity == Severity.ERROR and finding.rule == "p"
    assert finding.location.file == "argocd/applications/torghut"
    assert "TypeError in template replica-count" in finding.message


def test_a_disabled_policy_is_not_evaluated() -> None:
    project = Project(apps=[App("app", root=None, resources=TREE)])  # type: ignore[arg-type]
    off = policy({"kind": "Deployment"})
    off.enabled = False
    evaluated: dict = {}
    assert evaluate(project, [off], evaluated) == [] and evaluated == {}


def test_within_matches_what_fnmatch_says_for_every_pattern() -> None:
    """``within`` namespaces and applications are globs: one combined expression per policy
    decides as ``fnmatchcase`` over each pattern would."""
    import fnmatch
    import itertools

    import yaml as pyyaml

    from torghut_lint.model import Resource
    from torghut_lint.policy import Match

    namespaces = ["torghut", "torghut-ta", "torghutx", "other", "", "torghut-"]
    apps = ["/r/apps/torghut", "/r/apps/torghut/ws", "/r/apps/torghut-sim", "/r/apps/other", "", "/torghut"]
    within = {"namespaces": ["torghut", "torghut-*"], "applications": ["*/torghut", "*/torghut/*", "*/torghut-*"]}
    match = Match.from_dict({"within": within})
    for namespace, app in itertools.product(namespaces, apps):
        data = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": namespace}}
        res = Resource(pyyaml.compose("a: 1"), data, app_path=app)
        want = any(fnmatch.fnmatchcase(namespace, p) for p in within["namespaces"]) or any(
            fnmatch.fnmatchcase(app, p) for p in within["applications"]
        )
        assert match.matches(res) == want, (namespace, app)
    only_apps = Match.from_dict({"within": {"applications": ["*/torghut"]}})
    res = Resource(pyyaml.compose("a: 1"), {"metadata": {"namespace": "torghut"}}, app_path="/x/other")
    assert not only_apps.matches(res)  # no namespace patterns: a namespace alone never matches


def test_identity_patterns_match_what_fnmatch_says_asked_again_and_again() -> None:
    """apiVersion, kind, name and namespace patterns: each set list tested as ``fnmatchcase``
    over its patterns would, an unset one matching anything, whatever was asked before."""
    import fnmatch
    import itertools

    import yaml as pyyaml

    from torghut_lint.model import Resource
    from torghut_lint.policy import Match

    raw = {"apiVersion": ["apps/*", "v1"], "kind": ["Deployment", "Stat*Set"], "name": "torghut-?s"}
    match = Match.from_dict(raw)
    values = list(
        itertools.product(["apps/v1", "v1", "batch/v1"], ["Deployment", "StatefulSet", "Job"], ["torghut-ws", "ws"])
    )
    for _ in range(2):
        for api_version, kind, name in values:
            data = {"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "namespace": "any"}}
            res = Resource(pyyaml.compose("a: 1"), data)
            want = all(
                any(fnmatch.fnmatchcase(value, p) for p in ([patterns] if isinstance(patterns, str) else patterns))
                for value, patterns in zip((api_version, kind, name), raw.values(), strict=True)
            )
            assert match.matches(res) == want, (api_version, kind, name)


@pytest.mark.parametrize(
    ("written", "rendered", "raw", "matched"),
    [
        (("torghut-ws", ""), ("torghut-ws-v2", "torghut"), {"name": "torghut-ws"}, True),  # nameSuffix
        (("torghut-ws", ""), ("prod-torghut-ws", "torghut"), {"name": "torghut-ws"}, True),  # namePrefix
        (("ws", "torghut"), ("ws", "trading"), {"namespace": "torghut"}, True),  # a namespace transformer
        (("ws", ""), ("torghut-ws", "torghut"), {"name": "torghut-ws"}, True),  # renamed into the pattern
        (("other", ""), ("other-v2", "torghut"), {"name": "torghut-ws"}, False),
        (("", ""), ("other", "torghut"), {"name": "torghut-ws"}, False),  # nothing written (a direct object)
        (("torghut-ws", ""), ("torghut-ws-v2", "torghut"), {"name": "torghut-ws", "kind": "StatefulSet"}, False),
    ],
)
def test_names_and_namespaces_match_as_rendered_or_as_written(written, rendered, raw, matched) -> None:
    """A kustomization's rename (prefix, suffix, namespace) does not take an object out of a
    policy that names it: the object as written is matched too."""
    import yaml as pyyaml

    data = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": rendered[0], "namespace": rendered[1]}}
    res = Resource(pyyaml.compose("a: 1"), data, origin_name=written[0], origin_namespace=written[1])
    assert Match.from_dict(raw).matches(res) is matched


def test_a_scope_answered_for_one_resource_is_asked_again_for_each_scope_and_application() -> None:
    """``within`` is answered once per resource and scope (policies share one), never carried over
    to another scope, another application or values that replaced the resource's."""
    import yaml as pyyaml

    from torghut_lint.model import Resource

    data = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "other"}}
    res = Resource(pyyaml.compose("a: 1"), data, app_path="/r/apps/torghut")
    by_app = Match.from_dict({"within": {"applications": ["*/torghut"]}})
    by_namespace = Match.from_dict({"within": {"namespaces": ["torghut"]}})
    assert by_app.matches(res) and not by_namespace.matches(res)
    res.app_path = "/r/apps/other"  # the same object checked as part of another application
    assert not by_app.matches(res)
    res.data = {**data, "metadata": {"name": "c", "namespace": "torghut"}}
    assert by_namespace.matches(res) and not by_app.matches(res)


class _Counted(list):
    """A mapping's entries that count how many of them are looked through."""

    looked = 0

    def __iter__(self):
        for item in super().__iter__():
            _Counted.looked += 1
            yield item

    def __reversed__(self):
        for item in super().__reversed__():
            _Counted.looked += 1
            yield item


def test_locating_many_findings_in_one_large_map_looks_through_it_once() -> None:
    """A ConfigMap of 3,000 keys, every value a credential in clear: 3,000 findings, each located
    at its key. Each was found by a pass over the map's keys (a values file of 40,000 passwords
    took minutes per application); during an evaluation the map is indexed once."""
    keys = 3_000
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n" + "".join(
        f"  DB{n}_PASSWORD: hunter2-{n}-Xq9vLp\n" for n in range(keys)
    )
    (res,) = resources(text)
    data = next(value for key, value in res.node.value if key.value == "data")
    data.value = _Counted(data.value)
    _Counted.looked = 0
    project = Project(apps=[App("app", root=None, resources=[res])])  # type: ignore[arg-type]
    found = evaluate(project, [policy({"kind": "ConfigMap"}, "inline-secrets", {})])
    assert len(found) == keys
    assert sorted(f.location.line for f in found) == list(range(5, 5 + keys))
    assert _Counted.looked <= 2 * keys  # once to index (and once by the template), not once per finding


def test_locating_many_findings_in_one_long_block_scalar_lists_its_line_breaks_once(monkeypatch) -> None:
    """A ConfigMap's ``.env`` of 6,000 lines, each turning live trading on: 6,000 findings, each on
    its own line. Each line was counted from the value's start (40,000 lines: 5 s, a few MB:
    minutes); during an evaluation the value's breaks are listed once, and the lines are the same."""
    from torghut_lint import model

    lines = 6_000
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: torghut-env, namespace: torghut}\ndata:\n  .env: |\n"
        + "".join("    TRADING_LIVE_ENABLED=true\n" for _ in range(lines))
    )
    (res,) = resources(text)
    listed = []
    real_breaks = model._breaks_before

    def counting(node, offset):
        listed.append(len(model._BREAKS[-1]) if model._BREAKS else None)
        return real_breaks(node, offset)

    monkeypatch.setattr(model, "_breaks_before", counting)
    project = Project(apps=[App("app", root=None, resources=[res])])  # type: ignore[arg-type]
    switch = {"switches": [{"name": "TRADING_LIVE_ENABLED", "offValues": ["false"]}]}
    found = evaluate(project, [policy({"kind": "ConfigMap"}, "env-switch-off", switch)])
    assert sorted(f.location.line for f in found) == list(range(6, 6 + lines))
    assert len(listed) == lines and set(listed[1:]) == {1}  # one list of breaks, made at the first finding


UNLISTED = resources(
    "apiVersion: apps.kruise.io/v1alpha1\nkind: CloneSet\nmetadata: {name: feed, namespace: torghut}\n"
    "spec: {replicas: 3, template: {spec: {containers: [{name: ws, image: reg/torghut-ws:1}]}}}\n"
    "---\napiVersion: apps.kruise.io/v1alpha1\nkind: CloneSet\nmetadata: {name: cache, namespace: torghut}\n"
    "spec: {replicas: 3, template: {spec: {containers: [{name: c, image: reg/redis:7}]}}}\n"
    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: debug, namespace: torghut}\n"
    "spec: {containers: [{name: ws, image: reg/torghut-ws:1}]}\n"
)


@pytest.mark.parametrize(
    ("match", "names"),
    [
        # selected but for its kind: the CloneSet running the image; the Pod is a kind the policy
        # left out knowingly, the other CloneSet runs another image
        ({"kind": ["Deployment"], "image": ["*/torghut-ws"]}, ["feed"]),
        (
            {
                "kind": ["Deployment"],
                "any": [{"name": "torghut-ws", "kind": ["Deployment"]}, {"image": ["*/torghut-ws"]}],
            },
            ["feed"],
        ),
        ({"kind": ["Deployment"], "namespace": ["other"]}, []),  # not selected whatever its kind
        ({"image": ["*/torghut-ws"]}, []),  # a policy naming no kind selects every kind already
        ({"kind": ["CloneSet"], "image": ["*/torghut-ws"]}, []),  # a kind listed is matched, not unlisted
    ],
)
def test_unlisted_are_the_unknown_kinds_the_match_selects_but_for_their_kind(match: dict, names: list[str]) -> None:
    assert [r.id.name for r in KindIndex(UNLISTED).unlisted(policy(match))] == names


def test_only_a_template_that_asks_for_them_is_given_the_unlisted_workloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """replica-count judges a CloneSet running the websocket (its pods cannot be counted); a
    template that does not ask for them is not given them."""
    import torghut_lint.engine as engine_module
    from torghut_lint.templates import load_template

    app = App(name="app", root=Path("app"), resources=UNLISTED)
    project = Project(apps=[app])
    ws = policy(
        {"kind": ["Deployment"], "image": ["*/torghut-ws"]}, params={"count": 1, "copyImages": ["*/torghut-ws"]}
    )
    found = evaluate(project, [ws])
    assert [(f.message.split(" runs ")[0], f.location.line) for f in found] == [("CloneSet torghut/feed", 2)]
    seen: list[list[str]] = []
    plain = load_template("replica-count")

    def spy(name: str):
        template = plain if name == "replica-count" else None
        assert template is not None
        from dataclasses import replace

        def check(ctx):
            seen.append([r.id.name for r in ctx.unlisted])
            return iter(())

        return replace(template, check=check, unlisted=False)

    monkeypatch.setattr(engine_module, "load_template", spy)
    assert evaluate(project, [ws]) == []
    assert seen == [[]]
