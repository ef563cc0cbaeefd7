"""What every template gets (torghut_lint/templates/base.py): a context per policy and application."""

from __future__ import annotations

import yaml

from torghut_lint.model import Resource
from torghut_lint.templates import env_switch_off
from torghut_lint.templates.base import RuleContext


def _context() -> RuleContext:
    data = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "torghut-config", "namespace": "torghut"},
        "data": {"TRADING_LIVE_ENABLED": "true"},
    }
    res = Resource(yaml.compose("a: 1"), data)
    params = env_switch_off.TEMPLATE.with_defaults(
        {"switches": [{"name": "TRADING_LIVE_ENABLED", "onValues": ["true"]}]}
    )
    return RuleContext(params, [res], [res], [])


def test_what_a_context_shares_is_made_once_and_only_for_it() -> None:
    ctx, other = _context(), _context()
    made: list[RuleContext] = []

    def make(c: RuleContext) -> list:
        made.append(c)
        return []

    first = ctx.shared("x", make)
    assert ctx.shared("x", make) is first and made == [ctx]
    other.shared("x", make)
    assert made == [ctx, other]  # another policy or application makes its own
    assert ctx.shared("y", lambda c: None) is None and ctx.shared("y", make) is None  # None is made once too
    assert made == [ctx, other]


def test_a_switchs_check_and_facts_read_one_finding_of_its_settings(monkeypatch) -> None:
    calls: list[int] = []
    find = env_switch_off._settings

    def counted(ctx: RuleContext):
        calls.append(1)
        return find(ctx)

    monkeypatch.setattr(env_switch_off, "_settings", counted)
    ctx = _context()
    violations = list(env_switch_off.check(ctx))
    facts = list(env_switch_off.facts(ctx))
    assert len(violations) == 1 and len(facts) == 1 and not facts[0].ok
    assert calls == [1]
