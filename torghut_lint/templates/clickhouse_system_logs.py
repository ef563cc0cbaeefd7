"""Template ``clickhouse-system-logs``: every ClickHouse system log table that is enabled has a
TTL or is removed, judged from the server config XML in a ClickHouseInstallation's
``spec.configuration.files`` with those of the ClickHouseInstallationTemplates it applies under
them (parsed as XML, merged across files in ClickHouse's order, not grepped): ``remove="1"`` drops
a log, ``replace="1"`` replaces what earlier files said (a TTL included), a plain element merges
into it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from torghut_lint.k8s import (
    applied_templates,
    get_path,
    installation_templates,
    listed,
    mounted_configmap_keys,
    pod_specs,
)
from torghut_lint.k8s import text as as_text
from torghut_lint.model import Path_, Resource
from torghut_lint.templates.base import RuleContext, Template, Violation
from torghut_lint.templates.clickhouse_table_ttl import ttl_problem

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

DEFAULT_ENABLED = [
    "query_log",
    "query_thread_log",
    "query_views_log",
    "part_log",
    "trace_log",
    "text_log",
    "metric_log",
    "asynchronous_metric_log",
    "processors_profile_log",
    "asynchronous_insert_log",
    "error_log",
]
_FILES: Path_ = ("spec", "configuration", "files")


def _state(element: ET.Element, max_days: float | None) -> tuple[str, str]:
    """'removed', 'ttl' or 'unbounded' for one system log element, and why a TTL it has does not
    bound it (as clickhouse-table-ttl judges a table's: it deletes no row, or too late)."""
    if element.get("remove", "").lower() in ("1", "true", "remove"):
        return "removed", ""
    engine = element.findtext("engine") or ""
    ttl = (element.findtext("ttl") or "").strip()  # an empty <ttl/> is none
    in_engine = re.search(r"\bTTL\b", engine, re.I)
    if not ttl and not in_engine:
        return "unbounded", ""
    problem = ttl_problem(ttl or engine[in_engine.end() if in_engine else 0 :], max_days)
    return ("ttl", "") if problem is None else ("unbounded", problem)


def check(ctx: RuleContext) -> Iterator[Violation]:
    defaults = ctx.params["enabledByDefault"]
    import xml.etree.ElementTree as ET  # here: only ClickHouse installations need an XML parser

    table = re.compile(ctx.params["tablePattern"])
    templates = installation_templates(ctx.resources)
    for res in ctx.matched:
        files = _files(res, applied_templates(res, templates) if res.id.kind == "ClickHouseInstallation" else [])
        mounted, unseen = _mounted(res, ctx)
        files.update(mounted)
        yield from unseen
        states: dict[str, str] = {}  # merged across files, as ClickHouse merges config.d
        first_seen: dict[str, tuple[str, str, Resource]] = {}
        reasons: dict[str, str] = {}  # why the last TTL of a log does not bound it
        for name, (text, source, at) in sorted(files.items(), key=lambda item: str(item[0])):  # ClickHouse's order
            if not str(name).endswith(".xml") or not isinstance(text, str):
                continue
            try:
                root = ET.fromstring(text)
            except ET.ParseError as exc:
                yield Violation(
                    source,
                    at,
                    f"config file {name} is not valid XML ({exc}); ClickHouse would fail to start",
                    value=str(exc),
                )
                continue
            for element in root:
                if not table.search(element.tag):
                    continue
                state, why = _state(element, ctx.params.get("maxTtlDays"))
                sets_ttl = state == "ttl" or bool(why)
                before = states.get(element.tag)
                if element.get("replace", "").lower() in ("1", "true") or state == "removed" or before == "removed":
                    states[element.tag] = state  # replaces what earlier files said (a TTL too)
                    reasons[element.tag] = why
                    first_seen[element.tag] = (name, text, source, at)
                elif sets_ttl or before != "ttl":  # merged: a TTL it sets replaces one set earlier, which
                    states[element.tag] = state  # survives a later element that sets none
                    if sets_ttl:  # where the TTL that counts is set; else an earlier one still stands
                        reasons[element.tag] = why
                        first_seen[element.tag] = (name, text, source, at)
                    first_seen.setdefault(element.tag, (name, text, source, at))
        for tag, state in states.items():
            if state == "unbounded":
                name, text, source, at = first_seen[tag]
                yield Violation(
                    source,
                    at,
                    (
                        f"system log {tag} is enabled in {name} with a TTL that {reasons[tag]}; give it one that "
                        'deletes rows or remove="1"'
                        if reasons.get(tag)
                        else f"system log {tag} is enabled in {name} without a TTL; add <ttl> (or TTL in <engine>) "
                        'or remove="1"'
                    ),
                    location=_element_location(source, at, text, tag),
                    # the file's text changes for unrelated reasons: the element is the identity, and
                    # what its TTL fails by (a longer one is another finding)
                    value=reasons.get(tag, ""),
                    requirement=tag,
                )
        own = get_path(res.data, _FILES)
        anchor = _FILES if isinstance(own, dict) and own else ("spec", "configuration")
        for tag in (t for t in defaults if t not in states):  # one finding per log: each is its own requirement
            yield Violation(
                res,
                anchor,
                f"ClickHouse keeps system log {tag} by default and nothing bounds it; "
                'give it a TTL or remove="1" in spec.configuration.files',
                requirement=tag,
            )


def _files(installation: Resource, templates: list[Resource]) -> dict[str, tuple[object, Resource, Path_]]:
    """The configuration files the operator writes for ``installation``: those of the templates it
    applies (:func:`~torghut_lint.k8s.applied_templates`), in order, under its own (a name it writes
    is its own), each with the resource it comes from and where in it."""
    found: dict[str, tuple[object, Resource, Path_]] = {}
    for source in [*templates, installation]:
        files = get_path(source.data, _FILES)
        for name, text in files.items() if isinstance(files, dict) else ():
            found[name] = (text, source, _FILES + (name,))
    return found


# the directories ClickHouse merges into its configuration, each file in it (not its subdirectories)
CONFIG_DIRS = ("/etc/clickhouse-server/config.d", "/etc/clickhouse-server/conf.d")


def _mounted(res: Resource, ctx: RuleContext) -> tuple[dict[str, tuple[object, Resource, Path_]], list[Violation]]:
    """The configuration files an installation's pod templates mount into ClickHouse's
    configuration directories (:data:`CONFIG_DIRS`; not their subdirectories), by the name the
    operator's own would have there (``config.d/NAME``: merged in one order with them), from
    ConfigMaps of the application as the kubelet mounts them (:func:`mounted_configmap_keys`);
    and a violation at each mount there whose files the repository does not show (a Secret, an
    emptyDir an init container fills, a ConfigMap the application does not hold): a system log
    may be enabled there without a TTL."""
    found: dict[str, tuple[object, Resource, Path_]] = {}
    unseen: list[Violation] = []
    for pod_path, pod in pod_specs(res):
        volumes = {as_text(v.get("name")): v for v in listed(pod, "volumes") if isinstance(v, dict)}
        for c, container in enumerate(listed(pod, "containers")):
            if not isinstance(container, dict):
                continue
            for file, cm, key in mounted_configmap_keys(res, (*pod_path, "containers", c), container, ctx.env_sources):
                directory, _, name = file.rpartition("/")
                data = cm.data.get("data")
                if directory in CONFIG_DIRS and isinstance(data, dict) and key in data:
                    found[f"config.d/{name}"] = (data[key], cm, ("data", key))
            for m, mount in enumerate(listed(container, "volumeMounts")):
                where = as_text(mount.get("mountPath")).rstrip("/") if isinstance(mount, dict) else ""
                if not any(where == d or where.startswith(d + "/") for d in CONFIG_DIRS):
                    continue
                volume = volumes.get(as_text(mount.get("name")))
                if _shown(volume, res.id.namespace, ctx):
                    continue
                what = next((k for k in (volume or {}) if k != "name"), "a volume it does not define")
                unseen.append(
                    Violation(
                        res,
                        (*pod_path, "containers", c, "volumeMounts", m),
                        f"{res.id} mounts {what} {as_text(mount.get('name'))!r} at {where}, whose files the "
                        "repository does not show: ClickHouse merges them into its configuration, where a "
                        "system log may be enabled without a TTL; mount a ConfigMap of the application, or "
                        "use spec.configuration.files",
                        requirement="mounted",
                    )
                )
    return found, unseen


def _shown(volume: object, namespace: str, ctx: RuleContext) -> bool:
    """Whether a volume's files are the application's ConfigMaps' (a ``configMap`` volume, or a
    ``projected`` one of ConfigMaps only), each of which the application holds."""
    if not isinstance(volume, dict):
        return False
    projected = volume.get("projected")
    if "configMap" in volume:
        refs = [volume["configMap"]]
    else:
        parts = listed(projected, "sources") if isinstance(projected, dict) else []
        refs = [part.get("configMap") if isinstance(part, dict) else None for part in parts]
    return bool(refs) and all(
        isinstance(ref, dict) and ctx.env_sources.configmap(namespace, as_text(ref.get("name"))) is not None
        for ref in refs
    )


def _element_location(res: Resource, at: Path_, text: str, tag: str):
    match = re.search(rf"<{re.escape(tag)}[\s>/]", text)
    return res.locate_in_text(at, match.start() if match else 0)


PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "enabledByDefault": {
            "type": "array",
            "items": {"type": "string"},
            "default": DEFAULT_ENABLED,
            "description": "system logs ClickHouse writes unless the config removes them",
        },
        "maxTtlDays": {
            "type": ["number", "null"],
            "exclusiveMinimum": 0,
            "default": None,
            "description": "the longest a system log's TTL may keep rows, in days (as clickhouse-table-ttl judges a "
            "table's; null: any)",
        },
        "tablePattern": {
            "type": "string",
            "default": "_log$",
            "description": "regex for config element names that are system logs",
        },
    },
}

TEMPLATE = Template(
    "clickhouse-system-logs",
    (
        "Every ClickHouse system log table that is enabled has a TTL or is removed, judged from the "
        "server config XML in a ClickHouseInstallation's ``spec.configuration.files`` (parsed as XML, "
        'merged across files in ClickHouse\'s order, not grepped): ``remove="1"`` drops a log, '
        '``replace="1"`` replaces what earlier files said (a TTL included), a plain element merges into '
        "it."
    ),
    PARAMS_SCHEMA,
    check,
    kinds=("ClickHouseInstallation",),
)
