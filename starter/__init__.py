"""Entry points: the HTTP API and the ``ereg`` CLI. Thin: authenticate, validate, start or update
workflows, read state."""
