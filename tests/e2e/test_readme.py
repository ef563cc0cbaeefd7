"""The README's first two commands are what a newcomer runs; keep them true."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_readme_starts_with_two_commands_and_ci_runs_the_second() -> None:
    install_and_lint, install_and_test = _commands()[:2]
    assert "torghut-lint" in install_and_lint and "cd fixtures" in install_and_lint
    assert "pytest" in install_and_test
    assert install_and_test in (ROOT / ".ci" / "run").read_text()


@pytest.mark.slow
def test_first_command_installs_and_lints_the_example(tmp_path: Path) -> None:
    listing = ["git", "ls-files", "--cached", "--others", "--exclude-standard"]
    tracked = subprocess.run(listing, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for rel in tracked.splitlines():
        if (ROOT / rel).is_file():
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, tmp_path / rel)
    result = subprocess.run(["bash", "-c", _commands()[0]], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stderr  # the example has blocking findings
    assert "drifted/argocd/applications/torghut/ws-scale.patch.yaml:6:3: error ws-single-replica" in result.stdout
    assert "5 blocking" in result.stdout
    installed = subprocess.run(
        [str(tmp_path / ".venv" / "bin" / "torghut-lint"), "test"],
        cwd=tmp_path / "fixtures",
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stdout  # bundled policies and their cases ship in the wheel


def test_the_cel_policy_in_the_readme_works(tmp_path: Path) -> None:
    from conftest import run_cli

    text = (ROOT / "README.md").read_text()
    start = text.index("id: ws-single-replica-cel\ntemplate: cel")
    (tmp_path / "policy.yaml").write_text(text[start : text.index("```", start)])
    result = run_cli("--policies", str(tmp_path), "drifted/argocd/applications/torghut", cwd=ROOT / "fixtures")
    assert "ws-scale.patch.yaml:6:3: error ws-single-replica-cel spec.replicas is 2" in result.stdout
