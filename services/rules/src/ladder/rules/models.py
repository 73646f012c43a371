"""Every table of the rules service, imported so alembic sees them all.

Editions of 要素条件 are not tables: they are versioned data files shipped in the package
(`ladder/rules/editions/*.yaml`).
"""

from ladder.rules import tables

__all__ = ["tables"]
