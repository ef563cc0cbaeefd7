"""Every failing fixture variant yields exactly its expected findings (rule, file, line) and exit code."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import APP, FIXTURES, run_cli

VARIANTS = sorted(p for p in (FIXTURES / "variants").iterdir() if p.is_dir())


def test_base_tree_passes(repo: Path) -> None:
    result = run_cli("--format", "json", "--ignore-missing-schemas", cwd=repo)
    assert result.code == 0, result.stdout + result.stderr
    assert result.json["findings"] == []
    assert result.json["summary"]["resources"] == 16


CASES = [
    (variant, mode)
    for variant in VARIANTS
    for mode in json.loads((variant / "expected.json").read_text()).get("render", ["builtin"])
]


@pytest.mark.parametrize(("variant", "mode"), CASES, ids=[f"{v.name}-{m}" for v, m in CASES])
def test_variant(variant: Path, mode: str, repo: Path) -> None:
    """Each variant in each render mode it lists: a fidelity variant (``fidelity-*``) carries a
    violation through a kustomize construct and must block at a useful place in both modes
    (``findings_kubectl`` where kubectl's rendering says more)."""
    if mode == "kubectl" and shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed")
    expected = json.loads((variant / "expected.json").read_text())
    shutil.copytree(variant / "overlay", repo / APP, dirs_exist_ok=True)
    if "config" in expected:
        (repo / ".torghut-lint.yaml").write_text(expected["config"])
    result = run_cli("--format", "json", "--ignore-missing-schemas", "--render", mode, cwd=repo)
    assert result.stderr == ""
    prefix = f"{APP}/"
    actual = sorted(
        (f["rule"], f["file"].removeprefix(prefix), f["line"], f["waived"]) for f in result.json["findings"]
    )
    findings = expected.get(f"findings_{mode}", expected["findings"])
    want = sorted((f["rule"], f["file"], f["line"], f["waived"]) for f in findings)
    assert actual == want, json.dumps(result.json["findings"], indent=1)
    assert result.code == expected["exit"]
