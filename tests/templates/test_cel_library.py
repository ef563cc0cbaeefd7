"""The Kubernetes CEL libraries the cel template provides, through real expressions."""

from __future__ import annotations

import pytest

from torghut_lint.templates.cel import program
from torghut_lint.templates.cel_library import context


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("quantity('1Gi') == 1073741824 && quantity('500m') == 0.5", True),
        ("quantity('2Gi').isGreaterThan(quantity('1500Mi')) && quantity('1').isLessThan(quantity('2'))", True),
        ("quantity('1Gi').compareTo(quantity('1024Mi'))", 0),
        (
            "quantity('1Gi').add(quantity('1Gi')) == quantity('2Gi')"
            " && quantity('1Gi').sub('512Mi') == quantity('512Mi')",
            True,
        ),
        ("isQuantity('10Gi') && !isQuantity('ten') && quantity('1.5').isInteger() == false", True),
        ("quantity('3').asInteger() + 1", 4),
        ("url('https://user@registry.example.com:5000/v2/x?a=1').getHost()", "registry.example.com:5000"),
        (
            "url('https://registry.example.com:5000/v2/x').getHostname() + url('https://r.io:5000/p').getPort()",
            "registry.example.com5000",
        ),
        ("url('https://r.io/v2/x?a=1&a=2').getQuery()['a']", ["1", "2"]),
        ("url('https://r.io/v2/x').getScheme() + url('https://r.io/v2/x').getEscapedPath()", "https/v2/x"),
        ("isURL('https://r.io') && !isURL('not a url')", True),
        ("'a1b22c333'.findAll('[0-9]+')", ["1", "22", "333"]),
        ("'a1b22c333'.findAll('[0-9]+', 2)", ["1", "22"]),
        ("'abc'.find('z')", ""),
        ("[1, 2, 2, 3].isSorted() && ![3, 1].isSorted()", True),
        ("[1, 2, 1].lastIndexOf(1) + [1, 2, 1].indexOf(2) + 'abca'.lastIndexOf('a')", 2 + 1 + 3),
        # the strings library's offset forms, in code points (cel-go's ext/strings)
        ("'hello mellow'.indexOf('ello', 2) == 7 && 'hello mellow'.lastIndexOf('ello', 6) == 1", True),
        ("'héllo'.indexOf('l', 3) == 3 && 'abc'.indexOf('', 2) == 2 && 'abc'.lastIndexOf('') == 3", True),
        ("'abcabc'.lastIndexOf('abc', 5) == 3 && 'ab'.lastIndexOf('abc', 1) == -1", True),
        ("'a,b'.split(',').join('-') + 'AbC'.lowerAscii()", "a-babc"),
    ],
)
def test_kubernetes_libraries(expression: str, expected: object) -> None:
    assert program(expression).execute(context({})) == expected


def test_an_invalid_quantity_or_url_is_an_evaluation_error() -> None:
    """As Kubernetes' libraries: an integer of a quantity with a fraction, or past int64, is an
    error (it was truncated: ``quantity('1.5').asInteger() <= 1`` passed where admission fails)."""
    assert program("quantity('50k').asInteger() == 50000 && !quantity('50m').isInteger()").execute(context({}))
    assert program("!quantity('10E').isInteger() && quantity('9E').isInteger()").execute(context({}))
    for expression in (
        "quantity('ten') > 1",
        "url('no scheme').getHost() == ''",
        "quantity('1.5').asInteger() <= 1",
        "quantity('50m').asInteger() == 0",
        "quantity('10E').asInteger() > 0",
        "'abc'.indexOf('c', 5) == -1",
        "'abc'.indexOf('c', -1) == 2",
        "'abc'.lastIndexOf('a', 3) == 0",
        "[1, 2].indexOf(1, 0) == 0",
    ):
        with pytest.raises(Exception, match="quantity|url|asInteger|index out of range|no such overload"):
            program(expression).execute(context({}))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # the CEL specification and cel-go (the API server) count a string's code points; cel-rust
        # counted its UTF-8 bytes (size('é') was 2), so a length limit read other text than admission's
        ("size('héllo') == 5 && 'héllo'.size() == 5 && size('😀') == 1", True),
        ("object.name.size() <= 3", True),
        ("size(b'\\xc3\\xa9') == 2 && size([1, 2]) == 2 && size({'a': 1}) == 1 && object.size() == 3", True),
        ("object.size == 7", True),  # a field of that name is no call
        ("'size(x)' == 'size(x)' && [1, 22].all(x, size(string(x)) <= 2)", True),
        # matches() is RE2's search (cel-go): ASCII classes; cel-rust's Rust regex read \\d, \\w, \\s
        # and \\b as Unicode classes and had no global matches(text, re)
        ("'٣'.matches('^\\\\d$') || 'é'.matches('^\\\\w$') || '\\u00a0'.matches('^\\\\s$')", False),
        ("'aé'.matches('a\\\\b') && matches('abc', 'b') && 'ab'.matches('(?i)AB') && !'abc'.matches('^b')", True),
        ("object.name.matches('^h') && object.matches == 1", True),
    ],
)
def test_size_and_matches_answer_as_cel_specifies(expression: str, expected: object) -> None:
    activation = {"object": {"size": 7, "matches": 1, "name": "héé"}}
    assert program(expression).execute(context(activation, lambda: True)) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # string() as cel-go writes it (cel-rust had no string(bool) and wrote doubles, durations and
        # timestamps its own way): Go's %g, seconds, RFC 3339 with Z
        ("string(true) + string(5) + string(5u)", "true55"),
        (
            "[string(1.0), string(1e-7), string(123456789.0), string(100000.0), string(-0.0)]",
            ["1", "1e-07", "1.23456789e+08", "100000", "-0"],
        ),  # fmt: skip
        (
            "string(duration('90s')) + ' ' + string(duration('1.5h')) + ' ' + string(duration('1us'))",
            "90s 5400s 0.000001s",
        ),
        (
            "string(timestamp('2026-01-01T00:00:00Z')) + ' ' + string(timestamp('2026-01-01T00:00:00.5+01:00'))",
            "2026-01-01T00:00:00Z 2026-01-01T00:00:00.5+01:00",
        ),  # fmt: skip
        # bool() as Go's ParseBool reads a text; int() of a text, a double, a timestamp, a duration
        ("bool('T') && !bool('F') && bool('TRUE') && !bool('0')", True),
        ("[int('+1'), int(-2.9), int(timestamp('1970-01-01T00:00:10Z')), int(duration('1s'))]", [1, -2, 10, 10**9]),
        ("type(1) == int && type('') == string && type(true) == bool", True),  # type names are no calls
    ],
)
def test_conversions_answer_as_cel_go(expression: str, expected: object) -> None:
    assert program(expression).execute(context({}, lambda: True)) == expected


@pytest.mark.parametrize(
    "expression",
    ["string(b'\\xff')", "string(null)", "bool('yes')", "int(' 1')", "int('1_000')", "int(1e20)", "int(true)"],
)
def test_conversions_cel_go_refuses_are_errors(expression: str) -> None:
    with pytest.raises(Exception, match="string|bool|int"):
        program(expression).execute(context({}, lambda: True))
