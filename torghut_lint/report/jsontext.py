"""JSON text as ``json.dumps(value, indent=2)`` writes it, character for character, at the C
encoder's speed: the standard library encodes indented output in pure Python (its C encoder
serves only the unindented form), which made the JSON report of a large tree a serial half
second after the parallel work. Every report and file that is indented JSON (JSON, SARIF, the
rule catalog, baselines) is written here, so the public formats stay exactly what they were."""

from __future__ import annotations

import json
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
        _members("[", "]", [""] * len(value), value, newline, out)
    elif isinstance(value, dict):
        keys = [_KEY_TEXTS.get(k) or _key_text(k) for k in value]
        _members("{", "}", keys, value.values(), newline, out)
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_PLAIN: dict[type, Any] = {  # exact types whose text needs no call of _encode (most values)
    str: _string,
    type(None): lambda _: "null",
    bool: lambda value: "true" if value else "false",
    int: int.__repr__,
}


def _members(opening: str, closing: str, prefixes: list[str], items: Any, newline: str, out: list[str]) -> None:
    """A list's items or a mapping's values (each after its ``"key": `` prefix), one per line one
    level in, or the empty pair of brackets. Appended piece by piece: a large report is never
    held as text twice over."""
    if not prefixes:
        out.append(opening + closing)
        return
    inner = newline + "  "
    separator = opening + inner
    for prefix, item in zip(prefixes, items, strict=True):
        plain = _PLAIN.get(type(item))
        if plain is not None:
            out.append(separator + prefix + plain(item))
        else:
            out.append(separator + prefix)
            _encode(item, inner, out)
        separator = "," + inner
    out.append(newline + closing)


_KEY_TEXTS: dict[Any, str] = {}  # ``"key": `` of the keys seen so far: reports repeat a few names
_KEY_TEXTS_MAX = 4096


def _key_text(key: Any) -> str:
    text = _string(key if isinstance(key, str) else _key(key)) + ": "
    if type(key) is str and len(_KEY_TEXTS) < _KEY_TEXTS_MAX:  # exact str: 1, 1.0 and True are equal keys
        _KEY_TEXTS[key] = text
    return text


def _key(key: Any) -> str:
    """A mapping key that is not text, as json.dumps spells it (numbers, true/false/null)."""
    if isinstance(key, (bool, float)) or key is None:
        return json.dumps(key)
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
