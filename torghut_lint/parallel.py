"""Work items shared by forked processes through one queue: whichever process is free takes the
next item, so one large application does not leave the other core idle.

The queue is a pipe the calling process fills with item numbers once the children exist; every
process reads fixed-size tokens from it (the kernel hands each token to exactly one reader). Only results cross
processes: a child inherits everything already loaded (copy-on-write) and pickles back what its
``work`` returned, with the items it took. A child that fails for any reason is not trusted with
the error report: whatever no surviving process took is redone in the calling process, where
errors surface exactly as they would with one process."""

from __future__ import annotations

import os
import signal
import struct
import sys
from collections.abc import Callable, Iterator
from typing import TypeVar

Result = TypeVar("Result")

_TOKEN = struct.Struct("<I")
_MAX_TOKENS = 8192  # more items than this go in chunks of several per token


def jobs_wanted(work: int, minimum: int) -> int:
    """Processes to use: ``TORGHUT_LINT_JOBS`` when set (1 = one process), else the usable
    cores (at most two) once there is ``minimum`` work (bytes of YAML, files: the caller's
    measure), since forking costs too."""
    configured = os.environ.get("TORGHUT_LINT_JOBS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    if work < minimum:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(2, cores)


def run_queue(work: Callable[[Iterator[int]], Result], count: int, jobs: int) -> list[Result]:
    """``work`` run in ``jobs`` processes (this one included) over items ``0..count-1``, each
    process taking the next item from the queue whenever it is ready for one."""
    if jobs < 2 or count < 2 or not hasattr(os, "fork"):
        return [work(iter(range(count)))]
    chunk = -(-count // _MAX_TOKENS)
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pending: dict[int, int] = {}  # child pid -> read end of its result pipe
    try:
        for _ in range(min(jobs, count) - 1):
            pid, pipe = _fork(work, (read_end, write_end), chunk, count)
            pending[pid] = pipe
        # Filled once the children exist: they read while it fills, so no pipe buffer is too small.
        tokens = memoryview(b"".join(_TOKEN.pack(n) for n in range(-(-count // chunk))))
        while tokens:
            tokens = tokens[os.write(write_end, tokens) :]
        os.close(write_end)
        write_end = -1
        mine: list[int] = []
        results = [work(_take(read_end, chunk, count, mine))]
        taken = set(mine)
        for pid in list(pending):
            outcome = _collect(pid, pending.pop(pid))
            if outcome is not None:
                results.append(outcome[1])
                taken.update(outcome[0])
        missed = [n for n in range(count) if n not in taken]
        if missed:  # a child failed: its items are redone here
            results.append(work(iter(missed)))
        return results
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
        for pid, pipe in pending.items():  # only when this process failed first: stop the rest
            os.close(pipe)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _take(queue: int, chunk: int, count: int, taken: list[int]) -> Iterator[int]:
    """Items from the queue until it is empty, recorded in ``taken`` as they are handed out."""
    while token := os.read(queue, _TOKEN.size):
        (number,) = _TOKEN.unpack(token)
        for item in range(number * chunk, min(count, (number + 1) * chunk)):
            taken.append(item)
            yield item


def _fork(work: Callable[[Iterator[int]], Result], queue: tuple[int, int], chunk: int, count: int) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns, never runs the parent's exit handlers
        os.close(read_end)
        os.close(queue[1])  # only the parent fills the queue: its end of file must reach us
        status = 0
        try:
            taken: list[int] = []
            result = work(_take(queue[0], chunk, count, taken))
            import pickle  # here: a run on one process never needs it

            payload = pickle.dumps((taken, result), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001 - reported by the parent redoing the items
            payload, status = b"", 1
        try:
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
        except OSError:
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, pipe: int) -> tuple[list[int], Result] | None:
    """(items taken, result) of a child, or None when it failed."""
    import pickle

    with os.fdopen(pipe, "rb") as source:
        payload = source.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not payload:
        return None
    try:
        return pickle.loads(payload)
    except (pickle.UnpicklingError, EOFError, ValueError):  # cut short: redone, never half-trusted
        return None
