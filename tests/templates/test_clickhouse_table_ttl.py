"""Template ``clickhouse-table-ttl`` (torghut_lint/templates/clickhouse_table_ttl.py): which TTL
deletes rows."""

from __future__ import annotations

import pytest

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
    assert _table_ttl(clauses) is deletes_rows
