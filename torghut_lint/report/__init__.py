"""Output formats. Every format goes through :func:`redact`, so no secret value is printed."""

from __future__ import annotations

from dataclasses import dataclass, replace

from torghut_lint.model import Finding, Severity

REDACTED = "[REDACTED]"


@dataclass
class Summary:
    files: int
    resources: int
    findings: int
    blocking: int


def redact(findings: list[Finding]) -> list[Finding]:
    """Findings with every known secret value scrubbed from every message (defence in depth)."""
    secrets = sorted({s for f in findings for s in f.secrets if len(s) >= 3}, key=len, reverse=True)
    if not secrets:
        return findings
    out = []
    for finding in findings:
        message = finding.message
        for secret in secrets:
            message = message.replace(secret, REDACTED)
        out.append(replace(finding, message=message))
    return out


def is_blocking(finding: Finding, fail_on: Severity) -> bool:
    return not finding.waived and finding.severity >= fail_on
