"""Find the YAML files under the linted roots without leaving them or looping."""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from torghut_lint import regex
from torghut_lint.builtin_rules import builtin_finding
from torghut_lint.model import Finding, Location, Severity, digest_of

YAML_SUFFIXES = (".yaml", ".yml", ".json")  # Argo CD applies .json manifests of directory apps too
JSONNET_SUFFIX = ".jsonnet"  # a directory app's Jsonnet, which Argo CD evaluates and applies
# Only git's own store: git cannot commit a path through a ``.git`` directory, so nothing under
# one is in the repository. ``node_modules/``, ``__pycache__/``, ``.hg/`` and ``.svn/`` are
# committed like any directory and applied by a recursive directory source: walked.
SKIPPED_DIRS = frozenset({".git"})
# Files that are not manifests and hold a credential when they hold one: environment, properties
# and INI-style configuration, shell scripts, private keys and the dotfiles tools keep tokens in.
# The secrets rule reads each that no kustomization reads (a generator's input is read in the
# ConfigMap or Secret it makes): a credential committed in one is in the repository in clear.
# files read for credentials in clear (whether or not anything applies them): configuration,
# scripts, keys, and the other text a repository keeps beside its manifests (XML configuration,
# notes, Terraform, code), each judged as a file of its kind (inline_secrets._loose_files)
TEXT_SUFFIXES = (
    ".env",
    ".properties",
    ".ini",
    ".conf",
    ".cfg",
    ".cnf",
    ".toml",
    ".sh",
    ".sql",
    ".pem",
    ".key",
    ".xml",
) + (".txt", ".md", ".tf", ".tfvars", ".hcl", ".py", ".js", ".ts", ".go", ".rb", ".java", ".bash", ".zsh")
TEXT_NAMES = frozenset(
    {".env", ".npmrc", ".netrc", ".pgpass", ".git-credentials", ".dockercfg", "credentials"}
    | {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}  # ssh private keys
)
# what an editor, a merge or a hand leaves on a copy of a file: the copy holds what the file does
BACKUP_SUFFIXES = ("~", ".bak", ".orig", ".old", ".backup", ".save", ".prev", ".tmp")
# a template rendered into the file its name goes on to (``values.yaml.j2`` is a values file), its
# literals written as they are (an example's placeholders, ``.tmpl``/``.template``: EXAMPLE_SUFFIXES)
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".tpl", ".gotmpl")


# files tools keep credentials in whose names do not tell their format (names, and suffixes)
FORMAT_OF = {
    "kubeconfig": ".yaml",  # a user's token or password
    ".kubeconfig": ".yaml",
    ".tfstate": ".json",  # Terraform state: outputs and resource attributes, passwords among them
    ".dockerconfigjson": ".json",  # registry auths
    ".pypirc": ".ini",
    ".s3cfg": ".ini",
    ".gitmodules": ".ini",  # a submodule's URL, a token in its userinfo
    ".gitconfig": ".ini",
    ".envrc": ".sh",  # direnv: a shell's exports
    ".bash_history": ".sh",  # what was typed, passwords on command lines among it
    ".zsh_history": ".sh",
    ".sh_history": ".sh",
    ".psql_history": ".sql",
    ".mysql_history": ".sql",
    "makefile": ".sh",  # recipes: shell command lines
    ".mk": ".sh",
    "dockerfile": ".conf",  # ENV and ARG: NAME=value, a literal
    "containerfile": ".conf",
    ".dockerfile": ".conf",
    ".jsonc": ".json",
    ".json5": ".json",
}


def text_name(name: str) -> str | None:
    """The name a file is read for credentials as (lower case, backup and template suffixes
    removed: ``prod.ENV`` is an .env file, ``values.yml~`` and ``values.yaml.j2`` YAML files), or
    None for a file of no kind the scan knows (read for what is a credential whatever its name): a
    name of TEXT_NAMES or ending in one of TEXT_SUFFIXES, a manifest's suffix that is no manifest
    (another case, a copy; Argo CD applies neither, a kustomization may list either), or a name
    FORMAT_OF tells the format of."""
    lowered = name.lower()
    while stripped := next((s for s in BACKUP_SUFFIXES + TEMPLATE_SUFFIXES if lowered.endswith(s)), None):
        lowered = lowered[: -len(stripped)]
    if lowered.endswith(TEXT_SUFFIXES + YAML_SUFFIXES) or lowered in TEXT_NAMES or lowered.startswith(".env."):
        return lowered
    suffix = lowered[lowered.rfind(".") :] if "." in lowered else ""
    if (format_ := FORMAT_OF.get(lowered) or FORMAT_OF.get(suffix)) is not None:
        return lowered + format_  # judged in the format it is written in
    return None


KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")  # kustomize's order
CONFIG_NAME = ".torghut-lint.yaml"  # the linter's configuration: never a manifest


def real(path: Path) -> Path:
    """``path`` with symlinks and ``..`` resolved (remembered: the assembly asks often; the files
    :func:`discover` walks are known without asking the filesystem). The parent directory is
    resolved once for all its files; only the file itself is then checked."""
    found = _REAL_PATHS.get(path)
    if found is None:
        found = _REAL_PATHS[path] = _resolve(path)
    elif type(found) is str:  # recorded by discover as text: made a Path when first asked
        found = _REAL_PATHS[path] = Path(found)
    return found


def _resolve(path: Path) -> Path:
    resolved = real_text(str(path))
    # most paths are real already: the same object, so the cache costs an entry, not a Path
    return path if resolved == str(path) else Path(resolved)


def is_within(path: Path | str, directory: Path | str) -> bool:
    """``path.relative_to(directory)`` succeeds (both resolved), told from their text: the
    assembly asks for every file it reads."""
    inner, outer = str(path), str(directory)
    return inner == outer or inner.startswith(outer if outer.endswith(os.sep) else outer + os.sep)


def real_text(name: str | Path) -> str:
    """``os.path.realpath(name)``, remembered by the text. A path not known yet is resolved from
    its parent's resolution and its last component, so each directory is asked of the filesystem
    at most once (``realpath`` checks every component of a deep path again on every call, and a
    kustomization's ``../base`` is one such path per entry); :func:`discover` records the
    directories it walks and the files it finds without asking. For a path discovery found, the
    text without making a Path of it (the plan asks for every file)."""
    if isinstance(name, Path):
        known = _REAL_PATHS.get(name)
        if known is not None:
            return known if type(known) is str else str(known)
        name = str(name)
    found = _REAL_TEXTS.get(name)
    if found is None:
        found = _REAL_TEXTS[name] = _resolve_text(name)
    return found


def real_parent(path: str | Path) -> str:
    """``os.path.dirname(real_text(path))``, the resolved directory holding ``path``: resolved text
    is absolute and normal, so below the top of the filesystem it is the text up to the last
    separator (the plan asks for every file's, several times)."""
    text = real_text(path)
    cut = text.rfind("/")
    return text[:cut] if cut > 1 and os.sep == "/" else os.path.dirname(text)


def _resolve_text(path: str) -> str:
    chain: list[tuple[str, str]] = []  # (path, its last component), deepest first
    current = path
    while True:  # up to a parent already resolved (no recursion: a path can be deep)
        head, tail = os.path.split(current)
        if not head or head == current or not tail or head.endswith(os.sep + os.sep):
            # one relative component, the root, a trailing or double separator: realpath's own
            resolved = _REAL_TEXTS[current] = os.path.realpath(current)
            break
        chain.append((current, tail))
        if (known := _REAL_TEXTS.get(head)) is not None:
            resolved = known
            break
        current = head
    for current, tail in reversed(chain):  # down again, each from its parent's resolution
        if tail == "..":  # the parent's parent, as realpath resolves it: after the parent's links
            resolved = os.path.dirname(resolved)
        elif tail != ".":
            joined = os.path.join(resolved, tail)
            # a directory the walk reached by its real path is no link, nor is any other entry the
            # walk saw in a directory it walked unless it recorded it as one (files, above all)
            walked = resolved in _WALKED and tail not in _LINKED.get(resolved, ())
            resolved = joined if walked or joined in _WALKED or not os.path.islink(joined) else os.path.realpath(joined)
        _REAL_TEXTS[current] = resolved
    return resolved


def path_kind(path: Path | str) -> str | None:
    """What ``path`` names once symlinks are followed: "dir", "file" (a regular file) or "other",
    or None when nothing is there; what ``Path.is_dir``, ``is_file`` and ``exists`` would answer,
    from one ``stat`` per path text (resolving kustomizations asks about the same directories and
    files again and again: 39,000 questions about 13,700 paths on the lab tree x10), and none for
    the directories :func:`discover` walked (by their real paths). An error pathlib would raise (a
    directory that may not be searched, a name too long) is raised and not remembered."""
    text = str(path)
    if text in _WALKED:  # discovery walked it by its real path
        return "dir"
    found = _KINDS.get(text, _UNASKED)
    if found is _UNASKED:
        try:
            mode = os.stat(text).st_mode
        except OSError as exc:
            if exc.errno not in _ABSENT:
                raise
            found = None
        except ValueError:  # a NUL byte: no such file, as pathlib answers
            found = None
        else:
            found = "dir" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"
        if len(_KINDS) >= MAX_KINDS:  # questions come back within an application: a bounded memory
            _KINDS.clear()  # keeps them, where one of every path asked would grow with the tree
        _KINDS[text] = found
    return found


def is_dir(path: Path | str) -> bool:
    return path_kind(path) == "dir"


def is_file(path: Path | str) -> bool:
    return path_kind(path) == "file"


def exists(path: Path | str) -> bool:
    return path_kind(path) is not None


_UNASKED = object()
_ABSENT = frozenset((errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP))  # pathlib's "not there"
_KINDS: dict[str, str | None] = {}
MAX_KINDS = 16_384  # answers remembered at a time (path_kind)


def forget() -> None:
    """Drop every remembered resolution (the tree or the working directory changed: tests)."""
    _REAL_PATHS.clear()
    _WALKED.clear()
    _REAL_TEXTS.clear()
    _SHOWN.clear()
    _KINDS.clear()
    _LINKED.clear()
    _KUSTOMIZATIONS.clear()
    _DIGESTS.clear()
    _BELOW.clear()


_REAL_PATHS: dict[Path, Path | str] = {}
_WALKED: set[str] = set()  # the resolved directories discover walked
_LINKED: dict[str, set[str]] = {}  # a walked directory -> the names of its symlinks (most have none)
_REAL_TEXTS: dict[str, str] = {}  # text -> resolved text


def display_path(path: Path) -> str:
    """Path as shown to users: relative to the current directory (remembered by its text while
    the directory stays the same: a file is shown many times, and ``relpath`` resolves both
    paths each time)."""
    cwd = os.getcwd()
    if _SHOWN.get(None) != cwd:
        _SHOWN.clear()
        _SHOWN[None] = cwd
    text = str(path)
    shown = _SHOWN.get(text)
    if shown is None:
        shown = _SHOWN[text] = _relative(text, cwd)
    return shown


def _relative(text: str, cwd: str) -> str:
    """``os.path.relpath(text, cwd)``; without its two ``abspath`` calls where the answer is
    plain: a Path's text holds no ``.`` or empty component, so without ``..`` it is normal already."""
    if os.sep == "/" and not (text == ".." or text.startswith("../") or "/../" in text or text.endswith("/..")):
        if not text.startswith("/"):
            return text
        if text.startswith(cwd + "/") and cwd != "/":
            return text[len(cwd) + 1 :]
        if cwd.startswith("/"):  # both absolute and normal: up from the directory to the common part
            here, there = (path.strip("/").split("/") if path != "/" else [] for path in (cwd, text))
            common = 0
            for a, b in zip(here, there, strict=False):
                if a != b:
                    break
                common += 1
            return "/".join([".."] * (len(here) - common) + there[common:]) or "."
    try:
        return os.path.relpath(text, cwd)
    except ValueError:  # another drive on Windows
        return text


_SHOWN: dict[str | None, str] = {}  # None: the directory they are relative to


def _child_by_parsing(directory: Path, name: str) -> Path:
    return directory / name


# pathlib's own child of one component, which parses nothing (where this Python's pathlib has
# one and it answers as ``/`` does): a walk makes a Path per file it keeps, and parsing it again
# was a third of the walk.
_child = getattr(Path, "_make_child_relpath", None) or _child_by_parsing
if _child(Path("/a"), "b.yaml").parts != ("/", "a", "b.yaml") or _child(Path("a"), "b") != Path("a/b"):
    _child = _child_by_parsing


@dataclass
class Discovery:
    """YAML files found under one root, plus what could not be walked."""

    root: Path
    files: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    jsonnet: list[Path] = field(default_factory=list)  # never parsed: the plan reports those Argo CD evaluates
    texts: list[Path] = field(default_factory=list)  # every other file: read for credentials (text_name)


def _outside_root(link: Path, name: str) -> Finding:
    """A symlink out of the linted tree, not followed: a blocking finding when it is named like a
    manifest (Argo CD applies what it leads to), a warning for anything else."""
    if name.endswith(YAML_SUFFIXES):
        message = "symlink to a manifest outside the linted tree, which Argo CD applies and the linter does not read"
        return Finding("manifest-outside-root", Severity.ERROR, message, Location(display_path(link)))
    message = "symlink points outside the linted tree; not followed"
    return Finding("file-outside-root", Severity.WARNING, message, Location(display_path(link)))


def discover(root: Path, ignored: frozenset[str] = frozenset()) -> Discovery:
    """All ``*.yaml``/``*.yml`` files under ``root``, sorted, symlinks kept inside ``root``; none of
    ``ignored`` (resolved paths: what git ignores, :func:`git_ignored`)."""
    found = Discovery(root)
    if root.is_file():
        found.files.append(root)
        return found
    seen_dirs: set[str] = set()
    real_root = os.path.realpath(root)
    # The directories being listed, innermost last: (its entries not yet looked at, the directory,
    # its resolved path, that path and a separator). A subdirectory is walked as its name comes up among its
    # parent's entries, so files come out in Path order (no sort of the whole tree), and a plain
    # subdirectory's resolved path is its parent's plus its name (linear at any depth).
    stack: list[tuple[Iterator[os.DirEntry], Path, str, str]] = []

    def enter(directory: Path, real: str) -> None:
        if real in seen_dirs:
            return
        seen_dirs.add(real)
        _REAL_TEXTS[str(directory)] = real
        _REAL_TEXTS[real] = real  # as builds name it (resolved): a path below is one step
        _WALKED.add(real)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            found.findings.append(_unreadable(Path(directory), exc))
            _KUSTOMIZATIONS[real] = None  # not listed: a name in it may still be a file
            return
        _record_kustomizations(real, entries)
        if real in _KUSTOMIZATIONS and (chart := _detected_as_chart(entries)) is not None:
            found.findings.append(_chart_finding(directory, *chart))
        stack.append((iter(entries), directory, real, real if real.endswith(os.sep) else real + os.sep))

    enter(root, real_root)
    while stack:
        entries, directory, real, inside = stack[-1]
        for entry in entries:
            # A Path only for what is kept or reported: most entries of a tree are neither.
            name = entry.name
            target = inside + name  # os.path.join(real, name)
            if ignored and target in ignored:
                continue
            if entry.is_symlink():
                _LINKED.setdefault(real, set()).add(name)
                target = os.path.realpath(entry.path)
                if not (target == real_root or target.startswith(real_root + os.sep)):
                    found.findings.append(_outside_root(Path(entry.path), name))
                    continue
                if not os.path.exists(target):
                    if name.endswith(YAML_SUFFIXES):
                        found.findings.append(_unreadable(Path(entry.path), FileNotFoundError(2, "dangling symlink")))
                    continue
            try:
                is_dir = entry.is_dir()
            except OSError as exc:
                found.findings.append(_unreadable(Path(entry.path), exc))
                continue
            if is_dir:
                if name not in SKIPPED_DIRS:
                    enter(_child(directory, sys.intern(name)), target)
                    break  # its entries first, then the rest of this directory's
            elif name.endswith(YAML_SUFFIXES):
                # one text per name (the file names of a tree repeat), as pathlib's parsing keeps them
                path = _child(directory, sys.intern(name))  # where Path(entry.path) would parse it all
                found.files.append(path)
                _REAL_PATHS[path] = path if target == entry.path else target
            elif name.endswith(JSONNET_SUFFIX):
                found.jsonnet.append(_child(directory, sys.intern(name)))
            else:  # any other file: read for credentials (by its kind, else whatever its name: text_name)
                path = _child(directory, sys.intern(name))
                found.texts.append(path)
                _REAL_PATHS[path] = path if target == entry.path else target
        else:
            stack.pop()
    return found


# A submodule's path in .gitmodules (git config syntax: ``path = dir``, the value maybe quoted; RE2:
# the file is the pull request's)
_SUBMODULE_PATH = regex.compile(r'(?m)^[ \t]*path[ \t]*=[ \t]*(?:"((?:[^"\\\n]|\\.)*)"|([^\n;#]*?))[ \t]*(?:[;#].*)?$')


def unseen_submodules(repository: Path, root: Path) -> list[Finding]:
    """``submodule-not-checked-out`` for each submodule of ``repository`` (its ``.gitmodules``)
    below ``root`` whose directory is empty: git tracks no empty directory, so an empty one at a
    submodule's path is a submodule this checkout lacks, and Argo CD's checkout has it."""
    gitmodules = repository / ".gitmodules"
    try:
        text = gitmodules.read_bytes()[: 1 << 20].decode("utf-8", errors="replace")
    except OSError:
        return []
    top = os.path.realpath(root)
    found = []
    for match in _SUBMODULE_PATH.finditer(text):
        relative = match.group(1) if match.group(1) is not None else match.group(2)
        try:
            directory = os.path.realpath(repository / relative.strip())
            if not is_within(directory, top) or not os.path.isdir(directory):
                continue
            with os.scandir(directory) as entries:
                if next(entries, None) is not None:
                    continue  # checked out: its files are linted as the tree's
        except (OSError, ValueError):  # unreadable (discovery reports it), or no path at all (a NUL byte)
            continue
        line = text.count("\n", 0, match.start()) + 1
        message = (
            f"the submodule at {display_path(Path(directory))} is not checked out: Argo CD checks it out and "
            "applies what it holds, which the linter cannot see"
        )
        finding = Finding(
            "submodule-not-checked-out", Severity.ERROR, message, Location(display_path(gitmodules), line, 1)
        )
        # the commit it is pinned at is what Argo CD checks out: another one is a new finding
        finding.digest = _gitlink(repository, relative.strip())
        found.append(finding)
    return found


def git_ignored(repository: Path, root: Path) -> frozenset[str]:
    """The files and directories under ``root`` that git ignores and does not track (resolved): never
    committed, never deployed (a developer's ignored ``.env``, an installed ``node_modules/``). A
    file committed in spite of .gitignore is tracked, so none of these. Empty where git cannot tell
    (no work tree, no git, a base snapshot: its ``.git`` holds no repository)."""
    import subprocess

    git = repository / ".git"
    if not (git.is_file() or (git / "HEAD").exists()):
        return frozenset()
    relative = os.path.relpath(real_text(root), real_text(repository))
    if relative.startswith(".."):
        return frozenset()
    try:
        listed = subprocess.run(
            ["git", "-C", str(repository), "ls-files", "-z", "--others", "--ignored", "--exclude-standard"]
            + ["--directory", "--", relative],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    if listed.returncode != 0:
        return frozenset()
    top = real_text(repository)
    return frozenset(
        os.path.join(top, os.path.normpath(os.fsdecode(name))) for name in listed.stdout.split(b"\0") if name
    )


def _gitlink(repository: Path, relative: str) -> str:
    """The commit git records for the submodule at ``relative`` (its index's gitlink), as a
    finding's digest; empty where git cannot tell (not a work tree, no git). In a base snapshot
    (trust.snapshot), the commits it recorded there."""
    import subprocess

    recorded = repository / ".git" / "torghut-lint-gitlinks"  # (trust.GITLINKS)
    try:
        if recorded.is_file():
            listed = recorded.read_text()
        else:
            listed = subprocess.run(
                ["git", "-C", str(repository), "ls-files", "--stage", "--", relative],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    for line in listed.splitlines():
        meta, _, name = line.partition("\t")
        fields = meta.split()
        if name == os.path.normpath(relative).strip("/") and len(fields) >= 2 and fields[0] == "160000":
            return fields[1][:16]
    return ""


def _record_kustomizations(real: str, entries: list[os.DirEntry]) -> None:
    """Which kustomization files a walked directory holds, from its listing: regular files that
    are not links. Left to ``stat``: a link, an entry whose type the listing does not tell, and a
    name that is a kustomization file's but for its case (``Kustomization.yaml``), which a
    case-insensitive filesystem (macOS, Windows) opens as ``kustomization.yaml``, as kustomize does."""
    named = [e for e in entries if e.name.lower() in _KUSTOMIZATION_NAMES_LOWER]
    if named:
        try:
            regular = {e.name for e in named if e.is_file(follow_symlinks=False)}
            sure = all(
                e.name in KUSTOMIZATION_NAMES and (e.name in regular or e.is_dir(follow_symlinks=False)) for e in named
            )
        except OSError:
            sure = False
        _KUSTOMIZATIONS[real] = tuple(n for n in KUSTOMIZATION_NAMES if n in regular) if sure else None


_KUSTOMIZATION_NAMES_LOWER = frozenset(n.lower() for n in KUSTOMIZATION_NAMES)


# Argo CD's source detection (util/app/discovery): walking a path's files in byte order, a name
# ending in this makes it a Helm chart, a kustomization file's name a kustomization; the last seen decides
HELM_CHART_SUFFIX = "Chart.yaml"


def _detected_as_chart(entries: list[os.DirEntry]) -> tuple[str, str] | None:
    """(the name that makes Argo CD detect the directory as a Helm chart, the kustomization file it
    comes after), where the directory holds a kustomization file and Argo CD's detection reads it
    as a chart all the same: ``values-Chart.yaml`` comes after ``kustomization.yaml``, so the last
    seen is a chart's (exactly ``Chart.yaml`` always comes before a kustomization). Every entry that
    is not a directory counts, links too (its walk does not follow them); names compared as bytes."""
    named = []
    for entry in entries:
        if entry.name.endswith(HELM_CHART_SUFFIX) or entry.name in KUSTOMIZATION_NAMES:
            try:
                if entry.is_dir(follow_symlinks=False):
                    continue
            except OSError:
                pass  # (not listed as a directory: a file to the walk)
            named.append(entry.name)
    kustomizations = [n for n in named if n in KUSTOMIZATION_NAMES]
    last = max(named, key=os.fsencode, default=None)
    if not kustomizations or last is None or last in KUSTOMIZATION_NAMES:
        return None
    return last, max(kustomizations, key=os.fsencode)


def _chart_finding(directory: Path, chart: str, kustomization: str) -> Finding:
    message = (
        f"Argo CD detects this directory as a Helm chart: {chart!r} ends in {HELM_CHART_SUFFIX} and comes after "
        f"{kustomization!r}, so an Application deploying it without an explicit source type renders it with helm, "
        "not the kustomization the linter checks; rename it, or give the Application's source kustomize: {}"
    )
    finding = builtin_finding("argocd-source-override", message, Location(display_path(_child(directory, chart))))
    finding.digest = content_digest(directory)  # what helm renders there is unseen: any change to it is new
    finding.reads = (real_text(directory),)
    return finding


def kustomization_files(directory: str) -> tuple[str, ...] | None:
    """The kustomization file names in ``directory`` (resolved text), in kustomize's order, as its
    listing told when :func:`discover` walked it; None when the walk cannot tell (a directory it did
    not walk, a link among them): ask the filesystem."""
    if directory not in _WALKED:
        return None
    return _KUSTOMIZATIONS.get(directory, ())


_KUSTOMIZATIONS: dict[str, tuple[str, ...] | None] = {}  # walked directory -> its kustomization files


MAX_DIGESTED_BYTES = 64 << 20  # what a content digest reads; past it, the rest is known by name and size


def identified_by(finding: Finding, paths: list[Path]) -> None:
    """``finding`` identified by what ``paths`` hold as well (what it stands for and the linter does
    not render: a change to any is a new finding), and caused by a change below them."""
    finding.digest = digest_of([finding.digest, *map(content_digest, paths)], structural=True)
    finding.reads = tuple(map(real_text, paths))


def content_digest(root: Path, suffixes: tuple[str, ...] = ()) -> str:
    """A digest of what is below ``root`` (a file, or a directory's files, recursively, in name
    order, links not followed; only names ending in one of ``suffixes`` when given): the identity of
    what the linter cannot render (a Helm chart, Jsonnet), so that any change to it is a new finding.
    Past :data:`MAX_DIGESTED_BYTES`, a file counts by its name and size; an unreadable one by its name."""
    key = (real_text(root), suffixes)  # (asked again for each Application deploying one directory)
    if (known := _DIGESTS.get(key)) is None:
        known = _DIGESTS[key] = _content_digest(root, suffixes)
    return known


_DIGESTS: dict[tuple[str, tuple[str, ...]], str] = {}


def kustomization_below(directory: Path) -> bool:
    """Whether a kustomization file (by its exact name, as Argo CD's walk tells one) is in
    ``directory`` or any directory under it, links to directories not followed (as that walk does
    not); remembered for the run (each Application recursing over one directory asks again)."""
    key = real_text(directory)  # (however a path spells it: ``d/..``)
    if (known := _BELOW.get(key)) is None:
        known = False
        for _, subdirectories, names in os.walk(directory):
            subdirectories[:] = [d for d in subdirectories if d not in SKIPPED_DIRS]
            if any(name in KUSTOMIZATION_NAMES for name in names):
                known = True
                break
        _BELOW[key] = known
    return known


_BELOW: dict[str, bool] = {}


def _content_digest(root: Path, suffixes: tuple[str, ...]) -> str:
    import hashlib

    digest = hashlib.sha256()
    budget = MAX_DIGESTED_BYTES
    if root.is_file():
        files = [root]
    else:  # (links not followed: a link to / in a chart is not the whole file system)
        files = sorted(
            Path(directory, name)
            for directory, _, names in os.walk(root, followlinks=False)
            for name in names
            if not os.path.islink(os.path.join(directory, name))
        )
    for path in files:
        if suffixes and not path.name.endswith(suffixes):
            continue
        digest.update(str(path.relative_to(root) if path != root else path.name).encode("utf-8", "surrogatepass"))
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):  # a FIFO or a device: never opened (it would block)
                digest.update(b"\0not a file")
            elif info.st_size <= budget:
                digest.update(path.read_bytes())
                budget -= info.st_size
            else:
                digest.update(f"\0{info.st_size}".encode())
        except OSError:
            digest.update(b"\0unreadable")
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _unreadable(path: Path, exc: OSError) -> Finding:
    reason = exc.strerror or type(exc).__name__
    return Finding("file-unreadable", Severity.ERROR, f"cannot read: {reason}", Location(display_path(path)))
