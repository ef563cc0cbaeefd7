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

from torghut_lint.k8s import applied_templates, get_path, installation_templates
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
        states: dict[str, str] = {}  # merged across files, as ClickHouse merges config.d
        first_seen: dict[str, tuple[str, str, Resource]] = {}
        reasons: dict[str, str] = {}  # why the last TTL of a log does not bound it
        for name, (text, source) in sorted(files.items(), key=lambda item: str(item[0])):  # ClickHouse's order
            if not str(name).endswith(".xml") or not isinstance(text, str):
                continue
            try:
                root = ET.fromstring(text)
            except ET.ParseError as exc:
                yield Violation(
                    source,
                    _FILES + (name,),
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
                    first_seen[element.tag] = (name, text, source)
                elif sets_ttl or before != "ttl":  # merged: a TTL it sets replaces one set earlier, which
                    states[element.tag] = state  # survives a later element that sets none
                    if sets_ttl:  # where the TTL that counts is set; else an earlier one still stands
                        reasons[element.tag] = why
                        first_seen[element.tag] = (name, text, source)
                    first_seen.setdefault(element.tag, (name, text, source))
        for tag, state in states.items():
            if state == "unbounded":
                name, text, source = first_seen[tag]
                yield Violation(
                    source,
                    _FILES + (name,),
                    (
                        f"system log {tag} is enabled in {name} with a TTL that {reasons[tag]}; give it one that "
                        'deletes rows or remove="1"'
                        if reasons.get(tag)
                        else f"system log {tag} is enabled in {name} without a TTL; add <ttl> (or TTL in <engine>) "
                        'or remove="1"'
                    ),
                    location=_element_location(source, name, text, tag),
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


def _files(installation: Resource, templates: list[Resource]) -> dict[str, tuple[object, Resource]]:
    """The configuration files the operator writes for ``installation``: those of the templates it
    applies (:func:`~torghut_lint.k8s.applied_templates`), in order, under its own (a name it writes
    is its own), each with the resource it comes from."""
    found: dict[str, tuple[object, Resource]] = {}
    for source in [*templates, installation]:
        files = get_path(source.data, _FILES)
        for name, text in files.items() if isinstance(files, dict) else ():
            found[name] = (text, source)
    return found


def _element_location(res: Resource, name: str, text: str, tag: str):
    match = re.search(rf"<{re.escape(tag)}[\s>/]", text)
    return res.locate_in_text(_FILES + (name,), match.start() if match else 0)


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
