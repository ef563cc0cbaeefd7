"""torghut-lint: policy-as-code linter for the Torghut GitOps tree."""

__version__ = "0.1.0"
