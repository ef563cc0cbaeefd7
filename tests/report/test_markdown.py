"""The job summary: verdict, counts per rule, every finding within GitHub's size cap, switches
and storage as set, and nothing from the tree rendered as Markdown or HTML."""

from __future__ import annotations

from pathlib import Path

from reports import finding, report_of

from conftest import APP, run_cli
from torghut_lint.model import Severity
from torghut_lint.report import render
from torghut_lint.report.markdown import BUDGET


def test_summary_shows_switches_and_storage_against_budgets(repo: Path) -> None:
    config = repo / APP / "trading-configmap.yaml"
    config.write_text(config.read_text().replace('TRADING_LIVE_ENABLED: "false"', 'TRADING_LIVE_ENABLED: "true"'))
    result = run_cli("--format", "markdown", cwd=repo)
    assert result.code == 1
    text = result.stdout
    assert text.startswith("## torghut-lint: ❌ 1 blocking finding(s)\n")
    assert "| live-trading-default-off | error | 1 | 1 | 0 |" in text
    assert "### Live-trading switches" in text and "### Storage per volume" in text
    switch = next(line for line in text.splitlines() if "TRADING&#95;LIVE&#95;ENABLED in ConfigMap" in line)
    assert switch.startswith("| ❌ |") and "| true | false |" in switch
    assert f"{APP}/trading-configmap.yaml:10 |" in switch
    volume = next(line for line in text.splitlines() if "volumeClaimTemplate chi-data" in line)
    assert volume.startswith("| ✅ |") and "| 2 x 20Gi = 40Gi | 20Gi per replica |" in volume
    assert "| ✅ | application total | 46Gi | 100Gi in all |" in text


def test_nothing_from_the_tree_is_markup(tmp_path: Path) -> None:
    evil = finding(f"{tmp_path}/a|b.yaml", 1, message="<img src=x onerror=alert(1)> | [x](http://e) @org/team `c`\n# h")
    text = render("markdown", report_of([evil], tmp_path))
    row = next(line for line in text.splitlines() if "onerror" in line)
    assert "<" not in row and "[" not in row and "@" not in row and "`" not in row
    assert row.count("|") == 5  # four cells: the tree's pipes are entities
    assert "\n# h" not in text


def test_every_finding_until_the_size_cap_then_the_count_left(tmp_path: Path) -> None:
    many = [finding(f"{tmp_path}/f{n:05}.yaml", 1, Severity.WARNING, message="x" * 200) for n in range(6000)]
    text = render("markdown", report_of(many, tmp_path))
    assert BUDGET - 1024 < len(text.encode()) < 1024 * 1024  # listed up to the budget, under GitHub's 1 MiB
    listed = sum(1 for line in text.splitlines() if line.startswith("| ⚠️ |"))
    assert f"| | | | {6000 - listed} more finding(s) not listed" in text
    small = render("markdown", report_of(many[:10], tmp_path))
    assert sum(1 for line in small.splitlines() if line.startswith("| ⚠️ |")) == 10
    assert "more finding(s) not listed" not in small
