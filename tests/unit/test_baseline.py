"""Finding identities name files relative to the repository root: as text where pathlib's answer
is plain, and that answer must be pathlib's, whatever the spelling. A baseline's slow digests of
credentials are computed only where they can decide something, and at most so many a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from torghut_lint import baseline as baseline_module
from torghut_lint.baseline import Baseline, BaselineError, _below
from torghut_lint.model import Finding, Location, ResourceId, Severity

_CASES = [
    ("/repo/a/b.yaml", "/repo"),
    ("/repo", "/repo"),
    ("/repo/a", "/"),
    ("/", "/"),
    ("/repository/a.yaml", "/repo"),  # a common prefix is not a parent
    ("/rep", "/repo"),
    ("/other/a.yaml", "/repo"),
    ("/repo/a b/ü.yaml", "/repo"),
    ("/repo/..x/a.yaml", "/repo"),
    ("//repo/a.yaml", "/repo"),  # a leading // is a root of its own to pathlib
    ("/repo/a.yaml", "//repo"),
    ("//repo/a.yaml", "//repo"),
    ("//repo/a.yaml", "/"),
]


def _pathlib(absolute: str, root: str) -> str | None:
    try:
        return Path(absolute).relative_to(root).as_posix()
    except ValueError:
        return None


@pytest.mark.parametrize(("absolute", "root"), _CASES)
def test_below_is_pathlib_relative_to(absolute: str, root: str) -> None:
    assert _below(absolute, root) == _pathlib(absolute, root)


# -- credential findings: the slow digest is paid where it can decide something ------------------


def _leak(name: str, secret: str, field: str = "data.password") -> Finding:
    found = Finding(
        "no-inline-secrets",
        Severity.ERROR,
        "m",
        Location("cm.yaml", 1, 1),
        ResourceId("v1", "ConfigMap", "ns", name),
        field,
    )
    found.key, found.secrets = field, (secret,)
    return found


@pytest.fixture
def digests(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The credentials the baseline digests, in order (the digest itself is the real one)."""
    made: list[tuple[str, ...]] = []
    real_digest = baseline_module.credential_digest

    def counted(secrets: tuple[str, ...], salt: bytes) -> str:
        made.append(secrets)
        return real_digest(secrets, salt)

    monkeypatch.setattr(baseline_module, "credential_digest", counted)
    return made


def test_a_credential_where_the_baseline_has_none_costs_no_digest(digests: list) -> None:
    """A pull request writing thousands of credentials elsewhere cost 16 ms each (40,000: ten
    minutes); only a place (rule, subject, key) with a baselined credential can absorb one."""
    baseline = Baseline.of([_leak("old", "Zq8vR2mX9pL4kT7w")])
    digests.clear()
    fresh = [_leak(f"new-{n}", f"Pp7uQ1nW8oK3-{n}") for n in range(3_000)]
    assert baseline.new_findings([_leak("old", "Zq8vR2mX9pL4kT7w"), *fresh]) == fresh
    assert digests == [("Zq8vR2mX9pL4kT7w",)]


def test_once_a_place_s_entries_are_absorbed_its_other_credentials_cost_no_digest(digests: list) -> None:
    baseline = Baseline.of([_leak("cfg", "Zq8vR2mX9pL4kT7w")])
    digests.clear()
    same_place = [_leak("cfg", f"Pp7uQ1nW8oK3-{n}") for n in range(50)]
    assert baseline.new_findings([_leak("cfg", "Zq8vR2mX9pL4kT7w"), *same_place]) == same_place
    assert digests == [("Zq8vR2mX9pL4kT7w",)]


def test_a_run_digests_at_most_the_limit_and_reports_the_rest_as_new(
    digests: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thousands of credentials written at a baselined place, the baselined one last: each is
    compared until the limit, the rest are new (never absorbed unread) and counted."""
    monkeypatch.setattr(baseline_module, "MAX_CREDENTIAL_DIGESTS", 10)
    kept = _leak("cfg", "Zq8vR2mX9pL4kT7w")
    baseline = Baseline.of([kept])
    digests.clear()
    others = [_leak("cfg", f"Pp7uQ1nW8oK3-{n}") for n in range(30)]
    assert baseline.new_findings([*others, kept]) == [*others, kept]
    assert len(digests) == 10 and baseline.uncompared == 21
    # a credential already digested counts once against the limit: both copies are compared
    monkeypatch.setattr(baseline_module, "MAX_CREDENTIAL_DIGESTS", 1)
    twice = Baseline.of([kept, kept])
    assert twice.new_findings([kept, kept]) == [] and twice.uncompared == 0


def test_a_baseline_of_more_credentials_than_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(baseline_module, "MAX_CREDENTIAL_DIGESTS", 3)
    Baseline.of([_leak(f"c{n}", "same-credential-everywhere") for n in range(10)])  # one credential: one digest
    with pytest.raises(BaselineError, match="4 credentials in clear.*at most 3"):
        Baseline.of([_leak(f"c{n}", f"Pp7uQ1nW8oK3-{n}") for n in range(4)])


@pytest.mark.parametrize(
    ("key", "digest", "compared_key"),
    [
        ("spec.containers[name=c].command[3]", "d1", "spec.containers[name=c].command[*]"),  # a word: moves freely
        ("spec.rules[2]#host", "d1", "spec.rules[*]#host"),  # before a requirement
        ("spec.tolerations[2]", "", "spec.tolerations[2]"),  # a structure or an absence: nothing else tells them apart
        ("spec.list[1].value", "d1", "spec.list[1].value"),  # an index inside the key is the item's, kept
        ("spec.containers[name=c].env[name=A].value", "d1", "spec.containers[name=c].env[name=A].value"),
    ],
)
def test_a_finding_about_a_value_is_compared_wherever_it_moves_in_its_list(
    key: str, digest: str, compared_key: str
) -> None:
    from torghut_lint.baseline import compared

    assert compared(("rule", "Pod/ns/p", key, digest)) == ("rule", "Pod/ns/p", compared_key, digest)
