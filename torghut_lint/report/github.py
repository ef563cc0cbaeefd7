"""GitHub Actions workflow commands: each finding annotates its file and line in the PR."""

from __future__ import annotations

from torghut_lint.model import Severity
from torghut_lint.report import Report
from torghut_lint.report.text import escape_line

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    """Workflow-command data: GitHub's own escapes for %, CR and LF, and every other control
    character made visible, so a value from the tree cannot end the command or colour the log."""
    return escape_line(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    lines = []
    for f in report.findings:
        if f.waived:
            continue
        props = [f"file={_prop(f.location.file)}"]
        if f.location.line:
            props += [f"line={f.location.line}", f"col={max(f.location.column, 1)}"]
        props.append(f"title={_prop(f.rule)}")
        lines.append(f"::{COMMANDS[f.severity]} {','.join(props)}::{_data(f.message)}")
    s = report.summary
    lines.append(
        f"torghut-lint: {s.findings} finding(s), {s.blocking} blocking ({s.files} files, {s.resources} resources)"
    )
    return "\n".join(lines) + "\n"
