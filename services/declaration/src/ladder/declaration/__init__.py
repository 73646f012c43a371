"""Ladder declaration service."""
