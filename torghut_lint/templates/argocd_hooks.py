"""Template ``argocd-hooks``: Argo CD hook resources clean up after themselves, are bounded in
retries and time, and pull images by digest (a hook whose image cannot be pulled, or that
retries forever, blocks every sync). Bounded by their kind's own fields: a Job, a bare Pod, an
Argo Workflow; a hook of any other kind that runs pods has no bound the linter knows."""

from __future__ import annotations

import re
from collections.abc import Iterator

from torghut_lint.k8s import containers
from torghut_lint.model import Path_, Resource
from torghut_lint.templates.base import RuleContext, Template, Violation, defaulted

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
        yield from _bounds(res, name, max_backoff, max_deadline)
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


def _bounds(res: Resource, name: str, max_backoff: int, max_deadline: int) -> Iterator[Violation]:
    """Where a hook that runs pods may run or retry without bound, by how its kind is bounded: a
    Job by ``backoffLimit`` and ``activeDeadlineSeconds``; a bare Pod by ``activeDeadlineSeconds``
    and a restart policy that lets it finish (``Always``, its default, restarts it after it
    succeeds: the hook never completes); an Argo Workflow by ``activeDeadlineSeconds`` and each
    ``retryStrategy``'s ``limit``; any other kind that runs pods has no bound the linter knows."""
    spec = res.data.get("spec") if isinstance(res.data.get("spec"), dict) else {}
    group, kind = res.id.group, res.id.kind
    if (group, kind) == ("batch", "Job"):
        yield from _at_most(res, spec, name, "backoffLimit", max_backoff, "not set (Kubernetes retries 6 times)")
    elif (group, kind) == ("", "Pod"):
        if spec.get("restartPolicy", "Always") not in ("Never", "OnFailure"):
            where, shown = defaulted(spec, "restartPolicy", "Always")
            yield Violation(
                res, where, f"{name} restartPolicy is {shown}: the pod restarts after it succeeds, so the hook "
                "never completes and the sync waits on it (use Never)", requirement="restartPolicy",
            )  # fmt: skip
    elif (group, kind) == ("argoproj.io", "Workflow"):
        for path, strategy in _retry_strategies(spec, ("spec",)):
            limit = strategy.get("limit")
            count = int(limit) if isinstance(limit, str) and limit.strip().isdigit() else limit
            if not isinstance(count, int) or isinstance(count, bool) or count > max_backoff:
                shown = "not set (retries without end)" if limit is None else repr(limit)
                yield Violation(
                    res, path + (("limit",) if limit is not None else ()), f"{name} retryStrategy limit is {shown}; "
                    f"at most {max_backoff}", requirement="retry",
                )  # fmt: skip
    elif containers(res):
        yield Violation(
            res,
            ("metadata", "annotations", HOOK if HOOK in res.annotations else HELM_HOOK),
            f"{name} runs pods the linter knows no time or retry bound for in a {kind}; the sync waits on it "
            "until it is healthy (run the hook as a Job)",
        )
        return
    else:
        return  # a hook that runs nothing (a ConfigMap, a Secret) is done once applied
    yield from _at_most(res, spec, name, "activeDeadlineSeconds", max_deadline, "not set (no time limit)")


def _at_most(res: Resource, spec: dict, name: str, field: str, limit: int, absent: str) -> Iterator[Violation]:
    value = spec.get(field)
    if not isinstance(value, int) or isinstance(value, bool) or value > limit:
        shown = absent if value is None else str(value)
        where = ("spec", field) if value is not None else ("spec",)
        yield Violation(res, where, f"{name} {field} is {shown}; at most {limit}")


def _retry_strategies(value: object, path: Path_) -> Iterator[tuple[Path_, dict]]:
    """(path, retryStrategy) of every one a workflow spec sets (its own, its templates', defaults)."""
    if isinstance(value, dict):
        for key, child in value.items():
            if key == "retryStrategy" and isinstance(child, dict):
                yield path + (key,), child
            else:
                yield from _retry_strategies(child, path + (key,))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _retry_strategies(child, path + (i,))


PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "maxBackoffLimit": {
            "type": "integer",
            "minimum": 0,
            "default": 3,
            "description": "highest backoffLimit a hook Job (or retryStrategy limit a hook Workflow) may set",
        },
        "maxActiveDeadlineSeconds": {
            "type": "integer",
            "minimum": 1,
            "default": 3600,
            "description": "highest activeDeadlineSeconds a hook Job, Pod or Workflow may set (it must set one)",
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
        "Argo CD hook resources clean up after themselves, are bounded in retries and time (a Job's "
        "backoffLimit and activeDeadlineSeconds, a Pod's deadline and a restart policy that lets it finish, a "
        "Workflow's deadline and retry limits; any other kind that runs pods is reported), and pull images by "
        "digest (a hook whose image cannot be pulled, or that retries forever, blocks every sync)."
    ),
    PARAMS_SCHEMA,
    check,
)
