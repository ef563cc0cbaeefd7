"""What Argo CD changes about an application's rendering outside its manifests: parameters it
merges into the application's source (``.argocd-source.yaml`` files in the application's path,
``spec.source.kustomize`` of Application objects and ApplicationSet templates and elements). The
linter renders the directory as kustomize does and does not apply them, so each that sets
something is ``argocd-source-override``: what Argo CD deploys would not be what was checked."""

from __future__ import annotations

import functools
import os
import re
import shlex
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from torghut_lint.appsets import (
    GO_CONTROL,
    MAX_APPLICATIONS_READ,
    UNEXPANDED,
    ParameterSet,
    list_elements,
    merged_template,
    parameter_sets,
    possible_values,
    resolved_path,
    template_value,
)
from torghut_lint.builtin_rules import builtin_finding
from torghut_lint.discover import display_path, is_dir, is_within, real_text
from torghut_lint.model import Finding, Location, Path_, Resource, ResourceId, digest_of
from torghut_lint.parse import parse_bytes, parse_file, to_data

ARGOCD_SOURCE = ".argocd-source"
# torghut-lint's own Config Management Plugin (deploy/argocd/plugin.yaml): it renders with kustomize
# what it linted, so an Application using it changes nothing the linter does not see.
OWN_PLUGIN = "torghut-lint"
# the kustomize parameter that selects the binary (argocd-cm's kustomize.path.<version>), not
# what it is given: reported apart from the others, unless the configuration names the version
_VERSION = "version"


@dataclass(frozen=True)
class Rendering:
    """What the configuration's ``argocd:`` says renders a path as the built-in renderer does: the
    Config Management Plugins (``kustomizePlugins``) that, given no env or parameters, render as
    ``kustomize build``; the kustomize versions argocd-cm registers (``kustomizeVersions``) whose
    binary renders as the kustomize the renderer is proven against (``kubectl kustomize``)."""

    plugins: frozenset[str] = frozenset()
    kustomize_versions: frozenset[str] = frozenset()

    def other_kustomize(self, kustomize: object) -> object:
        """The ``version`` a source's ``kustomize`` names that the configuration does not (Argo CD
        builds with that binary), or None: the name as written, looked up as Argo CD looks it up."""
        version = kustomize.get(_VERSION) if isinstance(kustomize, dict) else None
        if version in (None, "") or (isinstance(version, str) and version in self.kustomize_versions):
            return None
        return version


# The plugin's extra arguments: the sidecar's own env, and an Application's plugin env of that name
# (Argo CD passes it as ARGOCD_ENV_TORGHUT_LINT_ARGS). An Application is a manifest of the
# repository a pull request edits, so it may only make the check stricter: a level of --fail-on
# and -v. Everything else (--config, --policies, --enable-helm, --ignore-missing-schemas, ...) is
# the sidecar's, which the platform installs; argparse's abbreviations (--conf) are refused too.
PLUGIN_ENV = "TORGHUT_LINT_ARGS"
_APPLICATION_OPTIONS = {"--fail-on": {"error", "warning", "info"}}
_APPLICATION_FLAGS = {"-v", "--verbose"}
_FLAG = re.compile(r"-{1,2}[A-Za-z0-9][A-Za-z0-9-]{0,40}")
MAX_ARGS_TEXT = 4096  # an Application's plugin arguments: a few flags


def refused_application_args(text: str) -> list[str]:
    """What of an Application's plugin arguments the plugin refuses, as flag names (never the
    values: they are the tree's text): every argument but ``--fail-on LEVEL`` and ``-v``."""
    if len(text) > MAX_ARGS_TEXT:  # shlex takes quadratic time over one long quoted word
        return [f"an argument list longer than {MAX_ARGS_TEXT:,} characters"]
    try:
        args = shlex.split(text)
    except ValueError:
        return ["arguments a shell cannot split (an unclosed quote)"]
    refused: list[str] = []
    taken = iter(args)
    for arg in taken:
        name, eq, value = arg.partition("=")
        if name in _APPLICATION_OPTIONS:
            if (value if eq else next(taken, None)) not in _APPLICATION_OPTIONS[name]:
                refused.append(f"{name} with a level other than {', '.join(sorted(_APPLICATION_OPTIONS[name]))}")
        elif arg not in _APPLICATION_FLAGS:
            refused.append(name if _FLAG.fullmatch(name) else "an argument that is not a flag")
    return list(dict.fromkeys(refused))


def source_file(path: Path, findings: list[Finding]) -> bool:
    """Whether ``path`` is a file Argo CD merges into the application's source before rendering
    (``.argocd-source.yaml``, ``.argocd-source-<app name>.yaml``: reposerver's
    mergeSourceParameters), reported when it sets anything: not a manifest, and no orphan."""
    name = path.name
    if not (name == ARGOCD_SOURCE + ".yaml" or (name.startswith(ARGOCD_SOURCE + "-") and name.endswith(".yaml"))):
        return False
    parsed = parse_file(path, display_path(path))
    findings.extend(parsed.findings)
    for doc in parsed.documents:
        if isinstance(doc.data, dict) and doc.data:
            message = (
                f"Argo CD merges {', '.join(_parameters(doc.data))} into this application's source before "
                "rendering; the linter does not apply them, so what Argo CD deploys is not what was checked"
            )
            where = Location(display_path(path), doc.node.start_mark.line + 1, 1)
            findings.append(_valued(builtin_finding("argocd-source-override", message, where), doc.data))
    return True


def _valued(finding: Finding, value: object) -> Finding:
    """``finding`` with what overrides the rendering as its identity's digest (the identity's
    offending value: a worse patch, plugin or argument where one was is a new finding)."""
    finding.digest = digest_of(value, structural=True)
    return finding


def chain_source_files(
    head: list[Deployment], linted: list[str], chain: Iterable[str], root: Path, base_root: Path
) -> list[Finding]:
    """``argocd-source-override`` for each ``.argocd-source*.yaml`` the change adds or edits in a
    directory an Application deploys that deploys the linted paths or what deploys them (the chain,
    outside the linted tree, whose own files the plan reports): Argo CD merges it into that
    Application's source (a plugin rendering the ApplicationSets, say), which the gate never saw."""
    found: list[Finding] = []
    seen: set[str] = set()
    for d in head:
        if d.path is None or d.path.startswith("..") or under(d.path, linted) or not covers(d.path, linted, chain):
            continue
        directory = root / d.path
        if d.path in seen or not directory.is_dir():
            continue
        seen.add(d.path)
        for path in sorted(directory.glob(ARGOCD_SOURCE + "*.yaml")):
            before = base_root / d.path / path.name
            try:
                same = before.is_file() and before.read_bytes() == path.read_bytes()
            except OSError:
                same = False
            if not same:
                source_file(path, found)
    return found


def _parameters(data: dict) -> list[str]:
    """The parameters a source override sets, one level down (``kustomize.patches``)."""
    found: list[str] = []
    for key, value in data.items():
        found += [f"{key}.{inner}" for inner in value] if isinstance(value, dict) and value else [str(key)]
    return found


def source_overrides(resources: list[Resource], rendering: Rendering = Rendering()) -> Iterator[Finding]:
    """``argocd-source-override`` for each Application source (and ApplicationSet template source,
    list element or ``templatePatch``) that gives kustomize parameters, another kustomize or a
    plugin other than torghut-lint's own, except what ``rendering`` (the configuration) says
    renders as the built-in renderer does."""
    for res, spec in _applications(resources):
        if res.id.kind == "Application":
            yield from _sources(res, ("spec",), spec, rendering)
            yield from _explicit_types(res, ("spec",), spec)
            continue
        template = spec.get("template")
        if isinstance(template, dict) and isinstance(template.get("spec"), dict):
            # a path its parameters write is this repository's where an element's is (or may be)
            ours = functools.partial(_patch_in_repository, res, spec)
            yield from _sources(res, ("spec", "template", "spec"), template["spec"], rendering, ours)
            yield from _explicit_types(res, ("spec", "template", "spec"), template["spec"], spec)
        for path, element in list_elements(spec.get("generators"), ("spec", "generators")):
            yield from _overrides(res, path, element, f"an element of {res.id.kind} {res.id.name} renders", rendering)
        if isinstance(spec.get("templatePatch"), str) and spec["templatePatch"].strip():
            yield from _template_patch(res, spec, rendering)


def _applications(resources: list[Resource]) -> Iterator[tuple[Resource, dict]]:
    """(resource, spec) of each Argo CD Application and ApplicationSet with a spec."""
    for res in resources:
        if res.id.kind in ("Application", "ApplicationSet") and res.id.group == "argoproj.io":
            spec = res.data.get("spec")
            if isinstance(spec, dict):
                yield res, spec


def _sources(
    res: Resource, path: Path_, spec: dict, rendering: Rendering, ours: Callable[[list[dict]], bool] | None = None
) -> Iterator[Finding]:
    where = f"{res.id.kind} {res.id.name} renders"
    sources = _listed_sources(path, spec)
    for at, source in sources:
        yield from _overrides(res, at, source, where, rendering, ours)
    yield from _values_of_repository(res, sources, where)
    if any(_in_repository(res, source.get("path")) for _, source in sources):
        if (finding := kept_live(res, path, spec)) is not None:
            yield finding


RESPECT = "RespectIgnoreDifferences=true"
# the sync options that keep Argo CD from pruning (an Application's, or one resource's annotation)
NO_PRUNE = frozenset({"Prune=false", "Prune=confirm"})
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"


def _options(value: object) -> list[str]:
    """Sync options as Argo CD compares them: a list's items, or an annotation's comma-separated
    values, each with surrounding white space trimmed."""
    items = value if isinstance(value, list) else str(value).split(",") if isinstance(value, str) else []
    return [str(item).strip() for item in items]


def _holds_pruning(options: object) -> bool:
    """Whether sync options (a list, or an annotation's text) hold pruning back."""
    return bool(NO_PRUNE & set(_options(options)))


def unpruned(res: Resource) -> bool:
    """Whether ``res`` asks Argo CD never to prune it on its own (``Prune=false``, or
    ``Prune=confirm``: only once someone confirms), whatever its Application's policy says."""
    return _holds_pruning(res.annotations.get(SYNC_OPTIONS))


def _respected(spec: dict) -> tuple[int, list[dict]] | None:
    """(its index among the sync options, the ignoreDifferences entries) where an Application spec
    syncs with ``RespectIgnoreDifferences`` and lists fields to ignore; None otherwise."""
    sync = spec.get("syncPolicy")
    options = [
        str(option).replace(" ", "") for option in _as_list(sync.get("syncOptions") if isinstance(sync, dict) else None)
    ]
    ignored = [entry for entry in _as_list(spec.get("ignoreDifferences")) if isinstance(entry, dict)]
    return (options.index(RESPECT), ignored) if RESPECT in options and ignored else None


def kept_live(res: Resource, path: Path_, spec: dict) -> Finding | None:
    """The finding for an Application spec (at ``path``) that syncs with ``RespectIgnoreDifferences``:
    the fields its ``ignoreDifferences`` lists are not applied from the repository at all (Argo CD
    keeps the live values), so what runs there is nothing the linter could check; None without."""
    if (respected := _respected(spec)) is None:
        return None
    index, ignored = respected
    what = sorted({str(entry.get("kind") or "*") + "/" + str(entry.get("name") or "*") for entry in ignored})
    message = (
        f"{res.id.kind} {res.id.name} syncs with {RESPECT}: the fields its ignoreDifferences lists "
        f"({', '.join(what)}) are not applied from the repository, the cluster keeps values the linter "
        "cannot see; drop the option, or keep those fields out of what the policies judge"
    )
    at = path + ("syncPolicy", "syncOptions", index)
    return _valued(builtin_finding("argocd-source-override", message, res.locate(at), res.id), ignored)


def _listed_sources(path: Path_, spec: dict) -> list[tuple[Path_, dict]]:
    """(path, source) of an Application spec's ``source``, each of its ``sources``, and its source
    hydrator's ``drySource`` (Argo CD renders it as a source, kustomize, helm, directory and plugin
    options included, and pushes the manifests to the branch it then syncs: what deploys is what
    the dry source renders)."""
    listed = [(path + ("source",), spec["source"])] if isinstance(spec.get("source"), dict) else []
    sources = spec.get("sources")
    listed += [(path + ("sources", i), x) for i, x in enumerate(_as_list(sources)) if isinstance(x, dict)]
    if isinstance(dry := _dry_source(spec), dict):
        listed.append((path + ("sourceHydrator", "drySource"), dry))
    return listed


def _dry_source(spec: dict) -> object:
    """An Application spec's ``sourceHydrator.drySource`` as written (None where there is none)."""
    hydrator = spec.get("sourceHydrator")
    return hydrator.get("drySource") if isinstance(hydrator, dict) else hydrator


def _written_sources(spec: dict) -> list[object]:
    """Every source a spec (a templatePatch's, read with its template actions set aside) writes, as
    written: its ``source``, each of its ``sources``, its source hydrator's ``drySource``."""
    return [spec.get("source"), *_as_list(spec.get("sources")), _dry_source(spec)]


def _in_repository(res: Resource, path: object) -> bool:
    """Whether a source's ``path`` is a directory of the repository that holds ``res`` (another
    repository's path, or a chart from a registry, is nothing this tree renders)."""
    return _directory(res, path) is not None


def _directory(res: Resource, path: object) -> Path | None:
    """The directory of the repository that holds ``res`` a source's ``path`` names, or None."""
    if not isinstance(path, str) or not path.strip("/. "):
        return None
    directory = _top(res) / path.strip("/")
    try:
        return directory if is_dir(directory) else None
    except OSError:  # a name too long, a directory that may not be searched: no path Argo CD could render
        return None


def _kustomized(res: Resource, paths: list[object] | None, below: bool) -> dict[str, str]:
    """Each of ``paths`` that is a directory of the repository holding ``res`` with a kustomization
    file in it (what Argo CD would detect as a kustomize source), or, ``below``, in it or a
    directory under it (Argo CD's recursive walk, which follows no link to a directory), resolved,
    to the digest of what it holds: what Argo CD renders there otherwise than kustomize is unseen,
    so any change to it is a new finding (the digests, sorted, are its identity)."""
    from torghut_lint.discover import content_digest, kustomization_below
    from torghut_lint.kustomize.kustomization import find_kustomization

    found = {}
    for path in paths or ():
        if (directory := _directory(res, path)) is None:
            continue
        try:
            if find_kustomization(directory) is not None or (below and kustomization_below(directory)):
                found[real_text(directory)] = content_digest(directory)
        except OSError:
            continue
    return found


# A source's type made explicit by one of these keys (Argo CD's ExplicitType: a key present and not
# null), rendering its path as this says whatever the path holds
EXPLICIT_TYPES = {"directory": "as plain manifests (its directory source)", "helm": "with helm (its helm source)"}


def ref_values(sources: list[tuple[Path_, dict]]) -> Iterator[tuple[Path_, dict, int, str]]:
    """(place, source, index, path) of each values file a source's helm reads through another
    source's ``ref`` (``$values/apps/torghut/values.yaml``: a path from that source's root)."""
    refs = {s["ref"] for _, s in sources if isinstance(s.get("ref"), str) and s["ref"]}
    for at, source in sources if refs else ():
        helm = source.get("helm")
        files = helm.get("valueFiles") if isinstance(helm, dict) else None
        for i, entry in enumerate(files if isinstance(files, list) else []):
            if isinstance(entry, str) and entry.startswith("$"):
                name, _, rest = entry[1:].partition("/")
                if name in refs and rest.strip("/"):
                    yield at, source, i, os.path.normpath(rest.strip("/"))


def _values_of_repository(res: Resource, sources: list[tuple[Path_, dict]], who: str) -> Iterator[Finding]:
    """``argocd-source-override`` for each values file of this repository (or one a parameter
    names) that a source's chart is rendered with through a ``ref`` source: helm renders it, the
    linter renders no chart, and what the chart makes of the repository's file is deployed unseen.
    Identified by what it reads (the file's content, the chart and its version)."""
    from torghut_lint.discover import content_digest

    top = _top(res)
    for at, source, i, rel in ref_values(sources):
        file = top / rel
        if not _templated(rel) and not (file.is_file() and is_within(real_text(file), real_text(top))):
            continue
        chart = source.get("chart") or source.get("path")
        message = (
            f"{who} the chart {chart!r} with the values file {rel} of this repository: helm renders it there, "
            "which the linter does not (what the chart makes of the file is deployed unseen)"
        )
        where = res.locate(at + ("helm", "valueFiles", i))
        read = content_digest(file) if not _templated(rel) else ""
        finding = builtin_finding("argocd-source-override", message, where, res.id)
        finding.reads = (real_text(file),) if read else ()
        yield _valued(finding, {"values": rel, "read": read, "chart": chart, "version": source.get("targetRevision")})


def _explicit_type(source: dict) -> str | None:
    return next((key for key in EXPLICIT_TYPES if source.get(key) is not None), None)


def _recursing(source: dict, kind: str) -> bool:
    """Whether a directory source walks the directories under its path (``recurse``: anything but
    false, a value a parameter writes too)."""
    directory = source.get(kind)
    return kind == "directory" and isinstance(directory, dict) and directory.get("recurse") not in (None, False)


def _typed_message(kind: str) -> str:
    applies = (
        "every manifest file there as it is (patches, and files no kustomization includes, among them)"
        if kind == "directory"
        else "the chart helm renders there"
    )
    return (
        f"{EXPLICIT_TYPES[kind]}, though a kustomization is there: Argo CD applies {applies}, never what kustomize "
        f"builds, which is what the linter checked; drop {kind} from the source"
    )


def _explicit_types(res: Resource, path: Path_, spec: dict, generated: dict | None = None) -> Iterator[Finding]:
    """``argocd-source-override`` for each source of an Application spec (or an ApplicationSet's
    template, ``generated`` its spec) whose explicit type renders a path holding a kustomization
    otherwise than kustomize builds it: a path its parameters write counts where an element's holds
    one, or where no element settles it."""
    for at, source in _listed_sources(path, spec):
        if (kind := _explicit_type(source)) is None:
            continue
        written = source.get("path")
        paths = _candidate_paths(generated, [source]) if generated is not None and _templated(written) else [written]
        applied = _kustomized(res, paths, _recursing(source, kind))
        if paths is None or applied:
            message = f"{res.id.kind} {res.id.name} renders {written} {_typed_message(kind)}"
            finding = builtin_finding("argocd-source-override", message, res.locate(at + (kind,)), res.id)
            finding.reads = tuple(applied)
            yield _valued(finding, {kind: source[kind], "applied": sorted(applied.values())})


def _top(res: Resource) -> Path:
    """The repository that holds ``res``: where its sources' paths (and values files) are read."""
    return _repository_of(os.path.abspath(os.path.dirname(res.node.start_mark.name)))


@functools.lru_cache(maxsize=256)
def _repository_of(directory: str) -> Path:
    """The repository an absolute directory is in (asked once per directory)."""
    from torghut_lint.assemble import repository_root  # the boundary kustomize references keep to

    return repository_root(Path(directory))


def _overrides(
    res: Resource,
    path: Path_,
    source: dict,
    who: str,
    rendering: Rendering,
    ours: Callable[[list[dict]], bool] | None = None,
) -> Iterator[Finding]:
    """Findings for what ``source`` sets, asked of the filesystem only when it sets something;
    ``ours`` tells, of an ApplicationSet's template, whether a path its parameters write may be
    this repository's."""
    kustomize = source.get("kustomize")
    set_ = [k for k, v in kustomize.items() if k != _VERSION and v] if isinstance(kustomize, dict) else []
    version = rendering.other_kustomize(kustomize)
    plugin = source.get("plugin")
    foreign = isinstance(plugin, dict) and plugin.get("name") != OWN_PLUGIN and not _kustomize_alike(plugin, rendering)
    if isinstance(plugin, dict) and not foreign:
        yield from _own_plugin_env(res, path + ("plugin",), plugin, who)
    if not (set_ or foreign or version is not None):
        return
    written = source.get("path")
    if not (_in_repository(res, written) or (ours is not None and _templated(written) and ours([source]))):
        return
    target = f" {source['path']}"
    if set_:
        message = (
            f"{who}{target} with kustomize {', '.join(map(str, set_))}, which the linter does not apply: "
            "what Argo CD deploys is not what was checked; move them into the kustomization"
        )
        finding = builtin_finding("argocd-source-override", message, res.locate(path + ("kustomize",)), res.id)
        yield _valued(finding, {k: v for k, v in kustomize.items() if k != _VERSION})
    if version is not None:
        message = f"{who}{target} {_other_kustomize(version)}"
        where = res.locate(path + ("kustomize", _VERSION))
        yield _valued(builtin_finding("argocd-source-override", message, where, res.id), {_VERSION: version})
    if foreign:
        message = (
            f"{who}{target} with the plugin {plugin.get('name', '(discovered)')!r}, whose output the linter "
            "cannot render: what Argo CD deploys is not what was checked"
        )
        yield _valued(
            builtin_finding("argocd-source-override", message, res.locate(path + ("plugin",)), res.id), plugin
        )


def _own_plugin_env(res: Resource, path: Path_, plugin: dict, who: str) -> Iterator[Finding]:
    """Findings for the arguments an Application gives torghut-lint's plugin that the plugin
    refuses at sync (they could weaken its check)."""
    env = plugin.get("env")
    for i, entry in enumerate(env if isinstance(env, list) else []):
        if not isinstance(entry, dict) or entry.get("name") != PLUGIN_ENV:
            continue
        if refused := refused_application_args(str(entry.get("value") or "")):
            message = (
                f"{who} with the torghut-lint plugin given {', '.join(refused)} in its env {PLUGIN_ENV}: "
                "an Application may only make the check stricter (--fail-on, -v), and the plugin refuses "
                "to render it; give the rest to the sidecar's own env"
            )
            finding = builtin_finding("argocd-source-override", message, res.locate(path + ("env", i, "value")), res.id)
            yield _valued(finding, entry.get("value"))


TEMPLATED = "torghut-lint-templated-value"
MAX_PATCH_TEXT = 1 << 16  # a templatePatch is a few hundred lines at most
_PATCH_KEY = re.compile(r"\b(kustomize|plugin|directory|helm)\s*:")


def _skeleton(text: str) -> str:
    """A templatePatch with every branch of its template kept: control actions removed (the lines
    they leave empty dropped), each written value a placeholder. What any parameters can make of
    it sets at most what the skeleton sets, or a placeholder stands where they decide. One pass
    (a regular expression's lazy match would rescan the rest of the text at every ``{{``); an
    action left open runs to the end, as Go's parser refuses it."""
    out: list[str] = []
    at = 0
    while (start := text.find("{{", at)) >= 0:
        end = text.find("}}", start + 2)
        out.append(text[at:start])
        if end < 0:
            at = len(text)
            break
        inner = text[start + 2 : end]
        trimmed = inner[1:] if inner.startswith("-") else inner
        if not GO_CONTROL.match(trimmed.removesuffix("-")):
            out.append((" " if inner.startswith("-") else "") + TEMPLATED)
        at = end + 2
    out.append(text[at:])
    return "\n".join(line for line in "".join(out).splitlines() if line.strip())


def _read_patch(text: str) -> Any:
    """A templatePatch's :func:`_skeleton` read as YAML (its findings not reported): the one
    document's value, None where it is not one readable document. A key two branches of the
    template each write (``{{ if .a }}source: ...{{ end }}{{ if .b }}source: ...{{ end }}``)
    is read once, with what both write (maps merged; two texts that differ: a parameter's)."""
    parsed = parse_bytes(_skeleton(text).encode(), "templatePatch")
    documents = [d for d in parsed.documents if d.data is not None]
    if len(documents) != 1 or any(f.rule != "yaml-duplicate-key" for f in parsed.findings):
        return None
    return _branches_merged(documents[0].node) if parsed.findings else documents[0].data


def _branches_merged(node: Any) -> Any:
    """A composed node's value, a mapping's repeated keys merged (see :func:`_read_patch`)."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key, value in node.value:
            name = str(key.value)
            merged = _branches_merged(value)
            out[name] = _merge_values(out[name], merged) if name in out else merged
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_branches_merged(item) for item in node.value]
    return to_data(node)


def _merge_values(a: Any, b: Any) -> Any:
    """What two branches write at one key: maps merged, one value where they agree, else a value
    the parameters decide (:data:`TEMPLATED`: which branch runs is theirs to say)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return {**a, **b} | {k: _merge_values(a[k], v) for k, v in b.items() if k in a}
    return a if a == b else TEMPLATED


def _other_kustomize(version: object) -> str:
    """What building with the kustomize ``version`` names means, for a finding's message."""
    shown = "named by a parameter" if version == TEMPLATED else repr(version)
    return (
        f"with the kustomize version {shown}, the binary argocd-cm registers under that name: not the kustomize "
        "the linter's renderer is proven against, so what Argo CD deploys may not be what was checked (once its "
        "rendering is shown the same, name the version in the configuration's argocd.kustomizeVersions)"
    )


def _template_patch(res: Resource, spec: dict, rendering: Rendering) -> Iterator[Finding]:
    """``argocd-source-override`` for what an ApplicationSet's ``templatePatch`` sets on the source
    of each application it generates (Argo CD renders the patch with each element's parameters and
    merges it into the template): kustomize parameters or a plugin, wherever a branch of it sets
    them; a patch that cannot be read, or whose parameters decide the source, fails closed."""
    text = spec["templatePatch"]
    who = f"{res.id.kind} {res.id.name}'s templatePatch"

    def finding(message: str, offset: int = 0, value: object = text, reads: tuple[str, ...] = ()) -> Finding:
        where = res.locate_in_text(("spec", "templatePatch"), offset)  # (value: what it sets, else its text)
        found = _valued(builtin_finding("argocd-source-override", message, where, res.id), value)
        found.reads = reads
        return found

    if len(text) > MAX_PATCH_TEXT:
        yield finding(f"{who} is {len(text):,} characters, past {MAX_PATCH_TEXT:,}: not read, what it sets is unknown")
        return
    patch = _read_patch(text)
    if not isinstance(patch, dict):
        yield finding(
            f"{who} cannot be read as YAML with its template actions set aside: what it sets on the sources "
            "of the applications it generates is unknown"
        )
        return
    patched = patch.get("spec")
    sources = _written_sources(patched) if isinstance(patched, dict) else []
    if (
        patched == TEMPLATED
        or TEMPLATED in sources
        or (isinstance(patched, dict) and patched.get("sources") == TEMPLATED)
    ):
        yield finding(f"{who} takes an application's source from the generator's parameters: what renders is unknown")
        return
    if not _patch_in_repository(res, spec, [s for s in sources if isinstance(s, dict)]):
        return
    if isinstance(patched, dict) and _respected(patched) is not None:
        yield finding(
            f"{who} syncs the applications it patches with {RESPECT}: the fields its ignoreDifferences lists "
            "are not applied from the repository, the cluster keeps values the linter cannot see",
            max(text.find("RespectIgnoreDifferences"), 0),
            patched.get("ignoreDifferences"),
        )
    offsets: dict[str, int] = {}  # where the patch first names each
    for match in _PATCH_KEY.finditer(text):
        offsets.setdefault(match.group(1), match.start())
    for source in sources:
        if not isinstance(source, dict):
            continue
        kustomize = source.get("kustomize")
        if kustomize == TEMPLATED or (isinstance(kustomize, dict) and any(k != _VERSION for k in kustomize)):
            yield finding(
                f"{who} sets kustomize parameters on the sources it patches, which the linter does not apply: "
                "what Argo CD deploys is not what was checked; move them into the kustomization",
                offsets.get("kustomize", 0),
                kustomize,
            )
        if (version := rendering.other_kustomize(kustomize)) is not None:
            yield finding(
                f"{who} builds the sources it patches {_other_kustomize(version)}",
                offsets.get("kustomize", 0),
                {_VERSION: version},
            )
        if (kind := _explicit_type(source)) is not None:
            paths = _candidate_paths(spec, [s for s in sources if isinstance(s, dict)])
            applied = _kustomized(res, paths, _recursing(source, kind))
            if paths is None or applied or any(map(_templated, paths)):
                yield finding(
                    f"{who} renders the sources it patches {_typed_message(kind)}",
                    offsets.get(kind, 0),
                    {kind: source[kind], "applied": sorted(applied.values())},
                    tuple(applied),
                )
        plugin = source.get("plugin")
        if plugin is None:
            continue
        name = plugin.get("name") if isinstance(plugin, dict) else TEMPLATED
        if name == OWN_PLUGIN:  # only its arguments matter: an Application may make the check stricter
            env = plugin.get("env") if isinstance(plugin.get("env"), list) else []
            values = [str(e.get("value") or "") for e in env if isinstance(e, dict) and e.get("name") == PLUGIN_ENV]
            if any(TEMPLATED in v or refused_application_args(v) for v in values):
                yield finding(
                    f"{who} gives the torghut-lint plugin arguments in its env {PLUGIN_ENV} that could weaken "
                    "its check (or that the generator's parameters write): the plugin refuses to render them",
                    offsets.get("plugin", 0),
                    values,
                )
            continue
        if isinstance(plugin, dict) and _kustomize_alike(plugin, rendering):
            continue
        shown_name = "named by a parameter" if name in (TEMPLATED, None) else repr(name)
        detail = " with env or parameters" if name in rendering.plugins else ""  # named, so tuned
        yield finding(
            f"{who} renders the sources it patches with the plugin {shown_name}{detail}, whose output the linter "
            "cannot render: what Argo CD deploys is not what was checked (a plugin that renders as kustomize "
            "build does can be named in the configuration's argocd.kustomizePlugins)",
            offsets.get("plugin", 0),
            plugin,
        )


def _kustomize_alike(plugin: dict, rendering: Rendering) -> bool:
    """Whether the configuration names ``plugin`` as rendering a path as ``kustomize build`` does,
    and it is given no env or parameters (which could make it render otherwise)."""
    return plugin.get("name") in rendering.plugins and not any(plugin.get(k) for k in ("env", "parameters"))


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _templated(path: object) -> bool:
    """Whether a source path is written by a template's parameters (as written, or in a patch's skeleton)."""
    return isinstance(path, str) and ("{{" in path or TEMPLATED in path)


def _patch_in_repository(res: Resource, spec: dict, sources: list[dict]) -> bool:
    """Whether a patched source may render a directory of this repository: one of its
    :func:`_candidate_paths`, or any where nothing here settles them (fail closed)."""
    paths = _candidate_paths(spec, sources)
    return paths is None or any(_in_repository(res, p) for p in paths)


def _candidate_paths(spec: dict, sources: list[dict]) -> list[object] | None:
    """The paths an ApplicationSet's (patched) ``sources`` may render: their own paths (the patch's,
    or else the template's); where a parameter writes one, those written as they are and each list
    element's path; None where nothing here settles it (a git generator's)."""
    template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
    inner = template.get("spec") if isinstance(template.get("spec"), dict) else {}
    written = [s.get("path") for s in sources if "path" in s]
    if not written:
        written = [s.get("path") for _, s in _listed_sources((), inner)]
    if written and not any(map(_templated, written)):
        return written
    elements = [e for _, e in list_elements(spec.get("generators"), ("spec", "generators"))]
    if not elements:
        return None
    return [p for p in written if not _templated(p)] + [e.get("path") for e in elements]


@dataclass(frozen=True)
class Revision:
    """Where an Application (or an ApplicationSet's template or list element) deploys a path of
    this repository from: the repository and revision Argo CD checks out."""

    resource: ResourceId
    repo_url: str
    revision: str
    location: Location
    ours: bool  # the source renders a directory of this repository (or a template writes its path)
    key: str  # which source of the resource: its path, or a list element's name


def _application_sources(resources: list[Resource]) -> Iterator[tuple[Resource, dict, bool, list[tuple[Path_, dict]]]]:
    """(resource, spec, whether its sources are an ApplicationSet's template, (path, source) of
    each) for every Application and ApplicationSet with sources to read."""
    for res, spec in _applications(resources):
        template = spec.get("template") if res.id.kind == "ApplicationSet" else None
        inner: Any = template.get("spec") if isinstance(template, dict) else spec if template is None else None
        if isinstance(inner, dict):
            at: Path_ = ("spec", "template", "spec") if template is not None else ("spec",)
            yield res, spec, template is not None, _listed_sources(at, inner)


def revisions(resources: list[Resource]) -> list[Revision]:
    """The (repository, revision) of every source of an Application or ApplicationSet, and of each
    list element of an ApplicationSet (its own ``repoURL``/``targetRevision``, else the template's);
    ``ours`` where it renders a directory of this repository (or a template writes its path)."""
    found: list[Revision] = []
    for res, spec, templated, listed in _application_sources(resources):
        for path, source in listed:
            found.append(_revision(res, source, None, res.locate(path)))
        if templated and listed:
            patched = _patched(spec)  # (what its templatePatch may write, given with the revision)
            for generated, own in parameter_sets(spec.get("generators"), ("spec", "generators"), ()):
                inner = merged_template(own.get("spec"), spec["template"]["spec"]) if own else spec["template"]["spec"]
                own_sources = _listed_sources((), inner) if own else []
                source = own_sources[0][1] if own_sources else listed[0][1]
                made = _revision(res, source, generated, res.locate(generated.location))
                found.append(replace(made, revision=_patched_revision(made.revision, patched)))
    return found


def _checked_out(source: dict, element: dict | None) -> tuple[str | None, str | None]:
    """(repository, revision) Argo CD checks out for a source: a list element's own, else the
    template's with the element's parameters (``HEAD`` when none is written); None for one the
    parameters do not settle (a template this reading does not model, a parameter the element
    lacks, a generator whose parameters are unknown: :func:`template_value`)."""
    own = element or {}
    repo, revision = own.get("repoURL"), own.get("targetRevision")
    return (
        str(repo) if repo is not None else template_value(str(source.get("repoURL") or ""), element),
        str(revision) if revision is not None else template_value(str(source.get("targetRevision") or "HEAD"), element),
    )


def _revision(res: Resource, source: dict, generated: ParameterSet | None, location: Location) -> Revision:
    """Where ``source`` deploys from: the Application's own, or with a generator's parameters."""
    element = generated.params if generated is not None else {}
    ours = _templated(source.get("path")) or _in_repository(res, source.get("path"))  # the path Argo CD renders
    key = generated.key if generated is not None else f"path {source.get('path')}"
    repo, revision = _checked_out(source, element)
    # (one a template leaves unknown: as written, compared as written with the base's)
    repo = str(source.get("repoURL") or "") if repo is None else repo
    revision = str(source.get("targetRevision") or "HEAD") if revision is None else revision
    return Revision(res.id, repo, revision, location, ours, key)


def moved_sources(base: list[Revision], head: list[Revision], ref: str) -> list[Finding]:
    """``argocd-source-moved`` for each source of this repository (in ``head``, the tree linted: the
    base's checkout may hold only the linted paths) that the change points at a
    repository or revision its Application (or ApplicationSet) did not deploy from at ``ref``: the
    gate lints this tree, and Argo CD would deploy what it never saw. A new Application is not
    compared (nothing to compare it with)."""
    before: dict[ResourceId, set[tuple[str, str]]] = {}  # every source of a resource
    same: dict[tuple[ResourceId, str], set[tuple[str, str]]] = {}  # the same source (path or element)
    for r in base:
        before.setdefault(r.resource, set()).add((r.repo_url, r.revision))
        same.setdefault((r.resource, r.key), set()).add((r.repo_url, r.revision))
    findings: list[Finding] = []
    for r in head:
        # the same source's, else (a path the change also moved) any of the resource's
        known = same.get((r.resource, r.key), before.get(r.resource))
        if not r.ours or known is None or (r.repo_url, r.revision) in known:
            continue
        was = ", ".join(f"{repo or '(this repository)'}@{rev}" for repo, rev in sorted(known))
        message = (
            f"this change deploys {r.resource.kind} {r.resource.name} from {r.repo_url or '(this repository)'}@"
            f"{r.revision} (at {ref}: {was}): the gate lints this tree, not what Argo CD would check out there"
        )
        findings.append(builtin_finding("argocd-source-moved", message, r.location, r.resource))
    return findings


@dataclass(frozen=True)
class Deployment:
    """One source an Application (or an ApplicationSet list element) deploys: which of the
    resource's sources (``key``: a source's place, an element's name), from where."""

    resource: ResourceId
    key: str
    repo_url: str
    revision: str
    path: str | None  # as Argo CD resolves it (an element's parameters written in); None: unknown
    location: Location
    kept_live: Finding | None = None  # it syncs with RespectIgnoreDifferences (:func:`kept_live`)
    prunes: bool = False  # syncPolicy.automated.prune: Argo CD deletes what the repository no longer has
    # syncPolicy.syncOptions holds Prune=false or Prune=confirm: it prunes nothing on its own
    prune_held: bool = False
    # the namespaces its destination may be (:func:`possible_values`); None: unknown
    namespaces: tuple[str, ...] | None = ()
    # whether its repository and revision are what Argo CD checks out (else as written: a template
    # its parameters do not settle, or a generator whose parameters are unknown)
    known: bool = True
    file: str = ""  # the file of its Application or ApplicationSet, in the repository (repository_deployments)
    # the files of the repository its charts are rendered with (:func:`ref_values`; an ApplicationSet
    # element's parameters written in, None where one stays unknown: it may read any file)
    reads: tuple[str | None, ...] = ()
    # the path an ApplicationSet's templatePatch writes as it is (normalised), which it may deploy
    # instead of ``path`` (unknown then: a branch of the patch may leave the template's)
    patched_path: str | None = None

    @property
    def paths(self) -> tuple[str, ...]:
        """The paths of this repository it may deploy: its own, and one its templatePatch writes."""
        return tuple(p for p in (self.path, self.patched_path) if p)

    # what its Application or ApplicationSet sets on how Argo CD renders (:func:`source_overrides`)
    overrides: tuple[Finding, ...] = ()


def deployments(resources: list[Resource], directories: tuple[str, ...] = ()) -> list[Deployment]:
    """Every source of every Application, and each list element of every ApplicationSet (and
    each of the repository's ``directories`` its git directory generators make an application of)."""
    found: list[Deployment] = []
    budget = [MAX_APPLICATIONS_READ]  # (what the ApplicationSets make, together)
    for res, spec, templated, listed in _application_sources(resources):
        inner = spec["template"]["spec"] if templated else spec
        live = kept_live(res, ("spec", "template", "spec") if templated else ("spec",), inner)
        sync = inner.get("syncPolicy")
        automated = sync.get("automated") if isinstance(sync, dict) else None
        prunes = isinstance(automated, dict) and automated.get("prune") is True
        held = _holds_pruning(sync.get("syncOptions") if isinstance(sync, dict) else None)
        destination = inner.get("destination") if isinstance(inner.get("destination"), dict) else {}
        generators, at = spec.get("generators"), ("spec", "generators")
        if not templated:
            reads = tuple(rel for _, _, _, rel in ref_values(listed))
            for path, source in listed:
                at = ".".join(map(str, path[1:]))
                made = _deployment(res, at, source, {}, res.locate(path), live, prunes, held, destination)
                found.append(replace(made, reads=reads) if reads else made)
            continue
        patched = _patched(spec)
        for generated, own in parameter_sets(generators, at, directories, budget):
            # a generator's own template, where it writes one, over the ApplicationSet's (Argo CD's merge)
            inner_own = merged_template(own.get("spec"), inner) if own else inner
            sources = _listed_sources(("spec", "template", "spec"), inner_own) if own else listed
            into = inner_own.get("destination") if isinstance(inner_own.get("destination"), dict) else {}
            reads = tuple(
                resolved_path(rel, generated.params) if generated.params is not None else None
                for _, _, _, rel in ref_values(sources)
            )
            for where, source in sources:
                key = generated.key
                which = key if where[3:] == ("source",) else f"{key}, {'.'.join(map(str, where[3:]))}"
                place = res.locate(generated.location)
                made = _deployment(res, which, source, generated.params, place, live, prunes, held, into)
                made = replace(made, reads=reads) if reads else made
                found.append(_as_patched(made, patched) if patched else made)
    return found


_PATCHABLE = ("repoURL", "targetRevision", "path")  # what says where a source deploys from


def _patched(spec: dict) -> dict[str, str]:
    """What an ApplicationSet's ``templatePatch`` may set, in any branch of its template, of where
    its applications deploy from: each of a source's ``repoURL``, ``targetRevision`` and ``path``
    (as written, or :data:`TEMPLATED` where a parameter writes it), and ``namespace`` for the
    destination's; ``*`` for all of them where the patch cannot be read (or writes whole sources)."""
    text = spec.get("templatePatch")
    if not isinstance(text, str) or not text.strip():
        return {}
    if len(text) > MAX_PATCH_TEXT:
        return {"*": TEMPLATED}
    patch = _read_patch(text)
    inner = patch.get("spec") if isinstance(patch, dict) else None
    if inner is None and isinstance(patch, dict):
        return {}  # (metadata only)
    if not isinstance(inner, dict):
        return {"*": TEMPLATED}
    sources = _written_sources(inner)
    if any(s == TEMPLATED for s in sources) or inner.get("sources") == TEMPLATED:
        return {"*": TEMPLATED}
    found = {key: str(s[key]) for s in sources if isinstance(s, dict) for key in _PATCHABLE if key in s}
    if "sources" in inner or "sourceHydrator" in inner:
        found.setdefault("path", TEMPLATED)  # sources of its own: every field of them the patch's
    destination = inner.get("destination")
    if destination == TEMPLATED or (isinstance(destination, dict) and "namespace" in destination):
        found["namespace"] = TEMPLATED
    return found


def _as_patched(deployment: Deployment, patched: dict[str, str]) -> Deployment:
    """``deployment`` as the ApplicationSet's templatePatch may leave it (:func:`_patched`): a path it
    may set unknown; a repository or revision it may set given beside the template's
    (:func:`_patched_revision`), and not known: what the template says is not what Argo CD may
    check out."""
    every = "*" in patched
    revision = _patched_revision(deployment.revision, patched)
    written = patched.get("path")
    return replace(
        deployment,
        revision=revision,
        patched_path=resolved_path(written, {}) if written and written != TEMPLATED and not every else None,
        path=None if every or "path" in patched else deployment.path,
        namespaces=None if every or "namespace" in patched else deployment.namespaces,
        known=deployment.known and revision == deployment.revision,
    )


def _patched_revision(revision: str, patched: dict[str, str]) -> str:
    """``revision`` with what a templatePatch may write of the repository or revision beside it
    ("main (or, by its templatePatch, targetRevision feature-x)"), as it is when it writes neither."""
    shown = {key: "as a parameter writes it" if value == TEMPLATED else value for key, value in patched.items()}
    if "*" in patched:
        notes = ["what it writes"]
    else:
        notes = [f"{key} {shown[key]}" for key in ("repoURL", "targetRevision") if key in patched]
    return f"{revision} (or, by its templatePatch, {', '.join(notes)})" if notes else revision


def _deployment(
    res: Resource,
    key: str,
    source: dict,
    element: dict,
    location: Location,
    live: Finding | None = None,
    prunes: bool = False,
    held: bool = False,
    destination: dict | None = None,
) -> Deployment:
    destination = destination or {}
    # the template's path, the element's parameters written in (a literal one whatever they are)
    path = (
        resolved_path(source.get("path"), element or {})
        if element is not None or not _templated(source.get("path"))
        else None
    )
    namespaces = possible_values(destination.get("namespace"), element) if element is not None else None
    if element is None and not _templated(destination.get("namespace")):
        namespaces = possible_values(destination.get("namespace"), {})
    repo, revision = _checked_out(source, element)
    known = repo is not None and revision is not None
    repo = str(source.get("repoURL") or "") if repo is None else repo  # (as written where unknown)
    revision = str(source.get("targetRevision") or "HEAD") if revision is None else revision
    return Deployment(res.id, key, repo, revision, path, location, live, prunes, held, namespaces, known)


# a directory (resolved) Applications deploy -> the files (resolved) of those that do: Argo CD
# builds it as an application of its own, and a change to one of them may make it one
Deployers = dict[str, set[str]]


def deployers_of(deployed: Iterable[Deployment], where: Callable[[Deployment], tuple[Path, set[str]]]) -> Deployers:
    """The directories ``deployed`` may deploy (:attr:`Deployment.paths`), each to the files of the
    Applications that do; ``where`` tells of one its repository's root and its files. A path a
    parameter leaves unknown, the repository's root, or one out of it, is none."""
    found: Deployers = {}
    for d in deployed:
        paths = [path for path in d.paths if path != "." and not path.startswith("..")]
        if paths:
            top, files = where(d)
            for path in paths:
                found.setdefault(real_text(str(top / path)), set()).update(files)
    return found


def deployed_directories(resources: list[Resource]) -> Deployers:
    """:func:`deployers_of` the Applications and ApplicationSets among ``resources`` (read as one,
    under one bound on what their generators make), each in the repository of its own file."""
    tops: dict[ResourceId, Path] = {}
    files: dict[ResourceId, set[str]] = {}
    for res, _ in _applications(resources):
        tops.setdefault(res.id, _top(res))
        files.setdefault(res.id, set()).add(real_text(os.path.abspath(res.node.start_mark.name)))
    return deployers_of(deployments(resources), lambda d: (tops[d.resource], files[d.resource])) if tops else {}


def add_deployers(into: Deployers, other: Mapping[str, Iterable[str]]) -> Deployers:
    """``into`` with what ``other`` says deploys each directory added."""
    for directory, files in other.items():
        into.setdefault(directory, set()).update(files)
    return into


def repository_key(url: str) -> str:
    """A repository URL as compared with another: scheme, user, a trailing ``.git`` or slash and
    case dropped, an scp-like address (``git@github.com:o/r``) as its host and path
    (``github.com/o/r``), so the spellings of one repository are one key."""
    text = url.strip().lower()
    scp = "://" not in text
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = re.sub(r"^[^@/]*@", "", text)
    if scp:
        text = text.replace(":", "/", 1)
    return text.rstrip("/").removesuffix(".git")


def under(path: str | None, linted: list[str]) -> bool:
    """Whether a source's (normalised) path is one of the ``linted`` paths or below one."""
    return path is not None and any(p == "." or path == p or path.startswith(p + "/") for p in linted)


def moved_away(
    base: list[Deployment],
    head: list[Deployment],
    linted: list[str],
    ref: str,
    compared: frozenset[ResourceId],
    chain: Iterable[str] = (),
) -> list[Finding]:
    """``argocd-source-moved`` where the change points a source that deployed a linted path at
    ``ref`` somewhere else (another path, repository or revision), wherever its Application or
    ApplicationSet is in the repository: the gate lints ``linted``, and Argo CD would deploy what it
    never saw (a copy of the tree with live trading on, the old one left as it was). An Application
    that deployed them is held whole: a source it gains beside them is not linted either; a new
    source (an Application, a list element) deploying them from another repository or revision than
    the base deploys them from is what the gate never saw too (a list
    element that is new is another application, not compared here: ``lint.deployed_beside`` lints it
    with the tree where it lands beside it). Where the linted paths were deployed
    at ``ref`` and no source deploys them after the change (the Application renamed and pointed
    elsewhere), the same, at each source that deployed them. ``compared``: the Applications in the
    linted tree, whose repository and revision :func:`moved_sources` compares. ``chain``: the files
    of the Applications that deploy the linted paths and of those deploying them (:func:`deploying`),
    held as the linted paths are: the root moved to a branch moves everything below it."""
    findings: list[Finding] = []
    was = {(d.resource, d.key): d for d in base if covers(d.path, linted, chain)}
    before_all: dict[ResourceId, set[tuple[str | None, str, str]]] = {}
    for d in base:
        before_all.setdefault(d.resource, set()).add((d.path, d.repo_url, d.revision))
    held = {resource for resource, _ in was if resource.kind == "Application"}
    # where the base deploys the linted paths from: a new source deploying them from elsewhere (a
    # branch, a fork) deploys what the gate never saw
    blessed = {(repository_key(d.repo_url), d.revision) for d in was.values() if d.known}
    # what generators the linter cannot expand deployed at the base, as written (unchanged: not the change's)
    unexpanded = {(d.resource, d.key, d.repo_url, d.revision) for d in base if d.key.startswith(UNEXPANDED)}
    for after in head:
        before = was.get((after.resource, after.key))
        if before is None and after.path is None and after.key.startswith(UNEXPANDED):
            # a generator the linter cannot expand (pull requests, a plugin, git files) writing the
            # path: it may deploy the linted paths, from wherever its parameters say
            if not blessed or (after.resource, after.key, after.repo_url, after.revision) in unexpanded:
                continue  # nothing to tell it by, or as it was at the base
            if "{{" not in after.repo_url and repository_key(after.repo_url) not in {r for r, _ in blessed}:
                continue  # another repository's paths
        elif before is None and covers(after.path, linted, chain):
            if not blessed or (after.known and (repository_key(after.repo_url), after.revision) in blessed):
                continue  # the tree the gate lints (or nothing to tell it by)
        elif before is None:
            if after.resource not in held:
                continue
            if (after.path, after.repo_url, after.revision) in before_all.get(after.resource, ()):
                continue  # a source it had
        elif covers(after.path, linted, chain) and (
            (after.repo_url, after.revision) == (before.repo_url, before.revision) or after.resource in compared
        ):
            continue  # still the linted path, from where it was (or a linted Application: moved_sources compares it)
        shown = after.path if after.path is not None else "a path its parameters leave unknown"
        # (what deployed them at the base: this source, another of its resource, or any)
        linted_ones = [d for d in was.values() if under(d.path, linted)] or list(was.values())
        had = before or next((d for d in was.values() if d.resource == after.resource), linted_ones[0])
        does = "which it does" if under(had.path, linted) else "which deploys what it lints"
        message = (
            f"this change deploys {after.resource.kind} {after.resource.name} ({after.key}) from {shown} at "
            f"{after.repo_url or '(this repository)'}@{after.revision}, which the gate does not lint (at {ref}: "
            f"{had.path} at {had.repo_url or '(this repository)'}@{had.revision}, {does})"
        )
        findings.append(builtin_finding("argocd-source-moved", message, after.location, after.resource))
    live_before = {(d.resource, d.key) for d in base if d.kept_live is not None and covers(d.path, linted, chain)}
    for after in head:  # a new RespectIgnoreDifferences on what deploys the linted paths, wherever it is
        if after.kept_live is not None and covers(after.path, linted, chain) and after.resource not in compared:
            if (after.resource, after.key) not in live_before and after.kept_live not in findings:
                findings.append(after.kept_live)
    now = {(d.resource, d.key) for d in head}
    if was and not any(covers(d.path, linted, chain) for d in head):
        for before in was.values():
            if (before.resource, before.key) in now:
                continue  # reported above, where it moved
            message = (
                f"no Application deploys {before.path} after this change (at {ref}: {before.resource.kind} "
                f"{before.resource.name} ({before.key})): what Argo CD deploys in its place is not what the gate lints"
            )
            findings.append(
                builtin_finding("argocd-source-moved", message, Location(before.location.file), before.resource)
            )
    return findings


def repository_deployments(root: Path, shown: Path, rendering: Rendering = Rendering()) -> list[Deployment]:
    """:func:`deployments` of every Application and ApplicationSet in the repository at ``root``
    (a work tree, or a snapshot of the base), its files named as they are below ``shown`` (the
    work tree): only files that mention both are parsed; its directories are what its git
    directory generators match. Where an Application deploys a directory that holds a
    kustomization, Argo CD renders it: the Applications and ApplicationSets of the files that build
    reads are read as it builds them (a patch of an ApplicationSet's targetRevision applies),
    and where the built-in renderer cannot build it, their revisions are not known
    (:func:`_as_rendered`). Each carries its resource's :func:`source_overrides` (``rendering``: what
    the configuration says renders as the built-in renderer does)."""
    from torghut_lint.discover import SKIPPED_DIRS, YAML_SUFFIXES
    from torghut_lint.parse import parse_source, read_source

    raw: list[tuple[str, Resource]] = []  # (the file's resolved path, an object of it)
    directories: list[str] = []  # (what git directory generators match: the same walk's)
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        if (relative := os.path.relpath(directory, root)) != ".":
            directories.append(relative.replace(os.sep, "/"))
        for name in sorted(n for n in files if n.endswith(YAML_SUFFIXES)):
            path = Path(directory, name)
            data = read_source(path, "")
            if isinstance(data, bytes) and b"argoproj.io" in data and b"Application" in data:
                parsed = parse_source(path, data, display_path(shown / path.relative_to(root)))
                raw += [
                    (os.path.realpath(path), Resource(doc.node, doc.data))
                    for doc in parsed.documents
                    if isinstance(doc.data, dict) and doc.data.get("kind") in ("Application", "ApplicationSet")
                ]
    found = deployments([res for _, res in raw], tuple(directories))
    rendered, built, unbuilt = _as_rendered(root, found, {f for f, _ in raw})
    if rendered or unbuilt:
        raw = [(f, res) for f, res in raw if f not in built] + rendered
        found = deployments([res for _, res in raw], tuple(directories))
    top = os.path.realpath(root)
    relative_of = {res.node.start_mark.name: os.path.relpath(f, top).replace(os.sep, "/") for f, res in raw if f}
    overrides = {res.id: tuple(source_overrides([res], rendering)) for _, res in raw}
    unseen = {res.id for f, res in raw if f in unbuilt}
    return [
        replace(
            _unrendered(d) if d.resource in unseen else d,
            file=relative_of.get(d.location.file, ""),
            overrides=overrides.get(d.resource, ()),
        )
        for d in found
    ]


def _as_rendered(
    root: Path, found: list[Deployment], holding: set[str]
) -> tuple[list[tuple[str, Resource]], set[str], set[str]]:
    """The Applications and ApplicationSets as Argo CD renders the directories holding a
    kustomization that an Application of ``found`` deploys: (file, object) of each one built, the
    files of ``holding`` (those holding such objects, resolved) whose objects the builds replace,
    and those a build the built-in renderer cannot make reads (a blocking finding: a feature it does
    not model), whose objects stay as written with their revisions unknown."""
    from torghut_lint.kustomize.build import Builder, SourceFiles
    from torghut_lint.model import Severity

    rendered: list[tuple[str, Resource]] = []
    built: set[str] = set()
    unbuilt: set[str] = set()
    holders = {os.path.dirname(f) for f in holding}
    for rel in sorted({d.path for d in found if d.path and not d.path.startswith("..")}):
        directory = root / rel
        if not directory.is_dir() or not _reaches(directory, holders, set()):
            continue  # (no kustomization, or one whose build reads no Application: nothing to render)
        build = Builder(SourceFiles(root)).build(directory)
        used = {str(p) for p in build.used} & holding
        if any(f.severity is Severity.ERROR and f.rule.startswith("kustomize-") for f in build.findings):
            unbuilt |= used
            continue
        built |= used
        for res in build.resources:
            if res.id.kind in ("Application", "ApplicationSet") and res.id.group == "argoproj.io":
                name = res.node.start_mark.name
                rendered.append((os.path.realpath(name) if name else "", res))
    return rendered, built, unbuilt - built


MAX_REACHED = 1_000  # kustomization directories one reachability question may read


def _reaches(directory: Path, holders: set[str], seen: set[str]) -> bool:
    """Whether the kustomization in ``directory`` may read a file of ``holders`` (the directories
    of files holding Applications): one is at or below it, or below a directory its ``resources``
    or ``components`` name, recursively (a directory without a kustomization: no). Past
    :data:`MAX_REACHED` directories, yes (built, as fails closed)."""
    from torghut_lint.kustomize.kustomization import find_kustomization

    kfile = find_kustomization(directory)
    if kfile is None:
        return False
    real = os.path.realpath(directory)
    if real in seen:
        return False
    seen.add(real)
    if len(seen) > MAX_REACHED or any(h == real or h.startswith(real + os.sep) for h in holders):
        return True
    parsed = parse_file(kfile, display_path(kfile))
    spec = next((d.data for d in parsed.documents if isinstance(d.data, dict)), {})
    entries = [e for key in ("resources", "components") for e in _as_list(spec.get(key)) if isinstance(e, str)]
    return any(_reaches(directory / entry, holders, seen) for entry in entries if (directory / entry).is_dir())


def _unrendered(deployment: Deployment) -> Deployment:
    """``deployment`` of an object a kustomization renders that the built-in renderer cannot build:
    where it deploys from is as written, not known to be what Argo CD renders."""
    return replace(deployment, revision=f"{deployment.revision} (as its kustomization renders it)", known=False)


def deploying(deployments: list[Deployment], linted: list[str]) -> list[str]:
    """The files (in the repository) of the Applications and ApplicationSets that deploy the
    linted paths, and of those that deploy them, up to the root (an app of apps): each is where
    Argo CD is told where the linted tree comes from; one moved to a branch (the root's revision)
    moves everything it deploys, which the branch may point anywhere."""
    files: set[str] = set()
    while more := {d.file for d in deployments if d.file and d.file not in files and covers(d.path, linted, files)}:
        files |= more
    return sorted(files)


def covers(path: str | None, linted: list[str], files: Iterable[str] = ()) -> bool:
    """Whether a source's path deploys a linted path (it or a path below it), or one of ``files``
    (below it, at any depth: whether a kustomization or a directory application reaches it is not
    told here)."""
    return under(path, linted) or (path is not None and any(path == "." or f.startswith(path + "/") for f in files))


# What marks a manifest of the Argo CD that renders every application, where it manages itself
# from the repository (the lab's argocd/applications/argocd): its settings (argocd-cm: kustomize's
# build options and binaries; argocd-cmd-params-cm; argocd-cmp-cm), its repo-server (which runs
# kustomize, helm and the plugin sidecars), a plugin's definition, the upstream install.
ARGOCD_RENDERER = (
    *(b"argocd-cm", b"argocd-repo-server", b"ConfigManagementPlugin", b"argoproj/argo-cd"),
    *(b"name: argo-cd", b"chart: argo-cd"),  # the argo-cd Helm chart (its values: configs.cm, repoServer)
)


def renderer_changes(root: Path, base_root: Path, changed: Iterable[Path], ref: str) -> list[Finding]:
    """``argocd-source-override`` for each manifest the change edits, adds or removes (``changed``,
    below ``root``; ``base_root`` the trusted ref's copy) that configures how Argo CD renders every
    application: one naming its settings, repo-server, plugins or chart (:data:`ARGOCD_RENDERER`)
    at either revision, or a manifest beside one that does (a patch of the settings in a file of
    its own, the chart's values). ``--helm-command``, a ``kustomize.path.<version>`` binary, a plugin: what
    Argo CD renders is then not what the gate checked."""
    from torghut_lint.discover import KUSTOMIZATION_NAMES, YAML_SUFFIXES
    from torghut_lint.parse import read_source

    def held(path: Path) -> bytes:  # (as every file is read: never a FIFO, never past the size limit)
        data = read_source(path, "")
        return data if isinstance(data, bytes) else b""

    def manifest(name: str) -> bool:
        return name.endswith(YAML_SUFFIXES) or name in KUSTOMIZATION_NAMES

    @functools.cache
    def marked(directory: Path) -> bool:  # (each directory read once, however many files change in it)
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            return False
        return any(manifest(name) and any(m in held(directory / name) for m in ARGOCD_RENDERER) for name in names)

    findings = []
    for path in sorted(changed):
        try:
            rel = path.relative_to(root)
        except ValueError:
            continue
        # (the file is in its directory at the revision that has it: named there, or beside one that is)
        if not manifest(path.name) or not (marked(path.parent) or marked((base_root / rel).parent)):
            continue
        now = held(path)
        at = min((now.find(m) for m in ARGOCD_RENDERER if m in now), default=-1)
        message = (
            f"this change edits how Argo CD renders every application (its settings, repo-server or plugins: "
            f"kustomize's build options and binaries, helm, config management plugins): what it deploys of the "
            f"linted tree may not be what the gate checked; review it against {ref}'s on its own"
        )
        line = now.count(b"\n", 0, at) + 1 if at >= 0 else 1
        findings.append(builtin_finding("argocd-source-override", message, Location(display_path(path), line)))
    return findings
