"""Evaluate policies over the assembled applications."""

from __future__ import annotations

from collections import defaultdict

from torghut_lint.assemble import App, Project
from torghut_lint.discover import real, real_text
from torghut_lint.k8s import has_wildcards, unknown_workload
from torghut_lint.model import (
    UNSET,
    Fact,
    Finding,
    Location,
    Resource,
    ResourceId,
    Severity,
    digest_of,
    dotted,
    keyed,
    nodes_stand_still,
    value_at,
)
from torghut_lint.policy import Match, Policy
from torghut_lint.templates import load_template
from torghut_lint.templates.base import Occupant, RuleContext, Template, crowded, resolved


class KindIndex:
    """Resources of one application by kind, so a policy only visits what it can match; what one
    ``match`` selects is worked out once per application, however many policies share it (a
    team's policies share one ``within``; most policies select every resource)."""

    def __init__(self, resources: list[Resource]) -> None:
        self.all = resources
        self.by_kind: dict[str, list[Resource]] = defaultdict(list)
        for res in resources:
            self.by_kind[res.id.kind].append(res)
        self._selected: dict[Match, list[Resource]] = {}
        self._unlisted: dict[Match, list[Resource]] = {}
        self._unknown: list[Resource] | None = None  # the workloads of unknown kinds, found when first asked

    def candidates(self, policy: Policy) -> list[Resource]:
        """The resources ``policy`` matches, in the application's order (shared by the policies
        with the same match: not to be changed)."""
        match = policy.match
        selected = self._selected.get(match)
        if selected is None:
            kinds = match.kinds
            if kinds and not any(map(has_wildcards, kinds)):
                pool = [r for k in kinds for r in self.by_kind.get(k, [])]
            else:
                pool = self.all
            selected = self._selected[match] = pool if match.selects_all else [r for r in pool if match.matches(r)]
        return selected

    def unlisted(self, policy: Policy) -> list[Resource]:
        """The workloads of kinds nobody knew of (:func:`unknown_workload`) that ``policy``'s match
        selects but for their kind, when it names kinds (:attr:`RuleContext.unlisted`)."""
        match = policy.match
        if not match.all_kinds:
            return []
        found = self._unlisted.get(match)
        if found is None:
            if self._unknown is None:
                self._unknown = [r for r in self.all if unknown_workload(r)]
            wider = match.without_kinds
            found = self._unlisted[match] = [r for r in self._unknown if not match.matches(r) and wider.matches(r)]
        return found


def evaluate(
    project: Project,
    policies: list[Policy],
    evaluated: dict[str, list[ResourceId]] | None = None,
    apps: list[App] | None = None,
    orphans: bool = True,
    facts: list[Fact] | None = None,
    census: dict[str, list[ResourceId]] | None = None,
    rules: list[Prepared] | None = None,
    occupants: list[Occupant] | None = None,
) -> list[Finding]:
    """Findings of every enabled policy on the applications (all by default) and, with
    ``orphans``, on orphaned manifests where the template applies to them.

    ``evaluated`` collects, per rule, the resources it looked at (JUnit's passing test cases);
    ``facts``, what templates with a ``facts(ctx)`` report whatever their verdict (applications
    only: the job summary's switches and volumes); ``census``, per rule, what a single-copy
    template counted as copies (:attr:`RuleContext.census`); ``rules``: ``prepared(policies)``,
    when the caller has them already (it evaluates application after application); ``occupants``,
    the workloads single-copy templates counted in their namespaces (:class:`Occupant`), each
    unreported one's finding located, for :func:`across_applications`."""
    findings: list[Finding] = []
    chosen = project.apps if apps is None else apps
    scopes: list[tuple[App | None, list[Resource]]] = [(app, app.resources) for app in chosen]
    # texts (loose files and JSON data) and margins (comments, anchors, tags): read for secrets
    if (orphans and project.orphans) or project.texts or project.margins:
        scopes.append((None, project.orphans if orphans else []))
    active = prepared(policies) if rules is None else rules
    with nodes_stand_still():  # (templates read nodes; none edits one while they do)
        for app, resources in scopes:
            index = KindIndex(resources)
            for policy, template, params in active:
                if app is None and not (template.orphans and (resources or template.texts)):
                    continue
                matched = [r for r in index.candidates(policy) if not template.kinds or r.id.kind in template.kinds]
                ctx = RuleContext(
                    params,
                    matched,
                    resources,
                    app.helm_values if app else [],
                    texts=project.texts if app is None else [],
                    margins=project.margins if app is None else [],
                    in_scope=policy.match.within,
                    unlisted=index.unlisted(policy) if template.unlisted and not template.kinds else [],
                )
                if evaluated is not None:
                    evaluated.setdefault(policy.id, []).extend(r.id for r in ctx.matched + ctx.unlisted)
                try:
                    for v in template.check(ctx):
                        findings.append(_finding(policy, v, app, fixable=v.fixable and template.fix is not None))
                    if facts is not None and app is not None and template.facts is not None:
                        facts.extend(_fact(policy, o, app) for o in template.facts(ctx))
                    if census is not None and ctx.census is not None:
                        census.setdefault(policy.id, []).extend(r.id for r in ctx.census)
                    if occupants is not None and app is not None:
                        for occupant in ctx.occupants:
                            if occupant.violation is not None:  # located now: the nodes go with the application
                                occupant.finding = _finding(policy, occupant.violation, app, fixable=False)
                                occupant.violation = None
                            occupant.rule, occupant.app, occupant.root = policy.id, app.name, real_text(app.root)
                            occupants.append(occupant)
                except Exception as exc:  # noqa: BLE001 - fail closed, located, never a traceback
                    where = Location(app.name if app else "(orphaned files)")
                    findings.append(
                        Finding(
                            policy.id,
                            Severity.ERROR,
                            f"could not be evaluated here ({type(exc).__name__} in template {policy.template}): a "
                            "manifest has a shape the rule does not expect; fix the schema findings, or report a bug",
                            where,
                            subject=app_subject(app),
                            app=app.name if app else "",
                        )
                    )
    return findings


Prepared = tuple[Policy, Template, dict]  # the policy, its template, its parameters with the defaults


def prepared(policies: list[Policy]) -> list[Prepared]:
    """The enabled policies, each with its template and its parameters with the defaults."""
    templates = [(p, load_template(p.template)) for p in policies if p.enabled]
    return [(p, t, t.with_defaults(p.params)) for p, t in templates]


def repository_rules(policies: list[Policy]) -> list[Prepared]:
    """The enabled policies whose templates judge what sits in the repository, whether or not it is
    applied (orphan-capable: credentials in clear), each with its template and parameters."""
    return [rule for rule in prepared(policies) if rule[1].orphans]


def flags(res: Resource, rules: list[Prepared]) -> bool:
    """Whether one of ``rules`` finds something in ``res``, judged on its values alone (nothing is
    located: ``res``'s nodes may no longer be the ones its values were read from). A template
    that fails on it counts as finding something: the caller reads it again and evaluates that."""
    for policy, template, params in rules:
        if (template.kinds and res.id.kind not in template.kinds) or not policy.match.matches(res):
            continue
        try:
            if next(iter(template.check(RuleContext(params, [res], [res], []))), None) is not None:
                return True
        except Exception:  # noqa: BLE001 - evaluated again on a fresh read, where it is reported
            return True
    return False


def _inside_text(data: object, path: tuple) -> bool:
    """Whether ``path`` goes on into a text it meets (a value inside a pod spec patch's JSON): no
    fixer edits a text's inside, so such a finding is never offered to fix."""
    return any(isinstance(value_at(data, path[:i]), str) for i in range(len(path)))


def _finding(policy: Policy, v, app: App | None, fixable: bool) -> Finding:
    """A template's violation as a located finding with its identity (merge-keyed field, digest
    of the offending value, requirement)."""
    data = v.resource.data if v.resource else None
    key = keyed(data, v.path)
    if v.requirement:
        key += f"#{v.requirement}"
    value = value_at(data, v.path) if v.value is UNSET else v.value
    if v.secrets:  # never a digest of a secret: a short hash of a weak password can be reversed
        value = ""
    return Finding(
        rule=policy.id,
        severity=policy.severity,
        message=v.message,
        location=v.location or v.resource.locate(v.path),
        resource=v.resource.id if v.resource else None,
        field=dotted(v.path),
        secrets=v.secrets,
        fixable=fixable and not _inside_text(data, v.path),
        key=key,
        digest=digest_of(value),
        subject=app_subject(app) if v.subject == "app" else v.subject,
        app=app.name if app else "",
    )


def _fact(policy: Policy, o, app: App) -> Fact:
    where = o.location or (o.resource.locate(o.path) if o.resource is not None else Location(app.name))
    resource = o.resource.id if o.resource is not None else None
    return Fact(policy.id, o.table, resource, where, o.item, o.value, o.limit, o.ok)


def app_subject(app: App | None) -> str:
    """The subject of a finding about a whole application (its resolved directory; identities
    make it relative to the repository root)."""
    return f"app:{real(app.root).as_posix()}" if app is not None else "orphans"


def across_applications(
    occupants: list[Occupant], secrets: dict[str, str], destinations: dict[str, str] | None = None
) -> list[Finding]:
    """The count of ``alone`` over every application of the run, namespace by namespace: Argo CD
    runs the applications that deploy into one namespace side by side, so where their workloads
    of one connection (:func:`crowded`) together run more than one copy, each that its own
    application's count did not report is reported. One object several applications hold
    (overlays of one base) is one workload: Argo CD applies it once. A namespace none of them
    names is its application's destination: counted there where ``destinations`` knows it (an
    application's directory, resolved, to the one namespace Argo CD deploys it into), else not
    counted across. ``secrets``: what
    each key of the Secrets the applications make holds (:func:`~torghut_lint.k8s.secret_values`),
    for a Secret one application makes and another's workload reads."""
    by_namespace: dict[tuple[str, str], dict[str, Occupant]] = {}
    for occupant in occupants:
        namespace = occupant.namespace or (destinations or {}).get(occupant.root, "")
        if namespace:  # by what the count lists: an object held twice is one
            by_namespace.setdefault((occupant.rule, namespace), {}).setdefault(occupant.described, occupant)
    findings: list[Finding] = []
    for (_, namespace), workloads in by_namespace.items():
        if all(o.finding is None for o in workloads.values()):  # each reported by its own application
            continue
        said: set[int] = set()
        told = [(o, resolved(o.connection, secrets.get)) for o in workloads.values()]
        for pairs in crowded(told, lambda pair: pair[1], lambda pair: pair[0].copies):
            group = [o for o, _ in pairs]
            apps = len({o.app for o in group})
            if apps < 2:
                continue  # within one application: its own count's
            listed = ", ".join(sorted(o.described for o in group))
            for occupant in group:
                if occupant.finding is None or id(occupant) in said:
                    continue
                said.add(id(occupant))
                finding = occupant.finding
                finding.message = (
                    f"{len(group)} workload(s) of namespace {namespace} {occupant.what} across {apps} applications "
                    f"({listed}); each runs {occupant.its}, so exactly one may"
                )
                findings.append(finding)
    return findings
