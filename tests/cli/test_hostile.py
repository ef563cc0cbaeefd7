"""Hostile and broken input through the CLI: a clear finding, the rest still linted, no traceback."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, PLAIN_CM, CliResult, app_tree, run_cli, run_process

CASES = sorted(p for p in (FIXTURES / "hostile").iterdir() if p.is_dir())


def _tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            h.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return h.hexdigest()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(case: Path, tmp_path: Path) -> None:
    expected = json.loads((case / "expected.json").read_text())
    shutil.copytree(case, tmp_path / "repo", ignore=shutil.ignore_patterns("expected.json"))
    repo = tmp_path / "repo"
    (repo / ".git").mkdir()  # the repository boundary
    before = _tree_digest(repo)
    result = run_cli("--format", "json", ".", cwd=repo, timeout=60)
    assert result.stderr == ""
    assert result.code == expected["exit"]
    got = [(f["rule"], f["file"], f["line"], f["message"]) for f in result.json["findings"]]
    for want in expected["findings"]:
        match = [g for g in got if g[:3] == (want["rule"], want["file"], want["line"]) and want["message"] in g[3]]
        assert match, f"{want} not in {got}"
    assert len(got) == len(expected["findings"]), got
    assert _tree_digest(repo) == before  # the linter never writes to the linted tree


def test_symlinks_out_of_root_and_loops(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {p: x}\n")
    repo = tmp_path / "repo"
    (repo / "apps").mkdir(parents=True)
    (repo / ".git").mkdir()
    (repo / "apps" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    os.symlink(outside / "secret.yaml", repo / "apps" / "leak.yaml")
    os.symlink(repo / "apps", repo / "apps" / "loop")
    os.symlink(repo / "missing.yaml", repo / "apps" / "dangling.yaml")
    result = run_cli("--format", "json", ".", cwd=repo, timeout=60)
    got = sorted((f["rule"], f["file"]) for f in result.json["findings"])
    assert got == [("file-unreadable", "apps/dangling.yaml"), ("manifest-outside-root", "apps/leak.yaml")]
    assert result.code == 1  # Argo CD would apply the manifest the link leads to: it blocks
    assert result.json["summary"]["resources"] == 1


def test_a_link_out_of_the_tree_blocks_only_when_named_like_a_manifest(tmp_path: Path) -> None:
    """A manifest a link leads to elsewhere in the repository is applied by Argo CD (it follows
    links within the repository) but not read by a lint of the application's tree: blocking. A
    README or a script linked from elsewhere is nothing Argo CD applies: a warning."""
    repo = tmp_path / "repo"
    (repo / "apps" / "common").mkdir(parents=True)
    (repo / "apps" / "torghut").mkdir()
    (repo / ".git").mkdir()
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flags}\ndata: {TRADING_LIVE_ENABLED: 'true'}\n"
    (repo / "apps" / "common" / "flags.yaml").write_text(cm)
    (repo / "apps" / "common" / "README.md").write_text("notes\n")
    os.symlink("../common/README.md", repo / "apps" / "torghut" / "README.md")
    result = run_cli("--format", "json", "apps/torghut", cwd=repo, timeout=60)
    assert [(f["rule"], f["severity"]) for f in result.json["findings"]] == [("file-outside-root", "warning")]
    assert result.code == 0
    os.symlink("../common/flags.yaml", repo / "apps" / "torghut" / "flags.yaml")
    result = run_cli("--format", "json", "apps/torghut", cwd=repo, timeout=60)
    got = sorted((f["rule"], f["file"]) for f in result.json["findings"])
    assert got == [
        ("file-outside-root", "apps/torghut/README.md"),
        ("manifest-outside-root", "apps/torghut/flags.yaml"),
    ]
    assert result.code == 1


def test_argo_cd_source_overrides_in_the_tree_block_and_are_no_orphans(tmp_path: Path) -> None:
    """Argo CD merges .argocd-source.yaml and .argocd-source-<app>.yaml of the application's path
    into its source before rendering (a patch switching live trading on, more replicas): the lint
    cannot see their effect, so each that sets something blocks, where it was an orphan warning
    ("Argo CD never applies it"). Other names are what they were."""
    repo, app = app_tree(tmp_path)
    (app / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (app / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flags}\ndata: {a: b}\n")
    patch = "- {op: add, path: /data/TRADING_LIVE_ENABLED, value: 'true'}"
    (app / ".argocd-source.yaml").write_text(
        f'kustomize:\n  patches:\n    - target: {{kind: ConfigMap}}\n      patch: "{patch}"\n'
    )
    (app / ".argocd-source-torghut.yaml").write_text("kustomize:\n  replicas: [{name: torghut-ws, count: 3}]\n")
    (app / ".argocd-source-empty.yaml").write_text("{}\n")  # sets nothing
    (app / ".argocd-source.yml").write_text("kustomize: {namePrefix: x-}\n")  # a name Argo CD never reads
    result = run_cli("--no-schemas", "--format", "json", ".", cwd=repo, timeout=60)
    got = sorted((f["rule"], f["file"], f["line"], f["message"].split(" into ")[0]) for f in result.json["findings"])
    assert got == [
        ("argocd-source-override", "apps/torghut/.argocd-source-torghut.yaml", 1, "Argo CD merges kustomize.replicas"),
        ("argocd-source-override", "apps/torghut/.argocd-source.yaml", 1, "Argo CD merges kustomize.patches"),
        (
            "kustomize-orphan",
            "apps/torghut/.argocd-source.yml",
            1,
            "no kustomization includes this file (nearest: apps/torghut/kustomization.yaml); Argo CD never applies it",
        ),
    ]
    assert result.code == 1


def test_argo_cd_applications_that_render_a_path_of_the_repository_their_own_way(tmp_path: Path) -> None:
    """An Application (or an ApplicationSet's template or list element) that gives kustomize
    parameters or a plugin for a path of this repository: Argo CD renders that path differently
    from the directory the lint checks; so does another kustomize (``kustomize.version``: the
    binary argocd-cm registers under that name, not the one the renderer is proven against).
    torghut-lint's own plugin and paths of other repositories change nothing here."""
    repo = tmp_path / "repo"
    (repo / "apps" / "torghut").mkdir(parents=True)
    (repo / ".git").mkdir()
    (repo / "apps" / "torghut" / "kustomization.yaml").write_text("resources: []\n")

    def app(name: str, source: str) -> str:
        return f"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: {name}}}\nspec:\n{source}"

    docs = [
        app(
            "patched",
            "  source:\n    path: apps/torghut\n    kustomize:\n      replicas: [{name: torghut-ws, count: 3}]\n",
        ),
        app("other-plugin", "  sources:\n    - path: apps/torghut\n      plugin: {name: lovely}\n"),
        app("own-plugin", "  source:\n    path: apps/torghut\n    plugin: {name: torghut-lint}\n"),
        app("tool-only", "  source:\n    path: apps/torghut\n    kustomize: {version: v5.4.3}\n"),
        app("elsewhere", "  source:\n    path: deploy/overlays/prod\n    kustomize: {namePrefix: x-}\n"),
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: set}\nspec:\n"
        "  generators:\n    - matrix:\n        generators:\n          - list:\n              elements:\n"
        "                - {name: torghut, path: apps/torghut, kustomize: {images: [x=y:1]}}\n"
        "  template:\n    metadata: {name: '{{name}}'}\n    spec:\n      source:\n        path: apps/torghut\n"
        "        kustomize: {namePrefix: t-}\n",
    ]
    (repo / "argocd").mkdir()
    (repo / "argocd" / "apps.yaml").write_text("---\n".join(docs))
    result = run_cli("--no-schemas", "--format", "json", "argocd", cwd=repo, timeout=60)
    text = (repo / "argocd" / "apps.yaml").read_text().splitlines()
    got = sorted((text[f["line"] - 1].strip(), f["message"].split(" renders")[0]) for f in result.json["findings"])
    assert got == [
        ("- {name: torghut, path: apps/torghut, kustomize: {images: [x=y:1]}}", "an element of ApplicationSet set"),
        ("kustomize:", "Application patched"),
        ("kustomize: {namePrefix: t-}", "ApplicationSet set"),
        ("kustomize: {version: v5.4.3}", "Application tool-only"),
        ("plugin: {name: lovely}", "Application other-plugin"),
    ]
    assert all(f["rule"] == "argocd-source-override" for f in result.json["findings"])
    assert result.code == 1


def test_an_application_may_only_make_the_plugins_check_stricter(tmp_path: Path) -> None:
    """The Application is a manifest a pull request edits: plugin env TORGHUT_LINT_ARGS with a lax
    config, policies of its own, an abbreviation argparse would take for --config, or a lower bar
    would weaken the check at sync (the plugin refuses to render it); --fail-on and -v are fine.
    The message names flags, never the values the tree wrote."""
    (tmp_path / ".git").mkdir()

    def app(name: str, args: str) -> str:
        return (
            f"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: {name}}}\nspec:\n  source:\n"
            "    path: elsewhere\n    plugin:\n      name: torghut-lint\n      env:\n"
            f"        - {{name: OTHER, value: '--config x'}}\n        - {{name: TORGHUT_LINT_ARGS, value: '{args}'}}\n"
        )

    docs = [
        app("lax", "--config lax-secret-name.yaml"),
        app("abbreviated", "--conf lax.yaml -v"),
        app("policies", "--fail-on warning --policies=/tmp/none"),
        app("lower", "--fail-on never"),
        app("stricter", "--fail-on warning -v"),
    ]
    (tmp_path / "apps.yaml").write_text("---\n".join(docs))
    result = run_cli("--no-schemas", "--format", "json", ".", cwd=tmp_path, timeout=60)
    got = [(f["line"], f["message"].split(" renders")[0], f["message"].split("given ")[1].split(" in its env")[0])
           for f in result.json["findings"]]  # fmt: skip
    assert got == [
        (11, "Application lax", "--config, an argument that is not a flag"),
        (23, "Application abbreviated", "--conf, an argument that is not a flag"),
        (35, "Application policies", "--policies"),
        (47, "Application lower", "--fail-on with a level other than error, info, warning"),
    ]
    assert "lax-secret-name" not in result.stdout and {f["rule"] for f in result.json["findings"]} == {
        "argocd-source-override"
    }


def test_what_argo_cds_checkout_has_and_this_one_lacks_blocks(tmp_path: Path) -> None:
    """Argo CD checks out submodules and Git LFS content; a CI checkout without them shows an empty
    directory and a pointer file. Neither is a pass."""
    (tmp_path / ".git").mkdir()
    app = tmp_path / "apps" / "torghut"
    (app / "vendor").mkdir(parents=True)
    (tmp_path / ".gitmodules").write_text('[submodule "v"]\n\tpath = apps/torghut/vendor\n\turl = ../v.git\n')
    (app / "deploy.yaml").write_text(
        "version https://git-lfs.github.com/spec/v1\noid sha256:" + "4" * 64 + "\nsize 2048\n"
    )
    result = run_cli("--no-schemas", "--format", "json", "apps/torghut", cwd=tmp_path, timeout=60)
    got = [(f["rule"], f["file"], f["line"], f["message"][:32]) for f in result.json["findings"]]
    assert sorted(got) == [
        ("file-unreadable", "apps/torghut/deploy.yaml", 0, "cannot read file: a Git LFS poin"),
        ("submodule-not-checked-out", ".gitmodules", 2, "the submodule at apps/torghut/ve"),
    ]
    assert result.code == 1


LFS_POINTER_TEXT = "version https://git-lfs.github.com/spec/v1\noid sha256:" + "4" * 64 + "\nsize 2048\n"


def test_a_git_lfs_pointer_is_no_content_whatever_reads_it(tmp_path: Path) -> None:
    """A file stored in Git LFS is a pointer in a checkout without LFS; Argo CD (LFS enabled) reads
    the content. Only a manifest was told apart: a generator's env file or file (the ConfigMap the
    service reads switching live trading on), an .env read for credentials, a patch or a
    kustomization passed as empty or with a misleading message. Each is the same finding, naming
    the file and why."""
    repo, app = app_tree(tmp_path)
    (app / "kustomization.yaml").write_text(
        "resources: [cm.yaml]\npatches: [{path: patch.yaml}]\nconfigMapGenerator:\n"
        "  - {name: trading, envs: [trading.env]}\n  - {name: catalog, files: [catalog.yaml]}\n"
    )
    (app / "cm.yaml").write_text(PLAIN_CM)
    for name in ("patch.yaml", "trading.env", "catalog.yaml", ".env"):
        (app / name).write_text(LFS_POINTER_TEXT)
    (repo / "apps" / "other").mkdir()
    (repo / "apps" / "other" / "kustomization.yaml").write_text(LFS_POINTER_TEXT)
    result = run_cli("--no-schemas", "--format", "json", ".", cwd=repo, timeout=60)
    lfs = sorted((f["rule"], f["file"]) for f in result.json["findings"] if "Git LFS pointer" in f["message"])
    assert lfs == [
        ("file-unreadable", "apps/other/kustomization.yaml"),
        ("file-unreadable", "apps/torghut/.env"),
        ("file-unreadable", "apps/torghut/catalog.yaml"),  # a YAML file, parsed as every one is
        ("file-unreadable", "apps/torghut/kustomization.yaml"),  # its envs entry, at its line
        ("file-unreadable", "apps/torghut/kustomization.yaml"),  # its files entry
        ("file-unreadable", "apps/torghut/patch.yaml"),
    ], result.json["findings"]
    assert not [f for f in result.json["findings"] if "empty" in f["message"]], result.json["findings"]
    assert result.code == 1


def test_jsonnet_argo_cd_evaluates_is_not_a_pass(tmp_path: Path) -> None:
    """A directory application's .jsonnet is evaluated by Argo CD and its output applied; under a
    kustomization (kustomize reads no Jsonnet) or in a Helm chart it is not."""
    (tmp_path / ".git").mkdir()
    jsonnet = '{apiVersion: "v1", kind: "ConfigMap", metadata: {name: "x"}, data: {TRADING_LIVE_ENABLED: "true"}}\n'
    for rel in ("apps/plain/live.jsonnet", "apps/kust/live.jsonnet", "apps/chart/templates/live.jsonnet"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(jsonnet)
    (tmp_path / "apps/kust/kustomization.yaml").write_text("resources: []\n")
    (tmp_path / "apps/chart/Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    result = run_cli("--no-schemas", "--format", "json", "apps", cwd=tmp_path, timeout=60)
    got = [(f["rule"], f["file"]) for f in result.json["findings"] if f["rule"] != "kustomize-helm-not-rendered"]
    assert got == [("jsonnet-not-rendered", "apps/plain/live.jsonnet")]
    assert result.code == 1


def test_oversized_file_and_long_line(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    doc = b"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 1\n"
    with big.open("wb") as out:
        for _ in range(50 * 1024 * 1024 // len(doc) + 1):
            out.write(doc)
    (tmp_path / "long.yaml").write_bytes(
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: long\ndata:\n  blob: " + b"x" * 5_000_000 + b"\n"
    )
    result = run_cli("--format", "json", ".", cwd=tmp_path, timeout=120)
    got = [(f["rule"], f["file"]) for f in result.json["findings"]]
    assert got == [("yaml-too-large", "big.yaml")]
    assert result.json["summary"]["resources"] == 1 and result.code == 1


def test_unreadable_and_vanishing_files_are_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from torghut_lint.config import Config
    from torghut_lint.lint import run

    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    (tmp_path / "b.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n")
    real, real_open = Path.read_bytes, os.open

    def refuse(name: str) -> None:
        if name.endswith("a.yaml"):
            raise PermissionError(13, "Permission denied")
        if name.endswith("b.yaml"):
            raise FileNotFoundError(2, "No such file or directory")

    def flaky(self: Path) -> bytes:
        refuse(self.name)
        return real(self)

    def flaky_open(path: Any, *args: Any, **kwargs: Any) -> int:
        refuse(os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(Path, "read_bytes", flaky)  # the plan's survey
    monkeypatch.setattr(os, "open", flaky_open)  # the parse
    result = run([tmp_path], [], Config())
    assert sorted((f.rule, f.message) for f in result.findings) == [
        ("file-unreadable", "cannot read file: No such file or directory"),
        ("file-unreadable", "cannot read file: Permission denied"),
    ]


def test_unreadable_directory_is_a_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import torghut_lint.discover as discover_module
    from torghut_lint.config import Config
    from torghut_lint.lint import run

    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "a.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    (tmp_path / "b.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n")
    real_scandir = discover_module.os.scandir

    def scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(discover_module.os, "scandir", scandir)
    report = run([tmp_path], [], Config())
    assert [(f.rule, f.location.file.endswith("locked"), f.message) for f in report.findings] == [
        ("file-unreadable", True, "cannot read: Permission denied")
    ]
    assert report.summary.resources == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_reported_not_waited_on(tmp_path: Path) -> None:
    """A FIFO called *.yaml would block a read forever (the linter used to hang on one)."""
    (tmp_path / "app").mkdir()
    os.mkfifo(tmp_path / "app" / "x.yaml")
    (tmp_path / "app" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")
    result = run_cli("--format", "json", "--no-schemas", "app", cwd=tmp_path, timeout=30)
    assert [(f["rule"], f["file"], f["message"]) for f in result.json["findings"]] == [
        ("file-unreadable", "app/x.yaml", "cannot read file: not a regular file")
    ]
    assert result.code == 1


def test_an_applications_plugin_arguments_are_bounded_before_they_are_split(tmp_path: Path) -> None:
    """shlex takes quadratic time over one long quoted word (8 MB of it took minutes): past a few
    flags' length, the value is refused unsplit."""
    (tmp_path / ".git").mkdir()
    value = '"' + "a" * 5_000 + '"'  # the bound, not the time, is what is tested
    (tmp_path / "app.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n  source:\n"
        "    path: x\n    plugin:\n      name: torghut-lint\n      env:\n        - name: TORGHUT_LINT_ARGS\n"
        f"          value: '{value}'\n"
    )
    result = run_cli("--no-schemas", "--format", "json", ".", cwd=tmp_path, timeout=60)
    assert [f["message"].split("given ")[1][:45] for f in result.json["findings"]] == [
        "an argument list longer than 4,096 characters"
    ]


TEMPLATE_PATCHES = {
    # the lab tree's pattern: every branch of the template is read, the plugin is in one of them
    "lovely": '{{- $useLovely := or (not (hasKey . "renderWithLovely")) .renderWithLovely -}}\n'
    "spec:\n{{- if $useLovely }}\n  source:\n    plugin:\n      name: lovely\n{{- end }}\n",
    "lovely-tuned": "spec:\n  source:\n    plugin:\n      name: lovely\n      env:\n"
    "        - {name: LOVELY_KUSTOMIZE_PATCH, value: '{{ .patch }}'}\n",
    "kustomize": "spec:\n  source:\n    kustomize:\n      patches: {{ toJson .patches }}\n",
    "source-from-parameters": "spec:\n  source: {{ .source | toJson }}\n",
    "unreadable": "spec:\n  source: [\n",
    "sync-only": "{{- if .auto }}\nspec:\n  syncPolicy:\n    automated: {prune: true}\n{{- end }}\n",
    "own-plugin-stricter": "spec:\n  source:\n    plugin:\n      name: torghut-lint\n"
    "      env: [{name: TORGHUT_LINT_ARGS, value: --fail-on warning}]\n",
    "own-plugin-lax": "spec:\n  source:\n    plugin:\n      name: torghut-lint\n"
    "      env: [{name: TORGHUT_LINT_ARGS, value: '{{ .args }}'}]\n",
}


@pytest.mark.parametrize(
    ("patch", "found", "configured"),
    [
        ("lovely", True, False),
        ("lovely", False, True),  # named in argocd.kustomizePlugins: it renders as kustomize build
        ("lovely-tuned", True, True),  # its env can patch what it renders
        ("kustomize", True, False),
        ("source-from-parameters", True, False),
        ("unreadable", True, False),
        ("sync-only", False, False),
        ("own-plugin-stricter", False, False),
        ("own-plugin-lax", True, False),
    ],
)
def test_an_application_sets_template_patch_is_read_for_what_it_sets_on_the_sources(
    tmp_path: Path, patch: str, found: bool, configured: bool
) -> None:
    """Argo CD renders templatePatch with each element's parameters and merges it into the
    template (the lab tree switches its product applications to the lovely plugin this way): a
    plugin or kustomize parameters set in any branch, a source the parameters write, or a patch
    that cannot be read blocks, at the line that sets it."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "apps" / "torghut").mkdir(parents=True)
    (tmp_path / "apps" / "torghut" / "kustomization.yaml").write_text("resources: []\n")
    if configured:
        (tmp_path / ".torghut-lint.yaml").write_text("argocd:\n  kustomizePlugins: [lovely]\n")
    text = TEMPLATE_PATCHES[patch]
    (tmp_path / "argocd").mkdir()
    (tmp_path / "argocd" / "set.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: product}\nspec:\n"
        "  goTemplate: true\n  generators:\n    - list:\n        elements:\n"
        "          - {name: torghut, path: apps/torghut}\n"
        "  template:\n    metadata: {name: '{{ .name }}'}\n    spec:\n      source: {path: '{{ .path }}'}\n"
        "  templatePatch: |\n" + "".join(f"    {line}\n" for line in text.splitlines())
    )
    result = run_cli("--no-schemas", "--format", "json", "argocd", cwd=tmp_path, timeout=60)
    got = [(f["rule"], f["line"]) for f in result.json["findings"]]
    if not found:
        assert got == [] and result.code == 0, result.json["findings"]
        return
    assert [rule for rule, _ in got] == ["argocd-source-override"] and result.code == 1
    lines = (tmp_path / "argocd" / "set.yaml").read_text().splitlines()
    where = lines[got[0][1] - 1].strip()
    assert where.startswith(("plugin:", "kustomize:", "spec:")), where  # what sets it, or the patch


def test_odd_shapes_in_sources_volumes_and_mounts_are_no_crash(tmp_path: Path) -> None:
    """Found by generating hostile trees: an Application source path too long for the filesystem
    (exit 3 where it is asked whether the repository holds it), a volume mount named by a mapping
    (unhashable where volumes are looked up), ``volumes: true`` (not a list). Each ends as a lint:
    nothing "could not be evaluated"."""
    (tmp_path / ".git").mkdir()
    app = tmp_path / "torghut"
    app.mkdir()
    (app / "app.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n"
        f"  source: {{repoURL: x, path: {'a' * 300}, targetRevision: main}}\n"
    )
    (app / "ws.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: torghut-ws, namespace: torghut}\nspec:\n"
        "  replicas: 1\n  strategy: {type: Recreate}\n  template:\n    spec:\n      volumes: true\n      containers:\n"
        "        - name: c\n          image: registry/lab/torghut-ws:v1\n"
        "          env: [{name: TRADING_ENABLED, value: 'true'}]\n"
        "          volumeMounts: [{name: {a: null}, mountPath: /app/.env}]\n"
        "          readinessProbe: {httpGet: {path: /readyz, port: 8080}}\n          ports: [{containerPort: 8080}]\n"
    )
    result = run_cli("--no-schemas", "--format", "json", ".", cwd=tmp_path, timeout=60)
    assert result.code in (0, 1) and result.stderr == "", result.stderr
    assert not [f for f in result.json["findings"] if "could not be evaluated" in f["message"]], result.json


@pytest.mark.parametrize(
    "pod",
    [
        "containers: [{name: c, image: registry/lab/torghut-ws:v1, env: 1, envFrom: x, ports: 7}]",
        "containers: [{name: c, image: registry/lab/torghut-ws:v1, volumeMounts: {a: 1}}]",
        "containers: [[1], {name: c, image: registry/lab/torghut-ws:v1}]\n      initContainers: x",
        "containers: x\n      initContainers: [{name: i, image: registry/lab/torghut:v1, env: true}]",
    ],
)
def test_odd_shapes_in_containers_are_no_crash(tmp_path: Path, pod: str) -> None:
    """Found by generating hostile trees: ``env: 1``, ``containers: x``, a container that is a list,
    ``volumeMounts`` a mapping made five templates (env, duplicates, owners, switches, storage)
    fail to evaluate. A field of the wrong shape is the schema's finding; the rules read past it."""
    (tmp_path / ".git").mkdir()
    app = tmp_path / "torghut"
    app.mkdir()
    (app / "ws.yaml").write_text(
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: torghut-ws, namespace: torghut}\nspec:\n"
        "  replicas: 1\n"
        "  volumeClaimTemplates: [{metadata: {name: a}, spec: {resources: {requests: {storage: 1Gi}}}}]\n"
        f"  template:\n    spec:\n      {pod}\n"
    )
    result = run_cli("--no-schemas", "--format", "json", ".", cwd=tmp_path, timeout=60)
    assert result.code in (0, 1) and result.stderr == "", result.stderr
    assert not [f for f in result.json["findings"] if "could not be evaluated" in f["message"]], result.json


@pytest.mark.parametrize(
    ("plugin", "found"), [("{name: lovely}", False), ("{name: lovely, env: [{name: X, value: y}]}", True)]
)
def test_a_plugin_the_configuration_names_as_kustomize_alike_is_no_override(
    tmp_path: Path, plugin: str, found: bool
) -> None:
    """``argocd.kustomizePlugins`` holds for an Application's own source as for a templatePatch:
    the plugin renders the path as kustomize does, unless env or parameters could change that."""
    repo, app = app_tree(tmp_path)
    (app / "kustomization.yaml").write_text("resources: []\n")
    (repo / ".torghut-lint.yaml").write_text("argocd:\n  kustomizePlugins: [lovely]\n")
    (repo / "app.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: t}\nspec:\n"
        f"  source: {{path: apps/torghut, plugin: {plugin}}}\n"
    )
    result = run_cli("--no-schemas", "--format", "json", ".", cwd=repo, timeout=60)
    assert [f["rule"] for f in result.json["findings"]] == (["argocd-source-override"] if found else [])


@pytest.mark.parametrize(
    ("where", "version", "found"),
    [
        ("source", "v5.4.3", False),  # named in argocd.kustomizeVersions
        ("source", "v3.9.4", True),
        ("source", "'5.4.3'", True),  # Argo CD looks the name up as written
        ("source", "'{{version}}'", True),  # an element decides
        ("patch", "v5.4.3", False),
        ("patch", "v3.9.4", True),
        ("patch", "'{{ .version }}'", True),
    ],
)
def test_another_kustomize_version_renders_otherwise_unless_the_configuration_names_it(
    tmp_path: Path, where: str, version: str, found: bool
) -> None:
    """``kustomize.version`` makes Argo CD build the path with the binary argocd-cm registers as
    ``kustomize.path.<version>``: kustomize 3 or 4 renders some kustomizations otherwise than the
    one the built-in renderer is proven against (and a pull request picks the version). Blocking
    unless ``argocd.kustomizeVersions`` names it, in an Application's source as in a templatePatch."""
    repo, app = app_tree(tmp_path)
    (app / "kustomization.yaml").write_text("resources: []\n")
    (repo / ".torghut-lint.yaml").write_text("argocd:\n  kustomizeVersions: [v5.4.3]\n")
    if where == "source":
        body = f"  source: {{path: apps/torghut, kustomize: {{version: {version}}}}}\n"
        kind = "Application"
    else:
        body = (
            "  goTemplate: true\n  generators: [{list: {elements: [{path: apps/torghut}]}}]\n"
            "  template: {metadata: {name: t}, spec: {source: {path: '{{ .path }}'}}}\n"
            f"  templatePatch: |\n    spec:\n      source:\n        kustomize: {{version: {version}}}\n"
        )
        kind = "ApplicationSet"
    (repo / "app.yaml").write_text(
        f"apiVersion: argoproj.io/v1alpha1\nkind: {kind}\nmetadata: {{name: t}}\nspec:\n{body}"
    )
    result = run_cli("--no-schemas", "--format", "json", ".", cwd=repo, timeout=60)
    got = [(f["rule"], f["line"]) for f in result.json["findings"]]
    if not found:
        assert got == [] and result.code == 0, result.json["findings"]
        return
    assert [rule for rule, _ in got] == ["argocd-source-override"] and result.code == 1, got
    assert "kustomize" in (repo / "app.yaml").read_text().splitlines()[got[0][1] - 1]
    assert "argocd.kustomizeVersions" in result.json["findings"][0]["message"]


@pytest.mark.parametrize("directive", ["replace", "delete"])
def test_a_metadata_directive_keeps_the_patched_objects_name(repo: Path, directive: str) -> None:
    """kustomize puts an object's name and namespace back after a strategic merge; the built-in
    renderer let ``metadata: {$patch: replace}`` take them away, and the websocket's finding
    named a Deployment without a name (what waivers, baselines and reports know it by)."""
    ws = repo / "argocd/applications/torghut/ws"
    patch = f"metadata: {{name: torghut-ws, $patch: {directive}}}\nspec: {{replicas: 3}}\n"
    (ws / "scale.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\n" + patch)
    with (ws / "kustomization.yaml").open("a") as out:
        out.write("patches:\n  - path: scale.yaml\n")
    result = run_cli("--format", "json", "argocd/applications/torghut", cwd=repo)
    assert result.code == 1, result.stderr
    [finding] = [f for f in result.json["findings"] if f["rule"] == "ws-single-replica"]
    assert (finding["file"], finding["line"]) == ("argocd/applications/torghut/ws/scale.yaml", 4)
    assert finding["resource"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "namespace": "torghut",
        "name": "torghut-ws",
    }


KEPT_LIVE = {  # an Application or ApplicationSet of the tree syncing with RespectIgnoreDifferences
    "application": (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: torghut, namespace: argocd}\n"
        "spec:\n  project: default\n"
        "  source: {repoURL: https://github.com/example/lab, path: argocd/applications/torghut}\n"
        "  destination: {server: https://kubernetes.default.svc, namespace: torghut}\n"
        "  ignoreDifferences: [{group: apps, kind: Deployment, name: torghut-ws, jsonPointers: [/spec/replicas]}]\n"
        "  syncPolicy:\n    syncOptions: [CreateNamespace=true, RespectIgnoreDifferences=true]\n",
        10,
    ),
    "templatePatch": (
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: product}\nspec:\n"
        "  generators: [{list: {elements: [{name: torghut, path: argocd/applications/torghut}]}}]\n"
        "  template:\n    metadata: {name: '{{name}}'}\n    spec:\n      project: default\n"
        "      source: {repoURL: https://github.com/example/lab, path: '{{path}}'}\n"
        "      destination: {server: https://kubernetes.default.svc, namespace: '{{name}}'}\n"
        "  templatePatch: |\n    spec:\n"
        "      ignoreDifferences: [{group: apps, kind: Deployment, jsonPointers: [/spec/replicas]}]\n"
        "      syncPolicy:\n        syncOptions: [RespectIgnoreDifferences=true]\n",
        16,
    ),
}


@pytest.mark.parametrize("case", sorted(KEPT_LIVE))
def test_an_application_that_keeps_live_values_is_reported(repo: Path, case: str) -> None:
    """What ignoreDifferences lists under RespectIgnoreDifferences stays as the cluster has it
    (the websocket's replicas, scaled by hand), which the linter cannot see."""
    text, line = KEPT_LIVE[case]
    (repo / "argocd/apps").mkdir()
    (repo / "argocd/apps/app.yaml").write_text(text)
    (repo / ".git").mkdir(exist_ok=True)
    result = run_cli("--no-schemas", "--format", "json", "argocd", cwd=repo)
    got = [(f["rule"], f["file"], f["line"]) for f in result.json["findings"]]
    assert got == [("argocd-source-override", "argocd/apps/app.yaml", line)], got
    assert result.code == 1


def test_a_key_repeated_a_hundred_thousand_times_answers_in_seconds(tmp_path: Path) -> None:
    """700 kB of one repeated key: each repeat used to look for its original among every key before
    it (minutes); in a process of its own, so the timeout fails a hang."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".git").mkdir()
    (repo / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n" + "  a: b\n" * 100_000
    )
    result = run_process("--no-schemas", "--format", "json", ".", cwd=repo, timeout=60)
    assert result.code == 1
    assert {f["rule"] for f in result.json["findings"]} == {"yaml-duplicate-key"}
    assert len(result.json["findings"]) == 101


@pytest.mark.parametrize(
    ("names", "found"),
    [
        (["kustomization.yaml", "Chart.yaml"], None),  # "Chart.yaml" comes first: kustomize's
        (["kustomization.yaml", "values-Chart.yaml"], "values-Chart.yaml"),
        (["kustomization.yaml", "Chart.yaml", "zChart.yaml"], "zChart.yaml"),
        (["Kustomization", "LChart.yaml"], "LChart.yaml"),  # byte order: L after K
        (["Kustomization", "AChart.yaml"], None),
        (["kustomization.yaml", "zChart.yaml@link"], "zChart.yaml"),  # a link to a directory: a file to Walk
        (["kustomization.yaml", "zChart.yaml/"], None),  # a directory
        (["kustomization.yaml", "sub/zChart.yaml"], None),  # another directory's type
    ],
)
def test_a_file_that_makes_argo_cd_detect_a_helm_chart_in_a_kustomization_directory(
    tmp_path: Path, names: list[str], found: str | None
) -> None:
    """Argo CD detects a path's source type by walking its files in byte order: a name ending in
    ``Chart.yaml`` makes it Helm, a kustomization file kustomize, the last one seen deciding. A
    ``values-Chart.yaml`` (or a link named ``zChart.yaml``) beside ``kustomization.yaml`` makes an
    Application without an explicit source type render the chart, not the kustomization the linter
    checks (only exactly ``Chart.yaml`` was known, and it always comes before a kustomization)."""
    repo, app = app_tree(tmp_path)
    (app / "cm.yaml").write_text(PLAIN_CM)
    for name in names:
        if name.endswith("/"):
            (app / name).mkdir()
        elif name.endswith("@link"):
            (app / "target").mkdir()
            (app / name.removesuffix("@link")).symlink_to("target")
        elif name in ("kustomization.yaml", "Kustomization"):
            (app / name).write_text("resources: [cm.yaml]\n")
        else:
            (app / name).parent.mkdir(exist_ok=True)
            (app / name).write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    result = run_cli("--no-schemas", "--format", "json", ".", cwd=repo, timeout=60)
    got = [(f["rule"], f["file"]) for f in result.json["findings"] if f["rule"] == "argocd-source-override"]
    if found is None:
        assert got == [], result.json["findings"]
        return
    assert got == [("argocd-source-override", f"apps/torghut/{found}")], result.json["findings"]
    assert result.code == 1 and "Helm" in result.json["findings"][0]["message"]


EXPLICIT_TYPES = {
    "directory": "  source: {path: apps/torghut, directory: {exclude: kustomization.yaml}}\n",
    "directory-empty": "  source: {path: apps/torghut, directory: {}}\n",
    "helm": "  source: {path: apps/torghut, helm: {releaseName: t}}\n",
    "directory-null": "  source: {path: apps/torghut, directory: null}\n",  # no type: Argo CD reads a nil pointer
    "plain-directory": "  source: {path: apps/plain, directory: {recurse: true}}\n",
    "chart": "  source: {repoURL: registry-1.docker.io/bitnamicharts, chart: spark, helm: {releaseName: s}}\n",
    "in-sources": "  sources:\n    - {path: apps/plain}\n    - {path: apps/torghut, directory: {recurse: true}}\n",
    # every file below applied as it is: a kustomization's base without its patches among them
    "recurse-above": "  source: {path: apps, directory: {recurse: true, exclude: '**/kustomization.yaml'}}\n",
    "above": "  source: {path: apps, directory: {exclude: x.yaml}}\n",  # (not recursing: its own files alone)
}


@pytest.mark.parametrize(
    ("case", "found"),
    [
        ("directory", True),
        ("directory-empty", True),
        ("helm", True),
        ("directory-null", False),
        ("plain-directory", False),
        ("chart", False),
        ("in-sources", True),
        ("recurse-above", True),
        ("above", False),
    ],
)
def test_an_explicit_source_type_that_renders_a_kustomization_otherwise(tmp_path: Path, case: str, found: bool) -> None:
    """``directory:`` (or ``helm:``) on a source makes its type explicit: Argo CD applies every
    manifest file of a path holding a kustomization as it is (a file no kustomization includes, which
    the lint calls an orphan Argo CD never applies, among them), or runs helm there, and never
    kustomize. A ConfigMap switching live trading on beside the kustomization passed with a warning."""
    repo, app = app_tree(tmp_path)
    (app / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (app / "cm.yaml").write_text(PLAIN_CM)
    (repo / "apps" / "plain").mkdir()
    (repo / "apps" / "plain" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\n")
    (repo / "argocd").mkdir()
    (repo / "argocd" / "app.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: t}\nspec:\n" + EXPLICIT_TYPES[case]
    )
    result = run_cli("--no-schemas", "--format", "json", ".", cwd=repo, timeout=60)
    got = [(f["rule"], f["file"], f["line"]) for f in result.json["findings"]]
    if not found:
        assert got == [] and result.code == 0, got
        return
    line = len(EXPLICIT_TYPES[case].splitlines()) + 4
    assert got == [("argocd-source-override", "argocd/app.yaml", line)], got
    assert "kustomization" in result.json["findings"][0]["message"] and result.code == 1


@pytest.mark.parametrize(
    ("template", "patch", "found"),
    [
        ("{path: '{{ .path }}', directory: {recurse: true}}", "", True),
        ("{path: '{{ .path }}'}", "spec:\n  source:\n    directory: {recurse: true}\n", True),
        ("{path: '{{ .path }}'}", "spec:\n  source:\n    helm: {releaseName: x}\n", True),
        ("{path: apps/plain, directory: {recurse: true}}", "", False),
    ],
)
def test_an_application_set_that_makes_the_source_type_explicit(
    tmp_path: Path, template: str, patch: str, found: bool
) -> None:
    """The same in an ApplicationSet's template or its templatePatch: a path the elements write
    that holds a kustomization (or one no element settles) is rendered as the type says."""
    repo, app = app_tree(tmp_path)
    (app / "kustomization.yaml").write_text("resources: []\n")
    (repo / "apps" / "plain").mkdir()
    (repo / "argocd").mkdir()
    text = (
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: s}\nspec:\n  goTemplate: true\n"
        "  generators: [{list: {elements: [{path: apps/torghut}]}}]\n"
        f"  template: {{metadata: {{name: t}}, spec: {{source: {template}}}}}\n"
    )
    if patch:
        text += "  templatePatch: |\n" + "".join(f"    {line}\n" for line in patch.splitlines())
    (repo / "argocd" / "set.yaml").write_text(text)
    result = run_cli("--no-schemas", "--format", "json", ".", cwd=repo, timeout=60)
    got = [f["rule"] for f in result.json["findings"]]
    assert got == (["argocd-source-override"] if found else []), result.json["findings"]


BASE_LIVE = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: torghut-trading-config\n"
    "  annotations: {torghut.proompteng.ai/live-trading-owner: x}\ndata:\n  TRADING_LIVE_ENABLED: 'true'\n"
)
OVERLAY_OFF = (
    "resources: [../base]\npatches:\n  - patch: |-\n      apiVersion: v1\n      kind: ConfigMap\n"
    "      metadata: {name: torghut-trading-config}\n      data: {TRADING_LIVE_ENABLED: 'false'}\n"
)


def _base_under_an_overlay(tmp_path: Path) -> None:
    """apps/torghut/base switching live trading on, apps/torghut/overlay switching it off over it."""
    app = tmp_path / "apps" / "torghut"
    (app / "base").mkdir(parents=True)
    (app / "overlay").mkdir()
    (app / "base" / "live.yaml").write_text(BASE_LIVE)
    (app / "base" / "kustomization.yaml").write_text("resources: [live.yaml]\n")
    (app / "overlay" / "kustomization.yaml").write_text(OVERLAY_OFF)


def _linted_with(tmp_path: Path, file: str, text: str, mode: bool | str) -> CliResult:
    """The repository at ``tmp_path`` linted with ``text`` written at ``file`` (an Application that
    deploys or reads something): as a tree holding it (``mode`` false); as the gate, a pull request
    adding it (true, linting apps/torghut); with ``--changed-since`` the base without it."""
    from test_gate import commit_base, commit_pr

    target = tmp_path / file
    target.parent.mkdir(parents=True, exist_ok=True)
    if not mode:
        (tmp_path / ".git").mkdir()
        target.write_text(text)
        return run_cli("--no-schemas", "--format", "json", ".", cwd=tmp_path)
    commit_base(tmp_path)
    target.write_text(text)
    commit_pr(tmp_path)
    how = (
        ("--changed-since", "main", ".") if mode == "--changed-since" else ("--trusted-config", "main", "apps/torghut")
    )
    return run_cli("--no-schemas", "--format", "json", *how, cwd=tmp_path)


@pytest.mark.parametrize("gate", [False, True, "--changed-since"])
def test_a_base_an_application_deploys_is_an_application_of_its_own(tmp_path: Path, gate: bool | str) -> None:
    """An overlay switches live trading off over its base; an Application that deploys the base
    itself renders it alone, live. Only kustomizations nothing includes were built as
    applications, so the base passed: linting the repository with the Application in it, and as
    the gate with a pull request adding the Application elsewhere. The Application's file is an
    input of the application it makes (a change adding it is in ``--changed-since``'s scope)."""
    _base_under_an_overlay(tmp_path)
    application = (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: torghut-base}\nspec:\n"
        "  destination: {namespace: torghut, server: https://kubernetes.default.svc}\n"
        "  source: {repoURL: https://example.com/lab.git, path: apps/torghut/base}\n"
    )
    result = _linted_with(tmp_path, "argocd/app.yaml", application, gate)
    got = sorted((f["rule"], f["file"], f["line"]) for f in result.json["findings"])
    assert ("live-trading-default-off", "apps/torghut/base/live.yaml", 7) in got, got
    assert result.code == 1
    # the overlay alone (no Application deploys its base) is what it was: live trading off
    (tmp_path / "argocd" / "app.yaml").unlink()
    alone = run_cli("--no-schemas", "--format", "json", "apps/torghut", cwd=tmp_path)
    assert alone.json["findings"] == [] and alone.code == 0, alone.json["findings"]


@pytest.mark.parametrize("listed", [False, True])
def test_a_directory_an_application_deploys_below_a_kustomization_is_a_directory_application(
    tmp_path: Path, listed: bool
) -> None:
    """Below a kustomization, a file none includes is an orphan Argo CD never applies, unless an
    Application deploys its directory: then Argo CD applies every manifest there as it is (a file
    the kustomization includes too, raw). The orphan warning let live trading on through."""
    (tmp_path / ".git").mkdir()
    app = tmp_path / "apps" / "torghut"
    (app / "extra").mkdir(parents=True)
    (app / "kustomization.yaml").write_text(
        "resources: [cm.yaml"
        + (", extra/live.yaml]\n" if listed else "]\n")
        + (OVERLAY_OFF.split("\n", 1)[1] if listed else "")
    )
    (app / "cm.yaml").write_text(PLAIN_CM)
    (app / "extra" / "live.yaml").write_text(BASE_LIVE)
    (tmp_path / "app.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: extra}\nspec:\n"
        "  source: {repoURL: https://example.com/lab.git, path: apps/torghut/extra}\n"
    )
    result = run_cli("--no-schemas", "--format", "json", ".", cwd=tmp_path)
    got = sorted((f["rule"], f["file"], f["line"]) for f in result.json["findings"])
    assert got == [("live-trading-default-off", "apps/torghut/extra/live.yaml", 7)], got
    assert result.code == 1


CHART_WITH_OUR_VALUES = (
    "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: raw}}\nspec:\n"
    "  destination: {{namespace: torghut, server: https://kubernetes.default.svc}}\n  sources:\n"
    "    - repoURL: https://charts.example.com\n      chart: raw\n      targetRevision: 2.0.0\n"
    "      helm:\n        valueFiles:\n          - $values/{file}\n"
    "    - {{repoURL: https://example.com/lab.git, targetRevision: main, ref: values}}\n"
)


CHART_SET_WITH_OUR_VALUES = (
    "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {{name: raws}}\nspec:\n  goTemplate: true\n"
    "  generators: [{{list: {{elements: [{{name: torghut}}]}}}}, {{clusters: {{}}}}]\n"
    "  template:\n    metadata: {{name: 'raw-{{{{ .name }}}}'}}\n    spec:\n"
    "      destination: {{namespace: torghut, server: https://kubernetes.default.svc}}\n      sources:\n"
    "        - repoURL: https://charts.example.com\n          chart: raw\n          targetRevision: 2.0.0\n"
    "          helm:\n            valueFiles:\n              - $values/{file}\n"
    "        - {{repoURL: https://example.com/lab.git, targetRevision: main, ref: values}}\n"
)


@pytest.mark.parametrize(
    ("mode", "file", "found", "kind"),
    [
        ("tree", "apps/torghut/values.yaml", True, "Application"),
        ("tree", "apps/elsewhere.yaml", False, "Application"),
        ("gate", "apps/torghut/values.yaml", True, "Application"),
        ("tree", "apps/torghut/values.yaml", True, "ApplicationSet"),
        ("gate", "apps/torghut/values.yaml", True, "ApplicationSet"),
        ("gate", "apps/{{{{ .name }}}}/values.yaml", True, "ApplicationSet"),  # the element's name: torghut
        ("gate", "apps/{{{{ .nameNormalized }}}}/values.yaml", True, "ApplicationSet"),  # a cluster's: unknown
    ],
)
def test_a_chart_rendered_with_values_of_the_repository_is_unseen(
    tmp_path: Path, mode: str, file: str, found: bool, kind: str
) -> None:
    """An Application (or an ApplicationSet's) renders a chart (a raw chart makes any object of its
    values) with a values file of this repository through a ``ref`` source: what it deploys is the
    repository's, which the linter calls an orphan and never renders. A blocking finding at the
    values entry (the gate: a change adding the Application elsewhere), identified by the values it
    reads."""
    app = tmp_path / "apps" / "torghut"
    app.mkdir(parents=True)
    (app / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (app / "cm.yaml").write_text(PLAIN_CM)
    (app / "values.yaml").write_text(
        "resources:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: live}\n"
        "    data: {TRADING_LIVE_ENABLED: 'true'}\n"
    )
    text = (CHART_WITH_OUR_VALUES if kind == "Application" else CHART_SET_WITH_OUR_VALUES).format(file=file.format())
    result = _linted_with(tmp_path, "argocd/raw.yaml", text, mode == "gate")
    got = [(f["rule"], f["file"], f["line"]) for f in result.json["findings"] if f["rule"] != "kustomize-orphan"]
    if not found:
        assert got == [] and result.code == 0, got
        return
    line = 12 if kind == "Application" else 17
    assert got == [("argocd-source-override", "argocd/raw.yaml", line)], result.json["findings"]
    assert result.code == 1


@pytest.mark.parametrize(
    ("name", "text", "found"),
    [
        # Argo CD ignores a YAML file it cannot read as objects that does not look like a manifest
        (".github/workflows/ci.yaml", "name: ci\non: [push]\njobs: {a: {runs-on: x, steps: [{run: make}]}}\n", []),
        ("mkdocs.yml", "site_name: torghut\nnav: [index.md]\n", []),
        ("values.yaml", "grafana:\n  adminPassword: Zq8vR2mKp4TnW7xY1cBdIgn\n", [("no-inline-secrets", 2)]),
        # one that does (apiVersion:, kind: and metadata: all in it) fails the sync; with any of
        # them it is taken for a manifest written wrong (a list of objects), as before
        ("cm.yaml", "apiVersion: v1\nmetadata: {name: c}\ndata: {kind: x}\n", [("manifest-invalid", 1)]),
        ("list.yaml", "- apiVersion: v1\n  kind: ConfigMap\n", [("manifest-invalid", 1)]),
        # an object first, then one that is not: Argo CD refuses the file
        ("two.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: t}\n---\nname: x\n", [("manifest-invalid", 5)]),
    ],
)
def test_a_yaml_file_argo_cd_ignores_in_a_directory_application(
    tmp_path: Path, name: str, text: str, found: list
) -> None:
    """Argo CD's directory source ignores a YAML file that is not a Kubernetes object and does not
    look like one (getObjsFromYAMLOrJSON: apiVersion:, kind: and metadata: not all in it): a
    repository root's CI workflow or docs configuration was a blocking manifest-invalid. It is data
    (read for credentials); one that looks like a manifest, or follows an object, still blocks."""
    (tmp_path / ".git").mkdir()
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(text)
    result = run_cli("--no-schemas", "--format", "json", ".", cwd=tmp_path)
    got = [(f["rule"], f["line"]) for f in result.json["findings"]]
    assert got == found, result.json["findings"]
    assert result.code == (1 if found else 0)


@pytest.mark.parametrize("gate", [False, True])
def test_a_base_an_application_sets_template_patch_deploys_is_an_application(tmp_path: Path, gate: bool) -> None:
    """An ApplicationSet's templatePatch may set the path its applications deploy: one setting the
    base (live, switched off by the overlay its elements name) deploys the base alone."""
    _base_under_an_overlay(tmp_path)
    appset = (
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: set}\nspec:\n  goTemplate: true\n"
        "  generators: [{list: {elements: [{name: t, path: apps/torghut/overlay}]}}]\n"
        "  template:\n    metadata: {name: '{{ .name }}'}\n    spec:\n"
        "      source: {repoURL: https://example.com/lab.git, path: '{{ .path }}'}\n"
        "      destination: {namespace: torghut, server: https://kubernetes.default.svc}\n"
        "  templatePatch: |\n    spec:\n      source:\n        path: apps/torghut/base\n"
    )
    result = _linted_with(tmp_path, "argocd/set.yaml", appset, gate)
    got = sorted((f["rule"], f["file"], f["line"]) for f in result.json["findings"])
    assert ("live-trading-default-off", "apps/torghut/base/live.yaml", 7) in got, got
    assert result.code == 1


def test_an_application_a_kustomization_renders_deploys_what_it_renders(tmp_path: Path) -> None:
    """An app of apps built by kustomize: a patch of its kustomization points an Application at the
    base (live, switched off by the overlay the Application's file names). The tree's Applications
    were read as written; what deploys is what kustomize renders of them."""
    _base_under_an_overlay(tmp_path)
    apps = tmp_path / "argocd" / "apps"
    apps.mkdir(parents=True)
    (apps / "app.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: torghut}\nspec:\n"
        "  destination: {namespace: torghut, server: https://kubernetes.default.svc}\n"
        "  source: {repoURL: https://example.com/lab.git, path: apps/torghut/overlay}\n"
    )
    (apps / "kustomization.yaml").write_text(
        "resources: [app.yaml]\npatches:\n  - target: {kind: Application, name: torghut}\n    patch: |-\n"
        "      - {op: replace, path: /spec/source/path, value: apps/torghut/base}\n"
    )
    result = _linted_with(tmp_path, "argocd/root.yaml", "", False)
    got = sorted((f["rule"], f["file"], f["line"]) for f in result.json["findings"])
    assert ("live-trading-default-off", "apps/torghut/base/live.yaml", 7) in got, got
    assert result.code == 1


@pytest.mark.parametrize(
    ("what", "edited"),
    [
        ("an explicit directory type", "apps/torghut/cm.yaml"),
        ("a chart rendered with the repository's values", "apps/torghut/values.yaml"),
        ("a chart kept in the tree", "apps/chart/values.yaml"),
    ],
)
def test_a_finding_identified_by_what_it_reads_is_in_the_scope_of_a_change_to_it(
    tmp_path: Path, what: str, edited: str
) -> None:
    """``--changed-since`` (pre-commit) keeps a finding whose cause changed: its file, its
    application's inputs, and what its identity reads (an Application's explicit directory
    type digests the directory it renders; a ref values file; a chart's templates). A change to
    that alone renewed the finding (the gate sees it new) and pre-commit dropped it."""
    from test_gate import commit_base, commit_pr

    app = tmp_path / "apps" / "torghut"
    app.mkdir(parents=True)
    (app / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (app / "cm.yaml").write_text(PLAIN_CM)
    (app / "values.yaml").write_text("replicas: 1\n")
    chart = tmp_path / "apps" / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: chart\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text(PLAIN_CM)
    (chart / "values.yaml").write_text("replicas: 1\n")
    (tmp_path / "argocd").mkdir()
    application = {
        "an explicit directory type": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: d}\n"
        "spec:\n  source: {repoURL: https://example.com/lab.git, path: apps/torghut, directory: {recurse: true}}\n",
        "a chart rendered with the repository's values": CHART_WITH_OUR_VALUES.format(file="apps/torghut/values.yaml"),
        "a chart kept in the tree": "",
    }[what]
    if application:
        (tmp_path / "argocd" / "app.yaml").write_text(application)
    commit_base(tmp_path)
    changed = tmp_path / edited
    changed.write_text(changed.read_text().replace("{a: b}", "{a: c}").replace("replicas: 1", "replicas: 2"))
    commit_pr(tmp_path)
    result = run_cli("--no-schemas", "--format", "json", "--changed-since", "main", ".", cwd=tmp_path)
    rule = "kustomize-helm-not-rendered" if what == "a chart kept in the tree" else "argocd-source-override"
    assert rule in {f["rule"] for f in result.json["findings"]}, result.json["findings"]
    assert result.code == 1
