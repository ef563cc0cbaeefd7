"""Template ``replica-count`` with ``alone``: a namespace's census spans every application of the
run. Argo CD runs the applications that deploy into one namespace side by side, so a second
websocket or trading loop added by another application (a copy of the tree under another path,
a neighbour's Deployment running the image) is a second connection or writer as surely as one in
the same kustomization."""

from __future__ import annotations

from pathlib import Path

import pytest

from torghut_lint.config import Config
from torghut_lint.lint import run
from torghut_lint.policy import bundled_policy_dir, load_policies


def ws(name: str, image: str = "registry.example.internal/lab/torghut-ws:v1") -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  replicas: 1\n"
        "  strategy: {type: Recreate}\n"
        f"  selector: {{matchLabels: {{app: {name}}}}}\n"
        f"  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      containers:\n"
        f"        - name: ws\n          image: {image}\n"
        "          readinessProbe: {httpGet: {path: /readyz, port: 8080}, periodSeconds: 5}\n"
    )


def loop(name: str, on: str) -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  replicas: 1\n"
        "  strategy: {type: Recreate}\n"
        f"  selector: {{matchLabels: {{app: {name}}}}}\n"
        f"  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      containers:\n"
        f"        - name: loop\n          image: registry.example.internal/lab/torghut:v1\n"
        f'          env: [{{name: TRADING_ENABLED, value: "{on}"}}, {{name: TRADING_LIVE_ENABLED, value: "false"}}]\n'
    )


def app(root: Path, name: str, namespace: str, documents: dict[str, str], extra: str = "") -> Path:
    """An application directory: a kustomization setting ``namespace`` over ``documents``."""
    directory = root / name
    directory.mkdir(parents=True)
    for file, text in documents.items():
        (directory / file).write_text(text)
    listed = ", ".join(documents)
    (directory / "kustomization.yaml").write_text(f"namespace: {namespace}\nresources: [{listed}]\n{extra}")
    return directory


def alone(root: Path, rule: str, **params: object) -> list[tuple[str, int, str]]:
    """The ``alone`` findings of ``rule`` when every application under ``root`` is linted in one
    run (``params`` set on the rule's policy)."""
    policies = load_policies([bundled_policy_dir()])
    next(p for p in policies if p.id == rule).params.update(params)
    report = run([root], policies, Config())
    return sorted(
        (f.location.file.rsplit("/", 2)[-2], f.location.line, f.message)
        for f in report.findings
        if f.rule == rule and f.key.endswith("#alone")
    )


def test_a_second_websocket_in_another_application_of_the_namespace_is_a_second_connection(tmp_path: Path) -> None:
    root = tmp_path / "applications"
    app(root, "torghut", "torghut", {"ws.yaml": ws("torghut-ws")})
    app(root, "torghut-canary", "torghut", {"ws.yaml": ws("torghut-ws-canary")})
    found = alone(root, "ws-single-replica")
    assert [(where, line) for where, line, _ in found] == [("torghut", 3), ("torghut-canary", 3)], found
    message = found[0][2]
    assert "2 workload(s) of namespace torghut run it across 2 applications" in message, message
    assert "Deployment torghut/torghut-ws" in message and "Deployment torghut/torghut-ws-canary" in message


def test_the_same_applications_in_other_namespaces_are_no_second_connection(tmp_path: Path) -> None:
    root = tmp_path / "applications"
    app(root, "torghut", "torghut", {"ws.yaml": ws("torghut-ws")})
    app(root, "torghut-staging", "torghut-staging", {"ws.yaml": ws("torghut-ws")})
    assert alone(root, "ws-single-replica") == []


def test_one_object_two_applications_deploy_is_one_workload(tmp_path: Path) -> None:
    """Two overlays of one base hold the same object (one id): Argo CD applies one object, which
    the two applications share (its SharedResourceWarning), not two workloads."""
    root = tmp_path / "applications"
    base = tmp_path / "base"
    base.mkdir()
    (base / "ws.yaml").write_text(ws("torghut-ws"))
    (base / "kustomization.yaml").write_text("namespace: torghut\nresources: [ws.yaml]\n")
    for name in ("a", "b"):
        (root / name).mkdir(parents=True)
        (root / name / "kustomization.yaml").write_text("resources: [../../base]\n")
    assert alone(root, "ws-single-replica") == []


def test_a_second_trading_loop_in_another_application_of_the_namespace_is_a_second_writer(tmp_path: Path) -> None:
    root = tmp_path / "applications"
    app(root, "torghut", "torghut", {"loop.yaml": loop("torghut-scheduler", "true")})
    app(root, "torghut-backfill", "torghut", {"loop.yaml": loop("torghut-backfill", "1")})
    app(root, "torghut-idle", "torghut", {"loop.yaml": loop("torghut-idle", "false")})  # its switch off: none
    found = alone(root, "trading-loop-single-replica")
    assert [(where, line) for where, line, _ in found] == [("torghut", 3), ("torghut-backfill", 3)], found
    assert "have the switch on" in found[0][2] and "torghut-idle" not in found[0][2]


def test_what_an_application_reported_itself_is_not_reported_again(tmp_path: Path) -> None:
    """An application that runs two copies itself reports them (its own finding); another
    application's copy in the namespace is reported once, at that copy, the count taken over both."""
    root = tmp_path / "applications"
    app(root, "torghut", "torghut", {"ws.yaml": ws("torghut-ws"), "debug.yaml": ws("torghut-ws-debug")})
    app(root, "torghut-canary", "torghut", {"ws.yaml": ws("torghut-ws-canary")})
    found = alone(root, "ws-single-replica")
    assert [(where, line) for where, line, _ in found] == [("torghut", 3), ("torghut", 3), ("torghut-canary", 3)]
    canary = found[2][2]
    assert "3 workload(s) of namespace torghut run it across 2 applications" in canary, canary
    assert all("across" not in message for _, _, message in found[:2])  # its own application's finding stands


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_count_does_not_depend_on_which_process_checks_which_application(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    monkeypatch.setenv("TORGHUT_LINT_JOBS", jobs)
    root = tmp_path / "applications"
    for i in range(6):  # large enough files that two processes share the work
        padding = {f"cm{j}.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{j}}}\n" for j in range(40)}
        app(root, f"torghut-{i}", "torghut", {"ws.yaml": ws(f"torghut-ws-{i}"), **padding})
    found = alone(root, "ws-single-replica")
    assert len(found) == 6 and all(
        "6 workload(s) of namespace torghut run it across 6 applications" in m for *_, m in found
    )


def test_the_census_kept_to_each_application_where_the_policy_says_so(tmp_path: Path) -> None:
    """``aloneAcrossApplications: false``: applications of one namespace name deployed to clusters
    of their own (staging and production) are counted apart."""
    root = tmp_path / "applications"
    app(root, "torghut", "torghut", {"ws.yaml": ws("torghut-ws")})
    app(root, "torghut-canary", "torghut", {"ws.yaml": ws("torghut-ws-canary")})
    assert alone(root, "ws-single-replica", aloneAcrossApplications=False) == []
    assert len(alone(root, "ws-single-replica")) == 2


def keyed_ws(name: str, secret: str | None, literal: str | None = None) -> str:
    """A websocket authenticating with the Alpaca key of ``secret`` (or a ``literal`` key id)."""
    text = ws(name)
    if literal is not None:
        return text + f"          env: [{{name: ALPACA_KEY_ID, value: {literal}}}]\n"
    if secret is not None:
        return text + (
            "          env:\n            - name: ALPACA_KEY_ID\n"
            f"              valueFrom: {{secretKeyRef: {{name: {secret}, key: APCA_API_KEY_ID}}}}\n"
        )
    return text


def test_websockets_authenticating_with_other_keys_are_not_each_others_second(tmp_path: Path) -> None:
    """The lab runs torghut-ws-options beside torghut-ws in namespace torghut, each with its own
    Alpaca key (the key allows one connection): counted apart. One reading the same key's Secret,
    or a key the repository cannot show (a Secret's keys through envFrom, nothing set), counts
    with each of them."""
    root = tmp_path / "applications"
    key = {"key.yaml": sealed("torghut-alpaca", "AgA1")}  # each key sealed in its own application, as the lab has it
    app(root, "torghut", "torghut", {"ws.yaml": keyed_ws("torghut-ws", "torghut-alpaca"), **key})
    options = {"ws.yaml": keyed_ws("torghut-ws-options", "torghut-options-alpaca")}
    app(root, "torghut-options", "torghut", {**options, "key.yaml": sealed("torghut-options-alpaca", "AgB2")})
    assert alone(root, "ws-single-replica") == []
    app(root, "torghut-canary", "torghut", {"ws.yaml": keyed_ws("torghut-ws-canary", "torghut-alpaca")})
    found = alone(root, "ws-single-replica")
    assert [(where, line) for where, line, _ in found] == [("torghut", 3), ("torghut-canary", 3)], found
    assert "torghut-ws-options" not in found[0][2]
    app(root, "torghut-debug", "torghut", {"ws.yaml": keyed_ws("torghut-ws-debug", None)})  # its key unseen
    found = alone(root, "ws-single-replica")
    assert sorted({where for where, _, _ in found}) == ["torghut", "torghut-canary", "torghut-debug", "torghut-options"]


def test_the_same_key_in_one_application_is_a_second_connection_and_another_key_is_not(tmp_path: Path) -> None:
    root = tmp_path / "applications"
    app(
        root,
        "torghut",
        "torghut",
        {
            "ws.yaml": keyed_ws("torghut-ws", None, literal="PKTEST1"),
            "options.yaml": keyed_ws("torghut-ws-options", None, literal="PKTEST2"),
        },
    )
    assert alone(root, "ws-single-replica") == []
    (root / "torghut" / "options.yaml").write_text(keyed_ws("torghut-ws-options", None, literal="PKTEST1"))
    found = alone(root, "ws-single-replica")
    assert len(found) == 2 and all("across" not in message for *_, message in found), found


def test_a_copy_given_another_key_under_one_spelling_and_the_same_under_the_other_is_counted(tmp_path: Path) -> None:
    """A pull request that gives its copy a key id of its own as ALPACA_KEY_ID while it also reads
    the websocket's Secret as APCA_API_KEY_ID (which spelling the service reads first is its own
    business): it may connect with the websocket's key, so it counts with it."""
    root = tmp_path / "applications"
    app(root, "torghut", "torghut", {"ws.yaml": keyed_ws("torghut-ws", "torghut-alpaca")})
    copy = keyed_ws("torghut-ws-2", None, literal="PKOTHER") + (
        "            - name: APCA_API_KEY_ID\n"
        "              valueFrom: {secretKeyRef: {name: torghut-alpaca, key: APCA_API_KEY_ID}}\n"
    )
    copy = copy.replace(
        "env: [{name: ALPACA_KEY_ID, value: PKOTHER}]", "env:\n            - {name: ALPACA_KEY_ID, value: PKOTHER}"
    )
    app(root, "torghut-2", "torghut", {"ws.yaml": copy})
    found = alone(root, "ws-single-replica")
    assert [(where, line) for where, line, _ in found] == [("torghut", 3), ("torghut-2", 3)], found


def external(name: str, remote: str) -> str:
    return (
        f"apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata: {{name: {name}}}\nspec:\n"
        "  secretStoreRef: {kind: ClusterSecretStore, name: vault}\n  target: {name: " + name + "}\n"
        f"  data:\n    - secretKey: APCA_API_KEY_ID\n      remoteRef: {{key: {remote}, property: key_id}}\n"
    )


def sealed(name: str, ciphertext: str, scope: str = "") -> str:
    annotation = f"\n  annotations: {{sealedsecrets.bitnami.com/{scope}: 'true'}}" if scope else ""
    return (
        f"apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: {name}{annotation}\n"
        f"spec:\n  encryptedData: {{APCA_API_KEY_ID: {ciphertext}}}\n"
    )


@pytest.mark.parametrize(
    ("secrets", "counted"),
    [
        # an ExternalSecret under another name fetching the same key from the store: the same key
        ((external("torghut-alpaca", "alpaca/equities"), external("torghut-alpaca-2", "alpaca/equities")), True),
        ((external("torghut-alpaca", "alpaca/equities"), external("torghut-alpaca-2", "alpaca/options")), False),
        # a SealedSecret's ciphertext decrypts under its own name only, unless sealed namespace- or cluster-wide
        ((sealed("torghut-alpaca", "AgBy3i4"), sealed("torghut-alpaca-2", "AgBy3i4")), False),
        (
            (
                sealed("torghut-alpaca", "AgBy3i4", "namespace-wide"),
                sealed("torghut-alpaca-2", "AgBy3i4", "namespace-wide"),
            ),
            True,
        ),
        (
            (
                sealed("torghut-alpaca", "AgBy3i4", "cluster-wide"),
                sealed("torghut-alpaca-2", "AgOther", "cluster-wide"),
            ),
            False,
        ),
        # a Secret the repository does not show may hold any key: counted with the other
        (("", ""), True),
    ],
)
def test_a_key_is_told_by_the_object_that_makes_its_secret(
    tmp_path: Path, secrets: tuple[str, str], counted: bool
) -> None:
    """A copy reading a Secret of another name is another connection only when that Secret holds
    another key as far as the repository shows: an ExternalSecret by the store's key it fetches, a
    SealedSecret by its name (its ciphertext decrypts under no other) or, sealed to be copied, by
    the ciphertext."""
    root = tmp_path / "applications"
    first, second = secrets
    app(
        root,
        "torghut",
        "torghut",
        {"ws.yaml": keyed_ws("torghut-ws", "torghut-alpaca"), **({"s.yaml": first} if first else {})},
    )
    app(
        root,
        "torghut-2",
        "torghut",
        {"ws.yaml": keyed_ws("torghut-ws-2", "torghut-alpaca-2"), **({"s.yaml": second} if second else {})},
    )
    found = alone(root, "ws-single-replica")
    assert bool(found) is counted, found
