"""The field specs as data: split and merged as kustomize splits and merges them (the renders
these decide are held to `kubectl kustomize` in test_transformers.py)."""

from __future__ import annotations

import pytest

from torghut_lint.kustomize import fieldspecs
from torghut_lint.kustomize.fieldspecs import Conflict, from_entry, merged, split_path


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("metadata/labels", ("metadata", "labels")),
        ("/metadata/labels", ("metadata", "labels")),  # one leading slash dropped
        ("//metadata/labels", ("", "metadata", "labels")),  # the second is an empty step
        ("metadata/labels/", ("metadata", "labels", "")),
        ("", ("",)),
        ("metadata/annotations/a\\/b", ("metadata", "annotations", "a/b")),  # an escaped slash
        ("spec/containers[]/image", ("spec", "containers[]", "image")),
    ],
)
def test_a_path_splits_as_kustomizes_path_splitter(text: str, steps: tuple) -> None:
    assert split_path(text) == steps


@pytest.mark.parametrize("specs", [fieldspecs.COMMON_LABELS, fieldspecs.METADATA_LABELS, fieldspecs.ANNOTATIONS])
def test_the_built_in_specs_merge_into_nothing_unchanged(specs: list) -> None:
    """What a ``labels`` entry without fields writes to is the built-in list itself: none of its
    specs covers another (or the merge would drop or refuse one)."""
    assert merged([], specs) == specs


def test_an_own_spec_covers_a_built_in_one_of_its_path_and_a_kind_it_names() -> None:
    own = from_entry({"path": "metadata/labels", "kind": "Service", "create": True})
    assert merged([own], fieldspecs.METADATA_LABELS[:1]) == [own]
    other_text = from_entry({"path": "/metadata/labels", "kind": "Service", "create": True})
    assert merged([other_text], fieldspecs.METADATA_LABELS[:1]) == [other_text, fieldspecs.METADATA_LABELS[0]]
    with pytest.raises(Conflict):
        merged([from_entry({"path": "metadata/labels", "kind": "Service"})], fieldspecs.METADATA_LABELS[:1])
    # a built-in spec naming a kind is covered only by one of that kind
    template = [s for s in fieldspecs.METADATA_LABELS if s.kind == "Deployment"]
    anyone = from_entry({"path": "spec/template/metadata/labels"})
    assert merged([anyone], template) == [anyone, *template]


def test_a_null_or_pathless_entry_is_the_empty_path() -> None:
    assert from_entry(None).path == ("",) and from_entry({"kind": "Service"}).path == ("",)
