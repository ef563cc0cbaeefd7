"""What Argo CD changes about a rendering outside the manifests (torghut_lint/argocd.py)."""

from __future__ import annotations

from torghut_lint.argocd import _parameters


def test_the_parameters_a_source_file_sets_are_named_one_level_down() -> None:
    assert _parameters({"kustomize": {"images": [], "patches": []}, "plugin": {}, "helm": "x"}) == [
        "kustomize.images",
        "kustomize.patches",
        "plugin",
        "helm",
    ]


def test_a_list_elements_path_is_the_templates_with_its_parameters_written_in() -> None:
    """Argo CD renders the template's ``source.path`` with the element's parameters (fasttemplate's
    ``{{name}}`` or Go template's ``{{ .name }}``); an element's own ``path`` parameter counts only
    where the template uses it; a parameter nothing gives leaves the path unknown."""
    from torghut_lint.argocd import deployments
    from torghut_lint.model import Resource
    from torghut_lint.parse import parse_bytes

    text = (
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: s}\nspec:\n"
        "  generators:\n    - list:\n        elements:\n"
        "          - {name: torghut, path: elsewhere}\n          - {name: feed}\n"
        "  template:\n    spec:\n      source: {repoURL: r, path: 'argocd/applications/{{ .name }}/{{env}}'}\n"
    )
    doc = parse_bytes(text.encode(), "s.yaml").documents[0]
    found = deployments([Resource(doc.node, doc.data)])
    assert [(d.key, d.path) for d in found] == [("element torghut", None), ("element feed", None)]
    doc.data["spec"]["template"]["spec"]["source"]["path"] = "argocd/applications/{{ .name }}/"
    assert [d.path for d in deployments([Resource(doc.node, doc.data)])] == [
        "argocd/applications/torghut",
        "argocd/applications/feed",
    ]


def test_the_spellings_of_one_repository_are_one_key() -> None:
    from torghut_lint.argocd import repository_key

    spellings = [
        "https://github.com/proompteng/lab.git",
        "https://github.com/proompteng/lab",
        "git@github.com:proompteng/lab.git",
        "ssh://git@github.com/proompteng/lab.git/",
        "HTTPS://GitHub.com/Proompteng/Lab",
    ]
    assert {repository_key(url) for url in spellings} == {"github.com/proompteng/lab"}
    assert repository_key("git@github.com:gregkonush/home.git") != repository_key(spellings[0])


def test_a_git_generators_directories_are_matched_within_a_bound(tmp_path, monkeypatch) -> None:
    """Every directory a git directory generator's patterns match is an application; patterns
    times directories past the bound (a pull request's list of thousands of patterns over a large
    repository) are not matched one by one: the generator is read as one whose applications are
    unknown (the gate holds a new or changed one that may deploy the linted paths)."""
    from torghut_lint import appsets
    from torghut_lint.argocd import repository_deployments

    for name in ("apps/a", "apps/b", "apps/b/deeper", "other"):
        (tmp_path / name).mkdir(parents=True)
    text = (
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: s}\nspec:\n  generators:\n"
        "    - git: {repoURL: r, revision: HEAD, directories: [{path: 'apps/*'}, {path: apps/b, exclude: true}]}\n"
        "  template:\n    metadata: {name: '{{path.basename}}'}\n"
        "    spec: {source: {repoURL: r, path: '{{path}}'}, destination: {namespace: '{{path[1]}}'}}\n"
    )
    (tmp_path / "set.yaml").write_text(text)
    found = repository_deployments(tmp_path, tmp_path)
    assert [(d.path, d.namespaces, d.key) for d in found] == [("apps/a", ("a",), "directory apps/a")]
    monkeypatch.setattr(appsets, "MAX_DIRECTORY_MATCHES", 5)  # 2 patterns x 5 directories (apps among them)
    (unknown,) = repository_deployments(tmp_path, tmp_path)
    assert (unknown.path, unknown.namespaces, unknown.key) == (None, None, "generator generators.0")
