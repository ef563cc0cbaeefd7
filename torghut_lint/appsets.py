"""ApplicationSets as Argo CD expands them: the parameters each generator makes (a list's
elements, a git directory generator's directories, a matrix's product, a merge by ``mergeKeys``,
a selector's choice, a generator's own template over the set's: read from Argo CD's
``applicationset/generators``), and a template's fields written with them (parameters written
in, the ``hasKey`` choice, sprig's ``default``). What the linter cannot expand (a pull request,
SCM provider, cluster or plugin generator, git files) is one parameter set whose parameters are
unknown; :mod:`torghut_lint.argocd` reads what that deploys as unknown, and the gate fails closed on
it."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from torghut_lint.model import Path_

# A Go template action of a templatePatch: ``{{ .x }}`` writes a parameter, ``{{- if ... }}``,
# ``{{ end }}``, ``{{ $v := ... }}`` and comments only steer which text is kept.
GO_CONTROL = re.compile(r"\s*(?:(?:if|else|end|range|with|define|template|block|break|continue)\b|/\*|\$[\w]*\s*:?=)")


_HAS_KEY = re.compile(
    r'\{\{-?\s*if\s+hasKey\s+\.\s+"([^"]+)"\s*-?\}\}(.*?)\{\{-?\s*else\s*-?\}\}(.*?)\{\{-?\s*end\s*-?\}\}', re.S
)


def template_value(text: str, element: dict | None) -> str | None:
    """A template field's value with a generator's parameters, as Argo CD renders it: parameters
    written in (``{{ .name }}``, ``{{name}}``) and the ``hasKey`` choice (``{{ if hasKey .
    "targetRevision" }}{{ .targetRevision }}{{ else }}main{{ end }}``); None where it stays
    unknown (another template, a parameter the element lacks: Argo CD's ``missingkey=error``,
    unknown parameters, or a template past :data:`MAX_TEMPLATED_FIELD` characters, which the
    backtracking match of the choice could take minutes over)."""
    if "{{" not in text:
        return text
    if element is None or len(text) > MAX_TEMPLATED_FIELD:  # (a longer template: unknown, never matched)
        return None
    if (choice := _HAS_KEY.fullmatch(text.strip())) is not None:
        return template_value(choice.group(2) if choice.group(1) in element else choice.group(3), element)
    value = TEMPLATE_PARAMETER.sub(
        lambda m: _printed(element[m.group(1)]) if m.group(1) in element else m.group(0), text
    )
    return value if "{{" not in value else None


def list_elements(generators: Any, path: Path_) -> Iterator[tuple[Path_, dict]]:
    """The list generators' elements, nested matrix and merge generators included."""
    for i, generator in enumerate(generators if isinstance(generators, list) else []):
        if not isinstance(generator, dict):
            continue
        elements = (generator.get("list") or {}).get("elements") if isinstance(generator.get("list"), dict) else None
        for j, element in enumerate(elements if isinstance(elements, list) else []):
            if isinstance(element, dict):
                yield path + (i, "list", "elements", j), element
        for nested in ("matrix", "merge"):
            inner = generator.get(nested)
            if isinstance(inner, dict):
                yield from list_elements(inner.get("generators"), path + (i, nested, "generators"))


MAX_DIRECTORY_MATCHES = 1_000_000  # patterns times directories one git generator may ask (a second or so)


def _git_directories(git: dict, path: Path_, directories: tuple[str, ...]) -> Iterator[tuple[Path_, dict]]:
    """The parameters of each application a git directory generator (at ``path``) makes of the
    repository's ``directories`` (relative to its root, POSIX), as Argo CD's makes them: every
    directory one of its patterns matches (Go's ``path.Match``: ``*`` within one segment), none an
    ``exclude: true`` pattern matches; its ``path``, ``path.basename`` and ``path[n]`` (and, under
    Go templates, ``path.path``), under ``pathParamPrefix`` where one is set; the generator's
    ``repoURL`` and ``revision`` given as the element's own."""
    items = git.get("directories")
    patterns = [(str(d.get("path") or ""), d.get("exclude") is True) for d in items if isinstance(d, dict)]
    prefix = str(git.get("pathParamPrefix") or "")
    name = f"{prefix}.path" if prefix else "path"
    for directory in directories:
        matched = [exclude for pattern, exclude in patterns if _path_match(pattern, directory)]
        if not matched or any(matched):
            continue
        base = directory.rsplit("/", 1)[-1]
        element = {name: directory, f"{name}.path": directory, f"{name}.basename": base}
        element |= {f"{name}[{k}]": part for k, part in enumerate(directory.split("/")) if part}
        element |= {"repoURL": git.get("repoURL"), "targetRevision": git.get("revision")}
        yield path + ("git", "directories", directory), {k: v for k, v in element.items() if v is not None}


def _path_match(pattern: str, directory: str) -> bool:
    """Go's ``path.Match``: the same number of segments, each matched by its glob (``*`` and
    ``?`` never cross a ``/``)."""
    import fnmatch

    parts, names = pattern.strip("/").split("/"), directory.split("/")
    return len(parts) == len(names) and all(fnmatch.fnmatchcase(n, p) for p, n in zip(parts, names, strict=True))


# a parameter written into a template: {{path}}, {{ .path }}, {{path[1]}}
TEMPLATE_PARAMETER = re.compile(r"\{\{-?\s*\.?([A-Za-z0-9_.-]+(?:\[[0-9]+\])?)\s*-?\}\}")


def resolved_path(text: object, element: dict) -> str | None:
    """A source path with a list element's parameters written in (fasttemplate's ``{{name}}`` and
    Go template's ``{{ .name }}``), normalised; None when something stays unknown."""
    if not isinstance(text, str):
        return None
    value = TEMPLATE_PARAMETER.sub(lambda m: str(element.get(m.group(1), m.group(0))), text)
    if "{{" in value:
        return None
    return os.path.normpath(value.strip().strip("/")) if value.strip().strip("/") else "."


MAX_TEMPLATED_FIELD = 256  # a destination namespace is a DNS label; a longer template is left unknown


def possible_values(text: object, element: dict) -> tuple[str, ...] | None:
    """The values a templated field (a destination's namespace) may take with a list element's
    parameters: the text itself, the parameters written in, or where the template chooses among
    parameters (``{{ if hasKey . "namespace" }}{{ .namespace }}{{ else }}{{ .name }}{{ end }}``),
    each one it may write that the element has (Argo CD takes one branch; which, the linter need
    not tell). None where something stays unknown (a function's result, text beside a choice)."""
    if not isinstance(text, str):
        return ()
    if "{{" not in text:
        return (text.strip(),) if text.strip() else ()
    if len(text) > MAX_TEMPLATED_FIELD:
        return None
    value = TEMPLATE_PARAMETER.sub(lambda m: str(element.get(m.group(1), m.group(0))), text)
    if "{{" not in value:
        return (value.strip(),)
    actions = re.findall(r"\{\{(.*?)\}\}", text, re.S)
    if re.sub(r"\{\{.*?\}\}", "", text, flags=re.S).strip():
        return None  # text beside a choice: what it makes is not one parameter
    written: list[str] = []
    literals: list[str] = []
    for action in actions:
        inner = action.strip("-").strip()
        if (found := TEMPLATE_PARAMETER.fullmatch("{{" + inner + "}}")) is not None:
            written.append(found.group(1))
        elif (chosen := _defaulted(inner)) is not None:  # sprig's default: the one given, else the default
            written += chosen[0]
            literals += chosen[1]
        elif not GO_CONTROL.match(inner):
            return None
    values = sorted({str(element[k]) for k in written if k in element} | set(literals))
    return tuple(values) or None


_DEFAULT_WORD = re.compile(r'\.?([A-Za-z0-9_.-]+(?:\[[0-9]+\])?)|"([^"\\]*)"|(default|\|)')


def _defaulted(action: str) -> tuple[list[str], list[str]] | None:
    """The parameters and literals a ``default`` action may write (``default .name .namespace``,
    ``.namespace | default "torghut"``), or None for any other action."""
    words = action.split()
    if "default" not in words:
        return None
    params, literals = [], []
    for word in words:
        found = _DEFAULT_WORD.fullmatch(word)
        if found is None:
            return None
        if found.group(1) is not None and word != "default":
            params.append(found.group(1))
        elif found.group(2) is not None:
            literals.append(found.group(2))
    return params, literals


@dataclass(frozen=True)
class ParameterSet:
    """The parameters of one application an ApplicationSet's generators make, and where they are
    written; ``params`` None for a generator the linter cannot expand (a pull request, SCM
    provider, cluster, plugin or git files generator: whatever it makes is unknown here)."""

    location: Path_
    params: dict | None
    key: str


UNEXPANDED = "generator "  # the key of what a generator the linter cannot expand makes


MAX_PARAMETER_SETS = 10_000  # applications one ApplicationSet's generators may make here; more: unknown


MAX_APPLICATIONS_READ = 100_000  # applications the ApplicationSets of one repository may make here; more: unknown


def parameter_sets(
    generators: Any, at: Path_, directories: tuple[str, ...], budget: list[int] | None = None
) -> list[tuple[ParameterSet, dict]]:
    """(parameter set, the generator's own ``template``) of each application the top-level
    generators make, as Argo CD's make them: a list's elements, a git directory generator's
    directories, a matrix's product (its first generator's parameters winning, as under Go
    templates), a merge's base sets overridden by ``mergeKeys``, each filtered by its
    ``selector``; keys made unique within the ApplicationSet. A generator making more than
    :data:`MAX_PARAMETER_SETS` (or than is left of ``budget``, the repository's) is one unknown set."""
    budget = [MAX_APPLICATIONS_READ] if budget is None else budget
    out: list[tuple[ParameterSet, dict]] = []
    for i, generator in enumerate(generators if isinstance(generators, list) else []):
        if not isinstance(generator, dict):
            continue
        kind = next((k for k in generator if k not in ("selector", "values")), None)
        own = generator[kind].get("template") if kind and isinstance(generator[kind], dict) else None
        made = _generated(generator, (*at, i), directories)
        if len(made) > min(MAX_PARAMETER_SETS, budget[0]):
            made = [ParameterSet((*at, i), None, UNEXPANDED + ".".join(map(str, (*at, i)[1:])))]
        budget[0] -= len(made)
        out += [(found, own if isinstance(own, dict) else {}) for found in made]
    seen: dict[str, int] = {}
    unique = []
    for found, own in out:
        seen[found.key] = seen.get(found.key, 0) + 1
        key = found.key if seen[found.key] == 1 else f"{found.key} #{seen[found.key]}"
        unique.append((ParameterSet(found.location, found.params, key), own))
    return unique


def _generated(generator: dict, at: Path_, directories: tuple[str, ...]) -> list[ParameterSet]:
    """The parameter sets one generator makes (see :func:`parameter_sets`)."""
    unknown = [ParameterSet(at, None, UNEXPANDED + ".".join(map(str, at[1:])))]
    kind = next((k for k in generator if k not in ("selector", "values")), None)
    body = generator.get(kind) if kind else None
    if not isinstance(body, dict):
        return []  # (Argo CD refuses a generator of no kind: it makes nothing)
    found: list[ParameterSet]
    if kind == "list":
        elements = body.get("elements")
        found = [
            ParameterSet((*at, "list", "elements", j), element, f"element {element.get('name', j)}")
            for j, element in enumerate(elements if isinstance(elements, list) else [])
            if isinstance(element, dict)
        ]
        if isinstance(body.get("elementsYaml"), str) and body["elementsYaml"].strip():
            found += unknown  # (written by another generator's parameters, as a rule)
    elif kind == "git" and isinstance(body.get("directories"), list) and body["directories"]:
        if len(body["directories"]) * len(directories) > MAX_DIRECTORY_MATCHES:
            return unknown  # (a hostile list of patterns: what it matches is not asked)
        found = [
            ParameterSet(p[:-1], element, f"directory {p[-1]}")
            for p, element in _git_directories(body, at, directories)
        ]
    elif kind in ("matrix", "merge"):
        children = body.get("generators") if isinstance(body.get("generators"), list) else []
        parts = [
            _generated(child, (*at, kind, "generators", k), directories) if isinstance(child, dict) else []
            for k, child in enumerate(children)
        ]
        found = _product(parts, unknown) if kind == "matrix" else _merged(parts, body.get("mergeKeys"), unknown)
    else:
        return unknown
    return _selected(found, generator.get("selector"))


def _product(parts: list[list[ParameterSet]], unknown: list[ParameterSet]) -> list[ParameterSet]:
    """A matrix generator's sets: every pair of its two generators' (Argo CD refuses any other
    number), the first's parameters winning where both set one."""
    if len(parts) != 2:
        return []
    first, second = parts
    if len(first) * len(second) > MAX_PARAMETER_SETS:
        return unknown
    out = []
    for a in first:
        for b in second:
            if a.params is None or b.params is None:
                out.append(a if a.params is None else b)
                continue
            params = {**b.params, **a.params}
            named = params.get("name")
            key = f"element {named}" if isinstance(named, str) else f"{b.key} x {a.key}"
            out.append(ParameterSet(b.location, params, key))
    unknown_once = {(s.location, s.key): s for s in out if s.params is None}  # an unknown one once
    return [s for s in out if s.params is not None] + list(unknown_once.values())


def _merged(parts: list[list[ParameterSet]], keys: Any, unknown: list[ParameterSet]) -> list[ParameterSet]:
    """A merge generator's sets: its first generator's, each overridden by the sets of the others
    with the same values of ``mergeKeys``; an unknown generator among them leaves every set unknown."""
    if not parts or not isinstance(keys, list) or not keys:
        return []
    if any(s.params is None for part in parts for s in part):
        return [ParameterSet(s.location, None, s.key) for s in parts[0]] or unknown
    import json

    def merge_key(params: dict) -> str:
        return json.dumps({str(k): params.get(str(k)) for k in keys}, sort_keys=True, default=str)

    base = {merge_key(s.params): s for s in parts[0]}
    if len(base) < len(parts[0]):
        return []  # two sets with one merge key: Argo CD refuses the ApplicationSet
    for part in parts[1:]:
        overrides = {merge_key(s.params): s for s in part}
        if len(overrides) < len(part):
            return []
        for value, s in base.items():
            if (other := overrides.get(value)) is not None:
                base[value] = ParameterSet(s.location, {**s.params, **other.params}, s.key)
    return list(base.values())


def _selected(sets: list[ParameterSet], selector: Any) -> list[ParameterSet]:
    """The sets a generator's ``selector`` (a label selector on the flattened parameters, values
    as Go prints them) keeps; an unknown set is kept (what it holds is unknown)."""
    if not isinstance(selector, dict) or not selector:
        return sets
    wanted = [(str(k), "In", [_printed(v)]) for k, v in (selector.get("matchLabels") or {}).items()]
    for expression in selector.get("matchExpressions") or []:
        if isinstance(expression, dict):
            values = expression.get("values") if isinstance(expression.get("values"), list) else []
            wanted.append((str(expression.get("key")), str(expression.get("operator")), [_printed(v) for v in values]))
    kept = []
    for s in sets:
        if s.params is None:
            kept.append(s)
            continue
        flat = _flattened(s.params)
        if all(_label_test(flat, key, operator, values) for key, operator, values in wanted):
            kept.append(s)
    return kept


def _label_test(flat: dict[str, str], key: str, operator: str, values: list[str]) -> bool:
    if operator == "In":
        return key in flat and flat[key] in values
    if operator == "NotIn":
        return key not in flat or flat[key] not in values
    if operator == "Exists":
        return key in flat
    if operator == "DoesNotExist":
        return key not in flat
    return True  # an operator Argo CD refuses: the ApplicationSet makes nothing; kept here (fail closed)


def _flattened(params: dict, prefix: str = "") -> dict[str, str]:
    """Parameters as Argo CD's selectors read them: nested keys joined with dots, values printed."""
    out: dict[str, str] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out |= _flattened(value, name + ".")
        elif isinstance(value, list):
            out |= _flattened({str(i): v for i, v in enumerate(value)}, name + ".")
        else:
            out[name] = _printed(value)
    return out


def _printed(value: object) -> str:
    """A value as Go's ``%v`` prints it (``true``, ``1``, ``<nil>``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def merged_template(own: Any, template: dict) -> dict:
    """A generator's template spec over the ApplicationSet's: what it writes wins, what it leaves
    out is the ApplicationSet's (mergo's merge, as Argo CD merges them)."""
    if not isinstance(own, dict):
        return template
    merged = dict(template)
    for key, value in own.items():
        if isinstance(value, dict) and isinstance(template.get(key), dict):
            merged[key] = merged_template(value, template[key])
        elif value not in (None, "", [], {}):
            merged[key] = value
    return merged
