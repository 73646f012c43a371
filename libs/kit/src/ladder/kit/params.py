"""Bounded integer parameters of paths and queries, one definition for every service.

An integer that the route does not bound reaches PostgreSQL as an out-of-range bind
(`2**31` against an `integer` column, `2**63` against a `bigint`) and used to come back as a
500. Every integer a path or query takes is declared with a range here, so an out-of-range
value is FastAPI's 422 `validation_error`, in the error envelope, before any query runs:

- `CampaignYearPath` / `CampaignYearQuery` / `OptionalCampaignYearQuery`: a campaign
  (申报批次) year, `FIRST_CAMPAIGN_YEAR`..`LAST_CAMPAIGN_YEAR` (the range a declaration's
  `campaign_year` accepts; interpreted: 2024 is the year of the earliest 卓越级 list the
  notices count from — 430号 and 251号 rank provinces by their 2024 卓越级 factories);
- `OptionalReferenceYearQuery`: the year of a reference table (statistics may be older);
- `VersionNumberPath`: a version number of a record (an `integer` column);
- `INT32_MAX` / `BIGINT_MAX`: the largest values of PostgreSQL's `integer` and `bigint`,
  for ids and cursors declared elsewhere (`Query(ge=0, le=BIGINT_MAX)` for a `bigint` id).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

INT32_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1

FIRST_CAMPAIGN_YEAR = 2024
LAST_CAMPAIGN_YEAR = 2100
FIRST_REFERENCE_YEAR = 2000
MAX_VERSION = 100_000

_CAMPAIGN = "the campaign (申报批次) year"

CampaignYearPath = Annotated[
    int,
    Path(ge=FIRST_CAMPAIGN_YEAR, le=LAST_CAMPAIGN_YEAR, description=_CAMPAIGN, examples=[2025]),
]
CampaignYearQuery = Annotated[
    int,
    Query(ge=FIRST_CAMPAIGN_YEAR, le=LAST_CAMPAIGN_YEAR, description=_CAMPAIGN, examples=[2025]),
]
OptionalCampaignYearQuery = Annotated[
    int | None,
    Query(ge=FIRST_CAMPAIGN_YEAR, le=LAST_CAMPAIGN_YEAR, description=_CAMPAIGN, examples=[2025]),
]
OptionalReferenceYearQuery = Annotated[
    int | None,
    Query(ge=FIRST_REFERENCE_YEAR, le=LAST_CAMPAIGN_YEAR, description="the reference year"),
]
VersionNumberPath = Annotated[
    int, Path(ge=1, le=MAX_VERSION, description="a version number, from 1", examples=[1])
]
