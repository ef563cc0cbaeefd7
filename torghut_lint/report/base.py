"""What every report format renders: the :class:`Report` of one run, its findings already
redacted (:func:`redact`: every finding goes through it before any format sees it, so no secret
value is printed) and sorted."""

from __future__ import annotations

import copy
import dataclasses
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from torghut_lint.model import Fact, Finding, ResourceId, Severity
from torghut_lint.secrets import SCRUB, Redactor


@dataclass
class Summary:
    files: int
    resources: int
    findings: int
    blocking: int


@dataclass(frozen=True)
class RuleInfo:
    """What reporters say about a rule (SARIF rule metadata, JUnit suites)."""

    id: str
    severity: Severity
    description: str
    rationale: str
    fix: str


@dataclass
class Report:
    """Everything a reporter needs; findings are already redacted and sorted."""

    findings: list[Finding]
    summary: Summary
    fail_on: Severity
    rules: dict[str, RuleInfo] = field(default_factory=dict)
    evaluated: dict[str, list[ResourceId]] = field(default_factory=dict)
    baselined: int = 0
    redactor: Redactor = SCRUB  # masks the run's known secrets in anything printed later (fix --diff)
    root: Path | None = None  # the repository root (resolved) identities are relative to
    preexisting: int = 0  # --new-since: findings the base revision has as well (not reported)
    facts: list[Fact] = field(default_factory=list)  # switches and volumes as set (the job summary)
    changed: frozenset[str] | None = None  # the change's files, resolved (annotations go to them first)


def redact(findings: list[Finding], redactor: Redactor) -> list[Finding]:
    """Findings with every credential masked in every field that came from the tree (message,
    field path, resource names, waiver reason). The key names a finding is about are kept as
    words in its message, so ``password: password`` is still reported as ``password``."""
    out = []
    for f in findings:
        keep = [step for step in _STEP.split(f.field) if step]
        resource = f.resource
        if resource is not None:
            resource = ResourceId(*(redactor(getattr(resource, name)) for name in _RESOURCE_FIELDS))
        masked = copy.copy(f)  # a Finding of its own (what replace() makes), without running its __init__
        masked.message = bounded(redactor(f.message, keep))
        masked.field = redactor(f.field, keep)
        masked.key = redactor(f.key, keep)
        masked.subject = redactor(f.subject)
        masked.resource = resource
        masked.waiver_reason = redactor(f.waiver_reason)
        out.append(masked)
    return out


MESSAGE_LIMIT = 480  # characters of a finding's message shown; a value from the tree may be megabytes
_HEAD, _TAIL = 360, 80


def bounded(message: str) -> str:
    """``message`` cut in the middle when it is longer than MESSAGE_LIMIT (a value from the tree
    it quotes, written out in every format and CI annotation). Applied after redaction: a cut
    through a credential would leave a piece the redactor no longer recognises."""
    if len(message) <= MESSAGE_LIMIT:
        return message
    cut = len(message) - _HEAD - _TAIL
    return f"{message[:_HEAD]}… [{cut:,} characters not shown] …{message[-_TAIL:]}"


_STEP = re.compile(r"[.\[\]]")  # what separates a field path's steps
_RESOURCE_FIELDS = tuple(f.name for f in dataclasses.fields(ResourceId))


def is_blocking(finding: Finding, fail_on: Severity) -> bool:
    return not finding.waived and finding.severity >= fail_on


def repo_path(report: Report, file: str) -> str:
    """``file`` (as findings carry it: relative to the working directory) relative to the
    repository root, POSIX: what GitHub, code scanning and reviewers resolve."""
    from torghut_lint.baseline import relative_to_root

    return relative_to_root(file, report.root)


def in_change(report: Report, finding: Finding) -> bool:
    """Whether the finding's file is one of the change's (False when the change is unknown)."""
    return report.changed is not None and os.path.realpath(finding.location.file) in report.changed


def by_priority(report: Report, findings: list[Finding]) -> list[Finding]:
    """Blocking first, then the change's own files, then severity, then place: what a reviewer
    (or a capped list of annotations) should see first."""
    return sorted(
        findings,
        key=lambda f: (
            not is_blocking(f, report.fail_on),
            not in_change(report, f),
            -int(f.severity),
            f.sort_key(),
        ),
    )
