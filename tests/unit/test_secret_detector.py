"""The credential detector (torghut_lint/secrets.py) that the rule and the redaction share."""

from __future__ import annotations

import pytest

from torghut_lint import secrets as secrets_module
from torghut_lint.secrets import (
    LONG_TEXT,
    REDACTED,
    TOKEN_HINTS,
    TOKEN_PATTERNS,
    Redactor,
    script_assignments,
    tokens,
)

# One token per format (fakes of the right shape).
SAMPLES = {
    "private key": "-----BEGIN OPENSSH PRIVATE KEY-----",
    "AWS access key": "id AKIAABCDEFGHIJKLMNOP here",
    "GitHub token": "ghp_" + "a" * 36,
    "Slack token": "xoxb-1234567890-abcdef",
    "API secret key": "sk-proj-" + "A" * 40,
    "Google API key": "AIza" + "b" * 35,
    "Stripe live key": "sk_live_" + "c" * 24,
    "JSON Web Token": "eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.abcdefghijkl",
    "base64 private key": "client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVB",
    "npm token": "//registry.npmjs.org/:_authToken=npm_" + "d" * 36,
    "credential in an HTTP Authorization header": "curl -H 'Authorization: Bearer Zq8vR2mX9pL4kT7w' https://x.example",
    "GitLab token": "GITLAB_TOKEN=glpat-" + "e1F" * 7,
    "Slack webhook": "url: https://hooks.slack.com/services/T0000AAAA/B0000BBBB/" + "f2G" * 8,
    "Discord webhook": "https://discord.com/api/webhooks/123456789012345678/" + "g3H_" * 17,
    "SendGrid key": "SG." + "h4J" * 7 + "k" + "." + "m5N" * 14 + "p",
    "Hugging Face token": "hf_" + "q" * 34,
    "PyPI token": "password: pypi-AgEIcHlwaS5vcmc" + "r6S" * 20,
    "Docker Hub token": "dckr_pat_" + "t7U" * 9,
    "Databricks token": "DATABRICKS_TOKEN=dapi" + "0a1b" * 8,
    "Shopify token": "shpat_" + "0c1d" * 8,
    "DigitalOcean token": "dop_v1_" + "2e3f" * 16,
    "age secret key": "AGE-SECRET-KEY-1" + "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7LQPZRY9X8GF2TVDW0S3JN54KHCE",
    "Vault token": "VAULT_TOKEN=hvs." + "v8W_" * 24,
    "Grafana token": "glsa_" + "x9Y" * 10 + "zz_0a1b2c3d",
    "Telegram bot token": "bot 1234567890:AA" + "y0Z-" * 8 + "q",
    "Azure storage key": "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=" + "Ab9+" * 21 + "cd==",
}


@pytest.mark.parametrize("kind", ["", "RSA ", "EC ", "OPENSSH ", "ENCRYPTED "])
def test_a_base64_private_key_is_found_at_every_alignment_and_masked_whole(kind: str) -> None:
    """base64 spells "PRIVATE KEY" three ways, by its offset from the start; a kubeconfig's
    client-key-data holds one. A base64 certificate is not a key."""
    import base64

    blob = base64.b64encode(
        f"-----BEGIN {kind}PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n".encode()
    ).decode()
    assert [label for label, _ in tokens(f"client-key-data: {blob}")] == ["base64 private key"]
    assert Redactor([])(f"client-key-data: {blob} end") == "client-key-data: [REDACTED] end"
    certificate = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nMIIDazCCAlOgAwIBAgIUE\n").decode()
    assert list(tokens(certificate)) == []


def test_every_token_format_is_found_past_the_literal_prefilter() -> None:
    """A format added without a literal in TOKEN_HINTS (or without a sample here) fails this."""
    assert set(SAMPLES) == {label for label, _ in TOKEN_PATTERNS}
    for label, text in SAMPLES.items():
        assert any(hint in text for hint in TOKEN_HINTS), label
        assert label in {found for found, _ in tokens(text)}, label


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Authorization: Bearer Zq8vR2mX9pL4kT7w", ["Zq8vR2mX9pL4kT7w"]),
        ('-H "authorization: token ghx0123456789abc"', ["ghx0123456789abc"]),  # any case
        ("AUTHORIZATION=Basic dXNlcjpwYXNzd29yZA==", ["dXNlcjpwYXNzd29yZA=="]),
        ("Proxy-Authorization: Basic dXNlcjpwYXNzd29yZA==", ["dXNlcjpwYXNzd29yZA=="]),
        ('{"Authorization": "Bearer Zq8vR2mX9pL4kT7w"}', ["Zq8vR2mX9pL4kT7w"]),
        ("Authorization: Bearer $TOKEN", []),  # references, not credentials
        ("Authorization: Bearer ${API_TOKEN}", []),
        ('headers = {"Authorization": f"Bearer {token}"}', []),
        ('headers["Authorization"] = "Bearer " + token', []),
        ("Authorization: Bearer <your token>", []),
        ("Authorization: Bearer short", []),
    ],
)
def test_an_http_authorization_header_s_credentials_are_found(text: str, found: list[str]) -> None:
    """The credentials alone (what a report masks and a baseline digests), not the header's words."""
    assert [token for _, token in tokens(text)] == found


def test_fine_grained_github_tokens_are_found() -> None:
    assert [label for label, _ in tokens("github_pat_" + "A1_" * 20)] == ["GitHub token"]


def test_text_without_any_hint_holds_no_token() -> None:
    assert list(tokens("just a long ordinary value of a config map")) == []


def test_every_github_token_prefix_passes_the_prefilter() -> None:
    for kind in "pousr":
        assert [label for label, _ in tokens(f"gh{kind}_" + "a" * 36)] == ["GitHub token"], kind


def test_the_written_out_prefilter_is_the_hint_list() -> None:
    from torghut_lint.secrets import token_hinted

    for hint in TOKEN_HINTS:
        assert token_hinted(f"value {hint} here"), hint
        assert not token_hinted(f"value {hint[:-1]}|here"), hint


def _placed(text: str, size: int, where: str) -> str:
    """``text`` at the start, middle or end of ``size`` characters of ordinary script."""
    filler = ("x = 1; " * (size // 7 + 1))[: max(size - len(text) - 2, 0)]
    half = len(filler) // 2
    return {
        "start": f"{text} {filler} ",
        "middle": f"{filler[:half]} {text} {filler[half:]}",
        "end": f" {filler} {text}",
    }[where]


@pytest.mark.parametrize("size", [LONG_TEXT - 1, LONG_TEXT, LONG_TEXT + 1, 450_000])
@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_long_texts_are_prefiltered_and_scanned_by_one_pass_with_the_same_answers(size: int, where: str) -> None:
    """From LONG_TEXT characters the hints are one RE2 pattern and :func:`tokens` skips them: the
    answers are those of the substring searches and of each pattern on its own, for every hint
    (and a near miss) and every format anywhere in the text (a JavaScript bundle in a ConfigMap is
    450 kB), on either side of the length it switches at."""
    from torghut_lint.secrets import token_hinted

    texts = [*TOKEN_HINTS, *(hint[:-1] + "|" for hint in TOKEN_HINTS), *SAMPLES.values()]
    for text in texts:
        body = _placed(text, size, where)
        assert len(body) == max(size, len(text) + 2)
        assert token_hinted(body) is any(hint in body for hint in TOKEN_HINTS), text
        expected = [
            (label, m.group(m.re.groups and 1)) for label, pattern in TOKEN_PATTERNS for m in pattern.finditer(body)
        ]
        assert list(tokens(body)) == expected, text
        assert bool(expected) is (text in SAMPLES.values()), text


def test_a_remembered_mask_is_the_one_for_that_text_and_those_kept_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """The redactor remembers what it masked: the same text asked with other words to keep is
    masked again (``password: password`` names its key; without the key kept, both go), and the
    memory is bounded."""
    redactor = Redactor(["password", "hunter2-secret"])
    text = "key password holds password and hunter2-secret"
    kept = redactor(text, ["password"])
    assert kept == "key password holds password and [REDACTED]"
    assert redactor(text) == "key [REDACTED] holds [REDACTED] and [REDACTED]"
    assert redactor(text, ["password"]) == kept  # asked again, remembered
    monkeypatch.setattr(secrets_module, "MAX_REMEMBERED", 4)
    for n in range(20):
        assert redactor(f"{n} hunter2-secret") == f"{n} [REDACTED]"
    assert len(redactor._masked) <= 4


def test_credential_files_by_their_format() -> None:
    from torghut_lint.secrets import credential_file, file_credentials

    assert [credential_file(n) for n in (".pgpass", "pgpass.conf", "_netrc", "x.dockercfg", "x.yaml")] == [
        "pgpass",
        "pgpass",
        "netrc",
        ".dockercfg",
        None,
    ]
    # libpq: the rest of the line after four fields, backslash escapes undone; comments skipped
    text = "# h:p:d:u:not-this\nh:5432:*:u:pa\\:ss:word\nshort:line\n"
    assert list(file_credentials(".pgpass", text)) == [("a .pgpass password", "pa:ss:word")]
    assert list(file_credentials(".netrc", "machine m login u password p4ss\n")) == [("a .netrc password", "p4ss")]
    assert list(file_credentials("x.yaml", "password=x")) == []


def _masked_one_by_one(known: list[str], text: str, keep: tuple[str, ...]) -> str:
    """The reference: every known value searched for on its own at every place it starts."""
    from torghut_lint.secrets import MIN_KNOWN_SECRET, _word_at

    def spans(text: str, kept: set[str]) -> list[tuple[int, int]]:
        out = []
        for secret in (s for s in known if len(s) >= MIN_KNOWN_SECRET):
            at = text.find(secret)
            while at >= 0:
                if not (secret in kept and _word_at(text, at, at + len(secret))):
                    out.append((at, at + len(secret)))
                at = text.find(secret, at + 1)
        return out

    redactor = Redactor()
    redactor._known_spans = spans
    return redactor(text, keep)


@pytest.mark.parametrize("seed", range(40))
def test_many_known_values_are_found_in_one_pass_with_the_same_masks(seed: int) -> None:
    """Hundreds of known values (a tree full of credentials in clear) are searched for together;
    what is masked is exactly what searching each on its own masks: values inside, overlapping and
    beside each other, non-ASCII text, and a value that is the key name the text is about."""
    import random

    rng = random.Random(seed)
    alphabet = "abcXYZ019-_ .:/=\u00e9\u4e2d\U0001f511"
    known = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(6, 14))) for _ in range(200)})
    known += ["password", "passwordA", "swordfish1", "fish1234"]  # nested, overlapping, a key name
    pieces = [rng.choice(known) for _ in range(6)] + ["password", " password: ", "x" * 3]
    pieces += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))) for _ in range(6)]
    rng.shuffle(pieces)
    text = "".join(pieces)
    for keep in ((), ("password",)):
        assert Redactor(known)(text, keep) == _masked_one_by_one(known, text, keep), (text, keep)


def test_a_text_dense_with_known_values_nested_in_each_other_is_masked_whole() -> None:
    """100 credentials each the one before with ``ab`` added stand at 100 places per character of
    a name made of them: listing every place was 1.6 ms a message (minutes for a report of
    thousands); past a few places per character the message is masked whole, never leaked."""
    redactor = Redactor("ab" * k for k in range(4, 104))
    assert redactor("ConfigMap " + "ab" * 126 + " holds a value") == "[REDACTED]"
    assert redactor("key abababab end") == "key [REDACTED] end"


def test_thousands_of_known_values_mask_a_text_in_one_pass() -> None:
    known = [f"credential-{n:05d}-value" for n in range(20_000)]
    redactor = Redactor(known)
    text = f"Secret s1 stringData.token holds {known[12_345]} and {known[7][:12]}"
    assert redactor(text) == "Secret s1 stringData.token holds [REDACTED] and credential-0"


@pytest.mark.parametrize(
    ("script", "assigned"),
    [
        ("export DB_PASSWORD=hunter2-value && exec app", [("DB_PASSWORD", "hunter2-value")]),
        ("A=1 B='two words' app --flag", [("A", "1"), ("B", "two words")]),
        ("set -e\nif true; then TOKEN=abc; fi\n(X=1 run)\n", [("TOKEN", "abc"), ("X", "1")]),
        ('local secret="s3cr3t"\nreadonly K=v', [("secret", "s3cr3t"), ("K", "v")]),
        ("env API_TOKEN=tok-123 app", [("API_TOKEN", "tok-123")]),
        ("PASSWORD=$VAULT_PW app\nTOKEN=`cat /run/t`", []),  # the shell expands them: no literal
        ("echo done # x=1\nf(token=None)\nrequest(path, token=None)", []),  # not where a command starts
        ("python - <<'PY'\ntoken=None\npassword = 'x'\nPY\nAFTER=1", [("AFTER", "1")]),  # a here-document's body
        ("cat <<-EOF\n\tSECRET=a\n\tEOF\nB=2", [("B", "2")]),  # <<-: its delimiter after tabs
        ("cat <<< 'X=1'\nY=2", [("Y", "2")]),  # a here-string has no body
    ],
)
def test_script_assignments_are_the_literals_a_shell_assigns(script: str, assigned: list) -> None:
    assert list(script_assignments(script)) == assigned


@pytest.mark.parametrize(
    "text",
    [
        "ERROR: CREATE USER torghut WITH PASSWORD 'Tr4d1ngS3cretPw' failed: role exists",
        "line 3: create user r identified with sha256_password by 'Tr4d1ngS3cretPw'",
        "a ODBC string Server=ch;UID=torghut;PWD=Tr4d1ngS3cretPw did not connect",
    ],
)
def test_output_masks_what_the_detector_finds_in_free_text(text: str) -> None:
    """A tool's error quoting a SQL statement or a connection string (kustomize, a plugin): the
    password in it is masked, though no finding named it."""
    masked = Redactor()(text)
    assert "Tr4d1ngS3cretPw" not in masked and REDACTED in masked, masked
