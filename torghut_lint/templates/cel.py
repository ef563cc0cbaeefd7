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
finding too (an admission controller failing closed); so is one stopped by its budget
(:mod:`torghut_lint.templates.cel_budget`: comprehension steps and memory, counted while it runs,
as the API server's runtime cost budget stops a costly evaluation)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from torghut_lint.model import Path_, Resource
from torghut_lint.templates import cel_library
from torghut_lint.templates.base import ParamError, RuleContext, Template, Violation
from torghut_lint.templates.cel_budget import Budget, BudgetExceeded, check_result, measure, metered

MAX_EXPRESSION = 10_000  # characters, as the API server bounds an expression's size
READ = re.compile(r"\bobject((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


@lru_cache(maxsize=1024)
def program(expression: str) -> Any:
    """The compiled expression (compiled once per process); ValueError with CEL's reason when it
    does not compile or calls a function no supported library provides."""
    if len(expression) > MAX_EXPRESSION:
        raise ValueError(f"longer than {MAX_EXPRESSION:,} characters")
    compiled = cel_library.cel().compile(expression)  # errors located in the text as written
    unknown = sorted(f for f in compiled.functions() if not cel_library.supports(f))
    if unknown:
        raise ValueError(
            f"unsupported CEL function {', '.join(unknown)} (supported: the CEL standard library and the "
            f"Kubernetes strings, lists, regex, quantity and url libraries)"
        )
    try:  # what runs: every comprehension step counted (cel_budget), size() and matches() as CEL specifies them
        return cel_library.cel().compile(metered(cel_library.as_specified(expression)))
    except ValueError as exc:  # never run unmetered
        raise ValueError(f"its comprehension steps cannot be counted ({exc})") from exc


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
    budget: Budget | None = None,
) -> Iterator[Violation]:
    """Violations of ``validations`` on one resource, with ``variables`` computed first in order,
    within ``budget`` (one made for the resource's values when none is given). An evaluation error
    is a violation when ``fail_closed`` (an admission ``failurePolicy: Fail``); a spent budget
    always is."""
    budget = budget or budget_for(activation)
    activation = {**activation, "variables": {}}
    try:
        for variable in variables:
            value = run(variable["expression"], cel_library.context(activation, budget.tick), budget)
            check_result(budget, f"variable {variable['name']!r}", value)  # before the next one repeats it
            activation["variables"][variable["name"]] = value
    except BudgetExceeded as exc:
        yield Violation(res, (), f"not evaluated: {exc}; simplify the expressions or narrow the match")
        return
    except Exception as exc:  # noqa: BLE001 - CEL raises several types; fail closed, located
        if fail_closed:
            yield Violation(res, (), f"variable could not be evaluated: {_reason(exc)}")
        return
    context = cel_library.context(activation, budget.tick)
    for validation in validations:
        try:
            verdict = run(validation["expression"], context, budget)
        except BudgetExceeded as exc:
            yield Violation(res, _where(res, validation), f"{_label(validation)} not evaluated: {exc}; simplify "
                            "the expressions or narrow the match", requirement=validation["expression"])  # fmt: skip
            return
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
            message = _message(validation, context, budget)
        yield Violation(res, _where(res, validation), message, requirement=validation["expression"])


def budget_for(activation: dict[str, Any]) -> Budget:
    """The budget of one resource's evaluation: linear in the values it reads."""
    values, _ = measure(activation.get("object"), activation.get("params"), activation.get("namespaceObject"))
    return Budget(values)


def run(expression: str, context: Any, budget: Budget) -> Any:
    """The value of ``expression`` in ``context``, spending ``budget`` (the context's tick):
    :class:`BudgetExceeded` when it is spent, whatever error CEL reported for it."""
    try:
        value = program(expression).execute(context)
    except Exception:
        if budget.stopped is not None:
            raise BudgetExceeded(budget.stopped) from None
        raise
    budget.check_memory()
    return value


def condition(expression: str, activation: dict[str, Any], budget: Budget) -> bool:
    """A match condition's verdict (errors propagate: the caller applies its failure policy;
    :class:`BudgetExceeded` when the budget is spent)."""
    return run(expression, cel_library.context(activation, budget.tick), budget) is True


def _label(validation: dict[str, Any]) -> str:
    return f"expression {validation['expression']!r}"


def _reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    text = cel_library.as_written(text)  # the functions the expression calls, as it wrote them
    return f"{type(exc).__name__}: {text}"[:300]


def _message(validation: dict[str, Any], context: Any, budget: Budget) -> str:
    if validation.get("messageExpression"):
        try:
            text = run(validation["messageExpression"], context, budget)
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
