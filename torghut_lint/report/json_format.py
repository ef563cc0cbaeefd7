"""The JSON contract (documented in the README; fields are only ever added)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict

from torghut_lint import __version__
from torghut_lint.baseline import fingerprints
from torghut_lint.model import Finding
from torghut_lint.report import jsontext
from torghut_lint.report.base import Report
from torghut_lint.report.jsontext import Items


def finding_json(f: Finding, fingerprint: str) -> dict:
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
        "fingerprint": fingerprint,
        "key": f.key or f.field,
    }


def pieces(report: Report, colour: bool = False) -> Iterator[str]:
    """The report's text in pieces: each finding's JSON object is made as it is written (a
    report of 40,000 findings is never held whole, as objects or as text)."""
    summary = asdict(report.summary)
    if report.baselined:
        summary["baselined"] = report.baselined
    if report.preexisting:
        summary["preexisting"] = report.preexisting
    found = zip(report.findings, fingerprints(report.findings, report.root), strict=True)
    doc = {
        "tool": {"name": "torghut-lint", "version": __version__},
        "summary": summary,
        "findings": Items(finding_json(f, p) for f, p in found),
    }
    yield from jsontext.pieces(doc)
    yield "\n"


def render(report: Report, colour: bool = False) -> str:
    return "".join(pieces(report, colour))
