"""Kustomization fields beyond patches and transformers, against `kubectl kustomize`: deprecated
spellings still in use (patchesStrategicMerge, patchesJson6902, vars), generators from files and
env files with options, components, build metadata, sort options. Each renders as kubectl does,
or is refused with a blocking finding (never rendered differently)."""

from __future__ import annotations

from pathlib import Path

import pytest
from kubectl_parity import outcome, render_both

from conftest import run_cli

FILES = {
    "base.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 1\n"
    "  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n"
    "      containers: [{name: api, image: api, args: [$(SVC)]}]\n---\n"
    "apiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec: {selector: {app: api}, ports: [{port: 80}]}\n",
    "smp.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec: {replicas: 3}\n",
    "ops.yaml": "- {op: add, path: /metadata/annotations, value: {a: b}}\n",
    "app.properties": "X=1\nY=two\n",
    "config.env": "# a comment\nA=1\nB= spaced \nexport C=3\n  D=indented\nE =x\nF=a=b\n",
    "from-environment.env": "A=1\nHOME\n",
    "comp/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
    "commonAnnotations: {component: yes-it-is}\npatches:\n  - path: smp.yaml\n",
    "comp/smp.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec: {minReadySeconds: 5}\n",
}

CASES = {
    "patchesStrategicMerge": "patchesStrategicMerge: [smp.yaml]\n",
    # an entry is tried as objects before as a path: compact JSON is objects too (it was a missing file)
    "patchesStrategicMerge inline JSON": "patchesStrategicMerge:\n"
    """- '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api"},"spec":{"replicas":3}}'\n""",
    "patchesJson6902": "patchesJson6902:\n  - target: {group: apps, version: v1, kind: Deployment, name: api}\n"
    "    path: ops.yaml\n",
    "vars": "vars:\n  - name: SVC\n    objref: {kind: Service, name: svc, apiVersion: v1}\n"
    "    fieldref: {fieldpath: metadata.name}\n",
    "generator from files": "configMapGenerator: [{name: files, files: [app.properties, renamed=config.env]}]\n",
    "generator from env files": "configMapGenerator: [{name: envs, envs: [config.env]}]\n",
    "secret from env files": "secretGenerator: [{name: senv, envs: [config.env], type: Opaque}]\n",
    "generator options per generator": "configMapGenerator:\n  - name: opt\n    literals: [A=1]\n"
    "    options: {immutable: true, annotations: {x: 'y'}, labels: {l: v}, disableNameSuffixHash: true}\n",
    # `y` unquoted is a boolean to kustomize (YAML 1.1), where an annotation value must be a string
    "an unquoted y where a string goes": "configMapGenerator:\n  - name: opt\n    literals: [A=1]\n"
    "    options: {annotations: {x: y}}\n",
    "components": "components: [comp]\n",
    # a line without '=' is the name with an empty value (kustomize 5; kustomize 4 read its environment)
    "env file reading the environment": "configMapGenerator: [{name: envs, envs: [from-environment.env]}]\n",
    # kustomize reads the kustomization as YAML 1.1: these are booleans and numbers there, and refused
    "yaml 1.1 in the kustomization": "commonLabels: {ok: yes}\n",
    "a number where a string goes": "namespace: 0x1F\n",
    "yaml 1.1 booleans where booleans go": "generatorOptions: {disableNameSuffixHash: yes}\n"
    "configMapGenerator: [{name: g, literals: [a=b]}]\n",
    "build metadata": "buildMetadata: [originAnnotations, transformerAnnotations, managedByLabel]\n",
    "sort options legacy": "sortOptions: {order: legacy}\n",
    "sort options fifo": "sortOptions: {order: fifo}\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_features_render_as_kubectl_does(tmp_path: Path, name: str) -> None:
    kustomization = {"kustomization.yaml": "resources: [base.yaml]\n" + CASES[name]}
    rendered, problems = render_both(tmp_path, {**FILES, **kustomization})
    assert problems == [], problems
    kubectl_refuses = {
        "yaml 1.1 in the kustomization",
        "a number where a string goes",
        "an unquoted y where a string goes",
    }
    assert rendered == (name not in kubectl_refuses)


@pytest.mark.parametrize(
    "entry",
    [
        "labels: [{pairs: {a: b}, includeSelector: true}]",  # a typo: kustomize refuses the file
        "images: [{name: busybox, newTags: '2'}]",
        "configMapGenerator: [{name: g, literals: [a=b], options: {immutable: true, typo: 1}}]",
        "labels: [{pairs: {a: b}, fields: [{path: data/x, creat: true}]}]",  # a typo in a field spec
    ],
)
def test_an_entry_field_the_renderer_does_not_model_blocks(tmp_path: Path, entry: str) -> None:
    """kustomize refuses an unknown field of an entry (or applies one the renderer does not):
    either way the gate cannot show what would be deployed, so it blocks at the field."""
    from conftest import run_cli

    (tmp_path / "base.yaml").write_text(FILES["base.yaml"])
    (tmp_path / "kustomization.yaml").write_text(f"resources: [base.yaml]\n{entry}\n")
    result = run_cli("--no-schemas", "--format", "json", str(tmp_path))
    assert result.code == 1
    assert [f["line"] for f in result.json["findings"] if f["rule"] == "kustomize-unsupported"] == [2]


@pytest.mark.parametrize(
    "header",
    [
        "",
        "kind: Kustomization\n",
        "apiVersion: kustomize.config.k8s.io/v1beta1\n",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n",
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
        "kind: Component\n",
        "apiVersion: v1\nkind: Kustomization\n",  # refused: the wrong apiVersion for its kind
        "apiVersion: kustomize.config.k8s.io/v1alpha1\n",  # refused: a Kustomization's is v1beta1
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Component\n",  # refused
        "kind: kustomization\n",  # refused: kinds are case-sensitive
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Deployment\n",  # refused
        "kind: [1, 2]\n",  # refused: not a string (this crashed the build)
        "apiVersion: {a: 1}\n",
        "kind: 5\n",
        "kind: on\n",  # a boolean to go-yaml v2
    ],
)
def test_the_kustomization_header_is_checked_as_kustomize_checks_it(tmp_path: Path, header: str) -> None:
    files = {"kustomization.yaml": header + "configMapGenerator: [{name: g, literals: [a=b]}]\n"}
    rendered, problems = render_both(tmp_path, files)
    assert problems == [], problems


COMPONENT_V1 = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"


@pytest.mark.parametrize(
    ("component", "expected"),
    [
        (COMPONENT_V1 + "namePrefix: p-\n", "exact"),
        ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Component\nnamePrefix: p-\n", "refused"),  # its header
        ("kind: Component\napiVersion: v1\ncommonAnnotations: {a: b}\n", "refused"),
        (COMPONENT_V1 + "metadata: {name: x}\n", "exact"),  # a metadata is something: not empty
        (COMPONENT_V1, "refused"),  # empty
    ],
)
def test_a_components_header_and_emptiness_as_kubectl(tmp_path: Path, component: str, expected: str) -> None:
    files = {
        "o.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
        "c/kustomization.yaml": component,
        "kustomization.yaml": "resources: [o.yaml]\ncomponents: [c]\n",
    }
    assert outcome(tmp_path, files) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # kustomize calls a kustomization empty when it equals the empty one once its old fields are folded:
        # a field written [] or {} is something, null or "" nothing; an empty `bases` folds into nothing
        ("metadata: {}", "exact"),
        ("resources: []", "exact"),
        ("commonLabels: {}", "exact"),
        ("sortOptions: {}", "exact"),  # (a base's sort options are never read)
        ("metadata: null", "refused"),
        ("resources: null", "refused"),
        ("bases: []", "refused"),
        ("imageTags: []", "refused"),
        ("namePrefix: ''", "refused"),
        # a field the renderer does not model, written empty, does nothing; an unknown one is refused
        ("vars: []", "exact"),
        ("crds: []", "exact"),
        ("resources: []\ntransformers: null", "exact"),
        ("buildMetadata: []", "exact"),
        ("vars: {}", "refused"),
        ("resourcez: []", "refused"),
    ],
)
def test_what_kustomize_calls_an_empty_kustomization(tmp_path: Path, body: str, expected: str) -> None:
    files = {
        "o.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
        "b/kustomization.yaml": body + "\n",
        "kustomization.yaml": "resources: [o.yaml, b]\n",
    }
    assert outcome(tmp_path, files) == expected


def test_a_generator_file_that_is_not_utf8_blocks(tmp_path: Path) -> None:
    """kustomize puts it base64 under binaryData (a Secret: its raw bytes); not modelled, so refused
    with a finding rather than rendered with replacement characters (another hash, other data)."""
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)))
    files = {"kustomization.yaml": "configMapGenerator: [{name: g, files: [blob.bin]}]\n"}
    rendered, problems = render_both(tmp_path, files)
    assert rendered and problems == [], problems
    result = run_cli("--no-schemas", "--format", "json", "--repo-root", str(tmp_path), str(tmp_path))
    assert [f["rule"] for f in result.json["findings"]] == ["kustomize-unsupported"]
    assert result.json["findings"][0]["line"] == 1 and result.code == 1


def test_the_files_an_unmodelled_field_names_are_the_kustomizations_not_orphans(tmp_path: Path) -> None:
    """A transformer's configuration, ``configurations``, ``crds`` and ``openapi.path`` block once
    at their field (kustomize-unsupported); the files they name are not "never applied" as well."""
    (tmp_path / "base.yaml").write_text(FILES["base.yaml"])
    (tmp_path / "replicas.yaml").write_text(
        "apiVersion: builtin\nkind: ReplicaCountTransformer\nmetadata: {name: r}\nreplica: {name: api, count: 3}\n"
        "fieldSpecs: [{path: spec/replicas, create: true, kind: Deployment}]\n"
    )
    (tmp_path / "conf.yaml").write_text("namePrefix: [{path: metadata/name}]\n")
    (tmp_path / "crd.json").write_text("{}\n")
    (tmp_path / "schema.json").write_text("{}\n")
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [base.yaml]\ntransformers: [replicas.yaml]\nconfigurations: [conf.yaml]\n"
        "crds: [crd.json]\nopenapi: {path: schema.json}\n"
    )
    result = run_cli("--no-schemas", "--format", "json", "--repo-root", str(tmp_path), str(tmp_path))
    got = [(f["rule"], f["line"]) for f in result.json["findings"]]
    assert got == [("kustomize-unsupported", line) for line in (2, 3, 4, 5)], got


# A generator's behavior finds the object it would be by any id it has had, in the generator's
# namespace (unset is "default"), as kustomize does: create refuses one that exists, merge and
# replace refuse one that does not (or that is in another namespace).
GENERATED = {
    "create over a base object by its written name": (
        "refused",
        {"base/kustomization.yaml": "resources: [c.yaml]\nnamePrefix: b-\n"},
        "configMapGenerator: [{name: cfg, literals: [A=1]}]\n",
    ),
    "create over a base object in the default namespace": (
        "refused",
        {"base/kustomization.yaml": "resources: [c.yaml]\nnamespace: default\n"},
        "configMapGenerator: [{name: cfg, behavior: create, literals: [A=1]}]\n",
    ),
    "create over a base object the base moved to another namespace": (  # written without one
        "refused",
        {"base/kustomization.yaml": "resources: [c.yaml]\nnamespace: other\n"},
        "configMapGenerator: [{name: cfg, literals: [A=1]}]\n",
    ),
    "create beside a base object written in another namespace": (
        "exact",
        {"base/c.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: other}\ndata: {k: v}\n"},
        "configMapGenerator: [{name: cfg, literals: [A=1]}]\n",
    ),
    "merge into a base object of another namespace": (
        "refused",
        {"base/c.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: other}\ndata: {k: v}\n"},
        "configMapGenerator: [{name: cfg, behavior: merge, literals: [TRADING_LIVE_ENABLED=false]}]\n",
    ),
    "merge into a base generator's object that names its namespace": (
        "refused",
        {
            "base/kustomization.yaml": "namespace: torghut\n"
            "configMapGenerator: [{name: cfg, namespace: torghut, literals: [k=v]}]\n"
        },
        "configMapGenerator: [{name: cfg, behavior: merge, literals: [A=1]}]\n",
    ),
    "a namespace that makes two objects one": (  # the base's cfg in default, the overlay's in torghut
        "refused",
        {},
        "configMapGenerator: [{name: cfg, namespace: torghut, literals: [A=1]}]\nnamespace: default\n",
    ),
    "merge into a base generator's object moved by the base namespace": (
        "exact",
        {"base/kustomization.yaml": "namespace: torghut\nconfigMapGenerator: [{name: cfg, literals: [k=v]}]\n"},
        "configMapGenerator: [{name: cfg, behavior: merge, literals: [A=1]}]\n",
    ),
}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_a_generators_behavior_finds_its_object_as_kustomize_does(tmp_path: Path, name: str) -> None:
    expected, base, overlay = GENERATED[name]
    files = {
        "base/kustomization.yaml": "resources: [c.yaml]\n",
        "base/c.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {k: v}\n",
        **base,
        "kustomization.yaml": "resources: [base]\n" + overlay,
    }
    assert outcome(tmp_path, files) == expected


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        # a tag is read as go-yaml v2 reads it: !!bool takes YAML 1.1's words, !!timestamp keeps its text
        ("labels: [{pairs: {a: b}, includeTemplates: !!bool yes}]", "exact"),
        ("labels: [{pairs: {a: b}, includeTemplates: !!bool No}]", "exact"),
        ("labels: [{pairs: {a: b}, includeTemplates: !!bool 'on'}]", "exact"),
        ("labels: [{pairs: {a: b}, includeTemplates: !!str yes}]", "refused"),
        ("commonAnnotations: {a: !!timestamp 2001-12-14}", "exact"),
        ("commonAnnotations: {a: !!timestamp '2001-12-14 10:00:00'}", "exact"),
        ("commonLabels: {!!bool yes: a}", "refused"),  # the label key "true", which reads back as a boolean
        ("commonLabels: {a: !!bool yes}", "refused"),  # a boolean where a string goes
    ],
)
def test_a_tagged_kustomization_value_is_read_as_go_yaml_v2_reads_it(tmp_path: Path, field: str, expected: str) -> None:
    files = {**FILES, "kustomization.yaml": f"resources: [base.yaml]\n{field}\n"}
    assert outcome(tmp_path, files) == expected
