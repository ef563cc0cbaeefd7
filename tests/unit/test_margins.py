"""A YAML file's margins (torghut_lint.margins): its comments, anchors and tags, each in place, as
libyaml reads the file; never a ``#`` a scalar holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from torghut_lint.margins import may_hold_a_token, properties
from torghut_lint.parse import parse_bytes, parse_file

TOKEN = "ghp_" + "Qz8Wx2Ec4Rv6Tb8Yn0Um2Ik4Ol6Pa8Sd0Fg2"


def comments(text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    parsed = parse_bytes(data, "f.yaml", with_margins=True)
    assert parsed.ok, parsed.findings
    return parsed.comments


def test_comments_stand_where_they_are_written_and_nothing_else_does() -> None:
    text = (
        "# head\n"
        "a: 1 # after a value\n"
        'b: "x # inside double quotes"\n'
        "c: 'y # inside single quotes'\n"
        "d: |\n  # a block's line\n  z\n"
        "# after the block\n"
        "e: http://h/p#fragment # a comment after a #\n"
        "f: a#b\n"
        "--- # a document's\n"
        "g: {h: 1} # after a flow mapping\n"
    )
    got = comments(text).split("\n")
    lines = text.split("\n")

    def at(n: int, hash_at: int) -> str:  # line n with all but its comment blanked, the ``#`` too
        return " " * (hash_at + 1) + lines[n][hash_at + 1 :]

    assert got[0] == at(0, 0)
    assert got[1] == at(1, 5)
    assert got[2:7] == ["", "", "", "", ""]
    assert got[7] == at(7, 0)
    assert got[8] == at(8, lines[8].index(" # ") + 1)
    assert got[9] == ""
    assert got[10] == at(10, 4)
    assert got[11] == at(11, 11)


def test_a_block_scalar_s_header_line_may_end_in_a_comment() -> None:
    assert comments("a: | # head\n  text # not\n") == " " * 7 + "head"
    assert comments("a: >2- # head\n  text\n").split("\n")[0] == "         head"


def test_a_multi_line_quoted_scalar_holds_its_hashes() -> None:
    assert comments('a: "one\n  # two"\nb: 1 # three\n').split("\n") == ["", "", "       three"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_places_are_characters_whatever_the_encoding(encoding: str) -> None:
    """libyaml's index counts characters (a byte-order mark not): a comment after a quoted scalar
    of wide characters is found, the ``#`` inside it is not."""
    text = 'a: "é€😀 # not" # yes\n'
    assert comments(text.encode(encoding)) == " " * 16 + " yes"


def test_line_breaks_of_every_kind_keep_their_lines() -> None:
    assert comments("a: 1\r\nb: 2 # c\r\n").split("\n") == ["", " " * 7 + "c"]


def test_an_aliased_collection_is_looked_into_once() -> None:
    """A billion-laughs file with comments is walked node by node, never alias by alias."""
    lines = ["a0: &a0 [x, x] # c"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 16)]
    parsed = parse_bytes(("\n".join(lines) + "\n").encode(), "f.yaml", with_margins=True)
    assert parsed.comments.split("\n")[0].endswith("  c")


def test_a_file_that_does_not_parse_has_no_margins() -> None:
    """Its parse blocks (yaml-syntax); what is read of it is not half read."""
    parsed = parse_bytes(b"# c\na: [\n", "f.yaml", with_margins=True)
    assert not parsed.ok and parsed.comments == ""


def test_margins_are_read_from_the_tree_s_files_only(tmp_path: Path) -> None:
    """A manifest's; not the linter's own policies or configuration, nor an inline text parsed
    again (a ConfigMap's embedded file is judged as its value)."""
    path = tmp_path / "m.yaml"
    path.write_text("a: 1 # c\n")
    assert parse_file(path, "m.yaml").comments.strip() == "c"
    assert parse_file(path, "m.yaml", go_yaml=False).comments == ""
    assert parse_bytes(b"a: 1 # c\n", "m.yaml").comments == ""


def test_anchors_aliases_and_tags_stand_where_they_are_written() -> None:
    text = f"a: &{TOKEN} x\nb: *{TOKEN}\nc: !{TOKEN} y\nd: !!str &n2\n  k: v\nplain: value\n"
    got = properties(text.encode()).split("\n")
    assert got[0] == f"   &{TOKEN}"
    assert got[1] == f"   *{TOKEN}"
    assert got[2] == f"   !{TOKEN}"
    assert got[3] == "   !!str &n2"
    assert got[4:] in ([], [""], ["", ""])  # keys and values blanked


def test_only_a_file_with_a_token_or_a_url_password_is_read_for_properties() -> None:
    assert not may_hold_a_token(b"a: task-runner\nb: disk-size\n")  # a hint ("sk-") is no token
    assert may_hold_a_token(f"a: &{TOKEN} x\n".encode())
    assert may_hold_a_token(f"a: &{TOKEN} x\n".encode("utf-16"))
    assert may_hold_a_token(b"a: !x postgres://u:pw-secret@db/x\n")
    assert not may_hold_a_token(b"a: https://example.com/@user\n")
    parsed = parse_bytes(f"a: &{TOKEN} x\n".encode(), "f.yaml", with_margins=True)
    assert parsed.properties.strip() == f"&{TOKEN}"
    assert parse_bytes(b"a: &anchor x\n", "f.yaml", with_margins=True).properties == ""


def test_a_line_of_hashes_is_read_once() -> None:
    """Each ``#`` after a blank may start a comment, so each is a candidate; finding where each
    one's line ends from each was quadratic (a 600 kB line of ``' #'``: minutes). Linear now."""
    line = "a: '" + " #" * 150_000 + "' " + " #" * 150_000
    parsed = parse_bytes((line + "\n").encode(), "f.yaml", with_margins=True)
    first = line.index("#", line.rindex("' "))  # the first after the quoted scalar
    assert parsed.comments == " " * (first + 1) + line[first + 1 :]


def test_a_line_of_hashes_no_blank_precedes_is_read_once() -> None:
    """A ``#`` no blank precedes starts no comment (a colour, a URL's fragment): a plain scalar of
    600,000 of them is passed over by the pattern, not one ``#`` at a time."""
    line = "a: x" + "#" * 600_000 + " # c"
    assert parse_bytes((line + "\n").encode(), "f.yaml", with_margins=True).comments == " " * (len(line) - 1) + "c"
