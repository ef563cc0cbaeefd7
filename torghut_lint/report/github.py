"""GitHub Actions workflow commands: findings annotate their file and line in the pull request.

GitHub shows at most 10 error, 10 warning and 10 notice annotations per step (50 per job) and
drops the rest silently, so the annotations are chosen: blocking findings first, then those in
the change's own files, then by severity and place. Where a level has more than 10, nine are
annotated and the tenth says how many more there are; every finding not annotated is still
printed as a plain log line (never as a command), and the job summary (``--format markdown``)
lists them all. Paths are relative to the repository root, as GitHub resolves them."""

from __future__ import annotations

from torghut_lint.model import Severity
from torghut_lint.report.base import Report, by_priority, repo_path
from torghut_lint.report.text import escape_line, safe_path

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
PER_LEVEL = 10  # annotations GitHub shows per level per step


def _data(text: str) -> str:
    """Workflow-command data: GitHub's own escapes for %, CR and LF, and every other control
    character made visible, so a value from the tree cannot end the command or colour the log."""
    return escape_line(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, colour: bool = False) -> str:
    annotations, plain = [], []
    shown = by_priority(report, [f for f in report.findings if not f.waived])
    for severity, command in COMMANDS.items():
        level = [f for f in shown if f.severity == severity]
        room = PER_LEVEL if len(level) <= PER_LEVEL else PER_LEVEL - 1
        for f in level[:room]:
            props = []
            if not f.location.file.startswith("<"):  # <stdin> is no file of the repository
                props.append(f"file={_prop(repo_path(report, f.location.file))}")
            if f.location.line:
                props += [f"line={f.location.line}", f"col={max(f.location.column, 1)}"]
            props.append(f"title={_prop(f.rule)}")
            annotations.append(f"::{command} {','.join(props)}::{_data(f.message)}")
        rest = level[room:]
        if rest:
            annotations.append(
                f"::{command} title=torghut-lint::{len(rest)} more {severity} finding(s) not annotated "
                f"(GitHub shows {PER_LEVEL} per level): they are in the log below and in the job summary"
            )
            plain += [
                f"{safe_path(repo_path(report, f.location.file) + _line(f))}: {f.severity} {escape_line(f.rule)} "
                f"{escape_line(f.message)}"
                for f in rest
            ]
    s = report.summary
    lines = annotations + plain
    lines.append(
        f"torghut-lint: {s.findings} finding(s), {s.blocking} blocking ({s.files} files, {s.resources} resources)"
    )
    return "\n".join(lines) + "\n"


def _line(f) -> str:
    return f":{f.location.line}:{f.location.column}" if f.location.line else ""
