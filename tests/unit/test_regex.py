"""RE2 over the tree's text: a text searched again and again from positions along it is encoded
once (:class:`regex.Encoded`), and answers exactly what the binding answers on the ``str``."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from torghut_lint import regex

_TEXT = st.text(st.sampled_from(list("ab =\tx\n") + ["é", "𝔘", "ĳ", "\u2028"]), max_size=60)
_PATTERNS = [r"[ \t]+([A-Za-z_][A-Za-z0-9_]*)=", r"(a|é)+(b)?", r"𝔘|x", r"\b\w"]


def _scan(search, text: str) -> list[tuple[tuple[int, int], tuple]]:
    """Every match from each position a match starts at, one past it: the loops that use it."""
    out, pos = [], 0
    while pos <= len(text) and (found := search(pos)) is not None:
        out.append((found.span(), found.groups()))
        pos = found.start() + 1
    return out


@pytest.mark.usefixtures("untraced")
@given(text=_TEXT, which=st.integers(0, len(_PATTERNS) - 1), starts=st.lists(st.integers(0, 70), max_size=6))
@settings(max_examples=400, deadline=None)
def test_encoded_answers_what_the_binding_answers_on_the_text(text: str, which: int, starts: list[int]) -> None:
    pattern = regex.compile(_PATTERNS[which])
    encoded = regex.Encoded(text)
    assert _scan(lambda pos: encoded.search(pattern, pos), text) == _scan(lambda pos: pattern.search(text, pos), text)
    for pos in starts:  # in any order: a position before the last one asked starts the count again
        pos = min(pos, len(text))
        mine, theirs = encoded.match(pattern, pos), pattern.match(text, pos)
        assert (mine and (mine.span(), mine.group(0), mine.groups())) == (
            theirs and (theirs.span(), theirs.group(0), theirs.groups())
        )


def test_searching_from_each_match_never_encodes_the_text_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the binding's ``str`` interface each call encoded the whole text and counted its
    characters to the position: 64,000 matches in 1.3 MB took minutes. Encoded once, the binding
    is asked about bytes only."""
    import re2

    counted = {"encode": 0}
    real = re2._encode

    def counting(text):
        counted["encode"] += 1
        return real(text)

    monkeypatch.setattr(re2, "_encode", counting)
    text = "é" + " b=x" * 1_000
    encoded, pattern = regex.Encoded(text), regex.compile(r"[ \t]+([A-Za-z_][A-Za-z0-9_]*)=")
    found, pos = [], 0
    while (match := encoded.search(pattern, pos)) is not None:
        found.append(match.group(1))
        pos = match.end()
    assert found == ["b"] * 1_000 and counted["encode"] == 0
    assert pattern.search(text, 5) is not None and counted["encode"] == 1  # (what the str interface does)
