"""The order objects are printed in (``kustomize.order``) and the ``sortOptions`` that set it,
against `kubectl kustomize`: ``render`` prints the bytes kubectl prints, in fifo order, in the
legacy order and with the legacy lists replaced, and a ``sortOptions`` kubectl refuses blocks the
lint (a base's are never read, so never refused). The same for the other fields of the
kustomization that only say something about it (``metadata``, ``helmGlobals``): of a shape
kustomize refuses, they block."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from kubectl_parity import write_tree

from conftest import run_cli
from torghut_lint.kustomize.build import Builder, SourceFiles
from torghut_lint.kustomize.order import printed_order
from torghut_lint.model import Resource, Severity

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")


def _object(api: str, kind: str, name: str, namespace: str = "") -> str:
    ns = f", namespace: {namespace}" if namespace else ""
    return f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: {name}{ns}}}\n"


# What the legacy comparison turns on: no namespace (kustomize's "~X", after any letter), a
# namespace that begins another ("a" after "ab": the texts compared are "a|name" and "ab|name"),
# kinds the default lists rank and kinds they do not (group, then version, then kind), two kinds
# of one name in two groups; read from two files, a base, a generator and a component (fifo:
# the order kustomize accumulates them in).
TREE = {
    "objects.yaml": "---\n".join(
        [
            _object("v1", "ConfigMap", "b"),
            _object("v1", "ConfigMap", "b", "ab"),
            _object("v1", "ConfigMap", "b", "a"),
            _object("v1", "ConfigMap", "a", "z"),
            _object("apps/v1", "Deployment", "d"),
            _object("example.com/v1", "Thing", "t"),
            _object("example.com/v1alpha1", "Thing", "t"),
            _object("batch/v1", "Job", "j"),
            _object("v1", "Namespace", "n1"),
            _object("v1", "Service", "s"),
        ]
    ),
    "more.yaml": _object("v1", "Secret", "s") + "---\n" + _object("rbac.authorization.k8s.io/v1", "Role", "r"),
    "base/kustomization.yaml": "resources: [cm.yaml]\n",
    "base/cm.yaml": _object("v1", "ConfigMap", "from-base"),
    "comp/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [sa.yaml]\n",
    "comp/sa.yaml": _object("v1", "ServiceAccount", "sa"),
}
ROOT = (
    "resources: [objects.yaml, base, more.yaml]\ncomponents: [comp]\n"
    "configMapGenerator: [{name: gen, literals: [a=b]}]\n"
)
OTHER_NAMESPACE_KIND = {"ns.yaml": _object("example.com/v1", "Namespace", "n2")}

PRINTED = {
    "default": "",
    "null": "sortOptions: null\n",
    "fifo": "sortOptions: {order: fifo}\n",
    "legacy": "sortOptions: {order: legacy}\n",
    "legacy, lists replaced": "sortOptions:\n  order: legacy\n  legacySortOptions:\n"
    "    orderFirst: [Deployment, Thing, Namespace, Deployment]\n    orderLast: [ConfigMap, Job, Thing]\n",
    "legacy, no lists": "sortOptions: {order: legacy, legacySortOptions: {}}\n",
    "fifo, legacy options null": "sortOptions: {order: fifo, legacySortOptions: null}\n",
}


def _kubectl(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["kubectl", "kustomize", str(root)], capture_output=True, timeout=120)


@pytest.mark.parametrize("name", sorted(PRINTED))
def test_render_prints_objects_in_kubectls_order(tmp_path: Path, name: str) -> None:
    extra = OTHER_NAMESPACE_KIND if name != "legacy, no lists" else {}  # see the next test
    files = {**TREE, **extra, "kustomization.yaml": ROOT.replace("more.yaml", "more.yaml, ns.yaml" * bool(extra))}
    files["kustomization.yaml"] += PRINTED[name]
    write_tree(tmp_path, files)
    want = _kubectl(tmp_path)
    assert want.returncode == 0, want.stderr
    have = run_cli("render", str(tmp_path))
    assert (have.code, have.stderr) == (0, "")
    assert have.stdout == want.stdout.decode()


def test_namespaces_of_the_core_group_come_first_in_the_default_order(tmp_path: Path) -> None:
    """kustomize reverses its comparison between two kinds named Namespace when either is the core
    group's: with the default lists only Namespaces share that rank, so the order is total (with
    no lists at all, other kinds share it and kustomize's comparison has cycles: not modelled)."""
    extra = {"ns.yaml": _object("example.com/v1", "Namespace", "n2") + "---\n" + _object("a.io/v1", "Namespace", "n3")}
    write_tree(tmp_path, {**TREE, **extra, "kustomization.yaml": "resources: [ns.yaml, objects.yaml]\n"})
    have = run_cli("render", str(tmp_path))
    assert have.stdout == _kubectl(tmp_path).stdout.decode()
    kinds = [line for line in have.stdout.splitlines() if line.startswith("apiVersion")]
    assert kinds[:3] == ["apiVersion: v1", "apiVersion: a.io/v1", "apiVersion: example.com/v1"]


# kustomize's SortOrderTransformer refuses these (and the JSON reading of the file, the shapes)
REFUSED = {
    "no order": ("sortOptions: {}\n", "kustomize-invalid", 4),
    "order null": ("sortOptions: {order: null}\n", "kustomize-invalid", 4),
    "unknown order": ("sortOptions: {order: Fifo}\n", "kustomize-invalid", 4),
    "fifo with legacy options": ("sortOptions:\n  order: fifo\n  legacySortOptions: {}\n", "kustomize-invalid", 6),
    "a list": ("sortOptions: [fifo]\n", "kustomize-invalid", 4),
    "an unknown field": ("sortOptions: {order: fifo, reverse: true}\n", "kustomize-unsupported", 4),
    "a kind list as text": (
        "sortOptions: {order: legacy, legacySortOptions: {orderFirst: Deployment}}\n",
        "kustomize-invalid",
        4,
    ),
    "metadata as a number": ("metadata: 5\n", "kustomize-invalid", 4),
    "metadata with an unknown field": ("metadata: {name: k, owner: me}\n", "kustomize-unsupported", 4),
    "metadata labels not text": ("metadata:\n  labels:\n    tier: 1\n", "kustomize-invalid", 6),
    "metadata name a list": ("metadata: {name: [k]}\n", "kustomize-invalid", 4),
    "metadata namespace YAML 1.1's false": ("metadata: {namespace: n}\n", "kustomize-invalid", 4),
    "helmGlobals as text": ("helmGlobals: charts\n", "kustomize-invalid", 4),
    "helmGlobals with an unknown field": ("helmGlobals: {chartHome: charts, home: x}\n", "kustomize-unsupported", 4),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_what_kustomize_refuses_of_the_kustomizations_own_fields_blocks(tmp_path: Path, name: str) -> None:
    text, rule, line = REFUSED[name]
    write_tree(tmp_path, {**TREE, "kustomization.yaml": ROOT + text})
    assert _kubectl(tmp_path).returncode != 0
    build = Builder(SourceFiles(tmp_path)).build(tmp_path)
    blocking = [(f.rule, f.location.line) for f in build.findings if f.severity >= Severity.ERROR]
    assert blocking == [(rule, line)]


ACCEPTED = {
    "a base's sortOptions are never read": {
        "base/kustomization.yaml": "resources: [cm.yaml]\nsortOptions: {order: x}\n"
    },
    "metadata of every field": {
        "kustomization.yaml": ROOT + "metadata: {name: k, namespace: ns, labels: {'': v}, annotations: {a: null}}\n"
    },
    "helmGlobals without charts": {"kustomization.yaml": ROOT + "helmGlobals: {chartHome: c, configHome: h}\n"},
}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_what_kustomize_accepts_of_the_kustomizations_own_fields_renders(tmp_path: Path, name: str) -> None:
    write_tree(tmp_path, {**TREE, "kustomization.yaml": ROOT, **ACCEPTED[name]})
    want = _kubectl(tmp_path)
    assert want.returncode == 0, want.stderr
    have = run_cli("render", str(tmp_path))
    assert (have.code, have.stdout) == (0, want.stdout.decode())


def test_render_keeps_the_order_kubectl_printed(tmp_path: Path) -> None:
    """With ``--render kubectl`` the objects are kubectl's, printed in the order it printed them."""
    write_tree(tmp_path, {**TREE, "kustomization.yaml": ROOT + PRINTED["fifo"]})
    have = run_cli("render", "--render", "kubectl", str(tmp_path))
    assert have.stdout == _kubectl(tmp_path).stdout.decode()


def test_a_kind_in_both_lists_takes_its_last_place() -> None:
    def res(kind: str) -> Resource:
        return Resource(None, {"apiVersion": "v1", "kind": kind, "metadata": {"name": kind.lower()}})

    objects = [res("A"), res("B"), res("C")]
    options = {"order": "legacy", "legacySortOptions": {"orderFirst": ["C", "B"], "orderLast": ["C"]}}
    assert [r.id.kind for r in printed_order(objects, options)] == ["B", "A", "C"]
