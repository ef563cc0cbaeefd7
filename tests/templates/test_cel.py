"""The cel template: ValidatingAdmissionPolicy-shaped CEL policies, located findings, compile
errors at their line, fail-closed evaluation, a cost limit, and the bundled examples agreeing
with the Python templates they re-express."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from conftest import ROOT, run_cli, write_policy
from torghut_lint.policy import load_policies
from torghut_lint.policy_tests import run_policy_tests

EXAMPLES = ROOT / "policies" / "examples"
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/api:1.2
          resources:
            requests: {memory: 3Gi}
"""
NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {tier: gold}\n"


def _policy(directory: Path, validations: str, extra: str = "") -> Path:
    return write_policy(
        directory, "team-cel", "cel", "Deployment", f"\n{extra}  validations:\n{validations}".rstrip("\n")
    )


def _tree(root: Path) -> Path:
    app = root / "app"
    app.mkdir()
    (app / "kustomization.yaml").write_text("resources: [deployment.yaml, namespace.yaml]\n")
    (app / "deployment.yaml").write_text(DEPLOYMENT)
    (app / "namespace.yaml").write_text(NAMESPACE)
    return app


def _lint(tmp_path: Path, policies: Path) -> list[dict]:
    result = run_cli("--no-schemas", "--format", "json", "--policies", str(policies), str(tmp_path / "app"))
    assert result.code in (0, 1), result.stderr
    return [f for f in result.json["findings"] if f["rule"] == "team-cel"]


def test_examples_pass_their_cases_and_agree_with_the_python_templates() -> None:
    results = run_policy_tests([EXAMPLES])
    assert [r.policy.id for r in results if r.ok] == [
        "knative-max-scale-cel",
        "ws-readiness-probe-cel",
        "ws-single-replica-cel",
    ]
    for result in results:  # the cases are the Python policy's own (linked), so the findings agree
        python = result.policy.id.removesuffix("-cel")
        shared = {p.name for p in (EXAMPLES / "tests" / result.policy.id).iterdir()}
        assert shared <= {p.name for p in (ROOT / "policies" / "tests" / python).iterdir()}
        assert sum(c.failing for c in result.cases) >= 1
    both = run_cli("--format", "json", "--policies", str(EXAMPLES), "drifted/argocd/applications/torghut",
                   cwd=ROOT / "fixtures").json["findings"]  # fmt: skip
    place = lambda rule: Counter((f["file"], f["line"], f["column"]) for f in both if f["rule"] == rule)  # noqa: E731
    for rule in ("ws-single-replica", "knative-max-scale", "ws-readiness-probe"):
        assert place(rule) == place(f"{rule}-cel"), rule


def test_located_at_field_path_with_variables_libraries_and_the_namespace(tmp_path: Path) -> None:
    _tree(tmp_path)
    policies = tmp_path / "policies"
    _policy(
        policies,
        "    - expression: object.spec.replicas <= params.max\n"
        "      messageExpression: \"'replicas ' + string(object.spec.replicas) + ' over ' + string(params.max)\"\n"
        "      fieldPath: spec.replicas\n"
        "    - expression: variables.memory <= quantity('2Gi')\n"
        "      message: asks for more than 2Gi\n"
        "      fieldPath: spec.template.spec.containers[0].resources.requests.memory\n"
        "    - expression: url('https://' + variables.image.split('/')[0]).getHost() == 'registry.example.com'\n"
        "      message: image from another registry\n"
        "    - expression: namespaceObject.metadata.labels.tier == 'gold' && object.metadata.name.find('^a.') == 'ap'\n"
        "      message: wrong tier\n",
        "  paramsObject: {max: 2}\n  variables:\n"
        "    - name: memory\n"
        "      expression: quantity(object.spec.template.spec.containers[0].resources.requests.memory)\n"
        "    - name: image\n      expression: object.spec.template.spec.containers[0].image\n",
    )
    found = sorted((f["line"], f["message"]) for f in _lint(tmp_path, policies))
    assert found == [(7, "replicas 3 over 2"), (14, "asks for more than 2Gi")]


def test_an_expression_that_cannot_be_evaluated_fails_closed(tmp_path: Path) -> None:
    _tree(tmp_path)
    policies = tmp_path / "policies"
    _policy(policies, "    - expression: object.spec.paused == false\n    - expression: object.spec.replicas\n")
    found = sorted((f["line"], f["message"].split(":")[0]) for f in _lint(tmp_path, policies))
    assert found == [(6, "expression 'object.spec.paused == false' could not be evaluated"),
                     (7, "expression 'object.spec.replicas' returned int, not a bool")]  # fmt: skip


def test_a_costly_expression_is_stopped_by_its_budget(tmp_path: Path) -> None:
    app = _tree(tmp_path)
    items = "".join(f"        - {{name: c{i}, image: i}}\n" for i in range(1_500))
    (app / "deployment.yaml").write_text(DEPLOYMENT.split("      containers:\n")[0] + "      containers:\n" + items)
    policies = tmp_path / "policies"
    nested = (
        "object.spec.template.spec.containers.all(a, object.spec.template.spec.containers.exists(b, b.name == a.name))"
    )
    _policy(policies, f'    - expression: "{nested}"\n')
    found = _lint(tmp_path, policies)
    # 1,500 x 1,500 steps asked; the budget is linear in the resource's values (cel_budget)
    assert len(found) == 1 and "not evaluated: it takes more than 55,190 comprehension steps" in found[0]["message"]


@pytest.mark.parametrize(
    ("expression", "error"),
    [
        ("object.spec.replicas <=", "does not compile: ValueError: Failed to parse expression"),
        ("object.metadata.name.format([1])", "does not compile: ValueError: unsupported CEL function format"),
    ],
)
def test_a_policy_whose_expression_does_not_compile_is_exit_2_at_its_line(
    tmp_path: Path, expression: str, error: str
) -> None:
    _tree(tmp_path)
    path = _policy(tmp_path / "policies", f'    - expression: "{expression}"\n')
    result = run_cli("--policies", str(tmp_path / "policies"), str(tmp_path / "app"))
    assert result.code == 2
    assert f"{path.name}:9:19: params.validations.0.expression: {error}" in result.stderr
    with pytest.raises(Exception, match="does not compile|unsupported"):
        load_policies([tmp_path / "policies"])


def test_explain_shows_a_cel_policy_and_its_example() -> None:
    text = run_cli("explain", "ws-single-replica-cel", "--policies", str(EXAMPLES)).stdout
    assert "template cel" in text and "validations" in text and "> " in text


def test_a_length_limit_counts_characters_as_admission_does(tmp_path: Path) -> None:
    """``size()`` of a string is its code points (cel-go, the API server); cel-rust's own counted
    UTF-8 bytes, so a limit the cluster accepts failed here, and one it refuses could pass. A size
    of a number is the expression's own error, named as it wrote it."""
    app = _tree(tmp_path)
    (app / "deployment.yaml").write_text(DEPLOYMENT.replace("name: api\n", "name: api\n  labels: {owner: zoë}\n", 1))
    validations = (
        '    - {expression: "size(object.metadata.labels.owner) == 3", message: three}\n'
        '    - {expression: "object.metadata.labels.owner.size() <= 3", message: at most three}\n'
        '    - {expression: "size(object.spec.replicas) == 1"}\n'
    )
    found = _lint(tmp_path, tmp_path / "policies") if _policy(tmp_path / "policies", validations) else []
    assert [f["message"].split(":")[0] for f in found] == [
        "expression 'size(object.spec.replicas) == 1' could not be evaluated"
    ]
    assert "size(int)" in found[0]["message"] and "__torghut" not in found[0]["message"]
