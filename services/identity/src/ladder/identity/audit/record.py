"""Writing the audit of sign-ins (in the caller's transaction, or on its own when the caller's
transaction is about to be rolled back by the refusal it records)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.identity.audit.models import AuthEvent
from ladder.kit.observability import request_id_var


def client_ip(request: Request) -> str | None:
    """The caller's address: the gateway's X-Forwarded-For (uvicorn believes 127.0.0.1 only)."""
    return request.client.host if request.client else None


def event(
    request: Request,
    name: str,
    outcome: str,
    *,
    reason: str | None = None,
    subject: str | None = None,
    user_id: uuid.UUID | None = None,
    org_id: uuid.UUID | None = None,
    client_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuthEvent:
    return AuthEvent(
        event=name,
        outcome=outcome,
        reason=reason,
        subject=(subject or "")[:200] or None,
        user_id=user_id,
        org_id=org_id,
        client_id=client_id,
        ip=client_ip(request),
        user_agent=(request.headers.get("user-agent") or "")[:300] or None,
        request_id=request_id_var.get(None),
        details=details or {},
    )


async def record(session: AsyncSession, entry: AuthEvent) -> None:
    session.add(entry)
    await session.flush()
