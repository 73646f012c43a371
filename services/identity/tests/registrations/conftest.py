"""Fixtures of the registration tests: the demo organisations (鼓楼 350102, 台江 350103,
平潭 350128, the XPCC …) seeded, a filled form, and tokens minted for the seeded users (sign-in
is another area's)."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from ladder.identity.accounts.models import User
from ladder.identity.organisations.models import Organisation
from ladder.identity.registrations.uscc import check_character
from ladder.identity.seed import seed
from ladder.identity.tokens import mint, user_claims

_serials = itertools.count(1000)  # above the demo enterprises' serials


def make_uscc(region: str = "350102", serial: int | None = None) -> str:
    """A valid USCC of an enterprise registered in `region` (GB 32100-2015's check character)."""
    first17 = f"91{region}MA2Y{serial if serial is not None else next(_serials):05d}"
    return first17 + check_character(first17)


@pytest.fixture
def uscc() -> Callable[..., str]:
    return make_uscc


@pytest.fixture
def form() -> Callable[..., dict[str, Any]]:
    """A registration form of a new enterprise in 鼓楼 (350102); keywords replace fields."""

    def make(**overrides: Any) -> dict[str, Any]:
        n = next(_serials)
        region = overrides.get("region", "350102")
        values = {
            "uscc": make_uscc(region if len(region) == 6 else "350102", n),
            "name": f"福州测试智能制造有限公司{n}",
            "region": region,
            "contact_name": "张三",
            "contact_email": f"zhang.san{n}@example.com",
            "contact_phone": "0591-87654321",
            "username": f"ent-admin-{n}",
            "display_name": "张三（管理员）",
            "password": "correct horse battery staple",
            **overrides,
        }
        return {k: v for k, v in values.items() if v is not None}

    return make


@pytest.fixture
async def seeded(identity_app) -> None:
    async with identity_app.state.db.transaction() as session:
        await seed(session)


@pytest.fixture
def auth(identity_app, seeded) -> Callable[[str], Awaitable[dict[str, str]]]:
    """Authorization headers of a seeded user (`county` = 鼓楼, `county-other` = 台江 …)."""

    async def headers(username: str) -> dict[str, str]:
        async with identity_app.state.db.transaction() as session:
            user = (
                await session.exec(
                    select(User).where(func.lower(User.username) == username.lower())
                )
            ).one()
            org = await session.get(Organisation, user.org_id)
            assert org is not None
        app = identity_app
        token = mint(app.state.keys, app.state.settings, user_claims(user, org), 900)
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def key() -> Callable[[], dict[str, str]]:
    """A fresh Idempotency-Key header."""
    return lambda: {"Idempotency-Key": f"registration-{next(_serials):08d}"}
