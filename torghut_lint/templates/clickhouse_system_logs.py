"""Template ``clickhouse-system-logs``: every ClickHouse system log table that is enabled has a
TTL or is removed, judged from the server configuration as ClickHouse merges it
(ConfigProcessor.cpp): the files of a ClickHouseInstallation's ``spec.configuration.files`` with
those of the ClickHouseInstallationTemplates it applies under them, and those its pod templates
mount into config.d and conf.d, in ClickHouse's order, XML and YAML alike (``.conf`` by its first
character), each merged into what came before: an element merges with the first of the same name
and attributes (another attribute makes it another element, which changes nothing ClickHouse
reads), ``remove`` deletes it and ``replace`` takes its place whatever their value, a plain one
merges into it (its TTL's text replacing the one there, an empty ``<ttl/>`` emptying it). Not
grepped: a log is bounded by what the merged configuration says."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import yaml

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
    """'ttl' or 'unbounded' for one system log element of the merged configuration, and why a TTL
    it has does not bound it (as clickhouse-table-ttl judges a table's: it deletes no row, or too
    late). With an ``<engine>``, ClickHouse takes the TTL from it alone (a ``<ttl>`` beside it is
    refused)."""
    engine = _text(element.find("engine"))
    in_engine = re.search(r"\bTTL\b", engine, re.I)
    ttl = "" if engine.strip() else _text(element.find("ttl")).strip()  # an empty <ttl/> is none
    if not ttl and not in_engine:
        return "unbounded", ""
    problem = ttl_problem(ttl or engine[in_engine.end() :], max_days)
    return ("ttl", "") if problem is None else ("unbounded", problem)


def _own_text(element: ET.Element) -> str:
    """The text directly in an element (before, between and after its children: the text nodes
    ClickHouse's merge replaces), not its children's."""
    return (element.text or "") + "".join(child.tail or "" for child in element)


def _text(element: ET.Element | None) -> str:
    """An element's text as ClickHouse's configuration reads it (every text below it, joined)."""
    return "" if element is None else "".join(element.itertext())


def check(ctx: RuleContext) -> Iterator[Violation]:
    import xml.etree.ElementTree as ET  # here: only ClickHouse installations need an XML parser

    defaults = ctx.params["enabledByDefault"]
    table = re.compile(ctx.params["tablePattern"])
    templates = installation_templates(ctx.resources)
    for res in ctx.matched:
        files = _files(res, applied_templates(res, templates) if res.id.kind == "ClickHouseInstallation" else [])
        mounted, unseen = _mounted(res, ctx)
        files.update(mounted)
        yield from unseen
        # the server's configuration as ClickHouse merges it: the image's config.xml (the logs it
        # enables by default, without a TTL), then each file of config.d and conf.d in order
        config = ET.Element("clickhouse")
        for tag in defaults:
            ET.SubElement(config, tag)
        origins: dict[int, tuple[str, str, Resource, Path_]] = {}  # a log element -> the file that set its TTL
        for name, (text, source, at) in sorted(files.items(), key=lambda item: str(item[0])):  # ClickHouse's order
            if not _merged(str(name)) or not isinstance(text, str):
                continue
            try:
                root = _read(str(name), text)
            except _Unreadable as exc:
                yield Violation(source, at, f"config file {name} {exc}; {exc.outcome}", value=str(exc))
                continue
            where = (str(name), text, source, at)
            try:
                _merge(config, root, lambda tag: table.search(tag) is not None, where, origins)
            except _Unreadable as exc:
                yield Violation(
                    source,
                    at,
                    f"config file {name}: {exc}; {exc.outcome}",
                    location=_element_location(source, at, text, exc.tag),
                    value=str(exc),
                )
        seen: set[str] = set()
        for element in config:
            if element.tag in seen or not table.search(element.tag):
                continue  # a second element of a log: ClickHouse reads the first
            seen.add(element.tag)
            state, why = _state(element, ctx.params.get("maxTtlDays"))
            if state != "unbounded":
                continue
            origin = origins.get(id(element))
            if origin is None:  # the image's, untouched
                own = get_path(res.data, _FILES)
                anchor = _FILES if isinstance(own, dict) and own else ("spec", "configuration")
                yield Violation(
                    res,
                    anchor,
                    f"ClickHouse keeps system log {element.tag} by default and nothing bounds it; "
                    'give it a TTL or remove="1" in spec.configuration.files',
                    requirement=element.tag,
                )
                continue
            name, text, source, at = origin
            yield Violation(
                source,
                at,
                (
                    f"system log {element.tag} is enabled in {name} with a TTL that {why}; give it one that "
                    'deletes rows or remove="1"'
                    if why
                    else f"system log {element.tag} is enabled in {name} without a TTL; add <ttl> (or TTL in "
                    '<engine>) or remove="1"'
                ),
                location=_element_location(source, at, text, element.tag),
                # the file's text changes for unrelated reasons: the element is the identity, and
                # what its TTL fails by (a longer one is another finding)
                value=why,
                requirement=element.tag,
            )


class _Unreadable(Exception):
    """A configuration file ClickHouse cannot read or merge (``tag``: the element at fault)."""

    def __init__(self, message: str, tag: str = "", outcome: str = "ClickHouse would fail to start") -> None:
        super().__init__(message)
        self.tag = tag
        self.outcome = outcome


# the files ClickHouse merges from config.d and conf.d (ConfigProcessor::getConfigMergeFiles)
_MERGED_EXTENSIONS = (".xml", ".conf", ".yaml", ".yml")
_SUBSTITUTIONS = ("incl", "from_zk", "from_env")  # attributes that are no part of an element's identity


def _merged(name: str) -> bool:
    """Whether ClickHouse merges a file of this name into the server's configuration: one of its
    extensions (any case), not hidden, not a users' file (users.d is the users' configuration)."""
    directory, _, base = name.rpartition("/")
    return (
        base.lower().endswith(_MERGED_EXTENSIONS)
        and not base.startswith(".")
        and directory.rstrip("/").rpartition("/")[2] != "users.d"
    )


def _read(name: str, text: str) -> ET.Element:
    """A configuration file as ClickHouse reads it (ConfigProcessor::parseConfig): ``.xml`` as XML,
    ``.yaml``/``.yml`` as YAML, anything else (``.conf``) as XML when it starts with ``<``."""
    import xml.etree.ElementTree as ET

    extension = "." + name.rpartition(".")[2].lower()
    if extension == ".xml" or (extension not in (".yaml", ".yml") and text.lstrip().startswith("<")):
        try:
            return ET.fromstring(text)
        except ET.ParseError as exc:
            raise _Unreadable(f"is not valid XML ({exc})") from exc
    return _from_yaml(text)


def _from_yaml(text: str) -> ET.Element:
    """A YAML configuration file as ClickHouse's YAMLParser turns it into XML: a mapping's keys are
    elements (``"@name"`` with a scalar: an attribute of the parent), a scalar is text, a sequence
    repeats its parent element, all below a ``<clickhouse>`` root."""
    import xml.etree.ElementTree as ET

    from torghut_lint.parse import PLAIN, parse_bytes  # (the parser imports the model, not the other way)

    parsed = parse_bytes(text.encode("utf-8", "surrogatepass"), "config", go_yaml=False)
    if not parsed.ok:
        raise _Unreadable("is not valid YAML")
    root = ET.Element("clickhouse")
    if not parsed.documents:
        return root
    node = parsed.documents[0].node  # (yaml-cpp's LoadFile reads the first document)
    if isinstance(node, yaml.MappingNode) and any(
        isinstance(k, yaml.ScalarNode) and k.value in ("clickhouse", "yandex") for k, _ in node.value
    ):
        # the documentation says the parser inserts the root when it is absent; the parser's code
        # nests it: which one runs decides what the file sets, so it is read as neither
        raise _Unreadable(
            "writes its elements under a clickhouse: key, which ClickHouse's documentation and its parser read "
            "differently",
            outcome="nothing it sets is counted (write them at the top level)",
        )
    version = [1]

    def element(parent: ET.Element, grandparent: ET.Element | None, current: yaml.Node, depth: int) -> None:
        if depth > _YAML_DEPTH:
            return  # (nothing this deep is a system log's setting)
        if isinstance(current, yaml.ScalarNode):
            if current.tag != PLAIN or current.value not in ("", "~", "null", "Null", "NULL"):  # (null: nothing)
                parent.text = (parent.text or "") + current.value
        elif isinstance(current, yaml.SequenceNode):
            for i, item in enumerate(current.value):
                has_children = bool(parent.text) or len(parent) > 0
                clone = (has_children and not isinstance(item, yaml.MappingNode)) or (i > 0 and version[0] >= 2)
                if clone and grandparent is not None:
                    copy = ET.SubElement(grandparent, parent.tag)
                    element(copy, grandparent, item, depth + 1)
                else:
                    element(parent, grandparent, item, depth + 1)
        elif isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                if not isinstance(key, yaml.ScalarNode):
                    raise _Unreadable("has a key that is no text")
                if key.value.startswith("@") and isinstance(value, yaml.ScalarNode):
                    parent.set(key.value[1:], value.value)
                elif key.value == "yaml_parser_version" and isinstance(value, yaml.ScalarNode):
                    version[0] = int(value.value) if value.value.isdigit() else version[0]
                else:
                    element(ET.SubElement(parent, key.value), parent, value, depth + 1)

    element(root, None, node, 0)
    return root


_YAML_DEPTH = 8


def _identifier(element: ET.Element) -> tuple:
    """What ClickHouse merges an element by: its name and attributes, but for replace, remove
    and the substitutions (an element with another attribute is another element)."""
    attributes = sorted((k, v) for k, v in element.attrib.items() if k not in ("replace", "remove", *_SUBSTITUTIONS))
    return element.tag, tuple(attributes)


def _merge(config: ET.Element, other: ET.Element, wanted, where, origins: dict, depth: int = 2) -> None:
    """``other`` merged into ``config`` as ClickHouse merges a file into its configuration
    (ConfigProcessor::mergeRecursive): an element merges with the first one of the same name and
    attributes, ``remove`` (any value) deletes that one, ``replace`` (any value) takes its place, a
    plain one merges into it (its text replacing the text there, its attributes added); one with no
    match is appended, unless it removes. Down to ``depth`` levels of the elements ``wanted`` names
    (a log, its settings, their text: nothing deeper bounds one); ``origins`` records, for each log element,
    the file that last set its TTL (or made it), else the first that touched it."""
    theirs = _own_text(other)
    if _own_text(config).strip():
        config.text = None
        for child in config:
            child.tail = None
    if theirs:
        config.text = (config.text or "") + theirs
    if depth == 0:
        return
    pending: dict[tuple, list[ET.Element]] = {}
    for child in config:
        if wanted(child.tag):
            pending.setdefault(_identifier(child), []).append(child)
    for child in other:
        if not isinstance(child.tag, str) or not wanted(child.tag):
            continue
        remove, replace = "remove" in child.attrib, "replace" in child.attrib
        if remove and replace:
            raise _Unreadable(f"<{child.tag}> has both remove and replace", child.tag)
        matches = pending.get(_identifier(child))
        target = matches.pop(0) if matches else None
        kept = None  # the element this one leaves in the configuration
        if target is not None and remove:
            config.remove(target)
        elif target is not None and replace:
            kept = _copied(child, strip=False)
            config[list(config).index(target)] = kept
        elif target is not None:
            if len(child) or child.text:
                for attribute in _SUBSTITUTIONS:
                    target.attrib.pop(attribute, None)
            target.attrib.update(child.attrib)
            _merge(target, child, lambda tag: True, where, origins, depth - 1)
            kept = target
        elif not remove:
            kept = _copied(child, strip=True)
            config.append(kept)
        if depth == 2 and kept is not None:  # a log: made here, or given its TTL here, or first touched here
            sets_ttl = child.find("ttl") is not None or child.find("engine") is not None
            if kept is not target or sets_ttl or id(kept) not in origins:
                origins[id(kept)] = where


def _copied(element: ET.Element, strip: bool) -> ET.Element:
    """A copy of a log's element as far as what bounds it goes: its attributes, and each setting's
    attributes and text (flattened: nothing deeper bounds a log; a copy of a file's whole depth
    could overflow the C stack), the replace and remove attributes dropped throughout with
    ``strip`` (ClickHouse drops them from what it appends)."""
    import xml.etree.ElementTree as ET

    def shallow(original: ET.Element, text: str) -> ET.Element:
        made = ET.Element(original.tag, dict(original.attrib))
        if strip:
            made.attrib.pop("replace", None)
            made.attrib.pop("remove", None)
        made.text = text
        return made

    made = shallow(element, _own_text(element))
    for child in element:
        if isinstance(child.tag, str):
            made.append(shallow(child, _text(child)))
    return made


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
    operator's own would have there (``config.d/NAME``, ``conf.d/NAME``: merged in one order with
    them, by path, conf.d's first), from
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
                if directory in CONFIG_DIRS and isinstance(data, dict) and key in data:  # conf.d's before config.d's
                    found[f"{directory.rpartition('/')[2]}/{name}"] = (data[key], cm, ("data", key))
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
    """Where a file writes ``tag``: its XML element, or its YAML key."""
    match = (
        re.search(rf"<{re.escape(tag)}[\s>/]|^[ \t-]*[\"']?{re.escape(tag)}[\"']?[ \t]*:", text, re.M) if tag else None
    )
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
        "server configuration as ClickHouse merges it: a ClickHouseInstallation's ``spec.configuration.files`` "
        "with its templates' and what its pods mount into config.d and conf.d, XML and YAML alike, in "
        "ClickHouse's order (not grepped): ``remove`` drops a log and ``replace`` replaces what earlier "
        "files said (a TTL included) whatever their value, a plain element merges into the first of its name "
        "and attributes."
    ),
    PARAMS_SCHEMA,
    check,
    kinds=("ClickHouseInstallation",),
)
