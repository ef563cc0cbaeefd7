"""The order kustomize prints an application's objects in (``SortOrderTransformer``), set by the
``sortOptions`` of the kustomization built (a base's are never read): ``fifo`` keeps the order
the objects were accumulated in (resources, generated objects, components, as the build reads
them); ``legacy``, the default, sorts by kind (these kinds first, in this order; these last;
every other kind between), then by group, version and kind, then by namespace and name, each
compared as kustomize's own sort strings compare (``~X`` for no namespace, ``~N`` for no name:
after any letter). ``legacySortOptions`` replaces both lists (``{}``: no list at all).

Not modelled: kustomize reverses its comparison between two kinds named Namespace when either is
the core group's, which with lists that rank other kinds beside them (``{}``) makes a cycle; Go's
sort and Python's may then order those objects differently (``render`` only: no finding depends
on the order)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from torghut_lint.model import Resource

ORDER_FIRST = (
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
)
ORDER_LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")
ORDERS = ("fifo", "legacy")


def problem(options: Any) -> tuple[str, str] | None:
    """Why kustomize refuses ``sortOptions`` (of the shape its Go type reads) as
    ``SortOrderTransformer.validate`` does, with the field at fault; None when it accepts it."""
    if options is None:
        return None  # the default, legacy
    order = options.get("order")
    if order not in ORDERS:
        return "order", "sortOptions.order must be one of fifo, legacy"
    if order == "fifo" and options.get("legacySortOptions") is not None:
        return "legacySortOptions", "sortOptions.legacySortOptions is set but the order is fifo, not legacy"
    return None


def printed_order(resources: list[Resource], options: dict | None = None) -> list[Resource]:
    """``resources`` (in the order they were accumulated) in the order kustomize prints them under
    ``sortOptions`` ``options`` (accepted by :func:`problem`; None: the default)."""
    if options is not None and options.get("order") == "fifo":
        return list(resources)
    legacy = None if options is None else options.get("legacySortOptions")
    if legacy is None:
        first, last = ORDER_FIRST, ORDER_LAST
    else:
        first, last = legacy.get("orderFirst") or (), legacy.get("orderLast") or ()
    ranks = _ranks(first, last)
    keyed = [(gvk, _gvk_text(gvk), _id_text(r), r) for r in resources for gvk in (_gvk(r),)]
    keyed.sort(key=functools.cmp_to_key(lambda a, b: _compare(a, b, ranks)))
    return [r for *_, r in keyed]


def _ranks(first: Sequence[Any], last: Sequence[Any]) -> dict[str, int]:
    """A kind's place: the first list's before 0 (every other kind), the last list's after; a
    kind in both lists (or twice in one) takes its last entry's."""
    ranks: dict[str, int] = {}
    for i, kind in enumerate(first):
        ranks[str(kind or "")] = i - len(first)
    for i, kind in enumerate(last):
        ranks[str(kind or "")] = 1 + i
    return ranks


def _gvk(res: Resource) -> tuple[str, str, str]:
    """(group, version, kind), the apiVersion split at its first slash as kustomize's resid does."""
    rid = res.id
    group, slash, version = rid.api_version.partition("/")
    return (group, version, rid.kind) if slash else ("", group, rid.kind)


def _gvk_text(gvk: tuple[str, str, str]) -> str:
    group, version, kind = gvk
    return f"{group or '~G'}_{version or '~V'}_{kind or '~K'}"


def _compare(a: tuple, b: tuple, ranks: dict[str, int]) -> int:
    """kustomize's ``legacyIDSorter.Less`` as a comparison of (gvk, its text, namespace and name
    text, resource): by kind's rank, then the group, version and kind text (reversed between two
    kinds named Namespace when either is the core group's), then the namespace and name text."""
    (ga, ta, ia, _), (gb, tb, ib, _) = a, b
    if ga != gb:
        rank_a, rank_b = ranks.get(ga[2], 0), ranks.get(gb[2], 0)
        if rank_a != rank_b:
            return -1 if rank_a < rank_b else 1
        if ga[2] == gb[2] == "Namespace" and (not ga[0] or not gb[0]):
            ta, tb = tb, ta
        return (ta > tb) - (ta < tb)
    return (ia > ib) - (ia < ib)


def _id_text(res: Resource) -> str:
    rid = res.id
    return f"{rid.namespace or '~X'}|{rid.name or '~N'}"
