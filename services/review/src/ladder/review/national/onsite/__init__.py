"""现场核查 (on-site verification) of a 领航级 case: schedule, checklist, findings, conclusion."""
