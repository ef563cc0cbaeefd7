"""The JSON contract (documented in the README; fields are only ever added)."""

from __future__ import annotations

import json
from dataclasses import asdict

from torghut_lint import __version__
from torghut_lint.model import Finding
from torghut_lint.report import Report


def finding_json(f: Finding) -> dict:
    return {
        "rule": f.rule,
        "severity": str(f.severity),
        "message": f.message,
        "file": f.location.file,
        "line": f.location.line,
        "column": f.location.column,
        "resource": f.resource.as_json() if f.resource else None,
        "field": f.field,
        "waived": f.waived,
    }


def render(report: Report) -> str:
    summary = asdict(report.summary)
    if report.baselined:
        summary["baselined"] = report.baselined
    doc = {
        "tool": {"name": "torghut-lint", "version": __version__},
        "summary": summary,
        "findings": [finding_json(f) for f in report.findings],
    }
    return json.dumps(doc, indent=2) + "\n"
