"""The clients the token endpoint knows, as authlib's `ClientMixin`: Ladder's services (their
secrets' hashes from the settings) and organisations' machine clients (from the database).
Loaded before authlib runs, which is synchronous; authlib then only asks questions of them."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Any

from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oauth2.rfc6749.util import scope_to_list
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.identity.clients.models import Client, ClientKind
from ladder.identity.clients.service import valid_secret_hashes
from ladder.identity.organisations.models import Organisation, OrgStatus
from ladder.identity.secrets import digest
from ladder.identity.settings import Settings
from ladder.identity.tokens import org_claims

AUTH_METHODS = ("client_secret_basic", "client_secret_post")
SERVICE_PREFIX = "service:"


@dataclass
class TokenClient(ClientMixin):
    client_id: str
    kind: str
    secret_hashes: list[str]
    claims: dict[str, Any]  # what its tokens carry besides iss/aud/exp… and scope
    allowed_scopes: tuple[str, ...]  # empty: a service, governed by its role alone
    ttl_seconds: int
    granted: list[str] = field(default_factory=list)

    def get_client_id(self) -> str:
        return self.client_id

    def check_client_secret(self, client_secret: str) -> bool:
        offered = digest(client_secret)
        # Compare with every live hash (two during a rotation's overlap), in constant time.
        return any([hmac.compare_digest(offered, h) for h in self.secret_hashes])

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in AUTH_METHODS

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"

    def get_allowed_scope(self, scope: str | None) -> str:
        """The scopes granted: those asked for, or all the client holds when none are."""
        if not scope:
            return " ".join(self.allowed_scopes)
        return " ".join(s for s in scope_to_list(scope) if s in self.allowed_scopes)

    def unknown_scopes(self, scope: str | None) -> list[str]:
        return [s for s in scope_to_list(scope or "") or [] if s not in self.allowed_scopes]


def _service_client(settings: Settings, client_id: str) -> TokenClient | None:
    name = client_id.removeprefix(SERVICE_PREFIX)
    stored = settings.service_client_hashes.get(name)
    if stored is None:
        return None
    return TokenClient(
        client_id=client_id,
        kind=ClientKind.service,
        secret_hashes=[stored.lower()],
        claims={"sub": f"service:{name}", "role": "service", "name": name},
        allowed_scopes=(),
        ttl_seconds=settings.service_token_ttl_seconds,
    )


async def load(session: AsyncSession, settings: Settings, client_id: str) -> TokenClient | None:
    """The client named `client_id`, or None when there is none that may get tokens (unknown,
    revoked, or its organisation not active). A Ladder service's id is its name."""
    service = _service_client(settings, client_id)
    if service is not None:
        return service
    row = await session.get(Client, client_id)
    if row is None or row.kind != ClientKind.machine or row.status != "active":
        return None
    org = await session.get(Organisation, row.org_id) if row.org_id else None
    if org is None or org.status != OrgStatus.active:
        return None
    return TokenClient(
        client_id=row.client_id,
        kind=ClientKind.machine,
        secret_hashes=await valid_secret_hashes(session, row.client_id),
        claims={
            "sub": row.subject,
            "name": row.name,
            "client_id": row.client_id,
            **org_claims(org),
        },
        allowed_scopes=tuple(row.scopes),
        ttl_seconds=settings.access_token_ttl_seconds,
    )
