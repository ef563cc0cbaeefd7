"""A YAML file's margins: its text that neither a key nor a value holds. Comments, anchors and
tags are never deployed, so the rules that read objects never see them; they are in the
repository all the same, and a credential in them is one in clear (a private key pasted into a
comment, a token made an anchor's name).

Each margin is kept in place: the file's text with everything else blanked (line breaks kept), so
a finding in it is located at the file's own line and column. Made while the file is parsed
(:func:`torghut_lint.parse.parse_bytes`), from libyaml's own reading, never guessed from the text:
a ``#`` inside a quoted or block scalar is no comment (a script's comment in a ConfigMap is that
value's, judged as the script).

- comments: every comment of a file that holds one (``#`` at a line's start or after a blank, not
  inside a quoted or block scalar): the composed nodes say which scalars hold a ``#``, each
  collection looked into only where one stands in it;
- properties: anchors (and their aliases) and tags, only of a file that may hold one and whose
  text holds a token or a URL with a password (what the name-blind scan finds): read from
  libyaml's events, the file read once more (few files).

Keys are values to the scan (a rendered object's keys are what the cluster gets, a ConfigMap's
key made from a generator's literal too): :meth:`~torghut_lint.templates.inline_secrets._Scanner.walk`
reads them."""

from __future__ import annotations

import bisect
import functools
import re

import yaml

from torghut_lint import regex

# a comment runs from its ``#`` to the end of its line; a ``#`` starts one at a line's start or after
# a blank (libyaml's rule), unless a quoted or block scalar holds it (:meth:`Comments.quoted_in`).
# Searched for by a byte search, then, past a few ``#`` no blank precedes, by the patterns (each
# position once, in C): a line of ``#``, or of `` #`` inside a quoted scalar, is no loop of
# Python's per ``#``.
_LINE_END = re.compile(r"[\r\n\x85\u2028\u2029]")
_BLANKS = " \t\r\n\x85\u2028\u2029"
_BLANK_BYTES = b" \t\r\n\x85\xa8\xa9"  # (NEL, LS, PS: their last bytes in UTF-8)
_COMMENT_START = re.compile(f"(?:^|(?<=[{_BLANKS}]))#", re.M)
_COMMENT_START_BYTES = re.compile(b"(?:^|(?<=[" + _BLANK_BYTES + b"]))#", re.M)
_BEFORE = frozenset(_BLANKS)
_BEFORE_BYTES = frozenset(_BLANK_BYTES)
_UTF16 = (b"\xff\xfe", b"\xfe\xff")  # a UTF-16 byte-order mark: no byte of the text is ASCII's
_MISSES = 16  # ``#`` no blank precedes (a colour, a URL's fragment) looked past one by one


def _next_start(text, at: int, before: frozenset, pattern: re.Pattern) -> int:  # noqa: ANN001 - str or bytes
    """Where the next ``#`` from ``at`` that may start a comment stands, or -1."""
    for _ in range(_MISSES):
        at = text.find(b"#" if isinstance(text, bytes) else "#", at)
        if at <= 0 or text[at - 1] in before:  # (none, the text's start, or after a blank)
            return at
        at += 1
    found = pattern.search(text, at)
    return -1 if found is None else found.start()


class Comments:
    """A file's comments, found once the parse says which ``#`` a scalar holds."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.quoted: list[tuple[int, int]] = []  # (start, end) of each quoted or block scalar holding a ``#``

    @staticmethod
    def of(data: bytes) -> Comments | None:
        """For ``data`` (a file's bytes, as libyaml reads them), None when no ``#`` of it may start a
        comment (most files: a byte search, then the pattern only where one is found)."""
        if not data.startswith(_UTF16) and _next_start(data, 0, _BEFORE_BYTES, _COMMENT_START_BYTES) < 0:
            return None
        return Comments(libyaml_text(data))

    def quoted_in(self, node: yaml.Node) -> None:
        """Note the quoted and block scalars of ``node`` (a document, as composed: before its end
        marks are dropped) that hold a ``#``. Only a collection holding one is looked into; an
        alias's node once."""
        text, seen = self.text, set()
        stack = [node]
        while stack:
            current = stack.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            first, end = current.start_mark.index, current.end_mark.index
            if text.find("#", first, end) < 0:
                continue
            if type(current) is yaml.ScalarNode:
                if current.style in ("|", ">"):  # a block's header line may end in a comment
                    header = _LINE_END.search(text, first)
                    first = len(text) if header is None else header.end()
                if current.style and first < end:  # (a plain scalar ends where a comment starts)
                    self.quoted.append((first, end))
            elif type(current) is yaml.SequenceNode:
                stack.extend(current.value)
            else:
                for key, value in current.value:
                    stack += (key, value)

    def in_place(self) -> str:
        """The file's comments in place (each without its ``#``), everything else blanked; the
        text up to the last comment."""
        text, pieces, last, at = self.text, [], 0, 0
        quoted = sorted(self.quoted)
        starts = [start for start, _ in quoted]
        while (start := _next_start(text, at, _BEFORE, _COMMENT_START)) >= 0:
            i = bisect.bisect_right(starts, start) - 1
            if i >= 0 and start < quoted[i][1]:  # a scalar's: on from where it ends
                at = quoted[i][1]
                continue
            end = _LINE_END.search(text, start)
            pieces += (_blank(text, last, start), " ")
            last = at = len(text) if end is None else end.start()
            pieces.append(text[start + 1 : last])
        return "".join(pieces)


def _blank(text: str, start: int, end: int) -> str:
    """``text[start:end]`` blanked: its line breaks, then as many spaces as its last line's characters."""
    breaks = text.count("\n", start, end)
    if not breaks:
        return " " * (end - start)
    return "\n" * breaks + " " * (end - text.rfind("\n", start, end) - 1)


def may_hold_a_token(data: bytes) -> bool:
    """Whether ``data`` holds a token or a URL with a password anywhere (what the name-blind scan
    finds: :func:`~torghut_lint.secrets.tokens`, URL credentials): only then may an anchor or a
    tag of it hold one. A hint first (one pass over the bytes), then the patterns themselves."""
    from torghut_lint import secrets  # (secrets reads manifests: imported by the time files are parsed)

    if data.startswith(_UTF16):  # (read as the UTF-8 of its text)
        data = libyaml_text(data).encode("utf-8", "surrogatepass")
    hinted = _token_hint().search(data) is not None
    if not hinted and (b"://" not in data or b"@" not in data):
        return False
    text = data.decode("utf-8", errors="replace")
    return (hinted and secrets.any_token(text)) or secrets.URL_CREDENTIALS.search(text) is not None


@functools.cache
def _token_hint():  # noqa: ANN202 - an RE2 pattern
    """Every token's hint in one pattern (RE2: one pass for them all, five times Python's alternation)."""
    from torghut_lint.secrets import TOKEN_HINTS

    return regex.compile(b"|".join(re.escape(hint.encode()) for hint in TOKEN_HINTS))


def libyaml_text(data: bytes) -> str:
    """``data`` decoded as libyaml decodes it, without a byte-order mark (which libyaml's character
    index does not count)."""
    text = data.decode("utf-16" if data.startswith(_UTF16) else "utf-8", errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


def properties(data: bytes) -> str:
    """The anchors, aliases and tags of ``data`` (a YAML file that parsed) in place, as written,
    everything else blanked."""
    text = libyaml_text(data)
    out, last = [], 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if type(event) not in _NODES or not (event.anchor or getattr(event, "tag", None)):
            continue
        start, stop = event.start_mark.index, event.end_mark.index
        if start < last:  # (never one inside another's: kept in place)
            continue
        if type(event) is not yaml.AliasEvent:  # (an alias is its ``*name`` alone)
            stop = _properties_end(text, start, stop)
        out += (_blank(text, last, start), text[start:stop])
        last = stop
    return "".join(out)


def _properties_end(text: str, start: int, stop: int) -> int:
    """Where a node's properties written from ``start`` end (an anchor and a tag, in either order,
    each ``&`` or ``!`` and what follows up to a blank or a flow indicator; the node's content,
    where they end, is before ``stop``)."""
    at = end = start
    while at < stop and text[at] in "&!":
        while at < stop and text[at] not in _PROPERTY_END:
            at += 1
        end = at
        while at < stop and text[at] in " \t\r\n":
            at += 1
    return end


_PROPERTY_END = frozenset(" \t\r\n,[]{}")
_NODES = (yaml.ScalarEvent, yaml.AliasEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)
