"""The identity service process: `uvicorn ladder.identity.main:create_app --factory`."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from ladder.identity import models  # noqa: F401  (registers every table)
from ladder.identity.accounts.routes import router as accounts_router
from ladder.identity.clients.routes import router as clients_router
from ladder.identity.issuer.endpoints import router as issuer_router
from ladder.identity.keys import KeyRing
from ladder.identity.mfa.routes import router as mfa_router
from ladder.identity.oauth.routes import router as oauth_router
from ladder.identity.organisations.routes import router as organisations_router
from ladder.identity.passwordreset.routes import router as passwordreset_router
from ladder.identity.registrations.routes import router as registrations_router
from ladder.identity.settings import SCHEMA, Settings
from ladder.identity.signin.routes import router as signin_router
from ladder.identity.tables import CREDENTIALS, IDEMPOTENCY, OUTBOX
from ladder.kit.app import ServiceSpec, create_service_app
from ladder.kit.auth import TokenVerifier
from ladder.kit.clock import install_clock


class _OwnKeySet(httpx.AsyncBaseTransport):
    """Answers the verifier's JWKS fetch with our own key set, in-process: the issuer does not
    call itself over the network to check the tokens it issued."""

    def __init__(self, keys: KeyRing) -> None:
        self._jwks = keys.jwks()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=self._jwks, request=request)


def _load_keys(settings: Settings):
    async def hook(app: FastAPI) -> None:
        keys = KeyRing.load(settings.signing_keys_dir, create=settings.is_dev)
        app.state.keys = keys
        await app.state.verifier.aclose()
        app.state.verifier = TokenVerifier(
            jwks_url="http://identity.internal/.well-known/jwks.json",
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            algorithms=settings.jwt_algorithms,
            max_token_bytes=settings.jwt_max_token_bytes,
            leeway_seconds=settings.jwt_leeway_seconds,
            cache_seconds=settings.jwks_cache_seconds,
            http=httpx.AsyncClient(transport=_OwnKeySet(keys)),
        )

    return hook


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()  # type: ignore[call-arg]  # from the environment
    app = create_service_app(
        settings,
        ServiceSpec(
            name="identity",
            schema=SCHEMA,
            title="Ladder identity service",
            description=(
                "Organisations and accounts of every actor, sign-in with MFA for officials, "
                "machine clients bound to a jurisdiction, and the token issuer (OAuth2/OIDC)."
            ),
            routers=[
                issuer_router,
                oauth_router,
                signin_router,
                mfa_router,
                passwordreset_router,
                registrations_router,
                organisations_router,
                accounts_router,
                clients_router,
            ],
            peers={"review": settings.review_url},
            outbox=OUTBOX,
            idempotency=IDEMPOTENCY,
            credentials=CREDENTIALS,
            on_startup=[_load_keys(settings)],
        ),
    )
    # Lockouts, one-time links, TOTP steps and secret overlaps all count on this clock.
    install_clock(app, control=settings.clock_control)
    return app
