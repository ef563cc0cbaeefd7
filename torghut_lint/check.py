"""Schema validation and policy evaluation per application, on two processes for large trees.

Applications are independent once assembled, so a forked worker checks its share and sends back
only findings (pickling the YAML nodes themselves would cost more than parsing them)."""

from __future__ import annotations

import os

from torghut_lint.assemble import Project
from torghut_lint.engine import evaluate
from torghut_lint.model import Finding, ResourceId
from torghut_lint.policy import Policy
from torghut_lint.schemas.store import SchemaStore
from torghut_lint.schemas.validate import once_per_kind, validate_all

PARALLEL_MIN_RESOURCES = 400  # below this, forking costs more than it saves
_SHARED: tuple = ()  # what forked workers inherit: (project, policies, store, report_missing)


def check_applications(
    project: Project, policies: list[Policy], store: SchemaStore | None, report_missing: bool
) -> tuple[list[Finding], dict[str, list[ResourceId]]]:
    """Schema validation and policy evaluation per application; on large trees the applications
    are split over two forked processes (each returns only findings)."""
    global _SHARED
    jobs = int(os.environ.get("TORGHUT_LINT_JOBS", "0") or 0) or min(2, os.cpu_count() or 1)
    parallel = jobs > 1 and len(project.resources) >= PARALLEL_MIN_RESOURCES and len(project.apps) > 1
    if parallel:  # imported only here: small trees never pay for multiprocessing
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        parallel = "fork" in multiprocessing.get_all_start_methods()
    if not parallel:
        return _check_part(project, policies, store, report_missing, list(range(len(project.apps))), True)
    parts: list[list[int]] = [[] for _ in range(jobs)]
    loads = [0] * jobs
    for i in sorted(range(len(project.apps)), key=lambda i: -len(project.apps[i].resources)):
        lightest = loads.index(min(loads))
        parts[lightest].append(i)
        loads[lightest] += len(project.apps[i].resources) + 1
    _SHARED = (project, policies, store, report_missing)
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            results = list(pool.map(_forked_part, [(sorted(p), n == 0) for n, p in enumerate(parts)]))
    finally:
        _SHARED = ()
    findings: list[Finding] = []
    evaluated: dict[str, list[ResourceId]] = {}
    for part_findings, part_evaluated in results:
        findings += part_findings
        for rule, ids in part_evaluated.items():
            evaluated.setdefault(rule, []).extend(ids)
    return once_per_kind(findings), evaluated


def _forked_part(part: tuple[list[int], bool]) -> tuple[list[Finding], dict[str, list[ResourceId]]]:
    project, policies, store, report_missing = _SHARED
    return _check_part(project, policies, store, report_missing, *part)


def _check_part(
    project: Project,
    policies: list[Policy],
    store: SchemaStore | None,
    report_missing: bool,
    app_indexes: list[int],
    with_orphans: bool,
) -> tuple[list[Finding], dict[str, list[ResourceId]]]:
    apps = [project.apps[i] for i in app_indexes]
    findings: list[Finding] = []
    if store is not None:
        findings += validate_all([r for app in apps for r in app.resources], store, report_missing)
    evaluated: dict[str, list[ResourceId]] = {}
    findings += evaluate(project, policies, evaluated, apps=apps, orphans=with_orphans)
    return findings, evaluated
