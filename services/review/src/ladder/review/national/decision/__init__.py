"""The decision (拟入选 / 未入选) on a case after its expert review (and, 领航级, its 现场核查)."""
