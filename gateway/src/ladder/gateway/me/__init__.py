"""`GET /v1/me`: who the caller is and what it may do (issue 17)."""
