"""The province's recommendation lists (推荐汇总表), race-safe against the national quota."""
