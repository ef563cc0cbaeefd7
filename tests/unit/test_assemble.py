"""The plan (torghut_lint/assemble.py): applications, what is referenced, orphans' governing
kustomizations, directory apps and the tree's CRDs, from the kustomization files and bytes alone;
the same on one process and on two."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from torghut_lint import assemble, discover
from torghut_lint.assemble import Project, holds, load, plan, repository_root

CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {{name: widgets.example.com}}
spec:
  group: example.com
  names: {{kind: Widget, plural: widgets}}
  scope: Namespaced
  versions:
    - name: {version}
      served: true
      storage: true
      schema: {{openAPIV3Schema: {{type: object}}}}
"""


def tree(root: Path, more: dict[str, str] | None = None) -> Path:
    """A small monorepo, with ``more`` files (name -> text) beside it."""
    files = {
        "apps/web/kustomization.yaml": "resources:\n  - ../../base\n  - cm.yaml\n  - crd.yaml\n",
        "apps/web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n",
        "apps/web/crd.yaml": CRD.format(version="v1"),
        "apps/web/forgotten.yaml": CRD.format(version="v9"),  # below web, listed by nobody: not applied
        "base/kustomization.yaml": "resources:\n  - deploy.yaml\n",
        "base/deploy.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: base}\n",
        "loose/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        "loose/b.yml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
        "broken/kustomization.yaml": "resources: [\n",  # a parse finding, reported once
        **(more or {}),
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_the_plan_of_a_monorepo(tmp_path: Path) -> None:
    root = tree(tmp_path).resolve()
    project = Project()
    layout = plan(root, project, root)
    assert layout.apps == [root / "apps/web", root / "broken"]  # base is included by web: not an app
    assert layout.referenced == [root / "base"]
    assert sorted(layout.plain) == [root / "loose"]
    assert layout.governing[root / "apps/web/forgotten.yaml"] == root / "apps/web"
    assert set(project.crds) == {("example.com/v1", "Widget")}  # the unlisted v9 is an orphan's
    assert [f.rule for f in project.findings] == ["yaml-syntax"]
    own = ("apps/web/kustomization.yaml", "apps/web/cm.yaml", "apps/web/crd.yaml", "apps/web/forgotten.yaml")
    base = ("base/kustomization.yaml", "base/deploy.yaml")  # the base it includes is its work too
    assert layout.sizes[root / "apps/web"] == sum((root / n).stat().st_size for n in (*own, *base))


def test_an_application_s_size_is_what_it_builds_its_bases_included(tmp_path: Path) -> None:
    """A hundred overlays of one 40 kB base were a hundred builds of it counted as the overlays'
    few bytes: the tree ran on one process, largest last. A base below the application (or
    reached twice) counts once."""
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '%s'}\n" % ("x" * 4000)
    files = {"base/kustomization.yaml": "resources: [cm.yaml]\n", "base/cm.yaml": cm}
    files |= {f"o{k}/kustomization.yaml": "resources: [../base, ../mid]\n" for k in range(3)}
    files |= {
        "mid/kustomization.yaml": "resources: [../base, inner]\n",
        "mid/inner/kustomization.yaml": "resources: []\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    root = tmp_path.resolve()
    layout = plan(root, Project(), root)
    size = {n: (root / n).stat().st_size for n in files}
    reached = size["base/kustomization.yaml"] + size["base/cm.yaml"] + size["mid/kustomization.yaml"]
    reached += size["mid/inner/kustomization.yaml"]
    assert {d.name: layout.sizes[d] for d in layout.apps} == {
        f"o{k}": size[f"o{k}/kustomization.yaml"] + reached for k in range(3)
    }


def test_two_processes_plan_what_one_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(tmp_path).resolve()
    for i in range(40):  # enough items for both processes to take some
        (root / f"many/{i:02d}").mkdir(parents=True)
        (root / f"many/{i:02d}/kustomization.yaml").write_text("resources:\n  - ../../../base\n")
    outcomes = []
    for jobs in ("1", "2"):
        monkeypatch.setenv("TORGHUT_LINT_JOBS", jobs)
        monkeypatch.setattr(assemble, "PLAN_PARALLEL_MIN_FILES", 1)
        discover.forget()
        project = Project()
        layout = plan(root, project, root)
        outcomes.append(
            (
                layout.apps,
                layout.referenced,
                layout.plain,
                layout.governing,
                layout.sizes,
                project.crds,
                project.parsed,
                [(f.rule, f.location) for f in project.findings],
            )
        )
    assert outcomes[0] == outcomes[1]
    assert len(outcomes[0][0]) == 42


def test_load_builds_what_the_plan_found(tmp_path: Path) -> None:
    root = tree(tmp_path).resolve()
    project = load([root], boundary=root)
    names = {app.name.split("/")[-1]: sorted(r.id.name for r in app.resources) for app in project.apps}
    assert names["web"] == ["base", "web", "widgets.example.com"]
    assert names["loose"] == ["a", "b"]
    assert [r.id.name for r in project.orphans] == ["widgets.example.com"]  # forgotten.yaml


def test_the_repository_root_is_the_git_work_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "repo/.git").mkdir(parents=True)
    (tmp_path / "repo/apps").mkdir()
    assert repository_root(tmp_path / "repo/apps") == (tmp_path / "repo").resolve()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plain/apps").mkdir(parents=True)
    assert repository_root(tmp_path / "plain/apps") == tmp_path.resolve()  # below the working directory


def test_chart_files_are_those_below_a_chart_directory(tmp_path: Path) -> None:
    """A file is Helm's when a resolved parent directory holds Chart.yaml: not a sibling whose
    name only starts like the chart's, at any depth, through links, charts within charts."""
    root = tmp_path / "repo"
    names = [
        "charts/app/Chart.yaml",
        "charts/app/values.yaml",
        "charts/app/templates/deploy.yaml",
        "charts/app/charts/sub/Chart.yaml",
        "charts/app/charts/sub/templates/x.yaml",
        "charts/app-two/cm.yaml",  # starts like charts/app, is not below it
        "charts/appendix.yaml",
        "apps/web/cm.yaml",
        "deep/" + "/".join(f"d{n}" for n in range(60)) + "/Chart.yaml",
        "deep/" + "/".join(f"d{n}" for n in range(60)) + "/templates/t.yaml",
        "deep/d0/outside.yaml",
    ]
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("a: 1\n")
    (root / "apps/linked").symlink_to("../charts/app/templates")  # a link into a chart
    discover.forget()
    files = discover.discover(root).files
    chart_dirs = {discover.real(p.parent) for p in files if p.name == "Chart.yaml"}
    expected = {p for p in files if any(d in chart_dirs for d in discover.real(p).parents)}
    found = assemble._chart_candidates(files, chart_dirs)
    assert found == expected
    shown = {str(p.relative_to(root)) for p in found}
    assert "charts/app-two/cm.yaml" not in shown and "charts/appendix.yaml" not in shown
    assert {"apps/linked/deploy.yaml", "charts/app/values.yaml", "charts/app/charts/sub/templates/x.yaml"} <= shown
    assert len(found) == 7  # the linked templates directory is walked once, as apps/linked
    discover.forget()


@pytest.mark.parametrize("root", ["/r", "/elsewhere"])
def test_bytes_below_each_directory_are_summed_once_per_directory(root: str) -> None:
    """An application's size is the bytes of every file below it: each directory's own bytes are
    added up to the root (past it to / when the root is not above it), as a walk up from every
    file would add them."""
    from torghut_lint.assemble import _below

    files = {"/r/a/x.yaml": 3, "/r/a/y.yaml": 4, "/r/a/b/c/z.yaml": 5, "/r/top.yaml": 7, "/r/d/e.yaml": 11}
    own: dict[str, int] = {}
    expected: dict[str, int] = {}
    for name, size in files.items():
        directory = os.path.dirname(name)
        own[directory] = own.get(directory, 0) + size
        while True:  # the walk up from each file
            expected[directory] = expected.get(directory, 0) + size
            if directory == root or (parent := os.path.dirname(directory)) == directory:
                break
            directory = parent
    assert _below(own, root) == expected
    assert _below(own, "/r")["/r"] == sum(files.values()) and _below(own, "/r")["/r/a"] == 12


@pytest.mark.parametrize("order", [1, -1])
def test_the_nearest_marked_directory_is_looked_for_no_higher_than_the_root(order: int) -> None:
    """A file's kustomization directory (or chart) is the nearest marked one at or above it, never
    above the root when there is one; answers are remembered per directory, whatever order the
    directories are asked in."""
    from torghut_lint.assemble import _nearest_above

    marked = {"/r", "/r/a", "/r/a/b/c", "/above"}
    asked = {
        "/r/a/b/c/d": "/r/a/b/c",
        "/r/a/b": "/r/a",
        "/r/a": "/r/a",
        "/r/x/y": "/r",
        "/r": "/r",
        "/elsewhere/z": None,
        "/above/r2": None,  # above the root's reach: outside it
    }
    governed = _nearest_above(marked, "/r")
    for directory, expected in list(asked.items())[::order]:
        assert governed(directory) == expected, directory
    unmarked_root = _nearest_above(marked - {"/r"}, "/r")
    assert unmarked_root("/r/x/y") is None and unmarked_root("/r/a/q") == "/r/a"
    unbounded = _nearest_above(marked)  # no root: up to /
    assert unbounded("/above/r2/deep") == "/above" and unbounded("/nowhere/else") is None


def test_finish_builds_again_no_kustomization_an_application_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What no application reached (a cycle) is built once every application is; a directory a
    build read is known without asking the filesystem, a linked kustomization file by asking."""
    more = {
        "apps/api/kustomization.yaml": "resources:\n  - ../../linked\n",
        "linked/deploy.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: linked}\n",
        "cycle/a/kustomization.yaml": "resources:\n  - ../b\n",
        "cycle/b/kustomization.yaml": "resources:\n  - ../a\n",
    }
    root = tree(tmp_path, more).resolve()
    (root / "linked/kustomization.yaml").symlink_to("../base/kustomization.yaml")
    project = Project()
    layout = plan(root, project, root)
    assert layout.referenced == [root / "base", root / "cycle/a", root / "cycle/b", root / "linked"]
    assemble.build_apps(layout, layout.apps, project, "builtin")
    asked: list[str] = []
    real_find = assemble.find_kustomization
    monkeypatch.setattr(assemble, "find_kustomization", lambda d: asked.append(str(d)) or real_find(d))
    built: list[str] = []  # the applications built (a build's own includes pass their stack)
    real_build = assemble.Builder.build

    def build(self: assemble.Builder, directory: Path, *stack: object) -> object:
        if not stack:
            built.append(str(directory))
        return real_build(self, directory, *stack)

    monkeypatch.setattr(assemble.Builder, "build", build)
    assemble.finish(layout, project, "builtin", list(layout.plain))
    assert built == [str(root / "cycle/a")]  # b is a's: built with it
    assert str(root / "base") not in asked and str(root / "linked") in asked


def test_what_the_plan_found_each_kustomization_to_list_is_what_a_build_would_find(tmp_path: Path) -> None:
    """Builds take the directories a kustomization lists from the plan instead of resolving its
    entries again: under links (a linked kustomization file, a linked directory, ``..`` through a
    link), the plan's answer is what resolving them from the build's own path gives."""
    from torghut_lint.kustomize.build import Builder, SourceFiles
    from torghut_lint.kustomize.kustomization import find_kustomization

    more = {
        "apps/api/kustomization.yaml": "resources:\n  - ../../deep/linked\n  - ../../via/base\n  - ../../via/../base\n",
        "deep/base/kustomization.yaml": "resources: []\n",
        "real/kustomization.yaml": "resources:\n  - ../base\n  - ../loose/a.yaml\n  - missing\n",
    }
    root = tree(tmp_path, more).resolve()
    (root / "deep/linked").mkdir()
    (root / "deep/linked/kustomization.yaml").symlink_to("../../real/kustomization.yaml")
    (root / "via").symlink_to(root / "apps")  # via/base does not exist; via/.. is the root
    discover.forget()
    layout = plan(root, Project(), root)
    assert len(layout.edges) == 7
    fresh = Builder(SourceFiles(root))
    for (directory, resolved), listed in layout.edges.items():
        kfile = find_kustomization(directory)
        assert kfile is not None and discover.real_text(kfile) == resolved
        assert set(listed) == fresh.referenced_dirs(kfile), directory
    linked = layout.edges[(str(root / "deep/linked"), str(root / "real/kustomization.yaml"))]
    assert linked == (str(root / "deep/base"),)  # ../base from deep/linked/, not from real/
    discover.forget()


def test_applications_are_in_path_order() -> None:
    """The plan orders directories as ``sorted`` orders Paths (by component, so ``a/b`` before
    ``a-b``), from their parts."""
    paths = [Path(p) for p in ("/r/a-b", "/r/a/b", "/r/a", "/r/a.b", "/r/A", "/r/a/b/c", "/r/ab", "/r/a b")]
    assert assemble._in_order(reversed(paths)) == sorted(paths)


@pytest.mark.parametrize("padding", [0, (1 << 16) - 400, 1 << 16, 3 << 16])
def test_the_survey_reads_every_file_whole_whatever_its_size(tmp_path: Path, padding: int) -> None:
    """Small files are surveyed from one buffer, larger ones read whole: around the buffer's size
    a CRD or an admission policy is found all the same, and each file's size is its own; a FIFO
    named like a manifest is neither read nor waited for."""
    crd = CRD.format(version="v1") + "#" * padding + "\n"
    admission = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\n"
    root = tree(tmp_path, {"loose/crd.yaml": crd, "loose/vap.yaml": admission + "#" * padding + "\n"}).resolve()
    os.mkfifo(root / "loose/pipe.yaml")
    project = Project()
    layout = plan(root, project, root)
    assert set(project.crds) == {("example.com/v1", "Widget")}
    assert project.admission_files == [root / "loose/vap.yaml"]
    expected = sum(p.stat().st_size for p in (root / "loose").iterdir() if p.is_file())
    assert layout.sizes[root / "loose"] == expected


@pytest.mark.parametrize(
    ("have", "want", "held"),
    [
        ({"a": 1, "b": {"c": 2}}, {"b": {"c": 2}}, True),  # values added around it
        ({"a": 1}, {"a": 2}, False),  # overwritten
        ({"b": {}}, {"b": {"c": 2}}, False),  # removed
        ({"l": [{"n": "y"}, {"n": "x", "v": 1}]}, {"l": [{"n": "x"}]}, True),  # a list item moved, extended
        ({"l": [{"n": "y"}]}, {"l": [{"n": "x"}]}, False),
        (None, {"a": 1}, False),  # not rendered at all
        ({"l": list(range(100))}, {"l": list(range(99)) + [200]}, False),  # a long list: compared whole
    ],
)
def test_holds_tells_whether_rendered_values_hold_every_written_one(have: object, want: object, held: bool) -> None:
    assert holds(have, want) is held


def test_a_directory_application_leaves_out_a_file_argo_cd_skips(tmp_path: Path) -> None:
    """Argo CD does not apply a directory application's file that holds its skip marker (an
    example kept beside the manifests): no resource of it is checked, and it is still in the
    repository, read for credentials as a loose file is. A kustomization's resource is built
    whatever its comments say."""
    (tmp_path / "loose").mkdir()
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s}\ndata: {a: b}\n"
    (tmp_path / "loose" / "kept.yaml").write_text(cm % "kept")
    (tmp_path / "loose" / "example.yaml").write_text("# +argocd:skip-file-rendering\n" + cm % "example")
    (tmp_path / "built").mkdir()
    (tmp_path / "built" / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (tmp_path / "built" / "cm.yaml").write_text("# +argocd:skip-file-rendering\n" + cm % "built")
    root = tmp_path.resolve()
    project = load([root], boundary=root)
    names = sorted(r.id.name for app in project.apps for r in app.resources)
    assert names == ["built", "kept"]
    assert [shown for shown, _ in project.texts if shown.endswith("example.yaml")]
