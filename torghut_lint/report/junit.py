"""JUnit XML, valid against the common JUnit schema (Jenkins' ``junit-10.xsd`` shape; a copy
written for the tests is ``tests/data/junit.xsd``): one test suite per rule; in it, one test
case per finding (named after its resource and ``file:line``) and one passing test case per
resource the rule evaluated without a finding.

Blocking findings are failures (one ``<failure>`` each, its text ``file:line:col: ...``), waived
ones are skipped, non-blocking ones pass with the finding in ``system-out``. Findings not tied
to a resource are named after their file."""

from __future__ import annotations

import re
from collections import defaultdict
from xml.etree import ElementTree as ET

from torghut_lint.model import Finding
from torghut_lint.report.base import Report, is_blocking, repo_path

# Characters XML 1.0 forbids (most C0 controls, lone surrogates, U+FFFE/U+FFFF): a file or
# resource name carrying one would make the whole report unparseable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
COUNTS = ("tests", "failures", "errors", "skipped")


def _xml(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else "\ufffd", text)


def _line(report: Report, f: Finding) -> str:
    where = repo_path(report, f.location.file)
    if f.location.line:
        where += f":{f.location.line}:{f.location.column}"
    return f"{where}: {f.severity} {f.rule} {f.message}"


def render(report: Report, colour: bool = False) -> str:
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_rule[f.rule].append(f)
    suites = ET.Element("testsuites", name="torghut-lint")
    totals = dict.fromkeys(COUNTS, 0)
    for rule in sorted(set(report.evaluated) | set(by_rule)):
        suite = ET.SubElement(suites, "testsuite", name=_xml(rule))
        counts = dict.fromkeys(COUNTS, 0)
        found = {str(f.resource) for f in by_rule[rule] if f.resource}
        clean = sorted({report.redactor(str(r)) for r in report.evaluated.get(rule, []) if str(r) not in found})
        cases: list[tuple[str, Finding | None]] = [(name, None) for name in clean]
        for f in by_rule[rule]:
            subject = report.redactor(str(f.resource)) if f.resource else repo_path(report, f.location.file)
            place = repo_path(report, f.location.file) + (f":{f.location.line}" if f.location.line else "")
            cases.append((subject if subject == place else f"{subject} ({place})", f))
        for name, f in sorted(cases, key=lambda case: case[0]):
            case = ET.SubElement(suite, "testcase", classname=f"torghut-lint.{rule}", name=_xml(name))
            counts["tests"] += 1
            if f is None:
                continue
            if is_blocking(f, report.fail_on):
                counts["failures"] += 1
                failure = ET.SubElement(case, "failure", message=_xml(f.message), type=str(f.severity))
                failure.text = _xml(_line(report, f))
            elif f.waived:
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=_xml(f"waived: {f.waiver_reason}"))
            else:
                ET.SubElement(case, "system-out").text = _xml(_line(report, f))
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key in ("tests", "failures", "errors"):  # the schema has no `skipped` on testsuites
        suites.set(key, str(totals[key]))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
