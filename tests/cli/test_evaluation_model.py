"""The policies evaluate what runs in the cluster, not a narrower model of it (issue 11): the
kubelet's ``$(VAR)`` expansion, Secrets that may override a switch, pod specs in any kind,
quantities as the API server reads them, every ClickHouse layout form, Helm hooks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from torghut_lint.templates.clickhouse_system_logs import DEFAULT_ENABLED

OWNER = "torghut.proompteng.ai/live-trading-owner: trading-platform"


def lint(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, str, int]]:
    """Findings of ``files`` as a Torghut application (``torghut/``, where every policy applies),
    with paths relative to it."""
    app = tmp_path / "torghut"
    for rel, text in files.items():
        (app / rel).parent.mkdir(parents=True, exist_ok=True)
        (app / rel).write_text(text)
    (tmp_path / ".git").mkdir(exist_ok=True)
    result = run_cli("--format", "json", "--ignore-missing-schemas", ".", cwd=app)
    assert result.stderr == ""
    return sorted((f["rule"], f["file"], f["line"]) for f in result.json["findings"])


def deployment(env: str, env_from: str = "") -> str:
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: trader\n  namespace: torghut\n"
        f"  annotations:\n    {OWNER}\nspec:\n  selector: {{matchLabels: {{app: t}}}}\n  template:\n"
        "    metadata: {labels: {app: t}}\n    spec:\n      containers:\n"
        f"        - name: app\n          image: app@sha256:{'a' * 64}\n{env_from}          env:\n{env}"
    )


def test_variable_references_are_expanded_as_the_kubelet_does(tmp_path: Path) -> None:
    env = (
        "            - {name: APP_PROFILE, value: live}\n"
        "            - {name: TRADING_MODE, value: $(APP_PROFILE)}\n"
        "            - {name: ESCAPED, value: $$(APP_PROFILE)}\n"
    )
    assert ("live-trading-default-off", "deploy.yaml", 18) in lint(tmp_path, {"deploy.yaml": deployment(env)})


@pytest.mark.parametrize(
    ("script", "found"),
    [
        ("echo 'TRADING_MODE=live' > /app/.env", True),  # quoted: no assignment on the command line
        ('printf "TRADING_LIVE_ENABLED=true\\n" >> .env', True),
        ("echo 'TRADING_LIVE_ENABLED=true' | tee -a /app/.env >/dev/null", True),
        ("cat <<EOF > /app/.env\nTRADING_MODE=$MODE\nEOF", True),  # what $MODE holds: cannot be shown off
        ('echo "TRADING_MODE=$MODE" > /app/.env', True),
        ("cat <<'EOF' > /app/.env\nTRADING_MODE=paper\nEOF", False),
        ("echo 'TRADING_MODE=live' >> /tmp/trace.log", False),  # no environment file
    ],
)
def test_the_env_file_a_container_s_script_writes_sets_the_switch(tmp_path: Path, script: str, found: bool) -> None:
    """pydantic-settings reads the service's .env whoever wrote it: a script that writes the
    switch into it before exec turns live trading on as a mounted file would."""
    command = f"          command: [sh, -c, {json.dumps(script + chr(10) + 'exec /app/server')}]\n"
    result = switch_findings(tmp_path, {"deploy.yaml": deployment(PLAIN_ENV, command)})
    assert result == ([("deploy.yaml", 16)] if found else []), result  # at the script, once


def test_a_reference_to_a_secret_value_cannot_be_shown_off(tmp_path: Path) -> None:
    env = (
        "            - name: PROFILE\n              valueFrom: {secretKeyRef: {name: s, key: k}}\n"
        "            - {name: TRADING_MODE, value: $(PROFILE)}\n"
    )
    assert ("live-trading-default-off", "deploy.yaml", 19) in lint(tmp_path, {"deploy.yaml": deployment(env)})


SWITCHES_OFF = "  TRADING_LIVE_ENABLED: 'false'\n  TRADING_MODE: paper\n  TRADING_LIVE_SUBMIT_ENABLED: 'false'\n"


def configmap(name: str = "flags", namespace: str = "torghut", data: str = SWITCHES_OFF) -> str:
    return (
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {namespace}\n  annotations:\n"
        f"    {OWNER}\ndata:\n{data}"
    )


def sealed_secret(keys: list[str], name: str = "s") -> str:
    data = "".join(f"    {k}: AgBy3i4OJSWK+PiTySYZZA==\n" for k in keys)
    return (
        f"apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: {name}\n  namespace: torghut\n"
        f"spec:\n  encryptedData:\n{data}"
    )


PLAIN_ENV = "            - {name: A, value: b}\n"


def switch_findings(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int]]:
    return [(file, line) for rule, file, line in lint(tmp_path, files) if rule == "live-trading-default-off"]


def test_a_secret_after_the_configmap_may_override_the_switch(tmp_path: Path) -> None:
    env_from = "          envFrom:\n            - configMapRef: {name: flags}\n            - secretRef: {name: s}\n"
    found = switch_findings(tmp_path, {"cm.yaml": configmap(), "deploy.yaml": deployment(PLAIN_ENV, env_from)})
    assert found == [("deploy.yaml", 18)]  # at the secretRef
    # the same Secret before the ConfigMap: the ConfigMap's values replace its TRADING_LIVE_ENABLED, but
    # Torghut's settings read names in any case, and trading_live_enabled from the Secret would stay
    env_from = "          envFrom:\n            - secretRef: {name: s}\n            - configMapRef: {name: flags}\n"
    files = {"cm.yaml": configmap(), "deploy.yaml": deployment(PLAIN_ENV, env_from)}
    assert switch_findings(tmp_path, files) == [("deploy.yaml", 17)]
    # a Secret whose keys show (and hold no switch) is settled
    assert switch_findings(tmp_path, {**files, "sealed.yaml": sealed_secret(["DB_URI"])}) == []


def test_a_source_the_repository_cannot_show_may_set_a_switch_set_nowhere_else(tmp_path: Path) -> None:
    """A Secret the repository does not hold, or a ConfigMap the application does not hold (the
    cluster may have one: applied by hand, by another application), may set any switch, though no
    other source sets it. A literal after it does not settle it: Torghut's settings read names in
    any case, and the source may hold another spelling, which Kubernetes keeps beside the literal."""
    for source in ("secretRef: {name: s}", "configMapRef: {name: live-overrides}"):
        env_from = f"          envFrom:\n            - {source}\n"
        assert switch_findings(tmp_path, {"deploy.yaml": deployment(PLAIN_ENV, env_from)}) == [("deploy.yaml", 17)]
        literals = "".join(
            f"            - {{name: {k}, value: '{v}'}}\n"
            for k, v in (
                ("TRADING_LIVE_ENABLED", "false"),
                ("TRADING_MODE", "paper"),
                ("TRADING_LIVE_SUBMIT_ENABLED", "false"),
            )
        )
        assert switch_findings(tmp_path, {"deploy.yaml": deployment(literals, env_from)}) == [("deploy.yaml", 17)]


def test_a_secret_whose_keys_the_repository_shows_sets_only_those(tmp_path: Path) -> None:
    env_from = "          envFrom:\n            - secretRef: {name: s}\n"
    files = {"deploy.yaml": deployment(PLAIN_ENV, env_from)}
    assert switch_findings(tmp_path, {**files, "sealed.yaml": sealed_secret(["APCA_API_KEY_ID", "DB_URI"])}) == []
    assert switch_findings(tmp_path, {**files, "sealed.yaml": sealed_secret(["TRADING_MODE"])}) == [("deploy.yaml", 17)]
    # with a prefix, the key MODE is the variable TRADING_MODE
    env_from = "          envFrom:\n            - secretRef: {name: s}\n              prefix: TRADING_\n"
    files = {"deploy.yaml": deployment(PLAIN_ENV, env_from), "sealed.yaml": sealed_secret(["MODE"])}
    assert switch_findings(tmp_path, files) == [("deploy.yaml", 17)]


def test_a_configmap_of_another_namespace_is_not_the_one_the_pod_reads(tmp_path: Path) -> None:
    """A decoy of the same name in another namespace shows "false"; the pod (in torghut) reads
    torghut's, which the application does not hold."""
    env_from = "          envFrom:\n            - configMapRef: {name: flags}\n"
    files = {"deploy.yaml": deployment(PLAIN_ENV, env_from), "cm.yaml": configmap(namespace="decoy")}
    assert switch_findings(tmp_path, files) == [("deploy.yaml", 17)]
    files["cm.yaml"] = configmap(namespace="torghut")
    assert switch_findings(tmp_path, files) == []


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("serving.knative.dev/v1 Configuration", "spec:\n  template:\n    spec:\n      containers:\n"),
        ("v1 PodTemplate", "template:\n  spec:\n    containers:\n"),
        (
            "argoproj.io/v1alpha1 CronWorkflow",
            "spec:\n  workflowSpec:\n    templates:\n      - name: t\n        container:\n",
        ),
    ],
)
def test_a_switch_in_any_kind_that_carries_a_pod_spec_is_found(tmp_path: Path, kind: str, body: str) -> None:
    api, kind_name = kind.split()
    indent = " " * (len(body.splitlines()[-1]) - len(body.splitlines()[-1].lstrip()) + 2)
    if body.rstrip().endswith("container:"):
        container = f"{indent}image: x\n{indent}env:\n{indent}  - {{name: TRADING_LIVE_ENABLED, value: 'true'}}\n"
    else:
        container = f"{indent}- name: app\n{indent}  image: x\n{indent}  env:\n"
        container += f"{indent}    - {{name: TRADING_LIVE_ENABLED, value: 'true'}}\n"
    text = f"apiVersion: {api}\nkind: {kind_name}\nmetadata:\n  name: w\n  annotations:\n    {OWNER}\n{body}{container}"
    assert "live-trading-default-off" in {rule for rule, _, _ in lint(tmp_path, {"w.yaml": text})}


def pvc(size: str, name: str = "data") -> str:
    return (
        f"apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {name}\n  namespace: torghut\n"
        f"spec:\n  resources:\n    requests:\n      storage: {size}\n"
    )


def test_quantities_are_read_as_the_api_server_reads_them(tmp_path: Path) -> None:
    """500000000000000000000n is 500G, over the 100Gi app total; it used to parse as nothing."""
    assert ("pvc-disk-budget", "pvc.yaml", 9) in lint(tmp_path, {"pvc.yaml": pvc("500000000000000000000n")})


def test_a_negative_request_is_a_finding_not_a_subtraction(tmp_path: Path) -> None:
    found = lint(tmp_path, {"a.yaml": pvc("90Gi", "a"), "b.yaml": pvc("20Gi", "b"), "c.yaml": pvc("-50Gi", "c")})
    assert ("pvc-disk-budget", "c.yaml", 9) in found  # the negative request itself
    assert sum(1 for rule, _, _ in found if rule == "pvc-disk-budget") == 2  # and 110Gi > 100Gi total


def test_clickhouse_replicas_from_explicit_shards(tmp_path: Path) -> None:
    """8 replicas listed per shard: 8 x 20Gi = 160Gi, over the app total (it was counted as one)."""
    chi = (
        "apiVersion: clickhouse.altinity.com/v1\nkind: ClickHouseInstallation\nmetadata:\n  name: ch\n"
        "  namespace: torghut\nspec:\n  configuration:\n    clusters:\n      - name: c\n        layout:\n"
        "          shards:\n            - replicasCount: 8\n  defaults:\n    templates:\n"
        "      dataVolumeClaimTemplate: data\n  templates:\n    volumeClaimTemplates:\n      - name: data\n"
        "        spec:\n          resources:\n            requests:\n              storage: 20Gi\n"
    )
    found = lint(tmp_path, {"chi.yaml": chi})
    messages = [f for f in found if f[0] == "pvc-disk-budget"]
    assert messages, found


def test_helm_hooks_are_hooks_to_argo_cd(tmp_path: Path) -> None:
    job = (
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n"
        "    helm.sh/hook: pre-install\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n"
        "      containers:\n        - name: m\n          image: migrate:latest\n"
    )
    found = [f for f in lint(tmp_path, {"job.yaml": job}) if f[0] == "argocd-hook-hygiene"]
    assert len(found) == 4, found  # no delete policy, backoffLimit, activeDeadlineSeconds, image digest


@pytest.mark.parametrize(
    ("sql", "flagged"),
    [
        ("CREATE TABLE t (a String) ENGINE = MergeTree ORDER BY a -- TTL d + INTERVAL 1 DAY\n;", True),
        ("CREATE TABLE t (a String DEFAULT ';') ENGINE = MergeTree ORDER BY a TTL d + INTERVAL 1 DAY;", False),
        ("CREATE TABLE t (a String DEFAULT 'TTL') ENGINE = MergeTree ORDER BY a;", True),
        ("CREATE TABLE t (a String) /* drop; */ ENGINE = MergeTree ORDER BY a TTL d + INTERVAL 1 DAY;", False),
        ("CREATE TABLE t (a String COMMENT 'x; drop it') ENGINE = MergeTree ORDER BY a;", True),
    ],
)
def test_clickhouse_statements_understand_comments_and_literals(tmp_path: Path, sql: str, flagged: bool) -> None:
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: schema\ndata:\n  schema.sql: |\n"
    cm += "".join(f"    {line}\n" for line in sql.splitlines())
    rules = {rule for rule, _, _ in lint(tmp_path, {"cm.yaml": cm})}
    assert ("clickhouse-table-ttl" in rules) == flagged


def test_a_later_replace_drops_an_earlier_system_log_ttl(tmp_path: Path) -> None:
    logs = "".join(f"<{t}><ttl>event_date + INTERVAL 7 DAY</ttl></{t}>" for t in DEFAULT_ENABLED)

    def chi(later: str) -> str:
        return (
            "apiVersion: clickhouse.altinity.com/v1\nkind: ClickHouseInstallation\nmetadata:\n  name: ch\n"
            f"spec:\n  configuration:\n    files:\n      config.d/a.xml: '<clickhouse>{logs}</clickhouse>'\n"
            f"      config.d/b.xml: '<clickhouse>{later}</clickhouse>'\n"
        )

    assert "clickhouse-system-log-ttl" not in {r for r, _, _ in lint(tmp_path, {"chi.yaml": chi("<query_log/>")})}
    replaced = lint(tmp_path, {"chi.yaml": chi('<query_log replace="1"><database>system</database></query_log>')})
    assert "clickhouse-system-log-ttl" in {r for r, _, _ in replaced}


def test_json_manifests_of_directory_apps_are_linted(tmp_path: Path) -> None:
    cm = (
        '{\n\t"apiVersion": "v1",\n\t"kind": "ConfigMap",\n\t"metadata": {"name": "flags", "annotations": '
        '{"torghut.proompteng.ai/live-trading-owner": "desk"}},\n\t"data": {"TRADING_LIVE_ENABLED": "true"}\n}\n'
    )
    found = lint(
        tmp_path,
        {
            "apps/flags.json": cm,
            "apps/app/kustomization.yaml": "resources: []\n",
            "apps/app/dashboard.json": '{"panels": []}\n',
        },
    )
    assert ("live-trading-default-off", "apps/flags.json", 5) in found
    assert not any(f[1].endswith("dashboard.json") for f in found), found


def test_torghut_policies_keep_to_torghut_in_a_monorepo(tmp_path: Path) -> None:
    """A registry's 2Ti volume and another team's Knative service are not held to Torghut's budgets
    and maxScale; the same objects in the Torghut application (or namespace) are."""
    knative = "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: web\n  namespace: {ns}\n"
    knative += "spec:\n  template:\n    spec:\n      containers:\n        - image: x\n"
    files = {
        "registry/pvc.yaml": pvc("2Ti").replace("namespace: torghut", "namespace: registry"),
        "web/service.yaml": knative.format(ns="web"),
    }
    for rel, text in files.items():
        (tmp_path / "apps" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "apps" / rel).write_text(text)
    (tmp_path / ".git").mkdir(exist_ok=True)
    result = run_cli("--format", "json", "--ignore-missing-schemas", "apps", cwd=tmp_path)
    assert result.json["findings"] == [], result.stdout
    # in the torghut namespace, wherever it lives, the budget applies again
    (tmp_path / "apps" / "web" / "service.yaml").write_text(knative.format(ns="torghut"))
    result = run_cli("--format", "json", "--ignore-missing-schemas", "apps", cwd=tmp_path)
    assert {f["rule"] for f in result.json["findings"]} == {"knative-max-scale"}


def test_a_switch_that_cannot_be_seen_is_told_how_to_show_it_off(tmp_path: Path) -> None:
    """The remedy follows where the value comes from: a ConfigMap to hold, a Secret's keys to show,
    a reference's value to write out."""
    env_from = "          envFrom:\n            - configMapRef: {name: overrides}\n            - secretRef: {name: s}\n"
    env = "            - name: TRADING_MODE\n              valueFrom: {secretKeyRef: {name: s, key: mode}}\n"
    app = tmp_path / "torghut"
    app.mkdir()
    (app / "deploy.yaml").write_text(deployment(env, env_from))
    (tmp_path / ".git").mkdir()
    result = run_cli("--format", "json", "--ignore-missing-schemas", ".", cwd=app)
    remedies = sorted(
        f["message"].split("cannot show to be off; ")[1].split(":")[0].split(",")[0]
        for f in result.json["findings"]
        if f["rule"] == "live-trading-default-off"
    )
    assert remedies == [
        "hold that ConfigMap in the application",
        "show its keys (a SealedSecret)",
        "write the value itself",
    ]


def test_a_workload_elsewhere_in_a_monorepo_reading_an_unseen_secret_is_no_trading_loop(tmp_path: Path) -> None:
    """Inside Torghut's scope a switch an unseen source may set counts as on (fail closed);
    holding the rest of a monorepo to that would flag every multi-replica workload that reads an
    ExternalSecret."""
    app = tmp_path / "shop"
    app.mkdir()
    (tmp_path / ".git").mkdir()
    (app / "web.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n"
        "  replicas: 3\n  template:\n    spec:\n      containers:\n"
        "        - name: web\n          image: shop\n          envFrom: [{secretRef: {name: shop-external}}]\n"
    )
    result = run_cli("--format", "json", "--no-schemas", ".", cwd=app)
    assert [f for f in result.json["findings"] if f["rule"] == "trading-loop-single-replica"] == []


def test_torghut_moved_to_another_directory_and_namespace_is_still_held(tmp_path: Path) -> None:
    """A change that moves Torghut's workloads out of its directories and namespaces (``trading/``,
    namespace ``trading``) does not take them out of Torghut's own limits: they run Torghut's
    images. Another team's workload beside them, reading an unseen Secret, is still not held."""
    app = tmp_path / "argocd" / "applications" / "trading"
    app.mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    (app / "kustomization.yaml").write_text("namespace: trading\nresources: [scheduler.yaml, service.yaml, web.yaml]\n")
    (app / "scheduler.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: scheduler}\nspec:\n"
        "  replicas: 2\n  strategy: {type: Recreate}\n  template:\n    spec:\n      containers:\n"
        "        - name: loop\n          image: registry.ide-newton.ts.net/lab/torghut:v9\n"
        "          env: [{name: TRADING_ENABLED, value: 'true'}]\n"
    )
    (app / "service.yaml").write_text(
        "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: api}\nspec:\n  template:\n"
        "    metadata:\n      annotations: {autoscaling.knative.dev/max-scale: '4'}\n"
        "    spec:\n      containers:\n        - image: registry.ide-newton.ts.net/lab/torghut@sha256:"
        + "e" * 64
        + "\n          env: [{name: TRADING_ENABLED, value: 'false'}]\n"
    )
    (app / "web.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
        "  replicas: 3\n  template:\n    spec:\n      containers:\n"
        "        - name: web\n          image: nginx\n          envFrom: [{secretRef: {name: web-external}}]\n"
    )
    result = run_cli("--format", "json", "--no-schemas", ".", cwd=tmp_path)
    got = sorted((f["rule"], f["file"], f["line"]) for f in result.json["findings"])
    scheduler, service = "argocd/applications/trading/scheduler.yaml", "argocd/applications/trading/service.yaml"
    assert ("trading-loop-single-replica", scheduler, 5) in got
    assert ("knative-max-scale", service, 7) in got
    # (live-trading-default-off holds every workload of the tree: web's unseen Secret may set it)
    assert not [g for g in got if g[1].endswith("web.yaml") and g[0] != "live-trading-default-off"], got
