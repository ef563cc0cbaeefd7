"""Command line: ``torghut-lint [PATH ...]``, ``torghut-lint rules``, ``torghut-lint explain RULE``.

Exit codes: 0 nothing blocking, 1 blocking findings, 2 usage or configuration error,
3 internal error (a bug: please report it)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, NoReturn

from torghut_lint import __version__
from torghut_lint.report import FORMATS
from torghut_lint.schemas.store import SchemaError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import TextIO

    from torghut_lint.secrets import Redactor
    from torghut_lint.trust import TrustedConfig

EXIT_OK, EXIT_BLOCKING, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
DEFAULT_PATH = "argocd/applications/torghut"
SUBCOMMANDS = ("lint", "rules", "explain", "templates", "test", "fix", "render")


class UsageError(Exception):
    """Bad flags, paths, policies or config: exit 2 with one line."""


class _FormatAction(argparse.Action):
    """``--format F``: a new report, on stdout until an ``--output`` follows."""

    def __call__(self, parser, namespace, values, _option_string=None) -> None:
        reports = list(getattr(namespace, self.dest) or [])
        reports.append([values, None])
        setattr(namespace, self.dest, reports)


class _OutputAction(argparse.Action):
    """``--output FILE``: where the report of the ``--format`` just before goes."""

    def __call__(self, parser, namespace, values, _option_string=None) -> None:
        reports = list(getattr(namespace, self.dest) or [])
        if not reports:
            reports.append(["text", None])
        if reports[-1][1] is not None:
            raise UsageError("each --output needs its own --format before it")
        reports[-1][1] = values
        setattr(namespace, self.dest, reports)


class _Parser(argparse.ArgumentParser):
    """Abbreviated flags are refused (``--form`` would break the day a ``--format-x`` is added),
    and a usage error says where to look."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    default_command: argparse.ArgumentParser | None = None  # its help follows the top-level help

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")

    def format_help(self) -> str:
        """The help, the default command's after it (formatted only when asked for: every run
        builds the parser)."""
        if self.default_command is not None and self.epilog is None:
            self.epilog = f"the lint command, the default:\n\n{self.default_command.format_help()}"
        return super().format_help()


EXIT_CODES = """exit codes (a public contract):
  0  nothing blocking
  1  blocking findings (at or above --fail-on, not waived)
  2  usage, configuration or input error: one line on stderr naming the file
  3  internal error: a bug, please report it"""

EXAMPLES = f"""examples:
  torghut-lint                                  lint {DEFAULT_PATH}
  torghut-lint --render kubectl --fail-on warning argocd/applications/torghut
  torghut-lint --trusted-config origin/main --new-since origin/main   the pull-request gate
  torghut-lint --format sarif --output lint.sarif --format github   several reports in one run
  kubectl kustomize overlays/prod | torghut-lint -              a rendered stream on stdin
  torghut-lint explain ws-readiness-probe       why a rule exists and how to fix or waive it
  torghut-lint fix --diff                       preview the unambiguous repairs"""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="torghut-lint",
        description="Policy-as-code linter for the Torghut GitOps tree. Without a command, "
        "`torghut-lint [PATH ...]` means `torghut-lint lint [PATH ...]` (options below).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-V", "--version", action="version", version=f"torghut-lint {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    lint = sub.add_parser(
        "lint",
        help="lint manifests (the default command)",
        epilog=f"{EXIT_CODES}\n\n{EXAMPLES}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    lint.add_argument("paths", nargs="*", metavar="PATH", help=f"files or directories (default: {DEFAULT_PATH})")
    lint.add_argument(
        "--format",
        choices=FORMATS,
        action=_FormatAction,
        dest="reports",
        help="; ".join(f"{f.name}: {f.description}" for f in FORMATS.values())
        + ". Repeatable, each followed by its own --output",
    )
    lint.add_argument(
        "--output", metavar="FILE", action=_OutputAction, dest="reports", help="file for the --format before it"
    )
    lint.add_argument(
        "--fail-on", choices=["error", "warning", "info"], help="lowest blocking severity (default error)"
    )
    lint.add_argument("--config", metavar="FILE", help=".torghut-lint.yaml to use (default: ./.torghut-lint.yaml)")
    lint.add_argument("--policies", metavar="DIR", action="append", default=[], help="extra policy directory")
    lint.add_argument(
        "--admission-policies",
        metavar="PATH",
        action="append",
        default=[],
        help="ValidatingAdmissionPolicy and binding manifests (file or directory, repeatable) to evaluate as rules "
        "vap/<name>, besides those in the linted tree",
    )
    adoption = lint.add_argument_group("adoption on an existing repository")
    adoption.add_argument("--baseline", metavar="FILE", help="report only findings not recorded in FILE")
    adoption.add_argument("--write-baseline", metavar="FILE", help="record the current findings in FILE, exit 0")
    adoption.add_argument(
        "--changed-since",
        metavar="REF",
        help="report only findings a change since this git ref can cause (pre-commit): in changed files, "
        "and in applications whose kustomizations, patches or totals the change touches",
    )
    adoption.add_argument(
        "--new-since",
        metavar="REF",
        help="the differential gate (pull requests): lint the tree at REF too (from git objects, "
        "never checked out) and report only findings it does not have, or has with a better value",
    )
    lint.add_argument(
        "--trusted-config",
        metavar="REF",
        help="take .torghut-lint.yaml and its policies from this git ref (the PR's base), report gate changes",
    )
    lint.add_argument(
        "--render",
        choices=["builtin", "kubectl", "verify"],
        default="builtin",
        help="kustomize renderer: built-in (default), `kubectl kustomize` (exact; the gate's), "
        "or verify (kubectl's rendering is checked, and every difference from the built-in one is an error)",
    )
    lint.add_argument(
        "--enable-helm",
        action="store_true",
        help="with --render kubectl/verify: render Helm charts kept in the repository too, with the installed "
        "helm (as Argo CD's kustomize.buildOptions --enable-helm); charts are never pulled",
    )
    lint.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="auto: on a terminal, unless NO_COLOR is set; FORCE_COLOR turns it on",
    )
    talk = lint.add_mutually_exclusive_group()
    talk.add_argument("-q", "--quiet", action="store_true", help="report errors only (warnings and info left out)")
    talk.add_argument(
        "-v", "--verbose", action="store_true", help="say on stderr what each stage did and how long it took"
    )
    lint.add_argument(
        "--repo-root", metavar="DIR", help="repository boundary for kustomize paths (default: the git work tree)"
    )
    lint.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the cache of converted schemas and loaded policies "
        "(default: $TORGHUT_LINT_CACHE_DIR, else ~/.cache/torghut-lint; never inside the linted tree)",
    )
    schemas = lint.add_argument_group("schema validation (offline; strict by default)")
    schemas.add_argument("--kubernetes-version", metavar="X.Y", help="core schemas to use (default 1.33)")
    schemas.add_argument(
        "--schema-location",
        metavar="DIR",
        action="append",
        default=[],
        help="CRD JSON Schemas as <group>/<kind>_<version>.json (repeatable)",
    )
    schemas.add_argument(
        "--crd",
        metavar="PATH",
        action="append",
        default=[],
        help="CustomResourceDefinition manifests (file or directory, repeatable)",
    )
    schemas.add_argument("--ignore-missing-schemas", action="store_true", help="no schema-missing findings")
    schemas.add_argument("--no-strict", action="store_true", help="allow fields the schemas do not know")
    schemas.add_argument("--no-schemas", action="store_true", help="skip schema validation")
    fix = sub.add_parser("fix", help="repair findings whose remedy is unambiguous")
    fix.add_argument("paths", nargs="*", metavar="PATH")
    fix.add_argument("--diff", action="store_true", help="print a unified diff instead of writing")
    fix.add_argument("--config", metavar="FILE")
    fix.add_argument("--policies", metavar="DIR", action="append", default=[])
    render = sub.add_parser(
        "render", help="print the resources the policies evaluate, as the YAML stream `kubectl kustomize` prints"
    )
    render.add_argument("paths", nargs="*", metavar="PATH", help=f"files or directories (default: {DEFAULT_PATH})")
    render.add_argument("--render", choices=["builtin", "kubectl"], default="builtin", dest="mode")
    render.add_argument("--repo-root", metavar="DIR")
    test = sub.add_parser("test", help="run the policies' own cases (default: the bundled policies)")
    test.add_argument("dirs", nargs="*", metavar="POLICY_DIR")
    templates = sub.add_parser(
        "templates", help="list the rule templates policies instantiate, their kinds and parameters"
    )
    templates.add_argument(
        "--format", choices=["text", "json", "markdown"], default="text", dest="templates_format",
        help="text (a line each), json (the declarations), markdown (docs/templates.md)",
    )  # fmt: skip
    for name in ("rules", "explain"):
        cmd = sub.add_parser(name, help="list rules" if name == "rules" else "explain one rule")
        if name == "explain":
            cmd.add_argument("rule")
        else:
            cmd.add_argument("--format", choices=["text", "json"], default="text", dest="rules_format")
        cmd.add_argument("--config", metavar="FILE")
        cmd.add_argument("--policies", metavar="DIR", action="append", default=[])
    parser.default_command = lint
    return parser


def _argv(argv: list[str]) -> list[str]:
    """``torghut-lint PATH`` means ``torghut-lint lint PATH``."""
    if argv and (argv[0] in SUBCOMMANDS or argv[0] in ("-h", "--help", "--version", "-V")):
        return argv
    return ["lint", *argv]


# A lint run allocates millions of YAML nodes and values and keeps them to the end; with CPython's
# default thresholds the cycle collector rescans them hundreds of times (a fifth of the run on a
# monorepo). Few of them form cycles, so collecting rarely costs little memory; the command itself
# (entry) does not collect at all.
GC_THRESHOLDS = (100_000, 50, 100)


# Set by the command (not by in-process callers): what a lint loaded is kept here until exit.
_RETAINED: list[object] | None = None

# The last lint's redaction (its known secrets; None before a lint): the Argo CD plugin masks
# kustomize's stderr with it.
last_redactor: Redactor | None = None


def entry() -> NoReturn:
    """The ``torghut-lint`` command: :func:`main`, then exit at once. Freeing the heap object by
    object (every YAML node, every compiled schema) would take longer than some lints; the
    operating system reclaims the memory in one go."""
    global _RETAINED
    _RETAINED = []
    gc.disable()  # nothing is freed before exit anyway, and the few cycles a run makes are small
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader left: nothing more to say
        pass
    except OSError as exc:  # a full disk behind stdout
        os.write(2, f"torghut-lint: error: cannot write output: {exc.strerror}\n".encode())
        code = EXIT_USAGE
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    gc.set_threshold(*GC_THRESHOLDS)
    args_list = _argv(list(sys.argv[1:] if argv is None else argv))
    try:
        try:
            args = build_parser().parse_args(args_list)
        except SystemExit as done:  # --help, --version: printed; main returns, it does not exit
            return int(done.code or 0)
        if args.command == "rules":
            return _rules(args)
        if args.command == "explain":
            return _explain(args)
        if args.command == "templates":
            return _templates(args)
        if args.command == "test":
            return _test(args)
        if args.command == "fix":
            return _fix(args)
        if args.command == "render":
            return _render_stream(args)
        return _lint(args)
    except UsageError as exc:
        from torghut_lint.report.text import escape_line  # imported here: not on every start-up
        from torghut_lint.secrets import SCRUB

        print(f"torghut-lint: error: {escape_line(SCRUB(str(exc)))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("torghut-lint: interrupted", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `torghut-lint | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, no traceback
        frame = _where(exc)
        print(f"torghut-lint: internal error: {type(exc).__name__}{frame} (please report)", file=sys.stderr)
        return EXIT_INTERNAL


def _where(exc: BaseException) -> str:
    """`` at module.py:LINE`` of the innermost frame in this package (the library frame below it
    too when the error was raised there), for a bug report."""
    ours = last = None
    where = exc.__traceback__
    while where is not None:
        last = where
        if "torghut_lint" in where.tb_frame.f_code.co_filename:
            ours = where
        where = where.tb_next
    parts = [f"{Path(t.tb_frame.f_code.co_filename).name}:{t.tb_lineno}" for t in (ours, last) if t is not None]
    return f" at {' via '.join(dict.fromkeys(parts))}" if parts else ""


def _load_rules(args: argparse.Namespace, config_path: Path | None = None, policy_dirs: list[Path] | None = None):
    from torghut_lint.config import apply_overrides, find_config, load_config
    from torghut_lint.policy import PolicyError, bundled_policy_dir, load_policies

    try:
        if config_path is None:
            boundary = Path(args.repo_root) if getattr(args, "repo_root", None) else None
            config_path = Path(args.config) if args.config else find_config(Path.cwd(), boundary)
        config = load_config(config_path, required=bool(args.config))
        given = policy_dirs if policy_dirs is not None else [Path(p) for p in args.policies]
        dirs = [bundled_policy_dir(), *config.policy_dirs, *given]
        policies = load_policies(dirs, getattr(args, "cache", None))
        apply_overrides(policies, config)
    except PolicyError as exc:
        raise UsageError(str(exc)) from exc
    return config, policies


def _trusted(args: argparse.Namespace) -> TrustedConfig | None:
    """The trusted config from ``--trusted-config REF``, or None."""
    if not args.trusted_config:
        return None
    from torghut_lint.trust import TrustError, load_trusted

    if args.config:
        raise UsageError("--trusted-config and --config are exclusive")
    try:
        return load_trusted(
            args.trusted_config,
            policy_dirs=args.policies,
            baseline=args.baseline,
            schema_locations=args.schema_location,
            crds=args.crd,
            admission=args.admission_policies,
        )
    except TrustError as exc:
        raise UsageError(f"--trusted-config {args.trusted_config}: {exc}") from exc


def _lint(args: argparse.Namespace) -> int:
    trusted = _trusted(args)
    try:
        return _lint_with(args, trusted)
    finally:
        if trusted is not None:  # explicitly, not left to a finalizer: the command skips them at exit
            trusted.workdir.cleanup()


def _lint_with(args: argparse.Namespace, trusted: TrustedConfig | None) -> int:
    from torghut_lint.cache import Cache

    linted = [Path(p) for p in args.paths if p != "-"] or [Path(DEFAULT_PATH)]
    boundary = Path(args.repo_root) if args.repo_root else None
    args.cache, why = Cache.for_run(linted, boundary, enabled=not args.no_cache)
    if args.verbose and why:
        _progress(f"cache: {why}")
    if trusted is not None:
        config, policies = _load_rules(
            args, trusted.config or Path(trusted.workdir.name) / "absent", trusted.policy_dirs
        )
    else:
        config, policies = _load_rules(args)
    if args.paths == ["-"]:
        if args.new_since or args.changed_since:
            raise UsageError("a stream on stdin has no git history: --new-since and --changed-since need paths")
        return _lint_stdin(args, config, policies)
    paths = [Path(p) for p in args.paths] or [Path(DEFAULT_PATH)]
    if args.render in ("kubectl", "verify"):
        from torghut_lint.kustomize.render import kubectl_available

        if not kubectl_available():
            raise UsageError(f"--render {args.render} needs kubectl (or the kustomize binary) on PATH")
    for path in [*paths, *config.admission, *_given(args, trusted).admission]:
        if not path.exists():
            raise UsageError(f"{path}: no such file or directory")
    return _report(args, config, policies, paths, trusted)


class _Given(NamedTuple):
    """The schema locations, CRD files and admission policies the command line names."""

    schema_locations: list[Path]
    crds: list[Path]
    admission: list[Path]


def _given(args: argparse.Namespace, trusted: TrustedConfig | None) -> _Given:
    """What the command line names: under --trusted-config as it is at the trusted ref (those of
    the repository; see ``load_trusted``)."""
    if trusted is not None:
        return _Given(trusted.schema_locations, trusted.crds, trusted.admission)
    return _Given(
        [Path(p) for p in args.schema_location],
        [Path(p) for p in args.crd],
        [Path(p) for p in args.admission_policies],
    )


def _lint_stdin(args: argparse.Namespace, config, policies) -> int:
    """``torghut-lint -``: a stream of rendered manifests on stdin (``kubectl kustomize . |
    torghut-lint -``), linted as one directory-type application; locations are lines of the
    stream, reported as ``<stdin>``."""
    import dataclasses
    import tempfile

    from torghut_lint.discover import display_path
    from torghut_lint.parse import MAX_FILE_BYTES

    data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    with tempfile.TemporaryDirectory(prefix="torghut-lint-stdin-") as scratch:
        stream = Path(scratch) / "stdin.yaml"
        stream.write_bytes(data)
        shown = display_path(stream)

        def relabel(report) -> None:
            for i, f in enumerate(report.findings):
                if f.location.file == shown:
                    where = dataclasses.replace(f.location, file="<stdin>")
                    report.findings[i] = dataclasses.replace(f, location=where)

        return _report(args, config, policies, [stream], None, relabel, Path(scratch))


def _own_inputs(args, config, trusted: TrustedConfig | None) -> tuple[Path, ...]:
    """The configuration in use and the directories of the policies this run loads, as they stand
    in the linted tree: the linter's inputs (policy files, their cases, which break rules on
    purpose), not manifests. Under --trusted-config they are read from the ref; the tree's copies
    are still the linter's."""
    from torghut_lint.assemble import repository_root
    from torghut_lint.config import find_config
    from torghut_lint.discover import is_within, real
    from torghut_lint.policy import bundled_policy_dir

    dirs = [bundled_policy_dir(), *(Path(p) for p in getattr(args, "policies", None) or [])]
    workdir = Path(trusted.workdir.name).resolve() if trusted is not None else None
    for directory in config.policy_dirs:
        resolved = directory.resolve()
        if workdir is not None and is_within(resolved, workdir):
            resolved = repository_root(Path.cwd()) / resolved.relative_to(workdir)
        dirs.append(resolved)
    if trusted is not None:  # the tree's copies (the ref's decides; a changed one is gate-config-changed)
        boundary = Path(args.repo_root) if getattr(args, "repo_root", None) else None
        dirs.append(find_config(Path.cwd(), boundary))
        if trusted.config is not None and is_within(trusted.config.resolve(), workdir):
            dirs.append(repository_root(Path.cwd()) / trusted.config.resolve().relative_to(workdir))
    elif config.path is not None:
        dirs.append(config.path)
    return tuple(dict.fromkeys(real(d.absolute()) for d in dirs))


def _report(args, config, policies, paths, trusted, adjust=None, boundary: Path | None = None) -> int:
    """Lint ``paths`` and write every requested report; the exit code."""
    from torghut_lint.lint import RunOptions, run

    outputs = _outputs(args)
    options = RunOptions(
        own=_own_inputs(args, config, trusted),
        fail_on=args.fail_on or config.fail_on or "error",
        render=args.render + ("+helm" if args.enable_helm and args.render != "builtin" else ""),
        extra=trusted.findings if trusted is not None else [],
        scope=_scope(args, trusted),
        boundary=boundary or (Path(args.repo_root) if args.repo_root else None),
        retain=_RETAINED,
        log=_progress if args.verbose else None,
        evaluated=any(fmt == "junit" for fmt, _ in outputs),
        admission=[*config.admission, *_given(args, trusted).admission],
    )
    if options.scope is not None and options.scope.changed_files is not None:
        options.changed = options.scope.changed_files
    base = None
    try:
        options.schemas = _schema_options(args, config.schemas, _given(args, trusted))
        if getattr(args, "new_since", None) or trusted is not None:
            base = _base_tree(args, paths, options)
        report = run(paths, policies, config, options)
    except SchemaError as exc:
        raise UsageError(str(exc)) from exc
    finally:
        if base is not None:
            base.cleanup()
    if adjust is not None:
        adjust(report)
    global last_redactor
    last_redactor = report.redactor
    if args.quiet:  # errors only: the exit code is the same, the reports just say less
        from torghut_lint.model import Severity

        report.findings = [f for f in report.findings if f.severity >= Severity.ERROR]
        report.summary.findings = len(report.findings)
    if args.write_baseline:
        from torghut_lint.baseline import Baseline, BaselineError

        try:
            Baseline.of(report.findings, report.root).write(Path(args.write_baseline))
        except OSError as exc:
            raise UsageError(f"{args.write_baseline}: cannot write baseline: {exc.strerror}") from exc
        except BaselineError as exc:
            raise UsageError(f"{args.write_baseline}: not written: {exc}") from exc
        print(f"torghut-lint: baseline of {len(report.findings)} finding(s) written to {args.write_baseline}")
        return EXIT_OK
    for fmt, target in outputs:
        colour = args.color == "always" or (
            args.color == "auto"
            and target is None
            and "NO_COLOR" not in os.environ
            and (sys.stdout.isatty() or bool(os.environ.get("FORCE_COLOR")))
        )
        pieces = _pieces(fmt, report, colour)
        if target is None:
            _stdout(pieces)
            continue
        from torghut_lint import written

        try:  # whole or not at all: no part, and no earlier run's report, is left when this run fails
            written.replace(target, lambda out, pieces=pieces: _write(pieces, out), keep_old=False)
        except OSError as exc:
            raise UsageError(f"{target}: cannot write report: {exc.strerror}") from exc
    return EXIT_BLOCKING if report.summary.blocking else EXIT_OK


def _progress(line: str) -> None:
    from torghut_lint.report.text import escape_line

    print(f"torghut-lint: {escape_line(line)}", file=sys.stderr, flush=True)


def _stdout(text: str | Iterator[str]) -> None:
    """Write a report (its text, or its pieces as they are made) to stdout; a full disk or a
    closed pipe is a usage-level failure (exit 2), not a bug."""
    try:
        _write(iter((text,)) if isinstance(text, str) else text, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise UsageError(f"cannot write the report to stdout: {exc.strerror or type(exc).__name__}") from exc


def _outputs(args: argparse.Namespace) -> list[tuple[str, str | None]]:
    """(format, file or None for stdout) pairs, in the order given."""
    pairs = [(fmt, target) for fmt, target in (args.reports or [["text", None]])]
    if sum(1 for _, target in pairs if target is None) > 1:
        raise UsageError("only one --format can go to stdout; give the others an --output")
    return pairs


_WRITTEN_AT_ONCE = 1 << 16  # characters of a report's pieces joined for one write


def _write(pieces: Iterator[str], out: TextIO) -> None:
    """A report's pieces written as they are made, joined a batch at a time."""
    batch: list[str] = []
    size = 0
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if size >= _WRITTEN_AT_ONCE:
            out.write("".join(batch))
            batch, size = [], 0
    out.write("".join(batch))


def _pieces(fmt: str, report, colour: bool) -> Iterator[str]:
    return FORMATS[fmt].pieces(report, colour)


def _base_tree(args: argparse.Namespace, paths: list[Path], options):
    """The snapshot the change is compared with (``--new-since REF``, else the trusted ref, for
    its waivers), with ``options.base`` pointing at the linted paths inside it."""
    from torghut_lint.lint import BaseTree
    from torghut_lint.trust import TrustError, changed_files, in_repository, snapshot

    ref = args.new_since or args.trusted_config
    flag = "--new-since" if args.new_since else "--trusted-config"
    try:
        if options.changed is None:
            options.changed = changed_files(ref)
        base = snapshot(ref)
    except TrustError as exc:
        raise UsageError(f"{flag} {ref}: {exc}") from exc
    inside = []
    for path in paths:
        rel = in_repository(path)
        if rel is None:
            base.cleanup()
            raise UsageError(f"{flag} {ref}: {path} is not in the git repository being compared")
        if (base.root / rel).exists():  # a path the change adds: everything in it is new
            inside.append(base.root / rel)
    boundary = base.root
    if options.boundary is not None and (rel := in_repository(options.boundary)) is not None:
        boundary = base.root / rel
    trusted = args.trusted_config is not None
    options.base = BaseTree(ref, boundary, inside, new_only=bool(args.new_since), waivers=trusted)
    return base


def _scope(args: argparse.Namespace, trusted: TrustedConfig | None = None):
    from torghut_lint.baseline import Baseline, BaselineError
    from torghut_lint.lint import Scope

    if not args.baseline and not args.changed_since:
        return None
    scope = Scope()
    if args.baseline:
        # under --trusted-config the baseline is read as it is at the trusted ref: a change cannot
        # write its own findings into it (absent there: an empty baseline)
        path = Path(args.baseline) if trusted is None else trusted.baseline
        try:
            scope.baseline = Baseline.read(path) if path is not None else Baseline.of([])
        except BaselineError as exc:
            raise UsageError(str(exc)) from exc
    if args.changed_since:
        from torghut_lint.trust import TrustError, changed_files

        try:
            scope.changed_files = changed_files(args.changed_since)
        except TrustError as exc:
            raise UsageError(f"--changed-since {args.changed_since}: {exc}") from exc
    return scope


def _schema_options(args: argparse.Namespace, settings: dict, given: _Given):
    """Schema validation settings: flags first (``given``: see :func:`_given`), then the config's
    ``schemas`` section."""
    from torghut_lint.cache import Cache
    from torghut_lint.lint import SchemaOptions
    from torghut_lint.schemas.store import DEFAULT_KUBERNETES_VERSION

    if args.no_schemas or settings.get("enabled") is False:
        return None
    locations = [*given.schema_locations, *settings.get("locations", [])]
    crds = [*given.crds, *settings.get("crds", [])]
    for path in [*locations, *crds]:
        if not Path(path).exists():
            raise UsageError(f"{path}: no such file or directory")
    return SchemaOptions(
        kubernetes_version=args.kubernetes_version or settings.get("kubernetesVersion", DEFAULT_KUBERNETES_VERSION),
        strict=not args.no_strict and settings.get("strict", True),
        locations=[Path(p) for p in locations],
        crd_files=[Path(p) for p in crds],
        report_missing=not args.ignore_missing_schemas and not settings.get("ignoreMissing", False),
        cache=getattr(args, "cache", None) or Cache(None),
    )


def _fix(args: argparse.Namespace) -> int:
    from torghut_lint.fix import FixError, diff, repairs, write
    from torghut_lint.lint import run

    config, policies = _load_rules(args)
    paths = [Path(p) for p in args.paths] or [Path(DEFAULT_PATH)]
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or directory")
    report = run(paths, policies, config)
    from torghut_lint.assemble import repository_root

    try:
        documents, applied = repairs(report.findings, {p.id: p for p in policies}, repository_root(paths[0]))
    except FixError as exc:
        raise UsageError(str(exc)) from exc
    if args.diff:
        text = report.redactor(diff(documents))
        _stdout(text)
        return EXIT_BLOCKING if text else EXIT_OK
    write(documents)
    for item in applied:
        print(f"{item.finding.location}: fixed {item.finding.rule}: {item.description}")
    left = [f for f in report.findings if not f.waived and f not in [a.finding for a in applied]]
    print(f"{len(applied)} fixed, {len(left)} left for a person (torghut-lint shows them)")
    return EXIT_OK


def _render_stream(args: argparse.Namespace) -> int:
    """``torghut-lint render``: each application's resources on stdout (applications in path
    order, each in the order kustomize prints it: see ``kustomize.order``); what stops a faithful
    rendering goes to stderr (exit 1)."""
    from torghut_lint.assemble import load
    from torghut_lint.kustomize.order import printed_order
    from torghut_lint.kustomize.stream import dump
    from torghut_lint.model import Severity
    from torghut_lint.report.text import escape_line, safe_path
    from torghut_lint.secrets import SCRUB

    paths = [Path(p) for p in args.paths] or [Path(DEFAULT_PATH)]
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or directory")
    if args.mode == "kubectl":
        from torghut_lint.kustomize.render import kubectl_available

        if not kubectl_available():
            raise UsageError("--render kubectl needs kubectl on PATH")
    project = load(paths, args.mode, Path(args.repo_root) if args.repo_root else None)
    streams = [dump(printed_order(app.resources, app.sort_options)) for app in project.apps if app.resources]
    _stdout("---\n".join(streams))
    problems = [
        f for f in project.findings if f.severity >= Severity.ERROR and f.rule.startswith(("kustomize", "yaml"))
    ]
    for f in sorted(problems, key=lambda f: f.sort_key()):
        print(f"{safe_path(str(f.location))}: {f.severity} {f.rule} {escape_line(SCRUB(f.message))}", file=sys.stderr)
    return EXIT_BLOCKING if problems else EXIT_OK


def _test(args: argparse.Namespace) -> int:
    from torghut_lint.policy import PolicyError, bundled_policy_dir
    from torghut_lint.policy_tests import render_table, run_policy_tests

    dirs = [Path(d) for d in args.dirs] or [bundled_policy_dir()]
    for directory in dirs:
        if not directory.is_dir():
            raise UsageError(f"{directory}: no such policy directory")
    try:
        results = run_policy_tests(dirs)
    except PolicyError as exc:
        raise UsageError(str(exc)) from exc
    sys.stdout.write(render_table(results))
    return EXIT_OK if results and all(r.ok for r in results) else EXIT_BLOCKING


def _rules(args: argparse.Namespace) -> int:
    from torghut_lint.lint import rule_catalog
    from torghut_lint.report import catalog

    config, policies = _load_rules(args)
    origin = {p.id: ("policy" if p.enabled else "disabled") for p in policies}
    _stdout(catalog.rules(rule_catalog(policies, config), origin, args.rules_format))
    return EXIT_OK


def _templates(args: argparse.Namespace) -> int:
    from torghut_lint.report import catalog
    from torghut_lint.templates import all_templates

    _stdout(catalog.templates(all_templates(), args.templates_format))
    return EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    from torghut_lint.builtin_rules import BUILTIN_RULES
    from torghut_lint.policy_tests import failing_example
    from torghut_lint.report import catalog
    from torghut_lint.templates import load_template

    config, policies = _load_rules(args)
    policy = next((p for p in policies if p.id == args.rule), None)
    waive_central = (
        "Central waiver in .torghut-lint.yaml:\n  waivers:\n"
        f"    - rule: {args.rule}\n"
        "      kind: KIND          # or name/namespace/file globs\n"
        "      name: NAME\n      reason: ...\n      owner: ...\n      expires: YYYY-MM-DD"
    )
    if policy is not None:
        text = catalog.explain_policy(policy, load_template(policy.template), failing_example(policy), waive_central)
        _stdout(text)
        return EXIT_OK
    rule = BUILTIN_RULES.get(args.rule)
    if rule is None:
        raise UsageError(f"no such rule {args.rule!r} (see `torghut-lint rules`)")
    _stdout(catalog.explain_builtin(rule, str(config.severity_of(rule.id, rule.severity)), waive_central))
    return EXIT_OK
