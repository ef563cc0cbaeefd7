"""kustomize's transformers and generators against `kubectl kustomize` itself, one construct per
case: what the built-in renderer produces must be what kubectl produces, or a blocking finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from kubectl_parity import outcome, render_both

BASE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {app: api}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      serviceAccountName: api
      containers:
        - name: api
          image: registry.example.com/team/api:1.0
          envFrom: [{configMapRef: {name: settings}}, {secretRef: {name: creds}}]
          volumeMounts: [{name: cfg, mountPath: /cfg}]
        - name: side
          image: busybox
      initContainers:
        - name: init
          image: busybox:1.36
      volumes: [{name: cfg, configMap: {name: settings}}]
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
  ports: [{port: 80}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: api}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: api}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: api, namespace: default}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 1
  maxReplicas: 3
"""

CASES = {
    "images": "images:\n  - {name: registry.example.com/team/api, newName: ghcr.io/x/api, newTag: '2.0'}\n"
    "  - {name: busybox, digest: 'sha256:0000000000000000000000000000000000000000000000000000000000000001'}\n",
    "replicas": "replicas: [{name: api, count: 4}]\n",
    "namespace and bindings": "namespace: shop\n",
    "prefix, suffix and references": "namePrefix: team-\nnameSuffix: -v1\n"
    "configMapGenerator: [{name: settings, literals: [A=1]}]\nsecretGenerator: [{name: creds, literals: [P=x]}]\n",
    "common labels and annotations": "commonLabels: {team: a}\ncommonAnnotations: {owner: b}\n",
    "labels without selectors": "labels: [{pairs: {team: a}, includeTemplates: true}]\n",
    "labels with selectors": "labels: [{pairs: {team: a}, includeSelectors: true}]\n",
    "generator options": "generatorOptions: {disableNameSuffixHash: true, labels: {gen: 'yes'}}\n"
    "configMapGenerator: [{name: settings, literals: [A=1, B=two]}]\n",
    "generator behaviors": "configMapGenerator:\n  - {name: settings, literals: [A=1]}\n"
    "  - {name: settings, behavior: merge, literals: [B=2]}\n",
    "secret types": "secretGenerator:\n"
    "  - {name: creds, type: kubernetes.io/basic-auth, literals: [username=u, password=p]}\n",
    "numbers in literals": "configMapGenerator: [{name: settings, literals: ['A=010', 'B=true', 'C=1.50', 'D=']}]\n",
    # one pair of matching quotes around the whole value goes, an unmatched one stays
    "quotes in literals": "configMapGenerator:\n  - name: settings\n    literals: [\"A='q'\", 'B=\"dq\"', "
    "\"C='it's'\", 'D=\"x', \"E='a'b'\", 'F=\"\"', \"G='\", 'H= spaced ', 'I=a=b']\n",
}


MORE = {
    "replacements": "replacements:\n  - source: {kind: Service, name: api, fieldPath: spec.ports.0.port}\n"
    "    targets:\n      - select: {kind: Deployment}\n"
    "        fieldPaths:\n          - spec.template.spec.containers.[name=api].ports.0.containerPort\n"
    "        options: {create: true}\n",
    "patch targets by label selector": "patches:\n  - target: {kind: Deployment, labelSelector: app=api}\n"
    "    patch: |-\n      - {op: replace, path: /spec/replicas, value: 2}\n",
    "patch targets by annotation selector that matches nothing": "patches:\n  - target: {annotationSelector: x=y}\n"
    "    patch: |-\n      - {op: replace, path: /spec/replicas, value: 2}\n",
    "prefix with a cluster-scoped binding": "namePrefix: p-\nnamespace: shop\n",
}

CASES.update(MORE)  # replacements and patch target selectors, compared the same way


@pytest.mark.parametrize("name", sorted(CASES))
def test_transformers_render_as_kubectl_does(tmp_path: Path, name: str) -> None:
    rendered, problems = render_both(
        tmp_path, {"base.yaml": BASE, "kustomization.yaml": "resources: [base.yaml]\n" + CASES[name]}
    )
    assert rendered and problems == [], problems


@pytest.mark.parametrize("literal", ["NOEQ", "=x", "''"])
def test_a_literal_kustomize_refuses_blocks(tmp_path: Path, literal: str) -> None:
    """No '=' or no key: kustomize refuses the build; the built-in build blocks at the literal."""
    kustomization = f"resources: [base.yaml]\nconfigMapGenerator: [{{name: settings, literals: [A=1, {literal}]}}]\n"
    rendered, problems = render_both(tmp_path, {"base.yaml": BASE, "kustomization.yaml": kustomization})
    assert not rendered and problems == [], problems


@pytest.mark.parametrize(
    "generator",
    [
        "secretGenerator: [{name: creds}]",  # an empty Secret keeps `data: {}`, and hashes it so
        "configMapGenerator: [{name: settings}]",  # an empty ConfigMap has no data at all
        "configMapGenerator: [{name: settings, literals: [a=1, a=2]}]",  # a repeated key: refused
        "configMapGenerator: [{name: settings, literals: [a=1], envs: [a.env]}]",  # across sources too
        "configMapGenerator: [{name: settings, literals: ['0=zero']}]",  # keys kustomize reads back as
        "configMapGenerator: [{name: settings, literals: ['true=t']}]",  # a number, a boolean, null,
        "configMapGenerator: [{name: settings, literals: ['~=n']}]",  # an int with underscores or a
        "configMapGenerator: [{name: settings, literals: ['1_000=k']}]",  # timestamp: refused
        "configMapGenerator: [{name: settings, literals: ['2001-12-14=d']}]",
        "configMapGenerator: [{name: settings, literals: ['yes=y', 'on=o', 'a_1=x', 'Yes=z']}]",  # strings
        "secretGenerator: [{name: creds, envs: [a.env]}]",
    ],
)
def test_generator_keys_and_empty_data_as_kubectl(tmp_path: Path, generator: str) -> None:
    files = {"base.yaml": BASE, "a.env": "a=3\n", "kustomization.yaml": "resources: [base.yaml]\n" + generator + "\n"}
    rendered, problems = render_both(tmp_path, files)
    assert problems == [], problems


def test_the_namespace_goes_where_kustomize_puts_it_kind_by_kind(tmp_path: Path) -> None:
    """kustomize knows a kind's scope by apiVersion and kind from the OpenAPI compiled into it: a
    kind of a newer Kubernetes (ValidatingAdmissionPolicy, flowcontrol v1beta2+), a webhook
    configuration's v1alpha1, a ClusterRole of another group get the namespace; the cluster-scoped
    kinds it knows do not. Every combination below, against kubectl."""
    groups = {
        "": ["Namespace", "Node", "PersistentVolume", "ComponentStatus", "ConfigMap"],
        "rbac.authorization.k8s.io": ["ClusterRole", "ClusterRoleBinding", "Role"],
        "apiextensions.k8s.io": ["CustomResourceDefinition"],
        "storage.k8s.io": ["StorageClass", "VolumeAttachment", "CSIDriver", "CSINode", "VolumeAttributesClass"],
        "scheduling.k8s.io": ["PriorityClass"],
        "networking.k8s.io": ["IngressClass", "IPAddress", "ServiceCIDR"],
        "node.k8s.io": ["RuntimeClass"],
        "admissionregistration.k8s.io": [
            "ValidatingWebhookConfiguration",
            "MutatingWebhookConfiguration",
            "ValidatingAdmissionPolicy",
            "ValidatingAdmissionPolicyBinding",
        ],
        "apiregistration.k8s.io": ["APIService"],
        "certificates.k8s.io": ["CertificateSigningRequest", "ClusterTrustBundle"],
        "policy": ["PodSecurityPolicy"],
        "flowcontrol.apiserver.k8s.io": ["FlowSchema", "PriorityLevelConfiguration"],
        "authorization.k8s.io": ["SubjectAccessReview"],
        "resource.k8s.io": ["DeviceClass"],
        "example.com": ["ClusterRole", "ClusterIssuer"],
    }
    docs = []
    for group, kinds in groups.items():
        for version in ("v1", "v1beta1", "v1beta2", "v1beta3", "v1alpha1") if group else ("v1",):
            api = f"{group}/{version}" if group else version
            docs += [f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: x{len(docs)}}}\n" for kind in kinds]
    files = {"all.yaml": "---\n".join(docs), "kustomization.yaml": "resources: [all.yaml]\nnamespace: shop\n"}
    rendered, problems = render_both(tmp_path, files)
    assert rendered and problems == [], problems


def test_prefix_and_namespace_spare_what_kustomize_spares_by_group(tmp_path: Path) -> None:
    """Any group's Namespace and CRD keep their names, only apiregistration's APIService does
    (and gets spec.service.namespace made for it); webhooks' services keep a missing namespace."""
    docs = [
        "apiVersion: example.com/v1\nkind: Namespace\nmetadata: {name: n}\n",
        "apiVersion: example.com/v1\nkind: CustomResourceDefinition\nmetadata: {name: c}\n",
        "apiVersion: example.com/v1\nkind: APIService\nmetadata: {name: a}\n",
        "apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata: {name: v1.x.example.com}\n",
        "apiVersion: apiregistration.k8s.io/v1beta2\nkind: APIService\nmetadata: {name: v1.y.example.com}\n",
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: v}\n"
        "webhooks: [{name: a, clientConfig: {service: {name: s}}}, {name: b}]\n",
        "apiVersion: example.com/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: w}\n"
        "webhooks: [{name: a, clientConfig: {service: {name: s, namespace: x}}}]\n",
    ]
    files = {
        "all.yaml": "---\n".join(docs),
        "kustomization.yaml": "resources: [all.yaml]\nnamePrefix: p-\nnamespace: shop\n",
    }
    rendered, problems = render_both(tmp_path, files)
    assert rendered and problems == [], problems


SERVICE_USERS = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.x.io}
spec:
  group: x.io
  names: {kind: Thing, plural: things}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
  conversion:
    strategy: Webhook
    webhook: {clientConfig: {service: SERVICE}, conversionReviewVersions: [v1]}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: vwc}
webhooks:
- {name: w.x.io, clientConfig: {service: SERVICE}, admissionReviewVersions: [v1], sideEffects: None}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec: {ports: [{port: 80}]}
"""


@pytest.mark.parametrize("service", ["{name: svc}", "{name: svc, namespace: null}", "{name: svc, namespace: other}"])
@pytest.mark.parametrize("kustomization", ["namespace: new", "namespace: new\nnamePrefix: p-"])
def test_the_services_a_namespace_moves(tmp_path: Path, service: str, kustomization: str) -> None:
    """kustomize's namespace field specs move a CRD's conversion webhook Service where its namespace
    is written (and an APIService's, made where absent); a webhook configuration's Service is none
    of them: it follows its Service by name reference, so one in another namespace stays (the
    renderer moved it)."""
    files = {
        "r.yaml": SERVICE_USERS.replace("SERVICE", service),
        "kustomization.yaml": f"resources: [r.yaml]\n{kustomization}\n",
    }
    rendered, problems = render_both(tmp_path, files)
    assert rendered and problems == [], problems


@pytest.mark.parametrize("source", ["settings.txt", "key=settings.txt", "=settings.txt", "k=v=settings.txt", "k="])
def test_generator_file_sources_as_kubectl(tmp_path: Path, source: str) -> None:
    """A file source is a path or KEY=path, one '=' with both sides written; kubectl refuses any other."""
    files = {
        "base.yaml": BASE,
        "settings.txt": "a\n",
        "v=settings.txt": "b\n",
        "kustomization.yaml": "resources: [base.yaml]\n"
        f"configMapGenerator: [{{name: settings, files: ['{source}']}}]\n",
    }
    rendered, problems = render_both(tmp_path, files)
    assert problems == [], problems
    assert rendered == (source in ("settings.txt", "key=settings.txt"))


@pytest.mark.parametrize(
    "entry",
    [
        # an images name is a regular expression, then an optional tag and digest
        "images: [{name: 'busybox:1.36', newTag: '2'}]",
        "images: [{name: 'b.sybox', newTag: '2'}]",
        "images: [{name: '(busybox|registry.example.com/team/api)', newTag: '2'}]",
        "images: [{name: 'busy', newTag: '2'}]",  # a prefix is not a match
        "images: [{name: 'busybox[', newTag: '2'}]",  # not a pattern: refused
        # entries apply in turn: the second sees the name the first wrote, in either order
        "images: [{name: busybox, newName: mirror/busybox}, {name: mirror/busybox, newTag: '9'}]",
        "images: [{name: mirror/busybox, newTag: '9'}, {name: busybox, newName: mirror/busybox}]",
        "images: [{name: busybox, newTag: '1'}, {name: 'busybox:1', digest: 'sha256:" + "0" * 63 + "1'}]",
        "replicas: [{name: api}]",  # no count: 0
        "replicas: [{count: 2}]",  # no name: no object has it, refused
        "commonLabels: {'': x}",  # an empty label or annotation key: refused
        "commonAnnotations: {'': x}",
        "labels: [{pairs: {'': x}}]",
    ],
)
def test_images_replicas_and_label_keys_as_kubectl(tmp_path: Path, entry: str) -> None:
    files = {"base.yaml": BASE, "kustomization.yaml": f"resources: [base.yaml]\n{entry}\n"}
    rendered, problems = render_both(tmp_path, files)
    assert problems == [], problems


@pytest.mark.parametrize(
    ("base", "overlay"),
    [
        # the merged object takes the overlay generator's make: a Secret's type (Opaque when unset) ...
        ("secretGenerator: [{name: s, type: kubernetes.io/basic-auth, literals: [username=u, password=p]}]",
         "secretGenerator: [{name: s, behavior: merge, literals: [x=y]}]"),
        # ... immutable as the overlay says (the base's goes) ...
        ("configMapGenerator: [{name: c, literals: [A=1], options: {immutable: true}}]",
         "configMapGenerator: [{name: c, behavior: merge, literals: [B=2]}]"),
        ("configMapGenerator: [{name: c, literals: [A=1]}]",
         "configMapGenerator: [{name: c, behavior: replace, literals: [B=2], options: {immutable: true}}]"),
        # ... and a name hash only when neither disabled it
        ("configMapGenerator: [{name: c, literals: [A=1]}]",
         "generatorOptions: {disableNameSuffixHash: true}\\n"
         "configMapGenerator: [{name: c, behavior: merge, literals: [B=2]}]"),
        ("configMapGenerator: [{name: c, literals: [A=1], options: {disableNameSuffixHash: true}}]",
         "configMapGenerator: [{name: c, behavior: merge, literals: [B=2]}]"),
        # its labels and annotations over the base's (generatorOptions' where it has none), in key order
        ("configMapGenerator: [{name: c, literals: [A=1], options: {labels: {z: b, c: d}}}]",
         "generatorOptions: {labels: {a: g, e: f}}\n"
         "configMapGenerator: [{name: c, behavior: merge, literals: [B=2], options: {labels: {z: x}}}]"),
        ("configMapGenerator: [{name: c, literals: [A=1], options: {annotations: {a: b}}}]",
         "configMapGenerator: [{name: c, behavior: replace, literals: [B=2], options: {annotations: {note: null}}}]"),
        # a switch generatorOptions turns on a generator's false cannot turn off; null is ""
        ("configMapGenerator: [{name: c, literals: [A=1]}]",
         "generatorOptions: {disableNameSuffixHash: true, immutable: true, labels: {a: null}}\n"
         "configMapGenerator: [{name: d, literals: [B=2], options: {disableNameSuffixHash: false, immutable: false}}]"),
        # any behavior but merge and replace creates (refused where the object exists)
        ("configMapGenerator: [{name: c, literals: [A=1]}]",
         "configMapGenerator: [{name: d, behavior: upsert, literals: [B=2]}]"),
        ("configMapGenerator: [{name: c, literals: [A=1]}]",
         "configMapGenerator: [{name: c, behavior: Merge, literals: [B=2]}]"),
    ],
)  # fmt: skip
def test_a_generator_merged_in_an_overlay_as_kubectl(tmp_path: Path, base: str, overlay: str) -> None:
    files = {
        "base/kustomization.yaml": base + "\n",
        "overlay/kustomization.yaml": "resources: [../base]\n" + overlay.replace("\\n", "\n") + "\n",
    }
    render_both(tmp_path, files)  # writes the tree
    from test_parity import compare

    rendered, problems = compare(tmp_path / "overlay", tmp_path)
    assert problems == [], problems
    assert rendered == ("Merge" not in overlay)


@pytest.mark.parametrize(
    "fields",
    [
        "[{path: spec/selector/matchLabels, kind: HorizontalPodAutoscaler, create: true}]",
        "[{path: spec/other/labels, kind: Deployment}]",  # missing and not created: skipped
        "[{path: spec/other/labels, kind: Deployment, create: true}]",
        "[{path: spec/template/metadata/labels, create: true}]",  # any kind
        "[{path: spec/selector, group: apps, kind: Service, create: true}]",  # not this group: nothing
    ],
)
def test_a_labels_entrys_own_field_specs_as_kubectl(tmp_path: Path, fields: str) -> None:
    kustomization = f"resources: [base.yaml]\nlabels: [{{pairs: {{team: t}}, fields: {fields}}}]\n"
    rendered, problems = render_both(tmp_path, {"base.yaml": BASE, "kustomization.yaml": kustomization})
    assert rendered and problems == [], problems
    from conftest import run_cli

    result = run_cli("--no-schemas", "--format", "json", str(tmp_path))
    assert "kustomize-unsupported" not in {f["rule"] for f in result.json["findings"]}


SPEC_OBJECTS = (
    "apiVersion: v1\nkind: Service\nmetadata: {name: ext}\nspec: {type: ExternalName, externalName: x}\n---\n"
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n"
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {containers: []}}}\n"
)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        # an entry's own spec covering the built-in one leaves it out: the ConfigMap gets no label
        ("{pairs: {a: b}, fields: [{path: metadata/labels, kind: Service, create: true}]}", "exact"),
        ("{pairs: {a: b}, fields: [{path: metadata/labels, version: v1, create: true}]}", "exact"),
        ("{pairs: {a: b}, fields: [{path: /metadata/labels, kind: Service}]}", "exact"),  # another text: both
        (
            "{pairs: {a: b}, includeTemplates: true, fields: [{path: spec/template/metadata/labels, kind: Deployment,"
            " group: x, create: true}]}",
            "exact",
        ),
        (
            "{pairs: {a: b}, fields: [{path: metadata/labels, kind: Service, create: true},"
            " {path: metadata/labels, kind: Deployment}]}",
            "exact",
        ),  # the first one covering it decides
        # ... and differing in create, kustomize refuses the build ("conflicting fieldspecs")
        ("{pairs: {a: b}, fields: [{path: metadata/labels, kind: Service}]}", "refused"),
        ("{fields: [{path: metadata/labels, kind: Service}]}", "refused"),  # even without pairs
        (
            "{pairs: {a: b}, fields: [{path: metadata/labels, kind: Deployment},"
            " {path: metadata/labels, kind: Service, create: true}]}",
            "refused",
        ),
        (
            "{pairs: {a: b}, includeTemplates: true, fields: [{path: spec/template/metadata/labels, kind: Deployment,"
            " group: apps}]}",
            "refused",
        ),
        # a path with an empty step, once it applies; a null spec is one with no path
        ("{pairs: {a: b}, fields: [{path: metadata/labels/, kind: Service, create: true}]}", "refused"),
        ("{pairs: {a: b}, fields: [{path: //metadata/labels, create: true}]}", "refused"),
        ("{pairs: {a: b}, fields: [{kind: Service}]}", "refused"),
        ("{pairs: {a: b}, fields: [null]}", "refused"),
        ("{fields: [null]}", "exact"),
        # a path ending at a list, or through a list of containers to a field that is a list
        ("{pairs: {a: b}, fields: [{path: 'spec/template/spec/containers[]', create: true}]}", "refused"),
        ("{pairs: {a: b}, fields: [{path: 'metadata/annotations/q\\\\/r', create: true}]}", "exact"),
    ],
)
def test_a_labels_entrys_field_specs_merge_as_kustomize_merges_them(tmp_path: Path, entry: str, expected: str) -> None:
    """kustomize appends the built-in specs to an entry's own unless one of its own covers the
    built-in one (same path as written, the built-in one's kind, group and version), and refuses
    the build where that one differs in ``create``; it walks each path refusing an empty step."""
    files = {"o.yaml": SPEC_OBJECTS, "kustomization.yaml": f"resources: [o.yaml]\nlabels:\n- {entry}\n"}
    assert outcome(tmp_path, files) == expected


@pytest.mark.parametrize(
    ("objects", "transformer", "expected"),
    [
        # a value where the walk goes on, or where the labels go: kustomize refuses the build
        (
            "apiVersion: example.com/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {selector: 5}",
            "commonLabels",
            "refused",
        ),
        ("apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: d, labels: x}", "commonLabels", "refused"),
        (
            "apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: d, annotations: [x]}",
            "commonAnnotations",
            "refused",
        ),
        (
            "apiVersion: example.com/v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: [a]}",
            "commonLabels",
            "refused",
        ),
        # a null list on the way becomes an empty list; a null where a spec that does not create ends stays
        (
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec: {volumeClaimTemplates: null}",
            "commonLabels",
            "exact",
        ),
        (
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\n"
            "spec: {selector: {matchLabels: null}}",
            "commonLabels",
            "exact",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: null, annotations: null}",
            "commonLabels",
            "exact",
        ),
    ],
)
def test_a_label_walk_stops_where_kustomizes_does(
    tmp_path: Path, objects: str, transformer: str, expected: str
) -> None:
    files = {"o.yaml": objects + "\n", "kustomization.yaml": f"resources: [o.yaml]\n{transformer}: {{a: b}}\n"}
    assert outcome(tmp_path, files) == expected


@pytest.mark.parametrize(
    "entries",
    [
        "images: [null]",
        "images: [{newTag: '2'}]",
        "labels: [null]",
        "sortOptions: {order: legacy, legacySortOptions: {orderFirst: [null, Deployment]}}",
    ],
)
def test_a_null_entry_kustomize_reads_as_empty_is_no_finding(tmp_path: Path, entries: str) -> None:
    """JSON's null in a list of entries is an empty entry to kustomize (Go's zero value): one
    that does nothing is no reason to block."""
    files = {"o.yaml": SPEC_OBJECTS, "kustomization.yaml": f"resources: [o.yaml]\n{entries}\n"}
    assert outcome(tmp_path, files) == "exact"


def _deployment(spec: str) -> str:
    return f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d}}\nspec: {spec}\n"


TWO_WALKS = _deployment(
    "{template: {spec: {containers: [{name: a, image: 'nginx:1'}]}}, x: {containers: [{image: nginx}]}}"
)


@pytest.mark.parametrize(
    ("objects", "images", "expected"),
    [
        # each entry walks every containers list, then its field specs: a tagSuffix twice where both reach
        (TWO_WALKS, "[{name: nginx, tagSuffix: -s}]", "exact"),
        (TWO_WALKS, "[{name: nginx, tagSuffix: -s, digest: 'sha256:" + "b" * 64 + "'}]", "exact"),
        # kustomize's split: the tag after the first colon past the host
        (
            _deployment("{template: {spec: {containers: [{image: 'a/b:1:2'}]}}}"),
            "[{name: 'a/b:1', newTag: x}]",
            "exact",
        ),
        # a null containers list becomes [], a null container is passed, a CustomResourceDefinition is never rewritten
        (
            _deployment("{template: {spec: {containers: null, initContainers: [null, {image: nginx}]}}}"),
            "[{name: nginx, newTag: '2'}]",
            "exact",
        ),
        (
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: a.b.c}\n"
            "spec: {group: b.c, names: {kind: A, plural: a}, scope: Namespaced, versions: [],"
            " x: {containers: [{image: nginx}]}}\n",
            "[{name: nginx, newTag: '2'}]",
            "exact",
        ),
        # an image that is a map, containers that are a word where a field spec goes: refused
        (
            _deployment("{template: {spec: {containers: [{name: a, image: {x: y}}]}}}"),
            "[{name: nginx, newTag: '2'}]",
            "refused",
        ),
        (
            "apiVersion: x.io/v1\nkind: Foo\nmetadata: {name: f}\nspec: {containers: x}\n",
            "[{name: nginx, newTag: '2'}]",
            "refused",
        ),
    ],
)
def test_images_walk_as_kustomizes_two_walks(tmp_path: Path, objects: str, images: str, expected: str) -> None:
    files = {"o.yaml": objects, "kustomization.yaml": f"resources: [o.yaml]\nimages: {images}\n"}
    assert outcome(tmp_path, files) == expected


BINDING = (
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata: {{name: r}}\n"
    "roleRef: {{kind: Role, name: x, apiGroup: rbac.authorization.k8s.io}}\nsubjects: {subjects}\n"
)


@pytest.mark.parametrize(
    ("objects", "kustomization", "expected"),
    [
        # the namespace transformer on binding subjects: a list of maps whose name and namespace are texts
        (BINDING.format(kind="ClusterRoleBinding", subjects="[{name: default}, null]"), "namespace: t", "exact"),
        (BINDING.format(kind="ClusterRoleBinding", subjects="[x]"), "namespace: t", "refused"),
        (BINDING.format(kind="ClusterRoleBinding", subjects="x"), "namespace: t", "refused"),
        (BINDING.format(kind="RoleBinding", subjects="[{name: {a: b}}]"), "namespace: t", "refused"),
        (BINDING.format(kind="RoleBinding", subjects="[{name: default, namespace: [a]}]"), "namespace: t", "refused"),
        # kustomize crashes reading a RoleBinding's subjects for its name references, namespace or not
        (BINDING.format(kind="RoleBinding", subjects="[null]"), "", "refused"),
        (BINDING.format(kind="RoleBinding", subjects="[{kind: 5, namespace: a, name: b}]"), "", "refused"),
        (BINDING.format(kind="RoleBinding", subjects="[{kind: 5, name: b}]"), "", "exact"),
        ("apiVersion: x.io/v1\nkind: RoleBinding\nmetadata: {name: r}\nsubjects: [null]\n", "", "exact"),
        # the namespace's field specs: a Service's namespace that is a map, a word the path goes through
        (
            "apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata: {name: v1.x.io}\n"
            "spec: {service: {namespace: [a]}}\n",
            "namespace: t",
            "refused",
        ),
        (
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: a.b.c}\n"
            "spec: {group: b.c, names: {kind: A, plural: a}, scope: Namespaced, versions: [],"
            " conversion: {webhook: x}}\n",
            "namespace: t",
            "refused",
        ),
        # a cluster-scoped object's metadata.namespace is never the transformer's to check
        ("apiVersion: v1\nkind: Namespace\nmetadata: {name: x, namespace: {a: b}}\n", "namespace: t", "exact"),
    ],
)
def test_the_namespace_and_name_references_read_bindings_as_kustomize(
    tmp_path: Path, objects: str, kustomization: str, expected: str
) -> None:
    files = {"o.yaml": objects, "kustomization.yaml": f"resources: [o.yaml]\n{kustomization}\n"}
    assert outcome(tmp_path, files) == expected


LABELLED = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, labels: {app: web}}\nspec:\n"
    "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
    "    spec: {containers: [{name: c, image: x}]}\n---\n"
    "apiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n"
)


@pytest.mark.parametrize(
    ("base", "overlay"),
    [
        (
            "labels: [{pairs: {team: b}, includeSelectors: true}]",
            "labels: [{pairs: {team: a}, includeTemplates: true}]",
        ),
        ("commonLabels: {team: b}", "labels: [{pairs: {team: a}}]"),
        ("labels: [{pairs: {team: b}, includeSelectors: true}]", "labels: [{pairs: {team: a}}]"),
        (
            "labels: [{pairs: {team: b}, includeTemplates: true}]",
            "labels: [{pairs: {team: a}, includeSelectors: true}]",
        ),
        ("commonAnnotations: {owner: b}", "commonAnnotations: {owner: a}"),
        ("", "labels: [{pairs: {app: z}}]"),  # written in the manifest: each place its own
    ],
)
def test_an_overlays_label_changes_every_place_the_base_wrote_it(tmp_path: Path, base: str, overlay: str) -> None:
    """kustomize gives every place one label transformer writes a key to the same value node, and
    a later transformer overwrites a node in place: an overlay's label without selectors still
    changes the selectors the base's label wrote (the built-in renderer left them)."""
    files = {
        "base/d.yaml": LABELLED,
        "base/kustomization.yaml": f"resources: [d.yaml]\n{base}\n",
        "kustomization.yaml": f"resources: [base]\n{overlay}\n",
    }
    rendered, problems = render_both(tmp_path, files)
    assert rendered and problems == [], problems


SHARING = (
    "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: st}\nspec:\n  selector: {matchLabels: {x: y}}\n"
    "  template: {metadata: {labels: {x: y}}}\n  volumeClaimTemplates: [{metadata: {name: data}}]\n---\n"
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: src}\ndata: {v: NEW}\n"
)
SMP_LABEL = (
    "patches:\n- target: {kind: StatefulSet}\n  patch: |\n    apiVersion: apps/v1\n    kind: StatefulSet\n"
    "    metadata: {name: st, labels: {app: Q}}\n"
)
JSON_ANNOTATION = (
    "patches:\n- target: {kind: StatefulSet}\n"
    '  patch: \'[{"op": "add", "path": "/metadata/annotations", "value": {"a": "b"}}]\'\n'
)
REPLACED_LABEL = (
    "replacements:\n- source: {kind: ConfigMap, name: src, fieldPath: data.v}\n"
    "  targets: [{select: {kind: StatefulSet}, fieldPaths: [metadata.labels.app]}]\n"
)


@pytest.mark.parametrize("middle", [SMP_LABEL, REPLACED_LABEL, JSON_ANNOTATION])
@pytest.mark.parametrize("top", ["", "labels: [{pairs: {app: c}}]\n"])
def test_a_label_node_is_written_in_place_and_a_json_patch_unshares_it(tmp_path: Path, middle: str, top: str) -> None:
    """The base's commonLabels make ``app`` one node at every place of the StatefulSet: a patch or
    a replacement of its metadata label writes into that node (the selector and templates follow,
    in kubectl), while a JSON patch decodes the object anew, each place a node of its own (a later
    label without selectors leaves the selector as it was)."""
    files = {
        "b/o.yaml": SHARING,
        "b/kustomization.yaml": "resources: [o.yaml]\ncommonLabels: {app: b}\n",
        "m/kustomization.yaml": "resources: [../b]\n" + middle,
        "kustomization.yaml": "resources: [m]\n" + top,
    }
    assert outcome(tmp_path, files) == "exact"


ALIASED = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {a: &v one, b: *v}}\ndata: {x: &w two, y: *w}\n"
TWO_MAPS = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c1, labels: {k: v}}\n---\n"
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c2, labels: {k: v}}\n"
)


@pytest.mark.parametrize(
    ("objects", "kustomization"),
    [
        # an alias is a copy of its own to kustomize: writing one place leaves the other
        (ALIASED, "patches:\n- patch: '{apiVersion: v1, kind: ConfigMap, metadata: {name: c, labels: {a: uno}}}'\n"),
        (ALIASED, "commonLabels: {a: tres}\n"),
        (
            ALIASED,
            "replacements:\n- source: {kind: ConfigMap, fieldPath: metadata.name}\n"
            "  targets: [{select: {kind: ConfigMap}, fieldPaths: [data.x]}]\n",
        ),
        # a JSON patch's value is each object's own
        (
            TWO_MAPS,
            "patches:\n- target: {kind: ConfigMap}\n  patch: |\n    - {op: add, path: /metadata/labels/x, value: v}\n"
            "- patch: '{apiVersion: v1, kind: ConfigMap, metadata: {name: c1, labels: {x: w}}}'\n",
        ),
    ],
)
def test_no_two_places_share_a_node_kustomize_keeps_apart(tmp_path: Path, objects: str, kustomization: str) -> None:
    files = {"o.yaml": objects, "kustomization.yaml": "resources: [o.yaml]\n" + kustomization}
    assert outcome(tmp_path, files) == "exact"


def test_each_object_has_its_own_label_nodes(tmp_path: Path) -> None:
    """The node a label transformer shares is the object's own: the middle overlay's selector
    label is one node in the Deployment (its template follows the top's change) and another in
    the Service (which keeps the middle's value)."""
    files = {
        "base/d.yaml": LABELLED,
        "base/kustomization.yaml": "resources: [d.yaml]\nlabels: [{pairs: {team: b}}]\n",
        "mid/kustomization.yaml": "resources: [../base]\nlabels: [{pairs: {team: a}, includeSelectors: true}]\n",
        "kustomization.yaml": "resources: [mid]\nlabels: [{pairs: {team: b}, includeTemplates: true}]\n",
    }
    rendered, problems = render_both(tmp_path, files)
    assert rendered and problems == [], problems


@pytest.mark.parametrize(
    ("patch", "transformer"),
    [
        ("{op: add, path: /spec/replicas, value: {a: b}}", "replicas: [{name: web, count: 2}]"),
        ("{op: add, path: /metadata/namespace, value: [a]}", "namespace: torghut"),
        ("{op: add, path: /metadata/labels/team, value: {a: b}}", "commonLabels: {team: t}"),
        ("{op: add, path: /spec/template/spec/containers/0, value: paper}", "images: [{name: x, newTag: '2'}]"),
    ],
)
def test_a_transformer_over_a_value_of_the_wrong_kind_is_refused(tmp_path: Path, patch: str, transformer: str) -> None:
    """A patch left a map where a transformer writes a value (or a word where a container goes):
    kustomize refuses the build ("wrong node kind"), and so does the built-in renderer, which
    overwrote or skipped it (a label that is a map is not modelled at all: blocking too)."""
    files = {
        "base/d.yaml": LABELLED,
        "base/kustomization.yaml": "resources: [d.yaml]\npatches:\n- target: {kind: Deployment}\n"
        f"  patch: |\n    - {patch}\n",
        "kustomization.yaml": f"resources: [base]\n{transformer}\n",
    }
    _, problems = render_both(tmp_path, files)
    assert problems == [], problems


@pytest.mark.parametrize(
    ("written", "transformer"),
    [
        ("metadata: {name: c, labels: {team: {a: b}}}", "commonLabels: {team: x}"),
        ("metadata: {name: c, annotations: {note: [1]}}", "commonAnnotations: {note: x}"),
    ],
)
def test_a_label_over_a_map_or_list_is_overwritten(tmp_path: Path, written: str, transformer: str) -> None:
    """kustomize overwrites a label or annotation that holds a map or a list (it refuses only what
    its walk cannot pass, a container that is a word): no finding, the transformer's value."""
    files = {
        "c.yaml": f"apiVersion: v1\nkind: ConfigMap\n{written}\n",
        "kustomization.yaml": f"resources: [c.yaml]\n{transformer}\n",
    }
    rendered, problems = render_both(tmp_path, files)
    assert rendered and problems == [], problems


@pytest.mark.parametrize(
    "top",
    [
        "replicas: [{name: web, count: 3}]\n",  # as written, before the base's prefix
        "replicas: [{name: b-web, count: 3}]\n",  # as the base left it
        "namePrefix: t-\nreplicas: [{name: web, count: 2}, {name: t-b-web, count: 4}]\n",  # both: the last wins
    ],
)
def test_replicas_find_a_deployment_by_any_name_it_had(tmp_path: Path, top: str) -> None:
    """kustomize's replicas transformer looks an object up by every id it has had, an earlier
    kustomization's prefix included (the built-in build refused the written name as unmatched)."""
    files = {
        "base/d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n",
        "base/kustomization.yaml": "resources: [d.yaml]\nnamePrefix: b-\n",
        "kustomization.yaml": "resources: [base]\n" + top,
    }
    rendered, problems = render_both(tmp_path, files)
    assert rendered and problems == [], problems


@pytest.mark.parametrize("second", ["apps/v1beta1", "apps/v1"])
def test_a_namespace_joins_two_objects_only_of_one_api_version(tmp_path: Path, second: str) -> None:
    """Two Deployments named ``web`` moved into one namespace: of two versions they are two ids to
    kustomize, which renders both; of one version it refuses the build, and so does the built-in."""
    files = {
        "d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a}\n---\n"
        f"apiVersion: {second}\nkind: Deployment\nmetadata: {{name: web}}\n",
        "kustomization.yaml": "resources: [d.yaml]\nnamespace: a\n",
    }
    assert outcome(tmp_path, files) == ("exact" if second != "apps/v1" else "refused")


KEYED = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, labels: {'1': x}}\n"
    "spec: {selector: {matchLabels: {'1': x}}, template: {metadata: {labels: {z: x}}}}\n"
)


@pytest.mark.parametrize(
    ("kustomization", "expected"),
    [
        # a key kustomize reads as YAML 1.1 (y, n, on, 1, .inf) is the text it reads ("true", "1", "+Inf"),
        # written unquoted where the label is new: it then reads as a boolean or a number, and the build fails
        ("commonLabels: {n: m}", "refused"),
        ("commonLabels: {y: m}", "refused"),
        ("labels: [{pairs: {no: m}}]", "refused"),
        ("commonLabels: {'1': yy}", "refused"),
        ("labels: [{pairs: {'true': m}, includeTemplates: true}]", "refused"),
        ("configMapGenerator: [{name: g, literals: [x=y], options: {labels: {n: m}}}]", "refused"),
        # where every place already has the key (quoted), only its value is written
        ("labels: [{pairs: {1: yy}}]", "exact"),
        ("commonLabels: {'1a': yy}", "exact"),
    ],
)
def test_a_label_key_kustomize_writes_unquoted_must_read_as_a_string(
    tmp_path: Path, kustomization: str, expected: str
) -> None:
    files = {"o.yaml": KEYED, "kustomization.yaml": f"resources: [o.yaml]\n{kustomization}\n"}
    assert outcome(tmp_path, files) == expected


@pytest.mark.parametrize("labels", ["{a: 5}", "{a: null, b: true}", "{a: [x], b: {c: d}}", "{'1': x}", "{}"])
@pytest.mark.parametrize("behavior", ["merge", "replace"])
def test_a_generator_merge_writes_the_objects_labels_again_as_texts(tmp_path: Path, labels: str, behavior: str) -> None:
    """kustomize sets the merged object's labels and annotations anew from both: each value its
    text (a map or a list ""), each key unquoted (a quoted "1" is then a number: refused)."""
    files = {
        "o.yaml": "apiVersion: v1\nkind: ConfigMap\n"
        f"metadata: {{name: g, labels: {labels}, annotations: {{q: 0x10}}}}\n",
        "kustomization.yaml": "resources: [o.yaml]\n"
        f"configMapGenerator: [{{name: g, behavior: {behavior}, literals: [x=y], options: {{labels: {{nn: m}}}}}}]\n",
    }
    assert outcome(tmp_path, files) == ("refused" if "'1'" in labels else "exact")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # a field spec's step is read as kyaml's path getter reads it: trimmed, a blank one stays put,
        # and a list's index, "-", "*" or "[k=v]" where a map is looked up fails the build
        ("' metadata/labels '", "exact"),
        ("'metadata/ /labels'", "exact"),
        ("'-'", "refused"),
        ("'0'", "refused"),
        ("'*'", "refused"),
        ("'[a=b]'", "refused"),
        ("'spec/ports/0'", "refused"),
        ("'99999999999999999999'", "exact"),  # no int64: a field's name
    ],
)
def test_a_field_spec_step_is_read_as_kyamls_path_getter_reads_it(tmp_path: Path, path: str, expected: str) -> None:
    objects = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: ext, labels: {q: r}}\n"
        "spec: {type: ExternalName, externalName: x, ports: [{port: 80}]}\n"
    )
    kustomization = f"resources: [o.yaml]\nlabels:\n- pairs: {{a: b}}\n  fields:\n  - {{path: {path}, kind: Service}}\n"
    assert outcome(tmp_path, {"o.yaml": objects, "kustomization.yaml": kustomization}) == expected
