"""公示 (publicity) of the selected cases, objections (异议) and the published list."""
