"""The benchmark's ``--python`` (benchmarks/run.py): torghut-lint run by another build of the same
Python, from this checkout and this venv's packages, installing nothing; any other interpreter
is refused with a reason, never half-used."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bench(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    spec = importlib.util.spec_from_file_location("benchmarks_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "CACHE", tmp_path / "cache")  # never inside the checkout
    return module


def test_another_build_of_this_python_runs_this_checkout(bench, tmp_path: Path) -> None:
    python = bench.other_python(sys.executable)
    assert python is not None and Path(python).is_relative_to(tmp_path / "cache")
    done = subprocess.run(
        [python, "-c", "import torghut_lint, yaml, jsonschema_rs; print(torghut_lint.__file__)"],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).resolve() == (ROOT / "torghut_lint" / "__init__.py").resolve()
    assert bench.other_python(sys.executable) == python  # made once, found again


def test_another_python_version_or_no_interpreter_is_refused(bench, tmp_path: Path, capsys) -> None:
    fake = tmp_path / "python9"
    fake.write_text("#!/bin/sh\necho 3.99\n")
    fake.chmod(0o755)
    assert bench.other_python(str(fake)) is None
    assert bench.other_python(str(tmp_path / "absent")) is None
    err = capsys.readouterr().err
    assert "is Python 3.99, not this one's: skipped" in err
    assert "cannot be run (FileNotFoundError): skipped" in err
    assert not (tmp_path / "cache").exists()


def test_slopes_are_the_cost_per_added_document_between_consecutive_sizes(bench) -> None:
    points = {"lab x1": (1_000, 1.0), "lab x10": (10_000, 4.6), "lab x50": (50_000, 20.6)}
    assert bench.slopes(points) == pytest.approx({"lab x1->lab x10": 0.4, "lab x10->lab x50": 0.4})
    assert bench.slopes({"lab x1": (1_000, 1.0)}) == {}
