"""``torghut-lint-cmp``: the ``generate`` command of an Argo CD Config Management Plugin.

Argo CD runs it in the application's source directory (``ARGOCD_APP_SOURCE_PATH`` inside the
repository checkout) with stdin closed. It lints the application; only if nothing blocks does it
print the rendered manifests (``kubectl kustomize``, or ``kustomize build``) on stdout. Findings
go to stderr and a failing lint exits non-zero, so Argo CD refuses to sync.

Extra linter arguments come from ``TORGHUT_LINT_ARGS`` (the sidecar's env, which the platform
installs: ``--enable-helm``, for one) and ``ARGOCD_ENV_TORGHUT_LINT_ARGS`` (an Application's plugin
env, which Argo CD prefixes): the Application is a manifest a pull request edits, so it may only
make the check stricter (``--fail-on warning``, ``-v``); anything else from it is refused, and
nothing is rendered. ``.torghut-lint.yaml`` is read from the repository root."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from torghut_lint import cli
from torghut_lint.argocd import PLUGIN_ENV, refused_application_args
from torghut_lint.cli import main as lint_main
from torghut_lint.kustomize.render import kustomize_command
from torghut_lint.report.text import escape_text
from torghut_lint.secrets import SCRUB

RENDER_TIMEOUT_SECONDS = 300
# Written in a manifest (the PreSync hook Job's GIT_REVISION), replaced in the rendered stream by
# the commit being synced (ARGOCD_APP_REVISION): a hex commit id, so the substitution cannot change
# the YAML's structure. Nothing else in the rendering is altered.
REVISION_MARK = b"__ARGOCD_APP_REVISION__"


def repository_root(cwd: Path, source_path: str) -> Path:
    """The checkout root: ``cwd`` minus ``ARGOCD_APP_SOURCE_PATH``."""
    depth = len([p for p in Path(source_path).parts if p not in ("", ".")])
    root = cwd
    for _ in range(depth):
        root = root.parent
    return root


def render_command() -> list[str] | None:
    """What renders the manifests Argo CD applies: the kustomize the lint's ``--render kubectl``
    ran (:func:`~torghut_lint.kustomize.render.kustomize_command`), so the stream printed is the
    stream checked."""
    command = kustomize_command()
    return None if command is None else [*command, "."]


def main() -> int:
    app = os.environ.get("ARGOCD_APP_NAME", "application")
    cwd = Path.cwd()
    root = repository_root(cwd, os.environ.get("ARGOCD_APP_SOURCE_PATH", "."))
    args = ["lint", ".", "--color", "never", "--repo-root", str(root)]
    if kustomize_command() is not None:  # the gate checks kustomize's own output
        args += ["--render", "kubectl"]
    # Argo CD's build environment names the destination cluster's version (KUBE_VERSION, e.g.
    # 1.31.4): its core schemas are used (the newest bundled at or below it); flags win.
    kube = re.match(r"v?(\d+)\.(\d+)", os.environ.get("KUBE_VERSION", ""))
    if kube:
        args += ["--kubernetes-version", f"{kube[1]}.{kube[2]}"]
    # The sidecar's own env first, then the Application's plugin env (Argo CD prefixes it with
    # ARGOCD_ENV_), which may only make the check stricter.
    try:
        args += shlex.split(os.environ.get(PLUGIN_ENV, ""))
    except ValueError:
        print(
            f"torghut-lint: refusing to render {app}: the sidecar's {PLUGIN_ENV} has an unclosed quote", file=sys.stderr
        )
        return 2
    application = os.environ.get(f"ARGOCD_ENV_{PLUGIN_ENV}", "")
    if refused := refused_application_args(application):
        print(
            f"torghut-lint: refusing to render {app}: its plugin env {PLUGIN_ENV} gives {', '.join(refused)}; an "
            "Application (a manifest a pull request edits) may only make the check stricter (--fail-on, -v): "
            f"set the rest in the sidecar's own {PLUGIN_ENV}",
            file=sys.stderr,
        )
        return 2
    args += shlex.split(application)
    config = root / ".torghut-lint.yaml"
    if config.is_file() and "--config" not in args:
        args += ["--config", str(config)]
    with contextlib.redirect_stdout(sys.stderr):
        code = lint_main(args)
    if code != 0:
        print(f"torghut-lint: refusing to render {app}: the lint failed (exit {code})", file=sys.stderr)
        return code
    command = render_command()
    if command is not None and "--enable-helm" in args:  # render what was linted: the charts too
        command = [*command[:-1], "--enable-helm", command[-1]]
    if command is None:
        print("torghut-lint: neither kustomize nor kubectl is installed in the plugin image", file=sys.stderr)
        return 2
    proc = subprocess.run(command, capture_output=True, timeout=RENDER_TIMEOUT_SECONDS, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        # Argo CD shows this in its UI: kustomize quotes literals and URLs in its errors.
        redactor = cli.last_redactor or SCRUB
        sys.stderr.write(escape_text(redactor(proc.stderr.decode("utf-8", errors="replace"))))
        print(f"torghut-lint: rendering {app} failed", file=sys.stderr)
        return 1
    rendered = proc.stdout
    if REVISION_MARK in rendered:
        revision = os.environ.get("ARGOCD_APP_REVISION", "")
        if not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", revision):
            print(
                f"torghut-lint: refusing to render {app}: the manifests ask for the revision being synced "
                f"({REVISION_MARK.decode()}) and ARGOCD_APP_REVISION is not a commit id",
                file=sys.stderr,
            )
            return 1
        rendered = rendered.replace(REVISION_MARK, revision.encode())
    sys.stdout.buffer.write(rendered)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
