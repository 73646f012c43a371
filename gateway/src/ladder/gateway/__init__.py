"""Ladder gateway."""
