"""Turn linted roots into applications as Argo CD would see them.

A directory with a kustomization is rendered with kustomize; files below a kustomization
directory that no kustomization reaches are orphans; other YAML files (directory-type apps)
are applied as they are, grouped per directory.

Three steps: :func:`plan` finds the layout from the kustomization files alone;
:func:`build_apps` and :func:`build_plain` build one application at a time (on any process);
:func:`finish` does what needs every build's result (orphans, kustomizations no application
reached). :func:`load` runs them all in this process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from torghut_lint.argocd import ARGOCD_SOURCE, Deployers, add_deployers, deployed_directories, source_file
from torghut_lint.builtin_rules import builtin_finding
from torghut_lint.discover import (
    KUSTOMIZATION_NAMES,
    content_digest,
    discover,
    display_path,
    git_ignored,
    is_within,
    real,
    real_parent,
    real_text,
    text_name,
    unseen_submodules,
)
from torghut_lint.kustomize.build import Builder, Edges, SourceFiles
from torghut_lint.kustomize.kustomization import find_kustomization
from torghut_lint.kustomize.reading import resources_of
from torghut_lint.model import Finding, Location, Resource
from torghut_lint.parallel import jobs_wanted, run_queue
from torghut_lint.parse import (
    Document,
    ParsedFile,
    as_yaml11,
    json_findings,
    json_problems,
    lfs_pointer,
    lfs_unseen,
    parse_file,
    parse_source,
    read_head,
    read_into,
    read_source,
    split_findings,
    text_of,
    to_data,
)
from torghut_lint.schemas.openapi import crd_versions
from torghut_lint.schemas.store import SchemaStore
from torghut_lint.schemas.validate import validate_all

Kind = tuple[str, str]  # (apiVersion, kind)
Validated = tuple[list[Finding], tuple[Kind, ...]]  # schema findings, the kinds validated


@dataclass
class App:
    """One deployable unit: what Argo CD applies for one source path."""

    name: str
    root: Path
    resources: list[Resource] = field(default_factory=list)
    helm_values: list[Document] = field(default_factory=list)
    inputs: set[Path] = field(default_factory=set)  # every file its build read or named (resolved)
    # What sits in the repository and the rendered objects no longer hold (a patch, a transformer or
    # a generator dropped or overwrote it), checked by the rules that judge the repository's text
    # (orphan-capable templates: credentials in clear): the documents of the manifests its build
    # read whose values the rendered objects do not all hold, with their files (their nodes may
    # have been transformed since: read again as written before anything is located in them), and
    # what its kustomizations write with nodes of their own (``Build.as_written``).
    written: list[tuple[Path, Resource]] = field(default_factory=list)
    as_written: list[Resource] = field(default_factory=list)
    sort_options: dict | None = None  # its kustomization's sortOptions: the order render prints it in
    rendered: bool = False  # built by kustomize (its objects may not be what its files say)


@dataclass
class Project:
    """What was loaded from the linted roots, or from the part of them checked together."""

    apps: list[App] = field(default_factory=list)
    orphans: list[Resource] = field(default_factory=list)
    kustomizations: list[Path] = field(default_factory=list)  # kustomization files (schema validation)
    # kustomization files the plan validated as it read them, against the schemas known before any
    # CRD: their findings and the kinds validated (a CRD of one of those kinds means validating again)
    validated: dict[Path, Validated] = field(default_factory=dict)
    # the openAPIV3Schema of every served CRD version under the roots, by (apiVersion, kind); a later
    # definition of the same version replaces an earlier one, as the schema store does
    crds: dict[tuple[str, str], dict] = field(default_factory=dict)
    crd_origins: dict[tuple[str, str], Location] = field(default_factory=dict)  # where each was defined
    findings: list[Finding] = field(default_factory=list)
    values_files: list[Path] = field(default_factory=list)  # Helm charts' values files
    admission_files: list[Path] = field(default_factory=list)  # files with ValidatingAdmissionPolicies
    # resolved paths as text (compared, never opened; they cross processes, and a Path unpickles
    # by parsing itself again): files some kustomization build read, files parsed
    used: set[str] = field(default_factory=set)
    parsed: set[str] = field(default_factory=set)
    chart_files: int = 0
    chart_digests: dict[Path, str] = field(default_factory=dict)  # each chart's content, read once a run
    # (shown path, text) of the files read for credentials that no build read (discover.text_name)
    texts: list[tuple[str, str]] = field(default_factory=list)
    # (shown path, comments, properties) of the parsed files with margins (torghut_lint.margins), read
    # for credentials: what no value holds is in the repository too
    margins: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def resources(self) -> list[Resource]:
        return [r for app in self.apps for r in app.resources]

    @property
    def files(self) -> int:
        return len(self.parsed) + self.chart_files


@dataclass
class Plan:
    """A root's layout, known before any manifest is parsed: the applications (each can be built
    on its own, so on any process), and the files left for :func:`finish` once every build has
    said what it used."""

    root: Path
    sources: SourceFiles
    files: list[Path]  # YAML files outside Helm charts
    apps: list[Path]  # kustomization directories no other kustomization references
    referenced: list[Path]  # built only when no application reached them (cycles)
    governing: dict[Path, Path]  # file below a kustomization -> that kustomization's directory
    plain: dict[Path, list[Path]]  # directory-type applications: the other files, per directory
    sizes: dict[Path, int]  # bytes of YAML of each application (to share work)
    edges: Edges = field(default_factory=dict)  # what each kustomization file lists (builds ask again)
    texts: list[Path] = field(default_factory=list)  # other files: read for credentials (discover.text_name)
    skipped: set[Path] = field(default_factory=set)  # files holding Argo CD's skip marker (SKIP_FILE_RENDERING)
    # directory applications an Application deploys (-> that directory, resolved, an ancestor where
    # it recurses): every file is applied, though a build used it
    applied: dict[Path, str] = field(default_factory=dict)
    # directory an Application deploys (resolved) -> the files of the Applications deploying it
    # (resolved): inputs of its application (a change to one may make it one: --changed-since)
    deployers: Deployers = field(default_factory=dict)
    _builder: Builder | None = field(default=None, repr=False)

    def builder(self) -> Builder:
        """The one builder of this tree's applications (in this process): a base several of
        them include is built once for all (see :class:`~torghut_lint.kustomize.build.Builder`)."""
        if self._builder is None:
            self._builder = Builder(self.sources, self.edges)
        return self._builder


def repository_root(path: Path) -> Path:
    """The boundary references may not cross: the enclosing git work tree (in CI and the Argo CD
    plugin, which passes ``--repo-root``, there is one); outside one, the current directory when
    ``path`` is below it; else there is no repository to stay in, and references are followed as
    kustomize follows them (``../base`` of a tree linted from elsewhere renders as kubectl's)."""
    start = path.resolve() if path.is_dir() else path.resolve().parent
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    cwd = Path.cwd().resolve()
    return cwd if start == cwd or cwd in start.parents else Path(start.anchor)


def load(roots: list[Path], render: str = "builtin", boundary: Path | None = None) -> Project:
    """Discover, parse and assemble every root in this process; ``boundary`` overrides the
    repository root that kustomize references may not leave."""
    project = Project()
    plans = [plan(root, project, boundary) for root in roots]
    for p in plans:
        build_apps(p, p.apps, project, render)
    for p in plans:
        finish(p, project, render, list(p.plain))
    return project


def plan(
    root: Path,
    project: Project,
    boundary: Path | None,
    store: SchemaStore | None = None,
    own_inputs: tuple[Path, ...] = (),
    deployers: Deployers | None = None,
) -> Plan:
    """Discover ``root``, parse its kustomization files and CRD manifests, and order its
    applications (``deployers``: directories, resolved, that the repository's Applications deploy,
    to the files of those Applications, besides those the tree's own Applications deploy: each is
    built as an application of its own).
    Helm charts are handled here (their files are Helm's, not manifests), and so are the linter's
    own inputs: the configuration in use and what is under the ``own_inputs`` directories (the
    policies the run loads, with their cases), which are not manifests either. With a
    schema ``store`` (no CRD in it yet), each kustomization file is validated as it is read (see
    ``Project.validated``), so that no later stage parses it again for its schema."""
    repository = boundary or repository_root(root)
    found = discover(root, git_ignored(repository, root))
    project.findings.extend(found.findings)
    if root.is_dir():
        project.findings.extend(unseen_submodules(repository, root))
    sources = SourceFiles(repository)
    chart_dirs = {real(p.parent) for p in found.files if p.name == "Chart.yaml"}
    charted = _chart_candidates(found.files, chart_dirs)
    templates: list[Path] = []  # a chart's templates: not rendered, but read for credentials in clear
    files = [p for p in found.files if not (p in charted and _helm_chart_file(p, chart_dirs, project, templates))]
    files = [p for p in files if not (p.name.startswith(ARGOCD_SOURCE) and source_file(p, project.findings))]
    own_text = tuple(map(str, own_inputs))  # compared as text, as every path of the tree is
    files = [p for p in files if not _own_input(p, own_text)]
    project.chart_files += len(found.files) - len(files)
    kfiles = [p for p in files if p.name in KUSTOMIZATION_NAMES]
    if root.is_dir() and (k := find_kustomization(root)) and k not in kfiles:
        kfiles.append(k)
    project.kustomizations += kfiles
    survey = _read_layout(files, kfiles, Builder(sources), str(real(root)), store)
    for key, report in survey.parsed:
        _account(key, report, project)
    project.validated.update(survey.validated)
    project.admission_files += survey.admission_files
    # the resolved directories the kustomization files are read from (the survey's keys): a Path each, made once
    k_dir_names, root_name = {directory for directory, _ in survey.edges}, str(real(root))
    k_dirs = {d: Path(d) for d in k_dir_names}
    governed = _nearest_above(k_dir_names, root_name)  # the kustomization directory a file is below
    project.findings.extend(_unrendered_jsonnet(found.jsonnet, governed, chart_dirs))
    referenced, listed = survey.referenced, survey.listed
    for path, (report, crds) in survey.crd_files:  # the schema store needs every CRD first
        # only CRDs that are applied count: a file below a kustomization that none lists is an
        # orphan, and its CRD must not redefine a kind's schema (found by a hostile PR)
        resolved = real_text(path)
        if resolved in listed or governed(os.path.dirname(resolved)) is None:
            _account(resolved, report, project)
            for key, schema, line in crds:
                project.crds[key] = schema
                project.crd_origins[key] = Location(display_path(path), line, 1)
    _account_parsed(sources, project)
    sources.release()  # the kustomizations were read for the plan; each build reads its own again
    # A path with a kustomization is one application, as Argo CD builds it: kustomizations below
    # it that it does not include are not applications of their own (their files are orphans).
    # Only in a directory without one is every kustomization no other includes a root.
    own = find_kustomization(root) if root.is_dir() else None
    apps = [real(root)] if own is not None else _in_order(d for t, d in k_dirs.items() if t not in referenced)
    # and every kustomization an Application deploys, though another includes it: Argo CD builds
    # it alone (a base without the patches of the overlay the tree is linted as)
    deployers = add_deployers(add_deployers({}, deployers or {}), survey.deployers)
    apps += _in_order(d for t, d in k_dirs.items() if t in deployers and d not in apps)
    # a directory an Application deploys that holds no kustomization is a directory application,
    # whatever kustomization is above it: its files (and, where nearer than any kustomization, its
    # subdirectories': a recursing source's) are applied as they are, an included one too
    directory_apps = _nearest_above({d for d in deployers if d not in k_dir_names}, root_name)
    governing: dict[Path, Path] = {}
    plain: dict[Path, list[Path]] = {}
    whole: dict[Path, str] = {}  # directory applications an Application deploys: every file, used or not
    for path in files:
        parent = real_parent(path)
        directory, applied = governed(parent), directory_apps(parent)
        if applied is not None and (directory is None or len(applied) > len(directory)):
            plain.setdefault(path.parent, []).append(path)
            whole[path.parent] = applied
        elif directory is not None:
            governing[path] = k_dirs[directory]  # one Path per kustomization directory, not per file
        else:
            plain.setdefault(path.parent, []).append(path)
    sizes = _reached_bytes(apps, survey.edges, survey.below) | {
        d: sum(survey.sizes.get(p, 0) for p in paths) for d, paths in plain.items()
    }
    included = _in_order(d for t, d in k_dirs.items() if t in referenced)
    texts = [p for p in [*found.texts, *templates] if not _own_input(p, own_text)]
    return Plan(
        root,
        sources,
        files,
        apps,
        included,
        governing,
        plain,
        sizes,
        survey.edges,
        texts,
        survey.skipped,
        whole,
        deployers,
    )


def _reached_bytes(apps: list[Path], edges: Edges, below: dict[str, int]) -> dict[Path, int]:
    """Bytes of YAML each application builds: those below its directory and below every directory
    its kustomizations reach (a base a hundred overlays include is a hundred builds' work, not
    the overlays' few bytes). What decides the processes to use and the order applications are
    taken in, largest first: 100 overlays of one 40 kB base counted 26 kB and ran on one process."""
    listed: dict[str, list[str]] = {}
    for (directory, _), reached in edges.items():
        listed.setdefault(directory, []).extend(reached)
    sizes: dict[Path, int] = {}
    for app in apps:
        seen: set[str] = set()
        todo = [str(app)]
        while todo:
            if (directory := todo.pop()) not in seen:
                seen.add(directory)
                todo += listed.get(directory, ())
        # each directory once: one below another reached is in the other's bytes already
        sizes[app] = sum(below.get(d, 0) for d in seen if not _under_any(d, seen))
    return sizes


def _under_any(directory: str, others: set[str]) -> bool:
    """Whether a directory above ``directory`` is one of ``others``."""
    while (parent := os.path.dirname(directory)) != directory:
        if parent in others:
            return True
        directory = parent
    return False


def _own_input(path: Path, own: tuple[str, ...]) -> bool:
    """Whether ``path`` is one of ``own`` (the configuration in use) or under one (a policy
    directory the run loads). Only those: Argo CD applies a ``.torghut-lint.yaml`` elsewhere in a
    directory application like any other file, so the name alone does not make one the linter's."""
    if not own:
        return False
    resolved = real_text(path)
    return any(is_within(resolved, directory) for directory in own)


def _in_order(paths: Iterable[Path]) -> list[Path]:
    """``sorted(paths)``, comparing their parts as tuples instead of a Path comparison per step."""
    return sorted(paths, key=lambda p: p.parts)


_CRD_MARKER = b"CustomResourceDefinition"
# parse findings, and ((apiVersion, kind), schema, line of its CRD) for each served version
CrdFile = tuple[ParsedFile, list[tuple[tuple[str, str], dict, int]]]  # (its parse's report, its CRDs)
ADMISSION_MARKER = b"ValidatingAdmissionPolicy"
# Argo CD's marker: a directory application leaves out a file holding it anywhere (a comment
# ``# +argocd:skip-file-rendering``; getPotentiallyValidManifestFile reads the whole file for it).
# A kustomization's resources carry no such meaning. Found by the survey, which reads every file.
SKIP_FILE_RENDERING = b"+argocd:skip-file-rendering"


@dataclass
class _Survey:
    """What reading the files tells before any manifest is parsed: sizes and which files hold CRDs
    or admission policies (from their bytes), and what the kustomization files reference.

    Built from items numbered kustomization files first, then every file: a process returns its
    part keyed by those numbers (ints and strings pickle cheaply, paths do not), and the parts are
    merged in item order, so the result does not depend on which process took what."""

    sizes: dict[int, int] = field(default_factory=dict)  # per file item
    # bytes of the files directly in each resolved directory (summed up to the root once merged)
    below: dict[str, int] = field(default_factory=dict)
    # files holding CRDs, read whole: their parse findings and (apiVersion, kind) -> schema
    crd_files: dict[int, CrdFile] = field(default_factory=dict)
    admission_files: list[int] = field(default_factory=list)  # hold ValidatingAdmissionPolicy objects
    skipped: list[int] = field(default_factory=list)  # hold Argo CD's skip marker (SKIP_FILE_RENDERING)
    deployers: Deployers = field(default_factory=dict)  # what the files' Applications deploy
    referenced: set[str] = field(default_factory=set)  # directories some kustomization lists
    listed: set[str] = field(default_factory=set)  # files some kustomization lists
    parsed: list[tuple[int, ParsedFile]] = field(default_factory=list)  # kustomizations read, their reports
    validated: dict[int, Validated] = field(default_factory=dict)  # kustomizations validated as read
    edges: dict[int, tuple[str, ...]] = field(default_factory=dict)  # the directories each one lists

    def add(self, other: _Survey) -> None:
        self.sizes.update(other.sizes)
        for directory, size in other.below.items():
            self.below[directory] = self.below.get(directory, 0) + size
        self.crd_files.update(other.crd_files)
        self.admission_files += other.admission_files
        self.skipped += other.skipped
        add_deployers(self.deployers, other.deployers)
        self.referenced |= other.referenced
        self.listed |= other.listed
        self.parsed += other.parsed
        self.validated.update(other.validated)
        self.edges.update(other.edges)


@dataclass
class _Layout:
    """:class:`_Survey` with its item numbers turned back into paths."""

    sizes: dict[Path, int]
    below: dict[str, int]
    crd_files: list[tuple[Path, CrdFile]]
    admission_files: list[Path]
    skipped: set[Path]
    deployers: Deployers  # what the tree's Applications deploy
    referenced: set[str]  # resolved paths as text: compared, never opened
    listed: set[str]
    parsed: list[tuple[str, ParsedFile]]  # resolved kustomization files as text, their parses' reports
    validated: dict[Path, Validated]
    edges: Edges


PLAN_PARALLEL_MIN_FILES = 4_000  # below this many files, reading them on a second process costs more than it saves


def _read_layout(
    files: list[Path], kfiles: list[Path], builder: Builder, root: str, store: SchemaStore | None
) -> _Layout:
    """Every file's bytes surveyed and every kustomization file read (and validated), on two
    processes for a large tree."""
    count, first = len(kfiles) + len(files), len(kfiles)

    def work(taken: Iterator[int]) -> _Survey:
        part = _Survey()
        for n in taken:  # as handed out: sorting would take the whole queue
            if n < first:
                part.edges[n] = tuple(builder.referenced_dirs(kfiles[n], part.listed))  # tuples: held all run
                part.referenced.update(part.edges[n])
                # a file parsed first under another name (a link to it is a kustomization file
                # too) is left to be validated on its own: its findings must name it as given
                if store is not None and (read := builder.sources.get(kfiles[n])).path == display_path(kfiles[n]):
                    part.validated[n] = kustomization_schema(kfiles[n], read, store)
                part.parsed += [(n, parsed.report()) for _, parsed in builder.sources.newly_parsed()]
                if len(builder.sources) >= PLAN_BATCH:  # hold a batch of kustomizations, not the tree's
                    builder.sources.release()
            else:
                _survey_file(files[n - first], n, part)
        builder.sources.release()
        return part

    parts = run_queue(work, count, jobs_wanted(count, PLAN_PARALLEL_MIN_FILES))
    survey = _Survey()
    for part in parts:
        survey.add(part)
    return _Layout(
        {files[n - first]: size for n, size in survey.sizes.items()},
        _below(survey.below, root),
        [(files[n - first], survey.crd_files[n]) for n in sorted(survey.crd_files)],
        [files[n - first] for n in sorted(survey.admission_files)],
        {files[n - first] for n in survey.skipped},
        survey.deployers,
        survey.referenced,
        survey.listed,
        [(real_text(kfiles[n]), found) for n, found in sorted(survey.parsed, key=lambda item: item[0])],
        {kfiles[n]: survey.validated[n] for n in sorted(survey.validated)},
        {(real_text(str(kfiles[n].parent)), real_text(kfiles[n])): survey.edges[n] for n in sorted(survey.edges)},
    )


def kustomization_schema(path: Path, parsed: ParsedFile, store: SchemaStore) -> Validated:
    """The schema findings of a kustomization file's documents that name an apiVersion and kind,
    and those kinds: build input, not cluster objects, validated when a schema is known (a kind
    without one is not reported; their parse findings are the plan's)."""
    resources = [
        Resource(doc.node, doc.data, origin_name=path.name)
        for doc in parsed.documents
        if isinstance(doc.data, dict) and doc.data.get("apiVersion") and doc.data.get("kind")
    ]
    kinds = tuple({(r.id.api_version, r.id.kind) for r in resources})
    return validate_all(resources, store, report_missing=False), kinds


_SURVEY_BUFFER = bytearray(1 << 16)  # most files: read into one buffer, looked at, forgotten


def _survey_file(path: Path, item: int, survey: _Survey) -> None:
    data: bytes | bytearray | ParsedFile
    if (size := read_into(path, _SURVEY_BUFFER)) is not None:
        data = _SURVEY_BUFFER  # its first ``size`` bytes
    elif isinstance(data := read_source(path, ""), ParsedFile):
        return  # not read here: the parse reports why
    else:
        size = len(data)
    survey.sizes[item] = size
    if data.find(_CRD_MARKER, 0, size) >= 0:  # parsed here, on the survey's processes; only the schemas are kept
        parsed = parse_source(path, bytes(data[:size]), display_path(path))
        crds = [
            ((f"{group}/{version}", kind), schema, crd.node.start_mark.line + 1)
            for crd in resources_of(parsed, [])
            if crd.id.kind == "CustomResourceDefinition"
            for group, kind, version, schema in crd_versions(crd.data)
        ]
        survey.crd_files[item] = (parsed.report(), crds)
    if data.find(ADMISSION_MARKER, 0, size) >= 0:
        survey.admission_files.append(item)
    if data.find(SKIP_FILE_RENDERING, 0, size) >= 0:
        survey.skipped.append(item)
    if data.find(_APPLICATION_MARKER, 0, size) >= 0 and data.find(b"argoproj.io", 0, size) >= 0:
        # what the tree's Applications deploy, as written (a kustomization's rendering of them:
        # Assessment.deployers)
        parsed = parse_source(path, bytes(data[:size]), display_path(path))
        add_deployers(survey.deployers, deployed_directories(resources_of(parsed, [])))
    directory = real_parent(path)
    survey.below[directory] = survey.below.get(directory, 0) + size


_APPLICATION_MARKER = b"Application"


def _below(own: dict[str, int], root: str) -> dict[str, int]:
    """Bytes per resolved directory, its subdirectories included, up to ``root``: each directory's
    own bytes added to its ancestors once (a walk up per directory, not per file)."""
    total = dict(own)
    for directory, size in own.items():
        while directory != root and (parent := os.path.dirname(directory)) != directory:
            total[parent] = total.get(parent, 0) + size
            directory = parent
    return total


def build_apps(plan: Plan, directories: list[Path], project: Project, render: str, unbuilt_only: bool = False) -> None:
    """Build the kustomization applications in ``directories`` (each an application of its own)
    into ``project``; ``unbuilt_only``: those no earlier build read (what no application reached)."""
    builder = plan.builder()
    for directory in directories:
        # Already built, as most are when finish() asks: a resolved kustomization.yaml a build
        # read is no link and a file, so it is the one find_kustomization() would find.
        if unbuilt_only and os.path.join(real_text(directory), KUSTOMIZATION_NAMES[0]) in project.used:
            continue
        if (kfile := find_kustomization(directory)) is None or (unbuilt_only and real_text(kfile) in project.used):
            continue
        result = builder.build(directory)
        inputs = result.used | result.missing | plan.deployers.get(real_text(directory), set())
        app = App(display_path(directory), directory, result.resources, result.helm_values, inputs)
        for finding in result.findings:
            finding.app = app.name
        mode, _, option = render.partition("+")  # "kubectl+helm": --enable-helm as well
        if mode in ("kubectl", "verify") and not result.remote:
            # Never with remote resources: kubectl would fetch them (a pull request could make CI
            # reach any host); they are reported by the build and block on their own.
            from torghut_lint.kustomize.render import helm_renders, render_with_kubectl, verify

            helm = option == "helm"
            rendered = render_with_kubectl(directory, result, plan.sources.boundary, project.findings, helm)
            if rendered is not result.resources:  # kubectl rendered it: what the built-in renderer
                # could not model no longer matters, the policies read kustomize's own output
                dropped = {"kustomize-unsupported", "kustomize-too-complex"}
                if helm_renders(result, helm):  # the charts were rendered too
                    dropped |= {"kustomize-helm-not-rendered", "kustomize-patch-unmatched"}
                result.findings = [f for f in result.findings if f.rule not in dropped]
                result.sort_options = {"order": "fifo"}  # kubectl's output is in the order it prints
                if mode == "verify":
                    verify(directory, result.resources, rendered, project.findings)
            app.resources = rendered
        app.written = _written(plan.sources, result.used, app.resources)
        app.as_written = result.as_written
        app.sort_options = result.sort_options
        app.rendered = True
        app_path = real(directory).as_posix()
        for res in app.resources:
            res.app, res.app_path = app.name, app_path
        project.apps.append(app)
        project.findings.extend(result.findings)
        project.margins += result.margins
        project.used.update(map(str, result.used))
    _account_parsed(plan.sources, project)


def _written(sources: SourceFiles, used: set[Path], rendered: list[Resource]) -> list[tuple[Path, Resource]]:
    """The objects (and patches) of the manifests a build read, as their documents were parsed,
    whose values the rendered objects do not all hold at the same place (see ``App.written``).
    Most documents are an object rendered as written, or with values added (a namespace, labels):
    compared whole first, field by field only where they differ."""
    by_node = {id(r.node): r.data for r in rendered}
    out: list[tuple[Path, Resource]] = []
    for path in used:
        parsed = sources.cached(path)
        if parsed is None or path.name in KUSTOMIZATION_NAMES:  # build input: its generators render
            continue
        changed = [
            doc
            for doc in parsed.documents
            if isinstance(doc.data, dict) and not holds(by_node.get(id(doc.node)), doc.data)
        ]
        if changed:
            out += [(path, res) for res in resources_of(ParsedFile(parsed.path, changed), [])]
    return out


HELD_LIST_ITEMS = 64  # a longer list that changed is read again whole rather than matched item by item


def holds(have: object, want: object) -> bool:
    """Whether ``have`` holds every value of ``want`` at the same place (more values may be
    added; a list's items anywhere in it, as merges reorder them)."""
    if have == want:
        return True
    if isinstance(want, dict):
        return isinstance(have, dict) and all(k in have and holds(have[k], v) for k, v in want.items())
    if isinstance(want, list) and isinstance(have, list) and len(want) <= HELD_LIST_ITEMS:
        return all(any(holds(h, w) for h in have) for w in want)
    return False


def build_plain(plan: Plan, directory: Path, project: Project) -> None:
    """The directory-type application of ``directory``: its files that no build used (every file,
    where an Application deploys it), as they are."""
    applied = plan.applied.get(directory)
    files = [p for p in plan.plain[directory] if applied is not None or real_text(p) not in project.used]
    if files:
        deployers = {Path(f) for f in plan.deployers.get(applied, ())} if applied is not None else set()
        app = App(display_path(directory), directory, inputs={real(p) for p in files} | deployers)
        app_path = real(directory).as_posix()
        for path in files:
            parsed = _parsed(plan, path, project)
            # not applied, and still in the repository: read for secrets
            if _json_data(path, parsed) or path in plan.skipped or _ignored_yaml(path, parsed):
                project.texts += _loose_texts([path], project)
                continue
            project.findings += split_findings(parsed, "manifest-invalid", "Argo CD")
            project.findings += json_findings(
                json_problems(parsed.documents, v2=True), "manifest-invalid", "Argo CD cannot apply this"
            )
            for res in resources_of(_as_argocd_reads(parsed), project.findings):
                res.app, res.app_path = app.name, app_path
                app.resources.append(res)
        project.apps.append(app)
    _account_parsed(plan.sources, project)


def _as_argocd_reads(parsed: ParsedFile) -> ParsedFile:
    """A directory application's file as Argo CD reads it (sigs.k8s.io/yaml, go-yaml v2): YAML 1.1's
    booleans (``on``, ``yes``, ``y``) are booleans, a number or boolean key is its text (``on:`` is
    ``"true"``), a timestamp is kept as written. A copy: the parsed file is the plan's."""
    documents = []
    for doc in parsed.documents:
        if doc.data is not None:
            node = as_yaml11(doc.node)
            doc = Document(node, to_data(node), doc.index)
        documents.append(doc)
    return ParsedFile(parsed.path, documents, parsed.findings)


# What Argo CD's directory source looks for in a YAML file it cannot read as objects: with all of
# them it is a manifest in error (the sync fails), without them unrelated YAML it leaves out. With
# any of them the linter takes it for a manifest written wrong (a list of objects), as it did.
_MANIFEST_WORDS = (b"apiVersion:", b"kind:", b"metadata:")


def _ignored_yaml(path: Path, parsed: ParsedFile) -> bool:
    """A YAML file a directory application's Argo CD leaves out (getObjsFromYAMLOrJSON): parsed,
    its first document that is not empty no object (a mapping without a ``kind`` fails to decode),
    and its text without any of :data:`_MANIFEST_WORDS` (a CI workflow, a docs configuration, a
    chart's values; Argo CD leaves out one without all of them). A file an object comes first in is
    refused at the next one; one the parser refuses is not judged here (go-yaml may read it
    otherwise)."""
    if path.suffix == ".json" or not parsed.ok or parsed.findings:
        return False
    first = next((d.data for d in parsed.documents if d.data is not None), None)
    if first is None or (isinstance(first, dict) and isinstance(first.get("kind"), str) and first["kind"]):
        return False
    data = read_source(path, "")
    return isinstance(data, bytes) and not any(word in data for word in _MANIFEST_WORDS)


def _json_data(path: Path, parsed: ParsedFile) -> bool:
    """A JSON file that holds no Kubernetes object is data (a dashboard, a baseline, a report),
    not a manifest: neither an orphan nor part of a directory application."""
    return path.suffix == ".json" and not any(
        isinstance(d.data, dict) and d.data.get("apiVersion") and d.data.get("kind") for d in parsed.documents
    )


ORPHAN_BATCH = 2_000  # orphaned resources handed to ``flush`` at a time
PLAN_BATCH = 500  # kustomization files the plan holds parsed at a time


def finish(
    plan: Plan,
    project: Project,
    render: str,
    plain: list[Path],
    flush: Callable[[list[Resource]], None] | None = None,
) -> None:
    """What only the whole picture decides, once every application is built: kustomizations
    no application reached, orphans below a kustomization, and the directory-type applications
    in ``plain`` (those not built yet, or built before a kustomization turned out to use them).

    With ``flush``, orphaned resources are handed over (and their parses released) every
    :data:`ORPHAN_BATCH`, so a tree full of orphans is held a batch at a time."""
    build_apps(plan, plan.referenced, project, render, unbuilt_only=True)
    for path in plan.files:
        resolved = real_text(path)
        if resolved in project.used:
            if resolved not in project.parsed:  # read as data (a generator's file): still YAML
                _parsed(plan, path, project)
            continue
        if path not in plan.governing:  # a directory-type application's
            continue
        parsed = _parsed(plan, path, project)
        if _json_data(path, parsed):  # not applied, and still in the repository: read for secrets
            project.texts += _loose_texts([path], project)
            continue
        if parsed.documents and parsed.ok:
            kfile = find_kustomization(plan.governing[path])
            if kfile is not None and real_text(kfile) == resolved:
                message = f"the application at {display_path(plan.root)} does not include this kustomization; "
                message += "Argo CD never builds it"
            else:
                kdisp = display_path(kfile) if kfile else "?"
                message = f"no kustomization includes this file (nearest: {kdisp}); Argo CD never applies it"
            project.findings.append(builtin_finding("kustomize-orphan", message, Location(display_path(path), 1, 1)))
            orphaned = resources_of(parsed, [])
            if not orphaned:  # data (values, settings), not objects: still in the repository, read for secrets
                project.texts += _loose_texts([path], project)
            project.orphans.extend(orphaned)
            if flush is not None and len(project.orphans) >= ORPHAN_BATCH:
                flush(project.orphans)
                project.orphans = []
        if len(plan.sources) >= PLAN_BATCH:  # orphans and data files: their parses are done with
            _account_parsed(plan.sources, project)
            plan.sources.release()
    for directory in plain:
        build_plain(plan, directory, project)
    _account_parsed(plan.sources, project)
    project.texts += _loose_texts(plan.texts, project)


def _loose_texts(paths: list[Path], project: Project) -> list[tuple[str, str]]:
    """(shown path, text) of each file read for credentials that no build read (a generator's
    input is scanned in what it makes), read as a manifest is (never blocking on a FIFO; one that
    cannot be read, or is over the size limit, a finding); nothing of one that is not text (a
    binary key is no plaintext)."""
    out: list[tuple[str, str]] = []
    for path in paths:
        if real_text(path) in project.used:
            continue
        if text_name(path.name) is None and _binary_or_stored(path):
            continue  # a file of no text kind: an image, an archive, a Git LFS object of one
        shown = display_path(path)
        data = read_source(path, shown)
        if isinstance(data, ParsedFile):
            project.findings += data.findings
            continue
        if lfs_pointer(data):  # (its credentials are in the repository all the same: unseen)
            project.findings.append(lfs_unseen(data, Location(shown)))
            continue
        if (text := text_of(data)) is not None:  # (binary: no plaintext)
            out.append((shown, text))
    return out


_HEAD = 8192


def _binary_or_stored(path: Path) -> bool:
    """Whether a file of no text kind is binary by its first 8 KiB (a NUL where no encoding puts
    one: :func:`~torghut_lint.parse.text_of`) or a Git LFS pointer (an image or an archive kept out
    of the repository, which holds no text to read): never read whole (it may be large)."""
    head = read_head(path, _HEAD)
    return head is not None and (text_of(head) is None or lfs_pointer(head))


def _account_parsed(sources: SourceFiles, project: Project) -> None:
    """Report the parse findings of the files parsed since the last call, once per project."""
    for key, parsed in sources.newly_parsed():
        _account(str(key), parsed, project)


def _account(key: str, parsed: ParsedFile, project: Project) -> None:
    """A file's parse findings and margins, reported once per project."""
    if key not in project.parsed:
        project.parsed.add(key)
        _report(parsed, project)


def _report(parsed: ParsedFile, project: Project) -> None:
    """A file's parse findings and margins, reported to ``project``."""
    project.findings.extend(parsed.findings)
    if parsed.comments or parsed.properties:
        project.margins.append((parsed.path, parsed.comments, parsed.properties))


def _parsed(plan: Plan, path: Path, project: Project) -> ParsedFile:
    """A file taken as it is (directory apps, orphans), its parse findings reported to ``project``
    even if another process or an abandoned application parsed it first."""
    parsed = plan.sources.get(path)
    _account(real_text(path), parsed, project)
    return parsed


def _unrendered_jsonnet(
    jsonnet: list[Path], governed: Callable[[str], str | None], chart_dirs: set[Path]
) -> list[Finding]:
    """``jsonnet-not-rendered`` for each .jsonnet file of a directory application: Argo CD
    evaluates it and applies its output; kustomize and Helm do not read one."""
    charted = _chart_candidates(jsonnet, chart_dirs)
    message = (
        "Argo CD evaluates a directory application's Jsonnet and applies its output, which the linter does not render"
    )
    found = []
    for path in jsonnet:
        if path not in charted and governed(real_parent(path)) is None:
            finding = builtin_finding("jsonnet-not-rendered", message, Location(display_path(path), 1, 1))
            # what it evaluates is the identity: the file and the Jsonnet beside it (what it imports)
            finding.digest = content_digest(path) + content_digest(path.parent, (".jsonnet", ".libsonnet"))
            finding.reads = (real_text(path.parent),)
            found.append(finding)
    return found


def _chart_candidates(files: list[Path], chart_dirs: set[Path]) -> set[Path]:
    """Files below a chart directory (resolved paths): a prefix test against every chart would
    cost files x charts."""
    if not chart_dirs:
        return set()
    chart_of = _nearest_above({str(d) for d in chart_dirs})
    return {p for p in files if chart_of(real_parent(p)) is not None}


def _helm_chart_file(path: Path, chart_dirs: set[Path], project: Project, templates: list[Path]) -> bool:
    """Files of a Helm chart are Helm's: templates are reported as not rendered (and added to
    ``templates``: a credential written in one is in the repository in clear all the same, read as
    a loose file is), values files are scanned for secrets, nothing is an orphan or a manifest. A
    chart directory that also holds a kustomization is a kustomize application (Argo CD checks
    kustomization last)."""
    resolved = real(path)
    chart = next((d for d in resolved.parents if d in chart_dirs), None)
    if chart is None:
        return False
    if path.name == "Chart.yaml":
        return True
    in_templates = (chart / "templates") in resolved.parents
    if not in_templates and not path.name.startswith("values") and find_kustomization(chart) is not None:
        # Argo CD's source detection: a kustomization wins over Chart.yaml in one directory, so
        # the directory's manifests are kustomize's (the chart's templates and values stay Helm's)
        return False
    if in_templates:
        templates.append(path)
        finding = builtin_finding(
            "kustomize-helm-not-rendered",
            f"Helm template of chart {chart.name} is not rendered offline; not linted",
            Location(display_path(path)),
        )
        # the whole chart (templates, values, Chart.yaml) is what renders: a change to any is new
        if chart not in project.chart_digests:
            project.chart_digests[chart] = content_digest(chart)
        finding.digest, finding.reads = project.chart_digests[chart], (real_text(chart),)
        project.findings.append(finding)
        return True
    project.values_files.append(path)  # read when checked, a batch at a time (helm_values_apps)
    return True


def helm_values_apps(paths: list[Path]) -> Project:
    """Helm values files as applications of their own (their values are scanned for secrets),
    with their parse findings."""
    project = Project()
    for path in paths:
        parsed = parse_file(path, display_path(path))
        _report(parsed, project)
        project.apps.append(App(display_path(path), path.parent, helm_values=parsed.documents))
    return project


def _nearest_above(marked: set[str], root: str | None = None) -> Callable[[str], str | None]:
    """For a resolved directory (text), the nearest of ``marked`` at or above it, looking no higher
    than ``root`` when one is given; None when there is none. Decided once per directory, each
    from its parent's answer (files share directories; no recursion: trees can be deep)."""
    known: dict[str, str | None] = {d: d for d in marked}
    inside = None if root is None else root + os.sep  # what a directory below the root starts with

    def nearest(directory: str) -> str | None:
        unknown = []  # up to the nearest directory already decided
        found = None
        while directory not in known:
            unknown.append(directory)
            parent = os.path.dirname(directory)
            if parent == directory or (inside is not None and not directory.startswith(inside)):
                break  # the top of the filesystem, or the root (or what is outside it) reached
            directory = parent
        else:
            found = known[directory]
        for each in unknown:
            known[each] = found
        return found

    return nearest
