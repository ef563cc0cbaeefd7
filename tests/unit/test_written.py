"""Files the linter writes appear whole or not at all (:mod:`torghut_lint.written`)."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from torghut_lint import written


class Cut(Exception):
    """A run that ends half-way through a file (a crash, a full disk)."""


def _half_then_fail(out) -> None:
    out.write('{\n  "findings": [\n')
    out.flush()
    raise Cut


def test_a_file_appears_whole_and_nothing_is_left_beside_it(tmp_path: Path) -> None:
    target = tmp_path / "out.sarif"
    written.replace(target, lambda out: out.write("é whole\n"))
    assert target.read_bytes() == "é whole\n".encode() and os.listdir(tmp_path) == ["out.sarif"]


@pytest.mark.parametrize("keep_old", [True, False])
def test_a_write_cut_short_leaves_no_part(tmp_path: Path, keep_old: bool) -> None:
    """A baseline keeps the old file; a report leaves none (an earlier run's would be read as this one's)."""
    target = tmp_path / "report.json"
    target.write_text("the earlier run's\n")
    with pytest.raises(Cut):
        written.replace(target, _half_then_fail, keep_old=keep_old)
    assert os.listdir(tmp_path) == (["report.json"] if keep_old else [])
    if keep_old:
        assert target.read_text() == "the earlier run's\n"
    with pytest.raises(Cut):  # no file before: none after
        written.replace(tmp_path / "new.json", _half_then_fail, keep_old=keep_old)
    assert not (tmp_path / "new.json").exists()


def test_permissions_are_the_old_file_s_or_those_open_gives(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_text("x")
    old.chmod(0o640)
    written.replace(old, lambda out: out.write("y"))
    assert stat.S_IMODE(old.stat().st_mode) == 0o640
    mask = os.umask(0o027)
    try:
        written.replace(tmp_path / "new.json", lambda out: out.write("y"))
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640  # 0666 less the umask, not 0600


def test_a_symlink_stays_one(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("old")
    (tmp_path / "link.txt").symlink_to("real.txt")
    written.replace(tmp_path / "link.txt", lambda out: out.write("new"))
    assert (tmp_path / "link.txt").is_symlink() and (tmp_path / "real.txt").read_text() == "new"


def test_what_is_no_regular_file_is_written_in_place(tmp_path: Path) -> None:
    """A FIFO (as ``/dev/stdout`` or a process substitution is) is written to, never replaced."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    written.replace(fifo, lambda out: out.write("through the pipe\n"))
    reader.join(10)
    assert got == [b"through the pipe\n"] and stat.S_ISFIFO(fifo.stat().st_mode)


def test_bytes_are_written_as_given(tmp_path: Path) -> None:
    target = tmp_path / "m.yaml"
    written.replace(target, lambda out: out.write(b"a: 1\r\nb: 2\n"), text=False)
    assert target.read_bytes() == b"a: 1\r\nb: 2\n"
