"""Seed data of the identity service: the demo accounts (`demo_accounts.yaml`), dev only.

`seed_reference` (what a deployment needs) is nothing: the first ministry admin of a real
deployment is created by `python -m ladder.identity.bootstrap`-style operator action (not yet
written; see the README), never with a known password.
"""

from __future__ import annotations

import os
import uuid
from functools import cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.identity.accounts.models import OrgRole, User, UserStatus
from ladder.identity.organisations.models import Organisation, OrgStatus
from ladder.identity.passwords import hash_password
from ladder.identity.settings import Settings

SEEDED_BY = "seed:demo"
# A demo account's id is derived from its username, so the gateway's dev tokens
# (`/auth/dev-token`, dev only; `sub` = `user:<this id>` in its demo_users.json) name the same
# account as a sign-in does: one demo user, one account, whichever way the token came.
DEMO_NAMESPACE = uuid.UUID("6c1d0e3a-5b0f-4d7e-9a51-1adde2d00015")


def demo_user_id(username: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"ladder-demo:{username}")


@cache
def demo_accounts() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("demo_accounts.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def dev_password() -> str:
    """LADDER_DEV_PASSWORD, as the service reads it (the seed runs without its environment)."""
    default = Settings.model_fields["dev_password"].default.get_secret_value()
    return os.environ.get("LADDER_DEV_PASSWORD") or default


async def seed(session: AsyncSession) -> None:
    """Idempotent: an organisation or user that exists (by name / username) is left alone."""
    data = demo_accounts()
    ids: dict[str, uuid.UUID] = {}
    for org in data["organisations"]:
        found = (
            await session.exec(
                select(Organisation).where(
                    Organisation.name == org["name"], Organisation.created_by == SEEDED_BY
                )
            )
        ).first()
        if found is None:
            found = Organisation(
                kind=org["kind"],
                role=org["role"],
                name=org["name"],
                uscc=org.get("uscc"),
                region=org.get("region"),
                parent_id=ids.get(org.get("parent", "")),
                status=OrgStatus.active,
                created_by=SEEDED_BY,
            )
            session.add(found)
            await session.flush()
        ids[org["key"]] = found.id
    password_hash: str | None = None
    for user in data["users"]:
        exists = (
            await session.exec(
                select(User.id).where(func.lower(User.username) == user["username"].lower())
            )
        ).first()
        if exists is not None:
            continue
        password_hash = password_hash or hash_password(dev_password())
        session.add(
            User(
                id=demo_user_id(user["username"]),
                org_id=ids[user["org"]],
                username=user["username"],
                email=f"{user['username']}@demo.ladder.invalid",
                display_name=user["display_name"],
                org_role=user.get("org_role", OrgRole.admin),
                status=UserStatus.active,
                password_hash=password_hash,
                created_by=SEEDED_BY,
            )
        )
    await session.flush()
