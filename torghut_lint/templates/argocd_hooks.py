"""Template ``argocd-hooks``: Argo CD hook resources clean up after themselves, are bounded in
retries and time, and pull images by digest (a hook whose image cannot be pulled, or that
retries forever, blocks every sync)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from torghut_lint.k8s import containers
from torghut_lint.templates.base import RuleContext, Violation

PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "maxBackoffLimit": {"type": "integer", "minimum": 0},
        "maxActiveDeadlineSeconds": {"type": "integer", "minimum": 1},
        "requireDigest": {"type": "boolean"},
    },
}

HOOK = "argocd.argoproj.io/hook"
DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy"
_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def check(ctx: RuleContext) -> Iterator[Violation]:
    max_backoff = ctx.params.get("maxBackoffLimit", 3)
    max_deadline = ctx.params.get("maxActiveDeadlineSeconds", 3600)
    digest = ctx.params.get("requireDigest", True)
    for res in ctx.matched:
        if HOOK not in res.annotations or str(res.annotations[HOOK]).strip() == "Skip":
            continue  # "Skip" tells Argo CD not to apply the resource at all: not a hook
        hook = res.annotations[HOOK]
        name = f"{res.id.kind} {res.id.name} ({hook} hook)"
        if not str(res.annotations.get(DELETE_POLICY) or "").strip():
            yield Violation(
                res,
                ("metadata", "annotations", HOOK),
                f"{name} has no {DELETE_POLICY}; finished hooks pile up and a re-sync cannot "
                "recreate it (use BeforeHookCreation)",
            )
        if res.id.kind == "Job":
            spec = res.data.get("spec") if isinstance(res.data.get("spec"), dict) else {}
            backoff = spec.get("backoffLimit")
            if not isinstance(backoff, int) or backoff > max_backoff:
                shown = "not set (Kubernetes retries 6 times)" if backoff is None else str(backoff)
                yield Violation(
                    res,
                    ("spec", "backoffLimit") if backoff is not None else ("spec",),
                    f"{name} backoffLimit is {shown}; at most {max_backoff}",
                )
            deadline = spec.get("activeDeadlineSeconds")
            if not isinstance(deadline, int) or deadline > max_deadline:
                shown = "not set (no time limit)" if deadline is None else str(deadline)
                yield Violation(
                    res,
                    ("spec", "activeDeadlineSeconds") if deadline is not None else ("spec",),
                    f"{name} activeDeadlineSeconds is {shown}; at most {max_deadline}",
                )
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
