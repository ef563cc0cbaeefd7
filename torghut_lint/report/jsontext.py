"""JSON text as ``json.dumps(value, indent=2)`` writes it, character for character, at the C
encoder's speed: the standard library encodes indented output in pure Python (its C encoder
serves only the unindented form), which made the JSON report of a large tree a serial half
second after the parallel work. Every report and file that is indented JSON (JSON, SARIF, the
rule catalog, baselines) is written here, so the public formats stay exactly what they were."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring_ascii as _string  # the C function json.dumps uses
from typing import Any


def indented(value: Any) -> str:
    """``json.dumps(value, indent=2)``."""
    out: list[str] = []
    _encode(value, "\n", out)
    return "".join(out)


class Items:
    """A JSON array whose items are made as it is written (:func:`pieces`): a large report's
    findings, each turned into its JSON object only when its turn comes, never all held at once."""

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items


def pieces(value: Any) -> Iterator[str]:
    """``indented(value)`` in pieces, whose concatenation is exactly that text: a mapping or
    list that holds an :class:`Items` (at any depth) is written member by member, an
    :class:`Items` item by item; anything else in one piece."""
    yield from _pieces(value, "\n")


def _pieces(value: Any, newline: str) -> Iterator[str]:
    if isinstance(value, Items):
        items: Iterable[Any] = value.items
    elif isinstance(value, (dict, list, tuple)) and _holds_items(value):
        items = value.values() if isinstance(value, dict) else value
    else:
        out: list[str] = []
        _encode(value, newline, out)
        yield "".join(out)
        return
    mapping = isinstance(value, dict)
    keys = iter([_KEY_TEXTS.get(k) or _key_text(k) for k in value] if mapping else ())
    opening, closing = ("{", "}") if mapping else ("[", "]")
    inner = newline + "  "
    separator, empty = opening + inner, True
    for item in items:
        yield separator + (next(keys) if mapping else "")
        yield from _pieces(item, inner)
        separator, empty = "," + inner, False
    yield opening + closing if empty else newline + closing


def _holds_items(value: dict | list | tuple) -> bool:
    members = value.values() if isinstance(value, dict) else value
    return any(isinstance(m, Items) or (isinstance(m, (dict, list, tuple)) and _holds_items(m)) for m in members)


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
