"""Files the linter writes (reports, baselines, fixed manifests) appear whole or not at all.

A report is written as it is made, and a run can end half-way through one: a crash (exit 3), a
full disk, a CI job cancelled. Written in place, the file is then cut short, and whatever reads it
next (CI uploading the SARIF file, the next run reading a baseline, Argo CD reading a fixed
manifest) reads a part. So the new text goes to a temporary file beside the target and is renamed
over it once complete: a reader sees the old file or the new one, never a part.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from typing import IO


def replace(
    target: str | os.PathLike[str], write: Callable[[IO], None], text: bool = True, keep_old: bool = True
) -> None:
    """``write(out)`` the whole new content of ``target`` (a text stream in UTF-8, or a binary one
    when not ``text``), then put it in place at once.

    - An existing file keeps its permission bits; a new one gets those ``open()`` gives (0666 less
      the umask), not a temporary file's 0600.
    - A symlink stays one: the file it points at is replaced.
    - What is no regular file (``/dev/stdout``, ``/dev/null``, a FIFO) is written in place, as is a
      file in a directory the linter cannot create files in (nothing else can be done there).
    - When ``write`` fails, the temporary file goes, and the old file stays (``keep_old``: a
      baseline, a manifest) or goes too (a report: a stale one from an earlier run would be read
      as this run's)."""
    path = os.path.realpath(target)
    try:
        mode: int | None = stat.S_IMODE(os.stat(path).st_mode) if _regular(path) else None
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    if mode is None:
        _in_place(path, write, text)
        return
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=os.path.dirname(path)
        )
    except PermissionError:
        _in_place(path, write, text)
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") if text else os.fdopen(handle, "wb") as out:
            write(out)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        if not keep_old:
            with contextlib.suppress(FileNotFoundError):
                if _regular(path):
                    os.unlink(path)
        raise


def _regular(path: str) -> bool:
    """Whether ``path`` is a regular file (raises FileNotFoundError when there is nothing)."""
    return stat.S_ISREG(os.stat(path).st_mode)


def _in_place(path: str, write: Callable[[IO], None], text: bool) -> None:
    with open(path, "w", encoding="utf-8") if text else open(path, "wb") as out:
        write(out)


def _umask() -> int:
    mask = os.umask(0o022)  # (read by setting it: there is no other way)
    os.umask(mask)
    return mask
