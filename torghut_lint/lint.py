"""One lint run: load -> evaluate -> waive -> sort and redact, ready for any reporter."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from torghut_lint.assemble import load
from torghut_lint.builtin_rules import BUILTIN_RULES
from torghut_lint.config import Config
from torghut_lint.engine import evaluate
from torghut_lint.model import Finding, Severity
from torghut_lint.policy import Policy
from torghut_lint.report import Summary, is_blocking, redact
from torghut_lint.waivers import apply_waivers


@dataclass
class Result:
    findings: list[Finding]
    summary: Summary


def run(
    paths: list[Path],
    policies: list[Policy],
    config: Config,
    fail_on: str,
    render: str = "builtin",
    extra: list[Finding] | None = None,
) -> Result:
    """Lint ``paths``; ``extra`` are findings from outside the tree (``--trusted-config``)."""
    project = load(paths, render=render)
    findings = [f for f in project.findings + (extra or []) if config.enabled(f.rule)]
    for f in findings:
        if f.rule in BUILTIN_RULES:
            f.severity = config.severity_of(f.rule, f.severity)
    findings += evaluate(project, policies)
    findings = apply_waivers(findings, project.resources + project.orphans, {p.id: p for p in policies}, config)
    findings = [f for f in findings if config.enabled(f.rule)]
    findings = redact(sorted(_unique(findings), key=Finding.sort_key))
    threshold = Severity.parse(fail_on)
    summary = Summary(
        files=project.files,
        resources=len(project.resources),
        findings=len(findings),
        blocking=sum(1 for f in findings if is_blocking(f, threshold)),
    )
    return Result(findings, summary)


def _unique(findings: list[Finding]) -> list[Finding]:
    """Drop exact repeats (a file reached by two kustomizations yields the same finding twice)."""
    seen: set[tuple] = set()
    out = []
    for f in findings:
        key = (f.rule, f.location, f.message, f.resource)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
