"""No credential reaches any output, no tree content can forge a log line or break a report, and
``fix`` never rewrites what it cannot reproduce (issue 13)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from conftest import run_cli

TOKEN = "ghp_" + "Z1y2X3w4V5u6T7s8R9q0P1o2N3m4L5k6J7i8"
PASSWORD = "Hunter2Secret99"
FORMATS = ["text", "json", "sarif", "junit", "github"]


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, newline="")
    (root / ".git").mkdir(exist_ok=True)  # the repository boundary
    return root


def every_format(root: Path, *args: str) -> str:
    """Everything printed or written in every format (stdout, stderr and the report files)."""
    printed = []
    for fmt in FORMATS:
        result = run_cli("--no-schemas", "--format", fmt, *args, ".", cwd=root)
        assert result.code in (0, 1), result.stderr
        printed += [result.stdout, result.stderr]
    return "\n".join(printed)


@pytest.mark.parametrize(
    "entry",
    [
        f"https://user:{PASSWORD}@example.invalid/base.yaml",
        f"git::https://{TOKEN}@example.invalid/org/repo//dir?ref=v1",
        f"https://{TOKEN}:x-oauth-basic@example.invalid/x",
    ],
)
def test_credentials_in_remote_resource_urls_never_printed(tmp_path: Path, entry: str) -> None:
    write(tmp_path, {"kustomization.yaml": f"resources: ['{entry}']\n"})
    out = every_format(tmp_path)
    assert "kustomize-remote-resource" in out
    assert PASSWORD not in out and TOKEN not in out


@pytest.mark.parametrize(
    "entry",
    [
        f"https://user:{PASSWORD}@example.invalid/x.yaml",
        f"HTTP:/user:{PASSWORD}@example.invalid/x.yaml",  # Go's URL parser: still http, still fetched
        "http:/example.invalid/x.yaml",
        f"git::https://{PASSWORD}@example.invalid/org/repo//dir?ref=v1",
    ],
)
def test_kubectl_is_never_run_on_remote_resources(tmp_path: Path, entry: str) -> None:
    """kubectl would fetch the URL (any host a pull request names); the build reports it instead.
    A password in the URL is a credential written in the kustomization, in clear: reported too,
    never printed (``user:password@``; a user part alone is masked, not judged)."""
    write(tmp_path, {"kustomization.yaml": f"resources: ['{entry}']\n"})
    result = run_cli("--no-schemas", "--render", "kubectl", "--format", "json", ".", cwd=tmp_path)
    assert result.code == 1
    rules = {f["rule"] for f in result.json["findings"]}
    assert rules == {"kustomize-remote-resource"} | ({"no-inline-secrets"} if f"//user:{PASSWORD}@" in entry else set())
    assert PASSWORD not in result.stdout + result.stderr


def test_fix_diff_masks_secrets_in_context_lines(tmp_path: Path) -> None:
    service = (
        "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: torghut\n  namespace: torghut\n"
        f"  labels:\n    db-password: {PASSWORD}\n"
        "spec:\n  template:\n    metadata:\n      annotations:\n        autoscaling.knative.dev/maxScale: '3'\n"
        f"        db-password: {PASSWORD}\n"
    )
    write(tmp_path, {"service.yaml": service})
    result = run_cli("fix", "--diff", ".", cwd=tmp_path)
    assert "maxScale" in result.stdout  # the fix is shown ...
    assert PASSWORD not in result.stdout + result.stderr  # ... its neighbour is not


def test_token_as_a_key_name_is_masked_in_messages_and_baselines(tmp_path: Path) -> None:
    deploy = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
        f"data:\n  a: b\nspec:\n  {TOKEN}: 1\n"  # an unknown field named like a token
    )
    write(tmp_path, {"cm.yaml": deploy})
    result = run_cli("--format", "json", ".", cwd=tmp_path)
    assert "schema-unknown-field" in {f["rule"] for f in result.json["findings"]}
    assert TOKEN not in result.stdout + result.stderr
    baseline = tmp_path / "baseline.json"
    assert run_cli("--write-baseline", str(baseline), ".", cwd=tmp_path).code == 0
    assert TOKEN not in baseline.read_text()
    # and the redacted identity still matches on the next run
    again = run_cli("--baseline", str(baseline), "--format", "json", ".", cwd=tmp_path)
    assert again.code == 0 and again.json["findings"] == []


def test_a_secret_that_is_a_common_word_does_not_mangle_the_message(tmp_path: Path) -> None:
    write(tmp_path, {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  password: password\n"})
    result = run_cli("--no-schemas", "--format", "json", ".", cwd=tmp_path)
    messages = [f["message"] for f in result.json["findings"] if f["rule"] == "no-inline-secrets"]
    assert messages and messages[0].startswith("password holds a plaintext credential"), messages


def test_tokens_in_secret_annotations_and_sealed_secret_templates_are_found(tmp_path: Path) -> None:
    secret = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  annotations:\n"
        f'    kubectl.kubernetes.io/last-applied-configuration: \'{{"token": "{TOKEN}"}}\'\n'
        "stringData:\n  username: app\n"
    )
    sealed = (
        "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: t\nspec:\n"
        "  encryptedData:\n    password: AgBy3i4OJSWK+PiTySYZZA==\n"
        f'  template:\n    data:\n      config.json: \'{{"auth": "{TOKEN}"}}\'\n'
    )
    write(tmp_path, {"secret.yaml": secret, "sealed.yaml": sealed})
    result = run_cli("--no-schemas", "--format", "json", ".", cwd=tmp_path)
    found = sorted((f["file"], f["rule"]) for f in result.json["findings"])
    assert ("sealed.yaml", "no-inline-secrets") in found and ("secret.yaml", "no-inline-secrets") in found
    assert TOKEN not in result.stdout
    # the SealedSecret's ciphertext is still not a finding
    assert not any("encryptedData" in f["field"] for f in result.json["findings"])


def test_kubectl_error_quoting_a_url_credential_is_masked(tmp_path: Path) -> None:
    """kustomize cleans the path of a missing resource to ``https:/user:pw@...`` and quotes it."""
    write(tmp_path, {"kustomization.yaml": f"resources: ['https:/user:{PASSWORD}@example.invalid/x.yaml']\n"})
    result = run_cli("--no-schemas", "--render", "kubectl", "--format", "json", ".", cwd=tmp_path)
    assert result.code == 1
    assert PASSWORD not in result.stdout + result.stderr


FORGED = "x\n::error file=README.md,line=1::forged\n::stop-commands::pwned\n\x1b[2J"


def test_tree_content_cannot_forge_log_lines_or_break_reports(tmp_path: Path) -> None:
    name = json.dumps(FORGED)
    files = {
        "cm.yaml": f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\nstringData:\n  api: {PASSWORD}\n",
        "::warning title=forged::x.yaml": "a: [\n",
        "x#frag y%20.yaml": "a: [\n",
    }
    write(tmp_path, files)
    for fmt in ("text", "github"):
        out = run_cli("--no-schemas", "--format", fmt, ".", cwd=tmp_path).stdout
        for line in out.splitlines():
            assert "\x1b" not in line
            if fmt == "text":
                assert not line.startswith(("::", "##")), line
            else:  # only the linter's own commands, each one finding, and the summary line
                assert line.startswith(("::error file=", "::warning file=", "::notice file=", "torghut-lint:")), line
        if fmt == "github":
            assert sum(line.startswith("::error ") for line in out.splitlines()) == 3, out
    junit = run_cli("--no-schemas", "--format", "junit", ".", cwd=tmp_path).stdout
    ET.fromstring(junit.encode())  # parses: no XML-forbidden character
    sarif = json.loads(run_cli("--no-schemas", "--format", "sarif", ".", cwd=tmp_path).stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert "x%23frag%20y%2520.yaml" in uris
    assert "%3A%3Awarning%20title%3Dforged%3A%3Ax.yaml" in uris


KNATIVE = (
    "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: torghut\n  namespace: torghut\n"
    "spec:\n  template:\n    metadata:\n      annotations:\n        autoscaling.knative.dev/maxScale: '3'\n"
)


def test_fix_keeps_crlf_line_endings(tmp_path: Path) -> None:
    write(tmp_path, {"service.yaml": KNATIVE.replace("\n", "\r\n")})
    result = run_cli("fix", ".", cwd=tmp_path)
    assert result.code == 0, result.stderr
    data = (tmp_path / "service.yaml").read_bytes()
    assert b"maxScale: '1'\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")


def test_fix_edits_the_target_of_an_in_tree_symlink(tmp_path: Path) -> None:
    write(tmp_path, {"real/service.yaml": KNATIVE, "app/kustomization.yaml": "resources: [service.yaml]\n"})
    (tmp_path / "app" / "service.yaml").symlink_to("../real/service.yaml")
    result = run_cli("fix", "app", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert (tmp_path / "app" / "service.yaml").is_symlink()
    assert "maxScale: '1'" in (tmp_path / "real" / "service.yaml").read_text()


def test_fix_refuses_a_symlink_out_of_the_repository(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, {"service.yaml": KNATIVE})
    shutil.rmtree(outside / ".git")
    repo = write(tmp_path / "repo", {"app/kustomization.yaml": "resources: [service.yaml]\n"})
    (repo / "app" / "service.yaml").symlink_to(outside / "service.yaml")
    before = (outside / "service.yaml").read_text()
    result = run_cli("fix", "app", cwd=repo)
    assert (outside / "service.yaml").read_text() == before
    assert (repo / "app" / "service.yaml").is_symlink()
    assert result.code in (0, 2)
    assert os.path.realpath(repo / "app" / "service.yaml") == str(outside / "service.yaml")


def test_credentials_inside_configuration_files_and_binary_data_are_found_and_never_printed(tmp_path: Path) -> None:
    """A properties file, a JSON file and a JVM flag in a ConfigMap, a token behind base64 in its
    binaryData: each found where it is written, its value in no output of any format."""
    import base64

    hidden = base64.b64encode(f"token={TOKEN}\n".encode()).decode()
    cm = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata:\n"
        f"  app.properties: |\n    url=jdbc:postgresql://db/app\n    spring.datasource.password={PASSWORD}\n"
        f'  config.json: \'{{"auth": {{"client_secret": "{PASSWORD}x"}}}}\'\n'
        f"  JAVA_OPTS: -Xmx1g -Djavax.net.ssl.keyStorePassword={PASSWORD}y\n"
        f"binaryData:\n  creds: {hidden}\n"
    )
    write(tmp_path, {"cm.yaml": cm})
    result = run_cli("--no-schemas", "--format", "json", ".", cwd=tmp_path)
    lines = sorted(f["line"] for f in result.json["findings"] if f["rule"] == "no-inline-secrets")
    assert lines == [7, 8, 9, 11]  # the properties file's password on its own line, not the key's
    printed = every_format(tmp_path)
    for value in (PASSWORD, TOKEN, hidden):
        assert value not in printed
