"""Ladder rules service."""
