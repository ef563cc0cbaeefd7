"""What kustomize's printing of an object does to its text (``printing.as_printed``, ``as_decoded``),
and the trimming of an inline patch's text: against `kubectl kustomize`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from kubectl_parity import blocking, outcome, render_both, write_tree

from conftest import run_cli
from torghut_lint.kustomize.build import Builder, SourceFiles

FOLDED = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a: >\n    a\n      b\n  e: {}\n"
SMP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s}\ndata:\n  %s: >\n    c\n      d\n"

CASES = {
    # a line break before a more-indented line gets an empty line after it (go-yaml's emitter)
    "a folded value in a manifest": {"cm.yaml": FOLDED, "kustomization.yaml": "resources: [cm.yaml]\n"},
    "a folded value two levels down": {
        "base/cm.yaml": FOLDED,
        "base/kustomization.yaml": "resources: [cm.yaml]\n",
        "mid/kustomization.yaml": "resources: [../base]\n",
        "kustomization.yaml": "resources: [mid]\nnamePrefix: p-\n",
    },
    # printed once, before the JSON patch (whose `test` sees the printed text); the patch's own
    # folded value is decoded from JSON, never printed as folded
    "through a JSON patch": {
        "cm.yaml": FOLDED,
        "j.yaml": '- {op: test, path: /data/a, value: "a\\n\\n  b\\n"}\n'
        "- op: add\n  path: /data/c\n  value: >\n    c\n      d\n",
        "kustomization.yaml": "resources: [cm.yaml]\npatches:\n- target: {kind: ConfigMap}\n  path: j.yaml\n",
    },
    # a base's JSON patch leaves `e: {}` in flow style; a map merged into it takes the patch's
    "merged into what a base's JSON patch left": {
        "base/cm.yaml": FOLDED,
        "base/kustomization.yaml": "resources: [cm.yaml]\npatches:\n- target: {kind: ConfigMap}\n"
        '  patch: \'[{"op": "add", "path": "/data/z", "value": "1"}]\'\n',
        "p.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  e:\n    q: >\n      a\n        b\n",
        "kustomization.yaml": "resources: [base]\npatches:\n- path: p.yaml\n",
    },
    # a generated object's name hashes the printed text
    "a generated ConfigMap patched with a folded value": {
        "p.yaml": SMP % ("gen", "B"),
        "kustomization.yaml": "configMapGenerator:\n- {name: gen, literals: [A=1]}\npatches:\n- path: p.yaml\n",
    },
    # a block scalar in a flow collection is written double-quoted: unchanged; an empty one takes
    # the patch's block style
    "merged into flow collections": {
        "foo.yaml": "apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: x}\n"
        "spec:\n  full: {k: v}\n  empty: {}\n  list: []\n",
        "p.yaml": "apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: x}\nspec:\n"
        "  full:\n    f: >\n      a\n        b\n  empty:\n    f: >\n      a\n        b\n"
        "  list:\n  - >\n    a\n      b\n",
        "kustomization.yaml": "resources: [foo.yaml]\npatches:\n- path: p.yaml\n",
    },
    # a replacement writes the text into a scalar that keeps its style, and copies a map whole
    "replacements into folded values": {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: src}\n"
        'data:\n  plain: "p\\n  q\\n"\n  f2: >\n    r\n      s\n'
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: dst}\ndata:\n  folded: >\n    old\n"
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: dst2}\ndata: {}\n",
        "kustomization.yaml": "resources: [cm.yaml]\nreplacements:\n"
        "- source: {kind: ConfigMap, name: src, fieldPath: data.plain}\n"
        "  targets: [{select: {name: dst}, fieldPaths: [data.folded]}]\n"
        "- source: {kind: ConfigMap, name: src, fieldPath: data}\n"
        "  targets: [{select: {name: dst2}, fieldPaths: [data]}]\n",
    },
    # kustomize trims an inline patch's text: its last block scalar loses its last line breaks
    "an inline patch ending in block scalars": {
        "cm.yaml": FOLDED,
        "kustomization.yaml": "resources: [cm.yaml]\npatches:\n- patch: |\n"
        "    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: x}\n    data:\n"
        "      c: >\n        c\n          d\n      k: |+\n        kept\n\n\n",
    },
    "an inline strategic-merge patch ending in a literal": {
        "cm.yaml": FOLDED,
        "kustomization.yaml": "resources: [cm.yaml]\npatchesStrategicMerge:\n- |-\n"
        "  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: x}\n  data:\n    MODE: |\n      live  \n",
    },
    # patchesStrategicMerge and patchesJson6902 entries are read untrimmed
    "an indented inline strategic-merge patch": {
        "cm.yaml": FOLDED,
        "kustomization.yaml": "resources: [cm.yaml]\npatchesStrategicMerge:\n- |2+\n"
        "    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: x}\n    data:\n      k: |+\n        kept\n\n",
    },
    "inline JSON patches ending in a literal, trimmed or not": {
        "cm.yaml": FOLDED,
        "kustomization.yaml": "resources: [cm.yaml]\npatchesJson6902:\n"
        "- target: {version: v1, kind: ConfigMap, name: x}\n  patch: |+\n"
        "    - op: add\n      path: /data/k\n      value: |+\n        kept\n\n\n"
        "patches:\n- target: {kind: ConfigMap}\n  patch: |+\n"
        "    - op: add\n      path: /data/t\n      value: |+\n        kept\n\n\n",
    },
    # kustomize writes its output by reading JSON back as YAML (go-yaml v2), where U+0085 is a line
    # break that folds; a generated object's name hashes the text before that
    "a U+0085 in values, a generator's literal and a replacement": {
        "cm.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a: "x \\N y"\n'
        '  b: "p\\N\\Nq"\n  c: "\\N"\n  d: "k\\N\\t\\u2028"\n'
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: dst}\ndata: {t: old}\n",
        "kustomization.yaml": "resources: [cm.yaml]\n"
        'configMapGenerator:\n- {name: gen, literals: ["A=1\\N\\N2"]}\n'
        "replacements:\n- source: {kind: ConfigMap, name: x, fieldPath: data.b}\n"
        "  targets: [{select: {name: dst}, fieldPaths: [data.t]}]\n",
    },
    # a kustomization's fields reach its plugins as JSON read back as YAML: an inline patch's U+0085
    # pair is a line break that takes the indentation after it away (`c` leaves `data`)
    "a U+0085 in an inline patch's text": {
        "cm.yaml": FOLDED,
        "kustomization.yaml": "resources: [cm.yaml]\npatches:\n"
        '- patch: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: x}\\ndata:\\n  a: b\\N\\N  c: d\\n"\n',
    },
    "a U+0085 in a prefix and a label": {
        "cm.yaml": FOLDED,
        "kustomization.yaml": 'resources: [cm.yaml]\nnamePrefix: "p\\N"\ncommonLabels: {team: "a\\N\\Nb"}\n',
    },
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_printing_changes_text_as_kubectl_does(tmp_path: Path, name: str) -> None:
    assert outcome(tmp_path, CASES[name]) == "exact"


def test_a_folded_text_with_a_line_separator_is_not_modelled(tmp_path: Path) -> None:
    """U+2028 ends a line in a file (a folded block never holds one as read), but a replacement
    can write one into a folded target; go-yaml's emitter writes it as itself: blocking, not guessed."""
    files = {
        "cm.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: src}\ndata: {v: "a\\n  b\\u2028c\\n"}\n'
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: dst}\ndata:\n  folded: >\n    old\n",
        "kustomization.yaml": "resources: [cm.yaml]\nreplacements:\n"
        "- source: {kind: ConfigMap, name: src, fieldPath: data.v}\n"
        "  targets: [{select: {name: dst}, fieldPaths: [data.folded]}]\n",
    }
    assert outcome(tmp_path, files) == "closed"


TAB_LED = {
    "folded": "  k: >2\n    \tt\n    x\n",
    "literal": "  k: |2\n    \tt\n    x\n",
    # written double-quoted (read back as written), until a JSON patch makes it a literal block
    "double-quoted, JSON-patched": '  k: "\\tt\\nx\\n"\n',
}


@pytest.mark.parametrize("name", sorted(TAB_LED))
def test_a_block_text_starting_with_a_tab_is_refused_as_kustomize_refuses_it(tmp_path: Path, name: str) -> None:
    """go-yaml writes no indentation indicator for it and cannot read its own output back."""
    thing = "apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\nspec:\n" + TAB_LED[name]
    patch = '- target: {kind: Thing}\n  patch: \'[{"op": "add", "path": "/spec/z", "value": 1}]\'\n'
    kustomization = "resources: [t.yaml]\n" + ("patches:\n" + patch if "JSON" in name else "")
    assert outcome(tmp_path, {"t.yaml": thing, "kustomization.yaml": kustomization}) == "refused"
    plain = "resources: [t.yaml]\n"
    assert "JSON" not in name or outcome(tmp_path / "plain", {"t.yaml": thing, "kustomization.yaml": plain}) == "exact"


# a generator's value on several lines is a literal block (kyaml's makeConfigMapValueRNode), so one
# that starts with a tab is refused as a written one is; one that does not prints and reads back
GENERATED_TAB_LED = {
    "a literal": ('configMapGenerator:\n- {name: c, literals: ["a=\\tx\\ny"]}\n', {}, "refused"),
    "a file": (
        "configMapGenerator:\n- {name: c, files: [data.tsv]}\n",
        {"data.tsv": "\tindented\nsecond\n"},
        "refused",
    ),
    "a file, not tab-led": ("configMapGenerator:\n- {name: c, files: [data.tsv]}\n", {"data.tsv": "x\n\ty\n"}, "exact"),
    "an env file's value": ("configMapGenerator:\n- {name: c, envs: [e.env]}\n", {"e.env": "A=\tx\n"}, "exact"),
}


@pytest.mark.parametrize("name", sorted(GENERATED_TAB_LED))
def test_a_generated_text_starting_with_a_tab_is_refused_as_kustomize_refuses_it(tmp_path: Path, name: str) -> None:
    kustomization, files, expected = GENERATED_TAB_LED[name]
    assert outcome(tmp_path, {"kustomization.yaml": kustomization, **files}) == expected
    told = [f.rule for f in Builder(SourceFiles(tmp_path)).build(tmp_path).findings]
    assert told.count("kustomize-invalid") == (expected == "refused")  # once, though printed before its hash too


REFUSED_AFTER_JSON = {
    "a DEL in a value": '  k: "a\\x7fb"\n',
    "a C1 control in a value": '  k: "a\\u0080b"\n',
    "a U+FFFE in a value": '  k: "a\\uFFFEb"\n',
    "a U+0085 in a key": '  "k\\Nx": 1\n',
}


def test_a_kustomization_value_its_plugins_cannot_read_is_refused(tmp_path: Path) -> None:
    files = {"cm.yaml": FOLDED, "kustomization.yaml": 'resources: [cm.yaml]\nnameSuffix: "-\\x7f"\n'}
    assert outcome(tmp_path, files) == "refused"


@pytest.mark.parametrize("name", sorted(REFUSED_AFTER_JSON))
def test_what_kustomize_cannot_write_out_is_refused(tmp_path: Path, name: str) -> None:
    thing = "apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\nspec:\n" + REFUSED_AFTER_JSON[name]
    assert outcome(tmp_path, {"t.yaml": thing, "kustomization.yaml": "resources: [t.yaml]\n"}) == "refused"


# Found by a hostile pull request: an environment file in a ConfigMap, written as a folded block
# whose text starts with a space. The built-in renderer read `TRADING_MODE=` and a line `live`;
# kustomize prints the object before it writes it out, and go-yaml's emitter folds that line break
# into a space: the cluster is sent `TRADING_MODE= live`, which an env-file reader takes as live.
ENV_CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: torghut-env
  annotations: {torghut.proompteng.ai/live-trading-owner: trading-desk}
data:
  trading.env: """
HOSTILE = ENV_CONFIGMAP + ">2\n     # settings\n    TRADING_MODE=\n\n    live\n"


ESCAPED = ENV_CONFIGMAP + '"TRADING_MODE=paper\\N\\NTRADING_MODE=live\\n"\n'


def test_a_switch_behind_escaped_line_breaks_is_caught(tmp_path: Path) -> None:
    """Found by a hostile pull request: U+0085 is no line break to an env-file reader, and the
    linter read one line ``TRADING_MODE=paper...``; kustomize writes its output through JSON read
    back as YAML, where two of them are a line break: the cluster is sent two lines, the second live."""
    write_tree(tmp_path, {"cm.yaml": ESCAPED, "kustomization.yaml": "resources: [cm.yaml]\n"})
    assert outcome(tmp_path, {}) == "exact"
    result = run_cli("--ignore-missing-schemas", "--repo-root", str(tmp_path), str(tmp_path), cwd=tmp_path)
    assert "cm.yaml:7:16: error live-trading-default-off ConfigMap torghut-env (environment file" in result.stdout, (
        result.stdout
    )


def test_a_switch_folded_into_an_environment_file_line_is_caught(tmp_path: Path) -> None:
    """Located at the scalar: the lines kustomize reads back are no longer the file's."""
    write_tree(tmp_path, {"cm.yaml": HOSTILE, "kustomization.yaml": "resources: [cm.yaml]\n"})
    assert outcome(tmp_path, {}) == "exact"
    result = run_cli("--ignore-missing-schemas", "--repo-root", str(tmp_path), str(tmp_path), cwd=tmp_path)
    assert "cm.yaml:7:16: error live-trading-default-off ConfigMap torghut-env (environment file 'trading.env')" in (
        result.stdout
    ), result.stdout
    assert result.code == 1


# What JSON cannot hold (an infinite or NaN number, a key that is not a string, a value its tag
# refuses) refuses the build where kustomize has it through JSON: as it writes each object out,
# where a JSON patch applies to it, as it expands a *List's items, and as it reads a
# kustomization. A value a patch or transformer replaces or deletes before then is never written.
_CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata: {%s}\n"
_SET = "- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n    data: {%s}\n"
_ADDED = "- target: {kind: ConfigMap}\n  patch: |\n    - {op: add, path: /data/z, value: q}\n"
NOT_JSON = {
    "written out: refused": ("a: .nan", ""),
    "a key written out: refused": ("5: x", ""),
    "a tag's refusal written out: refused": ("a: !!int 1.5", ""),
    "a strategic-merge patch's, written out: refused": ("a: b", _SET % "c: .nan"),
    "before a JSON patch: refused": ("a: .nan", _ADDED + _SET % "a: b"),
    "replaced first": ("a: .nan", _SET % "a: b"),
    "replaced first, then a JSON patch": ("a: .nan", _SET % "a: b" + _ADDED),
    "deleted first": ("a: .nan", _SET % "a: null"),
    "a key, replaced first": ("5: x", _SET % "$patch: replace, a: b"),
    "a tag's refusal, replaced first": ("a: !!bool yes", _SET % "a: b"),
    "a strategic-merge patch's, replaced": ("a: b", _SET % "c: .nan" + _SET % "c: d"),
    "an undecodable !!binary written out: refused": ("a: !!binary 'bGl2 ZQ=='", ""),
    "a !!binary with a line break in its text": ('a: !!binary "bGl2\\nZQ=="', ""),
    "an undecodable !!binary, replaced first": ("a: !!binary bGl2ZQ", _SET % "a: b"),
    "a strategic-merge patch's, matching nothing": ("a: b", "- target: {name: zz}\n " + (_SET % "c: .nan")[1:]),
}


@pytest.mark.parametrize("name", sorted(NOT_JSON))
def test_what_json_cannot_hold_is_refused_only_where_kustomize_has_it_through_json(tmp_path: Path, name: str) -> None:
    data, patches = NOT_JSON[name]
    files = {"cm.yaml": _CM % data, "kustomization.yaml": f"resources: [cm.yaml]\npatches:\n{patches}"}
    if not patches:
        files["kustomization.yaml"] = "resources: [cm.yaml]\n"
    assert outcome(tmp_path, files) == ("refused" if name.endswith("refused") else "exact")
    assert name.endswith("refused") or blocking(tmp_path) == []


@pytest.mark.parametrize(
    "files",
    [
        {"b/cm.yaml": _CM % "a: .nan", "b/kustomization.yaml": "resources: [cm.yaml]\n"},  # a base's, replaced above
        {"cm.yaml": _CM % "a: .nan", "kustomization.yaml": "resources: [cm.yaml]\n", "dir": ""},
        {"cm.yaml": (_CM % "a: b").replace("name: a", "name: .inf"), "kustomization.yaml": "resources: [cm.yaml]\n"},
    ],
    ids=["a base's", "a local object's", "a name a prefix makes a string"],
)
def test_what_json_cannot_hold_and_kustomize_never_writes_out_passes(tmp_path: Path, files: dict) -> None:
    files = dict(files)
    if "b/cm.yaml" in files:
        files["kustomization.yaml"] = "resources: [b]\npatches:\n" + _SET % "a: b"
    elif files.pop("dir", None) is not None:
        files["cm.yaml"] = files["cm.yaml"].replace(
            "name: a", "name: a\n  annotations: {config.kubernetes.io/local-config: 'true'}"
        )
    else:
        files["kustomization.yaml"] += "namePrefix: p-\n"
    assert outcome(tmp_path, files) == "exact"
    assert blocking(tmp_path) == []


@pytest.mark.parametrize(
    "field",
    [
        "commonAnnotations: {a: .nan}",
        "commonAnnotations: {a: !!int x}",
        "labels: [{pairs: {a: b}, fields: [{path: .inf}]}]",
        "images: [{name: .inf, newName: z}]",  # (the resource's `.inf` image it would replace is never written)
        "replicas: [{name: a, count: .inf}]",
        "openapi: {x: -.inf}",
    ],
)
def test_a_kustomization_json_cannot_hold_is_refused(tmp_path: Path, field: str) -> None:
    """kustomize reads a kustomization through JSON (sigs.k8s.io/yaml): ``.nan`` anywhere in it
    refuses the build."""
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c, image: .inf}]}\n"
    files = {"pod.yaml": pod, "kustomization.yaml": f"resources: [pod.yaml]\n{field}\n"}
    assert outcome(tmp_path, files) == "refused"
    assert blocking(tmp_path) == ["kustomize-invalid"]


# kustomize's reader clears every key `<<` once it has merged the merge keys (kyaml's DeAnchor): one
# written quoted or tagged is lost with its value, merged nowhere; a `<<` kustomize writes itself is
# plain, and go-yaml reads it back as a merge key as kustomize marshals the object
_JSON_PATCHED = "resources: [cm.yaml]\npatches:\n- target: {kind: ConfigMap}\n  patch: |\n    %s\n"
QUOTED_MERGE_KEYS = [
    "'<<': {b: c}",
    "'<<': [{b: c}, {d: e}]",
    "a: x\n  '<<': {a: z, b: c}",
    '"<<": 5',
    "!!str <<: {b: c}",
]


@pytest.mark.parametrize("data", QUOTED_MERGE_KEYS + ["x: {'<<': {b: c}}", "x: ['<<': {b: c}]"])
@pytest.mark.parametrize("patched", [False, True])
def test_a_key_like_a_merge_key_is_lost_as_kustomize_reads_the_object(tmp_path: Path, data: str, patched: bool) -> None:
    files = {
        "cm.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  {data}\n",
        "kustomization.yaml": "resources: [cm.yaml]\n" + (f"patches:\n{_ADDED}" if patched else ""),
    }
    assert outcome(tmp_path, files) == "exact"
    assert "<<" not in run_cli("render", str(tmp_path)).stdout


def test_a_json_patch_writing_a_key_like_a_merge_key_is_not_modelled(tmp_path: Path) -> None:
    """go-yaml writes the patched object's ``<<`` key out plain: kustomize reads it back as a merge
    key (``{'<<': {m: n}, k: v}`` becomes ``{k: v, m: false}``)."""
    patch = "- {op: add, path: /data/w, value: {'<<': {m: n}, k: v}}"
    files = {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata: {x: y}\n",
        "kustomization.yaml": _JSON_PATCHED % patch,
    }
    assert outcome(tmp_path, files) == "closed"


@pytest.mark.parametrize(
    ("key", "in_a_manifest", "in_the_kustomization"),
    [
        # go-yaml v3 (a manifest) decodes no tagged key into a JSON object's: any tag but !!str refuses
        ("!!bool yes", "refused", "refused"),  # (the annotation key "true" to sigs.k8s.io/yaml)
        ("!!int 5", "refused", "refused"),
        ("!!binary YQ==", "refused", "exact"),  # the key "a" to sigs.k8s.io/yaml
        ("!!null ''", "refused", "refused"),
        ("!!int x", "refused", "refused"),  # no integer: go-yaml v2 refuses it too
        ("!!binary 'a b'", "refused", "refused"),
        ("!custom k", "refused", "exact"),
        ("!!map k", "refused", "exact"),
        ("!!str 5", "exact", "refused"),  # (an annotation key that reads back as a number)
        ("!!str yes", "exact", "exact"),
        ("! k", "exact", "exact"),
    ],
)
def test_a_tagged_key_as_kustomize_reads_it(
    tmp_path: Path, key: str, in_a_manifest: str, in_the_kustomization: str
) -> None:
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  %s: x\n"
    files = {"cm.yaml": manifest % key, "kustomization.yaml": "resources: [cm.yaml]\n"}
    assert outcome(tmp_path / "manifest", files) == in_a_manifest
    files = {"cm.yaml": manifest % "a", "kustomization.yaml": f"resources: [cm.yaml]\ncommonAnnotations:\n  {key}: x\n"}
    assert outcome(tmp_path / "kustomization", files) == in_the_kustomization
    # a JSON patch reads its values as sigs.k8s.io/yaml does, and leaves every key a string
    patch = f"- {{op: add, path: /data, value: {{{key}: y}}}}"
    files = {
        "cm.yaml": manifest % "a",
        "kustomization.yaml": _JSON_PATCHED % patch,
    }
    assert outcome(tmp_path / "patched", files) == (
        "refused" if key in ("!!null ''", "!!int x", "!!binary 'a b'") else "exact"
    )


def test_a_key_like_a_merge_key_is_lost_before_a_replacement_reads_it(tmp_path: Path) -> None:
    files = {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  '<<': q\n  x: y\n",
        "kustomization.yaml": "resources: [cm.yaml]\nreplacements:\n- source: {kind: ConfigMap, fieldPath: 'data.<<'}\n"
        "  targets: [{select: {kind: ConfigMap}, fieldPaths: [data.x]}]\n",
    }
    assert outcome(tmp_path, files) == "refused"


@pytest.mark.parametrize(
    "field",
    [
        "commonAnnotations: {'<<': x}",
        "commonLabels: {'<<': x}",
        "labels: [{pairs: {'<<': x}}]",
        "configMapGenerator: [{name: g, literals: ['<<=x']}]",
        "configMapGenerator: [{name: g, literals: [a=b], options: {annotations: {'<<': x}}}]",
        "secretGenerator: [{name: s, literals: ['<<=x']}]",
        "replacements:\n- source: {kind: ConfigMap, fieldPath: data.x}\n"
        "  targets: [{select: {kind: ConfigMap}, fieldPaths: ['data.<<'], options: {create: true}}]",
    ],
)
def test_a_key_like_a_merge_key_kustomize_writes_is_refused(tmp_path: Path, field: str) -> None:
    files = {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: y\n",
        "kustomization.yaml": f"resources: [cm.yaml]\n{field}\n",
    }
    assert outcome(tmp_path, files) == "refused"
    assert blocking(tmp_path) == ["kustomize-invalid"]


def test_a_credential_under_a_key_like_a_merge_key_is_still_in_the_repository(tmp_path: Path) -> None:
    secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  '<<': {password: Sup3rS3cretValue99x}\n"
    write_tree(tmp_path, {"s.yaml": secret, "kustomization.yaml": "resources: [s.yaml]\n"})
    result = run_cli("--no-schemas", "--format", "json", str(tmp_path))
    assert [(f["rule"], f["line"]) for f in result.json["findings"]] == [("no-inline-secrets", 5)]
    assert "Sup3rS3cretValue99x" not in result.stdout


@pytest.mark.parametrize(
    ("data", "kustomize_refuses", "kubectl_refuses"),
    [
        # go-yaml merges a map or a list of maps; anything else fails both readers (v2 and v3)
        ("<<: 5", True, True),
        ("<<: null", True, True),
        ("<<: [{a: b}, 5]", True, True),
        ("x: &s 5\n  y:\n    <<: *s", True, True),
        ("<<: []", False, False),
        ("<<: {}", False, False),
        # kyaml's reader refuses two merge keys in one map; go-yaml v2 (kubectl, Argo CD) takes both
        ("<<: {a: '1'}\n  <<: {b: '2'}", True, False),
    ],
)
def test_a_merge_key_go_yaml_refuses_blocks(
    tmp_path: Path, data: str, kustomize_refuses: bool, kubectl_refuses: bool
) -> None:
    """kubectl's own reading of a file (Argo CD's of a directory) is checked by ``kubectl create
    --dry-run=client``, which parses before it needs a cluster."""
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed")
    cm = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  {data}\n"
    files = {"cm.yaml": cm, "kustomization.yaml": "resources: [cm.yaml]\n"}
    write_tree(tmp_path, files)
    kubectl = subprocess.run(["kubectl", "kustomize", str(tmp_path)], capture_output=True, timeout=120)
    assert (kubectl.returncode != 0) is kustomize_refuses
    errors = [f["rule"] for f in run_cli("--no-schemas", "--format", "json", str(tmp_path)).json["findings"]]
    assert bool(errors) is kustomize_refuses
    (tmp_path / "kustomization.yaml").unlink()
    create = [
        "kubectl",
        "create",
        "--dry-run=client",
        "--validate=false",
        "-o",
        "yaml",
        "-f",
        str(tmp_path / "cm.yaml"),
    ]
    parsed = b"error parsing" not in subprocess.run(create, capture_output=True, timeout=120).stderr
    assert parsed is not kubectl_refuses
    errors = [f["rule"] for f in run_cli("--no-schemas", "--format", "json", str(tmp_path)).json["findings"]]
    assert bool(errors) is kubectl_refuses


def test_an_empty_key_is_the_key_empty_text_to_kustomize(tmp_path: Path) -> None:
    """go-yaml v3 reads a key written empty (``? `` with nothing after it) as "", not null: kubectl
    prints ``"": v``, where a key written ``~`` or ``null`` is refused."""
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  ? \n  : v\n"
    assert outcome(tmp_path / "empty", {"cm.yaml": cm, "kustomization.yaml": "resources: [cm.yaml]\n"}) == "exact"
    assert blocking(tmp_path / "empty") == []
    files = {"cm.yaml": cm.replace("? \n", "? ~\n"), "kustomization.yaml": "resources: [cm.yaml]\n"}
    assert outcome(tmp_path / "null", files) == "refused"


@pytest.mark.parametrize(
    ("value", "refused_at"),
    [
        ('"x\\/y"', (6, 8)),  # YAML 1.2's escaped slash: libyaml reads it, go-yaml refuses the file
        ('"a\\\\\\/b"', (6, 10)),  # an escaped backslash, then the escaped slash
        ('"one\n    two \\/ three"', (7, 9)),
        ('"x\\\\/y"', None),  # an escaped backslash and a slash
        ("'x\\/y'", None),  # no escapes in single quotes
        ("x\\/y", None),
    ],
)
def test_an_escaped_slash_is_refused_as_go_yaml_refuses_it(
    tmp_path: Path, value: str, refused_at: tuple | None
) -> None:
    files = {
        "cm.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  a: {value}\n",
        "kustomization.yaml": "resources: [cm.yaml]\n",
    }
    rendered, problems = render_both(tmp_path, files)
    assert rendered is (refused_at is None)
    findings = run_cli("--no-schemas", "--format", "json", str(tmp_path)).json["findings"]
    assert [(f["rule"], f["line"], f["column"]) for f in findings] == (
        [("yaml-syntax", *refused_at)] if refused_at else []
    )


def test_an_escaped_slash_in_a_json_file_is_refused_by_kustomize_alone(tmp_path: Path) -> None:
    """JSON escapes a slash as it likes (``"http:\\/\\/x"``): kubectl (and Argo CD) read a ``.json``
    manifest as JSON, kustomize reads a resource file as YAML, which refuses it."""
    cm = '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"u": "http:\\/\\/x"}}\n'
    write_tree(tmp_path / "directory", {"cm.json": cm, "dashboard.json": '{"url": "https:\\/\\/grafana"}\n'})
    result = run_cli("--no-schemas", "--format", "json", str(tmp_path / "directory"))
    assert result.json["findings"] == [] and result.json["summary"]["resources"] == 1
    files = {"cm.json": cm, "kustomization.yaml": "resources: [cm.json]\n"}
    assert outcome(tmp_path / "kustomized", files) == "refused"
    findings = run_cli("--no-schemas", "--format", "json", str(tmp_path / "kustomized")).json["findings"]
    assert [(f["rule"], f["line"], f["column"]) for f in findings] == [("kustomize-invalid", 1, 90)]


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        ('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"v": "a\\/b"}}\n', "refused"),
        ('[{"op": "add", "path": "/data/v", "value": "a\\/b"}]\n', "exact"),  # read as JSON
    ],
)
def test_an_escaped_slash_in_a_json_patch_file_as_kustomize_reads_it(tmp_path: Path, patch: str, expected: str) -> None:
    cm = '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"u": "x"}}\n'
    target = "\n  target: {kind: ConfigMap}" if patch.startswith("[") else ""
    files = {
        "cm.json": cm,
        "p.json": patch,
        "kustomization.yaml": f"resources: [cm.json]\npatches:\n- path: p.json{target}\n",
    }
    assert outcome(tmp_path, files) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("!x a", "exact"),  # kustomize writes every annotation back: the key as written, untagged
        ("!!bool yes", "exact"),  # "yes", a string to go-yaml v3
        ("!!binary YQ==", "exact"),  # its text, not what it decodes to
        ("!!int x", "exact"),
        ("!!int 5", "refused"),  # "5" written back plain reads as a number
        ("!!null ''", "refused"),
    ],
)
def test_a_tagged_annotation_key_is_its_text_as_kustomize_writes_annotations_back(
    tmp_path: Path, key: str, expected: str
) -> None:
    cm = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    {key}: v\ndata: {{x: y}}\n"
    assert outcome(tmp_path, {"cm.yaml": cm, "kustomization.yaml": "resources: [cm.yaml]\n"}) == expected
    assert (blocking(tmp_path) == []) is (expected == "exact")


@pytest.mark.parametrize(
    "kustomization",
    ["", "namePrefix: p-\n", f"patches:\n{_ADDED}"],
)
def test_an_annotation_written_as_a_block_is_not_printed_as_one(tmp_path: Path, kustomization: str) -> None:
    """kustomize writes every annotation back as a new string: a folded block's text is not
    printed as a folded block (whose emitter adds an empty line before a more-indented line)."""
    cm = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n"
        "    a: >\n      x\n       y\n      z\n    b: |\n      l1\n      l2\ndata: {x: y}\n"
    )
    files = {"cm.yaml": cm, "kustomization.yaml": f"resources: [cm.yaml]\n{kustomization}"}
    assert outcome(tmp_path, files) == "exact"
    want = subprocess.run(["kubectl", "kustomize", str(tmp_path)], capture_output=True, timeout=120).stdout
    assert run_cli("render", str(tmp_path)).stdout == want.decode()


@pytest.mark.parametrize(
    ("manifest", "kustomization"),
    [
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    a:\ndata: {x: y}\n",
            f"resources: [cm.yaml]\npatches:\n{_ADDED}",
        ),
        (
            "apiVersion: v1\nkind: ConfigMapList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n"
            "    name: c\n    annotations:\n      a:\n  data: {x: y}\n",
            "resources: [cm.yaml]\n",
        ),
        (  # not through JSON: the annotation is its text, ""
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    a:\ndata: {x: y}\n",
            "resources: [cm.yaml]\n",
        ),
    ],
    ids=["JSON-patched", "a List's item", "as written"],
)
def test_a_value_written_empty_is_null_once_through_json(tmp_path: Path, manifest: str, kustomization: str) -> None:
    """A value written with nothing is null: through JSON (a JSON patch, a *List's item) it is
    written ``null``, and an annotation holding it is the text "null" from then on."""
    files = {"cm.yaml": manifest, "kustomization.yaml": kustomization}
    assert outcome(tmp_path, files) == "exact"
    want = subprocess.run(["kubectl", "kustomize", str(tmp_path)], capture_output=True, timeout=120).stdout
    assert run_cli("render", str(tmp_path)).stdout == want.decode()
