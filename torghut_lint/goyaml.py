"""How go-yaml reads an untagged plain scalar, and what the JSON every manifest then passes through
makes of it: the value the cluster is sent, which is what the rules must judge.

kustomize reads manifests with go-yaml v3 (kyaml), turns each object into JSON and prints that back
as YAML; Argo CD reads kustomize's output (and a directory application's files) with
sigs.k8s.io/yaml, which is go-yaml v2 followed by JSON. The two read numbers and timestamps alike;
v2 also takes YAML 1.1's ``yes``/``on``/``y`` for booleans (:data:`BOOLS_1_1`, applied where v2
reads). Measured against ``kubectl kustomize`` (kustomize v5.5), scalar by scalar
(``tests/unit/test_goyaml.py``):

- **numbers** follow Go's ``strconv`` after every ``_`` is dropped: ``1_000`` is 1000, ``0b101`` 5,
  ``0x1F`` and ``+0x1F`` 31, ``-0o17`` -15, ``012`` 10 (YAML 1.1 octal), ``08`` 8.0; an integer
  past int64 and uint64 is a float when it is decimal (``99999999999999999999``) and a string when
  it is not (``0x10000000000000000``); a float past float64's range is a string (``1e400``);
- **timestamps** (``2026-01-01``, ``2026-01-01 09:30:00``, ``2026-01-01T09:30:00Z`` with ``t`` or
  ``T``, one- or two-digit fields, a ``,`` or ``.`` before the fraction) are checked as Go's
  ``time.Parse`` checks them (``2001-02-29`` stays a string) and written back as RFC 3339 with
  nanoseconds: ``2026-01-01`` becomes ``"2026-01-01T00:00:00Z"``;
- **JSON**: an integral float below 1e21 is written without a fraction or exponent, so it reads back
  as an integer where int64 or uint64 holds it (``1.0`` is 1, ``1e3`` 1000; ``1e20`` stays a
  float); an infinite or NaN number (``.inf``, ``.nan``) and a timestamp 24 hours or more from UTC
  cannot be written at all: kustomize refuses the build (:class:`Unencodable`), and so does a
  mapping key that reads as anything but a string (``8080:``, ``true:``, ``2026-01-01:``).
"""

from __future__ import annotations

import re
from decimal import Decimal

import yaml

UINT64 = 1 << 64
INT64 = 1 << 63


class Unencodable(str):
    """A scalar go-yaml reads as a value JSON cannot hold (an infinite or NaN number, a timestamp
    whose zone is 24 hours or more from UTC): kustomize's build fails on it, and so does Argo CD's
    reading of a directory application. Its text, so a rule still reads what was written."""

    __slots__ = ()


WORDS = {  # the plain scalars that read as a boolean or null
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
}
_NOT_FINITE = frozenset(sign + dot for sign in ("", "+", "-") for dot in (".inf", ".Inf", ".INF")) | frozenset(
    (".nan", ".NaN", ".NAN")
)
# YAML 1.1's booleans, which go-yaml v2 (kustomization files, JSON patches, Argo CD's reading of a
# directory application) still takes; v3 (a manifest in a kustomize build) reads them as strings
BOOLS_1_1 = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), False),
}

MAYBE_NOT_STRING = frozenset("0123456789+-.~nNtTfF")  # a plain scalar starting otherwise is a string
_DIGITS = {
    2: frozenset("01"),
    8: frozenset("01234567"),
    10: frozenset("0123456789"),
    16: frozenset("0123456789abcdefABCDEF"),
}
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")  # go-yaml's yamlStyleFloat
# strconv.ParseFloat on a text starting with '.': Go's float syntax, '_' only between digits
_DOT_FLOAT = re.compile(r"\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?\Z")
# go-yaml's timestamp layouts: "2006-1-2T15:4:5.999999999Z07:00" (with 't' too), "2006-1-2 15:4:5.999999999"
# (one or more spaces, no zone) and "2006-1-2"
_STAMP = re.compile(
    r"([0-9]{4})-([0-9][0-9]?)-([0-9][0-9]?)"
    r"(?:([Tt]| +)([0-9][0-9]?):([0-9][0-9]?):([0-9][0-9]?)(?:[.,]([0-9]+))?(Z|[-+][0-9][0-9]:[0-9][0-9])?)?\Z"
)
_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def resolve_plain(text: str) -> object:
    """The value of an untagged plain scalar: go-yaml's reading, then JSON's (see the module)."""
    if text and text[0] not in MAYBE_NOT_STRING:
        return text  # most plain scalars are words: nothing else to try
    if text in WORDS:
        return WORDS[text]
    if text.isdigit() and text.isascii() and len(text) < 19 and (text[0] != "0" or len(text) == 1):
        return int(text)  # most numbers: decimal, well inside int64
    first = text[0]
    if first in "nNtTfF~":
        return text  # a word: every other reading starts with a digit, a sign or a dot
    if text in _NOT_FINITE:
        return Unencodable(text)
    if first == ".":
        if _DOT_FLOAT.match(text) and (value := _finite(text.replace("_", ""))) is not None:
            return after_json(value)
        return text
    if len(text) >= 8 and text[4] == "-" and (stamp := timestamp(text)) is not None:
        return stamp
    plain = text.replace("_", "")
    if (number := parse_int(plain)) is not None:
        return number
    if _FLOAT.match(plain) and (value := _finite(plain)) is not None:
        return after_json(value)
    number = _prefixed(plain)
    return text if number is None else number


def _prefixed(plain: str) -> int | None:
    """go-yaml's own prefixes, tried after Go's: the rest is a signed number (``0b+1`` is 1)."""
    for prefix, base in (("0b", 2), ("0o", 8)):
        if plain.startswith(prefix):
            return parse_int(plain[2:], base)
        if plain.startswith("-" + prefix):
            return parse_int("-" + plain[3:], base)
    return None


MISMATCH = object()  # a tagged scalar go-yaml refuses to decode as its tag says


def resolve_tagged(text: str, kind: str, v2: bool = False) -> object:
    """The value of a scalar with an explicit core tag (``!!int``, ``!!float``, ``!!bool``,
    ``!!null``, ``!!timestamp``; quoted or not, go-yaml reads its text as a plain scalar's), or
    :data:`MISMATCH` where the text is not of that kind (``!!bool yes`` to go-yaml v3, ``!!int
    1.5``): kustomize refuses the build. An integer is a float to ``!!float``. Another tag: the text."""
    if kind == "timestamp":
        return timestamp(text) if _is_timestamp(text) else MISMATCH
    if kind == "int":
        plain = text.replace("_", "")
        number = parse_int(plain)
        number = _prefixed(plain) if number is None else number
        return MISMATCH if number is None else number
    value = resolve_plain(text)
    if kind == "bool":
        value = BOOLS_1_1.get(text, value) if v2 else value
        return value if type(value) is bool else MISMATCH
    if kind == "null":
        return None if value is None else MISMATCH
    if kind == "float":
        numeric = type(value) in (int, float) or (type(value) is Unencodable and not _is_timestamp(text))
        return value if numeric else MISMATCH
    return text


def plain_tag(text: str) -> str:
    """The tag go-yaml gives a plain scalar as it reads it ("str", "int", "float", "bool", "null",
    "timestamp"): the type a kustomize replacement keeps when it writes new text into it."""
    value = resolve_plain(text)
    if _is_timestamp(text):
        return "timestamp"
    if value is None:
        return "null"
    if type(value) is bool:
        return "bool"
    if type(value) is str:
        return "str"
    plain = text.replace("_", "")
    return "int" if parse_int(plain) is not None or _prefixed(plain) is not None else "float"


def is_string(text: str) -> bool:
    """Whether a plain scalar reads back as the same string (a key kustomize accepts): not a
    number, boolean, null or timestamp (one already written as Go writes it back included)."""
    value = resolve_plain(text)
    return type(value) is str and value == text and not _is_timestamp(text)


def _is_timestamp(text: str) -> bool:
    return len(text) >= 8 and text[4] == "-" and timestamp(text) is not None


def reading(text: str) -> str:
    """What a plain scalar reads as, for messages: "an integer", "a timestamp", ..."""
    value = resolve_plain(text)
    if isinstance(value, Unencodable):
        return "a timestamp 24 hours or more from UTC" if _is_timestamp(text) else "an infinite or NaN number"
    if isinstance(value, str):
        return "a timestamp" if _is_timestamp(text) else "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "an integer" if isinstance(value, int) else "a number"


def json_problem(text: str, key: bool, v2: bool = False, tag: str = "") -> str | None:
    """Why go-yaml's reading of the plain scalar ``text`` (a mapping key or a value) cannot be
    written as JSON, or None: as go-yaml v3 reads it (a manifest in a kustomize build) or, with
    ``v2``, as sigs.k8s.io/yaml does (Argo CD's reading of a directory application, kustomize's of
    a JSON patch), which turns a number or boolean key into its text and keeps a timestamp as
    written, but fails on a null or uint64 key and on an infinite or NaN number."""
    shown = tag.replace("tag:yaml.org,2002:", "!!")
    if key and tag and not v2:  # go-yaml v3 decodes no tagged key into a JSON object's (a string)
        return f"the key {text!r} is tagged {shown}, which kustomize refuses for a key (go-yaml): drop the tag"
    if tag.endswith(":binary"):
        if _base64(text):
            return None
        return f"{text!r} is tagged !!binary but is not base64 (go-yaml), which refuses it: drop the tag"
    if key and tag:  # sigs.k8s.io/yaml: the key's text, once its tag is read
        value = resolve_tagged(text, tag.rsplit(":", 1)[1], v2) if tag.startswith("tag:yaml.org,2002:") else text
        if value is MISMATCH:
            return f"the key {text!r} is tagged {shown} but reads as {reading(text)} (go-yaml), which refuses it"
        if value is None or (type(value) is int and value >= INT64):
            return f"the key {text!r} reads as {reading(text)} (go-yaml), which JSON cannot hold as a key: quote it"
        return None
    if tag:  # an explicitly tagged value
        value = resolve_tagged(text, tag.rsplit(":", 1)[1], v2)
        if value is MISMATCH:
            return f"{text!r} is tagged {shown} but reads as {reading(text)} (go-yaml), which refuses it: drop the tag"
        if type(value) is Unencodable:
            return f"{text!r} reads as {reading(text)} (go-yaml), which JSON cannot hold: quote it"
        return None
    value = resolve_plain(text)
    if key and not v2 and text and not is_string(text):  # (an empty key is "" to go-yaml v3)
        return f"the key {text!r} reads as {reading(text)} (go-yaml), and a JSON object's keys are strings: quote it"
    if key and v2 and (value is None or (type(value) is int and value >= INT64)):
        return f"the key {text!r} reads as {reading(text)} (go-yaml), which JSON cannot hold as a key: quote it"
    if not key and type(value) is Unencodable and not (v2 and _is_timestamp(text)):
        return f"{text!r} reads as {reading(text)} (go-yaml), which JSON cannot hold: quote it"
    return None


def _base64(text: str) -> bool:
    """Whether go-yaml decodes a ``!!binary`` text (Go's standard base64, padded; line breaks
    ignored, any other white space refused)."""
    import base64
    import binascii

    try:
        base64.b64decode(text.replace("\n", "").replace("\r", ""), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def parse_int(text: str, base: int = 0) -> int | None:
    """strconv.ParseInt(text, base, 64), else strconv.ParseUint (which takes no sign): base 0
    reads Go's prefixes (``0b``, ``0o``, ``0x``, and a bare leading ``0`` for octal)."""
    if text[:1] in ("+", "-"):
        number = _parse_uint(text[1:], base)
        if number is None:
            return None
        if text[0] == "-":
            return -number if number <= INT64 else None
        return number if number < INT64 else None
    return _parse_uint(text, base)


def atoi(text: str) -> int | None:
    """strconv.Atoi on a 64-bit machine (ParseInt(text, 10, 64)): an optional sign and decimal
    digits within int64, else None."""
    number = parse_int(text, 10)
    return number if number is not None and number < INT64 else None


def _parse_uint(text: str, base: int) -> int | None:
    if not text:
        return None
    if base == 0:
        base = 10
        if text[0] == "0":
            prefix = text[1:2].lower()
            if len(text) >= 3 and prefix in ("b", "o", "x"):
                base, text = {"b": 2, "o": 8, "x": 16}[prefix], text[2:]
            else:
                base, text = 8, text[1:]
    if not _DIGITS[base].issuperset(text):
        return None
    number = int(text, base) if text else 0
    return number if number < UINT64 else None


def _finite(text: str) -> float | None:
    """strconv.ParseFloat: None past float64's range (Go's range error; an underflow is 0)."""
    value = float(text)
    return None if value in (float("inf"), float("-inf")) else value


def after_json(value: float) -> int | float:
    """A float as it reads back from Go's JSON: an integral one below 1e21 is written with its
    shortest digits and no exponent (2**63 as ``9223372036854776000``), and reads back as an
    integer where int64 or uint64 holds that."""
    if not value.is_integer() or abs(value) >= 1e21:
        return value
    if abs(value) < 1e15:
        number = int(value)
    else:
        mantissa, _, exponent = repr(value).partition("e")
        whole, _, fraction = mantissa.partition(".")
        fraction = fraction.rstrip("0") if exponent else ""
        number = int(whole + fraction) * 10 ** (int(exponent or 0) - len(fraction))
    return number if -INT64 <= number < UINT64 else value


def timestamp(text: str) -> str | None:
    """A timestamp as Go's JSON writes it back (RFC 3339, nanoseconds without trailing zeros, a
    zero offset as ``Z``), an :class:`Unencodable` for one Go reads but cannot write, or None when
    go-yaml does not read ``text`` as a timestamp."""
    match = _STAMP.match(text)
    if match is None:
        return None
    year, month, day, separator, hour, minute, second, fraction, zone = match.groups()
    if separator is not None and (separator in "Tt") != (zone is not None):
        return None  # 'T' needs a zone, spaces take none
    year, month, day = int(year), int(month), int(day)
    if not 1 <= month <= 12:
        return None
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= day <= (29 if month == 2 and leap else _DAYS[month - 1]):
        return None
    clock = "00:00:00"
    if separator is not None:
        h, m, s = int(hour), int(minute), int(second)
        if h >= 24 or m >= 60 or s >= 60:
            return None
        clock = f"{h:02d}:{m:02d}:{s:02d}" + (f".{fraction[:9].rstrip('0')}" if fraction else "").rstrip(".")
    offset = 0
    if zone is not None and zone != "Z":
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 24 or minutes > 60:
            return None
        offset = (hours * 60 + minutes) * (-1 if zone[0] == "-" else 1)
    written = f"{year:04d}-{month:02d}-{day:02d}T{clock}"
    if offset == 0:
        return written + "Z"
    if abs(offset) >= 24 * 60:
        return Unencodable(text)  # Go: "timezone hour outside of range [0,23]"
    return written + f"{'-' if offset < 0 else '+'}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"


def go_float_text(value: float) -> str:
    """A float as go-yaml writes it (``strconv.FormatFloat(f, 'g', -1, 64)``): the shortest digits,
    with an exponent below 1e-4 and from 1e6 (an integral float below 1e21 is an integer by then,
    see :func:`after_json`)."""
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + int(exponent or 0)  # where the decimal point falls in ``digits``
    point -= len(digits) - len(digits.lstrip("0"))
    digits = digits.strip("0")
    exp = point - 1
    if exp < -4 or exp >= 6:
        body = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{body}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if exp < 0:
        return f"{sign}0.{'0' * (-exp - 1)}{digits}"
    if len(digits) <= point:
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def json_text(value: object) -> str:
    """A number, boolean or null as Go's encoding/json writes it: a float's shortest digits, with
    an exponent (``e-7``, ``e+21``) only below 1e-6 and from 1e21 (an integral float below 1e21 is
    an integer by then, see :func:`after_json`)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    assert isinstance(value, float)
    if value != 0 and (abs(value) < 1e-6 or abs(value) >= 1e21):
        text = repr(value)  # Python writes these with an exponent too, of two digits at least
        return text.replace("e-0", "e-")
    return format(Decimal(repr(value)), "f")


# what Go's unicode.IsSpace (and so strings.TrimSpace) takes for white space
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"


# -- folded block scalars ------------------------------------------------------------------------

# what go-yaml's emitter does not print (is_printable), tab and line feed aside (its analysis allows
# a tab in a block): controls, U+FEFF, U+FFFE/U+FFFF and astral characters (its UTF-8 test stops at
# three bytes)
UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff\U00010000-\U0010ffff]")
LINE_BREAKS = "\r\n\x85\u2028\u2029"  # what go-yaml's emitter (and YAML 1.1) takes for a line break
_SPACE_BREAK = re.compile(f"[ ][{LINE_BREAKS}]")


def block_allowed(value: str) -> bool:
    """Whether go-yaml's emitter (v2's and v3's) writes ``value`` as a block scalar when asked to
    (its analyze_scalar): not empty, no space at the end or before a line break, nothing it does
    not print; otherwise it writes it double-quoted, which reads back unchanged."""
    return bool(value) and value[-1] != " " and _SPACE_BREAK.search(value) is None and UNPRINTABLE.search(value) is None


class Unreadable(ValueError):
    """What go-yaml prints it cannot read back: kustomize fails the build (the message says what)."""


# what :func:`printed` does not model (it returns None)
FOLDED_SEPARATOR = (
    "a folded block scalar (>) with a line or paragraph separator (U+2028/U+2029), which go-yaml rewrites "
    "as it prints the object in a way the built-in renderer does not model"
)
FOLDED_KEY = "a folded key on several lines, which go-yaml rewrites as it prints the object (not modelled)"


def printed(value: str, style: str | None) -> str | None:
    """The text a string scalar written in ``style`` (libyaml's: ``>``, ``|``, quotes, None) holds
    once kustomize has printed it and read it back: the value the cluster is sent.

    kustomize prints every object (``RNode.MarshalJSON``: go-yaml encodes the node, keeping its
    style, and decodes the text again) before it writes it out, and before a JSON patch. Plain and
    quoted scalars, and a block scalar go-yaml writes double-quoted (:func:`block_allowed`), read
    back as they were; so does a literal one (``|``). A block scalar whose text starts with a tab
    cannot be read back (go-yaml writes no indentation indicator for it, and a tab cannot start a
    block's first line): :class:`Unreadable`, kustomize refuses the build. A folded one (``>``)
    changes (:func:`_folded`); None where that is not modelled (a line or paragraph separator,
    U+2028/U+2029, in its text). Measured against ``kubectl kustomize``
    (``tests/unit/test_goyaml.py``)."""
    tab_led = value[:1] == "\t"
    if (style == ">" or style == "|" and tab_led) and block_allowed(value):
        if tab_led:
            raise Unreadable(
                "a block scalar whose text starts with a tab: go-yaml prints it without an indentation "
                "indicator and cannot read it back"
            )
        return _folded(value)
    return value


def _folded(value: str) -> str | None:
    """What go-yaml v3's folded-scalar emitter (``yaml_emitter_write_folded_scalar``) does to a
    text: it decides whether a line break needs an empty line after it (a single break between two
    lines would fold into a space) by looking at the start of the whole text instead of the next
    line (``k := 0`` where libyaml starts at the break). So when the text starts with a character
    other than a space or tab, every line break after an ordinary line gets an empty line, also
    before a more-indented line, where no break folds, and a line break more reads back
    (``"if x; then\\n  rm y"`` becomes ``"if x; then\\n\\n  rm y"``); when it starts with a space or
    tab, none does, and a break between two ordinary lines reads back as a space
    (``"  # a\\nMODE=\\nlive"`` becomes ``"  # a\\nMODE= live"``: an environment file's variable
    takes the next line's text). Written as go-yaml writes it (kyaml's encoder does not wrap long
    lines) and read back with libyaml, whose scanner go-yaml's is a port of."""
    if "\u2028" in value or "\u2029" in value:
        return None
    # the text's line breaks are all "\n" here: go-yaml writes "\r" and U+0085 double-quoted, and
    # libyaml's scanner turns every other break it reads into "\n"
    extra = value.lstrip("\n")[:1] not in (" ", "\t")  # the emitter's test, at the start of the text
    *ended, last = value.split("\n")
    lines: list[str] = []
    for line in ended:
        lines.append(line)
        if extra and line and line[0] not in " \t":  # after an ordinary line, an empty line more
            lines.append("")
    if last:
        lines.append(last)
    header = ">" + ("2" if value[0] in " \n" else "")  # go-yaml's hints: indentation, chomping
    if value[-1] != "\n":
        header += "-"
    elif len(value) == 1 or value[-2] == "\n":
        header += "+"
    text = f"- {header}\n" + "".join(("  " + each if each else "") + "\n" for each in lines)
    try:
        return yaml.compose(text, Loader=yaml.CSafeLoader).value[0].value
    except yaml.YAMLError:
        raise Unreadable("a folded block scalar go-yaml cannot read back as it prints it") from None


# -- JSON read back as YAML ----------------------------------------------------------------------

# what Go's encoding/json escapes in a string (the rest it writes as it is)
_GO_JSON = {ord('"'): '\\"', ord("\\"): "\\\\", 0x2028: "\\u2028", 0x2029: "\\u2029"}
_GO_JSON.update({code: f"\\u{code:04x}" for code in range(0x20)})
# what the YAML reader that reads JSON's output refuses, or reads as a line break (U+0085)
_AFTER_JSON = re.compile("[\x7f-\x9f\ufffe\uffff]")


def through_json(text: str, key: bool = False) -> str:
    """A string as kustomize writes it out, which is the value the cluster is sent: kustomize encodes
    each object as JSON and reads that back with go-yaml v2 (sigs.k8s.io/yaml's JSONToYAML), where a
    JSON string is a double-quoted YAML scalar. JSON writes U+0085 (NEL) as it is, and YAML reads it
    as a line break, which folds with the white space around it (``"a\\x85b"`` becomes ``"a b"``, two
    of them a line break: an environment file's two lines ``"MODE=paper\\x85\\x85MODE=live"``);
    a key holding one cannot be read at all, nor can a text holding a character the YAML reader
    refuses (U+007F, U+0080-U+009F but U+0085, U+FFFE, U+FFFF): :class:`Unreadable`, kustomize
    refuses the build. Measured against ``kubectl kustomize`` (``tests/unit/test_goyaml.py``)."""
    if text.isascii() and "\x7f" not in text or _AFTER_JSON.search(text) is None:
        return text
    if key:
        raise Unreadable(
            "a key with a character the YAML reader of kustomize's JSON refuses or reads as a line break "
            "(U+007F-U+009F, U+FFFE, U+FFFF)"
        )
    try:
        return yaml.compose('"' + text.translate(_GO_JSON) + '"', Loader=yaml.CSafeLoader).value
    except yaml.YAMLError:
        raise Unreadable(
            "a text with a character the YAML reader of kustomize's JSON refuses (U+007F-U+009F but U+0085, "
            "U+FFFE, U+FFFF)"
        ) from None
