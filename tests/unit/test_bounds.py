"""Small hostile inputs never hang the linter, blow up its memory, or end in exit 3 (issue 13).

Each case is a tree of a few kB that used to take minutes, gigabytes or a traceback. The command
runs in a subprocess under a hard timeout and ``/usr/bin/time``-free RSS accounting (resource
usage of the child), so a regression shows up as a failed test, not a hung suite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_measured

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s}\ndata: {a: b}\n"


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode() if isinstance(text, str) else text)
    return root


def lint(root: Path, *args: str, timeout: float = 30, cwd: Path | None = None) -> tuple[int, str, str, int]:
    """(exit code, stdout, stderr, peak RSS of the lint in MB)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    proc, peak = run_measured(
        [sys.executable, "-m", "torghut_lint", "--no-schemas", "--format", "json", *args, str(root)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
        cwd=cwd or root,
    )
    return proc.returncode, proc.stdout, proc.stderr, peak


def rules_of(stdout: str) -> set[str]:
    import json

    return {f["rule"] for f in json.loads(stdout)["findings"]}


def test_backtracking_target_regex_is_linear(tmp_path: Path) -> None:
    """``(a|a)*b`` against a 30-character name took minutes with Python's re; RE2 is linear."""
    name = "a" * 30
    write(
        tmp_path,
        {
            "cm.yaml": CM % name,
            "kustomization.yaml": 'resources: [cm.yaml]\npatches:\n- target: {name: "(a|a)*b"}\n'
            "  patch: |-\n    - {op: add, path: /data/x, value: y}\n",
        },
    )
    code, out, err, _ = lint(tmp_path, timeout=20)
    assert code == 0 and err == "", err
    assert rules_of(out) == {"kustomize-patch-unmatched"}


@pytest.mark.parametrize("pattern", [r"\\z(", "(?<=a)b", "a{1001}"])
def test_target_regex_kustomize_rejects_is_a_located_finding(tmp_path: Path, pattern: str) -> None:
    write(
        tmp_path,
        {
            "cm.yaml": CM % "x",
            "kustomization.yaml": f'resources: [cm.yaml]\npatches:\n- target: {{name: "{pattern}"}}\n'
            "  patch: |-\n    - {op: add, path: /data/x, value: y}\n",
        },
    )
    code, out, err, _ = lint(tmp_path)
    assert code == 1, err
    assert "kustomize-patch-invalid" in rules_of(out)


def test_re2_only_syntax_matches_as_in_kustomize(tmp_path: Path) -> None:
    r"""``[[:alpha:]]`` and ``\z`` are Go regexp syntax: the patch applies (kubectl agrees)."""
    write(
        tmp_path,
        {
            "cm.yaml": CM % "torghut-ws",
            "kustomization.yaml": 'resources: [cm.yaml]\npatches:\n- target: {name: "[[:alpha:]]+-ws\\\\z"}\n'
            '  patch: |-\n    - {op: add, path: /data/TRADING_LIVE_ENABLED, value: "true"}\n',
        },
    )
    code, out, err, _ = lint(tmp_path)
    assert "kustomize-patch-unmatched" not in rules_of(out), out


def test_colon_string_does_not_make_the_secrets_scan_quadratic(tmp_path: Path) -> None:
    value = "x://" + ":" * 200_000
    write(tmp_path, {"cm.yaml": f'apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata: {{a: "{value}"}}\n'})
    code, _, err, _ = lint(tmp_path, timeout=20)
    assert code == 0, err


def test_diamond_includes_are_built_once_each(tmp_path: Path) -> None:
    """41 tiny kustomizations in diamonds: one build per path was 2^20 builds. kustomize refuses
    the tree (the same ConfigMap reaches the root twice): so does the linter, quickly."""
    files: dict[str, str] = {}
    depth = 20
    for i in range(depth):
        files[f"l{i}/kustomization.yaml"] = f"resources: [../a{i}, ../b{i}]\n"
        files[f"a{i}/kustomization.yaml"] = f"resources: [../l{i + 1}]\n"
        files[f"b{i}/kustomization.yaml"] = f"resources: [../l{i + 1}]\n"
    files[f"l{depth}/kustomization.yaml"] = "resources: [cm.yaml]\n"
    files[f"l{depth}/cm.yaml"] = CM % "x"
    write(tmp_path, files)
    code, out, err, rss = lint(tmp_path / "l0", timeout=20, cwd=tmp_path)
    assert code == 1, err
    assert rules_of(out) == {"kustomize-invalid"}
    assert len(json.loads(out)["findings"]) == depth  # one per diamond, not one per path through it
    assert rss < 300


def test_json_patch_copy_bomb_is_refused(tmp_path: Path) -> None:
    ops = "    - {op: add, path: /data/x, value: [a, b]}\n" + "    - {op: copy, from: /data/x, path: /data/x/-}\n" * 60
    write(
        tmp_path,
        {
            "cm.yaml": CM % "x",
            "kustomization.yaml": f"resources: [cm.yaml]\npatches:\n- target: {{kind: ConfigMap}}\n  patch: |-\n{ops}",
        },
    )
    code, out, err, rss = lint(tmp_path, timeout=20)
    assert code == 1, err
    assert "kustomize-patch-invalid" in rules_of(out)
    assert rss < 300


def test_dense_file_is_refused_before_it_is_composed(tmp_path: Path) -> None:
    """8 MB of ``- a``: 2 million nodes, 650 MB once composed. Refused within 10x its bytes + 200 MB."""
    write(tmp_path, {"list.yaml": "a:\n" + "- a\n" * 2_000_000})
    code, out, err, rss = lint(tmp_path, timeout=30)
    assert code == 1, err
    assert rules_of(out) == {"yaml-too-complex"}
    assert rss < 8 * 10 + 200


def test_alias_expansion_is_budgeted_per_file(tmp_path: Path) -> None:
    """Many documents, each just under the old per-document budget, add up: the budget is the file's."""
    doc = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    doc += "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    doc += "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
    write(tmp_path, {"bomb.yaml": "---\n".join([doc] * 20)})
    code, out, err, rss = lint(tmp_path, timeout=30)
    assert code == 1, err
    assert rules_of(out) == {"yaml-too-complex"}
    assert rss < 250


def test_generator_input_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.env"
    write(tmp_path, {"kustomization.yaml": "configMapGenerator:\n- name: g\n  envs: [big.env]\n"})
    with big.open("wb") as out:
        out.truncate(9 * 1024 * 1024)
    code, out, err, rss = lint(tmp_path, timeout=20)
    assert code == 1, err
    assert "yaml-too-large" in rules_of(out)
    assert rss < 200


def test_discovery_is_linear_in_depth(tmp_path: Path) -> None:
    """One file 1,900 directories deep took 81 s (each directory resolved from the root)."""
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        for _ in range(1_900):
            os.mkdir("d")
            os.chdir("d")
        Path("cm.yaml").write_text(CM % "x")
    finally:
        os.chdir(here)
    try:
        code, out, err, _ = lint(tmp_path, timeout=20)
        assert code == 0, err
    finally:
        _remove_deep(tmp_path / "d")


def _remove_deep(top: Path) -> None:
    """Remove a deep chain of ``d`` directories without recursion (pytest's cleanup recurses)."""
    here = os.getcwd()
    try:
        os.chdir(top)
        depth = 1
        while os.path.isdir("d"):
            os.chdir("d")
            depth += 1
        for name in os.listdir("."):
            os.unlink(name)
        for _ in range(depth):
            os.chdir("..")
            os.rmdir("d")
    finally:
        os.chdir(here)


KUSTOMIZATION_SHAPES = {
    "merge-keys": "base: &b {resources: [cm.yaml]}\n<<: *b\nnamePrefix: p-\n",
    "patches-scalar": "resources: [cm.yaml]\npatches: 3\n",
    "patch-path-int": "resources: [cm.yaml]\npatches: [{path: 1}]\n",
    "target-list": "resources: [cm.yaml]\npatches: [{target: [1], patch: 'a: b'}]\n",
    "selector-int": "resources: [cm.yaml]\npatches:\n- target: {labelSelector: 3}\n  patch: '[]'\n",
    "images-int": "resources: [cm.yaml]\nimages: [{name: x, newTag: 1}, 3]\n",
    "replicas-str": "resources: [cm.yaml]\nreplicas: [{name: x, count: '3'}]\n",
    "generator-literal-map": "configMapGenerator: [{name: g, literals: [{a: b}]}]\n",
    "generator-files-int": "configMapGenerator: [{name: g, files: [3]}]\n",
    "generator-envs-map": "configMapGenerator: [{name: g, envs: {a: b}}]\n",
    "generator-options-list": "generatorOptions: []\nconfigMapGenerator: [{name: g, literals: [a=b]}]\n",
    "labels-pairs-list": "resources: [cm.yaml]\nlabels: [{pairs: [a]}]\n",
    "long-path": "resources: [" + "a" * 5000 + ".yaml]\n",
    "nul-path": 'resources: ["a\\0b.yaml"]\n',
    "json-patch-scalar-ops": "resources: [cm.yaml]\npatches:\n- target: {kind: ConfigMap}\n  patch: '[1, {op: add}]'\n",
    "json-patch-bad-index": "resources: [cm.yaml]\npatches:\n- target: {kind: ConfigMap}\n"
    "  patch: '[{op: add, path: /data/99999999999999999999, value: 1}]'\n",
    "delete-directive-scalar": "resources: [cm.yaml]\npatches:\n- patch: |-\n    apiVersion: v1\n"
    "    kind: ConfigMap\n    metadata: {name: x}\n    data: {$patch: delete}\n",
    "helm-chart-int": "helmCharts: [3, {name: 4, valuesFile: 5, valuesInline: 6}]\n",
}


@pytest.mark.parametrize("name", sorted(KUSTOMIZATION_SHAPES))
def test_malformed_kustomization_is_a_finding_never_exit_3(tmp_path: Path, name: str) -> None:
    write(tmp_path, {"cm.yaml": CM % "x", "kustomization.yaml": KUSTOMIZATION_SHAPES[name]})
    code, out, err, _ = lint(tmp_path)
    assert code in (0, 1), (code, err)
    assert err == ""


def test_deep_include_chain_is_reported_not_a_recursion_error(tmp_path: Path) -> None:
    files = {f"k{i}/kustomization.yaml": f"resources: [../k{i + 1}]\n" for i in range(400)}
    files["k400/kustomization.yaml"] = "resources: [cm.yaml]\n"
    files["k400/cm.yaml"] = CM % "x"
    write(tmp_path, files)
    code, out, err, _ = lint(tmp_path / "k0", cwd=tmp_path)
    assert code == 1, err
    assert rules_of(out) == {"kustomize-invalid"}


def test_patch_growing_a_resource_past_the_node_budget_is_reported(tmp_path: Path) -> None:
    """Aliases in a patch are shared nodes: once merged their values expand past the budget."""
    patch = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    patch += "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    write(
        tmp_path,
        {
            "cm.yaml": CM % "x",
            "p.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
            + "data:\n  "
            + patch.replace("\n", "\n  "),
            "kustomization.yaml": "resources: [cm.yaml]\npatches:\n- path: p.yaml\n"
            "- target: {kind: ConfigMap}\n  patch: '[{op: copy, from: /data/d, path: /data/e}, "
            "{op: copy, from: /data/d, path: /data/f}, {op: copy, from: /data/e, path: /data/g}]'\n",
        },
    )
    code, out, err, rss = lint(tmp_path)
    assert code in (0, 1) and err == "", err
    assert rss < 300


def test_a_full_disk_on_stdout_is_exit_2(tmp_path: Path) -> None:
    write(tmp_path, {"cm.yaml": CM % "x"})
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "torghut_lint", "--no-schemas", str(tmp_path)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=30,
        )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("torghut-lint: error:") and proc.stderr.count("\n") == 1


def test_an_unwritable_baseline_path_is_exit_2(tmp_path: Path) -> None:
    write(tmp_path, {"cm.yaml": CM % "x"})
    code, _, err, _ = lint(tmp_path, "--write-baseline", str(tmp_path / "no" / "such" / "dir" / "b.json"))
    assert code == 2
    assert "cannot write baseline" in err and err.count("\n") == 1


def test_an_application_sets_template_patch_of_open_actions_is_read_in_one_pass(tmp_path: Path) -> None:
    """32,000 ``{{`` never closed (64 kB, the most of a templatePatch read): a lazy regular
    expression rescanned the rest of the text at each one (18 s); one pass takes milliseconds."""
    patch = "{{" * 32_000
    write(
        tmp_path,
        {
            "set.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: s}\nspec:\n"
            f"  generators: []\n  template: {{metadata: {{name: x}}, spec: {{source: {{path: x}}}}}}\n"
            f"  templatePatch: '{patch}'\n"
        },
    )
    (tmp_path / ".git").mkdir()
    code, stdout, stderr, _ = lint(tmp_path, timeout=10)
    assert (code, stderr) == (1, "") and rules_of(stdout) == {"argocd-source-override"}


def test_spaces_in_a_clickhouse_ttl_do_not_make_its_reading_quadratic(tmp_path: Path) -> None:
    """400 kB of spaces in a TTL and no interval after them: an optional sign and ``\\s*`` before the
    interval pattern tried every space as a start (minutes); anchored on the keyword, it is linear."""
    ttl = "CREATE TABLE t (ts DateTime) ENGINE = MergeTree ORDER BY ts TTL ts + INTERVAL 9 YEAR, ts +"
    ttl += " " * 400_000 + "toIntervalDay"  # no interval after the spaces: every start was tried
    write(tmp_path, {"torghut/cm.yaml": CM.replace("{a: b}", "{schema.sql: '" + ttl + "'}") % "ddl"})
    code, stdout, stderr, _ = lint(tmp_path, timeout=10)
    # read within seconds: the soonest delete the linter can bound is past the limit, the other unreadable
    assert (code, stderr) == (1, "") and rules_of(stdout) == {"clickhouse-table-ttl"}


def test_texts_searched_from_each_assignment_are_linear(tmp_path: Path) -> None:
    """A ConfigMap's ``.env`` of 60,000 assignments naming the live-trading switch, and an
    entrypoint script of 60,000 ``;A="``: each assignment's successor was searched for through the
    RE2 binding's ``str`` interface, which encodes the text and counts to the position at every
    call (2 MB of them took 7 minutes). Both read, within seconds: the switch (set, so it needs an
    owner) and the script's credential."""
    env = "TRADING_LIVE_ENABLED=false\n" + "".join(f'K{i}="v" \n' for i in range(60_000))
    script = "DB_PASSWORD=Zq8vR2mX9pL4kT7w\n" + ';A="' * 60_000
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: torghut-env, namespace: torghut}\n"
    write(tmp_path, {"cm.yaml": cm + f"data:\n  .env: {json.dumps(env)}\n  entrypoint.sh: {json.dumps(script)}\n"})
    code, out, err, _ = lint(tmp_path, timeout=60)
    assert code == 1, err
    assert sorted(f["rule"] for f in json.loads(out)["findings"]) == ["live-trading-owner", "no-inline-secrets"]


def test_each_credential_of_a_large_loose_file_is_located_in_linear_time(tmp_path: Path) -> None:
    """A loose ``.env`` of 80,000 credentials (2.9 MB): each finding's line was found by a search
    and a count of lines from the file's start (40,000 took 12 s, this many a minute); each is now
    looked for after the one before."""
    write(tmp_path, {"app.env": "".join(f"DB{i}_PASSWORD=Zq8vR2mX{i:06d}pL4k\n" for i in range(80_000))})
    code, out, err, _ = lint(tmp_path, timeout=30)
    assert code == 1, err
    lines = [f["line"] for f in json.loads(out)["findings"]]
    assert lines == list(range(1, 80_001))


def test_masking_tens_of_thousands_of_credentials_of_mixed_shapes_is_linear(tmp_path: Path) -> None:
    """40,000 credentials in clear in a ConfigMap and 5,000 of another shape handed on in a
    Deployment: every text of the report is masked against all 45,000. One RE2 alternation of them
    fell off its fast path (0.6 ms per search of a short message: two minutes); an Aho-Corasick
    automaton takes seconds. Every finding is made and no value reaches the report."""
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n"
    cm += "".join(f"  DB{i}_PASSWORD: Zq8vR2mX{i:06d}pL4k\n" for i in range(40_000))
    env = "".join(f"            - {{name: S{i}, value: Yy1xW2vU{i:06d}tS4r}}\n" for i in range(5_000))
    env += "".join(f"            - {{name: P{i}_PASSWORD, value: $(S{i})}}\n" for i in range(5_000))
    deploy = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\nspec:\n  selector: {matchLabels: {app: b}}\n"
        "  template:\n    metadata: {labels: {app: b}}\n    spec:\n      containers:\n        - name: b\n"
        "          image: registry.example/b:v1\n          env:\n" + env
    )
    write(tmp_path, {"all.yaml": cm + "---\n" + deploy})
    code, out, err, _ = lint(tmp_path, timeout=30)
    assert code == 1, err
    assert len(json.loads(out)["findings"]) == 45_000
    assert "Zq8vR2mX" not in out and "Yy1xW2vU" not in out


def test_a_large_text_read_as_configuration_is_read_in_linear_time(tmp_path: Path) -> None:
    """An ini file of 60,000 settings in a ConfigMap under a name of no extension, its last line a
    password: told a configuration file by what it holds (each line looked at once, by RE2) and
    the password found, within seconds; a dense YAML text of the same kind is read within the
    parse's node budget."""
    ini = "[s]\n" + "".join(f"key{i} = value{i}\n" for i in range(60_000)) + "password = Tr4d1ngS3cretPw\n"
    dense = "x: 1\n" * 60_000 + "password: Tr4d1ngS3cretPw\n"
    data = f"data:\n  settings: {json.dumps(ini)}\n  other: {json.dumps(dense)}\n"
    write(tmp_path, {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n" + data})
    code, out, err, _ = lint(tmp_path, timeout=30)
    assert code == 1, err
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["no-inline-secrets"] * 2
    assert "Tr4d1ngS3cretPw" not in out


def test_a_command_line_expanding_past_what_exec_takes_is_read_as_written(tmp_path: Path) -> None:
    """6,000 words of ``$(A)`` fifteen times, ``A`` 8 kB: each word under the kernel's limit for
    one, together 720 MB that no exec would take. Read as the kubelet expands it, the line was
    built whole (400 kB of manifest, 720 MB of memory); past ARG_MAX it is read as written."""
    container = {
        "name": "c",
        "image": "registry.example/app:v1",
        "env": [{"name": "A", "value": "y" * 8000}],
        "command": ["app"],
        "args": ["$(A)" * 15] * 6000,
    }
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [container]}}
    write(tmp_path, {"pod.json": json.dumps(pod)})
    code, _, err, rss = lint(tmp_path, timeout=30)
    assert code == 0, err
    assert rss < 150, rss


def test_applications_recursing_over_one_directory_walk_it_once(tmp_path: Path) -> None:
    """3,000 Applications recursing over one directory of 1,500, each spelling its path its own way
    (450 kB): whether a kustomization is below and what the directory holds were asked again for
    each (48 s); once per run per resolved directory."""
    files = {f"plain/d{n}/cm.yaml": CM % f"c{n}" for n in range(1_500)}
    files["plain/d0/kustomization.yaml"] = "resources: [cm.yaml]\n"
    files["apps.yaml"] = "---\n".join(
        f"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: a{n}}}\nspec:\n"
        f"  source: {{path: plain/d{n % 1_500}/.., directory: {{recurse: true}}}}\n"
        for n in range(3_000)
    )
    write(tmp_path, files)
    (tmp_path / ".git").mkdir()
    code, stdout, stderr, _ = lint(tmp_path, timeout=20)
    assert (code, stderr) == (1, "") and rules_of(stdout) == {"argocd-source-override"}
