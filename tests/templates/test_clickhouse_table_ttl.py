"""Template ``clickhouse-table-ttl`` (torghut_lint/templates/clickhouse_table_ttl.py): which TTL
deletes rows."""

from __future__ import annotations

import pytest

from torghut_lint.templates import clickhouse_table_ttl
from torghut_lint.templates.clickhouse_table_ttl import _table_ttl


@pytest.mark.parametrize(
    ("clauses", "deletes_rows"),
    [
        (" ORDER BY ts TTL ts + INTERVAL 30 DAY", True),
        (" ORDER BY ts\nTTL\n  ts + INTERVAL 30 DAY DELETE", True),  # the expression on the next line
        ("('/t/{shard}', '{replica}') PARTITION BY toDate(ts) ORDER BY (ts, sym) TTL ts + INTERVAL 1 DAY", True),
        (" ORDER BY (ts, ttl)", False),  # a column named ttl
        (" ORDER BY ttl", False),
        (" PRIMARY KEY ttl ORDER BY ttl", False),
        (" ORDER BY ts SAMPLE BY ttl", False),
        (" ORDER BY ts SETTINGS index_granularity = 8192", False),
        (" ORDER BY ts TTL;", False),  # the keyword alone
        ("", False),
    ],
)
def test_a_table_ttl_is_the_keyword_after_the_engine_then_an_expression(clauses: str, deletes_rows: bool) -> None:
    assert (_table_ttl(clauses) is not None) is deletes_rows


def _findings(sql: str) -> list[str]:
    from torghut_lint.model import Resource
    from torghut_lint.parse import parse_bytes
    from torghut_lint.templates.base import RuleContext
    from torghut_lint.templates.clickhouse_table_ttl import TEMPLATE

    body = "\n".join("    " + line for line in sql.split("\n"))
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: s}}\ndata:\n  init.sql: |\n{body}\n"
    doc = parse_bytes(text.encode(), "cm.yaml").documents[0]
    res = Resource(doc.node, doc.data)
    ctx = RuleContext(TEMPLATE.with_defaults({}), [res], [res], [])
    return [v.message.split(" has no")[0].split(" takes")[0] for v in TEMPLATE.check(ctx)]


@pytest.mark.parametrize(
    ("sql", "found"),
    [
        (
            "REPLACE TABLE d (ts DateTime) ENGINE = ReplacingMergeTree ORDER BY ts;",
            ["ClickHouse table d (ENGINE = ReplacingMergeTree)"],
        ),
        ("ATTACH TABLE e (ts DateTime) ENGINE = MergeTree ORDER BY ts;", ["ClickHouse table e (ENGINE = MergeTree)"]),
        (
            "CREATE OR REPLACE TABLE c (ts DateTime) ENGINE = MergeTree ORDER BY ts;",
            ["ClickHouse table c (ENGINE = MergeTree)"],
        ),
        # a view with an engine of its own stores every row in its inner table; one TO another stores none
        (
            "CREATE MATERIALIZED VIEW f ENGINE = MergeTree ORDER BY ts AS SELECT now() AS ts;",
            ["ClickHouse table f (ENGINE = MergeTree)"],
        ),
        (
            "CREATE MATERIALIZED VIEW f ENGINE = MergeTree ORDER BY ts TTL ts + INTERVAL 1 DAY AS SELECT now() AS ts;",
            [],
        ),
        ("CREATE MATERIALIZED VIEW IF NOT EXISTS f ON CLUSTER c TO db.t AS SELECT now() AS ts;", []),
        ("CREATE TABLE view (ts DateTime) ENGINE = MergeTree ORDER BY ts TTL ts + INTERVAL 1 DAY;", []),  # a name
        # REMOVE TTL takes it away, unless MODIFY TTL gives one back after it
        (
            "CREATE TABLE a (ts DateTime) ENGINE = MergeTree ORDER BY ts TTL ts + INTERVAL 7 DAY;\n"
            "ALTER TABLE a REMOVE TTL;",
            ["ALTER TABLE a REMOVE TTL"],
        ),
        ("ALTER TABLE a REMOVE TTL;\nALTER TABLE a MODIFY TTL ts + INTERVAL 7 DAY;", []),
        ("-- ALTER TABLE a REMOVE TTL;\nSELECT replace(x, 'a', 'b') FROM t;", []),
    ],
)
def test_every_statement_that_makes_a_table_or_takes_its_ttl_away(sql: str, found: list[str]) -> None:
    assert _findings(sql) == found


@pytest.mark.parametrize(
    ("clause", "problem"),
    [
        ("ts + INTERVAL 30 DAY", None),
        ("ts + INTERVAL 30 DAY DELETE", None),
        ("toDateTime(ts) + toIntervalDay(400)", None),
        ("ts + INTERVAL 2 YEAR", "keeps rows 732 days"),
        ("ts + INTERVAL 1 YEAR + INTERVAL 40 DAY", "keeps rows 406 days"),
        ("ts + INTERVAL 2 YEAR - INTERVAL 400 DAY", None),  # 332 days
        ("ts + INTERVAL 7 DAY TO VOLUME 'cold'", "deletes no row"),
        ("ts + INTERVAL 7 DAY TO DISK 's3', ts + INTERVAL 30 DAY RECOMPRESS CODEC(ZSTD(9))", "deletes no row"),
        ("ts + INTERVAL 1 DAY GROUP BY k SET v = sum(v)", "deletes no row"),
        ("ts + INTERVAL 1 DAY WHERE kind = 'debug'", "deletes no row"),
        ("ts + INTERVAL 1 DAY TO VOLUME 'cold', ts + INTERVAL 35 DAY DELETE SETTINGS x = 1", None),
        # what the linter cannot bound is no bound: an expiry column, an interval it cannot read
        ("expires_at", "at a time the linter cannot bound"),
        ("ts + INTERVAL (30 * 100) DAY", "at a time the linter cannot bound"),
        ("ts + INTERVAL 30 DAY + INTERVAL retention DAY", "at a time the linter cannot bound"),
        ("ts + toIntervalDay(days_kept)", "at a time the linter cannot bound"),
        ("ts + INTERVAL 30 DAY, expires_at", None),  # the soonest delete is bounded: so is the table
        ("expires_at, ts + INTERVAL 2 YEAR", "at a time the linter cannot bound"),
        ("ts + INTERVAL 30 DAY; CREATE TABLE x (a Int8) ENGINE = Log TTL a + INTERVAL 9 YEAR", None),  # its own
    ],
)
def test_a_ttl_bounds_the_table_only_if_it_deletes_rows_within_the_limit(clause: str, problem: str | None) -> None:
    found = clickhouse_table_ttl.ttl_problem(clause, 400)
    assert (found is None) if problem is None else (found is not None and problem in found), found


def test_with_no_limit_a_ttl_that_deletes_is_enough_whatever_its_length() -> None:
    assert clickhouse_table_ttl.ttl_problem("expires_at", None) is None
    assert clickhouse_table_ttl.ttl_problem("ts + INTERVAL (30 * 100) DAY", None) is None
