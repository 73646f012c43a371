"""Identity through the gateway with the real processes (issue 15): real accounts, MFA for
officials, lockout, refresh rotation, deactivation, a province's machine client, and a password
reset mailed through a real SMTP server this module starts.

The stack is this module's own: MFA is on (as in production, not `make run`'s dev switch), the
identity service mails to the module's aiosmtpd server, locks after 3 failures for 3 s, and
issues access tokens of 20 s that the services verify with 1 s of leeway — so "dies within its
TTL" is seen in seconds. Every password, client secret, TOTP seed and refresh token the tests
handle is added to the list the logs are searched for at the end."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator

import httpx
import pyotp
import pytest

from tests.conftest import DEV_PASSWORD, dev_token, log_leaks, running_stack
from tests.e2e.test_declaration_document import DEMO_YEAR, _document
from tests.e2e.test_recommendation_chains import CLEAR, submit_declaration
from tests.e2e.test_review_chain import _held_case, _opine
from tests.e2e.test_self_assessments import FORM as SELF_ASSESSMENT
from tests.e2e.test_thread import FACTS as ADVANCED_FACTS
from tools import mailsink
from tools.mailsink import MailSink, body_of
from tools.stack import free_port

pytestmark = pytest.mark.crossservice

ID = "/api/identity"
DECL = "/api/declaration/v1/declarations"
ACCESS_TTL = 20
LEEWAY = 1
LOCK_SECONDS = 3
SEEN: list[str] = []  # what must never be logged
STATE: dict[str, object] = {}  # what one test leaves the next (the module runs in order)


# --- a real SMTP server --------------------------------------------------------------------


@pytest.fixture(scope="module")
def inbox() -> Iterator[MailSink]:
    sink = mailsink.start("127.0.0.1", free_port(), None)
    try:
        yield sink
    finally:
        sink.stop()


def link_token(inbox: MailSink, to: str, *, after: int = 0, timeout: float = 15.0) -> str:
    """The one-time token of the newest mail to `to` beyond the first `after` (the link's
    `#token=` fragment)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mails = inbox.to(to)
        if len(mails) > after:
            found = re.search(r"#token=([A-Za-z0-9_\-]+)", body_of(mails[-1]))
            assert found, body_of(mails[-1])
            SEEN.append(found.group(1))
            return found.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no mail to {to}")


@pytest.fixture(scope="module")
def id_stack(pg_server, tmp_path_factory, inbox):
    with running_stack(
        pg_server,
        tmp_path_factory.mktemp("identity"),
        secrets=SEEN,
        LADDER_SMTP_HOST="127.0.0.1",
        LADDER_SMTP_PORT=str(inbox.port),
        LADDER_LOCKOUT_THRESHOLD="3",
        LADDER_LOCKOUT_SECONDS=str(LOCK_SECONDS),
        LADDER_ACCESS_TOKEN_TTL_SECONDS=str(ACCESS_TTL),
        LADDER_JWT_LEEWAY_SECONDS=str(LEEWAY),
        LADDER_AUTH_RATE_PER_MINUTE="1000",
    ) as running:
        yield running


@pytest.fixture
def gw(id_stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=id_stack.url("gateway"), timeout=20.0) as client:
        yield client


# --- helpers ---------------------------------------------------------------------------------


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def bearer(tokens: dict) -> dict[str, str]:
    SEEN.append(tokens["refresh_token"]) if tokens.get("refresh_token") else None
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def sign_in(gw: httpx.Client, username: str, password: str, **more: str) -> httpx.Response:
    return gw.post(f"{ID}/v1/sessions", json={"username": username, "password": password, **more})


def enrol_and_sign_in(gw: httpx.Client, username: str, password: str) -> tuple[dict, str]:
    """An official's first sign-in: the password is right, but no token before TOTP is
    enrolled; enrol with the enrolment token, confirm with a code: the tokens. (tokens, seed)"""
    refused = sign_in(gw, username, password)
    assert refused.status_code == 403, refused.text
    error = refused.json()["error"]
    assert error["code"] == "mfa_enrolment_required"
    assert "access_token" not in refused.text
    enrolment = error["details"]["enrolment_token"]
    SEEN.append(enrolment)
    enrolled = gw.post(f"{ID}/v1/mfa/totp/enrol", json={"enrolment_token": enrolment})
    assert enrolled.status_code in (200, 201), enrolled.text
    seed = enrolled.json()["secret"]
    SEEN.append(seed)
    confirmed = gw.post(
        f"{ID}/v1/mfa/totp/confirm",
        json={"enrolment_token": enrolment, "code": pyotp.TOTP(seed).now()},
    )
    assert confirmed.status_code in (200, 201), confirmed.text
    body = confirmed.json()
    SEEN.extend(body.get("recovery_codes", []))
    tokens = body.get("tokens", body)
    assert tokens["access_token"], body
    return tokens, seed


def uscc(serial: int) -> str:
    """A 统一社会信用代码 with a right GB 32100-2015 check character (a new enterprise each
    run, in 鼓楼区 350102)."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    body = f"91350102MA{serial:07d}"[:17]
    body = body[:10] + body[10:].rjust(7, "0")
    total = sum(chars.index(c) * w for c, w in zip(body, weights, strict=True))
    return body + chars[(31 - total % 31) % 31]


# --- the acceptance ----------------------------------------------------------------------------


def test_an_enterprise_registers_its_county_approves_it_signs_in_and_declares(gw, inbox):
    code = uscc(int(time.time()) % 10_000_000)
    password = f"Registered-{uuid.uuid4().hex[:10]}"
    SEEN.append(password)
    username = f"ent-{code[-6:].lower()}"
    registered = gw.post(
        f"{ID}/v1/registrations",
        json={
            "uscc": code,
            "name": "福州端到端智能制造有限公司",
            "region": "350102",
            "contact_name": "陈工",
            "contact_email": f"{username}@example.com",
            "contact_phone": "0591-87654321",
            "username": username,
            "password": password,
        },
        headers=_key(),
    )
    assert registered.status_code == 201, registered.text
    assert password not in registered.text
    reg = registered.json()
    # Not approved yet: no token.
    early = sign_in(gw, username, password)
    assert early.status_code == 401, early.text

    county, county_seed = enrol_and_sign_in(gw, "county", DEV_PASSWORD)
    county_h = bearer(county)
    STATE.update(county=county, county_seed=county_seed)
    pending = gw.get(f"{ID}/v1/registrations", params={"status": "pending"}, headers=county_h)
    assert pending.status_code == 200, pending.text
    (mine,) = [r for r in pending.json()["items"] if r["id"] == reg["id"]]
    # Another county sees nothing of it.
    other = gw.get(f"{ID}/v1/registrations/{reg['id']}", headers=dev_token(gw, "county-other"))
    assert other.status_code in (403, 404), other.text
    approved = gw.post(
        f"{ID}/v1/registrations/{reg['id']}/approve",
        json={},
        headers={**county_h, **_key(), "If-Match": mine["etag"]},
    )
    assert approved.status_code == 200, approved.text

    signed = sign_in(gw, username, password)
    assert signed.status_code == 200, signed.text
    enterprise = signed.json()
    ent_h = bearer(enterprise)
    me = gw.get(f"{ID}/v1/me", headers=ent_h)
    assert me.status_code == 200, me.text
    claims = me.json()["claims"]
    assert (claims["role"], claims["org"], claims["region"]) == ("enterprise", code, "350102")

    # The enterprise files its profile with the declaration service, a factory, a declaration.
    doc = _document()
    profile = gw.post(
        "/api/declaration/v1/enterprises",
        json={"uscc": code, "name": "福州端到端智能制造有限公司", "region_code": "350102",
              **{k: v for k, v in doc["applicant"].items() if k != "contacts"}},
        headers={**ent_h, **_key()},
    )  # fmt: skip
    assert profile.status_code == 201, profile.text
    factory = gw.post(
        f"/api/declaration/v1/enterprises/{code}/factories",
        json={"name": "端到端数字化车间", "region_code": "350102"},
        headers={**ent_h, **_key()},
    )
    assert factory.status_code == 201, factory.text
    # 先进级 needs the factory's 基础级 in the register: its self-assessment first.
    assessed = gw.post(
        "/api/declaration/v1/self-assessments",
        json={**SELF_ASSESSMENT, "enterprise_name": "福州端到端智能制造有限公司",
              "factory_name": "端到端数字化车间"},
        headers={**ent_h, **_key()},
    )  # fmt: skip
    assert assessed.status_code == 201, assessed.text
    assert assessed.json()["outcome"] == "eligible", assessed.text
    created = gw.post(
        DECL,
        json={
            "factory_id": factory.json()["id"],
            "campaign_year": DEMO_YEAR,
            "tier": "advanced",
            "facts": ADVANCED_FACTS,
        },
        headers={**ent_h, **_key()},
    )
    assert created.status_code == 201, created.text
    did = created.json()["id"]
    submitted = gw.post(f"{DECL}/{did}/submit", headers={**ent_h, **_key()})
    assert submitted.status_code == 200, submitted.text
    STATE.update(enterprise_user=username, enterprise_password=password, uscc=code, did=did)


def test_a_county_admin_invites_a_colleague_who_enrols_totp_before_the_first_token(gw, inbox):
    county_h = bearer(STATE["county"])
    name = f"colleague-{uuid.uuid4().hex[:6]}"
    email = f"{name}@gulou.example.gov.cn"
    invited = gw.post(
        f"{ID}/v1/users",
        json={"username": name, "email": email, "display_name": "鼓楼区同事", "org_role": "member"},
        headers={**county_h, **_key()},
    )
    assert invited.status_code == 201, invited.text
    token = link_token(inbox, email)
    password = f"Colleague-{uuid.uuid4().hex[:10]}"
    SEEN.append(password)
    accepted = gw.post(f"{ID}/v1/invitations/accept", json={"token": token, "password": password})
    assert accepted.status_code in (200, 204), accepted.text
    again = gw.post(f"{ID}/v1/invitations/accept", json={"token": token, "password": password})
    assert (again.status_code, again.json()["error"]["code"]) == (410, "link_invalid")

    wrong = sign_in(gw, name, password + "x")
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (401, "invalid_credentials")
    tokens, seed = enrol_and_sign_in(gw, name, password)
    # From now on a code is asked for; a wrong one is 401 with its own code.
    no_code = sign_in(gw, name, password)
    assert (no_code.status_code, no_code.json()["error"]["code"]) == (401, "mfa_required")
    bad_code = sign_in(
        gw, name, password, totp="000000" if pyotp.TOTP(seed).now() != "000000" else "111111"
    )
    assert (bad_code.status_code, bad_code.json()["error"]["code"]) == (401, "mfa_invalid")
    colleague_h = bearer(tokens)
    claims = gw.get(f"{ID}/v1/me", headers=colleague_h).json()["claims"]
    assert (claims["role"], claims["region"]) == ("county", "350102")
    assert gw.get("/api/review/v1/inbox", headers=colleague_h).status_code == 200

    # The admin deactivates the colleague: refresh fails at once ...
    users = gw.get(f"{ID}/v1/users", headers=county_h).json()["items"]
    (row,) = [u for u in users if u["username"] == name]
    off = gw.post(
        f"{ID}/v1/users/{row['id']}/deactivate",
        json={},
        headers={**county_h, **_key(), "If-Match": row["etag"]},
    )
    assert off.status_code == 200, off.text
    refused = gw.post(f"{ID}/v1/sessions/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert (refused.status_code, refused.json()["error"]["code"]) == (401, "invalid_grant")
    assert sign_in(gw, name, password, totp=pyotp.TOTP(seed).now()).status_code == 401
    # ... and the access token dies within its TTL (the identity service refuses it at once).
    assert gw.get(f"{ID}/v1/me", headers=colleague_h).status_code == 401
    deadline = time.monotonic() + ACCESS_TTL + LEEWAY + 10
    while gw.get("/api/review/v1/inbox", headers=colleague_h).status_code == 200:
        assert time.monotonic() < deadline, "the access token outlived its TTL"
        time.sleep(1)
    assert gw.get("/api/review/v1/inbox", headers=colleague_h).status_code == 401


def test_repeated_failures_lock_the_account_for_a_while(gw):
    username, password = STATE["enterprise_user"], STATE["enterprise_password"]
    codes = [sign_in(gw, username, "not-the-password").status_code for _ in range(3)]
    assert codes == [401, 401, 423]  # the third failure (the threshold) locks
    locked = sign_in(gw, username, password)  # even the right password, while locked
    assert locked.status_code == 423, locked.text
    assert locked.json()["error"]["code"] == "account_locked"
    retry_after = int(locked.headers["Retry-After"])
    assert 0 < retry_after <= LOCK_SECONDS
    time.sleep(retry_after + 0.5)
    assert sign_in(gw, username, password).status_code == 200


def test_reusing_a_rotated_refresh_token_revokes_the_family(gw):
    first = sign_in(gw, STATE["enterprise_user"], STATE["enterprise_password"]).json()
    SEEN.append(first["refresh_token"])
    second = gw.post(f"{ID}/v1/sessions/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code in (200, 201), second.text
    newest = second.json()["refresh_token"]
    SEEN.append(newest)
    replayed = gw.post(f"{ID}/v1/sessions/refresh", json={"refresh_token": first["refresh_token"]})
    assert (replayed.status_code, replayed.json()["error"]["code"]) == (401, "invalid_grant")
    # The whole family is gone: the newest token of it too.
    after = gw.post(f"{ID}/v1/sessions/refresh", json={"refresh_token": newest})
    assert after.status_code == 401, after.text


def _client_token(gw: httpx.Client, client_id: str, secret: str) -> httpx.Response:
    return gw.post(
        f"{ID}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
    )


def test_a_provinces_machine_client_is_confined_to_its_province(gw):
    province, _ = enrol_and_sign_in(gw, "province", DEV_PASSWORD)
    province_h = bearer(province)
    created = gw.post(
        f"{ID}/v1/clients",
        json={"name": "福建省工信厅推荐系统", "scopes": ["review:read", "review:write"]},
        headers={**province_h, **_key()},
    )
    assert created.status_code == 201, created.text
    client = created.json()
    client_id, secret = client["client_id"], client["client_secret"]
    SEEN.append(secret)
    token = _client_token(gw, client_id, secret)
    assert token.status_code == 200, token.text
    machine = {"Authorization": f"Bearer {token.json()['access_token']}"}

    # A Fujian case at the province, and a Shanghai one.
    fujian, _ = submit_declaration(gw, "enterprise")
    shanghai, _ = submit_declaration(gw, "enterprise-sh")
    county, city = dev_token(gw, "county"), dev_token(gw, "city")
    _held_case(gw, county, fujian, level="county")
    _opine(gw, county, fujian, {"decision": "forward", "credit_check": CLEAR})
    _held_case(gw, city, fujian, level="city")
    _opine(gw, city, fujian, {"decision": "forward"})
    _held_case(gw, machine, fujian, level="province", status="awaiting_initial_review")
    # Reads and writes its own province ...
    outcome = _opine(gw, machine, fujian, {"decision": "forward"})
    assert outcome["opinion"]["level"] == "province"
    # ... and nothing of another province (read or write), nor another service's data.
    assert gw.get(f"/api/review/v1/cases/{shanghai}", headers=machine).status_code == 404
    write_elsewhere = gw.post(
        f"/api/review/v1/cases/{shanghai}/opinions",
        json={"decision": "forward"},
        headers={**machine, **_key(), "If-Match": '"x"'},
    )
    assert write_elsewhere.status_code in (403, 404), write_elsewhere.text
    no_scope = gw.get(DECL, headers=machine)
    assert no_scope.status_code == 403, no_scope.text
    assert no_scope.json()["error"]["code"] == "insufficient_scope"

    # A rotated secret: the old one works during the overlap, not after.
    detail = gw.get(f"{ID}/v1/clients/{client_id}", headers=province_h)
    rotated = gw.post(
        f"{ID}/v1/clients/{client_id}/secrets",
        json={"overlap_seconds": 3},
        headers={**province_h, **_key(), "If-Match": detail.headers["ETag"]},
    )
    assert rotated.status_code == 201, rotated.text
    new_secret = rotated.json()["client_secret"]
    SEEN.append(new_secret)
    assert _client_token(gw, client_id, secret).status_code == 200
    assert _client_token(gw, client_id, new_secret).status_code == 200
    time.sleep(4)
    old = _client_token(gw, client_id, secret)
    assert (old.status_code, old.json()["error"]) == (401, "invalid_client")
    assert _client_token(gw, client_id, new_secret).status_code == 200

    # Revoked: refused.
    detail = gw.get(f"{ID}/v1/clients/{client_id}", headers=province_h)
    revoked = gw.post(
        f"{ID}/v1/clients/{client_id}/revoke",
        json={},
        headers={**province_h, **_key(), "If-Match": detail.headers["ETag"]},
    )
    assert revoked.status_code == 200, revoked.text
    assert _client_token(gw, client_id, new_secret).status_code == 401


def test_a_password_reset_link_from_a_real_mail_works_once(gw, inbox):
    username = STATE["enterprise_user"]
    asked = gw.post(
        f"{ID}/v1/password-resets", json={"username_or_email": username}, headers=_key()
    )
    assert asked.status_code == 202, asked.text
    unknown = gw.post(
        f"{ID}/v1/password-resets", json={"username_or_email": "nobody-at-all"}, headers=_key()
    )
    assert unknown.status_code == 202  # the same answer: no account enumeration
    token = link_token(inbox, f"{username}@example.com")
    new_password = f"Reset-{uuid.uuid4().hex[:12]}"
    SEEN.append(new_password)
    done = gw.post(
        f"{ID}/v1/password-resets/complete",
        json={"token": token, "password": new_password},
        headers=_key(),
    )
    assert done.status_code == 204, done.text
    again = gw.post(
        f"{ID}/v1/password-resets/complete",
        json={"token": token, "password": new_password},
        headers=_key(),
    )
    assert (again.status_code, again.json()["error"]["code"]) == (410, "link_invalid")
    assert sign_in(gw, username, STATE["enterprise_password"]).status_code == 401
    assert sign_in(gw, username, new_password).status_code == 200


def test_no_secret_password_seed_or_token_is_logged(id_stack):
    secrets = [*id_stack.log_secrets, DEV_PASSWORD, *SEEN]
    assert len(SEEN) > 10  # the tests above ran and handed their secrets over
    found = log_leaks(id_stack.log_dir, secrets)
    assert not found, "\n".join(found[:20])
