"""Fuzz: generated kustomizations, patches and hostile scalars (issue 13).

Every generated tree is linted in process with a wall-clock bound; the run must end 0, 1 or 2
(never 3, a bug), and a planted credential must not appear in anything printed, in any format.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from torghut_lint.cli import main

pytestmark = pytest.mark.usefixtures("untraced")  # a search: its worth is the cases it tries

TOKEN = "ghp_" + "Q9w8E7r6T5y4U3i2O1p0A9s8D7f6G5h4J3k2"
PASSWORD = "Plant3dPassw0rd-xyzzy"
SECRETS = (TOKEN, PASSWORD)
CASES_PER_TEST = int(
    os.environ.get("TORGHUT_LINT_FUZZ_CASES", "400")
)  # x 5 tests (2,000 cases, as 4 x 500 were before replacements had theirs); each one in-process lint
CASE_SECONDS = 10

CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "labels": {"app": "ws"}}, "data": {"a": "b"}}
DEPLOY = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "torghut-ws", "namespace": "torghut"},
    "spec": {
        "replicas": 1,
        "template": {"spec": {"containers": [{"name": "ws", "image": "ws:1", "env": [{"name": "A", "value": "1"}]}]}},
    },
}

hostile_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["", "~", "0444", "1e3", "-", "*", "(a|a)*b", "[[:alpha:]]", "\\z", "a in (b", "\x1b[31m", TOKEN]),
)
hostile = st.recursive(
    hostile_scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=6,
)
path_like = st.sampled_from(
    [
        "cm.yaml",
        "deploy.yaml",
        "sub",
        "missing.yaml",
        "../outside",
        "/etc/passwd",
        f"https://user:{PASSWORD}@example.invalid/x.yaml",
        f"git::https://{TOKEN}@example.invalid/repo//dir",
        "sub/../cm.yaml",
        "a" * 300,
    ]
)
patch_text = st.one_of(
    st.just(yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": None})),
    st.just(
        yaml.safe_dump(
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "torghut-ws"}, "spec": {"replicas": 3}}
        )
    ),
    st.just(json.dumps([{"op": "add", "path": "/data/password", "value": PASSWORD}])),
    st.just(json.dumps([{"op": "copy", "from": "/data", "path": "/data/x"}] * 30)),
    st.just(json.dumps([{"op": "move", "from": "/nope", "path": "/x"}, {"op": "test", "path": "/a", "value": 1}])),
    st.just("$patch: delete\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n"),
    st.just("data:\n  $patch: replace\n  x: y\n"),
    st.just("- op: remove\n  path: /spec/template/spec/containers/0/env/5\n"),
    st.text(max_size=40),
)
target = st.fixed_dictionaries(
    {},
    optional={
        "kind": st.one_of(st.sampled_from(["ConfigMap", "Deployment", ".*", "(", "Config[[:alpha:]]+"]), hostile),
        "name": st.one_of(st.sampled_from(["cm", "torghut-.*", "(a|a)*b", "\\z"]), hostile),
        "labelSelector": st.one_of(st.sampled_from(["app=ws", "app in (ws,x)", "!app", "app notin (", "a b"]), hostile),
        "group": hostile,
    },
)
patch_entry = st.one_of(
    st.fixed_dictionaries({"patch": patch_text}, optional={"target": st.one_of(target, hostile)}),
    st.fixed_dictionaries({"path": path_like}, optional={"target": target}),
    hostile,
)
generator = st.fixed_dictionaries(
    {"name": st.one_of(st.sampled_from(["gen", "cm"]), hostile)},
    optional={
        "literals": st.one_of(st.just([f"password={PASSWORD}", "TRADING_LIVE_ENABLED=true"]), hostile),
        "envs": st.one_of(st.just(["app.env"]), hostile),
        "files": st.one_of(st.just(["cm.yaml", "key=app.env"]), hostile),
        "behavior": st.sampled_from(["create", "merge", "replace", "nonsense"]),
        "options": hostile,
    },
)
field_path = st.one_of(
    st.sampled_from(
        [
            "data.a",
            "metadata.name",
            "spec.template.spec.containers.[name=ws].env.[name=A].value",
            "spec.template.spec.containers.[name=w].image",
            "spec.template.spec.containers.0.env.[name=A].value",
            "spec.replicas",
            "data.a",
            "metadata.labels.app",
            "spec.template.spec.containers.*.image",
            "spec.template.spec.containers.0.env.-.value",
            "spec.template.spec.containers.[name=(a|a)*b].image",
            "spec.template.spec.containers.[name=(].image",
            "spec.template.spec.containers.[=x]",
            "spec.template.spec.containers.99.image",
            "metadata.annotations",
            "metadata.annotations.[a.b]",
            "metadata\\.name",
            "..",
            "",
            "[",
            "[a",
            f"data.{TOKEN}",
        ]
    ),
    hostile,
)
selector = st.fixed_dictionaries(
    {},
    optional={
        "kind": st.one_of(st.sampled_from(["ConfigMap", "Deployment", "torghut-.*"]), hostile),
        "name": st.one_of(st.sampled_from(["cm", "torghut-ws", "(a|a)*b"]), hostile),
        "namespace": st.one_of(st.sampled_from(["torghut", "default"]), hostile),
        "labelSelector": st.one_of(st.sampled_from(["app=ws", "app notin (", "!app"]), hostile),
        "annotationSelector": hostile,
    },
)
field_options = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "delimiter": st.one_of(st.sampled_from([":", "/", ""]), hostile),
            "index": st.one_of(st.integers(min_value=-(2**40), max_value=2**40), hostile),
            "create": st.one_of(st.booleans(), hostile),
        },
    ),
    hostile,
)
good_source = st.builds(
    lambda pair, path, options: {"kind": pair[0], "name": pair[1], "fieldPath": path, **options},
    st.sampled_from([("ConfigMap", "cm"), ("Deployment", "torghut-ws")]),
    st.sampled_from(["data.a", "metadata.name", "spec.replicas", "spec.template.spec.containers.0.image"]),
    st.one_of(st.just({}), st.fixed_dictionaries({"options": field_options})),
)
good_target = st.fixed_dictionaries(
    {"select": st.one_of(selector, st.just({"kind": "Deployment"})), "fieldPaths": st.lists(field_path, max_size=3)},
    optional={"reject": st.one_of(st.lists(selector, max_size=2), hostile), "options": field_options},
)
replacement = st.one_of(
    st.fixed_dictionaries({"source": good_source, "targets": st.lists(good_target, min_size=1, max_size=3)}),
    st.fixed_dictionaries(
        {
            "source": st.one_of(good_source, hostile),
            "targets": st.one_of(st.lists(st.one_of(good_target, hostile), max_size=3), hostile),
        }
    ),
    st.fixed_dictionaries({"path": path_like}),
    hostile,
)
kustomization = st.fixed_dictionaries(
    {},
    optional={
        "resources": st.one_of(st.lists(st.one_of(path_like, hostile), max_size=4), hostile),
        "components": st.one_of(st.lists(path_like, max_size=2), hostile),
        "namespace": hostile_scalar,
        "namePrefix": hostile_scalar,
        "nameSuffix": hostile_scalar,
        "commonLabels": st.one_of(st.dictionaries(st.sampled_from(["app", TOKEN, "a/b"]), hostile_scalar), hostile),
        "labels": hostile,
        "commonAnnotations": hostile,
        "images": st.one_of(
            st.lists(st.fixed_dictionaries({"name": hostile_scalar, "newTag": hostile_scalar})), hostile
        ),
        "replicas": st.one_of(
            st.lists(st.fixed_dictionaries({"name": hostile_scalar, "count": hostile_scalar})), hostile
        ),
        "patches": st.one_of(st.lists(patch_entry, max_size=3), hostile),
        "patchesStrategicMerge": st.one_of(st.lists(st.one_of(path_like, patch_text), max_size=2), hostile),
        "patchesJson6902": hostile,
        "configMapGenerator": st.one_of(st.lists(generator, max_size=2), hostile),
        "secretGenerator": st.one_of(st.lists(generator, max_size=2), hostile),
        "generatorOptions": hostile,
        "helmCharts": hostile,
        "replacements": st.one_of(st.lists(replacement, max_size=3), hostile),
        "transformers": hostile,
        "openapi": hostile,
        "crds": hostile,
        "vars": hostile,
    },
)


def _lint(root: Path, *args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["lint", "--no-schemas", "--repo-root", str(root), *args, str(root / "app")])
    assert time.monotonic() - started < CASE_SECONDS
    return code, out.getvalue() + err.getvalue()


def _tree(root: Path, kustomization: object, sub: object | None = None) -> None:
    shutil.rmtree(root, ignore_errors=True)
    app = root / "app"
    (app / "sub").mkdir(parents=True)
    (app / "cm.yaml").write_text(yaml.safe_dump(CM))
    (app / "deploy.yaml").write_text(yaml.safe_dump(DEPLOY))
    (app / "app.env").write_text(f"\ufeffTRADING_LIVE_ENABLED=true\nDB_PASSWORD={PASSWORD}\n")
    (app / "kustomization.yaml").write_text(yaml.safe_dump(kustomization, allow_unicode=True))
    (app / "sub" / "kustomization.yaml").write_text(yaml.safe_dump(sub if sub is not None else {"resources": []}))


def _check(root: Path, *args: str) -> None:
    code, printed = _lint(root, *args)
    assert code in (0, 1, 2), printed
    for secret in SECRETS:
        assert secret not in printed, (secret, printed)


fuzz = settings(
    max_examples=CASES_PER_TEST,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


@fuzz
@given(kustomization)
def test_generated_kustomizations_text(tmp_path: Path, k: dict) -> None:
    _tree(tmp_path / "t", k)
    _check(tmp_path / "t")


@fuzz
@given(kustomization, kustomization)
def test_generated_kustomization_pairs_json(tmp_path: Path, k: dict, sub: dict) -> None:
    """A parent and the kustomization it may include (``sub``), every report format."""
    k = {**k, "resources": [*(k.get("resources") if isinstance(k.get("resources"), list) else []), "sub"]}
    _tree(tmp_path / "t", k, sub)
    _check(tmp_path / "t", "--format", "json")


@fuzz
@given(st.lists(patch_entry, min_size=1, max_size=4), st.sampled_from(["sarif", "junit", "github"]))
def test_generated_patches_every_format(tmp_path: Path, patches: list, fmt: str) -> None:
    _tree(tmp_path / "t", {"resources": ["cm.yaml", "deploy.yaml"], "patches": patches})
    _check(tmp_path / "t", "--format", fmt)


@fuzz
@given(st.lists(replacement, min_size=1, max_size=3), st.sampled_from(["text", "sarif"]), st.booleans())
def test_generated_replacements(tmp_path: Path, replacements: list, fmt: str, prefixed: bool) -> None:
    """Replacements over objects that are there (a source that selects, paths that walk)."""
    kustomization = {"resources": ["cm.yaml", "deploy.yaml"], "replacements": replacements}
    _tree(tmp_path / "t", {**kustomization, **({"namePrefix": "p-"} if prefixed else {})})
    _check(tmp_path / "t", "--format", fmt)


@fuzz
@given(st.dictionaries(st.text(max_size=12), hostile, max_size=6))
def test_hostile_scalars_in_a_manifest(tmp_path: Path, spec: dict) -> None:
    """Arbitrary keys and values in a resource (with a planted token and password among them)."""
    resource = {**DEPLOY, "spec": {**spec, "password": PASSWORD, TOKEN: "x"}}
    _tree(tmp_path / "t", {"resources": ["deploy.yaml"]})
    (tmp_path / "t" / "app" / "deploy.yaml").write_text(yaml.safe_dump(resource, allow_unicode=True))
    _check(tmp_path / "t", "--format", "text")
