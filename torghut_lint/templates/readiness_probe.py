"""Template ``readiness-probe``: every container has an HTTP readiness probe on ``path``,
aimed at a port the container declares, on the pod itself (no ``host``)."""

from __future__ import annotations

from collections.abc import Iterator

from torghut_lint.k8s import containers
from torghut_lint.templates.base import RuleContext, Template, Violation


def check(ctx: RuleContext) -> Iterator[Violation]:
    want = ctx.params["path"]
    only = set(ctx.params["containers"])
    for res in ctx.matched:
        for path, container in containers(res, init=False):
            name = container.get("name", "?")
            if only and name not in only:
                continue
            probe = container.get("readinessProbe")
            http = probe.get("httpGet") if isinstance(probe, dict) else None
            if not isinstance(http, dict):
                yield Violation(
                    res,
                    path + ("readinessProbe",) if probe is not None else path,
                    f"container {name!r} has no httpGet readinessProbe on {want}",
                )
                continue
            if http.get("host"):  # the kubelet then asks that host, whatever state this pod is in
                yield Violation(
                    res,
                    path + ("readinessProbe", "httpGet", "host"),
                    f"container {name!r} readinessProbe asks host {http.get('host')!r}, not the pod: "
                    "its readiness would not reflect this container",
                )
            if http.get("path") != want:
                yield Violation(
                    res,
                    path + ("readinessProbe", "httpGet", "path"),
                    f"container {name!r} readinessProbe path is {http.get('path')!r}, expected {want!r}",
                )
            port = http.get("port")
            ports = [p for p in container.get("ports") or [] if isinstance(p, dict)]
            declared = {p.get("containerPort") for p in ports} | {p.get("name") for p in ports if p.get("name")}
            if port not in declared and not (isinstance(port, str) and port.isdigit() and int(port) in declared):
                listed = ", ".join(str(p.get("name") or p.get("containerPort")) for p in ports) or "none"
                yield Violation(
                    res,
                    path + ("readinessProbe", "httpGet", "port"),
                    f"container {name!r} readinessProbe port {port!r} is not a declared port "
                    f"(declared: {listed}); the probe would always fail",
                )


PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "path": {
            "type": "string",
            "pattern": "^/",
            "default": "/readyz",
            "description": "the HTTP path the readiness probe must check",
        },
        "containers": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "container names to check (empty: every container)",
        },
    },
}

TEMPLATE = Template(
    "readiness-probe",
    "Every container has an HTTP readiness probe on ``path``, aimed at a port the container declares.",
    PARAMS_SCHEMA,
    check,
)
