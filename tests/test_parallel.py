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
    one = run_cli("--format", "json", ".", cwd=tmp_path, env={"TORGHUT_LINT_JOBS": "1"})
    two = run_cli("--format", "json", ".", cwd=tmp_path, env={"TORGHUT_LINT_JOBS": "2"})
    assert one.json["summary"]["resources"] == 480
    assert one.stdout == two.stdout
    assert one.json["summary"]["blocking"] == 10
    kinds = [f for f in one.json["findings"] if f["rule"] == "schema-missing"]
    assert len(kinds) == len({(f["resource"]["apiVersion"], f["resource"]["kind"]) for f in kinds}) == 6
