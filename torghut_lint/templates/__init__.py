"""Rule templates: one module per template, each with ``PARAMS_SCHEMA`` and ``check(ctx)``.

Modules are imported on first use so that start-up stays light.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

TEMPLATES: dict[str, str] = {
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
}


def load_template(name: str) -> ModuleType:
    """The module implementing template ``name`` (KeyError when unknown)."""
    return importlib.import_module(f"torghut_lint.templates.{TEMPLATES[name]}")


def template_params_schema(name: str) -> dict[str, Any]:
    return load_template(name).PARAMS_SCHEMA
