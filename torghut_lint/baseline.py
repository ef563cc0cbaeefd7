"""Finding identity, and baselines for adopting the gate on an existing repository.

A finding's identity is (rule, subject, key, digest): the subject is the resource (group, kind,
namespace, name), the application for application totals, the kind for kind-level findings, or
the file (relative to the repository root) for file-level ones; the key is the field with list
items named by their merge key (``env[name=LIVE]``, never ``env[39]``) plus the requirement when
several can fail at one place; the digest is a digest of the offending value (never the value).
So a line that moves keeps its identity, a worse value gets a new one, and nothing depends on the
order resources are rendered in. Baselines, ``--new-since`` and SARIF fingerprints all use it;
the first two compare it without the index of an item that has no merge key when the finding is
about a value (:func:`compared`: a word inserted before a baselined one on a command line).

A finding about a credential in clear has no digest of its value in its identity (a short hash of
a weak password can be reversed); ``--new-since`` compares the credentials themselves, in memory.
A baseline, which is written to a file, records a salted, deliberately slow digest of them
(:func:`credential_digest`, the salt in the file), so another credential where a baselined one
was is a new finding, and the file holds nothing a table of guesses reverses cheaply.

Baseline files carry ``formatVersion``: 3 records identities and credential digests; 2 (identities
alone) is still read, but its entries for credential findings absorb none (they cannot tell one
credential from another: rewrite the file); 1 (rule, subject, indexed field, file paths as given)
is still read, matched the old way, and should be rewritten."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections import Counter
from pathlib import Path

from torghut_lint import __version__, written
from torghut_lint.discover import real_text
from torghut_lint.model import Finding
from torghut_lint.report.jsontext import indented

FORMAT_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)
SALT_BYTES = 16
# scrypt's cost: 16 ms and 8 MiB a credential finding when a baseline is written or read
SCRYPT_N, SCRYPT_R = 2**13, 8
CREDENTIAL = "credential:"  # how a credential finding's digest starts in a baseline entry
# Slow digests a run computes: a baseline records at most this many credential findings (16 s to
# write), and a run compares at most this many with one (16 s); past that, a finding that could
# have been absorbed is reported as new, and said to be. Only a finding at a place the baseline
# holds a credential for needs one: a pull request writing thousands of credentials elsewhere
# costs nothing here (each used to cost 16 ms: 40,000 of them, 2 MB, took ten minutes).
MAX_CREDENTIAL_DIGESTS = 1_000

Identity = tuple[str, str, str, str]


class BaselineError(Exception):
    """An unreadable or malformed baseline file (named in the message)."""


def relative_to_root(path: str, root: Path | None) -> str:
    """``path`` (absolute, or relative to the working directory) relative to ``root``, POSIX."""
    if root is None or path.startswith("<"):  # <stdin>
        return path.replace(os.sep, "/")
    return _relative_to_root(os.getcwd(), path, root)


@functools.lru_cache(maxsize=1 << 16)  # a report names the same files many times
def _relative_to_root(cwd: str, path: str, root: Path) -> str:
    absolute = real_text(os.path.join(cwd, path))
    return _below(absolute, str(root)) or path.replace(os.sep, "/")


def _below(absolute: str, root: str) -> str | None:
    """``Path(absolute).relative_to(root).as_posix()`` for resolved paths, or None where it raises.
    As text where the answer is plain (a Path per file was most of a large report's identities);
    by pathlib itself for the spellings it reads its own way (Windows, a leading ``//``)."""
    if os.sep == "/" and not absolute.startswith("//") and not root.startswith("//"):
        if absolute == root:
            return "."
        prefix = root if root.endswith("/") else root + "/"
        return absolute[len(prefix) :] if absolute.startswith(prefix) else None
    try:
        return Path(absolute).relative_to(root).as_posix()
    except ValueError:
        return None


def identity(finding: Finding, root: Path | None = None) -> Identity:
    """The finding's identity; file and application paths relative to ``root`` (the repository
    root, resolved), so the same tree gives the same identities from any working directory."""
    subject = finding.subject
    if subject.startswith("app:"):
        subject = "app:" + relative_to_root(subject[4:], root)
    elif not subject:
        rid = finding.resource
        if rid is not None:
            kind = f"{rid.kind}.{rid.group}" if rid.group else rid.kind
            subject = f"{kind}/{rid.namespace}/{rid.name}"
        else:
            subject = "file:" + relative_to_root(finding.location.file, root)
    return finding.rule, subject, finding.key or finding.field, finding.digest


# A list item's index at the end of a key (before a requirement): ``args[3]``, ``args[3]#x``
_TRAILING_INDEX = re.compile(r"\[[0-9]+\](?=(?:#.*)?$)", re.S)


def compared(identity: Identity) -> Identity:
    """``identity`` as findings are compared with (a baseline, ``--new-since``): a finding on a
    list item that has no merge key (a word of a command line, a value of a list of values) is the
    same finding wherever the item moves in its list when it is about a value (it has a digest: of
    the value, or of nothing for a credential, whose credentials are compared besides), so its
    index goes (``command[3]`` is ``command[*]``): a word inserted before it renews nothing, and
    two of one value in one list are two of the multiset. One about a structure or an absence (no
    digest) keeps its index: nothing else tells those items apart. Written identities (baseline
    files, fingerprints) keep the index as they always had it."""
    rule, subject, key, digest = identity
    if digest and (key.endswith("]") or "]#" in key):
        key = _TRAILING_INDEX.sub("[*]", key, count=1)
    return rule, subject, key, digest


@functools.lru_cache(maxsize=1024)
def credential_digest(secrets: tuple[str, ...], salt: bytes) -> str:
    """A salted, slow digest of the credentials a finding is about (never stored unsalted)."""
    material = "\0".join(secrets).encode("utf-8", "surrogatepass")
    return CREDENTIAL + hashlib.scrypt(material, salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=1, dklen=16).hex()


def legacy_identity(finding: Finding) -> tuple[str, str, str]:
    """Format 1: (rule, subject, indexed field), file subjects as displayed."""
    rid = finding.resource
    subject = f"{rid.kind}/{rid.namespace}/{rid.name}" if rid else f"file:{finding.location.file}"
    return finding.rule, subject, finding.field


def fingerprints(findings: list[Finding], root: Path | None = None) -> list[str]:
    """One fingerprint per finding, unique in the list: the identity's digest, and for the n-th
    finding of one identity (n > 1) a ``:n`` suffix."""
    seen: Counter[str] = Counter()
    out = []
    for f in findings:
        digest = hashlib.sha256("|".join(identity(f, root)).encode("utf-8", "surrogatepass")).hexdigest()[:32]
        seen[digest] += 1
        out.append(digest if seen[digest] == 1 else f"{digest}:{seen[digest]}")
    return out


class Baseline:
    """A multiset of finding identities (formats 2 and 3) or of legacy keys (format 1)."""

    def __init__(
        self, counts: Counter[tuple], version: int = FORMAT_VERSION, salt: bytes = b"", path: Path | None = None
    ) -> None:
        self.counts = counts
        self.version = version
        self.salt = salt or os.urandom(SALT_BYTES)
        self.path = path  # the file it was read from
        self.uncompared = 0  # credential findings the last new_findings() reported unread (the digest limit)

    def key(self, finding: Finding, root: Path | None = None) -> tuple | None:
        """What ``finding`` is recorded as in this baseline; None when this baseline cannot
        record it (a credential finding in a format 2 file)."""
        if self.version == 1:
            return legacy_identity(finding)
        rule, subject, key, digest = identity(finding, root)
        if finding.secrets:
            if self.version < 3:
                return None
            digest = credential_digest(tuple(finding.secrets), self.salt)
        return rule, subject, key, digest

    @classmethod
    def of(cls, findings: list[Finding], root: Path | None = None) -> Baseline:
        """The baseline of ``findings`` (waived ones are not recorded); refused (:class:`BaselineError`)
        when they are about more distinct credentials than :data:`MAX_CREDENTIAL_DIGESTS`."""
        recorded = [f for f in findings if not f.waived]
        credentials = len({tuple(f.secrets) for f in recorded if f.secrets})
        if credentials > MAX_CREDENTIAL_DIGESTS:
            raise BaselineError(
                f"{credentials:,} credentials in clear among the findings: a baseline records at most "
                f"{MAX_CREDENTIAL_DIGESTS:,} (each is a slow digest, computed again by every run that reads it); "
                "move them out of the repository, or waive them in the configuration (central waivers)"
            )
        baseline = cls(Counter())
        baseline.counts = Counter(baseline.key(f, root) for f in recorded)
        return baseline

    @classmethod
    def read(cls, path: Path) -> Baseline:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(doc, dict) or doc.get("tool") != "torghut-lint":
                raise BaselineError(f'{path}: not a torghut-lint baseline (no "tool": "torghut-lint")')
            version = doc.get("formatVersion")
            if version not in READABLE_VERSIONS:
                raise BaselineError(
                    f"{path}: baseline formatVersion {version!r} is not one this torghut-lint reads "
                    f"({', '.join(map(str, READABLE_VERSIONS))}); write it again with --write-baseline"
                )
            entries = doc["entries"]
            if version == 1:
                counts = Counter({(e["rule"], e["subject"], e["field"]): int(e["count"]) for e in entries})
            else:
                counts = Counter({(e["rule"], e["subject"], e["key"], e["digest"]): int(e["count"]) for e in entries})
            salt = bytes.fromhex(doc["salt"]) if version >= 3 else b""
            if version >= 3 and len(salt) != SALT_BYTES:
                raise BaselineError(f"{path}: not a torghut-lint baseline (salt is not {SALT_BYTES} bytes)")
            return cls(counts, version, salt, path)
        except OSError as exc:
            raise BaselineError(f"{path}: cannot read baseline: {exc.strerror}") from exc
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BaselineError(f"{path}: not a torghut-lint baseline ({type(exc).__name__}: {exc})") from exc

    def write(self, path: Path) -> None:
        entries = [
            {"rule": rule, "subject": subject, "key": key, "digest": digest, "count": count}
            for (rule, subject, key, digest), count in sorted(self.counts.items())
        ]
        doc = {
            "tool": "torghut-lint",
            "toolVersion": __version__,
            "formatVersion": FORMAT_VERSION,
            "salt": self.salt.hex(),
            "entries": entries,
        }
        text = indented(doc) + "\n"
        written.replace(path, lambda out: out.write(text))  # the old baseline until the new one is whole

    def new_findings(self, findings: list[Finding], root: Path | None = None) -> list[Finding]:
        """Findings beyond what the baseline records (each recorded finding absorbs one);
        identities relative to ``root``, the repository root.

        A credential finding is digested (slowly) only where the baseline still holds an unabsorbed
        credential entry at its place (rule, subject, key), at most :data:`MAX_CREDENTIAL_DIGESTS`
        a run; one past the limit is new (:attr:`uncompared` counts them)."""
        budget: Counter[tuple] = Counter()
        for entry, count in self.counts.items():
            budget[entry if self.version == 1 else compared(entry)] += count
        places: Counter[tuple] = Counter()  # unabsorbed credential entries at each place
        if self.version >= 3:
            for (rule, subject, key, digest), count in budget.items():
                if digest.startswith(CREDENTIAL):
                    places[rule, subject, key] += count
        digested: set[tuple[str, ...]] = set()
        self.uncompared = 0
        out = []
        for finding in findings:
            if finding.waived:
                out.append(finding)
                continue
            if finding.secrets and self.version >= 3:
                place = compared(identity(finding, root))[:3]
                secrets = tuple(finding.secrets)
                if places[place] <= 0:  # nothing there it could be: no digest needed
                    out.append(finding)
                    continue
                if secrets not in digested and len(digested) >= MAX_CREDENTIAL_DIGESTS:
                    self.uncompared += 1
                    out.append(finding)
                    continue
                digested.add(secrets)
                key = (*place, credential_digest(secrets, self.salt))
                if budget[key] > 0:
                    budget[key] -= 1
                    places[place] -= 1
                else:
                    out.append(finding)
                continue
            key = self.key(finding, root)
            if key is not None and self.version > 1:
                key = compared(key)
            if key is not None and budget[key] > 0:
                budget[key] -= 1
            else:
                out.append(finding)
        return out
