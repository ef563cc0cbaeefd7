"""End to end with the real pre-commit: a commit that introduces a violation is refused with the
finding printed; a clean commit passes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import APP, BASE_TREE, ROOT, scale_ws

pytestmark = pytest.mark.slow


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)


def test_hook_refuses_a_violating_commit_and_passes_a_clean_one(tmp_path: Path) -> None:
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    gitops = tmp_path / "gitops"
    shutil.copytree(BASE_TREE, gitops)
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "dev",
        "GIT_AUTHOR_EMAIL": "dev@example.com",
        "GIT_COMMITTER_NAME": "dev",
        "GIT_COMMITTER_EMAIL": "dev@example.com",
    }
    (gitops / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {rev.strip()}\n    hooks:\n"
        "      - id: torghut-lint\n        args: [--ignore-missing-schemas]\n"
    )
    assert _run(["git", "init", "-q", "-b", "main"], gitops, env).returncode == 0
    installed = _run([sys.executable, "-m", "pre_commit", "install"], gitops, env)
    assert installed.returncode == 0, installed.stderr
    _run(["git", "add", "-A"], gitops, env)
    clean = _run(["git", "commit", "-qm", "torghut tree"], gitops, env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "torghut-lint" in clean.stdout + clean.stderr and "Passed" in clean.stdout + clean.stderr

    scale_ws(gitops)
    _run(["git", "add", "-A"], gitops, env)
    refused = _run(["git", "commit", "-qm", "scale ws"], gitops, env)
    output = refused.stdout + refused.stderr  # git prints hook output on stderr
    assert refused.returncode != 0
    assert f"{APP}/ws/deployment.yaml:8:3: error ws-single-replica spec.replicas is 2" in output
    assert "Failed" in output
    head = _run(["git", "log", "--oneline"], gitops, env).stdout.splitlines()
    assert len(head) == 1  # the violating commit was not made

    # a commit that changes no manifest, only the env file a configMapGenerator reads, still deploys
    # live trading: the hook runs whatever the commit touches
    _run(["git", "reset", "-q", "--hard"], gitops, env)  # the refused change dropped
    app = gitops / APP
    (app / "trading.env").write_text("TRADING_MODE=paper\n")
    kustomization = app / "kustomization.yaml"
    kustomization.write_text(
        kustomization.read_text()
        + "configMapGenerator:\n  - name: torghut-mode\n    envs: [trading.env]\n"
        + "    options:\n      annotations:\n        torghut.proompteng.ai/live-trading-owner: trading-platform\n"
    )
    _run(["git", "add", "-A"], gitops, env)
    generator = _run(["git", "commit", "-qm", "mode from an env file"], gitops, env)
    assert generator.returncode == 0, generator.stdout + generator.stderr
    (app / "trading.env").write_text("TRADING_MODE=live\n")
    _run(["git", "add", "-A"], gitops, env)
    live = _run(["git", "commit", "-qm", "only the env file"], gitops, env)
    said = live.stdout + live.stderr
    assert live.returncode != 0
    assert "live-trading-default-off" in said and "TRADING_MODE is 'live'" in said
