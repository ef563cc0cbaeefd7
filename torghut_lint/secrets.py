"""What a credential looks like, and the one layer that masks credentials in everything printed.

The detector (token formats, private keys, ``user:password@`` URLs) serves two masters: the
``inline-secrets`` template, which reports credentials written in the tree, and :class:`Redactor`,
which every output passes through (report formats, stderr, ``fix --diff``, baseline files, the
Argo CD plugin's stderr). Using one detector for both means anything the rule can see, the
redaction can mask: the two never disagree on where a token starts or ends.

All patterns are RE2 (:mod:`torghut_lint.regex`), so a scan is linear in the text it reads.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

from torghut_lint import regex
from torghut_lint.k8s import assignments_from, walk_strings
from torghut_lint.literals import Literals
from torghut_lint.shell import SCRIPT_ASSIGNMENT, reads, without_heredocs

REDACTED = "[REDACTED]"
MIN_KNOWN_SECRET = 6  # shorter known values are too common to mask by text (messages never quote them)

TOKEN_PATTERNS = [
    ("private key", regex.Lazy(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
    # the same, base64-encoded (a kubeconfig's client-key-data): "-----BEGIN ", then "PRIVATE KEY"
    # at any of the three alignments base64 can give it; the whole blob
    (
        "base64 private key",
        regex.Lazy(
            r"\bLS0tLS1CRUdJTi[A-Za-z0-9+/]{0,64}?(?:UFJJVkFURSBLRVk|SVZBVEUgS0VZ|UklWQVRFIEtFWS)[A-Za-z0-9+/=]*"
        ),
    ),
    ("AWS access key", regex.Lazy(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("GitHub token", regex.Lazy(r"\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{40,})\b")),
    ("Slack token", regex.Lazy(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("API secret key", regex.Lazy(r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{32,}")),
    ("Google API key", regex.Lazy(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("Stripe live key", regex.Lazy(r"\b[rs]k_live_[0-9A-Za-z]{24,}")),
    ("JSON Web Token", regex.Lazy(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")),
    ("npm token", regex.Lazy(r"\bnpm_[A-Za-z0-9]{36}\b")),
    ("GitLab token", regex.Lazy(r"\bgl(?:pat|dt|rt|ptt)-[0-9A-Za-z_-]{20,}")),
    ("Slack webhook", regex.Lazy(r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]{20,}")),
    (
        "Discord webhook",
        regex.Lazy(r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]+/[A-Za-z0-9_-]{60,}"),
    ),
    ("SendGrid key", regex.Lazy(r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b")),
    ("Hugging Face token", regex.Lazy(r"\bhf_[A-Za-z]{34}\b")),
    ("PyPI token", regex.Lazy(r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}")),
    ("Docker Hub token", regex.Lazy(r"\bdckr_pat_[A-Za-z0-9_-]{27,}")),
    ("Databricks token", regex.Lazy(r"\bdapi[0-9a-f]{32}(?:-[0-9])?\b")),
    ("Shopify token", regex.Lazy(r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b")),
    ("DigitalOcean token", regex.Lazy(r"\bdo[opr]_v1_[a-f0-9]{64}\b")),
    ("age secret key", regex.Lazy(r"\bAGE-SECRET-KEY-1[0-9A-Z]{58}\b")),
    ("Vault token", regex.Lazy(r"\bhv[sb]\.[A-Za-z0-9_-]{90,}")),
    ("Grafana token", regex.Lazy(r"\b(?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,}={0,2})")),
    ("Telegram bot token", regex.Lazy(r"\b[0-9]{8,10}:AA[A-Za-z0-9_-]{33}\b")),
    ("Azure storage key", regex.Lazy(r"AccountKey=([A-Za-z0-9+/]{86}==)")),
    # an HTTP Authorization header's credentials, wherever the header is written (``curl -H``, a
    # script, a client's configuration): the credentials alone (the group), not the header's words
    (
        "credential in an HTTP Authorization header",
        regex.Lazy(
            r"\b(?i:proxy-)?(?i:authorization)[\"']?[ \t]*[:=][ \t]*[\"']?(?i:bearer|basic|token|apikey|api-key)"
            r"[ \t]+([A-Za-z0-9._~+/-]{8,}=*)"
        ),
    ),
]
# A URL's credentials: user:password@ (the rule reports the password) ...
URL_CREDENTIALS = regex.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://([^/\s:@'\"]+):([^/\s@'\"]+)@")
# ... and any userinfo at all, which output always masks (a token is often the user part alone).
# (``scheme:/user:pw@`` too: tools that clean paths print URLs with one slash).
_URL_USERINFO = regex.compile(r"([A-Za-z][A-Za-z0-9+.-]*:/+)([^/\s@'\"?#]+)@")
# ``password=...``, ``"api_key": "..."`` in free text (tool errors quoting a generator literal or
# a manifest line): the value after a credential-like key and ``=`` or ``:``.
_KEYWORD_VALUE = regex.compile(
    r"(?i)(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|credentials?)"
    r"[A-Za-z0-9_-]*[\"']?\s*[:=]\s*[\"']?([^\s\"',;}\]]{3,})"
)
_ANY_TOKEN = regex.Lazy("|".join(f"(?:{pattern.pattern})" for _, pattern in TOKEN_PATTERNS))
# Output masks a token wherever it stands, even glued to other name characters (a token used as
# a namePrefix ends up inside a resource name): the same patterns without word boundaries.
_ANY_TOKEN_ANYWHERE = regex.Lazy(
    "|".join(f"(?:{pattern.pattern.replace(chr(92) + 'b', '')})" for _, pattern in TOKEN_PATTERNS)
)


# Literals every token pattern above starts with: a text holding none of them holds no token,
# and saying so takes a few substring searches instead of a call into the RE2 binding (most
# scanned values; GitHub's prefixes spelled out, or every ghcr.io image would pass).
TOKEN_HINTS = (
    "-----BEGIN ",
    "LS0tLS1CRUdJTi",
    "AKIA",
    "ASIA",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "xox",
    "sk-",
    "AIza",
    "k_live_",
    "eyJ",
    "npm_",
    *("glpat-", "gldt-", "glrt-", "glptt-"),
    *("hooks.slack.com/", "/api/webhooks/", "SG.", "hf_", "pypi-AgEIcHlwaS5vcmc", "dckr_pat_", "dapi"),
    *("shpat_", "shpca_", "shppa_", "shpss_", "_v1_", "AGE-SECRET-KEY-1", "hvs.", "hvb.", "glsa_", "glc_"),
    *(":AA", "AccountKey="),
    "uthorization",  # Authorization, authorization
    "UTHORIZATION",
)


# ``key=value``, ``key: value``, ``"key": "value"``, ``-Dkey=value``, ``--key=value`` and
# ``<key>value</key>`` written inside a text (a properties, env, JSON, YAML or XML file held in a
# ConfigMap, a JVM or command-line flag, a literal in a script): each key the inline-secrets rule
# then judges by its name, as it judges a mapping key. The keys looked for are those holding one
# of the words the rule judges names by (its policy's suffixes, :class:`Words`): a shorter list of
# its own passed ``"pwd": "..."`` in a JSON file and a policy's own ``broker-pin`` in a properties
# file, names it reported as keys or env vars.
_KEY_CHAR = r"[A-Za-z0-9_.\-]"
_VALUE = r"(?:\"([^\"\n]{3,})\"|'([^'\n]{3,})'|([^\s\"',;}\]<>]{3,}))"


_HINTS = (b"pass", b"secret", b"token", b"key")  # words many credential names hold
_NOTHING = r"[^\x00-\x{10FFFF}]"  # what no text holds (no word to look for)


class Words:
    """The words (letters and digits, lower case: how names are compared) a credential's name
    ends with, and the patterns that find them assigned inside a text, made once per set of words."""

    def __init__(self, words: Iterable[bytes]) -> None:
        self.words = tuple(dict.fromkeys(w for w in words if w))
        # What a text is searched for, and the keys looked for in it hold: each word, or the shorter
        # common word it holds (``key`` for ``apikey`` and ``masterkey``, written as names write it);
        # a key holding one is then judged by its whole name. A word of the policy's own is spelled
        # as a name may spell it: any case, a separator between any two of its letters
        # (``broker-pin``, ``brokerPin`` and ``BROKER_PIN`` are ``brokerpin``, as names are compared).
        hints = {next((h for h in _HINTS if h in word), word) for word in self.words}
        self._hints = tuple(sorted(h for h in hints if not any(other != h and other in h for other in hints)))
        spelled = "|".join(
            re.escape(hint.decode()) if hint in _HINTS else "[_.\\-]?".join(re.escape(chr(c)) for c in hint)
            for hint in self._hints
        )
        key = rf"(?:[A-Za-z_]{_KEY_CHAR}*)?(?i:{spelled or _NOTHING}){_KEY_CHAR}*"
        self.assignment = regex.compile(
            # (``key :value`` is no assignment: psql's ``PASSWORD :'var'`` interpolates a variable)
            rf"(-D|--|[?&])?({key})[\"']?(?:[ \t]*=[ \t]*|:[ \t]*|[ \t]+:[ \t]+){_VALUE}"
            rf"|<({key})>[ \t]*([^\s<>]{{3,}})[ \t]*</([A-Za-z_]{_KEY_CHAR}*)>"
        )
        # ``requirepass value`` in a directive file (Redis, HAProxy's ``user u insecure-password v``): a
        # directive and its value, separated by spaces alone, outside a comment
        self.directive = regex.compile(
            rf"(?m)^(?:[^#;\n]*[ \t])?({key})[ \t]+"
            r"(?:\"([^\"\n]{3,})\"|'([^'\n]{3,})'|([^\s\"'#;=:]{3,}))(?:[ \t]|$)"
        )
        # ``--password value`` in a text (a shell script's command line): a long flag and the word after it
        self.spaced_flag = regex.compile(
            rf"(?:^|[\s;&|(])--({key})[ \t]+"
            r"(?:\"([^\"\n]{3,})\"|'([^'\n]{3,})'|([^\s\"'\-;&|)][^\s\"';&|)]{2,}))"
        )

    def mentioned(self, text: str) -> bool:
        """Whether ``text`` holds one of the words once its case and separators are dropped (False:
        no name in it ends with one)."""
        return any(map(flat(text).__contains__, self._hints))

    def assignments(self, text: str) -> Iterator[tuple[str, str, bool]]:
        """(key, value, unquoted) of every literal assigned inside ``text`` to a key holding one of
        the words: a quoted value, a flag's (``--password=v``, and ``--password v`` as a shell
        splits it), a URL query parameter's (``?user=u&password=p``: a JDBC or DSN string), an XML
        element's that closes with its own name, and an unquoted one (``unquoted``), which is a
        literal only where ``text`` is a configuration file: in a script an unquoted right-hand
        side is code (``password = os.environ["PW"]``), not a literal. The caller tells."""
        if not assigns(text) or not self.mentioned(text):
            return
        for match in self.assignment.finditer(text):
            flag, key, double, single, bare, element, content, closing = match.groups()
            if key is not None:
                value = double if double is not None else single if single is not None else bare
                yield key, value, bare is not None and flag is None
            elif element == closing:
                yield element, content, False
        if "--" in text:
            for match in self.spaced_flag.finditer(text):
                key, double, single, bare = match.groups()
                yield key, double if double is not None else single if single is not None else bare, False

    def directives(self, text: str) -> Iterator[tuple[str, str]]:
        """(directive, value) of every directive holding one of the words a directive file (see
        DIRECTIVE_FILES) gives a value (``requirepass value``)."""
        if not self.mentioned(text):
            return
        for match in self.directive.finditer(text):
            key, double, single, bare = match.groups()
            yield key, double if double is not None else single if single is not None else bare


# An ODBC, ADO.NET or Npgsql connection string: one line of two or more ``key=value`` pairs joined by
# ``;`` (no space around ``=``: ``a = 1; b = f()`` is code), whose values are literals as in a
# configuration file.
_CONNECTION_STRING = regex.compile(
    r"[ \t]*[A-Za-z][A-Za-z0-9 _.]*=[^;=\s][^;\n]*(?:;[ \t]*[A-Za-z][A-Za-z0-9 _.]*=[^;=\s][^;\n]*)+;?[ \t]*"
)


def connection_string(text: str) -> bool:
    """Whether ``text`` is a connection string (its unquoted values are literals)."""
    return ";" in text and "=" in text and _CONNECTION_STRING.fullmatch(text) is not None


# A configuration file known by what it holds (its name has no extension: ``credentials``,
# ``kubeconfig``, ``config``, ``env``): an env file, every line ``NAME=value`` alone (no space
# before ``=``: ``x = f()`` is code; nothing a shell would run: ``A=1 && app`` is a command line,
# and a ``#!`` script is read as its shell reads it); an ini file, ``[section]`` lines and
# ``key = value`` lines alone (an AWS credentials file); a YAML document that is a mapping (a
# kubeconfig) or a list of them (Argo CD's ``repositories``), no value of it a statement of code
# (``password: str = os.environ["PW"]`` reads as YAML too).
_ENV_LINE = regex.compile(
    r"[ \t]*(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_.]*=(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s\"'()<>;&|`=][^\s\"'()<>;&|`]*)?"
    r"[ \t]*(?:#.*)?"
)
_INI_SECTION = regex.compile(r"[ \t]*\[[^\]\n]+\][ \t]*")
_INI_LINE = regex.compile(
    r"[ \t]*[A-Za-z0-9_.\-]+(?:[ \t]+[A-Za-z0-9_.\-]+)*[ \t]*[=:][ \t]*[^\s=(]*(?:[ \t]+[^\s=(]+)*[ \t]*"
)
MAX_CONFIGURATION_TEXT = 1 << 20  # longer texts are not read as YAML to tell (the parse's limits apply below)
MAX_REMEMBERED_CONFIGURATION = 1 << 16  # longer texts' verdicts are not remembered (they would outlive their app)


def configuration_text(text: str) -> bool:
    """Whether ``text`` is a configuration file by what it holds (see above): its unquoted values
    are literals, as a ``.env``, ``.ini`` or ``.yaml`` file's are. Remembered for short texts
    (texts repeat: a chart's ConfigMap in every environment), never holding a long one alive."""
    return _configuration_text(text) if len(text) > MAX_REMEMBERED_CONFIGURATION else _remembered(text)


@functools.lru_cache(maxsize=256)
def _remembered(text: str) -> bool:
    return _configuration_text(text)


def _configuration_text(text: str) -> bool:
    if text.startswith("#!") or "\n" not in text.strip():  # a script, read as its shell reads it; one line, no file
        return False
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith(("#", ";"))]
    if not lines:
        return False
    if all(_ENV_LINE.fullmatch(line) for line in lines):
        return True
    sections = [_INI_SECTION.fullmatch(line) is not None for line in lines]
    if any(sections) and all(s or _INI_LINE.fullmatch(line) for s, line in zip(sections, lines, strict=True)):
        return True
    return len(text) <= MAX_CONFIGURATION_TEXT and ":" in text and _yaml_mapping(text)


def _yaml_mapping(text: str) -> bool:
    from torghut_lint.parse import parse_bytes  # (a text with a credential-like name in it only)

    parsed = parse_bytes(text.encode("utf-8", "surrogatepass"), "", go_yaml=False)
    documents = [doc.data for doc in parsed.documents if doc.data is not None]
    return (
        # read whole (a key written twice is still configuration: most readers keep the last)
        all(finding.rule == "yaml-duplicate-key" for finding in parsed.findings)
        and len(documents) == 1
        and (
            isinstance(documents[0], dict)
            or (isinstance(documents[0], list) and all(isinstance(item, dict) for item in documents[0]))
        )
        and not any(" = " in value for _, _, value in walk_strings(documents[0]))
    )


def assigns(text: str) -> bool:
    """Whether ``text`` holds a character that assigns (``=``, ``:``, an element, a flag)."""
    return "=" in text or ":" in text or "<" in text or "--" in text


_NOT_ALNUM_BYTES = bytes(c for c in range(256) if not (48 <= c <= 57 or 97 <= c <= 122))


def flat(text: str) -> bytes:
    """``text``'s letters and digits, lower case (ASCII): how names are compared, in C (a long
    script's too)."""
    return text.lower().encode("ascii", "ignore").translate(None, _NOT_ALNUM_BYTES)


def script_assignments(script: str) -> Iterator[tuple[str, str]]:
    """(name, value) of each ``NAME=value`` a POSIX shell running ``script`` assigns a literal
    (its value as the shell gives it, quotes removed; one the shell expands, ``$X`` or a
    backquote, is no literal). Only where a command starts (:data:`~torghut_lint.shell.SCRIPT_ASSIGNMENT`), and never in
    a here-document's body, which is data for a command (an embedded Python program's
    ``token=None``), not the shell's."""
    if "=" in script:
        for name, value, _ in assignments_from(without_heredocs(script), SCRIPT_ASSIGNMENT, chained=True):
            if value is not None:
                yield name, value
    for name, value, _ in reads(script):  # ``read -r PASSWORD <<< x``
        if value is not None:
            yield name, value


# Credential files whose format is neither ``key=value`` nor a URL, by the end of their name (a
# loose file's, or a ConfigMap key's mounted as one): libpq's password file, ``.netrc``, Docker's
# legacy config. Each is read by its own format (:func:`file_credentials`).
CREDENTIAL_FILES = ("pgpass", "netrc", ".dockercfg", ".dockerconfigjson")
_NETRC_PASSWORD = regex.compile(r"(?:^|\s)password\s+(\S+)")
_DOCKER_AUTH = regex.compile(r"\"auth\"\s*:\s*\"([A-Za-z0-9+/=]{8,})\"")


def _pgpass_fields(line: str) -> list[str]:
    """A ``.pgpass`` line's colon-separated fields, ``\\`` escapes undone."""
    fields: list[str] = []
    current: list[str] = []
    escaped = False
    for char in line:
        if escaped or char not in ":\\":
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            fields.append("".join(current))
            current = []
    return [*fields, "".join(current)]


@functools.lru_cache(maxsize=4096)  # asked of the key of every string the secrets walk reads
def credential_file(name: str) -> str | None:
    """The credential file format ``name`` names (see CREDENTIAL_FILES), or None."""
    lowered = name.lower().removesuffix(".conf")
    return next((kind for kind in CREDENTIAL_FILES if lowered.endswith(kind)), None)


def file_credentials(name: str, text: str) -> Iterator[tuple[str, str]]:
    """(what, literal) of each credential a credential file holds, by its format: a ``.pgpass``
    line's fifth field (``host:port:database:user:password``, ``\\:`` escaping a colon), a
    ``.netrc``'s ``password`` token, a Docker config's base64 ``auth``."""
    kind = credential_file(name)
    if kind == "pgpass":
        for line in text.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                fields = _pgpass_fields(line)
                if len(fields) >= 5:  # the rest of the line after four fields, as libpq reads it
                    yield "a .pgpass password", ":".join(fields[4:])
    elif kind == "netrc":
        yield from (("a .netrc password", m.group(1)) for m in _NETRC_PASSWORD.finditer(text))
    elif kind is not None:
        yield from (("a Docker registry auth", m.group(1)) for m in _DOCKER_AUTH.finditer(text))


# Keys of a ConfigMap (or any mapping) whose value is a configuration file: an unquoted value in
# it is a literal.
# Configuration files written as directives and their values, separated by spaces (redis.conf,
# haproxy.cfg): in YAML, JSON or a properties file two words are prose, not a directive.
DIRECTIVE_FILES = (".conf", ".cfg", ".cnf")
CONFIG_FILES = (".properties", ".env", ".ini", ".conf", ".cfg", ".cnf", ".toml", ".yaml", ".yml", ".json", ".xml")


# From this many characters one RE2 pass over a text costs less than the substring searches for
# each of TOKEN_HINTS (four times less on a 450 kB script in a ConfigMap); below it, the call into
# the RE2 binding costs more than the searches.
LONG_TEXT = 1024

# Whether ``text`` holds one of TOKEN_HINTS (False: :func:`tokens` finds nothing in it), as
# ``hint in text or ...`` written out: a generator over them costs more than the substring
# searches themselves, and this runs for every string of every resource. Worth asking of texts
# shorter than LONG_TEXT only: a longer one goes to the patterns at once.
token_hinted = eval("lambda text: " + " or ".join(f"{hint!r} in text" for hint in TOKEN_HINTS))  # noqa: S307


# A password a SQL statement sets in clear (a schema Job's script, an init script in a ConfigMap,
# CloudNativePG's postInitSQL), under whatever name the text is: PostgreSQL's ``[ENCRYPTED]
# PASSWORD 'x'``, MySQL's and ClickHouse's ``IDENTIFIED [WITH plugin] BY 'x'``, MySQL's ``SET
# PASSWORD [FOR u] = 'x'``, SQL Server's ``PASSWORD = 'x'``; the literal (a doubled quote is one).
SQL_PASSWORD = regex.compile(
    r"(?i)\b(?:password(?:[ \t\r\n]+for[ \t\r\n]+[^ \t\r\n=]+)?|identified(?:[ \t\r\n]+with[ \t\r\n]+([a-z0-9_]+))?"
    r"[ \t\r\n]+by)[ \t\r\n]*(?:=[ \t\r\n]*)?'((?:[^'\\\n]|''){3,})'"
)
# What is no password in clear: a hash (MySQL's ``*`` and 40 hex digits, PostgreSQL's md5 and
# SCRAM verifiers, bcrypt), and what a client or template fills in.
_PASSWORD_HASH = regex.compile(r"\*[0-9A-Fa-f]{40}|md5[0-9a-f]{32}|SCRAM-SHA-256\$.*|\$2[aby]?\$.*")
_FILLED_IN = ("${", "{{", "$(", "%s", "%(")


def sql_hinted(text: str) -> bool:
    """Whether ``text`` may set a password in a SQL statement (False: :func:`sql_passwords` finds none)."""
    return "'" in text and ("assword" in text or "ASSWORD" in text or "dentified" in text or "DENTIFIED" in text)


def sql_passwords(text: str) -> Iterator[str]:
    """Every password in clear that a SQL statement in ``text`` sets (see SQL_PASSWORD)."""
    for match in SQL_PASSWORD.finditer(text):
        plugin, value = match.group(1), match.group(2)
        if plugin is not None and plugin.lower().endswith("_hash"):  # ClickHouse: the hash is given
            continue
        if _PASSWORD_HASH.fullmatch(value) is not None or any(mark in value for mark in _FILLED_IN):
            continue
        yield value


# A Go template's ``default`` (Helm's, sprig's): the literal a chart, an ExternalSecret's template or
# an Argo workflow renders when the value it names is unset, ``{{ .Values.password | default "x" }}``
# or ``{{ default "x" .Values.password }}``; with the key it is assigned to in a text, if any.
# (the literal with its quotes: a Go string, or a raw string in backquotes)
_DEFAULT = r'\{\{-?[^}\n]*?\bdefault[ \t]+("(?:[^"\\\n]|\\.)*"|`[^`]*`)'
_TEMPLATE_DEFAULT = regex.Lazy(_DEFAULT)
_ASSIGNED_DEFAULT = regex.Lazy(r"([A-Za-z_][A-Za-z0-9_.\-]*)[\"']?[ \t]*[:=][ \t]*[\"']?" + _DEFAULT)


def template_defaults(text: str) -> Iterator[str]:
    """The literal of each template ``default`` in ``text`` (a value that is a template action)."""
    if "default" in text and "{{" in text:
        for match in _TEMPLATE_DEFAULT.finditer(text):
            yield match.group(1)[1:-1]


def assigned_defaults(text: str) -> Iterator[tuple[str, str]]:
    """(key, literal) of each template ``default`` assigned to a key inside ``text`` (a chart's
    template, a configuration file a template renders): ``password: {{ ... | default "x" }}``."""
    if "default" in text and "{{" in text:
        for match in _ASSIGNED_DEFAULT.finditer(text):
            yield match.group(1), match.group(2)[1:-1]


def any_token(text: str) -> bool:
    """Whether ``text`` holds a well-known token format or a private key anywhere."""
    return _ANY_TOKEN.search(text) is not None


def tokens(text: str) -> Iterator[tuple[str, str]]:
    """(label, token) of every well-known token format or private key in ``text``, and every
    password a SQL statement in it sets (:func:`sql_passwords`)."""
    # a long text goes to the patterns at once: hinted or not, it would be read once more
    if (len(text) >= LONG_TEXT or token_hinted(text)) and _ANY_TOKEN.search(text) is not None:
        for label, pattern in TOKEN_PATTERNS:
            for match in pattern.finditer(text):
                yield label, match.group(match.re.groups and 1)  # the credential: a header's, not its words
    if sql_hinted(text):
        for value in sql_passwords(text):
            yield "password a SQL statement sets", value


def _spans(text: str) -> list[tuple[int, int]]:
    """Where the detector sees a credential in ``text``: tokens, URL userinfo, values written
    after a credential-like key in free text, and passwords SQL statements set."""
    spans = [m.span(2) for m in _URL_USERINFO.finditer(text)] if ":/" in text else []
    if _ANY_TOKEN_ANYWHERE.search(text) is not None:
        spans += [m.span() for m in _ANY_TOKEN_ANYWHERE.finditer(text)]
    if ("=" in text or ":" in text) and _KEYWORD_VALUE.search(text) is not None:
        spans += [m.span(1) for m in _KEYWORD_VALUE.finditer(text)]
    if sql_hinted(text):  # a password a SQL statement sets (a hash or a variable masked too: harmless)
        spans += [m.span(2) for m in SQL_PASSWORD.finditer(text)]
    return spans


def _word_at(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` is a whole word (nothing name-like on either side)."""

    def namey(i: int) -> bool:
        return 0 <= i < len(text) and (text[i].isalnum() or text[i] in "_-")

    return not namey(start - 1) and not namey(end)


MAX_REMEMBERED = 1 << 16  # texts a redactor remembers the masked form of


class Redactor:
    """Masks credentials in text: whatever the detector sees, URL userinfo, and every value the
    ``inline-secrets`` rule found in the tree (``known``), wherever it appears.

    Masking is by position, not by blind replacement: a known value that is also a key name the
    text is about (``keep``, e.g. ``password`` when ``password: password`` is flagged) is left
    where it stands as that whole word, so the message still names the key."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        self.known = Literals(s for s in known if len(s) >= MIN_KNOWN_SECRET)  # all looked for in one pass
        # every answer, by (text, keep): a report's findings repeat the same kinds, namespaces,
        # names and messages thousands of times, and each text is otherwise scanned anew
        self._masked: dict[tuple[str, tuple[str, ...]], str] = {}

    def __call__(self, text: str, keep: Iterable[str] = ()) -> str:
        if not text:
            return text
        key = (text, tuple(keep))
        masked = self._masked.get(key)
        if masked is None:
            if len(self._masked) >= MAX_REMEMBERED:  # SCRUB lives as long as the process
                self._masked.clear()
            masked = self._masked[key] = self._mask(text, key[1])
        return masked

    def _mask(self, text: str, keep: tuple[str, ...]) -> str:
        spans = _spans(text) + self._known_spans(text, set(keep))
        if not spans:
            return text
        out, pos = [], 0
        for start, end in sorted(spans):
            if end <= pos:
                continue
            out.append(text[pos : max(start, pos)])
            if start >= pos:
                out.append(REDACTED)
            pos = end
        out.append(text[pos:])
        return "".join(out)

    def _known_spans(self, text: str, kept: set[str]) -> list[tuple[int, int]]:
        """Where the known values stand in ``text``, overlapping and nested ones too, but for a
        value that is a key name the text is about (in ``kept``) standing there as a whole word."""
        places = self.known.bounded_places(text)
        if places is None:  # values nested in each other, densely: the whole text goes
            return [(0, len(text))]
        return [
            (at, at + len(secret))
            for at, secret in places
            if not (secret in kept and _word_at(text, at, at + len(secret)))
        ]


SCRUB = Redactor()
"""The detector alone (no known values): for text produced before the tree's secrets are known."""
