"""JSON patch operations (kustomize/patch.py json6902) against `kubectl kustomize` itself: every
op (add, remove, replace, copy, move, test), list indices and `-`, escaped pointer tokens, and
the failures kustomize refuses (a failed `test`, a missing path, an index out of range), which
the built-in renderer must refuse too (a blocking finding), never render differently."""

from __future__ import annotations

from pathlib import Path

import pytest
from kubectl_parity import PREFIXED_BASE, render_both

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {app: api, "a/b": x}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: api:1
          env: [{name: A, value: "1"}, {name: B, value: "2"}]
        - name: sidecar
          image: side:1
"""

CASES = {
    "add and replace": [
        "{op: add, path: /spec/template/spec/containers/0/env/-, value: {name: C, value: '3'}}",
        "{op: replace, path: /spec/replicas, value: 3}",
    ],
    "add at an index": ["{op: add, path: /spec/template/spec/containers/0/env/1, value: {name: Z, value: z}}"],
    "remove a list item and a key": [
        "{op: remove, path: /spec/template/spec/containers/1}",
        "{op: remove, path: /metadata/labels/app}",
    ],
    "copy": ["{op: copy, from: /spec/template/spec/containers/0/env, path: /spec/template/spec/containers/1/env}"],
    # a string where annotations go: kustomize drops it; the built-in renderer refuses (kustomize-unsupported)
    "move": ["{op: move, from: /spec/template/spec/containers/0/image, path: /metadata/annotations}"],
    "move into a new key": ["{op: move, from: /metadata/labels, path: /metadata/annotations}"],
    "escaped tokens": ["{op: replace, path: /metadata/labels/a~1b, value: y}"],
    # a move takes its value out before it looks for the destination (kustomize's JSON patch library)
    "move into what it moves": [
        "{op: move, from: /spec/template/spec/containers/0, path: /spec/template/spec/containers/0/env/1}"
    ],
    "move through an index the move shifted": [
        "{op: move, from: /spec/template/spec/containers/0, path: /spec/template/spec/containers/1/env/0}"
    ],
    # kustomize refuses an object a patch left without a name
    "a name that is a map": ["{op: replace, path: /metadata/name, value: {a: b}}"],
    "an empty name": ["{op: replace, path: /metadata/name, value: ''}"],
    "no metadata at all": ["{op: remove, path: /metadata}"],
    "move within a list": [
        "{op: move, from: /spec/template/spec/containers/0/env/0, path: /spec/template/spec/containers/0/env/1}"
    ],
    "test that holds": [
        "{op: test, path: /spec/replicas, value: 1}",
        "{op: replace, path: /spec/replicas, value: 2}",
    ],
    "test that fails": ["{op: test, path: /spec/replicas, value: 5}", "{op: replace, path: /spec/replicas, value: 2}"],
    "replace a missing key (kustomize adds it)": ["{op: replace, path: /spec/paused, value: true}"],
    "remove a missing path": ["{op: remove, path: /spec/nothing}"],
    "index out of range": ["{op: add, path: /spec/template/spec/containers/7, value: {name: x, image: x}}"],
    "unknown op": ["{op: frobnicate, path: /spec/replicas, value: 1}"],
    # each op on the object as the ops before it left it: nothing below a replaced map exists
    "add below a map an earlier op replaced": [
        "{op: replace, path: /spec/template/spec, value: {serviceAccountName: x}}",
        "{op: add, path: /spec/template/spec/containers/0/env/0/value, value: live}",
    ],
    "a from that is no pointer": ["{op: copy, from: [/spec/replicas], path: /spec/paused}"],
    # the Deployment has no annotations, but kustomize patches it with its own bookkeeping there
    "add an annotation to an object without any": ["{op: add, path: /metadata/annotations/owner, value: team}"],
    "replace a missing annotation": ["{op: replace, path: /metadata/annotations/owner, value: team}"],
    "remove annotations that were never written": ["{op: remove, path: /metadata/annotations}"],
    "test the whole annotations map": ["{op: test, path: /metadata/annotations, value: {}}"],
    "add to a template's missing annotations": ["{op: add, path: /spec/template/metadata/annotations/x, value: y}"],
    # go-yaml v2 reads patch values: YAML 1.1 booleans, binary and underscored numbers
    "yaml 1.1 values": [
        "{op: add, path: /metadata/annotations, value: {a: 'y'}}",
        "{op: add, path: /spec/paused, value: on}",
        "{op: add, path: /spec/template/spec/containers/0/env/0/value, value: 'Off'}",
        "{op: replace, path: /spec/replicas, value: 0b11}",
        "{op: add, path: /spec/minReadySeconds, value: 1_0}",
        "{op: add, path: /spec/progressDeadlineSeconds, value: Yes}",
    ],
    # go-yaml v2 keeps a timestamp as written and turns a number key into its text; JSON cannot
    # hold an infinity: kustomize refuses the patch
    "a timestamp and a number key": [
        "{op: add, path: /spec/template/spec/nodeSelector, value: {since: 2026-01-01, 8080: x, on: y}}",
    ],
    # kustomize writes annotations back unquoted and reads them again: a key "8080" fails the build
    "a number key in annotations": ["{op: add, path: /metadata/annotations, value: {8080: x}}"],
    "an infinite value": ["{op: add, path: /metadata/annotations, value: {a: .inf}}"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_patch_renders_as_kubectl_does(tmp_path: Path, name: str) -> None:
    ops = "".join(f"    - {op}\n" for op in CASES[name])
    kustomization = (
        "resources: [deployment.yaml]\npatches:\n  - target: {kind: Deployment, name: api}\n"
        f"    patch: |-\n{ops.replace('    - ', '      - ')}"
    )
    rendered, problems = render_both(tmp_path, {"deployment.yaml": DEPLOYMENT, "kustomization.yaml": kustomization})
    assert problems == [], problems
    # both sides agree on whether kustomize accepts the patch; the failures are refused by both
    refused = {"test that fails", "remove a missing path", "index out of range", "unknown op"}
    refused |= {"test the whole annotations map", "add to a template's missing annotations"}
    refused |= {"move into what it moves", "move through an index the move shifted"}
    refused |= {"a name that is a map", "an empty name", "no metadata at all", "a from that is no pointer"}
    refused |= {"add below a map an earlier op replaced", "an infinite value", "a number key in annotations"}
    assert rendered == (name not in refused)


@pytest.mark.parametrize(
    "target",
    [
        "{kind: Deployment, name: api}",  # the name as the base wrote it
        "{kind: Deployment, name: b-api}",
        "{kind: Deployment, name: api, namespace: t}",
        "{kind: Deployment, name: b-api, namespace: default}",  # name and namespace matched independently
        "{kind: Deployment, name: 'a.*'}",
        "{kind: Deployment, namespace: other}",
    ],
)
def test_a_target_selects_by_current_or_written_names(tmp_path: Path, target: str) -> None:
    overlay = (
        f"resources: [base]\npatches:\n  - target: {target}\n    patch: |-\n"
        "      - {op: replace, path: /spec/replicas, value: 5}\n"
    )
    rendered, problems = render_both(tmp_path, {**PREFIXED_BASE, "kustomization.yaml": overlay})
    assert rendered and problems == [], problems


T6902 = "target: {group: apps, version: v1, kind: Deployment, name: api}"


@pytest.mark.parametrize(
    "entry",
    [
        "patches: [{path: empty.yaml, target: {kind: Deployment}}]",  # no text at all: a JSON patch of nothing
        "patches: [{path: empty.yaml}]",  # refused: a JSON patch needs a target
        "patches: [{path: blank.yaml, target: {kind: Deployment}}]",  # refused: both SM and JSON
        "patches: [{path: blank.yaml}]",
        "patches: [{patch: ' ', target: {kind: Deployment}}]",  # trimmed: unset, refused
        'patches: [{patch: "\\n  \\n", target: {kind: Deployment}}]',
        "patchesStrategicMerge: [empty.yaml]",  # refused: any empty patch
        "patchesStrategicMerge: [blank.yaml]",
        "patches: [{path: comments.yaml, target: {kind: Deployment}}]",  # refused: both SM and JSON
        "patches: [{patch: 'null', target: {kind: Deployment}}]",  # refused
        "patches: [{patch: '', target: {kind: Deployment}}]",  # '' is unset: refused
        "patches: [{path: ops.yaml, patch: '', target: {kind: Deployment}}]",  # '' is unset: the path
        "patches: [{path: ops.yaml, patch: '[]', target: {kind: Deployment}}]",  # refused: both set
        f"patchesJson6902: [{{path: empty.yaml, {T6902}}}]",  # refused: any empty patch
        f"patchesJson6902: [{{path: comments.yaml, {T6902}}}]",
        f"patchesJson6902: [{{patch: '[]', {T6902}}}]",
        f"patchesJson6902: [{{path: ops.yaml, patch: '[]', {T6902}}}]",
        f"patchesJson6902: [{{path: ops.yaml, {T6902}}}]",
    ],
)
def test_empty_and_doubly_given_patches_as_kubectl(tmp_path: Path, entry: str) -> None:
    files = {
        "deployment.yaml": DEPLOYMENT,
        "empty.yaml": "",
        "blank.yaml": "\n  \n",
        "comments.yaml": "# nothing here\n",
        "ops.yaml": "- {op: replace, path: /spec/replicas, value: 4}\n",
        "kustomization.yaml": f"resources: [deployment.yaml]\n{entry}\n",
    }
    rendered, problems = render_both(tmp_path, files)
    assert problems == [], problems


def test_a_patch_that_fails_on_every_object_it_selects_is_one_finding(tmp_path: Path) -> None:
    """kustomize refuses the build at the first; a selector meeting a thousand objects is one
    finding that says how many more, not a thousand (nor a report of megabytes)."""
    from torghut_lint.kustomize.build import Builder, SourceFiles

    objects = "".join(
        f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}, labels: {{a: b}}}}\n" for i in range(1000)
    )
    (tmp_path / "c.yaml").write_text(objects)
    patch = '[{"op": "add", "path": "/data/k", "value": "v"}]'
    (tmp_path / "kustomization.yaml").write_text(
        f"resources: [c.yaml]\npatches:\n- target: {{labelSelector: a=b}}\n  patch: '{patch}'\n"
    )
    build = Builder(SourceFiles(tmp_path)).build(tmp_path)
    assert [(f.rule, f.location.line) for f in build.findings] == [("kustomize-patch-invalid", 3)]  # the entry
    assert build.findings[0].message == (
        "patch cannot be applied to ConfigMap c0: no key 'data' (and 999 more resource(s) it selects)"
    )


ARGS = "/spec/template/spec/containers/0/args"


@pytest.mark.parametrize(
    "op",
    [
        # kustomize's JSON patch library (evanphx/json-patch v4): a negative index counts from the
        # end, an index is what Go's Atoi reads (a sign, ASCII digits, leading zeros), "-" appends
        *(f"{{op: add, path: {ARGS}/{i}, value: z}}" for i in ("-1", "-3", "-4", "+1", "01", "-0", "\u0661", "-")),
        *(f"{{op: remove, path: {ARGS}/{i}}}" for i in ("-1", "-2", "-3", "2", "-")),
        *(f"{{op: replace, path: {ARGS}/{i}, value: q}}" for i in ("-1", "-2", "-3", "9223372036854775808")),
        f"{{op: test, path: {ARGS}/-1, value: b}}",
        f"{{op: move, from: {ARGS}/-2, path: {ARGS}/-1}}",
        f"{{op: copy, from: {ARGS}/-1, path: {ARGS}/0}}",
        # an add or replace without a value writes null; a copy of a key the map lacks copies null
        "{op: add, path: /metadata/labels/q}",
        "{op: replace, path: /spec/replicas}",
        "{op: copy, from: /spec/nothing, path: /spec/minReadySeconds}",
        "{op: copy, from: /nothing/here, path: /spec/minReadySeconds}",  # refused: no such map
        f"{{op: copy, from: {ARGS}/5, path: /spec/minReadySeconds}}",  # refused: no such index
        # a test of a key the map lacks passes for null, fails for any other value, and without
        # a value crashes kubectl (refused)
        "{op: test, path: /spec/nothing, value: null}",
        "{op: test, path: /spec/nothing, value: 0}",
        "{op: test, path: /spec/nothing}",
    ],
)
def test_json_patch_quirks_as_kubectl(tmp_path: Path, op: str) -> None:
    deployment = DEPLOYMENT.replace("- name: api\n", "- name: api\n          args: [a, b]\n", 1)
    assert "args: [a, b]" in deployment
    files = {
        "deployment.yaml": deployment,
        "kustomization.yaml": f"resources: [deployment.yaml]\npatches:\n- target: {{kind: Deployment}}\n"
        f"  patch: |\n    - {op}\n",
    }
    rendered, problems = render_both(tmp_path, files)
    assert problems == [], problems
