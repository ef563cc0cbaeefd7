"""ApplicationSet generators and templates as Argo CD expands them (torghut_lint/appsets.py)."""

from __future__ import annotations

import pytest

from torghut_lint.appsets import list_elements, possible_values


def test_list_elements_are_found_through_matrix_and_merge_generators() -> None:
    generators = [
        {"list": {"elements": [{"a": 1}, "not a mapping"]}},
        {"matrix": {"generators": [{"git": {}}, {"merge": {"generators": [{"list": {"elements": [{"b": 2}]}}]}}]}},
        {"list": {"elementsYaml": "{{ .x }}"}},  # templated: nothing to read
    ]
    found = list(list_elements(generators, ("spec", "generators")))
    nested = ("spec", "generators", 1, "matrix", "generators", 1, "merge", "generators", 0, "list", "elements", 0)
    assert found == [(("spec", "generators", 0, "list", "elements", 0), {"a": 1}), (nested, {"b": 2})]


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
    assert possible_values(text, element) == want


def _sets(generators: list) -> list[tuple]:
    from torghut_lint.appsets import parameter_sets

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
    from torghut_lint.appsets import MAX_PARAMETER_SETS

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
    from torghut_lint.appsets import template_value

    assert template_value(text, element) == want
