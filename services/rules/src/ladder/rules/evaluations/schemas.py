"""Request and response models for evaluations: one, a batch, or one under two editions."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints, field_validator

from ladder.rules.evaluations.facts import FactsIn
from ladder.rules.vocabulary import Outcome, Severity, Status, Tier

EditionId = Annotated[str, StringConstraints(min_length=1, max_length=20)]
Jurisdiction = Annotated[
    str,
    StringConstraints(pattern=r"^([1-9][0-9]{5}|xpcc|soe:[0-9A-Z]{18})$"),
    Field(
        description="the recommending unit: a GB/T 2260 region code (its province's overlay "
        "applies), `xpcc`, or `soe:<统一社会信用代码 of the group HQ>` (no local overlay)"
    ),
]
MAX_BATCH = 5000


class Explain(StrEnum):
    failures = "failures"  # findings that did not pass (failed or not provided)
    full = "full"  # every finding, passed ones too


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EvaluationRequest(_In):
    edition: EditionId | None = Field(
        default=None, description="要素条件 edition id; omitted: the one in effect on `on`"
    )
    on: date | None = Field(
        default=None,
        description="choose the edition in effect on this date (Beijing); default today",
    )
    tier: Tier
    facts: FactsIn
    jurisdiction: Jurisdiction | None = None
    explain: Explain = Explain.failures


class BatchItem(_In):
    ref: Annotated[str, StringConstraints(max_length=100)] | None = Field(
        default=None, description="the caller's own id for the item, echoed back"
    )
    edition: EditionId | None = Field(default=None, description="overrides the batch's edition")
    tier: Tier
    facts: FactsIn
    jurisdiction: Jurisdiction | None = None


class BatchOptions(_In):
    edition: EditionId | None = Field(
        default=None, description="要素条件 edition for items that name none; default by `on`"
    )
    on: date | None = Field(default=None, description="choose the edition in effect that day")
    explain: Explain = Explain.failures


class BatchRequest(BatchOptions):
    """A batch as received: the items are validated one by one, so a bad one only fails itself."""

    items: list[Any] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description=f"1–{MAX_BATCH} items, each {{ref?, edition?, tier, facts, jurisdiction?}}; "
        "an item that is invalid gets its own error and does not fail the batch",
        json_schema_extra={"items": {"$ref": "#/components/schemas/BatchItem"}},
    )


class ValidBatch(BatchOptions):
    """The same batch when every item is valid (the service's fast path)."""

    items: list[BatchItem] = Field(min_length=1, max_length=MAX_BATCH)


class CompareRequest(_In):
    editions: list[EditionId] = Field(
        min_length=2, max_length=2, description="the two editions, e.g. ['2024', '2025']"
    )
    tier: Tier
    facts: FactsIn
    jurisdiction: Jurisdiction | None = None
    explain: Explain = Explain.failures

    @field_validator("editions")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if value[0] == value[1]:
            raise ValueError("name two different editions")
        return value


class FindingOut(BaseModel):
    rule_id: str = Field(description="stable id of the rule, e.g. cmmm.level")
    edition: str
    clause: str = Field(description="the clause it implements, e.g. 要素条件(2025) 四(二)1")
    severity: Severity
    status: Status
    passed: bool
    expected: JsonValue = None
    actual: JsonValue = None
    field: str | None = Field(default=None, description="the fact it is about")
    overlay: str | None = Field(default=None, description="the local overlay it comes from")
    message: str
    message_en: str


class EvaluationResult(BaseModel):
    edition: str
    tier: Tier
    jurisdiction: str | None
    overlays: list[str] = Field(description="local overlays applied, from the jurisdiction")
    outcome: Outcome
    eligible: bool = Field(
        description="outcome is eligible: no error-severity rule failed or lacked its facts"
    )
    complete: bool = Field(description="every error-severity rule had its facts")
    counts: dict[Status, int]
    findings: list[FindingOut]


class ItemError(BaseModel):
    code: str
    message: str
    message_en: str
    details: dict[str, Any] = {}


class BatchResultItem(BaseModel):
    index: int
    ref: str | None
    result: EvaluationResult | None = None
    error: ItemError | None = None


class BatchResult(BaseModel):
    count: int
    summary: dict[str, int] = Field(description="items per outcome, and `invalid`")
    results: list[BatchResultItem]


class Difference(BaseModel):
    rule_id: str
    change: str = Field(description="added | removed | status_changed | requirement_changed")
    before: FindingOut | None = Field(description="the finding under the first edition")
    after: FindingOut | None = Field(description="the finding under the second edition")


class SetAside(BaseModel):
    edition: str
    field: str
    type: str
    message_en: str


class ComparisonResult(BaseModel):
    tier: Tier
    editions: list[str]
    results: list[EvaluationResult]
    differences: list[Difference]
    set_aside: list[SetAside] = Field(
        description="facts one edition's catalogues do not know, left out of its evaluation"
    )
