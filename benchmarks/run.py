"""Benchmark torghut-lint: cold-start wall time, documents/s and peak RSS per corpus (all rules and
strict schema validation, CRD schemas from ../shared/schemas/crds-catalog when present), the
same without schema validation, and the YAML parse floor (libyaml compose with marks) measured
in the same run; "x floor" compares the no-schema run with the floor.

    python benchmarks/run.py [--repeat N] [--checkov]

Corpora: an empty directory, the bundled fixture tree, the real trees in ../shared/corpus when
present, and synthetic monorepos of 10x and 100x the fixture tree (generated under
benchmarks/generated). ``--checkov`` installs checkov into a throwaway venv (benchmarks/.cache) and
adds its column (skipped with a message when it cannot be installed). The package is byte-compiled
first, as ``pip install`` does, so start-up is measured as users see it. Figures only: nothing here
asserts a time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / ".cache"  # checkov's venv
GENERATED = ROOT / "benchmarks" / "generated"  # corpora; not hidden, or checkov would skip them
CORPUS = ROOT.parent / "shared" / "corpus"
FIXTURE_APP = ROOT / "fixtures" / "torghut" / "argocd" / "applications" / "torghut"


def measure(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MB, exit code) of one cold process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def best(cmd: list[str], repeat: int) -> tuple[float, float, int]:
    runs = [measure(cmd) for _ in range(repeat)]
    return min(runs, key=lambda r: r[0])


def synthetic(copies: int) -> Path:
    """A monorepo of ``copies`` Torghut apps (each in its own namespace)."""
    target = GENERATED / f"synthetic-{copies}x"
    if target.is_dir():
        return target
    for i in range(copies):
        app = target / f"torghut-{i:03d}"
        shutil.copytree(FIXTURE_APP, app)
        kust = app / "kustomization.yaml"
        kust.write_text(kust.read_text().replace("namespace: torghut", f"namespace: torghut-{i:03d}"))
    return target


def big_file(target_mb: int = 50) -> Path:
    """One file of ~50 MB of Deployments (the hostile-size case): a result must still come quickly."""
    path = GENERATED / "big" / "deployments.yaml"
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = (FIXTURE_APP / "ws" / "deployment.yaml").read_text()
    with path.open("w") as out:
        i = 0
        while out.tell() < target_mb * 1024 * 1024:
            out.write("---\n" + doc.replace("name: torghut-ws\n", f"name: torghut-ws-{i}\n", 1))
            i += 1
    return path


def documents(path: Path) -> int:
    import yaml

    count = 0
    for file in [path] if path.is_file() else path.rglob("*.y*ml"):
        try:
            count += sum(1 for d in yaml.compose_all(file.read_bytes(), Loader=yaml.CSafeLoader) if d is not None)
        except yaml.YAMLError:
            pass
    return count


PARSE_FLOOR = (
    "import sys, yaml, pathlib\n"
    "root = pathlib.Path(sys.argv[1])\n"
    "for f in ([root] if root.is_file() else root.rglob('*.y*ml')):\n"
    "    try:\n"
    "        for n in yaml.compose_all(f.read_bytes(), Loader=yaml.CSafeLoader): pass\n"
    "    except yaml.YAMLError: pass\n"
)


def checkov_binary() -> Path | None:
    venv = CACHE / "checkov-venv"
    binary = venv / "bin" / "checkov"
    if binary.exists():
        return binary
    print("installing checkov into a throwaway venv (once)...", file=sys.stderr)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", "checkov"], check=True, capture_output=True, timeout=900
        )
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"checkov column skipped: could not install checkov ({type(exc).__name__})", file=sys.stderr)
        return None
    return binary if binary.exists() else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the fastest is kept")
    parser.add_argument("--checkov", action="store_true", help="also measure checkov (installs it once)")
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    GENERATED.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "torghut_lint")], check=True)
    empty = Path(tempfile.mkdtemp())
    corpora: list[tuple[str, Path]] = [("empty directory (start-up)", empty), ("fixtures/torghut", FIXTURE_APP)]
    if CORPUS.is_dir():
        corpora += [
            ("torghut-2026-02-08", CORPUS / "torghut-2026-02-08"),
            ("lab .../applications/torghut", CORPUS / "lab-argocd-2026-08-22" / "applications" / "torghut"),
            ("lab-argocd-2026-08-22 (whole)", CORPUS / "lab-argocd-2026-08-22"),
        ]
    corpora += [("synthetic 10x fixture", synthetic(10)), ("synthetic 100x fixture", synthetic(100))]
    corpora += [("one 50 MB file of Deployments", big_file())]
    checkov = checkov_binary() if args.checkov else None
    lint = [sys.executable, "-m", "torghut_lint", "--format", "json"]
    catalog = ROOT.parent / "shared" / "schemas" / "crds-catalog"
    if catalog.is_dir():
        lint += ["--schema-location", str(catalog)]
    header = (
        f"{'corpus':<32} {'docs':>6} {'wall s':>7} {'docs/s':>8} {'RSS MB':>7} {'no-schema s':>11} "
        f"{'floor s':>8} {'x floor':>8}"
    )
    if checkov:
        header += f" {'checkov s':>10} {'checkov MB':>10} {'speed-up':>9}"
    print(f"torghut-lint benchmark, {os.cpu_count()} cores, best of {args.repeat}")
    print(header)
    version_wall, version_rss, _ = best([*lint[:3], "--version"], args.repeat)
    for name, path in corpora:
        docs = documents(path)
        wall, rss, code = best([*lint, str(path)], args.repeat)
        bare, _, _ = best([*lint, "--no-schemas", str(path)], args.repeat)
        floor, _, _ = best([sys.executable, "-c", PARSE_FLOOR, str(path)], args.repeat)
        rate = docs / wall if wall else 0.0
        row = (
            f"{name:<32} {docs:>6} {wall:>7.2f} {rate:>8.0f} {rss:>7.0f} {bare:>11.2f} "
            f"{floor:>8.2f} {bare / floor:>8.1f}"
        )
        if code not in (0, 1):
            row += f"  (exit {code})"
        if checkov and path.stat().st_size > 10 * 1024 * 1024:
            row += f" {'(skipped: minutes)':>31}"
        elif checkov:
            # best of N too, so the ratio is not flattered; --skip-download: no network at run time
            checkov_cmd = [str(checkov), "-d", str(path), "--framework", "kubernetes", "--quiet", "--skip-download"]
            c_wall, c_rss, _ = best(checkov_cmd, args.repeat)
            row += f" {c_wall:>10.2f} {c_rss:>10.0f} {c_wall / wall:>8.1f}x"
        print(row)
    print(f"torghut-lint --version: {version_wall:.2f} s, {version_rss:.0f} MB")
    shutil.rmtree(empty, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
