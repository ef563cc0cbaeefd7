"""JUnit: valid against the common schema, one failure per finding with file and line; written a
test case at a time, the text ElementTree writes of the whole document."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reports import finding, report_of

from conftest import APP, FIXTURES, ROOT, run_cli, scale_ws
from torghut_lint.model import ResourceId, Severity
from torghut_lint.report import junit
from torghut_lint.report.base import Report

SCHEMA = xmlschema.XMLSchema(str(ROOT / "tests" / "data" / "junit.xsd"))
EXAMPLE = "drifted/argocd/applications/torghut"


def test_schema_refuses_what_ci_servers_do_not_read() -> None:
    """The schema is strict where the old report was wrong: it cannot pass everything."""
    bad = '<testsuites skipped="0"><testsuite name="r" tests="1"><testcase name="c" file="x"/></testsuite></testsuites>'
    assert not SCHEMA.is_valid(bad)
    assert not SCHEMA.is_valid('<testsuites><testsuite name="r"/></testsuites>')  # tests is required
    good = '<testsuites><testsuite name="r" tests="1" errors="0"><testcase name="c"/></testsuite></testsuites>'
    assert SCHEMA.is_valid(good)


def test_one_failure_per_finding_with_file_and_line() -> None:
    result = run_cli("--format", "junit", EXAMPLE, cwd=FIXTURES)
    SCHEMA.validate(result.stdout)
    root = ET.fromstring(result.stdout)
    blocking = run_cli("--format", "json", EXAMPLE, cwd=FIXTURES).json["summary"]["blocking"]
    failures = list(root.iter("failure"))
    assert len(failures) == blocking == int(root.get("failures")) == 5  # two on one ClickHouse resource: two failures
    assert root.get("errors") == "0"
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    ws = [c for c in suites["ws-single-replica"].iter("testcase")]
    assert [c.get("name") for c in ws] == [f"Deployment torghut/torghut-ws (fixtures/{EXAMPLE}/ws-scale.patch.yaml:6)"]
    assert ws[0].find("failure").text.startswith(f"fixtures/{EXAMPLE}/ws-scale.patch.yaml:6:3: error ws-single-replica")
    knative = {c.get("name"): c for c in suites["knative-max-scale"].iter("testcase")}
    assert knative["Service torghut/torghut"].find("failure") is None  # evaluated and passing
    orphan = next(suites["kustomize-orphan"].iter("testcase"))
    assert orphan.find("failure") is None and "kustomize-orphan" in orphan.find("system-out").text
    for suite in root.iter("testsuite"):
        assert int(suite.get("tests")) == len(list(suite.iter("testcase")))
        assert int(suite.get("failures")) == len(list(suite.iter("failure")))


def test_waived_control_characters_and_file_findings_stay_valid(repo: Path) -> None:
    scale_ws(repo, waiver="reason=drill; owner=sre; expires=2099-01-01")
    (repo / APP / "broken.yaml").write_text("a: [\n")  # a file-level finding without a resource
    (repo / APP / "cm\x1bx.yaml").write_text('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "a\\x01b"\n')
    result = run_cli("--format", "junit", cwd=repo)
    SCHEMA.validate(result.stdout)
    root = ET.fromstring(result.stdout)
    skipped = [c for c in root.iter("testcase") if c.find("skipped") is not None]
    assert [c.find("skipped").get("message") for c in skipped] == ["waived: drill (owner sre, expires 2099-01-01)"]
    assert int(next(s for s in root.iter("testsuite") if s.get("name") == "ws-single-replica").get("skipped")) == 1


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_FINDINGS = st.lists(
    st.builds(
        finding,
        file=st.sampled_from(["a.yaml", "b/c.yaml", "<stdin>", "x&y.yaml"]),
        line=st.integers(0, 3),
        severity=st.sampled_from(list(Severity)),
        rule=st.sampled_from(["r", "s-t", "u"]),
        message=_TEXT,
        waived=st.booleans(),
        waiver_reason=_TEXT,
        resource=st.none() | st.builds(ResourceId, st.just("v1"), st.just("ConfigMap"), _TEXT, _TEXT),
    ),
    max_size=8,
)


def _whole(report: Report) -> str:
    """What ``ElementTree`` writes of the whole document, built as one tree and indented at once
    (the cases made by the reporter's own helpers: this is about writing them a case at a time)."""
    by_rule: dict[str, list] = {}
    for f in report.findings:
        by_rule.setdefault(f.rule, []).append(f)
    suites = ET.Element("testsuites", name="torghut-lint")
    totals = dict.fromkeys(junit.COUNTS, 0)
    for rule in sorted(set(report.evaluated) | set(by_rule)):
        cases = junit._cases(report, rule, by_rule.get(rule, []))
        counts = junit._counts(report, cases)
        suite = ET.SubElement(suites, "testsuite", name=junit._xml(rule), **{k: str(v) for k, v in counts.items()})
        suite.extend(junit._case(report, rule, name, f) for name, f in cases)
        for key, value in counts.items():
            totals[key] += value
    for key in ("tests", "failures", "errors"):
        suites.set(key, str(totals[key]))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


@pytest.mark.usefixtures("untraced")
@given(
    findings=_FINDINGS,
    evaluated=st.dictionaries(
        st.sampled_from(["r", "v"]),
        st.lists(st.builds(ResourceId, st.just("v1"), st.just("Pod"), _TEXT, _TEXT), max_size=3),
        max_size=2,
    ),
)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_written_a_case_at_a_time_it_is_the_whole_tree_s_text(findings: list, evaluated: dict, tmp_path: Path) -> None:
    report = report_of(findings, tmp_path)
    report.evaluated = evaluated
    assert junit.render(report) == _whole(report)
