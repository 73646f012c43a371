"""The register of recognised tiers (认定记录): which tier each factory holds, since when, by
whose recognition and from what source."""
