"""What the linter knows, for people and dashboards: the rule list (``rules``), one rule explained
(``explain``), and the templates policies instantiate (``templates``, and ``docs/templates.md``,
generated from the same declarations so the document cannot drift from the code)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import yaml

from torghut_lint.report.jsontext import indented

if TYPE_CHECKING:
    from torghut_lint.builtin_rules import BuiltinRule
    from torghut_lint.policy import Policy
    from torghut_lint.report.base import RuleInfo
    from torghut_lint.templates.base import Template


def rules(catalog: dict[str, RuleInfo], origin: dict[str, str], fmt: str) -> str:
    """Every rule with its severity and origin (built-in, policy, disabled): one line each, or JSON."""
    ordered = sorted(catalog.values(), key=lambda r: r.id)
    if fmt == "json":
        doc = {
            "rules": [
                {
                    "id": r.id,
                    "severity": str(r.severity),
                    "origin": origin.get(r.id, "built-in"),
                    "description": r.description,
                    "rationale": r.rationale,
                    "fix": r.fix,
                }
                for r in ordered
            ]
        }
        return indented(doc) + "\n"
    width = max(len(r.id) for r in ordered)
    return "".join(
        f"{r.id:<{width}}  {r.severity!s:<7}  {origin.get(r.id, 'built-in'):<8}  {r.description.splitlines()[0]}\n"
        for r in ordered
    )


def _type(prop: dict[str, Any]) -> str:
    kind = prop.get("type", "object" if "properties" in prop else "any")
    if kind == "array":
        return f"list of {_type(prop.get('items') or {})}"
    return " or ".join(kind) if isinstance(kind, list) else str(kind)


def parameters(template: Template) -> list[tuple[str, str, str, str]]:
    """(name, type, required or default, description) per parameter of a template."""
    schema = template.params
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema.get("properties", {}).items():
        if name in required:
            need = "required"
        elif "default" in prop:
            need = "default " + json.dumps(prop["default"])
        else:
            need = "optional"
        out.append((name, _type(prop), need, prop.get("description", "")))
    return out


def explain_policy(policy: Policy, template: Template, example: str, waive_central: str) -> str:
    """A policy explained: why, where, its parameters against its template's, a failing example,
    whether ``fix`` repairs it, and how to waive it."""
    from torghut_lint.waivers import ANNOTATION_PREFIX

    out = [f"{policy.id} ({policy.severity}, template {policy.template}, {policy.source})\n"]
    out.append(f"{policy.description}\n\nWhy: {policy.rationale}\n")
    if policy.match.as_dict():
        out.append("Applies to: " + yaml.safe_dump(policy.match.as_dict(), default_flow_style=True).strip() + "\n")
    out.append(f"Template {template.id}: {template.description}")
    if template.kinds:
        out.append(f"  evaluates {', '.join(template.kinds)} only")
    given = template.with_defaults(policy.params)
    for name, kind, need, text in parameters(template):
        value = f" = {json.dumps(given[name])}" if name in given else ""
        out.append(f"  {name} ({kind}, {need}){value}: {text}")
    out.append("")
    if policy.fix:
        out.append(f"How to fix: {policy.fix}\n")
    if example:
        out.append(example)
    if template.fix is not None:
        out.append("Fixable: `torghut-lint fix` repairs the unambiguous cases in place (`--diff` to preview).\n")
    if policy.allow_annotation_waivers:
        out.append(
            f'Waive on the resource:\n  metadata.annotations["{ANNOTATION_PREFIX}{policy.id}"]: '
            '"reason=...; owner=...; expires=YYYY-MM-DD"\n'
        )
    else:
        out.append("This rule cannot be waived by annotation, only centrally.\n")
    out.append(waive_central)
    return "\n".join(out) + "\n"


def explain_builtin(rule: BuiltinRule, severity: str, waive_central: str) -> str:
    return (
        f"{rule.id} ({severity}, built-in)\n\n{rule.description}\n\nWhy: {rule.rationale}\n\n"
        f"How to fix: {rule.fix}\n\n{waive_central}\n"
    )


def templates(all_templates: list[Template], fmt: str) -> str:
    """The templates: a line each (text), their declarations (json), or the reference document
    (markdown, ``docs/templates.md``)."""
    if fmt == "json":
        doc = [
            {
                "id": t.id,
                "description": t.description,
                "kinds": list(t.kinds),
                "orphans": t.orphans,
                "fixable": t.fix is not None,
                "params": t.params,
            }
            for t in all_templates
        ]
        return indented({"templates": doc}) + "\n"
    if fmt == "markdown":
        out = [
            "# Rule templates",
            "",
            "Generated by `torghut-lint templates --format markdown` from the templates' declarations",
            "(`torghut_lint/templates/`); a test keeps this file in step. A policy in `policies/` (or a",
            "directory given with `--policies`) instantiates one with `template: ID`, a `match` and `params`.",
        ]
        for t in all_templates:
            out += ["", f"## `{t.id}`", "", t.description.replace("``", "`"), ""]
            traits = [f"kinds: {', '.join(t.kinds) if t.kinds else 'any'}"]
            traits += ["also manifests no application applies"] if t.orphans else []
            traits += ["fixable by `torghut-lint fix`"] if t.fix is not None else []
            line = "; ".join(traits)
            out += [line[0].upper() + line[1:] + ".", ""]
            rows = parameters(t)
            if rows:
                out += ["| parameter | type | | description |", "|---|---|---|---|"]
                out += [
                    "| " + " | ".join(c.replace("|", "\\|") for c in (f"`{n}`", k, need, text)) + " |"
                    for n, k, need, text in rows
                ]
            else:
                out.append("No parameters.")
        return "\n".join(out) + "\n"
    width = max(len(t.id) for t in all_templates)
    return "".join(
        f"{t.id:<{width}}  {', '.join(t.kinds) or 'any kind':<22}  {'fixable' if t.fix else '':<7}  {_gist(t)}\n"
        for t in all_templates
    )


def _gist(template: Template) -> str:
    """The description up to its first clause: one line in a listing."""
    text = template.description.replace("``", "")
    for stop in (": ", "; ", ". ", " ("):
        text = text.split(stop)[0]
    return text.rstrip(".")
