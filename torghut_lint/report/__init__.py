"""Report formats, by name: the registry the command line, the CI script and the Argo CD plugin
choose from. Each format is a module with ``render(report, colour=False) -> str`` over a
:class:`~torghut_lint.report.base.Report`; it is imported only when chosen, so start-up stays light.
A format whose report grows with the findings also has ``pieces(report, colour=False)``, the same
text in pieces made as they are written (:meth:`Format.pieces`): a large report is never held whole.

Adding a format is one module and one entry here; the names are a public contract (``--format``)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from torghut_lint.report.base import Report


@dataclass(frozen=True)
class Format:
    """One report format: its ``--format`` name, the module rendering it, what it is for."""

    name: str
    module: str
    description: str

    def render(self, report: Report, colour: bool = False) -> str:
        return "".join(self.pieces(report, colour))

    def pieces(self, report: Report, colour: bool = False) -> Iterator[str]:
        """:meth:`render`'s text in pieces, made as they are asked for where the format can."""
        module = importlib.import_module(f"torghut_lint.report.{self.module}")
        if hasattr(module, "pieces"):
            return module.pieces(report, colour)
        return iter((module.render(report, colour),))


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("text", "text", "for people: path:line:col: severity rule message, grouped by file (default)"),
        Format("json", "json_format", "the JSON contract: summary and findings with fingerprints"),
        Format("sarif", "sarif", "SARIF 2.1.0 for code scanning, URIs relative to the repository root"),
        Format("junit", "junit", "JUnit XML: a suite per rule, a test case per resource and per finding"),
        Format("github", "github", "GitHub Actions annotations, the pull request's files first, capped as GitHub caps"),
        Format("markdown", "markdown", "a job summary: verdict, counts per rule, findings, switches and storage"),
    )
}


def render(name: str, report: Report, colour: bool = False) -> str:
    """The report in format ``name`` (a key of :data:`FORMATS`)."""
    return FORMATS[name].render(report, colour)
