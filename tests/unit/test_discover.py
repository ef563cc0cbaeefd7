"""Discovery's path helpers: the shown path must be exactly ``os.path.relpath``'s, the
resolved one exactly ``os.path.realpath``'s."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def _linked_tree(root: Path) -> None:
    """Directories, files and every kind of link ``realpath`` treats specially."""
    for d in ("apps/base", "apps/overlay/prod", "shared/deep/er", "loop"):
        (root / d).mkdir(parents=True)
    (root / "apps/base/kustomization.yaml").write_text("resources: []\n")
    (root / "apps/overlay/prod/kustomization.yaml").write_text("resources: [../../base]\n")
    (root / "apps/link-to-base").symlink_to("base")  # relative link
    (root / "apps/overlay/abs-shared").symlink_to(root / "shared/deep")  # absolute link
    (root / "apps/overlay/prod/up").symlink_to("../../..")  # a link whose target climbs
    (root / "dangling").symlink_to("nowhere/at/all")
    (root / "loop/a").symlink_to("b")
    (root / "loop/b").symlink_to("a")
    (root / "loop/self").symlink_to("self")
    (root / "file-link.yaml").symlink_to("apps/base/kustomization.yaml")


_COMPONENTS = [
    "apps", "base", "overlay", "prod", "link-to-base", "abs-shared", "up", "deep", "er", "shared",
    "dangling", "loop", "a", "b", "self", "file-link.yaml", "kustomization.yaml", "missing", "..", ".",
]  # fmt: skip


@pytest.mark.parametrize(
    "given",
    [
        "apps/overlay/prod/../../base",
        "apps/link-to-base/..",
        "apps/link-to-base/../overlay/prod",
        "apps/overlay/abs-shared/../..",
        "apps/overlay/abs-shared/er/../../deep",
        "apps/overlay/prod/up/shared/deep/..",
        "apps/overlay/prod/up/..",
        "dangling/..",
        "dangling/x/../..",
        "loop/a",
        "loop/a/..",
        "loop/self/x",
        "file-link.yaml",
        "file-link.yaml/..",
        "apps/base/kustomization.yaml/..",
        "missing/../apps/./base",
        "..",
        "../..",
        ".",
        "",
    ],
)
@pytest.mark.parametrize("absolute", [False, True])
def test_real_text_is_realpath(given: str, absolute: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolved from the parent's remembered resolution, the answer is still ``realpath``'s:
    links followed before ``..``, links relative to their directory or absolute, dangling
    links, loops, files used as directories, paths relative to the working directory."""
    root = tmp_path / "tree"
    root.mkdir()
    _linked_tree(root)
    monkeypatch.chdir(root)
    discover.forget()
    discover.discover(root)  # the walk's own records are part of what must agree
    text = os.path.join(str(root), given) if absolute else given
    if not text:
        text = "."
    assert discover.real_text(text) == os.path.realpath(text)
    assert str(discover.real(Path(text))) == os.path.realpath(Path(text))
    assert discover.real_parent(Path(text)) == os.path.dirname(os.path.realpath(text))
    discover.forget()


@pytest.mark.parametrize("given", ["/", "/tmp", "/tmp/", "//", "//tmp", "//tmp/x", "///tmp/x", "/tmp/../tmp/x"])
def test_real_parent_at_the_top_of_the_filesystem(given: str) -> None:
    """Below the top the resolved directory is the text up to the last separator; at the top,
    and where a leading ``//`` is kept as its own root, it is ``dirname``'s answer."""
    discover.forget()
    assert discover.real_parent(Path(given)) == os.path.dirname(os.path.realpath(Path(given)))
    assert discover.real_parent(given) == os.path.dirname(os.path.realpath(given))
    discover.forget()


@given(parts=st.lists(st.sampled_from(_COMPONENTS), min_size=1, max_size=7), absolute=st.booleans())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_real_text_is_realpath_for_any_path(
    parts: list[str], absolute: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.getbasetemp() / "linked-tree"
    if not root.exists():
        root.mkdir()
        _linked_tree(root)
    discover.forget()
    discover.discover(root)
    path = os.path.join(*parts)
    text = os.path.join(str(root), path) if absolute else os.path.join(os.path.relpath(root), path)
    for prefix in range(1, len(parts) + 1):  # every prefix first: answers built on remembered ones
        head = os.path.join(*parts[:prefix])
        head = os.path.join(str(root), head) if absolute else os.path.join(os.path.relpath(root), head)
        assert discover.real_text(head) == os.path.realpath(head), head
    assert discover.real_text(text) == os.path.realpath(text)
    assert discover.real_parent(Path(text)) == os.path.dirname(os.path.realpath(text))
    discover.forget()


def test_real_text_of_a_very_deep_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of components (a hostile kustomization entry): resolved without recursion."""
    monkeypatch.chdir(tmp_path)
    discover.forget()
    for text in ["/".join(["d"] * 3000), "/".join(["d", ".."] * 1500) + "/x", str(tmp_path) + "/a/.." * 1500]:
        assert discover.real_text(text) == os.path.realpath(text)
    discover.forget()


@pytest.mark.parametrize(
    "name",
    [
        "dir",
        "file.yaml",
        "link-to-dir",
        "link-to-file",
        "dangling",
        "loop-a",
        "fifo",
        "missing",
        "file.yaml/under-a-file",
        "link-to-file.yaml",
        "link-to-dir.yaml",
        "fifo.yaml",
        "dir/../file.yaml",
        "nul\0byte",
        "x" * 300,
        "dir/" + "/".join(["y" * 200] * 30),
    ],
)
@pytest.mark.parametrize("walked", [False, True])
def test_path_kind_answers_as_pathlib_does(
    name: str, walked: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """is_dir, is_file and exists are pathlib's answers (symlinks followed, a loop or a file used as
    a directory is "not there", a FIFO is neither), errors pathlib raises are raised (a name too
    long), and each path text is asked of the filesystem once; after discovery walked the tree
    (what it saw answered without asking), the same answers."""
    (tmp_path / "dir").mkdir()
    (tmp_path / "file.yaml").write_text("a: 1\n")
    (tmp_path / "link-to-dir").symlink_to("dir")
    (tmp_path / "link-to-file").symlink_to(tmp_path / "file.yaml")
    (tmp_path / "link-to-file.yaml").symlink_to("file.yaml")
    (tmp_path / "link-to-dir.yaml").symlink_to("dir")
    (tmp_path / "dangling").symlink_to("nowhere")
    (tmp_path / "loop-a").symlink_to("loop-b")
    (tmp_path / "loop-b").symlink_to("loop-a")
    os.mkfifo(tmp_path / "fifo")
    os.mkfifo(tmp_path / "fifo.yaml")
    discover.forget()
    if walked:
        discover.discover(tmp_path)
    path = tmp_path / name
    for ask, expected in (
        (discover.is_dir, Path.is_dir),
        (discover.is_file, Path.is_file),
        (discover.exists, Path.exists),
    ):
        try:
            want: object = expected(path)
        except OSError as exc:
            want = type(exc)
        if isinstance(want, type):
            with pytest.raises(want):
                ask(path)
        else:
            assert ask(path) is want, (ask.__name__, name)
            assert ask(str(path)) is want, (ask.__name__, name)
    asked: list[str] = []
    real_stat = os.stat
    monkeypatch.setattr(os, "stat", lambda p, *a, **k: asked.append(p) or real_stat(p, *a, **k))
    if not name.startswith("x" * 300) and not name.startswith("dir/y"):
        discover.is_dir(path), discover.is_file(path), discover.exists(path)
        assert asked == []  # remembered
        discover.forget()
        discover.exists(path)
        assert asked == [str(path)]
    discover.forget()
    if walked:  # the directories discovery walked (by their real paths) are known without asking
        discover.discover(tmp_path)
        asked.clear()
        real_root = os.path.realpath(tmp_path)
        assert discover.is_dir(real_root) and discover.is_dir(os.path.join(real_root, "dir")) and asked == []
        discover.forget()


def test_path_kind_remembers_a_bounded_number_of_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The memory of answers is bounded (a monorepo asks about every path it holds): past the
    bound it starts again, and every answer is still pathlib's."""
    monkeypatch.setattr(discover, "MAX_KINDS", 5)
    discover.forget()
    for i in range(12):
        (tmp_path / f"d{i}").mkdir()
        (tmp_path / f"f{i}.yaml").write_text("a: 1\n")
    for _ in range(2):
        for i in range(12):
            assert discover.is_dir(tmp_path / f"d{i}") and not discover.is_dir(tmp_path / f"f{i}.yaml")
            assert discover.is_file(tmp_path / f"f{i}.yaml") and not discover.exists(tmp_path / f"none{i}")
            assert len(discover._KINDS) <= 5
    discover.forget()


@pytest.mark.parametrize("name", ["a.yaml", "with space.yml", "back\\slash.yaml", "ü.yaml", "...", "-x", "a:b"])
@pytest.mark.parametrize("directory", ["/", "/repo/apps", "relative/apps", "."])
def test_a_child_made_without_parsing_is_the_path_slash_makes(directory: str, name: str) -> None:
    child = discover._child(Path(directory), name)
    expected = Path(directory) / name
    assert (child, child.parts, str(child), hash(child)) == (expected, expected.parts, str(expected), hash(expected))


def test_the_walk_finds_what_it_finds_with_pathlib_slash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "tree"
    root.mkdir()
    _linked_tree(root)
    (root / "apps/base/odd name ü.yml").write_text("a: 1\n")
    found = []
    for child in (discover._child, discover._child_by_parsing):
        monkeypatch.setattr(discover, "_child", child)
        discover.forget()
        walk = discover.discover(root)
        found.append(([(p, p.parts, str(p)) for p in walk.files], [f.message for f in walk.findings]))
    discover.forget()
    assert found[0] == found[1] and len(found[0][0]) >= 4
    names = [p.name for p, _, _ in found[0][0] if p.name == "kustomization.yaml"]
    assert len(names) > 1 and all(n is names[0] for n in names)  # one text per name, as pathlib keeps it


def test_the_kustomization_files_of_a_walked_directory_are_what_stat_says(tmp_path: Path) -> None:
    """A directory's listing tells which kustomization files it holds (no ``stat`` per name, asked
    for every directory a build reaches); where it cannot tell (a link, a FIFO, a directory not
    walked, a name that differs from one only by case) the filesystem is asked, and the answer is
    always ``isfile``'s, in kustomize's order."""
    from torghut_lint.kustomize.kustomization import kustomization_names

    root = tmp_path / "tree"
    layout = {
        "none": [],
        "one": ["kustomization.yaml"],
        "two": ["Kustomization", "kustomization.yml"],
        "three": ["Kustomization", "kustomization.yml", "kustomization.yaml"],
        "sub/.git/skipped": ["kustomization.yaml"],
        "cased": ["Kustomization.yaml"],  # kustomization.yaml itself on a case-insensitive filesystem
    }
    for directory, names in layout.items():
        (root / directory).mkdir(parents=True)
        for name in names:
            (root / directory / name).write_text("resources: []\n")
    (root / "a-dir/kustomization.yaml").mkdir(parents=True)
    for name, target in (("to-file", "../one/kustomization.yaml"), ("to-dir", "../a-dir"), ("dangling", "nowhere")):
        (root / name).mkdir()
        (root / name / "kustomization.yaml").symlink_to(target)
    (root / "fifo").mkdir()
    os.mkfifo(root / "fifo" / "Kustomization")
    (root / "fifo" / "kustomization.yml").write_text("resources: []\n")
    discover.forget()
    discover.discover(root)
    told = {}
    for directory in [*layout, "a-dir", "to-file", "to-dir", "dangling", "fifo"]:
        text = str(root / directory)
        told[directory] = discover.kustomization_files(text)
        want = [n for n in discover.KUSTOMIZATION_NAMES if os.path.isfile(os.path.join(text, n))]
        assert list(kustomization_names(text)) == want, directory
    assert told["three"] == ("kustomization.yaml", "kustomization.yml", "Kustomization")
    assert told["none"] == () and told["a-dir"] == ()
    assert {d for d, names in told.items() if names is None} == {
        "sub/.git/skipped",
        "to-file",
        "to-dir",
        "dangling",
        "fifo",
        "cased",
    }
    discover.forget()


_NAMES = st.sampled_from(["a", "a-b", "a.b", "a0", "A", "b", "ab", "a b", "é", "kustomization.yaml", "x.yaml", "x.yml"])


@given(tree=st.lists(st.lists(_NAMES, min_size=1, max_size=4), min_size=1, max_size=12))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_walk_gives_files_in_path_order(tree: list[list[str]], tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each subdirectory is walked as its name comes up among its parent's entries: the files come
    out in ``sorted`` Path order (``a/b/x.yaml`` before ``a-b.yaml``) without sorting them all."""
    root = tmp_path_factory.mktemp("walk")
    for parts in tree:
        *dirs, name = parts
        directory = root.joinpath(*dirs)
        if any(p.is_file() for p in (directory, *directory.parents) if p != root and root in p.parents):
            continue  # a name taken by a file already
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / (name if name.endswith((".yaml", ".yml")) else name + ".yaml")
        if not target.is_dir():
            target.write_text("a: 1\n")
    discover.forget()
    files = discover.discover(root).files
    discover.forget()
    walked = {Path(d) / f for d, _, names in os.walk(root) for f in names if f.endswith((".yaml", ".yml"))}
    assert files == sorted(walked)


def test_a_submodule_the_checkout_lacks_is_reported_at_its_gitmodules_line(tmp_path: Path) -> None:
    """git tracks no empty directory: an empty one at a submodule's path is a submodule this
    checkout lacks (Argo CD's has it). Checked out, missing, or outside the linted root: nothing."""
    from torghut_lint.discover import unseen_submodules

    app = tmp_path / "apps" / "torghut"
    for name in ("vendor", "quoted dir", "checked-out"):
        (app / name).mkdir(parents=True)
    (app / "checked-out" / "cm.yaml").write_text("{}\n")
    (tmp_path / "other").mkdir()
    (tmp_path / ".gitmodules").write_text(
        '[submodule "vendor"]\n\tpath = apps/torghut/vendor\n\turl = https://example.com/v.git\n'
        '[submodule "q"]\n  path = "apps/torghut/quoted dir" ; a comment\n'
        '[submodule "c"]\n\tpath = apps/torghut/checked-out\n'
        '[submodule "gone"]\n\tpath = apps/torghut/gone\n'
        '[submodule "other"]\n\tpath = other\n'
    )
    found = unseen_submodules(tmp_path, app)
    assert [(f.rule, f.location.line, f.location.file.endswith(".gitmodules")) for f in found] == [
        ("submodule-not-checked-out", 2, True),
        ("submodule-not-checked-out", 5, True),
    ]
    assert unseen_submodules(tmp_path, tmp_path / "other") != [] and unseen_submodules(tmp_path / "apps", app) == []
    # a pull request's .gitmodules is text of any kind: a NUL byte in a path names no directory (it was exit 3)
    (tmp_path / ".gitmodules").write_bytes(b'\xff\xfe[submodule "x"]\n\tpath = apps/torghut/\x00vendor\n')
    assert unseen_submodules(tmp_path, app) == []


def test_display_path_is_relpath_for_any_absolute_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Absolute paths outside the working directory (up, across, below the root) are shown by the
    common-prefix shortcut exactly as ``os.path.relpath`` shows them."""
    import random

    work = tmp_path / "a" / "b" / "work"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    cwd = os.getcwd()
    rng = random.Random(7)
    parts = [*cwd.strip("/").split("/"), "x", "..", "b"]
    for _ in range(300):
        discover.forget()
        path = Path("/" + "/".join(rng.choice(parts) for _ in range(rng.randint(0, 7))))
        assert discover.display_path(path) == os.path.relpath(path, cwd), path
    discover.forget()


def test_a_submodule_is_identified_by_the_commit_it_is_pinned_at(tmp_path: Path) -> None:
    """What Argo CD checks out of a submodule is the commit the repository pins (its gitlink): a
    pull request moving it to another commit is a new finding (the digest), the same one is not."""
    import subprocess

    from torghut_lint.discover import unseen_submodules

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "vendor").mkdir()
    (tmp_path / ".gitmodules").write_text('[submodule "v"]\n\tpath = vendor\n\turl = https://example.com/v.git\n')
    digests = []
    for commit in ("1" * 40, "2" * 40):
        git("update-index", "--add", "--cacheinfo", f"160000,{commit},vendor")
        (found,) = unseen_submodules(tmp_path, tmp_path)
        digests.append(found.digest)
    assert digests == ["1" * 16, "2" * 16]


def test_a_content_digest_changes_with_any_file_and_follows_no_link(tmp_path: Path) -> None:
    """What is not rendered is identified by its content: any file's bytes or name change it; a
    link (to / here) is not followed, so a chart cannot make the digest read the file system."""
    from torghut_lint.discover import content_digest

    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "values.yaml").write_text("replicas: 1\n")
    (chart / "templates" / "d.yaml").write_text("x\n")
    (chart / "root").symlink_to("/")
    os.mkfifo(chart / "pipe")  # never opened: it would block
    first = content_digest(chart)
    (chart / "values.yaml").write_text("replicas: 3\n")
    assert content_digest(chart) == first  # remembered for the run (one tree, many Applications asking)
    discover.forget()
    second = content_digest(chart)
    (chart / "templates" / "d.yaml").rename(chart / "templates" / "e.yaml")
    discover.forget()
    assert len({first, second, content_digest(chart)}) == 3
    assert content_digest(chart / "values.yaml") != content_digest(chart)
