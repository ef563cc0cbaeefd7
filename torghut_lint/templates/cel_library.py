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


# The standard functions whose cel-rust answer differs from the CEL specification and cel-go's,
# and the names the calls are made to instead (see as_specified).
AS_SPECIFIED = {"size": ("__torghut_size", size), "matches": ("__torghut_matches", matches)}
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
