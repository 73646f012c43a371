"""The editions of 要素条件 as data: one YAML file per edition beside this module.

A notice sets the numbers (CMMM minimums, segments to cover) and the clause that says so; the
files carry both, and the rules read them from here, so a new edition is a new file rather
than new code. Files are validated into these models once per process (`catalogue()`), at
startup, so a malformed edition stops the service instead of failing a request.
"""

from __future__ import annotations

import functools
from datetime import date
from importlib import resources
from typing import Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ladder.rules.vocabulary import Severity, Tier


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Note(_Data):
    text: str
    text_en: str


class SegmentDefinition(_Data):
    """One of the five segments (环节) and the scene-guide 环节 it covers (footnotes [1]–[5])."""

    name: str = Field(description="the segment's name, as facts and rules use it, e.g. 生产作业")
    key: str = Field(description="a stable English identifier, e.g. production_operations")
    name_en: str
    guide_segments: tuple[str, ...] = Field(description="环节 of the scene guide it covers")
    clause: str


class CmmmRequirement(_Data):
    """The minimum level of 智能制造能力成熟度 (CMMM, GB/T 39116) for a tier."""

    min_level: int = Field(ge=1, le=5)
    clause: str
    text: str = Field(description="the words of the clause")


class SegmentRequirement(_Data):
    """The segments a tier's factory has to cover, and how hard the requirement is."""

    required: tuple[str, ...] = Field(min_length=1)
    severity: Severity
    clause: str
    text: str = Field(description="the words of the clause")


class TierRequirements(_Data):
    name: str = Field(description="the tier's Chinese name, e.g. 卓越级")
    cmmm: CmmmRequirement
    segments: SegmentRequirement


class Edition(_Data):
    """One edition of 要素条件, as issued with a national notice."""

    id: str = Field(pattern=r"^[0-9A-Za-z._-]{1,20}$")
    title: str
    source: str = Field(description="the notice (文号) and attachment it was issued as")
    effective_from: date
    scene_guide: str = Field(description="the scene guide (场景指引) its segments map onto")
    cmmm_standard: str
    notes: tuple[Note, ...] = ()
    segments: tuple[SegmentDefinition, ...] = Field(min_length=1)
    tiers: dict[Tier, TierRequirements]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        names = [s.name for s in self.segments]
        if len(set(names)) != len(names):
            raise ValueError(f"edition {self.id}: a segment is defined twice")
        missing_tiers = [t.value for t in Tier if t not in self.tiers]
        if missing_tiers:
            raise ValueError(f"edition {self.id}: no requirements for tiers {missing_tiers}")
        for tier, req in self.tiers.items():
            undefined = [s for s in req.segments.required if s not in names]
            if undefined:
                raise ValueError(f"edition {self.id}, {tier.value}: undefined segments {undefined}")
        return self

    @property
    def segment_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.segments)

    def segment(self, name: str) -> SegmentDefinition:
        return next(s for s in self.segments if s.name == name)


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
    edition = Edition.model_validate(yaml.safe_load(text))
    if expected_id is not None and edition.id != expected_id:
        raise ValueError(f"edition file {expected_id}.yaml declares id {edition.id!r}")
    return edition


@functools.cache
def catalogue() -> Catalogue:
    """The shipped editions, read and validated once per process."""
    folder = resources.files(__package__)
    editions = [
        load_edition(
            entry.read_text(encoding="utf-8"), expected_id=entry.name.removesuffix(".yaml")
        )
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    ]
    return Catalogue(editions)
