"""A bound on what evaluating one CEL expression may cost, enforced while it runs.

The expressions are written by whoever writes the tree (a ValidatingAdmissionPolicy in a pull
request) or the policies, and evaluated natively by cel-rust, which has no cost limit of its own:
a 3 kB policy nesting five comprehensions over a literal list of 100 numbers is 10^10 steps. The
API server bounds the same expressions with a runtime cost budget (the evaluation stops with an
error once it is spent); this module does the same, deterministically:

- every comprehension step is counted: each macro call (``all``, ``exists``, ``exists_one``,
  ``existsOne``, ``filter``, ``map``) is rewritten so that its predicate (or its transform) first
  calls :data:`TICK`, which spends one step of the :class:`Budget` and stops the evaluation (an
  error, never a verdict) once there is none left. The rewrite reads CEL's lexical grammar
  (strings in every quoting, raw and bytes forms, ``//`` comments), so no macro hides in text the
  scanner took for a string;
- what the library functions make is bounded before it is made (:func:`bounded`): a ``replace``,
  ``join``, ``flatten`` or ``lists.range`` whose result would pass :data:`MAX_TEXT` characters or
  :data:`MAX_ITEMS` items is an error;
- what native operators make (``+`` on strings and lists) is watched: the process's memory may not
  grow by more than :data:`MAX_GROWTH_BYTES` during one evaluation (looked at every
  :data:`MEMORY_EVERY` steps and after every expression);
- cel-rust logs a failing Python function's error (with the values it was given), which Python
  prints on standard error: :func:`silence_library_log` keeps that out of CI logs.

The budget of one resource's evaluation against one policy (every expression of it: match
conditions, variables, validations, messages) is :data:`BASE_STEPS` plus :data:`STEPS_PER_VALUE`
per value of what it reads (the object, the params, the namespace): linear in the input, as the
whole run must be."""

from __future__ import annotations

import os
from typing import Any

BASE_STEPS = 10_000
STEPS_PER_VALUE = 10
MAX_TEXT = 1 << 20  # characters a library function may return
MAX_ITEMS = 100_000  # items a library function may return
MAX_GROWTH_BYTES = 512 << 20
MEMORY_EVERY = 64  # steps between two looks at the process's memory
TICK = "__torghut_tick"
MACROS = frozenset(("all", "exists", "exists_one", "existsOne", "filter", "map"))


class BudgetExceeded(Exception):
    """The evaluation was stopped: it spent its budget (the reason says which)."""


class Budget:
    """Steps and memory one evaluation may still spend."""

    def __init__(self, values: int) -> None:
        self.limit = BASE_STEPS + STEPS_PER_VALUE * values
        self.steps = 0
        self.start = _resident_bytes()
        self.stopped: str | None = None

    def tick(self) -> bool:
        """One comprehension step (called from inside the expression)."""
        self.steps += 1
        if self.steps > self.limit:
            self.stop(f"it takes more than {self.limit:,} comprehension steps")
        if self.steps % MEMORY_EVERY == 0:
            self.check_memory()
        return True

    def check_memory(self) -> None:
        grown = _resident_bytes() - self.start
        if grown > MAX_GROWTH_BYTES:
            self.stop(f"it takes more than {MAX_GROWTH_BYTES >> 20} MB of memory")

    def stop(self, reason: str) -> None:
        self.stopped = reason
        raise BudgetExceeded(reason)


def measure(*values: Any) -> tuple[int, int]:
    """(values, characters of text) that ``values`` hold (scalars, lists and maps; keys and
    strings counted as text)."""
    count, characters, stack = 0, 0, list(values)
    while stack:
        current = stack.pop()
        count += 1
        if isinstance(current, str):
            characters += len(current)
        elif isinstance(current, dict):
            characters += sum(len(k) for k in current if isinstance(k, str))
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return count, characters


def check_result(budget: Budget, what: str, value: Any) -> None:
    """Stop ``budget`` when ``value`` (a variable, which later expressions may repeat) is larger
    than a library function may make."""
    count, characters = measure(value)
    if count > MAX_ITEMS:
        budget.stop(f"{what} holds more than {MAX_ITEMS:,} values")
    if characters > MAX_TEXT:
        budget.stop(f"{what} holds more than {MAX_TEXT:,} characters")


def _resident_bytes() -> int:
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):  # not Linux: the high-water mark, which only grows
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def silence_library_log() -> None:
    """cel-rust logs a failing Python function's error, with the values it was given, through
    Python's logging (logger ``cel``), which prints warnings on standard error when nothing is
    configured: a credential in a CI log. Nothing of that logger is ever shown (the error itself
    reaches the finding, where known credentials are redacted)."""
    import logging

    logger = logging.getLogger("cel")
    logger.addHandler(logging.NullHandler())
    logger.propagate = False
    logger.setLevel(logging.CRITICAL + 1)


# -- the rewrite ---------------------------------------------------------------------------------

_IDENT_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_IDENT = _IDENT_START | frozenset("0123456789")
_OPEN, _CLOSE = "([{", ")]}"


def tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each token of ``text``: "ident", "string" (every CEL quoting, with its
    raw and bytes prefixes), "number", or the character itself for punctuation; whitespace and
    ``//`` comments are left out. ValueError for a string that never ends."""
    out: list[tuple[int, int, str]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n\f":
            i += 1
        elif c == "/" and text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif c in "\"'":
            end = _string_end(text, i, raw=False)
            out.append((i, end, "string"))
            i = end
        elif c in _IDENT_START:
            j = i + 1
            while j < n and text[j] in _IDENT:
                j += 1
            word = text[i:j]
            if j < n and text[j] in "\"'" and len(word) <= 2 and set(word.lower()) <= {"r", "b"}:
                end = _string_end(text, j, raw="r" in word.lower())  # r'..', b'..', br'..', ...
                out.append((i, end, "string"))
                i = end
            else:
                out.append((i, j, "ident"))
                i = j
        elif c.isdigit():
            j = i + 1
            while j < n and (text[j] in _IDENT or text[j] == "." and j + 1 < n and text[j + 1].isdigit()):
                j += 1
            out.append((i, j, "number"))
            i = j
        else:
            out.append((i, i + 1, c))
            i += 1
    return out


def _string_end(text: str, start: int, raw: bool) -> int:
    """Where the string literal whose quote is at ``start`` ends (one past its closing quote)."""
    quote = text[start]
    triple = text.startswith(quote * 3, start)
    closing = quote * 3 if triple else quote
    i = start + len(closing)
    while i < len(text):
        c = text[i]
        if c == "\\" and not raw:
            i += 2
            continue
        if not triple and c in "\r\n":
            break
        if text.startswith(closing, i):
            return i + len(closing)
        i += 1
    raise ValueError("a string literal that never ends")


def metered(expression: str) -> str:
    """``expression`` with a call of :data:`TICK` before each comprehension step: the predicate
    ``p`` of ``all``/``exists``/``exists_one``/``existsOne``/``filter`` and of a three-argument
    ``map`` becomes ``TICK() ? (p) : false``, a two-argument ``map``'s transform ``t`` becomes
    ``TICK() ? (t) : null`` (same value; the step is counted first, and a spent budget is an error
    no ``||`` or ``&&`` absorbs)."""
    found = tokens(expression)
    edits: list[tuple[int, int, str]] = []  # (start, end, text written there instead)
    for k, (start, end, kind) in enumerate(found):
        name = expression[start:end]
        if kind != "ident" or name not in MACROS:
            continue
        if k == 0 or found[k - 1][2] != "." or k + 1 >= len(found) or found[k + 1][2] != "(":
            continue  # not a member call: a field or function of that name
        args = _arguments(found, k + 1)
        if args is None:
            continue  # unbalanced: the compiler refuses the expression
        if len(args) == 2 or (name == "map" and len(args) == 3):
            first, last = args[1]
            fallback = "null" if name == "map" and len(args) == 2 else "false"
            edits.append((found[first][0], found[first][0], f"{TICK}() ? ("))
            edits.append((found[last][1], found[last][1], f") : {fallback}"))
    return edited(expression, edits)


def edited(text: str, edits: list[tuple[int, int, str]]) -> str:
    """``text`` with each (start, end, replacement) of ``edits`` made (spans that do not overlap;
    start == end inserts)."""
    out, at = [], 0
    for start, end, replacement in sorted(edits, key=lambda e: e[0]):
        out.append(text[at:start])
        out.append(replacement)
        at = end
    out.append(text[at:])
    return "".join(out)


def _arguments(tokens: list[tuple[int, int, str]], open_at: int) -> list[tuple[int, int]] | None:
    """(first, last) token index of each argument of the call whose ``(`` is token ``open_at``
    (an empty argument list: none); None when the parentheses do not balance."""
    depth, args, first = 0, [], open_at + 1
    for k in range(open_at, len(tokens)):
        kind = tokens[k][2]
        if kind in _OPEN:
            depth += 1
        elif kind in _CLOSE:
            depth -= 1
            if depth == 0:
                if k > first:
                    args.append((first, k - 1))
                return args
        elif kind == "," and depth == 1:
            args.append((first, k - 1))
            first = k + 1
    return None


def bounded(name: str, function: Any) -> Any:
    """``function`` (a library function expressions call), refusing to make a result past
    :data:`MAX_TEXT` characters or :data:`MAX_ITEMS` items where its arguments say how large
    the result will be before it is made."""
    known = _SIZE_OF.get(name)
    if known is None:
        return function
    size_of, limit, unit = known

    def guarded(*args: Any) -> Any:
        size = size_of(*args)
        if size is not None and size > limit:
            raise BudgetExceeded(f"{name} would make more than {limit:,} {unit}")
        return function(*args)

    return guarded


def _replace_size(text: Any, old: Any = "", new: Any = "", count: Any = -1) -> int | None:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return None
    times = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    return len(text) + times * max(len(new) - len(old), 0)


def _join_size(items: Any, separator: Any = "") -> int | None:
    if not isinstance(items, list):
        return None
    sep = len(separator) if isinstance(separator, str) else 0
    return sum(len(x) if isinstance(x, str) else 1 for x in items) + sep * max(len(items) - 1, 0)


def _flatten_size(items: Any, depth: Any = 1) -> int | None:
    if not isinstance(items, list) or not isinstance(depth, int):
        return None
    total, stack = 0, [(items, depth)]
    while stack and total <= MAX_ITEMS:  # counted up to the limit, not further
        values, left = stack.pop()
        for x in values:
            if isinstance(x, (list, tuple)) and left > 0:
                stack.append((x, left - 1))
            else:
                total += 1
    return total


def _range_size(n: Any = 0, *_: Any) -> int | None:
    return n if isinstance(n, int) and not isinstance(n, bool) else None


_SIZE_OF = {  # the size of what a function would make, the limit on it, its unit
    "replace": (_replace_size, MAX_TEXT, "characters"),
    "join": (_join_size, MAX_TEXT, "characters"),
    "flatten": (_flatten_size, MAX_ITEMS, "items"),
    "lists.range": (_range_size, MAX_ITEMS, "items"),
}
