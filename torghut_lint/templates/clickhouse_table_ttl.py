"""Template ``clickhouse-table-ttl``: every ClickHouse table with a MergeTree-family engine that
the application makes, written anywhere in its strings (ConfigMap data, Job/CronJob scripts and
heredocs, CHI config files), has a table ``TTL`` clause (after the engine: a column's TTL keeps
the rows) or a matching ``ALTER TABLE ... MODIFY TTL``. A table is made by ``CREATE [OR REPLACE]
TABLE``, ``REPLACE TABLE``, ``ATTACH TABLE`` with a definition, and ``CREATE MATERIALIZED VIEW``
with an engine of its own (its inner table stores every row; one ``TO`` another table stores
none). ``ALTER TABLE ... REMOVE TTL`` takes a table's TTL away, unless a ``MODIFY TTL`` follows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from torghut_lint.k8s import get_path, walk_strings
from torghut_lint.model import Location, Path_, Resource
from torghut_lint.templates.base import RuleContext, Template, Violation

_NAME = r"((?:[`\"]?[\w${}\-]+[`\"]?\.)?[`\"]?[\w${}\-]+[`\"]?)"
# what makes a table: each form starts with one of _MAKERS (the words searched for)
_CREATE = re.compile(
    r"\b(?:CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMPORARY\s+)?TABLE|REPLACE\s+TABLE|ATTACH\s+TABLE"
    r"|CREATE\s+MATERIALIZED\s+VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?" + _NAME,
    re.I,
)
_MAKERS = ("create", "replace", "attach")
_VIEW = re.compile(r"CREATE\s+MATERIALIZED\s+VIEW\s", re.I)
_STORES_ELSEWHERE = re.compile(r"\s*(?:ON\s+CLUSTER\s+\S+\s+)?TO\s", re.I)  # a view writing into another table
_VIEW_QUERY = re.compile(r"\b(?:AS\s+SELECT|AS\s*\(|POPULATE)\b", re.I)  # where a view's engine clauses end
# a table's TTL given (MODIFY) or taken away (REMOVE)
_ALTER_TTL = re.compile(
    r"\bALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?" + _NAME + r"(?:\s+ON\s+CLUSTER\s+\S+)?\s+(MODIFY|REMOVE)\s+TTL\b", re.I
)
# a table's settings changed after it was made
_ALTER_SETTING = re.compile(
    r"\bALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?" + _NAME + r"(?:\s+ON\s+CLUSTER\s+\S+)?\s+MODIFY\s+SETTING\b", re.I
)
_ENGINE = re.compile(r"\bENGINE\s*=\s*(\w+)", re.I)
_TTL = re.compile(r"\bTTL\b", re.I)
_NEXT_STATEMENT = re.compile(r";|\b(?:CREATE|ALTER|INSERT|DROP)\s|\b(?:REPLACE|ATTACH)\s+TABLE\b", re.I)


def table_name(raw: str) -> str:
    """Unqualified, unquoted table name; shell variables are kept as written."""
    return raw.replace("`", "").replace('"', "").rsplit(".", 1)[-1]


@dataclass
class Statement:
    resource: Resource
    path: Path_
    offset: int
    table: str
    engine: str
    ttl: str | None  # the table's TTL clause, None without one

    @property
    def has_ttl(self) -> bool:
        return self.ttl is not None


def _commented(text: str, offset: int) -> bool:
    line_start = text.rfind("\n", 0, offset) + 1
    prefix = text[line_start:offset].lstrip()
    return prefix.startswith(("--", "#", "//"))


def _matches_at(pattern: re.Pattern[str], text: str, lowered: str, word: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern that starts with ``word``: the word is found by a
    plain substring search and the pattern only tried there (scripts in ConfigMaps can be large)."""
    if len(lowered) != len(text):  # lower() changed the length ("İ"): offsets would not line up
        yield from pattern.finditer(text)
        return
    at = lowered.find(word)
    while at >= 0:
        match = pattern.match(text, at)
        if match:
            yield match
            at = lowered.find(word, match.end())
        else:
            at = lowered.find(word, at + 1)


def _code_only(text: str, start: int) -> str:
    """``text[start:]`` with SQL comments (``--`` to the end of the line, ``/* */``) and single-
    quoted literals blanked out (same length, newlines kept), so a ``;``, ``DROP`` or ``TTL``
    written inside them neither ends the statement nor counts as a clause. One pass, linear. A
    quote left open at the end of its line is taken as the end of a shell-quoted query, not the
    start of a literal spanning the rest of the script."""
    out = list(text[start:])
    i, n = 0, len(out)
    while i < n:
        ch = out[i]
        if ch == "-" and i + 1 < n and out[i + 1] == "-":
            end = text.find("\n", start + i)
            end = n if end < 0 else end - start
            out[i:end] = " " * (end - i)
            i = end
        elif ch == "/" and i + 1 < n and out[i + 1] == "*":
            end = text.find("*/", start + i + 2)
            end = n if end < 0 else end - start + 2
            out[i:end] = [c if c == "\n" else " " for c in out[i:end]]
            i = end
        elif ch == "'":
            j = i + 1
            while j < n and out[j] != "\n":
                if out[j] == "\\":
                    j += 2
                    continue
                if out[j] == "'":
                    if j + 1 < n and out[j + 1] == "'":
                        j += 2
                        continue
                    break
                j += 1
            if j < n and out[j] == "'":
                out[i + 1 : j] = " " * (j - i - 1)
                i = j + 1
            else:
                i += 1  # unterminated on its line: a shell quote, not a literal
        else:
            i += 1
    return "".join(out)


def _makers(text: str, lowered: str) -> list[re.Match[str]]:
    """The statements that make a table, in order; ``CREATE OR REPLACE TABLE`` once (its
    ``REPLACE TABLE`` is inside it)."""
    found = sorted((m for word in _MAKERS for m in _matches_at(_CREATE, text, lowered, word)), key=re.Match.start)
    out: list[re.Match[str]] = []
    for match in found:
        if not out or match.start() >= out[-1].end():
            out.append(match)
    return out


def _statements(res: Resource, path: Path_, text: str, lowered: str) -> Iterator[Statement]:
    code: str | None = None  # the text without comments and literals, made once per string
    for match in _makers(text, lowered):
        if _commented(text, match.start()):
            continue
        code = _code_only(text, 0) if code is None else code
        # A CREATE inside a quoted string (``--query 'CREATE TABLE ...'``) is read as written.
        source = code if code[match.start()] != " " else text
        end_match = _NEXT_STATEMENT.search(source, match.end())
        body = source[match.end() : end_match.start() if end_match else len(source)]
        if _VIEW.match(match.group(0)):
            if _STORES_ELSEWHERE.match(body):
                continue  # its rows are stored by the table it writes to, which is judged on its own
            query = _VIEW_QUERY.search(body)
            body = body[: query.start()] if query else body
        engine = _ENGINE.search(body)
        yield Statement(
            res,
            path,
            match.start(),
            table_name(match.group(1)),
            engine.group(1) if engine else "",
            _table_ttl(body[engine.end() :]) if engine else _view_ttl(body),
        )


def _view_ttl(body: str) -> str | None:
    found = _TTL.search(body)
    return body[found.end() :] if found else None


def _table_ttl(clauses: str) -> str | None:
    """Whether the clauses after ``ENGINE = ...`` hold a table TTL, which deletes rows: the keyword
    at parenthesis depth 0, not a column named ``ttl`` listed in ``ORDER BY``/``PRIMARY KEY``/
    ``SAMPLE BY`` and followed by an expression. A column's own TTL (in the column list, before the
    engine) only resets that column's values: the rows, and the disk they fill, stay."""
    depth, counted = 0, 0
    for match in _TTL.finditer(clauses):
        start = match.start()
        depth += clauses.count("(", counted, start) - clauses.count(")", counted, start)
        counted = start
        if depth != 0:
            continue
        before = clauses[max(0, start - 32) : start].rstrip()
        if before.endswith((",", "(")) or before.upper().endswith((" BY", " KEY")) or before.upper() in ("BY", "KEY"):
            continue
        rest = clauses[match.end() : match.end() + 64].lstrip()
        if rest and rest[0] not in ";,)":
            return clauses[match.end() :]
    return None


# What ends a TTL clause, what a TTL element does besides deleting, and the intervals it adds.
_TTL_END = re.compile(r"\b(?:SETTINGS|COMMENT)\b|;", re.I)
_TTL_ACTION = re.compile(r"\b(DELETE|RECOMPRESS|TO\s+DISK|TO\s+VOLUME|GROUP\s+BY)\b", re.I)
_WHERE = re.compile(r"\bWHERE\b", re.I)
# (the sign is read before the match: a leading ``\s*`` would make every run of spaces quadratic)
_INTERVAL = re.compile(
    r"\bINTERVAL\s+(\d+(?:\.\d+)?)\s+(SECOND|MINUTE|HOUR|DAY|WEEK|MONTH|QUARTER|YEAR)S?\b"
    r"|\btoInterval(Second|Minute|Hour|Day|Week|Month|Quarter|Year)\s*\(\s*(\d+(?:\.\d+)?)\s*\)",
    re.I,
)
_DAYS = {  # each unit at its longest
    "second": 1 / 86400,
    "minute": 1 / 1440,
    "hour": 1 / 24,
    "day": 1,
    "week": 7,
    "month": 31,
    "quarter": 92,
    "year": 366,
}


def _top_level(text: str) -> list[str]:
    """``text`` split at the commas outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


# every interval an expression writes, read or not (``INTERVAL (30 * 100) DAY``, ``toIntervalDay(n)``)
_ANY_INTERVAL = re.compile(r"\bINTERVAL\b|\btoInterval[A-Za-z]*\s*\(", re.I)


def _days(expression: str) -> float | None:
    """How many days past its column an expression's intervals reach; None when the linter
    cannot tell: no interval (an expiry column), or one that is no plain ``INTERVAL n UNIT`` or
    ``toIntervalUnit(n)`` (an expression, a column: its length is not in the manifest)."""
    found = list(_INTERVAL.finditer(expression))
    if not found or len(found) != len(_ANY_INTERVAL.findall(expression)):
        return None
    total = 0.0
    for match in found:
        amount = float(match.group(1) or match.group(4))
        unit = (match.group(2) or match.group(3)).lower()
        # the operator before it, within a bounded look-back (a minus farther off counts as a plus: longer)
        sign = -1 if expression[max(0, match.start() - 64) : match.start()].rstrip()[-1:] == "-" else 1
        total += sign * amount * _DAYS[unit]
    return total


# MergeTree settings that keep a TTL from deleting: TTL merges run at most every
# ``merge_with_ttl_timeout`` seconds (rows live that much past their TTL), and never with no slot
# for them in the background pool.
_TTL_TIMEOUT = re.compile(r"\bmerge_with_ttl_timeout\s*=\s*(\d+)", re.I)
_TTL_POOL_OFF = re.compile(r"\bmax_number_of_merges_with_ttl_in_pool\s*=\s*0\b", re.I)


# the same settings server-wide: a config file's ``<merge_tree>`` section, or a CHI's
# ``configuration.settings`` key ``merge_tree/<name>``
_TTL_SETTINGS = ("merge_with_ttl_timeout", "max_number_of_merges_with_ttl_in_pool")
_SERVER_TTL_SETTING = re.compile(rf"<({'|'.join(_TTL_SETTINGS)})>\s*(\d+)\s*</\1>", re.I)


def _server_settings(res: Resource, path: Path_, text: str, max_days: float | None) -> Iterator[Violation]:
    """A violation at each server-wide MergeTree setting in a config file's text that keeps every
    table's TTL from deleting in time."""
    for m in _SERVER_TTL_SETTING.finditer(text):
        problem = settings_problem(f"{m.group(1)} = {m.group(2)}", 0.0, max_days)
        if problem is not None:
            yield _server_wide(res, path, problem, res.locate_in_text(path, m.start()))


def _chi_settings(res: Resource, max_days: float | None) -> Iterator[Violation]:
    """The same, in a ClickHouseInstallation's ``spec.configuration.settings``."""
    settings = get_path(res.data, ("spec", "configuration", "settings"))
    for key, value in settings.items() if isinstance(settings, dict) else ():
        name = str(key).rsplit("/", 1)[-1]
        if str(key).startswith("merge_tree/") and name in _TTL_SETTINGS:
            problem = settings_problem(f"{name} = {value}", 0.0, max_days)
            if problem is not None:
                at = ("spec", "configuration", "settings", key)
                yield _server_wide(res, at, problem, None)


def _server_wide(res: Resource, path: Path_, problem: str, location: Location | None) -> Violation:
    return Violation(
        res,
        path,
        f"a server-wide MergeTree setting keeps every table's TTL from deleting: it {problem}; the tables grow "
        "until the volume is full",
        location=location,
        value=problem,
        requirement="merge_tree",
    )


def settings_problem(settings: str, ttl_days: float, max_days: float | None) -> str | None:
    """Why a table's settings keep its TTL from deleting in time: no TTL merge ever runs, or the
    TTL plus the wait between TTL merges is past ``max_days``; None otherwise."""
    if _TTL_POOL_OFF.search(settings):
        return "never deletes (max_number_of_merges_with_ttl_in_pool = 0: no TTL merge runs)"
    timeout = _TTL_TIMEOUT.search(settings)
    if timeout and max_days is not None and ttl_days + int(timeout.group(1)) / 86400 > max_days:
        late = int(timeout.group(1)) / 86400
        return f"deletes {late:g} days late (merge_with_ttl_timeout), past the {max_days:g}-day limit"
    return None


def ttl_problem(clause: str, max_days: float | None) -> str | None:
    """Why a table TTL clause does not bound the table: every element moves, recompresses or
    groups rows, or deletes only those a WHERE selects (an element deletes by default), or the
    soonest unconditional delete is past ``max_days``, or the table's SETTINGS keep TTL merges
    from running in time; None when it does. With a limit, a TTL whose soonest delete the linter
    cannot bound (its intervals not plain ``INTERVAL n UNIT``/``toIntervalUnit(n)`` ones, or an
    expiry column) is a problem too: nothing shows it keeps the limit."""
    end = _TTL_END.search(clause)
    deletes: list[float | None] = []
    for element in _top_level(clause[: end.start()] if end else clause):
        action = _TTL_ACTION.search(element)
        if (action and action.group(1).upper() != "DELETE") or _WHERE.search(element):
            continue
        deletes.append(_days(element[: action.start()] if action else element))
    if not deletes:
        return "deletes no row (it only moves, recompresses or groups rows, or deletes those a WHERE selects)"
    known = [days for days in deletes if days is not None]
    if max_days is not None and not (known and min(known) <= max_days):  # no delete the linter can bound in time
        if len(known) < len(deletes):  # a gate that cannot measure must not say yes
            return (
                "deletes rows at a time the linter cannot bound (an expiry column, or an interval that is no "
                f"plain INTERVAL n UNIT or toIntervalUnit(n)), so it cannot show the {max_days:g}-day limit is kept"
            )
        return f"keeps rows {min(known):g} days, past the {max_days:g}-day limit"
    if end is not None and end.group(0).upper() == "SETTINGS":
        return settings_problem(clause[end.start() :], min(known) if known else 0.0, max_days)
    return None


def check(ctx: RuleContext) -> Iterator[Violation]:
    suffix = ctx.params["engineSuffix"]
    exempt = set(ctx.params["exemptTables"])
    max_days = ctx.params.get("maxTtlDays")
    found: list[Statement] = []
    altered: set[str] = set()
    removed: list[tuple[Resource, Path_, int, str]] = []
    for res in ctx.matched:
        if res.id.kind == "ClickHouseInstallation":
            yield from _chi_settings(res, max_days)
        for path, _, text in walk_strings(res.data):
            lowered = text.lower()
            if "_ttl_" in lowered and "<" in text:
                yield from _server_settings(res, path, text, max_days)
            if "table" not in lowered and "view" not in lowered:
                continue
            found.extend(_statements(res, path, text, lowered))
            if "ttl" in lowered:
                matches = list(_matches_at(_ALTER_TTL, text, lowered, "alter"))
                alters = [(m.start(), table_name(m.group(1)), m.group(2).upper() == "MODIFY") for m in matches]
                for m in matches:
                    if m.group(2).upper() != "MODIFY" or _commented(text, m.start()):
                        continue
                    end = _NEXT_STATEMENT.search(text, m.end())
                    clause = text[m.end() : end.start() if end else len(text)]
                    table, problem = table_name(m.group(1)), ttl_problem(clause, max_days)
                    if problem is None:
                        altered.add(table)
                    elif table not in exempt:
                        yield _altered(res, path, m.start(), table, f"MODIFY TTL gives a TTL that {problem}", problem)
                for m in _matches_at(_ALTER_SETTING, text, lowered, "alter"):
                    end = _NEXT_STATEMENT.search(text, m.end())
                    settings = text[m.end() : end.start() if end else len(text)]
                    problem = settings_problem(settings, 0.0, max_days)
                    table = table_name(m.group(1))
                    if problem is not None and not _commented(text, m.start()) and table not in exempt:
                        what = f"MODIFY SETTING keeps its TTL from deleting: it {problem}"
                        yield _altered(res, path, m.start(), table, what, problem)
                for at, table, modify in alters:
                    if modify or _commented(text, at):
                        continue
                    if not any(other == table and later > at and again for later, other, again in alters):
                        removed.append((res, path, at, table))
    for res, path, offset, table in removed:  # a later MODIFY TTL of the same text gives one back
        if table not in exempt:
            yield Violation(
                res,
                path,
                f"ALTER TABLE {table} REMOVE TTL takes the table's TTL away; it grows until the volume is full",
                location=res.locate_in_text(path, offset),
                value="REMOVE TTL",
                requirement=table,
            )
    for st in found:
        if not st.engine.endswith(suffix) or st.table in altered or st.table in exempt:
            continue
        if st.ttl is None:
            why, value = "has no TTL and no ALTER TABLE ... MODIFY TTL", st.engine
        elif (problem := ttl_problem(st.ttl, max_days)) is not None:
            why, value = f"has a TTL that {problem}", problem  # a longer TTL is another finding
        else:
            continue
        yield Violation(
            st.resource,
            st.path,
            f"ClickHouse table {st.table} (ENGINE = {st.engine}) {why}; it grows until the volume is full",
            location=st.resource.locate_in_text(st.path, st.offset),
            # not the whole SQL text: another table's edit must not change this identity
            value=value,
            requirement=st.table,
        )


def _altered(res: Resource, path: Path_, offset: int, table: str, what: str, problem: str) -> Violation:
    """An ``ALTER TABLE`` that leaves ``table`` unbounded, at the statement, identified by the
    problem (a longer TTL, a longer wait, is another finding)."""
    return Violation(
        res,
        path,
        f"ALTER TABLE {table} {what}; the table grows until the volume is full",
        location=res.locate_in_text(path, offset),
        value=problem,
        requirement=table,
    )


PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "engineSuffix": {
            "type": "string",
            "default": "MergeTree",
            "description": "tables whose engine ends with this need a TTL",
        },
        "maxTtlDays": {
            "type": ["number", "null"],
            "exclusiveMinimum": 0,
            "default": None,
            "description": "the longest a table TTL may keep rows, in days (a month counted as 31, a year as 366; "
            "null: any); with a limit, a TTL whose soonest delete is not bounded by plain INTERVAL n UNIT or "
            "toIntervalUnit(n) intervals (an expiry column, an interval computed) is reported: it cannot be shown to "
            "keep the limit",
        },
        "exemptTables": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "table names (database.table or table) allowed without a TTL",
        },
    },
}

TEMPLATE = Template(
    "clickhouse-table-ttl",
    (
        "Every ClickHouse table with a MergeTree-family engine the application makes (CREATE [OR REPLACE] "
        "TABLE, REPLACE TABLE, ATTACH TABLE, a materialized view with an engine of its own), written anywhere "
        "in its strings (ConfigMap data, Job/CronJob scripts and heredocs, CHI config files), has a ``TTL`` "
        "clause or a matching ``ALTER TABLE ... MODIFY TTL``, and no ``REMOVE TTL`` takes it away."
    ),
    PARAMS_SCHEMA,
    check,
)
