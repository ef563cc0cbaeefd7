"""Indented JSON is exactly ``json.dumps(value, indent=2)``: reports, SARIF, baselines and the
rule catalog are public formats, and they are written by :func:`indented`."""

from __future__ import annotations

import enum
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from torghut_lint.report.jsontext import Items, indented, pieces

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()  # any code point, surrogates included: escaped as json escapes them
)
_KEYS = st.text() | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=30,
)


@pytest.mark.usefixtures("untraced")  # a search: its worth is the cases it tries
@given(_VALUES)
@settings(max_examples=500, deadline=None)
def test_indented_is_json_dumps(value: object) -> None:
    assert indented(value) == json.dumps(value, indent=2)


def _streamed(value: object, wrap: st.DataObject) -> object:
    """``value`` with some of its lists (drawn) made :class:`Items` over a one-pass iterator."""
    if isinstance(value, dict):
        return {k: _streamed(v, wrap) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_streamed(v, wrap) for v in value]
        if isinstance(value, list) and wrap.draw(st.booleans()):
            return Items(iter(items))
        return items if isinstance(value, list) else tuple(items)
    return value


@pytest.mark.usefixtures("untraced")
@given(_VALUES, st.data())
@settings(max_examples=300, deadline=None)
def test_pieces_are_indented_json_whatever_is_streamed(value: object, wrap: st.DataObject) -> None:
    """A report written piece by piece (its findings made one at a time) is the same text."""
    assert "".join(pieces(_streamed(value, wrap))) == json.dumps(value, indent=2)


def test_items_are_made_as_they_are_written() -> None:
    """Each item is made when its turn comes: the pieces before it are out already."""
    made: list[int] = []

    def findings():
        for n in range(3):
            made.append(n)
            yield {"n": n}

    out = pieces({"summary": {"findings": 3}, "findings": Items(findings()), "after": []})
    written = ""
    for piece in out:
        if '"n": 1' in piece:
            assert made == [0, 1]  # the third not made yet
        written += piece
    assert made == [0, 1, 2]
    assert written == json.dumps(
        {"summary": {"findings": 3}, "findings": [{"n": n} for n in range(3)], "after": []}, indent=2
    )


class Level(enum.IntEnum):
    LOW = 1


class Name(str):
    pass


@pytest.mark.parametrize(
    "value",
    [
        {},
        [],
        {"a": {}, "b": [], "c": [{}], "d": [[]]},
        {"findings": [{"rule": "r", "line": 3, "resource": None, "waived": False}]},
        {"x": "\u2028<script>\x00\ud800é"},
        {3: "int key", 2.5: "float key", True: "bool key", None: "null key"},
        {"nan": math.nan, "inf": -math.inf},
        {"enum": Level.LOW, Name("subclass"): Name("text")},
        (1, (2, 3)),
    ],
)
def test_indented_edge_cases(value: object) -> None:
    assert indented(value) == json.dumps(value, indent=2)


def test_what_json_refuses_is_refused() -> None:
    for value in ({(1, 2): "tuple key"}, {"set": {1}}, object()):
        with pytest.raises(TypeError):
            json.dumps(value, indent=2)
        with pytest.raises(TypeError):
            indented(value)
