"""The behaviour of the printed copy: what one version prints, and what its fingerprint verifies.

Both read names from the version's frozen content where it has them (what was submitted, and so
what the paper shows), falling back to the live records only for what the content lacks.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.declaration.declarations import repository as declarations
from ladder.declaration.declarations import service as declaration_service
from ladder.declaration.errors import VersionNotFound
from ladder.declaration.printing import repository
from ladder.declaration.printing.errors import FingerprintNotFound
from ladder.declaration.printing.labels import status_name, tier_name
from ladder.declaration.printing.render import PrintableVersion
from ladder.declaration.printing.schemas import VerificationRead
from ladder.kit.auth import Principal

VERIFICATIONS_PATH = "/public/v1/verifications"

# A version that is the latest is still not the copy under review when the declaration is back
# with the enterprise (returned) or withdrawn. Statuses the review service reports later
# (recommended, recognised, …) keep the latest version current.
NOT_UNDER_REVIEW = frozenset({"draft", "returned", "withdrawn"})


def verification_url(base_url: str, fingerprint: str) -> str:
    return f"{base_url.rstrip('/')}{VERIFICATIONS_PATH}/{fingerprint}"


def _submitted(content: dict[str, Any], section: str, key: str, fallback: str) -> str:
    value = content.get(section)
    if isinstance(value, dict) and isinstance(value.get(key), str) and value[key]:
        return value[key]
    return fallback


async def printable(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    number: int,
    *,
    base_url: str,
) -> PrintableVersion:
    """Version `number` of a declaration the principal may read, ready to render."""
    row = await declaration_service.get_readable(session, principal, declaration_id)
    version = await repository.version(session, declaration_id, number, reader=principal)
    if version is None:
        raise VersionNotFound(details={"declaration_id": str(declaration_id), "versions": [number]})
    d = row.declaration
    content = version.content
    campaign = await repository.campaign(session, d.campaign_year)
    return PrintableVersion(
        declaration_id=str(d.id),
        number=version.number,
        tier=str(content.get("tier") or d.tier),
        campaign_year=d.campaign_year,
        campaign_title=campaign.title if campaign else None,
        enterprise_name=_submitted(content, "enterprise", "name", row.enterprise.name),
        enterprise_uscc=_submitted(content, "enterprise", "uscc", row.enterprise.uscc),
        factory_name=_submitted(content, "factory", "name", row.factory.name),
        submitted_at=version.submitted_at,
        fingerprint=version.fingerprint,
        content=content,
        verification_url=verification_url(base_url, version.fingerprint),
    )


def download_name(version: PrintableVersion) -> str:
    """`Content-Disposition`: an ASCII name, and the Chinese one for clients that read it."""
    ascii_name = f"declaration-{version.declaration_id}-v{version.number}.pdf"
    name = f"申报书-{version.enterprise_name}-{tier_name(version.tier)}-第{version.number}版.pdf"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


async def verify(session: AsyncSession, fingerprint: str) -> VerificationRead:
    found = await repository.by_fingerprint(session, fingerprint)
    if found is None:
        raise FingerprintNotFound(details={"fingerprint": fingerprint})
    version, d = found.version, found.declaration
    latest = await declarations.latest_version(session, d.id)
    latest_number = latest.number if latest else version.number
    is_latest = version.number == latest_number
    is_current = is_latest and d.status not in NOT_UNDER_REVIEW
    content = version.content
    tier = str(content.get("tier") or d.tier)
    verdict, verdict_en = _verdict(version.number, latest_number, d.status, is_current)
    return VerificationRead(
        fingerprint=version.fingerprint,
        declaration_id=d.id,
        version=version.number,
        campaign_year=d.campaign_year,
        campaign_title=found.campaign.title if found.campaign else None,
        tier=tier,
        tier_name=tier_name(tier),
        enterprise_name=_submitted(content, "enterprise", "name", found.enterprise.name),
        factory_name=_submitted(content, "factory", "name", found.factory.name),
        submitted_at=version.submitted_at,
        latest_version=latest_number,
        is_latest=is_latest,
        status=d.status,
        status_name=status_name(d.status),
        is_current=is_current,
        verdict=verdict,
        verdict_en=verdict_en,
    )


def _verdict(number: int, latest: int, status: str, is_current: bool) -> tuple[str, str]:
    if is_current:
        return (
            f"此纸质版为该申报最新提交的第 {number} 版，与线上版本一致；"
            f"申报当前状态：{status_name(status)}。",
            f"This copy is version {number}, the latest submitted, identical to the online "
            f"one; the declaration is now {status}.",
        )
    if number != latest:
        return (
            f"此纸质版为第 {number} 版，已被第 {latest} 版取代，不是正在评审的版本。",
            f"This copy is version {number}, superseded by version {latest}: "
            "it is not the copy under review.",
        )
    return (
        f"此纸质版为最新提交的第 {number} 版，但申报当前状态为{status_name(status)}，"
        "此版本不在评审中。",
        f"This copy is version {number}, the latest submitted, but the declaration is now "
        f"{status}: it is not under review.",
    )
