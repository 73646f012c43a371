"""Creating, reading, rotating and revoking machine clients of an organisation.

A client acts for the organisation that created it: its tokens carry that organisation's role,
org and region (so every service's jurisdiction rules apply to it as to the organisation's
officials) and its scopes. Secrets are generated here, returned once, stored as SHA-256.
"""

from __future__ import annotations

import secrets as _random
from datetime import datetime, timedelta

from sqlalchemy import func, or_, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.contracts import identity as contract
from ladder.contracts.registry import destinations
from ladder.identity.callers import Caller
from ladder.identity.clients.errors import ClientNotFound, ClientRevoked, MayNotHaveClients
from ladder.identity.clients.models import Client, ClientKind, ClientSecret
from ladder.identity.clients.schemas import ClientCreate, ClientRead, OrganisationRef
from ladder.identity.clients.scopes import MAY_HAVE_CLIENTS
from ladder.identity.organisations.models import Organisation
from ladder.identity.secrets import digest, new_token
from ladder.identity.tables import OUTBOX
from ladder.kit import clock
from ladder.kit.concurrency import locked_for_edit
from ladder.kit.outbox import publish
from ladder.kit.pagination import PageParams


def _live(now: datetime):
    """The secrets that authenticate at `now`."""
    return (
        ClientSecret.revoked_at.is_(None),
        or_(ClientSecret.not_after.is_(None), ClientSecret.not_after > now),
    )


async def valid_secret_hashes(session: AsyncSession, client_id: str) -> list[str]:
    now = clock.now()
    return list(
        (
            await session.exec(
                select(ClientSecret.secret_hash).where(
                    ClientSecret.client_id == client_id, *_live(now)
                )
            )
        ).all()
    )


async def _count_live(session: AsyncSession, client_id: str) -> int:
    now = clock.now()
    return (
        await session.exec(
            select(func.count()).where(ClientSecret.client_id == client_id, *_live(now))
        )
    ).one()


async def read(session: AsyncSession, client: Client, org: Organisation) -> ClientRead:
    return ClientRead(
        client_id=client.client_id,
        name=client.name,
        scopes=list(client.scopes),
        status=client.status,  # type: ignore[arg-type]
        organisation=OrganisationRef(id=org.id, name=org.name, role=org.role, region=org.region),
        created_by=client.created_by,
        created_at=client.created_at,  # type: ignore[arg-type]
        revoked_at=client.revoked_at,
        secrets_valid=await _count_live(session, client.client_id),
        etag=client.etag,
    )


def _new_client_id() -> str:
    return f"lc_{_random.token_hex(10)}"


async def create(session: AsyncSession, caller: Caller, data: ClientCreate) -> tuple[Client, str]:
    if caller.org.kind not in MAY_HAVE_CLIENTS:
        raise MayNotHaveClients(details={"organisation_kind": caller.org.kind})
    client = Client(
        client_id=_new_client_id(),
        kind=ClientKind.machine,
        name=data.name,
        org_id=caller.org.id,
        scopes=list(data.scopes),
        status="active",
        created_by=caller.actor,
    )
    session.add(client)
    await session.flush()
    secret = new_token()
    session.add(
        ClientSecret(
            client_id=client.client_id, secret_hash=digest(secret), created_by=caller.actor
        )
    )
    await session.flush()
    await session.refresh(client)
    return client, secret


async def page(
    session: AsyncSession, caller: Caller, params: PageParams
) -> tuple[list[Client], int]:
    where = (Client.org_id == caller.org.id, Client.kind == ClientKind.machine)
    total = (await session.exec(select(func.count()).where(*where))).one()
    rows = (
        await session.exec(
            select(Client)
            .where(*where)
            .order_by(Client.created_at.desc(), Client.client_id)  # type: ignore[union-attr]
            .offset(params.offset)
            .limit(params.page_size)
        )
    ).all()
    return list(rows), total


async def get(session: AsyncSession, caller: Caller, client_id: str) -> Client:
    """The caller's organisation's client, or 404 (another organisation's is not named)."""
    client = await session.get(Client, client_id)
    if client is None or client.org_id != caller.org.id or client.kind != ClientKind.machine:
        raise ClientNotFound(details={"client_id": client_id})
    return client


async def _locked(session: AsyncSession, caller: Caller, client_id: str, if_match: str) -> Client:
    await get(session, caller, client_id)
    client = await locked_for_edit(session, Client, client_id, if_match)
    if client is None:
        raise ClientNotFound(details={"client_id": client_id})
    return client


async def rotate(
    session: AsyncSession, caller: Caller, client_id: str, if_match: str, overlap_seconds: int
) -> tuple[Client, str, datetime | None]:
    """A new secret; the secrets that worked until now keep working for `overlap_seconds`."""
    client = await _locked(session, caller, client_id, if_match)
    if client.status != "active":
        raise ClientRevoked(details={"client_id": client_id})
    now = clock.now()
    until = now + timedelta(seconds=overlap_seconds)
    await session.execute(
        update(ClientSecret)
        .where(
            ClientSecret.client_id == client_id,
            ClientSecret.revoked_at.is_(None),
            or_(ClientSecret.not_after.is_(None), ClientSecret.not_after > until),
        )
        .values(not_after=until)
    )
    secret = new_token()
    session.add(
        ClientSecret(client_id=client_id, secret_hash=digest(secret), created_by=caller.actor)
    )
    client.bump()
    client.updated_at = now
    session.add(client)
    await session.flush()
    await session.refresh(client)
    return client, secret, until


async def revoke(session: AsyncSession, caller: Caller, client_id: str, if_match: str) -> Client:
    """At once: no secret authenticates any more (tokens already issued live out their TTL)."""
    client = await _locked(session, caller, client_id, if_match)
    if client.status == "revoked":
        raise ClientRevoked(details={"client_id": client_id})
    now = clock.now()
    await session.execute(
        update(ClientSecret)
        .where(ClientSecret.client_id == client_id, ClientSecret.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    client.status = "revoked"
    client.revoked_at = now
    client.revoked_by = caller.actor
    client.updated_at = now
    client.bump()
    session.add(client)
    # In the same transaction: the review service disables what the client subscribed to.
    await publish(
        session,
        OUTBOX,
        topic=contract.CLIENT_REVOKED,
        payload=contract.ClientRevoked(
            client_id=client_id, subject=client.subject, revoked_at=now, revoked_by=caller.actor
        ),
        destinations=destinations(contract.CLIENT_REVOKED),
        subject=client.subject,
    )
    await session.flush()
    await session.refresh(client)
    return client


async def organisation_of(session: AsyncSession, client: Client) -> Organisation | None:
    return await session.get(Organisation, client.org_id) if client.org_id else None
