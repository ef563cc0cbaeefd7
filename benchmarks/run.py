"""Benchmark torghut-lint: cold-start wall time, documents/s and peak RSS per corpus (all rules and
strict schema validation, CRD schemas from ../shared/schemas/crds-catalog when present), the
same without schema validation, and the YAML parse floor (libyaml compose with marks) measured
in the same run; "x floor" compares the no-schema run with the floor.

    python benchmarks/run.py [--repeat N] [--checkov]

With kubectl on PATH, two more columns: "gate s", the same lint with ``--render kubectl`` (what
the CI check and the Argo CD plugin run), and "parity", the number of resources or fields where
the built-in rendering differs from kubectl's over the corpus (``--render verify``; 0 expected).

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


CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s}\ndata: {a: b}\n"


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _deep(root: Path, depth: int) -> Path:
    """One file ``depth`` directories down (made with relative steps: the path outgrows PATH_MAX)."""
    here = os.getcwd()
    os.chdir(root)
    try:
        for _ in range(depth):
            os.mkdir("d")
            os.chdir("d")
        Path("cm.yaml").write_text(CM % "x")
    finally:
        os.chdir(here)
    return root


def dense_configmaps(files: int, size: int) -> dict[str, str]:
    """``files`` files of ``size`` bytes each, ConfigMaps of 100 short keys: the densest realistic
    YAML (a node per 17 bytes), the worst case for memory per byte read."""
    out = {}
    for f in range(files):
        docs, total = [], 0
        while total < size:
            doc = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{f}-{len(docs)}\ndata:\n"
            doc += "".join(f"  key-number-{i}: value-{i}-abcdefgh\n" for i in range(100))
            docs.append(doc)
            total += len(doc) + 4
        out[f"cm-{f}.yaml"] = "---\n".join(docs)
    return out


def hostile_corpora() -> list[tuple[str, Path]]:
    """One small input per pathological class of issue 13, generated once under
    benchmarks/generated/hostile (each used to hang, take gigabytes, or end in exit 3)."""
    base = GENERATED / "hostile"
    out: list[tuple[str, Path]] = []

    def case(name: str, make) -> None:
        target = base / name
        if not target.is_dir():
            target.mkdir(parents=True)
            make(target)
        out.append((name, target))

    case(
        "target regex (a|a)*b",
        lambda t: _write(
            t,
            {
                "cm.yaml": CM % ("a" * 30),
                "kustomization.yaml": 'resources: [cm.yaml]\npatches:\n- target: {name: "(a|a)*b"}\n'
                """  patch: '[{"op": "add", "path": "/data/x", "value": "y"}]'\n""",
            },
        ),
    )
    case(
        "200 kB of x:// and colons",
        lambda t: _write(t, {"cm.yaml": CM.replace("{a: b}", '{a: "x://' + ":" * 200_000 + '"}') % "c"}),
    )

    def diamond(t: Path) -> None:
        files = {}
        for i in range(20):
            files[f"l{i}/kustomization.yaml"] = f"resources: [../a{i}, ../b{i}]\n"
            files[f"a{i}/kustomization.yaml"] = f"resources: [../l{i + 1}]\n"
            files[f"b{i}/kustomization.yaml"] = f"resources: [../l{i + 1}]\n"
        files["l20/kustomization.yaml"] = "resources: [cm.yaml]\n"
        files["l20/cm.yaml"] = CM % "x"
        _write(t, files)

    case("diamond includes, 41 files", diamond)
    case("8 MB of '- a' (2M nodes)", lambda t: _write(t, {"list.yaml": "a:\n" + "- a\n" * 2_000_000}))
    alias = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    alias += "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    case("alias expansion, 20 documents", lambda t: _write(t, {"bomb.yaml": "---\n".join([alias] * 20)}))
    ops = "    - {op: add, path: /data/x, value: [a, b]}\n" + "    - {op: copy, from: /data/x, path: /data/x/-}\n" * 60
    case(
        "JSON-patch copy bomb",
        lambda t: _write(
            t,
            {
                "cm.yaml": CM % "x",
                "kustomization.yaml": "resources: [cm.yaml]\npatches:\n- target: {kind: ConfigMap}\n"
                f"  patch: |-\n{ops}",
            },
        ),
    )

    def big_env(t: Path) -> None:
        _write(t, {"kustomization.yaml": "configMapGenerator:\n- name: g\n  envs: [big.env]\n"})
        with (t / "big.env").open("w") as env:
            env.write("A=b\n" * (24 * 1024 * 1024 // 4))

    case("generator env file of 24 MB", big_env)
    case("15 MB in one application, 2 files", lambda t: _write(t, dense_configmaps(2, 7_500_000)))
    case("one file 1,900 directories deep", lambda t: _deep(t, 1_900))
    chain = {f"k{i}/kustomization.yaml": f"resources: [../k{i + 1}]\n" for i in range(400)}
    chain |= {"k400/kustomization.yaml": "resources: [cm.yaml]\n", "k400/cm.yaml": CM % "x"}
    case("include chain 400 deep", lambda t: _write(t, chain))
    return out


def tree_bytes(path: Path) -> int:
    """Bytes of every file below ``path`` (walked without recursion: one corpus is 1,900 deep)."""
    total, todo = 0, [str(path)]
    while todo:
        with os.scandir(todo.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    todo.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat().st_size
    return total


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


def parity(lint: list[str], path: Path) -> str:
    """Differences between the built-in rendering and kubectl's over ``path`` (``--render
    verify``): the number of kustomize-render-mismatch findings, 0 expected."""
    import json

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([*lint, "--render", "verify", "--no-schemas", str(path)], capture_output=True, env=env)
    try:
        findings = json.loads(proc.stdout)["findings"]
    except (ValueError, KeyError):
        return "n/a"
    return str(sum(1 for f in findings if f["rule"] == "kustomize-render-mismatch"))


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
    parser.add_argument("--hostile", action="store_true", help="only the pathological inputs of issue 13")
    args = parser.parse_args()
    if args.hostile:
        return hostile(args.repeat)
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
    gate = shutil.which("kubectl") is not None
    header = (
        f"{'corpus':<32} {'docs':>6} {'wall s':>7} {'docs/s':>8} {'RSS MB':>7} {'no-schema s':>11} "
        f"{'floor s':>8} {'x floor':>8}"
    )
    if gate:
        header += f" {'gate s':>7} {'parity':>7}"
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
        if gate:
            gate_wall, _, _ = best([*lint, "--render", "kubectl", str(path)], args.repeat)
            row += f" {gate_wall:>7.2f} {parity(lint, path):>7}"
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


def hostile(repeat: int) -> int:
    """Time and peak RSS of each pathological input class, against the documented memory bound
    (10x the bytes read plus 200 MB) and a 10 s time budget."""
    GENERATED.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "torghut_lint")], check=True)
    lint = [sys.executable, "-m", "torghut_lint", "--format", "json"]
    print(f"torghut-lint hostile inputs, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, best of {repeat}")
    print(f"{'input':<34} {'KB':>7} {'wall s':>7} {'RSS MB':>7} {'bound MB':>8}  exit")
    for name, path in hostile_corpora():
        size = tree_bytes(path)
        wall, rss, code = best([*lint, str(path)], repeat)
        bound = 10 * size / 1024 / 1024 + 200
        print(f"{name:<34} {size // 1024:>7} {wall:>7.2f} {rss:>7.0f} {bound:>8.0f}  {code}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
