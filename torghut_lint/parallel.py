"""Shares of work on forked processes: the calling process takes the first share itself, each
other share runs in a child that sends back its (pickled) result over a pipe.

Only results cross processes: a child inherits everything already loaded (copy-on-write), so
nothing has to be pickled on the way in. A child that fails for any reason is not trusted with
the error report: its share is redone in the calling process, where errors surface exactly as
they would with one process."""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Callable
from typing import TypeVar

Share = TypeVar("Share")
Result = TypeVar("Result")


def jobs_wanted(work_bytes: int, min_bytes: int) -> int:
    """Processes to use: ``TORGHUT_LINT_JOBS`` when set (1 = one process), else the usable
    cores (at most two) once there are ``min_bytes`` of input, since forking costs too."""
    configured = os.environ.get("TORGHUT_LINT_JOBS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    if work_bytes < min_bytes:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(2, cores)


def run_shares(work: Callable[[Share], Result], shares: list[Share]) -> list[Result]:
    """``[work(s) for s in shares]``, the shares after the first on forked children."""
    if len(shares) < 2 or not hasattr(os, "fork"):
        return [work(s) for s in shares]
    sys.stdout.flush()
    sys.stderr.flush()
    pending: dict[int, int] = {}  # child pid -> read end of its pipe
    try:
        for share in shares[1:]:
            pid, pipe = _fork(work, share)
            pending[pid] = pipe
        forked = list(pending.items())
        results = [work(shares[0])]
        for (pid, pipe), share in zip(forked, shares[1:], strict=True):
            del pending[pid]
            results.append(_collect(pid, pipe, work, share))
        return results
    finally:
        for pid, pipe in pending.items():  # only when this process failed first: stop the rest
            os.close(pipe)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _fork(work: Callable[[Share], Result], share: Share) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns, never runs the parent's exit handlers
        os.close(read_end)
        status = 0
        try:
            payload = pickle.dumps(work(share), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001 - reported by the parent redoing the share
            payload, status = b"", 1
        try:
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, pipe: int, work: Callable[[Share], Result], share: Share) -> Result:
    with os.fdopen(pipe, "rb") as source:
        payload = source.read()
    _, status = os.waitpid(pid, 0)
    if status == 0 and payload:
        return pickle.loads(payload)
    return work(share)
