"""``--trusted-config REF``: take the config and config policies from a trusted git ref (the
pull request's base branch), and report every change the pull request makes to the gate itself:
the config file, policy files, and waiver annotations it adds."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from torghut_lint.builtin_rules import builtin_finding
from torghut_lint.config import CONFIG_NAME
from torghut_lint.discover import display_path
from torghut_lint.model import Finding, Location
from torghut_lint.policy import PolicyError, load_yaml_file
from torghut_lint.waivers import ANNOTATION_PREFIX


class TrustError(Exception):
    """The trusted ref cannot be read (not a git repository, unknown ref)."""


@dataclass
class TrustedConfig:
    """The config file (and the policy directories it names) materialised from the trusted ref,
    in a temporary directory that lives as long as this object."""

    config: Path | None
    workdir: tempfile.TemporaryDirectory
    findings: list[Finding] = field(default_factory=list)
    policy_dirs: list[Path] = field(default_factory=list)  # --policies, as they are at the ref
    baseline: Path | None = None  # --baseline, as it is at the ref (None: not there)


def _git(repo: Path, *args: str) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TrustError(f"git {args[0]}: {type(exc).__name__}") from exc
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise TrustError(f"git {' '.join(args[:2])}: {message[-1] if message else 'failed'}")
    return proc.stdout.decode("utf-8", errors="replace")


def _diff_base(repo: Path, ref: str) -> str:
    """Where the current branch left ``ref`` (so later changes on ``ref`` are not ours)."""
    try:
        return _git(repo, "merge-base", ref, "HEAD").strip() or ref
    except TrustError:
        return ref


def _exists(repo: Path, ref: str, path: str) -> bool:
    try:
        _git(repo, "cat-file", "-e", f"{ref}:{path}")
    except TrustError:
        return False
    return True


def _in_repo(repo: Path, path: str) -> str | None:
    """``path`` (from the command line) relative to the repository, or None when it is outside."""
    resolved = Path(os.path.realpath(path))
    try:
        return resolved.relative_to(Path(os.path.realpath(repo))).as_posix()
    except ValueError:
        return None


def _materialize(repo: Path, ref: str, rel: str, base: Path) -> bool:
    """Copy the file or directory ``rel`` as it is at ``ref`` to ``base/rel``; False when the ref
    does not have it."""
    if not _exists(repo, ref, rel):
        return False
    kind = _git(repo, "cat-file", "-t", f"{ref}:{rel}").strip()
    names = [""] if kind == "blob" else _git(repo, "ls-tree", "-r", "--name-only", f"{ref}:{rel}").splitlines()
    for name in names:
        source = f"{rel}/{name}" if name else rel
        target = base / source
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_git(repo, "show", f"{ref}:{source}"), encoding="utf-8")
    return True


def load_trusted(
    ref: str, config_name: str = CONFIG_NAME, policy_dirs: list[str] = (), baseline: str | None = None
) -> TrustedConfig:
    """Everything that decides the verdict as it is at ``ref`` (the config, the policy
    directories it names and those given with --policies, the schema locations and CRD files it
    names, the baseline), plus findings for what the change did to any of them."""
    repo = Path(_git(Path.cwd(), "rev-parse", "--show-toplevel").strip())
    try:
        _git(repo, "rev-parse", "--verify", f"{ref}^{{commit}}")
    except TrustError as exc:
        shallow = _git(repo, "rev-parse", "--is-shallow-repository").strip() == "true"
        hint = " (a shallow clone: fetch the base branch, e.g. actions/checkout with fetch-depth: 0)" if shallow else ""
        raise TrustError(f"{exc}{hint}") from exc
    workdir = tempfile.TemporaryDirectory(prefix="torghut-lint-trusted-")
    base = Path(workdir.name)
    config: Path | None = None
    gate_paths = [config_name]
    if _exists(repo, ref, config_name):
        config = base / config_name
        config.write_text(_git(repo, "show", f"{ref}:{config_name}"), encoding="utf-8")
        try:
            raw = load_yaml_file(config) or {}
        except PolicyError as exc:
            raise TrustError(f"{ref}:{config_name}: {exc}") from exc
        raw = raw if isinstance(raw, dict) else {}
        schemas = raw.get("schemas") if isinstance(raw.get("schemas"), dict) else {}
        named = [*(raw.get("policies") or []), *(schemas.get("locations") or []), *(schemas.get("crds") or [])]
        for rel in named:
            gate_paths.append(rel)
            if not _materialize(repo, ref, rel, base):
                (base / rel).mkdir(parents=True, exist_ok=True)  # absent at the ref: empty
    trusted_dirs: list[Path] = []
    for directory in policy_dirs:
        rel = _in_repo(repo, directory)
        if rel is None:  # outside the repository: not the change's to edit
            trusted_dirs.append(Path(directory))
            continue
        gate_paths.append(rel)
        target = base / "policies-given" / rel
        target.mkdir(parents=True, exist_ok=True)
        _materialize(repo, ref, rel, base / "policies-given")
        trusted_dirs.append(target)
    trusted_baseline = None
    if baseline is not None:
        rel = _in_repo(repo, baseline)
        if rel is None:
            trusted_baseline = Path(baseline)
        else:
            gate_paths.append(rel)
            if _materialize(repo, ref, rel, base / "baseline"):
                trusted_baseline = base / "baseline" / rel
    findings = gate_changes(repo, ref, gate_paths)
    return TrustedConfig(config, workdir, findings, trusted_dirs, trusted_baseline)


def changed_files(ref: str) -> set[Path]:
    """Files changed since ``ref`` (committed, staged, unstaged and untracked), resolved."""
    repo = Path(_git(Path.cwd(), "rev-parse", "--show-toplevel").strip())
    _git(repo, "rev-parse", "--verify", f"{ref}^{{commit}}")
    names = _git(repo, "diff", "--name-only", _diff_base(repo, ref)).splitlines()
    names += _git(repo, "ls-files", "--others", "--exclude-standard").splitlines()
    return {(repo / name).resolve() for name in names if name}


_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def gate_changes(repo: Path, ref: str, gate_paths: list[str]) -> list[Finding]:
    """Findings for config/policy files changed since ``ref`` and waiver annotations added."""
    findings: list[Finding] = []
    base = _diff_base(repo, ref)
    changed = _git(repo, "diff", "--name-only", base, "--", *gate_paths).splitlines()
    for rel in changed:
        findings.append(
            builtin_finding(
                "gate-config-changed",
                "this change edits the linter's own config or policies; it is not applied here "
                f"(the trusted copy from {ref} is) and needs review",
                Location(display_path(repo / rel)),
            )
        )
    diff = _git(repo, "diff", "-U0", "--no-color", base, "--", "*.yaml", "*.yml")
    current, line = "", 0
    for text in diff.splitlines():
        if text.startswith("+++ "):
            current = text[6:] if text.startswith("+++ b/") else ""
        elif match := _HUNK.match(text):
            line = int(match.group(1))
        elif text.startswith("+") and current:
            if ANNOTATION_PREFIX in text:
                rule = text.split(ANNOTATION_PREFIX, 1)[1].split(":", 1)[0].strip().strip("\"'")
                findings.append(
                    builtin_finding(
                        "gate-waiver-added",
                        f"this change adds a waiver of {rule}; a waiver written by the change it waives needs review",
                        Location(display_path(repo / current), line, 1),
                    )
                )
            line += 1
    return findings
