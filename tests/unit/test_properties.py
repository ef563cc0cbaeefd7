"""Property-based robustness: generated YAML-ish text and mutated real manifests never crash the
linter, always give exit 0/1/2, and finish in bounded time. The number of cases run is printed
(run with -s to see it)."""

from __future__ import annotations

import io
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_TREE
from torghut_lint.cli import main

pytestmark = pytest.mark.usefixtures("untraced")  # a search: its worth is the cases it tries

MANIFESTS = sorted(BASE_TREE.rglob("*.yaml"))
TOKENS = [
    "apiVersion: v1",
    "kind: ConfigMap",
    "kind: Kustomization",
    "metadata:",
    "  name: x",
    "data:",
    "---",
    "- ",
    "  ",
    "\t",
    ": ",
    "&a ",
    "*a",
    "!!str ",
    "!!binary ",
    "? ",
    "|",
    ">-",
    "'",
    '"',
    "[",
    "]",
    "{",
    "}",
    ",",
    "#",
    "\n",
    "\r\n",
    "resources:",
    "  - ../",
    "  - x.yaml",
    "patches:",
    "env:",
    "- name: TRADING_MODE",
    "  value: live",
    "<<: *a",
    "\ufeff",
    "\x00",
    "\xe9",
    "...",
    "%YAML 1.2",
    "spec:",
    "replicas: 2",
]
CASES = {"count": 0}


def _lint(root: Path) -> int:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--format", "json", str(root)])
    assert "internal error" not in err.getvalue(), err.getvalue()  # main reports a bug so (exit 3)
    return code


def _check(root: Path) -> None:
    CASES["count"] += 1
    start = time.monotonic()
    code = _lint(root)
    assert code in (0, 1, 2), code
    assert time.monotonic() - start < 20


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.sampled_from(TOKENS) | st.text(max_size=8), max_size=60))
def _generated_yamlish_text(tmp_path_factory, parts: list[str]) -> None:
    root = tmp_path_factory.mktemp("gen")
    (root / "kustomization.yaml").write_text("resources:\n  - a.yaml\n  - b\n")
    (root / "a.yaml").write_bytes("".join(parts).encode("utf-8", errors="surrogatepass"))
    (root / "b").mkdir()
    (root / "b" / "kustomization.yaml").write_text("".join(reversed(parts)), errors="surrogatepass")
    _check(root)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    index=st.integers(min_value=0, max_value=len(MANIFESTS) - 1),
    edits=st.lists(
        st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=8), st.binary(max_size=6)),
        min_size=1,
        max_size=6,
    ),
)
def _mutated_real_manifests(tmp_path_factory, index: int, edits: list[tuple[int, int, bytes]]) -> None:
    import shutil

    root = tmp_path_factory.mktemp("mut")
    shutil.copytree(BASE_TREE, root, dirs_exist_ok=True)
    target = root / MANIFESTS[index].relative_to(BASE_TREE)
    data = bytearray(target.read_bytes())
    for position, delete, insert in edits:
        at = position % (len(data) + 1)
        data[at : at + delete] = insert
    target.write_bytes(bytes(data))
    _check(root)


def _runs(search, tmp_path_factory) -> int:
    """How many cases a property search ran (each one lints a tree): asserted per test, so a
    search that quietly stops short fails whatever process the test runs in."""
    before = CASES["count"]
    search(tmp_path_factory)
    return CASES["count"] - before


def test_generated_yamlish_text(tmp_path_factory) -> None:
    assert _runs(_generated_yamlish_text, tmp_path_factory) >= 200


def test_mutated_real_manifests(tmp_path_factory) -> None:
    assert _runs(_mutated_real_manifests, tmp_path_factory) >= 200
