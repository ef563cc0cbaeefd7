"""Git inputs of the gate. ``--trusted-config REF``: take everything that decides the verdict
(config, policies, baseline, schema files) from a trusted ref (the pull request's base branch)
and report every change the pull request makes to them; :func:`snapshot`: the tree at a revision,
for ``--new-since`` and for comparing waivers; :func:`changed_files` for ``--changed-since``."""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from torghut_lint.builtin_rules import builtin_finding
from torghut_lint.config import CONFIG_NAME
from torghut_lint.discover import SKIPPED_DIRS, display_path, is_within
from torghut_lint.model import Finding, Location
from torghut_lint.policy import PolicyError, load_yaml_file

if TYPE_CHECKING:
    from torghut_lint.admission import ParamsRead
    from torghut_lint.schemas.store import SchemaStore


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
    schema_locations: list[Path] = field(default_factory=list)  # --schema-location, as at the ref
    crds: list[Path] = field(default_factory=list)  # --crd, as at the ref
    admission: list[Path] = field(default_factory=list)  # --admission-policies, as at the ref


def _git(repo: Path, *args: str) -> str:
    return _git_bytes(repo, *args).decode("utf-8", errors="replace")


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


def in_repository(path: Path) -> str | None:
    """``path``, resolved, relative to the root of the git work tree the command runs in (None
    outside): where a linted path's content is at another revision."""
    repo = Path(_git(Path.cwd(), "rev-parse", "--show-toplevel").strip())
    resolved = Path(os.path.realpath(path))
    try:
        return resolved.relative_to(Path(os.path.realpath(repo))).as_posix()
    except ValueError:
        return None


def _in_repo(repo: Path, path: str) -> str | None:
    """``path`` (a gate input the command line names) relative to the repository, or None when it
    is outside.

    Spelled as given, not resolved: the path is what the ref is asked for, and a change that makes
    it a symbolic link (to another directory of the repository, one it leaves alone) changes that
    path, a gate change. Only the part before the repository is resolved (a checkout reached
    through a link), for a path given from outside it."""
    root = Path(os.path.realpath(repo))
    given = Path(os.path.abspath(path))  # the working directory is resolved: so is a relative path
    for anchor in (given, Path(os.path.realpath(given.parent)) / given.name):
        try:
            return anchor.relative_to(root).as_posix()
        except ValueError:
            continue
    return None


_MAX_LINKS = 40  # symbolic links followed resolving one path (Linux's own limit)
_LINK_MODE = "120000"


def _resolve_at_ref(repo: Path, ref: str, rel: str, links: list[str]) -> str | Path:
    """``rel`` as the tree at ``ref`` resolves it: its symbolic links followed as they are there
    (each one's path added to ``links``: a change to it is a gate change); a path of the repository,
    or the path outside it (a str or a Path) that the ref's links lead to."""
    root = Path(os.path.realpath(repo))
    done: list[str] = []
    parts = rel.split("/")
    followed = 0
    while parts:
        part = parts.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if not done:  # above the repository's root
                return Path(os.path.normpath(root.joinpath("..", *parts)))
            done.pop()
            continue
        prefix = "/".join([*done, part])
        entry = _git(repo, "ls-tree", "-z", ref, "--", prefix).split("\0")[0]
        if not entry.startswith(_LINK_MODE + " "):
            done.append(part)
            continue
        followed += 1
        if followed > _MAX_LINKS:
            raise TrustError(f"{rel}: more than {_MAX_LINKS} symbolic links at {ref}")
        links.append(prefix)
        target = _git(repo, "cat-file", "blob", entry.split()[2])
        if target.startswith("/"):
            outside = Path(os.path.normpath(Path(target).joinpath(*parts)))
            try:
                return _resolve_at_ref(repo, ref, outside.relative_to(root).as_posix(), links)
            except ValueError:
                return outside
        parts = [*target.split("/"), *parts]
    return "/".join(done) or "."


def _materialize(repo: Path, ref: str, rel: str, target: Path) -> bool:
    """Copy the file or directory ``rel`` as it is at ``ref`` to ``target``; False when the ref
    does not have it."""
    if not _exists(repo, ref, rel):
        return False
    kind = _git(repo, "cat-file", "-t", f"{ref}:{rel}").strip()
    if kind == "blob":
        sources, targets = [rel], [target]
    else:
        listing = [
            name for name in _git(repo, "ls-tree", "-r", "-z", "--name-only", f"{ref}:{rel}").split("\0") if name
        ]
        sources, targets = [f"{rel}/{name}" for name in listing], [target / name for name in listing]
        target.mkdir(parents=True, exist_ok=True)
    blobs = _cat_blobs(repo, [f"{ref}:{source}".encode() for source in sources])
    for path, data in zip(targets, blobs, strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return True


def _copy_at_ref(repo: Path, ref: str, named: str, target: Path, gate_paths: list[str]) -> Path | None:
    """``named`` (a path of the repository) as the tree at ``ref`` has it, copied to ``target``
    (its symbolic links followed as they are there, ``named`` and each link added to
    ``gate_paths``); the path outside the repository they lead to, as it is; None when the ref has
    nothing there."""
    gate_paths.append(named)
    rel = _resolve_at_ref(repo, ref, named, gate_paths)
    if isinstance(rel, Path):
        return rel
    return target if _materialize(repo, ref, rel, target) else None


def _config_at_ref(repo: Path, ref: str, config_name: str, base: Path, gate_paths: list[str]) -> Path | None:
    """The config the command finds, as the tree at ``ref`` has it: the nearest ``config_name``
    from the working directory up to the repository's root (as ``config.find_config`` looks in
    the tree), copied to its place in ``base`` (or where the ref's links lead, outside the
    repository). Every place looked at is a gate path: the change adding a config nearer the
    working directory than the ref's, or editing the ref's, changes which rules decide."""
    here = _in_repo(repo, ".")
    directory = Path(here) if here is not None else Path(".")
    for place in (directory, *directory.parents):
        rel = (place / config_name).as_posix()
        found = _copy_at_ref(repo, ref, rel, base / rel, gate_paths)
        if found is not None and (found.is_file() or not is_within(found, base)):
            return found
    return None


def load_trusted(
    ref: str,
    config_name: str = CONFIG_NAME,
    policy_dirs: list[str] = (),
    baseline: str | None = None,
    schema_locations: list[str] = (),
    crds: list[str] = (),
    admission: list[str] = (),
) -> TrustedConfig:
    """Everything that decides the verdict as it is at ``ref`` (the config, the policy
    directories, schema locations, CRD files and admission policies it names and those given on
    the command line, the baseline), plus findings for what the change did to any of them. What the
    command line names outside the repository is not the change's to edit: read as it is."""
    repo = repository(ref)
    workdir = tempfile.TemporaryDirectory(prefix="torghut-lint-trusted-")
    base = Path(workdir.name)
    gate_paths: list[str] = []
    config = _config_at_ref(repo, ref, config_name, base, gate_paths)
    if config is not None and is_within(config, base):
        try:
            raw = load_yaml_file(config) or {}
        except PolicyError as exc:
            raise TrustError(f"{ref}:{config.relative_to(base).as_posix()}: {exc}") from exc
        raw = raw if isinstance(raw, dict) else {}
        schemas = raw.get("schemas") if isinstance(raw.get("schemas"), dict) else {}
        named = [*(raw.get("policies") or []), *(raw.get("admissionPolicies") or [])]
        named += [*(schemas.get("locations") or []), *(schemas.get("crds") or [])]
        beside = config.parent.relative_to(base)  # the copy reads them as from the config's directory
        for written in named:
            shown = f"{ref}:{(beside / config_name).as_posix()}: {written}"
            if Path(written).is_absolute():
                if _in_repo(repo, written) is None:
                    continue  # outside the repository: not the change's to edit, read as written
                # the copy of the config would read it from the change's tree
                raise TrustError(f"{shown}: give a path of the repository relative to the config")
            rel = os.path.normpath(beside / written)
            if rel == ".." or rel.startswith("../"):  # it would be read beside the copy of the config
                raise TrustError(f"{shown}: outside the repository (give an absolute path)")
            target = base / rel
            found = _copy_at_ref(repo, ref, Path(rel).as_posix(), target, gate_paths)
            if found is None:
                target.mkdir(parents=True, exist_ok=True)  # absent at the ref: empty
            elif found != target:  # the ref's links lead out of the repository
                target.parent.mkdir(parents=True, exist_ok=True)
                target.symlink_to(found)

    def at_ref(given: list[str], folder: str, required: bool = True) -> list[Path]:
        """The command line's paths as they are at the ref, each in ``folder`` of the work
        directory; those outside the repository as given. One the ref lacks is left out (the
        change adds it: a gate change); ``required``: one neither the ref nor the tree has is a
        mistake of the command line (a typo must not leave a rule of the gate out unseen)."""
        found = []
        for path in given:
            rel = _in_repo(repo, path)
            copy = Path(path) if rel is None else _copy_at_ref(repo, ref, rel, base / folder / rel, gate_paths)
            if copy is not None:
                found.append(copy)
            elif required and not os.path.lexists(path):
                raise TrustError(f"{path}: no such file or directory, at {ref} or in the tree")
        return found

    trusted_baseline = at_ref([baseline] if baseline is not None else [], "baseline", required=False)
    trusted = TrustedConfig(
        config,
        workdir,
        policy_dirs=at_ref(policy_dirs, "policies-given"),
        baseline=trusted_baseline[0] if trusted_baseline else None,
        schema_locations=at_ref(schema_locations, "schema-locations"),
        crds=at_ref(crds, "crds"),
        admission=at_ref(admission, "admission"),
    )
    trusted.findings = gate_changes(repo, ref, gate_paths)
    return trusted


def changed_files(ref: str) -> set[Path]:
    """Files changed since ``ref`` (committed, staged, unstaged, untracked and deleted), resolved.
    Names are read NUL-separated: git quotes non-ASCII names in its line output.

    git names a submodule that moved (or holds edits) by its directory, never the files that
    changed in it, and not at all when the change's own .gitmodules says ``ignore = all``: every
    submodule is compared (``--ignore-submodules=none``), and every file of a directory it names
    (a submodule, or a repository nested untracked) counts as changed."""
    repo = repository(ref)
    names = _git(
        repo, "diff", "--name-only", "-z", "--no-renames", "--ignore-submodules=none", _diff_base(repo, ref)
    ).split("\0")
    names += _git(repo, "ls-files", "-z", "--others", "--exclude-standard").split("\0")
    changed = set()
    for name in filter(None, names):
        path = repo / name
        if path.is_dir() and not path.is_symlink():
            for directory, subdirectories, files in os.walk(path):
                subdirectories[:] = [d for d in subdirectories if d not in SKIPPED_DIRS]
                changed.update(Path(os.path.realpath(os.path.join(directory, f))) for f in files if f != ".git")
        changed.add(Path(os.path.realpath(path)))
    return changed


def repository(ref: str) -> Path:
    """The work tree's repository root, once ``ref`` is known to name a commit there."""
    repo = Path(_git(Path.cwd(), "rev-parse", "--show-toplevel").strip())
    try:
        _git(repo, "rev-parse", "--verify", f"{ref}^{{commit}}")
    except TrustError as exc:
        shallow = _git(repo, "rev-parse", "--is-shallow-repository").strip() == "true"
        hint = " (a shallow clone: fetch the base branch, e.g. actions/checkout with fetch-depth: 0)" if shallow else ""
        raise TrustError(f"{exc}{hint}") from exc
    return repo


@dataclass
class Snapshot:
    """The repository as it is at a revision, written from git's objects into a temporary
    directory (never checked out over the user's files), removed by :meth:`cleanup`."""

    ref: str
    root: Path
    workdir: tempfile.TemporaryDirectory

    def cleanup(self) -> None:
        self.workdir.cleanup()


GITLINKS = "torghut-lint-gitlinks"  # in a snapshot's .git: its submodules' commits


def snapshot(ref: str, merge_base: bool = True) -> Snapshot:
    """The tree at ``ref`` (where the current branch left it, with ``merge_base``: later changes
    on ``ref`` are not the change's). Files are written as git stores them; submodules are not
    followed (their content is not in this repository's objects): each is an empty directory, its
    commit recorded (:data:`GITLINKS`)."""
    repo = repository(ref)
    revision = _diff_base(repo, ref) if merge_base else ref
    workdir = tempfile.TemporaryDirectory(prefix="torghut-lint-base-")
    root = Path(os.path.realpath(workdir.name)) / "tree"
    root.mkdir()
    # the repository at ``ref``, marked as one's root (an empty .git, which discovery never walks):
    # what asks whether a path is in the repository (a source's path an ApplicationSet patches, a
    # kustomize reference) answers in the snapshot as it does in the work tree
    (root / ".git").mkdir()
    listing = _git_bytes(repo, "ls-tree", "-r", "-z", "--full-tree", revision)
    entries = []
    gitlinks: list[str] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, sha = meta.split()
        if kind == b"blob":
            entries.append((mode, sha, os.fsdecode(name)))
        elif kind == b"commit":  # a submodule: an empty directory, as a checkout without it has
            (root / os.fsdecode(name)).mkdir(parents=True, exist_ok=True)
            gitlinks.append(f"160000 {sha.decode()} 0\t{os.fsdecode(name)}")
    # the commits the submodules are pinned at, as `git ls-files --stage` lists them in a work tree
    # (discover.unseen_submodules reads them here: the snapshot is no repository git can ask)
    (root / ".git" / GITLINKS).write_text("".join(line + "\n" for line in gitlinks))
    blobs = _cat_blobs(repo, [sha for _, sha, _ in entries])
    for (mode, _sha, name), data in zip(entries, blobs, strict=True):
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == b"120000":
            os.symlink(os.fsdecode(data), target)
        else:
            target.write_bytes(data)
    return Snapshot(ref, root, workdir)


def _git_bytes(repo: Path, *args: str, data: bytes | None = None) -> bytes:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=repo, capture_output=True, timeout=300, input=data if data is not None else b""
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TrustError(f"git {args[0]}: {type(exc).__name__}") from exc
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise TrustError(f"git {' '.join(args[:2])}: {message[-1] if message else 'failed'}")
    return proc.stdout


def _cat_blobs(repo: Path, shas: list[bytes]) -> list[bytes]:
    """The blobs' contents, in order, from one ``git cat-file --batch``."""
    if not shas:
        return []
    out = _git_bytes(repo, "cat-file", "--batch", data=b"\n".join(shas) + b"\n")
    blobs, at = [], 0
    for _ in shas:
        header_end = out.index(b"\n", at)
        size = int(out[at:header_end].split()[2])
        blobs.append(out[header_end + 1 : header_end + 1 + size])
        at = header_end + 1 + size + 1
    return blobs


def gate_changes(repo: Path, ref: str, gate_paths: list[str]) -> list[Finding]:
    """A finding for each config, policy, baseline or schema file changed since ``ref``. (Waivers
    the change adds are found by comparing the parsed waivers of both trees, not here.)"""
    base = _diff_base(repo, ref)
    changed = _git(
        repo, "diff", "--name-only", "-z", "--no-renames", "--ignore-submodules=none", base, "--", *gate_paths
    ).split("\0")
    return [
        builtin_finding(
            "gate-config-changed",
            "this change edits the linter's own config or policies; it is not applied here "
            f"(the trusted copy from {ref} is) and needs review",
            Location(display_path(repo / rel)),
        )
        for rel in changed
        if rel
    ]


def changed_schemas(
    before: dict[tuple[str, str], tuple[str, Location]],
    after: dict[tuple[str, str], tuple[str, Location]],
    store: SchemaStore,
    ref: str,
) -> list[Finding]:
    """``gate-config-changed`` for each CRD of the changed tree whose schema validates a kind
    otherwise than at ``ref``: a CRD the change edits (``before`` and ``after``: (apiVersion, kind)
    -> (digest of the schema, where its CRD is)), or adds for a kind the schema locations or the
    bundled catalog gave a schema (a CRD of the tree takes precedence over them). Like the config,
    a schema decides the verdict: a permissive one (``x-kubernetes-preserve-unknown-fields``)
    would make a misplaced field of every such resource pass. A kind new to the tree is not one."""
    findings = []
    for (api_version, kind), (digest, where) in sorted(after.items()):
        was = before.get((api_version, kind))
        if was is not None and was[0] == digest:
            continue
        if was is None and not store.known_beside_tree(api_version, kind):
            continue
        what = "edits the CRD schema" if was is not None else "adds a CRD whose schema replaces the one"
        message = (
            f"this change {what} that validates {kind} ({api_version}); the schema decides the verdict on "
            f"every such resource and needs review against {ref}'s"
        )
        findings.append(builtin_finding("gate-config-changed", message, where))
    return findings


AdmissionSide = tuple[dict[str, tuple[str, Location]], "list[ParamsRead]", Path]  # enforced, params, root


def changed_admission(before: AdmissionSide, after: AdmissionSide, ref: str) -> list[Finding]:
    """``gate-config-changed`` for each ValidatingAdmissionPolicy of the tree (a rule of the gate,
    ``vap/<name>``, read from the changed tree) that the change edits, with its bindings, or
    removes, and for each object its bindings may read as params that the change edits, adds or
    removes (``before``, ``after``: :func:`admission.enforced`, :func:`admission.params_read`, the
    tree's root). Like the config, they decide the verdict: a validation made ``true``, a binding
    told to ``Audit``, a limit raised in the change that raises what it limits. A policy the change
    adds only adds denials."""
    (was, was_params, was_root), (now, now_params, now_root) = before, after
    findings = []

    def finding(what: str, where: Location) -> None:
        message = f"this change {what}; admission decides the verdict with it, and it needs review against {ref}'s"
        findings.append(builtin_finding("gate-config-changed", message, where))

    for rule, (digest, where) in sorted(now.items()):
        if rule in was and was[rule][0] != digest:
            finding(f"edits ValidatingAdmissionPolicy {rule[4:]} or its bindings", where)
    for rule, (_, where) in sorted(was.items()):
        if rule not in now:
            finding(
                f"removes ValidatingAdmissionPolicy {rule[4:]} (or every binding of it)",
                _moved(where, was_root, now_root),
            )
    held = {(rule, rid): digest for rule, rid, digest, _ in was_params}
    reads = {(rule, rid) for rule, rid, _, _ in now_params}
    for rule, rid, digest, where in sorted(set(now_params), key=lambda p: (p[0], str(p[3]))):
        if rule in now and held.get((rule, rid)) != digest:
            how = "edits" if (rule, rid) in held else "adds"
            finding(f"{how} {rid.kind} {rid.name}, which ValidatingAdmissionPolicy {rule[4:]} reads as params", where)
    for rule, rid in sorted(set(held) - reads, key=lambda p: (p[0], str(p[1]))):
        if rule in now:
            finding(
                f"removes {rid.kind} {rid.name}, which ValidatingAdmissionPolicy {rule[4:]} read as params",
                now[rule][1],
            )
    return findings


def _moved(where: Location, was_root: Path, now_root: Path) -> Location:
    """``where`` in the base's checkout, as the same place in the changed tree."""
    relative = os.path.relpath(os.path.realpath(where.file), os.path.realpath(was_root))
    return Location(display_path(now_root / relative), where.line, where.column)
