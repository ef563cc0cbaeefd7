"""The on-disk cache: what invalidates an entry, what a damaged entry does, where it may live,
and that a lint reads the same with it cold, warm or off."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import APP, BASE_TREE, run_cli
from torghut_lint import cache as cache_module
from torghut_lint.cache import MAGIC, Cache


def entries(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*.bin"))


def counting(value):
    calls = []

    def build():
        calls.append(1)
        return value

    return build, calls


def test_an_entry_is_reused_for_the_same_bytes_and_options_only(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    build, calls = counting({"type": "object", "n": [1, 2.5, None, True]})
    assert cache.get("schema", b"one", build, "strict") == {"type": "object", "n": [1, 2.5, None, True]}
    assert cache.get("schema", b"one", build, "strict") == {"type": "object", "n": [1, 2.5, None, True]}
    assert len(calls) == 1 and (cache.hits, cache.misses) == (1, 1)
    cache.get("schema", b"two", build, "strict")  # other bytes
    cache.get("schema", b"one", build, "lax")  # other options
    cache.get("policy", b"one", build, "strict")  # another kind of entry
    assert len(calls) == 4 and len(entries(tmp_path)) == 4


def test_other_code_never_reads_an_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build, calls = counting([1])
    Cache(tmp_path).get("schema", b"x", build)
    monkeypatch.setattr(cache_module, "_CODE_KEY", b"another version of the package")
    Cache(tmp_path).get("schema", b"x", build)
    assert len(calls) == 2


def test_the_code_key_follows_every_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edited checkout (same version string) is other code: the key covers each module's size and
    modification time."""
    monkeypatch.setattr(cache_module, "_CODE_KEY", None)
    before = cache_module.code_key()
    module = Path(cache_module.__file__)
    stamp = module.stat()
    try:
        os.utime(module, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))
        monkeypatch.setattr(cache_module, "_CODE_KEY", None)
        assert cache_module.code_key() != before
    finally:
        os.utime(module, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),  # one bit of the payload
        lambda data: b"x" + data[1:],  # the header
        lambda data: b"",  # empty
        lambda data: MAGIC + b"\0" * 32 + b"\xff\xff",  # a digest that does not match
    ],
    ids=["truncated", "flipped-bit", "bad-magic", "empty", "bad-digest"],
)
def test_a_damaged_entry_is_rebuilt_and_rewritten_never_trusted(tmp_path: Path, damage) -> None:
    build, calls = counting({"kept": "value"})
    Cache(tmp_path).get("schema", b"source", build)
    (entry,) = entries(tmp_path)
    entry.write_bytes(damage(entry.read_bytes()))
    cache = Cache(tmp_path)
    assert cache.get("schema", b"source", build) == {"kept": "value"}
    assert len(calls) == 2 and cache.rebuilt == 1
    assert Cache(tmp_path).get("schema", b"source", build) == {"kept": "value"}  # rewritten whole
    assert len(calls) == 2


def test_an_unwritable_directory_only_means_no_caching(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-directory"
    blocked.write_text("")
    build, calls = counting(7)
    cache = Cache(blocked / "cache")
    assert cache.get("schema", b"s", build) == 7 and cache.get("schema", b"s", build) == 7
    assert len(calls) == 2


def test_a_value_marshal_cannot_hold_is_computed_every_time(tmp_path: Path) -> None:
    build, calls = counting({"a": object()})
    cache = Cache(tmp_path)
    cache.get("schema", b"s", build)
    cache.get("schema", b"s", build)
    assert len(calls) == 2 and not entries(tmp_path)


def test_the_cache_is_never_inside_the_linted_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = tmp_path / "repo"
    (tree / ".git").mkdir(parents=True)
    (tree / "apps").mkdir()
    monkeypatch.setenv("TORGHUT_LINT_CACHE_DIR", str(tree / ".cache"))
    cache, why = Cache.for_run([tree / "apps"], None)  # below the git work tree of the linted path
    assert cache.directory is None and "inside the linted tree" in why
    monkeypatch.setenv("TORGHUT_LINT_CACHE_DIR", str(tmp_path / "elsewhere"))
    cache, why = Cache.for_run([tree / "apps"], None)
    assert cache.directory == tmp_path / "elsewhere" and not why
    cache, _ = Cache.for_run([tree / "apps"], tmp_path)  # --repo-root above the cache
    assert cache.directory is None
    monkeypatch.setenv("TORGHUT_LINT_CACHE_DIR", "")
    assert Cache.for_run([tree], None)[0].directory is None
    monkeypatch.setenv("TORGHUT_LINT_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert Cache.for_run([tree], None, enabled=False)[0].directory is None


def test_without_a_home_directory_the_cache_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TORGHUT_LINT_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert cache_module.default_directory() is None
    monkeypatch.setenv("XDG_CACHE_HOME", "/var/cache/ci")
    assert cache_module.default_directory() == Path("/var/cache/ci/torghut-lint")


def test_a_lint_reads_the_same_cold_warm_damaged_and_off(tmp_path: Path) -> None:
    """The report is byte-identical whatever the cache holds; a damaged cache is rebuilt."""
    directory = tmp_path / "cache"
    env = {"TORGHUT_LINT_CACHE_DIR": str(directory)}
    args = ("--format", "json", str(BASE_TREE / APP))
    catalog = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "crds-catalog"
    if catalog.is_dir():  # converted CRD schemas from a location, besides the bundled ones
        args = ("--schema-location", str(catalog), *args)
    off = run_cli(*args, "--no-cache", env=env)
    assert not directory.exists()
    cold = run_cli(*args, env=env)
    kinds = {p.parent.name for p in entries(directory)}
    assert kinds == {"schema", "core-schema", "policy"}
    warm = run_cli(*args, env=env)
    for entry in entries(directory):
        entry.write_bytes(entry.read_bytes()[:-3])
    damaged = run_cli(*args, env=env)
    assert off.stdout == cold.stdout == warm.stdout == damaged.stdout
    assert off.code == cold.code == warm.code == damaged.code
    assert damaged.stderr == off.stderr


def test_an_edited_policy_is_checked_again(tmp_path: Path) -> None:
    """A cached verdict belongs to the bytes: the same policy file made invalid is refused (exit 2)."""
    policies = tmp_path / "policies"
    policies.mkdir()
    policy = policies / "ws.yaml"
    text = (
        "id: extra-ws-replicas\ntemplate: replica-count\nseverity: error\n"
        "description: ws runs one replica\nrationale: a second replica duplicates the feed\n"
        "match:\n  kind: Deployment\n  name: torghut-ws\nparams:\n  count: 1\n"
    )
    policy.write_text(text)
    env = {"TORGHUT_LINT_CACHE_DIR": str(tmp_path / "cache")}
    args = ("--no-schemas", "--policies", str(policies), str(BASE_TREE / APP))
    assert run_cli(*args, env=env).code == 0
    assert run_cli(*args, env=env).code == 0  # from the cache
    policy.write_text(text.replace("count: 1", "count: one"))
    refused = run_cli(*args, env=env)
    assert refused.code == 2 and "params" in refused.stderr and "ws.yaml" in refused.stderr


def test_a_core_schemas_standalone_form_follows_the_definitions_file(tmp_path: Path) -> None:
    """The standalone form of a core kind depends on _definitions.json too (1.4 MB, stood for by
    its path, size and modification time): a changed definitions file makes it again."""
    import os
    import shutil

    from torghut_lint.schemas.store import SchemaStore

    source = SchemaStore().core_dir
    core = tmp_path / "v1.33.0-standalone-strict"
    core.mkdir()
    for name in ("deployment-apps-v1.json", "_definitions.json"):
        shutil.copy(source / name, core / name)
    cache = Cache(tmp_path / "cache")

    def load() -> dict:
        store = SchemaStore(cache=cache)
        store.__dict__["core_dir"] = core
        return store._core_schema("apps/v1", "Deployment")[1]

    first = load()
    assert (cache.hits, cache.misses) == (0, 1)
    assert load() == first and (cache.hits, cache.misses) == (1, 1)
    stat = (core / "_definitions.json").stat()
    os.utime(core / "_definitions.json", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert load() == first and (cache.hits, cache.misses) == (1, 2)
