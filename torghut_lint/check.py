"""Build, validate and evaluate the applications, on two processes when the tree is large.

Applications are independent, so each process takes the next one from a shared queue, builds it
from the files (it parses them itself), checks it, and returns only what the report needs
(:class:`Assessment`): the YAML nodes never cross processes, since pickling them costs more than
parsing. What needs the whole picture (orphans, directory-type applications, kustomizations no
application reached) comes after, in the calling process."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from torghut_lint.assemble import Plan, Project, build_apps, finish
from torghut_lint.engine import evaluate
from torghut_lint.model import Finding, ResourceId
from torghut_lint.parallel import jobs_wanted, run_queue
from torghut_lint.policy import Policy
from torghut_lint.schemas.store import SchemaStore
from torghut_lint.schemas.validate import once_per_kind, validate_all
from torghut_lint.waivers import Waivers, annotation_waivers

PARALLEL_MIN_BYTES = 512 * 1024  # below this much YAML in applications, a second process costs more than it saves


@dataclass
class Checks:
    """What every share is checked with."""

    policies: list[Policy]
    store: SchemaStore | None
    report_missing: bool
    render: str
    today: dt.date


@dataclass
class Assessment:
    """What checking some applications found: small enough to send between processes."""

    findings: list[Finding] = field(default_factory=list)
    evaluated: dict[str, list[ResourceId]] = field(default_factory=dict)
    waivers: Waivers = field(default_factory=Waivers)
    resource_files: dict[ResourceId, set[str]] = field(default_factory=dict)
    resources: int = 0
    used: set[Path] = field(default_factory=set)
    parsed: set[Path] = field(default_factory=set)

    def add(self, other: Assessment) -> None:
        self.findings += other.findings
        for rule, ids in other.evaluated.items():
            self.evaluated.setdefault(rule, []).extend(ids)
        self.waivers.extend(other.waivers)
        for rid, files in other.resource_files.items():
            self.resource_files.setdefault(rid, set()).update(files)
        self.resources += other.resources
        self.used |= other.used
        self.parsed |= other.parsed


def check_project(project: Project, plans: list[Plan], checks: Checks) -> Assessment:
    """Build every application of the planned roots into ``project`` and check it all."""
    apps = [(i, directory) for i, plan in enumerate(plans) for directory in plan.apps]
    apps.sort(key=lambda app: -plans[app[0]].sizes.get(app[1], 0))  # the large ones first: less waiting at the end
    jobs = jobs_wanted(sum(plans[i].sizes.get(d, 0) for i, d in apps), PARALLEL_MIN_BYTES)

    def check_apps(taken: Iterator[int]) -> Assessment:
        done = Assessment(used=set(), parsed=set(project.parsed))
        for n in taken:
            i, directory = apps[n]
            part = Project(used=done.used, parsed=done.parsed)
            build_apps(plans[i], [directory], part, checks.render)
            done.add(_assess(part, checks, orphans=False))
        return done

    result = Assessment()
    for share in run_queue(check_apps, len(apps), jobs):
        result.add(share)
    project.used |= result.used
    project.parsed |= result.parsed
    rest = Project(apps=list(project.apps), used=project.used, parsed=project.parsed)  # Helm values so far
    for plan in plans:
        finish(plan, rest, checks.render)
    project.apps, project.orphans = rest.apps, rest.orphans
    result.add(_assess(rest, checks, orphans=True))
    result.findings = once_per_kind(result.findings)
    return result


def _assess(part: Project, checks: Checks, orphans: bool) -> Assessment:
    resources = part.resources
    findings = part.findings
    if checks.store is not None:
        findings += validate_all(resources, checks.store, checks.report_missing)
    evaluated: dict[str, list[ResourceId]] = {}
    findings += evaluate(part, checks.policies, evaluated, orphans=orphans)
    policies = {p.id: p for p in checks.policies}
    resource_files: dict[ResourceId, set[str]] = {}
    for res in resources:
        resource_files.setdefault(res.id, set()).add(res.node.start_mark.name)
    return Assessment(
        findings,
        evaluated,
        annotation_waivers(resources + (part.orphans if orphans else []), policies, checks.today),
        resource_files,
        len(resources),
        part.used,
        part.parsed,
    )
