"""The inline-secrets scan (torghut_lint/templates/inline_secrets.py) decides most strings
without judging them; what it skips must be exactly what the judgement would find nothing in."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from torghut_lint.model import Resource
from torghut_lint.parse import parse_bytes
from torghut_lint.templates import inline_secrets
from torghut_lint.templates.base import RuleContext
from torghut_lint.templates.inline_secrets import _Scanner

_TEXTS = st.sampled_from(
    [
        "short",
        "a plain sentence of some length",
        "https://user:hunter2-password@db.example.com/x",
        "https://db.example.com/no-credentials-here",
        "postgres://app:${PASSWORD}@db:5432/app",
        "token ghp_" + "a" * 36 + " inside",
        "AKIAABCDEFGHIJKLMNOP",
        "sk_live_" + "c" * 24,
        "eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.abcdefghijkl",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "xoxb-1234567890-abcdef",
        "my-secret-name",
        "correct-horse-battery",
        "spring.datasource.password=hunter2-value",
        '{"api_key": "abcd1234efgh"}',
        "-Djavax.net.ssl.keyStorePassword=changeit",
        "exec app --db-password hunter2-value",
        "--password",
        "password = os.environ['DB_PASSWORD']",
        "<password>p4ssw0rd-x</password>",
        "CREATE USER app WITH PASSWORD 'hunter2-value';",
        "the user's password is rotated",
        "TOKEN: ${TOKEN}",
        "",
        *(  # texts of LONG_TEXT characters and more, judged without the substring prefilter
            filler + tail
            for filler in ("x = 1; " * 147, "y" * 1030)
            for tail in ("", " ghp_" + "a" * 36, " https://u:hunter2-password@db/x", " https://db/plain", " sk-")
        ),
    ]
) | st.text(max_size=40)
_KEYS = st.sampled_from(
    ["name", "value", "password", "apiKey", "token", "image", "secret", "DB_PASSWORD", "url"]
    + ["app.properties", "run.py"]
)
_DATA = st.recursive(
    _TEXTS | st.integers() | st.none(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=25,
)


@given(data=_DATA, named=st.booleans())
@settings(max_examples=400, deadline=None)
def test_the_shortcut_skips_only_what_judging_finds_nothing_in(data: object, named: bool) -> None:
    scanner = _Scanner({})
    fast = scanner.walk(data, named=named)
    assert scanner.walk(data, named=named) == fast  # again, with what it was told of each text
    with pytest.MonkeyPatch.context() as patch:  # every long string judged, as before the shortcut
        patch.setattr(inline_secrets, "token_hinted", lambda text: True)
        judged = _Scanner({}).walk(data, named=named)  # a scanner told nothing yet
    assert fast == judged


def test_credentials_in_long_strings_are_still_found() -> None:
    scanner = _Scanner({})
    data = {
        "env": [{"name": "DB_URL", "value": "https://user:hunter2-password@db.example.com/x"}],
        "annotations": {"note": "token ghp_" + "a" * 36},
        "password": "hunter2",
    }
    found = {(path, what) for path, what, _ in scanner.walk(data)}
    assert found == {
        (("env", 0, "value"), "a URL embeds user:password credentials"),
        (("annotations", "note"), "a GitHub token is written in clear"),
        (("password",), "password holds a plaintext credential"),
    }


def test_credentials_in_texts_past_the_prefilter_length_are_found() -> None:
    """A script of LONG_TEXT characters and more (a bundle in a ConfigMap) skips the substring
    prefilter and goes to the patterns: what they find in it is still reported, and a long text
    without a credential is not."""
    from torghut_lint.secrets import LONG_TEXT

    script = "x = 1; " * (LONG_TEXT // 7 + 1)
    data = {
        "data": {
            "bundle.js": script + "const t = 'ghp_" + "a" * 36 + "';",
            "start.sh": script + "curl https://u:hunter2-password@db.example.com/x",
            "plain.js": script + "fetch('https://db.example.com/x')",
        }
    }
    found = {(path, what) for path, what, _ in _Scanner({}).walk(data)}
    assert found == {
        (("data", "bundle.js"), "a GitHub token is written in clear"),
        (("data", "start.sh"), "a URL embeds user:password credentials"),
    }


@pytest.mark.parametrize(
    ("key", "text", "found"),
    [
        ("app.properties", "url=jdbc:postgresql://db/x\nspring.datasource.password=hunter2-value\n", True),
        ("app.properties", "spring.datasource.password=${DB_PASSWORD}\n", False),  # a reference
        ("app.properties", "spring.datasource.password-file=/run/secrets/pw\n", False),  # a path's name
        ("config.json", '{"auth": {"password": "hunter2-value"}}', True),
        ("users.xml", "<users><torghut><password>hunter2-value</password></torghut></users>", True),
        ("users.xml", "<password_sha256_hex>abcdef0123</password_sha256_hex>", False),  # a hash's name
        ("JAVA_OPTS", "-Xmx1g -Djavax.net.ssl.keyStorePassword=hunter2-value", True),  # a flag
        ("start.sh", "exec app --db-password=hunter2-value", True),
        ("start.sh", 'PASSWORD="hunter2-value"\nexec app', True),  # a quoted literal in a script
        ("run.py", "password = os.environ['DB_PASSWORD']\ntoken = read_token()\n", False),  # code, not literals
        ("run.py", 'CLICKHOUSE_PASSWORD = os.environ.get("CLICKHOUSE_PASSWORD", "")\n', False),
        ("notes", "the password: is rotated monthly by the platform team", False),  # prose: a bare word
        ("jdbc.url", "jdbc:postgresql://db:5432/x?user=torghut&password=hunter2-value", True),  # a URL query
        ("dsn", "clickhouse://db:9000/x?secure=true&access_token=hunter2-value&x=1", True),
        ("run.sh", "curl https://api/x?token=$TOKEN", False),  # a shell variable, not a literal
        ("start.sh", "exec app --db-password hunter2-value --port 80", True),  # a flag and its word
        ("start.sh", "exec app --port 80 && other --api-token 'hunter2-value'", True),
        ("start.sh", 'exec app --api-token "$TOKEN"', False),
        ("start.sh", "exec app --token-file /run/secrets/token --password-stdin", False),
        # a configuration file under a name of no extension, known by what it holds: an AWS
        # credentials file (ini), a kubeconfig or another YAML file, an env file
        ("credentials", "[default]\naws_secret_access_key = wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEQ12\n", True),
        (
            "kubeconfig",
            "apiVersion: v1\nkind: Config\nusers:\n  - name: admin\n    user:\n      password: Tr4d1ngS3c\n",
            True,
        ),
        ("config", "# ClickHouse\nclickhouse:\n  user: torghut\n  password: Tr4d1ngS3cretPw\n", True),
        ("env", "CLICKHOUSE_USER=torghut\n# the writer\nCLICKHOUSE_PASSWORD=Tr4d1ngS3cretPw\n", True),
        ("repositories", "- url: https://github.com/example/x\n  username: git\n  password: Tr4d1ngS3cretPw\n", True),
        ("config", "user: a\nuser: b\npassword: Tr4d1ngS3cretPw\n", True),  # a key twice: still configuration
        ("run", "import os\npassword = os.environ['DB_PASSWORD']\n", False),  # code
        ("settings", "PASSWORD = get_password()\nTOKEN = read_token()\n", False),  # code: no env file
        ("settings", "password: str = os.environ['PW']\ntoken: str = read_token()\n", False),  # annotated code
        ("main", "[tool]\npassword = get_password()\nprint(password)\n", False),  # a line of neither
        # a template's default: the literal rendered where the value is unset (a chart's, a
        # configuration file a template renders); a default naming a key, a Secret or nothing is none
        ("app.yaml", 'password: {{ .Values.password | default "hunter2-value" }}\n', True),
        ("app.yaml", "token: {{ default `hunter2-value` .Values.token }}\n", True),
        ("app.yaml", "password: {{ .Values.password | default (randAlphaNum 16) }}\n", False),
        ("app.yaml", 'passwordKey: {{ .Values.key | default "password" }}\n', False),
        ("app.yaml", 'existingSecret: {{ .Values.s | default "torghut-db-secret" }}\n', False),
        ("DB_PASSWORD", '{{ .Values.db.password | default "hunter2-value" }}', True),  # a value that is one
        ("DB_PASSWORD", "{{ .Values.db.password }}", False),
    ],
)
def test_credentials_assigned_inside_a_text_are_found_and_code_is_not(key: str, text: str, found: bool) -> None:
    """A properties, JSON, XML or env file held in a ConfigMap, a JVM or command-line flag, a
    quoted literal in a script: the key is judged by its name. An unquoted right-hand side outside
    a configuration file is code (a variable, a call), not a literal."""
    hits = _Scanner({}).walk({"data": {key: text}})
    assert bool(hits) is found, hits


@pytest.mark.parametrize(
    ("suffixes", "key", "text"),
    [
        (None, "config.json", '{"clickhouse": {"user": "torghut", "pwd": "Tr4d1ngS3cret"}}'),
        (None, "odbc.ini", "[torghut]\nDriver = ClickHouse\nUID = torghut\nPWD = Tr4d1ngS3cret\n"),
        (None, "start.sh", "exec app --pwd Tr4d1ngS3cret"),
        (None, "start.sh", "exec app --db-pwd=Tr4d1ngS3cret"),
        (None, "app.env", "MYSQL_PWD=Tr4d1ngS3cret\n"),
        (["broker-pin"], "app.properties", "ibkr.broker_pin=84736251908\n"),
        (["broker-pin"], "users.xml", "<brokerPin>84736251908</brokerPin>"),
        (["authcode"], "jdbc.url", "jdbc:x://h/db?auth-code=Zk3jq9LmP2xR"),
        (["authcode"], "start.sh", "exec app --AUTH_CODE 'Zk3jq9LmP2xR'"),
    ],
)
def test_a_text_assigns_every_name_a_policy_judges_a_credential_s(suffixes: list | None, key: str, text: str) -> None:
    """What a text assigns is found by the names the policy judges (its own suffixes, ``pwd``),
    not by a shorter list of its own: ``"pwd": "..."`` in a JSON file, ODBC's ``PWD = ...`` and a
    policy's ``broker-pin`` passed where the same name as a key or env var was reported."""
    scanner = _Scanner({} if suffixes is None else {"secretKeySuffixes": suffixes})
    secret = next(value for value in ("Tr4d1ngS3cret", "84736251908", "Zk3jq9LmP2xR") if value in text)
    assert [value for _, _, value in scanner.walk({"data": {key: text}})] == [secret]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('#!/bin/sh\nP=Yy1xW2vU3tS4rQ5p\ncurl -u "default:$P" http://ch:8123/ping\n', ["curl's -u"]),
        (
            '#!/bin/sh\nexport ADMIN=Yy1xW2vU3tS4rQ5p\necho "$ADMIN" | docker login -u ci --password-stdin r\n',
            ["docker's --password-stdin is given a plaintext credential"],
        ),
        ('#!/bin/sh\nread -r K <<< Yy1xW2vU3tS4rQ5p\nredis-cli -a "$K" ping\n', ["redis-cli's -a"]),
        (  # a here-document's body: the literal written into the file
            "#!/bin/sh\nP=Yy1xW2vU3tS4rQ5p\ncat <<EOF > /etc/app/.env\nDB_PASSWORD=$P\nEOF\n",
            ["DB_PASSWORD written"],
        ),
        # told once: the assignment's name says it already
        (
            '#!/bin/sh\nDB_PASSWORD=Yy1xW2vU3tS4rQ5p\ncurl -u "default:$DB_PASSWORD" http://x\n',
            ["DB_PASSWORD assigned in the script"],
        ),
        (
            "#!/bin/sh\nP=Yy1xW2vU3tS4rQ5p\necho 'curl -u \"default:$P\"' > /tmp/howto\n",
            [],
        ),  # single quotes: no expansion
        ('#!/bin/sh\nP=Yy1xW2vU3tS4rQ5p\nP="$(cat /run/pw)"\ncurl -u "default:$P" http://x\n', []),  # reassigned
        ('#!/bin/sh\nHOST=clickhouse.torghut.svc\ncurl -u "default:$CH_PASSWORD" "http://$HOST:8123"\n', []),
        (  # a program taking it by no option of its own: the header says what it is
            '#!/bin/sh\nT=Yy1xW2vU3tS4rQ5p\nwget -q --header="Authorization: Bearer $T" https://api.example\n',
            ["a credential in an HTTP Authorization header is written in clear"],
        ),
    ],
)
def test_a_script_is_judged_as_the_shell_runs_it_with_its_variables_expanded(text: str, found: list) -> None:
    """``P=x; curl -u "default:$P"``: the literal reaches curl through a variable whose name
    says nothing; the shell puts it in before curl runs."""
    hits = _Scanner({}).walk({"data": {"run.sh": text}})
    assert [
        what.split(" option")[0].split(" in the text")[0].split(" holds")[0].split(" on the")[0].split(",")[0]
        for _, what, _ in hits
    ] == found
    assert all(value == "Yy1xW2vU3tS4rQ5p" for _, _, value in hits)


def test_a_script_whose_expansion_is_past_its_bound_is_a_blocking_finding_without_a_secret() -> None:
    """A few kB referring to a long literal thousands of times would make megabytes to read: the
    readings stop at their bound, and what is left unread is a finding at the script (the gate
    does not say yes), naming no credential."""
    script = "#!/bin/sh\nP=" + "ab1" * 1300 + "\n" + "prog $P\n" * 3000 + 'P=Yy1xW2vU3tS4rQ5p; redis-cli -a "$P"\n'
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\ndata:\n  run.sh: " + json.dumps(script) + "\n"
    parsed = parse_bytes(text.encode(), "cm.yaml")
    resources = [Resource(d.node, d.data) for d in parsed.documents]
    violations = list(inline_secrets.check(RuleContext({}, resources, resources, [])))
    assert [(v.path, v.message, v.secrets) for v in violations] == [
        (("data", "run.sh"), inline_secrets.UNREAD_EXPANSION, ())
    ]


@pytest.mark.usefixtures("untraced")
@given(
    name=st.from_regex(
        r"[A-Za-z_][A-Za-z0-9_]{0,8}(password|Secret|TOKEN|api_key|Pass|pwd|PWD|pin|Broker-Pin)[_.-]?[A-Za-z0-9]{0,4}",
        fullmatch=True,
    ),
    suffixes=st.none()
    | st.lists(st.sampled_from(["pin", "Passphrase", "api-key", "broker_pin"]), min_size=1, max_size=3),
    form=st.sampled_from(['{{"{0}": "Zk3jq9LmP2xR7vT4"}}', "{0}=Zk3jq9LmP2xR7vT4\n", "<{0}>Zk3jq9LmP2xR7vT4</{0}>"]),
)
@settings(max_examples=300, deadline=None)
def test_every_name_judged_a_credential_s_is_found_assigned_in_a_text(
    name: str, suffixes: list | None, form: str
) -> None:
    """The class behind the cases above: whatever name the scanner judges a credential's, as a
    key or an env var, is found when a configuration file in a ConfigMap assigns it a literal."""
    scanner = _Scanner({} if suffixes is None else {"secretKeySuffixes": suffixes})
    hits = scanner.walk({"data": {"app.properties": form.format(name)}})
    assert bool(hits) is scanner.named_value(name, "Zk3jq9LmP2xR7vT4"), hits


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Driver={ClickHouse};Server=ch;UID=torghut;PWD=Tr4d1ngS3cret", True),  # ODBC
        ("Server=tcp:db,1433;Initial Catalog=torghut;User ID=torghut;Password=Tr4d1ngS3cret;Encrypt=True;", True),
        ("Host=db;Port=5432;Username=torghut;Password=Tr4d1ngS3cret", True),  # Npgsql
        ("Host=db;Port=5432;Username=torghut;Password=${DB_PASSWORD}", False),  # a reference
        ("a = 1; password = get_password()", False),  # code: spaces around its assignments
        ("password=get_password()", False),  # one assignment: no connection string
    ],
)
def test_a_connection_string_s_unquoted_values_are_literals(text: str, found: bool) -> None:
    """An ODBC, ADO.NET or Npgsql connection string under a name of no credential
    (``ConnectionStrings__Default``): ``key=value`` pairs joined by ``;``, each value a literal as
    in a configuration file; code (spaces around ``=``) stays code."""
    hits = _Scanner({}).walk({"env": [{"name": "ConnectionStrings__Default", "value": text}]})
    assert [value for _, _, value in hits] == (["Tr4d1ngS3cret"] if found else [])


def test_a_value_quoted_whole_is_not_taken_for_one_assignment_hiding_the_credential_in_it() -> None:
    """A libpq connection string under a name of no credential in an env file
    (``DSN="host=db password=..."``): the password inside the quotes is still found."""
    text = 'DATABASE_DSN="host=db user=torghut password=Tr4d1ngS3cret"\nLOG_LEVEL=info\n'
    assert [value for _, _, value in _Scanner({}).walk({"data": {"app.env": text}})] == ["Tr4d1ngS3cret"]


def test_an_argo_cd_sources_inline_helm_values_are_a_values_file() -> None:
    """``spec.source.helm.values`` is a values.yaml written inline: an unquoted value in it is a
    literal (it passed as code), even one YAML could not read alone; elsewhere an unquoted
    right-hand side of a text that is no configuration stays code."""
    text = "auth:\n  password: hunter2-value-x\n  note: {{ .Values.x }\n"
    hits = _Scanner({}).walk({"spec": {"source": {"helm": {"values": text}}}})
    assert [what for _, what, _ in hits] == ["password written in the text holds a plaintext credential"]
    assert _Scanner({}).walk({"spec": {"source": {"notes": text}}}) == []


def test_a_flag_alone_on_a_command_line_names_the_word_after_it() -> None:
    """``args: [--password, value]``: the kubelet passes the two words, the program reads the
    second as the first's value (a Flink job's ``spec.job.args``, a container's ``args``)."""
    args = ["--password", "hunter2-value", "--port", "8080", "--secret-name", "alpaca-keys"]
    args += ["--token", "$(API_TOKEN)", "--verbose", "plain-word-after-a-flag", "-pwd", "hunter2-other"]
    hits = _Scanner({}).walk({"spec": {"args": args}})
    assert [(path, what) for path, what, _ in hits] == [
        (("spec", "args", 1), "password holds a plaintext credential"),
        (("spec", "args", 11), "pwd holds a plaintext credential"),
    ]


@pytest.mark.parametrize(
    ("key", "text", "found"),
    [
        ("redis.conf", "bind 0.0.0.0\nrequirepass Tr4d1ngS3cretPw\nmasterauth An0therS3cretPw\n", 2),
        ("haproxy.cfg", "userlist admins\n  user admin insecure-password Tr4d1ngS3cretPw\n", 1),
        ("redis.conf", "requirepass ${REDIS_PASSWORD}\n", 0),  # a reference
        ("pg_hba.conf", "host all all 0.0.0.0/0 password\n", 0),  # a method's name, no value after it
        ("mosquitto.conf", "password_file /mosquitto/config/passwd\n", 0),  # a path's name
        ("start.sh", "redis-server --port 6379\necho requirepass Tr4d1ngS3cretPw\n", 0),  # a script: no directive
        ("rules.yaml", "groups:\n  - rules:\n      - annotations:\n          summary: the token budget is spent\n", 0),
        ("redis.conf", "# requirepass Tr4d1ngS3cretPw (set by the operator)\nbind 0.0.0.0\n", 0),  # a comment
    ],
)
def test_a_configuration_file_s_directives_are_assignments(key: str, text: str, found: int) -> None:
    """``requirepass <password>`` (Redis), ``insecure-password <password>`` (HAProxy): a directive
    and its value, separated by spaces, in a configuration file."""
    assert len(_Scanner({}).walk({"data": {key: text}})) == found


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("DB_PASS", True),
        ("SMTP_PASS", True),
        ("MYSQL_PWD", True),
        ("TLS_BYPASS", False),
        ("COMPASS", False),
        ("next_on_pass", False),  # a workflow's step (the lab tree's autonomous pipeline)
        ("GPG_PASSPHRASE", True),  # a key's passphrase: whoever holds both holds the key
        ("SSH_KEY_PASSPHRASE", True),
        ("SECRET_KEY_BASE", True),  # Rails's: it signs and encrypts every session
        ("JWT_KEY", True),  # symmetric keys by what they key
        ("AES_KEY", True),
        ("SIGNATURE_KEY", True),
        ("DB_PW", True),  # a password's shortest spelling, as an env var
        ("db_pw", False),
        ("CACHE_KEY", False),  # a key of a map, not a credential
        ("PARTITION_KEY", False),
    ],
)
def test_short_spellings_of_a_password_are_credential_names(name: str, found: bool) -> None:
    hits = _Scanner({}).walk({"env": [{"name": name, "value": "correcthorsebattery"}]})
    assert bool(hits) is found, hits


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("DB_PASSWORD_2", True),
        ("password0", True),
        ("db_password1", True),
        ("DB_PASSWORD_OLD", True),
        ("dbPasswordNext", True),
        ("SECRET_KEY_V2", True),
        ("secretKeyV2", True),
        ("API_KEY2", True),
        ("token_1", True),
        ("password.backup", True),
        ("client-secret-2", True),
        ("ALPACA_SECRET_LIVE", True),  # the trading account's: live or paper
        ("APCA_API_SECRET_KEY_PAPER", True),
        ("DB_PASS_2", True),  # the short spelling, in a variable's case
        ("DB_PASSWORD_B64", True),  # how it is written down: base64 is no encryption
        ("dbPasswordBase64", True),
        ("API_TOKEN_ENCODED", True),
        ("PRIVATE_KEY_PEM", True),
        ("SECRET_VALUE", True),
        ("JWT_SIGNING_KEY", True),  # whoever holds it mints tokens
        ("HMAC_KEY", True),
        ("SIGNING_KEY_ID", False),
        ("CACHE_KEY", False),
        ("SHA_B64", False),
        ("password_length", False),  # not a qualifier: the name ends in another word
        ("threshold", False),  # a qualifier is a whole word, never the end of one
        ("tokenizer_v2", False),
        ("PASSWORD_FILE_2", False),  # an ignored name, qualified
        ("secret_name_old", False),
        ("token_ttl_prod", False),
        ("next_on_pass_2", False),
    ],
)
def test_a_credential_name_qualified_after_it_is_still_a_credential_name(name: str, found: bool) -> None:
    """DB_PASSWORD_OLD holds a password as DB_PASSWORD does: matched on the name's end alone, a
    number, a version, a rotation or an environment after it let the credential through."""
    hits = _Scanner({}).walk({"env": [{"name": name, "value": "correcthorsebattery"}]})
    assert bool(hits) is found, hits
    text = _Scanner({}).walk({"data": {"app.properties": f"{name}=correcthorsebattery\n"}})
    assert bool(text) is found, text


LUA = (
    'hs = {}\nlocal status = obj.status or {}\nif status.phase == "Synced" then\n'
    '  hs.status = "Healthy"\nend\nreturn hs\n'
)


@pytest.mark.parametrize(
    ("key", "text", "found"),
    [
        # Argo CD's health check of a SealedSecret: a script under a name ending in "secret"
        ("resource.customizations.health.bitnami.com_SealedSecret", LUA, False),
        ("client_secret", "Hunter2_Value_x9\n", True),  # a block scalar: one literal and a line end
        ("client_secret", "aGVsbG8gd29ybGQgaGVsbG8g\nd29ybGQgaGVsbG8gd29ybGQ=\n", True),  # wrapped base64
        ("webhook_secret", LUA + "local token = 'ghp_" + "a" * 36 + "'\n", True),  # a token inside the text
        ("db_password", "user: torghut\npassword: hunter2-value\n", True),  # an assignment inside it
    ],
)
def test_a_text_of_several_lines_under_a_secret_name_is_judged_by_what_it_holds(
    key: str, text: str, found: bool
) -> None:
    hits = _Scanner({}).walk({"data": {key: text}})
    assert bool(hits) is found, hits


def test_policies_with_different_settings_each_judge_by_their_own() -> None:
    """One scanner per distinct settings for the run: what one policy learnt of a key (here, that
    ``pin`` names no credential) never answers for another that says it does."""
    data = {"pin": "8473625190", "password": "hunter2-value"}
    default = _Scanner.of({})
    assert [what for _, what, _ in default.walk(data)] == ["password holds a plaintext credential"]
    pins = _Scanner.of({"secretKeySuffixes": ["pin", "password"]})
    assert pins is not default and pins is _Scanner.of({"secretKeySuffixes": ["pin", "password"]})
    assert sorted(what for _, what, _ in pins.walk(data)) == [
        "password holds a plaintext credential",
        "pin holds a plaintext credential",
    ]
    assert [what for _, what, _ in _Scanner.of({}).walk(data)] == ["password holds a plaintext credential"]


def test_what_scanners_remember_between_applications_is_bounded() -> None:
    """A remembered text outlives its application: only short ones are kept, so many at most,
    and so many scanners (a long-lived process may lint with many configurations)."""
    inline_secrets._SCANNERS.clear()
    scanner = _Scanner.of({})
    long_text = "x" * (inline_secrets.MAX_REMEMBERED_TEXT + 1) + " plain words"
    scanner.walk({"note": long_text, "other": "a plain note of some length"})
    assert long_text not in scanner.told and "a plain note of some length" in scanner.told
    scanner.walk({f"key-{i}": f"a plain text number {i}" for i in range(inline_secrets.MAX_REMEMBERED + 5)})
    assert len(scanner.told) > inline_secrets.MAX_REMEMBERED
    assert _Scanner.of({}) is scanner and len(scanner.told) == 0 and len(scanner.judged_by_key) == 0
    for n in range(inline_secrets.MAX_SCANNERS + 3):
        _Scanner.of({"secretKeySuffixes": [f"suffix{n}"]})
    assert len(inline_secrets._SCANNERS) <= inline_secrets.MAX_SCANNERS


# -- a credential handed on to a credential-named variable ---------------------------------------

HANDED_ON = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {seed: Zq8vR2mX9pL4kT7wN3bY, region: us-east-1, flags: Kk3jS6vM2aX5bG0pQ1}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: words}
data: {WORD: Vv5uT4sR3qP2oN1m, MODE: paper}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: bridge}
spec:
  template:
    spec:
      containers:
        - name: bridge
          image: registry.example/bridge:v1
          envFrom: [{configMapRef: {name: settings}}]
          env:
            - {name: SEED, value: Pp7uQ1nW8oK3jS6vM2aX}
            - {name: FROM_SECRET, valueFrom: {secretKeyRef: {name: s, key: k}}}
%s
      volumes:
        - {name: cfg, configMap: {name: settings}}
        - {name: picked, configMap: {name: settings, items: [{key: seed, path: db/pw}]}}
"""


def _handed_on(entries: str) -> list[tuple[tuple, str]]:
    """(path, message) of each finding once ``entries`` are written into the container: env items
    (``- {...}``) and its ``args``, one a line."""
    lines = [("            " if line.startswith("- ") else "          ") + line for line in entries.split("\n")]
    text = HANDED_ON % "\n".join(lines)
    if "envFrom:" in entries:  # the entries' own, in place of the container's
        text = text.replace("          envFrom: [{configMapRef: {name: settings}}]\n", "", 1)
    parsed = parse_bytes(text.encode(), "all.yaml")
    assert parsed.findings == []  # (no key written twice)
    found = [Resource(d.node, d.data) for d in parsed.documents]
    return [
        (v.path, v.message.split(" (value redacted)")[0])
        for v in inline_secrets.check(RuleContext({}, found, found, []))
    ]


ENV = ("spec", "template", "spec", "containers", 0, "env")
ARGS = ("spec", "template", "spec", "containers", 0, "args")


@pytest.mark.parametrize(
    ("entries", "found"),
    [
        # a $(VAR) expansion of a literal written under a name the walk does not judge
        (
            "- {name: DB_PASSWORD, value: $(SEED)}",
            [((*ENV, 2), "DB_PASSWORD is given a plaintext credential through a $(VAR) expansion")],
        ),
        (
            "- {name: API_TOKEN, value: 'v1:$(SEED)'}",
            [((*ENV, 2), "API_TOKEN is given a plaintext credential through a $(VAR) expansion")],
        ),
        # an envFrom ConfigMap's entry, expanded
        (
            "- {name: DB_PASSWORD, value: $(seed)}",
            [((*ENV, 2), "DB_PASSWORD is given a plaintext credential through a $(VAR) expansion")],
        ),
        # a ConfigMap key read by valueFrom
        (
            "- {name: DB_PASSWORD, valueFrom: {configMapKeyRef: {name: settings, key: seed}}}",
            [((*ENV, 2), "DB_PASSWORD is given a plaintext credential through key seed of ConfigMap settings")],
        ),
        # the command line, expanded by the kubelet: a flag's value, and the word after a flag
        (
            "args: ['--client-secret=$(flags)']",
            [
                (
                    (*ARGS, 0),
                    "client-secret written in the text holds a plaintext credential, once the kubelet expands $(VAR) "
                    "in it",
                )
            ],
        ),
        (
            "args: [--password, $(SEED)]",
            [((*ARGS, 1), "password holds a plaintext credential, once the kubelet expands $(VAR) in it")],
        ),
        # what it is given cannot be seen (a Secret), is no credential, or is set again by a literal after it
        ("- {name: API_TOKEN, value: $(FROM_SECRET)}", []),
        ("- {name: API_TOKEN, value: $(UNDEFINED)}", []),
        (
            "- {name: DB_PASSWORD, value: $(SEED)}\n- {name: DB_PASSWORD, value: $(FROM_SECRET)}",
            [],
        ),
        ("- {name: DB_PORT, value: $(SEED)}", []),
        ("args: ['--port=$(SEED)', '--secret-name=$(SEED)']", []),
        ("args: ['--password=$$(SEED)']", []),  # $$ escapes: the process is given the text $(SEED)
        # an envFrom prefix that makes an entry's name a credential's: DB_PASS + WORD
        (
            "envFrom: [{prefix: DB_PASS, configMapRef: {name: words}}]",
            [
                (
                    ("spec", "template", "spec", "containers", 0, "envFrom", 0),
                    "DB_PASSWORD is given a plaintext credential through key WORD of ConfigMap words under the prefix "
                    "DB_PASS",
                )
            ],
        ),
        ("envFrom: [{prefix: APP_, configMapRef: {name: words}}]", []),
        # a variable naming the file that holds the credential (the *_FILE convention), mounted from a ConfigMap
        (
            "- {name: DB_PASSWORD_FILE, value: /etc/cfg/seed}\nvolumeMounts: [{name: cfg, mountPath: /etc/cfg}]",
            [
                (
                    (*ENV, 2),
                    "DB_PASSWORD_FILE names a file holding a plaintext credential (key seed of ConfigMap settings, "
                    "mounted at /etc/cfg/seed)",
                )
            ],
        ),
        (
            "- {name: DB_PASSWORD_FILE, value: /etc/p/db/pw}\nvolumeMounts: [{name: picked, mountPath: /etc/p/}]",
            [
                (
                    (*ENV, 2),
                    "DB_PASSWORD_FILE names a file holding a plaintext credential (key seed of ConfigMap settings, "
                    "mounted at /etc/p/db/pw)",
                )
            ],
        ),
        (
            "- {name: apiTokenPath, value: /token}\nvolumeMounts: [{name: cfg, mountPath: /token, subPath: flags}]",
            [
                (
                    (*ENV, 2),
                    "apiTokenPath names a file holding a plaintext credential (key flags of ConfigMap settings, "
                    "mounted at /token)",
                )
            ],
        ),
        (
            "args: [--db-password-file=/etc/cfg/seed]\nvolumeMounts: [{name: cfg, mountPath: /etc/cfg}]",
            [
                (
                    (*ARGS, 0),
                    "db-password-file names a file holding a plaintext credential (key seed of ConfigMap settings, "
                    "mounted at /etc/cfg/seed)",
                )
            ],
        ),
        (
            "args: [--verbose, --token-file, /etc/cfg/flags]\nvolumeMounts: [{name: cfg, mountPath: /etc/cfg}]",
            [
                (
                    (*ARGS, 2),
                    "token-file names a file holding a plaintext credential (key flags of ConfigMap settings, "
                    "mounted at /etc/cfg/flags)",
                )
            ],
        ),
        ("args: [--config-file, /etc/cfg/seed]\nvolumeMounts: [{name: cfg, mountPath: /etc/cfg}]", []),
        ("- {name: DB_PASSWORD_FILE, value: /etc/cfg/missing}\nvolumeMounts: [{name: cfg, mountPath: /etc/cfg}]", []),
        ("- {name: CA_FILE, value: /etc/cfg/seed}\nvolumeMounts: [{name: cfg, mountPath: /etc/cfg}]", []),
        ("- {name: DB_PASSWORD_FILE, value: /etc/cfg/seed}", []),  # not mounted here: a Secret's volume, say
    ],
)
def test_a_credential_handed_on_to_a_credential_named_variable_is_found(entries: str, found: list) -> None:
    """``DB_PASSWORD: $(SEED)``, ``SEED`` a literal: the walk judged each value by its own name, so
    the process got a password no finding named. Reported once, where it is handed on."""
    assert _handed_on(entries) == found


def test_a_credential_reported_where_it_is_written_is_not_reported_again_where_it_is_handed_on() -> None:
    entries = "- {name: DB_PASSWORD, value: Zz9yX8wV7uT6sR5qP4}\n- {name: API_TOKEN, value: 'x-$(DB_PASSWORD)'}"
    assert _handed_on(entries) == [((*ENV, 2, "value"), "DB_PASSWORD holds a plaintext credential")]


@pytest.mark.parametrize(
    ("entries", "found"),
    [
        # a literal of its own that holds a reported one (a rotated password: hunter2 -> hunter2024!)
        (
            "- {name: DB_PASSWORD, value: Zz9yX8wV7uT6sR5qP4}\n"
            "- {name: SPARE, value: Zz9yX8wV7uT6sR5qP4-2024}\n- {name: API_TOKEN, value: $(SPARE)}",
            [
                ((*ENV, 2, "value"), "DB_PASSWORD holds a plaintext credential"),
                ((*ENV, 4), "API_TOKEN is given a plaintext credential through a $(VAR) expansion"),
            ],
        ),
        # the same through a ConfigMap entry (the walk does not judge key ``seed``)
        (
            "- {name: DB_PASSWORD, value: Zq8vR2mX9pL}\n"
            "- {name: API_TOKEN, valueFrom: {configMapKeyRef: {name: settings, key: seed}}}",
            [
                ((*ENV, 2, "value"), "DB_PASSWORD holds a plaintext credential"),
                ((*ENV, 3), "API_TOKEN is given a plaintext credential through key seed of ConfigMap settings"),
            ],
        ),
        # a script's literal: DB1_PASSWORD's value is in DB10_PASSWORD's, a credential of its own
        (
            "- {name: DB1_PASSWORD, value: Sup3rS3cretValue1}\n"
            "args: [sh, -c, 'export DB10_PASSWORD=Sup3rS3cretValue10 && exec app']",
            [
                ((*ENV, 2, "value"), "DB1_PASSWORD holds a plaintext credential"),
                ((*ARGS, 2), "DB10_PASSWORD assigned on the command line holds a plaintext credential"),
            ],
        ),
    ],
)
def test_a_credential_that_holds_a_reported_one_is_reported_too(entries: str, found: list) -> None:
    """Only what is made from a reported literal (``x-$(DB_PASSWORD)``) is that literal's leak: a
    literal of its own that holds one (``hunter2024!`` beside ``hunter2``) is another credential.
    Each passed: with the shorter one on the base (or in the baseline), the longer was the
    change's new credential and no finding named it."""
    assert _handed_on(entries) == found


@pytest.mark.parametrize(
    ("entries", "found"),
    [
        (
            "args: [sh, -c, 'export DB_PASSWORD=$(SEED) && exec app']",
            [((*ARGS, 2), "DB_PASSWORD assigned on the command line holds a plaintext credential")],
        ),
        (
            'args: [sh, -c, "cat <<EOF > /etc/app.env\\nDB_PASSWORD=$(SEED)\\nEOF\\nexec app"]',
            [
                (
                    (*ARGS, 2),
                    "DB_PASSWORD written in the text holds a plaintext credential, "
                    "in the file app.env the script writes",
                )
            ],
        ),
        (
            "args: [sh, -c, 'curl -u admin:$(SEED) https://api.example']",
            [((*ARGS, 2), "curl's -u option holds a plaintext credential")],
        ),
        (
            "- {name: DB_URL, value: 'postgres://app:$(SEED)@db:5432/app'}",
            [((*ENV, 2), "a URL embeds user:password credentials, once the kubelet expands $(VAR) in it")],
        ),
        # what the kubelet cannot expand here (a Secret's value, a variable it does not define) is no literal
        ("args: [sh, -c, 'export DB_PASSWORD=$(FROM_SECRET) && exec app']", []),
        ("args: [sh, -c, 'export DB_PASSWORD=$(UNDEFINED) && exec app']", []),
        ("- {name: DB_URL, value: 'postgres://app:$(FROM_SECRET)@db:5432/app'}", []),
    ],
)
def test_the_command_line_is_read_as_the_kubelet_expands_it(entries: str, found: list) -> None:
    """The kubelet expands ``$(VAR)`` in ``command``, ``args`` and ``env`` before the process
    starts: ``sh -c 'export DB_PASSWORD=$(SEED)'``, ``SEED`` a literal under a name the walk does
    not judge, assigns that literal. Each passed: scripts and URLs were read as written."""
    assert _handed_on(entries) == found


def test_every_literal_of_a_script_is_reported_whatever_the_others_hold() -> None:
    """Thirty passwords in an env file a script writes, where ``Value1`` is in ``Value10`` to
    ``Value19``: ten were reported."""
    body = "".join(f"DB{i}_PASSWORD=Sup3rS3cretValue{i}\\n" for i in range(30))
    found = _handed_on(f'args: [sh, -c, "cat <<EOF > /etc/app.env\\n{body}EOF\\n"]')
    assert len(found) == 30, found


# -- shell scripts: an unquoted NAME=value is a literal there --------------------------------------

SH = "set -e\nexport DB_PASSWORD=Zq8vR2mX9pL4kT7w\nexec app\n"


@pytest.mark.parametrize(
    ("key", "text", "found"),
    [
        ("entrypoint.sh", SH, True),  # a script by its name
        ("start", "#!/bin/bash\n" + SH, True),  # by its #! line
        ("start", "#!/usr/bin/env sh\n" + SH, True),
        ("start.py", "#!/usr/bin/env python3\ntoken=load()\npassword=read_it()\n", False),  # code, not a shell's
        ("entrypoint.sh", "export DB_PASSWORD=$VAULT_PASSWORD\nexec app\n", False),  # the shell expands it
        ("entrypoint.sh", "python - <<'PY'\ndef f(token=None):\n    password=token\nPY\n", False),  # a heredoc's body
        ("app.conf", "DB_PASSWORD=Zq8vR2mX9pL4kT7w\n", True),  # a configuration file, as before
    ],
)
def test_a_shell_script_assigns_literals_unquoted(key: str, text: str, found: bool) -> None:
    """``export DB_PASSWORD=hunter2`` in an entrypoint script in a ConfigMap (or a loose ``.sh``
    file) passed: a script was read for quoted literals only, as Python's ``password = x`` is code."""
    hits = _Scanner({}).walk({"data": {key: text}})
    assert bool(hits) is found, hits


@pytest.mark.parametrize(
    ("entries", "found"),
    [
        (
            "command: [sh, -c, 'export DB_PASSWORD=Yy1xW2vU3tS4rQ5p && exec app']",
            [(("spec", "template", "spec", "containers", 0, "command", 2), "DB_PASSWORD assigned on the command line")],
        ),
        (
            "command: [/bin/bash, -ec, 'DB_PASSWORD=Yy1xW2vU3tS4rQ5p exec app']",
            [(("spec", "template", "spec", "containers", 0, "command", 2), "DB_PASSWORD assigned on the command line")],
        ),
        (
            "command: [busybox, sh, -c, 'API_TOKEN=Yy1xW2vU3tS4rQ5p app']",
            [((*ARGS[:-1], "command", 3), "API_TOKEN assigned on the command line")],
        ),
        (
            "command: [env, API_TOKEN=Yy1xW2vU3tS4rQ5p, app]",
            [((*ARGS[:-1], "command", 1), "API_TOKEN assigned on the command line")],
        ),
        (
            "command: [/bin/sh]\n" + "args: [-c, 'TOKEN=Yy1xW2vU3tS4rQ5p app']",
            [((*ARGS, 1), "TOKEN assigned on the command line")],
        ),
        # not a shell's script: a Python program's keyword arguments are code
        ("command: [python, -c, 'f(token=Yy1xW2vU3tS4rQ5p)']", []),
        ("command: [sh, /scripts/run.sh, --verbose]", []),
        ("command: [sh, -c, 'DB_PASSWORD=$(cat /run/secrets/db) exec app']", []),
    ],
)
def test_a_credential_assigned_on_a_shell_command_line_is_found(entries: str, found: list) -> None:
    """``sh -c "export DB_PASSWORD=hunter2 && exec app"``, ``env API_TOKEN=... app``: the process
    gets the credential; the walk read the words for quoted literals only."""
    assert [(path, message.split(" holds")[0]) for path, message in _handed_on(entries)] == found


# -- a program's own credential options: no name beside the value says it is one -------------------

CMD = ("spec", "template", "spec", "containers", 0, "command")


def _what_gives(message: str) -> str:
    """What a finding says gives the credential (``curl's -u``), its advice cut off."""
    return message.split(" option")[0].split(" holds")[0]


def _given_by(entries: str) -> list[tuple[tuple, str]]:
    return [(path, _what_gives(message)) for path, message in _handed_on(entries)]


@pytest.mark.parametrize(
    ("entries", "found"),
    [
        ("command: [curl, -sf, -u, 'default:Yy1xW2vU3tS4rQ5p', 'http://ch:8123/ping']", [((*CMD, 3), "curl's -u")]),
        ("command: [/usr/bin/curl, --user=admin:Yy1xW2vU3tS4rQ5p, https://x]", [((*CMD, 1), "curl's --user")]),
        ("command: [curl]\nargs: [-u, 'admin:Yy1xW2vU3tS4rQ5p', https://x]", [((*ARGS, 1), "curl's -u")]),
        ("command: [mysql, -uroot, -pYy1xW2vU3tS4rQ5p, trading]", [((*CMD, 2), "mysql's -p")]),
        ("command: [mariadb-dump, -pYy1xW2vU3tS4rQ5p, trading]", [((*CMD, 1), "mariadb-dump's -p")]),
        ("command: [sshpass, -p, Yy1xW2vU3tS4rQ5p, ssh, host]", [((*CMD, 2), "sshpass's -p")]),
        ("command: [redis-cli, -a, Yy1xW2vU3tS4rQ5p, ping]", [((*CMD, 2), "redis-cli's -a")]),
        ("command: [mongosh, -u, app, -p, Yy1xW2vU3tS4rQ5p]", [((*CMD, 4), "mongosh's -p")]),
        ("command: [docker, login, -u, me, -p, Yy1xW2vU3tS4rQ5p, reg.example]", [((*CMD, 5), "docker's -p")]),
        ("command: [openssl, enc, -pass, 'pass:Yy1xW2vU3tS4rQ5p', -in, x]", [((*CMD, 3), "openssl's -pass")]),
        ("command: [env, TZ=UTC, exec, curl, -u, 'a:Yy1xW2vU3tS4rQ5p', x]", [((*CMD, 5), "curl's -u")]),
        # in the script a shell runs from the command line: located at that word
        ("command: [sh, -c, 'set -e; curl -u \"u:Yy1xW2vU3tS4rQ5p\" x && exec app']", [((*CMD, 2), "curl's -u")]),
        ("command: [bash, -ec, \"mysql -uroot -p'Yy1xW2vU3tS4rQ5p' db < /init.sql\"]", [((*CMD, 2), "mysql's -p")]),
        # the same options of other programs, or no credential in them
        ("command: [docker, run, -p, '80:80', -u, 'app:staff', image]", []),
        ("command: [mysql, -u, root, -p, trading]", []),  # -p alone: a prompt, then the database
        ("command: [mongosh, -u, app, -p, --authenticationDatabase, admin]", []),
        ("command: [curl, -u, admin, https://x]", []),  # a user alone: curl asks for the password
        ("command: [curl, -u, 'admin:$(ADMIN_PASSWORD)', https://x]", []),  # the kubelet expands it: a Secret's
        ("command: [openssl, enc, -pass, 'env:ENC_PASSWORD']", []),
        ('command: [sh, -c, \'curl -u "u:$PASSWORD" x; redis-cli -a "$REDIS_PASSWORD" ping\']', []),
        ('command: [sh, -c, "cat <<EOF\\n curl -u a:Yy1xW2vU3tS4rQ5p x\\nEOF\\n"]', []),  # a here-document: data
        ('command: [sh, -c, "# curl -u a:Yy1xW2vU3tS4rQ5p x\\nexec app"]', []),  # a comment
        ("command: [ssh, -p, '2222', host]", []),
        (
            'command: [sh, -c, "cat <<EOF > /etc/app/app.properties\\ndb.password=Yy1xW2vU3tS4rQ5p\\nEOF\\nexec app"]',
            [((*CMD, 2), "db.password written in the text")],
        ),
    ],
)
def test_a_credential_given_by_a_program_s_own_option_is_found(entries: str, found: list) -> None:
    """``curl -u user:password``, ``mysql -p<password>``, ``sshpass -p``, ``redis-cli -a``, a
    registry login's ``-p``: on the command line or in its ``sh -c`` script. The walk judges a
    word by the flag before it (``--password x``), and passed these."""
    assert _given_by(entries) == found


CONTAINER = ("spec", "template", "spec", "containers", 0)


@pytest.mark.parametrize(
    ("entries", "found"),
    [
        (
            "lifecycle: {postStart: {exec: {command: [sh, -c, 'mysql -uroot -pYy1xW2vU3tS4rQ5p -e \"select 1\"']}}}",
            [((*CONTAINER, "lifecycle", "postStart", "exec", "command", 2), "mysql's -p")],
        ),
        (
            "lifecycle: {preStop: {exec: {command: [redis-cli, -a, Yy1xW2vU3tS4rQ5p, shutdown]}}}",
            [((*CONTAINER, "lifecycle", "preStop", "exec", "command", 2), "redis-cli's -a")],
        ),
        (
            "livenessProbe: {exec: {command: [redis-cli, -a, Yy1xW2vU3tS4rQ5p, ping]}}",
            [((*CONTAINER, "livenessProbe", "exec", "command", 2), "redis-cli's -a")],
        ),
        (
            "readinessProbe: {exec: {command: [sh, -c, 'PGPASSWORD=Yy1xW2vU3tS4rQ5p pg_isready -U app']}}",
            [((*CONTAINER, "readinessProbe", "exec", "command", 2), "PGPASSWORD assigned on the command line")],
        ),
        ("startupProbe: {exec: {command: [redis-cli, -a, '$(REDIS_PASSWORD)', ping]}}", []),
    ],
)
def test_the_commands_a_container_s_hooks_and_probes_run_are_command_lines(entries: str, found: list) -> None:
    """The kubelet runs each exec action of a container (its lifecycle hooks', its probes') as a
    command line in it: what it gives a program there is as readable as on the container's own."""
    assert _given_by(entries) == found


def test_each_credential_of_a_script_is_located_at_its_own_line() -> None:
    """Every credential of a script (an env file) in a literal block scalar was located at its
    key: two commands of one script, one line each. A text in another style, or a credential on
    its first line, keeps the key's place."""
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\ndata:\n"  # lines 1-4
        "  run.sh: |\n    #!/bin/sh\n    curl -u a:Zq8vR2mX9pL4kT7w http://x\n"  # 5-7
        "    curl -u b:Pp7uQ1nW8oK3jS6v http://y\n"  # 8
        "  app.properties: 'db.password=Yy1xW2vU3tS4rQ5p'\n"  # 9: one line, the key's place
        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"  # 10-15
        "    - name: c\n      image: registry.example/x:1\n      command:\n        - sh\n        - -c\n"  # 16-20
        "        - |\n          set -e\n          redis-cli -a Oo9tR3eW1qA5sD7f ping\n"  # 21-23
    )
    parsed = parse_bytes(text.encode(), "all.yaml")
    resources = [Resource(d.node, d.data) for d in parsed.documents]
    violations = list(inline_secrets.check(RuleContext({}, resources, resources, [])))
    located = sorted((v.location or v.resource.locate(v.path)).line for v in violations)
    assert located == [7, 8, 9, 23]


@pytest.mark.parametrize(
    ("command", "found"),
    [
        ("[bash]", ["curl's -u", "DB_PASSWORD assigned on the command line"]),
        ("[/bin/sh]", ["curl's -u", "DB_PASSWORD assigned on the command line"]),
        ("[python]", []),  # Python's source: code, read for quoted literals only
    ],
)
def test_an_argo_script_template_s_source_is_its_shell_s_script(command: str, found: list) -> None:
    """Argo runs a script template's command on its ``source``: with a shell, that is a script
    like ``sh -c``'s (no #! line needed)."""
    text = (
        "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: seed}\nspec:\n"
        "  templates:\n    - name: seed\n      script:\n        image: registry.example/tools:1\n"
        f"        command: {command}\n        source: |\n          export DB_PASSWORD=Yy1xW2vU3tS4rQ5p\n"
        "          curl -u admin:Pp7uQ1nW8oK3jS6v http://ch:8123/ping\n"
    )
    parsed = parse_bytes(text.encode(), "wt.yaml")
    resources = [Resource(d.node, d.data) for d in parsed.documents]
    violations = list(inline_secrets.check(RuleContext({}, resources, resources, [])))
    assert sorted(_what_gives(v.message) for v in violations) == sorted(found)
    assert all(v.path == ("spec", "templates", 0, "script", "source") for v in violations)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("#!/bin/sh\nset -e\ncurl -sf -u default:Yy1xW2vU3tS4rQ5p http://ch:8123/?query=SELECT%201\n", ["curl's -u"]),
        ("#!/bin/sh\nsshpass -p Yy1xW2vU3tS4rQ5p \\\n  ssh host\n", ["sshpass's -p"]),  # a line continued
        ('#!/bin/sh\ncurl -u "default:${CLICKHOUSE_PASSWORD}" http://ch:8123/ping\n', []),
        ("#!/usr/bin/env python3\nsubprocess.run(['curl', '-u', user + ':' + pw])\n", []),  # no shell's script
        # a file a here-document writes is read as a file of its name is
        (
            "#!/bin/sh\ncat <<EOF > /etc/app/.env\nDB_PASSWORD=Yy1xW2vU3tS4rQ5p\nEOF\nexec app\n",
            ["DB_PASSWORD written"],
        ),
        ("#!/bin/sh\ncat > /root/.pgpass <<'EOF'\ndb:5432:*:app:Yy1xW2vU3tS4rQ5p\nEOF\n", ["a .pgpass password"]),
        (
            "#!/bin/sh\ntee /run/app/token >/dev/null <<EOF\nYy1xW2vU3tS4rQ5p\nEOF\n",
            ["token holds a plaintext credential"],
        ),
        ("#!/bin/sh\ncat <<EOF > /etc/app/.env\nDB_PASSWORD=$DB_PASSWORD\nEOF\n", []),  # the shell expands it
        ("#!/bin/sh\ncat <<EOF > /app/run.py\ntoken=None\npassword=load()\nEOF\n", []),  # code, not literals
        ("#!/bin/sh\npython - <<'PY'\npassword=Yy1xW2vU3tS4rQ5p\nPY\n", []),  # a program's input, no file
    ],
)
def test_a_script_in_a_configmap_gives_programs_credentials(text: str, found: list) -> None:
    hits = _Scanner({}).walk({"data": {"check": text}})
    assert [
        what.split(" option")[0].split(" in the text")[0].split(" is written")[0].split(",")[0] for _, what, _ in hits
    ] == found


@pytest.mark.usefixtures("untraced")
@given(
    name=st.from_regex(
        r"[A-Za-z_][A-Za-z0-9_]{0,12}(password|Secret|TOKEN|api_key|Pass|pwd)[_.-]?[A-Za-z0-9]{0,4}", fullmatch=True
    ),
    suffixes=st.none() | st.lists(st.sampled_from(["pin", "Passphrase", "api-key", "ключ"]), min_size=1, max_size=3),
)
@settings(max_examples=300, deadline=None)
def test_a_script_is_skipped_only_when_no_name_in_it_can_be_a_credential_s(name: str, suffixes: list | None) -> None:
    """``mentions`` spares reading most scripts name by name; it must never spare one that
    assigns a credential-named variable (with the default suffixes or a policy's own)."""
    scanner = _Scanner({} if suffixes is None else {"secretKeySuffixes": suffixes})
    if scanner.secret_like(name):
        assert scanner.mentions(f"set -e; cd /app && export {name}=value && exec app")


def test_a_policy_s_own_suffixes_ignore_case_and_separators_as_names_do() -> None:
    """``secretKeySuffixes: [broker-pin]`` names BROKER_PIN (the parameter says case and separators
    are ignored; a suffix written with one matched no name); a suffix of no letter matches none."""
    scanner = _Scanner({"secretKeySuffixes": ["broker-pin", "ключ"]})
    assert [what for _, what, _ in scanner.walk({"env": [{"name": "IBKR_BROKER_PIN", "value": "84736251908"}]})] == [
        "IBKR_BROKER_PIN holds a plaintext credential"
    ]
    assert scanner.walk({"data": {"region": "us-east-1", "note": "plain words"}}) == []


def _line_of(lines: inline_secrets._Lines, value: str) -> int:
    """The (1-based) line of ``value``'s next place; 1 when the text does not hold it."""
    return 1 if lines.place(value) is None else lines.line + 1


def test_a_loose_file_s_findings_are_on_the_lines_of_their_values() -> None:
    """Each value after the one before it; the next scanner's from the start again; the same
    value twice in a row is one place (a token under a credential's name: one finding); a value
    the text does not hold is on line 1 and leaves the last place where it was."""
    asked = ["x1", "y2", "x1", "x1", "z3", "y2", "nowhere", "x1"]
    lines = inline_secrets._Lines("a=x1\nb=y2\nc=x1\nd=z3\n", asked)
    assert [_line_of(lines, v) for v in asked] == [1, 2, 3, 3, 4, 2, 1, 3]


def test_values_a_loose_file_does_not_hold_as_written_are_told_in_one_pass() -> None:
    """A shell's ``"ab"cd`` is ``abcd``, which the text does not hold: such a value is on line 1
    (as it was), told without a search of its own (20,000 of them in 0.9 MB took 9 s)."""
    text = "".join(f"export DB{n}_PASSWORD=v{n:03d}x\n" for n in range(40))
    values = [f"v{n:03d}x" for n in range(40)] + [f"absent{n}" for n in range(40)]
    lines = inline_secrets._Lines(text, values)
    searched = []
    lines.text = type("Counting", (str,), {"find": lambda self, *a: searched.append(a) or str.find(self, *a)})(text)
    assert [_line_of(lines, v) for v in values] == list(range(1, 41)) + [1] * 40
    assert all(args[0].startswith("v") for args in searched)  # no search for what the text does not hold


@pytest.mark.parametrize(
    ("kind", "template"),
    [(kind, template) for kind, templates in inline_secrets.SECRET_TEMPLATES.items() for template in templates],
)
def test_a_template_an_exempt_kind_writes_into_its_secret_is_judged(kind: str, template: tuple) -> None:
    """Every kind's template: a literal in its ``data`` is a Secret's value in clear, a template
    action ({{ ... }}) or a connection coordinate is not, and a ``templateFrom`` literal is read
    for what it assigns. The rest of an exempt kind is still read for token formats alone."""
    data: dict = {"apiVersion": "x/v1", "kind": kind, "metadata": {"name": "s"}}
    at = data
    for step in template:
        at = at.setdefault(step, {})
    at["data"] = {"token": "Zk3jq9LmP2xR7vT4", "dsn": "postgres://u:{{ .pw }}@db/x", "username": "torghut"}
    at["templateFrom"] = [{"literal": "db:\n  user: torghut\n  password: Yy1xW2vU3tS4rQ5p\n"}]
    data["spec"]["secretKey"] = "db-password"  # a key's name (an ExternalSecret's data), not a credential
    node = parse_bytes(json.dumps(data).encode(), "s.json").documents[0].node
    res = Resource(node, data)
    ctx = RuleContext({}, [res], [res], [])
    found = [(v.path, v.secrets) for v in inline_secrets.check(ctx)]
    assert found == [
        ((*template, "data", "token"), ("Zk3jq9LmP2xR7vT4",)),
        ((*template, "templateFrom", 0, "literal"), ("Yy1xW2vU3tS4rQ5p",)),
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("CREATE USER torghut WITH PASSWORD 'Tr4d1ngS3cretPw';", ["Tr4d1ngS3cretPw"]),  # PostgreSQL
        ("ALTER ROLE app LOGIN ENCRYPTED PASSWORD 'An0therS3cretPw'", ["An0therS3cretPw"]),
        ("CREATE USER 'app'@'%' IDENTIFIED BY 'Tr4d1ngS3cretPw';", ["Tr4d1ngS3cretPw"]),  # MySQL
        ("SET PASSWORD FOR 'app'@'%' = 'Tr4d1ngS3cretPw';", ["Tr4d1ngS3cretPw"]),
        ("CREATE USER IF NOT EXISTS torghut IDENTIFIED WITH sha256_password BY 'Tr4d1ngS3cretPw'", ["Tr4d1ngS3cretPw"]),
        ("create login app with password = 'Tr4d1ngS3cretPw'", ["Tr4d1ngS3cretPw"]),  # SQL Server, any case
        ("CREATE USER r IDENTIFIED BY 'it''s-a-S3cret'", ["it''s-a-S3cret"]),  # a quote doubled
        # what is no password in clear: a hash, a variable, a template, a parameter
        ("CREATE USER torghut IDENTIFIED WITH sha256_hash BY '" + "a1" * 32 + "'", []),
        ("CREATE USER 'app'@'%' IDENTIFIED BY PASSWORD '*" + "A1" * 20 + "'", []),
        ("ALTER ROLE app PASSWORD 'SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy'", []),
        ("ALTER ROLE app PASSWORD 'md5" + "0f" * 16 + "'", []),
        ("CREATE USER torghut WITH PASSWORD '${TORGHUT_DB_PASSWORD}';", []),
        ("CREATE USER torghut WITH PASSWORD :'password';", []),
        ("cursor.execute('CREATE USER x PASSWORD %s', (pw,))", []),
        ("the password is rotated monthly", []),
    ],
)
def test_a_password_a_sql_statement_sets_is_found(text: str, found: list) -> None:
    """A schema Job's SQL, an init script in a ConfigMap, CloudNativePG's postInitSQL: a user
    created or altered with a literal password holds it in clear, under any name."""
    hits = _Scanner({}).walk({"data": {"init.sql": text}, "spec": {"postInitSQL": [text]}})
    assert sorted({value for _, _, value in hits}) == found
    if found:
        assert {path for path, _, _ in hits} == {("data", "init.sql"), ("spec", "postInitSQL", 0)}


@pytest.mark.parametrize("kind", ["SecretStore", "ClusterSecretStore"])
def test_a_fake_secret_store_s_values_are_secrets_in_clear(kind: str) -> None:
    """External Secrets' fake provider serves the values its store holds: an ExternalSecret that
    reads one delivers it to the Secret, and the repository holds it in clear. The rest of a store
    (its provider's references) is read for token formats only."""
    data = {
        "apiVersion": "external-secrets.io/v1beta1",
        "kind": kind,
        "metadata": {"name": "fake"},
        "spec": {
            "provider": {
                "fake": {
                    "data": [
                        {"key": "/db/password", "value": "Zk3jq9LmP2xR7vT4", "version": "v1"},
                        {"key": "/db/all", "valueMap": {"user": "torghut", "password": "Yy1xW2vU3tS4rQ5p"}},
                    ]
                }
            },
            "secretKey": "db-password",
        },
    }
    node = parse_bytes(json.dumps(data).encode(), "s.json").documents[0].node
    res = Resource(node, data)
    found = [(v.path, v.secrets) for v in inline_secrets.check(RuleContext({}, [res], [res], []))]
    fake = ("spec", "provider", "fake", "data")
    assert found == [
        ((*fake, 0, "value"), ("Zk3jq9LmP2xR7vT4",)),
        ((*fake, 1, "valueMap", "password"), ("Yy1xW2vU3tS4rQ5p",)),
    ]


@pytest.mark.parametrize(
    ("text", "entries"),
    [
        ('[{"name":"DB_PASSWORD","value":"a\\"b"}]', [("DB_PASSWORD", 'a"b')]),  # JSON's escapes read
        ("- name: DB_PASSWORD\n  value: 'x y'\n", [("DB_PASSWORD", "x y")]),
        ('env: [{name: A, value: b}, {name: C, value: "d"}]', [("A", "b"), ("C", "d")]),
        ("- name: A\n  valueFrom: {secretKeyRef: {name: s, key: k}}\n", []),  # a reference: no value
        ("name: A\nimage: x\nvalue: y\n", []),  # not one entry's
    ],
)
def test_environment_entries_written_inside_a_text(text: str, entries: list) -> None:
    from torghut_lint.templates.inline_secrets import env_entries

    assert list(env_entries(text)) == entries


def test_environment_entries_are_found_in_linear_time_on_a_hostile_text() -> None:
    """A megabyte of names and values that never close: RE2 reads it once (no backtracking)."""
    from torghut_lint.templates.inline_secrets import env_entries

    text = '"name": "A", "value": "' + "\\\\" * 500_000 + "name: A\n" * 50_000
    assert len(list(env_entries(text))) <= 1


def _workflow(parameters: list, templates: list) -> list[Resource]:
    doc = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "WorkflowTemplate",
        "metadata": {"name": "w"},
        "spec": {"arguments": {"parameters": parameters}, "templates": templates},
    }
    parsed = parse_bytes(json.dumps(doc).encode(), "w.yaml")
    return [Resource(d.node, d.data) for d in parsed.documents]


def test_each_value_a_workflow_parameter_may_take_is_read_where_argo_puts_it_in() -> None:
    """An enum's every value may be the one submitted: each is a credential where a template puts
    it under a credential's name; a parameter used where none goes (a symbol) is none."""
    secrets = [f"Zq8vR2mX9pL4kT{i:02d}" for i in range(20)]
    resources = _workflow(
        [{"name": "q", "enum": secrets}, {"name": "sym", "enum": ["AAPL", "MSFT"]}],
        [
            {
                "name": "u",
                "container": {
                    "image": "x:1",
                    "args": ["--symbol={{workflow.parameters.sym}}"],
                    "env": [{"name": "DB_PASSWORD", "value": "{{ workflow.parameters.q }}"}],
                },
            }
        ],
    )
    violations = list(inline_secrets.check(RuleContext({}, resources, resources, [])))
    assert sorted(v.secrets[0] for v in violations) == secrets
    assert all(v.path == ("spec", "templates", 0, "container", "env", 0, "value") for v in violations)


def test_a_workflow_whose_parameters_expand_past_the_bound_is_a_finding_naming_no_credential() -> None:
    source = 'curl -u "a:{{workflow.parameters.p}}" x\n' * 5000
    resources = _workflow(
        [{"name": "p", "value": "ab1" * 1300}],
        [{"name": "t", "script": {"image": "x:1", "command": ["sh"], "source": source}}],
    )
    violations = list(inline_secrets.check(RuleContext({}, resources, resources, [])))
    assert [(v.path, v.message, v.secrets) for v in violations] == [((), inline_secrets.UNREAD_PARAMETERS, ())]


def _application_set(elements: list, template_spec: dict) -> list[Resource]:
    doc = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": "s"},
        "spec": {
            "goTemplate": True,
            "generators": [{"list": {"elements": elements}}],
            "template": {"metadata": {"name": "{{.name}}"}, "spec": template_spec},
        },
    }
    parsed = parse_bytes(json.dumps(doc).encode(), "s.yaml")
    return [Resource(d.node, d.data) for d in parsed.documents]


def test_a_large_application_set_is_read_whole_and_a_credential_in_one_element_found() -> None:
    """Each application is read for the fields that name a parameter only (an entry's name
    beside them): 3,000 elements are far from the bound. Put into a chart's username, no seed is
    a credential; into its password, each is one, found at the template's parameter."""
    elements = [{"name": f"app-{i}", "path": f"apps/app-{i}", "seed": f"seed-{i}"} for i in range(3000)]
    elements[1234]["seed"] = "Zq8vR2mX9pL4kT7w"
    source = {
        "repoURL": "https://charts.example.com",
        "chart": "c",
        "path": "{{.path}}",
        "helm": {"parameters": [{"name": "auth.username", "value": "{{.seed}}"}]},
    }
    resources = _application_set(elements, {"project": "default", "source": source})
    assert list(inline_secrets.check(RuleContext({}, resources, resources, []))) == []
    source["helm"]["parameters"][0]["name"] = "auth.password"
    resources = _application_set(elements, {"project": "default", "source": source})
    violations = list(inline_secrets.check(RuleContext({}, resources, resources, [])))
    assert sorted(v.secrets[0] for v in violations) == sorted(element["seed"] for element in elements)
    assert {v.path for v in violations} == {("spec", "template", "spec", "source", "helm", "parameters", 0, "value")}


def test_an_application_set_whose_parameters_expand_past_the_bound_is_a_finding_naming_no_credential() -> None:
    values = "\n".join(f"k{i}: {{{{.p}}}}" for i in range(3000))
    elements = [{"name": "a", "p": "ab1" * 1300}]
    source = {"repoURL": "https://charts.example.com", "chart": "c", "helm": {"values": values}}
    resources = _application_set(elements, {"project": "default", "source": source})
    violations = list(inline_secrets.check(RuleContext({}, resources, resources, [])))
    assert [(v.path, v.message, v.secrets) for v in violations] == [((), inline_secrets.UNREAD_ELEMENTS, ())]


@pytest.mark.parametrize(
    ("entry", "found"),
    [
        ({"name": "DB_PASSWORDS", "value": "Zq8vR2mX9pL4kT7w,Pp7uQ1nW8oK3jS6v"}, True),  # a plural: a list of them
        ({"name": "API_TOKENS", "value": '["Zq8vR2mX9pL4kT7w"]'}, True),
        ({"name": "AGENTS_RUN_SECRETS", "value": "github-token,codex-auth"}, False),  # Secret names
        ({"name": "BEARER_TOKENS", "value": "<token1>,<token2>"}, False),  # placeholders
        ({"name": "ACCESS", "value": "Zq8vR2mX9pL4kT7w"}, False),  # no plural: a word ending in ss
        ({"name": "waive.no-inline-secrets", "value": "reason=rotated key; owner=sre"}, False),  # prose
        ({"name": "DB_PASSWORDS", "value": "Zq8vR2mX9pL4kT7w, Pp7uQ1nW8oK3jS6v"}, True),  # blanks after commas
        # an Argo CD plugin's parameters and an Argo workflow's: the entry's name says what it holds
        ({"name": "db-password", "string": "Zq8vR2mX9pL4kT7w"}, True),
        ({"name": "api-tokens", "array": ["Zq8vR2mX9pL4kT7w"]}, True),
        ({"name": "db-password", "default": "Zq8vR2mX9pL4kT7w"}, True),
        ({"name": "mode", "string": "Zq8vR2mX9pL4kT7w"}, False),
    ],
)
def test_an_entry_s_name_judges_its_value_however_the_entry_holds_it(entry: dict, found: bool) -> None:
    hits = _Scanner({}).walk({"spec": {"parameters": [entry]}})
    assert bool(hits) is found, hits
