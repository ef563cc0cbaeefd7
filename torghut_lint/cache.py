"""What one run computes and the next can reuse: converted schemas and loaded policies, on disk.

Every entry is keyed by the BLAKE2b digest of what it was computed from (the file's bytes and the
options that shape the result) and of the code that computed it (this package's version, the
Python version and the size and modification time of every module of the package, so an edited
checkout never reads what older code wrote). An entry is ``MAGIC``, the BLAKE2b digest of its payload,
then the payload (``marshal``); one that does not check out is rebuilt and written again, never
trusted and never a crash. Entries are written atomically (a temporary file renamed), so two
processes writing the same entry leave one whole copy.

The directory is ``$TORGHUT_LINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/torghut-lint``, else
``~/.cache/torghut-lint``; it is safe to delete at any time. A run never writes inside the tree
it lints: when the directory is below a linted path or the repository, the cache is off for that
run (``-v`` says so), as it is with ``--no-cache`` or ``TORGHUT_LINT_CACHE_DIR=""``.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

MAGIC = b"torghut-lint cache 2\n"  # 2: BLAKE2b digests (1: SHA-256, a third slower on the megabytes of schemas)
_DIGEST = 32


def _digest(data: bytes = b"") -> Any:
    return hashlib.blake2b(data, digest_size=_DIGEST)


Value = TypeVar("Value")


def default_directory() -> Path | None:
    """Where the cache lives, or None when it is switched off by an empty
    ``TORGHUT_LINT_CACHE_DIR`` or there is no home directory to hold it."""
    configured = os.environ.get("TORGHUT_LINT_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured.strip() else None
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if base:
        return Path(base) / "torghut-lint"
    try:
        return Path.home() / ".cache" / "torghut-lint"
    except (RuntimeError, KeyError):  # no home directory (a uid without a passwd entry): no cache
        return None


_CODE_KEY: bytes | None = None


def code_key() -> bytes:
    """What identifies the code computing an entry: version, Python, and every module's size and
    modification time (computed once per process)."""
    global _CODE_KEY
    if _CODE_KEY is None:
        from torghut_lint import __version__

        package = Path(__file__).resolve().parent
        digest = _digest(f"{__version__}\0{sys.version}\0{marshal.version}".encode())
        for module in sorted(package.rglob("*.py")):
            info = module.stat()
            digest.update(f"\0{module.relative_to(package)}\0{info.st_size}\0{info.st_mtime_ns}".encode())
        _CODE_KEY = digest.digest()
    return _CODE_KEY


def _work_tree(path: Path) -> Path | None:
    """The git work tree holding ``path``, if any."""
    start = Path(os.path.realpath(path))
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


class Cache:
    """Entries under ``directory``; with ``directory`` None every lookup computes (the cache off)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.hits = self.misses = self.rebuilt = 0

    @classmethod
    def for_run(cls, linted: list[Path], boundary: Path | None, enabled: bool = True) -> tuple[Cache, str]:
        """The cache a run over ``linted`` may use, and why it is off when it is ('' when on)."""
        directory = default_directory() if enabled else None
        if directory is None:
            return cls(None), "off (--no-cache, an empty TORGHUT_LINT_CACHE_DIR, or no home directory)"
        resolved = Path(os.path.realpath(directory))
        trees = [*linted, *([boundary] if boundary is not None else []), *filter(None, map(_work_tree, linted))]
        for tree in trees:
            top = Path(os.path.realpath(tree))
            if resolved == top or top in resolved.parents:
                return cls(None), f"off: {directory} is inside the linted tree {tree}"
        return cls(directory), ""

    def get(self, kind: str, source: bytes, build: Callable[[], Value], *options: str) -> Value:
        """The value ``build()`` computes from ``source`` (bytes) with ``options``: from the
        cache when an intact entry exists, else computed and stored."""
        if self.directory is None:
            return build()
        key = _digest(code_key())
        key.update(kind.encode() + b"\0" + "\0".join(options).encode() + b"\0")
        key.update(source)
        path = self.directory / kind / f"{key.hexdigest()}.bin"
        found = self._read(path)
        if found is not None:
            self.hits += 1
            return found[0]
        self.misses += 1
        value = build()
        self._write(path, value)
        return value

    def _read(self, path: Path) -> tuple[Any] | None:
        """(value,) of an intact entry, None when there is none or it is damaged."""
        try:
            data = path.read_bytes()
        except OSError:
            return None
        head = len(MAGIC) + _DIGEST
        payload = data[head:]
        if data[: len(MAGIC)] != MAGIC or _digest(payload).digest() != data[len(MAGIC) : head]:
            self.rebuilt += 1
            return None
        try:
            return (marshal.loads(payload),)
        except (ValueError, EOFError, TypeError):  # cannot happen with a matching digest; never trusted
            self.rebuilt += 1
            return None

    def _write(self, path: Path, value: Any) -> None:
        try:
            payload = marshal.dumps(value)
        except ValueError:  # a value marshal cannot hold: not cached
            return
        import tempfile  # here: a warm run writes nothing, and the module costs start-up

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".entry-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(MAGIC + _digest(payload).digest() + payload)
                os.replace(temporary, path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:  # a read-only or full disk: the run goes on without caching
            return
