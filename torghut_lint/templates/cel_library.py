"""The CEL functions policies may call: the CEL standard library (native in the ``cel`` package,
cel-rust), its extended strings/lists/math/sets/encoders libraries (``cel.stdlib``), and the
Kubernetes libraries ValidatingAdmissionPolicies commonly use, written here: regex (``find``,
``findAll``, with RE2 like everything that reads tree content), lists (``isSorted``, ``sum``,
``min``, ``max``, ``indexOf``, ``lastIndexOf`` on lists), quantity (``quantity``, ``isQuantity``
and its comparison and arithmetic methods) and url (``url``, ``isURL``, ``getScheme``,
``getHost``, ``getHostname``, ``getPort``, ``getEscapedPath``, ``getQuery``).

A quantity is carried as its number of base units (``quantity("1Gi")`` is 1073741824), so its
methods and the ordinary comparison operators both work; a url is carried as its text."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from torghut_lint.templates.cel_budget import TICK, bounded, edited, silence_library_log, tokens

# Functions the cel package implements natively (macros expand to operators, not listed).
NATIVE = frozenset(
    "size timestamp duration int uint double string bytes dyn type contains startsWith endsWith matches "
    "getFullYear getMonth getDate getDayOfMonth getDayOfWeek getDayOfYear getHours getMinutes getSeconds "
    "getMilliseconds".split()
)


def _regex(pattern: str):
    from torghut_lint import regex

    return regex.compile(pattern)


def find(text: str, pattern: str) -> str:
    match = _regex(pattern).search(text)
    return match.group(0) if match else ""


def find_all(text: str, pattern: str, limit: int = -1) -> list[str]:
    found = [m.group(0) for m in _regex(pattern).finditer(text)]
    return found if limit < 0 else found[:limit]


def _quantity(text: Any) -> Decimal:
    from torghut_lint.k8s import parse_quantity

    value = parse_quantity(text) if isinstance(text, str) else None
    if value is None:
        raise ValueError(f"quantity: {text!r} is not a Kubernetes quantity")
    return value


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def quantity(text: str) -> int | float:
    return _number(_quantity(text))


def is_quantity(text: Any) -> bool:
    try:
        _quantity(text)
    except ValueError:
        return False
    return True


def _compare(a: Any, b: Any) -> int:
    return (a > b) - (a < b)


def index_of(container: Any, item: Any, offset: int | None = None) -> int:
    """``indexOf``: of a string (the strings library, in code points, from ``offset``) or of a
    list (the lists library)."""
    if isinstance(container, str):
        start = 0 if offset is None else offset
        if item == "":
            return start
        _in_string(container, start)
        return container.find(item, start)
    if offset is not None:
        raise TypeError("no such overload: indexOf(list, item, int)")
    return next((i for i, x in enumerate(container) if x == item), -1)


def last_index_of(container: Any, item: Any, offset: int | None = None) -> int:
    """``lastIndexOf``: the last occurrence starting at or before ``offset`` (a string's), as
    :func:`index_of`."""
    if isinstance(container, str):
        if offset is None:
            if item == "":
                return len(container)
            offset = len(container) - 1
        if item == "":
            return offset
        _in_string(container, offset)
        return container.rfind(item, 0, min(offset, len(container) - len(item)) + len(item))
    if offset is not None:
        raise TypeError("no such overload: lastIndexOf(list, item, int)")
    return next((i for i in range(len(container) - 1, -1, -1) if container[i] == item), -1)


def _in_string(text: str, offset: int) -> None:
    """An offset the strings library searches a text from: an error outside it, as cel-go's."""
    if not 0 <= offset < len(text):
        raise IndexError(f"index out of range: {offset}")


INT64 = range(-(2**63), 2**63)


def _integer(value: int | float) -> int | None:
    """A quantity's value as an int64 (Kubernetes' ``AsInt64``), None when it has a fraction
    (``50m``) or does not fit."""
    whole = int(value) if value == int(value) else None
    return whole if whole is not None and whole in INT64 else None


def _as_integer(value: int | float) -> int:
    """``asInteger()``: an error where Kubernetes' is (``quantity('1.5').asInteger()`` is no 1:
    a limit read through it must not pass where admission fails)."""
    whole = _integer(value)
    if whole is None:
        raise ValueError(f"asInteger: cannot convert {value} to an integer (a fraction, or past int64)")
    return whole


def _url(text: str):
    parts = urlsplit(text)
    if not parts.scheme:
        raise ValueError(f"url: {text!r} is not an absolute URL")
    return parts


def is_url(text: Any) -> bool:
    try:
        return isinstance(text, str) and bool(_url(text).scheme)
    except ValueError:
        return False


def size(value: Any) -> int:
    """CEL's ``size``: a string's Unicode code points (cel-rust's own counts its UTF-8 bytes:
    ``size('é')`` is 2 there, 1 in cel-go and the API server), a bytes value's bytes, a list's
    items, a map's entries."""
    if isinstance(value, (str, bytes, list, dict)):
        return len(value)
    raise TypeError(f"no such overload: size({type(value).__name__})")


def matches(text: str, pattern: str) -> bool:
    """CEL's ``matches``: whether RE2 finds ``pattern`` anywhere in ``text``. cel-rust's own uses
    Rust's regex, whose ``\\d``, ``\\w``, ``\\s`` and ``\\b`` are Unicode-aware (``'٣'.matches('^\\\\d$')``
    is true there, false in cel-go and the API server), and has no global ``matches(text, re)``."""
    if not isinstance(text, str) or not isinstance(pattern, str):
        raise TypeError(f"no such overload: matches({type(text).__name__}, {type(pattern).__name__})")
    return _regex(pattern).search(text) is not None


def to_string(value: Any) -> str:
    """CEL's ``string()`` as cel-go writes it: a bool as ``true``, a double as Go's ``%g``
    (``1e+06``, ``1.5``), a duration as seconds (``90s``), a timestamp as RFC 3339 (``Z`` for
    UTC), bytes as UTF-8 (an error where they are not); cel-rust had no ``string(bool)`` and wrote
    the others its own way."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8")  # (UnicodeDecodeError: invalid UTF-8, an error in cel-go too)
    if isinstance(value, dt.timedelta):
        return format(Decimal(repr(value.total_seconds())).normalize(), "f") + "s"
    if isinstance(value, dt.datetime):
        return _rfc3339(value)
    raise TypeError(f"no such overload: string({type(value).__name__})")


def _go_float(value: float) -> str:
    """A double as Go's ``%g`` (``strconv.FormatFloat(v, 'g', -1, 64)``) writes it: the shortest
    digits that read back, in exponent form from 1e+06 and below 1e-04."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    point = len(text) + int(exponent)  # where the decimal point falls in the digits
    lead = "-" if sign else ""
    if point - 1 < -4 or point - 1 >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        power = point - 1
        return f"{lead}{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"
    if point <= 0:
        return f"{lead}0.{'0' * -point}{text}"
    if point >= len(text):
        return lead + text + "0" * (point - len(text))
    return f"{lead}{text[:point]}.{text[point:]}"


def _rfc3339(value: dt.datetime) -> str:
    """A timestamp as Go's RFC3339Nano: fractional seconds without trailing zeros, ``Z`` for UTC."""
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    offset = value.utcoffset()
    if not offset:
        return text + "Z"
    minutes = int(offset.total_seconds()) // 60
    return f"{text}{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def to_bool(value: Any) -> bool:
    """CEL's ``bool()``: a text as Go's ``strconv.ParseBool`` reads it (``1``, ``t``, ``T``, ``TRUE``,
    ``true``, ``True`` and their false spellings); cel-rust refused ``T`` and ``F``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value in ("1", "t", "T", "TRUE", "true", "True"):
            return True
        if value in ("0", "f", "F", "FALSE", "false", "False"):
            return False
        raise ValueError(f"bool: cannot convert {value!r}")
    raise TypeError(f"no such overload: bool({type(value).__name__})")


def to_int(value: Any) -> int:
    """CEL's ``int()`` as cel-go answers it: a text in base 10 (a sign, digits: no spaces or
    underscores), a double toward zero (an error for NaN, infinities and past int64), a timestamp as
    its Unix seconds, a duration as its nanoseconds; cel-rust had no int of a timestamp."""
    if isinstance(value, bool):
        raise TypeError("no such overload: int(bool)")
    if isinstance(value, int):
        found = value
    elif isinstance(value, str):
        if not _DECIMAL.fullmatch(value):
            raise ValueError(f"int: {value!r} is not a base-10 integer")
        found = int(value)
    elif isinstance(value, float):
        if not math.isfinite(value) or not -(2.0**63) <= value < 2.0**63:
            raise OverflowError(f"int: {value} is out of range")
        found = int(value)
    elif isinstance(value, dt.datetime):
        found = math.floor(value.timestamp())
    elif isinstance(value, dt.timedelta):
        found = (value.days * 86_400 + value.seconds) * 1_000_000_000 + value.microseconds * 1_000
    else:
        raise TypeError(f"no such overload: int({type(value).__name__})")
    if found not in INT64:
        raise OverflowError(f"int: {found} is out of range")
    return found


_DECIMAL = re.compile(r"[+-]?[0-9]+")

# The standard functions whose cel-rust answer differs from the CEL specification and cel-go's,
# and the names the calls are made to instead (see as_specified).
AS_SPECIFIED = {
    "size": ("__torghut_size", size),
    "matches": ("__torghut_matches", matches),
    "string": ("__torghut_string", to_string),
    "bool": ("__torghut_bool", to_bool),
    "int": ("__torghut_int", to_int),
}
_WRITTEN = {name: written for written, (name, _) in AS_SPECIFIED.items()}


def as_specified(expression: str) -> str:
    """``expression`` with each call of a function of :data:`AS_SPECIFIED` (``size(x)``,
    ``x.size()``, ``s.matches(re)``) made a call of the linter's: the CEL specification's and
    cel-go's (the API server's) answer, where cel-rust's differs. A field of such a name is no
    call and is left alone."""
    found = tokens(expression)
    edits = [
        (start, end, AS_SPECIFIED[expression[start:end]][0])
        for k, (start, end, kind) in enumerate(found)
        if kind == "ident" and expression[start:end] in AS_SPECIFIED and k + 1 < len(found) and found[k + 1][2] == "("
    ]
    return edited(expression, edits)


def as_written(text: str) -> str:
    """``text`` (an error's) with the functions :func:`as_specified` renamed named as the
    expression wrote them."""
    for name, written in _WRITTEN.items():
        text = text.replace(name, written)
    return text


FUNCTIONS: dict[str, Any] = {
    **dict(AS_SPECIFIED.values()),
    "find": find,
    "findAll": find_all,
    "isSorted": lambda items: all(a <= b for a, b in zip(items, items[1:], strict=False)),
    "indexOf": index_of,
    "lastIndexOf": last_index_of,
    "quantity": quantity,
    "isQuantity": is_quantity,
    "isGreaterThan": lambda a, b: a > b,
    "isLessThan": lambda a, b: a < b,
    "compareTo": _compare,
    "add": lambda a, b: a + (b if not isinstance(b, str) else quantity(b)),
    "sub": lambda a, b: a - (b if not isinstance(b, str) else quantity(b)),
    "asInteger": lambda a: _as_integer(a),
    "asApproximateFloat": lambda a: float(a),
    "isInteger": lambda a: _integer(a) is not None,
    "sign": lambda a: (a > 0) - (a < 0),
    "url": lambda text: _url(text).geturl(),
    "isURL": is_url,
    "getScheme": lambda u: _url(u).scheme,
    "getHost": lambda u: _url(u).netloc.rsplit("@", 1)[-1],
    "getHostname": lambda u: _url(u).hostname or "",
    "getPort": lambda u: str(_url(u).port or ""),
    "getEscapedPath": lambda u: _url(u).path,
    "getQuery": lambda u: {k: v for k, v in parse_qs(_url(u).query).items()},
}


def cel() -> Any:
    """The ``cel`` extension module (cel-rust). Imported without the package's ``__init__``, which
    also imports its command-line interface (typer, rich, prompt_toolkit: 110 ms of start-up for
    nothing a lint uses); the normal import when the package is loaded already or laid out
    differently."""
    import importlib
    import importlib.util
    import sys
    import types

    if "cel" not in sys.modules:
        spec = importlib.util.find_spec("cel")
        if spec is not None and spec.submodule_search_locations:
            package = types.ModuleType("cel")
            package.__path__ = list(spec.submodule_search_locations)
            package.__spec__ = spec
            sys.modules["cel"] = package
            try:
                module = importlib.import_module("cel.cel")
                importlib.import_module("cel.stdlib")
                return module
            except ImportError:
                del sys.modules["cel"]
    return importlib.import_module("cel.cel")


def _stdlib() -> dict[str, Any]:
    cel()
    from cel.stdlib import EXTENSIONS

    merged: dict[str, Any] = {}
    for functions in EXTENSIONS.values():
        merged.update(functions)
    merged.update(FUNCTIONS)  # the Kubernetes spellings win (indexOf on lists too)
    return {name: bounded(name, function) for name, function in merged.items()}


_ALL: dict[str, Any] | None = None


def functions() -> dict[str, Any]:
    global _ALL
    if _ALL is None:
        silence_library_log()  # what cel-rust logs of a failing function: its arguments
        _ALL = _stdlib()
    return _ALL


def supports(name: str) -> bool:
    """Whether a function a compiled expression calls exists here (operators always do)."""
    return name.startswith(("_", "@", "!")) or name in NATIVE or name in functions()


def context(activation: dict[str, Any], tick: Callable[[], bool] | None = None) -> Any:
    """An evaluation context; ``tick`` is what a metered expression calls on each comprehension
    step (cel_budget.TICK)."""
    if tick is None:
        return cel().Context(variables=activation, functions=functions())
    return cel().Context(variables=activation, functions={**functions(), TICK: tick})
