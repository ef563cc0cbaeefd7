"""JUnit XML: one test suite per rule, one test case per rule per resource it evaluated.

Blocking findings are failures, waived ones are skipped, non-blocking ones pass with the finding
in system-out; findings not tied to a resource get a test case named after their file."""

from __future__ import annotations

import re
from collections import defaultdict
from xml.etree import ElementTree as ET

from torghut_lint.model import Finding
from torghut_lint.report import Report, is_blocking

# Characters XML 1.0 forbids (most C0 controls, lone surrogates, U+FFFE/U+FFFF): a file or
# resource name carrying one would make the whole report unparseable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else "\ufffd", text)


def _case_name(f: Finding) -> str:
    return _xml(str(f.resource) if f.resource else f.location.file)


def render(report: Report) -> str:
    by_case: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for f in report.findings:
        by_case[f.rule][_case_name(f)].append(f)
    suites = ET.Element("testsuites", name="torghut-lint")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for rule in sorted(set(report.evaluated) | set(by_case)):
        evaluated = {_xml(report.redactor(str(r))) for r in report.evaluated.get(rule, [])}
        cases = sorted(evaluated | set(by_case[rule]))
        suite = ET.SubElement(suites, "testsuite", name=rule)
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        for name in cases:
            case = ET.SubElement(suite, "testcase", classname=f"torghut-lint.{rule}", name=name)
            found = by_case[rule].get(name, [])
            counts["tests"] += 1
            blocking = [f for f in found if is_blocking(f, report.fail_on)]
            if blocking:
                counts["failures"] += 1
                failure = ET.SubElement(
                    case, "failure", message=_xml(blocking[0].message), type=str(blocking[0].severity)
                )
                failure.text = _xml("\n".join(f"{f.location}: {f.severity} {f.rule} {f.message}" for f in blocking))
            elif found and all(f.waived for f in found):
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=_xml(f"waived: {found[0].waiver_reason}"))
            elif found:
                out = ET.SubElement(case, "system-out")
                out.text = _xml("\n".join(f"{f.location}: {f.severity} {f.rule} {f.message}" for f in found))
            file = found[0].location.file if found else ""
            if file:
                case.set("file", _xml(file))
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        suites.set(key, str(value))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
