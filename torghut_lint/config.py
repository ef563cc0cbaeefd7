"""The user's ``.torghut-lint.yaml``: rule overrides, extra policy directories, central waivers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from torghut_lint.argocd import Rendering
from torghut_lint.builtin_rules import BUILTIN_RULES
from torghut_lint.discover import CONFIG_NAME, display_path
from torghut_lint.model import Severity
from torghut_lint.policy import (
    MATCH_SCHEMA,
    SEVERITIES,
    Match,
    Policy,
    PolicyError,
    check_kinds,
    load_yaml_document,
    validate,
)

WAIVER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["rule", "reason", "owner", "expires"],
    "properties": {
        "rule": {"type": "string"},
        "kind": {"type": "string"},
        "name": {"type": "string"},
        "namespace": {"type": "string"},
        "file": {"type": "string"},
        "reason": {"type": "string", "minLength": 1},
        "owner": {"type": "string", "minLength": 1},
        "expires": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
    },
}

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "failOn": {"enum": SEVERITIES},
        "policies": {"type": "array", "items": {"type": "string"}},
        "admissionPolicies": {"type": "array", "items": {"type": "string"}},
        "rules": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "enabled": {"type": "boolean"},
                    "severity": {"enum": SEVERITIES},
                    "params": {"type": "object"},
                    "allowAnnotationWaivers": {"type": "boolean"},
                    "match": MATCH_SCHEMA,
                },
            },
        },
        "waivers": {"type": "array", "items": WAIVER_SCHEMA},
        "gate": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                # rules a pull request may waive by annotation without a gate-waiver-added finding
                "allowPullRequestWaivers": {"type": "array", "items": {"type": "string"}},
                # the longest a waiver may run, from today (a waiver to 2099 accepts a risk for good)
                "maxWaiverDays": {"type": "integer", "minimum": 1},
            },
        },
        "argocd": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                # Config Management Plugins that, given no env or parameters, render a path as
                # `kustomize build` does (argocd-lovely-plugin without LOVELY_* settings)
                "kustomizePlugins": {"type": "array", "items": {"type": "string", "minLength": 1}},
                # kustomize versions argocd-cm registers (kustomize.path.<version>) whose binary
                # renders as the kustomize the built-in renderer is proven against
                "kustomizeVersions": {"type": "array", "items": {"type": "string", "minLength": 1}},
            },
        },
        "schemas": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "enabled": {"type": "boolean"},
                "kubernetesVersion": {"type": "string", "pattern": r"^v?\d+\.\d+"},
                "strict": {"type": "boolean"},
                "locations": {"type": "array", "items": {"type": "string"}},
                "crds": {"type": "array", "items": {"type": "string"}},
                "ignoreMissing": {"type": "boolean"},
            },
        },
    },
}


@dataclass
class Config:
    """Validated configuration (empty when there is no file)."""

    path: Path | None = None
    fail_on: str | None = None
    policy_dirs: list[Path] = field(default_factory=list)
    admission: list[Path] = field(default_factory=list)  # ValidatingAdmissionPolicy files or directories
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    waivers: list[dict[str, Any]] = field(default_factory=list)
    node: yaml.Node | None = None  # for locating waivers in the file
    schemas: dict[str, Any] = field(default_factory=dict)  # paths already relative to the cwd
    gate: dict[str, Any] = field(default_factory=dict)
    argocd: dict[str, Any] = field(default_factory=dict)

    def severity_of(self, rule: str, default: Severity) -> Severity:
        override = self.rules.get(rule, {}).get("severity")
        return Severity.parse(override) if override else default

    def enabled(self, rule: str) -> bool:
        return self.rules.get(rule, {}).get("enabled", True)

    @property
    def rendering(self) -> Rendering:
        """What ``argocd:`` says renders a path as the built-in renderer does: the plugins
        ``kustomizePlugins`` names, the kustomize versions ``kustomizeVersions`` names."""
        return Rendering(
            frozenset(self.argocd.get("kustomizePlugins") or ()), frozenset(self.argocd.get("kustomizeVersions") or ())
        )


def find_config(start: Path, boundary: Path | None = None) -> Path:
    """``.torghut-lint.yaml`` in ``start`` or the nearest parent up to the repository root (the
    directory holding ``.git``, or ``boundary`` when given: a checkout without ``.git``, as Argo
    CD hands to a plugin, must not pick up a config from above it); ``start/.torghut-lint.yaml``
    (absent) when there is none."""
    stop = boundary.resolve() if boundary is not None else None
    for directory in (start, *start.parents):
        if (directory / CONFIG_NAME).is_file():
            return directory / CONFIG_NAME
        if (directory / ".git").exists() or (stop is not None and directory.resolve() == stop):
            break
    return start / CONFIG_NAME


def load_config(path: Path | None, required: bool) -> Config:
    """Read and validate the config; a missing default file just means no overrides."""
    if path is None or not path.exists():
        if required and path is not None:
            raise PolicyError(f"{path}: config file does not exist")
        return Config()
    doc = load_yaml_document(path)
    raw = doc.data or {}
    validate(raw, CONFIG_SCHEMA, display_path(path))
    base = path.parent
    return Config(
        path=Path(display_path(path)),
        fail_on=raw.get("failOn"),
        policy_dirs=[base / p for p in raw.get("policies") or []],
        admission=[base / p for p in raw.get("admissionPolicies") or []],
        rules=raw.get("rules") or {},
        waivers=raw.get("waivers") or [],
        node=doc.node,
        schemas=_schema_settings(raw.get("schemas") or {}, base),
        gate=raw.get("gate") or {},
        argocd=raw.get("argocd") or {},
    )


def _schema_settings(raw: dict[str, Any], base: Path) -> dict[str, Any]:
    out = dict(raw)
    for key in ("locations", "crds"):
        if key in out:
            out[key] = [str(base / p) for p in out[key]]
    return out


def apply_overrides(policies: list[Policy], config: Config) -> None:
    """Severity, enablement and params from the config; params are re-validated."""
    from torghut_lint.templates import load_template

    known = {p.id for p in policies} | set(BUILTIN_RULES)
    for rule in config.rules:
        if rule not in known:
            raise PolicyError(f"{config.path}: rules.{rule}: no such rule (see `torghut-lint rules`)")
    for policy in policies:
        override = config.rules.get(policy.id)
        if not override:
            continue
        policy.enabled = override.get("enabled", policy.enabled)
        if "severity" in override:
            policy.severity = Severity.parse(override["severity"])
        template = load_template(policy.template)
        if "match" in override:
            policy.match = Match.from_dict(override["match"])
            check_kinds(policy.match, template, f"{config.path}: rules.{policy.id}.match.kind")
        policy.allow_annotation_waivers = override.get("allowAnnotationWaivers", policy.allow_annotation_waivers)
        if "params" in override:
            policy.params = {**policy.params, **override["params"]}
            validate(policy.params, template.params, f"{config.path}: rules.{policy.id}.params")
