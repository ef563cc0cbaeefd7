"""The pipeline, and its one owner (:func:`run`): for the linted tree (and the base tree it is
compared with) plan -> build -> validate -> evaluate -> waive (:func:`assess`); then compare with
the base, enable and override severities, sort, redact, scope (changed files, baseline) and
summarise into the :class:`Report` every format renders."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field, replace
from functools import cached_property
from pathlib import Path

from torghut_lint.argocd import (
    Deployers,
    Deployment,
    add_deployers,
    chain_source_files,
    covers,
    deployers_of,
    deploying,
    moved_away,
    moved_sources,
    renderer_changes,
    repository_deployments,
    repository_key,
    under,
)
from torghut_lint.assemble import Plan, Project, plan, repository_root
from torghut_lint.baseline import MAX_CREDENTIAL_DIGESTS, Baseline, compared, identity
from torghut_lint.builtin_rules import BUILTIN_RULES, builtin_finding
from torghut_lint.cache import Cache
from torghut_lint.check import Assessment, Checks, check_project
from torghut_lint.config import Config
from torghut_lint.discover import display_path, is_within, real, real_text
from torghut_lint.k8s import any_of
from torghut_lint.model import Finding, Location, ResourceId, Severity, digest_of
from torghut_lint.policy import Policy
from torghut_lint.report.base import Report, RuleInfo, Summary, bounded, is_blocking, redact
from torghut_lint.schemas.store import SchemaStore
from torghut_lint.secrets import Redactor
from torghut_lint.waivers import Waiver, added_waivers, apply_waivers, central_waivers, unreviewed_waived


@dataclass
class SchemaOptions:
    """How to validate: Kubernetes version, strictness, extra schema sources."""

    kubernetes_version: str
    strict: bool = True
    locations: list[Path] = field(default_factory=list)
    crd_files: list[Path] = field(default_factory=list)
    report_missing: bool = True
    cache: Cache = field(default_factory=lambda: Cache(None))

    def bare_store(self) -> SchemaStore:
        """A schema store without any CRD: what the plan validates kustomization files with, as
        it reads them, before the tree's CRDs are known (``check`` validates again a file whose
        kind a CRD turns out to define)."""
        return SchemaStore(self.kubernetes_version, self.strict, self.locations, self.cache)

    def store(self, project: Project) -> tuple[SchemaStore, list[Finding]]:
        """A schema store with every CRD of the project and of ``--crd`` registered."""
        from torghut_lint.kustomize.reading import resources_of
        from torghut_lint.parse import parse_file

        store = self.bare_store()
        findings: list[Finding] = []
        for (api_version, kind), schema in project.crds.items():
            store.add_crd_schema(api_version, kind, schema)
        for path in self.crd_files:  # --crd: after the tree's, as given
            files = sorted(path.rglob("*.y*ml")) if path.is_dir() else [path]
            for file in files:
                parsed = parse_file(file, str(file))
                findings.extend(parsed.findings)
                for crd in resources_of(parsed, findings):
                    store.add_crd(crd.data)
        return store, findings


@dataclass
class Scope:
    """Which findings a run reports: all, minus a baseline, limited to changed files."""

    baseline: Baseline | None = None
    changed_files: set[Path] | None = None  # resolved paths; None means every file

    @cached_property
    def changed_names(self) -> set[str]:
        return {str(p) for p in self.changed_files or ()}

    def keep(self, finding: Finding, checked: Assessment) -> bool:
        """True unless ``--changed-since`` is on and nothing that causes the finding changed:
        its file, the files its resource comes from, and for the application it was found in,
        any build input (a kustomization, a patch, a generator's source, a file it names that was
        deleted: each can change every resource of the application), or any file at all when the
        finding is about the application as a whole (a total over its resources); and anything
        below what its identity reads (:attr:`Finding.reads`)."""
        if self.changed_files is None:
            return True
        changed = self.changed_files
        files = {finding.location.file} | checked.resource_files.get(finding.resource, set())
        if any(real(Path(f)) in changed for f in files):
            return True
        if finding.reads and any(is_within(name, read) for name in self.changed_names for read in finding.reads):
            return True  # (a change to what its identity reads: a chart, a directory an Application renders)
        app = checked.apps.get(finding.app)
        if app is None:
            return False
        touched = self.changed_names & app.inputs
        if not touched or finding.subject.startswith("app:") or finding.resource is None:
            return bool(touched)
        return bool(touched - app.resolved_resources)


@dataclass
class BaseTree:
    """The tree a change is compared with (``--new-since``, ``--trusted-config``): the linted
    paths as they are in a snapshot of the base revision."""

    ref: str
    root: Path  # the snapshot's repository root (resolved)
    paths: list[Path]  # the linted paths inside it (those the base has)
    new_only: bool = False  # --new-since: report only findings whose identity the base does not have
    waivers: bool = False  # --trusted-config: a waiver the base does not have is gate-waiver-added


@dataclass
class RunOptions:
    """How one lint runs, besides what it lints and with which rules."""

    fail_on: str = "error"
    render: str = "builtin"
    extra: list[Finding] = field(default_factory=list)  # found outside the tree (--trusted-config)
    schemas: SchemaOptions | None = None  # None: no schema validation
    scope: Scope | None = None
    boundary: Path | None = None  # the repository root kustomize references may not leave
    base: BaseTree | None = None
    # receives the loaded tree and compiled schemas when the caller is about to exit (freeing
    # them object by object would only cost time)
    retain: list[object] | None = None
    today: dt.date = field(default_factory=dt.date.today)
    changed: set[Path] | None = None  # the change's files, resolved (reports put them first)
    log: Callable[[str], None] | None = None  # --verbose: each stage's progress and time, one line each
    admission: list[Path] = field(default_factory=list)  # --admission-policies: more policies and bindings
    evaluated: bool = True  # keep which resources each rule evaluated (only JUnit reports them)
    # the linter's own inputs in the tree (policy directories, with their cases): not manifests
    own: tuple[Path, ...] = ()
    # an application's directory (resolved) -> the namespace Argo CD deploys it into (the gate's,
    # read from the repository's Applications: :func:`destinations`)
    destinations: dict[str, str] = field(default_factory=dict)
    # the directories (resolved) the repository's Applications deploy (the gate's), to those
    # Applications' files: each is built as an application of its own, though a kustomization of
    # the tree includes it
    deployers: Deployers = field(default_factory=dict)


@contextmanager
def _stage(options: RunOptions, name: str) -> Iterator[list[str]]:
    """Time one stage; with ``options.log`` say what it did (the words put in the yielded list)
    and how long it took."""
    said: list[str] = []
    start = time.perf_counter()
    yield said
    if options.log is not None:
        options.log(f"{name}: {' '.join(said)} ({time.perf_counter() - start:.2f} s)")


@dataclass
class Outcome:
    """What linting one tree found, before it is scoped and redacted."""

    findings: list[Finding]
    waivers: list[Waiver]  # the annotation waivers of applied resources
    checked: Assessment
    files: int
    root: Path  # identities are relative to it
    rules: list[Policy] = field(default_factory=list)  # the tree's admission policies, as rules
    # the tree's CRD schemas: (apiVersion, kind) -> (digest of the schema, where its CRD is)
    crds: dict[tuple[str, str], tuple[str, Location]] = field(default_factory=dict)
    # what the tree's admission rules enforce: rule -> (digest of the policy and its bindings, where)
    admission: dict[str, tuple[str, Location]] = field(default_factory=dict)


def _with_admission_policies(
    project: Project, policies: list[Policy], options: RunOptions, findings: list[Finding]
) -> tuple[list[Policy], list[Policy], dict[str, tuple[str, Location]]]:
    """``policies`` plus a rule per ValidatingAdmissionPolicy of the tree and of
    ``options.admission`` (and those rules alone, for the catalog, and what each enforces, which
    only --trusted-config compares: :func:`admission.enforced`); what cannot be evaluated goes to
    ``findings``."""
    from torghut_lint import admission

    extra = [p for d in options.admission for p in (sorted(d.rglob("*.y*ml")) if d.is_dir() else [d])]
    if not project.admission_files and not extra:
        return policies, [], {}
    from torghut_lint.parse import parse_file

    for path in extra:  # outside the linted tree: their parse findings are reported here
        findings += parse_file(path, str(path)).findings
    objects = admission.read(project.admission_files + extra)
    rules, problems = admission.policies(objects)
    findings += problems
    compared = options.base is not None and options.base.waivers
    return [*policies, *rules], rules, admission.enforced(rules, objects) if compared else {}


def rule_catalog(policies: list[Policy], config: Config) -> dict[str, RuleInfo]:
    rules = {
        r.id: RuleInfo(r.id, config.severity_of(r.id, r.severity), r.description, r.rationale, r.fix)
        for r in BUILTIN_RULES.values()
    }
    for p in policies:
        rules[p.id] = RuleInfo(p.id, p.severity, p.description, p.rationale, p.fix)
    return rules


def assess(
    paths: list[Path], policies: list[Policy], config: Config, options: RunOptions, boundary: Path | None
) -> Outcome:
    """plan -> build -> validate -> evaluate -> waive, for one tree."""
    project = Project()
    with _stage(options, "plan") as said:
        bare = options.schemas.bare_store() if options.schemas is not None else None
        plans = [plan(root, project, boundary, bare, options.own, options.deployers) for root in paths]
        apps = sum(len(p.apps) + len(p.plain) for p in plans)
        said.append(f"{apps} application(s), {len(project.kustomizations)} kustomization(s) under {len(paths)} path(s)")
    findings = list(project.findings)
    policies, rules, enforced = _with_admission_policies(project, policies, options, findings)
    store = None
    if options.schemas is not None:
        with _stage(options, "schemas") as said:
            store, crd_findings = options.schemas.store(project)
            findings += crd_findings
            said.append(
                f"Kubernetes {options.schemas.kubernetes_version}, {len(project.crds)} CRD version(s) from the tree"
            )
    crds = {}  # what the gate compares with its base: only --trusted-config reads it
    if options.base is not None and options.base.waivers:
        crds = {
            key: (digest_of(schema, structural=True), project.crd_origins[key]) for key, schema in project.crds.items()
        }
    project.crds = {}  # in the store now
    schemas = options.schemas
    missing = schemas is not None and schemas.report_missing
    causes = options.scope is not None and options.scope.changed_files is not None
    checks = Checks(
        policies,
        store,
        missing,
        options.render,
        options.today,
        options.evaluated,
        causes,
        rendering=config.rendering,
        revisions=options.base is not None and options.base.waivers,  # --trusted-config: its base's too
        max_waiver_days=config.gate.get("maxWaiverDays"),
        counted=single_copy(policies) if options.base is not None else frozenset(),
        destinations=options.destinations,
    )
    with _stage(options, "build, validate, evaluate") as said:
        checked = check_project(project, plans, checks)
        said.append(f"{checked.resources} resource(s) from {project.files} file(s), {len(checked.findings)} finding(s)")
    if unplanned := _unplanned(plans, checked.deployers):
        # an Application kustomize renders (an app of apps' patch) deploys a directory of the tree the
        # plan took for part of another application: planned again, as an application of its own
        if options.log is not None:
            options.log(f"planned again: {len(unplanned)} directory(ies) a rendered Application deploys")
        deployers = add_deployers(add_deployers({}, options.deployers), unplanned)
        return assess(paths, policies, config, replace(options, deployers=deployers), boundary)
    findings += checked.findings
    waivers = checked.waivers
    annotations = [w for w in waivers.valid if w.resource is not None]
    waivers.extend(central_waivers(config, checks.policies_by_id, options.today))
    findings = apply_waivers(findings, waivers)
    if options.retain is not None:
        options.retain.append((project, plans, store, checked))
    return Outcome(findings, annotations, checked, project.files, _root(paths, boundary), rules, crds, enforced)


def _unplanned(plans: list[Plan], deployed: Deployers) -> Deployers:
    """The directories of ``deployed`` (what rendered Applications deploy) inside a planned root that
    the plans did not know of as deployed (each planned so: an application of its own)."""
    roots = [real_text(p.root) for p in plans]
    return {
        d: files
        for d, files in deployed.items()
        if any(is_within(d, r) for r in roots) and not any(d in p.deployers for p in plans)
    }


def _root(paths: list[Path], boundary: Path | None) -> Path:
    """The repository root identities are relative to (resolved)."""
    return Path(os.path.realpath(boundary or (repository_root(paths[0]) if paths else Path.cwd())))


def deployers(deployed: list[Deployment], root: Path) -> Deployers:
    """:func:`~torghut_lint.argocd.deployers_of` the repository at ``root`` (its deployments name
    their Applications' files relative to it: :func:`~torghut_lint.argocd.repository_deployments`)."""
    return deployers_of(deployed, lambda d: (root, {real_text(root / d.file)} if d.file else set()))


def destinations(deployed: list[Deployment], root: Path) -> dict[str, str]:
    """Each directory of the repository at ``root`` its Applications deploy, resolved, to the one
    namespace Argo CD deploys it into, where every source deploying it says the same one (its
    objects that name none land there)."""
    found: dict[str, set[str]] = {}
    for d in deployed:
        if d.path is not None and not d.path.startswith(".."):
            found.setdefault(os.path.realpath(root / d.path), set()).update(d.namespaces or {""})
    return {directory: next(iter(names)) for directory, names in found.items() if len(names) == 1 and "" not in names}


def _overridden(
    base: list[Deployment], head: list[Deployment], linted: list[str], chain: list[str], compared: frozenset
) -> list[Finding]:
    """``argocd-source-override`` of what deploys the linted paths (or an Application or ApplicationSet
    deploying those, :func:`argocd.deploying`) wherever it is in the repository, where the change
    makes it render otherwise (kustomize parameters, a plugin, patches in the ApplicationSet that
    deploys the tree): Argo CD renders what the gate never checked. What the trusted ref has is
    reviewed; the linted tree's own are reported by its check."""
    known = {(d.resource, f.message, f.digest) for d in base for f in d.overrides}
    found: dict[tuple, Finding] = {}
    for d in head:
        # (a values file a parameter leaves unknown may be any file, a linted one too)
        reads = any(f is None or under(f, linted) for f in d.reads)
        if d.resource in compared or not (covers(d.path, linted, chain) or reads):
            continue
        for f in d.overrides:  # (what it sets is in the digest: a worse patch where one was is new)
            if (d.resource, f.message, f.digest) not in known:
                found.setdefault((d.resource, f.message, f.digest), f)
    return list(found.values())


def run(paths: list[Path], policies: list[Policy], config: Config, options: RunOptions | None = None) -> Report:
    """Lint ``paths``: the one pipeline every command and integration goes through."""
    options = options or RunOptions()
    start = time.perf_counter()
    # what deploys what: every Application and ApplicationSet of the repository after the change and
    # at the base, read once each (not only the linted tree's: the one that deploys it usually lives
    # elsewhere); none when the linted paths are outside the repository
    root = _root(paths, options.boundary)
    linted = [os.path.relpath(os.path.realpath(p), root) for p in paths]
    inside = options.base is not None and not any(p.startswith("..") for p in linted)
    deployed = repository_deployments(root, root, config.rendering) if inside else []
    before_root = options.base.root if inside and options.base else None
    deployed_before = repository_deployments(before_root, root, config.rendering) if before_root else []
    if inside:
        options = replace(options, destinations=destinations(deployed, root), deployers=deployers(deployed, root))
    head = assess(paths, policies, config, options, options.boundary)
    beside, elsewhere = (
        deployed_beside(linted, head, (deployed, deployed_before), policies, config, options) if inside else ([], [])
    )
    if beside:
        if options.log is not None:
            options.log("linted with the tree: " + "; ".join(why for _, why in beside))
        head = assess(paths + [path for path, _ in beside], policies, config, options, options.boundary)
        there = [options.base.root / path.relative_to(head.root) for path, _ in beside]
        options = replace(
            options, base=replace(options.base, paths=options.base.paths + [p for p in there if p.is_dir()])
        )
    findings = head.findings + options.extra + elsewhere
    preexisting = 0
    if options.base is not None:
        base = options.base
        if options.log is not None:
            options.log(f"the base revision {base.ref}:")
        there = destinations(deployed_before, base.root)  # the base's applications, where they land
        at_base = replace(options, retain=None, destinations=there, deployers=deployers(deployed_before, base.root))
        before = assess(base.paths, policies, config, at_base, base.root)
        if base.waivers:
            allowed = set(config.gate.get("allowPullRequestWaivers") or [])
            findings += added_waivers(before.waivers, head.waivers, base.ref, allowed)
            findings += unreviewed_waived(
                (before.findings, before.waivers), (head.findings, head.waivers), base.ref, allowed
            )
            findings += moved_sources(before.checked.revisions, head.checked.revisions, base.ref)
            from torghut_lint.trust import changed_admission, changed_schemas  # (a gate's alone)

            if options.schemas is not None:
                findings += changed_schemas(before.crds, head.crds, options.schemas.bare_store(), base.ref)
            findings += changed_admission(
                (before.admission, before.checked.admission_params, before.root),
                (head.admission, head.checked.admission_params, head.root),
                base.ref,
            )
        if base.waivers and inside:
            revisions = frozenset(r.resource for r in head.checked.revisions)  # moved_sources compares these
            chain = deploying(deployed_before, linted)  # (as the trusted ref has it)
            findings += moved_away(deployed_before, deployed, linted, base.ref, revisions, chain)
            findings += _overridden(deployed_before, deployed, linted, chain, revisions)
            findings += chain_source_files(deployed, linted, chain, root, base.root)
            findings += renderer_changes(root, base.root, options.changed or (), base.ref)
        findings += _left_running(paths, linted, deployed, head, before, base)
        if base.new_only:
            # Compared with the credentials a finding is about (in memory only: the identity
            # stores no digest of a secret): another plaintext credential where one was is a new leak.
            known = Counter((compared(identity(f, before.root)), f.secrets) for f in before.findings)
            fresh = []
            for f in findings:
                key = (compared(identity(f, head.root)), f.secrets)
                if known[key] > 0:
                    known[key] -= 1
                else:
                    fresh.append(f)
            preexisting = len(findings) - len(fresh)
            findings = fresh
    findings = [f for f in findings if config.enabled(f.rule)]
    for f in findings:
        if f.rule in BUILTIN_RULES:
            f.severity = config.severity_of(f.rule, f.severity)
    scope = options.scope
    if scope is not None:  # each application's copy of a finding asks (a base's, reached by several)
        findings = [f for f in findings if scope.keep(f, head.checked)]
    findings = sorted(_unique(findings), key=Finding.sort_key)
    redactor = Redactor(s for f in findings for s in f.secrets)
    findings = redact(findings, redactor)  # before the baseline, which stores the redacted identity
    baselined = 0
    if scope is not None:
        if scope.baseline is not None:
            before_count = len(findings)
            findings = scope.baseline.new_findings(findings, head.root)
            baselined = before_count - len(findings)
            if scope.baseline.uncompared and config.enabled("baseline-not-compared"):
                findings = sorted([*findings, _uncompared(scope.baseline, config)], key=Finding.sort_key)
    threshold = Severity.parse(options.fail_on)
    summary = Summary(
        files=head.files,
        resources=head.checked.resources,
        findings=len(findings),
        blocking=sum(1 for f in findings if is_blocking(f, threshold)),
    )
    catalog = rule_catalog([*policies, *head.rules], config)
    facts = [
        replace(
            fact,
            item=bounded(redactor(fact.item)),
            value=bounded(redactor(fact.value)),
            limit=bounded(redactor(fact.limit)),
            resource=fact.resource and ResourceId(*(redactor(part) for part in astuple(fact.resource))),
        )
        for fact in sorted(head.checked.facts, key=lambda fact: (fact.table, fact.location, fact.item))
    ]
    changed = frozenset(str(p) for p in options.changed) if options.changed is not None else None
    if options.log is not None:
        options.log(
            f"done: {summary.findings} finding(s) reported, {summary.blocking} blocking, {preexisting} on the base "
            f"too, {baselined} in the baseline ({time.perf_counter() - start:.2f} s)"
        )
    return Report(
        findings,
        summary,
        threshold,
        catalog,
        head.checked.evaluated,
        baselined,
        redactor,
        head.root,
        preexisting,
        facts,
        changed,
    )


def single_copy(policies: list[Policy]) -> frozenset[str]:
    """The policies that allow one running copy of what they match in its namespace (a
    replica-count census, ``alone``): a removed copy Argo CD does not prune is a second one. With
    ``whenEnv`` (one trading loop) the copies are the workloads with a switch on, as the template
    counts them (its census), not every workload it matches."""
    return frozenset(p.id for p in policies if p.enabled and p.template == "replica-count" and p.params.get("alone"))


def _present(checked: Assessment, rule: str) -> set[ResourceId]:
    """What ``rule`` matched in the tree, counted or not."""
    return set(checked.evaluated.get(rule, ()))


def deployed_beside(
    linted: list[str],
    head: Outcome,
    deployments: tuple[list[Deployment], list[Deployment]],
    policies: list[Policy],
    config: Config,
    options: RunOptions,
) -> tuple[list[tuple[Path, str]], list[Finding]]:
    """The directories of this repository Argo CD deploys into the linted tree's namespaces that
    a change makes it deploy (a new Application or list element, or one given another path or
    namespace) or changes the files of (an application beside it already), with why: Argo CD runs
    them beside the linted tree (a copy of it with live trading on under another path, a second
    websocket), so the gate lints them with it. Into its namespaces: its destination may be one of
    them (a template's branches each taken), or, linted alone, its objects are in one. One the
    change leaves as the base deployed it, one elsewhere, or one whose destination a template
    leaves unknown and whose objects name no namespace, is not the gate's. One a new or changed
    source deploys from a revision other than the linted tree's (a branch) is not linted but
    reported (``argocd-source-moved``): Argo CD deploys that revision's. ``deployments``: the
    repository's after the change and at the base; ``linted``: the linted paths, relative to the
    repository."""
    deployed, deployed_before = deployments

    def seen(d: Deployment) -> tuple:
        return d.resource, d.key, d.path, d.repo_url, d.revision, d.namespaces

    before = {seen(d) for d in deployed_before}
    namespaces = {ns for names in head.checked.namespaces.values() for ns in names}
    namespaces |= {ns for d in deployed if under(d.path, linted) for ns in d.namespaces or ()}
    touched = {str(parent) for f in options.changed or () for parent in f.parents}  # directories holding a change
    # this repository, as the Applications that deploy the linted paths name it (another's path
    # may be spelled like one of these directories); none deploys them: any that names a directory
    ours = {repository_key(d.repo_url) for d in deployed if under(d.path, linted)}
    # the revisions the linted tree is deployed from, now or at the base: what the gate sees
    lints = {(repository_key(d.repo_url), d.revision) for d in (*deployed, *deployed_before) if under(d.path, linted)}
    candidates: dict[Path, list[Deployment]] = {}
    for d in deployed:
        if d.path is None or d.path.startswith("..") or under(d.path, linted):
            continue
        if ours and repository_key(d.repo_url) not in ours:
            continue
        directory = head.root / d.path
        if directory.is_dir() and (seen(d) not in before or os.path.realpath(directory) in touched):
            candidates.setdefault(directory, []).append(d)
    # what its objects name: the directories whose destinations do not settle it, linted alone once
    unsettled = [p for p, ds in candidates.items() if not any(set(d.namespaces or ()) & namespaces for d in ds)]
    named: dict[str, set[str]] = {}
    reached: dict[str, set[tuple]] = {}  # where their mutating admission policies act (cluster-scoped: anywhere)
    if unsettled:
        alone = replace(options, base=None, retain=None, scope=None, log=None, extra=[])
        checked = assess(unsettled, policies, config, alone, options.boundary).checked
        named, reached = checked.namespaces, checked.reaches
    found: list[tuple[Path, str]] = []
    elsewhere: list[Finding] = []
    for directory, ds in sorted(candidates.items()):
        resolved = os.path.realpath(directory)
        into = {ns for d in ds for ns in d.namespaces or ()} & namespaces
        into |= {ns for app, names in named.items() if is_within(app, resolved) for ns in names} & namespaces
        acting: dict[tuple[str, ...], list[str]] = {}  # the patterns where they act, by what each excludes
        for app, reach in reached.items():
            if is_within(app, resolved):
                for pattern, excluded in reach:
                    acting.setdefault(excluded, []).append(pattern)
        tests = [(any_of(tuple(sorted(set(patterns)))), excluded) for excluded, patterns in acting.items()]
        acts = {
            ns
            for ns in namespaces
            if any(test(ns) and not (excluded and any_of(excluded)(ns)) for test, excluded in tests)
        } - into
        if not into and not acts:
            continue
        # deployed from a revision the linted tree is not (a branch): what Argo CD deploys is that
        # revision's, which the gate never saw; only a new or changed source says so
        moved = [
            d for d in ds if lints and seen(d) not in before and (repository_key(d.repo_url), d.revision) not in lints
        ]
        for d in moved:
            message = (
                f"this change deploys {d.path} ({d.resource.kind} {d.resource.name}, {d.key}) into namespace "
                f"{', '.join(sorted(into | acts))} beside the linted tree from {d.repo_url or '(this repository)'}@"
                f"{d.revision}, which the gate does not lint: it lints this change's tree"
            )
            elsewhere.append(builtin_finding("argocd-source-moved", message, d.location, d.resource))
        if not moved:
            d = ds[0]
            where = [f"into {', '.join(sorted(into))}"] if into else []
            where += [f"its admission policies acting in {', '.join(sorted(acts))}"] if acts else []
            found.append((directory, f"{d.path} ({d.resource.kind} {d.resource.name}, {d.key}: {'; '.join(where)})"))
    return found, elsewhere


def _counted(checked: Assessment, rule: str) -> set[ResourceId]:
    """What ``rule`` counted as copies: its census, else every resource it matched."""
    return set(checked.census[rule] if rule in checked.census else checked.evaluated.get(rule, ()))


def _left_running(
    paths: list[Path], linted: list[str], deployed: list[Deployment], head: Outcome, before: Outcome, base: BaseTree
) -> list[Finding]:
    """``argocd-not-pruned`` for each workload a single-copy policy counted at the base that the
    change removes while the policy still counts another, unless Argo CD deletes it: an
    Application of the repository that deploys the linted paths (``deployed``: the repository's,
    after the change) prunes (``syncPolicy.automated.prune``; Argo CD's default does not), its
    sync options do not hold pruning back (``Prune=false``, ``Prune=confirm``), and neither does
    the workload's own ``argocd.argoproj.io/sync-options`` annotation as the cluster holds it (the
    base's: Argo CD reads the live object's)."""
    deploying = [d for d in deployed if under(d.path, linted)]
    prunes = any(d.prunes and not d.prune_held for d in deploying)
    held = any(d.prunes and d.prune_held for d in deploying)
    where = deploying[0].location if deploying else Location(display_path(paths[0]) if paths else "")
    findings = []
    for rule in sorted(set(head.checked.evaluated) & set(before.checked.evaluated)):  # every counted rule
        now = _counted(head.checked, rule)
        if not now:
            continue  # nothing counted any more: the old one running is the only one
        kept = ", ".join(sorted(map(str, now))[:3])
        # a copy the tree no longer holds (one it still holds, its switch turned off, is updated in place)
        for old in sorted(_counted(before.checked, rule) - now - _present(head.checked, rule), key=str):
            if old in before.checked.unpruned:
                why = "it asks Argo CD never to prune it (argocd.argoproj.io/sync-options: Prune=false or confirm)"
            elif prunes:
                continue
            elif held:
                why = "the Application deploying it holds pruning back (syncOptions Prune=false or confirm)"
            else:
                why = "no Application deploying it prunes (syncPolicy.automated.prune)"
            message = (
                f"this change removes {old} (at {base.ref}), which {rule} counts, and keeps {kept}: {why}, "
                "so Argo CD leaves the old one running beside it"
            )
            findings.append(builtin_finding("argocd-not-pruned", message, where, old))
    return findings


def _uncompared(baseline: Baseline, config: Config) -> Finding:
    """What a run says of the credential findings it reported without comparing them with the
    baseline (past the limit of slow digests a run computes)."""
    message = (
        f"{baseline.uncompared:,} finding(s) of credentials in clear reported as new without being compared with "
        f"the baseline: a run compares at most {MAX_CREDENTIAL_DIGESTS:,} (each is a slow digest)"
    )
    where = Location(display_path(baseline.path) if baseline.path is not None else "<baseline>")
    found = builtin_finding("baseline-not-compared", message, where)
    found.severity = config.severity_of(found.rule, found.severity)
    return found


def _unique(findings: list[Finding]) -> list[Finding]:
    """Drop exact repeats (a file reached by two kustomizations yields the same finding twice).
    Two credentials at one place (two commands of one script) are two findings: one repeat would
    hide the second, and a baseline holding the first would let the second pass."""
    seen: set[tuple] = set()
    out = []
    for f in findings:
        key = (f.rule, f.location, f.message, f.resource, tuple(f.secrets))
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
