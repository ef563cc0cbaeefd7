"""The build's budget of work (kustomize/work.py): a kustomization whose patches, merges or image
rewrites multiply into millions of steps (``kubectl kustomize`` runs for minutes on these) is
stopped with a located, blocking ``kustomize-too-complex``, and its application renders nothing,
never a hang; the same shapes at a realistic size render, and so do merges the renderer does in
linear time however long the lists."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from conftest import IN_PROCESS, run_cli, run_process
from torghut_lint.kustomize import work
from torghut_lint.kustomize.build import Builder, SourceFiles
from torghut_lint.model import Severity

CONFIGMAP = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}, labels: {{a: b}}}}\ndata: {{x: y}}\n"
HEAD = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n"
HEAD += "      containers:\n      - name: c\n"


def _images(count: int) -> dict[str, str]:
    """``count`` images entries and a Pod of ``count`` containers."""
    entries = "".join(f"- {{name: i{n}, newTag: '2'}}\n" for n in range(count))
    containers = "".join(f"  - {{name: c{n}, image: 'i{n}:1'}}\n" for n in range(count))
    return {
        "kustomization.yaml": "resources: [p.yaml]\nimages:\n" + entries,
        "p.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n" + containers,
    }


def _json_adds(count: int) -> dict[str, str]:
    """A JSON patch adding ``count`` keys to one ConfigMap."""
    return {
        "kustomization.yaml": "resources: [c.yaml]\npatches: [{path: p.yaml, target: {kind: ConfigMap}}]\n",
        "c.yaml": CONFIGMAP.format(i=0),
        "p.yaml": "".join(f"- {{op: add, path: /data/k{n}, value: v}}\n" for n in range(count)),
    }


def _map_merge(count: int) -> dict[str, str]:
    """A strategic-merge patch of ``count`` keys into a ConfigMap of ``count`` others."""
    head = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n"
    return {
        "kustomization.yaml": "resources: [c.yaml]\npatches: [{path: p.yaml}]\n",
        "c.yaml": head + "".join(f"  a{n}: v\n" for n in range(count)),
        "p.yaml": head + "".join(f"  b{n}: v\n" for n in range(count)),
    }


def _selecting(patches: int, objects: int) -> dict[str, str]:
    """``patches`` JSON patches, each selecting all of ``objects`` ConfigMaps by label and adding a key."""
    entries = "".join(
        f'- {{target: {{labelSelector: a=b}}, patch: \'[{{"op": "add", "path": "/data/p{n}", "value": "v"}}]\'}}\n'
        for n in range(patches)
    )
    return {
        "kustomization.yaml": "resources: [c.yaml]\npatches:\n" + entries,
        "c.yaml": "".join(CONFIGMAP.format(i=i) for i in range(objects)),
    }


def _large(i: int, keys: int, where: str = "data") -> str:
    """ConfigMap ``c<i>`` labelled a=b, with ``keys`` more keys at the top (``top``), in its
    metadata (``metadata``), among its labels (``labels``) or in its data (``data``)."""
    extra = {
        w: "".join(f"{' ' * indent}k{n}: v\n" for n in range(keys)) if w == where else ""
        for w, indent in (("top", 0), ("metadata", 2), ("labels", 4), ("data", 2))
    }
    return (
        f"---\n{extra['top']}apiVersion: v1\nkind: ConfigMap\nmetadata:\n{extra['metadata']}  name: c{i}\n"
        f"  labels:\n    a: b\n{extra['labels']}data:\n  x: y\n{extra['data']}"
    )


def _patching_large(
    count: int, kind: str = "json", where: str = "data", selector: str = "labelSelector: a=b"
) -> dict[str, str]:
    """Ten patches (JSON or strategic-merge), each selecting ten ConfigMaps of ``count`` keys (see :func:`_large`)
    by ``selector`` and adding a key: the work is in the objects' size, not in the patches."""
    if kind == "json":
        patches = [f'[{{"op": "add", "path": "/data/p{n}", "value": "v"}}]' for n in range(10)]
    else:
        patches = [
            f"{{apiVersion: v1, kind: ConfigMap, metadata: {{name: any}}, data: {{p{n}: v}}}}" for n in range(10)
        ]
    return {
        "kustomization.yaml": "resources: [c.yaml]\npatches:\n"
        + "".join(f"- {{target: {{{selector}}}, patch: '{patch}'}}\n" for patch in patches),
        "c.yaml": "".join(_large(i, count, where) for i in range(10)),
    }


def _testing_large(count: int, where: str, selector: str) -> dict[str, str]:
    """A hundred JSON patches whose ``selector`` each tests ten ConfigMaps of ``count`` keys
    (:func:`_large`) and selects none of them: the work is in reading each object's identity and
    labels, once per patch."""
    return {
        "kustomization.yaml": "resources: [c.yaml]\npatches:\n"
        + "".join(
            f'- {{target: {{{selector}}}, patch: \'[{{"op": "add", "path": "/data/p{n}", "value": "v"}}]\'}}\n'
            for n in range(100)
        ),
        "c.yaml": "".join(_large(i, count, where) for i in range(10)),
    }


def _diamond(count: int) -> dict[str, str]:
    """A ConfigMap reached by about ``count`` paths: log2(count) levels, each including the next
    twice under two prefixes (kubectl kustomize takes 15 s at 4,096)."""
    levels = round(math.log2(count))
    files = {}
    for i in range(levels):
        files[f"l{i}/kustomization.yaml"] = f"resources: [../a{i}, ../b{i}]\n"
        files[f"a{i}/kustomization.yaml"] = f"resources: [../l{i + 1}]\nnamePrefix: a-\n"
        files[f"b{i}/kustomization.yaml"] = f"resources: [../l{i + 1}]\nnamePrefix: b-\n"
    files[f"l{levels}/kustomization.yaml"] = "resources: [c.yaml]\n"
    files[f"l{levels}/c.yaml"] = CONFIGMAP.format(i=0)
    files["kustomization.yaml"] = "resources: [l0]\n"
    return files


def _env_merge(count: int) -> dict[str, str]:
    """A strategic-merge patch of ``count`` env entries into a container of ``count`` others."""
    env = "        env:\n" + "".join(f"        - {{name: A{n}, value: '1'}}\n" for n in range(count))
    return {
        "kustomization.yaml": "resources: [d.yaml]\npatches: [{path: p.yaml}]\n",
        "d.yaml": HEAD + "        image: nginx\n" + env,
        "p.yaml": HEAD + env.replace("A", "B"),
    }


def _labels(count: int) -> dict[str, str]:
    """``count`` common labels on ``count // 3`` ConfigMaps."""
    return {
        "kustomization.yaml": "resources: [c.yaml]\ncommonLabels:\n" + "".join(f"  l{n}: v\n" for n in range(count)),
        "c.yaml": "".join(CONFIGMAP.format(i=i) for i in range(count // 3)),
    }


def _generator_merges(count: int) -> dict[str, str]:
    """An overlay merging into each of ``count`` ConfigMaps its base generates."""
    return {
        "base/kustomization.yaml": "configMapGenerator:\n"
        + "".join(f"- {{name: g{n}, literals: [a=b]}}\n" for n in range(count)),
        "kustomization.yaml": "resources: [base]\nconfigMapGenerator:\n"
        + "".join(f"- {{name: g{n}, behavior: merge, literals: [c=d]}}\n" for n in range(count)),
    }


def _replacing(replacements: int, objects: int) -> dict[str, str]:
    """``replacements`` replacements, each writing two fields (one made) of every one of ``objects`` ConfigMaps."""
    entry = (
        "- source: {kind: ConfigMap, name: c0, fieldPath: data.x}\n  targets:\n"
        "  - select: {kind: ConfigMap}\n    fieldPaths: [data.x, data.y]\n    options: {create: true}\n"
    )
    return {
        "kustomization.yaml": "resources: [c.yaml]\nreplacements:\n" + entry * replacements,
        "c.yaml": "".join(CONFIGMAP.format(i=i) for i in range(objects)),
    }


def _field_specs(count: int) -> dict[str, str]:
    """A labels entry of ``count`` field specs, each making a path of its own in each of ``count``
    ConfigMaps (whose top-level maps grow by one key per spec)."""
    fields = "".join(f"  - {{path: a{n}/b/c, create: true}}\n" for n in range(count))
    return {
        "kustomization.yaml": "resources: [c.yaml]\nlabels:\n- pairs: {a: b}\n  fields:\n" + fields,
        "c.yaml": "".join(CONFIGMAP.format(i=i) for i in range(count)),
    }


def _field_spec_merge(count: int) -> dict[str, str]:
    """``count`` labels entries of ``count`` field specs each, merged with the built-in ones."""
    entry = "- pairs: {a: b}\n  includeSelectors: true\n  fields:\n" + "".join(
        f"  - {{path: x{n}, kind: K{n}}}\n" for n in range(count)
    )
    return {"kustomization.yaml": "resources: [c.yaml]\nlabels:\n" + entry * count, "c.yaml": CONFIGMAP.format(i=0)}


# Each exhausts a budget of 50,000 steps (the tests' own, so that they stay small); at a tenth of
# the size it does not.
SHAPES = {
    "images times containers": _images,
    "JSON patch operations on a growing map": _json_adds,
    "a strategic-merge map merged into a large map": _map_merge,
    "patches times the resources they select": lambda n: _selecting(n // 10, n),
    "labels times the objects and keys they meet": _labels,
    "generators merged into generated objects": _generator_merges,
    "replacements times the objects they write": lambda n: _replacing(n // 10, n),
    "field specs times the objects whose keys they walk": _field_specs,
    "field specs merged with the built-in ones": _field_spec_merge,
    "JSON patches times the size of the objects they change": _patching_large,
    "strategic-merge patches times the size of the objects they change": lambda n: _patching_large(n, "merge"),
    "includes of includes, twice each (a diamond per level)": _diamond,
    "patch targets times the labels they test": lambda n: _testing_large(n, "labels", "labelSelector: k0=x"),
    "patch targets times the metadata they read names in": lambda n: _testing_large(n, "metadata", "name: x"),
    "patch targets times the top-level keys they read kinds in": lambda n: _testing_large(
        n, "top", "kind: ConfigMap, name: x"
    ),
}
SIZES = {
    "images times containers": 80,
    "JSON patch operations on a growing map": 1_000,
    "a strategic-merge map merged into a large map": 1_000,
    "patches times the resources they select": 300,
    "labels times the objects and keys they meet": 120,
    "generators merged into generated objects": 120,
    "replacements times the objects they write": 300,
    "field specs times the objects whose keys they walk": 100,
    "field specs merged with the built-in ones": 120,
    "JSON patches times the size of the objects they change": 1_000,
    "strategic-merge patches times the size of the objects they change": 1_000,
    "includes of includes, twice each (a diamond per level)": 2_000,
    "patch targets times the labels they test": 1_000,
    "patch targets times the metadata they read names in": 1_000,
    "patch targets times the top-level keys they read kinds in": 1_000,
}
SMALL_BUDGET = 50_000


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _too_complex(build) -> list:
    return [f for f in build.findings if f.rule == "kustomize-too-complex"]


@pytest.mark.parametrize("shape", SHAPES)
def test_work_that_multiplies_past_the_budget_blocks_and_renders_nothing(
    tmp_path: Path, shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(work, "MAX_WORK", SMALL_BUDGET)
    build = Builder(SourceFiles(tmp_path)).build(_write(tmp_path, SHAPES[shape](SIZES[shape])))
    found = _too_complex(build)
    assert len(found) == 1, build.findings
    assert found[0].severity == Severity.ERROR and found[0].location.line > 0
    assert f"more than {SMALL_BUDGET:,} steps" in found[0].message
    assert build.resources == [] and build.as_written == []


@pytest.mark.parametrize("shape", SHAPES)
def test_the_same_shape_a_tenth_the_size_renders(tmp_path: Path, shape: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(work, "MAX_WORK", SMALL_BUDGET)
    build = Builder(SourceFiles(tmp_path)).build(_write(tmp_path, SHAPES[shape](SIZES[shape] // 10)))
    assert _too_complex(build) == [] and build.resources


def test_the_real_budget_stops_a_few_kilobytes_of_images(tmp_path: Path) -> None:
    """400 images entries on 400 containers (20 kB; kubectl kustomize takes 11 s)."""
    build = Builder(SourceFiles(tmp_path)).build(_write(tmp_path, _images(400)))
    assert len(_too_complex(build)) == 1 and build.resources == []
    assert f"more than {work.MAX_WORK:,} steps" in _too_complex(build)[0].message


def test_a_list_merge_is_linear_and_needs_no_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Env lists of 3,000 entries merged by name (kubectl kustomize takes a minute): items found by
    their key, the patch's first, then the target's in order."""
    monkeypatch.setattr(work, "MAX_WORK", 40_000)  # (the merged object is walked once more: 6,000 items, 3 keys each)
    files = _env_merge(3_000)
    files["p.yaml"] += "        - {name: A7, value: changed}\n"
    build = Builder(SourceFiles(tmp_path)).build(_write(tmp_path, files))
    assert build.findings == []
    env = build.resources[0].data["spec"]["template"]["spec"]["containers"][0]["env"]
    assert len(env) == 6_000
    assert env[0] == {"name": "B0", "value": "1"} and env[3_000] == {"name": "A7", "value": "changed"}
    assert env[3_001] == {"name": "A0", "value": "1"} and env[-1] == {"name": "A2999", "value": "1"}


def test_a_base_that_runs_out_is_reported_once_where_it_ran_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(work, "MAX_WORK", SMALL_BUDGET)
    files = {f"base/{rel}": text for rel, text in _json_adds(1_000).items()}
    files["kustomization.yaml"] = "resources: [base, extra.yaml]\nnamePrefix: x-\n"
    files["extra.yaml"] = CONFIGMAP.format(i=9)
    build = Builder(SourceFiles(tmp_path)).build(_write(tmp_path, files))
    found = _too_complex(build)
    assert len(found) == 1 and found[0].location.file.endswith("/base/kustomization.yaml")
    assert build.resources == []  # the overlay's own objects too: the application was not rendered


def test_what_a_spent_budget_leaves_half_done_reports_nothing(tmp_path: Path) -> None:
    """A diamond of 17 levels (131,072 objects; kubectl kustomize runs for hours): the budget runs
    out in a nested build, whose parents stop there too. Its objects, prefixed at some levels and
    not at others, were once accumulated as if whole, and reported as tens of thousands of
    objects "already included"."""
    build = Builder(SourceFiles(tmp_path)).build(_write(tmp_path, _diamond(2**17)))
    assert [f.rule for f in build.findings] == ["kustomize-too-complex"]
    assert build.resources == []


@pytest.mark.skipif(not IN_PROCESS, reason="counts the builds of an in-process run")
def test_what_an_application_that_ran_out_did_not_reach_is_still_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kustomizations a diamond that runs out never got to are not applications of their own
    (each was once built again, with a budget of its own, and ran out again: the tree's time was
    the number of its kustomizations times the budget), and the files they name are not orphans
    (resources, a patch, a generator's ``key=path``); a file none names still is."""
    monkeypatch.setattr(work, "MAX_WORK", SMALL_BUDGET)
    monkeypatch.setenv("TORGHUT_LINT_JOBS", "1")
    files = _diamond(2**12)
    del files["kustomization.yaml"]
    files["l12/kustomization.yaml"] = (
        "resources: [c.yaml, d.yaml]\npatches: [{path: p.yaml}]\n"
        "configMapGenerator: [{name: g, files: [key=data.yaml]}]\n"
    )
    files["l12/d.yaml"] = CONFIGMAP.format(i=1)
    files["l12/p.yaml"] = CONFIGMAP.format(i=1).replace("{x: y}", "{x: z}")
    files["l12/data.yaml"] = CONFIGMAP.format(i=3)
    files["l12/stray.yaml"] = CONFIGMAP.format(i=2)
    _write(tmp_path, files)
    (tmp_path / ".git").mkdir()
    roots: list[Path] = []
    build = Builder.build

    def counted(self: Builder, directory: Path, stack: tuple = ()):
        if not stack:
            roots.append(directory)
        return build(self, directory, stack)

    monkeypatch.setattr(Builder, "build", counted)
    result = run_cli("--no-schemas", "--format", "json", ".", cwd=tmp_path)
    assert [path.name for path in roots] == ["l0"]
    found = sorted((f["rule"], f["file"]) for f in result.json["findings"])
    assert [rule for rule, _ in found] == ["kustomize-orphan", "kustomize-too-complex"]
    assert found[0][1] == "l12/stray.yaml"


def test_the_budget_is_per_application_and_closed_after_it(tmp_path: Path) -> None:
    builder = Builder(SourceFiles(tmp_path))
    heavy = _write(tmp_path / "heavy", _images(400))
    light = _write(tmp_path / "light", {"kustomization.yaml": "resources: [c.yaml]\n", "c.yaml": CONFIGMAP.format(i=0)})
    assert builder.build(heavy).resources == []
    assert len(builder.build(light).resources) == 1  # a fresh budget
    work.charge(10**12)  # outside a build nothing is counted
    assert work._left[0] == math.inf


def test_the_command_stops_at_the_budget_and_blocks(tmp_path: Path) -> None:
    """150 patches each selecting 200 ConfigMaps (30 kB; kubectl kustomize takes 78 s), through
    the CLI in a process of its own: one located finding, exit 1. (About a second; the timeout
    only tells a hang from a loaded machine, the time itself is benchmarks/run.py's business.)"""
    app = _write(tmp_path / "app", _selecting(150, 200))
    (tmp_path / ".git").mkdir()
    result = run_process("--no-schemas", "--format", "json", str(app), timeout=300)
    assert result.code == 1
    assert [(f["rule"], f["line"]) for f in result.json["findings"]] == [("kustomize-too-complex", 2)]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_rendered_by_kubectl_the_built_in_budget_no_longer_matters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--render kubectl``: the policies read kubectl's output (which has a timeout of its own)."""
    if not IN_PROCESS:
        pytest.skip("the budget is lowered in this process")
    monkeypatch.setattr(work, "MAX_WORK", SMALL_BUDGET)
    app = _write(tmp_path / "app", _images(80))
    (tmp_path / ".git").mkdir()
    built_in = run_cli("--no-schemas", "--format", "json", str(app))
    assert [f["rule"] for f in built_in.json["findings"]] == ["kustomize-too-complex"]
    result = run_cli("--no-schemas", "--format", "json", "--render", "kubectl", str(app))
    assert result.json["findings"] == [] and result.code == 0
    assert result.json["summary"]["resources"] == 1
