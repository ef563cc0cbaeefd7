"""Discovery's path helpers: the shown path must be exactly ``os.path.relpath``'s."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from torghut_lint import discover


@pytest.mark.parametrize(
    "given",
    [
        "a/b.yaml",
        ".",
        "a",
        "../x/y.yaml",
        "a/../b.yaml",
        "/",
        "/etc/hosts",
        "{cwd}/a/b.yaml",
        "{cwd}",
        "{cwd}/../c.yaml",
        "{parent}/other/d.yaml",
        "{cwd}x/e.yaml",
    ],
)
def test_display_path_is_relpath(given: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    discover.forget()
    path = Path(given.format(cwd=os.getcwd(), parent=os.path.dirname(os.getcwd())))
    assert discover.display_path(path) == os.path.relpath(path, os.getcwd())
    discover.forget()


def test_display_path_follows_a_changed_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a").mkdir()
    path = tmp_path / "a" / "f.yaml"
    monkeypatch.chdir(tmp_path)
    assert discover.display_path(path) == "a/f.yaml"
    monkeypatch.chdir(tmp_path / "a")
    assert discover.display_path(path) == "f.yaml"
    discover.forget()
