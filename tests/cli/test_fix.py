"""`torghut-lint fix`: byte-for-byte expected outputs, --diff, idempotence, atomic and careful writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli

CASES = sorted(p for p in (FIXTURES / "fix").iterdir() if p.is_dir())


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fix_matches_expected_bytes_and_is_idempotent(case: Path, tmp_path: Path) -> None:
    work = tmp_path / "torghut"  # a Torghut application: the Torghut-scoped policies apply
    shutil.copytree(case / "input", work)
    preview = run_cli("fix", "--diff", ".", cwd=work)
    assert preview.code == 1 and preview.stdout.startswith("--- a/")
    assert _tree(work) == _tree(case / "input")  # --diff writes nothing
    first = run_cli("fix", ".", cwd=work)
    assert first.code == 0, first.stderr
    assert _tree(work) == _tree(case / "expected")
    second = run_cli("fix", ".", cwd=work)
    assert second.code == 0 and "0 fixed" in second.stdout
    assert _tree(work) == _tree(case / "expected")
    assert run_cli("fix", "--diff", ".", cwd=work).stdout == ""


def test_fix_edits_the_patch_that_wrote_the_value(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "fixtures", ignore=shutil.ignore_patterns("fix", "hostile", "variants"))
    root = tmp_path / "fixtures"
    result = run_cli("fix", "drifted/argocd/applications/torghut", cwd=root)
    assert result.code == 0
    assert "ws-scale.patch.yaml:6:3: fixed ws-single-replica: spec.replicas set to 1" in result.stdout
    patch = (root / "drifted" / "argocd" / "applications" / "torghut" / "ws-scale.patch.yaml").read_text()
    assert "replicas: 1" in patch
    base = FIXTURES / "torghut"
    assert _tree(root / "torghut") == _tree(base)  # the base tree is untouched
    # TRADING_MODE=live (inline JSON patch) and the missing owner are left for a person.
    assert "left for a person" in result.stdout and not result.stdout.startswith("0 fixed")


def test_fix_refuses_a_file_whose_formatting_it_cannot_keep(tmp_path: Path) -> None:
    odd = tmp_path / "deploy.yaml"
    text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: torghut-ws}\nspec:\n     replicas: 2\n"
    odd.write_text(text)
    result = run_cli("fix", ".", cwd=tmp_path)
    assert result.code == 2 and "formatting cannot be preserved" in result.stderr
    assert odd.read_text() == text
