"""The catalogue: widget definitions, their review workflow, the pages that show
the coach's advice, and the definition import."""
