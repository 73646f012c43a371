"""The demo accounts seed: every demo user becomes an account whose organisation gives the
claims the gateway's demo token carried, with the dev password; seeding twice changes nothing."""

from __future__ import annotations

from sqlmodel import select

from ladder.identity.accounts.models import User
from ladder.identity.organisations.models import Organisation
from ladder.identity.passwords import verify
from ladder.identity.seed import demo_accounts, seed
from ladder.identity.settings import Settings
from ladder.identity.tokens import user_claims


async def test_demo_accounts_carry_the_demo_claims(identity_app) -> None:
    db = identity_app.state.db
    for _ in range(2):
        async with db.transaction() as session:
            await seed(session)
    async with db.transaction() as session:
        users = (await session.exec(select(User))).all()
        by_name = {u.username: u for u in users}
        assert len(users) == len(demo_accounts()["users"])
        county = by_name["county"]
        org = await session.get(Organisation, county.org_id)
        claims = user_claims(county, org)
        assert claims["role"] == "county" and claims["region"] == "350102"
        ent = by_name["enterprise"]
        ent_org = await session.get(Organisation, ent.org_id)
        assert user_claims(ent, ent_org)["org"] == "91350102MA2Y00001E"
        xpcc = by_name["xpcc"]
        assert user_claims(xpcc, await session.get(Organisation, xpcc.org_id))["region"] == "xpcc"
        dev = Settings.model_fields["dev_password"].default.get_secret_value()
        assert verify(dev, ent.password_hash)[0]
        assert not verify("not-the-password", ent.password_hash)[0]
