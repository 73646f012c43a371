"""Ladder identity service: organisations, accounts, sign-in, machine clients, the issuer."""
