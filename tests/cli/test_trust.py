"""A pull request cannot switch the gate off: --trusted-config takes config and policies from the
base ref and reports the PR's edits to them and the waivers it adds."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import APP, findings_of, run_cli, scale_ws, write_policy


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_pull_request_cannot_weaken_its_own_gate(repo: Path) -> None:
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "config", "user.name", "ci")
    (repo / "lint-policies").mkdir()
    (repo / "lint-policies" / "ws-max.yaml").write_text(
        "id: ws-at-most-one\ntemplate: replica-count\nseverity: error\ndescription: d\nrationale: r\n"
        "match: {kind: Deployment, name: torghut-ws}\nparams: {count: 1}\n"
    )
    (repo / ".torghut-lint.yaml").write_text("policies: [lint-policies]\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    # The pull request: scale torghut-ws, disable both rules, delete the team policy, waive itself.
    scale_ws(repo, waiver="reason=x; owner=me; expires=2099-01-01")
    (repo / ".torghut-lint.yaml").write_text(
        "policies: [lint-policies]\nrules:\n  ws-single-replica: {enabled: false}\n"
    )
    (repo / "lint-policies" / "ws-max.yaml").unlink()
    git(repo, "commit", "-qam", "pr")

    untrusted = run_cli("--format", "json", cwd=repo)
    assert untrusted.code == 0  # without a trusted config, the PR has switched its own gate off
    temp = repo.parent / "tmp"
    temp.mkdir()
    trusted = run_cli("--format", "json", "--trusted-config", "main~1", cwd=repo, env={"TMPDIR": str(temp)})
    assert trusted.stderr == ""
    assert list(temp.iterdir()) == []  # the base ref's checkout is removed, though the command skips finalizers
    got = findings_of(trusted)
    ws_file = f"{APP}/ws/deployment.yaml"
    assert ("ws-at-most-one", ws_file, 10) in got  # the deleted team policy still applies
    assert ("gate-config-changed", ".torghut-lint.yaml", 0) in got
    assert ("gate-config-changed", "lint-policies/ws-max.yaml", 0) in got
    assert ("gate-waiver-added", ws_file, 8) in got
    waived = [f for f in trusted.json["findings"] if f["rule"] == "ws-single-replica"]
    assert waived and waived[0]["waived"]  # annotation waivers still work, and are reported above
    assert trusted.code == 1


def test_trusted_config_needs_a_git_ref(repo: Path) -> None:
    result = run_cli("--trusted-config", "main", cwd=repo)
    assert result.code == 2
    assert result.stderr.startswith("torghut-lint: error: --trusted-config main: git rev-parse")


def test_changes_made_on_the_base_after_branching_are_not_the_pull_requests(repo: Path) -> None:
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "config", "user.name", "ci")
    (repo / ".torghut-lint.yaml").write_text("failOn: error\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "checkout", "-q", "-b", "pr")
    cm = repo / APP / "strategy-configmap.yaml"
    cm.write_text(cm.read_text() + "  # a harmless edit\n")
    git(repo, "commit", "-qam", "pr edit")
    git(repo, "checkout", "-q", "main")
    (repo / ".torghut-lint.yaml").write_text("failOn: warning\n")
    git(repo, "commit", "-qam", "gate owners tighten the gate")
    git(repo, "checkout", "-q", "pr")
    result = run_cli("--format", "json", "--ignore-missing-schemas", "--trusted-config", "main", cwd=repo)
    assert [f["rule"] for f in result.json["findings"]] == []
    assert result.code == 0


def _base_repo(repo: Path) -> None:
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "config", "user.name", "ci")


def test_the_baseline_and_given_policies_come_from_the_trusted_ref(repo: Path) -> None:
    """A pull request writes its own violation into the baseline and disables a --policies file:
    under --trusted-config both are read as they are at the base, and the edits are gate changes."""
    _base_repo(repo)
    (repo / "team").mkdir()
    (repo / "team" / "ws-max.yaml").write_text(
        "id: ws-at-most-one\ntemplate: replica-count\nseverity: error\ndescription: d\nrationale: r\n"
        "match: {kind: Deployment, name: torghut-ws}\nparams: {count: 1}\n"
    )
    assert run_cli("--write-baseline", "baseline.json", cwd=repo).code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    scale_ws(repo)  # the violation
    assert run_cli("--write-baseline", "baseline.json", "--policies", "team", cwd=repo).code == 0
    (repo / "team" / "ws-max.yaml").write_text((repo / "team" / "ws-max.yaml").read_text().replace("error", "info"))
    git(repo, "commit", "-qam", "pr")
    args = ("--format", "json", "--baseline", "baseline.json", "--policies", "team")
    assert run_cli(*args, cwd=repo).code == 0  # the PR's own baseline hides everything
    gated = run_cli(*args, "--trusted-config", "main~1", cwd=repo)
    got = findings_of(gated)
    ws_file = f"{APP}/ws/deployment.yaml"
    assert ("ws-single-replica", ws_file, 8) in got
    assert ("ws-at-most-one", ws_file, 8) in got
    assert ("gate-config-changed", "baseline.json", 0) in got
    assert ("gate-config-changed", "team/ws-max.yaml", 0) in got
    assert gated.code == 1


def test_a_trusted_config_naming_crds_and_schema_locations_works(repo: Path) -> None:
    """schemas.crds / schemas.locations in the trusted config are read from the trusted ref
    (they used to be looked up next to the temporary copy of the config: exit 2)."""
    _base_repo(repo)
    (repo / "crds").mkdir()
    (repo / "crds" / "widget.yaml").write_text(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n"
        "spec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n"
        "  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n"
        "        openAPIV3Schema: {type: object, properties: {spec: {type: object}}}\n"
    )
    (repo / "schemas").mkdir()
    (repo / ".torghut-lint.yaml").write_text("schemas:\n  crds: [crds]\n  locations: [schemas]\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    result = run_cli("--format", "json", "--trusted-config", "main", cwd=repo)
    assert result.code == 0, result.stderr


def test_the_linters_own_files_in_the_tree_are_not_manifests(tmp_path: Path) -> None:
    """Linting a repository from its root: the config in use and the policies it loads (with their
    cases, which break rules on purpose) are the linter's inputs, not manifests, with or without
    --trusted-config. A file merely named like the config elsewhere is a manifest Argo CD applies."""
    repo = tmp_path / "repo"
    case = repo / "lint" / "policies" / "tests" / "ws-max" / "too-many"
    case.mkdir(parents=True)
    (repo / "lint" / "policies" / "ws-max.yaml").write_text(
        "id: ws-max\ntemplate: replica-count\nseverity: error\ndescription: d\nrationale: r\n"
        "match: {kind: Deployment, name: torghut-ws}\nparams: {count: 1}\n"
    )
    ws = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: torghut-ws}\nspec: {replicas: 3}\n"
    (case / "deployment.yaml").write_text(ws)
    (case / "expect.json").write_text('{"findings": [{"file": "deployment.yaml", "line": 4}]}\n')
    (repo / ".torghut-lint.yaml").write_text("policies: [lint/policies]\n")
    (repo / "apps" / "feed").mkdir(parents=True)
    (repo / "apps" / "feed" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "config", "user.name", "ci")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    for extra in ([], ["--trusted-config", "main"]):
        result = run_cli("--no-schemas", "--format", "json", *extra, ".", cwd=repo)
        assert (result.code, result.json["findings"]) == (0, []), extra
    (repo / "apps" / "feed" / ".torghut-lint.yaml").write_text(ws)  # a directory application's file
    got = findings_of(run_cli("--no-schemas", "--format", "json", ".", cwd=repo))
    assert ("ws-max", "apps/feed/.torghut-lint.yaml", 4) in got


def test_a_change_that_moves_a_source_of_this_repository_to_another_revision_is_reported(tmp_path: Path) -> None:
    """The gate lints the pull request's tree; an Application (or an ApplicationSet's element)
    pointed at a branch or a fork makes Argo CD deploy what it never saw. A chart of another
    repository moving to its next version is an ordinary change, a new Application has nothing to
    compare with."""
    repo = tmp_path / "repo"
    (repo / "apps" / "torghut").mkdir(parents=True)
    (repo / "apps" / "torghut" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    lab = "https://github.com/proompteng/lab.git"

    def app(name: str, repo_url: str, path: str, revision: str) -> str:
        return (
            f"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: {name}}}\nspec:\n  source:\n"
            f"    repoURL: {repo_url}\n    path: {path}\n    targetRevision: {revision}\n"
        )

    def appset(element: str) -> str:
        return (
            "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: product}\nspec:\n"
            "  goTemplate: true\n  generators:\n    - list:\n        elements:\n"
            "          - {name: bayn, path: apps/torghut, targetRevision: codex/bayn-deploy}\n"
            f"          - {{name: torghut, path: apps/torghut{element}}}\n"
            "  template:\n    metadata: {name: '{{ .name }}'}\n    spec:\n"
            f"      source: {{repoURL: {lab}, path: '{{{{ .path }}}}', targetRevision: main}}\n"
        )

    argocd = repo / "argocd"
    argocd.mkdir()
    (argocd / "torghut.yaml").write_text(app("torghut", lab, "apps/torghut", "main"))
    (argocd / "chart.yaml").write_text(app("metrics", "https://charts.example/x", "chart", "0.14.2"))
    (argocd / "set.yaml").write_text(appset(""))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "config", "user.name", "ci")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    (argocd / "torghut.yaml").write_text(app("torghut", lab, "apps/torghut", "codex/live-on"))
    (argocd / "chart.yaml").write_text(app("metrics", "https://charts.example/x", "chart", "0.15.0"))
    (argocd / "set.yaml").write_text(appset(", targetRevision: codex/bayn-deploy"))  # another element's
    (argocd / "new.yaml").write_text(app("new", lab, "apps/torghut", "feature"))
    git(repo, "commit", "-qam", "pr")
    result = run_cli("--no-schemas", "--format", "json", "--trusted-config", "main~1", "argocd", cwd=repo)
    got = sorted((f["rule"], f["file"], f["line"]) for f in result.json["findings"])
    assert got == [
        ("argocd-source-moved", "argocd/set.yaml", 10),
        ("argocd-source-moved", "argocd/torghut.yaml", 5),
    ], result.json["findings"]
    assert "codex/live-on" in result.stdout and result.code == 1
    assert run_cli("--no-schemas", "--format", "json", "argocd", cwd=repo).code == 0  # a trusted ref is needed


def _product_set(elements: str) -> str:
    return (
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: product}\nspec:\n"
        f"  generators:\n    - list:\n        elements:\n{elements}"
        "  template:\n    metadata: {name: '{{name}}'}\n    spec:\n"
        "      project: default\n"
        "      source: {repoURL: https://github.com/proompteng/lab.git, path: '{{path}}', targetRevision: main}\n"
        "      destination: {server: https://kubernetes.default.svc, namespace: '{{name}}'}\n"
    )


TORGHUT_ELEMENT = "          - {name: torghut, path: argocd/applications/torghut}\n"
OTHER_ELEMENT = "          - {name: feed, path: argocd/applications/feed}\n"


def _copied_live(repo: Path, target: str) -> None:
    """A copy of the Torghut tree with live trading on, the linted one left as it was."""
    import shutil

    copy = repo / "argocd" / "applications" / target
    shutil.copytree(repo / APP, copy)
    cm = copy / "trading-configmap.yaml"
    cm.write_text(cm.read_text().replace("TRADING_MODE: paper", "TRADING_MODE: live"))


def _trusted_repo(repo: Path) -> Path:
    sets = repo / "argocd" / "applicationsets"
    sets.mkdir(parents=True)
    (sets / "product.yaml").write_text(_product_set(TORGHUT_ELEMENT + OTHER_ELEMENT))
    (repo / "argocd" / "applications" / "feed").mkdir()
    (repo / "argocd" / "applications" / "feed" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: f}\n"
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "config", "user.name", "ci")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    return sets / "product.yaml"


def _gate(repo: Path):
    return run_cli("--no-schemas", "--format", "json", "--trusted-config", "main", str(APP), cwd=repo)


def test_an_application_outside_the_linted_tree_pointed_at_a_copy_of_it_is_reported(repo: Path) -> None:
    """The gate lints argocd/applications/torghut; the ApplicationSet that deploys it lives
    elsewhere. A change that copies the tree with live trading on and points the element at the
    copy (or renames the element too) leaves the linted tree as it was: Argo CD deploys the copy."""
    product = _trusted_repo(repo)
    clean = _gate(repo)
    assert clean.code == 0, clean.stderr
    _copied_live(repo, "torghut-next")
    product.write_text(_product_set(TORGHUT_ELEMENT.replace("torghut}", "torghut-next}") + OTHER_ELEMENT))
    moved = _gate(repo)
    assert moved.code == 1, (moved.stdout, moved.stderr)
    got = sorted((f["rule"], f["file"]) for f in moved.json["findings"])
    assert got == [
        ("argocd-source-moved", "argocd/applicationsets/product.yaml"),
        # deployed into the linted namespace, the copy is linted with the tree
        ("live-trading-default-off", "argocd/applications/torghut-next/trading-configmap.yaml"),
    ], moved.json["findings"]
    assert "argocd/applications/torghut-next" in moved.stdout and moved.code == 1
    # renamed as well: no element deploys the linted tree any more
    product.write_text(
        _product_set(
            TORGHUT_ELEMENT.replace("torghut,", "trading,").replace("torghut}", "torghut-next}") + OTHER_ELEMENT
        )
    )
    renamed = _gate(repo)
    got = sorted(f["rule"] for f in renamed.json["findings"])
    assert got == ["argocd-source-moved", "live-trading-default-off"], renamed.json["findings"]
    assert "no Application deploys argocd/applications/torghut" in renamed.stdout and renamed.code == 1


def test_other_applications_of_the_repository_moving_are_not_the_gates(repo: Path) -> None:
    product = _trusted_repo(repo)
    (repo / "argocd" / "applications" / "feed-v2").mkdir()
    product.write_text(
        _product_set(
            TORGHUT_ELEMENT + OTHER_ELEMENT.replace("feed}", "feed-v2}") + "          - {name: new, path: x}\n"
        )
    )
    result = _gate(repo)
    assert result.json["findings"] == [] and result.code == 0


def test_an_application_of_the_linted_tree_given_a_second_source_beside_it_is_reported(repo: Path) -> None:
    """Argo CD deploys every source of an Application: a copy added beside the linted path (the
    ``source`` turned into ``sources``) is deployed as surely as the linted tree is."""
    lab = "https://github.com/proompteng/lab.git"
    app = repo / "argocd" / "apps" / "torghut.yaml"
    app.parent.mkdir(parents=True)
    head = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: torghut}\nspec:\n"
    app.write_text(head + f"  source: {{repoURL: {lab}, path: argocd/applications/torghut, targetRevision: main}}\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "config", "user.name", "ci")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    _copied_live(repo, "torghut-extra")
    app.write_text(
        head + "  sources:\n"
        f"    - {{repoURL: {lab}, path: argocd/applications/torghut, targetRevision: main}}\n"
        f"    - {{repoURL: {lab}, path: argocd/applications/torghut-extra, targetRevision: main}}\n"
    )
    result = _gate(repo)
    got = sorted((f["rule"], f["line"]) for f in result.json["findings"])
    assert got == [("argocd-source-moved", 7), ("live-trading-default-off", 9)], result.json  # (the copy's, linted)
    assert "torghut-extra" in result.stdout and result.code == 1


def test_an_elements_own_path_parameter_does_not_hide_the_templates_path(tmp_path: Path) -> None:
    """The template renders its own literal path; an element's ``path`` parameter the template
    does not use named no directory here, and the element's revision moving went unreported."""
    repo = tmp_path / "repo"
    (repo / "apps" / "torghut").mkdir(parents=True)
    (repo / "apps" / "torghut" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")

    def appset(revision: str) -> str:
        return (
            "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: product}\nspec:\n"
            "  generators:\n    - list:\n        elements:\n"
            f"          - {{name: torghut, path: not-a-directory, targetRevision: {revision}}}\n"
            "  template:\n    metadata: {name: '{{name}}'}\n    spec:\n"
            "      source: {repoURL: https://github.com/proompteng/lab.git, path: apps/torghut, targetRevision: main}\n"
        )

    (repo / "argocd").mkdir()
    (repo / "argocd" / "set.yaml").write_text(appset("main"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "config", "user.name", "ci")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    (repo / "argocd" / "set.yaml").write_text(appset("codex/live-on"))
    result = run_cli("--no-schemas", "--format", "json", "--trusted-config", "main", "argocd", cwd=repo)
    assert [f["rule"] for f in result.json["findings"]] == ["argocd-source-moved"], result.json["findings"]


def test_an_application_that_keeps_live_values_of_the_linted_tree_is_reported_once(repo: Path) -> None:
    """With ``RespectIgnoreDifferences`` Argo CD does not apply the fields ``ignoreDifferences``
    lists: the websocket's replicas stay what the cluster has, whatever the linted tree says. The
    ApplicationSet that deploys the tree lives outside it; the option added there is reported (on
    the change that adds it, not on every later one)."""
    product = _trusted_repo(repo)
    kept = _product_set(TORGHUT_ELEMENT + OTHER_ELEMENT) + (
        "      ignoreDifferences:\n"
        "        - {group: apps, kind: Deployment, name: torghut-ws, jsonPointers: [/spec/replicas]}\n"
        "      syncPolicy: {syncOptions: [RespectIgnoreDifferences=true]}\n"
    )
    product.write_text(kept)
    added = _gate(repo)
    assert added.code == 1, (added.stdout, added.stderr)
    got = [(f["rule"], f["file"], f["line"]) for f in added.json["findings"]]
    assert got == [("argocd-source-override", "argocd/applicationsets/product.yaml", 18)], got
    assert "RespectIgnoreDifferences" in added.json["findings"][0]["message"]
    git(repo, "commit", "-qam", "kept live")
    assert _gate(repo).json["findings"] == []  # on the base now: the next change is not the one


def _element(name: str, path: str, namespace: str | None = None) -> str:
    ns = f", namespace: {namespace}" if namespace else ""
    return f"          - {{name: {name}, path: {path}{ns}}}\n"


def _gate_with(product: Path, element: str):
    """The gate, once the product set deploys ``element`` beside Torghut's and the other one."""
    product.write_text(_product_set(TORGHUT_ELEMENT + OTHER_ELEMENT + element))
    return _gate(product.parents[2])


def _moved_in_product_set(result) -> bool:
    """Whether the one finding is ``argocd-source-moved`` at the product set, blocking."""
    got = [(f["rule"], f["file"]) for f in result.json["findings"]]
    return got == [("argocd-source-moved", "argocd/applicationsets/product.yaml")] and result.code == 1


def test_a_new_application_deploying_a_copy_into_the_linted_namespace_is_linted_with_it(repo: Path) -> None:
    """The gate lints argocd/applications/torghut. A change that leaves it as it was and adds an
    application of its own (a new list element) deploying a copy with live trading on into the
    same namespace: Argo CD runs both. The copy is linted with the tree: its own findings block,
    and so does its websocket beside the linted one (a second connection on the key)."""
    product = _trusted_repo(repo)
    _copied_live(repo, "torghut-live")  # its kustomization sets namespace torghut, whatever the element's
    ws = repo / "argocd" / "applications" / "torghut-live" / "ws" / "deployment.yaml"
    ws.write_text(ws.read_text().replace("name: torghut-ws\n  labels", "name: torghut-ws-live\n  labels"))
    product.write_text(
        _product_set(TORGHUT_ELEMENT + OTHER_ELEMENT + _element("torghut-live", "argocd/applications/torghut-live"))
    )
    result = _gate(repo)
    got = sorted({(f["rule"], f["file"].split("/")[2]) for f in result.json["findings"]})
    assert ("live-trading-default-off", "torghut-live") in got, result.json["findings"]
    assert ("ws-single-replica", "torghut") in got and ("ws-single-replica", "torghut-live") in got, got
    assert result.code == 1


def test_a_new_application_of_another_namespace_is_not_the_gates(repo: Path) -> None:
    """Another team's new application, in its own namespace, with its own problems: not linted
    by the Torghut gate (its objects never meet Torghut's)."""
    product = _trusted_repo(repo)
    feed = repo / "argocd" / "applications" / "feed-v2"
    feed.mkdir()
    (feed / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: f}\ndata: {DB_PASSWORD: hunter2hunter2}\n"
    )
    product.write_text(
        _product_set(TORGHUT_ELEMENT + OTHER_ELEMENT + _element("feed-v2", "argocd/applications/feed-v2"))
    )
    result = _gate(repo)
    assert result.json["findings"] == [] and result.code == 0, result.json["findings"]


def test_an_application_given_the_linted_namespace_is_linted_with_it(repo: Path) -> None:
    """A new application whose objects name no namespace, deployed into Torghut's by its
    destination (an element's parameter, read through a Go template's branches: Argo CD may take
    either), running the websocket with live trading on: linted with the tree."""
    product = _trusted_repo(repo)
    extra = repo / "argocd" / "applications" / "ws-canary"
    extra.mkdir()
    (extra / "ws.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: torghut-ws-canary}\nspec:\n  replicas: 1\n"
        "  strategy: {type: Recreate}\n  selector: {matchLabels: {app: c}}\n  template:\n"
        "    metadata: {labels: {app: c}}\n    spec:\n      containers:\n        - name: ws\n"
        "          image: registry.example.internal/lab/torghut-ws:v1\n"
        '          env: [{name: TRADING_LIVE_ENABLED, value: "true"}]\n'
    )
    text = _product_set(
        TORGHUT_ELEMENT + OTHER_ELEMENT + _element("ws-canary", "argocd/applications/ws-canary", "torghut")
    )
    text = text.replace("spec:\n  generators", "spec:\n  goTemplate: true\n  generators")
    text = text.replace("'{{name}}'", "'{{ .name }}'").replace("'{{path}}'", "'{{ .path }}'")
    go = "'{{ if hasKey . \"namespace\" }}{{ .namespace }}{{ else }}{{ .name }}{{ end }}'"
    product.write_text(text.replace("namespace: '{{ .name }}'}", f"namespace: {go}}}"))
    assert "hasKey" in product.read_text()
    result = _gate(repo)
    got = sorted({(f["rule"], f["file"].split("/")[2]) for f in result.json["findings"]})
    assert ("live-trading-default-off", "ws-canary") in got, result.json["findings"]
    assert result.code == 1
    # the same application deployed elsewhere: not the gate's
    product.write_text(product.read_text().replace("namespace: torghut}", "namespace: canary}"))
    assert _gate(repo).json["findings"] == []


def _neighbour(repo: Path, name: str, namespace: str) -> Path:
    """The trusted repository with an application ``name`` beside Torghut's (one ConfigMap, in
    ``namespace``), deployed by the product set and committed: its directory."""
    product = _trusted_repo(repo)
    directory = repo / "argocd" / "applications" / name
    directory.mkdir()
    (directory / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n")
    (directory / "kustomization.yaml").write_text(f"namespace: {namespace}\nresources: [cm.yaml]\n")
    product.write_text(_product_set(TORGHUT_ELEMENT + OTHER_ELEMENT + _element(name, f"argocd/applications/{name}")))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", name)
    return directory


def test_a_neighbour_deployed_into_the_linted_namespace_is_linted_when_the_change_touches_it(repo: Path) -> None:
    """An application the base deploys into Torghut's namespace already (the lab's torghut-options
    beside torghut), which the gate does not lint: a change to its files that adds a second
    websocket on the equities key is linted with the tree; unchanged, it is not the gate's."""
    options = _neighbour(repo, "torghut-options", "torghut")
    assert _gate(repo).json["findings"] == []
    ws = (repo / APP / "ws" / "deployment.yaml").read_text()
    (options / "ws.yaml").write_text(ws.replace("name: torghut-ws\n  labels", "name: torghut-ws-2\n  labels"))
    (options / "kustomization.yaml").write_text("namespace: torghut\nresources: [cm.yaml, ws.yaml]\n")
    result = _gate(repo)
    got = sorted({(f["rule"], f["file"].split("/")[2]) for f in result.json["findings"]})
    assert ("ws-single-replica", "torghut") in got and ("ws-single-replica", "torghut-options") in got, got
    assert result.code == 1


KYVERNO_LIVE = """apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: trading-defaults}
spec:
  rules:
    - name: go-live
      match: {any: [{resources: {kinds: [Pod], namespaces: [NAMESPACES]}}]}
      exclude: {any: [{resources: {namespaces: [EXCLUDED]}}]}
      mutate:
        patchStrategicMerge:
          spec: {containers: [{(name): "*", env: [{name: TRADING_MODE, value: live}]}]}
"""


@pytest.mark.parametrize(
    ("namespaces", "reaches"),
    [("torghut", True), ("torghut*", True), ("platform", False), ("'*'", True), ("'*'", False)],
)
def test_a_cluster_wide_mutation_in_another_application_that_reaches_the_tree_is_linted_with_it(
    repo: Path, namespaces: str, reaches: bool
) -> None:
    """A Kyverno ClusterPolicy added to another team's application (deployed into its own
    namespace, nothing of it in Torghut's) that sets TRADING_MODE=live on Torghut's pods as the
    cluster admits them: it is cluster-scoped, so where it acts is what its rules match, not where
    its application lands. It passed with exit 0; now that application is linted with the tree.
    One that mutates only its own namespace is not the gate's."""
    platform = _neighbour(repo, "platform", "platform")
    assert _gate(repo).json["findings"] == []
    # (the last case: every namespace but Torghut's, by an exclusion of namespaces alone)
    excluded = "torghut" if namespaces == "'*'" and not reaches else "kube-system"
    (platform / "policy.yaml").write_text(KYVERNO_LIVE.replace("NAMESPACES", namespaces).replace("EXCLUDED", excluded))
    (platform / "kustomization.yaml").write_text("namespace: platform\nresources: [cm.yaml, policy.yaml]\n")
    result = _gate(repo)
    got = sorted({(f["rule"], f["file"].split("/")[2]) for f in result.json["findings"]})
    if reaches:
        assert ("admission-mutation", "platform") in got, got
        assert ("live-trading-default-off", "platform") in got, got
        assert result.code == 1
    else:
        assert got == [] and result.code == 0, got


def test_an_unchanged_tree_of_applicationsets_has_nothing_new(repo: Path) -> None:
    """The base is linted from a snapshot of the ref: what asks whether a source's path is in the
    repository (an ApplicationSet's templatePatch switching its sources to a plugin) answers there
    as in the work tree, so the same findings are the base's too, not the change's."""
    product = _trusted_repo(repo)
    product.write_text(
        product.read_text() + "  templatePatch: |\n    spec:\n      source:\n        plugin: {name: lovely}\n"
    )
    git(repo, "commit", "-qam", "plugin")
    direct = run_cli("--no-schemas", "--format", "json", "argocd/applicationsets", cwd=repo)
    assert [f["rule"] for f in direct.json["findings"]] == ["argocd-source-override"], direct.json["findings"]
    gate = run_cli(
        "--no-schemas", "--format", "json", "--trusted-config", "main", "--new-since", "main",
        "argocd/applicationsets", cwd=repo,
    )  # fmt: skip
    assert gate.json["findings"] == [] and gate.code == 0, gate.json["findings"]


def test_another_repositorys_path_spelled_like_a_directory_here_is_not_linted(repo: Path) -> None:
    """The lab's home-root Application deploys ``argocd`` from another repository: that this
    repository has an ``argocd`` directory too (changed, Torghut's namespace inside) makes it no
    application of this tree."""
    product = _trusted_repo(repo)
    (repo / "argocd" / "home-root.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: home-root}\nspec:\n"
        "  source: {repoURL: 'git@github.com:gregkonush/home.git', path: argocd, targetRevision: main}\n"
        "  destination: {server: https://kubernetes.default.svc, namespace: argocd}\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "home")
    (repo / "argocd" / "other").mkdir()
    (repo / "argocd" / "other" / "cm.yaml").write_text(  # below no element's path: only home-root's spelling
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: f, namespace: torghut}\n"
        "data: {DB_PASSWORD: hunter2hunter2}\n"
    )
    assert product.exists()
    result = _gate(repo)
    assert result.json["findings"] == [] and result.code == 0, result.json["findings"]


def _directory_set(pattern: str, exclude: str = "") -> str:
    excluded = f"        - {{path: '{exclude}', exclude: true}}\n" if exclude else ""
    return (
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: apps}\nspec:\n"
        "  goTemplate: true\n  generators:\n    - git:\n"
        "        repoURL: https://github.com/proompteng/lab.git\n        revision: HEAD\n        directories:\n"
        f"        - path: '{pattern}'\n{excluded}"
        "  template:\n    metadata: {name: '{{ .path.basename }}'}\n    spec:\n      project: default\n"
        "      source:\n        repoURL: https://github.com/proompteng/lab.git\n"
        "        path: '{{ .path.path }}'\n        targetRevision: main\n"
        "      destination: {server: https://kubernetes.default.svc, namespace: '{{ .path.basename }}'}\n"
    )


def test_a_directory_a_git_generator_deploys_once_it_exists_is_linted_with_the_tree(repo: Path) -> None:
    """Argo CD's git directory generator makes an application of every directory its patterns
    match (Go's path.Match: ``*`` within one segment; ``exclude: true`` wins): a pull request adds
    a directory, and no Application changes. One it excludes, or deploys into another namespace,
    is not the gate's."""
    sets = repo / "argocd" / "applicationsets"
    sets.mkdir(parents=True)
    (sets / "apps.yaml").write_text(_directory_set("argocd/applications/*", exclude="argocd/applications/scratch"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "config", "user.name", "ci")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    assert _gate(repo).json["findings"] == []
    for name in ("torghut-live", "scratch"):  # deployed, excluded
        _copied_live(repo, name)
    result = _gate(repo)
    got = sorted({f["file"].split("/")[2] for f in result.json["findings"] if f["rule"] == "live-trading-default-off"})
    assert got == ["torghut-live"], result.json["findings"]
    assert result.code == 1


def test_a_new_application_deploying_the_linted_tree_from_another_revision_is_reported(repo: Path) -> None:
    """The linted tree deployed a second time, from a branch the gate never saw (its manifests may
    say anything: live trading on, a namespace of their own), by a new list element: Argo CD deploys
    that branch. Deployed from where the base deploys it (the same repository, spelled otherwise, at
    the same revision), it is the tree the gate lints."""
    product = _trusted_repo(repo)
    same = (  # the same repository, spelled as an scp-like address
        "          - {name: torghut-2, path: argocd/applications/torghut,"
        " repoURL: 'git@github.com:proompteng/lab.git'}\n"
    )
    assert _gate_with(product, same).json["findings"] == []
    branch = "          - {name: torghut-2, path: argocd/applications/torghut, targetRevision: codex/live}\n"
    result = _gate_with(product, branch)
    assert _moved_in_product_set(result) and "codex/live" in result.stdout, result.json["findings"]


def test_a_websocket_naming_no_namespace_counts_in_the_namespace_its_application_deploys_into(repo: Path) -> None:
    """A new application whose Deployment names no namespace, deployed into Torghut's by its
    element's destination: the cluster puts it beside torghut-ws, a second connection on the key
    (the tree's websocket reads a key the repository cannot show: it counts with any)."""
    product = _trusted_repo(repo)
    extra = repo / "argocd" / "applications" / "ws-2"
    extra.mkdir()
    ws = (repo / APP / "ws" / "deployment.yaml").read_text()
    (extra / "ws.yaml").write_text(ws.replace("name: torghut-ws\n  labels", "name: torghut-ws-2\n  labels"))
    product.write_text(_product_set(TORGHUT_ELEMENT + OTHER_ELEMENT + _element("ws-2", "argocd/applications/ws-2")))
    assert "namespace: '{{name}}'" in product.read_text()  # ws-2: not Torghut's
    assert not [f for f in _gate(repo).json["findings"] if f["rule"] == "ws-single-replica"]
    product.write_text(product.read_text().replace("namespace: '{{name}}'", "namespace: torghut"))  # every one
    result = _gate(repo)
    got = sorted({(f["rule"], f["file"].split("/")[2]) for f in result.json["findings"]})
    assert ("ws-single-replica", "torghut") in got and ("ws-single-replica", "ws-2") in got, result.json["findings"]


@pytest.mark.parametrize("how", ["patched", "branch"])
def test_an_application_s_source_hydrator_renders_its_dry_source(tmp_path: Path, how: str) -> None:
    """Argo CD's source hydrator renders ``sourceHydrator.drySource`` (its kustomize patches, its
    revision) and syncs the manifests it pushes: a change moving an Application there, with a
    patch turning live trading on or at a branch, deployed what the gate never saw and passed."""
    repo = tmp_path / "repo"
    (repo / "apps" / "torghut").mkdir(parents=True)
    (repo / "apps" / "torghut" / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (repo / "apps" / "torghut" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {TRADING_LIVE_ENABLED: 'false'}\n"
    )
    lab = "https://github.com/proompteng/lab.git"
    head = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: torghut}\nspec:\n"
    (repo / "argocd").mkdir()
    (repo / "argocd" / "torghut.yaml").write_text(
        head + f"  source: {{repoURL: {lab}, path: apps/torghut, targetRevision: main}}\n"
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "config", "user.name", "ci")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    patch = "[{op: replace, path: /data/TRADING_LIVE_ENABLED, value: 'true'}]"
    options = (
        f'\n      kustomize: {{patches: [{{target: {{kind: ConfigMap}}, patch: "{patch}"}}]}}'
        if how == "patched"
        else ""
    )
    revision = "main" if how == "patched" else "codex/live-on"
    (repo / "argocd" / "torghut.yaml").write_text(
        head + "  sourceHydrator:\n"
        f"    drySource:\n      repoURL: {lab}\n      path: apps/torghut\n      targetRevision: {revision}{options}\n"
        "    syncSource: {targetBranch: environments/prod, path: torghut}\n"
    )
    git(repo, "commit", "-qam", "pr")
    result = run_cli("--no-schemas", "--format", "json", "--trusted-config", "main~1", "apps/torghut", cwd=repo)
    got = [(f["rule"], f["file"]) for f in result.json["findings"] if f["rule"].startswith("argocd-")]
    rule = "argocd-source-override" if how == "patched" else "argocd-source-moved"
    assert got == [(rule, "argocd/torghut.yaml")], result.json["findings"]
    assert result.code == 1


def test_an_application_beside_the_tree_deployed_from_a_branch_is_reported(repo: Path) -> None:
    """A new element deploying a directory into Torghut's namespace from a branch: the gate sees
    the directory as this change has it, Argo CD deploys the branch's (live trading on, say).
    Another namespace's, from a branch (a preview), is not the gate's."""
    product = _trusted_repo(repo)
    (repo / "argocd" / "applications" / "torghut-next").mkdir()
    (repo / "argocd" / "applications" / "torghut-next" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: next, namespace: torghut}\n"
    )
    branch = "          - {name: torghut-next, path: argocd/applications/torghut-next, targetRevision: codex/next}\n"
    result = _gate_with(product, branch)
    assert _moved_in_product_set(result) and "codex/next" in result.stdout, result.json["findings"]
    preview = "          - {name: preview, path: argocd/applications/feed, targetRevision: codex/next}\n"
    assert _gate_with(product, preview).json["findings"] == []


def _matrix_set(clusters: str, elements: str, extra: str = "", revision: str = "main") -> str:
    """The lab's product ApplicationSet: a matrix of a cluster list and the applications' list, a
    Go template choosing the revision by hasKey."""
    return (
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: product}\nspec:\n"
        "  goTemplate: true\n  generators:\n    - matrix:\n"
        f"{extra}"
        "        generators:\n          - list:\n              elements:\n"
        f"{clusters}"
        "          - list:\n              elements:\n"
        f"{elements}"
        "  template:\n    metadata: {name: '{{ .name }}'}\n    spec:\n      project: default\n"
        "      source:\n        repoURL: https://github.com/proompteng/lab.git\n"
        f'        targetRevision: \'{{{{ if hasKey . "targetRevision" }}}}{{{{ .targetRevision }}}}{{{{ else }}}}'
        f"{revision}{{{{ end }}}}'\n"
        "        path: '{{ .path }}'\n"
        "      destination: {server: https://kubernetes.default.svc, namespace: '{{ .name }}'}\n"
    )


CLUSTER = "                - {cluster: in-cluster}\n"
MATRIX_ELEMENTS = (
    "                - {name: torghut, path: argocd/applications/torghut}\n"
    "                - {name: feed, path: argocd/applications/feed}\n"
)


def test_a_matrix_generators_other_list_moving_the_revision_is_reported(repo: Path) -> None:
    """The lab's layout: a matrix of a one-element cluster list and the applications' list. One line
    in the cluster's element (``targetRevision: feature-x``) makes Argo CD deploy every application
    of the set, Torghut's among them, from that branch: the parameters of a matrix's generators are
    combined as Argo CD combines them, not read list by list."""
    product = _trusted_repo(repo)
    product.write_text(_matrix_set(CLUSTER, MATRIX_ELEMENTS))
    git(repo, "commit", "-qam", "the lab's matrix")
    assert _gate(repo).json["findings"] == []
    product.write_text(_matrix_set(CLUSTER.replace("}", ", targetRevision: feature-x}"), MATRIX_ELEMENTS))
    result = _gate(repo)
    assert _moved_in_product_set(result) and "@feature-x" in result.stdout, result.json["findings"]
    assert "(element torghut)" in result.stdout
    # the generator's own template over the set's (Argo CD merges them, the generator's winning)
    own = "        template:\n          metadata: {}\n          spec:\n            project: default\n"
    own += "            source: {targetRevision: codex/live}\n"
    product.write_text(_matrix_set(CLUSTER, MATRIX_ELEMENTS, extra=own))
    result = _gate(repo)
    assert _moved_in_product_set(result) and "@codex/live" in result.stdout, result.json["findings"]


def test_a_selector_leaves_out_what_argo_cd_leaves_out(repo: Path) -> None:
    """A generator's selector on the parameters (the lab's ``enabled``): an element it leaves out is
    deployed by nothing, so its branch is no finding; the one it keeps is."""
    product = _trusted_repo(repo)
    product.write_text(_matrix_set(CLUSTER, MATRIX_ELEMENTS))
    git(repo, "commit", "-qam", "the lab's matrix")
    selected = (
        "    - selector:\n        matchExpressions: [{key: enabled, operator: NotIn, values: ['false']}]\n"
        "      matrix:\n"
    )
    off = "                - {name: torghut-b, path: argocd/applications/torghut, targetRevision: b, enabled: false}\n"
    for elements, moved in (
        (off, False),
        (off.replace("false", "true"), True),
        (off.replace(", enabled: false", ""), True),
    ):
        product.write_text(_matrix_set(CLUSTER, MATRIX_ELEMENTS + elements).replace("    - matrix:\n", selected))
        result = _gate(repo)
        assert _moved_in_product_set(result) is moved, (elements, result.json["findings"])


@pytest.mark.parametrize(
    "generator",
    [
        "    - pullRequest:\n        github: {owner: proompteng, repo: lab}\n",
        "    - scmProvider:\n        github: {organization: proompteng}\n",
        "    - plugin:\n        configMapRef: {name: previews}\n",
        "    - git:\n        repoURL: https://github.com/proompteng/lab.git\n        revision: main\n"
        "        files: [{path: 'previews/*.json'}]\n",
    ],
)
def test_a_generator_the_linter_cannot_expand_deploying_the_tree_is_reported(repo: Path, generator: str) -> None:
    """A new ApplicationSet whose generator the linter cannot expand (every pull request's head, a
    plugin's answer, files it does not read) deploying the linted tree, or a path its parameters
    write, from a revision they write: what Argo CD deploys is nothing the gate saw. The same one
    unchanged at the base is not the change's."""
    _trusted_repo(repo)
    previews = repo / "argocd" / "applicationsets" / "previews.yaml"
    for path in ("argocd/applications/torghut", "'{{ .path }}'"):
        previews.write_text(
            "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: previews}\nspec:\n"
            f"  goTemplate: true\n  generators:\n{generator}"
            "  template:\n    metadata: {name: 'preview-{{ .number }}'}\n    spec:\n      project: default\n"
            "      source:\n        repoURL: https://github.com/proompteng/lab.git\n"
            f"        targetRevision: '{{{{ .head_sha }}}}'\n        path: {path}\n"
            "      destination: {server: https://kubernetes.default.svc, namespace: 'preview-{{ .number }}'}\n"
        )
        result = _gate(repo)
        got = [(f["rule"], f["file"]) for f in result.json["findings"]]
        assert got == [("argocd-source-moved", "argocd/applicationsets/previews.yaml")], result.json["findings"]
        assert result.code == 1
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "previews, reviewed")
    assert _gate(repo).json["findings"] == []


PATCH_BRANCHES = """  templatePatch: |
    {{- if .plugin }}
    spec:
      source:
        plugin: {name: lovely}
    {{- end }}
"""


@pytest.mark.parametrize(
    "patch",
    [
        # inside the branch the lab's patch already has
        PATCH_BRANCHES.replace(
            "        plugin: {name: lovely}\n", "        plugin: {name: lovely}\n        targetRevision: x\n"
        ),
        # a branch of its own for Torghut's element: the skeleton writes spec.source twice, read as one
        PATCH_BRANCHES
        + '    {{- if eq .name "torghut" }}\n    spec:\n      source: {targetRevision: x}\n    {{- end }}\n',
        # its path
        PATCH_BRANCHES.replace("        plugin: {name: lovely}\n", "        path: argocd/applications/copy\n"),
    ],
)
def test_a_template_patch_moving_where_the_tree_deploys_from_is_reported(repo: Path, patch: str) -> None:
    """The lab's product set patches each application's source in a templatePatch (a plugin, by a
    parameter). A revision or path written there, in any branch, is where Argo CD deploys from for
    the applications the branch is taken for: not what the gate lints."""
    product = _trusted_repo(repo)
    product.write_text(_matrix_set(CLUSTER, MATRIX_ELEMENTS) + PATCH_BRANCHES)
    git(repo, "commit", "-qam", "the lab's matrix, its templatePatch")
    assert _gate(repo).json["findings"] == []
    product.write_text(_matrix_set(CLUSTER, MATRIX_ELEMENTS) + patch)
    result = _gate(repo)
    assert _moved_in_product_set(result), result.json["findings"]
    assert "by its templatePatch" in result.stdout or "a path its parameters leave unknown" in result.stdout


def test_the_app_of_apps_moved_to_a_branch_is_reported(repo: Path) -> None:
    """The lab's root Application deploys argocd/applicationsets, where the set that deploys the
    linted tree lives. One line moving the root to a branch makes Argo CD read the sets from there,
    and the branch may deploy the tree from anywhere: the chain of what deploys the linted paths is
    held as they are. An Application deploying something else moving is still not the gate's."""
    _trusted_repo(repo)
    root = repo / "argocd" / "root.yaml"
    other = repo / "argocd" / "other.yaml"
    app = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: {name}}}\nspec:\n  project: default\n"
    app += "  source: {{repoURL: https://github.com/proompteng/lab.git, path: {path}, targetRevision: main}}\n"
    app += "  destination: {{server: https://kubernetes.default.svc, namespace: argocd}}\n"
    root.write_text(app.format(name="root", path="argocd/applicationsets"))
    other.write_text(app.format(name="other", path="argocd/applications/feed"))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "an app of apps")
    assert _gate(repo).json["findings"] == []
    other.write_text(other.read_text().replace("targetRevision: main", "targetRevision: feature-x"))
    assert _gate(repo).json["findings"] == []
    root.write_text(root.read_text().replace("targetRevision: main", "targetRevision: feature-x"))
    result = _gate(repo)
    got = [(f["rule"], f["file"]) for f in result.json["findings"]]
    assert got == [("argocd-source-moved", "argocd/root.yaml")] and result.code == 1, result.json["findings"]
    assert "which deploys what it lints" in result.stdout


def test_kustomize_parameters_given_by_the_set_that_deploys_the_tree_are_reported(repo: Path) -> None:
    """The set that deploys the linted tree lives outside it. Kustomize patches (the websocket at
    three replicas, live trading on) or a plugin added to its template are applied by Argo CD as it
    renders the tree, which the gate never sees: reported where the set gains them, once; what the
    trusted ref already has is reviewed, and a set deploying only other paths is not the gate's."""
    product = _trusted_repo(repo)
    product.write_text(_matrix_set(CLUSTER, MATRIX_ELEMENTS))
    git(repo, "commit", "-qam", "the lab's matrix")
    patched = _matrix_set(CLUSTER, MATRIX_ELEMENTS).replace(
        "        path: '{{ .path }}'\n",
        "        path: '{{ .path }}'\n        kustomize:\n          patches:\n"
        "            - {target: {kind: Deployment, name: torghut-ws}, patch: '[{op: replace, path: /spec/replicas,"
        " value: 3}]'}\n",
    )
    product.write_text(patched)
    result = _gate(repo)
    got = [(f["rule"], f["file"]) for f in result.json["findings"]]
    assert got == [("argocd-source-override", "argocd/applicationsets/product.yaml")], result.json["findings"]
    assert "kustomize patches" in result.stdout and result.code == 1
    git(repo, "commit", "-qam", "reviewed")
    assert _gate(repo).json["findings"] == []
    product.write_text(patched.replace("value: 3}", "value: 30}"))  # the same keys, a worse patch: new
    assert [f["rule"] for f in _gate(repo).json["findings"]] == ["argocd-source-override"]
    product.write_text(patched)
    feed_only = patched.replace("                - {name: torghut, path: argocd/applications/torghut}\n", "")
    (repo / "argocd" / "applicationsets" / "feed.yaml").write_text(
        feed_only.replace("name: product", "name: feed").replace("patches", "namePrefix: x-\n          patches")
    )
    assert _gate(repo).json["findings"] == []


def _with_app_of_apps(repo: Path) -> None:
    """The lab's root Application, deploying argocd/applicationsets from main, committed."""
    (repo / "argocd" / "root.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: root}\nspec:\n  project: default\n"
        "  source: {repoURL: https://github.com/proompteng/lab.git, path: argocd/applicationsets,"
        " targetRevision: main}\n"
        "  destination: {server: https://kubernetes.default.svc, namespace: argocd}\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "an app of apps")


def test_a_source_file_beside_the_sets_that_deploy_the_tree_is_reported(repo: Path) -> None:
    """An `.argocd-source-root.yaml` in the directory the root Application deploys (where the set that
    deploys the linted tree lives): Argo CD merges it into the root's source (a plugin rendering the
    ApplicationSets as it likes). The change's own is reported; one the trusted ref has is reviewed."""
    _trusted_repo(repo)
    _with_app_of_apps(repo)
    source = repo / "argocd" / "applicationsets" / ".argocd-source-root.yaml"
    source.write_text("plugin:\n  name: lovely\n")
    result = _gate(repo)
    got = [(f["rule"], f["file"]) for f in result.json["findings"]]
    assert got == [("argocd-source-override", "argocd/applicationsets/.argocd-source-root.yaml")], got
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "reviewed")
    assert _gate(repo).json["findings"] == []


def test_a_kustomization_rendering_the_sets_that_deploy_the_tree_is_read_as_built(repo: Path) -> None:
    """Argo CD renders the directory the root Application deploys: a kustomization added there
    that patches the product set's targetRevision to a branch deploys the tree from that branch,
    whatever product.yaml says. The sets are read as the kustomization builds them; one that only
    lists them changes nothing, and one the built-in renderer cannot build leaves them unknown."""
    product = _trusted_repo(repo)
    _with_app_of_apps(repo)
    kustomization = product.parent / "kustomization.yaml"
    kustomization.write_text("resources: [product.yaml]\n")
    assert _gate(repo).json["findings"] == []
    kustomization.write_text(
        "resources: [product.yaml]\npatches:\n  - target: {kind: ApplicationSet, name: product}\n"
        '    patch: \'[{"op": "replace", "path": "/spec/template/spec/source/targetRevision",'
        ' "value": "codex/live"}]\'\n'
    )
    result = _gate(repo)
    assert _moved_in_product_set(result) and "@codex/live" in result.stdout, result.json["findings"]
    kustomization.write_text("resources: [product.yaml]\nopenapi: {path: schema.json}\n")
    result = _gate(repo)
    assert _moved_in_product_set(result) and "as its kustomization renders it" in result.stdout, result.stdout


# -- the tree's admission policies decide a verdict: a change to them is the gate's --------------

ADMISSION = Path(__file__).resolve().parents[2] / "fixtures" / "admission" / "app"


def _admission_repo(tmp_path: Path) -> Path:
    """The admission fixture as a repository whose base passes (replicas within the params' 3)."""
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(ADMISSION, repo / "app")
    deploy = repo / "app" / "deploy.yaml"
    deploy.write_text(deploy.read_text().replace("replicas: 5", "replicas: 2").replace("replicas: 9", "replicas: 2"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "-c", "user.email=ci@example.com", "-c", "user.name=ci", "add", "-A")
    git(repo, "-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-qm", "base")
    return repo


def _edit(repo: Path, name: str, old: str, new: str | None = None) -> None:
    path = repo / "app" / name
    if new is None:
        path.unlink()
        return
    text = path.read_text()
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("edits", "where"),
    [
        # the validation made to pass everything
        ([("vap.yaml", "object.spec.replicas <= int(params.data.maxReplicas)", "true")], ("vap.yaml", 3)),
        # the binding told to audit only
        ([("vap.yaml", "validationActions: [Deny]", "validationActions: [Audit]")], ("vap.yaml", 3)),
        # the params the policy reads raised
        ([("params.yaml", 'maxReplicas: "3"', 'maxReplicas: "10"')], ("params.yaml", 1)),
        # the policy removed with its binding
        ([("kustomization.yaml", "vap.yaml, ", ""), ("vap.yaml", "")], ("vap.yaml", 3)),
    ],
)
def test_a_change_to_the_trees_admission_policies_is_the_gates(tmp_path: Path, edits: list, where: tuple) -> None:
    """A ValidatingAdmissionPolicy of the tree is a rule of the gate (vap/<name>), read from the
    change's own tree: weakened (its validation, its binding's actions, the params it reads, or
    gone), it let the replicas it limits rise in the same pull request."""
    repo = _admission_repo(tmp_path)
    _edit(repo, "deploy.yaml", "replicas: 2", "replicas: 9")
    for edit in edits:
        _edit(repo, *edit)
    result = run_cli("--format", "json", "--no-schemas", "--trusted-config", "main", "app", cwd=repo)
    got = findings_of(result)
    assert ("gate-config-changed", f"app/{where[0]}", where[1]) in got, got
    assert result.code == 1


def test_a_change_that_leaves_the_trees_admission_policies_as_they_were_is_not_the_gates(tmp_path: Path) -> None:
    repo = _admission_repo(tmp_path)
    _edit(repo, "deploy.yaml", "replicas: 2", "replicas: 3")  # within the limit
    _edit(repo, "vap.yaml", "# A ValidatingAdmissionPolicy", "# The ValidatingAdmissionPolicy")  # a comment
    (repo / "app" / "strict.yaml").write_text(  # a policy the change adds: stricter, never weaker
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\n"
        "metadata: {name: named}\nspec:\n  matchConstraints:\n    resourceRules:\n"
        "      - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}\n"
        "  validations: [{expression: has(object.metadata.name)}]\n---\n"
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\n"
        "metadata: {name: named-binding}\nspec: {policyName: named, validationActions: [Deny]}\n"
    )
    _edit(repo, "kustomization.yaml", "ns.yaml]", "ns.yaml, strict.yaml]")
    result = run_cli("--format", "json", "--no-schemas", "--trusted-config", "main", "app", cwd=repo)
    assert result.code == 0 and result.json["findings"] == [], result.stdout


ARGOCD_CM = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: argocd-cm, namespace: argocd}\n"
    "data:\n  kustomize.buildOptions: --enable-helm\n  url: https://argocd.example\n"
)


def _argocd_install(repo: Path) -> Path:
    """Argo CD managing itself from the repository, as the lab's does: its settings beside the
    product's applications (kustomize.buildOptions, plugins, the repo-server)."""
    install = repo / "argocd" / "applications" / "argocd"
    install.mkdir(parents=True)
    (install / "kustomization.yaml").write_text("namespace: argocd\nresources: [argocd-cm.yaml]\n")
    (install / "argocd-cm.yaml").write_text(ARGOCD_CM)
    return install


@pytest.mark.parametrize(
    ("edit", "files"),
    [
        (  # the build options every application is rendered with: another helm, its kube version
            lambda d: (d / "argocd-cm.yaml").write_text(
                ARGOCD_CM.replace("--enable-helm", "--enable-helm --helm-command /custom-tools/helm")
            ),
            ["argocd/applications/argocd/argocd-cm.yaml"],
        ),
        (  # a kustomize binary an Application's kustomize.version then selects
            lambda d: (d / "argocd-cm.yaml").write_text(
                ARGOCD_CM + "  kustomize.path.v3.5.4: /custom-tools/kustomize\n"
            ),
            ["argocd/applications/argocd/argocd-cm.yaml"],
        ),
        (  # a patch of the settings in a file of its own, named nowhere in it
            lambda d: (
                (d / "opts.yaml").write_text(
                    "- op: add\n  path: /data/kustomize.buildOptions\n  value: --load-restrictor LoadRestrictionsNone\n"
                ),
                (d / "kustomization.yaml").write_text(
                    (d / "kustomization.yaml").read_text()
                    + "patches: [{path: opts.yaml, target: {kind: ConfigMap, name: 'argocd-c.*'}}]\n"
                ),
            ),
            ["argocd/applications/argocd/kustomization.yaml", "argocd/applications/argocd/opts.yaml"],
        ),
        (lambda d: (d / "argocd-cm.yaml").unlink(), ["argocd/applications/argocd/argocd-cm.yaml"]),
    ],
)
def test_a_change_to_how_argo_cd_renders_every_application_is_reported(repo: Path, edit, files: list) -> None:
    """Argo CD renders the linted tree with the build options, kustomize binaries and plugins its
    own settings name; where Argo CD manages itself from the repository, a pull request edits
    them (a helm or kustomize of its choosing renders what the gate checked otherwise)."""
    install = _argocd_install(repo)
    _trusted_repo(repo)
    edit(install)
    result = _gate(repo)
    got = sorted((f["rule"], f["file"]) for f in result.json["findings"])
    assert got == [("argocd-source-override", file) for file in files], result.json["findings"]
    assert result.code == 1


def test_a_change_beside_argo_cd_s_settings_is_not_the_gates(repo: Path) -> None:
    install = _argocd_install(repo)
    _trusted_repo(repo)
    (repo / "argocd" / "applications" / "feed" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: f, labels: {a: b}}\n"
    )
    (install.parent / "notes.md").write_text("argocd-cm holds the build options\n")  # not Argo CD's
    result = _gate(repo)
    assert result.json["findings"] == [] and result.code == 0


def test_the_values_of_the_argo_cd_chart_are_argo_cd_s_settings(repo: Path) -> None:
    """Argo CD installed from its Helm chart: the values file beside the kustomization that names
    the chart holds the settings (configs.cm's kustomize.buildOptions) without naming argocd-cm."""
    install = repo / "argocd" / "applications" / "argocd"
    install.mkdir(parents=True)
    (install / "kustomization.yaml").write_text(
        "helmCharts:\n  - name: argo-cd\n    repo: https://argoproj.github.io/argo-helm\n"
        "    version: 7.7.0\n    valuesFile: values.yaml\n"
    )
    (install / "values.yaml").write_text("configs:\n  cm:\n    kustomize.buildOptions: --enable-helm\n")
    _trusted_repo(repo)
    (install / "values.yaml").write_text(
        "configs:\n  cm:\n    kustomize.buildOptions: --enable-helm --helm-command /custom-tools/helm\n"
    )
    result = _gate(repo)
    got = sorted((f["rule"], f["file"]) for f in result.json["findings"])
    assert got == [("argocd-source-override", "argocd/applications/argocd/values.yaml")], result.json["findings"]


# -- gate inputs named on the command line are read at the trusted ref too ------------------------

WIDGET_CRD = (
    "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n"
    "spec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n"
    "  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n"
    "        openAPIV3Schema:\n          type: object\n          properties:\n            spec:\n"
    "              type: object\n              properties: {size: {type: integer, maximum: 3}}\n"
)
WIDGET_SCHEMA = (
    '{"type": "object", "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"},'
    ' "metadata": {"type": "object"}, "spec": {"type": "object", "properties":'
    ' {"size": {"type": "integer", "maximum": 3}}}}}\n'
)


def _widget_repo(repo: Path) -> Path:
    """The fixture tree with a Widget of size 2 (its schema allows at most 3), committed."""
    _base_repo(repo)
    (repo / APP / "widget.yaml").write_text(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: torghut\nspec:\n  size: 2\n"
    )
    kustomization = repo / APP / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace("resources:\n", "resources:\n  - widget.yaml\n", 1))
    (repo / "gate" / "crds").mkdir(parents=True)
    (repo / "gate" / "crds" / "widget.yaml").write_text(WIDGET_CRD)
    (repo / "gate" / "schemas" / "example.com").mkdir(parents=True)
    (repo / "gate" / "schemas" / "example.com" / "widget_v1.json").write_text(WIDGET_SCHEMA)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    return repo


@pytest.mark.parametrize(
    ("flag", "given", "loosened"),
    [
        ("--crd", "gate/crds/widget.yaml", "gate/crds/widget.yaml"),
        ("--crd", "gate/crds", "gate/crds/widget.yaml"),
        ("--schema-location", "gate/schemas", "gate/schemas/example.com/widget_v1.json"),
    ],
)
def test_schemas_named_on_the_command_line_inside_the_repository_come_from_the_trusted_ref(
    repo: Path, flag: str, given: str, loosened: str
) -> None:
    """The workflow passes --crd or --schema-location with a path of the repository: the pull
    request raises the schema's maximum and the Widget's size together. Read from the change's
    own tree, the loosened schema passed it; at the trusted ref it is refused and the edit is the gate's."""
    _widget_repo(repo)
    widget = repo / APP / "widget.yaml"
    widget.write_text(widget.read_text().replace("size: 2", "size: 9"))
    schema = repo / loosened
    schema.write_text(schema.read_text().replace("maximum: 3", "maximum: 30").replace('"maximum": 3', '"maximum": 30'))
    git(repo, "commit", "-qam", "pr")
    assert run_cli("--format", "json", flag, given, cwd=repo).code == 0  # the change's own schema passes it
    result = run_cli("--format", "json", flag, given, "--trusted-config", "main~1", cwd=repo)
    got = findings_of(result)
    assert ("schema-invalid", f"{APP}/widget.yaml", 7) in got, got
    assert ("gate-config-changed", loosened, 0) in got, got
    assert result.code == 1


def test_a_schema_named_on_the_command_line_that_the_trusted_ref_lacks_is_not_read(repo: Path) -> None:
    """A --crd file the change adds (the ref has none) validates nothing: the gate at the ref had
    no such schema (the Widget has none: schema-missing), and the addition is the gate's."""
    _widget_repo(repo)
    (repo / "gate" / "crds" / "widget.yaml").rename(repo / "gate" / "crds" / "gadget.yaml")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "pr")
    result = run_cli("--format", "json", "--crd", "gate/crds/gadget.yaml", "--trusted-config", "main~1", cwd=repo)
    got = findings_of(result)
    assert ("gate-config-changed", "gate/crds/gadget.yaml", 0) in got, got
    assert ("schema-missing", f"{APP}/widget.yaml", 2) in got, got
    assert result.code == 1


def test_admission_policies_named_on_the_command_line_come_from_the_trusted_ref(tmp_path: Path) -> None:
    """--admission-policies with a directory of the repository: the change makes the validation
    pass everything and raises the replicas it limits; the policy as it is at the ref still refuses them."""
    repo = _admission_repo(tmp_path)
    (repo / "gate").mkdir()
    (repo / "app" / "vap.yaml").rename(repo / "gate" / "vap.yaml")
    _edit(repo, "kustomization.yaml", "vap.yaml, ", "")
    git(repo, "-c", "user.email=ci@example.com", "-c", "user.name=ci", "add", "-A")
    git(repo, "-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-qm", "policies beside the tree")
    _edit(repo, "deploy.yaml", "replicas: 2", "replicas: 9")
    vap = repo / "gate" / "vap.yaml"
    vap.write_text(vap.read_text().replace("object.spec.replicas <= int(params.data.maxReplicas)", "true"))
    args = ("--format", "json", "--no-schemas", "--admission-policies", "gate", "app")
    assert run_cli(*args, cwd=repo).code == 0  # the change's own policy lets the replicas through
    result = run_cli(*args, "--trusted-config", "main", cwd=repo)
    got = findings_of(result)
    assert [f for f in got if f[0] == "vap/max-replicas"] == [("vap/max-replicas", "app/deploy.yaml", 7)], got
    assert ("gate-config-changed", "gate/vap.yaml", 0) in got, got
    assert all("torghut-lint-trusted-" not in f["file"] for f in result.json["findings"]), result.stdout
    assert result.code == 1


def test_a_policy_directory_swapped_for_a_link_to_another_is_the_gates(repo: Path) -> None:
    """--policies team: the change replaces the directory with a symbolic link to one of the
    repository that holds no policy. Resolved first, the link named a directory the change did not
    touch (no gate change) whose copy at the ref is empty; the path given is what the gate reads."""
    _base_repo(repo)
    write_policy(repo / "team", "ws-at-most-one", "replica-count", "Deployment", "{count: 1}")
    (repo / "docs").mkdir()
    (repo / "docs" / "README.md").write_text("notes\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    scale_ws(repo)
    import shutil

    shutil.rmtree(repo / "team")
    (repo / "team").symlink_to("docs")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "pr")
    result = run_cli("--format", "json", "--policies", "team", "--trusted-config", "main~1", cwd=repo)
    got = findings_of(result)
    assert any(rule == "ws-at-most-one" for rule, *_ in got), got
    assert any(rule == "gate-config-changed" and file.startswith("team") for rule, file, _ in got), got
    assert result.code == 1


def test_a_policy_directory_the_config_names_through_a_link_is_read_as_the_ref_links_it(repo: Path) -> None:
    """The trusted config names lint/policies, where lint is a symbolic link to platform/lint at
    the ref: its policies apply (asked for at the path as written, the ref has no such tree and
    they were silently left out); the change pointing the link at an empty directory is the gate's."""
    _base_repo(repo)
    (repo / "platform" / "lint").mkdir(parents=True)
    write_policy(repo / "platform" / "lint" / "policies", "ws-at-most-one", "replica-count", "Deployment", "{count: 1}")
    (repo / "empty").mkdir()
    (repo / "empty" / "README.md").write_text("nothing here\n")
    (repo / "lint").symlink_to("platform/lint")
    (repo / ".torghut-lint.yaml").write_text("policies: [lint/policies]\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    scale_ws(repo)
    (repo / "lint").unlink()
    (repo / "lint").symlink_to("empty")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "pr")
    result = run_cli("--format", "json", "--trusted-config", "main~1", cwd=repo)
    got = findings_of(result)
    assert any(rule == "ws-at-most-one" for rule, *_ in got), got
    assert ("gate-config-changed", "lint", 0) in got, got
    assert result.code == 1


def test_policies_a_link_of_the_repository_leads_out_of_it_to_are_read_there(repo: Path, tmp_path: Path) -> None:
    """--policies vendor/policies, vendor a link to a directory outside the repository (a shared
    checkout): not the change's to edit, read where the ref's link leads."""
    shared = tmp_path.parent / f"{tmp_path.name}-shared"
    shared.mkdir()
    write_policy(shared / "policies", "ws-at-most-one", "replica-count", "Deployment", "{count: 1}")
    _base_repo(repo)
    (repo / "vendor").symlink_to(shared)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    scale_ws(repo)
    git(repo, "commit", "-qam", "pr")
    result = run_cli("--format", "json", "--policies", "vendor/policies", "--trusted-config", "main~1", cwd=repo)
    got = findings_of(result)
    assert any(rule == "ws-at-most-one" for rule, *_ in got), got
    assert not any(rule == "gate-config-changed" for rule, *_ in got), got


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("../elsewhere", "../elsewhere: outside the repository (give an absolute path)"),
        ("{repo}/lint-policies", "/lint-policies: give a path of the repository relative to the config"),
    ],
)
def test_a_trusted_config_naming_a_path_its_copy_cannot_read_as_the_ref_has_it_is_refused(
    repo: Path, written: str, message: str
) -> None:
    """A path the trusted config names relative to it but outside the repository, or absolute into
    the repository, would be read beside the temporary copy of the config, or from the change's
    own tree: a clear error (exit 2), not a gate that silently loads nothing or the change's policies."""
    _base_repo(repo)
    (repo / "lint-policies").mkdir()
    (repo / ".torghut-lint.yaml").write_text(f"policies: ['{written.format(repo=repo.resolve())}']\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    result = run_cli("--format", "json", "--trusted-config", "main", cwd=repo)
    assert result.code == 2, result.stdout
    assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr


def test_the_config_found_from_a_subdirectory_is_read_at_the_trusted_ref(repo: Path) -> None:
    """The gate runs in argocd/, whose .torghut-lint.yaml names the team's policies: under
    --trusted-config the config the command finds there (the nearest, as without it) is the ref's,
    its paths read beside it; only the root's was looked for, so the team's rules were left out."""
    _base_repo(repo)
    write_policy(repo / "argocd" / "team", "ws-at-most-one", "replica-count", "Deployment", "{count: 1}")
    (repo / "argocd" / ".torghut-lint.yaml").write_text("policies: [team]\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    scale_ws(repo)
    git(repo, "commit", "-qam", "pr")
    result = run_cli("--format", "json", "--trusted-config", "main~1", ".", cwd=repo / "argocd")
    got = findings_of(result)
    assert [rule for rule, *_ in got].count("ws-at-most-one") == 1, got
    assert not any(rule == "manifest-invalid" for rule, *_ in got), got  # the policy is no manifest
    assert result.code == 1


def test_a_config_the_change_adds_nearer_the_gate_than_the_refs_is_the_gates(repo: Path) -> None:
    """The ref's config, at the root, names the team's policies; the change adds one in argocd/,
    where the gate runs, switching a rule off. The ref's decides, and the new one is a gate change."""
    _base_repo(repo)
    write_policy(repo / "team", "ws-at-most-one", "replica-count", "Deployment", "{count: 1}")
    (repo / ".torghut-lint.yaml").write_text("policies: [team]\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    scale_ws(repo)
    (repo / "argocd" / ".torghut-lint.yaml").write_text("rules:\n  ws-single-replica: {enabled: false}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "pr")
    result = run_cli("--format", "json", "--trusted-config", "main~1", ".", cwd=repo / "argocd")
    got = findings_of(result)
    assert {"ws-at-most-one", "ws-single-replica"} <= {rule for rule, *_ in got}, got
    assert ("gate-config-changed", ".torghut-lint.yaml", 0) in got, got  # argocd's: shown from where the gate runs
    assert result.code == 1
