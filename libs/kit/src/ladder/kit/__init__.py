"""Shared infrastructure of the Ladder services (nothing domain-specific)."""
