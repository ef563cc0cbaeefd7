"""Many texts looked for at once in one pass over a text, whatever their number and shape.

The values looked for are a tree's own: every credential the ``inline-secrets`` rule found (the
reporter masks each wherever it appears), the values a loose file's scanners read. A tree can hold
tens of thousands. A search per value per text is quadratic; one RE2 alternation of them all
(tried first) is linear only while RE2's DFA fits its memory budget: 40,000 credentials of one
shape and 5,000 of another fell off it, 0.6 ms per search of a short message, two minutes to mask
a report. An Aho-Corasick automaton (pyahocorasick) has no such cliff: built in time linear in the
values' length, it finds every place any of them stands, overlapping and nested ones too, in one
pass over the text, positions in characters (astral and lone surrogate code points included).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import ahocorasick

DENSE = 8  # places per character of a text past which it is too dense to list (see bounded_places)


class _Dense(Exception):
    """A text holds the values at more places than :data:`DENSE` per character."""


class Literals:
    """A fixed set of values, looked for together. The empty value, if given, is held by every
    text (as ``"" in text`` is) and stands at no place."""

    __slots__ = ("_automaton", "_empty")

    def __init__(self, values: Iterable[str]) -> None:
        self._automaton: ahocorasick.Automaton | None = ahocorasick.Automaton()
        self._empty = False
        for value in values:
            if value:
                self._automaton.add_word(value, value)
            else:
                self._empty = True
        if len(self._automaton):
            self._automaton.make_automaton()
        else:
            self._automaton = None

    def places(self, text: str) -> Iterator[tuple[int, str]]:
        """``(start, value)`` for every place a (non-empty) value stands in ``text``, overlapping
        and nested ones too, in the order of the places they end."""
        if self._automaton is not None:
            for last, value in self._automaton.iter(text):
                yield last - len(value) + 1, value

    def bounded_places(self, text: str) -> list[tuple[int, str]] | None:
        """:meth:`places` as a list, or None past :data:`DENSE` places per character of ``text``:
        values nested in each other (``abab``, ``ababab``, ...) stand at up to one place per value
        at each character, and a text of them would be listed at that cost (2 MB and 100 values,
        10^8 places); the caller then answers as a dense text needs (masked whole, told nothing)."""
        try:
            return list(self._within(text))
        except _Dense:
            return None

    def held(self, text: str) -> set[str] | None:
        """The values ``text`` holds: ``{v for v in values if v in text}``; None when they stand in
        it too densely to list (:meth:`bounded_places`; counted, not kept)."""
        try:
            found = {value for _, value in self._within(text)}
        except _Dense:
            return None
        if self._empty:
            found.add("")
        return found

    def _within(self, text: str) -> Iterator[tuple[int, str]]:
        """:meth:`places`, raising :class:`_Dense` past :data:`DENSE` per character of ``text``."""
        limit = DENSE * len(text) + 64
        for count, place in enumerate(self.places(text), 1):
            if count > limit:
                raise _Dense
            yield place
