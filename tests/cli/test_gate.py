"""The gate as a hostile pull request meets it: finding identity (baselines, SARIF), the
differential gate (--new-since), waivers compared parsed, --changed-since following causes.
Each scenario is a throwaway git repository with a base commit and a pull request on top."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from conftest import APP, CORPUS, IN_PROCESS, findings_of, needs_corpus, run_cli, scale_ws

WAIVE = "reason=x; owner=me; expires=2099-01-01"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def commit_base(repo: Path) -> None:
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "checkout", "-q", "-b", "pr")


def commit_pr(repo: Path) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "pr")


def rules(result) -> list[str]:
    return sorted(f["rule"] for f in result.json["findings"])


def set_claim(repo: Path, size: str) -> Path:
    chi = repo / APP / "clickhouse" / "clickhouse-cluster.yaml"
    chi.write_text(chi.read_text().replace("storage: 20Gi", f"storage: {size}"))
    return chi


def set_env(repo: Path, entries: str, first: bool = False) -> Path:
    """Add env entries to the Knative service's container (after APP_ENV, or first)."""
    ksvc = repo / APP / "knative-service.yaml"
    anchor = "          env:\n"
    text = ksvc.read_text()
    if first:
        text = text.replace(anchor, anchor + entries, 1)
    else:
        text = text.replace("              value: prod\n", "              value: prod\n" + entries, 1)
    ksvc.write_text(text)
    return ksvc


LIVE = "            - name: TRADING_MODE\n              value: live\n"


# -- identity: baselines ------------------------------------------------------------------------


def test_a_baseline_does_not_swallow_a_worse_value(repo: Path) -> None:
    set_claim(repo, "50Gi")
    assert run_cli("--write-baseline", "b.json", "--no-schemas", cwd=repo).code == 0
    assert run_cli("--baseline", "b.json", "--no-schemas", cwd=repo).code == 0
    chi = repo / APP / "clickhouse" / "clickhouse-cluster.yaml"
    chi.write_text(chi.read_text().replace("storage: 50Gi", "storage: 900Gi"))
    worse = run_cli("--baseline", "b.json", "--no-schemas", "--format", "json", cwd=repo)
    assert worse.code == 1
    assert "pvc-disk-budget" in rules(worse)


def test_a_baseline_does_not_swallow_a_longer_clickhouse_ttl(tmp_path: Path) -> None:
    """A table kept 500 days (accepted in the baseline) then kept a century is a new finding; an
    unrelated edit of the same SQL text is not."""
    (tmp_path / ".git").mkdir()
    app = tmp_path / "torghut"
    app.mkdir()
    ddl = app / "schema.yaml"

    def write(ttl: str, extra: str = "") -> None:
        ddl.write_text(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ddl}\ndata:\n  schema.sql: |\n"
            f"    CREATE TABLE ta.bars (ts DateTime) ENGINE = MergeTree ORDER BY ts TTL ts + {ttl};\n{extra}"
        )

    write("INTERVAL 500 DAY")
    assert run_cli("--write-baseline", "b.json", "--no-schemas", ".", cwd=tmp_path).code == 0
    write("INTERVAL 500 DAY", "    CREATE TABLE ta.log (ts DateTime) ENGINE = Log;\n")
    assert run_cli("--baseline", "b.json", "--no-schemas", ".", cwd=tmp_path).code == 0
    write("INTERVAL 100 YEAR")
    worse = run_cli("--baseline", "b.json", "--no-schemas", "--format", "json", ".", cwd=tmp_path)
    assert worse.code == 1 and rules(worse) == ["clickhouse-table-ttl"]


@pytest.mark.parametrize("name", ["trading.env", ".env", "extra.yaml"])
def test_a_baseline_does_not_swallow_new_content_behind_a_git_lfs_pointer(tmp_path: Path, name: str) -> None:
    """A Git LFS pointer accepted in a baseline (content the linter cannot see) stands for that
    content alone: a pointer to other content (the oid is the content's hash) is a new finding,
    whether the file is a generator's input, a text read for credentials or a manifest."""
    (tmp_path / ".git").mkdir()
    app = tmp_path / "torghut"
    app.mkdir()
    (app / "kustomization.yaml").write_text("configMapGenerator: [{name: t, envs: [trading.env]}]\n")
    for other in ("trading.env", ".env", "extra.yaml"):
        (app / other).write_text("A=1\n" if other.endswith("env") else "apiVersion: v1\nkind: ConfigMap\n")
    (app / "extra.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: e}\n")
    pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 2048\n"
    (app / name).write_text(pointer.format("4" * 64))
    first = run_cli("--write-baseline", "b.json", "--no-schemas", "--format", "json", ".", cwd=tmp_path)
    assert first.code == 0 and (tmp_path / "b.json").exists()
    assert run_cli("--baseline", "b.json", "--no-schemas", ".", cwd=tmp_path).code == 0
    (app / name).write_text(pointer.format("5" * 64))
    worse = run_cli("--baseline", "b.json", "--no-schemas", "--format", "json", ".", cwd=tmp_path)
    assert worse.code == 1 and rules(worse) == ["file-unreadable"], worse.stdout


@pytest.mark.parametrize("how", ["directory", "chart"])
def test_a_baseline_does_not_swallow_a_change_to_what_argo_cd_renders_otherwise(tmp_path: Path, how: str) -> None:
    """A path Argo CD renders otherwise than kustomize (a source's explicit directory type, a file
    that makes its detection read a chart), accepted in a baseline, stands for what it held then:
    a manifest added there (which Argo CD applies and the linter does not render) is new."""
    (tmp_path / ".git").mkdir()
    app = tmp_path / "apps" / "torghut"
    app.mkdir(parents=True)
    (app / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (app / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n")
    if how == "chart":
        (app / "values-Chart.yaml").write_text("name: c\n")
    else:
        (tmp_path / "app.yaml").write_text(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: t}\nspec:\n"
            "  source: {path: apps/torghut, directory: {recurse: true}}\n"
        )
    assert run_cli("--write-baseline", "b.json", "--no-schemas", ".", cwd=tmp_path).code == 0
    assert run_cli("--baseline", "b.json", "--no-schemas", ".", cwd=tmp_path).code == 0
    (tmp_path / "other.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: o}\n")  # elsewhere
    assert run_cli("--baseline", "b.json", "--no-schemas", ".", cwd=tmp_path).code == 0
    (app / "live.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: l}\n")
    worse = run_cli("--baseline", "b.json", "--no-schemas", "--format", "json", ".", cwd=tmp_path)
    assert worse.code == 1 and "argocd-source-override" in rules(worse), worse.stdout


def test_inserting_an_env_var_does_not_renew_baselined_findings(repo: Path) -> None:
    """Identities name env entries by name, not index: one variable inserted at the top of the
    list must not turn baselined findings (and SARIF fingerprints) into new ones."""
    set_env(repo, LIVE)
    assert run_cli("--write-baseline", "b.json", "--no-schemas", cwd=repo).code == 0
    before = run_cli("--format", "sarif", "--no-schemas", cwd=repo)
    set_env(repo, "            - name: A_NEW_HARMLESS_VARIABLE\n              value: x\n", first=True)
    again = run_cli("--baseline", "b.json", "--no-schemas", "--format", "json", cwd=repo)
    assert again.code == 0 and again.json["findings"] == [], again.stdout
    after = run_cli("--format", "sarif", "--no-schemas", cwd=repo)

    def prints(result) -> dict[str, str]:
        runs = json.loads(result.stdout)["runs"][0]["results"]
        return {r["ruleId"]: r["partialFingerprints"]["torghutLint/v2"] for r in runs}

    assert prints(before) == prints(after) != {}


def test_each_requirement_is_its_own_finding_at_its_own_value(repo: Path) -> None:
    """llm-shadow-first: a baseline of "no budget cap" does not hide "shadow mode off", which is
    reported at the LLM_SHADOW_MODE entry."""
    set_env(repo, "            - name: LLM_ENABLED\n              value: 'true'\n"
            "            - name: LLM_SHADOW_MODE\n              value: 'true'\n")  # fmt: skip
    first = run_cli("--format", "json", "--no-schemas", cwd=repo)
    assert [f["message"].split(" but ")[-1][:13] for f in first.json["findings"]] == ["no budget cap"], first.stdout
    assert run_cli("--write-baseline", "b.json", "--no-schemas", cwd=repo).code == 0
    ksvc = repo / APP / "knative-service.yaml"
    ksvc.write_text(
        ksvc.read_text().replace(
            "LLM_SHADOW_MODE\n              value: 'true'", "LLM_SHADOW_MODE\n              value: 'false'"
        )
    )
    result = run_cli("--baseline", "b.json", "--format", "json", "--no-schemas", cwd=repo)
    (new,) = result.json["findings"]
    assert "LLM_SHADOW_MODE is 'false'" in new["message"]
    line = ksvc.read_text().splitlines()[new["line"] - 1]
    assert "LLM_SHADOW_MODE" in line or "'false'" in line
    assert result.code == 1


def test_a_baseline_written_at_the_root_matches_from_an_application_directory(repo: Path) -> None:
    """File-level subjects are relative to the repository root, not the working directory (the
    Argo CD plugin runs in the application's directory)."""
    (repo / ".git").mkdir()  # the repository root
    scale_ws(repo)
    (repo / APP / "stray.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: stray}\n")
    assert run_cli("--write-baseline", "b.json", "--no-schemas", cwd=repo).code == 0
    app = repo / APP
    from_app = run_cli("--baseline", str(repo / "b.json"), "--no-schemas", "--format", "json", ".", cwd=app)
    assert from_app.json["findings"] == [] and from_app.json["summary"]["baselined"] >= 2, from_app.stdout


def test_a_format_1_baseline_is_still_read_and_an_unknown_format_is_refused(repo: Path) -> None:
    scale_ws(repo)
    legacy = {
        "tool": "torghut-lint",
        "formatVersion": 1,
        "entries": [
            {
                "rule": "ws-single-replica",
                "subject": "Deployment/torghut/torghut-ws",
                "field": "spec.replicas",
                "count": 1,
            }
        ],
    }
    (repo / "old.json").write_text(json.dumps(legacy))
    assert run_cli("--baseline", "old.json", "--no-schemas", cwd=repo).code == 0
    (repo / "future.json").write_text(json.dumps({**legacy, "formatVersion": 9}))
    refused = run_cli("--baseline", "future.json", "--no-schemas", cwd=repo)
    assert refused.code == 2 and "formatVersion 9" in refused.stderr


def _leak(repo: Path, value: str) -> None:
    (repo / APP / "leak.yaml").write_text(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: leak}}\ndata:\n  DB_PASSWORD: {value}\n"
    )


def test_a_baseline_tells_one_credential_from_another_without_holding_it(repo: Path) -> None:
    """A credential finding's identity holds no digest of the value, so a baseline absorbed any
    other credential written where a baselined one was: a new leak passed. A baseline records a
    salted scrypt digest of it (never the value, never an unsalted hash)."""
    _leak(repo, "Zq8vR2mX9pL4kT7wN3bY6cH1")
    assert run_cli("--write-baseline", "b.json", "--no-schemas", cwd=repo).code == 0
    text = (repo / "b.json").read_text()
    doc = json.loads(text)
    assert doc["formatVersion"] == 3 and len(bytes.fromhex(doc["salt"])) == 16
    [entry] = [e for e in doc["entries"] if e["rule"] == "no-inline-secrets"]
    assert entry["digest"].startswith("credential:")
    assert "Zq8vR2mX9pL4kT7wN3bY6cH1" not in text
    assert hashlib.sha256(b"Zq8vR2mX9pL4kT7wN3bY6cH1").hexdigest()[:16] not in text
    same = run_cli("--baseline", "b.json", "--no-schemas", "--format", "json", cwd=repo)
    assert same.code == 0 and same.json["findings"] == []
    _leak(repo, "Pp7uQ1nW8oK3jS6vM2aX5bG0")
    other = run_cli("--baseline", "b.json", "--no-schemas", "--format", "json", cwd=repo)
    assert other.code == 1 and [f["rule"] for f in other.json["findings"]] == ["no-inline-secrets"]


def _curl(repo: Path, *words: str) -> None:
    """A Pod whose command line is ``words`` (a credential given by curl's own option)."""
    (repo / APP / "leak.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: probe}\nspec:\n  containers:\n"
        f"    - name: probe\n      image: registry.example/curl:8\n      command: {json.dumps(list(words))}\n"
    )


def test_a_word_inserted_before_a_baselined_one_renews_nothing(repo: Path) -> None:
    """A command line's words have no merge key: a finding on one was named by its index, so a
    flag inserted before a baselined credential made it new (the gate blocked an unrelated edit).
    Compared, a finding about a value is the same wherever it moves in its list; another value,
    or a second copy, is still new; and so with --new-since."""
    _curl(repo, "curl", "-u", "admin:Zq8vR2mX9pL4kT7w", "http://ch:8123/ping")
    assert run_cli("--write-baseline", "b.json", "--no-schemas", cwd=repo).code == 0
    assert "command[2]" in (repo / "b.json").read_text()  # written as it always was
    commit_base(repo)
    _curl(repo, "curl", "-sf", "--retry", "3", "-u", "admin:Zq8vR2mX9pL4kT7w", "http://ch:8123/ping")
    for gate in (["--baseline", "b.json"], ["--new-since", "main"]):
        moved = run_cli(*gate, "--no-schemas", "--format", "json", cwd=repo)
        assert moved.code == 0 and moved.json["findings"] == [], (gate, moved.stdout)
    for words, new in (
        (["curl", "-sf", "-u", "admin:Pp7uQ1nW8oK3jS6v", "http://ch:8123/ping"], "command[3]"),  # another credential
        (["curl", "-u", "admin:Zq8vR2mX9pL4kT7w", "-U", "p:Pp7uQ1nW8oK3jS6v", "http://ch"], "command[4]"),  # a second
    ):
        _curl(repo, *words)
        for gate in (["--baseline", "b.json"], ["--new-since", "main"]):
            other = run_cli(*gate, "--no-schemas", "--format", "json", cwd=repo)
            assert other.code == 1 and rules(other) == ["no-inline-secrets"], (gate, other.stdout)
            assert other.json["findings"][0]["key"].endswith(new)


def test_a_second_credential_in_a_baselined_script_is_new(repo: Path) -> None:
    """Two credentials at one place (two commands of one script) were one finding, an exact
    repeat to the reporter: a baseline holding the first let a second one pass."""
    script = "    #!/bin/sh\n    curl -u a:Zq8vR2mX9pL4kT7w http://x\n"
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: probe}\ndata:\n  run.sh: |\n"
    (repo / APP / "leak.yaml").write_text(cm + script)
    assert run_cli("--write-baseline", "b.json", "--no-schemas", cwd=repo).code == 0
    (repo / APP / "leak.yaml").write_text(cm + script + "    curl -u b:Pp7uQ1nW8oK3jS6v http://y\n")
    both = run_cli("--no-schemas", "--format", "json", cwd=repo)
    assert rules(both).count("no-inline-secrets") == 2
    new = run_cli("--baseline", "b.json", "--no-schemas", "--format", "json", cwd=repo)
    assert new.code == 1 and rules(new) == ["no-inline-secrets"]


def test_a_credential_that_extends_a_reported_one_is_new(repo: Path) -> None:
    """A password rotated by a suffix (``...gF`` to ``...gF2``), written where no name beside it
    judges it (a script's ``export``): it holds the reported one, and was taken for that one's
    leak, so with the reported one on the base the change's new credential passed the gate."""
    env = '          env: [{name: CLICKHOUSE_PASSWORD, value: "Mm5nB6vC7xZ8lK9jH0gF"}]\n'

    def pod(script: str) -> None:
        (repo / APP / "leak.yaml").write_text(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: ingest}\nspec:\n  containers:\n"
            f"    - name: ingest\n      image: registry.example/ingest:v1\n{env[4:]}"
            f"      command: [sh, -c, {json.dumps(script)}]\n"
        )

    pod("exec ingest")
    commit_base(repo)
    pod("export CLICKHOUSE_ADMIN_PASSWORD=Mm5nB6vC7xZ8lK9jH0gF2 && exec ingest")
    new = run_cli("--new-since", "main", "--no-schemas", "--format", "json", cwd=repo)
    assert new.code == 1 and rules(new) == ["no-inline-secrets"], new.stdout
    assert "CLICKHOUSE_ADMIN_PASSWORD" in new.json["findings"][0]["message"]


def _assigned(repo: Path, secrets: list[str]) -> None:
    """A ConfigMap whose one text assigns each of ``secrets`` to a password (a finding each, one place)."""
    text = "".join(f"    db{n}.password={value}\n" for n, value in enumerate(secrets))
    (repo / APP / "leak.yaml").write_text(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: leak}}\ndata:\n  app.properties: |\n{text}"
    )


@pytest.mark.skipif(not IN_PROCESS, reason="the limit is lowered in the process")
def test_credentials_past_the_digest_limit_are_new_and_said_to_be(repo: Path, monkeypatch) -> None:
    """Thousands of credentials written where a baseline holds one would each cost a slow digest
    (16 ms: a few MB of them stalled the gate for minutes). A run digests at most so many; the
    rest are reported as new, never absorbed unread, and a warning says how many."""
    from torghut_lint import baseline

    monkeypatch.setattr(baseline, "MAX_CREDENTIAL_DIGESTS", 5)
    _assigned(repo, ["Zq8vR2mX9pL4kT7w"])
    assert run_cli("--write-baseline", "b.json", "--no-schemas", cwd=repo).code == 0
    _assigned(repo, [f"Pp7uQ1nW8oK3-{n}" for n in range(39)] + ["Zq8vR2mX9pL4kT7w"])  # the baselined one last
    result = run_cli("--baseline", "b.json", "--no-schemas", "--format", "json", cwd=repo)
    assert result.code == 1 and rules(result).count("no-inline-secrets") == 40
    [note] = [f for f in result.json["findings"] if f["rule"] == "baseline-not-compared"]
    assert note["severity"] == "warning" and note["file"] == "b.json" and note["message"].startswith("35 finding(s)")
    monkeypatch.setattr(baseline, "MAX_CREDENTIAL_DIGESTS", 50)  # within the limit: the old one is absorbed
    within = run_cli("--baseline", "b.json", "--no-schemas", "--format", "json", cwd=repo)
    assert rules(within) == ["no-inline-secrets"] * 39 and within.json["summary"]["baselined"] == 2  # and the orphan
    monkeypatch.setattr(baseline, "MAX_CREDENTIAL_DIGESTS", 3)
    refused = run_cli("--write-baseline", "c.json", "--no-schemas", cwd=repo)
    assert refused.code == 2 and refused.stderr.count("\n") == 1 and "40 credentials in clear" in refused.stderr
    assert not (repo / "c.json").exists()


def test_a_format_2_baseline_absorbs_no_credential_finding(repo: Path) -> None:
    """Format 2 recorded a credential finding without its value: such an entry cannot tell the
    credential it was written for from another, so it absorbs none (rewrite the file)."""
    _leak(repo, "Zq8vR2mX9pL4kT7wN3bY6cH1")
    scale_ws(repo)
    assert run_cli("--write-baseline", "b.json", "--no-schemas", cwd=repo).code == 0
    doc = json.loads((repo / "b.json").read_text())
    for entry in doc["entries"]:
        if entry["rule"] == "no-inline-secrets":
            entry["digest"] = hashlib.sha256(b"").hexdigest()[:16]  # what format 2 wrote for one
    del doc["salt"]
    (repo / "b.json").write_text(json.dumps({**doc, "formatVersion": 2}))
    result = run_cli("--baseline", "b.json", "--no-schemas", "--format", "json", cwd=repo)
    assert [f["rule"] for f in result.json["findings"]] == ["no-inline-secrets"]  # ws-single-replica absorbed
    (repo / "b.json").write_text(json.dumps({**doc, "formatVersion": 3, "salt": "00"}))
    refused = run_cli("--baseline", "b.json", "--no-schemas", cwd=repo)
    assert refused.code == 2 and "salt" in refused.stderr


def test_application_totals_and_kind_findings_do_not_depend_on_render_order(repo: Path) -> None:
    """The app-total finding is anchored by size then place, identified by the application; the
    same tree rendered by kubectl (another resource order) gives the same location and identity."""
    set_claim(repo, "60Gi")  # 2 x 60Gi > 100Gi total, and over the per-replica budget
    outs = []
    for mode in ("builtin", "kubectl"):
        result = run_cli("--format", "json", "--no-schemas", "--render", mode, cwd=repo)
        outs.append(sorted((f["rule"], f["file"], f["line"], f["fingerprint"]) for f in result.json["findings"]))
    assert outs[0] == outs[1]
    assert sum(1 for rule, *_ in outs[0] if rule == "pvc-disk-budget") == 2


@needs_corpus
def test_every_sarif_result_of_the_lab_tree_has_its_own_identity() -> None:
    lab = CORPUS / "lab-argocd-2026-08-22"
    sarif = json.loads(run_cli("--format", "sarif", ".", cwd=lab).stdout)
    prints = [r["partialFingerprints"]["torghutLint/v2"] for r in sarif["runs"][0]["results"]]
    assert len(prints) > 200
    assert [p for p in prints if ":" in p] == []  # no two results share an identity


# -- the differential gate ----------------------------------------------------------------------


def test_new_since_reports_only_what_the_change_adds(repo: Path) -> None:
    scale_ws(repo)  # already on main: not this change's
    set_claim(repo, "50Gi")
    commit_base(repo)
    set_env(repo, LIVE)  # new
    chi = repo / APP / "clickhouse" / "clickhouse-cluster.yaml"
    chi.write_text(chi.read_text().replace("storage: 50Gi", "storage: 900Gi"))  # worse
    commit_pr(repo)
    before = {f for f in (repo).rglob("*") if ".git" not in f.parts}
    result = run_cli("--format", "json", "--no-schemas", "--new-since", "main", cwd=repo)
    assert {f for f in repo.rglob("*") if ".git" not in f.parts} == before  # nothing checked out over the tree
    got = rules(result)
    assert "ws-single-replica" not in got
    assert "live-trading-default-off" in got
    assert got.count("pvc-disk-budget") == 2  # the claim and the total, both worse
    assert result.json["summary"]["preexisting"] >= 1
    assert result.code == 1
    quiet = run_cli("--format", "json", "--no-schemas", "--new-since", "HEAD", cwd=repo)
    assert quiet.json["findings"] == [] and quiet.code == 0


def test_new_since_reports_a_credential_replaced_by_another_at_the_same_place(repo: Path) -> None:
    """A plaintext credential already on the base is old debt; the change writing another one in its
    place leaks a new credential. Compared in memory (the identity stores no digest of a secret)."""
    set_env(repo, "            - name: BROKER_API_KEY\n              value: old-plaintext-key-0001\n")
    commit_base(repo)
    ksvc = repo / APP / "knative-service.yaml"
    ksvc.write_text(ksvc.read_text().replace("old-plaintext-key-0001", "new-production-key-9f3k"))
    commit_pr(repo)
    result = run_cli("--format", "json", "--no-schemas", "--new-since", "main", cwd=repo)
    assert rules(result) == ["no-inline-secrets"] and result.code == 1
    assert "new-production-key-9f3k" not in result.stdout + result.stderr
    git(repo, "commit", "-q", "--allow-empty", "-m", "unrelated")
    same = run_cli("--format", "json", "--no-schemas", "--new-since", "HEAD~1", cwd=repo)
    assert same.json["findings"] == [] and same.code == 0  # the same credential: old debt


def test_new_since_sees_deletions_and_kustomization_edits(repo: Path) -> None:
    commit_base(repo)
    (repo / APP / "serviceaccount.yaml").unlink()  # still listed by the kustomization
    kust = repo / APP / "ws" / "kustomization.yaml"
    kust.write_text(kust.read_text() + "replicas:\n  - name: torghut-ws\n    count: 3\n")
    commit_pr(repo)
    got = rules(run_cli("--format", "json", "--no-schemas", "--new-since", "main", cwd=repo))
    assert "kustomize-missing-resource" in got
    assert "ws-single-replica" in got


def test_new_since_outside_a_repository_or_with_an_unknown_ref_is_a_usage_error(repo: Path) -> None:
    outside = run_cli("--new-since", "main", cwd=repo)
    assert outside.code == 2 and outside.stderr.startswith("torghut-lint: error: --new-since main: git")
    commit_base(repo)
    unknown = run_cli("--new-since", "no-such-ref", cwd=repo)
    assert unknown.code == 2 and "no-such-ref" in unknown.stderr


# -- waivers are compared, not grepped ----------------------------------------------------------

KEY = "torghut-lint.io/waive.ws-single-replica"


def _waive_ws_by_annotation(repo: Path, key: str) -> None:
    ws = scale_ws(repo)
    ws.write_text(
        ws.read_text().replace(
            "  labels:\n    app: torghut-ws\nspec:",
            f'  labels:\n    app: torghut-ws\n  annotations:\n    {key}: "{WAIVE}"\nspec:',
        )
    )


def _escaped_slash(repo: Path) -> None:
    # (``\/`` is no escape to go-yaml: kustomize refuses that file, see test_printing)
    _waive_ws_by_annotation(repo, '"torghut-lint.io\\u002Fwaive.ws-single-replica"')


def _escaped_dot(repo: Path) -> None:
    _waive_ws_by_annotation(repo, '"torghut-lint.io/waive\\x2Ews-single-replica"')


def _common_annotations_in_a_file_named_kustomization(repo: Path) -> None:
    scale_ws(repo)
    ws = repo / APP / "ws"
    text = (ws / "kustomization.yaml").read_text()
    (ws / "kustomization.yaml").unlink()
    (ws / "Kustomization").write_text(text + f'commonAnnotations:\n  {KEY}: "{WAIVE}"\n')


def _non_ascii_file_name(repo: Path) -> None:
    scale_ws(repo)
    ws = repo / APP / "ws"
    patch = (
        f'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: torghut-ws\n  annotations:\n    {KEY}: "{WAIVE}"\n'
    )
    (ws / "überschreiben.yaml").write_text(patch)
    kust = ws / "kustomization.yaml"
    kust.write_text(kust.read_text() + "patches:\n  - path: überschreiben.yaml\n")


@pytest.mark.parametrize(
    "spell", [_escaped_slash, _escaped_dot, _common_annotations_in_a_file_named_kustomization, _non_ascii_file_name]
)
def test_a_waiver_added_by_the_change_is_found_however_it_is_written(repo: Path, spell) -> None:
    commit_base(repo)
    spell(repo)
    commit_pr(repo)
    result = run_cli("--format", "json", "--no-schemas", "--trusted-config", "main", cwd=repo)
    waived = [f for f in result.json["findings"] if f["rule"] == "ws-single-replica"]
    assert waived and all(f["waived"] for f in waived), result.stdout  # the waiver itself works...
    added = [f for f in result.json["findings"] if f["rule"] == "gate-waiver-added"]
    assert len(added) == 1 and "ws-single-replica" in added[0]["message"], result.stdout  # ...and is reported
    assert added[0]["line"] > 0
    assert result.code == 1


def _canary_without_a_probe(repo: Path) -> None:
    """A second torghut-ws workload with no readiness probe, in the ws kustomization."""
    ws = repo / APP / "ws"
    text = (ws / "deployment.yaml").read_text().replace("name: torghut-ws\n", "name: torghut-ws-canary\n", 1)
    start, end = text.index("          readinessProbe:"), text.index("          livenessProbe:")
    (ws / "canary.yaml").write_text(text[:start] + text[end:])
    kust = ws / "kustomization.yaml"
    kust.write_text(kust.read_text().replace("  - service.yaml\n", "  - service.yaml\n  - canary.yaml\n"))


PROBE_KEY = "torghut-lint.io/waive.ws-readiness-probe"


def test_a_written_waiver_the_change_puts_on_a_new_resource_is_a_gate_change(repo: Path) -> None:
    """A kustomization's commonAnnotations waiver, reviewed for the resources it covered at the
    base, covers whatever the change adds to that kustomization: a new workload's finding was
    waived unreviewed (one finding per written waiver was kept, and the first resource it is on
    had it at the base). The finding names the resource whose finding it waives; an unused copy
    on the others is no noise."""
    kust = repo / APP / "ws" / "kustomization.yaml"
    kust.write_text(kust.read_text() + f'commonAnnotations:\n  {PROBE_KEY}: "{WAIVE}"\n')
    commit_base(repo)
    before = run_cli("--format", "json", "--no-schemas", cwd=repo)
    assert [f["rule"] for f in before.json["findings"]] == ["waiver-unused"], before.stdout  # one, not three
    _canary_without_a_probe(repo)
    commit_pr(repo)
    result = run_cli("--format", "json", "--no-schemas", "--trusted-config", "main", cwd=repo)
    probe = [f for f in result.json["findings"] if f["rule"] == "ws-readiness-probe"]
    assert probe and all(f["waived"] for f in probe), result.stdout
    added = [f for f in result.json["findings"] if f["rule"] == "gate-waiver-added"]
    assert len(added) == 1 and "torghut-ws-canary" in added[0]["message"], result.stdout
    assert added[0]["file"].endswith("ws/kustomization.yaml") and added[0]["resource"]["name"] == "torghut-ws-canary"
    assert not [f for f in result.json["findings"] if f["rule"] == "waiver-unused"], result.stdout
    assert result.code == 1


def test_a_widened_waiver_is_a_gate_change_and_an_unchanged_one_is_not(repo: Path) -> None:
    _waive_ws_by_annotation(repo, KEY)
    commit_base(repo)
    same = run_cli("--format", "json", "--no-schemas", "--trusted-config", "main", cwd=repo)
    assert rules(same) == ["ws-single-replica"] and same.code == 0
    ws = repo / APP / "ws" / "deployment.yaml"
    ws.write_text(ws.read_text().replace("expires=2099-01-01", "expires=2199-01-01"))
    commit_pr(repo)
    widened = run_cli("--format", "json", "--no-schemas", "--trusted-config", "main", cwd=repo)
    assert "gate-waiver-added" in rules(widened) and widened.code == 1


def test_the_trusted_config_can_allow_pull_request_waivers_of_named_rules(repo: Path) -> None:
    (repo / ".torghut-lint.yaml").write_text("gate:\n  allowPullRequestWaivers: [ws-single-replica]\n")
    commit_base(repo)
    _waive_ws_by_annotation(repo, KEY)
    commit_pr(repo)
    result = run_cli("--format", "json", "--no-schemas", "--trusted-config", "main", cwd=repo)
    assert rules(result) == ["ws-single-replica"] and result.code == 0


# -- --changed-since follows causes -------------------------------------------------------------


def _changed_since(repo: Path) -> list[tuple[str, str, int]]:
    return findings_of(run_cli("--format", "json", "--no-schemas", "--changed-since", "main", cwd=repo))


def test_changed_since_reports_a_deleted_file_a_kustomization_still_lists(repo: Path) -> None:
    commit_base(repo)
    (repo / APP / "serviceaccount.yaml").unlink()
    assert [r for r, _, _ in _changed_since(repo)] == ["kustomize-missing-resource"]


def test_changed_since_reports_an_application_total_a_new_file_exceeds(repo: Path) -> None:
    commit_base(repo)
    pvc = (
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {n}\n"
        "spec:\n  resources:\n    requests:\n      storage: 40Gi\n"
    )
    for n in ("extra-a", "extra-b"):
        (repo / APP / f"{n}.yaml").write_text(pvc.format(n=n))
    kust = repo / APP / "kustomization.yaml"
    kust.write_text(kust.read_text().replace("resources:\n", "resources:\n  - extra-a.yaml\n  - extra-b.yaml\n", 1))
    got = _changed_since(repo)
    assert [r for r, _, _ in got] == ["pvc-disk-budget"], got


def test_changed_since_reports_what_a_kustomization_edit_causes(repo: Path) -> None:
    commit_base(repo)
    kust = repo / APP / "ws" / "kustomization.yaml"
    kust.write_text(kust.read_text() + "replicas:\n  - name: torghut-ws\n    count: 2\n")
    assert "ws-single-replica" in [r for r, _, _ in _changed_since(repo)]


def test_changed_since_reports_a_base_finding_to_each_application_that_changed(tmp_path: Path) -> None:
    """A base two overlays include, with a finding of its own (an unknown field): a change to the
    overlay built second reports it, as a change to either does. (The first overlay's copy, whose
    application did not change, once hid the second's: repeats were dropped before the scope.)"""
    files = {
        "base/kustomization.yaml": "resources: [cm.yaml]\nbogusField: 1\n",
        "base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: b}\n",
        "big/kustomization.yaml": "resources: [../base, more.yaml]\n",
        "big/more.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: more}\ndata: {a: " + "b" * 4000 + "}\n",
        "small/kustomization.yaml": "resources: [../base]\nnamePrefix: s-\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    commit_base(tmp_path)
    for overlay in ("small", "big"):
        with (tmp_path / overlay / "kustomization.yaml").open("a") as edited:
            edited.write("# reviewed\n")
        result = run_cli("--format", "json", "--no-schemas", "--changed-since", "main", ".", cwd=tmp_path)
        found = findings_of(result)
        assert ("kustomize-unsupported", "base/kustomization.yaml", 2) in found, (overlay, found)
        git(tmp_path, "checkout", "-q", "--", ".")


def test_changed_since_handles_non_ascii_file_names(repo: Path) -> None:
    commit_base(repo)
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\ndata:\n  TRADING_LIVE_ENABLED: 'true'\n"
    (repo / APP / "schalter-für-live.yaml").write_text(cm)
    kust = repo / APP / "kustomization.yaml"
    kust.write_text(kust.read_text().replace("resources:\n", "resources:\n  - schalter-für-live.yaml\n", 1))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "pr")
    assert "live-trading-default-off" in [r for r, _, _ in _changed_since(repo)]


@pytest.mark.parametrize("hidden", [False, True])
def test_changed_since_reports_what_a_submodule_bump_brings_in(repo: Path, tmp_path_factory, hidden: bool) -> None:
    """The application lists a file of a vendored submodule; the change moves the submodule to a
    commit that switches live trading on there. git names the submodule's directory, never its
    files (which the scope compared with: nothing changed); with ``ignore = all`` in the change's
    own .gitmodules, git names nothing at all unless asked to."""
    upstream = tmp_path_factory.mktemp("upstream")
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: vendored\ndata:\n  note: hello\n"
    (upstream / "flags.yaml").write_text(cm)
    git(upstream, "init", "-q", "-b", "main")
    git(upstream, "add", "-A")
    git(upstream, "commit", "-qm", "one")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(upstream), f"{APP}/vendored")
    kust = repo / APP / "kustomization.yaml"
    kust.write_text(kust.read_text().replace("resources:\n", "resources:\n  - vendored/flags.yaml\n", 1))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "checkout", "-q", "-b", "pr")
    vendored = repo / APP / "vendored"
    (vendored / "flags.yaml").write_text(cm + "  TRADING_LIVE_ENABLED: 'true'\n")
    git(vendored, "commit", "-qam", "two")
    if hidden:
        git(repo, "config", "-f", ".gitmodules", f"submodule.{APP}/vendored.ignore", "all")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "bump")
    got = _changed_since(repo)
    assert ("live-trading-default-off", f"{APP}/vendored/flags.yaml", 7) in got, got


def test_changed_since_leaves_out_old_findings_of_untouched_resources(repo: Path) -> None:
    scale_ws(repo)
    commit_base(repo)
    cm = repo / APP / "strategy-configmap.yaml"
    cm.write_text(cm.read_text() + "  # an edit\n")
    assert _changed_since(repo) == []


def test_an_orphaned_crd_does_not_redefine_a_kind(repo: Path) -> None:
    """A never-applied CRD (a file below a kustomization that none lists) that makes
    ClickHouseInstallation accept anything must not switch off its schema validation."""
    chi = repo / APP / "clickhouse" / "clickhouse-cluster.yaml"
    chi.write_text(chi.read_text().replace("spec:\n", "spec:\n  notAField: true\n", 1))
    assert "schema-unknown-field" in rules(run_cli("--format", "json", cwd=repo))
    (repo / APP / "clickhouse" / "fake-crd.yaml").write_text(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "metadata:\n  name: clickhouseinstallations.clickhouse.altinity.com\n"
        "spec:\n  group: clickhouse.altinity.com\n"
        "  names: {kind: ClickHouseInstallation, plural: clickhouseinstallations}\n  scope: Namespaced\n"
        "  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n"
        "        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}\n"
    )
    result = run_cli("--format", "json", cwd=repo)
    assert "schema-unknown-field" in rules(result) and "kustomize-orphan" in rules(result)


PRUNING = (
    "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: torghut, namespace: argocd}\n"
    "spec:\n  project: default\n"
    "  source: {repoURL: https://github.com/example/lab, path: argocd/applications/torghut, targetRevision: main}\n"
    "  destination: {server: https://kubernetes.default.svc, namespace: torghut}\n"
    "  syncPolicy:\n    automated: {prune: %s}\n"
)


@pytest.mark.parametrize("prune", [None, "false", "true"])
def test_a_renamed_websocket_that_argo_cd_does_not_prune_is_a_second_one(repo: Path, prune: str | None) -> None:
    """Argo CD deletes what the repository no longer holds only when the Application prunes: the
    websocket's Deployment renamed leaves the old one running beside the new one (two connections
    on one Alpaca key), which the tree no longer shows."""
    if prune is not None:
        (repo / "argocd/apps").mkdir(parents=True)
        (repo / "argocd/apps/torghut.yaml").write_text(PRUNING % prune)
    commit_base(repo)
    ws = repo / APP / "ws" / "deployment.yaml"
    ws.write_text(ws.read_text().replace("  name: torghut-ws\n", "  name: torghut-ws-v2\n", 1))
    result = run_cli("--no-schemas", "--format", "json", "--new-since", "main", str(APP), cwd=repo)
    got = [(f["rule"], f["resource"]["name"]) for f in result.json["findings"]]
    if prune == "true":
        assert got == [] and result.code == 0, got
    else:
        assert got == [("argocd-not-pruned", "torghut-ws")], got
        assert "ws-single-replica" in result.json["findings"][0]["message"] and result.code == 1


@pytest.mark.parametrize(
    ("held_by", "options"),
    [
        ("resource", "Prune=false"),
        ("resource", "Validate=false, Prune=confirm"),
        ("application", "Prune=false"),
        ("resource", "PruneLast=true"),  # prunes, last
    ],
)
def test_a_renamed_websocket_kept_from_pruning_is_a_second_one(repo: Path, held_by: str, options: str) -> None:
    """An Application that prunes still leaves the old websocket running when pruning is held back:
    by the workload's own ``argocd.argoproj.io/sync-options`` (as the base, the live object, carries
    it) or by the Application's ``syncOptions``; another option (``PruneLast``) holds nothing back."""
    app = PRUNING % "true"
    if held_by == "application":
        app += f"    syncOptions: [{options}]\n"
    (repo / "argocd/apps").mkdir(parents=True)
    (repo / "argocd/apps/torghut.yaml").write_text(app)
    ws = repo / APP / "ws" / "deployment.yaml"
    if held_by == "resource":
        text = ws.read_text()
        assert "  name: torghut-ws\n" in text
        annotation = f"  annotations:\n    argocd.argoproj.io/sync-options: '{options}'\n"
        ws.write_text(text.replace("  name: torghut-ws\n", "  name: torghut-ws\n" + annotation, 1))
    commit_base(repo)
    ws.write_text(ws.read_text().replace("  name: torghut-ws\n", "  name: torghut-ws-v2\n", 1))
    result = run_cli("--no-schemas", "--format", "json", "--new-since", "main", str(APP), cwd=repo)
    got = [(f["rule"], f["resource"]["name"]) for f in result.json["findings"]]
    if "Prune=" not in options:
        assert got == [] and result.code == 0, got
    else:
        assert got == [("argocd-not-pruned", "torghut-ws")], got
        assert "Prune=false or confirm" in result.json["findings"][0]["message"] and result.code == 1


@pytest.mark.parametrize(("trading", "prune"), [("true", None), ("true", "true"), ("false", None)])
def test_a_renamed_trading_loop_that_argo_cd_does_not_prune_is_a_second_one(
    repo: Path, trading: str, prune: str | None
) -> None:
    """The trading service renamed while no Application prunes: the old revision keeps trading
    beside the new one (two loops submitting every order). trading-loop-single-replica counts the
    workloads with TRADING_ENABLED on, so a renamed service that was not trading leaves nothing."""
    if prune is not None:
        (repo / "argocd/apps").mkdir(parents=True)
        (repo / "argocd/apps/torghut.yaml").write_text(PRUNING % prune)
    config = repo / APP / "trading-configmap.yaml"
    config.write_text(config.read_text().replace('TRADING_ENABLED: "true"', f'TRADING_ENABLED: "{trading}"'))
    commit_base(repo)
    service = repo / APP / "knative-service.yaml"
    text = service.read_text()
    assert "\n  name: torghut\n" in text
    service.write_text(text.replace("\n  name: torghut\n", "\n  name: torghut-v2\n", 1))
    result = run_cli("--no-schemas", "--format", "json", "--new-since", "main", str(APP), cwd=repo)
    got = [(f["rule"], f["resource"]["name"]) for f in result.json["findings"]]
    if trading == "true" and prune is None:
        assert got == [("argocd-not-pruned", "torghut")], got
        assert "trading-loop-single-replica" in result.json["findings"][0]["message"] and result.code == 1
    else:
        assert got == [] and result.code == 0, got


# -- a waiver covers what was reviewed, not whatever the rule later finds on its resource ---------


def test_a_waived_value_made_worse_by_the_change_needs_review(repo: Path) -> None:
    """The waiver was reviewed for two replicas; the change makes it five under the same waiver."""
    _waive_ws_by_annotation(repo, KEY)  # replicas: 2, waived
    commit_base(repo)
    ws = repo / APP / "ws" / "deployment.yaml"
    ws.write_text(ws.read_text().replace("replicas: 2", "replicas: 5"))
    commit_pr(repo)
    result = run_cli("--format", "json", "--no-schemas", "--trusted-config", "main", cwd=repo)
    added = [f for f in result.json["findings"] if f["rule"] == "gate-waiver-added"]
    assert len(added) == 1 and "ws-single-replica" in added[0]["message"], result.stdout
    assert "was not reviewed for" in added[0]["message"] and added[0]["line"] > 0
    assert result.code == 1


def test_a_waiver_that_waived_nothing_at_the_base_covers_no_new_finding_unreviewed(repo: Path) -> None:
    """A waiver written while nothing was wrong (waiver-unused at the base) is no review of what the change does."""
    _waive_ws_by_annotation(repo, KEY)
    ws = repo / APP / "ws" / "deployment.yaml"
    ws.write_text(ws.read_text().replace("replicas: 2", "replicas: 1"))
    commit_base(repo)
    ws.write_text(ws.read_text().replace("replicas: 1", "replicas: 3"))
    commit_pr(repo)
    result = run_cli("--format", "json", "--no-schemas", "--trusted-config", "main", cwd=repo)
    assert "gate-waiver-added" in rules(result) and result.code == 1


CENTRAL = (
    "waivers:\n  - rule: ws-single-replica\n    kind: Deployment\n    name: %s\n"
    "    reason: two for the migration\n    owner: trading-platform\n    expires: '2099-01-01'\n"
)


def _waive_ws_centrally(repo: Path, name: str = "torghut-ws") -> Path:
    (repo / ".torghut-lint.yaml").write_text(CENTRAL % name)
    return scale_ws(repo)  # replicas: 2, waived by the configuration


def test_a_value_made_worse_under_a_waiver_of_the_configuration_needs_review(repo: Path) -> None:
    """The configuration's waiver was reviewed for two replicas; the change makes them five. The
    configuration is the trusted one, the same at both revisions: the value is what changed."""
    ws = _waive_ws_centrally(repo)
    commit_base(repo)
    ws.write_text(ws.read_text().replace("replicas: 2", "replicas: 5"))
    commit_pr(repo)
    result = run_cli("--format", "json", "--no-schemas", "--trusted-config", "main", cwd=repo)
    added = [f for f in result.json["findings"] if f["rule"] == "gate-waiver-added"]
    assert len(added) == 1 and "waiver of the configuration" in added[0]["message"], result.stdout
    assert "ws-single-replica" in added[0]["message"] and "was not reviewed for" in added[0]["message"]
    replicas = ws.read_text().splitlines().index("  replicas: 5") + 1
    assert (added[0]["file"].endswith("ws/deployment.yaml"), added[0]["line"]) == (True, replicas)
    assert result.code == 1


def test_the_same_value_under_a_waiver_of_the_configuration_is_no_gate_change(repo: Path) -> None:
    """Lines move and other fields change: the finding the configuration waived is the same one."""
    ws = _waive_ws_centrally(repo)
    commit_base(repo)
    text = ws.read_text().replace("app: torghut-ws\n", "app: torghut-ws\n    tier: md\n", 1)
    ws.write_text("# a comment that moves every line\n\n" + text)
    commit_pr(repo)
    result = run_cli("--format", "json", "--no-schemas", "--trusted-config", "main", cwd=repo)
    assert rules(result) == ["ws-single-replica"] and result.code == 0, result.stdout


def test_a_new_resource_a_waiver_of_the_configuration_selects_is_its_selector_s_to_decide(repo: Path) -> None:
    """A glob waives a kind of resource, new ones included: a finding on a resource the waiver
    covered nothing of at the base is no change to review (the trusted configuration chose it)."""
    ws = _waive_ws_centrally(repo, "torghut-ws*")
    ws.write_text(ws.read_text().replace("replicas: 2", "replicas: 1"))
    commit_base(repo)
    ws.write_text(ws.read_text().replace("replicas: 1", "replicas: 3"))
    commit_pr(repo)
    result = run_cli("--format", "json", "--no-schemas", "--trusted-config", "main", cwd=repo)
    assert rules(result) == ["ws-single-replica"] and result.code == 0, result.stdout
    assert result.json["findings"][0]["waived"]


def test_a_finding_moved_under_a_waiver_of_the_configuration_by_its_file_needs_review(repo: Path) -> None:
    """The base has the violation unwaived; the change moves the file to where a central waiver's
    ``file`` glob covers it. Same resource, same value: the waiver now covers a finding it did not
    cover at the base, which is the change's doing, not the configuration's."""
    (repo / ".torghut-lint.yaml").write_text((CENTRAL % "'*'").replace("kind: Deployment", "file: '*/ws-canary/*'"))
    scale_ws(repo)  # replicas: 2, not waived at the base
    commit_base(repo)
    (repo / APP / "ws").rename(repo / APP / "ws-canary")
    kustomization = repo / APP / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace("  - ws\n", "  - ws-canary\n"))
    commit_pr(repo)
    result = run_cli("--format", "json", "--no-schemas", "--trusted-config", "main", cwd=repo)
    added = [f for f in result.json["findings"] if f["rule"] == "gate-waiver-added"]
    assert len(added) == 1 and added[0]["file"].endswith("ws-canary/deployment.yaml"), result.stdout
    assert "did not cover" in added[0]["message"] and result.code == 1


def test_a_finding_renamed_under_a_waiver_of_the_configuration_by_its_name_needs_review(repo: Path) -> None:
    """The base's torghut-ws runs two replicas, unwaived; the change renames it to what the
    configuration's glob waives. The same violation on a Deployment the base did not have, while
    the base's lost it: a rename under the waiver, not a new resource the glob was written for."""
    (repo / ".torghut-lint.yaml").write_text(CENTRAL % "'torghut-ws-canary*'")
    ws = scale_ws(repo)  # replicas: 2, not waived at the base
    commit_base(repo)
    ws.write_text(ws.read_text().replace("  name: torghut-ws\n", "  name: torghut-ws-canary\n", 1))
    commit_pr(repo)
    result = run_cli("--format", "json", "--no-schemas", "--trusted-config", "main", cwd=repo)
    added = [f for f in result.json["findings"] if f["rule"] == "gate-waiver-added"]
    assert len(added) == 1 and "renames or moves" in added[0]["message"], result.stdout
    assert added[0]["resource"]["name"] == "torghut-ws-canary" and result.code == 1


def test_one_of_two_alike_findings_renamed_under_a_waiver_of_the_configuration_needs_review(repo: Path) -> None:
    """Two Deployments run the websocket with two replicas; the change renames one under the glob.
    The other still has the same finding: the renamed one's is gone all the same."""
    (repo / ".torghut-lint.yaml").write_text(CENTRAL % "'torghut-ws-canary*'")
    ws = scale_ws(repo)
    (ws.parent / "deployment-b.yaml").write_text(
        ws.read_text().replace("  name: torghut-ws\n", "  name: torghut-ws-b\n", 1)
    )
    kustomization = ws.parent / "kustomization.yaml"
    kustomization.write_text(
        kustomization.read_text().replace("deployment.yaml", "deployment.yaml\n  - deployment-b.yaml", 1)
    )
    commit_base(repo)
    ws.write_text(ws.read_text().replace("  name: torghut-ws\n", "  name: torghut-ws-canary\n", 1))
    commit_pr(repo)
    result = run_cli("--format", "json", "--no-schemas", "--trusted-config", "main", cwd=repo)
    added = [f for f in result.json["findings"] if f["rule"] == "gate-waiver-added"]
    assert [f["resource"]["name"] for f in added] == ["torghut-ws-canary"], result.stdout
    assert result.code == 1


def test_a_waiver_of_the_configuration_by_file_is_read_alike_at_both_revisions(repo: Path) -> None:
    """The base is read from git objects elsewhere on disk: a ``file`` glob must select the same
    files there as in the working tree, or every finding it waives would look moved under it."""
    (repo / ".torghut-lint.yaml").write_text((CENTRAL % "'*'").replace("kind: Deployment", "file: '*/ws/*'"))
    ws = scale_ws(repo)  # replicas: 2, waived at both revisions
    commit_base(repo)
    ws.write_text("# a comment that moves every line\n\n" + ws.read_text())
    commit_pr(repo)
    result = run_cli("--format", "json", "--no-schemas", "--trusted-config", "main", cwd=repo)
    assert rules(result) == ["ws-single-replica"] and result.code == 0, result.stdout
    assert result.json["findings"][0]["waived"]


def test_an_unrelated_edit_beside_a_waived_value_is_not_a_gate_change(repo: Path) -> None:
    """Lines move, other fields change: the waived finding is the same one, so nothing to review."""
    _waive_ws_by_annotation(repo, KEY)
    commit_base(repo)
    ws = repo / APP / "ws" / "deployment.yaml"
    text = ws.read_text().replace("app: torghut-ws\n", "app: torghut-ws\n    tier: md\n", 1)
    ws.write_text("# a comment that moves every line\n\n" + text)
    commit_pr(repo)
    result = run_cli("--format", "json", "--no-schemas", "--trusted-config", "main", cwd=repo)
    assert rules(result) == ["ws-single-replica"] and result.code == 0, result.stdout


# -- CRD schemas are gate inputs ---------------------------------------------------------------


def _crd(group: str, kind: str, schema: str) -> str:
    plural = kind.lower() + "s"
    return (
        f"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {{name: {plural}.{group}}}\n"
        f"spec:\n  group: {group}\n  names: {{kind: {kind}, plural: {plural}}}\n  scope: Namespaced\n"
        "  versions:\n  - name: v1\n    served: true\n    storage: true\n"
        f"    schema:\n      openAPIV3Schema: {schema}\n"
    )


PERMISSIVE_CHI = _crd(
    "clickhouse.altinity.com", "ClickHouseInstallation", "{type: object, x-kubernetes-preserve-unknown-fields: true}"
)
THING = _crd(
    "example.com", "Thing", "{type: object, properties: {spec: {type: object, properties: {size: {type: integer}}}}}"
)


def _add_resource(repo: Path, name: str, text: str) -> None:
    (repo / APP / name).write_text(text)
    kustomization = repo / APP / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace("resources:\n", f"resources:\n  - {name}\n", 1))


def _misplace_claim_templates(repo: Path) -> None:
    chi = repo / APP / "clickhouse" / "clickhouse-cluster.yaml"
    chi.write_text(chi.read_text().replace("\nspec:\n", "\nspec:\n  volumeClaimTemplatesTypo: []\n", 1))


def test_a_crd_that_replaces_the_catalogs_schema_is_a_change_of_the_gate(repo: Path) -> None:
    """A hostile PR adds a permissive CRD for a kind the bundled catalog validates, so a misplaced
    field passes schema validation (the ClickHouse volumeClaimTemplates incident): with the
    trusted config it is gate-config-changed, at the CRD."""
    commit_base(repo)
    _add_resource(repo, "chi-crd.yaml", PERMISSIVE_CHI)
    _misplace_claim_templates(repo)
    commit_pr(repo)
    plain = run_cli("--format", "json", cwd=repo)
    assert "schema-unknown-field" not in rules(plain)  # the tree's CRD is what the cluster is given
    gated = run_cli("--format", "json", "--trusted-config", "main", cwd=repo)
    assert gated.code == 1
    changed = [f for f in gated.json["findings"] if f["rule"] == "gate-config-changed"]
    assert [(f["file"].endswith("chi-crd.yaml"), f["line"]) for f in changed] == [(True, 1)]
    assert "ClickHouseInstallation" in changed[0]["message"]


def test_a_crd_schema_the_change_edits_is_a_change_of_the_gate(repo: Path) -> None:
    _add_resource(repo, "thing-crd.yaml", THING)
    commit_base(repo)
    crd = repo / APP / "thing-crd.yaml"
    crd.write_text(
        crd.read_text().replace(
            "metadata: {name: things.example.com}", "metadata:\n  name: things.example.com\n  labels: {a: b}"
        )
    )
    commit_pr(repo)
    same = run_cli("--format", "json", "--trusted-config", "main", cwd=repo)
    assert "gate-config-changed" not in rules(same)  # the schema is the same: nothing to review
    crd.write_text(crd.read_text().replace("{size: {type: integer}}", "{size: {x-kubernetes-int-or-string: true}}"))
    commit_pr(repo)
    edited = run_cli("--format", "json", "--trusted-config", "main", cwd=repo)
    assert [f["line"] for f in edited.json["findings"] if f["rule"] == "gate-config-changed"] == [1]


def test_a_crd_of_a_new_kind_is_no_change_of_the_gate(repo: Path) -> None:
    commit_base(repo)
    _add_resource(repo, "thing-crd.yaml", THING)
    commit_pr(repo)
    assert "gate-config-changed" not in rules(run_cli("--format", "json", "--trusted-config", "main", cwd=repo))


def test_a_worse_override_of_the_same_parameters_is_new(repo: Path) -> None:
    """An Application of the linted tree that gives its path kustomize patches (reviewed at the
    base): the same parameters with a worse patch is a new finding, its identity what it sets."""
    app = repo / APP / "self.yaml"
    app.write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: torghut, namespace: argocd}\n"
        "spec:\n  project: default\n  destination: {server: https://kubernetes.default.svc, namespace: torghut}\n"
        "  source:\n    repoURL: https://github.com/proompteng/lab.git\n    targetRevision: main\n"
        "    path: argocd/applications/torghut\n    kustomize:\n      patches:\n"
        "        - {target: {kind: Deployment, name: torghut-ws}, patch: '[{op: replace, path: /spec/replicas,"
        " value: 1}]'}\n"
    )
    kustomization = repo / APP / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace("resources:\n", "resources:\n  - self.yaml\n", 1))
    commit_base(repo)
    app.write_text(app.read_text().replace("value: 1}", "value: 3}"))
    commit_pr(repo)
    result = run_cli("--format", "json", "--no-schemas", "--new-since", "main", cwd=repo)
    assert rules(result) == ["argocd-source-override"], result.json["findings"]


def test_a_change_to_what_is_not_rendered_is_new(tmp_path: Path) -> None:
    """A Helm chart, a helmCharts entry's values file and Jsonnet are not rendered here: their
    findings stand for what they render, so a change to any of their inputs (a chart's values, a
    template, the values file, an imported libsonnet) is a new finding, not the base's."""
    import subprocess

    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: ws\nversion: 1.0.0\n")
    (chart / "values.yaml").write_text("replicas: 1\n")
    (chart / "templates" / "deploy.yaml").write_text("replicas: {{ .Values.replicas }}\n")
    kust = tmp_path / "kust"
    kust.mkdir()
    (kust / "kustomization.yaml").write_text(
        "helmCharts:\n  - {name: ws, repo: https://charts.example.com, version: 1.0.0, valuesFile: values.yaml}\n"
    )
    (kust / "values.yaml").write_text("replicas: 1\n")
    jsonnet = tmp_path / "jsonnet"
    jsonnet.mkdir()
    (jsonnet / "main.jsonnet").write_text("local lib = import 'lib.libsonnet'; lib.deployment(1)\n")
    (jsonnet / "lib.libsonnet").write_text("{ deployment(n):: { replicas: n } }\n")
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "b"]):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    def new(path: str) -> list[str]:
        result = run_cli("--no-schemas", "--format", "json", "--new-since", "HEAD", path, cwd=tmp_path)
        return sorted(f["rule"] for f in result.json["findings"])

    assert new("chart") == [] and new("kust") == [] and new("jsonnet") == []
    (chart / "values.yaml").write_text("replicas: 3\n")
    (kust / "values.yaml").write_text("replicas: 3\n")
    (jsonnet / "lib.libsonnet").write_text("{ deployment(n):: { replicas: n * 3 } }\n")
    assert new("chart") == ["kustomize-helm-not-rendered"]
    assert new("kust") == ["kustomize-helm-not-rendered"]
    assert new("jsonnet") == ["jsonnet-not-rendered"]


def test_a_submodule_the_base_pins_is_the_base_s_and_another_commit_is_new(tmp_path: Path) -> None:
    """An unchecked submodule is reported where the base had it too (the base snapshot keeps it, an
    empty directory with its commit), so --new-since says nothing until the change pins another
    commit, which Argo CD would check out unseen."""
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    app = tmp_path / "app"
    (app / "vendor").mkdir(parents=True)
    (app / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    (tmp_path / ".gitmodules").write_text('[submodule "v"]\n\tpath = ./app/vendor\n\turl = https://example.com/v\n')
    git("init", "-q")
    git("add", "-A")
    git("update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},app/vendor")
    git("-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "base")
    new = lambda: rules(run_cli("--no-schemas", "--format", "json", "--new-since", "HEAD", "app", cwd=tmp_path))  # noqa: E731
    assert new() == []
    git("update-index", "--cacheinfo", f"160000,{'2' * 40},app/vendor")
    assert new() == ["submodule-not-checked-out"]


def test_a_plugin_s_configuration_edited_is_new(tmp_path: Path) -> None:
    """A kustomize plugin (`transformers:`) is never run here: its finding stands for what its
    configuration file says, so editing that file is a new finding, not the base's."""
    import subprocess

    app = tmp_path / "app"
    app.mkdir()
    (app / "kustomization.yaml").write_text("resources: [cm.yaml]\ntransformers: [setter.yaml]\n")
    (app / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    (app / "setter.yaml").write_text("apiVersion: example.com/v1\nkind: Setter\nmetadata: {name: s}\nvalue: paper\n")
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "b"]):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)
    new = lambda: rules(run_cli("--no-schemas", "--format", "json", "--new-since", "HEAD", "app", cwd=tmp_path))  # noqa: E731
    assert new() == []
    (app / "setter.yaml").write_text((app / "setter.yaml").read_text().replace("paper", "live"))
    assert new() == ["kustomize-unsupported"]


def test_an_edit_of_what_is_too_large_or_complex_to_lint_is_new(tmp_path: Path) -> None:
    """A file over the size limit, or nested past the depth limit, is not linted: its finding stands
    for its content, so an edit of it (live trading switched on inside) is new, not the base's."""
    import subprocess

    from torghut_lint.parse import MAX_DEPTH, MAX_FILE_BYTES

    app = tmp_path / "app"
    app.mkdir()
    big = app / "big.yaml"
    big.write_text("a: " + "x" * (MAX_FILE_BYTES + 10) + "\n")
    deep = app / "deep.yaml"
    deep.write_text("[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n")
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "b"]):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)
    new = lambda: rules(run_cli("--no-schemas", "--format", "json", "--new-since", "HEAD", "app", cwd=tmp_path))  # noqa: E731
    assert new() == []
    big.write_text("TRADING_MODE: live\n" + big.read_text())
    deep.write_text("# TRADING_MODE: live\n" + deep.read_text())
    assert new() == ["yaml-too-complex", "yaml-too-large"]
