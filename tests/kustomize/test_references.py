"""Names, namespaces and labels kustomize rewrites across references, against `kubectl kustomize`:
every field the built-in renderer must follow when a prefix, suffix, namespace or common label
changes an object (name references, selectors, subjects, cluster-scoped kinds)."""

from __future__ import annotations

from pathlib import Path

import pytest
from kubectl_parity import outcome, render_both

OBJECTS = """apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: "1"}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {p: x}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: runner}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: web
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      serviceAccountName: runner
      imagePullSecrets: [{name: creds}]
      containers:
        - name: db
          image: postgres:16
          env:
            - {name: A, valueFrom: {configMapKeyRef: {name: settings, key: a}}}
            - {name: P, valueFrom: {secretKeyRef: {name: creds, key: p}}}
      volumes:
        - {name: d, persistentVolumeClaim: {claimName: data}}
        - {name: s, secret: {secretName: creds}}
        - {name: p, projected: {sources: [{configMap: {name: settings}}, {secret: {name: creds}}]}}
  volumeClaimTemplates:
    - metadata: {name: pg, labels: {app: db}}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: b, image: busybox, envFrom: [{configMapRef: {name: settings}}]}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  tls: [{secretName: creds}]
  rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web}
spec: {podSelector: {matchLabels: {app: web}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: db}
spec: {minAvailable: 1, selector: {matchLabels: {app: db}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: runner}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: global-reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: global-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: global-reader}
subjects: [{kind: ServiceAccount, name: runner, namespace: elsewhere}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: db}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: db}, minReplicas: 1, maxReplicas: 2}
"""

CASES = {
    "prefix and suffix": "namePrefix: a-\nnameSuffix: -z\n",
    "namespace": "namespace: shop\n",
    "prefix and namespace": "namePrefix: a-\nnamespace: shop\n",
    "common labels": "commonLabels: {team: t}\n",
    "labels with templates": "labels: [{pairs: {team: t}, includeTemplates: true}]\n",
    "common annotations": "commonAnnotations: {owner: o}\n",
    "replicas of a stateful set": "replicas: [{name: db, count: 3}]\n",
    "images everywhere": "images: [{name: busybox, newTag: '1.37'}, {name: postgres, newName: pg, newTag: '17'}]\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_references_render_as_kubectl_does(tmp_path: Path, name: str) -> None:
    rendered, problems = render_both(
        tmp_path, {"objects.yaml": OBJECTS, "kustomization.yaml": "resources: [objects.yaml]\n" + CASES[name]}
    )
    assert rendered and problems == [], problems


@pytest.mark.parametrize("kustomization_namespace", ["", "namespace: default\n", "namespace: shop\n"])
@pytest.mark.parametrize("subject_namespace", ["namespace: elsewhere", "namespace: default", "namespace: shop", ""])
def test_binding_subjects_follow_a_renamed_account_only_in_its_namespace(
    tmp_path: Path, kustomization_namespace: str, subject_namespace: str
) -> None:
    """An object without a namespace is in "default": a subject naming another namespace names
    another account, and keeps its name when the account is renamed."""
    subject = "subjects: [{kind: ServiceAccount, name: runner, namespace: elsewhere}]"
    changed = subject.replace("namespace: elsewhere", subject_namespace).replace(", }", "}")
    kustomization = "resources: [objects.yaml]\nnamePrefix: a-\n" + kustomization_namespace
    files = {"objects.yaml": OBJECTS.replace(subject, changed), "kustomization.yaml": kustomization}
    rendered, problems = render_both(tmp_path, files)
    assert rendered and problems == [], problems


@pytest.mark.parametrize("binding", ["RoleBinding", "ClusterRoleBinding"])
@pytest.mark.parametrize("subject_namespace", ["", "  namespace: default\n", "  namespace: torghut\n"])
@pytest.mark.parametrize("base_prefix", ["", "namePrefix: b-\n"])
def test_a_subject_an_overlay_moves_again_follows_its_account(
    tmp_path: Path, binding: str, subject_namespace: str, base_prefix: str
) -> None:
    """Two namespace transformers (a base's, an overlay's): a subject the base moved with its
    ServiceAccount follows it into the overlay's namespace too (and takes its prefixed name); one
    written in the base's namespace from the start names another account and stays."""
    objects = (
        f"apiVersion: rbac.authorization.k8s.io/v1\nkind: {binding}\nmetadata: {{name: rb}}\n"
        "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\n"
        f"subjects:\n- kind: ServiceAccount\n  name: sa\n{subject_namespace}"
        "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n"
    )
    files = {
        "base/objects.yaml": objects,
        "base/kustomization.yaml": "resources: [objects.yaml]\nnamespace: torghut\n" + base_prefix,
        "kustomization.yaml": "resources: [base]\nnamespace: other\n",
    }
    rendered, problems = render_both(tmp_path, files)
    assert rendered and problems == [], problems


@pytest.mark.parametrize("generated", ["", ", namespace: default", ", namespace: torghut"])
@pytest.mark.parametrize("referrer", ["", "namespace: default", "namespace: torghut", "namespace: other"])
def test_a_generated_name_reaches_references_only_in_its_namespace(
    tmp_path: Path, generated: str, referrer: str
) -> None:
    """A generated Secret's hashed name reaches a Deployment's reference only in the Secret's own
    namespace (none is "default"): a reference from another namespace names another Secret."""
    deployment = (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, {referrer}}}\nspec:\n  template:\n"
        "    spec:\n      containers: [{name: m, image: x, envFrom: [{secretRef: {name: sec}}]}]\n"
    )
    kustomization = f"resources: [d.yaml]\nsecretGenerator: [{{name: sec, literals: [k=v]{generated}}}]\n"
    rendered, problems = render_both(tmp_path, {"d.yaml": deployment, "kustomization.yaml": kustomization})
    assert rendered and problems == [], problems


@pytest.mark.parametrize("kustomization", ["namePrefix: p-\n", "namespace: nsx\n", "namespace: nsx\nnamePrefix: p-\n"])
def test_a_namespace_object_is_renamed_by_the_namespace_and_never_prefixed(tmp_path: Path, kustomization: str) -> None:
    namespace_and_role = (
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns1}\n---\n"
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: cr}\n"
    )
    files = {"r.yaml": namespace_and_role, "kustomization.yaml": "resources: [r.yaml]\n" + kustomization}
    rendered, problems = render_both(tmp_path, files)
    assert rendered and problems == [], problems


CLUSTER = """apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: x
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {priorityClassName: high, containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: c}
spec: {storageClassName: fast, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ws.example.com}
spec:
  group: example.com
  names: {kind: W, plural: ws}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
---
apiVersion: v1
kind: Service
metadata: {name: hook}
spec: {ports: [{port: 443}]}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: vw}
webhooks:
  - name: a.example.com
    clientConfig: {service: {name: hook, namespace: default}}
    admissionReviewVersions: [v1]
    sideEffects: None
"""


@pytest.mark.parametrize("kustomization", ["namePrefix: p-\n", "namespace: nsx\n", "namePrefix: p-\nnamespace: nsx\n"])
def test_class_names_crds_and_webhook_services(tmp_path: Path, kustomization: str) -> None:
    """priorityClassName and storageClassName follow a renamed class, a webhook's Service its
    Service (name and namespace), and a CRD is never prefixed (its name is <plural>.<group>)."""
    rendered, problems = render_both(
        tmp_path, {"r.yaml": CLUSTER, "kustomization.yaml": "resources: [r.yaml]\n" + kustomization}
    )
    assert rendered and problems == [], problems


MORE_REFERENCES = """apiVersion: v1
kind: Secret
metadata: {name: s}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec: {ports: [{port: 443}]}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
secrets: [{name: s}]
imagePullSecrets: [{name: s}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.example.com}
spec:
  group: example.com
  version: v1
  service: {name: api, namespace: default}
  groupPriorityMinimum: 1
  versionPriority: 1
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: d}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      serviceAccountName: sa
      containers: [{name: c, image: i, env: [{name: X, valueFrom: {configMapKeyRef: {name: c, key: k}}}]}]
      volumes:
        - {name: v1, csi: {driver: x, nodePublishSecretRef: {name: s}}}
        - {name: v2, configMap: {name: c, items: [{key: k, path: p}]}}
        - {name: v3, projected: {sources: [{serviceAccountToken: {path: t}}, {configMap: {name: c}}]}}
"""


@pytest.mark.parametrize("kustomization", ["namePrefix: p-\n", "namespace: nsx\n", "namePrefix: p-\nnamespace: nsx\n"])
def test_api_services_csi_secrets_and_account_secrets(tmp_path: Path, kustomization: str) -> None:
    rendered, problems = render_both(
        tmp_path, {"r.yaml": MORE_REFERENCES, "kustomization.yaml": "resources: [r.yaml]\n" + kustomization}
    )
    assert rendered and problems == [], problems


SELECTORS = """apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers: [{name: c, image: i}]
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution: [{labelSelector: {matchLabels: {a: b}}, topologyKey: k}]
      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: k, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {a: b}}}
---
apiVersion: v1
kind: Service
metadata: {name: s}
spec: {selector: {a: b}, ports: [{port: 80}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: p}
spec: {maxUnavailable: 1, selector: {matchLabels: {a: b}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: n}
spec: {podSelector: {matchLabels: {a: b}}, ingress: [{from: [{podSelector: {matchLabels: {a: b}}}]}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: st}
spec:
  serviceName: s
  selector: {matchLabels: {a: b}}
  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}
  volumeClaimTemplates:
    - {metadata: {name: v}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}
"""


@pytest.mark.parametrize(
    "kustomization",
    [
        "commonLabels: {t: x}\n",
        "labels: [{pairs: {t: x}, includeSelectors: true}]\n",
        "labels: [{pairs: {t: x}, includeTemplates: true}]\n",
        "labels: [{pairs: {t: x}}]\n",
        "commonAnnotations: {o: p}\n",
    ],
)
def test_labels_reach_the_selectors_kustomize_writes(tmp_path: Path, kustomization: str) -> None:
    rendered, problems = render_both(
        tmp_path, {"r.yaml": SELECTORS, "kustomization.yaml": "resources: [r.yaml]\n" + kustomization}
    )
    assert rendered and problems == [], problems


STORAGE_AND_NETWORK = """\
apiVersion: v1
kind: Service
metadata: {name: svc}
spec: {ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ss}
spec:
  serviceName: svc
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      runtimeClassName: rc
      containers: [{name: c, image: i}]
      volumes: [{name: v, csi: {driver: d, nodePublishSecretRef: {name: sec}}}]
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: rc}
handler: runc
---
apiVersion: v1
kind: Secret
metadata: {name: sec}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: sc
  csi: {driver: d, volumeHandle: h, nodePublishSecretRef: {name: sec, namespace: default}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: pvc}
spec:
  volumeName: pv
  storageClassName: sc
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
  dataSource: {kind: PersistentVolumeClaim, name: other}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: other}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: sc}
provisioner: p
parameters: {csi.storage.k8s.io/provisioner-secret-name: sec}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: ic}
spec: {controller: x, parameters: {kind: ConfigMap, name: cm}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ing}
spec:
  ingressClassName: ic
  defaultBackend: {service: {name: svc, port: {number: 80}}}
  tls: [{secretName: sec}]
---
apiVersion: v1
kind: Pod
metadata: {name: pod}
spec:
  serviceAccountName: sa
  subdomain: svc
  containers: [{name: c, image: i}]
  imagePullSecrets: [{name: sec}]
  volumes:
    - {name: v, azureFile: {secretName: sec, shareName: s}}
    - {name: w, cephfs: {monitors: [m], secretRef: {name: sec}}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
secrets: [{name: sec}]
imagePullSecrets: [{name: sec}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  template:
    spec:
      restartPolicy: Never
      serviceAccountName: sa
      containers: [{name: c, image: i, envFrom: [{secretRef: {name: sec}}]}]
"""


@pytest.mark.parametrize("transform", ["namePrefix: p-\n", "nameSuffix: -s\nnamespace: shop\n"])
def test_storage_network_and_secret_references_follow_renames_as_kubectl(tmp_path: Path, transform: str) -> None:
    """A claim's volumeName follows its PersistentVolume; a StatefulSet's serviceName, an Ingress's
    backends and TLS secret, CSI and volume secret references, pull secrets: each as kubectl."""
    files = {
        "objects.yaml": STORAGE_AND_NETWORK + "\n",
        "kustomization.yaml": "resources: [objects.yaml]\n" + transform,
    }
    rendered, problems = render_both(tmp_path, files)
    assert rendered and problems == [], problems


def test_a_prefix_over_many_objects_follows_references_in_linear_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name prefix renames every object: each reference still follows its target as kubectl
    renders it, and each object's identity is read a bounded number of times (the referrers of a
    kind were once found by reading every object's kind once per renamed object and reference)."""
    from torghut_lint.kustomize import namerefs

    count = 60
    objects = "---\n".join(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata: {{a: '{i}'}}\n"
        f"---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\n"
        f"spec: {{containers: [{{name: m, image: busybox, envFrom: [{{configMapRef: {{name: c{i}}}}}]}}]}}\n"
        for i in range(count)
    )
    asked: list[int] = []
    read = namerefs.ident
    monkeypatch.setattr(namerefs, "ident", lambda node: asked.append(1) or read(node))
    tested: list[int] = []  # objects tested as what a referrer may name
    reachable = namerefs._Visit.reachable
    monkeypatch.setattr(namerefs._Visit, "reachable", lambda self, obj: tested.append(1) or reachable(self, obj))
    rendered, problems = render_both(
        tmp_path, {"objects.yaml": objects, "kustomization.yaml": "resources: [objects.yaml]\nnamePrefix: a-\n"}
    )
    assert rendered and problems == [], problems
    assert 0 < len(asked) <= 3 * (2 * count)
    # each reference tests the objects once called by its name, not every object of the build (a
    # list of them per referrer made 6,000 objects take 18 s, and the renderer before that 6 minutes)
    assert 0 < len(tested) <= 2 * count


ACCOUNT_AND_BINDING = """apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects:
- {kind: ServiceAccount, name: sa, namespace: torghut}
- {kind: ServiceAccount, name: sa}
- {kind: ServiceAccount, name: sa, namespace: default}
- {kind: User, name: sa, apiGroup: rbac.authorization.k8s.io}
"""


@pytest.mark.parametrize("written_in_torghut", [False, True])
def test_a_subject_follows_only_an_id_its_account_had_level_by_level(tmp_path: Path, written_in_torghut: bool) -> None:
    """The account is renamed in the base (``q-sa``, in no namespace) and moved by the overlay:
    a subject naming ``sa`` in ``torghut`` names an id the account never had (kustomize looks in
    the namespace as objects were written first, and only then as they are now), while the other
    subjects follow it, a User named like it included; the old renderer crossed the name of one
    level with the namespace of another."""
    generator = "configMapGenerator: [{name: gen, namespace: torghut, literals: [k=v]}]\n" if written_in_torghut else ""
    files = {
        "base/objects.yaml": ACCOUNT_AND_BINDING,
        "base/kustomization.yaml": "resources: [objects.yaml]\nnamePrefix: q-\n",
        "middle/kustomization.yaml": "resources: [../base]\n" + generator,
        "kustomization.yaml": "resources: [middle]\nnamespace: torghut\n",
    }
    rendered, problems = render_both(tmp_path, files)
    assert rendered and problems == [], problems


def test_a_generator_merges_only_into_an_id_the_object_had(tmp_path: Path) -> None:
    """``gen`` was suffixed in the base and moved to ``default`` in the middle: it never was
    ``gen`` in ``default``, so kustomize refuses the top's merge (the old renderer merged)."""
    files = {
        "base/kustomization.yaml": "configMapGenerator: [{name: gen, namespace: torghut, literals: [a=b]}]\n"
        "nameSuffix: -s\n",
        "middle/kustomization.yaml": "resources: [../base]\nnamespace: default\n",
        "kustomization.yaml": "resources: [middle]\n"
        "configMapGenerator: [{name: gen, behavior: merge, literals: [c=d]}]\n",
    }
    assert outcome(tmp_path, files) == "refused"


@pytest.mark.parametrize(
    "objects",
    [
        # a scalar where kustomize walks to a pod's account name
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {template: x}\n",
        # a binding subject without a name
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb}\n"
        "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: Group}]\n",
        # a ServiceAccount subject whose namespace is a number
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb}\n"
        "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\n"
        "subjects: [{kind: ServiceAccount, name: a, namespace: 5}]\n",
    ],
)
def test_a_reference_kustomize_cannot_walk_blocks_renamed_or_not(tmp_path: Path, objects: str) -> None:
    """kustomize walks every listed reference on every build, renamed or not, and refuses one it
    cannot walk: the built-in build blocks with kustomize-invalid at the object."""
    from torghut_lint.kustomize.build import Builder, SourceFiles

    files = {"objects.yaml": objects, "kustomization.yaml": "resources: [objects.yaml]\n"}
    assert outcome(tmp_path, files) == "refused"
    build = Builder(SourceFiles(tmp_path)).build(tmp_path)
    refused = [f for f in build.findings if f.rule == "kustomize-invalid"]
    assert refused and refused[0].location.file.endswith("objects.yaml") and refused[0].location.line >= 1


@pytest.mark.parametrize(("top", "expected"), [("namePrefix: x-\n", "refused"), ("", "exact")])
def test_two_objects_a_reference_may_name_block_as_kustomize_refuses(tmp_path: Path, top: str, expected: str) -> None:
    """Two ConfigMaps that both were ``cfg`` (prefixed ``a-`` and ``b-`` in their bases) and a
    Deployment naming ``cfg``: with a prefix of the Deployment's own on both, kustomize cannot tell
    which is meant and refuses; without, neither took the Deployment's prefixes and the name stays."""
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: b}\n"
    files = {
        "a/cm.yaml": cm,
        "a/kustomization.yaml": "resources: [cm.yaml]\nnamePrefix: a-\n",
        "b/cm.yaml": cm,
        "b/kustomization.yaml": "resources: [cm.yaml]\nnamePrefix: b-\n",
        "d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
        "spec:\n  selector: {matchLabels: {a: b}}\n"
        "  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers:\n"
        "      - {name: c, image: i, envFrom: [{configMapRef: {name: cfg}}]}\n",
        "kustomization.yaml": "resources: [a, b, d.yaml]\n" + top,
    }
    assert outcome(tmp_path, files) == expected


EVERY_REFERRER = """apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
---
apiVersion: v1
kind: Secret
metadata: {name: sec}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: prio}
value: 10
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: ic}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: vap}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: vapb}
spec: {policyName: vap}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: h1}
spec: {scaleTargetRef: {kind: ReplicaSet, name: rs}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: h2}
spec: {scaleTargetRef: {kind: ReplicationController, name: rc}}
---
apiVersion: v1
kind: Node
metadata: {name: n}
spec: {configSource: {configMap: {name: cm, namespace: default, kubeletConfigKey: k}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ing
  annotations:
    nginx.ingress.kubernetes.io/auth-secret: sec
    nginx.ingress.kubernetes.io/fastcgi-params-configmap: cm
spec:
  ingressClassName: ic
  backend: {serviceName: svc}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: sc}
provisioner: x
parameters: {secretName: sec, adminSecretName: sec}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
spec: {azureFile: {secretName: sec}}
---
apiVersion: v1
kind: PodTemplate
metadata: {name: pt}
template: {spec: {priorityClassName: prio, containers: [{name: c, image: i}]}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs2}
spec: {template: {spec: {priorityClassName: prio, containers: [{name: c, image: i}]}}}
"""


@pytest.mark.parametrize("transform", ["namePrefix: p-\n", "nameSuffix: -s\nnamespace: shop\n", "namespace: shop\n"])
def test_every_reference_of_kustomizes_table_as_kubectl(tmp_path: Path, transform: str) -> None:
    """The rest of kustomize's table: autoscalers of ReplicaSets and ReplicationControllers, a
    Node's config map (a map with a namespace), Ingress annotations and old-style backends, storage
    class and volume secrets, admission policy bindings; and what it leaves alone: an Ingress's
    class (its table names a group no IngressClass has), priority classes of PodTemplates and
    ReplicaSets (not in its table)."""
    files = {"objects.yaml": EVERY_REFERRER, "kustomization.yaml": "resources: [objects.yaml]\n" + transform}
    rendered, problems = render_both(tmp_path, files)
    assert rendered and problems == [], problems


def test_a_list_in_a_list_is_walked_as_kustomize_walks_it(tmp_path: Path) -> None:
    """kustomize's field walk goes into every item of a list, a list's too: a volume written in
    a nested list still follows its renamed ConfigMap (the built-in walk refused it)."""
    files = {
        "o.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
        "spec:\n  volumes: [[{name: v, configMap: {name: cfg}}]]\n  containers: [{name: c, image: i}]\n",
        "kustomization.yaml": "resources: [o.yaml]\nnamePrefix: x-\n",
    }
    assert outcome(tmp_path, files) == "exact"
