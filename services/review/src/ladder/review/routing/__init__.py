"""Routing by jurisdiction: which authorities, in which order, give the initial review (初审)."""
