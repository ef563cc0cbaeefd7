"""What Argo CD changes about a rendering outside the manifests (torghut_lint/argocd.py)."""

from __future__ import annotations

import pytest

from torghut_lint.argocd import _elements, _parameters, _possible


def test_list_elements_are_found_through_matrix_and_merge_generators() -> None:
    generators = [
        {"list": {"elements": [{"a": 1}, "not a mapping"]}},
        {"matrix": {"generators": [{"git": {}}, {"merge": {"generators": [{"list": {"elements": [{"b": 2}]}}]}}]}},
        {"list": {"elementsYaml": "{{ .x }}"}},  # templated: nothing to read
    ]
    found = list(_elements(generators, ("spec", "generators")))
    nested = ("spec", "generators", 1, "matrix", "generators", 1, "merge", "generators", 0, "list", "elements", 0)
    assert found == [(("spec", "generators", 0, "list", "elements", 0), {"a": 1}), (nested, {"b": 2})]


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


@pytest.mark.parametrize(
    ("text", "element", "want"),
    [
        ("torghut", {}, ("torghut",)),
        (None, {}, ()),
        ("{{name}}", {"name": "torghut"}, ("torghut",)),
        ("'{{ .name }}-prod'", {"name": "torghut"}, ("'torghut-prod'",)),
        # the lab's product set: either branch may be taken
        (
            '{{ if hasKey . "namespace" }}{{ .namespace }}{{ else }}{{ .name }}{{ end }}',
            {"name": "torghut-live", "namespace": "torghut"},
            ("torghut", "torghut-live"),
        ),
        ('{{- if hasKey . "namespace" -}}{{ .namespace }}{{- else -}}{{ .name }}{{- end -}}', {"name": "a"}, ("a",)),
        ('{{ printf "%s-x" .name }}', {"name": "a"}, None),  # a function's result: unknown
        # sprig's default: the parameter given, else the default, either way round
        ("{{ default .name .namespace }}", {"name": "a", "namespace": "torghut"}, ("a", "torghut")),
        ('{{ .namespace | default "torghut" }}', {"namespace": "b"}, ("b", "torghut")),
        ('{{ default "torghut" .namespace }}', {}, ("torghut",)),
        ("{{ default (lower .name) .namespace }}", {"name": "a"}, None),  # a function inside: unknown
        ("{{ if .x }}{{ .x }}{{ end }}-suffix", {"x": "a"}, None),  # text beside a choice
        ("{{ .missing }}", {}, None),
        ("{{ .name }}" + " " * 300, {"name": "a"}, None),  # longer than any namespace: not read
    ],
)
def test_the_namespaces_a_templated_destination_may_be(text, element, want) -> None:
    assert _possible(text, element) == want


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
    from torghut_lint import argocd
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
    monkeypatch.setattr(argocd, "MAX_DIRECTORY_MATCHES", 5)  # 2 patterns x 5 directories (apps among them)
    (unknown,) = repository_deployments(tmp_path, tmp_path)
    assert (unknown.path, unknown.namespaces, unknown.key) == (None, None, "generator generators.0")


def _sets(generators: list) -> list[tuple]:
    from torghut_lint.argocd import parameter_sets

    return [(s.key, s.params) for s, _ in parameter_sets(generators, ("spec", "generators"), ())]


def test_a_matrix_makes_every_pair_the_first_generators_parameters_winning() -> None:
    clusters = {"list": {"elements": [{"cluster": "a"}, {"cluster": "b", "targetRevision": "x"}]}}
    apps = {"list": {"elements": [{"name": "torghut", "path": "p", "cluster": "z"}]}}
    assert _sets([{"matrix": {"generators": [clusters, apps]}}]) == [
        ("element torghut", {"name": "torghut", "path": "p", "cluster": "a"}),
        ("element torghut #2", {"name": "torghut", "path": "p", "cluster": "b", "targetRevision": "x"}),
    ]
    assert _sets([{"matrix": {"generators": [clusters]}}]) == []  # Argo CD refuses one generator
    unknown = {"pullRequest": {"github": {}}}
    assert _sets([{"matrix": {"generators": [clusters, unknown]}}]) == [
        ("generator generators.0.matrix.generators.1", None)
    ]


def test_a_merge_overrides_its_base_sets_by_their_merge_keys() -> None:
    base = {"list": {"elements": [{"name": "torghut", "rev": "main"}, {"name": "feed", "rev": "main"}]}}
    override = {"list": {"elements": [{"name": "torghut", "rev": "x"}, {"name": "other", "rev": "y"}]}}
    merged = _sets([{"merge": {"mergeKeys": ["name"], "generators": [base, override]}}])
    assert merged == [
        ("element torghut", {"name": "torghut", "rev": "x"}),
        ("element feed", {"name": "feed", "rev": "main"}),
    ]
    twice = {"list": {"elements": [{"name": "torghut"}, {"name": "torghut"}]}}
    assert _sets([{"merge": {"mergeKeys": ["name"], "generators": [twice, override]}}]) == []  # refused


def test_a_selector_reads_the_flattened_parameters_as_go_prints_them() -> None:
    elements = [{"name": "a", "enabled": True}, {"name": "b", "enabled": False}, {"name": "c", "meta": {"tier": "1"}}]
    keep = {"matchExpressions": [{"key": "enabled", "operator": "NotIn", "values": ["false"]}]}
    assert [k for k, _ in _sets([{"list": {"elements": elements}, "selector": keep}])] == ["element a", "element c"]
    labels = {"matchLabels": {"meta.tier": "1"}}
    assert [k for k, _ in _sets([{"list": {"elements": elements}, "selector": labels}])] == ["element c"]


def test_a_generator_making_more_than_the_bound_is_one_unknown_set() -> None:
    from torghut_lint.argocd import MAX_PARAMETER_SETS

    wide = {"list": {"elements": [{"c": i} for i in range(101)]}}
    tall = {"list": {"elements": [{"name": f"a{i}"} for i in range(MAX_PARAMETER_SETS // 100)]}}
    assert len(_sets([{"matrix": {"generators": [wide, tall]}}])) == 1
    assert _sets([{"matrix": {"generators": [wide, tall]}}])[0][1] is None


@pytest.mark.parametrize(
    ("text", "element", "want"),
    [
        ('{{ if hasKey . "targetRevision" }}{{ .targetRevision }}{{ else }}main{{ end }}', {}, "main"),
        (
            '{{ if hasKey . "targetRevision" }}{{ .targetRevision }}{{ else }}main{{ end }}',
            {"targetRevision": "x"},
            "x",
        ),
        ("{{ .rev }}", {"rev": "x"}, "x"),
        ("{{rev}}", {"rev": "x"}, "x"),
        ("{{ .rev }}", {}, None),  # missingkey=error: Argo CD makes no application; unknown here
        ("{{ .rev | lower }}", {"rev": "X"}, None),
        ("{{ .rev }}", None, None),
        ("main", None, "main"),
        # a hostile choice (500 kB of else branches took two minutes to match): unknown at once
        ('{{ if hasKey . "x" }}' + "{{ else }}" * 50_000 + "a", {}, None),
    ],
)
def test_a_templates_value_with_a_generators_parameters(text, element, want) -> None:
    from torghut_lint.argocd import template_value

    assert template_value(text, element) == want
