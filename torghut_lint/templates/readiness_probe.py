"""Template ``readiness-probe``: every container has an HTTP readiness probe on ``path``, and
none of its probes (readiness, startup, liveness) is one that could never succeed: each aims at a
port the container declares (by name; the readiness probe by number too), on the pod itself (no
``host``), in the scheme the server speaks, and first asks within a bound (the readiness probe
asks again within one too); and has one handler, as the API server requires. A startup or liveness
probe that cannot succeed keeps the container from ever being ready as surely as a wrong readiness
probe (torghut-ws stuck at 503); one that runs a command (``exec: [false]``) is a finding unless
``execProbes`` allows it, as whether a command ever succeeds cannot be told."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from torghut_lint.k8s import KNATIVE_SERVING, container_name, containers, listed
from torghut_lint.model import Path_, Resource
from torghut_lint.templates.base import RuleContext, Template, Violation

# The probes besides readiness that keep a container from ever being ready when they cannot
# succeed: a failing startup probe kills the container before readiness is asked, a failing
# liveness probe restarts it over and over (the kubelet's prober).
OTHER_PROBES = ("startupProbe", "livenessProbe")
NEVER = {  # what a probe that always fails does to the container
    "readinessProbe": "the container would never be ready",
    "startupProbe": "the kubelet would kill the container before it is ever ready",
    "livenessProbe": "the kubelet would restart the container over and over",
}
HANDLERS = ("httpGet", "tcpSocket", "grpc")  # a probe's handlers that aim at a port
ALL_HANDLERS = ("exec", *HANDLERS)  # a probe has exactly one (the API server's validation)


def check(ctx: RuleContext) -> Iterator[Violation]:
    want = ctx.params["path"]
    only = set(ctx.params["containers"])
    for res in ctx.matched + ctx.unlisted:  # (a kind nobody knew of runs containers as a Deployment does)
        for path, container in containers(res, init=False):
            name = container_name(path, container)
            if only and name not in only:
                continue
            ports = [p for p in listed(container, "ports") if isinstance(p, dict)]
            probe = container.get("readinessProbe")
            http = probe.get("httpGet") if isinstance(probe, dict) else None
            if not isinstance(http, dict):
                yield Violation(
                    res,
                    path + ("readinessProbe",) if probe is not None else path,
                    f"container {name!r} has no httpGet readinessProbe on {want}",
                )
            elif http.get("path") != want:
                yield Violation(
                    res,
                    path + ("readinessProbe", "httpGet", "path"),
                    f"container {name!r} readinessProbe path is {http.get('path')!r}, expected {want!r}",
                )
            for kind in ("readinessProbe", *OTHER_PROBES):
                yield from _probe(ctx, res, path + (kind,), name, kind, container.get(kind), ports)


def _probe(
    ctx: RuleContext, res: Resource, at: Path_, name: str, kind: str, probe: Any, ports: list[dict]
) -> Iterator[Violation]:
    """Why ``probe`` could never succeed against this container: aimed at another host, at a port
    it does not declare, in a scheme the server does not speak, or not asked for longer than the
    policy allows."""
    if not isinstance(probe, dict):
        return
    never = NEVER[kind]
    if len(handlers := [h for h in ALL_HANDLERS if probe.get(h) is not None]) > 1:
        yield Violation(
            res,
            at,
            f"container {name!r} {kind} has {len(handlers)} handlers ({', '.join(handlers)}); the API server refuses a "
            "probe with more than one, so the workload is never updated",
        )
    if kind != "readinessProbe" and probe.get("exec") is not None and not ctx.params.get("execProbes"):
        yield Violation(
            res,
            at + ("exec",),
            f"container {name!r} {kind} runs a command, whose outcome the linter cannot tell: one that never "
            f"succeeds means {never}; probe an HTTP path or a declared port instead",
        )
    for handler in HANDLERS:
        action = probe.get(handler)
        if not isinstance(action, dict):
            continue
        where = at + (handler,)
        if action.get("host"):  # the kubelet then asks that host, whatever state this pod is in
            yield Violation(
                res,
                where + ("host",),
                f"container {name!r} {kind} asks host {action.get('host')!r}, not the pod: "
                "its result would not reflect this container",
            )
        port = action.get("port")
        # the readiness probe aims at a declared port (the policy's requirement); another probe can
        # only never succeed on a name the container does not declare (a number may be listened on
        # undeclared: the kubelet resolves names from the declared ports only)
        named = isinstance(port, str) and not port.isdigit()
        if port is None and res.id.group == KNATIVE_SERVING:
            pass  # Knative's queue-proxy probes the container's serving port when none is written
        elif (kind == "readinessProbe" or named) and not _declared(port, ports, by_name=handler != "grpc"):
            declared = ", ".join(str(p.get("name") or p.get("containerPort")) for p in ports) or "none"
            yield Violation(
                res,
                where + ("port",),
                f"container {name!r} {kind} port {port!r} is not a declared port (declared: {declared}); "
                f"the probe would always fail and {never}",
            )
        scheme = ctx.params.get("scheme")
        if handler == "httpGet" and scheme and str(action.get("scheme", "HTTP")).upper() != scheme:
            yield Violation(
                res,
                where + ("scheme",) if "scheme" in action else where,
                f"container {name!r} {kind} speaks {action.get('scheme', 'HTTP')!r} to a server that speaks "
                f"{scheme}; the probe would always fail and {never}",
            )
    period, most = probe.get("periodSeconds"), ctx.params.get("maxPeriodSeconds")
    if kind == "readinessProbe" and most is not None and _int(period) and period > most:
        yield Violation(
            res,
            at + ("periodSeconds",),
            f"container {name!r} {kind} asks every {period} s (at most {most}): one failed answer keeps the "
            "container out of its Service that long",
        )
    delay = probe.get("initialDelaySeconds")
    bound = ctx.params.get("maxInitialDelaySeconds")
    if bound is not None and _int(delay) and delay > bound:
        yield Violation(
            res,
            at + ("initialDelaySeconds",),
            f"container {name!r} {kind} waits {delay} s before it first asks (at most {bound}): "
            "the container is not ready for that long after every start",
        )


def _int(value: Any) -> bool:
    """Whether ``value`` is a YAML integer (a boolean is none)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _declared(port: Any, ports: list[dict], by_name: bool = True) -> bool:
    """Whether the kubelet finds ``port`` among the container's: a number it declares, or (not for
    gRPC, whose port is a number) a name it declares, or a number written as text."""
    numbers = {p.get("containerPort") for p in ports}
    if _int(port):
        return port in numbers
    if not isinstance(port, str):
        return False
    if by_name and port in {p.get("name") for p in ports if p.get("name")}:
        return True
    return port.isdigit() and int(port) in numbers


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
        "scheme": {
            "type": ["string", "null"],
            "enum": ["HTTP", "HTTPS", None],
            "default": None,
            "description": "the scheme the server speaks on its probe ports: every httpGet probe (readiness, "
            "liveness, startup) uses it (null: any)",
        },
        "maxInitialDelaySeconds": {
            "type": ["integer", "null"],
            "minimum": 0,
            "default": None,
            "description": "the longest initialDelaySeconds a probe may wait before it first asks (null: any)",
        },
        "maxPeriodSeconds": {
            "type": ["integer", "null"],
            "minimum": 1,
            "default": None,
            "description": "the longest periodSeconds between a readiness probe's asks (null: any): one failed "
            "answer keeps the container out of its Service that long",
        },
        "containers": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "container names to check (empty: every container)",
        },
        "execProbes": {
            "type": "boolean",
            "default": False,
            "description": "a startup or liveness probe may run a command (false: each is a finding, since whether "
            "a command ever succeeds cannot be told from the manifest, and one that never does keeps the container "
            "from being ready)",
        },
    },
}

TEMPLATE = Template(
    "readiness-probe",
    "Every container has an HTTP readiness probe on ``path``; none of its probes (readiness, startup, liveness) "
    "could never succeed: each aims at a port the container declares (by name; the readiness probe by number "
    "too), on the pod, in the server's scheme; a startup or liveness probe running a command only where execProbes "
    "allows it.",
    PARAMS_SCHEMA,
    check,
    unlisted=True,
)
