"""What the gate compares of the tree's admission policies (torghut_lint/admission.py): what each
enforces, and the objects its bindings may read as params."""

from __future__ import annotations

from torghut_lint import admission
from torghut_lint.parse import parse_bytes

POLICY = """\
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: limits}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  validations: [{expression: "object.spec.replicas <= int(params.data.max)"}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: limits-binding}
spec:
  policyName: limits
  validationActions: [Deny]
  paramRef: %s
"""

OBJECTS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: limits, namespace: torghut, labels: {tier: limits}}
data: {max: "3"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: other, namespace: torghut, labels: {tier: app}}
data: {max: "9"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: limits, namespace: elsewhere}
data: {max: "9"}
---
apiVersion: v1
kind: Secret
metadata: {name: limits, namespace: torghut}
"""


def _resources(text: str):
    from torghut_lint.kustomize.reading import resources_of

    return resources_of(parse_bytes(text.encode(), "all.yaml"), [])


def _read(ref: str) -> list[str]:
    objects = _resources(POLICY % ref)
    rules, problems = admission.policies(objects)
    assert problems == []
    return sorted(f"{rid.namespace}/{rid.name}" for _, rid, _, _ in admission.params_read(rules, _resources(OBJECTS)))


def test_the_params_a_binding_may_read_are_its_kind_by_name_or_selector_in_its_namespace_or_any() -> None:
    assert _read("{name: limits, namespace: torghut}") == ["torghut/limits"]
    assert _read("{name: limits}") == ["elsewhere/limits", "torghut/limits"]  # the resource's namespace: any
    assert _read("{selector: {matchLabels: {tier: limits}}}") == ["torghut/limits"]
    assert _read("{selector: {}}") == ["elsewhere/limits", "torghut/limits", "torghut/other"]


def test_what_a_policy_enforces_changes_with_its_spec_and_bindings_not_with_their_order() -> None:
    def enforced(text: str) -> str:
        objects = _resources(text)
        rules, _ = admission.policies(objects)
        return admission.enforced(rules, objects)["vap/limits"][0]

    one = POLICY % "{name: limits}"
    second = (
        "---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\n"
        "metadata: {name: b2}\nspec: {policyName: limits, validationActions: [Warn]}\n"
    )
    assert enforced(one + second) == enforced(second.lstrip("-\n") + "---\n" + one)
    assert enforced(one) != enforced(one.replace("[Deny]", "[Audit]"))
    assert enforced(one) != enforced(one.replace("<= int", ">= int"))


def test_a_second_policy_of_one_name_is_reported_not_taken_for_the_first() -> None:
    """The last one read was the rule: a file no kustomization applies, holding ``limits`` with
    its validation made ``true``, replaced the policy the cluster enforces."""
    one = POLICY % "{name: limits}"
    weak = one.split("---")[0].replace("object.spec.replicas <= int(params.data.max)", "true")
    objects = _resources(one + "---\n" + weak)
    rules, problems = admission.policies(objects)
    assert [r.params["policy"]["validations"][0]["expression"] for r in rules] == [
        "object.spec.replicas <= int(params.data.max)"
    ]
    assert [(p.rule, p.location.line) for p in problems] == [("admission-policy-invalid", 18)]
    assert "a second policy of this name, unlike the one at all.yaml:1:1" in problems[0].message
    same, none = admission.policies(_resources(one + "---\n" + one.split("---")[0]))
    assert none == [] and len(same) == 1  # the same policy twice (two overlays' copies) is one
