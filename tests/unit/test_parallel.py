"""The work queue shared by forked processes (torghut_lint/parallel.py): every item done exactly
once whoever takes it, a failed child's items redone here, how many processes a size is worth."""

from __future__ import annotations

import os
import time

import pytest

from torghut_lint.parallel import jobs_wanted, run_queue


def test_items_a_failed_child_took_are_redone_in_the_calling_process() -> None:
    parent = os.getpid()

    def work(items) -> list[int]:  # noqa: ANN001 - an iterator of item numbers
        done = []
        for n in items:
            if os.getpid() == parent:
                time.sleep(0.02)  # leave the child time to take items
            elif done:
                os._exit(9)  # the child dies holding its second item, without a result
            done.append(n)
        return done

    results = run_queue(work, 8, 2)
    assert len(results) == 2  # the parent's own share, then the items the child took, redone
    assert sorted(n for result in results for n in result) == list(range(8))  # each item exactly once


def test_queue_hands_each_item_to_exactly_one_process() -> None:
    """More items than tokens (chunked), more than two processes: nothing lost, nothing twice."""

    import select

    parent = os.getpid()
    started, signal = os.pipe()  # a child says it runs; the parent waits for that before its first item

    def work(items) -> list[tuple[int, int]]:  # noqa: ANN001 - an iterator of item numbers
        done = []
        for n in items:
            if not done:
                if os.getpid() != parent:
                    os.write(signal, b"x")
                else:  # on a loaded machine (under coverage) it took every item before a child ran
                    select.select([started], [], [], 30)
            done.append((n, os.getpid()))
        return done

    try:
        results = run_queue(work, 20_000, 3)
    finally:
        os.close(started)
        os.close(signal)
    done = sorted(n for result in results for n, _ in result)
    assert done == list(range(20_000))
    assert len({pid for result in results for _, pid in result}) >= 2  # the work was shared


def test_jobs_setting(monkeypatch) -> None:  # noqa: ANN001 - pytest's fixture
    monkeypatch.setenv("TORGHUT_LINT_JOBS", "1")
    assert jobs_wanted(10**9, 1) == 1
    monkeypatch.setenv("TORGHUT_LINT_JOBS", "3")
    assert jobs_wanted(0, 1) == 3  # set explicitly: used whatever the size
    monkeypatch.delenv("TORGHUT_LINT_JOBS")
    assert jobs_wanted(10, 1024) == 1  # small trees are not worth a fork
    assert 1 <= jobs_wanted(2048, 1024) <= 2


def test_one_process_or_one_item_runs_here_without_forking() -> None:
    parent = os.getpid()
    for count, jobs in ((5, 1), (1, 2), (0, 2)):
        results = run_queue(lambda items: [(n, os.getpid()) for n in items], count, jobs)
        assert results == [[(n, parent) for n in range(count)]]


def test_an_exception_in_the_calling_process_stops_the_children() -> None:
    """The parent fails first: its children are killed and reaped, and the error surfaces as with
    one process (no orphaned workers left running)."""
    parent = os.getpid()

    def work(items) -> list[int]:  # noqa: ANN001 - an iterator of item numbers
        taken = list(items)
        if os.getpid() == parent:
            raise ValueError("the parent's share failed")
        return taken

    with pytest.raises(ValueError, match="the parent's share failed"):
        run_queue(work, 50, 2)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left to reap
