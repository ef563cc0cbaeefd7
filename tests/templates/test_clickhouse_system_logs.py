"""Template ``clickhouse-system-logs`` (torghut_lint/templates/clickhouse_system_logs.py): the
configuration files ClickHouse merges, including those a pod template mounts into config.d."""

from __future__ import annotations

import pytest

from torghut_lint.model import Resource
from torghut_lint.parse import parse_bytes
from torghut_lint.templates.base import RuleContext
from torghut_lint.templates.clickhouse_system_logs import _mounted

CM = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\ndata: {a.xml: '<clickhouse/>', b.xml: '<clickhouse/>'}\n"
)


def installation(mount: str, volume: str) -> str:
    return (
        "apiVersion: clickhouse.altinity.com/v1\nkind: ClickHouseInstallation\nmetadata: {name: ch}\nspec:\n"
        "  templates:\n    podTemplates:\n      - name: p\n        spec:\n          containers:\n"
        f"            - {{name: c, image: ch, volumeMounts: [{mount}]}}\n          volumes: [{volume}]\n"
    )


@pytest.mark.parametrize(
    ("mount", "volume", "names", "unseen"),
    [
        # the whole ConfigMap as config.d: each key a file there
        (
            "{name: v, mountPath: /etc/clickhouse-server/config.d}",
            "{name: v, configMap: {name: extra}}",
            ["config.d/a.xml", "config.d/b.xml"],
            0,
        ),
        # items: a key at the path they give it
        (
            "{name: v, mountPath: /etc/clickhouse-server/conf.d/}",
            "{name: v, configMap: {name: extra, items: [{key: b.xml, path: zz.xml}]}}",
            ["conf.d/zz.xml"],
            0,
        ),
        # one file by subPath, at the mount path
        (
            "{name: v, mountPath: /etc/clickhouse-server/config.d/x.xml, subPath: a.xml}",
            "{name: v, configMap: {name: extra}}",
            ["config.d/x.xml"],
            0,
        ),
        # a directory below config.d: ClickHouse does not read it
        ("{name: v, mountPath: /etc/clickhouse-server/config.d/more}", "{name: v, configMap: {name: extra}}", [], 0),
        # elsewhere: not configuration
        ("{name: v, mountPath: /opt/x}", "{name: v, secret: {secretName: s}}", [], 0),
        # what the repository does not show: a Secret, an emptyDir, a ConfigMap it does not hold
        ("{name: v, mountPath: /etc/clickhouse-server/config.d}", "{name: v, secret: {secretName: s}}", [], 1),
        ("{name: v, mountPath: /etc/clickhouse-server/config.d}", "{name: v, emptyDir: {}}", [], 1),
        ("{name: v, mountPath: /etc/clickhouse-server/config.d}", "{name: v, configMap: {name: other}}", [], 1),
    ],
)
def test_what_a_pod_template_mounts_into_the_configuration(mount: str, volume: str, names: list, unseen: int) -> None:
    text = installation(mount, volume) + "---\n" + CM
    found = [Resource(d.node, d.data) for d in parse_bytes(text.encode(), "chi.yaml").documents]
    files, hidden = _mounted(found[0], RuleContext({}, found[:1], found, []))
    assert sorted(files) == names
    assert len(hidden) == unseen


@pytest.mark.parametrize(
    ("text", "xml"),
    [
        # a mapping's keys are elements, "@" keys with a scalar attributes of their parent
        (
            'query_log:\n  "@replace": 1\n  ttl: event_date + INTERVAL 1 DAY\n',
            '<clickhouse><query_log replace="1"><ttl>event_date + INTERVAL 1 DAY</ttl></query_log></clickhouse>',
        ),
        # a sequence of scalars repeats its parent; of mappings, merges them into it (version 1)...
        ("seq: [a, b]\n", "<clickhouse><seq>a</seq><seq>b</seq></clickhouse>"),
        ("seq:\n  - k1: v1\n  - k2: v2\n", "<clickhouse><seq><k1>v1</k1><k2>v2</k2></seq></clickhouse>"),
        # ... or repeats it for each (version 2)
        (
            "yaml_parser_version: 2\nseq:\n  - k1: v1\n  - k2: v2\n",
            "<clickhouse><seq><k1>v1</k1></seq><seq><k2>v2</k2></seq></clickhouse>",
        ),
        # null is nothing; a quoted "null" is text
        ("a: ~\nb: 'null'\n", "<clickhouse><a /><b>null</b></clickhouse>"),
    ],
)
def test_a_yaml_configuration_file_reads_as_clickhouse_turns_it_into_xml(text: str, xml: str) -> None:
    import xml.etree.ElementTree as ET

    from torghut_lint.templates.clickhouse_system_logs import _from_yaml

    assert ET.tostring(_from_yaml(text), encoding="unicode") == xml


@pytest.mark.parametrize(
    ("name", "merged"),
    [
        ("config.d/logs.xml", True),
        ("logs.XML", True),
        ("conf.d/logs.conf", True),
        ("config.d/logs.yml", True),
        ("config.d/.logs.xml", False),  # hidden: ClickHouse skips it
        ("config.d/logs.xml.bak", False),
        ("users.d/logs.xml", False),  # the users' configuration, not the server's
    ],
)
def test_the_files_clickhouse_merges_into_the_server_configuration(name: str, merged: bool) -> None:
    from torghut_lint.templates.clickhouse_system_logs import _merged

    assert _merged(name) is merged
