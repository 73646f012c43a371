"""Review cases: one per submitted declaration, routed to the authorities by region."""
