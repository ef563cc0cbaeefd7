"""deploy/Dockerfile: everything it fetches is pinned, it runs as uid 999, and its build context
holds what it copies and nothing else (no .git). Static checks: CI has no Docker engine."""

from __future__ import annotations

import fnmatch
import re

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import ROOT

DOCKERFILE = (ROOT / "deploy" / "Dockerfile").read_text()
LOCK = (ROOT / "deploy" / "requirements.lock").read_text()


def _args() -> dict[str, str]:
    return dict(re.findall(r"^ARG (\w+)=(\S+)$", DOCKERFILE, re.M))


def test_base_images_and_tools_are_pinned_by_digest_and_checksum() -> None:
    args = _args()
    froms = re.findall(r"^FROM (\S+)", DOCKERFILE, re.M)
    assert froms and all(image == "${PYTHON_IMAGE}" for image in froms)
    assert re.fullmatch(r"python:3\.11-slim-bookworm@sha256:[0-9a-f]{64}", args["PYTHON_IMAGE"])
    adds = re.findall(r"^ADD (.+)$", DOCKERFILE, re.M)
    assert len(adds) == 2 and all(re.match(r"--checksum=sha256:\$\{\w+_SHA256\} https://", a) for a in adds)
    for tool in ("KUBECTL", "HELM"):
        assert re.fullmatch(r"v\d+\.\d+\.\d+", args[f"{tool}_VERSION"])
        assert re.fullmatch(r"[0-9a-f]{64}", args[f"{tool}_SHA256"])
    assert "curl" not in DOCKERFILE and "latest" not in DOCKERFILE


def test_python_dependencies_come_from_the_hashed_lock() -> None:
    assert "--require-hashes -r /src/deploy/requirements.lock" in DOCKERFILE
    assert "--no-deps /src" in DOCKERFILE  # the package itself adds nothing unpinned
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\\n    --hash=sha256:[0-9a-f]{64}$", LOCK, re.M))
    pinned = {canonicalize_name(name): version for name, version in pins.items()}
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for spec in project["dependencies"]:
        req = Requirement(spec)
        assert canonicalize_name(req.name) in pinned, f"{req.name} is not in deploy/requirements.lock"
        assert req.specifier.contains(pinned[canonicalize_name(req.name)]), spec


def test_runs_as_999_without_needing_a_user_or_a_writable_home() -> None:
    assert re.search(r"^USER 999:999$", DOCKERFILE, re.M)
    assert "HOME=/tmp" in DOCKERFILE and "useradd" not in DOCKERFILE


def test_build_context_holds_what_is_copied_and_not_git() -> None:
    rules = [line for line in (ROOT / ".dockerignore").read_text().splitlines() if line and line[0] != "#"]

    def included(path: str) -> bool:
        keep = True
        for rule in rules:
            negate = rule.startswith("!")
            pattern = rule.lstrip("!").rstrip("/")
            if (
                fnmatch.fnmatch(path, pattern)
                or path.startswith(pattern + "/")
                or fnmatch.fnmatch(path, pattern + "/*")
            ):
                keep = negate
        return keep

    copied = [src for line in re.findall(r"^COPY (?!--from)(.+)$", DOCKERFILE, re.M) for src in line.split()[:-1]]
    assert copied and all(included(src) for src in copied), copied
    assert not included(".git/HEAD") and not included(".venv/bin/python") and not included("tests/conftest.py")
