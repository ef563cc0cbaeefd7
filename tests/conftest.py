"""Shared helpers: run the CLI the way a user does, build fixture trees in temp dirs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
BASE_TREE = FIXTURES / "torghut"
APP = Path("argocd/applications/torghut")
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict:
        return json.loads(self.stdout)


# CLI tests call the command's ``main`` in this process (a subprocess per test cost most of the
# suite's time); TORGHUT_LINT_TEST_SUBPROCESS=1 runs every one as a real process instead, and
# tests of what only a process shows (exit handling, pipes, stdin) use ``run_process``.
IN_PROCESS = os.environ.get("TORGHUT_LINT_TEST_SUBPROCESS") != "1"

# The cache (converted schemas, loaded policies) of every run the suite makes is its own: never
# the user's, never shared between suites; tests of the cache point it elsewhere.
if "TORGHUT_LINT_CACHE_DIR" not in os.environ or os.environ.get("TORGHUT_LINT_TEST_OWN_CACHE") != "1":
    import tempfile

    os.environ["TORGHUT_LINT_CACHE_DIR"] = tempfile.mkdtemp(prefix="torghut-lint-test-cache-")

# The suite runs `kubectl kustomize` some 2,200 times on small trees, each a Go process whose
# garbage collector, on every core, was a third of the suite's CPU time (and competed with the
# other worker): one core for its runtime and a collection at 200% growth instead of 100% take 40%
# less CPU per call (what kubectl renders is the same). Set only where the user has not.
os.environ.setdefault("GOMAXPROCS", "1")
os.environ.setdefault("GOGC", "200")


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> CliResult:
    """``torghut-lint ARGS`` as a user runs it: ``main`` with the working directory, environment
    and standard streams it would have (stdin empty), every cache that depends on them cleared."""
    if not IN_PROCESS:
        return run_process(*args, cwd=cwd, env=env, timeout=timeout)
    import contextlib
    import gc
    import io

    from torghut_lint import cli, discover

    discover.forget()
    saved_env, saved_cwd, saved_gc = dict(os.environ), os.getcwd(), gc.get_threshold()
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.update({"NO_COLOR": "1", **(env or {})})
        os.chdir(cwd or ROOT)
        with open(os.devnull) as stdin, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            saved_stdin, sys.stdin = sys.stdin, stdin
            try:
                code = cli.main(list(args))
            finally:
                sys.stdin = saved_stdin
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        gc.set_threshold(*saved_gc)
        discover.forget()
    return CliResult(code, out.getvalue(), err.getvalue())


def run_process(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> CliResult:
    """``torghut-lint ARGS`` in a subprocess (``python -m`` so the checkout under test is used)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "torghut_lint", *args],
        cwd=cwd or ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def kubectl_reads(path: Path, output: str = "json") -> subprocess.CompletedProcess:
    """``kubectl`` reading a local manifest file (``patch --local``: no cluster), which it does with
    the reader Argo CD reads a directory application's files with (apimachinery, go-yaml v2)."""
    return subprocess.run(
        ["kubectl", "patch", "--local", "--type", "merge", "-p", "{}", "-o", output, "-f", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def untraced():
    """Coverage paused for the test (``.ci/run`` measures the suite under coverage): for the
    searches (fuzzers, property tests) whose worth is the cases they try, which coverage's tracing
    slows two to three times. What they reach, the tests of each module reach almost all of too
    (the report's figure is one percent lower without them: 95% against 96%)."""
    try:
        import coverage
        import coverage.exceptions
    except ImportError:  # the suite run without the test extra
        yield
        return
    current = coverage.Coverage.current()
    if current is None:
        yield
        return
    current.stop()
    try:
        yield
    finally:
        with warnings.catch_warnings():  # it says again that the suite's modules are imported already
            warnings.simplefilter("ignore", coverage.exceptions.CoverageWarning)
            current.start()


def without_coverage(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a child process coverage must not follow (a measurement of the command itself)."""
    return {k: v for k, v in env.items() if k not in ("COVERAGE_PROCESS_CONFIG", "COVERAGE_PROCESS_START")}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A temporary repository root holding a copy of the passing Torghut fixture tree."""
    shutil.copytree(BASE_TREE, tmp_path, dirs_exist_ok=True)
    return tmp_path


PLAIN_CM = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n"  # a manifest no rule finds anything in
)


def app_tree(tmp_path: Path) -> tuple[Path, Path]:
    """(repository, its apps/torghut directory): an empty Torghut application in a repository."""
    repo = tmp_path / "repo"
    app = repo / "apps" / "torghut"
    app.mkdir(parents=True)
    (repo / ".git").mkdir()
    return repo, app


def scale_ws(repo: Path, replicas: int = 2, waiver: str | None = None) -> Path:
    """Scale the fixture's torghut-ws Deployment, optionally waiving ws-single-replica on it."""
    ws = repo / APP / "ws" / "deployment.yaml"
    text = ws.read_text().replace("replicas: 1", f"replicas: {replicas}")
    if waiver is not None:
        text = text.replace(
            "  labels:\n    app: torghut-ws\nspec:",
            "  labels:\n    app: torghut-ws\n  annotations:\n"
            f'    torghut-lint.io/waive.ws-single-replica: "{waiver}"\nspec:',
        )
    ws.write_text(text)
    return ws


def findings_of(result: CliResult) -> list[tuple[str, str, int]]:
    return sorted((f["rule"], f["file"], f["line"]) for f in result.json["findings"])


needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")


def write_policy(directory: Path, policy_id: str, template: str, kind: str, params: str) -> Path:
    """A user policy file in ``directory``: ``params`` is the YAML after ``params:`` (inline or
    an indented block starting with a newline)."""
    directory.mkdir(exist_ok=True)
    path = directory / f"{policy_id}.yaml"
    path.write_text(
        f"id: {policy_id}\ntemplate: {template}\nseverity: error\ndescription: d\nrationale: r\n"
        f"match: {{kind: {kind}}}\nparams: {params}\n"
    )
    return path


_PROBE = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[2:]).returncode; "
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
    "sys.exit(code)"
)


def run_measured(cmd: list[str], **kwargs) -> tuple[subprocess.CompletedProcess, int]:
    """``subprocess.run(cmd, **kwargs)`` and the peak RSS in MB of ``cmd`` (its workers included),
    measured by a fresh parent: this process's RUSAGE_CHILDREN keeps the largest child any earlier
    test ran, so it cannot bound one command."""
    import os
    import signal
    import tempfile

    timeout = kwargs.pop("timeout", None)
    if kwargs.pop("capture_output", False):
        kwargs["stdout"] = kwargs["stderr"] = subprocess.PIPE
    with tempfile.NamedTemporaryFile("r", suffix=".peak") as peak:
        args = [sys.executable, "-c", _PROBE, peak.name, *cmd]
        # its own process group: on a timeout the lint is killed with the probe, not left running
        # (an orphan eating a core for the rest of the suite)
        with subprocess.Popen(args, start_new_session=True, **kwargs) as child:
            try:
                out, err = child.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.communicate()
                raise
        proc = subprocess.CompletedProcess(args, child.returncode, out, err)
        text = Path(peak.name).read_text().strip()
    return proc, int(text or 0) // 1024


def crd_manifest(group: str, kind: str, version: str, schema: dict, **served: object) -> dict:
    """A CustomResourceDefinition serving ``kind`` of ``group`` at ``version`` with the
    openAPIV3Schema ``schema`` (``served`` adds fields to that version's entry)."""
    plural = kind.lower() + "s"
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group,
            "names": {"kind": kind, "plural": plural},
            "scope": "Namespaced",
            "versions": [
                {"name": version, "served": True, "storage": True, **served, "schema": {"openAPIV3Schema": schema}}
            ],
        },
    }
