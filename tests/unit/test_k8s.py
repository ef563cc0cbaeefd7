"""Kubernetes semantics the templates share (torghut_lint/k8s.py): where pods are found, what
envFrom and valueFrom read."""

from __future__ import annotations

import random

import pytest

from torghut_lint.k8s import (
    NO_PODS,
    EnvSources,
    Names,
    carried,
    containers,
    copies,
    effective_env,
    image_repositories,
    pod_specs,
    secret_keys,
)
from torghut_lint.k8s import repository as k8s_repository
from torghut_lint.parse import parse_bytes


def resource(text: str):
    from torghut_lint.model import Resource

    doc = parse_bytes(text.encode(), "r.yaml").documents[0]
    return Resource(doc.node, doc.data)


POD = "spec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app:1\n"


@pytest.mark.parametrize(
    ("api_version", "kind", "found"),
    [
        ("v1", "ConfigMap", False),  # a core kind without pods: never walked
        ("example.com/v1", "ConfigMap", True),  # the same name in another group is not the core kind
        ("serving.knative.dev/v1", "Configuration", True),  # a kind nobody listed: searched
        ("argoproj.io/v1alpha1", "Workflow", True),
        ("rbac.authorization.k8s.io/v1", "Role", False),
    ],
)
def test_pods_are_searched_in_every_kind_but_the_core_kinds_without_pods(api_version, kind, found) -> None:
    res = resource(f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: x\n{POD}")
    assert bool(list(pod_specs(res))) is found
    assert bool(list(containers(res))) is found


def test_every_kind_without_pods_is_a_kubernetes_kind_without_a_pod_template() -> None:
    """The list only names kinds whose schema holds no pod template (a Pod, a workload or a
    PodTemplate listed there would switch the search off for it)."""
    kinds = {kind for _, kind in NO_PODS}
    assert not kinds & {"Pod", "PodTemplate", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet"}
    # Kubernetes' own API groups only: a CRD's kind is never assumed to be pod-free
    assert all(group in ("", "policy", "autoscaling") or group.endswith(".k8s.io") for group, _ in NO_PODS)


def test_the_search_is_done_once_per_resource_until_its_data_is_replaced() -> None:
    res = resource("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: x\n" + POD)
    first = carried(res)
    assert carried(res) is first
    res.data = {**res.data, "spec": {"containers": [{"name": "b", "image": "b:2"}]}}
    assert [what for what, _, _ in carried(res)] == ["pod"] and carried(res) is not first
    assert [c["image"] for _, c in containers(res)] == ["b:2"]


def test_containers_in_the_order_they_stand_init_ones_only_when_asked() -> None:
    """Each pod's containers, then its init containers, pods and Argo templates' single
    container or script in document order; a key named like a container list elsewhere (a
    template under ``initContainers``) does not make a template an init container."""
    res = resource(
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: w}\nspec:\n  templates:\n"
        "    - name: a\n      container: {name: a, image: a:1}\n"
        "    - name: b\n      containers: [{name: b1, image: b:1}]\n"
        "      initContainers: [{name: b0, image: b:0}]\n"
        "    - name: c\n      script: {image: c:1, source: echo}\n"
        "  initContainers:\n    x: {container: {name: d, image: d:1}}\n"
    )
    every = [c.get("name") or c["image"] for _, c in containers(res)]
    main = [c.get("name") or c["image"] for _, c in containers(res, init=False)]
    assert every == ["a", "b1", "b0", "c:1", "d"]
    assert main == ["a", "b1", "c:1", "d"]
    deploy = resource(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n"
        "      initContainers: [{name: i, image: i:1}]\n      containers: [{name: m, image: m:1}]\n"
    )
    assert [path for path, _ in containers(deploy)] == [
        ("spec", "template", "spec", "containers", 0),
        ("spec", "template", "spec", "initContainers", 0),
    ]
    assert [path for path, _ in containers(deploy, init=False)] == [("spec", "template", "spec", "containers", 0)]
    deploy.data = resource(POD.replace("app:1", "app:2").join(["apiVersion: apps/v1\nkind: Deployment\n", ""])).data
    assert [c["image"] for _, c in containers(deploy)] == ["app:2"]  # new data: found again


def named(kind: str, name: str, namespace: str | None, body: str = "", api_version: str = "v1"):
    ns = f"\n  namespace: {namespace}" if namespace is not None else ""
    return resource(f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: {name}{ns}\n{body}")


@pytest.mark.parametrize(
    ("held", "reader", "found"),
    [
        ("torghut", "torghut", True),
        ("decoy", "torghut", False),  # another namespace is never the one the pod reads
        (None, "torghut", True),  # an unnamespaced one lands in the destination namespace
        ("torghut", None, True),  # and so does an unnamespaced pod
        ("decoy", None, True),
    ],
)
def test_a_reference_reads_its_own_namespace_or_one_that_names_none(held, reader, found) -> None:
    sources = EnvSources([named("ConfigMap", "flags", held, "data: {A: b}\n"), named("Secret", "s", held)])
    assert (sources.configmap(reader or "", "flags") is not None) is found
    assert (sources.secret_keys(reader or "", "s") is not None) is found
    assert sources.configmap(reader or "", "other") is None


def test_a_decoy_elsewhere_does_not_hide_the_one_of_the_namespace() -> None:
    decoy, own = named("ConfigMap", "flags", "decoy"), named("ConfigMap", "flags", "torghut")
    assert EnvSources([decoy, own]).configmap("torghut", "flags") is own


@pytest.mark.parametrize(
    ("kind", "api_version", "body", "keys"),
    [
        ("Secret", "v1", "data: {A: eA==}\nstringData: {B: x}\n", {"A", "B"}),
        ("Secret", "v1", "", set()),  # no keys at all: known to hold nothing
        (
            "SealedSecret",
            "bitnami.com/v1alpha1",
            "spec:\n  encryptedData: {A: x}\n  template: {data: {B: y}}\n",
            {"A", "B"},
        ),
        ("ExternalSecret", "external-secrets.io/v1beta1", "spec: {data: [{secretKey: A}]}\n", {"A"}),
        (  # its template's keys too, whatever the merge policy keeps: never fewer than the Secret has
            "ExternalSecret",
            "external-secrets.io/v1",
            "spec: {data: [{secretKey: A}], target: {template: {data: {B: '{{ .A }}'}}}}\n",
            {"A", "B"},
        ),
        ("ExternalSecret", "external-secrets.io/v1", "spec: {dataFrom: [{extract: {key: all}}]}\n", None),
        ("ExternalSecret", "external-secrets.io/v1", "spec: {target: {template: {templateFrom: [{}]}}}\n", None),
        ("ExternalSecret", "example.com/v1", "spec: {data: [{secretKey: A}]}\n", None),  # another group's
        ("SealedSecret", "example.com/v1", "spec: {encryptedData: {A: x}}\n", None),  # not the controller's kind
    ],
)
def test_the_keys_a_secret_shows(kind, api_version, body, keys) -> None:
    found = secret_keys(named(kind, "s", "torghut", body, api_version))
    assert (None if found is None else set(found)) == keys


def _env(env: str, env_from: str = "", *held):
    """The effective environment of a Deployment's one container, with ``held`` as its sources."""
    body = f"spec:\n  template:\n    spec:\n      containers:\n        - name: app\n{env_from}{env}"
    deploy = named("Deployment", "app", "torghut", body, "apps/v1")
    (path, container), *_ = containers(deploy)
    return lambda names: effective_env(deploy, path, container, EnvSources(list(held)), only=names)


SECRET_FIRST = "          envFrom:\n            - secretRef: {name: creds}\n"
LITERAL = "          env:\n            - {name: LIVE, value: 'false'}\n"


def test_exact_names_a_literal_after_an_unseen_source_settles_it() -> None:
    env = _env(LITERAL, SECRET_FIRST)(Names(["LIVE"]))
    assert [(e.name, e.value) for e in Names(["LIVE"]).matching(env, "LIVE")] == [("LIVE", "false")]
    assert (
        Names(["LIVE"]).matching(_env("          env:\n            - {name: live, value: 'true'}\n")({"LIVE"}), "LIVE")
        == []
    )


def test_names_in_any_case_every_spelling_counts_and_no_literal_settles_an_unseen_source() -> None:
    names = Names(["LIVE"], ignore_case=True)
    both = "          env:\n            - {name: LIVE, value: 'false'}\n            - {name: live, value: 'true'}\n"
    assert [(e.name, e.value) for e in names.matching(_env(both)(names), "LIVE")] == [
        ("LIVE", "false"),
        ("live", "true"),
    ]
    found = names.matching(_env(LITERAL, SECRET_FIRST)(names), "LIVE")
    assert [(e.name, e.value, e.origin) for e in found] == [("LIVE", None, "secretRef"), ("LIVE", "false", "env")]
    # a Secret whose keys show: only what it holds, as spelt, and a later literal of that spelling replaces it
    shown = named("Secret", "creds", "torghut", "stringData: {live: x, OTHER: y}\n")
    env = _env(LITERAL, SECRET_FIRST, shown)(names)
    assert [(e.name, e.value, e.origin) for e in names.matching(env, "LIVE")] == [
        ("live", None, "secretKey"),
        ("LIVE", "false", "env"),
    ]
    # an envFrom prefix is part of the name, in any case
    prefixed = "          envFrom:\n            - {prefix: li, configMapRef: {name: flags}}\n"
    flags = named("ConfigMap", "flags", "torghut", "data: {VE: 'true', VELY: 'x'}\n")
    assert [(e.name, e.value) for e in names.matching(_env("", prefixed, flags)(names), "LIVE")] == [("liVE", "true")]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("LIVE=true\n", [("LIVE", "true", 0)]),
        ("# LIVE=true\nA=1\n  export LIVE = 'on' # said\n", [("LIVE", "on", 25)]),
        ('LIVE="a b"\n', [("LIVE", "a b", 0)]),
        # a shell runs the rest as a command; python-dotenv (pydantic-settings' .env) takes the line
        ("LIVE=false exec app\n", [("LIVE", "false", 0), ("LIVE", "false exec app", 0)]),
        # python-dotenv's white space is Python's, its line breaks include \r: lines no shell reads so
        ("A=1\rLIVE=true\n\u00a0LIVE\u00a0=\u00a0on\n", [("LIVE", "true", 4), ("LIVE", "on", 15)]),
        # a quoted key (python-dotenv's alone), escapes decoded (not by a shell)
        ("'LIVE'=yes\nLIVE=\"a\\nb\" # c\n", [("LIVE", "yes", 0), ("LIVE", "a\\nb", 11), ("LIVE", "a\nb", 11)]),
        # python-dotenv interpolates from the file's earlier lines, else the environment's: unknown
        (
            "A=live\nLIVE=${A}\nLIVE=${B:-x}\n",
            [("LIVE", None, 7), ("LIVE", "live", 7), ("LIVE", None, 17)],  # (a shell expands both: unknown)
        ),
        ('if [ "$LIVE" = "true" ]; then\n  echo "LIVE=true"\nfi\n', []),  # a test and a string
        ("live=true\nLIVE_X=1\nNOT_LIVE=1\n", [("live", "true", 0)]),  # in any case; other names are others
        ("LIVE: true\n", []),  # YAML: not an environment file
    ],
)
def test_assignments_of_an_environment_file(text: str, found: list) -> None:
    from torghut_lint.k8s import env_file_assignments

    assert list(env_file_assignments(text, Names(["LIVE"], ignore_case=True), dotenv=True)) == found
    exact = [item for item in found if item[0] == "LIVE"]
    assert list(env_file_assignments(text, Names(["LIVE"]), dotenv=True)) == exact


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("LIVE=li\\ve", "live"),  # a backslash takes the next character
        ("LIVE=l''ive", "live"),  # quotes removed, what they join joined
        ('LIVE="li"ve', "live"),
        ("LIVE='li've", "live"),
        ('LIVE="a \\"b\\" \\x"', 'a "b" \\x'),  # in double quotes a backslash takes only $ ` " \\
        ("LIVE=$MODE", None),  # the shell expands it: unknown
        ('LIVE="$(cat f)"', None),
        ("LIVE=`cat f`", None),
        ("LIVE='unclosed", None),
        ("LIVE=on;exec app", "on"),
    ],
)
def test_a_command_line_assignment_takes_the_word_a_shell_gives_it(word: str, value: str | None) -> None:
    """Found by a hostile pull request: ``sh -c "TRADING_MODE=l''ive exec app"`` runs live, and the
    value was read as ``l`` (one bare word, quotes not joined)."""
    from torghut_lint.k8s import env_file_assignments

    assert list(env_file_assignments(f"sh -c {word} exec app", Names(["LIVE"]), command=True)) == [("LIVE", value, 6)]


def test_a_line_of_assignments_sets_each_of_them() -> None:
    from torghut_lint.k8s import env_file_assignments

    text = "A=1 LIVE=on app\nexport B=2 LIVE='o'n\necho LIVE=true\n"
    assert list(env_file_assignments(text, Names(["LIVE"]))) == [("LIVE", "on", 4), ("LIVE", "on", 27)]


def test_a_file_not_named_as_a_dotenv_file_is_read_as_a_shell_reads_it() -> None:
    from torghut_lint.k8s import env_file_assignments, is_dotenv

    text = "LIVE=false exec app\nA=1\rLIVE=true\n"
    assert list(env_file_assignments(text, Names(["LIVE"]))) == [("LIVE", "false", 0)]
    assert all(map(is_dotenv, (".env", "app.env", "/srv/.env")))
    assert not any(map(is_dotenv, ("run.sh", "env", ".envrc")))


# texts python-dotenv reads in ways a shell does not: a line break that is a carriage return,
# Python's white space, quoted keys and values over lines, escapes, comments, interpolation
DOTENV_ALPHABET = ["A", "B", "=", "'", '"', "\\", " ", "\t", "\n", "\r", "#", "x", "export ", "${A}", "${B:-z}"]
DOTENV_ALPHABET += ["\u00a0", "\u3000", "\x0b", "\ufeff", "\x85", "a b"]


@pytest.mark.parametrize("seed", range(3))
def test_an_environment_file_is_read_as_python_dotenv_reads_it(seed: int) -> None:
    """Against the real python-dotenv (``dotenv_values``, as pydantic-settings calls it): each key
    it sets has the last value the linter reads for it, or one the linter calls unknown (taken
    from the process's environment), and the linter reads no key it does not."""
    dotenv = pytest.importorskip("dotenv")
    import io
    import logging

    from torghut_lint.k8s import dotenv_bindings

    rng = random.Random(seed)
    logging.getLogger("dotenv.main").disabled = True
    for _ in range(3000):
        text = "".join(rng.choice(DOTENV_ALPHABET) for _ in range(rng.randint(1, 14)))
        ours: dict[str, str | None] = {}
        for key, value, _ in dotenv_bindings(text):
            ours[key] = value
        theirs = {k: v for k, v in dotenv.dotenv_values(stream=io.StringIO(text)).items() if v is not None}
        assert set(ours) <= set(dotenv.dotenv_values(stream=io.StringIO(text))), text
        assert all(k in ours and ours[k] in (None, v) for k, v in theirs.items()), (text, ours, theirs)


def test_the_command_line_sets_what_the_process_gets_after_env() -> None:
    """``export NAME=v`` in a shell command, ``env NAME=v app``: the process has that value, whatever
    env says; $(VAR) is expanded as in env; a value the shell computes ($X) is unknown."""
    names = Names(["LIVE", "MODE"], ignore_case=True)
    env_part = "          env:\n            - {name: LIVE, value: 'false'}\n            - {name: M, value: live}\n"
    command = "          command: [sh, -c, 'export LIVE=true; exec app']\n          args: ['MODE=$(M)', 'live=$X']\n"
    env = _env(env_part + command)(names)
    got = [(e.name, e.value, e.origin, e.path[-2:], e.offset) for e in names.matching(env, "LIVE")]
    assert got == [("LIVE", "true", "command", ("command", 2), 7), ("live", None, "args", ("args", 1), 0)]
    assert [(e.name, e.value) for e in names.matching(env, "MODE")] == [("MODE", "live")]
    # without names to look for (the Flink templates read every variable), the command line is not read
    assert _env(env_part + command)(None)["LIVE"].value == "false"


def test_an_external_secret_is_read_by_the_name_of_the_secret_it_makes() -> None:
    made = named("ExternalSecret", "es", "torghut", "spec: {data: [{secretKey: DB}], target: {name: app-env}}\n",
                 "external-secrets.io/v1beta1")  # fmt: skip
    sources = EnvSources([made])
    assert (
        sources.secret_keys("torghut", "app-env") == frozenset({"DB"}) and sources.secret_keys("torghut", "es") is None
    )


@pytest.mark.parametrize(
    ("image", "repository"),
    [
        ("torghut", "docker.io/library/torghut"),
        ("lab/torghut:1.2", "docker.io/lab/torghut"),
        ("docker.io/torghut", "docker.io/library/torghut"),
        ("index.docker.io/lab/torghut-ws", "docker.io/lab/torghut-ws"),
        (
            "registry.ide-newton.ts.net/lab/torghut-ws:v1@sha256:" + "4" * 64,
            "registry.ide-newton.ts.net/lab/torghut-ws",
        ),
        ("localhost:5000/torghut:dev", "localhost:5000/torghut"),
        ("reg:5000/lab/torghut", "reg:5000/lab/torghut"),
    ],
)
def test_an_image_is_known_by_its_repository_as_the_runtime_resolves_it(image: str, repository: str) -> None:
    assert k8s_repository(image) == repository


def test_a_resource_runs_the_images_of_every_container_and_a_flink_jobs_own() -> None:
    flink = resource(
        "apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\nmetadata: {name: ta}\n"
        "spec:\n  image: lab/torghut-ta@sha256:" + "7" * 64 + "\n  podTemplate:\n    spec:\n"
        "      initContainers: [{name: wait, image: busybox}]\n      containers: [{name: flink-main-container}]\n"
    )
    assert image_repositories(flink) == ("docker.io/library/busybox", "docker.io/lab/torghut-ta")


def test_an_argo_templates_sidecars_and_init_containers_run_and_a_container_set_beside_them() -> None:
    """An Argo Workflows template runs its ``sidecars`` beside its container or script (main
    containers) and its ``initContainers`` before them; a template holding both sidecars and a
    ``containerSet`` runs the set's containers too (the walk goes on past the sidecars)."""
    res = resource(
        "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: w}\nspec:\n  templates:\n"
        "    - name: a\n      container: {name: a, image: a:1}\n"
        "      sidecars: [{name: a-side, image: s:1}]\n      initContainers: [{name: a-init, image: i:1}]\n"
        "    - name: b\n      sidecars: [{name: b-side, image: s:1}]\n"
        "      containerSet: {containers: [{name: b1, image: b:1}, {name: b2, image: b:2}]}\n"
    )
    every = [c["name"] for _, c in containers(res)]
    main = [c["name"] for _, c in containers(res, init=False)]
    assert sorted(every) == ["a", "a-init", "a-side", "b-side", "b1", "b2"]
    assert sorted(main) == ["a", "a-side", "b-side", "b1", "b2"]


def test_copies_run_at_once_per_pod_native_sidecars_included_plain_init_containers_one_at_a_time() -> None:
    res = resource(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n"
        "      initContainers:\n        - {name: i1, image: x:1}\n        - {name: i2, image: x:1}\n"
        "        - {name: side, image: x:1, restartPolicy: Always}\n"
        "      containers: [{name: m, image: x:1}, {name: other, image: y:1}]\n"
    )
    runs_x = lambda _path, container: container["image"] == "x:1"  # noqa: E731
    pod = ("spec", "template", "spec")
    assert copies(res, runs_x) == {pod: [(*pod, "containers", 0), (*pod, "initContainers", 2)]}
    only_init = lambda _path, container: container["name"] in ("i1", "i2")  # noqa: E731
    assert copies(res, only_init) == {pod: [(*pod, "initContainers", 0)]}  # one at a time, before the rest
    assert copies(res, lambda _p, _c: False) == {}


def test_an_expansion_doubling_forty_times_stops_at_what_a_process_can_be_given() -> None:
    """``V1: $(V0)$(V0)``, ``V2: $(V1)$(V1)``, ...: 45 of them are 2 kB of manifest and 2^47 bytes
    expanded (the command was killed at 24 GB); 20 here, so that a renderer without the bound fails
    the test instead of the machine. Past MAX_EXPANDED (the kernel's limit for one variable; exec
    fails beyond it) a value is unknown, and so is whatever reads it."""
    from torghut_lint.k8s import EXPANSION, MAX_EXPANDED

    lines = ["            - {name: V0, value: 'abcdefgh'}\n"]
    lines += [f"            - {{name: V{i}, value: '$(V{i - 1})$(V{i - 1})'}}\n" for i in range(1, 20)]
    lines += ["            - {name: LIVE, value: 'x$(V19)'}\n"]
    env = _env("          env:\n" + "".join(lines))(None)
    sizes = {i: len(env[f"V{i}"].value) for i in range(20) if env[f"V{i}"].value is not None}
    assert max(sizes.values()) <= MAX_EXPANDED and sizes[14] == 8 * 2**14  # 128 KiB: still given
    assert env["V15"].value is None and env["V15"].origin == EXPANSION
    assert env["LIVE"].value is None  # reads an unknown value: unknown, the switch rule blocks on it


def test_an_expansion_within_the_limit_is_the_value_the_kubelet_gives() -> None:
    env = _env(
        "          env:\n            - {name: A, value: on}\n            - {name: B, value: '$(A)-$$(A)-$(C)'}\n"
    )
    assert env(None)["B"].value == "on-$(A)-$(C)"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # a Tekton step: an image and an environment under a key of the operator's own
        (
            "apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: t}\nspec:\n  taskSpec:\n    steps:\n"
            "      - {name: trade, image: torghut:1, env: [{name: TRADING_MODE, value: live}]}\n",
            [("spec", "taskSpec", "steps", 0)],
        ),
        # a Spark application: its image beside its driver's environment, each read
        (
            "apiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\nmetadata: {name: s}\nspec:\n"
            "  image: torghut:1\n  driver:\n    env: [{name: TRADING_MODE, value: live}]\n",
            [("spec",), ("spec", "driver")],
        ),
        # an environment read from a ConfigMap is an environment too
        (
            "apiVersion: example.com/v1\nkind: Runner\nmetadata: {name: r}\nspec:\n"
            "  worker:\n    envFrom: [{configMapRef: {name: torghut-config}}]\n",
            [("spec", "worker")],
        ),
        # what names no image and sets no environment runs nothing the linter can tell
        (
            "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: m}\nspec:\n"
            "  selector: {matchLabels: {app: ws}}\n  endpoints: [{port: http, env: not-a-list}]\n",
            [],
        ),
    ],
)
def test_a_container_in_all_but_name_is_read_in_a_kind_nobody_listed(text: str, where: list) -> None:
    """Operators keep what they run under keys of their own: a live switch in a Tekton step or a
    Spark driver's environment is still found (it passed live-trading-default-off)."""
    assert [path for path, _ in containers(resource(text))] == where


def test_a_container_in_all_but_name_is_read_once_inside_a_pod_or_an_argo_template() -> None:
    """Inside a pod's ``containers`` and an Argo template's ``container`` nothing is counted twice:
    the container mapping itself holds an image and an environment."""
    pod = resource(f"apiVersion: example.com/v1\nkind: Runner\nmetadata:\n  name: x\n{POD}")
    assert [path for path, _ in containers(pod)] == [("spec", "template", "spec", "containers", 0)]
    argo = resource(
        "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: w}\nspec:\n  templates:\n"
        "    - name: run\n      container: {image: torghut:1, env: [{name: A, value: b}]}\n"
    )
    assert [path for path, _ in containers(argo)] == [("spec", "templates", 0, "container")]


@pytest.mark.parametrize(
    ("api_version", "kind", "unknown"),
    [
        ("apps.kruise.io/v1alpha1", "CloneSet", True),  # an operator's kind nobody listed
        ("tekton.dev/v1", "TaskRun", True),
        ("apps/v1", "Deployment", False),  # Kubernetes' own (a CRD's group has a dot)
        ("v1", "ReplicationController", False),
        ("argoproj.io/v1alpha1", "Rollout", False),  # an operator's kind the linter reads
        ("flink.apache.org/v1beta1", "FlinkDeployment", False),
        ("kyverno.io/v1", "ClusterPolicy", False),  # a mutation it writes, not a workload
        ("argoproj.io/v1alpha1", "Application", False),  # what deploys the tree (its plugin's env is the plugin's)
    ],
)
def test_an_unknown_workload_is_a_kind_of_a_crd_the_linter_does_not_read(api_version, kind, unknown) -> None:
    from torghut_lint.k8s import unknown_workload

    res = resource(f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: x\n{POD}")
    assert unknown_workload(res) is unknown
    empty = resource(f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: x\nspec: {{replicas: 3}}\n")
    assert unknown_workload(empty) is False  # runs no container the linter can see


WORKFLOW = """apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: w}
spec:
  arguments:
    parameters: [{name: tag, value: "2"}, {name: tag, enum: ["3"]}]
  templates:
    - name: run
      inputs:
        parameters: [{name: repo, default: reg/torghut-ws}]
      container: {image: "IMAGE"}
"""


@pytest.mark.parametrize(
    ("image", "images"),
    [
        ("reg/app:1", ["reg/app:1"]),  # nothing templated
        (
            "{{inputs.parameters.repo}}:{{ workflow.parameters.tag }}",
            ["{{inputs.parameters.repo}}:{{ workflow.parameters.tag }}", "reg/torghut-ws:2", "reg/torghut-ws:3"],
        ),
        ("{{inputs.parameters.unset}}", ["{{inputs.parameters.unset}}"]),  # no value named: as written
        ("{{= sprig.trim(inputs.parameters.repo) }}", ["{{= sprig.trim(inputs.parameters.repo) }}"]),  # an expression
    ],
)
def test_an_argo_image_from_a_parameter_runs_each_value_the_workflow_names(image: str, images: list[str]) -> None:
    from torghut_lint.k8s import images_of

    res = resource(WORKFLOW.replace("IMAGE", image))
    assert list(images_of(res, image)) == images
    if len(images) > 1:
        assert "docker.io/reg/torghut-ws" in image_repositories(res)


def test_an_image_of_many_parameters_with_many_values_is_read_as_a_bounded_number_of_images() -> None:
    """A hostile workflow: 30 parameters in one image field, each given 1,000 values."""
    from torghut_lint.k8s import MAX_IMAGE_EXPANSIONS, images_of

    names = [f"p{i}" for i in range(30)]
    parameters = ", ".join(f"{{name: {n}, enum: [{', '.join(str(v) for v in range(1000))}]}}" for n in names)
    image = "".join(f"{{{{inputs.parameters.{n}}}}}" for n in names)
    res = resource(
        WORKFLOW.replace('[{name: tag, value: "2"}, {name: tag, enum: ["3"]}]', f"[{parameters}]").replace(
            "IMAGE", image
        )
    )
    assert 1 < len(images_of(res, image)) <= MAX_IMAGE_EXPANSIONS + 1
    assert images_of(res, "{{inputs.parameters.p0}}" + "x" * 2000) == ("{{inputs.parameters.p0}}" + "x" * 2000,)


@pytest.mark.parametrize(
    ("patch", "env"),
    [
        ('{"containers":[{"name":"main","env":[{"name":"A","value":"1"}]}]}', [("A", "1")]),
        ("containers: [{name: other, env: [{name: A, value: '1'}]}]", None),  # another container: no patch
        ("containers: [{name: main, resources: {limits: {cpu: '{{inputs.parameters.cpu}}'}}}]", []),
        ("containers: [{name: main, env: [{name: A, value: '{{inputs.parameters.a}}'}]}]", [("A", None)]),
        ("containers: [{name: main, envFrom: [{configMapRef: {name: c}}]}]", "unknown"),
        ("containers: [{name: main, args: [--live]}]", "unknown"),
        ("containers: [{name: main, env: [", "unknown"),  # not YAML
        ("x" * (64 * 1024 + 1), "unknown"),  # too long to read
    ],
)
def test_what_a_workflow_pod_spec_patch_sets_in_the_main_container(patch: str, env) -> None:
    from torghut_lint.k8s import pod_spec_patches

    text = (
        "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: w}\nspec:\n  templates:\n"
        "    - name: run\n      podSpecPatch: PATCH\n      container: {image: a:1}\n"
    )
    import json

    res = resource(text.replace("PATCH", json.dumps(patch)))
    (path, container), *_ = containers(res)
    found = pod_spec_patches(res, path, container)
    if env is None:
        assert found == []
    elif env == "unknown":
        assert found == [(("spec", "templates", 0, "podSpecPatch"), None)]
    else:
        assert [(name, value) for name, value, _ in found[0][1][0]] == env


@pytest.mark.parametrize(
    ("key", "text", "found"),
    [
        ("settings.json", '{"TRADING_MODE": "live", "X": 1}', [("TRADING_MODE", "live", 1)]),
        ("s.yaml", "a: 1\nTRADING_MODE: true\n", [("TRADING_MODE", "true", 5)]),
        ("s.YML", "TRADING_MODE: [live]\n", [("TRADING_MODE", None, 0)]),  # no scalar: unknown
        ("s.yaml", "broker:\n  TRADING_MODE: live\n", []),  # nested: another setting's
        (
            "s.yaml",
            "---\nTRADING_MODE: paper\n---\nTRADING_MODE: live\n",
            [("TRADING_MODE", "paper", 4), ("TRADING_MODE", "live", 28)],
        ),
        ("s.txt", '{"TRADING_MODE": "live"}', []),  # not named as a settings file: an environment file's reading only
        ("s.json", "{not json", []),
        # too large to read: the switch it names is unknown, at its first mention
        ("big.json", '{"TRADING_MODE": "paper", "x": "' + "y" * 1024 * 1024 + '"}', [("TRADING_MODE", None, 2)]),
    ],
)
def test_a_settings_file_sets_what_its_top_level_keys_name(key: str, text: str, found: list) -> None:
    from torghut_lint.k8s import entry_assignments

    names = Names({"TRADING_MODE": {}})
    assert list(entry_assignments(key, text, names)) == found


def test_a_workflow_of_a_referenced_template_runs_the_containers_its_pod_spec_patch_sets() -> None:
    """A CronWorkflow whose templates are a WorkflowTemplate's (``workflowTemplateRef``): its own
    podSpecPatch's containers are read (a parameter in one stays one); one of its own templates'
    is read with them (:func:`pod_spec_patches`), not as a container of its own."""
    text = (
        "apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nmetadata: {name: c}\nspec:\n  workflowSpec:\n"
        "    workflowTemplateRef: {name: t}\n    podSpecPatch: PATCH\n"
    )
    patch = '{"containers":[{"name":"main","env":[{"name":"A","value":"{{workflow.parameters.a}}"}]}]}'
    res = resource(text.replace("PATCH", repr(patch)))
    found = containers(res)
    assert [path for path, _ in found] == [("spec", "workflowSpec", "podSpecPatch", "containers", 0)]
    assert found[0][1]["env"] == [{"name": "A", "value": "{{parameter}}"}]
    own = resource(
        text.replace("workflowTemplateRef: {name: t}", "templates: [{name: r, container: {image: a}}]").replace(
            "PATCH", repr(patch)
        )
    )
    assert [path for path, _ in containers(own)] == [("spec", "workflowSpec", "templates", 0, "container")]


def test_a_workflow_of_a_referenced_template_runs_the_images_its_arguments_name() -> None:
    """A CronWorkflow passing the websocket's image to a WorkflowTemplate it refers to runs it; a
    URL, a word or a sentence among its arguments is no image."""
    text = (
        "apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nmetadata: {name: c}\nspec:\n  workflowSpec:\n"
        "    workflowTemplateRef: {name: t}\n    arguments:\n      parameters:\n"
        "        - {name: image, value: 'reg/torghut-ws:1'}\n        - {name: url, value: 'https://x/y'}\n"
        "        - {name: mode, value: paper}\n        - {name: note, value: 'a b/c'}\n"
    )
    assert image_repositories(resource(text)) == ("docker.io/reg/torghut-ws",)
    own = text.replace("workflowTemplateRef: {name: t}", "templates: [{name: r, container: {image: a}}]")
    assert image_repositories(resource(own)) == ("docker.io/library/a",)  # its own template's parameters
