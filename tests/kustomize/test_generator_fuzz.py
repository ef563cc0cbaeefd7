"""Generators at three levels (base, middle, top) drawn at random from seeded cases, against
`kubectl kustomize`: ConfigMaps and Secrets from literals, env files and files, each level's
``generatorOptions`` against each generator's own options, behaviors that create, merge into and
replace objects of the resources or of a lower level's generator (and texts kustomize reads as
no behavior). The built-in build renders what kubectl renders, and ``render`` prints its bytes, or
it blocks where kubectl refuses. Found: a generator's ``disableNameSuffixHash: false`` overrode
``generatorOptions``' true, a merge dropped the generator's labels, a null label was "None",
``upsert`` was refused, a merge or replace left an empty ``data`` kubectl removes, a Secret a
merge left without data hashed its data as {} where kustomize hashes "" (another name)."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
import yaml
from kubectl_parity import render_both

from conftest import run_cli
from torghut_lint.kustomize.build import Builder, SourceFiles

CASES = 40

OBJECTS = [
    {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cfg", "labels": {"z": "1", "a": "2"}, "annotations": {"k": "v"}},
        "data": {"TRADING_LIVE_ENABLED": "false"},
    },
    {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "sec"},
        "stringData": {"a": "b"},
        "data": {"c": "ZA=="},
    },
    {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "w"}},
            "template": {
                "metadata": {"labels": {"app": "w"}},
                "spec": {
                    "containers": [
                        {
                            "name": "m",
                            "image": "i",
                            "envFrom": [{"configMapRef": {"name": n}} for n in ("cfg", "gen")]
                            + [{"secretRef": {"name": "sec"}}],
                        }
                    ],
                    "volumes": [{"name": "v", "secret": {"secretName": "sec"}}],
                },
            },
        },
    },
]
FILES = {
    "base/e.env": "E=1\nTRADING_LIVE_ENABLED=false\n",
    "base/f.txt": "text\n",
    "middle/e.env": "E=2\n",
    "middle/f.txt": "other\n",
    "e.env": "TRADING_LIVE_ENABLED=true\n",
    "f.txt": "top\n",
}


def _options(rng: random.Random) -> dict:
    options: dict = {}
    for switch in ("disableNameSuffixHash", "immutable"):
        if rng.random() < 0.3:
            options[switch] = rng.choice([True, False, None])
    for holder in ("labels", "annotations"):
        if rng.random() < 0.3:
            options[holder] = {rng.choice(["a", "b", "z"]): rng.choice(["x", "y", None, ""])}
    return options


def _generator(rng: random.Random, kind: str, made: set[tuple[str, str]]) -> dict:
    name = rng.choice(["cfg", "gen", "sec", "other"])
    generator: dict = {"name": name}
    if (kind, name) in made:  # mostly a behavior that finds it; sometimes one kustomize refuses
        generator["behavior"] = rng.choice(["merge", "replace"] * 4 + ["create", "upsert"])
    elif rng.random() < 0.3:
        generator["behavior"] = rng.choice(["create", "upsert", "Merge"])
    made.add((kind, name))
    if rng.random() < 0.1:
        generator["namespace"] = rng.choice(["default", "ns"])
    source = rng.random()
    if source < 0.5:
        generator["literals"] = rng.sample(["A=1", "TRADING_LIVE_ENABLED=true", "B=two", "C="], rng.randint(0, 2))
    elif source < 0.7:
        generator["envs"] = ["e.env"]
    elif source < 0.85:
        generator["files"] = [rng.choice(["f.txt", "k=f.txt"])]
    if kind == "secretGenerator" and rng.random() < 0.3:
        generator["type"] = rng.choice(["Opaque", "kubernetes.io/tls", "x/y"])
    if rng.random() < 0.4:
        generator["options"] = _options(rng)
    return generator


def _level(rng: random.Random, made: set[tuple[str, str]]) -> dict:
    k: dict = {}
    if rng.random() < 0.4:
        k["generatorOptions"] = _options(rng)
    for kind in ("configMapGenerator", "secretGenerator"):
        if rng.random() < 0.6:
            k[kind] = [_generator(rng, kind, made) for _ in range(rng.randint(1, 2))]
    if rng.random() < 0.1:
        k["namespace"] = rng.choice(["ns", "default"])
    if rng.random() < 0.1:
        k["namePrefix"] = "p-"
    return k


@pytest.mark.parametrize("seed", range(CASES))
def test_three_levels_of_generators_render_as_kubectl_does_or_block(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    made = {("configMapGenerator", "cfg"), ("secretGenerator", "sec")}  # in the resources
    files = {
        **FILES,
        "base/objects.yaml": yaml.safe_dump_all(OBJECTS),
        "base/kustomization.yaml": yaml.safe_dump({"resources": ["objects.yaml"], **_level(rng, made)}),
        "middle/kustomization.yaml": yaml.safe_dump({"resources": ["../base"], **_level(rng, made)}),
        "kustomization.yaml": yaml.safe_dump({"resources": ["middle"], **_level(rng, made)}),
    }
    rendered, problems = render_both(tmp_path, files)
    levels = {k: v for k, v in files.items() if k.endswith("kustomization.yaml")}
    assert problems == [], (problems, levels)
    if rendered:
        want = subprocess.run(["kubectl", "kustomize", str(tmp_path)], capture_output=True, timeout=120).stdout
        assert run_cli("render", str(tmp_path)).stdout == want.decode(), levels


# Pieces of env file lines: names, '=' and '#', quotes, `export`, every kind of white space Go and
# Python disagree on (a vertical tab, a form feed, an information separator, a no-break space,
# U+2028), a lone carriage return, a byte-order mark, texts YAML reads as something else.
PIECES = ["A", "TRADING_LIVE_ENABLED", "b", "x.y", "k-1", "=", "==", " ", "\t", "'", '"', "#", "export ", "true",
          "false", "\\", "\\n", "é", "\u00a0", "\r", "", "a b", "$X", "${A}", ";", "\ufeff", "\x0b", "\x0c", "\x1c",
          "\u2028", "\u2029", "1_0", "0x1F", "yes", "null", "~", "<&>"]  # fmt: skip


@pytest.mark.parametrize("seed", range(CASES))
def test_env_files_read_as_kubectl_reads_them(tmp_path: Path, seed: int) -> None:
    """An env file of a ConfigMap and a Secret generator: the keys, values and name hashes
    kubectl renders (found: a vertical tab, a form feed, a lone carriage return and U+2028 split
    lines that kustomize's scanner keeps whole, a trailing vertical tab was dropped, a name-less
    line refused where kustomize skips it, a name alone refused where kustomize reads "", U+2028
    left unescaped in the hashed JSON)."""
    rng = random.Random(seed)
    lines = []
    for _ in range(rng.randint(1, 5)):
        line = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 6)))
        if rng.random() < 0.6:
            line = rng.choice(["A", "TRADING_LIVE_ENABLED", "B_2", " C", "D "]) + "=" + line
        lines.append(line)
    text = rng.choice(["\n", "\r\n"]).join(lines) + rng.choice(["", "\n"])
    generators = "configMapGenerator: [{name: g, envs: [e.env]}]\nsecretGenerator: [{name: s, envs: [e.env]}]\n"
    (tmp_path / "e.env").write_bytes(text.encode())  # as it is: no newline translation
    rendered, problems = render_both(tmp_path, {"kustomization.yaml": generators})
    assert problems == [], (problems, text)
    if rendered:
        want = subprocess.run(["kubectl", "kustomize", str(tmp_path)], capture_output=True, timeout=120).stdout
        assert run_cli("render", str(tmp_path)).stdout == want.decode(), text


@pytest.mark.parametrize(
    ("size", "ending", "kept"), [(65535, "\n", True), (65536, "\n", False), (65535, "\r\n", False)]
)
def test_an_env_file_is_read_up_to_a_line_of_64_kib(tmp_path: Path, size: int, ending: str, kept: bool) -> None:
    """kustomize's line scanner stops, without a word, at a line of 64 KiB or more (its carriage
    return counted): that line and the ones after it are not deployed, so the policies do not
    read them, and the build says where (kustomize-input-truncated)."""
    text = "A=1\n" + "BIG=" + "x" * (size - 4) + ending + "LLM_SHADOW_MODE=true\n"
    (tmp_path / "e.env").write_text(text, newline="")
    rendered, problems = render_both(
        tmp_path, {"kustomization.yaml": "configMapGenerator: [{name: g, envs: [e.env]}]\n"}
    )
    assert rendered and problems == [], problems
    build = Builder(SourceFiles(tmp_path)).build(tmp_path)
    assert sorted(build.resources[0].data["data"]) == (["A", "BIG", "LLM_SHADOW_MODE"] if kept else ["A"])
    truncated = [(f.rule, f.location.line) for f in build.findings]
    assert truncated == ([] if kept else [("kustomize-input-truncated", 2)])


FILE_PIECES = ["A", "=", " ", "\t", "'", '"', "#", "true", "\\", "é", "\u00a0", "\r", "\n", "\r\n", "\n\n",
               "\ufeff", "\x0b", "\u2028", "\x85", "yes", "null", "~", ":", "- ", "{", "[", "|", ">", "\x7f",
               "\U0001f600"]  # fmt: skip


@pytest.mark.parametrize("seed", range(CASES))
def test_file_sources_read_as_kubectl_reads_them(tmp_path: Path, seed: int) -> None:
    """A file source's content is the value, whole: a byte-order mark too (found: it was dropped,
    as kustomize drops it from an env file alone), line breaks of every kind, quotes, YAML."""
    rng = random.Random(seed)
    content = "".join(rng.choice(FILE_PIECES) for _ in range(rng.randint(0, 10)))
    content = "\ufeff" + content if seed % 4 == 0 else content
    (tmp_path / "f.txt").write_bytes(content.encode())
    generators = "configMapGenerator: [{name: g, files: [f.txt]}]\nsecretGenerator: [{name: s, files: [f.txt]}]\n"
    rendered, problems = render_both(tmp_path, {"kustomization.yaml": generators})
    assert problems == [], (problems, content)
    if rendered and run_cli("render", str(tmp_path)).code == 0:
        want = subprocess.run(["kubectl", "kustomize", str(tmp_path)], capture_output=True, timeout=120).stdout
        assert run_cli("render", str(tmp_path)).stdout == want.decode(), content


def test_a_credential_after_the_64_kib_line_is_still_in_the_repository(tmp_path: Path) -> None:
    """The lines kustomize never reads are not deployed, but they sit in the repository in clear:
    a credential among them is reported where it is written (the gate read the deployed Secret
    alone, and a credential below the long line went unreported)."""
    key = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEYq9"
    (tmp_path / "s.env").write_text("A=1\nBIG=" + "x" * 70000 + "\n" + key + "\n")
    (tmp_path / "kustomization.yaml").write_text("secretGenerator: [{name: s, envs: [s.env]}]\n")
    found = run_cli("--no-schemas", "--format", "json", str(tmp_path)).json["findings"]
    assert ("no-inline-secrets", 3) in [(f["rule"], f["line"]) for f in found]
    assert "wJalrXUtnFEMI" not in str(found)  # never quoted
