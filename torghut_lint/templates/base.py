"""What a template is (:class:`Template`), receives (:class:`RuleContext`) and returns
(:class:`Violation`, and :class:`Observation` for the job summary).

A template is pure: it sees resources and parameters, never files, formats or the command line.
The engine matches resources, calls ``check``, and locates what it returns."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from torghut_lint.k8s import EnvSources
from torghut_lint.model import UNSET, Finding, Location, Path_, Resource
from torghut_lint.parse import Document


@dataclass
class Violation:
    """A template's verdict on one place; the engine turns it into a Finding."""

    resource: Resource | None
    path: Path_
    message: str
    location: Location | None = None  # overrides resource.locate(path)
    secrets: tuple[str, ...] = ()
    fixable: bool = False  # `torghut-lint fix` has an unambiguous remedy for this one
    # Identity (baselines, --new-since, SARIF fingerprints): the offending value (digested, never
    # stored; default: the scalar at ``path``), the requirement when several can fail at one place,
    # and a subject when the finding is about more than ``resource`` (``app:`` totals).
    value: Any = UNSET
    requirement: str = ""
    subject: str = ""


@dataclass
class Occupant:
    """One workload a single-copy template counted in its namespace (``alone``), for the count
    across applications: Argo CD runs the applications that deploy into one namespace side by
    side, so a copy in another application is a second one as surely as one in the same. The
    engine turns ``violation`` into ``finding`` (located while the application's nodes are held)
    and reports it, its message said anew, when the namespace's count over every application of
    the run exceeds one; one its own application's count reported already has no violation."""

    namespace: str
    copies: int  # it runs at once: each revision routed, each container running it
    described: str  # how the count lists it
    what: str  # what the workloads counted do ("run it", "have the switch on")
    its: str  # what each runs ("its own", "the loop")
    violation: Violation | None
    connection: tuple[str, ...] | None = None  # what its copies may connect with (:func:`crowded`); None: unknown
    finding: Finding | None = None
    rule: str = ""
    app: str = ""
    root: str = ""  # its application's directory, resolved (where Argo CD's destination is known)


Counted = TypeVar("Counted")


def crowded(
    counted: list[Counted], connection: Callable[[Counted], tuple[str, ...] | None], copies: Callable[[Counted], int]
) -> list[list[Counted]]:
    """The groups of ``counted`` that together run more than one copy of one connection: for each
    thing one connects with (``connection``: what each may connect with, any of them), those that
    may (two websockets authenticating with two keys are not in each other's way; one that may use
    either is in both groups). One whose connection is unknown (None: a source the repository
    cannot show) is in every group; where none is known, all are one group."""
    known = sorted({key for found in map(connection, counted) if found is not None for key in found})
    groups = [[x for x in counted if (c := connection(x)) is None or key in c] for key in known] if known else [counted]
    return [group for group in groups if sum(map(copies, group)) >= 2]


def resolved(connection: tuple[str, ...] | None, secrets: Callable[[str], str | None]) -> tuple[str, ...] | None:
    """A connection (what :func:`crowded` groups by: literals' digests and Secrets' keys) with each
    Secret's key read as what makes the Secret shows it holds (``secrets``:
    :func:`~torghut_lint.k8s.secret_values`, an ExternalSecret's store key, a SealedSecret's name):
    two names for one key are one connection. None where one is not shown (a Secret the repository
    does not make), which counts with every other."""
    if connection is None:
        return None
    found = tuple(sorted({item if item.startswith("value:") else secrets(item) or "" for item in connection}))
    return None if "" in found else found


@dataclass
class Observation:
    """A value a template reports whatever its verdict (``facts(ctx)``); the engine locates it
    as a :class:`~torghut_lint.model.Fact` for the job summary."""

    resource: Resource | None
    path: Path_
    table: str
    item: str
    value: str
    limit: str
    ok: bool
    location: Location | None = None  # overrides resource.locate(path)


_UNMADE = object()


@dataclass
class RuleContext:
    """One policy evaluated over one application."""

    params: dict[str, Any]
    matched: list[Resource]  # resources the policy's match selects
    resources: list[Resource]  # the whole application, for cross-references
    helm_values: list[Document]
    # (shown path, text) of the tree's loose configuration files, scripts and keys no build read
    # (given with the orphans: discover.text_name)
    texts: list[tuple[str, str]] = field(default_factory=list)
    # (shown path, comments, properties) of the parsed files' margins: their comments, and anchors
    # and tags, each in place (torghut_lint.margins; given with the orphans)
    margins: list[tuple[str, str, str]] = field(default_factory=list)
    # whether a resource of the application is in the policy's scope (its ``within``), whatever
    # its kind: a census of the namespace judges those the policy answers for as it judges its own
    in_scope: Callable[[Resource], bool] = field(default=lambda res: True)
    # resources the policy's match selects in every respect but their kind, of a kind neither
    # Kubernetes defines nor the linter knows, that run containers (:func:`k8s.unknown_workload`);
    # given to templates that ask for them (``Template.unlisted``): a workload a CRD's kind runs is
    # still the workload, and a policy listing kinds cannot have left out one nobody knew of
    unlisted: list[Resource] = field(default_factory=list)
    # what a single-copy template counts as copies (set by its check: with ``whenEnv``, only the
    # workloads with a switch on): a copy a change removes and Argo CD does not prune is a second one
    census: list[Resource] | None = None
    # each workload a single-copy template counted in its namespace (``alone``), for the count
    # across the run's applications
    occupants: list[Occupant] = field(default_factory=list)

    @cached_property
    def env_sources(self) -> EnvSources:
        return EnvSources(self.resources)

    def shared(self, name: str, make: Callable[[RuleContext], Any]) -> Any:
        """``make(self)``, made once for this context: what a template's ``check`` and ``facts``
        both read (each is called once per application)."""
        made = self._shared.get(name, _UNMADE)
        if made is _UNMADE:
            made = self._shared[name] = make(self)
        return made

    @cached_property
    def _shared(self) -> dict[str, Any]:
        return {}

    def of_kind(self, kind: str) -> list[Resource]:
        """The application's resources of ``kind``, in order (indexed once: templates ask per
        matched resource, and a scan each time is quadratic in a hostile application)."""
        return self._by_kind.get(kind, [])

    @cached_property
    def _by_kind(self) -> dict[str, list[Resource]]:
        found: dict[str, list[Resource]] = {}
        for res in self.resources:
            found.setdefault(res.id.kind, []).append(res)
        return found

    def namespace(self, name: str) -> Resource | None:
        """The application's Namespace object called ``name`` (the first, as kustomize keeps one)."""
        return self._namespaces.get(name) if name else None

    @cached_property
    def _namespaces(self) -> dict[str, Resource]:
        found: dict[str, Resource] = {}
        for res in self.of_kind("Namespace"):
            found.setdefault(res.id.name, res)
        return found


def defaulted(spec: dict, key: str, default: Any, at: Path_ = ("spec",)) -> tuple[Path_, str]:
    """Where a finding about ``spec[key]`` points (the field, or ``at`` when it is unset) and the
    value as shown (``(the default)`` when unset): Kubernetes applies defaults nobody wrote."""
    if key in spec:
        return (*at, key), repr(spec[key])
    return at, f"{default!r} (the default)"


class ParamError(ValueError):
    """A policy's parameters that the schema accepts but the template cannot use (an expression
    that does not compile): ``path`` points into ``params``."""

    def __init__(self, path: tuple, message: str) -> None:
        super().__init__(message)
        self.path = path


# (the policy's parameters, defaults applied; the round-trip document; the mapping and the key
# at the finding's line and column) -> what was changed, or None when nothing unambiguous can be
Fixer = Callable[[dict[str, Any], Any, Any, Any], "str | None"]


@dataclass(frozen=True)
class Template:
    """A rule template: what policies instantiate (``template: ID`` in a policy file).

    ``params`` is a JSON Schema object whose properties each carry a ``description`` and, when
    optional, the ``default`` the template uses (applied before ``check`` runs: one place for
    defaults). ``kinds`` are the resource kinds the template understands (empty: any kind); a
    policy matching another kind is refused when it loads. ``unlisted``: the template judges the
    workloads of kinds nobody knew of that the policy selects but for their kind
    (:attr:`RuleContext.unlisted`). ``orphans``: the template also looks
    at manifests no application applies (a secret in an orphaned file is still in the
    repository); ``texts``: and at the tree's texts no build read and the parsed files' margins
    (:attr:`RuleContext.texts`, :attr:`RuleContext.margins`). ``fix`` repairs the findings it marks
    fixable; ``facts`` reports values whatever the verdict (the job summary); ``prepare`` checks
    parameters beyond their schema when the policy loads (compiles expressions), raising
    :class:`ParamError`."""

    id: str
    description: str
    params: dict[str, Any]
    check: Callable[[RuleContext], Iterable[Violation]]
    kinds: tuple[str, ...] = ()
    orphans: bool = False
    fix: Fixer | None = None
    facts: Callable[[RuleContext], Iterable[Observation]] | None = None
    prepare: Callable[[dict[str, Any]], None] | None = None  # checks params further (ParamError)
    unlisted: bool = False  # judges RuleContext.unlisted too (the workloads of kinds nobody knew of)
    texts: bool = False  # judges RuleContext.texts and RuleContext.margins too (with ``orphans``)

    def with_defaults(self, params: dict[str, Any]) -> dict[str, Any]:
        """``params`` with every omitted optional parameter set to its documented default."""
        defaults = {
            name: prop["default"] for name, prop in self.params.get("properties", {}).items() if "default" in prop
        }
        return {**defaults, **params}

    def supports(self, kind_pattern: str) -> bool:
        """Whether a policy's ``kind`` (a glob) can select a kind this template understands."""
        import fnmatch

        return not self.kinds or any(fnmatch.fnmatchcase(kind, kind_pattern) for kind in self.kinds)
