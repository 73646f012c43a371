"""The identity service's rows of the permission matrix (`matrix.py`, issue 15).

Its callers are accounts: the world's people are the demo accounts (their dev tokens name
them, `world.ACCOUNTS`); the experts' pool subs and the services' client tokens are no
account (403 `not_an_account`). The entries for callers without a token (signing in,
registering, resetting, accepting, enrolling, the token endpoint, the issuer's documents) are
sent bodies refused on their merits — an unknown username, a wrong password, an unknown link —
so that nobody's account is changed: everyone gets the same answer, token or not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.security.world import ACCOUNTS, ROLES, World

ID = "identity"
Cell = str | int | tuple[int, str]
STALE = {"If-Match": '"matrix-stale"'}
EVERYONE = set(ROLES)
PEOPLE = set(ACCOUNTS)  # the demo accounts, every one its organisation's admin
# Organisations of kind `unit` (registrations are filed with them; they may have clients).
UNITS = {"county_own", "county_other", "city", "province_own", "province_other", "xpcc"}
ENTERPRISES = {"enterprise_own", "enterprise_other"}
NOBODY = "matrix-nobody"  # a username no account has: signing in as it changes no account
WRONG = "matrix-wrong-password"
NEW_PASSWORD = "Matrix-new-password-2026"


def identity_rows(row: Callable[..., Any], cells: Callable[..., dict[str, Cell]]) -> list[Any]:
    """The rows, built with matrix.py's `Row` and `cells` (passed in: matrix.py imports us)."""

    def same(cell: Cell) -> dict[str, Cell]:
        return dict.fromkeys(ROLES, cell)

    def accounts(cell: Cell) -> dict[str, Cell]:
        """`cell` for the accounts, 403 for the other tokens, 401 without one."""
        return cells(exact=dict.fromkeys(PEOPLE, cell))

    def reg(w: World) -> dict[str, str]:
        return {"registration_id": w.registration_id}

    def client(w: World) -> dict[str, str]:
        return {"client_id": w.client_id}

    def own_user(w: World) -> dict[str, str]:
        return {"user_id": w.own_user_id}

    admin = {"username": "county", "email": "matrix-taken@ladder.invalid",
             "display_name": "矩阵测试"}  # fmt: skip
    unit = {"kind": "unit", "name": "矩阵测试工信局", "region": "350102",
            "admin": {**admin, "username": "matrix-unit-admin"}}  # fmt: skip
    form = "application/x-www-form-urlencoded"
    # fmt: off
    return [
        row(ID, "GET", "/healthz", cells(EVERYONE)),
        row(ID, "GET", "/readyz", cells(EVERYONE)),
        # The dev/test clock (LADDER_CLOCK_CONTROL): a service's, never a person's.
        row(ID, "GET", "/internal/clock", cells({"service"}), direct=True),
        row(ID, "POST", "/internal/clock", cells({"service"}),
            json=lambda w: {"advance_seconds": 0}, direct=True),
        row(ID, "GET", "/.well-known/jwks.json", cells(EVERYONE)),
        row(ID, "GET", "/.well-known/openid-configuration", cells(EVERYONE)),
        row(ID, "GET", "/.well-known/oauth-authorization-server", cells(EVERYONE)),
        # The token endpoint: a client no one registered, whoever asks (its credentials in the
        # body, so 400 — RFC 6749 §5.2 asks a 401 only of a client that used the header).
        row(ID, "POST", "/oauth/token", same((400, "invalid_client")),
            content=lambda w, g: b"grant_type=client_credentials&client_id=matrix-nobody"
                                 b"&client_secret=matrix-wrong-secret",
            content_type=form),
        # --- signing in, refresh, logout: no token needed, the body decides -----------------
        row(ID, "POST", "/v1/sessions", same((401, "invalid_credentials")),
            json=lambda w: {"username": NOBODY, "password": WRONG}),
        row(ID, "POST", "/v1/sessions/refresh", same((401, "invalid_grant")),
            json=lambda w: {"refresh_token": "matrix-unknown-refresh-token"}),
        row(ID, "POST", "/v1/sessions/logout", cells(EVERYONE),
            json=lambda w: {"refresh_token": "matrix-unknown-refresh-token"}),
        # TOTP enrolment with a bearer token asks the password again (a wrong one here, which
        # counts toward no lockout); without a token nor an enrolment token, 401.
        row(ID, "POST", "/v1/mfa/totp/enrol", accounts((401, "invalid_credentials")),
            json=lambda w: {"password": WRONG}),
        row(ID, "POST", "/v1/mfa/totp/confirm",
            accounts((409, "mfa_enrolment_not_started")), json=lambda w: {"code": "000000"}),
        # --- passwords ----------------------------------------------------------------------
        # A reset for no account: 202 like any (nothing mailed).
        row(ID, "POST", "/v1/password-resets", cells(EVERYONE), keyed=True,
            json=lambda w: {"username_or_email": f"{NOBODY}@ladder.invalid"}),
        row(ID, "POST", "/v1/password-resets/complete", same((410, "link_invalid")), keyed=True,
            json=lambda w: {"token": "matrix-unknown-reset-link", "password": NEW_PASSWORD}),
        # A wrong current password: one failure on each account (the lockout takes five).
        row(ID, "POST", "/v1/me/password", accounts((401, "invalid_credentials")), keyed=True,
            json=lambda w: {"current_password": WRONG, "new_password": NEW_PASSWORD}),
        row(ID, "POST", "/v1/invitations/accept", same((410, "link_invalid")),
            json=lambda w: {"token": "matrix-unknown-invitation", "password": NEW_PASSWORD}),
        # --- registrations: filed by anyone (here an enterprise already registered: 409),
        # read and decided by the authority they are filed with (鼓楼: county_own) -------------
        row(ID, "POST", "/v1/registrations", same((409, "already_registered")), keyed=True,
            json=lambda w: {"uscc": "91350102MA2Y00001E", "name": "福州示范智能装备有限公司",
                            "region": "350102", "contact_name": "矩阵联系人",
                            "contact_email": "matrix-contact@ladder.invalid",
                            "username": "matrix-registrant", "password": NEW_PASSWORD}),
        row(ID, "GET", "/v1/registrations", cells(UNITS)),
        row(ID, "GET", "/v1/registrations/{registration_id}", cells({"county_own"}),
            params=reg),
        row(ID, "POST", "/v1/registrations/{registration_id}/approve", cells({"county_own"}),
            params=reg, headers=STALE),
        row(ID, "POST", "/v1/registrations/{registration_id}/reject", cells({"county_own"}),
            params=reg, json=lambda w: {"reason": "矩阵测试"}, headers=STALE),
        # --- organisations --------------------------------------------------------------------
        # A county-level unit of 鼓楼's region (350102), which has one: Fuzhou, the level above
        # it, is refused on the merits (409); a province may create county-level units only
        # directly under it (Shanghai's), so 422 for a county of Fuzhou; who creates no
        # county-level unit at all (a county, the ministry, an enterprise, a SOE HQ) 403.
        row(ID, "POST", "/v1/organisations",
            cells(exact={"city": (409, "organisation_exists"),
                         **dict.fromkeys(("province_own", "province_other", "xpcc"),
                                         (422, "region_outside_jurisdiction"))}),
            keyed=True, json=lambda w: unit),
        row(ID, "GET", "/v1/organisations", cells(PEOPLE)),
        row(ID, "GET", "/v1/organisations/{organisation_id}",
            cells({"enterprise_own", "county_own"}),
            params=lambda w: {"organisation_id": w.own_org_id}),
        # 平潭, created by Fujian: only Fujian deactivates it (stale If-Match: it stays).
        row(ID, "POST", "/v1/organisations/{organisation_id}/deactivate",
            cells({"province_own"}), params=lambda w: {"organisation_id": w.pingtan_org_id},
            json=lambda w: {"reason": "矩阵测试"}, headers=STALE),
        # --- users of the caller's organisation (admins) ---------------------------------------
        # An admin invites a colleague under a username taken: 409, nothing mailed.
        row(ID, "POST", "/v1/users", accounts((409, "username_taken")), keyed=True,
            json=lambda w: admin),
        row(ID, "GET", "/v1/users", cells(PEOPLE)),
        row(ID, "GET", "/v1/users/{user_id}", cells({"enterprise_own"}), params=own_user),
        row(ID, "POST", "/v1/users/{user_id}/deactivate",
            cells(exact={"enterprise_own": (409, "cannot_deactivate_self")}), params=own_user,
            headers=STALE),
        row(ID, "POST", "/v1/users/{user_id}/invitation",
            cells(exact={"enterprise_own": (409, "not_invited")}), params=own_user, keyed=True),
        row(ID, "GET", "/v1/me", cells(PEOPLE)),
        # --- machine clients: an authority's admin makes its own (a fresh one each) -----------
        row(ID, "POST", "/v1/clients", cells(PEOPLE - ENTERPRISES), keyed=True,
            json=lambda w: {"name": "矩阵测试对接系统", "scopes": ["declaration:read"]}),
        row(ID, "GET", "/v1/clients", cells(PEOPLE)),
        row(ID, "GET", "/v1/clients/{client_id}", cells({"province_own"}), params=client),
        row(ID, "POST", "/v1/clients/{client_id}/secrets", cells({"province_own"}),
            params=client, json=lambda w: {"overlap_seconds": 60}, headers=STALE),
        row(ID, "POST", "/v1/clients/{client_id}/revoke", cells({"province_own"}),
            params=client, headers=STALE),
    ]
    # fmt: on
