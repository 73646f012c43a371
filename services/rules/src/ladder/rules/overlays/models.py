"""The shape of a local overlay (one YAML file per overlay under `data/`).

An overlay adds checks to the national edition for declarations recommended through its
jurisdiction. Its checks are of a few kinds whose code lives in `ladder.rules.rules.local`;
the overlay file says which kind, with which numbers, citing which clause.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ladder.rules.vocabulary import Tier

Prefix = Annotated[str, Field(pattern=r"^[1-9][0-9]{1,5}$")]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Jurisdiction(_Data):
    name: str
    name_en: str
    region_prefixes: tuple[Prefix, ...] = Field(
        min_length=1, description="GB/T 2260 code prefixes of the recommending units it covers"
    )

    def covers(self, region_code: str) -> bool:
        return region_code.startswith(self.region_prefixes)


class _Check(_Data):
    rule_id: str = Field(pattern=r"^local\.[a-z_]{3,40}$")
    tiers: tuple[Tier, ...] = Field(min_length=1)
    clause: str
    text: str


class ApplicantRegionCheck(_Check):
    """The applicant is registered (上海) or lawfully operates (福建) in the jurisdiction."""

    kind: Literal["applicant_region"]
    where: Literal["registered", "operating"]
    region_prefixes: tuple[Prefix, ...] = Field(min_length=1)
    region_name: str
    region_name_en: str


class CreditBlacklistCheck(_Check):
    """The recommending unit has checked the public credit systems and found no listing."""

    kind: Literal["credit_blacklist"]
    sources: tuple[Literal["gsxt", "zxgk"], ...] = Field(min_length=1)


Check = Annotated[ApplicantRegionCheck | CreditBlacklistCheck, Field(discriminator="kind")]


class Overlay(_Data):
    id: str = Field(pattern=r"^[a-z0-9-]{3,40}$")
    title: str
    title_en: str
    source: str
    effective_from: date
    jurisdiction: Jurisdiction
    editions: tuple[str, ...] = Field(min_length=1, description="national editions it extends")
    checks: tuple[Check, ...] = Field(min_length=1)
