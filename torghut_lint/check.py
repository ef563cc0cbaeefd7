"""Build, validate and evaluate the applications, on two processes when the tree is large.

Applications (kustomizations and directory-type apps) are independent, so each process takes the
next one from a shared queue, builds it from the files (it parses them itself), checks it, and
returns only what the report needs (:class:`Assessment`): the YAML nodes never cross processes,
since pickling them costs more than parsing. Helm values files (scanned for secrets) and the
kustomization files the plan could not validate (a CRD redefines their kind; a link named them first)
follow the applications on the same queue, in batches. What needs every build's result (orphans,
kustomizations no application reached) comes after, in the calling process."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from torghut_lint.admission import ParamsRead, mutations, params_read, reaches
from torghut_lint.argocd import (
    Deployers,
    Rendering,
    Revision,
    add_deployers,
    deployed_directories,
    revisions,
    source_overrides,
    unpruned,
)
from torghut_lint.assemble import (
    Plan,
    Project,
    build_apps,
    build_plain,
    finish,
    helm_values_apps,
    kustomization_schema,
)
from torghut_lint.discover import display_path, real_text
from torghut_lint.engine import Prepared, across_applications, evaluate, flags, prepared, repository_rules
from torghut_lint.k8s import secret_values
from torghut_lint.kustomize.reading import resources_of
from torghut_lint.model import Fact, Finding, ResourceId
from torghut_lint.parallel import jobs_wanted, run_queue
from torghut_lint.parse import parse_file
from torghut_lint.policy import Policy
from torghut_lint.schemas.store import SchemaStore
from torghut_lint.schemas.validate import metadata_problems, once_per_kind, validate_all
from torghut_lint.templates.base import Occupant
from torghut_lint.waivers import Waivers, annotation_waivers

VALUES_BATCH = 200  # Helm values files held parsed at a time
KUSTOMIZATIONS_BATCH = 64  # kustomization files validated per queue item (those the plan could not)
PARALLEL_MIN_BYTES = 512 * 1024  # below this much YAML in applications, a second process costs more than it saves


@dataclass
class Checks:
    """What every application is checked with."""

    policies: list[Policy]
    store: SchemaStore | None
    report_missing: bool
    render: str
    today: dt.date
    evaluated: bool = True  # record which resources each rule evaluated (JUnit's passing cases)
    # record the files behind each finding and application (what --changed-since asks of a finding:
    # most of what a process sends back on a large tree, so only when it is asked)
    causes: bool = True
    # what the configuration says renders a path as the built-in renderer does (argocd:)
    rendering: Rendering = Rendering()
    revisions: bool = False  # record where Applications deploy from (--trusted-config compares them)
    max_waiver_days: int | None = None  # the longest a waiver may run (the config's gate.maxWaiverDays)
    # rules whose evaluated resources are recorded whatever ``evaluated`` says (single-copy policies,
    # compared with the base's: lint._left_running)
    counted: frozenset[str] = frozenset()
    # an application's directory (resolved) -> the namespace Argo CD deploys it into, where the
    # repository's Applications say (the gate): where its objects that name none land
    destinations: dict[str, str] = field(default_factory=dict)

    @cached_property
    def policies_by_id(self) -> dict[str, Policy]:
        return {p.id: p for p in self.policies}

    @cached_property
    def rules(self) -> list[Prepared]:
        """The enabled policies with their templates and parameters, prepared once for every
        application."""
        return prepared(self.policies)

    @cached_property
    def admission_rules(self) -> list[Policy]:
        """The tree's admission policies among the rules (``vap/<name>``)."""
        return [p for p in self.policies if p.template == "validating-admission-policy"]

    @cached_property
    def repository_rules(self) -> list[Prepared]:
        """The rules that judge what sits in the repository (``_written_findings``), prepared once."""
        return repository_rules(self.policies)


@dataclass
class AppFiles:
    """What ``--changed-since`` needs to know of an application: the files (and absent paths) its
    build read or named, and which of them hold its resources (the others are build inputs:
    kustomizations, patches, generator sources, deleted files)."""

    inputs: set[str] = field(default_factory=set)  # resolved
    resources: set[str] = field(default_factory=set)  # as shown (resolved only when a scope asks)

    def merge(self, other: AppFiles) -> None:
        self.inputs |= other.inputs
        self.resources |= other.resources

    @cached_property
    def resolved_resources(self) -> set[str]:
        """``resources`` resolved, once per application (``--changed-since`` asks per finding),
        after every part was merged."""
        return {real_text(name) for name in self.resources}


@dataclass
class Assessment:
    """What checking some applications found: small enough to send between processes."""

    findings: list[Finding] = field(default_factory=list)
    evaluated: dict[str, list[ResourceId]] = field(default_factory=dict)
    waivers: Waivers = field(default_factory=Waivers)
    resource_files: dict[ResourceId, set[str]] = field(default_factory=dict)
    resources: int = 0
    used: set[str] = field(default_factory=set)  # resolved paths of the files builds read
    parsed: set[str] = field(default_factory=set)  # resolved paths of the files parsed
    apps: dict[str, AppFiles] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)  # where Applications deploy this repository from
    # what the Applications kustomize renders deploy (argocd.deployed_directories): a directory the
    # plan did not know of as deployed is planned again (lint.assess)
    deployers: Deployers = field(default_factory=dict)
    # resources that ask Argo CD never to prune them (read where single-copy rules are counted)
    unpruned: set[ResourceId] = field(default_factory=set)
    # per single-copy rule, the copies it counted (with whenEnv: the workloads with a switch on)
    census: dict[str, list[ResourceId]] = field(default_factory=dict)
    # every workload a single-copy template counted in its namespace (``alone``), for the count
    # over every application (engine.across_applications)
    occupants: list[Occupant] = field(default_factory=list)
    # the namespaces each application's objects are in, by its root (resolved, as text)
    namespaces: dict[str, set[str]] = field(default_factory=dict)
    # where each application's mutating admission policies act, by its root: namespace patterns,
    # ``*`` for any, each with those its rule excludes (admission.reaches)
    reaches: dict[str, set[tuple[str, tuple[str, ...]]]] = field(default_factory=dict)
    # what each key of the Secrets the applications make holds, for the count across applications
    secrets: dict[str, str] = field(default_factory=dict)
    # the objects the admission rules may read as params (--trusted-config: compared with its base's)
    admission_params: list[ParamsRead] = field(default_factory=list)

    def add(self, other: Assessment) -> None:
        self.findings += other.findings
        self.occupants += other.occupants
        self.secrets.update(other.secrets)
        for root, names in other.namespaces.items():
            self.namespaces.setdefault(root, set()).update(names)
        for root, names in other.reaches.items():
            self.reaches.setdefault(root, set()).update(names)
        self.facts += other.facts
        self.revisions += other.revisions
        add_deployers(self.deployers, other.deployers)
        self.admission_params += other.admission_params
        self.unpruned |= other.unpruned
        for rule, ids in other.census.items():
            self.census.setdefault(rule, []).extend(ids)
        for rule, ids in other.evaluated.items():
            self.evaluated.setdefault(rule, []).extend(ids)
        self.waivers.extend(other.waivers)
        for rid, files in other.resource_files.items():
            self.resource_files.setdefault(rid, set()).update(files)
        self.resources += other.resources
        for name, files in other.apps.items():
            self.apps.setdefault(name, AppFiles()).merge(files)


def _merge_once(into: set[str], other: set[str], merged: set[int]) -> None:
    """``into |= other`` unless ``other`` (the same set object is shared by every part one process
    checks) was merged already: merging it once per part re-walked every file per application."""
    if other is not into and id(other) not in merged:
        merged.add(id(other))
        into |= other


def check_project(project: Project, plans: list[Plan], checks: Checks) -> Assessment:
    """Build and check every application of the planned roots; ``project`` learns which files
    were used and parsed.

    Directory-type applications are checked alongside the kustomizations; the rare one holding
    a file that some kustomization turns out to include is done again afterwards without it."""
    items = [(i, d, False) for i, plan in enumerate(plans) for d in plan.apps]
    items += [(i, d, True) for i, plan in enumerate(plans) for d in plan.plain]
    items.sort(key=lambda item: -plans[item[0]].sizes.get(item[1], 0))  # large first: less waiting at the end
    jobs = jobs_wanted(sum(plans[i].sizes.get(d, 0) for i, d, _ in items), PARALLEL_MIN_BYTES)
    # queued after the applications, in batches: Helm values files (scanned for secrets), then
    # the kustomization files the plan did not validate (validated when a schema is known)
    validated, kfiles = _validated_kustomizations(project, checks.store)
    values = project.values_files
    batches: list[Callable[[], Assessment]] = [
        functools.partial(_values_assessment, values[k : k + VALUES_BATCH], checks)
        for k in range(0, len(values), VALUES_BATCH)
    ] + [
        functools.partial(_kustomizations_assessment, kfiles[k : k + KUSTOMIZATIONS_BATCH], checks.store)
        for k in range(0, len(kfiles), KUSTOMIZATIONS_BATCH)
    ]

    def check_items(taken: Iterator[int]) -> dict[int, Assessment]:
        done: dict[int, Assessment] = {}
        used, parsed = set(), set(project.parsed)
        for n in taken:
            if n >= len(items):
                done[n] = batches[n - len(items)]()
                continue
            i, directory, plain = items[n]
            part = Project(used=used, parsed=parsed)
            if plain:
                build_plain(plans[i], directory, part)
            else:
                build_apps(plans[i], [directory], part, checks.render)
            done[n] = _assess(part, checks, orphans=False)
            plans[i].sources.release()  # the application is checked: its nodes can go
        parsed -= project.parsed  # what this process parsed, not what it was handed (sent back)
        for assessment in done.values():
            assessment.used, assessment.parsed = used, parsed
        return done

    by_item: dict[int, Assessment] = {}
    for share in run_queue(check_items, len(items) + len(batches), jobs):
        by_item.update(share)
    merged: set[int] = set()
    for assessment in by_item.values():
        _merge_once(project.used, assessment.used, merged)
        _merge_once(project.parsed, assessment.parsed, merged)
    redo: dict[int, list[Path]] = {}
    for n, (i, directory, plain) in enumerate(items):
        whole = plain and directory in plans[i].applied  # (every file applied, used or not)
        files = {real_text(p) for p in plans[i].plain[directory]} if plain and not whole else set()
        if files & project.used:  # built before a kustomization was seen to include some of its files
            del by_item[n]
            project.parsed -= files  # report their parse findings once more, from the redo
            redo.setdefault(i, []).append(directory)
    result = Assessment()
    for n in sorted(by_item):  # applications in item order, then the values and kustomization batches
        result.add(by_item[n])
    result.findings += validated
    rest = Project(used=project.used, parsed=project.parsed, margins=project.margins)

    def flush(orphans: list) -> None:  # a batch of orphaned resources, checked and let go
        result.add(_assess(Project(orphans=orphans), checks, orphans=True))

    for i, plan in enumerate(plans):
        finish(plan, rest, checks.render, redo.get(i, []), flush)
    result.add(_assess(rest, checks, orphans=True))
    result.findings += across_applications(result.occupants, result.secrets, checks.destinations)
    result.occupants, result.secrets = [], {}
    result.findings = once_per_kind(result.findings)
    return result


def _values_assessment(paths: list[Path], checks: Checks) -> Assessment:
    """Helm values files checked as applications of their own."""
    return _assess(helm_values_apps(paths), checks, orphans=False)


def _validated_kustomizations(project: Project, store: SchemaStore | None) -> tuple[list[Finding], list[Path]]:
    """The schema findings of the kustomization files the plan validated, and the files left to
    validate: those it did not, and those of a kind a CRD (of the tree or ``--crd``) defines,
    since the plan knew no CRD yet."""
    if store is None:
        return [], []
    findings: list[Finding] = []
    rest: list[Path] = []
    for path in project.kustomizations:
        done = project.validated.get(path)
        if done is not None and not any(store.has_crd(*kind) for kind in done[1]):
            findings += done[0]
        else:
            rest.append(path)
    return findings, rest


def _kustomizations_assessment(paths: list[Path], store: SchemaStore) -> Assessment:
    """Schema findings of kustomization files the plan did not validate (their parse findings are
    the plan's). Each file is read again: the plan keeps paths, not nodes."""
    findings: list[Finding] = []
    for path in paths:
        findings += kustomization_schema(path, parse_file(path, display_path(path)), store)[0]
    return Assessment(findings)


WRITTEN = " (as written in the repository; no rendered object holds it)"


def _written_findings(part: Project, checks: Checks, rendered: list[Finding]) -> list[Finding]:
    """What the repository-judging rules find in what the applications' builds read and no longer
    render (``App.written``, ``App.as_written``): a credential in clear in a base that an overlay's
    patch removes is still in the repository. A document is read again as written (and located
    there) only once its values show a finding; one a rendered finding of the same rule already
    stands for (the same place, the same credentials) is not reported twice."""
    rules = checks.repository_rules
    if not rules:
        return []
    policies = [policy for policy, _, _ in rules]
    found: list[Finding] = []
    standing = {(f.rule, f.location, f.secrets) for f in rendered}  # (another credential at a place: its own)
    for app in part.apps:
        paths = sorted({path for path, res in app.written if flags(res, rules)})
        fresh = [res for path in paths for res in resources_of(parse_file(path, display_path(path)), [])]
        # (most are kustomizations, whose values most rules find nothing in: asked first, as the
        # written documents are)
        written = [res for res in app.as_written if flags(res, rules)]
        if not fresh and not written:
            continue
        for finding in evaluate(Project(orphans=fresh + written), policies, orphans=True):
            if (finding.rule, finding.location, finding.secrets) not in standing:
                finding.app, finding.message = app.name, finding.message + WRITTEN
                found.append(finding)
    return found


def _assess(part: Project, checks: Checks, orphans: bool) -> Assessment:
    resources = part.resources
    findings = part.findings
    if checks.store is not None:
        findings += validate_all(resources, checks.store, checks.report_missing)
        findings += metadata_problems(resources)
    findings += source_overrides(resources, checks.rendering)
    findings += mutations(resources)
    evaluated: dict[str, list[ResourceId]] = {}
    facts: list[Fact] = []
    record = checks.evaluated or bool(checks.counted)
    census: dict[str, list[ResourceId]] | None = {} if checks.counted else None
    occupants: list[Occupant] = []
    findings += evaluate(
        part,
        checks.policies,
        evaluated if record else None,
        orphans=orphans,
        facts=facts,
        census=census,
        rules=checks.rules,
        occupants=occupants,
    )
    if not checks.evaluated:
        evaluated = {rule: ids for rule, ids in evaluated.items() if rule in checks.counted}
    findings += _written_findings(part, checks, findings)
    resource_files: dict[ResourceId, set[str]] = {}
    app_of: dict[ResourceId, str] = {}
    apps: dict[str, AppFiles] = {}
    found = {f.resource for f in findings if f.resource is not None}  # only they are ever looked up
    for app in part.apps:
        files = apps.setdefault(app.name, AppFiles()) if checks.causes else None
        if files is not None:
            files.inputs |= {str(p) for p in app.inputs}
        for res in app.resources:
            app_of.setdefault(res.id, app.name)
            if files is not None:
                name = res.node.start_mark.name
                if res.id in found:
                    resource_files.setdefault(res.id, set()).add(name)
                files.resources.add(name)
    for finding in findings:
        if not finding.app and finding.resource is not None:
            finding.app = app_of.get(finding.resource, "")
    waivers = annotation_waivers(resources, checks.policies_by_id, checks.today, max_days=checks.max_waiver_days)
    if orphans:
        waivers.extend(annotation_waivers(part.orphans, checks.policies_by_id, checks.today, orphaned=True))
    return Assessment(
        findings,
        evaluated,
        waivers,
        resource_files,
        len(resources),
        apps=apps,
        facts=facts,
        revisions=revisions(resources) if checks.revisions else [],
        deployers=deployed_directories([r for app in part.apps if app.rendered for r in app.resources]),
        admission_params=params_read(checks.admission_rules, resources) if checks.revisions else [],
        unpruned={res.id for res in resources if unpruned(res)} if checks.counted else set(),
        census={rule: ids for rule, ids in (census or {}).items() if rule in checks.counted},
        occupants=occupants,
        namespaces={
            real_text(app.root): {r.id.namespace for r in app.resources if r.id.namespace} for app in part.apps
        },
        reaches={real_text(app.root): found for app in part.apps if (found := reaches(app.resources))},
        secrets=secret_values(r for app in part.apps for r in app.resources),
    )
