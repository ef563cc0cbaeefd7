"""Markdown for a CI job summary (GitHub's ``$GITHUB_STEP_SUMMARY``): the verdict, counts per
rule, the findings (blocking first, then the change's own files), and the state the policies
measured whatever their verdict: each live-trading switch as set, each volume against its budget.

Nothing is hidden by annotation caps: every finding is listed until the summary would pass
:data:`BUDGET` (GitHub takes 1 MiB per step), and then the number left out is said. Everything
that came from the tree is escaped: no HTML, no table breaks, no links, no mentions, no control
characters."""

from __future__ import annotations

from collections import Counter

from torghut_lint.model import Finding, Severity
from torghut_lint.report.base import Report, by_priority, in_change, is_blocking, repo_path
from torghut_lint.report.text import escape_line

BUDGET = 800 * 1024  # bytes the findings may take: the switches and volumes follow them
LIMIT = 1000 * 1024  # bytes in all: GitHub takes 1 MiB per step
_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "|": "&#124;",
        "`": "&#96;",
        "*": "&#42;",
        "_": "&#95;",
        "[": "&#91;",
        "]": "&#93;",
        "@": "&#64;",
        "#": "&#35;",
        "~": "&#126;",
        "\\": "&#92;",
    }
)


def cell(text: str) -> str:
    """``text`` safe in a Markdown table cell: control characters escaped first, then every
    character Markdown or HTML would act on written as an entity."""
    return escape_line(text).translate(_ESCAPES)


def _where(report: Report, f: Finding) -> str:
    path = repo_path(report, f.location.file)
    return cell(f"{path}:{f.location.line}" if f.location.line else path)


def render(report: Report, colour: bool = False) -> str:
    s = report.summary
    findings = report.findings
    verdict = f"❌ {s.blocking} blocking finding(s)" if s.blocking else "✅ nothing blocking"
    counts = Counter(f.severity for f in findings if not f.waived)
    out = [
        f"## torghut-lint: {verdict}",
        "",
        f"{s.findings} finding(s): {counts[Severity.ERROR]} error, {counts[Severity.WARNING]} warning, "
        f"{counts[Severity.INFO]} info, {sum(f.waived for f in findings)} waived "
        f"({s.files} files, {s.resources} resources; blocking from {report.fail_on}).",
    ]
    if report.preexisting:
        out.append(f"Differential gate: {report.preexisting} finding(s) the base revision has as well are not listed.")
    if report.baselined:
        out.append(f"{report.baselined} finding(s) recorded in the baseline are not listed.")
    if findings:
        out += [
            "",
            "### Findings per rule",
            "",
            "| rule | severity | findings | blocking | waived |",
            "|---|---|---|---|---|",
        ]
        per_rule: dict[str, list[Finding]] = {}
        for f in findings:
            per_rule.setdefault(f.rule, []).append(f)
        for rule, group in sorted(per_rule.items(), key=lambda item: (-max(f.severity for f in item[1]), item[0])):
            blocking = sum(is_blocking(f, report.fail_on) for f in group)
            out.append(
                f"| {cell(rule)} | {max(f.severity for f in group)} | {len(group)} | {blocking} "
                f"| {sum(f.waived for f in group)} |"
            )
        out += ["", "### Findings", ""]
        if report.changed is not None:
            out += ["Blocking first, then the change's own files (marked ✎).", ""]
        out += ["| | where | rule | message |", "|---|---|---|---|"]
        size = sum(len(line.encode()) + 1 for line in out)
        ordered = by_priority(report, findings)
        for n, f in enumerate(ordered):
            mark = "❌" if is_blocking(f, report.fail_on) else ("⏸" if f.waived else "⚠️")
            mark += " ✎" if in_change(report, f) else ""
            line = f"| {mark} | {_where(report, f)} | {cell(f.rule)} | {cell(f.message)} |"
            if size + len(line.encode()) > BUDGET:
                out.append(f"| | | | {len(ordered) - n} more finding(s) not listed: see the log or the SARIF report |")
                break
            size += len(line.encode()) + 1
            out.append(line)
    tables: dict[str, list] = {}
    for fact in report.facts:
        tables.setdefault(fact.table, []).append(fact)
    size = sum(len(line.encode()) + 1 for line in out)
    for table, facts in sorted(tables.items()):
        out += ["", f"### {cell(table)}", "", "| | what | value | allowed | where |", "|---|---|---|---|---|"]
        for n, fact in enumerate(sorted(facts, key=lambda fact: fact.ok)):  # what fails first
            where = repo_path(report, fact.location.file) + (f":{fact.location.line}" if fact.location.line else "")
            line = (
                f"| {'✅' if fact.ok else '❌'} | {cell(fact.item)} | {cell(fact.value)} | {cell(fact.limit)} "
                f"| {cell(where)} |"
            )
            if size + len(line.encode()) > LIMIT:
                out.append(f"| | {len(facts) - n} more not listed | | | |")
                break
            size += len(line.encode()) + 1
            out.append(line)
    return "\n".join(out) + "\n"
