"""Answers of the units' read API: a unit of the registry as the routing and reach use it."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ladder.kit.units import Kind, Level


class CoversRead(BaseModel):
    regions: list[str] = Field(description="GB/T 2260 prefixes of the factories it holds")
    enterprises: list[str] = Field(description="统一社会信用代码 of the enterprises it holds")


class UnitRead(BaseModel):
    id: str = Field(
        description="a GB/T 2260 code (350128), `xpcc`, a 管委会's id (`sh-lingang`), or "
        "`soe:<group USCC>`",
        examples=["350128"],
    )
    name: str = Field(description="the unit's name (zh); empty for a unit derived from a code")
    kind: Kind
    level: Level = Field(description="the chain level it holds (初审/推荐)")
    parent: str | None = Field(description="the next unit up its chain; none at the top")
    covers: CoversRead
    carved_out: CoversRead = Field(
        description="what lies inside its regions but is held by a unit not reporting to it "
        "(福州: 平潭 350128); it does not see those cases"
    )
    source: str = Field(description="the clause that makes it a unit")
    note: str | None = Field(description="where Ladder interprets a seed")
    derived: bool = Field(description="made by GB/T 2260 arithmetic, not listed")
