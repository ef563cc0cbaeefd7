"""A base several applications include is built once per run and handed to the others as a copy
(kustomize/build.py, ``_Kept``): what each application renders and reports, and where its
budget of work runs out, is exactly what building the base again would give. Each test lints a
tree twice, once with the kept builds and once without, and compares the whole JSON report."""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
from pathlib import Path

import pytest
from kubectl_parity import write_tree

from conftest import IN_PROCESS, run_cli
from torghut_lint.kustomize import build, work

pytestmark = pytest.mark.skipif(not IN_PROCESS, reason="compares two in-process runs (one with kept builds off)")

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, labels: {{a: b}}}}\ndata: {{x: y}}\n"


def _write(root: Path, files: dict[str, str]) -> Path:
    """``files`` written under ``root``, a repository of its own."""
    (write_tree(root, files) / ".git").mkdir(exist_ok=True)
    return root


def _both(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[dict, dict, int]:
    """The JSON report of the tree (with ``args``) with kept builds, without, and how many were
    handed out."""
    monkeypatch.setenv("TORGHUT_LINT_JOBS", "1")
    handed = [0]
    fits = build._Kept.fits

    def counted(self: build._Kept, *args: object) -> bool:
        handed[0] += fits(self, *args)
        return fits(self, *args)

    monkeypatch.setattr(build._Kept, "fits", counted)
    kept = run_cli("--no-schemas", "--format", "json", *args, str(root), cwd=root)
    kept_render = run_cli("render", str(root), cwd=root)
    monkeypatch.setattr(build._Kept, "fits", lambda self, *args: False)
    built = run_cli("--no-schemas", "--format", "json", *args, str(root), cwd=root)
    assert kept.code == built.code and kept.stderr == built.stderr
    assert kept_render == run_cli("render", str(root), cwd=root)  # every application's objects, as rendered
    return kept.json, built.json, handed[0]


def test_overlays_of_one_base_get_what_building_it_again_gives(tmp_path: Path, monkeypatch) -> None:
    """A base with a generator (hashed name, references to it), an inline patch (an object as
    written), a component, a finding of its own, a Helm chart left unrendered and a nested base;
    three overlays transform it differently. Every object, finding and its application match."""
    files = {
        "base/kustomization.yaml": (
            "resources: [../core, cm.yaml, deploy.yaml]\ncomponents: [../comp]\n"
            "configMapGenerator: [{name: gen, literals: [a=b]}]\n"
            "patches:\n- patch: '{apiVersion: v1, kind: ConfigMap, metadata: {name: cm}, data: {p: q}}'\n"
            '- target: {kind: Secret}\n  patch: \'[{"op": "add", "path": "/x", "value": 1}]\'\n'
            "helmCharts: [{name: chart, repo: https://example.com, version: 1.0.0}]\n"
        ),
        "base/cm.yaml": CONFIGMAP.format(name="cm"),
        "base/deploy.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
            "      containers:\n      - {name: c, image: nginx, envFrom: [{configMapRef: {name: gen}}]}\n"
        ),
        "core/kustomization.yaml": "resources: [core.yaml]\nnamePrefix: core-\n",
        "core/core.yaml": CONFIGMAP.format(name="c"),
        "comp/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
        "commonAnnotations: {from: component}\n",
        "o1/kustomization.yaml": "resources: [../base]\nnamePrefix: one-\n",
        "o2/kustomization.yaml": "resources: [../base]\nnamespace: two\ncommonLabels: {env: two}\n",
        "o3/kustomization.yaml": "resources: [../mid]\nnameSuffix: -three\n",
        "mid/kustomization.yaml": "resources: [../base, ../core2]\n",
        "core2/kustomization.yaml": "resources: [../core]\nnamePrefix: two-\n",
    }
    kept, built, handed = _both(_write(tmp_path, files), monkeypatch)
    assert handed >= 3  # base twice (o2, o3's mid) after o1, core inside them, core again via core2
    assert kept == built
    assert {f["rule"] for f in kept["findings"]} >= {"kustomize-patch-unmatched", "kustomize-helm-not-rendered"}
    # each application has the base's findings as its own: a change to o3 alone (built after o2,
    # which builds the base) reports them
    git = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci"]
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run([*git, *command], cwd=tmp_path, check=True, capture_output=True)
    with (tmp_path / "o3/kustomization.yaml").open("a") as changed:
        changed.write("# reviewed\n")
    kept, built, _ = _both(tmp_path, monkeypatch, "--changed-since", "HEAD")
    assert kept == built
    assert {f["rule"] for f in kept["findings"]} >= {"kustomize-patch-unmatched", "kustomize-helm-not-rendered"}


@pytest.mark.parametrize("first", ["o1", "r2"])
def test_a_base_with_a_cycle_within_is_kept_but_never_handed_to_an_application_on_it(
    tmp_path: Path, monkeypatch, first: str
) -> None:
    """The base includes o2, which includes the base: a cycle within the base's own build, the same
    for o1 and o3, which get one build. r2 includes o2: below it the cycle closes at o2, above the
    base, and r2 builds the base itself, whichever application is built first (the largest):
    o1's base is not handed to r2, and r2's is kept for no one."""
    big = CONFIGMAP.format(name="big").replace("{x: y}", "{x: " + "y" * 2000 + "}")
    files = {
        "base/kustomization.yaml": "resources: [b.yaml, ../o2]\n",
        "base/b.yaml": CONFIGMAP.format(name="b"),
        "o1/kustomization.yaml": "resources: [../base]\nnamePrefix: one-\n",
        "o2/kustomization.yaml": "resources: [../base, o.yaml]\n",
        "o2/o.yaml": CONFIGMAP.format(name="o"),
        "r2/kustomization.yaml": "resources: [../o2]\nnamePrefix: two-\n",
        "o3/kustomization.yaml": "resources: [../base]\nnamePrefix: three-\n",
        f"{first}/big.yaml": big,  # (not listed: only its size counts, to order the builds)
    }
    kept, built, handed = _both(_write(tmp_path, files), monkeypatch)
    assert kept == built and handed >= 1  # a base built within its own cycle handed to o3 at least
    assert any(f["rule"] == "kustomize-cycle" for f in kept["findings"])


def test_a_base_reached_deeper_than_the_include_limit_is_built_again(tmp_path: Path, monkeypatch) -> None:
    """A chain of kustomizations reached at depth 1 by one overlay and near MAX_INCLUDE_DEPTH by
    another: only the second runs past the limit, as it does when each builds the chain."""
    monkeypatch.setattr(build, "MAX_INCLUDE_DEPTH", 12)
    files = {f"chain/c{i}/kustomization.yaml": f"resources: [../c{i + 1}]\n" for i in range(6)}
    files["chain/c6/kustomization.yaml"] = "resources: [c.yaml]\n"
    files["chain/c6/c.yaml"] = CONFIGMAP.format(name="end")
    files["near/kustomization.yaml"] = "resources: [../chain/c0]\n"
    files |= {f"far/d{i}/kustomization.yaml": f"resources: [../d{i + 1}]\n" for i in range(7)}
    files["far/d7/kustomization.yaml"] = "resources: [../../chain/c0]\nnamePrefix: far-\n"
    kept, built, handed = _both(_write(tmp_path, files), monkeypatch)
    assert kept == built
    assert any("deeper than 12 levels" in f["message"] for f in kept["findings"])


def test_each_application_runs_out_where_building_the_base_again_would(tmp_path: Path, monkeypatch) -> None:
    """A base costing about 60% of the budget: an overlay that adds little renders, two that add
    more run out in their own patches, and one that spends half the budget before it includes the
    base runs out inside the base, as it would have building it (the kept build is not handed to
    an application without the steps it charged)."""
    monkeypatch.setattr(work, "MAX_WORK", 50_000)
    patches = "".join(
        f'- {{target: {{labelSelector: a=b}}, patch: \'[{{"op": "add", "path": "/data/p{n}", "value": "v"}}]\'}}\n'
        for n in range(20)
    )
    own = "".join(patches.splitlines(keepends=True)[:10])  # half the base's patches: half its steps and more
    objects = "---\n".join(CONFIGMAP.format(name=f"c{i}") for i in range(26))
    files = {
        "base/kustomization.yaml": "resources: [c.yaml]\npatches:\n" + patches,
        "base/c.yaml": objects,
        "costly/kustomization.yaml": "resources: [c.yaml]\npatches:\n" + patches.replace("/p", "/q"),
        "costly/c.yaml": objects.replace("name: c", "name: d"),
        "light/kustomization.yaml": "resources: [../base]\nnamePrefix: light-\n",
        "heavy/kustomization.yaml": "resources: [../base]\npatches:\n" + own.replace("/p", "/r"),
        "heavy2/kustomization.yaml": "resources: [../base]\npatches:\n" + own.replace("/p", "/s"),
        "late/kustomization.yaml": "resources: [../costly, ../base]\n",
    }
    kept, built, handed = _both(_write(tmp_path, files), monkeypatch)
    assert kept == built and handed >= 1
    ran_out = {f["file"].split("/")[-2] for f in kept["findings"] if f["rule"] == "kustomize-too-complex"}
    assert ran_out == {"heavy", "heavy2", "base"}  # heavy's and heavy2's own patches; late inside the base
    assert math.isinf(work.left())


def test_a_base_built_with_a_copy_of_what_its_application_built_before_is_not_kept(tmp_path: Path, monkeypatch) -> None:
    """Application a includes x, then the base, which includes x too: inside a, the base gets x as
    a copy (a diamond), cheaper than building it. Kept and handed to b, which has to build x,
    the base would charge b too little; b, whose own patches then fit the budget only without x's
    steps, must run out as it does when it builds the base itself (30,304 steps; 28,000 given)."""
    monkeypatch.setattr(work, "MAX_WORK", 28_000)
    patches = "".join(
        f'- {{target: {{labelSelector: a=b}}, patch: \'[{{"op": "add", "path": "/data/p{n}", "value": "v"}}]\'}}\n'
        for n in range(10)
    )
    objects = "---\n".join(CONFIGMAP.format(name=f"c{i}") for i in range(26))
    files = {
        "x/kustomization.yaml": "resources: [c.yaml]\npatches:\n" + patches,
        "x/c.yaml": objects,
        "base/kustomization.yaml": "resources: [../x]\nnamePrefix: base-\n",
        "a/kustomization.yaml": "resources: [../x, ../base]\nnamePrefix: a-\n",
        "b/kustomization.yaml": "resources: [../base]\npatches:\n" + patches.replace("/p", "/q"),
    }
    kept, built, _ = _both(_write(tmp_path, files), monkeypatch)
    assert kept == built
    assert [f["file"].split("/")[-2] for f in kept["findings"] if f["rule"] == "kustomize-too-complex"] == ["b"]


def test_a_kept_build_is_held_only_while_a_kustomization_that_lists_it_is_still_to_be_built(tmp_path: Path) -> None:
    """Each kept build is let go at the last of the times the tree lists it (that one gets the
    kept build itself, not a copy): memory holds it no longer than it can be asked for. What each
    application renders is what a builder of its own renders."""
    files = {
        "base/kustomization.yaml": "resources: [cm.yaml]\n",
        "base/cm.yaml": CONFIGMAP.format(name="cm"),
        "mid/kustomization.yaml": "resources: [../base]\nnamePrefix: mid-\n",
        **{f"o{n}/kustomization.yaml": f"resources: [../mid]\nnameSuffix: -{n}\n" for n in range(3)},
        "q/kustomization.yaml": "resources: [../base]\nnameSuffix: -q\n",
    }
    _write(tmp_path, files)
    sources = build.SourceFiles(tmp_path)
    edges = {}
    for kfile in sorted(tmp_path.glob("*/kustomization.yaml")):
        edges[(str(kfile.parent), str(kfile))] = tuple(build.Builder(sources).referenced_dirs(kfile))
    shared = build.Builder(sources, edges)
    base, mid = Path(tmp_path / "base"), Path(tmp_path / "mid")
    # mid listed by o0-o2, base by mid and q: held until o2 (mid) and q (base) are built
    for app, held in (("o0", {base, mid}), ("o1", {base, mid}), ("o2", {base}), ("q", set())):
        got = [res.node for res in shared.build(tmp_path / app).resources]
        want = [res.node for res in build.Builder(build.SourceFiles(tmp_path)).build(tmp_path / app).resources]
        assert [build.to_data(node) for node in got] == [build.to_data(node) for node in want]
        assert set(shared._kept) == held, app


def test_a_chain_the_include_limit_cuts_is_handed_only_to_applications_at_the_same_depth(
    tmp_path: Path, monkeypatch
) -> None:
    """Twenty applications include a chain of kustomizations longer than the include limit (each
    once built the whole chain again: 300 of them over a 150-long chain took 9 s). They are built
    once, cut where the limit cuts it; an application that reaches the chain one level deeper
    builds it itself, and is cut a level earlier."""
    monkeypatch.setattr(build, "MAX_INCLUDE_DEPTH", 8)
    files = {f"chain/c{i}/kustomization.yaml": f"resources: [../c{i + 1}]\n" for i in range(12)}
    files["chain/c12/kustomization.yaml"] = "resources: [c.yaml]\n"
    files["chain/c12/c.yaml"] = CONFIGMAP.format(name="end")
    files |= {f"r{n}/kustomization.yaml": "resources: [../chain/c0]\n" for n in range(20)}
    files |= {
        "deeper/kustomization.yaml": "resources: [../via]\n",
        "via/kustomization.yaml": "resources: [../chain/c0]\n",
    }
    kept, built, handed = _both(_write(tmp_path, files), monkeypatch)
    assert kept == built and handed >= 19
    deepest = {f["file"].split("/")[-2] for f in kept["findings"] if "deeper than 8 levels" in f["message"]}
    assert deepest == {"c5", "c6"}  # cut one level earlier below the deeper application


def test_a_kept_build_with_a_kept_build_inside_is_as_deep_as_both(tmp_path: Path, monkeypatch) -> None:
    """mid includes the chain, which r1 built first: mid gets the kept chain, and is kept in turn,
    as deep as itself and the chain together. An application that reaches mid two levels deeper
    than r2 does is past the include limit, and must build it and be cut, not get mid as kept."""
    monkeypatch.setattr(build, "MAX_INCLUDE_DEPTH", 6)
    files = {f"chain/c{i}/kustomization.yaml": f"resources: [../c{i + 1}]\n" for i in range(3)}
    files["chain/c3/kustomization.yaml"] = "resources: [c.yaml]\n"
    files["chain/c3/c.yaml"] = CONFIGMAP.format(name="end")
    files |= {
        "r1/kustomization.yaml": "resources: [../chain/c0]\n",
        "r2/kustomization.yaml": "resources: [../mid]\nnamePrefix: two-\n",
        "mid/kustomization.yaml": "resources: [../chain/c0]\nnamePrefix: mid-\n",
        "r3/kustomization.yaml": "resources: [../d1]\nnamePrefix: three-\n",
        "d1/kustomization.yaml": "resources: [../d2]\n",
        "d2/kustomization.yaml": "resources: [../mid]\n",
        "r4/kustomization.yaml": "resources: [../chain/c0]\nnamePrefix: four-\n",
    }
    kept, built, handed = _both(_write(tmp_path, files), monkeypatch)
    assert kept == built and handed >= 1
    assert any("deeper than 6 levels" in f["message"] for f in kept["findings"])


def test_a_kept_build_holding_a_cut_chain_is_handed_out_only_at_its_own_depth(tmp_path: Path, monkeypatch) -> None:
    """a3 includes a chain the include limit cuts, at stack depth 3; b2's mid includes it at the
    same depth and gets it as kept, and is kept in turn: what mid holds is cut where it is, so
    mid is handed out at its own depth only. c1 includes mid a level higher: it builds mid, whose
    chain goes a level further."""
    monkeypatch.setattr(build, "MAX_INCLUDE_DEPTH", 8)
    files = {f"chain/c{i}/kustomization.yaml": f"resources: [../c{i + 1}]\n" for i in range(12)}
    files["chain/c12/kustomization.yaml"] = "resources: [c.yaml]\n"
    files["chain/c12/c.yaml"] = CONFIGMAP.format(name="end")
    big = CONFIGMAP.format(name="big").replace("{x: y}", "{x: " + "y" * 4000 + "}")
    files |= {  # largest first: a1, then b1, then c1
        "a1/kustomization.yaml": "resources: [../a2, big.yaml]\n",
        "a1/big.yaml": big,
        "a2/kustomization.yaml": "resources: [../a3]\n",
        "a3/kustomization.yaml": "resources: [../chain/c0]\n",
        "b1/kustomization.yaml": "resources: [../b2, medium.yaml]\nnamePrefix: b-\n",
        "b1/medium.yaml": big.replace("y" * 4000, "y" * 2000),
        "b2/kustomization.yaml": "resources: [../mid]\n",
        "mid/kustomization.yaml": "resources: [../chain/c0]\nnamePrefix: mid-\n",
        "c1/kustomization.yaml": "resources: [../mid]\nnamePrefix: c-\n",
    }
    kept, built, handed = _both(_write(tmp_path, files), monkeypatch)
    assert kept == built and handed >= 1


def test_a_kept_build_is_not_handed_where_its_application_reaches_what_is_below_it_twice(
    tmp_path: Path, monkeypatch
) -> None:
    """k1 includes k3, which has a finding of its own; r0 builds k1 first. r1 includes k1 and k3:
    building k1 there keeps k3 for r1's second path to it (a copy, charged, without its findings),
    so r1 gets k1 built, not kept, and reports k3's finding once, as it does without kept builds
    (found by a random include-graph fuzzer: the finding twice)."""
    big = CONFIGMAP.format(name="big").replace("{x: y}", "{x: " + "y" * 2000 + "}")
    files = {
        "k1/kustomization.yaml": "resources: [../k3]\nnamePrefix: one-\n",
        "k3/kustomization.yaml": "resources: [c.yaml]\nbogusField: 1\n",
        "k3/c.yaml": CONFIGMAP.format(name="three"),
        "r0/kustomization.yaml": "resources: [../k1, big.yaml]\n",
        "r0/big.yaml": big,
        "r1/kustomization.yaml": "resources: [../k1, ../k3]\nnameSuffix: -r1\n",
    }
    kept, built, _ = _both(_write(tmp_path, files), monkeypatch)
    assert kept == built


def test_a_build_that_kept_a_copy_for_its_application_is_not_kept_for_others(tmp_path: Path, monkeypatch) -> None:
    """a includes x and d, and x includes d: inside a, x's build keeps d for a's other path (a copy
    of 500 keys, charged). Kept, x would charge b, which has no second path to d, the copy it never
    makes: b, given just the steps it takes without kept builds (its own patches more than the copy
    costs, so that the kept build would fit the budget left), must render."""
    data = "".join(f"  k{n}: v\n" for n in range(500))
    files = {
        "d/kustomization.yaml": "resources: [c.yaml]\n",
        "d/c.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata:\n" + data,
        "x/kustomization.yaml": "resources: [../d]\nnamePrefix: x-\n",
        "a/kustomization.yaml": "resources: [../x, ../d, big.yaml]\n",
        "a/big.yaml": CONFIGMAP.format(name="big").replace("{x: y}", "{x: " + "y" * 20_000 + "}"),
        "b/kustomization.yaml": "resources: [../x]\npatches:\n"
        + "".join(
            f'- {{target: {{kind: ConfigMap}}, patch: \'[{{"op": "add", "path": "/data/p{n}", "value": "v"}}]\'}}\n'
            for n in range(6)
        ),
    }
    _write(tmp_path, files)
    with work.budget():  # the steps b takes, built alone
        build.Builder(build.SourceFiles(tmp_path)).build(tmp_path / "b", (tmp_path,))
        steps = work.MAX_WORK - work.left()
    monkeypatch.setattr(work, "MAX_WORK", int(steps) + 1)
    kept, built, _ = _both(tmp_path, monkeypatch)
    assert kept == built
    assert not any(f["rule"] == "kustomize-too-complex" and "/b/" in f["file"] for f in kept["findings"])


@pytest.mark.parametrize("seed", range(int(os.environ.get("TORGHUT_LINT_KEPT_GRAPHS", "60"))))
def test_random_include_graphs_lint_and_render_alike_with_kept_builds_and_without(
    tmp_path: Path, monkeypatch, seed: int
) -> None:
    """Random graphs of kustomizations (cycles, chains, diamonds, prefixes, JSON patches) under a
    small include limit and a small or large budget: the report and the render are the same with
    kept builds as without (150 such graphs found the diamond case above)."""
    rng = random.Random(seed)
    count = rng.randint(4, 12)
    files = {}
    for i in range(count):
        resources = [f"r{i}.yaml"] if rng.random() < 0.7 else []
        if resources:
            files[f"k{i}/r{i}.yaml"] = CONFIGMAP.format(name=f"c{i}")
        for _ in range(rng.randint(0, 3)):
            j = rng.randrange(count)
            if j != i and f"../k{j}" not in resources:
                resources.append(f"../k{j}")
        kustomization: dict = {"resources": resources}
        if rng.random() < 0.5:
            kustomization["namePrefix"] = f"p{i}-"
        if rng.random() < 0.2:
            patch = json.dumps([{"op": "add", "path": f"/data/x{i}", "value": "v"}])
            kustomization["patches"] = [{"target": {"kind": "ConfigMap"}, "patch": patch}]
        files[f"k{i}/kustomization.yaml"] = json.dumps(kustomization)
    monkeypatch.setattr(build, "MAX_INCLUDE_DEPTH", rng.choice([3, 4, 6, 100]))
    monkeypatch.setattr(work, "MAX_WORK", rng.choice([2_000, 20_000, 2_000_000]))
    kept, built, _ = _both(_write(tmp_path, files), monkeypatch)
    assert kept == built
