"""``torghut-lint test``: run every policy's own cases, with locations.

Layout, next to the policy files::

    policies/
      knative-max-scale.yaml
      tests/knative-max-scale/<case>/*.yaml   # a small tree (a kustomization is optional)
      tests/knative-max-scale/<case>/expect.json

``expect.json`` is ``{"findings": [{"rule": "knative-max-scale", "file": "service.yaml", "line": 12}]}``
with files relative to the case directory: the exact findings the case must produce, of this
policy (``rule`` defaults to it) and of any other rule named; an empty list makes a passing
case. Every policy needs at least one failing case. A case runs as a Torghut application (from a
copy under a ``torghut/`` directory), so policies scoped with ``match.within`` apply to it."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from torghut_lint.config import Config
from torghut_lint.lint import RunOptions, run
from torghut_lint.policy import Policy, PolicyError, load_policies

EXPECT = "expect.json"


@dataclass
class CaseResult:
    name: str
    failing: bool  # the case expects findings
    ok: bool
    detail: str = ""


@dataclass
class PolicyResult:
    policy: Policy
    cases: list[CaseResult] = field(default_factory=list)

    @property
    def has_failing_case(self) -> bool:
        return any(c.failing for c in self.cases)

    @property
    def ok(self) -> bool:
        return self.has_failing_case and all(c.ok for c in self.cases)


def _expected(case: Path, policy: Policy) -> Counter[tuple[str, str, int]]:
    try:
        doc = json.loads((case / EXPECT).read_text(encoding="utf-8"))
        return Counter((str(f.get("rule", policy.id)), str(f["file"]), int(f["line"])) for f in doc["findings"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PolicyError(f"{case / EXPECT}: not a valid expectation file ({type(exc).__name__})") from exc


def run_case(policy: Policy, case: Path) -> CaseResult:
    want = _expected(case, policy)
    rules = {policy.id} | {rule for rule, _, _ in want}
    # A case is a small Torghut application: it is evaluated from a copy under a ``torghut/``
    # directory, where the policies scoped to Torghut (``match.within``) apply.
    with tempfile.TemporaryDirectory(prefix="torghut-lint-case-") as scratch:
        copy = Path(scratch) / "torghut" / case.name
        shutil.copytree(case, copy, ignore=shutil.ignore_patterns(EXPECT))
        report = run([copy], [policy], Config(), RunOptions(boundary=Path(scratch)))
        got: Counter[tuple[str, str, int]] = Counter()
        for finding in report.findings:
            if finding.rule in rules:
                rel = Path(finding.location.file).resolve().relative_to(copy.resolve())
                got[(finding.rule, rel.as_posix(), finding.location.line)] += 1
    missing, unexpected = want - got, got - want

    def show(rule: str, file: str, line: int) -> str:
        return f"{file}:{line}" if rule == policy.id else f"{rule} {file}:{line}"

    problems = [f"missing {show(*m)}" for m in sorted(missing)]
    problems += [f"unexpected {show(*u)}" for u in sorted(unexpected)]
    return CaseResult(case.name, bool(want), not missing and not unexpected, "; ".join(problems))


def run_policy_tests(directories: list[Path]) -> list[PolicyResult]:
    results = []
    for directory in directories:
        for policy in load_policies([directory]):
            result = PolicyResult(policy)
            cases_dir = directory / "tests" / policy.id
            for case in sorted(p for p in cases_dir.iterdir() if p.is_dir()) if cases_dir.is_dir() else []:
                result.cases.append(run_case(policy, case))
            results.append(result)
    return results


def failing_example(policy: Policy, context: int = 3) -> str:
    """The first failing case of a policy, its flagged lines marked with '>' (for ``explain``)."""
    cases = Path(policy.source).parent / "tests" / policy.id
    for case in sorted(p for p in cases.iterdir() if p.is_dir()) if cases.is_dir() else []:
        try:
            expected = _expected(case, policy)
        except PolicyError:
            continue
        flagged = sorted((f, line) for rule, f, line in expected if rule == policy.id)
        if not flagged:
            continue
        file = flagged[0][0]
        lines = (case / file).read_text(encoding="utf-8").splitlines()
        marks = {line for f, line in flagged if f == file}
        start, end = max(min(marks) - context, 1), min(max(marks) + context, len(lines))
        body = [f"{'>' if n in marks else ' '} {n:>3} | {lines[n - 1]}" for n in range(start, end + 1)]
        return f"Example ({case.name}/{file}):\n" + "\n".join(body) + "\n"
    return ""


def render_table(results: list[PolicyResult]) -> str:
    width = max([len(r.policy.id) for r in results] + [6])
    lines = [f"{'policy':<{width}}  cases  pass  fail  status"]
    for r in results:
        passed = sum(c.ok for c in r.cases)
        status = "ok" if r.ok else ("no failing case" if not r.has_failing_case else "FAILED")
        lines.append(f"{r.policy.id:<{width}}  {len(r.cases):>5}  {passed:>4}  {len(r.cases) - passed:>4}  {status}")
        lines += [f"    {c.name}: {c.detail}" for c in r.cases if not c.ok]
    bad = sum(not r.ok for r in results)
    lines.append(f"{len(results)} policies, {sum(len(r.cases) for r in results)} cases, {bad} failing")
    return "\n".join(lines) + "\n"
