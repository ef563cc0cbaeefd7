"""torghut_lint.regex: RE2 patterns, and the yes/no question the secrets scan asks of every string."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("direct", [True, False])
def test_found_answers_as_search_does(monkeypatch: pytest.MonkeyPatch, direct: bool) -> None:
    """``found`` is ``search(...) is not None``, asked of RE2's matcher directly where the binding
    allows it (and through ``search`` where it does not), on ASCII and non-ASCII text alike."""
    from torghut_lint import regex as rx

    monkeypatch.setattr(rx, "_DIRECT", direct and rx._DIRECT)
    patterns = [r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", r"é+x", r"^$", r"(?i)password\s*=\s*\S+", r"\bgh[pousr]_\w{4}\b"]
    texts = [
        "",
        "AKIAABCDEFGHIJKLMNOP",
        "xx AKIAABCDEFGHIJKLMNOP yy",
        "ééx",
        "naïve PASSWORD = x",
        "ghp_ab",
        "ghp_abcd",
    ]
    for pattern in patterns:
        compiled = rx.compile(pattern)
        for text in texts:
            assert rx.found(compiled, text) == (compiled.search(text) is not None), (pattern, text)
