"""SARIF 2.1.0 for code scanning: rule metadata, levels, physical locations with line/column,
waived findings as suppressions, and partial fingerprints that survive line shifts. A run holds
at most the 5,000 results code scanning keeps (it rejects more than 25,000): the blocking ones
first, and a notification says how many it left out."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import quote

from torghut_lint import __version__
from torghut_lint.baseline import fingerprints, relative_to_root
from torghut_lint.model import Finding, Severity
from torghut_lint.report.base import Report, by_priority
from torghut_lint.report.jsontext import indented

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _uri(path: str) -> str:
    """A relative URI reference for a file path (RFC 3986): every segment percent-encoded, so
    ``x#frag y%20.yaml`` stays that file instead of the path ``x`` with a fragment."""
    posix = PurePosixPath(path.replace("\\", "/")).as_posix()
    return quote(posix, safe="/")


# GitHub code scanning ranks results by this (0.1-10): blocking rules high, notes low.
SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.INFO: "2.0"}
HELP_URI = "https://github.com/proompteng/torghut-lint#rules-stable-ids"


def _rule(info) -> dict:
    return {
        "id": info.id,
        "name": "".join(part.capitalize() for part in info.id.split("-")),
        "shortDescription": {"text": info.description},
        "fullDescription": {"text": info.rationale},
        "help": {"text": f"{info.fix}\n\nExplain: torghut-lint explain {info.id}", "markdown": info.fix},
        "helpUri": HELP_URI,
        "defaultConfiguration": {"level": LEVELS[info.severity]},
        "properties": {
            "tags": ["torghut", "kubernetes", "gitops"],
            "security-severity": SECURITY_SEVERITY[info.severity],
        },
    }


SRCROOT = "%SRCROOT%"


def _artifact(file: str, root: Path | None) -> dict:
    """A file relative to the repository root (``uriBaseId`` %SRCROOT%), whatever directory the
    linter ran in, so code scanning finds it; a file outside the repository keeps its path."""
    rel = relative_to_root(file, root) if root is not None and not file.startswith("<") else None
    if rel is None or rel.startswith(("/", "../")) or rel == "..":
        return {"uri": _uri(file)}
    return {"uri": _uri(rel), "uriBaseId": SRCROOT}


def _result(f: Finding, index: dict[str, int], fingerprint: str, root: Path | None) -> dict:
    location: dict = {"artifactLocation": _artifact(f.location.file, root)}
    # every result has a region (GitHub requires startLine): a whole-file finding is at line 1
    location["region"] = {"startLine": max(f.location.line, 1), "startColumn": max(f.location.column, 1)}
    result: dict = {
        "ruleId": f.rule,
        "level": LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": [{"physicalLocation": location}],
        # the finding identity (merge-keyed field, value digest; see baseline.py), unique per result
        "partialFingerprints": {"torghutLint/v2": fingerprint},
    }
    if f.rule in index:
        result["ruleIndex"] = index[f.rule]
    if f.resource:
        result["properties"] = {"resource": f.resource.as_json(), "field": f.field}
    if f.waived:
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": f.waiver_reason}]
    return result


# GitHub code scanning rejects a run of more than 25,000 results and keeps 5,000 of one it takes
# ("prioritized by severity"): a run holds at most this many, the ones a reviewer needs first.
MAX_RESULTS = 5_000


def _kept(report: Report, findings: list[Finding], prints: list[str]) -> tuple[list[tuple[Finding, str]], dict]:
    """The findings (with their fingerprints) a run holds, in the report's order, and the run's
    ``invocations`` when some were left out: beyond MAX_RESULTS, the blocking ones first, then the
    change's own files, severity and place (:func:`by_priority`)."""
    pairs = list(zip(findings, prints, strict=True))
    if len(pairs) <= MAX_RESULTS:
        return pairs, {}
    ranked = by_priority(report, [f for f in findings if not f.waived]) + by_priority(
        report,
        [f for f in findings if f.waived],  # (a waived one last: a suppression, shown as closed)
    )
    chosen = {id(f) for f in ranked[:MAX_RESULTS]}
    left = len(pairs) - MAX_RESULTS
    text = (
        f"{left:,} of {len(pairs):,} findings are not in this run: code scanning keeps {MAX_RESULTS:,} results of a "
        "run, so it holds the blocking ones first, then the change's own files, severity and place; every finding is "
        "in the job's text, JSON and markdown reports, and the exit code counts them all"
    )
    notice = {
        "executionSuccessful": True,
        "toolExecutionNotifications": [{"level": "warning", "message": {"text": text}}],
    }
    return [(f, p) for f, p in pairs if id(f) in chosen], {"invocations": [notice]}


def render(report: Report, colour: bool = False) -> str:
    used = sorted({f.rule for f in report.findings} | set(report.rules))
    rules = [_rule(report.rules[r]) for r in used if r in report.rules]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    kept, invocations = _kept(report, report.findings, fingerprints(report.findings, report.root))
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "torghut-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://github.com/proompteng/torghut-lint",
                        "rules": rules,
                    }
                },
                "results": [_result(f, index, p, report.root) for f, p in kept],
                **invocations,
                "columnKind": "unicodeCodePoints",
                **({"originalUriBaseIds": {SRCROOT: {"uri": report.root.as_uri() + "/"}}} if report.root else {}),
            }
        ],
    }
    return indented(doc) + "\n"
