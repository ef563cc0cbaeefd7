"""``torghut-lint fix``: repair findings whose remedy is unambiguous, editing the file where the
offending value is written with ruamel.yaml round-trip (comments, key order, quoting and
indentation kept).

Fixers belong to templates (``Template.fix``), so every policy over a fixable template is
fixable the same way: ``annotation-equals`` (value, and a key at the wrong place moved to the
right map), ``env-switch-off`` (a switch with a single allowed value set back to it),
``replica-count`` (``spec.replicas`` set to the required count). Everything else, including
switches read from Secrets and owner annotations (a fix never invents an owner or a reason), is
left for a person. A file whose formatting ruamel cannot reproduce exactly is not touched.
Writes are atomic; a second run changes nothing."""

from __future__ import annotations

import difflib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from torghut_lint import written
from torghut_lint.model import Finding
from torghut_lint.policy import Policy
from torghut_lint.templates import load_template


class FixError(Exception):
    """A file that cannot be edited safely (named in the message)."""


@dataclass
class Applied:
    finding: Finding
    description: str


def _yaml(mapping: int, sequence: int, offset: int, explicit_start: bool) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    yaml.explicit_start = explicit_start
    return yaml


class EditedFile:
    """A YAML file loaded for round-trip editing, with a dumper proven to reproduce it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.original = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise FixError(f"{path}: cannot be read for editing ({type(exc).__name__})") from exc
        # Line endings are kept: a CRLF file is edited as LF and written back as CRLF; a file
        # that mixes both cannot be reproduced exactly and is left alone.
        self.crlf = "\r\n" in self.original
        text = self.original.replace("\r\n", "\n") if self.crlf else self.original
        if "\r" in text:
            raise FixError(f"{path}: mixed or bare CR line endings cannot be preserved; fix it by hand")
        for mapping, sequence, offset in ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4)):
            explicit = text.lstrip().startswith("---")
            yaml = _yaml(mapping, sequence, offset, explicit)
            try:
                docs = list(yaml.load_all(text))
            except Exception as exc:  # noqa: BLE001 - ruamel raises many types
                raise FixError(f"{path}: cannot be parsed for editing ({type(exc).__name__})") from exc
            if self._dump(yaml, docs) == text:
                self.yaml, self.docs = yaml, docs
                return
        raise FixError(f"{path}: its formatting cannot be preserved exactly; fix it by hand")

    @staticmethod
    def _dump(yaml: Any, docs: list) -> str:
        out = io.StringIO()
        yaml.dump_all(docs, out)
        return out.getvalue()

    def text(self) -> str:
        out = self._dump(self.yaml, self.docs)
        return out.replace("\n", "\r\n") if self.crlf else out

    def key_at(self, line: int, column: int) -> tuple[Any, Any, Any] | None:
        """(document, mapping, key) whose key sits at 1-based ``line``:``column``."""
        for doc in self.docs:
            for mapping, key in mappings_of(doc):
                pos = mapping.lc.data.get(key)  # none for a key a repair added
                if pos and pos[0] + 1 == line and pos[1] + 1 == column:
                    return doc, mapping, key
        return None


def mappings_of(node: Any) -> list[tuple[Any, Any]]:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    out, stack = [], [node]
    while stack:
        current = stack.pop()
        if isinstance(current, CommentedMap):
            out.extend((current, k) for k in current)
            stack.extend(current.values())
        elif isinstance(current, CommentedSeq):
            stack.extend(current)
    return out


def string_like(old: Any, text: str) -> Any:
    """``text`` as a string scalar quoted the way ``old`` was (double quotes if it was plain)."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    if isinstance(old, SingleQuotedScalarString):
        return SingleQuotedScalarString(text)
    return DoubleQuotedScalarString(text)


def ensure_mapping(mapping: Any, key: str) -> Any:
    from ruamel.yaml.comments import CommentedMap

    if not isinstance(mapping.get(key), CommentedMap):
        mapping[key] = CommentedMap()
    return mapping[key]


def _check_target(path: Path, boundary: Path | None) -> None:
    """Refuse to edit through a symlink that leaves the repository (the edit would land outside
    the tree the user asked to fix)."""
    if boundary is None or not path.is_symlink():
        return
    target = Path(os.path.realpath(path))
    if not target.is_relative_to(Path(os.path.realpath(boundary))):
        raise FixError(f"{path}: a symlink to a file outside the repository; fix {target} by hand")


def repairs(
    findings: list[Finding], policies: dict[str, Policy], boundary: Path | None = None
) -> tuple[dict[Path, EditedFile], list[Applied]]:
    """Apply every fixable finding to in-memory documents; ``boundary`` is the repository root
    no edit may leave. Every finding's key is found in the files as read before any repair runs:
    a repair that adds keys (an annotations map) moves the lines after it."""
    documents: dict[Path, EditedFile] = {}
    applied: list[Applied] = []
    located = []
    for finding in findings:
        policy = policies.get(finding.rule)
        if policy is None or not finding.fixable or finding.waived or not finding.location.line:
            continue
        template = load_template(policy.template)
        if template.fix is None:
            continue
        path = Path(finding.location.file)
        if path not in documents:
            _check_target(path, boundary)
            documents[path] = EditedFile(path)
        document = documents[path]
        found = document.key_at(finding.location.line, finding.location.column)
        if found is not None:
            located.append((finding, template, policy, found))
    for finding, template, policy, found in located:
        description = template.fix(template.with_defaults(policy.params), *found)
        if description:
            applied.append(Applied(finding, description))
    return documents, applied


def diff(documents: dict[Path, EditedFile]) -> str:
    chunks = []
    for path, document in sorted(documents.items()):
        new = document.text()
        if new != document.original:
            chunks += difflib.unified_diff(
                document.original.splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile=f"a/{path}",
                tofile=f"b/{path}",
            )
    return "".join(chunks)


def write(documents: dict[Path, EditedFile]) -> list[Path]:
    """Write changed files atomically (same directory, same permissions); returns them. A symlink
    stays a symlink: the file it points at is edited (the caller has checked it is in the tree)."""
    changed = []
    for path, document in sorted(documents.items()):
        new = document.text()
        if new == document.original:
            continue
        path = Path(os.path.realpath(path))
        data = new.encode("utf-8")
        written.replace(path, lambda out, data=data: out.write(data), text=False)
        changed.append(path)
    return changed
