"""`replacements` against `kubectl kustomize`: sources and targets found by current or written
names across a base, wildcards, delimiters, reject, create, generated sources."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
import yaml
from kubectl_parity import outcome, render_both, write_tree

from conftest import run_cli
from torghut_lint.kustomize.build import Builder, SourceFiles

BASE = {
    "base/d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 1\n"
    "  template:\n    spec:\n      containers:\n"
    "        - {name: a, image: 'r.io/a:1'}\n        - {name: b, image: 'r.io/b:1'}\n"
    "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {n: '7', host: 'x.example.com', tag: '2'}\n",
    "base/kustomization.yaml": "resources: [d.yaml]\nnamePrefix: b-\nnamespace: t\n",
}


def _replacement(source: str, target: str, field_paths: str, options: str = "") -> str:
    return (
        "resources: [base]\nreplacements:\n"
        f"  - source: {source}\n    targets:\n      - select: {target}\n        fieldPaths: {field_paths}\n"
        + (f"        options: {options}\n" if options else "")
    )


CASES = {
    "by written names": _replacement(
        "{kind: ConfigMap, name: cfg, fieldPath: data.n}",
        "{kind: Deployment, name: api}",
        "[metadata.annotations.n]",
        "{create: true}",
    ),
    "by current names": _replacement(
        "{kind: ConfigMap, name: b-cfg, fieldPath: data.n}",
        "{kind: Deployment, name: b-api}",
        "[metadata.annotations.n]",
        "{create: true}",
    ),
    "wildcard over containers with a delimiter": _replacement(
        "{kind: ConfigMap, name: cfg, fieldPath: data.tag}",
        "{kind: Deployment}",
        "['spec.template.spec.containers.*.image']",
        "{delimiter: ':', index: 1}",
    ),
    "by merge key": _replacement(
        "{kind: ConfigMap, name: cfg, fieldPath: data.host}",
        "{kind: Deployment}",
        "['spec.template.spec.containers.[name=b].image']",
        "{delimiter: '/', index: 0}",
    ),
    "a missing target field without create": _replacement(
        "{kind: ConfigMap, name: cfg, fieldPath: data.n}", "{kind: Deployment}", "[metadata.annotations.n]"
    ),
    "a rejected target": "resources: [base]\nreplacements:\n"
    "  - source: {kind: ConfigMap, name: cfg, fieldPath: data.n}\n"
    "    targets:\n      - select: {kind: Deployment}\n        reject: [{name: api}]\n"
    "        fieldPaths: [metadata.annotations.n]\n        options: {create: true}\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_replacements_render_as_kubectl_does(tmp_path: Path, name: str) -> None:
    rendered, problems = render_both(tmp_path, {**BASE, "kustomization.yaml": CASES[name]})
    assert problems == [], problems
    assert rendered == (name != "a missing target field without create")  # kustomize refuses that one


# -- seeded replacements against kubectl -------------------------------------------------------
# A Deployment whose containers share name fragments (`ws`, `ws-2`, `news`: kyaml's `[name=ws]` is a
# pattern searched in the name), values of every type a target keeps (an integer, a boolean, a
# quoted number, a missing value), ConfigMaps in two namespaces and a Service; the replacements
# draw their source, targets, paths and options from vocabularies of the forms kustomize reads.
FUZZ_BASE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: torghut-ws
  labels: {app: ws, tier: web}
  annotations: {a: x}
spec:
  replicas: 1
  paused: false
  template:
    spec:
      containers:
        - name: ws
          image: registry/ws:1
          args: ["--a", "--b"]
          env:
            - {name: TRADING_LIVE_ENABLED, value: "false"}
            - {name: N, value: 1}
            - {name: E}
            - {name: PORT, value: "8080"}
        - {name: ws-2, image: registry/ws2:1}
        - {name: news, image: x/news:2}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: mode, labels: {tier: cfg}}
data: {MODE: live, NUM: "3", IMG: "registry/other:9", EMPTY: "", HOST: a.b.c}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: mode, namespace: other}
data: {MODE: paper, NUM: "4", IMG: "registry/more:8", EMPTY: "", HOST: d.e, NEW: "n"}
---
apiVersion: v1
kind: Service
metadata: {name: torghut-ws}
spec:
  selector: {app: ws}
  ports: [{name: http, port: 80, targetPort: 8080}]
"""
CONTAINERS = "spec.template.spec.containers"
# (kind, name, namespace) of the objects, and the fields each holds (or may be made)
SOURCES = [("ConfigMap", "mode", "default"), ("ConfigMap", "mode", "other"), ("Deployment", "torghut-ws", None)] * 3
SOURCES += [("Service", "torghut-ws", None), ("ConfigMap", "mode", None), ("ConfigMap", "missing", None)]
SOURCE_PATHS = {
    "ConfigMap": ["data.MODE", "data.NUM", "data.IMG", "data.EMPTY", "data.HOST", "metadata.name", ".data.MODE"],
    "Deployment": [
        "spec.replicas",
        "spec.paused",
        f"{CONTAINERS}.[name=ws].image",
        f"{CONTAINERS}.0.env.[name=N].value",
        f"{CONTAINERS}.0.env.1.value",
        f"{CONTAINERS}.0.args",
        "metadata.labels",
        "metadata.annotations.a",
    ],
    "Service": ["spec.ports.0.port", "spec.ports.[name=http].targetPort", "spec.selector", "metadata.name"],
}
HOSTILE_SOURCE_PATHS = [
    "data.NONE",
    f"{CONTAINERS}.[name=w].image",
    f"{CONTAINERS}.5.image",
    "",
    f"{CONTAINERS}.*.image",
    "data.MODE.x",
    "metadata.annotations",
    "spec.template",
    f"{CONTAINERS}.-.image",
    f"{CONTAINERS}.[name].image",
]
TARGET_PATHS = {
    "Deployment": [
        "spec.replicas",
        "spec.paused",
        "metadata.name",
        "metadata.labels.app",
        "metadata.annotations.a",
        "metadata.annotations.new",
        f"{CONTAINERS}.[name=ws].image",
        f"{CONTAINERS}.[name=w].image",
        f"{CONTAINERS}.[name=ws-.].image",
        f"{CONTAINERS}.*.image",
        f"{CONTAINERS}.0.env.[name=TRADING_LIVE_ENABLED].value",
        f"{CONTAINERS}.0.env.[name=E].value",
        f"{CONTAINERS}.0.env.[name=N].value",
        f"{CONTAINERS}.0.env.[name=PORT].value",
        f"{CONTAINERS}.0.args.[=--a]",
        f"{CONTAINERS}.0.args.1",
        f"{CONTAINERS}.0.args.2",
        f"{CONTAINERS}.3.image",
        f"{CONTAINERS}.[name=new].image",
        "metadata.labels",
        f"{CONTAINERS}.0.env",
        "spec.template.spec.nodeSelector.zone",
        f"{CONTAINERS}.[name=ws].env.[name=X].value",
    ],
    "ConfigMap": ["data.MODE", "data.NEW", "data.NUM", "metadata.labels.tier", "data"],
    "Service": ["spec.ports.[port=80].targetPort", "spec.selector.app", "spec.ports.0.name", "spec.ports.1.port"],
}
HOSTILE_TARGET_PATHS = ["spec.missing.deep.value", "", "spec.template.spec", f"{CONTAINERS}.*", "data.*", "a..b"]


def _draw(rng: random.Random, usual: list, hostile: list, p: float = 0.08):
    return rng.choice(hostile if rng.random() < p else usual)


def _options(rng: random.Random, create: bool) -> dict | None:
    drawn: dict = {}
    if rng.random() < 0.25:
        drawn["delimiter"] = rng.choice([":", "/", "."])
        drawn["index"] = rng.choice([0, 0, 1, 1, 2, -1])
    if create and rng.random() < 0.7:
        drawn["create"] = rng.random() < 0.9
    return drawn or None


def _selector(rng: random.Random, kind: str) -> dict:
    drawn = {
        "kind": kind if rng.random() < 0.9 else None,
        "name": rng.choice([None, None, None, "torghut-ws", "mode", "p-torghut-ws", "torghut-w."]),
        "namespace": rng.choice([None, None, None, None, "other", "default"]),
        "labelSelector": rng.choice([None, None, None, None, "app=ws", "tier in (cfg)", "app notin (ws)"]),
    }
    return {k: v for k, v in drawn.items() if v is not None}


def draw_replacements(rng: random.Random) -> list[dict]:
    out = []
    for _ in range(rng.choice([1, 1, 2])):
        kind, name, namespace = rng.choice(SOURCES)
        source = {"kind": kind, "name": name, "namespace": namespace}
        source["fieldPath"] = _draw(rng, SOURCE_PATHS[kind], HOSTILE_SOURCE_PATHS)
        if rng.random() < 0.3 and source["fieldPath"] in ("data.IMG", "data.HOST", f"{CONTAINERS}.[name=ws].image"):
            source["options"] = {"delimiter": rng.choice([":", "/", "."]), "index": rng.choice([0, 1, 1, 2])}
        targets = []
        for _ in range(rng.choice([1, 1, 2])):
            kind = rng.choice(["Deployment", "Deployment", "ConfigMap", "Service"])
            target = {
                "select": _selector(rng, kind),
                "reject": [rng.choice([{"name": "mode"}, {"labelSelector": "tier=cfg"}, {"kind": "Service"}])]
                if rng.random() < 0.15
                else None,
                "fieldPaths": [
                    _draw(rng, TARGET_PATHS[kind], HOSTILE_TARGET_PATHS) for _ in range(rng.choice([1, 1, 2]))
                ],
                "options": _options(rng, create=True),
            }
            targets.append({k: v for k, v in target.items() if v is not None})
        out.append({"source": {k: v for k, v in source.items() if v is not None}, "targets": targets})
    return out


def _replacement_tree(seed: int) -> dict[str, str]:
    rng = random.Random(seed)
    top: dict = {"resources": ["base"]}
    if rng.random() < 0.3:
        top["namePrefix"] = "p-"
    top["replacements"] = draw_replacements(rng)
    return {
        "base/objects.yaml": FUZZ_BASE,
        "base/kustomization.yaml": "resources: [objects.yaml]\n",
        "kustomization.yaml": yaml.safe_dump(top, sort_keys=False),
    }


REPLACEMENT_CASES = int(os.environ.get("TORGHUT_LINT_REPLACEMENT_CASES", "60"))


@pytest.mark.parametrize("seed", range(REPLACEMENT_CASES))
def test_seeded_replacements_render_as_kubectl_does_or_block(tmp_path: Path, seed: int) -> None:
    """The built-in build renders what kubectl renders, or blocks where kubectl refuses (or where
    it does not model a form: then it says so)."""
    files = _replacement_tree(seed)
    assert outcome(tmp_path, files) in ("exact", "refused", "closed"), files["kustomization.yaml"]


def test_seeded_replacements_are_modelled_not_refused_wholesale(tmp_path: Path) -> None:
    """Failing closed is for the rare form, not the common one: of the seeded cases, the built-in
    renderer models at least nine in ten (kubectl's verdict aside)."""
    closed = 0
    for seed in range(200):
        case = write_tree(tmp_path / str(seed), _replacement_tree(seed))
        build = Builder(SourceFiles(case)).build(case)
        closed += any(f.rule == "kustomize-unsupported" for f in build.findings)
    assert closed <= 30, closed


def _one(
    source: str, select: str, paths: str, options: str = "", extra: str = "", reject: str = "", more: str = ""
) -> dict[str, str]:
    """FUZZ_BASE with one replacement at the top: its target (with ``reject``), then ``more``
    targets as written; ``extra`` kustomization lines before it."""
    kustomization = (
        f"resources: [base]\n{extra}replacements:\n  - source: {source}\n    targets:\n"
        f"      - select: {select}\n        fieldPaths: {paths}\n"
        + (f"        options: {options}\n" if options else "")
        + (f"        reject: {reject}\n" if reject else "")
        + more
    )
    return {
        "base/objects.yaml": FUZZ_BASE,
        "base/kustomization.yaml": "resources: [objects.yaml]\n",
        "kustomization.yaml": kustomization,
    }


MODE = "{kind: ConfigMap, name: mode, namespace: default, fieldPath: data.MODE}"
NUM = "{kind: ConfigMap, name: mode, namespace: default, fieldPath: data.NUM}"
EMPTY = "{kind: ConfigMap, name: mode, namespace: default, fieldPath: data.EMPTY}"
DEPLOYMENT = "{kind: Deployment}"
# what kubectl does with each, as the built-in build must: "exact" (the same objects), "refused"
# (kustomize fails the build; a blocking finding here) or "closed" (not modelled; blocking here)
SEMANTICS = {
    # kyaml's [k=v] in a target is a pattern searched in the value: ws also selects ws-2 and news
    "a target's [name=ws] selects every name holding ws": (
        _one(MODE, DEPLOYMENT, f"['{CONTAINERS}.[name=ws].image']"),
        "exact",
    ),
    "a target's [name=E] selects TRADING_LIVE_ENABLED": (
        _one(MODE, DEPLOYMENT, f"['{CONTAINERS}.0.env.[name=E].value']"),
        "exact",
    ),
    # a source's [k=v] is an exact match: ws, not ws-2
    "a source's [name=ws] is ws alone": (
        _one(
            f"{{kind: Deployment, fieldPath: '{CONTAINERS}.[name=ws].image'}}",
            "{kind: Service}",
            "[metadata.annotations.a]",
            "{create: true}",
        ),
        "exact",
    ),
    "an integer target keeps its type and refuses a word": (_one(MODE, DEPLOYMENT, "[spec.replicas]"), "refused"),
    "an integer target takes a number's text": (_one(NUM, DEPLOYMENT, "[spec.replicas]"), "exact"),
    "a boolean target refuses a word": (_one(MODE, DEPLOYMENT, "[spec.paused]"), "refused"),
    "a quoted string target takes a number as a string": (
        _one(NUM, DEPLOYMENT, f"['{CONTAINERS}.0.env.[name=TRADING].value']"),
        "exact",
    ),
    "a created field reads its text as a plain scalar": (
        _one(NUM, DEPLOYMENT, "[spec.template.spec.nodeSelector.zone]", "{create: true}"),
        "exact",
    ),
    "an empty text created in a block map is null": (
        _one(EMPTY, DEPLOYMENT, "[spec.template.spec.nodeSelector.zone]", "{create: true}"),
        "exact",
    ),
    "an empty text created in a flow map is the empty string": (
        _one(EMPTY, "{kind: Service}", "[spec.selector.zone]", "{create: true}"),
        "exact",
    ),
    "a missing field without create": (_one(MODE, DEPLOYMENT, "[spec.template.spec.nodeSelector.zone]"), "refused"),
    "a list index past the end": (_one(MODE, DEPLOYMENT, f"['{CONTAINERS}.5.image']"), "refused"),
    "an index at the end with create appends": (
        _one(MODE, DEPLOYMENT, f"['{CONTAINERS}.0.args.2']", "{create: true}"),
        "exact",
    ),
    "a primitive item by pattern, whatever follows": (
        _one(MODE, DEPLOYMENT, f"['{CONTAINERS}.0.args.[=--a].ignored']"),
        "exact",
    ),
    "every container": (_one(MODE, DEPLOYMENT, f"['{CONTAINERS}.*.image']"), "exact"),
    "'*' over a map": (_one(MODE, DEPLOYMENT, "['metadata.labels.*']"), "refused"),
    "a delimiter before the first part": (
        _one(MODE, DEPLOYMENT, f"['{CONTAINERS}.1.image']", "{delimiter: ':', index: -1}"),
        "exact",
    ),
    "a delimiter past the last part": (
        _one(MODE, DEPLOYMENT, f"['{CONTAINERS}.1.image']", "{delimiter: ':', index: 5}"),
        "exact",
    ),
    "a source split out of bounds": (
        _one(
            "{kind: ConfigMap, name: mode, namespace: default, fieldPath: data.IMG, "
            "options: {delimiter: ':', index: 2}}",
            DEPLOYMENT,
            "[metadata.annotations.a]",
        ),
        "refused",
    ),
    "a source in two namespaces is two objects": (
        _one("{kind: ConfigMap, name: mode, fieldPath: data.MODE}", DEPLOYMENT, "[metadata.annotations.a]"),
        "refused",
    ),
    "an empty source value is a value": (_one(EMPTY, DEPLOYMENT, "[metadata.annotations.a]"), "exact"),
    "a null source is missing": (
        _one(
            f"{{kind: Deployment, fieldPath: '{CONTAINERS}.0.env.[name=E].value'}}",
            DEPLOYMENT,
            "[metadata.annotations.a]",
        ),
        "refused",
    ),
    "a map source replaces a map": (
        _one(
            "{kind: Service, fieldPath: spec.selector}", DEPLOYMENT, "[spec.template.metadata.labels]", "{create: true}"
        ),
        "exact",
    ),
    "a source found by its name before the prefix": (
        _one(
            "{kind: ConfigMap, name: mode, namespace: other, fieldPath: data.MODE}",
            DEPLOYMENT,
            "[metadata.annotations.a]",
            extra="namePrefix: p-\n",
        ),
        "exact",
    ),
    "a number written into a prefixed name is a number": (
        _one("{kind: Service, fieldPath: spec.ports.0.port}", DEPLOYMENT, "[metadata.name]", extra="namePrefix: p-\n"),
        "exact",
    ),
    "a label selector and a reject": (
        _one(MODE, "{labelSelector: 'tier in (web, cfg)'}", "[metadata.labels.tier]", reject="[{kind: ConfigMap}]"),
        "exact",
    ),
    # kustomize writes into the source's own node: the next target takes "live:live"
    "a target that is the source's own value": (
        _one(
            MODE,
            "{kind: ConfigMap, labelSelector: tier=cfg}",
            "[data.MODE]",
            "{delimiter: ':', index: 2}",
            more="      - select: {kind: Deployment}\n        fieldPaths: [metadata.annotations.a]\n",
        ),
        "exact",
    ),
    "a name replaced by the empty string": (_one(EMPTY, DEPLOYMENT, "[metadata.name]"), "refused"),
    # what this renderer does not model blocks, and says so
    # kustomize keeps its bookkeeping (the names an object had) in its annotations while it builds
    "the annotations as a source": (
        _one(
            "{kind: ConfigMap, name: mode, namespace: default, fieldPath: metadata.annotations}",
            DEPLOYMENT,
            f"['{CONTAINERS}.3.image']",
            "{create: true}",
            extra="namePrefix: p-\n",
        ),
        "closed",
    ),
    "a name kustomize 5.8 reads as a pattern": (
        _one(MODE, "{name: 'torghut-w.'}", "[metadata.annotations.a]"),
        "closed",
    ),
    # kyaml appends the field to the null, where nothing is written out: kubectl renders `null`
    "creating under a null": (
        _one(MODE, DEPLOYMENT, "[spec.template.spec.nodeSelector.zone]", "{create: true}")
        | {
            "base/objects.yaml": FUZZ_BASE.replace(
                "    spec:\n      containers:", "    spec:\n      nodeSelector: null\n      containers:"
            )
        },
        "closed",
    ),
    # kustomize 5.5 refuses a field it does not know; later versions apply it: blocking either way
    "a field of a later kustomize": (
        {
            **_one(MODE, DEPLOYMENT, "[metadata.annotations.a]"),
            "kustomization.yaml": "resources: [base]\nreplacements:\n  - sourceValue: live\n    targets:\n"
            "      - select: {kind: Deployment}\n        fieldPaths: [metadata.annotations.a]\n",
        },
        "refused",
    ),
}


@pytest.mark.parametrize("name", sorted(SEMANTICS))
def test_replacement_semantics_as_kubectl(tmp_path: Path, name: str) -> None:
    files, expected = SEMANTICS[name]
    assert outcome(tmp_path, files) == expected


FILES = {
    "a file of replacements": (
        "- source: {kind: ConfigMap, name: mode, namespace: default, fieldPath: data.MODE}\n"
        "  targets: [{select: {kind: Deployment}, fieldPaths: [metadata.annotations.a]}]\n",
        "exact",
    ),
    "a file of one replacement": (
        "source: {kind: ConfigMap, name: mode, namespace: default, fieldPath: data.MODE}\n"
        "targets: [{select: {kind: Deployment}, fieldPaths: [metadata.annotations.a]}]\n",
        "exact",
    ),
    "a file of a word": ("just words\n", "refused"),
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_replacements_from_a_file_as_kubectl(tmp_path: Path, name: str) -> None:
    text, expected = FILES[name]
    files = {
        **_one(MODE, DEPLOYMENT, "[metadata.annotations.a]"),
        "r.yaml": text,
        "kustomization.yaml": "resources: [base]\nreplacements:\n  - path: r.yaml\n",
    }
    assert outcome(tmp_path, files) == expected


def test_a_replaced_value_is_located_where_it_was_written(tmp_path: Path) -> None:
    """The finding for a value a replacement wrote points at the source's line (the value a pull
    request changed), not at the target's."""
    write_tree(tmp_path, _one(MODE, DEPLOYMENT, f"['{CONTAINERS}.[name=ws].env.[name=TRADING_LIVE_ENABLED].value']"))
    result = run_cli("--repo-root", str(tmp_path), str(tmp_path), cwd=tmp_path)
    line, text = next((n, t) for n, t in enumerate(FUZZ_BASE.splitlines(), 1) if t.startswith("data: {MODE: live"))
    where = f"base/objects.yaml:{line}:{text.index('live') + 1}"
    assert f"{where}: error live-trading-default-off container 'ws' of Deployment torghut-ws" in result.stdout
