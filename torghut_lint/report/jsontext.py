"""JSON text as ``json.dumps(value, indent=2)`` writes it, character for character, at the C
encoder's speed: the standard library encodes indented output in pure Python (its C encoder
serves only the unindented form), which made the JSON report of a large tree a serial half
second after the parallel work. Every report and file that is indented JSON (JSON, SARIF, the
rule catalog, baselines) is written here, so the public formats stay exactly what they were."""

from __future__ import annotations

import json
from collections.abc import Iterator
from json.encoder import encode_basestring_ascii as _string  # the C function json.dumps uses
from typing import Any


def indented(value: Any) -> str:
    """``json.dumps(value, indent=2)``."""
    out: list[str] = []
    _encode(value, "\n", out)
    return "".join(out)


def _encode(value: Any, newline: str, out: list[str]) -> None:
    # the order json.encoder tests types in: str, None, True, False, int, float, list/tuple, dict
    if isinstance(value, str):
        out.append(_string(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(json.dumps(value))  # its NaN/Infinity spelling and repr
    elif isinstance(value, (list, tuple)):
        _members("[", "]", (("", item) for item in value), newline, out)
    elif isinstance(value, dict):
        named = ((_string(k if isinstance(k, str) else _key(k)) + ": ", item) for k, item in value.items())
        _members("{", "}", named, newline, out)
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _members(opening: str, closing: str, members: Iterator[tuple[str, Any]], newline: str, out: list[str]) -> None:
    """A list's items or a mapping's entries (each after its ``"key": `` prefix), one per line one
    level in, or the empty pair of brackets."""
    inner = newline + "  "
    separator = opening + inner
    empty = True
    for prefix, item in members:
        empty = False
        if type(item) is str:  # most values: no call of their own
            out.append(separator + prefix + _string(item))
        else:
            out.append(separator + prefix)
            _encode(item, inner, out)
        separator = "," + inner
    out.append(opening + closing if empty else newline + closing)


def _key(key: Any) -> str:
    """A mapping key that is not text, as json.dumps spells it (numbers, true/false/null)."""
    if isinstance(key, (bool, float)) or key is None:
        return json.dumps(key)
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
