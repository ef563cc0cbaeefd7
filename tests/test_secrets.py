"""No secret value ever reaches any output: plant known secrets everywhere and grep every format."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import APP, run_cli
from torghut_lint.model import Finding, Location, Severity
from torghut_lint.report import redact
from torghut_lint.templates.inline_secrets import _ANY_SUSPECT, _suspect

SECRETS = {
    "env": "Zx8!envPlantedPassw0rd",
    "configmap": "cmPlantedToken-8f3a9c1d2e",
    "secret_string": "stringDataPlanted-77aa",
    "secret_data": "dataPlantedValue-5150",
    "url": "urlPlantedPw-9981",
    "github": "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
    "private_key": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7plantedkey",
    "helm": "helmPlantedAdminPw-31337",
    "generator": "generatorPlantedLiteral-4242",
}


def _plant(repo: Path) -> None:
    app = repo / APP
    ks = app / "knative-service.yaml"
    ks.write_text(
        ks.read_text().replace(
            "            - name: APP_ENV\n",
            f'            - name: BROKER_PASSWORD\n              value: "{SECRETS["env"]}"\n'
            f"            - name: DATABASE_URL\n              value: postgres://torghut:{SECRETS['url']}@db:5432/torghut\n"
            "            - name: APP_ENV\n",
        )
    )
    (app / "extra.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: torghut-extra\n"
        f"  annotations:\n    note: token {SECRETS['github']}\n"
        f"data:\n  JANGAR_API_TOKEN: {SECRETS['configmap']}\n"
        "  tls.key: |\n    -----BEGIN PRIVATE KEY-----\n"
        f"    {SECRETS['private_key']}\n    -----END PRIVATE KEY-----\n"
        "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: torghut-plain\n"
        f"stringData:\n  password: {SECRETS['secret_string']}\n"
        f"data:\n  token: {base64.b64encode(SECRETS['secret_data'].encode()).decode()}\n"
    )
    (app / "charts").mkdir()
    (app / "charts" / "values.yaml").write_text(f"grafana:\n  adminPassword: {SECRETS['helm']}\n")
    kust = app / "kustomization.yaml"
    kust.write_text(
        kust.read_text().replace("  - serviceaccount.yaml\n", "  - serviceaccount.yaml\n  - extra.yaml\n")
        + "helmCharts:\n  - name: grafana\n    version: 8.0.0\n    valuesFile: charts/values.yaml\n"
        f"secretGenerator:\n  - name: gen\n    literals:\n      - API_KEY={SECRETS['generator']}\n"
    )
    # A broken file whose text holds a secret: the syntax error must not echo it.
    (app / "ws" / "broken.yaml").write_text(f"a: [{SECRETS['env']}\nb: c\n")
    wsk = app / "ws" / "kustomization.yaml"
    wsk.write_text(wsk.read_text() + "  - broken.yaml\n")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_secret_in_any_output(repo: Path, fmt: str) -> None:
    _plant(repo)
    result = run_cli("--format", fmt, cwd=repo)
    assert result.code == 1
    output = result.stdout + result.stderr
    for name, value in SECRETS.items():
        assert value not in output, name
    assert base64.b64encode(SECRETS["secret_data"].encode()).decode() not in output
    assert output.count("no-inline-secrets") >= 8
    assert "yaml-syntax" in output


_FRAGMENTS = [
    "-----BEGIN ",
    "RSA ",
    "PRIVATE KEY-----",
    "AKIA",
    "ASIA",
    "ghp_",
    "github_pat_",
    "xoxb-",
    "sk-",
    "ant-",
    "AIza",
    "rk_live_",
    "sk_live_",
    "eyJ",
    ".",
    "://",
    "user:",
    "pw@",
    "@",
    "_",
    "-",
    " ",
    "x",
    "A1B2C3D4E5F6G7H8",
    "abcdefghij0123456789abcdefghij0123456789",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=12).map("".join))
def test_literal_prefilter_agrees_with_the_full_search(text: str) -> None:
    """The fast path of the secrets scan finds exactly what one regex search over the value finds."""
    assert _suspect(text) == bool(_ANY_SUSPECT.search(text))


def test_redaction_scrubs_every_known_secret_from_every_message() -> None:
    """Defence in depth: a secret one rule found is scrubbed from any message that quotes it,
    longest first, whole tokens only."""
    where = Location("a.yaml", 1)
    findings = [
        Finding("r1", Severity.ERROR, "one", where, secrets=("hunter2-secret", "hunter2-secret-long")),
        Finding("r2", Severity.ERROR, "quotes hunter2-secret-long and hunter2-secret.", where),
        Finding("r3", Severity.ERROR, "mentions hunter2-secretive, a different word", where),
    ]
    assert [f.message for f in redact(findings)] == [
        "one",
        "quotes [REDACTED] and [REDACTED].",
        "mentions hunter2-secretive, a different word",
    ]
