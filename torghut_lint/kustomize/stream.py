"""The rendered resources as the YAML stream ``kubectl kustomize`` prints, so that ``diff``
against it is meaningful: objects in the order given (see :mod:`torghut_lint.kustomize.order`),
keys in the order the sources (and kustomize's own generators) give them, lists not indented
under their key, strings double-quoted where YAML would read them as something else, multi-line
strings as literal blocks, strings quoted, escaped and folded at 80 columns as go-yaml v2 writes
them (kustomize prints through ``JSONToYAML``), documents separated by ``---``."""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml

from torghut_lint.goyaml import (
    BOOLS_1_1,
    LINE_BREAKS,
    UNPRINTABLE,
    Unencodable,
    block_allowed,
    go_float_text,
    is_string,
    resolve_plain,
)
from torghut_lint.model import Resource


class _Dumper(yaml.SafeDumper):
    """SafeDumper with kustomize's conventions (see the module docstring)."""

    def write_double_quoted(self, text: str, split: bool = True) -> None:
        """A double-quoted scalar as go-yaml's emitter writes it (``write_double_quoted_scalar``):
        the same escapes as PyYAML's, but a line longer than the width is broken at a space, the
        space dropped (the line break folds back into it), with a backslash only where another
        space follows; PyYAML ends the line with an escaped line break instead."""
        self.write_indicator('"', True)
        if text.startswith("\ufeff"):  # go-yaml's is_bom looks at the text's start, not at each character
            self._write_run("".join("\\" + self._escape(ch) for ch in text))  # so it escapes them all
            self.write_indicator('"', False)
            return
        start, last_space = 0, -2
        for found in _ESCAPED_OR_SPACE.finditer(text):
            i, ch = found.start(), found.group()
            self._write_run(text[start:i])
            start = i + 1
            if ch != " ":
                self._write_run("\\" + self._escape(ch))
            elif split and last_space != i - 1 and self.column > self.best_width and 0 < i < len(text) - 1:
                self.write_indent()  # (not after another space: go-yaml breaks at the first of a run)
                if text[i + 1] == " ":
                    self._write_run("\\")
            else:
                self._write_run(" ")
            last_space = i if ch == " " else last_space
        self._write_run(text[start:])
        self.write_indicator('"', False)

    def check_simple_key(self) -> bool:
        """Whether a key is written after no ``? ``: go-yaml's test for a scalar (at most 128 bytes
        of UTF-8, no line break, a carriage return one too, empty allowed) where PyYAML counts
        characters, stops below 128 and takes neither a carriage return for a break nor an empty
        key for a simple one."""
        if isinstance(self.event, yaml.ScalarEvent):
            text = self.event.value
            return len(text.encode("utf-8", "surrogatepass")) <= 128 and not any(b in text for b in LINE_BREAKS)
        return super().check_simple_key()

    def _escape(self, ch: str) -> str:
        """``ch`` after the backslash go-yaml (and PyYAML) writes for it."""
        if ch in self.ESCAPE_REPLACEMENTS:
            return self.ESCAPE_REPLACEMENTS[ch]
        code = ord(ch)
        return f"x{code:02X}" if code <= 0xFF else f"u{code:04X}" if code <= 0xFFFF else f"U{code:08X}"

    def write_single_quoted(self, text: str, split: bool = True) -> None:
        """A single-quoted scalar as go-yaml's emitter writes it (``write_single_quoted_scalar``,
        reached for a string with a line break other than a line feed): as PyYAML's but for the
        indentation, written only before what follows a line break, never before the closing
        quote (PyYAML indents there too)."""
        self.write_indicator("'", True)
        spaces = breaks = False
        for i, ch in enumerate(text):
            if ch == " ":
                wrap = split and not spaces and self.column > self.best_width and 0 < i < len(text) - 1
                if wrap and text[i + 1] != " ":
                    self.write_indent()
                else:
                    self._write_run(" ")
                spaces = True
            elif ch in LINE_BREAKS:
                if not breaks and ch == "\n":
                    self.write_line_break()
                self.write_line_break(ch)
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                self._write_run("''" if ch == "'" else ch)
                spaces = breaks = False
        self.write_indicator("'", False)

    def _write_run(self, data: str) -> None:
        if data:
            self.column += len(data)
            self.stream.write(data)
            self.whitespace = self.indention = False

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:  # noqa: D102
        super().increase_indent(flow, False if flow else indentless)

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        """What a plain scalar reads as to go-yaml (not to PyYAML's YAML 1.1 resolver), so that a
        string is written plain exactly where go-yaml reads it back as that string."""
        if kind is not yaml.ScalarNode or not implicit[0]:
            return super().resolve(kind, value, implicit)
        if _reads_as_other_type(value):
            reading = resolve_plain(value)
            if type(reading) is Unencodable:
                return UNENCODABLE
            kind_name = {bool: "bool", int: "int", float: "float", type(None): "null"}.get(type(reading), "timestamp")
            return f"tag:yaml.org,2002:{kind_name}"
        return "tag:yaml.org,2002:str"


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    """The style go-yaml v2's encoder asks for and its emitter settles on (kustomize prints through
    ``JSONToYAML``): a multi-line string as a literal block where the emitter allows one (no space
    at the end of a line, nothing it does not print), else double-quoted; a string with a
    character go-yaml does not print (one outside the Basic Multilingual Plane: an emoji; NEL; a
    control character) double-quoted, escaped, where PyYAML would write some of them as they are;
    a string YAML would read as another type (``"1"``, ``"true"``, ``"y"``) double-quoted; the
    emitter picks plain or single quotes for the rest."""
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if block_allowed(value) else '"')
    if _reads_as_other_type(value) or UNPRINTABLE.search(value) is not None:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_BASE_60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")  # go-yaml's isBase60Float


def _reads_as_other_type(value: str) -> bool:
    """Whether ``value`` written plain would read back as something else: a number, boolean, null
    or timestamp to go-yaml v3, or a YAML 1.1 boolean or base 60 number (go-yaml quotes those)."""
    return value in BOOLS_1_1 or not is_string(value) or _BASE_60.match(value) is not None


# what go-yaml escapes in a double-quoted scalar (PyYAML the same, with allow_unicode: a quote, a
# backslash, a tab, a line break, a byte-order mark, what it does not print), and the space
_ESCAPED_OR_SPACE = re.compile(f'[ "\\\\\t{LINE_BREAKS}\ufeff]|' + UNPRINTABLE.pattern)


UNENCODABLE = "!torghut-lint/unencodable"  # a tag of its own, so that the emitter writes it plain


def _unencodable(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    """``.inf`` as written, plain (kustomize refuses the build over it, and the lint says so)."""
    return dumper.represent_scalar(UNENCODABLE, str(value))


def _float(dumper: yaml.SafeDumper, value: float) -> yaml.Node:
    """A float as go-yaml writes it (``1.2345675e+06``, not Python's ``1234567.5``)."""
    return dumper.represent_scalar("tag:yaml.org,2002:float", go_float_text(value))


_Dumper.add_representer(str, _str)
_Dumper.add_representer(Unencodable, _unencodable)
_Dumper.add_representer(float, _float)


def _key_less(a: str, b: str) -> bool:
    """go-yaml's map key order (what kubectl prints): rune by rune, letters after other
    characters, runs of digits compared as numbers."""
    digits = False
    for i in range(min(len(a), len(b))):
        x, y = a[i], b[i]
        if x == y:
            digits = x.isdigit()
            continue
        xl, yl = x.isalpha(), y.isalpha()
        if xl and yl:
            return x < y
        if xl or yl:
            return xl if digits else yl
        ai, an = _number(a, i)
        bi, bn = _number(b, i)
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return x < y
    return len(a) < len(b)


def _number(text: str, start: int) -> tuple[int, int]:
    end = start
    while end < len(text) and text[end].isdigit():
        end += 1
    return end, int(text[start:end]) if end > start else 0


_KEY_ORDER = functools.cmp_to_key(lambda a, b: -1 if _key_less(a, b) else (1 if _key_less(b, a) else 0))


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value, key=lambda k: _KEY_ORDER(str(k)))}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def dump(resources: list[Resource]) -> str:
    """The stream of ``resources`` (already in the order to print)."""
    return "---\n".join(
        yaml.dump(
            _sorted(r.data), Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=80
        )
        for r in resources
    )
