"""Reports built directly (no lint run) for the reporters' unit tests."""

from __future__ import annotations

import os
from pathlib import Path

from torghut_lint.model import Fact, Finding, Location, ResourceId, Severity
from torghut_lint.report.base import Report, Summary, is_blocking


def finding(file: str, line: int, severity: Severity = Severity.ERROR, rule: str = "r", message: str = "m", **kw):
    resource = kw.pop("resource", ResourceId("apps/v1", "Deployment", "ns", f"d{line}"))
    return Finding(rule, severity, message, Location(file, line, 1), resource, **kw)


def report_of(findings: list[Finding], root: Path, changed: set[str] | None = None, facts=()) -> Report:
    blocking = sum(is_blocking(f, Severity.ERROR) for f in findings)
    summary = Summary(files=3, resources=len(findings), findings=len(findings), blocking=blocking)
    return Report(
        findings,
        summary,
        Severity.ERROR,
        root=Path(os.path.realpath(root)),
        facts=list(facts),
        changed=frozenset(os.path.realpath(root / c) for c in changed) if changed is not None else None,
    )


__all__ = ["Fact", "finding", "report_of"]
