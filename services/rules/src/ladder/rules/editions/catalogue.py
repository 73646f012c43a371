"""The editions of 要素条件 we ship: one YAML file per edition beside this module.

Files are validated into `Edition` (models.py) once per process (`catalogue()`), at startup,
so a malformed edition stops the service instead of failing a request.
"""

from __future__ import annotations

import functools
from datetime import date

from ladder.rules.datafiles import load_named, shipped_yaml
from ladder.rules.editions.models import Edition


class Catalogue:
    """Every edition we ship, oldest first."""

    def __init__(self, editions: list[Edition]) -> None:
        ids = [e.id for e in editions]
        if len(set(ids)) != len(ids):
            raise ValueError(f"edition ids repeat: {ids}")
        self.editions: tuple[Edition, ...] = tuple(sorted(editions, key=lambda e: e.effective_from))
        self._by_id = {e.id: e for e in self.editions}

    def get(self, edition_id: str) -> Edition | None:
        return self._by_id.get(edition_id)

    @property
    def ids(self) -> list[str]:
        return [e.id for e in self.editions]

    def in_effect(self, on: date) -> Edition | None:
        """The latest edition already effective on `on` (None before the first one)."""
        effective = [e for e in self.editions if e.effective_from <= on]
        return effective[-1] if effective else None


def load_edition(text: str, *, expected_id: str | None = None) -> Edition:
    return load_named(Edition, text, key="id", expected=expected_id, kind="edition")


@functools.cache
def catalogue() -> Catalogue:
    """The shipped editions, read and validated once per process."""
    return Catalogue(
        [load_edition(text, expected_id=stem) for stem, text in shipped_yaml(__package__)]
    )


__all__ = ["Catalogue", "Edition", "catalogue", "load_edition"]
