"""What a shell runs (:mod:`torghut_lint.shell`): the commands of a script and the words a shell
gives them, their redirections and pipes, here-documents, and what programs are given."""

from __future__ import annotations

import pytest

from torghut_lint.shell import commands, echoed, heredoc_files, piped_credentials, program_credentials, read


@pytest.mark.parametrize(
    ("script", "words"),
    [
        (
            "curl -sf -u 'u:p w' x && mysql -uroot -p\"Pa\"ss db",
            [["curl", "-sf", "-u", "u:p w", "x"], ["mysql", "-uroot", "-pPass", "db"]],
        ),
        ("curl 2>&1 -u a:b x | tee /log", [["curl", "-u", "a:b", "x"], ["tee", "/log"]]),  # 2>&1: no word, no &
        ("sshpass -p pw \\\n  ssh host", [["sshpass", "-p", "pw", "ssh", "host"]]),  # a line continued
        (
            'redis-cli -a "$PW" ping; X=$(curl -u u:p x)',
            [["redis-cli", "-a", None, "ping"], [None], ["curl", "-u", "u:p", "x"]],
        ),
        ("# curl -u a:b x\ncat <<EOF\ncurl -u a:b x\nEOF\nexec curl", [["cat"], ["exec", "curl"]]),  # data, comments
        ("echo a#b # c", [["echo", "a#b"]]),  # a # inside a word starts no comment
        ("echo 'unclosed curl -u a:b", [["echo", None]]),
        ("a || b", [["a"], ["b"]]),
    ],
)
def test_a_script_s_commands_are_the_words_a_shell_gives(script: str, words: list) -> None:
    assert [command.words for command in commands(script)] == words


def test_where_a_command_s_output_goes_and_what_it_reads() -> None:
    run = list(commands("echo x > /a.env 2>/dev/null; printf y >>'/b c'\necho z |\n  docker login --password-stdin"))
    assert [(c.words, c.writes, c.piped) for c in run] == [
        (["echo", "x"], ["/a.env", "/dev/null"], False),
        (["printf", "y"], ["/b c"], False),
        (["echo", "z"], [], False),
        (["docker", "login", "--password-stdin"], [], True),  # the pipe goes on over the line break
    ]


@pytest.mark.parametrize(
    ("script", "files"),
    [
        ("cat <<EOF > /etc/app/.env\nA=1\nEOF\n", [("/etc/app/.env", "A=1\n")]),
        ("cat >> 'my file.conf' <<-'X'\n\ta=1\n\tX\n", [("my file.conf", "a=1\n")]),  # <<-: tabs go
        ("tee -a ~/.pgpass >/dev/null <<EOF\nh:1:*:u:p\nEOF", [("~/.pgpass", "h:1:*:u:p\n")]),
        ("cat <<A > a.env; cat <<B > b.env\n1\nA\n2\nB\n", [("a.env", "1\n"), ("b.env", "2\n")]),
        ("cat <<EOF >&2\nnot a file\nEOF\n", []),
        ("python - <<'PY'\ntoken=None\nPY\n", []),  # a program's input
        ("cat <<EOF | kubectl apply -f -\nkind: X\nEOF\n", []),
        ("cat <<EOF > x.env\nnever closed\n", [("x.env", "never closed\n")]),  # read to the end, as a shell does
        ("x <<< 'here-string' > out.env", []),
    ],
)
def test_the_files_a_script_s_here_documents_write(script: str, files: list) -> None:
    assert list(heredoc_files(script)) == files


@pytest.mark.parametrize(
    ("script", "files"),
    [
        ("echo 'DB_PASSWORD=x' >> /app/.env", [("/app/.env", "DB_PASSWORD=x\n")]),
        ("echo -n s3cr3t > /run/secrets/db_password", [("/run/secrets/db_password", "s3cr3t")]),
        ("printf 'a=1\\nb=2\\n' > x.conf", [("x.conf", "a=1\nb=2\n")]),
        ("printf '%s' tok > /run/token", [("/run/token", "tok")]),
        ('echo "$PW" > /run/token', [("/run/token", "\x00\n")]),  # expanded: unknown (shell.UNKNOWN)
        ('echo "TRADING_MODE=${MODE}" x > a.env', [("a.env", "TRADING_MODE=\x00 x\n")]),  # the name is seen
        ("cat <<EOF > a.env\nMODE=$MODE\nT=`date`\nEOF\n", [("a.env", "MODE=\x00\nT=\x00\n")]),  # expanded
        ("cat <<'EOF' > a.env\nMODE=$MODE\nEOF\n", [("a.env", "MODE=$MODE\n")]),  # quoted: as written
        ("cat <<\\EOF > a.env\nMODE=$MODE\nEOF\n", [("a.env", "MODE=$MODE\n")]),
        ("printf '%d' 5 > n", []),  # a format not modelled
        ("printf 'TRADING_MODE=\\154ive\\n' > a.env", [("a.env", "TRADING_MODE=live\n")]),  # octal, as every shell
        ("printf '%s=%s\\n' A 1 B > a.env", [("a.env", "A=1\nB=\n")]),  # the format again, a missing one empty
        ("printf '100%% %s\\x21' x > a", [("a", "100% x!")]),
        ("printf 'a\\cb' > a", []),  # an escape the shells read differently
        ("echo 'TRADING_MODE=\\0154ive' > a.env", []),  # dash's echo reads it, bash's does not
        ("tee /app/.env <<< 'DB_PASSWORD=x'", [("/app/.env", "DB_PASSWORD=x\n")]),  # a here-string's word
        ("cat <<< 'MODE=live' > a.env", [("a.env", "MODE=live\n")]),  # cat gives what it reads
        ('cat <<< "MODE=$M" > a.env', [("a.env", "MODE=\x00\n")]),
        ("echo MODE=live | cat - > a.env", [("a.env", "MODE=live\n")]),
        (  # appended: each write, and what they leave in the file together
            "printf 'TRADING_' > a.env; printf 'MODE=live\\n' >> a.env",
            [("a.env", "TRADING_"), ("a.env", "MODE=live\n"), ("a.env", "TRADING_MODE=live\n")],
        ),
        ("printf 'A' >> a.env; printf 'B' > a.env", [("a.env", "A"), ("a.env", "B")]),  # > starts it anew
        ("echo x > /dev/null", []),
        ("cat <<EOF > a.env\nA=1\nEOF\necho B=2 >> a.env", [("a.env", "A=1\n"), ("a.env", "B=2\n")]),
    ],
)
def test_what_echo_and_printf_write_into_files(script: str, files: list) -> None:
    assert read(script).files == files


def test_echo_s_options_are_read() -> None:
    assert (echoed(["echo", "-n", "a", "b"]), echoed(["echo", "-e", "x"]), echoed(["echo", "-x"])) == (
        "a b",
        "x\n",
        "-x\n",
    )


@pytest.mark.parametrize(
    ("words", "found"),
    [
        (["curl", "-u", "admin:pw-1", "x"], [(2, "pw-1", None)]),
        (["curl", "--user=admin:pw-1", "-U", "proxy:pw-2", "x"], [(1, "pw-1", None), (3, "pw-2", None)]),
        (["curl", "-u", "admin", "x"], []),  # a user alone
        (["curl", "--", "-u", "a:b"], []),  # after --: arguments, not options
        (["mysql", "-pPW", "db"], [(1, "PW", None)]),
        (["mysql", "-p", "db"], []),  # -p alone: a prompt
        (
            ["docker", "run", "-p", "80:80", "-e", "DB_PASSWORD=pw", "--env=MODE=x", "-e", "HOME", "i"],
            [(5, "pw", "DB_PASSWORD"), (6, "x", "MODE")],
        ),  # fmt: skip
        (["docker", "login", "-p", "PW", "r"], [(3, "PW", None)]),
        (
            ["helm", "upgrade", "x", "--set", "a.b=1,auth.password=p\\,w", "--set-string=t=2"],
            [(4, "1", "a.b"), (4, "p,w", "auth.password"), (5, "2", "t")],
        ),  # fmt: skip
        (["kubectl", "create", "secret", "generic", "db", "--from-literal=password=pw"], [(5, "pw", "password")]),
        (["mongosh", "-p", "--quiet"], []),  # the next option, no value
        (["openssl", "rsa", "-passin", "pass:PW"], [(3, "PW", None)]),
        (["openssl", "rsa", "-passin", "file:/run/pw"], []),
        (["A=1", "exec", "/usr/bin/redis-cli", "-a", "PW"], [(4, "PW", None)]),
        (["keytool", "-importcert", "-storepass", "PW", "-keypass:env", "KP"], [(3, "PW", None)]),
        (["htpasswd", "-b", "-c", "/etc/htpasswd", "admin", "PW"], [(5, "PW", None)]),
        (["htpasswd", "-nb", "admin", "PW"], [(3, "PW", None)]),
        (["htpasswd", "-c", "/etc/htpasswd", "admin"], []),  # prompts
        (["mc", "alias", "set", "m", "http://minio:9000", "KEYID", "SECRET"], [(6, "SECRET", None)]),
        (["aws", "configure", "set", "aws_secret_access_key", "SECRET"], [(4, "SECRET", "aws_secret_access_key")]),
        (["vault", "login", "s.TOKEN"], [(2, "s.TOKEN", None)]),
        (
            ["vault", "login", "-method=userpass", "username=u", "password=PW"],
            [(3, "u", "username"), (4, "PW", "password")],
        ),
        ([None, "curl", "-u", "a:b"], []),  # the program is computed: unknown
        (["curl", "-u", None], []),
    ],
)
def test_what_a_command_gives_its_program(words: list, found: list) -> None:
    assert [(given.at, given.value, given.name) for given in program_credentials(words)] == found


@pytest.mark.parametrize(
    ("script", "found"),
    [
        ("echo 'PW' | docker login -u me --password-stdin reg", [(1, "PW")]),
        ("printf '%s' PW | helm registry login r --password-stdin", [(1, "PW")]),
        ("echo 'root:PW' | chpasswd", [(1, "PW")]),
        ('echo "$PW" | docker login --password-stdin', []),
        ("cat /run/pw | docker login --password-stdin", []),
        ("echo PW; docker login --password-stdin", []),  # not piped
        ("docker login -u me --password-stdin reg <<< 'PW'", [(0, "PW")]),  # a here-string
        ('chpasswd <<< "$PAIR"', []),
    ],
)
def test_a_literal_piped_into_a_program_that_reads_a_credential(script: str, found: list) -> None:
    assert [(given.at, given.value) for given in piped_credentials(list(commands(script)))] == found


def test_every_modelled_program_is_hinted() -> None:
    """A script is split into words only when it names a program modelled here (shell.HINTS, kept
    short for speed): a program or an option added to the tables without a hint would be read
    nowhere."""
    from torghut_lint.shell import _POSITIONAL, LOGIN_PROGRAMS, PROGRAM_OPTIONS, hinted

    for program, options in PROGRAM_OPTIONS.items():
        for option in options:
            assert hinted(f"#!/bin/sh\n{program} {option.name} x:y\n"), (program, option.name)
    for program in LOGIN_PROGRAMS:
        assert hinted(f"{program} login -p x reg"), program
    for command in ("htpasswd -b f u p", "mc alias set m u k s", "mc config host add m u k s", "aws configure set k v"):
        assert command.split()[0] in _POSITIONAL and hinted(command), command
    assert (
        hinted("vault login t") and hinted("echo x | docker login --password-stdin") and hinted("echo a:b | chpasswd")
    )


@pytest.mark.parametrize(
    ("script", "files"),
    [
        ("echo 'TRADING_MODE=paper' > /app/.env", []),  # a known text: read() gives it
        ("printf 'TRADING_%s=li%s\\n' MODE ve > /app/.env", []),  # %s conversions: read() gives the text
        ("printf 'TRADING_MODE=%d\\n' 1 > /app/.env", ["/app/.env"]),  # another conversion: not told
        ("printf '%b' 'TRADING_MODE=\\154ive' > /app/.env", ["/app/.env"]),
        ("echo -e 'TRADING_MODE=\\x6cive' > /app/.env", ["/app/.env"]),  # the shell decides: not told
        ("printf 'A=1\\n' > /app/.env", []),  # no format: the text as printed
        ("cat <<'EOF' > /app/.env\nA=1\nEOF", []),  # a here-document: read() gives it
        ("cat /defaults/.env > /app/.env", ["/app/.env"]),  # a copy
        ("envsubst < /t/env.tpl > /app/.env", ["/app/.env"]),
        ("cp /defaults/.env /app/settings.env", ["/app/settings.env"]),
        ("cp /app/.env /backup/env", []),  # a copy reads its source
        ("curl -sSfo /app/.env https://c/x", ["/app/.env"]),
        ("python gen.py --out=/app/.env", ["/app/.env"]),
        ("sed -i s/paper/live/ /app/.env", ["/app/.env"]),  # edited in place
        ("cat /app/.env; . /app/.env; grep X /app/.env > /tmp/x; test -f /app/.env", []),  # only read
        ("printf 'ready' > /app/ready.txt", []),  # another file
        ("curl -s https://c/x | cat > /app/.env", ["/app/.env"]),  # cat gives what another program pipes
        ("python -c \"open('/app/.env', 'w').write(x)\"", ["/app/.env"]),  # named in a program's code
        ("perl -e 'open(F, \">/app/.env\")'", ["/app/.env"]),
        ("sh -c 'echo A=1 > /app/.env'", ["/app/.env"]),  # an inner shell's script: not read here
        ("echo A=1 | cat > /app/.env; cat <<< A=1 > /app/.env", []),  # what it reads is read()'s
    ],
)
def test_an_env_file_written_with_what_cannot_be_told(script: str, files: list) -> None:
    from torghut_lint.k8s import is_dotenv
    from torghut_lint.shell import input_text, unread_writes

    run = read(script, every=True).commands
    found = [
        f
        for n, c in enumerate(run)
        for f in unread_writes(c.words, c.writes, is_dotenv, c.partial, c.heredoc or input_text(run, n) is not None)
    ]
    assert found == files


@pytest.mark.parametrize(
    ("script", "given", "reading"),
    [
        ('P=pw1; prog --password "$P" $P', {}, "P=pw1; prog --password \"pw1\" 'pw1'"),
        ("P=pw1; echo '$P' \\$P", {}, None),  # single-quoted, escaped: no expansion
        ('prog -u "a:${SEED}"', {"SEED": 'x"y'}, 'prog -u "a:x\\"y"'),  # the environment's, escaped
        ("P=a; P=$(cat f); prog $P", {}, None),  # assigned something else since
        (
            'P=$(cat f); [ -n "$P" ] || P=fallback; prog $P',
            {},
            "P=$(cat f); [ -n \"$P\" ] || P=fallback; prog 'fallback'",
        ),
        (  # each literal it may hold, the last first, in a copy of the line: the rest read once
            "if x; then P=a; else P=b; fi\nprog $P\nother",
            {},
            "if x; then P=a; else P=b; fi\nprog 'b'\nprog 'a'\nother",
        ),
        ("prog $P; P=late", {}, None),  # assigned after it is expanded
        ("read -r P <<< 'it s'; prog \"$P\"", {}, "read -r P <<< 'it s'; prog \"it s\""),
        ("read P <<EOF\npw2\nEOF\nprog $P", {}, "read P <<EOF\npw2\nEOF\nprog 'pw2'"),
        ("P=pw3\ncat <<EOF > a\nX=$P\nEOF\n", {}, "P=pw3\ncat <<EOF > a\nX=pw3\nEOF\n"),  # a body: as it is
        ("P=it\\'s; prog $P", {}, "P=it\\'s; prog 'it'\\''s'"),
        ("prog ${P:-x} $1", {"P": "v"}, None),  # an operator, a positional parameter: not followed
    ],
)
def test_a_script_read_with_its_variables_expanded(script: str, given: dict, reading: str | None) -> None:
    from torghut_lint.shell import expanded

    assert expanded(script, given) == (reading, False)


def test_expansion_is_bounded() -> None:
    """The reading holds at most READ_FACTOR times the script and READ_ALLOWANCE characters
    (``cut`` past it), a line's copies count against MAX_READINGS, and a literal past MAX_VALUE
    is not put in: a few kB of script never makes megabytes."""
    from torghut_lint.shell import MAX_READINGS, MAX_VALUE, expanded

    long = "x" * MAX_VALUE
    assert expanded(f"P={long}\n" + "prog $P\n" * 5000) == (None, True)
    assert expanded(f"P={long}x; prog $P") == (None, False)
    choices = expanded("".join(f"P=v{i}; " for i in range(100)) + "\nprog $P")
    assert choices.reading.split("\n")[1:] == [f"prog 'v{99 - k}'" for k in range(MAX_READINGS)] and not choices.cut


def test_printf_s_repeated_format_is_bounded() -> None:
    """printf repeats its format for each group of arguments: a 10 kB format given 20,000 words
    (50 kB of script) would print 200 MB (this session's first version took 5 GB and minutes):
    past PRINTED_FACTOR times what it is given, what it prints is unknown."""
    assert echoed(["printf", "%s\\n", *"abc"]) == "a\nb\nc\n"  # the common repetition
    assert echoed(["printf", "TRADING_MODE=paper " * 500 + "%s\\n", *["a"] * 20_000]) is None
