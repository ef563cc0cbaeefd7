"""Human output: ``path:line:col: severity rule-id message``, grouped by file.

Everything that came from the tree (file and resource names, values quoted in messages) is
printed with control characters escaped, and no line starts with it: a pull request must not be
able to forge a CI log line (``::error``, ``::stop-commands::``), move the cursor with ANSI
escapes, or split one finding into two lines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import groupby

from torghut_lint.model import Severity
from torghut_lint.report.base import Report

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_RESET, _BOLD, _DIM = "\033[0m", "\033[1m", "\033[2m"


# C0 and C1 controls, DEL, and the Unicode line and paragraph separators some terminals honour.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SAFE_START = re.compile(r"[A-Za-z0-9_./<]")


def escape_line(text: str) -> str:
    """``text`` on one line: every control character written as a visible escape."""
    return _CONTROL.sub(_visible, text)


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_path(path: str) -> str:
    """A path printed at the start of a line: escaped, and behind ``./`` unless it starts with a
    character no log command starts with."""
    path = escape_line(path)
    return path if _SAFE_START.match(path) else f"./{path}"


def escape_text(text: str, prefix: str = "kustomize: ") -> str:
    """Tool output quoted line by line: each line escaped and behind ``prefix``."""
    return "".join(f"{prefix}{escape_line(line)}\n" for line in text.splitlines())


def render(report: Report, colour: bool = False) -> str:
    return "".join(pieces(report, colour))


def pieces(report: Report, colour: bool = False) -> Iterator[str]:
    """The report's lines, each made as it is written; a blank line between files."""
    findings, summary = report.findings, report.summary
    separator = ""  # none before the first file's lines
    for _, group in groupby(findings, key=lambda f: f.location.file):
        yield separator
        separator = "\n"
        for f in group:
            severity = str(f.severity)
            if colour:
                severity = f"{_COLOURS[f.severity]}{severity}{_RESET}"
            where = safe_path(str(f.location))
            line = f"{where}: {severity} {escape_line(f.rule)} {escape_line(f.message)}"
            if f.waived:
                line += f" [waived: {escape_line(f.waiver_reason)}]"
                if colour:
                    line = f"{_DIM}{line}{_RESET}"
            yield line + "\n"
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
    yield separator
    yield (f"{_BOLD}{tail}{_RESET}" if colour else tail) + "\n"
