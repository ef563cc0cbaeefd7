"""Waivers: accepted findings, by resource annotation or centrally in the config file.

Annotation: ``torghut-lint.io/waive.<rule-id>: "reason=...; owner=...; expires=YYYY-MM-DD"``.
A waiver needs all three; an expired or malformed one is itself an error and waives nothing;
one that matches nothing is a warning. Waived findings stay in the output, marked waived."""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass, field

from torghut_lint.builtin_rules import BUILTIN_RULES, builtin_finding
from torghut_lint.config import Config
from torghut_lint.model import Finding, Location, Resource, ResourceId, find_node, names_someone
from torghut_lint.policy import Policy

ANNOTATION_PREFIX = "torghut-lint.io/waive."


@dataclass
class Waiver:
    rule: str
    reason: str
    owner: str
    expires: dt.date
    location: Location
    resource: ResourceId | None  # annotation waivers: exactly this resource
    selector: dict[str, str]  # central waivers: kind/name/namespace/file globs
    used: bool = False

    def covers(self, finding: Finding) -> bool:
        if finding.rule != self.rule:
            return False
        if self.resource is not None:  # an annotation: this resource
            return finding.resource == self.resource
        rid = finding.resource
        for key, value in (
            ("kind", rid.kind if rid else ""),
            ("name", rid.name if rid else ""),
            ("namespace", rid.namespace if rid else ""),
            ("file", finding.location.file),
        ):
            if key in self.selector and not fnmatch.fnmatchcase(value, self.selector[key]):
                return False
        return True


def parse_annotation(text: str) -> dict[str, str] | str:
    """Fields of an annotation waiver, or the reason it is malformed."""
    fields: dict[str, str] = {}
    for part in str(text).split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep:
            return f"'{part.strip()}' is not key=value"
        fields[key.strip()] = value.strip()
    missing = [k for k in ("reason", "owner", "expires") if not fields.get(k)]
    if missing:
        return "missing " + ", ".join(missing)
    return fields


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@dataclass
class Waivers:
    """Valid waivers, and findings about invalid or expired ones."""

    valid: list[Waiver] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)

    def admit(
        self,
        rule: str,
        fields: dict[str, str],
        location: Location,
        rid: ResourceId | None,
        selector: dict[str, str],
        known: set[str],
        today: dt.date,
        max_days: int | None = None,
    ) -> None:
        expires = _date(fields["expires"])
        if rule not in known:
            message = f"waiver names unknown rule {rule!r}"
            self.problems.append(builtin_finding("waiver-invalid", message, location, rid))
        elif expires is None:
            message = f"waiver expiry {fields['expires']!r} is not YYYY-MM-DD"
            self.problems.append(builtin_finding("waiver-invalid", message, location, rid))
        elif max_days is not None and expires > today + dt.timedelta(days=max_days):
            message = (
                f"waiver of {rule} runs to {expires}, past the {max_days} days the configuration allows "
                f"(gate.maxWaiverDays: until {today + dt.timedelta(days=max_days)})"
            )
            self.problems.append(builtin_finding("waiver-invalid", message, location, rid))
        elif not names_someone(fields["owner"]):
            message = f"waiver owner {fields['owner']!r} names nobody; name who accepted the risk"
            self.problems.append(builtin_finding("waiver-invalid", message, location, rid))
        elif expires < today:
            message = f"waiver of {rule} expired on {expires} (owner {fields['owner']}); it waives nothing"
            self.problems.append(builtin_finding("waiver-expired", message, location, rid))
        else:
            self.valid.append(Waiver(rule, fields["reason"], fields["owner"], expires, location, rid, selector))

    def extend(self, other: Waivers) -> None:
        self.valid += other.valid
        self.problems += other.problems


def annotation_waivers(
    resources: list[Resource],
    policies: dict[str, Policy],
    today: dt.date,
    orphaned: bool = False,
    max_days: int | None = None,
) -> Waivers:
    """Waivers written as annotations on ``resources``. Only resources that are applied can carry
    one: on an orphan (a file Argo CD never applies) it is ``waiver-invalid`` and waives nothing,
    so a never-deployed copy can neither waive the deployed resource nor itself."""
    found = Waivers()
    known = set(policies) | set(BUILTIN_RULES)
    for res in resources:
        for key, value in res.annotations.items():
            if not key.startswith(ANNOTATION_PREFIX):
                continue
            rule = key[len(ANNOTATION_PREFIX) :]
            location = res.locate(("metadata", "annotations", key))
            policy = policies.get(rule)
            if orphaned:
                message = (
                    f"waiver of {rule} on a resource no application applies; only applied resources can carry "
                    "a waiver (waive centrally in the config file)"
                )
                found.problems.append(builtin_finding("waiver-invalid", message, location, res.id))
                continue
            if policy is not None and not policy.allow_annotation_waivers:
                message = f"{rule} can only be waived centrally in the config file, not by annotation"
                found.problems.append(builtin_finding("waiver-invalid", message, location, res.id))
                continue
            fields = parse_annotation(value)
            if isinstance(fields, str):
                message = f"waiver of {rule}: {fields}"
                found.problems.append(builtin_finding("waiver-invalid", message, location, res.id))
                continue
            found.admit(rule, fields, location, res.id, {}, known, today, max_days)
    return found


def central_waivers(config: Config, policies: dict[str, Policy], today: dt.date) -> Waivers:
    """Waivers listed in the config file."""
    found = Waivers()
    known = set(policies) | set(BUILTIN_RULES)
    for i, entry in enumerate(config.waivers):
        location = Location.of(find_node(config.node, ("waivers", i))) if config.node else Location(str(config.path))
        selector = {k: entry[k] for k in ("kind", "name", "namespace", "file") if k in entry}
        fields = {k: str(entry[k]) for k in ("reason", "owner", "expires")}
        found.admit(entry["rule"], fields, location, None, selector, known, today, config.gate.get("maxWaiverDays"))
    return found


def apply_waivers(findings: list[Finding], waivers: Waivers) -> list[Finding]:
    """Mark waived findings and add findings about the waivers themselves. A resource two
    applications include carries its annotation waivers twice: they count as one."""
    unique: dict[tuple, Waiver] = {}
    for waiver in waivers.valid:
        unique.setdefault((waiver.rule, waiver.location, waiver.resource), waiver)
    # The first waiver (in order) that covers a finding waives it. Annotation waivers are looked up
    # by rule and resource, central ones by rule: a pull request's thousands of annotations on
    # thousands of findings must not be tried against each other.
    order = {id(w): n for n, w in enumerate(unique.values())}
    by_resource: dict[tuple[str, ResourceId], Waiver] = {}
    by_rule: dict[str, list[Waiver]] = {}
    for waiver in unique.values():
        if waiver.resource is not None:
            by_resource.setdefault((waiver.rule, waiver.resource), waiver)
        else:
            by_rule.setdefault(waiver.rule, []).append(waiver)
    for finding in findings:
        exact = by_resource.get((finding.rule, finding.resource)) if finding.resource is not None else None
        central = next((w for w in by_rule.get(finding.rule, ()) if w.covers(finding)), None)
        chosen = [w for w in (exact, central) if w is not None]
        if chosen:
            waiver = min(chosen, key=lambda w: order[id(w)])
            waiver.used = True
            finding.waived = True
            finding.waiver_reason = f"{waiver.reason} (owner {waiver.owner}, expires {waiver.expires})"
    # one written waiver (a kustomization's commonAnnotations puts it on many resources) is unused
    # when none of its copies waives anything: one finding, on the first resource it is on
    written: dict[tuple, list[Waiver]] = {}
    for waiver in unique.values():
        written.setdefault((waiver.rule, waiver.location), []).append(waiver)
    unused = [
        builtin_finding("waiver-unused", _unused(copies), copies[0].location, copies[0].resource)
        for copies in written.values()
        if not any(w.used for w in copies)
    ]
    return findings + waivers.problems + unused


def _unused(copies: list[Waiver]) -> str:
    resources = len({w.resource for w in copies})
    on = f" on any of the {resources} resources it is written on" if resources > 1 else ""
    return f"waiver of {copies[0].rule} matches no finding{on}"


def added_waivers(base: list[Waiver], head: list[Waiver], ref: str, allowed: set[str]) -> list[Finding]:
    """``gate-waiver-added`` for every annotation waiver of ``head`` (the change's applied
    resources, parsed) that ``base`` (the tree at ``ref``) does not have for the same resource and
    rule, or has with an earlier expiry (widened). Compared parsed, so no spelling of the key
    (YAML escapes, a kustomization's ``commonAnnotations``, a file of any name) escapes it."""
    before: dict[tuple[ResourceId, str], dt.date] = {}
    for w in base:
        if w.resource is not None:
            key = (w.resource, w.rule)
            before[key] = max(before.get(key, w.expires), w.expires)
    # each copy of a written waiver on its own resource: a kustomization's commonAnnotations the base
    # had puts it on every resource the change adds there, which it was never reviewed for
    written: dict[tuple, list[tuple[Waiver, str]]] = {}
    for w in head:
        if w.resource is None or w.rule in allowed:
            continue
        earlier = before.get((w.resource, w.rule))
        if earlier is None:
            what = f"adds a waiver of {w.rule} for {w.resource}"
        elif w.expires > earlier:
            what = f"extends the waiver of {w.rule} for {w.resource} from {earlier} to {w.expires}"
        else:
            continue
        written.setdefault((w.rule, w.location), []).append((w, what))
    findings: list[Finding] = []
    for added in written.values():
        # one finding per written waiver, naming a resource whose finding it waives where it waives one
        w, what = next((item for item in added if item[0].used), added[0])
        others = len({x.resource for x, _ in added} - {w.resource})
        also = f" and {others} other resource(s) it is written on" if others else ""
        message = f"this change {what}{also} (not at {ref}); a waiver written by the change it waives needs review"
        findings.append(builtin_finding("gate-waiver-added", message, w.location, w.resource))
    return findings


def unreviewed_waived(
    base: tuple[list[Finding], list[Waiver]], head: tuple[list[Finding], list[Waiver]], ref: str, allowed: set[str]
) -> list[Finding]:
    """``gate-waiver-added`` for every finding of ``head`` (findings, annotation waivers) that an
    annotation waiver the tree at ``ref`` already had covers, but that the base's same waiver did not
    cover: a worse value, another field, or a finding where the base had none. A waiver is reviewed
    for what it waives then; the same annotation quietly covering whatever the rule later finds on
    its resource would let a change make any waived finding worse. Compared by identity (the
    field and a digest of its value; the credentials themselves, in memory, for a rule that never
    digests one), so moved lines and unrelated edits are no change. A waiver the change adds or
    extends is :func:`added_waivers`'s.

    The configuration's waivers (trusted: the same at both revisions) are held to what they covered
    at ``ref`` the same way, on each resource (or file, for a finding of no resource) whose
    findings of the rule they covered there: a worse value or another field of it needs review;
    and so does a finding the base had unwaived that the change brings under one (a file moved
    where a ``file`` glob selects it, a resource renamed where a ``name`` glob does). Another
    finding on a resource they covered nothing of is their selector's to decide (a glob waives a
    kind of resource, new ones included)."""
    base_findings, base_waivers = base
    head_findings, head_waivers = head
    waived_at_base = {(w.rule, w.resource) for w in base_waivers if w.resource is not None}
    where = {(w.rule, w.resource): w.location for w in head_waivers if w.resource is not None}
    # (rule, what) -> the identities a waiver covered at the base (on a resource an annotation
    # waives, the annotation's: it applies before the configuration's)
    covered: dict[tuple, set[tuple]] = {}
    unwaived: set[tuple] = set()  # ((rule, what), identity) of the base's findings no waiver covered
    for f in base_findings:
        if f.waived:
            covered.setdefault(_waived_on(f), set()).add(_identity(f))
        else:
            unwaived.add((_waived_on(f), _identity(f)))
    # the base's unwaived findings the change made go from their resource: one of the same kind
    # with the same field and value that a waiver covers now has been renamed or moved under it
    lost = unwaived - {(_waived_on(f), _identity(f)) for f in head_findings}
    gone = {_shape(f) for f in base_findings if f.resource is not None and (_waived_on(f), _identity(f)) in lost}
    known = {_waived_on(f) for f in base_findings}  # what the base found anything of
    findings: list[Finding] = []
    seen: set[tuple] = set()
    for f in head_findings:
        waiver = (f.rule, f.resource)
        if f.waived and f.rule not in allowed and waiver not in where:  # waived by the configuration
            findings += _unreviewed_central(f, covered.get(_waived_on(f)), (unwaived, gone, known), ref, seen)
            continue
        if not f.waived or f.rule in allowed or waiver not in where or waiver not in waived_at_base:
            continue
        identity = _identity(f)
        before = covered.get(waiver, set())
        if identity in before or (where[waiver], identity) in seen:
            continue
        seen.add((where[waiver], identity))
        message = (
            f"this change makes the waiver of {f.rule} for {f.resource} cover {_what(before, f)} it was not reviewed "
            f"for at {ref} ({f.field or 'the resource'}); a waived finding the change makes needs review"
        )
        findings.append(builtin_finding("gate-waiver-added", message, where[waiver], f.resource))
    return findings


def _waived_on(f: Finding) -> tuple:
    """What a waiver was reviewed on: the finding's rule and resource (its subject or file when it
    is about no resource)."""
    return (f.rule, f.resource) if f.resource is not None else (f.rule, None, f.subject or f.location.file)


def _identity(f: Finding) -> tuple:
    """A finding as a waiver was reviewed for it: the field and a digest of its value (the
    credentials themselves, in memory, for a rule that never digests one)."""
    return (f.key, f.digest, f.secrets)


def _shape(f: Finding) -> tuple:
    """A finding without its resource's name and namespace: what a rename or a move keeps."""
    return (f.rule, f.resource.kind if f.resource else "", *_identity(f))


def _unreviewed_central(
    f: Finding, before: set[tuple] | None, base: tuple[set, set, set], ref: str, seen: set[tuple]
) -> list[Finding]:
    """``gate-waiver-added`` for a finding a waiver of the configuration covers, when a waiver
    covered other findings of the rule on the same resource at ``ref`` (``before``) and not this
    one; or when the base had this very finding and no waiver covered it; or, on a resource the
    base found nothing of, when the change made the same finding go from a resource of the same
    kind that no waiver covered (renamed, or moved to another namespace). ``base``: the base's
    unwaived findings, the shapes (:func:`_shape`) of those the change made go, and what the base
    found anything of."""
    unwaived, gone, known = base
    identity = _identity(f)
    where = (_waived_on(f), identity)
    moved = where in unwaived
    renamed = before is None and not moved and f.resource is not None and where[0] not in known and _shape(f) in gone
    if (identity in before if before is not None else not (moved or renamed)) or where in seen:
        return []
    seen.add(where)
    subject = f.resource or f.subject or f.location.file
    if before is None:
        how = "renames or moves a resource to bring" if renamed else "brings"
        message = (
            f"this change {how} a finding of {f.rule} for {subject} under a waiver of the configuration that did "
            f"not cover it at {ref} ({f.field or 'the resource'}, at {f.location.file}); a finding the change "
            "waives needs review"
        )
    else:
        message = (
            f"this change makes a waiver of the configuration cover {_what(before, f)} of {f.rule} for {subject} it "
            f"was not reviewed for at {ref} ({f.field or 'the resource'}); a waived finding the change makes needs "
            "review"
        )
    return [builtin_finding("gate-waiver-added", message, f.location, f.resource)]


def _what(before: set[tuple], f: Finding) -> str:
    """What a waiver newly covers: another value of a field it covered, or another finding."""
    return "a value" if any(key == f.key for key, _, _ in before) else "a finding"
