"""The gateway's dev tokens and the identity service's demo accounts are the same people: each
demo user's dev-token `sub` is the account the seed creates, with the claims its organisation
gives (so `/v1/me`, invitations and clients work with a dev token as after a sign-in)."""

from __future__ import annotations

import json
from importlib import resources

from ladder.identity.seed import demo_accounts, demo_user_id


def _gateway_demo_users() -> list[dict]:
    text = resources.files("ladder.gateway.auth").joinpath("demo_users.json").read_text("utf-8")
    return json.loads(text)


def test_every_dev_token_names_its_demo_account_with_the_same_claims():
    accounts = demo_accounts()
    orgs = {o["key"]: o for o in accounts["organisations"]}
    by_username = {u["username"]: u for u in accounts["users"]}
    for user in _gateway_demo_users():
        if user["role"] == "public":
            assert user["username"] not in by_username  # the public has no account
            continue
        account = by_username[user["username"]]
        assert user["sub"] == f"user:{demo_user_id(user['username'])}", user["username"]
        org = orgs[account["org"]]
        assert (org["role"], org.get("uscc"), org.get("region")) == (
            user["role"],
            user["org"],
            user["region"],
        ), user["username"]
