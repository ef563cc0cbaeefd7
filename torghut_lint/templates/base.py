"""What a template receives and returns."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from torghut_lint.k8s import ConfigMaps
from torghut_lint.model import UNSET, Location, Path_, Resource
from torghut_lint.parse import Document


@dataclass
class Violation:
    """A template's verdict on one place; the engine turns it into a Finding."""

    resource: Resource | None
    path: Path_
    message: str
    location: Location | None = None  # overrides resource.locate(path)
    secrets: tuple[str, ...] = ()
    fixable: bool = False  # `torghut-lint fix` has an unambiguous remedy for this one
    # Identity (baselines, --new-since, SARIF fingerprints): the offending value (digested, never
    # stored; default: the scalar at ``path``), the requirement when several can fail at one place,
    # and a subject when the finding is about more than ``resource`` (``app:`` totals).
    value: Any = UNSET
    requirement: str = ""
    subject: str = ""


@dataclass
class Observation:
    """A value a template reports whatever its verdict (``facts(ctx)``); the engine locates it
    as a :class:`~torghut_lint.model.Fact` for the job summary."""

    resource: Resource | None
    path: Path_
    table: str
    item: str
    value: str
    limit: str
    ok: bool
    location: Location | None = None  # overrides resource.locate(path)


@dataclass
class RuleContext:
    """One policy evaluated over one application."""

    params: dict[str, Any]
    matched: list[Resource]  # resources the policy's match selects
    resources: list[Resource]  # the whole application, for cross-references
    helm_values: list[Document]

    @cached_property
    def configmaps(self) -> ConfigMaps:
        return ConfigMaps(self.resources)

    def of_kind(self, kind: str) -> Iterator[Resource]:
        return (r for r in self.resources if r.id.kind == kind)
