"""JUnit: valid against the common schema, one failure per finding with file and line."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import xmlschema

from conftest import APP, FIXTURES, ROOT, run_cli, scale_ws

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
