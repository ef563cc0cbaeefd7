"""CEL evaluation is bounded while it runs (torghut_lint/templates/cel_budget.py): every
comprehension step counted against a budget linear in the input, library functions refusing
results past their limits, variables that would grow without end stopped, and nothing cel-rust
logs (a function's arguments: credentials) reaching standard error."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli, run_process
from torghut_lint.templates import cel_library
from torghut_lint.templates.cel import budget_for, evaluate, program, run
from torghut_lint.templates.cel_budget import TICK, Budget, BudgetExceeded, metered

LIT = "[" + ",".join(str(i) for i in range(50)) + "]"


def _value(expression: str, activation: dict | None = None, budget: Budget | None = None):  # noqa: ANN202
    budget = budget or Budget(0)
    return program(expression).execute(cel_library.context(activation or {}, budget.tick)), budget


@pytest.mark.parametrize(
    ("expression", "steps"),
    [
        ("[1, 2, 3].all(x, x > 0)", 3),
        ("[1, 2, 3].exists(x, x == 2)", 2),  # stops at the first true, as CEL does
        ("[1, 2, 3].existsOne(x, x == 2) && [1, 2].exists_one(y, y == 1)", 5),
        ("[1, 2, 3].filter(x, x > 1).map(x, x * 2) == [4, 6]", 5),
        ("[1, 2, 3].map(x, x > 1, x * 10) == [20, 30]", 3),  # the three-argument map: its filter
        ("[[1, 2], [3]].all(l, l.all(x, x > 0))", 5),
        ("{'a': 1, 'b': 2}.all(k, k != 'c')", 2),  # a map ranges over its keys
        ("[1, 2] . all ( x , x > 0 )", 2),  # whitespace between the tokens
        ("[1, 2].all(x, // a comment with a quote ' and .all(\n x > 0)", 2),
        ("'.all(x, x)' + r'\\' + '''.map(y, y)''' == '.all(x, x)\\\\.map(y, y)' && b'.exists(' != b''", 0),
        ("br'.exists(z, z)'.size() == 13 && [1].all(q, q == 1)", 1),
        ("['a,b'].all(s, s.split(',').exists(p, p == 'b'))", 3),
        ("size([1, 2].map(x, [x, x])) == 2", 2),
    ],
)
def test_each_comprehension_step_is_counted_and_the_value_unchanged(expression: str, steps: int) -> None:
    plain = cel_library.cel().compile(expression).execute(cel_library.context({}))
    value, budget = _value(expression)
    assert value == plain is True or value == plain  # the metered expression means the same
    assert budget.steps == steps


def test_a_field_or_function_named_like_a_macro_is_left_alone() -> None:
    assert metered("object.all == 1 && object.map.size() > 0") == "object.all == 1 && object.map.size() > 0"
    assert metered("x.all(y)") == "x.all(y)"  # one argument: a function call, not the macro
    rewritten = metered("l.all(x, p(x))")
    assert rewritten == f"l.all(x, {TICK}() ? (p(x)) : false)"


def test_a_string_that_never_ends_is_refused_not_run_unmetered() -> None:
    with pytest.raises(ValueError, match="does not|never ends|cannot be counted|Failed"):
        program("[1].all(x, x > 0) && 'open")


def test_five_comprehensions_over_literal_lists_stop_at_the_budget() -> None:
    expression = f"{LIT}.all(a, {LIT}.all(b, {LIT}.all(c, {LIT}.all(d, a + b + c + d >= 0))))"  # 6.25M steps
    budget = Budget(0)
    with pytest.raises(BudgetExceeded, match="more than 10,000 comprehension steps"):
        run(expression, cel_library.context({}, budget.tick), budget)
    assert budget.steps == budget.limit + 1  # stopped at once: no step after the budget


def test_the_budget_grows_with_what_the_expression_reads() -> None:
    small = budget_for({"object": {"a": 1}})
    large = budget_for({"object": {"items": list(range(1_000))}, "params": {"k": "v"}})
    # ten steps per value read: a map, a list and its 1,000 items, the params' map and text, an
    # absent namespace; against a map and its number, no params, no namespace
    assert large.limit - small.limit == 10 * ((1 + 1 + 1_000 + 2 + 1) - (2 + 1 + 1))


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("'ab'.replace('', 'x'.replace('', 'yyyyyyyyyyyyyyyy')).replace('', 'zzzzzzzzzzzzzzzzzzzzzz')"
         ".replace('', 'wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww')"
         ".replace('', 'vvvvvvvvvvvvvvvvvvvv').size() > 0", "replace would make more than"),
        ("size(lists.range(100000000)) > 0", "unsupported|range"),
        ("[[1, 2], [3]].flatten().size() == 3", ""),
    ],
)  # fmt: skip
def test_library_functions_refuse_results_past_their_limits(expression: str, reason: str) -> None:
    if not reason:
        assert _value(expression)[0] is True
        return
    with pytest.raises(Exception, match=reason):
        _value(expression)


def _vap_tree(root: Path, variables: str, validation: str, objects: str) -> Path:
    app = root / "app"
    app.mkdir(parents=True)
    (app / "kustomization.yaml").write_text("resources: [vap.yaml, objects.yaml]\n")
    (app / "vap.yaml").write_text(
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: p}\n"
        "spec:\n  failurePolicy: Fail\n  matchConstraints:\n    resourceRules:\n"
        "      - {apiGroups: [''], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}\n"
        f"  variables:\n{variables or '    []'}\n  validations:\n    - expression: {validation!r}\n---\n"
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\n"
        "metadata: {name: p}\nspec: {policyName: p, validationActions: [Deny]}\n"
    )
    (app / "objects.yaml").write_text(objects)
    return app


CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: default}\ndata: {KEY: value}\n"


def test_a_pull_request_policy_nesting_comprehensions_over_literals_is_a_finding_not_a_hang(tmp_path: Path) -> None:
    """The estimate of the first build (the longest list of the object to the power of the
    nesting) saw no list at all here: 6.25M steps ran, for every matched object."""
    nested = f"{LIT}.all(a, {LIT}.all(b, {LIT}.all(c, {LIT}.existsOne(d, a + b + c + d == a + b + c))))"
    app = _vap_tree(tmp_path, "", nested, CONFIGMAP)
    result = run_cli("--no-schemas", "--format", "json", str(app), timeout=60)
    found = [f for f in result.json["findings"] if f["rule"] == "vap/p"]
    assert result.code == 1 and len(found) == 1
    # (the message shows the expression's start and the reason: a long one is cut in the middle)
    assert found[0]["message"].endswith("10,100 comprehension steps; simplify the expressions or narrow the match")


def test_variables_that_double_a_text_are_stopped_before_they_grow_on(tmp_path: Path) -> None:
    chain = "    - {name: v0, expression: 'object.data.KEY + object.data.KEY'}\n" + "".join(
        f"    - {{name: v{i}, expression: 'variables.v{i - 1} + variables.v{i - 1}'}}\n" for i in range(1, 40)
    )
    app = _vap_tree(tmp_path, chain.rstrip("\n"), "size(variables.v39) > 0", CONFIGMAP)
    result = run_cli("--no-schemas", "--format", "json", str(app), timeout=60)
    found = [f for f in result.json["findings"] if f["rule"] == "vap/p"]
    assert result.code == 1 and len(found) == 1
    assert "not evaluated: variable 'v17' holds more than 1,048,576 characters" in found[0]["message"]


def test_a_function_error_with_a_credential_never_reaches_standard_error(tmp_path: Path) -> None:
    """cel-rust logs a failing Python function's arguments; Python printed that warning on
    standard error (a CI log), past every redaction."""
    objects = CONFIGMAP.replace("{KEY: value}", '{DB_PASSWORD: "Zq8-hunter2-notreal-Xy"}')
    app = _vap_tree(tmp_path, "", "quantity(object.data.DB_PASSWORD) > quantity('1')", objects)
    result = run_process("--no-schemas", str(app))
    assert result.code == 1
    assert "Zq8-hunter2-notreal-Xy" not in result.stderr + result.stdout
    assert "could not be evaluated" in result.stdout  # the error is reported, its value redacted


def test_evaluate_reports_a_spent_budget_located_and_blocking() -> None:
    from torghut_lint.model import Resource

    res = Resource(None, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}})  # type: ignore[arg-type]
    costly = [{"expression": f"{LIT}.all(a, {LIT}.all(b, {LIT}.all(c, a >= b - 100)))"}]  # 125,000 steps
    found = list(evaluate(res, {"object": res.data}, [], costly, fail_closed=False))
    assert len(found) == 1 and "not evaluated: it takes more than" in found[0].message  # even when failing open


SOURCES = ["[1, 2, 3]", "[]", "['a', 'b,c']", "[[1], [2, 3]]", "{'k': 1, 'j': 2}", "object.items"]


def _predicate(r, depth: int, bound: list[str]) -> str:  # noqa: ANN001 - a random.Random
    name = r.choice(bound) if bound else ""
    options = [
        "true",
        "false",
        f"{name} == {name}" if name else "1 == 1",
        f"size({r.choice(SOURCES)}) > {r.randint(0, 3)}",
        "'s\\'q' != r'\\'",  # an escaped quote, and a raw string ending in a backslash
        "'''.all(x, y)'''.size() > 2",
    ]
    if depth < 3:
        options += [_macro(r, depth + 1, bound)] * 3
        options += [f"({_predicate(r, depth + 1, bound)} && {_predicate(r, depth + 1, bound)})"]
        options += [f"({_predicate(r, depth + 1, bound)} || !{_predicate(r, depth + 1, bound)})"]
    return r.choice(options)


def _macro(r, depth: int, bound: list[str]) -> str:  # noqa: ANN001 - a random.Random
    name = r.choice(["all", "exists", "exists_one", "existsOne", "filter", "map", "map3"])
    var, source = "xyzuvw"[depth % 6], r.choice(SOURCES)
    inner = _predicate(r, depth, [*bound, var])
    if name == "map":
        return f"size({source}.map({var}, [{var}, {inner}])) >= 0"
    if name == "map3":
        return f"size({source}.map({var}, {inner}, {var})) >= 0"
    if name == "filter":
        return f"size({source}.filter({var}, {inner})) >= {r.randint(0, 2)}"
    return f"{source} . {name}( {var} , // a comment ' .all(\n {inner})"


def test_metered_expressions_mean_what_they_meant() -> None:
    """Random nestings of every macro (comments, quotes and raw strings around them): the metered
    expression gives the value, or the kind of error, the expression as written gives."""
    import random

    activation, steps = {"object": {"items": [1, "two", [3]]}}, 0
    for seed in range(200):
        expression = _macro(random.Random(seed), 0, [])
        outcomes = []
        for text, budget in ((expression, None), (metered(expression), Budget(0))):
            try:
                tick = budget.tick if budget else None
                outcomes.append(
                    ("value", cel_library.cel().compile(text).execute(cel_library.context(activation, tick)))
                )
            except Exception as exc:  # noqa: BLE001 - compared by kind
                outcomes.append(("error", type(exc).__name__))
        assert outcomes[0] == outcomes[1], (seed, expression)
        steps += budget.steps
    assert steps > 500  # the comprehensions ran (and were counted)
