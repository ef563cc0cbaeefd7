"""Linear-time regular expressions for everything that runs on the linted tree.

Python's ``re`` backtracks: ``(a|a)*b`` against thirty characters, or a credential pattern against
a 200 kB string of colons, takes minutes. Every pattern that meets text from a pull request (patch
targets written by its author, the secret and SQL scanners' patterns over its strings) is compiled
here with RE2 (Google's own binding), whose matching time is linear in the text for any pattern.
RE2 is also the syntax kustomize's Go ``regexp`` speaks (``[[:alpha:]]``, ``\\z``), so a target
matches here exactly when it matches in kustomize.

RE2 has no look-around and no back-references; the project's own patterns avoid them.
"""

from __future__ import annotations

import functools

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a bad pattern is reported by the caller, not logged to stderr


class RegexError(ValueError):
    """A pattern RE2 (and so Go's regexp) does not accept."""


@functools.lru_cache(maxsize=1024)
def compile(pattern: str):  # noqa: A001 - the module is used as ``regex.compile``
    """The compiled RE2 pattern; raises :class:`RegexError` with RE2's reason."""
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "invalid"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise RegexError(str(reason)) from None


def literals(texts: list[str]):
    """One pattern that finds any of ``texts`` as written (every other character escaped by its
    code point), matching the longest of those that start where it matches (RE2's leftmost-longest):
    thousands of texts found in one pass, where a search per text would take one pass each.
    Raises :class:`RegexError` when the set is too large for RE2's memory budget."""
    options = re2.Options()
    options.log_errors = False
    options.longest_match = True
    options.max_mem = 256 << 20
    pattern = "|".join(
        "".join(c if c.isascii() and (c.isalnum() or c == "_") else f"\\x{{{ord(c):x}}}" for c in t) for t in texts
    )
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        raise RegexError(str(exc.args[0] if exc.args else "invalid")) from None


def fullmatch(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches all of ``text``, as kustomize anchors target patterns
    (``^(?:pattern)$``)."""
    return compile(f"^(?:{pattern})$").search(text) is not None
