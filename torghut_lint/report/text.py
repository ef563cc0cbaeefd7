"""Human output: ``path:line:col: severity rule-id message``, grouped by file."""

from __future__ import annotations

from itertools import groupby

from torghut_lint.model import Severity
from torghut_lint.report import Report

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_RESET, _BOLD, _DIM = "\033[0m", "\033[1m", "\033[2m"


def render(report: Report, colour: bool = False) -> str:
    findings, summary = report.findings, report.summary
    lines: list[str] = []
    for _, group in groupby(findings, key=lambda f: f.location.file):
        if lines:
            lines.append("")
        for f in group:
            severity = str(f.severity)
            if colour:
                severity = f"{_COLOURS[f.severity]}{severity}{_RESET}"
            line = f"{f.location}: {severity} {f.rule} {f.message}"
            if f.waived:
                line += f" [waived: {f.waiver_reason}]"
                if colour:
                    line = f"{_DIM}{line}{_RESET}"
            lines.append(line)
    counts = {s: sum(1 for f in findings if f.severity == s and not f.waived) for s in Severity}
    waived = sum(1 for f in findings if f.waived)
    tail = (
        f"{summary.findings} finding(s): {counts[Severity.ERROR]} error, {counts[Severity.WARNING]} warning, "
        f"{counts[Severity.INFO]} info, {waived} waived; {summary.blocking} blocking "
        f"({summary.files} files, {summary.resources} resources)"
    )
    if report.baselined:
        tail += f"; {report.baselined} known finding(s) in the baseline not shown"
    fixable = sum(1 for f in findings if f.fixable and not f.waived)
    if fixable:
        tail += f"; {fixable} may be fixable with `torghut-lint fix`"
    if lines:
        lines.append("")
    lines.append(f"{_BOLD}{tail}{_RESET}" if colour else tail)
    return "\n".join(lines) + "\n"
