"""Output formats. Every format goes through :func:`redact`, so no secret value is printed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from torghut_lint.model import Finding, ResourceId, Severity

REDACTED = "[REDACTED]"
MIN_REDACTED = 6  # shorter values are common words; messages never quote secret values anyway


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


def redact(findings: list[Finding]) -> list[Finding]:
    """Findings with every known secret value scrubbed from every message (defence in depth)."""
    secrets = sorted({s for f in findings for s in f.secrets if len(s) >= MIN_REDACTED}, key=len, reverse=True)
    out = []
    for finding in findings:
        # Only the secrets a message contains go into its pattern: one pattern of every secret
        # found in a monorepo takes longer to compile than the whole lint.
        present = [s for s in secrets if s in finding.message]
        if present:
            pattern = re.compile("|".join(rf"(?<![\w-]){re.escape(s)}(?![\w-])" for s in present))
            finding = replace(finding, message=pattern.sub(REDACTED, finding.message))
        out.append(finding)
    return out


def is_blocking(finding: Finding, fail_on: Severity) -> bool:
    return not finding.waived and finding.severity >= fail_on
