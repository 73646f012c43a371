"""Ladder review service."""
