"""Finding identities name files relative to the repository root: as text where pathlib's answer
is plain, and that answer must be pathlib's, whatever the spelling."""

from __future__ import annotations

from pathlib import Path

import pytest

from torghut_lint.baseline import _below

_CASES = [
    ("/repo/a/b.yaml", "/repo"),
    ("/repo", "/repo"),
    ("/repo/a", "/"),
    ("/", "/"),
    ("/repository/a.yaml", "/repo"),  # a common prefix is not a parent
    ("/rep", "/repo"),
    ("/other/a.yaml", "/repo"),
    ("/repo/a b/ü.yaml", "/repo"),
    ("/repo/..x/a.yaml", "/repo"),
    ("//repo/a.yaml", "/repo"),  # a leading // is a root of its own to pathlib
    ("/repo/a.yaml", "//repo"),
    ("//repo/a.yaml", "//repo"),
    ("//repo/a.yaml", "/"),
]


def _pathlib(absolute: str, root: str) -> str | None:
    try:
        return Path(absolute).relative_to(root).as_posix()
    except ValueError:
        return None


@pytest.mark.parametrize(("absolute", "root"), _CASES)
def test_below_is_pathlib_relative_to(absolute: str, root: str) -> None:
    assert _below(absolute, root) == _pathlib(absolute, root)
