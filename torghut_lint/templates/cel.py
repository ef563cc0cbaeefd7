"""Template ``cel``: requirements written in CEL, the way a Kubernetes ValidatingAdmissionPolicy
writes them, so a platform team can add a check without Python and keep one expression for the
pull request and for admission.

A policy gives ``variables`` and ``validations`` with a ValidatingAdmissionPolicy's shape and
meaning: each validation's ``expression`` must be true for every matched resource, else a
finding with ``message`` (or the string ``messageExpression`` returns) located at ``fieldPath``
(or, without one, the deepest field of ``object`` the expression reads that the resource has).
Expressions see ``object`` (the rendered resource), ``oldObject`` (null: there is no previous
version offline), ``params`` (the policy's ``paramsObject``), ``namespaceObject`` (the Namespace
of the same application, when it has one, else null) and ``variables.<name>``.

An expression that cannot be evaluated (a missing field without ``has()``, a type error) is a
finding too (an admission controller failing closed); one whose estimated cost (the longest
list of the resource to the power of the comprehension nesting) passes :data:`MAX_COST` is not
run and is reported, as the API server refuses costly expressions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from torghut_lint.model import Path_, Resource
from torghut_lint.templates import cel_library
from torghut_lint.templates.base import ParamError, RuleContext, Template, Violation

MAX_COST = 1_000_000  # elements visited per evaluation (a nested comprehension over 1,000 items)
MAX_EXPRESSION = 10_000  # characters, as the API server bounds an expression's size
MACRO = re.compile(r"\.\s*(all|exists|exists_one|map|filter)\s*\(")
READ = re.compile(r"\bobject((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


@lru_cache(maxsize=1024)
def program(expression: str) -> Any:
    """The compiled expression (compiled once per process); ValueError with CEL's reason when it
    does not compile or calls a function no supported library provides."""
    if len(expression) > MAX_EXPRESSION:
        raise ValueError(f"longer than {MAX_EXPRESSION:,} characters")
    compiled = cel_library.cel().compile(expression)
    unknown = sorted(f for f in compiled.functions() if not cel_library.supports(f))
    if unknown:
        raise ValueError(
            f"unsupported CEL function {', '.join(unknown)} (supported: the CEL standard library and the "
            f"Kubernetes strings, lists, regex, quantity and url libraries)"
        )
    return compiled


def nesting(expression: str) -> int:
    """How deep comprehension macros nest in ``expression`` (string literals skipped)."""
    depth = deepest = 0
    stack: list[bool] = []
    i, text = 0, expression
    while i < len(text):
        c = text[i]
        if c in "\"'":
            end = text.find(c, i + 1)
            while end > 0 and text[end - 1] == "\\":
                end = text.find(c, end + 1)
            i = len(text) if end < 0 else end + 1
            continue
        if c == "." and (m := MACRO.match(text, i)):
            stack.append(True)
            depth += 1
            deepest = max(deepest, depth)
            i = m.end()
            continue
        if c == "(":
            stack.append(False)
        elif c == ")" and stack and stack.pop():
            depth -= 1
        i += 1
    return deepest


def _longest_list(value: Any) -> int:
    longest, stack = 0, [value]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            longest = max(longest, len(current))
            stack.extend(current)
        elif isinstance(current, dict):
            longest = max(longest, len(current))
            stack.extend(current.values())
    return longest


def _field_path(text: str) -> Path_:
    """A validation's ``fieldPath`` (``spec.containers[0].image``, ``metadata.labels['app']``) as a path."""
    path: list[str | int] = []
    for part in re.finditer(r"\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]", text):
        name, index, quoted, double = part.groups()
        path.append(int(index) if index is not None else (name or quoted or double))
    return tuple(path)


def _existing(data: Any, path: Path_) -> Path_:
    """The longest prefix of ``path`` the data has."""
    here, kept = data, []
    for step in path:
        if isinstance(here, dict) and step in here:
            here = here[step]
        elif isinstance(here, list) and isinstance(step, int) and 0 <= step < len(here):
            here = here[step]
        else:
            break
        kept.append(step)
    return tuple(kept)


def _where(res: Resource, validation: dict[str, Any]) -> Path_:
    if validation.get("fieldPath"):
        return _existing(res.data, _field_path(validation["fieldPath"]))
    reads = [tuple(m.group(1).split(".")[1:]) for m in READ.finditer(validation["expression"])]
    found = [_existing(res.data, path) for path in reads]
    return max(found, key=len, default=())


def namespace_of(ctx: RuleContext, res: Resource) -> dict | None:
    """The Namespace object of ``res`` when its application has it."""
    found = ctx.namespace(res.id.namespace)
    return None if found is None else found.data


def check(ctx: RuleContext) -> Iterator[Violation]:
    for res in ctx.matched:
        activation = {
            "object": res.data,
            "oldObject": None,
            "params": ctx.params["paramsObject"],
            "namespaceObject": namespace_of(ctx, res),
        }
        yield from evaluate(res, activation, ctx.params["variables"], ctx.params["validations"])


def evaluate(
    res: Resource,
    activation: dict[str, Any],
    variables: list[dict[str, Any]],
    validations: list[dict[str, Any]],
    fail_closed: bool = True,
) -> Iterator[Violation]:
    """Violations of ``validations`` on one resource, with ``variables`` computed first in order.
    An evaluation error is a violation when ``fail_closed`` (an admission ``failurePolicy: Fail``)."""
    depth = max((nesting(e["expression"]) for e in [*variables, *validations]), default=0)
    cost = max(_longest_list(res.data), _longest_list(activation.get("params")), 1) ** depth
    if cost > MAX_COST:
        yield Violation(
            res,
            (),
            f"not evaluated: estimated cost {cost:,} is over the limit of {MAX_COST:,} (as the API "
            "server refuses costly expressions); simplify the expression or narrow the match",
        )
        return
    activation = {**activation, "variables": {}}
    context = cel_library.context(activation)
    try:
        for variable in variables:
            activation["variables"][variable["name"]] = program(variable["expression"]).execute(context)
            context = cel_library.context(activation)
    except Exception as exc:  # noqa: BLE001 - CEL raises several types; fail closed, located
        if fail_closed:
            yield Violation(res, (), f"variable could not be evaluated: {_reason(exc)}")
        return
    for validation in validations:
        try:
            verdict = program(validation["expression"]).execute(context)
        except Exception as exc:  # noqa: BLE001
            if fail_closed:
                yield Violation(res, _where(res, validation), f"{_label(validation)} could not be evaluated: "
                                f"{_reason(exc)}", requirement=validation["expression"])  # fmt: skip
            continue
        if verdict is True:
            continue
        if verdict is not False:
            message = f"{_label(validation)} returned {type(verdict).__name__}, not a bool"
        else:
            message = _message(validation, context)
        yield Violation(res, _where(res, validation), message, requirement=validation["expression"])


def condition(expression: str, activation: dict[str, Any]) -> bool:
    """A match condition's verdict (errors propagate: the caller applies its failure policy)."""
    return program(expression).execute(cel_library.context(activation)) is True


def _label(validation: dict[str, Any]) -> str:
    return f"expression {validation['expression']!r}"


def _reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:300]


def _message(validation: dict[str, Any], context: Any) -> str:
    if validation.get("messageExpression"):
        try:
            text = program(validation["messageExpression"]).execute(context)
            if isinstance(text, str) and text.strip():
                return text
        except Exception:  # noqa: BLE001 - the API server falls back to message as well
            pass
    return validation.get("message") or f"failed {_label(validation)}"


def prepare(params: dict[str, Any]) -> None:
    """Compile every expression once when the policy loads: a mistake is exit 2 at its line."""
    for group in ("variables", "validations"):
        for i, item in enumerate(params.get(group) or []):
            for key in ("expression", "messageExpression"):
                if key in item:
                    try:
                        program(item[key])
                    except Exception as exc:  # noqa: BLE001 - ValueError from cel; anything else too
                        raise ParamError((group, i, key), f"does not compile: {_reason(exc)}") from exc


_EXPRESSION = {"type": "string", "minLength": 1}
PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["validations"],
    "properties": {
        "validations": {
            "type": "array",
            "minItems": 1,
            "description": "requirements, as a ValidatingAdmissionPolicy's spec.validations: expression (must be "
            "true), message or messageExpression, fieldPath (where to point), reason",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["expression"],
                "properties": {
                    "expression": _EXPRESSION,
                    "message": {"type": "string"},
                    "messageExpression": _EXPRESSION,
                    "fieldPath": {"type": "string"},
                    "reason": {"type": "string"},
                },
            },
        },
        "variables": {
            "type": "array",
            "default": [],
            "description": "named expressions evaluated in order, read as variables.<name>",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "expression"],
                "properties": {
                    "name": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                    "expression": _EXPRESSION,
                },
            },
        },
        "paramsObject": {
            "type": "object",
            "default": {},
            "description": "what the expressions read as params (a ValidatingAdmissionPolicy's paramRef object)",
        },
    },
}

TEMPLATE = Template(
    "cel",
    "Requirements written as CEL expressions, with a ValidatingAdmissionPolicy's validations and variables.",
    PARAMS_SCHEMA,
    check,
    prepare=prepare,
)
