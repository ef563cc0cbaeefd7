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


class Lazy:
    """An RE2 pattern compiled when it is first used: one of many that most runs never run (each
    token format alone, asked only once their union has found one), not compiled at import."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    @functools.cached_property
    def compiled(self):  # noqa: ANN201 - an RE2 pattern
        return compile(self.pattern)

    def finditer(self, text: str):  # noqa: ANN201 - RE2's match iterator
        return self.compiled.finditer(text)

    def search(self, text: str):  # noqa: ANN201 - RE2's match, or None
        return self.compiled.search(text)


class RegexError(ValueError):
    """A pattern RE2 (and so Go's regexp) does not accept."""


@functools.lru_cache(maxsize=1024)
def compile(pattern: str | bytes):  # noqa: A001 - the module is used as ``regex.compile``
    """The compiled RE2 pattern (of bytes: it searches bytes); raises :class:`RegexError` with RE2's reason."""
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "invalid"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise RegexError(str(reason)) from None


class Encoded:
    """A text searched many times from positions along it: encoded once. The RE2 binding encodes
    a ``str`` and counts its characters up to the position at every call, so a loop of searches
    over one long text (each match, then the next from there) was quadratic: 8,000 known
    credentials masked in a text of 232 kB took 6 s, a ``.env`` of 16,000 lines 1.7 s.
    Positions given and returned are the text's (characters); asked in increasing order, as such
    loops ask, each costs the distance from the last."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.data = text.encode("utf-8", "surrogatepass")
        self._ascii = len(self.data) == len(text)
        self._char = self._byte = 0  # the last pair of positions converted

    def search(self, pattern, pos: int = 0) -> Found | None:
        """``pattern.search(text, pos)``."""
        return self._found(pattern.search(self.data, self._to_byte(pos)))

    def match(self, pattern, pos: int = 0) -> Found | None:
        """``pattern.match(text, pos)``."""
        return self._found(pattern.match(self.data, self._to_byte(pos)))

    def _found(self, match) -> Found | None:
        if match is None:
            return None
        start, end = (self._to_char(b) for b in match.span())
        groups = tuple(None if g is None else g.decode("utf-8", "surrogatepass") for g in match.groups())
        return Found(start, end, (self.text[start:end], *groups))

    def _to_byte(self, pos: int) -> int:
        if self._ascii:
            return pos
        if pos < self._char:
            self._char = self._byte = 0
        self._byte += len(self.text[self._char : pos].encode("utf-8", "surrogatepass"))
        self._char = pos
        return self._byte

    def _to_char(self, offset: int) -> int:
        if self._ascii:
            return offset
        if offset < self._byte:
            self._char = self._byte = 0
        self._char += len(self.data[self._byte : offset].decode("utf-8", "surrogatepass"))
        self._byte = offset
        return self._char


class Found:
    """A match of :meth:`Encoded.search` or :meth:`Encoded.match`, in the text's positions."""

    __slots__ = ("_start", "_end", "_groups")

    def __init__(self, start: int, end: int, groups: tuple[str | None, ...]) -> None:
        self._start, self._end, self._groups = start, end, groups  # the whole match first, as group(0)

    def span(self) -> tuple[int, int]:
        return self._start, self._end

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self, number: int = 0) -> str | None:
        return self._groups[number]

    def groups(self) -> tuple[str | None, ...]:
        return self._groups[1:]


def fullmatch(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches all of ``text``, as kustomize anchors target patterns
    (``^(?:pattern)$``)."""
    return compile(f"^(?:{pattern})$").search(text) is not None
