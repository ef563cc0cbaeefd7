"""The built-in renderer against ``kubectl kustomize`` (kustomize v5, what Argo CD runs): every
kustomization root of the fixtures, of the lab corpus, and a few hundred generated ones render
to the same resources, field by field. Where kubectl refuses a tree, the built-in build must have
a blocking finding: a gate that cannot see must not say yes."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, FIXTURES, ROOT
from torghut_lint.cli import main
from torghut_lint.kustomize.build import Builder, SourceFiles
from torghut_lint.kustomize.reading import manifest_problem, resources_of
from torghut_lint.model import Severity
from torghut_lint.parse import parse_bytes

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
LAB = CORPUS / "lab-argocd-2026-08-22"
# Roots whose rendering differs from kubectl's only in text form, with the reason.
TEXT_EXCEPTIONS: dict[str, str] = {}


def kubectl(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["kubectl", "kustomize", str(root)], capture_output=True, timeout=120, stdin=subprocess.DEVNULL
    )


lab_kubectl = functools.cache(kubectl)  # the lab roots are rendered once for both lab tests


def by_identity(resources) -> dict:
    return {(r.id.api_version, r.id.kind, r.id.namespace, r.id.name): r.data for r in resources}


def differences(want: dict, have: dict) -> list[str]:
    out = [f"missing {k}" for k in sorted(set(want) - set(have))]
    out += [f"extra {k}" for k in sorted(set(have) - set(want))]
    out += [
        f"differs {k}"
        for k in sorted(set(want) & set(have))
        if json.dumps(want[k], sort_keys=True) != json.dumps(have[k], sort_keys=True)
    ]
    return out


def compare(root: Path, boundary: Path, render=kubectl) -> tuple[bool, list[str]]:
    """(kubectl rendered it, differences or why the built-in build cannot stand for it)."""
    proc = render(root)
    build = Builder(SourceFiles(boundary)).build(root)
    if proc.returncode != 0:
        if b"--enable-helm" in proc.stderr:
            return False, []  # a Helm chart: kubectl needs Helm; reported as not rendered, see below
        blocking = [f for f in build.findings if f.severity >= Severity.ERROR]
        return False, [] if blocking else [f"kubectl refuses {root} but the built-in build has no blocking finding"]
    if any(f.rule == "kustomize-unsupported" and f.severity >= Severity.ERROR for f in build.findings):
        return True, []  # the built-in renderer says it cannot model this tree, and blocks: fail closed
    want = by_identity(resources_of(parse_bytes(proc.stdout, "kubectl"), []))
    # what is no object to kubectl's side (a name that is not a string) is none to ours either
    have = [r for r in build.resources if manifest_problem(r.data) is None]
    return True, differences(want, by_identity(have))


def roots(tree: Path) -> list[Path]:
    return sorted({p.parent for p in tree.rglob("kustomization.yaml")})


@pytest.mark.parametrize("root", roots(FIXTURES), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_roots_render_as_kubectl_does(root: Path) -> None:
    _, problems = compare(root, ROOT)  # the repository: fixtures may use the shipped install component
    assert problems == []


@pytest.mark.skipif(not LAB.is_dir(), reason="../shared/corpus is not present")
def test_lab_tree_renders_as_kubectl_does_for_every_root_kubectl_can_render() -> None:
    rendered, problems = 0, {}
    for root in roots(LAB):
        ok, diff = compare(root, LAB, lab_kubectl)
        rendered += ok
        if diff:
            problems[str(root.relative_to(LAB))] = diff[:3]
    assert problems == {}
    assert rendered >= 81  # the roots kubectl renders offline at 2026-08-22 (the rest use Helm or URLs)


@pytest.mark.skipif(not LAB.is_dir(), reason="../shared/corpus is not present")
def test_render_prints_what_kubectl_prints() -> None:
    """``torghut-lint render`` is diff-able against kubectl: byte-identical but for the listed roots."""
    differ = []
    for root in roots(LAB):
        proc = lab_kubectl(root)
        if proc.returncode != 0:
            continue
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(["render", str(root), "--repo-root", str(LAB)])
        rel = str(root.relative_to(LAB))
        if out.getvalue().encode() != proc.stdout and rel not in TEXT_EXCEPTIONS:
            differ.append(rel)
    assert differ == []


# Strings whose printed form go-yaml chooses unlike PyYAML's emitter left alone: a multi-line text
# no literal block can hold (double-quoted, not single), a long double-quoted line (broken at a
# space, not escaped), a line break other than a line feed (no indentation before the closing
# quote), characters go-yaml does not print (escaped: an emoji, NEL).
PRINTED = {
    "space before a line break": "line1 \nline2\n",
    "quote and trailing space": "quote ' inside\nline ",
    "long with a line feed": "a long line that goes on and on and on and on and on and on and on and on and on "
    "and on and on \nshort",
    "long with double spaces": "words  " * 20 + "\nend",
    "tab inside": "tab\tinside\nnext",
    "line separator last": "q\u2028",
    "paragraph separator first": "\u2029 p",
    "next line": "a\x85b",
    "emoji": "ok \U0001f600",
    "long single-quoted": "@" + " lorem ipsum" * 12,
    "long single-quoted with a separator": "* " + "dolor sit " * 9 + "\u2028" + "amet " * 8,
    "backslash and quote": 'a "quoted" \\ word\n ',
}


def _printed_tree(root: Path, data: dict[str, str]) -> Path:
    """A ConfigMap holding ``data``, written as JSON: characters outside the Basic Multilingual
    Plane as they are (go-yaml refuses a surrogate pair's escapes), YAML 1.1's other line breaks
    escaped (written as they are, they would fold)."""
    text = json.dumps(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "s"}, "data": data}, ensure_ascii=False
    )
    for raw in "\x85\u2028\u2029":
        text = text.replace(raw, f"\\u{ord(raw):04x}")
    (root / "cm.yaml").write_text(text, encoding="utf-8")
    (root / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    return root


def _render(root: Path) -> bytes:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(["render", str(root)]) == 0
    return out.getvalue().encode()


def test_render_prints_strings_as_kubectl_prints_them(tmp_path: Path) -> None:
    """Values and keys (a key is written on one line) in the styles and line breaks go-yaml v2
    writes them in, byte for byte."""
    data = {**{f"k{i}": text for i, text in enumerate(PRINTED.values())}}
    # (a key holding NEL is refused by kustomize and blocked here: tests/unit/test_goyaml.py)
    data.update({text.replace("\n", " ")[:40]: "key" for text in PRINTED.values() if "\x85" not in text})
    root = _printed_tree(tmp_path, data)
    proc = kubectl(root)
    assert proc.returncode == 0, proc.stderr
    assert _render(root).decode() == proc.stdout.decode()


# Keys go-yaml writes after "? " where PyYAML would not, or the other way round: go-yaml counts
# bytes (at most 128) where PyYAML counts characters (below 128), takes a carriage return for a line
# break and an empty key for a simple one; and a text that starts with a byte-order mark has every
# character escaped (go-yaml's is_bom looks at the text's start, whatever the position).
KEYS = ["a" * 127, "a" * 128, "a" * 129, "é" * 64, "é" * 65, "", "x\ry", "\x1c\r1_0", "\ufeffab c", "k\u2029"]


def test_render_prints_keys_as_kubectl_prints_them(tmp_path: Path) -> None:
    root = _printed_tree(tmp_path, {**{key: "v" for key in KEYS}, "bom": "\ufeffa b\tc"})
    proc = kubectl(root)
    assert proc.returncode == 0, proc.stderr
    assert _render(root).decode() == proc.stdout.decode()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.lists(
            st.sampled_from(
                ["word", " ", "  ", "\n", "\t", '"', "'", "\\", "é", "\U0001f600", "\x85", "\u2028", ":", "#", "-"]
                + ["true", "1", "x" * 30, "@", "*", "&", "{", "%", "|", ">", "!", "?", "null"]
            ),
            min_size=1,
            max_size=30,
        ).map("".join),
        min_size=1,
        max_size=8,
    )
)
def test_render_prints_generated_strings_as_kubectl_prints_them(tmp_path_factory, texts: list[str]) -> None:
    root = _printed_tree(tmp_path_factory.mktemp("printed"), {f"k{i}": text for i, text in enumerate(texts)})
    proc = kubectl(root)
    assert proc.returncode == 0, proc.stderr
    assert _render(root).decode() == proc.stdout.decode()


# -- generated kustomizations ---------------------------------------------------------------

BASE = {
    "deploy.yaml": {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "torghut-ws", "labels": {"app": "ws"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "ws"}},
            "template": {
                "metadata": {"labels": {"app": "ws"}},
                "spec": {
                    "containers": [
                        {
                            "name": "ws",
                            "image": "registry/ws:1",
                            "env": [{"name": "TRADING_LIVE_ENABLED", "value": "false"}, {"name": "A", "value": "1"}],
                            "envFrom": [{"configMapRef": {"name": "ws-config"}}],
                        }
                    ],
                    "volumes": [{"name": "cfg", "configMap": {"name": "ws-config", "defaultMode": 292}}],
                },
            },
        },
    },
    "service.yaml": {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "torghut-ws"},
        "spec": {"selector": {"app": "ws"}, "ports": [{"port": 80, "targetPort": 8080}]},
    },
    "sa.yaml": {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "ws"}},
    "binding.yaml": {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": "ws"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "ws"},
        "subjects": [{"kind": "ServiceAccount", "name": "ws"}],
    },
    "role.yaml": {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": {"name": "ws"},
        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}],
    },
}

names = st.sampled_from(["p-", "torghut-", ""])
labels = st.dictionaries(st.sampled_from(["app", "team", "tier"]), st.sampled_from(["ws", "x", "true"]), max_size=2)
smp = st.sampled_from(
    [
        {"spec": {"replicas": 3}},
        {"spec": {"template": {"spec": {"containers": [{"name": "ws", "env": [{"name": "B", "value": "2"}]}]}}}},
        {"spec": {"template": {"spec": {"containers": [{"name": "ws", "env": [{"name": "A", "$patch": "delete"}]}]}}}},
        {"spec": {"template": {"metadata": {"annotations": {"a": "b"}}}}},
        {"spec": {"template": {"metadata": {"labels": {"$patch": "delete"}}}}},
        {"metadata": {"labels": {"patched": "yes"}}},
    ]
)
json_ops = st.sampled_from(
    [
        [{"op": "replace", "path": "/spec/replicas", "value": 2}],
        [{"op": "add", "path": "/metadata/annotations", "value": {"k": "v"}}],
        [{"op": "copy", "from": "/metadata/labels", "path": "/metadata/annotations"}],
        [
            {
                "op": "move",
                "from": "/spec/template/spec/containers/0/env/1",
                "path": "/spec/template/spec/containers/0/env/0",
            }
        ],
        [{"op": "remove", "path": "/spec/template/spec/volumes"}],
        [{"op": "test", "path": "/spec/replicas", "value": 1}],
    ]
)
targets = st.sampled_from(
    [
        {"kind": "Deployment"},
        {"kind": "Deployment", "name": "torghut-.*"},
        {"labelSelector": "app=ws"},
        {"labelSelector": "app in (ws,x),!missing"},
        {"name": "[[:alpha:]]+-ws", "kind": "Deployment"},
    ]
)
patches = st.lists(
    st.one_of(
        st.builds(
            lambda body, target: {
                "patch": yaml.safe_dump(
                    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "torghut-ws"}, **body}
                ),
                **({"target": target} if target else {}),
            },
            smp,
            st.one_of(st.none(), st.just({"kind": "Deployment"})),
        ),
        st.builds(lambda ops, target: {"patch": json.dumps(ops), "target": target}, json_ops, targets),
    ),
    max_size=3,
)
generator = st.fixed_dictionaries(
    {"name": st.just("ws-config"), "literals": st.lists(st.sampled_from(["A=1", "B=two", "C=true"]), unique=True)},
    optional={
        "options": st.fixed_dictionaries({}, optional={"disableNameSuffixHash": st.booleans(), "labels": labels})
    },
)
kustomizations = st.fixed_dictionaries(
    {"resources": st.lists(st.sampled_from(sorted(BASE)), min_size=1, unique=True)},
    optional={
        "namespace": st.sampled_from(["torghut", "other"]),
        "namePrefix": names,
        "nameSuffix": st.sampled_from(["-v1", ""]),
        "commonLabels": labels,
        "labels": st.lists(
            st.fixed_dictionaries(
                {"pairs": labels}, optional={"includeSelectors": st.booleans(), "includeTemplates": st.booleans()}
            ),
            max_size=2,
        ),
        "commonAnnotations": labels,
        "images": st.lists(
            st.fixed_dictionaries(
                {"name": st.just("registry/ws")},
                optional={"newTag": st.just("2"), "digest": st.just("sha256:" + "a" * 64), "newName": st.just("r/x")},
            ),
            max_size=1,
        ),
        "replicas": st.lists(
            st.fixed_dictionaries({"name": st.just("torghut-ws"), "count": st.integers(0, 4)}), max_size=1
        ),
        "patches": patches,
        "configMapGenerator": st.lists(generator, max_size=1),
    },
)


def _replacement(source: dict, select: dict, paths: list[str], options: dict | None = None) -> list[dict]:
    target = {"select": select, "fieldPaths": paths, **({"options": options} if options else {})}
    return [{"source": source, "targets": [target]}]


# what a replacement reads and writes in BASE: names after the prefixes, a port into a string, a
# container's image split at a delimiter, an env value by a pattern that also selects others
replacements = st.sampled_from(
    [
        _replacement(
            {"kind": "Service", "name": "torghut-ws", "fieldPath": "metadata.name"},
            {"kind": "Deployment"},
            ["metadata.annotations.svc"],
            {"create": True},
        ),
        _replacement(
            {"kind": "Service", "fieldPath": "spec.ports.0.port"},
            {"kind": "Deployment"},
            ["spec.template.spec.containers.[name=ws].env.[name=A].value"],
        ),
        _replacement(
            {"kind": "Deployment", "fieldPath": "spec.template.spec.containers.0.image", "options": {"delimiter": ":"}},
            {"kind": "ServiceAccount"},
            ["metadata.labels.image"],
            {"create": True},
        ),
        _replacement(
            {"kind": "Service", "fieldPath": "spec.ports.0.targetPort"},
            {"kind": "Deployment", "name": "torghut-ws"},
            ["spec.template.spec.containers.*.env.[name=L].value"],
        ),
    ]
)


components = st.fixed_dictionaries(
    {"apiVersion": st.just("kustomize.config.k8s.io/v1alpha1"), "kind": st.just("Component")},
    optional={
        "patches": patches,
        "commonAnnotations": labels,
        "configMapGenerator": st.lists(generator, max_size=1),
        "images": st.lists(st.fixed_dictionaries({"name": st.just("registry/ws"), "newTag": st.just("3")}), max_size=1),
        "replacements": replacements,
    },
)


@settings(
    max_examples=int(os.environ.get("TORGHUT_LINT_PARITY_CASES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(kustomizations, st.booleans(), st.one_of(st.none(), components), st.one_of(st.none(), replacements))
def test_generated_kustomizations_render_as_kubectl_does(
    tmp_path: Path, kustomization: dict, overlay: bool, component: dict | None, replacement: list | None
) -> None:
    """A base with the generated kustomization (and maybe a component, maybe replacements),
    optionally under an overlay that adds a prefix and labels: the same resources as kubectl, or,
    where kubectl refuses the tree or the built-in renderer does not model a field, a blocking
    finding."""
    tree = tmp_path / "tree"
    shutil.rmtree(tree, ignore_errors=True)
    base = tree / "base"
    base.mkdir(parents=True)
    for name, doc in BASE.items():
        (base / name).write_text(yaml.safe_dump(doc))
    if component is not None:
        (tree / "comp").mkdir()
        (tree / "comp" / "kustomization.yaml").write_text(yaml.safe_dump(component))
        kustomization = {**kustomization, "components": ["../comp"]}
    if replacement is not None:
        kustomization = {**kustomization, "replacements": replacement}
    (base / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    root = base
    if overlay:
        root = tree / "overlay"
        root.mkdir()
        (root / "kustomization.yaml").write_text(
            yaml.safe_dump({"resources": ["../base"], "namePrefix": "o-", "commonLabels": {"layer": "overlay"}})
        )
    _, problems = compare(root, tree)
    assert problems == [], yaml.safe_dump(kustomization)


overlays = st.fixed_dictionaries(
    {"namePrefix": st.sampled_from(["a-", "b-", ""])},
    optional={
        "namespace": st.sampled_from(["torghut", "other"]),
        "commonLabels": labels,
        "patches": patches,
        "images": st.lists(st.fixed_dictionaries({"name": st.just("registry/ws"), "newTag": st.just("4")}), max_size=1),
        "replicas": st.lists(
            st.fixed_dictionaries({"name": st.just("torghut-ws"), "count": st.integers(0, 4)}), max_size=1
        ),
    },
)


@settings(
    max_examples=int(os.environ.get("TORGHUT_LINT_PARITY_TREES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@example(  # the second overlay's base is a copy of the first's, then merged by the Deployment's schema
    base={"resources": ["deploy.yaml"]},
    mid=None,
    tops=[
        (
            "base",
            {
                "namePrefix": prefix,
                "patches": [
                    {
                        "patch": yaml.safe_dump(
                            {
                                "apiVersion": "apps/v1",
                                "kind": "Deployment",
                                "metadata": {"name": "torghut-ws"},
                                "spec": {
                                    "template": {"spec": {"containers": [{"name": "ws", "env": [{"name": "B"}]}]}}
                                },
                            }
                        )
                    }
                ],
            },
        )
        for prefix in ("a-", "b-")
    ],
    diamond=False,
)
@given(
    kustomizations,
    st.one_of(st.none(), overlays),
    st.lists(st.tuples(st.sampled_from(["base", "mid"]), overlays), min_size=2, max_size=3),
    st.booleans(),
)
def test_applications_sharing_bases_render_in_one_run_as_kubectl_renders_each(
    tmp_path: Path, base: dict, mid: dict | None, tops: list[tuple[str, dict]], diamond: bool
) -> None:
    """A tree of applications that share a base (and maybe a middle layer including it), one of
    them maybe including two others under prefixes of their own (a diamond), linted in one run:
    every application's objects, as one ``render`` prints them, are what ``kubectl kustomize``
    renders for each root. The base is built once and handed to the others as a copy; a copy once
    merged without its schema (kubectl's container merge by name became a whole-list replace)."""
    tree = tmp_path / "tree"
    shutil.rmtree(tree, ignore_errors=True)
    (tree / ".git").mkdir(parents=True)

    listed: set[str] = set()  # the directories another kustomization includes: no roots

    def write(directory: str, kustomization: dict) -> None:
        (tree / directory).mkdir(parents=True, exist_ok=True)
        (tree / directory / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
        listed.update(entry[3:] for entry in kustomization.get("resources", []) if entry.startswith("../"))

    for name, doc in BASE.items():
        (tree / "base").mkdir(exist_ok=True)
        (tree / "base" / name).write_text(yaml.safe_dump(doc))
    write("base", base)
    if mid is not None:
        write("mid", {"resources": ["../base"], **mid})
    for n, (below, kustomization) in enumerate(tops):
        write(f"o{n}", {"resources": [f"../{below if mid is not None else 'base'}"], **kustomization})
    if diamond:
        for side in ("0", "1"):
            write(f"side{side}", {"resources": [f"../o{side}"], "namePrefix": f"s{side}-"})
        write("top", {"resources": ["../side0", "../side1"], "commonLabels": {"layer": "top"}})
    want: list[str] = []
    for root in sorted(p.parent for p in tree.rglob("kustomization.yaml")):
        if root.name in listed:
            continue
        proc = kubectl(root)
        if proc.returncode != 0:
            event("kubectl refuses a root")
            return  # a tree kubectl refuses: the single-application tests hold the gate to a blocking finding
        want += [json.dumps(d, sort_keys=True) for d in yaml.safe_load_all(proc.stdout) if d]
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["render", str(tree)])
    if code != 0:
        event("blocked")
        return  # blocked: fail closed (what the built-in renderer does not model, see above)
    event("compared")
    have = [json.dumps(d, sort_keys=True) for d in yaml.safe_load_all(out.getvalue()) if d]
    assert sorted(have) == sorted(want)
