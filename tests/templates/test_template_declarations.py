"""Templates are declared objects: listed, documented from their declarations, refusing policies
over kinds they do not evaluate, and fixable by template (so user policies agree with `fix`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import APP, BASE_TREE, ROOT, run_cli, write_policy
from torghut_lint.templates import MODULES, all_templates


def test_every_template_is_listed_and_every_parameter_documented() -> None:
    listed = run_cli("templates").stdout.splitlines()
    assert [line.split()[0] for line in listed] == sorted(MODULES)
    declared = run_cli("templates", "--format", "json").json["templates"]
    assert {t["id"] for t in declared} == set(MODULES)
    for template in all_templates():
        required = set(template.params.get("required", []))
        for name, prop in template.params.get("properties", {}).items():
            assert prop.get("description"), f"{template.id}.{name} has no description"
        assert template.description and not template.description.startswith("Template")
        # every default the template relies on is declared (with_defaults is the only source)
        assert set(template.with_defaults({})) | required >= {
            n for n, p in template.params.get("properties", {}).items() if "default" in p
        }


def test_docs_templates_md_is_generated_from_the_declarations() -> None:
    generated = run_cli("templates", "--format", "markdown").stdout
    assert (ROOT / "docs" / "templates.md").read_text() == generated, (
        "docs/templates.md is stale: torghut-lint templates --format markdown > docs/templates.md"
    )
    assert '| `groupIdEnv` | string | default "(^\\|_)GROUP_ID$" |' in generated  # a pipe cannot break the table


def _policy(directory: Path, template: str, kind: str, params: str = "{}", policy_id: str = "team-rule") -> Path:
    return write_policy(directory, policy_id, template, kind, params)


def test_a_policy_over_a_kind_its_template_does_not_evaluate_is_refused(tmp_path: Path) -> None:
    path = _policy(tmp_path / "team", "flink-durability", "Deployment")
    result = run_cli("--policies", str(tmp_path / "team"), str(BASE_TREE / APP))
    assert result.code == 2
    assert f"{path}: match.kind: Deployment is not a kind template flink-durability evaluates" in result.stderr
    _policy(tmp_path / "ok", "flink-durability", "Flink*")  # a glob that reaches FlinkDeployment is fine
    assert run_cli("--policies", str(tmp_path / "ok"), str(BASE_TREE / APP)).code == 0


def test_a_user_policy_over_a_fixable_template_is_fixed_as_the_hint_says(tmp_path: Path) -> None:
    """The fixer belongs to the template: a team's own replica-count policy is hinted fixable
    and `fix` repairs it (it used to be hinted and then left alone)."""
    repo = tmp_path / "repo"
    shutil.copytree(BASE_TREE, repo)
    (repo / ".git").mkdir()
    _policy(repo / "team", "replica-count", "Deployment", "{count: 2}", policy_id="ws-two-replicas")
    (repo / ".torghut-lint.yaml").write_text(
        "policies: [team]\nrules:\n  ws-single-replica: {enabled: false}\nschemas: {enabled: false}\n"
    )
    before = run_cli("--format", "json", str(APP), cwd=repo)
    flagged = [f for f in before.json["findings"] if f["rule"] == "ws-two-replicas"]
    assert flagged and "may be fixable" in run_cli(str(APP), cwd=repo).stdout
    fixed = run_cli("fix", str(APP), cwd=repo)
    assert fixed.code == 0 and "fixed ws-two-replicas: spec.replicas set to 2" in fixed.stdout, fixed.stdout
    after = run_cli("--format", "json", str(APP), cwd=repo).json["findings"]
    assert not [f for f in after if f["rule"] == "ws-two-replicas" and f["file"] == flagged[0]["file"]]


def test_omitted_parameters_take_the_declared_defaults() -> None:
    template = next(t for t in all_templates() if t.id == "readiness-probe")
    assert template.with_defaults({}) == {
        "path": "/readyz",
        "scheme": None,
        "maxInitialDelaySeconds": None,
        "maxPeriodSeconds": None,
        "containers": [],
        "execProbes": False,
    }
    assert template.with_defaults({"path": "/health"})["path"] == "/health"
    assert json.loads(run_cli("templates", "--format", "json").stdout)["templates"][0]["id"] == "annotation-equals"
