"""ValidatingAdmissionPolicies as rules: the policies and bindings of the linted tree (and of
``--admission-policies DIR``) become one rule each, ``vap/<policy name>``, evaluated by the
``validating-admission-policy`` template on every application.

Read from the manifests as written (the files holding them are parsed as they are, before any
kustomize build): a policy is what the cluster will have once the tree is synced. The severity
is the binding's ``validationActions``: ``Deny`` error, ``Warn`` warning, ``Audit`` info (the
strictest of a policy's bindings). What cannot be evaluated is reported, never skipped: an
expression that does not compile, a binding without actions, a binding of a policy the tree does
not have (``admission-policy-invalid``)."""

from __future__ import annotations

from pathlib import Path

from torghut_lint.builtin_rules import builtin_finding
from torghut_lint.discover import display_path
from torghut_lint.k8s import DNS_SUBDOMAIN, listed
from torghut_lint.model import Finding, Location, Resource, ResourceId, Severity, digest_of
from torghut_lint.policy import Match, Policy

GROUP = "admissionregistration.k8s.io"
SEVERITY = {"Deny": Severity.ERROR, "Warn": Severity.WARNING, "Audit": Severity.INFO}
MARKER = b"ValidatingAdmissionPolicy"  # both kinds' names hold it: files without it are not read


def read(files: list[Path]) -> list[Resource]:
    """The admission policy objects (and every other object, for paramRef) of ``files``."""
    from torghut_lint.kustomize.reading import resources_of
    from torghut_lint.parse import parse_file

    out: list[Resource] = []
    for path in files:
        out += resources_of(parse_file(path, display_path(path)), [])
    return out


KYVERNO = "kyverno.io"
# what a Kyverno rule does to the cluster besides judging: changes an object, or makes one (which
# `synchronize` keeps as the rule writes it, over what the repository says)
_KYVERNO_ACTIONS = ("mutate", "generate")


def mutations(resources: list[Resource]) -> list[Finding]:
    """``admission-mutation`` for each mutating admission policy among ``resources``: a
    MutatingAdmissionPolicy (its mutations run on every object its bindings select), a Kyverno
    ClusterPolicy or Policy with a ``mutate`` rule (``mutateExistingOnPolicyUpdate`` or not) or a
    ``generate`` rule (objects it makes, a ConfigMap of Torghut's namespace with live trading on, say).
    What they make of the manifests is what the cluster runs, and nothing here applies them."""
    found: list[Finding] = []
    for res in resources:
        spec = res.data.get("spec")
        if not isinstance(spec, dict):
            continue
        if res.id.group == GROUP and res.id.kind == "MutatingAdmissionPolicy":
            path: tuple = ("spec", "mutations") if "mutations" in spec else ("spec",)
            mutation: object = spec.get("mutations")
            what = f"MutatingAdmissionPolicy {res.id.name} changes what it selects as the cluster admits it"
        elif res.id.group == KYVERNO and res.id.kind in ("ClusterPolicy", "Policy"):
            rules = spec.get("rules") if isinstance(spec.get("rules"), list) else []
            acting = [(i, r, a) for i, r in enumerate(rules) if isinstance(r, dict) for a in _KYVERNO_ACTIONS if a in r]
            if not acting:
                continue
            at, rule, action = acting[0]
            path = ("spec", "rules", at, action)
            mutation = [r.get(a) for _, r, a in acting]
            does = "mutates what" if action == "mutate" else "generates objects (and keeps them so) where"
            named = f"rule {rule.get('name')!r}"
            what = f"Kyverno {res.id.kind} {res.id.name} {does} {named} matches, as the cluster admits it"
        else:
            continue
        message = (
            f"{what}: the cluster runs what the policy makes of the manifests, which the linter does not apply "
            "(a mutation may set what every policy here checks); make the change in the manifests"
        )
        finding = builtin_finding("admission-mutation", message, res.locate(path), res.id)
        # what it mutates is the identity: a mutation made worse (labels, then TRADING_MODE=live) is
        # a new finding, never the baseline's or the base's
        finding.digest = digest_of(mutation, structural=True)
        found.append(finding)
    return found


ANYWHERE = "*"  # a namespace pattern: every namespace (a cluster-scoped mutation, a selector)
Reach = tuple[str, tuple[str, ...]]  # a namespace pattern where a policy acts, and those it excludes


def reaches(resources: list[Resource]) -> set[Reach]:
    """Where the mutating admission policies among ``resources`` change or make objects
    (:func:`mutations`): namespace patterns (``*`` for any), each with the patterns its rule
    excludes. A cluster-scoped one may act far from the application that holds it (a Kyverno
    ClusterPolicy in another team's directory setting TRADING_MODE=live on Torghut's pods). Read
    as an upper bound: a MutatingAdmissionPolicy's bindings select by labels (anywhere); a Kyverno
    rule's match by its resource filters' ``namespaces`` (a filter without, or one that selects
    Namespaces, anywhere), less what its ``exclude`` takes out by namespace alone; a generate rule
    acts in the namespace it writes to, a mutation of existing objects in its targets'; a
    namespaced Policy in its own namespace."""
    found: set[Reach] = set()
    for res in resources:
        spec = res.data.get("spec")
        if not isinstance(spec, dict):
            continue
        if res.id.group == GROUP and res.id.kind == "MutatingAdmissionPolicy":
            found.add((ANYWHERE, ()))
        elif res.id.group == KYVERNO and res.id.kind == "Policy":
            if any(isinstance(r, dict) and any(a in r for a in _KYVERNO_ACTIONS) for r in listed(spec, "rules")):
                found.add((res.id.namespace, ()))  # (none: where the destination puts it, as its other objects)
        elif res.id.group == KYVERNO and res.id.kind == "ClusterPolicy":
            for rule in listed(spec, "rules"):
                if isinstance(rule, dict):
                    found |= _kyverno_rule_reaches(rule)
    found = {reach for reach in found if reach[0]}
    # more places than any platform names is read as what it bounds: anywhere (a hostile list of
    # rules and namespaces would make every namespace of the tree a test of each)
    return {(ANYWHERE, ())} if len(found) > MAX_REACHES else found


MAX_REACHES = 1_000


def _filters(match: object) -> list[dict]:
    """The resource filters of a Kyverno ``match`` or ``exclude``: its ``any`` and ``all`` lists,
    and the older form's own ``resources``."""
    if not isinstance(match, dict):
        return []
    filters = [match] if "resources" in match else []
    return filters + [f for key in ("any", "all") for f in listed(match, key) if isinstance(f, dict)]


def _excluded(rule: dict) -> tuple[str, ...]:
    """The namespaces a Kyverno rule's ``exclude`` takes out whatever else they hold: its filters
    that name namespaces and nothing else (under ``all``, only when it has one filter)."""
    exclude = rule.get("exclude")
    if not isinstance(exclude, dict):
        return ()
    every = [f for f in listed(exclude, "all") if isinstance(f, dict)]  # (all must hold: one alone counts)
    filters = [exclude] if "resources" in exclude else []
    filters += [f for f in listed(exclude, "any") if isinstance(f, dict)] + (every if len(every) == 1 else [])
    found: list[str] = []
    for each in filters:
        selected = each.get("resources")
        if isinstance(selected, dict) and set(selected) == {"namespaces"} and set(each) == {"resources"}:
            found += [n for n in listed(selected, "namespaces") if isinstance(n, str) and n]
    return tuple(sorted(set(found)))


def _kyverno_rule_reaches(rule: dict) -> set[Reach]:
    """Where one ClusterPolicy rule changes or makes objects (:func:`reaches`), none if it only
    validates."""
    found: set[Reach] = set()
    generate = rule.get("generate")
    if isinstance(generate, dict):
        namespace = generate.get("namespace")
        written = isinstance(namespace, str) and namespace and "{{" not in namespace
        found.add((namespace if written else ANYWHERE, ()))
    mutate = rule.get("mutate")
    if isinstance(mutate, dict):
        excluded = _excluded(rule)
        filters = _filters(rule.get("match"))
        if not filters:
            found.add((ANYWHERE, excluded))
        for each in filters:
            selected = each.get("resources") if isinstance(each.get("resources"), dict) else {}
            names = [n for n in listed(selected, "namespaces") if isinstance(n, str) and n]
            kinds = [str(k) for k in listed(selected, "kinds")]
            if not names or any(k.rsplit("/", 1)[-1] == "Namespace" for k in kinds):
                found.add((ANYWHERE, excluded))
            found.update((name, excluded) for name in names)
        for target in listed(mutate, "targets"):  # existing objects it changes (mutateExisting)
            namespace = target.get("namespace") if isinstance(target, dict) else None
            written = isinstance(namespace, str) and namespace and "{{" not in namespace
            found.add((namespace if written else ANYWHERE, ()))
    return found


def _invalid(res: Resource, path: tuple, message: str) -> Finding:
    return builtin_finding("admission-policy-invalid", message, res.locate(path), res.id)


def policies(objects: list[Resource]) -> tuple[list[Policy], list[Finding]]:
    """One rule per ValidatingAdmissionPolicy with at least one binding, and the findings on what
    cannot be evaluated."""
    from torghut_lint.templates.cel import program

    vaps: dict[str, Resource] = {}
    findings: list[Finding] = []
    for res in objects:
        if res.id.group == GROUP and res.id.kind == "ValidatingAdmissionPolicy":
            if res.id.name in vaps and vaps[res.id.name].data != res.data:  # the cluster holds one of them
                first = Location.of(vaps[res.id.name].node)
                findings.append(
                    _invalid(res, ("metadata", "name"), f"a second policy of this name, unlike the one at {first}")
                )
            elif DNS_SUBDOMAIN.fullmatch(res.id.name):
                vaps[res.id.name] = res
            else:  # it becomes a rule id, printed in every report and CI log
                findings.append(
                    _invalid(res, ("metadata", "name"), "the policy's name is not a Kubernetes object name")
                )
    bindings: dict[str, list[Resource]] = {}
    for res in objects:
        if res.id.group != GROUP or res.id.kind != "ValidatingAdmissionPolicyBinding":
            continue
        spec = res.data.get("spec") if isinstance(res.data.get("spec"), dict) else {}
        name = spec.get("policyName")
        if name not in vaps:
            findings.append(
                _invalid(res, ("spec", "policyName"), f"binds policy {name!r}, which the tree does not have")
            )
        elif not [a for a in spec.get("validationActions") or [] if a in SEVERITY]:
            findings.append(
                _invalid(res, ("spec",), "has no validationActions (Deny, Warn or Audit): it enforces nothing")
            )
        else:
            bindings.setdefault(name, []).append(res)
    rules: list[Policy] = []
    for name, vap in sorted(vaps.items()):
        spec = vap.data.get("spec") if isinstance(vap.data.get("spec"), dict) else {}
        broken = False
        for group in ("validations", "variables", "matchConditions"):
            for i, item in enumerate(spec.get(group) or []):
                for key in ("expression", "messageExpression"):
                    text = item.get(key) if isinstance(item, dict) else None
                    if not isinstance(text, str):
                        continue
                    try:
                        program(text)
                    except Exception as exc:  # noqa: BLE001 - any compile failure is reported
                        findings.append(
                            _invalid(vap, ("spec", group, i, key), f"{group}[{i}].{key} does not compile: {exc}")
                        )
                        broken = True
        if broken or name not in bindings:
            continue
        actions = {a for b in bindings[name] for a in b.data["spec"].get("validationActions") or []}
        rules.append(
            Policy(
                id=f"vap/{name}",
                template="validating-admission-policy",
                severity=max(SEVERITY[a] for a in actions if a in SEVERITY),
                description=f"ValidatingAdmissionPolicy {name}, as admission enforces it.",
                rationale="The cluster enforces this policy at admission: a violation merged is a failed sync.",
                source=str(Location.of(vap.node)),
                match=Match(),
                params={
                    "policy": spec,
                    "bindings": [b.data["spec"] for b in bindings[name]],
                    "sources": [o.data for o in objects],
                },
            )
        )
    return rules, findings


def enforced(rules: list[Policy], objects: list[Resource]) -> dict[str, tuple[str, Location]]:
    """What each admission rule enforces, for the gate to compare with its base (``rules``: from
    :func:`policies`, ``objects`` their sources): a digest of the policy's spec and its bindings',
    and where the policy is written. A change to one, or one gone, decides the verdict on every
    resource it selects (a validation made ``true``, a binding told to ``Audit``)."""
    where = {
        f"vap/{res.id.name}": Location.of(res.node)
        for res in objects
        if res.id.group == GROUP and res.id.kind == "ValidatingAdmissionPolicy"
    }
    found = {}
    for rule in rules:
        bindings = sorted(digest_of(b, structural=True) for b in rule.params["bindings"])
        found[rule.id] = (
            digest_of({"policy": rule.params["policy"], "bindings": bindings}, structural=True),
            where[rule.id],
        )
    return found


ParamsRead = tuple[str, ResourceId, str, Location]  # (rule, params object, digest of it, where it is)


def params_read(rules: list[Policy], resources: list[Resource]) -> list[ParamsRead]:
    """The objects among ``resources`` each admission rule's bindings may read as params (of the
    policy's ``paramKind``, named by a binding's ``paramRef``, by name or by its selector, in its
    namespace or any), with a digest of what each holds besides its metadata (labels a build adds
    to every object are no change of it): the params decide the verdict as the policy does (a
    limit raised in the same change as the replicas it limits)."""
    from torghut_lint.templates.admission_policy import selects

    found: list[ParamsRead] = []
    by_kind: dict[tuple[str, str], list[Resource]] | None = None
    for rule in rules:
        kind = rule.params["policy"].get("paramKind")
        refs = [b.get("paramRef") for b in rule.params["bindings"] if isinstance(b.get("paramRef"), dict)]
        if not isinstance(kind, dict) or not refs:
            continue
        if by_kind is None:  # (indexed once, for the rules that read params: a scan each was rules x objects)
            by_kind = {}
            for res in resources:
                by_kind.setdefault((res.id.api_version, res.id.kind), []).append(res)
        for res in by_kind.get((str(kind.get("apiVersion")), str(kind.get("kind"))), []):
            meta = res.data.get("metadata") if isinstance(res.data.get("metadata"), dict) else {}
            labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
            if any(
                (ref.get("name") is None or str(ref["name"]) == res.id.name)
                and (not ref.get("namespace") or not res.id.namespace or ref["namespace"] == res.id.namespace)
                and (ref.get("name") is not None or selects(ref.get("selector") or {}, labels))
                for ref in refs
            ):
                held = {key: value for key, value in res.data.items() if key != "metadata"}  # (labels: a build's)
                found.append((rule.id, res.id, digest_of(held, structural=True), Location.of(res.node)))
    return found
