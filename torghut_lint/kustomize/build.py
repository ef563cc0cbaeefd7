"""Built-in kustomize renderer over composed nodes, so every value keeps its file:line:col.

What it models is the :data:`~torghut_lint.kustomize.kustomization.FEATURES` table (field,
shape, build step), kept at parity with ``kubectl kustomize`` by the parity tests; any other
kustomization field is reported as ``kustomize-unsupported`` (blocking), plugins are never run,
Helm charts are reported with their values scanned. Here: the build steps. Beside them: the
kustomization file's shape and reading in ``kustomization``, a resource file's objects as
kustomize reads them in ``reading``, objects as kustomize writes them out and reads them back in
``printing``, the images transformer in ``images``, field specs for labels and annotations in
``fieldspecs``, name references in ``namerefs``, patch semantics in ``patch``, target selection
in ``select``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import yaml

from torghut_lint import nodes, regex
from torghut_lint.builtin_rules import builtin_finding
from torghut_lint.discover import (
    display_path,
    exists,
    identified_by,
    is_dir,
    is_file,
    is_within,
    real,
    real_text,
)
from torghut_lint.goyaml import (
    GO_SPACE,
    is_string,
)
from torghut_lint.k8s import walk_strings
from torghut_lint.kustomize import fieldspecs, namerefs, order, replace, work
from torghut_lint.kustomize.fieldspecs import CLUSTER_SCOPED
from torghut_lint.kustomize.images import image_pattern, set_images
from torghut_lint.kustomize.kustomization import (
    FEATURE_FIELDS,
    FEATURES,
    KUSTOMIZATION_SHAPE,
    ONE_REPLACEMENT,
    REMOTE,
    REPLACEMENT_FILE,
    UNMODELLED_LISTS,
    as_configured,
    dotted,
    expected_shape,
    find_kustomization,
    innermost,
    kustomization_doc,
    kustomization_names,
    refused_header,
    shown,
    unmodelled_keys,
)
from torghut_lint.kustomize.merge_schema import kind_schema
from torghut_lint.kustomize.namerefs import ident
from torghut_lint.kustomize.patch import (
    PatchError,
    Unmodelled,
    json6902,
    pointer,
    strategic_merge,
    strategy,
    without_empty_values,
)
from torghut_lint.kustomize.printing import (
    ANNOTATIONS_BACK,
    LABEL_UNQUOTED,
    annotations_as_written,
    as_decoded,
    as_kustomize_reads,
    as_printed,
    bookkeeping,
    generated_value,
    keys_refused,
    local_config,
    marshal_refusals,
    marshalled,
    unprinted_finding,
)
from torghut_lint.kustomize.reading import (
    json_slash,
    kustomize_items,
    listed_annotations,
    not_a_name,
    read_as_text,
    resources_of,
)
from torghut_lint.kustomize.select import SelectorError, Target
from torghut_lint.model import Finding, Location, Resource, Severity, TextStart, digest_of, value_at
from torghut_lint.parse import (
    MAX_FILE_BYTES,
    Document,
    ParsedFile,
    Refused,
    TooComplex,
    as_yaml11,
    json_findings,
    json_problems,
    lfs_pointer,
    lfs_unseen,
    parse_bytes,
    parse_file,
    split_findings,
    to_data,
)
from torghut_lint.schemas.compiled import compiled


def _never_prefixed(api: str, kind: str) -> bool:
    """What kustomize's prefix/suffix transformer skips (names the API server dictates): any
    ``Namespace`` and any ``CustomResourceDefinition`` whatever their group, and an APIService of
    apiregistration.k8s.io (another group's APIService is prefixed)."""
    return kind in ("Namespace", "CustomResourceDefinition") or (
        kind == "APIService" and api.rpartition("/")[0] == "apiregistration.k8s.io"
    )


def _set_namespace(root: yaml.MappingNode, api: str, kind: str, namespace: str, source: yaml.Node) -> bool:
    """kustomize's namespace transformer on one object: its ``metadata.namespace`` unless its kind
    is cluster-scoped, the subjects of a binding named ``default``, then its field specs: a v1
    Namespace's own name, an APIService's Service (``spec.service`` made where absent), a
    CustomResourceDefinition's conversion webhook Service (where written). A webhook
    configuration's Service is no field spec of the namespace: it follows its Service by name
    reference, as a prefix does (``namerefs``). True when anything changed; raises
    :class:`fieldspecs.WrongKind` where kustomize refuses the build."""
    changed = False
    if (api, kind) not in CLUSTER_SCOPED:
        for meta in fieldspecs.holders(root, ("metadata", "namespace"), create=True):
            changed |= fieldspecs.set_text(meta, "namespace", namespace, source)
    if kind in ("RoleBinding", "ClusterRoleBinding"):
        changed |= _subjects_namespace(root, namespace, source)
    group = api.rpartition("/")[0]
    if kind == "Namespace" and api == "v1":  # kustomize renames a Namespace object to it
        paths = [(("metadata", "name"), True)]
    elif kind == "APIService" and group == "apiregistration.k8s.io":
        paths = [(("spec", "service", "namespace"), True)]
    elif kind == "CustomResourceDefinition" and group == "apiextensions.k8s.io":
        paths = [(("spec", "conversion", "webhook", "clientConfig", "service", "namespace"), False)]
    else:
        paths = []
    for path, create in paths:
        for holder in fieldspecs.holders(root, path, create=create):
            changed |= fieldspecs.set_text(holder, path[-1], namespace, source)
    return changed


def _several_kustomizations(directory: Path, result: Build) -> bool:
    """Whether ``directory`` holds more than one kustomization file, which kustomize refuses
    ("Found multiple kustomization files"); reported at the first."""
    names = list(kustomization_names(directory))
    if len(names) < 2:
        return False
    listed = ", ".join(names)
    message = f"{display_path(directory)} holds several kustomization files ({listed}); kustomize refuses the directory"
    first = display_path(directory / names[0])
    result.findings.append(builtin_finding("kustomize-invalid", message, Location(first, 1, 1)))
    return True


def _touches_metadata(ops: yaml.Node) -> bool:
    """Whether JSON patch operations write ``metadata`` itself or its labels or annotations."""
    for op in ops.value if isinstance(ops, yaml.SequenceNode) else []:
        path = nodes.get(op, "path")
        text = path.value if isinstance(path, yaml.ScalarNode) else ""
        if text in ("", "/metadata") or text.startswith(("/metadata/labels", "/metadata/annotations")):
            return True
    return False


def _unmodelled_metadata(node: yaml.Node) -> str | None:
    """What a JSON patch made of ``metadata.labels``/``annotations`` that is not a map of strings
    (kustomize drops a string, turns a list into a map, stringifies annotation values), or None."""
    meta = nodes.get(node, "metadata")
    for name in ("labels", "annotations"):
        value = nodes.get(meta, name) if isinstance(meta, yaml.MappingNode) else None
        if value is None:
            continue
        if not isinstance(value, yaml.MappingNode):
            return f"metadata.{name} not a map"
        data = to_data(value)
        if any(not isinstance(v, str) for v in (data or {}).values()):
            return f"metadata.{name} with a value that is not a string"
    return None


class SourceFiles:
    """Every file the assembly reads, parsed once; parse findings are reported once per file."""

    def __init__(self, boundary: Path) -> None:
        self.boundary = real(boundary)
        self._parsed: dict[Path, ParsedFile] = {}  # released once an application is checked
        self._claimed: set[Path] = set()
        self._news: list[Path] = []  # parsed since newly_parsed() was last asked

    def take(self, path: Path) -> ParsedFile:
        """A file whose objects a build will transform in place: the cached parse the first time,
        a fresh one (same text, untouched nodes) for every later build that includes the file."""
        key = real(path)
        if key in self._claimed:
            return parse_file(path, display_path(path))
        self._claimed.add(key)
        return self.get(path)

    def get(self, path: Path) -> ParsedFile:
        key = real(path)
        parsed = self._parsed.get(key)
        if parsed is None:
            parsed = parse_file(path, display_path(path))
            self._parsed[key] = parsed
            self._news.append(key)
        return parsed

    def cached(self, path: Path) -> ParsedFile | None:
        """The parse :meth:`get` holds for ``path`` (resolved), None when it holds none."""
        return self._parsed.get(path)

    def release(self) -> None:
        """Forget every parse (a build transforms the nodes it takes in place, so no later build
        reads them; a later :meth:`get` parses the file again, a kustomization several
        applications include once per application). Called once an application is checked, so
        memory holds one application's files, not the repository's."""
        assert not self._news, "parse findings are accounted for before a release"
        self._parsed = {}

    def __len__(self) -> int:
        """Files held parsed."""
        return len(self._parsed)

    def newly_parsed(self) -> list[tuple[Path, ParsedFile]]:
        """(resolved path, parsed file) of the files parsed since the last call."""
        news, self._news = self._news, []
        return [(key, self._parsed[key]) for key in news]

    def inside(self, path: Path) -> bool:
        return is_within(real(path), self.boundary)


@dataclass
class Build:
    """Result of building one kustomization directory."""

    resources: list[Resource] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    used: set[Path] = field(default_factory=set)
    missing: set[Path] = field(default_factory=set)  # paths named but absent (a deleted file is a cause)
    helm_values: list[Document] = field(default_factory=list)
    remote: bool = False  # a remote resource is referenced (never fetched, by us or by kubectl)
    charts: list[Path | None] = field(default_factory=list)  # each helmCharts entry's directory, if local
    # (kustomization, field, index) of patches that matched nothing while a chart was unrendered:
    # they may patch the chart's output, so the staged copy leaves them out with the chart
    chart_patches: set[tuple[Path, str, int]] = field(default_factory=set)
    # what a kustomization writes that the rendered objects may not hold, with nodes of their own:
    # generated objects as they stood before a later generator merged into or replaced them, and
    # objects written as inline patches (what they patch may be remote, or lose the value later)
    as_written: list[Resource] = field(default_factory=list)
    # (shown path, comments, properties) of the patches written inline: their margins are the
    # kustomization's (its own are read with the file; torghut_lint.margins)
    margins: list[tuple[str, str, str]] = field(default_factory=list)
    # the built kustomization's sortOptions, accepted (see order.problem); a nested build's are not read
    sort_options: dict | None = None

    @property
    def helm(self) -> bool:
        """A helmCharts entry is used (kubectl renders a staged copy)."""
        return bool(self.charts)

    @property
    def unrendered(self) -> bool:
        """Helm charts or remote resources: some objects are not visible to the built-in build."""
        return self.remote or self.helm

    def absorb(self, other: Build) -> None:
        """What a nested build contributes besides its resources (accumulated separately)."""
        self.findings.extend(other.findings)
        self.used |= other.used
        self.missing |= other.missing
        self.helm_values.extend(other.helm_values)
        self.remote |= other.remote
        self.charts += other.charts
        self.chart_patches |= other.chart_patches
        self.as_written += other.as_written
        self.margins += other.margins


_PATCH_REFUSED = "kustomize refuses the patch"


MAX_INCLUDE_DEPTH = 100  # kustomizations nested deeper than this are reported, not followed

# (the resolved directory a kustomization file is read from, the file resolved) -> the resolved
# directories it lists: what :meth:`Builder.referenced_dirs` answers, which depends on nothing else
Edges = dict[tuple[str, str], tuple[str, ...]]


@dataclass
class _Kept:
    """A nested kustomization's build, kept for the other applications that include it: what it
    built, the steps its build charged, how many kustomizations deep it nests (itself one), the
    directories below it it included or tried to (resolved, as text), and, when it met the include
    limit, the depth it was built at. A build that met a cycle closing above it (on its includer's
    part of the stack) is not kept, nor one below which its application reaches a directory by
    another path too (a diamond: the build keeps that directory for the other path, a copy
    charged, without its findings, or is handed one made before it, cheaper than a build); a
    cycle within it is the same whoever includes it."""

    build: Build
    steps: float
    depth: int
    below: frozenset[str]
    at: int | None  # the stack's length it was built below, when the include limit cut it

    def fits(self, stack: tuple[Path, ...], shared: set[str]) -> bool:
        """Whether building it below ``stack`` would build the same, and charge as much without
        running out: no directory below it is on ``stack`` (that would close a cycle elsewhere;
        its own never is, that include being refused as a cycle), none is one the application
        reaches by another path too (``shared``: the build would keep it for that other path, a
        copy without findings), the include limit cuts it where it did (at the same depth) or
        nowhere (its deepest include stays within MAX_INCLUDE_DEPTH), and the budget has its steps
        left (else it is built, and runs out where it does)."""
        within = len(stack) == self.at if self.at is not None else len(stack) + self.depth <= MAX_INCLUDE_DEPTH
        return (
            within
            and work.left() >= self.steps
            and not any(str(d) in self.below for d in stack)
            and not (self.below & shared)
        )


class Builder:
    """Builds kustomization directories into resources (recursively, cycle-safe).

    Each directory is built once per build of an application: a directory several kustomizations
    include (a diamond) is built the first time and handed out as a copy afterwards, so diamond
    shaped includes cost time linear in the tree, not one build per path through it. Across the
    applications of a tree, a kustomization several others include (a base a hundred overlays
    share) is built once too: the next application gets a copy of it, and is charged the steps
    building it took, so that each application's budget runs out exactly where it would have
    (:class:`_Kept`). It is held only while a kustomization that lists it may still be built (the
    plan's edges count them), and the last of them gets it, not a copy."""

    def __init__(self, sources: SourceFiles, edges: Edges | None = None) -> None:
        self.sources = sources
        self.edges = edges or {}  # what the plan's survey found each kustomization file to list
        self._shared: set[str] = set()  # directories (resolved) included more than once from the current root
        self._done: dict[Path, Build] = {}  # pristine results of shared directories
        listed = Counter(child for children in self.edges.values() for child in children)
        # kept across applications: what several kustomizations list, for as many more times as they do
        self._uses = {directory: times for directory, times in listed.items() if times > 1}
        self._kept: dict[Path, _Kept] = {}
        self._deepest = 0  # the longest stack of kustomizations the current nested build reached
        self._cycle_at = math.inf  # the lowest stack position a cycle closed at, in the current nested build
        self._too_deep = 0  # includes the include limit refused
        self._tried: list[str] = []  # the directories included (or refused) since the application began

    def build(self, directory: Path, stack: tuple[Path, ...] = ()) -> Build:
        """The resources (and findings) of the kustomization in ``directory``; ``stack``: the
        directories including it, none for an application, whose build gets a budget of work
        (:mod:`work`): one that runs out renders nothing (its finding blocks)."""
        if stack:
            return self._build(directory, stack)
        with work.budget():
            result = self._build(directory, stack)
            spent = work.spent()
        if spent:
            result.resources, result.as_written = [], []
            result.used |= self._named_below(directory)
        else:  # (once per object, outside the budget: its lookups are no transformer's multiplied work)
            finalize(result)
        return result

    def _build(self, directory: Path, stack: tuple[Path, ...]) -> Build:
        key = real(directory)
        uses = self._uses.get(str(key), 0) - 1 if stack else 0  # the times it may be asked for after this one
        if uses >= 0:
            self._uses[str(key)] = uses
        kept = self._kept.pop(key, None) if uses == 0 else self._kept.get(key)  # (never held past its last use)
        if not stack:
            self._shared = self._included_twice(directory)
            self._done, self._tried = {}, []
        elif key in self._done:
            return _copy_build(self._done[key])
        elif kept is not None and kept.fits(stack, self._shared):
            work.charge(kept.steps)
            # what building it would have told an enclosing build that may be kept in turn
            self._tried += kept.below
            self._deepest = max(self._deepest, len(stack) + kept.depth)
            self._too_deep += kept.at is not None
            # the last time it is asked for: the kept build itself (no second copy in memory)
            result = _copy_build(kept.build, whole=True) if uses > 0 else kept.build
            if str(key) in self._shared:
                self._done[key] = _copy_build(result)
            return result
        keep = uses > 0
        if keep:
            left, deepest, self._deepest = work.left(), self._deepest, len(stack)
            tried_before = len(self._tried)
            cycle_at, self._cycle_at, too_deep = self._cycle_at, math.inf, self._too_deep
        result = Build()
        kfile = find_kustomization(directory)
        if kfile is None or _several_kustomizations(directory, result):
            return result
        result.used.add(real(kfile))
        parsed = self.sources.get(kfile)
        result.as_written += as_written(parsed, kfile)
        doc = kustomization_doc(parsed, kfile, result)
        if doc is None or refused_header(doc, result):
            return result
        k = _Kustomization(self, kfile, doc, result, stack + (key,))
        try:
            k.run()
        except OSError as exc:  # the filesystem refused a path no handler expected to probe
            k.report("kustomize-render-failed", f"cannot read a referenced path: {exc.strerror or type(exc).__name__}")
        if keep:
            below = frozenset(self._tried[tried_before:]) - {str(key)}  # (itself, tried again by a cycle within)
            if (
                not work.spent()
                and self._cycle_at >= len(stack)  # (its own position: a cycle back to it is within it)
                and not below & self._shared  # (a diamond of its application's: a copy kept or handed out)
            ):
                at = len(stack) if self._too_deep != too_deep else None
                steps = left - work.left()
                self._kept[key] = _Kept(_copy_build(result, whole=True), steps, self._deepest - len(stack), below, at)
            self._deepest, self._cycle_at = max(deepest, self._deepest), min(cycle_at, self._cycle_at)
        if str(key) in self._shared and not work.spent():
            self._done[key] = _copy_build(result)
        return result

    def _included_twice(self, root: Path) -> set[str]:
        """Directories (resolved, as text) reached by more than one include edge below ``root``
        (cheap: reads the kustomization files only)."""
        return self._reach(root)[1]

    def _named_below(self, root: Path) -> set[Path]:
        """What an application that ran out of its budget would have read, reached or not before it
        ran out: every kustomization it includes, at any depth, and every file one of them names
        (any text in it that is the path of a file, or is after the ``=`` of a generator's
        ``key=path``). They are its own: none is an orphan, none an application of its own (each
        was once built again, with a budget of its own, and ran out again)."""
        named: set[Path] = set()
        for directory in self._reach(root)[0]:
            kfile = find_kustomization(directory)
            if kfile is None:
                continue
            named.add(real(kfile))
            for doc in self.sources.get(kfile).documents:
                for _, _, text in walk_strings(doc.data):
                    if len(text) >= 4096 or "\n" in text:
                        continue  # no path
                    for candidate in {text, text.partition("=")[2]} - {""}:
                        try:
                            target = real_text(os.path.join(directory, candidate))
                            if is_file(target) and is_within(target, self.sources.boundary):
                                named.add(Path(target))
                        except (OSError, ValueError):
                            continue  # no path at all (a NUL byte, too long)
        return named

    def _reach(self, root: Path) -> tuple[set[str], set[str]]:
        """The directories (resolved, as text) ``root``'s kustomization includes, at any depth
        (``root`` too), and those reached by more than one include edge."""
        seen: set[str] = {real_text(root)}
        twice: set[str] = set()
        todo = [real_text(root)]
        while todo:
            directory = todo.pop()
            kfile = find_kustomization(directory)
            if kfile is None:
                continue
            children = self.edges.get((directory, real_text(kfile)))
            for child in self.referenced_dirs(kfile) if children is None else children:
                if child in seen:
                    twice.add(child)
                else:
                    seen.add(child)
                    todo.append(child)
        return seen, twice

    def referenced_dirs(self, kfile: Path, files: set[str] | None = None) -> set[str]:
        """Directories a kustomization lists (cheap pre-pass to find top-level apps); the files
        it lists are added to ``files`` when given. Resolved paths, as text: compared, never
        opened (a kustomization lists many, and every build of a tree asks again)."""
        parsed = self.sources.get(kfile)
        base = str(kfile.parent)
        out: set[str] = set()
        for doc in parsed.documents:
            if isinstance(doc.data, dict):
                for key in ("resources", "bases", "components"):
                    entries = doc.data.get(key)
                    for entry in entries if isinstance(entries, list) else []:
                        if isinstance(entry, str) and not REMOTE.match(entry):
                            try:
                                target = real_text(os.path.join(base, entry))
                                if is_dir(target):
                                    out.add(target)
                                elif files is not None:
                                    files.add(target)
                            except (OSError, ValueError):
                                continue  # reported by the build itself
        return out


def as_written(parsed: ParsedFile, kfile: Path) -> list[Resource]:
    """A kustomization's (or component's) own documents as written: build input, never objects,
    whose values are in the repository all the same (an annotation of its ``metadata``, a patch's
    target selector, an image's tag no object takes). Read for what sits in the repository: a
    value the build renders is reported where the rendered object holds it, once
    (``check._written_findings``). A patch written inline is read as written where it is parsed
    (its objects, its operations' values): its text is left out here, in its place."""
    return [
        Resource(doc.node, _without_patch_texts(doc.data), origin_name=kfile.name)
        for doc in parsed.documents
        if isinstance(doc.data, dict)
    ]


def _without_patch_texts(data: dict) -> dict:
    """``data`` (a kustomization's) with each patch written inline an empty text, in its place."""
    out = dict(data)
    for key in ("patches", "patchesJson6902"):
        if isinstance(entries := out.get(key), list):
            out[key] = [{**e, "patch": ""} if isinstance(e, dict) and "patch" in e else e for e in entries]
    if isinstance(entries := out.get("patchesStrategicMerge"), list):
        # (objects written inline, a compact JSON one too: a text with a line break or a colon)
        out["patchesStrategicMerge"] = ["" if isinstance(e, str) and ("\n" in e or ":" in e) else e for e in entries]
    return out


def _copy_build(build: Build, whole: bool = False) -> Build:
    """An independent copy of a build's resources (they are transformed in place later), charged
    to the budget. Its findings and Helm values are not copied: they were reported with the first
    build, and copying them through every level of a diamond would double them per level.
    ``whole``: a build kept for another application (:class:`_Kept`), uncharged (the steps of
    building it are), findings, Helm values, objects as written and margins included."""
    out = Build(used=set(build.used), missing=set(build.missing), remote=build.remote, charts=list(build.charts))
    out.chart_patches = set(build.chart_patches)
    if whole:
        out.findings = [dataclasses.replace(finding) for finding in build.findings]
        out.margins = list(build.margins)
        out.helm_values, out.as_written = (
            list(build.helm_values),
            [dataclasses.replace(res, node=nodes.copy(res.node)) for res in build.as_written],
        )
    memo: dict[int, yaml.Node] = {}
    for res in build.resources:
        copied_before = len(memo)
        node = nodes.copy(res.node, memo)
        if not whole:  # each node copied, a diamond n levels deep 2^n times over: memory, not a pass
            work.charge(work.COPY_STEPS * (len(memo) - copied_before))
        copied = Resource(  # (its values as the original has them: built from the nodes in finalize)
            node, res.data, origin_name=res.origin_name, origin_namespace=res.origin_namespace, hash_type=res.hash_type
        )
        copied.history, copied.prefixes, copied.suffixes = res.history, res.prefixes, res.suffixes
        out.resources.append(copied)
    return out


def finalize(build: Build) -> None:
    """What kustomize does once the whole build is transformed: generated objects get their
    content hash appended to their (prefixed, suffixed) names, references follow renames, an
    empty ``metadata.annotations`` goes. Then every resource's values are built from its nodes,
    once: during the build only nodes are read and written, so values can never lag them."""
    unprinted: set[int] = set()  # resources told of already: one such finding each
    for res in build.resources:
        if not res.hash_type:
            continue
        if (odd := as_printed(res.node)) is not None:  # kustomize hashes the text it printed
            build.findings.append(unprinted_finding(res, odd))
            unprinted.add(id(res))
        kind = ident(res.node)[1]
        values, binary = (_text_map(nodes.get(res.node, field)) for field in ("data", "binaryData"))
        meta = nodes.get(res.node, "metadata")
        name_node = nodes.get(meta, "name")
        if isinstance(name_node, yaml.ScalarNode):
            namerefs.remember(res)
            nodes.set_text(
                meta, "name", f"{name_node.value}-{content_hash(kind, values, res.hash_type, binary)}", name_node
            )
    for refused in namerefs.fix_references(build.resources):
        build.findings.append(builtin_finding("kustomize-invalid", str(refused), Location.of(refused.node)))
    is_local = {id(res) for res in build.resources if local_config(res.node)}
    remaining = [res for res in build.resources if id(res) not in is_local] if is_local else build.resources
    # two objects of one id: kustomize's sort rebuilds its list of objects first, local ones
    # included; under fifo only its last step's rebuild does, of the objects it keeps
    fifo = (build.sort_options or {}).get("order") == "fifo"
    build.findings += _ids_taken_twice(remaining if fifo else build.resources)
    # that last step (IgnoreLocal) leaves local objects out by id: one with a kept object's stays
    kept_ids = {_id_key(res) for res in remaining} if is_local else set()
    local = [res for res in build.resources if id(res) in is_local and _id_key(res) not in kept_ids]
    gone = {id(res) for res in local}
    build.resources = [res for res in build.resources if id(res) not in gone]
    kept = []
    for res in build.resources + local:
        meta = nodes.get(res.node, "metadata")
        # kustomize clears its own bookkeeping from the annotations it reads as a map (a scalar or
        # an empty list as none: written back as none), and fails on a list of anything
        annotations = nodes.get(meta, "annotations")
        if isinstance(annotations, yaml.MappingNode):
            build.findings += bookkeeping(annotations, res)
        if isinstance(annotations, yaml.SequenceNode) and annotations.value:
            build.findings.append(listed_annotations(annotations))
        elif annotations is not None and (not isinstance(annotations, yaml.MappingNode) or not annotations.value):
            nodes.remove(meta, "annotations")
        elif isinstance(annotations, yaml.MappingNode):
            build.findings += keys_refused((k for k, _ in annotations.value), "annotation", ANNOTATIONS_BACK)
            annotations_as_written(annotations)
        try:
            printing: list[tuple[yaml.Node, str, str]] = []  # as kustomize writes it out: see as_printed
            not_json: list[tuple[yaml.ScalarNode, bool]] = []  # what it cannot write out to JSON
            odd: list[tuple[yaml.ScalarNode, bool]] = []  # a key "<<" it wrote: read back as a merge key
            res.data = to_data(res.node, not_json=not_json, printing=printing, odd_merges=odd)
            if id(res) not in gone:  # (a local object is never written out)
                build.findings += marshal_refusals(res.node, not_json, odd)
            if printing and id(res) not in unprinted:
                build.findings.append(unprinted_finding(res, printing[0]))
        except TooComplex as exc:
            message = f"{res.id} not linted: once patched it has {exc}"
            build.findings.append(builtin_finding("yaml-too-complex", message, Location.of(res.node)))
            continue
        if isinstance(res.data.get("metadata"), dict) and read_as_text(res.data["metadata"].get("name")):
            build.findings.append(not_a_name(nodes.get(meta, "name")))
            gone.add(id(res))  # as a document whose name is not one is: not linted as an object
        kept.append(res)
    build.resources = [res for res in kept if id(res) not in gone]
    build.as_written += [res for res in kept if id(res) in gone]


def _id_key(res: Resource) -> tuple[str, str, str, str]:
    """An object's id as kustomize compares ids: apiVersion, kind, namespace (none is
    ``default``, a cluster-scoped kind's is none), name."""
    api, kind, namespace, name = ident(res.node)
    return api, kind, namerefs.effective_namespace(api, kind, namespace), name


def _ids_taken_twice(resources: list[Resource]) -> list[Finding]:
    """Objects the build leaves with one id (apiVersion, kind, namespace, name: a patch or a
    replacement that renamed one into another's): kustomize's last step rebuilds its list of
    objects from them and crashes on the second (a Go panic, "may not add resource with an already
    registered id"). A base's are refused by the kustomization that includes it, as it accumulates
    them (:meth:`_Kustomization.accumulate`)."""
    seen: set[tuple[str, str, str, str]] = set()
    found = []
    for res in resources:
        key = _id_key(res)
        api, kind, _, name = key
        if key in seen:
            message = f"the build leaves two {kind} objects {shown(name)} ({api}) with one id; kustomize crashes on it"
            found.append(builtin_finding("kustomize-invalid", message, Location.of(res.node)))
        seen.add(key)
    return found


class _Kustomization:
    """One kustomization file being applied."""

    def __init__(self, builder: Builder, kfile: Path, doc: Document, result: Build, stack: tuple[Path, ...]):
        self.builder = builder
        self.kfile = kfile
        self.dir = kfile.parent
        self.real_dir = os.path.join(str(real(self.dir)), "")  # with a trailing separator: a prefix test
        self.node = doc.node
        result.findings += as_configured(doc.node)
        # read as kustomize reads it (YAML 1.1): `namespace: on` is a boolean there, and refused
        self.spec = to_data(as_yaml11(doc.node))
        self.result = result
        self.stack = stack
        builder._deepest = max(builder._deepest, len(stack))
        self.display = display_path(kfile)
        self.ids: set[tuple[str, str, str, str]] = set()  # identities accumulated from resources
        self.bad_entries: set[tuple] = set()  # (field, index) of list entries of the wrong shape

    def where(self, *path: str | int) -> Location:
        from torghut_lint.model import find_node

        return Location.of(find_node(self.node, path))

    def report(self, rule: str, message: str, *path: str | int) -> Finding:
        """A finding at a field (or list entry) of this kustomization, identified by the field and
        the entry's content (not its index: inserting an entry before it changes nothing)."""
        finding = builtin_finding(rule, message, self.where(*path))
        if path:
            finding.key = str(path[0])
            finding.digest = digest_of(value_at(self.spec, path[:2]), structural=True)
        self.result.findings.append(finding)
        return finding

    def look_up_all(self) -> None:
        """Count a lookup among every resource so far (a patch's target, a generator's object)
        against the build's budget of work."""
        work.charge(len(self.result.resources) * work.IDENTITY_STEPS)

    def entries(self, key: str) -> list[tuple[int, object]]:
        """(index, entry) of a list field, without the entries :meth:`check_shape` refused."""
        value = self.spec.get(key)
        if not isinstance(value, list):
            return []
        return [(i, entry) for i, entry in enumerate(value) if (key, i) not in self.bad_entries]

    def check_sort_options(self) -> None:
        """``sortOptions`` as kustomize validates it when it sorts the output (a base's are never
        read, so never refused); an accepted one is the order ``render`` prints the objects in."""
        options = self.spec.get("sortOptions")
        refused = order.problem(options)
        if refused is None:
            self.result.sort_options = options
            return
        field, message = refused
        at = ("sortOptions", field) if field in options else ("sortOptions",)
        self.report("kustomize-invalid", f"{message}; kustomize refuses this", *at)

    def check_shape(self) -> None:
        """Report fields and list entries whose shape kustomize refuses, and leave them out: a
        bad field is dropped, a bad list entry is skipped by :meth:`entries`."""
        bad: set[str] = set()
        errors = compiled(KUSTOMIZATION_SHAPE).iter_errors(self.spec)
        for error in (inner for e in errors for inner in innermost(e)):
            path = tuple(error.absolute_path)
            if not path or path[0] in bad or path[:2] in self.bad_entries:
                continue
            if len(path) >= 2 and isinstance(path[1], int):
                self.bad_entries.add(path[:2])
            else:
                bad.add(path[0])
            self.report("kustomize-invalid", f"{dotted(path)} {expected_shape(error)}; kustomize refuses this", *path)
        self.spec = {k: v for k, v in self.spec.items() if k not in bad}
        for path in unmodelled_keys(KUSTOMIZATION_SHAPE, self.spec, ()):
            # top-level fields are reported by run(); a chart is rendered by helm or reported not rendered
            if len(path) > 1 and path[:2] not in self.bad_entries and path[0] != "helmCharts":
                self.report(
                    "kustomize-unsupported",
                    f"{dotted(path)} is not a field the built-in renderer models (kustomize refuses an unknown "
                    "field, or applies one the gate would not see); use --render kubectl for exact output",
                    *path,
                )

    def run(self) -> None:
        self.check_shape()
        if len(self.stack) == 1:  # the kustomization built, whose sortOptions kustomize reads
            self.check_sort_options()
        for key, value in self.spec.items():
            if key in UNMODELLED_LISTS and (value is None or value == []):
                continue  # kustomize walks an empty list of them: nothing the gate does not see
            if key not in FEATURE_FIELDS:
                what = (
                    "plugins are never executed"
                    if key in ("transformers", "generators", "validators")
                    else "not modelled by the built-in renderer (kustomize deprecates them for replacements, "
                    "which it models)"
                    if key == "vars"
                    else "not modelled by the built-in renderer"
                )
                finding = self.report(
                    "kustomize-unsupported", f"'{key}' {what}; use --render kubectl for exact output", key
                )
                if named := self.mark_named_files(key):  # what they configure is what is not rendered
                    identified_by(finding, named)
        steps = {
            "resources": self.add_resources,
            "components": self.add_resources,
            "generators": self.generate,
            "helm": lambda _: self.helm(),
            "patches": lambda _: self.apply_patches(),
            "transformers": lambda _: self.transform(),
        }
        done: set[str] = set()
        for feature in FEATURES:  # each step once, in table order, for the fields it owns
            if feature.step in steps and feature.step not in done:
                done.add(feature.step)
                fields = [f.field for f in FEATURES if f.step == feature.step]
                try:
                    steps[feature.step](fields)
                except work.TooMuchWork as exc:  # reported where it ran out (once: a nested build may have)
                    if not any(f.rule == "kustomize-too-complex" for f in self.result.findings):
                        field = next((f for f in fields if f in self.spec), None)
                        at = (field,) if field else ()
                        finding = self.report("kustomize-too-complex", f"the application is not rendered: {exc}", *at)
                        # what is not rendered is the application: an edit in it is a new finding
                        root = Path(self.stack[0]) if self.stack else self.dir  # (the application's directory)
                        identified_by(finding, [root])
                    return

    def add_resources(self, fields: list[str]) -> None:
        for key in fields:
            for i, entry in self.entries(key):
                self.add_resource(key, i, entry)

    # -- resources ---------------------------------------------------------------------------
    def add_resource(self, key: str, index: int, entry: object) -> None:
        if not isinstance(entry, str):
            self.report("kustomize-missing-resource", f"{key}[{index}] is not a path", key, index)
            return
        if REMOTE.match(entry):
            self.result.remote = True
            self.report(
                "kustomize-remote-resource", f"remote resource {shown(entry)} is not fetched or linted", key, index
            )
            return
        try:
            self.add_path(key, index, entry)
        except (OSError, ValueError) as exc:  # over-long names, NUL bytes, permissions
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
            self.report("kustomize-missing-resource", f"{shown(entry)} cannot be read: {reason}", key, index)

    def add_path(self, key: str, index: int, entry: str) -> None:
        target = self.dir / entry
        if not self.builder.sources.inside(target):
            self.report("kustomize-outside-root", f"{shown(entry)} is outside the repository; not followed", key, index)
            return
        if not exists(target):
            self.result.missing.add(real(target))
            self.report("kustomize-missing-resource", f"{shown(entry)} does not exist", key, index)
            return
        if is_dir(target):
            self.builder._tried.append(str(real(target)))
            if real(target) in self.stack:
                self.builder._cycle_at = min(self.builder._cycle_at, self.stack.index(real(target)))
                self.report("kustomize-cycle", f"{shown(entry)} includes this kustomization again", key, index)
                return
            if find_kustomization(target) is None:
                self.report(
                    "kustomize-missing-resource", f"directory {shown(entry)} has no kustomization.yaml", key, index
                )
                return
            if len(self.stack) >= MAX_INCLUDE_DEPTH:
                self.builder._too_deep += 1
                self.report(
                    "kustomize-invalid",
                    f"{shown(entry)} nests kustomizations deeper than {MAX_INCLUDE_DEPTH} levels; not followed",
                    key,
                    index,
                )
                return
            kind = _kustomization_kind(self.builder.sources, target)
            if (kind == "Component") != (key == "components"):
                want = "a Component" if key == "components" else "a Kustomization, not a Component"
                self.report("kustomize-invalid", f"{shown(entry)} must be {want}; kustomize refuses it", key, index)
                return
            if key == "components":
                self.apply_component(target)
                return
            child = self.builder.build(target, self.stack)
            if work.spent():  # told where it ran out; its resources are half transformed
                self.result.absorb(child)
                work.check()
            self.accumulate(child.resources, key, index)
            self.result.absorb(child)
            return
        self.result.used.add(real(target))
        self.restricted(target, entry, (key, index))
        taken = self.builder.sources.take(target)
        self.result.findings += split_findings(taken, "kustomize-invalid", "kustomize")
        if target.suffix == ".json" and taken.documents and (refused := json_slash(target, "kustomize-invalid")):
            self.result.findings.append(refused)
            return
        self.accumulate(resources_of(taken, self.result.findings, kustomize=True), key, index)

    def apply_component(self, directory: Path) -> None:
        """A Component works on this kustomization's resources, not on its own: its resources and
        generated objects join ours, and its patches and transformers apply to everything
        accumulated so far (kustomize's order: resources, then components, then our own
        generators and transformers)."""
        kfile = find_kustomization(directory)
        self.result.used.add(real(kfile))
        parsed = self.builder.sources.get(kfile)
        self.result.as_written += as_written(parsed, kfile)
        doc = kustomization_doc(parsed, kfile, self.result)
        if doc is None or refused_header(doc, self.result):
            return
        component = _Kustomization(self.builder, kfile, doc, self.result, self.stack + (real(directory),))
        component.ids = self.ids
        component.run()

    def accumulate(self, resources: list[Resource], key: str, index: int) -> None:
        """Add resources, refusing an identity already present, as kustomize does ("may not add
        resource with an already registered id"; no namespace and ``default`` are one to it): the
        build fails there, so it is an error."""
        have = self.ids
        for res in resources:
            found = _id_key(res)
            if found in have:
                api, kind, ns, name = ident(res.node)
                self.report(
                    "kustomize-invalid",
                    f"{kind} {ns + '/' if ns else ''}{name} ({api}) is already included; kustomize refuses the build",
                    key,
                    index,
                )
                continue
            have.add(found)
            self.result.resources.append(res)

    def mark_named_files(self, key: str) -> list[Path]:
        """The files an unmodelled field names (a transformer's or generator's configuration,
        ``configurations``, ``crds``, ``openapi.path``) are the kustomization's, not orphans: the
        field itself is already a blocking finding, a warning per file would say it again wrongly.
        Returns them (their content is the finding's identity)."""
        value = self.spec.get(key)
        named = [value.get("path")] if key == "openapi" and isinstance(value, dict) else value
        found: list[Path] = []
        for entry in named if isinstance(named, list) else ():
            if isinstance(entry, str) and not REMOTE.match(entry):
                try:
                    path = self.dir / entry
                    if is_file(path) and self.builder.sources.inside(path):
                        self.result.used.add(real(path))
                        found.append(path)
                except (OSError, ValueError):  # a name the filesystem refuses: nothing to mark
                    continue
        return found

    def local_file(self, rel: str, what: str, location: Location) -> Path | None:
        """A file the kustomization names, inside the repository, marked as used; or a finding."""
        path = self.dir / rel
        try:
            problem = None if is_file(path) and self.builder.sources.inside(path) else "does not exist"
        except (OSError, ValueError) as exc:  # a name too long for the filesystem, a NUL byte
            problem = f"cannot be read: {exc.strerror if isinstance(exc, OSError) else type(exc).__name__}"
        if problem:
            self.result.missing.add(real(path))
            self.result.findings.append(
                builtin_finding("kustomize-missing-resource", f"{what} {shown(rel)} {problem}", location)
            )
            return None
        self.result.used.add(real(path))
        self.restricted(path, rel, location)
        return path

    def restricted(self, path: Path, rel: str, location: Location | tuple[str, int]) -> None:
        """Report a file outside this kustomization's directory (symlinks resolved), which
        kustomize's default load restrictor refuses; it is still read, so where the rule is turned
        off (Argo CD running LoadRestrictionsNone) the rendering is that build's. ``location`` is
        where to report it, or the (field, index) of the entry naming it (located only then)."""
        if not real_text(path).startswith(self.real_dir):
            if isinstance(location, tuple):
                location = self.where(*location)
            message = (
                f"{shown(rel)} is outside this kustomization's directory; kustomize's default load restrictor "
                "refuses to load it (directories may be referenced, files may not)"
            )
            self.result.findings.append(builtin_finding("kustomize-load-restricted", message, location))

    # -- generators --------------------------------------------------------------------------
    def generate(self, fields: list[str]) -> None:
        for key in fields:
            self.generate_one(key, "Secret" if key == "secretGenerator" else "ConfigMap")

    def generate_one(self, key: str, kind: str) -> None:
        """configMapGenerator/secretGenerator: a new object (``behavior: create``), or data merged
        into / replacing the one of the same name from the resources (``merge``/``replace``). The
        name hash is appended when the whole build is done (:func:`finalize`), after prefixes and
        suffixes, as kustomize does; Secrets carry base64 ``data`` as kustomize renders them."""
        options = self.spec.get("generatorOptions") if isinstance(self.spec.get("generatorOptions"), dict) else {}
        for i, gen in self.entries(key):
            if not isinstance(gen, dict) or not isinstance(gen.get("name"), str) or not gen["name"]:
                self.report("kustomize-invalid", f"{key}[{i}] needs a name", key, i)
                continue
            # any text but merge and replace is kustomize's unspecified behavior, which creates
            behavior = gen.get("behavior") if gen.get("behavior") in ("merge", "replace") else "create"
            pairs = self.generator_data(key, i, gen)
            if pairs is None or self.refused_keys(key, kind, gen["name"], pairs):
                continue
            anchor = nodes.get(self.node, key).value[i]
            secret_type = str(gen.get("type") or "Opaque")
            encode = _base64 if kind == "Secret" else (lambda text: text)
            data_pairs = [(nodes.scalar(k, kn), generated_value(encode(v.value), v)) for k, kn, v in pairs]
            gen_options = gen.get("options") if isinstance(gen.get("options"), dict) else {}
            # the generator's labels and annotations before generatorOptions' (their keys it lacks
            # added); a switch is on where either turns it on (kustomize's MergeGlobalOptionsIntoLocal:
            # a local false cannot tell itself from an unset one)
            hashed = not (gen_options.get("disableNameSuffixHash") or options.get("disableNameSuffixHash"))
            immutable = bool(gen_options.get("immutable") or options.get("immutable"))
            metadata = {
                holder: _texts({**(options.get(holder) or {}), **(gen_options.get(holder) or {})})
                for holder in ("labels", "annotations")
            }
            if behavior != "create":
                made = _Make(secret_type, hashed, immutable, metadata)
                self.merge_generated(key, i, kind, gen, behavior, data_pairs, made)
                continue
            if self.generated_targets(kind, gen):
                message = f"{kind} {gen['name']} is in the resources already: behavior must be merge or replace"
                self.report("kustomize-invalid", f"{message}; kustomize refuses the build", key, i)
                continue
            meta = nodes.mapping([(nodes.scalar("name", anchor), nodes.scalar(gen["name"], anchor))], anchor)
            if gen.get("namespace"):
                meta.value.append((nodes.scalar("namespace", anchor), nodes.scalar(gen["namespace"], anchor)))
            for holder, values in metadata.items():
                if values:
                    items = [(nodes.scalar(k, anchor), nodes.scalar(v, anchor)) for k, v in values.items()]
                    meta.value.append((nodes.scalar(holder, anchor), nodes.mapping(items, anchor)))
                    if holder == "labels":
                        self.result.findings += keys_refused((k for k, _ in items), "label", LABEL_UNQUOTED)
            body = [(nodes.scalar("apiVersion", anchor), nodes.scalar("v1", anchor))]  # keys sorted, as kustomize
            if data_pairs or kind == "Secret":  # kustomize leaves out an empty ConfigMap's data map
                body.append((nodes.scalar("data", anchor), nodes.mapping(data_pairs, anchor)))
            if immutable:
                body.append((nodes.scalar("immutable", anchor), nodes.scalar("true", anchor, plain=True)))
            body.append((nodes.scalar("kind", anchor), nodes.scalar(kind, anchor)))
            body.append((nodes.scalar("metadata", anchor), meta))
            if kind == "Secret":
                body.append((nodes.scalar("type", anchor), nodes.scalar(secret_type, anchor)))
            node = nodes.mapping(body, anchor)
            self.accumulate(
                [
                    Resource(
                        node,
                        to_data(node),
                        origin_name=gen["name"],
                        origin_namespace=str(gen.get("namespace") or ""),
                        hash_type=secret_type if hashed else "",
                    )
                ],
                key,
                i,
            )

    def refused_keys(self, key: str, kind: str, name: str, pairs: list[tuple[str, yaml.Node, yaml.Node]]) -> bool:
        """Whether kustomize refuses the generator for its keys: one repeated, or one its YAML
        library reads back as a number, boolean, null or timestamp (``0``, ``true``, ``1_000``,
        ``2001-12-14``: the build fails); the finding is at the key."""
        seen: set[str] = set()
        for name_text, where, _ in pairs:
            if name_text in seen:
                message = f"{kind} {name} repeats the key {shown(name_text)}; kustomize refuses the build"
            elif not is_string(name_text):
                message = (
                    f"{kind} {name} key {shown(name_text)} is read back as a number, boolean, null or timestamp "
                    "by kustomize, which then refuses the build; use another key"
                )
            else:
                seen.add(name_text)
                continue
            self.result.findings.append(builtin_finding("kustomize-invalid", message, Location.of(where)))
            return True
        return False

    def merge_generated(
        self, key: str, i: int, kind: str, gen: dict, behavior: str, data_pairs: list, made: _Make
    ) -> None:
        """``behavior: merge|replace``: the data go into the object generated earlier, which takes
        this generator's make as kustomize gives it (measured against kubectl): a Secret's type
        (Opaque when unset), ``immutable`` as this generator says (the earlier one's goes), a
        name hash only when neither generator disabled it, and its labels and annotations over the
        earlier object's (``CopyMergeMetaDataFieldsFrom``: each map written anew in key order, an
        empty one removed)."""
        found = self.generated_targets(kind, gen)
        if len(found) != 1:
            problem = "is not in the resources" if not found else "is more than one of the resources"
            self.report("kustomize-invalid", f"{kind} {gen['name']} to {behavior} {problem}; kustomize refuses", key, i)
            return
        target = found[0]
        before = nodes.copy(target.node)
        self.result.as_written.append(
            Resource(before, to_data(before), origin_name=target.origin_name, origin_namespace=target.origin_namespace)
        )
        # kustomize's result is the generated object with the old one's metadata and data: any other
        # field of the old object (a Secret's stringData, a ConfigMap's binaryData on replace) goes
        kept = {"apiVersion", "kind", "metadata", "data"} | ({"binaryData"} if behavior == "merge" else set())
        target.node.value = [(k, v) for k, v in target.node.value if k.value in kept]
        holder = nodes.ensure_map(target.node, "data", target.node)
        if behavior == "replace":
            holder.value = []
        for key_node, value_node in data_pairs:
            nodes.put(holder, key_node.value, value_node, key_node)
        # a map left empty goes: a merge writes data and binaryData anew (SetDataMap), a replace
        # is the generated object, which has data only when a Secret or given some
        for held_key in ("data", "binaryData") if behavior == "merge" or kind == "ConfigMap" else ():
            held = nodes.get(target.node, held_key)
            if held is not None and not (isinstance(held, yaml.MappingNode) and held.value):
                nodes.remove(target.node, held_key)
        anchor = nodes.get(self.node, key).value[i]
        if kind == "Secret":
            nodes.set_text(target.node, "type", made.secret_type, anchor)
        nodes.remove(target.node, "immutable")
        if made.immutable:
            nodes.put(target.node, "immutable", nodes.scalar("true", anchor, plain=True), anchor)
        target.hash_type = made.secret_type if made.hashed and target.hash_type else ""
        meta = nodes.ensure_map(target.node, "metadata", anchor)
        for holder, values in made.metadata.items():
            # kustomize sets them anew (CopyMergeMetaDataFieldsFrom): each value as its text (a map
            # or a list as ""), every key written again unquoted
            old = nodes.get(meta, holder)
            if isinstance(old, yaml.SequenceNode):
                message = (
                    f"{target.id}'s metadata.{holder} is a list, which kustomize reads as a map in a way not modelled"
                )
                self.report("kustomize-unsupported", f"{message}; use --render kubectl for exact output", key, i)
                return
            pairs = {
                k.value: (k, nodes.scalar(v.value if isinstance(v, yaml.ScalarNode) else "", v))
                for k, v in (old.value if isinstance(old, yaml.MappingNode) else ())
            }
            pairs.update({k: (nodes.scalar(k, anchor), nodes.scalar(v, anchor)) for k, v in values.items()})
            if holder == "labels":
                self.result.findings += keys_refused((k for k, _ in pairs.values()), "label", LABEL_UNQUOTED)
            if not pairs:
                nodes.remove(meta, holder)
            elif isinstance(old, yaml.MappingNode):
                old.value = [pairs[k] for k in sorted(pairs)]
            else:
                nodes.put(meta, holder, nodes.mapping([pairs[k] for k in sorted(pairs)], anchor), anchor)

    def generated_targets(self, kind: str, gen: dict) -> list[Resource]:
        """The resources a generator's object would be: by any id they have had, in its namespace
        (unset is "default"), as kustomize looks them up before it creates, merges or replaces."""
        want = ("v1", kind, str(gen.get("namespace") or ""), gen["name"])
        self.look_up_all()
        return [r for r in self.result.resources if _known_as(r, want)]

    def generator_data(self, key: str, i: int, gen: dict) -> list[tuple[str, yaml.Node, yaml.Node]] | None:
        """(key, key-location node, value node) for literals, files and env files."""
        gen_node = nodes.get(self.node, key).value[i]
        out: list[tuple[str, yaml.Node, yaml.Node]] = []
        literals = nodes.get(gen_node, "literals")
        for lit in literals.value if isinstance(literals, yaml.SequenceNode) else []:
            name, _, value = str(lit.value).partition("=")
            out.append((name, lit, nodes.scalar(_unquoted(value), lit)))
        files = nodes.get(gen_node, "files")
        for entry in files.value if isinstance(files, yaml.SequenceNode) else []:
            name, _, rel = str(entry.value).rpartition("=") if "=" in entry.value else ("", "", entry.value)
            path = self.local_file(rel, "generator file", Location.of(entry))
            if path is None:
                return None
            text = self.read_text(path, entry)
            if text is None:
                return None
            out.append((name or path.name, entry, nodes.scalar(text, _file_anchor(path, whole=True))))  # a BOM kept
        envs = nodes.get(gen_node, "envs")
        env_entries = envs.value if isinstance(envs, yaml.SequenceNode) else []
        env_file = nodes.get(gen_node, "env")
        if isinstance(env_file, yaml.ScalarNode):
            env_entries = env_entries + [env_file]
        for entry in env_entries:
            path = self.local_file(entry.value, "env file", Location.of(entry))
            if path is None:
                return None
            text = self.read_text(path, entry, env=True)
            if text is None:
                return None
            lines, stopped = _scanned_lines(text)
            if stopped is None:
                out += _env_pairs(path, lines)
                continue
            out += _env_pairs(path, lines[: stopped - 1])
            message = (
                f"line {stopped} is {SCANNED_LINE_LIMIT // 1024} KiB or longer: kustomize stops reading the env "
                "file there without a word, so neither it nor any line after it is deployed"
            )
            where = Location(display_path(path), stopped, 1)
            self.result.findings.append(builtin_finding("kustomize-input-truncated", message, where))
            self.written_unread(key, gen, _env_pairs(path, lines[stopped - 1 :]))
        return out

    def written_unread(self, key: str, gen: dict, pairs: list[tuple[str, yaml.Node, yaml.Node]]) -> None:
        """The lines of an env file kustomize never reads (from a line of 64 KiB on), as an object
        of the generator's kind holding them in clear at their lines: never deployed, but in the
        repository, where the rules that judge its text read them (a credential in clear)."""
        if not pairs:
            return
        kind, at = ("Secret" if key == "secretGenerator" else "ConfigMap"), pairs[0][1]

        def pair(name: str, value: yaml.Node) -> tuple[yaml.Node, yaml.Node]:
            return nodes.scalar(name, at), value

        held = nodes.mapping([(nodes.scalar(name, where), value) for name, where, value in pairs], at)
        meta = nodes.mapping([pair("name", nodes.scalar(gen["name"], at))], at)
        body = [
            pair("apiVersion", nodes.scalar("v1", at)),
            pair("kind", nodes.scalar(kind, at)),
            pair("metadata", meta),
        ]
        node = nodes.mapping([*body, pair("stringData" if kind == "Secret" else "data", held)], at)
        self.result.as_written.append(Resource(node, to_data(node), origin_name=gen["name"]))

    def read_text(self, path: Path, entry: yaml.Node, env: bool = False) -> str | None:
        """A generator's input file as text (an env file's UTF-8 byte-order mark dropped, as
        kustomize drops it from an env file's first line; a file source's is its content), or None
        with a finding when it is over the size limit, unreadable or not UTF-8."""
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                message = (
                    f"generator input {shown(entry.value)} is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit"
                )
                self.result.findings.append(builtin_finding("yaml-too-large", message, Location.of(entry)))
                return None
            data = path.read_bytes()
        except OSError as exc:
            message = f"generator input {shown(entry.value)} cannot be read: {exc.strerror or type(exc).__name__}"
            self.result.findings.append(builtin_finding("kustomize-missing-resource", message, Location.of(entry)))
            return None
        if lfs_pointer(data):
            self.result.findings.append(
                lfs_unseen(data, Location.of(entry), f"generator input {shown(entry.value)} is")
            )
            return None
        try:
            text = data.decode("utf-8")
            return text.removeprefix("\ufeff") if env else text
        except UnicodeDecodeError:
            if env:  # kustomize reads an env file line by line and refuses one that is not UTF-8
                message = f"env file {shown(entry.value)} is not UTF-8 text; kustomize refuses the build"
                self.result.findings.append(builtin_finding("kustomize-invalid", message, Location.of(entry)))
                return None
            message = (
                f"generator input {shown(entry.value)} is not UTF-8 text: kustomize stores such content "
                "base64-encoded under binaryData, which the built-in renderer does not model; "
                "use --render kubectl for exact output"
            )
            self.result.findings.append(builtin_finding("kustomize-unsupported", message, Location.of(entry)))
            return None

    # -- helm --------------------------------------------------------------------------------
    def helm(self) -> None:
        for i, chart in self.entries("helmCharts"):
            chart = chart if isinstance(chart, dict) else {}
            values = chart.get("valuesFile")
            note = ""
            if isinstance(values, str):
                path = self.local_file(values, "values file", self.where("helmCharts", i, "valuesFile"))
                if path is not None:
                    self.result.helm_values.extend(self.builder.sources.get(path).documents)
                    note = f"; values file {values} is still scanned for inline secrets"
            inline = nodes.get(nodes.get(self.node, "helmCharts").value[i], "valuesInline")
            if inline is not None:
                self.result.helm_values.append(Document(inline, to_data(inline), 0))
            local = self.local_chart(chart)
            self.result.charts.append(local)
            finding = self.report(
                "kustomize-helm-not-rendered",
                f"helm chart {' '.join(str(chart[k]) for k in ('name', 'version') if chart.get(k)) or '?'} "
                "is not rendered offline; "
                f"its manifests are not linted{note}",
                "helmCharts",
                i,
            )
            # what renders is the entry, its values file and a chart kept in the repository: a
            # change to any is a new finding (the entry alone was the identity)
            if read := [p for p in (path if isinstance(values, str) else None, local) if p is not None]:
                identified_by(finding, read)

    def local_chart(self, chart: dict) -> Path | None:
        """The chart's directory when it is in the repository under the chart home (kustomize's
        ``charts/<name>``, or ``charts/<name>-<version>/<name>``): only such a chart can be
        rendered without reaching a chart repository."""
        globals_ = self.spec.get("helmGlobals") if isinstance(self.spec.get("helmGlobals"), dict) else {}
        home = self.dir / str(globals_.get("chartHome") or "charts")
        name, version = str(chart.get("name") or ""), chart.get("version")
        candidates = [home / name] + ([home / f"{name}-{version}" / name] if version else [])
        for candidate in candidates:
            try:
                if name and is_file(candidate / "Chart.yaml") and self.builder.sources.inside(candidate):
                    return candidate
            except OSError:
                continue
        return None

    # -- patches -----------------------------------------------------------------------------
    def apply_patches(self) -> None:
        for i, entry in self.entries("patchesStrategicMerge"):
            if isinstance(entry, str):
                # kustomize first reads the entry itself as objects, and only then as a path: an
                # inline patch written there is applied, not looked for as a file
                node = nodes.get(self.node, "patchesStrategicMerge").value[i]
                if _inline_objects(node, self.kfile):
                    self.patch_from("patchesStrategicMerge", i, None, None, node, {})
                else:
                    self.patch_from("patchesStrategicMerge", i, entry, None, None, {})
        for key in ("patches", "patchesJson6902"):
            for i, entry in self.entries(key):
                if not isinstance(entry, dict):
                    self.report("kustomize-patch-invalid", f"{key}[{i}] must be a mapping", key, i)
                    continue
                target = entry.get("target") if isinstance(entry.get("target"), dict) else None
                options = entry.get("options") if isinstance(entry.get("options"), dict) else {}
                inline_patch = entry.get("patch")
                if isinstance(entry.get("path"), str) and inline_patch:
                    self.report("kustomize-patch-invalid", f"{key}[{i}] sets both 'path' and 'patch'", key, i)
                elif isinstance(entry.get("path"), str):
                    self.patch_from(key, i, entry["path"], target, None, options)
                elif isinstance(inline_patch, str) and inline_patch:  # '' is unset, as kustomize reads it
                    node = nodes.get(nodes.get(self.node, key).value[i], "patch")
                    self.patch_from(key, i, None, target, node, options)
                else:
                    self.report("kustomize-patch-invalid", f"{key}[{i}] needs 'path' or 'patch'", key, i)

    def patch_from(
        self, key: str, i: int, rel: str | None, target: dict | None, inline: yaml.ScalarNode | None, options: dict
    ) -> None:
        if rel is not None:
            path = self.local_file(rel, "patch file", self.where(key, i))
            if path is None:
                return
            parsed = self.builder.sources.get(path)
            text = _json_text(path)
        else:
            path = None
            parsed = parse_inline(inline, self.kfile, key == "patches")
            self.result.findings.extend(parsed.findings)
            if parsed.comments or parsed.properties:
                self.result.margins.append((parsed.path, parsed.comments, parsed.properties))
            text = inline.value
            # as written in the kustomization, whatever it patches (an object not rendered here, a
            # value a later patch removes): nodes of its own, never merged into (a copy is)
            self.result.as_written += resources_of(parsed, [])
        if text.startswith("[") and not _is_json(text):
            # kustomize reads a patch that starts with '[' as JSON only (YAML flow style fails)
            self.report("kustomize-patch-invalid", "a patch starting with '[' must be valid JSON", key, i)
            return
        # a strategic-merge patch is read as a resource file is (a JSON patch's objects are not)
        as_kustomize_reads(parsed, self.result.findings)
        documents = [doc for doc in parsed.documents if doc.data is not None]
        if any(isinstance(d.node, yaml.MappingNode) for d in documents) and (
            refused := split_findings(parsed, "kustomize-patch-invalid", "kustomize")
        ):
            self.result.findings += refused
            return
        if path is not None and path.suffix == ".json" and any(isinstance(d.node, yaml.MappingNode) for d in documents):
            if refused_slash := json_slash(path, "kustomize-patch-invalid"):  # (read as a resource file is)
                self.result.findings.append(refused_slash)
                return
        if all(isinstance(d.data, list) and not d.data for d in documents):
            if parsed.ok:  # (a syntax error is told already)
                self.empty_patch(key, i, inline, path, target)
            return
        for doc in documents:  # every one as written, applied or not (a credential in one is in the repository)
            if isinstance(doc.node, yaml.SequenceNode) and (written := _json_patch_object(doc.node, target)):
                self.result.as_written.append(written)
        for doc in self.patch_documents(key, i, parsed, documents, target):
            self.apply_one(key, i, doc, target, options)

    def patch_documents(
        self, key: str, i: int, parsed: ParsedFile, documents: list[Document], target: dict | None
    ) -> list[Document]:
        """The patches a patch text holds, as each field's transformer reads it: ``patchesJson6902``
        reads JSON operations from the first document alone (YAML to JSON reads one), and needs
        its target's name; ``patches`` reads the text as strategic-merge objects when every
        document is one (a ``List``'s items unwrapped, as from a resource file; a target for one
        object alone), else as the first document's JSON operations (an object before them is
        neither); ``patchesStrategicMerge`` reads objects only (a list among them is refused by
        :meth:`apply_one`). What kustomize refuses is reported, and no patch is returned."""
        operations = any(isinstance(d.node, yaml.SequenceNode) for d in documents)
        if key == "patchesJson6902" and target is not None and not target.get("name"):
            self.report("kustomize-patch-invalid", "a patchesJson6902 target needs a name", key, i, "target")
            return []
        if key == "patchesJson6902" or (key == "patches" and operations):
            if not isinstance(documents[0].node, yaml.SequenceNode):
                why = "its first document is no list of JSON operations" if operations else "it is no JSON patch"
                self.report("kustomize-patch-invalid", f"{key}[{i}]: {why}; kustomize refuses it", key, i)
                return []
            return documents[:1]
        if any(isinstance(d.data, dict) and str(d.data.get("kind", "")).endswith("List") for d in documents):
            findings: list[Finding] = []
            documents = [Document(node, data, n) for n, (node, data) in enumerate(kustomize_items(parsed, findings))]
            if findings:
                self.result.findings += findings
                return []
        if key == "patches" and target is not None and len(documents) > 1:
            message = "several strategic-merge patches in one entry with a target; kustomize refuses it"
            self.report("kustomize-patch-invalid", message, key, i)
            return []
        return documents

    def empty_patch(
        self, key: str, i: int, inline: yaml.ScalarNode | None, path: Path | None, target: dict | None
    ) -> None:
        """A patch with no object and no operation in it, as kustomize takes it. ``patches`` trims
        an inline patch (blanks alone: neither ``patch`` nor ``path`` is set, refused), reads a file
        with no bytes at all as a JSON patch of no operations (which needs a target, and then
        changes nothing) and refuses any other (blank lines, comments, null, ``[]``: both an empty
        strategic-merge and an empty JSON patch); ``patchesStrategicMerge`` and
        ``patchesJson6902`` refuse every empty patch."""
        if key == "patches" and inline is not None and not inline.value.strip():
            self.report("kustomize-patch-invalid", f"{key}[{i}] is blank: kustomize trims it to nothing", key, i)
        elif key == "patches" and path is not None and path.stat().st_size == 0:
            if target is None:
                message = "an empty patch file is a JSON patch to kustomize, which needs a target"
                self.report("kustomize-patch-invalid", message, key, i)
        else:
            self.report("kustomize-patch-invalid", "an empty patch (blank, comments, null or []) is refused", key, i)

    def apply_one(self, key: str, i: int, doc: Document, target: dict | None, options: dict) -> None:
        is_json = isinstance(doc.node, yaml.SequenceNode)
        # a JSON patch is read through JSON; a strategic-merge one is not, and what JSON cannot hold
        # in it refuses the build only if it is still in an object at the end (see finalize)
        if is_json and (
            refused := json_findings(json_problems([doc], v2=True), "kustomize-patch-invalid", _PATCH_REFUSED)
        ):
            self.result.findings += refused
            return
        if not is_json and not isinstance(doc.node, yaml.MappingNode):
            self.report("kustomize-patch-invalid", "a patch must be a mapping or a JSON patch list", key, i)
            return
        if not is_json and not ident(doc.node)[3]:
            # kustomize reads a strategic-merge patch as an object: without a name it refuses it
            message = "a strategic-merge patch needs metadata.name (kustomize cannot parse it otherwise)"
            self.report("kustomize-patch-invalid", message, key, i)
            return
        if target is not None:
            try:
                selector = Target(target)
            except SelectorError as exc:
                self.report("kustomize-patch-invalid", str(exc), key, i, "target")
                return
            self.look_up_all()
            matches = []
            for r in self.result.resources:  # by its name and namespace now or before any transformer
                before = r.history[:1]  # kustomize's original id, when a transformer changed it
                if selector.selects(r.node, tuple(i[1] for i in before), tuple(i[2] for i in before)):
                    matches.append(r)
        elif is_json:
            self.report("kustomize-patch-invalid", "a JSON 6902 patch needs a target", key, i)
            return
        else:
            want = ident(doc.node)
            self.look_up_all()
            matches = [r for r in self.result.resources if _known_as(r, want)]
        if not matches:
            if self.result.unrendered:
                self.result.chart_patches.add((real(self.kfile), key, i))
                finding = self.report(
                    "kustomize-patch-unmatched",
                    "patch matches no visible resource; it may target a Helm chart's or remote "
                    "resource's output, which is not rendered offline",
                    key,
                    i,
                )
                finding.severity = Severity.INFO
            elif target is None:  # kustomize needs a strategic-merge patch's own identity to exist
                self.report("kustomize-patch-invalid", "patch matches no resource; kustomize refuses the build", key, i)
            else:
                self.report("kustomize-patch-unmatched", "patch target matches no resource", key, i)
            return
        try:
            directive = None if is_json else strategy(doc.node)
        except PatchError as exc:
            self.report("kustomize-patch-invalid", str(exc), key, i)
            return
        if directive == "replace":  # kustomize merges it into a copy of the resource that it then drops
            message = "$patch: replace at a patch's top changes nothing: kustomize keeps the resource as it was"
            self.report("kustomize-patch-unmatched", message, key, i)
            return
        failed: list[tuple[str, Resource, str]] = []  # (rule, resource, why): reported once per patch
        for res in matches:
            try:
                if is_json:
                    namerefs.remember(res)
                    if (odd := as_printed(res.node)) is not None:  # kustomize prints it to JSON first
                        self.result.findings.append(unprinted_finding(res, odd))
                    self.result.findings += marshalled(res.node)
                    json6902(res.node, doc.node)
                    as_decoded(res.node)
                    name = nodes.get(nodes.get(res.node, "metadata"), "name")
                    if not isinstance(name, yaml.ScalarNode) or not name.value:
                        raise PatchError("it leaves the object without a metadata.name; kustomize refuses the build")
                    if _touches_metadata(doc.node) and (odd := _unmodelled_metadata(res.node)) is not None:
                        self.report(
                            "kustomize-unsupported",
                            f"patch leaves {res.id}'s {odd}; kustomize rewrites such metadata in ways the built-in "
                            "renderer does not model: use --render kubectl for exact output",
                            key,
                            i,
                        )
                elif directive == "delete":
                    self.result.resources.remove(res)
                else:
                    body = _without_identity(
                        doc.node, bool(options.get("allowNameChange")), bool(options.get("allowKindChange"))
                    )
                    if target is not None:
                        _as_copied(body)
                        nodes.remove(body, "apiVersion")  # the copy takes the object's; a kind change keeps it
                    schema = kind_schema(*ident(res.node)[:2])  # as the object is now; None for a custom resource
                    identity = _identity(res.node)
                    if options.get("allowNameChange") or options.get("allowKindChange"):
                        namerefs.remember(res)
                    res.node = strategic_merge(res.node, body, schema)
                    without_empty_values(res.node, schema)
                    _restore_identity(res.node, identity, bool(options.get("allowNameChange")))
            except Unmodelled as exc:
                failed.append(("kustomize-unsupported", res, str(exc)))
            except PatchError as exc:
                failed.append(("kustomize-patch-invalid", res, str(exc)))
        self.report_failures(failed, key, i)

    def report_failures(self, failed: list[tuple[str, Resource, str]], key: str, i: int) -> None:
        """One finding per rule for a patch that fails on several resources (the first, and how many
        more): kustomize refuses the build at the first, and a patch selecting thousands of objects
        must not make a finding of each."""
        for rule in dict.fromkeys(rule for rule, _, _ in failed):
            mine = [(res, why) for each, res, why in failed if each == rule]
            res, why = mine[0]
            more = f" (and {len(mine) - 1} more resource(s) it selects)" if len(mine) > 1 else ""
            if rule == "kustomize-unsupported":
                self.report(rule, f"{why} ({res.id}){more}; use --render kubectl for exact output", key, i)
            else:
                self.report(rule, f"patch cannot be applied to {res.id}: {why}{more}", key, i)

    # -- transformers ------------------------------------------------------------------------
    def transform(self) -> None:
        spec = self.spec
        namespace = spec.get("namespace")
        prefix, suffix = spec.get("namePrefix") or "", spec.get("nameSuffix") or ""
        # (pairs, where they go, the kustomization node a written value points at, its field)
        label_sets: list[tuple[dict, list, yaml.Node, str]] = []  # ``labels`` first: commonLabels wins a clash
        for j, group in self.entries("labels"):
            if not isinstance(group, dict):
                continue
            where = self.label_specs(j, group)
            if where is not None and isinstance(group.get("pairs"), dict) and group["pairs"]:
                label_sets.append((group["pairs"], where, nodes.get(self.node, "labels").value[j], "labels"))
        if isinstance(spec.get("commonLabels"), dict) and spec["commonLabels"]:
            common = nodes.get(self.node, "commonLabels")
            label_sets.append((spec["commonLabels"], fieldspecs.COMMON_LABELS, common, "commonLabels"))
        self.check_label_clashes(label_sets)
        annotations = spec.get("commonAnnotations") if isinstance(spec.get("commonAnnotations"), dict) else {}
        if annotations:
            source = nodes.get(self.node, "commonAnnotations")
            label_sets.append((annotations, fieldspecs.ANNOTATIONS, source, "commonAnnotations"))
        images = []
        for j, image in self.entries("images"):
            if isinstance(image, dict) and image.get("name"):
                try:  # compiled once here: a thousand entries would not stay in the patterns' cache
                    pattern = image_pattern(str(image["name"]))
                except regex.RegexError as exc:  # kustomize compiles it too, and fails the build
                    self.report("kustomize-invalid", f"images[{j}].name is not a valid pattern: {exc}", "images", j)
                    continue
                images.append((image, nodes.get(self.node, "images").value[j], pattern))
        # an entry without a name names "", which no object has: kustomize refuses it as unmatched
        replicas = [(str(r.get("name") or ""), r) for _, r in self.entries("replicas") if isinstance(r, dict)]
        scaled: set[str] = set()
        idents = [ident(r.node) for r in self.result.resources]
        for res, (api, kind, _, _) in zip(self.result.resources, idents, strict=True):
            nodes.ensure_map(res.node, "metadata", res.node)
            meta = nodes.get(res.node, "metadata")
            changed = False
            if isinstance(namespace, str) and namespace:
                source = nodes.get(self.node, "namespace")
                namerefs.remember(res)
                try:
                    changed |= _set_namespace(res.node, api, kind, namespace, source)
                except fieldspecs.WrongKind as exc:
                    self.wrong_kind(res, str(exc), "namespace", exc.why)
            if (prefix or suffix) and not _never_prefixed(api, kind):
                name_node = nodes.get(meta, "name")
                if isinstance(name_node, yaml.ScalarNode):
                    # kustomize's prefix and suffix transformers each remember the id they change
                    if prefix:
                        namerefs.remember(res)
                        res.prefixes += (prefix,)
                    if suffix:
                        namerefs.remember(res, f"{prefix}{name_node.value}")
                        res.suffixes += (suffix,)
                    new_name = f"{prefix}{name_node.value}{suffix}"
                    changed |= nodes.set_text(meta, "name", new_name, name_node, untagged=True)
            for pairs, where, source, owner in label_sets:  # a node of its own for each object
                work.charge(len(pairs))
                try:
                    values = fieldspecs.written(pairs, source or self.node)
                    changed |= fieldspecs.apply(res.node, api, kind, where, values, owner != "commonAnnotations")
                except fieldspecs.WrongKind as exc:
                    self.wrong_kind(res, str(exc), owner, exc.why)
            if images and kind != "CustomResourceDefinition":  # (kustomize never rewrites one's images)
                try:
                    changed |= set_images(res.node, images)
                except fieldspecs.WrongKind as exc:
                    self.wrong_kind(res, str(exc), "images", exc.why)
            # kustomize finds a replicas entry's object by any name it has had as a kind it scales
            # (before this or an earlier kustomization's prefix, say), entry after entry: the last wins
            names = {n for k, n, _ in res.history if k in _SCALABLE} | (
                {ident(res.node)[3]} if kind in _SCALABLE else set()
            )
            matching = [(name, entry) for name, entry in replicas if name in names]
            if matching:
                scaled.update(name for name, _ in matching)
                anchor = nodes.get(self.node, "replicas")
                spec_now = nodes.get(res.node, "spec")
                if isinstance(spec_now, (yaml.ScalarNode, yaml.SequenceNode)) and not nodes.is_null(spec_now):
                    self.wrong_kind(res, "spec", "replicas")
                    continue
                if isinstance(nodes.get(spec_now, "replicas"), (yaml.MappingNode, yaml.SequenceNode)):
                    self.wrong_kind(res, "spec/replicas", "replicas")
                    continue
                spec_node = nodes.ensure_map(res.node, "spec", res.node)
                count = str(matching[-1][1].get("count") or 0)  # no count is 0, as kustomize reads it
                changed |= nodes.set_text(spec_node, "replicas", count, anchor, plain=True)
        if isinstance(namespace, str) and namespace:
            self.check_namespace_conflicts()
        for j, entry in self.entries("replicas"):
            if isinstance(entry, dict) and str(entry.get("name") or "") not in scaled:
                message = (
                    f"replicas: no {'/'.join(_SCALABLE)} named {shown(str(entry.get('name') or ''))}; "
                    "kustomize refuses the build"
                )
                self.report("kustomize-invalid", message, "replicas", j)
        self.replace()

    # -- replacements (the last transformer) -------------------------------------------------
    def replace(self) -> None:
        """``replacements`` in order (see :mod:`torghut_lint.kustomize.replace`). kustomize stops the
        build at the first it refuses; so does this, at the first it refuses or does not model."""
        for i, entry in self.entries("replacements"):
            try:
                found = self.replacements_in(i, entry)
                if found is None:  # its file is missing: reported
                    return
                for replacement in found:
                    self.replace_one(replacement)
            except replace.Refused as exc:
                message = f"replacements[{i}]: {exc}; kustomize refuses the build"
                self.report("kustomize-invalid", message, "replacements", i)
                return
            except Unmodelled as exc:
                message = f"replacements[{i}]: {exc} is not modelled; use --render kubectl for exact output"
                self.report("kustomize-unsupported", message, "replacements", i)
                return

    def replacements_in(self, i: int, entry: dict) -> list[dict] | None:
        """The replacement an entry writes, or those of the file it names (one, or a list); None
        where that file is missing (reported)."""
        rel = entry.get("path")
        if not rel:
            return [entry]
        if entry.get("source") is not None or entry.get("targets"):
            raise replace.Refused("an entry cannot give both a path and a replacement")
        path = self.local_file(rel, "replacements file", self.where("replacements", i))
        if path is None:
            return None
        parsed = self.builder.sources.get(path)
        documents = [doc for doc in parsed.documents if doc.data is not None]
        if not parsed.ok or len(documents) != 1:
            raise Unmodelled(f"the replacements file {shown(rel)} holding {len(documents)} documents")
        data = to_data(as_yaml11(documents[0].node))
        for error in compiled(REPLACEMENT_FILE).iter_errors(data):
            raise replace.Refused(f"the replacements file {shown(rel)}: {error.message}")
        found = data if isinstance(data, list) else [data]
        for item in found:
            if list(unmodelled_keys(ONE_REPLACEMENT, item, ())):
                raise Unmodelled(f"a field of the replacements file {shown(rel)} that kustomize 5.5 ignores")
        return found

    def replace_one(self, replacement: dict) -> None:
        source, targets = replacement.get("source"), replacement.get("targets")
        if source is None or targets is None:
            raise replace.Refused("a replacement must specify a source and at least one target")
        self.look_up_all()
        field_path = source.get("fieldPath") or "metadata.name"
        try:
            found = replace.source_of(self.result.resources, source)
        except replace.Refused:
            if self.result.unrendered:  # it may be a Helm chart's or a remote resource's output
                raise Unmodelled("a source among objects not rendered offline (Helm, remote)") from None
            raise
        value = replace.lookup(found.node, field_path)
        if replace.is_empty(value):
            raise replace.Refused(f"the source's fieldPath {replace.shown_path(field_path)} is missing or empty")
        value = replace.refined(value, source.get("options") or {})
        for target in targets:
            options = target.get("options") or {}
            paths = [(path, replace.target_path(path)) for path in target.get("fieldPaths") or ["metadata.name"]]
            for res in replace.targets_of(self.result.resources, target):
                for field_path, parts in paths:
                    matcher = replace.Matcher(options, value)
                    slots = matcher.targets(res.node, parts)
                    if not slots:
                        made = " or create" if options.get("create") else ""
                        where = replace.shown_path(field_path)
                        raise replace.Refused(f"unable to find{made} the field {where} in {res.id}")
                    for slot in slots:
                        was, now = replace.written(slot, value, options)
                        value = now if was is value else value
                name = nodes.get(nodes.get(res.node, "metadata"), "name")
                if not isinstance(name, yaml.ScalarNode) or nodes.is_null(name) or not name.value:
                    raise replace.Refused(f"it leaves {res.id} without a metadata.name")

    def wrong_kind(self, res: Resource, where: str, key: str, why: str = "") -> None:
        """A transformer's field (``where``) of ``res`` that holds a map or a list, or a value where a
        map goes (or, ``why``, another reason its walk stops there): kustomize refuses the build
        ("wrong node kind", "cannot set or create an empty field name")."""
        why = why or f"is not of the kind {key} writes to"
        self.report("kustomize-invalid", f"{where} of {res.id} {why}; kustomize refuses the build", key)

    def label_specs(self, j: int, group: dict) -> list | None:
        """Where ``labels[j]`` writes: its own ``fields`` first, then the built-in specs its options
        select that none of them covers (:func:`fieldspecs.merged`); None, reported, where they
        conflict, which kustomize checks even for an entry without pairs."""
        own = [fieldspecs.from_entry(f) for f in group.get("fields") or []]
        try:
            if group.get("includeSelectors"):
                return fieldspecs.merged(own, fieldspecs.COMMON_LABELS)
            if group.get("includeTemplates"):
                own = fieldspecs.merged(own, fieldspecs.METADATA_LABELS)
            return fieldspecs.merged(own, fieldspecs.METADATA_LABELS[:1])
        except fieldspecs.Conflict as exc:
            message = f"labels[{j}].fields conflicts with a built-in field spec: {exc}; kustomize refuses the build"
            self.report("kustomize-invalid", message, "labels", j)
            return None

    def check_namespace_conflicts(self) -> None:
        """Objects of one apiVersion, kind and name that the namespace transformer put in one
        namespace (a generator's object from another namespace, say): kustomize refuses the build
        (two versions of a kind are two ids to it)."""
        seen: set[tuple[str, str, str, str]] = set()
        for res in self.result.resources:
            key = _id_key(res)
            if key in seen:
                _, kind, _, name = key
                message = f"the namespace makes two {kind} objects {shown(name)} one; kustomize refuses the build"
                self.report("kustomize-invalid", message, "namespace")
                return
            seen.add(key)

    def check_label_clashes(self, label_sets: list[tuple[dict, list, yaml.Node, str]]) -> None:
        """Several label entries giving one key different values: which value lands where then
        depends on how kustomize shares value nodes between the places an earlier entry wrote
        (a later entry can change a selector it was not configured for), which the built-in
        renderer does not reproduce: it says so (blocking) instead of guessing."""
        seen: dict[str, str] = {}
        for pairs, _, source, _ in label_sets:
            for key, value in pairs.items():
                if key in seen and seen[key] != str(value):
                    message = f"label {shown(str(key))} is set to different values by several entries; "
                    message += "not modelled by the built-in renderer, use --render kubectl"
                    self.result.findings.append(builtin_finding("kustomize-unsupported", message, Location.of(source)))
                    return
                seen[str(key)] = str(value)


def _text_map(node: yaml.Node | None) -> dict[str, str] | None:
    """A ``data`` or ``binaryData`` map's texts (a value that is no text: ""), None when not a map."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return {k.value: v.value if isinstance(v, yaml.ScalarNode) else "" for k, v in node.value}


SCANNED_LINE_LIMIT = 64 * 1024  # Go's bufio.MaxScanTokenSize


def _scanned_lines(text: str) -> tuple[list[tuple[int, str]], int | None]:
    """(line number, line) of every line of an env file as kustomize's ``bufio.Scanner`` gives
    them: split at line feeds alone (a vertical tab, a form feed, a lone carriage return or U+2028
    is inside a line), one carriage return before each dropped; and the number of the line where
    the scan stops, or None: a line of 64 KiB or more (in UTF-8, its carriage return counted) ends
    it silently, the lines from it on never read."""
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()  # the last line feed ends the last line
    stopped = None
    for number, line in enumerate(lines, 1):
        if len(line) * 4 >= SCANNED_LINE_LIMIT and len(line.encode()) >= SCANNED_LINE_LIMIT:
            stopped = number
            break
    return [(number, line[:-1] if line.endswith("\r") else line) for number, line in enumerate(lines, 1)], stopped


def _env_pairs(path: Path, lines: list[tuple[int, str]]) -> list[tuple[str, yaml.Node, yaml.Node]]:
    """(name, where, value) of each assignment of an env file's ``lines`` as kustomize reads them:
    leading white space trimmed (Go's, not Python's: \x1c-\x1f stay), comments and blank lines
    skipped, the value whole; a name alone is "" (kustomize 5), a line with no name is skipped."""
    out = []
    for number, line in lines:
        line = line.lstrip(GO_SPACE)
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        if name:
            anchor = _file_anchor(path, number)
            out.append((name, anchor, nodes.scalar(value, anchor)))
    return out


class _Make(NamedTuple):
    """What a generator makes of its object besides the data (a merge or replace gives it these)."""

    secret_type: str
    hashed: bool  # a name hash is appended (no options disabled it)
    immutable: bool
    metadata: dict[str, dict[str, str]]  # labels and annotations


def _texts(values: dict) -> dict[str, str]:
    """A map of strings as Go reads it from JSON: null is the empty string."""
    return {str(k): "" if v is None else str(v) for k, v in values.items()}


def _json_text(path: Path) -> str:
    """A patch file's text where it matters (it starts with '['), else its first character: the
    file was parsed already, and only a JSON-looking patch is read whole again."""
    with path.open("rb") as handle:
        head = handle.read(1)
    return path.read_bytes().decode("utf-8", errors="replace") if head == b"[" else head.decode("latin-1")


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


_SCALABLE = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")


def _kustomization_kind(sources: SourceFiles, directory: Path) -> str:
    kfile = find_kustomization(directory)
    for doc in sources.get(kfile).documents if kfile else []:
        if isinstance(doc.data, dict):
            return str(doc.data.get("kind") or "Kustomization")
    return "Kustomization"


def _subjects_namespace(binding: yaml.MappingNode, namespace: str, source: yaml.Node) -> bool:
    """kustomize's namespace transformer sets the namespace of a binding's subjects named
    ``default`` (of any kind: the default ServiceAccount is meant); other subjects follow their
    ServiceAccount, if any, through the name references at the end of the build (namerefs.py).
    Subjects that are not a list, a subject that is a value, a name or namespace that is a map
    or a list: kustomize refuses the build (:class:`fieldspecs.WrongKind`); a null one is passed."""
    changed = False
    subjects = nodes.get(binding, "subjects")
    if subjects is None or nodes.is_null(subjects):
        return False
    if not isinstance(subjects, yaml.SequenceNode):
        raise fieldspecs.WrongKind("subjects", "is not a list")
    for subject in subjects.value:
        if nodes.is_null(subject):
            continue
        if not isinstance(subject, yaml.MappingNode):
            raise fieldspecs.WrongKind("an item of subjects", "is not a map")
        name = nodes.get(subject, "name")
        if name is None or nodes.is_null(name):
            continue
        if not isinstance(name, yaml.ScalarNode):
            raise fieldspecs.WrongKind("the name of a subject", "is not a text")
        if name.value == "default":
            changed |= fieldspecs.set_text(subject, "namespace", namespace, source)
    return changed


def _without_identity(patch: yaml.MappingNode, keep_name: bool = False, keep_kind: bool = False) -> yaml.MappingNode:
    """A copy of a strategic-merge patch minus the identity fields the target keeps: kustomize
    ignores a patch's own kind and name unless ``allowKindChange``/``allowNameChange`` say to
    apply them; namespace never changes."""
    body = nodes.copy(patch)
    if not keep_kind:
        nodes.remove(body, "apiVersion")
        nodes.remove(body, "kind")
    meta = nodes.get(body, "metadata")
    if isinstance(meta, yaml.MappingNode):
        if not keep_name:
            nodes.remove(meta, "name")
        nodes.remove(meta, "namespace")
    return body


def _as_copied(body: yaml.MappingNode) -> None:
    """A strategic-merge patch with a target as kustomize applies it: to a copy whose labels and
    annotations it first sets from the patch's own, read as texts (``CopyMergeMetaDataFieldsFrom``):
    each value's text as written (``app: null`` is the label "null", set, not a deletion; a map or
    a list is ""), the keys sorted, and an empty or null map dropped (``labels: null`` deletes
    nothing). Labels or annotations written as a list or a word are read by kustomize in ways not
    modelled: :class:`Unmodelled`."""
    meta = nodes.get(body, "metadata")
    if not isinstance(meta, yaml.MappingNode):
        return
    for part in ("labels", "annotations"):
        written = nodes.get(meta, part)
        if written is None:
            continue
        if not nodes.is_null(written) and not isinstance(written, yaml.MappingNode):
            raise Unmodelled(f"the patch's metadata.{part} is not a map, which kustomize reads as one")
        texts = {}
        for key, value in written.value if isinstance(written, yaml.MappingNode) else ():
            texts[key.value] = (value.value if isinstance(value, yaml.ScalarNode) else "", key, value)
        nodes.remove(meta, part)
        if texts:
            pairs = [
                (nodes.scalar(k, key), nodes.scalar(text, value)) for k, (text, key, value) in sorted(texts.items())
            ]
            nodes.put(meta, part, nodes.mapping(pairs, written), written)
            if part == "labels" and (refused := keys_refused((k for k, _ in pairs), "label", LABEL_UNQUOTED)):
                raise PatchError(refused[0].message)


Identity = tuple[yaml.Node | None, yaml.Node | None]  # metadata.name, metadata.namespace


def _identity(node: yaml.MappingNode) -> Identity:
    """An object's ``metadata.name`` and ``metadata.namespace`` nodes."""
    meta = nodes.get(node, "metadata")
    return nodes.get(meta, "name"), nodes.get(meta, "namespace")


def _restore_identity(node: yaml.MappingNode, identity: Identity, renamed: bool) -> None:
    """Put back what kustomize puts back after a strategic merge: the name (unless
    ``allowNameChange``) and the namespace (none, if the object had none), which a patch replacing
    or deleting ``metadata`` took away."""
    name, namespace = identity
    meta = nodes.ensure_map(node, "metadata", node)
    if name is not None and not renamed and nodes.get(meta, "name") is not name:
        nodes.put(meta, "name", name, name)
    if namespace is None:
        nodes.remove(meta, "namespace")
    elif nodes.get(meta, "namespace") is not namespace:
        nodes.put(meta, "namespace", namespace, namespace)


def _known_as(res: Resource, want: tuple[str, str, str, str]) -> bool:
    """Whether ``res`` answers to ``want`` (apiVersion, kind, namespace, name) where kustomize
    looks an object up, for a strategic-merge patch or a generator's ``behavior``: by its exact
    apiVersion, and by any id the object has had (kind, name and namespace now or before any of
    the transformers that renamed or moved it); an object or patch without a namespace is in
    "default", a cluster-scoped kind in none."""
    api, kind, ns, name = want
    have_api, have_kind, have_ns, have_name = ident(res.node)
    if have_api != api:
        return False
    wanted = (kind, name, namerefs.effective_namespace(api, kind, ns))
    return wanted == (have_kind, have_name, namerefs.effective_namespace(api, have_kind, have_ns)) or (
        wanted in res.history
    )


def _base64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


_GO_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def content_hash(kind: str, data: dict[str, str] | None, secret_type: str, binary: dict | None = None) -> str:
    """kustomize's name-suffix hash for generated ConfigMaps and Secrets (kustomize hashes the
    object before it is named, so the name is empty in the hashed JSON); Secret data is base64.
    ``data`` and a ConfigMap's ``binary`` are None where the object has no such map: kustomize
    hashes a missing ``data`` as "" (a generated ConfigMap without values, a Secret a merge left
    empty) and leaves out a missing ``binaryData``."""
    body: dict[str, object] = {"kind": kind, "name": "", "data": "" if data is None else data}
    if kind == "Secret":
        body["type"] = secret_type
    elif binary is not None:
        body["binaryData"] = binary
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    # Go's encoding/json escapes these as HTML-safe, and the two line separators JavaScript reads as ends of lines
    for char, escaped in _GO_JSON_ESCAPES:
        text = text.replace(char, escaped)
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    return digest.translate(str.maketrans("013ae", "ghkmt"))


def _inline_objects(node: yaml.Node, kfile: Path) -> bool:
    """Whether a ``patchesStrategicMerge`` entry is itself objects (mappings, every document),
    as kustomize tries it before reading it as a path: any text that holds a mapping, compact JSON
    (``{"kind":"ConfigMap",...}``) too; a text without a colon or a line break is a path."""
    if not isinstance(node, yaml.ScalarNode) or "\n" not in node.value.strip() and ":" not in node.value:
        return False
    parsed = parse_inline(node, kfile, False)
    documents = [d for d in parsed.documents if d.data is not None]
    return not parsed.findings and bool(documents) and all(isinstance(d.data, dict) for d in documents)


def _unquoted(value: str) -> str:
    """A literal's value as kustomize reads it: one pair of matching quotes around the whole value
    removed (``'a'b'`` is ``a'b``), an unmatched quote kept (``"x`` stays ``"x``)."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


_KIND_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")


def _json_patch_object(ops: yaml.SequenceNode, target: dict | None) -> Resource | None:
    """What a JSON patch writes (its ``add``, ``replace`` and ``test`` values at their paths, list
    indices as keys), as an object of the kind its target names: the rules that judge what sits in
    the repository read a credential in it as they would in the object, whether or not the patch
    reaches one here (an object of a remote base, one a later patch changes). None without values."""
    root = nodes.mapping([], ops)
    for op in ops.value:
        value, path = nodes.get(op, "value"), nodes.get(op, "path")
        if value is None or not isinstance(path, yaml.ScalarNode):
            continue
        try:
            tokens = pointer(path.value)
        except PatchError:  # applying the patch says so
            continue
        holder = root
        for token in tokens[:-1]:
            work.charge(1 + len(holder.value) // work.PAIRS_PER_STEP)  # each key looked up among those written so far
            holder = nodes.ensure_map(holder, token, op)
        work.charge(1 + len(holder.value) // work.PAIRS_PER_STEP)
        # a copy: a later op's path may run through this value, and the patch applies the op's own
        nodes.put(holder, tokens[-1], nodes.copy(value), value)  # located as the op's value
    if not root.value:
        return None
    kind, name = (target or {}).get("kind"), (target or {}).get("name")
    kind = kind if isinstance(kind, str) and _KIND_WORD.match(kind) else "JsonPatch"
    name = name if isinstance(name, str) and name else "json-patch"
    meta = nodes.mapping([(nodes.scalar("name", ops), nodes.scalar(name, ops))], ops)
    head = [("apiVersion", nodes.scalar("v1", ops)), ("kind", nodes.scalar(kind, ops)), ("metadata", meta)]
    for key, node in reversed(head):
        if nodes.get(root, key) is None:
            root.value.insert(0, (nodes.scalar(key, ops), node))
    try:
        return Resource(root, to_data(root), origin_name=name)
    except (TooComplex, Refused):
        return None


def parse_inline(node: yaml.ScalarNode, kfile: Path, trimmed: bool) -> ParsedFile:
    """Parse a patch written inline as a block scalar, with marks in the kustomization file.

    ``trimmed``: kustomize trims the text (Go's strings.TrimSpace) before reading it, as it does a
    ``patches`` entry's (not a ``patchesStrategicMerge`` or ``patchesJson6902`` one's): a block
    scalar that ends it loses its last line breaks (``|`` clips none, ``|+`` keeps none), and a
    first line indented like the rest (``|2-``, a quoted string) loses its indentation: the patch
    is then read as kustomize reads it (usually refused), located at the patch."""
    text = node.value.rstrip(GO_SPACE) if trimmed else node.value
    if trimmed and text.lstrip(GO_SPACE) and text.lstrip("\n")[:1] in GO_SPACE:
        padded = "\n" * node.start_mark.line + text.lstrip(GO_SPACE)
        return parse_bytes(padded.encode(), node.start_mark.name, with_margins=True)
    first_line = node.start_mark.line + (1 if node.style in ("|", ">") else 0)
    indent = _block_indent(kfile, first_line) if node.style in ("|", ">") else 0
    padded = "\n" * first_line + "".join(
        (" " * indent + line if line.strip() and not _DOCUMENT_MARKER.match(line) else line)
        for line in text.splitlines(keepends=True)
    )
    return parse_bytes(padded.encode(), node.start_mark.name, first_line + 1, with_margins=True)


# Lines of a patch's own text that separate or end its documents, or are directives: they stay at
# column 0 when the text is indented back to where it sits in the kustomization (an indented
# ``---`` is no separator, and a multi-document inline patch would not parse).
_DOCUMENT_MARKER = re.compile(r"(?:---|\.\.\.)(?:[ \t]|\r?$)|%")


def _block_indent(kfile: Path, line_index: int) -> int:
    try:
        lines = kfile.read_bytes().decode("utf-8", errors="replace").splitlines()
    except OSError:
        return 0
    for line in lines[line_index:]:
        if line.strip():
            return len(line) - len(line.lstrip(" "))
    return 0


def _file_anchor(path: Path, line: int = 1, whole: bool = False) -> yaml.Node:
    """A node whose marks point at ``path`` (line ``line``): where a generated value came from;
    ``whole``: the value is the file's whole text (its lines are the file's, from the first)."""
    mark = (TextStart if whole else yaml.Mark)(display_path(path), 0, line - 1, 0, None, None)
    return yaml.ScalarNode("tag:yaml.org,2002:str", "", mark, mark)
