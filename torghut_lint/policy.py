"""Policies: YAML files that instantiate a rule template with a match, params and severity."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from torghut_lint.discover import display_path
from torghut_lint.k8s import any_of, image_repositories, once
from torghut_lint.model import Resource, Severity
from torghut_lint.parse import Document
from torghut_lint.schemas.compiled import compiled

if TYPE_CHECKING:
    from torghut_lint.cache import Cache
    from torghut_lint.templates.base import Template

SEVERITIES = ["error", "warning", "info"]
STRING_OR_LIST = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}

IMAGE_DESCRIPTION = (
    "globs on the repository of an image the resource runs (a container's, or a FlinkDeployment's "
    "spec.image), normalised as the container runtime does: no tag or digest, Docker Hub's implied "
    "docker.io/library/ written out"
)
_SELECTORS: dict[str, Any] = {
    "apiVersion": STRING_OR_LIST,
    "kind": STRING_OR_LIST,
    "name": STRING_OR_LIST,
    "namespace": STRING_OR_LIST,
    "image": {**STRING_OR_LIST, "description": IMAGE_DESCRIPTION},
    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
}
MATCH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        **_SELECTORS,
        "any": {
            "description": "the resource also matches at least one of these (each with the fields above, "
            "all of which it meets): a workload known by its name OR by the image it runs",
            "type": "array",
            "minItems": 1,
            "items": {"type": "object", "additionalProperties": False, "properties": _SELECTORS},
        },
        "within": {
            "description": "the resource is in one of these namespaces OR in an application whose "
            "directory path matches one of these globs OR runs one of these images (how Torghut-specific "
            "policies keep to Torghut, and still hold Torghut's workloads moved elsewhere)",
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "namespaces": STRING_OR_LIST,
                "applications": STRING_OR_LIST,
                "images": {**STRING_OR_LIST, "description": IMAGE_DESCRIPTION},
            },
        },
    },
}

POLICY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "template", "severity", "description", "rationale"],
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
        "template": {"type": "string"},
        "severity": {"enum": SEVERITIES},
        "description": {"type": "string", "minLength": 1},
        "rationale": {"type": "string", "minLength": 1},
        "fix": {"type": "string"},
        "enabled": {"type": "boolean"},
        "allowAnnotationWaivers": {"type": "boolean"},
        "match": MATCH_SCHEMA,
        "params": {"type": "object"},
    },
}


class PolicyError(Exception):
    """An invalid policy or config file; the message names the file and the field."""


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


_AS_WRITTEN = {"name": "origin_name", "namespace": "origin_namespace"}  # Resource attributes


@dataclass(frozen=True)
class Match:
    """Which resources a policy looks at (glob patterns; empty means any)."""

    api_versions: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    within_namespaces: tuple[str, ...] = ()
    within_applications: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    within_images: tuple[str, ...] = ()
    alternatives: tuple[Match, ...] = ()  # ``any``: the resource meets at least one

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> Match:
        raw = raw or {}
        within = raw.get("within") or {}
        return cls(
            tuple(_as_list(raw.get("apiVersion"))),
            tuple(_as_list(raw.get("kind"))),
            tuple(_as_list(raw.get("name"))),
            tuple(_as_list(raw.get("namespace"))),
            tuple(sorted((raw.get("labels") or {}).items())),
            tuple(_as_list(within.get("namespaces"))),
            tuple(_as_list(within.get("applications"))),
            tuple(_as_list(raw.get("image"))),
            tuple(_as_list(within.get("images"))),
            tuple(cls.from_dict(each) for each in raw.get("any") or ()),
        )

    @property
    def all_kinds(self) -> tuple[str, ...]:
        """Every kind the match names, its alternatives' too (what a template must evaluate)."""
        return self.kinds + tuple(kind for each in self.alternatives for kind in each.kinds)

    def matches(self, res: Resource) -> bool:
        """Whether the policy looks at ``res``. Names and namespaces match the object as rendered
        or as written (before kustomize's prefixes, suffixes, hashes and namespace): a rename by a
        kustomization (``nameSuffix: -v2``) does not take an object out of a policy."""
        rid = res.id
        for test, attribute in self._identity_tests:
            value = getattr(rid, attribute)
            if not test(value):
                written = _AS_WRITTEN.get(attribute)
                origin = getattr(res, written) if written else ""
                if not origin or origin == value or not test(origin):
                    return False
        if self.labels:
            labels = (res.data.get("metadata") or {}).get("labels") or {}
            if not isinstance(labels, dict) or any(str(labels.get(k)) != v for k, v in self.labels):
                return False
        if self.images and not _runs_any(self.images, res):
            return False
        if self.alternatives and not any(each.matches(res) for each in self.alternatives):
            return False
        return self.within(res)

    def within(self, res: Resource) -> bool:
        """Whether ``res`` is in the policy's scope (``within``: a namespace, an application's
        directory or an image; everything when it sets none), whatever its kind and name. Answered
        once per resource and scope: the policies of one team share one ``within``."""
        scope = self._scope
        if scope is None:
            return True
        known: dict[tuple, tuple[str, bool]] = once(res, "_within", _no_answers)
        found = known.get(scope)
        if found is None or found[0] is not res.app_path:  # (the application it was answered for)
            found = known[scope] = (
                res.app_path,
                self._in_namespace(res.id.namespace)
                or self._within_application(res.app_path)
                or (bool(self.within_images) and _runs_any(self.within_images, res)),
            )
        return found[1]

    @cached_property
    def without_kinds(self) -> Match:
        """This match with no kind named, in it or its alternatives: what it selects of any kind."""
        return replace(self, kinds=(), alternatives=tuple(each.without_kinds for each in self.alternatives))

    @cached_property
    def selects_all(self) -> bool:
        """Whether :meth:`matches` is true of every resource (the match sets nothing)."""
        return not (self._identity_tests or self.labels or self.images or self.alternatives or self._scope)

    @cached_property
    def _scope(self) -> tuple[tuple[str, ...], ...] | None:
        """``within`` as one key, None when it sets nothing."""
        scope = (self.within_namespaces, self.within_applications, self.within_images)
        return scope if any(scope) else None

    @cached_property
    def _in_namespace(self) -> Callable[[str], bool]:
        return any_of(self.within_namespaces)

    @cached_property
    def _identity_tests(self) -> list[tuple[Callable[[str], bool], str]]:
        """A test per pattern list that is set, with the identity field it reads: made once, as
        ``matches`` is asked for every resource a policy could match."""
        fields = (
            (self.api_versions, "api_version"),
            (self.kinds, "kind"),
            (self.names, "name"),
            (self.namespaces, "namespace"),
        )
        return [(any_of(patterns), attribute) for patterns, attribute in fields if patterns]

    def _within_application(self, app_path: str) -> bool:
        """``within.applications`` against an application's path, decided once per application
        (every resource of one shares it)."""
        known = self._applications_within
        found = known.get(app_path)
        if found is None:
            found = known[app_path] = any_of(self.within_applications)(app_path)
        return found

    @cached_property
    def _applications_within(self) -> dict[str, bool]:
        return {}

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in (
            ("apiVersion", self.api_versions),
            ("kind", self.kinds),
            ("name", self.names),
            ("namespace", self.namespaces),
        ):
            if value:
                out[key] = list(value)
        if self.images:
            out["image"] = list(self.images)
        if self.labels:
            out["labels"] = dict(self.labels)
        if self.alternatives:
            out["any"] = [each.as_dict() for each in self.alternatives]
        if self.within_namespaces or self.within_applications or self.within_images:
            out["within"] = {"namespaces": list(self.within_namespaces), "applications": list(self.within_applications)}
            if self.within_images:
                out["within"]["images"] = list(self.within_images)
        return out


def _no_answers(_: Resource) -> dict:
    return {}


def _runs_any(patterns: tuple[str, ...], res: Resource) -> bool:
    """Whether ``res`` runs an image whose repository matches one of the globs: answered once per
    resource and list of globs (the scoped policies share one and ask of every resource), at once
    for a kind that runs nothing."""
    repositories = image_repositories(res)
    if not repositories:
        return False
    known: dict[tuple[str, ...], bool] = once(res, "_runs_any", _no_answers)
    found = known.get(patterns)
    if found is None:
        test = any_of(patterns)
        found = known[patterns] = any(test(repository) for repository in repositories)
    return found


@dataclass
class Policy:
    """One rule: a template instantiated with parameters."""

    id: str
    template: str
    severity: Severity
    description: str
    rationale: str
    source: str
    match: Match = field(default_factory=Match)
    params: dict[str, Any] = field(default_factory=dict)
    fix: str = ""
    enabled: bool = True
    allow_annotation_waivers: bool = True


def validate(instance: Any, schema: dict[str, Any], where: str) -> None:
    """Raise PolicyError with the first schema violation, naming the field."""
    errors = sorted(compiled(schema).iter_errors(instance), key=lambda e: list(e.path))
    if errors:
        error = errors[0]
        path = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        raise PolicyError(f"{where}: {path}: {error.message}")


def load_yaml_document(path: Path) -> Document:
    """Load a small YAML file (policy or config) that must hold one document, or raise PolicyError."""
    from torghut_lint.parse import parse_file

    parsed = parse_file(path, display_path(path), go_yaml=False)
    problems = [f for f in parsed.findings]
    if problems:
        first = problems[0]
        raise PolicyError(f"{first.location}: {first.message}")
    docs = [d for d in parsed.documents if d.data is not None]
    if len(docs) != 1:
        raise PolicyError(f"{path}: expected exactly one YAML document, found {len(docs)}")
    return docs[0]


def load_yaml_file(path: Path) -> Any:
    """The plain value of :func:`load_yaml_document`."""
    return load_yaml_document(path).data


def load_policy(path: Path, cache: Cache | None = None) -> Policy:
    """One policy file, checked against the policy schema, its template's parameters and kinds;
    with ``cache``, a file whose bytes this code has loaded before is not checked again."""
    if cache is not None and cache.directory is not None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PolicyError(f"{path}: cannot read: {exc.strerror or type(exc).__name__}") from exc
        return _policy(cache.get("policy", data, lambda: _checked_policy(path)), path)
    return _policy(_checked_policy(path), path)


def _checked_policy(path: Path) -> dict[str, Any]:
    """The policy document of ``path`` once every check passed, or PolicyError."""
    from torghut_lint.templates import MODULES, load_template

    document = load_yaml_document(path)
    raw = document.data
    validate(raw, POLICY_SCHEMA, str(path))
    if raw["template"] not in MODULES:
        known = ", ".join(sorted(MODULES))
        raise PolicyError(f"{path}: template: unknown template {raw['template']!r} (templates: {known})")
    template = load_template(raw["template"])
    params = raw.get("params") or {}
    validate(params, template.params, f"{path}: params")
    if template.prepare is not None:
        from torghut_lint.templates.base import ParamError

        try:
            template.prepare(template.with_defaults(params))
        except ParamError as exc:
            where = Resource(document.node, raw).locate_in_text(("params", *exc.path), 0)
            field = ".".join(str(p) for p in ("params", *exc.path))
            raise PolicyError(f"{where}: {field}: {exc}") from exc
    check_kinds(Match.from_dict(raw.get("match")), template, f"{path}: match.kind")
    return raw


def _policy(raw: dict[str, Any], path: Path) -> Policy:
    return Policy(
        id=raw["id"],
        template=raw["template"],
        severity=Severity.parse(raw["severity"]),
        description=raw["description"].strip(),
        rationale=raw["rationale"].strip(),
        source=str(path),
        match=Match.from_dict(raw.get("match")),
        params=raw.get("params") or {},
        fix=(raw.get("fix") or "").strip(),
        enabled=raw.get("enabled", True),
        allow_annotation_waivers=raw.get("allowAnnotationWaivers", True),
    )


def check_kinds(match: Match, template: Template, where: str) -> None:
    """A policy may only select kinds its template evaluates: anything else it would never see."""
    unsupported = [kind for kind in match.all_kinds if not template.supports(kind)]
    if unsupported:
        raise PolicyError(
            f"{where}: {', '.join(unsupported)} is not a kind template {template.id} evaluates "
            f"({', '.join(template.kinds)}); the policy would never see it"
        )


def bundled_policy_dir() -> Path:
    """The policies shipped with the package: ``torghut_lint/policies`` when installed,
    ``policies/`` at the top of a source checkout (editable installs)."""
    package = Path(__file__).resolve().parent
    installed = package / "policies"
    return installed if installed.is_dir() else package.parent / "policies"


def load_policies(directories: list[Path], cache: Cache | None = None) -> list[Policy]:
    """Every ``*.yaml`` policy in the directories; a later id replaces an earlier one."""
    policies: dict[str, Policy] = {}
    for directory in directories:
        if not directory.is_dir():
            raise PolicyError(f"{directory}: policy directory does not exist")
        for path in sorted(directory.glob("*.y*ml")):
            policy = load_policy(path, cache)
            policies[policy.id] = policy
    return list(policies.values())
