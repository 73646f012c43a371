"""Which named periods a campaign uses, as its last `campaign.changed` said."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel

from ladder.review.settings import SCHEMA


class CampaignPeriods(SQLModel, table=True):
    __tablename__ = "campaign_periods"
    __table_args__ = ({"schema": SCHEMA},)

    campaign_year: int = Field(primary_key=True)
    publicity_period: str = Field(max_length=40, description="an id of national.yaml publicity")
    cultivation_period: str = Field(max_length=40, description="an id of cultivation.yaml period")
    row_version: int = Field(description="the campaign's version this row is from")
    changed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
