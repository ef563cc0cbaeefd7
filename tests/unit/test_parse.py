"""Parsing: positions, YAML 1.2 values, duplicate keys and hostile encodings."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import kubectl_reads
from torghut_lint import parse
from torghut_lint.parse import MAX_DEPTH, parse_bytes, split_findings


def rules(parsed) -> list[tuple[str, int]]:
    return [(f.rule, f.location.line) for f in parsed.findings]


def test_yaml_1_1_surprises_keep_their_text() -> None:
    doc = (
        parse_bytes(
            b"restartedAt: 2026-05-01T01:25:51Z\nnorway: NO\nflag: yes\nmode: on\n"
            b"ver: 1.10\nq: '0777'\nn: 0o17\nt: true\ne:\n",
            "x.yaml",
        )
        .documents[0]
        .data
    )
    assert doc == {
        "restartedAt": "2026-05-01T01:25:51Z",
        "norway": "NO",
        "flag": "yes",
        "mode": "on",
        "ver": 1.10,
        "q": "0777",
        "n": 15,
        "t": True,
        "e": None,
    }


def test_marks_keep_file_line_and_column() -> None:
    parsed = parse_bytes(b"---\n# c\na:\n  b:\n    - x\n    - y: 1\n", "dir/f.yaml")
    node = parsed.documents[0].node
    item = node.value[0][1].value[0][1].value[1]
    assert (item.start_mark.name, item.start_mark.line + 1, item.start_mark.column + 1) == ("dir/f.yaml", 6, 7)


def test_multi_document_with_empty_and_comment_only_documents() -> None:
    parsed = parse_bytes(b"---\n---\n# only a comment\n---\na: 1\n---\n", "f.yaml")
    assert [d.data for d in parsed.documents if d.data is not None] == [{"a": 1}]
    assert parsed.findings == []


def test_duplicate_keys_at_any_depth() -> None:
    parsed = parse_bytes(b"a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\na: 2\n", "f.yaml")
    assert sorted(rules(parsed)) == [("yaml-duplicate-key", 5), ("yaml-duplicate-key", 6)]
    assert parsed.documents[0].data == {"a": 2, "b": {"c": 3, "d": 2}}


def test_a_repeated_key_names_the_occurrence_before_it() -> None:
    """Three of one key: the second repeats the first, the third the second; a ``<<`` merge key
    in between is not a repeat of anything, and a quoted '<<' is an ordinary key."""
    text = b"base: &b {x: 1}\nm:\n  k: 1\n  <<: *b\n  k: 2\n  '<<': 3\n  k: 3\n  '<<': 4\n"
    parsed = parse_bytes(text, "f.yaml")
    messages = [(f.location.line, f.message) for f in parsed.findings]
    assert messages == [
        (5, "key 'k' repeats the one at line 3; Kubernetes keeps only one"),
        (7, "key 'k' repeats the one at line 5; Kubernetes keeps only one"),
        (8, "key '<<' repeats the one at line 6; Kubernetes keeps only one"),
    ]
    assert parsed.documents[0].data["m"] == {"k": 3, "<<": 4, "x": 1}


def test_syntax_error_has_line_and_keeps_earlier_documents() -> None:
    parsed = parse_bytes(b"a: 1\n---\nb: [1, 2\nc: 3\n", "f.yaml")
    assert parsed.documents[0].data == {"a": 1}
    assert [f.rule for f in parsed.findings] == ["yaml-syntax"]
    assert parsed.findings[0].location.line >= 3


def test_tab_indentation_is_a_syntax_error() -> None:
    parsed = parse_bytes(b"a:\n\tb: 1\n", "f.yaml")
    assert rules(parsed) == [("yaml-syntax", 2)]


def test_crlf_bom_and_utf16_keep_lines() -> None:
    for data in (
        b"a: 1\r\nb:\r\n  c: 2\r\n",
        "\ufeffa: 1\nb:\n  c: 2\n".encode(),
        "a: 1\nb:\n  c: 2\n".encode("utf-16"),
    ):
        parsed = parse_bytes(data, "f.yaml")
        assert parsed.findings == [], data[:10]
        c_key = parsed.documents[0].node.value[1][1].value[0][0]
        assert c_key.start_mark.line + 1 == 3


def test_invalid_utf8_and_binary_are_reported_not_raised() -> None:
    bad = parse_bytes(b"a: \xff\xfe\xfa\n", "f.yaml")
    assert [f.rule for f in bad.findings] == ["yaml-syntax"]
    binary = parse_bytes(b"\x00\x01\x02ELF", "f.yaml")
    assert "binary" in binary.findings[0].message


def test_alias_bomb_is_bounded() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    parsed = parse_bytes("\n".join(lines).encode(), "bomb.yaml")
    assert [f.rule for f in parsed.findings] == ["yaml-too-complex"]
    assert parsed.documents == []


def test_deep_nesting_is_bounded() -> None:
    deep = ("[" * (MAX_DEPTH + 50)) + ("]" * (MAX_DEPTH + 50))
    parsed = parse_bytes(deep.encode(), "deep.yaml")
    assert [f.rule for f in parsed.findings] in (["yaml-too-complex"], ["yaml-syntax"])


def test_pathological_nesting_never_reaches_the_recursive_composer() -> None:
    """100,000 levels would overflow the C stack in libyaml's composer (older libyaml has no
    limit of its own; newer libyaml reports a syntax error). Either way: one finding, no crash."""
    for text in (b"[" * 100_000 + b"]" * 100_000, b"- " * 100_000 + b"x\n", b"a:\n" + b" " * 2000 + b"b: 1\n"):
        parsed = parse_bytes(text, "deep.yaml")
        assert len(parsed.findings) <= 1
        assert all(f.rule in ("yaml-too-complex", "yaml-syntax") for f in parsed.findings)


def test_merge_keys_follow_yaml_semantics() -> None:
    parsed = parse_bytes(b"base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n", "f.yaml")
    assert parsed.documents[0].data["d"] == {"x": 1, "y": 3}


def test_non_string_and_complex_keys() -> None:
    parsed = parse_bytes(b"1: a\n? [x]\n: b\n", "f.yaml")
    assert rules(parsed) == [("yaml-syntax", 2)]
    assert "Kubernetes keys are strings" in parsed.findings[0].message
    assert parse_bytes(b"1: a\n", "f.yaml").documents[0].data == {"1": "a"}


def test_a_file_read_to_its_end_even_when_it_grew(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The size ``fstat`` gave is a hint: a file that grew since is read whole, or refused once
    over the limit (never a partial parse)."""
    from torghut_lint import parse

    path = tmp_path / "grown.yaml"
    path.write_bytes(b"a: 1\n" * 20)
    fd = os.open(path, os.O_RDONLY)
    try:
        assert parse._read_all(fd, 10) == b"a: 1\n" * 20
        os.lseek(fd, 0, os.SEEK_SET)
        monkeypatch.setattr(parse, "MAX_FILE_BYTES", 50)
        with pytest.raises(OSError, match="grew over the size limit"):
            parse._read_all(fd, 10)
    finally:
        os.close(fd)


def test_read_into_reads_a_whole_regular_file_or_says_none(tmp_path, monkeypatch) -> None:
    """The survey's read: a regular file that fits, whole; anything else (too large, a FIFO, a
    directory, nothing there, a short read) is None, for ``read_source`` to read or explain."""
    import os

    from torghut_lint.parse import read_into

    buffer = bytearray(64)
    (tmp_path / "small.yaml").write_bytes(b"a: 1\n")
    (tmp_path / "fits.yaml").write_bytes(b"x" * 63)
    (tmp_path / "large.yaml").write_bytes(b"x" * 64)
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "dir.yaml").mkdir()
    assert read_into(tmp_path / "small.yaml", buffer) == 5 and bytes(buffer[:5]) == b"a: 1\n"
    assert read_into(tmp_path / "fits.yaml", buffer) == 63
    for name in ("large.yaml", "pipe.yaml", "dir.yaml", "missing.yaml"):
        assert read_into(tmp_path / name, buffer) is None, name
    monkeypatch.setattr(os, "readv", lambda fd, buffers: 2)  # a filesystem that returns less than asked
    assert read_into(tmp_path / "small.yaml", buffer) is None


def test_pyyamls_reader_pattern_compiled_on_first_use_still_finds_what_it_found() -> None:
    """torghut_lint defers PyYAML's pure-Python reader pattern (start-up time); anything that uses
    it gets the same answers."""
    import yaml.reader

    pattern = yaml.reader.Reader.NON_PRINTABLE
    assert pattern.search("ab\x07c").start() == 2
    assert pattern.search("plain text, \u00e9 and \U0001f600") is None
    with pytest.raises(yaml.reader.ReaderError):
        yaml.reader.Reader("bell \x07")


def test_a_key_repeated_a_hundred_thousand_times_is_read_in_one_pass_and_listed_a_hundred_times() -> None:
    """Each repeat names its original (found in one walk over the mapping, not one per repeat:
    700 kB of ``a: b`` took minutes), the first hundred one by one, the rest in one finding."""
    parsed = parse_bytes(b"data:\n" + b"  a: b\n" * 100_000, "f.yaml")
    listed = [f for f in parsed.findings if f.location.line > 1]
    assert len(listed) == 100 and listed[-1].message == "key 'a' repeats the one at line 101; Kubernetes keeps only one"
    (rest,) = [f for f in parsed.findings if f.location.line == 1]
    assert rest.rule == "yaml-duplicate-key" and rest.message.startswith("99,899 more repeated keys in this file")
    assert parsed.documents[0].data == {"data": {"a": "b"}}


def _shared(node, seen: set[int] | None = None) -> bool:
    """Whether a composed graph reaches one collection twice (an alias)."""
    import yaml

    seen = set() if seen is None else seen
    if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        return False
    if id(node) in seen:
        return True
    seen.add(id(node))
    children = [v for pair in node.value for v in pair] if isinstance(node, yaml.MappingNode) else node.value
    return any(_shared(child, seen) for child in children)


ANCHORED = [
    "a: &x {k: v}\nb: *x\n",
    "- &x [1, 2]\n- *x\n",
    "{a: &x {k: v}, b: *x}\n",
    '{"a":&x [1], "b": *x}\n',
    "--- &top\na: &x {k: v}\nb: *x\n",
    "a: !!map &x {k: v}\nb: *x\n",
    "a: &x [{k: v}]\nb: [*x, *x]\n",
    "- [&x {k: v}, *x]\n",
    "a: {b: &x [1], c: *x}\n",
]


@pytest.mark.parametrize("text", ANCHORED)
def test_every_alias_is_copied_however_its_anchor_is_written(text: str) -> None:
    """A file is copied only where it may hold an anchor (most files hold none); the test that
    says so must never miss one, or a patch of one place reaches the other (see parse_bytes)."""
    import yaml

    assert _shared(yaml.compose(text, Loader=yaml.SafeLoader))  # the plain reading shares the node
    for doc in parse_bytes(text.encode(), "a.yaml").documents:
        assert not _shared(doc.node)


# the pieces the two quick checks look for and around; every other byte is alike to them
_PIECES = [b"\n", b"---", b"-", b" ", b"\t", b"\r", b"\x0b", b"#", b"%", b"&", b"a", b"[", b"]", b"{", b",", b":"]
_AROUND = st.lists(st.sampled_from(_PIECES), max_size=24).map(b"".join)
_SPLIT_LINE = re.compile(rb"---[ \t\r\f\v]*[^\s#]|%")  # at the start, or after a line break


@settings(max_examples=3000, deadline=None)
@given(_AROUND, st.integers(0, 80))
def test_quick_byte_checks_say_what_their_patterns_say(text: bytes, ampersands: int) -> None:
    """The anchor and separator checks find each candidate by ``find`` and look around it (a
    pattern search tried every position); they must answer as the patterns they stand for,
    also past the count of ``&`` where the anchor check searches instead."""
    text += b" &&" * ampersands if ampersands > 60 else b""
    assert parse._may_hold_anchor(text) == (parse._ANCHOR.search(text) is not None)
    lines = [text, *(text[i + 1 :] for i in range(len(text)) if text[i : i + 1] == b"\n")]
    expected = _SPLIT_LINE.match(lines[0]) is not None or any(
        re.match(rb"---[ \t\r\f\v]*[^\s#]|%", line) for line in lines[1:]
    )
    assert parse._may_be_split_wrongly(text) == expected


CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s}\n"
# (file text, the lines Go's readers refuse it at)
SPLITS = {
    "an object after a separator": (CM % "a" + "--- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n", [4]),
    "an object on the first line": ("--- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n", [1]),
    "a tag after a separator": (CM % "a" + "--- !!map\n" + CM % "b", [4]),
    "a lone carriage return": (CM % "a" + "---\r" + CM % "b", [4]),
    "a directive first": ("%YAML 1.1\n---\n" + CM % "a", [1]),
    "a directive after a comment": ("# head\n\n%YAML 1.1\n---\n" + CM % "a", [3]),
    "a directive after an ended document": (CM % "a" + "...\n%YAML 1.1\n---\n" + CM % "b", []),
    "comments and blanks after separators": (CM % "a" + "--- # b\n" + CM % "b" + "---  \t\n" + CM % "c", []),
    "windows line ends": ((CM % "a" + "---\n" + CM % "b").replace("\n", "\r\n"), []),
}


@pytest.mark.parametrize("name", sorted(SPLITS))
def test_documents_are_split_as_go_readers_split_them(tmp_path: Path, name: str) -> None:
    text, refused = SPLITS[name]
    parsed = parse_bytes(text.encode(), "t.yaml")
    assert parsed.ok
    assert [line for line, _, _ in parsed.splits] == refused
    assert [f.location.line for f in split_findings(parsed, "manifest-invalid", "Argo CD")] == refused
    kustomize = [f.location.line for f in split_findings(parsed, "kustomize-invalid", "kustomize")]
    assert kustomize == [line for line in refused if line > 1 or text.startswith("%")]  # kustomize cuts after line 1
    if shutil.which("kubectl") is None:
        return
    (tmp_path / "t.yaml").write_bytes(text.encode())
    proc = kubectl_reads(tmp_path / "t.yaml", "name")
    assert (proc.returncode != 0) == bool(refused), proc.stderr


def test_split_lines_of_an_inline_text_count_from_where_it_starts() -> None:
    padded = b"\n\n\n--- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n"
    assert parse_bytes(padded, "k.yaml", 4).splits[0][0::2] == (4, True)
    assert parse_bytes(padded, "k.yaml").splits[0][0::2] == (4, False)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (b"a: \xff\n", "not valid UTF-8 text: invalid byte at offset 3 (line 1)"),
        (b"a: b\nc: \x1c\n", "not YAML text: control characters are not allowed: byte 0x1c at offset 8 (line 2)"),
    ],
)
def test_text_libyaml_cannot_read_is_told_for_what_it_is(text: bytes, said: str) -> None:
    """An invalid UTF-8 byte and a control character (valid UTF-8, which YAML does not allow) are
    two reasons: the finding says which, and where."""
    (finding,) = parse_bytes(text, "f.yaml").findings
    assert finding.rule == "yaml-syntax" and finding.message == said


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"", ""),
        ("caf\u00e9=1\n".encode(), "caf\u00e9=1\n"),
        (b"\xef\xbb\xbfa=1\n", "a=1\n"),  # the mark dropped
        ("a=\u00e9\n".encode("utf-16"), "a=\u00e9\n"),
        ("a=\u00e9\n".encode("utf-32"), "a=\u00e9\n"),  # UTF-32's mark, not UTF-16's it begins with
        ("a=1\nb=2\n".encode("utf-16-le"), "a=1\nb=2\n"),
        ("a=1\nb=2\n".encode("utf-16-be"), "a=1\nb=2\n"),
        ("pass=caf\u00e9\n".encode("latin-1"), "pass=caf\u00e9\n"),  # a .properties file's encoding
        (bytes(range(256)), None),  # NULs in no UTF-16 pattern: binary
        (b"a=1\x00\n", None),
        (b"\x00", None),
    ],
)
def test_text_of_reads_what_a_reader_takes_for_text(data: bytes, text: str | None) -> None:
    from torghut_lint.parse import text_of

    assert text_of(data) == text
