"""Every table of the identity service, imported so alembic sees them all."""

from ladder.identity import tables
from ladder.identity.accounts.models import OneTimeToken, RecoveryCode, User
from ladder.identity.audit.models import AuthEvent
from ladder.identity.clients.models import Client, ClientSecret
from ladder.identity.organisations.models import Organisation
from ladder.identity.sessions.models import RefreshToken

__all__ = [
    "AuthEvent",
    "Client",
    "ClientSecret",
    "OneTimeToken",
    "Organisation",
    "RecoveryCode",
    "RefreshToken",
    "User",
    "tables",
]
