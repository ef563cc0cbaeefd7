"""Applying waivers (waivers.apply_waivers): the first waiver in order that covers a finding waives
it, annotation waivers are found by rule and resource (never tried one by one against every
finding), and a waiver nothing needs is reported unused."""

from __future__ import annotations

import datetime as dt

import pytest

from torghut_lint import waivers as waivers_module
from torghut_lint.model import Finding, Location, ResourceId, Severity
from torghut_lint.waivers import Waiver, Waivers, apply_waivers

EXPIRES = dt.date(2099, 1, 1)


def _finding(rule: str, name: str) -> Finding:
    rid = ResourceId("v1", "Pod", "torghut", name)
    return Finding(rule, Severity.ERROR, "m", Location(f"{name}.yaml", 3, 1), resource=rid)


def _annotation(rule: str, name: str, reason: str = "annotated") -> Waiver:
    rid = ResourceId("v1", "Pod", "torghut", name)
    return Waiver(rule, reason, "me@example.com", EXPIRES, Location(f"{name}.yaml", 5, 5), rid, {})


def _central(rule: str, selector: dict[str, str], reason: str = "central") -> Waiver:
    return Waiver(rule, reason, "me@example.com", EXPIRES, Location(".torghut-lint.yaml", 2, 3), None, selector)


def test_the_first_waiver_in_order_that_covers_a_finding_waives_it() -> None:
    first = [_finding("r", "a")]
    apply_waivers(first, Waivers([_annotation("r", "a"), _central("r", {"name": "*"})]))
    assert first[0].waived and first[0].waiver_reason.startswith("annotated")
    second = [_finding("r", "a")]
    out = apply_waivers(second, Waivers([_central("r", {"name": "*"}), _annotation("r", "a")]))
    assert second[0].waiver_reason.startswith("central")
    assert [f.rule for f in out[1:]] == ["waiver-unused"]  # the annotation was not needed


def test_an_annotation_waives_only_its_own_resource_and_rule() -> None:
    findings = [_finding("r", "a"), _finding("r", "b"), _finding("other", "a")]
    out = apply_waivers(findings, Waivers([_annotation("r", "a")]))
    assert [f.waived for f in findings] == [True, False, False]
    assert len(out) == 3  # used: no waiver-unused


def test_thousands_of_annotation_waivers_are_looked_up_not_tried(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pull request can put a waiver on each of thousands of objects: each finding finds its own
    by rule and resource (trying each against each was 4,000 x 4,000 calls, 10 s)."""
    tried = []
    covers = Waiver.covers
    monkeypatch.setattr(waivers_module.Waiver, "covers", lambda self, f: tried.append(1) or covers(self, f))
    names = [f"p{i}" for i in range(4_000)]
    findings = [_finding("r", n) for n in names]
    out = apply_waivers(findings, Waivers([_annotation("r", n) for n in names] + [_central("r", {"name": "q*"})]))
    assert all(f.waived and f.waiver_reason.startswith("annotated") for f in findings)
    assert len(tried) == len(findings)  # the one central waiver, once per finding
    assert [f.rule for f in out[len(findings) :]] == ["waiver-unused"]  # the central one
