"""Where torghut-lint plugs into delivery: the Argo CD config management plugin."""
