"""The register's tier counts per year and province (`recognition.tier_counts`): the 领航级 quota
input derived from the declaration service's register (认定记录) when no table was uploaded."""
