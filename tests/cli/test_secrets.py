"""No secret value ever reaches any output: plant known secrets everywhere and grep every format."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from conftest import APP, PLAIN_CM, app_tree, run_cli
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
    "loose_env": "looseEnvPlanted-2718281828",
    "loose_json": "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2",
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
    # Files no build reads, still in the repository: an .env, a JSON data file, a key
    (app / ".env").write_text(f"export ALPACA_SECRET_KEY='{SECRETS['loose_env']}'\n")
    (app / "ws" / "creds.json").write_text(f'{{"auth": {{"token": "{SECRETS["loose_json"]}"}}}}\n')
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
    assert output.count("no-inline-secrets") >= 10
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


def _located(repo: Path):
    """The lint of ``repo`` (no schemas) and its findings as (rule, file, line), sorted."""
    result = run_cli("--no-schemas", "--format", "json", ".", cwd=repo, timeout=60)
    return result, sorted((f["rule"], f["file"], f["line"]) for f in result.json["findings"])


def test_a_credential_in_a_file_no_build_reads_is_still_in_the_repository(tmp_path: Path) -> None:
    """An .env, a properties file, a script, a private key or a JSON data file committed beside
    the manifests is a credential in clear though nothing applies it; a generator's input is read
    once, in what it makes; a file that is not text (a DER key) holds no plaintext, a FIFO named
    like a config file is never opened (it would block)."""
    import os

    repo, app = app_tree(tmp_path)
    (app / "cm.yaml").write_text(PLAIN_CM)
    (app / ".env.production").write_text("# keys\nALPACA_SECRET_KEY=Zx9Kq2LmN8pR4tV7wY1bC3dF5gH6jJ0k\n")
    (app / "db.properties").write_text("url=jdbc:postgresql://db/x\npassword=${DB_PASSWORD}\n")  # a reference
    # an example holds placeholders by convention: only a token format counts there
    (app / ".env.example").write_text("ALPACA_SECRET_KEY=your-secret-here\nGH=ghp_" + "b" * 36 + "\n")
    (app / "start.sh").write_text("#!/bin/sh\nexec app --db-password hunter2-literal\n")
    (app / "id_ed25519").write_text(
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----\n"
    )
    (app / "der.key").write_bytes(bytes(range(256)))
    os.mkfifo(app / "pipe.env")
    gen = repo / "apps" / "gen"
    gen.mkdir()
    (gen / "kustomization.yaml").write_text("configMapGenerator: [{name: g, envs: [app.env]}]\n")
    (gen / "app.env").write_text("API_TOKEN=Qw3rTy8Uiop5Asdf6Ghjk7Lzxc\n")
    result, got = _located(repo)
    assert got == [
        ("file-unreadable", "apps/torghut/pipe.env", 0),
        ("no-inline-secrets", "apps/gen/app.env", 1),
        ("no-inline-secrets", "apps/torghut/.env.example", 2),
        ("no-inline-secrets", "apps/torghut/.env.production", 2),
        ("no-inline-secrets", "apps/torghut/id_ed25519", 1),
        ("no-inline-secrets", "apps/torghut/start.sh", 2),
    ], got
    assert "Zx9Kq2LmN8pR4tV7wY1bC3dF5gH6jJ0k" not in result.stdout and "hunter2-literal" not in result.stdout


def test_a_credential_in_a_helm_template_is_in_the_repository_though_it_is_not_rendered(tmp_path: Path) -> None:
    """A chart's templates are not rendered offline (kustomize-helm-not-rendered, which a team may
    set down for charts it does not own); a literal credential written in one is in clear all the
    same. Template expressions are references, not literals; a ``default`` in one is the literal
    the chart renders where the value is unset."""
    repo, app = app_tree(tmp_path)
    chart = app / "charts" / "mini"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: mini\nversion: 0.1.0\n")
    (chart / "templates" / "secret.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: '{{ .Release.Name }}'}\nstringData:\n"
        "  password: Zq8vX2mLp9RtW4yB7nKd\n  token: '{{ .Values.token }}'\n"
        '  adminPassword: {{ .Values.admin | default "Xk7vP2mLq9RtW4yB8nJd" | quote }}\n'  # rendered when unset
        '  apiKey: {{ default "Wm3cN8bV1xZ6lK4jH9gF" .Values.apiKey }}\n'
        '  existingSecret: {{ .Values.existing | default "" }}\n'  # nothing to default to
        '  passwordKey: {{ .Values.key | default "password" }}\n'  # a key's name
    )
    result, got = _located(repo)
    assert got == [
        ("kustomize-helm-not-rendered", "apps/torghut/charts/mini/templates/secret.yaml", 0),
        ("no-inline-secrets", "apps/torghut/charts/mini/templates/secret.yaml", 5),
        ("no-inline-secrets", "apps/torghut/charts/mini/templates/secret.yaml", 7),
        ("no-inline-secrets", "apps/torghut/charts/mini/templates/secret.yaml", 8),
    ], got
    for value in ("Zq8vX2mLp9RtW4yB7nKd", "Xk7vP2mLq9RtW4yB8nJd", "Wm3cN8bV1xZ6lK4jH9gF"):
        assert value not in result.stdout


def test_credential_files_are_read_by_their_own_format(tmp_path: Path) -> None:
    """A .pgpass line's password, a .netrc password token and a Docker config's auth are neither
    ``key=value`` nor a URL: each file is read by its format, as a loose file or a ConfigMap key
    mounted as one; a line that is a comment, or a reference, is no credential."""
    repo, app = app_tree(tmp_path)
    (app / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n"
        '  .pgpass: "db.example:5432:torghut:torghut:Zq8vX2mLp9RtW4yB7nKdQ"\n'
        '  ref.pgpass: "db.example:5432:torghut:torghut:${PGPASSWORD}"\n'
    )
    (app / ".pgpass").write_text("# host:port:db:user:password\ndb.example:5432:*:torghut:Pw7kXq2Lm9Rt\n")
    (app / ".netrc").write_text("machine api.example.com\n  login torghut\n  password Nq4zT8wLp2Rs\n")
    (app / ".dockercfg").write_text('{"registry.example": {"auth": "dG9yZ2h1dDpadzlxUjJ0VjdwTTQ=", "email": "x@y"}}\n')
    result, got = _located(repo)
    assert got == [
        ("no-inline-secrets", "apps/torghut/.dockercfg", 1),
        ("no-inline-secrets", "apps/torghut/.netrc", 3),
        ("no-inline-secrets", "apps/torghut/.pgpass", 2),
        ("no-inline-secrets", "apps/torghut/cm.yaml", 5),
    ], got
    for secret in ("Zq8vX2mLp9RtW4yB7nKdQ", "Pw7kXq2Lm9Rt", "Nq4zT8wLp2Rs", "dG9yZ2h1dDpadzlxUjJ0VjdwTTQ="):
        assert secret not in result.stdout


BASE_SECRET = (
    "apiVersion: v1\nkind: Secret\nmetadata: {name: alpaca}\ntype: Opaque\n"
    "stringData:\n  APCA_API_SECRET_KEY: Zq8vR2mX9pL4kT7wN3bY6cH1\n"
)
DROPPED = {  # an overlay that renders the base's Secret without the credential the base holds in clear
    "a JSON patch removes it": "patches:\n- target: {kind: Secret, name: alpaca}\n"
    "  patch: |\n    - {op: remove, path: /stringData}\n",
    "a patch deletes the object": "patches:\n- patch: |\n    apiVersion: v1\n    kind: Secret\n"
    "    metadata: {name: alpaca}\n    $patch: delete\n",
    "a patch overwrites it": "patches:\n- patch: |\n    apiVersion: v1\n    kind: Secret\n"
    "    metadata: {name: alpaca}\n    stringData: {APCA_API_SECRET_KEY: null}\n",
    "a generator replaces the object": "secretGenerator: [{name: alpaca, behavior: replace, type: Opaque}]\n",
}


@pytest.mark.parametrize("overlay", sorted(DROPPED))
def test_a_credential_an_overlay_drops_is_still_in_the_repository(tmp_path: Path, overlay: str) -> None:
    """kustomize's output had no credential, so nothing the rules evaluate held one, while the base
    file holds it in clear in the repository: it is reported where it is written, once."""
    repo, app = app_tree(tmp_path)
    (app / "base").mkdir()
    (app / "base" / "secret.yaml").write_text(BASE_SECRET)
    (app / "base" / "kustomization.yaml").write_text("resources: [secret.yaml]\n")
    (app / "kustomization.yaml").write_text("resources: [base]\n" + DROPPED[overlay])
    result, got = _located(repo)
    assert got == [("no-inline-secrets", "apps/torghut/base/secret.yaml", 6)], got
    assert "as written in the repository" in result.json["findings"][0]["message"]
    assert "Zq8vR2mX9pL4kT7wN3bY6cH1" not in result.stdout


def test_a_generators_literal_a_later_generator_replaces_is_still_in_the_repository(tmp_path: Path) -> None:
    repo, app = app_tree(tmp_path)
    (app / "base").mkdir()
    (app / "base" / "kustomization.yaml").write_text(
        "secretGenerator:\n- name: alpaca\n  literals: [APCA_API_SECRET_KEY=Zq8vR2mX9pL4kT7wN3bY6cH1]\n"
    )
    (app / "kustomization.yaml").write_text(
        "resources: [base]\nconfigMapGenerator: [{name: c, literals: [a=b]}]\n"
        "secretGenerator: [{name: alpaca, behavior: replace, type: Opaque}]\n"
    )
    _, got = _located(repo)
    assert got == [("no-inline-secrets", "apps/torghut/base/kustomization.yaml", 3)], got


@pytest.mark.parametrize(
    "overlay",
    [
        "",
        "namespace: torghut\ncommonLabels: {team: t}\n",
        "patches:\n- patch: |\n    apiVersion: v1\n"
        "    kind: Secret\n    metadata: {name: alpaca}\n    stringData: {OTHER: x}\n",
    ],
    ids=["as written", "values added", "a key added"],
)
def test_a_credential_the_rendered_object_holds_is_reported_once(tmp_path: Path, overlay: str) -> None:
    repo, app = app_tree(tmp_path)
    (app / "base").mkdir()
    (app / "base" / "secret.yaml").write_text(BASE_SECRET)
    (app / "base" / "kustomization.yaml").write_text("resources: [secret.yaml]\n")
    (app / "kustomization.yaml").write_text("resources: [base]\n" + overlay)
    result, got = _located(repo)
    assert ("no-inline-secrets", "apps/torghut/base/secret.yaml", 6) in got
    assert len([g for g in got if g[1] == "apps/torghut/base/secret.yaml"]) == 1, got
    assert all("as written in the repository" not in f["message"] for f in result.json["findings"])


REMOTE = "resources: [https://raw.githubusercontent.com/example/upstream/v1/install.yaml]\n"
PATCHES = {  # (kustomization, where the credential is written)
    "an inline patch of a remote object": (
        REMOTE + "patches:\n  - patch: |\n      apiVersion: v1\n      kind: Secret\n      metadata: {name: upstream}\n"
        "      stringData:\n        APCA_API_SECRET_KEY: Zq8vR2mX9pL4kT7wN3bY6cH1\n",
        8,
    ),
    "a JSON patch of a remote object": (
        REMOTE + "patches:\n  - target: {kind: Deployment, name: upstream}\n    patch: |\n"
        "      - op: add\n        path: /spec/template/spec/containers/0/env/-\n"
        "        value: {name: DB_PASSWORD, value: Zq8vR2mX9pL4kT7wN3bY6cH1}\n",
        7,
    ),
    "a JSON patch value a later op removes": (
        "resources: [s.yaml]\npatches:\n  - target: {kind: Secret}\n    patch: |\n"
        "      - {op: add, path: /stringData/token, value: Zq8vR2mX9pL4kT7wN3bY6cH1}\n"
        "      - {op: remove, path: /stringData/token}\n",
        5,
    ),
}


@pytest.mark.parametrize("case", sorted(PATCHES))
def test_a_credential_written_in_a_patch_is_judged_whatever_the_patch_reaches(tmp_path: Path, case: str) -> None:
    """A patch of an object not rendered offline (a remote base's, a Helm chart's) was never
    evaluated: a credential written in it passed once the remote resource's own finding was
    waived or configured down; one a later operation removes passed too."""
    repo, app = app_tree(tmp_path)
    (app / "s.yaml").write_text("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: Opaque\n")
    kustomization, line = PATCHES[case]
    (app / "kustomization.yaml").write_text(kustomization)
    result, got = _located(repo)
    assert ("no-inline-secrets", "apps/torghut/kustomization.yaml", line) in got, got
    assert len([g for g in got if g[0] == "no-inline-secrets"]) == 1, got
    assert "Zq8vR2mX9pL4kT7wN3bY6cH1" not in result.stdout


def test_a_json_patch_value_the_rendered_object_holds_is_reported_once(tmp_path: Path) -> None:
    repo, app = app_tree(tmp_path)
    (app / "s.yaml").write_text("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: Opaque\n")
    (app / "kustomization.yaml").write_text(
        "resources: [s.yaml]\npatches:\n  - target: {kind: Secret}\n    patch: |\n"
        "      - {op: add, path: /stringData, value: {token: Zq8vR2mX9pL4kT7wN3bY6cH1}}\n"
    )
    result, got = _located(repo)
    assert got == [("no-inline-secrets", "apps/torghut/kustomization.yaml", 5)], got
    assert "as written" not in result.json["findings"][0]["message"]


def test_a_sql_script_beside_the_manifests_is_read_for_the_passwords_it_sets(tmp_path: Path) -> None:
    """A seed script no build reads is in the repository all the same: the password a statement
    of it sets is reported at its line (and never printed)."""
    repo, app = app_tree(tmp_path)
    (app / "seed").mkdir()
    (app / "seed" / "init.sql").write_text("-- roles\nCREATE DATABASE t;\nALTER ROLE app PASSWORD 'Pw7kXq2Lm9RtSql';\n")
    result, got = _located(repo)
    assert got == [("no-inline-secrets", "apps/torghut/seed/init.sql", 3)], got
    assert "Pw7kXq2Lm9RtSql" not in result.stdout


def test_a_credential_in_a_text_file_of_any_kind_is_in_the_repository(tmp_path: Path) -> None:
    """Beside the manifests, an XML configuration (ClickHouse's users.xml), a text note, Terraform
    and a Python module each holding a credential in clear passed: only a few suffixes were read.
    Each is judged as a file of its kind (code and prose by what is quoted or a token's format,
    XML as configuration); a placeholder, a variable or a function call is no credential."""
    repo, app = app_tree(tmp_path)
    (app / "cm.yaml").write_text(PLAIN_CM)
    (app / "users.xml").write_text("<clickhouse>\n  <users><torghut>\n    <password>Zq8vR2mKp4TnW7xY1cBd9</password>\n")
    (app / "notes.txt").write_text(
        "keys for the lab\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8vR2mKp\n"
    )
    (app / "main.tf").write_text(
        'resource "x" "y" {\n  password = var.db_password\n  token = "Zq8vR2mKp4TnW7xY1cBd8"\n}\n'
    )
    (app / "settings.py").write_text(
        "DB_PASSWORD = os.environ['DB_PASSWORD']\nAPI_KEY = get_key()\nSECRET = 'Zq8vR2mKp4TnW7xY1cBd7'\n"
    )
    (app / "README.md").write_text("Set `password: <your password>` in the Secret; see docs.\n")
    result, got = _located(repo)
    assert got == [
        ("no-inline-secrets", "apps/torghut/main.tf", 3),
        ("no-inline-secrets", "apps/torghut/notes.txt", 2),
        ("no-inline-secrets", "apps/torghut/settings.py", 3),
        ("no-inline-secrets", "apps/torghut/users.xml", 3),
    ], got
    assert "Zq8vR2mKp4TnW7xY1cBd" not in result.stdout


@pytest.mark.parametrize("directory", ["node_modules", "__pycache__", ".hg", ".svn", "vendor/node_modules"])
def test_a_credential_under_a_directory_other_tools_skip_is_in_the_repository(tmp_path: Path, directory: str) -> None:
    """Git commits ``node_modules/``, ``__pycache__/``, ``.hg/`` and ``.svn/`` like any other
    directory and Argo CD's recursive directory source applies the manifests under them: the walk
    skipped them, so a Secret in clear (or an .env) committed there passed unseen. Only ``.git``,
    which git cannot commit, is left out."""
    repo, app = app_tree(tmp_path)
    (app / "cm.yaml").write_text(PLAIN_CM)
    hidden = app / directory
    hidden.mkdir(parents=True)
    (hidden / "s.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  password: Zq8vR2mKp4TnW7xY1cBdHid\n"
    )
    (hidden / ".env").write_text("ALPACA_SECRET_KEY=Zx9Kq2LmN8pR4tV7wY1bC3dHid\n")
    git = app / "sub" / ".git"
    git.mkdir(parents=True)  # a nested repository's own store: never the outer repository's content
    (git / "s.yaml").write_text("apiVersion: v1\nkind: Secret\nmetadata: {name: g}\nstringData: {password: Qq8vR2mK}\n")
    result, got = _located(repo)
    shown = f"apps/torghut/{directory}"
    assert got == [("no-inline-secrets", f"{shown}/.env", 1), ("no-inline-secrets", f"{shown}/s.yaml", 5)], got
    assert "Hid" not in result.stdout


def test_a_credential_file_is_known_by_its_kind_whatever_the_case_or_a_backup_suffix(tmp_path: Path) -> None:
    """``prod.ENV``, ``db.Properties``, a Secret in ``creds.YAML`` (Argo CD applies no such name,
    kustomize reads it where one lists it) and an editor's or a merge's leftover (``.env.bak``,
    ``values.yml~``, ``app.properties.orig``) are in the repository in clear all the same: only
    lower-case suffixes were read. Each is judged as the file it is a copy of."""
    repo, app = app_tree(tmp_path)
    (app / "cm.yaml").write_text(PLAIN_CM)
    secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  password: Zq8vR2mKp4TnW7xY1cBdCas\n"
    (app / "creds.YAML").write_text(secret)
    (app / "values.yml~").write_text(secret)
    (app / "prod.ENV").write_text("# keys\nALPACA_SECRET_KEY=Zx9Kq2LmN8pR4tV7wY1bC3dCas\n")
    (app / ".env.bak").write_text("ALPACA_SECRET_KEY=Zx9Kq2LmN8pR4tV7wY1bC3dCas\n")
    (app / "db.Properties").write_text("url=jdbc:postgresql://db/x\npassword=Zx9Kq2LmN8pR4tV7wY1bC3dCas\n")
    (app / "app.properties.orig").write_text("password=Zx9Kq2LmN8pR4tV7wY1bC3dCas\n")
    (app / "notes.bak").write_text("nothing here\n")  # a backup of nothing the scan reads
    result, got = _located(repo)
    assert got == [
        ("no-inline-secrets", "apps/torghut/.env.bak", 1),
        ("no-inline-secrets", "apps/torghut/app.properties.orig", 1),
        ("no-inline-secrets", "apps/torghut/creds.YAML", 5),
        ("no-inline-secrets", "apps/torghut/db.Properties", 2),
        ("no-inline-secrets", "apps/torghut/prod.ENV", 2),
        ("no-inline-secrets", "apps/torghut/values.yml~", 5),
    ], got
    assert "Cas" not in result.stdout


def test_the_files_tools_keep_credentials_in_are_read_by_their_format(tmp_path: Path) -> None:
    """A kubeconfig's user token, a Terraform state's outputs, .pypirc and .s3cfg passwords and a
    Docker config's registry auth are credentials in clear; none of those names was read. Each
    is judged in its own format (a kubeconfig is YAML, a state or Docker config JSON, the others
    INI)."""
    repo, app = app_tree(tmp_path)
    (app / "cm.yaml").write_text(PLAIN_CM)
    (app / "kubeconfig").write_text(
        "apiVersion: v1\nkind: Config\nusers:\n  - name: ci\n    user:\n      token: Zq8vR2mKp4TnW7xY1cBdKube\n"
    )
    (app / "lab.kubeconfig").write_text("users:\n  - name: ci\n    user:\n      password: Zq8vR2mKp4TnW7xY1cBdKub2\n")
    (app / "terraform.tfstate").write_text(
        '{\n  "version": 4,\n  "resources": [{"type": "aws_db_instance", "instances": [\n'
        '    {"attributes": {"password": "Zq8vR2mKp4TnW7xY1cBdTfst"}}\n  ]}]\n}\n'
    )
    (app / ".pypirc").write_text("[pypi]\nusername = __token__\npassword = Zq8vR2mKp4TnW7xY1cBdPypi\n")
    (app / ".s3cfg").write_text("[default]\naccess_key = AKIAIOSFODNN7EXAMPLF\nsecret_key = Zq8vR2mKp4TnW7xY1cBdS3cf\n")
    (app / ".dockerconfigjson").write_text(
        '{"auths": {"registry.example.internal": {"password": "Zq8vR2mKp4TnW7xY1cBdDock"}}}\n'
    )
    result, got = _located(repo)
    assert [(file, line) for rule, file, line in got if rule == "no-inline-secrets"] == [
        ("apps/torghut/.dockerconfigjson", 1),
        ("apps/torghut/.pypirc", 3),
        ("apps/torghut/.s3cfg", 2),  # an AWS access key id, by its format
        ("apps/torghut/.s3cfg", 3),
        ("apps/torghut/kubeconfig", 6),
        ("apps/torghut/lab.kubeconfig", 4),
        ("apps/torghut/terraform.tfstate", 4),
    ], got
    assert "Zq8vR2mKp4TnW7xY1cBd" not in result.stdout


def test_a_credential_in_a_text_of_another_encoding_is_in_the_repository(tmp_path: Path) -> None:
    """Only UTF-8 was read: an .env saved as UTF-16 (with a byte-order mark, or without one), a
    Java .properties file in its own encoding (ISO-8859-1, an ``é`` in it) and a ConfigMap's
    binaryData holding a UTF-16 file passed as "not text". A file with NUL bytes in no UTF-16
    pattern is binary (a DER key): nothing there is plaintext."""
    repo, app = app_tree(tmp_path)
    (app / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nbinaryData:\n  app.env: "
        + base64.b64encode("DB_PASSWORD=Zx9Kq2LmN8pR4tV7wY1bC3dBin\n".encode("utf-16")).decode()
        + "\n"
    )
    (app / ".env").write_bytes("# keys\nALPACA_SECRET_KEY=Zx9Kq2LmN8pR4tV7wY1bC3dU16\n".encode("utf-16"))
    (app / "notes.txt").write_bytes(
        "keys\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8vR2mKp\n".encode("utf-16-be")
    )
    (app / "db.properties").write_bytes(
        "# base de donn\u00e9es\npassword=Zx9Kq2LmN8pR4tV7wY1bC3dLat\n".encode("latin-1")
    )
    (app / "der.key").write_bytes(bytes(range(256)) * 4)
    result, got = _located(repo)
    assert got == [
        ("no-inline-secrets", "apps/torghut/.env", 2),
        ("no-inline-secrets", "apps/torghut/cm.yaml", 5),
        ("no-inline-secrets", "apps/torghut/db.properties", 2),
        ("no-inline-secrets", "apps/torghut/notes.txt", 2),
    ], got
    assert "Zx9Kq2LmN8pR4tV7wY1bC3d" not in result.stdout and "wJalrXUtnFEMI" not in result.stdout


def test_a_credential_in_a_yaml_data_file_no_kustomization_includes_is_in_the_repository(tmp_path: Path) -> None:
    """Below a kustomization, a YAML file that holds no Kubernetes object (a chart's values read
    through an Application's ``ref`` source, a script's settings) and that nothing includes was an
    orphan whose documents were dropped: its credential in clear passed with a warning. It is
    data, read for credentials as a JSON data file is; an orphaned object is judged as before."""
    repo, app = app_tree(tmp_path)
    (app / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (app / "cm.yaml").write_text(PLAIN_CM)
    (app / "values.yaml").write_text("grafana:\n  adminPassword: Zq8vR2mKp4TnW7xY1cBdVal\n")
    (app / "list.yaml").write_text("- name: a\n  token: Zq8vR2mKp4TnW7xY1cBdLst\n")
    result, got = _located(repo)
    assert [g for g in got if g[0] != "kustomize-orphan"] == [
        ("no-inline-secrets", "apps/torghut/list.yaml", 2),
        ("no-inline-secrets", "apps/torghut/values.yaml", 2),
    ], got
    assert "Zq8vR2mKp4TnW7xY1cBd" not in result.stdout


def test_what_git_ignores_is_not_the_repository(tmp_path: Path) -> None:
    """A developer's ignored ``.env`` (and an ignored ``node_modules/`` of manifests) in the work
    tree is never committed, never deployed: the pre-commit hook blocked every commit on it. What
    git ignores and does not track is left out; a file committed in spite of .gitignore (``git
    add -f``) is tracked, and read."""
    import subprocess

    repo, app = app_tree(tmp_path)
    (repo / ".git").rmdir()
    (app / "cm.yaml").write_text(PLAIN_CM)
    (repo / ".gitignore").write_text("*.env\nnode_modules/\n")
    (app / "forced.env").write_text("API_TOKEN=Qw3rTy8Uiop5Asdf6Ghjk7Frc\n")

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", *args],
            cwd=repo,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    git("add", "-A")
    git("add", "-f", "apps/torghut/forced.env")
    git("commit", "-qm", "base")
    (app / "local.env").write_text("API_TOKEN=Qw3rTy8Uiop5Asdf6Ghjk7Loc\n")
    (app / "node_modules" / "pkg").mkdir(parents=True)
    (app / "node_modules" / "pkg" / "s.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: Zq8vR2mKp4TnW7xY1cBdNod}\n"
    )
    result, got = _located(repo)
    assert got == [("no-inline-secrets", "apps/torghut/forced.env", 1)], got


MARGIN_SECRETS = {
    "comment_token": "ghp_" + "Mc7Qw2Er9Ty4Ui1Op6As3Df8Gh5Jk0Lz2XcQ",
    "comment_password": "Cm7tPw-9vQ2xL4rT8zK",
    "kust_comment": "AKIA" + "QC3EGRT5KJ7NXW2P",
    "inline_patch_comment": "ghp_" + "Ip4Lm8Nb2Vc6Xz0Qa5Ws9Ed3Rf7Tg1Yh6UjQ",
    "patch_file_comment": "postgres://app:PfC0mm3ntPw77@db:5432/app",
    "values_comment": "ghp_" + "Vc1Bn5Mq9We3Rt7Yu2Io6Pa0Sd4Fg8Hj3KlQ",
    "orphan_comment": "ghp_" + "Or2Ph6An0Co4Mm8En2Tq6Wr0Ty4Ui8Op2AsQ",
    "anchor": "ghp_" + "An5Ch9Or3Tk7Gh1Jk5Lz9Xc3Vb7Nm1Qw5ErQ",
    "tag": "ghp_" + "Tg8Aa2Bb6Cc0Dd4Ee8Ff2Gg6Hh0Ii4Jj8KkQ",
    "cm_key": "ghp_" + "Ky3Mm7Nn1Oo5Pp9Qq3Rr7Ss1Tt5Uu9Vv3WwQ",
    "label_key": "AKIA" + "LB7KQ2MX9PZ4RT6W",
    "kust_annotation": "AKIA" + "KA9QW3ER7TY5UI1O",
    "unmatched_tag": "ghp_" + "Nt4Ag8Xx2Yy6Zz0Aa4Bb8Cc2Dd6Ee0Ff4Gg8",
    "generated_key": "ghp_" + "Gk6Xx0Yy4Zz8Ab2Cd6Ef0Gh4Ij8Kl2Mn6OpQ",
}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_credential_in_a_comment_a_key_an_anchor_or_a_tag_is_in_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    """What the cluster never gets as a value is in the repository all the same: a token pasted into
    a comment (of a manifest, a kustomization, a patch written inline or in a file, a chart's values,
    an orphan), a commented-out line under a credential's name, an anchor's or a tag's name, a key
    (a ConfigMap's, a label's, one a generator makes from a literal), and a kustomization's own value
    no object takes (its metadata, an image's tag no image matches). Each at its own line, once.
    Prose after a credential's name is no value, a ``#`` inside a quoted or block scalar is the
    scalar's (a script's comment is judged as the script: once), and no credential is printed; the
    same on one process and two."""
    monkeypatch.setenv("TORGHUT_LINT_JOBS", jobs)
    s = MARGIN_SECRETS
    repo, app = app_tree(tmp_path)
    (app / "kustomization.yaml").write_text(
        "resources: [cm.yaml]\n"
        f"# old key: {s['kust_comment']}\n"
        "patches:\n  - path: patch.yaml\n"
        "  - target: {kind: ConfigMap, name: c}\n    patch: |-\n"
        f"      # {s['inline_patch_comment']}\n"
        "      - op: add\n        path: /data/x\n        value: y\n"
        "configMapGenerator:\n"
        f"  - name: gen\n    literals: [{s['generated_key']}=1]\n"
        "helmCharts:\n  - name: mini\n    valuesFile: values.yaml\n"
        f"metadata:\n  name: k\n  annotations: {{note: {s['kust_annotation']}}}\n"
        f"images:\n  - {{name: no-such-image, newTag: {s['unmatched_tag']}}}\n"
    )
    (app / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\n"
        "metadata:\n  name: c\n"
        f"  labels: {{{s['label_key']}: x}}\n"
        "data:\n"
        f"  NOTE: plain  # {s['comment_token']}\n"
        '  QUOTED: "not # a comment"\n'
        "  run.sh: |\n    #!/bin/sh\n    # export PGPASSWORD='Sc7iptPw-44xQ'\n    exec app\n"
        f"  {s['cm_key']}: '1'\n"
        f"  ANCHORED: &{s['anchor']} a\n"
        f"  TAGGED: !{s['tag']} b\n"
        "# password: rotated every quarter by the platform team\n"
        "# token: see the vault\n"
        f"# DB_PASSWORD: {s['comment_password']}\n"
    )
    (app / "patch.yaml").write_text(
        f"# was: {s['patch_file_comment']}\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata: {{y: z}}\n"
    )
    (app / "values.yaml").write_text(f"replicas: 1  # {s['values_comment']}\n")
    orphans = app / "old"
    orphans.mkdir()
    (orphans / "kustomization.yaml").write_text("resources: []\n")
    (orphans / "unused.yaml").write_text(f"# {s['orphan_comment']}\n{PLAIN_CM}")
    result, got = _located(repo)
    secrets = [f for f in got if f[0] == "no-inline-secrets"]
    assert secrets == [
        ("no-inline-secrets", "apps/torghut/cm.yaml", 5),  # the label's key
        ("no-inline-secrets", "apps/torghut/cm.yaml", 7),  # the comment after a value
        ("no-inline-secrets", "apps/torghut/cm.yaml", 11),  # the script's own comment, once
        ("no-inline-secrets", "apps/torghut/cm.yaml", 13),  # the ConfigMap's key
        ("no-inline-secrets", "apps/torghut/cm.yaml", 14),  # the anchor
        ("no-inline-secrets", "apps/torghut/cm.yaml", 15),  # the tag
        ("no-inline-secrets", "apps/torghut/cm.yaml", 18),  # the commented-out line
        ("no-inline-secrets", "apps/torghut/kustomization.yaml", 2),
        ("no-inline-secrets", "apps/torghut/kustomization.yaml", 7),  # inside the inline patch
        ("no-inline-secrets", "apps/torghut/kustomization.yaml", 13),  # the generated key, at its literal
        ("no-inline-secrets", "apps/torghut/kustomization.yaml", 19),  # the kustomization's own annotation
        ("no-inline-secrets", "apps/torghut/kustomization.yaml", 21),  # a tag no image takes
        ("no-inline-secrets", "apps/torghut/old/unused.yaml", 1),
        ("no-inline-secrets", "apps/torghut/patch.yaml", 1),
        ("no-inline-secrets", "apps/torghut/values.yaml", 1),
    ], got
    output = result.stdout + result.stderr
    for name, value in {**s, "script": "Sc7iptPw-44xQ"}.items():
        assert value not in output, name
    columns = {(f["line"], f["column"]) for f in result.json["findings"] if f["file"] == "apps/torghut/cm.yaml"}
    assert (7, 18) in columns and (18, 16) in columns, columns  # the credential's own column


def test_every_text_file_of_the_tree_is_read_for_credentials(tmp_path: Path) -> None:
    """Files were read for credentials by a list of names and suffixes, so a direnv ``.envrc``, a
    ``Dockerfile``'s ``ENV``, a ``Makefile``'s recipe, a shell's history, a ``.gitmodules`` URL,
    an OpenVPN profile's key, a JSONC settings file or a rendered template (``values.yaml.j2``)
    passed. Every text file is read now: by its kind where it has one, else for what is a
    credential whatever its name (a token format, a private key, a URL's password). A binary
    file holds no plaintext; a Git LFS object of a kind never read as text is not fetched."""
    repo, app = app_tree(tmp_path)
    (app / "cm.yaml").write_text(PLAIN_CM)
    files = {
        ".envrc": "export PGPASSWORD=Zq8vR2mX9pL4kT7wEnv\n",
        "Dockerfile": "FROM python:3.11\nENV DB_PASSWORD=Zq8vR2mX9pL4kT7wDkr\nRUN make\n",
        "Makefile": "deploy:\n\tcurl -u admin:Zq8vR2mX9pL4kT7wMak https://example.com/x\n",
        ".bash_history": "mysql -u root -pZq8vR2mX9pL4kT7wHis db\n",
        ".gitmodules": '[submodule "x"]\n\tpath = x\n\turl = https://deploy:Zq8vR2mX9pL4kT7wGit@example.com/x.git\n',
        "client.ovpn": "client\n<key>\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n",
        "settings.jsonc": '{\n  "apiToken": "Zq8vR2mX9pL4kT7wJsc"\n}\n',
        "values.yaml.j2": "auth:\n  password: Zq8vR2mX9pL4kT7wJin\n",
        "notes.river": 'remote "x" {\n  url = "https://u:Zq8vR2mX9pL4kT7wRiv@example.com"\n}\n',
        "readme.rst": "Set ``password: rotated-by-the-platform`` in the vault.\n",  # prose, no credential
    }
    for name, text in files.items():
        (app / name).write_text(text)
    (app / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (app / "big.tar.gz").write_text(
        "version https://git-lfs.github.com/spec/v1\noid sha256:" + "a" * 64 + "\nsize 12345\n"
    )
    result, got = _located(repo)
    assert got == [
        ("no-inline-secrets", "apps/torghut/.bash_history", 1),
        ("no-inline-secrets", "apps/torghut/.envrc", 1),
        ("no-inline-secrets", "apps/torghut/.gitmodules", 3),
        ("no-inline-secrets", "apps/torghut/Dockerfile", 2),
        ("no-inline-secrets", "apps/torghut/Makefile", 2),
        ("no-inline-secrets", "apps/torghut/client.ovpn", 3),
        ("no-inline-secrets", "apps/torghut/notes.river", 2),
        ("no-inline-secrets", "apps/torghut/settings.jsonc", 2),
        ("no-inline-secrets", "apps/torghut/values.yaml.j2", 2),
    ], got
    assert "Zq8vR2mX9pL4kT7w" not in result.stdout
