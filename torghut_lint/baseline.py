"""Baselines for adopting the gate on an existing repository: known findings are recorded by rule,
resource identity and field (never by line number, which every edit shifts), so only new
findings are reported."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from torghut_lint import __version__
from torghut_lint.model import Finding

FORMAT_VERSION = 1


class BaselineError(Exception):
    """An unreadable or malformed baseline file (named in the message)."""


def fingerprint(finding: Finding) -> tuple[str, str, str]:
    """(rule, subject, field): the subject is the resource, or the file for file-level findings."""
    rid = finding.resource
    subject = f"{rid.kind}/{rid.namespace}/{rid.name}" if rid else f"file:{finding.location.file}"
    return finding.rule, subject, finding.field


class Baseline:
    """A multiset of finding fingerprints."""

    def __init__(self, counts: Counter[tuple[str, str, str]]) -> None:
        self.counts = counts

    @classmethod
    def of(cls, findings: list[Finding]) -> Baseline:
        return cls(Counter(fingerprint(f) for f in findings if not f.waived))

    @classmethod
    def read(cls, path: Path) -> Baseline:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            entries = doc["entries"]
            if doc.get("formatVersion") != FORMAT_VERSION:
                raise BaselineError(f"{path}: unsupported baseline formatVersion {doc.get('formatVersion')!r}")
            return cls(Counter({(e["rule"], e["subject"], e["field"]): int(e["count"]) for e in entries}))
        except OSError as exc:
            raise BaselineError(f"{path}: cannot read baseline: {exc.strerror}") from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise BaselineError(f"{path}: not a torghut-lint baseline ({type(exc).__name__}: {exc})") from exc

    def write(self, path: Path) -> None:
        entries = [
            {"rule": rule, "subject": subject, "field": field_, "count": count}
            for (rule, subject, field_), count in sorted(self.counts.items())
        ]
        doc = {"tool": "torghut-lint", "toolVersion": __version__, "formatVersion": FORMAT_VERSION, "entries": entries}
        path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")

    def new_findings(self, findings: list[Finding]) -> list[Finding]:
        """Findings beyond what the baseline records (each recorded finding absorbs one)."""
        budget = Counter(self.counts)
        out = []
        for finding in findings:
            key = fingerprint(finding)
            if budget[key] > 0 and not finding.waived:
                budget[key] -= 1
            else:
                out.append(finding)
        return out
