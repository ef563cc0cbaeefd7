#!/usr/bin/env bash
# The pull-request check the GitHub Action runs (and the test suite runs locally): lint once,
# write SARIF (code scanning) and JUnit, annotate the PR, fail on blocking findings.
#
# Environment (all optional):
#   TORGHUT_LINT_PATHS   paths to lint (default: argocd/applications/torghut)
#   TORGHUT_LINT_BASE    the pull request's base (default: origin/$GITHUB_BASE_REF when set): the
#                        config, policies and baseline are read from it (--trusted-config), and
#                        only findings the change adds are reported (--new-since, the
#                        differential gate: no baseline file the change could edit)
#   TORGHUT_LINT_DIFFERENTIAL  0 to report every finding of the tree, not only the change's
#   TORGHUT_LINT_SARIF   SARIF output file (default: torghut-lint.sarif)
#   TORGHUT_LINT_JUNIT   JUnit output file (default: torghut-lint.junit.xml)
#   TORGHUT_LINT_ARGS    extra arguments (e.g. "--fail-on warning --baseline .torghut-lint-baseline.json")
#   TORGHUT_LINT_RENDER  kustomize renderer: kubectl (default when kubectl is installed: the gate
#                        checks what kustomize renders), verify, or builtin
#   GITHUB_OUTPUT        when set, receives exit-code=<n>, and sarif=<file> / junit=<file> for the
#                        reports that were written
#   GITHUB_STEP_SUMMARY  when set, the job summary (--format markdown: verdict, counts per rule,
#                        every finding, live-trading switches, storage per volume) is appended to it
set -uo pipefail

paths=${TORGHUT_LINT_PATHS:-argocd/applications/torghut}
sarif=${TORGHUT_LINT_SARIF:-torghut-lint.sarif}
junit=${TORGHUT_LINT_JUNIT:-torghut-lint.junit.xml}
base=${TORGHUT_LINT_BASE:-}
if [ -z "$base" ] && [ -n "${GITHUB_BASE_REF:-}" ]; then
  base="origin/${GITHUB_BASE_REF}"
fi

render=${TORGHUT_LINT_RENDER:-}
if [ -z "$render" ]; then
  if command -v kubectl >/dev/null 2>&1 || command -v kustomize >/dev/null 2>&1; then render=kubectl; else render=builtin; fi
fi
summary=$(mktemp "${TMPDIR:-/tmp}/torghut-lint-summary.XXXXXX")
trap 'rm -f "$summary"' EXIT
rm -f "$sarif" "$junit"  # a report left from an earlier run must not pass for this one's
args=(--render "$render" --format github --format sarif --output "$sarif" --format junit --output "$junit"
      --format markdown --output "$summary")
if [ -n "$base" ]; then
  args+=(--trusted-config "$base")
  if [ "${TORGHUT_LINT_DIFFERENTIAL:-1}" != "0" ]; then
    args+=(--new-since "$base")
  fi
fi
# TORGHUT_LINT_ARGS is split as a shell would (quotes kept: a path with a space stays one
# argument), without evaluating anything
extra=()
if [ -n "${TORGHUT_LINT_ARGS:-}" ]; then
  mapfile -d '' extra < <(python3 -c 'import os, shlex, sys; sys.stdout.write("".join(a + "\0" for a in shlex.split(os.environ["TORGHUT_LINT_ARGS"])))')
fi
# shellcheck disable=SC2086
torghut-lint "${args[@]}" "${extra[@]}" $paths
code=$?

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  if [ -s "$summary" ]; then
    cat "$summary" >> "$GITHUB_STEP_SUMMARY"
  else
    printf '## torghut-lint: could not lint (exit %s)\n\nThe reason is in the log of this step.\n' "$code" >> "$GITHUB_STEP_SUMMARY"
  fi
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "exit-code=$code"
    if [ -s "$sarif" ]; then echo "sarif=$sarif"; fi
    if [ -s "$junit" ]; then echo "junit=$junit"; fi
  } >> "$GITHUB_OUTPUT"
fi
exit "$code"
