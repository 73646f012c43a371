"""The fault suite (issue 12): real processes under kills, outages, poison events and fuzzing."""
