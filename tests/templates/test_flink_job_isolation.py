"""Template ``flink-job-isolation`` (torghut_lint/templates/flink_job_isolation.py): shared groups
found through an index, their findings bounded."""

from __future__ import annotations

from torghut_lint.model import Resource
from torghut_lint.parse import parse_bytes
from torghut_lint.templates import flink_job_isolation
from torghut_lint.templates.base import RuleContext

PARAMS = {
    "liveJobs": ["torghut-ta"],
    "groupIdEnv": "(^|_)GROUP_ID$",
    "groupIdConfig": "group\\.id$",
    "replayPatterns": ["replay"],
    "stateDirKeys": [],
}


def job(name: str, namespace: str, group: str) -> str:
    return (
        "apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\n"
        f"metadata: {{name: {name}, namespace: {namespace}}}\n"
        f"spec: {{job: {{jarURI: 'local:///j.jar', args: [--group-id, {group}]}}}}\n"
    )


def findings(text: str) -> list:
    found = [Resource(d.node, d.data) for d in parse_bytes(text.encode(), "jobs.yaml").documents]
    return list(flink_job_isolation.check(RuleContext(PARAMS, found, found, [])))


def test_a_group_shared_with_many_jobs_names_ten_and_counts_the_rest() -> None:
    live = job("torghut-ta", "live", "g")
    others = "".join("---\n" + job(f"copy-{i}", "sims", "g") for i in range(25))
    found = findings(live + others)
    assert len(found) == 11
    assert [v.message.split(" with ")[1].split(";")[0] for v in found[:2]] == [
        "FlinkDeployment copy-0",
        "FlinkDeployment copy-1",
    ]
    assert "15 more jobs" in found[-1].message


def test_many_live_jobs_sharing_one_group_stay_bounded() -> None:
    """300 jobs with the live name, one group: 300 x 11 findings, not 300 x 299."""
    text = "---\n".join(job("torghut-ta", f"n{i}", "g") for i in range(300))
    assert len(findings(text)) == 300 * 11


def test_groups_not_shared_are_not_findings() -> None:
    assert findings(job("torghut-ta", "live", "g1") + "---\n" + job("torghut-ta-sim", "sims", "g2")) == []
