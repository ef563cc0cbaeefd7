"""What Argo CD changes about a rendering outside the manifests (torghut_lint/argocd.py)."""

from __future__ import annotations

from torghut_lint.argocd import _elements, _parameters


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
