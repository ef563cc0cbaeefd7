"""Rules raised by the loader itself (parsing, kustomize assembly, waivers), not by policies.

They are listed, explained and configurable like policy rules; only their logic lives in code.
"""

from __future__ import annotations

from dataclasses import dataclass

from torghut_lint.model import Finding, Location, ResourceId, Severity


@dataclass(frozen=True)
class BuiltinRule:
    id: str
    severity: Severity
    description: str
    rationale: str
    fix: str


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

BUILTIN_RULES: dict[str, BuiltinRule] = {
    r.id: r
    for r in [
        BuiltinRule(
            "yaml-syntax",
            _E,
            "A file does not parse as YAML (or is not text).",
            "Argo CD refuses the whole application when one file does not parse.",
            "Fix the YAML at the reported line; `python -c 'import yaml'` shows the same error.",
        ),
        BuiltinRule(
            "yaml-duplicate-key",
            _E,
            "A mapping repeats a key.",
            "Kubernetes silently keeps one of the values; the other edit is lost.",
            "Delete one of the two entries.",
        ),
        BuiltinRule(
            "yaml-too-large",
            _E,
            "A file is over the size limit and was not linted.",
            "Unbounded input would let one file stall the gate; it is reported instead.",
            "Split the file, or lint it separately with care.",
        ),
        BuiltinRule(
            "yaml-too-complex",
            _E,
            "A document expands past the node or depth limit.",
            "Alias bombs and pathological nesting would exhaust memory in CI and in Argo CD.",
            "Remove the alias chain or the nesting.",
        ),
        BuiltinRule(
            "file-unreadable",
            _E,
            "A file or directory could not be read.",
            "A manifest the linter cannot read is a manifest nobody checked.",
            "Fix the permissions or the dangling symlink.",
        ),
        BuiltinRule(
            "jsonnet-not-rendered",
            _E,
            "A .jsonnet file of a directory application (no kustomization or Helm chart governs it).",
            "Argo CD evaluates the Jsonnet files of a directory application and applies what they output; the "
            "linter does not evaluate Jsonnet, so it would pass manifests it never saw.",
            "Write the manifests as YAML (or render them with kustomize), or move the file out of the "
            "application's directory.",
        ),
        BuiltinRule(
            "submodule-not-checked-out",
            _E,
            "A git submodule in the linted tree is not checked out (its directory is empty).",
            "Argo CD checks submodules out (ARGOCD_GIT_MODULES_ENABLED, on by default) and applies the manifests "
            "they hold; a checkout without them shows the linter an empty directory, so the gate would pass what "
            "it never read.",
            "Check submodules out before linting (actions/checkout: submodules: recursive; git submodule update "
            "--init --recursive), or remove the submodule.",
        ),
        BuiltinRule(
            "file-outside-root",
            _W,
            "A symlink leads outside the linted tree.",
            "Following it could read files the repository does not own.",
            "Replace the symlink with the file, or lint the target tree directly.",
        ),
        BuiltinRule(
            "manifest-outside-root",
            _E,
            "A symlink named like a manifest (.yaml, .yml, .json) leads outside the linted tree.",
            "Argo CD applies the manifest a link leads to anywhere in the repository (and fails the "
            "application for a link out of it); the linter does not follow it, so the manifest would ship "
            "unchecked.",
            "Replace the symlink with the file, or lint the tree that holds its target.",
        ),
        BuiltinRule(
            "argocd-source-override",
            _E,
            "An .argocd-source.yaml (or .argocd-source-<app>.yaml), or an Application or ApplicationSet source, "
            "overrides how Argo CD renders a path of the repository (kustomize parameters, another kustomize "
            "version or plugin; an explicit directory or helm type on a path with a kustomization; a file whose "
            "name ends in Chart.yaml and sorts after the kustomization; a chart rendered with a values file of "
            "the repository through a ref source), keeps fields of it from being applied "
            "(RespectIgnoreDifferences with ignoreDifferences), or gives "
            "torghut-lint's plugin arguments that could weaken its check at sync; or (with --trusted-config) the "
            "change edits Argo CD's own settings, repo-server or plugins where Argo CD manages itself from the "
            "repository.",
            "Argo CD merges the file's kustomize, helm, directory or plugin parameters into the application's "
            "source before rendering (patches, images, replicas, name prefixes...); the linter does not apply "
            "them, so what Argo CD deploys would not be what was checked. With RespectIgnoreDifferences the "
            "fields ignoreDifferences lists keep the cluster's values, which no linter sees (a websocket scaled "
            "by hand stays scaled). An Application is a manifest a pull request edits: its plugin env may only "
            "make the check stricter, and the plugin refuses the rest. Argo CD renders every application with its "
            "settings' build options and kustomize binaries (--helm-command, kustomize.path.<version>) and its "
            "plugins: a change to them changes what it deploys of a tree the gate checked unchanged.",
            "Move the parameters into the kustomization (patches, images, replicas), or lower this rule in the "
            "trusted config where the file only pins images an image updater writes; drop RespectIgnoreDifferences "
            "or keep the fields it covers out of what the policies judge; give the plugin's other arguments in "
            "the sidecar's own env; change Argo CD's settings in a pull request of their own, reviewed as such "
            "(a central waiver of the file in the trusted config passes it once reviewed); drop directory or helm "
            "from a kustomize source, rename a *Chart.yaml that is no chart; name a kustomize version shown to "
            "render as kubectl's in argocd.kustomizeVersions.",
        ),
        BuiltinRule(
            "manifest-invalid",
            _E,
            "A document is not a Kubernetes object (no apiVersion, kind or metadata.name), or holds a plain "
            "scalar JSON cannot (`.inf`, `.nan`, a null key).",
            "Argo CD fails the sync on such a document.",
            "Give the document apiVersion, kind and metadata.name, or remove it; quote the scalar.",
        ),
        BuiltinRule(
            "kustomize-missing-resource",
            _E,
            "A kustomization lists a resource that does not exist.",
            "kustomize build fails, so Argo CD cannot render the application at all.",
            "Fix the path or remove the entry.",
        ),
        BuiltinRule(
            "kustomize-orphan",
            _W,
            "A manifest file that no kustomization reaches.",
            "Argo CD never applies it: an edit there (a fix, a rollback) silently does nothing.",
            "Add it to the kustomization's resources, or delete it.",
        ),
        BuiltinRule(
            "kustomize-helm-not-rendered",
            _E,
            "A Helm chart (a helmCharts entry, or a chart's templates) is not rendered here; its manifests "
            "are not linted.",
            "A gate that cannot see the chart's output must not pass it: Argo CD renders and applies it.",
            "Render it: `--render kubectl --enable-helm` with helm installed and the chart kept in the repository "
            "(charts/<name>), as Argo CD's kustomize.buildOptions --enable-helm does; or, having reviewed the chart, "
            "lower the rule in the trusted config (rules: {kustomize-helm-not-rendered: {severity: warning}}).",
        ),
        BuiltinRule(
            "admission-policy-invalid",
            _E,
            "A ValidatingAdmissionPolicy or binding in the tree cannot be evaluated offline.",
            "An expression that does not compile, a binding without validationActions or of a policy the tree "
            "does not have, a second policy of one name unlike the first (the cluster holds one of them): "
            "admission would fail or enforce nothing, and the gate cannot check the rule.",
            "Fix the expression (the message quotes CEL's error) or the binding.",
        ),
        BuiltinRule(
            "admission-mutation",
            _E,
            "A mutating admission policy in the tree (a MutatingAdmissionPolicy, a Kyverno policy with a mutate "
            "or generate rule) changes or makes objects as the cluster admits them.",
            "The cluster runs what the policy makes of the manifests, which the linter does not apply: a "
            "mutation setting TRADING_MODE=live on Torghut's pods passes every check of the Deployment.",
            "Make the change in the manifests; or, where the mutation is reviewed and cannot touch what the "
            "policies guard, waive the finding (or lower the rule in the trusted config).",
        ),
        BuiltinRule(
            "kustomize-cycle",
            _E,
            "Kustomizations include each other in a cycle.",
            "kustomize build fails on a cycle.",
            "Break the cycle.",
        ),
        BuiltinRule(
            "kustomize-outside-root",
            _E,
            "A kustomization points outside the repository; not followed.",
            "Rendering must not depend on files the repository does not control.",
            "Vendor the resource into the repository.",
        ),
        BuiltinRule(
            "kustomize-load-restricted",
            _E,
            "A kustomization loads a file outside its own directory, which kustomize's default load "
            "restrictor (LoadRestrictionsRootOnly, as Argo CD runs it) refuses.",
            "The sync would fail on a build the gate rendered; only directories (other kustomizations) "
            "may be referenced from outside.",
            "Move the file below the kustomization, or make its directory a kustomization and list that; "
            "where Argo CD runs kustomize with --load-restrictor LoadRestrictionsNone, turn this rule off in "
            "the trusted config (the file is rendered either way).",
        ),
        BuiltinRule(
            "kustomize-remote-resource",
            _E,
            "A kustomization pulls a remote (URL or git) resource; not fetched or linted.",
            "Remote bases change under you and are invisible to the gate; a gate that cannot see "
            "what it would deploy must not say yes.",
            "Vendor the resource, or pin it by commit and waive.",
        ),
        BuiltinRule(
            "kustomize-patch-unmatched",
            _W,
            "A patch matches no resource.",
            "kustomize fails or silently ignores it; either way the intended change is missing.",
            "Fix the patch target (kind, name, namespace).",
        ),
        BuiltinRule(
            "kustomize-invalid",
            _E,
            "A kustomization field has the wrong shape (a list where a mapping is expected, ...), or a "
            "manifest it builds holds a plain scalar JSON cannot (a key that reads as a number, boolean, null or "
            "timestamp; `.inf`, `.nan`).",
            "kustomize refuses the file, so Argo CD cannot render the application.",
            "Fix the field to the shape the kustomization reference documents; quote the scalar.",
        ),
        BuiltinRule(
            "kustomize-patch-invalid",
            _E,
            "A patch cannot be applied.",
            "kustomize build fails on it.",
            "Fix the patch.",
        ),
        BuiltinRule(
            "kustomize-unsupported",
            _E,
            "A kustomization feature the built-in renderer does not model (use --render kubectl).",
            "What the renderer does not model, the policies do not see: a violation carried by it "
            "would pass. The gate blocks instead of saying yes blind.",
            "Run with `--render kubectl` for exact rendering, or lower the rule's severity in the "
            "trusted config where the feature is known to be harmless.",
        ),
        BuiltinRule(
            "kustomize-input-truncated",
            _E,
            "An env file a generator reads holds a line of 64 KiB or more: kustomize stops reading it there.",
            "kustomize's line scanner gives up on a line that long and the build goes on without a word: that line "
            "and every line after it are in the repository, where a reviewer reads them, and not in what Argo CD "
            "deploys. The policies judge what is deployed; this says where the rest was dropped (a credential in "
            "clear among those lines is still reported where it is written).",
            "Shorten the line (a value that long belongs in a file source, `files:`), or move the lines after it "
            "above it.",
        ),
        BuiltinRule(
            "kustomize-too-complex",
            _E,
            "An application's build takes more steps than the limit (patches and generators times the resources "
            "they look up, merged keys, list items and labels, images times containers); it is not rendered.",
            "A few hundred kilobytes of patches can ask for billions of steps: kubectl kustomize runs for minutes "
            "and Argo CD's repo server gives up. The gate answers instead of hanging, and does not say yes to "
            "what it did not render.",
            "Target patches narrowly (a kind and name rather than a selector every object meets), patch fewer "
            "list items at once, or split the application.",
        ),
        BuiltinRule(
            "kustomize-render-mismatch",
            _E,
            "`--render verify`: the built-in renderer and `kubectl kustomize` disagree on a resource or field.",
            "Policies are only as right as the rendering they read; where the two renderers differ, "
            "the gate evaluates kubectl's and says where the built-in one is wrong.",
            "Report it (a built-in renderer bug), and use --render kubectl meanwhile.",
        ),
        BuiltinRule(
            "kustomize-render-failed",
            _E,
            "`kubectl kustomize` failed for an application.",
            "Argo CD would fail the same way.",
            "Run `kubectl kustomize DIR` and fix the error.",
        ),
        BuiltinRule(
            "schema-invalid",
            _E,
            "A field has the wrong type or value for its schema (core kinds and CRDs), or metadata the API server "
            "refuses whatever the kind (a label or annotation key that is no qualified name, a label value that is "
            "no label value, annotations over 256 KiB; a built-in workload's pod template's too).",
            "A number where Kubernetes wants a string, or an enum typo, fails the sync or changes behaviour; an "
            "object the API server refuses is never applied.",
            "Fix the value at the reported field; `torghut-lint explain schema-invalid`.",
        ),
        BuiltinRule(
            "schema-unknown-field",
            _E,
            "A field the schema does not know (strict mode): a typo or a block at the wrong path.",
            "A misspelled readinessProbe, or ClickHouse volumeClaimTemplates nested where the operator ignores "
            "them, silently change what gets deployed.",
            "Fix the spelling or move the block to the path the schema expects.",
        ),
        BuiltinRule(
            "schema-missing",
            _E,
            "A kind has no schema anywhere; its resources were not validated.",
            "A gate that cannot validate a kind must not pass it: a misspelled field of a custom resource is "
            "silently dropped by the API server. Said once per kind; once the kind is known to be harmless, the "
            "trusted config may lower it (rules: {schema-missing: {severity: warning}}).",
            "Point --schema-location at a CRDs-catalog checkout, pass --crd, or --ignore-missing-schemas.",
        ),
        BuiltinRule(
            "gate-config-changed",
            _E,
            "With --trusted-config: the change edits the linter's config or policy files, or a CRD of the tree whose "
            "schema validates a kind (one it edits, or one that replaces the schema the catalog gave the kind), or "
            "edits or removes a ValidatingAdmissionPolicy of the tree (a vap/ rule) or its bindings, or edits, adds "
            "or removes an object its bindings may read as params.",
            "A pull request must not weaken its own gate unnoticed: its edits to the config are ignored and shown; a "
            "CRD schema is what the cluster is given too, so it is applied and shown (a permissive one would pass "
            "every misplaced field of its kind); so is an admission policy and its params (a validation made true, "
            "a binding told to Audit, or a limit raised in the change that raises what it limits).",
            "Have the gate's owners review the change; it takes effect once merged.",
        ),
        BuiltinRule(
            "gate-waiver-added",
            _E,
            "With --trusted-config: the change adds a waiver annotation, extends one, or makes one cover a finding it "
            "did not cover at the base (another value or field: a worse one, say); or makes a waiver of the "
            "configuration cover another value or field of a resource whose findings it covered at the base, or a "
            "finding the base had unwaived (a file moved where a waiver's file glob selects it, a resource renamed "
            "where its name glob does).",
            "A waiver written by the change it waives is the easiest way around the gate.",
            "Have the rule's owners review the waiver (or raise this rule to error in the trusted config).",
        ),
        BuiltinRule(
            "argocd-source-moved",
            _E,
            "With --trusted-config: the change points an Application (or ApplicationSet) source of this "
            "repository at another repository or revision than it deployed from at the trusted ref, or points "
            "a source that deployed the linted paths (wherever its Application is in the repository) at "
            "another path; or adds a source that deploys the linted paths, or a directory into their "
            "namespaces, from a repository or revision the linted tree is not deployed from (a branch); or adds "
            "an ApplicationSet generator the linter cannot expand (pull requests, SCM providers, clusters, "
            "plugins, git files) whose template may deploy them.",
            "The gate lints the tree of the pull request; a source moved to a branch, a tag or a fork, or to a "
            "copy of the linted tree beside it, makes Argo CD deploy manifests the gate never saw.",
            "Keep the source on the revision and path the gate lints (or have the platform's owners review the "
            "move, and lint the new path).",
        ),
        BuiltinRule(
            "argocd-not-pruned",
            _E,
            "With --new-since or --trusted-config: the change removes (or renames) a workload a single-copy "
            "policy counts (one websocket, one trading loop) and keeps another, while no Application of the "
            "repository that deploys the linted paths prunes, or pruning is held back (the Application's "
            "syncOptions, or the old workload's argocd.argoproj.io/sync-options: Prune=false or Prune=confirm).",
            "Argo CD deletes what the repository no longer holds only with syncPolicy.automated.prune, and never "
            "an object whose sync options say Prune=false (Prune=confirm waits for someone to confirm): the old "
            "workload keeps running beside the new one, a second connection on the one Alpaca key or a second "
            "trading loop, which the linted tree no longer shows.",
            "Enable pruning on the Application (syncPolicy.automated.prune: true) and drop Prune=false from the old "
            "workload first, or delete the old workload in the same change window and waive this finding centrally "
            "for it.",
        ),
        BuiltinRule(
            "waiver-invalid",
            _E,
            "A waiver lacks a reason, owner or valid expiry, or is not allowed.",
            "A waiver must say who accepted which risk and until when.",
            'Write it as "reason=...; owner=...; expires=YYYY-MM-DD".',
        ),
        BuiltinRule(
            "waiver-expired",
            _E,
            "A waiver is past its expiry date and waives nothing.",
            "Accepted risks must be re-examined, not accepted forever.",
            "Fix the finding, or renew the waiver with a new date and reason.",
        ),
        BuiltinRule(
            "waiver-unused",
            _W,
            "A waiver matches no finding.",
            "Stale waivers hide the next real finding on the same resource.",
            "Delete the waiver.",
        ),
        BuiltinRule(
            "baseline-not-compared",
            _W,
            "Findings of credentials in clear were reported as new without being compared with the baseline.",
            "A baseline records each credential as a salted, deliberately slow digest; a run computes at most "
            "1,000 of them, so that thousands of credentials written where the baseline has some cannot stall "
            "the gate. The findings it did not compare are reported as new, never absorbed.",
            "Remove the credentials from the repository (they are the findings: a baseline is for adopting the "
            "gate, not for keeping thousands of credentials in clear), or waive them centrally by file.",
        ),
    ]
}


def builtin_finding(
    rule: str,
    message: str,
    location: Location,
    resource: ResourceId | None = None,
    field: str = "",
) -> Finding:
    """A finding of a built-in rule at its default severity."""
    return Finding(rule, BUILTIN_RULES[rule].severity, message, location, resource, field)
