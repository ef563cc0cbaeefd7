"""Which resources a patch ``target`` selects, as kustomize decides it.

Name, namespace, kind, group and version are RE2 patterns anchored at both ends (kustomize
compiles ``^(?:pattern)$`` with Go's regexp); ``labelSelector`` and ``annotationSelector`` are
Kubernetes label selectors (``k=v``, ``k==v``, ``k!=v``, ``k in (a,b)``, ``k notin (a,b)``,
``k``, ``!k``, ``k>1``, ``k<1``), all requirements ANDed. A target that kustomize would refuse
raises :class:`SelectorError`, so the build reports it instead of matching nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import yaml

from torghut_lint import nodes, regex

Requirement = Callable[[Mapping[str, object]], bool]


class SelectorError(ValueError):
    """A target kustomize rejects (bad pattern or selector syntax)."""


_TOKEN = re.compile(r"\s*(\(|\)|,|!=|==|=|!|<|>|[^\s(),!=<>]+)")


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            if text[pos:].strip():
                raise SelectorError(f"cannot read selector {text!r}")
            break
        out.append(match.group(1))
        pos = match.end()
    return out


def parse_selector(text: str) -> list[Requirement]:
    """The requirements of a label selector; an empty selector selects everything."""
    tokens = _tokens(text)
    requirements: list[Requirement] = []
    i = 0

    def take() -> str:
        nonlocal i
        if i >= len(tokens):
            raise SelectorError(f"selector {text!r} ends too early")
        i += 1
        return tokens[i - 1]

    def value_token() -> str:
        if i < len(tokens) and tokens[i] not in (",", ")", "(", "=", "==", "!=", "!", "<", ">"):
            return take()
        return ""  # an empty value is allowed (k=)

    while i < len(tokens):
        token = take()
        if token == "!":
            key = take()
            requirements.append(lambda labels, k=key: k not in labels)
        else:
            key = token
            if key in ("(", ")", ",", "=", "==", "!=", "<", ">"):
                raise SelectorError(f"selector {text!r}: unexpected {key!r}")
            op = tokens[i] if i < len(tokens) else ","
            if op == ",":
                requirements.append(lambda labels, k=key: k in labels)
            elif op in ("=", "=="):
                take()
                want = value_token()
                requirements.append(lambda labels, k=key, v=want: k in labels and str(labels[k]) == v)
            elif op == "!=":
                take()
                want = value_token()
                requirements.append(lambda labels, k=key, v=want: k not in labels or str(labels[k]) != v)
            elif op in ("in", "notin"):
                take()
                if take() != "(":
                    raise SelectorError(f"selector {text!r}: {op} needs a parenthesised set")
                values: set[str] = set()
                while True:
                    values.add(value_token())
                    closing = take()
                    if closing == ")":
                        break
                    if closing != ",":
                        raise SelectorError(f"selector {text!r}: unexpected {closing!r} in a set")
                if op == "in":
                    requirements.append(lambda labels, k=key, s=frozenset(values): k in labels and str(labels[k]) in s)
                else:
                    requirements.append(
                        lambda labels, k=key, s=frozenset(values): k not in labels or str(labels[k]) not in s
                    )
            elif op in ("<", ">"):
                take()
                bound = value_token()
                try:
                    limit = int(bound)
                except ValueError:
                    raise SelectorError(f"selector {text!r}: {op} needs an integer") from None
                requirements.append(lambda labels, k=key, n=limit, gt=(op == ">"): _compare(labels.get(k), n, gt))
            else:
                raise SelectorError(f"selector {text!r}: unexpected {op!r} after {key!r}")
        if i < len(tokens):
            if tokens[i] != ",":
                raise SelectorError(f"selector {text!r}: expected ',' before {tokens[i]!r}")
            i += 1
    return requirements


def _compare(value: object, limit: int, greater: bool) -> bool:
    try:
        number = int(str(value))
    except ValueError:
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
