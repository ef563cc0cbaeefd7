"""Which resources a patch ``target`` selects, as kustomize decides it.

Name, namespace, kind, group and version are RE2 patterns anchored at both ends (kustomize
compiles ``^(?:pattern)$`` with Go's regexp); ``labelSelector`` and ``annotationSelector`` are
Kubernetes label selectors (``k=v``, ``k==v``, ``k!=v``, ``k in (a,b)``, ``k notin (a,b)``,
``k``, ``!k``, ``k>1``, ``k<1``), all requirements ANDed. A target that kustomize would refuse
raises :class:`SelectorError`, so the build reports it instead of matching nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import yaml

from torghut_lint import nodes, regex
from torghut_lint.goyaml import atoi
from torghut_lint.k8s import label_value_problem, qualified_name_problem

Requirement = Callable[[Mapping[str, object]], bool]


class SelectorError(ValueError):
    """A target kustomize rejects (bad pattern or selector syntax)."""


# The label selector grammar of kustomize's copy of apimachinery's ``labels.Parse``: a lexer of
# identifiers (runs of anything but white space and the special symbols) and operators, a
# recursive-descent parser, and the requirement's checks (a qualified key, label values, one value
# for an exact match, integers for > and <).
_SPECIAL = "=!(),><"
_WHITE = " \t\r\n"
_OPERATORS = ("!", "!=", "(", ")", ",", "=", "==", ">", "<")
_KEYWORDS = ("in", "notin")
_END = ""  # the token after the last


def _lex(text: str) -> list[tuple[str, str]]:
    """(kind, text) tokens: kind "id" (an identifier or a keyword), "op" or "end"."""
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in _WHITE:
            i += 1
        if i >= n:
            tokens.append(("end", _END))
            return tokens
        if text[i] in _SPECIAL:  # the longest operator the symbols spell, one symbol at a time
            j, found = i, ""
            while j < n and text[j] in _SPECIAL and text[i : j + 1] in _OPERATORS:
                found = text[i : j + 1]
                j += 1
            tokens.append(("op", found))
            i += len(found)
            continue
        j = i
        while j < n and text[j] not in _SPECIAL and text[j] not in _WHITE:
            j += 1
        tokens.append(("id", text[i:j]))
        i = j


def parse_selector(text: str) -> list[Requirement]:
    """The requirements of a label selector as kustomize parses one (an empty selector selects
    everything); SelectorError where kustomize refuses it."""
    tokens = _lex(text)
    at = 0

    def peek(values: bool = True) -> tuple[str, str]:
        kind, word = tokens[at]
        return ("id", word) if values and kind == "id" else (kind, word)

    def take(values: bool = True) -> tuple[str, str]:
        nonlocal at
        found = peek(values)
        at += 1
        return found

    def fail(why: str) -> SelectorError:
        return SelectorError(f"selector {text!r}: {why}")

    requirements: list[Requirement] = []
    while True:
        kind, word = peek()
        if kind == "end":
            return requirements
        if not (kind == "id" or word == "!"):
            raise fail(f"found {word!r}, expected: !, identifier, or end of string")
        absent = word == "!"
        if absent:
            take()
        kind, key = take()
        if kind != "id":
            raise fail(f"found {key!r}, expected: identifier")
        if (why := qualified_name_problem(key)) is not None:
            raise fail(f"the key {key!r} {why}")
        if absent or peek()[0] == "end" or peek()[1] == ",":
            requirements.append(
                (lambda labels, k=key: k not in labels) if absent else (lambda labels, k=key: k in labels)
            )
        else:
            requirements.append(_requirement(key, take, peek, fail))
        kind, word = take()
        if kind == "end":
            return requirements
        if word != ",":
            raise fail(f"found {word!r}, expected: ',' or end of string")
        if not (peek()[0] == "id" or peek()[1] == "!"):
            raise fail(f"found {peek()[1]!r}, expected: identifier after ','")


def _requirement(key: str, take: Callable, peek: Callable, fail: Callable) -> Requirement:
    """The requirement of ``key`` an operator and its values make (the tokens after the key)."""
    kind, op = take(values=False)
    if kind == "id" and op in _KEYWORDS:
        opening = take()
        if opening[1] != "(" or opening[0] != "op":
            raise fail(f"found {opening[1]!r}, expected: '('")
        values = _value_set(take, peek, fail)
    elif kind == "op" and op in ("=", "==", "!=", ">", "<"):
        following = peek()
        if following[0] == "end" or following[1] == ",":
            values = {""}
        elif following[0] == "id":
            values = {take()[1]}
        else:
            raise fail(f"found {following[1]!r}, expected: identifier")
    else:
        raise fail(f"found {op!r}, expected: in, notin, =, ==, !=, >, <")
    for value in values:
        if (why := label_value_problem(value)) is not None:
            raise fail(f"the value {value!r} of {key!r} {why}")
    if op in (">", "<"):
        (bound,) = values
        if (limit := atoi(bound)) is None:
            raise fail(f"for {op} the value must be an integer")
        return lambda labels, k=key, n=limit, gt=(op == ">"): k in labels and _compare(labels[k], n, gt)
    chosen = frozenset(values)
    if op in ("in", "=", "=="):
        return lambda labels, k=key, s=chosen: k in labels and str(labels[k]) in s
    return lambda labels, k=key, s=chosen: k not in labels or str(labels[k]) not in s


def _value_set(take: Callable, peek: Callable, fail: Callable) -> set[str]:
    """The values of ``(a, b)`` after the opening parenthesis: empty ones where commas say so
    (``()``, ``(,a)``, ``(a,)``), up to the closing parenthesis."""
    values: set[str] = set()
    if peek()[1] == ")" and peek()[0] == "op":
        take()
        return {""}
    while True:
        kind, word = take()
        if kind == "id":
            values.add(word)
            after = peek()
            if after == ("op", ")"):
                take()
                return values
            if after != ("op", ","):
                raise fail(f"found {after[1]!r}, expected: ',' or ')'")
        elif (kind, word) == ("op", ","):
            if not values:
                values.add("")
            after = peek()
            if after == ("op", ")"):
                values.add("")
                take()
                return values
            if after == ("op", ","):
                take()
                values.add("")
        else:
            raise fail(f"found {word!r}, expected: ',', or identifier")


def _compare(value: object, limit: int, greater: bool) -> bool:
    """A label's value against a ``>``/``<`` bound, read as Go's ParseInt reads it (``1_0`` and
    ``١`` are no numbers to it, as they are to Python's int: never selected)."""
    number = atoi(str(value))
    if number is None:
        return False
    return number > limit if greater else number < limit


class Target:
    """A compiled patch target; :meth:`selects` answers for one resource's data."""

    FIELDS = ("group", "version", "kind", "name", "namespace")
    TESTED = ("kind", "name", "namespace", "group", "version")  # the order selects tests them: the most telling first

    def __init__(self, spec: Mapping[str, object]) -> None:
        self.patterns: dict[str, object] = {}
        for key in self.FIELDS:
            want = spec.get(key)
            if want is None or want == "":
                continue
            try:
                self.patterns[key] = regex.compile(f"^(?:{want})$")
            except regex.RegexError as exc:
                raise SelectorError(f"target {key} {str(want)!r} is not a valid pattern: {exc}") from None
        self._answers: dict[tuple[str, str], bool] = {}  # (field, value) -> matched: kinds repeat
        self.selectors = selectors_of(spec)

    def _matches(self, key: str, pattern: object, value: str) -> bool:
        found = self._answers.get((key, value))
        if found is None:
            found = self._answers[(key, value)] = pattern.search(value) is not None
        return found

    def selects(self, node: yaml.Node, names: tuple[str, ...] = (), namespaces: tuple[str, ...] = ()) -> bool:
        """Whether the resource at ``node`` is selected, read from its nodes as they are now (a
        label an earlier patch added counts, as in kustomize). As kustomize selects, the name may
        match the current name or one in ``names`` (as written, before prefixes and suffixes), the
        namespace the current one or one in ``namespaces``, an absent namespace being "default"."""
        meta = nodes.get(node, "metadata")
        for key in self.TESTED:
            pattern = self.patterns.get(key)
            if pattern is None:
                continue
            if key == "kind":
                candidates: tuple[str, ...] = (nodes.text(nodes.get(node, "kind")),)
            elif key == "name":
                candidates = (nodes.text(nodes.get(meta, "name")), *(n for n in names if n))
            elif key == "namespace":
                candidates = tuple(n or "default" for n in (nodes.text(nodes.get(meta, "namespace")), *namespaces))
            else:
                api = nodes.text(nodes.get(node, "apiVersion"))
                group, _, version = api.rpartition("/") if "/" in api else ("", "", api)
                candidates = (group if key == "group" else version,)
            if not any(self._matches(key, pattern, value) for value in candidates):
                return False
        return meets(node, self.selectors)


def meets(node: yaml.Node, selectors: dict[str, list[Requirement]]) -> bool:
    """Whether the object at ``node`` meets every requirement of ``selectors`` (labels or
    annotations -> the requirements on them: :func:`selectors_of`)."""
    meta = nodes.get(node, "metadata") if selectors else None
    for holder, requirements in selectors.items():
        pairs = nodes.get(meta, holder)
        if isinstance(pairs, yaml.MappingNode):
            nodes.scanned(pairs)  # each label read, for every resource a patch's selector tests
        values = {
            k.value: nodes.text(v)
            for k, v in (pairs.value if isinstance(pairs, yaml.MappingNode) else [])
            if isinstance(k, yaml.ScalarNode)
        }
        if not all(requirement(values) for requirement in requirements):
            return False
    return True


def selectors_of(spec: Mapping[str, object]) -> dict[str, list[Requirement]]:
    """The requirements of a selector's ``labelSelector`` and ``annotationSelector`` (labels or
    annotations -> requirements; absent or empty: none); SelectorError where one cannot be read."""
    selectors: dict[str, list[Requirement]] = {}
    for key, holder in (("labelSelector", "labels"), ("annotationSelector", "annotations")):
        text = spec.get(key)
        if text is None or text == "":
            continue
        if not isinstance(text, str):
            raise SelectorError(f"{key} must be a string")
        selectors[holder] = parse_selector(text)
    return selectors
