"""Exact rendering with ``kubectl kustomize``, mapped back to source files.

kubectl runs with its defaults: no Helm (``--enable-helm`` is never passed), no exec or KRM
plugins, load restrictions on, so nothing from the linted repository is executed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from torghut_lint.builtin_rules import builtin_finding
from torghut_lint.discover import display_path
from torghut_lint.kustomize.build import resources_of
from torghut_lint.model import Finding, Location, Resource
from torghut_lint.parse import parse_bytes
from torghut_lint.secrets import SCRUB

RENDER_TIMEOUT_SECONDS = 120


def kubectl_available() -> bool:
    return shutil.which("kubectl") is not None


def render_with_kubectl(directory: Path, built: list[Resource], findings: list[Finding]) -> list[Resource]:
    """Resources as ``kubectl kustomize`` renders ``directory``; on failure, the built-in ones."""
    where = display_path(directory)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUSTOMIZE_PLUGIN")}
    try:
        proc = subprocess.run(
            ["kubectl", "kustomize", str(directory)],
            capture_output=True,
            timeout=RENDER_TIMEOUT_SECONDS,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        findings.append(
            builtin_finding("kustomize-render-failed", f"kubectl kustomize: {type(exc).__name__}", Location(where))
        )
        return built
    if proc.returncode != 0:
        findings.append(
            builtin_finding(
                "kustomize-render-failed",
                f"kubectl kustomize failed: {_reason(proc.stderr)}; using the built-in renderer",
                Location(where),
            )
        )
        return built
    parsed = parse_bytes(proc.stdout, f"<kubectl kustomize {where}>")
    findings.extend(parsed.findings)
    by_identity = {}
    for res in built:
        rid = res.id
        by_identity.setdefault((rid.kind, rid.namespace, rid.name), res)
        by_identity.setdefault((rid.kind, rid.name), res)
    rendered = resources_of(parsed, findings)
    for res in rendered:
        rid = res.id
        source = by_identity.get((rid.kind, rid.namespace, rid.name)) or by_identity.get((rid.kind, rid.name))
        if source is not None:
            res.source_node = source.node
            res.origin_name = source.origin_name
    return rendered


_KLOG_HEADER = re.compile(r"^[EWI]\d{4} [\d:.]+\s+\d+ \S+\] ")


def _reason(stderr: bytes) -> str:
    """The first meaningful line of kubectl's error (klog headers stripped), shortened, with every
    credential the detector sees masked (kustomize quotes literals and URLs in its errors)."""
    for line in stderr.decode("utf-8", errors="replace").splitlines():
        line = _KLOG_HEADER.sub("", line).strip().removeprefix('"command failed" err=<').strip()
        if line:
            return SCRUB(line[:300])
    return "no error output"
