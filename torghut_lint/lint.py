"""One lint run: load -> validate -> evaluate -> waive -> baseline/scope -> sort and redact."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from torghut_lint.assemble import Project, plan
from torghut_lint.baseline import Baseline
from torghut_lint.builtin_rules import BUILTIN_RULES
from torghut_lint.check import Checks, check_project
from torghut_lint.config import Config
from torghut_lint.discover import real
from torghut_lint.model import Finding, ResourceId, Severity
from torghut_lint.policy import Policy
from torghut_lint.report import Report, RuleInfo, Summary, is_blocking, redact
from torghut_lint.schemas.store import SchemaStore
from torghut_lint.schemas.validate import validate_all
from torghut_lint.secrets import Redactor
from torghut_lint.waivers import apply_waivers, central_waivers


@dataclass
class SchemaOptions:
    """How to validate: Kubernetes version, strictness, extra schema sources."""

    kubernetes_version: str
    strict: bool = True
    locations: list[Path] = field(default_factory=list)
    crd_files: list[Path] = field(default_factory=list)
    report_missing: bool = True

    def store(self, project: Project) -> tuple[SchemaStore, list[Finding]]:
        """A schema store with every CRD of the project and of ``--crd`` registered."""
        from torghut_lint.kustomize.build import resources_of
        from torghut_lint.parse import parse_file
        from torghut_lint.schemas.store import SchemaStore

        store = SchemaStore(self.kubernetes_version, self.strict, self.locations)
        findings: list[Finding] = []
        crds = list(project.crds)
        for path in self.crd_files:
            files = sorted(path.rglob("*.y*ml")) if path.is_dir() else [path]
            for file in files:
                parsed = parse_file(file, str(file))
                findings.extend(parsed.findings)
                crds.extend(resources_of(parsed, findings))
        for crd in crds:
            store.add_crd(crd.data)
        return store, findings


@dataclass
class Scope:
    """Which findings a run reports: all, minus a baseline, limited to changed files."""

    baseline: Baseline | None = None
    changed_files: set[Path] | None = None  # resolved paths; None means every file

    def keep(self, finding: Finding, resource_files: dict[ResourceId, set[str]]) -> bool:
        """True unless ``--changed-since`` is on and neither the finding's file nor a file the
        finding's resource comes from has changed."""
        if self.changed_files is None:
            return True
        files = {finding.location.file} | resource_files.get(finding.resource, set())
        return any(real(Path(f)) in self.changed_files for f in files)


def rule_catalog(policies: list[Policy], config: Config) -> dict[str, RuleInfo]:
    rules = {
        r.id: RuleInfo(r.id, config.severity_of(r.id, r.severity), r.description, r.rationale, r.fix)
        for r in BUILTIN_RULES.values()
    }
    for p in policies:
        rules[p.id] = RuleInfo(p.id, p.severity, p.description, p.rationale, p.fix)
    return rules


def run(
    paths: list[Path],
    policies: list[Policy],
    config: Config,
    fail_on: str,
    render: str = "builtin",
    extra: list[Finding] | None = None,
    schemas: SchemaOptions | None = None,
    scope: Scope | None = None,
    boundary: Path | None = None,
    retain: list[object] | None = None,
) -> Report:
    """Lint ``paths``. ``extra`` are findings from outside the tree (``--trusted-config``),
    ``schemas`` turns on schema validation, ``scope`` applies a baseline and changed files.
    ``retain`` receives the loaded tree and compiled schemas when the caller is about to exit
    (freeing them object by object would only cost time)."""
    project = Project()
    plans = [plan(root, project, boundary) for root in paths]
    findings = project.findings + (extra or [])
    store = None
    if schemas is not None:
        store, crd_findings = schemas.store(project)
        findings += crd_findings
        # kustomization.yaml is build input, not a cluster object: validated when a schema is known.
        findings += validate_all(project.kustomizations, store, report_missing=False)
    today = dt.date.today()
    checks = Checks(policies, store, schemas is not None and schemas.report_missing, render, today)
    checked = check_project(project, plans, checks)
    findings += checked.findings
    waivers = checked.waivers
    waivers.extend(central_waivers(config, checks.policies_by_id, today))
    findings = apply_waivers(findings, waivers)
    findings = [f for f in findings if config.enabled(f.rule)]
    for f in findings:
        if f.rule in BUILTIN_RULES:
            f.severity = config.severity_of(f.rule, f.severity)
    findings = sorted(_unique(findings), key=Finding.sort_key)
    redactor = Redactor(s for f in findings for s in f.secrets)
    findings = redact(findings, redactor)  # before the baseline, which stores the redacted identity
    baselined = 0
    if scope is not None:
        findings = [f for f in findings if scope.keep(f, checked.resource_files)]
        if scope.baseline is not None:
            before = len(findings)
            findings = scope.baseline.new_findings(findings)
            baselined = before - len(findings)
    threshold = Severity.parse(fail_on)
    summary = Summary(
        files=project.files,
        resources=checked.resources,
        findings=len(findings),
        blocking=sum(1 for f in findings if is_blocking(f, threshold)),
    )
    if retain is not None:
        retain.append((project, plans, store, checked))
    return Report(findings, summary, threshold, rule_catalog(policies, config), checked.evaluated, baselined, redactor)


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
