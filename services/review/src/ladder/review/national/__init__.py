"""National review (评审) of recommended cases: formal check, experts and conflicts of interest,
scores, 现场核查 (领航级), the decision, 公示 with objections, and the published list."""
