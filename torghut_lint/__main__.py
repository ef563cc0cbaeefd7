"""Allow ``python -m torghut_lint``."""

from torghut_lint.cli import entry

entry()
