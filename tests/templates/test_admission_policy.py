"""ValidatingAdmissionPolicies of the tree (or --admission-policies) evaluated offline as rules
vap/<name>: what admission would deny is blocked in the pull request, at file:line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from torghut_lint.templates.admission_policy import resource_name, selects

APP = FIXTURES / "admission" / "app"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(APP, tmp_path / "app")
    return tmp_path / "app"


def _findings(tree: Path, *args: str) -> list[tuple[str, str, int, str, str]]:
    result = run_cli("--no-schemas", "--format", "json", *args, str(tree))
    assert result.code in (0, 1), result.stderr
    return sorted(
        (f["rule"], Path(f["file"]).name, f["line"], f["severity"], f["message"])
        for f in result.json["findings"]
        if f["rule"].startswith(("vap/", "admission-"))
    )


def test_the_cluster_policy_blocks_the_violation_at_its_line(tree: Path) -> None:
    assert _findings(tree) == [("vap/max-replicas", "deploy.yaml", 7, "error", "replicas 5 over 3")]
    result = run_cli("--no-schemas", "--format", "sarif", str(tree))
    rules = {r["id"] for r in result.json["runs"][0]["tool"]["driver"]["rules"]}
    assert "vap/max-replicas" in rules and result.code == 1


def test_namespace_selector_match_conditions_and_actions(tree: Path) -> None:
    ns = tree / "ns.yaml"
    ns.write_text(ns.read_text().replace("environment: prod", "environment: dev"))
    assert _findings(tree) == []  # the namespace selector no longer selects the Deployment
    ns.write_text(ns.read_text().replace("environment: dev", "environment: prod"))
    vap = tree / "vap.yaml"
    vap.write_text(vap.read_text().replace("validationActions: [Deny]", "validationActions: [Warn, Audit]"))
    assert [f[3] for f in _findings(tree)] == ["warning"]  # the strictest action of the binding


def test_missing_params_deny_or_allow(tree: Path) -> None:
    (tree / "params.yaml").write_text((tree / "params.yaml").read_text().replace("replica-limits", "other"))
    # params are resolved before match conditions, as the API server does: both Deployments
    assert [f[4] for f in _findings(tree)] == [
        "no params object for the binding's paramRef; admission would deny it"
    ] * 2
    vap = tree / "vap.yaml"
    vap.write_text(vap.read_text().replace("parameterNotFoundAction: Deny", "parameterNotFoundAction: Allow"))
    assert _findings(tree) == []


def test_what_cannot_be_evaluated_is_reported_not_skipped(tree: Path) -> None:
    vap = tree / "vap.yaml"
    text = vap.read_text()
    vap.write_text(text.replace("object.spec.replicas <= int(params.data.maxReplicas)", "object.spec.replicas <="))
    broken = _findings(tree)
    assert [(f[0], f[1], f[2]) for f in broken] == [("admission-policy-invalid", "vap.yaml", 22)]
    assert "validations[0].expression does not compile" in broken[0][4]
    vap.write_text(text.replace("policyName: max-replicas", "policyName: nothing-by-that-name"))
    assert [(f[0], f[4]) for f in _findings(tree)] == [
        ("admission-policy-invalid", "binds policy 'nothing-by-that-name', which the tree does not have")
    ]
    vap.write_text(text.replace("object.spec.replicas <= int(", "object.spec.missing <= int("))
    assert "could not be evaluated" in _findings(tree)[0][4]  # failurePolicy: Fail
    vap.write_text(text.replace("object.spec.replicas <= int(", "object.spec.missing <= int(").replace(
        "failurePolicy: Fail", "failurePolicy: Ignore"
    ))  # fmt: skip
    assert _findings(tree) == []


def test_policies_from_outside_the_tree(tree: Path, tmp_path: Path) -> None:
    outside = tmp_path / "cluster-policies"
    outside.mkdir()
    shutil.move(tree / "vap.yaml", outside / "vap.yaml")
    (tree / "kustomization.yaml").write_text("resources: [deploy.yaml, params.yaml, ns.yaml]\n")
    assert _findings(tree) == []
    assert [f[0] for f in _findings(tree, "--admission-policies", str(outside))] == ["vap/max-replicas"]
    missing = run_cli("--admission-policies", str(tmp_path / "nope"), str(tree))
    assert missing.code == 2 and "no such file or directory" in missing.stderr


def test_resource_names_and_label_selectors() -> None:
    assert [resource_name(k) for k in ("Deployment", "NetworkPolicy", "Ingress", "Endpoints", "Gateway")] == [
        "deployments", "networkpolicies", "ingresses", "endpoints", "gateways"
    ]  # fmt: skip
    selector = {"matchLabels": {"a": "1"}, "matchExpressions": [{"key": "b", "operator": "NotIn", "values": ["x"]}]}
    assert selects(selector, {"a": "1", "b": "y"}) and not selects(selector, {"a": "1", "b": "x"})
    assert not selects({"matchExpressions": [{"key": "c", "operator": "Exists"}]}, {})


def test_policies_named_by_the_config(tree: Path, tmp_path: Path) -> None:
    cluster = tmp_path / "cluster"
    cluster.mkdir()
    shutil.move(tree / "vap.yaml", cluster / "vap.yaml")
    (tree / "kustomization.yaml").write_text("resources: [deploy.yaml, params.yaml, ns.yaml]\n")
    config = tmp_path / "lint.yaml"
    config.write_text("admissionPolicies: [cluster]\n")
    assert [f[0] for f in _findings(tree, "--config", str(config))] == ["vap/max-replicas"]
    config.write_text("admissionPolicies: [nowhere]\n")
    result = run_cli("--config", str(config), str(tree))
    assert result.code == 2 and "nowhere: no such file or directory" in result.stderr


def test_a_policy_name_cannot_forge_a_log_line(tree: Path) -> None:
    vap = tree / "vap.yaml"
    vap.write_text(vap.read_text().replace("  name: max-replicas\n", '  name: "x\\n::error::forged"\n', 1))
    result = run_cli("--no-schemas", str(tree))
    assert not any(line.startswith("::") for line in result.stdout.splitlines())
    assert "error admission-policy-invalid the policy's name is not a Kubernetes object name" in result.stdout


MUTATING = """apiVersion: admissionregistration.k8s.io/v1beta1
kind: MutatingAdmissionPolicy
metadata: {name: go-live}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
  mutations:
    - patchType: ApplyConfiguration
      applyConfiguration:
        expression: 'Object{spec: Object.spec{serviceAccountName: "trader"}}'
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: defaults}
spec:
  rules:
    - name: labels-only
      match: {any: [{resources: {kinds: [Pod]}}]}
      validate: {message: m, pattern: {metadata: {labels: {app: "?*"}}}}
    - name: go-live
      match: {any: [{resources: {kinds: [Pod], namespaces: [torghut]}}]}
      mutate:
        patchStrategicMerge:
          spec: {containers: [{(name): "*", env: [{name: TRADING_MODE, value: live}]}]}
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: make-config}
spec:
  rules:
    - name: live-config
      match: {any: [{resources: {kinds: [Namespace]}}]}
      generate:
        apiVersion: v1
        kind: ConfigMap
        name: torghut-config
        namespace: torghut
        synchronize: true
        data: {data: {TRADING_MODE: live}}
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: validate-only}
spec:
  rules:
    - name: labels
      match: {any: [{resources: {kinds: [Pod]}}]}
      validate: {message: m, pattern: {metadata: {labels: {app: "?*"}}}}
"""


def test_a_mutating_admission_policy_in_the_tree_is_a_finding_at_its_mutation(tree: Path) -> None:
    """A MutatingAdmissionPolicy or a Kyverno mutate rule changes objects as the cluster admits them
    (TRADING_MODE=live on every Torghut pod), and a Kyverno generate rule makes objects (a ConfigMap
    with live trading on, kept so): no check of the manifests sees them; blocking, at the rule. A
    policy that only validates changes nothing."""
    (tree / "mutating.yaml").write_text(MUTATING)
    kustomization = tree / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace("ns.yaml]", "ns.yaml, mutating.yaml]"))
    found = [(rule, file, line) for rule, file, line, _, _ in _findings(tree) if rule == "admission-mutation"]
    assert found == [
        ("admission-mutation", "mutating.yaml", 7),
        ("admission-mutation", "mutating.yaml", 22),
        ("admission-mutation", "mutating.yaml", 33),
    ]


def test_a_mutation_made_worse_is_a_new_finding_and_an_unchanged_one_is_not(tmp_path: Path) -> None:
    """The identity of an admission-mutation finding is what the policy mutates: a mutation the
    base had (labels) changed to set TRADING_MODE=live is new to --new-since, not the base's."""
    import subprocess

    app = tmp_path / "app"
    app.mkdir()
    (app / "kustomization.yaml").write_text("resources: [ky.yaml]\n")
    policy = (
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: defaults}\nspec:\n  rules:\n"
        "    - name: label\n      match: {any: [{resources: {kinds: [Pod]}}]}\n"
        "      mutate: {patchStrategicMerge: {metadata: {labels: {team: torghut}}}}\n"
    )
    (app / "ky.yaml").write_text(policy)
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "b"]):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)
    new = lambda: run_cli("--no-schemas", "--format", "json", "--new-since", "HEAD", "app", cwd=tmp_path)  # noqa: E731
    assert new().json["findings"] == []
    live = "spec: {containers: [{(name): '*', env: [{name: TRADING_MODE, value: live}]}]}"
    worse = "{metadata: {labels: {team: torghut}}, " + live + "}"
    (app / "ky.yaml").write_text(policy.replace("{metadata: {labels: {team: torghut}}}", worse))
    # (the patch sets the switch in what is a container in all but name: the switch's policies too)
    rules = ["admission-mutation", "live-trading-default-off", "live-trading-owner"]
    assert sorted(f["rule"] for f in new().json["findings"]) == rules


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # a mutation by its rule's filters: their namespaces, wildcards kept
        (
            "kind: ClusterPolicy\nspec: {rules: [{name: r, match: {any: [{resources: {kinds: [Pod], "
            "namespaces: [torghut, 'trade-*']}}]}, mutate: {patchStrategicMerge: {}}}]}",
            {"torghut", "trade-*"},
        ),
        # a filter without namespaces, or one that selects Namespaces, acts anywhere
        (
            "kind: ClusterPolicy\nspec: {rules: [{name: r, match: {all: [{resources: {kinds: [Pod]}}]}, mutate: {}}]}",
            {"*"},
        ),
        (
            "kind: ClusterPolicy\nspec: {rules: [{name: r, match: {resources: {kinds: [Namespace], "
            "namespaces: [x]}}, mutate: {}}]}",
            {"*", "x"},
        ),
        ("kind: ClusterPolicy\nspec: {rules: [{name: r, mutate: {}}]}", {"*"}),  # no match read: anywhere
        # a generate rule where it writes; a templated namespace is any
        ("kind: ClusterPolicy\nspec: {rules: [{name: r, generate: {namespace: torghut}}]}", {"torghut"}),
        (
            "kind: ClusterPolicy\nspec: {rules: [{name: r, generate: "
            "{namespace: '{{request.object.metadata.name}}'}}]}",
            {"*"},
        ),
        # existing objects a mutation changes: its targets' namespaces
        (
            "kind: ClusterPolicy\nspec: {rules: [{name: r, match: {any: [{resources: {kinds: [ConfigMap], "
            "namespaces: [a]}}]}, mutate: {targets: [{kind: Deployment, namespace: torghut}]}}]}",
            {"a", "torghut"},
        ),
        # validating only: nowhere; a namespaced Policy: its own namespace
        ("kind: ClusterPolicy\nspec: {rules: [{name: r, validate: {message: m}}]}", set()),
        ("kind: Policy\nmetadata: {name: p, namespace: team}\nspec: {rules: [{name: r, mutate: {}}]}", {"team"}),
    ],
)
def test_where_a_kyverno_policy_acts_is_what_its_rules_match(text: str, where: set) -> None:
    """``admission.reaches``: an upper bound of where a cluster-scoped mutation acts, read from
    the rules (the gate lints the application holding it with the tree when that is Torghut's)."""
    from torghut_lint.admission import reaches
    from torghut_lint.model import Resource
    from torghut_lint.parse import parse_bytes

    if "metadata" not in text:
        text = text.replace("\nspec:", "\nmetadata: {name: p}\nspec:", 1)
    doc = parse_bytes(f"apiVersion: kyverno.io/v1\n{text}\n".encode(), "p.yaml").documents[0]
    assert {pattern for pattern, _ in reaches([Resource(doc.node, doc.data)])} == where


@pytest.mark.parametrize(
    ("exclude", "excluded"),
    [
        ("{any: [{resources: {namespaces: [torghut, 'torghut-*']}}]}", ("torghut", "torghut-*")),
        ("{resources: {namespaces: [torghut]}}", ("torghut",)),  # the older form
        ("{all: [{resources: {namespaces: [torghut]}}]}", ("torghut",)),
        # by namespace and something else: only some of its objects are taken out
        ("{any: [{resources: {namespaces: [torghut], kinds: [Pod]}}]}", ()),
        ("{any: [{resources: {namespaces: [torghut]}, subjects: [{kind: User, name: u}]}]}", ()),
        ("{all: [{resources: {namespaces: [torghut]}}, {resources: {namespaces: [x]}}]}", ()),  # both must hold
    ],
)
def test_what_a_kyverno_rule_excludes_by_namespace_alone_is_not_where_it_acts(exclude: str, excluded: tuple) -> None:
    """A platform ClusterPolicy mutating every namespace but Torghut's does not act there (its
    application is not linted with the tree for it): only an exclusion by namespace alone counts."""
    from torghut_lint.admission import reaches
    from torghut_lint.model import Resource
    from torghut_lint.parse import parse_bytes

    text = (
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: p}\nspec:\n  rules:\n"
        f"    - name: r\n      match: {{any: [{{resources: {{kinds: [Pod]}}}}]}}\n      exclude: {exclude}\n"
        "      mutate: {patchStrategicMerge: {}}\n"
    )
    doc = parse_bytes(text.encode(), "p.yaml").documents[0]
    assert reaches([Resource(doc.node, doc.data)]) == {("*", excluded)}


def test_a_mutating_admission_policy_acts_anywhere() -> None:
    from torghut_lint.admission import reaches
    from torghut_lint.model import Resource
    from torghut_lint.parse import parse_bytes

    text = (
        "apiVersion: admissionregistration.k8s.io/v1alpha1\nkind: MutatingAdmissionPolicy\n"
        "metadata: {name: m}\nspec: {mutations: []}\n"
    )
    doc = parse_bytes(text.encode(), "m.yaml").documents[0]
    assert reaches([Resource(doc.node, doc.data)]) == {("*", ())}


def test_more_places_than_a_platform_names_are_read_as_anywhere() -> None:
    """A hostile ClusterPolicy naming thousands of namespaces is read as acting anywhere (an upper
    bound), not as thousands of patterns each namespace of the tree is tested against."""
    from torghut_lint.admission import MAX_REACHES, reaches
    from torghut_lint.model import Resource
    from torghut_lint.parse import parse_bytes

    names = ", ".join(f"ns-{i}" for i in range(MAX_REACHES + 1))
    text = (
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: p}\nspec:\n  rules:\n"
        f"    - name: r\n      match: {{any: [{{resources: {{kinds: [Pod], namespaces: [{names}]}}}}]}}\n"
        "      mutate: {patchStrategicMerge: {}}\n"
    )
    doc = parse_bytes(text.encode(), "p.yaml").documents[0]
    assert reaches([Resource(doc.node, doc.data)]) == {("*", ())}
