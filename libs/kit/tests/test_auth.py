"""Token verification: what is accepted and every way a token is refused."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest
from jose import jwt

from ladder.kit.auth import Principal, Role, TokenVerifier
from ladder.kit.errors import Unauthenticated
from ladder.kit.testing import AUDIENCE, ISSUER, TestIssuer


@pytest.fixture(scope="module")
def issuer() -> TestIssuer:
    return TestIssuer()


def _reason(exc: pytest.ExceptionInfo) -> str:
    return exc.value.details["reason"]


def _b64(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


async def test_valid_token_gives_the_principal(issuer):
    token = issuer.token("county", sub="u1", region="350102", name="鼓楼区工信局")
    principal = await issuer.verifier().verify(token)
    assert principal == Principal(
        sub="u1",
        role=Role.county,
        region="350102",
        name="鼓楼区工信局",
        token_id=principal.token_id,
    )


async def test_token_of_another_key_is_refused(issuer):
    with pytest.raises(Unauthenticated) as exc:
        await issuer.verifier().verify(TestIssuer().token("ministry"))
    assert _reason(exc) == "unknown_key"


async def test_same_kid_wrong_signature_is_refused(issuer):
    other = TestIssuer()
    other.key.kid = issuer.key.kid  # pretend to be our key
    token = other.key.mint({"sub": "x", "role": "ministry"}, issuer=ISSUER, audience=AUDIENCE)
    with pytest.raises(Unauthenticated) as exc:
        await issuer.verifier().verify(token)
    assert _reason(exc) == "signature"


async def test_expired_token_is_refused(issuer):
    token = issuer.key.mint(
        {"sub": "x", "role": "ministry"},
        issuer=ISSUER,
        audience=AUDIENCE,
        ttl_seconds=10,
        now=time.time() - 3600,
    )
    with pytest.raises(Unauthenticated) as exc:
        await issuer.verifier().verify(token)
    assert _reason(exc) == "expired"


@pytest.mark.parametrize(("iss", "aud"), [("someone", AUDIENCE), (ISSUER, "other-audience")])
async def test_wrong_issuer_or_audience_is_refused(issuer, iss, aud):
    token = issuer.key.mint({"sub": "x", "role": "ministry"}, issuer=iss, audience=aud)
    with pytest.raises(Unauthenticated) as exc:
        await issuer.verifier().verify(token)
    assert _reason(exc) == "claims"


async def test_alg_none_is_refused(issuer):
    now = int(time.time())
    body = {
        "sub": "x",
        "role": "ministry",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 60,
    }
    token = f"{_b64({'alg': 'none', 'kid': issuer.key.kid})}.{_b64(body)}."
    with pytest.raises(Unauthenticated) as exc:
        await issuer.verifier().verify(token)
    assert _reason(exc) == "algorithm_not_allowed"


async def test_hs256_with_the_public_key_as_secret_is_refused(issuer):
    """The classic key-confusion attack: sign HMAC with the published public key."""
    public = json.dumps(issuer.key.public_jwk())
    now = int(time.time())
    token = jwt.encode(
        {
            "sub": "x",
            "role": "ministry",
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + 60,
        },
        public,
        algorithm="HS256",
        headers={"kid": issuer.key.kid},
    )
    with pytest.raises(Unauthenticated) as exc:
        await issuer.verifier().verify(token)
    assert _reason(exc) == "algorithm_not_allowed"


async def test_oversized_token_is_refused_before_parsing(issuer):
    token = issuer.token("ministry", padding="x" * 10_000)
    with pytest.raises(Unauthenticated) as exc:
        await issuer.verifier().verify(token)
    assert _reason(exc) == "token_too_large"


async def test_unknown_role_is_refused(issuer):
    token = issuer.key.mint({"sub": "x", "role": "emperor"}, issuer=ISSUER, audience=AUDIENCE)
    with pytest.raises(Unauthenticated):
        await issuer.verifier().verify(token)


async def test_garbage_is_refused(issuer):
    with pytest.raises(Unauthenticated) as exc:
        await issuer.verifier().verify("not.a.token")
    assert _reason(exc) == "malformed"


async def test_key_rotation_refetches_once(issuer):
    calls = []
    new = TestIssuer()

    def handler(_req):
        calls.append(1)
        keys = (
            issuer.key.jwks()
            if len(calls) == 1
            else {"keys": [issuer.key.public_jwk(), new.key.public_jwk()]}
        )
        return httpx.Response(200, json=keys)

    verifier = TokenVerifier(
        jwks_url="http://x/jwks",
        issuer=ISSUER,
        audience=AUDIENCE,
        algorithms=["RS256"],
        http=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        min_refresh_interval=0,
    )
    await verifier.verify(issuer.token("ministry"))
    await verifier.verify(new.token("ministry"))
    assert len(calls) == 2


async def test_jwks_unreachable_is_401_not_500():
    def handler(_req):
        raise httpx.ConnectError("down")

    verifier = TokenVerifier(
        jwks_url="http://x/jwks",
        issuer=ISSUER,
        audience=AUDIENCE,
        algorithms=["RS256"],
        http=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )
    with pytest.raises(Unauthenticated) as exc:
        await verifier.verify(TestIssuer().token("ministry"))
    assert _reason(exc) == "jwks_unavailable"


async def test_a_token_seen_again_is_not_reverified_but_its_expiry_still_holds(issuer, monkeypatch):
    """The verifier remembers verified tokens (no second signature check), yet a remembered
    token past its `exp` (plus the leeway) is refused like any expired one."""
    verifier = issuer.verifier()
    token = issuer.token("county", sub="u9", region="350102", ttl_seconds=60)
    first = await verifier.verify(token)
    decodes = []
    real_decode = jwt.decode
    monkeypatch.setattr(
        "ladder.kit.auth.jwt.decode", lambda *a, **k: decodes.append(1) or real_decode(*a, **k)
    )
    assert await verifier.verify(token) is first
    assert decodes == []
    later = time.time() + 60 + verifier.leeway + 1
    monkeypatch.setattr("ladder.kit.auth.time.time", lambda: later)
    with pytest.raises(Unauthenticated) as exc:
        await verifier.verify(token)
    assert _reason(exc) == "expired"


async def test_remembered_tokens_are_forgotten_when_the_key_set_changes(issuer):
    """A key withdrawn from the JWKS stops the tokens it signed as soon as the verifier sees
    the new key set, even those it verified (and remembered) before."""
    new = TestIssuer()
    published = {"keys": [issuer.key.public_jwk()]}
    verifier = TokenVerifier(
        jwks_url="http://x/jwks",
        issuer=ISSUER,
        audience=AUDIENCE,
        algorithms=["RS256"],
        http=httpx.AsyncClient(
            transport=httpx.MockTransport(lambda _r: httpx.Response(200, json=published))
        ),
        min_refresh_interval=0,
    )
    old_token = issuer.token("ministry")
    await verifier.verify(old_token)
    published["keys"] = [new.key.public_jwk()]  # the issuer rotated the old key out
    await verifier.verify(new.token("ministry"))  # an unknown kid: the verifier refetches
    with pytest.raises(Unauthenticated) as exc:
        await verifier.verify(old_token)
    assert _reason(exc) == "unknown_key"


async def test_remembered_tokens_are_bounded(issuer):
    verifier = issuer.verifier()
    verifier.remembered_tokens = 4
    tokens = [issuer.token("county", sub=f"u{i}", region="350102") for i in range(9)]
    for t in tokens:
        await verifier.verify(t)
    assert len(verifier._verified) <= 4
    assert tokens[-1] in verifier._verified  # the newest stay, the oldest go


def test_principal_is_immutable():
    """Remembered principals are shared between requests, so none may change one."""
    principal = Principal(sub="a", role=Role.county, region="350102")
    with pytest.raises(ValueError):
        principal.region = "110101"


def test_jurisdiction_prefixes():
    assert Principal(sub="a", role=Role.county, region="350102").covers_region("350102")
    assert not Principal(sub="a", role=Role.county, region="350102").covers_region("350103")
    assert Principal(sub="a", role=Role.city, region="350100").covers_region("350103")
    assert not Principal(sub="a", role=Role.city, region="350100").covers_region("350200")
    assert Principal(sub="a", role=Role.province, region="350000").covers_region("350200")
    assert Principal(sub="a", role=Role.ministry).covers_region("650000")
    assert not Principal(sub="a", role=Role.enterprise, region="350102").covers_region("350102")
    assert not Principal(sub="a", role=Role.county).covers_region("350102")


async def test_a_token_with_a_critical_header_is_refused(issuer):
    """RFC 7515 §4.1.11: a `crit` extension we do not understand makes the token invalid."""
    now = int(time.time())
    token = jwt.encode(
        {"sub": "x", "role": "ministry", "iss": ISSUER, "aud": AUDIENCE, "iat": now,
         "exp": now + 600, "b64": False},
        issuer.key._pem.decode(),
        algorithm="RS256",
        headers={"kid": issuer.key.kid, "crit": ["b64"]},
    )  # fmt: skip
    with pytest.raises(Unauthenticated) as exc:
        await issuer.verifier().verify(token)
    assert _reason(exc) == "critical_header"


async def test_a_token_issued_in_the_future_is_refused(issuer):
    token = issuer.token("ministry", iat=int(time.time()) + 365 * 86400)
    with pytest.raises(Unauthenticated) as exc:
        await issuer.verifier().verify(token)
    assert _reason(exc) == "issued_in_future"


async def test_a_token_issued_within_the_leeway_is_accepted(issuer):
    token = issuer.token("ministry", iat=int(time.time()) + 10)
    assert (await issuer.verifier().verify(token)).role is Role.ministry
