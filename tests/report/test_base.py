"""What every format is given (report/base.py): findings redacted, then bounded."""

from __future__ import annotations

from pathlib import Path

from conftest import app_tree, run_cli
from torghut_lint.model import Finding, Location, Severity
from torghut_lint.report.base import MESSAGE_LIMIT, bounded, redact
from torghut_lint.secrets import Redactor


def test_a_message_quoting_a_huge_value_is_cut_in_the_middle() -> None:
    message = "TRADING_LIVE_ENABLED is '" + "a" * 50_000 + "'; it must be 'false'"
    shown = bounded(message)
    assert len(shown) < MESSAGE_LIMIT + 40
    assert shown.startswith("TRADING_LIVE_ENABLED is 'aaa") and shown.endswith("it must be 'false'")
    assert "characters not shown" in shown
    assert bounded("short") == "short"


def test_a_credential_across_the_cut_is_redacted_before_the_message_is_cut() -> None:
    secret = "Zq8vR2mX9pL4kT7wN3bY6cH1Zq8vR2mX9pL4kT7wN3bY6cH1"
    message = "x" * 330 + secret + "y" * 2000
    finding = Finding("r", Severity.ERROR, message, Location("f.yaml", 1, 1), secrets=(secret,))
    [masked] = redact([finding], Redactor([secret]))
    assert not any(secret[i : i + 8] in masked.message for i in range(len(secret) - 8))


def test_every_format_shows_a_bounded_message(tmp_path: Path) -> None:
    """A 100 kB value quoted by a finding was printed whole, in every annotation of a CI log."""
    repo, app = app_tree(tmp_path)
    (app / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  TRADING_LIVE_ENABLED: '" + "a" * 100_000 + "'\n"
    )
    for fmt in ("text", "json", "github", "sarif", "junit", "markdown"):
        result = run_cli("--no-schemas", "--format", fmt, ".", cwd=repo)
        assert result.code == 1, (fmt, result.stderr)
        assert "a" * 1000 not in result.stdout, fmt
