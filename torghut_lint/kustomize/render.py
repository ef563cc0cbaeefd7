"""Exact rendering with ``kubectl kustomize``, mapped back to source files, and the parity check
between it and the built-in renderer (``--render verify``).

kubectl runs with its defaults: no Helm (``--enable-helm`` is never passed), no exec or KRM
plugins, load restrictions on, so nothing from the linted repository is executed. It is never
run on a tree with a remote resource (it would fetch it). A tree with ``helmCharts`` is rendered
from a staged copy of exactly the files the built-in build read, with the ``helmCharts`` entries
left out: everything else in the application is still what kustomize renders, and the chart is
reported at its entry (``kustomize-helm-not-rendered``)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

from torghut_lint.builtin_rules import builtin_finding
from torghut_lint.discover import KUSTOMIZATION_NAMES, display_path
from torghut_lint.kustomize.build import Build
from torghut_lint.kustomize.kustomization import find_kustomization
from torghut_lint.kustomize.reading import resources_of
from torghut_lint.model import Finding, Location, Resource, dotted
from torghut_lint.parse import parse_bytes
from torghut_lint.secrets import SCRUB

RENDER_TIMEOUT_SECONDS = 120
MAX_MISMATCHES_SHOWN = 5


def kubectl_available() -> bool:
    """Whether a real kustomize is installed: kubectl's built-in one, or the kustomize binary."""
    return kustomize_command() is not None


def kustomize_command() -> list[str] | None:
    """``kubectl kustomize``, or ``kustomize build`` where only the kustomize binary is installed
    (the Argo CD plugin image ships that one). The one real kustomize of a run: what the lint's
    rendering runs and what the Argo CD plugin prints are rendered by the same binary (two
    versions of kustomize may render one tree differently)."""
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    return None


def helm_renders(build: Build, enable_helm: bool) -> bool:
    """Whether the charts are rendered too: asked for (``--enable-helm``, as Argo CD's
    ``kustomize.buildOptions``), helm installed, and every chart in the repository (never pulled)."""
    return enable_helm and shutil.which("helm") is not None and bool(build.charts) and all(build.charts)


def render_with_kubectl(
    directory: Path, build: Build, boundary: Path, findings: list[Finding], enable_helm: bool = False
) -> list[Resource]:
    """Resources as ``kubectl kustomize`` renders ``directory``; on failure, the built-in ones
    (with a blocking ``kustomize-render-failed``)."""
    where = display_path(find_kustomization(directory) or directory)
    if build.helm:
        with_helm = helm_renders(build, enable_helm)
        with tempfile.TemporaryDirectory(prefix="torghut-lint-render-") as stage:
            target = _stage(directory, build, boundary, Path(stage), keep_charts=with_helm)
            return _run(target, build.resources, where, findings, with_helm)
    return _run(directory, build.resources, where, findings)


def _run(
    directory: Path, built: list[Resource], where: str, findings: list[Finding], helm: bool = False
) -> list[Resource]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUSTOMIZE_PLUGIN")}
    flags = ["--enable-helm", "--helm-command", shutil.which("helm") or "helm"] if helm else []
    try:
        proc = subprocess.run(
            [*(kustomize_command() or ["kubectl", "kustomize"]), *flags, str(directory)],
            capture_output=True,
            timeout=RENDER_TIMEOUT_SECONDS,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        message = f"kubectl kustomize: {type(exc).__name__}"
        findings.append(builtin_finding("kustomize-render-failed", message, Location(where)))
        return built
    if proc.returncode != 0:
        message = f"kubectl kustomize failed: {_reason(proc.stderr)}; the built-in rendering is checked instead"
        findings.append(builtin_finding("kustomize-render-failed", message, Location(where)))
        return built
    parsed = parse_bytes(proc.stdout, f"<kubectl kustomize {where}>")
    findings.extend(parsed.findings)
    by_identity = {}
    for res in built:
        rid = res.id
        by_identity.setdefault((rid.kind, rid.namespace, rid.name), res)
        by_identity.setdefault((rid.kind, rid.name), res)
    rendered = resources_of(parsed, findings)
    anchor = _kustomization_node(where)
    for res in rendered:
        rid = res.id
        source = by_identity.get((rid.kind, rid.namespace, rid.name)) or by_identity.get((rid.kind, rid.name))
        if source is not None:
            res.source_node = source.node
            res.origin_name = source.origin_name
        else:  # a resource only kustomize produced: its findings point at the kustomization
            res.source_node = anchor
    return rendered


def _kustomization_node(where: str) -> yaml.MappingNode:
    """A node whose marks are line 1 of the kustomization: where a value no source line
    explains is reported (never dropped)."""
    mark = yaml.Mark(where, 0, 0, 0, None, None)
    return yaml.MappingNode("tag:yaml.org,2002:map", [], mark, mark)


def _stage(directory: Path, build: Build, boundary: Path, stage: Path, keep_charts: bool) -> Path:
    """Copy the files the build read into ``stage`` (same layout below ``boundary``); the staged
    ``directory``. With ``keep_charts`` the local chart directories come along (kustomize renders
    them there, so nothing is written to the linted tree); otherwise the ``helmCharts`` entries,
    and the patches only a chart's output could match, are left out."""
    root = Path(os.path.realpath(boundary))
    for path in build.used:
        relative = path.relative_to(root)
        target = stage / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.name in KUSTOMIZATION_NAMES and not keep_charts:
            drop = {(key, i) for kfile, key, i in build.chart_patches if kfile == path}
            target.write_text(_without_helm(path, drop), encoding="utf-8")
        else:
            shutil.copyfile(path, target)
    if keep_charts:
        for chart in build.charts:
            real_chart = Path(os.path.realpath(chart))
            shutil.copytree(real_chart, stage / real_chart.relative_to(root), dirs_exist_ok=True, symlinks=False)
    return stage / Path(os.path.realpath(directory)).relative_to(root)


def _without_helm(kfile: Path, drop: set[tuple[str, int]]) -> str:
    """The kustomization without its charts, and without the patches (``drop``) that can only
    apply to a chart's output; never empty (kustomize refuses an empty file)."""
    docs = [d for d in yaml.safe_load_all(kfile.read_bytes()) if isinstance(d, dict)]
    for doc in docs:
        doc.pop("helmCharts", None)
        doc.pop("helmGlobals", None)
        for key, index in sorted(drop, reverse=True):
            if isinstance(doc.get(key), list) and index < len(doc[key]):
                del doc[key][index]
        if not any(k not in ("apiVersion", "kind", "metadata") for k in doc):
            doc["resources"] = []
    return yaml.safe_dump_all(docs)


def verify(directory: Path, built: list[Resource], rendered: list[Resource], findings: list[Finding]) -> None:
    """``--render verify``: every resource and field where the built-in rendering differs from
    kubectl's is an error at the kustomization (the policies then see kubectl's)."""
    where = Location(display_path(find_kustomization(directory) or directory), 1, 1)
    ours = {_key(r): r.data for r in built}
    theirs = {_key(r): r.data for r in rendered}
    problems = [f"{_name(k)} only in kubectl's rendering" for k in sorted(set(theirs) - set(ours))]
    problems += [f"{_name(k)} only in the built-in rendering" for k in sorted(set(ours) - set(theirs))]
    for key in sorted(set(ours) & set(theirs)):
        for path in _differing(ours[key], theirs[key]):
            problems.append(f"{_name(key)} differs at {dotted(path) or '(whole object)'}")
    for problem in problems[:MAX_MISMATCHES_SHOWN]:
        findings.append(builtin_finding("kustomize-render-mismatch", problem, where))
    if len(problems) > MAX_MISMATCHES_SHOWN:
        more = f"{len(problems) - MAX_MISMATCHES_SHOWN} more difference(s) between the renderers not shown"
        findings.append(builtin_finding("kustomize-render-mismatch", more, where))


def _key(res: Resource) -> tuple[str, str, str, str]:
    rid = res.id
    return rid.api_version, rid.kind, rid.namespace, rid.name


def _name(key: tuple[str, str, str, str]) -> str:
    api, kind, namespace, name = key
    return f"{kind} {namespace + '/' if namespace else ''}{name}"


def _differing(a: object, b: object, path: tuple = ()) -> list[tuple]:
    """Paths (first few) where two values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[tuple] = []
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                out.append(path + (key,))
            else:
                out += _differing(a[key], b[key], path + (key,))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [p for i, (x, y) in enumerate(zip(a, b, strict=True)) for p in _differing(x, y, path + (i,))]
    return [] if json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) else [path]


_KLOG_HEADER = re.compile(r"^[EWI]\d{4} [\d:.]+\s+\d+ \S+\] ")


def _reason(stderr: bytes) -> str:
    """The first meaningful line of kubectl's error (klog headers stripped), shortened, with every
    credential the detector sees masked (kustomize quotes literals and URLs in its errors)."""
    for line in stderr.decode("utf-8", errors="replace").splitlines():
        line = _KLOG_HEADER.sub("", line).strip().removeprefix('"command failed" err=<').strip()
        if line and not line.startswith("# Warning:"):
            return SCRUB(line[:300])
    return "no error output"
