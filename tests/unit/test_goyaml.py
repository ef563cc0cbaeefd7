"""go-yaml's reading of plain scalars, held to ``kubectl kustomize``: a table of what kubectl
(kustomize v5.5) printed for each scalar, recorded; the same and seeded random scalars against the
installed kubectl (skipped without it); keys and values kustomize refuses."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import kubectl_reads
from torghut_lint.goyaml import (
    Unencodable,
    Unreadable,
    after_json,
    go_float_text,
    is_string,
    json_problem,
    printed,
    resolve_plain,
    through_json,
)
from torghut_lint.kustomize.build import Builder, SourceFiles
from torghut_lint.kustomize.stream import dump
from torghut_lint.model import Resource, Severity
from torghut_lint.parse import parse_bytes

# (plain scalar, what `kubectl kustomize` printed for `k: <scalar>`), recorded from kubectl v1.32.4
PRINTED = [
    ("0", "0"),
    ("00", "0"),
    ("0444", "292"),
    ("08", "8"),
    ("nan", "nan"),
    ("inf", "inf"),
    ("NaN", "NaN"),
    ("0777", "511"),
    ("0o17", "15"),
    ("0x1F", "31"),
    ("12", "12"),
    ("+12", "12"),
    ("-0", "0"),
    ("1_000", "1000"),
    ("1.5", "1.5"),
    (".5", "0.5"),
    ("1e3", "1000"),
    ("nginx", "nginx"),
    ("true", "true"),
    ("True", "true"),
    ("tRUE", "tRUE"),
    ("null", "null"),
    ("n", '"n"'),
    ("t", "t"),
    ("f", "f"),
    ("False", "false"),
    ("no", '"no"'),
    ("on", '"on"'),
    ("yes", '"yes"'),
    ("y", '"y"'),
    ("10Gi", "10Gi"),
    ("1.2.3", "1.2.3"),
    ("²", "²"),
    ("٣", "٣"),
    ("0٣", "0٣"),
    ("2026-05-01", '"2026-05-01T00:00:00Z"'),
    ("1:30", '"1:30"'),
    ("0b101", "5"),
    ("~", "null"),
    ("8080", "8080"),
    ("0.0.0.0", "0.0.0.0"),
    ("+", "+"),
    (".", "."),
    ("<<", "<<"),
    (".5_0", "0.5"),
    ("1e-400", "0"),
    ("0b+1", "1"),
    ("0o-7", "-7"),
    ("-0o17", "-15"),
    ("1_000.5", "1000.5"),
    ("0x1p3", "0x1p3"),
    ("1,000", "1,000"),
    ("2001-12-14T21:59:43,5Z", '"2001-12-14T21:59:43.5Z"'),
    ("2001-12-14T21:59:43.1234567891Z", '"2001-12-14T21:59:43.123456789Z"'),
    ("2001-12-14T21:59:43+05:60", '"2001-12-14T21:59:43+06:00"'),
    ("2001-12-14T21:59:43+25:00", "2001-12-14T21:59:43+25:00"),
    ("2001-12-14T21:59:60Z", "2001-12-14T21:59:60Z"),
    ("2001-2-29", "2001-2-29"),
    ("2000-2-29", '"2000-02-29T00:00:00Z"'),
    ("2001-12-14T1:2:3Z", '"2001-12-14T01:02:03Z"'),
    ("2001-12-14 1:2:3", '"2001-12-14T01:02:03Z"'),
    ("2001-12-14T21:59:43.Z", "2001-12-14T21:59:43.Z"),
    ("9223372036854775807", "9223372036854775807"),
    ("-9223372036854775808", "-9223372036854775808"),
    ("-9223372036854775809", "-9.223372036854776e+18"),
    ("18446744073709551615", "18446744073709551615"),
    ("18446744073709551616", "1.8446744073709552e+19"),
    ("0xFFFFFFFFFFFFFFFF", "18446744073709551615"),
    ("0x10000000000000000", "0x10000000000000000"),
    ("-0x8000000000000000", "-9223372036854775808"),
    ("1e21", "1e+21"),
    ("1e20", "1e+20"),
    ("123456789012345678901", "1.2345678901234568e+20"),
    ("1.0", "1"),
    ("-0.0", "0"),
    ("1e-7", "1e-07"),
    ("0.1", "0.1"),
    (".e1", ".e1"),
    ("1.e1", "10"),
    ("+.e1", "+.e1"),
    ("._5", "._5"),
    ("1__", "1"),
    ("0_", "0"),
    ("0_1", "1"),
    ("0__7", "7"),
    ("08_1", "81"),
    ("0x_", "0x_"),
    ("0b", "0b"),
    ("0o", "0o"),
    ("0x", "0x"),
    ("00x1", "00x1"),
    ("1234567.5", "1.2345675e+06"),
    ("2001-12-14T21:59:43.100000000+00:00", '"2001-12-14T21:59:43.1Z"'),
    ("2001-12-14T21:59:43-00:00", '"2001-12-14T21:59:43Z"'),
    ("2001-12-14t21:59:43z", "2001-12-14t21:59:43z"),
    ("2001-12-14 21:59:43.5", '"2001-12-14T21:59:43.5Z"'),
    ("0001-01-01", '"0001-01-01T00:00:00Z"'),
    ("9999-12-31T23:59:59.999999999Z", '"9999-12-31T23:59:59.999999999Z"'),
    ("2001-12-14T21:59:43+0530", "2001-12-14T21:59:43+0530"),
    ("+0b1", "1"),
    ("-0x1F", "-31"),
    ("+.5", "0.5"),
    ("-.5e-3", "-0.0005"),
    (".1e1_0", "1000000000"),
    ("1e1_0", "10000000000"),
    ("2001-12-14 21:59:43 +05:00", "2001-12-14 21:59:43 +05:00"),
    ("2001-12-14T24:00:00Z", "2001-12-14T24:00:00Z"),
    ("2001-12-14T21:59:43", "2001-12-14T21:59:43"),
    ("2026-1-1T9:5:7+01:30", '"2026-01-01T09:05:07+01:30"'),
    ("1_", "1"),
    ("_1", "_1"),
    ("0x_1F", "31"),
    ("+0x1F", "31"),
    ("1e+3", "1000"),
    ("1E3", "1000"),
    ("-1.5e-3", "-0.0015"),
    ("0.", "0"),
    ("-.5", "-0.5"),
    ("2001-12-14T21:59:43.1-05:00x", "2001-12-14T21:59:43.1-05:00x"),
]

THING = "apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\nspec:\n"


def _manifest(texts: list[str]) -> str:
    return THING + "".join(f"  k{i:03d}: {text}\n" for i, text in enumerate(texts))


def _printed(stream: str) -> dict[int, str]:
    return {int(m[1]): m[2] for m in re.finditer(r"^  k(\d+): (.*)$", stream, re.M)}


def _ours(texts: list[str]) -> dict[int, str]:
    parsed = parse_bytes(_manifest(texts).encode(), "t.yaml")
    return _printed(dump([Resource(doc.node, doc.data) for doc in parsed.documents]))


def test_every_recorded_scalar_is_read_and_printed_as_kubectl_printed_it() -> None:
    texts = [text for text, _ in PRINTED]
    ours = _ours(texts)
    assert [(text, ours[i]) for i, text in enumerate(texts)] == PRINTED


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1_000", 1000),  # go-yaml drops every '_' before reading a number
        ("0b101", 5),
        ("+0x1F", 31),
        ("0444", 292),  # YAML 1.1 octal: a defaultMode
        ("08", 8),  # not octal, a float, written back as an integer
        ("1e3", 1000),
        ("1.0", 1),
        ("1e20", 1e20),  # past int64 and uint64 as JSON writes it: still a float
        ("18446744073709551615", 18446744073709551615),
        ("-9223372036854775809", -9.223372036854776e18),
        ("0x10000000000000000", "0x10000000000000000"),  # past uint64, not decimal: a string
        ("1e400", "1e400"),
        ("yes", "yes"),  # YAML 1.1's booleans are strings to go-yaml v3
        ("True", True),
        ("~", None),
        ("2026-01-01", "2026-01-01T00:00:00Z"),
        ("2026-1-2 3:04:05.50", "2026-01-02T03:04:05.5Z"),
        ("2001-02-29", "2001-02-29"),  # no such day: a string
        ("2026-01-01T09:30:00+00:00", "2026-01-01T09:30:00Z"),
    ],
)
def test_values_are_what_the_cluster_is_sent(text: str, value: object) -> None:
    got = resolve_plain(text)
    assert (type(got), got) == (type(value), value)


@pytest.mark.parametrize(
    "text", [".inf", "-.Inf", "+.INF", ".nan", "2001-12-14T21:59:43+23:60", "2026-01-01T00:00:00-24:00"]
)
def test_what_json_cannot_hold_is_unencodable(text: str) -> None:
    assert type(resolve_plain(text)) is Unencodable
    assert json_problem(text, key=False) is not None


def test_a_timestamp_v2_keeps_as_text_is_no_problem_there_but_an_infinity_is() -> None:
    assert json_problem("2026-01-01T00:00:00+24:00", key=False, v2=True) is None
    assert json_problem(".inf", key=False, v2=True) is not None


@pytest.mark.parametrize(
    ("key", "v3", "v2"),
    [
        ("8080", True, False),  # v2 writes an integer key as its digits
        ("true", True, False),
        ("2026-01-01", True, False),
        ("1.5", True, False),
        ("null", True, True),  # no JSON key for null
        ("~", True, True),
        ("18446744073709551615", True, True),  # a uint64 key: sigs.k8s.io/yaml has no case for it
        ("on", False, False),
        ("2001-02-29", False, False),
        ("1.2.3", False, False),
        ("name", False, False),
    ],
)
def test_keys_json_cannot_hold(key: str, v3: bool, v2: bool) -> None:
    assert (json_problem(key, key=True) is not None) is v3
    assert (json_problem(key, key=True, v2=True) is not None) is v2
    assert is_string(key) is not v3 or key in ("null", "~")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1234567.5, "1.2345675e+06"),
        (1e20, "1e+20"),
        (1e-7, "1e-07"),
        (0.0001, "0.0001"),
        (1000.5, "1000.5"),
        (-0.0005, "-0.0005"),
        (100000.25, "100000.25"),
        (1.5e300, "1.5e+300"),
        (float("inf"), ".inf"),
    ],
)
def test_floats_are_written_as_go_writes_them(value: float, text: str) -> None:
    assert go_float_text(value) == text


def test_integral_floats_read_back_from_json_as_integers_where_int64_or_uint64_holds_them() -> None:
    # JSON writes the shortest digits: 2**63 as 9223372036854776000 (uint64), 2**64 as
    # 18446744073709552000 (past uint64: a float again), -2**63 - 1 as a float past int64
    assert after_json(2.0**63) == 9223372036854776000 and type(after_json(2.0**63)) is int
    assert type(after_json(2.0**64)) is float and type(after_json(-(2.0**63) * 1.0000001)) is float
    assert after_json(-(2.0**63)) == -(2**63)
    assert type(after_json(1e15)) is int and type(after_json(1e21)) is float and type(after_json(0.5)) is float


# --- against the installed kubectl -------------------------------------------------------------

needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")


def _kubectl(tmp_path: Path, manifest: str) -> subprocess.CompletedProcess:
    (tmp_path / "kustomization.yaml").write_text("resources: [t.yaml]\n")
    (tmp_path / "t.yaml").write_text(manifest)
    return subprocess.run(
        ["kubectl", "kustomize", str(tmp_path)], capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )


def _random_scalar(rng: random.Random) -> str:
    if rng.random() < 0.5:
        head = rng.choice("0123456789+-.")
        return head + "".join(rng.choice("0123456789_.eExXoObB+-aAfF") for _ in range(rng.randrange(0, 10)))
    date = f"{rng.randrange(0, 10000):04d}-{rng.randrange(0, 14):0{rng.choice((1, 2))}d}-{rng.randrange(0, 33)}"
    if rng.random() < 0.3:
        return date
    clock = ":".join(str(rng.randrange(0, 62)).zfill(rng.choice((1, 2))) for _ in range(3))
    fraction = rng.choice(("", "." + "".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 12))), ",5", "."))
    zone = rng.choice(("", "Z", "z", f"+{rng.randrange(0, 26):02d}:{rng.randrange(0, 62):02d}", "-05:00", "+0530"))
    return date + rng.choice(("T", "t", " ", "  ")) + clock + fraction + zone


def _plain(text: str) -> bool:
    """Whether ``k: text`` is that plain scalar (no syntax of its own)."""
    parsed = parse_bytes(f"k: {text}\n".encode(), "k.yaml")
    return not parsed.findings and len(parsed.documents) == 1 and parsed.documents[0].node.value[0][1].value == text


@needs_kubectl
@pytest.mark.parametrize("seed", range(3))
def test_random_scalars_print_as_kubectl_prints_them(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    texts = []
    while len(texts) < 300:
        text = _random_scalar(rng)
        if _plain(text) and type(resolve_plain(text)) is not Unencodable and text not in texts:
            texts.append(text)
    proc = _kubectl(tmp_path, _manifest(texts))
    assert proc.returncode == 0, proc.stderr[-2000:]
    theirs, ours = _printed(proc.stdout), _ours(texts)
    assert [(t, ours[i]) for i, t in enumerate(texts)] == [(t, theirs[i]) for i, t in enumerate(texts)]


@needs_kubectl
@pytest.mark.parametrize(
    ("line", "refused"),
    [
        ("a: .inf", True),
        ("a: 2001-12-14T21:59:43+23:60", True),
        ("a: 2001-12-14T21:59:43+23:59", False),
        ("8080: x", True),
        ("'8080': x", False),
        ("2026-01-01: x", True),
        ("2001-02-29: x", False),
        ("False: x", True),
        ("on: x", False),
        ("1_0: x", True),
    ],
)
def test_kustomize_refuses_what_json_cannot_hold_and_so_does_the_build(
    tmp_path: Path, line: str, refused: bool
) -> None:
    manifest = THING + f"  {line}\n"
    assert (_kubectl(tmp_path, manifest).returncode != 0) is refused
    build = Builder(SourceFiles(tmp_path)).build(tmp_path)
    found = [f for f in build.findings if f.rule == "kustomize-invalid"]
    assert bool(found) is refused, [f.message for f in build.findings]
    if refused:
        assert found[0].location.line == 5 and "quote it" in found[0].message


@needs_kubectl
@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("!!binary bGl2ZQ==", False),
        ("!!binary |\n    bGl2\n    ZQ==", False),  # line breaks are no part of base64 to Go
        ('!!binary "bGl2\\r\\nZQ=="', False),
        ("!!binary ''", False),
        ("!!binary 'not base64'", True),
        ("!!binary 'bGl2 ZQ=='", True),  # a space is
        ("!!binary >\n    bGl2\n    ZQ==", True),  # folded: a space
        ("!!binary bGl2ZQ", True),  # unpadded
    ],
)
def test_a_binary_go_yaml_cannot_decode_is_refused_by_kustomize_and_kubectl(
    tmp_path: Path, text: str, refused: bool
) -> None:
    """go-yaml decodes ``!!binary`` as Go's padded base64, line breaks ignored: anything else
    fails kustomize's build and kubectl's reading of a file (Argo CD's of a directory)."""
    from conftest import run_cli

    manifest = THING + f"  a: {text}\n"
    assert (_kubectl(tmp_path, manifest).returncode != 0) is refused
    build = Builder(SourceFiles(tmp_path)).build(tmp_path)
    assert [f.rule for f in build.findings if f.severity >= Severity.ERROR] == (
        ["kustomize-invalid"] if refused else []
    )
    (tmp_path / "kustomization.yaml").unlink()
    findings = run_cli("--no-schemas", "--format", "json", str(tmp_path)).json["findings"]
    assert [(f["rule"], f["line"]) for f in findings] == ([("manifest-invalid", 5)] if refused else [])


def _directory_app(tmp_path: Path, manifest: str) -> dict:
    """The values a directory application's file is applied with, as the built-in reading gives them."""
    from torghut_lint.assemble import Project, build_plain, plan

    tree = tmp_path / "tree"
    (tree / "app").mkdir(parents=True)
    (tree / "app" / "t.yaml").write_text(manifest)
    planned, project = plan(tree, Project(), None, None, ()), Project()
    for directory in planned.plain:
        build_plain(planned, directory, project)
    [resource] = [r for app in project.apps for r in app.resources]
    return resource.data


@needs_kubectl
@pytest.mark.parametrize("seed", range(2))
def test_a_directory_application_is_read_as_argo_cd_reads_it(tmp_path: Path, seed: int) -> None:
    """Argo CD reads a directory application's files with sigs.k8s.io/yaml (go-yaml v2, then JSON),
    as kubectl reads a local file: YAML 1.1's booleans (``on``, ``y``), a number or boolean key as
    its text, a timestamp as written; numbers as kustomize reads them."""
    rng = random.Random(seed)
    words = ["on", "Off", "y", "N", "yes", "NO", "true", "False", "null", "~", "2026-01-01", "8080", "0x1F", "1.5"]
    values, keys = [], []
    while len(values) < 200:
        text = rng.choice(words) if rng.random() < 0.3 else _random_scalar(rng)
        if _plain(text) and json_problem(text, key=False, v2=True) is None and text not in values:
            values.append(text)
    for text in words + values[:60]:
        if (
            _plain(text)
            and json_problem(text, key=True, v2=True) is None
            and not isinstance(resolve_plain(text), float)  # a float key: Go writes it as a float32
            and text not in keys
        ):
            keys.append(text)
    manifest = _manifest(values) + "  map:\n" + "".join(f"    {key}: k{i}\n" for i, key in enumerate(keys))
    (tmp_path / "t.yaml").write_text(manifest)
    proc = kubectl_reads(tmp_path / "t.yaml")
    assert proc.returncode == 0, proc.stderr[-2000:]

    assert _directory_app(tmp_path, manifest)["spec"] == json.loads(proc.stdout)["spec"]


def test_a_directory_application_cannot_hold_an_infinity_but_takes_a_number_key(tmp_path: Path) -> None:
    from torghut_lint.assemble import Project, build_plain, plan

    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "t.yaml").write_text(THING + "  8080: x\n  on: y\n  a: .inf\n")
    planned, project = plan(tmp_path, Project(), None, None, ()), Project()
    for directory in planned.plain:
        build_plain(planned, directory, project)
    found = [(f.rule, f.location.line) for f in project.findings]
    assert found == [("manifest-invalid", 7)]
    [resource] = project.apps[0].resources
    assert resource.data["spec"] == {"8080": "x", "true": True, "a": ".inf"}  # `y` is a YAML 1.1 boolean


def test_a_value_json_cannot_hold_is_printed_as_written() -> None:
    """``render`` prints what it has (kustomize refuses the build, and the lint says so)."""
    parsed = parse_bytes(_manifest([".inf", "2026-01-01T00:00:00+24:00"]).encode(), "t.yaml")
    assert _printed(dump([Resource(doc.node, doc.data) for doc in parsed.documents])) == {
        0: ".inf",
        1: "2026-01-01T00:00:00+24:00",
    }


TAGGED = [
    f"{tag} {text}"
    for tag in ("!!bool", "!!int", "!!float", "!!null", "!!timestamp")
    for text in ("yes", "true", "1", "1.5", "'2'", "0x1F", "2026-01-01", "null", "abc", "''", "1_0", "1.0", ".inf")
]


@needs_kubectl
@pytest.mark.parametrize("value", TAGGED)
def test_an_explicitly_tagged_value_is_decoded_or_refused_as_kustomize_does(tmp_path: Path, value: str) -> None:
    """go-yaml reads a tagged scalar's text (quoted or not) as a plain one's and refuses it when it
    is not of the tag's kind (``!!bool yes``, ``!!int 1.5``): so does the build, at the value."""
    proc = _kubectl(tmp_path, THING + f"  a: {value}\n")
    build = Builder(SourceFiles(tmp_path)).build(tmp_path)
    refused = [f for f in build.findings if f.rule == "kustomize-invalid"]
    assert bool(refused) is (proc.returncode != 0), (proc.stderr[-300:], [f.message for f in refused])
    if proc.returncode == 0:
        [resource] = build.resources
        line = re.compile(r"^  a: (.*)$", re.M)
        assert line.search(dump([resource]))[1] == line.search(proc.stdout)[1]


def test_a_scalar_json_cannot_hold_is_reported_once_however_often_an_alias_repeats_it() -> None:
    from torghut_lint.parse import json_problems

    parsed = parse_bytes(b"a: &x {v: .inf, 8080: k}\nb: [*x, *x, *x]\nc: *x\n", "t.yaml")
    assert [(node.start_mark.line, why[:6]) for node, why in json_problems(parsed.documents)] == [
        (0, "'.inf'"),
        (0, "the ke"),
    ]


# (the text of a folded block scalar as read, the text kubectl kustomize reads back), recorded
FOLDED = [
    ("a\n  b\n", "a\n\n  b\n"),  # a break before a more-indented line gets an empty line more
    ("a\n\n  b\n", "a\n\n\n  b\n"),
    ("a\n  b\nc\n", "a\n\n  b\nc\n"),
    ("a\n b", "a\n\n b"),
    ("set -eu\nif x; then\n  rm -rf y\nfi\n", "set -eu\nif x; then\n\n  rm -rf y\nfi\n"),
    (" # settings\nTRADING_MODE=\nlive\n", " # settings\nTRADING_MODE= live\n"),  # a break folds
    (" \tt\nx\n\ny\n", " \tt\nx\ny\n"),  # an empty line folds away
    (" a\nx\ny\n", " a\nx y\n"),
    ("a b\nc\n", "a b\nc\n"),  # ordinary lines fold back as they were
    ("a\n\nb\n", "a\n\nb\n"),
    ("x\n", "x\n"),
    ("a  \nb\n", "a  \nb\n"),  # a space before a break (a replacement's text): written double-quoted
    ("a\n  b \U0001f600\n", "a\n  b \U0001f600\n"),  # a character go-yaml does not print: quoted
    ("a\n  b\u00e9\n", "a\n\n  b\u00e9\n"),
]


@pytest.mark.parametrize(("text", "expected"), FOLDED)
def test_a_folded_scalar_reads_back_as_kustomize_prints_it(text: str, expected: str) -> None:
    assert printed(text, ">") == expected


def test_a_line_separator_in_a_folded_scalar_is_not_modelled() -> None:
    assert printed("a\n  b\u2028c\n", ">") is None
    assert printed("a\u2028c\n", ">") is None
    assert printed("a \u2028c\n", ">") == "a \u2028c\n"  # a space before a break: double-quoted


@pytest.mark.parametrize("text", ["a\n  b\n", " a\nb\n\n", "a\n\n\tb\n"])
@pytest.mark.parametrize("style", ["|", "'", '"', None])
def test_other_scalars_read_back_as_written(text: str, style: str | None) -> None:
    assert printed(text, style) == text


@pytest.mark.parametrize("style", ["|", ">"])
def test_a_block_scalar_starting_with_a_tab_cannot_be_read_back(style: str) -> None:
    with pytest.raises(Unreadable, match="tab"):
        printed("\tt\nx\n", style)
    assert printed("\tt\nx\n", '"') == "\tt\nx\n"


def _folded_block(rng: random.Random, indent: int) -> str:
    """A folded block scalar's header and lines (ordinary, more-indented, empty, with tabs, long)."""
    lines = []
    for _ in range(rng.randint(1, 7)):
        if rng.random() < 0.2:
            lines.append("")
            continue
        words = rng.choices(["a", "bb", "MODE=live", "x=1", "#", "-", "fi", "é", "\tt"], k=rng.randint(1, 12))
        lines.append(" " * rng.choice([0, 0, 0, 1, 2, 4]) + " ".join(words))
    if not any(lines):
        lines.append("z")
    first = next(line for line in lines if line)
    header = ">" + ("2" if first[0] in " \t" or rng.random() < 0.2 else "") + rng.choice(["", "", "-", "+"])
    body = "".join((" " * indent + line.removeprefix("\t") if line else "") + "\n" for line in lines)
    return header + "\n" + body + "\n" * rng.choice([0, 0, 1, 2])


@needs_kubectl
@pytest.mark.parametrize("seed", range(2))
def test_random_folded_scalars_read_back_as_kubectl_prints_them(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    manifest = THING + "".join(f"  k{i:03d}: {_folded_block(rng, 4)}" for i in range(150))
    proc = _kubectl(tmp_path, manifest)
    assert proc.returncode == 0, proc.stderr[-2000:]
    ours = parse_bytes(manifest.encode(), "t.yaml").documents[0].data["spec"]
    theirs = yaml.safe_load(proc.stdout)["spec"]
    changed = [k for k in sorted(ours) if k.startswith("k") and printed(ours[k], ">") != ours[k]]
    assert len(changed) > 30  # the draw reaches the emitter's fault
    assert {k: printed(v, ">") for k, v in ours.items() if k.startswith("k")} == {
        k: v for k, v in theirs.items() if k.startswith("k")
    }


# (a string, what kubectl kustomize writes out for it), recorded: JSON's output read as YAML
THROUGH_JSON = [
    ("a \x85 b", "a b"),  # U+0085 is a line break there: it folds with the spaces around it
    ("a\x85\x85\x85b", "a\n\nb"),
    ("\x85ab", " ab"),
    ("ab\x85", "ab "),
    ("a\x85\tb", "a \tb"),  # JSON escapes a tab: it stays
    ("a \t\x85\t b", "a \t \t b"),
    ("a\x85 \x85 b", "a\nb"),
    ("x\u2028", "x\u2028"),  # JSON escapes U+2028
    ("a\xa0b\x85\xa0c", "a\xa0b \xa0c"),
    ("plain text", "plain text"),
]


@pytest.mark.parametrize(("text", "expected"), THROUGH_JSON)
def test_a_string_reads_back_from_json_as_kustomize_writes_it_out(text: str, expected: str) -> None:
    assert through_json(text) == expected


@pytest.mark.parametrize("text", ["a\x7fb", "a\x80b", "a\x9f", "a\ufffeb", "\uffff"])
def test_a_character_the_yaml_reader_refuses_fails_the_build(text: str) -> None:
    with pytest.raises(Unreadable):
        through_json(text)


def test_a_key_with_a_line_break_after_json_fails_the_build() -> None:
    with pytest.raises(Unreadable):
        through_json("k\x85x", key=True)
    assert through_json("k\xa0x", key=True) == "k\xa0x"


@needs_kubectl
def test_random_strings_are_written_out_as_kubectl_writes_them(tmp_path: Path) -> None:
    rng = random.Random(5)
    alphabet = ["a", "b", " ", "  ", "\t", "\x85", "\n", "\xa0", "\u2028", "\u3000", "é", "\\", '"']
    texts = ["".join(rng.choices(alphabet, k=rng.randint(1, 8))) for _ in range(300)]
    manifest = THING + "".join(f"  k{i:03d}: {json.dumps(text)}\n" for i, text in enumerate(texts))
    proc = _kubectl(tmp_path, manifest)
    assert proc.returncode == 0, proc.stderr[-2000:]
    theirs = yaml.safe_load(proc.stdout)["spec"]
    assert sum(through_json(text) != text for text in texts) > 50  # the draw reaches the folding
    assert {f"k{i:03d}": through_json(text) for i, text in enumerate(texts)} == theirs
