"""Machine clients of an organisation (OAuth2 client credentials): a province's system, a
national platform. Created, listed, rotated and revoked by an admin of the organisation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from ladder.identity.callers import AdminDep
from ladder.identity.clients import service
from ladder.identity.clients.errors import ClientNotFound, ClientRevoked, MayNotHaveClients
from ladder.identity.clients.schemas import (
    ClientCreate,
    ClientCreated,
    ClientPage,
    ClientRead,
    SecretIssued,
    SecretRotate,
)
from ladder.kit.concurrency import IfMatchDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import declare
from ladder.kit.pagination import PageDep
from ladder.kit.writes import KeyedWriteDep, answer_json

router = APIRouter(prefix="/v1/clients", tags=["clients"])
ClientId = Annotated[str, Path(min_length=1, max_length=100)]


def _with_secret(body: dict, secret: str, status_code: int) -> Response:
    """The first answer carries the secret; the stored one (replays) does not."""
    return answer_json({**body, "client_secret": secret}, status_code)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ClientCreated,
    responses=declare(MayNotHaveClients),
    summary="Create a machine client of the caller's organisation (secret shown once)",
    description=(
        "An admin of an authority's organisation (a unit, a SOE HQ, the ministry). The client "
        "acts for that organisation — its tokens carry the organisation's role, org and region "
        "— within `scopes` (`<service>:read|write`). `client_secret` is in this answer only; a "
        "replay with the same Idempotency-Key answers the record with `client_secret: null`."
    ),
)
async def create_client(data: ClientCreate, caller: AdminDep, write: KeyedWriteDep) -> Response:
    if (replayed := await write.begin(data)) is not None:
        return replayed
    client, secret = await service.create(write.session, caller, data)
    read = await service.read(write.session, client, caller.org)
    stored = ClientCreated(**read.model_dump(), client_secret=None).model_dump(mode="json")
    await write.answer(stored, 201)
    return _with_secret(stored, secret, 201)


@router.get(
    "",
    response_model=ClientPage,
    summary="The caller's organisation's machine clients",
)
async def list_clients(caller: AdminDep, session: SessionDep, page: PageDep) -> ClientPage:
    rows, total = await service.page(session, caller, page)
    return ClientPage(
        items=[await service.read(session, c, caller.org) for c in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@router.get(
    "/{client_id}",
    response_model=ClientRead,
    responses=declare(ClientNotFound),
    summary="One machine client (with its ETag)",
)
async def get_client(client_id: ClientId, caller: AdminDep, session: SessionDep) -> Response:
    client = await service.get(session, caller, client_id)
    return answer_json(await service.read(session, client, caller.org))


@router.post(
    "/{client_id}/secrets",
    status_code=status.HTTP_201_CREATED,
    response_model=SecretIssued,
    responses=declare(ClientNotFound, ClientRevoked),
    summary="Rotate the client's secret, keeping the previous one for an overlap window",
    description=(
        "If-Match: the client's ETag. The new secret is shown once. The secrets issued before "
        "keep working until `previous_valid_until` (now + `overlap_seconds`), so the client's "
        "system can switch without a gap; after that only the new one works."
    ),
)
async def rotate_secret(
    client_id: ClientId,
    data: SecretRotate,
    caller: AdminDep,
    session: SessionDep,
    if_match: IfMatchDep,
) -> Response:
    client, secret, until = await service.rotate(
        session, caller, client_id, if_match, data.overlap_seconds
    )
    issued = SecretIssued(
        client_id=client.client_id,
        client_secret=secret,
        previous_valid_until=until,
        etag=client.etag,
    )
    return answer_json(issued, 201)


@router.post(
    "/{client_id}/revoke",
    response_model=ClientRead,
    responses=declare(ClientNotFound, ClientRevoked),
    summary="Revoke the client: no secret of it authenticates any more",
    description="If-Match: the client's ETag. Tokens already issued live out their TTL (≤ 15 min).",
)
async def revoke_client(
    client_id: ClientId, caller: AdminDep, session: SessionDep, if_match: IfMatchDep
) -> Response:
    client = await service.revoke(session, caller, client_id, if_match)
    return answer_json(await service.read(session, client, caller.org))
