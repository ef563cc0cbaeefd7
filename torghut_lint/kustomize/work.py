"""A bound on the work one application's build may take.

kustomize's patches, merges, image rewrites and replacements multiply: every patch is tried on
every resource it selects, a JSON patch operation looks its key up among the map's keys, a
strategic-merge list item is looked for among the target list's items, every ``images`` entry among
every container, every replacement's path walked and written on every object it selects.
A few hundred kilobytes of kustomization can ask for billions of steps (``kubectl kustomize`` runs
for minutes on them too, and Argo CD's repo server gives up). The build counts those steps
against one budget per application, and stops when it runs out: the application is not
rendered, which blocks (``kustomize-too-complex``), never a hang. A step is one patch key, list item,
label or generator entry handled, eight keys looked through in a map (``nodes.scanned``: the kind,
name and labels of every resource a patch tests, however many keys it was written with); a
resource's identity compared with a patch's target or a generator's is four, an images entry tried
on a container sixteen (a pattern match), a replacement's path on an object sixteen and one per
part; an object a JSON patch changes is walked whole (printed, marshalled, decoded: two per entry),
one a strategic merge changes once (one per map and key); a resource copied for a second path to
its kustomization (a diamond) is four per node. Whatever a transformer does to every object it
meets is counted in proportion to the object, not once per object. The budget runs out in one to
two seconds; the largest application of the lab tree takes 1,826 steps, kubectl needs 10 to 80
seconds on the smallest inputs that exhaust it (README, "Limits on hostile input").

The budget is this process's (builds run one at a time in each process): :func:`budget` opens
it for a build, the places that multiply work :func:`charge` it; outside a build nothing is
counted."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

MAX_WORK = 2_000_000  # steps one application's build may take (documented in the README)
PAIRS_PER_STEP = 8  # keys compared with a map's keys (or list items shifted) in one step
IDENTITY_STEPS = 4  # a resource's identity read and compared with a patch's target or a generator's
WALK_STEPS = 2  # each entry (a key and its value, a list item) of an object walked whole around a patch
COPY_STEPS = 4  # each node of a kustomization's resources copied for a second path to it (a diamond)

_left = [math.inf]  # steps left in the open budget
_limit = [MAX_WORK]  # the open budget's size


class TooMuchWork(Exception):
    """The build ran out of its budget."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"building it takes more than {limit:,} steps (patches and generators times the resources they "
            "look up, keys, list items and labels merged, images times containers)"
        )


def charge(steps: int) -> None:
    """Count ``steps`` against the open budget; TooMuchWork once it is spent (and on every later
    charge of the same build)."""
    _left[0] -= steps
    if _left[0] < 0:
        raise TooMuchWork(_limit[0])


def check() -> None:
    """TooMuchWork if the open budget ran out (a nested build spent it: what its parent would do
    next is not done, and reports nothing)."""
    charge(0)


def left() -> float:
    """Steps left in the open budget (infinite outside a build)."""
    return _left[0]


def spent() -> bool:
    """Whether the open budget ran out."""
    return _left[0] < 0


@contextmanager
def budget(limit: int | None = None) -> Iterator[None]:
    """A budget of ``limit`` steps (MAX_WORK by default) for the build run inside it."""
    limit = MAX_WORK if limit is None else limit
    _left[0], _limit[0] = limit, limit
    try:
        yield
    finally:
        _left[0] = math.inf
