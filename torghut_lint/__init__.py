"""torghut-lint: policy-as-code linter for the Torghut GitOps tree."""

import re as _re

__version__ = "0.1.0"


class _CompiledOnFirstUse:
    """A regular expression compiled the first time one of its methods is asked for."""

    __slots__ = ("_args", "_pattern")

    def __init__(self, *args: object) -> None:
        self._args = args
        self._pattern: _re.Pattern | None = None

    def __getattr__(self, name: str) -> object:
        if self._pattern is None:
            self._pattern = _re.compile(*self._args)
        return getattr(self._pattern, name)


def _import_yaml() -> None:
    """Import PyYAML without compiling its pure-Python reader's character-class pattern (3 ms of
    every process's start-up, for a reader the linter never runs: it parses through libyaml's
    ``CSafeLoader``); the pattern is compiled if anything ever uses it."""
    compile_now = _re.compile

    def deferred(pattern: object, flags: int = 0) -> object:
        if isinstance(pattern, str) and pattern.startswith("[^\x09\x0a\x0d\x20-\x7e"):
            return _CompiledOnFirstUse(pattern, flags)
        return compile_now(pattern, flags)

    _re.compile = deferred
    try:
        import yaml.reader  # noqa: F401
    finally:
        _re.compile = compile_now


_import_yaml()
