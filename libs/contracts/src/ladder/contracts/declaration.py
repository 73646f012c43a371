"""Events the declaration service publishes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ladder.contracts.registry import EventContract, register
from ladder.contracts.types import USCC, Fingerprint, Name, Reason, RegionCode, Tier

DECLARATION_SUBMITTED = "declaration.submitted"


class SceneLine(BaseModel):
    """One 环节—场景—实例 line of the 申报书 (附件3/附件5's scene column)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    segment: str = Field(max_length=200)
    scene: str = Field(max_length=200)
    instance: str = Field(max_length=200)
    ai: bool = False


class ContactLine(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str = Field(max_length=200)
    mobile: str = Field(max_length=20)


class SubmissionDetails(BaseModel):
    """What the summary table (推荐汇总表) and the national review need from the declaration's
    content: scene instances, KPIs, integrators (conflicts of interest), the future-mode
    directions (领航级) and the first contact. The full content stays with the declaration
    service, behind the version's fingerprint."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    scenes: list[SceneLine] = Field(default_factory=list, max_length=200)
    kpis: dict[str, float | None] = Field(default_factory=dict, max_length=40)
    integrators: list[str] = Field(default_factory=list, max_length=20)
    future_modes: list[str] = Field(
        default_factory=list, max_length=20, description="类别-模式, e.g. 研发模式创新-创成式设计"
    )
    contact: ContactLine | None = None


class DeclarationSubmitted(BaseModel):
    """A submission: a new, frozen, fingerprinted version of a 申报书 (one per submit)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    declaration_id: uuid.UUID
    version: int = Field(ge=1)
    fingerprint: Fingerprint
    campaign_year: int = Field(ge=2024, le=2100)
    tier: Tier
    enterprise_uscc: USCC
    enterprise_name: Name
    factory_name: Name
    region_code: RegionCode
    submitted_at: AwareDatetime
    central_soe_group: USCC | None = Field(
        default=None, description="USCC of the enterprise's central-SOE group HQ (中央企业), if any"
    )
    industry: str | None = Field(default=None, max_length=5, description="GB/T 4754 code")
    details: SubmissionDetails = Field(default_factory=lambda: SubmissionDetails())


SUBMITTED = register(
    EventContract(
        topic=DECLARATION_SUBMITTED,
        model=DeclarationSubmitted,
        producer="declaration",
        consumers=("review",),
        summary="A 申报书 was submitted (提交): the review service opens or advances its case.",
        example=DeclarationSubmitted(
            declaration_id=uuid.UUID("0a7c6f6e-3c1b-4c1e-9d0e-6a1f2b3c4d5e"),
            version=1,
            fingerprint="0" * 64,
            campaign_year=2025,
            tier="excellence",
            enterprise_uscc="91350100M000100Y43",
            enterprise_name="福州示例智能制造有限公司",
            factory_name="福州示例工厂",
            region_code="350102",
            submitted_at=datetime(2025, 7, 1, 2, 0, tzinfo=UTC),
            industry="C38",
            details=SubmissionDetails(
                scenes=[SceneLine(segment="生产作业", scene="智能排产", instance="APS 排产")],
                kpis={"productivity_gain": 25.0},
                integrators=["福州集成商有限公司"],
                contact=ContactLine(name="王工", mobile="13800000000"),
            ),
        ),
    )
)


DECLARATION_WITHDRAWN = "declaration.withdrawn"


class DeclarationWithdrawn(BaseModel):
    """The enterprise withdrew a declaration it had submitted (撤回申报). The review service
    closes the case and takes it off the lists not yet submitted (issue 14)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    declaration_id: uuid.UUID
    version: int = Field(ge=1, description="the last version submitted")
    reason: Reason
    withdrawn_by: str = Field(max_length=200, description="the enterprise user who withdrew it")
    at: AwareDatetime


register(
    EventContract(
        topic=DECLARATION_WITHDRAWN,
        model=DeclarationWithdrawn,
        producer="declaration",
        consumers=("review",),
        summary="A submitted declaration was withdrawn by its enterprise (撤回申报).",
        example=DeclarationWithdrawn(
            declaration_id=uuid.UUID("0a7c6f6e-3c1b-4c1e-9d0e-6a1f2b3c4d5e"),
            version=1,
            reason="企业决定下一批次再申报",
            withdrawn_by="enterprise-user",
            at=datetime(2025, 7, 10, 2, 0, tzinfo=UTC),
        ),
    )
)
