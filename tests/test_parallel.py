"""Large trees are checked on two forked processes; the report must be identical to one process."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import APP, BASE_TREE, run_cli


def test_two_processes_report_exactly_what_one_does(tmp_path: Path) -> None:
    for i in range(30):  # 30 apps x 16 resources: above the parallel threshold
        app = tmp_path / f"app-{i:02d}"
        shutil.copytree(BASE_TREE / APP, app)
        if i % 3 == 0:  # give some of them findings
            ws = app / "ws" / "deployment.yaml"
            ws.write_text(ws.read_text().replace("replicas: 1", "replicas: 2"))
    formats = ["--format", "json", "--format", "junit", "--output", "junit.xml", "--format", "sarif", "--output"]
    one = run_cli(*formats, "one.sarif", ".", cwd=tmp_path, env={"TORGHUT_LINT_JOBS": "1"})
    one_junit = (tmp_path / "junit.xml").read_text()
    two = run_cli(*formats, "two.sarif", ".", cwd=tmp_path, env={"TORGHUT_LINT_JOBS": "2"})
    assert one.json["summary"]["resources"] == 480
    assert one.stdout == two.stdout
    assert one_junit == (tmp_path / "junit.xml").read_text()
    assert (tmp_path / "one.sarif").read_text() == (tmp_path / "two.sarif").read_text()
    assert one.json["summary"]["blocking"] == 10
    kinds = [f for f in one.json["findings"] if f["rule"] == "schema-missing"]
    assert len(kinds) == len({(f["resource"]["apiVersion"], f["resource"]["kind"]) for f in kinds}) == 6


def test_a_failed_child_share_is_redone_in_the_calling_process() -> None:
    import os

    from torghut_lint.parallel import run_shares

    parent = os.getpid()

    def work(share: int) -> tuple[int, bool]:
        if share == 2 and os.getpid() != parent:
            os._exit(9)  # the child dies without a result
        return share * 10, os.getpid() == parent

    assert run_shares(work, [1, 2, 3]) == [(10, True), (20, True), (30, False)]
