"""How kustomize reads `resources`, against `kubectl kustomize`: Lists expanded, empty documents,
duplicates refused, the same name in two namespaces, a directory without a kustomization, a
file listed twice, nested kustomizations and their order."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from kubectl_parity import outcome, render_both, write_tree

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s%s}\ndata: {a: b}\n"

CASES = {
    "a List is expanded": {
        "list.yaml": "apiVersion: v1\nkind: List\nitems:\n"
        "  - {apiVersion: v1, kind: ConfigMap, metadata: {name: one}}\n"
        "  - {apiVersion: v1, kind: ConfigMap, metadata: {name: two}}\n",
        "kustomization.yaml": "resources: [list.yaml]\n",
    },
    "empty documents": {
        "cms.yaml": "---\n" + CM % ("one", "") + "---\n---\n# only a comment\n---\n" + CM % ("two", ""),
        "kustomization.yaml": "resources: [cms.yaml]\n",
    },
    "the same object twice is refused": {
        "a.yaml": CM % ("one", ""),
        "b.yaml": CM % ("one", ""),
        "kustomization.yaml": "resources: [a.yaml, b.yaml]\n",
    },
    "same name in two namespaces": {
        "a.yaml": CM % ("one", ", namespace: x"),
        "b.yaml": CM % ("one", ", namespace: y"),
        "kustomization.yaml": "resources: [a.yaml, b.yaml]\n",
    },
    "a directory without a kustomization is refused": {
        "plain/cm.yaml": CM % ("one", ""),
        "kustomization.yaml": "resources: [plain]\n",
    },
    "a file listed twice is refused": {
        "a.yaml": CM % ("one", ""),
        "kustomization.yaml": "resources: [a.yaml, a.yaml]\n",
    },
    "nested kustomizations in order": {
        "base/cm.yaml": CM % ("base", ""),
        "base/kustomization.yaml": "resources: [cm.yaml]\nnamePrefix: b-\n",
        "mid/kustomization.yaml": "resources: [../base, cm.yaml]\nnamePrefix: m-\n",
        "mid/cm.yaml": CM % ("mid", ""),
        "kustomization.yaml": "resources: [mid]\nnamespace: top\n",
    },
    "a kustomization named Kustomization": {
        "sub/Kustomization": "resources: [cm.yaml]\n",
        "sub/cm.yaml": CM % ("one", ""),
        "kustomization.yaml": "resources: [sub]\n",
    },
    "a resource named by generateName alone is refused": {
        "job.yaml": "apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: migrate-}\n"
        "spec: {template: {spec: {restartPolicy: Never, containers: [{name: m, image: m}]}}}\n",
        "kustomization.yaml": "resources: [job.yaml]\n",
    },
    "a List's items named by generateName alone are refused": {
        "list.yaml": "apiVersion: v1\nkind: List\nitems:\n"
        "  - {apiVersion: v1, kind: ConfigMap, metadata: {generateName: c-}}\n",
        "kustomization.yaml": "resources: [list.yaml]\n",
    },
    "two kustomization files in one directory are refused": {
        "sub/kustomization.yaml": "resources: [cm.yaml]\n",
        "sub/kustomization.yml": "resources: [cm.yaml]\n",
        "sub/cm.yaml": CM % ("one", ""),
        "kustomization.yaml": "resources: [sub]\n",
    },
    # kustomize cuts a file at lines that start with '---' (after its first line) before it parses
    # it, refuses a line with more than a comment after its '---', and reads one document a piece
    "an object on a separator line is refused": {
        "cms.yaml": CM % ("one", "") + "--- {apiVersion: v1, kind: ConfigMap, metadata: {name: two}}\n",
        "kustomization.yaml": "resources: [cms.yaml]\n",
    },
    "a tag on a separator line is refused": {
        "cms.yaml": CM % ("one", "") + "--- !!map\n" + CM % ("two", ""),
        "kustomization.yaml": "resources: [cms.yaml]\n",
    },
    "a separator ended by a lone carriage return is refused": {
        "cms.yaml": CM % ("one", "") + "---\r" + CM % ("two", ""),
        "kustomization.yaml": "resources: [cms.yaml]\n",
    },
    "a directive before the first document is refused": {
        "cms.yaml": "%YAML 1.1\n---\n" + CM % ("one", ""),
        "kustomization.yaml": "resources: [cms.yaml]\n",
    },
    "a directive after an ended document": {
        "cms.yaml": CM % ("one", "") + "...\n%YAML 1.1\n---\n" + CM % ("two", ""),
        "kustomization.yaml": "resources: [cms.yaml]\n",
    },
    "a comment and a tab on separator lines, windows line ends": {
        "cms.yaml": (CM % ("one", "")).replace("\n", "\r\n") + "--- # two\r\n" + CM % ("two", "") + "---\t\n",
        "kustomization.yaml": "resources: [cms.yaml]\n",
    },
    "an object on the first line": {
        "cms.yaml": "--- {apiVersion: v1, kind: ConfigMap, metadata: {name: one}}\n",
        "kustomization.yaml": "resources: [cms.yaml]\n",
    },
    "a strategic-merge patch file with an object on a separator line is refused": {
        "cms.yaml": CM % ("one", "") + "---\n" + CM % ("two", ""),
        "p.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\ndata: {a: c}\n"
        "--- {apiVersion: v1, kind: ConfigMap, metadata: {name: two}, data: {a: d}}\n",
        "kustomization.yaml": "resources: [cms.yaml]\npatches:\n- path: p.yaml\n",
    },
    "an inline patch that starts with an object on its separator line": {
        "cms.yaml": CM % ("one", ""),
        "kustomization.yaml": "resources: [cms.yaml]\npatches:\n"
        "- patch: '--- {apiVersion: v1, kind: ConfigMap, metadata: {name: one}, data: {a: c}}'\n",
    },
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_resources_read_as_kubectl_reads_them(tmp_path: Path, name: str) -> None:
    rendered, problems = render_both(tmp_path, CASES[name])
    assert problems == [], problems
    assert rendered == ("refused" not in name)


_ITEMS = (
    "  - kind: ConfigMap\n    metadata: {name: a, labels: {z: '1', b: '2'}}\n    apiVersion: v1\n"
    "    data: {zeta: '1', alpha: x}\n"
    "  - apiVersion: v1\n    kind: List\n    items:\n    - {metadata: {name: b}, kind: ConfigMap, apiVersion: v1}\n"
)
_LIST = "apiVersion: v1\nkind: List\nitems:\n" + _ITEMS
# How kustomize reads a list of objects: its reader unwraps a file of one List (or ResourceList)
# document as written; any *List kind with items is then expanded, its items read back from JSON
# (keys in order) after the file's other objects, lists in lists too; a null, {} or [] document
# or item is dropped; items of another shape are refused.
LISTS = {
    "one List": _LIST,
    "a List among objects": CM % ("c", "") + "---\n" + _LIST + "---\n" + CM % ("d", ""),
    "a List and a separator": _LIST + "---\n",
    "a ResourceList": _LIST.replace("kind: List", "kind: ResourceList\nfunctionConfig: {a: b}", 1),
    "a ConfigMapList": _LIST.replace("kind: List", "kind: ConfigMapList", 1),
    "a List of null items": "apiVersion: v1\nkind: List\nitems: null\n",
    "a List with functionConfig alone": "apiVersion: v1\nkind: List\nmetadata: {name: x}\nfunctionConfig: {a: b}\n",
    "a List of a scalar": "apiVersion: v1\nkind: List\nitems: 5\n",
    "empty items": "apiVersion: v1\nkind: List\nitems: [{}, null, []]\n---\n{}\n---\n[]\n---\n" + CM % ("e", ""),
    "a kind named *List without items": "apiVersion: x.io/v1\nkind: AllowList\nmetadata: {name: a}\nspec: {x: 1}\n",
    "a List in a List in a List of a scalar": "apiVersion: v1\nkind: List\nitems:\n"
    "- {apiVersion: v1, kind: List, items: [{apiVersion: v1, kind: List, items: 5}]}\n",
    "refused: a List in a List of a scalar": "apiVersion: v1\nkind: List\nitems: [{kind: List, items: 5}]\n",
    "refused: a *List in a List of a scalar": "apiVersion: v1\nkind: List\nitems: [{kind: XList, items: 5}]\n",
    "refused: a *List of a map": "apiVersion: v1\nkind: FooList\nmetadata: {name: l}\nitems: {}\n",
    "refused: a List of a map among objects": CM % ("c", "") + "---\napiVersion: v1\nkind: List\nitems: {a: b}\n",
    "refused: a List of a map": "apiVersion: v1\nkind: List\nitems: {a: b}\n",
}


@pytest.mark.parametrize("name", sorted(LISTS))
@pytest.mark.parametrize("order", ["", "sortOptions: {order: fifo}\n"])
def test_lists_read_as_kubectl_reads_them(tmp_path: Path, name: str, order: str) -> None:
    rendered, problems = render_both(
        tmp_path, {"r.yaml": LISTS[name], "kustomization.yaml": f"resources: [r.yaml]\n{order}"}
    )
    assert problems == [], problems
    assert rendered == (not name.startswith("refused"))
    if rendered:
        from conftest import run_cli

        want = subprocess.run(["kubectl", "kustomize", str(tmp_path)], capture_output=True, timeout=120).stdout
        assert run_cli("render", str(tmp_path)).stdout == want.decode()
        findings = run_cli("--no-schemas", "--format", "json", str(tmp_path)).json["findings"]
        assert [f for f in findings if f["severity"] == "error"] == []  # nothing kustomize reads blocks


LOADED_FROM_ABOVE = {
    "a resource file": "resources: [cm.yaml, ../shared/extra.yaml]\n",
    "a patch file": "resources: [cm.yaml]\npatches: [{path: ../shared/patch.yaml}]\n",
    "a generator file": "resources: [cm.yaml]\nconfigMapGenerator: [{name: g, files: [../shared/f.txt]}]\n",
    "an env file": "resources: [cm.yaml]\nconfigMapGenerator: [{name: g, envs: [../shared/a.env]}]\n",
}


@pytest.mark.parametrize("name", sorted(LOADED_FROM_ABOVE))
def test_files_outside_the_kustomization_are_refused_as_kustomize_refuses_them(tmp_path: Path, name: str) -> None:
    """kustomize's default load restrictor: a kustomization loads files only from its own
    directory (other kustomizations may be anywhere). kubectl refuses; the build blocks with
    kustomize-load-restricted, and still reads the file, so with the rule turned off (Argo CD
    running LoadRestrictionsNone) it renders what that build renders."""
    import subprocess

    from test_parity import compare

    from conftest import run_cli

    files = {
        "app/cm.yaml": CM % ("one", ""),
        "app/kustomization.yaml": LOADED_FROM_ABOVE[name],
        "shared/extra.yaml": CM % ("two", ""),
        "shared/patch.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\ndata: {a: patched}\n",
        "shared/f.txt": "text\n",
        "shared/a.env": "K=v\n",
    }
    (tmp_path / ".git").mkdir()
    render_both(tmp_path, files)  # writes the tree
    rendered, problems = compare(tmp_path / "app", tmp_path)
    assert problems == [] and not rendered, problems
    result = run_cli("--no-schemas", "--format", "json", str(tmp_path / "app"), cwd=tmp_path)
    assert [f["rule"] for f in result.json["findings"]] == ["kustomize-load-restricted"]
    assert result.json["findings"][0]["file"] == "app/kustomization.yaml"
    unrestricted = subprocess.run(
        ["kubectl", "kustomize", "--load-restrictor", "LoadRestrictionsNone", str(tmp_path / "app")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ours = run_cli("render", str(tmp_path / "app"), cwd=tmp_path)
    assert ours.stdout == unrestricted


@pytest.mark.parametrize("spelling", ["./base/", "base//", "./base/../base", "base/.", "link"])
def test_a_base_spelt_any_way_is_one_base_as_kubectl_reads_it(tmp_path: Path, spelling: str) -> None:
    """A directory entry written with ``./``, a trailing or doubled slash, ``..`` or through a
    link names the same base (resolved once, as text): two overlays including it under different
    spellings, and an application including both, render as kubectl renders them."""
    files = {
        "base/kustomization.yaml": "resources: [cm.yaml]\n",
        "base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1'}\n",
        "one/kustomization.yaml": f"resources: ['../{spelling}']\nnamePrefix: one-\n",
        "two/kustomization.yaml": "resources: [../base]\nnamePrefix: two-\n",
        "app/kustomization.yaml": "resources: [../one, ../two]\n",
    }
    (tmp_path / "link").symlink_to("base")
    rendered, problems = render_both(tmp_path, files, root="app")
    assert rendered and problems == [], problems


@pytest.mark.parametrize(
    "patch",
    [
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: any}\n"
        "spec: {template: {spec: {containers: [{name: c, env: [{name: B, value: '2'}]}]}}}\n",
        '[{"op": "add", "path": "/spec/template/spec/containers/0/env/-", "value": {"name": "B", "value": "2"}}]',
    ],
    ids=["strategic merge", "JSON patch"],
)
def test_a_base_reached_twice_then_patched_merges_as_kubectl_merges_it(tmp_path: Path, patch: str) -> None:
    """A base two includes reach (the second a copy of the first build), then patched above them:
    each copy merges by the Deployment's schema (a container by name, its env by name). The copy
    once carried no identity, and a strategic merge replaced its containers list whole (the image
    and the env a switch rule reads gone from what the gate saw)."""
    files = {
        "base/kustomization.yaml": "resources: [d.yaml]\n",
        "base/d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
        "    spec:\n      containers:\n      - {name: c, image: 'nginx:1', env: [{name: A, value: '1'}]}\n",
        "one/kustomization.yaml": "resources: [../base]\nnamePrefix: one-\n",
        "two/kustomization.yaml": "resources: [../base]\nnamePrefix: two-\n",
        "app/kustomization.yaml": "resources: [../one, ../two]\npatches:\n- target: {kind: Deployment}\n"
        f"  patch: {json.dumps(patch)}\n",
    }
    rendered, problems = render_both(tmp_path, files, root="app")
    assert rendered and problems == [], problems


def test_a_directory_with_two_kustomization_files_is_refused_as_kubectl_refuses_it(tmp_path: Path) -> None:
    """kustomize refuses a directory holding more than one kustomization file; the built-in build
    blocks with one finding located at the first of them, naming both."""
    from torghut_lint.kustomize.build import Builder, SourceFiles

    files = {
        "kustomization.yaml": "resources: [cm.yaml]\n",
        "kustomization.yml": "resources: [cm.yaml]\n",
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    }
    rendered, problems = render_both(tmp_path, files)
    assert not rendered and problems == [], problems
    build = Builder(SourceFiles(tmp_path)).build(tmp_path)
    [finding] = [f for f in build.findings if f.rule == "kustomize-invalid"]
    assert finding.location.file.endswith("kustomization.yaml") and finding.location.line == 1
    assert "(kustomization.yaml, kustomization.yml)" in finding.message and build.resources == []


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        ("metadata: {name: cfg, namespace: default}", "refused"),  # no namespace is "default" to kustomize
        ("metadata: {name: cfg, namespace: other}", "exact"),
        ("metadata: {name: cfg}", "refused"),
    ],
)
def test_one_id_included_twice_is_refused_however_its_namespace_is_written(
    tmp_path: Path, second: str, expected: str
) -> None:
    files = {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: b}\n---\n"
        f"apiVersion: v1\nkind: ConfigMap\n{second}\ndata: {{a: c}}\n",
        "kustomization.yaml": "resources: [cm.yaml]\n",
    }
    assert outcome(tmp_path, files) == expected


# One env entry written once and aliased into a second container: kustomize reads each alias as a
# copy of its own, so a patch of one container leaves the other as written.
ALIASED = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: &labels {app: api}
spec:
  selector: {matchLabels: *labels}
  template:
    metadata: {labels: *labels}
    spec:
      containers:
        - name: api
          image: api:1
          env: &env
            - &live {name: TRADING_LIVE_ENABLED, value: "true"}
        - name: side
          image: side:1
          env: *env
"""

ALIAS_PATCHES = {
    "a JSON patch into an aliased map": "- {op: add, path: /spec/template/spec/containers/0/env/0/value, "
    "value: 'false'}\n",
    "a JSON patch into an aliased list": "- {op: add, path: /spec/template/spec/containers/0/env/-, "
    "value: {name: B, value: '1'}}\n",
    "a JSON patch into aliased labels": "- {op: add, path: /metadata/labels/tier, value: web}\n",
    "a strategic merge into an aliased map": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n"
    "spec:\n  template:\n    spec:\n      containers:\n"
    "        - {name: api, env: [{name: TRADING_LIVE_ENABLED, value: 'false'}]}\n",
}


@pytest.mark.parametrize("name", sorted(ALIAS_PATCHES))
def test_an_alias_is_a_copy_of_its_own_as_kustomize_reads_it(tmp_path: Path, name: str) -> None:
    """Found by a hostile PR: the alias was the same node here, so a patch switching live trading
    off in one container switched it off in the other too, where the cluster runs it on."""
    patch = ALIAS_PATCHES[name].replace("\n", "\n      ")
    kustomization = f"resources: [d.yaml]\npatches:\n  - target: {{kind: Deployment}}\n    patch: |-\n      {patch}\n"
    rendered, problems = render_both(tmp_path, {"d.yaml": ALIASED, "kustomization.yaml": kustomization})
    assert rendered and problems == [], problems


LOCAL = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, annotations: {config.kubernetes.io/local-config: %s}}\n"
    "data: {n: from-local}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata: {x: '1'}\n"
)


@pytest.mark.parametrize(
    ("value", "kustomization"),
    [
        ("'true'", "resources: [o.yaml]"),
        ("'TRUE'", "resources: [o.yaml]"),  # any text but "false"
        ("true", "resources: [o.yaml]"),
        ("'false'", "resources: [o.yaml]"),  # kept
        # it is dropped last: a replacement still reads it, a base's is dropped by the root
        (
            "'true'",
            "resources: [o.yaml]\nreplacements:\n- source: {kind: ConfigMap, name: c, fieldPath: data.n}\n"
            "  targets: [{select: {name: d}, fieldPaths: [data.x]}]",
        ),
        ("'true'", "resources: [o.yaml]\nnamePrefix: p-"),
    ],
)
def test_a_local_config_object_is_left_out_as_kustomize_leaves_it(
    tmp_path: Path, value: str, kustomization: str
) -> None:
    files = {"o.yaml": LOCAL % value, "kustomization.yaml": kustomization + "\n"}
    assert outcome(tmp_path, files) == "exact"
    files = {
        "b/o.yaml": LOCAL % value,
        "b/kustomization.yaml": kustomization + "\n",
        "kustomization.yaml": "resources: [b]\n",
    }
    assert outcome(tmp_path / "overlay", files) == "exact"


def test_a_credential_in_a_local_config_secret_is_still_in_the_repository(tmp_path: Path) -> None:
    from conftest import run_cli

    (tmp_path / "o.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s, annotations: {config.kubernetes.io/local-config: 'true'}}\n"
        "stringData: {password: Sup3rS3cretValue99x}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\n"
    )
    (tmp_path / "kustomization.yaml").write_text("resources: [o.yaml]\n")
    result = run_cli("--no-schemas", "--format", "json", str(tmp_path))
    assert result.json["summary"]["resources"] == 1  # the Secret is never deployed...
    assert [f["rule"] for f in result.json["findings"]] == ["no-inline-secrets"]  # ...but it is in the repository
    assert "Sup3rS3cretValue99x" not in result.stdout


BOOKKEPT = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, annotations: {%s}}\ndata: {a: b}\n---\n"
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
    "spec: {template: {spec: {containers: [{name: a, image: x, envFrom: [{configMapRef: {name: c}}]}]}}}\n"
)


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        # kustomize's readers' bookkeeping: removed from what it prints
        ("config.kubernetes.io/index: '3', internal.config.kubernetes.io/path: x.yaml", "exact"),
        ("config.k8s.io/id: '1', internal.config.kubernetes.io/seqindent: compact", "exact"),
        ("config.kubernetes.io/origin: x, alpha.config.kubernetes.io/transformations: y", "exact"),
        # kustomize's own state of a build: it renames the object (a hash), or moves its references
        ("internal.config.kubernetes.io/needsHashSuffix: enabled", "closed"),
        ("internal.config.kubernetes.io/previousNames: zz", "refused"),  # (with the prefix kubectl fails)
        ("internal.config.kubernetes.io/prefixes: q-", "closed"),
        # another domain's, or another key of the domain: an annotation like any other
        ("kustomize.config.k8s.io/needsHashSuffix: enabled", "exact"),
        ("internal.config.kubernetes.io/other: z", "exact"),
    ],
)
def test_kustomizes_own_annotations_as_kustomize_treats_them(tmp_path: Path, annotation: str, expected: str) -> None:
    files = {"o.yaml": BOOKKEPT % annotation, "kustomization.yaml": "resources: [o.yaml]\nnamePrefix: p-\n"}
    assert outcome(tmp_path, files) == expected


@pytest.mark.parametrize(("order", "expected"), [("", "refused"), ("sortOptions: {order: fifo}\n", "exact")])
def test_a_local_config_object_renamed_onto_a_kept_one_as_kubectl(tmp_path: Path, order: str, expected: str) -> None:
    """kustomize's sort rebuilds its list of objects before local ones are left out (two of one id:
    refused); without the sort, it leaves local objects out by id, and one with a kept object's id
    stays (kubectl prints both)."""
    files = {
        "o.yaml": "apiVersion: v1\nkind: ConfigMap\n"
        "metadata: {name: c, annotations: {config.kubernetes.io/local-config: 'true'}}\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\n",
        "p.yaml": "- {op: replace, path: /metadata/name, value: d}\n",
        "kustomization.yaml": f"resources: [o.yaml]\npatches: [{{path: p.yaml, target: {{name: c}}}}]\n{order}",
    }
    assert outcome(tmp_path, files) == expected


NUMBERED = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata: {a: b}\n---\n" + (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
    "spec: {template: {spec: {containers: [{name: a, image: x, envFrom: [{configMapRef: {name: %s}}]}]}}}\n"
)


@pytest.mark.parametrize("name", ["5", "1.5", "true", "false", "0", "0x1F", "1e3", "010", "!!int 0x10"])
@pytest.mark.parametrize("renamed", ["namePrefix: p-", "nameSuffix: -s", "namePrefix: p-\nnamespace: x"])
def test_a_name_written_as_a_number_is_its_text_to_kustomize(tmp_path: Path, name: str, renamed: str) -> None:
    """kustomize reads an object's name as the text it is written in (``name: 5`` is "5"), and a
    prefix or suffix makes it a string the API server takes (``p-5``), references following:
    rendered as kubectl renders it, nothing blocks."""
    from conftest import run_cli

    files = {"o.yaml": NUMBERED % (name, name), "kustomization.yaml": f"resources: [o.yaml]\n{renamed}\n"}
    assert outcome(tmp_path, files) == "exact"
    want = subprocess.run(["kubectl", "kustomize", str(tmp_path)], capture_output=True, timeout=120).stdout
    assert run_cli("render", str(tmp_path)).stdout == want.decode()
    findings = run_cli("--no-schemas", "--format", "json", str(tmp_path)).json["findings"]
    assert [f for f in findings if f["severity"] == "error"] == []


@pytest.mark.parametrize(("name", "reads"), [("5", "an integer"), ("1.5", "a number"), ("true", "a boolean")])
@pytest.mark.parametrize("kustomized", [True, False])
def test_a_name_still_a_number_once_built_is_refused_where_it_is_written(
    tmp_path: Path, name: str, reads: str, kustomized: bool
) -> None:
    """Unrenamed, kubectl prints ``name: 5``, which the API server refuses (a name is a string);
    Argo CD's reading of a directory sends it as written: blocked at the name, either way."""
    from conftest import run_cli

    files = {"o.yaml": NUMBERED.split("---")[0] % name}
    if kustomized:
        files["kustomization.yaml"] = "resources: [o.yaml]\n"
        assert outcome(tmp_path, files) == "exact"  # kubectl renders it...
    else:
        write_tree(tmp_path, files)
    result = run_cli("--no-schemas", "--format", "json", str(tmp_path))
    errors = [(f["rule"], f["line"], f["column"], f["message"]) for f in result.json["findings"]]
    message = f"metadata.name {name} is {reads}, not a string: the API server refuses it; quote it"
    assert errors == [("manifest-invalid", 4, 9, message)]  # ...which the cluster refuses
    assert result.code == 1


# kustomize reads a *List's items back from JSON: a number is the text JSON writes for it from then
# on, which is what a name, a label a selector matches and a replaced value are
_ITEM = "apiVersion: v1\nkind: ConfigMapList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n" + (
    "    name: %s\n    labels: {x: %s}\n  data: {a: %s}\n"
)
_SELECTED = [("16", "b"), ("1000", "c"), ("0.000015", "d"), ("true", "e"), ("7", "f"), ("3", "g"), ("0.5", "k")]
_BY_LABEL = "".join(
    f"- target: {{labelSelector: x={value}}}\n  patch: |\n    - {{op: add, path: /data/{key}, value: hit}}\n"
    for value, key in _SELECTED
)
_REPLACED = (
    "replacements:\n- source: {kind: ConfigMap, fieldPath: data.a}\n"
    "  targets: [{select: {kind: ConfigMap}, fieldPaths: [metadata.annotations.z], options: {create: true}}]\n"
)


@pytest.mark.parametrize(
    "value",
    ["0x10", "1e3", "1.5e-5", "1.5e-7", "1e21", "true", "null", "2001-12-14", "0o7", "-0.0", ".5", "+7", "0b11"],
)
def test_a_list_items_numbers_are_the_text_json_writes(tmp_path: Path, value: str) -> None:
    files = {
        "l.yaml": _ITEM % ("n" if value in ("null", "2001-12-14") else value, value, value),
        "kustomization.yaml": f"resources: [l.yaml]\nnamePrefix: p-\npatches:\n{_BY_LABEL}{_REPLACED}",
    }
    assert outcome(tmp_path, files) == ("refused" if value == "null" else "exact")  # (no value to replace)


_PATCHED = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  labels: {x: %s}\ndata: {a: %s}\n"
_SELECTED_ONCE_PATCHED = [("16", "c"), ("1000000", "d"), ("1e06", "e"), ("0.000015", "f"), ("1.5e-05", "g"), ("0", "i")]


@pytest.mark.parametrize(
    "value",
    ["0x10", "1e6", "1000000", "1.5e-5", "1e21", "123456789.5", "-0.0", "-0", "9007199254740993", "true", "2001-12-14"],
)
def test_a_json_patched_objects_numbers_are_the_text_go_yaml_writes(tmp_path: Path, value: str) -> None:
    """kustomize has a JSON patch's result back through go-yaml's encoder from decoded JSON, where
    every number is a float: a name, a label a later patch selects by and a replaced value are
    ``1e+06``, ``1.5e-05``, ``-0`` from then on."""
    later = "".join(
        f"- target: {{labelSelector: x={label}}}\n  patch: |\n    - {{op: add, path: /data/{key}, value: hit}}\n"
        for label, key in _SELECTED_ONCE_PATCHED
    )
    files = {
        "cm.yaml": _PATCHED % (value, value, value),
        "kustomization.yaml": "resources: [cm.yaml]\nnamePrefix: p-\npatches:\n- target: {kind: ConfigMap}\n"
        f"  patch: |\n    - {{op: add, path: /data/b, value: hit}}\n{later}{_REPLACED}",
    }
    assert outcome(tmp_path, files) == "exact"


_ADDED = "- target: {kind: ConfigMap}\n  patch: |\n    - {op: add, path: /data/z, value: q}\n"


@pytest.mark.parametrize("annotations", ["'x'", "5", "''", "[]", "null", "[a]", "[{a: b}]"])
@pytest.mark.parametrize(
    "kustomization",
    ["", "namePrefix: p-\n", "namespace: n1\n", "commonAnnotations: {c: d}\n", f"patches:\n{_ADDED}"],
)
def test_annotations_that_are_no_map_as_kustomize_reads_them(
    tmp_path: Path, annotations: str, kustomization: str
) -> None:
    """kustomize reads a word or an empty list as no annotations, and writes none back (kubectl
    prints no ``annotations``: nothing for the schema to refuse); a list of anything fails it."""
    from conftest import run_cli

    cm = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations: {annotations}\ndata: {{a: b}}\n"
    files = {"cm.yaml": cm, "kustomization.yaml": f"resources: [cm.yaml]\n{kustomization}"}
    # (an annotation transformer refuses to walk into what is not a map)
    listed = annotations.startswith("[") and annotations != "[]"
    refused = listed or "commonAnnotations" in kustomization and annotations != "null"
    assert outcome(tmp_path, files) == ("refused" if refused else "exact")
    findings = run_cli("--format", "json", str(tmp_path)).json["findings"]
    errors = [f["rule"] for f in findings if f["severity"] == "error"]
    assert ("kustomize-invalid" in errors) if refused else errors == []


@pytest.mark.parametrize(
    "value",
    [
        "!!int 0x10",
        "!!float 1",
        "!!float -0",
        "!!bool true",
        "!!timestamp 2001-12-14",
        "!!float '1e6'",
        "!!binary bGl2ZQ==",
    ],
)
@pytest.mark.parametrize("through", ["a List's item", "a JSON patch"])
def test_a_tagged_value_through_json_is_the_text_json_leaves(tmp_path: Path, value: str, through: str) -> None:
    """A value tagged as a number, boolean or timestamp goes through JSON as its tag reads it
    (``!!int 0x10`` is ``16``, ``!!binary`` the text it decodes to): a name and a replaced value
    are that text from then on."""
    name = "b" if "binary" in value else value
    cm = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata: {{a: {value}}}\n"
    if through == "a List's item":
        text = "apiVersion: v1\nkind: ConfigMapList\nitems:\n- " + cm.replace("\n", "\n  ").rstrip() + "\n"
        kustomization = f"resources: [o.yaml]\nnamePrefix: p-\n{_REPLACED}"
    else:
        text = cm
        kustomization = f"resources: [o.yaml]\nnamePrefix: p-\n{_REPLACED}patches:\n{_ADDED}"
    assert outcome(tmp_path, {"o.yaml": text, "kustomization.yaml": kustomization}) == "exact"


_NAMED = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n  k: v\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # files with a byte-order mark each, joined at `---` lines: a mark starts each piece kustomize
        # (and kubectl) reads on its own, where it is no text
        (_NAMED % "a" + "---\n\ufeff" + _NAMED % "b", "exact"),
        (_NAMED % "a" + "---  \n\ufeff" + _NAMED % "b" + "---\n\ufeff" + _NAMED % "c", "exact"),
        ((_NAMED % "a" + "---\n\ufeff" + _NAMED % "b").replace("\n", "\r\n"), "exact"),
        (_NAMED % "a" + "---\n\ufeff\ufeff" + _NAMED % "b", "refused"),  # a second one is text
    ],
)
def test_a_byte_order_mark_starting_a_document_as_kubectl_reads_it(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "cm.yaml").write_bytes(text.encode())
    assert outcome(tmp_path, {"kustomization.yaml": "resources: [cm.yaml]\n"}) == expected
