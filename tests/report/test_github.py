"""GitHub annotations: capped as GitHub caps them, the change's files first, nothing hidden."""

from __future__ import annotations

from pathlib import Path

from reports import finding, report_of

from conftest import FIXTURES, run_cli
from torghut_lint.model import Severity
from torghut_lint.report import render

EXAMPLE = "drifted/argocd/applications/torghut"


def test_workflow_commands_use_paths_from_the_repository_root() -> None:
    lines = run_cli("--format", "github", EXAMPLE, cwd=FIXTURES).stdout.splitlines()  # run from a subdirectory
    ws = next(line for line in lines if "ws-single-replica" in line)
    assert ws.startswith(f"::error file=fixtures/{EXAMPLE}/ws-scale.patch.yaml,line=6,col=3,title=ws-single-replica::")
    orphan = next(line for line in lines if "kustomize-orphan" in line)
    assert orphan.startswith("::warning ")
    assert lines[-1].startswith("torghut-lint: 6 finding(s), 5 blocking")


def test_ten_per_level_the_changes_files_first_and_the_rest_said(tmp_path: Path) -> None:
    old = [finding(f"{tmp_path}/a-old.yaml", n) for n in range(1, 21)]
    mine = [finding(f"{tmp_path}/z-mine.yaml", n) for n in range(1, 6)]
    info = [finding(f"{tmp_path}/a-old.yaml", n, Severity.INFO, rule="i") for n in range(1, 4)]
    warned = [finding(f"{tmp_path}/z-mine.yaml", 9, Severity.WARNING, rule="w", waived=True)]
    report = report_of(old + mine + info + warned, tmp_path, changed={"z-mine.yaml"})
    lines = render("github", report).splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 10  # GitHub would drop an 11th silently
    assert all("file=z-mine.yaml" in line for line in errors[:5])  # the PR's own files first
    assert all("file=a-old.yaml" in line for line in errors[5:9])
    assert errors[9] == (
        "::error title=torghut-lint::16 more error finding(s) not annotated (GitHub shows 10 per level): "
        "they are in the log below and in the job summary"
    )
    notices = [line for line in lines if line.startswith("::notice ")]
    assert len(notices) == 3 and not any(line.startswith("::warning") for line in lines)  # waived: not annotated
    plain = [line for line in lines if not line.startswith("::")][:-1]
    assert len(plain) == 16 and plain[0] == "a-old.yaml:5:1: error r m"  # every finding is somewhere


def test_a_capped_level_never_drops_its_blocking_findings(tmp_path: Path) -> None:
    """Non-blocking findings in the PR's files do not push a blocking one out of the annotations."""
    noise = [finding(f"{tmp_path}/mine.yaml", n, Severity.WARNING, rule="w") for n in range(1, 30)]
    report = report_of([*noise, finding(f"{tmp_path}/other.yaml", 1)], tmp_path, changed={"mine.yaml"})
    report.fail_on = Severity.WARNING
    lines = render("github", report).splitlines()
    assert lines[0].startswith("::error file=other.yaml,line=1")


def test_tree_content_cannot_end_or_forge_a_command(tmp_path: Path) -> None:
    evil = finding(f"{tmp_path}/x,y:z.yaml", 1, message="a\n::error::forged%0A\x1b[31m")
    line = render("github", report_of([evil], tmp_path)).splitlines()[0]
    assert line == "::error file=x%2Cy%3Az.yaml,line=1,col=1,title=r::a%0A::error::forged%250A\\x1b[31m"
