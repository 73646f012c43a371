"""Developer tooling: the embedded database, process runner, seed loader (not shipped)."""
