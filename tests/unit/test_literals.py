"""Many values looked for at once (:mod:`torghut_lint.literals`): every place each stands, what a
search per value answers, whatever the values' number, shape and characters."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from torghut_lint.literals import Literals

# ASCII, two-byte, astral and a lone surrogate (a JSON string can hold one) code points
_CHARS = st.sampled_from(["a", "b", "x", " ", "é", "𝔘", "\ud800"])
_VALUES = st.lists(st.text(_CHARS, max_size=5), max_size=30)
_TEXT = st.text(_CHARS, max_size=40)


def _every_place(values: list[str], text: str) -> set[tuple[int, str]]:
    """The reference: each value searched for on its own, from one past each place it starts."""
    out = set()
    for value in filter(None, values):
        at = text.find(value)
        while at >= 0:
            out.add((at, value))
            at = text.find(value, at + 1)
    return out


@pytest.mark.usefixtures("untraced")
@given(values=_VALUES, text=_TEXT)
@settings(max_examples=400, deadline=None)
def test_literals_answer_what_a_search_per_value_answers(values: list[str], text: str) -> None:
    """Nested (``a`` in ``ab``), overlapping (``aba`` in ``ababa``), repeated and empty values."""
    literals = Literals(values)
    places = list(literals.places(text))
    assert len(places) == len(set(places)) and set(places) == _every_place(values, text)
    assert [at + len(value) for at, value in places] == sorted(at + len(value) for at, value in places)
    assert literals.held(text) == {value for value in values if value in text}


def test_no_values_hold_nothing_and_the_empty_one_is_in_every_text() -> None:
    assert (list(Literals([]).places("abc")), Literals([]).held("abc")) == ([], set())
    assert (list(Literals([""]).places("abc")), Literals([""]).held("")) == ([], {""})


def test_tens_of_thousands_of_values_of_mixed_shapes_are_found_where_they_stand() -> None:
    """The set one RE2 alternation could not search quickly (40,000 of one shape, 5,000 of another)."""
    values = [f"Zq8vR2mX{n:06d}pL4k" for n in range(40_000)] + [f"Yy1xW2vU{n:06d}tS4r" for n in range(5_000)]
    literals = Literals(values)
    text = f"env P7_PASSWORD holds {values[40_007]}; c holds {values[12_345]}{values[3]}"
    assert list(literals.places(text)) == [(22, values[40_007]), (50, values[12_345]), (68, values[3])]


def test_values_nested_in_each_other_are_not_listed_past_a_few_places_per_character() -> None:
    """``abab``, ``ababab``, ... stand at one place per value at each character of a text of
    them: 100 of them and a text of 2 MB would be 10^8 places. Past DENSE per character the text
    is told dense (None), after listing at most that many."""
    from torghut_lint.literals import DENSE

    nested = Literals("ab" * k for k in range(2, 102))
    assert nested.bounded_places("ab" * 1000) is None and nested.held("ab" * 1000) is None
    sparse = Literals(["abab", "ababab"])
    assert len(sparse.bounded_places("ab" * 1000)) <= DENSE * 2000
    assert sparse.held("x abab y") == {"abab"}
