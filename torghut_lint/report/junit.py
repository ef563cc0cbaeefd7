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
from collections.abc import Iterator
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
    return "".join(pieces(report, colour))


def pieces(report: Report, colour: bool = False) -> Iterator[str]:
    """The document ``ElementTree`` writes of it once indented, a test case at a time: each case
    is an element of its own, made, written and let go (a report of 40,000 findings held as one
    tree peaked at 257 MB); the counts each opening tag carries are taken first."""
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_rule[f.rule].append(f)
    suites = [(rule, _cases(report, rule, by_rule[rule])) for rule in sorted(set(report.evaluated) | set(by_rule))]
    totals = dict.fromkeys(COUNTS, 0)
    counted = []
    for rule, cases in suites:
        counts = _counts(report, cases)
        counted.append((rule, cases, counts))
        for key, value in counts.items():
            totals[key] += value
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    # the schema has no `skipped` on testsuites
    opening = _tag(
        "testsuites", {"name": "torghut-lint", **{k: str(totals[k]) for k in ("tests", "failures", "errors")}}
    )
    if not counted:
        yield opening[0] + "\n"
        return
    yield opening[1]
    for n, (rule, cases, counts) in enumerate(counted):
        suite = _tag("testsuite", {"name": _xml(rule), **{k: str(v) for k, v in counts.items()}})
        if not cases:
            yield "\n  " + suite[0]
        else:
            yield "\n  " + suite[1] + "\n    "
            for i, (name, f) in enumerate(cases):
                case = _case(report, rule, name, f)
                ET.indent(case, level=2)
                case.tail = "\n    " if i < len(cases) - 1 else "\n  "  # written with the case
                yield ET.tostring(case, encoding="unicode")
            yield "</testsuite>"
        if n == len(counted) - 1:
            yield "\n</testsuites>\n"


def _tag(name: str, attributes: dict[str, str]) -> tuple[str, str]:
    """(the element written empty, its opening tag) as ``ElementTree`` writes them."""
    empty = ET.tostring(ET.Element(name, attributes), encoding="unicode")
    assert empty.endswith(" />")
    return empty, empty[: -len(" />")] + ">"


def _cases(report: Report, rule: str, findings: list[Finding]) -> list[tuple[str, Finding | None]]:
    """(name, finding) of each test case of ``rule``'s suite, in order: the resources it evaluated
    without a finding (None), and one per finding."""
    found = {str(f.resource) for f in findings if f.resource}
    clean = sorted({report.redactor(str(r)) for r in report.evaluated.get(rule, []) if str(r) not in found})
    cases: list[tuple[str, Finding | None]] = [(name, None) for name in clean]
    for f in findings:
        subject = report.redactor(str(f.resource)) if f.resource else repo_path(report, f.location.file)
        place = repo_path(report, f.location.file) + (f":{f.location.line}" if f.location.line else "")
        cases.append((subject if subject == place else f"{subject} ({place})", f))
    return sorted(cases, key=lambda case: case[0])


def _counts(report: Report, cases: list[tuple[str, Finding | None]]) -> dict[str, int]:
    counts = dict.fromkeys(COUNTS, 0)
    for _, f in cases:
        counts["tests"] += 1
        if f is None:
            continue
        if is_blocking(f, report.fail_on):
            counts["failures"] += 1
        elif f.waived:
            counts["skipped"] += 1
    return counts


def _case(report: Report, rule: str, name: str, f: Finding | None) -> ET.Element:
    case = ET.Element("testcase", classname=f"torghut-lint.{rule}", name=_xml(name))
    if f is None:
        return case
    if is_blocking(f, report.fail_on):
        failure = ET.SubElement(case, "failure", message=_xml(f.message), type=str(f.severity))
        failure.text = _xml(_line(report, f))
    elif f.waived:
        ET.SubElement(case, "skipped", message=_xml(f"waived: {f.waiver_reason}"))
    else:
        ET.SubElement(case, "system-out").text = _xml(_line(report, f))
    return case
