"""Rule templates, by id: one module per template, each declaring ``TEMPLATE`` (a
:class:`~torghut_lint.templates.base.Template`: id, description, documented parameters, kinds,
``check``, optional ``fix`` and ``facts``), its docstring saying why it exists.

A new template is one module here and one line in :data:`MODULES`; ``torghut-lint templates``
and ``docs/templates.md`` are generated from the declarations. Modules are imported on first
use so that start-up stays light.
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torghut_lint.templates.base import Template

MODULES: dict[str, str] = {
    "storage-budget": "storage_budget",
    "clickhouse-table-ttl": "clickhouse_table_ttl",
    "replica-count": "replica_count",
    "readiness-probe": "readiness_probe",
    "env-switch-off": "env_switch_off",
    "switch-owner-annotation": "switch_owner_annotation",
    "annotation-equals": "annotation_equals",
    "inline-secrets": "inline_secrets",
    "env-duplicate-name": "env_duplicate_name",
    "flink-job-isolation": "flink_job_isolation",
    "env-requirements": "env_requirements",
    "clickhouse-system-logs": "clickhouse_system_logs",
    "flink-durability": "flink_durability",
    "argocd-hooks": "argocd_hooks",
    "cel": "cel",
    "validating-admission-policy": "admission_policy",
}


@functools.cache  # asked per policy and application: the import machinery once per name
def load_template(name: str) -> Template:
    """The template ``name`` (KeyError when there is none)."""
    template = importlib.import_module(f"torghut_lint.templates.{MODULES[name]}").TEMPLATE
    assert template.id == name, f"templates/{MODULES[name]}.py declares {template.id!r}"
    return template


def all_templates() -> list[Template]:
    return [load_template(name) for name in sorted(MODULES)]
