"""Routes of the printed copy (PDF) and of its public verification.

The verification lives under `/public/`: the gateway lets a request without a token reach only
`/api/<service>/public/...` (`ladder.gateway.proxy.is_public`), and this route asks for no
principal either, so a member of the public holding the paper can check it.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from ladder.declaration.errors import DeclarationNotFound, VersionNotFound
from ladder.declaration.printing import service
from ladder.declaration.printing.errors import FingerprintNotFound
from ladder.declaration.printing.render import render_pdf
from ladder.declaration.printing.schemas import VerificationRead
from ladder.declaration.settings import SettingsDep
from ladder.kit.auth import PrincipalDep
from ladder.kit.db import DatabaseDep, SessionDep
from ladder.kit.errors import declare
from ladder.kit.params import VersionNumberPath

router = APIRouter()

FINGERPRINT_PATTERN = r"^[0-9a-f]{64}$"


@router.get(
    "/v1/declarations/{declaration_id}/versions/{number}/pdf",
    tags=["declarations"],
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The printable 申报书 of the version (A4, fingerprint on every page)",
        },
        **declare(DeclarationNotFound, VersionNotFound),
    },
    summary="The printable copy (纸质版) of a submitted version, as PDF",
)
async def print_version(
    declaration_id: uuid.UUID,
    number: VersionNumberPath,
    db: DatabaseDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> Response:
    # Read in a short transaction of our own, so the connection goes back to the pool before
    # the CPU-bound rendering, which runs off the event loop.
    async with db.transaction() as session:
        printable = await service.printable(
            session, principal, declaration_id, number, base_url=settings.public_base_url
        )
    pdf = await run_in_threadpool(render_pdf, printable)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": service.download_name(printable),
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(
    service.VERIFICATIONS_PATH + "/{fingerprint}",
    tags=["public"],
    response_model=VerificationRead,
    responses=declare(FingerprintNotFound),
    summary="Verify a printed copy by its fingerprint (no token needed)",
)
async def verify_fingerprint(
    fingerprint: Annotated[
        str,
        Path(
            pattern=FINGERPRINT_PATTERN,
            description="the SHA-256 fingerprint printed on the copy: 64 lowercase hex digits",
        ),
    ],
    session: SessionDep,
) -> JSONResponse:
    # Rate limits belong to the gateway (per client address on `public/`); a fingerprint is
    # 256 bits, so guessing one is hopeless, and one lookup is one indexed query.
    read = await service.verify(session, fingerprint)
    return JSONResponse(
        read.model_dump(mode="json"),
        headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"},
    )
