"""Template ``inline-secrets``: no plaintext credential in the repository.

Flags Secret ``data``/``stringData`` values, string values under secret-like names (env
entries, ConfigMap keys, any mapping key, Helm values; a name qualified after its credential word,
``DB_PASSWORD_2``, ``SECRET_KEY_V2``, ``DB_PASSWORD_OLD``, is one; a literal handed on to such a
variable by ``$(VAR)`` or ``configMapKeyRef`` is judged there), URLs with ``user:password@``, private
keys, well-known token formats and HTTP ``Authorization`` headers, a program's own credential
option (``curl -u user:password``, ``mysql -p<password>``, ``helm --set``: :mod:`torghut_lint.shell`), and
secret-like keys assigned inside a text (a properties, env, JSON, YAML or XML file held in a
ConfigMap, a ``-D``/``--`` flag, a quoted literal in a script; a ConfigMap's ``binaryData``
decoded first). A literal that reaches a credential's place through a substitution whose name
says nothing is judged where it is put in: a shell's own variables (``P=x; prog --password "$P"``),
an Argo workflow's parameters (``{{workflow.parameters.seed}}``), an ApplicationSet's generator
parameters (``{{.seed}}``); each reading bounded, and past its bound a finding itself.
What no value holds is in the repository too: a key is read for token formats and URL passwords
(a ConfigMap's, a label's, one a generator makes from a literal), and so is every parsed file's
margins (:mod:`torghut_lint.margins`): its comments, where a commented-out line under a
credential's name counts as the file's own line would (prose after the name is none), and its
anchors and tags.
SealedSecrets, ExternalSecrets, ``secretKeyRef``, ``$(VAR)``/``${VAR}`` substitutions of what
the repository does not hold, file paths, numbers of fewer than eight digits and secret *names*
are not flagged.
The value itself never leaves this module except as a redaction token for the reporters."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import yaml

from torghut_lint import regex, shell
from torghut_lint.appsets import TEMPLATE_PARAMETER, merged_template, parameter_sets
from torghut_lint.discover import text_name
from torghut_lint.k8s import (
    MAX_COMMAND_LINE,
    PARAMETER_REFERENCE,
    WORKFLOW_KINDS,
    EnvValue,
    binary_texts,
    command_lines,
    command_words,
    containers,
    effective_env,
    expand,
    listed,
    mounted_configmap_keys,
    parameter_values,
    references,
    text,
    walk_strings,
)
from torghut_lint.literals import Literals
from torghut_lint.model import Location, Path_, Resource, find_node, value_at
from torghut_lint.secrets import (
    CONFIG_FILES,
    DIRECTIVE_FILES,
    LONG_TEXT,
    URL_CREDENTIALS,
    Words,
    assigned_defaults,
    assigns,
    configuration_text,
    connection_string,
    credential_file,
    file_credentials,
    flat,
    script_assignments,
    sql_hinted,
    template_defaults,
    token_hinted,
    tokens,
)
from torghut_lint.templates.base import RuleContext, Template, Violation

DEFAULT_SECRET_SUFFIXES = [
    "password",
    "passwd",
    "pwd",  # MYSQL_PWD (PWD itself holds a path)
    "secret",
    "secretkey",
    "token",
    "apikey",
    "privatekey",
    "accesskey",
    "clientsecret",
    "authkey",
    "webhooksecret",
    "sessionkey",
    "encryptionkey",
    "signingkey",  # JWT_SIGNING_KEY: whoever holds it mints tokens
    "hmackey",
    "masterkey",
    "requirepass",  # Redis's (and Valkey's) password directives
    "masterauth",
    "passphrase",  # a key's passphrase: whoever holds both holds the key
    "secretkeybase",  # Rails's: it signs and encrypts every session
    "jwtkey",  # symmetric keys named by what they key (a bare KEY names a map's key too often)
    "aeskey",
    "signaturekey",
    "cipherkey",
]
# Suffixes that name a credential only in an environment variable's spelling (upper case):
# DB_PASS and SMTP_PASS are passwords (DB_PW too), a workflow's next_on_pass is a step.
DEFAULT_VARIABLE_SUFFIXES = ["pass", "pw"]
DEFAULT_IGNORED_SUFFIXES = [
    "bypass",
    "compass",
    "existingsecret",
    "secretname",
    "secretref",
    "tokenpath",
    "passwordfile",
    "tokenfile",
    "keyfile",
    "secretfile",
    "passwordsecret",
    "usernamesecret",
    "secretkeyref",
]
DEFAULT_EXEMPT_KINDS = [
    "SealedSecret",
    "ExternalSecret",
    "ClusterExternalSecret",
    "SecretStore",
    "ClusterSecretStore",
    "PushSecret",
]

_VARIABLE = re.compile(r"^[A-Z][A-Z0-9_]*$")  # an environment variable's spelling
# A command-line word that is a flag alone (``--password``, ``-token``): the next word is its value.
_FLAG = re.compile(r"^--?([A-Za-z][A-Za-z0-9_.-]*)$")
EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".tmpl", ".dist")
# loose files whose unquoted words are code or documentation, not values (discover.text_name;
# a plain .txt is read as configuration: ``secret_key = abc`` in a note is the key itself)
SCRIPT_OR_PROSE = (".sh", ".bash", ".zsh", ".md", ".tf", ".tfvars", ".hcl", ".py", ".js", ".ts", ".go", ".rb", ".java")
_SUBSTITUTION = re.compile(r"\$\(|\$\{|\$[A-Za-z_]|\{\{|^<[^>]*>$|^\*+$|^%[sd]$")
# Key suffixes of a Secret entry that configure a credential rather than hold one (Argo CD
# repository secrets, SASL settings, connection coordinates); every other Secret key is a
# credential. Their values are still checked for embedded credentials and tokens.
BENIGN_SECRET_KEY_SUFFIXES = (
    "type",
    "name",
    "url",
    "project",
    "enableoci",
    "insecure",
    "username",
    "user",
    "host",
    "hostname",
    "port",
    "database",
    "dbname",
    "sasltype",
    "saslmechanism",
    "mechanism",
    "region",
    "endpoint",
    "bucket",
    "networkdata",
    "appid",
    "installationid",
    "image",  # an image reference a Secret carries (CloudNativePG's barman plugin: SIDECAR_IMAGE)
)
_DNS_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


@functools.lru_cache(maxsize=4096)
def _norm(key: str) -> str:
    """``key``'s letters and digits, lower case: how names are compared (``API_KEY`` is ``apikey``)."""
    return flat(key).decode()


def _norms(suffixes: list[str]) -> tuple[str, ...]:
    return tuple(n for n in map(_norm, suffixes) if n)


# Words that qualify a credential's name after it without changing what it holds: a number or a
# version (DB_PASSWORD_2, secretKeyV2), a rotation (_OLD, _NEXT, _BACKUP), an environment
# (_PROD, _STAGING) or a trading account (ALPACA_SECRET_LIVE, _PAPER). DB_PASSWORD_OLD holds a
# password as DB_PASSWORD does; matched on the name's end alone, it passed.
QUALIFIERS = frozenset(
    "old new prev previous next current curr backup bak legacy alt primary secondary orig original tmp temp "
    "prod production staging stage dev development test qa uat live paper sandbox "
    # how it is written down: a credential in base64 or hex is as clear as one in plain text
    "encoded hex pem raw plain plaintext value".split()  # (and b64, base64: see credential_name)
)
_QUALIFIER_ENDS = tuple(QUALIFIERS)
# a name's words: lower or capitalised (camelCase), runs of capitals (HTTPServer: HTTP, Server), numbers
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


_LIST_ITEMS = re.compile(r"[\s,;\[\]\"']+")  # what separates the items of a list written in one value
_AFTER_COMMA = re.compile(r",\s+")


def _one_credential(norm: str, value: str) -> bool:
    """Whether ``value`` under a credential's normalised name ``norm`` is one: not a placeholder,
    nor a Secret's name under a ``...secret`` name."""
    return not _placeholder(value) and not (norm.endswith("secret") and _DNS_NAME.match(value) and "-" in value)


def _forms(norm: str) -> tuple[str, ...]:
    """A normalised name, and its singular where it ends in a plural ``s`` (``passwords``,
    ``apitokens``; not ``access``)."""
    return (norm, norm[:-1]) if norm.endswith("s") and not norm.endswith("ss") else (norm,)


@functools.lru_cache(maxsize=4096)
def credential_name(key: str) -> str:
    """``key`` normalised (lower case, letters and digits) without the qualifying words that end
    it (:data:`QUALIFIERS`, numbers, ``v2``, ``b64``): the name whose end says whether it holds a
    credential. A word is only ever dropped whole: ``threshold`` keeps its ``old``."""
    norm = _norm(key)
    if not (norm[-1:].isdigit() or norm.endswith(_QUALIFIER_ENDS)):
        return norm  # (most names: no word to drop, and no call into the pattern)
    words = [word.lower() for word in _WORD.findall(key)]
    while len(words) > 1 and (words[-1].isdigit() or words[-1] in QUALIFIERS):
        dropped = words.pop()
        if (
            dropped.isdigit()
            and len(words) > 1
            and (words[-1] == "v" or (dropped == "64" and words[-1] in ("b", "base")))
        ):
            words.pop()  # v2, V_2; B64, base64 (the words split at the digits)
    return "".join(words)


# A number under a credential's name is a port, a count or a size up to this many digits; one of
# more is a numeric password or PIN (``ALPACA_SECRET: "84736251908374651"``).
NUMERIC_CREDENTIAL_DIGITS = 8
_LONG_NUMBER = 10 ** (NUMERIC_CREDENTIAL_DIGITS - 1)


def _placeholder(value: str) -> bool:
    """A value that is not a credential: empty, a reference, a path, a short number, a boolean, one
    character repeated."""
    stripped = value.strip()
    return (
        len(stripped) < 3
        or bool(_SUBSTITUTION.search(stripped))
        or shell.UNKNOWN in stripped  # what a shell expands where a script writes a file
        or stripped.startswith(("/", "./", "file://", "~/"))
        or (stripped.replace(".", "", 1).isdigit() and len(stripped) < NUMERIC_CREDENTIAL_DIGITS)
        or len(set(stripped)) == 1  # one character repeated (``1111...``, ``xxxx``): a placeholder by convention
        or stripped.lower() in {"true", "false", "yes", "no", "none", "null", "enabled", "disabled", "required"}
    )


# What a scanner remembers between applications, at most (a hostile tree has many keys and texts,
# and a remembered text outlives its application): this many of each, each this short.
MAX_REMEMBERED = 1 << 14
MAX_REMEMBERED_TEXT = 256
MAX_SCANNERS = 16  # distinct settings kept (a long-lived process may lint with many configurations)
_QUIET, _ASSIGNED = 1, 2  # what a text is told to be (_Scanner.told)


class _Scanner:
    """The detector with one policy's settings. One per distinct settings (:meth:`of`), kept for
    the run: what it learns of each key (asked of every string of every resource) serves every
    application, not one."""

    def __init__(self, params: dict[str, Any]) -> None:
        # each compared with a name's letters and digits, lower case (``api-key`` is ``apikey``, as
        # ``API_KEY`` is); one with none (``ключ``) would match every name, and matches none
        self.suffixes = _norms(params.get("secretKeySuffixes") or DEFAULT_SECRET_SUFFIXES)
        self.ignored = _norms(params.get("ignoredKeySuffixes") or DEFAULT_IGNORED_SUFFIXES)
        variable = params.get("variableSuffixes")
        self.variable = _norms(DEFAULT_VARIABLE_SUFFIXES if variable is None else variable)
        # the words a credential's name holds: what a text is searched for before it is read name by name
        self.words = Words(word.encode() for word in (*self.suffixes, *self.variable))
        # key -> whether a value under it is judged by the key (secret-like, a credential file's or a script's name)
        self.judged_by_key: dict[str, bool] = {}
        # text (shorter than LONG_TEXT) -> _QUIET when it holds no URL nor token hint, plus
        # _ASSIGNED when it may assign a credential-like key, or give a program one (a #! script)
        self.told: dict[str, int] = {}
        self.expansions: dict[bytes, list[tuple[str, str]]] = {}  # script's digest -> :meth:`_expansion`
        self.secret_like = functools.lru_cache(maxsize=4096)(self._secret_like)

    @staticmethod
    def of(params: dict[str, Any]) -> _Scanner:
        """The scanner for these settings, made once per run."""
        settings = tuple(
            tuple(value) if isinstance(value, list) else value
            for value in (params.get(name) for name in ("secretKeySuffixes", "ignoredKeySuffixes", "variableSuffixes"))
        )
        scanner = _SCANNERS.get(settings)
        if scanner is None:
            if len(_SCANNERS) >= MAX_SCANNERS:
                _SCANNERS.clear()
            scanner = _SCANNERS[settings] = _Scanner(params)
        if len(scanner.judged_by_key) > MAX_REMEMBERED:
            scanner.judged_by_key.clear()
        if len(scanner.told) > MAX_REMEMBERED:
            scanner.told.clear()
        if len(scanner.expansions) > MAX_REMEMBERED:
            scanner.expansions.clear()
        return scanner

    def mentions(self, text: str) -> bool:
        """Whether ``text`` may name a credential: it holds one of the suffixes once its case and
        separators are dropped (False: no name in it is :meth:`secret_like`). For long texts (a
        script) before they are read name by name."""
        return self.words.mentioned(text)

    def file_of(self, key: str) -> str | None:
        """The credential's name (normalised, upper case) when ``key`` names a file that holds one
        (``DB_PASSWORD_FILE``, ``tokenPath``: the ``*_FILE`` convention of the postgres and mysql
        images, among others), else None."""
        norm = credential_name(key)
        for word in ("file", "path"):
            rest = norm[: -len(word)] if norm.endswith(word) else ""
            if rest and self.secret_like(rest.upper()):
                return rest.upper()
        return None

    def _secret_like(self, key: str) -> bool:
        return any(self._names_one(form, key) for form in _forms(credential_name(key)))

    def _names_one(self, norm: str, key: str) -> bool:
        """Whether the normalised name ``norm`` (of ``key``) is a credential's."""
        if norm.endswith(self.suffixes) or (self.variable and norm.endswith(self.variable) and _VARIABLE.match(key)):
            return not norm.endswith(self.ignored)
        return False

    def named_value(self, key: str, value: str) -> bool:
        """A literal under a secret-like name (a Secret's *name* under ``...secret`` is fine). A
        text of several lines with words in them (a script, a configuration file: Argo CD's health
        check of a SealedSecret in Lua) is no literal: what it holds is judged by its contents
        (token formats, URLs, assignments), as any text's. Under a plural (``DB_PASSWORDS``,
        ``AGENTS_RUN_SECRETS``) a list is judged item by item (a JSON array, words between commas):
        one credential among them is enough, and Secret names or placeholders are none; words
        between blanks are prose, no list."""
        if not self.secret_like(key) or _placeholder(value):
            return False
        text = value.strip()
        if "\n" in text and (" " in text or "\t" in text):
            return False
        norm = credential_name(key)
        if not self._names_one(norm, key):  # (a plural's: each item of a list as its singular's value)
            listed = _AFTER_COMMA.sub(",", text)
            if not listed.startswith("[") and any(c.isspace() for c in listed):
                return False  # prose, no list (a waiver's reason under a key naming no-inline-secrets)
            return any(_one_credential(norm[:-1], item) for item in _LIST_ITEMS.split(listed) if item)
        return _one_credential(norm, value)

    def walk(
        self, data: Any, path: Path_ = (), named: bool = True, skip: frozenset[Path_] = frozenset()
    ) -> list[tuple[Path_, str, str]]:
        """(path, what, value) of every suspect string; ``named=False`` looks for token formats
        and URL credentials only (no judgement from key names), ``skip`` prunes subtrees.

        Only what :meth:`judge` could say something of is visited: most values are short words
        or numbers under ordinary names (this runs over every value of every resource)."""
        found: list[tuple[Path_, str, str]] = []
        secret_like, judge, hinted, mentions, by_key, texts = (
            self.secret_like,
            self.judge,
            token_hinted,
            self.words.mentioned,
            self.judged_by_key,
            self.told,
        )

        def visit(value: Any, where: Path_, key: str) -> None:
            mapping = type(value) is dict
            if mapping:
                name = value.get("name")
                env_name = (
                    name
                    if type(name) is str
                    and (
                        "value" in value
                        or "string" in value
                        or "default" in value
                        or "array" in value
                        or "enum" in value
                    )
                    else None
                )  # (:data:`_NAMED_VALUES` written out: this runs for every mapping with a name)
                entries = value.items()
                # a key that may hold a token (most maps: none of 12 characters, told in one pass)
                long_keys = bool(value) and max(map(len, value)) >= 12
            else:
                env_name, long_keys = None, False
                entries = enumerate(value)
            words = named and not mapping  # a list (a command line): a flag names the word after it
            flag, outer = "", key
            for step, child in entries:
                if words:  # a credential flag names the word after it; any other word is the list's
                    key, flag = (flag, "") if flag and secret_like(flag) else (outer, "")
                elif named:
                    key = env_name if (env_name and step in _NAMED_VALUES) else str(step)
                if long_keys and len(step) >= 12 and ("://" in step or hinted(step)):
                    # a key is written in clear as a value is (a ConfigMap's key, a label's): read
                    # for what is a credential whatever its name
                    found.extend(
                        (at, f"{what}, as a key", token) for at, what, token in judge((*where, step), "", step, False)
                    )
                kind = type(child)
                if kind is str:
                    if words and child[:1] == "-" and (found_flag := _FLAG.match(child)):
                        flag = found_flag.group(1)
                        continue
                    # what judge would find nothing in, told without calling it: not under a
                    # secret-like name, and short, or holding neither a URL nor a token's hint
                    # (a long text goes to the patterns at once: one pass instead of two)
                    if len(child) < 12:
                        quiet = True
                    elif len(child) < LONG_TEXT:
                        # told once per text (texts repeat: images, labels, annotations)
                        told = texts.get(child)
                        if told is None:
                            told = _QUIET * ("://" not in child and not hinted(child) and not sql_hinted(child)) + (
                                # (or a script that may give a program a credential by an option)
                                _ASSIGNED
                                * ((assigns(child) and mentions(child)) or (child[:2] == "#!" and shell.hinted(child)))
                            )
                            if len(child) <= MAX_REMEMBERED_TEXT:
                                texts[child] = told
                        quiet = told & _QUIET and not (named and told & _ASSIGNED)
                    else:
                        quiet = False
                    if quiet:
                        if not (named and key):
                            continue
                        judged = by_key.get(key)
                        if judged is None:
                            judged = bool(
                                secret_like(key)
                                or credential_file(key)
                                or _script_named(key)
                                or key.lower().endswith(DIRECTIVE_FILES)  # (its directives: requirepass value)
                            )
                            if len(key) <= MAX_REMEMBERED_TEXT:
                                by_key[key] = judged
                        if not judged:
                            continue
                    at = (*where, step)
                    if not (skip and at in skip):
                        found.extend(judge(at, key if named else "", child, named))
                elif kind is dict or kind is list:
                    at = (*where, step)
                    if not (skip and at in skip):
                        visit(child, at, key)
                elif kind is int and named and key and abs(child) >= _LONG_NUMBER and secret_like(key):
                    # unquoted, a numeric password is a YAML integer (a Helm value, a CRD's field)
                    at = (*where, step)
                    if not (skip and at in skip):
                        found.extend(judge(at, key, str(child), named))

        if type(data) is str:
            if not (skip and path in skip):
                found.extend(judge(path, "", data, named))
        elif type(data) in (dict, list) and not (skip and path in skip):
            visit(data, path, "")
        return found

    def script(self, where: Path_, script: str) -> Iterator[tuple[Path_, str, str]]:
        """What a shell's script gives away beyond its assignments (:mod:`torghut_lint.shell`):
        what its commands give programs (options of their own, arguments, pipes), and each file
        it writes a literal into (a here-document, ``echo ... > file``), read as a file of its
        name is (``cat <<EOF > /etc/app/.env``: an env file's lines; ``~/.pgpass``; a file named
        ``token``)."""
        read = shell.read(script)
        for command in read.commands:
            yield from self.taken(where, shell.program_credentials(command.words))
        yield from self.taken(where, shell.piped_credentials(read.commands))
        for name, body in read.files:
            file = name.rsplit("/", 1)[-1]
            for at, what, literal in self.judge(where, file, body):
                yield at, f"{what}, in the file {file} the script writes", literal

    def taken(self, where: Path_, given: Iterator[shell.Given]) -> Iterator[tuple[Path_, str, str]]:
        """(where, what, credential) of each value a command gives a program that is one: a
        credential whatever its name (not a reference, a path or a placeholder), or assigned to a
        name that says it is one."""
        for taken in given:
            if (
                taken.value
                if taken.name is None and not _placeholder(taken.value)
                else (taken.name is not None and self.named_value(taken.name, taken.value))
            ):
                yield where, taken.what, taken.value

    def judge(
        self, where: Path_, key: str, value: str, named: bool = True, script: bool = False, expand: bool = True
    ) -> Iterator[tuple[Path_, str, str]]:
        """(where, what, value) of each credential in ``value``: under a secret-like ``key``, in a
        URL's userinfo, a token format, and (``named``) a secret-like key assigned inside the text.
        A shell's script (``script``, or named or marked as one) is read as the shell runs it too:
        its variables expanded (:meth:`expanded`; not with ``expand`` False)."""
        found = self._judged(where, key, value, named, script)
        if expand and named and "$" in value and (script or (key and shell_script(key, value))):
            return self._and_expanded(where, value, found)
        return found

    def may_give(self, text: str) -> bool:
        """Whether a value put into ``text`` may be a credential there: it names one
        (``--password "$P"``, ``auth.password``, a file ``db_password``), runs a program that takes
        one by an option of its own or its input (:func:`~torghut_lint.shell.hinted`), or holds a
        URL or an HTTP ``Authorization`` header (most texts do none: their readings are spared).
        A token's format is seen where the literal is written."""
        return self.mentions(text) or shell.hinted(text) or "://" in text or "uthorization" in text

    def expands(self, script: str) -> bool:
        """Whether what ``script``'s variables expand to may give a credential (:meth:`expanded`)."""
        return "$" in script and self.may_give(script)

    def _and_expanded(
        self, where: Path_, script: str, found: Iterator[tuple[Path_, str, str]]
    ) -> Iterator[tuple[Path_, str, str]]:
        """What :meth:`_judged` found in a script, then what its expansion adds (not told twice)."""
        told: set[str] = set()
        for one in found:
            told.add(one[2])
            yield one
        yield from (one[:3] for one in self.expanded(where, script, told=told))

    def _judged(
        self, where: Path_, key: str, value: str, named: bool, script: bool
    ) -> Iterator[tuple[Path_, str, str]]:
        if key and self.named_value(key, value):
            yield where, f"{key} holds a plaintext credential", value
            return
        if key:  # a template's default: what renders where the value is unset
            for literal in template_defaults(value):
                if self.named_value(key, literal):
                    yield where, f"{key} defaults to a plaintext credential", literal
        if named and key:  # a credential file by its name (.pgpass, .netrc), read by its format
            for what, literal in file_credentials(key, value):
                if not _placeholder(literal):
                    yield where, f"{what} is written in clear", literal
        if len(value) < 12:
            return
        if "://" in value:
            for match in URL_CREDENTIALS.finditer(value):
                password = match.group(2)
                if not _placeholder(password):
                    yield where, "a URL embeds user:password credentials", password
        for label, token in tokens(value):
            yield where, f"a {label} is written in clear", token
        if named:  # judged by name: not in the name-blind scans of Secrets and exempt kinds
            # a configuration file by its name, or an Argo CD source's helm.values (a values.yaml
            # written inline: an unquoted value in it is a literal, as in the file)
            # written under a secret-like name, a text's unquoted right-hand sides are literals too
            config: bool | None = (
                key.lower().endswith(CONFIG_FILES)
                or tuple(where[-2:]) == ("helm", "values")
                or bool(key and self.secret_like(key))
                or connection_string(value)
                or None  # not known yet: told by what the text holds, if an unquoted credential asks
            )
            said = set()
            for name, literal, unquoted in self.words.assignments(value):
                if self.named_value(name, literal):
                    if unquoted and not (config if config is not None else (config := configuration_text(value))):
                        continue
                    said.add((name, literal))
                    yield where, f"{name} written in the text holds a plaintext credential", literal
            for name, literal in assigned_defaults(value):  # a template's text (a chart's, say)
                if (name, literal) not in said and self.named_value(name, literal):
                    said.add((name, literal))
                    yield where, f"{name} defaults in the text to a plaintext credential", literal
            if '"value"' in value or "value:" in value:  # environment entries inside the text
                for name, literal in env_entries(value):
                    if (name, literal) not in said and self.named_value(name, literal):
                        said.add((name, literal))
                        yield where, f"{name} set in the text's environment entry holds a plaintext credential", literal
            if key.lower().endswith(DIRECTIVE_FILES):
                for name, literal in self.words.directives(value):
                    if (name, literal) not in said and self.named_value(name, literal):
                        said.add((name, literal))
                        yield where, f"{name} set in the text holds a plaintext credential", literal
            if script or (key and shell_script(key, value)):
                if self.mentions(value):  # `NAME=value` unquoted is a literal too
                    for name, shell_literal in script_assignments(value):
                        if (name, shell_literal) not in said and self.named_value(name, shell_literal):
                            yield where, f"{name} assigned in the script holds a plaintext credential", shell_literal
                yield from self.script(where, value)

    def expanded(
        self, where: Path_, script: str, given: dict[str, str] | None = None, told: set[str] | None = None
    ) -> Iterator[tuple[Path_, str, str, bool]]:
        """(where, what, credential, whether the script writes it) of each credential a shell's
        script gives a program, writes or assigns only once it expands its variables
        (:func:`~torghut_lint.shell.expanded`): ``P=x; clickhouse-client --password "$P"``,
        ``psql "postgresql://app:$SEED@db/app"``, ``echo "$ADMIN" | docker login
        --password-stdin``, with ``given`` (the container's environment) as the variables the
        script does not assign. ``told``: the credentials the script as written was found to
        hold (not told again; None: the caller leaves out what was told). Only a script where a
        credential can be given by what a variable expands to is read so (:meth:`expands`)."""
        if not self.expands(script):
            return
        told = set() if told is None else told
        for what, literal in self._expansion(script, given or {}):
            if literal == UNREAD or literal not in told:
                told.add(literal)
                yield where, what, literal, literal in script

    def _expansion(self, script: str, given: dict[str, str]) -> list[tuple[str, str]]:
        """(what, credential) of each credential the reading of ``script`` holds, the first of
        each (:data:`UNREAD` where it is past its bound): worked out once per script and
        environment for the run (a base's script is rendered by each overlay of it), by digest."""
        key = hashlib.blake2b(f"{script}\0{sorted(given.items())}".encode(errors="surrogatepass")).digest()
        if (known := self.expansions.get(key)) is not None:
            return known
        expanded = shell.expanded(script, given, kept=_worth_putting_in)
        found = [(UNREAD_EXPANSION, UNREAD)] if expanded.cut else []  # (unread: the gate does not say yes)
        seen: set[str] = set()
        if expanded.reading is not None:
            for _, what, literal in self.judge((), "", expanded.reading, script=True, expand=False):
                if literal not in seen:
                    seen.add(literal)
                    found.append((f"{what}, once the shell expands its variables", literal))
        self.expansions[key] = found
        return found


# what putting parameters in may add to the strings that name them: this many times them, and this many more
PARAMETER_FACTOR, PARAMETER_ALLOWANCE = 4, 4096
# what the readings of a workflow (one per value a parameter may take) may hold together: this many times
# its strings, and this many characters more
READINGS_FACTOR, READINGS_ALLOWANCE = 16, 1 << 20
UNREAD_ELEMENTS = (
    f"the ApplicationSet's parameters expand past what is read ({PARAMETER_FACTOR} times the fields that name "
    f"them and {PARAMETER_ALLOWANCE:,} characters an application, {READINGS_FACTOR} times the ApplicationSet's "
    f"text and {READINGS_ALLOWANCE:,} characters in all), so a credential one gives a chart is not seen: keep long "
    "values out of the parameters its template names"
)
UNREAD_PARAMETERS = (
    f"the workflow's parameters expand past what is read ({PARAMETER_FACTOR} times the fields that name them and "
    f"{PARAMETER_ALLOWANCE:,} characters a reading, one reading per value a parameter may take, "
    f"{READINGS_FACTOR} times the workflow's text and {READINGS_ALLOWANCE:,} characters in all), so a credential "
    "one gives a program is not seen: keep long values and long lists of them out of parameters its templates name"
)


def _with_parameters(res: Resource, scanner: _Scanner, ctx: RuleContext, told: _Told) -> Iterator[Violation]:
    """Each credential an Argo workflow (or template) holds once Argo puts in its parameters as it
    runs a template: a literal value the workflow names for a parameter (a default, an argument,
    an ``enum``: :func:`~torghut_lint.k8s.parameter_values`) where ``{{workflow.parameters.x}}``
    or ``{{inputs.parameters.x}}`` is written, under a name that says nothing (``seed`` given to
    ``curl -u "default:{{workflow.parameters.seed}}"``, ``CLICKHOUSE_PASSWORD:
    "{{workflow.parameters.seed}}"``). The workflow is read once per value a parameter may take
    (the k-th value of each, or its last) as the walk and the command lines are, at the field that
    names the parameter (:func:`_readings`)."""
    if res.id.group != "argoproj.io" or res.id.kind not in WORKFLOW_KINDS:
        return
    values = {
        name: kept
        for name, named in parameter_values(res).items()
        if (kept := [v for v in named if len(v) <= shell.MAX_VALUE and _worth_putting_in(v)])
    }
    if not values or (total := _read_whole(res, scanner)) is None:
        return
    choices = [
        (res.data, {name: named[min(k, len(named) - 1)] for name, named in values.items()})
        for k in range(max(len(named) for named in values.values()))
    ]
    for reading in _readings(choices, PARAMETER_REFERENCE, total):
        if reading is None:
            yield Violation(res, (), UNREAD_PARAMETERS)
            return
        data, put = reading
        copy = replace(res, data=data)
        found = scanner.walk(copy.data) + list(_given(copy, scanner, ctx, told))
        yield from _told_anew(res, found, put, told, PARAMETER_REFERENCE, "once Argo Workflows puts in its parameters")


def _with_elements(res: Resource, scanner: _Scanner, told: _Told) -> Iterator[Violation]:
    """Each credential an ApplicationSet's template holds once Argo CD writes a generator's
    parameters into it (a list's elements, a matrix's product: :func:`~torghut_lint.appsets.parameter_sets`):
    a literal under a name that says nothing (``seed``) put in as a chart's ``auth.password``
    parameter or a password of its helm values. One reading per application it makes, at the
    field that names the parameter (:func:`_readings`)."""
    if res.id.group != "argoproj.io" or res.id.kind != "ApplicationSet":
        return
    spec = res.data.get("spec")
    template = spec.get("template") if isinstance(spec, dict) else None
    if not isinstance(template, dict) or (total := _read_whole(res, scanner)) is None:
        return
    choices = []
    for generated, own in parameter_sets(spec.get("generators"), ("spec", "generators"), ()):
        params = {
            name: value
            for name, value in (generated.params or {}).items()
            if isinstance(value, str) and len(value) <= shell.MAX_VALUE and _worth_putting_in(value)
        }
        if params:
            choices.append(({"spec": {"template": merged_template(own, template)}}, params))
    for reading in _readings(choices, TEMPLATE_PARAMETER, total, sparse=True):
        if reading is None:
            yield Violation(res, (), UNREAD_ELEMENTS)
            return
        data, put = reading
        found = scanner.walk(data)
        yield from _told_anew(res, found, put, told, TEMPLATE_PARAMETER, "once Argo CD writes its parameters in")


def _read_whole(res: Resource, scanner: _Scanner) -> int | None:
    """What the readings of a resource may hold together (:data:`READINGS_FACTOR` times its
    strings and :data:`READINGS_ALLOWANCE` characters), or None where no value put into it may be
    a credential (:meth:`_Scanner.may_give` of its keys and strings): one walk for both."""
    strings = [(key, value) for _, key, value in walk_strings(res.data)]
    if not scanner.may_give(" ".join(f"{key} {value}" for key, value in strings)):
        return None
    return READINGS_FACTOR * sum(len(value) for _, value in strings) + READINGS_ALLOWANCE


def _readings(
    choices: list[tuple[Any, dict[str, str]]], pattern: re.Pattern, total: int, sparse: bool = False
) -> Iterator[tuple[Any, dict[str, str]] | None]:
    """For each (data, parameters) of ``choices``, ``data`` with each parameter's value put in
    where ``pattern`` (its group 1 the parameter's name) names it, and each value put in with its
    parameter's name. ``sparse``: only the strings that name a parameter, with the scalars beside
    them (an entry's ``name``) and the lists' places kept (None for what is left out), which is
    all the walk needs of an application's template. None, and no more, past the bound: a reading
    may add :data:`PARAMETER_FACTOR` times the strings that name a parameter and
    :data:`PARAMETER_ALLOWANCE` characters, and the readings together may hold ``total``."""
    if not choices:
        return
    strings = [value for _, _, value in walk_strings(choices[0][0])]
    naming = sum(len(value) for value in strings if "{{" in value and pattern.search(value))
    if not naming:
        return
    budget = PARAMETER_FACTOR * naming + PARAMETER_ALLOWANCE
    spent = 0
    for data, values in choices:
        put: dict[str, str] = {}
        grown = [0]

        def choose(match: re.Match, values: dict[str, str] = values, put: dict = put, grown: list = grown) -> str:
            value = values.get(match.group(1))
            if value is None:
                return match.group(0)
            put[value] = match.group(1)
            grown[0] += len(value) - len(match.group(0))
            if grown[0] > budget:
                raise _PastBudget
            return value

        def copy(value: Any) -> Any:
            if type(value) is str:
                return pattern.sub(choose, value) if "{{" in value else value
            if type(value) is dict:
                return {key: copy(child) for key, child in value.items()}
            if type(value) is list:
                return [copy(child) for child in value]
            return value

        def part(value: Any) -> Any:  # (sparse: None for what names no parameter)
            if type(value) is str:
                return pattern.sub(choose, value) if "{{" in value and pattern.search(value) else None
            if type(value) is dict:
                kept = {key: found for key, child in value.items() if (found := part(child)) is not None}
                if not kept:
                    return None
                beside = {k: v for k, v in value.items() if k not in kept and type(v) in (str, int, bool)}
                return {**beside, **kept}
            if type(value) is list:
                items = [part(child) for child in value]
                return items if any(item is not None for item in items) else None
            return None

        try:
            reading = part(data) if sparse else copy(data)
        except _PastBudget:
            yield None
            return
        spent += (naming if sparse else sum(map(len, strings))) + grown[0]
        if spent > total:
            yield None
            return
        if put:
            yield reading, put


def _told_anew(
    res: Resource,
    found: list[tuple[Path_, str, str]],
    put: dict[str, str],
    told: _Told,
    pattern: re.Pattern,
    how: str,
) -> Iterator[Violation]:
    """A violation for each credential of a reading (:func:`_readings`) made of a value put in
    (``put``: value -> its parameter) that no finding named yet, at the reference to the parameter."""
    for path, what, value in found:
        named = [name for v, name in put.items() if v in value or value in v]
        if value == UNREAD or not named or told(value):
            continue
        told.add(value)
        yield Violation(
            res,
            path,
            f"{what}, {how} (value redacted); {_REFER_TO_IT}",
            location=_reference_place(res, path, named, pattern),
            secrets=(value,),
        )


class _PastBudget(Exception):
    """Putting parameters in would grow a reading past its bound (:func:`_readings`)."""


def _reference_place(res: Resource, path: Path_, names: list[str], pattern: re.Pattern) -> Location | None:
    """Where the field at ``path`` names one of the parameters ``names`` (``pattern``'s group 1;
    its own line of a script), else None (the field's place)."""
    written = value_at(res.data, path)
    if not isinstance(written, str):
        return None
    for match in pattern.finditer(written):
        if match.group(1) in names:
            return _InTexts(res, [(path, "", match.group(0))]).of(path, match.group(0))
    return None


def _worth_putting_in(literal: str) -> bool:
    """Whether a variable's literal may be a credential once expanded: not a placeholder (a path,
    a short number, a boolean), nor a Go or Argo template's action (``{{inputs.parameters.x}}``)."""
    return not _placeholder(literal) and "{{" not in literal


def _secret_object(res: Resource, scanner: _Scanner) -> Iterator[Violation]:
    for field in ("data", "stringData"):
        values = res.data.get(field)
        for key, value in values.items() if isinstance(values, dict) else ():
            if value in (None, ""):
                continue
            if _secret_entry(key):
                yield Violation(
                    res,
                    (field, key),
                    f"Secret {res.id.name} {field}.{key} holds a value in clear (redacted); "
                    "use a SealedSecret or an ExternalSecret",
                    secrets=(str(value),),
                )
            elif isinstance(value, str):
                for path, what, secret in scanner.judge((field, key), "", value):
                    yield Violation(res, path, f"Secret {res.id.name}: {what} (value redacted)", secrets=(secret,))


def _secret_entry(key: object) -> bool:
    """Whether a Secret's entry under ``key`` holds a credential: every entry but a connection
    coordinate's (:data:`BENIGN_SECRET_KEY_SUFFIXES`)."""
    return not _norm(str(key)).endswith(BENIGN_SECRET_KEY_SUFFIXES)


def _secret_templates(res: Resource, scanner: _Scanner) -> list[tuple[Path_, str, str]]:
    """(path, what, credential) in each part of a template the kind writes into a Secret
    (:data:`SECRET_TEMPLATES`): a ``data`` entry judged as a Secret's ``stringData`` entry is
    when it is a literal (no template action in it), else by what its text holds (a literal URL's
    password, a token, a credential-named key given a literal); a ``templateFrom`` literal by what
    its text holds."""
    out: list[tuple[Path_, str, str]] = []
    for template in SECRET_TEMPLATES.get(res.id.kind, ()):
        entries = value_at(res.data, (*template, "data"))
        for key, value in entries.items() if isinstance(entries, dict) else ():
            at: Path_ = (*template, "data", key)
            if not isinstance(value, str) or not value:
                continue
            if _TEMPLATE_ACTION not in value and _secret_entry(key):
                out.append((at, f"{res.id.kind} {res.id.name}'s template writes {key} into the Secret in clear", value))
            else:
                out += scanner.judge(at, str(key), value)
        sources = value_at(res.data, (*template, "templateFrom"))
        for i, source in enumerate(sources if isinstance(sources, list) else ()):
            if isinstance(source, dict) and isinstance(literal := source.get("literal"), str):
                out += scanner.judge((*template, "templateFrom", i, "literal"), "", literal)
    return out


def _served_values(res: Resource) -> list[tuple[Path_, str, str]]:
    """(path, what, credential) for each value a store of the kind serves (:data:`SERVED_VALUES`):
    a ``value``, and each ``valueMap`` entry that names no connection coordinate, is a Secret's
    value in clear."""
    out: list[tuple[Path_, str, str]] = []
    where = SERVED_VALUES.get(res.id.kind)
    items = value_at(res.data, where) if where else None
    for i, item in enumerate(items if isinstance(items, list) else ()):
        if not isinstance(item, dict):
            continue
        values = [(("value",), item.get("value"))]
        if isinstance(item.get("valueMap"), dict):
            values += [(("valueMap", key), value) for key, value in item["valueMap"].items()]
        for step, value in values:
            if isinstance(value, str) and value and _secret_entry(step[-1]):
                out.append(
                    ((*where, i, *step), f"{res.id.kind} {res.id.name} serves {item.get('key')!r} in clear", value)
                )
    return out


def _binary_data(res: Resource, scanner: _Scanner) -> list[tuple[Path_, str, str]]:
    """What a ConfigMap's ``binaryData`` holds once decoded (base64 hides a token from the walk):
    each text entry judged as a ``data`` entry of that name would be."""
    found: list[tuple[Path_, str, str]] = []
    for key, decoded in binary_texts(res):
        found += scanner.judge(("binaryData", key), str(key), decoded)
    return found


def _loose_files(texts: list[tuple[str, str]], scanner: _Scanner) -> Iterator[Violation]:
    """A loose configuration file, script or key (discover.text_name) judged as a ConfigMap
    entry of its name would be, any other text file for what is a credential whatever its name;
    located at the line and column of each value, which is never printed."""
    for shown, content in texts:
        name = shown.rsplit("/", 1)[-1]
        kind = text_name(name)  # judged as the file it is (prod.ENV, .env.bak: an .env)
        name = kind or name
        # a configuration file by its suffix, or by its name (.env.production, .npmrc, credentials):
        # an unquoted value in it is a literal; a script's is code
        # (code and prose: what is quoted, or a token's format; an unquoted word there is a name)
        key = name if name.endswith((*CONFIG_FILES, *SCRIPT_OR_PROSE)) else f"{name}.conf"
        # an example (.env.example, app.properties.sample) holds placeholders by convention, and a
        # file of no kind the scan knows has no names it can read: only what is a credential
        # whatever its name (a token format, a private key, URL userinfo)
        named = kind is not None and not name.endswith(EXAMPLE_SUFFIXES)
        yield from _in_file(shown, content, list(scanner.judge((), key if named else "", content, named)))


_KEEP_IT_OUT = "keep it out of the repository (a SealedSecret or ExternalSecret), and rotate it"


def _in_file(shown: str, text: str, found: list[tuple[Path_, str, str]], where: str = "") -> Iterator[Violation]:
    """A violation for each credential ``found`` in ``text`` (a file's, or its margin in place),
    at the line and column of its value in the file ``shown``, one per place (a token under a
    credential's name is found twice there); ``where`` says which part of the file held it."""
    lines = _Lines(text, [value for _, _, value in found])
    reported: set[tuple[int, int, str]] = set()
    for _, what, value in found:
        at = lines.place(value)
        line, column = (1, 1) if at is None else (lines.line + 1, at - text.rfind("\n", 0, at))
        if (line, column, value) in reported:
            continue
        reported.add((line, column, value))
        said = f"{what}, in {where}" if where else what
        # the identity: what was found and under which name, never the secret
        yield Violation(
            None,
            (),
            _said(said, value, _KEEP_IT_OUT),
            location=Location(shown, line, column),
            secrets=_secrets(value),
            value=said,
        )


# A comment line that assigns a value as a configuration's line does (``password: x``, ``- name: P``,
# ``export P="x"``): a line commented out, judged as the file's own would be. Any other comment is
# prose, where the word after a credential's name is none (``# password: rotated every quarter``):
# only what is a credential whatever its name is looked for there.
_ASSIGNING = regex.compile(
    r"[ \t]*(?:-[ \t]+)?(?:export[ \t]+)?[\"']?[A-Za-z_][\w.\-/]*[\"']?[ \t]*[:=][ \t]*"
    r"(?:\"[^\"]*\"|'[^']*'|[^\s\"'#][^\s#]*)?[ \t]*,?[ \t]*"
)


def _in_margins(
    margins: list[tuple[str, str, str]], texts: list[tuple[str, str]], scanner: _Scanner
) -> Iterator[Violation]:
    """Each credential in a parsed file's margins (:mod:`torghut_lint.margins`): a comment's
    token, URL password or private key, and a commented-out line's value under a credential's
    name; an anchor's or a tag's token or URL password. Located at its own line and
    column; a file read whole as a text (its comments in it) is judged there already."""
    whole = {shown for shown, _ in texts}
    for shown, comments, properties in margins:
        if shown in whole:
            continue
        in_comments: list[tuple[Path_, str, str]] = []
        if comments:
            in_comments += scanner.judge((), "", comments, named=False)
            if scanner.mentions(comments):  # (a commented-out line under a credential's name: one of its words)
                assigning = "\n".join(line if _ASSIGNING.fullmatch(line) else "" for line in comments.split("\n"))
                in_comments += scanner.judge((), text_name(shown.rsplit("/", 1)[-1]) or "comment.yaml", assigning)
        yield from _in_file(shown, comments, in_comments, "a comment")
        if properties:
            yield from _in_file(
                shown, properties, list(scanner.judge((), "", properties, named=False)), "an anchor or a tag"
            )


class _Lines:
    """The line each value found in a text stands on, asked in the order they were found: each
    is looked for after the one before it (the scanners find in the text's order), from the start
    again when it is not there (the next scanner's first). A search and a count of lines from the
    start for each was quadratic: 40,000 credentials in a 1.4 MB ``.env`` took 12 s. A value the
    text does not hold as written (a shell's ``"ab"cd`` is ``abcd``) is on line 1, as before, and
    leaves the last place where it was; such values are told in one pass over the text for all of
    them (each looked for in vain was a pass of its own: 20,000 in 0.9 MB took 9 s)."""

    def __init__(self, text: str, values: list[str]) -> None:
        self.text = text
        self.at = self.line = 0  # the last place found, and the lines before it
        # the values the text holds as written (none told when they stand in it too densely to
        # list, values nested in each other: a hostile text, each then on line 1)
        self.held = Literals(values).held(text) or set()

    def place(self, value: str) -> int | None:
        """Where ``value``'s next place in the text starts; None when it stands nowhere."""
        if value not in self.held:
            return None
        found = self.text.find(value, self.at)
        if found < 0:  # before the last place: the next scanner's first
            self.at = self.line = 0
            found = self.text.find(value)
        self.line += self.text.count("\n", self.at, found)
        self.at = found
        return found


class _InTexts:
    """Where each credential found in a resource's literal block scalars of several lines (a
    script, an env file in a ConfigMap) stands: the line of the text that holds it, not the key's
    (every credential of a script was reported at its key). ``found``: (path, what, value) of the
    credentials, asked for in their order; each text's places are found once for all of them."""

    def __init__(self, res: Resource, found: list[tuple[Path_, str, str]]) -> None:
        self.res = res
        self.values: dict[Path_, list[str]] = {}  # the credentials found at each path: what its text is searched for
        for path, _, value in found:
            self.values.setdefault(path, []).append(value)
        self.texts: dict[Path_, _Lines | None] = {}

    def of(self, path: Path_, value: str) -> Location | None:
        """None (the key's place, as before) for a text of one line, a value it does not hold as
        written, or a text in another style (its lines are not the file's)."""
        if path not in self.texts:
            node = find_node(self.res.source_node or self.res.node, path, want_value=True)
            text = node.value if isinstance(node, yaml.ScalarNode) and node.style == "|" else ""
            self.texts[path] = _Lines(text, self.values[path]) if "\n" in text.rstrip("\n") else None
        lines = self.texts[path]
        if lines is None or value == UNREAD or (at := lines.place(value)) is None:
            return None
        return self.res.locate_in_text(path, at)


_SECRET_DATA = frozenset({("data",), ("stringData",)})
_CIPHERTEXT = frozenset({("spec", "encryptedData")})
# Where a kind the rule otherwise exempts writes a Secret's data as the repository holds it: its
# controller copies each entry into the Secret it makes, rendered as a Go template (sealed-secrets'
# ``spec.template.data``, External Secrets' ``target.template.data`` and its ``templateFrom``
# literals). A literal there is a Secret's value in clear, however sealed the rest is.
SECRET_TEMPLATES: dict[str, tuple[Path_, ...]] = {
    "SealedSecret": (("spec", "template"),),
    "ExternalSecret": (("spec", "target", "template"),),
    "ClusterExternalSecret": (("spec", "externalSecretSpec", "target", "template"),),
    "PushSecret": (("spec", "template"),),
}
_TEMPLATE_ACTION = "{{"  # a Go template's action: the value is made from the sealed or fetched ones
# The values a store serves as the repository holds them: External Secrets' fake provider, whose
# data an ExternalSecret delivers to a Secret like any provider's.
SERVED_VALUES: dict[str, Path_] = {
    "SecretStore": ("spec", "provider", "fake", "data"),
    "ClusterSecretStore": ("spec", "provider", "fake", "data"),
}


_SCANNERS: dict[tuple, _Scanner] = {}


SHELL_SCRIPTS = (".sh", ".bash", ".zsh", ".ksh", ".ash")  # names of texts a shell runs
_SHEBANG = re.compile(r"#![ \t]*\S*/(?:env[ \t]+)?(?:ba|da|a|z|k|mk)?sh\b")
_WHOLE_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")

# a container's environment entry written inside a text (a JSON or YAML pod spec patch, a manifest
# a ConfigMap carries): its name, then its value, as JSON writes them or as YAML does (in a flow
# mapping, or on the lines of a block one); matched in linear time (RE2)
_ENV_ENTRY = regex.compile(
    r'"name"\s*:\s*"([A-Za-z_][A-Za-z0-9_.-]*)"\s*,\s*"value"\s*:\s*"((?:[^"\\\n]|\\.)*)"'
    r"|\bname:[ \t]*[\"']?([A-Za-z_][A-Za-z0-9_.-]*)[\"']?[ \t]*[,\n][ \t\n]*value:[ \t]*"
    r"(?:\"([^\"\n]*)\"|'([^'\n]*)'|([^\s,}#][^,}\n#]*))"
)


def env_entries(text: str) -> Iterator[tuple[str, str]]:
    """(name, value) of each environment entry written inside ``text`` (:data:`_ENV_ENTRY`): a
    name and a literal value, JSON's escapes read."""
    for match in _ENV_ENTRY.finditer(text):
        if match.group(1) is not None:
            raw = match.group(2)
            try:
                value = json.loads(f'"{raw}"')
            except ValueError:
                value = raw
            yield match.group(1), value
        else:
            value = next(g for g in (match.group(4), match.group(5), match.group(6)) if g is not None)
            yield match.group(3), value.strip()


def shell_script(key: str, text: str) -> bool:
    """Whether ``text`` is a script a POSIX shell runs: named as one, or starting with a shell's
    ``#!`` line. There an unquoted ``NAME=value`` is a literal (in Python or JavaScript the right
    of a ``=`` is code, which is why other scripts are read for quoted literals only)."""
    return _script_named(key) or (text.startswith("#!") and _SHEBANG.match(text) is not None)


def _script_named(key: str) -> bool:
    """Whether ``key`` names a text a shell runs (``entrypoint.sh``)."""
    return key.lower().endswith(SHELL_SCRIPTS)


CommandWord = tuple[str, int, str]  # (field, index, text) of a word of a container's command line
ShellText = tuple[Path_, str]  # (where in the container, text) of a text a shell reads as its own


Given = Iterator[tuple[Path_, str, str]]  # (where the process is given it, what, the credential)


class _Told:
    """Whether a finding names a credential already: the credential itself was reported, or each
    credential the name-blind scan finds in it (a URL's password, a token) was. Exactly, never
    as a part of a longer text: ``hunter2024!`` holds a reported ``hunter2`` and is a credential
    of its own (with the shorter one on the base, the longer was a change's new credential that
    no finding named). What a value is made of by ``$(VAR)`` expansion is asked of its pieces
    (:func:`_handed_on`)."""

    def __init__(self, scanner: _Scanner, reported: set[str]) -> None:
        self.scanner, self.reported = scanner, reported

    def add(self, value: str) -> None:
        """``value`` is reported now."""
        self.reported.add(value)

    def __call__(self, value: str) -> bool:
        if value in self.reported:
            return True
        held = [literal for _, _, literal in self.scanner.walk(value, named=False)]
        return bool(held) and all(literal in self.reported for literal in held)


def _given(res: Resource, scanner: _Scanner, ctx: RuleContext, told: _Told) -> Given:
    """Each credential a container's process is given that the walk, which judges each value by
    the name written beside it, does not see: handed on under a credential's name from a literal
    under another (:func:`_handed_on`, :func:`_prefixed`), read from a mounted file a name says
    holds one (:func:`_from_files`), assigned by a shell on the command line (:func:`_shell_assigned`),
    taken by a program's own option or written to a file by a script (:func:`_programs_run`), on the
    container's command line and on each its hooks and probes run (:func:`~torghut_lint.k8s.command_lines`).
    Located at the variable, the ``envFrom`` entry or the word that gives it."""
    for path, container in containers(res):
        yield from _handed_on(res, path, container, scanner, ctx, told)
        yield from _from_files(res, path, container, scanner, ctx)
        yield from _prefixed(res, path, container, scanner, ctx)
        for where, line in command_lines(container):  # its own, its hooks' and probes' exec actions
            words = list(command_words(line))
            if not where:  # the container's own: what the process runs, $(VAR) expanded by the kubelet
                words = _as_run(res, path, container, words, ctx)
            scripts = list(shell.scripts(line, words))  # (read once for both)
            yield from _shell_assigned((*path, *where), words, scripts, scanner)
            yield from _programs_run((*path, *where), words, scripts, scanner)
            yield from _shell_expanded(res, path, container, where, scripts, scanner, ctx)
        yield from _mounted_scripts(res, path, container, scanner, ctx)


def _as_run(
    res: Resource, path: Path_, container: dict, words: list[CommandWord], ctx: RuleContext
) -> list[CommandWord]:
    """A container's command line as its process gets it: the kubelet expands ``$(VAR)`` in
    ``command`` and ``args`` before it starts (``sh -c 'export DB_PASSWORD=$(SEED)'`` with ``SEED``
    a literal under a name the walk does not judge: the shell assigns that literal). A word whose
    expansion cannot be seen (a variable from a Secret) or is too long stays as written, and so
    does a line that expands past what exec takes (:data:`~torghut_lint.k8s.MAX_COMMAND_LINE`)."""
    read = {name for _, _, word in words for name in references(word)}
    if not read:
        return words  # (most containers)
    env = effective_env(res, path, container, ctx.env_sources, only=read)
    run, size = [], 0
    for field, i, word in words:
        expanded = expand(word, env) if "$(" in word else word
        run.append((field, i, expanded if isinstance(expanded, str) else word))
        size += len(run[-1][2])
        if size > MAX_COMMAND_LINE:
            return words
    return run


def _handed_on(res: Resource, path: Path_, container: dict, scanner: _Scanner, ctx: RuleContext, told: _Told) -> Given:
    """``DB_PASSWORD: $(SEED)`` with ``SEED`` a literal, ``--password=$(SEED)`` or ``[--password,
    $(SEED)]`` on the command line (the kubelet expands both), ``valueFrom.configMapKeyRef`` to a
    ConfigMap entry named ``seed``; and under any other name, what the expansion holds as the walk
    would find it written there (``DB_URL: postgres://app:$(SEED)@db/app``). An expansion made of
    literals each reported already (``x-$(DB_PASSWORD)``) is their leak, not another."""
    wanted: dict[str, int] = {}  # credential-named variables set from elsewhere -> their (last) entry
    made: dict[str, int] = {}  # other variables a $(VAR) expansion makes -> their (last) entry
    for i, item in enumerate(listed(container, "env")):
        if not isinstance(item, dict) or not isinstance(name := item.get("name"), str):
            continue
        value, value_from = item.get("value"), item.get("valueFrom")
        from_map = isinstance(value_from, dict) and isinstance(value_from.get("configMapKeyRef"), dict)
        wanted.pop(name, None)  # a later entry sets it: the walk judges a literal one
        made.pop(name, None)
        if scanner.secret_like(name):
            if from_map or (isinstance(value, str) and "$(" in value):
                wanted[name] = i
        elif isinstance(value, str) and "$(" in value and references(value):
            made[name] = i
    words = []  # the words a $(VAR) reference may make a credential of (under a credential's name)
    previous = ("", "")  # (field, word) before each word: a flag names the word after it
    for field, i, word in command_words(container):
        if "$(" in word and references(word):
            if scanner.mentions(word) or (previous[0] == field and scanner.mentions(previous[1])):
                words.append((field, i, word))
        previous = (field, word)
    if not wanted and not made and not words:
        return  # (most containers)
    read = {name for _, _, word in words for name in references(word)}
    for i in [*wanted.values(), *made.values()]:
        read |= references(text(listed(container, "env")[i].get("value")))
    env = effective_env(res, path, container, ctx.env_sources, only={*wanted, *made, *read})  # (indexed when asked)
    for name, i in wanted.items():
        given = env.get(name)
        if given is None or given.value is None or not scanner.named_value(name, given.value):
            continue
        if given.origin == "env" and _made_of_told(text(listed(container, "env")[i].get("value")), env, told):
            continue
        how = (
            "a $(VAR) expansion"
            if given.origin == "env"
            else f"key {given.path[-1]} of ConfigMap {given.source.id.name}"
        )
        yield (*path, "env", i), f"{name} is given a plaintext credential through {how}", given.value
    for name, i in made.items():
        given = env.get(name)
        if given is not None and given.origin == "env" and given.value is not None:
            for _, what, value in scanner.judge((), name, given.value):
                yield (*path, "env", i), f"{what}, once the kubelet expands $(VAR) in it", value
    for field, i, word in words:
        expanded = [text(w) for w in listed(container, field)]
        line = expanded[i] = expand(word, env)
        if not isinstance(line, str) or line == word or _made_of_told(word, env, told):
            continue
        for at, what, value in scanner.walk({field: [w if isinstance(w, str) else "" for w in expanded]}):
            if at[1] == i:
                yield (*path, *at), f"{what}, once the kubelet expands $(VAR) in it", value


def _made_of_told(written: str, env: dict[str, EnvValue], told: _Told) -> bool:
    """Whether every variable ``written`` expands (``$(VAR)``) holds a credential a finding names."""
    pieces = [env[name].value for name in references(written) if name in env]
    return bool(pieces) and all(piece is not None and told(piece) for piece in pieces)


def _from_files(res: Resource, path: Path_, container: dict, scanner: _Scanner, ctx: RuleContext) -> Given:
    """The content of a ConfigMap entry mounted where a variable or a flag names the file holding
    a credential: ``POSTGRES_PASSWORD_FILE: /run/config/seed`` (the ``*_FILE`` convention of the
    postgres and mysql images), ``--token-file=/x`` or ``--token-file /x``."""
    files: dict[str, tuple[Path_, str, str]] = {}  # a credential file's path -> (where, its name, credential's)
    for i, item in enumerate(listed(container, "env")):
        if isinstance(item, dict) and isinstance(name := item.get("name"), str):
            value = item.get("value")
            if isinstance(value, str) and value.startswith("/") and (credential := scanner.file_of(name)):
                files[value] = ((*path, "env", i), name, credential)
    flag = ""
    for field, i, word in command_words(container):
        option, equals, value = word.lstrip("-").partition("=") if word.startswith("-") else ("", "", word)
        if not equals and flag and word.startswith("/"):
            option, value = flag, word
        if value.startswith("/") and option and (credential := scanner.file_of(option)):
            files[value] = ((*path, field, i), option, credential)
        flag = option if word.startswith("-") and not equals else ""
    for file, cm, key in mounted_configmap_keys(res, path, container, ctx.env_sources) if files else ():
        if file not in files:
            continue
        where, name, credential = files[file]
        held = cm.data.get("data")
        content = held.get(key) if isinstance(held, dict) else None
        if isinstance(content, str) and scanner.named_value(credential, content):
            how = f"key {key} of ConfigMap {cm.id.name}, mounted at {file}"
            yield where, f"{name} names a file holding a plaintext credential ({how})", content.strip()


def _prefixed(res: Resource, path: Path_, container: dict, scanner: _Scanner, ctx: RuleContext) -> Given:
    """An ``envFrom`` prefix that makes a ConfigMap entry's name a credential's: prefix ``DB_PASS``,
    key ``WORD``, the process gets ``DB_PASSWORD``."""
    for j, source in enumerate(listed(container, "envFrom")):
        prefix = text(source.get("prefix")) if isinstance(source, dict) else ""
        ref = source.get("configMapRef") if prefix else None
        held = ctx.env_sources.configmap(res.id.namespace, text(ref.get("name"))) if isinstance(ref, dict) else None
        data = held.data.get("data") if held is not None else None
        for key, value in data.items() if isinstance(data, dict) else ():
            name = prefix + str(key)
            if (
                scanner.secret_like(name)
                and not scanner.secret_like(str(key))
                and scanner.named_value(name, text(value))
            ):
                how = f"key {key} of ConfigMap {held.id.name} under the prefix {prefix}"
                yield (*path, "envFrom", j), f"{name} is given a plaintext credential through {how}", text(value)


def _shell_assigned(path: Path_, words: list[CommandWord], scripts: list[ShellText], scanner: _Scanner) -> Given:
    """Each literal a shell assigns on the command line, which the walk reads for quoted literals
    only: in the scripts a shell runs (:func:`~torghut_lint.shell.scripts`), and in each word of
    the command line that is an assignment whole (``env API_TOKEN=... app``, a program's
    ``KEY=value`` argument)."""
    whole = [((field, i), word) for field, i, word in words[1:] if _WHOLE_ASSIGNMENT.match(word)]
    for where, script in scripts + whole:
        for name, literal in script_assignments(script) if scanner.mentions(script) else ():
            if scanner.named_value(name, literal):
                yield (*path, *where), f"{name} assigned on the command line holds a plaintext credential", literal


def _shell_expanded(
    res: Resource,
    path: Path_,
    container: dict,
    where: Path_,
    scripts: list[ShellText],
    scanner: _Scanner,
    ctx: RuleContext,
) -> Given:
    """What each script a container's shell runs gives away once the shell expands its variables
    (:func:`_with_environment`): located at the literal, in the script or at the environment's entry."""
    for at, script in scripts:
        if scanner.expands(script):
            yield from _with_environment(res, path, container, (*path, *where, *at), script, scanner, ctx)


def _mounted_scripts(res: Resource, path: Path_, container: dict, scanner: _Scanner, ctx: RuleContext) -> Given:
    """What each shell script a ConfigMap of the application mounts into the container gives away
    once the shell expands the container's environment in it (``curl -u "default:$SEED"`` in a
    mounted ``seed.sh``, ``SEED`` a literal of the container's env): at the environment's entry.
    What the script assigns itself is the ConfigMap's finding (:meth:`_Scanner.judge`)."""
    if not listed(container, "volumeMounts") or not listed(container, "env"):
        return
    for file, cm, key in mounted_configmap_keys(res, path, container, ctx.env_sources):
        held = cm.data.get("data")
        script = held.get(key) if isinstance(held, dict) else None
        if isinstance(script, str) and shell_script(key, script) and scanner.expands(script):
            mounted = f" (the script {file}, mounted from ConfigMap {cm.id.name})"
            yield from _with_environment(res, path, container, (), script, scanner, ctx, mounted)


def _with_environment(
    res: Resource,
    path: Path_,
    container: dict,
    where: Path_,
    script: str,
    scanner: _Scanner,
    ctx: RuleContext,
    mounted: str = "",
) -> Given:
    """(where, what, credential) of what ``script`` gives away once the shell expands its variables
    (:meth:`_Scanner.expanded`), those it does not assign taken from the container's environment
    (a literal under a name nobody judges, ``SEED``, used as ``curl -u "default:$SEED"``): at the
    environment's entry when the literal is one, else at ``where``. ``mounted`` (said after what
    was found): the script is a ConfigMap's, mounted into the container; only the container's own
    entries are put in, and only what they give is the container's finding."""
    referenced, assigned = shell.referenced(script), shell.assigned(script)
    names = referenced - assigned  # (what the environment gives it)
    env = effective_env(res, path, container, ctx.env_sources, only=names) if names else {}
    given = {
        name: entry.value
        for name, entry in env.items()
        if entry.value is not None
        and (
            (entry.origin == "env" and entry.source is res)
            if mounted
            else entry.origin not in ("command", "args")  # (the script's own)
        )
    }
    if not given and (mounted or referenced.isdisjoint(assigned)):
        return  # (no literal to put in: what it expands is a Secret's, or nothing it holds)
    for _, what, literal, written in scanner.expanded(where, script, given):
        entry = None if written or literal == UNREAD else next((e for e in env.values() if e.value == literal), None)
        if entry is not None and entry.source is res and entry.origin == "env":
            yield entry.path, what + mounted, literal
        elif not mounted:
            yield where, what, literal


def _programs_run(path: Path_, words: list[CommandWord], scripts: list[ShellText], scanner: _Scanner) -> Given:
    """What the command line runs programs with that the walk, judging a word by the flag before
    it, does not see: a credential given to a program by an option of its own (curl's ``-u
    user:password``, mysql's ``-p<password>``: :data:`~torghut_lint.shell.PROGRAM_OPTIONS`),
    and in the scripts a shell runs from it (``sh -c``, an Argo script template's ``source``)
    those and the files they write (:meth:`_Scanner.script`)."""
    for given in shell.program_credentials([word for _, _, word in words]):
        yield from scanner.taken((*path, words[given.at][0], words[given.at][1]), iter([given]))
    for where, script in scripts:
        yield from scanner.script((*path, *where), script)


# The keys of an entry ``{name: N, <key>: V}`` whose value its name says what it is: an environment
# variable's and a Helm or Argo CD parameter's ``value``, an Argo CD plugin parameter's ``string``
# and ``array``, an Argo workflow parameter's ``default`` and ``enum`` (a ``map``'s keys name their
# own values)
_NAMED_VALUES = frozenset(("value", "string", "array", "default", "enum"))
_REFER_TO_IT = "use secretKeyRef to a SealedSecret or ExternalSecret"
# what is found where a script's variables expand past their bound (shell.expanded): no credential,
# a finding all the same (what the literals give a program there is not read)
UNREAD = ""
UNREAD_EXPANSION = (
    f"the script's variables expand past what is read ({shell.READ_FACTOR} times the script and "
    f"{shell.READ_ALLOWANCE:,} characters), so a credential one gives a program is not seen: keep long values out of "
    "shell variables the script expands many times"
)
_SEAL_IT = "seal it into the encrypted data or keep it in a secret store's backend, and refer to it"


def _violations(res: Resource, found: list[tuple[Path_, str, str]], fix: str) -> list[Violation]:
    """A violation for each (path, what, credential), located at its own line of a text."""
    in_texts = _InTexts(res, found)
    return [
        Violation(res, path, _said(what, value, fix), location=in_texts.of(path, value), secrets=_secrets(value))
        for path, what, value in found
    ]


def _said(what: str, value: str, fix: str) -> str:
    """A finding's message: what was found, that its value is not shown, and the fix (where the
    finding is that a script's expansion was not read, :data:`UNREAD`, what alone)."""
    return what if value == UNREAD else f"{what} (value redacted); {fix}"


def _secrets(value: str) -> tuple[str, ...]:
    """The credential a finding names, masked in everything printed (none for :data:`UNREAD`)."""
    return () if value == UNREAD else (value,)


def check(ctx: RuleContext) -> Iterator[Violation]:
    scanner = _Scanner.of(ctx.params)
    exempt = set(ctx.params.get("exemptKinds") or DEFAULT_EXEMPT_KINDS)
    found: list[Violation] = []
    for res in ctx.matched:
        if res.id.kind == "Secret" and res.id.api_version == "v1":
            yield from _secret_object(res, scanner)
            # The rest of a Secret (annotations such as last-applied-configuration) is a copy
            # of its data at worst: tokens there are as clear as in data.
            walk = scanner.walk(res.data, named=False, skip=_SECRET_DATA)
        elif res.id.kind in exempt:
            # Ciphertext and references hold no credential, but every annotation is plain text
            # (tokens there are still in clear), and a template writes its literals into the Secret
            # (what they found is not looked at again: the name-blind walk finds a subset of it)
            written = _secret_templates(res, scanner) + _served_values(res)
            found += _violations(res, written, _SEAL_IT)
            walk = scanner.walk(res.data, named=False, skip=_CIPHERTEXT | {path for path, _, _ in written})
        else:
            walk = scanner.walk(res.data)
            if res.id.kind == "ConfigMap" and res.id.api_version == "v1":
                walk += _binary_data(res, scanner)
        found += _violations(res, walk, _REFER_TO_IT)
    yield from found
    # what reaches a credential-named variable from a literal under another name, unless that
    # literal is reported already (each leak once)
    told = _Told(scanner, {secret for violation in found for secret in violation.secrets})
    for res in ctx.matched:
        given = list(_given(res, scanner, ctx, told))
        in_texts = _InTexts(res, given)
        for path, what, value in given:
            if value == UNREAD or not told(value):
                told.add(value)
                yield Violation(
                    res,
                    path,
                    _said(what, value, _REFER_TO_IT),
                    location=in_texts.of(path, value),  # a line of an sh -c script
                    secrets=_secrets(value),
                )
    for res in ctx.matched:  # literal parameters, where Argo Workflows and Argo CD put them in
        yield from _with_parameters(res, scanner, ctx, told)
        yield from _with_elements(res, scanner, told)
    yield from _loose_files(ctx.texts, scanner)
    yield from _in_margins(ctx.margins, ctx.texts, scanner)
    for doc in ctx.helm_values:
        for path, what, value in scanner.walk(doc.data):
            node = find_node(doc.node, path)
            yield Violation(
                None,
                path,
                "Helm values: " + _said(what, value, "reference an existing Secret instead"),
                location=Location.of(node),
                secrets=_secrets(value),
            )


PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "secretKeySuffixes": {
            "type": "array",
            "items": {"type": "string"},
            "default": DEFAULT_SECRET_SUFFIXES,
            "description": (
                "a key or env name ending with one of these (case and separators ignored; then a number, a version "
                "or a qualifying word such as old, next, prod or live) holds a credential"
            ),
        },
        "variableSuffixes": {
            "type": "array",
            "items": {"type": "string"},
            "default": DEFAULT_VARIABLE_SUFFIXES,
            "description": "a name written as an environment variable (upper case: DB_PASS) ending with one of these "
            "also holds a credential (in lower case the word means something else: next_on_pass)",
        },
        "ignoredKeySuffixes": {
            "type": "array",
            "items": {"type": "string"},
            "default": DEFAULT_IGNORED_SUFFIXES,
            "description": "names ending with these only refer to a credential (a Secret's name, a file path)",
        },
        "exemptKinds": {
            "type": "array",
            "items": {"type": "string"},
            "default": DEFAULT_EXEMPT_KINDS,
            "description": "kinds whose values are encrypted or references (SealedSecret, ExternalSecret, ...)",
        },
    },
}

TEMPLATE = Template(
    "inline-secrets",
    "No plaintext credential in the repository.",
    PARAMS_SCHEMA,
    check,
    orphans=True,
    texts=True,
)
