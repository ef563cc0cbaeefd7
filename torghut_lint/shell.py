"""What a POSIX shell runs, as far as a credential in clear goes: a script's commands and the
words the shell gives each one, where their output goes, its here-documents; and what programs
take as a credential in ways no name beside the value says.

The ``inline-secrets`` rule judges a value by the name written beside it, on a command line by
the flag before it (``--password x``). Many programs take a credential otherwise: by an option
of their own (``curl -u user:password``, ``mysql -p<password>``), as an assignment given to an
option (``helm --set auth.password=x``, ``kubectl create secret --from-literal=token=x``), by
position (``htpasswd -b file user password``), from a pipe (``echo x | docker login
--password-stdin``); and a script writes files (``cat <<EOF > /etc/app/.env``, ``echo x >
/run/secrets/db_password``) that are read as files of their names are.

Words are the ones a shell gives (quotes removed and what they join joined); a word the shell
expands (``$X``, a backquote) is unknown (None), never a literal. Everything here is linear in
the script: the text is the pull request's.
"""

from __future__ import annotations

import bisect
import re
from collections import deque
from collections.abc import Iterator
from typing import NamedTuple

from torghut_lint import regex
from torghut_lint.k8s import WORD_END, assignments_from, command_words, shell_word
from torghut_lint.model import Path_

# -- here-documents ------------------------------------------------------------------------------

# a here-document's operator and its delimiter word, bare or quoted (``<<EOF``, ``<<-'PY'``)
_HEREDOC = regex.compile(
    r"<<(-?)[ \t]*(?:'([A-Za-z_][A-Za-z0-9_]*)'|\"([A-Za-z_][A-Za-z0-9_]*)\"|\\?([A-Za-z_][A-Za-z0-9_]*))"
)
# Where the line that opens a here-document sends it: ``> file``, ``>> file``, ``tee [-a] file``
# (not a descriptor, ``>&2``, nor /dev/null)
_HEREDOC_TARGET = regex.compile(
    r"(?:^|[\s;&|])(?:>>?|>\|)[ \t]*(?:\"([^\"\n]+)\"|'([^'\n]+)'|([^\s;&|<>&'\"][^\s;&|<>]*))"
    r"|(?:^|[\s;&|])tee(?:[ \t]+-[a-z]+)*[ \t]+(?:\"([^\"\n]+)\"|'([^'\n]+)'|([^\s;&|<>'\"]+))"
)


def without_heredocs(script: str) -> str:
    """``script`` with each here-document's body blanked (its lines left empty), up to the line
    that ends it: its delimiter alone (with ``<<-``, after leading tabs). A here-string (``<<<``)
    has none. A body is data for a command (an embedded Python program's ``token=None``), not
    the shell's."""
    return script if "<<" not in script else "\n".join(_heredocs(script)[0])


def _heredocs(script: str) -> tuple[list[str], list[tuple[tuple[str, int, int], str]]]:
    """``script``'s lines with each here-document's body blanked, and for each here-document the
    command that opens it (its line, and where on it the command starts and ends: at a ``;`` or
    ``&``) and its body (tabs leading a body's lines dropped with ``<<-``). Linear in the script
    however many operators a line holds (each separator is looked for once)."""
    out: list[str] = []
    bodies: list[tuple[tuple[str, int, int], str]] = []
    # the delimiters awaited, in order: word, tabs first, its command, quoted (a body the shell leaves as written)
    ends: deque[tuple[str, bool, tuple[str, int, int], bool]] = deque()
    body: list[str] = []
    lines = script.split("\n")
    for number, line in enumerate(lines):
        if ends:
            word, tabs, command, quoted = ends[0]
            if (line.lstrip("\t") if tabs else line) == word:
                ends.popleft()
                bodies.append((command, _as_written("".join(body), quoted)))
                body = []
            elif line or number + 1 < len(lines):  # (not the end of the script's last line)
                body.append((line.lstrip("\t") if tabs else line) + "\n")
            out.append("")
            continue
        out.append(line)
        if "<<" in line:
            start = scanned = 0  # where the operator's command starts; the line read up to there
            after = {";": -1, "&": -1}  # the next of each separator after the last operator
            for match in _HEREDOC.finditer(line):
                if match.start() > 0 and line[match.start() - 1] == "<":
                    continue  # <<<: a here-string
                start = max(
                    start, line.rfind(";", scanned, match.start()) + 1, line.rfind("&", scanned, match.start()) + 1
                )
                scanned = match.start()
                for separator, at in after.items():
                    if at < match.end():
                        found = line.find(separator, match.end())
                        after[separator] = len(line) if found < 0 else found
                command = (line, start, min(after.values()))
                quoted = match.group(4) is None or line[match.start() : match.start(4)].endswith("\\")
                ends.append(
                    (match.group(2) or match.group(3) or match.group(4), match.group(1) == "-", command, quoted)
                )
    if ends:  # never closed: the shell reads it to the script's end
        bodies.append((ends[0][2], _as_written("".join(body), ends[0][3])))
    return out, bodies


UNKNOWN = "\x00"  # what a file is written where the shell expands a word (``echo "$X"``, ``$X`` in a here-document)

# what a shell expands in a here-document whose delimiter is not quoted: a parameter, a command
# (``$(...)``, backquotes) or arithmetic
_EXPANDED = regex.compile(r"\$(?:\{[^}\n]*\}|\(\(?[^)\n]*\)?\)|[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])|`[^`\n]*`")


def _as_written(body: str, quoted: bool) -> str:
    """A here-document's body as the file gets it: as written under a quoted delimiter
    (``<<'EOF'``), else with what the shell expands in it :data:`UNKNOWN` (``$MODE`` is
    whatever the variable holds, not the text ``$MODE``)."""
    if quoted or ("$" not in body and "`" not in body):
        return body
    return _EXPANDED.sub(UNKNOWN, body)


def heredoc_files(script: str) -> Iterator[tuple[str, str]]:
    """(file, text) of each here-document ``script`` writes into a file (``cat <<EOF >
    /etc/app/.env``, ``cat > app.properties <<'EOF'``, ``tee -a ~/.pgpass <<EOF``): the file as
    its command names it (its last target), the body as written (an unquoted delimiter's ``$X``
    left as it is: a reference)."""
    if "<<" in script:
        yield from _heredoc_targets(_heredocs(script)[1])


def _heredoc_targets(bodies: list[tuple[tuple[str, int, int], str]]) -> Iterator[tuple[str, str]]:
    target: dict[tuple[int, int, int], str | None] = {}  # per command (several here-documents may share one)
    for (line, start, end), body in bodies:
        key = (id(line), start, end)
        if key not in target:
            named = (next(g for g in m.groups() if g is not None) for m in _HEREDOC_TARGET.finditer(line[start:end]))
            target[key] = next(iter(reversed([t for t in named if t != "/dev/null"])), None)
        if target[key] is not None:
            yield target[key], body


# -- the shell's own variables ------------------------------------------------------------------

# A shell assignment at a command's start, where a shell reads it as one: a line's start, after
# ``;``, ``&``, ``|`` or ``{``, after a subshell's ``(`` (not a call's, ``f(token=None)``), or
# after a word that starts a command or declares a variable (``then``, ``export``, ``env``).
_COMMAND_START = r"(?:^|[;&|{]|(?:^|[\s;&|{])\(|(?:^|[\s;&|{(])(?:then|do|else|export|local|readonly|env)[ \t]+)"
SCRIPT_ASSIGNMENT = regex.compile(rf"(?m){_COMMAND_START}[ \t]*([A-Za-z_][A-Za-z0-9_]*)=")
# ``read [-r] NAME <<< word``: the here-string's word assigned to the variable
_READ_HERESTRING = regex.compile(
    rf"(?m){_COMMAND_START}[ \t]*read(?:[ \t]+-[A-Za-z]+)*[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*<<<[ \t]*"
)
# ``read [-r] NAME <<EOF``: the here-document's first line assigned to the variable
_READ_HEREDOC = regex.compile(
    r"(?:^|[\s;&|{(])read(?:[ \t]+-[A-Za-z]+)*[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*<<-?[ \t]*[^<]"
)
# a parameter the shell expands by its name alone, ``$NAME`` or ``${NAME}`` (``${NAME:-x}``, an
# operator, is not followed: what it gives is not the literal alone)
_REFERENCE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_QUOTING = re.compile(r"[\\'\"$]")  # what changes how the shell reads what follows, or expands
MAX_VALUE = 4096  # a longer literal is not put in for its variable (no credential is that long)
MAX_READINGS = 32  # copies of a line, each taking another of the literals its variables may hold
# the characters a script's reading may hold: this many times the script, and this many more
READ_FACTOR, READ_ALLOWANCE = 4, 1024


class Expanded(NamedTuple):
    """A script read with its variables expanded (:func:`expanded`): the text (None: nothing to
    put in, or past its bound), and whether it was past its bound (what the literals give a
    program is not read)."""

    reading: str | None
    cut: bool = False


def expanded(script: str, given: dict[str, str] | None = None, kept=None) -> Expanded:
    """``script`` as the shell runs it where a variable it expands holds a literal: ``P=x;
    prog --password "$P"`` read as ``prog --password "x"``. A variable's literals are those the
    script assigns it before the reference (since it was last assigned something else: ``P=$(cat
    file)`` holds what the file does), and ``given`` (the environment's, by name) until the script
    assigns it. Where a variable may hold several (``if ...; then P=a; else P=b; fi``), each is
    put in, in a copy of the line that expands it, the last assigned first (at most
    :data:`MAX_READINGS`). A reference in single quotes is no expansion, in double quotes the
    literal is put in escaped, in a here-document's body as it is. None when nothing the script
    expands holds a literal. ``kept(literal)``: whether a literal is worth putting in (None: each is).

    Bounded: the reading holds at most :data:`READ_FACTOR` times the script and
    :data:`READ_ALLOWANCE` characters (a few kB of script referring to a long literal thousands
    of times would make megabytes), ``cut`` when it would hold more."""
    if "$" not in script:
        return Expanded(None)
    blanked = without_heredocs(script)
    # name -> [(offset, literal or None)] in the order the script assigns them
    assigned: dict[str, list[tuple[int, str | None]]] = {}
    if "=" in blanked:
        for name, value, at in assignments_from(blanked, SCRIPT_ASSIGNMENT, chained=True):
            assigned.setdefault(name, []).append((at, value))
    for name, value, at in reads(script):
        assigned.setdefault(name, []).append((at, value))
    given = given or {}
    if not assigned and not given:
        return Expanded(None)
    for events in assigned.values():
        events.sort()
    lines, original = blanked.split("\n"), script.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    # (offset in ``blanked``, (line, start, end, how: "'" unquoted, '"' in double quotes, "" in a body), name)
    found: list[tuple[int, tuple[int, int, int, str], str]] = []
    for start, end, name, quoted in _references(blanked, assigned, given):
        number = bisect.bisect_right(starts, start) - 1  # (the line it is on)
        found.append((start, (number, start - starts[number], end - starts[number], '"' if quoted else "'"), name))
    for number, line in enumerate(lines):
        if not line and number < len(original) and "$" in original[number]:  # a here-document's body
            for match in _REFERENCE.finditer(original[number]):
                name = match.group(1) or match.group(2)
                if name in assigned or name in given:
                    found.append((starts[number], (number, match.start(), match.end(), ""), name))
    found.sort(key=lambda one: one[0])
    references = [(where, held) for where, held in _choices(found, assigned, given, kept) if held]
    if not references:
        return Expanded(None)
    texts = [lines[n] or original[n] for n in range(len(lines))]
    reading = _reading(texts, references, READ_FACTOR * len(script) + READ_ALLOWANCE)
    return Expanded(None, cut=True) if reading is None else Expanded(reading)


def _reading(
    lines: list[str], references: list[tuple[tuple[int, int, int, str], list[str]]], budget: int
) -> str | None:
    """``lines`` joined, each literal put in at its reference (quoted as the reference is: see
    :func:`expanded`), or None past ``budget`` characters. A line whose variables may hold
    several literals is followed by a copy for each further one (the k-th of each, or its last):
    the line with every choice, where the rest of the script is read once."""
    by_line: dict[int, list[tuple[int, int, str, list[str]]]] = {}
    for (number, start, end, how), held in references:
        by_line.setdefault(number, []).append((start, end, how, held))
    size = sum(map(len, lines)) + len(lines)
    out = list(lines)
    for number, spans in by_line.items():
        spans.sort()
        line, copies = out[number], []
        for k in range(min(MAX_READINGS, max(len(held) for _, _, _, held in spans))):
            pieces, last = [], 0
            for start, end, how, held in spans:
                value = held[min(k, len(held) - 1)]
                text = (
                    value if not how else ("'" + value.replace("'", "'\\''") + "'" if how == "'" else _escaped(value))
                )
                pieces += [line[last:start], text]
                last = end
            copies.append("".join(pieces) + line[last:])
            size += len(copies[-1]) + 1 - (len(line) + 1 if k == 0 else 0)
            if size > budget:
                return None
        out[number] = "\n".join(copies)
    return "\n".join(out)


def reads(script: str) -> Iterator[tuple[str, str | None, int]]:
    """(name, value, offset in :func:`without_heredocs`'s text) of each variable ``read`` assigns
    from a here-string (``read -r P <<< word``) or the first line of a here-document (``read P
    <<EOF``); the value None where the shell expands something in it."""
    if "read" not in script or "<<" not in script:
        return
    lines, bodies = _heredocs(script)
    if "<<<" in script:
        blanked = "\n".join(lines)
        for match in _READ_HERESTRING.finditer(blanked):
            yield match.group(1), shell_word(blanked, match.end())[0], match.start(1)
    if bodies:
        offsets, at = {}, 0
        for line in lines:
            offsets.setdefault(id(line), at)
            at += len(line) + 1
        commands: dict[tuple[int, int, int], re.Match | None] = {}  # (several here-documents may share one)
        for (line, start, end), body in bodies:
            key = (id(line), start, end)
            if key not in commands:
                commands[key] = _READ_HEREDOC.search(line[start:end])
            if (match := commands[key]) is not None and id(line) in offsets:
                first = body.split("\n", 1)[0]
                yield match.group(1), None if UNKNOWN in first else first, offsets[id(line)] + start + match.start(1)


def assigned(script: str) -> set[str]:
    """The names of the variables ``script`` assigns (where a command starts, or by ``read``)."""
    if "=" not in script and "read" not in script:
        return set()
    names = (
        {match.group(1) for match in SCRIPT_ASSIGNMENT.finditer(without_heredocs(script))} if "=" in script else set()
    )
    return names | {name for name, _, _ in reads(script)}


def referenced(script: str) -> set[str]:
    """The names of the variables ``script`` expands by name (``$NAME``, ``${NAME}``), wherever
    written."""
    return {match.group(1) or match.group(2) for match in _REFERENCE.finditer(script)} if "$" in script else set()


def _references(text: str, assigned: dict, given: dict) -> Iterator[tuple[int, int, str, bool]]:
    """(start, end, name, in double quotes) of each ``$NAME``/``${NAME}`` the shell expands in
    ``text`` (here-document bodies blanked) of a name in ``assigned`` or ``given``: not in single
    quotes, not escaped. Linear: each quoting character is looked at once."""
    i, n, double = 0, len(text), False
    while (found := _QUOTING.search(text, i)) is not None:
        i = found.start()
        char = text[i]
        if char == "\\":
            i += 2
        elif char == "'" and not double:
            close = text.find("'", i + 1)
            i = n if close < 0 else close + 1
        elif char == '"':
            double = not double
            i += 1
        else:
            match = _REFERENCE.match(text, i)
            if match is None:
                i += 1
                continue
            name = match.group(1) or match.group(2)
            if name in assigned or name in given:
                yield i, match.end(), name, double
            i = match.end()


def _choices(found, assigned: dict, given: dict, kept) -> Iterator[tuple[tuple[int, int, int, str], list[str]]]:
    """Each reference of ``found`` (in the order of the script) with the literals its variable
    may hold there: those assigned before it since it was last assigned something else (else its
    ``given`` one too), the last first, none longer than :data:`MAX_VALUE` nor one ``kept`` refuses.
    One sweep: each assignment is met once, each literal judged once."""
    state: dict[str, list] = {}  # name -> [events met, literals held, the choices they make (None: to make)]
    worth: dict[str, bool] = {}
    for offset, where, name in found:
        events = assigned.get(name, ())
        if (now := state.get(name)) is None:
            now = state[name] = [0, [] if given.get(name) is None else [given[name]], None]
        while now[0] < len(events) and events[now[0]][0] < offset:
            value = events[now[0]][1]
            now[0] += 1
            if value is None:
                now[1], now[2] = [], None
            elif value not in now[1]:
                now[1].append(value)
                now[2] = None
        if now[2] is None:
            choices = []
            for value in reversed(now[1]):
                if len(value) <= MAX_VALUE and (ok := worth.get(value)) is not False:
                    if ok is None:
                        ok = worth[value] = kept is None or bool(kept(value))
                    if ok:
                        choices.append(value)
            now[2] = choices
        yield where, now[2]


_DOUBLE_QUOTED_ESCAPES = str.maketrans({c: "\\" + c for c in '\\"$`'})


def _escaped(value: str) -> str:
    """``value`` written inside double quotes so the shell reads it back as it is."""
    return value.translate(_DOUBLE_QUOTED_ESCAPES)


# -- commands ------------------------------------------------------------------------------------


class Command(NamedTuple):
    """One command a shell runs: its words (None for one the shell expands), the files its output
    is written to (``>``, ``>>``; None for one named by an expansion), and whether its input is
    the output of the command before it (``a | b``)."""

    words: list[str | None]
    writes: list[str | None]
    piped: bool
    # each expanded word as far as it is known: by index, the word with what the shell expands in
    # it :data:`UNKNOWN` (``"TRADING_MODE=$X"`` is ``TRADING_MODE=`` and an unknown value)
    partial: dict[int, str] = {}
    # the here-string its input is (``<<< word``: the word and a line break, what the shell expands
    # in it :data:`UNKNOWN`), None if it has none
    herestring: str | None = None
    heredoc: bool = False  # its input is a here-document (``<<EOF``: :func:`heredoc_files` reads the body)
    appends: tuple[bool, ...] = ()  # for each of ``writes``, whether it appends (``>>``) to the file


# a script that names none of these gives no program a credential in a way modelled here (told
# without splitting it into words), as ``hint in text or ...`` written out: each program's name,
# or for a common one the option that gives it (``--set``, ``--from-literal``)
HINTS = (
    *("curl", "mysql", "mariadb", "sshpass", "redis-cli", "mongo", "openssl", "keytool", "--set", "--from-literal"),
    *("docker", "podman", "nerdctl", "login", "htpasswd", "mc alias", "mc config", "aws configure", "vault login"),
    *("password-stdin", "chpasswd", "| tee", "|tee", "<<<"),
)
_named = eval("lambda text: " + " or ".join(f"{hint!r} in text" for hint in HINTS))  # noqa: S307
# a line where echo or printf may write into a file (``> file``, ``>> file``; not ``>&2``)
_WRITES = regex.compile(r"\b(?:echo|printf)\b[^\n>]*>>?[ \t]*[\"']?[^&\s\"']")


def hinted(script: str) -> bool:
    """Whether :func:`commands` of ``script`` may give a program a credential or write one into
    a file (False: nothing :func:`program_credentials`, :func:`piped_credentials` or
    :func:`read` looks for is in it, here-documents aside)."""
    if _named(script):
        return True
    return ">" in script and ("echo" in script or "printf" in script) and _WRITES.search(script) is not None


class Script(NamedTuple):
    """What :func:`read` finds in a script: its commands (none when it names nothing modelled
    here: :func:`hinted`), and (file, text) of each file it writes a literal into."""

    commands: list[Command]
    files: list[tuple[str, str]]


def read(script: str, every: bool = False) -> Script:
    """``script``'s commands and the files it writes a literal into: a here-document's body
    (:func:`heredoc_files`), what ``echo`` or ``printf`` prints into one (``echo 'DB_PASSWORD=x'
    >> /app/.env``, ``| tee``, ``cat <<< x > file``), :data:`UNKNOWN` where the shell expands
    something; a file several of them append to, also as they leave it together (``printf
    'TRADING_' > f; printf 'MODE=live' >> f``). Its here-documents are read once for both. The
    commands of a script that names nothing :func:`hinted` are not read unless ``every``."""
    lines, bodies = _heredocs(script) if "<<" in script else (None, [])
    run = list(_commands(script if lines is None else "\n".join(lines))) if every or hinted(script) else []
    files = list(_heredoc_targets(bodies))
    together: dict[str, list[str]] = {}  # what the known writes leave in each file, in order
    for n, command in enumerate(run):
        targets = [t for t in command.writes if t is not None and t != "/dev/null"]
        text = None
        if targets and command.words and command.words[0] in ("echo", "printf"):
            text = echoed(command.words, command.partial)
        elif targets and command.words in (["cat"], ["cat", "-"]) and not command.heredoc:
            text = input_text(run, n)  # ``cat <<< x > f``, ``echo x | cat > f``
        if text is not None:
            files.append((targets[-1], text))
            appended = command.appends[-1] if command.appends else False
            together[targets[-1]] = [*together.get(targets[-1], []), text] if appended else [text]
        # ``echo x | tee [-a] file...``: each file tee is given
        if command.words and command.words[0] == "tee" and (text := input_text(run, n)) is not None:
            files += [(f, text) for f in command.words[1:] if f is not None and not f.startswith("-")]
    files += [(file, "".join(texts)) for file, texts in together.items() if len(texts) > 1]
    return Script(run, files)


# programs that only read a file named as their argument (or test it): a ``.env`` among their words
# is not written by them
_READERS = frozenset(
    ("cat", ".", "source", "grep", "egrep", "fgrep", "head", "tail", "less", "more", "test", "[", "[[", "ls")
    + ("stat", "wc", "diff", "cmp", "md5sum", "sha256sum", "file", "echo", "printf", "export", "set", "env")
)


_COPIES = frozenset(("cp", "mv", "install", "ln", "rsync", "scp"))  # the last word is what they write


def unread_writes(
    words: list[str | None],
    writes: list[str | None],
    is_target,
    partial: dict[int, str] | None = None,
    input_told: bool = True,
) -> list[str]:
    """The files named so (``is_target``: a ``.env``) that one command writes with what a script's
    reader cannot tell: a redirection of anything but ``echo``/``printf`` of a known text or a
    here-document's ``cat`` (whose text :func:`read` gives; ``printf`` converting other than with
    ``%s``, or ``echo`` of a backslash, is unknown: :func:`echoed`), and any word of
    a program that does not only read its arguments (``cp x /app/.env``, ``curl -o``, ``sed -i``,
    ``python gen.py --out=/app/.env``, a file named in the code a program is given: ``python -c
    "open('/app/.env', 'w')..."``). ``partial``: the command's words the shell expands, as far
    as they are known (an ``echo "MODE=$X"`` writes a known name and an unknown value: :func:`read`'s)."""
    program = (words[0] or "").rsplit("/", 1)[-1] if words else ""
    found = []
    targets = [t for t in writes if t is not None and is_target(t)]
    if targets:
        told = program in ("echo", "printf") and echoed(words, partial) is not None
        # (``cat <<EOF > f``, ``cat <<< x > f``, ``echo x | cat > f``: what it reads is read; not
        # what another program pipes into it: ``input_told`` False)
        if not told and not (program == "cat" and words in (["cat"], ["cat", "-"]) and input_told):
            found += targets
    if program and program not in _READERS and program != "tee":  # (tee: :func:`read`, from its input)
        # a copy writes its last word only (``cp /app/.env /backup/env`` reads the .env)
        arguments = words[-1:] if program in _COPIES and len(words) > 2 else words[1:]
        for word in arguments:
            # the paths a word names, whole or inside the code a program is given (``--out=/app/.env``,
            # ``python -c "open('/app/.env', 'w')..."``, an inner ``sh -c '... > /app/.env'``)
            for part in _PATHS_IN_WORD.findall(word) if word else ():
                if is_target(part) and not part.startswith("-"):
                    found.append(part)
    return found


# what may be a path inside a word: a run of characters no quote, blank, assignment or bracket of a
# program's code interrupts
_PATHS_IN_WORD = re.compile(r"[^\s'\"=,;:()\[\]{}<>`|&]+")


def commands(script: str) -> Iterator[Command]:
    """Each command a POSIX shell runs from ``script``: at a line break, ``;``, ``&``, ``&&``,
    ``||``, ``|`` (the next one piped) or a parenthesis; comments and here-document bodies (data)
    left out; a redirection's file is no word (``2>&1`` duplicates a descriptor: nothing)."""
    return _commands(without_heredocs(script))


def _commands(text: str) -> Iterator[Command]:
    words: list[str | None] = []
    writes: list[str | None] = []
    partial: dict[int, str] = {}
    piped = False
    herestring: str | None = None
    heredoc = False
    appends: list[bool] = []
    # ">" (the next word is a file written), "<" (read: dropped), "<<<" (a here-string: the input),
    # "&" (a descriptor: dropped)
    redirect = ""
    i, n, last_end = 0, len(text), -1
    while i < n:
        char = text[i]
        if char in " \t\r":
            i = _BLANKS.match(text, i).end()
        elif char == "\\" and text.startswith("\n", i + 1):  # a line continued
            i += 2
        elif char in "<>":
            if words and last_end == i and (words[-1] or "").isdigit():
                words.pop()  # ``2>``: the descriptor redirected, no word
            redirect = "<" if char == "<" else ">"
            if text.startswith("<<<", i):
                redirect = "<<<"
            elif text.startswith("<<", i):
                heredoc = True
            append = text.startswith(">>", i)
            i += 1
            while i < n and text[i] in "<>|":  # >>, >|, <<<, <>
                i += 1
            if i < n and text[i] == "&":  # >&2, 2>&1, <&3: another descriptor
                redirect = "&"
                i += 1
        elif char == "\n" and not (words or writes):  # an empty line (after ``a |``, the pipe goes on)
            i += 1
        elif char in "\n;&|()":
            if words or writes:
                yield Command(words, writes, piped, partial, herestring, heredoc, tuple(appends))
            words, writes, partial, herestring, heredoc, appends = [], [], {}, None, False, []
            pipe = char == "|" and not text.startswith("|", i + 1)
            i += 2 if text.startswith(char * 2, i) and char in "&|" else 1
            if pipe and i < n and text[i] == "&":  # |&: bash's pipe of both outputs
                i += 1
            piped = pipe
        elif char == "#" and (i == 0 or text[i - 1] in " \t\n;&|()"):
            i = text.find("\n", i)
            i = n if i < 0 else i
        else:
            end = _PLAIN.match(text, i).end()
            if end >= n or text[end] in WORD_END:  # (most words: nothing quoted, escaped or expanded)
                word: str | None = text[i:end]
            else:
                word, end = shell_word(text, i)
            if redirect == ">":
                writes.append(word)
                appends.append(append)
            elif redirect == "<<<":
                herestring = (_partly(text[i:end]) if word is None else word) + "\n"
            elif not redirect:
                if word is None:
                    partial[len(words)] = _partly(text[i:end])
                words.append(word)
            redirect = ""
            i = last_end = max(end, i + 1)
    if words or writes:
        yield Command(words, writes, piped, partial, herestring, heredoc, tuple(appends))


def _partly(word: str) -> str:
    """An expanded word as far as it is known: what the shell expands :data:`UNKNOWN`, then the
    quotes it removes removed (a single-quoted ``$`` is left as an expansion too: unknown, never
    a value it may not hold)."""
    return _EXPANDED.sub(UNKNOWN, word).replace("'", "").replace('"', "").replace("\\", "")


# the run of a word's characters a shell takes as written, and blanks (a character class each,
# matched from a position: linear, nothing to backtrack into)
_PLAIN = re.compile(r"[^\s|&;()<>'\"\\$`]*")
_BLANKS = re.compile(r"[ \t\r]+")


def echoed(words: list[str | None], partial: dict[int, str] | None = None) -> str | None:
    """The text ``echo`` or ``printf`` (``words[0]``) writes: echo's words joined by blanks (its
    ``-n``, ``-e`` options read), printf's format alone or a ``%s`` format and one word; None for
    another printf, or when a word is one the shell expands and ``partial`` (a command's) does
    not say how far it is known."""
    program, args = words[0], words[1:]
    if partial is not None:
        args = [partial.get(n, UNKNOWN) if arg is None else arg for n, arg in enumerate(args, 1)]
    if program == "echo":
        newline = "\n"
        while args and args[0] is not None and len(args[0]) > 1 and set(args[0]) <= set("-neE") and args[0][0] == "-":
            newline = "" if "n" in args.pop(0) else newline
        if None in args or any("\\" in arg for arg in args):  # type: ignore[operator]
            return None  # (dash's echo reads ``\154`` as ``l``, bash's does not: the shell decides)
        return " ".join(args) + newline  # type: ignore[arg-type]
    if program == "printf" and args and None not in args and (form := _unescaped(args[0])) is not None:  # type: ignore[arg-type]
        return _printed(form, args[1:])  # type: ignore[arg-type]
    return None


# a backslash escape of printf's format: octal (one to three digits), bash's hexadecimal, or one character
_PRINTF_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|(.?))", re.S)
_PRINTF_CHARACTERS = {"\\": "\\", "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", '"': '"'}


def _unescaped(form: str) -> str | None:
    """printf's format with its backslash escapes read (``TRADING_MODE=\\154ive`` is
    ``TRADING_MODE=live``), or None for one the shells read differently (``\\c``, ``\\u``)."""
    if "\\" not in form:
        return form
    unknown = False

    def one(match: re.Match) -> str:
        nonlocal unknown
        if match.group(1) is not None:
            return chr(int(match.group(1), 8) & 0xFF)
        if match.group(2) is not None:
            return chr(int(match.group(2), 16))
        if (char := _PRINTF_CHARACTERS.get(match.group(3))) is None:
            unknown = True
            return ""
        return char

    text = _PRINTF_ESCAPE.sub(one, form)
    return None if unknown else text


# what printf's format repeated for its arguments may make: this many times what it is given, and this many more
PRINTED_FACTOR, PRINTED_ALLOWANCE = 4, 4096


def _printed(form: str, args: list[str]) -> str | None:
    """What ``printf FORMAT ARGS...`` writes when the format converts with ``%s`` only (``%%`` is
    a percent sign): the format again for each group of as many arguments as it takes, a missing
    one empty (POSIX); None for another conversion (``%d``, ``%-10s``), or past
    :data:`PRINTED_FACTOR` times the format and arguments (and :data:`PRINTED_ALLOWANCE`): unknown."""
    pieces = form.split("%%")
    if any("%" in piece.replace("%s", "") for piece in pieces):
        return None
    parts = "\x01".join(pieces).split("%s")  # (\x01: where a percent sign is written)
    taken = len(parts) - 1
    if taken == 0:
        return form.replace("%%", "%")
    groups = max(-(-len(args) // taken), 1)
    if groups * len(form) > PRINTED_FACTOR * (len(form) + sum(map(len, args))) + PRINTED_ALLOWANCE:
        return None  # (a long format given thousands of arguments: megabytes from kilobytes)
    out = []
    for start in range(0, max(len(args), 1), taken):
        group = args[start : start + taken] + [""] * (taken - len(args[start : start + taken]))
        out.append("".join(part + value for part, value in zip(parts, [*group, ""], strict=True)))
    return "".join(out).replace("\x01", "%")


# -- what a container's shell runs ----------------------------------------------------------------

SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"})


def scripts(container: dict, words: list[tuple[str, int, str]] | None = None) -> Iterator[tuple[Path_, str]]:
    """(where in the container, text) of each script a container's shell runs: the one its command
    line hands a shell after ``-c`` (``sh -c``, ``bash -ec``, ``busybox sh -c``), and an Argo
    script template's ``source`` when its command is a shell's (Argo runs the command on the
    source, written to a file). ``words``: its :func:`~torghut_lint.k8s.command_words`, when the
    caller has them."""
    words = list(command_words(container)) if words is None else words
    if not words:
        return
    program = words[0][2].rsplit("/", 1)[-1]
    rest = words[1:]
    if program == "busybox" and rest and rest[0][2] in SHELLS:
        program, rest = rest[0][2], rest[1:]
    if program not in SHELLS:
        return
    for n, (_, _, word) in enumerate(rest):
        if not word.startswith("-") or word.startswith("--"):
            break  # a script file, or a long option: no inline script
        if "c" in word[1:] and n + 1 < len(rest):
            field, i, script = rest[n + 1]
            yield (field, i), script
            break
    if isinstance(source := container.get("source"), str):
        yield ("source",), source


# -- what programs are given ---------------------------------------------------------------------

# How an option's value holds a credential: whole, the password of ``user:password``, the phrase
# of openssl's ``pass:phrase``, or ``NAME=value`` assignments judged by their names (helm's
# ``--set`` takes several, comma-separated).
WHOLE, PASSWORD, PASS_PHRASE, ASSIGNMENT, ASSIGNMENTS = (
    "whole",
    "user:password",
    "pass:",
    "NAME=value",
    "NAME=value,...",
)


class Option(NamedTuple):
    """An option of a program: its name, whether the next word may be its value, the prefix of a
    value written in the same word (or None), and how the value holds a credential. A value
    starting with ``-`` is the next option (mongosh's ``-p`` alone prompts)."""

    name: str
    separate: bool
    attached: str | None
    holds: str


_MYSQL = ("mysql", "mysqldump", "mysqladmin", "mysqlimport", "mysqlcheck", "mysqlshow", "mysqlslap", "mysqlpump")
_MARIADB = ("mariadb", "mariadb-dump", "mariadb-admin", "mariadb-import", "mariadb-check", "mariadb-show")
_MONGO = ("mongo", "mongosh", "mongodump", "mongorestore", "mongoexport", "mongoimport", "mongostat", "mongotop")
_CONTAINERS = ("docker", "podman", "nerdctl")
PROGRAM_OPTIONS: dict[str, tuple[Option, ...]] = {
    "curl": (
        Option("-u", True, "-u", PASSWORD),
        Option("--user", True, "--user=", PASSWORD),
        Option("-U", True, "-U", PASSWORD),
        Option("--proxy-user", True, "--proxy-user=", PASSWORD),
    ),
    **dict.fromkeys(_MYSQL + _MARIADB, (Option("-p", False, "-p", WHOLE),)),  # ``-p x``: a prompt, then database x
    "sshpass": (Option("-p", True, "-p", WHOLE),),
    "redis-cli": (Option("-a", True, None, WHOLE),),
    **dict.fromkeys(_MONGO, (Option("-p", True, "-p", WHOLE),)),
    "openssl": tuple(Option(name, True, None, PASS_PHRASE) for name in ("-passin", "-passout", "-pass")),
    # (``-storepass:env VAR`` and ``:file`` name where it is: another option, not taken)
    "keytool": tuple(
        Option(name, True, None, WHOLE)
        for name in ("-storepass", "-keypass", "-srcstorepass", "-deststorepass", "-srckeypass", "-destkeypass")
    ),
    "helm": (Option("--set", True, "--set=", ASSIGNMENTS), Option("--set-string", True, "--set-string=", ASSIGNMENTS)),
    "kubectl": (Option("--from-literal", True, "--from-literal=", ASSIGNMENT),),
    **dict.fromkeys(
        _CONTAINERS,
        (
            Option("-e", True, None, ASSIGNMENT),
            Option("--env", True, "--env=", ASSIGNMENT),
            Option("--build-arg", True, "--build-arg=", ASSIGNMENT),
        ),
    ),
}
# a registry login's ``-p`` (``docker login -u me -p x``, ``helm registry login``): these programs'
# ``-p`` means something else in their other commands (``docker run -p 80:80``)
LOGIN_PROGRAMS = frozenset({*_CONTAINERS, "buildah", "skopeo", "helm", "oras", "crane"})
_LOGIN_OPTIONS = (Option("-p", True, "-p", WHOLE),)
_WRAPPERS = frozenset({"exec", "env", "command", "nohup", "time", "nice", "sudo"})  # run the next word as the program
_ASSIGNMENT_WORD = regex.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_NAMED = regex.compile(r"([A-Za-z_][A-Za-z0-9_.\-\[\]]*)=(.*)")  # NAME=value, helm's a.b[0].c=value


class Given(NamedTuple):
    """A credential a command gives a program: the index of the word holding it, what gives it,
    the value, and the name it is assigned to (judged by that name), or None (a credential
    whatever its name)."""

    at: int
    what: str
    value: str
    name: str | None = None


def program_credentials(words: list[str | None]) -> Iterator[Given]:
    """What one command gives its program: by the program's own options (:data:`PROGRAM_OPTIONS`)
    and by position (``htpasswd -b``, ``mc alias set``, ``aws configure set``, ``vault login``);
    ``words``: the command's words, the program first (after assignments, ``exec``, ``env``)."""
    start = 0
    while start < len(words) and words[start] is not None:
        if words[start] not in _WRAPPERS and _ASSIGNMENT_WORD.match(words[start]) is None:
            break
        start += 1
    if start >= len(words) or words[start] is None:
        return
    program = words[start].rsplit("/", 1)[-1]
    rest = words[start + 1 :]
    options = PROGRAM_OPTIONS.get(program, ())
    if program in LOGIN_PROGRAMS and "login" in rest:
        options = (*options, *_LOGIN_OPTIONS)
    if options:
        yield from _by_options(program, options, words, start + 1)
    if (positional := _POSITIONAL.get(program)) is not None:
        yield from positional(program, words, start + 1)


def _by_options(program: str, options: tuple[Option, ...], words: list[str | None], i: int) -> Iterator[Given]:
    while i < len(words):
        word = words[i]
        i += 1
        if word is None or not word.startswith("-"):
            continue
        if word == "--":
            return
        for option in options:
            if word == option.name and option.separate:
                if i < len(words) and (value := words[i]) is not None and not value.startswith("-"):
                    yield from _held(program, option, value, i)
                    i += 1
                break
            if option.attached is not None and word.startswith(option.attached) and len(word) > len(option.attached):
                yield from _held(program, option, word[len(option.attached) :], i - 1)
                break


def _held(program: str, option: Option, value: str, at: int) -> Iterator[Given]:
    what = f"{program}'s {option.name} option holds a plaintext credential"
    if option.holds in (ASSIGNMENT, ASSIGNMENTS):
        for part in _unescaped_commas(value) if option.holds == ASSIGNMENTS else [value]:
            if (named := _NAMED.fullmatch(part)) is not None and named.group(2):
                name = named.group(1)
                yield Given(
                    at,
                    f"{name} given by {program}'s {option.name} option holds a plaintext credential",
                    named.group(2),
                    name,
                )
        return
    if option.holds == PASSWORD:
        value = value.partition(":")[2]  # (a user alone: curl asks for the password)
    elif option.holds == PASS_PHRASE:
        value = value[5:] if value.startswith("pass:") else ""  # (env:, file:, fd: name where it is)
    if value:
        yield Given(at, what, value)


def _unescaped_commas(value: str) -> list[str]:
    """helm's ``--set a=1,b=2``: the parts between commas a backslash does not escape."""
    parts, current, i = [], [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            current.append(value[i + 1])
            i += 2
            continue
        if value[i] == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(value[i])
        i += 1
    parts.append("".join(current))
    return parts


def _arguments(words: list[str | None], start: int) -> list[tuple[int, str | None]]:
    """(index, word) of the words from ``start`` that are no option (``-x``, ``--x``, ``--x=y``)."""
    return [(i, w) for i, w in enumerate(words[start:], start) if w is None or not w.startswith("-") or w == "-"]


def _htpasswd(program: str, words: list[str | None], start: int) -> Iterator[Given]:
    """``htpasswd -b[c] file user password``, ``htpasswd -nb user password``: the last argument."""
    flags = "".join(w[1:] for w in words[start:] if w is not None and w.startswith("-") and not w.startswith("--"))
    if "b" not in flags:
        return
    arguments = _arguments(words, start)
    if len(arguments) == (2 if "n" in flags else 3) and (last := arguments[-1][1]) is not None:
        yield Given(arguments[-1][0], "htpasswd's password argument holds a plaintext credential", last)


def _mc(program: str, words: list[str | None], start: int) -> Iterator[Given]:
    """MinIO's client: ``mc alias set NAME URL ACCESS SECRET``, ``mc config host add ...``."""
    arguments = _arguments(words, start)
    given = [w for _, w in arguments]
    for command in (["alias", "set"], ["config", "host", "add"]):
        if given[: len(command)] == command and len(given) >= len(command) + 4:
            at, secret = arguments[len(command) + 3]
            if secret is not None:
                yield Given(at, "mc's secret key argument holds a plaintext credential", secret)


def _aws(program: str, words: list[str | None], start: int) -> Iterator[Given]:
    """``aws configure set NAME VALUE``: the value, judged by its name."""
    arguments = _arguments(words, start)
    given = [w for _, w in arguments]
    if given[:2] == ["configure", "set"] and len(given) >= 4 and given[2] is not None and given[3] is not None:
        yield Given(
            arguments[3][0], f"{given[2]} set by aws configure holds a plaintext credential", given[3], given[2]
        )


def _vault(program: str, words: list[str | None], start: int) -> Iterator[Given]:
    """``vault login TOKEN``, or with ``-method``, ``password=...`` (judged by its name)."""
    arguments = _arguments(words, start)
    if not arguments or arguments[0][1] != "login":
        return
    for at, word in arguments[1:]:
        if word is None or word == "-":
            continue
        if (named := _NAMED.fullmatch(word)) is not None:
            if named.group(2):
                yield Given(
                    at,
                    f"{named.group(1)} given to vault login holds a plaintext credential",
                    named.group(2),
                    named.group(1),
                )
        else:
            yield Given(at, "vault login's token argument holds a plaintext credential", word)


_POSITIONAL = {"htpasswd": _htpasswd, "mc": _mc, "aws": _aws, "vault": _vault}


def input_text(run: list[Command], n: int, known: bool = False) -> str | None:
    """What command ``n`` of ``run`` reads as its input where a script shows it: its here-string
    (``<<< word``), or what an ``echo`` or ``printf`` pipes into it; None otherwise. Every word
    known (``known``: a literal given on), or as far as it is (:data:`UNKNOWN`: a file written)."""
    if run[n].herestring is not None:
        return run[n].herestring
    if n == 0 or not run[n].piped or not (before := run[n - 1]).words or before.words[0] not in ("echo", "printf"):
        return None
    return echoed(before.words, None if known else before.partial)


def piped_credentials(script_commands: list[Command]) -> Iterator[Given]:
    """A literal ``echo``/``printf`` pipes (or a here-string gives) into a program that reads a
    credential from its input: ``--password-stdin`` (a registry login), ``chpasswd``
    (``user:password`` lines). ``at`` is the index of the command that reads it."""
    for n, command in enumerate(script_commands):
        if not command.words or (text := input_text(script_commands, n, known=True)) is None:
            continue
        program = (command.words[0] or "").rsplit("/", 1)[-1]
        if "--password-stdin" in command.words:
            yield Given(n, f"{program}'s --password-stdin is given a plaintext credential", text.strip())
        elif program == "chpasswd":
            for line in text.splitlines():
                if password := line.partition(":")[2]:
                    yield Given(n, "chpasswd is given a plaintext password", password)
