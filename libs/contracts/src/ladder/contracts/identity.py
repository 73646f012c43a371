"""Events the identity service publishes: what the other services must learn at once about the
principals it vouches for, rather than when a token runs out.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ladder.contracts.registry import EventContract, register

CLIENT_REVOKED = "identity.client_revoked"


class ClientRevoked(BaseModel):
    """A machine client revoked by its organisation's administrator (or the platform's): no
    secret of it authenticates any more, and whatever the client set up elsewhere in its name
    must stop — the review service disables its webhook subscriptions (tokens already issued
    live out their TTL, at most 15 minutes)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    client_id: str = Field(max_length=100)
    subject: str = Field(max_length=120, description="the `sub` of the client's tokens")
    revoked_at: AwareDatetime
    revoked_by: str = Field(max_length=200)


REVOKED = register(
    EventContract(
        topic=CLIENT_REVOKED,
        model=ClientRevoked,
        producer="identity",
        consumers=("review",),
        summary=(
            "A machine client was revoked: the review service disables the webhook "
            "subscriptions it owns, so nothing more is sent to it."
        ),
        example=ClientRevoked(
            client_id="lc_fj_0001",
            subject="client:lc_fj_0001",
            revoked_at=datetime(2026, 7, 1, 8, 0, tzinfo=UTC),
            revoked_by="user:province-admin",
        ),
    )
)
