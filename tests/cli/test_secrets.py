"""No secret value ever reaches any output: plant known secrets everywhere and grep every format."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from conftest import APP, run_cli
from torghut_lint.model import Finding, Location, Severity
from torghut_lint.report.base import redact
from torghut_lint.secrets import Redactor

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


def test_redaction_scrubs_every_known_secret_from_every_message() -> None:
    """Defence in depth: a secret one rule found is scrubbed from any message that quotes it,
    wherever it stands (after a dash, inside a longer word: over-masking is safe)."""
    where = Location("a.yaml", 1)
    findings = [
        Finding("r1", Severity.ERROR, "one", where, secrets=("hunter2-secret", "hunter2-secret-long")),
        Finding("r2", Severity.ERROR, "quotes hunter2-secret-long and x-hunter2-secret.", where),
        Finding("r3", Severity.ERROR, "mentions hunter2-secretive", where),
    ]
    redactor = Redactor(s for f in findings for s in f.secrets)
    assert [f.message for f in redact(findings, redactor)] == [
        "one",
        "quotes [REDACTED] and x-[REDACTED].",
        "mentions [REDACTED]ive",
    ]
