"""Template ``argocd-hooks``: Argo CD hook resources clean up after themselves, are bounded in
retries and time, and pull images by digest (a hook whose image cannot be pulled, or that
retries forever, blocks every sync)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from torghut_lint.k8s import containers
from torghut_lint.templates.base import RuleContext, Template, Violation

HOOK = "argocd.argoproj.io/hook"
DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy"
# Argo CD runs Helm's hooks as its own (pre-install -> PreSync, ...), with Helm's delete policy
HELM_HOOK = "helm.sh/hook"
HELM_DELETE_POLICY = "helm.sh/hook-delete-policy"
_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def check(ctx: RuleContext) -> Iterator[Violation]:
    max_backoff = ctx.params["maxBackoffLimit"]
    max_deadline = ctx.params["maxActiveDeadlineSeconds"]
    digest = ctx.params["requireDigest"]
    for res in ctx.matched:
        hook = res.annotations.get(HOOK, res.annotations.get(HELM_HOOK))
        if hook is None or str(hook).strip() == "Skip":
            continue  # "Skip" tells Argo CD not to apply the resource at all: not a hook
        name = f"{res.id.kind} {res.id.name} ({hook} hook)"
        policy = res.annotations.get(DELETE_POLICY, res.annotations.get(HELM_DELETE_POLICY))
        if not str(policy or "").strip():
            yield Violation(
                res,
                ("metadata", "annotations", HOOK if HOOK in res.annotations else HELM_HOOK),
                f"{name} has no {DELETE_POLICY}; finished hooks pile up and a re-sync cannot "
                "recreate it (use BeforeHookCreation)",
            )
        if res.id.kind == "Job":
            spec = res.data.get("spec") if isinstance(res.data.get("spec"), dict) else {}
            for field, limit, absent in (
                ("backoffLimit", max_backoff, "not set (Kubernetes retries 6 times)"),
                ("activeDeadlineSeconds", max_deadline, "not set (no time limit)"),
            ):
                value = spec.get(field)
                if not isinstance(value, int) or value > limit:
                    shown = absent if value is None else str(value)
                    where = ("spec", field) if value is not None else ("spec",)
                    yield Violation(res, where, f"{name} {field} is {shown}; at most {limit}")
        if digest:
            for path, container in containers(res):
                image = str(container.get("image") or "")
                if not _DIGEST.search(image):
                    yield Violation(
                        res,
                        path + ("image",),
                        f"{name} container {container.get('name', '?')!r} image {image or '(none)'} is not "
                        "pinned by digest (@sha256:...); an unpullable or moved tag blocks the sync",
                    )


PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "maxBackoffLimit": {
            "type": "integer",
            "minimum": 0,
            "default": 3,
            "description": "highest backoffLimit a hook Job may set",
        },
        "maxActiveDeadlineSeconds": {
            "type": "integer",
            "minimum": 1,
            "default": 3600,
            "description": "highest activeDeadlineSeconds a hook Job may set (it must set one)",
        },
        "requireDigest": {
            "type": "boolean",
            "default": True,
            "description": "hook images must be pinned by digest (@sha256:...)",
        },
    },
}

TEMPLATE = Template(
    "argocd-hooks",
    (
        "Argo CD hook resources clean up after themselves, are bounded in retries and time, and pull "
        "images by digest (a hook whose image cannot be pulled, or that retries forever, blocks every "
        "sync)."
    ),
    PARAMS_SCHEMA,
    check,
)
