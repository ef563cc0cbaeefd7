"""Strategic-merge patches (kustomize/patch.py) against `kubectl kustomize` itself, directive by
directive: merge keys, null deletes, $patch replace/delete/merge, $retainKeys, $setElementOrder,
$deleteFromPrimitiveList, primitive lists, CRDs (no merge keys: lists replaced)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from kubectl_parity import PREFIXED_BASE, outcome, render_both

BASE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {app: api, tier: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}
  template:
    metadata: {labels: {app: api}}
    spec:
      volumes: [{name: data, emptyDir: {}}, {name: cfg, configMap: {name: c}}]
      containers:
        - name: api
          image: api:1
          args: [--a, --b]
          env: [{name: A, value: "1"}, {name: B, value: "2"}]
          ports: [{containerPort: 80, protocol: TCP}, {containerPort: 443, protocol: TCP}]
        - name: side
          image: side:1
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  items: [{name: a, v: 1}, {name: b, v: 2}]
"""

HEAD = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n"
CASES = {
    "merge a container by name": HEAD + "spec:\n  template:\n    spec:\n      containers:\n"
    "        - name: api\n          image: api:2\n          env: [{name: B, value: '3'}, {name: C, value: '4'}]\n",
    "a new container": HEAD + "spec:\n  template:\n    spec:\n      containers: [{name: new, image: n}]\n",
    "null deletes a key": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, labels: {tier: null}}\n"
    "spec: {strategy: {rollingUpdate: null}}\n",
    "primitive list replaced": HEAD + "spec:\n  template:\n    spec:\n      containers: [{name: api, args: [--c]}]\n",
    "delete a container": HEAD + "spec:\n  template:\n    spec:\n      containers: [{name: side, $patch: delete}]\n",
    "replace the list": HEAD + "spec:\n  template:\n    spec:\n      containers:\n"
    "        - {name: only, image: o}\n        - $patch: replace\n",
    "replace a map": HEAD + "spec:\n  strategy:\n    $patch: replace\n    type: Recreate\n",
    "retain keys": HEAD + "spec:\n  strategy:\n    $retainKeys: [type]\n    type: Recreate\n",
    "set element order": HEAD
    + "spec:\n  template:\n    spec:\n      $setElementOrder/containers: [{name: side}, {name: api}]\n"
    "      containers: [{name: api, image: api:3}]\n",
    "delete from a primitive list": HEAD + "spec:\n  template:\n    spec:\n      containers:\n"
    "        - name: api\n          $deleteFromPrimitiveList/args: [--a]\n",
    "ports by containerPort and protocol": HEAD + "spec:\n  template:\n    spec:\n      containers:\n"
    "        - name: api\n          ports: [{containerPort: 8080, protocol: TCP},"
    " {containerPort: 443, protocol: TCP, name: s}]\n",
    # kustomize drops or keeps a port without a protocol by internal defaults: refused, not guessed
    "ports without a protocol": HEAD + "spec:\n  template:\n    spec:\n      containers:\n"
    "        - name: api\n          ports: [{containerPort: 443, name: https}, {containerPort: 8080}]\n",
    "unknown directives stay": HEAD + "spec:\n  template:\n    spec:\n      containers:\n"
    "        - name: api\n          $deleteFromPrimitiveList/args: [--a]\n          $other: x\n",
    "volumes by name": HEAD
    + "spec:\n  template:\n    spec:\n      volumes: [{name: cfg, configMap: {name: d}}, {name: x, emptyDir: {}}]\n",
    "custom resource lists are replaced": "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"
    "spec:\n  items: [{name: b, v: 3}]\n",
    "delete the object": HEAD + "$patch: delete\n",
}


def _patched(patch: str) -> dict[str, str]:
    return {
        "base.yaml": BASE,
        "patch.yaml": patch,
        "kustomization.yaml": "resources: [base.yaml]\npatches:\n  - path: patch.yaml\n",
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_strategic_merge_renders_as_kubectl_does(tmp_path: Path, name: str) -> None:
    rendered, problems = render_both(tmp_path, _patched(CASES[name]))
    assert rendered and problems == [], problems


MORE = {
    "delete a map inside a list item": HEAD + "spec:\n  template:\n    spec:\n      containers:\n"
    "        - name: api\n          resources: {$patch: delete}\n",
    "null inside a list item": HEAD
    + "spec:\n  template:\n    spec:\n      containers:\n        - {name: api, args: null}\n",
    "an env entry deleted": HEAD + "spec:\n  template:\n    spec:\n      containers:\n"
    "        - name: api\n          env: [{name: A, $patch: delete}]\n",
    "a volume replaced by name": HEAD + "spec:\n  template:\n    spec:\n      volumes:\n"
    "        - {name: data, $patch: replace, persistentVolumeClaim: {claimName: pvc}}\n",
    "patch with an explicit merge directive": HEAD
    + "spec:\n  template:\n    $patch: merge\n    metadata: {labels: {x: y}}\n",
    "a patch naming another namespace matches nothing": "apiVersion: apps/v1\nkind: Deployment\n"
    "metadata: {name: api, namespace: other}\n"
    "spec: {replicas: 9}\n",
    "a list of maps without a merge key is replaced": HEAD + "spec:\n  template:\n    spec:\n"
    "      tolerations: [{operator: Exists}]\n",
    # read by go-yaml v3 and written as JSON: a timestamp rewritten, a number key or NaN refused
    "a timestamp and an underscored number": "apiVersion: apps/v1\nkind: Deployment\n"
    "metadata: {name: api, annotations: {since: 2026-01-01}}\nspec: {minReadySeconds: 1_0, template: {spec: "
    "{nodeSelector: {since: 2026-01-01}}}}\n",
    "a number key": HEAD + "spec: {template: {spec: {nodeSelector: {8080: x}}}}\n",
    "a number annotation key": "apiVersion: apps/v1\nkind: Deployment\n"
    "metadata: {name: api, annotations: {'8080': x}}\n",
    "a NaN value": HEAD + "spec: {template: {metadata: {annotations: {a: .nan}}}}\n",
}


@pytest.mark.parametrize("name", sorted(MORE))
def test_more_strategic_merge_renders_as_kubectl_does(tmp_path: Path, name: str) -> None:
    rendered, problems = render_both(tmp_path, _patched(MORE[name]))
    assert problems == [], problems


@pytest.mark.parametrize(
    "metadata",
    [
        "{name: api}",  # the name as written in the base: kustomize matches it
        "{name: b-api}",  # the prefixed name outside its namespace: kustomize refuses
        "{name: api, namespace: t}",
        "{name: b-api, namespace: t}",
        "{name: api, namespace: elsewhere}",
    ],
)
def test_an_overlay_patch_finds_the_base_object_by_any_of_its_ids(tmp_path: Path, metadata: str) -> None:
    rendered, problems = render_both(
        tmp_path,
        {
            **PREFIXED_BASE,
            "patch.yaml": f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {metadata}\nspec: {{replicas: 5}}\n",
            "kustomization.yaml": "resources: [base]\npatches: [{path: patch.yaml}]\n",
        },
    )
    assert problems == [], problems


def test_a_patch_without_a_namespace_does_not_reach_an_object_written_with_one(tmp_path: Path) -> None:
    rendered, problems = render_both(
        tmp_path,
        {
            "d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: x}\n",
            "patch.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec: {replicas: 5}\n",
            "kustomization.yaml": "resources: [d.yaml]\npatches: [{path: patch.yaml}]\n",
        },
    )
    assert problems == [] and not rendered  # kustomize refuses; so does the built-in renderer


INLINE = {
    "several documents": "  - patch: |-\n"
    "      apiVersion: apps/v1\n      kind: Deployment\n      metadata: {name: api}\n      spec: {replicas: 4}\n"
    "      ---\n"
    "      apiVersion: example.com/v1\n      kind: Widget\n      metadata: {name: w}\n      spec: {items: []}\n",
    "a document end marker": "  - patch: |\n"
    "      apiVersion: apps/v1\n      kind: Deployment\n      metadata: {name: api}\n      spec: {replicas: 4}\n"
    "      ...\n",
    "a separator with a comment": "  - patch: |-\n"
    "      apiVersion: apps/v1\n      kind: Deployment\n      metadata: {name: api}\n      spec: {replicas: 4}\n"
    "      --- # the widget\n"
    "      apiVersion: example.com/v1\n      kind: Widget\n      metadata: {name: w}\n      spec: {items: []}\n",
    "a block scalar holding a separator line": "  - patch: |-\n"
    "      apiVersion: apps/v1\n      kind: Deployment\n      metadata:\n        name: api\n"
    "        annotations:\n          notes: |\n            first\n            ---\n            second\n",
}


@pytest.mark.parametrize("name", sorted(INLINE))
def test_inline_patches_render_as_kubectl_does(tmp_path: Path, name: str) -> None:
    """An inline patch is indented back to its place in the kustomization (for locations); its own
    document markers must stay markers (an indented ``---`` is text)."""
    files = {"base.yaml": BASE, "kustomization.yaml": "resources: [base.yaml]\npatches:\n" + INLINE[name]}
    rendered, problems = render_both(tmp_path, files)
    assert rendered and problems == [], problems


def test_a_patches_strategic_merge_entry_may_be_the_patch_itself(tmp_path: Path) -> None:
    """kustomize reads a patchesStrategicMerge entry as objects before reading it as a path."""
    kustomization = (
        "resources: [base.yaml]\npatchesStrategicMerge:\n  - |-\n"
        "    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: api}\n    spec: {replicas: 3}\n"
        "    ---\n    apiVersion: example.com/v1\n    kind: Widget\n    metadata: {name: w}\n    spec: {items: []}\n"
        "  - patch.yaml\n"
    )
    patch = HEAD + "spec: {minReadySeconds: 4}\n"
    files = {"base.yaml": BASE, "patch.yaml": patch, "kustomization.yaml": kustomization}
    rendered, problems = render_both(tmp_path, files)
    assert rendered and problems == [], problems


def test_an_inline_patch_indented_as_a_whole_is_read_as_kustomize_trims_it(tmp_path: Path) -> None:
    """``|2-`` keeps every line indented; kustomize trims the text first, so the first line loses
    its indentation and kubectl refuses the patch: so does the built-in build."""
    kustomization = (
        "resources: [base.yaml]\npatches:\n  - patch: |2-\n"
        "        apiVersion: apps/v1\n        kind: Deployment\n        metadata: {name: api}\n"
        "        spec: {replicas: 2}\n"
    )
    rendered, problems = render_both(tmp_path, {"base.yaml": BASE, "kustomization.yaml": kustomization})
    assert not rendered and problems == [], problems


POD_LISTS = """apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      imagePullSecrets: [{name: a}]
      tolerations: [{key: k, operator: Exists}]
      topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]
      schedulingGates: [{name: g1}]
      containers:
        - name: api
          image: api
          volumeDevices: [{name: d, devicePath: /dev/a}]
          envFrom: [{configMapRef: {name: c}}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
imagePullSecrets: [{name: a}]
"""
SPEC = HEAD + "spec:\n  template:\n    spec:\n"
BY_SCHEMA = {
    # the Kubernetes schema says how each list merges; the same name can mean two things
    "tolerations are replaced (atomic)": SPEC + "      tolerations: [{key: j, operator: Exists}]\n",
    "spread constraints merge on two keys": SPEC
    + "      topologySpreadConstraints: [{maxSkew: 2, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway},"
    " {maxSkew: 3, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]\n",
    # a Pod's schedulingGates merge by name since Kubernetes 1.26: kustomize's own schema predates them
    "scheduling gates are replaced": SPEC + "      schedulingGates: [{name: g2}]\n",
    "a pod's pull secrets merge by name": SPEC + "      imagePullSecrets: [{name: b}]\n",
    "a service account's pull secrets are replaced": "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n"
    "imagePullSecrets: [{name: b}]\n",
    "volume devices merge by path": SPEC + "      containers:\n        - name: api\n"
    "          volumeDevices: [{name: e, devicePath: /dev/b}]\n",
    "envFrom is replaced (atomic)": SPEC + "      containers:\n        - name: api\n"
    "          envFrom: [{secretRef: {name: s}}]\n",
}


@pytest.mark.parametrize("name", sorted(BY_SCHEMA))
def test_lists_merge_as_the_kubernetes_schema_says(tmp_path: Path, name: str) -> None:
    files = {
        "base.yaml": POD_LISTS,
        "patch.yaml": BY_SCHEMA[name],
        "kustomization.yaml": "resources: [base.yaml]\npatches:\n  - path: patch.yaml\n",
    }
    rendered, problems = render_both(tmp_path, files)
    assert rendered and problems == [], problems


def test_metadata_lists_merge_as_the_schema_says(tmp_path: Path) -> None:
    """finalizers merge as a set of strings (the patch's first), ownerReferences by uid."""
    base = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers: [a, b]\n"
        "  ownerReferences: [{apiVersion: v1, kind: X, name: x, uid: u1}]\ndata: {k: v}\n"
    )
    patch = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers: [c, a]\n"
        "  ownerReferences:\n    - {apiVersion: v1, kind: Y, name: y, uid: u2}\n"
        "    - {apiVersion: v1, kind: X, name: x2, uid: u1}\n"
    )
    files = {
        "base.yaml": base,
        "patch.yaml": patch,
        "kustomization.yaml": "resources: [base.yaml]\npatches: [{path: patch.yaml}]\n",
    }
    rendered, problems = render_both(tmp_path, files)
    assert rendered and problems == [], problems


CONTAINERS = HEAD + "spec:\n  template:\n    spec:\n      containers:\n"
# Directives where the target has nothing to meet them, a whole patch's directive, list directives
# (kustomize reads a keyed list's own from the first item holding $patch, and only when that item
# holds nothing else), and directives kustomize refuses: each as kubectl renders it, or blocked.
DIRECTIVES = {
    "a top-level replace changes nothing": ("exact", HEAD + "$patch: replace\nspec: {replicas: 5}\n"),
    "metadata replaced keeps the name": (
        "exact",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, $patch: replace}\nspec: {replicas: 2}\n",
    ),
    "metadata deleted keeps the name": (
        "exact",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, $patch: delete}\nspec: {replicas: 2}\n",
    ),
    "an added map that says delete is not added": (
        "exact",
        HEAD + "spec:\n  template:\n    spec:\n      securityContext: {$patch: delete, runAsUser: 1}\n",
    ),
    "an added map's nulls and directives settle": (
        "exact",
        HEAD + "spec:\n  template:\n    spec:\n      securityContext:\n        runAsUser: null\n"
        "        runAsGroup: 1\n        seLinuxOptions: {$patch: replace, level: x, role: null}\n",
    ),
    "a new container's env items that say delete go": (
        "exact",
        CONTAINERS + "        - name: new\n          image: n\n"
        "          readinessProbe: {$patch: delete, httpGet: {path: /readyz, port: 80}}\n"
        "          env: [{name: A, $patch: delete}, {name: B, value: '1'}]\n",
    ),
    "a replaced map's content settles": (
        "exact",
        HEAD + "spec:\n  template:\n    spec:\n      $patch: replace\n      containers:\n"
        "        - {name: new, image: n, env: [{name: A, $patch: delete}, {name: B, value: '1'}]}\n",
    ),
    "a matched item told to replace is left as it was": (
        "exact",
        CONTAINERS + "        - {name: side, $patch: replace, image: evil}\n        - {name: api, image: api:9}\n",
    ),
    "an item's delete with other fields makes the list merge": (
        "exact",
        CONTAINERS + "        - {name: side, $patch: delete}\n        - {name: api, image: api:9}\n",
    ),
    "a list deleted by its own directive": (
        "exact",
        HEAD + "spec:\n  template:\n    spec:\n      volumes: [{$patch: delete}, {name: x, emptyDir: {}}]\n",
    ),
    "a list replaced by a directive first, its items settled": (
        "exact",
        CONTAINERS + "        - $patch: replace\n"
        "        - {name: api, image: a, env: [{name: A, $patch: delete}, {name: Z, value: '1'}]}\n",
    ),
    "an unknown directive": ("refused", HEAD + "spec:\n  strategy: {$patch: Replace, type: Recreate}\n"),
    "an unknown directive of a list item": ("refused", CONTAINERS + "        - {name: api, $patch: bogus}\n"),
    "a null directive": ("refused", HEAD + "spec:\n  strategy: {$patch: null, type: Recreate}\n"),
    "an unknown directive of the whole patch": ("refused", HEAD + "$patch: bogus\nspec: {replicas: 2}\n"),
    "a patch of another apiVersion": (
        "refused",
        "apiVersion: apps/v1beta2\nkind: Deployment\nmetadata: {name: api}\nspec: {replicas: 2}\n",
    ),
    "a patch without an apiVersion": ("refused", "kind: Deployment\nmetadata: {name: api}\nspec: {replicas: 2}\n"),
    "two directive items in a list": (
        "closed",
        CONTAINERS + "        - $patch: merge\n        - {name: side, image: s}\n        - $patch: replace\n",
    ),
    "a list item without its merge key": (
        "closed",
        CONTAINERS + "        - name: api\n          env: [{value: x}, {name: A, value: '2'}]\n",
    ),
    "two list items with one key": (
        "closed",
        CONTAINERS + "        - name: api\n          env: [{name: B, value: x}, {name: B, value: y}]\n",
    ),
    "a port whose key is null": (
        "closed",
        CONTAINERS + "        - name: api\n          ports: [{containerPort: null, protocol: TCP}]\n",
    ),
    "a new container's port without its keys": (
        "closed",
        CONTAINERS + "        - name: new\n          image: n\n"
        "          ports: [{containerPort: null, name: h, protocol: null}]\n",
    ),
    "an added keyed list with a directive": (
        "closed",
        CONTAINERS + "        - name: side\n          ports: [{containerPort: 1, protocol: TCP}, {$patch: replace}]\n",
    ),
}


@pytest.mark.parametrize("name", sorted(DIRECTIVES))
def test_directives_render_as_kubectl_does_or_block(tmp_path: Path, name: str) -> None:
    expected, patch = DIRECTIVES[name]
    assert outcome(tmp_path, _patched(patch)) == expected


KINDS_TARGET = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {x: y}, annotations: {q: r}}\n"
    "data: {a: b}\nspec: {a: {b: c}, l: [1], s: str, n: null}\n"
)


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        # kustomize walks a field as the object's kind and refuses a patch of another ("wrong node kind")
        ("spec: {a: [x]}", "refused"),
        ("spec: {a: x}", "refused"),
        ("spec: {l: {k: v}}", "refused"),
        ("spec: {s: [k]}", "refused"),
        ("data: x", "refused"),
        ("spec: {s: {$patch: delete}}", "refused"),
        ("spec: {l: {$patch: replace}}", "refused"),
        ("metadata: {name: c, labels: [a, b]}", "refused"),
        # a null on either side is no kind: deleted, or replaced
        ("spec: {a: null}", "exact"),
        ("spec: {n: {k: v}}", "exact"),
        ("spec: {n: [a]}", "exact"),
    ],
)
def test_a_patch_of_another_kind_than_the_field_is_refused(tmp_path: Path, patch: str, expected: str) -> None:
    files = {
        "o.yaml": KINDS_TARGET,
        "p.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\n{patch}\n".replace(
            "metadata: {name: c}\nmetadata:", "metadata:"
        ),
        "kustomization.yaml": "resources: [o.yaml]\npatches:\n- path: p.yaml\n",
    }
    assert outcome(tmp_path, files) == expected


@pytest.mark.parametrize(
    "metadata",
    [
        "labels: {app: null}",  # with a target: the label "null", set (without: deleted)
        "labels: {x: null}",
        "labels: null",  # with a target: nothing deleted
        "labels: {a: 5, b: true, c: ~, d: '', e: {f: g}, f: [1]}",  # texts as written; a map or a list is ""
        "annotations: {q: null, n: 0x10}",
        "labels: {x: !!binary aGk=}",
    ],
)
@pytest.mark.parametrize("target", ["", "  target: {kind: ConfigMap}\n"])
def test_a_targeted_patchs_labels_and_annotations_are_read_as_texts(tmp_path: Path, metadata: str, target: str) -> None:
    """kustomize applies a strategic-merge patch with a target to a copy whose labels and
    annotations it first sets from the patch's own, as texts; without a target it merges them."""
    files = {
        "o.yaml": KINDS_TARGET,
        "p.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  {metadata}\n",
        "kustomization.yaml": f"resources: [o.yaml]\npatches:\n- path: p.yaml\n{target}",
    }
    assert outcome(tmp_path, files) == "exact"


TWO = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, labels: {a: b}}\n---\n"
TWO += "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\n"


@pytest.mark.parametrize(
    ("patch", "options", "target", "expected"),
    [
        # with a target, the copy of the patch takes the object's apiVersion: a kind change keeps it
        (
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: d}\n",
            "{allowKindChange: true}",
            "{kind: Deployment}",
            "exact",
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata: {name: d3}\n",
            "{allowNameChange: true, allowKindChange: true}",
            "{name: s}",
            "exact",
        ),
        # a rename onto another object's id: kustomize crashes on the two
        (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n",
            "{allowNameChange: true, allowKindChange: true}",
            "{name: s}",
            "refused",
        ),
        (
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\n",
            "{allowNameChange: true, allowKindChange: true}",
            "{kind: Deployment}",
            "refused",
        ),
        (
            "- {op: replace, path: /metadata/name, value: s}\n- {op: replace, path: /kind, value: StatefulSet}\n",
            "{}",
            "{name: d}",
            "refused",
        ),
    ],
)
def test_a_patch_that_renames_as_kustomize_does(
    tmp_path: Path, patch: str, options: str, target: str, expected: str
) -> None:
    files = {
        "o.yaml": TWO,
        "p.yaml": patch,
        "kustomization.yaml": "resources: [o.yaml]\npatches:\n- path: p.yaml\n"
        f"  options: {options}\n  target: {target}\n",
    }
    assert outcome(tmp_path, files) == expected


def test_a_replacement_that_renames_onto_another_object_is_refused(tmp_path: Path) -> None:
    files = {
        "o.yaml": TWO.replace("StatefulSet", "Deployment"),
        "kustomization.yaml": "resources: [o.yaml]\nreplacements:\n"
        "- source: {kind: Deployment, name: d, fieldPath: metadata.name}\n"
        "  targets:\n  - select: {name: s}\n    fieldPaths: [metadata.name]\n",
    }
    assert outcome(tmp_path, files) == "refused"


PAIR = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: '1'}\n---\n"
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {x: '1'}\n"
)
PATCH_PAIR = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {y: '2'}\n---\n"
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {y: '3'}\n"
)
TWO_OPS = "- {op: add, path: /data/z, value: '1'}\n---\n- {op: add, path: /data/w, value: '1'}\n"
J6902 = "patchesJson6902: [{path: p.yaml, target: {version: v1, kind: ConfigMap, %s}}]"


@pytest.mark.parametrize(
    ("patch", "entry", "expected"),
    [
        # several objects: a patch each, but one entry with a target takes one alone
        (PATCH_PAIR, "patches: [{path: p.yaml}]", "exact"),
        (PATCH_PAIR, "patches: [{path: p.yaml, target: {kind: ConfigMap}}]", "refused"),
        # a List's items are the patches, as a resource file's are
        (
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n"
            "  data: {y: '2'}\n",
            "patches: [{path: p.yaml, target: {name: b}}]",
            "exact",
        ),
        # JSON operations are read from the first document alone
        (TWO_OPS, "patches: [{path: p.yaml, target: {name: a}}]", "exact"),
        ("# a comment\n---\n" + TWO_OPS, "patches: [{path: p.yaml, target: {name: a}}]", "exact"),
        (TWO_OPS, J6902 % "name: a", "exact"),
        # ... and an object before them is neither kind of patch; patchesJson6902 needs a target's name
        (
            PATCH_PAIR + "---\n- {op: add, path: /data/z, value: '1'}\n",
            "patches: [{path: p.yaml, target: {name: a}}]",
            "refused",
        ),
        (PATCH_PAIR, J6902 % "name: a", "refused"),
        (TWO_OPS, J6902 % "namespace: default", "refused"),
    ],
)
def test_a_patch_text_is_read_as_each_field_reads_it(tmp_path: Path, patch: str, entry: str, expected: str) -> None:
    files = {"o.yaml": PAIR, "p.yaml": patch, "kustomization.yaml": f"resources: [o.yaml]\n{entry}\n"}
    assert outcome(tmp_path, files) == expected


def _env(items: str) -> str:
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
        f"spec: {{template: {{spec: {{containers: [{{name: m, image: x, env: {items}}}]}}}}}}\n"
    )


def _finalizers(items: str) -> str:
    return f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d, finalizers: {items}}}\n"


@pytest.mark.parametrize(
    ("written", "patch", "expected"),
    [
        # a keyed list holding an item that is no map: kustomize refuses, drops or keeps it case by case
        (_env("[x, {name: A, value: b}]"), _env("[{name: B, value: c}]"), "refused"),
        (_env("[[a], {name: A, value: b}]"), _env("[{name: A, value: c}]"), "refused"),
        (_env("[x]"), _env("[]"), "refused"),
        (_env("[{name: A, value: b}]"), _env("[x, {name: B, value: c}]"), "closed"),
        (_env("[null, {name: A, value: b}]"), _env("[{name: B, value: c}]"), "closed"),
        # a list of values merged as a set: each value once, the patch's order, the object's node kept
        (_finalizers("[x, y]"), _finalizers("[y, x, y]"), "exact"),
        (_finalizers("[b, a, a]"), _finalizers("[c]"), "exact"),
        (_finalizers("[a, '1']"), _finalizers("[1]"), "exact"),
        (_finalizers("[a, null]"), _finalizers("[c]"), "closed"),
    ],
)
def test_a_keyed_list_with_odd_items_merges_as_kubectl_or_blocks(
    tmp_path: Path, written: str, patch: str, expected: str
) -> None:
    files = {
        "o.yaml": written,
        "p.yaml": patch,
        "kustomization.yaml": "resources: [o.yaml]\npatches: [{path: p.yaml}]\n",
    }
    assert outcome(tmp_path, files) == expected


EMPTY_VALUES = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    e:\n    f: g\n"
    "data:\n  x: y\n  t:\n  n: null\n  m: ~\n  z: !!null\n"
    "spec:\n  p:\n    q:\n    r: s\n  l:\n  - n:\n    o: p\n  -\nother:\n---\n"
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 1\n  template:\n"
    "    spec:\n      containers:\n      - name: a\n        image: x\n        workingDir:\n"
    "        env:\n        - name: E\n          value:\n"
)


@pytest.mark.parametrize(
    "patches",
    [
        "",  # nothing merged: every field stays as written
        "- patch: '{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {s: t}}'\n"
        "- patch: '{apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {replicas: 2}}'\n",
    ],
    ids=["not merged", "merged elsewhere"],
)
def test_a_strategic_merge_clears_the_fields_written_with_no_value(tmp_path: Path, patches: str) -> None:
    """kustomize's merge walks the whole object: a field written with no value at all goes, in maps
    and in keyed lists' items (a container, an env entry), not in a list replaced whole; ``null``
    and ``~`` stay. Rendered byte for byte as kubectl renders it."""
    from conftest import run_cli

    files = {
        "o.yaml": EMPTY_VALUES,
        "kustomization.yaml": "resources: [o.yaml]\n" + (f"patches:\n{patches}" if patches else ""),
    }
    rendered, problems = render_both(tmp_path, files)
    assert rendered and problems == [], problems
    want = subprocess.run(["kubectl", "kustomize", str(tmp_path)], capture_output=True, timeout=120).stdout
    assert run_cli("render", str(tmp_path)).stdout == want.decode()
