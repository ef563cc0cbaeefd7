"""Template behaviour on small manifests, through the same run() the CLI uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from torghut_lint.config import Config
from torghut_lint.k8s import format_bytes, parse_quantity
from torghut_lint.lint import run
from torghut_lint.policy import bundled_policy_dir, load_policies


def lint(tmp_path: Path, text: str) -> list[tuple[str, int, str]]:
    """Findings of ``text`` as a file of a Torghut application (where every policy applies)."""
    app = tmp_path / "torghut"
    app.mkdir(exist_ok=True)
    (app / "m.yaml").write_text(text)
    result = run([app], load_policies([bundled_policy_dir()]), Config())
    return [(f.rule, f.location.line, f.message) for f in result.findings]


def rules(found: list[tuple[str, int, str]]) -> list[tuple[str, int]]:
    return [(r, line) for r, line, _ in found]


JOB = """apiVersion: batch/v1
kind: Job
metadata:
  name: schema
spec:
  template:
    spec:
      containers:
        - name: c
          image: ch
          args:
            - |
              DB=${{CLICKHOUSE_DB:-torghut}}
              clickhouse-client -n <<SQL
{sql}
              SQL
"""


def _job(sql: str) -> str:
    return JOB.format(sql="\n".join("              " + line for line in sql.strip().splitlines()))


def test_ttl_shell_variables_views_distributed_and_comments(tmp_path: Path) -> None:
    sql = """
CREATE TABLE IF NOT EXISTS ${DB}.ticks (ts DateTime) ENGINE = MergeTree ORDER BY ts;
CREATE TABLE ${DB}.ticks_all AS ${DB}.ticks ENGINE = Distributed(c, db, ticks);
CREATE MATERIALIZED VIEW ${DB}.mv TO ${DB}.ticks AS SELECT 1;
CREATE TABLE mem (x UInt8) ENGINE = Memory;
-- CREATE TABLE old (x UInt8) ENGINE = MergeTree ORDER BY x;
CREATE TABLE `db`.`kept` (ts DateTime) ENGINE = ReplacingMergeTree ORDER BY ts TTL ts + INTERVAL 1 DAY;
CREATE TABLE db.later (ts DateTime) ENGINE = ReplicatedMergeTree('/p', '{r}') ORDER BY ts;
ALTER TABLE db.later ON CLUSTER default MODIFY TTL ts + INTERVAL 3 DAY;
"""
    found = lint(tmp_path, _job(sql))
    assert rules(found) == [("clickhouse-table-ttl", 15)]
    assert "ticks (ENGINE = MergeTree)" in found[0][2]


def test_ttl_in_configmap_data(tmp_path: Path) -> None:
    found = lint(
        tmp_path,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ddl\ndata:\n  init.sql: |\n    SELECT 1;\n"
        "    create table t (x UInt8) engine = SummingMergeTree order by x;\n",
    )
    assert rules(found) == [("clickhouse-table-ttl", 8)]


def test_effective_env_later_env_wins_over_envfrom(tmp_path: Path) -> None:
    text = """apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  annotations: {torghut.proompteng.ai/live-trading-owner: desk}
data:
  TRADING_MODE: live
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: trader
spec:
  template:
    spec:
      containers:
        - name: t
          image: t
          envFrom: [{configMapRef: {name: cfg}}]
          env:
            - {name: TRADING_LIVE_ENABLED, valueFrom: {secretKeyRef: {name: s, key: k}}}
"""
    found = rules(lint(tmp_path, text))
    # The ConfigMap value is reported once, at the ConfigMap; the Secret-sourced switch cannot be shown off;
    # the Deployment sets a switch (from a Secret) without an owner annotation.
    assert ("live-trading-default-off", 7) in found
    assert ("live-trading-default-off", 21) in found
    assert ("live-trading-owner", 11) in found
    assert len([r for r in found if r[0] == "live-trading-default-off"]) == 2


KNATIVE_READING_A_GENERATED_CONFIGMAP = """apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: torghut}
spec:
  template:
    metadata:
      annotations: {autoscaling.knative.dev/maxScale: "1"}
    spec:
      containers:
      - image: registry.example.internal/torghut@sha256:%s
        envFrom: [{configMapRef: {name: torghut-config}}]
""" % ("0" * 64)


@pytest.mark.parametrize(
    ("kind", "blocked"),
    [("serving.knative.dev/v1 Service", True), ("apps/v1 Deployment", False)],
)
def test_a_reference_kustomize_leaves_reads_the_name_it_says(tmp_path: Path, kind: str, blocked: bool) -> None:
    """kustomize gives a generated ConfigMap its hash and rewrites the references of the kinds it
    knows (a Deployment's); a Knative Service's it leaves naming torghut-config, which the cluster
    looks up: not the generated one (its TRADING_LIVE_ENABLED=false is not what the service reads),
    but whatever object has that name, which the repository does not show (it was matched by the
    generated object's name before the hash, and the gate said yes)."""
    api, name = kind.split()
    manifest = KNATIVE_READING_A_GENERATED_CONFIGMAP
    if name == "Deployment":
        manifest = manifest.replace("serving.knative.dev/v1\nkind: Service", "apps/v1\nkind: Deployment")
        manifest = manifest.replace("      - image:", "      - name: t\n        image:")
    app = tmp_path / "torghut"
    app.mkdir()
    (app / "service.yaml").write_text(manifest)
    (app / "kustomization.yaml").write_text(
        "resources: [service.yaml]\nconfigMapGenerator:\n- name: torghut-config\n"
        "  literals: [TRADING_LIVE_ENABLED=false]\n"
        "  options: {annotations: {torghut.proompteng.ai/live-trading-owner: desk}}\n"
    )
    result = run([app], load_policies([bundled_policy_dir()]), Config())
    off = [f for f in result.findings if f.rule == "live-trading-default-off"]
    assert [f.location.line for f in off] == ([11] if blocked else [])


def test_statefulset_and_pvc_budget_arithmetic(tmp_path: Path) -> None:
    text = """apiVersion: apps/v1
kind: StatefulSet
metadata: {name: kafka}
spec:
  replicas: 3
  template:
    spec:
      containers: [{name: k, image: k, volumeMounts: [{name: data, mountPath: /d}]}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {resources: {requests: {storage: 30Gi}}}
    - metadata: {name: unused}
      spec: {resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: cache}
spec: {resources: {requests: {storage: 15Gi}}}
"""
    found = lint(tmp_path, text)
    assert ("pvc-disk-budget", 12) in rules(found)  # the unreferenced template
    total = next(m for r, _, m in found if "total budget" in m)
    assert "108Gi" in total and "kafka 3x30Gi" in total


def test_quantities() -> None:
    assert parse_quantity("50Gi") == 50 * 2**30
    assert parse_quantity("1.5G") == 1_500_000_000
    assert parse_quantity("100m") is not None and parse_quantity("ten") is None and parse_quantity(True) is None
    assert format_bytes(parse_quantity("106Gi")) == "106Gi"
    # the largest suffixes: ``Ei`` is exbibytes, ``E`` exabytes, ``E3`` an exponent (``Ei`` was read as one)
    assert parse_quantity("1Ei") == 2**60 and parse_quantity("1E") == 10**18 and parse_quantity("2E3") == 2000


def test_readiness_port_by_number_and_missing_probe(tmp_path: Path) -> None:
    text = """apiVersion: apps/v1
kind: Deployment
metadata: {name: torghut-ws}
spec:
  replicas: 1
  strategy: {type: Recreate}
  template:
    spec:
      containers:
        - name: ws
          image: ws
          ports: [{containerPort: 8080}]
          readinessProbe: {httpGet: {path: /readyz, port: 8080}}
        - name: sidecar
          image: s
"""
    assert rules(lint(tmp_path, text)) == [("ws-readiness-probe", 14)]


def test_secret_names_references_and_placeholders_are_not_flagged(tmp_path: Path) -> None:
    text = """apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data:
  KAFKA_PASSWORD_SECRET: torghut-kafka-auth
  DB_PASSWORD: $(DB_PASSWORD)
  API_TOKEN: ${API_TOKEN}
  TOKEN_PATH: /var/run/secrets/token
  PASSWORD_MIN_LENGTH: "12"
  existingSecret: my-secret
  URL: https://user:${PW}@host/x
"""
    assert lint(tmp_path, text) == []


def test_a_template_that_meets_an_unexpected_shape_fails_closed(tmp_path: Path) -> None:
    text = """apiVersion: clickhouse.altinity.com/v1
kind: ClickHouseInstallation
metadata: {name: chi}
spec:
  configuration:
    clusters: 7
"""
    found = lint(tmp_path, text)
    crashed = [m for r, _, m in found if r == "pvc-disk-budget"]
    assert crashed and "could not be evaluated here (TypeError in template storage-budget)" in crashed[0]


def test_only_unambiguous_findings_are_marked_fixable(tmp_path: Path) -> None:
    from torghut_lint.report.text import render

    (tmp_path / "m.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t\n"
        "  annotations: {torghut.proompteng.ai/live-trading-owner: desk}\n"
        "data:\n  TRADING_MODE: live\n  TRADING_LIVE_ENABLED: 'true'\n"
    )
    report = run([tmp_path], load_policies([bundled_policy_dir()]), Config())
    # TRADING_MODE=live has no single "off" value to return to; TRADING_LIVE_ENABLED does.
    assert sorted((f.field, f.fixable) for f in report.findings) == [
        ("data.TRADING_LIVE_ENABLED", True),
        ("data.TRADING_MODE", False),
    ]
    assert "1 may be fixable" in render(report)


@pytest.mark.parametrize("prefix", ["", "İstanbul -- ", "-- CREATE TABLE skipped;\n"])
def test_clickhouse_statements_are_found_at_the_right_offset(prefix: str) -> None:
    from torghut_lint.templates.clickhouse_table_ttl import _statements

    text = prefix + "create table IF NOT EXISTS db.ticks (x Int32) ENGINE = ReplicatedMergeTree ORDER BY x;"
    found = list(_statements(None, ("data", "init.sql"), text, text.lower()))  # type: ignore[arg-type]
    assert [(s.table, s.engine, s.has_ttl, text[s.offset : s.offset + 6]) for s in found] == [
        ("ticks", "ReplicatedMergeTree", False, "create")
    ]
