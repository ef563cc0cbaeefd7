"""How kustomize reads `resources`, against `kubectl kustomize`: Lists expanded, empty documents,
duplicates refused, the same name in two namespaces, a directory without a kustomization, a
file listed twice, nested kustomizations and their order."""

from __future__ import annotations

from pathlib import Path

import pytest
from kubectl_parity import outcome, render_both

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
